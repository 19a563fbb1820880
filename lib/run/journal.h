/* SPDX-License-Identifier: MIT */
/* Internal: the run journal, OUT/.boxmix-journal.
 *
 * Every tool that writes a dataset (augment, convert, merge) starts its output
 * folder's journal before the first output file and ends it with a `done` line
 * after the last: a folder whose journal has no `done` holds an unfinished run,
 * and every reader refuses it. The journal also says which run made the folder
 * (the tool, its inputs' fingerprint and every option: the `run` line), which
 * input files it read (size, modification time and content hash of each), and
 * each file it wrote with its size and hash; resume and merge check against it.
 *
 *   boxmix-journal 2
 *   run {"tool":"boxmix-augment",...}       identity: same run <=> same line
 *   shard I N
 *   dataset SIZE MTIME HASH                 the annotation input (optional)
 *   input I SIZE MTIME HASH | input I missing
 *   original I SIZE HASH
 *   output K SIZE HASH
 *   done [SIZE HASH]                         the annotation file written
 *
 * While a run goes on, output and original lines are appended as files are
 * written whole; at the end the journal is written again in a fixed order (so a
 * resumed run, any thread count and a merge of shards give the same bytes). */
#ifndef BMX_JOURNAL_H
#define BMX_JOURNAL_H

#include "coco.h"

#define BMX__JOURNAL_NAME ".boxmix-journal"

/* One file the journal lists. */
struct bmx__jfile {
    uint64_t index;
    uint64_t size;
    uint64_t hash;
    int64_t mtime_s; /* inputs only */
    int64_t mtime_ns;
    bool missing; /* inputs only: could not be read */
};

struct bmx__jlist {
    struct bmx__jfile *v;
    size_t n, cap;
};

struct bmx__journal {
    char *run; /* the identity line's JSON (owned) */
    uint64_t shard_index, shard_count;
    bool has_dataset;
    struct bmx__jfile dataset; /* the annotation input */
    struct bmx__jlist inputs, originals, outputs;
    bool done;
    bool done_has_hash;
    uint64_t done_size, done_hash;
};

bool bmx__jlist_push(struct bmx__jlist *l, const struct bmx__jfile *f);
void bmx__journal_free(struct bmx__journal *j);

/* Read the journal of the folder `dir` (a descriptor; `shown` names the folder).
 * *exists false (and BMX_OK) when there is none. A last line cut short by a kill
 * is left out. */
bmx_status bmx__journal_read(int dir, const char *shown, struct bmx__journal *j, bool *exists,
                             bmx_error *err);

/* Parse a journal's text (NUL-terminated, modified in place) into `j` (zeroed by
 * the caller); on failure the caller frees `j`. */
bmx_status bmx__journal_parse(char *data, const char *shown, struct bmx__journal *j, bmx_error *err);

/* Write the journal's head (run, shard, dataset, inputs) through a temporary name,
 * synced, and open it for appending (*fd). */
bmx_status bmx__journal_begin(int dir, const char *shown, const struct bmx__journal *j, int *fd,
                              bmx_error *err);

/* Append one line ("output 12 3456 00ab...") with one write, so lines of threads
 * never mix. */
bool bmx__journal_append(int fd, const char *kind, const struct bmx__jfile *f);

/* Write the whole journal again, sorted, ending with `done`: the run is finished. */
bmx_status bmx__journal_finish(int dir, const char *shown, struct bmx__journal *j, bmx_error *err);

/* Sort the original and output lists by index, a later line replacing an earlier. */
void bmx__journal_finish_lists(struct bmx__journal *j);

/* Which tool's run the journal's run line names ("boxmix-augment"), into `out`. */
void bmx__journal_tool(const struct bmx__journal *j, char *out, size_t cap);

/* For every reader of a dataset: BMX_E_STATE, naming the folder and what to do,
 * when `dir` (a path) holds the journal of a run that has not finished. */
bmx_status bmx__check_finished(const char *dir, bmx_error *err);

/* The folder holding a dataset file ("a/b/annotations.json" -> "a/b"), allocated. */
char *bmx__dir_of(const char *path);

/* A file's identity for the journal: size and content hash (`len` and the
 * bmx__hash_bytes of the bytes already read), modification time; false when the
 * file cannot be stat'ed. */
bool bmx__jfile_known(const char *path, uint64_t len, uint64_t hash, struct bmx__jfile *f);

#endif
