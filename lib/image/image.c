/*
 * Image codec: decoding (TurboJPEG for JPEG when the build has it, stb_image for
 * everything else and as the fallback), encoding (JPEG, PNG) and a fixed-point
 * bilinear resize whose output is the same bytes on every machine.
 */
#include "codec.h"
#include "pixels.h"

#include "error.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>
#include <stb_image_write.h>

#ifdef BMX_HAVE_TURBOJPEG
#include <turbojpeg.h>
#endif

#define DEFAULT_MAX_PIXELS UINT64_C(178956970)

/* Resize weights: 11 fractional bits per axis, so a 2-D weight has 22. */
#define FRAC_BITS 11
#define FRAC_ONE (1u << FRAC_BITS)

void bmx_limits_init(struct bmx_limits *limits)
{
    if (limits != NULL) {
        limits->max_image_pixels = DEFAULT_MAX_PIXELS;
        limits->max_polygon_vertices = 1000000;
        limits->max_objects_per_image = 100000;
    }
}

bool bmx_have_turbojpeg(void)
{
#ifdef BMX_HAVE_TURBOJPEG
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

bmx_status bmx_image_new(int32_t w, int32_t h, int32_t channels, struct bmx_image *out,
                         bmx_error *err)
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
    out->data = calloc(total, 1);
    if (out->data == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "image: cannot allocate %zu bytes", total);
    }
    out->w = w;
    out->h = h;
    out->channels = channels;
    out->stride = row;
    return BMX_OK;
}

/* A caller's image view must describe memory we can walk row by row. */
static bmx_status check_view(const struct bmx_image *img, bmx_error *err)
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

static uint32_t read_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static bmx_status check_size(uint64_t w, uint64_t h, const struct bmx_limits *limits,
                             bmx_error *err)
{
    uint64_t max = limits != NULL ? limits->max_image_pixels : DEFAULT_MAX_PIXELS;

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

/*
 * The size in a PNG's IHDR, read directly: stb_image's header check tries every
 * format in turn and refuses sizes it would not decode, so a PNG declaring a huge
 * image would come back as "unknown image type" instead of as what it is.
 */
static bool png_header_size(const uint8_t *buf, size_t len, uint32_t *w, uint32_t *h)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    if (len < 24 || memcmp(buf, sig, sizeof sig) != 0 || memcmp(buf + 12, "IHDR", 4) != 0) {
        return false;
    }
    *w = read_be32(buf + 16);
    *h = read_be32(buf + 20);
    return true;
}

/* stb_image's reasons are terse; say what they mean for a file. Never empty: stb
 * 2.27 builds "XXXX PNG chunk not known" from the chunk's type, which is "" when
 * the type starts with a zero byte (png_walk refuses such chunks first). */
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
static bmx_status stb_header(const uint8_t *buf, size_t len, int32_t *w, int32_t *h,
                             bmx_error *err)
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
    if (png_header_size(buf, len, &pw, &ph)) {
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

static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

/* One PNG chunk: its declared data length and its type, at `at`. */
static bool png_chunk_at(const uint8_t *buf, size_t len, size_t at, uint32_t *n, const uint8_t **type)
{
    if (len - at < 12) {
        return false;
    }
    *n = read_be32(buf + at);
    *type = buf + at + 4;
    return true;
}

/* A chunk type for a message: its letters, any other byte as \xNN. */
static const char *png_type_name(const uint8_t *type, char out[17])
{
    size_t o = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c = type[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
            out[o++] = (char)c;
        } else {
            static const char hex[] = "0123456789ABCDEF";
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}

/* A critical chunk (bit 5 of its first byte clear) that stb_image does not know
 * and so refuses. */
static bool png_unknown_critical(const uint8_t *type)
{
    static const char known[][5] = {"IHDR", "PLTE", "IDAT", "IEND", "CgBI"};
    if (type[0] & 0x20) {
        return false;
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (memcmp(type, known[i], 4) == 0) {
            return false;
        }
    }
    return true;
}

/*
 * Walk a PNG's chunks as stb_image does (length, type, data, CRC) up to IEND.
 * stb_image 2.27 grows its IDAT buffer to a chunk's declared length before it
 * reads the data, so a 100-byte file claiming a 2 GB chunk makes it allocate
 * 2 GB: a chunk that runs past the end of the file is refused here first. So are
 * a file without IEND and an unknown critical chunk, which stb refuses too but
 * with a reason made from the chunk's type, empty when the type starts with a
 * zero byte (what it reads past the end of a file cut after a chunk), and kept
 * in one static buffer for every thread. *empty_idat tells whether an IDAT chunk
 * is empty (see png_drop_empty_idat).
 */
static bmx_status png_walk(const uint8_t *buf, size_t len, bool *empty_idat, bmx_error *err)
{
    *empty_idat = false;
    uint32_t n;
    const uint8_t *type;
    char name[17];
    size_t at = 8;
    while (png_chunk_at(buf, len, at, &n, &type)) {
        if (n > len - at - 12) {
            return bmx__fail(err, BMX_E_DECODE,
                             "PNG chunk '%s' at byte %zu claims %" PRIu32
                             " bytes, the file has %zu left: it is truncated or corrupt",
                             png_type_name(type, name), at, n, len - at - 12);
        }
        if (memcmp(type, "IEND", 4) == 0) {
            return BMX_OK;
        }
        if (png_unknown_critical(type)) {
            return bmx__fail(err, BMX_E_DECODE,
                             "PNG: chunk '%s' at byte %zu is of an unknown critical type: the "
                             "file is corrupt or of a PNG extension not read",
                             png_type_name(type, name), at);
        }
        *empty_idat = *empty_idat || (n == 0 && memcmp(type, "IDAT", 4) == 0);
        at += 12 + (size_t)n;
    }
    return bmx__fail(err, BMX_E_DECODE, "PNG: no IEND chunk: file cut short after %zu bytes%s", len,
                     at < len ? " (in a chunk header)" : "");
}

/*
 * stb_image 2.27 computes `NULL + 0` (undefined behaviour) when a PNG's first IDAT
 * chunk is empty. An empty IDAT adds nothing to the compressed stream, so such a
 * PNG decodes the same without it: the malloc'd copy of the file (*copy_len bytes)
 * with every empty IDAT before IEND left out, or NULL when out of memory. Call on
 * a file png_walk passed.
 */
static uint8_t *png_drop_empty_idat(const uint8_t *buf, size_t len, size_t *copy_len)
{
    uint8_t *c = malloc(len);
    if (c == NULL) {
        return NULL;
    }
    memcpy(c, buf, 8);
    size_t o = 8;
    size_t at = 8;
    uint32_t n;
    const uint8_t *type;
    while (png_chunk_at(buf, len, at, &n, &type) && memcmp(type, "IEND", 4) != 0) {
        size_t whole = 12 + (size_t)n;
        if (n != 0 || memcmp(type, "IDAT", 4) != 0) {
            memcpy(c + o, buf + at, whole);
            o += whole;
        }
        at += whole;
    }
    memcpy(c + o, buf + at, len - at);
    *copy_len = o + (len - at);
    return c;
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
    st = stb_header(buf, len, &w, &h, err);
    if (st == BMX_OK) {
        st = check_size((uint64_t)w, (uint64_t)h, limits, err);
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
    if (len >= 8 && memcmp(buf, png_sig, sizeof png_sig) == 0) {
        bool empty_idat;
        st = png_walk(buf, len, &empty_idat, err);
        if (st != BMX_OK) {
            return st;
        }
        if (empty_idat) {
            clean = png_drop_empty_idat(buf, len, &clean_len);
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

#ifdef BMX_HAVE_TURBOJPEG

/* TurboJPEG's message for the last failure of `tj` (NULL: of tjInit*), never empty. */
static const char *tj_reason(tjhandle tj)
{
    const char *r = tjGetErrorStr2(tj);
    return r != NULL && r[0] != '\0' ? r : "unknown TurboJPEG failure";
}

/* SOI then the first marker: what TurboJPEG takes; everything else goes to stb. */
static bool looks_like_jpeg(const uint8_t *buf, size_t len)
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
static bmx_status decode_turbojpeg(tjhandle tj, const uint8_t *buf, size_t len,
                                   const struct bmx_limits *limits, uint8_t **pix, size_t *cap,
                                   struct bmx_image *out, bmx_error *err)
{
    uint8_t *cmyk = NULL;
    /* TurboJPEG 2.1 can report success on a header cut short without setting these. */
    int w = 0;
    int h = 0;
    int subsamp = -1;
    int colorspace = -1;
    int flags = TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING;
    bool is_cmyk;
    size_t need;
    bmx_status st = BMX_OK;

#ifdef TJFLAG_LIMITSCANS
    /* A progressive JPEG with thousands of scans is a known decoder DoS. */
    flags |= TJFLAG_LIMITSCANS;
#endif
    if (len > ULONG_MAX) {
        return bmx__fail(err, BMX_E_LIMIT, "encoded image of %zu bytes is too large", len);
    }
    if (tjDecompressHeader3(tj, buf, (unsigned long)len, &w, &h, &subsamp, &colorspace) != 0) {
        st = bmx__fail(err, BMX_E_DECODE, "cannot read JPEG header: %s", tj_reason(tj));
        goto cleanup;
    }
    if (w <= 0 || h <= 0) {
        st = bmx__fail(err, BMX_E_DECODE, "cannot read JPEG header: truncated or corrupt");
        goto cleanup;
    }
    st = check_size((uint64_t)w, (uint64_t)h, limits, err);
    if (st != BMX_OK) {
        goto cleanup;
    }
    if (!bmx__mul_size((size_t)w * 3, (size_t)h, &need) || need > PTRDIFF_MAX) {
        st = bmx__fail(err, BMX_E_OVERFLOW, "image: %dx%dx3 bytes is too large", w, h);
        goto cleanup;
    }
    if (*pix == NULL || *cap < need) {
        /* Every byte is written by the decoder: no need to clear them. */
        free(*pix);
        *cap = 0;
        *pix = malloc(need);
        if (*pix == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "image: cannot allocate %zu bytes", need);
            goto cleanup;
        }
        *cap = need;
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
    if (tjDecompress2(tj, buf, (unsigned long)len, is_cmyk ? cmyk : *pix, w,
                      is_cmyk ? w * 4 : w * 3, h, is_cmyk ? TJPF_CMYK : TJPF_RGB,
                      flags) != 0) {
        /* Warnings are refused too: a damaged JPEG must not become a silently grey one. */
        if (tjGetErrorCode(tj) == TJERR_WARNING) {
            st = bmx__fail(err, BMX_E_DECODE, "refusing damaged JPEG: %s", tj_reason(tj));
        } else {
            st = bmx__fail(err, BMX_E_DECODE, "cannot decode JPEG: %s", tj_reason(tj));
        }
        goto cleanup;
    }
    if (is_cmyk) {
        cmyk_to_rgb(cmyk, *pix, (size_t)w * (size_t)h);
    }
    *out = (struct bmx_image){w, h, 3, (size_t)w * 3, *pix};

cleanup:
    free(cmyk);
    return st;
}

#endif /* BMX_HAVE_TURBOJPEG */

/* Decode into *pix (grown to fit, capacity *cap), with the codec's reused handle. */
static bmx_status decode_into(struct bmx__codec *c, const uint8_t *buf, size_t len,
                              const struct bmx_limits *limits, uint8_t **pix, size_t *cap,
                              struct bmx_image *out, bmx_error *err)
{
    memset(out, 0, sizeof *out);
#ifdef BMX_HAVE_TURBOJPEG
    if (looks_like_jpeg(buf, len)) {
        if (c->dec == NULL) {
            c->dec = tjInitDecompress();
            if (c->dec == NULL) {
                return bmx__fail(err, BMX_E_NOMEM, "cannot start the JPEG decoder: %s",
                                 tj_reason(NULL));
            }
        }
        bmx_status st = decode_turbojpeg(c->dec, buf, len, limits, pix, cap, out, err);
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
    if (looks_like_jpeg(buf, len)) {
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
                             tj_reason(NULL));
        }
        if (tjDecompressHeader3(tj, buf, (unsigned long)len, &jw, &jh, &subsamp, &colorspace) !=
            0) {
            st = bmx__fail(err, BMX_E_DECODE, "cannot read JPEG header: %s", tj_reason(tj));
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
    return stb_header(buf, len, w, h, err);
}

/* A growing malloc buffer that stb_image_write appends to. */
struct membuf {
    uint8_t *data;
    size_t len;
    size_t cap;
    bool failed;
};

static void membuf_write(void *context, void *data, int size)
{
    struct membuf *mb = context;
    size_t need;

    if (mb->failed || size <= 0) {
        return;
    }
    if (!bmx__add_size(mb->len, (size_t)size, &need)) {
        mb->failed = true;
        return;
    }
    if (need > mb->cap) {
        size_t cap = mb->cap < 4096 ? 4096 : mb->cap;
        uint8_t *grown;
        while (cap < need) {
            if (cap > SIZE_MAX / 2) {
                cap = need;
                break;
            }
            cap *= 2;
        }
        grown = realloc(mb->data, cap);
        if (grown == NULL) {
            mb->failed = true;
            return;
        }
        mb->data = grown;
        mb->cap = cap;
    }
    memcpy(mb->data + mb->len, data, (size_t)size);
    mb->len = need;
}

/* Arguments both encoders share; also bounds the image to what int-based APIs take. */
static bmx_status check_encode_args(const struct bmx_image *img, enum bmx_format format,
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
    st = check_view(img, err);
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

bmx_status bmx__image_encode_stb(const struct bmx_image *img, enum bmx_format format, int quality,
                                 uint8_t **out, size_t *len, bmx_error *err)
{
    struct membuf mb = {0};
    uint8_t *packed = NULL;
    size_t row;
    int ok;
    bmx_status st;

    st = check_encode_args(img, format, quality, out, len, err);
    if (st != BMX_OK) {
        return st;
    }
    row = (size_t)img->w * (size_t)img->channels;
    if (format == BMX_FORMAT_PNG) {
        ok = stbi_write_png_to_func(membuf_write, &mb, img->w, img->h, img->channels, img->data,
                                    (int)img->stride);
    } else {
        const uint8_t *src = img->data;
        /* stb's JPEG writer has no stride parameter. */
        if (img->stride != row) {
            packed = bmx__alloc_array(row, (size_t)img->h);
            if (packed == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "cannot allocate %zu-byte rows for encoding", row);
                goto cleanup;
            }
            for (int32_t y = 0; y < img->h; y++) {
                memcpy(packed + (size_t)y * row, img->data + (size_t)y * img->stride, row);
            }
            src = packed;
        }
        ok = stbi_write_jpg_to_func(membuf_write, &mb, img->w, img->h, img->channels, src,
                                    quality);
    }
    if (mb.failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory while encoding");
        goto cleanup;
    }
    if (!ok || mb.len == 0) {
        st = bmx__fail(err, BMX_E_ENCODE, "stb_image_write could not encode the %s image",
                       format == BMX_FORMAT_PNG ? "PNG" : "JPEG");
        goto cleanup;
    }
    *out = mb.data;
    *len = mb.len;
    mb.data = NULL;

cleanup:
    free(mb.data);
    free(packed);
    return st;
}

#ifdef BMX_HAVE_TURBOJPEG

/* Encode with the handle `tj` into *buf (a tjAlloc buffer of *cap bytes, replaced
 * by a larger one when the worst case for this image does not fit). */
static bmx_status encode_turbojpeg(tjhandle tj, const struct bmx_image *img, int quality,
                                   unsigned char **buf, size_t *cap, size_t *len, bmx_error *err)
{
    bool grey = img->channels == 1;
    int samp = grey ? TJSAMP_GRAY : TJSAMP_420;
    unsigned long bound = tjBufSize(img->w, img->h, samp);

    if (bound == (unsigned long)-1) {
        return bmx__fail(err, BMX_E_ENCODE, "cannot encode JPEG: %s", tj_reason(tj));
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
        return bmx__fail(err, BMX_E_ENCODE, "cannot encode JPEG: %s", tj_reason(tj));
    }
    *len = jpeg_len;
    return BMX_OK;
}

#endif /* BMX_HAVE_TURBOJPEG */

bmx_status bmx__codec_encode(struct bmx__codec *c, const struct bmx_image *img,
                             enum bmx_format format, int quality, const uint8_t **out,
                             size_t *len, bmx_error *err)
{
    uint8_t *data = NULL;
    if (c == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "image encode: NULL argument");
    }
    *out = NULL;
    bmx_status st = check_encode_args(img, format, quality, &data, len, err);
    if (st != BMX_OK) {
        return st;
    }
#ifdef BMX_HAVE_TURBOJPEG
    if (format == BMX_FORMAT_JPEG) {
        if (c->enc == NULL) {
            c->enc = tjInitCompress();
            if (c->enc == NULL) {
                return bmx__fail(err, BMX_E_NOMEM, "cannot start the JPEG encoder: %s",
                                 tj_reason(NULL));
            }
        }
        st = encode_turbojpeg(c->enc, img, quality, &c->jpeg, &c->jpeg_cap, len, err);
        if (st != BMX_OK) {
            tjDestroy(c->enc);
            c->enc = NULL;
            return st;
        }
        *out = c->jpeg;
        return BMX_OK;
    }
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
    bmx_status st = bmx__codec_encode(&c, img, format, quality, &enc, &n, err);
    if (st == BMX_OK) {
        if (enc == c.other) {
            /* stb's buffer is malloc'd already: hand it over. */
            *out = c.other;
            c.other = NULL;
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

/* Where output sample `dst` of one axis reads from the input. */
struct axis_tap {
    size_t i0, i1; /* input indices (scaled to bytes by the caller) */
    uint32_t f;    /* weight of i1 in FRAC_ONE units; i0 gets FRAC_ONE - f */
};

/*
 * src = (dst + 0.5) * n_in / n_out - 0.5, clamped to [0, n_in - 1], computed as the
 * exact fraction ((2 dst + 1) n_in - n_out) / (2 n_out) and only then rounded to
 * FRAC_BITS: integer arithmetic, so every machine agrees. All terms fit int64:
 * (2 dst + 1) < 2^32 and n_in < 2^31.
 */
static struct axis_tap axis_map(int32_t n_in, int32_t n_out, int32_t dst)
{
    struct axis_tap t = {0, 0, 0};
    int64_t den = 2 * (int64_t)n_out;
    int64_t num = (2 * (int64_t)dst + 1) * n_in - n_out;
    int64_t ip;
    int64_t rem;

    if (num <= 0) {
        return t;
    }
    ip = num / den;
    rem = num % den;
    if (ip >= (int64_t)n_in - 1) {
        t.i0 = t.i1 = (size_t)n_in - 1;
        return t;
    }
    t.i0 = (size_t)ip;
    t.i1 = (size_t)ip + 1;
    t.f = (uint32_t)((rem * FRAC_ONE + den / 2) / den);
    return t;
}

/* Fill the pixels of `r` (a rectangle of the w x h output) of the bilinear resize
 * of `in` into `dst`, an image of w x h. Only what is asked is computed, so CutMix
 * resizes just the patch of a source of another size. */
bmx_status bmx__image_resize_rect(const struct bmx_image *in, int32_t w, int32_t h,
                                  struct bmx_rect r, struct bmx_image *dst, bmx_error *err)
{
    size_t c = (size_t)in->channels;
    if (r.w <= 0 || r.h <= 0) {
        return BMX_OK;
    }
    if (w == in->w && h == in->h) {
        for (int32_t y = r.y; y < r.y + r.h; y++) {
            memcpy(dst->data + (size_t)y * dst->stride + (size_t)r.x * c,
                   in->data + (size_t)y * in->stride + (size_t)r.x * c, (size_t)r.w * c);
        }
        return BMX_OK;
    }
    /* Separable: each input row the patch needs is interpolated along x once (kept
     * unrounded, as 2^11-scaled sums) and every output row blends two of them. The
     * arithmetic is the same as blending the four taps per pixel, so are the bytes. */
    size_t n = (size_t)r.w * c;
    struct axis_tap *xs = bmx__alloc_array((size_t)r.w, sizeof *xs);
    uint32_t *rows = bmx__alloc_array(n, 2 * sizeof *rows);
    bmx_status st = BMX_OK;
    if (xs == NULL || rows == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "image resize: cannot allocate %" PRId32 " taps", r.w);
        goto cleanup;
    }
    for (int32_t x = 0; x < r.w; x++) {
        xs[x] = axis_map(in->w, w, r.x + x);
        xs[x].i0 *= c;
        xs[x].i1 *= c;
    }
    uint32_t *slot[2] = {rows, rows + n};
    size_t held[2] = {SIZE_MAX, SIZE_MAX}; /* input row in each slot */
    for (int32_t y = r.y; y < r.y + r.h; y++) {
        struct axis_tap ty = axis_map(in->h, h, y);
        const size_t want[2] = {ty.i0, ty.i1};
        const uint32_t *line[2];
        for (int k2 = 0; k2 < 2; k2++) {
            int s2 = held[0] == want[k2] ? 0 : held[1] == want[k2] ? 1 : -1;
            if (s2 < 0) {
                /* Never evict the other row this output row needs. */
                s2 = held[0] == want[1 - k2] ? 1 : 0;
                const uint8_t *src = in->data + want[k2] * in->stride;
                uint32_t *o = slot[s2];
                if (c == 3) {
                    /* RGB, the common case, unrolled. */
                    for (int32_t x = 0; x < r.w; x++, o += 3) {
                        const uint8_t *p0 = src + xs[x].i0;
                        const uint8_t *p1 = src + xs[x].i1;
                        const uint32_t wx1 = xs[x].f;
                        const uint32_t wx0 = FRAC_ONE - wx1;
                        o[0] = p0[0] * wx0 + p1[0] * wx1;
                        o[1] = p0[1] * wx0 + p1[1] * wx1;
                        o[2] = p0[2] * wx0 + p1[2] * wx1;
                    }
                } else {
                    for (int32_t x = 0; x < r.w; x++) {
                        const struct axis_tap *tx = &xs[x];
                        uint32_t wx1 = tx->f;
                        uint32_t wx0 = FRAC_ONE - wx1;
                        for (size_t k = 0; k < c; k++) {
                            *o++ = src[tx->i0 + k] * wx0 + src[tx->i1 + k] * wx1;
                        }
                    }
                }
                held[s2] = want[k2];
            }
            line[k2] = slot[s2];
        }
        const uint32_t wy1 = ty.f;
        const uint32_t wy0 = FRAC_ONE - wy1;
        uint8_t *d = dst->data + (size_t)y * dst->stride + (size_t)r.x * c;
        for (size_t q = 0; q < n; q++) {
            /* top, bottom <= 255 * 2^11; the sum below stays under 2^30 + 2^21. */
            d[q] = (uint8_t)((line[0][q] * wy0 + line[1][q] * wy1 +
                              (1u << (2 * FRAC_BITS - 1))) >> (2 * FRAC_BITS));
        }
    }

cleanup:
    free(rows);
    free(xs);
    return st;
}

bmx_status bmx__image_paste(const struct bmx_image *a, const struct bmx_image *b,
                            struct bmx_rect r, struct bmx_image *dst, bmx_error *err)
{
    const size_t c = (size_t)a->channels;
    const size_t row = (size_t)a->w * c;
    for (int32_t y = 0; y < a->h; y++) {
        const uint8_t *s = a->data + (size_t)y * a->stride;
        uint8_t *d = dst->data + (size_t)y * dst->stride;
        if (y < r.y || y >= r.y + r.h || r.w <= 0) {
            memcpy(d, s, row);
        } else {
            /* The patch's own bytes come from B below. */
            size_t left = (size_t)r.x * c;
            size_t right = (size_t)(r.x + r.w) * c;
            memcpy(d, s, left);
            memcpy(d + right, s + right, row - right);
        }
    }
    return bmx__image_resize_rect(b, a->w, a->h, r, dst, err);
}

bmx_status bmx_image_resize(const struct bmx_image *in, int32_t w, int32_t h,
                            struct bmx_image *out, bmx_error *err)
{
    struct bmx_image img = {0};
    bmx_status st;

    if (out == NULL || out == in) {
        return bmx__fail(err, BMX_E_INVALID, "image resize: output missing or same as input");
    }
    memset(out, 0, sizeof *out);
    st = check_view(in, err);
    if (st != BMX_OK) {
        return st;
    }
    st = bmx_image_new(w, h, in->channels, &img, err);
    if (st != BMX_OK) {
        return st;
    }
    st = bmx__image_resize_rect(in, w, h, (struct bmx_rect){0, 0, w, h}, &img, err);
    if (st != BMX_OK) {
        bmx_image_free(&img);
        return st;
    }
    *out = img;
    return BMX_OK;
}
