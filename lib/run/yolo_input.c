/* SPDX-License-Identifier: MIT */
/* The public YOLO reader: lib/formats reads the files, and the size of each image
 * (YOLO files record none) comes from here, the layer that knows the codecs. */
#include "sized.h"
#include "yolo.h"

#include <stdlib.h>
#include <string.h>

/* The caller's options read up to their size, the header reader defaulted. */
static bmx_status read_opts(const struct bmx_yolo_options *opts, struct bmx_yolo_options *o,
                            bmx_error *err)
{
    bmx_yolo_options_init(o);
    if (opts != NULL) {
        bmx_status st = bmx__sized_read(o, sizeof *o, opts, "struct bmx_yolo_options", err);
        if (st != BMX_OK) {
            return st;
        }
    }
    if (o->image_size == NULL) {
        o->image_size = bmx_image_probe;
    }
    return BMX_OK;
}

bmx_status bmx_dataset_read_yolo(const char *path, const struct bmx_yolo_options *opts,
                                 bmx_dataset **out, struct bmx_yolo_read_summary *summary,
                                 bmx_error *err)
{
    struct bmx_yolo_options o;
    if (path == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "read YOLO: NULL argument");
    }
    *out = NULL;
    bmx_status st = read_opts(opts, &o, err);
    return st != BMX_OK ? st : bmx__yolo_read(path, &o, NULL, NULL, out, summary, err);
}

bmx_status bmx_yolo_images_root(const char *path, const struct bmx_yolo_options *opts, char **out,
                                bmx_error *err)
{
    struct bmx_yolo_options o;
    struct bmx__yolo_layout l;
    if (path == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "YOLO images root: NULL argument");
    }
    *out = NULL;
    bmx_status st = read_opts(opts, &o, err);
    if (st == BMX_OK) {
        st = bmx__yolo_layout(path, o.split, o.names, o.allow_outside, NULL, NULL, &l, err);
    }
    if (st == BMX_OK) {
        *out = l.root;
        l.root = NULL;
        bmx__yolo_layout_free(&l);
    }
    return st;
}
