/* SPDX-License-Identifier: MIT */
/*
 * The run list every rle_*.c file builds on: the size check, a growing list of
 * runs filled with increasing intervals of ones, the all-zero mask and the check
 * that a mask's runs add up to its size; and the basic public functions on a mask
 * as it is: bmx_rle_free, bmx_rle_validate and bmx_rle_copy.
 */
#include "rle_runs.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* h*w as a 64-bit number, or BMX_E_LIMIT when it does not fit a 32-bit run. */
bmx_status bmx__rle_total(uint32_t h, uint32_t w, uint64_t *total, bmx_error *err)
{
    uint64_t t = (uint64_t)h * (uint64_t)w;
    if (t > UINT32_MAX) {
        return bmx__fail(err, BMX_E_LIMIT,
                         "rle: size %" PRIu32 "x%" PRIu32
                         " has more pixels than a 32-bit run can count",
                         h, w);
    }
    *total = t;
    return BMX_OK;
}

/* Sum of all runs (64-bit: cannot overflow for any m that fits memory). */
static uint64_t rle_sum(const struct bmx_rle *rle)
{
    uint64_t s = 0;
    for (size_t i = 0; i < rle->m; i++) {
        s += rle->counts[i];
    }
    return s;
}

bool bmx__runbuf_push(struct runbuf *b, uint32_t v)
{
    if (b->m == b->cap) {
        size_t cap = b->cap < 8 ? 16 : b->cap;
        uint32_t *c;
        if (b->cap >= 8 && !bmx__mul_size(cap, 2, &cap)) {
            return false;
        }
        c = bmx__realloc_array(b->c, cap, sizeof *c);
        if (c == NULL) {
            return false;
        }
        b->c = c;
        b->cap = cap;
    }
    b->c[b->m++] = v;
    return true;
}

/* Add the ones [s, e); s >= b->pos. Adjacent intervals join into one run. */
bool bmx__runbuf_ones(struct runbuf *b, uint64_t s, uint64_t e)
{
    if (e <= s) {
        return true;
    }
    if (b->m > 0 && s == b->pos) {
        b->c[b->m - 1] += (uint32_t)(e - s);
    } else if (!bmx__runbuf_push(b, (uint32_t)(s - b->pos)) ||
               !bmx__runbuf_push(b, (uint32_t)(e - s))) {
        return false;
    }
    b->pos = e;
    return true;
}

/* Close with the trailing zeros up to `total`; an all-zero mask is [total]. */
bool bmx__runbuf_finish(struct runbuf *b, uint64_t total)
{
    if (b->m == 0 || total > b->pos) {
        return bmx__runbuf_push(b, (uint32_t)(total - b->pos));
    }
    return true;
}

/* Hand the runs over to `out` (which takes ownership). */
void bmx__runbuf_give(struct runbuf *b, uint32_t h, uint32_t w, struct bmx_rle *out)
{
    out->h = h;
    out->w = w;
    out->m = b->m;
    out->counts = b->c;
    b->c = NULL;
    b->m = b->cap = 0;
}

/* An RLE of one run `total` (all zeros, [0] for an empty size). */
bmx_status bmx__rle_make_empty(uint32_t h, uint32_t w, uint64_t total, struct bmx_rle *out,
                               bmx_error *err)
{
    uint32_t *c = malloc(sizeof *c);
    if (c == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
    }
    c[0] = (uint32_t)total;
    out->h = h;
    out->w = w;
    out->m = 1;
    out->counts = c;
    return BMX_OK;
}

void bmx_rle_free(struct bmx_rle *rle)
{
    if (rle == NULL) {
        return;
    }
    free(rle->counts);
    memset(rle, 0, sizeof *rle);
}

/* Check the runs against h*w; `mismatch` is the status for runs that do not add up.
 * Messages start with `ctx`. */
bmx_status bmx__rle_check(const struct bmx_rle *rle, const char *ctx, bmx_status mismatch,
                          bmx_error *err)
{
    uint64_t total = 0;
    uint64_t sum;

    if (rle == NULL || (rle->m > 0 && rle->counts == NULL)) {
        return bmx__fail(err, BMX_E_INVALID, "%s: no runs given", ctx);
    }
    total = (uint64_t)rle->h * (uint64_t)rle->w;
    if (total > UINT32_MAX) {
        return bmx__fail(err, BMX_E_LIMIT,
                         "%s: size %" PRIu32 "x%" PRIu32
                         " has more pixels than a 32-bit run can count",
                         ctx, rle->h, rle->w);
    }
    sum = rle_sum(rle);
    if (sum != total) {
        return bmx__fail(err, mismatch,
                         "%s: runs add up to %" PRIu64 ", expected %" PRIu64 " (%" PRIu32
                         "x%" PRIu32 ")",
                         ctx, sum, total, rle->h, rle->w);
    }
    return BMX_OK;
}

bmx_status bmx_rle_validate(const struct bmx_rle *rle, bmx_error *err)
{
    return bmx__rle_check(rle, "rle", BMX_E_SCHEMA, err);
}

bmx_status bmx_rle_copy(const struct bmx_rle *in, struct bmx_rle *out, bmx_error *err)
{
    uint32_t *c;
    if (in == NULL || out == NULL || (in->m > 0 && in->counts == NULL)) {
        return bmx__fail(err, BMX_E_INVALID, "rle: copy: no mask given");
    }
    c = bmx__alloc_array(in->m == 0 ? 1 : in->m, sizeof *c);
    if (c == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
    }
    if (in->m > 0) {
        memcpy(c, in->counts, in->m * sizeof *c);
    }
    out->h = in->h;
    out->w = in->w;
    out->m = in->m;
    out->counts = c;
    return BMX_OK;
}
