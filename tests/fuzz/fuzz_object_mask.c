/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: one object cut by a mask (bmx_object_by_mask, Copy-Paste's
 * primitive), driven by bytes.
 *
 * Input: mode (u8), image height and width (u8 % 40 + 1 each), the object, then
 * the mask as h*w bits, column-major (zeros past the end of the input). Mode bits
 * 0-1 choose the object: 0 one to three polygon rings of up to 15 vertices, i16 / 16
 * each (sub-pixel, around the image), 1 the same with any 64-bit double (NaN,
 * infinities, huge values), 2 an RLE object given as h*w bits, 3 a bare box of four
 * i16 / 16 (sizes taken absolute). Bits 2-3: mask format (3 reads as keep), bits
 * 4-5: min_size, bit 6: crowd.
 *
 * Properties (on success): visibility in [0, 1]; when the mask takes pixels of a
 * kept object, its area is the count of its pixels outside the mask, its box holds
 * each of them, and its mask (RLE, or polygons read back as the COCO API does) is
 * exactly them; an object whose pixels the mask misses keeps visibility 1 unless the
 * image clipped it; crowd objects with a visible pixel are kept.
 */
#include "fuzz.h"

#include "boxmix.h"

#include <math.h>

static void read_bits(struct fz_cursor *c, uint8_t *m, size_t n)
{
    uint8_t byte = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 8 == 0) {
            byte = fz_u8(c);
        }
        m[i] = (byte >> (i % 8)) & 1;
    }
}

/* The pixels whose centres the box holds (boxmix.h, bmx_object_by_mask). */
static void box_pixels(struct bmx_box b, uint32_t h, uint32_t w, uint8_t *m)
{
    for (uint32_t x = 0; x < w; x++) {
        for (uint32_t y = 0; y < h; y++) {
            double cx = x + 0.5, cy = y + 0.5;
            m[(size_t)x * h + y] = cx >= b.x && cx < b.x + b.w && cy >= b.y && cy < b.y + b.h;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_cursor c = {data, size};
    const uint8_t mode = fz_u8(&c);
    const uint32_t h = fz_u8(&c) % 40 + 1, w = fz_u8(&c) % 40 + 1;
    const size_t n = (size_t)h * w;
    struct bmx_object in;
    memset(&in, 0, sizeof in);
    in.id = 1;
    in.iscrowd = (mode >> 6) & 1;
    uint8_t *orig = calloc(n, 1), *mb = calloc(n, 1), *got = calloc(n, 1);
    struct bmx_rle mask = {0, 0, 0, NULL}, orig_rle = {0, 0, 0, NULL};
    FZ_CHECK(orig != NULL && mb != NULL && got != NULL);
    bool pixels_known = true;
    size_t vis = 0, covered = 0;

    const int kind = mode & 3;
    if (kind == 0 || kind == 1) {
        in.seg_kind = BMX_SEG_POLYGON;
        in.polys.count = fz_u8(&c) % 3 + 1;
        in.polys.rings = calloc(in.polys.count, sizeof *in.polys.rings);
        FZ_CHECK(in.polys.rings != NULL);
        for (size_t r = 0; r < in.polys.count; r++) {
            size_t v = fz_u8(&c) % 13 + 3;
            in.polys.rings[r].n = v;
            in.polys.rings[r].xy = malloc(2 * v * sizeof(double));
            FZ_CHECK(in.polys.rings[r].xy != NULL);
            for (size_t k = 0; k < 2 * v; k++) {
                in.polys.rings[r].xy[k] = kind == 0 ? fz_i16(&c) / 16.0 : fz_f64(&c);
            }
        }
        if (!bmx_polyset_bbox(&in.polys, &in.bbox) || !isfinite(in.bbox.x) ||
            !isfinite(in.bbox.y) || !isfinite(in.bbox.w) || !isfinite(in.bbox.h)) {
            memset(&in.bbox, 0, sizeof in.bbox);
        }
        in.area = bmx_polyset_area(&in.polys);
        pixels_known = bmx_rle_from_polyset(&in.polys, h, w, &orig_rle, NULL) == BMX_OK;
        if (pixels_known) {
            FZ_CHECK(bmx_rle_decode(&orig_rle, orig, n, NULL) == BMX_OK);
        }
    } else if (kind == 2) {
        read_bits(&c, orig, n);
        in.seg_kind = BMX_SEG_RLE;
        FZ_CHECK(bmx_rle_encode(orig, h, w, &in.rle, NULL) == BMX_OK);
        bmx_rle_bbox(&in.rle, &in.bbox);
        in.area = (double)bmx_rle_area(&in.rle);
    } else {
        in.bbox.x = fz_i16(&c) / 16.0;
        in.bbox.y = fz_i16(&c) / 16.0;
        in.bbox.w = fabs(fz_i16(&c) / 16.0);
        in.bbox.h = fabs(fz_i16(&c) / 16.0);
        in.area = in.bbox.w * in.bbox.h;
        box_pixels(in.bbox, h, w, orig);
    }
    in.has_area = true;
    read_bits(&c, mb, n);
    FZ_CHECK(bmx_rle_encode(mb, h, w, &mask, NULL) == BMX_OK);

    struct bmx_cutmix_options opts;
    bmx_cutmix_options_init(&opts);
    opts.mask_format = (enum bmx_mask_format)(((mode >> 2) & 3) % 3);
    opts.min_size = (mode >> 4) & 3;
    struct bmx_object out;
    bool kept = false;
    bmx_status st = bmx_object_by_mask(&opts, &in, &mask, (int32_t)w, (int32_t)h, &out, &kept,
                                       NULL);
    if (st != BMX_OK) {
        /* Only what the rasteriser or the checks refuse: non-finite or huge input. */
        FZ_CHECK(kind == 1 && !kept);
        goto done;
    }
    if (kept) {
        FZ_CHECK(out.visibility >= 0.0 && out.visibility <= 1.0);
    }
    if (!pixels_known) {
        /* Coordinates the rasteriser refuses, far from the mask: never rasterised,
         * written as a CutMix patch's miss; nothing to compare with. */
        goto done_out;
    }
    vis = 0;
    covered = 0;
    for (size_t i = 0; i < n; i++) {
        vis += orig[i] && !mb[i];
        covered += orig[i] && mb[i];
    }
    if (covered == 0) {
        FZ_CHECK(!kept || out.touched || out.visibility == 1.0);
    } else {
        if (in.iscrowd && vis > 0) {
            FZ_CHECK(kept);
        }
        if (vis == 0) {
            FZ_CHECK(!kept);
        }
    }
    if (kept && covered > 0) {
        FZ_CHECK(out.touched);
        FZ_CHECK(out.area == (double)vis);
        for (uint32_t x = 0; x < w; x++) {
            for (uint32_t y = 0; y < h; y++) {
                if (orig[(size_t)x * h + y] && !mb[(size_t)x * h + y]) {
                    FZ_CHECK(x >= out.bbox.x && x + 1 <= out.bbox.x + out.bbox.w);
                    FZ_CHECK(y >= out.bbox.y && y + 1 <= out.bbox.y + out.bbox.h);
                }
            }
        }
        struct bmx_rle back = {0, 0, 0, NULL};
        if (out.seg_kind == BMX_SEG_POLYGON) {
            FZ_CHECK(bmx_rle_from_polyset(&out.polys, h, w, &back, NULL) == BMX_OK);
            FZ_CHECK(bmx_polyset_area(&out.polys) == (double)vis);
        } else if (out.seg_kind == BMX_SEG_RLE) {
            FZ_CHECK(bmx_rle_copy(&out.rle, &back, NULL) == BMX_OK);
        }
        if (back.counts != NULL) {
            FZ_CHECK(bmx_rle_decode(&back, got, n, NULL) == BMX_OK);
            for (size_t i = 0; i < n; i++) {
                FZ_CHECK(got[i] == (orig[i] && !mb[i]));
            }
        }
        bmx_rle_free(&back);
    }
done_out:
    if (kept) {
        bmx_object_free(&out);
    }
done:
    bmx_object_free(&in);
    bmx_rle_free(&mask);
    bmx_rle_free(&orig_rle);
    free(orig);
    free(mb);
    free(got);
    return 0;
}
