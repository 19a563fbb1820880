/*
 * The one translation unit that compiles stb_image and stb_image_write (Debian's
 * libstb-dev headers). Keeping the implementations here lets boxmix choose the
 * formats, the dimension limit and the memory functions, and keeps stb's warnings
 * out of the rest of the build.
 */
#include "image.h"

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
 * is far more likely a corrupt header than a real image (see image.h). The
 * pixel-count limit of struct bmx_limits is checked separately, before decoding.
 */
#define STBI_MAX_DIMENSIONS BMX__IMAGE_MAX_SIDE
/* Pixels handed to the caller are released with free() (bmx_image_free). */
#define STBI_MALLOC(sz) malloc(sz)
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
