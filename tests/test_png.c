/* SPDX-License-Identifier: MIT */
/*
 * Tests of the PNG codec (libspng when the build has it, stb's otherwise): every
 * colour type and bit depth decoded to the RGB the test computes itself and to
 * what stb's decoder gives, encode round trips bit-exact, the level changing size
 * and never pixels, the limits, and the committed bad and fuzz PNGs refused by
 * the default decoder exactly when stb's path refuses them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boxmix.h"
#include "codec.h"
#include "error.h"

/* ------------------------------------------------------------------------- */
/* Hand-made PNGs: raw scanlines (filter 0) in one stored deflate block        */
/* ------------------------------------------------------------------------- */

struct buf {
    uint8_t *data;
    size_t len;
};

static void put(struct buf *b, const void *p, size_t n)
{
    uint8_t *grown = realloc(b->data, b->len + n + 1);
    assert_non_null(grown);
    if (n > 0) {
        memcpy(grown + b->len, p, n);
    }
    b->data = grown;
    b->len += n;
}

static void put_be32(struct buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(b, x, 4);
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

static void chunk(struct buf *b, const char *type, const uint8_t *data, size_t n)
{
    struct buf t = {0};
    put(&t, type, 4);
    put(&t, data, n);
    put_be32(b, (uint32_t)n);
    put(b, t.data, t.len);
    put_be32(b, crc32_of(t.data, t.len));
    free(t.data);
}

/* A zlib stream of stored blocks holding `raw`. */
static void idat_stored(struct buf *b, const uint8_t *raw, size_t n)
{
    struct buf z = {0};
    static const uint8_t head[2] = {0x78, 0x01};
    uint32_t a = 1;
    uint32_t s = 0;
    put(&z, head, 2);
    size_t at = 0;
    do {
        size_t part = n - at < 65535 ? n - at : 65535;
        uint8_t h[5] = {at + part == n ? 1 : 0, (uint8_t)part, (uint8_t)(part >> 8),
                        (uint8_t)~part, (uint8_t)(~part >> 8)};
        put(&z, h, 5);
        put(&z, raw + at, part);
        at += part;
    } while (at < n);
    for (size_t i = 0; i < n; i++) {
        a = (a + raw[i]) % 65521u;
        s = (s + a) % 65521u;
    }
    put_be32(&z, s << 16 | a);
    chunk(b, "IDAT", z.data, z.len);
    free(z.data);
}

static void start(struct buf *b, uint32_t w, uint32_t h, uint8_t depth, uint8_t ctype)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    uint8_t ihdr[13] = {(uint8_t)(w >> 24), (uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w,
                        (uint8_t)(h >> 24), (uint8_t)(h >> 16), (uint8_t)(h >> 8), (uint8_t)h,
                        depth, ctype, 0, 0, 0};
    put(b, sig, sizeof sig);
    chunk(b, "IHDR", ihdr, sizeof ihdr);
}

static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static const int channels_of[7] = {1, 0, 3, 1, 2, 0, 4};

/* Adam7: each pass's first column and row and its steps. */
static const uint32_t adam7[7][4] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
                                     {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};

/*
 * A w x h PNG of colour type `ctype` and bit depth `depth` with random samples
 * (Adam7-interlaced when `interlace`), and the RGB a decoder must give: samples as
 * stored (no gamma, no transparency), 16-bit ones by their high byte, grey
 * replicated, low bit depths scaled to 0..255, palette indices looked up, alpha
 * dropped. A palette PNG gets a 2^depth colour PLTE and a tRNS chunk (which must
 * change nothing).
 */
static void make_png_il(uint32_t w, uint32_t h, uint8_t depth, uint8_t ctype, bool interlace,
                        uint32_t seed, struct buf *png, uint8_t **rgb)
{
    const int ch = channels_of[ctype];
    uint16_t *v = malloc((size_t)w * h * (size_t)ch * sizeof *v);
    uint8_t plte[256 * 3];
    const int colours = 1 << (depth < 8 ? depth : 8);
    struct buf raw = {0};
    *rgb = malloc((size_t)w * h * 3);
    assert_non_null(v);
    assert_non_null(*rgb);
    for (int i = 0; i < 256 * 3; i++) {
        plte[i] = (uint8_t)rnd(&seed);
    }
    for (size_t i = 0; i < (size_t)w * h; i++) {
        uint16_t *p = v + i * (size_t)ch;
        uint8_t s[4];
        uint8_t *o = *rgb + i * 3;
        for (int c = 0; c < ch; c++) {
            p[c] = (uint16_t)(rnd(&seed) & ((1u << depth) - 1u));
            if (ctype == 3) {
                p[c] %= (uint16_t)colours;
            }
            s[c] = depth == 16 ? (uint8_t)(p[c] >> 8) : (uint8_t)(p[c] * 255u / ((1u << depth) - 1u));
        }
        if (ctype == 3) {
            memcpy(o, plte + 3 * p[0], 3);
        } else if (ch <= 2) {
            o[0] = o[1] = o[2] = s[0];
        } else {
            memcpy(o, s, 3);
        }
    }
    /* The scanlines (filter 0) of the whole image, or of each pass in turn. */
    for (int pass = interlace ? 0 : 6; pass < 7; pass++) {
        uint32_t x0 = interlace ? adam7[pass][0] : 0, y0 = interlace ? adam7[pass][1] : 0;
        uint32_t dx = interlace ? adam7[pass][2] : 1, dy = interlace ? adam7[pass][3] : 1;
        uint32_t pw = w > x0 ? (w - x0 + dx - 1) / dx : 0;
        uint32_t ph = h > y0 ? (h - y0 + dy - 1) / dy : 0;
        if (pw == 0 || ph == 0) {
            continue;
        }
        size_t row = 1 + ((size_t)pw * (size_t)ch * depth + 7) / 8;
        uint8_t *r = malloc(row);
        assert_non_null(r);
        for (uint32_t py = 0; py < ph; py++) {
            memset(r, 0, row);
            for (uint32_t px = 0; px < pw; px++) {
                const uint16_t *p = v + ((size_t)(y0 + py * dy) * w + x0 + px * dx) * (size_t)ch;
                for (int c = 0; c < ch; c++) {
                    size_t bit = ((size_t)px * (size_t)ch + (size_t)c) * depth;
                    if (depth == 16) {
                        r[1 + bit / 8] = (uint8_t)(p[c] >> 8);
                        r[2 + bit / 8] = (uint8_t)p[c];
                    } else {
                        r[1 + bit / 8] |= (uint8_t)(p[c] << (8 - depth - bit % 8));
                    }
                }
            }
            put(&raw, r, row);
        }
        free(r);
    }
    start(png, w, h, depth, ctype);
    if (interlace) {
        png->data[8 + 8 + 12] = 1; /* the IHDR's interlace method, then its CRC again */
        uint32_t crc = crc32_of(png->data + 12, 17);
        uint8_t be[4] = {(uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8),
                         (uint8_t)crc};
        memcpy(png->data + 29, be, 4);
    }
    if (ctype == 3) {
        uint8_t trns[4] = {0, 128, 255, 7};
        chunk(png, "PLTE", plte, (size_t)colours * 3);
        chunk(png, "tRNS", trns, colours < 4 ? (size_t)colours : 4);
    }
    idat_stored(png, raw.data, raw.len);
    chunk(png, "IEND", NULL, 0);
    free(raw.data);
    free(v);
}

static void make_png(uint32_t w, uint32_t h, uint8_t depth, uint8_t ctype, uint32_t seed,
                     struct buf *png, uint8_t **rgb)
{
    make_png_il(w, h, depth, ctype, false, seed, png, rgb);
}

/* ------------------------------------------------------------------------- */
/* Decoding                                                                   */
/* ------------------------------------------------------------------------- */

static void decode_expect(const struct buf *png, const uint8_t *rgb, uint32_t w, uint32_t h,
                          const char *what)
{
    struct bmx_image a;
    struct bmx_image b;
    bmx_error err = {0};
    if (bmx_image_decode(png->data, png->len, NULL, &a, &err) != BMX_OK) {
        fail_msg("%s: decode: %s", what, err.message);
    }
    assert_int_equal(a.w, (int32_t)w);
    assert_int_equal(a.h, (int32_t)h);
    assert_int_equal(a.channels, 3);
    assert_int_equal(a.stride, (size_t)w * 3);
    if (memcmp(a.data, rgb, (size_t)w * h * 3) != 0) {
        fail_msg("%s: decoded pixels differ from the expected ones", what);
    }
    /* and exactly what stb's path gives (the decoder before libspng) */
    if (bmx__image_decode_stb(png->data, png->len, NULL, &b, &err) != BMX_OK) {
        fail_msg("%s: stb decode: %s", what, err.message);
    }
    assert_memory_equal(b.data, a.data, (size_t)w * h * 3);
    bmx_image_free(&a);
    bmx_image_free(&b);
}

/* Grey, grey+alpha, RGB, RGBA and palette PNGs at every bit depth PNG allows,
 * plain and interlaced. */
static void test_decode_every_colour_type(void **state)
{
    static const struct {
        uint8_t ctype;
        uint8_t depths[5];
    } kinds[] = {
        {0, {1, 2, 4, 8, 16}}, {2, {8, 16}}, {3, {1, 2, 4, 8}}, {4, {8, 16}}, {6, {8, 16}},
    };
    (void)state;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        for (int d = 0; d < 5 && kinds[k].depths[d] != 0; d++) {
            /* 13 x 7: rows of low bit depths end inside a byte */
            struct buf png = {0};
            uint8_t *rgb = NULL;
            char what[64];
            for (int il = 0; il < 2; il++) {
                /* interlaced: 13 x 7 leaves some passes short and none empty; 3 x 2
                 * leaves passes empty */
                uint32_t w = il ? 3 : 13, h = il ? 2 : 7;
                snprintf(what, sizeof what, "colour type %d, %d bits%s", kinds[k].ctype,
                         kinds[k].depths[d], il ? ", interlaced" : "");
                make_png_il(w, h, kinds[k].depths[d], kinds[k].ctype, il != 0,
                            99u + (uint32_t)(k * 8 + d), &png, &rgb);
                decode_expect(&png, rgb, w, h, what);
                free(rgb);
                free(png.data);
                png = (struct buf){0};
                if (il) {
                    make_png_il(13, 7, kinds[k].depths[d], kinds[k].ctype, true,
                                7u + (uint32_t)(k * 8 + d), &png, &rgb);
                    decode_expect(&png, rgb, 13, 7, what);
                    free(rgb);
                    free(png.data);
                    png = (struct buf){0};
                }
            }
        }
    }
}

/* The codec's reused buffer: a small image after a large one decodes into the same
 * buffer, and a larger one after it grows it. */
static void test_decode_reuses_buffer(void **state)
{
    struct bmx__codec c = {0};
    uint8_t *pix = NULL;
    size_t cap = 0;
    static const uint32_t sizes[3][2] = {{40, 30}, {9, 4}, {50, 41}};
    (void)state;
    for (int i = 0; i < 3; i++) {
        struct buf png = {0};
        uint8_t *rgb = NULL;
        struct bmx_image out;
        make_png(sizes[i][0], sizes[i][1], 8, 2, 7u + (uint32_t)i, &png, &rgb);
        uint8_t *before = pix;
        assert_int_equal(bmx__codec_decode(&c, png.data, png.len, NULL, &pix, &cap, &out, NULL),
                         BMX_OK);
        assert_ptr_equal(out.data, pix);
        if (i == 1 && bmx_have_spng()) {
            assert_ptr_equal(pix, before);
        }
        assert_memory_equal(out.data, rgb, (size_t)sizes[i][0] * sizes[i][1] * 3);
        free(rgb);
        free(png.data);
    }
    free(pix);
    bmx__codec_free(&c);
}

/* ------------------------------------------------------------------------- */
/* Encoding                                                                   */
/* ------------------------------------------------------------------------- */

static void photo_like(struct bmx_image *img, int32_t w, int32_t h, int32_t channels, size_t pad,
                       uint32_t seed)
{
    size_t stride = (size_t)w * (size_t)channels + pad;
    img->w = w;
    img->h = h;
    img->channels = channels;
    img->stride = stride;
    img->data = malloc(stride * (size_t)h);
    assert_non_null(img->data);
    for (int32_t y = 0; y < h; y++) {
        for (size_t x = 0; x < stride; x++) {
            /* smooth gradients plus a little noise: compressible, not trivially */
            img->data[(size_t)y * stride + x] =
                (uint8_t)((x * 3 + (size_t)y * 2) / 4 + (rnd(&seed) & 7));
        }
    }
}

static void encode_at(const struct bmx_image *img, int level, uint8_t **out, size_t *len)
{
    struct bmx__codec c = {0};
    const uint8_t *enc = NULL;
    bmx_error err = {0};
    if (bmx__codec_encode(&c, img, BMX_FORMAT_PNG, 0, level, &enc, len, &err) != BMX_OK) {
        fail_msg("encode at level %d: %s", level, err.message);
    }
    *out = malloc(*len);
    assert_non_null(*out);
    memcpy(*out, enc, *len);
    bmx__codec_free(&c);
}

static void assert_pixels(const struct bmx_image *want, const uint8_t *png, size_t len)
{
    struct bmx_image got;
    struct bmx_image stb;
    bmx_error err = {0};
    if (bmx_image_decode(png, len, NULL, &got, &err) != BMX_OK) {
        fail_msg("decode: %s", err.message);
    }
    assert_int_equal(got.w, want->w);
    assert_int_equal(got.h, want->h);
    assert_int_equal(bmx__image_decode_stb(png, len, NULL, &stb, NULL), BMX_OK);
    assert_memory_equal(stb.data, got.data, got.stride * (size_t)got.h);
    for (int32_t y = 0; y < want->h; y++) {
        const uint8_t *s = want->data + (size_t)y * want->stride;
        const uint8_t *d = got.data + (size_t)y * got.stride;
        for (int32_t x = 0; x < want->w; x++) {
            const uint8_t *p = s + (size_t)x * (size_t)want->channels;
            uint8_t r = p[0];
            uint8_t g = want->channels >= 3 ? p[1] : p[0];
            uint8_t b = want->channels >= 3 ? p[2] : p[0];
            if (d[3 * x] != r || d[3 * x + 1] != g || d[3 * x + 2] != b) {
                fail_msg("pixel (%d, %d) differs", (int)x, (int)y);
            }
        }
    }
    bmx_image_free(&got);
    bmx_image_free(&stb);
}

/* 1 to 4 channels, packed and padded rows, every level: decoded back bit-exact. */
static void test_encode_round_trip(void **state)
{
    (void)state;
    for (int32_t ch = 1; ch <= 4; ch++) {
        for (size_t pad = 0; pad <= 5; pad += 5) {
            struct bmx_image img;
            photo_like(&img, 37, 23, ch, pad, 11u + (uint32_t)ch);
            for (int level = 0; level <= 9; level++) {
                uint8_t *png = NULL;
                size_t len = 0;
                encode_at(&img, level, &png, &len);
                assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
                assert_pixels(&img, png, len);
                free(png);
            }
            free(img.data);
        }
    }
}

#ifdef BMX_HAVE_SPNG
/* Levels change the size, never the pixels; 9 is smaller than 1, 1 than 0. The
 * public bmx_image_encode is the default level's bytes. */
static void test_level_changes_size_not_pixels(void **state)
{
    struct bmx_image img;
    uint8_t *png[10] = {NULL};
    size_t len[10] = {0};
    (void)state;
    photo_like(&img, 160, 120, 3, 0, 5);
    for (int level = 0; level <= 9; level++) {
        encode_at(&img, level, &png[level], &len[level]);
        assert_pixels(&img, png[level], len[level]);
    }
    assert_true(len[1] < len[0]);
    assert_true(len[9] < len[1]);
    assert_true(len[9] <= len[6]);
    uint8_t *def = NULL;
    size_t def_len = 0;
    assert_int_equal(bmx_image_encode(&img, BMX_FORMAT_PNG, 90, &def, &def_len, NULL), BMX_OK);
    assert_int_equal(def_len, len[BMX__PNG_LEVEL_DEFAULT]);
    assert_memory_equal(def, png[BMX__PNG_LEVEL_DEFAULT], def_len);
    free(def);
    for (int level = 0; level <= 9; level++) {
        free(png[level]);
    }
    free(img.data);
}

static void test_level_out_of_range(void **state)
{
    struct bmx_image img;
    struct bmx__codec c = {0};
    const uint8_t *enc = NULL;
    size_t len = 0;
    bmx_error err = {0};
    (void)state;
    photo_like(&img, 8, 8, 3, 0, 1);
    assert_int_equal(bmx__codec_encode(&c, &img, BMX_FORMAT_PNG, 0, 10, &enc, &len, &err),
                     BMX_E_INVALID);
    assert_non_null(strstr(err.message, "0..9"));
    assert_int_equal(bmx__codec_encode(&c, &img, BMX_FORMAT_PNG, 0, -1, &enc, &len, &err),
                     BMX_E_INVALID);
    bmx__codec_free(&c);
    free(img.data);
}

#else
/* Without libspng, stb_image_write writes PNG at its own level: the level given
 * changes nothing (the job refuses any but the default, see e2e_augment.py). */
static void test_level_not_used_without_spng(void **state)
{
    struct bmx_image img;
    uint8_t *png[2] = {NULL};
    size_t len[2] = {0};
    (void)state;
    assert_false(bmx_have_spng());
    photo_like(&img, 64, 48, 3, 0, 5);
    encode_at(&img, 0, &png[0], &len[0]);
    encode_at(&img, 9, &png[1], &len[1]);
    assert_int_equal(len[0], len[1]);
    assert_memory_equal(png[0], png[1], len[0]);
    assert_pixels(&img, png[0], len[0]);
    free(png[0]);
    free(png[1]);
    free(img.data);
}
#endif

/* ------------------------------------------------------------------------- */
/* Limits                                                                     */
/* ------------------------------------------------------------------------- */

static void expect_fail(const struct buf *png, const struct bmx_limits *lim, bmx_status want,
                        const char *words)
{
    struct bmx_image out;
    bmx_error err = {0};
    bmx_status st = bmx_image_decode(png->data, png->len, lim, &out, &err);
    if (st != want || strstr(err.message, words) == NULL) {
        fail_msg("status %d message '%s', want %d and '%s'", (int)st, err.message, (int)want,
                 words);
    }
    assert_null(out.data);
}

/* A header larger than the pixel limit or the side limit is refused from the
 * header (the file holds far too little data for it); a small limit refuses a
 * small image. */
static void test_limits_refuse_oversized_header(void **state)
{
    static const uint8_t raw[4] = {0, 1, 2, 3};
    struct bmx_limits lim;
    (void)state;
    bmx_limits_init(&lim);

    struct buf big = {0};
    start(&big, 20000, 20000, 8, 2); /* 400 Mpx, above the default 179 Mpx */
    idat_stored(&big, raw, sizeof raw);
    chunk(&big, "IEND", NULL, 0);
    expect_fail(&big, &lim, BMX_E_LIMIT, "20000x20000");
    free(big.data);

    struct buf wide = {0};
    start(&wide, 70000, 1, 8, 0); /* one side above 65536 */
    idat_stored(&wide, raw, sizeof raw);
    chunk(&wide, "IEND", NULL, 0);
    expect_fail(&wide, &lim, BMX_E_LIMIT, "side above 65536");
    free(wide.data);

    struct buf small = {0};
    uint8_t *rgb = NULL;
    make_png(10, 10, 8, 2, 3, &small, &rgb);
    lim.max_image_pixels = 99;
    expect_fail(&small, &lim, BMX_E_LIMIT, "exceeds the limit of 99 pixels");
    lim.max_image_pixels = 100;
    struct bmx_image out;
    bmx_error err = {0};
    if (bmx_image_decode(small.data, small.len, &lim, &out, &err) != BMX_OK) {
        fail_msg("10x10 under a limit of 100: %s", err.message);
    }
    bmx_image_free(&out);
    free(rgb);
    free(small.data);
}

#ifdef BMX_HAVE_SPNG
/* The metadata libspng keeps is bounded by the pixel limit (3 bytes a pixel): a
 * text chunk larger than that is refused; the same file decodes under the default
 * limit. */
static void test_limits_bound_metadata(void **state)
{
    struct buf png = {0};
    uint8_t raw[1 + 4 * 3] = {0};
    uint8_t text[400];
    struct bmx_limits lim;
    struct bmx_image out;
    bmx_error err = {0};
    (void)state;
    memcpy(text, "Comment", 8); /* keyword, NUL, then the text */
    memset(text + 8, 'x', sizeof text - 8);
    start(&png, 4, 1, 8, 2);
    chunk(&png, "tEXt", text, sizeof text);
    idat_stored(&png, raw, sizeof raw);
    chunk(&png, "IEND", NULL, 0);
    bmx_limits_init(&lim);
    assert_int_equal(bmx_image_decode(png.data, png.len, &lim, &out, &err), BMX_OK);
    bmx_image_free(&out);
    lim.max_image_pixels = 16; /* 48 bytes of metadata at most */
    assert_int_equal(bmx_image_decode(png.data, png.len, &lim, &out, &err), BMX_E_DECODE);
    assert_null(out.data);
    assert_non_null(strstr(err.message, "PNG"));
    free(png.data);
}


/* libspng checks what stb_image never looked at: a damaged chunk CRC or zlib
 * checksum is refused, naming it, where stb's path decoded the file. */
static void test_checksums_checked(void **state)
{
    struct buf png = {0};
    uint8_t *rgb = NULL;
    struct bmx_image out;
    bmx_error err = {0};
    (void)state;
    make_png(9, 4, 8, 2, 21, &png, &rgb);
    size_t iend = png.len - 12;
    png.data[iend - 1] ^= 0x40; /* the IDAT chunk's CRC */
    assert_int_equal(bmx_image_decode(png.data, png.len, NULL, &out, &err), BMX_E_DECODE);
    assert_non_null(strstr(err.message, "CRC"));
    assert_int_equal(bmx__image_decode_stb(png.data, png.len, NULL, &out, NULL), BMX_OK);
    bmx_image_free(&out);
    png.data[iend - 1] ^= 0x40;
    assert_int_equal(bmx_image_decode(png.data, png.len, NULL, &out, NULL), BMX_OK);
    bmx_image_free(&out);
    free(png.data);
    free(rgb);
}
#endif

/* ------------------------------------------------------------------------- */
/* The committed bad and fuzz PNGs                                            */
/* ------------------------------------------------------------------------- */

static bool read_all(const char *path, struct buf *b)
{
    FILE *f = fopen(path, "rb");
    uint8_t tmp[65536];
    size_t n;
    if (f == NULL) {
        return false;
    }
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        put(b, tmp, n);
    }
    fclose(f);
    return true;
}

/* Every PNG of a folder (and its images/ subfolder), one level of cases deep. */
static void compare_dir(const char *dir, int depth, int *seen)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct buf file = {0};
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (depth > 0) {
            DIR *sub = opendir(path);
            if (sub != NULL) {
                closedir(sub);
                compare_dir(path, depth - 1, seen);
                continue;
            }
        }
        if (!read_all(path, &file) || !bmx__looks_like_png(file.data, file.len)) {
            free(file.data);
            continue;
        }
        struct bmx_limits lim;
        bmx_limits_init(&lim);
        lim.max_image_pixels = (uint64_t)1 << 22; /* as the fuzz target */
        struct bmx_image a;
        struct bmx_image b;
        bmx_error ea = {0};
        bmx_error eb = {0};
        bmx_status sa = bmx_image_decode(file.data, file.len, &lim, &a, &ea);
        bmx_status sb = bmx__image_decode_stb(file.data, file.len, &lim, &b, &eb);
        if ((sa == BMX_OK) != (sb == BMX_OK)) {
            fail_msg("%s: the default decoder says %s (%s), stb's path %s (%s)", path,
                     bmx_strerror(sa), ea.message, bmx_strerror(sb), eb.message);
        }
        if (sa == BMX_OK) {
            assert_int_equal(a.w, b.w);
            assert_int_equal(a.h, b.h);
            if (memcmp(a.data, b.data, a.stride * (size_t)a.h) != 0) {
                fail_msg("%s: pixels differ between the decoders", path);
            }
        } else {
            assert_int_equal(sa, sb);
            assert_true(ea.message[0] != '\0');
        }
        bmx_image_free(&a);
        bmx_image_free(&b);
        free(file.data);
        ++*seen;
    }
    closedir(d);
}

static void test_committed_pngs_same_verdict(void **state)
{
    int seen = 0;
    (void)state;
    compare_dir(BMX_SOURCE_ROOT "/tests/fuzz/corpus/image", 0, &seen);
    compare_dir(BMX_SOURCE_ROOT "/tests/bad", 2, &seen);
    compare_dir(BMX_SOURCE_ROOT "/samples/images", 0, &seen);
    assert_true(seen >= 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_every_colour_type),
        cmocka_unit_test(test_decode_reuses_buffer),
        cmocka_unit_test(test_encode_round_trip),
#ifdef BMX_HAVE_SPNG
        cmocka_unit_test(test_level_changes_size_not_pixels),
        cmocka_unit_test(test_level_out_of_range),
        cmocka_unit_test(test_limits_bound_metadata),
        cmocka_unit_test(test_checksums_checked),
#else
        cmocka_unit_test(test_level_not_used_without_spng),
#endif
        cmocka_unit_test(test_limits_refuse_oversized_header),
        cmocka_unit_test(test_committed_pngs_same_verdict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
