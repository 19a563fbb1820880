/* SPDX-License-Identifier: MIT */
/* The dataset checker: walk a COCO file or a Pascal VOC folder as it is and
 * report every problem.
 *
 * Unlike the strict COCO reader (lib/formats/coco_read.c), which stops at the first problem, this
 * walks the document itself, records after records, and keeps going: a first pass
 * judges the syntax and finds the sections, then each record is parsed into a small
 * tree of its own (json.h), checked and forgotten, categories, then images, then
 * annotations, whatever their order in the file. Every check
 * that the strict reader makes is an error here, so a file with no error reads.
 *
 * VOC: the reader (voc.c) stops at the first problem of a dataset, so the checker
 * lists the XML files itself and reads them one at a time: a file the reader
 * refuses gives one problem (its first), placed by its kind and element path; a
 * file it takes goes through the checks that concern more than one file or the
 * files around it (file names, labels, image files) and the 1-pixel box warning.
 *
 * Tolerances (also in the README):
 * - coordinates: COORD_EPS = 0.02 px of slack everywhere a box, a polygon or an
 *   image edge are compared, for values rounded to two decimals as the official
 *   files are;
 * - a box past the image edge by at most 1 px is a warning, by more an error;
 *   a polygon vertex outside the image a warning, one more than the image's size
 *   past an edge an error (the reader refuses it);
 * - a box whose sides are within 1 px of its mask's box (polygons: the extent of
 *   the vertices; RLE: the COCO API's toBbox) is a warning, farther an error;
 * - polygon `area`: the exact (shoelace) area, within 0.5 px^2 + 0.1 %;
 *   RLE `area`: the pixel count, within 0.5; bare box: at most w*h (same slack);
 * - crowd objects: the official files' area and bbox often differ from the mask,
 *   so for them any such difference is a warning;
 * - limits: the options' struct bmx_limits (by default bmx_limits_init's), applied
 *   to the records as bmx_dataset_read_coco_limited applies them (pixels of an
 *   image record, annotations per image, polygon vertices per annotation);
 * - keypoints: the rules of keypoints.h (bmx__keypoints_check, which the reader
 *   applies too), against the category's keypoint count, the image and the bbox;
 *   the structure around them (a list of numbers, num_keypoints, a category's
 *   names and skeleton) as coco_keypoints.c reads it.
 *
 * This file holds the entry point (bmx_check_run) and the path and problem
 * reporting; the checker's state is in check.h, shared with the walks, the rules
 * and the id table of check_*.c.
 */
#include "check.h"
#include "input.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- paths ---- */

static bool is_ident(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) {
        return false;
    }
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_')) {
            return false;
        }
    }
    return true;
}

void bmx__check_path_append(struct checker *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + c->plen, sizeof c->path - c->plen, fmt, ap);
    va_end(ap);
    if (n > 0) {
        c->plen += (size_t)n;
        if (c->plen >= sizeof c->path) {
            c->plen = sizeof c->path - 1;
        }
    }
}

/* Push one segment; return the length to restore with bmx__check_path_pop. */
size_t bmx__check_path_key(struct checker *c, const char *key)
{
    size_t old = c->plen;
    if (is_ident(key)) {
        size_t n = strlen(key);
        if (c->plen + n + 2 > sizeof c->path) {
            return old;
        }
        if (c->plen > 0) {
            c->path[c->plen++] = '.';
        }
        memcpy(c->path + c->plen, key, n + 1);
        c->plen += n;
        return old;
    }
    bmx__check_path_append(c, "[\"");
    for (const unsigned char *s = (const unsigned char *)key; *s; s++) {
        if (*s == '"' || *s == '\\') {
            bmx__check_path_append(c, "\\%c", *s);
        } else if (*s < 0x20) {
            bmx__check_path_append(c, "\\u%04x", *s);
        } else {
            bmx__check_path_append(c, "%c", *s);
        }
    }
    bmx__check_path_append(c, "\"]");
    return old;
}

size_t bmx__check_path_index(struct checker *c, size_t i)
{
    size_t old = c->plen;
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + i % 10);
        i /= 10;
    } while (i > 0);
    if (c->plen + n + 3 > sizeof c->path) {
        return old; /* a path this long is cut, never overrun */
    }
    c->path[c->plen++] = '[';
    while (n > 0) {
        c->path[c->plen++] = digits[--n];
    }
    c->path[c->plen++] = ']';
    c->path[c->plen] = '\0';
    return old;
}

void bmx__check_path_pop(struct checker *c, size_t len)
{
    c->plen = len;
    c->path[len] = '\0';
}

/* ---- reporting ---- */

void bmx__check_problem(struct checker *c, enum bmx_severity sev, const char *code, const char *fmt,
                        ...)
{
    if (c->opts->strict) {
        sev = BMX_SEVERITY_ERROR;
    }
    if (sev == BMX_SEVERITY_ERROR) {
        c->sum.errors++;
    } else {
        c->sum.warnings++;
    }
    if (c->report == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    struct bmx_problem p = {
        .file = c->file,
        .path = c->plen ? c->path : c->doc_path,
        .code = code,
        .message = c->msg,
        .severity = sev,
    };
    c->report(&p, c->ctx);
}

/* ------------------------------------------------------------------------- */
/* Public                                                                     */
/* ------------------------------------------------------------------------- */

void bmx_check_options_init(struct bmx_check_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
    bmx_input_init(&opts->input);
    bmx_limits_init(&opts->limits);
}

const char *bmx_severity_name(enum bmx_severity severity)
{
    return severity == BMX_SEVERITY_ERROR ? "error" : "warning";
}

/* The caller's options read up to their size (boxmix.h, "Options that grow"). */
static bmx_status read_options(const struct bmx_check_options *in, struct bmx_check_options *o,
                               bmx_error *err)
{
    bmx_check_options_init(o);
    bmx_status st = bmx__sized_read(o, sizeof *o, in, "struct bmx_check_options", err);
    if (st == BMX_OK) {
        st = bmx__input_member(&o->input, offsetof(struct bmx_check_options, input),
                               bmx__sized_given(in), "struct bmx_check_options.input", err);
    }
    return st;
}

bmx_status bmx_check_run(const struct bmx_check_options *given,
                         void (*report)(const struct bmx_problem *problem, void *ctx), void *ctx,
                         struct bmx_check_summary *summary, bmx_error *err)
{
    struct bmx_check_options o;
    const struct bmx_check_options *opts = &o;
    if (summary != NULL) {
        memset(summary, 0, sizeof *summary);
    }
    if (given == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "check: no annotation file given");
    }
    bmx_status rst = read_options(given, &o, err);
    if (rst != BMX_OK) {
        return rst;
    }
    if (opts->input.annotations == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "check: no annotation file given");
    }
    const bool voc = opts->input.format == BMX_DATASET_VOC;
    if (!voc && (opts->input.voc_split != NULL || opts->input.labels != NULL)) {
        return bmx__fail(err, BMX_E_INVALID, "check: a split and a labels file apply to VOC only");
    }
    /* A folder a boxmix run is still writing (or died writing) is no dataset. */
    bmx_status fst = bmx__check_input_finished(&opts->input, err);
    if (fst != BMX_OK) {
        return fst;
    }
    struct checker c = {
        .opts = opts, .report = report, .ctx = ctx, .file = opts->input.annotations};
    bmx_status st = BMX_OK;
    bmx__progress_init(&c.progress, opts->progress, opts->progress_ctx);
    if (voc) {
        c.voc = true;
        c.doc_path = "/";
        st = bmx__check_voc(&c, err);
    } else {
        if (opts->decode && opts->input.images == NULL) {
            return bmx__fail(err, BMX_E_INVALID, "check: decoding images needs an image folder");
        }
        char *buf = NULL;
        size_t len = 0;
        st = bmx__read_file(opts->input.annotations, &buf, &len, err);
        if (st != BMX_OK) {
            return st;
        }
        c.doc_path = "$";
        c.image_root = opts->input.images;
        bmx__check_coco(&c, buf, len);
        free(buf);
    }
    if (c.nomem) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory while checking",
                       opts->input.annotations);
    }
    if (summary != NULL) {
        *summary = c.sum;
    }
    free(c.images.slots);
    free(c.image_values.slots);
    free(c.anns.slots);
    free(c.cats.slots);
    free(c.names.slots);
    free(c.recs);
    free(c.cat_keypoints);
    while (c.pool != NULL) {
        struct pool_block *next = c.pool->next;
        free(c.pool);
        c.pool = next;
    }
    free(c.rings);
    free(c.xy);
    free(c.runs);
    free(c.kp);
    free(c.file_buf);
    return st;
}
