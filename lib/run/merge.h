/* SPDX-License-Identifier: MIT */
/* Internal: what the merge of COCO shards (merge.c) and of VOC and YOLO shards
 * (merge_files.c) share. */
#ifndef BMX_MERGE_H
#define BMX_MERGE_H

#include "boxmix.h"
#include "journal.h"

/* The journal of shard folder `dir` (open; `dir_path` names it) read into `j`:
 * there must be one, written by boxmix-augment, finished. */
bmx_status bmx__merge_journal(int dir, const char *dir_path, struct bmx__journal *j,
                              bmx_error *err);

/* The output format its run line records (and YOLO's split, into `split`). */
bmx_status bmx__merge_format(const struct bmx__journal *j, const char *dir_path,
                             enum bmx_dataset_format *format, char *split, size_t split_cap,
                             bmx_error *err);

/* Shards of one run (the same run line), of the given count, each once. */
bmx_status bmx__merge_check_shards(const struct bmx_merge_options *o,
                                   const struct bmx__journal *js, bmx_error *err);

/* Every path the merge writes (a dataset of `format` in o->out), checked against
 * the shards first. */
bmx_status bmx__merge_guard(const struct bmx_merge_options *o, enum bmx_dataset_format format,
                            bmx_error *err);

/* `jr` (zeroed) becomes the head of a run without shards: shard j0's run line,
 * dataset and inputs, shard 0 of 1. On failure the caller frees `jr`. */
bmx_status bmx__merge_journal_head(const struct bmx__journal *j0, struct bmx__journal *jr,
                                   bmx_error *err);

/* Image `name` (its bytes data/len, read from folder `src_dir`) placed in the
 * merged image folder `img_fd` (`img_dir` names it): a hard link to the shard's
 * file when `link` and the file system allows it, else a copy. */
bmx_status bmx__merge_put_image(int img_fd, const char *img_dir, const char *src_dir,
                                const char *name, const void *data, size_t len, bool link,
                                bmx_error *err);

/* The entry of `l` (sorted by index) for `index`, or NULL. */
const struct bmx__jfile *bmx__merge_find(const struct bmx__jlist *l, uint64_t index);

/* bmx_merge_run for shards of a run with VOC or YOLO output (merge_files.c). */
bmx_status bmx__merge_files(const struct bmx_merge_options *o, enum bmx_dataset_format format,
                            struct bmx_merge_summary *summary, bmx_error *err);

#endif
