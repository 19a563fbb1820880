/* SPDX-License-Identifier: MIT */
/* Several rings into one, for a YOLO segmentation row (one polygon per object):
 * Ultralytics' merge_multi_segment joins ring i-1 to ring i between their nearest
 * vertices and walks the chain out and back, so each joint is a zero-width bridge.
 * Here every ring first runs the positive way and keeps its order (the Ultralytics
 * code reverses some middle rings, which makes their area count negatively): the
 * joined ring's shoelace area is then exactly the sum of the rings' areas. */
#include "yolo.h"

#include <stdlib.h>
#include <string.h>

static double signed_area2(const struct bmx_poly *p)
{
    double s = 0;
    for (size_t i = 0; i < p->n; i++) {
        size_t j = (i + 1) % p->n;
        s += p->xy[2 * i] * p->xy[2 * j + 1] - p->xy[2 * j] * p->xy[2 * i + 1];
    }
    return s;
}

/* Vertex k of ring r in its positive order. */
static void vertex(const struct bmx_poly *p, bool reversed, size_t k, double *x, double *y)
{
    size_t i = reversed ? p->n - 1 - k : k;
    *x = p->xy[2 * i];
    *y = p->xy[2 * i + 1];
}

/* The nearest pair of vertices of rings a and b (positive order indices); the
 * first pair in (a, b) order among equally near ones, as numpy's argmin. */
static void nearest(const struct bmx_poly *a, bool ra, const struct bmx_poly *b, bool rb,
                    size_t *ia, size_t *ib)
{
    double best = -1;
    *ia = *ib = 0;
    for (size_t i = 0; i < a->n; i++) {
        double ax, ay;
        vertex(a, ra, i, &ax, &ay);
        for (size_t j = 0; j < b->n; j++) {
            double bx, by;
            vertex(b, rb, j, &bx, &by);
            double d = (ax - bx) * (ax - bx) + (ay - by) * (ay - by);
            if (best < 0 || d < best) {
                best = d;
                *ia = i;
                *ib = j;
            }
        }
    }
}

struct walk {
    double *out;
    size_t n;
};

/* Append `count` vertices of ring p from `from` on, wrapping. */
static void leg(struct walk *w, const struct bmx_poly *p, bool rev, size_t from, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        vertex(p, rev, (from + k) % p->n, &w->out[2 * w->n], &w->out[2 * w->n + 1]);
        w->n++;
    }
}

bmx_status bmx__yolo_bridge(const struct bmx_polyset *set, double **out, size_t *n, bmx_error *err)
{
    size_t r = set->count, total = 0;
    *out = NULL;
    *n = 0;
    if (r == 0) {
        return BMX_OK;
    }
    for (size_t i = 0; i < r; i++) {
        if (set->rings[i].n == 0) {
            return bmx__fail(err, BMX_E_INVALID, "bridge: ring %zu has no vertex", i);
        }
        if (!bmx__add_size(total, set->rings[i].n + 2, &total)) {
            return bmx__fail(err, BMX_E_OVERFLOW, "bridge: too many vertices");
        }
    }
    bool *rev = calloc(r, sizeof *rev);
    size_t *a = calloc(r, sizeof *a), *b = calloc(r, sizeof *b);
    struct walk w = {bmx__alloc_array(total, 2 * sizeof(double)), 0};
    if (rev == NULL || a == NULL || b == NULL || w.out == NULL) {
        free(rev);
        free(a);
        free(b);
        free(w.out);
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < r; i++) {
        rev[i] = signed_area2(&set->rings[i]) < 0;
    }
    if (r == 1) {
        leg(&w, &set->rings[0], rev[0], 0, set->rings[0].n);
    } else {
        /* a[i]: where ring i-1 meets ring i (a vertex of ring i-1); b[i]: of ring i. */
        for (size_t i = 1; i < r; i++) {
            nearest(&set->rings[i - 1], rev[i - 1], &set->rings[i], rev[i], &a[i], &b[i]);
        }
        const struct bmx_poly *p0 = &set->rings[0];
        leg(&w, p0, rev[0], a[1], p0->n + 1); /* ring 0, closed at its joint */
        for (size_t i = 1; i + 1 < r; i++) {  /* out: entry b[i] to exit a[i+1] */
            const struct bmx_poly *p = &set->rings[i];
            leg(&w, p, rev[i], b[i], (a[i + 1] + p->n - b[i]) % p->n + 1);
        }
        const struct bmx_poly *pl = &set->rings[r - 1];
        leg(&w, pl, rev[r - 1], b[r - 1], pl->n + 1); /* the last ring, closed */
        for (size_t i = r - 2; i >= 1; i--) {          /* back: exit a[i+1] on to entry b[i] */
            const struct bmx_poly *p = &set->rings[i];
            size_t count = a[i + 1] == b[i] ? p->n + 1 : (b[i] + p->n - a[i + 1]) % p->n + 1;
            leg(&w, p, rev[i], a[i + 1], count);
        }
        /* The ring closes from b[1] back to ring 0's joint: the last bridge. */
    }
    free(rev);
    free(a);
    free(b);
    *out = w.out;
    *n = w.n;
    return BMX_OK;
}
