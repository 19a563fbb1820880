/* SPDX-License-Identifier: MIT */
/* One sample's objects as Python dicts, built directly for the objects whose fields
 * are all ones boxmix knows (the common case, and the one online mixing meets on
 * every item), and through the COCO writer's JSON text (bmx_object_to_json, then
 * json.loads) for the others (unknown fields, keypoints): either way the same keys
 * in the same order and the same values, ints where the writer writes an integer. */
#include "bmxpy.h"

#include <math.h>
#include <stdlib.h>

/* A number as the JSON writer writes it and json.loads reads it back: an integral
 * value below 1e15 is an int, anything else the same double. */
static PyObject *number(double v)
{
    if (!isfinite(v)) {
        Py_RETURN_NONE;
    }
    if (fabs(v) < 1e15 && (double)(int64_t)v == v) {
        return PyLong_FromLongLong((long long)v);
    }
    return PyFloat_FromDouble(v);
}

static int set_steal(PyObject *d, const char *key, PyObject *v)
{
    if (v == NULL) {
        return -1;
    }
    int rc = PyDict_SetItemString(d, key, v);
    Py_DECREF(v);
    return rc;
}

static PyObject *numbers(const double *v, size_t n)
{
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; l != NULL && i < n; i++) {
        PyObject *x = number(v[i]);
        if (x == NULL) {
            Py_CLEAR(l);
            break;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, x);
    }
    return l;
}

static PyObject *segmentation(const struct bmx_object *o)
{
    if (o->seg_kind == BMX_SEG_EMPTY) {
        return PyList_New(0);
    }
    if (o->seg_kind == BMX_SEG_POLYGON) {
        PyObject *l = PyList_New((Py_ssize_t)o->polys.count);
        for (size_t i = 0; l != NULL && i < o->polys.count; i++) {
            PyObject *r = numbers(o->polys.rings[i].xy, 2 * o->polys.rings[i].n);
            if (r == NULL) {
                Py_CLEAR(l);
                break;
            }
            PyList_SET_ITEM(l, (Py_ssize_t)i, r);
        }
        return l;
    }
    PyObject *counts;
    if (o->rle_compressed) {
        char *s = NULL;
        size_t len = 0;
        bmx_error err = {BMX_OK, ""};
        if (bmx_rle_to_string(&o->rle, &s, &len, &err) != BMX_OK) {
            return bmxpy_raise(&err);
        }
        counts = bmxpy_take_text(s, len);
    } else {
        counts = PyList_New((Py_ssize_t)o->rle.m);
        for (size_t j = 0; counts != NULL && j < o->rle.m; j++) {
            PyObject *x = PyLong_FromUnsignedLong(o->rle.counts[j]);
            if (x == NULL) {
                Py_CLEAR(counts);
                break;
            }
            PyList_SET_ITEM(counts, (Py_ssize_t)j, x);
        }
    }
    if (counts == NULL) {
        return NULL;
    }
    return Py_BuildValue("{s[II]sN}", "size", (unsigned)o->rle.h, (unsigned)o->rle.w, "counts",
                         counts);
}

/* The direct path: only for objects with no field beyond those of the model. */
static const char *from_name(const struct bmx_object *o)
{
    return o->origin == BMX_FROM_SOURCE ? "source" : o->origin == BMX_FROM_TILE ? "tile" : "base";
}

/* The provenance the CutMix family adds: `from` (tile), Mosaic's tile, MixUp's
 * weight, into the object's boxmix dict `rec`. */
static int family_fields(PyObject *rec, const struct bmx_object *o)
{
    PyObject *from = PyUnicode_FromString(from_name(o));
    if (from == NULL || PyDict_SetItemString(rec, "from", from) < 0) {
        Py_XDECREF(from);
        return -1;
    }
    Py_DECREF(from);
    if (o->origin == BMX_FROM_TILE) {
        PyObject *t = PyLong_FromLong(o->tile);
        if (t == NULL || PyDict_SetItemString(rec, "tile", t) < 0) {
            Py_XDECREF(t);
            return -1;
        }
        Py_DECREF(t);
    }
    if (o->has_weight) {
        PyObject *w = number(o->weight);
        if (w == NULL || PyDict_SetItemString(rec, "weight", w) < 0) {
            Py_XDECREF(w);
            return -1;
        }
        Py_DECREF(w);
    }
    return 0;
}

static PyObject *direct(const struct bmx_object *o)
{
    PyObject *d = PyDict_New();
    if (d == NULL) {
        return NULL;
    }
    double box[4] = {o->bbox.x, o->bbox.y, o->bbox.w, o->bbox.h};
    if (set_steal(d, "id", PyLong_FromLongLong((long long)o->id)) < 0 ||
        set_steal(d, "category_id", PyLong_FromLongLong((long long)o->category_id)) < 0 ||
        set_steal(d, "bbox", numbers(box, 4)) < 0 ||
        (o->has_area && set_steal(d, "area", number(o->area)) < 0) ||
        (o->has_iscrowd && set_steal(d, "iscrowd", PyLong_FromLong(o->iscrowd)) < 0) ||
        (o->seg_kind != BMX_SEG_NONE && set_steal(d, "segmentation", segmentation(o)) < 0)) {
        Py_DECREF(d);
        return NULL;
    }
    if (o->origin != BMX_FROM_NONE) {
        PyObject *v = number(o->visibility);
        PyObject *rec = v == NULL ? NULL
                                  : Py_BuildValue("{sssNsL}", "from", from_name(o), "visibility",
                                                  v, "source_annotation_id", (long long)o->id);
        if (rec != NULL && family_fields(rec, o) < 0) {
            Py_CLEAR(rec);
        }
        if (set_steal(d, "boxmix", rec) < 0) {
            Py_DECREF(d);
            return NULL;
        }
    }
    return d;
}

static PyObject *through_json(const struct bmx_object *o)
{
    char *text = NULL;
    size_t len = 0;
    bmx_error err = {BMX_OK, ""};
    if (bmx_object_to_json(o, &text, &len, &err) != BMX_OK) {
        return bmxpy_raise(&err);
    }
    PyObject *s = bmxpy_take_text(text, len);
    if (s == NULL) {
        return NULL;
    }
    PyObject *json = PyImport_ImportModule("json");
    PyObject *d = json == NULL ? NULL : PyObject_CallMethod(json, "loads", "O", s);
    Py_XDECREF(json);
    Py_DECREF(s);
    /* The family's fields, whatever the writer's record says of them. */
    PyObject *rec = d != NULL && o->origin != BMX_FROM_NONE ? PyDict_GetItemString(d, "boxmix")
                                                            : NULL;
    if (rec != NULL && PyDict_Check(rec) && family_fields(rec, o) < 0) {
        Py_CLEAR(d);
    }
    return d;
}

PyObject *bmxpy_objects_dicts(const bmxpy_Objects *self)
{
    PyObject *l = PyList_New((Py_ssize_t)self->n);
    for (size_t i = 0; l != NULL && i < self->n; i++) {
        const struct bmx_object *o = &self->objs[i];
        bool plain = o->extra == NULL && !o->has_keypoints && !o->has_num_keypoints;
        PyObject *d = plain ? direct(o) : through_json(o);
        if (d == NULL) {
            Py_CLEAR(l);
            break;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, d);
    }
    return l;
}
