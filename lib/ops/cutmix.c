/* CutMix: drawing the patch, pasting pixels, and cutting or clipping every object by
 * a rectangle (the primitive the other operations reuse).
 *
 * The rules are DESIGN.md's "CutMix" section. Two choices worth knowing:
 * - "Untouched" is decided geometrically (does the rectangle take anything away from
 *   the object's region?) rather than by comparing two floating-point areas, so an
 *   object the patch misses is never rewritten because of a rounding difference.
 * - A zero-area object is kept exactly as it came when the rectangle leaves it alone
 *   (its extent does not reach into the patch for a base object, lies within it for a
 *   source object) and dropped otherwise. */
#include "error.h"
#include "pixels.h"
#include "keypoints.h"
#include "polygon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void bmx_cutmix_options_init(struct bmx_cutmix_options *opts)
{
    memset(opts, 0, sizeof *opts);
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
    if (opts->placement != BMX_PLACE_ANYWHERE && opts->placement != BMX_PLACE_AVOID_BASE) {
        return bmx__fail(err, BMX_E_INVALID, "placement: unknown placement %d",
                         (int)opts->placement);
    }
    if (opts->tries < 1 || opts->tries > 1000) {
        return bmx__fail(err, BMX_E_INVALID, "tries: must be an integer in [1, 1000], got %d",
                         opts->tries);
    }
    return BMX_OK;
}

/* Every message names the option, so a tool can pass it on as it is. */
bmx_status bmx_cutmix_options_check(const struct bmx_cutmix_options *opts, bmx_error *err)
{
    if (opts == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "cutmix options: NULL");
    }
    bmx_status st = check_patch_options(opts, err);
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

static void draw_beta(const struct bmx_cutmix_options *opts, int32_t w, int32_t h,
                      bmx_rng *rng, struct bmx_rect *out)
{
    double lambda = bmx_rng_beta(rng, opts->alpha, opts->alpha);
    double s = sqrt(clampd(1.0 - lambda, 0.0, 1.0));
    double cut_w = (double)w * s;
    double cut_h = (double)h * s;
    double cx = bmx_rng_uniform(rng) * (double)w;
    double cy = bmx_rng_uniform(rng) * (double)h;
    double x0 = clampd(floor(cx - cut_w / 2.0 + 0.5), 0.0, (double)w);
    double x1 = clampd(floor(cx + cut_w / 2.0 + 0.5), 0.0, (double)w);
    double y0 = clampd(floor(cy - cut_h / 2.0 + 0.5), 0.0, (double)h);
    double y1 = clampd(floor(cy + cut_h / 2.0 + 0.5), 0.0, (double)h);
    out->x = (int32_t)x0;
    out->y = (int32_t)y0;
    out->w = (int32_t)(x1 - x0);
    out->h = (int32_t)(y1 - y0);
}

static void draw_ratio(const struct bmx_cutmix_options *opts, int32_t w, int32_t h,
                       bmx_rng *rng, struct bmx_rect *out)
{
    double span = opts->ratio_hi - opts->ratio_lo;
    double rw = opts->ratio_lo + span * bmx_rng_uniform(rng);
    double rh = opts->ratio_lo + span * bmx_rng_uniform(rng);
    int32_t pw = (int32_t)clampd(floor((double)w * rw + 0.5), 0.0, (double)w);
    int32_t ph = (int32_t)clampd(floor((double)h * rh + 0.5), 0.0, (double)h);
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

/* Random numbers are drawn in a fixed order (beta: lambda, cx, cy; ratio: rw, rh, x0,
 * y0; avoid-base: whole candidates in sequence, stopping at the first free one), so a
 * patch is a pure function of the generator's state. */
bmx_status bmx_cutmix_draw_patch(const struct bmx_cutmix_options *opts, int32_t w, int32_t h,
                                 const struct bmx_box *base_boxes, size_t n, bmx_rng *rng,
                                 struct bmx_patch *out, bmx_error *err)
{
    if (out != NULL) {
        memset(out, 0, sizeof *out);
    }
    if (opts == NULL || rng == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "draw patch: NULL argument");
    }
    bmx_status st = check_patch_options(opts, err);
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
    } else {
        draw_one(opts, w, h, rng, &rect);
    }
    out->rect = rect;
    out->lambda = 1.0 - ((double)rect.w * (double)rect.h) / ((double)w * (double)h);
    return BMX_OK;
}

/* ------------------------------------------------------------------------- */
/* One object by a rectangle                                                  */
/* ------------------------------------------------------------------------- */

/* A box as its edges; keeps x+w as it was computed once, so containment tests do
 * not suffer from recomputing (x + w) - x. */
struct edges {
    double x0, y0, x1, y1;
};

static struct edges box_edges(struct bmx_box b)
{
    struct edges e = {b.x, b.y, b.x + b.w, b.y + b.h};
    return e;
}

static struct bmx_box edges_box(struct edges e)
{
    struct bmx_box b = {e.x0, e.y0, e.x1 - e.x0, e.y1 - e.y0};
    return b;
}

/* Do the two regions share positive area (degenerate e: does it enter r's interior)? */
static bool edges_overlap(struct edges e, struct edges r)
{
    return e.x0 < r.x1 && e.x1 > r.x0 && e.y0 < r.y1 && e.y1 > r.y0;
}

static bool edges_within(struct edges e, struct edges r)
{
    return e.x0 >= r.x0 && e.x1 <= r.x1 && e.y0 >= r.y0 && e.y1 <= r.y1;
}

static double edges_area(struct edges e)
{
    double w = e.x1 - e.x0;
    double h = e.y1 - e.y0;
    return (w > 0.0 && h > 0.0) ? w * h : 0.0;
}

static struct edges edges_intersect(struct edges a, struct edges b)
{
    struct edges e = {fmax(a.x0, b.x0), fmax(a.y0, b.y0), fmin(a.x1, b.x1), fmin(a.y1, b.y1)};
    if (e.x1 < e.x0) {
        e.x1 = e.x0;
    }
    if (e.y1 < e.y0) {
        e.y1 = e.y0;
    }
    return e;
}

/* Tight box of (b minus r): the extent of the up to four non-empty rectangles
 * around r. Returns false when nothing is left. */
static bool edges_minus_extent(struct edges b, struct edges r, struct edges *out)
{
    struct edges parts[4] = {
        {b.x0, b.y0, fmin(b.x1, r.x0), b.y1},                        /* left */
        {fmax(b.x0, r.x1), b.y0, b.x1, b.y1},                        /* right */
        {fmax(b.x0, r.x0), b.y0, fmin(b.x1, r.x1), fmin(b.y1, r.y0)}, /* top */
        {fmax(b.x0, r.x0), fmax(b.y0, r.y1), fmin(b.x1, r.x1), b.y1}, /* bottom */
    };
    bool any = false;
    for (int i = 0; i < 4; i++) {
        struct edges p = parts[i];
        if (!(p.x1 > p.x0) || !(p.y1 > p.y0)) {
            continue;
        }
        if (!any) {
            *out = p;
            any = true;
        } else {
            out->x0 = fmin(out->x0, p.x0);
            out->y0 = fmin(out->y0, p.y0);
            out->x1 = fmax(out->x1, p.x1);
            out->y1 = fmax(out->y1, p.y1);
        }
    }
    return any;
}

static bool box_finite(struct bmx_box b)
{
    return isfinite(b.x) && isfinite(b.y) && isfinite(b.w) && isfinite(b.h);
}

enum measure_kind { MEASURE_BOX, MEASURE_POLY, MEASURE_RLE };

/* Rasterise a kept polygon object into a compressed RLE of the image's frame: its
 * polygons as recorded (`recorded`, not the clipped ones obj holds), as the COCO
 * API's frPoly does, which handles vertices past the image edge itself; clipping
 * them to the image first loses pixels along that edge. When the rectangle `cut`
 * took part of the object, the mask then has it cleared (a base object) or kept
 * (`inside`, a source object). */
static bmx_status object_to_rle(struct bmx_object *obj, const struct bmx_polyset *recorded,
                                const struct bmx_rect *cut, bool inside, int32_t w, int32_t h,
                                bmx_error *err)
{
    struct bmx_rle rle = {0, 0, 0, NULL};
    bmx_status st = bmx_rle_from_polyset(recorded, (uint32_t)h, (uint32_t)w, &rle, err);
    if (st != BMX_OK) {
        return st;
    }
    if (cut != NULL) {
        struct bmx_rle part = {0, 0, 0, NULL};
        st = bmx_rle_crop_rect(&rle, *cut, inside, &part, err);
        bmx_rle_free(&rle);
        if (st != BMX_OK) {
            return st;
        }
        rle = part;
    }
    bmx_polyset_free(&obj->polys);
    obj->rle = rle;
    obj->seg_kind = BMX_SEG_RLE;
    obj->rle_compressed = true;
    if (obj->touched) {
        obj->area = (double)bmx_rle_area(&obj->rle);
        bmx_rle_bbox(&obj->rle, &obj->bbox);
        obj->has_area = true;
    }
    return BMX_OK;
}

/* Trace a kept RLE object into polygons (mask_format polygon). Crowd objects keep
 * their RLE: COCO crowd regions are RLE by convention and pycocotools expects RLE for
 * iscrowd = 1. An empty mask has no polygon form and stays as it is. Holes cannot be
 * written as COCO polygons, so they are filled and counted in *holes. Like
 * object_to_rle, only a touched object gets its area (the rings' shoelace area, which
 * includes filled holes) and box (the rings' extent) from the new form. */
static bmx_status object_to_polygons(struct bmx_object *obj, size_t *holes, bmx_error *err)
{
    struct bmx_polyset set = {0, NULL};
    size_t filled = 0;
    if (obj->iscrowd != 0 || bmx_rle_area(&obj->rle) == 0) {
        return BMX_OK;
    }
    bmx_status st = bmx_rle_to_polyset(&obj->rle, &set, &filled, err);
    if (st != BMX_OK) {
        return st;
    }
    bmx_rle_free(&obj->rle);
    obj->polys = set;
    obj->seg_kind = BMX_SEG_POLYGON;
    obj->rle_compressed = false;
    if (obj->touched) {
        obj->area = bmx_polyset_area(&obj->polys);
        if (!bmx_polyset_bbox(&obj->polys, &obj->bbox)) {
            memset(&obj->bbox, 0, sizeof obj->bbox);
        }
        obj->has_area = true;
    }
    *holes += filled;
    return BMX_OK;
}

/* Steps: restrict to the image, measure the whole, take away what r takes, decide,
 * then (mask_format RLE) rasterise kept polygon objects (as recorded, then r cleared
 * or kept: only what is written as polygons is clipped) or (mask_format polygon)
 * trace kept RLE objects, adding the holes filled to *holes. `out` is written only
 * when the object is kept; it is zeroed otherwise. */
static bmx_status object_by_rect(const struct bmx_cutmix_options *opts,
                                 const struct bmx_object *in, struct bmx_rect r, bool inside,
                                 int32_t w, int32_t h, struct bmx_object *out, bool *kept,
                                 size_t *holes, bmx_error *err)
{
    bmx_status st = BMX_OK;
    struct bmx_polyset clipped_to_image = {0, NULL}; /* owned when the image clipped it */
    struct bmx_polyset piece = {0, NULL};            /* the visible polygons */
    struct bmx_rle rle_piece = {0, 0, 0, NULL};
    struct bmx_object res;
    bool res_live = false;
    bool keep = false;

    memset(&res, 0, sizeof res);
    if (out != NULL && out != in) {
        memset(out, 0, sizeof *out);
    }
    if (kept != NULL) {
        *kept = false;
    }
    if (opts == NULL || in == NULL || out == NULL || kept == NULL || in == out) {
        return bmx__fail(err, BMX_E_INVALID, "object by rect: NULL or aliased argument");
    }
    st = bmx_cutmix_options_check(opts, err);
    if (st != BMX_OK) {
        return st;
    }
    if (w <= 0 || h <= 0) {
        return bmx__fail(err, BMX_E_INVALID, "image size must be positive, got %dx%d", (int)w,
                         (int)h);
    }
    if (r.w < 0 || r.h < 0) {
        return bmx__fail(err, BMX_E_INVALID, "rectangle has a negative size %dx%d", (int)r.w,
                         (int)r.h);
    }
    if (!box_finite(in->bbox) || in->bbox.w < 0.0 || in->bbox.h < 0.0) {
        return bmx__fail(err, BMX_E_INVALID, "bbox: expected finite x, y and w, h >= 0");
    }

    const double wd = (double)w;
    const double hd = (double)h;
    const struct edges image = {0.0, 0.0, wd, hd};
    /* The object was restricted to the image already, so clipping r to it changes
     * nothing but keeps every later computation inside the frame. */
    struct edges re = {(double)r.x, (double)r.y, (double)r.x + r.w, (double)r.y + r.h};
    re = edges_intersect(re, image);
    struct bmx_rect rc = {(int32_t)re.x0, (int32_t)re.y0, (int32_t)(re.x1 - re.x0),
                          (int32_t)(re.y1 - re.y0)};
    const struct bmx_box rbox = edges_box(re);

    enum measure_kind kind = MEASURE_BOX;
    if (in->seg_kind == BMX_SEG_POLYGON && in->polys.count > 0) {
        kind = MEASURE_POLY;
    } else if (in->seg_kind == BMX_SEG_RLE) {
        kind = MEASURE_RLE;
    }

    /* 1. Restrict the object to the image and measure the whole of it. */
    bool changed = false;
    const struct bmx_polyset *polys = &in->polys;
    struct edges cb = box_edges(in->bbox);
    if (cb.x0 < 0.0 || cb.y0 < 0.0 || cb.x1 > wd || cb.y1 > hd) {
        cb = edges_intersect(cb, image);
        /* For masked objects the box is only a fallback extent; their region is the
         * mask, so a box poking out of the image does not count as a change. */
        if (kind == MEASURE_BOX) {
            changed = true;
        }
    }
    double original = 0.0;
    bool may_hit = true;       /* polygons: the extent says r may take something */
    struct edges ext = cb;     /* polygons: their extent (the box when they have none) */
    bool poly_hit = false;     /* polygons, may_hit: r takes a part with area */
    double poly_visible = 0.0; /* and then the area left */
    bool poly_gone = false;    /* and then nothing is left */
    if (kind == MEASURE_POLY) {
        double e[4];
        bool finite = true;
        bool any = bmx__polyset_extent(polys, e, &finite);
        struct bmx_box pb = {e[0], e[1], e[2] - e[0], e[3] - e[1]}; /* bmx_polyset_bbox */
        if (!finite) {
            st = bmx__fail(err, BMX_E_INVALID, "segmentation: polygon vertex is not finite");
            goto cleanup;
        }
        if (any && (e[0] < 0.0 || e[2] > wd || e[1] < 0.0 || e[3] > hd)) {
            /* A vertex lies outside [0,W]x[0,H]. */
            st = bmx_polyset_clip_rect(polys, edges_box(image), &clipped_to_image, err);
            if (st != BMX_OK) {
                goto cleanup;
            }
            polys = &clipped_to_image;
            changed = true;
            any = bmx_polyset_bbox(polys, &pb);
        }
        if (any) {
            ext = box_edges(pb);
        }
        may_hit = inside ? !edges_within(ext, re) : edges_overlap(ext, re);
        if (may_hit) {
            /* Step 2's exact test, early: does the part r takes away have a ring
             * (every ring kept has area)? If so, the visible piece and its area
             * (bmx_polyset_area). */
            st = bmx__polyset_by_rect(polys, rbox, inside, &poly_hit, &piece, &poly_visible, err);
            if (st != BMX_OK) {
                goto cleanup;
            }
            /* A ring came out, so the area is positive; with nothing visible the
             * object is dropped whatever its area, which need not be computed. */
            poly_gone = poly_hit && piece.count == 0;
        }
        /* Neither hit nor changed: written as it came, whatever its area (step 2
         * decides hit from the extent alone when the area is 0). */
        if ((may_hit || changed) && !poly_gone) {
            original = bmx_polyset_area(polys);
        }
    } else if (kind == MEASURE_RLE) {
        if (in->rle.h != (uint32_t)h || in->rle.w != (uint32_t)w) {
            st = bmx__fail(err, BMX_E_INVALID,
                           "segmentation: RLE size [%u, %u] differs from the image's [%d, %d]",
                           (unsigned)in->rle.h, (unsigned)in->rle.w, (int)h, (int)w);
            goto cleanup;
        }
        original = (double)bmx_rle_area(&in->rle);
    } else {
        original = edges_area(cb);
    }

    /* 2. Does the rectangle take anything away? If so, what is left? */
    bool hit = false;
    double visible = original;
    if (poly_gone) {
        hit = true;
        visible = 0.0;
    } else if (!(original > 0.0)) {
        hit = inside ? !edges_within(ext, re) : edges_overlap(ext, re);
        visible = 0.0;
    } else if (kind == MEASURE_BOX) {
        hit = inside ? !edges_within(cb, re) : edges_overlap(cb, re);
        if (hit) {
            double common = edges_area(edges_intersect(cb, re));
            visible = inside ? common : original - common;
            if (visible < 0.0) {
                visible = 0.0;
            }
        }
    } else if (kind == MEASURE_POLY) {
        hit = poly_hit;
        if (hit) {
            visible = poly_visible;
        }
    } else {
        st = bmx_rle_crop_rect(&in->rle, rc, inside, &rle_piece, err);
        if (st != BMX_OK) {
            goto cleanup;
        }
        visible = (double)bmx_rle_area(&rle_piece);
        hit = visible != original;
    }

    /* 3. Untouched: written exactly as it came. */
    if (!hit && !changed) {
        st = bmx_object_copy(in, &res, err);
        if (st != BMX_OK) {
            goto cleanup;
        }
        res_live = true;
        res.touched = false;
        res.visibility = 1.0;
        keep = true;
    } else {
        double visibility = original > 0.0 ? visible / original : 0.0;
        if (visibility > 1.0) {
            visibility = 1.0;
        }

        /* The new box: the tight box of the visible part. */
        struct bmx_box nb = {0.0, 0.0, 0.0, 0.0};
        if (kind == MEASURE_POLY) {
            const struct bmx_polyset *vis = hit ? &piece : polys;
            if (!bmx_polyset_bbox(vis, &nb)) {
                memset(&nb, 0, sizeof nb);
            }
        } else if (kind == MEASURE_RLE) {
            bmx_rle_bbox(&rle_piece, &nb);
        } else if (!hit) {
            nb = edges_box(cb);
        } else if (inside) {
            struct edges ib = edges_intersect(cb, re);
            if (edges_area(ib) > 0.0) {
                nb = edges_box(ib);
            }
        } else {
            struct edges mb;
            if (edges_minus_extent(cb, re, &mb)) {
                nb = edges_box(mb);
            }
        }

        if (in->iscrowd != 0) {
            /* Crowd regions mark what to ignore: any visible part must stay. */
            keep = visible > 0.0;
        } else {
            keep = visibility >= opts->min_visibility && visible >= opts->min_area &&
                   visible > 0.0 && nb.w >= opts->min_size && nb.h >= opts->min_size;
        }
        if (keep) {
            res = *in;
            memset(&res.polys, 0, sizeof res.polys);
            memset(&res.rle, 0, sizeof res.rle);
            st = bmx__keypoints_copy(in, &res, err);
            if (st != BMX_OK) {
                goto cleanup;
            }
            res_live = true;
            res.bbox = nb;
            res.area = visible;
            res.has_area = true;
            res.visibility = visibility;
            res.touched = true;
            if (kind == MEASURE_POLY) {
                if (hit) {
                    res.polys = piece;
                    memset(&piece, 0, sizeof piece);
                } else if (polys == &clipped_to_image) {
                    res.polys = clipped_to_image;
                    memset(&clipped_to_image, 0, sizeof clipped_to_image);
                } else {
                    st = bmx_polyset_copy(polys, &res.polys, err);
                    if (st != BMX_OK) {
                        goto cleanup;
                    }
                }
            } else if (kind == MEASURE_RLE) {
                res.rle = rle_piece;
                memset(&rle_piece, 0, sizeof rle_piece);
            }
            /* A polygon set with no ring stays an empty polygon set: nothing to copy. */
        }
    }

    if (keep && opts->mask_format == BMX_MASK_RLE && kind == MEASURE_POLY) {
        st = object_to_rle(&res, &in->polys, hit ? &rc : NULL, inside, w, h, err);
        if (st != BMX_OK) {
            goto cleanup;
        }
        /* DESIGN.md: an object with no area is never written. A sliver of polygon
         * that covers no pixel centre rasterises to nothing. */
        if (res.touched && bmx_rle_area(&res.rle) == 0) {
            keep = false;
        }
    }
    if (keep && opts->mask_format == BMX_MASK_POLYGON && kind == MEASURE_RLE) {
        st = object_to_polygons(&res, holes, err);
        if (st != BMX_OK) {
            goto cleanup;
        }
    }

    /* Keypoints move with the decision, never make it: those the rectangle hides
     * (or the image leaves out) are made not labelled. */
    if (st == BMX_OK && keep) {
        bmx__keypoints_hide(&res, rc, inside, w, h);
    }

cleanup:
    bmx_polyset_free(&clipped_to_image);
    bmx_polyset_free(&piece);
    bmx_rle_free(&rle_piece);
    if (st == BMX_OK && keep) {
        *out = res;
        *kept = true;
    } else if (res_live) {
        bmx_object_free(&res);
    }
    return st;
}

bmx_status bmx_object_by_rect(const struct bmx_cutmix_options *opts,
                              const struct bmx_object *in, struct bmx_rect r, bool inside,
                              int32_t w, int32_t h, struct bmx_object *out, bool *kept,
                              bmx_error *err)
{
    size_t holes = 0;
    return object_by_rect(opts, in, r, inside, w, h, out, kept, &holes, err);
}

/* ------------------------------------------------------------------------- */
/* Apply                                                                      */
/* ------------------------------------------------------------------------- */

/* One object of b brought into a's frame (sx = Wa/Wb, sy = Ha/Hb). */
static bmx_status scale_object(const struct bmx_object *in, double sx, double sy, int32_t w,
                               int32_t h, int32_t w_in, int32_t h_in, struct bmx_object *out,
                               bmx_error *err)
{
    bmx_status st = BMX_OK;
    *out = *in;
    memset(&out->polys, 0, sizeof out->polys);
    memset(&out->rle, 0, sizeof out->rle);
    st = bmx__keypoints_copy(in, out, err);
    if (st != BMX_OK) {
        return st;
    }
    bmx__keypoints_map(out, sx, sy, 0.0, 0.0);
    out->bbox.x = in->bbox.x * sx;
    out->bbox.y = in->bbox.y * sy;
    out->bbox.w = in->bbox.w * sx;
    out->bbox.h = in->bbox.h * sy;
    out->has_area = true;
    if (in->seg_kind == BMX_SEG_POLYGON && in->polys.count > 0) {
        st = bmx_polyset_copy(&in->polys, &out->polys, err);
        if (st != BMX_OK) {
            return st;
        }
        bmx_polyset_scale(&out->polys, sx, sy);
        out->area = bmx_polyset_area(&out->polys);
    } else if (in->seg_kind == BMX_SEG_RLE) {
        if (in->rle.h != (uint32_t)h_in || in->rle.w != (uint32_t)w_in) {
            return bmx__fail(err, BMX_E_INVALID,
                             "segmentation: RLE size [%u, %u] differs from the image's [%d, %d]",
                             (unsigned)in->rle.h, (unsigned)in->rle.w, (int)h_in, (int)w_in);
        }
        st = bmx_rle_resize_nearest(&in->rle, (uint32_t)h, (uint32_t)w, &out->rle, err);
        if (st != BMX_OK) {
            return st;
        }
        out->area = (double)bmx_rle_area(&out->rle);
        bmx_rle_bbox(&out->rle, &out->bbox);
    } else {
        out->area = out->bbox.w * out->bbox.h;
    }
    return BMX_OK;
}

static bmx_status check_image(const struct bmx_image *img, const char *which, bool need_pixels,
                              bmx_error *err)
{
    size_t row;
    if (!need_pixels) {
        if (img->w <= 0 || img->h <= 0) {
            return bmx__fail(err, BMX_E_INVALID, "%s image: empty (%dx%d)", which, (int)img->w,
                             (int)img->h);
        }
        return BMX_OK;
    }
    if (img->w <= 0 || img->h <= 0 || img->channels <= 0 || img->data == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "%s image: empty or without pixels (%dx%dx%d)",
                         which, (int)img->w, (int)img->h, (int)img->channels);
    }
    if (!bmx__mul_size((size_t)img->w, (size_t)img->channels, &row) || img->stride < row) {
        return bmx__fail(err, BMX_E_INVALID, "%s image: stride %zu shorter than a row", which,
                         img->stride);
    }
    return BMX_OK;
}

/* The result is built aside and handed over only when everything succeeded, so a
 * failure leaves `out` zeroed and nothing allocated. */
bmx_status bmx_cutmix_apply(const struct bmx_cutmix_options *opts,
                            const struct bmx_patch *patch, const struct bmx_sample *a,
                            const struct bmx_sample *b, struct bmx_sample *out,
                            struct bmx_cutmix_stats *stats, bmx_error *err)
{
    bmx_status st = BMX_OK;
    struct bmx_sample res;
    struct bmx_object *b_scaled = NULL;
    size_t n_scaled = 0;
    struct bmx_cutmix_stats counts = {0};

    memset(&res, 0, sizeof res);
    if (out != NULL) {
        memset(out, 0, sizeof *out);
    }
    if (stats != NULL) {
        memset(stats, 0, sizeof *stats);
    }
    if (opts == NULL || patch == NULL || a == NULL || b == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "cutmix apply: NULL argument");
    }
    st = bmx_cutmix_options_check(opts, err);
    if (st != BMX_OK) {
        return st;
    }
    /* Both samples without pixels: annotations only (a dry run). */
    const bool pixels = !(a->image.data == NULL && b->image.data == NULL);
    st = check_image(&a->image, "base", pixels, err);
    if (st != BMX_OK) {
        return st;
    }
    st = check_image(&b->image, "source", pixels, err);
    if (st != BMX_OK) {
        return st;
    }
    if (pixels && a->image.channels != b->image.channels) {
        return bmx__fail(err, BMX_E_INVALID,
                         "cutmix apply: base has %d channels, source has %d",
                         (int)a->image.channels, (int)b->image.channels);
    }
    if ((a->n_objects > 0 && a->objects == NULL) || (b->n_objects > 0 && b->objects == NULL)) {
        return bmx__fail(err, BMX_E_INVALID, "cutmix apply: objects missing");
    }
    const int32_t w = a->image.w;
    const int32_t h = a->image.h;
    const struct bmx_rect r = patch->rect;
    if (r.x < 0 || r.y < 0 || r.w < 0 || r.h < 0 || r.w > w - r.x || r.h > h - r.y) {
        return bmx__fail(err, BMX_E_INVALID,
                         "patch: [%d, %d, %d, %d] does not lie inside the %dx%d image",
                         (int)r.x, (int)r.y, (int)r.w, (int)r.h, (int)w, (int)h);
    }

    /* B in A's frame. */
    const struct bmx_object *b_objects = b->objects;
    if (b->image.w != w || b->image.h != h) {
        if (b->n_objects > 0) {
            b_scaled = bmx__alloc_array(b->n_objects, sizeof *b_scaled);
            if (b_scaled == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "cutmix apply: out of memory");
                goto cleanup;
            }
        }
        double sx = (double)w / (double)b->image.w;
        double sy = (double)h / (double)b->image.h;
        for (size_t i = 0; i < b->n_objects; i++) {
            st = scale_object(&b->objects[i], sx, sy, w, h, b->image.w, b->image.h,
                              &b_scaled[i], err);
            if (st != BMX_OK) {
                bmx_object_free(&b_scaled[i]);
                bmx__prefix(err, st, "source object %zu (id %lld)", i,
                            (long long)b->objects[i].id);
                goto cleanup;
            }
            n_scaled++;
        }
        b_objects = b_scaled;
    }

    /* Pixels: A everywhere, B's rows inside the patch. */
    if (!pixels) {
        res.image = (struct bmx_image){w, h, a->image.channels, 0, NULL};
        goto objects;
    }
    st = bmx_image_new(w, h, a->image.channels, &res.image, err);
    if (st != BMX_OK) {
        goto cleanup;
    }
    /* B at A's size, computed for the patch only (a straight copy when the sizes
     * agree): the same bytes as resizing all of B and copying the patch. */
    st = bmx__image_paste(&a->image, &b->image, r, &res.image, err);
    if (st != BMX_OK) {
        goto cleanup;
    }

objects:;
    /* Objects: A's cut by the patch, then B's clipped to it. */
    size_t total;
    if (!bmx__add_size(a->n_objects, b->n_objects, &total)) {
        st = bmx__fail(err, BMX_E_OVERFLOW, "cutmix apply: too many objects");
        goto cleanup;
    }
    if (total > 0) {
        res.objects = bmx__alloc_array(total, sizeof *res.objects);
        if (res.objects == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "cutmix apply: out of memory");
            goto cleanup;
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        const bool from_base = pass == 0;
        const struct bmx_object *objs = from_base ? a->objects : b_objects;
        const size_t n = from_base ? a->n_objects : b->n_objects;
        for (size_t i = 0; i < n; i++) {
            bool kept = false;
            struct bmx_object *o = &res.objects[res.n_objects];
            st = object_by_rect(opts, &objs[i], r, !from_base, w, h, o, &kept,
                                &counts.holes_filled, err);
            if (st != BMX_OK) {
                bmx__prefix(err, st, "%s object %zu (id %lld)", from_base ? "base" : "source",
                            i, (long long)objs[i].id);
                goto cleanup;
            }
            if (!kept) {
                counts.dropped++;
                continue;
            }
            o->origin = from_base ? BMX_FROM_BASE : BMX_FROM_SOURCE;
            res.n_objects++;
            if (o->touched) {
                counts.clipped++;
            } else {
                counts.kept_whole++;
            }
            if ((o->seg_kind == BMX_SEG_POLYGON && o->polys.count > 0) ||
                o->seg_kind == BMX_SEG_RLE) {
                counts.masked++;
            }
            if (o->has_keypoints) {
                counts.with_keypoints++;
                counts.keypoints_hidden += o->keypoints_hidden;
            }
        }
    }

cleanup:
    for (size_t i = 0; i < n_scaled; i++) {
        bmx_object_free(&b_scaled[i]);
    }
    free(b_scaled);
    if (st != BMX_OK) {
        bmx_sample_free(&res);
        return st;
    }
    *out = res;
    if (stats != NULL) {
        *stats = counts;
    }
    return BMX_OK;
}
