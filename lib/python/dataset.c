/* SPDX-License-Identifier: MIT */
/* Datasets and objects as Python objects: a Doc owns a bmx_dataset (read from COCO,
 * VOC, or from JSON text the package made of the caller's own dicts), an Objects
 * handle is one sample's objects, borrowed from a Doc or owned after an operation.
 * Records leave as the COCO writer's JSON text (bmx_*_to_json), so the values a
 * script sees are the tools' own. */
#include "bmxpy.h"

#include <stdlib.h>
#include <string.h>

/* ---- Doc ---- */

static void doc_dealloc(bmxpy_Doc *self)
{
    bmx_dataset_free(self->ds);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *doc_new(bmx_dataset *ds)
{
    bmxpy_Doc *d = PyObject_New(bmxpy_Doc, &bmxpy_DocType);
    if (d == NULL) {
        bmx_dataset_free(ds);
        return NULL;
    }
    d->ds = ds;
    return (PyObject *)d;
}

static PyObject *doc_count(bmxpy_Doc *self, PyObject *args)
{
    (void)args;
    return PyLong_FromSize_t(bmx_dataset_image_count(self->ds));
}

static int check_index(bmxpy_Doc *self, Py_ssize_t i)
{
    if (i < 0 || (size_t)i >= bmx_dataset_image_count(self->ds)) {
        PyErr_Format(PyExc_IndexError, "image index %zd out of range (%zu images)", i,
                     bmx_dataset_image_count(self->ds));
        return -1;
    }
    return 0;
}

static PyObject *doc_categories(bmxpy_Doc *self, PyObject *args)
{
    (void)args;
    char *text = NULL;
    size_t len = 0;
    bmx_error err = {BMX_OK, ""};
    if (bmx_dataset_categories_to_json(self->ds, &text, &len, &err) != BMX_OK) {
        return bmxpy_raise(&err);
    }
    return bmxpy_take_text(text, len);
}

static PyObject *doc_image(bmxpy_Doc *self, PyObject *args)
{
    Py_ssize_t i;
    if (!PyArg_ParseTuple(args, "n", &i) || check_index(self, i) < 0) {
        return NULL;
    }
    char *text = NULL;
    size_t len = 0;
    bmx_error err = {BMX_OK, ""};
    if (bmx_dataset_image_to_json(self->ds, (size_t)i, &text, &len, &err) != BMX_OK) {
        return bmxpy_raise(&err);
    }
    return bmxpy_take_text(text, len);
}

static PyObject *doc_objects(bmxpy_Doc *self, PyObject *args)
{
    Py_ssize_t i;
    if (!PyArg_ParseTuple(args, "n", &i) || check_index(self, i) < 0) {
        return NULL;
    }
    return bmxpy_objects_borrowed(self, (size_t)i);
}

/* load(i, images_root, max_pixels): image i's pixels, decoded without the GIL. */
static PyObject *doc_load(bmxpy_Doc *self, PyObject *args)
{
    Py_ssize_t i;
    const char *root;
    unsigned long long max_pixels;
    if (!PyArg_ParseTuple(args, "nsK", &i, &root, &max_pixels) || check_index(self, i) < 0) {
        return NULL;
    }
    struct bmx_limits limits;
    bmx_limits_init(&limits);
    limits.max_image_pixels = max_pixels;
    struct bmx_sample s = {0};
    bmx_error err = {BMX_OK, ""};
    bmx_status st;
    Py_BEGIN_ALLOW_THREADS
    st = bmx_dataset_load_sample(self->ds, (size_t)i, root, &limits, &s, &err);
    Py_END_ALLOW_THREADS
    if (st != BMX_OK) {
        return bmxpy_raise(&err);
    }
    struct bmx_image img = s.image;
    s.image = (struct bmx_image){0};
    bmx_sample_free(&s); /* its copy of the objects: the Doc's are used instead */
    return bmxpy_image_take(&img);
}

static PyMethodDef doc_methods[] = {
    {"count", (PyCFunction)doc_count, METH_NOARGS, "Number of images."},
    {"categories_json", (PyCFunction)doc_categories, METH_NOARGS, "The categories as JSON."},
    {"image_json", (PyCFunction)doc_image, METH_VARARGS, "Image record i as JSON."},
    {"objects", (PyCFunction)doc_objects, METH_VARARGS, "The objects of image i."},
    {"load", (PyCFunction)doc_load, METH_VARARGS, "Decode image i's pixels."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject bmxpy_DocType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "boxmix._boxmix.Doc",
    .tp_basicsize = sizeof(bmxpy_Doc),
    .tp_dealloc = (destructor)doc_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A dataset read by libboxmix (internal: see boxmix.Dataset).",
    .tp_methods = doc_methods,
};

PyObject *bmxpy_read_coco(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *path_obj;
    unsigned long long max_pixels;
    if (!PyArg_ParseTuple(args, "O&K", PyUnicode_FSConverter, &path_obj, &max_pixels)) {
        return NULL;
    }
    struct bmx_limits limits;
    bmx_limits_init(&limits);
    limits.max_image_pixels = max_pixels;
    bmx_dataset *ds = NULL;
    bmx_error err = {BMX_OK, ""};
    bmx_status st;
    const char *path = PyBytes_AS_STRING(path_obj);
    Py_BEGIN_ALLOW_THREADS
    st = bmx_dataset_read_coco_limited(path, &limits, &ds, &err);
    Py_END_ALLOW_THREADS
    Py_DECREF(path_obj);
    if (st != BMX_OK) {
        return bmxpy_raise(&err);
    }
    return doc_new(ds);
}

/* read_voc(path, split or None, labels (a file, a list of names, or None),
 * images or None, max_pixels) */
PyObject *bmxpy_read_voc(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *path_obj, *split_obj, *labels_obj, *images_obj;
    unsigned long long max_pixels;
    if (!PyArg_ParseTuple(args, "O&OOOK", PyUnicode_FSConverter, &path_obj, &split_obj,
                          &labels_obj, &images_obj, &max_pixels)) {
        return NULL;
    }
    PyObject *split_b = NULL, *images_b = NULL, *labels_b = NULL, *result = NULL;
    struct bmx_labels labels = {0};
    bool labels_from_list = false;
    bmx_error err = {BMX_OK, ""};
    struct bmx_voc_options o;
    bmx_voc_options_init(&o);
    o.limits.max_image_pixels = max_pixels;
    if (split_obj != Py_None) {
        if (!PyUnicode_FSConverter(split_obj, &split_b)) {
            goto done;
        }
        o.split = PyBytes_AS_STRING(split_b);
    }
    if (images_obj != Py_None) {
        if (!PyUnicode_FSConverter(images_obj, &images_b)) {
            goto done;
        }
        o.images_dir = PyBytes_AS_STRING(images_b);
    }
    if (labels_obj != Py_None && (PyList_Check(labels_obj) || PyTuple_Check(labels_obj))) {
        /* The names in id order, as a labels file lists them. */
        Py_ssize_t n = PySequence_Size(labels_obj);
        labels.names = calloc(n > 0 ? (size_t)n : 1, sizeof *labels.names);
        if (labels.names == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        labels_from_list = true;
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *it = PySequence_GetItem(labels_obj, i);
            const char *s = it != NULL && PyUnicode_Check(it) ? PyUnicode_AsUTF8(it) : NULL;
            if (s == NULL) {
                if (!PyErr_Occurred()) {
                    PyErr_Format(PyExc_TypeError, "labels[%zd]: expected a str", i);
                }
                Py_XDECREF(it);
                goto done;
            }
            for (Py_ssize_t j = 0; j < i; j++) {
                if (strcmp(labels.names[j], s) == 0) {
                    PyErr_Format(PyExc_ValueError, "labels[%zd]: \"%s\" given twice", i, s);
                    Py_DECREF(it);
                    goto done;
                }
            }
            labels.names[i] = strdup(s);
            Py_DECREF(it);
            if (labels.names[i] == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            labels.count = (size_t)i + 1;
        }
        o.labels = &labels;
    } else if (labels_obj != Py_None) {
        if (!PyUnicode_FSConverter(labels_obj, &labels_b)) {
            goto done;
        }
        if (bmx_labels_read(PyBytes_AS_STRING(labels_b), &labels, &err) != BMX_OK) {
            bmxpy_raise(&err);
            goto done;
        }
        o.labels = &labels;
    }
    bmx_dataset *ds = NULL;
    bmx_status st;
    const char *path = PyBytes_AS_STRING(path_obj);
    Py_BEGIN_ALLOW_THREADS
    st = bmx_dataset_read_voc(path, &o, &ds, &err);
    Py_END_ALLOW_THREADS
    if (st != BMX_OK) {
        bmxpy_raise(&err);
        goto done;
    }
    result = doc_new(ds);
done:
    if (labels_from_list) {
        for (size_t i = 0; i < labels.count; i++) {
            free(labels.names[i]);
        }
        free(labels.names);
    } else {
        bmx_labels_free(&labels);
    }
    Py_XDECREF(split_b);
    Py_XDECREF(images_b);
    Py_XDECREF(labels_b);
    Py_DECREF(path_obj);
    return result;
}

/* read_yolo(path, split or None, names (a list of names) or None, allow_outside,
 * max_pixels) -> (Doc, images root) */
PyObject *bmxpy_read_yolo(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *path_obj, *split_obj, *names_obj;
    int allow_outside;
    unsigned long long max_pixels;
    if (!PyArg_ParseTuple(args, "O&OOpK", PyUnicode_FSConverter, &path_obj, &split_obj,
                          &names_obj, &allow_outside, &max_pixels)) {
        return NULL;
    }
    PyObject *result = NULL;
    struct bmx_labels names = {0};
    bmx_error err = {BMX_OK, ""};
    struct bmx_yolo_options o;
    bmx_yolo_options_init(&o);
    o.limits.max_image_pixels = max_pixels;
    o.allow_outside = allow_outside != 0;
    if (split_obj != Py_None) {
        o.split = PyUnicode_Check(split_obj) ? PyUnicode_AsUTF8(split_obj) : NULL;
        if (o.split == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "split: expected a str or None");
            }
            goto done;
        }
    }
    if (names_obj != Py_None) {
        /* A folder's class names, in class order. */
        Py_ssize_t n = PySequence_Size(names_obj);
        if (n < 0) {
            goto done;
        }
        names.names = calloc(n > 0 ? (size_t)n : 1, sizeof *names.names);
        if (names.names == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *it = PySequence_GetItem(names_obj, i);
            const char *s = it != NULL && PyUnicode_Check(it) ? PyUnicode_AsUTF8(it) : NULL;
            if (s == NULL) {
                if (!PyErr_Occurred()) {
                    PyErr_Format(PyExc_TypeError, "names[%zd]: expected a str", i);
                }
                Py_XDECREF(it);
                goto done;
            }
            names.names[i] = strdup(s);
            Py_DECREF(it);
            if (names.names[i] == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            names.count = (size_t)i + 1;
        }
        o.names = &names;
    }
    bmx_dataset *ds = NULL;
    char *root = NULL;
    bmx_status st;
    const char *path = PyBytes_AS_STRING(path_obj);
    Py_BEGIN_ALLOW_THREADS
    st = bmx_dataset_read_yolo(path, &o, &ds, NULL, &err);
    if (st == BMX_OK) {
        st = bmx_yolo_images_root(path, &o, &root, &err);
    }
    Py_END_ALLOW_THREADS
    if (st != BMX_OK) {
        bmx_dataset_free(ds);
        bmxpy_raise(&err);
        goto done;
    }
    PyObject *doc = doc_new(ds);
    PyObject *root_obj = doc != NULL ? PyUnicode_DecodeFSDefault(root) : NULL;
    free(root);
    if (doc != NULL && root_obj != NULL) {
        result = PyTuple_Pack(2, doc, root_obj);
    }
    Py_XDECREF(doc);
    Py_XDECREF(root_obj);
done:
    for (size_t i = 0; i < names.count; i++) {
        free(names.names[i]);
    }
    free(names.names);
    Py_DECREF(path_obj);
    return result;
}

PyObject *bmxpy_parse_coco(PyObject *self, PyObject *args)
{
    (void)self;
    const char *text, *name;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "y#s", &text, &len, &name)) {
        return NULL;
    }
    bmx_dataset *ds = NULL;
    bmx_error err = {BMX_OK, ""};
    if (bmx_dataset_read_coco_buffer(text, (size_t)len, name, &ds, &err) != BMX_OK) {
        return bmxpy_raise(&err);
    }
    return doc_new(ds);
}

/* ---- Objects ---- */

static void objects_dealloc(bmxpy_Objects *self)
{
    if (self->owned) {
        for (size_t i = 0; i < self->n; i++) {
            bmx_object_free(&self->objs[i]);
        }
        free(self->objs);
    }
    Py_XDECREF(self->keep);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

PyObject *bmxpy_objects_borrowed(bmxpy_Doc *doc, size_t i)
{
    bmxpy_Objects *o = PyObject_New(bmxpy_Objects, &bmxpy_ObjectsType);
    if (o == NULL) {
        return NULL;
    }
    o->owned = false;
    o->n = bmx_dataset_object_count(doc->ds, i);
    o->objs = (struct bmx_object *)bmx_dataset_objects(doc->ds, i); /* read only */
    o->info = bmx_dataset_image(doc->ds, i);
    memset(&o->own_info, 0, sizeof o->own_info);
    o->keep = PyTuple_Pack(1, (PyObject *)doc);
    if (o->keep == NULL) {
        o->n = 0;
        Py_DECREF(o);
        return NULL;
    }
    return (PyObject *)o;
}

PyObject *bmxpy_objects_owned(struct bmx_object *objs, size_t n, int32_t w, int32_t h,
                              bmxpy_Objects *a, bmxpy_Objects *b)
{
    bmxpy_Objects *o = PyObject_New(bmxpy_Objects, &bmxpy_ObjectsType);
    if (o == NULL) {
        for (size_t i = 0; i < n; i++) {
            bmx_object_free(&objs[i]);
        }
        free(objs);
        return NULL;
    }
    o->owned = true;
    o->n = n;
    o->objs = objs;
    memset(&o->own_info, 0, sizeof o->own_info);
    o->own_info.id = 0; /* an output has no id until a dataset is written */
    o->own_info.file_name = "";
    o->own_info.width = w;
    o->own_info.height = h;
    o->info = &o->own_info;
    /* Keep every Doc the objects' `extra` fields point into. */
    PyObject *empty = PyTuple_New(0);
    o->keep = empty == NULL ? NULL
                            : PySequence_Concat(a != NULL ? a->keep : empty,
                                                b != NULL ? b->keep : empty);
    Py_XDECREF(empty);
    if (o->keep == NULL) {
        Py_DECREF(o);
        return NULL;
    }
    return (PyObject *)o;
}

static PyObject *objects_dicts(bmxpy_Objects *self, PyObject *args)
{
    (void)args;
    return bmxpy_objects_dicts(self);
}

static PyObject *objects_len(bmxpy_Objects *self, PyObject *args)
{
    (void)args;
    return PyLong_FromSize_t(self->n);
}

static PyMethodDef objects_methods[] = {
    {"dicts", (PyCFunction)objects_dicts, METH_NOARGS, "The objects as COCO-form dicts."},
    {"count", (PyCFunction)objects_len, METH_NOARGS, "Number of objects."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject bmxpy_ObjectsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "boxmix._boxmix.Objects",
    .tp_basicsize = sizeof(bmxpy_Objects),
    .tp_dealloc = (destructor)objects_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One sample's objects (internal: see boxmix.Sample.objects).",
    .tp_methods = objects_methods,
};
