/* SPDX-License-Identifier: MIT */
/* Internal: the pieces of the dataset checker (lib/run/check*.c) and what they
 * share: the checker's state, whose path and problems are the COCO rules' own
 * (coco_rules.h), and the functions one file calls in another. check.c says what
 * the checker does and how it judges. */
#ifndef BMX_CHECK_H
#define BMX_CHECK_H

#include "coco_rules.h"
#include "progress.h"

/* The tolerances of the top of check.c (coco_rules.h holds them). */
#define COORD_EPS BMX__COORD_EPS

/* ------------------------------------------------------------------------- */
/* The checker's state                                                        */
/* ------------------------------------------------------------------------- */

struct checker {
    const struct bmx_check_options *opts;
    const char *file;       /* the file problems are reported in */
    const char *image_root; /* image files are checked when not NULL */
    bool voc;
    void (*report)(const struct bmx_problem *problem, void *ctx);
    void *ctx;
    struct bmx_check_summary sum;
    bool nomem;
    struct bmx__progress progress; /* the options' callback: records or XML files checked */

    struct bmx__problems pr;     /* the path and the sink (check.c) */
    struct bmx__coco_rules coco; /* the COCO rules' state (coco_rules.h) */

    /* scratch reused from annotation to annotation */
    char *file_buf;
    size_t file_cap;
};

/* The checker's own problems weigh BMX__ERROR or BMX__WARNING. */
#define SEV_ERROR BMX__ERROR
#define SEV_WARNING BMX__WARNING

/* ---- paths and problems: the rules' (coco_problems.c) ---- */

#define bmx__check_path_append(c, ...) bmx__path_append(&(c)->pr, __VA_ARGS__)
#define bmx__check_path_key(c, key) bmx__path_key(&(c)->pr, key)
#define bmx__check_path_index(c, i) bmx__path_index(&(c)->pr, i)
#define bmx__check_path_pop(c, len) bmx__path_pop(&(c)->pr, len)
#define bmx__check_problem(c, ...) bmx__problem(&(c)->pr, __VA_ARGS__)
#define bmx__check_member(c, obj, key, required) bmx__rule_member(&(c)->pr, obj, key, required)

/* ---- image files (check_files.c) ---- */

void bmx__check_image_file(struct checker *c, const char *name,
                           const struct bmx__coco_image_rec *rec);

/* ---- the walks (check_coco.c, check_voc.c, check_yolo.c) ---- */

void bmx__check_coco(struct checker *c, const char *buf, size_t len);
bmx_status bmx__check_voc(struct checker *c, bmx_error *err);
bmx_status bmx__check_yolo(struct checker *c, bmx_error *err);

#endif
