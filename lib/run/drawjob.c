/* SPDX-License-Identifier: MIT */
/* The draw run: pick images of a COCO dataset, draw their objects, write one file
 * per image and an optional contact sheet. The only part of drawing that touches
 * the file system. */
#include "draw.h"
#include "boxmix.h"
#include "error.h"
#include "input.h"
#include "progress.h"
#include "drawjob.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Largest side of a drawn image: what JPEG can hold and our decoders accept. */
#define DRAW_MAX_SIDE 65535

void bmx_draw_job_init(struct bmx_draw_job *job)
{
    memset(job, 0, sizeof *job);
    job->size = sizeof *job;
    bmx_input_init(&job->input);
    job->sheet_width = BMX_DRAW_SHEET_WIDTH_DEFAULT;
    job->format = BMX_FORMAT_PNG;
    job->quality = 90;
    bmx_draw_options_init(&job->draw);
    bmx_limits_init(&job->limits);
    bmx_input_init(&job->inputs);
}

/* ---- paths ---- */

/* "a" + "/" + "b" + suffix, malloc'd. */
char *bmx__draw_path_join3(const char *a, const char *b, const char *suffix)
{
    size_t la = strlen(a), lb = strlen(b), ls = strlen(suffix);
    char *p = malloc(la + lb + ls + 2);
    if (p != NULL) {
        size_t o = la;
        memcpy(p, a, la);
        if (la > 0 && a[la - 1] != '/') {
            p[o++] = '/';
        }
        memcpy(p + o, b, lb);
        memcpy(p + o + lb, suffix, ls + 1);
    }
    return p;
}

static bmx_status sheet_format(const char *path, enum bmx_format *fmt, bmx_error *err)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot != NULL && (slash == NULL || dot > slash)) {
        if (strcasecmp(dot, ".png") == 0) {
            *fmt = BMX_FORMAT_PNG;
            return BMX_OK;
        }
        if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0) {
            *fmt = BMX_FORMAT_JPEG;
            return BMX_OK;
        }
    }
    return bmx__fail(err, BMX_E_INVALID, "%s: a sheet's name must end in .png, .jpg or .jpeg",
                     path);
}

/* ---- selection ---- */

struct id_index {
    int64_t id;
    size_t index;
};

static int cmp_id_index(const void *a, const void *b)
{
    const struct id_index *x = a, *y = b;
    if (x->id != y->id) {
        return x->id < y->id ? -1 : 1;
    }
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Mark the chosen images in `sel` (n entries) and count them. */
static bmx_status select_images(const struct bmx_draw_job *job, const bmx_dataset *ds, bool *sel,
                                size_t *count, bmx_error *err)
{
    size_t n = bmx_dataset_image_count(ds);
    bmx_status st = BMX_OK;
    if (job->n_ids > 0) {
        struct id_index *byid = bmx__alloc_array(n > 0 ? n : 1, sizeof *byid);
        if (byid == NULL) {
            return bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu image ids", n);
        }
        for (size_t i = 0; i < n; i++) {
            byid[i] = (struct id_index){bmx_dataset_image(ds, i)->id, i};
        }
        qsort(byid, n, sizeof *byid, cmp_id_index);
        for (size_t k = 0; k < job->n_ids && st == BMX_OK; k++) {
            size_t lo = 0, hi = n;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (byid[mid].id < job->ids[k]) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if (lo == n || byid[lo].id != job->ids[k]) {
                st = bmx__fail(err, BMX_E_INVALID, "%s: no image has id %" PRId64,
                               job->input.annotations, job->ids[k]);
            } else {
                sel[byid[lo].index] = true;
            }
        }
        free(byid);
    } else if (job->random > 0 && job->random < n) {
        size_t *order = bmx__alloc_array(n, sizeof *order);
        bmx_rng rng;
        if (order == NULL) {
            return bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu images", n);
        }
        for (size_t i = 0; i < n; i++) {
            order[i] = i;
        }
        /* The first `random` steps of a Fisher-Yates shuffle: a uniform pick of
         * distinct images that depends only on the seed. */
        bmx_rng_seed(&rng, job->seed, 0);
        for (size_t k = 0; k < job->random; k++) {
            size_t j = k + (size_t)bmx_rng_below(&rng, n - k);
            size_t t = order[k];
            order[k] = order[j];
            order[j] = t;
            sel[order[k]] = true;
        }
        free(order);
    } else {
        for (size_t i = 0; i < n; i++) {
            sel[i] = true;
        }
    }
    *count = 0;
    for (size_t i = 0; i < n && st == BMX_OK; i++) {
        if (sel[i] && job->limit > 0 && *count >= job->limit) {
            sel[i] = false;
        }
        *count += sel[i];
    }
    return st;
}

/* ---- output names ---- */

/* file_name without the extension of its last part ("a/b.jpg" -> "a/b"). */
static char *stem_of(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash != NULL ? slash + 1 : name;
    const char *dot = strrchr(base, '.');
    size_t len = dot != NULL && dot > base ? (size_t)(dot - name) : strlen(name);
    char *s = malloc(len + 1);
    if (s != NULL) {
        memcpy(s, name, len);
        s[len] = '\0';
    }
    return s;
}

struct stem_index {
    char *stem;
    size_t index;
};

static int cmp_stem(const void *a, const void *b)
{
    const struct stem_index *x = a, *y = b;
    int c = strcmp(x->stem, y->stem);
    return c != 0 ? c : (x->index < y->index ? -1 : x->index > y->index);
}

/* The output name (relative to OUT) of every image: the stem plus the extension;
 * stems shared by several images get "-<image id>" first, so no output overwrites
 * another whatever is selected. `names` has n entries, each malloc'd. */
bmx_status bmx__draw_output_names(const bmx_dataset *ds, const char *ext, char **names,
                               bmx_error *err)
{
    size_t n = bmx_dataset_image_count(ds);
    struct stem_index *stems = calloc(n > 0 ? n : 1, sizeof *stems);
    bool *shared = calloc(n > 0 ? n : 1, sizeof *shared);
    bmx_status st = BMX_OK;
    if (stems == NULL || shared == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu names", n);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        stems[i] = (struct stem_index){stem_of(bmx_dataset_image(ds, i)->file_name), i};
        if (stems[i].stem == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory for names");
            goto cleanup;
        }
    }
    qsort(stems, n, sizeof *stems, cmp_stem);
    for (size_t k = 1; k < n; k++) {
        if (strcmp(stems[k - 1].stem, stems[k].stem) == 0) {
            shared[stems[k - 1].index] = true;
            shared[stems[k].index] = true;
        }
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = stems[k].index;
        char suffix[48];
        if (shared[i]) {
            snprintf(suffix, sizeof suffix, "-%" PRId64 ".%s", bmx_dataset_image(ds, i)->id, ext);
        } else {
            snprintf(suffix, sizeof suffix, ".%s", ext);
        }
        names[i] = bmx__draw_path_join3("", stems[k].stem, suffix);
        if (names[i] == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory for names");
            goto cleanup;
        }
    }

cleanup:
    for (size_t k = 0; stems != NULL && k < n; k++) {
        free(stems[k].stem);
    }
    free(stems);
    free(shared);
    return st;
}

/* ---- drawing one image ---- */

struct run_ctx {
    const struct bmx_draw_job *job;
    const bmx_dataset *ds;
    struct bmx_category *cats;
    size_t n_cats;
    int32_t thumb_w; /* 0: no sheet */
    const size_t *dropped_first; /* per image: its dropped boxes are dropped[first[i]..first[i+1]) */
    const struct bmx_box *dropped;
};

/* Resize `img` to w x h (or keep it) and draw image i's objects on the result. */
static bmx_status draw_at(const struct run_ctx *ctx, size_t i, const struct bmx_image *img,
                          int32_t w, int32_t h, struct bmx_image *out, bmx_error *err)
{
    const struct bmx_draw_job *job = ctx->job;
    struct bmx_rect patch;
    bool has_patch = bmx_dataset_image_patch(ctx->ds, i, &patch);
    struct bmx__draw_marks marks;
    bool *pasted = NULL;
    bmx_status st = bmx__read_draw_marks(ctx->ds, i, &marks, &pasted, err);
    if (st != BMX_OK) {
        return st;
    }
    st = bmx_image_resize(img, w, h, out, err);
    if (st != BMX_OK) {
        free(pasted);
        return st;
    }
    if (ctx->dropped_first != NULL) {
        /* Under the objects that stayed, so those read first. */
        size_t first = ctx->dropped_first[i];
        bmx__draw_dropped(out, ctx->dropped + first, ctx->dropped_first[i + 1] - first,
                          (double)w / img->w, (double)h / img->h, job->draw.line_width);
    }
    st = bmx__draw_objects_xy(out, bmx_dataset_objects(ctx->ds, i),
                              bmx_dataset_object_count(ctx->ds, i), ctx->cats, ctx->n_cats,
                              has_patch ? &patch : NULL, &job->draw, (double)w / img->w,
                              (double)h / img->h, &marks, err);
    free(pasted);
    if (st != BMX_OK) {
        bmx_image_free(out);
    }
    return st;
}

static bmx_status draw_one(const struct run_ctx *ctx, size_t i, const char *in_path, int out_dir,
                           const char *rel, struct bmx_image *thumb, bmx_error *err)
{
    const struct bmx_draw_job *job = ctx->job;
    const struct bmx_image_info *info = bmx_dataset_image(ctx->ds, i);
    struct bmx_image img = {0, 0, 0, 0, NULL};
    struct bmx_image drawn = {0, 0, 0, 0, NULL};
    bmx_status st = bmx_image_read(in_path, &job->limits, &img, err);
    if (st != BMX_OK) {
        goto cleanup;
    }
    if (img.w != info->width || img.h != info->height) {
        st = bmx__fail(err, BMX_E_SCHEMA,
                       "%s: decoded size %dx%d differs from the record's width x height %dx%d",
                       in_path, (int)img.w, (int)img.h, (int)info->width, (int)info->height);
        goto cleanup;
    }
    double sw = fmax(1.0, round(img.w * job->draw.scale));
    double sh = fmax(1.0, round(img.h * job->draw.scale));
    if (sw > DRAW_MAX_SIDE || sh > DRAW_MAX_SIDE ||
        sw * sh > (double)job->limits.max_image_pixels) {
        st = bmx__fail(err, BMX_E_LIMIT,
                       "scaled to %.0fx%.0f, the image would exceed the pixel limits", sw, sh);
        goto cleanup;
    }
    if (thumb != NULL) {
        int32_t tw, th;
        bmx__draw_thumb_size(img.w, img.h, ctx->thumb_w, &tw, &th);
        st = draw_at(ctx, i, &img, tw, th, thumb, err);
        if (st != BMX_OK) {
            goto cleanup;
        }
    }
    st = draw_at(ctx, i, &img, (int32_t)sw, (int32_t)sh, &drawn, err);
    if (st == BMX_OK) {
        uint8_t *enc = NULL;
        size_t len = 0;
        st = bmx_image_encode(&drawn, job->format, job->quality, &enc, &len, err);
        if (st == BMX_OK) {
            const char *shown = job->html != NULL ? job->html : job->out;
            st = bmx__outfile_write(out_dir, shown, rel, enc, len, false, err);
        }
        free(enc);
    }

cleanup:
    if (st != BMX_OK && thumb != NULL) {
        bmx_image_free(thumb);
    }
    bmx_image_free(&img);
    bmx_image_free(&drawn);
    return st;
}

/* ---- the run ---- */

static bmx_status check_job(const struct bmx_draw_job *job, bmx_error *err)
{
    if (job->inputs.annotations != NULL && job->html == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "draw: inputs are drawn for a report only (html)");
    }
    if (job->inputs.annotations != NULL && job->inputs.format == BMX_DATASET_COCO &&
        job->inputs.images == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "draw: inputs.images is required for COCO inputs");
    }
    if (job->html != NULL && job->out != NULL) {
        return bmx__fail(err, BMX_E_INVALID,
                         "draw: give either out (drawings) or html (a report), not both");
    }
    if (job->input.annotations == NULL || (job->out == NULL && job->html == NULL) ||
        (job->input.format == BMX_DATASET_COCO && job->input.images == NULL)) {
        return bmx__fail(
            err, BMX_E_INVALID,
            "draw: input.annotations (with input.images for COCO) and out are required");
    }
    if (job->n_ids > 0 && job->ids == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "draw: %zu ids but no array", job->n_ids);
    }
    if (job->format != BMX_FORMAT_PNG && job->format != BMX_FORMAT_JPEG) {
        return bmx__fail(err, BMX_E_INVALID, "draw: unknown output format %d", (int)job->format);
    }
    if (job->quality < 1 || job->quality > 100) {
        return bmx__fail(err, BMX_E_INVALID, "draw: JPEG quality %d is not in 1..100",
                         job->quality);
    }
    if (job->sheet != NULL &&
        (job->sheet_width < BMX__SHEET_MIN_WIDTH || job->sheet_width > BMX__SHEET_MAX_WIDTH)) {
        return bmx__fail(err, BMX_E_INVALID, "draw: sheet width %d is not in %d..%d",
                         (int)job->sheet_width, BMX__SHEET_MIN_WIDTH, BMX__SHEET_MAX_WIDTH);
    }
    return bmx__draw_options_check(&job->draw, err);
}

/* The caller's job read up to its size (boxmix.h, "Options that grow"). */
static bmx_status read_job(const struct bmx_draw_job *in, struct bmx_draw_job *job, bmx_error *err)
{
    bmx_draw_job_init(job);
    bmx_status st = bmx__sized_read(job, sizeof *job, in, "struct bmx_draw_job", err);
    size_t given = st == BMX_OK ? bmx__sized_given(in) : 0;
    if (st == BMX_OK) {
        st = bmx__input_member(&job->input, offsetof(struct bmx_draw_job, input), given,
                               "struct bmx_draw_job.input", err);
    }
    if (st == BMX_OK) {
        st = bmx__sized_member(&job->draw, sizeof job->draw, offsetof(struct bmx_draw_job, draw),
                               given, "struct bmx_draw_job.draw", err);
    }
    if (st == BMX_OK) {
        st = bmx__input_member(&job->inputs, offsetof(struct bmx_draw_job, inputs), given,
                               "struct bmx_draw_job.inputs", err);
    }
    return st;
}

bmx_status bmx_draw_run(const struct bmx_draw_job *given, struct bmx_draw_summary *summary,
                        bmx_error *err)
{
    struct bmx_draw_job job_read;
    const struct bmx_draw_job *job = &job_read;
    bmx_dataset *ds = NULL;
    bool *sel = NULL;
    char **names = NULL;
    char **in_paths = NULL;
    struct bmx_category *cats = NULL;
    struct bmx_image *thumbs = NULL;
    char **captions = NULL;
    size_t n = 0, count = 0, n_thumbs = 0;
    enum bmx_format sheet_fmt = BMX_FORMAT_PNG;
    struct bmx_draw_summary sum = {0, 0};
    struct bmx_image sheet = {0, 0, 0, 0, NULL};
    struct run_ctx ctx;
    char *root_copy = NULL;
    struct bmx__guard guard = {0};
    struct bmx__outdir od = {NULL, -1, -1};
    struct bmx__decision_rec *dec = NULL;
    size_t n_dec = 0;
    size_t *dec_image = NULL, *dropped_first = NULL;
    struct bmx_box *dropped = NULL;
    bmx_stats *stats = NULL;
    struct bmx__draw_inputs inputs;
    bmx_status st;

    memset(&inputs, 0, sizeof inputs);

    if (summary != NULL) {
        *summary = sum;
    }
    if (given == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "draw: no job");
    }
    st = read_job(given, &job_read, err);
    if (st != BMX_OK) {
        return st;
    }
    st = check_job(job, err);
    if (st == BMX_OK && job->sheet != NULL) {
        st = sheet_format(job->sheet, &sheet_fmt, err);
    }
    if (st != BMX_OK) {
        return st;
    }
    const char *input_name = job->input.annotations;
    /* A report is a folder of its own: the drawings go into its images/. */
    const char *out_dir = job->html != NULL ? job->html : job->out;
    st = bmx__input_images_root(&job->input, &root_copy, err);
    if (st != BMX_OK) {
        return st;
    }
    const char *images_root = root_copy;
    st = bmx__guard_input_files(&guard, &job->input, images_root, err);
    if (st == BMX_OK && job->inputs.annotations != NULL) {
        st = bmx__input_images_root(&job->inputs, &inputs.root, err);
        if (st == BMX_OK) {
            st = bmx__guard_input_files(&guard, &job->inputs, inputs.root, err);
        }
    }
    if (st == BMX_OK) {
        st = bmx__guard_input(&guard, job->decisions, false, "the decision log", err);
    }
    if (st == BMX_OK) {
        st = bmx__guard_output(&guard, out_dir, true,
                               job->html != NULL ? "the report folder" : "the drawing folder", err);
    }
    if (st == BMX_OK && job->html != NULL) {
        /* A report folder is not a dataset's (its images/ would be drawn over). */
        int fd = open(job->html, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            st = bmx__check_dataset_free(fd, job->html, NULL, err);
            close(fd);
        }
    }
    if (st == BMX_OK && job->sheet != NULL) {
        st = bmx__guard_check(&guard, job->sheet, "the contact sheet", err);
    }
    if (st != BMX_OK) {
        goto cleanup;
    }
    st = bmx__read_input(&job->input, images_root, &job->limits, &ds, NULL, err);
    if (st != BMX_OK) {
        goto cleanup;
    }
    n = bmx_dataset_image_count(ds);
    sel = calloc(n > 0 ? n : 1, sizeof *sel);
    names = calloc(n > 0 ? n : 1, sizeof *names);
    in_paths = calloc(n > 0 ? n : 1, sizeof *in_paths);
    cats = bmx__alloc_array(bmx_dataset_category_count(ds) + 1, sizeof *cats);
    if (sel == NULL || names == NULL || in_paths == NULL || cats == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu images", n);
        goto cleanup;
    }
    ctx = (struct run_ctx){job, ds, cats, bmx_dataset_category_count(ds), 0, NULL, NULL};
    for (size_t k = 0; k < ctx.n_cats; k++) {
        cats[k] = *bmx_dataset_category(ds, k);
    }
    st = select_images(job, ds, sel, &count, err);
    if (st == BMX_OK) {
        st = bmx__draw_output_names(ds, job->format == BMX_FORMAT_PNG ? "png" : "jpg", names, err);
    }
    for (size_t i = 0; i < n && st == BMX_OK && job->html != NULL; i++) {
        char *in_images = bmx__draw_path_join3("images", names[i], "");
        if (in_images == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory for names");
        } else {
            free(names[i]);
            names[i] = in_images;
        }
    }
    if (st == BMX_OK && job->decisions != NULL) {
        st = bmx__decisions_read(job->decisions, &dec, &n_dec, err);
        if (st == BMX_OK) {
            st = bmx__decisions_place(ds, dec, n_dec, &dec_image, err);
        }
        if (st == BMX_OK) {
            /* Each image's dropped boxes, together (a counting sort by image). */
            dropped_first = calloc(n + 2, sizeof *dropped_first);
            dropped = bmx__alloc_array(n_dec ? n_dec : 1, sizeof *dropped);
            if (dropped_first == NULL || dropped == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu decisions", n_dec);
            }
        }
        for (size_t q = 0; q < n_dec && st == BMX_OK; q++) {
            if (dec_image[q] != SIZE_MAX && dec[q].d.kind == BMX_DECIDED_DROPPED) {
                dropped_first[dec_image[q] + 2]++;
            }
        }
        for (size_t i = 0; i < n && st == BMX_OK; i++) {
            dropped_first[i + 2] += dropped_first[i + 1];
        }
        for (size_t q = 0; q < n_dec && st == BMX_OK; q++) {
            if (dec_image[q] != SIZE_MAX && dec[q].d.kind == BMX_DECIDED_DROPPED) {
                dropped[dropped_first[dec_image[q] + 1]++] = dec[q].d.before;
            }
        }
        ctx.dropped_first = dropped_first;
        ctx.dropped = dropped;
    }
    if (st == BMX_OK && job->inputs.annotations != NULL) {
        st = bmx__draw_inputs_prepare(job, ds, sel, &inputs, err);
        for (size_t i = 0; i < n && st == BMX_OK; i++) {
            /* images/inputs/ is the inputs' own: no drawing of the dataset may be there. */
            if (sel[i] && strncmp(names[i], "images/inputs/", 14) == 0) {
                st = bmx__fail(err, BMX_E_INVALID,
                               "%s: images[%zu] (%s) would be drawn among the inputs' drawings "
                               "(images/inputs/): draw without inputs",
                               input_name, i, bmx_dataset_image(ds, i)->file_name);
            }
        }
    }
    if (st == BMX_OK && job->html != NULL) {
        st = bmx__stats_of(ds, input_name,
                           job->input.format == BMX_DATASET_VOC ? "voc" : "coco", dec, n_dec,
                           job->decisions, &stats, err);
    }
    if (st != BMX_OK) {
        goto cleanup;
    }

    /* Every check that can refuse the run happens before anything is written. */
    for (size_t i = 0; i < n; i++) {
        if (!sel[i]) {
            continue;
        }
        const char *fname = bmx_dataset_image(ds, i)->file_name;
        if (bmx__name_escapes(fname)) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: images[%zu].file_name: '%s' is absolute or has a '..' part: it "
                           "would escape the image and output folders",
                           input_name, i, fname);
            goto cleanup;
        }
        in_paths[i] = bmx__draw_path_join3(images_root, fname, "");
        if (in_paths[i] == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory for paths");
            goto cleanup;
        }
    }
    /* A sheet inside the drawing folder may not take a drawing's place. */
    if (job->sheet != NULL) {
        char *rs = bmx__resolve_path(job->sheet), *ro = bmx__resolve_path(out_dir);
        size_t lo = ro != NULL ? strlen(ro) : 0;
        bool inside = rs != NULL && ro != NULL && strncmp(rs, ro, lo) == 0 && rs[lo] == '/';
        for (size_t i = 0; inside && i < n && st == BMX_OK; i++) {
            if (sel[i] && strcmp(rs + lo + 1, names[i]) == 0) {
                st = bmx__fail(err, BMX_E_INVALID,
                               "%s: the contact sheet would replace the drawing of %s: images[%zu] (%s)",
                               job->sheet, input_name, i, bmx_dataset_image(ds, i)->file_name);
            }
        }
        if ((rs == NULL || ro == NULL) && st == BMX_OK) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory for paths");
        }
        free(rs);
        free(ro);
        if (st != BMX_OK) {
            goto cleanup;
        }
    }
    if (job->sheet != NULL) {
        struct bmx_image *sizes = bmx__alloc_array(count > 0 ? count : 1, sizeof *sizes);
        if (sizes == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu images", count);
            goto cleanup;
        }
        for (size_t i = 0, k = 0; i < n; i++) {
            if (sel[i]) {
                const struct bmx_image_info *info = bmx_dataset_image(ds, i);
                sizes[k++] = (struct bmx_image){info->width, info->height, 3, 0, NULL};
            }
        }
        int64_t height = bmx__draw_sheet_height(sizes, count, job->sheet_width);
        free(sizes);
        if (height > BMX__SHEET_MAX_HEIGHT) {
            st = bmx__fail(err, BMX_E_LIMIT,
                           "%s: a sheet of %zu images would be more than %d pixels high: "
                           "draw fewer images",
                           job->sheet, count, BMX__SHEET_MAX_HEIGHT);
            goto cleanup;
        }
        int32_t cols;
        bmx__draw_sheet_grid(job->sheet_width, &cols, &ctx.thumb_w);
        thumbs = calloc(count > 0 ? count : 1, sizeof *thumbs);
        captions = calloc(count > 0 ? count : 1, sizeof *captions);
        if (thumbs == NULL || captions == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu thumbnails", count);
            goto cleanup;
        }
    }
    st = bmx__outdir_open(&od, out_dir, err);
    if (st != BMX_OK) {
        goto cleanup;
    }
    bmx__outdir_remove_temps(&od, (const char *const[]){images_root}, 1);

    struct bmx__progress progress;
    bmx__progress_init(&progress, job->progress, job->progress_ctx);
    bmx__progress_stage(&progress, "drawing", BMX_PROGRESS_IMAGES, count + inputs.count);
    for (size_t i = 0; i < n && st == BMX_OK; i++) {
        if (!sel[i]) {
            continue;
        }
        if (job->cancel != NULL && *job->cancel) {
            st = bmx__fail(err, BMX_E_INTERRUPTED, "%s: interrupted after %" PRIu64 " drawings",
                           out_dir, sum.images);
            break;
        }
        const struct bmx_image_info *info = bmx_dataset_image(ds, i);
        size_t n_obj = bmx_dataset_object_count(ds, i);
        st = draw_one(&ctx, i, in_paths[i], od.fd, names[i],
                      thumbs != NULL ? &thumbs[n_thumbs] : NULL, err);
        if (st != BMX_OK) {
            bmx__prefix(err, st, "%s: images[%zu]", input_name, i);
            break;
        }
        if (thumbs != NULL) {
            char cap[64];
            snprintf(cap, sizeof cap, ": %zu object%s", n_obj, n_obj == 1 ? "" : "s");
            captions[n_thumbs] = bmx__draw_path_join3("", info->file_name, cap);
            n_thumbs++;
            if (captions[n_thumbs - 1] == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "out of memory for captions");
            }
        }
        sum.images++;
        sum.objects += n_obj;
        bmx__progress_step(&progress);
    }
    if (inputs.count > 0 && st == BMX_OK) {
        struct bmx_category *in_cats =
            bmx__alloc_array(bmx_dataset_category_count(inputs.ds) + 1, sizeof *in_cats);
        struct run_ctx in_ctx = {job, inputs.ds, in_cats, bmx_dataset_category_count(inputs.ds),
                                 0, NULL, NULL};
        if (in_cats == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        }
        for (size_t k = 0; in_cats != NULL && k < in_ctx.n_cats; k++) {
            in_cats[k] = *bmx_dataset_category(inputs.ds, k);
        }
        for (size_t j = 0; j < inputs.n && st == BMX_OK; j++) {
            if (!inputs.sel[j]) {
                continue;
            }
            if (job->cancel != NULL && *job->cancel) {
                st = bmx__fail(err, BMX_E_INTERRUPTED, "%s: interrupted after %" PRIu64 " drawings",
                               out_dir, sum.images);
                break;
            }
            st = draw_one(&in_ctx, j, inputs.paths[j], od.fd, inputs.names[j], NULL, err);
            if (st != BMX_OK) {
                bmx__prefix(err, st, "%s: images[%zu]", job->inputs.annotations, j);
                break;
            }
            sum.images++;
            sum.objects += bmx_dataset_object_count(inputs.ds, j);
            bmx__progress_step(&progress);
        }
        free(in_cats);
    }
    if (st == BMX_OK && job->html != NULL) {
        struct bmx__report_in rin = {ds,        sel,   names,      dec,
                                     n_dec,     dec_image, stats,  input_name,
                                     inputs.ds, inputs.sel, inputs.names};
        st = bmx__report_write(od.fd, out_dir, &rin, err);
    }
    if (st == BMX_OK && job->sheet != NULL) {
        st = bmx_draw_sheet(thumbs, (const char *const *)captions, n_thumbs, job->sheet_width,
                            &sheet, err);
        if (st == BMX_OK) {
            st = bmx_image_write(job->sheet, &sheet, sheet_fmt, job->quality, err);
        }
    }

cleanup:
    bmx__outdir_close(&od);
    free(dec);
    free(dec_image);
    free(dropped_first);
    free(dropped);
    bmx_stats_free(stats);
    bmx__draw_inputs_free(&inputs);
    bmx__guard_free(&guard);
    if (summary != NULL) {
        *summary = sum;
    }
    for (size_t k = 0; k < n_thumbs; k++) {
        bmx_image_free(&thumbs[k]);
        free(captions[k]);
    }
    for (size_t i = 0; i < n; i++) {
        if (names != NULL) {
            free(names[i]);
        }
        if (in_paths != NULL) {
            free(in_paths[i]);
        }
    }
    bmx_image_free(&sheet);
    free(thumbs);
    free(captions);
    free(cats);
    free(in_paths);
    free(names);
    free(sel);
    bmx_dataset_free(ds);
    free(root_copy);
    return st;
}
