/* SPDX-License-Identifier: MIT */
/* CutMix's options and its patch: Beta(alpha, alpha) area or side ratios, the
 * placements (anywhere, avoid-base, source-object), corners on whole pixels
 * (DESIGN.md, "CutMix" 1 and "Other operations"). */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void bmx_cutmix_options_init(struct bmx_cutmix_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
    opts->alpha = 1.0;
    opts->mode = BMX_PATCH_BETA;
    opts->ratio_lo = 0.3;
    opts->ratio_hi = 0.7;
    opts->placement = BMX_PLACE_ANYWHERE;
    opts->tries = 10;
    opts->min_visibility = 0.10;
    opts->min_area = 0.0;
    opts->min_size = 2.0;
    opts->mask_format = BMX_MASK_KEEP;
}

/* The options that drawing a patch depends on. */
static bmx_status check_patch_options(const struct bmx_cutmix_options *opts, bmx_error *err)
{
    if (opts->mode != BMX_PATCH_BETA && opts->mode != BMX_PATCH_RATIO) {
        return bmx__fail(err, BMX_E_INVALID, "mode: unknown patch mode %d", (int)opts->mode);
    }
    if (!isfinite(opts->alpha) || !(opts->alpha > 0.0)) {
        return bmx__fail(err, BMX_E_INVALID, "alpha: must be a finite number > 0, got %g",
                         opts->alpha);
    }
    if (!isfinite(opts->ratio_lo) || !(opts->ratio_lo > 0.0) || !(opts->ratio_lo <= 1.0)) {
        return bmx__fail(err, BMX_E_INVALID, "ratio_lo: must be a number in (0, 1], got %g",
                         opts->ratio_lo);
    }
    if (!isfinite(opts->ratio_hi) || !(opts->ratio_hi > 0.0) || !(opts->ratio_hi <= 1.0)) {
        return bmx__fail(err, BMX_E_INVALID, "ratio_hi: must be a number in (0, 1], got %g",
                         opts->ratio_hi);
    }
    if (opts->ratio_lo > opts->ratio_hi) {
        return bmx__fail(err, BMX_E_INVALID,
                         "ratio_lo, ratio_hi: lo must not exceed hi, got %g > %g",
                         opts->ratio_lo, opts->ratio_hi);
    }
    if (opts->placement != BMX_PLACE_ANYWHERE && opts->placement != BMX_PLACE_AVOID_BASE &&
        opts->placement != BMX_PLACE_SOURCE_OBJECT) {
        return bmx__fail(err, BMX_E_INVALID, "placement: unknown placement %d",
                         (int)opts->placement);
    }
    if (opts->tries < 1 || opts->tries > 1000) {
        return bmx__fail(err, BMX_E_INVALID, "tries: must be an integer in [1, 1000], got %d",
                         opts->tries);
    }
    return BMX_OK;
}

bmx_status bmx__cutmix_options_read(const struct bmx_cutmix_options *in,
                                    struct bmx_cutmix_options *out, bmx_error *err)
{
    bmx_cutmix_options_init(out);
    return bmx__sized_read(out, sizeof *out, in, "struct bmx_cutmix_options", err);
}

/* Every message names the option, so a tool can pass it on as it is. */
bmx_status bmx_cutmix_options_check(const struct bmx_cutmix_options *opts, bmx_error *err)
{
    if (opts == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "cutmix options: NULL");
    }
    struct bmx_cutmix_options given;
    bmx_status st = bmx__cutmix_options_read(opts, &given, err);
    if (st != BMX_OK) {
        return st;
    }
    opts = &given;
    st = check_patch_options(opts, err);
    if (st != BMX_OK) {
        return st;
    }
    if (!isfinite(opts->min_visibility) || !(opts->min_visibility >= 0.0) ||
        !(opts->min_visibility <= 1.0)) {
        return bmx__fail(err, BMX_E_INVALID,
                         "min_visibility: must be a number in [0, 1], got %g",
                         opts->min_visibility);
    }
    if (!isfinite(opts->min_area) || !(opts->min_area >= 0.0)) {
        return bmx__fail(err, BMX_E_INVALID, "min_area: must be a finite number >= 0, got %g",
                         opts->min_area);
    }
    if (!isfinite(opts->min_size) || !(opts->min_size >= 0.0)) {
        return bmx__fail(err, BMX_E_INVALID, "min_size: must be a finite number >= 0, got %g",
                         opts->min_size);
    }
    if (opts->mask_format != BMX_MASK_KEEP && opts->mask_format != BMX_MASK_RLE &&
        opts->mask_format != BMX_MASK_POLYGON) {
        return bmx__fail(err, BMX_E_INVALID, "mask_format: unknown mask format %d",
                         (int)opts->mask_format);
    }
    return BMX_OK;
}

/* ------------------------------------------------------------------------- */
/* Patch drawing                                                              */
/* ------------------------------------------------------------------------- */

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* Beta's patch size: sides W*sqrt(1-lambda), H*sqrt(1-lambda) (draws lambda). */
static void beta_size(const struct bmx_cutmix_options *opts, int32_t w, int32_t h, bmx_rng *rng,
                      double *cut_w, double *cut_h)
{
    double lambda = bmx_rng_beta(rng, opts->alpha, opts->alpha);
    double s = sqrt(clampd(1.0 - lambda, 0.0, 1.0));
    *cut_w = (double)w * s;
    *cut_h = (double)h * s;
}

/* A patch of cut_w x cut_h centred at (cx, cy), corners rounded to whole pixels and
 * clipped to the image. */
static void place_centred(int32_t w, int32_t h, double cut_w, double cut_h, double cx, double cy,
                          struct bmx_rect *out)
{
    double x0 = clampd(floor(cx - cut_w / 2.0 + 0.5), 0.0, (double)w);
    double x1 = clampd(floor(cx + cut_w / 2.0 + 0.5), 0.0, (double)w);
    double y0 = clampd(floor(cy - cut_h / 2.0 + 0.5), 0.0, (double)h);
    double y1 = clampd(floor(cy + cut_h / 2.0 + 0.5), 0.0, (double)h);
    out->x = (int32_t)x0;
    out->y = (int32_t)y0;
    out->w = (int32_t)(x1 - x0);
    out->h = (int32_t)(y1 - y0);
}

static void draw_beta(const struct bmx_cutmix_options *opts, int32_t w, int32_t h,
                      bmx_rng *rng, struct bmx_rect *out)
{
    double cut_w, cut_h;
    beta_size(opts, w, h, rng, &cut_w, &cut_h);
    double cx = bmx_rng_uniform(rng) * (double)w;
    double cy = bmx_rng_uniform(rng) * (double)h;
    place_centred(w, h, cut_w, cut_h, cx, cy, out);
}

/* The ratio draw's patch size: sides W*rw, H*rh rounded (draws rw, rh). */
static void ratio_size(const struct bmx_cutmix_options *opts, int32_t w, int32_t h, bmx_rng *rng,
                       int32_t *pw, int32_t *ph)
{
    double span = opts->ratio_hi - opts->ratio_lo;
    double rw = opts->ratio_lo + span * bmx_rng_uniform(rng);
    double rh = opts->ratio_lo + span * bmx_rng_uniform(rng);
    *pw = (int32_t)clampd(floor((double)w * rw + 0.5), 0.0, (double)w);
    *ph = (int32_t)clampd(floor((double)h * rh + 0.5), 0.0, (double)h);
}

static void draw_ratio(const struct bmx_cutmix_options *opts, int32_t w, int32_t h,
                       bmx_rng *rng, struct bmx_rect *out)
{
    int32_t pw, ph;
    ratio_size(opts, w, h, rng, &pw, &ph);
    out->x = (int32_t)bmx_rng_below(rng, (uint64_t)(w - pw) + 1u);
    out->y = (int32_t)bmx_rng_below(rng, (uint64_t)(h - ph) + 1u);
    out->w = pw;
    out->h = ph;
}

static void draw_one(const struct bmx_cutmix_options *opts, int32_t w, int32_t h,
                     bmx_rng *rng, struct bmx_rect *out)
{
    if (opts->mode == BMX_PATCH_RATIO) {
        draw_ratio(opts, w, h, rng, out);
    } else {
        draw_beta(opts, w, h, rng, out);
    }
}

/* Area of the rectangle covered by the box (0 for boxes with non-finite fields). */
static double rect_box_overlap(struct bmx_rect r, const struct bmx_box *b)
{
    if (!isfinite(b->x) || !isfinite(b->y) || !isfinite(b->w) || !isfinite(b->h)) {
        return 0.0;
    }
    double ix = fmin((double)r.x + r.w, b->x + b->w) - fmax((double)r.x, b->x);
    double iy = fmin((double)r.y + r.h, b->y + b->h) - fmax((double)r.y, b->y);
    if (!(ix > 0.0) || !(iy > 0.0)) {
        return 0.0;
    }
    return ix * iy;
}

bool bmx__anchor_candidate(const struct bmx_object *o)
{
    return o->iscrowd == 0 && isfinite(o->bbox.x) && isfinite(o->bbox.y) &&
           isfinite(o->bbox.w) && isfinite(o->bbox.h);
}

/* Whether the patch r keeps the anchor `o` (clipped to r, decided by the rules,
 * as the apply will decide it). */
static bmx_status anchor_kept(const struct bmx_cutmix_options *opts, const struct bmx_object *o,
                              struct bmx_rect r, int32_t w, int32_t h, bool *kept,
                              bmx_error *err)
{
    struct bmx_object tmp;
    bmx_status st = bmx__object_by_rect(opts, o, r, true, w, h, &tmp, kept, NULL, NULL, NULL, err);
    if (st == BMX_OK && *kept) {
        bmx_object_free(&tmp);
    }
    return st;
}

/* Placement source-object: the size drawn as usual, then the anchor among the
 * candidates (bmx_rng_below(count)) and the patch centred on its box's centre;
 * without a candidate the position is drawn as anywhere draws it, so the patch is
 * anywhere's. A patch too small to keep its anchor (a small patch on a large
 * object would leave less than min_visibility of it) grows to hold the anchor's
 * box, rounded outward to whole pixels: the anchor is then pasted whole, and every
 * output whose source has a candidate keeps a source object. */
static bmx_status draw_anchored(const struct bmx_cutmix_options *opts, int32_t w, int32_t h,
                                const struct bmx_object *src, size_t n_src, bmx_rng *rng,
                                struct bmx_rect *out, size_t *anchor, bmx_error *err)
{
    size_t count = 0;
    for (size_t i = 0; i < n_src; i++) {
        count += bmx__anchor_candidate(&src[i]) ? 1u : 0u;
    }
    double cut_w, cut_h;
    int32_t pw = 0, ph = 0;
    if (opts->mode == BMX_PATCH_RATIO) {
        ratio_size(opts, w, h, rng, &pw, &ph);
        cut_w = (double)pw;
        cut_h = (double)ph;
    } else {
        beta_size(opts, w, h, rng, &cut_w, &cut_h);
    }
    *anchor = SIZE_MAX;
    if (count == 0) {
        if (opts->mode == BMX_PATCH_RATIO) {
            out->x = (int32_t)bmx_rng_below(rng, (uint64_t)(w - pw) + 1u);
            out->y = (int32_t)bmx_rng_below(rng, (uint64_t)(h - ph) + 1u);
            out->w = pw;
            out->h = ph;
        } else {
            double cx = bmx_rng_uniform(rng) * (double)w;
            double cy = bmx_rng_uniform(rng) * (double)h;
            place_centred(w, h, cut_w, cut_h, cx, cy, out);
        }
        return BMX_OK;
    }
    uint64_t k = bmx_rng_below(rng, (uint64_t)count);
    for (size_t i = 0; i < n_src; i++) {
        if (bmx__anchor_candidate(&src[i]) && k-- == 0) {
            *anchor = i;
            break;
        }
    }
    const struct bmx_box *b = &src[*anchor].bbox;
    place_centred(w, h, cut_w, cut_h, b->x + b->w / 2.0, b->y + b->h / 2.0, out);
    bool kept = false;
    bmx_status st = anchor_kept(opts, &src[*anchor], *out, w, h, &kept, err);
    if (st != BMX_OK || kept) {
        return st;
    }
    double x0 = fmin((double)out->x, clampd(floor(b->x), 0.0, (double)w));
    double y0 = fmin((double)out->y, clampd(floor(b->y), 0.0, (double)h));
    double x1 = fmax((double)out->x + out->w, clampd(ceil(b->x + b->w), 0.0, (double)w));
    double y1 = fmax((double)out->y + out->h, clampd(ceil(b->y + b->h), 0.0, (double)h));
    *out = (struct bmx_rect){(int32_t)x0, (int32_t)y0, (int32_t)(x1 - x0), (int32_t)(y1 - y0)};
    return BMX_OK;
}

/* Random numbers are drawn in a fixed order (beta: lambda, cx, cy; ratio: rw, rh, x0,
 * y0; avoid-base: whole candidates in sequence, stopping at the first free one;
 * source-object: the size (beta: lambda; ratio: rw, rh), then the anchor's index
 * among the candidates, or without one the position as anywhere draws it), so a
 * patch is a pure function of the generator's state. */
bmx_status bmx__cutmix_draw_patch_at(const struct bmx_cutmix_options *opts, int32_t w, int32_t h,
                                     const struct bmx_box *base_boxes, size_t n,
                                     const struct bmx_object *source, size_t n_source,
                                     bmx_rng *rng, struct bmx_patch *out, size_t *anchor,
                                     bmx_error *err)
{
    if (anchor != NULL) {
        *anchor = SIZE_MAX;
    }
    if (out != NULL) {
        memset(out, 0, sizeof *out);
    }
    if (opts == NULL || rng == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "draw patch: NULL argument");
    }
    struct bmx_cutmix_options given;
    bmx_status st = bmx__cutmix_options_read(opts, &given, err);
    if (st != BMX_OK) {
        return st;
    }
    opts = &given;
    st = check_patch_options(opts, err);
    if (st != BMX_OK) {
        return st;
    }
    if (w <= 0 || h <= 0) {
        return bmx__fail(err, BMX_E_INVALID, "draw patch: image size must be positive, got %dx%d",
                         (int)w, (int)h);
    }
    if (n > 0 && base_boxes == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "draw patch: %zu base boxes but no array", n);
    }
    if (n_source > 0 && source == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "draw patch: %zu source objects but no array",
                         n_source);
    }

    struct bmx_rect rect;
    if (opts->placement == BMX_PLACE_AVOID_BASE) {
        /* Ultralytics' rule: the first candidate clear of every base box; failing
         * that, the one that hides the least base-box area (earliest on ties). */
        struct bmx_rect best = {0, 0, 0, 0};
        double best_cover = INFINITY;
        for (int t = 0; t < opts->tries; t++) {
            struct bmx_rect cand;
            draw_one(opts, w, h, rng, &cand);
            double cover = 0.0;
            for (size_t i = 0; i < n; i++) {
                cover += rect_box_overlap(cand, &base_boxes[i]);
            }
            if (cover <= 0.0) {
                best = cand;
                break;
            }
            if (cover < best_cover) {
                best_cover = cover;
                best = cand;
            }
        }
        rect = best;
    } else if (opts->placement == BMX_PLACE_SOURCE_OBJECT) {
        size_t k = SIZE_MAX;
        st = draw_anchored(opts, w, h, source, n_source, rng, &rect, &k, err);
        if (st != BMX_OK) {
            return st;
        }
        if (anchor != NULL) {
            *anchor = k;
        }
    } else {
        draw_one(opts, w, h, rng, &rect);
    }
    out->rect = rect;
    out->lambda = 1.0 - ((double)rect.w * (double)rect.h) / ((double)w * (double)h);
    return BMX_OK;
}


/* One rectangle drawn as a patch is (alpha or ratios; no placement), for the
 * operations that draw several (CutOut's holes). `opts` checked. */
void bmx__patch_draw_rect(const struct bmx_cutmix_options *opts, int32_t w, int32_t h,
                          bmx_rng *rng, struct bmx_rect *out)
{
    draw_one(opts, w, h, rng, out);
}

/* Without a source, source-object has no anchor: the patch is anywhere's. */
bmx_status bmx_cutmix_draw_patch(const struct bmx_cutmix_options *opts, int32_t w, int32_t h,
                                 const struct bmx_box *base_boxes, size_t n, bmx_rng *rng,
                                 struct bmx_patch *out, bmx_error *err)
{
    return bmx__cutmix_draw_patch_at(opts, w, h, base_boxes, n, NULL, 0, rng, out, NULL, err);
}
