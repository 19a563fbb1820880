/* SPDX-License-Identifier: MIT */
/* Unsigned 32-bit keys sorted ascending: the boundary points of a polygon's
 * rasterisation (rle_from_poly.c). A sort of plain integers has one result, so
 * any correct algorithm gives the COCO API's; qsort's calls through a comparison
 * function had been a tenth of a Copy-Paste run. */
#include "rle_runs.h"

#include <string.h>

/* Below this many keys, insertion sort: the counting passes cost more. */
#define SMALL 48

static void insertion(uint32_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const uint32_t v = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

void bmx__sort_u32(uint32_t *a, uint32_t *tmp, size_t n)
{
    if (n < SMALL) {
        insertion(a, n);
        return;
    }
    /* Least significant byte first, each pass stable; a pass whose byte is the
     * same in every key moves nothing and is skipped. */
    size_t count[4][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        const uint32_t v = a[i];
        count[0][v & 0xFF]++;
        count[1][(v >> 8) & 0xFF]++;
        count[2][(v >> 16) & 0xFF]++;
        count[3][v >> 24]++;
    }
    uint32_t *src = a, *dst = tmp;
    for (unsigned pass = 0; pass < 4; pass++) {
        const unsigned shift = 8 * pass;
        size_t *c = count[pass];
        if (c[(src[0] >> shift) & 0xFF] == n) {
            continue;
        }
        size_t at = 0;
        for (unsigned d = 0; d < 256; d++) {
            const size_t k = c[d];
            c[d] = at;
            at += k;
        }
        for (size_t i = 0; i < n; i++) {
            const uint32_t v = src[i];
            dst[c[(v >> shift) & 0xFF]++] = v;
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) {
        memcpy(a, src, n * sizeof *a);
    }
}
