/* SPDX-License-Identifier: MIT */
/* Internal: the image codecs (TurboJPEG, libspng, stb), their back ends reachable
 * on their own for tests, codec state a worker keeps from image to image, and what
 * the codec files (codec.c, stb_decode.c, png_screen.c, stb_encode.c, turbojpeg.c,
 * png.c) share with each other. */
#ifndef BMX_CODEC_H
#define BMX_CODEC_H

#include "boxmix.h"

/* Longest side any decoder accepts (stb_image's STBI_MAX_DIMENSIONS is set from it;
 * JPEG cannot go beyond 65535 anyway). Larger sides are refused as BMX_E_LIMIT. */
#define BMX__IMAGE_MAX_SIDE (1 << 16)

/* The PNG zlib level used when none is given (bmx_image_encode, boxmix-draw, the
 * job's default): chosen by measurement, see png.c and the README. */
#define BMX__PNG_LEVEL_DEFAULT 1

/*
 * Decode any supported format with stb_image only (also JPEG, even when the
 * library has TurboJPEG). Same contract as bmx_image_decode.
 */
bmx_status bmx__image_decode_stb(const uint8_t *buf, size_t len, const struct bmx_limits *limits,
                                 struct bmx_image *out, bmx_error *err);

/*
 * Encode with stb_image_write only. JPEG here follows stb's own choice of chroma
 * subsampling (4:2:0 up to quality 90, 4:4:4 above). Same contract as
 * bmx_image_encode.
 */
bmx_status bmx__image_encode_stb(const struct bmx_image *img, enum bmx_format format, int quality,
                                 uint8_t **out, size_t *len, bmx_error *err);

/*
 * Codec state one thread reuses from image to image: the TurboJPEG handles (set up
 * on first use) and the encoders' output buffers, so a long run neither sets up a
 * codec nor allocates and faults in fresh output memory per image. Zero-initialise;
 * bmx__codec_free releases it. Not shared between threads.
 */
struct bmx__codec {
    void *dec;            /* tjhandle */
    void *enc;            /* tjhandle */
    unsigned char *jpeg;  /* tjAlloc'd encoder output */
    size_t jpeg_cap;
    uint8_t *other;       /* the last stb encoding (PNG, or JPEG without TurboJPEG) */
    uint8_t *png;         /* libspng's encoder output (malloc'd, grown as needed) */
    size_t png_cap;
    /* bmx__codec_decode puts JPEG rows where TurboJPEG writes them into the cache
     * (BMX__ROWS_CACHED): for pixels read again soon, as the augment job's are. */
    bool cached_rows;
};

void bmx__codec_free(struct bmx__codec *c);

/* bmx_image_decode into a caller's buffer: *pix (capacity *cap bytes) is used when
 * large enough, else replaced by a larger malloc'd one; `out` borrows it (its data
 * may start past *pix: c->cached_rows). The caller keeps *pix for the next image
 * and frees it at the end. */
bmx_status bmx__codec_decode(struct bmx__codec *c, const uint8_t *buf, size_t len,
                             const struct bmx_limits *limits, uint8_t **pix, size_t *cap,
                             struct bmx_image *out, bmx_error *err);

/* bmx_image_encode without copies: *out points into the codec's buffer and stays
 * valid until its next encode or bmx__codec_free. PNG at zlib level `png_level`
 * (0..9) with libspng; a build without it writes PNG with stb_image_write, whose
 * level is its own, and `png_level` is not used. With png_level
 * BMX__PNG_LEVEL_DEFAULT, the same bytes as bmx_image_encode. */
bmx_status bmx__codec_encode(struct bmx__codec *c, const struct bmx_image *img,
                             enum bmx_format format, int quality, int png_level,
                             const uint8_t **out, size_t *len, bmx_error *err);

/*
 * False when `buf` is a JPEG with a Huffman table stb_image 2.27 would overflow
 * (more than 256 codes); true for everything else. stb_impl.c.
 */
bool bmx__stb_jpeg_tables_ok(const uint8_t *buf, size_t len);

/* BMX_E_LIMIT unless a decoded w x h is within the limits' pixel count (NULL: the
 * default) and BMX__IMAGE_MAX_SIDE. image.c. */
bmx_status bmx__image_check_size(uint64_t w, uint64_t h, const struct bmx_limits *limits,
                                 bmx_error *err);

/* The arguments both encoders share (*out and *len cleared first); also bounds the
 * image to what int-based APIs take. codec.c. */
bmx_status bmx__image_check_encode_args(const struct bmx_image *img, enum bmx_format format,
                                        int quality, uint8_t **out, size_t *len, bmx_error *err);

/* Width and height from the header of any format stb_image reads. stb_decode.c. */
bmx_status bmx__stb_header(const uint8_t *buf, size_t len, int32_t *w, int32_t *h,
                           bmx_error *err);

/*
 * PNG screening (png_screen.c). bmx__png_header_size: the size in a PNG's IHDR,
 * false when `buf` is no PNG with an IHDR first. bmx__png_walk: the chunks walked
 * as stb_image does up to IEND, refusing a chunk that runs past the end of the
 * file, a file without IEND and an unknown critical chunk; *empty_idat tells
 * whether an IDAT chunk is empty. bmx__png_drop_empty_idat: the malloc'd copy of a
 * file bmx__png_walk passed (*copy_len bytes) without its empty IDAT chunks, NULL
 * when out of memory.
 */
bool bmx__png_header_size(const uint8_t *buf, size_t len, uint32_t *w, uint32_t *h);
bmx_status bmx__png_walk(const uint8_t *buf, size_t len, bool *empty_idat, bmx_error *err);
uint8_t *bmx__png_drop_empty_idat(const uint8_t *buf, size_t len, size_t *copy_len);

#ifdef BMX_HAVE_TURBOJPEG
/*
 * The TurboJPEG back end (turbojpeg.c); `tj` is a tjhandle. bmx__turbojpeg_reason:
 * TurboJPEG's message for the last failure of `tj` (NULL: of tjInit*), never
 * empty. bmx__looks_like_jpeg: SOI then the first marker, what TurboJPEG takes.
 * bmx__turbojpeg_decode: decode into *pix (grown to fit; its capacity in *cap),
 * `out` then borrowing *pix: from its start, or with `cached_rows` from the first
 * byte 16 past a multiple of 32 (BMX__ROWS_CACHED). bmx__turbojpeg_encode: encode
 * into *buf (a tjAlloc buffer of *cap bytes, replaced by a larger one when the worst
 * case does not fit).
 *
 * TurboJPEG's AVX2 colour converters write a row that starts on a 32-byte boundary
 * with non-temporal stores, which go around the processor's caches, and any other
 * row with plain stores. Pixels read again at once (composed into an output, then
 * encoded) are then fetched back from memory: 2% of a CutMix run's time on the
 * benchmark set. Rows 16 bytes past a boundary (all of them when the width times 3
 * is a multiple of 32, as for 640 or 4000) stay in the cache.
 */
#define BMX__ROWS_CACHED 16
/* The bytes such a decode takes beyond its pixels: the rows start up to 31 in. */
#define BMX__ROWS_SLACK 32
const char *bmx__turbojpeg_reason(void *tj);
bool bmx__looks_like_jpeg(const uint8_t *buf, size_t len);
bmx_status bmx__turbojpeg_decode(void *tj, const uint8_t *buf, size_t len,
                                 const struct bmx_limits *limits, bool cached_rows,
                                 uint8_t **pix, size_t *cap, struct bmx_image *out,
                                 bmx_error *err);
bmx_status bmx__turbojpeg_encode(void *tj, const struct bmx_image *img, int quality,
                                 unsigned char **buf, size_t *cap, size_t *len, bmx_error *err);
#endif

/* True when `buf` starts with the PNG signature. png_screen.c. */
bool bmx__looks_like_png(const uint8_t *buf, size_t len);

#ifdef BMX_HAVE_SPNG
/*
 * The libspng back end (png.c). bmx__spng_decode: any PNG into 8-bit RGB in *pix
 * (grown to fit; its capacity in *cap), `out` then borrowing *pix; the stb path's
 * checks first (header, limit, chunk walk), then libspng's with its limits set
 * from `limits` (NULL: the defaults). bmx__spng_encode: 1 to 4 channels at zlib
 * level 0..9 into *buf (a malloc'd buffer of *cap bytes, grown as needed), *len
 * bytes long.
 */
bmx_status bmx__spng_decode(const uint8_t *buf, size_t len, const struct bmx_limits *limits,
                            uint8_t **pix, size_t *cap, struct bmx_image *out, bmx_error *err);
bmx_status bmx__spng_encode(const struct bmx_image *img, int level, uint8_t **buf, size_t *cap,
                            size_t *len, bmx_error *err);
#endif

/* Room for `need` bytes in a decoder's reused pixel buffer (*pix, *cap): kept when
 * it is large enough, else replaced by an uncleared one (the decoder writes every
 * byte); BMX_E_NOMEM leaves *pix NULL and *cap 0. */
bmx_status bmx__codec_reserve(uint8_t **pix, size_t *cap, size_t need, bmx_error *err);

#endif
