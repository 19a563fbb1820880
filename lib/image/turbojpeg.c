/* SPDX-License-Identifier: MIT */
/*
 * The TurboJPEG back end (built only when the build has TurboJPEG): decoding a
 * JPEG into a reused buffer, CMYK converted to RGB as stb_image does, and encoding
 * baseline 4:2:0 JPEG into a reused buffer, with TurboJPEG's own messages.
 */
#include "codec.h"

#include "boxmix.h"
#include "error.h"

#include <limits.h>
#include <stdlib.h>

#include <turbojpeg.h>

/* TurboJPEG's message for the last failure of `tj` (NULL: of tjInit*), never empty. */
const char *bmx__turbojpeg_reason(tjhandle tj)
{
    const char *r = tjGetErrorStr2(tj);
    return r != NULL && r[0] != '\0' ? r : "unknown TurboJPEG failure";
}

/* SOI then the first marker: what TurboJPEG takes; everything else goes to stb. */
bool bmx__looks_like_jpeg(const uint8_t *buf, size_t len)
{
    return len >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF;
}

/* Inverted (Adobe) CMYK to RGB, the same arithmetic stb_image uses. */
static uint8_t mul_255(unsigned a, unsigned b)
{
    unsigned t = a * b + 128;
    return (uint8_t)((t + (t >> 8)) >> 8);
}

static void cmyk_to_rgb(const uint8_t *cmyk, uint8_t *rgb, size_t pixels)
{
    for (size_t i = 0; i < pixels; i++) {
        const uint8_t *s = cmyk + 4 * i;
        uint8_t *d = rgb + 3 * i;
        d[0] = mul_255(s[0], s[3]);
        d[1] = mul_255(s[1], s[3]);
        d[2] = mul_255(s[2], s[3]);
    }
}

/* Decode with the handle `tj` into *pix (grown to fit; its capacity in *cap); `out`
 * then describes the pixels and borrows *pix. */
bmx_status bmx__turbojpeg_decode(tjhandle tj, const uint8_t *buf, size_t len,
                                 const struct bmx_limits *limits, bool cached_rows,
                                 uint8_t **pix, size_t *cap, struct bmx_image *out,
                                 bmx_error *err)
{
    uint8_t *cmyk = NULL;
    /* TurboJPEG 2.1 can report success on a header cut short without setting these. */
    int w = 0;
    int h = 0;
    int subsamp = -1;
    int colorspace = -1;
    int flags = TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING;
    bool is_cmyk;
    size_t need, slack;
    uint8_t *rows;
    bmx_status st = BMX_OK;

#ifdef TJFLAG_LIMITSCANS
    /* A progressive JPEG with thousands of scans is a known decoder DoS. */
    flags |= TJFLAG_LIMITSCANS;
#endif
    if (len > ULONG_MAX) {
        return bmx__fail(err, BMX_E_LIMIT, "encoded image of %zu bytes is too large", len);
    }
    if (tjDecompressHeader3(tj, buf, (unsigned long)len, &w, &h, &subsamp, &colorspace) != 0) {
        st = bmx__fail(err, BMX_E_DECODE, "cannot read JPEG header: %s", bmx__turbojpeg_reason(tj));
        goto cleanup;
    }
    if (w <= 0 || h <= 0) {
        st = bmx__fail(err, BMX_E_DECODE, "cannot read JPEG header: truncated or corrupt");
        goto cleanup;
    }
    st = bmx__image_check_size((uint64_t)w, (uint64_t)h, limits, err);
    if (st != BMX_OK) {
        goto cleanup;
    }
    if (!bmx__mul_size((size_t)w * 3, (size_t)h, &need) || need > PTRDIFF_MAX) {
        st = bmx__fail(err, BMX_E_OVERFLOW, "image: %dx%dx3 bytes is too large", w, h);
        goto cleanup;
    }
    /* Room for the rows to start up to 31 bytes in (codec.h, BMX__ROWS_CACHED). */
    slack = cached_rows ? BMX__ROWS_SLACK : 0;
    if (need > PTRDIFF_MAX - slack) {
        st = bmx__fail(err, BMX_E_OVERFLOW, "image: %dx%dx3 bytes is too large", w, h);
        goto cleanup;
    }
    st = bmx__codec_reserve(pix, cap, need + slack, err);
    if (st != BMX_OK) {
        goto cleanup;
    }
    rows = *pix;
    if (cached_rows) {
        rows += (32 + BMX__ROWS_CACHED - (uintptr_t)*pix % 32) % 32;
    }
    /* TurboJPEG will not turn CMYK into RGB itself: take CMYK and convert. */
    is_cmyk = colorspace == TJCS_CMYK || colorspace == TJCS_YCCK;
    if (is_cmyk) {
        cmyk = bmx__alloc_array((size_t)w * (size_t)h, 4);
        if (cmyk == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "cannot allocate a %dx%d CMYK buffer", w, h);
            goto cleanup;
        }
    }
    if (tjDecompress2(tj, buf, (unsigned long)len, is_cmyk ? cmyk : rows, w,
                      is_cmyk ? w * 4 : w * 3, h, is_cmyk ? TJPF_CMYK : TJPF_RGB,
                      flags) != 0) {
        /* Warnings are refused too: a damaged JPEG must not become a silently grey one. */
        if (tjGetErrorCode(tj) == TJERR_WARNING) {
            st = bmx__fail(err, BMX_E_DECODE, "refusing damaged JPEG: %s",
                           bmx__turbojpeg_reason(tj));
        } else {
            st = bmx__fail(err, BMX_E_DECODE, "cannot decode JPEG: %s", bmx__turbojpeg_reason(tj));
        }
        goto cleanup;
    }
    if (is_cmyk) {
        cmyk_to_rgb(cmyk, rows, (size_t)w * (size_t)h);
    }
    *out = (struct bmx_image){w, h, 3, (size_t)w * 3, rows};

cleanup:
    free(cmyk);
    return st;
}

/* Encode with the handle `tj` into *buf (a tjAlloc buffer of *cap bytes, replaced
 * by a larger one when the worst case for this image does not fit). */
bmx_status bmx__turbojpeg_encode(tjhandle tj, const struct bmx_image *img, int quality,
                                 unsigned char **buf, size_t *cap, size_t *len, bmx_error *err)
{
    bool grey = img->channels == 1;
    int samp = grey ? TJSAMP_GRAY : TJSAMP_420;
    unsigned long bound = tjBufSize(img->w, img->h, samp);

    if (bound == (unsigned long)-1) {
        return bmx__fail(err, BMX_E_ENCODE, "cannot encode JPEG: %s", bmx__turbojpeg_reason(tj));
    }
    if (*buf == NULL || *cap < bound) {
        tjFree(*buf);
        *cap = 0;
        *buf = tjAlloc((int)bound);
        if (*buf == NULL) {
            return bmx__fail(err, BMX_E_NOMEM, "cannot allocate %lu bytes for the JPEG", bound);
        }
        *cap = bound;
    }
    unsigned long jpeg_len = (unsigned long)*cap;
    /* Baseline, 4:2:0 (grey for one channel), accurate DCT: the same bytes everywhere.
     * The buffer holds the worst case, so TurboJPEG never has to grow it. */
    if (tjCompress2(tj, img->data, img->w, (int)img->stride, img->h, grey ? TJPF_GRAY : TJPF_RGB,
                    buf, &jpeg_len, samp, quality, TJFLAG_ACCURATEDCT | TJFLAG_NOREALLOC) != 0) {
        return bmx__fail(err, BMX_E_ENCODE, "cannot encode JPEG: %s", bmx__turbojpeg_reason(tj));
    }
    *len = jpeg_len;
    return BMX_OK;
}
