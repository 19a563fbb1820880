/* SPDX-License-Identifier: MIT */
/*
 * Decoding with stb_image: the header of any format it reads, the refusal of
 * files cut short (which stb_image would fill in silently), the PNG screening of
 * png_screen.c, and the decode itself, expanded to RGB.
 */
#include "codec.h"

#include "boxmix.h"
#include "error.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

/* stb_image's reasons are terse; say what they mean for a file. Never empty: stb
 * 2.27 builds "XXXX PNG chunk not known" from the chunk's type, which is "" when
 * the type starts with a zero byte (bmx__png_walk refuses such chunks first). */
static const char *stb_reason(void)
{
    const char *r = stbi_failure_reason();
    if (r == NULL || r[0] == '\0') {
        return "unknown decoder failure";
    }
    if (strcmp(r, "outofdata") == 0 || strcmp(r, "unexpected end") == 0) {
        return "the image data ends early (truncated file?)";
    }
    return r;
}

/* Width and height from the header of any format stb_image reads. */
bmx_status bmx__stb_header(const uint8_t *buf, size_t len, int32_t *w, int32_t *h, bmx_error *err)
{
    uint32_t pw;
    uint32_t ph;
    int x;
    int y;
    int n;

    if (len > INT_MAX) {
        return bmx__fail(err, BMX_E_LIMIT, "encoded image of %zu bytes is larger than %d bytes",
                         len, INT_MAX);
    }
    if (!bmx__stb_jpeg_tables_ok(buf, len)) {
        return bmx__fail(err, BMX_E_DECODE,
                         "corrupt JPEG: a Huffman table (DHT) defines more than 256 codes");
    }
    if (bmx__png_header_size(buf, len, &pw, &ph)) {
        if (pw == 0 || ph == 0 || pw > INT32_MAX || ph > INT32_MAX) {
            return bmx__fail(err, BMX_E_DECODE, "corrupt PNG header: size %" PRIu32 "x%" PRIu32,
                             pw, ph);
        }
        *w = (int32_t)pw;
        *h = (int32_t)ph;
        return BMX_OK;
    }
    if (!stbi_info_from_memory(buf, (int)len, &x, &y, &n)) {
        return bmx__fail(err, BMX_E_DECODE,
                         "not a supported image or a corrupt header (%s); formats read: JPEG, "
                         "PNG, BMP, TGA, GIF, PNM",
                         stb_reason());
    }
    if (x <= 0 || y <= 0) {
        return bmx__fail(err, BMX_E_DECODE, "image header declares an empty %dx%d image", x, y);
    }
    *w = x;
    *h = y;
    return BMX_OK;
}

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* stb_image fills the missing part of a cut-short uncompressed BMP, TGA or PNM,
 * and a GIF cut before its trailer, without a word: refuse those before decoding.
 * `need` is what the header promises; a file shorter than that is truncated. */
static bmx_status stb_complete(const uint8_t *buf, size_t len, int32_t w, int32_t h,
                               bmx_error *err)
{
    uint64_t need = 0;
    if (len >= 54 && buf[0] == 'B' && buf[1] == 'M') {
        uint32_t off = le32(buf + 10), bpp = le16(buf + 28), comp = le32(buf + 30);
        if (comp == 0 && bpp > 0) {
            uint64_t row = ((uint64_t)bpp * (uint64_t)w + 31) / 32 * 4;
            need = off + row * (uint64_t)h;
        }
    } else if (len >= 18 && (buf[2] == 2 || buf[2] == 3) && (buf[16] == 8 || buf[16] == 16 ||
                                                            buf[16] == 24 || buf[16] == 32)) {
        uint64_t cmap = buf[1] ? (uint64_t)le16(buf + 5) * ((buf[7] + 7u) / 8u) : 0;
        need = 18 + buf[0] + cmap + (uint64_t)w * (uint64_t)h * ((buf[16] + 7u) / 8u);
    } else if (len >= 2 && buf[0] == 'P' && (buf[1] == '5' || buf[1] == '6')) {
        /* magic, width, height, maxval, then one whitespace byte and the samples */
        size_t i = 2;
        unsigned long vals[3] = {0, 0, 0};
        for (int k = 0; k < 3; k++) {
            while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r' ||
                               buf[i] == '#')) {
                if (buf[i] == '#') {
                    while (i < len && buf[i] != '\n') {
                        i++;
                    }
                } else {
                    i++;
                }
            }
            while (i < len && buf[i] >= '0' && buf[i] <= '9' && vals[k] < 100000000ul) {
                vals[k] = vals[k] * 10 + (unsigned long)(buf[i] - '0');
                i++;
            }
        }
        uint64_t ch = buf[1] == '6' ? 3 : 1, bytes = vals[2] > 255 ? 2 : 1;
        need = (uint64_t)i + 1 + (uint64_t)w * (uint64_t)h * ch * bytes;
    } else if (len >= 6 && memcmp(buf, "GIF8", 4) == 0 && buf[len - 1] != 0x3B) {
        return bmx__fail(err, BMX_E_DECODE, "GIF without its trailer: the file is truncated");
    }
    if (need > len) {
        return bmx__fail(err, BMX_E_DECODE,
                         "the header promises %" PRIu64 " bytes but the file has %zu: it is truncated",
                         need, len);
    }
    return BMX_OK;
}

bmx_status bmx__image_decode_stb(const uint8_t *buf, size_t len, const struct bmx_limits *limits,
                                 struct bmx_image *out, bmx_error *err)
{
    int32_t w = 0;
    int32_t h = 0;
    int x;
    int y;
    int n;
    uint8_t *px;
    bmx_status st;

    if (out == NULL || (buf == NULL && len > 0)) {
        return bmx__fail(err, BMX_E_INVALID, "image decode: NULL argument");
    }
    memset(out, 0, sizeof *out);
    if (len == 0) {
        return bmx__fail(err, BMX_E_DECODE, "empty input (0 bytes) is not an image");
    }
    st = bmx__stb_header(buf, len, &w, &h, err);
    if (st == BMX_OK) {
        st = bmx__image_check_size((uint64_t)w, (uint64_t)h, limits, err);
    }
    if (st == BMX_OK) {
        st = stb_complete(buf, len, w, h, err);
    }
    if (st != BMX_OK) {
        return st;
    }
    /* The file's own channels, expanded to RGB below: stb_image 2.27 converts a
     * 16-bit PNM to another channel count with its 8-bit converter and then reads
     * past that buffer (stb 2.28 fixed it). */
    uint8_t *clean = NULL;
    size_t clean_len = 0;
    if (bmx__looks_like_png(buf, len)) {
        bool empty_idat;
        st = bmx__png_walk(buf, len, &empty_idat, err);
        if (st != BMX_OK) {
            return st;
        }
        if (empty_idat) {
            clean = bmx__png_drop_empty_idat(buf, len, &clean_len);
            if (clean == NULL) {
                return bmx__fail(err, BMX_E_NOMEM, "out of memory for a %zu-byte PNG", len);
            }
        }
    }
    px = stbi_load_from_memory(clean != NULL ? clean : buf, (int)(clean != NULL ? clean_len : len),
                               &x, &y, &n, 0);
    free(clean);
    if (px == NULL) {
        return bmx__fail(err, BMX_E_DECODE, "cannot decode image: %s", stb_reason());
    }
    if (x != w || y != h) {
        free(px);
        return bmx__fail(err, BMX_E_DECODE, "image header says %" PRId32 "x%" PRId32
                         " but the decoder produced %dx%d", w, h, x, y);
    }
    if (n < 1 || n > 4) {
        free(px);
        return bmx__fail(err, BMX_E_DECODE, "the decoder produced %d channels", n);
    }
    if (n != 3) {
        uint8_t *rgb = NULL;
        size_t pixels = 0;
        if (bmx__mul_size((size_t)w, (size_t)h, &pixels)) {
            rgb = bmx__alloc_array(pixels, 3);
        }
        if (rgb == NULL) {
            free(px);
            return bmx__fail(err, BMX_E_NOMEM, "out of memory for a %" PRId32 "x%" PRId32
                             " image", w, h);
        }
        /* as stb's own conversion: grey replicated, alpha dropped */
        for (size_t i = 0; i < pixels; i++) {
            const uint8_t *s = px + i * (size_t)n;
            rgb[3 * i] = s[0];
            rgb[3 * i + 1] = n >= 3 ? s[1] : s[0];
            rgb[3 * i + 2] = n >= 3 ? s[2] : s[0];
        }
        free(px);
        px = rgb;
    }
    out->data = px;
    out->w = w;
    out->h = h;
    out->channels = 3;
    out->stride = (size_t)w * 3;
    return BMX_OK;
}
