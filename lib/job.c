/* The offline augment job: pairing, decoding, CutMix, writing a whole dataset.
 *
 * Output k is a pure function of (dataset, options, seed, k): its generator is
 * seeded from (seed, k), its base is input k mod N and its source is drawn from
 * the base's block of a seed-shuffled order. */
#include "dataset.h"
#include "image.h"
#include "journal.h"
#include "pairing.h"
#include "voc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void bmx_job_options_init(struct bmx_job_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->per_image = 1;
    bmx_cutmix_options_init(&opts->cutmix);
    opts->format = BMX_FORMAT_JPEG;
    opts->quality = 90;
    opts->threads = 0;
    bmx_limits_init(&opts->limits);
}

/* ---- the run ---- */

/* One output's records, serialized by the worker that made it. Annotations are
 * written with id 0 (renumbered when the file is assembled, in output order),
 * each on its own line. */
struct out_rec {
    struct bmx__buf image; /* while being made */
    struct bmx__buf anns;
    uint64_t off;          /* then in the spill file: image text, then annotations */
    size_t image_len, anns_len;
    size_t n_anns;
    bool made;
    struct bmx_cutmix_stats stats;
};

/* A decoded input, shared by the outputs of its block. */
struct cache_entry {
    pthread_mutex_t lock;
    bool done;
    bmx_status status;
    bmx_error err;
    struct bmx_image image; /* borrows `pix` */
    uint8_t *pix;
    size_t cap;
};

/* A pixel buffer waiting for the next block. */
struct spare {
    uint8_t *pix;
    size_t cap;
};

/* What one worker thread keeps from output to output: codec handles and buffers
 * (the input file, the composed output, the encoded output), so that the steady
 * state allocates nothing large and faults in no fresh pages. */
struct worker_ctx {
    struct run *run;
    struct bmx__codec codec;
    char *file;
    size_t file_cap;
    uint8_t *out;
    size_t out_cap;
};

struct run {
    const struct bmx_job_options *opts;
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
    /* the block being made */
    struct cache_entry *cache; /* indexed by position in the shuffled order */
    struct spare *spares;      /* pixel buffers of finished blocks (under `lock`) */
    size_t n_spares;
    const uint64_t *todo;      /* local output indices, block by block */
    size_t *todo_block;        /* the block of each */
    size_t *block_left;        /* outputs of each block not made yet */
    size_t n_todo;
    size_t next;
    pthread_mutex_t lock;
    bool failed;
    uint64_t fail_j;
    bmx_error fail_err;
    bmx_status fail_status;
};

static uint64_t local_to_k(const struct run *r, uint64_t j)
{
    return (r->opts->shard_count > 1 ? r->opts->shard_index : 0) + j * r->shard_n;
}

/* Decode dataset image i into the entry's buffer (a spare one when it has none). */
static bmx_status load_image(struct worker_ctx *w, size_t i, struct cache_entry *e,
                             bmx_error *err)
{
    const struct run *r = w->run;
    const struct bmx_image_info *info = &r->ds->images[i];
    char *path = bmx__path_join(r->images_root, info->file_name);
    size_t len = 0;
    if (path == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    bmx_status st = bmx__read_file_into(path, &w->file, &w->file_cap, &len, err);
    if (st == BMX_OK) {
        st = bmx__codec_decode(&w->codec, (const uint8_t *)w->file, len, &r->opts->limits,
                               &e->pix, &e->cap, &e->image, err);
        if (st != BMX_OK) {
            bmx__prefix(err, st, "%s", path);
        }
    }
    if (st == BMX_OK && (e->image.w != info->width || e->image.h != info->height)) {
        st = bmx__fail(err, BMX_E_SCHEMA,
                       "%s: decoded size %dx%d differs from images[%zu] width x height %dx%d",
                       path, (int)e->image.w, (int)e->image.h, i, (int)info->width,
                       (int)info->height);
    }
    if (st != BMX_OK) {
        memset(&e->image, 0, sizeof e->image);
    }
    free(path);
    return st;
}

/* Give an entry's pixels back to the spares (under r->lock). */
static void release_entry(struct run *r, struct cache_entry *e)
{
    if (e->pix != NULL) {
        /* At most one spare per cache entry exists, so the array never overflows. */
        r->spares[r->n_spares++] = (struct spare){e->pix, e->cap};
    }
    e->pix = NULL;
    e->cap = 0;
    memset(&e->image, 0, sizeof e->image);
    e->done = false;
}

/* The decoded pixels of input u, decoding them on first use. */
static bmx_status cached_image(struct worker_ctx *w, size_t u, const struct bmx_image **out,
                               bmx_error *err)
{
    struct run *r = w->run;
    struct cache_entry *e = &r->cache[r->pairing.pos[u]];
    pthread_mutex_lock(&e->lock);
    if (!e->done) {
        pthread_mutex_lock(&r->lock);
        if (e->pix == NULL && r->n_spares > 0) {
            struct spare sp = r->spares[--r->n_spares];
            e->pix = sp.pix;
            e->cap = sp.cap;
        }
        pthread_mutex_unlock(&r->lock);
        e->status = load_image(w, r->inputs[u], e, &e->err);
        e->done = true;
    }
    pthread_mutex_unlock(&e->lock);
    if (e->status != BMX_OK) {
        if (err != NULL) {
            *err = e->err;
        }
        return e->status;
    }
    *out = &e->image;
    return BMX_OK;
}

static void id_literal(const struct bmx_image_info *info, char *out, size_t cap)
{
    struct bmx__buf b = {0};
    bmx__coco_put_image_id(&b, info);
    snprintf(out, cap, "%s", b.failed || b.data == NULL ? "null" : b.data);
    bmx__buf_free(&b);
}

static bool pwrite_all(int fd, const char *data, size_t len, uint64_t off)
{
    while (len > 0) {
        ssize_t n = pwrite(fd, data, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        data += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return true;
}

static bool pread_all(int fd, char *data, size_t len, uint64_t off)
{
    while (len > 0) {
        ssize_t n = pread(fd, data, len, (off_t)off);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return false;
        }
        data += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return true;
}

/* A file written whole: one journal line, and its place in the final journal. */
static bmx_status journal_wrote(struct run *r, const char *kind, uint64_t index, const void *data,
                                size_t len, bmx_error *err)
{
    struct bmx__jfile f = {.index = index, .size = len, .hash = bmx__hash_bytes(data, len)};
    bool ok = bmx__journal_append(r->journal, kind, &f);
    int e = errno;
    pthread_mutex_lock(&r->lock);
    ok = bmx__jlist_push(strcmp(kind, "output") == 0 ? &r->jr.outputs : &r->jr.originals, &f) && ok;
    pthread_mutex_unlock(&r->lock);
    if (!ok) {
        return bmx__fail(err, BMX_E_IO, "%s/" BMX__JOURNAL_NAME ": cannot write: %s", r->opts->out,
                         strerror(e != 0 ? e : ENOMEM));
    }
    return BMX_OK;
}

static bmx_status make_output(struct worker_ctx *w, uint64_t j, bmx_error *err)
{
    struct run *r = w->run;
    const struct bmx_job_options *opts = r->opts;
    const bmx_dataset *ds = r->ds;
    struct out_rec *rec = &r->recs[j];
    uint64_t k = local_to_k(r, j);
    bmx_status st;
    size_t ub = (size_t)(k % r->n_in);
    bmx_rng rng;
    bmx_rng_seed(&rng, opts->seed, k);
    size_t us = bmx__pairing_source(&r->pairing, ub, &rng);
    size_t base = r->inputs[ub], source = r->inputs[us];
    struct bmx_sample a = {0}, b = {0}, out = {0};
    const struct bmx_image *ia = NULL, *ib = NULL;
    struct bmx_box *boxes = NULL;
    const uint8_t *enc = NULL;
    size_t enc_len = 0;
    /* Annotations only: a dry run, or an output an interrupted run completed. */
    const bool no_pixels = opts->dry_run || r->done[j];

    /* The annotations are made without pixels (as in a dry run, same result); the
     * pixels are composed below into the worker's own buffer. */
    a.image = (struct bmx_image){ds->images[base].width, ds->images[base].height, 3, 0, NULL};
    b.image = (struct bmx_image){ds->images[source].width, ds->images[source].height, 3, 0, NULL};
    if (!no_pixels) {
        st = cached_image(w, ub, &ia, err);
        if (st != BMX_OK) {
            goto done;
        }
        st = cached_image(w, us, &ib, err);
        if (st != BMX_OK) {
            goto done;
        }
        if (ia->channels != ib->channels) {
            st = bmx__fail(err, BMX_E_INVALID, "cutmix apply: base has %d channels, source has %d",
                           (int)ia->channels, (int)ib->channels);
            goto done;
        }
    }
    /* The samples borrow the dataset's objects; they are never freed through them. */
    a.n_objects = ds->img_count[base];
    a.objects = ds->objects + ds->img_first[base];
    b.n_objects = ds->img_count[source];
    b.objects = ds->objects + ds->img_first[source];

    boxes = bmx__alloc_array(a.n_objects, sizeof *boxes);
    if (boxes == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t q = 0; q < a.n_objects; q++) {
        boxes[q] = a.objects[q].bbox;
    }
    struct bmx_patch patch;
    st = bmx_cutmix_draw_patch(&opts->cutmix, a.image.w, a.image.h, boxes, a.n_objects, &rng,
                               &patch, err);
    if (st != BMX_OK) {
        goto done;
    }
    st = bmx_cutmix_apply(&opts->cutmix, &patch, &a, &b, &out, &rec->stats, err);
    if (st != BMX_OK) {
        goto done;
    }

    char fname[64];
    snprintf(fname, sizeof fname, "cutmix_%06" PRIu64 ".%s", k,
             opts->format == BMX_FORMAT_PNG ? "png" : "jpg");
    if (!no_pixels) {
        size_t need = (size_t)ia->w * (size_t)ia->channels * (size_t)ia->h; /* as decoded */
        if (w->out == NULL || w->out_cap < need) {
            free(w->out);
            w->out_cap = 0;
            w->out = malloc(need);
            if (w->out == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "out of memory for a %dx%d output",
                               (int)ia->w, (int)ia->h);
                goto done;
            }
            w->out_cap = need;
        }
        struct bmx_image pix = {ia->w, ia->h, ia->channels, (size_t)ia->w * (size_t)ia->channels,
                                w->out};
        st = bmx__image_paste(ia, ib, patch.rect, &pix, err);
        if (st == BMX_OK) {
            st = bmx__codec_encode(&w->codec, &pix, opts->format, opts->quality, &enc, &enc_len,
                                   err);
        }
        if (st == BMX_OK) {
            st = bmx__outfile_write(r->img_fd, r->img_dir, fname, enc, enc_len, false, err);
        }
        if (st != BMX_OK) {
            goto done;
        }
        st = journal_wrote(r, "output", k, enc, enc_len, err);
        if (st != BMX_OK) {
            goto done;
        }
    }

    char base_id[128], source_id[128], newid[32], bm[512];
    id_literal(&ds->images[base], base_id, sizeof base_id);
    id_literal(&ds->images[source], source_id, sizeof source_id);
    snprintf(newid, sizeof newid, "%" PRIu64, r->id_offset + k + 1);
    {
        struct bmx__buf lb = {0};
        bmx__buf_number(&lb, patch.lambda);
        snprintf(bm, sizeof bm,
                 "{\"op\":\"cutmix\",\"index\":%" PRIu64 ",\"base_image_id\":%s,\"source_image_id\":%s,"
                 "\"patch\":[%d,%d,%d,%d],\"lambda\":%s,\"seed\":%" PRIu64 "}",
                 k, base_id, source_id, (int)patch.rect.x, (int)patch.rect.y, (int)patch.rect.w,
                 (int)patch.rect.h, lb.data ? lb.data : "null", opts->seed);
        bmx__buf_free(&lb);
    }
    bmx__coco_put_image(&rec->image, &ds->images[base], newid, fname, out.image.w, out.image.h,
                        false, bm);
    for (size_t q = 0; q < out.n_objects; q++) {
        const struct bmx_object *o = &out.objects[q];
        struct bmx__buf vis = {0};
        bmx__buf_number(&vis, o->visibility);
        char abm[240], hidden[48] = "";
        if (o->has_keypoints) {
            snprintf(hidden, sizeof hidden, ",\"keypoints_hidden\":%u", (unsigned)o->keypoints_hidden);
        }
        snprintf(abm, sizeof abm,
                 "{\"from\":\"%s\",\"visibility\":%s,\"source_annotation_id\":%" PRId64 "%s}",
                 o->origin == BMX_FROM_SOURCE ? "source" : "base", vis.data ? vis.data : "0", o->id,
                 hidden);
        bmx__buf_free(&vis);
        bmx__coco_put_annotation(&rec->anns, o, 0, newid, abm);
        bmx__buf_put(&rec->anns, "\n", 1);
        rec->n_anns++;
    }
    if (rec->image.failed || rec->anns.failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory while building the annotation file");
    } else {
        /* The records wait in the spill file, not in memory, until the annotation
         * file is written in index order. */
        rec->image_len = rec->image.len;
        rec->anns_len = rec->anns.len;
        pthread_mutex_lock(&r->lock);
        rec->off = r->spill_end;
        r->spill_end += rec->image_len + rec->anns_len;
        pthread_mutex_unlock(&r->lock);
        if (!pwrite_all(r->spill, rec->image.data, rec->image_len, rec->off) ||
            !pwrite_all(r->spill, rec->anns.data, rec->anns_len, rec->off + rec->image_len)) {
            st = bmx__fail(err, BMX_E_IO, "%s: cannot write the records' spill file: %s",
                           opts->out, strerror(errno));
        }
        bmx__buf_free(&rec->image);
        bmx__buf_free(&rec->anns);
        rec->made = st == BMX_OK;
    }
done:
    free(boxes);
    bmx_sample_free(&out);
    return st;
}

/* Workers take outputs in block order from one queue. A block's pixels are freed
 * as soon as its last output is made, so a worker may start the next block while
 * another finishes the last one: no barrier between blocks, and at most about one
 * block per worker is decoded at a time. */
static void *worker(void *arg)
{
    struct worker_ctx *w = arg;
    struct run *r = w->run;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        if (!r->failed && r->opts->cancel != NULL && *r->opts->cancel) {
            r->failed = true;
            r->fail_j = UINT64_MAX;
            r->fail_status = bmx__fail(&r->fail_err, BMX_E_INTERRUPTED, "%s: interrupted", r->opts->out);
        }
        if (r->next >= r->n_todo || r->failed) {
            pthread_mutex_unlock(&r->lock);
            return NULL;
        }
        size_t t = r->next++;
        uint64_t j = r->todo[t];
        size_t b = r->todo_block[t];
        pthread_mutex_unlock(&r->lock);
        bmx_error err = {0};
        bmx_status st = make_output(w, j, &err);
        pthread_mutex_lock(&r->lock);
        if (st != BMX_OK && (!r->failed || j < r->fail_j)) {
            /* Report the failing output with the lowest index seen. */
            r->failed = true;
            r->fail_j = j;
            r->fail_err = err;
            r->fail_status = st;
        }
        if (--r->block_left[b] == 0) {
            size_t end = bmx__pairing_block_start(&r->pairing, b + 1);
            for (size_t q = bmx__pairing_block_start(&r->pairing, b); q < end; q++) {
                release_entry(r, &r->cache[q]);
            }
        }
        pthread_mutex_unlock(&r->lock);
    }
}

static unsigned thread_count(const struct bmx_job_options *opts)
{
    if (opts->threads > 0) {
        return opts->threads;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)(n > 256 ? 256 : n) : 1;
}

/* Make every output, block by block: a block's inputs are decoded once, on first
 * use, and freed when the block is done, so memory stays bounded by a block. */
static bmx_status make_outputs(struct run *r, bmx_error *err)
{
    const struct bmx__pairing *p = &r->pairing;
    bmx_status st = BMX_OK;
    size_t nb = p->n_blocks;
    uint64_t *order = bmx__alloc_array((size_t)r->n_local, sizeof *order);
    size_t *start = calloc(nb + 1, sizeof *start);
    r->todo_block = bmx__alloc_array((size_t)r->n_local, sizeof *r->todo_block);
    r->block_left = calloc(nb, sizeof *r->block_left);
    r->cache = calloc(p->n, sizeof *r->cache);
    r->spares = calloc(p->n, sizeof *r->spares);
    r->n_spares = 0;
    unsigned nt = thread_count(r->opts);
    pthread_t *threads = calloc(nt, sizeof *threads);
    struct worker_ctx *ctx = calloc(nt, sizeof *ctx);
    if ((r->n_local > 0 && (order == NULL || r->todo_block == NULL)) || start == NULL ||
        r->cache == NULL || r->spares == NULL || r->block_left == NULL || threads == NULL ||
        ctx == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory for %" PRIu64 " outputs", r->n_local);
        goto done;
    }
    for (size_t i = 0; i < p->n; i++) {
        pthread_mutex_init(&r->cache[i].lock, NULL);
    }
    /* Outputs by block of their base, in index order within a block. */
    for (uint64_t j = 0; j < r->n_local; j++) {
        size_t base = (size_t)(local_to_k(r, j) % p->n);
        start[bmx__pairing_block_of(p, p->pos[base]) + 1]++;
    }
    for (size_t b = 0; b < nb; b++) {
        start[b + 1] += start[b];
    }
    {
        size_t *fill = calloc(nb, sizeof *fill);
        if (fill == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        for (uint64_t j = 0; j < r->n_local; j++) {
            size_t base = (size_t)(local_to_k(r, j) % p->n);
            size_t b = bmx__pairing_block_of(p, p->pos[base]);
            order[start[b] + fill[b]++] = j;
        }
        free(fill);
    }
    r->todo = order;
    r->n_todo = (size_t)r->n_local;
    r->next = 0;
    for (size_t b = 0; b < nb; b++) {
        r->block_left[b] = start[b + 1] - start[b];
        for (size_t t = start[b]; t < start[b + 1]; t++) {
            r->todo_block[t] = b;
        }
    }
    {
        unsigned use = nt < r->n_todo ? nt : (unsigned)r->n_todo;
        unsigned started = 0;
        for (unsigned t = 0; t < nt; t++) {
            ctx[t].run = r;
        }
        if (use > 1) {
            for (; started < use; started++) {
                if (pthread_create(&threads[started], NULL, worker, &ctx[started]) != 0) {
                    break;
                }
            }
        }
        if (started == 0) {
            worker(&ctx[0]);
        }
        for (unsigned t = 0; t < started; t++) {
            pthread_join(threads[t], NULL);
        }
    }
    /* After a failure some blocks were not finished: free what they decoded. */
    for (size_t q = 0; q < p->n; q++) {
        release_entry(r, &r->cache[q]);
    }
    if (r->failed) {
        if (err != NULL) {
            *err = r->fail_err;
        }
        st = r->fail_status;
    }
    for (size_t i = 0; i < p->n; i++) {
        pthread_mutex_destroy(&r->cache[i].lock);
    }
done:
    if (ctx != NULL) {
        for (unsigned t = 0; t < nt; t++) {
            bmx__codec_free(&ctx[t].codec);
            free(ctx[t].file);
            free(ctx[t].out);
        }
    }
    free(ctx);
    for (size_t q = 0; r->spares != NULL && q < r->n_spares; q++) {
        free(r->spares[q].pix);
    }
    free(r->spares);
    r->spares = NULL;
    r->n_spares = 0;
    free(threads);
    free(r->cache);
    r->cache = NULL;
    free(r->todo_block);
    r->todo_block = NULL;
    free(r->block_left);
    r->block_left = NULL;
    free(start);
    free(order);
    return st;
}

/* Originals: input i is copied by the shard that owns index i. */
static bmx_status write_originals(struct run *r, struct bmx__buf *images, struct bmx__buf *anns,
                                  size_t *n_images, size_t *n_anns, struct bmx_job_summary *sum,
                                  bmx_error *err)
{
    const bmx_dataset *ds = r->ds;
    const struct bmx_job_options *opts = r->opts;
    bmx_status st = BMX_OK;
    for (size_t i = 0; i < ds->n_images && st == BMX_OK; i++) {
        if ((opts->shard_count > 1 && i % opts->shard_count != opts->shard_index) || r->bad[i]) {
            continue;
        }
        const struct bmx_image_info *info = &ds->images[i];
        char *src = bmx__path_join(r->images_root, info->file_name);
        char *data = NULL;
        size_t len = 0;
        if (src == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto next;
        }
        if (!opts->dry_run) {
            st = bmx__read_file(src, &data, &len, err);
            if (st == BMX_OK && r->in_files != NULL &&
                (len != r->in_files[i].size || bmx__hash_bytes(data, len) != r->in_files[i].hash)) {
                st = bmx__fail(err, BMX_E_STATE, "%s: changed while the run read it", src);
            }
            if (st == BMX_OK) {
                st = bmx__outfile_write(r->img_fd, r->img_dir, info->file_name, data, len, false, err);
            }
            if (st == BMX_OK) {
                st = journal_wrote(r, "original", i, data, len, err);
            }
        }
        if (st == BMX_OK) {
            char idl[128], bm[200], newid[32];
            id_literal(info, idl, sizeof idl);
            snprintf(newid, sizeof newid, "%zu", i + 1);
            snprintf(bm, sizeof bm, "{\"op\":\"original\",\"index\":%zu,\"original_image_id\":%s}", i,
                     idl);
            bmx__buf_puts(images, (*n_images)++ ? ",\n" : "\n");
            bmx__coco_put_image(images, info, newid, info->file_name, info->width, info->height,
                                true, bm);
            const struct bmx_object *objs = ds->objects + ds->img_first[i];
            for (size_t q = 0; q < ds->img_count[i]; q++) {
                char abm[160];
                snprintf(abm, sizeof abm,
                         "{\"from\":\"original\",\"source_annotation_id\":%" PRId64 "}", objs[q].id);
                size_t aid = ++*n_anns;
                bmx__buf_puts(anns, aid > 1 ? ",\n" : "\n");
                bmx__coco_put_annotation(anns, &objs[q], (int64_t)aid, newid, abm);
            }
            sum->originals++;
        }
    next:
        free(data);
        free(src);
    }
    return st;
}

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

/* Read output j's records back from the spill file into `tmp`. */
static const char *spilled(struct doc_parts *d, uint64_t j, bool anns, size_t *len)
{
    const struct out_rec *rec = &d->r->recs[j];
    size_t n = anns ? rec->anns_len : rec->image_len;
    uint64_t off = rec->off + (anns ? rec->image_len : 0);
    if (n + 1 > d->tmp.cap) {
        char *p = realloc(d->tmp.data, n + 1);
        if (p == NULL) {
            return NULL;
        }
        d->tmp.data = p;
        d->tmp.cap = n + 1;
    }
    if (!pread_all(d->r->spill, d->tmp.data, n, off)) {
        d->io_errno = errno != 0 ? errno : EIO;
        return NULL;
    }
    d->tmp.data[n] = '\0';
    *len = n;
    return d->tmp.data;
}

static void put_parts_images(struct bmx__buf *b, void *ctx)
{
    struct doc_parts *d = ctx;
    size_t n = d->n_images;
    bmx__buf_put(b, d->images->data ? d->images->data : "", d->images->len);
    bmx__buf_free(d->images);
    for (uint64_t j = 0; j < d->r->n_local; j++) {
        size_t len;
        const char *text = spilled(d, j, false, &len);
        if (text == NULL) {
            b->failed = true;
            return;
        }
        bmx__buf_puts(b, n++ ? ",\n" : "\n");
        bmx__buf_put(b, text, len);
    }
}

static void put_parts_anns(struct bmx__buf *b, void *ctx)
{
    struct doc_parts *d = ctx;
    size_t aid = d->n_anns;
    bmx__buf_put(b, d->anns->data ? d->anns->data : "", d->anns->len);
    bmx__buf_free(d->anns);
    for (uint64_t j = 0; j < d->r->n_local; j++) {
        size_t len;
        const char *p = spilled(d, j, true, &len);
        if (p == NULL) {
            b->failed = true;
            return;
        }
        for (size_t q = 0; q < d->r->recs[j].n_anns; q++) {
            /* Each record starts with {"id":0 and ends with a newline. */
            const char *nl = strchr(p, '\n');
            aid++;
            bmx__buf_puts(b, aid > 1 ? ",\n{\"id\":" : "\n{\"id\":");
            bmx__buf_int(b, (int64_t)aid);
            bmx__buf_put(b, p + 7, (size_t)(nl - p - 7));
            p = nl + 1;
        }
    }
}

/* ---- before the run: names, images, journal ---- */

/* With originals copied beside the outputs, no two files may share a name. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bmx_status check_original_names(const bmx_dataset *ds, const char *input_name,
                                       enum bmx_format format, bmx_error *err)
{
    (void)format;
    const char **names = bmx__alloc_array(ds->n_images, sizeof *names);
    if (names == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    bmx_status st = BMX_OK;
    for (size_t i = 0; i < ds->n_images; i++) {
        names[i] = ds->images[i].file_name;
        if (strncmp(names[i], "cutmix_", 7) == 0) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: images[%zu].file_name: \"%s\" could collide with the names of boxmix's outputs (cutmix_*)",
                           input_name, i, names[i]);
            goto done;
        }
    }
    qsort(names, ds->n_images, sizeof *names, cmp_str);
    for (size_t i = 1; i < ds->n_images; i++) {
        if (strcmp(names[i], names[i - 1]) == 0) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: images: two images have the file_name \"%s\": their copies would collide",
                           input_name, names[i]);
            goto done;
        }
    }
done:
    free(names);
    return st;
}

/* The largest side a JPEG can record. */
#define JPEG_MAX_SIDE 65535

/* Check one input image: readable, decodable (header, or fully with skip_bad), of
 * its recorded size, and one the output format can hold; record its size,
 * modification time and content hash for the journal. The whole file is read:
 * the hash needs it, and the decode that follows finds it in the page cache. */
static bmx_status check_input(struct run *r, size_t i, bmx_error *err)
{
    const struct bmx_image_info *info = &r->ds->images[i];
    char *path = bmx__path_join(r->images_root, info->file_name);
    char *data = NULL;
    size_t len = 0;
    int32_t w = 0, h = 0;
    struct bmx__jfile *jf = &r->in_files[i];
    *jf = (struct bmx__jfile){.index = i, .missing = true};
    if (path == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    bmx_status st = bmx__read_file(path, &data, &len, err);
    struct stat sb;
    if (st == BMX_OK && stat(path, &sb) == 0) {
        *jf = (struct bmx__jfile){i, len, bmx__hash_bytes(data, len), (int64_t)sb.st_mtim.tv_sec,
                                  (int64_t)sb.st_mtim.tv_nsec, false};
    }
    if (st == BMX_OK) {
        if (r->opts->skip_bad) {
            struct bmx_image img = {0};
            st = bmx_image_decode((const uint8_t *)data, len, &r->opts->limits, &img, err);
            w = img.w;
            h = img.h;
            bmx_image_free(&img);
        } else {
            st = bmx_image_probe((const uint8_t *)data, len, &w, &h, err);
            if (st == BMX_OK && (uint64_t)w * (uint64_t)h > r->opts->limits.max_image_pixels) {
                st = bmx__fail(err, BMX_E_LIMIT, "%dx%d is more than the limit of %" PRIu64 " pixels",
                               (int)w, (int)h, r->opts->limits.max_image_pixels);
            }
        }
        if (st != BMX_OK) {
            bmx__prefix(err, st, "%s", path);
        }
    }
    if (st == BMX_OK && (w != info->width || h != info->height)) {
        st = bmx__fail(err, BMX_E_SCHEMA, "%s: image is %dx%d, images[%zu] says %dx%d", path,
                       (int)w, (int)h, i, (int)info->width, (int)info->height);
    }
    /* Every input is the base of outputs of its own size. */
    if (st == BMX_OK && r->opts->format == BMX_FORMAT_JPEG &&
        (w > JPEG_MAX_SIDE || h > JPEG_MAX_SIDE)) {
        st = bmx__fail(err, BMX_E_LIMIT,
                       "%s: %dx%d: a JPEG output cannot be larger than %d pixels a side "
                       "(--format png can hold it)",
                       path, (int)w, (int)h, JPEG_MAX_SIDE);
    }
    free(data);
    free(path);
    return st;
}

struct precheck {
    struct run *r;
    size_t next;
    pthread_mutex_t lock;
    bmx_status *status;
    bmx_error *errs;
};

static void *precheck_worker(void *arg)
{
    struct precheck *pc = arg;
    for (;;) {
        pthread_mutex_lock(&pc->lock);
        size_t i = pc->next++;
        pthread_mutex_unlock(&pc->lock);
        if (i >= pc->r->ds->n_images) {
            return NULL;
        }
        pc->status[i] = check_input(pc->r, i, &pc->errs[i]);
    }
}

static unsigned thread_count(const struct bmx_job_options *opts);

static bmx_status precheck_images(struct run *r, struct bmx_job_summary *sum, bmx_error *err)
{
    size_t n = r->ds->n_images;
    struct precheck pc = {r, 0, PTHREAD_MUTEX_INITIALIZER, NULL, NULL};
    pc.status = calloc(n, sizeof *pc.status);
    pc.errs = calloc(n, sizeof *pc.errs);
    unsigned nt = thread_count(r->opts);
    pthread_t *threads = calloc(nt, sizeof *threads);
    bmx_status st = BMX_OK;
    if (pc.status == NULL || pc.errs == NULL || threads == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    unsigned started = 0;
    for (; nt > 1 && started < nt; started++) {
        if (pthread_create(&threads[started], NULL, precheck_worker, &pc) != 0) {
            break;
        }
    }
    if (started == 0) {
        precheck_worker(&pc);
    }
    for (unsigned t = 0; t < started; t++) {
        pthread_join(threads[t], NULL);
    }
    size_t n_bad = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        if (pc.status[i] != BMX_OK) {
            if (n_bad++ == 0) {
                first = i;
            }
        }
    }
    if (n_bad > 0 && !r->opts->skip_bad) {
        if (n_bad == 1) {
            st = bmx__fail(err, pc.status[first], "%s; nothing was written (--skip-bad leaves bad images out)",
                           pc.errs[first].message);
        } else {
            st = bmx__fail(err, pc.status[first],
                           "%s; and %zu more bad images; nothing was written (--skip-bad leaves them out)",
                           pc.errs[first].message, n_bad - 1);
        }
        goto done;
    }
    if (n_bad > 0) {
        r->bad_msgs = calloc(n_bad, sizeof *r->bad_msgs);
        r->bad_idx = calloc(n_bad, sizeof *r->bad_idx);
        if (r->bad_msgs == NULL || r->bad_idx == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            if (pc.status[i] != BMX_OK) {
                r->bad[i] = true;
                r->bad_idx[r->n_bad_msgs] = i;
                r->bad_msgs[r->n_bad_msgs] = strdup(pc.errs[i].message);
                if (r->bad_msgs[r->n_bad_msgs] == NULL) {
                    st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
                    goto done;
                }
                r->n_bad_msgs++;
            }
        }
        sum->skipped_images = n_bad;
    }
done:
    free(threads);
    free(pc.status);
    free(pc.errs);
    return st;
}

/* The identity of the run: everything its outputs depend on, as one line of JSON.
 * A resumed run must have the same line; shards of one run differ only in their
 * shard line. Inputs are named by content (not path or time), so that shards made
 * on other machines from copies of the inputs still belong together. */
static char *run_identity(const struct run *r, uint64_t dataset_hash)
{
    const struct bmx_job_options *o = r->opts;
    const struct bmx_cutmix_options *c = &o->cutmix;
    struct bmx__hash ih;
    bmx__hash_init(&ih);
    for (size_t i = 0; r->in_files != NULL && i < r->ds->n_images; i++) {
        const struct bmx__jfile *f = &r->in_files[i];
        uint64_t v[3] = {f->missing, f->size, f->hash};
        bmx__hash_update(&ih, v, sizeof v);
    }
    struct bmx__buf b = {0};
    bmx__buf_puts(&b, "{\"tool\":\"boxmix-augment\",\"version\":");
    bmx__buf_string(&b, BMX_VERSION_STRING);
    bmx__buf_printf(&b,
                    ",\"dataset\":\"%016" PRIx64 "\",\"images\":\"%016" PRIx64 "\",\"n_images\":%zu"
                    ",\"count\":%" PRIu64 ",\"seed\":%" PRIu64 ",\"dry_run\":%s",
                    dataset_hash, r->in_files != NULL ? bmx__hash_final(&ih) : 0, r->ds->n_images,
                    r->count, o->seed, o->dry_run ? "true" : "false");
    bmx__buf_puts(&b, ",\"alpha\":");
    bmx__buf_number(&b, c->alpha);
    bmx__buf_printf(&b, ",\"patch_mode\":%d,\"cut_ratio\":[", (int)c->mode);
    bmx__buf_number(&b, c->ratio_lo);
    bmx__buf_puts(&b, ",");
    bmx__buf_number(&b, c->ratio_hi);
    bmx__buf_printf(&b, "],\"placement\":%d,\"tries\":%d,\"min_visibility\":", (int)c->placement,
                    (int)c->tries);
    bmx__buf_number(&b, c->min_visibility);
    bmx__buf_puts(&b, ",\"min_area\":");
    bmx__buf_number(&b, c->min_area);
    bmx__buf_puts(&b, ",\"min_size\":");
    bmx__buf_number(&b, c->min_size);
    bmx__buf_printf(&b,
                    ",\"mask_format\":%d,\"format\":\"%s\",\"quality\":%d,\"include_originals\":%s"
                    ",\"out_format\":\"%s\",\"skip_bad\":%s,\"max_pixels\":%" PRIu64 "}",
                    (int)c->mask_format, o->format == BMX_FORMAT_PNG ? "png" : "jpg", o->quality,
                    o->include_originals ? "true" : "false",
                    o->out_format == BMX_DATASET_VOC ? "voc" : "coco", o->skip_bad ? "true" : "false",
                    o->limits.max_image_pixels);
    if (b.failed) {
        bmx__buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* A COCO input is named by its file's bytes; a VOC input by the annotations read. */
static bmx_status dataset_hash(const struct run *r, uint64_t *out, bmx_error *err)
{
    if (r->opts->annotations != NULL) {
        *out = r->jr.dataset.hash;
        return BMX_OK;
    }
    struct bmx__hash h;
    bmx__hash_init(&h);
    struct bmx__buf b = {.to_fd = true, .fd = -1, .hash = &h};
    /* The COCO text of what was read: the same for the same annotations. */
    bmx__coco_put_dataset(&b, r->ds);
    bool ok = bmx__buf_flush(&b);
    bmx__buf_free(&b);
    if (!ok) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    *out = bmx__hash_final(&h);
    return BMX_OK;
}

/* Whether the file at `rel` in the image folder has `size` bytes hashing to `hash`. */
static bool file_matches(const struct run *r, const char *rel, uint64_t size, uint64_t hash)
{
    char *data = NULL;
    size_t len = 0;
    bool ok = bmx__read_at(r->img_fd, r->img_dir, rel, &data, &len, NULL) == BMX_OK && len == size &&
              bmx__hash_bytes(data, len) == hash;
    free(data);
    return ok;
}

static bool same_jfile(const struct bmx__jfile *a, const struct bmx__jfile *b)
{
    return a->missing == b->missing &&
           (a->missing || (a->size == b->size && a->hash == b->hash && a->mtime_s == b->mtime_s &&
                           a->mtime_ns == b->mtime_ns));
}

/* --resume: the interrupted run must be this one, reading the same inputs. */
static bmx_status check_same_run(const struct run *r, const struct bmx__journal *old,
                                 bmx_error *err)
{
    const struct bmx_job_options *o = r->opts;
    const char *why = NULL;
    char what[600] = "";
    if (old->has_dataset != r->jr.has_dataset ||
        (old->has_dataset && !same_jfile(&old->dataset, &r->jr.dataset))) {
        snprintf(what, sizeof what, "%s", r->input_name);
        why = "has changed since the interrupted run (size, modification time or content)";
    }
    for (size_t i = 0; why == NULL && r->in_files != NULL && i < r->ds->n_images; i++) {
        if (i >= old->inputs.n || !same_jfile(&old->inputs.v[i], &r->in_files[i])) {
            snprintf(what, sizeof what, "%s/%s", r->images_root, r->ds->images[i].file_name);
            why = "has changed since the interrupted run (size, modification time or content)";
        }
    }
    if (why == NULL && (old->run == NULL || strcmp(old->run, r->jr.run) != 0 ||
                        old->shard_index != r->jr.shard_index ||
                        old->shard_count != r->jr.shard_count || old->inputs.n != r->jr.inputs.n)) {
        snprintf(what, sizeof what, "%s", o->out);
        why = "was written by a run with other inputs or options";
    }
    if (why != NULL) {
        return bmx__fail(err, BMX_E_STATE,
                         "%s: --resume: %s %s; a resumed run must read the same inputs with the "
                         "same options: run it so, or start over with --force",
                         o->out, what, why);
    }
    return BMX_OK;
}

/* Start the journal; with --resume, keep the outputs the interrupted run finished
 * whose files still match it. */
static bmx_status journal_open(struct run *r, struct bmx_job_summary *sum, bmx_error *err)
{
    const struct bmx_job_options *o = r->opts;
    if (o->resume) {
        struct bmx__journal old;
        bool exists = false;
        bmx_status st = bmx__journal_read(r->od.fd, o->out, &old, &exists, err);
        if (st != BMX_OK) {
            return st;
        }
        if (exists) {
            st = check_same_run(r, &old, err);
            for (size_t q = 0; st == BMX_OK && q < old.outputs.n; q++) {
                const struct bmx__jfile *f = &old.outputs.v[q];
                uint64_t first = o->shard_count > 1 ? o->shard_index : 0;
                if (f->index < first || (f->index - first) % r->shard_n != 0) {
                    continue;
                }
                uint64_t j = (f->index - first) / r->shard_n;
                if (j >= r->n_local || r->done[j]) {
                    continue;
                }
                char fname[64];
                snprintf(fname, sizeof fname, "cutmix_%06" PRIu64 ".%s", f->index,
                         o->format == BMX_FORMAT_PNG ? "png" : "jpg");
                if (file_matches(r, fname, f->size, f->hash)) {
                    r->done[j] = true;
                    sum->resumed++;
                    if (!bmx__jlist_push(&r->jr.outputs, f)) {
                        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
                    }
                }
            }
            bmx__journal_free(&old);
            if (st != BMX_OK) {
                return st;
            }
        }
    }
    return bmx__journal_begin(r->od.fd, o->out, &r->jr, &r->journal, err);
}

static bmx_status write_report(const struct run *r, const struct bmx_job_summary *sum,
                               bmx_error *err)
{
    struct bmx__buf b = {0};
    bmx__buf_puts(&b, "{\"tool\":\"boxmix-augment\",\"version\":");
    bmx__buf_string(&b, BMX_VERSION_STRING);
    bmx__buf_puts(&b, ",\"input\":");
    bmx__buf_string(&b, r->input_name);
    bmx__buf_puts(&b, ",\"out\":");
    bmx__buf_string(&b, r->opts->out);
    bmx__buf_printf(&b,
                    ",\"seed\":%" PRIu64 ",\"samples\":%" PRIu64 ",\"originals\":%" PRIu64
                    ",\"resumed\":%" PRIu64 ",\"dry_run\":%s",
                    r->opts->seed, sum->samples, sum->originals, sum->resumed,
                    r->opts->dry_run ? "true" : "false");
    if (r->opts->shard_count > 1) {
        bmx__buf_printf(&b, ",\"shard\":{\"index\":%" PRIu64 ",\"count\":%" PRIu64 "}",
                        r->opts->shard_index, r->opts->shard_count);
    }
    char kp[96] = "";
    if (sum->with_keypoints > 0) {
        snprintf(kp, sizeof kp, ",\"with_keypoints\":%" PRIu64 ",\"keypoints_hidden\":%" PRIu64,
                 sum->with_keypoints, sum->keypoints_hidden);
    }
    bmx__buf_printf(&b,
                    ",\"objects\":{\"kept_whole\":%" PRIu64 ",\"clipped\":%" PRIu64
                    ",\"dropped\":%" PRIu64 ",\"masked\":%" PRIu64 ",\"holes_filled\":%" PRIu64
                    "%s},\"skipped_images\":[",
                    sum->kept_whole, sum->clipped, sum->dropped, sum->masked, sum->holes_filled, kp);
    for (size_t q = 0; q < r->n_bad_msgs; q++) {
        const struct bmx_image_info *info = &r->ds->images[r->bad_idx[q]];
        bmx__buf_puts(&b, q ? ",{\"image_id\":" : "{\"image_id\":");
        bmx__coco_put_image_id(&b, info);
        bmx__buf_puts(&b, ",\"file_name\":");
        bmx__buf_string(&b, info->file_name);
        bmx__buf_puts(&b, ",\"reason\":");
        bmx__buf_string(&b, r->bad_msgs[q]);
        bmx__buf_puts(&b, "}");
    }
    bmx__buf_puts(&b, "]}\n");
    bmx_status st;
    if (b.failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
    } else {
        st = bmx__write_file_atomic(r->opts->report, b.data, b.len, true, err);
    }
    bmx__buf_free(&b);
    return st;
}

/* Every path the run writes, checked against its inputs before anything is. */
static bmx_status guard_paths(const struct bmx_job_options *opts, const char *images_root,
                              bmx_error *err)
{
    struct bmx__guard g = {0};
    const bool to_voc = opts->out_format == BMX_DATASET_VOC;
    char *p[5] = {
        bmx__path_join(opts->out, to_voc ? "Annotations" : "annotations.json"),
        bmx__path_join(opts->out, to_voc ? "JPEGImages" : "images"),
        bmx__path_join(opts->out, to_voc ? "ImageSets" : BMX__JOURNAL_NAME),
        bmx__path_join(opts->out, to_voc ? BMX__JOURNAL_NAME : ".boxmix-lock"),
        bmx__path_join(opts->out, ".boxmix-lock"),
    };
    bmx_status st = BMX_OK;
    for (size_t i = 0; i < 5; i++) {
        if (p[i] == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        }
    }
    if (st == BMX_OK) {
        st = bmx__guard_input_files(&g, opts->annotations, opts->voc, opts->labels, images_root, err);
    }
    if (st == BMX_OK) {
        st = bmx__guard_output(&g, p[0], to_voc, to_voc ? "the output's Annotations folder"
                                                        : "the output annotation file", err);
    }
    if (st == BMX_OK) {
        st = bmx__guard_output(&g, p[1], true, "the output image folder", err);
    }
    if (st == BMX_OK) {
        st = bmx__guard_output(&g, p[2], to_voc, to_voc ? "the output's ImageSets folder"
                                                        : "the output's journal", err);
    }
    if (st == BMX_OK) {
        st = bmx__guard_output(&g, p[3], false, to_voc ? "the output's journal" : "the output's lock file", err);
    }
    if (st == BMX_OK && to_voc) {
        st = bmx__guard_output(&g, p[4], false, "the output's lock file", err);
    }
    if (st == BMX_OK) {
        st = bmx__guard_output(&g, opts->report, false, "the report", err);
    }
    for (size_t i = 0; i < 5; i++) {
        free(p[i]);
    }
    bmx__guard_free(&g);
    return st;
}

/* Whether the output folder already holds a dataset or an unfinished run, read
 * under its lock. */
static bmx_status check_out_state(const struct run *r, bmx_error *err)
{
    const struct bmx_job_options *opts = r->opts;
    const bool to_voc = opts->out_format == BMX_DATASET_VOC;
    if (opts->force || opts->resume) {
        return BMX_OK;
    }
    struct bmx__journal j;
    bool exists = false;
    bmx_status st = bmx__journal_read(r->od.fd, opts->out, &j, &exists, NULL);
    bool unfinished = st == BMX_OK && exists && !j.done;
    if (st == BMX_OK) {
        bmx__journal_free(&j);
    }
    if (unfinished) {
        return bmx__fail(err, BMX_E_STATE,
                         "%s: holds an interrupted run: finish it with --resume (same options) or "
                         "start over with --force",
                         opts->out);
    }
    struct stat sb;
    /* A symlink there holds no dataset: the write refuses it, saying so. */
    if (fstatat(r->od.fd, to_voc ? "Annotations" : "annotations.json", &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
        !S_ISLNK(sb.st_mode)) {
        return bmx__fail(err, BMX_E_STATE,
                         "%s: already holds a dataset (%s); choose another folder or use --force",
                         opts->out, to_voc ? "Annotations/" : "annotations.json");
    }
    return BMX_OK;
}

/* The records' spill file, unlinked at once: it disappears with the process. */
static bmx_status open_spill(struct run *r, bmx_error *err)
{
    char name[64];
    snprintf(name, sizeof name, ".boxmix-records-%ld", (long)getpid());
    r->spill = openat(r->od.fd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (r->spill < 0) {
        return bmx__fail(err, BMX_E_IO, "%s/%s: cannot create: %s", r->opts->out, name,
                         strerror(errno));
    }
    unlinkat(r->od.fd, name, 0);
    return BMX_OK;
}

static void put_parts(struct bmx__buf *b, void *ctx)
{
    struct doc_parts *d = ctx;
    bmx__coco_put_document(b, d->r->ds, put_parts_images, put_parts_anns, d);
    if (b->failed && b->io_errno == 0) {
        b->io_errno = d->io_errno;
    }
}

/* The annotation file (or the VOC files), last: a folder holding it holds a whole
 * dataset. */
static bmx_status write_annotations(struct run *r, bmx_dataset **out_ds, struct bmx__buf *images,
                                    struct bmx__buf *anns, size_t n_images, size_t n_anns,
                                    bmx_error *err)
{
    const struct bmx_job_options *opts = r->opts;
    struct doc_parts parts = {r, images, anns, n_images, n_anns, {0}, 0};
    struct bmx__buf doc = {0};
    bmx_status st = BMX_OK;
    if (opts->out_format == BMX_DATASET_VOC) {
        /* The VOC files are written from the same records as the COCO file. */
        bmx__coco_put_document(&doc, r->ds, put_parts_images, put_parts_anns, &parts);
        if (doc.failed) {
            st = bmx__fail(err, parts.io_errno ? BMX_E_IO : BMX_E_NOMEM,
                           "%s: cannot assemble the annotations: %s", opts->out,
                           parts.io_errno ? strerror(parts.io_errno) : "out of memory");
        }
        if (st == BMX_OK) {
            st = bmx_dataset_read_coco_buffer(doc.data, doc.len, "(output)", out_ds, err);
        }
        if (st == BMX_OK) {
            st = bmx__voc_write_at(*out_ds, r->od.fd, opts->out, opts->cancel, err);
        }
    } else {
        /* Streamed to a temporary file, hashed for the journal, synced and renamed. */
        st = bmx__stream_document(r->od.fd, opts->out, "annotations.json", put_parts, &parts,
                                  opts->cancel, &r->jr.done_size, &r->jr.done_hash, err);
        r->jr.done_has_hash = true;
    }
    bmx__buf_free(&parts.tmp);
    bmx__buf_free(&doc);
    return st;
}

bmx_status bmx_job_run(const struct bmx_job_options *opts, struct bmx_job_summary *summary,
                       bmx_error *err)
{
    bmx_status st;
    bmx_dataset *ds = NULL, *out_ds = NULL;
    char *voc_images = NULL, *img_dir = NULL;
    struct run r;
    struct bmx__buf images = {0}, anns = {0};
    size_t n_images = 0, n_anns = 0;
    struct bmx_job_summary sum = {0};
    bool lock_init = false;

    memset(&r, 0, sizeof r);
    r.journal = -1;
    r.spill = -1;
    r.img_fd = -1;
    r.od.fd = r.od.lock_fd = -1;
    if ((opts->annotations == NULL) == (opts->voc == NULL) || opts->out == NULL ||
        (opts->annotations != NULL && opts->images == NULL)) {
        return bmx__fail(err, BMX_E_INVALID,
                         "one of annotations (with images) or voc, and out, are required");
    }
    st = bmx_cutmix_options_check(&opts->cutmix, err);
    if (st != BMX_OK) {
        return st;
    }
    if (opts->format == BMX_FORMAT_JPEG && (opts->quality < 1 || opts->quality > 100)) {
        return bmx__fail(err, BMX_E_INVALID, "quality: must be 1..100, got %d", opts->quality);
    }
    if (opts->shard_count > 1 && opts->shard_index >= opts->shard_count) {
        return bmx__fail(err, BMX_E_INVALID, "shard: index %" PRIu64 " is not below the count %" PRIu64,
                         opts->shard_index, opts->shard_count);
    }
    const char *input_name = opts->annotations != NULL ? opts->annotations : opts->voc;
    if (opts->voc != NULL) {
        voc_images = bmx__voc_images_root(opts->voc, opts->images);
        if (voc_images == NULL) {
            return bmx__fail(err, BMX_E_NOMEM, "out of memory");
        }
    }
    const char *images_root = voc_images != NULL ? voc_images : opts->images;
    pthread_mutex_init(&r.lock, NULL);
    lock_init = true;
    st = guard_paths(opts, images_root, err);
    if (st != BMX_OK) {
        goto done;
    }
    st = bmx__read_input(opts->annotations, opts->voc, opts->voc_split, opts->labels, images_root,
                         &opts->limits, &ds, err);
    if (st != BMX_OK) {
        goto done;
    }
    for (size_t i = 0; i < ds->n_images; i++) {
        if (bmx__name_escapes(ds->images[i].file_name)) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: images[%zu].file_name: \"%s\" escapes the image folder (absolute or '..')",
                           input_name, i, ds->images[i].file_name);
            goto done;
        }
    }
    if (ds->n_images == 0) {
        st = bmx__fail(err, BMX_E_SCHEMA, "%s: images: the dataset has no image to augment",
                       input_name);
        goto done;
    }
    r.input_name = input_name;
    r.opts = opts;
    r.images_root = images_root;
    r.ds = ds;
    r.bad = calloc(ds->n_images, sizeof *r.bad);
    r.inputs = calloc(ds->n_images, sizeof *r.inputs);
    if (r.bad == NULL || r.inputs == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    const bool to_voc = opts->out_format == BMX_DATASET_VOC;
    if (opts->include_originals) {
        st = check_original_names(ds, input_name, opts->format, err);
        if (st == BMX_OK && to_voc) {
            /* Two originals whose XML would share a name, found before any write. */
            char **stems = NULL;
            st = bmx__voc_stems(ds, &stems, err);
            bmx__voc_free_stems(stems, stems != NULL ? ds->n_images : 0);
        }
        if (st != BMX_OK) {
            goto done;
        }
    }
    if (opts->annotations != NULL) {
        r.jr.has_dataset = true;
        st = bmx__jfile_of(opts->annotations, &r.jr.dataset, err);
        if (st != BMX_OK) {
            goto done;
        }
    }
    /* Every input image is checked before anything is written. */
    if (!opts->dry_run) {
        r.in_files = calloc(ds->n_images, sizeof *r.in_files);
        if (r.in_files == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        st = precheck_images(&r, &sum, err);
        if (st != BMX_OK) {
            goto done;
        }
    }
    for (size_t i = 0; i < ds->n_images; i++) {
        if (!r.bad[i]) {
            r.inputs[r.n_in++] = i;
        }
    }
    if (r.n_in == 0) {
        st = bmx__fail(err, BMX_E_SCHEMA, "%s: no readable input image is left", input_name);
        goto done;
    }
    r.count = opts->count;
    if (r.count == 0) {
        if (opts->per_image > UINT64_MAX / r.n_in) {
            st = bmx__fail(err, BMX_E_OVERFLOW, "per-image: too many outputs");
            goto done;
        }
        r.count = opts->per_image * r.n_in;
    }
    r.shard_n = opts->shard_count > 1 ? opts->shard_count : 1;
    {
        uint64_t first = opts->shard_count > 1 ? opts->shard_index : 0;
        r.n_local = r.count > first ? (r.count - first + r.shard_n - 1) / r.shard_n : 0;
    }
    r.id_offset = opts->include_originals ? ds->n_images : 0;
    if (r.n_local > SIZE_MAX / sizeof *r.recs) {
        st = bmx__fail(err, BMX_E_OVERFLOW, "too many outputs");
        goto done;
    }
    r.recs = calloc(r.n_local ? (size_t)r.n_local : 1, sizeof *r.recs);
    r.done = calloc(r.n_local ? (size_t)r.n_local : 1, sizeof *r.done);
    img_dir = bmx__path_join(opts->out, to_voc ? "JPEGImages" : "images");
    if (r.recs == NULL || r.done == NULL || img_dir == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    r.img_dir = img_dir;
    /* The run's identity and the inputs it read: what the journal starts with. */
    {
        uint64_t dh = 0;
        st = dataset_hash(&r, &dh, err);
        if (st != BMX_OK) {
            goto done;
        }
        r.jr.run = run_identity(&r, dh);
        r.jr.shard_index = opts->shard_count > 1 ? opts->shard_index : 0;
        r.jr.shard_count = r.shard_n;
        for (size_t i = 0; r.in_files != NULL && i < ds->n_images && r.jr.run != NULL; i++) {
            if (!bmx__jlist_push(&r.jr.inputs, &r.in_files[i])) {
                st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
                goto done;
            }
        }
        if (r.jr.run == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
    }
    st = bmx__outdir_open(&r.od, opts->out, err);
    if (st != BMX_OK) {
        goto done;
    }
    st = check_out_state(&r, err);
    if (st != BMX_OK) {
        goto done;
    }
    {
        /* We hold the lock: every temporary in the folder is a dead run's. */
        const char *skip[2] = {images_root, opts->voc};
        bmx__outdir_remove_temps(&r.od, skip, 2);
    }
    /* Every folder the output needs, made (never through a symlink) before any file. */
    for (size_t i = 0; to_voc && i < 2 && st == BMX_OK; i++) {
        int fd = -1;
        st = bmx__dir_open(r.od.fd, opts->out, i == 0 ? "Annotations" : "ImageSets/Main", true, &fd,
                           err);
        if (fd >= 0) {
            close(fd);
        }
    }
    if (st != BMX_OK) {
        goto done;
    }
    if (!opts->dry_run) {
        st = bmx__dir_open(r.od.fd, opts->out, to_voc ? "JPEGImages" : "images", true, &r.img_fd, err);
        if (st == BMX_OK) {
            st = journal_open(&r, &sum, err);
        }
        if (st != BMX_OK) {
            goto done;
        }
    }
    st = bmx__pairing_init(&r.pairing, r.n_in, opts->seed, err);
    if (st != BMX_OK) {
        goto done;
    }
    if (opts->include_originals) {
        st = write_originals(&r, &images, &anns, &n_images, &n_anns, &sum, err);
        if (st != BMX_OK) {
            goto done;
        }
    }
    st = open_spill(&r, err);
    if (st != BMX_OK) {
        goto done;
    }
    st = make_outputs(&r, err);
    if (st == BMX_E_INTERRUPTED) {
        uint64_t made = 0;
        for (uint64_t j = 0; j < r.n_local; j++) {
            made += r.recs[j].made || r.done[j];
        }
        if (opts->dry_run) {
            st = bmx__fail(err, BMX_E_INTERRUPTED,
                           "%s: interrupted: nothing was written (a dry run keeps nothing to resume)",
                           opts->out);
        } else {
            st = bmx__fail(err, BMX_E_INTERRUPTED,
                           "%s: interrupted: %" PRIu64 " of %" PRIu64
                           " outputs are complete; run the same command with --resume to finish",
                           opts->out, made, r.n_local);
        }
        goto done;
    }
    if (st != BMX_OK) {
        goto done;
    }
    for (uint64_t j = 0; j < r.n_local; j++) {
        sum.kept_whole += r.recs[j].stats.kept_whole;
        sum.clipped += r.recs[j].stats.clipped;
        sum.dropped += r.recs[j].stats.dropped;
        sum.masked += r.recs[j].stats.masked;
        sum.holes_filled += r.recs[j].stats.holes_filled;
        sum.with_keypoints += r.recs[j].stats.with_keypoints;
        sum.keypoints_hidden += r.recs[j].stats.keypoints_hidden;
    }
    sum.samples = r.n_local;
    if (images.failed || anns.failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory while writing the annotation file");
        goto done;
    }
    st = write_annotations(&r, &out_ds, &images, &anns, n_images, n_anns, err);
    if (st == BMX_E_INTERRUPTED) {
        st = bmx__fail(err, BMX_E_INTERRUPTED,
                       "%s: interrupted while writing the annotations; %s", opts->out,
                       opts->dry_run ? "nothing was written (a dry run keeps nothing to resume)"
                                     : "the images are complete: run the same command with --resume to finish");
        goto done;
    }
    if (st == BMX_OK && opts->report != NULL) {
        st = write_report(&r, &sum, err);
    }
    if (st == BMX_OK) {
        /* The dataset is whole: the journal says so, and what it holds. */
        if (r.journal >= 0) {
            close(r.journal);
            r.journal = -1;
        }
        st = bmx__journal_finish(r.od.fd, opts->out, &r.jr, err);
    }
done:
    if (summary != NULL) {
        *summary = sum;
    }
    if (r.journal >= 0) {
        close(r.journal);
    }
    if (r.spill >= 0) {
        close(r.spill);
    }
    if (r.img_fd >= 0) {
        close(r.img_fd);
    }
    bmx__outdir_close(&r.od);
    if (lock_init) {
        pthread_mutex_destroy(&r.lock);
    }
    if (r.recs != NULL) {
        for (uint64_t j = 0; j < r.n_local; j++) {
            bmx__buf_free(&r.recs[j].image);
            bmx__buf_free(&r.recs[j].anns);
        }
        free(r.recs);
    }
    bmx__journal_free(&r.jr);
    free(r.in_files);
    free(r.done);
    free(r.bad);
    free(r.inputs);
    for (size_t q = 0; q < r.n_bad_msgs; q++) {
        free(r.bad_msgs[q]);
    }
    free(r.bad_msgs);
    free(r.bad_idx);
    bmx__buf_free(&images);
    bmx__buf_free(&anns);
    bmx__pairing_free(&r.pairing);
    free(img_dir);
    bmx_dataset_free(ds);
    bmx_dataset_free(out_ds);
    free(voc_images);
    return st;
}
