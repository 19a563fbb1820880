/* SPDX-License-Identifier: MIT */
/* The COCO writer: images, annotations (segmentation, keypoints, unknown fields) and
 * whole documents written piece by piece into a buffer, and bmx_dataset_write_coco,
 * which streams the document to the file through a small buffer. */
#include "coco.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void bmx__coco_put_image_id(struct bmx__buf *b, const struct bmx_image_info *info)
{
    if (info->id_str != NULL) {
        bmx__buf_string(b, info->id_str);
    } else {
        bmx__buf_int(b, info->id);
    }
}

/* An object's keypoints as it holds them now (an operation may have moved or
 * hidden some), in the place the record had them. */
static bool put_keypoints(struct bmx__buf *b, const cJSON *c, const struct bmx_object *obj)
{
    if (obj == NULL) {
        return false;
    }
    if (obj->has_keypoints && strcmp(c->string, "keypoints") == 0) {
        bmx__buf_puts(b, ",\"keypoints\":[");
        for (size_t i = 0; i < 3 * obj->n_keypoints; i++) {
            if (i > 0) {
                bmx__buf_put(b, ",", 1);
            }
            bmx__buf_number(b, obj->keypoints[i]);
        }
        bmx__buf_put(b, "]", 1);
        return true;
    }
    if (obj->has_num_keypoints && strcmp(c->string, "num_keypoints") == 0) {
        bmx__buf_puts(b, ",\"num_keypoints\":");
        bmx__buf_int(b, obj->num_keypoints);
        return true;
    }
    return false;
}

static void put_extra(struct bmx__buf *b, const cJSON *extra, const char *const *skip,
                      size_t n_skip, const struct bmx_object *obj)
{
    if (extra == NULL) {
        return;
    }
    for (const cJSON *c = extra->child; c != NULL; c = c->next) {
        bool skipped = false;
        for (size_t q = 0; q < n_skip; q++) {
            if (strcmp(c->string, skip[q]) == 0) {
                skipped = true;
            }
        }
        if (skipped || put_keypoints(b, c, obj)) {
            continue;
        }
        bmx__buf_put(b, ",", 1);
        bmx__buf_string(b, c->string);
        bmx__buf_put(b, ":", 1);
        bmx__buf_json(b, c);
    }
}

static void put_segmentation(struct bmx__buf *b, const struct bmx_object *obj)
{
    if (obj->seg_kind == BMX_SEG_EMPTY) {
        bmx__buf_puts(b, ",\"segmentation\":[]");
    } else if (obj->seg_kind == BMX_SEG_POLYGON) {
        bmx__buf_puts(b, ",\"segmentation\":[");
        for (size_t i = 0; i < obj->polys.count; i++) {
            const struct bmx_poly *p = &obj->polys.rings[i];
            /* One reservation per ring: ",[" then each number and its comma. */
            size_t room;
            char *d;
            if (!bmx__mul_size(2 * p->n, BMX__NUMBER_MAX + 1, &room) ||
                !bmx__add_size(room, 3, &room) || (d = bmx__buf_room(b, room)) == NULL) {
                b->failed = true;
                return;
            }
            size_t n = 0;
            if (i) {
                d[n++] = ',';
            }
            d[n++] = '[';
            for (size_t j = 0; j < 2 * p->n; j++) {
                if (j) {
                    d[n++] = ',';
                }
                n += bmx__json_format_number(d + n, p->xy[j]);
            }
            d[n++] = ']';
            bmx__buf_commit(b, n);
        }
        bmx__buf_put(b, "]", 1);
    } else if (obj->seg_kind == BMX_SEG_RLE) {
        bmx__buf_printf(b, ",\"segmentation\":{\"size\":[%u,%u],\"counts\":", obj->rle.h, obj->rle.w);
        if (obj->rle_compressed) {
            char *s = NULL;
            if (bmx_rle_to_string(&obj->rle, &s, NULL, NULL) != BMX_OK) {
                b->failed = true;
                return;
            }
            bmx__buf_string(b, s);
            free(s);
        } else {
            bmx__buf_put(b, "[", 1);
            for (size_t j = 0; j < obj->rle.m; j++) {
                if (j) {
                    bmx__buf_put(b, ",", 1);
                }
                bmx__buf_int(b, obj->rle.counts[j]);
            }
            bmx__buf_put(b, "]", 1);
        }
        bmx__buf_put(b, "}", 1);
    }
}

void bmx__coco_put_annotation(struct bmx__buf *b, const struct bmx_object *obj, int64_t id,
                              const char *image_id_json, const char *boxmix_json)
{
    bmx__buf_put(b, "{\"id\":", 6);
    bmx__buf_int(b, id);
    bmx__coco_put_annotation_rest(b, obj, image_id_json, boxmix_json);
}

void bmx__coco_put_annotation_rest(struct bmx__buf *b, const struct bmx_object *obj,
                                   const char *image_id_json, const char *boxmix_json)
{
    bmx__buf_put(b, ",\"image_id\":", 12);
    bmx__buf_puts(b, image_id_json);
    bmx__buf_put(b, ",\"category_id\":", 15);
    bmx__buf_int(b, obj->category_id);
    bmx__buf_put(b, ",\"bbox\":[", 9);
    bmx__buf_number(b, obj->bbox.x);
    bmx__buf_put(b, ",", 1);
    bmx__buf_number(b, obj->bbox.y);
    bmx__buf_put(b, ",", 1);
    bmx__buf_number(b, obj->bbox.w);
    bmx__buf_put(b, ",", 1);
    bmx__buf_number(b, obj->bbox.h);
    bmx__buf_put(b, "]", 1);
    if (obj->has_area) {
        bmx__buf_puts(b, ",\"area\":");
        bmx__buf_number(b, obj->area);
    }
    if (obj->has_iscrowd) {
        bmx__buf_put(b, ",\"iscrowd\":", 11);
        bmx__buf_int(b, obj->iscrowd);
    }
    put_segmentation(b, obj);
    static const char *const skip[] = {"boxmix"};
    put_extra(b, obj->extra, skip, boxmix_json != NULL ? 1 : 0, obj);
    if (boxmix_json != NULL) {
        bmx__buf_puts(b, ",\"boxmix\":");
        bmx__buf_puts(b, boxmix_json);
    }
    bmx__buf_put(b, "}", 1);
}

void bmx__coco_put_image(struct bmx__buf *b, const struct bmx_image_info *info, const char *id_json,
                         const char *file_name, int32_t w, int32_t h, bool with_extra,
                         const char *boxmix_json)
{
    bmx__buf_printf(b, "{\"id\":%s,\"file_name\":", id_json);
    bmx__buf_string(b, file_name);
    bmx__buf_printf(b, ",\"width\":%d,\"height\":%d", (int)w, (int)h);
    if (with_extra) {
        static const char *const skip[] = {"id", "file_name", "width", "height", "boxmix"};
        put_extra(b, info->extra, skip, boxmix_json != NULL ? 5 : 4, NULL);
    }
    if (boxmix_json != NULL) {
        bmx__buf_puts(b, ",\"boxmix\":");
        bmx__buf_puts(b, boxmix_json);
    }
    bmx__buf_put(b, "}", 1);
}

void bmx__coco_put_document(struct bmx__buf *b, const bmx_dataset *ds,
                            void (*put_images)(struct bmx__buf *, void *),
                            void (*put_annotations)(struct bmx__buf *, void *), void *ctx)
{
    bmx__buf_put(b, "{", 1);
    for (const cJSON *c = ds->root->child; c != NULL; c = c->next) {
        if (c != ds->root->child) {
            bmx__buf_put(b, ",\n", 2);
        }
        bmx__buf_string(b, c->string);
        bmx__buf_put(b, ":", 1);
        if (strcmp(c->string, "images") == 0) {
            bmx__buf_put(b, "[", 1);
            put_images(b, ctx);
            bmx__buf_put(b, "]", 1);
        } else if (strcmp(c->string, "annotations") == 0) {
            bmx__buf_put(b, "[", 1);
            put_annotations(b, ctx);
            bmx__buf_put(b, "]", 1);
        } else {
            bmx__buf_json(b, c);
        }
    }
    bmx__buf_puts(b, "}\n");
}

/* The literal of an image's id, in `id` (reused between records). */
static const char *id_literal(struct bmx__buf *id, const struct bmx_image_info *info)
{
    id->len = 0;
    bmx__coco_put_image_id(id, info);
    return id->failed ? NULL : id->data;
}

static void same_images(struct bmx__buf *b, void *ctx)
{
    const bmx_dataset *ds = ctx;
    struct bmx__buf id = {0};
    for (size_t i = 0; i < ds->n_images && !b->failed; i++) {
        const struct bmx_image_info *info = &ds->images[i];
        const char *lit = id_literal(&id, info);
        if (lit == NULL) {
            b->failed = true;
            break;
        }
        bmx__buf_put(b, i ? ",\n" : "\n", i ? 2 : 1);
        bmx__coco_put_image(b, info, lit, info->file_name, info->width, info->height, true, NULL);
    }
    bmx__buf_free(&id);
}

static void same_annotations(struct bmx__buf *b, void *ctx)
{
    const bmx_dataset *ds = ctx;
    struct bmx__buf id = {0};
    for (size_t q = 0; q < ds->n_objects && !b->failed; q++) {
        size_t slot = ds->file_order[q];
        const struct bmx_object *obj = &ds->objects[slot];
        const char *lit = id_literal(&id, &ds->images[ds->obj_image[slot]]);
        if (lit == NULL) {
            b->failed = true;
            break;
        }
        bmx__buf_put(b, q ? ",\n" : "\n", q ? 2 : 1);
        bmx__coco_put_annotation(b, obj, obj->id, lit, NULL);
    }
    bmx__buf_free(&id);
}

void bmx__coco_put_dataset(struct bmx__buf *b, const bmx_dataset *ds)
{
    bmx__coco_put_document(b, ds, same_images, same_annotations, (void *)ds);
}

void bmx__coco_put_dataset_cb(struct bmx__buf *b, void *ds)
{
    bmx__coco_put_dataset(b, ds);
}

/* Streams the document to a temporary file through a few-MB buffer, so a large
 * dataset is never held twice in memory. */
bmx_status bmx_dataset_write_coco(const bmx_dataset *ds, const char *path, bmx_error *err)
{
    int dir;
    char *shown;
    const char *name;
    bmx_status st = bmx__parent_open(path, &dir, &shown, &name, err);
    if (st == BMX_OK) {
        st = bmx__stream_document(dir, shown, name, bmx__coco_put_dataset_cb, (void *)ds, NULL, NULL, NULL, err);
        close(dir);
        free(shown);
    }
    return st;
}
