/* The offline augment job: pairing, decoding, CutMix, writing a whole dataset.
 *
 * Output k is a pure function of (dataset, options, seed, k): its generator is
 * seeded from (seed, k), its base is input k mod N and its source is drawn from
 * the base's block of a seed-shuffled order. */
#include "dataset.h"
#include "voc.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK_SIZE 64

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

/* ---- paths ---- */

static char *path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 2);
    if (p != NULL) {
        memcpy(p, a, la);
        size_t o = la;
        if (la > 0 && a[la - 1] != '/') {
            p[o++] = '/';
        }
        memcpy(p + o, b, lb + 1);
    }
    return p;
}

/* A file_name must stay inside its image root: relative, no ".." component. */
static bool name_escapes(const char *name)
{
    if (name[0] == '/' || name[0] == '\0') {
        return true;
    }
    const char *p = name;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            return true;
        }
        if (slash == NULL) {
            break;
        }
        p = slash + 1;
    }
    return false;
}

static bmx_status mkdir_p(const char *path, bmx_error *err)
{
    char *tmp = strdup(path);
    if (tmp == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    bmx_status st = BMX_OK;
    for (char *p = tmp + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
                st = bmx__fail(err, BMX_E_IO, "%s: cannot create folder: %s", tmp, strerror(errno));
                break;
            }
            struct stat sb;
            if (lstat(tmp, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
                st = bmx__fail(err, BMX_E_IO, "%s: not a folder", tmp);
                break;
            }
            *p = c;
            if (c == '\0') {
                break;
            }
        }
    }
    free(tmp);
    return st;
}

static bool same_dir(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    if (realpath(a, ra) == NULL || realpath(b, rb) == NULL) {
        return false;
    }
    return strcmp(ra, rb) == 0;
}

/* ---- pairing ---- */

struct pairing {
    size_t n;
    size_t *order; /* shuffled inputs */
    size_t *pos;   /* position of input i in order */
    size_t n_blocks;
};

static bmx_status pairing_init(struct pairing *p, size_t n, uint64_t seed, bmx_error *err)
{
    p->n = n;
    p->order = bmx__alloc_array(n, sizeof *p->order);
    p->pos = bmx__alloc_array(n, sizeof *p->pos);
    if (p->order == NULL || p->pos == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu images", n);
    }
    for (size_t i = 0; i < n; i++) {
        p->order[i] = i;
    }
    bmx_rng rng;
    bmx_rng_seed(&rng, seed, UINT64_MAX);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)bmx_rng_below(&rng, i);
        size_t t = p->order[i - 1];
        p->order[i - 1] = p->order[j];
        p->order[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        p->pos[p->order[i]] = i;
    }
    /* Balanced blocks of BLOCK_SIZE to 2*BLOCK_SIZE-1 inputs: no tiny tail block
     * whose images could only pair with themselves. */
    p->n_blocks = n / BLOCK_SIZE;
    if (p->n_blocks == 0) {
        p->n_blocks = 1;
    }
    return BMX_OK;
}

static void pairing_free(struct pairing *p)
{
    free(p->order);
    free(p->pos);
}

/* Blocks split the order evenly: the first n % n_blocks blocks hold one more. */
static size_t block_start(const struct pairing *p, size_t b)
{
    size_t q = p->n / p->n_blocks, r = p->n % p->n_blocks;
    return b * q + (b < r ? b : r);
}

static size_t block_of(const struct pairing *p, size_t at)
{
    size_t q = p->n / p->n_blocks, r = p->n % p->n_blocks;
    if (at < r * (q + 1)) {
        return at / (q + 1);
    }
    return r + (at - r * (q + 1)) / q;
}

/* The source of output k, drawn from `rng` among the other inputs of the base's block. */
static size_t pick_source(const struct pairing *p, size_t base, bmx_rng *rng)
{
    size_t at = p->pos[base];
    size_t b = block_of(p, at);
    size_t lo = block_start(p, b), hi = block_start(p, b + 1);
    if (hi - lo < 2) {
        return base;
    }
    size_t j = lo + (size_t)bmx_rng_below(rng, hi - lo - 1);
    if (j >= at) {
        j++;
    }
    return p->order[j];
}

/* ---- the run ---- */

/* One output's records, serialized by the worker that made it. Annotations are
 * written with id 0 (renumbered when the file is assembled, in output order),
 * each on its own line. */
struct out_rec {
    struct bmx__buf image;
    struct bmx__buf anns;
    size_t n_anns;
    struct bmx_cutmix_stats stats;
};

/* A decoded input, shared by the outputs of its block. */
struct cache_entry {
    pthread_mutex_t lock;
    bool done;
    bmx_status status;
    bmx_error err;
    struct bmx_image image;
};

struct run {
    const struct bmx_job_options *opts;
    const bmx_dataset *ds;
    struct pairing pairing;
    const char *img_dir;
    const char *images_root;
    uint64_t count;      /* outputs of the whole run */
    uint64_t shard_n;    /* shard count (>= 1) */
    uint64_t n_local;    /* outputs of this shard */
    uint64_t id_offset;  /* image ids of outputs start after the originals */
    struct out_rec *recs; /* per local output */
    /* the block being made */
    struct cache_entry *cache; /* indexed by position in the shuffled order */
    const uint64_t *todo;      /* local output indices of the block */
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

static bmx_status load_image(const struct run *r, size_t i, struct bmx_image *out, bmx_error *err)
{
    const struct bmx_image_info *info = &r->ds->images[i];
    char *path = path_join(r->images_root, info->file_name);
    if (path == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    bmx_status st = bmx_image_read(path, &r->opts->limits, out, err);
    if (st == BMX_OK && (out->w != info->width || out->h != info->height)) {
        st = bmx__fail(err, BMX_E_SCHEMA,
                       "%s: decoded size %dx%d differs from images[%zu] width x height %dx%d",
                       path, (int)out->w, (int)out->h, i, (int)info->width, (int)info->height);
        bmx_image_free(out);
    }
    free(path);
    return st;
}

/* The decoded pixels of input i, decoding them on first use. */
static bmx_status cached_image(struct run *r, size_t i, const struct bmx_image **out,
                               bmx_error *err)
{
    struct cache_entry *e = &r->cache[r->pairing.pos[i]];
    pthread_mutex_lock(&e->lock);
    if (!e->done) {
        e->status = load_image(r, i, &e->image, &e->err);
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

static bmx_status make_output(struct run *r, uint64_t j, bmx_error *err)
{
    const struct bmx_job_options *opts = r->opts;
    const bmx_dataset *ds = r->ds;
    struct out_rec *rec = &r->recs[j];
    uint64_t k = local_to_k(r, j);
    bmx_status st;
    size_t base = (size_t)(k % ds->n_images);
    bmx_rng rng;
    bmx_rng_seed(&rng, opts->seed, k);
    size_t source = pick_source(&r->pairing, base, &rng);
    struct bmx_sample a = {0}, b = {0}, out = {0};
    struct bmx_box *boxes = NULL;
    char *path = NULL;

    if (opts->dry_run) {
        a.image = (struct bmx_image){ds->images[base].width, ds->images[base].height, 3, 0, NULL};
        b.image = (struct bmx_image){ds->images[source].width, ds->images[source].height, 3, 0, NULL};
    } else {
        const struct bmx_image *ia, *ib;
        st = cached_image(r, base, &ia, err);
        if (st != BMX_OK) {
            goto done;
        }
        st = cached_image(r, source, &ib, err);
        if (st != BMX_OK) {
            goto done;
        }
        /* Borrowed views: apply never writes its inputs. */
        a.image = *ia;
        b.image = *ib;
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
    if (!opts->dry_run) {
        path = path_join(r->img_dir, fname);
        if (path == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        st = bmx_image_write(path, &out.image, opts->format, opts->quality, err);
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
        char abm[200];
        snprintf(abm, sizeof abm,
                 "{\"from\":\"%s\",\"visibility\":%s,\"source_annotation_id\":%" PRId64 "}",
                 o->origin == BMX_FROM_SOURCE ? "source" : "base", vis.data ? vis.data : "0", o->id);
        bmx__buf_free(&vis);
        bmx__coco_put_annotation(&rec->anns, o, 0, newid, abm);
        bmx__buf_put(&rec->anns, "\n", 1);
        rec->n_anns++;
    }
    if (rec->image.failed || rec->anns.failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory while building the annotation file");
    }
done:
    free(path);
    free(boxes);
    bmx_sample_free(&out);
    return st;
}

static void *worker(void *arg)
{
    struct run *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        if (r->next >= r->n_todo || r->failed) {
            pthread_mutex_unlock(&r->lock);
            return NULL;
        }
        uint64_t j = r->todo[r->next++];
        pthread_mutex_unlock(&r->lock);
        bmx_error err = {0};
        bmx_status st = make_output(r, j, &err);
        if (st != BMX_OK) {
            pthread_mutex_lock(&r->lock);
            /* Report the failing output with the lowest index, whatever the timing. */
            if (!r->failed || j < r->fail_j) {
                r->failed = true;
                r->fail_j = j;
                r->fail_err = err;
                r->fail_status = st;
            }
            pthread_mutex_unlock(&r->lock);
        }
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
    const struct pairing *p = &r->pairing;
    bmx_status st = BMX_OK;
    size_t nb = p->n_blocks;
    uint64_t *order = bmx__alloc_array((size_t)r->n_local, sizeof *order);
    size_t *start = calloc(nb + 1, sizeof *start);
    r->cache = calloc(p->n, sizeof *r->cache);
    unsigned nt = thread_count(r->opts);
    pthread_t *threads = calloc(nt, sizeof *threads);
    if ((r->n_local > 0 && order == NULL) || start == NULL || r->cache == NULL || threads == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory for %" PRIu64 " outputs", r->n_local);
        goto done;
    }
    for (size_t i = 0; i < p->n; i++) {
        pthread_mutex_init(&r->cache[i].lock, NULL);
    }
    /* Outputs by block of their base, in index order within a block. */
    for (uint64_t j = 0; j < r->n_local; j++) {
        size_t base = (size_t)(local_to_k(r, j) % p->n);
        start[block_of(p, p->pos[base]) + 1]++;
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
            size_t b = block_of(p, p->pos[base]);
            order[start[b] + fill[b]++] = j;
        }
        free(fill);
    }
    pthread_mutex_init(&r->lock, NULL);
    for (size_t b = 0; b < nb && st == BMX_OK; b++) {
        r->todo = order + start[b];
        r->n_todo = start[b + 1] - start[b];
        r->next = 0;
        if (r->n_todo == 0) {
            continue;
        }
        unsigned use = nt < r->n_todo ? nt : (unsigned)r->n_todo;
        unsigned started = 0;
        if (use > 1) {
            for (; started < use; started++) {
                if (pthread_create(&threads[started], NULL, worker, r) != 0) {
                    break;
                }
            }
        }
        if (started == 0) {
            worker(r);
        }
        for (unsigned t = 0; t < started; t++) {
            pthread_join(threads[t], NULL);
        }
        /* Free the block's pixels. */
        for (size_t q = block_start(p, b); q < block_start(p, b + 1); q++) {
            struct cache_entry *e = &r->cache[q];
            bmx_image_free(&e->image);
            e->done = false;
        }
        if (r->failed) {
            if (err != NULL) {
                *err = r->fail_err;
            }
            st = r->fail_status;
        }
    }
    pthread_mutex_destroy(&r->lock);
    for (size_t i = 0; i < p->n; i++) {
        pthread_mutex_destroy(&r->cache[i].lock);
    }
done:
    free(threads);
    free(r->cache);
    r->cache = NULL;
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
        if (opts->shard_count > 1 && i % opts->shard_count != opts->shard_index) {
            continue;
        }
        const struct bmx_image_info *info = &ds->images[i];
        char *src = path_join(r->images_root, info->file_name);
        char *dst = path_join(r->img_dir, info->file_name);
        char *data = NULL;
        size_t len = 0;
        if (src == NULL || dst == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto next;
        }
        if (!opts->dry_run) {
            char *slash = strrchr(dst, '/');
            if (slash != NULL && slash > dst + strlen(r->img_dir)) {
                *slash = '\0';
                st = mkdir_p(dst, err);
                *slash = '/';
                if (st != BMX_OK) {
                    goto next;
                }
            }
            st = bmx__read_file(src, &data, &len, err);
            if (st == BMX_OK) {
                st = bmx__write_file_atomic(dst, data, len, false, err);
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
        free(dst);
    }
    return st;
}

struct doc_parts {
    struct bmx__buf *images;
    struct bmx__buf *anns;
};

static void put_parts_images(struct bmx__buf *b, void *ctx)
{
    struct doc_parts *d = ctx;
    bmx__buf_put(b, d->images->data ? d->images->data : "", d->images->len);
}

static void put_parts_anns(struct bmx__buf *b, void *ctx)
{
    struct doc_parts *d = ctx;
    bmx__buf_put(b, d->anns->data ? d->anns->data : "", d->anns->len);
}

/* Append the outputs' records in index order, numbering annotations. */
static void assemble(struct run *r, struct bmx__buf *images, struct bmx__buf *anns,
                     size_t *n_images, size_t *n_anns)
{
    for (uint64_t j = 0; j < r->n_local; j++) {
        struct out_rec *rec = &r->recs[j];
        bmx__buf_puts(images, (*n_images)++ ? ",\n" : "\n");
        bmx__buf_put(images, rec->image.data ? rec->image.data : "", rec->image.len);
        const char *p = rec->anns.data;
        for (size_t q = 0; q < rec->n_anns; q++) {
            /* Each record starts with {"id":0 and ends with a newline. */
            const char *nl = strchr(p, '\n');
            size_t aid = ++*n_anns;
            bmx__buf_puts(anns, aid > 1 ? ",\n" : "\n");
            bmx__buf_printf(anns, "{\"id\":%zu", aid);
            bmx__buf_put(anns, p + 7, (size_t)(nl - p - 7));
            p = nl + 1;
        }
        bmx__buf_free(&rec->image);
        bmx__buf_free(&rec->anns);
    }
}

bmx_status bmx_job_run(const struct bmx_job_options *opts, struct bmx_job_summary *summary,
                       bmx_error *err)
{
    bmx_status st;
    bmx_dataset *ds = NULL, *out_ds = NULL;
    struct bmx_labels labels = {0, NULL};
    char *voc_images = NULL;
    struct run r;
    struct bmx__buf images = {0}, anns = {0}, doc = {0};
    size_t n_images = 0, n_anns = 0;
    char *img_dir = NULL, *ann_path = NULL;
    struct bmx_job_summary sum = {0};

    memset(&r, 0, sizeof r);
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
    const char *input_name = opts->annotations;
    if (opts->voc != NULL) {
        struct stat sb;
        bool is_dir = stat(opts->voc, &sb) == 0 && S_ISDIR(sb.st_mode);
        voc_images = opts->images != NULL ? strdup(opts->images)
                                          : bmx__voc_default_images_dir(opts->voc, is_dir);
        if (voc_images == NULL) {
            return bmx__fail(err, BMX_E_NOMEM, "out of memory");
        }
        input_name = opts->voc;
        if (same_dir(opts->out, opts->voc)) {
            st = bmx__fail(err, BMX_E_INVALID, "%s: the output folder is the input folder", opts->out);
            goto done;
        }
    }
    const char *images_root = voc_images != NULL ? voc_images : opts->images;
    if (same_dir(opts->out, images_root)) {
        st = bmx__fail(err, BMX_E_INVALID, "%s: the output folder is the input image folder",
                       opts->out);
        goto done;
    }
    if (opts->voc != NULL) {
        struct bmx_voc_options vo;
        bmx_voc_options_init(&vo);
        vo.split = opts->voc_split;
        vo.images_dir = images_root;
        vo.limits = opts->limits;
        if (opts->labels != NULL) {
            st = bmx_labels_read(opts->labels, &labels, err);
            if (st != BMX_OK) {
                goto done;
            }
            vo.labels = &labels;
        }
        st = bmx_dataset_read_voc(opts->voc, &vo, &ds, err);
    } else {
        st = bmx_dataset_read_coco(opts->annotations, &ds, err);
    }
    if (st != BMX_OK) {
        goto done;
    }
    for (size_t i = 0; i < ds->n_images; i++) {
        if (name_escapes(ds->images[i].file_name)) {
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
    r.opts = opts;
    r.images_root = images_root;
    r.ds = ds;
    r.count = opts->count;
    if (r.count == 0) {
        if (opts->per_image > UINT64_MAX / ds->n_images) {
            st = bmx__fail(err, BMX_E_OVERFLOW, "per-image: too many outputs");
            goto done;
        }
        r.count = opts->per_image * ds->n_images;
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
    const bool to_voc = opts->out_format == BMX_DATASET_VOC;
    ann_path = path_join(opts->out, to_voc ? "Annotations" : "annotations.json");
    img_dir = path_join(opts->out, to_voc ? "JPEGImages" : "images");
    if (r.recs == NULL || ann_path == NULL || img_dir == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    r.img_dir = img_dir;
    if (!opts->force && access(ann_path, F_OK) == 0) {
        st = bmx__fail(err, BMX_E_STATE,
                       "%s: already holds a dataset (%s); choose another folder or use --force",
                       opts->out, to_voc ? "Annotations/" : "annotations.json");
        goto done;
    }
    st = mkdir_p(opts->dry_run ? opts->out : img_dir, err);
    if (st != BMX_OK) {
        goto done;
    }
    st = pairing_init(&r.pairing, ds->n_images, opts->seed, err);
    if (st != BMX_OK) {
        goto done;
    }
    if (opts->include_originals) {
        st = write_originals(&r, &images, &anns, &n_images, &n_anns, &sum, err);
        if (st != BMX_OK) {
            goto done;
        }
    }
    st = make_outputs(&r, err);
    if (st != BMX_OK) {
        goto done;
    }
    for (uint64_t j = 0; j < r.n_local; j++) {
        sum.kept_whole += r.recs[j].stats.kept_whole;
        sum.clipped += r.recs[j].stats.clipped;
        sum.dropped += r.recs[j].stats.dropped;
        sum.masked += r.recs[j].stats.masked;
    }
    sum.samples = r.n_local;
    assemble(&r, &images, &anns, &n_images, &n_anns);
    {
        struct doc_parts parts = {&images, &anns};
        bmx__coco_put_document(&doc, ds, put_parts_images, put_parts_anns, &parts);
    }
    if (doc.failed || images.failed || anns.failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory while writing the annotation file");
        goto done;
    }
    bmx__buf_free(&images);
    bmx__buf_free(&anns);
    if (to_voc) {
        /* The VOC files are written from the same records as the COCO file. */
        st = bmx_dataset_read_coco_buffer(doc.data, doc.len, "(output)", &out_ds, err);
        if (st == BMX_OK) {
            st = bmx_dataset_write_voc(out_ds, opts->out, err);
        }
    } else {
        st = bmx__write_file_atomic(ann_path, doc.data, doc.len, true, err);
    }
done:
    if (summary != NULL) {
        *summary = sum;
    }
    if (r.recs != NULL) {
        for (uint64_t j = 0; j < r.n_local; j++) {
            bmx__buf_free(&r.recs[j].image);
            bmx__buf_free(&r.recs[j].anns);
        }
        free(r.recs);
    }
    bmx__buf_free(&doc);
    bmx__buf_free(&images);
    bmx__buf_free(&anns);
    pairing_free(&r.pairing);
    free(img_dir);
    free(ann_path);
    bmx_dataset_free(ds);
    bmx_dataset_free(out_ds);
    bmx_labels_free(&labels);
    free(voc_images);
    return st;
}
