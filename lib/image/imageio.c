/* SPDX-License-Identifier: MIT */
/* Reading and writing one image file. */
#include "boxmix.h"
#include "safefs.h"

#include <stdlib.h>

bmx_status bmx_image_read(const char *path, const struct bmx_limits *limits, struct bmx_image *out,
                          bmx_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    bmx_status st = bmx__read_file(path, &buf, &len, err);
    if (st != BMX_OK) {
        return st;
    }
    st = bmx_image_decode((const uint8_t *)buf, len, limits, out, err);
    if (st != BMX_OK) {
        bmx__prefix(err, st, "%s", path);
    }
    free(buf);
    return st;
}

bmx_status bmx_image_write(const char *path, const struct bmx_image *img, enum bmx_format format,
                           int quality, bmx_error *err)
{
    uint8_t *enc = NULL;
    size_t len = 0;
    bmx_status st = bmx_image_encode(img, format, quality, &enc, &len, err);
    if (st != BMX_OK) {
        return bmx__prefix(err, st, "%s", path);
    }
    st = bmx__write_file_atomic(path, enc, len, false, err);
    free(enc);
    return st;
}
