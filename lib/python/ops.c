/* SPDX-License-Identifier: MIT */
/* The dataset builder, for the package's boxmix.write_coco (the operations on
 * samples are in ops_family.c). The GIL is released around every call that
 * encodes or writes. */
#include "bmxpy.h"

#include <stdlib.h>
#include <string.h>

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
