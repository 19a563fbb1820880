/* SPDX-License-Identifier: MIT */
/* One object cut by several rectangles (CutOut's holes), exactly, on the one
 * primitive every operation shares (bmx__object_by_rect).
 *
 * How the cuts stay exact:
 * - The whole is measured first, by the primitive with an empty rectangle (which
 *   takes nothing): the object restricted to the image, measured as CutMix measures
 *   it (polygons: exact area; RLE: pixels; a bare box: w*h). Visibility is the final
 *   visible area over this, never a product of per-hole ratios.
 * - Then the primitive cuts hole after hole with the rules off (min_visibility,
 *   min_area and min_size 0: only "nothing left" drops), each step on the previous
 *   step's result. Polygons: successive exact cuts (A minus H1 minus H2 ...); RLE:
 *   each hole's rectangle cleared; both are exact for any overlap of the holes.
 * - A bare box has no shape to carry between steps (after one cut it is an L or a
 *   frame, written as its tight box), so its visible part is computed here as the
 *   box minus the union of the holes: the exact area (slabs between the holes'
 *   edges) and the tight box of what is left. The chain still hides its keypoints.
 * - The rules are decided once, on the final visible area, visibility and box;
 *   crowd objects are kept while any part is visible. An object no hole touches
 *   (and the image does not clip) is written exactly as it came.
 * - Mask format last, once: a polygon object written as RLE is its polygons as
 *   recorded rasterised (frPoly) with every hole that took a part of it cleared;
 *   an RLE object written as polygons is its final mask traced. */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct span {
    double a, b;
};

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : (a > b ? 1 : 0);
}

static int cmp_span(const void *pa, const void *pb)
{
    const struct span *a = pa, *b = pb;
    return a->a < b->a ? -1 : (a->a > b->a ? 1 : 0);
}

double bmx__box_minus_holes(const double c[4], const struct bmx_rect *holes, size_t n,
                              struct bmx_box *ext)
{
    double xs[2 * BMX_MAX_HOLES + 2];
    struct span ys[BMX_MAX_HOLES];
    size_t nx = 0;
    xs[nx++] = c[0];
    xs[nx++] = c[2];
    for (size_t k = 0; k < n && k < BMX_MAX_HOLES; k++) {
        double hx0 = fmax((double)holes[k].x, c[0]);
        double hx1 = fmin((double)holes[k].x + holes[k].w, c[2]);
        if (hx1 > hx0) {
            xs[nx++] = hx0;
            xs[nx++] = hx1;
        }
    }
    qsort(xs, nx, sizeof xs[0], cmp_double);
    double area = 0.0;
    bool any = false;
    double e[4] = {0.0, 0.0, 0.0, 0.0};
    for (size_t i = 0; i + 1 < nx; i++) {
        double xa = xs[i], xb = xs[i + 1];
        if (!(xb > xa)) {
            continue;
        }
        /* Every hole edge inside the box is a slab edge: a hole covers a slab whole
         * or not at all. */
        size_t ny = 0;
        for (size_t k = 0; k < n && k < BMX_MAX_HOLES; k++) {
            double hx0 = (double)holes[k].x, hx1 = (double)holes[k].x + holes[k].w;
            double hy0 = fmax((double)holes[k].y, c[1]);
            double hy1 = fmin((double)holes[k].y + holes[k].h, c[3]);
            if (hx0 <= xa && hx1 >= xb && hy1 > hy0) {
                ys[ny].a = hy0;
                ys[ny].b = hy1;
                ny++;
            }
        }
        qsort(ys, ny, sizeof ys[0], cmp_span);
        double cursor = c[1], len = 0.0, lo = 0.0, hi = 0.0;
        bool open = false;
        for (size_t j = 0; j <= ny; j++) {
            double until = j < ny ? ys[j].a : c[3];
            if (until > cursor) {
                len += until - cursor;
                if (!open) {
                    lo = cursor;
                    open = true;
                }
                hi = until;
            }
            if (j < ny && ys[j].b > cursor) {
                cursor = ys[j].b;
            }
        }
        if (!(len > 0.0)) {
            continue;
        }
        area += (xb - xa) * len;
        if (!any) {
            e[0] = xa;
            e[1] = lo;
            e[3] = hi;
            any = true;
        }
        e[1] = fmin(e[1], lo);
        e[3] = fmax(e[3], hi);
        e[2] = xb;
    }
    if (any && area > 0.0) {
        ext->x = e[0];
        ext->y = e[1];
        ext->w = e[2] - e[0];
        ext->h = e[3] - e[1];
    } else {
        memset(ext, 0, sizeof *ext);
        area = 0.0;
    }
    return area;
}

/* A polygon object written as RLE: its polygons as recorded rasterised, every hole
 * that took a part of it cleared; a touched object gets the mask's area and box,
 * and is dropped when no pixel is left (a sliver, as bmx__object_mask_format). */
static bmx_status to_rle_cleared(struct bmx_object *o, const struct bmx_polyset *recorded,
                                 const struct bmx_rect *holes, size_t n, uint64_t hit_mask,
                                 int32_t w, int32_t h, bool *kept, bmx_error *err)
{
    bmx_status st = bmx__object_to_rle(o, recorded, NULL, false, w, h, err);
    for (size_t k = 0; st == BMX_OK && k < n; k++) {
        if ((hit_mask >> k & 1u) == 0) {
            continue;
        }
        struct bmx_rle part = {0, 0, 0, NULL};
        st = bmx_rle_crop_rect(&o->rle, holes[k], false, &part, err);
        if (st == BMX_OK) {
            bmx_rle_free(&o->rle);
            o->rle = part;
        }
    }
    if (st == BMX_OK && o->touched) {
        o->area = (double)bmx_rle_area(&o->rle);
        bmx_rle_bbox(&o->rle, &o->bbox);
        o->has_area = true;
        if (bmx_rle_area(&o->rle) == 0) {
            *kept = false;
        }
    }
    return st;
}

bmx_status bmx__object_by_holes(const struct bmx_cutmix_options *opts, const struct bmx_object *in,
                                const struct bmx_rect *holes, size_t n, int32_t w, int32_t h,
                                struct bmx_object *out, bool *kept, struct bmx__verdict *verdict,
                                size_t *holes_filled, bmx_error *err)
{
    struct bmx__verdict v;
    struct bmx_object cur;
    bool live = false;
    memset(&cur, 0, sizeof cur);
    memset(&v, 0, sizeof v);
    memset(out, 0, sizeof *out);
    *kept = false;
    if (verdict != NULL) {
        memset(verdict, 0, sizeof *verdict);
    }
    if (n > BMX_MAX_HOLES) {
        return bmx__fail(err, BMX_E_INVALID, "cutout: %zu holes, at most %d", n, BMX_MAX_HOLES);
    }
    struct bmx_cutmix_options loose = *opts;
    loose.min_visibility = 0.0;
    loose.min_area = 0.0;
    loose.min_size = 0.0;

    /* The whole, restricted to the image and measured (the empty rectangle takes
     * nothing). */
    bool alive = false;
    bool hit = false;
    bmx_status st = bmx__object_by_rect(&loose, in, (struct bmx_rect){0, 0, 0, 0}, false, w, h,
                                        &cur, &alive, &hit, NULL, &v, err);
    if (st != BMX_OK) {
        return st;
    }
    live = alive;
    const double original = v.visible;
    bool touched = alive && cur.touched;
    uint64_t hit_mask = 0;

    /* Hole after hole, the rules off: only "nothing left" ends the chain. */
    for (size_t k = 0; alive && k < n; k++) {
        struct bmx_object next;
        struct bmx__verdict vk;
        st = bmx__object_by_rect(&loose, &cur, holes[k], false, w, h, &next, &alive, &hit, NULL,
                                 &vk, err);
        bmx_object_free(&cur);
        live = false;
        if (st != BMX_OK) {
            return st;
        }
        if (alive) {
            cur = next;
            live = true;
        }
        if (hit) {
            touched = true;
            hit_mask |= UINT64_C(1) << k;
        }
    }

    /* The final measure and the rules, once. */
    double visible = 0.0;
    struct bmx_box nb = {0.0, 0.0, 0.0, 0.0};
    const bool bare = !((in->seg_kind == BMX_SEG_POLYGON && in->polys.count > 0) ||
                        in->seg_kind == BMX_SEG_RLE);
    if (alive) {
        visible = touched ? cur.area : original;
        nb = cur.bbox;
        if (bare && hit_mask != 0) {
            const double c[4] = {fmax(in->bbox.x, 0.0), fmax(in->bbox.y, 0.0),
                                 fmin(in->bbox.x + in->bbox.w, (double)w),
                                 fmin(in->bbox.y + in->bbox.h, (double)h)};
            visible = bmx__box_minus_holes(c, holes, n, &nb);
        }
    }
    enum bmx_drop_rule rule = BMX_DROP_NONE;
    double visibility = 1.0;
    if (touched) {
        visibility = original > 0.0 ? visible / original : 0.0;
        if (visibility > 1.0) {
            visibility = 1.0;
        }
        rule = alive ? bmx__drop_rule(opts, in, visible, visibility, nb) : BMX_DROP_NO_AREA;
    } else if (!alive) {
        /* Nothing of it in the image: dropped as the primitive decided. */
        visibility = v.visibility;
        rule = v.rule == BMX_DROP_NONE ? BMX_DROP_NO_AREA : v.rule;
    }
    if (verdict != NULL) {
        verdict->visibility = visibility;
        verdict->visible = alive ? visible : 0.0;
        verdict->box = nb;
        verdict->rule = rule;
    }
    if (rule != BMX_DROP_NONE || !alive) {
        if (live) {
            bmx_object_free(&cur);
        }
        return BMX_OK;
    }

    if (touched) {
        cur.touched = true;
        cur.visibility = visibility;
        cur.bbox = nb;
        cur.area = visible;
        cur.has_area = true;
    } else {
        cur.touched = false;
        cur.visibility = 1.0;
    }
    bool keep = true;
    if (opts->mask_format == BMX_MASK_RLE && in->seg_kind == BMX_SEG_POLYGON &&
        in->polys.count > 0) {
        st = to_rle_cleared(&cur, &in->polys, holes, n, hit_mask, w, h, &keep, err);
        if (st != BMX_OK || !keep) {
            bmx_object_free(&cur);
            return st;
        }
    } else {
        /* Polygons kept as they are, or an RLE traced: the final form is all it
         * needs (it frees `cur` itself when it fails or drops). */
        st = bmx__object_mask_format(opts->mask_format, in, NULL, false, w, h, &cur, &keep,
                                     holes_filled, err);
        if (st != BMX_OK || !keep) {
            return st;
        }
    }
    *out = cur;
    *kept = true;
    return BMX_OK;
}
