/* SPDX-License-Identifier: MIT */
/* Internal: the COCO rules, one set for the reader and the checker.
 *
 * Each rule reports its problem through a sink with a weight, a code, the JSON
 * path and a message. The checker (lib/run/check*.c) collects every problem; the
 * reader (coco_read.c) keeps the first one it refuses the document for and stops
 * at the end of that record. The rules go on within a record after a problem, so
 * the checker sees all of them; with `all` false (the reader), warnings and the
 * checker's own errors are dropped before their message is formatted and the
 * checks only the checker makes (masks against boxes and areas) are not run, so
 * a good file costs the reader no message and no extra pass. */
#ifndef BMX_COCO_RULES_H
#define BMX_COCO_RULES_H

#include "coco.h"
#include "json.h"

#include <string.h>

/* The checker's tolerances (the README and lib/run/check.c say why). */
#define BMX__COORD_EPS 0.02
#define BMX__EDGE_TOL 1.0
#define BMX__AREA_ABS_TOL 0.5
#define BMX__AREA_REL_TOL 1e-3

/* What a problem weighs. */
enum bmx__level {
    BMX__REFUSE,  /* an error the reader refuses the document for */
    BMX__ERROR,   /* an error the checker reports; the reader takes the file */
    BMX__WARNING, /* suspicious or a known quirk */
};

struct bmx__rule_problem {
    enum bmx__level level;
    /* The reader meets it once its record is read (a repeated id): a refusal of
     * the record's fields comes first. */
    bool late;
    /* The reader meets it once every record is read (a box or a vertex far
     * outside its image): a refusal of any record comes first. */
    bool deferred;
    /* A keypoint problem: the reader names it after every record's other
     * refusals, deferred ones included (categories' first, then annotations'). */
    bool keypoints;
    /* A limit of struct bmx_limits exceeded: the reader names it last of all. */
    bool limit;
    bmx_status status; /* what the reader fails with: BMX_E_SCHEMA unless said */
    const char *code;
    const char *path; /* "annotations[3].bbox"; the document's own path when empty */
    const char *message;
};

/* Where problems go, and the place the rules are at. */
struct bmx__problems {
    /* Returns whether to go on after this record; false sets `stop`. */
    bool (*sink)(void *ctx, const struct bmx__rule_problem *p);
    void *ctx;
    bool all;             /* every problem (checking), else refusals only (reading) */
    bool late;            /* the problems reported now are late ones */
    bool deferred;        /* or deferred ones */
    bool keypoints;       /* or keypoint ones */
    bool limit;           /* or limits exceeded */
    bmx_status status;    /* and their status for the reader (BMX_OK: BMX_E_SCHEMA) */
    bool stop;            /* the sink said stop: no record after this one */
    bool nomem;           /* out of memory: the rules stopped short */
    const char *doc_path; /* the path of a whole document: "$" (JSON), "/" (XML) */
    char path[1024];
    size_t plen;
    char msg[1024];
};

/* Append to the path, printf-style. */
void bmx__path_append(struct bmx__problems *pr, const char *fmt, ...) BMX__PRINTF(2, 3);
/* Push one segment (a key, an index); return the length to restore with
 * bmx__path_pop. */
size_t bmx__path_key(struct bmx__problems *pr, const char *key);
size_t bmx__path_index(struct bmx__problems *pr, size_t i);
void bmx__path_pop(struct bmx__problems *pr, size_t len);

/* Push a field whose name is an identifier (a literal: "bbox"), under a record:
 * the cheap push every field of every record makes. */
#define BMX__PATH_FIELD(pr, key) bmx__path_field(pr, key, sizeof key - 1)
static inline size_t bmx__path_field(struct bmx__problems *pr, const char *key, size_t n)
{
    size_t old = pr->plen;
    if (old + n + 2 <= sizeof pr->path) {
        pr->path[old] = '.';
        memcpy(pr->path + old + 1, key, n + 1);
        pr->plen = old + n + 1;
    }
    return old;
}
/* Report one problem at the current path (formatted only when the sink takes it). */
void bmx__problem(struct bmx__problems *pr, enum bmx__level level, const char *code,
                  const char *fmt, ...) BMX__PRINTF(4, 5);

/* ---- the rules' state ---- */

/* The operation of an image's `boxmix` record (checker only). */
enum {
    BMX__BOXMIX_NONE,
    BMX__BOXMIX_CUTMIX,
    BMX__BOXMIX_CUTOUT,
    BMX__BOXMIX_MIXUP,
    BMX__BOXMIX_MOSAIC,
    BMX__BOXMIX_COPYPASTE,
    BMX__BOXMIX_ORIGINAL,
    BMX__BOXMIX_OPS
};

/* What the annotation rules need to know of an image record. */
struct bmx__coco_image_rec {
    int32_t w, h;
    bool dims_ok;
    uint64_t n_anns; /* annotations that name it so far */
    int op;          /* its boxmix.op (BMX__BOXMIX_*), read by the checker */
};

/* Strings that outlive the record they come from (string ids, file names): one
 * block after another, never moved. */
struct bmx__pool_block {
    struct bmx__pool_block *next;
    size_t cap, used;
    char data[];
};

/* What an annotation's segmentation turned out to be. */
enum bmx__seg {
    BMX__SEG_NONE,    /* absent or null */
    BMX__SEG_EMPTY,   /* [] */
    BMX__SEG_POLYGON, /* valid rings in `polys` */
    BMX__SEG_RLE,     /* a valid mask in `rle` */
    BMX__SEG_BAD      /* reported: no geometry checks */
};

/* An annotation as the rules read it (valid where no refusal was reported). */
struct bmx__coco_ann {
    int64_t id, category_id;
    size_t image; /* index of its image */
    bool image_ok;
    size_t category; /* index of its category record */
    bool category_ok;
    struct bmx_box box;
    bool box_ok;
    double area;
    bool has_area;
    int iscrowd;
    bool has_iscrowd;
    enum bmx__seg seg;
    struct bmx_polyset polys; /* owned when the rules keep records, else their scratch */
    bool polys_owned;
    struct bmx_rle rle; /* owned (rle_owned: the string form, or kept records) or scratch */
    bool rle_owned;
    bool rle_compressed;
    size_t n_known; /* members boxmix reads (the first of each name): the rest ride along */
};

/* An image record as the rules read it. */
struct bmx__coco_image {
    bool id_is_str;
    int64_t id;
    const char *id_str; /* in the rules' pool */
};

struct bmx__coco_rules {
    struct bmx__problems *pr;
    const struct bmx_limits *limits; /* applied to the records when not NULL */
    /* Called for an image record with a usable file name (the checker's image
     * files on disk), the path at its file_name; NULL: none. */
    void (*image_file)(void *ctx, const char *name, const struct bmx__coco_image_rec *rec);
    void *image_file_ctx;
    bool keep;      /* the caller keeps the records: polygons and runs are allocated for it */
    bool images_ok; /* image_id references are checked */
    bool cats_ok;   /* category_id references are checked */
    struct bmx__image_ids images;
    struct bmx__id_table cats, names;
    struct bmx__id_table anns; /* built the first time annotation ids stop growing */
    int64_t *ann_ids;
    size_t n_anns, ann_ids_cap;
    bool anns_increasing;
    struct bmx__coco_last_image last;
    struct bmx__coco_image_rec *recs;
    size_t n_recs, recs_cap;
    struct bmx__pool_block *pool;
    /* scratch reused from annotation to annotation */
    struct bmx_poly *rings;
    size_t rings_cap;
    double *xy;
    size_t xy_cap;
    uint32_t *runs;
    size_t runs_cap;
    size_t *cat_kp; /* per category record: its keypoint count (0: none) */
    size_t cat_kp_cap;
    double *kp; /* an annotation's keypoints */
    size_t kp_cap;
};

/* Rules with room for the given counts (they grow past them); false when out of
 * memory. bmx__coco_rules_free frees what they hold. */
bool bmx__coco_rules_init(struct bmx__coco_rules *r, struct bmx__problems *pr, size_t n_images,
                          size_t n_annotations, size_t n_categories);
void bmx__coco_rules_free(struct bmx__coco_rules *r);

/* A copy of `s` that lives as long as the rules (NULL when out of memory). */
const char *bmx__coco_pool_copy(struct bmx__coco_rules *r, const char *s);

/* ---- the document (coco_scan.c, coco_rule_sections.c) ---- */

enum { BMX__SEC_IMAGES, BMX__SEC_ANNOTATIONS, BMX__SEC_CATEGORIES, BMX__SEC_COUNT };

/* What the first pass learns of a document. */
struct bmx__coco_doc {
    size_t root;       /* offset of the top-level value */
    char first;        /* its first character ('\0': none) */
    const char **keys; /* its members' keys (in the parser's arena), file order */
    size_t *starts;    /* and where their values start */
    size_t n, cap;
    bool repeats;                 /* a key repeats an earlier one */
    bool has[BMX__SEC_COUNT];     /* the section's key is there: its first value is at */
    size_t start[BMX__SEC_COUNT]; /* start[], an array of count[] records when is_array[] */
    bool is_array[BMX__SEC_COUNT];
    size_t count[BMX__SEC_COUNT];
    size_t end;      /* just past the top-level value */
    size_t trailing; /* where text after it starts (SIZE_MAX: none) */
};

/* Judge the syntax of the whole text and find the members (keys so far when it
 * fails). False on a syntax error (left in `p` for bmx__json_fail) or when out of
 * memory (*nomem); bmx__coco_doc_free frees what it holds either way. */
bool bmx__coco_scan(struct bmx__json *p, struct bmx__coco_doc *d, bool *nomem);
void bmx__coco_doc_free(struct bmx__coco_doc *d);
/* The document's own rules, each false after its problem: text after the
 * document (NUL padding only the checker reports), a top level that is no
 * object. Repeated keys: bmx__rule_duplicate_list over d->keys. */
bool bmx__rule_trailing(struct bmx__problems *pr, const struct bmx__json *p,
                        const struct bmx__coco_doc *d);
bool bmx__rule_top_object(struct bmx__problems *pr, const struct bmx__coco_doc *d);

/* The top-level sections: first[s] is the first character of the value of
 * images, annotations and categories (in that order; '\0' when missing), `info`
 * that of info's ('\0' when there is none). */
void bmx__rule_sections(struct bmx__problems *pr, const char first[3], char info);

/* ---- any value (coco_rule_values.c) ---- */

void bmx__rule_nonfinite(struct bmx__problems *pr, const struct bmx__jnode *v);
void bmx__rule_duplicate_list(struct bmx__problems *pr, const char *const *keys, size_t n);
void bmx__rule_duplicate_keys(struct bmx__problems *pr, const struct bmx__jnode *obj);
/* Keys repeated in any object nested in `v` (not `v` itself, whose own keys its
 * rule checks), at their paths; `skip` (may be NULL) names a member of `v` whose
 * rule checks it (a record's segmentation). The reader's parser refuses them all. */
void bmx__rule_nested_duplicate_keys(struct bmx__problems *pr, const struct bmx__jnode *v,
                                     const char *skip);
const struct bmx__jnode *bmx__rule_member(struct bmx__problems *pr, const struct bmx__jnode *obj,
                                          const char *key, bool required);

/* ---- the records (coco_rule_records.c, coco_rule_segmentation.c) ----
 * Each at the record's path ("categories[2]"), record i of its array. */

void bmx__rule_category(struct bmx__coco_rules *r, const struct bmx__jnode *cat, size_t i,
                        int64_t *id);
void bmx__rule_image(struct bmx__coco_rules *r, const struct bmx__jnode *im, size_t i,
                     struct bmx__coco_image *out);
void bmx__rule_annotation(struct bmx__coco_rules *r, const struct bmx__jnode *a, size_t i,
                          struct bmx__coco_ann *out);
/* Free what an annotation's reading holds (its owned RLE). */
void bmx__coco_ann_release(struct bmx__coco_ann *a);

/* ---- the reader's side (coco_record.c) ---- */

/* The reader: the name messages give the input, where its error goes, the rules
 * it reads by and the first refusal of the record being read. */
struct bmx__coco_reader {
    const char *name;
    bmx_error *err;
    struct bmx__problems pr;
    struct bmx__coco_rules rules;
    bool refused, late_refused, deferred_refused;
    bmx_status status, late_status, deferred_status;
    char first[1024], late[1024], deferred[1024];
    /* the first keypoint refusal and the first limit exceeded, named last */
    bool kp_refused, limit_refused;
    /* keypoints that are no whole number of triples, read before the categories
     * (the fast reader leaves them to the checked one to name) */
    bool kp_uncounted;
    bmx_status kp_status, limit_status;
    char kp[1024], limit[1024];
};

/* A reader of `name` failing into `err`; false when out of memory. */
bool bmx__coco_reader_init(struct bmx__coco_reader *r, const char *name, bmx_error *err);
void bmx__coco_reader_free(struct bmx__coco_reader *r);
/* After a record (or the document's own members): its refusal, if any, as the
 * error. */
bmx_status bmx__coco_reader_check(struct bmx__coco_reader *r);
/* After the last record: the first deferred refusal, if any, as the error. */
bmx_status bmx__coco_reader_finish(struct bmx__coco_reader *r);
/* The keypoint value rules of every object read (file order) whose category was
 * not known when it was read: the fast reader's deferred pass. */
void bmx__coco_reader_keypoint_values(struct bmx__coco_reader *r, const bmx_dataset *ds);
/* After the keypoints too: the first keypoint refusal, then the first limit
 * exceeded, if any, as the error. */
bmx_status bmx__coco_reader_finish_last(struct bmx__coco_reader *r);

enum bmx__seg bmx__rule_polygons(struct bmx__coco_rules *r, const struct bmx__jnode *seg,
                                 struct bmx_polyset *set, bool *owned);
enum bmx__seg bmx__rule_rle(struct bmx__coco_rules *r, const struct bmx__jnode *seg,
                            const struct bmx__coco_image_rec *img, struct bmx__coco_ann *out);
/* A vertex far outside its image (more than the image's size past an edge):
 * reported (deferred) and true. */
bool bmx__rule_far_vertex(struct bmx__coco_rules *r, const struct bmx_polyset *set,
                          const struct bmx__coco_image_rec *img);
/* ---- boxmix's records (coco_rule_boxmix.c), checker only ---- */

/* Image record `im`'s boxmix field (sets rec->op), at the record's path. */
void bmx__rule_image_boxmix(struct bmx__coco_rules *r, const struct bmx__jnode *im,
                            struct bmx__coco_image_rec *rec);
/* Annotation `a`'s boxmix field against its image (NULL: unknown). */
void bmx__rule_annotation_boxmix(struct bmx__coco_rules *r, const struct bmx__jnode *a,
                                 const struct bmx__coco_image_rec *img);

/* ---- keypoints (coco_rule_keypoints.c): keypoint problems for the reader ---- */

/* An annotation's keypoints as the rules read them. */
struct bmx__coco_kp {
    bool has_num; /* a good num_keypoints */
    double num;
    bool has_kp; /* a keypoints member */
    bool ok;     /* and a list of finite numbers: */
    const double *v; /* n of them, in the rules' scratch (until the next annotation) */
    size_t n;
};

/* The pairs a category record's skeleton can give (room for
 * bmx__rule_category_keypoints). */
size_t bmx__coco_skeleton_pairs(const struct bmx__jnode *cat);
/* Category record i (an object): its keypoint names (the count is kept for its
 * annotations) and skeleton, the good pairs into `pairs` (NULL: not kept),
 * *n_pairs of them. */
void bmx__rule_category_keypoints(struct bmx__coco_rules *r, const struct bmx__jnode *cat,
                                  size_t i, int32_t *pairs, size_t *n_pairs);
/* An annotation (an object, `ann` its reading): num_keypoints and keypoints, and
 * with `values` the value rules against its category, image and bbox. */
void bmx__rule_keypoints(struct bmx__coco_rules *r, const struct bmx__jnode *a,
                         const struct bmx__coco_ann *ann, bool values, struct bmx__coco_kp *out);
/* The value rules alone: `expected` the category's count, `img` its image (NULL:
 * unknown), `box` its bbox (NULL: none usable). */
void bmx__rule_keypoint_values(struct bmx__coco_rules *r, const struct bmx__coco_kp *kp,
                               size_t expected, const struct bmx__coco_image_rec *img,
                               const struct bmx_box *box);

/* ---- the limits (coco_rule_limits.c): r->limits, none when NULL ---- */

/* The pixels an image record declares, at the record's path. */
void bmx__rule_limit_pixels(struct bmx__coco_rules *r, const struct bmx__coco_image_rec *rec);
/* One more annotation names `rec` (id as the annotation spells it), at its
 * image_id: counted, and reported at the first beyond the limit. */
void bmx__rule_limit_annotations(struct bmx__coco_rules *r, struct bmx__coco_image_rec *rec,
                                 bool is_str, int64_t num, const char *str);
/* The vertices of an annotation's polygons, all rings, at its segmentation. */
void bmx__rule_limit_vertices(struct bmx__coco_rules *r, const struct bmx_polyset *set);

void bmx__rule_mask_geometry(struct bmx__coco_rules *r, const struct bmx__coco_ann *a,
                             const struct bmx__coco_image_rec *img);

#endif
