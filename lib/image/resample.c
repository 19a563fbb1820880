/* SPDX-License-Identifier: MIT */
/*
 * Shrinking without aliasing (DESIGN.md, "Resampling"): each output pixel is the
 * average of the input pixels under its footprint, weighted by a triangle whose
 * half-width is the shrink factor (the antialiased "bilinear" of PIL and
 * torchvision: bilinear's tent, stretched over the footprint). An axis that is not
 * shrunk keeps bilinear's two taps and weights, so where nothing shrinks this is
 * the bilinear resize exactly; resize.c sends only shrinks here.
 *
 * Fixed point throughout: the tap weights are integers computed from the exact
 * fractions and made to sum to 2^11, every sum is an integer one, so every machine
 * writes the same bytes.
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

#define FRAC_BITS 11
#define FRAC_ONE (1u << FRAC_BITS)

/* One axis: output sample d reads the inputs first[d] .. first[d] + count[d] - 1
 * with the weights weight[off[d] ..], which sum to FRAC_ONE. */
struct taps {
    size_t *first;
    uint32_t *count;
    size_t *off;
    uint32_t *weight;
    uint32_t most; /* the largest count */
};

static void taps_free(struct taps *t)
{
    free(t->first);
    free(t->count);
    free(t->off);
    free(t->weight);
    memset(t, 0, sizeof *t);
}

/* Bilinear's taps for output d of n_in -> n_out (n_out >= n_in): the same
 * fractions as resize.c's, so the same weights. */
static void bilinear_tap(int64_t n_in, int64_t n_out, int64_t d, size_t *first, uint32_t *count,
                         uint32_t *w)
{
    int64_t den = 2 * n_out;
    int64_t num = (2 * d + 1) * n_in - n_out;
    if (num <= 0) {
        *first = 0;
        *count = 1;
        w[0] = FRAC_ONE;
        return;
    }
    int64_t ip = num / den, rem = num % den;
    if (ip >= n_in - 1) {
        *first = (size_t)(n_in - 1);
        *count = 1;
        w[0] = FRAC_ONE;
        return;
    }
    uint32_t f = (uint32_t)((rem * FRAC_ONE + den / 2) / den);
    *first = (size_t)ip;
    *count = 2;
    w[0] = FRAC_ONE - f;
    w[1] = f;
}

/*
 * The triangle's taps for output d of n_in -> n_out (n_in > n_out). In units of
 * 1 / (2 n_out) input pixels, input i's centre is at (2i + 1) n_out, output d's at
 * (2d + 1) n_in, and the triangle's half-width is 2 n_in: input i weighs
 * max(0, 2 n_in - |distance|), exactly. Inputs outside the image are left out and
 * the rest scaled to sum to FRAC_ONE: tap q gets the rounded running total up to
 * q minus the rounded running total before it, so the weights sum to FRAC_ONE
 * exactly and none is negative.
 */
static int64_t raw_weight(int64_t n_out, int64_t c, int64_t half, int64_t i)
{
    int64_t dist = (2 * i + 1) * n_out - c;
    if (dist < 0) {
        dist = -dist;
    }
    return dist < half ? half - dist : 0;
}

static uint32_t triangle_taps(int64_t n_in, int64_t n_out, int64_t d, size_t *first,
                              uint32_t *w)
{
    int64_t c = (2 * d + 1) * n_in; /* output centre */
    int64_t half = 2 * n_in;        /* half-width */
    /* Every input whose centre lies strictly inside (c - half, c + half) is in
     * [lo, hi]; some at the ends may weigh nothing. */
    int64_t lo = (c - half) / (2 * n_out);
    int64_t hi = (c + half) / (2 * n_out) + 1;
    if (lo < 0) {
        lo = 0;
    }
    if (hi > n_in - 1) {
        hi = n_in - 1;
    }
    while (raw_weight(n_out, c, half, lo) == 0) {
        lo++; /* the centre's own input always weighs something */
    }
    while (raw_weight(n_out, c, half, hi) == 0) {
        hi--;
    }
    uint64_t total = 0;
    for (int64_t i = lo; i <= hi; i++) {
        total += (uint64_t)raw_weight(n_out, c, half, i);
    }
    /* Running totals times FRAC_ONE must fit 64 bits: drop low bits of every raw
     * weight alike when the image is very large (an integer step, so every
     * machine drops the same). */
    unsigned shift = 0;
    while ((total >> shift) >= (UINT64_C(1) << (62 - FRAC_BITS))) {
        shift++;
    }
    uint64_t sum = 0;
    for (int64_t i = lo; i <= hi; i++) {
        sum += (uint64_t)raw_weight(n_out, c, half, i) >> shift;
    }
    uint64_t run = 0;
    uint32_t before = 0;
    for (int64_t i = lo; i <= hi; i++) {
        run += (uint64_t)raw_weight(n_out, c, half, i) >> shift;
        uint32_t upto = (uint32_t)((run * FRAC_ONE + sum / 2) / sum);
        w[i - lo] = upto - before;
        before = upto;
    }
    *first = (size_t)lo;
    return (uint32_t)(hi - lo + 1);
}

/* Taps of the outputs [from, from + n) of one axis. */
static bool taps_make(struct taps *t, int32_t n_in, int32_t n_out, int32_t from, int32_t n)
{
    memset(t, 0, sizeof *t);
    /* A triangle of half-width s input pixels spans fewer than 2 s + 2 of them. */
    uint64_t per = n_in > n_out ? 2 * ((uint64_t)n_in / (uint64_t)n_out + 1) + 2 : 2;
    t->first = bmx__alloc_array((size_t)n, sizeof *t->first);
    t->count = bmx__alloc_array((size_t)n, sizeof *t->count);
    t->off = bmx__alloc_array((size_t)n, sizeof *t->off);
    t->weight = per <= SIZE_MAX / (size_t)n ? bmx__alloc_array((size_t)n * per, sizeof *t->weight)
                                            : NULL;
    if (t->first == NULL || t->count == NULL || t->off == NULL || t->weight == NULL) {
        taps_free(t);
        return false;
    }
    size_t at = 0;
    for (int32_t q = 0; q < n; q++) {
        t->off[q] = at;
        if (n_in > n_out) {
            t->count[q] = triangle_taps(n_in, n_out, from + q, &t->first[q], t->weight + at);
        } else {
            bilinear_tap(n_in, n_out, from + q, &t->first[q], &t->count[q], t->weight + at);
        }
        at += t->count[q];
        if (t->count[q] > t->most) {
            t->most = t->count[q];
        }
    }
    return true;
}

/* The x taps again, every output with the same count (`most`): shorter lists padded
 * with zero weights, at the front when the list ends at the image's right edge (so
 * no index passes it), else at the back. Adding zero products changes no sum; a
 * fixed count lets the compiler unroll the RGB loops below. */
struct padded {
    size_t *first;
    uint32_t *weight; /* n * most */
    uint32_t most;
    /* RGB with SSE2: the weights again in pairs, w[2j] | w[2j + 1] << 16 (npair =
     * most / 2 rounded up, a zero weight last when most is odd), and `fast`, the
     * outputs filtered so: a prefix, those whose 4-byte reads of 2 npair pixels
     * stay in the row, but not the last (whose 16-byte store would pass the
     * line's end). */
    uint32_t *pair;
    uint32_t npair;
    int32_t fast;
};

static bool taps_pad(const struct taps *t, int32_t n_in, int32_t n, struct padded *p)
{
    p->most = t->most;
    p->npair = (t->most + 1) / 2;
    p->first = bmx__alloc_array((size_t)n, sizeof *p->first);
    p->weight = calloc((size_t)n * t->most, sizeof *p->weight);
    p->pair = bmx__alloc_array((size_t)n, p->npair * sizeof *p->pair);
    if (p->first == NULL || p->weight == NULL || p->pair == NULL) {
        free(p->first);
        free(p->weight);
        free(p->pair);
        return false;
    }
    for (int32_t x = 0; x < n; x++) {
        size_t first = t->first[x], lead = 0;
        if (first + t->most > (size_t)n_in) {
            lead = first + t->most - (size_t)n_in; /* <= first: most <= n_in */
        }
        p->first[x] = first - lead;
        memcpy(p->weight + (size_t)x * t->most + lead, t->weight + t->off[x],
               t->count[x] * sizeof *p->weight);
        const uint32_t *w = p->weight + (size_t)x * t->most;
        for (uint32_t j = 0; j < p->npair; j++) {
            const uint32_t hi = 2 * j + 1 < t->most ? w[2 * j + 1] : 0;
            p->pair[(size_t)x * p->npair + j] = w[2 * j] | hi << 16;
        }
    }
    /* first only grows with x; the reads end at pixel first + 2 npair - 1, whose
     * 4 bytes take the next pixel's first. */
    p->fast = 0;
    while (p->fast < n - 1 && p->first[p->fast] + 2 * (size_t)p->npair < (size_t)n_in) {
        p->fast++;
    }
    return true;
}

/* RGB rows with NT taps each, unrolled by the compiler. */
#define FILTER_RGB(NT)                                                                             \
    static void filter_rgb_##NT(const uint8_t *src, int32_t x0, int32_t n_x,                      \
                                const struct padded *px, uint32_t *line)                           \
    {                                                                                              \
        for (int32_t x = x0; x < n_x; x++) {                                                       \
            const uint32_t *wx = px->weight + (size_t)x * (NT);                                    \
            const uint8_t *p = src + px->first[x] * 3;                                             \
            uint32_t s0 = 0, s1 = 0, s2 = 0;                                                       \
            for (int i = 0; i < (NT); i++) {                                                       \
                s0 += p[3 * i] * wx[i];                                                            \
                s1 += p[3 * i + 1] * wx[i];                                                        \
                s2 += p[3 * i + 2] * wx[i];                                                        \
            }                                                                                      \
            line[3 * (size_t)x] = s0;                                                              \
            line[3 * (size_t)x + 1] = s1;                                                          \
            line[3 * (size_t)x + 2] = s2;                                                          \
        }                                                                                          \
    }
FILTER_RGB(2)
FILTER_RGB(3)
FILTER_RGB(4)
FILTER_RGB(5)
FILTER_RGB(6)
#undef FILTER_RGB

/* RGB outputs [0, px->fast) with SSE2: two taps' bytes interleaved and
 * multiplied-and-added in 16-bit pairs (pmaddwd; bytes and weights <= 2^11 fit, the
 * sums are the same integers); NP pairs of taps, a constant the compiler unrolls. */
#if defined(__SSE2__)
static inline __m128i tap_pair(const uint8_t *p, uint32_t w)
{
    uint32_t a, b;
    memcpy(&a, p, 4);
    memcpy(&b, p + 3, 4);
    __m128i v = _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)a), _mm_cvtsi32_si128((int)b));
    v = _mm_unpacklo_epi8(v, _mm_setzero_si128());
    return _mm_madd_epi16(v, _mm_set1_epi32((int)w));
}

#define FILTER_PAIRS(NP)                                                                           \
    static void filter_pairs_##NP(const uint8_t *src, const struct padded *px, int32_t x0,        \
                                  uint32_t *line)                                                  \
    {                                                                                              \
        for (int32_t x = x0; x < px->fast; x++) {                                                  \
            const uint8_t *p = src + px->first[x] * 3;                                             \
            const uint32_t *pw = px->pair + (size_t)x * (NP);                                      \
            __m128i acc = tap_pair(p, pw[0]);                                                      \
            for (int j = 1; j < (NP); j++) {                                                       \
                acc = _mm_add_epi32(acc, tap_pair(p + 6 * j, pw[j]));                              \
            }                                                                                      \
            _mm_storeu_si128((__m128i *)(void *)(line + 3 * (size_t)x), acc);                      \
        }                                                                                          \
    }
FILTER_PAIRS(1)
FILTER_PAIRS(2)
FILTER_PAIRS(3)
#undef FILTER_PAIRS
#endif

#ifdef BMX__AVX2

/* The outputs filter_pairs_avx2 may take, from the first: one or two pairs of taps,
 * the outputs SSE2 takes (`fast`) whose 8- (one pair) or 16-byte (two) read from
 * their first tap stays in the row of `row_bytes`; an even count for one pair. */
static int32_t avx2_prefix(const struct padded *px, size_t row_bytes)
{
    if (px->npair < 1 || px->npair > 2) {
        return 0;
    }
    const size_t span = px->npair == 1 ? 8 : 16;
    int32_t x = 0;
    while (x < px->fast && px->first[x] * 3 + span <= row_bytes) {
        x++;
    }
    return px->npair == 1 ? x & ~(int32_t)1 : x;
}

/* RGB outputs [0, n2) with AVX2 (n2 from avx2_prefix), the same integer sums as
 * tap_pair's: a byte shuffle sets out the taps' bytes as 16-bit pairs (tap 2j,
 * tap 2j + 1) per channel, a multiply-add with the pair's weights makes the sums.
 * One pair: two outputs at a time, their three sums packed and stored together
 * (eight written, the last two overwritten next). Two pairs: each output's 16
 * bytes read once into both halves, a pair in each, the halves added; two outputs
 * a step, stored together as for one pair. */
__attribute__((target("avx2"))) static void filter_pairs_avx2(const uint8_t *src,
                                                              const struct padded *px,
                                                              int32_t n2, uint32_t *line)
{
    const __m256i spread = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1);
    if (px->npair == 1) {
        const __m256i shuf = _mm256_setr_epi8(0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1,
                                              -1, -1, 0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1,
                                              -1, -1, -1, -1);
        const __m256i pack = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
        for (int32_t x = 0; x < n2; x += 2) {
            const __m128i va =
                _mm_loadl_epi64((const __m128i *)(const void *)(src + px->first[x] * 3));
            const __m128i vb =
                _mm_loadl_epi64((const __m128i *)(const void *)(src + px->first[x + 1] * 3));
            const __m256i v = _mm256_shuffle_epi8(
                _mm256_inserti128_si256(_mm256_castsi128_si256(va), vb, 1), shuf);
            const __m256i w = _mm256_permutevar8x32_epi32(
                _mm256_castsi128_si256(
                    _mm_loadl_epi64((const __m128i *)(const void *)(px->pair + x))),
                spread);
            const __m256i sums = _mm256_permutevar8x32_epi32(_mm256_madd_epi16(v, w), pack);
            _mm256_storeu_si256((__m256i *)(void *)(line + 3 * (size_t)x), sums);
        }
        return;
    }
    const __m256i shuf = _mm256_setr_epi8(0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1,
                                          -1, 6, -1, 9, -1, 7, -1, 10, -1, 8, -1, 11, -1, -1,
                                          -1, -1, -1);
    const __m256i spread_b = _mm256_setr_epi32(2, 2, 2, 2, 3, 3, 3, 3);
    const __m256i pack = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
    int32_t x = 0;
    /* Two outputs a step while a pair's eight sums fit before the line's end (the
     * second output is not the last: n2 <= fast). */
    for (; x + 2 <= n2; x += 2) {
        const __m256i va = _mm256_shuffle_epi8(
            _mm256_broadcastsi128_si256(
                _mm_loadu_si128((const __m128i *)(const void *)(src + px->first[x] * 3))),
            shuf);
        const __m256i vb = _mm256_shuffle_epi8(
            _mm256_broadcastsi128_si256(
                _mm_loadu_si128((const __m128i *)(const void *)(src + px->first[x + 1] * 3))),
            shuf);
        const __m256i w4 = _mm256_castsi128_si256(
            _mm_loadu_si128((const __m128i *)(const void *)(px->pair + 2 * (size_t)x)));
        const __m256i sa = _mm256_madd_epi16(va, _mm256_permutevar8x32_epi32(w4, spread));
        const __m256i sb = _mm256_madd_epi16(vb, _mm256_permutevar8x32_epi32(w4, spread_b));
        /* [a's first pair | b's first pair] + [a's second pair | b's second pair] */
        const __m256i sums = _mm256_add_epi32(_mm256_permute2x128_si256(sa, sb, 0x20),
                                              _mm256_permute2x128_si256(sa, sb, 0x31));
        _mm256_storeu_si256((__m256i *)(void *)(line + 3 * (size_t)x),
                            _mm256_permutevar8x32_epi32(sums, pack));
    }
    for (; x < n2; x++) {
        const __m256i v = _mm256_shuffle_epi8(
            _mm256_broadcastsi128_si256(
                _mm_loadu_si128((const __m128i *)(const void *)(src + px->first[x] * 3))),
            shuf);
        const __m256i w = _mm256_permutevar8x32_epi32(
            _mm256_castsi128_si256(
                _mm_loadl_epi64((const __m128i *)(const void *)(px->pair + 2 * (size_t)x))),
            spread);
        const __m256i s = _mm256_madd_epi16(v, w);
        _mm_storeu_si128((__m128i *)(void *)(line + 3 * (size_t)x),
                         _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1)));
    }
}
#endif

/* Returns the first output left to do: [0, n2) with AVX2 first (n2 0 where there
 * is none), then SSE2 up to px->fast. */
static int32_t filter_rgb_pairs(const uint8_t *src, const struct padded *px, int32_t n2,
                                uint32_t *line)
{
#ifdef BMX__AVX2
    if (n2 > 0) {
        filter_pairs_avx2(src, px, n2, line);
    }
#endif
#if defined(__SSE2__)
    switch (px->npair) {
    case 1:
        filter_pairs_1(src, px, n2, line);
        return px->fast;
    case 2:
        filter_pairs_2(src, px, n2, line);
        return px->fast;
    case 3:
        filter_pairs_3(src, px, n2, line);
        return px->fast;
    default:
        break;
    }
    for (int32_t x = n2; x < px->fast; x++) {
        const uint8_t *p = src + px->first[x] * 3;
        const uint32_t *pw = px->pair + (size_t)x * px->npair;
        __m128i acc = _mm_setzero_si128();
        for (uint32_t j = 0; j < px->npair; j++, p += 6) {
            acc = _mm_add_epi32(acc, tap_pair(p, pw[j]));
        }
        _mm_storeu_si128((__m128i *)(void *)(line + 3 * (size_t)x), acc);
    }
    return px->fast;
#else
    (void)src;
    (void)px;
    (void)line;
    return n2;
#endif
}

/* Filter input row `src` along x into `line` (r.w * c sums); RGB's first n2
 * outputs with AVX2. */
static void filter_row(const uint8_t *src, size_t c, int32_t n_x, const struct padded *px,
                       int32_t n2, uint32_t *line)
{
    if (c == 3) {
        const int32_t x0 = filter_rgb_pairs(src, px, n2, line);
        switch (px->most) {
        case 2:
            filter_rgb_2(src, x0, n_x, px, line);
            return;
        case 3:
            filter_rgb_3(src, x0, n_x, px, line);
            return;
        case 4:
            filter_rgb_4(src, x0, n_x, px, line);
            return;
        case 5:
            filter_rgb_5(src, x0, n_x, px, line);
            return;
        case 6:
            filter_rgb_6(src, x0, n_x, px, line);
            return;
        default:
            for (int32_t x = x0; x < n_x; x++) {
                const uint32_t *wx = px->weight + (size_t)x * px->most;
                const uint8_t *p = src + px->first[x] * 3;
                for (size_t k = 0; k < 3; k++) {
                    uint32_t sum = 0;
                    for (uint32_t i = 0; i < px->most; i++) {
                        sum += p[i * 3 + k] * wx[i];
                    }
                    line[(size_t)x * 3 + k] = sum;
                }
            }
            return;
        }
    }
    for (int32_t x = 0; x < n_x; x++) {
        const uint32_t *wx = px->weight + (size_t)x * px->most;
        const uint8_t *p = src + px->first[x] * c;
        for (size_t k = 0; k < c; k++) {
            uint32_t sum = 0;
            for (uint32_t i = 0; i < px->most; i++) {
                sum += p[i * c + k] * wx[i];
            }
            line[(size_t)x * c + k] = sum;
        }
    }
}

/* Blends of 32-bit products, as in resize.c: built for AVX2 too where it can be
 * (simd.h). */
BMX__VECTOR_CLONES
static void blend_rows(uint32_t *acc, const uint32_t *line, uint32_t w, size_t n)
{
    for (size_t q = 0; q < n; q++) {
        acc[q] += line[q] * w;
    }
}

/* An input row whose x axis is not resized (n_in == n_out: bilinear's taps are
 * the pixel itself with FRAC_ONE and its neighbour with 0): each sum is the byte
 * times FRAC_ONE, the same values as filter_row's. */
BMX__VECTOR_CLONES
static void filter_row_same(const uint8_t *restrict src, size_t n, uint32_t *restrict line)
{
    for (size_t q = 0; q < n; q++) {
        line[q] = (uint32_t)src[q] << FRAC_BITS;
    }
}

/* One output row from the x-filtered rows it reads, in one pass for up to four
 * of them: d = (2^21 + sum of line_j * w_j) >> 22, the sum of the same products
 * as the running totals (integers: the order does not change it). */
BMX__VECTOR_CLONES
static void out_row_1(const uint32_t *restrict l0, uint32_t w0, size_t n, uint8_t *restrict d)
{
    for (size_t q = 0; q < n; q++) {
        d[q] = (uint8_t)((l0[q] * w0 + (1u << (2 * FRAC_BITS - 1))) >> (2 * FRAC_BITS));
    }
}

BMX__VECTOR_CLONES
static void out_row_2(const uint32_t *restrict l0, const uint32_t *restrict l1,
                      const uint32_t *w, size_t n, uint8_t *restrict d)
{
    const uint32_t w0 = w[0], w1 = w[1];
    for (size_t q = 0; q < n; q++) {
        d[q] = (uint8_t)((l0[q] * w0 + l1[q] * w1 + (1u << (2 * FRAC_BITS - 1))) >>
                         (2 * FRAC_BITS));
    }
}

BMX__VECTOR_CLONES
static void out_row_3(const uint32_t *restrict l0, const uint32_t *restrict l1,
                      const uint32_t *restrict l2, const uint32_t *w, size_t n,
                      uint8_t *restrict d)
{
    const uint32_t w0 = w[0], w1 = w[1], w2 = w[2];
    for (size_t q = 0; q < n; q++) {
        d[q] = (uint8_t)((l0[q] * w0 + l1[q] * w1 + l2[q] * w2 + (1u << (2 * FRAC_BITS - 1))) >>
                         (2 * FRAC_BITS));
    }
}

BMX__VECTOR_CLONES
static void out_row_4(const uint32_t *restrict l0, const uint32_t *restrict l1,
                      const uint32_t *restrict l2, const uint32_t *restrict l3,
                      const uint32_t *w, size_t n, uint8_t *restrict d)
{
    const uint32_t w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
    for (size_t q = 0; q < n; q++) {
        d[q] = (uint8_t)((l0[q] * w0 + l1[q] * w1 + l2[q] * w2 + l3[q] * w3 +
                          (1u << (2 * FRAC_BITS - 1))) >>
                         (2 * FRAC_BITS));
    }
}

bmx_status bmx__image_resample_rect(const struct bmx_image *in, int32_t w, int32_t h,
                                    struct bmx_rect r, struct bmx_image *dst, bmx_error *err)
{
    return bmx__image_resample_rect_at(in, w, h, r, dst, r.x, r.y, err);
}

bmx_status bmx__image_resample_rect_at(const struct bmx_image *in, int32_t w, int32_t h,
                                       struct bmx_rect r, struct bmx_image *dst, int32_t at_x,
                                       int32_t at_y, bmx_error *err)
{
    const size_t c = (size_t)in->channels;
    const size_t n = (size_t)r.w * c;
    struct taps tx, ty;
    struct padded px = {0};
    bool okx = taps_make(&tx, in->w, w, r.x, r.w);
    bool oky = okx && taps_make(&ty, in->h, h, r.y, r.h);
    bool okp = oky && taps_pad(&tx, in->w, r.w, &px);
    /* The x-filtered input rows the current output row needs, in a ring indexed by
     * input row modulo its size (sums of 8-bit values times FRAC_ONE), and one
     * row of running totals. */
    size_t ring_rows = okp ? ty.most : 0;
    uint32_t *ring = okp ? bmx__alloc_array(ring_rows + 1, n * sizeof *ring) : NULL;
    size_t *ring_row = okp ? bmx__alloc_array(ring_rows, sizeof *ring_row) : NULL;
    bmx_status st = BMX_OK;
    if (ring == NULL || ring_row == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "image resize: cannot allocate the taps of a %" PRId32
                       "x%" PRId32 " patch", r.w, r.h);
        goto cleanup;
    }
    uint32_t *acc = ring + ring_rows * n;
    for (size_t q = 0; q < ring_rows; q++) {
        ring_row[q] = SIZE_MAX;
    }
    const bool same_x = in->w == w;
    int32_t n2 = 0; /* RGB outputs filtered with AVX2 */
#ifdef BMX__AVX2
    if (c == 3 && !same_x && __builtin_cpu_supports("avx2")) {
        n2 = avx2_prefix(&px, (size_t)in->w * c);
    }
#endif
    for (int32_t y = 0; y < r.h; y++) {
        const uint32_t *wy = ty.weight + ty.off[y];
        const uint32_t *lines[4];
        for (uint32_t j = 0; j < ty.count[y]; j++) {
            size_t iy = ty.first[y] + j;
            size_t slot = iy % ring_rows;
            uint32_t *line = ring + slot * n;
            if (ring_row[slot] != iy) {
                /* Filtered along x once, kept while later output rows need it (the
                 * ring holds every row one output row reads). */
                const uint8_t *src = in->data + iy * in->stride;
                if (same_x) {
                    filter_row_same(src + (size_t)r.x * c, n, line);
                } else {
                    filter_row(src, c, r.w, &px, n2, line);
                }
                ring_row[slot] = iy;
            }
            if (j < 4) {
                lines[j] = line;
            }
        }
        uint8_t *d = dst->data + (size_t)(at_y + y) * dst->stride + (size_t)at_x * c;
        /* Each line value <= 255 * 2^11 and the y weights sum to 2^11: the total
         * stays under 2^30. */
        switch (ty.count[y]) {
        case 1:
            out_row_1(lines[0], wy[0], n, d);
            continue;
        case 2:
            out_row_2(lines[0], lines[1], wy, n, d);
            continue;
        case 3:
            out_row_3(lines[0], lines[1], lines[2], wy, n, d);
            continue;
        case 4:
            out_row_4(lines[0], lines[1], lines[2], lines[3], wy, n, d);
            continue;
        default:
            break;
        }
        for (size_t q = 0; q < n; q++) {
            acc[q] = 1u << (2 * FRAC_BITS - 1);
        }
        for (uint32_t j = 0; j < ty.count[y]; j++) {
            size_t iy = ty.first[y] + j;
            blend_rows(acc, ring + (iy % ring_rows) * n, wy[j], n);
        }
        for (size_t q = 0; q < n; q++) {
            d[q] = (uint8_t)(acc[q] >> (2 * FRAC_BITS));
        }
    }

cleanup:
    free(ring);
    free(ring_row);
    free(px.first);
    free(px.weight);
    free(px.pair);
    if (okx) {
        taps_free(&tx);
    }
    if (oky) {
        taps_free(&ty);
    }
    return st;
}
