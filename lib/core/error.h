/* SPDX-License-Identifier: MIT */
/* Internal: error records and checked size arithmetic. */
#ifndef BMX_ERROR_H
#define BMX_ERROR_H

/* Only the core part of the public header (status, errors, the generator, the
 * limits): a file that needs more of the API includes boxmix.h itself. */
#define BMX__CORE_PART
#include "boxmix.h"
#undef BMX__CORE_PART

#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define BMX__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define BMX__PRINTF(a, b)
#endif

/* The default of bmx_limits.max_image_pixels (about 13k x 13k, 3 bytes each fit
 * in 512 MiB). */
#define BMX__DEFAULT_MAX_PIXELS UINT64_C(178956970)

/* Record `status` and a formatted message in `err` (may be NULL); return status. */
bmx_status bmx__fail(bmx_error *err, bmx_status status, const char *fmt, ...) BMX__PRINTF(3, 4);

/* Prefix an existing message in `err` with "prefix: ". Returns err->status. */
bmx_status bmx__prefix(bmx_error *err, bmx_status status, const char *fmt, ...) BMX__PRINTF(3, 4);

/* Checked products and sums: return false on overflow. */
static inline bool bmx__mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) {
        return false;
    }
    *out = a * b;
    return true;
}

static inline bool bmx__add_size(size_t a, size_t b, size_t *out)
{
    if (b > SIZE_MAX - a) {
        return false;
    }
    *out = a + b;
    return true;
}

/* Eight bytes as a little-endian number, whatever the machine's byte order. On a
 * little-endian machine this is one load (compilers do not merge the shifted byte
 * reads of the portable form into one, and hashing runs over every file written). */
static inline uint64_t bmx__load_le64(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
#endif
}

/* A fixed, fast 64-bit hash of bytes (file checks, fingerprints): eight bytes
 * at a time, multiply-xorshift mixing. Not cryptographic. Its start, its step
 * over eight bytes and its end are written once, for bmx__hash_lanes too. */
static inline uint64_t bmx__hash_start(size_t len)
{
    return 0x9E3779B97F4A7C15ull ^ (uint64_t)len;
}
static inline uint64_t bmx__hash_step(uint64_t h, const unsigned char *p)
{
    h = (h ^ bmx__load_le64(p)) * 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 31);
}
/* The last len % 8 bytes (n of them at p), then the final mix. */
static inline uint64_t bmx__hash_end(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 0x94D049BB133111EBull;
    }
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}
static inline uint64_t bmx__hash_bytes(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = bmx__hash_start(len);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        h = bmx__hash_step(h, p + i);
    }
    return bmx__hash_end(h, p + i, len - i);
}

/* bmx__hash_bytes of n buffers (at most BMX__HASH_LANES) into out[0..n): the
 * same values, in about the time of the longest alone. Each step of one buffer
 * waits for the one before (a multiply and a shift); steps of different buffers
 * do not, so the processor runs them side by side. */
#define BMX__HASH_LANES 4
void bmx__hash_lanes(const void *const *data, const size_t *len, size_t n, uint64_t *out);

/* The same kind of hash over bytes that come in pieces (a streamed file). Its
 * values differ from bmx__hash_bytes'; the pieces' boundaries do not matter. */
struct bmx__hash {
    uint64_t h, total;
    unsigned char tail[8];
    size_t n_tail;
};
void bmx__hash_init(struct bmx__hash *s);
void bmx__hash_update(struct bmx__hash *s, const void *data, size_t len);
uint64_t bmx__hash_final(const struct bmx__hash *s);

/* malloc(n * size) with overflow check; NULL on overflow or failure. */
void *bmx__alloc_array(size_t n, size_t size);
/* realloc(p, n * size) with overflow check. */
void *bmx__realloc_array(void *p, size_t n, size_t size);

/* Seed `rng` for output `index` of a run seeded `seed` on the stream tagged `tag`
 * (bmx_rng_seed(rng, seed ^ splitmix64(tag), index)): the operation's generator
 * (BMX_RNG_TAG_OP) and the recipe's (BMX_RNG_TAG_RECIPE) are such streams (rng.c). */
void bmx__rng_seed_tagged(bmx_rng *rng, uint64_t seed, uint64_t tag, uint64_t index);

#endif
