/* SPDX-License-Identifier: MIT */
/* The operations on samples (CutMix at (seed, index)) and the dataset builder, for
 * the package's boxmix.cutmix and boxmix.write_coco. The GIL is released around
 * every call that mixes, encodes or writes. */
#include "bmxpy.h"

#include <stdlib.h>
#include <string.h>

/* The options tuple the package passes: (alpha, use_ratio, ratio_lo, ratio_hi,
 * placement, tries, min_visibility, min_area, min_size, mask_format). */
static int cutmix_options(PyObject *t, struct bmx_cutmix_options *o)
{
    int use_ratio, placement, tries, mask_format;
    bmx_cutmix_options_init(o);
    if (!PyArg_ParseTuple(t, "dpddiidddi;cutmix options", &o->alpha, &use_ratio, &o->ratio_lo,
                          &o->ratio_hi, &placement, &tries, &o->min_visibility, &o->min_area,
                          &o->min_size, &mask_format)) {
        return -1;
    }
    o->mode = use_ratio ? BMX_PATCH_RATIO : BMX_PATCH_BETA;
    o->placement = (enum bmx_placement)placement;
    o->tries = tries;
    o->mask_format = (enum bmx_mask_format)mask_format;
    bmx_error err = {BMX_OK, ""};
    if (bmx_cutmix_options_check(o, &err) != BMX_OK) {
        PyErr_SetString(PyExc_ValueError, err.message);
        return -1;
    }
    return 0;
}

PyObject *bmxpy_cutmix(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *pa, *pb, *opts_t;
    bmxpy_Objects *oa, *ob;
    unsigned long long seed, index;
    if (!PyArg_ParseTuple(args, "OO!OO!KKO!", &pa, &bmxpy_ObjectsType, &oa, &pb,
                          &bmxpy_ObjectsType, &ob, &seed, &index, &PyTuple_Type, &opts_t)) {
        return NULL;
    }
    struct bmx_cutmix_options o;
    if (cutmix_options(opts_t, &o) < 0) {
        return NULL;
    }
    struct bmx_sample a = {{0}, oa->n, oa->objs}, b = {{0}, ob->n, ob->objs};
    if (bmxpy_image_view(pa, "base image", &a.image) < 0 ||
        bmxpy_image_view(pb, "source image", &b.image) < 0) {
        return NULL;
    }
    if (a.image.w != oa->info->width || a.image.h != oa->info->height ||
        b.image.w != ob->info->width || b.image.h != ob->info->height) {
        PyErr_SetString(PyExc_ValueError, "a sample's image is not the size its record says");
        return NULL;
    }
    struct bmx_sample out = {0};
    struct bmx_patch patch;
    bmx_error err = {BMX_OK, ""};
    bmx_status st;
    Py_BEGIN_ALLOW_THREADS
    st = bmx_cutmix_at(&o, &a, &b, seed, index, &out, &patch, NULL, &err);
    Py_END_ALLOW_THREADS
    if (st != BMX_OK) {
        return bmxpy_raise(&err);
    }
    char *rec = NULL;
    size_t rec_len = 0;
    if (bmx_cutmix_record_to_json(oa->info, ob->info, &patch, seed, index, &rec, &rec_len, &err) !=
        BMX_OK) {
        bmx_sample_free(&out);
        return bmxpy_raise(&err);
    }
    PyObject *record = bmxpy_take_text(rec, rec_len);
    int32_t w = out.image.w, h = out.image.h;
    PyObject *pixels = bmxpy_image_take(&out.image);
    PyObject *objs = bmxpy_objects_owned(out.objects, out.n_objects, w, h, oa, ob);
    out.objects = NULL;
    out.n_objects = 0;
    bmx_sample_free(&out);
    if (record == NULL || pixels == NULL || objs == NULL) {
        Py_XDECREF(record);
        Py_XDECREF(pixels);
        Py_XDECREF(objs);
        return NULL;
    }
    PyObject *res = PyTuple_Pack(3, pixels, objs, record);
    Py_DECREF(record);
    Py_DECREF(pixels);
    Py_DECREF(objs);
    return res;
}

/* write(out, like, voc, items, png, quality): items is a sequence of
 * (pixels, Objects, file_name); each is encoded and written by a bmx_builder. */
PyObject *bmxpy_write(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *out_b, *items;
    bmxpy_Doc *like;
    int voc, png, quality;
    if (!PyArg_ParseTuple(args, "O&O!pOpi", PyUnicode_FSConverter, &out_b, &bmxpy_DocType, &like,
                          &voc, &items, &png, &quality)) {
        return NULL;
    }
    PyObject *seq = PySequence_Fast(items, "write: expected a sequence of samples");
    PyObject *result = NULL;
    bmx_builder *bld = NULL;
    bmx_error err = {BMX_OK, ""};
    bmx_status st;
    if (seq == NULL) {
        goto done;
    }
    const char *out = PyBytes_AS_STRING(out_b);
    Py_BEGIN_ALLOW_THREADS
    st = bmx_builder_new(out, like->ds, voc ? BMX_DATASET_VOC : BMX_DATASET_COCO, &bld, &err);
    Py_END_ALLOW_THREADS
    if (st != BMX_OK) {
        bmxpy_raise(&err);
        goto done;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *it = PySequence_Fast_GET_ITEM(seq, i), *pix;
        bmxpy_Objects *objs;
        const char *name;
        if (!PyArg_ParseTuple(it, "OO!s;write: an item", &pix, &bmxpy_ObjectsType, &objs, &name)) {
            goto done;
        }
        struct bmx_sample s = {{0}, objs->n, objs->objs};
        if (bmxpy_image_view(pix, "sample image", &s.image) < 0) {
            goto done;
        }
        Py_BEGIN_ALLOW_THREADS
        st = bmx_builder_add(bld, &s, name, png ? BMX_FORMAT_PNG : BMX_FORMAT_JPEG, quality, &err);
        Py_END_ALLOW_THREADS
        if (st != BMX_OK) {
            bmxpy_raise(&err);
            goto done;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    st = bmx_builder_finish(bld, &err);
    Py_END_ALLOW_THREADS
    if (st != BMX_OK) {
        bmxpy_raise(&err);
        goto done;
    }
    result = PyLong_FromSsize_t(n);
done:
    bmx_builder_free(bld);
    Py_XDECREF(seq);
    Py_DECREF(out_b);
    return result;
}
