/* SPDX-License-Identifier: MIT */
/* Tests of the COCO RLE module (lib/geometry/rle_*.c). */
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

#ifndef BMX_SOURCE_ROOT
#define BMX_SOURCE_ROOT ".."
#endif

/* ------------------------------------------------------------------------- */
/* Helpers                                                                    */
/* ------------------------------------------------------------------------- */

/* A local fixed-seed generator (splitmix64), independent of the library's rng. */
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

static uint32_t prng_below(struct prng *p, uint32_t n)
{
    return (uint32_t)(prng_next(p) % n);
}

/* A random column-major mask of one of several kinds (noise, blocks, full, empty). */
static uint8_t *random_mask(struct prng *p, uint32_t h, uint32_t w)
{
    size_t n = (size_t)h * w;
    uint8_t *m = calloc(n == 0 ? 1 : n, 1);
    uint32_t kind = prng_below(p, 5);
    assert_non_null(m);
    if (kind == 0 || kind == 1) {
        uint32_t density = 1 + prng_below(p, 99);
        for (size_t i = 0; i < n; i++) {
            m[i] = prng_below(p, 100) < density ? 1 : 0;
        }
    } else if (kind == 2 && h > 0 && w > 0) {
        uint32_t blocks = 1 + prng_below(p, 3);
        for (uint32_t b = 0; b < blocks; b++) {
            uint32_t x0 = prng_below(p, w), y0 = prng_below(p, h);
            uint32_t x1 = x0 + prng_below(p, w - x0 + 1), y1 = y0 + prng_below(p, h - y0 + 1);
            for (uint32_t x = x0; x < x1; x++) {
                for (uint32_t y = y0; y < y1; y++) {
                    m[(size_t)x * h + y] = 1;
                }
            }
        }
    } else if (kind == 3) {
        memset(m, 1, n);
    }
    return m;
}

static uint32_t random_dim(struct prng *p)
{
    uint32_t r = prng_below(p, 10);
    if (r == 0) {
        return 0;
    }
    if (r == 1) {
        return 1;
    }
    return 1 + prng_below(p, 17);
}

static void assert_counts(const struct bmx_rle *r, const uint32_t *want, size_t n)
{
    assert_int_equal(r->m, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r->counts[i], want[i]);
    }
}

static void assert_same_rle(const struct bmx_rle *a, const struct bmx_rle *b)
{
    assert_int_equal(a->h, b->h);
    assert_int_equal(a->w, b->w);
    assert_counts(a, b->counts, b->m);
}

static void assert_string(const struct bmx_rle *r, const char *want)
{
    char *s = NULL;
    size_t len = 99;
    bmx_error err;
    assert_int_equal(bmx_rle_to_string(r, &s, &len, &err), BMX_OK);
    assert_string_equal(s, want);
    assert_int_equal(len, strlen(want));
    free(s);
}

static void assert_box(const struct bmx_rle *r, double x, double y, double w, double h)
{
    struct bmx_box b;
    bmx_rle_bbox(r, &b);
    assert_true(b.x == x);
    assert_true(b.y == y);
    assert_true(b.w == w);
    assert_true(b.h == h);
}

/* Brute-force box of a column-major mask (COCO's convention: zero box if empty). */
static struct bmx_box brute_box(const uint8_t *m, uint32_t h, uint32_t w)
{
    struct bmx_box b = {0, 0, 0, 0};
    uint32_t xs = UINT32_MAX, ys = UINT32_MAX, xe = 0, ye = 0;
    bool any = false;
    for (uint32_t x = 0; x < w; x++) {
        for (uint32_t y = 0; y < h; y++) {
            if (m[(size_t)x * h + y]) {
                any = true;
                xs = x < xs ? x : xs;
                ys = y < ys ? y : ys;
                xe = x > xe ? x : xe;
                ye = y > ye ? y : ye;
            }
        }
    }
    if (any) {
        b.x = xs;
        b.y = ys;
        b.w = xe - xs + 1;
        b.h = ye - ys + 1;
    }
    return b;
}

/* Canonical runs of a mask, computed the obvious way, to compare against. */
static void brute_encode(const uint8_t *m, uint32_t h, uint32_t w, struct bmx_rle *out)
{
    size_t n = (size_t)h * w;
    uint32_t *c = calloc(n + 1, sizeof *c);
    size_t k = 0;
    uint8_t v = 0;
    assert_non_null(c);
    for (size_t i = 0; i < n; i++) {
        uint8_t b = m[i] ? 1 : 0;
        if (b != v) {
            k++;
            v = b;
        }
        c[k]++;
    }
    out->h = h;
    out->w = w;
    out->m = k + 1;
    out->counts = c;
}

static uint8_t *decode_alloc(const struct bmx_rle *r)
{
    size_t n = (size_t)r->h * r->w;
    uint8_t *m = malloc(n == 0 ? 1 : n);
    bmx_error err;
    assert_non_null(m);
    assert_int_equal(bmx_rle_decode(r, m, n, &err), BMX_OK);
    return m;
}

/* ------------------------------------------------------------------------- */
/* Hand-checked vectors                                                       */
/* ------------------------------------------------------------------------- */

static void test_hand_encode(void **state)
{
    (void)state;
    bmx_error err;
    struct bmx_rle r;

    /* h=3, w=2; column 0 = 0,1,1; column 1 = 1,0,0 -> runs 1 zero, 3 ones, 2 zeros */
    const uint8_t m1[] = {0, 1, 1, 1, 0, 0};
    const uint32_t c1[] = {1, 3, 2};
    assert_int_equal(bmx_rle_encode(m1, 3, 2, &r, &err), BMX_OK);
    assert_counts(&r, c1, 3);
    assert_string(&r, "132");
    assert_int_equal(bmx_rle_area(&r), 3);
    assert_box(&r, 0, 0, 2, 3); /* the run of ones spans two columns: full height */
    bmx_rle_free(&r);
    assert_null(r.counts);
    assert_int_equal(r.m, 0);

    /* nonzero bytes count as set */
    const uint8_t m1b[] = {0, 7, 255, 1, 0, 0};
    assert_int_equal(bmx_rle_encode(m1b, 3, 2, &r, &err), BMX_OK);
    assert_counts(&r, c1, 3);
    bmx_rle_free(&r);

    /* full mask: first run is 0 */
    const uint8_t m2[] = {1, 1, 1, 1};
    const uint32_t c2[] = {0, 4};
    assert_int_equal(bmx_rle_encode(m2, 2, 2, &r, &err), BMX_OK);
    assert_counts(&r, c2, 2);
    assert_string(&r, "04");
    assert_box(&r, 0, 0, 2, 2);
    bmx_rle_free(&r);

    /* empty mask: one run */
    const uint8_t m3[6] = {0};
    const uint32_t c3[] = {6};
    assert_int_equal(bmx_rle_encode(m3, 2, 3, &r, &err), BMX_OK);
    assert_counts(&r, c3, 1);
    assert_string(&r, "6");
    assert_int_equal(bmx_rle_area(&r), 0);
    assert_box(&r, 0, 0, 0, 0);
    bmx_rle_free(&r);

    /* h*w = 0: [0] as the COCO API gives, string "0"; the mask may be NULL */
    const uint32_t c4[] = {0};
    assert_int_equal(bmx_rle_encode(NULL, 0, 5, &r, &err), BMX_OK);
    assert_counts(&r, c4, 1);
    assert_string(&r, "0");
    assert_int_equal(bmx_rle_validate(&r, &err), BMX_OK);
    assert_box(&r, 0, 0, 0, 0);
    bmx_rle_free(&r);

    /* column-major orientation: h=2, w=3, only pixel (x=2, y=0) set */
    const uint8_t m5[] = {0, 0, 0, 0, 1, 0};
    const uint32_t c5[] = {4, 1, 1};
    assert_int_equal(bmx_rle_encode(m5, 2, 3, &r, &err), BMX_OK);
    assert_counts(&r, c5, 3);
    assert_box(&r, 2, 0, 1, 1);
    bmx_rle_free(&r);

    /* one pixel wide and one pixel high images, touching the borders */
    const uint8_t m6[] = {1, 0, 0, 1, 1};
    const uint32_t c6[] = {0, 1, 2, 2};
    assert_int_equal(bmx_rle_encode(m6, 5, 1, &r, &err), BMX_OK);
    assert_counts(&r, c6, 4);
    assert_box(&r, 0, 0, 1, 5);
    assert_int_equal(bmx_rle_area(&r), 3);
    bmx_rle_free(&r);
    assert_int_equal(bmx_rle_encode(m6, 1, 5, &r, &err), BMX_OK);
    assert_counts(&r, c6, 4);
    assert_box(&r, 0, 0, 5, 1);
    bmx_rle_free(&r);
}

static void test_hand_strings(void **state)
{
    (void)state;
    bmx_error err;
    struct bmx_rle r;
    uint8_t m[40];

    /* from the fourth run on the difference to the run two back is stored:
     * 2 - 3 = -1 -> 'O' (31 + 48), 20 - 7 = 13 -> '=' */
    uint32_t c1[] = {5, 3, 7, 2, 20};
    struct bmx_rle in = {37, 1, 5, c1};
    assert_string(&in, "537O=");
    assert_int_equal(bmx_rle_from_string("537O=", 5, 37, 1, &r, &err), BMX_OK);
    assert_same_rle(&r, &in);
    assert_int_equal(bmx_rle_decode(&r, m, sizeof m, &err), BMX_OK);
    assert_int_equal(m[4], 0);
    assert_int_equal(m[5], 1);
    assert_int_equal(m[7], 1);
    assert_int_equal(m[8], 0);
    assert_int_equal(m[15], 1);
    assert_int_equal(m[17], 0);
    bmx_rle_free(&r);

    /* 100 = 3*32 + 4: low group 4 with "more" (0x20) -> 'T', then '3' */
    uint32_t c2[] = {100};
    struct bmx_rle in2 = {10, 10, 1, c2};
    assert_string(&in2, "T3");
    assert_int_equal(bmx_rle_from_string("T3", 2, 10, 10, &r, &err), BMX_OK);
    assert_same_rle(&r, &in2);
    bmx_rle_free(&r);

    /* 16 has the sign bit (0x10) of its group set, so a second character follows */
    uint32_t c3[] = {16};
    struct bmx_rle in3 = {4, 4, 1, c3};
    assert_string(&in3, "`0");
    assert_int_equal(bmx_rle_from_string("`0", 2, 4, 4, &r, &err), BMX_OK);
    assert_same_rle(&r, &in3);
    bmx_rle_free(&r);

    /* the largest runs: a full 32-bit run and a difference near -2^32 */
    uint32_t c4[] = {UINT32_MAX};
    struct bmx_rle in4 = {65535, 65537, 1, c4};
    assert_string(&in4, "oooooo3");
    assert_int_equal(bmx_rle_from_string("oooooo3", 7, 65535, 65537, &r, &err), BMX_OK);
    assert_same_rle(&r, &in4);
    bmx_rle_free(&r);
    uint32_t c5[] = {0, 4294967290u, 5, 0};
    struct bmx_rle in5 = {65535, 65537, 4, c5};
    assert_string(&in5, "0jooooo35VPPPPPL");
    assert_int_equal(bmx_rle_from_string("0jooooo35VPPPPPL", 16, 65535, 65537, &r, &err), BMX_OK);
    assert_same_rle(&r, &in5);
    assert_int_equal(bmx_rle_area(&r), 4294967290u);
    bmx_rle_free(&r);

    /* an empty string is the (run-less) mask of an empty size */
    assert_int_equal(bmx_rle_from_string("", 0, 0, 3, &r, &err), BMX_OK);
    assert_int_equal(r.m, 0);
    assert_int_equal(bmx_rle_validate(&r, &err), BMX_OK);
    assert_string(&r, "");
    bmx_rle_free(&r);
}

static void test_bbox_cases(void **state)
{
    (void)state;
    /* h=4, w=3: ones at 3..5 = (x0,y3), (x1,y0), (x1,y1) */
    uint32_t c1[] = {3, 3, 6};
    struct bmx_rle r1 = {4, 3, 3, c1};
    assert_box(&r1, 0, 0, 2, 4);
    assert_int_equal(bmx_rle_area(&r1), 3);
    /* two runs in column 2, rows 1 and 3 */
    uint32_t c2[] = {9, 1, 1, 1};
    struct bmx_rle r2 = {4, 3, 4, c2};
    assert_box(&r2, 2, 1, 1, 3);
    /* a mask ending with a run of ones on the last pixel */
    uint32_t c3[] = {11, 1};
    struct bmx_rle r3 = {4, 3, 2, c3};
    assert_box(&r3, 2, 3, 1, 1);
    /* empty runs of ones do not make a box */
    uint32_t c4[] = {2, 0, 10};
    struct bmx_rle r4 = {4, 3, 3, c4};
    assert_box(&r4, 0, 0, 0, 0);
    bmx_rle_bbox(NULL, NULL);
}

static void test_copy_free(void **state)
{
    (void)state;
    bmx_error err;
    uint32_t c[] = {1, 2, 3};
    struct bmx_rle in = {2, 3, 3, c};
    struct bmx_rle out;
    assert_int_equal(bmx_rle_copy(&in, &out, &err), BMX_OK);
    assert_same_rle(&out, &in);
    assert_ptr_not_equal(out.counts, in.counts);
    bmx_rle_free(&out);
    assert_null(out.counts);
    assert_int_equal(out.h, 0);
    bmx_rle_free(NULL);
    bmx_rle_free(&out);
}

/* ------------------------------------------------------------------------- */
/* Random round trips                                                         */
/* ------------------------------------------------------------------------- */

static void test_roundtrip_random(void **state)
{
    (void)state;
    struct prng p = {12345};
    bmx_error err;
    for (int iter = 0; iter < 600; iter++) {
        uint32_t h = random_dim(&p), w = random_dim(&p);
        size_t n = (size_t)h * w;
        uint8_t *m = random_mask(&p, h, w);
        struct bmx_rle r, want, back;
        char *s;
        size_t len;
        uint64_t pop = 0;
        struct bmx_box bb, bw;

        assert_int_equal(bmx_rle_encode(m, h, w, &r, &err), BMX_OK);
        brute_encode(m, h, w, &want);
        assert_same_rle(&r, &want);
        assert_int_equal(bmx_rle_validate(&r, &err), BMX_OK);

        uint8_t *d = decode_alloc(&r);
        assert_memory_equal(d, m, n == 0 ? 0 : n);

        assert_int_equal(bmx_rle_to_string(&r, &s, &len, &err), BMX_OK);
        assert_int_equal(strlen(s), len);
        assert_int_equal(bmx_rle_from_string(s, len, h, w, &back, &err), BMX_OK);
        assert_same_rle(&back, &r);

        for (size_t i = 0; i < n; i++) {
            pop += m[i] != 0;
        }
        assert_int_equal(bmx_rle_area(&r), pop);
        bmx_rle_bbox(&r, &bb);
        bw = brute_box(m, h, w);
        assert_memory_equal(&bb, &bw, sizeof bb);

        free(s);
        free(d);
        free(m);
        bmx_rle_free(&r);
        bmx_rle_free(&want);
        bmx_rle_free(&back);
    }
}

static void test_merge_random(void **state)
{
    (void)state;
    struct prng p = {777};
    bmx_error err;
    for (int iter = 0; iter < 400; iter++) {
        uint32_t h = random_dim(&p), w = random_dim(&p);
        size_t n = (size_t)h * w;
        size_t k = 1 + prng_below(&p, 4);
        struct bmx_rle rles[4];
        uint8_t *masks[4];
        uint8_t *u = malloc(n + 1), *x = malloc(n + 1);
        assert_non_null(u);
        assert_non_null(x);
        memset(u, 0, n + 1);
        memset(x, 1, n + 1);
        for (size_t i = 0; i < k; i++) {
            masks[i] = random_mask(&p, h, w);
            assert_int_equal(bmx_rle_encode(masks[i], h, w, &rles[i], &err), BMX_OK);
            for (size_t j = 0; j < n; j++) {
                u[j] |= masks[i][j];
                x[j] &= masks[i][j];
            }
        }
        for (int inter = 0; inter < 2; inter++) {
            struct bmx_rle got, want;
            assert_int_equal(bmx_rle_merge(rles, k, inter == 1, &got, &err), BMX_OK);
            brute_encode(inter ? x : u, h, w, &want);
            assert_same_rle(&got, &want);
            bmx_rle_free(&got);
            bmx_rle_free(&want);
        }
        for (size_t i = 0; i < k; i++) {
            free(masks[i]);
            bmx_rle_free(&rles[i]);
        }
        free(u);
        free(x);
    }
}

static void test_merge_cases(void **state)
{
    (void)state;
    bmx_error err;
    struct bmx_rle out;
    /* 1x5: A = 11000, B = 00110 */
    uint32_t ca[] = {0, 2, 3}, cb[] = {2, 2, 1};
    struct bmx_rle two[2] = {{1, 5, 3, ca}, {1, 5, 3, cb}};
    const uint32_t uni[] = {0, 4, 1};
    const uint32_t inter[] = {5};
    assert_int_equal(bmx_rle_merge(two, 2, false, &out, &err), BMX_OK);
    assert_counts(&out, uni, 3);
    bmx_rle_free(&out);
    assert_int_equal(bmx_rle_merge(two, 2, true, &out, &err), BMX_OK);
    assert_counts(&out, inter, 1);
    bmx_rle_free(&out);
    /* overlapping: A = 11100, B = 01111 -> and = 01100 */
    uint32_t cc[] = {0, 3, 2}, cd[] = {1, 4};
    struct bmx_rle two2[2] = {{5, 1, 3, cc}, {5, 1, 2, cd}};
    const uint32_t inter2[] = {1, 2, 2};
    const uint32_t uni2[] = {0, 5};
    assert_int_equal(bmx_rle_merge(two2, 2, true, &out, &err), BMX_OK);
    assert_counts(&out, inter2, 3);
    bmx_rle_free(&out);
    assert_int_equal(bmx_rle_merge(two2, 2, false, &out, &err), BMX_OK);
    assert_counts(&out, uni2, 2);
    bmx_rle_free(&out);
    /* a single mask comes back as it is */
    assert_int_equal(bmx_rle_merge(two, 1, true, &out, &err), BMX_OK);
    assert_counts(&out, ca, 3);
    bmx_rle_free(&out);
    /* empty sizes */
    uint32_t z[] = {0};
    struct bmx_rle e2[2] = {{0, 4, 1, z}, {0, 4, 1, z}};
    assert_int_equal(bmx_rle_merge(e2, 2, false, &out, &err), BMX_OK);
    assert_counts(&out, z, 1);
    bmx_rle_free(&out);
}

/* ------------------------------------------------------------------------- */
/* Crop and resize                                                            */
/* ------------------------------------------------------------------------- */

static void check_crop(const uint8_t *m, uint32_t h, uint32_t w, struct bmx_rect rc, bool keep)
{
    bmx_error err;
    struct bmx_rle r, got, want;
    size_t n = (size_t)h * w;
    uint8_t *e = malloc(n + 1);
    assert_non_null(e);
    for (uint32_t x = 0; x < w; x++) {
        for (uint32_t y = 0; y < h; y++) {
            bool in = (int64_t)x >= rc.x && (int64_t)x < (int64_t)rc.x + rc.w &&
                      (int64_t)y >= rc.y && (int64_t)y < (int64_t)rc.y + rc.h;
            uint8_t v = m[(size_t)x * h + y] ? 1 : 0;
            e[(size_t)x * h + y] = (in == keep) ? v : 0;
        }
    }
    assert_int_equal(bmx_rle_encode(m, h, w, &r, &err), BMX_OK);
    assert_int_equal(bmx_rle_crop_rect(&r, rc, keep, &got, &err), BMX_OK);
    brute_encode(e, h, w, &want);
    assert_same_rle(&got, &want);
    bmx_rle_free(&r);
    bmx_rle_free(&got);
    bmx_rle_free(&want);
    free(e);
}

static void test_crop_cases(void **state)
{
    (void)state;
    uint8_t full[12];
    memset(full, 1, sizeof full);
    bmx_error err;
    struct bmx_rle r, got;
    /* 4x3 full mask, keep the 2x2 block x 1..2, y 1..2: columns 1 and 2, rows 1..2 */
    assert_int_equal(bmx_rle_encode(full, 4, 3, &r, &err), BMX_OK);
    struct bmx_rect rc = {1, 1, 2, 2};
    const uint32_t keep[] = {5, 2, 2, 2, 1};
    assert_int_equal(bmx_rle_crop_rect(&r, rc, true, &got, &err), BMX_OK);
    assert_counts(&got, keep, 5);
    assert_int_equal(bmx_rle_area(&got), 4);
    assert_box(&got, 1, 1, 2, 2);
    bmx_rle_free(&got);
    const uint32_t clear[] = {0, 5, 2, 2, 2, 1};
    assert_int_equal(bmx_rle_crop_rect(&r, rc, false, &got, &err), BMX_OK);
    assert_counts(&got, clear, 6);
    assert_int_equal(bmx_rle_area(&got), 8);
    bmx_rle_free(&got);
    /* a rectangle reaching past every border is clipped: keep everything */
    struct bmx_rect big = {-5, -5, 100, 100};
    const uint32_t all[] = {0, 12};
    assert_int_equal(bmx_rle_crop_rect(&r, big, true, &got, &err), BMX_OK);
    assert_counts(&got, all, 2);
    bmx_rle_free(&got);
    const uint32_t none[] = {12};
    assert_int_equal(bmx_rle_crop_rect(&r, big, false, &got, &err), BMX_OK);
    assert_counts(&got, none, 1);
    bmx_rle_free(&got);
    /* an empty or negative rectangle: keep nothing / clear nothing */
    struct bmx_rect neg = {1, 1, -3, 2};
    assert_int_equal(bmx_rle_crop_rect(&r, neg, true, &got, &err), BMX_OK);
    assert_counts(&got, none, 1);
    bmx_rle_free(&got);
    assert_int_equal(bmx_rle_crop_rect(&r, neg, false, &got, &err), BMX_OK);
    assert_counts(&got, all, 2);
    bmx_rle_free(&got);
    /* extreme int32 values do not overflow */
    struct bmx_rect ext = {INT32_MAX, INT32_MIN, INT32_MAX, INT32_MAX};
    assert_int_equal(bmx_rle_crop_rect(&r, ext, true, &got, &err), BMX_OK);
    assert_counts(&got, none, 1);
    bmx_rle_free(&got);
    bmx_rle_free(&r);
}

/* The output may be the input (written only after the input was read). */
static void test_in_place(void **state)
{
    (void)state;
    bmx_error err;
    uint8_t full[12];
    struct bmx_rle r, pair[2];
    memset(full, 1, sizeof full);

    assert_int_equal(bmx_rle_encode(full, 4, 3, &r, &err), BMX_OK);
    uint32_t *old = r.counts;
    assert_int_equal(bmx_rle_crop_rect(&r, (struct bmx_rect){1, 1, 2, 2}, true, &r, &err), BMX_OK);
    free(old);
    const uint32_t keep[] = {5, 2, 2, 2, 1};
    assert_counts(&r, keep, 5);

    old = r.counts;
    assert_int_equal(bmx_rle_resize_nearest(&r, 8, 6, &r, &err), BMX_OK);
    free(old);
    assert_int_equal(r.h, 8);
    assert_int_equal(bmx_rle_area(&r), 16);
    assert_box(&r, 2, 2, 4, 4);

    assert_int_equal(bmx_rle_encode(full, 8, 1, &pair[1], &err), BMX_OK);
    pair[0] = r;
    pair[0].h = 8;
    pair[0].w = 6;
    struct bmx_rle keep_pair = pair[0];
    /* different sizes: an error leaves the aliased input alone */
    assert_int_equal(bmx_rle_merge(pair, 2, false, &pair[0], &err), BMX_E_INVALID);
    assert_ptr_equal(pair[0].counts, keep_pair.counts);
    bmx_rle_free(&pair[1]);
    pair[1] = r;
    assert_int_equal(bmx_rle_merge(pair, 2, false, &pair[0], &err), BMX_OK);
    assert_int_equal(bmx_rle_area(&pair[0]), 16);
    bmx_rle_free(&pair[0]);
    bmx_rle_free(&r);
}

static void test_crop_random(void **state)
{
    (void)state;
    struct prng p = {4242};
    for (int iter = 0; iter < 500; iter++) {
        uint32_t h = random_dim(&p), w = random_dim(&p);
        uint8_t *m = random_mask(&p, h, w);
        struct bmx_rect rc;
        rc.x = (int32_t)prng_below(&p, w + 6) - 3;
        rc.y = (int32_t)prng_below(&p, h + 6) - 3;
        rc.w = (int32_t)prng_below(&p, w + 6) - 1;
        rc.h = (int32_t)prng_below(&p, h + 6) - 1;
        check_crop(m, h, w, rc, true);
        check_crop(m, h, w, rc, false);
        free(m);
    }
}

static void check_resize(const uint8_t *m, uint32_t h, uint32_t w, uint32_t h2, uint32_t w2)
{
    bmx_error err;
    struct bmx_rle r, got, want;
    size_t n2 = (size_t)h2 * w2;
    uint8_t *e = calloc(n2 + 1, 1);
    assert_non_null(e);
    if (h > 0 && w > 0) {
        for (uint32_t x = 0; x < w2; x++) {
            for (uint32_t y = 0; y < h2; y++) {
                /* floor((x + 0.5) * w / w2) exactly */
                uint64_t sx = ((2 * (uint64_t)x + 1) * w) / (2 * (uint64_t)w2);
                uint64_t sy = ((2 * (uint64_t)y + 1) * h) / (2 * (uint64_t)h2);
                e[(size_t)x * h2 + y] = m[sx * h + sy] ? 1 : 0;
            }
        }
    }
    assert_int_equal(bmx_rle_encode(m, h, w, &r, &err), BMX_OK);
    assert_int_equal(bmx_rle_resize_nearest(&r, h2, w2, &got, &err), BMX_OK);
    brute_encode(e, h2, w2, &want);
    assert_same_rle(&got, &want);
    bmx_rle_free(&r);
    bmx_rle_free(&got);
    bmx_rle_free(&want);
    free(e);
}

static void test_resize_cases(void **state)
{
    (void)state;
    bmx_error err;
    struct bmx_rle got;
    /* 2x2 checker (col0 = 1,0; col1 = 0,1) doubled: 2x2 blocks */
    uint32_t c[] = {0, 1, 2, 1};
    struct bmx_rle r = {2, 2, 4, c};
    /* columns 0,1 = 1100, columns 2,3 = 0011 */
    const uint32_t up[] = {0, 2, 2, 2, 4, 2, 2, 2};
    assert_int_equal(bmx_rle_resize_nearest(&r, 4, 4, &got, &err), BMX_OK);
    assert_counts(&got, up, 8);
    assert_int_equal(bmx_rle_area(&got), 8);
    bmx_rle_free(&got);
    /* back down to 2x2 samples pixel centres: the same checker */
    uint8_t big[16] = {1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1};
    check_resize(big, 4, 4, 2, 2);
    /* to an empty size and from an empty size */
    const uint32_t z[] = {0};
    assert_int_equal(bmx_rle_resize_nearest(&r, 0, 7, &got, &err), BMX_OK);
    assert_counts(&got, z, 1);
    bmx_rle_free(&got);
    uint32_t ze[] = {0};
    struct bmx_rle empty = {0, 3, 1, ze};
    const uint32_t zeros[] = {12};
    assert_int_equal(bmx_rle_resize_nearest(&empty, 3, 4, &got, &err), BMX_OK);
    assert_counts(&got, zeros, 1);
    bmx_rle_free(&got);
}

static void test_resize_random(void **state)
{
    (void)state;
    struct prng p = {99};
    for (int iter = 0; iter < 400; iter++) {
        uint32_t h = random_dim(&p), w = random_dim(&p);
        uint32_t h2 = random_dim(&p) * (1 + prng_below(&p, 3)), w2 = random_dim(&p);
        uint8_t *m = random_mask(&p, h, w);
        check_resize(m, h, w, h2, w2);
        free(m);
    }
}

/* ------------------------------------------------------------------------- */
/* Polygons                                                                   */
/* ------------------------------------------------------------------------- */

static void poly_counts(const double *xy, size_t n, uint32_t h, uint32_t w, struct bmx_rle *out)
{
    bmx_error err;
    struct bmx_poly poly = {n, (double *)xy};
    assert_int_equal(bmx_rle_from_poly(&poly, h, w, out, &err), BMX_OK);
    assert_int_equal(bmx_rle_validate(out, &err), BMX_OK);
}

static void test_poly_known(void **state)
{
    (void)state;
    struct bmx_rle r;

    /* axis-aligned rectangle x 1..4, y 1..3: pixel centres inside: 3 columns x 2 rows */
    const double rect[] = {1, 1, 4, 1, 4, 3, 1, 3};
    const uint32_t rect_c[] = {11, 2, 8, 2, 8, 2, 67};
    poly_counts(rect, 4, 10, 10, &r);
    assert_counts(&r, rect_c, 7);
    assert_int_equal(bmx_rle_area(&r), 6);
    assert_box(&r, 1, 1, 3, 2);
    assert_string(&r, ";28000k1");
    bmx_rle_free(&r);

    /* the same rectangle walked the other way round gives the same pixels */
    const double rect_rev[] = {1, 3, 4, 3, 4, 1, 1, 1};
    poly_counts(rect_rev, 4, 10, 10, &r);
    assert_counts(&r, rect_c, 7);
    bmx_rle_free(&r);

    /* a square covering the whole image, vertices outside: full mask */
    const double cover[] = {-5, -5, 15, -5, 15, 15, -5, 15};
    const uint32_t full[] = {0, 100};
    poly_counts(cover, 4, 10, 10, &r);
    assert_counts(&r, full, 2);
    bmx_rle_free(&r);

    /* right triangle (0,0) (10,0) (0,10): centre (x+.5, y+.5) strictly inside iff
     * x + y <= 8, so column x has 9 - x pixels: 45 in all */
    const double tri[] = {0, 0, 10, 0, 0, 10};
    const uint32_t tri_c[] = {0, 9, 1, 8, 2, 7, 3, 6, 4, 5, 5, 4, 6, 3, 7, 2, 8, 1, 19};
    poly_counts(tri, 3, 10, 10, &r);
    assert_counts(&r, tri_c, 19);
    assert_int_equal(bmx_rle_area(&r), 45);
    assert_box(&r, 0, 0, 9, 9);
    bmx_rle_free(&r);

    /* rectangle x -3..5, y 2..6 hanging over the left border: columns 0..4 x rows 2..5 */
    const double over[] = {-3, 2, 5, 2, 5, 6, -3, 6};
    const uint32_t over_c[] = {2, 4, 6, 4, 6, 4, 6, 4, 6, 4, 54};
    poly_counts(over, 4, 10, 10, &r);
    assert_counts(&r, over_c, 11);
    assert_int_equal(bmx_rle_area(&r), 20);
    assert_box(&r, 0, 2, 5, 4);
    bmx_rle_free(&r);

    /* sub-pixel squares: 0.2..0.6 holds the centre of pixel 0 only; 0.2..1.8 four */
    const double tiny[] = {0.2, 0.2, 0.6, 0.2, 0.6, 0.6, 0.2, 0.6};
    const uint32_t tiny_c[] = {0, 1, 99};
    poly_counts(tiny, 4, 10, 10, &r);
    assert_counts(&r, tiny_c, 3);
    bmx_rle_free(&r);
    const double small[] = {0.2, 0.2, 1.8, 0.2, 1.8, 1.8, 0.2, 1.8};
    const uint32_t small_c[] = {0, 2, 8, 2, 88};
    poly_counts(small, 4, 10, 10, &r);
    assert_counts(&r, small_c, 5);
    bmx_rle_free(&r);

    /* one pixel wide image, polygon around it: full column */
    const double col[] = {-1, -1, 2, -1, 2, 8, -1, 8};
    const uint32_t col_c[] = {0, 6};
    poly_counts(col, 4, 6, 1, &r);
    assert_counts(&r, col_c, 2);
    bmx_rle_free(&r);

    /* fewer than 3 vertices, or none: empty mask */
    const uint32_t empty[] = {100};
    poly_counts(tri, 0, 10, 10, &r);
    assert_counts(&r, empty, 1);
    bmx_rle_free(&r);
    poly_counts(tri, 1, 10, 10, &r);
    assert_counts(&r, empty, 1);
    bmx_rle_free(&r);
    poly_counts(tri, 2, 10, 10, &r);
    assert_counts(&r, empty, 1);
    bmx_rle_free(&r);

    /* empty image sizes */
    const uint32_t zero[] = {0};
    poly_counts(cover, 4, 0, 10, &r);
    assert_counts(&r, zero, 1);
    bmx_rle_free(&r);
    poly_counts(cover, 4, 10, 0, &r);
    assert_counts(&r, zero, 1);
    bmx_rle_free(&r);
}

static void test_polyset(void **state)
{
    (void)state;
    bmx_error err;
    struct bmx_rle r, rt;
    double a[] = {1, 1, 4, 1, 4, 3, 1, 3};   /* 6 pixels */
    double b[] = {-3, 2, 5, 2, 5, 6, -3, 6}; /* 20 pixels, 3 of them shared with a */
    double c[] = {7, 7, 9, 7, 9, 9};         /* a triangle away from both */
    struct bmx_poly rings[3] = {{4, a}, {4, b}, {3, c}};
    struct bmx_polyset set = {2, rings};

    assert_int_equal(bmx_rle_from_polyset(&set, 10, 10, &r, &err), BMX_OK);
    assert_int_equal(bmx_rle_area(&r), 23);
    assert_box(&r, 0, 1, 5, 5);
    bmx_rle_free(&r);

    /* (8,7) is the only pixel centre strictly inside the triangle */
    poly_counts(c, 3, 10, 10, &rt);
    assert_int_equal(bmx_rle_area(&rt), 1);
    assert_box(&rt, 8, 7, 1, 1);
    bmx_rle_free(&rt);
    set.count = 3;
    assert_int_equal(bmx_rle_from_polyset(&set, 10, 10, &r, &err), BMX_OK);
    assert_int_equal(bmx_rle_area(&r), 24);
    assert_box(&r, 0, 1, 9, 7);
    bmx_rle_free(&r);

    /* no rings: the empty mask */
    const uint32_t empty[] = {100};
    set.count = 0;
    assert_int_equal(bmx_rle_from_polyset(&set, 10, 10, &r, &err), BMX_OK);
    assert_counts(&r, empty, 1);
    bmx_rle_free(&r);

    /* a bad ring is named in the message */
    double nan_ring[] = {0, 0, 1, 0, 1, 0.0 / 0.0};
    struct bmx_poly bad[2] = {{4, a}, {3, nan_ring}};
    struct bmx_polyset bset = {2, bad};
    assert_int_equal(bmx_rle_from_polyset(&bset, 10, 10, &r, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "ring 1"));
}

/* frPoly written out the plain way (every walk point stored), to check the
 * library's streamed walk against on many random polygons. */
static int cmp_u32_test(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x > y ? 1 : (x < y ? -1 : 0);
}

static void literal_fr_poly(const double *xy, size_t k, uint32_t h, uint32_t w,
                            struct bmx_rle *out)
{
    int *x = calloc(k + 1, sizeof *x), *y = calloc(k + 1, sizeof *y);
    size_t m = 0, j;
    int *u, *v;
    uint32_t *a, *b, p = 0;
    assert_true(x != NULL && y != NULL);
    for (j = 0; j < k; j++) {
        x[j] = (int)(5.0 * xy[2 * j] + .5);
        y[j] = (int)(5.0 * xy[2 * j + 1] + .5);
    }
    x[k] = x[0];
    y[k] = y[0];
    for (j = 0; j < k; j++) {
        int ax = abs(x[j] - x[j + 1]), ay = abs(y[j] - y[j + 1]);
        m += (size_t)(ax > ay ? ax : ay) + 1;
    }
    u = calloc(m + 1, sizeof *u);
    v = calloc(m + 1, sizeof *v);
    assert_true(u != NULL && v != NULL);
    m = 0;
    for (j = 0; j < k; j++) {
        int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
        int dx = abs(xe - xs), dy = abs(ys - ye), t;
        bool flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
        double sl;
        if (flip) {
            t = xs;
            xs = xe;
            xe = t;
            t = ys;
            ys = ye;
            ye = t;
        }
        if (dx >= dy) {
            sl = dx == 0 ? 0.0 : (double)(ye - ys) / dx;
            for (int d = 0; d <= dx; d++) {
                t = flip ? dx - d : d;
                u[m] = t + xs;
                v[m] = (int)(ys + sl * t + .5);
                m++;
            }
        } else {
            sl = (double)(xe - xs) / dy;
            for (int d = 0; d <= dy; d++) {
                t = flip ? dy - d : d;
                v[m] = t + ys;
                u[m] = (int)(xs + sl * t + .5);
                m++;
            }
        }
    }
    a = calloc(m + 1, sizeof *a);
    assert_non_null(a);
    size_t na = 0;
    for (j = 1; j < m; j++) {
        double xd, yd;
        if (u[j] == u[j - 1]) {
            continue;
        }
        xd = (double)(u[j] < u[j - 1] ? u[j] : u[j] - 1);
        xd = (xd + .5) / 5 - .5;
        if (floor(xd) != xd || xd < 0 || xd > (double)w - 1) {
            continue;
        }
        yd = (double)(v[j] < v[j - 1] ? v[j] : v[j - 1]);
        yd = (yd + .5) / 5 - .5;
        yd = yd < 0 ? 0 : (yd > h ? h : yd);
        yd = ceil(yd);
        a[na++] = (uint32_t)xd * h + (uint32_t)yd;
    }
    a[na++] = h * w;
    qsort(a, na, sizeof *a, cmp_u32_test);
    for (j = 0; j < na; j++) {
        uint32_t t = a[j];
        a[j] -= p;
        p = t;
    }
    b = calloc(na, sizeof *b);
    assert_non_null(b);
    m = 0;
    j = 0;
    b[m++] = a[j++];
    while (j < na) {
        if (a[j] > 0) {
            b[m++] = a[j++];
        } else if (++j < na) {
            b[m - 1] += a[j++];
        }
    }
    out->h = h;
    out->w = w;
    out->m = m;
    out->counts = b;
    free(x);
    free(y);
    free(u);
    free(v);
    free(a);
}

static double random_coord(struct prng *p, uint32_t extent)
{
    uint32_t style = prng_below(p, 6);
    double span = extent + 4.0;
    double v = ((double)prng_below(p, 1000001) / 1e6) * span * 1.6 - 0.3 * span - 2.0;
    if (style == 0) {
        return floor(v + 0.5);
    }
    if (style == 1) {
        return floor(v * 10 + 0.5) / 10;
    }
    if (style == 2) {
        return floor(v * 2 + 0.5) / 2;
    }
    if (style == 3 && prng_below(p, 4) == 0) {
        /* far away */
        return (prng_below(p, 2) ? 1 : -1) * (double)(50 + prng_below(p, 20000));
    }
    return v;
}

static void test_poly_vs_literal(void **state)
{
    (void)state;
    struct prng p = {31337};
    for (int iter = 0; iter < 3000; iter++) {
        uint32_t h = 1 + prng_below(&p, 30), w = 1 + prng_below(&p, 30);
        size_t k = 1 + prng_below(&p, 9);
        double xy[20];
        struct bmx_rle got, want;
        for (size_t i = 0; i < k; i++) {
            xy[2 * i] = random_coord(&p, w);
            xy[2 * i + 1] = random_coord(&p, h);
            if (i > 0 && prng_below(&p, 8) == 0) {
                xy[2 * i] = xy[2 * i - 2]; /* repeated and vertical/horizontal edges */
                if (prng_below(&p, 2) == 0) {
                    xy[2 * i + 1] = xy[2 * i - 1];
                }
            }
        }
        poly_counts(xy, k, h, w, &got);
        literal_fr_poly(xy, k, h, w, &want);
        assert_same_rle(&got, &want);
        bmx_rle_free(&got);
        bmx_rle_free(&want);
    }
}

static void test_poly_errors(void **state)
{
    (void)state;
    bmx_error err;
    struct bmx_rle r;
    double bad[] = {0, 0, 1, 0, 1, 1};
    struct bmx_poly poly = {3, bad};

    bad[3] = 0.0 / 0.0;
    assert_int_equal(bmx_rle_from_poly(&poly, 10, 10, &r, &err), BMX_E_INVALID);
    assert_int_equal(err.status, BMX_E_INVALID);
    assert_non_null(strstr(err.message, "not finite"));
    bad[3] = 1e300;
    assert_int_equal(bmx_rle_from_poly(&poly, 10, 10, &r, &err), BMX_E_LIMIT);
    bad[3] = -3e8;
    assert_int_equal(bmx_rle_from_poly(&poly, 10, 10, &r, &err), BMX_E_LIMIT);
    bad[3] = 1;
    assert_int_equal(bmx_rle_from_poly(&poly, 65536, 65536, &r, &err), BMX_E_LIMIT);
    assert_int_equal(bmx_rle_from_poly(NULL, 10, 10, &r, &err), BMX_E_INVALID);

    /* a far (but accepted) vertex is handled without walking every grid point */
    double far[] = {-1e7, -1e7, 1e7, 5, 5, 1e7};
    struct bmx_poly fp = {3, far};
    assert_int_equal(bmx_rle_from_poly(&fp, 10, 10, &r, &err), BMX_OK);
    assert_int_equal(bmx_rle_validate(&r, &err), BMX_OK);
    bmx_rle_free(&r);
}

/* ------------------------------------------------------------------------- */
/* Errors                                                                     */
/* ------------------------------------------------------------------------- */

static void expect_from_string(const char *s, uint32_t h, uint32_t w, bmx_status want)
{
    bmx_error err;
    struct bmx_rle r;
    memset(&err, 0, sizeof err);
    assert_int_equal(bmx_rle_from_string(s, strlen(s), h, w, &r, &err), want);
    assert_int_equal(err.status, want);
    assert_true(strlen(err.message) > 0);
    assert_null(r.counts);
}

static void test_errors(void **state)
{
    (void)state;
    bmx_error err;
    struct bmx_rle r;
    uint8_t one = 1;

    /* more pixels than a 32-bit run can count */
    assert_int_equal(bmx_rle_encode(&one, 65536, 65536, &r, &err), BMX_E_LIMIT);
    assert_non_null(strstr(err.message, "65536x65536"));
    expect_from_string("0", 65536, 65536, BMX_E_LIMIT);

    /* malformed strings */
    expect_from_string("5~", 2, 3, BMX_E_PARSE);   /* '~' is past 'o' */
    expect_from_string("5 1", 2, 3, BMX_E_PARSE);  /* space is below '0' */
    expect_from_string("T", 10, 10, BMX_E_PARSE);  /* ends inside a value */
    expect_from_string("PPPPPP4", 65535, 65537, BMX_E_PARSE);  /* 2^32 */
    expect_from_string("PPPPPPP1", 65535, 65537, BMX_E_PARSE); /* 8 characters */
    expect_from_string("O", 1, 1, BMX_E_PARSE);     /* first run -1 */
    expect_from_string("537L", 37, 1, BMX_E_PARSE); /* delta gives run 3 - 4 = -1 */
    expect_from_string("537O", 37, 1, BMX_E_PARSE); /* runs add up to 17, not 37 */
    expect_from_string("", 2, 2, BMX_E_PARSE);      /* no runs for 4 pixels */
    {
        char nul[] = {'5', '\0', '1'};
        assert_int_equal(bmx_rle_from_string(nul, 3, 2, 3, &r, &err), BMX_E_PARSE);
    }

    /* runs that do not add up */
    uint32_t c[] = {2, 3};
    struct bmx_rle bad = {2, 3, 2, c};
    uint8_t m[6];
    assert_int_equal(bmx_rle_validate(&bad, &err), BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "add up to 5"));
    assert_int_equal(bmx_rle_decode(&bad, m, sizeof m, &err), BMX_E_PARSE);
    assert_int_equal(bmx_rle_crop_rect(&bad, (struct bmx_rect){0, 0, 1, 1}, true, &r, &err),
                     BMX_E_SCHEMA);
    assert_int_equal(bmx_rle_resize_nearest(&bad, 4, 4, &r, &err), BMX_E_SCHEMA);
    assert_int_equal(bmx_rle_merge(&bad, 1, false, &r, &err), BMX_E_SCHEMA);
    struct bmx_rle huge = {65536, 65536, 2, c};
    assert_int_equal(bmx_rle_validate(&huge, &err), BMX_E_LIMIT);
    struct bmx_rle nul = {1, 1, 1, NULL};
    assert_int_equal(bmx_rle_validate(&nul, &err), BMX_E_INVALID);

    /* decode into a buffer that is too small */
    uint32_t c6[] = {2, 4};
    struct bmx_rle ok = {2, 3, 2, c6};
    assert_int_equal(bmx_rle_decode(&ok, m, 5, &err), BMX_E_INVALID);
    assert_int_equal(bmx_rle_decode(&ok, m, 6, &err), BMX_OK);

    /* merge: none, or masks of different sizes */
    struct bmx_rle other = {3, 2, 2, c6};
    struct bmx_rle pair[2] = {ok, other};
    assert_int_equal(bmx_rle_merge(pair, 0, false, &r, &err), BMX_E_INVALID);
    assert_int_equal(bmx_rle_merge(pair, 2, false, &r, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "mask 1"));

    /* resize to too many pixels */
    assert_int_equal(bmx_rle_resize_nearest(&ok, 65536, 65536, &r, &err), BMX_E_LIMIT);
    /* the error record is optional */
    assert_int_equal(bmx_rle_validate(&bad, NULL), BMX_E_SCHEMA);
}

/* ------------------------------------------------------------------------- */
/* Vectors from the reference (tests/data/rle_vectors.txt)                    */
/* ------------------------------------------------------------------------- */

struct cursor {
    char *p;
};

static char *next_token(struct cursor *c)
{
    char *start;
    while (*c->p == ' ' || *c->p == '\t') {
        c->p++;
    }
    if (*c->p == '\0') {
        return NULL;
    }
    start = c->p;
    while (*c->p != '\0' && *c->p != ' ' && *c->p != '\t') {
        c->p++;
    }
    if (*c->p != '\0') {
        *c->p++ = '\0';
    }
    return start;
}

static uint32_t next_u32(struct cursor *c)
{
    char *t = next_token(c);
    char *end;
    unsigned long v;
    assert_non_null(t);
    v = strtoul(t, &end, 10);
    assert_true(*end == '\0');
    return (uint32_t)v;
}

static double next_double(struct cursor *c)
{
    char *t = next_token(c);
    char *end;
    double v;
    assert_non_null(t);
    v = strtod(t, &end);
    assert_true(*end == '\0');
    return v;
}

static double *next_ring(struct cursor *c, size_t *k)
{
    double *xy;
    *k = next_u32(c);
    xy = calloc(2 * *k + 1, sizeof *xy);
    assert_non_null(xy);
    for (size_t i = 0; i < 2 * *k; i++) {
        xy[i] = next_double(c);
    }
    return xy;
}

/* The string, area and (when given) box of `r` against the expected tokens. */
static void check_vector(const struct bmx_rle *r, struct cursor *c, bool with_box,
                           unsigned line)
{
    bmx_error err;
    char *s;
    size_t len;
    struct bmx_rle back;
    const char *want = next_token(c);
    uint32_t area = next_u32(c);
    assert_non_null(want);
    assert_int_equal(bmx_rle_to_string(r, &s, &len, &err), BMX_OK);
    if (strcmp(s, want) != 0) {
        fail_msg("line %u: counts %s, expected %s", line, s, want);
    }
    assert_int_equal(bmx_rle_area(r), area);
    assert_int_equal(bmx_rle_from_string(want, strlen(want), r->h, r->w, &back, &err), BMX_OK);
    assert_same_rle(&back, r);
    bmx_rle_free(&back);
    free(s);
    if (with_box) {
        double bx = next_u32(c), by = next_u32(c), bw = next_u32(c), bh = next_u32(c);
        assert_box(r, bx, by, bw, bh);
    }
}

static void test_vectors_file(void **state)
{
    (void)state;
    const char *path = BMX_SOURCE_ROOT "/tests/data/rle_vectors.txt";
    FILE *f = fopen(path, "rb");
    char *buf;
    long size;
    unsigned line = 0, n_mask = 0, n_poly = 0, n_set = 0, n_cut = 0;
    char *p;
    bmx_error err;

    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    assert_true(size > 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    buf[size] = '\0';
    fclose(f);

    p = buf;
    while (*p != '\0') {
        char *eol = strchr(p, '\n');
        struct cursor c;
        char *kind;
        if (eol != NULL) {
            *eol = '\0';
        }
        line++;
        c.p = p;
        p = eol != NULL ? eol + 1 : p + strlen(p);
        kind = next_token(&c);
        if (kind == NULL || kind[0] == '#') {
            continue;
        }
        uint32_t h = next_u32(&c), w = next_u32(&c);
        struct bmx_rle r;
        if (strcmp(kind, "M") == 0) {
            char *bits = next_token(&c);
            size_t n = (size_t)h * w;
            uint8_t *m = malloc(n + 1);
            assert_non_null(m);
            if (n == 0) {
                assert_string_equal(bits, "-");
            } else {
                assert_int_equal(strlen(bits), n);
            }
            for (size_t i = 0; i < n; i++) {
                m[i] = bits[i] == '1';
            }
            assert_int_equal(bmx_rle_encode(m, h, w, &r, &err), BMX_OK);
            check_vector(&r, &c, true, line);
            uint8_t *d = decode_alloc(&r);
            assert_memory_equal(d, m, n);
            free(d);
            free(m);
            n_mask++;
        } else if (strcmp(kind, "P") == 0) {
            size_t k;
            double *xy = next_ring(&c, &k);
            struct bmx_poly poly = {k, xy};
            assert_int_equal(bmx_rle_from_poly(&poly, h, w, &r, &err), BMX_OK);
            check_vector(&r, &c, true, line);
            free(xy);
            n_poly++;
        } else if (strcmp(kind, "S") == 0) {
            size_t nr = next_u32(&c);
            struct bmx_poly *rings = calloc(nr, sizeof *rings);
            struct bmx_polyset set = {nr, rings};
            assert_non_null(rings);
            for (size_t i = 0; i < nr; i++) {
                rings[i].xy = next_ring(&c, &rings[i].n);
            }
            assert_int_equal(bmx_rle_from_polyset(&set, h, w, &r, &err), BMX_OK);
            check_vector(&r, &c, false, line);
            for (size_t i = 0; i < nr; i++) {
                free(rings[i].xy);
            }
            free(rings);
            n_set++;
        } else if (strcmp(kind, "X") == 0) {
            /* rings rasterised and merged, then a rectangle cleared or kept */
            struct bmx_rect rect;
            rect.x = (int32_t)next_u32(&c);
            rect.y = (int32_t)next_u32(&c);
            rect.w = (int32_t)next_u32(&c);
            rect.h = (int32_t)next_u32(&c);
            bool inside = next_u32(&c) != 0;
            size_t nr = next_u32(&c);
            struct bmx_poly *rings = calloc(nr, sizeof *rings);
            struct bmx_polyset set = {nr, rings};
            struct bmx_rle whole;
            assert_non_null(rings);
            for (size_t i = 0; i < nr; i++) {
                rings[i].xy = next_ring(&c, &rings[i].n);
            }
            assert_int_equal(bmx_rle_from_polyset(&set, h, w, &whole, &err), BMX_OK);
            assert_int_equal(bmx_rle_crop_rect(&whole, rect, inside, &r, &err), BMX_OK);
            check_vector(&r, &c, true, line);
            bmx_rle_free(&whole);
            for (size_t i = 0; i < nr; i++) {
                free(rings[i].xy);
            }
            free(rings);
            n_cut++;
        } else {
            fail_msg("line %u: unknown record %s", line, kind);
        }
        assert_null(next_token(&c));
        bmx_rle_free(&r);
    }
    free(buf);
    /* the file really was read */
    assert_true(n_mask >= 50);
    assert_true(n_poly >= 200);
    assert_true(n_set >= 20);
    assert_true(n_cut >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_encode),
        cmocka_unit_test(test_hand_strings),
        cmocka_unit_test(test_bbox_cases),
        cmocka_unit_test(test_copy_free),
        cmocka_unit_test(test_roundtrip_random),
        cmocka_unit_test(test_merge_random),
        cmocka_unit_test(test_merge_cases),
        cmocka_unit_test(test_crop_cases),
        cmocka_unit_test(test_crop_random),
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_resize_cases),
        cmocka_unit_test(test_resize_random),
        cmocka_unit_test(test_poly_known),
        cmocka_unit_test(test_poly_vs_literal),
        cmocka_unit_test(test_polyset),
        cmocka_unit_test(test_poly_errors),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_vectors_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
