/*
 * COCO run-length masks, compatible bit for bit with the COCO API (maskApi.c):
 * encode, decode, the compressed string form, area, box, merge and polygon
 * rasterisation. Runs are 32-bit, column-major, the first run counting zeros.
 *
 * Where the COCO API has undefined behaviour (runs that overflow, strings that end
 * in the middle of a value, masks of size zero, huge coordinates) this file rejects
 * the input with a message instead.
 */
#include "error.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest |5 * coordinate| accepted by the rasteriser: keeps every integer of the
 * boundary walk (differences included) well inside int range, as the COCO API
 * needs for defined behaviour. About 2.1e8 pixels. */
#define RLE_COORD_LIMIT 1073741824.0

/* Characters per value of the string form: 7 * 5 bits hold any difference of two
 * 32-bit runs with its sign. */
#define RLE_CHARS_PER_RUN 7

/* ------------------------------------------------------------------------- */
/* Small helpers                                                              */
/* ------------------------------------------------------------------------- */

/* h*w as a 64-bit number, or BMX_E_LIMIT when it does not fit a 32-bit run. */
static bmx_status rle_total(uint32_t h, uint32_t w, uint64_t *total, bmx_error *err)
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

/* A growing list of runs. Ones are added as increasing, disjoint intervals. */
struct runbuf {
    uint32_t *c;
    size_t m, cap;
    uint64_t pos; /* end of the last interval of ones added */
};

static bool runbuf_push(struct runbuf *b, uint32_t v)
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
static bool runbuf_ones(struct runbuf *b, uint64_t s, uint64_t e)
{
    if (e <= s) {
        return true;
    }
    if (b->m > 0 && s == b->pos) {
        b->c[b->m - 1] += (uint32_t)(e - s);
    } else if (!runbuf_push(b, (uint32_t)(s - b->pos)) || !runbuf_push(b, (uint32_t)(e - s))) {
        return false;
    }
    b->pos = e;
    return true;
}

/* Close with the trailing zeros up to `total`; an all-zero mask is [total]. */
static bool runbuf_finish(struct runbuf *b, uint64_t total)
{
    if (b->m == 0 || total > b->pos) {
        return runbuf_push(b, (uint32_t)(total - b->pos));
    }
    return true;
}

/* Hand the runs over to `out` (which takes ownership). */
static void runbuf_give(struct runbuf *b, uint32_t h, uint32_t w, struct bmx_rle *out)
{
    out->h = h;
    out->w = w;
    out->m = b->m;
    out->counts = b->c;
    b->c = NULL;
    b->m = b->cap = 0;
}

/* An RLE of one run `total` (all zeros, [0] for an empty size). */
static bmx_status rle_make_empty(uint32_t h, uint32_t w, uint64_t total, struct bmx_rle *out,
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

/* ------------------------------------------------------------------------- */
/* Basics                                                                     */
/* ------------------------------------------------------------------------- */

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
static bmx_status rle_check(const struct bmx_rle *rle, const char *ctx, bmx_status mismatch,
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
    return rle_check(rle, "rle", BMX_E_SCHEMA, err);
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
    st = rle_total(h, w, &total, err);
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
    bmx_status st = rle_check(rle, "rle: decode", BMX_E_PARSE, err);
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

/* ------------------------------------------------------------------------- */
/* String form                                                                */
/* ------------------------------------------------------------------------- */

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
    st = rle_total(h, w, &total, err);
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
        if (!runbuf_push(&b, (uint32_t)x)) {
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
        if (!runbuf_push(&b, 0)) {
            st = bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
            goto cleanup;
        }
        b.m = 0;
    }
    runbuf_give(&b, h, w, out);
    st = BMX_OK;
cleanup:
    free(b.c);
    return st;
}

/* ------------------------------------------------------------------------- */
/* Merge                                                                      */
/* ------------------------------------------------------------------------- */

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
        st = rle_check(&rles[i], ctx, BMX_E_SCHEMA, err);
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

/* ------------------------------------------------------------------------- */
/* Polygon rasterisation (frPoly)                                             */
/* ------------------------------------------------------------------------- */

/*
 * frPoly scales the vertices by 5, rounds them with (int)(v + 0.5) (truncation toward
 * zero, so negative values round up), walks every edge point by point on that grid,
 * and keeps a boundary point wherever the walk steps across the centre of a pixel
 * column. Each kept point toggles the mask from its pixel on down the column.
 *
 * The COCO API stores every walk point; here the walk is streamed and, within an
 * edge, only the stretch whose x lies over the image is visited (x along an edge is
 * monotone), hopping from one change of x to the next, so memory stays at the kept
 * points and time at about the image width per edge.
 */

/* One edge of the walk, after frPoly's flip. */
struct edge {
    int64_t xs, ys;
    int64_t n; /* last index: the walk visits d = 0..n */
    bool steep, flip;
    double s;
};

struct walk {
    uint32_t h, w;
    bool have_prev;
    int64_t pu, pv;
    uint32_t *pts;
    size_t n, cap;
};

static void edge_point(const struct edge *e, int64_t d, int64_t *u, int64_t *v)
{
    int64_t t = e->flip ? e->n - d : d;
    /* the same double expressions as frPoly, evaluated in the same order */
    if (!e->steep) {
        *u = t + e->xs;
        *v = (int64_t)(int)((double)e->ys + e->s * (double)t + .5);
    } else {
        *v = t + e->ys;
        *u = (int64_t)(int)((double)e->xs + e->s * (double)t + .5);
    }
}

static int64_t edge_u(const struct edge *e, int64_t d)
{
    int64_t u, v;
    edge_point(e, d, &u, &v);
    return u;
}

/* First d in [lo, hi] with dir * u(d) > key (u(d) monotone), or hi + 1. */
static int64_t edge_first_above(const struct edge *e, int64_t lo, int64_t hi, int dir,
                                int64_t key)
{
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (dir * edge_u(e, mid) > key) {
            hi = mid - 1;
        } else {
            lo = mid + 1;
        }
    }
    return lo;
}

/* frPoly's test on one pair of consecutive walk points (previous, current). */
static bool walk_pair(struct walk *wk, int64_t u0, int64_t v0, int64_t u1, int64_t v1)
{
    double xd, yd;
    if (u1 == u0) {
        return true;
    }
    xd = (double)(u1 < u0 ? u1 : u1 - 1);
    xd = (xd + .5) / 5.0 - .5;
    if (floor(xd) != xd || xd < 0 || xd > (double)wk->w - 1) {
        return true;
    }
    yd = (double)(v1 < v0 ? v1 : v0);
    yd = (yd + .5) / 5.0 - .5;
    if (yd < 0) {
        yd = 0;
    } else if (yd > (double)wk->h) {
        yd = (double)wk->h;
    }
    yd = ceil(yd);
    if (wk->n == wk->cap) {
        size_t cap = wk->cap < 8 ? 16 : wk->cap;
        uint32_t *p;
        if (wk->cap >= 8 && !bmx__mul_size(cap, 2, &cap)) {
            return false;
        }
        p = bmx__realloc_array(wk->pts, cap, sizeof *p);
        if (p == NULL) {
            return false;
        }
        wk->pts = p;
        wk->cap = cap;
    }
    /* x <= w-1 and y <= h, so x*h + y <= h*w fits 32 bits */
    wk->pts[wk->n++] = (uint32_t)((uint64_t)xd * wk->h + (uint64_t)yd);
    return true;
}

static bool walk_point(struct walk *wk, int64_t u, int64_t v)
{
    bool ok = true;
    if (wk->have_prev) {
        ok = walk_pair(wk, wk->pu, wk->pv, u, v);
    }
    wk->have_prev = true;
    wk->pu = u;
    wk->pv = v;
    return ok;
}

/* Walk the edge (xs, ys) -> (xe, ye) of the 5x grid. */
static bool walk_edge(struct walk *wk, int64_t xs, int64_t ys, int64_t xe, int64_t ye)
{
    struct edge e;
    int64_t dx = xe > xs ? xe - xs : xs - xe;
    int64_t dy = ys > ye ? ys - ye : ye - ys;
    int64_t u, v, u_end, d, d_a, d_b, lo, hi;
    int dir;

    e.steep = dx < dy;
    e.flip = (!e.steep && xs > xe) || (e.steep && ys > ye);
    if (e.flip) {
        int64_t t = xs;
        xs = xe;
        xe = t;
        t = ys;
        ys = ye;
        ye = t;
    }
    e.xs = xs;
    e.ys = ys;
    e.n = e.steep ? dy : dx;
    /* frPoly divides 0 by 0 for a repeated vertex; that point's y is never used
     * (its x equals its neighbours' wherever a boundary point could be kept) */
    if (!e.steep) {
        e.s = dx == 0 ? 0.0 : (double)(ye - ys) / (double)dx;
    } else {
        e.s = (double)(xe - xs) / (double)dy;
    }

    edge_point(&e, 0, &u, &v);
    if (!walk_point(wk, u, v)) {
        return false;
    }
    if (e.n == 0) {
        return true;
    }
    /* A pair keeps a point only when x changes and the current x lies in
     * [2, 5w - 2]; outside that stretch of the edge nothing is kept. */
    u_end = edge_u(&e, e.n);
    dir = u_end >= u ? 1 : -1;
    lo = 2;
    hi = 5 * (int64_t)wk->w - 2;
    if (dir > 0) {
        d_a = edge_first_above(&e, 1, e.n, 1, lo - 1);
        d_b = edge_first_above(&e, 1, e.n, 1, hi) - 1;
    } else {
        d_a = edge_first_above(&e, 1, e.n, -1, -hi - 1);
        d_b = edge_first_above(&e, 1, e.n, -1, -lo) - 1;
    }
    d = d_a;
    while (d <= d_b) {
        int64_t pu, pv, cu, cv;
        edge_point(&e, d - 1, &pu, &pv);
        edge_point(&e, d, &cu, &cv);
        if (!walk_pair(wk, pu, pv, cu, cv)) {
            return false;
        }
        /* next index whose x differs from this one */
        if (d < d_b && edge_u(&e, d + 1) == cu) {
            d = edge_first_above(&e, d + 1, d_b, dir, dir * cu);
        } else {
            d++;
        }
    }
    edge_point(&e, e.n, &u, &v);
    wk->pu = u;
    wk->pv = v;
    return true;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;
    return x > y ? 1 : (x < y ? -1 : 0);
}

bmx_status bmx_rle_from_poly(const struct bmx_poly *poly, uint32_t h, uint32_t w,
                             struct bmx_rle *out, bmx_error *err)
{
    struct walk wk = {0};
    int64_t *gx = NULL, *gy = NULL;
    uint32_t *a = NULL, *b = NULL;
    uint64_t total = 0;
    size_t k, j, m, na;
    uint32_t p;
    bmx_status st;

    if (out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: from_poly: no output");
    }
    memset(out, 0, sizeof *out);
    if (poly == NULL || (poly->n > 0 && poly->xy == NULL)) {
        return bmx__fail(err, BMX_E_INVALID, "rle: from_poly: no polygon given");
    }
    st = rle_total(h, w, &total, err);
    if (st != BMX_OK) {
        return st;
    }
    k = poly->n;
    for (j = 0; j < 2 * k; j++) {
        double c = poly->xy[j];
        if (!isfinite(c)) {
            return bmx__fail(err, BMX_E_INVALID, "rle: polygon vertex %zu: %s is not finite",
                             j / 2, j % 2 == 0 ? "x" : "y");
        }
        c = 5.0 * c + .5;
        if (c <= -RLE_COORD_LIMIT || c >= RLE_COORD_LIMIT) {
            return bmx__fail(err, BMX_E_LIMIT,
                             "rle: polygon vertex %zu: %s = %g is too far from the image",
                             j / 2, j % 2 == 0 ? "x" : "y", poly->xy[j]);
        }
    }
    if (total == 0 || k == 0) {
        return rle_make_empty(h, w, total, out, err);
    }
    wk.h = h;
    wk.w = w;
    gx = bmx__alloc_array(k + 1, sizeof *gx);
    gy = bmx__alloc_array(k + 1, sizeof *gy);
    if (gx == NULL || gy == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
        goto cleanup;
    }
    for (j = 0; j < k; j++) {
        gx[j] = (int64_t)(int)(5.0 * poly->xy[2 * j] + .5);
        gy[j] = (int64_t)(int)(5.0 * poly->xy[2 * j + 1] + .5);
    }
    gx[k] = gx[0];
    gy[k] = gy[0];
    for (j = 0; j < k; j++) {
        if (!walk_edge(&wk, gx[j], gy[j], gx[j + 1], gy[j + 1])) {
            st = bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
            goto cleanup;
        }
    }

    /* the kept points toggle the mask: sort them, take differences, and let two
     * points on one pixel cancel, as frPoly does */
    na = wk.n + 1;
    a = bmx__alloc_array(na, sizeof *a);
    b = bmx__alloc_array(na, sizeof *b);
    if (a == NULL || b == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
        goto cleanup;
    }
    if (wk.n > 0) {
        memcpy(a, wk.pts, wk.n * sizeof *a);
    }
    a[wk.n] = (uint32_t)total;
    qsort(a, na, sizeof *a, cmp_u32);
    p = 0;
    for (j = 0; j < na; j++) {
        uint32_t t = a[j];
        a[j] -= p;
        p = t;
    }
    m = 0;
    j = 0;
    b[m++] = a[j++];
    while (j < na) {
        if (a[j] > 0) {
            b[m++] = a[j++];
        } else {
            j++;
            if (j < na) {
                b[m - 1] += a[j++];
            }
        }
    }
    out->h = h;
    out->w = w;
    out->m = m;
    out->counts = b;
    b = NULL;
    st = BMX_OK;
cleanup:
    free(gx);
    free(gy);
    free(wk.pts);
    free(a);
    free(b);
    return st;
}

/* pycocotools rasterises each ring (frPyObjects) and the caller merges them; an
 * empty set gives the empty mask, as encoding an all-zero array does. */
bmx_status bmx_rle_from_polyset(const struct bmx_polyset *set, uint32_t h, uint32_t w,
                                struct bmx_rle *out, bmx_error *err)
{
    struct bmx_rle *parts = NULL;
    uint64_t total = 0;
    size_t done = 0;
    bmx_status st;

    if (out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: from_polyset: no output");
    }
    memset(out, 0, sizeof *out);
    if (set == NULL || (set->count > 0 && set->rings == NULL)) {
        return bmx__fail(err, BMX_E_INVALID, "rle: from_polyset: no polygon set given");
    }
    st = rle_total(h, w, &total, err);
    if (st != BMX_OK) {
        return st;
    }
    if (set->count == 0) {
        return rle_make_empty(h, w, total, out, err);
    }
    parts = bmx__alloc_array(set->count, sizeof *parts);
    if (parts == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
        goto cleanup;
    }
    for (done = 0; done < set->count; done++) {
        st = bmx_rle_from_poly(&set->rings[done], h, w, &parts[done], err);
        if (st != BMX_OK) {
            st = bmx__prefix(err, st, "ring %zu", done);
            goto cleanup;
        }
    }
    st = bmx_rle_merge(parts, set->count, false, out, err);
cleanup:
    if (parts != NULL) {
        for (size_t i = 0; i < done; i++) {
            bmx_rle_free(&parts[i]);
        }
        free(parts);
    }
    return st;
}

/* ------------------------------------------------------------------------- */
/* Crop and resize                                                            */
/* ------------------------------------------------------------------------- */

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
    st = rle_check(rle, "rle: crop", BMX_E_SCHEMA, err);
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
                if (!runbuf_ones(&b, ps > s ? ps : s, pe < e ? pe : e)) {
                    goto nomem;
                }
            }
        } else {
            uint64_t cur = s;
            if (rows) {
                for (uint64_t c = ca; c <= cb && ca <= cb; c++) {
                    uint64_t hs = c * h + (uint64_t)y0;
                    uint64_t he = c * h + (uint64_t)y1;
                    if (hs > cur && !runbuf_ones(&b, cur, hs < e ? hs : e)) {
                        goto nomem;
                    }
                    cur = he > cur ? he : cur;
                }
            }
            if (cur < e && !runbuf_ones(&b, cur, e)) {
                goto nomem;
            }
        }
    }
    if (!runbuf_finish(&b, total)) {
        goto nomem;
    }
    runbuf_give(&b, rle->h, rle->w, out);
    return BMX_OK;
nomem:
    free(b.c);
    return bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
}

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
    st = rle_check(rle, "rle: resize", BMX_E_SCHEMA, err);
    if (st != BMX_OK) {
        return st;
    }
    st = rle_total(h, w, &total, err);
    if (st != BMX_OK) {
        return st;
    }
    /* nothing to sample from (or nothing to fill): all zeros */
    if (total == 0 || rle->h == 0 || rle->w == 0) {
        return rle_make_empty(h, w, total, out, err);
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
            if (!runbuf_ones(&b, x * h + first_y[ra], x * h + first_y[rb])) {
                goto nomem;
            }
        }
    }
    if (!runbuf_finish(&b, total)) {
        goto nomem;
    }
    runbuf_give(&b, h, w, out);
    free(first_y);
    return BMX_OK;
nomem:
    free(first_y);
    free(b.c);
    return bmx__fail(err, BMX_E_NOMEM, "rle: out of memory");
}
