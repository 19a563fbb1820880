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
 *
 * Fast paths
 * ----------
 * The steps above are kept as they are (the `ref_` functions, reachable through
 * polygon.h for the differential tests); the public functions give the same rings,
 * bit for bit, with less work:
 * - per input ring, once: its extent, whether it is degenerate, and (when needed)
 *   whether it passes through any point twice;
 * - a ring whose extent meets the region in no area gives nothing; a pass whose
 *   half-plane holds the whole extent is skipped (it would copy the ring);
 * - when no two vertices coincide and no vertex on a side lies inside an edge
 *   along that side, step 2 is the identity (each vertex has one edge in and one
 *   out, no interval is cut or cancelled), so it is skipped;
 * - otherwise step 2 numbers vertices by hashing (only those on the sides when the
 *   others are known distinct) instead of sorting, and computes turn angles only
 *   at vertices where there is a choice; the edges, their order and every choice
 *   are those of the reference;
 * - asked only whether any ring comes out (cutmix's "does the rectangle take
 *   something"), a clipped ring whose area is large enough for one of its pieces
 *   to survive answers yes without being split (see surely_kept);
 * - areas: degeneracy is decided from a plain shoelace sum with an error bound and
 *   falls back to the compensated sum only near the threshold; products are split
 *   exactly with Dekker's method instead of calls to fma where that is exact;
 *   fmin and fmax are inlined with their exact semantics;
 * - scratch arrays live for one call (on the stack for small rings), not one ring.
 * The differential tests in tests/test_polygon.c compare both on random rings,
 * simple and self-intersecting, bit for bit.
 */
#include "polygon.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
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
    bool has_angle; /* angle computed (the fast splitter computes it on demand) */
};

/*
 * The outgoing edges of each of k vertices, by a counting sort on `from`: those of
 * vertex v are outs[first[v]] .. outs[first[v + 1] - 1], in edge order. `first`
 * has k + 1 entries (any content), `outs` ne.
 */
static void out_edge_index(const struct edge *edges, size_t ne, size_t k, size_t *first,
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

static const double two_pi = 6.283185307179586476925286766559;

/*
 * fmin and fmax as the C library computes them here (glibc x86-64: a tie, +0 vs
 * -0 included, gives the first argument; a NaN gives the other one), without the
 * call. Results keep the bits they always had, and no longer depend on the libm.
 */
static inline double min_d(double x, double y)
{
    return (y < x || x != x) ? y : x;
}

static inline double max_d(double x, double y)
{
    return (y > x || x != x) ? y : x;
}

/* min_d and max_d when x is not NaN: a single minsd or maxsd. */
static inline double min_n(double x, double y)
{
    return y < x ? y : x;
}

static inline double max_n(double x, double y)
{
    return y > x ? y : x;
}

/*
 * A compensated sum of exact products: the shoelace terms x_i*y_j are as large as
 * the coordinates squared while the area may be tiny (a small ring far from the
 * origin), so the products are split exactly and summed with Neumaier's
 * correction. The result is the shoelace area of the vertices, correctly rounded
 * but for a few ulps.
 */
struct acc {
    double sum, err;
};

static inline void acc_add(struct acc *a, double v)
{
    double t = a->sum + v;
    bool sum_big = fabs(a->sum) >= fabs(v);
    double big = sum_big ? a->sum : v;
    double small = sum_big ? v : a->sum;
    a->err += (big - t) + small;
    a->sum = t;
}

/*
 * Dekker's exact products: a coordinate split into a high and a low half, each of
 * 26 bits or fewer, so that the partial products are exact.
 */
struct split {
    double hi, lo;
};

static inline struct split split_of(double x)
{
    const double factor = 134217729.0; /* 2^27 + 1 */
    double c = factor * x;
    struct split s;
    s.hi = c - (c - x);
    s.lo = x - s.hi;
    return s;
}

/*
 * x*y - p exactly, for p = x*y rounded: the same value as fma(x, y, -p) when |x|
 * and |y| are 0 or within [2^-450, 2^450], where nothing overflows or underflows.
 * Needs -ffp-contract=off (meson.build sets it).
 */
static inline double prod_err(struct split x, struct split y, double p)
{
    return ((x.hi * y.hi - p) + x.hi * y.lo + x.lo * y.hi) + x.lo * y.lo;
}

static inline bool dekker_safe(double c)
{
    double a = fabs(c);
    return (a == 0.0) | ((a >= 0x1p-450) & (a <= 0x1p450));
}

/* Vertex i of a ring given as points (`v`) or as interleaved coordinates (`xy`). */
static inline double vx(const struct pt *v, const double *xy, size_t i)
{
    return v != NULL ? v[i].x : xy[2 * i];
}

static inline double vy(const struct pt *v, const double *xy, size_t i)
{
    return v != NULL ? v[i].y : xy[2 * i + 1];
}

/*
 * Half the compensated shoelace sum of a ring (`v` or `xy`, see vx): per edge i -> j,
 * acc_add(x_i*y_j), acc_add(-x_j*y_i), then the products' exact errors into err.
 * With `dekker` the errors come from split coordinates (each split once) and
 * *unsafe tells whether a coordinate lies outside Dekker's range (then call again
 * without); otherwise from fma.
 */
static inline double shoelace(const struct pt *v, const double *xy, size_t n, bool dekker,
                              bool *unsafe)
{
    struct acc a = {0.0, 0.0};
    bool bad = false;
    double x0 = vx(v, xy, 0), y0 = vy(v, xy, 0);
    struct split sx0 = split_of(x0), sy0 = split_of(y0);
    double xi = x0, yi = y0;
    struct split sxi = sx0, syi = sy0;
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n;
        double xj = last ? x0 : vx(v, xy, i + 1);
        double yj = last ? y0 : vy(v, xy, i + 1);
        double p = xi * yj;
        double q = xj * yi;
        bad |= !dekker_safe(xi);
        bad |= !dekker_safe(yi);
        acc_add(&a, p);
        acc_add(&a, -q);
        if (dekker) {
            struct split sxj = last ? sx0 : split_of(xj);
            struct split syj = last ? sy0 : split_of(yj);
            a.err += prod_err(sxi, syj, p) - prod_err(sxj, syi, q);
            sxi = sxj;
            syi = syj;
        } else {
            a.err += fma(xi, yj, -p) - fma(xj, yi, -q);
        }
        xi = xj;
        yi = yj;
    }
    *unsafe = bad;
    return 0.5 * (a.sum + a.err);
}

static inline double shoelace_pts(const struct pt *v, size_t n, bool dekker, bool *unsafe)
{
    return shoelace(v, NULL, n, dekker, unsafe);
}

static inline double shoelace_xy(const double *xy, size_t n, bool dekker, bool *unsafe)
{
    return shoelace(NULL, xy, n, dekker, unsafe);
}

static double signed_area(const struct pt *v, size_t n)
{
    bool unsafe;
    double s;
    if (n < 3) {
        return 0.0;
    }
    s = shoelace_pts(v, n, true, &unsafe);
    return unsafe ? shoelace_pts(v, n, false, &unsafe) : s;
}

/*
 * Whether a ring has no area worth keeping. Rounding in intersections leaves
 * slivers (a vertex a few ulps off a line) whose area, divided by extent times
 * max(extent, position), stays below about 1e-16; genuine thin pieces seen in the
 * property tests start near 5e-13. The cut-off sits between them at 1e-14.
 * This is the definition; ring_degenerate gives the same answer faster.
 */
static bool ring_degenerate_exact(const struct pt *v, size_t n)
{
    double minx, maxx, miny, maxy, len, mag, area;
    if (n < 3) {
        return true;
    }
    minx = maxx = v[0].x;
    miny = maxy = v[0].y;
    for (size_t i = 1; i < n; i++) {
        minx = min_n(minx, v[i].x);
        maxx = max_n(maxx, v[i].x);
        miny = min_n(miny, v[i].y);
        maxy = max_n(maxy, v[i].y);
    }
    len = max_d(maxx - minx, maxy - miny);
    mag = max_d(max_d(fabs(minx), fabs(maxx)), max_d(fabs(miny), fabs(maxy)));
    area = fabs(signed_area(v, n));
    return !(area > 1e-14 * len * max_d(len, mag));
}

/* A ring's extent and its plain shoelace sums about its first vertex. */
struct ring_scan {
    double minx, maxx, miny, maxy;
    double s;  /* twice the signed area, rounded */
    double sa; /* the sum of the products' magnitudes */
};

static void ring_scan(const struct pt *v, size_t n, struct ring_scan *sc)
{
    double ox = v[0].x, oy = v[0].y;
    double px = v[n - 1].x - ox, py = v[n - 1].y - oy;
    double minx = ox, maxx = ox, miny = oy, maxy = oy, s = 0.0, sa = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i].x, y = v[i].y;
        double qx = x - ox, qy = y - oy;
        double t1 = px * qy;
        double t2 = qx * py;
        s += t1 - t2;
        sa += fabs(t1) + fabs(t2);
        minx = min_n(minx, x);
        maxx = max_n(maxx, x);
        miny = min_n(miny, y);
        maxy = max_n(maxy, y);
        px = qx;
        py = qy;
    }
    sc->minx = minx;
    sc->maxx = maxx;
    sc->miny = miny;
    sc->maxy = maxy;
    sc->s = s;
    sc->sa = sa;
}

/*
 * ring_degenerate_exact for a ring of n >= 3 finite vertices, deciding first from
 * the plain sum of ring_scan. With u = 2^-53, that sum is within (n + 4) u S / 2 of
 * the exact area A (S: the sum of the magnitudes of the products), and the
 * compensated sum within 2u|A| + 16 n^2 u^2 mag^2 of A; the bound used is more than
 * twice both. Only a ring whose area lies within the bound of the cut-off takes the
 * compensated sum. Overflow gives NaN or infinity and so the exact path.
 */
static bool degenerate_scanned(const struct pt *v, size_t n, const struct ring_scan *sc)
{
    const double u = 0x1p-53;
    const double nd = (double)n;
    /* Signs of zeros aside (they cannot change the comparison), as the definition. */
    double len = max_d(sc->maxx - sc->minx, sc->maxy - sc->miny);
    double mag =
        max_d(max_d(fabs(sc->minx), fabs(sc->maxx)), max_d(fabs(sc->miny), fabs(sc->maxy)));
    double cut = 1e-14 * len * max_d(len, mag);
    double a = fabs(0.5 * sc->s);
    double bound = (nd + 8.0) * u * sc->sa + 4.0 * u * a + 64.0 * nd * nd * u * u * mag * mag;
    if (a - bound > cut) {
        return false;
    }
    if (a + bound < cut) {
        return true;
    }
    return ring_degenerate_exact(v, n);
}

/* ring_degenerate_exact, faster (vertices are finite). */
static bool ring_degenerate(const struct pt *v, size_t n)
{
    struct ring_scan sc;
    if (n < 3) {
        return true;
    }
    ring_scan(v, n, &sc);
    return degenerate_scanned(v, n, &sc);
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
    o = min_d(max_d(o, min_d(po, qo)), max_d(po, qo));
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
 * Clamp to `b` (a no-op by construction, kept so no rounding can ever leave the
 * region) and drop consecutive duplicates, wrap-around included. `out` may be `in`.
 */
static size_t clamp_dedup(const struct pt *in, size_t n, const struct bounds *b, struct pt *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        struct pt p;
        p.x = min_n(max_n(in[i].x, b->x0), b->x1); /* vertices are finite */
        p.y = min_n(max_n(in[i].y, b->y0), b->y1);
        if (m == 0 || !same_pt(out[m - 1], p)) {
            out[m++] = p;
        }
    }
    while (m > 1 && same_pt(out[m - 1], out[0])) {
        m--;
    }
    return m;
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

/* The coordinate that varies along a side. */
static double along(struct pt p, int side)
{
    return side < 2 ? p.y : p.x;
}

static double edge_angle(const struct pt *u, size_t from, size_t to)
{
    return atan2(u[to].y - u[from].y, u[to].x - u[from].x);
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

/* ------------------------------------------------------------------------- */
/* The reference clipper: every step in full                                  */
/* ------------------------------------------------------------------------- */

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
        cur_n = sh_pass(cur, cur_n, next, axes[k], bnd[k], ge[k]);
        free(cur);
        cur = next;
        next = NULL;
    }
    *res_n = clamp_dedup(cur, cur_n, b, cur);
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
    e->angle = edge_angle(u, from, to);
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

/*
 * Copy one traced cycle into `buf`, rotated to start at the vertex that came first
 * in the input ring (`rank`), so that a ring the clip leaves whole keeps its
 * starting point. Returns the vertex count.
 */
static size_t cycle_points(const size_t *ids, size_t n, const struct pt *u, const size_t *rank,
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

/* Simplify one traced cycle and keep it when it has area. */
static bmx_status ref_emit_cycle(const size_t *ids, size_t n, const struct pt *u,
                                 const size_t *rank, struct pt *buf, struct ringlist *out)
{
    n = simplify_ring(buf, cycle_points(ids, n, u, rank, buf));
    if (ring_degenerate_exact(buf, n)) {
        return BMX_OK;
    }
    return ringlist_push(out, buf, n);
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
    out_edge_index(edges, ne, k, first, outs);

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
    if (ring_degenerate_exact(ring, n)) {
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

/* ------------------------------------------------------------------------- */
/* The fast clipper                                                           */
/* ------------------------------------------------------------------------- */

/* Scratch arrays of one call, grown on demand (contents are not kept on growth). */
enum {
    SCR_SRC,  /* the input rings, examined */
    SCR_RING, /* their points */
    SCR_SH0,  /* Sutherland-Hodgman passes, ping-pong */
    SCR_SH1,
    SCR_RES,   /* the clipped ring */
    SCR_SLOTS, /* hash table of vertex indices */
    SCR_VID,
    SCR_RANK,
    SCR_U, /* vertex points by id */
    SCR_SIDE,
    SCR_LIST,
    SCR_ONIDS, /* ids of the vertices on a side */
    SCR_KEYS,  /* long lists of one side's vertices, sorted */
    SCR_POS,
    SCR_DIFF,
    SCR_EDGES,
    SCR_FIRST,
    SCR_OUTS,
    SCR_CYC,
    SCR_BUF, /* one traced cycle */
    SCR_COUNT
};

struct scratch_buf {
    void *p;
    size_t cap; /* bytes */
    bool heap;  /* p was allocated (else it is a slice of the clipper's `local`) */
};

/* Bytes for small rings' scratch inside the clipper, which lives on the stack. */
#define CLIPPER_LOCAL 8192

struct clipper {
    struct scratch_buf scr[SCR_COUNT];
    _Alignas(max_align_t) unsigned char local[CLIPPER_LOCAL];
    size_t local_used;
    struct ringlist *out; /* NULL: only find out whether a ring comes out */
    bool found;           /* a ring came out */
    bool want_area;
    double area; /* bmx_polyset_area of what `out` received, summed the same way */
};

/* One input ring with what is known about it. */
struct src_ring {
    const struct pt *v;
    size_t n;
    double x0, y0, x1, y1; /* extent */
    bool degenerate;
    int distinct; /* -1 unknown, else whether no point repeats but in consecutive runs */
};

static void *scratch(struct clipper *c, int which, size_t count, size_t size)
{
    struct scratch_buf *b = &c->scr[which];
    size_t bytes;
    if (!bmx__mul_size(count, size, &bytes)) {
        return NULL;
    }
    if (bytes > b->cap || b->p == NULL) {
        size_t cap = b->cap < 256 ? 256 : b->cap;
        void *p;
        while (cap < bytes) {
            if (!bmx__mul_size(cap, 2, &cap)) {
                cap = bytes;
            }
        }
        if (b->p == NULL && cap <= CLIPPER_LOCAL - c->local_used) {
            /* First use: a slice of `local` (sizes are multiples of 256, so slices
             * stay aligned). */
            b->p = c->local + c->local_used;
            b->cap = cap;
            b->heap = false;
            c->local_used += cap;
            return b->p;
        }
        p = malloc(cap);
        if (p == NULL) {
            return NULL;
        }
        if (b->heap) {
            free(b->p);
        }
        b->p = p;
        b->cap = cap;
        b->heap = true;
    }
    return b->p;
}

static void clipper_init(struct clipper *c)
{
    for (int i = 0; i < SCR_COUNT; i++) {
        c->scr[i].p = NULL;
        c->scr[i].cap = 0;
        c->scr[i].heap = false;
    }
    c->local_used = 0;
    c->out = NULL;
    c->found = false;
    c->want_area = false;
    c->area = 0.0;
}

static void clipper_free(struct clipper *c)
{
    for (int i = 0; i < SCR_COUNT; i++) {
        if (c->scr[i].heap) {
            free(c->scr[i].p);
        }
        c->scr[i].p = NULL;
        c->scr[i].cap = 0;
        c->scr[i].heap = false;
    }
}

/* A hash of a point's value (+0 and -0 alike: vertices are equal under ==). */
static size_t pt_hash(struct pt p)
{
    double x = p.x + 0.0;
    double y = p.y + 0.0;
    uint64_t a, b, h;
    memcpy(&a, &x, sizeof a);
    memcpy(&b, &y, sizeof b);
    h = (a ^ (b * 0x9e3779b97f4a7c15u)) * 0xbf58476d1ce4e5b9u;
    return (size_t)(h ^ (h >> 29));
}

/* A table for n points: a power of two, at least twice n. NULL when out of memory. */
static size_t *slots_new(struct clipper *c, size_t n, size_t *mask)
{
    size_t size = 16;
    size_t *slots;
    while (size < n || size - n < n) {
        if (!bmx__mul_size(size, 2, &size)) {
            return NULL;
        }
    }
    slots = scratch(c, SCR_SLOTS, size, sizeof *slots);
    if (slots != NULL) {
        memset(slots, 0, size * sizeof *slots);
        *mask = size - 1;
    }
    return slots;
}

/* The first index j <= i with pts[j] == pts[i], entering i when there is none. */
static size_t slots_find(size_t *slots, size_t mask, const struct pt *pts, size_t i)
{
    size_t h = pt_hash(pts[i]) & mask;
    for (;;) {
        size_t s = slots[h];
        if (s == 0) {
            slots[h] = i + 1;
            return i;
        }
        if (same_pt(pts[s - 1], pts[i])) {
            return s - 1;
        }
        h = (h + 1) & mask;
    }
}

/*
 * Whether every point of the ring comes in one run of consecutive copies (around
 * the end too): then each point other than the clip's intersections appears at
 * most once in a clipped ring, as passes keep runs together and clamp_dedup
 * merges them.
 */
static bmx_status src_distinct(struct clipper *c, struct src_ring *r, bool *distinct)
{
    if (r->distinct < 0) {
        size_t mask = 0;
        size_t *slots = slots_new(c, r->n, &mask);
        size_t runs = 0, points = 0;
        if (slots == NULL) {
            return BMX_E_NOMEM;
        }
        for (size_t i = 0; i < r->n; i++) {
            if (!same_pt(r->v[i], r->v[i == 0 ? r->n - 1 : i - 1])) {
                runs++;
            }
            if (slots_find(slots, mask, r->v, i) == i) {
                points++;
            }
        }
        r->distinct = runs == points;
    }
    *distinct = r->distinct != 0;
    return BMX_OK;
}

/* Keep a finished ring (not yet simplified) when it has area, as ref_emit_cycle. */
static bmx_status keep_ring(struct clipper *c, struct pt *v, size_t n, bool same_as_src)
{
    size_t m = simplify_ring(v, n);
    bmx_status st;
    /* An unchanged non-degenerate input ring needs no second look. */
    if (!(same_as_src && m == n) && ring_degenerate(v, m)) {
        return BMX_OK;
    }
    c->found = true;
    if (c->out == NULL) {
        return BMX_OK;
    }
    st = ringlist_push(c->out, v, m);
    if (st == BMX_OK && c->want_area) {
        c->area += bmx_poly_area(&c->out->set->rings[c->out->set->count - 1]);
    }
    return st;
}

#define SIMPLE_MAX_ON_SIDE 16

/*
 * Whether the reference splitter would return the clipped ring p as it is (one
 * cycle, the same vertices in the same order; see the top of the file), given that
 * vertices off the sides are distinct. Vertices on one side are compared by their
 * position along it; too many of them: answer no and let the splitter decide.
 */
static bool ring_is_simple(const struct pt *p, size_t m, const struct bounds *b)
{
    double pos[4][SIMPLE_MAX_ON_SIDE];
    size_t cnt[4] = {0, 0, 0, 0};
    bool any = false;
    for (size_t i = 0; i < m; i++) {
        bool on[4] = {p[i].x == b->x0, p[i].x == b->x1, p[i].y == b->y0, p[i].y == b->y1};
        if (!(on[0] | on[1] | on[2] | on[3])) {
            continue;
        }
        any = true;
        for (int s = 0; s < 4; s++) {
            if (on[s]) {
                if (cnt[s] == SIMPLE_MAX_ON_SIDE) {
                    return false;
                }
                pos[s][cnt[s]++] = along(p[i], s);
            }
        }
    }
    if (!any) {
        return true;
    }
    for (int s = 0; s < 4; s++) {
        for (size_t i = 0; i < cnt[s]; i++) {
            for (size_t j = i + 1; j < cnt[s]; j++) {
                if (pos[s][i] == pos[s][j]) {
                    return false;
                }
            }
        }
    }
    for (size_t i = 0; i < m; i++) {
        size_t j = i + 1 == m ? 0 : i + 1;
        int s = edge_side(p[i], p[j], b);
        double lo, hi;
        if (s < 0) {
            continue;
        }
        lo = along(p[i], s);
        hi = along(p[j], s);
        if (lo > hi) {
            double t = lo;
            lo = hi;
            hi = t;
        }
        for (size_t k = 0; k < cnt[s]; k++) {
            if (pos[s][k] > lo && pos[s][k] < hi) {
                return false;
            }
        }
    }
    return true;
}

static double lazy_angle(struct edge *e, const struct pt *u)
{
    if (!e->has_angle) {
        e->angle = edge_angle(u, e->from, e->to);
        e->has_angle = true;
    }
    return e->angle;
}

static void add_edge(struct edge *edges, size_t *ne, size_t from, size_t to, size_t mult)
{
    struct edge *e = &edges[(*ne)++];
    e->from = from;
    e->to = to;
    e->mult = mult;
    e->angle = 0.0;
    e->has_angle = false;
}

/*
 * Sort the ids of vertices on one side by their position along it (positions are
 * distinct: equal points have one id). Lists are short; long ones go to qsort.
 */
static bmx_status sort_ids_by(struct clipper *c, size_t *ids, size_t n, const struct pt *u,
                              int side)
{
    if (n > 32) {
        struct keyed *keys = scratch(c, SCR_KEYS, n, sizeof *keys);
        if (keys == NULL) {
            return BMX_E_NOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            keys[i].x = along(u[ids[i]], side);
            keys[i].y = 0.0;
            keys[i].idx = ids[i];
        }
        qsort(keys, n, sizeof *keys, cmp_keyed);
        for (size_t i = 0; i < n; i++) {
            ids[i] = keys[i].idx;
        }
        return BMX_OK;
    }
    for (size_t i = 1; i < n; i++) {
        size_t id = ids[i];
        double key = along(u[id], side);
        size_t j = i;
        while (j > 0 && along(u[ids[j - 1]], side) > key) {
            ids[j] = ids[j - 1];
            j--;
        }
        ids[j] = id;
    }
    return BMX_OK;
}

/*
 * ref_split_bridges with the same edges in the same order and the same choices,
 * hence the same rings: vertices are numbered by first appearance through a hash
 * table (the numbering itself never shows: rotation uses the first appearance,
 * out-edges keep edge order), the vertices of a side are sorted among themselves,
 * and angles are computed only where a vertex offers a choice.
 */
static bmx_status split_fast(struct clipper *c, const struct pt *p, size_t m,
                             const struct bounds *b, bool distinct)
{
    size_t *slots, *vid, *rank, *list, *pos, *first, *outs, *cyc, *onids;
    int *side;
    long long *diff;
    struct edge *edges;
    struct pt *u, *ring;
    size_t mask = 0, k = 0, ne = 0, cap_e, total = 0, n_on = 0;
    int ccw = -1;

    if (!bmx__mul_size(m, 5, &cap_e)) {
        return BMX_E_OVERFLOW;
    }
    slots = slots_new(c, m, &mask);
    vid = scratch(c, SCR_VID, m, sizeof *vid);
    rank = scratch(c, SCR_RANK, m, sizeof *rank);
    u = scratch(c, SCR_U, m, sizeof *u);
    side = scratch(c, SCR_SIDE, m, sizeof *side);
    list = scratch(c, SCR_LIST, m, sizeof *list);
    pos = scratch(c, SCR_POS, m, sizeof *pos);
    diff = scratch(c, SCR_DIFF, m, sizeof *diff);
    edges = scratch(c, SCR_EDGES, cap_e, sizeof *edges);
    onids = scratch(c, SCR_ONIDS, m, sizeof *onids);
    if (slots == NULL || vid == NULL || rank == NULL || u == NULL || side == NULL || list == NULL ||
        pos == NULL || diff == NULL || edges == NULL || onids == NULL) {
        return BMX_E_NOMEM;
    }

    /*
     * Vertex v is p[rank[v]], its first appearance (the reference's u and rank).
     * Vertices off the sides are the input's own; when those are distinct, only
     * the ones on the sides (intersections among them) can repeat.
     */
    for (size_t i = 0; i < m; i++) {
        bool on = p[i].x == b->x0 || p[i].x == b->x1 || p[i].y == b->y0 || p[i].y == b->y1;
        size_t f = i;
        if (on || !distinct) {
            f = slots_find(slots, mask, p, i);
        }
        if (f == i) {
            rank[k] = i;
            u[k] = p[i];
            if (on) {
                onids[n_on++] = k;
            }
            vid[i] = k++;
        } else {
            vid[i] = vid[f];
        }
    }

    for (size_t i = 0; i < m; i++) {
        size_t j = i + 1 == m ? 0 : i + 1;
        side[i] = edge_side(p[i], p[j], b);
        if (side[i] < 0) {
            add_edge(edges, &ne, vid[i], vid[j], 1);
        }
    }

    for (int s = 0; s < 4; s++) {
        size_t cnt = 0;
        long long run = 0;
        for (size_t o = 0; o < n_on; o++) {
            if (on_side(u[onids[o]], s, b)) {
                list[cnt++] = onids[o];
            }
        }
        if (cnt < 2) {
            continue;
        }
        {
            bmx_status st = sort_ids_by(c, list, cnt, u, s);
            if (st != BMX_OK) {
                return st;
            }
        }
        for (size_t v = 0; v < cnt; v++) {
            pos[list[v]] = v;
        }
        memset(diff, 0, cnt * sizeof *diff);
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
        for (size_t j = 0; j + 1 < cnt; j++) {
            run += diff[j];
            if (run > 0) {
                add_edge(edges, &ne, list[j], list[j + 1], (size_t)run);
            } else if (run < 0) {
                add_edge(edges, &ne, list[j + 1], list[j], (size_t)-run);
            }
        }
    }

    for (size_t e = 0; e < ne; e++) {
        if (!bmx__add_size(total, edges[e].mult, &total)) {
            return BMX_E_OVERFLOW;
        }
    }
    first = scratch(c, SCR_FIRST, k + 1, sizeof *first);
    outs = scratch(c, SCR_OUTS, ne, sizeof *outs);
    cyc = scratch(c, SCR_CYC, total, sizeof *cyc);
    ring = scratch(c, SCR_BUF, total, sizeof *ring);
    if (first == NULL || outs == NULL || cyc == NULL || ring == NULL) {
        return BMX_E_NOMEM;
    }
    {
        out_edge_index(edges, ne, k, first, outs);

        for (size_t e0 = 0; e0 < ne; e0++) {
            while (edges[e0].mult > 0) {
                size_t start = edges[e0].from;
                size_t cur = edges[e0].to;
                size_t arrival = e0;
                size_t n = 0;
                bmx_status st;
                edges[e0].mult--;
                cyc[n++] = start;
                for (;;) {
                    size_t best = SIZE_MAX;
                    size_t avail = 0;
                    for (size_t o = first[cur]; o < first[cur + 1]; o++) {
                        if (edges[outs[o]].mult > 0) {
                            avail++;
                            best = outs[o];
                        }
                    }
                    if (avail == 0) {
                        break;
                    }
                    if (avail > 1 || cur == start) {
                        /* A choice: the reference's rule, same angles, same order. */
                        double ang = lazy_angle(&edges[arrival], u);
                        double best_turn;
                        if (ccw < 0) {
                            ccw = signed_area(p, m) >= 0.0;
                        }
                        best_turn = cur == start ? turn(ang, lazy_angle(&edges[e0], u), ccw != 0)
                                                 : INFINITY;
                        best = SIZE_MAX;
                        for (size_t o = first[cur]; o < first[cur + 1]; o++) {
                            struct edge *f = &edges[outs[o]];
                            double t;
                            if (f->mult == 0) {
                                continue;
                            }
                            t = turn(ang, lazy_angle(f, u), ccw != 0);
                            if (t < best_turn) {
                                best_turn = t;
                                best = outs[o];
                            }
                        }
                        if (best == SIZE_MAX) {
                            break;
                        }
                    }
                    cyc[n++] = cur;
                    edges[best].mult--;
                    arrival = best;
                    cur = edges[best].to;
                }
                n = cycle_points(cyc, n, u, rank, ring);
                st = keep_ring(c, ring, n, false);
                if (st != BMX_OK) {
                    return st;
                }
                if (c->found && c->out == NULL) {
                    return BMX_OK;
                }
            }
        }
    }
    return BMX_OK;
}

/*
 * Whether splitting the clipped ring p (m >= 3 points) must give at least one ring
 * that keep_ring keeps, judged from its area A alone. The cycles' signed areas add
 * up to A (cancelled edge pairs and edges cut at a vertex add nothing), and there
 * are at most N = m + 4 m^2 of them (edges off the sides, plus per side at most m
 * times the number of its vertices), so one of them has |A_c| >= |A| / N. Each
 * cycle lies within p's extent, so its cut-off is at most p's; past twice that,
 * plus the compensated sum's error for up to N vertices, the cycle is kept.
 */
static bool surely_kept(const struct pt *p, size_t m)
{
    const double u = 0x1p-53;
    const double nd = (double)m;
    struct ring_scan sc;
    double len, mag, cut, a, bound, cycles;
    ring_scan(p, m, &sc);
    len = max_d(sc.maxx - sc.minx, sc.maxy - sc.miny);
    mag = max_d(max_d(fabs(sc.minx), fabs(sc.maxx)), max_d(fabs(sc.miny), fabs(sc.maxy)));
    cut = 1e-14 * len * max_d(len, mag);
    a = fabs(0.5 * sc.s);
    bound = (nd + 8.0) * u * sc.sa + 4.0 * u * a;
    cycles = nd + 4.0 * nd * nd;
    return a - bound > cycles * (2.0 * cut + 64.0 * cycles * cycles * u * u * mag * mag);
}

/* Convert and examine one input ring (n interleaved vertices, finite) into `v`. */
static void src_prepare(const struct bmx_poly *poly, struct pt *v, struct src_ring *r)
{
    struct ring_scan sc;
    memset(r, 0, sizeof *r);
    r->n = poly->n;
    r->distinct = -1;
    r->degenerate = true;
    if (poly->n < 3) {
        return;
    }
    for (size_t i = 0; i < poly->n; i++) {
        v[i].x = poly->xy[2 * i];
        v[i].y = poly->xy[2 * i + 1];
    }
    ring_scan(v, poly->n, &sc);
    r->v = v;
    r->x0 = sc.minx;
    r->x1 = sc.maxx;
    r->y0 = sc.miny;
    r->y1 = sc.maxy;
    r->degenerate = degenerate_scanned(v, poly->n, &sc);
}

/* All rings of `in` prepared, their points side by side in scratch. */
static bmx_status src_prepare_all(struct clipper *c, const struct bmx_polyset *in,
                                  struct src_ring **out)
{
    size_t total = 0;
    struct src_ring *srcs;
    struct pt *v;
    for (size_t i = 0; i < in->count; i++) {
        if (!bmx__add_size(total, in->rings[i].n, &total)) {
            return BMX_E_OVERFLOW;
        }
    }
    srcs = scratch(c, SCR_SRC, in->count, sizeof *srcs);
    v = scratch(c, SCR_RING, total, sizeof *v);
    if (srcs == NULL || v == NULL) {
        return BMX_E_NOMEM;
    }
    for (size_t i = 0; i < in->count; i++) {
        src_prepare(&in->rings[i], v, &srcs[i]);
        v += in->rings[i].n;
    }
    *out = srcs;
    return BMX_OK;
}

/*
 * Clip one prepared ring to the closed region `b`: ref_clip_ring's result, sent to
 * keep_ring. A ring whose extent meets the region in a line or a point would give
 * only collinear pieces, which are dropped.
 */
static bmx_status clip_one(struct clipper *c, struct src_ring *r, const struct bounds *b)
{
    const int axes[4] = {0, 0, 1, 1};
    const double bnd[4] = {b->x0, b->x1, b->y0, b->y1};
    const bool ge[4] = {true, false, true, false};
    /* Whether the whole ring lies in each half-plane (then so does every clip of it:
     * passes never widen the extent, intersections are clamped to their segment). */
    const bool holds[4] = {r->x0 >= b->x0, r->x1 <= b->x1, r->y0 >= b->y0, r->y1 <= b->y1};
    const struct pt *cur = r->v;
    size_t cur_n = r->n;
    int which = SCR_SH0;
    bool whole = true;
    bool distinct;
    struct pt *res;
    size_t m;
    bmx_status st;

    if (r->degenerate || !(r->x1 > b->x0 && r->x0 < b->x1 && r->y1 > b->y0 && r->y0 < b->y1)) {
        return BMX_OK;
    }
    for (int k = 0; k < 4 && cur_n > 0; k++) {
        struct pt *next;
        size_t cap;
        if (isinf(bnd[k])) {
            continue;
        }
        if (holds[k]) {
            continue; /* the pass would copy the ring */
        }
        if (!bmx__mul_size(cur_n, 2, &cap)) {
            return BMX_E_OVERFLOW;
        }
        next = scratch(c, which, cap, sizeof *next);
        if (next == NULL) {
            return BMX_E_NOMEM;
        }
        cur_n = sh_pass(cur, cur_n, next, axes[k], bnd[k], ge[k]);
        cur = next;
        which = which == SCR_SH0 ? SCR_SH1 : SCR_SH0;
        whole = false;
    }
    res = scratch(c, SCR_RES, cur_n, sizeof *res);
    if (res == NULL) {
        return BMX_E_NOMEM;
    }
    m = clamp_dedup(cur, cur_n, b, res);
    if (m < 3) {
        return BMX_OK;
    }
    if (c->out == NULL && surely_kept(res, m)) {
        c->found = true;
        return BMX_OK;
    }
    st = src_distinct(c, r, &distinct);
    if (st != BMX_OK) {
        return st;
    }
    if (distinct && ring_is_simple(res, m, b)) {
        return keep_ring(c, res, m, whole && m == r->n);
    }
    return split_fast(c, res, m, b, distinct);
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

/*
 * The regions a ring is clipped to: the rectangle (clip), or the four strips around
 * it (cut: left and right full height, top and bottom between them). The strips
 * meet only along lines, so their pieces never overlap and the areas add up. An
 * empty rectangle clips to nothing and cuts nothing (one unbounded region: every
 * ring comes back cleaned but whole). Returns the number of regions.
 */
static int rect_regions(struct bmx_box r, bool clip, struct bounds regions[4])
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

/* Every prepared ring against every region, in order, into `c`. */
static bmx_status clip_all(struct clipper *c, struct src_ring *srcs, size_t count, struct bmx_box r,
                           bool clip, const char *what, bmx_error *err)
{
    struct bounds regions[4];
    int n_regions = rect_regions(r, clip, regions);
    for (size_t i = 0; i < count; i++) {
        for (int s = 0; s < n_regions && !srcs[i].degenerate; s++) {
            bmx_status st = clip_one(c, &srcs[i], &regions[s]);
            if (st != BMX_OK) {
                return ring_failed(err, st, what, i);
            }
            if (c->found && c->out == NULL) {
                return BMX_OK;
            }
        }
    }
    return BMX_OK;
}

static const char *op_name(bool clip)
{
    return clip ? "clipping polygon" : "cutting polygon";
}

/*
 * The clip (`clip`) or cut of `in` into `out`, with its area when `area` is not
 * NULL. When `hit` is not NULL, first *hit = whether the opposite operation gives a
 * ring, and `out` stays empty when it does not.
 */
static bmx_status by_rect(const struct bmx_polyset *in, struct bmx_box r, bool clip, bool *hit,
                          struct bmx_polyset *out, double *area, bmx_error *err)
{
    bmx_status st;
    struct ringlist list;
    struct clipper c;
    struct src_ring *srcs = NULL;
    if (area != NULL) {
        *area = 0.0;
    }
    if (hit != NULL) {
        *hit = false;
    }
    st = check_args(in, r, out, op_name(clip), err);
    if (st != BMX_OK) {
        return st;
    }
    list.set = out;
    list.cap = 0;
    clipper_init(&c);
    st = src_prepare_all(&c, in, &srcs);
    if (st != BMX_OK) {
        st = bmx__fail(err, st, "%s: %s", op_name(clip),
                       st == BMX_E_NOMEM ? "out of memory" : bmx_strerror(st));
        goto cleanup;
    }
    if (hit != NULL) {
        st = clip_all(&c, srcs, in->count, r, !clip, op_name(!clip), err);
        *hit = st == BMX_OK && c.found;
        if (!*hit) {
            goto cleanup;
        }
    }
    c.out = &list;
    c.want_area = area != NULL;
    st = clip_all(&c, srcs, in->count, r, clip, op_name(clip), err);
cleanup:
    clipper_free(&c);
    if (st != BMX_OK) {
        bmx_polyset_free(out);
    } else if (area != NULL) {
        *area = c.area;
    }
    finish_set(out);
    return st;
}

bmx_status bmx__polyset_by_rect(const struct bmx_polyset *in, struct bmx_box r, bool inside,
                                bool *hit, struct bmx_polyset *out, double *area, bmx_error *err)
{
    return by_rect(in, r, inside, hit, out, area, err);
}

/* The reference: ref_clip_ring for every ring and region. */
static bmx_status ref_by_rect(const struct bmx_polyset *in, struct bmx_box r, bool clip,
                              struct bmx_polyset *out, bmx_error *err)
{
    const char *what = op_name(clip);
    bmx_status st = check_args(in, r, out, what, err);
    struct ringlist list;
    struct bounds regions[4];
    int n_regions;
    if (st != BMX_OK) {
        return st;
    }
    list.set = out;
    list.cap = 0;
    n_regions = rect_regions(r, clip, regions);
    for (size_t i = 0; i < in->count; i++) {
        for (int s = 0; s < n_regions; s++) {
            st = ref_clip_ring(in->rings[i].xy, in->rings[i].n, &regions[s], &list);
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

/* ------------------------------------------------------------------------- */
/* Public functions                                                           */
/* ------------------------------------------------------------------------- */

/* The shoelace formula evaluated with exact products (see shoelace). */
double bmx_poly_area(const struct bmx_poly *poly)
{
    bool unsafe;
    double s;
    if (poly == NULL || poly->n < 3 || poly->xy == NULL) {
        return 0.0;
    }
    s = shoelace_xy(poly->xy, poly->n, true, &unsafe);
    if (unsafe) {
        s = shoelace_xy(poly->xy, poly->n, false, &unsafe);
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
                    minx = min_d(minx, xy[2 * j]);
                    maxx = max_d(maxx, xy[2 * j]);
                    miny = min_d(miny, xy[2 * j + 1]);
                    maxy = max_d(maxy, xy[2 * j + 1]);
                }
                zero = NAN;
                continue;
            }
            for (size_t j = 0; j < ring->n; j++) {
                double x = xy[2 * j], y = xy[2 * j + 1];
                minx = min_n(minx, x);
                maxx = max_n(maxx, x);
                miny = min_n(miny, y);
                maxy = max_n(maxy, y);
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

/*
 * Each input ring may give several rings (a concave ring cut into pieces); rings
 * with no area inside give none. Output vertices lie in [x, x+w] x [y, y+h] exactly.
 */
bmx_status bmx_polyset_clip_rect(const struct bmx_polyset *in, struct bmx_box r,
                                 struct bmx_polyset *out, bmx_error *err)
{
    return by_rect(in, r, true, NULL, out, NULL, err);
}

/* See rect_regions for the strips. */
bmx_status bmx_polyset_cut_rect(const struct bmx_polyset *in, struct bmx_box r,
                                struct bmx_polyset *out, bmx_error *err)
{
    return by_rect(in, r, false, NULL, out, NULL, err);
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
