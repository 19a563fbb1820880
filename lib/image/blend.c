/* SPDX-License-Identifier: MIT */
/*
 * MixUp's pixels: two images blended with a weight in 1/1024 steps, in integers,
 * so the bytes are the same on every machine.
 */
#include "pixels.h"

#include <stddef.h>

/* As resize.c: where the compiler can, built twice (AVX2 and the baseline) and
 * picked by the loader; the arithmetic, so the bytes, are the same. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define BMX__VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define BMX__VECTOR_CLONES
#endif

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

void bmx__image_blend(const struct bmx_image *a, struct bmx_image *dst, uint32_t q)
{
    const size_t n = (size_t)a->w * (size_t)a->channels;
    for (int32_t y = 0; y < a->h; y++) {
        blend_row(a->data + (size_t)y * a->stride, dst->data + (size_t)y * dst->stride, n, q);
    }
}
