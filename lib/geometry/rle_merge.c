/* SPDX-License-Identifier: MIT */
/*
 * The union or intersection of masks of one size, bmx_rle_merge, step for step as
 * the COCO API's rleMerge.
 */
#include "rle_runs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One step of the COCO API's merge: the union or intersection of a and b (same
 * size, valid, `total` pixels), into `out` of at least a_m + b_m + 1 runs. Returns
 * the run count. Follows rleMerge step for step so that odd inputs (empty runs) give
 * its output, except that rleMerge stops as soon as both current runs are empty,
 * even with pixels left (an empty run in the middle of both masks): its result then
 * does not cover the mask. Here such a step goes on to the next runs. */
static size_t merge_two(const uint32_t *a, size_t a_m, const uint32_t *b, size_t b_m,
                        uint64_t total, bool intersect, uint32_t *out)
{
    uint32_t ca = a_m > 0 ? a[0] : 0;
    uint32_t cb = b_m > 0 ? b[0] : 0;
    uint32_t cc = 0;
    uint64_t ct = 1;
    uint64_t left = total;
    size_t ia = 1, ib = 1, m = 0;
    bool v = false, va = false, vb = false;

    while (ct > 0 || left > 0) {
        uint32_t c = ca < cb ? ca : cb;
        bool vp;
        cc += c;
        left -= c;
        ct = 0;
        ca -= c;
        if (ca == 0 && ia < a_m) {
            ca = a[ia++];
            va = !va;
        }
        ct += ca;
        cb -= c;
        if (cb == 0 && ib < b_m) {
            cb = b[ib++];
            vb = !vb;
        }
        ct += cb;
        vp = v;
        v = intersect ? (va && vb) : (va || vb);
        if (v != vp || (ct == 0 && left == 0)) {
            out[m++] = cc;
            cc = 0;
        }
    }
    return m;
}

bmx_status bmx_rle_merge(const struct bmx_rle *rles, size_t n, bool intersect,
                         struct bmx_rle *out, bmx_error *err)
{
    uint32_t *acc = NULL, *next = NULL;
    size_t acc_m;
    bmx_status st;

    if (out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: merge: no output");
    }
    if (rles == NULL || n == 0) {
        memset(out, 0, sizeof *out);
        return bmx__fail(err, BMX_E_INVALID, "rle: merge: no masks given");
    }
    /* `out` may be one of the inputs: it is written only once they have been read */
    {
        bool alias = false;
        for (size_t i = 0; i < n; i++) {
            alias = alias || out == &rles[i];
        }
        if (!alias) {
            memset(out, 0, sizeof *out);
        }
    }
    for (size_t i = 0; i < n; i++) {
        char ctx[64];
        snprintf(ctx, sizeof ctx, "rle: merge: mask %zu", i);
        st = bmx__rle_check(&rles[i], ctx, BMX_E_SCHEMA, err);
        if (st != BMX_OK) {
            return st;
        }
        if (rles[i].h != rles[0].h || rles[i].w != rles[0].w) {
            return bmx__fail(err, BMX_E_INVALID,
                             "rle: merge: mask %zu is %" PRIu32 "x%" PRIu32
                             ", mask 0 is %" PRIu32 "x%" PRIu32,
                             i, rles[i].h, rles[i].w, rles[0].h, rles[0].w);
        }
    }
    if (n == 1) {
        return bmx_rle_copy(&rles[0], out, err);
    }
    acc_m = rles[0].m;
    acc = bmx__alloc_array(acc_m == 0 ? 1 : acc_m, sizeof *acc);
    if (acc == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
        goto cleanup;
    }
    if (acc_m > 0) {
        memcpy(acc, rles[0].counts, acc_m * sizeof *acc);
    }
    for (size_t i = 1; i < n; i++) {
        size_t cap;
        if (!bmx__add_size(acc_m, rles[i].m, &cap) || !bmx__add_size(cap, 1, &cap)) {
            st = bmx__fail(err, BMX_E_OVERFLOW, "rle: merge: too many runs");
            goto cleanup;
        }
        next = bmx__alloc_array(cap, sizeof *next);
        if (next == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
            goto cleanup;
        }
        acc_m = merge_two(acc, acc_m, rles[i].counts, rles[i].m,
                          (uint64_t)rles[0].h * rles[0].w, intersect, next);
        free(acc);
        acc = next;
        next = NULL;
    }
    out->h = rles[0].h;
    out->w = rles[0].w;
    out->m = acc_m;
    out->counts = acc;
    acc = NULL;
    st = BMX_OK;
cleanup:
    free(acc);
    free(next);
    return st;
}
