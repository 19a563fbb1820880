/* SPDX-License-Identifier: MIT */
/* The dataset checker: walk a COCO file or a Pascal VOC folder as it is and
 * report every problem.
 *
 * COCO: the records are judged by the reader's own rules (lib/formats/coco_rules.h),
 * whose sink here collects every problem where the reader's stops at the first: a
 * first pass judges the syntax and finds the sections, then each record is parsed
 * into a small tree of its own (json.h), put to the rules and forgotten,
 * categories, then images, then annotations, whatever their order in the file.
 * Every problem the reader refuses a file for is an error here, so a file with no
 * error reads.
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
 * - limits: the options' struct bmx_limits (by default bmx_limits_init's), the
 *   rules bmx_dataset_read_coco_limited refuses by (coco_rule_limits.c: pixels of
 *   an image record, annotations per image, polygon vertices per annotation);
 * - keypoints: the reader's rules (coco_rule_keypoints.c): the structure (a list
 *   of numbers, num_keypoints, a category's names and skeleton), then those of
 *   keypoints.h against the category's keypoint count, the image and the bbox.
 *
 * This file holds the entry point (bmx_check_run) and the sink that counts and
 * reports each problem; the checker's state is in check.h, shared with the walks
 * (check_coco.c, check_voc.c) and the image files of check_files.c.
 */
#include "check.h"
#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the sink of the rules' problems: every one, counted and reported ---- */

static bool collect(void *ctx, const struct bmx__rule_problem *p)
{
    struct checker *c = ctx;
    enum bmx_severity sev =
        p->level == BMX__WARNING && !c->opts->strict ? BMX_SEVERITY_WARNING : BMX_SEVERITY_ERROR;
    if (sev == BMX_SEVERITY_ERROR) {
        c->sum.errors++;
    } else {
        c->sum.warnings++;
    }
    if (c->report != NULL) {
        struct bmx_problem problem = {
            .file = c->file,
            .path = p->path,
            .code = p->code,
            .message = p->message,
            .severity = sev,
        };
        c->report(&problem, c->ctx);
    }
    return true;
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
    if (opts->input.format != BMX_DATASET_YOLO &&
        (opts->input.yolo_split != NULL || opts->input.yolo_names != NULL)) {
        return bmx__fail(err, BMX_E_INVALID, "check: a YOLO split and names file apply to YOLO only");
    }
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
    c.pr = (struct bmx__problems){.sink = collect, .ctx = &c, .all = true};
    bmx_status st = BMX_OK;
    bmx__progress_init(&c.progress, opts->progress, opts->progress_ctx);
    if (opts->input.format == BMX_DATASET_YOLO) {
        c.pr.doc_path = "file";
        st = bmx__check_yolo(&c, err);
    } else if (voc) {
        c.voc = true;
        c.pr.doc_path = "/";
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
        c.pr.doc_path = "$";
        c.image_root = opts->input.images;
        bmx__check_coco(&c, buf, len);
        free(buf);
    }
    if (c.nomem || c.pr.nomem) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory while checking",
                       opts->input.annotations);
    }
    if (summary != NULL) {
        *summary = c.sum;
    }
    bmx__coco_rules_free(&c.coco);
    free(c.file_buf);
    return st;
}
