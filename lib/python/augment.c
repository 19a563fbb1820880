/* SPDX-License-Identifier: MIT */
/* boxmix.augment: the offline job (bmx_job_run) on a thread of its own, while the
 * calling thread, without the GIL between calls, waits for its progress and calls
 * the script's callback at least once a second. A callback that raises, or a
 * signal Python turns into an exception (SIGINT), sets the job's cancel flag: the
 * job stops as the tool does on SIGINT and the exception is raised. */
#include "bmxpy.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct shared {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t done, total;
    unsigned stage;
    bool changed, finished;
    volatile int cancel;
    char notices[4][512];
    int n_notices;
    /* the job's */
    struct bmx_job_options opts;
    struct bmx_recipe_entry entry; /* op=: the one-entry recipe opts.recipe names */
    struct bmx_recipe_entry *recipe; /* recipe=: the file's entries (malloc'd) */
    struct bmx_job_summary summary;
    bmx_error err;
    bmx_status status;
};

static void on_progress(const struct bmx_progress *p, void *ctx)
{
    struct shared *s = ctx;
    pthread_mutex_lock(&s->lock);
    s->done = p->done;
    s->total = p->total;
    s->stage = p->stage_index;
    s->changed = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

static void on_notice(const char *message, void *ctx)
{
    struct shared *s = ctx;
    pthread_mutex_lock(&s->lock);
    if (s->n_notices < 4) {
        snprintf(s->notices[s->n_notices++], sizeof s->notices[0], "%s", message);
    }
    pthread_mutex_unlock(&s->lock);
}

static void *run_job(void *arg)
{
    struct shared *s = arg;
    s->status = bmx_job_run(&s->opts, &s->summary, &s->err);
    pthread_mutex_lock(&s->lock);
    s->finished = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Strings of the options dict, kept alive (as bytes) until the job is over. */
struct strs {
    PyObject *held[8];
    int n;
};

static int opt_str(PyObject *d, const char *key, struct strs *keep, const char **out)
{
    PyObject *v = PyDict_GetItemString(d, key);
    *out = NULL;
    if (v == NULL || v == Py_None) {
        return 0;
    }
    PyObject *b = NULL;
    if (!PyUnicode_FSConverter(v, &b)) {
        return -1;
    }
    keep->held[keep->n++] = b;
    *out = PyBytes_AS_STRING(b);
    return 0;
}

static int opt_u64(PyObject *d, const char *key, uint64_t *out)
{
    PyObject *v = PyDict_GetItemString(d, key);
    if (v == NULL || v == Py_None) {
        return 0;
    }
    unsigned long long x = PyLong_AsUnsignedLongLong(v);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "%s: expected an integer 0..2^64-1", key);
        return -1;
    }
    *out = x;
    return 0;
}

static int opt_bool(PyObject *d, const char *key, bool *out)
{
    PyObject *v = PyDict_GetItemString(d, key);
    if (v == NULL || v == Py_None) {
        return 0;
    }
    int t = PyObject_IsTrue(v);
    if (t < 0) {
        return -1;
    }
    *out = t != 0;
    return 0;
}

static int fill(PyObject *d, struct bmx_job_options *o, struct bmx_recipe_entry *entry,
                struct bmx_recipe_entry **recipe, struct strs *keep)
{
    uint64_t u = 0;
    bool voc = false, png = false;
    PyObject *cut = PyDict_GetItemString(d, "cutmix");
    if (opt_str(d, "annotations", keep, &o->input.annotations) < 0 ||
        opt_str(d, "images", keep, &o->input.images) < 0 ||
        opt_str(d, "voc_split", keep, &o->input.voc_split) < 0 ||
        opt_str(d, "labels", keep, &o->input.labels) < 0 || opt_str(d, "out", keep, &o->out) < 0 ||
        opt_str(d, "report", keep, &o->report) < 0 || opt_bool(d, "voc", &voc) < 0 ||
        opt_bool(d, "png", &png) < 0 || opt_u64(d, "count", &o->count) < 0 ||
        opt_u64(d, "per_image", &o->per_image) < 0 || opt_u64(d, "seed", &o->seed) < 0 ||
        opt_bool(d, "include_originals", &o->include_originals) < 0 ||
        opt_bool(d, "force", &o->force) < 0 || opt_bool(d, "dry_run", &o->dry_run) < 0 ||
        opt_u64(d, "shard_index", &o->shard_index) < 0 ||
        opt_u64(d, "shard_count", &o->shard_count) < 0 || opt_bool(d, "resume", &o->resume) < 0 ||
        opt_bool(d, "skip_bad", &o->skip_bad) < 0 ||
        opt_u64(d, "max_pixels", &o->limits.max_image_pixels) < 0 ||
        opt_u64(d, "memory_limit", &o->memory_limit) < 0) {
        return -1;
    }
    o->input.format = voc ? BMX_DATASET_VOC : BMX_DATASET_COCO;
    o->format = png ? BMX_FORMAT_PNG : BMX_FORMAT_JPEG;
    if (opt_u64(d, "out_voc", &u) < 0) {
        return -1;
    }
    o->out_format = u ? BMX_DATASET_VOC : BMX_DATASET_COCO;
    u = (uint64_t)o->quality;
    if (opt_u64(d, "quality", &u) < 0) {
        return -1;
    }
    o->quality = u > 1000 ? 1000 : (int)u; /* range checked by the job */
    u = (uint64_t)o->png_level;
    if (opt_u64(d, "png_level", &u) < 0) {
        return -1;
    }
    o->png_level = u > 1000 ? 1000 : (int)u;
    u = o->threads;
    if (opt_u64(d, "threads", &u) < 0) {
        return -1;
    }
    o->threads = u > 4096 ? 4096 : (unsigned)u;
    if (cut != NULL) {
        if (bmxpy_cutmix_options(cut, &o->cutmix) < 0) {
            return -1;
        }
        bmx_error err = {BMX_OK, ""};
        if (bmx_cutmix_options_check(&o->cutmix, &err) != BMX_OK) {
            PyErr_SetString(PyExc_ValueError, err.message);
            return -1;
        }
    }
    /* op= (or an option only the family has): a one-entry recipe, refused at once
     * when this library lacks the operation. */
    PyObject *op = PyDict_GetItemString(d, "op");
    if (op != NULL && op != Py_None) {
        if (bmxpy_op_options(op, &entry->op) < 0 || bmxpy_op_probe(&entry->op) < 0) {
            return -1;
        }
        entry->weight = 1.0;
        o->recipe = entry;
        o->recipe_len = 1;
    }
    /* recipe=: the file's entries, the options above every entry's defaults. */
    const char *path = NULL;
    if (opt_str(d, "recipe", keep, &path) < 0) {
        return -1;
    }
    if (path != NULL) {
        struct bmx_op_options defaults;
        bmx_op_options_init(&defaults);
        defaults.cutmix = o->cutmix;
        PyObject *family = PyDict_GetItemString(d, "family");
        if (family != NULL && family != Py_None && bmxpy_op_options(family, &defaults) < 0) {
            return -1;
        }
        size_t n = 0;
        bmx_error err = {BMX_OK, ""};
        if (bmx_recipe_read(path, &defaults, recipe, &n, &err) != BMX_OK) {
            bmxpy_raise(&err);
            return -1;
        }
        o->recipe = *recipe;
        o->recipe_len = n;
    }
    return 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static PyObject *summary_dict(const struct bmx_job_summary *s, struct shared *sh)
{
    PyObject *notes = PyList_New(0);
    for (int i = 0; notes != NULL && i < sh->n_notices; i++) {
        PyObject *t = PyUnicode_FromString(sh->notices[i]);
        if (t == NULL || PyList_Append(notes, t) < 0) {
            Py_XDECREF(t);
            Py_CLEAR(notes);
            break;
        }
        Py_DECREF(t);
    }
    if (notes == NULL) {
        return NULL;
    }
    PyObject *per_op = PyDict_New();
    for (int q = 0; per_op != NULL && q < BMX_OP_COUNT; q++) {
        PyObject *v = s->per_op[q] > 0 ? PyLong_FromUnsignedLongLong(s->per_op[q]) : NULL;
        if (s->per_op[q] > 0 &&
            (v == NULL || PyDict_SetItemString(per_op, bmx_op_name((enum bmx_op)q), v) < 0)) {
            Py_CLEAR(per_op);
        }
        Py_XDECREF(v);
    }
    if (per_op == NULL) {
        Py_DECREF(notes);
        return NULL;
    }
    return Py_BuildValue("{sKsKsKsKsKsKsKsKsKsKsKsKsNsNsK}", "samples", s->samples, "originals",
                         s->originals, "resumed", s->resumed, "skipped_images", s->skipped_images,
                         "skipped_outputs", s->skipped_outputs, "kept_whole", s->kept_whole,
                         "clipped", s->clipped, "dropped", s->dropped, "masked", s->masked,
                         "holes_filled", s->holes_filled, "with_keypoints", s->with_keypoints,
                         "keypoints_hidden", s->keypoints_hidden, "notices", notes, "per_op",
                         per_op, "not_pasted_no_mask", s->not_pasted_no_mask);
}

/* augment(options dict, progress callable or None) -> summary dict */
PyObject *bmxpy_augment(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *d, *progress;
    if (!PyArg_ParseTuple(args, "O!O", &PyDict_Type, &d, &progress)) {
        return NULL;
    }
    if (progress != Py_None && !PyCallable_Check(progress)) {
        PyErr_SetString(PyExc_TypeError, "progress: expected a callable(done, total) or None");
        return NULL;
    }
    struct shared *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return PyErr_NoMemory();
    }
    struct strs keep = {{0}, 0};
    PyObject *result = NULL, *et = NULL, *ev = NULL, *etb = NULL;
    bmx_job_options_init(&s->opts);
    if (fill(d, &s->opts, &s->entry, &s->recipe, &keep) < 0) {
        goto done;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    s->opts.cancel = &s->cancel;
    s->opts.progress = on_progress;
    s->opts.progress_ctx = s;
    s->opts.notice = on_notice;
    s->opts.notice_user = s;
    pthread_t th;
    int rc = pthread_create(&th, NULL, run_job, s);
    if (rc != 0) {
        PyErr_Format(PyExc_RuntimeError, "augment: cannot start the job's thread: %s", strerror(rc));
        goto destroy;
    }
    uint64_t last_done = UINT64_MAX, last_total = UINT64_MAX;
    unsigned last_stage = UINT32_MAX;
    double last_call = now();
    for (;;) {
        uint64_t done_n, total_n;
        unsigned stage;
        bool finished;
        Py_BEGIN_ALLOW_THREADS
        pthread_mutex_lock(&s->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!s->finished && !s->changed) {
            if (pthread_cond_timedwait(&s->cond, &s->lock, &until) == ETIMEDOUT) {
                break;
            }
        }
        s->changed = false;
        done_n = s->done;
        total_n = s->total;
        stage = s->stage;
        finished = s->finished;
        pthread_mutex_unlock(&s->lock);
        Py_END_ALLOW_THREADS
        double t = now();
        bool news = done_n != last_done || total_n != last_total || stage != last_stage;
        /* At most ten calls a second for news, and one at least every half second. */
        if (progress != Py_None && et == NULL &&
            ((news && (t - last_call >= 0.1 || finished)) || t - last_call >= 0.5)) {
            PyObject *r = PyObject_CallFunction(progress, "KK", (unsigned long long)done_n,
                                                (unsigned long long)total_n);
            last_call = t;
            last_done = done_n;
            last_total = total_n;
            last_stage = stage;
            if (r == NULL) {
                PyErr_Fetch(&et, &ev, &etb);
                s->cancel = 1;
            }
            Py_XDECREF(r);
        }
        if (et == NULL && PyErr_CheckSignals() < 0) {
            PyErr_Fetch(&et, &ev, &etb);
            s->cancel = 1;
        }
        if (finished) {
            break;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    pthread_join(th, NULL);
    Py_END_ALLOW_THREADS
    if (et != NULL) {
        PyErr_Restore(et, ev, etb); /* the callback's (or the signal's) own exception */
    } else if (s->status != BMX_OK) {
        bmxpy_raise(&s->err);
    } else {
        result = summary_dict(&s->summary, s);
    }
destroy:
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
done:
    for (int i = 0; i < keep.n; i++) {
        Py_DECREF(keep.held[i]);
    }
    free(s->recipe);
    free(s);
    return result;
}
