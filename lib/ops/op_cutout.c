/* SPDX-License-Identifier: MIT */
/* CutOut as an entry of bmx_op_apply (DESIGN.md, "Other operations"): `holes`
 * rectangles drawn like CutMix patches, filled with the base's mean, a constant or
 * noise, every object of the base cut by every hole (cutout_object.c).
 *
 * Draws from `rng`, in this order: the holes one after the other (each as
 * bmx__patch_draw_rect draws a patch), then for `noise` the fill's bytes: row by
 * row from the top, in each row the pixels any hole covers from the left (a pixel
 * under two holes is filled once), channel by channel; each bmx_rng_next gives
 * eight bytes, its lowest byte first. The fill comes last, so a dry run (no pixels)
 * draws the same holes and decides the same objects.
 *
 * The fill colour per channel: `mean` is each channel's mean over every pixel of
 * the base, rounded to nearest (integer arithmetic); `constant` is fill_rgb on
 * RGB(A) images (alpha 255) and its luma (299 R + 587 G + 114 B) / 1000 rounded on
 * grey images. The record's fill_rgb is the colour used for mean (a grey mean
 * repeated; zero in a dry run, which has no pixels to average) and constant. */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

/* Each channel's mean over the whole image, rounded to nearest. The sums stay in
 * registers (one per channel): a sum through memory is a chain of stores. */
static void channel_means(const struct bmx_image *img, uint8_t mean[4])
{
    const int32_t c = img->channels;
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int32_t y = 0; y < img->h; y++) {
        const uint8_t *p = img->data + (size_t)y * img->stride;
        const uint8_t *end = p + (size_t)img->w * (size_t)c;
        if (c == 3) {
            for (; p < end; p += 3) {
                s0 += p[0];
                s1 += p[1];
                s2 += p[2];
            }
        } else if (c == 4) {
            for (; p < end; p += 4) {
                s0 += p[0];
                s1 += p[1];
                s2 += p[2];
                s3 += p[3];
            }
        } else if (c == 2) {
            for (; p < end; p += 2) {
                s0 += p[0];
                s1 += p[1];
            }
        } else {
            for (; p < end; p++) {
                s0 += p[0];
            }
        }
    }
    const uint64_t n = (uint64_t)img->w * (uint64_t)img->h;
    const uint64_t sum[4] = {s0, s1, s2, s3};
    for (int32_t k = 0; k < 4; k++) {
        mean[k] = k < c ? (uint8_t)((sum[k] + n / 2) / n) : 0;
    }
}

/* The pixels of row y under any hole: merged, sorted intervals [a, b) of x. */
static size_t row_spans(const struct bmx_rect *holes, size_t n, int32_t y, int32_t spans[][2])
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        const struct bmx_rect r = holes[k];
        if (r.w <= 0 || r.h <= 0 || y < r.y || y >= r.y + r.h) {
            continue;
        }
        /* Insert sorted by start. */
        size_t at = m;
        while (at > 0 && spans[at - 1][0] > r.x) {
            spans[at][0] = spans[at - 1][0];
            spans[at][1] = spans[at - 1][1];
            at--;
        }
        spans[at][0] = r.x;
        spans[at][1] = r.x + r.w;
        m++;
    }
    size_t out = 0;
    for (size_t i = 0; i < m; i++) {
        if (out > 0 && spans[i][0] <= spans[out - 1][1]) {
            if (spans[i][1] > spans[out - 1][1]) {
                spans[out - 1][1] = spans[i][1];
            }
        } else {
            spans[out][0] = spans[i][0];
            spans[out][1] = spans[i][1];
            out++;
        }
    }
    return out;
}

/* The noise fill's byte stream: eight bytes per draw, the lowest first. */
struct noise {
    bmx_rng *rng;
    uint64_t word;
    unsigned left;
};

static uint8_t noise_byte(struct noise *nz)
{
    if (nz->left == 0) {
        nz->word = bmx_rng_next(nz->rng);
        nz->left = 8;
    }
    uint8_t b = (uint8_t)(nz->word & 0xffu);
    nz->word >>= 8;
    nz->left--;
    return b;
}

/* Fill the holes of `img` (the base's copy): a colour per channel (copied from
 * `pattern`, a row of it), or noise. */
static void fill_holes(struct bmx_image *img, const struct bmx_rect *holes, size_t n,
                       const uint8_t *pattern, bmx_rng *rng)
{
    const size_t c = (size_t)img->channels;
    int32_t spans[BMX_MAX_HOLES][2];
    struct noise nz = {rng, 0, 0};
    for (int32_t y = 0; y < img->h; y++) {
        size_t m = row_spans(holes, n, y, spans);
        uint8_t *row = img->data + (size_t)y * img->stride;
        for (size_t i = 0; i < m; i++) {
            uint8_t *p = row + (size_t)spans[i][0] * c;
            const size_t len = (size_t)(spans[i][1] - spans[i][0]) * c;
            if (pattern != NULL) {
                memcpy(p, pattern, len);
            } else {
                for (size_t q = 0; q < len; q++) {
                    p[q] = noise_byte(&nz);
                }
            }
        }
    }
}

bmx_status bmx__op_cutout(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                          bool pixels, bmx_rng *rng, struct bmx__op_scratch *sc,
                          struct bmx_sample *out, struct bmx_op_record *record,
                          struct bmx_cutmix_stats *stats, struct bmx_decision *decisions,
                          bmx_error *err)
{
    const struct bmx_sample *a = in[0];
    const int32_t w = a->image.w, h = a->image.h;
    const size_t n = (size_t)opts->holes;
    struct bmx_sample res;
    memset(&res, 0, sizeof res);

    /* 1. The holes, and the share of the image they leave. */
    for (size_t k = 0; k < n; k++) {
        bmx__patch_draw_rect(&opts->cutmix, w, h, rng, &record->holes[k]);
    }
    record->n_holes = n;
    record->fill = opts->fill;
    const double whole[4] = {0.0, 0.0, (double)w, (double)h};
    struct bmx_box left_box;
    record->lambda = bmx__box_minus_holes(whole, record->holes, n, &left_box) /
                     ((double)w * (double)h);

    /* 2. Pixels: the base, its holes filled. */
    bmx_status st = BMX_OK;
    if (!pixels) {
        res.image = (struct bmx_image){w, h, a->image.channels, 0, NULL};
        if (opts->fill == BMX_FILL_CONSTANT) {
            memcpy(record->fill_rgb, opts->fill_rgb, 3);
        }
    } else {
        const size_t c = (size_t)a->image.channels;
        /* The base itself when the caller gives its pixels up, else a copy of it. */
        if (!bmx__op_image_in_base(sc, in, 1, &res.image)) {
            st = bmx__op_image(sc, w, h, a->image.channels, &res.image, err);
            if (st != BMX_OK) {
                return st;
            }
            for (int32_t y = 0; y < h; y++) {
                memcpy(res.image.data + (size_t)y * res.image.stride,
                       a->image.data + (size_t)y * a->image.stride, (size_t)w * c);
            }
        }
        uint8_t colour[4] = {0, 0, 0, 0};
        if (opts->fill == BMX_FILL_MEAN) {
            channel_means(&a->image, colour);
            for (size_t k = 0; k < 3; k++) {
                record->fill_rgb[k] = colour[c >= 3 ? k : 0];
            }
        } else if (opts->fill == BMX_FILL_CONSTANT) {
            const uint8_t *rgb = opts->fill_rgb;
            memcpy(record->fill_rgb, rgb, 3);
            if (c >= 3) {
                memcpy(colour, rgb, 3);
                colour[3] = 255;
            } else {
                colour[0] = (uint8_t)((299u * rgb[0] + 587u * rgb[1] + 114u * rgb[2] + 500u) /
                                      1000u);
                colour[1] = 255;
            }
        }
        uint8_t *pattern = NULL;
        if (opts->fill != BMX_FILL_NOISE) {
            pattern = bmx__alloc_array((size_t)w, c);
            if (pattern == NULL) {
                bmx__op_image_drop(sc, &res.image);
                return bmx__fail(err, BMX_E_NOMEM, "cutout: out of memory");
            }
            for (size_t x = 0; x < (size_t)w; x++) {
                memcpy(pattern + x * c, colour, c);
            }
        }
        /* The objects below draw nothing: filling now keeps the documented order. */
        fill_holes(&res.image, record->holes, n, pattern, rng);
        free(pattern);
    }

    /* 3. Objects: every one cut by every hole. */
    if (a->n_objects > 0) {
        res.objects = bmx__alloc_array(a->n_objects, sizeof *res.objects);
        if (res.objects == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "cutout: out of memory");
            goto fail;
        }
    }
    for (size_t i = 0; i < a->n_objects; i++) {
        const struct bmx_object *ob = &a->objects[i];
        struct bmx_object *o = &res.objects[res.n_objects];
        struct bmx__verdict v;
        bool kept = false;
        st = bmx__object_by_holes(&opts->cutmix, ob, record->holes, n, w, h, o, &kept, &v,
                                  &stats->holes_filled, err);
        if (st != BMX_OK) {
            bmx__prefix(err, st, "cutout: base object %zu (id %lld)", i, (long long)ob->id);
            goto fail;
        }
        if (decisions != NULL) {
            bmx__op_decision(&decisions[i], BMX_FROM_BASE, 0, i, ob, ob->bbox, kept, o, &v);
        }
        bmx__op_count(stats, kept, o);
        if (kept) {
            o->origin = BMX_FROM_BASE;
            res.n_objects++;
        }
    }
    *out = res;
    return BMX_OK;

fail:
    bmx__op_image_drop(sc, &res.image);
    bmx_sample_free(&res);
    return st;
}
