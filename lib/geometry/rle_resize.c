/* SPDX-License-Identifier: MIT */
/*
 * A mask resized by nearest neighbour, on the runs: bmx_rle_resize_nearest, with
 * each output row's and column's source index computed exactly with integers.
 */
#include "rle_runs.h"

#include <stdlib.h>
#include <string.h>

/* Nearest source index floor((i + 0.5) * n_in / n_out) for i = 0, 1, ..., computed
 * exactly with integers: (2i + 1) * n_in = q * 2 n_out + r, stepped without products. */
struct nearest {
    uint64_t q, r, step_q, step_r, den;
};

static void nearest_init(struct nearest *nr, uint32_t n_in, uint32_t n_out)
{
    nr->den = 2 * (uint64_t)n_out;
    nr->q = n_in / nr->den;
    nr->r = n_in % nr->den;
    nr->step_q = 2 * (uint64_t)n_in / nr->den;
    nr->step_r = 2 * (uint64_t)n_in % nr->den;
}

static void nearest_next(struct nearest *nr)
{
    nr->q += nr->step_q;
    nr->r += nr->step_r;
    if (nr->r >= nr->den) {
        nr->q++;
        nr->r -= nr->den;
    }
}

/* Column by column: each output column copies a source column through a row map
 * (first_y[r] = the first output row that reads source row r or later). */
bmx_status bmx_rle_resize_nearest(const struct bmx_rle *rle, uint32_t h, uint32_t w,
                                  struct bmx_rle *out, bmx_error *err)
{
    struct runbuf b = {0};
    uint32_t *first_y = NULL;
    uint64_t total = 0, h_in;
    struct nearest nx;
    size_t cur_j = 0;    /* index of the zero run before the current run of ones */
    uint64_t cur_s = 0;  /* position where run cur_j starts */
    bmx_status st;

    if (out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: resize: no output");
    }
    /* `out` may be `rle`: it is written only once `rle` has been read */
    if (out != rle) {
        memset(out, 0, sizeof *out);
    }
    st = bmx__rle_check(rle, "rle: resize", BMX_E_SCHEMA, err);
    if (st != BMX_OK) {
        return st;
    }
    st = bmx__rle_total(h, w, &total, err);
    if (st != BMX_OK) {
        return st;
    }
    /* nothing to sample from (or nothing to fill): all zeros */
    if (total == 0 || rle->h == 0 || rle->w == 0) {
        return bmx__rle_make_empty(h, w, total, out, err);
    }
    h_in = rle->h;
    first_y = bmx__alloc_array((size_t)h_in + 1, sizeof *first_y);
    if (first_y == NULL) {
        goto nomem;
    }
    {
        struct nearest ny;
        uint64_t r = 0;
        nearest_init(&ny, rle->h, h);
        for (uint64_t y = 0; y < h; y++, nearest_next(&ny)) {
            while (r <= ny.q) {
                first_y[r++] = (uint32_t)y;
            }
        }
        while (r <= h_in) {
            first_y[r++] = h;
        }
    }
    nearest_init(&nx, rle->w, w);
    for (uint64_t x = 0; x < w; x++, nearest_next(&nx)) {
        uint64_t col_s = nx.q * h_in;
        uint64_t col_e = col_s + h_in;
        uint64_t s;
        /* drop the runs that end before this source column (columns only go right) */
        while (cur_j + 1 < rle->m &&
               cur_s + rle->counts[cur_j] + rle->counts[cur_j + 1] <= col_s) {
            cur_s += (uint64_t)rle->counts[cur_j] + rle->counts[cur_j + 1];
            cur_j += 2;
        }
        s = cur_s;
        for (size_t j = cur_j; j + 1 < rle->m; j += 2) {
            uint64_t os = s + rle->counts[j];
            uint64_t oe = os + rle->counts[j + 1];
            uint64_t ra, rb;
            s = oe;
            if (os >= col_e) {
                break;
            }
            if (oe <= col_s || oe == os) {
                continue;
            }
            ra = (os > col_s ? os : col_s) - col_s;
            rb = (oe < col_e ? oe : col_e) - col_s;
            if (!bmx__runbuf_ones(&b, x * h + first_y[ra], x * h + first_y[rb])) {
                goto nomem;
            }
        }
    }
    if (!bmx__runbuf_finish(&b, total)) {
        goto nomem;
    }
    bmx__runbuf_give(&b, h, w, out);
    free(first_y);
    return BMX_OK;
nomem:
    free(first_y);
    free(b.c);
    return bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
}
