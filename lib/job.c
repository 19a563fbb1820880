/* The offline augment job: pairing, decoding, CutMix, writing a whole dataset.
 *
 * Output k is a pure function of (dataset, options, seed, k): its generator is
 * seeded from (seed, k), its base is input k mod N and its source is drawn from
 * the base's block of a seed-shuffled order. */
#include "dataset.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
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

/* ---- images ---- */

static bmx_status load_image(const struct bmx_job_options *opts, const bmx_dataset *ds, size_t i,
                             struct bmx_image *out, bmx_error *err)
{
    const struct bmx_image_info *info = &ds->images[i];
    char *path = path_join(opts->images, info->file_name);
    char *buf = NULL;
    size_t len = 0;
    if (path == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    bmx_status st = bmx__read_file(path, &buf, &len, err);
    if (st != BMX_OK) {
        goto done;
    }
    st = bmx_image_decode((const uint8_t *)buf, len, &opts->limits, out, err);
    if (st != BMX_OK) {
        bmx__prefix(err, st, "%s", path);
        goto done;
    }
    if (out->w != info->width || out->h != info->height) {
        st = bmx__fail(err, BMX_E_SCHEMA,
                       "%s: decoded size %dx%d differs from images[%zu] width x height %dx%d",
                       path, (int)out->w, (int)out->h, i, (int)info->width, (int)info->height);
        bmx_image_free(out);
    }
done:
    free(buf);
    free(path);
    return st;
}

/* ---- the run ---- */

struct out_records {
    struct bmx__buf images;
    struct bmx__buf annotations;
    size_t n_images, n_annotations;
};

static void put_out_images(struct bmx__buf *b, void *ctx)
{
    struct out_records *r = ctx;
    bmx__buf_put(b, r->images.data ? r->images.data : "", r->images.len);
}

static void put_out_annotations(struct bmx__buf *b, void *ctx)
{
    struct out_records *r = ctx;
    bmx__buf_put(b, r->annotations.data ? r->annotations.data : "", r->annotations.len);
}

static void id_literal(const struct bmx_image_info *info, char *out, size_t cap)
{
    struct bmx__buf b = {0};
    bmx__coco_put_image_id(&b, info);
    snprintf(out, cap, "%s", b.failed || b.data == NULL ? "null" : b.data);
    bmx__buf_free(&b);
}

static bmx_status write_originals(const struct bmx_job_options *opts, const bmx_dataset *ds,
                                  const char *img_dir, struct out_records *rec,
                                  struct bmx_job_summary *sum, bmx_error *err)
{
    bmx_status st = BMX_OK;
    for (size_t i = 0; i < ds->n_images && st == BMX_OK; i++) {
        const struct bmx_image_info *info = &ds->images[i];
        char *src = path_join(opts->images, info->file_name);
        char *dst = path_join(img_dir, info->file_name);
        char *data = NULL;
        size_t len = 0;
        if (src == NULL || dst == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto next;
        }
        char *slash = strrchr(dst, '/');
        if (slash != NULL && slash > dst + strlen(img_dir)) {
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
        if (st == BMX_OK) {
            char idl[128], bm[200];
            id_literal(info, idl, sizeof idl);
            size_t new_id = ++rec->n_images;
            char newid[32];
            snprintf(newid, sizeof newid, "%zu", new_id);
            snprintf(bm, sizeof bm, "{\"op\":\"original\",\"original_image_id\":%s}", idl);
            bmx__buf_puts(&rec->images, new_id > 1 ? ",\n" : "\n");
            bmx__coco_put_image(&rec->images, info, newid, info->file_name, info->width,
                                info->height, true, bm);
            const struct bmx_object *objs = ds->objects + ds->img_first[i];
            for (size_t q = 0; q < ds->img_count[i]; q++) {
                char abm[160];
                snprintf(abm, sizeof abm, "{\"from\":\"original\",\"source_annotation_id\":%" PRId64 "}",
                         objs[q].id);
                size_t aid = ++rec->n_annotations;
                bmx__buf_puts(&rec->annotations, aid > 1 ? ",\n" : "\n");
                bmx__coco_put_annotation(&rec->annotations, &objs[q], (int64_t)aid, newid, abm);
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

static bmx_status make_output(const struct bmx_job_options *opts, const bmx_dataset *ds,
                              const struct pairing *pairing, uint64_t k, const char *img_dir,
                              struct out_records *rec, struct bmx_job_summary *sum, bmx_error *err)
{
    bmx_status st;
    size_t base = (size_t)(k % ds->n_images);
    bmx_rng rng;
    bmx_rng_seed(&rng, opts->seed, k);
    size_t source = pick_source(pairing, base, &rng);
    struct bmx_sample a = {0}, b = {0}, out = {0};
    struct bmx_box *boxes = NULL;
    uint8_t *enc = NULL;
    size_t enc_len = 0;
    char *path = NULL;

    st = load_image(opts, ds, base, &a.image, err);
    if (st != BMX_OK) {
        goto done;
    }
    st = load_image(opts, ds, source, &b.image, err);
    if (st != BMX_OK) {
        goto done;
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
    struct bmx_cutmix_stats cs = {0};
    st = bmx_cutmix_apply(&opts->cutmix, &patch, &a, &b, &out, &cs, err);
    if (st != BMX_OK) {
        goto done;
    }
    sum->kept_whole += cs.kept_whole;
    sum->clipped += cs.clipped;
    sum->dropped += cs.dropped;
    sum->masked += cs.masked;

    st = bmx_image_encode(&out.image, opts->format, opts->quality, &enc, &enc_len, err);
    if (st != BMX_OK) {
        goto done;
    }
    char fname[64];
    snprintf(fname, sizeof fname, "cutmix_%06" PRIu64 ".%s", k,
             opts->format == BMX_FORMAT_PNG ? "png" : "jpg");
    path = path_join(img_dir, fname);
    if (path == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    st = bmx__write_file_atomic(path, enc, enc_len, false, err);
    if (st != BMX_OK) {
        goto done;
    }

    char base_id[128], source_id[128], newid[32], bm[512];
    id_literal(&ds->images[base], base_id, sizeof base_id);
    id_literal(&ds->images[source], source_id, sizeof source_id);
    size_t new_id = ++rec->n_images;
    snprintf(newid, sizeof newid, "%zu", new_id);
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
    bmx__buf_puts(&rec->images, new_id > 1 ? ",\n" : "\n");
    bmx__coco_put_image(&rec->images, &ds->images[base], newid, fname, out.image.w, out.image.h,
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
        size_t aid = ++rec->n_annotations;
        bmx__buf_puts(&rec->annotations, aid > 1 ? ",\n" : "\n");
        bmx__coco_put_annotation(&rec->annotations, o, (int64_t)aid, newid, abm);
    }
    sum->samples++;
    if (rec->images.failed || rec->annotations.failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory while building the annotation file");
    }
done:
    free(path);
    free(enc);
    free(boxes);
    bmx_image_free(&a.image);
    bmx_image_free(&b.image);
    bmx_sample_free(&out);
    return st;
}

bmx_status bmx_job_run(const struct bmx_job_options *opts, struct bmx_job_summary *summary,
                       bmx_error *err)
{
    bmx_status st;
    bmx_dataset *ds = NULL;
    struct pairing pairing = {0};
    struct out_records rec = {0};
    struct bmx__buf doc = {0};
    char *img_dir = NULL, *ann_path = NULL;
    struct bmx_job_summary sum = {0};

    if (opts->annotations == NULL || opts->images == NULL || opts->out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "annotations, images and out are required");
    }
    st = bmx_cutmix_options_check(&opts->cutmix, err);
    if (st != BMX_OK) {
        return st;
    }
    if (opts->format == BMX_FORMAT_JPEG && (opts->quality < 1 || opts->quality > 100)) {
        return bmx__fail(err, BMX_E_INVALID, "quality: must be 1..100, got %d", opts->quality);
    }
    if (same_dir(opts->out, opts->images)) {
        return bmx__fail(err, BMX_E_INVALID, "%s: the output folder is the input image folder",
                         opts->out);
    }
    st = bmx_dataset_read_coco(opts->annotations, &ds, err);
    if (st != BMX_OK) {
        goto done;
    }
    for (size_t i = 0; i < ds->n_images; i++) {
        if (name_escapes(ds->images[i].file_name)) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: images[%zu].file_name: \"%s\" escapes the image folder (absolute or '..')",
                           opts->annotations, i, ds->images[i].file_name);
            goto done;
        }
    }
    if (ds->n_images == 0) {
        st = bmx__fail(err, BMX_E_SCHEMA, "%s: images: the dataset has no image to augment",
                       opts->annotations);
        goto done;
    }
    uint64_t count = opts->count;
    if (count == 0) {
        if (opts->per_image > UINT64_MAX / ds->n_images) {
            st = bmx__fail(err, BMX_E_OVERFLOW, "per-image: too many outputs");
            goto done;
        }
        count = opts->per_image * ds->n_images;
    }

    ann_path = path_join(opts->out, "annotations.json");
    img_dir = path_join(opts->out, "images");
    if (ann_path == NULL || img_dir == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    if (!opts->force && access(ann_path, F_OK) == 0) {
        st = bmx__fail(err, BMX_E_STATE,
                       "%s: already holds a dataset (annotations.json); choose another folder or use --force",
                       opts->out);
        goto done;
    }
    st = mkdir_p(img_dir, err);
    if (st != BMX_OK) {
        goto done;
    }
    st = pairing_init(&pairing, ds->n_images, opts->seed, err);
    if (st != BMX_OK) {
        goto done;
    }
    if (opts->include_originals) {
        st = write_originals(opts, ds, img_dir, &rec, &sum, err);
        if (st != BMX_OK) {
            goto done;
        }
    }
    for (uint64_t k = 0; k < count; k++) {
        st = make_output(opts, ds, &pairing, k, img_dir, &rec, &sum, err);
        if (st != BMX_OK) {
            goto done;
        }
    }
    bmx__coco_put_document(&doc, ds, put_out_images, put_out_annotations, &rec);
    if (doc.failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory while writing the annotation file");
        goto done;
    }
    st = bmx__write_file_atomic(ann_path, doc.data, doc.len, true, err);
done:
    if (summary != NULL) {
        *summary = sum;
    }
    bmx__buf_free(&doc);
    bmx__buf_free(&rec.images);
    bmx__buf_free(&rec.annotations);
    pairing_free(&pairing);
    free(img_dir);
    free(ann_path);
    bmx_dataset_free(ds);
    return st;
}
