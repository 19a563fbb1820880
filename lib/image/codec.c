/* SPDX-License-Identifier: MIT */
/*
 * The codec dispatch: bmx_image_decode, bmx_image_probe and bmx_image_encode, and
 * the codec state a worker reuses from image to image. JPEG goes to TurboJPEG when
 * the build has it (turbojpeg.c), PNG to libspng when the build has it (png.c),
 * everything else and the fallback to stb_image (stb_decode.c, stb_encode.c); the
 * arguments the encoders share are checked here.
 */
#include "codec.h"
#include "pixels.h"

#include "boxmix.h"
#include "error.h"
#include "prefault.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#ifdef BMX_HAVE_TURBOJPEG
#include <turbojpeg.h>
#endif

/* Decode into *pix (grown to fit, capacity *cap), with the codec's reused handle. */
static bmx_status decode_into(struct bmx__codec *c, const uint8_t *buf, size_t len,
                              const struct bmx_limits *limits, uint8_t **pix, size_t *cap,
                              struct bmx_image *out, bmx_error *err)
{
    memset(out, 0, sizeof *out);
#ifdef BMX_HAVE_TURBOJPEG
    if (bmx__looks_like_jpeg(buf, len)) {
        if (c->dec == NULL) {
            c->dec = tjInitDecompress();
            if (c->dec == NULL) {
                return bmx__fail(err, BMX_E_NOMEM, "cannot start the JPEG decoder: %s",
                                 bmx__turbojpeg_reason(NULL));
            }
        }
        bmx_status st =
            bmx__turbojpeg_decode(c->dec, buf, len, limits, c->cached_rows, pix, cap, out, err);
        if (st != BMX_OK) {
            /* Start the next image from a fresh decoder, whatever state this one left. */
            tjDestroy(c->dec);
            c->dec = NULL;
        }
        return st;
    }
#else
    (void)c;
#endif
#ifdef BMX_HAVE_SPNG
    if (bmx__looks_like_png(buf, len)) {
        return bmx__spng_decode(buf, len, limits, pix, cap, out, err);
    }
#endif
    struct bmx_image img;
    bmx_status st = bmx__image_decode_stb(buf, len, limits, &img, err);
    if (st != BMX_OK) {
        return st;
    }
    /* stb's buffer becomes the caller's: no copy. */
    free(*pix);
    *pix = img.data;
    *cap = img.stride * (size_t)img.h;
    *out = img;
    return BMX_OK;
}

bmx_status bmx_image_decode(const uint8_t *buf, size_t len, const struct bmx_limits *limits,
                            struct bmx_image *out, bmx_error *err)
{
    if (out == NULL || (buf == NULL && len > 0)) {
        return bmx__fail(err, BMX_E_INVALID, "image decode: NULL argument");
    }
    memset(out, 0, sizeof *out);
    struct bmx__codec c = {0};
    uint8_t *pix = NULL;
    size_t cap = 0;
    bmx_status st = decode_into(&c, buf, len, limits, &pix, &cap, out, err);
    if (st != BMX_OK) {
        free(pix);
        memset(out, 0, sizeof *out);
    }
    bmx__codec_free(&c);
    return st;
}

bmx_status bmx__codec_decode(struct bmx__codec *c, const uint8_t *buf, size_t len,
                             const struct bmx_limits *limits, uint8_t **pix, size_t *cap,
                             struct bmx_image *out, bmx_error *err)
{
    if (c == NULL || pix == NULL || cap == NULL || out == NULL || (buf == NULL && len > 0)) {
        return bmx__fail(err, BMX_E_INVALID, "image decode: NULL argument");
    }
    return decode_into(c, buf, len, limits, pix, cap, out, err);
}

void bmx__codec_free(struct bmx__codec *c)
{
    if (c == NULL) {
        return;
    }
#ifdef BMX_HAVE_TURBOJPEG
    if (c->dec != NULL) {
        tjDestroy(c->dec);
    }
    if (c->enc != NULL) {
        tjDestroy(c->enc);
    }
    tjFree(c->jpeg);
#endif
    free(c->other);
    free(c->png);
    memset(c, 0, sizeof *c);
}

/* The size from the header alone, whatever the pixel limit. */
bmx_status bmx_image_probe(const uint8_t *buf, size_t len, int32_t *w, int32_t *h,
                           bmx_error *err)
{
    if (w == NULL || h == NULL || (buf == NULL && len > 0)) {
        return bmx__fail(err, BMX_E_INVALID, "image probe: NULL argument");
    }
    *w = 0;
    *h = 0;
    if (len == 0) {
        return bmx__fail(err, BMX_E_DECODE, "empty input (0 bytes) is not an image");
    }
#ifdef BMX_HAVE_TURBOJPEG
    if (bmx__looks_like_jpeg(buf, len)) {
        tjhandle tj = NULL;
        bmx_status st = BMX_OK;
        int jw = 0;
        int jh = 0;
        int subsamp = -1;
        int colorspace = -1;

        if (len > ULONG_MAX) {
            return bmx__fail(err, BMX_E_LIMIT, "encoded image of %zu bytes is too large", len);
        }
        tj = tjInitDecompress();
        if (tj == NULL) {
            return bmx__fail(err, BMX_E_NOMEM, "cannot start the JPEG decoder: %s",
                             bmx__turbojpeg_reason(NULL));
        }
        if (tjDecompressHeader3(tj, buf, (unsigned long)len, &jw, &jh, &subsamp, &colorspace) !=
            0) {
            st = bmx__fail(err, BMX_E_DECODE, "cannot read JPEG header: %s",
                           bmx__turbojpeg_reason(tj));
        } else if (jw <= 0 || jh <= 0) {
            st = bmx__fail(err, BMX_E_DECODE, "cannot read JPEG header: truncated or corrupt");
        } else {
            *w = jw;
            *h = jh;
        }
        tjDestroy(tj);
        return st;
    }
#endif
    return bmx__stb_header(buf, len, w, h, err);
}

/* Arguments both encoders share; also bounds the image to what int-based APIs take. */
bmx_status bmx__image_check_encode_args(const struct bmx_image *img, enum bmx_format format,
                                        int quality, uint8_t **out, size_t *len, bmx_error *err)
{
    size_t row;
    size_t total;
    bmx_status st;

    if (out == NULL || len == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "image encode: NULL output");
    }
    *out = NULL;
    *len = 0;
    st = bmx__image_check_view(img, err);
    if (st != BMX_OK) {
        return st;
    }
    if (format != BMX_FORMAT_JPEG && format != BMX_FORMAT_PNG) {
        return bmx__fail(err, BMX_E_INVALID, "image encode: unknown format %d", (int)format);
    }
    if (format == BMX_FORMAT_JPEG) {
        if (quality < 1 || quality > 100) {
            return bmx__fail(err, BMX_E_INVALID, "JPEG quality %d is outside 1..100", quality);
        }
        if (img->channels != 1 && img->channels != 3) {
            return bmx__fail(err, BMX_E_INVALID,
                             "JPEG needs 1 or 3 channels, the image has %" PRId32, img->channels);
        }
        if (img->w > 65535 || img->h > 65535) {
            return bmx__fail(err, BMX_E_LIMIT,
                             "JPEG cannot hold %" PRId32 "x%" PRId32 " (sides up to 65535)",
                             img->w, img->h);
        }
    }
    /* Both back ends index with int: keep rows, stride and the filtered image below it. */
    if (img->stride > INT_MAX || !bmx__mul_size((size_t)img->w, (size_t)img->channels, &row) ||
        !bmx__mul_size(row + 1, (size_t)img->h, &total) || total > INT_MAX) {
        return bmx__fail(err, BMX_E_LIMIT,
                         "image of %" PRId32 "x%" PRId32 "x%" PRId32 " is too large to encode",
                         img->w, img->h, img->channels);
    }
    return BMX_OK;
}

bmx_status bmx__codec_encode(struct bmx__codec *c, const struct bmx_image *img,
                             enum bmx_format format, int quality, int png_level,
                             const uint8_t **out, size_t *len, bmx_error *err)
{
    uint8_t *data = NULL;
    if (c == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "image encode: NULL argument");
    }
    *out = NULL;
    bmx_status st = bmx__image_check_encode_args(img, format, quality, &data, len, err);
    if (st != BMX_OK) {
        return st;
    }
#ifdef BMX_HAVE_TURBOJPEG
    if (format == BMX_FORMAT_JPEG) {
        if (c->enc == NULL) {
            c->enc = tjInitCompress();
            if (c->enc == NULL) {
                return bmx__fail(err, BMX_E_NOMEM, "cannot start the JPEG encoder: %s",
                                 bmx__turbojpeg_reason(NULL));
            }
        }
        st = bmx__turbojpeg_encode(c->enc, img, quality, &c->jpeg, &c->jpeg_cap, len, err);
        if (st != BMX_OK) {
            tjDestroy(c->enc);
            c->enc = NULL;
            return st;
        }
        *out = c->jpeg;
        return BMX_OK;
    }
#endif
#ifdef BMX_HAVE_SPNG
    if (format == BMX_FORMAT_PNG) {
        st = bmx__spng_encode(img, png_level, &c->png, &c->png_cap, len, err);
        if (st == BMX_OK) {
            *out = c->png;
        }
        return st;
    }
#else
    (void)png_level;
#endif
    free(c->other);
    c->other = NULL;
    st = bmx__image_encode_stb(img, format, quality, &c->other, len, err);
    if (st == BMX_OK) {
        *out = c->other;
    }
    return st;
}

bmx_status bmx_image_encode(const struct bmx_image *img, enum bmx_format format, int quality,
                            uint8_t **out, size_t *len, bmx_error *err)
{
    struct bmx__codec c = {0};
    const uint8_t *enc = NULL;
    size_t n = 0;
    if (out == NULL || len == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "image encode: NULL output");
    }
    *out = NULL;
    *len = 0;
    bmx_status st = bmx__codec_encode(&c, img, format, quality, BMX__PNG_LEVEL_DEFAULT, &enc, &n,
                                      err);
    if (st == BMX_OK) {
        if (enc == c.other) {
            /* stb's buffer is malloc'd already: hand it over. */
            *out = c.other;
            c.other = NULL;
        } else if (enc != NULL && enc == c.png) {
            /* So is libspng's output, at its grown capacity: hand it over. */
            *out = c.png;
            c.png = NULL;
        } else {
            /* The API promises a malloc() buffer; TurboJPEG's must go back through tjFree. */
            *out = malloc(n > 0 ? n : 1);
            if (*out == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "cannot allocate %zu bytes for the image", n);
            } else {
                memcpy(*out, enc, n);
            }
        }
        if (st == BMX_OK) {
            *len = n;
        }
    }
    bmx__codec_free(&c);
    return st;
}

bmx_status bmx__codec_reserve(uint8_t **pix, size_t *cap, size_t need, bmx_error *err)
{
    if (*pix != NULL && *cap >= need) {
        return BMX_OK;
    }
    free(*pix);
    *cap = 0;
    *pix = malloc(need);
    if (*pix == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "image: cannot allocate %zu bytes", need);
    }
    *cap = need;
    bmx__prefault(*pix, need);
    return BMX_OK;
}
