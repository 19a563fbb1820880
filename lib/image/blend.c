/* SPDX-License-Identifier: MIT */
/*
 * MixUp's pixels: two images blended with a weight in 1/1024 steps, in integers,
 * so the bytes are the same on every machine; and the blend with a source fitted
 * to the base's size done in one pass, the fitted source never made whole.
 */
#include "pixels.h"
#include "simd.h"

#include "error.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>

/* One row: d = (q a + (1024 - q) d + 512) >> 10; the sum stays below 2^18. */
BMX__VECTOR_CLONES
static void blend_row(const uint8_t *restrict a, uint8_t *restrict d, size_t n, uint32_t q)
{
    const uint32_t p = 1024u - q;
    size_t i = 0;
    /* Blocks of a fixed length, which the compiler's cheap vectoriser takes whole. */
    for (; i + 32 <= n; i += 32) {
        for (size_t k = 0; k < 32; k++) {
            d[i + k] = (uint8_t)((q * a[i + k] + p * d[i + k] + 512u) >> 10);
        }
    }
    for (; i < n; i++) {
        d[i] = (uint8_t)((q * a[i] + p * d[i] + 512u) >> 10);
    }
}

#ifdef BMX__AVX2

/* blend_row_to's first bytes, 32 at a time with AVX2: a's and b's bytes
 * interleaved into 16-bit pairs and multiplied-and-added with (q, 1024 - q)
 * (vpmaddwd; bytes and weights fit 16 bits, each sum is the same integer), then
 * + 512, >> 10 and packed back in order (the unpacks and packs both work within
 * 128-bit lanes). Returns the bytes done. */
__attribute__((target("avx2"))) static size_t blend_row_to_avx2(const uint8_t *a,
                                                                const uint8_t *restrict b,
                                                                uint8_t *d, size_t n, uint32_t q)
{
    const __m256i zero = _mm256_setzero_si256();
    const __m256i w = _mm256_set1_epi32((int)(q | (1024u - q) << 16));
    const __m256i half = _mm256_set1_epi32(512);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256i va = _mm256_loadu_si256((const __m256i *)(const void *)(a + i));
        const __m256i vb = _mm256_loadu_si256((const __m256i *)(const void *)(b + i));
        const __m256i lo = _mm256_unpacklo_epi8(va, vb);
        const __m256i hi = _mm256_unpackhi_epi8(va, vb);
        __m256i r0 = _mm256_madd_epi16(_mm256_unpacklo_epi8(lo, zero), w);
        __m256i r1 = _mm256_madd_epi16(_mm256_unpackhi_epi8(lo, zero), w);
        __m256i r2 = _mm256_madd_epi16(_mm256_unpacklo_epi8(hi, zero), w);
        __m256i r3 = _mm256_madd_epi16(_mm256_unpackhi_epi8(hi, zero), w);
        r0 = _mm256_srli_epi32(_mm256_add_epi32(r0, half), 10);
        r1 = _mm256_srli_epi32(_mm256_add_epi32(r1, half), 10);
        r2 = _mm256_srli_epi32(_mm256_add_epi32(r2, half), 10);
        r3 = _mm256_srli_epi32(_mm256_add_epi32(r3, half), 10);
        const __m256i out = _mm256_packus_epi16(_mm256_packs_epi32(r0, r1),
                                                _mm256_packs_epi32(r2, r3));
        _mm256_storeu_si256((__m256i *)(void *)(d + i), out);
    }
    return i;
}
#endif

/* One row: d = (q a + (1024 - q) b + 512) >> 10; d may be a (each byte is read
 * before it is written), never b. */
BMX__VECTOR_CLONES
static void blend_row_to(const uint8_t *a, const uint8_t *restrict b, uint8_t *d, size_t n,
                         uint32_t q)
{
    const uint32_t p = 1024u - q;
    size_t i = 0;
#ifdef BMX__AVX2
    if (__builtin_cpu_supports("avx2")) {
        i = blend_row_to_avx2(a, b, d, n, q);
    }
#endif
    for (; i + 32 <= n; i += 32) {
        for (size_t k = 0; k < 32; k++) {
            d[i + k] = (uint8_t)((q * a[i + k] + p * b[i + k] + 512u) >> 10);
        }
    }
    for (; i < n; i++) {
        d[i] = (uint8_t)((q * a[i] + p * b[i] + 512u) >> 10);
    }
}

/* One row against a constant: d = (q a + (1024 - q) fill + 512) >> 10, that is
 * (q a + k) >> 10 with k = (1024 - q) fill + 512; d may be a. */
BMX__VECTOR_CLONES
static void blend_row_fill(const uint8_t *a, uint8_t *d, size_t n, uint32_t q, uint8_t fill)
{
    const uint32_t k0 = (1024u - q) * fill + 512u;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        for (size_t k = 0; k < 32; k++) {
            d[i + k] = (uint8_t)((q * a[i + k] + k0) >> 10);
        }
    }
    for (; i < n; i++) {
        d[i] = (uint8_t)((q * a[i] + k0) >> 10);
    }
}

void bmx__image_blend(const struct bmx_image *a, struct bmx_image *dst, uint32_t q)
{
    const size_t n = (size_t)a->w * (size_t)a->channels;
    for (int32_t y = 0; y < a->h; y++) {
        blend_row(a->data + (size_t)y * a->stride, dst->data + (size_t)y * dst->stride, n, q);
    }
}

/* Rows of the resized source made at once: about this many bytes (an L2 cache's
 * worth), at least STRIP_MIN rows (each strip starts its resize afresh, so the
 * input rows its first output row reads are filtered once more). */
#define STRIP_BYTES (256u * 1024u)
#define STRIP_MIN 16

bmx_status bmx__image_blend_fitted(const struct bmx_image *a, const struct bmx_image *b,
                                   int32_t sw, int32_t sh, int32_t ox, int32_t oy, uint8_t fill,
                                   uint32_t q, struct bmx_image *dst, uint8_t **work,
                                   size_t *work_cap, bmx_error *err)
{
    const size_t c = (size_t)a->channels;
    const size_t n = (size_t)a->w * c;
    if (sw <= 0 || sh <= 0 || ox < 0 || oy < 0 || sw > a->w - ox || sh > a->h - oy ||
        b->channels != a->channels || dst->w != a->w || dst->h != a->h ||
        dst->channels != a->channels || (dst->data == a->data && dst->stride != a->stride) ||
        (work == NULL) != (work_cap == NULL)) {
        return bmx__fail(err, BMX_E_INVALID,
                         "blend: a %" PRId32 "x%" PRId32 " source at (%" PRId32 ", %" PRId32
                         ") does not fit a %" PRId32 "x%" PRId32 " image",
                         sw, sh, ox, oy, a->w, a->h);
    }
    const bool direct = sw == b->w && sh == b->h;
    const size_t left = (size_t)ox * c, mid = (size_t)sw * c;
    const size_t right = n - left - mid;
    int32_t strip = 1;
    struct bmx_image part = {sw, 0, a->channels, mid, NULL};
    if (!direct) {
        size_t rows = STRIP_BYTES / mid;
        strip = rows < STRIP_MIN ? STRIP_MIN : rows > (size_t)sh ? sh : (int32_t)rows;
        size_t need = 0;
        if (work != NULL && *work != NULL && bmx__mul_size((size_t)strip, mid, &need) &&
            *work_cap >= need) {
            part.data = *work;
        } else {
            part.data = bmx__alloc_array((size_t)strip, mid);
            if (part.data == NULL) {
                return bmx__fail(err, BMX_E_NOMEM,
                                 "blend: cannot allocate %" PRId32 " rows of %zu bytes", strip,
                                 mid);
            }
            if (work != NULL) {
                free(*work);
                *work = part.data;
                *work_cap = (size_t)strip * mid; /* allocated: no overflow */
            }
        }
    }
    bmx_status st = BMX_OK;
    for (int32_t y = 0; y < a->h && st == BMX_OK; y++) {
        const uint8_t *ra = a->data + (size_t)y * a->stride;
        uint8_t *rd = dst->data + (size_t)y * dst->stride;
        if (y < oy || y >= oy + sh) {
            blend_row_fill(ra, rd, n, q, fill);
            continue;
        }
        const int32_t sy = y - oy; /* row of the sw x sh source */
        const uint8_t *rb;
        if (direct) {
            rb = b->data + (size_t)sy * b->stride;
        } else {
            const int32_t k = sy % strip;
            if (k == 0) {
                const int32_t rows = sh - sy < strip ? sh - sy : strip;
                part.h = rows;
                st = bmx__image_resize_rect_at(b, sw, sh, (struct bmx_rect){0, sy, sw, rows},
                                               &part, 0, 0, err);
                if (st != BMX_OK) {
                    break;
                }
            }
            rb = part.data + (size_t)k * mid;
        }
        if (left > 0) {
            blend_row_fill(ra, rd, left, q, fill);
        }
        blend_row_to(ra + left, rb, rd + left, mid, q);
        if (right > 0) {
            blend_row_fill(ra + left + mid, rd + left + mid, right, q, fill);
        }
    }
    if (work == NULL) {
        free(part.data);
    }
    return st;
}
