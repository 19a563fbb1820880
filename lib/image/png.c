/* SPDX-License-Identifier: MIT */
/*
 * PNG through libspng (built only when the build has libspng). Decoding: any
 * grey, grey+alpha, RGB, RGBA or palette PNG of any bit depth (1 to 16) into 8-bit
 * RGB in a reused buffer, refused as strictly as the stb path refuses (the same
 * header checks and chunk walk of png_screen.c first), with libspng's own limits
 * set from bmx_limits. Encoding: 1 to 4 channels of 8 bits at a zlib level 0..9.
 */
#include "codec.h"

#include "boxmix.h"
#include "error.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <spng.h>

/* libspng's message, said for a file ("end of buffer" means a file cut short). */
static const char *spng_reason(int r)
{
    if (r == SPNG_EOF) {
        return "the image data ends early (truncated file?)";
    }
    if (r == SPNG_EIDAT_STREAM || r == SPNG_EZLIB) {
        return "corrupt zlib stream in the image data (IDAT)";
    }
    if (r == SPNG_EIDAT_TOO_SHORT) {
        return "the zlib stream of the image data (IDAT) ends early";
    }
    if (r == SPNG_ECHUNK_CRC) {
        return "a chunk's CRC does not match its contents (damaged file)";
    }
    const char *s = spng_strerror(r);
    return s != NULL && s[0] != '\0' ? s : "unknown libspng failure";
}

bmx_status bmx__spng_decode(const uint8_t *buf, size_t len, const struct bmx_limits *limits,
                            uint8_t **pix, size_t *cap, struct bmx_image *out, bmx_error *err)
{
    uint32_t w = 0;
    uint32_t h = 0;
    bool empty_idat = false;
    spng_ctx *ctx = NULL;
    size_t need = 0;
    struct spng_ihdr ihdr;
    int r;
    bmx_status st;

    memset(out, 0, sizeof *out);
    /* The checks of the stb path, in its order, with its messages: the size in the
     * IHDR, the pixel limit, then the chunk walk (a chunk running past the end, no
     * IEND, an unknown critical chunk). Empty IDAT chunks are fine for libspng. */
    if (!bmx__png_header_size(buf, len, &w, &h)) {
        return bmx__fail(err, BMX_E_DECODE, "corrupt PNG: no IHDR chunk after the signature");
    }
    if (w == 0 || h == 0 || w > INT32_MAX || h > INT32_MAX) {
        return bmx__fail(err, BMX_E_DECODE, "corrupt PNG header: size %" PRIu32 "x%" PRIu32, w,
                         h);
    }
    st = bmx__image_check_size(w, h, limits, err);
    if (st == BMX_OK) {
        st = bmx__png_walk(buf, len, &empty_idat, err);
    }
    if (st != BMX_OK) {
        return st;
    }

    ctx = spng_ctx_new(0);
    if (ctx == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "cannot start the PNG decoder");
    }
    /* libspng's limits from ours: no side above what any decoder takes, and the
     * metadata libspng keeps (text, ICC profile, EXIF, inflated where compressed)
     * at most the RGB bytes the pixel limit allows, so that reading a file never
     * takes more than twice what its pixels may; no chunk but IDAT (which libspng
     * streams) longer than that or than the file. */
    uint64_t max_pixels = limits != NULL ? limits->max_image_pixels : BMX__DEFAULT_MAX_PIXELS;
    size_t cache = max_pixels > SIZE_MAX / 3 ? SIZE_MAX : (size_t)max_pixels * 3;
    size_t chunk_max = len < cache ? len : cache;
    if (chunk_max > INT32_MAX) {
        chunk_max = INT32_MAX; /* PNG's own bound on a chunk's length */
    }
    r = spng_set_image_limits(ctx, BMX__IMAGE_MAX_SIDE, BMX__IMAGE_MAX_SIDE);
    if (r == 0) {
        r = spng_set_chunk_limits(ctx, chunk_max, cache);
    }
    if (r == 0) {
        r = spng_set_png_buffer(ctx, buf, len);
    }
    if (r == 0) {
        r = spng_get_ihdr(ctx, &ihdr);
    }
    if (r == 0 && (ihdr.width != w || ihdr.height != h)) {
        r = SPNG_EIHDR_SIZE;
    }
    if (r == 0) {
        r = spng_decoded_image_size(ctx, SPNG_FMT_RGB8, &need);
    }
    if (r != 0) {
        st = bmx__fail(err, r == SPNG_EMEM ? BMX_E_NOMEM : BMX_E_DECODE,
                       "cannot read PNG header: %s", spng_reason(r));
        goto cleanup;
    }
    if (need / 3 / h != w || need > PTRDIFF_MAX) {
        st = bmx__fail(err, BMX_E_OVERFLOW, "image: %" PRIu32 "x%" PRIu32 "x3 bytes is too large",
                       w, h);
        goto cleanup;
    }
    st = bmx__codec_reserve(pix, cap, need, err);
    if (st != BMX_OK) {
        goto cleanup;
    }
    /* No transparency, gamma or sBIT applied, as stb_image: samples as stored,
     * 16-bit ones by their high byte, low bit depths scaled to 0..255, palettes
     * looked up, interlaced images put together. */
    r = spng_decode_image(ctx, *pix, need, SPNG_FMT_RGB8, 0);
    if (r == 0) {
        /* The rest of the file up to IEND: libspng stops once the pixels are
         * complete, before the last IDAT chunk's CRC and what follows it. */
        r = spng_decode_chunks(ctx);
    }
    if (r != 0) {
        st = bmx__fail(err, r == SPNG_EMEM ? BMX_E_NOMEM : BMX_E_DECODE,
                       "cannot decode PNG: %s", spng_reason(r));
        goto cleanup;
    }
    *out = (struct bmx_image){(int32_t)w, (int32_t)h, 3, (size_t)w * 3, *pix};

cleanup:
    spng_ctx_free(ctx);
    return st;
}

/*
 * What each level asks of the encoder. Level 1 is OpenCV's own PNG setting (SUB
 * filter on every row, zlib's run-length strategy), the fastest that stays small
 * on photos; levels 2 to 9 are libpng's defaults (the best of the five filters
 * per row, zlib's strategy for filtered data) at that zlib level; level 0 stores.
 * The figures behind the choice are in the README ("PNG output").
 */
static void level_settings(int level, int *filter, int *strategy)
{
    if (level == 0) {
        *filter = SPNG_FILTER_CHOICE_NONE;
        *strategy = 0; /* Z_DEFAULT_STRATEGY; nothing is compressed at level 0 */
    } else if (level == 1) {
        *filter = SPNG_FILTER_CHOICE_SUB;
        *strategy = 3; /* Z_RLE */
    } else {
        *filter = SPNG_FILTER_CHOICE_ALL;
        *strategy = 1; /* Z_FILTERED */
    }
}

/* libspng's writes, appended to a growing buffer kept from image to image. */
struct sink {
    uint8_t **buf;
    size_t *cap;
    size_t len;
};

static int sink_write(spng_ctx *ctx, void *user, void *src, size_t n)
{
    struct sink *k = user;
    size_t need;
    (void)ctx;
    if (!bmx__add_size(k->len, n, &need)) {
        return SPNG_IO_ERROR;
    }
    if (need > *k->cap) {
        size_t cap = *k->cap < 65536 ? 65536 : *k->cap;
        while (cap < need) {
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        }
        uint8_t *grown = realloc(*k->buf, cap);
        if (grown == NULL) {
            return SPNG_IO_ERROR;
        }
        *k->buf = grown;
        *k->cap = cap;
    }
    memcpy(*k->buf + k->len, src, n);
    k->len = need;
    return 0;
}

bmx_status bmx__spng_encode(const struct bmx_image *img, int level, uint8_t **buf, size_t *cap,
                            size_t *len, bmx_error *err)
{
    static const uint8_t colour[5] = {0, SPNG_COLOR_TYPE_GRAYSCALE,
                                      SPNG_COLOR_TYPE_GRAYSCALE_ALPHA, SPNG_COLOR_TYPE_TRUECOLOR,
                                      SPNG_COLOR_TYPE_TRUECOLOR_ALPHA};
    const size_t row = (size_t)img->w * (size_t)img->channels;
    struct sink sink = {buf, cap, 0};
    spng_ctx *ctx = NULL;
    int filter;
    int strategy;
    int r;
    bmx_status st = BMX_OK;

    *len = 0;
    if (level < 0 || level > 9) {
        return bmx__fail(err, BMX_E_INVALID, "PNG level %d is outside 0..9", level);
    }
    ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    if (ctx == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "cannot start the PNG encoder");
    }
    level_settings(level, &filter, &strategy);
    struct spng_ihdr ihdr = {
        .width = (uint32_t)img->w,
        .height = (uint32_t)img->h,
        .bit_depth = 8,
        .color_type = colour[img->channels],
    };
    /* Written straight into the caller's buffer: no copy, and no fresh memory per
     * image once it has grown (10% of the encoding time on the kit set). */
    r = spng_set_png_stream(ctx, sink_write, &sink);
    if (r == 0) {
        r = spng_set_option(ctx, SPNG_IMG_COMPRESSION_LEVEL, level);
    }
    if (r == 0) {
        r = spng_set_option(ctx, SPNG_IMG_COMPRESSION_STRATEGY, strategy);
    }
    if (r == 0) {
        r = spng_set_option(ctx, SPNG_FILTER_CHOICE, filter);
    }
    if (r == 0) {
        /* zlib's largest blocks: 0.2% smaller on the kit set at level 1, no slower. */
        r = spng_set_option(ctx, SPNG_IMG_MEM_LEVEL, 9);
    }
    if (r == 0) {
        r = spng_set_ihdr(ctx, &ihdr);
    }
    if (r == 0 && img->stride == row) {
        r = spng_encode_image(ctx, img->data, row * (size_t)img->h, SPNG_FMT_PNG,
                              SPNG_ENCODE_FINALIZE);
    } else if (r == 0) {
        /* Padded rows: hand them over one by one. */
        r = spng_encode_image(ctx, NULL, 0, SPNG_FMT_PNG,
                              SPNG_ENCODE_PROGRESSIVE | SPNG_ENCODE_FINALIZE);
        for (int32_t y = 0; r == 0 && y < img->h; y++) {
            r = spng_encode_row(ctx, img->data + (size_t)y * img->stride, row);
        }
        if (r == SPNG_EOI) {
            r = 0;
        }
    }
    if (r != 0) {
        st = bmx__fail(err, r == SPNG_EMEM || r == SPNG_IO_ERROR ? BMX_E_NOMEM : BMX_E_ENCODE,
                       "cannot encode PNG: %s",
                       r == SPNG_IO_ERROR ? "out of memory for the output" : spng_reason(r));
    } else {
        *len = sink.len;
    }
    spng_ctx_free(ctx);
    return st;
}
