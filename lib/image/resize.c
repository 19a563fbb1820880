/* SPDX-License-Identifier: MIT */
/*
 * The fixed-point bilinear resize, whose output is the same bytes on every machine:
 * of a whole image (bmx_image_resize) or of one rectangle of the output only
 * (CutMix's patch). Shrinks go to the filtered resample (resample.c).
 */
#include "pixels.h"
#include "simd.h"

#include "boxmix.h"
#include "error.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Resize weights: 11 fractional bits per axis, so a 2-D weight has 22. */
#define FRAC_BITS 11
#define FRAC_ONE (1u << FRAC_BITS)

/* Where output sample `dst` of one axis reads from the input. */
struct axis_tap {
    size_t i0, i1; /* input indices (scaled to bytes by the caller) */
    uint32_t f;    /* weight of i1 in FRAC_ONE units; i0 gets FRAC_ONE - f */
};

/*
 * src = (dst + 0.5) * n_in / n_out - 0.5, clamped to [0, n_in - 1], computed as the
 * exact fraction ((2 dst + 1) n_in - n_out) / (2 n_out) and only then rounded to
 * FRAC_BITS: integer arithmetic, so every machine agrees. All terms fit int64:
 * (2 dst + 1) < 2^32 and n_in < 2^31.
 */
static struct axis_tap axis_map(int32_t n_in, int32_t n_out, int32_t dst)
{
    struct axis_tap t = {0, 0, 0};
    int64_t den = 2 * (int64_t)n_out;
    int64_t num = (2 * (int64_t)dst + 1) * n_in - n_out;
    int64_t ip;
    int64_t rem;

    if (num <= 0) {
        return t;
    }
    ip = num / den;
    rem = num % den;
    if (ip >= (int64_t)n_in - 1) {
        t.i0 = t.i1 = (size_t)n_in - 1;
        return t;
    }
    t.i0 = (size_t)ip;
    t.i1 = (size_t)ip + 1;
    t.f = (uint32_t)((rem * FRAC_ONE + den / 2) / den);
    return t;
}

#ifdef BMX__AVX2
/* The outputs interp_rgb_avx2 may take, from the first (even, at most `fast`):
 * while each output's taps are neighbours (i1 = i0 + 3 bytes, or the clamped i1 =
 * i0 with f = 0, where the neighbour read gets weight 0) and its 8-byte read stays
 * in the row of `row_bytes`. */
static int32_t avx2_prefix(const struct axis_tap *xs, int32_t fast, size_t row_bytes)
{
    int32_t x = 0;
    while (x < fast) {
        const struct axis_tap *t = &xs[x];
        if (!(t->i1 == t->i0 + 3 || (t->i1 == t->i0 && t->f == 0)) || t->i0 + 8 > row_bytes) {
            break;
        }
        x++;
    }
    return x & ~(int32_t)1;
}

/* interp_rgb's outputs [0, n2) (n2 from avx2_prefix), two at a time with AVX2: one
 * byte shuffle sets each pixel's six bytes out as the 16-bit pairs (p0[k], p1[k]),
 * a multiply-add with its pair of weights `wp[x]` = (2^11 - f) | f << 16 makes each
 * channel's sum (the same integers), and the two pixels' three sums are packed and
 * stored together (eight sums written, the last two overwritten next; n2 < the
 * outputs, so the store stays in the line). */
__attribute__((target("avx2"))) static void interp_rgb_avx2(const uint8_t *src,
                                                            const struct axis_tap *xs,
                                                            const uint32_t *wp, int32_t n2,
                                                            uint32_t *o)
{
    const __m256i shuf = _mm256_setr_epi8(0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1,
                                          -1, 0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1,
                                          -1, -1);
    const __m256i pack = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
    const __m256i spread = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1);
    for (int32_t x = 0; x < n2; x += 2) {
        const __m128i va = _mm_loadl_epi64((const __m128i *)(const void *)(src + xs[x].i0));
        const __m128i vb = _mm_loadl_epi64((const __m128i *)(const void *)(src + xs[x + 1].i0));
        const __m256i v = _mm256_shuffle_epi8(
            _mm256_inserti128_si256(_mm256_castsi128_si256(va), vb, 1), shuf);
        const __m256i w = _mm256_permutevar8x32_epi32(
            _mm256_castsi128_si256(_mm_loadl_epi64((const __m128i *)(const void *)(wp + x))),
            spread);
        const __m256i sums = _mm256_permutevar8x32_epi32(_mm256_madd_epi16(v, w), pack);
        _mm256_storeu_si256((__m256i *)(void *)(o + 3 * (size_t)x), sums);
    }
}
#endif

/* One RGB input row interpolated along x: o[3x + k] = p0[k] (2^11 - f) + p1[k] f
 * for the r.w outputs. The first n2 with AVX2 (wp: their weight pairs; n2 0 where
 * there is none); then with SSE2, the two taps' bytes are interleaved and
 * multiplied-and-added in 16-bit pairs (pmaddwd: the same integer sums) for every
 * output but those whose 4-byte reads would pass the row's end and the last one
 * (whose 16-byte store would pass the line's end). */
static void interp_rgb(const uint8_t *src, const struct axis_tap *xs, const uint32_t *wp,
                       int32_t n2, int32_t n_x, int32_t fast, uint32_t *o)
{
    int32_t x = 0;
#ifdef BMX__AVX2
    if (n2 > 0) {
        interp_rgb_avx2(src, xs, wp, n2, o);
        x = n2;
    }
#else
    (void)wp;
    (void)n2;
#endif
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    for (; x < fast; x++) {
        uint32_t a, b;
        memcpy(&a, src + xs[x].i0, 4);
        memcpy(&b, src + xs[x].i1, 4);
        __m128i v = _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)a), _mm_cvtsi32_si128((int)b));
        v = _mm_unpacklo_epi8(v, zero);
        const uint32_t f = xs[x].f;
        const __m128i wv = _mm_set1_epi32((int)((FRAC_ONE - f) | (f << 16)));
        _mm_storeu_si128((__m128i *)(void *)(o + 3 * (size_t)x), _mm_madd_epi16(v, wv));
    }
#else
    (void)fast;
#endif
    for (; x < n_x; x++) {
        const uint8_t *p0 = src + xs[x].i0;
        const uint8_t *p1 = src + xs[x].i1;
        const uint32_t wx1 = xs[x].f;
        const uint32_t wx0 = FRAC_ONE - wx1;
        uint32_t *d = o + 3 * (size_t)x;
        d[0] = p0[0] * wx0 + p1[0] * wx1;
        d[1] = p0[1] * wx0 + p1[1] * wx1;
        d[2] = p0[2] * wx0 + p1[2] * wx1;
    }
}

/* Fill the pixels of `r` (a rectangle of the w x h output) of the bilinear resize
 * of `in` into `dst`, an image of w x h. Only what is asked is computed, so CutMix
 * resizes just the patch of a source of another size. */
bmx_status bmx__image_resize_rect(const struct bmx_image *in, int32_t w, int32_t h,
                                  struct bmx_rect r, struct bmx_image *dst, bmx_error *err)
{
    return bmx__image_resize_rect_at(in, w, h, r, dst, r.x, r.y, err);
}

/* The rows' blends are 32-bit integer products: x86-64's baseline (SSE2) has no
 * 32-bit vector multiply, AVX2 multiplies eight at once (simd.h). */
BMX__VECTOR_CLONES
bmx_status bmx__image_resize_rect_at(const struct bmx_image *in, int32_t w, int32_t h,
                                     struct bmx_rect r, struct bmx_image *dst, int32_t at_x,
                                     int32_t at_y, bmx_error *err)
{
    size_t c = (size_t)in->channels;
    if (r.w <= 0 || r.h <= 0) {
        return BMX_OK;
    }
    if (w == in->w && h == in->h) {
        for (int32_t y = r.y; y < r.y + r.h; y++) {
            memcpy(dst->data + (size_t)(at_y + y - r.y) * dst->stride + (size_t)at_x * c,
                   in->data + (size_t)y * in->stride + (size_t)r.x * c, (size_t)r.w * c);
        }
        return BMX_OK;
    }
    if (in->w > w || in->h > h) {
        /* A shrink: filtered over each output pixel's footprint (resample.c). */
        return bmx__image_resample_rect_at(in, w, h, r, dst, at_x, at_y, err);
    }
    /* Separable: each input row the patch needs is interpolated along x once (kept
     * unrounded, as 2^11-scaled sums) and every output row blends two of them. The
     * arithmetic is the same as blending the four taps per pixel, so are the bytes. */
    size_t n = (size_t)r.w * c;
    struct axis_tap *xs = bmx__alloc_array((size_t)r.w, sizeof *xs);
    uint32_t *rows = bmx__alloc_array(n, 2 * sizeof *rows);
    uint32_t *wp = NULL;
    bmx_status st = BMX_OK;
    if (xs == NULL || rows == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "image resize: cannot allocate %" PRId32 " taps", r.w);
        goto cleanup;
    }
    for (int32_t x = 0; x < r.w; x++) {
        xs[x] = axis_map(in->w, w, r.x + x);
        xs[x].i0 *= c;
        xs[x].i1 *= c;
    }
    /* The outputs from the first whose 4-byte read at i1 passes the row's end on
     * are interpolated one byte at a time (the taps only move right). */
    int32_t fast = 0;
    while (fast < r.w - 1 && xs[fast].i1 + 4 <= (size_t)in->w * c) {
        fast++;
    }
    /* The outputs done two at a time with AVX2, and their weight pairs. */
    int32_t n2 = 0;
#ifdef BMX__AVX2
    if (c == 3 && in->w != w && __builtin_cpu_supports("avx2")) {
        n2 = avx2_prefix(xs, fast, (size_t)in->w * c);
    }
#endif
    wp = n2 > 0 ? bmx__alloc_array((size_t)n2, sizeof *wp) : NULL;
    if (n2 > 0 && wp == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "image resize: cannot allocate %" PRId32 " taps", r.w);
        goto cleanup;
    }
    for (int32_t x = 0; x < n2; x++) {
        wp[x] = (FRAC_ONE - xs[x].f) | xs[x].f << 16;
    }
    uint32_t *slot[2] = {rows, rows + n};
    size_t held[2] = {SIZE_MAX, SIZE_MAX}; /* input row in each slot */
    for (int32_t y = r.y; y < r.y + r.h; y++) {
        struct axis_tap ty = axis_map(in->h, h, y);
        const size_t want[2] = {ty.i0, ty.i1};
        const uint32_t *line[2];
        for (int k2 = 0; k2 < 2; k2++) {
            int s2 = held[0] == want[k2] ? 0 : held[1] == want[k2] ? 1 : -1;
            if (s2 < 0) {
                /* Never evict the other row this output row needs. */
                s2 = held[0] == want[1 - k2] ? 1 : 0;
                const uint8_t *src = in->data + want[k2] * in->stride;
                uint32_t *o = slot[s2];
                if (in->w == w) {
                    /* x not resized: every tap is the pixel itself with FRAC_ONE
                     * (and its neighbour with 0), so each sum is the byte times
                     * FRAC_ONE. */
                    const uint8_t *p = src + (size_t)r.x * c;
                    for (size_t q = 0; q < n; q++) {
                        o[q] = (uint32_t)p[q] << FRAC_BITS;
                    }
                } else if (c == 3) {
                    /* RGB, the common case. */
                    interp_rgb(src, xs, wp, n2, r.w, fast, o);
                } else {
                    for (int32_t x = 0; x < r.w; x++) {
                        const struct axis_tap *tx = &xs[x];
                        uint32_t wx1 = tx->f;
                        uint32_t wx0 = FRAC_ONE - wx1;
                        for (size_t k = 0; k < c; k++) {
                            *o++ = src[tx->i0 + k] * wx0 + src[tx->i1 + k] * wx1;
                        }
                    }
                }
                held[s2] = want[k2];
            }
            line[k2] = slot[s2];
        }
        const uint32_t wy1 = ty.f;
        const uint32_t wy0 = FRAC_ONE - wy1;
        uint8_t *d = dst->data + (size_t)(at_y + y - r.y) * dst->stride + (size_t)at_x * c;
        for (size_t q = 0; q < n; q++) {
            /* top, bottom <= 255 * 2^11; the sum below stays under 2^30 + 2^21. */
            d[q] = (uint8_t)((line[0][q] * wy0 + line[1][q] * wy1 +
                              (1u << (2 * FRAC_BITS - 1))) >> (2 * FRAC_BITS));
        }
    }

cleanup:
    free(wp);
    free(rows);
    free(xs);
    return st;
}

bmx_status bmx_image_resize(const struct bmx_image *in, int32_t w, int32_t h,
                            struct bmx_image *out, bmx_error *err)
{
    struct bmx_image img = {0};
    bmx_status st;

    if (out == NULL || out == in) {
        return bmx__fail(err, BMX_E_INVALID, "image resize: output missing or same as input");
    }
    memset(out, 0, sizeof *out);
    st = bmx__image_check_view(in, err);
    if (st != BMX_OK) {
        return st;
    }
    st = bmx_image_new(w, h, in->channels, &img, err);
    if (st != BMX_OK) {
        return st;
    }
    st = bmx__image_resize_rect(in, w, h, (struct bmx_rect){0, 0, w, h}, &img, err);
    if (st != BMX_OK) {
        bmx_image_free(&img);
        return st;
    }
    *out = img;
    return BMX_OK;
}
