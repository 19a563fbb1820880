/* SPDX-License-Identifier: MIT */
/* The reader's side of the COCO rules (coco_rules.h): a sink that keeps the first
 * refusal of a record (one met at the record's end, a repeated id, only when the
 * record has no other), and each record put into the dataset model once the rules
 * passed it: an image, an annotation (its ids, bbox, area, iscrowd, polygons or
 * RLE, and the unknown fields kept in `extra`) and the categories array. Messages
 * read "FILE: annotations[3].bbox: what is wrong". */
#include "coco_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reader_sink(void *ctx, const struct bmx__rule_problem *p)
{
    struct bmx__coco_reader *r = ctx;
    if (p->limit) {
        if (!r->limit_refused) {
            r->limit_refused = true;
            r->limit_status = p->status;
            snprintf(r->limit, sizeof r->limit, "%s: %s", p->path, p->message);
        }
        return true;
    }
    if (p->keypoints) {
        if (!r->kp_refused) {
            r->kp_refused = true;
            r->kp_status = p->status;
            snprintf(r->kp, sizeof r->kp, "%s: %s", p->path, p->message);
        }
        return true;
    }
    if (p->deferred) {
        if (!r->deferred_refused) {
            r->deferred_refused = true;
            r->deferred_status = p->status;
            snprintf(r->deferred, sizeof r->deferred, "%s: %s", p->path, p->message);
        }
        return true;
    }
    if (p->late) {
        if (!r->late_refused) {
            r->late_refused = true;
            r->late_status = p->status;
            snprintf(r->late, sizeof r->late, "%s: %s", p->path, p->message);
        }
        return true;
    }
    if (!r->refused) {
        r->refused = true;
        r->status = p->status;
        if (strcmp(p->code, "json-syntax") == 0) {
            /* placed by line and column, not by path */
            snprintf(r->first, sizeof r->first, "%s", p->message);
        } else {
            snprintf(r->first, sizeof r->first, "%s: %s", p->path, p->message);
        }
    }
    return false;
}

bool bmx__coco_reader_init(struct bmx__coco_reader *r, const char *name, bmx_error *err)
{
    r->name = name;
    r->err = err;
    r->pr = (struct bmx__problems){.sink = reader_sink, .ctx = r, .doc_path = "$"};
    r->refused = r->late_refused = r->deferred_refused = false;
    r->kp_refused = r->limit_refused = r->kp_uncounted = false;
    bool ok = bmx__coco_rules_init(&r->rules, &r->pr, 0, 0, 0);
    r->rules.keep = true;
    return ok;
}

void bmx__coco_reader_free(struct bmx__coco_reader *r)
{
    bmx__coco_rules_free(&r->rules);
}

bmx_status bmx__coco_reader_finish(struct bmx__coco_reader *r)
{
    if (r->deferred_refused) {
        return bmx__fail(r->err, r->deferred_status, "%s: %s", r->name, r->deferred);
    }
    return BMX_OK;
}

bmx_status bmx__coco_reader_finish_last(struct bmx__coco_reader *r)
{
    if (r->pr.nomem) {
        return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
    }
    if (r->kp_refused) {
        return bmx__fail(r->err, r->kp_status, "%s: %s", r->name, r->kp);
    }
    if (r->limit_refused) {
        return bmx__fail(r->err, r->limit_status, "%s: %s", r->name, r->limit);
    }
    return BMX_OK;
}

bmx_status bmx__coco_reader_check(struct bmx__coco_reader *r)
{
    if (r->pr.nomem) {
        return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
    }
    if (r->refused) {
        return bmx__fail(r->err, r->status, "%s: %s", r->name, r->first);
    }
    if (r->late_refused) {
        return bmx__fail(r->err, r->late_status, "%s: %s", r->name, r->late);
    }
    return BMX_OK;
}

/* Put the path at record i of `section`; returns what bmx__path_pop restores. */
static size_t at_record(struct bmx__coco_reader *r, const char *section, size_t i)
{
    size_t old = bmx__path_key(&r->pr, section);
    bmx__path_index(&r->pr, i);
    return old;
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

/* An annotation's keypoints into the object (the values stay in its extra fields
 * too, where the writer puts the object's current ones back). */
static bmx_status keep_keypoints(struct bmx__coco_reader *r, const struct bmx__coco_kp *kp,
                                 struct bmx_object *obj)
{
    obj->has_num_keypoints = kp->has_num;
    obj->num_keypoints = (int64_t)kp->num;
    if (!kp->has_kp || !kp->ok) {
        return BMX_OK;
    }
    if (!r->rules.cats_ok && kp->n % 3 != 0) {
        /* no whole number of triples, and no count to name it by yet */
        r->kp_uncounted = true;
    }
    double *v = bmx__alloc_array(kp->n > 0 ? kp->n : 1, sizeof *v);
    if (v == NULL) {
        return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
    }
    if (kp->n > 0) {
        memcpy(v, kp->v, kp->n * sizeof *v);
    }
    obj->keypoints = v;
    obj->n_keypoints = kp->n / 3;
    obj->has_keypoints = true;
    if (!kp->has_num) {
        int64_t labelled = 0;
        for (size_t q = 0; q < obj->n_keypoints; q++) {
            labelled += v[3 * q + 2] > 0.0;
        }
        obj->num_keypoints = labelled;
    }
    return BMX_OK;
}

void bmx__coco_reader_keypoint_values(struct bmx__coco_reader *r, const bmx_dataset *ds)
{
    for (size_t q = 0; q < ds->n_objects && !r->kp_refused; q++) {
        const struct bmx_object *o = &ds->objects[q];
        if (!o->has_keypoints) {
            continue;
        }
        const struct bmx__id_entry *e =
            bmx__id_table_find(&r->rules.cats, false, o->category_id, NULL);
        size_t expected = 0;
        if (e->used && e->index < r->rules.cat_kp_cap) {
            expected = r->rules.cat_kp[e->index];
        }
        struct bmx__coco_kp kp = {.has_num = o->has_num_keypoints,
                                  .num = (double)o->num_keypoints,
                                  .has_kp = true,
                                  .ok = true,
                                  .v = o->keypoints,
                                  .n = 3 * o->n_keypoints};
        size_t old = at_record(r, "annotations", q);
        bmx__rule_keypoint_values(&r->rules, &kp, expected, &r->rules.recs[ds->obj_image[q]],
                                  &o->bbox);
        bmx__path_pop(&r->pr, old);
    }
}

bmx_status bmx__coco_parse_annotation(struct bmx__coco_reader *r, const struct bmx__jnode *a,
                                      size_t i, bmx_dataset *ds, struct bmx_object *obj,
                                      size_t *image_index)
{
    struct bmx__coco_ann got;
    size_t old = at_record(r, "annotations", i);
    bmx__rule_annotation(&r->rules, a, i, &got);
    bmx__path_pop(&r->pr, old);
    bmx_status st = bmx__coco_reader_check(r);
    if (st != BMX_OK) {
        bmx__coco_ann_release(&got);
        return st;
    }
    /* Its keypoints: the values at once when the categories are known, else
     * after the last record (bmx__coco_reader_keypoint_values). */
    struct bmx__coco_kp kp;
    old = at_record(r, "annotations", i);
    bmx__rule_keypoints(&r->rules, a, &got, r->rules.cats_ok, &kp);
    bmx__path_pop(&r->pr, old);
    st = keep_keypoints(r, &kp, obj);
    if (st != BMX_OK) {
        bmx__coco_ann_release(&got);
        return st;
    }
    obj->id = got.id;
    *image_index = got.image;
    obj->category_id = got.category_id;
    obj->bbox = got.box;
    obj->area = got.area;
    obj->has_area = got.has_area;
    obj->iscrowd = got.iscrowd;
    obj->has_iscrowd = got.has_iscrowd;
    switch (got.seg) {
    case BMX__SEG_POLYGON: /* the rules keep records: they are ours */
        obj->seg_kind = BMX_SEG_POLYGON;
        obj->polys = got.polys;
        got.polys_owned = false;
        break;
    case BMX__SEG_RLE:
        obj->seg_kind = BMX_SEG_RLE;
        obj->rle_compressed = got.rle_compressed;
        obj->rle = got.rle;
        got.rle_owned = false;
        break;
    case BMX__SEG_EMPTY:
        obj->seg_kind = BMX_SEG_EMPTY;
        break;
    default:
        obj->seg_kind = BMX_SEG_NONE;
        break;
    }
    bmx__coco_ann_release(&got);

    /* The first member of each known name is the one read (and left out of the
     * extras); a repeated name rides along like an unknown field. */
    obj->visibility = 1.0;
    obj->extra = NULL;
    if (got.n_known == a->n) {
        return BMX_OK;
    }
    const struct bmx__jnode *field[N_KEYS] = {0};
    for (const struct bmx__jnode *c = a->u.child; c != NULL; c = c->next) {
        int k = known_key(c->key);
        if (k >= 0 && field[k] == NULL) {
            field[k] = c;
        }
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
    obj->extra = extra;
    return BMX_OK;
}

bmx_status bmx__coco_parse_image(struct bmx__coco_reader *r, const struct bmx__jnode *im, size_t i,
                                 bmx_dataset *ds, struct bmx_image_info *info)
{
    struct bmx__coco_image got = {0};
    size_t old = at_record(r, "images", i);
    bmx__rule_image(&r->rules, im, i, &got);
    bmx__path_pop(&r->pr, old);
    bmx_status st = bmx__coco_reader_check(r);
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
    info->width = r->rules.recs[i].w;
    info->height = r->rules.recs[i].h;
    info->id = got.id;
    if (got.id_is_str) {
        info->id_str = cJSON_GetObjectItemCaseSensitive(extra, "id")->valuestring;
        info->id = (int64_t)i + 1;
    }
    info->extra = extra;
    return BMX_OK;
}

/* `arr` is the parsed categories array, `carr` its cJSON copy kept in the root
 * (which owns the names). */
bmx_status bmx__coco_parse_categories(struct bmx__coco_reader *r, const struct bmx__jnode *arr,
                                      const cJSON *carr, bmx_dataset *ds)
{
    size_t n = arr->n, pairs = 0;
    for (const struct bmx__jnode *c = arr->u.child; c != NULL; c = c->next) {
        pairs += bmx__coco_skeleton_pairs(c);
    }
    ds->cats = bmx__alloc_array(n, sizeof *ds->cats);
    if (pairs > 0) {
        ds->skeletons = bmx__alloc_array(pairs, 2 * sizeof *ds->skeletons);
    }
    if (ds->cats == NULL || (pairs > 0 && ds->skeletons == NULL)) {
        return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
    }
    size_t i = 0, used = 0;
    const cJSON *cc = carr->child;
    for (const struct bmx__jnode *c = arr->u.child; c != NULL; c = c->next, cc = cc->next, i++) {
        struct bmx_category *cat = &ds->cats[i];
        *cat = (struct bmx_category){0};
        size_t old = at_record(r, "categories", i);
        bmx__rule_category(&r->rules, c, i, &cat->id);
        bmx_status st = bmx__coco_reader_check(r);
        if (st != BMX_OK) {
            bmx__path_pop(&r->pr, old);
            return st;
        }
        /* Pointed at only when the category has pairs: with none in the whole
         * file ds->skeletons is NULL, and NULL + 0 is undefined (UBSan). */
        size_t k = 0;
        bmx__rule_category_keypoints(&r->rules, c, i, pairs > 0 ? ds->skeletons + 2 * used : NULL,
                                     &k);
        bmx__path_pop(&r->pr, old);
        if (r->pr.nomem) {
            return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
        }
        cat->n_keypoints = r->rules.cat_kp[i];
        cat->skeleton = k > 0 ? ds->skeletons + 2 * used : NULL;
        cat->n_skeleton = k;
        used += k;
        cat->name = cJSON_GetObjectItemCaseSensitive(cc, "name")->valuestring;
        const cJSON *sup = cJSON_GetObjectItemCaseSensitive(cc, "supercategory");
        cat->supercategory = cJSON_IsString(sup) ? sup->valuestring : NULL;
        ds->n_cats = i + 1;
    }
    return BMX_OK;
}
