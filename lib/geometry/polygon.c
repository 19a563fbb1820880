/* SPDX-License-Identifier: MIT */
/*
 * The polygon set apart from clipping: the area of a ring and of a set (the
 * shoelace formula with exact products, polygon_exact.c), the extent and bounding
 * box, copy, scale and free. Clipping by rectangles is polyclip.c, its reference
 * polyclip_ref.c.
 */
#include "polygon.h"
#include "polygon_exact.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The shoelace formula evaluated with exact products (see shoelace, polygon_exact.c). */
double bmx_poly_area(const struct bmx_poly *poly)
{
    bool unsafe;
    double s;
    if (poly == NULL || poly->n < 3 || poly->xy == NULL) {
        return 0.0;
    }
    s = bmx__shoelace_xy(poly->xy, poly->n, true, &unsafe);
    if (unsafe) {
        s = bmx__shoelace_xy(poly->xy, poly->n, false, &unsafe);
    }
    return fabs(s);
}

/* Rings are summed, not unioned: COCO's recorded `area` for polygon objects. */
double bmx_polyset_area(const struct bmx_polyset *set)
{
    double s = 0.0;
    if (set == NULL || set->rings == NULL) {
        return 0.0;
    }
    for (size_t i = 0; i < set->count; i++) {
        s += bmx_poly_area(&set->rings[i]);
    }
    return s;
}

/*
 * The extent of all vertices as edges {min x, min y, max x, max y}, NaN vertices
 * skipped as fmin and fmax do (a NaN first vertex too); *finite tells whether every
 * vertex is finite. False (and zeros) when there is no vertex.
 */
static bool extent(const struct bmx_polyset *set, double e[4], bool *finite)
{
    bool any = false;
    double minx = 0.0, maxx = 0.0, miny = 0.0, maxy = 0.0;
    double zero = 0.0; /* x - x: 0 for finite x, NaN otherwise */
    if (set != NULL && set->rings != NULL) {
        for (size_t i = 0; i < set->count; i++) {
            const struct bmx_poly *ring = &set->rings[i];
            const double *xy = ring->xy;
            if (xy == NULL || ring->n == 0) {
                continue;
            }
            if (!any) {
                minx = maxx = xy[0];
                miny = maxy = xy[1];
                any = true;
            }
            if (isnan(minx) || isnan(miny)) {
                for (size_t j = 0; j < ring->n; j++) {
                    minx = bmx__min_d(minx, xy[2 * j]);
                    maxx = bmx__max_d(maxx, xy[2 * j]);
                    miny = bmx__min_d(miny, xy[2 * j + 1]);
                    maxy = bmx__max_d(maxy, xy[2 * j + 1]);
                }
                zero = NAN;
                continue;
            }
            for (size_t j = 0; j < ring->n; j++) {
                double x = xy[2 * j], y = xy[2 * j + 1];
                minx = bmx__min_n(minx, x);
                maxx = bmx__max_n(maxx, x);
                miny = bmx__min_n(miny, y);
                maxy = bmx__max_n(maxy, y);
                zero += (x - x) + (y - y);
            }
        }
    }
    e[0] = minx;
    e[1] = miny;
    e[2] = maxx;
    e[3] = maxy;
    *finite = zero == 0.0;
    return any;
}

bool bmx__polyset_extent(const struct bmx_polyset *set, double e[4], bool *finite)
{
    return extent(set, e, finite);
}

bool bmx_polyset_bbox(const struct bmx_polyset *set, struct bmx_box *out)
{
    double e[4];
    bool finite;
    bool any = extent(set, e, &finite);
    if (out != NULL) {
        out->x = e[0];
        out->y = e[1];
        out->w = e[2] - e[0];
        out->h = e[3] - e[1];
    }
    return any;
}

bmx_status bmx_polyset_copy(const struct bmx_polyset *in, struct bmx_polyset *out, bmx_error *err)
{
    bmx_status st = BMX_OK;
    if (in == NULL || out == NULL || in == out) {
        return bmx__fail(err, BMX_E_INVALID, "copying polygon: invalid arguments");
    }
    memset(out, 0, sizeof *out);
    if (in->count == 0) {
        return BMX_OK;
    }
    if (in->rings == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "copying polygon: polygon set has no rings array");
    }
    out->rings = calloc(in->count, sizeof *out->rings);
    if (out->rings == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "copying polygon: out of memory");
        goto cleanup;
    }
    out->count = in->count;
    for (size_t i = 0; i < in->count; i++) {
        const struct bmx_poly *src = &in->rings[i];
        size_t nv;
        if (src->n == 0) {
            continue;
        }
        if (src->xy == NULL) {
            st = bmx__fail(err, BMX_E_INVALID, "copying polygon: ring %zu: no vertex array", i);
            goto cleanup;
        }
        if (!bmx__mul_size(src->n, 2, &nv)) {
            st = bmx__fail(err, BMX_E_OVERFLOW, "copying polygon: ring %zu: too many vertices", i);
            goto cleanup;
        }
        out->rings[i].xy = bmx__alloc_array(nv, sizeof *out->rings[i].xy);
        if (out->rings[i].xy == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "copying polygon: ring %zu: out of memory", i);
            goto cleanup;
        }
        memcpy(out->rings[i].xy, src->xy, nv * sizeof *src->xy);
        out->rings[i].n = src->n;
    }
cleanup:
    if (st != BMX_OK) {
        bmx_polyset_free(out);
    }
    return st;
}

void bmx_polyset_scale(struct bmx_polyset *set, double sx, double sy)
{
    if (set == NULL || set->rings == NULL) {
        return;
    }
    for (size_t i = 0; i < set->count; i++) {
        struct bmx_poly *ring = &set->rings[i];
        if (ring->xy == NULL) {
            continue;
        }
        for (size_t j = 0; j < ring->n; j++) {
            ring->xy[2 * j] *= sx;
            ring->xy[2 * j + 1] *= sy;
        }
    }
}

void bmx_polyset_free(struct bmx_polyset *set)
{
    if (set == NULL) {
        return;
    }
    if (set->rings != NULL) {
        for (size_t i = 0; i < set->count; i++) {
            free(set->rings[i].xy);
        }
        free(set->rings);
    }
    memset(set, 0, sizeof *set);
}
