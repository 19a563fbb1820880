/* SPDX-License-Identifier: MIT */
/*
 * Encoding with stb_image_write: PNG, and JPEG when the build has no TurboJPEG,
 * into a growing malloc buffer.
 */
#include "codec.h"

#include "boxmix.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>

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

bmx_status bmx__image_encode_stb(const struct bmx_image *img, enum bmx_format format, int quality,
                                 uint8_t **out, size_t *len, bmx_error *err)
{
    struct membuf mb = {0};
    uint8_t *packed = NULL;
    size_t row;
    int ok;
    bmx_status st;

    st = bmx__image_check_encode_args(img, format, quality, out, len, err);
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
