/* SPDX-License-Identifier: MIT */
/* Internal: what the files of the Python extension `boxmix._boxmix` share. The
 * extension sees only the public header boxmix.h (DESIGN.md, "Layers"). */
#ifndef BMXPY_H
#define BMXPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL bmxpy_ARRAY_API
#ifndef BMXPY_MODULE_C
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include <boxmix.h>

/* A dataset read by the library: the owner of every record, string and `extra` the
 * samples made from it borrow. */
typedef struct {
    PyObject_HEAD
    bmx_dataset *ds;
} bmxpy_Doc;

/* The objects of one sample: borrowed from a Doc's image (`owned` false), or owned
 * (an operation's output), whose `extra` fields are borrowed from the Docs in `keep`.
 * `info` names the sample's image in records (a Doc's image, or an output's: id 0). */
typedef struct {
    PyObject_HEAD
    bool owned;
    size_t n;
    struct bmx_object *objs;
    PyObject *keep; /* tuple of the Docs this handle borrows from */
    const struct bmx_image_info *info;
    struct bmx_image_info own_info;
} bmxpy_Objects;

extern PyTypeObject bmxpy_DocType;
extern PyTypeObject bmxpy_ObjectsType;

/* Raise the exception class of err->status with err's message; returns NULL. */
PyObject *bmxpy_raise(const bmx_error *err);

/* Make the exception classes and add them to the module; -1 on failure. */
int bmxpy_errors_init(PyObject *module);

/* A new str from a malloc'd UTF-8 text, which is freed; NULL (raised) on failure. */
PyObject *bmxpy_take_text(char *text, size_t len);

/* An ndarray (H, W, 3) uint8 over img's pixels, which it takes: its base is a
 * capsule that frees them when the array goes. `img` is zeroed. NULL when raised. */
PyObject *bmxpy_image_take(struct bmx_image *img);

/* A view of a C-contiguous uint8 (H, W, 3) ndarray as a bmx_image (no copy);
 * -1 with TypeError/ValueError raised when it is not one. */
int bmxpy_image_view(PyObject *arr, const char *what, struct bmx_image *out);

/* Objects of image i of a Doc (borrowed). */
PyObject *bmxpy_objects_borrowed(bmxpy_Doc *doc, size_t i);

/* Objects an operation made (owned: `objs` is taken), borrowing from the Docs of
 * `a` and `b` (either may be NULL). */
PyObject *bmxpy_objects_owned(struct bmx_object *objs, size_t n, int32_t w, int32_t h,
                              bmxpy_Objects *a, bmxpy_Objects *b);

/* The objects as a list of COCO-form dicts (objects_dict.c). */
PyObject *bmxpy_objects_dicts(const bmxpy_Objects *self);

/* The module's functions by file. */
PyObject *bmxpy_read_coco(PyObject *self, PyObject *args);
PyObject *bmxpy_read_voc(PyObject *self, PyObject *args);
PyObject *bmxpy_read_yolo(PyObject *self, PyObject *args);
PyObject *bmxpy_parse_coco(PyObject *self, PyObject *args);
PyObject *bmxpy_op(PyObject *self, PyObject *args);
PyObject *bmxpy_write(PyObject *self, PyObject *args);
PyObject *bmxpy_augment(PyObject *self, PyObject *args);

/* The operation options the package passes (ops_family.c): CutMix's tuple
 * (alpha, use_ratio, ratio_lo, ratio_hi, placement, tries, min_visibility,
 * min_area, min_size, mask_format), unchecked; the whole tuple (op, cutmix tuple,
 * source_fit, holes, fill, r, g, b, mix_alpha, mix_ratio, mosaic_size,
 * paste_prob), checked (bmx_op_options_check). -1 with ValueError raised. */
int bmxpy_cutmix_options(PyObject *t, struct bmx_cutmix_options *o);
int bmxpy_op_options(PyObject *t, struct bmx_op_options *o);
/* Raise (-1) when this library lacks the operation of `o` (a dry run on empty
 * samples fails). */
int bmxpy_op_probe(const struct bmx_op_options *o);

#endif
