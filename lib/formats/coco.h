/* SPDX-License-Identifier: MIT */
/* Internal: COCO records written piece by piece (the writer's parts the jobs and
 * merge assemble) and what the reader's files
 * (coco_ids.c, coco_record.c, coco_arrays.c, coco_read.c) share. */
#ifndef BMX_COCO_H
#define BMX_COCO_H

#include "dataset.h"
#include "jsonbuf.h"

/* Write a COCO id as it came: a number, or the string. */
void bmx__coco_put_image_id(struct bmx__buf *b, const struct bmx_image_info *info);

/* Write one annotation object. `image_id_json` is the literal to write for
 * image_id; `boxmix_json` (may be NULL) the literal of the "boxmix" field. */
void bmx__coco_put_annotation(struct bmx__buf *b, const struct bmx_object *obj, int64_t id,
                              const char *image_id_json, const char *boxmix_json);

/* The same annotation without its opening `{"id":N`: what follows the id, up to
 * and with the closing brace. A writer that numbers annotations only when the
 * whole file is assembled keeps this part and writes the id in front of it. */
void bmx__coco_put_annotation_rest(struct bmx__buf *b, const struct bmx_object *obj,
                                   const char *image_id_json, const char *boxmix_json);

/* Write one image object. `id_json` is the literal to write for id; the image's
 * unknown fields follow when `with_extra`; `boxmix_json` (may be NULL) last. */
void bmx__coco_put_image(struct bmx__buf *b, const struct bmx_image_info *info, const char *id_json,
                         const char *file_name, int32_t w, int32_t h, bool with_extra,
                         const char *boxmix_json);

/* Write `ds` itself as a COCO document (what bmx_dataset_write_coco writes). */
void bmx__coco_put_dataset(struct bmx__buf *b, const bmx_dataset *ds);

/* The same as a bmx__stream_document callback (`ds` is the dataset). */
void bmx__coco_put_dataset_cb(struct bmx__buf *b, void *ds);

/* Write a whole COCO document shaped like `ds`: its top-level keys in their order,
 * with the contents of the images and annotations arrays written by the callbacks. */
void bmx__coco_put_document(struct bmx__buf *b, const bmx_dataset *ds,
                            void (*put_images)(struct bmx__buf *, void *),
                            void (*put_annotations)(struct bmx__buf *, void *), void *ctx);

/* A record's fields beside the model (images[i].extra, objects[k].extra; NULL: none),
 * looked up as extra.member.key: the string there, or NULL; or `n` numbers (one
 * number, or an array of exactly n), false when it is anything else (records.c). */
const char *bmx__extra_string(const void *extra, const char *member, const char *key);
bool bmx__extra_numbers(const void *extra, const char *member, const char *key, double *out,
                        size_t n);


/* ---- between the reader's files ---- */

struct bmx__json;
struct bmx__jnode;

/* An id table: numeric or string ids -> index (coco_ids.c). */
struct bmx__id_entry {
    bool used;
    bool is_str;
    int64_t num;
    const char *str;
    size_t index;
};

struct bmx__id_table {
    struct bmx__id_entry *slots;
    size_t cap;
    size_t count; /* kept by bmx__id_table_reserve's users */
};

/* An empty table with room for n entries; false when out of memory. */
bool bmx__id_table_init(struct bmx__id_table *t, size_t n);

/* The entry of an id, or the unused slot where it would go. */
struct bmx__id_entry *bmx__id_table_find(const struct bmx__id_table *t, bool is_str, int64_t num,
                                         const char *str);

/* Room for one more entry in a table that grows (at most half full). */
bool bmx__id_table_reserve(struct bmx__id_table *t);

/* Whether a string id spells an integer ("7", "07" for 7), and which. */
bool bmx__coco_spells_integer(const char *s, int64_t *value);

/* An id as messages show it: 7, or "7" for a string. */
void bmx__coco_describe_id(char *buf, size_t cap, bool is_str, int64_t num, const char *str);

/* Enter an id for record `index` of `section` ("categories", "annotations") into a
 * table that grows (`str`, for a string id, must outlive the table). A repeated id
 * is not entered: `clash` (cap bytes) gets the problem's text, "duplicate id 7
 * (also annotations[2])", and *repeated is set. False when out of memory. */
bool bmx__id_table_add(struct bmx__id_table *t, bool is_str, int64_t num, const char *str,
                       size_t index, const char *section, bool *repeated, char *clash, size_t cap);

/* The images' ids, one id for one image: each id, and the number each spells
 * (7, "7", "07") -> its first image, its spelling kept for the message. */
struct bmx__image_ids {
    struct bmx__id_table ids;
    struct bmx__id_table values;
};

/* Empty tables with room for n images (they grow); false when out of memory. */
bool bmx__image_ids_init(struct bmx__image_ids *t, size_t n);
void bmx__image_ids_free(struct bmx__image_ids *t);

/* Enter image `index`'s id (`str` must outlive the tables). Besides a repeated id,
 * two spellings of one number are refused, since an annotation's image_id may name
 * an image by either and would then be taken for the other's: *repeated set and
 * the problem's text in `clash`. False when out of memory. */
bool bmx__image_ids_add(struct bmx__image_ids *t, bool is_str, int64_t num, const char *str,
                        size_t index, bool *repeated, char *clash, size_t cap);

/* The image an annotation's image_id names: its own spelling, else the other one
 * ("7" for 7: converters disagree; *respelled set), else NULL. */
const struct bmx__id_entry *bmx__image_ids_find(const struct bmx__image_ids *t, bool is_str,
                                                int64_t num, const char *str, bool *respelled);

/* The reader's state (coco_rules.h). */
struct bmx__coco_reader;

/* The image found for the previous numeric image_id: annotations usually come
 * grouped by image, and this spares most table look-ups. */
struct bmx__coco_last_image {
    bool valid;
    int64_t num;
    size_t index;
};

/* Records into the model by the rules (coco_record.c): annotation i (its
 * category checked while the rules' cats_ok), image i, and the parsed categories
 * array `arr` (`carr` its cJSON copy in the root, which owns the names). */
bmx_status bmx__coco_parse_annotation(struct bmx__coco_reader *r, const struct bmx__jnode *a,
                                      size_t i, bmx_dataset *ds, struct bmx_object *obj,
                                      size_t *image_index);
bmx_status bmx__coco_parse_image(struct bmx__coco_reader *r, const struct bmx__jnode *im, size_t i,
                                 bmx_dataset *ds, struct bmx_image_info *info);
bmx_status bmx__coco_parse_categories(struct bmx__coco_reader *r, const struct bmx__jnode *arr,
                                      const cJSON *carr, bmx_dataset *ds);

/* The images and the annotations arrays at *at (then just past them), record by
 * record, into `ds` (coco_arrays.c); then the arrays filled once the counts are
 * known, objects grouped by image (false when out of memory). */
bmx_status bmx__coco_read_images(struct bmx__coco_reader *r, struct bmx__json *p, size_t *at,
                                 bmx_dataset *ds, size_t *cap);
bmx_status bmx__coco_read_annotations(struct bmx__coco_reader *r, struct bmx__json *p, size_t *at,
                                      bmx_dataset *ds, size_t *cap);
bool bmx__coco_finish_dataset(bmx_dataset *ds);

/* The bytes a file was parsed from: their length and bmx__hash_bytes. */
struct bmx__file_bytes {
    uint64_t len, hash;
};
/* bmx_dataset_read_coco_limited, and when `bytes` is not NULL the length and hash
 * of the bytes it parsed (the augment job's journal records them: no second read,
 * and no other bytes than those used). */
bmx_status bmx__coco_read_file(const char *path, const struct bmx_limits *limits,
                               bmx_dataset **out, struct bmx__file_bytes *bytes, bmx_error *err);

#endif
