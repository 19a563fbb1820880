/* SPDX-License-Identifier: MIT */
/* Internal: what the two clippers (polyclip.c, the fast one, and polyclip_ref.c,
 * the reference) share: the regions and edge lists they work on and the steps of
 * polyclip_steps.c, so that both give the same rings from the same steps. */
#ifndef BMX_POLYCLIP_H
#define BMX_POLYCLIP_H

#include "polygon.h"
#include "polygon_exact.h"

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

static inline bool bmx__clip_same_pt(struct pt a, struct pt b)
{
    return a.x == b.x && a.y == b.y;
}

/* Which side of `b` the segment ac lies on (0 left, 1 right, 2 top, 3 bottom), or -1. */
static inline int bmx__clip_edge_side(struct pt a, struct pt c, const struct bounds *b)
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

static inline bool bmx__clip_on_side(struct pt p, int side, const struct bounds *b)
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
static inline double bmx__clip_along(struct pt p, int side)
{
    return side < 2 ? p.y : p.x;
}

/*
 * The outgoing edges of each of k vertices, by a counting sort on `from` (see
 * polyclip_steps.c).
 */
void bmx__clip_out_edge_index(const struct edge *edges, size_t ne, size_t k, size_t *first,
                              size_t *outs);

/* Remove consecutive duplicates, collinear vertices and spikes from a closed ring, in
 * place. Returns the new vertex count. */
size_t bmx__clip_simplify_ring(struct pt *v, size_t n);

/* Append a ring of n points to `list`. */
bmx_status bmx__clip_ringlist_push(struct ringlist *list, const struct pt *v, size_t n);

/* One Sutherland-Hodgman pass; `out` holds at least 2n points. */
size_t bmx__clip_sh_pass(const struct pt *in, size_t n, struct pt *out, int axis, double bound,
                         bool keep_ge);

/* Clamp to `b` and drop consecutive duplicates, wrap-around included. `out` may be `in`. */
size_t bmx__clip_clamp_dedup(const struct pt *in, size_t n, const struct bounds *b, struct pt *out);

/* qsort order of struct keyed: by x, then y. */
int bmx__clip_cmp_keyed(const void *pa, const void *pb);

/* The angle of the edge u[from] -> u[to]. */
double bmx__clip_edge_angle(const struct pt *u, size_t from, size_t to);

/* How far an exit at angle `out` turns from an arrival at angle `in` (smaller = tighter). */
double bmx__clip_turn(double in, double out, bool ccw);

/* Copy one traced cycle into `buf`, rotated to start at the vertex that came first in
 * the input ring (`rank`). Returns the vertex count. */
size_t bmx__clip_cycle_points(const size_t *ids, size_t n, const struct pt *u, const size_t *rank,
                              struct pt *buf);

/* Arguments shared by clip and cut: pointers, the rectangle, finite vertices. */
bmx_status bmx__clip_check_args(const struct bmx_polyset *in, struct bmx_box r,
                                struct bmx_polyset *out, const char *what, bmx_error *err);

/* The message for a ring that failed with `st`. */
bmx_status bmx__clip_ring_failed(bmx_error *err, bmx_status st, const char *what, size_t i);

/* Drop an empty rings array so that a count-0 result holds no memory. */
void bmx__clip_finish_set(struct bmx_polyset *set);

/* The regions a ring is clipped to (clip: the rectangle; cut: the strips around it).
 * Returns the number of regions. */
int bmx__clip_rect_regions(struct bmx_box r, bool clip, struct bounds regions[4]);

/* "clipping polygon" or "cutting polygon", for messages. */
const char *bmx__clip_op_name(bool clip);

#endif
