/*
 * Exact polygon geometry: shoelace areas, extents, and clipping rings to
 * axis-aligned rectangles (the part inside: clip; the part outside: cut).
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
 *    area is zero up to rounding (see ring_degenerate).
 */
#include "error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct pt {
    double x, y;
};

/* A closed region [x0, x1] x [y0, y1]; bounds may be infinite (strips). */
struct bounds {
    double x0, y0, x1, y1;
};

/* A polyset being filled, with its capacity. */
struct ringlist {
    struct bmx_polyset *set;
    size_t cap;
};

struct keyed {
    double x, y;
    size_t idx;
};

struct edge {
    size_t from, to;
    size_t mult; /* how many times the edge still has to be walked */
    double angle;
};

static const double two_pi = 6.283185307179586476925286766559;

/*
 * A compensated sum of exact products: the shoelace terms x_i*y_j are as large as
 * the coordinates squared while the area may be tiny (a small ring far from the
 * origin), so the products are split exactly with fma and summed with Neumaier's
 * correction. The result is the shoelace area of the vertices, correctly rounded
 * but for a few ulps.
 */
struct acc {
    double sum, err;
};

static void acc_add(struct acc *a, double v)
{
    double t = a->sum + v;
    if (fabs(a->sum) >= fabs(v)) {
        a->err += (a->sum - t) + v;
    } else {
        a->err += (v - t) + a->sum;
    }
    a->sum = t;
}

/* Add a*d - b*c. */
static void acc_cross(struct acc *a, double x0, double y1, double x1, double y0)
{
    double p = x0 * y1;
    double q = x1 * y0;
    acc_add(a, p);
    acc_add(a, -q);
    a->err += fma(x0, y1, -p) - fma(x1, y0, -q);
}

static double signed_area(const struct pt *v, size_t n)
{
    struct acc a = {0.0, 0.0};
    if (n < 3) {
        return 0.0;
    }
    for (size_t i = 0; i < n; i++) {
        const struct pt *p = &v[i];
        const struct pt *q = &v[i + 1 == n ? 0 : i + 1];
        acc_cross(&a, p->x, q->y, q->x, p->y);
    }
    return 0.5 * (a.sum + a.err);
}

/*
 * Whether a ring has no area worth keeping. Rounding in intersections leaves
 * slivers (a vertex a few ulps off a line) whose area, divided by extent times
 * max(extent, position), stays below about 1e-16; genuine thin pieces seen in the
 * property tests start near 5e-13. The cut-off sits between them at 1e-14.
 */
static bool ring_degenerate(const struct pt *v, size_t n)
{
    double minx, maxx, miny, maxy, len, mag, area;
    if (n < 3) {
        return true;
    }
    minx = maxx = v[0].x;
    miny = maxy = v[0].y;
    for (size_t i = 1; i < n; i++) {
        minx = fmin(minx, v[i].x);
        maxx = fmax(maxx, v[i].x);
        miny = fmin(miny, v[i].y);
        maxy = fmax(maxy, v[i].y);
    }
    len = fmax(maxx - minx, maxy - miny);
    mag = fmax(fmax(fabs(minx), fabs(maxx)), fmax(fabs(miny), fabs(maxy)));
    area = fabs(signed_area(v, n));
    return !(area > 1e-14 * len * fmax(len, mag));
}

static bool same_pt(struct pt a, struct pt b)
{
    return a.x == b.x && a.y == b.y;
}

/* Exact test; also true when two of the points coincide. */
static bool collinear(struct pt a, struct pt b, struct pt c)
{
    return (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x) == 0.0;
}

/*
 * Remove consecutive duplicates, collinear vertices and spikes (a, b, a) from a
 * closed ring, in place. Returns the new vertex count.
 */
static size_t simplify_ring(struct pt *v, size_t n)
{
    size_t t = 0;
    size_t s = 0;
    for (size_t i = 0; i < n; i++) {
        v[t++] = v[i];
        for (;;) {
            if (t >= 2 && same_pt(v[t - 2], v[t - 1])) {
                t--;
            } else if (t >= 3 && collinear(v[t - 3], v[t - 2], v[t - 1])) {
                v[t - 2] = v[t - 1];
                t--;
            } else {
                break;
            }
        }
    }
    /* The same across the wrap-around: the run is v[s .. t-1]. */
    while (t - s >= 3) {
        if (same_pt(v[t - 1], v[s]) || collinear(v[t - 2], v[t - 1], v[s])) {
            t--;
        } else if (collinear(v[t - 1], v[s], v[s + 1])) {
            s++;
        } else {
            break;
        }
    }
    if (t - s < 3) {
        return 0;
    }
    memmove(v, v + s, (t - s) * sizeof *v);
    return t - s;
}

static bmx_status ringlist_push(struct ringlist *list, const struct pt *v, size_t n)
{
    struct bmx_polyset *set = list->set;
    double *xy;
    if (set->count == list->cap) {
        size_t cap = list->cap == 0 ? 4 : list->cap;
        struct bmx_poly *rings;
        if (list->cap != 0 && !bmx__mul_size(cap, 2, &cap)) {
            return BMX_E_OVERFLOW;
        }
        rings = bmx__realloc_array(set->rings, cap, sizeof *rings);
        if (rings == NULL) {
            return BMX_E_NOMEM;
        }
        set->rings = rings;
        list->cap = cap;
    }
    xy = bmx__alloc_array(n, 2 * sizeof *xy);
    if (xy == NULL) {
        return BMX_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        xy[2 * i] = v[i].x;
        xy[2 * i + 1] = v[i].y;
    }
    set->rings[set->count].n = n;
    set->rings[set->count].xy = xy;
    set->count++;
    return BMX_OK;
}

/*
 * The intersection of segment pq with the line coord[axis] == bound (p and q on
 * opposite sides). The endpoints are ordered first so that the segment gives the
 * same point whichever way it is walked.
 */
static struct pt line_cross(struct pt p, struct pt q, int axis, double bound)
{
    double pc, qc, po, qo, t, o;
    struct pt r;
    if (p.x > q.x || (p.x == q.x && p.y > q.y)) {
        struct pt tmp = p;
        p = q;
        q = tmp;
    }
    pc = axis == 0 ? p.x : p.y;
    qc = axis == 0 ? q.x : q.y;
    po = axis == 0 ? p.y : p.x;
    qo = axis == 0 ? q.y : q.x;
    t = (bound - pc) / (qc - pc);
    o = po + t * (qo - po);
    o = fmin(fmax(o, fmin(po, qo)), fmax(po, qo));
    if (axis == 0) {
        r.x = bound;
        r.y = o;
    } else {
        r.x = o;
        r.y = bound;
    }
    return r;
}

static bool in_half(struct pt p, int axis, double bound, bool keep_ge)
{
    double c = axis == 0 ? p.x : p.y;
    return keep_ge ? c >= bound : c <= bound;
}

/* One Sutherland-Hodgman pass; `out` holds at least 2n points. */
static size_t sh_pass(const struct pt *in, size_t n, struct pt *out, int axis, double bound,
                      bool keep_ge)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        struct pt p = in[i];
        struct pt q = in[i + 1 == n ? 0 : i + 1];
        bool pin = in_half(p, axis, bound, keep_ge);
        bool qin = in_half(q, axis, bound, keep_ge);
        double pc = axis == 0 ? p.x : p.y;
        if (pin) {
            out[m++] = p;
        }
        /* An inside endpoint exactly on the line is the intersection itself. */
        if (pin != qin && !(pin && pc == bound)) {
            out[m++] = line_cross(p, q, axis, bound);
        }
    }
    return m;
}

/*
 * Sutherland-Hodgman against the finite sides of `b`, then clamp and remove
 * consecutive duplicates. `*res` is allocated (free()), `*res_n` may be 0.
 */
static bmx_status sh_clip(const struct pt *ring, size_t n, const struct bounds *b, struct pt **res,
                          size_t *res_n)
{
    bmx_status st = BMX_OK;
    struct pt *cur = bmx__alloc_array(n, sizeof *cur);
    struct pt *next = NULL;
    size_t cur_n = n;
    const int axes[4] = {0, 0, 1, 1};
    const double bnd[4] = {b->x0, b->x1, b->y0, b->y1};
    const bool ge[4] = {true, false, true, false};
    size_t m;

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
        cur_n = sh_pass(cur, cur_n, next, axes[k], bnd[k], ge[k]);
        free(cur);
        cur = next;
        next = NULL;
    }
    /* A no-op by construction; kept so no rounding can ever leave the region. */
    m = 0;
    for (size_t i = 0; i < cur_n; i++) {
        struct pt p;
        p.x = fmin(fmax(cur[i].x, b->x0), b->x1);
        p.y = fmin(fmax(cur[i].y, b->y0), b->y1);
        if (m == 0 || !same_pt(cur[m - 1], p)) {
            cur[m++] = p;
        }
    }
    while (m > 1 && same_pt(cur[m - 1], cur[0])) {
        m--;
    }
    *res = cur;
    *res_n = m;
    cur = NULL;
cleanup:
    free(cur);
    free(next);
    return st;
}

static int cmp_keyed(const void *pa, const void *pb)
{
    const struct keyed *a = pa;
    const struct keyed *b = pb;
    if (a->x != b->x) {
        return a->x < b->x ? -1 : 1;
    }
    if (a->y != b->y) {
        return a->y < b->y ? -1 : 1;
    }
    return 0;
}

/* Which side of `b` the segment ac lies on (0 left, 1 right, 2 top, 3 bottom), or -1. */
static int edge_side(struct pt a, struct pt c, const struct bounds *b)
{
    if (a.x == b->x0 && c.x == b->x0) {
        return 0;
    }
    if (a.x == b->x1 && c.x == b->x1) {
        return 1;
    }
    if (a.y == b->y0 && c.y == b->y0) {
        return 2;
    }
    if (a.y == b->y1 && c.y == b->y1) {
        return 3;
    }
    return -1;
}

static bool on_side(struct pt p, int side, const struct bounds *b)
{
    switch (side) {
    case 0:
        return p.x == b->x0;
    case 1:
        return p.x == b->x1;
    case 2:
        return p.y == b->y0;
    default:
        return p.y == b->y1;
    }
}

static void add_edge(struct edge *edges, size_t *ne, const struct pt *u, size_t from, size_t to,
                     size_t mult)
{
    struct edge *e = &edges[(*ne)++];
    e->from = from;
    e->to = to;
    e->mult = mult;
    e->angle = atan2(u[to].y - u[from].y, u[to].x - u[from].x);
}

/* How far an exit at angle `out` turns from an arrival at angle `in` (smaller = tighter). */
static double turn(double in, double out, bool ccw)
{
    double back = in + 0.5 * two_pi;
    double d = ccw ? back - out : out - back;
    d = fmod(d, two_pi);
    if (d <= 0.0) {
        d += two_pi;
    }
    return d;
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

/*
 * Simplify one traced cycle and keep it when it has area. The cycle is rotated to
 * start at the vertex that came first in the input ring (`rank`), so that a ring the
 * rectangle does not cut comes back exactly as it was.
 */
static bmx_status emit_cycle(const size_t *ids, size_t n, const struct pt *u, const size_t *rank,
                             struct pt *buf, struct ringlist *out)
{
    size_t j = 0;
    for (size_t i = 1; i < n; i++) {
        if (rank[ids[i]] < rank[ids[j]]) {
            j = i;
        }
    }
    for (size_t i = 0; i < n; i++) {
        buf[i] = u[ids[j]];
        j = j + 1 == n ? 0 : j + 1;
    }
    n = simplify_ring(buf, n);
    if (ring_degenerate(buf, n)) {
        return BMX_OK;
    }
    return ringlist_push(out, buf, n);
}

/*
 * Split a Sutherland-Hodgman output ring (m >= 3 distinct consecutive points, all in
 * the closed region `b`) into bridge-free rings, appended to `out`. See the top of
 * the file.
 */
static bmx_status split_bridges(const struct pt *p, size_t m, const struct bounds *b,
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
    bool ccw = signed_area(p, m) >= 0.0;

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
    qsort(keys, m, sizeof *keys, cmp_keyed);
    for (size_t i = 0; i < m; i++) {
        if (i == 0 || cmp_keyed(&keys[i - 1], &keys[i]) != 0) {
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
        side[i] = edge_side(p[i], p[j], b);
        if (side[i] < 0) {
            add_edge(edges, &ne, u, vid[i], vid[j], 1);
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
            if (on_side(u[v], s, b)) {
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
                add_edge(edges, &ne, u, list[j], list[j + 1], (size_t)run);
            } else if (run < 0) {
                add_edge(edges, &ne, u, list[j + 1], list[j], (size_t)-run);
            }
        }
    }

    /* Outgoing edges of each vertex (counting sort by `from`). */
    first = calloc(k + 1, sizeof *first);
    outs = bmx__alloc_array(ne, sizeof *outs);
    if (first == NULL || outs == NULL) {
        st = BMX_E_NOMEM;
        goto cleanup;
    }
    for (size_t e = 0; e < ne; e++) {
        first[edges[e].from + 1]++;
    }
    for (size_t v = 0; v < k; v++) {
        first[v + 1] += first[v];
    }
    for (size_t e = 0; e < ne; e++) {
        outs[first[edges[e].from]++] = e;
    }
    for (size_t v = k; v > 0; v--) {
        first[v] = first[v - 1];
    }
    first[0] = 0;

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
                double best_turn = cur == start ? turn(ang, edges[e0].angle, ccw) : INFINITY;
                for (size_t o = first[cur]; o < first[cur + 1]; o++) {
                    const struct edge *f = &edges[outs[o]];
                    double t;
                    if (f->mult == 0) {
                        continue;
                    }
                    t = turn(ang, f->angle, ccw);
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
            st = emit_cycle(cyc, n, u, rank, buf, out);
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
static bmx_status clip_ring(const double *xy, size_t n, const struct bounds *b,
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
    if (ring_degenerate(ring, n)) {
        goto cleanup;
    }
    st = sh_clip(ring, n, b, &res, &res_n);
    if (st != BMX_OK || res_n < 3) {
        goto cleanup;
    }
    st = split_bridges(res, res_n, b, out);
cleanup:
    free(ring);
    free(res);
    return st;
}

/* Arguments shared by clip and cut: pointers, the rectangle, finite vertices. */
static bmx_status check_args(const struct bmx_polyset *in, struct bmx_box r,
                             struct bmx_polyset *out, const char *what, bmx_error *err)
{
    if (in == NULL || out == NULL || in == out) {
        return bmx__fail(err, BMX_E_INVALID, "%s: invalid arguments", what);
    }
    memset(out, 0, sizeof *out);
    if (!isfinite(r.x) || !isfinite(r.y) || !isfinite(r.w) || !isfinite(r.h) ||
        !isfinite(r.x + r.w) || !isfinite(r.y + r.h)) {
        return bmx__fail(err, BMX_E_INVALID, "%s: rectangle is not finite", what);
    }
    if (r.w < 0.0 || r.h < 0.0) {
        return bmx__fail(err, BMX_E_INVALID, "%s: rectangle has negative size [%g, %g]", what, r.w,
                         r.h);
    }
    if (in->count > 0 && in->rings == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "%s: polygon set has no rings array", what);
    }
    for (size_t i = 0; i < in->count; i++) {
        const struct bmx_poly *ring = &in->rings[i];
        size_t nv;
        if (!bmx__mul_size(ring->n, 2, &nv)) {
            return bmx__fail(err, BMX_E_OVERFLOW, "%s: ring %zu: too many vertices", what, i);
        }
        if (nv > 0 && ring->xy == NULL) {
            return bmx__fail(err, BMX_E_INVALID, "%s: ring %zu: no vertex array", what, i);
        }
        for (size_t j = 0; j < nv; j++) {
            if (!isfinite(ring->xy[j])) {
                return bmx__fail(err, BMX_E_INVALID, "%s: ring %zu: vertex %zu is not finite", what,
                                 i, j / 2);
            }
        }
    }
    return BMX_OK;
}

static bmx_status ring_failed(bmx_error *err, bmx_status st, const char *what, size_t i)
{
    return bmx__fail(err, st, "%s: ring %zu: %s", what, i,
                     st == BMX_E_NOMEM ? "out of memory" : bmx_strerror(st));
}

/* Drop an empty rings array so that a count-0 result holds no memory. */
static void finish_set(struct bmx_polyset *set)
{
    if (set->count == 0) {
        free(set->rings);
        set->rings = NULL;
    }
}

/* The shoelace formula evaluated with exact products (see acc_cross). */
double bmx_poly_area(const struct bmx_poly *poly)
{
    struct acc a = {0.0, 0.0};
    const double *xy;
    if (poly == NULL || poly->n < 3 || poly->xy == NULL) {
        return 0.0;
    }
    xy = poly->xy;
    for (size_t i = 0; i < poly->n; i++) {
        size_t j = i + 1 == poly->n ? 0 : i + 1;
        acc_cross(&a, xy[2 * i], xy[2 * j + 1], xy[2 * j], xy[2 * i + 1]);
    }
    return fabs(0.5 * (a.sum + a.err));
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

bool bmx_polyset_bbox(const struct bmx_polyset *set, struct bmx_box *out)
{
    bool any = false;
    double minx = 0.0, maxx = 0.0, miny = 0.0, maxy = 0.0;
    if (set != NULL && set->rings != NULL) {
        for (size_t i = 0; i < set->count; i++) {
            const struct bmx_poly *ring = &set->rings[i];
            if (ring->xy == NULL) {
                continue;
            }
            for (size_t j = 0; j < ring->n; j++) {
                double x = ring->xy[2 * j];
                double y = ring->xy[2 * j + 1];
                if (!any) {
                    minx = maxx = x;
                    miny = maxy = y;
                    any = true;
                } else {
                    minx = fmin(minx, x);
                    maxx = fmax(maxx, x);
                    miny = fmin(miny, y);
                    maxy = fmax(maxy, y);
                }
            }
        }
    }
    if (out != NULL) {
        out->x = minx;
        out->y = miny;
        out->w = maxx - minx;
        out->h = maxy - miny;
    }
    return any;
}

/*
 * Each input ring may give several rings (a concave ring cut into pieces); rings
 * with no area inside give none. Output vertices lie in [x, x+w] x [y, y+h] exactly.
 */
bmx_status bmx_polyset_clip_rect(const struct bmx_polyset *in, struct bmx_box r,
                                 struct bmx_polyset *out, bmx_error *err)
{
    static const char what[] = "clipping polygon";
    bmx_status st = check_args(in, r, out, what, err);
    struct ringlist list;
    struct bounds b;
    if (st != BMX_OK) {
        return st;
    }
    if (r.w <= 0.0 || r.h <= 0.0) {
        return BMX_OK;
    }
    list.set = out;
    list.cap = 0;
    b.x0 = r.x;
    b.y0 = r.y;
    b.x1 = r.x + r.w;
    b.y1 = r.y + r.h;
    for (size_t i = 0; i < in->count; i++) {
        st = clip_ring(in->rings[i].xy, in->rings[i].n, &b, &list);
        if (st != BMX_OK) {
            st = ring_failed(err, st, what, i);
            goto cleanup;
        }
    }
cleanup:
    if (st != BMX_OK) {
        bmx_polyset_free(out);
    }
    finish_set(out);
    return st;
}

/*
 * The four strips meet only along lines, so their pieces never overlap and the
 * areas add up. An empty rectangle cuts nothing: every ring comes back cleaned
 * (duplicates, spikes and degenerate rings removed) but whole.
 */
bmx_status bmx_polyset_cut_rect(const struct bmx_polyset *in, struct bmx_box r,
                                struct bmx_polyset *out, bmx_error *err)
{
    static const char what[] = "cutting polygon";
    bmx_status st = check_args(in, r, out, what, err);
    struct ringlist list;
    struct bounds strips[4];
    int n_strips;
    if (st != BMX_OK) {
        return st;
    }
    list.set = out;
    list.cap = 0;
    if (r.w <= 0.0 || r.h <= 0.0) {
        strips[0] = (struct bounds){-INFINITY, -INFINITY, INFINITY, INFINITY};
        n_strips = 1;
    } else {
        double x1 = r.x + r.w;
        double y1 = r.y + r.h;
        strips[0] = (struct bounds){-INFINITY, -INFINITY, r.x, INFINITY}; /* left */
        strips[1] = (struct bounds){x1, -INFINITY, INFINITY, INFINITY};   /* right */
        strips[2] = (struct bounds){r.x, -INFINITY, x1, r.y};             /* top */
        strips[3] = (struct bounds){r.x, y1, x1, INFINITY};               /* bottom */
        n_strips = 4;
    }
    for (size_t i = 0; i < in->count; i++) {
        for (int s = 0; s < n_strips; s++) {
            st = clip_ring(in->rings[i].xy, in->rings[i].n, &strips[s], &list);
            if (st != BMX_OK) {
                st = ring_failed(err, st, what, i);
                goto cleanup;
            }
        }
    }
cleanup:
    if (st != BMX_OK) {
        bmx_polyset_free(out);
    }
    finish_set(out);
    return st;
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
