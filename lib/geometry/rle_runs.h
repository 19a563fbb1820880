/* SPDX-License-Identifier: MIT */
/* Internal: what the rle_*.c files share (rle_runs.c): the size check, a growing
 * list of runs, the all-zero mask and the check of a mask's runs.
 *
 * COCO run-length masks, compatible bit for bit with the COCO API (maskApi.c):
 * encode, decode, the compressed string form, area, box, merge and polygon
 * rasterisation. Runs are 32-bit, column-major, the first run counting zeros.
 *
 * Where the COCO API has undefined behaviour (runs that overflow, strings that end
 * in the middle of a value, masks of size zero, huge coordinates) these files reject
 * the input with a message instead.
 */
#ifndef BMX_RLE_RUNS_H
#define BMX_RLE_RUNS_H

#include "boxmix.h"
#include "error.h"

/* A growing list of runs. Ones are added as increasing, disjoint intervals. */
struct runbuf {
    uint32_t *c;
    size_t m, cap;
    uint64_t pos; /* end of the last interval of ones added */
};

/* h*w as a 64-bit number, or BMX_E_LIMIT when it does not fit a 32-bit run. */
bmx_status bmx__rle_total(uint32_t h, uint32_t w, uint64_t *total, bmx_error *err);

/* Append one run; false when out of memory. */
bool bmx__runbuf_push(struct runbuf *b, uint32_t v);

/* Add the ones [s, e); s >= b->pos. Adjacent intervals join into one run. */
bool bmx__runbuf_ones(struct runbuf *b, uint64_t s, uint64_t e);

/* Close with the trailing zeros up to `total`; an all-zero mask is [total]. */
bool bmx__runbuf_finish(struct runbuf *b, uint64_t total);

/* Hand the runs over to `out` (which takes ownership). */
void bmx__runbuf_give(struct runbuf *b, uint32_t h, uint32_t w, struct bmx_rle *out);

/* An RLE of one run `total` (all zeros, [0] for an empty size). */
bmx_status bmx__rle_make_empty(uint32_t h, uint32_t w, uint64_t total, struct bmx_rle *out,
                               bmx_error *err);

/* Check the runs against h*w; `mismatch` is the status for runs that do not add up.
 * Messages start with `ctx`. */
bmx_status bmx__rle_check(const struct bmx_rle *rle, const char *ctx, bmx_status mismatch,
                          bmx_error *err);

/* a[0..n) sorted ascending, tmp (n keys) used as room; its contents after are
 * unspecified (sort_u32.c). */
void bmx__sort_u32(uint32_t *a, uint32_t *tmp, size_t n);

#endif
