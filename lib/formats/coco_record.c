/* SPDX-License-Identifier: MIT */
/* One COCO record into the dataset model: an image, an annotation (its ids, bbox,
 * area, iscrowd, polygons or RLE, and the unknown fields kept in `extra`) and the
 * categories array, each field boxmix uses checked, the first problem reported with
 * its place ("annotations[3].bbox"). */
#include "coco.h"
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Messages name the place as "annotations[3].bbox"; it is only formatted when
 * something is wrong, which keeps the per-record cost down. */
static const char *place(char *buf, size_t cap, const char *arr, size_t i, const char *field)
{
    snprintf(buf, cap, "%s[%zu].%s", arr, i, field);
    return buf;
}

static bmx_status parse_id(struct bmx__coco_reader *r, const struct bmx__jnode *v, const char *arr,
                           size_t i, const char *field, bool allow_str, bool *is_str, int64_t *num,
                           const char **str)
{
    char where[96];
    if (bmx__json_is_number(v) && bmx__json_is_integral(v->u.num)) {
        *is_str = false;
        *num = (int64_t)v->u.num;
        *str = NULL;
        return BMX_OK;
    }
    if (allow_str && v != NULL && v->type == BMX__J_STRING) {
        *is_str = true;
        *num = 0;
        *str = v->u.str;
        return BMX_OK;
    }
    place(where, sizeof where, arr, i, field);
    if (v == NULL) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: missing", r->name, where);
    }
    return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: expected an integer%s, got %s", r->name,
                     where, allow_str ? " or a string" : "", bmx__json_type_name(v));
}

static bmx_status parse_dim(struct bmx__coco_reader *r, const struct bmx__jnode *v, size_t i,
                            const char *field, int32_t *out)
{
    char where[64];
    if (bmx__json_is_number(v) && bmx__json_is_integral(v->u.num) && v->u.num >= 1 && v->u.num <= INT32_MAX) {
        *out = (int32_t)v->u.num;
        return BMX_OK;
    }
    place(where, sizeof where, "images", i, field);
    if (v == NULL) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: missing", r->name, where);
    }
    return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: expected a positive integer, got %s", r->name,
                     where, bmx__json_is_number(v) ? "a number out of range" : bmx__json_type_name(v));
}

static bmx_status parse_polygons(struct bmx__coco_reader *r, const struct bmx__jnode *seg,
                                 size_t ai, struct bmx_polyset *out)
{
    char where[96];
    out->rings = bmx__alloc_array(seg->n, sizeof *out->rings);
    if (out->rings == NULL) {
        return bmx__fail(r->err, BMX_E_NOMEM, "%s: %s: out of memory", r->name,
                         place(where, sizeof where, "annotations", ai, "segmentation"));
    }
    out->count = 0;
    size_t i = 0;
    for (const struct bmx__jnode *ring = seg->u.child; ring != NULL; ring = ring->next, i++) {
        if (!bmx__json_is_array(ring)) {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s[%zu]: expected an array of numbers, got %s",
                             r->name, place(where, sizeof where, "annotations", ai, "segmentation"),
                             i, bmx__json_type_name(ring));
        }
        size_t k = ring->n;
        size_t jj = 0;
        for (const struct bmx__jnode *c = ring->u.child; c != NULL; c = c->next, jj++) {
            if (c->type != BMX__J_NUMBER) {
                return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s[%zu][%zu]: expected a number, got %s",
                                 r->name,
                                 place(where, sizeof where, "annotations", ai, "segmentation"), i,
                                 jj, bmx__json_type_name(c));
            }
        }
        if (k % 2 != 0) {
            return bmx__fail(r->err, BMX_E_SCHEMA,
                             "%s: %s[%zu]: expected an even count of numbers (x, y pairs), got %zu",
                             r->name, place(where, sizeof where, "annotations", ai, "segmentation"),
                             i, k);
        }
        if (k < 6) {
            return bmx__fail(r->err, BMX_E_SCHEMA,
                             "%s: %s[%zu]: a polygon needs at least 3 points (6 numbers), got %zu",
                             r->name, place(where, sizeof where, "annotations", ai, "segmentation"),
                             i, k);
        }
        struct bmx_poly *p = &out->rings[out->count];
        p->xy = bmx__alloc_array(k, sizeof *p->xy);
        if (p->xy == NULL) {
            return bmx__fail(r->err, BMX_E_NOMEM, "%s: %s: out of memory", r->name,
                             place(where, sizeof where, "annotations", ai, "segmentation"));
        }
        p->n = k / 2;
        out->count++;
        size_t j = 0;
        for (const struct bmx__jnode *c = ring->u.child; c != NULL; c = c->next, j++) {
            if (c->type != BMX__J_NUMBER) {
                return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s[%zu][%zu]: expected a number, got %s",
                                 r->name,
                                 place(where, sizeof where, "annotations", ai, "segmentation"), i,
                                 j, bmx__json_type_name(c));
            }
            p->xy[j] = c->u.num;
        }
    }
    return BMX_OK;
}

static bmx_status parse_rle(struct bmx__coco_reader *r, const struct bmx__jnode *seg, size_t ai,
                            const struct bmx_image_info *img, struct bmx_object *obj)
{
    char where[96];
    place(where, sizeof where, "annotations", ai, "segmentation");
    const struct bmx__jnode *size = bmx__json_get(seg, "size");
    const struct bmx__jnode *counts = bmx__json_get(seg, "counts");
    if (!bmx__json_is_array(size) || size->n != 2 || !bmx__json_is_number(size->u.child) ||
        !bmx__json_is_number(size->u.child->next) || !bmx__json_is_integral(size->u.child->u.num) ||
        !bmx__json_is_integral(size->u.child->next->u.num)) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s.size: expected [height, width] integers",
                         r->name, where);
    }
    double h = size->u.child->u.num;
    double w = size->u.child->next->u.num;
    if (h != img->height || w != img->width) {
        return bmx__fail(r->err, BMX_E_SCHEMA,
                         "%s: %s.size: [%.0f, %.0f] differs from its image's [height, width] [%d, %d]",
                         r->name, where, h, w, (int)img->height, (int)img->width);
    }
    bmx_status st;
    if (counts != NULL && counts->type == BMX__J_STRING) {
        st = bmx_rle_from_string(counts->u.str, counts->n, (uint32_t)h, (uint32_t)w, &obj->rle,
                                 r->err);
        if (st != BMX_OK) {
            return bmx__prefix(r->err, st, "%s: %s.counts", r->name, where);
        }
        obj->rle_compressed = true;
    } else if (bmx__json_is_array(counts)) {
        size_t m = counts->n;
        obj->rle.counts = bmx__alloc_array(m, sizeof *obj->rle.counts);
        if (obj->rle.counts == NULL) {
            return bmx__fail(r->err, BMX_E_NOMEM, "%s: %s: out of memory", r->name, where);
        }
        obj->rle.h = (uint32_t)h;
        obj->rle.w = (uint32_t)w;
        obj->rle.m = m;
        size_t j = 0;
        for (const struct bmx__jnode *c = counts->u.child; c != NULL; c = c->next, j++) {
            if (!bmx__json_is_number(c) || !bmx__json_is_integral(c->u.num) || c->u.num < 0 || c->u.num > UINT32_MAX) {
                return bmx__fail(r->err, BMX_E_SCHEMA,
                                 "%s: %s.counts[%zu]: expected a run length in 0..4294967295",
                                 r->name, where, j);
            }
            obj->rle.counts[j] = (uint32_t)c->u.num;
        }
        st = bmx_rle_validate(&obj->rle, r->err);
        if (st != BMX_OK) {
            return bmx__prefix(r->err, st, "%s: %s.counts", r->name, where);
        }
        obj->rle_compressed = false;
    } else {
        return bmx__fail(r->err, BMX_E_SCHEMA,
                         "%s: %s.counts: expected a string or an array of run lengths, got %s",
                         r->name, where, bmx__json_type_name(counts));
    }
    obj->seg_kind = BMX_SEG_RLE;
    return BMX_OK;
}

/* The annotation keys boxmix reads; anything else rides along in `extra`. */
enum {
    KEY_ID,
    KEY_IMAGE_ID,
    KEY_CATEGORY_ID,
    KEY_BBOX,
    KEY_AREA,
    KEY_ISCROWD,
    KEY_SEGMENTATION,
    N_KEYS
};

static int known_key(const char *k)
{
    switch (k[0]) {
    case 'i':
        return strcmp(k, "id") == 0         ? KEY_ID
               : strcmp(k, "image_id") == 0 ? KEY_IMAGE_ID
               : strcmp(k, "iscrowd") == 0  ? KEY_ISCROWD
                                            : -1;
    case 'c':
        return strcmp(k, "category_id") == 0 ? KEY_CATEGORY_ID : -1;
    case 'b':
        return strcmp(k, "bbox") == 0 ? KEY_BBOX : -1;
    case 'a':
        return strcmp(k, "area") == 0 ? KEY_AREA : -1;
    case 's':
        return strcmp(k, "segmentation") == 0 ? KEY_SEGMENTATION : -1;
    default:
        return -1;
    }
}

/* The index of the image an annotation's image_id names (either spelling). */
static bmx_status find_image(struct bmx__coco_reader *r, const struct bmx__image_ids *images,
                             size_t i, bool is_str, int64_t num, const char *str, size_t *index)
{
    bool respelled;
    const struct bmx__id_entry *e = bmx__image_ids_find(images, is_str, num, str, &respelled);
    if (e == NULL) {
        char id[96];
        bmx__coco_describe_id(id, sizeof id, is_str, num, str);
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: annotations[%zu].image_id: no image has id %s",
                         r->name, i, id);
    }
    *index = e->index;
    return BMX_OK;
}

bmx_status bmx__coco_parse_annotation(struct bmx__coco_reader *r, const struct bmx__jnode *a,
                                      size_t i, bmx_dataset *ds,
                                      const struct bmx__image_ids *images,
                                      const struct bmx__id_table *cats,
                                      struct bmx__coco_last_image *last, struct bmx_object *obj,
                                      size_t *image_index)
{
    char where[96];
    bmx_status st;
    if (a->type != BMX__J_OBJECT) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: annotations[%zu]: expected an object, got %s",
                         r->name, i, bmx__json_type_name(a));
    }
    /* The first member of each known name is the one read (and left out of the
     * extras); a repeated name rides along like an unknown field. */
    const struct bmx__jnode *field[N_KEYS] = {0};
    bool has_unknown = false;
    for (const struct bmx__jnode *c = a->u.child; c != NULL; c = c->next) {
        int k = known_key(c->key);
        if (k >= 0 && field[k] == NULL) {
            field[k] = c;
        } else {
            has_unknown = true;
        }
    }
    bool is_str;
    int64_t num;
    const char *str;
    st = parse_id(r, field[KEY_ID], "annotations", i, "id", false, &is_str, &num, &str);
    if (st != BMX_OK) {
        return st;
    }
    obj->id = num;

    st = parse_id(r, field[KEY_IMAGE_ID], "annotations", i, "image_id", true, &is_str, &num, &str);
    if (st != BMX_OK) {
        return st;
    }
    if (!is_str && last->valid && last->num == num) {
        *image_index = last->index;
    } else {
        st = find_image(r, images, i, is_str, num, str, image_index);
        if (st != BMX_OK) {
            return st;
        }
        *last = (struct bmx__coco_last_image){!is_str, num, *image_index};
    }
    const struct bmx_image_info *img = &ds->images[*image_index];

    st = parse_id(r, field[KEY_CATEGORY_ID], "annotations", i, "category_id", false, &is_str, &num,
                  &str);
    if (st != BMX_OK) {
        return st;
    }
    if (cats != NULL && !bmx__id_table_find(cats, false, num, NULL)->used) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: no category has id %" PRId64, r->name,
                         place(where, sizeof where, "annotations", i, "category_id"), num);
    }
    obj->category_id = num;

    const struct bmx__jnode *bbox = field[KEY_BBOX];
    if (bbox == NULL || !bmx__json_is_array(bbox) || bbox->n != 4) {
        place(where, sizeof where, "annotations", i, "bbox");
        if (bbox == NULL) {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: missing", r->name, where);
        }
        if (!bmx__json_is_array(bbox)) {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: expected 4 numbers, got %s", r->name,
                             where, bmx__json_type_name(bbox));
        }
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: expected 4 numbers, got %zu", r->name,
                         where, bbox->n);
    }
    double bv[4];
    int k = 0;
    for (const struct bmx__jnode *c = bbox->u.child; c != NULL; c = c->next, k++) {
        if (c->type != BMX__J_NUMBER) {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s[%d]: expected a number, got %s",
                             r->name, place(where, sizeof where, "annotations", i, "bbox"), k,
                             bmx__json_type_name(c));
        }
        bv[k] = c->u.num;
    }
    if (bv[2] < 0 || bv[3] < 0) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: negative width or height [%g, %g, %g, %g]",
                         r->name, place(where, sizeof where, "annotations", i, "bbox"), bv[0],
                         bv[1], bv[2], bv[3]);
    }
    obj->bbox = (struct bmx_box){bv[0], bv[1], bv[2], bv[3]};

    const struct bmx__jnode *area = field[KEY_AREA];
    if (area != NULL) {
        if (!bmx__json_is_number(area) || area->u.num < 0) {
            return bmx__fail(r->err, BMX_E_SCHEMA,
                             "%s: annotations[%zu].area: expected a number >= 0, got %s", r->name,
                             i, bmx__json_is_number(area) ? "a negative number" : bmx__json_type_name(area));
        }
        obj->area = area->u.num;
        obj->has_area = true;
    }

    const struct bmx__jnode *crowd = field[KEY_ISCROWD];
    if (crowd != NULL) {
        if (crowd->type == BMX__J_TRUE || crowd->type == BMX__J_FALSE) {
            obj->iscrowd = crowd->type == BMX__J_TRUE ? 1 : 0;
        } else if (bmx__json_is_number(crowd) && (crowd->u.num == 0 || crowd->u.num == 1)) {
            obj->iscrowd = (int)crowd->u.num;
        } else {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: annotations[%zu].iscrowd: expected 0 or 1",
                             r->name, i);
        }
        obj->has_iscrowd = true;
    }

    const struct bmx__jnode *seg = field[KEY_SEGMENTATION];
    if (seg == NULL || seg->type == BMX__J_NULL) {
        obj->seg_kind = BMX_SEG_NONE;
    } else if (seg->type == BMX__J_ARRAY) {
        if (seg->n == 0) {
            obj->seg_kind = BMX_SEG_EMPTY;
        } else {
            obj->seg_kind = BMX_SEG_POLYGON;
            st = parse_polygons(r, seg, i, &obj->polys);
            if (st != BMX_OK) {
                return st;
            }
        }
    } else if (seg->type == BMX__J_OBJECT) {
        st = parse_rle(r, seg, i, img, obj);
        if (st != BMX_OK) {
            return st;
        }
    } else {
        return bmx__fail(r->err, BMX_E_SCHEMA,
                         "%s: %s: expected a list of polygons or an RLE object, got %s", r->name,
                         place(where, sizeof where, "annotations", i, "segmentation"),
                         bmx__json_type_name(seg));
    }

    obj->visibility = 1.0;
    obj->extra = NULL;
    if (!has_unknown) {
        return BMX_OK;
    }
    cJSON *extra = cJSON_CreateObject();
    if (extra == NULL || !cJSON_AddItemToArray(ds->extras, extra)) {
        cJSON_Delete(extra);
        return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
    }
    for (const struct bmx__jnode *c = a->u.child; c != NULL; c = c->next) {
        int q = known_key(c->key);
        if (q >= 0 && field[q] == c) {
            continue;
        }
        cJSON *item = bmx__json_to_cjson(c);
        if (item == NULL || !cJSON_AddItemToObject(extra, c->key, item)) {
            cJSON_Delete(item);
            return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
        }
    }
    /* A boxmix output read back: its provenance is known. */
    const cJSON *bm = cJSON_GetObjectItemCaseSensitive(extra, "boxmix");
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(bm, "from");
    const cJSON *vis = cJSON_GetObjectItemCaseSensitive(bm, "visibility");
    if (cJSON_IsString(from)) {
        obj->origin = strcmp(from->valuestring, "source") == 0 ? BMX_FROM_SOURCE
                      : strcmp(from->valuestring, "base") == 0 ? BMX_FROM_BASE
                                                               : BMX_FROM_NONE;
    }
    obj->visibility = cJSON_IsNumber(vis) ? vis->valuedouble : 1.0;
    obj->extra = extra;
    return BMX_OK;
}

bmx_status bmx__coco_parse_image(struct bmx__coco_reader *r, const struct bmx__jnode *im, size_t i,
                                 bmx_dataset *ds, struct bmx_image_info *info)
{
    bmx_status st;
    if (im->type != BMX__J_OBJECT) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: images[%zu]: expected an object, got %s",
                         r->name, i, bmx__json_type_name(im));
    }
    bool is_str;
    const char *str;
    st = parse_id(r, bmx__json_get(im, "id"), "images", i, "id", true, &is_str, &info->id, &str);
    if (st != BMX_OK) {
        return st;
    }
    const struct bmx__jnode *fn = bmx__json_get(im, "file_name");
    if (fn == NULL || fn->type != BMX__J_STRING || fn->u.str[0] == '\0') {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: images[%zu].file_name: %s", r->name, i,
                         fn == NULL ? "missing" : "expected a non-empty string");
    }
    st = parse_dim(r, bmx__json_get(im, "width"), i, "width", &info->width);
    if (st != BMX_OK) {
        return st;
    }
    st = parse_dim(r, bmx__json_get(im, "height"), i, "height", &info->height);
    if (st != BMX_OK) {
        return st;
    }
    /* The record keeps all of its fields; its strings are the cJSON copies. */
    cJSON *extra = bmx__json_to_cjson(im);
    if (extra == NULL || !cJSON_AddItemToArray(ds->extras, extra)) {
        cJSON_Delete(extra);
        return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
    }
    info->file_name = cJSON_GetObjectItemCaseSensitive(extra, "file_name")->valuestring;
    if (is_str) {
        info->id_str = cJSON_GetObjectItemCaseSensitive(extra, "id")->valuestring;
        info->id = (int64_t)i + 1;
    }
    info->extra = extra;
    return BMX_OK;
}

/* `arr` is the parsed categories array, `carr` its cJSON copy kept in the root
 * (which owns the names). */
bmx_status bmx__coco_parse_categories(struct bmx__coco_reader *r, const struct bmx__jnode *arr,
                                      const cJSON *carr, bmx_dataset *ds,
                                      struct bmx__id_table *cats)
{
    size_t n = arr->n;
    ds->cats = bmx__alloc_array(n, sizeof *ds->cats);
    if (ds->cats == NULL || !bmx__id_table_init(cats, n)) {
        return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
    }
    size_t i = 0;
    const cJSON *cc = carr->child;
    for (const struct bmx__jnode *c = arr->u.child; c != NULL; c = c->next, cc = cc->next, i++) {
        if (c->type != BMX__J_OBJECT) {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: categories[%zu]: expected an object, got %s",
                             r->name, i, bmx__json_type_name(c));
        }
        bool is_str;
        const char *str;
        struct bmx_category *cat = &ds->cats[i];
        bmx_status st = parse_id(r, bmx__json_get(c, "id"), "categories", i, "id", false, &is_str,
                                 &cat->id, &str);
        if (st != BMX_OK) {
            return st;
        }
        const struct bmx__jnode *name = bmx__json_get(c, "name");
        if (name == NULL || name->type != BMX__J_STRING) {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: categories[%zu].name: %s", r->name, i,
                             name == NULL ? "missing" : "expected a string");
        }
        cat->name = cJSON_GetObjectItemCaseSensitive(cc, "name")->valuestring;
        const cJSON *sup = cJSON_GetObjectItemCaseSensitive(cc, "supercategory");
        cat->supercategory = cJSON_IsString(sup) ? sup->valuestring : NULL;
        bool repeated;
        char clash[256];
        if (!bmx__id_table_add(cats, false, cat->id, NULL, i, "categories", &repeated, clash,
                               sizeof clash)) {
            return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
        }
        if (repeated) {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: categories[%zu].id: %s", r->name, i, clash);
        }
        ds->n_cats = i + 1;
    }
    return BMX_OK;
}
