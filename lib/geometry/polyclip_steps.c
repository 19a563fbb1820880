/* SPDX-License-Identifier: MIT */
/*
 * The steps both clippers take (polyclip.c and polyclip_ref.c give the same rings
 * because they share them): the outgoing-edge index of the bridge splitter,
 * cleaning a ring of duplicate, collinear and spike vertices and appending it to
 * the result, one Sutherland-Hodgman pass and the clamp after the passes, the order
 * and turn angles the splitter chooses by, the rotation of a traced cycle, and for
 * a whole call the argument checks, the messages and the regions of a clip or cut.
 */
#include "polyclip.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * The outgoing edges of each of k vertices, by a counting sort on `from`: those of
 * vertex v are outs[first[v]] .. outs[first[v + 1] - 1], in edge order. `first`
 * has k + 1 entries (any content), `outs` ne.
 */
void bmx__clip_out_edge_index(const struct edge *edges, size_t ne, size_t k, size_t *first,
                              size_t *outs)
{
    memset(first, 0, (k + 1) * sizeof *first);
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
size_t bmx__clip_simplify_ring(struct pt *v, size_t n)
{
    size_t t = 0;
    size_t s = 0;
    for (size_t i = 0; i < n; i++) {
        v[t++] = v[i];
        for (;;) {
            if (t >= 2 && bmx__clip_same_pt(v[t - 2], v[t - 1])) {
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
        if (bmx__clip_same_pt(v[t - 1], v[s]) || collinear(v[t - 2], v[t - 1], v[s])) {
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

bmx_status bmx__clip_ringlist_push(struct ringlist *list, const struct pt *v, size_t n)
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
    o = bmx__min_d(bmx__max_d(o, bmx__min_d(po, qo)), bmx__max_d(po, qo));
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
size_t bmx__clip_sh_pass(const struct pt *in, size_t n, struct pt *out, int axis, double bound,
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
 * Clamp to `b` (a no-op by construction, kept so no rounding can ever leave the
 * region) and drop consecutive duplicates, wrap-around included. `out` may be `in`.
 */
size_t bmx__clip_clamp_dedup(const struct pt *in, size_t n, const struct bounds *b, struct pt *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        struct pt p;
        p.x = bmx__min_n(bmx__max_n(in[i].x, b->x0), b->x1); /* vertices are finite */
        p.y = bmx__min_n(bmx__max_n(in[i].y, b->y0), b->y1);
        if (m == 0 || !bmx__clip_same_pt(out[m - 1], p)) {
            out[m++] = p;
        }
    }
    while (m > 1 && bmx__clip_same_pt(out[m - 1], out[0])) {
        m--;
    }
    return m;
}

int bmx__clip_cmp_keyed(const void *pa, const void *pb)
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

static const double two_pi = 6.283185307179586476925286766559;

double bmx__clip_edge_angle(const struct pt *u, size_t from, size_t to)
{
    return atan2(u[to].y - u[from].y, u[to].x - u[from].x);
}

/* How far an exit at angle `out` turns from an arrival at angle `in` (smaller = tighter). */
double bmx__clip_turn(double in, double out, bool ccw)
{
    double back = in + 0.5 * two_pi;
    double d = ccw ? back - out : out - back;
    d = fmod(d, two_pi);
    if (d <= 0.0) {
        d += two_pi;
    }
    return d;
}

/*
 * Copy one traced cycle into `buf`, rotated to start at the vertex that came first
 * in the input ring (`rank`), so that a ring the clip leaves whole keeps its
 * starting point. Returns the vertex count.
 */
size_t bmx__clip_cycle_points(const size_t *ids, size_t n, const struct pt *u, const size_t *rank,
                              struct pt *buf)
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
    return n;
}

/* Arguments shared by clip and cut: pointers, the rectangle, finite vertices. */
bmx_status bmx__clip_check_args(const struct bmx_polyset *in, struct bmx_box r,
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
        double zero = 0.0;
        if (!bmx__mul_size(ring->n, 2, &nv)) {
            return bmx__fail(err, BMX_E_OVERFLOW, "%s: ring %zu: too many vertices", what, i);
        }
        if (nv > 0 && ring->xy == NULL) {
            return bmx__fail(err, BMX_E_INVALID, "%s: ring %zu: no vertex array", what, i);
        }
        /* x - x is 0 for finite x and NaN otherwise: one branch per ring. */
        for (size_t j = 0; j < nv; j++) {
            zero += ring->xy[j] - ring->xy[j];
        }
        if (zero == 0.0) {
            continue;
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

bmx_status bmx__clip_ring_failed(bmx_error *err, bmx_status st, const char *what, size_t i)
{
    return bmx__fail(err, st, "%s: ring %zu: %s", what, i,
                     st == BMX_E_NOMEM ? "out of memory" : bmx_strerror(st));
}

/* Drop an empty rings array so that a count-0 result holds no memory. */
void bmx__clip_finish_set(struct bmx_polyset *set)
{
    if (set->count == 0) {
        free(set->rings);
        set->rings = NULL;
    }
}

/*
 * The regions a ring is clipped to: the rectangle (clip), or the four strips around
 * it (cut: left and right full height, top and bottom between them). The strips
 * meet only along lines, so their pieces never overlap and the areas add up. An
 * empty rectangle clips to nothing and cuts nothing (one unbounded region: every
 * ring comes back cleaned but whole). Returns the number of regions.
 */
int bmx__clip_rect_regions(struct bmx_box r, bool clip, struct bounds regions[4])
{
    if (r.w <= 0.0 || r.h <= 0.0) {
        if (clip) {
            return 0;
        }
        regions[0] = (struct bounds){-INFINITY, -INFINITY, INFINITY, INFINITY};
        return 1;
    }
    if (clip) {
        regions[0] = (struct bounds){r.x, r.y, r.x + r.w, r.y + r.h};
        return 1;
    }
    {
        double x1 = r.x + r.w;
        double y1 = r.y + r.h;
        regions[0] = (struct bounds){-INFINITY, -INFINITY, r.x, INFINITY}; /* left */
        regions[1] = (struct bounds){x1, -INFINITY, INFINITY, INFINITY};   /* right */
        regions[2] = (struct bounds){r.x, -INFINITY, x1, r.y};             /* top */
        regions[3] = (struct bounds){r.x, y1, x1, INFINITY};               /* bottom */
    }
    return 4;
}

const char *bmx__clip_op_name(bool clip)
{
    return clip ? "clipping polygon" : "cutting polygon";
}
