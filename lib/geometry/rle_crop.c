/* SPDX-License-Identifier: MIT */
/*
 * A rectangle of a mask cleared or kept, on the runs: bmx_rle_crop_rect.
 */
#include "rle_runs.h"

#include <stdlib.h>
#include <string.h>

/* Works on the runs: every run of ones is cut by the rectangle's column pieces, so
 * the cost follows the runs and the rectangle's width, never h*w. */
bmx_status bmx_rle_crop_rect(const struct bmx_rle *rle, struct bmx_rect r, bool keep_inside,
                             struct bmx_rle *out, bmx_error *err)
{
    struct runbuf b = {0};
    int64_t x0, x1, y0, y1;
    uint64_t total = 0, h, cc = 0;
    bool rows;
    bmx_status st;

    if (out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: crop: no output");
    }
    /* `out` may be `rle`: it is written only once `rle` has been read */
    if (out != rle) {
        memset(out, 0, sizeof *out);
    }
    st = bmx__rle_check(rle, "rle: crop", BMX_E_SCHEMA, err);
    if (st != BMX_OK) {
        return st;
    }
    total = (uint64_t)rle->h * rle->w;
    h = rle->h;
    /* clip the rectangle to the mask (64-bit: x + w cannot overflow) */
    x0 = r.x < 0 ? 0 : r.x;
    y0 = r.y < 0 ? 0 : r.y;
    x1 = (int64_t)r.x + (r.w < 0 ? 0 : r.w);
    y1 = (int64_t)r.y + (r.h < 0 ? 0 : r.h);
    x1 = x1 > (int64_t)rle->w ? (int64_t)rle->w : x1;
    y1 = y1 > (int64_t)rle->h ? (int64_t)rle->h : y1;
    rows = x0 < x1 && y0 < y1;

    for (size_t j = 0; j + 1 < rle->m; j += 2) {
        uint64_t s, e, c_first, c_last, ca, cb;
        cc += rle->counts[j];
        s = cc;
        e = cc + rle->counts[j + 1];
        cc = e;
        if (e == s) {
            continue;
        }
        c_first = s / h;
        c_last = (e - 1) / h;
        ca = rows && (int64_t)c_first < x0 ? (uint64_t)x0 : c_first;
        cb = rows && (int64_t)c_last >= x1 ? (uint64_t)(x1 - 1) : c_last;
        if (keep_inside) {
            if (!rows) {
                continue;
            }
            for (uint64_t c = ca; c <= cb && ca <= cb; c++) {
                uint64_t ps = c * h + (uint64_t)y0;
                uint64_t pe = c * h + (uint64_t)y1;
                if (!bmx__runbuf_ones(&b, ps > s ? ps : s, pe < e ? pe : e)) {
                    goto nomem;
                }
            }
        } else {
            uint64_t cur = s;
            if (rows) {
                for (uint64_t c = ca; c <= cb && ca <= cb; c++) {
                    uint64_t hs = c * h + (uint64_t)y0;
                    uint64_t he = c * h + (uint64_t)y1;
                    if (hs > cur && !bmx__runbuf_ones(&b, cur, hs < e ? hs : e)) {
                        goto nomem;
                    }
                    cur = he > cur ? he : cur;
                }
            }
            if (cur < e && !bmx__runbuf_ones(&b, cur, e)) {
                goto nomem;
            }
        }
    }
    if (!bmx__runbuf_finish(&b, total)) {
        goto nomem;
    }
    bmx__runbuf_give(&b, rle->h, rle->w, out);
    return BMX_OK;
nomem:
    free(b.c);
    return bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
}
