/* SPDX-License-Identifier: MIT */
/* The CutMix family's front: the operations' options (defaults and checks), the record, and bmx_op_apply, which checks what every operation
 * needs and hands the inputs to the operation's entry. */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void bmx_op_options_init(struct bmx_op_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
    opts->op = BMX_OP_CUTMIX;
    bmx_cutmix_options_init(&opts->cutmix);
    opts->source_fit = BMX_FIT_RESIZE;
    opts->holes = 1;
    opts->fill = BMX_FILL_MEAN;
    opts->mix_alpha = 32.0;
    opts->mix_ratio = -1.0;
    opts->mosaic_size = 640;
    opts->paste_prob = 0.5;
}

/* Every message names the field, so a tool or a recipe reader can say where. */
static bmx_status check_fields(const struct bmx_op_options *o, bmx_error *err)
{
    if (bmx_op_name(o->op) == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "op: unknown operation %d", (int)o->op);
    }
    bmx_status st = bmx_cutmix_options_check(&o->cutmix, err);
    if (st != BMX_OK) {
        return st;
    }
    if (o->source_fit != BMX_FIT_RESIZE && o->source_fit != BMX_FIT_LETTERBOX &&
        o->source_fit != BMX_FIT_CROP) {
        return bmx__fail(err, BMX_E_INVALID, "source_fit: unknown source fit %d",
                         (int)o->source_fit);
    }
    if (o->source_fit == BMX_FIT_CROP && o->op != BMX_OP_CUTMIX) {
        return bmx__fail(err, BMX_E_INVALID, "source_fit: crop goes with cutmix only, not %s",
                         bmx_op_name(o->op));
    }
    if (o->holes < 1 || o->holes > BMX_MAX_HOLES) {
        return bmx__fail(err, BMX_E_INVALID, "holes: must be an integer in [1, %d], got %d",
                         BMX_MAX_HOLES, o->holes);
    }
    if (o->fill != BMX_FILL_MEAN && o->fill != BMX_FILL_CONSTANT && o->fill != BMX_FILL_NOISE) {
        return bmx__fail(err, BMX_E_INVALID, "fill: unknown fill %d", (int)o->fill);
    }
    if (!isfinite(o->mix_alpha) || !(o->mix_alpha > 0.0)) {
        return bmx__fail(err, BMX_E_INVALID, "mix_alpha: must be a finite number > 0, got %g",
                         o->mix_alpha);
    }
    if (isnan(o->mix_ratio) || o->mix_ratio > 1.0) {
        return bmx__fail(err, BMX_E_INVALID,
                         "mix_ratio: must be a number in [0, 1] (negative: drawn), got %g",
                         o->mix_ratio);
    }
    if (o->mosaic_size < 16 || o->mosaic_size > 16384) {
        return bmx__fail(err, BMX_E_INVALID,
                         "mosaic_size: must be an integer in [16, 16384], got %d",
                         (int)o->mosaic_size);
    }
    if (!(o->paste_prob >= 0.0) || !(o->paste_prob <= 1.0)) {
        return bmx__fail(err, BMX_E_INVALID, "paste_prob: must be a number in [0, 1], got %g",
                         o->paste_prob);
    }
    return BMX_OK;
}

bmx_status bmx__op_options_read(const struct bmx_op_options *in, struct bmx_op_options *out,
                                bmx_error *err)
{
    bmx_op_options_init(out);
    bmx_status st = bmx__sized_read(out, sizeof *out, in, "struct bmx_op_options", err);
    if (st != BMX_OK) {
        return st;
    }
    st = bmx__sized_member(&out->cutmix, sizeof out->cutmix,
                           offsetof(struct bmx_op_options, cutmix), bmx__sized_given(in),
                           "struct bmx_cutmix_options", err);
    if (st != BMX_OK) {
        return st;
    }
    return check_fields(out, err);
}

bmx_status bmx_op_options_check(const struct bmx_op_options *opts, bmx_error *err)
{
    if (opts == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "operation options: NULL");
    }
    struct bmx_op_options given;
    return bmx__op_options_read(opts, &given, err);
}

void bmx_op_record_free(struct bmx_op_record *record)
{
    if (record == NULL) {
        return;
    }
    free(record->pasted_annotation_ids);
    memset(record, 0, sizeof *record);
}

void bmx__op_decision(struct bmx_decision *d, enum bmx_origin from, int input, size_t index,
                      const struct bmx_object *in, struct bmx_box before, bool kept,
                      const struct bmx_object *o, const struct bmx__verdict *v)
{
    memset(d, 0, sizeof *d);
    d->from = from;
    d->input = input;
    d->index = index;
    d->annotation_id = in->id;
    d->category_id = in->category_id;
    d->iscrowd = in->iscrowd;
    d->visibility = v->visibility;
    d->visible_area = v->visible;
    d->before = before;
    d->box = kept ? o->bbox : v->box;
    d->rule = kept ? BMX_DROP_NONE : (v->rule == BMX_DROP_NONE ? BMX_DROP_NO_AREA : v->rule);
    d->kind = !kept ? BMX_DECIDED_DROPPED : o->touched ? BMX_DECIDED_CLIPPED : BMX_DECIDED_KEPT;
}

void bmx__op_count(struct bmx_cutmix_stats *stats, bool kept, const struct bmx_object *o)
{
    if (!kept) {
        stats->dropped++;
        return;
    }
    if (o->touched) {
        stats->clipped++;
    } else {
        stats->kept_whole++;
    }
    if ((o->seg_kind == BMX_SEG_POLYGON && o->polys.count > 0) || o->seg_kind == BMX_SEG_RLE) {
        stats->masked++;
    }
    if (o->has_keypoints) {
        stats->with_keypoints++;
        stats->keypoints_hidden += o->keypoints_hidden;
    }
}

/* The inputs every operation needs: as many as it takes, each with a positive
 * size and its objects, all with pixels of one channel count or none with any. */
static bmx_status check_inputs(enum bmx_op op, const struct bmx_sample *const *in, size_t n,
                               bool *pixels, bmx_error *err)
{
    if (n != bmx_op_inputs(op)) {
        return bmx__fail(err, BMX_E_INVALID, "%s: takes %zu inputs, got %zu", bmx_op_name(op),
                         bmx_op_inputs(op), n);
    }
    size_t with = 0;
    for (size_t k = 0; k < n; k++) {
        if (in[k] == NULL) {
            return bmx__fail(err, BMX_E_INVALID, "%s: input %zu is NULL", bmx_op_name(op), k);
        }
        if (in[k]->image.w <= 0 || in[k]->image.h <= 0) {
            return bmx__fail(err, BMX_E_INVALID, "%s: input %zu: empty image (%dx%d)",
                             bmx_op_name(op), k, (int)in[k]->image.w, (int)in[k]->image.h);
        }
        if (in[k]->n_objects > 0 && in[k]->objects == NULL) {
            return bmx__fail(err, BMX_E_INVALID, "%s: input %zu: objects missing",
                             bmx_op_name(op), k);
        }
        if (in[k]->image.data != NULL) {
            bmx_status st = bmx__image_check_view(&in[k]->image, err);
            if (st != BMX_OK) {
                return bmx__prefix(err, st, "%s: input %zu", bmx_op_name(op), k);
            }
            if (in[k]->image.channels != in[0]->image.channels) {
                return bmx__fail(err, BMX_E_INVALID,
                                 "%s: input %zu has %d channels, the base %d", bmx_op_name(op),
                                 k, (int)in[k]->image.channels, (int)in[0]->image.channels);
            }
            with++;
        }
    }
    if (with != 0 && with != n) {
        return bmx__fail(err, BMX_E_INVALID,
                         "%s: either every input has pixels or none (a dry run)",
                         bmx_op_name(op));
    }
    *pixels = with == n;
    return BMX_OK;
}

static bmx__op_entry entry_of(enum bmx_op op)
{
    switch (op) {
    case BMX_OP_CUTMIX:
        return bmx__op_cutmix;
    case BMX_OP_CUTOUT:
        return bmx__op_cutout;
    case BMX_OP_MOSAIC:
        return bmx__op_mosaic;
    case BMX_OP_MIXUP:
        return bmx__op_mixup;
    case BMX_OP_COPYPASTE:
        return bmx__op_copypaste;
    default:
        return NULL;
    }
}

bmx_status bmx_op_apply(const struct bmx_op_options *opts, const struct bmx_sample *const *inputs,
                        size_t n_inputs, bmx_rng *rng, struct bmx_sample *out,
                        struct bmx_op_record *record, struct bmx_cutmix_stats *stats,
                        struct bmx_decision *decisions, bmx_error *err)
{
    return bmx__op_apply_into(opts, inputs, n_inputs, rng, NULL, out, record, stats, decisions,
                              err);
}

bmx_status bmx__op_apply_into(const struct bmx_op_options *opts,
                              const struct bmx_sample *const *inputs, size_t n_inputs,
                              bmx_rng *rng, struct bmx__op_scratch *sc, struct bmx_sample *out,
                              struct bmx_op_record *record, struct bmx_cutmix_stats *stats,
                              struct bmx_decision *decisions, bmx_error *err)
{
    if (out != NULL) {
        memset(out, 0, sizeof *out);
    }
    if (record != NULL) {
        memset(record, 0, sizeof *record);
    }
    if (stats != NULL) {
        memset(stats, 0, sizeof *stats);
    }
    if (opts == NULL || (inputs == NULL && n_inputs > 0) || rng == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "operation: NULL argument");
    }
    struct bmx_op_options o;
    bmx_status st = bmx__op_options_read(opts, &o, err);
    if (st != BMX_OK) {
        return st;
    }
    bool pixels = false;
    st = check_inputs(o.op, inputs, n_inputs, &pixels, err);
    if (st != BMX_OK) {
        return st;
    }
    bmx__op_entry entry = entry_of(o.op);
    if (entry == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "%s: not in this library", bmx_op_name(o.op));
    }
    struct bmx_op_record rec;
    struct bmx_cutmix_stats counts;
    memset(&rec, 0, sizeof rec);
    memset(&counts, 0, sizeof counts);
    rec.op = o.op;
    st = entry(&o, inputs, pixels, rng, sc, out, &rec, &counts, decisions, err);
    if (st != BMX_OK) {
        bmx_op_record_free(&rec);
        return st;
    }
    if (record != NULL) {
        *record = rec;
    } else {
        bmx_op_record_free(&rec);
    }
    if (stats != NULL) {
        *stats = counts;
    }
    return BMX_OK;
}

bmx_status bmx_op_at(const struct bmx_op_options *opts, const struct bmx_sample *const *inputs,
                     size_t n_inputs, uint64_t seed, uint64_t index, struct bmx_sample *out,
                     struct bmx_op_record *record, struct bmx_cutmix_stats *stats, bmx_error *err)
{
    bmx_rng rng;
    bmx_rng_seed_op(&rng, seed, index);
    return bmx_op_apply(opts, inputs, n_inputs, &rng, out, record, stats, NULL, err);
}

/* The one-operation calls: the caller's options (or the defaults) with `op` set. */
static bmx_status op_at(enum bmx_op op, const struct bmx_op_options *opts,
                        const struct bmx_sample *const *inputs, size_t n, uint64_t seed,
                        uint64_t index, struct bmx_sample *out, struct bmx_op_record *record,
                        struct bmx_cutmix_stats *stats, bmx_error *err)
{
    struct bmx_op_options o;
    if (opts != NULL) {
        bmx_status st = bmx__op_options_read(opts, &o, err);
        if (st != BMX_OK) {
            return st;
        }
    } else {
        bmx_op_options_init(&o);
    }
    o.op = op;
    return bmx_op_at(&o, inputs, n, seed, index, out, record, stats, err);
}

bmx_status bmx_cutout_at(const struct bmx_op_options *opts, const struct bmx_sample *a,
                         uint64_t seed, uint64_t index, struct bmx_sample *out,
                         struct bmx_op_record *record, struct bmx_cutmix_stats *stats,
                         bmx_error *err)
{
    const struct bmx_sample *in[1] = {a};
    return op_at(BMX_OP_CUTOUT, opts, in, 1, seed, index, out, record, stats, err);
}

bmx_status bmx_mixup_at(const struct bmx_op_options *opts, const struct bmx_sample *a,
                        const struct bmx_sample *b, uint64_t seed, uint64_t index,
                        struct bmx_sample *out, struct bmx_op_record *record,
                        struct bmx_cutmix_stats *stats, bmx_error *err)
{
    const struct bmx_sample *in[2] = {a, b};
    return op_at(BMX_OP_MIXUP, opts, in, 2, seed, index, out, record, stats, err);
}

bmx_status bmx_mosaic_at(const struct bmx_op_options *opts, const struct bmx_sample *const inputs[4],
                         uint64_t seed, uint64_t index, struct bmx_sample *out,
                         struct bmx_op_record *record, struct bmx_cutmix_stats *stats,
                         bmx_error *err)
{
    if (inputs == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "mosaic: NULL inputs");
    }
    return op_at(BMX_OP_MOSAIC, opts, inputs, 4, seed, index, out, record, stats, err);
}

bmx_status bmx_copypaste_at(const struct bmx_op_options *opts, const struct bmx_sample *a,
                            const struct bmx_sample *b, uint64_t seed, uint64_t index,
                            struct bmx_sample *out, struct bmx_op_record *record,
                            struct bmx_cutmix_stats *stats, bmx_error *err)
{
    const struct bmx_sample *in[2] = {a, b};
    return op_at(BMX_OP_COPYPASTE, opts, in, 2, seed, index, out, record, stats, err);
}

/* One uniform draw of the recipe's own stream against the running sum of the
 * weights; a one-entry recipe draws nothing. Weights whose sum passes the largest
 * double are all divided by the largest first (the same shares; sums that are
 * finite are used as they are, so their picks never change). */
size_t bmx_recipe_pick(const struct bmx_recipe_entry *entries, size_t n, uint64_t seed,
                       uint64_t index)
{
    if (entries == NULL || n <= 1) {
        return 0;
    }
    double total = 0.0, largest = 0.0;
    for (size_t q = 0; q < n; q++) {
        total += entries[q].weight;
        if (entries[q].weight > largest) {
            largest = entries[q].weight;
        }
    }
    const double scale = isfinite(total) ? 1.0 : largest;
    if (scale != 1.0) {
        total = 0.0;
        for (size_t q = 0; q < n; q++) {
            total += entries[q].weight / scale;
        }
    }
    bmx_rng rng;
    bmx__rng_seed_tagged(&rng, seed, BMX_RNG_TAG_RECIPE, index);
    double u = bmx_rng_uniform(&rng) * total;
    double run = 0.0;
    for (size_t q = 0; q < n; q++) {
        run += entries[q].weight / scale;
        if (u < run) {
            return q;
        }
    }
    return n - 1;
}
