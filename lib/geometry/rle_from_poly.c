/* SPDX-License-Identifier: MIT */
/*
 * Polygons rasterised into masks as the COCO API's frPoly does, bit for bit:
 * bmx_rle_from_poly for one ring and bmx_rle_from_polyset for a set (each ring
 * rasterised, then merged, as pycocotools does).
 */
#include "rle_runs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Largest |5 * coordinate| accepted by the rasteriser: keeps every integer of the
 * boundary walk (differences included) well inside int range, as the COCO API
 * needs for defined behaviour. About 2.1e8 pixels. */
#define RLE_COORD_LIMIT 1073741824.0

/*
 * frPoly scales the vertices by 5, rounds them with (int)(v + 0.5) (truncation toward
 * zero, so negative values round up), walks every edge point by point on that grid,
 * and keeps a boundary point wherever the walk steps across the centre of a pixel
 * column. Each kept point toggles the mask from its pixel on down the column.
 *
 * The COCO API stores every walk point; here the walk is streamed and, within an
 * edge, only the stretch whose x lies over the image is visited (x along an edge is
 * monotone), hopping from one change of x to the next, so memory stays at the kept
 * points and time at about the image width per edge.
 */

/* One edge of the walk, after frPoly's flip. */
struct edge {
    int64_t xs, ys;
    int64_t n; /* last index: the walk visits d = 0..n */
    bool steep, flip;
    double s;
};

struct walk {
    uint32_t h, w;
    bool have_prev;
    int64_t pu, pv;
    uint32_t *pts;
    size_t n, cap;
};

static void edge_point(const struct edge *e, int64_t d, int64_t *u, int64_t *v)
{
    int64_t t = e->flip ? e->n - d : d;
    /* the same double expressions as frPoly, evaluated in the same order */
    if (!e->steep) {
        *u = t + e->xs;
        *v = (int64_t)(int)((double)e->ys + e->s * (double)t + .5);
    } else {
        *v = t + e->ys;
        *u = (int64_t)(int)((double)e->xs + e->s * (double)t + .5);
    }
}

static int64_t edge_u(const struct edge *e, int64_t d)
{
    int64_t u, v;
    edge_point(e, d, &u, &v);
    return u;
}

/* First d in [lo, hi] with dir * u(d) > key (u(d) monotone), or hi + 1. */
static int64_t edge_first_above(const struct edge *e, int64_t lo, int64_t hi, int dir,
                                int64_t key)
{
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (dir * edge_u(e, mid) > key) {
            hi = mid - 1;
        } else {
            lo = mid + 1;
        }
    }
    return lo;
}

/* frPoly's test on one pair of consecutive walk points (previous, current), in
 * integers. frPoly computes xd = (xu + .5) / 5 - .5 from the walk's x (xu = u1, or
 * u1 - 1 when x grows) and keeps the point when xd is a whole number in [0, w - 1];
 * then yd = ceil((yv + .5) / 5 - .5) from the lower y, clamped to [0, h]. Both are
 * (t - 2) / 5 for an integer t below 2^31 in magnitude: exact in double when t - 2
 * is a multiple of 5, else at least 0.2 from any whole number, far more than the
 * rounding of a division. So xd is whole exactly when (xu - 2) mod 5 = 0, and yd
 * is the integer ceiling of (yv - 2) / 5, clamped: the same points as frPoly's. */
static bool walk_pair(struct walk *wk, int64_t u0, int64_t v0, int64_t u1, int64_t v1)
{
    if (u1 == u0) {
        return true;
    }
    const int64_t xu = u1 < u0 ? u1 : u1 - 1;
    if (xu < 2 || (xu - 2) % 5 != 0 || (xu - 2) / 5 > (int64_t)wk->w - 1) {
        return true;
    }
    const int64_t xd = (xu - 2) / 5;
    const int64_t yv = v1 < v0 ? v1 : v0;
    int64_t yd = yv <= 2 ? 0 : (yv - 2 + 4) / 5;
    if (yd > (int64_t)wk->h) {
        yd = (int64_t)wk->h;
    }
    if (wk->n == wk->cap) {
        size_t cap = wk->cap < 8 ? 16 : wk->cap;
        uint32_t *p;
        if (wk->cap >= 8 && !bmx__mul_size(cap, 2, &cap)) {
            return false;
        }
        p = bmx__realloc_array(wk->pts, cap, sizeof *p);
        if (p == NULL) {
            return false;
        }
        wk->pts = p;
        wk->cap = cap;
    }
    /* x <= w-1 and y <= h, so x*h + y <= h*w fits 32 bits */
    wk->pts[wk->n++] = (uint32_t)((uint64_t)xd * wk->h + (uint64_t)yd);
    return true;
}

static bool walk_point(struct walk *wk, int64_t u, int64_t v)
{
    bool ok = true;
    if (wk->have_prev) {
        ok = walk_pair(wk, wk->pu, wk->pv, u, v);
    }
    wk->have_prev = true;
    wk->pu = u;
    wk->pv = v;
    return ok;
}

/* Walk the edge (xs, ys) -> (xe, ye) of the 5x grid. */
static bool walk_edge(struct walk *wk, int64_t xs, int64_t ys, int64_t xe, int64_t ye)
{
    struct edge e;
    int64_t dx = xe > xs ? xe - xs : xs - xe;
    int64_t dy = ys > ye ? ys - ye : ye - ys;
    int64_t u, v, u_end, d, d_a, d_b, lo, hi;
    int dir;

    e.steep = dx < dy;
    e.flip = (!e.steep && xs > xe) || (e.steep && ys > ye);
    if (e.flip) {
        int64_t t = xs;
        xs = xe;
        xe = t;
        t = ys;
        ys = ye;
        ye = t;
    }
    e.xs = xs;
    e.ys = ys;
    e.n = e.steep ? dy : dx;
    /* frPoly divides 0 by 0 for a repeated vertex; that point's y is never used
     * (its x equals its neighbours' wherever a boundary point could be kept) */
    if (!e.steep) {
        e.s = dx == 0 ? 0.0 : (double)(ye - ys) / (double)dx;
    } else {
        e.s = (double)(xe - xs) / (double)dy;
    }

    edge_point(&e, 0, &u, &v);
    if (!walk_point(wk, u, v)) {
        return false;
    }
    if (e.n == 0) {
        return true;
    }
    /* A pair keeps a point only when x changes and the current x lies in
     * [2, 5w - 2]; outside that stretch of the edge nothing is kept. */
    u_end = edge_u(&e, e.n);
    dir = u_end >= u ? 1 : -1;
    lo = 2;
    hi = 5 * (int64_t)wk->w - 2;
    if (dir > 0) {
        d_a = edge_first_above(&e, 1, e.n, 1, lo - 1);
        d_b = edge_first_above(&e, 1, e.n, 1, hi) - 1;
    } else {
        d_a = edge_first_above(&e, 1, e.n, -1, -hi - 1);
        d_b = edge_first_above(&e, 1, e.n, -1, -lo) - 1;
    }
    d = d_a;
    while (d <= d_b) {
        int64_t pu, pv, cu, cv;
        edge_point(&e, d - 1, &pu, &pv);
        edge_point(&e, d, &cu, &cv);
        if (!walk_pair(wk, pu, pv, cu, cv)) {
            return false;
        }
        /* next index whose x differs from this one */
        if (d < d_b && edge_u(&e, d + 1) == cu) {
            d = edge_first_above(&e, d + 1, d_b, dir, dir * cu);
        } else {
            d++;
        }
    }
    edge_point(&e, e.n, &u, &v);
    wk->pu = u;
    wk->pv = v;
    return true;
}

bmx_status bmx_rle_from_poly(const struct bmx_poly *poly, uint32_t h, uint32_t w,
                             struct bmx_rle *out, bmx_error *err)
{
    struct walk wk = {0};
    int64_t *gx = NULL, *gy = NULL;
    uint32_t *a = NULL, *b = NULL;
    uint64_t total = 0;
    size_t k, j, m, na;
    uint32_t p;
    bmx_status st;

    if (out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: from_poly: no output");
    }
    memset(out, 0, sizeof *out);
    if (poly == NULL || (poly->n > 0 && poly->xy == NULL)) {
        return bmx__fail(err, BMX_E_INVALID, "rle: from_poly: no polygon given");
    }
    st = bmx__rle_total(h, w, &total, err);
    if (st != BMX_OK) {
        return st;
    }
    k = poly->n;
    for (j = 0; j < 2 * k; j++) {
        double c = poly->xy[j];
        if (!isfinite(c)) {
            return bmx__fail(err, BMX_E_INVALID, "rle: polygon vertex %zu: %s is not finite",
                             j / 2, j % 2 == 0 ? "x" : "y");
        }
        c = 5.0 * c + .5;
        if (c <= -RLE_COORD_LIMIT || c >= RLE_COORD_LIMIT) {
            return bmx__fail(err, BMX_E_LIMIT,
                             "rle: polygon vertex %zu: %s = %g is too far from the image",
                             j / 2, j % 2 == 0 ? "x" : "y", poly->xy[j]);
        }
    }
    if (total == 0 || k == 0) {
        return bmx__rle_make_empty(h, w, total, out, err);
    }
    wk.h = h;
    wk.w = w;
    gx = bmx__alloc_array(k + 1, sizeof *gx);
    gy = bmx__alloc_array(k + 1, sizeof *gy);
    if (gx == NULL || gy == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
        goto cleanup;
    }
    for (j = 0; j < k; j++) {
        gx[j] = (int64_t)(int)(5.0 * poly->xy[2 * j] + .5);
        gy[j] = (int64_t)(int)(5.0 * poly->xy[2 * j + 1] + .5);
    }
    gx[k] = gx[0];
    gy[k] = gy[0];
    for (j = 0; j < k; j++) {
        if (!walk_edge(&wk, gx[j], gy[j], gx[j + 1], gy[j + 1])) {
            st = bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
            goto cleanup;
        }
    }

    /* the kept points toggle the mask: sort them, take differences, and let two
     * points on one pixel cancel, as frPoly does */
    na = wk.n + 1;
    a = bmx__alloc_array(na, sizeof *a);
    b = bmx__alloc_array(na, sizeof *b);
    if (a == NULL || b == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
        goto cleanup;
    }
    if (wk.n > 0) {
        memcpy(a, wk.pts, wk.n * sizeof *a);
    }
    a[wk.n] = (uint32_t)total;
    bmx__sort_u32(a, b, na); /* b: room until it takes the counts below */
    p = 0;
    for (j = 0; j < na; j++) {
        uint32_t t = a[j];
        a[j] -= p;
        p = t;
    }
    m = 0;
    j = 0;
    b[m++] = a[j++];
    while (j < na) {
        if (a[j] > 0) {
            b[m++] = a[j++];
        } else {
            j++;
            if (j < na) {
                b[m - 1] += a[j++];
            }
        }
    }
    out->h = h;
    out->w = w;
    out->m = m;
    out->counts = b;
    b = NULL;
    st = BMX_OK;
cleanup:
    free(gx);
    free(gy);
    free(wk.pts);
    free(a);
    free(b);
    return st;
}

/* pycocotools rasterises each ring (frPyObjects) and the caller merges them; an
 * empty set gives the empty mask, as encoding an all-zero array does. */
bmx_status bmx_rle_from_polyset(const struct bmx_polyset *set, uint32_t h, uint32_t w,
                                struct bmx_rle *out, bmx_error *err)
{
    struct bmx_rle *parts = NULL;
    uint64_t total = 0;
    size_t done = 0;
    bmx_status st;

    if (out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: from_polyset: no output");
    }
    memset(out, 0, sizeof *out);
    if (set == NULL || (set->count > 0 && set->rings == NULL)) {
        return bmx__fail(err, BMX_E_INVALID, "rle: from_polyset: no polygon set given");
    }
    st = bmx__rle_total(h, w, &total, err);
    if (st != BMX_OK) {
        return st;
    }
    if (set->count == 0) {
        return bmx__rle_make_empty(h, w, total, out, err);
    }
    parts = bmx__alloc_array(set->count, sizeof *parts);
    if (parts == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
        goto cleanup;
    }
    for (done = 0; done < set->count; done++) {
        st = bmx_rle_from_poly(&set->rings[done], h, w, &parts[done], err);
        if (st != BMX_OK) {
            st = bmx__prefix(err, st, "ring %zu", done);
            goto cleanup;
        }
    }
    st = bmx_rle_merge(parts, set->count, false, out, err);
cleanup:
    if (parts != NULL) {
        for (size_t i = 0; i < done; i++) {
            bmx_rle_free(&parts[i]);
        }
        free(parts);
    }
    return st;
}
