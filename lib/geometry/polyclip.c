/* SPDX-License-Identifier: MIT */
/*
 * The clipper behind bmx_polyset_clip_rect, bmx_polyset_cut_rect and
 * bmx__polyset_by_rect (cutmix's clip, cut, and "does the rectangle take
 * something"): the reference's steps (polyclip_ref.c, whose top comment says how a
 * ring is clipped) with less work, giving the same rings bit for bit.
 *
 * Fast paths
 * ----------
 * The steps of polyclip_ref.c are kept as they are (the `ref_` functions, reachable
 * through polygon.h for the differential tests); the public functions give the same rings,
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
#include "polyclip.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
        if (bmx__clip_same_pt(pts[s - 1], pts[i])) {
            return s - 1;
        }
        h = (h + 1) & mask;
    }
}

/*
 * Whether every point of the ring comes in one run of consecutive copies (around
 * the end too): then each point other than the clip's intersections appears at
 * most once in a clipped ring, as passes keep runs together and bmx__clip_clamp_dedup
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
            if (!bmx__clip_same_pt(r->v[i], r->v[i == 0 ? r->n - 1 : i - 1])) {
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
    size_t m = bmx__clip_simplify_ring(v, n);
    bmx_status st;
    /* An unchanged non-degenerate input ring needs no second look. */
    if (!(same_as_src && m == n) && bmx__ring_degenerate(v, m)) {
        return BMX_OK;
    }
    c->found = true;
    if (c->out == NULL) {
        return BMX_OK;
    }
    st = bmx__clip_ringlist_push(c->out, v, m);
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
                pos[s][cnt[s]++] = bmx__clip_along(p[i], s);
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
        int s = bmx__clip_edge_side(p[i], p[j], b);
        double lo, hi;
        if (s < 0) {
            continue;
        }
        lo = bmx__clip_along(p[i], s);
        hi = bmx__clip_along(p[j], s);
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
        e->angle = bmx__clip_edge_angle(u, e->from, e->to);
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
            keys[i].x = bmx__clip_along(u[ids[i]], side);
            keys[i].y = 0.0;
            keys[i].idx = ids[i];
        }
        qsort(keys, n, sizeof *keys, bmx__clip_cmp_keyed);
        for (size_t i = 0; i < n; i++) {
            ids[i] = keys[i].idx;
        }
        return BMX_OK;
    }
    for (size_t i = 1; i < n; i++) {
        size_t id = ids[i];
        double key = bmx__clip_along(u[id], side);
        size_t j = i;
        while (j > 0 && bmx__clip_along(u[ids[j - 1]], side) > key) {
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
        side[i] = bmx__clip_edge_side(p[i], p[j], b);
        if (side[i] < 0) {
            add_edge(edges, &ne, vid[i], vid[j], 1);
        }
    }

    for (int s = 0; s < 4; s++) {
        size_t cnt = 0;
        long long run = 0;
        for (size_t o = 0; o < n_on; o++) {
            if (bmx__clip_on_side(u[onids[o]], s, b)) {
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
        bmx__clip_out_edge_index(edges, ne, k, first, outs);

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
                            ccw = bmx__signed_area(p, m) >= 0.0;
                        }
                        best_turn = cur == start
                                        ? bmx__clip_turn(ang, lazy_angle(&edges[e0], u), ccw != 0)
                                        : INFINITY;
                        best = SIZE_MAX;
                        for (size_t o = first[cur]; o < first[cur + 1]; o++) {
                            struct edge *f = &edges[outs[o]];
                            double t;
                            if (f->mult == 0) {
                                continue;
                            }
                            t = bmx__clip_turn(ang, lazy_angle(f, u), ccw != 0);
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
                n = bmx__clip_cycle_points(cyc, n, u, rank, ring);
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
    bmx__ring_scan(p, m, &sc);
    len = bmx__max_d(sc.maxx - sc.minx, sc.maxy - sc.miny);
    mag = bmx__max_d(bmx__max_d(fabs(sc.minx), fabs(sc.maxx)),
                     bmx__max_d(fabs(sc.miny), fabs(sc.maxy)));
    cut = 1e-14 * len * bmx__max_d(len, mag);
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
    bmx__ring_scan(v, poly->n, &sc);
    r->v = v;
    r->x0 = sc.minx;
    r->x1 = sc.maxx;
    r->y0 = sc.miny;
    r->y1 = sc.maxy;
    r->degenerate = bmx__degenerate_scanned(v, poly->n, &sc);
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
        cur_n = bmx__clip_sh_pass(cur, cur_n, next, axes[k], bnd[k], ge[k]);
        cur = next;
        which = which == SCR_SH0 ? SCR_SH1 : SCR_SH0;
        whole = false;
    }
    res = scratch(c, SCR_RES, cur_n, sizeof *res);
    if (res == NULL) {
        return BMX_E_NOMEM;
    }
    m = bmx__clip_clamp_dedup(cur, cur_n, b, res);
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

/* Every prepared ring against every region, in order, into `c`. */
static bmx_status clip_all(struct clipper *c, struct src_ring *srcs, size_t count, struct bmx_box r,
                           bool clip, const char *what, bmx_error *err)
{
    struct bounds regions[4];
    int n_regions = bmx__clip_rect_regions(r, clip, regions);
    for (size_t i = 0; i < count; i++) {
        for (int s = 0; s < n_regions && !srcs[i].degenerate; s++) {
            bmx_status st = clip_one(c, &srcs[i], &regions[s]);
            if (st != BMX_OK) {
                return bmx__clip_ring_failed(err, st, what, i);
            }
            if (c->found && c->out == NULL) {
                return BMX_OK;
            }
        }
    }
    return BMX_OK;
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
    st = bmx__clip_check_args(in, r, out, bmx__clip_op_name(clip), err);
    if (st != BMX_OK) {
        return st;
    }
    list.set = out;
    list.cap = 0;
    clipper_init(&c);
    st = src_prepare_all(&c, in, &srcs);
    if (st != BMX_OK) {
        st = bmx__fail(err, st, "%s: %s", bmx__clip_op_name(clip),
                       st == BMX_E_NOMEM ? "out of memory" : bmx_strerror(st));
        goto cleanup;
    }
    if (hit != NULL) {
        st = clip_all(&c, srcs, in->count, r, !clip, bmx__clip_op_name(!clip), err);
        *hit = st == BMX_OK && c.found;
        if (!*hit) {
            goto cleanup;
        }
    }
    c.out = &list;
    c.want_area = area != NULL;
    st = clip_all(&c, srcs, in->count, r, clip, bmx__clip_op_name(clip), err);
cleanup:
    clipper_free(&c);
    if (st != BMX_OK) {
        bmx_polyset_free(out);
    } else if (area != NULL) {
        *area = c.area;
    }
    bmx__clip_finish_set(out);
    return st;
}

bmx_status bmx__polyset_by_rect(const struct bmx_polyset *in, struct bmx_box r, bool inside,
                                bool *hit, struct bmx_polyset *out, double *area, bmx_error *err)
{
    return by_rect(in, r, inside, hit, out, area, err);
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

/* See bmx__clip_rect_regions for the strips. */
bmx_status bmx_polyset_cut_rect(const struct bmx_polyset *in, struct bmx_box r,
                                struct bmx_polyset *out, bmx_error *err)
{
    return by_rect(in, r, false, NULL, out, NULL, err);
}
