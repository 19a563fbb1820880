/* SPDX-License-Identifier: MIT */
/*
 * RLE masks to COCO polygons: the outer boundary of every 4-connected component,
 * traced along pixel edges.
 *
 * 1. The runs are split into column segments (a run may wrap from the bottom of one
 *    column to the top of the next). Segments of neighbouring columns that share a
 *    row belong to one component (union-find). The root of a component is always its
 *    earliest segment, so walking the segments in order meets each component at its
 *    first pixel in the RLE's column-major order.
 * 2. The set pixels are painted into a byte mask of their tight box plus a one-pixel
 *    border of background, so the tracer never checks bounds and memory follows the
 *    object, not the image.
 * 3. From the top-left corner of a component's first pixel (nothing lies to its left
 *    or above it, so that corner is on the outer boundary) the tracer walks the pixel
 *    edges keeping set pixels on its right, which is clockwise on screen (y down).
 *    At a corner it turns right when the pixel ahead-right is clear, left when both
 *    pixels ahead are set, and goes on otherwise. Turning right when only the
 *    ahead-left pixel is set is what makes pixels that touch diagonally separate
 *    (4-connectivity): the walk never crosses between them. The walk follows the
 *    component's border with the background region outside it, so holes are never
 *    entered and end up filled. A vertex is written only where the walk turns.
 * 4. Holes are counted without tracing them: with 4-connected set pixels and
 *    8-connected background, the Euler number (components minus holes) is
 *    (Q1 - Q3 + 2 QD) / 4 over all 2x2 windows (Gray's bit quads; Q1/Q3: windows with
 *    one/three set pixels, QD: two diagonal ones).
 */
#include "boxmix.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

/* A column segment: rows [y0, y1) of column x. */
struct seg {
    uint32_t x, y0, y1;
};

struct segs {
    struct seg *v;
    size_t n, cap;
};

/* A growing list of vertices of the ring being traced (padded-frame corners). */
struct verts {
    int64_t *v; /* x, y pairs */
    size_t n, cap;
};

static bool segs_push(struct segs *s, uint32_t x, uint32_t y0, uint32_t y1)
{
    if (s->n == s->cap) {
        size_t cap = s->cap < 16 ? 16 : s->cap;
        if (!bmx__mul_size(cap, 2, &cap)) {
            return false;
        }
        struct seg *v = bmx__realloc_array(s->v, cap, sizeof *v);
        if (v == NULL) {
            return false;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].x = x;
    s->v[s->n].y0 = y0;
    s->v[s->n].y1 = y1;
    s->n++;
    return true;
}

static bool verts_push(struct verts *s, int64_t x, int64_t y)
{
    if (s->n == s->cap) {
        size_t cap = s->cap < 16 ? 16 : s->cap;
        if (!bmx__mul_size(cap, 2, &cap)) {
            return false;
        }
        int64_t *v = bmx__realloc_array(s->v, cap, 2 * sizeof *v);
        if (v == NULL) {
            return false;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[2 * s->n] = x;
    s->v[2 * s->n + 1] = y;
    s->n++;
    return true;
}

/* Split the foreground runs at column boundaries; the result is in column-major
 * order, sorted by (x, y0). Runs and positions fit 32 bits (h*w does, validated). */
static bool split_runs(const struct bmx_rle *rle, struct segs *out)
{
    const uint64_t h = rle->h;
    uint64_t pos = 0;
    for (size_t j = 0; j < rle->m; j++) {
        uint64_t len = rle->counts[j];
        if (j % 2 == 1) {
            uint64_t p = pos;
            uint64_t end = pos + len;
            while (p < end) {
                uint64_t x = p / h;
                uint64_t y = p % h;
                uint64_t stop = (x + 1) * h < end ? (x + 1) * h : end;
                if (!segs_push(out, (uint32_t)x, (uint32_t)y, (uint32_t)(y + (stop - p)))) {
                    return false;
                }
                p = stop;
            }
        }
        pos += len;
    }
    return true;
}

static size_t uf_find(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

/* The smaller index wins, so a root is its component's earliest segment. */
static void uf_union(size_t *parent, size_t a, size_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a < b) {
        parent[b] = a;
    } else if (b < a) {
        parent[a] = b;
    }
}

/* Join segments of adjacent columns that share at least one row; add up, over
 * every such pair, the rows they share (*shared: pixel pairs side by side) and
 * those rows less one (*quads: 2x2 blocks of set pixels across the two columns). */
static void label_segments(const struct segs *s, size_t *parent, uint64_t *shared,
                           uint64_t *quads)
{
    *shared = 0;
    *quads = 0;
    size_t prev_lo = 0, prev_hi = 0; /* segments of the previous column */
    size_t i = 0;
    for (size_t k = 0; k < s->n; k++) {
        parent[k] = k;
    }
    while (i < s->n) {
        size_t lo = i;
        uint32_t x = s->v[i].x;
        while (i < s->n && s->v[i].x == x) {
            i++;
        }
        if (prev_hi > prev_lo && x > 0 && s->v[prev_lo].x == x - 1) {
            size_t a = prev_lo, b = lo;
            while (a < prev_hi && b < i) {
                const struct seg *p = &s->v[a];
                const struct seg *c = &s->v[b];
                if (p->y0 < c->y1 && c->y0 < p->y1) {
                    uf_union(parent, a, b);
                    const uint32_t top = p->y0 > c->y0 ? p->y0 : c->y0;
                    const uint32_t end = p->y1 < c->y1 ? p->y1 : c->y1;
                    *shared += end - top;
                    *quads += end - top - 1;
                }
                if (p->y1 <= c->y1) {
                    a++;
                } else {
                    b++;
                }
            }
        }
        prev_lo = lo;
        prev_hi = i;
    }
}

/* The padded mask of the set pixels' box: column-major, `ph` rows, pixel (x, y) of
 * the image at column x - x0 + 1, row y - y0 + 1. */
struct grid {
    uint8_t *m;
    int64_t pw, ph;
};

static uint8_t at(const struct grid *g, int64_t u, int64_t v)
{
    return g->m[(size_t)(u * g->ph + v)];
}

/* Directions E, S, W, N (y down); +1 turns right (clockwise on screen). For a walk
 * in direction d that stands on corner (u, v), the pixel ahead on the left is at
 * (u + LX[d], v + LY[d]) and the one ahead on the right at (u + RX[d], v + RY[d]). */
static const int DX[4] = {1, 0, -1, 0};
static const int DY[4] = {0, 1, 0, -1};
static const int LX[4] = {0, 0, -1, -1};
static const int LY[4] = {-1, 0, 0, -1};
static const int RX[4] = {0, -1, -1, 0};
static const int RY[4] = {0, 0, -1, -1};

/* Trace the outer boundary that starts at corner (su, sv), the top-left corner of a
 * component's first pixel, into `vs`. `limit` bounds the steps (every boundary edge
 * is walked once, and there are at most 4 per set pixel). */
static bmx_status trace(const struct grid *g, int64_t su, int64_t sv, uint64_t limit,
                        struct verts *vs, bmx_error *err)
{
    int d = 0;
    int64_t u = su + 1;
    int64_t v = sv;
    uint64_t steps = 1;
    vs->n = 0;
    if (!verts_push(vs, su, sv)) {
        return bmx__fail(err, BMX_E_NOMEM, "rle to polygons: out of memory");
    }
    while (u != su || v != sv) {
        int nd;
        if (!at(g, u + RX[d], v + RY[d])) {
            nd = (d + 1) & 3;
        } else if (at(g, u + LX[d], v + LY[d])) {
            nd = (d + 3) & 3;
        } else {
            nd = d;
        }
        if (nd != d && !verts_push(vs, u, v)) {
            return bmx__fail(err, BMX_E_NOMEM, "rle to polygons: out of memory");
        }
        d = nd;
        u += DX[d];
        v += DY[d];
        if (++steps > limit) {
            return bmx__fail(err, BMX_E_STATE, "rle to polygons: internal error: open contour");
        }
    }
    return BMX_OK;
}

/* Holes of all components: components minus the Euler number of the set pixels
 * with 4-neighbours, which is pixels - neighbour pairs + 2x2 blocks (Gray's bit
 * quads give the same number), counted on the column segments: a segment of n
 * pixels holds n - 1 pairs one above the other; the pairs side by side and the
 * blocks come from label_segments. */
static size_t count_holes(const struct segs *s, size_t components, uint64_t pixels,
                          uint64_t shared, uint64_t quads)
{
    uint64_t stacked = 0;
    for (size_t i = 0; i < s->n; i++) {
        stacked += s->v[i].y1 - s->v[i].y0 - 1;
    }
    const int64_t euler = (int64_t)pixels - (int64_t)(stacked + shared) + (int64_t)quads;
    return (size_t)((int64_t)components - euler);
}

bmx_status bmx_rle_to_polyset(const struct bmx_rle *rle, struct bmx_polyset *out, size_t *holes,
                              bmx_error *err)
{
    bmx_status st = BMX_OK;
    struct segs segs = {NULL, 0, 0};
    struct verts vs = {NULL, 0, 0};
    size_t *parent = NULL;
    struct grid g = {NULL, 0, 0};
    struct bmx_polyset res = {0, NULL};

    if (out != NULL) {
        memset(out, 0, sizeof *out);
    }
    if (holes != NULL) {
        *holes = 0;
    }
    if (rle == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle to polygons: NULL argument");
    }
    st = bmx_rle_validate(rle, err);
    if (st != BMX_OK) {
        return st;
    }

    if (!split_runs(rle, &segs)) {
        st = bmx__fail(err, BMX_E_NOMEM, "rle to polygons: out of memory");
        goto cleanup;
    }
    if (segs.n == 0) {
        goto cleanup; /* empty mask: no ring */
    }
    parent = bmx__alloc_array(segs.n, sizeof *parent);
    if (parent == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "rle to polygons: out of memory");
        goto cleanup;
    }
    uint64_t shared = 0, quads = 0;
    label_segments(&segs, parent, &shared, &quads);

    /* The box of the set pixels, and how many pixels and components there are. */
    uint32_t x0 = segs.v[0].x, x1 = segs.v[segs.n - 1].x;
    uint32_t y0 = segs.v[0].y0, y1 = segs.v[0].y1;
    uint64_t pixels = 0;
    size_t components = 0;
    for (size_t i = 0; i < segs.n; i++) {
        y0 = segs.v[i].y0 < y0 ? segs.v[i].y0 : y0;
        y1 = segs.v[i].y1 > y1 ? segs.v[i].y1 : y1;
        pixels += segs.v[i].y1 - segs.v[i].y0;
        if (uf_find(parent, i) == i) {
            components++;
        }
    }

    size_t pw = (size_t)(x1 - x0) + 3;
    size_t ph = (size_t)(y1 - y0) + 2;
    size_t cells;
    if (!bmx__mul_size(pw, ph, &cells)) {
        st = bmx__fail(err, BMX_E_OVERFLOW, "rle to polygons: mask too large");
        goto cleanup;
    }
    g.m = calloc(cells, 1);
    if (g.m == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "rle to polygons: out of memory");
        goto cleanup;
    }
    g.pw = (int64_t)pw;
    g.ph = (int64_t)ph;
    for (size_t i = 0; i < segs.n; i++) {
        const struct seg *s = &segs.v[i];
        size_t col = (size_t)(s->x - x0 + 1) * ph;
        memset(g.m + col + (s->y0 - y0 + 1), 1, s->y1 - s->y0);
    }

    res.rings = bmx__alloc_array(components, sizeof *res.rings);
    if (res.rings == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "rle to polygons: out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < segs.n; i++) {
        if (uf_find(parent, i) != i) {
            continue;
        }
        const struct seg *s = &segs.v[i];
        st = trace(&g, (int64_t)(s->x - x0) + 1, (int64_t)(s->y0 - y0) + 1, 4 * pixels, &vs, err);
        if (st != BMX_OK) {
            goto cleanup;
        }
        struct bmx_poly *ring = &res.rings[res.count];
        ring->xy = bmx__alloc_array(vs.n, 2 * sizeof *ring->xy);
        if (ring->xy == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "rle to polygons: out of memory");
            goto cleanup;
        }
        ring->n = vs.n;
        res.count++;
        /* Back to the image frame: padded corner (u, v) is image corner
         * (u - 1 + x0, v - 1 + y0). */
        for (size_t k = 0; k < vs.n; k++) {
            ring->xy[2 * k] = (double)(vs.v[2 * k] - 1 + (int64_t)x0);
            ring->xy[2 * k + 1] = (double)(vs.v[2 * k + 1] - 1 + (int64_t)y0);
        }
    }
    if (holes != NULL) {
        *holes = count_holes(&segs, components, pixels, shared, quads);
    }

cleanup:
    free(segs.v);
    free(vs.v);
    free(parent);
    free(g.m);
    if (st != BMX_OK) {
        bmx_polyset_free(&res);
        return st;
    }
    *out = res;
    return BMX_OK;
}
