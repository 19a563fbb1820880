/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the COCO compressed RLE string decoder (bmx_rle_from_string) and
 * what a parsed mask goes through next.
 *
 * Input: h (u16), w (u16), flags (u8), a crop rectangle (4 x i16), a resize target
 * (2 x u8), then the string (any bytes, NULs included). Flag bit 0 multiplies h
 * and w by 65537 to reach sizes past the 32-bit run limit.
 *
 * Properties checked on every mask that parses: its runs add up to h*w, the
 * string form reads back to the same runs, decode/encode agree on small masks,
 * the two crops by one rectangle split the area, merging with itself is the
 * identity, and every result validates.
 */
#include "fuzz.h"

#include "boxmix.h"

/* Masks up to this many pixels are also decoded to bytes. */
#define FZ_MAX_DECODE_PIXELS ((uint64_t)1 << 20)

static uint64_t run_sum(const struct bmx_rle *r)
{
    uint64_t s = 0;
    for (size_t i = 0; i < r->m; i++) {
        s += r->counts[i];
    }
    return s;
}

static void check_string_round_trip(const struct bmx_rle *rle)
{
    char *s = NULL;
    size_t len = 0;
    struct bmx_rle back = {0};
    if (bmx_rle_to_string(rle, &s, &len, NULL) != BMX_OK) {
        return; /* out of memory only */
    }
    FZ_CHECK(strlen(s) == len);
    FZ_CHECK(bmx_rle_from_string(s, len, rle->h, rle->w, &back, NULL) == BMX_OK);
    FZ_CHECK(back.m == rle->m);
    FZ_CHECK(back.m == 0 || memcmp(back.counts, rle->counts, back.m * sizeof *back.counts) == 0);
    bmx_rle_free(&back);
    free(s);
}

static void check_decode_encode(const struct bmx_rle *rle, uint64_t total)
{
    if (total == 0 || total > FZ_MAX_DECODE_PIXELS) {
        return;
    }
    uint8_t *mask = malloc((size_t)total);
    uint8_t *again = malloc((size_t)total);
    struct bmx_rle enc = {0};
    if (mask == NULL || again == NULL) {
        goto done;
    }
    FZ_CHECK(bmx_rle_decode(rle, mask, (size_t)total, NULL) == BMX_OK);
    uint64_t set = 0;
    for (uint64_t i = 0; i < total; i++) {
        FZ_CHECK(mask[i] <= 1);
        set += mask[i];
    }
    FZ_CHECK(set == bmx_rle_area(rle));
    FZ_CHECK(bmx_rle_encode(mask, rle->h, rle->w, &enc, NULL) == BMX_OK);
    FZ_CHECK(bmx_rle_area(&enc) == set);
    FZ_CHECK(bmx_rle_decode(&enc, again, (size_t)total, NULL) == BMX_OK);
    FZ_CHECK(memcmp(mask, again, (size_t)total) == 0);
done:
    bmx_rle_free(&enc);
    free(mask);
    free(again);
}

static void check_ops(const struct bmx_rle *rle, struct bmx_rect r, uint32_t rh, uint32_t rw)
{
    struct bmx_rle in = {0}, out = {0}, both[2] = {{0}}, merged = {0}, inter = {0}, sized = {0};
    uint64_t area = bmx_rle_area(rle);

    struct bmx_box box;
    bmx_rle_bbox(rle, &box);
    FZ_CHECK(box.x >= 0 && box.y >= 0 && box.w >= 0 && box.h >= 0);
    FZ_CHECK(box.x + box.w <= rle->w && box.y + box.h <= rle->h);
    FZ_CHECK((area == 0) == (box.w == 0));

    if (bmx_rle_crop_rect(rle, r, true, &in, NULL) == BMX_OK &&
        bmx_rle_crop_rect(rle, r, false, &out, NULL) == BMX_OK) {
        FZ_CHECK(bmx_rle_validate(&in, NULL) == BMX_OK);
        FZ_CHECK(bmx_rle_validate(&out, NULL) == BMX_OK);
        FZ_CHECK(bmx_rle_area(&in) + bmx_rle_area(&out) == area);
        both[0] = *rle;
        both[1] = in;
        if (bmx_rle_merge(both, 2, true, &inter, NULL) == BMX_OK) {
            FZ_CHECK(bmx_rle_area(&inter) == bmx_rle_area(&in));
        }
    }
    both[0] = *rle;
    both[1] = *rle;
    if (bmx_rle_merge(both, 2, false, &merged, NULL) == BMX_OK) {
        FZ_CHECK(bmx_rle_area(&merged) == area);
    }
    if (bmx_rle_resize_nearest(rle, rh, rw, &sized, NULL) == BMX_OK) {
        FZ_CHECK(sized.h == rh && sized.w == rw);
        FZ_CHECK(bmx_rle_validate(&sized, NULL) == BMX_OK);
        FZ_CHECK(bmx_rle_area(&sized) <= (uint64_t)rh * rw);
    }
    bmx_rle_free(&in);
    bmx_rle_free(&out);
    bmx_rle_free(&merged);
    bmx_rle_free(&inter);
    bmx_rle_free(&sized);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_cursor c = {data, size};
    uint32_t h = fz_u16(&c);
    uint32_t w = fz_u16(&c);
    uint8_t flags = fz_u8(&c);
    if (flags & 1) {
        h *= 65537u;
        w *= 65537u;
    }
    struct bmx_rect r;
    r.x = fz_i16(&c);
    r.y = fz_i16(&c);
    r.w = fz_i16(&c);
    r.h = fz_i16(&c);
    uint32_t rh = fz_u8(&c);
    uint32_t rw = fz_u8(&c);

    struct bmx_rle rle = {0};
    bmx_error err;
    bmx_status st = bmx_rle_from_string((const char *)c.p, c.left, h, w, &rle, &err);
    if (st != BMX_OK) {
        FZ_CHECK(err.message[0] != '\0');
        FZ_CHECK(rle.counts == NULL && rle.m == 0);
        return 0;
    }
    uint64_t total = (uint64_t)h * w;
    FZ_CHECK(rle.h == h && rle.w == w);
    FZ_CHECK(run_sum(&rle) == total);
    FZ_CHECK(bmx_rle_validate(&rle, NULL) == BMX_OK);
    FZ_CHECK(bmx_rle_area(&rle) <= total);

    check_string_round_trip(&rle);
    check_decode_encode(&rle, total);
    check_ops(&rle, r, rh, rw);
    bmx_rle_free(&rle);
    return 0;
}
