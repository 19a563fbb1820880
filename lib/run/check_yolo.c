/* SPDX-License-Identifier: MIT */
/* The YOLO checks: the data.yaml (or folder) and its split's layout, then every
 * image's header (and pixels with `decode`) and every label file's rows, by the
 * reader's own rules (lib/formats/yolo_rows.c) going on past the first problem.
 * Problems are placed in their file by "line N" ("file" for the file as a whole);
 * every code starts with "yolo-" (README, boxmix-check). */
#include "check.h"
#include "input.h"
#include "yolo.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct yolo_check {
    struct checker *c;
    size_t reported;
};

/* A problem of the YOLO rules, through the checker's sink. */
static void sink(void *ctx, const struct bmx__yolo_problem *p)
{
    struct yolo_check *y = ctx;
    struct checker *c = y->c;
    c->file = p->file;
    bmx__check_path_pop(c, 0);
    if (p->line > 0) {
        bmx__check_path_append(c, "line %lu", p->line);
    } else {
        bmx__check_path_append(c, "file");
    }
    bmx__check_problem(c, p->error ? SEV_ERROR : SEV_WARNING, p->code, "%s", p->message);
    y->reported++;
}

static void file_problem(struct yolo_check *y, const char *file, const char *code,
                         const char *message)
{
    struct bmx__yolo_problem p = {file, 0, code, message, true};
    sink(y, &p);
}

/* A file's path as the user gave the dataset: below the data.yaml's (or folder's)
 * place when it lies there. */
static char *shown(const char *given_dir, const char *norm_dir, const char *full)
{
    if (norm_dir != NULL && strcmp(norm_dir, "/") != 0 && bmx__yolo_under(full, norm_dir)) {
        const char *rel = full + strlen(norm_dir);
        rel += *rel == '/';
        return given_dir[0] != '\0' ? bmx__path_join(given_dir, rel) : strdup(rel);
    }
    return strdup(full);
}

bmx_status bmx__check_yolo(struct checker *c, bmx_error *err)
{
    const struct bmx_check_options *opts = c->opts;
    const char *path = opts->input.annotations;
    struct yolo_check y = {c, 0};
    struct bmx_labels names = {0, NULL};
    struct bmx__yolo_layout l;
    struct bmx__yolo_rows rows = {0};
    char *given_dir = NULL, *norm_dir = NULL, *buf = NULL;
    size_t cap = 0;
    bmx_status st = BMX_OK;
    if (opts->input.yolo_names != NULL) {
        st = bmx_labels_read(opts->input.yolo_names, &names, err);
        if (st != BMX_OK) {
            return st;
        }
    }
    memset(&l, 0, sizeof l);
    st = bmx__yolo_layout(path, opts->input.yolo_split,
                          opts->input.yolo_names != NULL ? &names : NULL,
                          opts->input.yolo_allow_outside, sink, &y, &l, err);
    bmx_labels_free(&names);
    if (st != BMX_OK) {
        /* A problem of the data.yaml or its paths was reported: the check ran. */
        return y.reported > 0 && st != BMX_E_NOMEM ? BMX_OK : st;
    }
    struct stat sb;
    bool folder = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
    const char *slash = strrchr(path, '/');
    given_dir = folder ? strdup(path) : strndup(path, slash != NULL ? (size_t)(slash - path) : 0);
    norm_dir = given_dir != NULL ? bmx__yolo_norm_path(given_dir[0] ? given_dir : ".") : NULL;
    if (norm_dir == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    c->sum.categories = l.names.n;
    c->sum.images = l.images.n;
    bmx__progress_stage(&c->progress, "checking files", BMX_PROGRESS_FILES, l.images.n);
    for (size_t i = 0; i < l.images.n && !c->nomem; i++, bmx__progress_step(&c->progress)) {
        const char *img = l.images.v[i];
        char *img_shown = shown(given_dir, norm_dir, img);
        char *label = bmx__yolo_label_path(img);
        char *label_shown = label != NULL ? shown(given_dir, norm_dir, label) : NULL;
        size_t len = 0;
        if (img_shown == NULL || label == NULL || label_shown == NULL) {
            c->nomem = true;
        } else {
            bmx_error e;
            int32_t w = 0, h = 0;
            c->sum.image_files++;
            bmx_status ist = bmx__read_file_into(img, &buf, &cap, &len, &e);
            if (ist == BMX_OK) {
                ist = bmx_image_probe((const uint8_t *)buf, len, &w, &h, &e);
            }
            if (ist != BMX_OK) {
                file_problem(&y, img_shown, "yolo-image-unreadable", e.message);
            } else if (opts->limits.max_image_pixels > 0 &&
                       (uint64_t)w * (uint64_t)h > opts->limits.max_image_pixels) {
                char msg[200];
                snprintf(msg, sizeof msg, "%d x %d pixels exceeds the limit of %" PRIu64, (int)w,
                         (int)h, opts->limits.max_image_pixels);
                file_problem(&y, img_shown, "yolo-image-too-large", msg);
            } else if (opts->decode) {
                struct bmx_image im = {0};
                if (bmx_image_decode((const uint8_t *)buf, len, &opts->limits, &im, &e) != BMX_OK) {
                    file_problem(&y, img_shown, "yolo-image-undecodable", e.message);
                }
                bmx_image_free(&im);
            }
            if (stat(label, &sb) == 0 && sb.st_size >= 0) {
                ist = bmx__read_file_into(label, &buf, &cap, &len, &e);
                if (ist != BMX_OK) {
                    file_problem(&y, label_shown, "yolo-label-unreadable", e.message);
                } else {
                    bmx__yolo_rows_free(&rows);
                    ist = bmx__yolo_parse_rows(buf, len, label_shown, l.names.n,
                                               opts->limits.max_objects_per_image,
                                               opts->limits.max_polygon_vertices, true, sink, &y,
                                               &rows, &e);
                    c->nomem = c->nomem || ist == BMX_E_NOMEM;
                    c->sum.annotations += rows.n;
                }
            }
        }
        free(img_shown);
        free(label);
        free(label_shown);
    }
    c->file = path;
done:
    bmx__yolo_rows_free(&rows);
    bmx__yolo_layout_free(&l);
    free(given_dir);
    free(norm_dir);
    free(buf);
    return st;
}
