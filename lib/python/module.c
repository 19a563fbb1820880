/* SPDX-License-Identifier: MIT */
/* The extension module `boxmix._boxmix`: its functions, the exception classes (one
 * per bmx_status), and the pixels between NumPy and libboxmix. The pure-Python
 * package `boxmix` beside it names things; this file and its siblings do the work. */
#define BMXPY_MODULE_C
#include "bmxpy.h"

#include <stdlib.h>
#include <string.h>

/* One class per status, made once when the module is imported (module init runs
 * once per process; the classes are immutable after it). */
static PyObject *errors[BMX_E_INTERRUPTED + 1];

static const struct {
    bmx_status status;
    const char *name;
    const char *doc;
    const char *also; /* a builtin it also is, so `except ValueError` catches it */
} kinds[] = {
    {BMX_E_INVALID, "InvalidError", "An invalid argument or option (BMX_E_INVALID).", "ValueError"},
    {BMX_E_NOMEM, "NoMemoryError", "Out of memory (BMX_E_NOMEM).", "MemoryError"},
    {BMX_E_IO, "FileError", "A file could not be read or written (BMX_E_IO).", "OSError"},
    {BMX_E_PARSE, "ParseError", "Input is not well-formed: JSON, XML, an RLE string (BMX_E_PARSE).",
     "ValueError"},
    {BMX_E_SCHEMA, "SchemaError", "Input is well-formed but has wrong or missing content (BMX_E_SCHEMA).",
     "ValueError"},
    {BMX_E_OVERFLOW, "SizeOverflowError", "A size computation would overflow (BMX_E_OVERFLOW).",
     "OverflowError"},
    {BMX_E_LIMIT, "LimitError", "Input exceeds a configured limit (BMX_E_LIMIT).", "ValueError"},
    {BMX_E_DECODE, "DecodeError", "An image could not be decoded (BMX_E_DECODE).", NULL},
    {BMX_E_ENCODE, "EncodeError", "An image could not be encoded (BMX_E_ENCODE).", NULL},
    {BMX_E_STATE, "StateError", "A call not valid in this state, e.g. the output folder is held "
                                "or already holds a dataset (BMX_E_STATE).", NULL},
    {BMX_E_INTERRUPTED, "CancelledError", "The job stopped on request: its progress callback "
                                          "raised, or SIGINT (BMX_E_INTERRUPTED).", NULL},
};

int bmxpy_errors_init(PyObject *module)
{
    PyObject *base = PyErr_NewExceptionWithDoc(
        "boxmix.Error",
        "Every error libboxmix reports. `status` is the bmx_status number, `status_name` its "
        "name, str(e) the library's message, naming the file and the place in it.",
        PyExc_Exception, NULL);
    if (base == NULL || PyModule_AddObjectRef(module, "Error", base) < 0) {
        Py_XDECREF(base);
        return -1;
    }
    errors[0] = base;
    PyObject *builtins = PyEval_GetBuiltins();
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char qual[64];
        snprintf(qual, sizeof qual, "boxmix.%s", kinds[i].name);
        PyObject *bases = NULL;
        PyObject *also = kinds[i].also != NULL ? PyDict_GetItemString(builtins, kinds[i].also) : NULL;
        bases = also != NULL ? PyTuple_Pack(2, base, also) : PyTuple_Pack(1, base);
        if (bases == NULL) {
            return -1;
        }
        PyObject *cls = PyErr_NewExceptionWithDoc(qual, kinds[i].doc, bases, NULL);
        Py_DECREF(bases);
        if (cls == NULL || PyModule_AddObjectRef(module, kinds[i].name, cls) < 0) {
            Py_XDECREF(cls);
            return -1;
        }
        errors[kinds[i].status] = cls;
    }
    return 0;
}

static const char *status_name(bmx_status s)
{
    static const char *const names[] = {"BMX_OK", "BMX_E_INVALID", "BMX_E_NOMEM", "BMX_E_IO",
                                        "BMX_E_PARSE", "BMX_E_SCHEMA", "BMX_E_OVERFLOW",
                                        "BMX_E_LIMIT", "BMX_E_DECODE", "BMX_E_ENCODE",
                                        "BMX_E_STATE", "BMX_E_INTERRUPTED"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "BMX_E_UNKNOWN";
}

PyObject *bmxpy_raise(const bmx_error *err)
{
    bmx_status s = err->status;
    PyObject *cls = (s > BMX_OK && s <= BMX_E_INTERRUPTED && errors[s] != NULL) ? errors[s] : errors[0];
    const char *msg = err->message[0] != '\0' ? err->message : bmx_strerror(s);
    PyObject *e = PyObject_CallFunction(cls, "s", msg);
    if (e == NULL) {
        return NULL;
    }
    PyObject *num = PyLong_FromLong((long)s);
    PyObject *name = PyUnicode_FromString(status_name(s));
    if (num == NULL || name == NULL || PyObject_SetAttrString(e, "status", num) < 0 ||
        PyObject_SetAttrString(e, "status_name", name) < 0) {
        Py_XDECREF(num);
        Py_XDECREF(name);
        Py_DECREF(e);
        return NULL;
    }
    Py_DECREF(num);
    Py_DECREF(name);
    PyErr_SetObject(cls, e);
    Py_DECREF(e);
    return NULL;
}

PyObject *bmxpy_take_text(char *text, size_t len)
{
    PyObject *s = PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, "strict");
    free(text);
    return s;
}

static void free_pixels(PyObject *capsule)
{
    free(PyCapsule_GetPointer(capsule, "boxmix.pixels"));
}

PyObject *bmxpy_image_take(struct bmx_image *img)
{
    if (img->data == NULL || img->channels != 3 || img->stride != (size_t)img->w * 3) {
        bmx_image_free(img);
        PyErr_SetString(PyExc_RuntimeError, "boxmix: an image not of 3 packed channels");
        return NULL;
    }
    npy_intp dims[3] = {img->h, img->w, 3};
    PyObject *capsule = PyCapsule_New(img->data, "boxmix.pixels", free_pixels);
    if (capsule == NULL) {
        bmx_image_free(img);
        return NULL;
    }
    PyObject *arr = PyArray_SimpleNewFromData(3, dims, NPY_UINT8, img->data);
    memset(img, 0, sizeof *img); /* the capsule frees the pixels from now on */
    if (arr == NULL || PyArray_SetBaseObject((PyArrayObject *)arr, capsule) < 0) {
        Py_XDECREF(arr);
        Py_DECREF(capsule);
        return NULL;
    }
    return arr;
}

int bmxpy_image_view(PyObject *obj, const char *what, struct bmx_image *out)
{
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s: expected a numpy.ndarray, got %s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    if (PyArray_TYPE(a) != NPY_UINT8) {
        PyErr_Format(PyExc_TypeError, "%s: expected dtype uint8", what);
        return -1;
    }
    if (PyArray_NDIM(a) != 3 || PyArray_DIM(a, 2) != 3 || PyArray_DIM(a, 0) < 1 ||
        PyArray_DIM(a, 1) < 1 || PyArray_DIM(a, 0) > INT32_MAX || PyArray_DIM(a, 1) > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "%s: expected shape (H, W, 3)", what);
        return -1;
    }
    if (!PyArray_IS_C_CONTIGUOUS(a)) {
        PyErr_Format(PyExc_ValueError, "%s: expected a C-contiguous array", what);
        return -1;
    }
    out->h = (int32_t)PyArray_DIM(a, 0);
    out->w = (int32_t)PyArray_DIM(a, 1);
    out->channels = 3;
    out->stride = (size_t)out->w * 3;
    out->data = PyArray_DATA(a); /* read only: boxmix takes its inputs const */
    return 0;
}

static PyObject *version(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    return PyUnicode_FromString(bmx_version());
}

static PyMethodDef methods[] = {
    {"version", version, METH_NOARGS, "The library's version string."},
    {"read_coco", bmxpy_read_coco, METH_VARARGS, "read_coco(path, max_pixels) -> Doc"},
    {"read_voc", bmxpy_read_voc, METH_VARARGS,
     "read_voc(path, split, labels, images, max_pixels) -> Doc"},
    {"read_yolo", bmxpy_read_yolo, METH_VARARGS,
     "read_yolo(path, split, names, allow_outside, max_pixels) -> (Doc, images root)"},
    {"parse_coco", bmxpy_parse_coco, METH_VARARGS, "parse_coco(text, name) -> Doc"},
    {"op", bmxpy_op, METH_VARARGS,
     "op(options, ((pixels, objects), ...), seed, index) -> (pixels, objects, record json)"},
    {"write", bmxpy_write, METH_VARARGS,
     "write(out, like, voc, items, jpeg, quality) -> count"},
    {"augment", bmxpy_augment, METH_VARARGS, "augment(options, progress) -> summary dict"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {
    PyModuleDef_HEAD_INIT, "boxmix._boxmix",
    "The C extension behind the boxmix package: libboxmix through its public header.", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__boxmix(void)
{
    import_array();
    PyObject *m = PyModule_Create(&moddef);
    if (m == NULL) {
        return NULL;
    }
    if (PyType_Ready(&bmxpy_DocType) < 0 || PyType_Ready(&bmxpy_ObjectsType) < 0 ||
        PyModule_AddObjectRef(m, "Doc", (PyObject *)&bmxpy_DocType) < 0 ||
        PyModule_AddObjectRef(m, "Objects", (PyObject *)&bmxpy_ObjectsType) < 0 ||
        bmxpy_errors_init(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
