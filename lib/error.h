/* Internal: error records and checked size arithmetic. */
#ifndef BMX_ERROR_H
#define BMX_ERROR_H

#include "boxmix.h"

#include <stdint.h>

#if defined(__GNUC__)
#define BMX__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define BMX__PRINTF(a, b)
#endif

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

/* FNV-1a, 64 bits: a fixed, fast hash of bytes (file checks, fingerprints). */
static inline uint64_t bmx__hash_bytes(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ p[i]) * 1099511628211ull;
    }
    return h;
}

/* malloc(n * size) with overflow check; NULL on overflow or failure. */
void *bmx__alloc_array(size_t n, size_t size);
/* realloc(p, n * size) with overflow check. */
void *bmx__realloc_array(void *p, size_t n, size_t size);

#endif
