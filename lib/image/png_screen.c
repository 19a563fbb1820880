/* SPDX-License-Identifier: MIT */
/*
 * PNG screening before stb_image sees a file: the size in the IHDR read directly,
 * a walk over the chunks that refuses what stb_image 2.27 would mishandle (a chunk
 * running past the end of the file, no IEND, an unknown critical chunk), and the
 * copy of a file without its empty IDAT chunks.
 */
#include "codec.h"

#include "boxmix.h"
#include "error.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static uint32_t read_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

bool bmx__looks_like_png(const uint8_t *buf, size_t len)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    return len >= sizeof sig && memcmp(buf, sig, sizeof sig) == 0;
}

/*
 * The size in a PNG's IHDR, read directly: stb_image's header check tries every
 * format in turn and refuses sizes it would not decode, so a PNG declaring a huge
 * image would come back as "unknown image type" instead of as what it is.
 */
bool bmx__png_header_size(const uint8_t *buf, size_t len, uint32_t *w, uint32_t *h)
{
    if (len < 24 || !bmx__looks_like_png(buf, len) || memcmp(buf + 12, "IHDR", 4) != 0) {
        return false;
    }
    *w = read_be32(buf + 16);
    *h = read_be32(buf + 20);
    return true;
}

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
 * is empty (see bmx__png_drop_empty_idat).
 */
bmx_status bmx__png_walk(const uint8_t *buf, size_t len, bool *empty_idat, bmx_error *err)
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
 * a file bmx__png_walk passed.
 */
uint8_t *bmx__png_drop_empty_idat(const uint8_t *buf, size_t len, size_t *copy_len)
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
