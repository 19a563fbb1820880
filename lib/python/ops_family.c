/* SPDX-License-Identifier: MIT */
/* The CutMix family on samples (bmx_op_at) for the package's boxmix.cutmix,
 * cutout, mixup, mosaic and copypaste, with each output's record as the tools
 * write it (bmx_op_record_to_json); the GIL is released around the operation. And
 * the operation options the package passes, shared with boxmix.augment. */
#include "bmxpy.h"

#include <stdlib.h>
#include <string.h>

int bmxpy_cutmix_options(PyObject *t, struct bmx_cutmix_options *o)
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
    return 0;
}

int bmxpy_op_options(PyObject *t, struct bmx_op_options *o)
{
    int op, fit, fill, r, g, b, size;
    PyObject *cut;
    bmx_op_options_init(o);
    if (!PyArg_ParseTuple(t, "iO!iiiiiiddid;operation options", &op, &PyTuple_Type, &cut, &fit,
                          &o->holes, &fill, &r, &g, &b, &o->mix_alpha, &o->mix_ratio, &size,
                          &o->paste_prob) ||
        bmxpy_cutmix_options(cut, &o->cutmix) < 0) {
        return -1;
    }
    if (r < 0 || r > 255 || g < 0 || g > 255 || b < 0 || b > 255) {
        PyErr_SetString(PyExc_ValueError, "fill: expected a colour of 0..255 each");
        return -1;
    }
    o->op = (enum bmx_op)op;
    o->source_fit = (enum bmx_source_fit)fit;
    o->fill = (enum bmx_fill)fill;
    o->fill_rgb[0] = (uint8_t)r;
    o->fill_rgb[1] = (uint8_t)g;
    o->fill_rgb[2] = (uint8_t)b;
    o->mosaic_size = size;
    bmx_error err = {BMX_OK, ""};
    if (bmx_op_options_check(o, &err) != BMX_OK) {
        PyErr_SetString(PyExc_ValueError, err.message);
        return -1;
    }
    return 0;
}

/* op(options, inputs, seed, index): inputs a tuple of (pixels, Objects), base
 * first; returns (pixels, Objects, record text). */
PyObject *bmxpy_op(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *opts_t, *inputs;
    unsigned long long seed, index;
    if (!PyArg_ParseTuple(args, "O!O!KK", &PyTuple_Type, &opts_t, &PyTuple_Type, &inputs, &seed,
                          &index)) {
        return NULL;
    }
    struct bmx_op_options o;
    if (bmxpy_op_options(opts_t, &o) < 0) {
        return NULL;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(inputs);
    if ((size_t)n != bmx_op_inputs(o.op)) {
        PyErr_Format(PyExc_ValueError, "%s: takes %zu inputs, got %zd", bmx_op_name(o.op),
                     bmx_op_inputs(o.op), n);
        return NULL;
    }
    struct bmx_sample in[4];
    const struct bmx_sample *ptr[4];
    const struct bmx_image_info *infos[4];
    bmxpy_Objects *objs[4] = {NULL, NULL, NULL, NULL};
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *pix;
        char what[32];
        snprintf(what, sizeof what, "input %zd image", k);
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(inputs, k), "OO!;an input", &pix,
                              &bmxpy_ObjectsType, &objs[k])) {
            return NULL;
        }
        in[k] = (struct bmx_sample){{0}, objs[k]->n, objs[k]->objs};
        if (bmxpy_image_view(pix, what, &in[k].image) < 0) {
            return NULL;
        }
        if (in[k].image.w != objs[k]->info->width || in[k].image.h != objs[k]->info->height) {
            PyErr_Format(PyExc_ValueError,
                         "input %zd: the sample's image is not the size its record says", k);
            return NULL;
        }
        ptr[k] = &in[k];
        infos[k] = objs[k]->info;
    }
    struct bmx_sample out = {0};
    struct bmx_op_record rec;
    bmx_error err = {BMX_OK, ""};
    bmx_status st;
    Py_BEGIN_ALLOW_THREADS
    st = bmx_op_at(&o, ptr, (size_t)n, seed, index, &out, &rec, NULL, &err);
    Py_END_ALLOW_THREADS
    if (st != BMX_OK) {
        return bmxpy_raise(&err);
    }
    char *text = NULL;
    size_t text_len = 0;
    st = bmx_op_record_to_json(&rec, infos, (size_t)n, seed, index, &text, &text_len, &err);
    bmx_op_record_free(&rec);
    if (st != BMX_OK) {
        bmx_sample_free(&out);
        return bmxpy_raise(&err);
    }
    PyObject *record = bmxpy_take_text(text, text_len);
    int32_t w = out.image.w, h = out.image.h;
    PyObject *pixels = bmxpy_image_take(&out.image);
    PyObject *made = bmxpy_objects_owned(out.objects, out.n_objects, w, h, objs[0],
                                         n > 1 ? objs[1] : NULL);
    out.objects = NULL;
    out.n_objects = 0;
    bmx_sample_free(&out);
    /* A Mosaic's objects borrow from all four inputs' Docs. */
    for (Py_ssize_t k = 2; made != NULL && k < n; k++) {
        bmxpy_Objects *m = (bmxpy_Objects *)made;
        PyObject *more = PySequence_Concat(m->keep, objs[k]->keep);
        if (more == NULL) {
            Py_CLEAR(made);
        } else {
            Py_SETREF(m->keep, more);
        }
    }
    if (record == NULL || pixels == NULL || made == NULL) {
        Py_XDECREF(record);
        Py_XDECREF(pixels);
        Py_XDECREF(made);
        return NULL;
    }
    PyObject *res = PyTuple_Pack(3, pixels, made, record);
    Py_DECREF(record);
    Py_DECREF(pixels);
    Py_DECREF(made);
    return res;
}

/* Whether this library has the operation of `o`: one dry run (no pixels) on
 * empty 16 x 16 samples. */
int bmxpy_op_probe(const struct bmx_op_options *o)
{
    struct bmx_sample in[4];
    const struct bmx_sample *ptr[4];
    for (int k = 0; k < 4; k++) {
        in[k] = (struct bmx_sample){{16, 16, 3, 48, NULL}, 0, NULL};
        ptr[k] = &in[k];
    }
    struct bmx_sample out = {0};
    bmx_error err = {BMX_OK, ""};
    bmx_status st = bmx_op_at(o, ptr, bmx_op_inputs(o->op), 0, 0, &out, NULL, NULL, &err);
    bmx_sample_free(&out);
    if (st != BMX_OK) {
        bmxpy_raise(&err);
        return -1;
    }
    return 0;
}
