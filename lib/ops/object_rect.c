/* SPDX-License-Identifier: MIT */
/* The primitive every operation shares: an object cut by a rectangle (the part
 * outside stays) or clipped to it (the part inside stays), measured on its mask
 * or box, kept or dropped by the rules, its keypoints hidden where it is hidden.
 *
 * The rules are DESIGN.md's "CutMix" section. Two choices worth knowing:
 * - "Untouched" is decided geometrically (does the rectangle take anything away from
 *   the object's region?) rather than by comparing two floating-point areas, so an
 *   object the patch misses is never rewritten because of a rounding difference.
 * - A zero-area object is kept exactly as it came when the rectangle leaves it alone
 *   (its extent does not reach into the patch for a base object, lies within it for a
 *   source object) and dropped otherwise. */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------- */
/* One object by a rectangle                                                  */
/* ------------------------------------------------------------------------- */

/* A box as its edges; keeps x+w as it was computed once, so containment tests do
 * not suffer from recomputing (x + w) - x. */
struct edges {
    double x0, y0, x1, y1;
};

/* The first rule that fails names the drop, in this order (DESIGN.md, "CutMix"
 * 4): nothing visible, then, unless a crowd region (which marks what to ignore, so
 * any visible part must stay), visibility, visible area, the new box's size. */
enum bmx_drop_rule bmx__drop_rule(const struct bmx_cutmix_options *opts,
                                  const struct bmx_object *in, double visible, double visibility,
                                  struct bmx_box nb)
{
    if (!(visible > 0.0)) {
        return BMX_DROP_NO_AREA;
    }
    if (in->iscrowd != 0) {
        return BMX_DROP_NONE;
    }
    if (!(visibility >= opts->min_visibility)) {
        return BMX_DROP_MIN_VISIBILITY;
    }
    if (!(visible >= opts->min_area)) {
        return BMX_DROP_MIN_AREA;
    }
    if (!(nb.w >= opts->min_size && nb.h >= opts->min_size)) {
        return BMX_DROP_MIN_SIZE;
    }
    return BMX_DROP_NONE;
}

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


/* Steps: restrict to the image, measure the whole, take away what r takes, decide,
 * hide the keypoints r hides. The kept object keeps the form of its mask: the mask
 * format is the caller's next step (bmx__object_mask_format), which *hit and *taken
 * (r within the image) serve. `out` is written only when the object is kept; it is
 * zeroed otherwise. */
bmx_status bmx__object_by_rect(const struct bmx_cutmix_options *opts,
                               const struct bmx_object *in, struct bmx_rect r, bool inside,
                               int32_t w, int32_t h, struct bmx_object *out, bool *kept,
                               bool *hit_out, struct bmx_rect *taken,
                               struct bmx__verdict *verdict, bmx_error *err)
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
    if (verdict != NULL) {
        memset(verdict, 0, sizeof *verdict);
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

    if (hit_out != NULL) {
        *hit_out = hit;
    }
    if (taken != NULL) {
        *taken = rc;
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
        if (verdict != NULL) {
            /* Polygons the rectangle missed were not measured on the way. */
            verdict->visible = kind == MEASURE_POLY && !(may_hit || changed)
                                   ? bmx_polyset_area(polys)
                                   : original;
            verdict->visibility = 1.0;
            verdict->box = in->bbox;
        }
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
            struct edges mb = {0.0, 0.0, 0.0, 0.0};
            if (edges_minus_extent(cb, re, &mb)) {
                nb = edges_box(mb);
            }
        }

        const enum bmx_drop_rule rule = bmx__drop_rule(opts, in, visible, visibility, nb);
        keep = rule == BMX_DROP_NONE;
        if (verdict != NULL) {
            verdict->visibility = visibility;
            verdict->visible = visible;
            verdict->box = nb;
            verdict->rule = rule;
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
    bool hit = false;
    struct bmx_rect taken;
    size_t holes = 0;
    struct bmx_cutmix_options given;
    if (opts != NULL) {
        bmx_status st = bmx__cutmix_options_read(opts, &given, err);
        if (st != BMX_OK) {
            return st;
        }
        opts = &given;
    }
    bmx_status st =
        bmx__object_by_rect(opts, in, r, inside, w, h, out, kept, &hit, &taken, NULL, err);
    if (st == BMX_OK && *kept) {
        st = bmx__object_mask_format(opts->mask_format, in, hit ? &taken : NULL, inside, w, h, out,
                                     kept, &holes, err);
    }
    return st;
}

