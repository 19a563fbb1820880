/* SPDX-License-Identifier: MIT */
/* The images and annotations arrays of a COCO document read record by record into
 * a dataset that grows as they come (repeated and doubly spelled ids refused), and
 * the dataset finished once the counts are known: objects grouped by image. */
#include "coco_rules.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Put the objects (read in file order, obj_image[q] their image) in groups by
 * image, file order within each: a permutation applied in place, to spare a
 * second copy of every record. */
static bool group_objects(bmx_dataset *ds, size_t n_img, size_t n_ann)
{
    uint8_t *done = calloc(n_ann ? n_ann : 1, 1);
    if (done == NULL) {
        return false;
    }
    for (size_t q = 0; q < n_ann; q++) {
        ds->img_count[ds->obj_image[q]]++;
    }
    size_t acc = 0;
    for (size_t q = 0; q < n_img; q++) {
        ds->img_first[q] = acc;
        acc += ds->img_count[q];
        ds->img_count[q] = 0;
    }
    for (size_t q = 0; q < n_ann; q++) {
        size_t im = ds->obj_image[q];
        ds->file_order[q] = ds->img_first[im] + ds->img_count[im]++;
    }
    for (size_t q = 0; q < n_ann; q++) {
        if (done[q]) {
            continue;
        }
        struct bmx_object carry = ds->objects[q];
        size_t j = q;
        do {
            size_t dst = ds->file_order[j];
            struct bmx_object t = ds->objects[dst];
            ds->objects[dst] = carry;
            carry = t;
            done[dst] = 1;
            j = dst;
        } while (j != q);
    }
    for (size_t q = 0; q < n_img; q++) {
        for (size_t k = 0; k < ds->img_count[q]; k++) {
            ds->obj_image[ds->img_first[q] + k] = q;
        }
    }
    free(done);
    return true;
}

/* The next capacity of a growing array of records. */
static size_t next_cap(size_t cap)
{
    return cap == 0 ? 1024 : cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
}

/* Room for image record i (zeroed) in ds->images, of *cap records. */
static bool image_room(bmx_dataset *ds, size_t i, size_t *cap)
{
    if (i >= *cap) {
        size_t cap2 = next_cap(*cap);
        struct bmx_image_info *a = bmx__realloc_array(ds->images, cap2, sizeof *a);
        if (a == NULL) {
            return false;
        }
        ds->images = a;
        *cap = cap2;
    }
    memset(&ds->images[i], 0, sizeof ds->images[i]);
    return true;
}

/* Room for object i (zeroed) in ds->objects and ds->obj_image, of *cap each. */
static bool object_room(bmx_dataset *ds, size_t i, size_t *cap)
{
    if (i >= *cap) {
        size_t cap2 = next_cap(*cap);
        struct bmx_object *a = bmx__realloc_array(ds->objects, cap2, sizeof *a);
        if (a == NULL) {
            return false;
        }
        ds->objects = a;
        size_t *b = bmx__realloc_array(ds->obj_image, cap2, sizeof *b);
        if (b == NULL) {
            return false;
        }
        ds->obj_image = b;
        *cap = cap2;
    }
    memset(&ds->objects[i], 0, sizeof ds->objects[i]);
    return true;
}

/* The images array at *at (then just past it), record by record, into ds->images (of *cap
 * records, grown as needed), each id entered into the rules' table. */
bmx_status bmx__coco_read_images(struct bmx__coco_reader *r, struct bmx__json *p, size_t *at,
                                 bmx_dataset *ds, size_t *cap)
{
    bmx_status st = BMX_OK;
    size_t pos = *at;
    int more = bmx__json_begin(p, &pos, '[');
    for (size_t i = 0; more == 1; i++) {
        struct bmx__jnode *im = NULL;
        bmx__json_reset(p);
        if (!bmx__json_value(p, &pos, 2, &im)) {
            return bmx__json_fail(p, r->name, r->err);
        }
        if (!image_room(ds, i, cap)) {
            return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
        }
        st = bmx__coco_parse_image(r, im, i, ds, &ds->images[i]);
        if (st != BMX_OK) {
            return st;
        }
        ds->n_images = i + 1;
        more = bmx__json_next(p, &pos, ']');
    }
    if (more < 0) {
        return bmx__json_fail(p, r->name, r->err);
    }
    *at = pos;
    return st;
}

/* The annotations array at *at (then just past it) into ds->objects (file order) and
 * ds->obj_image, grown as needed. */
bmx_status bmx__coco_read_annotations(struct bmx__coco_reader *r, struct bmx__json *p, size_t *at,
                                      bmx_dataset *ds, size_t *cap)
{
    size_t pos = *at;
    int more = bmx__json_begin(p, &pos, '[');
    for (size_t i = 0; more == 1; i++) {
        struct bmx__jnode *a = NULL;
        bmx__json_reset(p);
        if (!bmx__json_value(p, &pos, 2, &a)) {
            return bmx__json_fail(p, r->name, r->err);
        }
        if (!object_room(ds, i, cap)) {
            return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
        }
        struct bmx_object *obj = &ds->objects[i];
        bmx_status st = bmx__coco_parse_annotation(r, a, i, ds, obj, &ds->obj_image[i]);
        if (st != BMX_OK) {
            bmx_object_free(obj);
            return st;
        }
        ds->n_objects = i + 1;
        more = bmx__json_next(p, &pos, ']');
    }
    if (more < 0) {
        return bmx__json_fail(p, r->name, r->err);
    }
    *at = pos;
    return BMX_OK;
}

/* The arrays a reader fills at the end, once the counts are known. */
bool bmx__coco_finish_dataset(bmx_dataset *ds)
{
    size_t n_img = ds->n_images, n_ann = ds->n_objects;
    if (ds->images == NULL) {
        ds->images = calloc(1, sizeof *ds->images);
    }
    if (ds->objects == NULL) {
        ds->objects = calloc(1, sizeof *ds->objects);
        ds->obj_image = calloc(1, sizeof *ds->obj_image);
    }
    ds->img_first = calloc(n_img ? n_img : 1, sizeof *ds->img_first);
    ds->img_count = calloc(n_img ? n_img : 1, sizeof *ds->img_count);
    ds->file_order = calloc(n_ann ? n_ann : 1, sizeof *ds->file_order);
    if (!ds->images || !ds->objects || !ds->obj_image || !ds->img_first || !ds->img_count ||
        !ds->file_order) {
        return false;
    }
    return group_objects(ds, n_img, n_ann);
}
