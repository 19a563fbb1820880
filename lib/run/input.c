/* SPDX-License-Identifier: MIT */
/* A job's input dataset: read as COCO or VOC, its files registered with the
 * input guard, and refused while a boxmix run is still writing it. */
#include "input.h"
#include "journal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bmx_status bmx__guard_input_files(struct bmx__guard *g, const char *annotations, const char *voc,
                                  const char *labels_path, const char *images_root, bmx_error *err)
{
    struct stat sb;
    bool voc_dir = voc != NULL && stat(voc, &sb) == 0 && S_ISDIR(sb.st_mode);
    bmx_status st = bmx__guard_input(g, annotations, false, "the input annotation file", err);
    if (st == BMX_OK) {
        st = bmx__guard_input(g, voc, voc_dir, voc_dir ? "the input VOC folder" : "the input VOC file",
                              err);
    }
    if (st == BMX_OK) {
        st = bmx__guard_input(g, labels_path, false, "the labels file", err);
    }
    if (st == BMX_OK) {
        st = bmx__guard_input(g, images_root, true, "the input image folder", err);
    }
    return st;
}

bmx_status bmx__guard_dataset_out(struct bmx__guard *g, const char *out,
                                  enum bmx_dataset_format format, bmx_error *err)
{
    const bool voc = format == BMX_DATASET_VOC;
    const struct {
        const char *rel;
        bool tree;
        const char *what;
    } items[] = {
        {voc ? "Annotations" : "annotations.json", voc,
         voc ? "the output's Annotations folder" : "the output annotation file"},
        {voc ? "JPEGImages" : "images", true, "the output image folder"},
        {voc ? "ImageSets" : NULL, true, "the output's ImageSets folder"},
        {BMX__JOURNAL_NAME, false, "the output's journal"},
        {".boxmix-lock", false, "the output's lock file"},
    };
    bmx_status st = BMX_OK;
    for (size_t i = 0; i < sizeof items / sizeof items[0] && st == BMX_OK; i++) {
        if (items[i].rel == NULL) {
            continue;
        }
        char *p = bmx__path_join(out, items[i].rel);
        st = p == NULL ? bmx__fail(err, BMX_E_NOMEM, "out of memory")
                       : bmx__guard_output(g, p, items[i].tree, items[i].what, err);
        free(p);
    }
    return st;
}

bmx_status bmx__check_input_finished(const char *annotations, const char *voc, bmx_error *err)
{
    struct stat sb;
    char *dir = NULL;
    if (voc != NULL && stat(voc, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        dir = strdup(voc);
    } else {
        /* A COCO file's folder; a VOC XML's Annotations/ folder's parent. */
        char *d = bmx__dir_of(voc != NULL ? voc : annotations);
        dir = voc != NULL && d != NULL ? bmx__dir_of(d) : d;
        if (dir != d) {
            free(d);
        }
    }
    if (dir == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    bmx_status st = bmx__check_finished(dir, err);
    free(dir);
    return st;
}

bmx_status bmx__read_input(const char *annotations, const char *voc, const char *split,
                           const char *labels_path, const char *images_root,
                           const struct bmx_limits *limits, bmx_dataset **out, bmx_error *err)
{
    bmx_status fst = bmx__check_input_finished(annotations, voc, err);
    if (fst != BMX_OK) {
        return fst;
    }
    if (voc == NULL) {
        return bmx_dataset_read_coco_limited(annotations, limits, out, err);
    }
    struct bmx_labels labels = {0, NULL};
    struct bmx_voc_options vo;
    bmx_voc_options_init(&vo);
    vo.split = split;
    vo.images_dir = images_root;
    vo.limits = *limits;
    if (labels_path != NULL) {
        bmx_status st = bmx_labels_read(labels_path, &labels, err);
        if (st != BMX_OK) {
            return st;
        }
        vo.labels = &labels;
    }
    bmx_status st = bmx_dataset_read_voc(voc, &vo, out, err);
    bmx_labels_free(&labels);
    return st;
}

bmx_status bmx_dataset_read_voc(const char *path, const struct bmx_voc_options *opts,
                                bmx_dataset **out, bmx_error *err)
{
    struct bmx_voc_options o;
    if (opts != NULL) {
        o = *opts;
    } else {
        bmx_voc_options_init(&o);
    }
    /* The formats layer reads no pixels: the size of an image an XML does not
     * record comes from here, the layer that knows the codecs. */
    if (o.image_size == NULL) {
        o.image_size = bmx_image_probe;
    }
    return bmx__voc_read(path, &o, out, err);
}
