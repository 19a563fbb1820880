/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: image decoding of the whole input (bmx_image_probe,
 * bmx_image_decode and, with TurboJPEG or libspng built in, the stb back end too,
 * which must give the same pixels for a PNG both take), then the
 * whole-sample path on what decodes: the image becomes CutMix base `a` with a box,
 * a polygon and an RLE object, mixed with a fixed small source sample `b` (so `b`
 * is resized to the input's size), and small results are encoded and decoded back.
 *
 * Decoding is limited to 4 Mpx (the limit is part of the API), the sample path to
 * 512 x 512 and re-encoding to 64 kpx, so that one input stays fast.
 *
 * Properties: a decoded image is 3-channel with the probed size and a consistent
 * stride; apply keeps a's size, fills every pixel buffer and returns well formed
 * objects; an encoded result decodes to the same size.
 */
#include "fuzz.h"

#include "boxmix.h"
#include "codec.h"
#include "pixels.h"

#define FZ_MAX_DECODE_PIXELS ((uint64_t)1 << 22)
#define FZ_MAX_SAMPLE_PIXELS ((uint64_t)512 * 512)
#define FZ_MAX_ENCODE_PIXELS ((uint64_t)256 * 256)

#define SRC_W 24
#define SRC_H 16

static void check_image(const struct bmx_image *img)
{
    FZ_CHECK(img->w > 0 && img->h > 0 && img->channels == 3);
    FZ_CHECK(img->stride >= (size_t)img->w * 3);
    FZ_CHECK(img->data != NULL);
    /* touch the last byte so ASan sees a short buffer */
    volatile uint8_t last = img->data[(size_t)(img->h - 1) * img->stride + (size_t)img->w * 3 - 1];
    (void)last;
}

static void check_objects(const struct bmx_sample *s)
{
    for (size_t i = 0; i < s->n_objects; i++) {
        const struct bmx_object *o = &s->objects[i];
        FZ_CHECK(o->bbox.w >= 0 && o->bbox.h >= 0);
        FZ_CHECK(o->bbox.x >= -1e-9 && o->bbox.y >= -1e-9);
        FZ_CHECK(o->bbox.x + o->bbox.w <= s->image.w + 1e-6);
        FZ_CHECK(o->bbox.y + o->bbox.h <= s->image.h + 1e-6);
        if (o->seg_kind == BMX_SEG_RLE) {
            FZ_CHECK(o->rle.h == (uint32_t)s->image.h && o->rle.w == (uint32_t)s->image.w);
            FZ_CHECK(bmx_rle_validate(&o->rle, NULL) == BMX_OK);
        }
    }
}

/* Three objects for an image of w x h: a box, a triangle polygon, an RLE blob. */
static bool make_objects(struct bmx_object objs[3], int32_t w, int32_t h, int64_t first_id)
{
    double wd = w, hd = h;
    memset(objs, 0, 3 * sizeof *objs);
    for (int i = 0; i < 3; i++) {
        objs[i].id = first_id + i;
        objs[i].category_id = 1 + i;
    }
    objs[0].bbox = (struct bmx_box){wd * 0.1, hd * 0.1, wd * 0.5, hd * 0.4};
    objs[0].seg_kind = BMX_SEG_NONE;

    double *xy = malloc(6 * sizeof *xy);
    struct bmx_poly *ring = malloc(sizeof *ring);
    if (xy == NULL || ring == NULL) {
        free(xy);
        free(ring);
        return false;
    }
    xy[0] = wd * 0.2;
    xy[1] = hd * 0.9;
    xy[2] = wd * 0.95;
    xy[3] = hd * 0.3;
    xy[4] = wd * 0.6;
    xy[5] = hd * 0.95;
    *ring = (struct bmx_poly){3, xy};
    objs[1].seg_kind = BMX_SEG_POLYGON;
    objs[1].polys = (struct bmx_polyset){1, ring};
    bmx_polyset_bbox(&objs[1].polys, &objs[1].bbox);
    objs[1].area = bmx_polyset_area(&objs[1].polys);
    objs[1].has_area = true;

    double blob[8] = {wd * 0.05, hd * 0.5, wd * 0.4, hd * 0.45, wd * 0.45, hd * 0.98,
                      wd * 0.02, hd * 0.9};
    struct bmx_poly quad = {4, blob};
    objs[2].seg_kind = BMX_SEG_RLE;
    objs[2].iscrowd = 1;
    objs[2].has_iscrowd = true;
    if (bmx_rle_from_poly(&quad, (uint32_t)h, (uint32_t)w, &objs[2].rle, NULL) != BMX_OK) {
        bmx_object_free(&objs[1]);
        return false;
    }
    bmx_rle_bbox(&objs[2].rle, &objs[2].bbox);
    objs[2].area = (double)bmx_rle_area(&objs[2].rle);
    objs[2].has_area = true;
    return true;
}

static void free_objects(struct bmx_object objs[3])
{
    for (int i = 0; i < 3; i++) {
        bmx_object_free(&objs[i]);
    }
}

static void check_encode(const struct bmx_image *img, uint64_t hash)
{
    uint8_t *enc = NULL;
    size_t len = 0;
    enum bmx_format fmt = (hash & 1) ? BMX_FORMAT_PNG : BMX_FORMAT_JPEG;
    int quality = 1 + (int)((hash >> 1) % 100);
    if (bmx_image_encode(img, fmt, quality, &enc, &len, NULL) != BMX_OK) {
        return;
    }
    struct bmx_image back = {0};
    FZ_CHECK(bmx_image_decode(enc, len, NULL, &back, NULL) == BMX_OK);
    FZ_CHECK(back.w == img->w && back.h == img->h);
    bmx_image_free(&back);
    free(enc);
}

/* Mix the decoded image (as base a) with a fixed small source sample b. */
static void sample_path(const struct bmx_image *img, uint64_t hash)
{
    struct bmx_object a_objs[3], b_objs[3];
    struct bmx_image src = {0};
    struct bmx_sample out = {0};
    bool a_ok = false, b_ok = false;

    if (bmx_image_new(SRC_W, SRC_H, 3, &src, NULL) != BMX_OK) {
        return;
    }
    for (int32_t y = 0; y < SRC_H; y++) {
        for (int32_t x = 0; x < SRC_W * 3; x++) {
            src.data[(size_t)y * src.stride + (size_t)x] = (uint8_t)(x * 7 + y * 13);
        }
    }
    a_ok = make_objects(a_objs, img->w, img->h, 1);
    b_ok = make_objects(b_objs, SRC_W, SRC_H, 100);
    if (!a_ok || !b_ok) {
        goto done;
    }
    struct bmx_sample a = {*img, 3, a_objs};
    struct bmx_sample b = {src, 3, b_objs};

    struct bmx_cutmix_options opts;
    bmx_cutmix_options_init(&opts);
    opts.mask_format = (hash & 2) ? BMX_MASK_RLE : BMX_MASK_KEEP;
    opts.placement = (hash & 4) ? BMX_PLACE_AVOID_BASE : BMX_PLACE_ANYWHERE;
    opts.mode = (hash & 8) ? BMX_PATCH_RATIO : BMX_PATCH_BETA;
    bmx_rng rng;
    bmx_rng_seed(&rng, hash, 0);
    struct bmx_box boxes[3] = {a_objs[0].bbox, a_objs[1].bbox, a_objs[2].bbox};
    struct bmx_patch patch;
    FZ_CHECK(bmx_cutmix_draw_patch(&opts, img->w, img->h, boxes, 3, &rng, &patch, NULL) ==
             BMX_OK);
    FZ_CHECK(patch.rect.x >= 0 && patch.rect.y >= 0 && patch.rect.w >= 0 && patch.rect.h >= 0);
    FZ_CHECK(patch.rect.x + patch.rect.w <= img->w && patch.rect.y + patch.rect.h <= img->h);

    struct bmx_cutmix_stats stats;
    bmx_status st = bmx_cutmix_apply(&opts, &patch, &a, &b, &out, &stats, NULL);
    if (st == BMX_E_NOMEM) {
        goto done;
    }
    FZ_CHECK(st == BMX_OK);
    FZ_CHECK(out.image.w == img->w && out.image.h == img->h);
    check_image(&out.image);
    check_objects(&out);
    FZ_CHECK(stats.kept_whole + stats.clipped + stats.dropped == 6);
    if ((uint64_t)img->w * (uint64_t)img->h <= FZ_MAX_ENCODE_PIXELS) {
        check_encode(&out.image, hash >> 4);
    }
done:
    if (a_ok) {
        free_objects(a_objs);
    }
    if (b_ok) {
        free_objects(b_objs);
    }
    bmx_sample_free(&out);
    bmx_image_free(&src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bmx_limits limits;
    bmx_limits_init(&limits);
    limits.max_image_pixels = FZ_MAX_DECODE_PIXELS;

    int32_t pw = 0, ph = 0;
    bool probed = bmx_image_probe(data, size, &pw, &ph, NULL) == BMX_OK;

    struct bmx_image img = {0};
    bmx_error err;
    bmx_status st = bmx_image_decode(data, size, &limits, &img, &err);
    if (st != BMX_OK) {
        FZ_CHECK(err.message[0] != '\0');
        FZ_CHECK(img.data == NULL);
    } else {
        check_image(&img);
        FZ_CHECK((uint64_t)img.w * (uint64_t)img.h <= FZ_MAX_DECODE_PIXELS);
        if (probed) {
            FZ_CHECK(pw == img.w && ph == img.h);
        }
    }

    if (bmx_have_turbojpeg() || bmx_have_spng()) {
        struct bmx_image other = {0};
        if (bmx__image_decode_stb(data, size, &limits, &other, NULL) == BMX_OK) {
            check_image(&other);
            /* A PNG both decoders take is the same pixels from both. */
            if (st == BMX_OK && bmx__looks_like_png(data, size)) {
                FZ_CHECK(other.w == img.w && other.h == img.h);
                FZ_CHECK(memcmp(other.data, img.data, img.stride * (size_t)img.h) == 0);
            }
        }
        bmx_image_free(&other);
    }

    if (st == BMX_OK && (uint64_t)img.w * (uint64_t)img.h <= FZ_MAX_SAMPLE_PIXELS) {
        sample_path(&img, fz_hash(data, size));
    }
    bmx_image_free(&img);
    return 0;
}
