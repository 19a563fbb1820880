/* SPDX-License-Identifier: MIT */
/* Internal: the pieces of the augment job (lib/job*.c) and what they share. */
#ifndef BMX_JOB_H
#define BMX_JOB_H

#include "coco.h"
#include "provenance.h"
#include "codec.h"
#include "pixels.h"
#include "ops.h"
#include "journal.h"
#include "pairing.h"
#include "input.h"
#include "progress.h"

#include <pthread.h>

/* One output's records, serialized by the worker that made it. Annotations are
 * written without their id (numbered when the file is assembled, in output order),
 * each on its own line. */
struct out_rec {
    struct bmx__buf image; /* while being made */
    struct bmx__buf anns;
    uint64_t off;          /* then in the spill file: image text, then annotations */
    size_t image_len, anns_len;
    size_t n_anns;
    bool made;
    struct bmx_cutmix_stats stats;
    /* VOC output: the objects as made, their masks and keypoints freed (VOC has
     * none; `extra` borrowed from the input), and what the image record says. The
     * VOC files are written from these, not from COCO text. */
    struct bmx_object *objs;
    size_t n_objs;
    size_t base, source;
    /* The operation that made it, the output's size and (VOC) its image record's
     * text, malloc'd. */
    enum bmx_op op;
    int32_t out_w, out_h;
    char *record;
    size_t not_pasted;     /* Copy-Paste: source objects not pasted, without a mask */
    /* The decision log's lines of this output, in the spill file (job_decisions.c). */
    uint64_t dec_off;
    size_t dec_len;
};
/* A decoded input, shared by the outputs that use it (job_cache.c). `lock` is
 * held while it is decoded; the rest of the fields are under run.lock. */
struct cache_entry {
    pthread_mutex_t lock;
    bool done;              /* decoded (or failed), under `lock` */
    bmx_status status;
    bmx_error err;
    struct bmx_image image; /* borrows `pix` */
    uint8_t *pix;
    size_t cap;
    uint64_t need;          /* bytes it takes decoded: width * height * 3 */
    uint64_t held;          /* bytes counted against the budget while resident */
    bool resident;          /* holds pixels, or room reserved for them */
    size_t slot;            /* its place in cache.resident while resident */
    size_t uses_left;       /* outputs that use it and are not finished */
    size_t next_use;        /* into cache.uses: its first use not taken yet */
    unsigned pins;          /* outputs in progress that use it */
};
/* A pixel buffer no entry holds, kept for the next decode of its size. */
struct spare {
    uint8_t *pix;
    size_t cap;
};
/* The decoded inputs held at once, bounded in bytes (job_cache.c). Entries are
 * indexed by position in the shuffled order. Under run.lock. */
struct pixel_cache {
    struct cache_entry *entries;
    size_t n;
    uint64_t limit;       /* the budget in bytes, raised to one block's largest two */
    uint64_t held;        /* bytes of resident entries and spares */
    size_t *resident;     /* entries holding pixels (or reserved) */
    size_t n_resident;
    struct spare *spares;
    size_t n_spares;
    size_t *use_start;    /* per entry: its uses are uses[use_start[e] .. use_start[e + 1]) */
    size_t *uses;         /* queue positions of the outputs that use each entry, ascending */
    bool *taken;          /* per queue position: a worker has taken it */
    size_t *at;           /* per queue position: its inputs' entries, BMX__JOB_MAX_INPUTS
                             each, base first (SIZE_MAX past its inputs, or all when it
                             is made without pixels) */
    unsigned in_use;      /* outputs holding pins */
    unsigned waiting;     /* workers waiting for room */
    pthread_cond_t room;  /* signalled when an output lets its entries go */
    bool ready;           /* the locks and `room` are initialised */
    size_t huge;          /* the huge page size large inputs are decoded into; 0: none */
};
/* What one worker thread keeps from output to output: codec handles and buffers
 * (the input file, the composed output, the encoded output), so that the steady
 * state allocates nothing large and faults in no fresh pages. */
struct worker_ctx {
    struct run *run;
    size_t waiting_at;      /* the queue position it waits room for; SIZE_MAX: none */
    size_t part;            /* its own part it takes outputs from (run.parts) */
    struct bmx__codec codec;
    char *file;
    size_t file_cap;
    struct bmx__op_scratch sc; /* where outputs are composed (ops.h) */
    bool owns_base;         /* the output being made is the last user of its base */
};
/* The largest buffer a worker keeps from output to output (struct
 * bmx__op_scratch): 64 MiB, a 4096x4096 RGB output and more. */
#define BMX__JOB_SCRATCH_KEEP ((size_t)64 << 20)

/* The most inputs one output takes (Mosaic's four). */
#define BMX__JOB_MAX_INPUTS 4

struct run {
    const struct bmx_job_options *opts;
    const struct bmx_recipe_entry *recipe; /* the operations: the options', or `one` */
    size_t recipe_len;
    struct bmx_recipe_entry one;           /* CutMix with opts->cutmix, when no recipe */
    size_t max_inputs;                     /* the most inputs an output of the recipe takes */
    const bmx_dataset *ds;
    size_t *inputs;      /* dataset indices of the inputs in use (all, or the good ones) */
    size_t n_in;
    bool *bad;           /* per dataset image: left out by skip_bad */
    bool *done;          /* per local output: complete from an interrupted run */
    int journal;         /* fd of the resume journal, -1 when none */
    struct bmx__journal jr; /* what the journal will say when the run is done */
    struct bmx__jfile *in_files; /* per dataset image: size, time, hash (pre-check) */
    struct bmx__outdir od;  /* the output folder, locked */
    int img_fd;          /* its image folder, -1 in a dry run */
    int spill;           /* fd of the unlinked file holding the outputs' records */
    uint64_t spill_end;  /* bytes reserved in it so far (under `lock`) */
    const char *input_name;
    struct bmx__progress progress; /* the caller's callback (under `lock` while workers run) */
    char **bad_msgs;     /* why each left-out image is bad, in dataset order */
    size_t *bad_idx;
    size_t n_bad_msgs;
    struct bmx__pairing pairing;
    const char *img_dir;
    const char *images_root;
    uint64_t count;      /* outputs of the whole run */
    uint64_t shard_n;    /* shard count (>= 1) */
    uint64_t n_local;    /* outputs of this shard */
    uint64_t id_offset;  /* image ids of outputs start after the originals */
    struct out_rec *recs; /* per local output */
    /* the outputs being made */
    struct pixel_cache cache;
    struct worker_ctx *workers; /* for the cache's queue of waiting workers */
    unsigned n_workers;
    const uint64_t *todo;      /* local output indices, block by block */
    size_t n_todo;
    /* Each block's queue cut into one part per worker: positions [next, end) of
     * part b * ways + q are not taken yet; worker q takes from its own parts. */
    struct job_part {
        size_t next, end;
    } *parts;
    size_t n_parts;
    unsigned ways;
    pthread_mutex_t lock;
    bool failed;
    uint64_t fail_j;
    bmx_error fail_err;
    bmx_status fail_status;
};
/* The document's images and annotations: the originals' (already serialized),
 * then each output's records in index order, annotations numbered on the way.
 * Each callback frees the parts it wrote, so a streamed document never holds a
 * second copy of the records. */
struct doc_parts {
    struct run *r;
    struct bmx__buf *images; /* originals */
    struct bmx__buf *anns;   /* originals' annotations */
    size_t n_images, n_anns;
    struct bmx__buf tmp;     /* one record read back */
    int io_errno;
};

/* The output index k of local output j (a shard makes every shard_n-th). */
static inline uint64_t bmx__job_local_to_k(const struct run *r, uint64_t j)
{
    return (r->opts->shard_count > 1 ? r->opts->shard_index : 0) + j * r->shard_n;
}

/* The operation that makes output k: the recipe's entry drawn for it. */
static inline const struct bmx_op_options *bmx__job_op(const struct run *r, uint64_t k)
{
    return &r->recipe[bmx_recipe_pick(r->recipe, r->recipe_len, r->opts->seed, k)].op;
}

/* Output k's inputs, base first, into u (BMX__JOB_MAX_INPUTS places); returns how
 * many its operation takes. The base is input k mod N; the sources are the draws
 * of k's pairing generator, among the base's block: the first is CutMix's source,
 * Mosaic takes three (the output, the cache and the order all ask here). */
static inline size_t bmx__job_inputs(const struct run *r, uint64_t k, size_t *u)
{
    size_t n = bmx_op_inputs(bmx__job_op(r, k)->op);
    bmx_rng rng;
    bmx_rng_seed(&rng, r->opts->seed, k);
    u[0] = (size_t)(k % r->n_in);
    for (size_t q = 1; q < n; q++) {
        u[q] = bmx__pairing_source(&r->pairing, u[0], &rng);
    }
    return n;
}

/* Output k's file name: the operation's name, k, the format's extension. */
void bmx__job_file_name(const struct run *r, uint64_t k, char *out, size_t cap);

/* Reorder the n outputs todo[0..n) of one block, whose inputs are the pairing
 * positions [lo, hi), so that few inputs are held at once (job_order.c). False:
 * out of memory, todo unchanged. */
bool bmx__job_order_block(const struct run *r, uint64_t *todo, size_t n, size_t lo, size_t hi);

/* The next queue position worker w makes, under run.lock: from its own part of
 * the earliest block where it has one left, else taken from the end of the part
 * with the most left (job_workers.c). SIZE_MAX when every output is taken. */
size_t bmx__job_take(struct run *r, struct worker_ctx *w);

/* Worker threads for the options (0: the number of cores, at most 256). */
unsigned bmx__job_threads(const struct bmx_job_options *opts);

/* Make every output, block by block (job_workers.c). */
bmx_status bmx__job_make_outputs(struct run *r, bmx_error *err);

/* The pixel cache for the queue r->todo: what each output uses, the budget
 * (opts->memory_limit, raised to one block's largest two images, said once through
 * opts->notice) (job_cache.c). */
bmx_status bmx__job_cache_init(struct run *r, bmx_error *err);

/* Free every buffer of the cache. */
void bmx__job_cache_free(struct run *r);

/* Under r->lock: room for the entries queue position t uses, reserved and pinned;
 * waits while there is none. False when the run failed meanwhile. */
bool bmx__job_cache_acquire(struct worker_ctx *w, size_t t);

/* Under r->lock: queue position t is finished with its entries. */
void bmx__job_cache_release(struct run *r, size_t t);

/* The decoded pixels of input u, decoded on first use; its entry must be pinned
 * (job_cache.c). */
bmx_status bmx__job_cached_image(struct worker_ctx *w, size_t u, const struct bmx_image **out,
                                 bmx_error *err);

/* Make local output j with worker w's buffers (job_output.c). */
bmx_status bmx__job_make_output(struct worker_ctx *w, uint64_t j, bmx_error *err);

/* The JSON literal of an image's id, into out. */
void bmx__job_id_literal(const struct bmx_image_info *info, char *out, size_t cap);

/* A file written whole: one journal line ("output" or "original") and its place
 * in the final journal. */
bmx_status bmx__job_journal_wrote(struct run *r, const char *kind, uint64_t index,
                                  const void *data, size_t len, bmx_error *err);

/* Copy the originals this shard owns and serialize their records (job_document.c). */
bmx_status bmx__job_write_originals(struct run *r, struct bmx__buf *images, struct bmx__buf *anns,
                                    size_t *n_images, size_t *n_anns, struct bmx_job_summary *sum,
                                    bmx_error *err);

/* Whether this shard copies original i (job_document.c). */
bool bmx__job_owns_original(const struct run *r, size_t i);

/* The annotation file or the VOC files, last. */
bmx_status bmx__job_write_annotations(struct run *r, struct bmx__buf *images, struct bmx__buf *anns,
                                      size_t n_images, size_t n_anns, bmx_error *err);

/* Keep output j's objects (taken from `out`) and image record for the VOC files
 * (job_voc.c). */
void bmx__job_keep_for_voc(struct out_rec *rec, struct bmx_sample *out, size_t base, size_t source,
                           bool keep_geometry);

/* The YOLO files of the run (job_yolo.c): labels/<split>/ and data.yaml. */
bmx_status bmx__job_write_yolo(struct run *r, bmx_error *err);

/* The split a YOLO output is written as: the options' yolo_split, else the input's,
 * else "train". */
const char *bmx__job_yolo_split(const struct bmx_job_options *opts);

/* The VOC files of the run, from the originals and every output's kept records. */
bmx_status bmx__job_write_voc(struct run *r, bmx_error *err);

/* With originals copied beside the outputs, no two files may share a name, nor an
 * original the name of an output of the operations in `ops` (a bit per enum
 * bmx_op) (job_precheck.c). */
bmx_status bmx__job_check_original_names(const bmx_dataset *ds, const char *input_name,
                                         enum bmx_format format, unsigned ops, bmx_error *err);

/* Check every input image before anything is written; with skip_bad, mark the bad. */
bmx_status bmx__job_precheck(struct run *r, struct bmx_job_summary *sum, bmx_error *err);

/* The run's identity line for the journal (job_resume.c); NULL when out of memory. */
char *bmx__job_identity(const struct run *r, uint64_t dataset_hash);

/* The content hash of the annotations read. */
bmx_status bmx__job_dataset_hash(const struct run *r, uint64_t *out, bmx_error *err);

/* Start the journal; with resume, keep the outputs an interrupted run finished. */
bmx_status bmx__job_journal_open(struct run *r, struct bmx_job_summary *sum, bmx_error *err);

/* Output k's decision log lines (one per object considered) into `b`
 * (job_decisions.c). */
void bmx__job_put_decisions(struct bmx__buf *b, const struct run *r, uint64_t k, const char *newid,
                            const char *fname, const size_t *inputs, const struct bmx_decision *d,
                            size_t n);

/* Keep `b` in the spill file as local output j's decision lines. */
bmx_status bmx__job_spill_decisions(struct run *r, uint64_t j, const struct bmx__buf *b,
                                    bmx_error *err);

/* Write the decision log from every output's lines, in output order, whole or not
 * at all. */
bmx_status bmx__job_write_decisions(struct run *r, bmx_error *err);

/* Write the JSON report (job_report.c). */
bmx_status bmx__job_write_report(const struct run *r, const struct bmx_job_summary *sum,
                                 bmx_error *err);

#endif
