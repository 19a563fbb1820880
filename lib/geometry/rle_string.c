/* SPDX-License-Identifier: MIT */
/*
 * The COCO string form of the runs (the `counts` string of compressed RLE in COCO
 * JSON): bmx_rle_to_string and bmx_rle_from_string, which rejects with a message
 * the strings the COCO API would read past or overflow on.
 */
#include "rle_runs.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Characters per value of the string form: 7 * 5 bits hold any difference of two
 * 32-bit runs with its sign. */
#define RLE_CHARS_PER_RUN 7

/* Like LEB128 with 5 bits a character (ASCII 48..111), the sixth bit meaning "more";
 * from the fourth run on, the difference to the run two places back is stored. */
bmx_status bmx_rle_to_string(const struct bmx_rle *rle, char **out, size_t *len, bmx_error *err)
{
    size_t cap, p = 0;
    char *s;

    if (out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: to_string: no output");
    }
    *out = NULL;
    if (len != NULL) {
        *len = 0;
    }
    if (rle == NULL || (rle->m > 0 && rle->counts == NULL)) {
        return bmx__fail(err, BMX_E_INVALID, "rle: to_string: no mask given");
    }
    if (!bmx__mul_size(rle->m, RLE_CHARS_PER_RUN, &cap) || !bmx__add_size(cap, 1, &cap)) {
        return bmx__fail(err, BMX_E_OVERFLOW, "rle: to_string: too many runs");
    }
    s = malloc(cap);
    if (s == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
    }
    for (size_t i = 0; i < rle->m; i++) {
        int64_t x = (int64_t)rle->counts[i];
        bool more = true;
        if (i > 2) {
            x -= (int64_t)rle->counts[i - 2];
        }
        while (more) {
            int c = (int)(x & 0x1f);
            /* exact floor division by 32, i.e. an arithmetic shift, without relying on
             * implementation-defined shifts of negative numbers */
            x = (x - c) / 32;
            more = (c & 0x10) ? x != -1 : x != 0;
            if (more) {
                c |= 0x20;
            }
            s[p++] = (char)(c + 48);
        }
    }
    s[p] = '\0';
    *out = s;
    if (len != NULL) {
        *len = p;
    }
    return BMX_OK;
}

bmx_status bmx_rle_from_string(const char *s, size_t len, uint32_t h, uint32_t w,
                               struct bmx_rle *out, bmx_error *err)
{
    struct runbuf b = {0};
    uint64_t total = 0, sum = 0;
    size_t p = 0;
    bmx_status st;

    if (out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: from_string: no output");
    }
    memset(out, 0, sizeof *out);
    if (s == NULL && len > 0) {
        return bmx__fail(err, BMX_E_INVALID, "rle: from_string: no string given");
    }
    st = bmx__rle_total(h, w, &total, err);
    if (st != BMX_OK) {
        return st;
    }
    while (p < len) {
        size_t start = p;
        uint64_t bits = 0;
        int64_t x;
        int k = 0;
        bool more = true;
        bool negative = false;
        while (more) {
            int c;
            if (p >= len) {
                st = bmx__fail(err, BMX_E_PARSE,
                               "rle: counts string ends inside the value at offset %zu", start);
                goto cleanup;
            }
            c = (unsigned char)s[p] - 48;
            if (c < 0 || c > 63) {
                st = bmx__fail(err, BMX_E_PARSE,
                               "rle: counts string has an invalid character (code %d) at "
                               "offset %zu",
                               (unsigned char)s[p], p);
                goto cleanup;
            }
            if (k == RLE_CHARS_PER_RUN) {
                st = bmx__fail(err, BMX_E_PARSE,
                               "rle: counts string value at offset %zu is longer than %d "
                               "characters (does not fit 32 bits)",
                               start, RLE_CHARS_PER_RUN);
                goto cleanup;
            }
            bits |= (uint64_t)(c & 0x1f) << (5 * k);
            more = (c & 0x20) != 0;
            p++;
            k++;
            if (!more && (c & 0x10)) {
                negative = true;
            }
        }
        /* sign-extend the 5k-bit value (k <= 7, so 35 bits at most) */
        x = (int64_t)bits;
        if (negative) {
            x -= (int64_t)1 << (5 * k);
        }
        if (b.m > 2) {
            x += (int64_t)b.c[b.m - 2];
        }
        if (x < 0 || x > (int64_t)UINT32_MAX) {
            st = bmx__fail(err, BMX_E_PARSE,
                           "rle: counts string run %zu (offset %zu) is %" PRId64
                           ", outside 0..4294967295",
                           b.m, start, x);
            goto cleanup;
        }
        sum += (uint64_t)x;
        if (!bmx__runbuf_push(&b, (uint32_t)x)) {
            st = bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
            goto cleanup;
        }
    }
    if (sum != total) {
        st = bmx__fail(err, BMX_E_PARSE,
                       "rle: counts string runs add up to %" PRIu64 ", expected %" PRIu64
                       " (%" PRIu32 "x%" PRIu32 ")",
                       sum, total, h, w);
        goto cleanup;
    }
    if (b.m == 0) {
        /* an empty string (valid for an empty size only) gives no runs, as in the
         * COCO API; `counts` still points to an allocation */
        if (!bmx__runbuf_push(&b, 0)) {
            st = bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
            goto cleanup;
        }
        b.m = 0;
    }
    bmx__runbuf_give(&b, h, w, out);
    st = BMX_OK;
cleanup:
    free(b.c);
    return st;
}
