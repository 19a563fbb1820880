/* SPDX-License-Identifier: MIT */
/*
 * The reference clipper: every ring clipped by full Sutherland-Hodgman passes and
 * split by the general bridge splitter, with no fast path, reached through
 * bmx__polyset_clip_rect_ref and bmx__polyset_cut_rect_ref (polygon.h). The public
 * functions (polyclip.c) must give exactly its rings; tests/test_polygon.c compares
 * both on random rings, simple and self-intersecting, bit for bit.
 *
 * How a ring is clipped
 * ---------------------
 * 1. Sutherland-Hodgman against the (up to) four half-planes of the region. The
 *    result is one ring whose winding number equals the input's inside the region
 *    and is 0 outside, so its signed area is exact. Intersection points get the
 *    clip line's coordinate exactly and the other coordinate clamped to the
 *    segment's range, so every output vertex lies in the closed region with no
 *    rounding slack; a segment gives the same intersection in both directions.
 * 2. Sutherland-Hodgman leaves zero-width "bridges" along the region's sides where a
 *    concave ring is cut into several pieces (the ring runs along a side and back).
 *    We choose to split the result into separate rings rather than emit bridges:
 *    the ring becomes a set of directed edges; the edges lying on a side are cut at
 *    every vertex on that side and opposite edges over the same interval cancel
 *    (only the net count per interval is kept). Cancelling a pair of opposite edges
 *    changes no winding number anywhere, so the region and its signed area are
 *    unchanged, and no bridge remains. Every vertex still has as many edges in as
 *    out, so the edges fall into closed cycles; at a vertex with several ways out we
 *    take the sharpest turn towards the inside, which separates pieces that only
 *    touch at a point.
 * 3. Each cycle loses consecutive duplicates, collinear vertices and zero-width
 *    spikes (exact tests), and is dropped when fewer than 3 vertices remain or its
 *    area is zero up to rounding (see bmx__ring_degenerate).
 */
#include "polyclip.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Sutherland-Hodgman against the finite sides of `b`, then clamp and remove
 * consecutive duplicates. `*res` is allocated (free()), `*res_n` may be 0.
 */
static bmx_status ref_sh_clip(const struct pt *ring, size_t n, const struct bounds *b,
                              struct pt **res, size_t *res_n)
{
    bmx_status st = BMX_OK;
    struct pt *cur = bmx__alloc_array(n, sizeof *cur);
    struct pt *next = NULL;
    size_t cur_n = n;
    const int axes[4] = {0, 0, 1, 1};
    const double bnd[4] = {b->x0, b->x1, b->y0, b->y1};
    const bool ge[4] = {true, false, true, false};

    if (cur == NULL) {
        st = BMX_E_NOMEM;
        goto cleanup;
    }
    memcpy(cur, ring, n * sizeof *cur);
    for (int k = 0; k < 4 && cur_n > 0; k++) {
        size_t cap;
        if (isinf(bnd[k])) {
            continue;
        }
        if (!bmx__mul_size(cur_n, 2, &cap)) {
            st = BMX_E_OVERFLOW;
            goto cleanup;
        }
        next = bmx__alloc_array(cap, sizeof *next);
        if (next == NULL) {
            st = BMX_E_NOMEM;
            goto cleanup;
        }
        cur_n = bmx__clip_sh_pass(cur, cur_n, next, axes[k], bnd[k], ge[k]);
        free(cur);
        cur = next;
        next = NULL;
    }
    *res_n = bmx__clip_clamp_dedup(cur, cur_n, b, cur);
    *res = cur;
    cur = NULL;
cleanup:
    free(cur);
    free(next);
    return st;
}

static void ref_add_edge(struct edge *edges, size_t *ne, const struct pt *u, size_t from, size_t to,
                         size_t mult)
{
    struct edge *e = &edges[(*ne)++];
    e->from = from;
    e->to = to;
    e->mult = mult;
    e->angle = bmx__clip_edge_angle(u, from, to);
    e->has_angle = true;
}

static bmx_status push_id(size_t **ids, size_t *cap, size_t *n, size_t id)
{
    if (*n == *cap) {
        size_t grown_cap = *cap == 0 ? 16 : *cap;
        size_t *grown;
        if (*cap != 0 && !bmx__mul_size(grown_cap, 2, &grown_cap)) {
            return BMX_E_OVERFLOW;
        }
        grown = bmx__realloc_array(*ids, grown_cap, sizeof *grown);
        if (grown == NULL) {
            return BMX_E_NOMEM;
        }
        *ids = grown;
        *cap = grown_cap;
    }
    (*ids)[(*n)++] = id;
    return BMX_OK;
}

/* Simplify one traced cycle and keep it when it has area. */
static bmx_status ref_emit_cycle(const size_t *ids, size_t n, const struct pt *u,
                                 const size_t *rank, struct pt *buf, struct ringlist *out)
{
    n = bmx__clip_simplify_ring(buf, bmx__clip_cycle_points(ids, n, u, rank, buf));
    if (bmx__ring_degenerate_exact(buf, n)) {
        return BMX_OK;
    }
    return bmx__clip_ringlist_push(out, buf, n);
}

/*
 * Split a Sutherland-Hodgman output ring (m >= 3 distinct consecutive points, all in
 * the closed region `b`) into bridge-free rings, appended to `out`. See the top of
 * the file.
 */
static bmx_status ref_split_bridges(const struct pt *p, size_t m, const struct bounds *b,
                                    struct ringlist *out)
{
    bmx_status st = BMX_OK;
    struct keyed *keys = NULL;
    struct pt *u = NULL;
    size_t *vid = NULL;
    size_t *rank = NULL;
    int *side = NULL;
    size_t *list = NULL;
    size_t *pos = NULL;
    long long *diff = NULL;
    struct edge *edges = NULL;
    size_t *first = NULL;
    size_t *outs = NULL;
    size_t *cyc = NULL;
    struct pt *buf = NULL;
    size_t k = 0;
    size_t ne = 0;
    size_t cap_e, cyc_cap = 0;
    bool ccw = bmx__signed_area(p, m) >= 0.0;

    keys = bmx__alloc_array(m, sizeof *keys);
    u = bmx__alloc_array(m, sizeof *u);
    vid = bmx__alloc_array(m, sizeof *vid);
    rank = bmx__alloc_array(m, sizeof *rank);
    side = bmx__alloc_array(m, sizeof *side);
    list = bmx__alloc_array(m, sizeof *list);
    pos = bmx__alloc_array(m, sizeof *pos);
    diff = bmx__alloc_array(m, sizeof *diff);
    if (!bmx__mul_size(m, 5, &cap_e)) {
        st = BMX_E_OVERFLOW;
        goto cleanup;
    }
    edges = bmx__alloc_array(cap_e, sizeof *edges);
    if (keys == NULL || u == NULL || vid == NULL || rank == NULL || side == NULL || list == NULL ||
        pos == NULL || diff == NULL || edges == NULL) {
        st = BMX_E_NOMEM;
        goto cleanup;
    }

    /* Vertices are identified by exact coordinates. */
    for (size_t i = 0; i < m; i++) {
        keys[i].x = p[i].x;
        keys[i].y = p[i].y;
        keys[i].idx = i;
    }
    qsort(keys, m, sizeof *keys, bmx__clip_cmp_keyed);
    for (size_t i = 0; i < m; i++) {
        if (i == 0 || bmx__clip_cmp_keyed(&keys[i - 1], &keys[i]) != 0) {
            u[k].x = keys[i].x;
            u[k].y = keys[i].y;
            rank[k] = keys[i].idx;
            k++;
        }
        vid[keys[i].idx] = k - 1;
        if (keys[i].idx < rank[k - 1]) {
            rank[k - 1] = keys[i].idx;
        }
    }

    /* Edges off the sides are kept as they are. */
    for (size_t i = 0; i < m; i++) {
        size_t j = i + 1 == m ? 0 : i + 1;
        side[i] = bmx__clip_edge_side(p[i], p[j], b);
        if (side[i] < 0) {
            ref_add_edge(edges, &ne, u, vid[i], vid[j], 1);
        }
    }

    /*
     * Edges on a side: net count per interval between consecutive vertices on that
     * side. `u` is sorted by (x, y), so the vertices on one side come in order of
     * their position along it.
     */
    for (int s = 0; s < 4; s++) {
        size_t c = 0;
        long long run = 0;
        for (size_t v = 0; v < k; v++) {
            if (bmx__clip_on_side(u[v], s, b)) {
                list[c] = v;
                pos[v] = c;
                c++;
            }
        }
        if (c < 2) {
            continue;
        }
        memset(diff, 0, c * sizeof *diff);
        for (size_t i = 0; i < m; i++) {
            size_t a, z;
            if (side[i] != s) {
                continue;
            }
            a = pos[vid[i]];
            z = pos[vid[i + 1 == m ? 0 : i + 1]];
            if (a < z) {
                diff[a]++;
                diff[z]--;
            } else {
                diff[z]--;
                diff[a]++;
            }
        }
        for (size_t j = 0; j + 1 < c; j++) {
            run += diff[j];
            if (run > 0) {
                ref_add_edge(edges, &ne, u, list[j], list[j + 1], (size_t)run);
            } else if (run < 0) {
                ref_add_edge(edges, &ne, u, list[j + 1], list[j], (size_t)-run);
            }
        }
    }

    /* Outgoing edges of each vertex (counting sort by `from`). */
    first = bmx__alloc_array(k + 1, sizeof *first);
    outs = bmx__alloc_array(ne, sizeof *outs);
    if (first == NULL || outs == NULL) {
        st = BMX_E_NOMEM;
        goto cleanup;
    }
    bmx__clip_out_edge_index(edges, ne, k, first, outs);

    /* Walk the cycles. */
    for (size_t e0 = 0; e0 < ne; e0++) {
        while (edges[e0].mult > 0) {
            size_t start = edges[e0].from;
            size_t cur = edges[e0].to;
            double ang = edges[e0].angle;
            size_t n = 0;
            edges[e0].mult--;
            st = push_id(&cyc, &cyc_cap, &n, start);
            if (st != BMX_OK) {
                goto cleanup;
            }
            for (;;) {
                size_t best = SIZE_MAX;
                /* Back at the start, closing competes with the other ways out. */
                double best_turn =
                    cur == start ? bmx__clip_turn(ang, edges[e0].angle, ccw) : INFINITY;
                for (size_t o = first[cur]; o < first[cur + 1]; o++) {
                    const struct edge *f = &edges[outs[o]];
                    double t;
                    if (f->mult == 0) {
                        continue;
                    }
                    t = bmx__clip_turn(ang, f->angle, ccw);
                    if (t < best_turn) {
                        best_turn = t;
                        best = outs[o];
                    }
                }
                if (best == SIZE_MAX) {
                    /* Closed (edges in = edges out: only the start can run out). */
                    break;
                }
                st = push_id(&cyc, &cyc_cap, &n, cur);
                if (st != BMX_OK) {
                    goto cleanup;
                }
                edges[best].mult--;
                ang = edges[best].angle;
                cur = edges[best].to;
            }
            free(buf);
            buf = bmx__alloc_array(n, sizeof *buf);
            if (buf == NULL) {
                st = BMX_E_NOMEM;
                goto cleanup;
            }
            st = ref_emit_cycle(cyc, n, u, rank, buf, out);
            if (st != BMX_OK) {
                goto cleanup;
            }
        }
    }
cleanup:
    free(keys);
    free(u);
    free(vid);
    free(rank);
    free(side);
    free(list);
    free(pos);
    free(diff);
    free(edges);
    free(first);
    free(outs);
    free(cyc);
    free(buf);
    return st;
}

/* Clip one ring (n interleaved vertices) to the closed region `b`, appending to `out`. */
static bmx_status ref_clip_ring(const double *xy, size_t n, const struct bounds *b,
                                struct ringlist *out)
{
    bmx_status st = BMX_OK;
    struct pt *ring = NULL;
    struct pt *res = NULL;
    size_t res_n = 0;

    if (n < 3) {
        return BMX_OK;
    }
    ring = bmx__alloc_array(n, sizeof *ring);
    if (ring == NULL) {
        st = BMX_E_NOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        ring[i].x = xy[2 * i];
        ring[i].y = xy[2 * i + 1];
    }
    if (bmx__ring_degenerate_exact(ring, n)) {
        goto cleanup;
    }
    st = ref_sh_clip(ring, n, b, &res, &res_n);
    if (st != BMX_OK || res_n < 3) {
        goto cleanup;
    }
    st = ref_split_bridges(res, res_n, b, out);
cleanup:
    free(ring);
    free(res);
    return st;
}

/* The reference: ref_clip_ring for every ring and region. */
static bmx_status ref_by_rect(const struct bmx_polyset *in, struct bmx_box r, bool clip,
                              struct bmx_polyset *out, bmx_error *err)
{
    const char *what = bmx__clip_op_name(clip);
    bmx_status st = bmx__clip_check_args(in, r, out, what, err);
    struct ringlist list;
    struct bounds regions[4];
    int n_regions;
    if (st != BMX_OK) {
        return st;
    }
    list.set = out;
    list.cap = 0;
    n_regions = bmx__clip_rect_regions(r, clip, regions);
    for (size_t i = 0; i < in->count; i++) {
        for (int s = 0; s < n_regions; s++) {
            st = ref_clip_ring(in->rings[i].xy, in->rings[i].n, &regions[s], &list);
            if (st != BMX_OK) {
                st = bmx__clip_ring_failed(err, st, what, i);
                goto cleanup;
            }
        }
    }
cleanup:
    if (st != BMX_OK) {
        bmx_polyset_free(out);
    }
    bmx__clip_finish_set(out);
    return st;
}

bmx_status bmx__polyset_clip_rect_ref(const struct bmx_polyset *in, struct bmx_box r,
                                      struct bmx_polyset *out, bmx_error *err)
{
    return ref_by_rect(in, r, true, out, err);
}

bmx_status bmx__polyset_cut_rect_ref(const struct bmx_polyset *in, struct bmx_box r,
                                     struct bmx_polyset *out, bmx_error *err)
{
    return ref_by_rect(in, r, false, out, err);
}
