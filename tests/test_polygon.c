/* SPDX-License-Identifier: MIT */
/* Tests for lib/geometry/polygon*.c and polyclip*.c: areas, extents, clip and cut against rectangles. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boxmix.h"
#include "polygon.h"

/* ------------------------------------------------------------------------- */
/* Helpers                                                                    */
/* ------------------------------------------------------------------------- */

#define NV(a) (sizeof(a) / sizeof((a)[0]) / 2)

/* A one-ring set viewing a caller array (inputs are const, so no copy needed). */
struct view {
    struct bmx_poly ring;
    struct bmx_polyset set;
};

static void view_init(struct view *v, const double *xy, size_t n)
{
    v->ring.n = n;
    v->ring.xy = (double *)xy;
    v->set.count = 1;
    v->set.rings = &v->ring;
}

/*
 * Signed shoelace area about the origin (ox, oy): exact subtractions for rings near
 * it, so far-away rings keep their precision. A reference independent of the
 * library's compensated sum.
 */
static double ring_signed_area_at(const struct bmx_poly *p, double ox, double oy)
{
    double s = 0.0;
    if (p->n < 3) {
        return 0.0;
    }
    for (size_t i = 0; i < p->n; i++) {
        size_t j = (i + 1) % p->n;
        s += (p->xy[2 * i] - ox) * (p->xy[2 * j + 1] - oy) -
             (p->xy[2 * j] - ox) * (p->xy[2 * i + 1] - oy);
    }
    return 0.5 * s;
}

static double set_signed_area_at(const struct bmx_polyset *s, double ox, double oy)
{
    double a = 0.0;
    for (size_t i = 0; i < s->count; i++) {
        a += ring_signed_area_at(&s->rings[i], ox, oy);
    }
    return a;
}

static double set_signed_area(const struct bmx_polyset *s)
{
    return set_signed_area_at(s, 0.0, 0.0);
}

/* A 0.01 square a billion pixels out keeps its area (no cancellation, not a sliver). */
static void test_far_from_origin(void **state)
{
    static const double sq[] = {1e9, 1e9, 1e9 + 0.01, 1e9, 1e9 + 0.01, 1e9 + 0.01, 1e9, 1e9 + 0.01};
    struct bmx_poly p = {4, (double *)sq};
    struct bmx_polyset s = {1, &p};
    struct bmx_polyset out;
    double a = (sq[2] - sq[0]) * (sq[5] - sq[1]);
    bmx_error err;
    (void)state;

    assert_true(fabs(bmx_poly_area(&p) - a) <= 1e-15 * a);
    assert_int_equal(
        bmx_polyset_clip_rect(&s, (struct bmx_box){1e9 + 0.005, 0, 1, 2e9}, &out, &err), BMX_OK);
    assert_int_equal(out.count, 1);
    assert_true(fabs(bmx_polyset_area(&out) - a / 2) <= 1e-6 * a);
    bmx_polyset_free(&out);
}

/* Winding number of the ring around (px, py) (points on the ring: undefined). */
static int ring_winding(const struct bmx_poly *p, double px, double py)
{
    int wn = 0;
    for (size_t i = 0; i < p->n; i++) {
        size_t j = (i + 1) % p->n;
        double x0 = p->xy[2 * i], y0 = p->xy[2 * i + 1];
        double x1 = p->xy[2 * j], y1 = p->xy[2 * j + 1];
        double side = (x1 - x0) * (py - y0) - (px - x0) * (y1 - y0);
        if (y0 <= py) {
            if (y1 > py && side > 0) {
                wn++;
            }
        } else if (y1 <= py && side < 0) {
            wn--;
        }
    }
    return wn;
}

static int set_winding(const struct bmx_polyset *s, double px, double py)
{
    int wn = 0;
    for (size_t i = 0; i < s->count; i++) {
        wn += ring_winding(&s->rings[i], px, py);
    }
    return wn;
}

static bool near_rel(double a, double b, double rel, double scale)
{
    return fabs(a - b) <= rel * fmax(scale, 1e-300);
}

/* Every ring: >= 3 vertices, positive area, no repeated or exactly collinear vertex. */
static const char *clean_problem(const struct bmx_polyset *s)
{
    for (size_t i = 0; i < s->count; i++) {
        const struct bmx_poly *p = &s->rings[i];
        if (p->n < 3 || p->xy == NULL) {
            return "ring of fewer than 3 vertices";
        }
        if (!(bmx_poly_area(p) > 0.0)) {
            return "ring of zero area";
        }
        for (size_t k = 0; k < p->n; k++) {
            const double *a = &p->xy[2 * k];
            const double *b = &p->xy[2 * ((k + 1) % p->n)];
            const double *c = &p->xy[2 * ((k + 2) % p->n)];
            double cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
            if (a[0] == b[0] && a[1] == b[1]) {
                return "repeated vertex";
            }
            if (cross == 0.0) {
                return "collinear vertex";
            }
        }
    }
    return NULL;
}

/*
 * No ring runs along a side line of the rectangle and back over the same stretch
 * (a zero-width bridge). Edges of the input may overlap anywhere else.
 */
static const char *bridge_problem(const struct bmx_polyset *s, struct bmx_box r)
{
    const double lines[2][2] = {{r.x, r.x + r.w}, {r.y, r.y + r.h}};
    for (size_t i = 0; i < s->count; i++) {
        const struct bmx_poly *p = &s->rings[i];
        if (p->n > 5000) {
            continue; /* quadratic check */
        }
        for (size_t k = 0; k < p->n; k++) {
            const double *a = &p->xy[2 * k];
            const double *b = &p->xy[2 * ((k + 1) % p->n)];
            for (size_t l = k + 1; l < p->n; l++) {
                const double *c = &p->xy[2 * l];
                const double *d = &p->xy[2 * ((l + 1) % p->n)];
                for (int ax = 0; ax < 2; ax++) {
                    int o = 1 - ax;
                    double lo, hi;
                    if (!(a[ax] == b[ax] && c[ax] == d[ax] && a[ax] == c[ax]) ||
                        (a[ax] != lines[ax][0] && a[ax] != lines[ax][1])) {
                        continue;
                    }
                    if ((b[o] > a[o]) == (d[o] > c[o])) {
                        continue; /* same direction: overlapping coverage, not a bridge */
                    }
                    lo = fmax(fmin(a[o], b[o]), fmin(c[o], d[o]));
                    hi = fmin(fmax(a[o], b[o]), fmax(c[o], d[o]));
                    if (lo < hi) {
                        return "bridge along a side of the rectangle";
                    }
                }
            }
        }
    }
    return NULL;
}

static const char *region_problem(const struct bmx_polyset *s, struct bmx_box r, bool inside)
{
    for (size_t i = 0; i < s->count; i++) {
        for (size_t k = 0; k < s->rings[i].n; k++) {
            double x = s->rings[i].xy[2 * k], y = s->rings[i].xy[2 * k + 1];
            if (inside && !(x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h)) {
                return "vertex outside the rectangle";
            }
            if (!inside && x > r.x && x < r.x + r.w && y > r.y && y < r.y + r.h) {
                return "vertex strictly inside the rectangle";
            }
        }
    }
    return NULL;
}

static const char *output_problem(const struct bmx_polyset *s, struct bmx_box r, bool inside)
{
    const char *why = clean_problem(s);
    if (why == NULL) {
        why = bridge_problem(s, r);
    }
    if (why == NULL) {
        why = region_problem(s, r, inside);
    }
    return why;
}

static void assert_box(struct bmx_box b, double x, double y, double w, double h)
{
    assert_true(b.x == x && b.y == y && b.w == w && b.h == h);
}

static struct bmx_box ring_bbox(const struct bmx_poly *p)
{
    struct bmx_polyset s = {1, (struct bmx_poly *)p};
    struct bmx_box b;
    assert_true(bmx_polyset_bbox(&s, &b));
    return b;
}

/* Index of the ring whose bbox is (x, y, w, h); fails when none. */
static size_t find_ring(const struct bmx_polyset *s, double x, double y, double w, double h)
{
    for (size_t i = 0; i < s->count; i++) {
        struct bmx_box b = ring_bbox(&s->rings[i]);
        if (b.x == x && b.y == y && b.w == w && b.h == h) {
            return i;
        }
    }
    fail_msg("no ring with bbox [%g, %g, %g, %g]", x, y, w, h);
    return SIZE_MAX;
}

static void clip_ok(const double *xy, size_t n, struct bmx_box r, struct bmx_polyset *out)
{
    struct view v;
    bmx_error err;
    const char *why;
    view_init(&v, xy, n);
    assert_int_equal(bmx_polyset_clip_rect(&v.set, r, out, &err), BMX_OK);
    why = output_problem(out, r, true);
    if (why != NULL) {
        fail_msg("clip: %s", why);
    }
}

static void cut_ok(const double *xy, size_t n, struct bmx_box r, struct bmx_polyset *out)
{
    struct view v;
    bmx_error err;
    const char *why;
    view_init(&v, xy, n);
    assert_int_equal(bmx_polyset_cut_rect(&v.set, r, out, &err), BMX_OK);
    why = output_problem(out, r, false);
    if (why != NULL) {
        fail_msg("cut: %s", why);
    }
}

static const double square10[] = {0, 0, 10, 0, 10, 10, 0, 10};

/* U: 30 x 30 with a 10 x 20 notch from the top; area 700. */
static const double ushape[] = {0, 0, 30, 0, 30, 30, 20, 30, 20, 10, 10, 10, 10, 30, 0, 30};

/* L: arms 20 long and 10 wide; area 300. */
static const double lshape[] = {0, 0, 20, 0, 20, 10, 10, 10, 10, 20, 0, 20};

/* ------------------------------------------------------------------------- */
/* Area, bbox, copy, scale, free                                              */
/* ------------------------------------------------------------------------- */

static void test_area(void **state)
{
    static const double cw[] = {0, 0, 0, 10, 10, 10, 10, 0};
    static const double tri[] = {0, 0, 4, 0, 0, 3};
    static const double two[] = {0, 0, 4, 0};
    struct bmx_poly rings[2] = {{4, (double *)square10}, {3, (double *)tri}};
    struct bmx_polyset set = {2, rings};
    struct bmx_poly p;
    (void)state;

    p.n = 4;
    p.xy = (double *)square10;
    assert_true(bmx_poly_area(&p) == 100.0);
    p.xy = (double *)cw;
    assert_true(bmx_poly_area(&p) == 100.0);
    p.n = 3;
    p.xy = (double *)tri;
    assert_true(bmx_poly_area(&p) == 6.0);
    p.n = 2;
    p.xy = (double *)two;
    assert_true(bmx_poly_area(&p) == 0.0);
    assert_true(bmx_poly_area(NULL) == 0.0);
    /* COCO sums the rings' areas. */
    assert_true(bmx_polyset_area(&set) == 106.0);
    assert_true(bmx_polyset_area(NULL) == 0.0);
}

static void test_bbox(void **state)
{
    static const double tri[] = {-3, 4, 5, 12.5, 1, 2};
    struct bmx_poly rings[2] = {{4, (double *)square10}, {3, (double *)tri}};
    struct bmx_polyset set = {2, rings};
    struct bmx_polyset empty = {0, NULL};
    struct bmx_box b = {1, 2, 3, 4};
    (void)state;

    assert_true(bmx_polyset_bbox(&set, &b));
    assert_box(b, -3, 0, 13, 12.5);
    assert_false(bmx_polyset_bbox(&empty, &b));
    assert_box(b, 0, 0, 0, 0);
    assert_false(bmx_polyset_bbox(NULL, &b));
}

static void test_copy_scale_free(void **state)
{
    static const double tri[] = {1, 2, 3, 4, 5, 7};
    struct bmx_poly rings[2] = {{4, (double *)square10}, {3, (double *)tri}};
    struct bmx_polyset set = {2, rings};
    struct bmx_polyset cp;
    struct bmx_polyset empty = {0, NULL};
    bmx_error err;
    (void)state;

    assert_int_equal(bmx_polyset_copy(&set, &cp, &err), BMX_OK);
    assert_int_equal(cp.count, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(cp.rings[i].n, rings[i].n);
        assert_ptr_not_equal(cp.rings[i].xy, rings[i].xy);
        assert_memory_equal(cp.rings[i].xy, rings[i].xy, 2 * rings[i].n * sizeof(double));
    }
    bmx_polyset_scale(&cp, 2.0, 0.5);
    assert_true(cp.rings[1].xy[0] == 2.0 && cp.rings[1].xy[1] == 1.0);
    assert_true(cp.rings[1].xy[4] == 10.0 && cp.rings[1].xy[5] == 3.5);
    assert_true(bmx_polyset_area(&cp) == 100.0 + 1.0 * 2.0 * 0.5);
    assert_true(tri[0] == 1.0); /* the source is untouched */
    bmx_polyset_free(&cp);
    assert_int_equal(cp.count, 0);
    assert_null(cp.rings);
    bmx_polyset_free(&cp);
    bmx_polyset_free(NULL);

    assert_int_equal(bmx_polyset_copy(&empty, &cp, &err), BMX_OK);
    assert_int_equal(cp.count, 0);
    bmx_polyset_free(&cp);
    assert_int_equal(bmx_polyset_copy(NULL, &cp, &err), BMX_E_INVALID);
    bmx_polyset_scale(NULL, 1.0, 1.0);
}

/* ------------------------------------------------------------------------- */
/* Hand-computed clips and cuts                                               */
/* ------------------------------------------------------------------------- */

static void test_square_half(void **state)
{
    struct bmx_box r = {5, -5, 10, 20};
    struct bmx_polyset out;
    struct bmx_box b;
    (void)state;

    clip_ok(square10, 4, r, &out);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.rings[0].n, 4);
    assert_true(bmx_polyset_area(&out) == 50.0);
    assert_true(bmx_polyset_bbox(&out, &b));
    assert_box(b, 5, 0, 5, 10);
    assert_true(set_signed_area(&out) > 0); /* orientation kept */
    bmx_polyset_free(&out);

    cut_ok(square10, 4, r, &out);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.rings[0].n, 4);
    assert_true(bmx_polyset_area(&out) == 50.0);
    assert_true(bmx_polyset_bbox(&out, &b));
    assert_box(b, 0, 0, 5, 10);
    bmx_polyset_free(&out);
}

static void test_square_hole_cut(void **state)
{
    struct bmx_box r = {3, 3, 4, 4};
    struct bmx_polyset out;
    (void)state;

    cut_ok(square10, 4, r, &out);
    /* left, right full height; top, bottom between them */
    assert_int_equal(out.count, 4);
    assert_true(bmx_poly_area(&out.rings[0]) == 30.0);
    assert_box(ring_bbox(&out.rings[0]), 0, 0, 3, 10);
    assert_true(bmx_poly_area(&out.rings[1]) == 30.0);
    assert_box(ring_bbox(&out.rings[1]), 7, 0, 3, 10);
    assert_true(bmx_poly_area(&out.rings[2]) == 12.0);
    assert_box(ring_bbox(&out.rings[2]), 3, 0, 4, 3);
    assert_true(bmx_poly_area(&out.rings[3]) == 12.0);
    assert_box(ring_bbox(&out.rings[3]), 3, 7, 4, 3);
    bmx_polyset_free(&out);

    clip_ok(square10, 4, r, &out);
    assert_int_equal(out.count, 1);
    assert_true(bmx_polyset_area(&out) == 16.0);
    bmx_polyset_free(&out);
}

static void test_ushape_two_pieces(void **state)
{
    struct bmx_box r = {-5, 15, 40, 20};
    struct bmx_polyset out;
    size_t a, b;
    (void)state;

    clip_ok(ushape, NV(ushape), r, &out);
    assert_int_equal(out.count, 2);
    a = find_ring(&out, 0, 15, 10, 15);
    b = find_ring(&out, 20, 15, 10, 15);
    assert_int_not_equal(a, b);
    assert_true(bmx_poly_area(&out.rings[a]) == 150.0);
    assert_true(bmx_poly_area(&out.rings[b]) == 150.0);
    assert_int_equal(out.rings[a].n, 4);
    assert_int_equal(out.rings[b].n, 4);
    bmx_polyset_free(&out);

    cut_ok(ushape, NV(ushape), r, &out);
    assert_int_equal(out.count, 1);
    assert_true(bmx_polyset_area(&out) == 400.0);
    assert_int_equal(out.rings[0].n, 8);
    bmx_polyset_free(&out);
}

static void test_ushape_cut_bridge(void **state)
{
    /* The patch covers the base of the U: the arms above it are two pieces of one strip. */
    struct bmx_box r = {-5, -5, 40, 20};
    struct bmx_polyset out;
    (void)state;

    cut_ok(ushape, NV(ushape), r, &out);
    assert_int_equal(out.count, 2);
    assert_true(bmx_poly_area(&out.rings[find_ring(&out, 0, 15, 10, 15)]) == 150.0);
    assert_true(bmx_poly_area(&out.rings[find_ring(&out, 20, 15, 10, 15)]) == 150.0);
    bmx_polyset_free(&out);
}

static void test_comb_three_pieces(void **state)
{
    /* Three teeth hanging from a bar at the top; clipping below the bar. */
    static const double comb[] = {0,  0,  50, 0,  50, 30, 40, 30, 40, 10, 30, 10,
                                  30, 30, 20, 30, 20, 10, 10, 10, 10, 30, 0,  30};
    struct bmx_box r = {-1, 20, 60, 20};
    struct bmx_polyset out;
    (void)state;

    clip_ok(comb, NV(comb), r, &out);
    assert_int_equal(out.count, 3);
    assert_true(bmx_polyset_area(&out) == 300.0);
    find_ring(&out, 0, 20, 10, 10);
    find_ring(&out, 20, 20, 10, 10);
    find_ring(&out, 40, 20, 10, 10);
    bmx_polyset_free(&out);
}

static void test_lshape(void **state)
{
    struct bmx_box corner = {-5, -5, 12, 12};
    struct bmx_box over = {5, 5, 20, 20};
    struct bmx_polyset out;
    (void)state;

    /* Removing the corner leaves two pieces, one per strip. */
    cut_ok(lshape, NV(lshape), corner, &out);
    assert_int_equal(out.count, 2);
    /* right strip: x >= 7 (an L itself); bottom strip: y >= 7 between the sides */
    assert_true(bmx_poly_area(&out.rings[find_ring(&out, 7, 0, 13, 20)]) == 160.0);
    assert_true(bmx_poly_area(&out.rings[find_ring(&out, 0, 7, 7, 13)]) == 91.0);
    bmx_polyset_free(&out);

    clip_ok(lshape, NV(lshape), corner, &out);
    assert_int_equal(out.count, 1);
    assert_true(bmx_polyset_area(&out) == 49.0);
    bmx_polyset_free(&out);

    /* The concave corner of the L lies inside the rectangle. */
    clip_ok(lshape, NV(lshape), over, &out);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.rings[0].n, 6);
    assert_true(bmx_polyset_area(&out) == 125.0);
    bmx_polyset_free(&out);
    cut_ok(lshape, NV(lshape), over, &out);
    assert_int_equal(out.count, 2); /* left strip and top strip */
    assert_true(bmx_polyset_area(&out) == 175.0);
    bmx_polyset_free(&out);
}

static void test_triangle_inside_outside(void **state)
{
    static const double tri[] = {2, 2, 8, 2, 5, 8};
    struct bmx_box around = {0, 0, 10, 10};
    struct bmx_box away = {20, 20, 5, 5};
    struct bmx_polyset out;
    (void)state;

    clip_ok(tri, 3, around, &out);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.rings[0].n, 3);
    assert_memory_equal(out.rings[0].xy, tri, sizeof tri);
    bmx_polyset_free(&out);
    cut_ok(tri, 3, around, &out);
    assert_int_equal(out.count, 0);
    assert_null(out.rings);
    bmx_polyset_free(&out);

    clip_ok(tri, 3, away, &out);
    assert_int_equal(out.count, 0);
    bmx_polyset_free(&out);
    cut_ok(tri, 3, away, &out);
    assert_int_equal(out.count, 1);
    assert_memory_equal(out.rings[0].xy, tri, sizeof tri);
    bmx_polyset_free(&out);
}

static void test_vertices_on_edges(void **state)
{
    static const double diamond[] = {5, 0, 10, 5, 5, 10, 0, 5};
    static const double touching[] = {10, 5, 20, 0, 20, 10};
    struct bmx_box same = {0, 0, 10, 10};
    struct bmx_box beside = {10, 0, 5, 10};
    struct bmx_box quarter = {0, 0, 5, 5};
    struct bmx_polyset out;
    (void)state;

    clip_ok(square10, 4, same, &out);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.rings[0].n, 4);
    assert_memory_equal(out.rings[0].xy, square10, sizeof square10);
    bmx_polyset_free(&out);
    cut_ok(square10, 4, same, &out);
    assert_int_equal(out.count, 0);
    bmx_polyset_free(&out);

    /* Sharing an edge only. */
    clip_ok(square10, 4, beside, &out);
    assert_int_equal(out.count, 0);
    bmx_polyset_free(&out);
    cut_ok(square10, 4, beside, &out);
    assert_int_equal(out.count, 1);
    assert_true(bmx_polyset_area(&out) == 100.0);
    bmx_polyset_free(&out);

    /* Vertices at the rectangle's corner and on its sides. */
    clip_ok(diamond, 4, quarter, &out);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.rings[0].n, 3);
    assert_true(bmx_polyset_area(&out) == 12.5);
    assert_box(ring_bbox(&out.rings[0]), 0, 0, 5, 5);
    bmx_polyset_free(&out);
    cut_ok(diamond, 4, quarter, &out);
    assert_true(bmx_polyset_area(&out) == 37.5);
    bmx_polyset_free(&out);

    /* A triangle touching the rectangle at one vertex from outside. */
    clip_ok(touching, 3, same, &out);
    assert_int_equal(out.count, 0);
    bmx_polyset_free(&out);
    cut_ok(touching, 3, same, &out);
    assert_int_equal(out.count, 1);
    assert_true(bmx_polyset_area(&out) == 50.0);
    bmx_polyset_free(&out);
}

static void test_self_touching(void **state)
{
    /* Two unit squares meeting at (1, 1), traced as one ring. */
    static const double bow[] = {0, 0, 1, 0, 1, 1, 2, 1, 2, 2, 1, 2, 1, 1, 0, 1};
    struct bmx_box big = {-10, -10, 20, 20};
    struct bmx_box mid = {0.5, 0, 1, 2};
    struct bmx_polyset out;
    (void)state;

    clip_ok(bow, NV(bow), big, &out);
    assert_int_equal(out.count, 2);
    assert_true(bmx_poly_area(&out.rings[find_ring(&out, 0, 0, 1, 1)]) == 1.0);
    assert_true(bmx_poly_area(&out.rings[find_ring(&out, 1, 1, 1, 1)]) == 1.0);
    bmx_polyset_free(&out);

    clip_ok(bow, NV(bow), mid, &out);
    assert_int_equal(out.count, 2);
    assert_true(bmx_poly_area(&out.rings[find_ring(&out, 0.5, 0, 0.5, 1)]) == 0.5);
    assert_true(bmx_poly_area(&out.rings[find_ring(&out, 1, 1, 0.5, 1)]) == 0.5);
    bmx_polyset_free(&out);

    cut_ok(bow, NV(bow), mid, &out);
    assert_int_equal(out.count, 2);
    assert_true(bmx_polyset_area(&out) == 1.0);
    bmx_polyset_free(&out);

    /* The touching point on the rectangle's corner. */
    clip_ok(bow, NV(bow), (struct bmx_box){1, 1, 5, 5}, &out);
    assert_int_equal(out.count, 1);
    assert_true(bmx_polyset_area(&out) == 1.0);
    bmx_polyset_free(&out);
}

static void test_spikes_and_duplicates(void **state)
{
    /* A zero-width slit into the square and a spike out of it, and repeated vertices. */
    static const double slit[] = {0, 0, 10, 0, 10, 0, 10, 10, 5, 10, 5, 4, 5, 10, 0, 10};
    static const double spike[] = {0, 0, 10, 0, 10, 10, 5, 10, 5, 20, 5, 10, 0, 10, 0, 0};
    static const double mid[] = {0, 0, 5, 0, 10, 0, 10, 10, 0, 10};
    struct bmx_box big = {-1, -1, 30, 30};
    struct bmx_box same = {0, 0, 10, 10};
    struct bmx_polyset out;
    (void)state;

    clip_ok(slit, NV(slit), big, &out);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.rings[0].n, 4);
    assert_true(bmx_polyset_area(&out) == 100.0);
    bmx_polyset_free(&out);

    clip_ok(spike, NV(spike), same, &out);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.rings[0].n, 4);
    assert_true(bmx_polyset_area(&out) == 100.0);
    bmx_polyset_free(&out);
    cut_ok(spike, NV(spike), same, &out);
    assert_int_equal(out.count, 0);
    bmx_polyset_free(&out);

    clip_ok(mid, NV(mid), big, &out);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.rings[0].n, 4);
    bmx_polyset_free(&out);
}

static void test_degenerate_inputs(void **state)
{
    static const double line[] = {0, 0, 1, 1, 2, 2, 3, 3};
    static const double two[] = {0, 0, 5, 5};
    static const double back[] = {0, 0, 5, 5, 0, 0, 5, 5};
    struct bmx_box r = {-10, -10, 100, 100};
    struct bmx_box part = {1, 1, 1, 1};
    struct bmx_polyset out;
    (void)state;

    clip_ok(line, NV(line), r, &out);
    assert_int_equal(out.count, 0);
    bmx_polyset_free(&out);
    cut_ok(line, NV(line), part, &out);
    assert_int_equal(out.count, 0);
    bmx_polyset_free(&out);
    clip_ok(two, NV(two), r, &out);
    assert_int_equal(out.count, 0);
    bmx_polyset_free(&out);
    cut_ok(two, NV(two), part, &out);
    assert_int_equal(out.count, 0);
    bmx_polyset_free(&out);
    clip_ok(back, NV(back), r, &out);
    assert_int_equal(out.count, 0);
    bmx_polyset_free(&out);
    clip_ok(square10, 0, r, &out);
    assert_int_equal(out.count, 0);
    bmx_polyset_free(&out);
}

static void test_empty_rect(void **state)
{
    struct bmx_box flat = {5, 0, 0, 10};
    struct bmx_polyset out;
    (void)state;

    clip_ok(ushape, NV(ushape), flat, &out);
    assert_int_equal(out.count, 0);
    bmx_polyset_free(&out);
    /* Nothing is cut: the ring comes back whole, not split along x = 5. */
    cut_ok(ushape, NV(ushape), flat, &out);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.rings[0].n, NV(ushape));
    assert_memory_equal(out.rings[0].xy, ushape, sizeof ushape);
    bmx_polyset_free(&out);
}

static void test_clockwise_kept(void **state)
{
    static const double cw[] = {0, 0, 0, 10, 10, 10, 10, 0};
    struct bmx_box r = {3, 3, 4, 4};
    struct bmx_polyset out;
    (void)state;

    clip_ok(cw, 4, r, &out);
    assert_int_equal(out.count, 1);
    assert_true(set_signed_area(&out) == -16.0);
    bmx_polyset_free(&out);
    cut_ok(cw, 4, r, &out);
    assert_int_equal(out.count, 4);
    assert_true(set_signed_area(&out) == -84.0);
    bmx_polyset_free(&out);
}

static void test_multiple_rings(void **state)
{
    static const double far[] = {100, 100, 110, 100, 110, 110};
    struct bmx_poly rings[3] = {{4, (double *)square10}, {0, NULL}, {3, (double *)far}};
    struct bmx_polyset set = {3, rings};
    struct bmx_polyset out;
    bmx_error err;
    (void)state;

    assert_int_equal(bmx_polyset_clip_rect(&set, (struct bmx_box){5, 5, 200, 200}, &out, &err),
                     BMX_OK);
    assert_int_equal(out.count, 2);
    assert_true(bmx_polyset_area(&out) == 25.0 + 50.0);
    bmx_polyset_free(&out);
}

static void test_invalid(void **state)
{
    double bad[] = {0, 0, 10, 0, 10, NAN, 0, 10};
    struct bmx_box r = {0, 0, 5, 5};
    struct view v;
    struct bmx_polyset out;
    struct bmx_poly nullring = {3, NULL};
    struct bmx_polyset nullset = {1, &nullring};
    bmx_error err;
    (void)state;

    view_init(&v, bad, 4);
    memset(&out, 0xff, sizeof out);
    assert_int_equal(bmx_polyset_clip_rect(&v.set, r, &out, &err), BMX_E_INVALID);
    assert_int_equal(out.count, 0);
    assert_null(out.rings);
    assert_non_null(strstr(err.message, "not finite"));
    assert_int_equal(bmx_polyset_cut_rect(&v.set, r, &out, &err), BMX_E_INVALID);
    bad[5] = INFINITY;
    assert_int_equal(bmx_polyset_cut_rect(&v.set, r, &out, &err), BMX_E_INVALID);
    assert_int_equal(out.count, 0);

    view_init(&v, square10, 4);
    assert_int_equal(bmx_polyset_clip_rect(&v.set, (struct bmx_box){0, 0, INFINITY, 5}, &out, &err),
                     BMX_E_INVALID);
    assert_int_equal(bmx_polyset_cut_rect(&v.set, (struct bmx_box){NAN, 0, 1, 5}, &out, &err),
                     BMX_E_INVALID);
    assert_int_equal(bmx_polyset_clip_rect(&v.set, (struct bmx_box){0, 0, -1, 5}, &out, &err),
                     BMX_E_INVALID);
    assert_int_equal(
        bmx_polyset_clip_rect(&v.set, (struct bmx_box){1e308, 0, 1e308, 5}, &out, &err),
        BMX_E_INVALID);
    assert_int_equal(bmx_polyset_clip_rect(NULL, r, &out, NULL), BMX_E_INVALID);
    assert_int_equal(bmx_polyset_clip_rect(&v.set, r, NULL, NULL), BMX_E_INVALID);
    assert_int_equal(bmx_polyset_clip_rect(&nullset, r, &out, &err), BMX_E_INVALID);
    assert_int_equal(bmx_polyset_copy(&nullset, &out, &err), BMX_E_INVALID);
    assert_int_equal(out.count, 0);
}

static void test_many_vertices(void **state)
{
    /* A 200000-gon circle: one clip, one cut, areas add up. */
    const size_t n = 200000;
    double *xy = malloc(2 * n * sizeof *xy);
    struct bmx_box r = {-0.3, -2, 0.9, 4};
    struct bmx_polyset in_c, out_c;
    struct view v;
    double a;
    (void)state;

    assert_non_null(xy);
    for (size_t i = 0; i < n; i++) {
        double t = 6.283185307179586 * (double)i / (double)n;
        xy[2 * i] = cos(t);
        xy[2 * i + 1] = sin(t);
    }
    view_init(&v, xy, n);
    a = bmx_poly_area(&v.ring);
    clip_ok(xy, n, r, &in_c);
    cut_ok(xy, n, r, &out_c);
    assert_int_equal(in_c.count, 1);
    assert_int_equal(out_c.count, 2);
    assert_true(near_rel(bmx_polyset_area(&in_c) + bmx_polyset_area(&out_c), a, 1e-9, a));
    bmx_polyset_free(&in_c);
    bmx_polyset_free(&out_c);
    free(xy);
}

/* ------------------------------------------------------------------------- */
/* Property tests                                                             */
/* ------------------------------------------------------------------------- */

struct prng {
    uint64_t s;
};

static uint64_t prng_next(struct prng *g)
{
    uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double prng_unit(struct prng *g)
{
    return (double)(prng_next(g) >> 11) * 0x1.0p-53;
}

static size_t prng_below(struct prng *g, size_t n)
{
    return (size_t)(prng_next(g) % n);
}

enum shape { STAR, STAR_GRID, HISTOGRAM, WILD, STAR_FAR };

/* A random ring of the given kind; returns its vertex count (xy holds 2*cap). */
static size_t random_ring(struct prng *g, enum shape kind, double *xy, size_t cap)
{
    size_t n;
    if (kind == HISTOGRAM) {
        /* Bars of integer heights on a base: simple, rectilinear, many collinear runs. */
        size_t bars = 1 + prng_below(g, 12);
        double x0 = (double)prng_below(g, 40);
        double y0 = (double)prng_below(g, 40);
        n = 0;
        xy[n * 2] = x0;
        xy[n * 2 + 1] = y0;
        n++;
        xy[n * 2] = x0 + (double)bars * 5;
        xy[n * 2 + 1] = y0;
        n++;
        for (size_t b = bars; b > 0; b--) {
            double h = y0 + 1 + (double)prng_below(g, 40);
            xy[n * 2] = x0 + (double)b * 5;
            xy[n * 2 + 1] = h;
            n++;
            xy[n * 2] = x0 + (double)(b - 1) * 5;
            xy[n * 2 + 1] = h;
            n++;
        }
        return n;
    }
    n = 3 + prng_below(g, cap - 3);
    if (kind == WILD) {
        for (size_t i = 0; i < n; i++) {
            xy[2 * i] = 100 * prng_unit(g);
            xy[2 * i + 1] = 100 * prng_unit(g);
        }
        return n;
    }
    {
        /* Angles in order with gaps below pi: star-shaped around (cx, cy), so simple. */
        double cx = 20 + 60 * prng_unit(g), cy = 20 + 60 * prng_unit(g);
        double rmax = 5 + 45 * prng_unit(g);
        for (size_t i = 0; i < n; i++) {
            double ang = 6.283185307179586 * ((double)i + 0.5 * prng_unit(g)) / (double)n;
            double rad = rmax * (0.1 + 0.9 * prng_unit(g));
            xy[2 * i] = cx + rad * cos(ang);
            xy[2 * i + 1] = cy + rad * sin(ang);
            if (kind == STAR_GRID) {
                xy[2 * i] = round(xy[2 * i]);
                xy[2 * i + 1] = round(xy[2 * i + 1]);
            } else if (kind == STAR_FAR) {
                /* Small shapes far from the origin: few significant bits left. */
                xy[2 * i] = 1e6 + xy[2 * i] * 1e-3;
                xy[2 * i + 1] = 1e6 + xy[2 * i + 1] * 1e-3;
            }
        }
    }
    return n;
}

/* A random rectangle; often with sides through vertices of the ring or on a grid. */
static struct bmx_box random_rect(struct prng *g, const double *xy, size_t n, bool grid)
{
    double xs[2], ys[2];
    for (int k = 0; k < 2; k++) {
        size_t how = prng_below(g, 3);
        if (how == 0 || grid) {
            /* Anywhere around the ring (within 60 units, or 0.06 for far rings). */
            double reach = fabs(xy[0]) > 1e5 ? 0.06 : 60;
            if (grid) {
                xs[k] = (double)prng_below(g, 110) - 5;
                ys[k] = (double)prng_below(g, 110) - 5;
            } else {
                xs[k] = xy[0] + reach * (2 * prng_unit(g) - 1);
                ys[k] = xy[1] + reach * (2 * prng_unit(g) - 1);
            }
        } else {
            /* Through a vertex of the ring. */
            size_t v = prng_below(g, n);
            xs[k] = xy[2 * v];
            ys[k] = xy[2 * v + 1];
            if (how == 2) {
                ys[k] = xy[1 + 2 * prng_below(g, n)];
            }
        }
    }
    return (struct bmx_box){fmin(xs[0], xs[1]), fmin(ys[0], ys[1]), fabs(xs[1] - xs[0]),
                            fabs(ys[1] - ys[0])};
}

/* Print a failing case so that it can become a regression test. */
static void dump_case(const double *xy, size_t n, struct bmx_box r)
{
    print_error("ring %zu:", n);
    for (size_t i = 0; i < n; i++) {
        print_error(" %.17g, %.17g,", xy[2 * i], xy[2 * i + 1]);
    }
    print_error("\nrect {%.17g, %.17g, %.17g, %.17g}\n", r.x, r.y, r.w, r.h);
}

/* A ring of a simple input's pieces never passes through one point twice. */
static const char *touch_problem(const struct bmx_polyset *s)
{
    for (size_t i = 0; i < s->count; i++) {
        const struct bmx_poly *p = &s->rings[i];
        for (size_t k = 0; k < p->n; k++) {
            for (size_t l = k + 1; l < p->n; l++) {
                if (p->xy[2 * k] == p->xy[2 * l] && p->xy[2 * k + 1] == p->xy[2 * l + 1]) {
                    return "ring passes through a vertex twice";
                }
            }
        }
    }
    return NULL;
}

static void check_random(enum shape kind, uint64_t seed, int rounds)
{
    struct prng g = {seed};
    double xy[2 * 64];
    for (int it = 0; it < rounds; it++) {
        size_t n = random_ring(&g, kind, xy, 40);
        bool grid = kind == STAR_GRID || kind == HISTOGRAM;
        bool simple = kind == STAR || kind == HISTOGRAM || kind == STAR_FAR;
        struct bmx_box r = random_rect(&g, xy, n, grid);
        struct bmx_polyset in_c, out_c;
        struct view v;
        struct bmx_box bb;
        double a_signed, scale;
        const char *why;

        view_init(&v, xy, n);
        a_signed = ring_signed_area_at(&v.ring, xy[0], xy[1]);
        assert_true(bmx_polyset_bbox(&v.set, &bb));
        scale = fmax(fabs(a_signed), bb.w * bb.h);
        assert_int_equal(bmx_polyset_clip_rect(&v.set, r, &in_c, NULL), BMX_OK);
        assert_int_equal(bmx_polyset_cut_rect(&v.set, r, &out_c, NULL), BMX_OK);
        why = output_problem(&in_c, r, true);
        if (why == NULL) {
            why = output_problem(&out_c, r, false);
        }
        if (why == NULL && simple) {
            why = touch_problem(&in_c);
            if (why == NULL) {
                why = touch_problem(&out_c);
            }
        }
        if (why != NULL) {
            dump_case(xy, n, r);
            fail_msg("kind %d round %d: %s", (int)kind, it, why);
        }
        if (!near_rel(set_signed_area_at(&in_c, xy[0], xy[1]) +
                          set_signed_area_at(&out_c, xy[0], xy[1]),
                      a_signed, 1e-6, scale)) {
            dump_case(xy, n, r);
            fail_msg("kind %d round %d: signed areas do not add up to %.17g", (int)kind, it,
                     a_signed);
        }
        if (!near_rel(fabs(a_signed), bmx_poly_area(&v.ring), 1e-9, scale)) {
            dump_case(xy, n, r);
            fail_msg("kind %d round %d: area %.17g, expected %.17g", (int)kind, it,
                     bmx_poly_area(&v.ring), fabs(a_signed));
        }
        if (simple) {
            double a = bmx_poly_area(&v.ring);
            if (!near_rel(bmx_polyset_area(&in_c) + bmx_polyset_area(&out_c), a, 1e-6, a)) {
                dump_case(xy, n, r);
                fail_msg("kind %d round %d: area %.17g + %.17g != %.17g", (int)kind, it,
                         bmx_polyset_area(&in_c), bmx_polyset_area(&out_c), a);
            }
        }
        /* Same winding everywhere: the pieces are the input split along the rectangle. */
        for (int s = 0; s < 24; s++) {
            double px = bb.x - 1 + (bb.w + 2) * prng_unit(&g);
            double py = bb.y - 1 + (bb.h + 2) * prng_unit(&g);
            int w = set_winding(&v.set, px, py);
            bool inside = px > r.x && px < r.x + r.w && py > r.y && py < r.y + r.h;
            if (set_winding(&in_c, px, py) != (inside ? w : 0) ||
                set_winding(&out_c, px, py) != (inside ? 0 : w)) {
                dump_case(xy, n, r);
                fail_msg("kind %d round %d: winding at (%g, %g) differs", (int)kind, it, px, py);
            }
            if (simple) {
                /* Pieces of a simple ring do not overlap. */
                int sum = 0;
                for (size_t i = 0; i < in_c.count; i++) {
                    sum += abs(ring_winding(&in_c.rings[i], px, py));
                }
                for (size_t i = 0; i < out_c.count; i++) {
                    sum += abs(ring_winding(&out_c.rings[i], px, py));
                }
                assert_int_equal(sum, abs(w));
            }
        }
        bmx_polyset_free(&in_c);
        bmx_polyset_free(&out_c);
    }
}

static void test_random_star(void **state)
{
    (void)state;
    check_random(STAR, 1, 2000);
}

static void test_random_star_grid(void **state)
{
    (void)state;
    check_random(STAR_GRID, 2, 2000);
}

static void test_random_histogram(void **state)
{
    (void)state;
    check_random(HISTOGRAM, 3, 2000);
}

static void test_random_star_far(void **state)
{
    (void)state;
    check_random(STAR_FAR, 5, 2000);
}

static void test_random_self_intersecting(void **state)
{
    (void)state;
    check_random(WILD, 4, 1000);
}

/* ------------------------------------------------------------------------- */
/* Differential tests: the fast paths against the reference clipper          */
/* ------------------------------------------------------------------------- */

/* Same rings, same order, same bits. */
static bool same_sets(const struct bmx_polyset *a, const struct bmx_polyset *b)
{
    if (a->count != b->count) {
        return false;
    }
    for (size_t i = 0; i < a->count; i++) {
        if (a->rings[i].n != b->rings[i].n ||
            memcmp(a->rings[i].xy, b->rings[i].xy, 2 * a->rings[i].n * sizeof(double)) != 0) {
            return false;
        }
    }
    return true;
}

static void dump_set(const struct bmx_polyset *set, struct bmx_box r)
{
    for (size_t i = 0; i < set->count; i++) {
        dump_case(set->rings[i].xy, set->rings[i].n, r);
    }
}

/*
 * Clip and cut `set` by r with the public functions, the internal one cutmix.c
 * uses, and the reference: the same rings bit for bit, the same area bits, and a
 * hit exactly when the reference's opposite operation gives a ring. Returns how
 * many rings the reference gave, for coverage counts.
 */
static size_t diff_one(const struct bmx_polyset *set, struct bmx_box r, int kind, int round)
{
    struct bmx_polyset ref[2]; /* cut, clip */
    size_t rings;
    assert_int_equal(bmx__polyset_cut_rect_ref(set, r, &ref[0], NULL), BMX_OK);
    assert_int_equal(bmx__polyset_clip_rect_ref(set, r, &ref[1], NULL), BMX_OK);
    for (int inside = 0; inside < 2; inside++) {
        const struct bmx_polyset *want = &ref[inside];
        struct bmx_polyset fast, by, split;
        double area = -1.0, split_area = -1.0, ref_area = bmx_polyset_area(want);
        bool hit = false;
        bool want_hit = ref[!inside].count > 0;
        struct bmx_polyset none = {0, NULL};
        assert_int_equal(inside ? bmx_polyset_clip_rect(set, r, &fast, NULL)
                                : bmx_polyset_cut_rect(set, r, &fast, NULL),
                         BMX_OK);
        assert_int_equal(bmx__polyset_by_rect(set, r, inside, NULL, &by, &area, NULL), BMX_OK);
        assert_int_equal(bmx__polyset_by_rect(set, r, inside, &hit, &split, &split_area, NULL),
                         BMX_OK);
        if (!same_sets(&fast, want) || !same_sets(&by, want) ||
            memcmp(&area, &ref_area, sizeof area) != 0 || hit != want_hit ||
            !same_sets(&split, hit ? want : &none) ||
            (hit && memcmp(&split_area, &ref_area, sizeof area) != 0)) {
            dump_set(set, r);
            print_error("reference:\n");
            dump_set(want, r);
            print_error("fast:\n");
            dump_set(&fast, r);
            fail_msg("kind %d round %d %s: fast path differs from the reference (%zu vs %zu "
                     "rings, area %.17g vs %.17g, hit %d vs %d)",
                     kind, round, inside ? "clip" : "cut", fast.count, want->count, area, ref_area,
                     (int)hit, (int)want_hit);
        }
        bmx_polyset_free(&fast);
        bmx_polyset_free(&by);
        bmx_polyset_free(&split);
    }
    rings = ref[0].count + ref[1].count;
    bmx_polyset_free(&ref[0]);
    bmx_polyset_free(&ref[1]);
    return rings;
}

enum diff_kind {
    D_STAR,      /* simple, random reals */
    D_STAR_GRID, /* simple, integer vertices */
    D_HISTOGRAM, /* simple, rectilinear, collinear runs */
    D_WILD,      /* self-intersecting point cloud */
    D_WILD_GRID, /* self-intersecting on a 12 x 12 grid: repeated vertices, bridges */
    D_COCO,      /* simple, to 2 decimals like COCO files */
    D_REPEATS,   /* a star with vertices repeated, consecutively or not */
    D_SLIVER,    /* thin triangles around the degeneracy cut-off */
    D_ZEROS,     /* on the axes with signed zeros, rectangles at 0 */
    D_KINDS
};

/* A ring of the kind; coordinates then moved far away or scaled now and then. */
static size_t diff_ring(struct prng *g, enum diff_kind kind, double *xy, size_t cap)
{
    size_t n = 0;
    switch (kind) {
    case D_STAR:
        n = random_ring(g, STAR, xy, cap);
        break;
    case D_STAR_GRID:
        n = random_ring(g, STAR_GRID, xy, cap);
        break;
    case D_HISTOGRAM:
        n = random_ring(g, HISTOGRAM, xy, cap);
        break;
    case D_WILD:
        n = random_ring(g, WILD, xy, cap);
        break;
    case D_WILD_GRID:
        n = 3 + prng_below(g, cap / 2);
        for (size_t i = 0; i < n; i++) {
            xy[2 * i] = (double)prng_below(g, 13);
            xy[2 * i + 1] = (double)prng_below(g, 13);
        }
        break;
    case D_COCO:
        n = random_ring(g, STAR, xy, cap);
        for (size_t i = 0; i < 2 * n; i++) {
            xy[i] = round(xy[i] * 100) / 100;
        }
        break;
    case D_REPEATS: {
        size_t m = random_ring(g, prng_below(g, 2) ? STAR_GRID : STAR, xy, cap / 2);
        double tmp[2 * 64];
        n = 0;
        for (size_t i = 0; i < m && n + 2 <= cap; i++) {
            tmp[2 * n] = xy[2 * i];
            tmp[2 * n + 1] = xy[2 * i + 1];
            n++;
            if (prng_below(g, 4) == 0) {
                /* Again: right away, or a vertex seen before. */
                size_t k = prng_below(g, 2) ? i : prng_below(g, i + 1);
                tmp[2 * n] = xy[2 * k];
                tmp[2 * n + 1] = xy[2 * k + 1];
                n++;
            }
        }
        memcpy(xy, tmp, 2 * n * sizeof *xy);
        break;
    }
    case D_SLIVER: {
        /* Height chosen so that area / (len * max(len, mag)) is near 1e-14. */
        double len = 1 + 99 * prng_unit(g);
        double ox = prng_below(g, 2) ? 0.0 : 1e3 * prng_unit(g);
        double oy = 50 * prng_unit(g);
        double mag = fmax(len + ox, fabs(oy) + 1);
        double ratio = 1e-14 * pow(10.0, 2.0 * prng_unit(g) - 1.0);
        double hgt = 2 * ratio * len * fmax(len, mag) / len;
        xy[0] = ox;
        xy[1] = oy;
        xy[2] = ox + len;
        xy[3] = oy;
        xy[4] = ox + len * prng_unit(g);
        xy[5] = oy + (prng_below(g, 2) ? hgt : -hgt);
        n = 3;
        if (prng_below(g, 2)) {
            /* A thin quadrilateral: two slivers back to back. */
            xy[6] = ox + len * prng_unit(g);
            xy[7] = oy - (xy[5] - oy) * prng_unit(g);
            n = 4;
            {
                double t0 = xy[4], t1 = xy[5];
                xy[4] = xy[6];
                xy[5] = xy[7];
                xy[6] = t0;
                xy[7] = t1;
            }
        }
        break;
    }
    case D_ZEROS:
        n = 3 + prng_below(g, 8);
        for (size_t i = 0; i < 2 * n; i++) {
            size_t how = prng_below(g, 4);
            xy[i] = how == 0 ? 0.0 : how == 1 ? -0.0 : (double)prng_below(g, 9) - 4;
        }
        break;
    default:
        break;
    }
    if (kind != D_SLIVER && kind != D_ZEROS) {
        size_t how = prng_below(g, 10);
        double off = how == 0 ? 1e6 : how == 1 ? 1e9 : 0.0;
        double scale = how == 2 ? 1e-200 : how == 3 ? 1e200 : how == 4 ? 1e-9 : 1.0;
        for (size_t i = 0; i < 2 * n; i++) {
            xy[i] = xy[i] * scale + off;
        }
    }
    return n;
}

/* A rectangle: random, through vertices, the extent itself, touching it, empty. */
static struct bmx_box diff_rect(struct prng *g, enum diff_kind kind, const double *xy, size_t n)
{
    struct bmx_poly p = {n, (double *)xy};
    struct bmx_polyset s = {1, &p};
    struct bmx_box bb, r;
    size_t how = prng_below(g, 8);
    bmx_polyset_bbox(&s, &bb);
    if (kind == D_ZEROS && how < 2) {
        return (struct bmx_box){prng_below(g, 2) ? 0.0 : -2.0, 0.0, 2.0 + prng_below(g, 3),
                                1.0 + prng_below(g, 3)};
    }
    switch (how) {
    case 0:
        return bb; /* the extent: everything inside, sides through vertices */
    case 1: {
        /* Touching the extent from outside, on one side. */
        double w = bb.w + 1, h = bb.h + 1;
        switch (prng_below(g, 4)) {
        case 0:
            return (struct bmx_box){bb.x - w, bb.y, w, bb.h};
        case 1:
            return (struct bmx_box){bb.x + bb.w, bb.y, w, bb.h};
        case 2:
            return (struct bmx_box){bb.x, bb.y - h, bb.w, h};
        default:
            return (struct bmx_box){bb.x, bb.y + bb.h, bb.w, h};
        }
    }
    case 2:
        /* Around the extent with room, or an empty rectangle in it. */
        if (prng_below(g, 2)) {
            return (struct bmx_box){bb.x - bb.w, bb.y - bb.h, 3 * bb.w, 3 * bb.h};
        }
        return (struct bmx_box){bb.x + bb.w * prng_unit(g), bb.y, 0.0, bb.h};
    case 3: {
        /* A random part of the extent. */
        double x0 = bb.x + bb.w * prng_unit(g), x1 = bb.x + bb.w * prng_unit(g);
        double y0 = bb.y + bb.h * prng_unit(g), y1 = bb.y + bb.h * prng_unit(g);
        return (struct bmx_box){fmin(x0, x1), fmin(y0, y1), fabs(x1 - x0), fabs(y1 - y0)};
    }
    default:
        break;
    }
    r = random_rect(g, xy, n, kind == D_STAR_GRID || kind == D_WILD_GRID || kind == D_HISTOGRAM);
    if (fabs(xy[0]) > 1e100 || (fabs(xy[0]) < 1e-100 && xy[0] != 0.0)) {
        /* random_rect reaches 60 units around: rescale to the ring. */
        r = (struct bmx_box){bb.x + bb.w * prng_unit(g), bb.y + bb.h * prng_unit(g), bb.w / 2,
                             bb.h / 2};
    }
    return r;
}

static void check_differential(enum diff_kind kind, uint64_t seed, int rounds)
{
    struct prng g = {seed};
    double xy[3][2 * 64];
    struct bmx_poly rings[3];
    size_t produced = 0;
    for (int it = 0; it < rounds; it++) {
        struct bmx_polyset set = {1 + (prng_below(&g, 4) == 0 ? prng_below(&g, 3) : 0), rings};
        struct bmx_box r;
        for (size_t k = 0; k < set.count; k++) {
            rings[k].n = diff_ring(&g, kind, xy[k], 40);
            rings[k].xy = xy[k];
        }
        r = diff_rect(&g, kind, xy[0], rings[0].n);
        produced += diff_one(&set, r, (int)kind, it);
    }
    /* The inputs are not all thrown away. */
    assert_true(produced > (size_t)rounds / 4);
}

static void test_diff_simple(void **state)
{
    (void)state;
    check_differential(D_STAR, 11, 1500);
    check_differential(D_STAR_GRID, 12, 1500);
    check_differential(D_HISTOGRAM, 13, 1500);
    check_differential(D_COCO, 14, 1500);
}

static void test_diff_self_intersecting(void **state)
{
    (void)state;
    check_differential(D_WILD, 15, 1500);
    check_differential(D_WILD_GRID, 16, 1500);
}

static void test_diff_special(void **state)
{
    (void)state;
    check_differential(D_REPEATS, 17, 1500);
    check_differential(D_SLIVER, 18, 1500);
    check_differential(D_ZEROS, 19, 1500);
}

/*
 * Rings too long for the clipper's local scratch, and many vertices on one side:
 * a comb of 750 teeth (one ring: up, across, down, across, ..., then back along a
 * base), and point clouds.
 */
static void test_diff_many_vertices(void **state)
{
    struct prng g = {20};
    const size_t teeth = 750;
    size_t n = 2 * teeth + 2;
    double *xy = malloc(2 * n * sizeof *xy);
    struct bmx_poly p;
    struct bmx_polyset set = {1, &p};
    size_t rings = 0;
    (void)state;
    assert_non_null(xy);
    for (int it = 0; it < 4; it++) {
        if (it % 2 == 0) {
            for (size_t t = 0; t < teeth; t++) {
                double x = 2.0 * (double)t;
                bool up = t % 2 == 0;
                xy[4 * t] = x;
                xy[4 * t + 1] = up ? 0.0 : 100.0;
                xy[4 * t + 2] = x;
                xy[4 * t + 3] = up ? 100.0 : 0.0;
            }
            xy[4 * teeth] = 2.0 * (double)teeth;
            xy[4 * teeth + 1] = -10.0;
            xy[4 * teeth + 2] = 0.0;
            xy[4 * teeth + 3] = -10.0;
        } else {
            for (size_t i = 0; i < n; i++) {
                xy[2 * i] = (double)prng_below(&g, 50);
                xy[2 * i + 1] = (double)prng_below(&g, 50);
            }
        }
        p.n = n;
        p.xy = xy;
        rings += diff_one(&set, (struct bmx_box){10.5, 20, 1000, 50}, 100, it);
        rings += diff_one(&set, (struct bmx_box){0, 0, 25, 25}, 100, it);
        rings += diff_one(&set, (struct bmx_box){-1, -1, 3000, 101}, 100, it);
    }
    assert_true(rings > 100);
    free(xy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_area),
        cmocka_unit_test(test_bbox),
        cmocka_unit_test(test_copy_scale_free),
        cmocka_unit_test(test_square_half),
        cmocka_unit_test(test_square_hole_cut),
        cmocka_unit_test(test_ushape_two_pieces),
        cmocka_unit_test(test_ushape_cut_bridge),
        cmocka_unit_test(test_comb_three_pieces),
        cmocka_unit_test(test_lshape),
        cmocka_unit_test(test_triangle_inside_outside),
        cmocka_unit_test(test_vertices_on_edges),
        cmocka_unit_test(test_self_touching),
        cmocka_unit_test(test_spikes_and_duplicates),
        cmocka_unit_test(test_degenerate_inputs),
        cmocka_unit_test(test_empty_rect),
        cmocka_unit_test(test_clockwise_kept),
        cmocka_unit_test(test_multiple_rings),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_many_vertices),
        cmocka_unit_test(test_far_from_origin),
        cmocka_unit_test(test_random_star),
        cmocka_unit_test(test_random_star_grid),
        cmocka_unit_test(test_random_histogram),
        cmocka_unit_test(test_random_star_far),
        cmocka_unit_test(test_random_self_intersecting),
        cmocka_unit_test(test_diff_simple),
        cmocka_unit_test(test_diff_self_intersecting),
        cmocka_unit_test(test_diff_special),
        cmocka_unit_test(test_diff_many_vertices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
