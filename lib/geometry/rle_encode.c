/* SPDX-License-Identifier: MIT */
/*
 * A byte mask to runs and back: bmx_rle_encode (nonzero is set, which for a mask of
 * 0/1 bytes gives the COCO API's runs) and bmx_rle_decode into a caller's buffer.
 */
#include "rle_runs.h"

#include <inttypes.h>
#include <string.h>

/* The COCO API compares each byte with the previous value; a mask of 0/1 bytes gives
 * the same runs as "nonzero = set", which is what we document. */
bmx_status bmx_rle_encode(const uint8_t *mask, uint32_t h, uint32_t w, struct bmx_rle *out,
                          bmx_error *err)
{
    uint64_t total = 0;
    size_t k = 1;
    uint32_t *c;
    bmx_status st;

    if (out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: encode: no output");
    }
    memset(out, 0, sizeof *out);
    st = bmx__rle_total(h, w, &total, err);
    if (st != BMX_OK) {
        return st;
    }
    if (total > 0 && mask == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: encode: no mask given");
    }
    /* first pass counts the runs so that the array is exactly as large as needed */
    {
        bool p = false;
        for (uint64_t j = 0; j < total; j++) {
            bool v = mask[j] != 0;
            if (v != p) {
                k++;
                p = v;
            }
        }
    }
    c = bmx__alloc_array(k, sizeof *c);
    if (c == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
    }
    {
        bool p = false;
        size_t i = 0;
        uint32_t run = 0;
        for (uint64_t j = 0; j < total; j++) {
            bool v = mask[j] != 0;
            if (v != p) {
                c[i++] = run;
                run = 0;
                p = v;
            }
            run++;
        }
        c[i] = run;
    }
    out->h = h;
    out->w = w;
    out->m = k;
    out->counts = c;
    return BMX_OK;
}

bmx_status bmx_rle_decode(const struct bmx_rle *rle, uint8_t *mask, size_t len, bmx_error *err)
{
    bmx_status st = bmx__rle_check(rle, "rle: decode", BMX_E_PARSE, err);
    size_t pos = 0;
    uint8_t v = 0;

    if (st != BMX_OK) {
        return st;
    }
    if ((uint64_t)len < (uint64_t)rle->h * rle->w || (mask == NULL && rle->h != 0 && rle->w != 0)) {
        return bmx__fail(err, BMX_E_INVALID,
                         "rle: decode: buffer of %zu bytes is smaller than %" PRIu32 "x%" PRIu32,
                         len, rle->h, rle->w);
    }
    for (size_t j = 0; j < rle->m; j++) {
        if (rle->counts[j] > 0) {
            memset(mask + pos, v, rle->counts[j]);
            pos += rle->counts[j];
        }
        v = (uint8_t)!v;
    }
    return BMX_OK;
}
