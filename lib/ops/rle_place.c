/* SPDX-License-Identifier: MIT */
/* An RLE mask moved into another frame (a Mosaic tile's mask into the output):
 * column j of the input becomes column j + dx, row i row i + dy, and what falls
 * outside the new frame is dropped. Runs in, runs out: no bitmap of either frame. */
#include "ops.h"
#include "rle_runs.h"

#include <stdlib.h>

bmx_status bmx__rle_place(const struct bmx_rle *in, uint32_t h, uint32_t w, int64_t dx, int64_t dy,
                          struct bmx_rle *out, bmx_error *err)
{
    struct runbuf b = {NULL, 0, 0, 0};
    uint64_t total = 0;
    bmx_status st = bmx__rle_total(h, w, &total, err);
    if (st != BMX_OK) {
        return st;
    }
    const uint64_t hin = in->h;
    uint64_t pos = 0;
    for (size_t i = 0; i < in->m && hin > 0; i++) {
        const uint64_t end = pos + in->counts[i];
        /* Odd runs are ones; split each at column ends. */
        for (uint64_t p = pos; (i & 1u) == 1u && p < end;) {
            const uint64_t col = p / hin;
            const uint64_t col_end = (col + 1) * hin;
            const uint64_t q = end < col_end ? end : col_end;
            const int64_t x = (int64_t)col + dx;
            int64_t y0 = (int64_t)(p - col * hin) + dy;
            int64_t y1 = (int64_t)(q - col * hin) + dy;
            y0 = y0 < 0 ? 0 : y0;
            y1 = y1 > (int64_t)h ? (int64_t)h : y1;
            if (x >= 0 && x < (int64_t)w && y1 > y0) {
                const uint64_t base = (uint64_t)x * h;
                if (!bmx__runbuf_ones(&b, base + (uint64_t)y0, base + (uint64_t)y1)) {
                    free(b.c);
                    return bmx__fail(err, BMX_E_NOMEM, "rle place: out of memory");
                }
            }
            p = q;
        }
        pos = end;
    }
    if (!bmx__runbuf_finish(&b, total)) {
        free(b.c);
        return bmx__fail(err, BMX_E_NOMEM, "rle place: out of memory");
    }
    bmx__runbuf_give(&b, h, w, out);
    return BMX_OK;
}
