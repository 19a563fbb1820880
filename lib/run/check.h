/* SPDX-License-Identifier: MIT */
/* Internal: the pieces of the dataset checker (lib/run/check*.c) and what they
 * share: the tolerances, the id tables, the checker's state with its path and
 * problem reporting, and the functions one file calls in another. check.c says
 * what the checker does and how it judges. */
#ifndef BMX_CHECK_H
#define BMX_CHECK_H

#include "coco.h"
#include "json.h"
#include "progress.h"

/* The tolerances of the top of check.c. */
#define COORD_EPS 0.02
#define EDGE_TOL 1.0
#define AREA_ABS_TOL 0.5
#define AREA_REL_TOL 1e-3

/* ------------------------------------------------------------------------- */
/* Id tables: numeric or string keys -> index                                 */
/* ------------------------------------------------------------------------- */

struct key {
    bool is_str;
    int64_t num;
    const char *str; /* COCO: in the checker's string pool; VOC: owned by the walk */
};

struct slot {
    bool used;
    struct key key;
    size_t index;
};

struct table {
    struct slot *slots;
    size_t cap;
};

/* ------------------------------------------------------------------------- */
/* The checker's state                                                        */
/* ------------------------------------------------------------------------- */

/* What the annotation checks need to know of an image record. */
struct image_rec {
    int32_t w, h;
    bool dims_ok;
    uint64_t n_anns; /* annotations that name it so far */
};

/* Strings that outlive the record they come from (string ids, file names): one
 * block after another, never moved. */
struct pool_block {
    struct pool_block *next;
    size_t cap, used;
    char data[];
};

struct checker {
    const struct bmx_check_options *opts;
    const char *file;       /* the file problems are reported in */
    const char *doc_path;   /* the path of a whole document: "$" (JSON), "/" (XML) */
    const char *image_root; /* image files are checked when not NULL */
    bool voc;
    void (*report)(const struct bmx_problem *problem, void *ctx);
    void *ctx;
    struct bmx_check_summary sum;
    bool nomem;
    struct bmx__progress progress; /* the options' callback: records or XML files checked */

    char path[1024];
    size_t plen;
    char msg[1024];

    bool images_ok; /* the images array exists: image_id references are checked */
    bool cats_ok;   /* the categories array exists: category_id references are checked */
    struct table images, anns, cats, names;
    struct table image_values; /* the number each image id spells -> its image */
    struct image_rec *recs;
    size_t *cat_keypoints;   /* per category record: its keypoint count (0: none) */
    struct pool_block *pool; /* the id and file name strings of the tables */

    /* scratch reused from annotation to annotation */
    struct bmx_poly *rings;
    size_t rings_cap;
    double *xy;
    size_t xy_cap;
    uint32_t *runs;
    size_t runs_cap;
    double *kp;
    size_t kp_cap;
    char *file_buf;
    size_t file_cap;
};

#define SEV_ERROR BMX_SEVERITY_ERROR
#define SEV_WARNING BMX_SEVERITY_WARNING

/* What an annotation's segmentation turned out to be. */
enum seg {
    SEG_NONE,    /* absent, null or [] */
    SEG_POLYGON, /* valid rings in c->rings */
    SEG_RLE,     /* a valid mask in `rle` */
    SEG_BAD      /* reported: no geometry checks */
};

/* ---- paths and problems (check.c) ---- */

/* Append to the path, printf-style. */
void bmx__check_path_append(struct checker *c, const char *fmt, ...) BMX__PRINTF(2, 3);
/* Push one segment (a key, an index); return the length to restore with
 * bmx__check_path_pop. */
size_t bmx__check_path_key(struct checker *c, const char *key);
size_t bmx__check_path_index(struct checker *c, size_t i);
void bmx__check_path_pop(struct checker *c, size_t len);
/* Report one problem at the current path (the document's when empty). */
void bmx__check_problem(struct checker *c, enum bmx_severity sev, const char *code, const char *fmt,
                        ...) BMX__PRINTF(4, 5);

/* ---- id tables (check_ids.c) ---- */

bool bmx__check_table_init(struct table *t, size_t n);
struct slot *bmx__check_table_find(const struct table *t, const struct key *k);
void bmx__check_describe_key(const struct key *k, char *buf, size_t cap);
const char *bmx__check_pool_copy(struct checker *c, const char *s);
const struct slot *bmx__check_insert_id(struct checker *c, struct table *t, const struct key *k,
                                        size_t index, const char *section);
void bmx__check_insert_image_id(struct checker *c, const struct key *k, size_t index);

/* ---- any value (check_values.c) ---- */

void bmx__check_walk_nonfinite(struct checker *c, const struct bmx__jnode *v);
void bmx__check_duplicate_list(struct checker *c, const char *const *keys, size_t n);
void bmx__check_duplicate_keys(struct checker *c, const struct bmx__jnode *obj);
const struct bmx__jnode *bmx__check_member(struct checker *c, const struct bmx__jnode *obj,
                                           const char *key, bool required);

/* ---- image files (check_files.c) ---- */

void bmx__check_image_file(struct checker *c, const char *name, const struct image_rec *rec);

/* ---- records (check_records.c), keypoints (check_keypoints.c) ---- */

void bmx__check_category(struct checker *c, const struct bmx__jnode *cat, size_t i);
void bmx__check_image(struct checker *c, const struct bmx__jnode *im, size_t i);
void bmx__check_annotation(struct checker *c, const struct bmx__jnode *a, size_t i);
void bmx__check_category_keypoints(struct checker *c, const struct bmx__jnode *cat, size_t i);
void bmx__check_keypoints(struct checker *c, const struct bmx__jnode *a, size_t n_keypoints,
                          const struct image_rec *img, const struct bmx_box *box);

/* ---- segmentation (check_segmentation.c) ---- */

enum seg bmx__check_parse_polygons(struct checker *c, const struct bmx__jnode *seg,
                                   struct bmx_polyset *set);
enum seg bmx__check_parse_rle(struct checker *c, const struct bmx__jnode *seg,
                              const struct image_rec *img, struct bmx_rle *rle, bool *owned);
void bmx__check_box_vs_mask(struct checker *c, const struct bmx_box *box,
                            const struct bmx_box *mbox, bool crowd, const char *what);
void bmx__check_area_vs_mask(struct checker *c, double area, double want, double tol, bool crowd,
                             const char *what);
void bmx__check_polygons_inside(struct checker *c, const struct bmx_polyset *set,
                                const struct image_rec *img);

/* ---- the two walks (check_coco.c, check_voc.c) ---- */

void bmx__check_coco(struct checker *c, const char *buf, size_t len);
bmx_status bmx__check_voc(struct checker *c, bmx_error *err);

#endif
