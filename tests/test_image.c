/* SPDX-License-Identifier: MIT */
/* Tests of the image codec: decode, encode, limits, resize. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>

#ifdef BMX_HAVE_TURBOJPEG
#include <turbojpeg.h>
#endif

#include "boxmix.h"
#include "error.h"
#include "codec.h"
#include "pixels.h"

/*
 * A 16x16 progressive JPEG (10 scans, quality 90) of the pattern R = 16x, G = 16y,
 * B = 128, written once with OpenCV (cv2.imencode with IMWRITE_JPEG_PROGRESSIVE) so
 * that the progressive path is covered in builds without TurboJPEG as well.
 */
static const uint8_t progressive_16x16[] = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01,
    0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43,
    0x00, 0x03, 0x02, 0x02, 0x03, 0x02, 0x02, 0x03, 0x03, 0x03, 0x03, 0x04,
    0x03, 0x03, 0x04, 0x05, 0x08, 0x05, 0x05, 0x04, 0x04, 0x05, 0x0a, 0x07,
    0x07, 0x06, 0x08, 0x0c, 0x0a, 0x0c, 0x0c, 0x0b, 0x0a, 0x0b, 0x0b, 0x0d,
    0x0e, 0x12, 0x10, 0x0d, 0x0e, 0x11, 0x0e, 0x0b, 0x0b, 0x10, 0x16, 0x10,
    0x11, 0x13, 0x14, 0x15, 0x15, 0x15, 0x0c, 0x0f, 0x17, 0x18, 0x16, 0x14,
    0x18, 0x12, 0x14, 0x15, 0x14, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x03, 0x04,
    0x04, 0x05, 0x04, 0x05, 0x09, 0x05, 0x05, 0x09, 0x14, 0x0d, 0x0b, 0x0d,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14,
    0x14, 0x14, 0xff, 0xc2, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x10, 0x03,
    0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xc4, 0x00,
    0x15, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x07, 0xff, 0xc4, 0x00, 0x15,
    0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0xff, 0xda, 0x00, 0x0c, 0x03,
    0x01, 0x00, 0x02, 0x10, 0x03, 0x10, 0x00, 0x00, 0x01, 0x95, 0x33, 0x62,
    0xce, 0xa7, 0xff, 0xc4, 0x00, 0x16, 0x10, 0x00, 0x03, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x04, 0x05, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x05, 0x02,
    0x56, 0x50, 0xa4, 0xa1, 0x49, 0x42, 0xb2, 0x8f, 0xff, 0xc4, 0x00, 0x18,
    0x11, 0x00, 0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x06, 0x21, 0x31, 0xff, 0xda,
    0x00, 0x08, 0x01, 0x03, 0x01, 0x01, 0x3f, 0x01, 0x8d, 0xbe, 0xcb, 0x3f,
    0xff, 0xc4, 0x00, 0x17, 0x11, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x05,
    0x61, 0xff, 0xda, 0x00, 0x08, 0x01, 0x02, 0x01, 0x01, 0x3f, 0x01, 0x72,
    0xc6, 0x9f, 0xff, 0xc4, 0x00, 0x15, 0x10, 0x01, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x31, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x06, 0x3f, 0x02, 0x88,
    0x88, 0xff, 0xc4, 0x00, 0x15, 0x10, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x31,
    0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x3f, 0x21, 0x9b, 0x16,
    0x2c, 0xdf, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x10, 0x0b, 0xff, 0xc4, 0x00, 0x15, 0x11, 0x01, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0xa1, 0xff, 0xda, 0x00, 0x08, 0x01, 0x03, 0x01, 0x01,
    0x3f, 0x10, 0x9e, 0xff, 0xc4, 0x00, 0x15, 0x11, 0x01, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x31, 0xff, 0xda, 0x00, 0x08, 0x01, 0x02, 0x01, 0x01, 0x3f, 0x10,
    0xb1, 0xff, 0xc4, 0x00, 0x15, 0x10, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf1,
    0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x3f, 0x10, 0x94, 0x84,
    0x84, 0x94, 0xff, 0xd9,
};

/* ------------------------------------------------------------------------- */
/* Helpers                                                                    */
/* ------------------------------------------------------------------------- */

/* A smooth RGB pattern (JPEG-friendly) with distinct channels. */
static void fill_pattern(struct bmx_image *img)
{
    for (int32_t y = 0; y < img->h; y++) {
        uint8_t *row = img->data + (size_t)y * img->stride;
        for (int32_t x = 0; x < img->w; x++) {
            for (int32_t k = 0; k < img->channels; k++) {
                int v = k == 0 ? x * 255 / (img->w > 1 ? img->w - 1 : 1)
                        : k == 1 ? y * 255 / (img->h > 1 ? img->h - 1 : 1)
                        : k == 2 ? 64 + (x + y) % 128
                                 : 255 - x % 256;
                row[(size_t)x * (size_t)img->channels + (size_t)k] = (uint8_t)v;
            }
        }
    }
}

/* Noisy bytes from a fixed LCG: exercises every value, deterministic. */
static void fill_noise(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (uint8_t)(seed >> 24);
    }
}

static void make_pattern(int32_t w, int32_t h, int32_t c, struct bmx_image *img)
{
    assert_int_equal(bmx_image_new(w, h, c, img, NULL), BMX_OK);
    fill_pattern(img);
}

/* Largest absolute difference over all samples of two RGB images of one size. */
static int max_diff(const struct bmx_image *a, const struct bmx_image *b)
{
    int m = 0;
    assert_int_equal(a->w, b->w);
    assert_int_equal(a->h, b->h);
    assert_int_equal(a->channels, b->channels);
    for (int32_t y = 0; y < a->h; y++) {
        const uint8_t *ra = a->data + (size_t)y * a->stride;
        const uint8_t *rb = b->data + (size_t)y * b->stride;
        for (size_t i = 0; i < (size_t)a->w * (size_t)a->channels; i++) {
            int d = abs((int)ra[i] - (int)rb[i]);
            if (d > m) {
                m = d;
            }
        }
    }
    return m;
}

/* Mean absolute difference, for lossy comparisons. */
static double mean_diff(const struct bmx_image *a, const struct bmx_image *b)
{
    double sum = 0;
    size_t n = (size_t)a->w * (size_t)a->channels;
    for (int32_t y = 0; y < a->h; y++) {
        for (size_t i = 0; i < n; i++) {
            sum += abs((int)a->data[(size_t)y * a->stride + i] -
                       (int)b->data[(size_t)y * b->stride + i]);
        }
    }
    return sum / ((double)n * a->h);
}

static void assert_decoded_rgb(const struct bmx_image *img, int32_t w, int32_t h)
{
    assert_non_null(img->data);
    assert_int_equal(img->w, w);
    assert_int_equal(img->h, h);
    assert_int_equal(img->channels, 3);
    assert_int_equal(img->stride, (size_t)w * 3);
}

struct membuf {
    uint8_t *data;
    size_t len;
};

static void membuf_put(void *ctx, void *data, int size)
{
    struct membuf *mb = ctx;
    uint8_t *grown = realloc(mb->data, mb->len + (size_t)size);
    assert_non_null(grown);
    memcpy(grown + mb->len, data, (size_t)size);
    mb->data = grown;
    mb->len += (size_t)size;
}

static void membuf_bytes(struct membuf *mb, const void *p, size_t n)
{
    membuf_put(mb, (void *)(uintptr_t)p, (int)n);
}

static void membuf_be32(struct membuf *mb, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    membuf_bytes(mb, b, 4);
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        }
    }
    return c ^ 0xFFFFFFFFu;
}

/* Append one PNG chunk with a correct CRC. */
static void png_chunk(struct membuf *mb, const char *type, const uint8_t *data, size_t n)
{
    uint8_t *tmp = malloc(n + 4);
    assert_non_null(tmp);
    memcpy(tmp, type, 4);
    if (n > 0) {
        memcpy(tmp + 4, data, n);
    }
    membuf_be32(mb, (uint32_t)n);
    membuf_bytes(mb, tmp, n + 4);
    membuf_be32(mb, crc32_of(tmp, n + 4));
    free(tmp);
}

static void png_start(struct membuf *mb, uint32_t w, uint32_t h, uint8_t depth, uint8_t ctype)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    uint8_t ihdr[13] = {(uint8_t)(w >> 24), (uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w,
                        (uint8_t)(h >> 24), (uint8_t)(h >> 16), (uint8_t)(h >> 8), (uint8_t)h,
                        depth, ctype, 0, 0, 0};
    membuf_bytes(mb, sig, sizeof sig);
    png_chunk(mb, "IHDR", ihdr, sizeof ihdr);
}

/* zlib stream of one stored (uncompressed) deflate block; n < 65536. */
static void png_idat_stored(struct membuf *mb, const uint8_t *raw, size_t n)
{
    size_t zn = 2 + 5 + n + 4;
    uint8_t *z = malloc(zn);
    uint32_t a = 1;
    uint32_t b = 0;
    assert_non_null(z);
    assert_true(n < 65536);
    z[0] = 0x78;
    z[1] = 0x01;
    z[2] = 0x01; /* final block, stored */
    z[3] = (uint8_t)n;
    z[4] = (uint8_t)(n >> 8);
    z[5] = (uint8_t)~n;
    z[6] = (uint8_t)(~n >> 8);
    memcpy(z + 7, raw, n);
    for (size_t i = 0; i < n; i++) {
        a = (a + raw[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    z[7 + n] = (uint8_t)(b >> 8);
    z[8 + n] = (uint8_t)b;
    z[9 + n] = (uint8_t)(a >> 8);
    z[10 + n] = (uint8_t)a;
    png_chunk(mb, "IDAT", z, zn);
    free(z);
}

/* Offset of the first SOFn marker of a JPEG (walking segments), or 0. */
static size_t jpeg_sof(const uint8_t *p, size_t n, uint8_t *marker)
{
    size_t i = 2;
    while (i + 4 <= n && p[i] == 0xFF) {
        uint8_t m = p[i + 1];
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            *marker = m;
            return i;
        }
        i += 2 + (((size_t)p[i + 2] << 8) | p[i + 3]);
    }
    return 0;
}

static void encode_ok(bmx_status (*enc)(const struct bmx_image *, enum bmx_format, int,
                                        uint8_t **, size_t *, bmx_error *),
                      const struct bmx_image *img, enum bmx_format f, int q, uint8_t **out,
                      size_t *len)
{
    bmx_error err = {0};
    bmx_status st = enc(img, f, q, out, len, &err);
    if (st != BMX_OK) {
        fail_msg("encode failed: %s", err.message);
    }
    assert_non_null(*out);
    assert_true(*len > 0);
}

static void decode_ok(bmx_status (*dec)(const uint8_t *, size_t, const struct bmx_limits *,
                                        struct bmx_image *, bmx_error *),
                      const uint8_t *buf, size_t len, struct bmx_image *out)
{
    bmx_error err = {0};
    bmx_status st = dec(buf, len, NULL, out, &err);
    if (st != BMX_OK) {
        fail_msg("decode failed: %s", err.message);
    }
}

/* ------------------------------------------------------------------------- */
/* Basics                                                                     */
/* ------------------------------------------------------------------------- */

static void test_limits_and_build(void **state)
{
    struct bmx_limits lim;
    (void)state;
    memset(&lim, 0xAB, sizeof lim);
    bmx_limits_init(&lim);
    assert_int_equal(lim.max_image_pixels, 178956970);
    bmx_limits_init(NULL);
#ifdef BMX_HAVE_TURBOJPEG
    assert_true(bmx_have_turbojpeg());
#else
    assert_false(bmx_have_turbojpeg());
#endif
}

static void test_new_zeroed(void **state)
{
    struct bmx_image img;
    (void)state;
    assert_int_equal(bmx_image_new(7, 5, 3, &img, NULL), BMX_OK);
    assert_int_equal(img.w, 7);
    assert_int_equal(img.h, 5);
    assert_int_equal(img.channels, 3);
    assert_int_equal(img.stride, 21);
    for (size_t i = 0; i < 21 * 5; i++) {
        assert_int_equal(img.data[i], 0);
    }
    bmx_image_free(&img);
    assert_null(img.data);
    assert_int_equal(img.w, 0);
    bmx_image_free(&img);
    bmx_image_free(NULL);
}

static void test_new_invalid(void **state)
{
    struct bmx_image img;
    bmx_error err = {0};
    (void)state;
    assert_int_equal(bmx_image_new(0, 5, 3, &img, &err), BMX_E_INVALID);
    assert_null(img.data);
    assert_int_equal(bmx_image_new(5, -1, 3, &img, NULL), BMX_E_INVALID);
    assert_int_equal(bmx_image_new(5, 5, 0, &img, NULL), BMX_E_INVALID);
    assert_int_equal(bmx_image_new(5, 5, 5, &img, NULL), BMX_E_INVALID);
    assert_int_equal(bmx_image_new(5, 5, 3, NULL, NULL), BMX_E_INVALID);
    /* Far more bytes than an object may have: refused before any allocation. */
    assert_int_equal(bmx_image_new(INT32_MAX, INT32_MAX, 4, &img, &err), BMX_E_OVERFLOW);
    assert_null(img.data);
    assert_true(strlen(err.message) > 0);
}

/* ------------------------------------------------------------------------- */
/* Lossless decodes                                                           */
/* ------------------------------------------------------------------------- */

static void test_png_roundtrip_exact(void **state)
{
    struct bmx_image src;
    struct bmx_image view;
    struct bmx_image a;
    struct bmx_image b;
    uint8_t *png = NULL;
    size_t len = 0;
    uint8_t *padded;
    (void)state;

    assert_int_equal(bmx_image_new(23, 17, 3, &src, NULL), BMX_OK);
    fill_noise(src.data, 23 * 17 * 3, 7);
    /* Encode from a view with row padding: the padding must not leak in. */
    padded = calloc(17, 23 * 3 + 5);
    assert_non_null(padded);
    for (int y = 0; y < 17; y++) {
        memcpy(padded + (size_t)y * (23 * 3 + 5), src.data + (size_t)y * src.stride, 23 * 3);
        memset(padded + (size_t)y * (23 * 3 + 5) + 23 * 3, 0xEE, 5);
    }
    view = (struct bmx_image){23, 17, 3, 23 * 3 + 5, padded};
    encode_ok(bmx_image_encode, &view, BMX_FORMAT_PNG, 0, &png, &len);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);

    decode_ok(bmx_image_decode, png, len, &a);
    assert_decoded_rgb(&a, 23, 17);
    assert_memory_equal(a.data, src.data, 23 * 17 * 3);
    decode_ok(bmx__image_decode_stb, png, len, &b);
    assert_memory_equal(b.data, src.data, 23 * 17 * 3);

    int32_t w = 0;
    int32_t h = 0;
    assert_int_equal(bmx_image_probe(png, len, &w, &h, NULL), BMX_OK);
    assert_int_equal(w, 23);
    assert_int_equal(h, 17);

    free(png);
    free(padded);
    bmx_image_free(&src);
    bmx_image_free(&a);
    bmx_image_free(&b);
}

static void test_bmp_tga_exact(void **state)
{
    struct bmx_image src;
    (void)state;
    assert_int_equal(bmx_image_new(19, 11, 3, &src, NULL), BMX_OK);
    fill_noise(src.data, 19 * 11 * 3, 99);

    for (int fmt = 0; fmt < 2; fmt++) {
        struct membuf mb = {0};
        struct bmx_image out;
        int ok = fmt == 0 ? stbi_write_bmp_to_func(membuf_put, &mb, 19, 11, 3, src.data)
                          : stbi_write_tga_to_func(membuf_put, &mb, 19, 11, 3, src.data);
        assert_true(ok);
        if (fmt == 0) {
            assert_memory_equal(mb.data, "BM", 2);
        }
        decode_ok(bmx_image_decode, mb.data, mb.len, &out);
        assert_decoded_rgb(&out, 19, 11);
        assert_memory_equal(out.data, src.data, 19 * 11 * 3);
        int32_t w = 0;
        int32_t h = 0;
        assert_int_equal(bmx_image_probe(mb.data, mb.len, &w, &h, NULL), BMX_OK);
        assert_int_equal(w, 19);
        assert_int_equal(h, 11);
        bmx_image_free(&out);
        free(mb.data);
    }
    bmx_image_free(&src);
}

/* Grey (1), grey+alpha (2) and RGBA (4) PNGs all come out as RGB. */
static void test_png_channels_expand(void **state)
{
    enum { W = 13, H = 9 };
    uint8_t src[W * H * 4];
    (void)state;
    fill_noise(src, sizeof src, 1234);

    for (int comp = 1; comp <= 4; comp++) {
        struct membuf mb = {0};
        struct bmx_image out;
        assert_true(stbi_write_png_to_func(membuf_put, &mb, W, H, comp, src, W * comp));
        decode_ok(bmx_image_decode, mb.data, mb.len, &out);
        assert_decoded_rgb(&out, W, H);
        for (size_t i = 0; i < (size_t)W * H; i++) {
            const uint8_t *s = src + i * (size_t)comp;
            const uint8_t *d = out.data + i * 3;
            if (comp <= 2) { /* grey replicated, alpha dropped */
                assert_int_equal(d[0], s[0]);
                assert_int_equal(d[1], s[0]);
                assert_int_equal(d[2], s[0]);
            } else { /* RGB kept, alpha dropped (not blended) */
                assert_int_equal(d[0], s[0]);
                assert_int_equal(d[1], s[1]);
                assert_int_equal(d[2], s[2]);
            }
        }
        bmx_image_free(&out);
        free(mb.data);
    }
}

/* A hand-made 8-bit palette PNG expands to the palette's colours. */
static void test_palette_png_expands(void **state)
{
    static const uint8_t plte[9] = {255, 0, 0, 0, 200, 0, 10, 20, 30};
    uint8_t raw[3 * (1 + 4)];
    struct membuf mb = {0};
    struct bmx_image out;
    (void)state;

    for (int y = 0; y < 3; y++) {
        raw[y * 5] = 0; /* filter: none */
        for (int x = 0; x < 4; x++) {
            raw[y * 5 + 1 + x] = (uint8_t)((x + y) % 3);
        }
    }
    png_start(&mb, 4, 3, 8, 3);
    png_chunk(&mb, "PLTE", plte, sizeof plte);
    png_idat_stored(&mb, raw, sizeof raw);
    png_chunk(&mb, "IEND", NULL, 0);

    decode_ok(bmx_image_decode, mb.data, mb.len, &out);
    assert_decoded_rgb(&out, 4, 3);
    for (int y = 0; y < 3; y++) {
        for (int x = 0; x < 4; x++) {
            const uint8_t *p = out.data + (size_t)(y * 4 + x) * 3;
            assert_memory_equal(p, plte + 3 * ((x + y) % 3), 3);
        }
    }
    bmx_image_free(&out);
    free(mb.data);
}

/* A hand-made 1x1 GIF (two-colour palette, LZW codes clear, 0, end) is red. */
static void test_gif_first_frame(void **state)
{
    static const uint8_t gif[] = {
        'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, /* screen, 2-colour table */
        0xFF, 0, 0, 0, 0, 0xFF,                              /* red, blue */
        0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0,                     /* image descriptor */
        2, 2, 0x44, 0x01, 0,                                 /* LZW data */
        0x3B,
    };
    static const uint8_t red[3] = {0xFF, 0, 0};
    struct bmx_image out;
    int32_t w = 0;
    int32_t h = 0;
    (void)state;
    decode_ok(bmx_image_decode, gif, sizeof gif, &out);
    assert_decoded_rgb(&out, 1, 1);
    assert_memory_equal(out.data, red, 3);
    bmx_image_free(&out);
    assert_int_equal(bmx_image_probe(gif, sizeof gif, &w, &h, NULL), BMX_OK);
    assert_int_equal(w, 1);
    assert_int_equal(h, 1);
}

/* Binary PPM (P6) and PGM (P5) decode exactly; grey is replicated. */
static void test_pnm_exact(void **state)
{
    static const uint8_t ppm[] = "P6\n2 1\n255\n\x01\x02\x03\xfa\xfb\xfc";
    static const uint8_t pgm[] = "P5\n3 1\n255\n\x07\x80\xff";
    static const uint8_t ppm_px[6] = {1, 2, 3, 0xFA, 0xFB, 0xFC};
    static const uint8_t pgm_px[9] = {7, 7, 7, 0x80, 0x80, 0x80, 0xFF, 0xFF, 0xFF};
    struct bmx_image out;
    (void)state;
    decode_ok(bmx_image_decode, ppm, sizeof ppm - 1, &out);
    assert_decoded_rgb(&out, 2, 1);
    assert_memory_equal(out.data, ppm_px, 6);
    bmx_image_free(&out);
    decode_ok(bmx_image_decode, pgm, sizeof pgm - 1, &out);
    assert_decoded_rgb(&out, 3, 1);
    assert_memory_equal(out.data, pgm_px, 9);
    bmx_image_free(&out);
}

/* A 16-bit grey PNG keeps the high byte of each sample. */
static void test_png_16bit(void **state)
{
    static const uint8_t raw[] = {0, 0x12, 0x34, 0xAB, 0xCD};
    static const uint8_t want[6] = {0x12, 0x12, 0x12, 0xAB, 0xAB, 0xAB};
    struct membuf mb = {0};
    struct bmx_image out;
    (void)state;
    png_start(&mb, 2, 1, 16, 0);
    png_idat_stored(&mb, raw, sizeof raw);
    png_chunk(&mb, "IEND", NULL, 0);
    decode_ok(bmx_image_decode, mb.data, mb.len, &out);
    assert_decoded_rgb(&out, 2, 1);
    assert_memory_equal(out.data, want, 6);
    bmx_image_free(&out);
    free(mb.data);
}

/* ------------------------------------------------------------------------- */
/* JPEG                                                                       */
/* ------------------------------------------------------------------------- */

static void test_jpeg_roundtrip_close(void **state)
{
    struct bmx_image src;
    struct bmx_image out;
    uint8_t *jpg = NULL;
    size_t len = 0;
    (void)state;

    make_pattern(64, 48, 3, &src);
    encode_ok(bmx_image_encode, &src, BMX_FORMAT_JPEG, 95, &jpg, &len);
    assert_int_equal(jpg[0], 0xFF);
    assert_int_equal(jpg[1], 0xD8);
    decode_ok(bmx_image_decode, jpg, len, &out);
    assert_decoded_rgb(&out, 64, 48);
    assert_true(max_diff(&src, &out) <= 24);
    assert_true(mean_diff(&src, &out) < 2.0);

    int32_t w = 0;
    int32_t h = 0;
    assert_int_equal(bmx_image_probe(jpg, len, &w, &h, NULL), BMX_OK);
    assert_int_equal(w, 64);
    assert_int_equal(h, 48);

    free(jpg);
    bmx_image_free(&out);
    bmx_image_free(&src);
}

/* A one-channel image encodes as a grey JPEG and decodes with R = G = B. */
static void test_grey_jpeg(void **state)
{
    struct bmx_image src;
    uint8_t *jpg = NULL;
    size_t len = 0;
    (void)state;

    make_pattern(32, 32, 1, &src);
    encode_ok(bmx_image_encode, &src, BMX_FORMAT_JPEG, 90, &jpg, &len);
    for (int path = 0; path < 2; path++) {
        struct bmx_image out;
        decode_ok(path == 0 ? bmx_image_decode : bmx__image_decode_stb, jpg, len, &out);
        assert_decoded_rgb(&out, 32, 32);
        for (size_t i = 0; i < 32 * 32; i++) {
            const uint8_t *p = out.data + 3 * i;
            assert_int_equal(p[0], p[1]);
            assert_int_equal(p[1], p[2]);
            assert_true(abs((int)p[0] - (int)src.data[i]) <= 8);
        }
        bmx_image_free(&out);
    }
    free(jpg);
    bmx_image_free(&src);
}

/* The stb path and the default (TurboJPEG when built) agree on the same file. */
static void test_jpeg_stb_vs_default(void **state)
{
    struct bmx_image src;
    struct bmx_image a;
    struct bmx_image b;
    uint8_t *jpg = NULL;
    size_t len = 0;
    (void)state;

    make_pattern(80, 60, 3, &src);
    /* Also a file written by stb's encoder, decoded both ways. */
    for (int enc = 0; enc < 2; enc++) {
        encode_ok(enc == 0 ? bmx_image_encode : bmx__image_encode_stb, &src, BMX_FORMAT_JPEG, 85,
                  &jpg, &len);
        decode_ok(bmx_image_decode, jpg, len, &a);
        decode_ok(bmx__image_decode_stb, jpg, len, &b);
        assert_decoded_rgb(&a, 80, 60);
        assert_decoded_rgb(&b, 80, 60);
        /* Different IDCT/upsampling rounding, same picture. */
        assert_true(max_diff(&a, &b) <= 4);
        assert_true(mean_diff(&a, &b) < 1.0);
        assert_true(mean_diff(&src, &b) < 3.0);
        free(jpg);
        bmx_image_free(&a);
        bmx_image_free(&b);
    }
    bmx_image_free(&src);
}

static void check_progressive(const uint8_t *jpg, size_t len, const struct bmx_image *expect,
                              int tolerance)
{
    struct bmx_image a;
    struct bmx_image b;
    uint8_t marker = 0;

    assert_true(jpeg_sof(jpg, len, &marker) > 0);
    assert_int_equal(marker, 0xC2); /* really progressive */
    decode_ok(bmx_image_decode, jpg, len, &a);
    decode_ok(bmx__image_decode_stb, jpg, len, &b);
    assert_decoded_rgb(&a, expect->w, expect->h);
    assert_decoded_rgb(&b, expect->w, expect->h);
    assert_true(max_diff(&a, expect) <= tolerance);
    assert_true(max_diff(&b, expect) <= tolerance);
    assert_true(max_diff(&a, &b) <= 4);
    bmx_image_free(&a);
    bmx_image_free(&b);
}

static void test_progressive_jpeg_fixture(void **state)
{
    struct bmx_image expect;
    (void)state;
    assert_int_equal(bmx_image_new(16, 16, 3, &expect, NULL), BMX_OK);
    for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
            uint8_t *p = expect.data + (size_t)(y * 16 + x) * 3;
            p[0] = (uint8_t)(16 * x);
            p[1] = (uint8_t)(16 * y);
            p[2] = 128;
        }
    }
    check_progressive(progressive_16x16, sizeof progressive_16x16, &expect, 16);
    bmx_image_free(&expect);
}

#ifdef BMX_HAVE_TURBOJPEG
/* Compress with TurboJPEG directly, for variants boxmix itself never writes. */
static void tj_encode(const uint8_t *px, int w, int h, int pf, int subsamp, int flags,
                      uint8_t **out, size_t *len)
{
    tjhandle tj = tjInitCompress();
    unsigned char *buf = NULL;
    unsigned long n = 0;
    assert_non_null(tj);
    assert_int_equal(tjCompress2(tj, px, w, 0, h, pf, &buf, &n, subsamp, 92, flags), 0);
    *out = malloc(n);
    assert_non_null(*out);
    memcpy(*out, buf, n);
    *len = n;
    tjFree(buf);
    tjDestroy(tj);
}

static void test_progressive_jpeg_turbo(void **state)
{
    struct bmx_image src;
    uint8_t *jpg = NULL;
    size_t len = 0;
    (void)state;
    make_pattern(72, 40, 3, &src);
    tj_encode(src.data, 72, 40, TJPF_RGB, TJSAMP_420, TJFLAG_PROGRESSIVE, &jpg, &len);
    check_progressive(jpg, len, &src, 32);
    free(jpg);
    bmx_image_free(&src);
}

/* An Adobe CMYK (YCCK) JPEG converts to RGB the same way on both paths. */
static void test_cmyk_jpeg(void **state)
{
    enum { W = 24, H = 16 };
    uint8_t cmyk[W * H * 4];
    struct bmx_image a;
    struct bmx_image b;
    uint8_t *jpg = NULL;
    size_t len = 0;
    (void)state;

    for (int i = 0; i < W * H; i++) {
        cmyk[4 * i + 0] = (uint8_t)(i % W * 10);
        cmyk[4 * i + 1] = (uint8_t)(i / W * 15);
        cmyk[4 * i + 2] = 200;
        cmyk[4 * i + 3] = (uint8_t)(255 - i % 50);
    }
    tj_encode(cmyk, W, H, TJPF_CMYK, TJSAMP_444, 0, &jpg, &len);
    decode_ok(bmx_image_decode, jpg, len, &a);
    decode_ok(bmx__image_decode_stb, jpg, len, &b);
    assert_decoded_rgb(&a, W, H);
    assert_decoded_rgb(&b, W, H);
    assert_true(max_diff(&a, &b) <= 6);
    /* Sanity against the inverted-CMYK formula R = C * K / 255. */
    for (int i = 0; i < W * H; i++) {
        int r = cmyk[4 * i] * cmyk[4 * i + 3] / 255;
        assert_true(abs((int)a.data[3 * i] - r) <= 12);
    }
    free(jpg);
    bmx_image_free(&a);
    bmx_image_free(&b);
}
#endif

/* ------------------------------------------------------------------------- */
/* Broken inputs and limits                                                   */
/* ------------------------------------------------------------------------- */

static void expect_decode_fail(const uint8_t *buf, size_t len, const struct bmx_limits *lim,
                               bmx_status want)
{
    bmx_status (*decoders[2])(const uint8_t *, size_t, const struct bmx_limits *,
                              struct bmx_image *, bmx_error *) = {bmx_image_decode,
                                                                  bmx__image_decode_stb};
    for (int i = 0; i < 2; i++) {
        struct bmx_image out;
        bmx_error err = {0};
        memset(&out, 0x5A, sizeof out);
        bmx_status st = decoders[i](buf, len, lim, &out, &err);
        if (st != want) {
            fail_msg("decoder %d: status %d, want %d (%s)", i, (int)st, (int)want, err.message);
        }
        assert_int_equal(err.status, want);
        assert_true(strlen(err.message) > 0);
        assert_null(out.data);
        assert_int_equal(out.w, 0);
    }
}

static void test_truncated_jpeg(void **state)
{
    struct bmx_image src;
    uint8_t *jpg = NULL;
    size_t len = 0;
    (void)state;
    make_pattern(64, 64, 3, &src);
    fill_noise(src.data, 64 * 64 * 3, 5); /* noise: many bytes of scan data */
    encode_ok(bmx_image_encode, &src, BMX_FORMAT_JPEG, 90, &jpg, &len);
    expect_decode_fail(jpg, len / 2, NULL, BMX_E_DECODE);
    expect_decode_fail(jpg, len - 2, NULL, BMX_E_DECODE); /* only EOI missing */
    expect_decode_fail(jpg, 20, NULL, BMX_E_DECODE);      /* inside the headers */
    free(jpg);
    bmx_image_free(&src);
}

/* A marker planted inside the scan data: refused, never used with grey blocks. */
static void test_damaged_jpeg(void **state)
{
    struct bmx_image src;
    uint8_t *jpg = NULL;
    size_t len = 0;
    (void)state;
    make_pattern(64, 64, 3, &src);
    encode_ok(bmx_image_encode, &src, BMX_FORMAT_JPEG, 90, &jpg, &len);
    jpg[len - 200] = 0xFF;
    jpg[len - 199] = 0xD3;
    expect_decode_fail(jpg, len, NULL, BMX_E_DECODE);
    free(jpg);
    bmx_image_free(&src);
}

#ifdef BMX_HAVE_TURBOJPEG
/* libjpeg only warns about stray bytes before a marker; boxmix refuses the file. */
static void test_jpeg_warning_is_error(void **state)
{
    struct bmx_image src;
    struct bmx_image out;
    uint8_t *jpg = NULL;
    size_t len = 0;
    bmx_error err = {0};
    (void)state;
    make_pattern(64, 64, 3, &src);
    encode_ok(bmx_image_encode, &src, BMX_FORMAT_JPEG, 90, &jpg, &len);
    for (size_t i = len - 400; i < len - 2; i++) {
        if (jpg[i] == 0xFF) {
            jpg[i] = 0xFE;
        }
    }
    jpg[len - 300] ^= 0x55;
    assert_int_equal(bmx_image_decode(jpg, len, NULL, &out, &err), BMX_E_DECODE);
    assert_null(out.data);
    assert_non_null(strstr(err.message, "damaged JPEG"));
    free(jpg);
    bmx_image_free(&src);
}
#endif

static void test_truncated_png(void **state)
{
    struct bmx_image src;
    uint8_t *png = NULL;
    size_t len = 0;
    (void)state;
    make_pattern(64, 64, 3, &src);
    fill_noise(src.data, 64 * 64 * 3, 6);
    encode_ok(bmx_image_encode, &src, BMX_FORMAT_PNG, 0, &png, &len);
    expect_decode_fail(png, len / 2, NULL, BMX_E_DECODE);
    expect_decode_fail(png, 30, NULL, BMX_E_DECODE);
    free(png);
    bmx_image_free(&src);
}

static void test_empty_and_garbage(void **state)
{
    static const uint8_t junk[64] = "this is certainly not an image file, it is plain text";
    static const uint8_t one = 0xFF;
    int32_t w = 1;
    int32_t h = 1;
    (void)state;
    expect_decode_fail(&one, 0, NULL, BMX_E_DECODE);
    expect_decode_fail(NULL, 0, NULL, BMX_E_DECODE);
    expect_decode_fail(junk, sizeof junk, NULL, BMX_E_DECODE);
    assert_int_equal(bmx_image_probe(&one, 0, &w, &h, NULL), BMX_E_DECODE);
    assert_int_equal(w, 0);
    assert_int_equal(h, 0);
    assert_int_equal(bmx_image_probe(junk, sizeof junk, &w, &h, NULL), BMX_E_DECODE);
    assert_int_equal(bmx_image_decode(NULL, 10, NULL, &(struct bmx_image){0}, NULL),
                     BMX_E_INVALID);
}

/* A PNG header declaring 65535x65535 is refused by the pixel limit, before decoding. */
static void test_limit_png_header(void **state)
{
    struct membuf mb = {0};
    uint8_t raw[2] = {0, 0};
    int32_t w = 0;
    int32_t h = 0;
    bmx_error err = {0};
    struct bmx_image out;
    (void)state;

    png_start(&mb, 65535, 65535, 8, 2);
    png_idat_stored(&mb, raw, sizeof raw); /* far too little data: never read */
    png_chunk(&mb, "IEND", NULL, 0);
    expect_decode_fail(mb.data, mb.len, NULL, BMX_E_LIMIT);
    assert_int_equal(bmx_image_decode(mb.data, mb.len, NULL, &out, &err), BMX_E_LIMIT);
    assert_non_null(strstr(err.message, "65535x65535"));
    assert_non_null(strstr(err.message, "178956970"));
    /* The probe reads the size whatever the limit. */
    assert_int_equal(bmx_image_probe(mb.data, mb.len, &w, &h, NULL), BMX_OK);
    assert_int_equal(w, 65535);
    assert_int_equal(h, 65535);
    free(mb.data);
}

/*
 * A JPEG whose frame header claims 60000x60000 fails on the limit, before the decoder
 * could fail on the missing data (libjpeg itself stops at 65500 per side).
 */
static void test_limit_jpeg_header(void **state)
{
    struct bmx_image src;
    uint8_t *jpg = NULL;
    size_t len = 0;
    size_t sof;
    uint8_t marker = 0;
    int32_t w = 0;
    int32_t h = 0;
    (void)state;
    make_pattern(16, 16, 3, &src);
    encode_ok(bmx_image_encode, &src, BMX_FORMAT_JPEG, 90, &jpg, &len);
    sof = jpeg_sof(jpg, len, &marker);
    assert_true(sof > 0);
    assert_int_equal(marker, 0xC0);
    /* height, width: 60000 = 0xEA60 */
    memcpy(jpg + sof + 5, "\xEA\x60\xEA\x60", 4);
    expect_decode_fail(jpg, len, NULL, BMX_E_LIMIT);
    assert_int_equal(bmx_image_probe(jpg, len, &w, &h, NULL), BMX_OK);
    assert_int_equal(w, 60000);
    assert_int_equal(h, 60000);
    free(jpg);
    bmx_image_free(&src);
}

/* The pixel limit is exact, for JPEG and for the other formats. */
static void test_limit_custom(void **state)
{
    struct bmx_image src;
    struct bmx_limits lim;
    (void)state;
    make_pattern(10, 10, 3, &src);
    for (int f = 0; f < 2; f++) {
        uint8_t *buf = NULL;
        size_t len = 0;
        struct bmx_image out;
        encode_ok(bmx_image_encode, &src, f == 0 ? BMX_FORMAT_JPEG : BMX_FORMAT_PNG, 90, &buf,
                  &len);
        lim.max_image_pixels = 99;
        expect_decode_fail(buf, len, &lim, BMX_E_LIMIT);
        lim.max_image_pixels = 100;
        assert_int_equal(bmx_image_decode(buf, len, &lim, &out, NULL), BMX_OK);
        bmx_image_free(&out);
        assert_int_equal(bmx__image_decode_stb(buf, len, &lim, &out, NULL), BMX_OK);
        bmx_image_free(&out);
        free(buf);
    }
    bmx_image_free(&src);
}

/* ------------------------------------------------------------------------- */
/* Encode                                                                     */
/* ------------------------------------------------------------------------- */

static void test_encode_quality_and_layout(void **state)
{
    struct bmx_image src;
    (void)state;
    make_pattern(96, 64, 3, &src);
    fill_noise(src.data + 96 * 3 * 32, 96 * 3 * 32, 77); /* lower half: detail */

    for (int path = 0; path < 2; path++) {
        bmx_status (*enc)(const struct bmx_image *, enum bmx_format, int, uint8_t **, size_t *,
                          bmx_error *) = path == 0 ? bmx_image_encode : bmx__image_encode_stb;
        uint8_t *lo = NULL;
        uint8_t *hi = NULL;
        size_t lo_len = 0;
        size_t hi_len = 0;
        size_t sof;
        uint8_t marker = 0;

        encode_ok(enc, &src, BMX_FORMAT_JPEG, 20, &lo, &lo_len);
        encode_ok(enc, &src, BMX_FORMAT_JPEG, 90, &hi, &hi_len);
        assert_true(lo_len * 3 / 2 < hi_len);
        /* Baseline (SOF0), three components, luma sampled 2x2 against chroma: 4:2:0. */
        sof = jpeg_sof(hi, hi_len, &marker);
        assert_true(sof > 0);
        assert_int_equal(marker, 0xC0);
        assert_int_equal(hi[sof + 9], 3);
        assert_int_equal(hi[sof + 11], 0x22);
        assert_int_equal(hi[sof + 14], 0x11);
        assert_int_equal(hi[sof + 17], 0x11);
        free(lo);
        free(hi);
    }
    bmx_image_free(&src);
}

static void test_encode_invalid(void **state)
{
    struct bmx_image src;
    struct bmx_image rgba;
    uint8_t *out = (uint8_t *)&src;
    size_t len = 99;
    bmx_error err = {0};
    (void)state;
    make_pattern(8, 8, 3, &src);
    make_pattern(8, 8, 4, &rgba);
    assert_int_equal(bmx_image_encode(&src, BMX_FORMAT_JPEG, 0, &out, &len, &err), BMX_E_INVALID);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_int_equal(bmx_image_encode(&src, BMX_FORMAT_JPEG, 101, &out, &len, NULL),
                     BMX_E_INVALID);
    assert_int_equal(bmx__image_encode_stb(&src, BMX_FORMAT_JPEG, 101, &out, &len, NULL),
                     BMX_E_INVALID);
    assert_int_equal(bmx_image_encode(&rgba, BMX_FORMAT_JPEG, 90, &out, &len, NULL),
                     BMX_E_INVALID);
    assert_int_equal(bmx_image_encode(&src, (enum bmx_format)7, 90, &out, &len, NULL),
                     BMX_E_INVALID);
    assert_int_equal(bmx_image_encode(NULL, BMX_FORMAT_PNG, 90, &out, &len, NULL),
                     BMX_E_INVALID);
    struct bmx_image bad = src;
    bad.stride = 5;
    assert_int_equal(bmx_image_encode(&bad, BMX_FORMAT_PNG, 90, &out, &len, NULL),
                     BMX_E_INVALID);
    /* An RGBA PNG keeps its alpha when encoding. */
    encode_ok(bmx_image_encode, &rgba, BMX_FORMAT_PNG, 0, &out, &len);
    assert_int_equal(out[25], 6); /* IHDR colour type: RGBA */
    free(out);
    bmx_image_free(&src);
    bmx_image_free(&rgba);
}

/* stb's JPEG writer needs packed rows; a padded view must encode like a packed one. */
static void test_encode_stb_jpeg_stride(void **state)
{
    struct bmx_image src;
    struct bmx_image view;
    uint8_t *a = NULL;
    uint8_t *b = NULL;
    size_t alen = 0;
    size_t blen = 0;
    size_t pitch = 20 * 3 + 7;
    uint8_t *padded;
    (void)state;
    make_pattern(20, 10, 3, &src);
    padded = calloc(10, pitch);
    assert_non_null(padded);
    for (int y = 0; y < 10; y++) {
        memcpy(padded + (size_t)y * pitch, src.data + (size_t)y * src.stride, 60);
        memset(padded + (size_t)y * pitch + 60, 0x33, 7);
    }
    view = (struct bmx_image){20, 10, 3, pitch, padded};
    for (int path = 0; path < 2; path++) {
        bmx_status (*enc)(const struct bmx_image *, enum bmx_format, int, uint8_t **, size_t *,
                          bmx_error *) = path == 0 ? bmx_image_encode : bmx__image_encode_stb;
        encode_ok(enc, &src, BMX_FORMAT_JPEG, 75, &a, &alen);
        encode_ok(enc, &view, BMX_FORMAT_JPEG, 75, &b, &blen);
        assert_int_equal(alen, blen);
        assert_memory_equal(a, b, alen);
        free(a);
        free(b);
    }
    free(padded);
    bmx_image_free(&src);
}

/* ------------------------------------------------------------------------- */
/* Resize                                                                     */
/* ------------------------------------------------------------------------- */

static void test_resize_identity(void **state)
{
    struct bmx_image view;
    struct bmx_image out;
    size_t pitch = 9 * 3 + 4;
    uint8_t *px = calloc(7, pitch);
    (void)state;
    assert_non_null(px);
    fill_noise(px, 7 * pitch, 42);
    view = (struct bmx_image){9, 7, 3, pitch, px};
    assert_int_equal(bmx_image_resize(&view, 9, 7, &out, NULL), BMX_OK);
    assert_int_equal(out.w, 9);
    assert_int_equal(out.h, 7);
    assert_int_equal(out.stride, 27);
    for (int y = 0; y < 7; y++) {
        assert_memory_equal(out.data + (size_t)y * 27, px + (size_t)y * pitch, 27);
    }
    assert_true(out.data != px);
    bmx_image_free(&out);
    free(px);
}

/* 2x2 -> 4x4: source positions -0.25 (clamped), 0.25, 0.75, 1.25 (clamped). */
static void test_resize_known_values(void **state)
{
    static const uint8_t grey[4] = {0, 100, 100, 200};
    static const uint8_t want[16] = {
        0,   25,  75,  100, /* */
        25,  50,  100, 125, /* */
        75,  100, 150, 175, /* */
        100, 125, 175, 200,
    };
    struct bmx_image in = {2, 2, 1, 2, (uint8_t *)grey};
    struct bmx_image out;
    (void)state;
    assert_int_equal(bmx_image_resize(&in, 4, 4, &out, NULL), BMX_OK);
    assert_int_equal(out.channels, 1);
    assert_memory_equal(out.data, want, 16);
    bmx_image_free(&out);

    /* Downscale by two: a triangle two inputs wide each side, over input centres
     * 0.5, 1.5, ... around output centres 1, 3, 5, 7: weights 1.5 1.5 0.5 at the
     * left edge (the input at -0.5 is outside), then 0.5 1.5 1.5 0.5, in 2048ths
     * by running totals: 878 877 293, 256 768 768 256, 293 877 878 at the right. */
    static const uint8_t row[8] = {0, 10, 20, 40, 100, 200, 7, 9};
    static const uint8_t half[4] = {7, 36, 118, 35};
    struct bmx_image r = {8, 1, 1, 8, (uint8_t *)row};
    assert_int_equal(bmx_image_resize(&r, 4, 1, &out, NULL), BMX_OK);
    assert_memory_equal(out.data, half, 4);
    bmx_image_free(&out);

    /* Downscale by three: a ramp stays a ramp inside (weights 1 2 3 2 1); at the
     * edges the triangle loses its outer taps (0 30 60 90 weighted 2 3 2 1). */
    static const uint8_t ramp[9] = {0, 30, 60, 90, 120, 150, 180, 210, 240};
    static const uint8_t third[3] = {38, 120, 203};
    struct bmx_image rr = {9, 1, 1, 9, (uint8_t *)ramp};
    assert_int_equal(bmx_image_resize(&rr, 3, 1, &out, NULL), BMX_OK);
    assert_memory_equal(out.data, third, 3);
    bmx_image_free(&out);

    /* Channels are interpolated independently. */
    static const uint8_t rgb[6] = {0, 255, 40, 100, 155, 80};
    static const uint8_t rgb4[12] = {0, 255, 40, 25, 230, 50, 75, 180, 70, 100, 155, 80};
    struct bmx_image c = {2, 1, 3, 6, (uint8_t *)rgb};
    assert_int_equal(bmx_image_resize(&c, 4, 1, &out, NULL), BMX_OK);
    assert_memory_equal(out.data, rgb4, 12);
    bmx_image_free(&out);
}

static void test_resize_constant(void **state)
{
    static const int32_t sizes[][2] = {{1, 1}, {13, 3}, {3, 11}, {64, 64}, {2, 97}, {5, 5}};
    struct bmx_image in;
    (void)state;
    assert_int_equal(bmx_image_new(7, 5, 3, &in, NULL), BMX_OK);
    for (size_t i = 0; i < 7 * 5 * 3; i++) {
        in.data[i] = (uint8_t)(i % 3 == 0 ? 255 : i % 3 == 1 ? 0 : 137);
    }
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct bmx_image out;
        assert_int_equal(bmx_image_resize(&in, sizes[s][0], sizes[s][1], &out, NULL), BMX_OK);
        for (size_t i = 0; i < (size_t)out.w * (size_t)out.h * 3; i++) {
            assert_int_equal(out.data[i], i % 3 == 0 ? 255 : i % 3 == 1 ? 0 : 137);
        }
        bmx_image_free(&out);
    }
    bmx_image_free(&in);
}

/* One axis of a double-precision reference: bilinear's two taps when not
 * shrinking, else a triangle as wide as the factor over input centres, the
 * inputs outside the image left out. Returns the taps' count. */
static int ref_axis_double(int32_t n_in, int32_t n_out, int32_t d, int32_t *idx, double *wt)
{
    if (n_in <= n_out) {
        double s = (d + 0.5) * n_in / n_out - 0.5;
        s = s < 0 ? 0 : s > n_in - 1 ? n_in - 1 : s;
        idx[0] = (int32_t)s;
        idx[1] = idx[0] + 1 < n_in ? idx[0] + 1 : idx[0];
        wt[1] = s - idx[0];
        wt[0] = 1 - wt[1];
        return 2;
    }
    double scale = (double)n_in / n_out, centre = (d + 0.5) * scale, sum = 0;
    int n = 0;
    for (int32_t i = 0; i < n_in; i++) {
        double dist = i + 0.5 - centre;
        double v = 1 - (dist < 0 ? -dist : dist) / scale;
        if (v > 0) {
            idx[n] = i;
            wt[n++] = v;
            sum += v;
        }
    }
    for (int q = 0; q < n; q++) {
        wt[q] /= sum;
    }
    return n;
}

/* Against a double-precision reference: at most one level apart. */
static void test_resize_matches_reference(void **state)
{
    static const int32_t cases[][4] = {
        {37, 23, 50, 17}, {10, 10, 3, 29}, {1, 6, 4, 2}, {64, 48, 31, 77}, {5, 1, 16, 1},
    };
    (void)state;
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        struct bmx_image in;
        struct bmx_image out;
        int32_t iw = cases[t][0];
        int32_t ih = cases[t][1];
        int32_t ow = cases[t][2];
        int32_t oh = cases[t][3];
        assert_int_equal(bmx_image_new(iw, ih, 2, &in, NULL), BMX_OK);
        fill_noise(in.data, (size_t)iw * (size_t)ih * 2, (uint32_t)t + 1);
        assert_int_equal(bmx_image_resize(&in, ow, oh, &out, NULL), BMX_OK);
        for (int32_t y = 0; y < oh; y++) {
            int32_t iy[128], ix[128];
            double wy[128], wx[128];
            int ny = ref_axis_double(ih, oh, y, iy, wy);
            for (int32_t x = 0; x < ow; x++) {
                int nx = ref_axis_double(iw, ow, x, ix, wx);
                for (int k = 0; k < 2; k++) {
                    const uint8_t *p = in.data;
                    double v = 0;
                    for (int j = 0; j < ny; j++) {
                        for (int i = 0; i < nx; i++) {
                            v += wy[j] * wx[i] * p[(iy[j] * iw + ix[i]) * 2 + k];
                        }
                    }
                    int got = out.data[(size_t)(y * ow + x) * 2 + (size_t)k];
                    assert_true(abs(got - (int)(v + 0.5)) <= 1);
                }
            }
        }
        bmx_image_free(&in);
        bmx_image_free(&out);
    }
}

/*
 * Integer arithmetic only: these exact bytes on every machine (FNV-1a of the
 * output). The values were checked against an independent Python model of the
 * same integer rules: bilinear both ways up (37x23 -> 50x31), the triangle along
 * y (37x23 -> 50x17).
 */
static uint64_t resized_hash(int32_t ow, int32_t oh)
{
    struct bmx_image in;
    struct bmx_image out;
    uint64_t hash = 1469598103934665603u;
    assert_int_equal(bmx_image_new(37, 23, 3, &in, NULL), BMX_OK);
    fill_noise(in.data, 37 * 23 * 3, 2024);
    assert_int_equal(bmx_image_resize(&in, ow, oh, &out, NULL), BMX_OK);
    for (size_t i = 0; i < (size_t)ow * (size_t)oh * 3; i++) {
        hash = (hash ^ out.data[i]) * 1099511628211u;
    }
    bmx_image_free(&in);
    bmx_image_free(&out);
    return hash;
}

/* A one-pixel checkerboard shrunk by 2.47 x 3.30 (a 640x640 source into a 259x194
 * base): filtered over the footprint, every output is close to the mean grey; taps
 * at two points only (bilinear) would land on black and white squares and show
 * a moire of both. */
static void test_resize_no_aliasing(void **state)
{
    struct bmx_image in, out;
    (void)state;
    assert_int_equal(bmx_image_new(640, 640, 3, &in, NULL), BMX_OK);
    for (int32_t y = 0; y < 640; y++) {
        for (int32_t x = 0; x < 640; x++) {
            memset(in.data + (size_t)y * in.stride + (size_t)x * 3, (x + y) % 2 ? 255 : 0, 3);
        }
    }
    assert_int_equal(bmx_image_resize(&in, 259, 194, &out, NULL), BMX_OK);
    int lo = 255, hi = 0;
    for (size_t i = 0; i < (size_t)259 * 194 * 3; i++) {
        lo = out.data[i] < lo ? out.data[i] : lo;
        hi = out.data[i] > hi ? out.data[i] : hi;
    }
    assert_true(lo >= 127 - 16);
    assert_true(hi <= 128 + 16);
    bmx_image_free(&in);
    bmx_image_free(&out);
}

static void test_resize_golden(void **state)
{
    (void)state;
    assert_int_equal(resized_hash(50, 31), UINT64_C(0x84ab8cbd6c85ef0a));
    assert_int_equal(resized_hash(50, 17), UINT64_C(0x74e49803acc009ee));
}

/* One axis of the documented resize formula, written out independently:
 * src = ((2 dst + 1) n_in - n_out) / (2 n_out), clamped, weight rounded to 11 bits. */
static void ref_tap(int32_t n_in, int32_t n_out, int32_t dst, int32_t *i0, int32_t *i1,
                    uint32_t *f)
{
    int64_t num = (2 * (int64_t)dst + 1) * n_in - n_out;
    int64_t den = 2 * (int64_t)n_out;
    *i0 = *i1 = 0;
    *f = 0;
    if (num <= 0) {
        return;
    }
    if (num / den >= n_in - 1) {
        *i0 = *i1 = n_in - 1;
        return;
    }
    *i0 = (int32_t)(num / den);
    *i1 = *i0 + 1;
    *f = (uint32_t)(((num % den) * 2048 + den / 2) / den);
}

/* The shrinking axis's rule, written out independently: input i weighs
 * max(0, 2 n_in - |(2i + 1) n_out - (2d + 1) n_in|); the weights, in 2048ths, are
 * the differences of the rounded running totals. */
static int ref_axis(int32_t n_in, int32_t n_out, int32_t d, int32_t *idx, uint32_t *w)
{
    if (n_in <= n_out) {
        int32_t i0, i1;
        uint32_t f;
        ref_tap(n_in, n_out, d, &i0, &i1, &f);
        idx[0] = i0;
        idx[1] = i1;
        w[0] = 2048 - f;
        w[1] = f;
        return 2;
    }
    int64_t c = (2 * (int64_t)d + 1) * n_in, half = 2 * (int64_t)n_in;
    int64_t raw[256];
    int n = 0;
    int64_t sum = 0;
    for (int32_t i = 0; i < n_in; i++) {
        int64_t dist = (2 * (int64_t)i + 1) * n_out - c;
        int64_t v = half - (dist < 0 ? -dist : dist);
        if (v > 0) {
            idx[n] = i;
            raw[n++] = v;
            sum += v;
        }
    }
    int64_t run = 0, before = 0;
    for (int q = 0; q < n; q++) {
        run += raw[q];
        int64_t upto = (run * 2048 + sum / 2) / sum;
        w[q] = (uint32_t)(upto - before);
        before = upto;
    }
    return n;
}

static uint8_t ref_pixel(const struct bmx_image *in, int32_t w, int32_t h, int32_t x, int32_t y,
                         int32_t k)
{
    int32_t ix[256], iy[256];
    uint32_t wx[256], wy[256];
    int nx = ref_axis(in->w, w, x, ix, wx);
    int ny = ref_axis(in->h, h, y, iy, wy);
    uint32_t c = (uint32_t)in->channels;
    uint32_t total = 1u << 21;
    for (int j = 0; j < ny; j++) {
        const uint8_t *row = in->data + (size_t)iy[j] * in->stride;
        uint32_t line = 0;
        for (int i = 0; i < nx; i++) {
            line += row[(uint32_t)ix[i] * c + (uint32_t)k] * wx[i];
        }
        total += line * wy[j];
    }
    return (uint8_t)(total >> 22);
}

/* The patch-only resize (rows interpolated once and reused) gives the bytes of the
 * per-pixel formulas (bilinear up, the triangle down) for every channel count, up-
 * and downscaling along either axis, any rectangle. */
static void test_resize_rect_matches_formula(void **state)
{
    static const int32_t sizes[][4] = {
        {37, 23, 50, 17}, {64, 48, 31, 77}, {80, 60, 64, 48}, {64, 48, 80, 60},
        {13, 90, 40, 11}, {1, 7, 5, 9},     {9, 1, 3, 4},     {100, 75, 33, 25},
        /* x kept, y shrunk (a row's taps: 2 to 4, then more) or enlarged; both
         * shrunk a lot (five taps and more a row) */
        {40, 30, 40, 17}, {40, 17, 40, 30}, {50, 90, 50, 11}, {90, 90, 12, 10},
    };
    uint32_t seed = 7;
    (void)state;
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
        for (int32_t c = 1; c <= 4; c++) {
            struct bmx_image in, dst;
            int32_t ow = sizes[t][2], oh = sizes[t][3];
            assert_int_equal(bmx_image_new(sizes[t][0], sizes[t][1], c, &in, NULL), BMX_OK);
            fill_noise(in.data, in.stride * (size_t)in.h, (uint32_t)(t * 4 + (size_t)c));
            assert_int_equal(bmx_image_new(ow, oh, c, &dst, NULL), BMX_OK);
            for (int rep = 0; rep < 6; rep++) {
                seed = seed * 1664525u + 1013904223u;
                struct bmx_rect r;
                r.x = (int32_t)((seed >> 8) % (uint32_t)ow);
                r.w = 1 + (int32_t)((seed >> 16) % (uint32_t)(ow - r.x));
                seed = seed * 1664525u + 1013904223u;
                r.y = (int32_t)((seed >> 8) % (uint32_t)oh);
                r.h = 1 + (int32_t)((seed >> 16) % (uint32_t)(oh - r.y));
                if (rep == 0) {
                    r = (struct bmx_rect){0, 0, ow, oh};
                }
                memset(dst.data, 0xA5, dst.stride * (size_t)oh);
                assert_int_equal(bmx__image_resize_rect(&in, ow, oh, r, &dst, NULL), BMX_OK);
                for (int32_t y = 0; y < oh; y++) {
                    for (int32_t x = 0; x < ow; x++) {
                        bool inside = x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
                        for (int32_t k = 0; k < c; k++) {
                            uint8_t got = dst.data[(size_t)y * dst.stride + (size_t)(x * c + k)];
                            uint8_t want = inside ? ref_pixel(&in, ow, oh, x, y, k) : 0xA5;
                            assert_int_equal(got, want);
                        }
                    }
                }
            }
            bmx_image_free(&in);
            bmx_image_free(&dst);
        }
    }
}

/* RGB rows wide enough for the vector filters along x (two outputs a step with
 * AVX2 for bilinear's and one pair of triangle taps, one output a step for two
 * pairs, then SSE2, then plain C at the row's end), at random sizes up and down
 * along each axis: the bytes of the per-pixel formulas, whole and in rectangles. */
static void test_resize_rgb_rows_match_formula(void **state)
{
    uint32_t seed = 99;
    (void)state;
    for (int t = 0; t < 48; t++) {
        seed = seed * 1664525u + 1013904223u;
        int32_t iw = 8 + (int32_t)((seed >> 8) % 153u);
        int32_t ih = 2 + (int32_t)((seed >> 20) % 40u);
        seed = seed * 1664525u + 1013904223u;
        int32_t ow = 8 + (int32_t)((seed >> 8) % 73u);
        int32_t oh = 2 + (int32_t)((seed >> 20) % 40u);
        if (t % 4 == 0) {
            ow = iw + 1 + t; /* enlarged along x: bilinear's taps */
        } else if (t % 4 == 1) {
            ow = iw * 4 / 5 > 0 ? iw * 4 / 5 : 1; /* a little smaller: 2 to 4 taps */
        }
        struct bmx_image in, dst;
        assert_int_equal(bmx_image_new(iw, ih, 3, &in, NULL), BMX_OK);
        fill_noise(in.data, in.stride * (size_t)ih, (uint32_t)t + 500u);
        assert_int_equal(bmx_image_new(ow, oh, 3, &dst, NULL), BMX_OK);
        for (int rep = 0; rep < 3; rep++) {
            struct bmx_rect r = {0, 0, ow, oh};
            if (rep > 0) {
                seed = seed * 1664525u + 1013904223u;
                r.x = (int32_t)((seed >> 8) % (uint32_t)ow);
                r.w = 1 + (int32_t)((seed >> 16) % (uint32_t)(ow - r.x));
                r.y = (int32_t)((seed >> 4) % (uint32_t)oh);
                r.h = 1 + (int32_t)((seed >> 24) % (uint32_t)(oh - r.y));
            }
            memset(dst.data, 0xA5, dst.stride * (size_t)oh);
            assert_int_equal(bmx__image_resize_rect(&in, ow, oh, r, &dst, NULL), BMX_OK);
            for (int32_t y = r.y; y < r.y + r.h; y++) {
                for (int32_t x = r.x; x < r.x + r.w; x++) {
                    for (int32_t k = 0; k < 3; k++) {
                        assert_int_equal(dst.data[(size_t)y * dst.stride + (size_t)(x * 3 + k)],
                                         ref_pixel(&in, ow, oh, x, y, k));
                    }
                }
            }
        }
        bmx_image_free(&in);
        bmx_image_free(&dst);
    }
}

/* CutMix's pixels: A outside the patch, B (resized to A's size) inside. */
static void test_paste(void **state)
{
    struct bmx_image a, b, same, dst;
    (void)state;
    assert_int_equal(bmx_image_new(40, 30, 3, &a, NULL), BMX_OK);
    assert_int_equal(bmx_image_new(53, 21, 3, &b, NULL), BMX_OK);
    assert_int_equal(bmx_image_new(40, 30, 3, &same, NULL), BMX_OK);
    assert_int_equal(bmx_image_new(40, 30, 3, &dst, NULL), BMX_OK);
    fill_noise(a.data, a.stride * 30, 11);
    fill_noise(b.data, b.stride * 21, 12);
    fill_noise(same.data, same.stride * 30, 13);
    const struct bmx_rect rects[] = {{5, 7, 20, 9}, {0, 0, 40, 30}, {39, 29, 1, 1}, {3, 4, 0, 0}};
    for (size_t t = 0; t < sizeof rects / sizeof rects[0]; t++) {
        struct bmx_rect r = rects[t];
        for (int pass = 0; pass < 2; pass++) {
            const struct bmx_image *src = pass == 0 ? &b : &same;
            memset(dst.data, 0, dst.stride * 30);
            assert_int_equal(bmx__image_paste(&a, src, r, &dst, NULL), BMX_OK);
            for (int32_t y = 0; y < 30; y++) {
                for (int32_t x = 0; x < 40; x++) {
                    bool inside = x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
                    for (int32_t k = 0; k < 3; k++) {
                        uint8_t got = dst.data[(size_t)y * dst.stride + (size_t)(x * 3 + k)];
                        uint8_t want;
                        if (!inside) {
                            want = a.data[(size_t)y * a.stride + (size_t)(x * 3 + k)];
                        } else if (pass == 0) {
                            want = ref_pixel(&b, 40, 30, x, y, k);
                        } else {
                            want = same.data[(size_t)y * same.stride + (size_t)(x * 3 + k)];
                        }
                        assert_int_equal(got, want);
                    }
                }
            }
        }
    }
    bmx_image_free(&a);
    bmx_image_free(&b);
    bmx_image_free(&same);
    bmx_image_free(&dst);
}

/* One codec reused over images of growing and shrinking sizes and of both back
 * ends gives exactly what the one-shot calls give, also after a failure. */
static void test_codec_reuse(void **state)
{
    static const int32_t sizes[][2] = {{16, 12}, {64, 40}, {8, 8}, {33, 71}, {64, 40}};
    struct bmx__codec codec = {0};
    uint8_t *pix = NULL;
    size_t cap = 0;
    (void)state;
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0] * 2; t++) {
        const int32_t *sz = sizes[t % 5];
        enum bmx_format fmt = t % 3 == 2 ? BMX_FORMAT_PNG : BMX_FORMAT_JPEG;
        struct bmx_image img;
        make_pattern(sz[0], sz[1], 3, &img);
        fill_noise(img.data, img.stride * (size_t)img.h / 2, (uint32_t)t + 40);
        uint8_t *once = NULL;
        size_t once_len = 0;
        const uint8_t *reused = NULL;
        size_t reused_len = 0;
        assert_int_equal(bmx_image_encode(&img, fmt, 85, &once, &once_len, NULL), BMX_OK);
        assert_int_equal(bmx__codec_encode(&codec, &img, fmt, 85, BMX__PNG_LEVEL_DEFAULT, &reused,
                                           &reused_len, NULL),
                         BMX_OK);
        assert_int_equal(reused_len, once_len);
        assert_memory_equal(reused, once, once_len);

        struct bmx_image d1, d2;
        assert_int_equal(bmx_image_decode(once, once_len, NULL, &d1, NULL), BMX_OK);
        assert_int_equal(bmx__codec_decode(&codec, once, once_len, NULL, &pix, &cap, &d2, NULL),
                         BMX_OK);
        assert_ptr_equal(d2.data, pix);
        assert_true(cap >= d2.stride * (size_t)d2.h);
        assert_int_equal(d2.w, d1.w);
        assert_int_equal(d2.h, d1.h);
        assert_int_equal(d2.channels, d1.channels);
        assert_memory_equal(d2.data, d1.data, d1.stride * (size_t)d1.h);
        bmx_image_free(&d1);
        free(once);

        /* A damaged input in between does not spoil the next image. */
        if (t == 4) {
            static const uint8_t junk[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F'};
            struct bmx_image bad;
            assert_int_equal(
                bmx__codec_decode(&codec, junk, sizeof junk, NULL, &pix, &cap, &bad, NULL),
                BMX_E_DECODE);
        }
        bmx_image_free(&img);
    }
    free(pix);
    bmx__codec_free(&codec);
}

/* With cached_rows, a JPEG's rows start 16 bytes past a 32-byte boundary, inside
 * the buffer, with the one-shot decode's pixels; a PNG's start the buffer. */
static void test_codec_cached_rows(void **state)
{
    static const int32_t sizes[][2] = {{640, 4}, {33, 71}, {64, 40}, {640, 6}, {7, 5}};
    struct bmx__codec codec = {.cached_rows = true};
    uint8_t *pix = NULL;
    size_t cap = 0;
    (void)state;
    for (size_t t = 0; t < 2 * sizeof sizes / sizeof sizes[0]; t++) {
        const int32_t *sz = sizes[t % 5];
        enum bmx_format fmt = t == 7 ? BMX_FORMAT_PNG : BMX_FORMAT_JPEG;
        struct bmx_image img;
        make_pattern(sz[0], sz[1], 3, &img);
        fill_noise(img.data, img.stride * (size_t)img.h, (uint32_t)t + 7);
        uint8_t *enc = NULL;
        size_t enc_len = 0;
        assert_int_equal(bmx_image_encode(&img, fmt, 90, &enc, &enc_len, NULL), BMX_OK);
        struct bmx_image once, d;
        assert_int_equal(bmx_image_decode(enc, enc_len, NULL, &once, NULL), BMX_OK);
        assert_int_equal(bmx__codec_decode(&codec, enc, enc_len, NULL, &pix, &cap, &d, NULL),
                         BMX_OK);
        const size_t n = d.stride * (size_t)d.h;
        if (fmt == BMX_FORMAT_JPEG) {
            assert_int_equal((uintptr_t)d.data % 32, BMX__ROWS_CACHED);
        } else {
            assert_ptr_equal(d.data, pix);
        }
        assert_true(d.data >= pix && (size_t)(d.data - pix) + n <= cap);
        assert_int_equal(d.stride, (size_t)d.w * 3);
        assert_int_equal(n, once.stride * (size_t)once.h);
        assert_memory_equal(d.data, once.data, n);
        bmx_image_free(&once);
        bmx_image_free(&img);
        free(enc);
    }
    free(pix);
    bmx__codec_free(&codec);
}

/* Insert an empty IDAT chunk into a PNG just before its first IDAT (first = true)
 * or just before IEND. */
static uint8_t *with_empty_idat(const uint8_t *png, size_t len, bool first, size_t *out_len)
{
    static const uint8_t empty[12] = {0, 0, 0, 0, 'I', 'D', 'A', 'T', 0x35, 0xAF, 0x06, 0x1E};
    size_t at = 8;
    while (at + 12 <= len) {
        uint32_t n = (uint32_t)png[at] << 24 | (uint32_t)png[at + 1] << 16 |
                     (uint32_t)png[at + 2] << 8 | png[at + 3];
        if (memcmp(png + at + 4, first ? "IDAT" : "IEND", 4) == 0) {
            break;
        }
        at += 12 + n;
    }
    assert_true(at + 12 <= len);
    uint8_t *o = malloc(len + 12);
    assert_non_null(o);
    memcpy(o, png, at);
    memcpy(o + at, empty, 12);
    memcpy(o + at + 12, png + at, len - at);
    *out_len = len + 12;
    return o;
}

/* An empty IDAT chunk adds nothing: the PNG decodes as without it. (Debian's
 * stb_image 2.27 does undefined pointer arithmetic on an empty first IDAT; the
 * sanitizer builds fail here if the decoder is handed one.) */
static void test_png_empty_idat(void **state)
{
    struct bmx_image img, plain, odd;
    uint8_t *png = NULL;
    size_t len = 0;
    (void)state;
    make_pattern(9, 5, 3, &img);
    assert_int_equal(bmx_image_encode(&img, BMX_FORMAT_PNG, 0, &png, &len, NULL), BMX_OK);
    assert_int_equal(bmx_image_decode(png, len, NULL, &plain, NULL), BMX_OK);
    for (int first = 1; first >= 0; first--) {
        size_t n = 0;
        uint8_t *v = with_empty_idat(png, len, first != 0, &n);
        assert_int_equal(bmx_image_decode(v, n, NULL, &odd, NULL), BMX_OK);
        assert_int_equal(odd.w, 9);
        assert_int_equal(odd.h, 5);
        assert_memory_equal(odd.data, plain.data, plain.stride * 5);
        bmx_image_free(&odd);
        free(v);
    }
    bmx_image_free(&plain);
    bmx_image_free(&img);
    free(png);
}

/* A chunk that claims more bytes than the file holds is refused before the
 * decoder sees it (stb_image 2.27 would first allocate what it claims). */
static void test_png_chunk_past_end(void **state)
{
    struct bmx_image img, out;
    uint8_t *png = NULL;
    size_t len = 0;
    bmx_error err;
    (void)state;
    make_pattern(9, 5, 3, &img);
    assert_int_equal(bmx_image_encode(&img, BMX_FORMAT_PNG, 0, &png, &len, NULL), BMX_OK);
    size_t at = 8;
    while (memcmp(png + at + 4, "IDAT", 4) != 0) {
        at += 12 + ((size_t)png[at] << 24 | (size_t)png[at + 1] << 16 |
                    (size_t)png[at + 2] << 8 | png[at + 3]);
        assert_true(at + 12 <= len);
    }
    static const uint8_t huge[4] = {0x7F, 0xFF, 0xF0, 0xFF};
    memcpy(png + at, huge, 4);
    assert_int_equal(bmx_image_decode(png, len, NULL, &out, &err), BMX_E_DECODE);
    assert_null(out.data);
    assert_non_null(strstr(err.message, "PNG chunk 'IDAT'"));
    assert_non_null(strstr(err.message, "claims 2147479807 bytes"));
    bmx_image_free(&img);
    free(png);
}

/* Decode `buf` with both decoders (bmx_image_decode, and stb's path itself) and
 * check that each fails with BMX_E_DECODE, a message holding `want` and a reason
 * after its last colon. */
static void expect_reason(const uint8_t *buf, size_t len, const char *want)
{
    bmx_status (*decoders[2])(const uint8_t *, size_t, const struct bmx_limits *,
                              struct bmx_image *, bmx_error *) = {bmx_image_decode,
                                                                  bmx__image_decode_stb};
    for (int i = 0; i < 2; i++) {
        struct bmx_image out;
        bmx_error err = {0};
        assert_int_equal(decoders[i](buf, len, NULL, &out, &err), BMX_E_DECODE);
        assert_null(out.data);
        const char *colon = strrchr(err.message, ':');
        const char *reason = colon != NULL ? colon + 1 : err.message;
        reason += strspn(reason, " ");
        if (reason[0] == '\0' || strstr(err.message, want) == NULL) {
            fail_msg("decoder %d: message '%s', want a reason and '%s'", i, err.message, want);
        }
    }
}

/* A PNG cut where its IEND chunk begins (a valid PNG less its last 12 bytes) gave
 * "cannot decode image: " and nothing more: stb_image reads the missing chunk as
 * zeros and reports an unknown chunk named by those zero bytes, that is "". The
 * walk before stb now says what is wrong; and an unknown critical chunk (one stb
 * would name the same way, from a type that may start with a zero byte) is
 * refused with its type written out. */
static void png_without_iend_reason(void **state)
{
    struct bmx_image img;
    uint8_t *png = NULL;
    size_t len = 0;
    (void)state;
    make_pattern(9, 5, 3, &img);
    assert_int_equal(bmx_image_encode(&img, BMX_FORMAT_PNG, 0, &png, &len, NULL), BMX_OK);
    assert_true(len > 12 && memcmp(png + len - 8, "IEND", 4) == 0);
    expect_reason(png, len - 12, "PNG: no IEND chunk: file cut short");

    /* cut inside the IEND chunk's header */
    expect_reason(png, len - 5, "PNG: no IEND chunk: file cut short after");

    /* the whole IEND chunk replaced by one of type "\0ABC" */
    struct membuf mb = {0};
    membuf_bytes(&mb, png, len - 12);
    png_chunk(&mb, "\0ABC", NULL, 0);
    png_chunk(&mb, "IEND", NULL, 0);
    expect_reason(mb.data, mb.len, "chunk '\\x00ABC' at byte");
    free(mb.data);

    /* an unknown ancillary chunk (lower-case first letter) is skipped, as stb does */
    mb = (struct membuf){0};
    membuf_bytes(&mb, png, len - 12);
    png_chunk(&mb, "zzZz", (const uint8_t *)"x", 1);
    png_chunk(&mb, "IEND", NULL, 0);
    struct bmx_image out;
    assert_int_equal(bmx_image_decode(mb.data, mb.len, NULL, &out, NULL), BMX_OK);
    assert_memory_equal(out.data, img.data, img.stride * 5);
    bmx_image_free(&out);
    free(mb.data);
    bmx_image_free(&img);
    free(png);
}

static void test_resize_invalid(void **state)
{
    struct bmx_image in;
    struct bmx_image out;
    (void)state;
    make_pattern(4, 4, 3, &in);
    assert_int_equal(bmx_image_resize(&in, 0, 4, &out, NULL), BMX_E_INVALID);
    assert_null(out.data);
    assert_int_equal(bmx_image_resize(&in, 4, -2, &out, NULL), BMX_E_INVALID);
    assert_int_equal(bmx_image_resize(NULL, 4, 4, &out, NULL), BMX_E_INVALID);
    assert_int_equal(bmx_image_resize(&in, 4, 4, NULL, NULL), BMX_E_INVALID);
    bmx_image_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limits_and_build),
        cmocka_unit_test(test_new_zeroed),
        cmocka_unit_test(test_new_invalid),
        cmocka_unit_test(test_png_roundtrip_exact),
        cmocka_unit_test(test_bmp_tga_exact),
        cmocka_unit_test(test_png_channels_expand),
        cmocka_unit_test(test_palette_png_expands),
        cmocka_unit_test(test_gif_first_frame),
        cmocka_unit_test(test_pnm_exact),
        cmocka_unit_test(test_png_16bit),
        cmocka_unit_test(test_jpeg_roundtrip_close),
        cmocka_unit_test(test_grey_jpeg),
        cmocka_unit_test(test_jpeg_stb_vs_default),
        cmocka_unit_test(test_progressive_jpeg_fixture),
#ifdef BMX_HAVE_TURBOJPEG
        cmocka_unit_test(test_progressive_jpeg_turbo),
        cmocka_unit_test(test_cmyk_jpeg),
#endif
        cmocka_unit_test(test_truncated_jpeg),
        cmocka_unit_test(test_truncated_png),
        cmocka_unit_test(test_damaged_jpeg),
#ifdef BMX_HAVE_TURBOJPEG
        cmocka_unit_test(test_jpeg_warning_is_error),
#endif
        cmocka_unit_test(test_empty_and_garbage),
        cmocka_unit_test(test_limit_png_header),
        cmocka_unit_test(test_limit_jpeg_header),
        cmocka_unit_test(test_limit_custom),
        cmocka_unit_test(test_encode_quality_and_layout),
        cmocka_unit_test(test_encode_invalid),
        cmocka_unit_test(test_encode_stb_jpeg_stride),
        cmocka_unit_test(test_resize_rect_matches_formula),
        cmocka_unit_test(test_resize_rgb_rows_match_formula),
        cmocka_unit_test(test_paste),
        cmocka_unit_test(test_codec_reuse),
        cmocka_unit_test(test_codec_cached_rows),
        cmocka_unit_test(test_png_empty_idat),
        cmocka_unit_test(png_without_iend_reason),
        cmocka_unit_test(test_png_chunk_past_end),
        cmocka_unit_test(test_resize_identity),
        cmocka_unit_test(test_resize_known_values),
        cmocka_unit_test(test_resize_constant),
        cmocka_unit_test(test_resize_matches_reference),
        cmocka_unit_test(test_resize_golden),
        cmocka_unit_test(test_resize_no_aliasing),
        cmocka_unit_test(test_resize_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
