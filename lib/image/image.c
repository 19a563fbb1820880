/* SPDX-License-Identifier: MIT */
/*
 * The image value: limits and their defaults, bmx_image_new and bmx_image_free,
 * and the two checks every codec and pixel operation starts from (a caller's view
 * describes memory that can be walked row by row; a decoded size is within the
 * limits).
 */
#include "codec.h"
#include "pixels.h"

#include "boxmix.h"
#include "error.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>


bool bmx_have_turbojpeg(void)
{
#ifdef BMX_HAVE_TURBOJPEG
    return true;
#else
    return false;
#endif
}

bool bmx_have_spng(void)
{
#ifdef BMX_HAVE_SPNG
    return true;
#else
    return false;
#endif
}

void bmx_image_free(struct bmx_image *img)
{
    if (img == NULL) {
        return;
    }
    free(img->data);
    memset(img, 0, sizeof *img);
}

/* bmx_image_new's checks and allocation; `zero`: the pixels start at 0, else they
 * are left as malloc gives them (for a caller that writes every byte). */
static bmx_status image_make(int32_t w, int32_t h, int32_t channels, bool zero,
                             struct bmx_image *out, bmx_error *err)
{
    size_t row;
    size_t total;

    if (out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "image: NULL output");
    }
    memset(out, 0, sizeof *out);
    if (w <= 0 || h <= 0) {
        return bmx__fail(err, BMX_E_INVALID, "image: size %" PRId32 "x%" PRId32 " is not positive",
                         w, h);
    }
    if (channels < 1 || channels > 4) {
        return bmx__fail(err, BMX_E_INVALID, "image: %" PRId32 " channels (expected 1 to 4)",
                         channels);
    }
    /* Objects beyond PTRDIFF_MAX bytes cannot be indexed safely; call that overflow. */
    if (!bmx__mul_size((size_t)w, (size_t)channels, &row) ||
        !bmx__mul_size(row, (size_t)h, &total) || total > PTRDIFF_MAX) {
        return bmx__fail(err, BMX_E_OVERFLOW,
                         "image: %" PRId32 "x%" PRId32 "x%" PRId32 " bytes is too large", w, h,
                         channels);
    }
    out->data = zero ? calloc(total, 1) : malloc(total);
    if (out->data == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "image: cannot allocate %zu bytes", total);
    }
    out->w = w;
    out->h = h;
    out->channels = channels;
    out->stride = row;
    return BMX_OK;
}

bmx_status bmx_image_new(int32_t w, int32_t h, int32_t channels, struct bmx_image *out,
                         bmx_error *err)
{
    return image_make(w, h, channels, true, out, err);
}

bmx_status bmx__image_new_unset(int32_t w, int32_t h, int32_t channels, struct bmx_image *out,
                                bmx_error *err)
{
    return image_make(w, h, channels, false, out, err);
}

/* A caller's image view must describe memory we can walk row by row. */
bmx_status bmx__image_check_view(const struct bmx_image *img, bmx_error *err)
{
    size_t row;
    size_t span;

    if (img == NULL || img->data == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "image: no pixels");
    }
    if (img->w <= 0 || img->h <= 0) {
        return bmx__fail(err, BMX_E_INVALID, "image: size %" PRId32 "x%" PRId32 " is not positive",
                         img->w, img->h);
    }
    if (img->channels < 1 || img->channels > 4) {
        return bmx__fail(err, BMX_E_INVALID, "image: %" PRId32 " channels (expected 1 to 4)",
                         img->channels);
    }
    if (!bmx__mul_size((size_t)img->w, (size_t)img->channels, &row) ||
        !bmx__mul_size(img->stride, (size_t)img->h - 1, &span) ||
        !bmx__add_size(span, row, &span)) {
        return bmx__fail(err, BMX_E_OVERFLOW, "image: %" PRId32 "x%" PRId32 " overflows size_t",
                         img->w, img->h);
    }
    if (img->stride < row) {
        return bmx__fail(err, BMX_E_INVALID, "image: stride %zu is below the row size %zu",
                         img->stride, row);
    }
    return BMX_OK;
}

bmx_status bmx__image_check_size(uint64_t w, uint64_t h, const struct bmx_limits *limits,
                                 bmx_error *err)
{
    uint64_t max = limits != NULL ? limits->max_image_pixels : BMX__DEFAULT_MAX_PIXELS;

    /* Both sides are below 2^32, so the product cannot wrap. */
    if (w * h > max) {
        return bmx__fail(err, BMX_E_LIMIT,
                         "image of %" PRIu64 "x%" PRIu64 " = %" PRIu64
                         " pixels exceeds the limit of %" PRIu64 " pixels",
                         w, h, w * h, max);
    }
    if (w > BMX__IMAGE_MAX_SIDE || h > BMX__IMAGE_MAX_SIDE) {
        return bmx__fail(err, BMX_E_LIMIT,
                         "image of %" PRIu64 "x%" PRIu64 " has a side above %d pixels", w, h,
                         BMX__IMAGE_MAX_SIDE);
    }
    return BMX_OK;
}
