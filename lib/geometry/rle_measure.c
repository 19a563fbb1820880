/* SPDX-License-Identifier: MIT */
/*
 * What a mask covers, read from its runs alone: bmx_rle_area (the pixels set) and
 * bmx_rle_bbox (the box, as the COCO API's toBbox gives it).
 */
#include "boxmix.h"
#include "error.h"

#include <string.h>

uint64_t bmx_rle_area(const struct bmx_rle *rle)
{
    uint64_t a = 0;
    if (rle == NULL || rle->counts == NULL) {
        return 0;
    }
    for (size_t j = 1; j < rle->m; j += 2) {
        a += rle->counts[j];
    }
    return a;
}

/* The COCO API walks the first and last pixel of every run of ones; a run that spans
 * two columns covers row 0 and row h-1, so the box then takes the full height.
 * Empty runs of ones are skipped (the COCO API would read the pixel before them). */
void bmx_rle_bbox(const struct bmx_rle *rle, struct bmx_box *out)
{
    uint64_t h, cc = 0;
    uint64_t xs, ys, xe = 0, ye = 0;
    bool any = false;

    if (out == NULL) {
        return;
    }
    memset(out, 0, sizeof *out);
    if (rle == NULL || rle->counts == NULL || rle->h == 0 || rle->w == 0) {
        return;
    }
    h = rle->h;
    xs = rle->w;
    ys = h;
    for (size_t j = 0; j + 1 < rle->m; j += 2) {
        uint64_t len;
        uint64_t x0, y0, x1, y1;
        cc += rle->counts[j];
        len = rle->counts[j + 1];
        if (len == 0) {
            continue;
        }
        x0 = cc / h;
        y0 = cc % h;
        x1 = (cc + len - 1) / h;
        y1 = (cc + len - 1) % h;
        cc += len;
        any = true;
        if (x0 < x1) {
            ys = 0;
            ye = h - 1;
        }
        xs = x0 < xs ? x0 : xs;
        xe = x1 > xe ? x1 : xe;
        ys = y0 < ys ? y0 : ys;
        ys = y1 < ys ? y1 : ys;
        ye = y0 > ye ? y0 : ye;
        ye = y1 > ye ? y1 : ye;
    }
    if (!any) {
        return;
    }
    out->x = (double)xs;
    out->y = (double)ys;
    out->w = (double)(xe - xs + 1);
    out->h = (double)(ye - ys + 1);
}
