/* SPDX-License-Identifier: MIT */
/*
 * One mask minus another, a box's pixels as a mask and one pixel's lookup, on the
 * runs (rle_mask_ops.h): what cutting an object by a mask needs.
 */
#include "rle_mask_ops.h"
#include "rle_runs.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The next interval of ones [*s, *e) of `rle` from run *j on (*cc the position of
 * run *j); false when there is none left. Empty runs of ones are skipped. */
static bool next_ones(const struct bmx_rle *rle, size_t *j, uint64_t *cc, uint64_t *s,
                      uint64_t *e)
{
    while (*j + 1 < rle->m) {
        uint64_t start = *cc + rle->counts[*j];
        uint64_t end = start + rle->counts[*j + 1];
        *cc = end;
        *j += 2;
        if (end > start) {
            *s = start;
            *e = end;
            return true;
        }
    }
    return false;
}

bmx_status bmx__rle_minus(const struct bmx_rle *a, const struct bmx_rle *b, struct bmx_rle *out,
                          uint64_t *common, bmx_error *err)
{
    struct runbuf buf = {0};
    uint64_t both = 0;
    bmx_status st;

    if (out == NULL || a == NULL || b == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: minus: NULL argument");
    }
    memset(out, 0, sizeof *out);
    if (common != NULL) {
        *common = 0;
    }
    st = bmx__rle_check(a, "rle: minus: first mask", BMX_E_SCHEMA, err);
    if (st == BMX_OK) {
        st = bmx__rle_check(b, "rle: minus: second mask", BMX_E_SCHEMA, err);
    }
    if (st != BMX_OK) {
        return st;
    }
    if (a->h != b->h || a->w != b->w) {
        return bmx__fail(err, BMX_E_INVALID,
                         "rle: minus: masks of %" PRIu32 "x%" PRIu32 " and %" PRIu32
                         "x%" PRIu32,
                         a->h, a->w, b->h, b->w);
    }
    size_t ja = 0, jb = 0;
    uint64_t ca = 0, cb = 0;
    uint64_t as, ae, bs = 0, be = 0;
    bool have_b = next_ones(b, &jb, &cb, &bs, &be);
    while (next_ones(a, &ja, &ca, &as, &ae)) {
        uint64_t cur = as;
        /* b's intervals that end before cur cannot take anything from a any more. */
        while (have_b && be <= cur) {
            have_b = next_ones(b, &jb, &cb, &bs, &be);
        }
        while (have_b && bs < ae) {
            if (bs > cur && !bmx__runbuf_ones(&buf, cur, bs)) {
                goto nomem;
            }
            uint64_t from = bs > cur ? bs : cur;
            uint64_t to = be < ae ? be : ae;
            both += to - from;
            cur = to;
            if (be > ae) {
                break; /* b's interval reaches into a's next one */
            }
            have_b = next_ones(b, &jb, &cb, &bs, &be);
        }
        if (cur < ae && !bmx__runbuf_ones(&buf, cur, ae)) {
            goto nomem;
        }
    }
    if (!bmx__runbuf_finish(&buf, (uint64_t)a->h * a->w)) {
        goto nomem;
    }
    bmx__runbuf_give(&buf, a->h, a->w, out);
    if (common != NULL) {
        *common = both;
    }
    return BMX_OK;
nomem:
    free(buf.c);
    return bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
}

/* The first pixel index i (0..n) whose centre i + 0.5 is >= v. */
static int64_t first_centre(double v, int64_t n)
{
    if (!(v > 0.5)) {
        return 0; /* also NaN */
    }
    double c = ceil(v - 0.5);
    return c > (double)n ? n : (int64_t)c;
}

bmx_status bmx__rle_from_box_centres(struct bmx_box box, uint32_t h, uint32_t w,
                                     struct bmx_rle *out, bmx_error *err)
{
    struct runbuf buf = {0};
    uint64_t total = 0;
    if (out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: box: no output");
    }
    memset(out, 0, sizeof *out);
    bmx_status st = bmx__rle_total(h, w, &total, err);
    if (st != BMX_OK) {
        return st;
    }
    if (!isfinite(box.x) || !isfinite(box.y) || !isfinite(box.w) || !isfinite(box.h)) {
        return bmx__fail(err, BMX_E_INVALID, "rle: box: not finite");
    }
    /* Columns x0..x1-1 and rows y0..y1-1: centre c with box.x <= c < box.x + box.w. */
    int64_t x0 = first_centre(box.x, w), x1 = first_centre(box.x + box.w, w);
    int64_t y0 = first_centre(box.y, h), y1 = first_centre(box.y + box.h, h);
    if (x0 < x1 && y0 < y1) {
        for (int64_t x = x0; x < x1; x++) {
            uint64_t base = (uint64_t)x * h;
            if (!bmx__runbuf_ones(&buf, base + (uint64_t)y0, base + (uint64_t)y1)) {
                free(buf.c);
                return bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
            }
        }
    }
    if (!bmx__runbuf_finish(&buf, total)) {
        free(buf.c);
        return bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
    }
    bmx__runbuf_give(&buf, h, w, out);
    return BMX_OK;
}

bool bmx__rle_at(const struct bmx_rle *rle, int64_t x, int64_t y)
{
    if (rle == NULL || rle->counts == NULL || x < 0 || y < 0 || x >= (int64_t)rle->w ||
        y >= (int64_t)rle->h) {
        return false;
    }
    uint64_t i = (uint64_t)x * rle->h + (uint64_t)y;
    uint64_t cc = 0;
    for (size_t j = 0; j < rle->m; j++) {
        cc += rle->counts[j];
        if (i < cc) {
            return (j & 1) != 0;
        }
    }
    return false;
}
