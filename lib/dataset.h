/* Internal: the dataset model and the JSON output buffer shared by the COCO
 * reader/writer and the job runner. */
#ifndef BMX_DATASET_H
#define BMX_DATASET_H

#include "error.h"
#include "safefs.h"

#include <stdio.h>

#include <cjson/cJSON.h>

/* A growable output buffer. Errors are sticky: `failed` is set on the first
 * failed allocation (or write) and every later put is ignored.
 *
 * Streaming: with `to_fd` set, the buffer holds only the tail not yet written and
 * writes itself to `fd` whenever it grows past a few MB; bmx__buf_flush writes
 * the rest. `io_errno` is the errno of a failed write (0 when none), `flushed`
 * the bytes written so far. A zeroed buffer does not stream. With `hash` set the
 * flushed bytes are hashed as well; with `fd` -1 they are only hashed. */
struct bmx__buf {
    char *data;
    size_t len, cap;
    bool failed;
    bool to_fd;
    int fd;
    int io_errno;
    size_t flushed;
    struct bmx__hash *hash;      /* streaming: every byte flushed is hashed too */
    volatile const int *cancel; /* streaming: a flush fails (EINTR) once it is set */
};

void bmx__buf_free(struct bmx__buf *b);
/* Room for `n` more bytes (and a terminator) at data + len, NULL on failure. Write
 * there, then bmx__buf_commit the count written. */
char *bmx__buf_room(struct bmx__buf *b, size_t n);
void bmx__buf_commit(struct bmx__buf *b, size_t n);
/* Write what is buffered to `fd` (streaming buffers); false on a write error. */
bool bmx__buf_flush(struct bmx__buf *b);
/* A decimal integer. */
void bmx__buf_int(struct bmx__buf *b, int64_t v);
void bmx__buf_put(struct bmx__buf *b, const char *s, size_t n);
void bmx__buf_puts(struct bmx__buf *b, const char *s);
void bmx__buf_printf(struct bmx__buf *b, const char *fmt, ...) BMX__PRINTF(2, 3);
/* A JSON number: integers without a fraction, others with the shortest
 * representation that reads back to the same double. */
void bmx__buf_number(struct bmx__buf *b, double v);
/* A JSON string literal with escapes. */
void bmx__buf_string(struct bmx__buf *b, const char *s);
/* Any cJSON value, compact. */
void bmx__buf_json(struct bmx__buf *b, const cJSON *v);

/* Stream a document into `rel` below the folder `dir` (`shown` in messages)
 * through a temporary name: `put` writes it into a streaming buffer (a callback
 * that fails sets the buffer's `failed`, and `io_errno` when it was a read or
 * write error); the file is synced and renamed when whole. Once `cancel` (may be
 * NULL) is set, the next flush stops it: BMX_E_INTERRUPTED, nothing left. `*size`
 * and `*hash` (bmx__hash_*; may be NULL) get what was written. */
bmx_status bmx__stream_document(int dir, const char *shown, const char *rel,
                                void (*put)(struct bmx__buf *, void *), void *ctx,
                                volatile const int *cancel, uint64_t *size, uint64_t *hash,
                                bmx_error *err);

/* Invariants, for every reader (COCO, VOC) that fills one:
 * - `root` is a cJSON object holding the file's top-level keys in order, with
 *   "images" and "annotations" present as (empty) placeholder arrays whose place
 *   says where the writer puts them, and "categories" as the array of category
 *   objects ({"id", "name", ...}) that `cats` points into;
 * - images[i].extra is NULL or a cJSON object (owned through `extras`) holding the
 *   image's fields; the writer writes its keys other than id/file_name/width/height;
 * - every string a record points to is owned by the dataset: a cJSON item under
 *   `root`/`extras`, or an entry of `strings` (freed with the dataset);
 * - objects are grouped by image (img_first/img_count), obj_image gives each
 *   object's image, file_order the order the writer uses;
 * - objects[k].extra is NULL or a cJSON object (owned through `extras`) with the
 *   annotation's unknown fields only (known keys removed). */
struct bmx_dataset {
    char *name;         /* the file it came from, for messages */
    cJSON *root;        /* the top-level object; its images/annotations emptied */
    size_t n_images;
    struct bmx_image_info *images;
    size_t *img_first;  /* first object of image i in `objects` */
    size_t *img_count;
    size_t n_objects;
    struct bmx_object *objects; /* grouped by image, file order within an image */
    size_t *obj_image;  /* image index of each object */
    size_t *file_order; /* file order -> index in `objects` */
    size_t n_cats;
    struct bmx_category *cats;
    cJSON *extras;      /* owns every record's unknown fields (array of objects) */
    char **strings;     /* owned strings */
    size_t n_strings, cap_strings;
    int32_t *skeletons; /* every category's skeleton pairs, owned */
};

/* After a COCO reader: each category's keypoint count and skeleton, each object's
 * keypoints, checked (keypoints.h). */
bmx_status bmx__coco_read_keypoints(bmx_dataset *ds, const char *name, bmx_error *err);

/* Write a COCO id as it came: a number, or the string. */
void bmx__coco_put_image_id(struct bmx__buf *b, const struct bmx_image_info *info);

/* Write one annotation object. `image_id_json` is the literal to write for
 * image_id; `boxmix_json` (may be NULL) the literal of the "boxmix" field. */
void bmx__coco_put_annotation(struct bmx__buf *b, const struct bmx_object *obj, int64_t id,
                              const char *image_id_json, const char *boxmix_json);

/* Write one image object. `id_json` is the literal to write for id; the image's
 * unknown fields follow when `with_extra`; `boxmix_json` (may be NULL) last. */
void bmx__coco_put_image(struct bmx__buf *b, const struct bmx_image_info *info, const char *id_json,
                         const char *file_name, int32_t w, int32_t h, bool with_extra,
                         const char *boxmix_json);

/* Write `ds` itself as a COCO document (what bmx_dataset_write_coco writes). */
void bmx__coco_put_dataset(struct bmx__buf *b, const bmx_dataset *ds);

/* Write a whole COCO document shaped like `ds`: its top-level keys in their order,
 * with the contents of the images and annotations arrays written by the callbacks. */
void bmx__coco_put_document(struct bmx__buf *b, const bmx_dataset *ds,
                            void (*put_images)(struct bmx__buf *, void *),
                            void (*put_annotations)(struct bmx__buf *, void *), void *ctx);

#endif
