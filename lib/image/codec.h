/* Internal: the image codecs (TurboJPEG, stb), their two back ends reachable on
 * their own for tests, and codec state a worker keeps from image to image. */
#ifndef BMX_CODEC_H
#define BMX_CODEC_H

#include "boxmix.h"

/* Longest side any decoder accepts (stb_image's STBI_MAX_DIMENSIONS is set from it;
 * JPEG cannot go beyond 65535 anyway). Larger sides are refused as BMX_E_LIMIT. */
#define BMX__IMAGE_MAX_SIDE (1 << 16)

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
 * on first use) and the encoder's output buffer, so a long run neither sets up a
 * codec nor allocates and faults in fresh output memory per image. Zero-initialise;
 * bmx__codec_free releases it. Not shared between threads.
 */
struct bmx__codec {
    void *dec;            /* tjhandle */
    void *enc;            /* tjhandle */
    unsigned char *jpeg;  /* tjAlloc'd encoder output */
    size_t jpeg_cap;
    uint8_t *other;       /* the last stb encoding (PNG, or JPEG without TurboJPEG) */
};

void bmx__codec_free(struct bmx__codec *c);

/* bmx_image_decode into a caller's buffer: *pix (capacity *cap bytes) is used when
 * large enough, else replaced by a larger malloc'd one; `out` borrows it. The
 * caller keeps *pix for the next image and frees it at the end. */
bmx_status bmx__codec_decode(struct bmx__codec *c, const uint8_t *buf, size_t len,
                             const struct bmx_limits *limits, uint8_t **pix, size_t *cap,
                             struct bmx_image *out, bmx_error *err);

/* bmx_image_encode without copies: *out points into the codec's buffer and stays
 * valid until its next encode or bmx__codec_free. Same bytes as bmx_image_encode. */
bmx_status bmx__codec_encode(struct bmx__codec *c, const struct bmx_image *img,
                             enum bmx_format format, int quality, const uint8_t **out,
                             size_t *len, bmx_error *err);

/*
 * False when `buf` is a JPEG with a Huffman table stb_image 2.27 would overflow
 * (more than 256 codes); true for everything else. stb_impl.c.
 */
bool bmx__stb_jpeg_tables_ok(const uint8_t *buf, size_t len);

#endif
