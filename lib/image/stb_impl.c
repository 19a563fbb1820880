/* SPDX-License-Identifier: MIT */
/*
 * The one translation unit that compiles stb_image and stb_image_write (Debian's
 * libstb-dev headers). Keeping the implementations here lets boxmix choose the
 * formats, the dimension limit and the memory functions, and keeps stb's warnings
 * out of the rest of the build.
 */
#include "codec.h"
#include "pixels.h"

/* Formats boxmix reads; everything else (PSD, HDR, PIC) is left out. */
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_ONLY_TGA
#define STBI_ONLY_GIF
#define STBI_ONLY_PNM
#define STBI_NO_HDR
#define STBI_NO_LINEAR
/* Images come from memory only; the library never opens files through stb. */
#define STBI_NO_STDIO
#define STBI_WRITE_NO_STDIO
/*
 * Per-side limit: JPEG cannot exceed 65535, and a larger side in any other format
 * is far more likely a corrupt header than a real image (see codec.h). The
 * pixel-count limit of struct bmx_limits is checked separately, before decoding.
 */
#define STBI_MAX_DIMENSIONS BMX__IMAGE_MAX_SIDE
/* Pixels handed to the caller are released with free() (bmx_image_free).
 * Zeroed: stb_image 2.27's JPEG decoder reads Huffman tables a file never
 * defines from its uninitialised state (stb 2.28 clears it); zeroed, such a table
 * decodes as garbage instead of steering reads out of bounds. */
#define STBI_MALLOC(sz) calloc(1, sz)
#define STBI_REALLOC(p, newsz) realloc(p, newsz)
#define STBI_FREE(p) free(p)
#define STBIW_MALLOC(sz) malloc(sz)
#define STBIW_REALLOC(p, newsz) realloc(p, newsz)
#define STBIW_FREE(p) free(p)

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION

#include <stdlib.h>

/*
 * stb lets signed ints overflow in places (the JPEG writer's bit buffer shifts into
 * the sign bit) and assumes they wrap. GCC: make that so with -fwrapv for this file,
 * which also keeps UBSan quiet here. Clang: switch off those two UBSan checks for
 * this file. Our own files keep every check.
 */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("signed-integer-overflow", "shift"))), \
                             apply_to = function)
#elif defined(__GNUC__)
#pragma GCC optimize("wrapv")
#endif

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wall"
#pragma GCC diagnostic ignored "-Wextra"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wtype-limits"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wfloat-conversion"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#endif

#include <stb_image.h>
#include <stb_image_write.h>

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#if defined(__clang__)
#pragma clang attribute pop
#endif

/* ---- checks for stb_image 2.27 defects, run before stb sees a file ---- */

/* Byte p of buf, 0 past the end (as stb_image reads). */
static unsigned byte_at(const uint8_t *buf, size_t len, size_t p)
{
    return p < len ? buf[p] : 0;
}

/*
 * Walk the JPEG segments the way stb_image finds them (skipping stray bytes and
 * fill 0xFFs between segments, and entropy-coded data up to the next marker that
 * is not a stuffed zero or a restart) and check every table of every DHT
 * segment: stb 2.27 trusts the 16 code counts, and more than 256 codes overflow
 * its fixed tables (stb 2.28 refuses them). stb visits a subset of these
 * segments, so a file that passes is safe for it.
 */
bool bmx__stb_jpeg_tables_ok(const uint8_t *buf, size_t len)
{
    /* stb takes any number of 0xFF before the SOI code, as before every marker */
    size_t p = 0;
    while (p < len && buf[p] == 0xFF) {
        p++;
    }
    if (p == 0 || p >= len || buf[p] != 0xD8) {
        return true; /* not a JPEG */
    }
    p++;
    bool in_scan = false;
    while (p < len) {
        if (buf[p] != 0xFF) {
            p++;
            continue;
        }
        while (p < len && buf[p] == 0xFF) {
            p++;
        }
        if (p >= len) {
            break;
        }
        unsigned code = buf[p++];
        if (in_scan && (code == 0x00 || (code >= 0xD0 && code <= 0xD7))) {
            continue; /* stuffed zero or restart: still entropy-coded data */
        }
        in_scan = false;
        if (code == 0x00 || code == 0x01 || code == 0xD8 || code == 0xD9 ||
            (code >= 0xD0 && code <= 0xD7)) {
            continue; /* markers without a length */
        }
        size_t seg = (size_t)byte_at(buf, len, p) << 8 | byte_at(buf, len, p + 1);
        if (seg < 2) {
            break; /* stb refuses the segment and stops */
        }
        if (code == 0xC4) {
            /* as stb: tables while the declared length lasts */
            long left = (long)seg - 2;
            size_t q = p + 2;
            while (left > 0) {
                unsigned tc = byte_at(buf, len, q) >> 4;
                unsigned th = byte_at(buf, len, q) & 15;
                if (tc > 1 || th > 3) {
                    break; /* stb refuses the segment */
                }
                size_t n = 0;
                for (size_t i = 0; i < 16; i++) {
                    n += byte_at(buf, len, q + 1 + i);
                }
                if (n > 256) {
                    return false;
                }
                q += 17 + n;
                left -= 17 + (long)n;
                if (q >= len) {
                    break;
                }
            }
        }
        p += seg;
        in_scan = code == 0xDA;
    }
    return true;
}
