/* SPDX-License-Identifier: MIT */
/* Tests of RLE masks traced to COCO polygons (lib/geometry/contour.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "boxmix.h"
#include "error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------- */
/* Helpers                                                                    */
/* ------------------------------------------------------------------------- */

/* A mask drawn as rows of text ('X' set), turned into a COCO RLE. */
static struct bmx_rle rle_rows(const char *const *rows, uint32_t h)
{
    uint32_t w = h > 0 ? (uint32_t)strlen(rows[0]) : 0;
    size_t n = (size_t)h * w;
    uint8_t *m = calloc(n == 0 ? 1 : n, 1);
    assert_non_null(m);
    for (uint32_t y = 0; y < h; y++) {
        assert_int_equal(strlen(rows[y]), w);
        for (uint32_t x = 0; x < w; x++) {
            m[(size_t)x * h + y] = rows[y][x] == 'X';
        }
    }
    struct bmx_rle rle = {0, 0, 0, NULL};
    bmx_error err = {BMX_OK, ""};
    if (bmx_rle_encode(m, h, w, &rle, &err) != BMX_OK) {
        fail_msg("encode: %s", err.message);
    }
    free(m);
    return rle;
}

static struct bmx_polyset trace_ok(const struct bmx_rle *rle, size_t *holes)
{
    struct bmx_polyset set = {0, NULL};
    bmx_error err = {BMX_OK, ""};
    if (bmx_rle_to_polyset(rle, &set, holes, &err) != BMX_OK) {
        fail_msg("bmx_rle_to_polyset: %s", err.message);
    }
    return set;
}

/* The ring has exactly these n vertices (x, y pairs), in this order. */
static void assert_ring(const struct bmx_poly *ring, const double *xy, size_t n)
{
    if (ring->n != n) {
        fail_msg("ring has %zu vertices, expected %zu", ring->n, n);
    }
    for (size_t i = 0; i < 2 * n; i++) {
        if (ring->xy[i] != xy[i]) {
            fail_msg("vertex %zu: got (%g, %g), expected (%g, %g)", i / 2,
                     ring->xy[i & ~(size_t)1], ring->xy[i | 1], xy[i & ~(size_t)1], xy[i | 1]);
        }
    }
}

/* Signed shoelace area in image coordinates (positive: clockwise on screen). */
static double signed_area(const struct bmx_poly *ring)
{
    double s = 0.0;
    for (size_t i = 0; i < ring->n; i++) {
        size_t j = (i + 1) % ring->n;
        s += ring->xy[2 * i] * ring->xy[2 * j + 1] - ring->xy[2 * j] * ring->xy[2 * i + 1];
    }
    return s / 2.0;
}

/* Even-odd test of a point that never lies on an edge (pixel centres vs integer
 * vertices). */
static bool inside(const struct bmx_poly *ring, double px, double py)
{
    bool in = false;
    for (size_t i = 0, j = ring->n - 1; i < ring->n; j = i++) {
        double xi = ring->xy[2 * i], yi = ring->xy[2 * i + 1];
        double xj = ring->xy[2 * j], yj = ring->xy[2 * j + 1];
        if ((yi > py) != (yj > py)) {
            double xc = xj + (py - yj) * (xi - xj) / (yi - yj);
            if (px < xc) {
                in = !in;
            }
        }
    }
    return in;
}

/* ------------------------------------------------------------------------- */
/* Hand cases                                                                 */
/* ------------------------------------------------------------------------- */

static void test_single_pixel(void **state)
{
    (void)state;
    const char *rows[] = {"....", ".X..", "...."};
    struct bmx_rle rle = rle_rows(rows, 3);
    size_t holes = 99;
    struct bmx_polyset set = trace_ok(&rle, &holes);
    assert_int_equal(set.count, 1);
    const double sq[] = {1, 1, 2, 1, 2, 2, 1, 2};
    assert_ring(&set.rings[0], sq, 4);
    assert_float_equal(bmx_polyset_area(&set), 1.0, 0);
    assert_float_equal(signed_area(&set.rings[0]), 1.0, 0);
    assert_int_equal(holes, 0);
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);
}

static void test_block(void **state)
{
    (void)state;
    /* 2 wide, 3 high at (1, 1): a run covers the block's first column only */
    const char *rows[] = {"....", ".XX.", ".XX.", ".XX.", "...."};
    struct bmx_rle rle = rle_rows(rows, 5);
    struct bmx_polyset set = trace_ok(&rle, NULL);
    assert_int_equal(set.count, 1);
    const double ring[] = {1, 1, 3, 1, 3, 4, 1, 4};
    assert_ring(&set.rings[0], ring, 4);
    assert_float_equal(bmx_polyset_area(&set), 6.0, 0);
    struct bmx_box pb, rb;
    assert_true(bmx_polyset_bbox(&set, &pb));
    bmx_rle_bbox(&rle, &rb);
    assert_memory_equal(&pb, &rb, sizeof pb);
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);
}

static void test_l_shape(void **state)
{
    (void)state;
    const char *rows[] = {"X..", "X..", "XXX"};
    struct bmx_rle rle = rle_rows(rows, 3);
    size_t holes = 1;
    struct bmx_polyset set = trace_ok(&rle, &holes);
    assert_int_equal(set.count, 1);
    /* clockwise on screen from the top-left corner, no collinear vertex */
    const double ring[] = {0, 0, 1, 0, 1, 2, 3, 2, 3, 3, 0, 3};
    assert_ring(&set.rings[0], ring, 6);
    assert_float_equal(bmx_polyset_area(&set), 5.0, 0);
    assert_int_equal(holes, 0);
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);
}

static void test_diagonal_pixels(void **state)
{
    (void)state;
    /* touching at a corner only: two components, two rings */
    const char *rows[] = {"X.", ".X"};
    struct bmx_rle rle = rle_rows(rows, 2);
    size_t holes = 1;
    struct bmx_polyset set = trace_ok(&rle, &holes);
    assert_int_equal(set.count, 2);
    const double a[] = {0, 0, 1, 0, 1, 1, 0, 1};
    const double b[] = {1, 1, 2, 1, 2, 2, 1, 2};
    assert_ring(&set.rings[0], a, 4);
    assert_ring(&set.rings[1], b, 4);
    assert_int_equal(holes, 0);
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);

    /* the other diagonal: rings follow column-major order, so the lower-left pixel
     * (column 0) comes before the upper-right one */
    const char *rows2[] = {".X", "X."};
    rle = rle_rows(rows2, 2);
    set = trace_ok(&rle, NULL);
    assert_int_equal(set.count, 2);
    const double c[] = {0, 1, 1, 1, 1, 2, 0, 2};
    const double d[] = {1, 0, 2, 0, 2, 1, 1, 1};
    assert_ring(&set.rings[0], c, 4);
    assert_ring(&set.rings[1], d, 4);
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);
}

static void test_hole_filled(void **state)
{
    (void)state;
    const char *rows[] = {".....", ".XXX.", ".X.X.", ".XXX.", "....."};
    struct bmx_rle rle = rle_rows(rows, 5);
    size_t holes = 0;
    struct bmx_polyset set = trace_ok(&rle, &holes);
    assert_int_equal(set.count, 1);
    const double ring[] = {1, 1, 4, 1, 4, 4, 1, 4};
    assert_ring(&set.rings[0], ring, 4);
    assert_int_equal(holes, 1);
    assert_int_equal(bmx_rle_area(&rle), 8);
    assert_float_equal(bmx_polyset_area(&set), 9.0, 0); /* the outer area */
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);

    /* a component inside another's hole: its own ring; still one hole */
    const char *nest[] = {"XXXXX", "X...X", "X.X.X", "X...X", "XXXXX"};
    rle = rle_rows(nest, 5);
    set = trace_ok(&rle, &holes);
    assert_int_equal(set.count, 2);
    const double outer[] = {0, 0, 5, 0, 5, 5, 0, 5};
    const double inner[] = {2, 2, 3, 2, 3, 3, 2, 3};
    assert_ring(&set.rings[0], outer, 4);
    assert_ring(&set.rings[1], inner, 4);
    assert_int_equal(holes, 1);
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);

    /* two holes in one component */
    const char *two[] = {"XXXXX", "X.X.X", "XXXXX"};
    rle = rle_rows(two, 3);
    set = trace_ok(&rle, &holes);
    assert_int_equal(set.count, 1);
    assert_int_equal(holes, 2);
    assert_float_equal(bmx_polyset_area(&set), 15.0, 0);
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);
}

static void test_diagonal_gap_is_no_hole(void **state)
{
    (void)state;
    /* the gap at the top right lets the background out diagonally (4-connected
     * pixels, 8-connected background): no hole, and the ring touches itself at
     * (3, 1) */
    const char *rows[] = {"XXX.", "X..X", "XXXX"};
    struct bmx_rle rle = rle_rows(rows, 3);
    size_t holes = 9;
    struct bmx_polyset set = trace_ok(&rle, &holes);
    assert_int_equal(set.count, 1);
    const double ring[] = {0, 0, 3, 0, 3, 1, 1, 1, 1, 2, 3, 2, 3, 1, 4, 1, 4, 3, 0, 3};
    assert_ring(&set.rings[0], ring, 10);
    assert_int_equal(holes, 0);
    assert_float_equal(bmx_polyset_area(&set), 9.0, 0);
    assert_false(inside(&set.rings[0], 1.5, 1.5));
    assert_false(inside(&set.rings[0], 2.5, 1.5));
    assert_false(inside(&set.rings[0], 3.5, 0.5));
    assert_true(inside(&set.rings[0], 3.5, 1.5));
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);
}

static void test_borders(void **state)
{
    (void)state;
    /* one pixel on each border of the image, and the far corner */
    const char *rows[] = {"..X..", "X....", "....X", "..X.X"};
    struct bmx_rle rle = rle_rows(rows, 4);
    struct bmx_polyset set = trace_ok(&rle, NULL);
    assert_int_equal(set.count, 4);
    const double a[] = {0, 1, 1, 1, 1, 2, 0, 2};
    const double b[] = {2, 0, 3, 0, 3, 1, 2, 1};
    const double c[] = {2, 3, 3, 3, 3, 4, 2, 4};
    const double d[] = {4, 2, 5, 2, 5, 4, 4, 4};
    assert_ring(&set.rings[0], a, 4);
    assert_ring(&set.rings[1], b, 4);
    assert_ring(&set.rings[2], c, 4);
    assert_ring(&set.rings[3], d, 4);
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);

    /* every border pixel set: one ring on the image's outline, one hole */
    const char *frame[] = {"XXXXX", "X...X", "X...X", "XXXXX"};
    rle = rle_rows(frame, 4);
    size_t holes = 0;
    set = trace_ok(&rle, &holes);
    assert_int_equal(set.count, 1);
    const double out[] = {0, 0, 5, 0, 5, 4, 0, 4};
    assert_ring(&set.rings[0], out, 4);
    assert_int_equal(holes, 1);
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);
}

static void test_thin_images(void **state)
{
    (void)state;
    /* one pixel wide */
    const char *col[] = {"X", "X", ".", "X", ".", "X"};
    struct bmx_rle rle = rle_rows(col, 6);
    struct bmx_polyset set = trace_ok(&rle, NULL);
    assert_int_equal(set.count, 3);
    const double a[] = {0, 0, 1, 0, 1, 2, 0, 2};
    const double b[] = {0, 3, 1, 3, 1, 4, 0, 4};
    const double c[] = {0, 5, 1, 5, 1, 6, 0, 6};
    assert_ring(&set.rings[0], a, 4);
    assert_ring(&set.rings[1], b, 4);
    assert_ring(&set.rings[2], c, 4);
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);

    /* one pixel high: every run spans several columns */
    const char *row[] = {"XXX.XX"};
    rle = rle_rows(row, 1);
    assert_int_equal(rle.m, 4);
    set = trace_ok(&rle, NULL);
    assert_int_equal(set.count, 2);
    const double d[] = {0, 0, 3, 0, 3, 1, 0, 1};
    const double e[] = {4, 0, 6, 0, 6, 1, 4, 1};
    assert_ring(&set.rings[0], d, 4);
    assert_ring(&set.rings[1], e, 4);
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);
}

static void test_full_and_empty(void **state)
{
    (void)state;
    const char *full[] = {"XXXX", "XXXX", "XXXX"};
    struct bmx_rle rle = rle_rows(full, 3);
    size_t holes = 7;
    struct bmx_polyset set = trace_ok(&rle, &holes);
    assert_int_equal(set.count, 1);
    const double ring[] = {0, 0, 4, 0, 4, 3, 0, 3};
    assert_ring(&set.rings[0], ring, 4);
    assert_float_equal(bmx_polyset_area(&set), 12.0, 0);
    assert_int_equal(holes, 0);
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);

    const char *empty[] = {"....", "...."};
    rle = rle_rows(empty, 2);
    holes = 7;
    set = trace_ok(&rle, &holes);
    assert_int_equal(set.count, 0);
    assert_null(set.rings);
    assert_int_equal(holes, 0);
    bmx_rle_free(&rle);

    /* a 0x0 mask */
    struct bmx_rle none = {0, 0, 0, NULL};
    set = trace_ok(&none, &holes);
    assert_int_equal(set.count, 0);
}

static void test_checkerboard(void **state)
{
    (void)state;
    /* every pixel its own component; the background is one 8-connected region */
    const char *rows[] = {"X.X.X.", ".X.X.X", "X.X.X.", ".X.X.X", "X.X.X."};
    struct bmx_rle rle = rle_rows(rows, 5);
    size_t holes = 9;
    struct bmx_polyset set = trace_ok(&rle, &holes);
    assert_int_equal(set.count, 15);
    assert_int_equal(holes, 0);
    assert_float_equal(bmx_polyset_area(&set), 15.0, 0);
    /* column-major: (0,0) (0,2) (0,4) (1,1) (1,3) ... */
    assert_float_equal(set.rings[1].xy[1], 2.0, 0);
    assert_float_equal(set.rings[3].xy[0], 1.0, 0);
    assert_float_equal(set.rings[3].xy[1], 1.0, 0);
    bmx_polyset_free(&set);
    bmx_rle_free(&rle);
}

static void test_errors(void **state)
{
    (void)state;
    bmx_error err = {BMX_OK, ""};
    struct bmx_polyset set = {3, (struct bmx_poly *)&err}; /* garbage to be zeroed */
    size_t holes = 5;
    assert_int_equal(bmx_rle_to_polyset(NULL, &set, &holes, &err), BMX_E_INVALID);
    assert_int_equal(set.count, 0);
    assert_null(set.rings);
    assert_int_equal(holes, 0);
    const char *rows[] = {"X.", ".X"};
    struct bmx_rle rle = rle_rows(rows, 2);
    assert_int_equal(bmx_rle_to_polyset(&rle, NULL, NULL, &err), BMX_E_INVALID);
    /* runs that do not add up to h*w */
    rle.counts[0] += 1;
    assert_int_equal(bmx_rle_to_polyset(&rle, &set, NULL, &err), BMX_E_SCHEMA);
    assert_int_equal(set.count, 0);
    assert_non_null(strstr(err.message, "add up"));
    bmx_rle_free(&rle);
}

/* ------------------------------------------------------------------------- */
/* Property test on random blobs                                              */
/* ------------------------------------------------------------------------- */

struct prng {
    uint64_t s;
};

static uint64_t prng_next(struct prng *p)
{
    uint64_t z = (p->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int32_t prng_below(struct prng *p, int32_t n)
{
    return (int32_t)(prng_next(p) % (uint64_t)n);
}

/* Row-major scratch masks of the test (x + y * w); the library sees column-major. */
struct img {
    int32_t w, h;
    uint8_t *m;
};

static void put(struct img *im, int32_t x, int32_t y, uint8_t v)
{
    if (x >= 0 && y >= 0 && x < im->w && y < im->h) {
        im->m[(size_t)y * (size_t)im->w + (size_t)x] = v;
    }
}

static uint8_t get(const struct img *im, int32_t x, int32_t y)
{
    if (x < 0 || y < 0 || x >= im->w || y >= im->h) {
        return 0;
    }
    return im->m[(size_t)y * (size_t)im->w + (size_t)x];
}

/* Random blobs: rectangles, frames (holes), discs, random walks, erasures, noise. */
static void random_blobs(struct prng *p, struct img *im)
{
    memset(im->m, 0, (size_t)im->w * (size_t)im->h);
    int ops = 1 + prng_below(p, 5);
    for (int k = 0; k < ops; k++) {
        int kind = prng_below(p, 8);
        int32_t x0 = prng_below(p, im->w), y0 = prng_below(p, im->h);
        int32_t rw = 1 + prng_below(p, im->w), rh = 1 + prng_below(p, im->h);
        if (kind == 0 || kind == 5) {
            /* filled rectangle, or an erased one (kind 5) */
            for (int32_t y = y0; y < y0 + rh; y++) {
                for (int32_t x = x0; x < x0 + rw; x++) {
                    put(im, x, y, kind == 0);
                }
            }
        } else if (kind == 1 || kind == 7) {
            int32_t t = 1 + prng_below(p, 2); /* frame thickness, room for a hole */
            rw = rw < 2 * t + 1 ? 2 * t + 1 : rw;
            rh = rh < 2 * t + 1 ? 2 * t + 1 : rh;
            for (int32_t y = y0; y < y0 + rh; y++) {
                for (int32_t x = x0; x < x0 + rw; x++) {
                    bool edge = x < x0 + t || y < y0 + t || x >= x0 + rw - t || y >= y0 + rh - t;
                    if (edge) {
                        put(im, x, y, 1);
                    }
                }
            }
        } else if (kind == 2) {
            int32_t r = 1 + prng_below(p, 5);
            for (int32_t y = y0 - r; y <= y0 + r; y++) {
                for (int32_t x = x0 - r; x <= x0 + r; x++) {
                    if ((x - x0) * (x - x0) + (y - y0) * (y - y0) <= r * r) {
                        put(im, x, y, 1);
                    }
                }
            }
        } else if (kind == 3 || kind == 4) {
            /* a random walk, 8-directional for kind 4 (diagonal contacts) */
            int steps = 5 + prng_below(p, 60);
            int32_t x = x0, y = y0;
            for (int s = 0; s < steps; s++) {
                put(im, x, y, 1);
                int dir = prng_below(p, kind == 3 ? 4 : 8);
                static const int wx[8] = {1, -1, 0, 0, 1, 1, -1, -1};
                static const int wy[8] = {0, 0, 1, -1, 1, -1, 1, -1};
                x += wx[dir];
                y += wy[dir];
            }
        } else {
            /* noise: set or clear scattered pixels */
            int density = 5 + prng_below(p, 40);
            for (int32_t y = 0; y < im->h; y++) {
                for (int32_t x = 0; x < im->w; x++) {
                    if (prng_below(p, 100) < density) {
                        put(im, x, y, (uint8_t)prng_below(p, 2));
                    }
                }
            }
        }
    }
}

/* Flood fill of the cells of a (w+2) x (h+2) frame around the image, starting
 * from its corner (outside the image), through cells where `wall` is 0, with 8- or
 * 4-connectivity. `seen` gets 1 for every reached cell. */
static void flood(const uint8_t *wall, int32_t pw, int32_t ph, int32_t sx, int32_t sy, bool eight,
                  uint8_t *seen, int32_t *stack)
{
    size_t top = 0;
    seen[sy * pw + sx] = 1;
    stack[top++] = sy * pw + sx;
    while (top > 0) {
        int32_t c = stack[--top];
        int32_t cx = c % pw, cy = c / pw;
        for (int32_t dy = -1; dy <= 1; dy++) {
            for (int32_t dx = -1; dx <= 1; dx++) {
                if ((dx == 0 && dy == 0) || (!eight && dx != 0 && dy != 0)) {
                    continue;
                }
                int32_t nx = cx + dx, ny = cy + dy;
                if (nx < 0 || ny < 0 || nx >= pw || ny >= ph) {
                    continue;
                }
                int32_t n = ny * pw + nx;
                if (!seen[n] && !wall[n]) {
                    seen[n] = 1;
                    stack[top++] = n;
                }
            }
        }
    }
}

/* The set pixels of `wall` (padded frame) with holes filled: everything the
 * outside's 8-connected flood does not reach. */
static void fill_holes(const uint8_t *wall, int32_t pw, int32_t ph, uint8_t *filled,
                       uint8_t *seen, int32_t *stack)
{
    size_t cells = (size_t)pw * (size_t)ph;
    memset(seen, 0, cells);
    flood(wall, pw, ph, 0, 0, true, seen, stack);
    for (size_t i = 0; i < cells; i++) {
        filled[i] = !seen[i];
    }
}

static void check_mask(const struct img *im, int *with_holes, int *rings_seen)
{
    const int32_t w = im->w, h = im->h, pw = w + 2, ph = h + 2;
    const size_t cells = (size_t)pw * (size_t)ph;
    uint8_t *pad = calloc(cells, 1), *seen = calloc(cells, 1), *filled = calloc(cells, 1);
    uint8_t *comp = calloc(cells, 1), *col = calloc((size_t)w * (size_t)h, 1);
    int32_t *label = calloc(cells, sizeof *label);
    int32_t *stack = calloc(cells + 1, sizeof *stack);
    assert_true(pad && seen && filled && comp && col && label && stack);
    for (int32_t y = 0; y < h; y++) {
        for (int32_t x = 0; x < w; x++) {
            pad[(y + 1) * pw + (x + 1)] = get(im, x, y);
            col[(size_t)x * (size_t)h + (size_t)y] = get(im, x, y);
        }
    }
    struct bmx_rle rle = {0, 0, 0, NULL};
    assert_int_equal(bmx_rle_encode(col, (uint32_t)h, (uint32_t)w, &rle, NULL), BMX_OK);
    size_t holes = 12345;
    struct bmx_polyset set = trace_ok(&rle, &holes);

    /* Holes of the whole mask: 8-connected background regions the outside does not
     * reach, counted by labelling them. */
    fill_holes(pad, pw, ph, filled, seen, stack);
    size_t my_holes = 0;
    for (size_t i = 0; i < cells; i++) {
        if (!seen[i] && !pad[i]) {
            my_holes++;
            flood(pad, pw, ph, (int32_t)(i % (size_t)pw), (int32_t)(i / (size_t)pw), true, seen,
                  stack);
        }
    }
    assert_int_equal(holes, my_holes);
    uint8_t *all_filled = malloc(cells);
    assert_non_null(all_filled);
    fill_holes(pad, pw, ph, all_filled, seen, stack);

    /* Components (4-connected), labelled in column-major order of first pixel. */
    int32_t ncomp = 0;
    memset(label, 0, cells * sizeof *label);
    for (int32_t x = 0; x < w; x++) {
        for (int32_t y = 0; y < h; y++) {
            int32_t c = (y + 1) * pw + (x + 1);
            if (!pad[c] || label[c] != 0) {
                continue;
            }
            ncomp++;
            /* flood the set pixels: walls are the clear ones */
            uint8_t *inv = comp;
            for (size_t i = 0; i < cells; i++) {
                inv[i] = !pad[i];
            }
            memset(seen, 0, cells);
            flood(inv, pw, ph, x + 1, y + 1, false, seen, stack);
            for (size_t i = 0; i < cells; i++) {
                if (seen[i]) {
                    label[i] = ncomp;
                }
            }
        }
    }
    assert_int_equal(set.count, (size_t)ncomp);
    *rings_seen += ncomp;

    uint8_t *covered = calloc(cells, 1);
    assert_non_null(covered);
    int64_t prev_first = -1;
    for (int32_t k = 0; k < ncomp; k++) {
        const struct bmx_poly *ring = &set.rings[k];
        /* shape: rectilinear, at least 4 vertices, no collinear vertex, clockwise */
        assert_true(ring->n >= 4 && ring->n % 2 == 0);
        for (size_t i = 0; i < ring->n; i++) {
            size_t a = (i + ring->n - 1) % ring->n, b = (i + 1) % ring->n;
            double dx0 = ring->xy[2 * i] - ring->xy[2 * a];
            double dy0 = ring->xy[2 * i + 1] - ring->xy[2 * a + 1];
            double dx1 = ring->xy[2 * b] - ring->xy[2 * i];
            assert_true((dx0 == 0) != (dy0 == 0));
            assert_true((dx0 == 0) != (dx1 == 0)); /* turns at every vertex */
            assert_true(ring->xy[2 * i] == floor(ring->xy[2 * i]));
            assert_true(ring->xy[2 * i + 1] == floor(ring->xy[2 * i + 1]));
            /* starts at the leftmost, then topmost vertex */
            assert_true(ring->xy[2 * i] > ring->xy[0] ||
                        (ring->xy[2 * i] == ring->xy[0] && ring->xy[2 * i + 1] >= ring->xy[1]));
        }
        assert_true(signed_area(ring) > 0.0);
        /* the start is the top-left corner of the component's first pixel */
        int32_t sx = (int32_t)ring->xy[0], sy = (int32_t)ring->xy[1];
        assert_int_equal(label[(sy + 1) * pw + (sx + 1)], k + 1);
        int64_t first = (int64_t)sx * h + sy;
        assert_true(first > prev_first);
        prev_first = first;

        /* Its interior at pixel centres is exactly the component with holes filled. */
        for (size_t i = 0; i < cells; i++) {
            comp[i] = label[i] == k + 1;
        }
        fill_holes(comp, pw, ph, filled, seen, stack);
        for (int32_t y = 0; y < h; y++) {
            for (int32_t x = 0; x < w; x++) {
                bool in = inside(ring, x + 0.5, y + 0.5);
                int32_t c = (y + 1) * pw + (x + 1);
                if (in != (filled[c] != 0)) {
                    fail_msg("%dx%d mask, ring %d: pixel (%d, %d) inside %d, expected %d", w, h,
                             k, x, y, in, filled[c]);
                }
                if (in) {
                    covered[c] = 1;
                }
            }
        }
    }
    /* The union of the rings is the mask with its holes filled. */
    for (int32_t y = 0; y < h; y++) {
        for (int32_t x = 0; x < w; x++) {
            int32_t c = (y + 1) * pw + (x + 1);
            assert_int_equal(covered[c], all_filled[c]);
        }
    }
    /* The COCO API's own rasterisation of the rings (frPoly, then merge) gives the
     * same pixels: the polygons read back as the mask with holes filled. */
    struct bmx_rle back = {0, 0, 0, NULL};
    assert_int_equal(bmx_rle_from_polyset(&set, (uint32_t)h, (uint32_t)w, &back, NULL), BMX_OK);
    assert_int_equal(bmx_rle_decode(&back, col, (size_t)w * (size_t)h, NULL), BMX_OK);
    for (int32_t y = 0; y < h; y++) {
        for (int32_t x = 0; x < w; x++) {
            assert_int_equal(col[(size_t)x * (size_t)h + (size_t)y] != 0,
                             all_filled[(y + 1) * pw + (x + 1)]);
        }
    }
    bmx_rle_free(&back);
    struct bmx_box pb, rb;
    bmx_rle_bbox(&rle, &rb);
    if (set.count > 0) {
        assert_true(bmx_polyset_bbox(&set, &pb));
        assert_memory_equal(&pb, &rb, sizeof pb);
    }
    if (my_holes == 0) {
        assert_float_equal(bmx_polyset_area(&set), (double)bmx_rle_area(&rle), 0);
    } else {
        (*with_holes)++;
        assert_true(bmx_polyset_area(&set) > (double)bmx_rle_area(&rle));
    }

    bmx_polyset_free(&set);
    bmx_rle_free(&rle);
    free(pad);
    free(seen);
    free(filled);
    free(comp);
    free(col);
    free(label);
    free(stack);
    free(all_filled);
    free(covered);
}

static void test_random_blobs(void **state)
{
    (void)state;
    struct prng p = {20240611};
    int with_holes = 0, rings = 0;
    for (int t = 0; t < 500; t++) {
        struct img im;
        im.w = 1 + prng_below(&p, 24);
        im.h = 1 + prng_below(&p, 24);
        im.m = malloc((size_t)im.w * (size_t)im.h);
        assert_non_null(im.m);
        random_blobs(&p, &im);
        check_mask(&im, &with_holes, &rings);
        free(im.m);
    }
    /* the generator must exercise both halves of the property */
    assert_true(with_holes >= 50);
    assert_true(with_holes <= 450);
    assert_true(rings >= 1000);
}

/* Enclosed background regions of a column-major h x w mask, counted by flood
 * fill: background pixels join their 8 neighbours (the set pixels join their 4),
 * and a region that reaches the image's edge is outside, not a hole. */
static size_t holes_by_flood(const uint8_t *m, uint32_t h, uint32_t w)
{
    const size_t n = (size_t)h * w;
    uint8_t *seen = calloc(n, 1);
    size_t *stack = malloc(n * sizeof *stack);
    assert_non_null(seen);
    assert_non_null(stack);
    size_t holes = 0;
    for (size_t start = 0; start < n; start++) {
        if (m[start] || seen[start]) {
            continue;
        }
        bool edge = false;
        size_t top = 0;
        stack[top++] = start;
        seen[start] = 1;
        while (top > 0) {
            const size_t p = stack[--top];
            const int64_t x = (int64_t)(p / h), y = (int64_t)(p % h);
            if (x == 0 || y == 0 || x == (int64_t)w - 1 || y == (int64_t)h - 1) {
                edge = true;
            }
            for (int dx = -1; dx <= 1; dx++) {
                for (int dy = -1; dy <= 1; dy++) {
                    const int64_t nx = x + dx, ny = y + dy;
                    if (nx < 0 || ny < 0 || nx >= (int64_t)w || ny >= (int64_t)h) {
                        continue;
                    }
                    const size_t q = (size_t)nx * h + (size_t)ny;
                    if (!m[q] && !seen[q]) {
                        seen[q] = 1;
                        stack[top++] = q;
                    }
                }
            }
        }
        holes += !edge;
    }
    free(seen);
    free(stack);
    return holes;
}

/* The holes counted from the runs equal a flood fill's, over random masks dense
 * enough to hold many holes, rings inside rings and diagonal gaps. */
static void test_holes_match_flood_fill(void **state)
{
    (void)state;
    uint32_t seed = 41;
    for (int t = 0; t < 400; t++) {
        seed = seed * 1664525u + 1013904223u;
        const uint32_t h = 1 + (seed >> 8) % 40u, w = 1 + (seed >> 20) % 40u;
        const uint32_t density = 35 + (seed >> 4) % 40u;
        uint8_t *m = malloc((size_t)h * w);
        assert_non_null(m);
        for (size_t i = 0; i < (size_t)h * w; i++) {
            seed = seed * 1664525u + 1013904223u;
            m[i] = (seed >> 16) % 100u < density;
        }
        struct bmx_rle rle = {0, 0, 0, NULL};
        assert_int_equal(bmx_rle_encode(m, h, w, &rle, NULL), BMX_OK);
        size_t holes = 12345;
        struct bmx_polyset set = trace_ok(&rle, &holes);
        assert_int_equal(holes, holes_by_flood(m, h, w));
        bmx_polyset_free(&set);
        bmx_rle_free(&rle);
        free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_pixel),
        cmocka_unit_test(test_block),
        cmocka_unit_test(test_l_shape),
        cmocka_unit_test(test_diagonal_pixels),
        cmocka_unit_test(test_hole_filled),
        cmocka_unit_test(test_diagonal_gap_is_no_hole),
        cmocka_unit_test(test_borders),
        cmocka_unit_test(test_thin_images),
        cmocka_unit_test(test_full_and_empty),
        cmocka_unit_test(test_checkerboard),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_random_blobs),
        cmocka_unit_test(test_holes_match_flood_fill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
