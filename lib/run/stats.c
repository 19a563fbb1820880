/* SPDX-License-Identifier: MIT */
/* Dataset statistics, counted on the dataset model: whatever format a reader
 * fills it from (COCO, VOC, and YOLO once its reader lands) has them. boxmix's
 * own records (each image's `boxmix.op` and `lambda`, each object's `boxmix.from`
 * and `visibility`) are read where present, and a decision log adds what the run
 * dropped. */
#include "stats.h"

#include "coco.h"
#include "input.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double per_image_edges[] = {0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50, 100};
static const double side_edges[] = {0, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
static const double area_edges[] = {0, 16, 64, 256, 1024, 4096, 9216, 16384, 65536, 262144};
static const double aspect_edges[] = {0, 0.125, 0.25, 0.5, 0.75, 1, 1.5, 2, 4, 8};
static const double unit_edges[] = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};

#define EDGES(a) (a), (sizeof(a) / sizeof((a)[0]))

static void dist_init(struct bmx__dist *d, const double *edges, size_t n)
{
    memset(d, 0, sizeof *d);
    d->edges = edges;
    d->n_edges = n;
}

static bool dist_add(struct bmx__dist *d, double v)
{
    if (!isfinite(v)) {
        return true;
    }
    if (d->count == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 64;
        double *p = bmx__realloc_array(d->values, ncap, sizeof *p);
        if (p == NULL) {
            return false;
        }
        d->values = p;
        d->cap = ncap;
    }
    d->values[d->count++] = v;
    d->min = d->count == 1 ? v : fmin(d->min, v);
    d->max = d->count == 1 ? v : fmax(d->max, v);
    d->sum += v;
    size_t bin = 0;
    while (bin + 1 < d->n_edges && v >= d->edges[bin + 1]) {
        bin++;
    }
    d->counts[bin]++;
    return true;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median, then the values are let go. */
static void dist_finish(struct bmx__dist *d)
{
    if (d->count > 0) {
        qsort(d->values, d->count, sizeof *d->values, cmp_double);
        size_t m = d->count / 2;
        d->median = d->count % 2 ? d->values[m] : (d->values[m - 1] + d->values[m]) / 2.0;
    }
    free(d->values);
    d->values = NULL;
    d->cap = 0;
}

static int cmp_cat(const void *a, const void *b)
{
    const struct bmx__cat_stats *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static struct bmx__cat_stats *find_cat(bmx_stats *s, int64_t id)
{
    struct bmx__cat_stats key;
    key.id = id;
    return bsearch(&key, s->cats, s->n_cats, sizeof *s->cats, cmp_cat);
}

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p != NULL) {
        memcpy(p, s, n);
    }
    return p;
}

static bool count_op(bmx_stats *s, const char *op)
{
    for (size_t i = 0; i < s->n_ops; i++) {
        if (strcmp(s->op_names[i], op) == 0) {
            s->op_counts[i]++;
            return true;
        }
    }
    if (s->n_ops == BMX__MAX_OPS) {
        op = "other";
        if (s->op_names[BMX__MAX_OPS] == NULL) {
            s->op_names[BMX__MAX_OPS] = dup(op);
            if (s->op_names[BMX__MAX_OPS] == NULL) {
                return false;
            }
        }
        s->op_counts[BMX__MAX_OPS]++;
        return true;
    }
    s->op_names[s->n_ops] = dup(op);
    if (s->op_names[s->n_ops] == NULL) {
        return false;
    }
    s->op_counts[s->n_ops++]++;
    return true;
}

static void dist_free(struct bmx__dist *d)
{
    free(d->values);
    d->values = NULL;
}

void bmx_stats_free(bmx_stats *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t c = 0; c < s->n_cats; c++) {
        free((char *)s->cats[c].name);
    }
    free(s->cats);
    for (size_t i = 0; i <= BMX__MAX_OPS; i++) {
        free(s->op_names[i]);
    }
    struct bmx__dist *all[] = {&s->per_image, &s->width,      &s->height,        &s->area,
                               &s->aspect,    &s->lambda,     &s->visibility, &s->dec_visibility};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        dist_free(all[i]);
    }
    free(s->input_name);
    free(s->decisions_name);
    free(s);
}

static bmx_status count_objects(bmx_stats *s, const bmx_dataset *ds)
{
    for (size_t i = 0; i < ds->n_images; i++) {
        const struct bmx_image_info *info = &ds->images[i];
        const size_t n = ds->img_count[i];
        bool ok = dist_add(&s->per_image, (double)n);
        s->images_empty += n == 0;
        const char *op = bmx__extra_string(info->extra, "boxmix", "op");
        if (op != NULL) {
            s->boxmix = true;
            ok = ok && count_op(s, op);
            double lambda;
            if (bmx__extra_numbers(info->extra, "boxmix", "lambda", &lambda, 1)) {
                ok = ok && dist_add(&s->lambda, lambda);
            }
        }
        for (size_t q = 0; q < n && ok; q++) {
            const struct bmx_object *o = &ds->objects[ds->img_first[i] + q];
            struct bmx__cat_stats *c = find_cat(s, o->category_id);
            s->objects++;
            if (c == NULL) {
                s->unknown_category++;
            } else {
                c->objects++;
                c->crowd += o->iscrowd != 0;
                if (c->last_image != i + 1) {
                    c->images++;
                    c->last_image = i + 1;
                }
            }
            s->crowd += o->iscrowd != 0;
            if (o->seg_kind == BMX_SEG_POLYGON && o->polys.count > 0) {
                s->masks_polygon++;
            } else if (o->seg_kind == BMX_SEG_RLE) {
                s->masks_rle++;
            } else {
                s->masks_none++;
            }
            const struct bmx_box b = o->bbox;
            ok = dist_add(&s->width, b.w) && dist_add(&s->height, b.h);
            if (b.h > 0) {
                ok = ok && dist_add(&s->aspect, b.w / b.h);
            }
            /* COCO's evaluation sizes objects by their `area`. */
            double area = o->has_area ? o->area : b.w * b.h;
            ok = ok && dist_add(&s->area, area);
            if (area < 32.0 * 32.0) {
                s->coco_small++;
            } else if (area < 96.0 * 96.0) {
                s->coco_medium++;
            } else {
                s->coco_large++;
            }
            const char *from = bmx__extra_string(o->extra, "boxmix", "from");
            if (from != NULL) {
                const bool base = strcmp(from, "base") == 0;
                const bool source = strcmp(from, "source") == 0;
                const bool original = strcmp(from, "original") == 0;
                const bool tile = strcmp(from, "tile") == 0;
                s->from_base += base;
                s->from_source += source;
                s->from_original += original;
                s->from_tile += tile;
                if (c != NULL) {
                    c->from_base += base;
                    c->from_source += source;
                    c->from_original += original;
                    c->from_tile += tile;
                }
                if (base || source || tile) {
                    double v = 1.0;
                    bmx__extra_numbers(o->extra, "boxmix", "visibility", &v, 1);
                    ok = ok && dist_add(&s->visibility, v);
                    if (c != NULL) {
                        c->whole += v >= 1.0;
                        c->clipped += v < 1.0;
                    }
                }
            }
        }
        if (!ok) {
            return BMX_E_NOMEM;
        }
    }
    return BMX_OK;
}

bmx_status bmx__stats_of(const bmx_dataset *ds, const char *name, const char *format,
                         const struct bmx__decision_rec *dec, size_t n_dec,
                         const char *decisions_name, bmx_stats **out, bmx_error *err)
{
    *out = NULL;
    bmx_stats *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    s->format = format;
    s->input_name = dup(name);
    dist_init(&s->per_image, EDGES(per_image_edges));
    dist_init(&s->width, EDGES(side_edges));
    dist_init(&s->height, EDGES(side_edges));
    dist_init(&s->area, EDGES(area_edges));
    dist_init(&s->aspect, EDGES(aspect_edges));
    dist_init(&s->lambda, EDGES(unit_edges));
    dist_init(&s->visibility, EDGES(unit_edges));
    dist_init(&s->dec_visibility, EDGES(unit_edges));
    s->images = ds->n_images;
    s->n_cats = ds->n_cats;
    s->cats = calloc(ds->n_cats ? ds->n_cats : 1, sizeof *s->cats);
    bmx_status st = s->input_name != NULL && s->cats != NULL ? BMX_OK : BMX_E_NOMEM;
    for (size_t c = 0; c < ds->n_cats && st == BMX_OK; c++) {
        s->cats[c].id = ds->cats[c].id;
        s->cats[c].name = dup(ds->cats[c].name != NULL ? ds->cats[c].name : "");
        st = s->cats[c].name != NULL ? BMX_OK : BMX_E_NOMEM;
    }
    if (st == BMX_OK) {
        qsort(s->cats, s->n_cats, sizeof *s->cats, cmp_cat);
        st = count_objects(s, ds);
    }
    if (st == BMX_OK && decisions_name != NULL) {
        s->decisions_name = dup(decisions_name);
        st = s->decisions_name != NULL ? BMX_OK : BMX_E_NOMEM;
        for (size_t i = 0; i < n_dec && st == BMX_OK; i++) {
            const struct bmx_decision *d = &dec[i].d;
            struct bmx__cat_stats *c = find_cat(s, d->category_id);
            const int rule = d->rule >= 0 && d->rule < 5 ? (int)d->rule : 0;
            s->dec_total++;
            s->dec_kept += d->kind == BMX_DECIDED_KEPT;
            s->dec_clipped += d->kind == BMX_DECIDED_CLIPPED;
            s->dec_dropped += d->kind == BMX_DECIDED_DROPPED;
            s->dec_rules[rule] += d->kind == BMX_DECIDED_DROPPED;
            if (c != NULL) {
                c->considered++;
                c->kept += d->kind == BMX_DECIDED_KEPT;
                c->dec_clipped += d->kind == BMX_DECIDED_CLIPPED;
                c->dropped += d->kind == BMX_DECIDED_DROPPED;
                c->rules[rule] += d->kind == BMX_DECIDED_DROPPED;
            }
            if (!dist_add(&s->dec_visibility, d->visibility)) {
                st = BMX_E_NOMEM;
            }
        }
    }
    if (st != BMX_OK) {
        bmx_stats_free(s);
        return bmx__fail(err, st, "statistics: out of memory");
    }
    const uint64_t made = s->from_base + s->from_source + s->from_tile;
    if (decisions_name != NULL && s->dec_kept + s->dec_clipped != made) {
        /* A log of another run (or of one shard) would count objects it did not make. */
        st = bmx__fail(err, BMX_E_SCHEMA,
                       "%s: not the decision log of %s: it keeps %" PRIu64
                       " objects, the dataset holds %" PRIu64 " made by an operation",
                       decisions_name, name, s->dec_kept + s->dec_clipped, made);
        bmx_stats_free(s);
        return st;
    }
    struct bmx__dist *all[] = {&s->per_image, &s->width,      &s->height,     &s->area,
                               &s->aspect,    &s->lambda,     &s->visibility, &s->dec_visibility};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        dist_finish(all[i]);
    }
    *out = s;
    return BMX_OK;
}

void bmx_stats_options_init(struct bmx_stats_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
    bmx_input_init(&opts->input);
    bmx_limits_init(&opts->limits);
}

bmx_status bmx_stats_compute(const struct bmx_stats_options *given, bmx_stats **out,
                             bmx_error *err)
{
    struct bmx_stats_options o;
    bmx_dataset *ds = NULL;
    char *root = NULL;
    struct bmx__decision_rec *dec = NULL;
    size_t n_dec = 0;
    if (out == NULL || given == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "stats: NULL argument");
    }
    *out = NULL;
    bmx_stats_options_init(&o);
    bmx_status st = bmx__sized_read(&o, sizeof o, given, "struct bmx_stats_options", err);
    if (st == BMX_OK) {
        st = bmx__input_member(&o.input, offsetof(struct bmx_stats_options, input),
                               bmx__sized_given(given), "struct bmx_stats_options.input", err);
    }
    if (st == BMX_OK && o.input.annotations == NULL) {
        st = bmx__fail(err, BMX_E_INVALID, "stats: no dataset given");
    }
    if (st == BMX_OK) {
        st = bmx__input_images_root(&o.input, &root, err);
    }
    if (st == BMX_OK) {
        st = bmx__read_input(&o.input, root, &o.limits, &ds, NULL, err);
    }
    if (st == BMX_OK && o.decisions != NULL) {
        st = bmx__decisions_read(o.decisions, &dec, &n_dec, err);
    }
    if (st == BMX_OK) {
        st = bmx__stats_of(ds, o.input.annotations,
                           o.input.format == BMX_DATASET_VOC    ? "voc"
                           : o.input.format == BMX_DATASET_YOLO ? "yolo"
                                                                : "coco",
                           dec, n_dec, o.decisions, out, err);
    }
    free(dec);
    free(root);
    bmx_dataset_free(ds);
    return st;
}
