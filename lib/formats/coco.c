/* COCO detection JSON: reading into the dataset model and writing it back.
 *
 * Reading checks the text with our own parser (json.c), then turns each image and
 * annotation into a compact record, one element at a time, checking every field
 * boxmix uses and reporting the first problem with its JSON path. Fields boxmix
 * does not know stay in the record's cJSON object (`extra`) and are written back
 * after the known ones. Writing streams to the file through a small buffer. */
#include "coco.h"
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- an id table: numeric or string ids -> index ---- */

struct id_entry {
    bool used;
    bool is_str;
    int64_t num;
    const char *str;
    size_t index;
};

struct id_table {
    struct id_entry *slots;
    size_t cap;
    size_t count; /* kept by table_reserve's users */
};

static uint64_t hash_num(int64_t v)
{
    uint64_t z = (uint64_t)v + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    }
    return h ^ 0x5bd1e995u;
}

static bool table_init(struct id_table *t, size_t n)
{
    size_t cap = 16;
    while (cap < n * 2 + 1) {
        if (cap > SIZE_MAX / 4) {
            return false;
        }
        cap *= 2;
    }
    t->slots = calloc(cap, sizeof *t->slots);
    t->cap = cap;
    return t->slots != NULL;
}

static struct id_entry *table_find(const struct id_table *t, bool is_str, int64_t num,
                                   const char *str)
{
    uint64_t h = is_str ? hash_str(str) : hash_num(num);
    for (size_t i = (size_t)h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        struct id_entry *e = &t->slots[i];
        if (!e->used) {
            return e;
        }
        if (e->is_str == is_str && (is_str ? strcmp(e->str, str) == 0 : e->num == num)) {
            return e;
        }
    }
}

/* Room for one more entry in a table that grows (at most half full). */
static bool table_reserve(struct id_table *t)
{
    if (t->slots != NULL && (t->count + 1) * 2 < t->cap) {
        return true;
    }
    struct id_table bigger = {0};
    if (!table_init(&bigger, t->cap > t->count ? t->cap : t->count + 1)) {
        return false;
    }
    for (size_t i = 0; i < t->cap; i++) {
        const struct id_entry *e = &t->slots[i];
        if (e->used) {
            *table_find(&bigger, e->is_str, e->num, e->str) = *e;
        }
    }
    bigger.count = t->count;
    free(t->slots);
    *t = bigger;
    return true;
}

/* ---- reading helpers ---- */

struct reader {
    const char *name;
    bmx_error *err;
};

/* Messages name the place as "annotations[3].bbox"; it is only formatted when
 * something is wrong, which keeps the per-record cost down. */
static const char *place(char *buf, size_t cap, const char *arr, size_t i, const char *field)
{
    snprintf(buf, cap, "%s[%zu].%s", arr, i, field);
    return buf;
}

static bmx_status parse_id(struct reader *r, const struct bmx__jnode *v, const char *arr, size_t i,
                           const char *field, bool allow_str, bool *is_str, int64_t *num,
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

static bmx_status parse_dim(struct reader *r, const struct bmx__jnode *v, size_t i,
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

static bmx_status parse_polygons(struct reader *r, const struct bmx__jnode *seg, size_t ai,
                                 struct bmx_polyset *out)
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

static bmx_status parse_rle(struct reader *r, const struct bmx__jnode *seg, size_t ai,
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

/* Whether a string id spells an integer ("7", "07" for 7), and which: the whole
 * string read as a decimal number that fits. */
static bool spells_integer(const char *s, int64_t *value)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0) {
        return false;
    }
    *value = (int64_t)v;
    return true;
}

/* The index of the image an annotation's image_id names. */
static bmx_status find_image(struct reader *r, const struct id_table *images, size_t i, bool is_str,
                             int64_t num, const char *str, size_t *index)
{
    struct id_entry *e = table_find(images, is_str, num, str);
    if (!e->used) {
        /* Converters disagree on "7" versus 7: accept the other spelling (read_images
         * lets no two images share one). */
        char tmp[32];
        int64_t v;
        if (is_str) {
            if (spells_integer(str, &v)) {
                e = table_find(images, false, v, NULL);
            }
        } else {
            snprintf(tmp, sizeof tmp, "%" PRId64, num);
            e = table_find(images, true, 0, tmp);
        }
    }
    if (!e->used) {
        char where[96];
        place(where, sizeof where, "annotations", i, "image_id");
        if (is_str) {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: no image has id \"%s\"", r->name, where, str);
        }
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: no image has id %" PRId64, r->name, where, num);
    }
    *index = e->index;
    return BMX_OK;
}

/* The image found for the previous numeric image_id: annotations usually come
 * grouped by image, and this spares most table look-ups. */
struct last_image {
    bool valid;
    int64_t num;
    size_t index;
};

static bmx_status parse_annotation(struct reader *r, const struct bmx__jnode *a, size_t i,
                                   bmx_dataset *ds, const struct id_table *images,
                                   const struct id_table *cats, struct last_image *last,
                                   struct bmx_object *obj, size_t *image_index)
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
        *last = (struct last_image){!is_str, num, *image_index};
    }
    const struct bmx_image_info *img = &ds->images[*image_index];

    st = parse_id(r, field[KEY_CATEGORY_ID], "annotations", i, "category_id", false, &is_str, &num,
                  &str);
    if (st != BMX_OK) {
        return st;
    }
    if (cats != NULL && !table_find(cats, false, num, NULL)->used) {
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

static bmx_status parse_image(struct reader *r, const struct bmx__jnode *im, size_t i,
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
static bmx_status parse_categories(struct reader *r, const struct bmx__jnode *arr, const cJSON *carr,
                                   bmx_dataset *ds, struct id_table *cats)
{
    size_t n = arr->n;
    ds->cats = bmx__alloc_array(n, sizeof *ds->cats);
    if (ds->cats == NULL || !table_init(cats, n)) {
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
        struct id_entry *e = table_find(cats, false, cat->id, NULL);
        if (e->used) {
            return bmx__fail(r->err, BMX_E_SCHEMA,
                             "%s: categories[%zu].id: duplicate id %" PRId64 " (also categories[%zu])",
                             r->name, i, cat->id, e->index);
        }
        *e = (struct id_entry){.used = true, .num = cat->id, .index = i};
        ds->n_cats = i + 1;
    }
    return BMX_OK;
}

/* ---- the document ---- */

/* A top-level member: its key and the byte range of its value. */
struct member {
    const char *key;
    size_t start, end;
    bool main; /* the first "images" or "annotations": read record by record */
};

struct document {
    struct member *members;
    size_t n, cap;
    size_t value_start;   /* where the top-level value starts */
    char first;           /* its first character */
    size_t n_images, n_annotations;
};

static bool add_member(struct document *d, const char *key, size_t start, size_t end, bool main)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        struct member *m = bmx__realloc_array(d->members, cap, sizeof *m);
        if (m == NULL) {
            return false;
        }
        d->members = m;
        d->cap = cap;
    }
    d->members[d->n++] = (struct member){key, start, end, main};
    return true;
}

/* First pass: check the whole text (syntax, what follows it, numbers that do not
 * fit a double) and find the top-level members, without building anything. */
static bmx_status scan_document(struct reader *r, struct bmx__json *p, struct document *d)
{
    size_t pos = bmx__json_skip_ws(p, 0);
    d->value_start = pos;
    d->first = pos < p->len ? p->buf[pos] : '\0';
    if (d->first != '{') {
        if (!bmx__json_value(p, &pos, 0, NULL)) {
            return bmx__json_fail(p, r->name, r->err);
        }
    } else {
        bool seen_images = false, seen_annotations = false;
        int more = bmx__json_begin(p, &pos, '{');
        while (more == 1) {
            const char *key;
            if (!bmx__json_key(p, &pos, &key)) {
                return bmx__json_fail(p, r->name, r->err);
            }
            size_t start = bmx__json_skip_ws(p, pos);
            for (size_t q = 0; q < d->n && d->n < 4096; q++) {
                if (strcmp(d->members[q].key, key) == 0) {
                    return bmx__fail(r->err, BMX_E_SCHEMA,
                                     "%s: %s: a repeated key (readers disagree on which one wins)",
                                     r->name, key);
                }
            }
            bool is_images = strcmp(key, "images") == 0;
            bool is_annotations = strcmp(key, "annotations") == 0;
            bool main = (is_images && !seen_images) || (is_annotations && !seen_annotations);
            seen_images |= is_images;
            seen_annotations |= is_annotations;
            if (main && start < p->len && p->buf[start] == '[') {
                size_t count = 0;
                pos = start;
                int m = bmx__json_begin(p, &pos, '[');
                while (m == 1) {
                    if (!bmx__json_value(p, &pos, 2, NULL)) {
                        return bmx__json_fail(p, r->name, r->err);
                    }
                    count++;
                    m = bmx__json_next(p, &pos, ']');
                }
                if (m < 0) {
                    return bmx__json_fail(p, r->name, r->err);
                }
                *(is_images ? &d->n_images : &d->n_annotations) = count;
            } else if (!bmx__json_value(p, &pos, 1, NULL)) {
                return bmx__json_fail(p, r->name, r->err);
            }
            if (!add_member(d, key, start, pos, main)) {
                return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
            }
            more = bmx__json_next(p, &pos, '}');
        }
        if (more < 0) {
            return bmx__json_fail(p, r->name, r->err);
        }
    }
    /* Only whitespace may follow the document. */
    for (size_t q = pos; q < p->len; q++) {
        char c = p->buf[q];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\0') {
            size_t line, col;
            bmx__json_line_col(p->buf, q, &line, &col);
            return bmx__fail(r->err, BMX_E_PARSE, "%s: line %zu, column %zu: text after the JSON document",
                             r->name, line, col);
        }
    }
    if (d->first != '{') {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: top level: expected an object, got %s", r->name,
                         bmx__json_type_name_of_text(d->first));
    }
    if (p->has_nonfinite) {
        /* JSON has no non-finite numbers, but 1e999 overflows a double, which
         * must not reach the geometry. */
        char path[512];
        bmx__json_reset(p);
        bmx__json_path_at(p, d->value_start, p->nonfinite_pos, path, sizeof path);
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: number out of range (not finite)", r->name,
                         path);
    }
    return BMX_OK;
}

static const struct member *find_member(const struct document *d, const char *key)
{
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->members[i].key, key) == 0) {
            return &d->members[i];
        }
    }
    return NULL;
}

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
 * records, grown as needed). One id, one image: besides a repeated id, two spellings
 * of one number ("7" and 7, or "07") are refused, since an annotation's image_id may
 * name an image by either and would then be taken for the other's. */
static bmx_status read_images(struct reader *r, struct bmx__json *p, size_t *at, bmx_dataset *ds,
                              size_t *cap, struct id_table *images)
{
    struct id_table values = {0}; /* the number each id spells -> its first image */
    bmx_status st = BMX_OK;
    size_t pos = *at;
    int more = bmx__json_begin(p, &pos, '[');
    for (size_t i = 0; more == 1; i++) {
        struct bmx__jnode *im = NULL;
        bmx__json_reset(p);
        if (!bmx__json_value(p, &pos, 2, &im)) {
            st = bmx__json_fail(p, r->name, r->err);
            goto done;
        }
        if (!image_room(ds, i, cap) || !table_reserve(images) || !table_reserve(&values)) {
            st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
            goto done;
        }
        st = parse_image(r, im, i, ds, &ds->images[i]);
        if (st != BMX_OK) {
            goto done;
        }
        const struct bmx_image_info *info = &ds->images[i];
        struct id_entry *e = table_find(images, info->id_str != NULL, info->id, info->id_str);
        if (e->used) {
            if (info->id_str != NULL) {
                st = bmx__fail(r->err, BMX_E_SCHEMA,
                               "%s: images[%zu].id: duplicate id \"%s\" (also images[%zu])",
                               r->name, i, info->id_str, e->index);
            } else {
                st = bmx__fail(r->err, BMX_E_SCHEMA,
                               "%s: images[%zu].id: duplicate id %" PRId64 " (also images[%zu])",
                               r->name, i, info->id, e->index);
            }
            goto done;
        }
        *e = (struct id_entry){.used = true, .is_str = info->id_str != NULL, .num = info->id,
                               .str = info->id_str, .index = i};
        images->count++;
        int64_t value = info->id;
        if (info->id_str == NULL || spells_integer(info->id_str, &value)) {
            /* a numeric entry; `str` keeps the spelling for the message */
            struct id_entry *v = table_find(&values, false, value, NULL);
            if (v->used) {
                char id[96], other[96];
                if (info->id_str != NULL) {
                    snprintf(id, sizeof id, "\"%s\"", info->id_str);
                } else {
                    snprintf(id, sizeof id, "%" PRId64, value);
                }
                if (v->str != NULL) {
                    snprintf(other, sizeof other, "\"%s\"", v->str);
                } else {
                    snprintf(other, sizeof other, "%" PRId64, value);
                }
                st = bmx__fail(r->err, BMX_E_SCHEMA,
                               "%s: images[%zu].id: duplicate id %s (also images[%zu], spelled %s)",
                               r->name, i, id, v->index, other);
                goto done;
            }
            *v = (struct id_entry){.used = true, .num = value, .str = info->id_str, .index = i};
            values.count++;
        }
        ds->n_images = i + 1;
        more = bmx__json_next(p, &pos, ']');
    }
    if (more < 0) {
        st = bmx__json_fail(p, r->name, r->err);
        goto done;
    }
    *at = pos;
done:
    free(values.slots);
    return st;
}

/* The annotations array at *at (then just past it) into ds->objects (file order) and
 * ds->obj_image, grown as needed. `cats` NULL leaves category ids unchecked. */
static bmx_status read_annotations(struct reader *r, struct bmx__json *p, size_t *at,
                                   bmx_dataset *ds, size_t *cap, const struct id_table *images,
                                   const struct id_table *cats)
{
    struct id_table anns = {0};
    struct last_image last = {0};
    bool increasing = true;
    bmx_status st = BMX_OK;
    size_t pos = *at;
    int more = bmx__json_begin(p, &pos, '[');
    for (size_t i = 0; more == 1; i++) {
        struct bmx__jnode *a = NULL;
        bmx__json_reset(p);
        if (!bmx__json_value(p, &pos, 2, &a)) {
            st = bmx__json_fail(p, r->name, r->err);
            goto done;
        }
        if (!object_room(ds, i, cap)) {
            st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
            goto done;
        }
        struct bmx_object *obj = &ds->objects[i];
        st = parse_annotation(r, a, i, ds, images, cats, &last, obj, &ds->obj_image[i]);
        if (st != BMX_OK) {
            bmx_object_free(obj);
            goto done;
        }
        ds->n_objects = i + 1;
        more = bmx__json_next(p, &pos, ']');
        /* While ids only grow (the usual case) none can repeat: the table is
         * built the first time one does not. */
        if (increasing && (i == 0 || obj->id > ds->objects[i - 1].id)) {
            continue;
        }
        if (increasing) {
            increasing = false;
            for (size_t q = 0; q < i; q++) {
                if (!table_reserve(&anns)) {
                    st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
                    goto done;
                }
                *table_find(&anns, false, ds->objects[q].id, NULL) =
                    (struct id_entry){.used = true, .num = ds->objects[q].id, .index = q};
                anns.count++;
            }
        }
        if (!table_reserve(&anns)) {
            st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
            goto done;
        }
        struct id_entry *e = table_find(&anns, false, obj->id, NULL);
        if (e->used) {
            st = bmx__fail(r->err, BMX_E_SCHEMA,
                           "%s: annotations[%zu].id: duplicate id %" PRId64 " (also annotations[%zu])",
                           r->name, i, obj->id, e->index);
            goto done;
        }
        *e = (struct id_entry){.used = true, .num = obj->id, .index = i};
        anns.count++;
    }
    if (more < 0) {
        st = bmx__json_fail(p, r->name, r->err);
    }
    *at = pos;
done:
    free(anns.slots);
    return st;
}

/* The arrays a reader fills at the end, once the counts are known. */
static bool finish_dataset(bmx_dataset *ds)
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

static bmx_dataset *new_dataset(const char *name)
{
    bmx_dataset *ds = calloc(1, sizeof *ds);
    if (ds == NULL) {
        return NULL;
    }
    ds->name = strdup(name);
    ds->extras = cJSON_CreateArray();
    ds->root = cJSON_CreateObject();
    if (ds->name == NULL || ds->extras == NULL || ds->root == NULL) {
        bmx_dataset_free(ds);
        return NULL;
    }
    return ds;
}

/* A top-level member other than the images and annotations read record by
 * record, parsed and kept in the root as cJSON. */
static bmx_status keep_member(struct reader *r, struct bmx__json *p, const char *key, size_t *at,
                              bmx_dataset *ds, struct bmx__jnode **tree, cJSON **item_out)
{
    struct bmx__jnode *v = NULL;
    bmx__json_reset(p);
    if (!bmx__json_value(p, at, 1, &v)) {
        return bmx__json_fail(p, r->name, r->err);
    }
    cJSON *item = bmx__json_to_cjson(v);
    if (item == NULL || !cJSON_AddItemToObject(ds->root, key, item)) {
        cJSON_Delete(item);
        return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
    }
    if (tree != NULL) {
        *tree = v;
    }
    if (item_out != NULL) {
        *item_out = item;
    }
    return BMX_OK;
}

/*
 * The checked way, which finds the first problem the way a whole-tree parse
 * would: a first pass checks the text and finds the top-level members (a syntax
 * error anywhere, then a number beyond a double, come before any content error);
 * then the members are read in a fixed order: categories, images, annotations.
 */
static bmx_status read_checked(struct reader *r, const char *buf, size_t len, bmx_dataset **out)
{
    struct id_table images = {0}, cats = {0};
    struct bmx__json scan, p;
    struct document doc = {0};
    bmx_status st = BMX_OK;
    bmx__json_init(&scan, buf, len);
    bmx__json_init(&p, buf, len);
    bmx_dataset *ds = new_dataset(r->name);
    if (ds == NULL) {
        return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
    }
    st = scan_document(r, &scan, &doc);
    if (st != BMX_OK) {
        goto done;
    }
    static const char *const required[] = {"images", "annotations", "categories"};
    const struct member *req[3];
    for (size_t q = 0; q < 3; q++) {
        req[q] = find_member(&doc, required[q]);
        if (req[q] == NULL) {
            st = bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: missing (a COCO detection file needs images, annotations and categories)",
                           r->name, required[q]);
            goto done;
        }
        if (buf[req[q]->start] != '[') {
            st = bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: expected an array, got %s", r->name,
                           required[q], bmx__json_type_name_of_text(buf[req[q]->start]));
            goto done;
        }
    }
    const struct member *info = find_member(&doc, "info");
    if (info != NULL && buf[info->start] != '{' && buf[info->start] != 'n') {
        st = bmx__fail(r->err, BMX_E_SCHEMA, "%s: info: expected an object or null, got %s",
                       r->name, bmx__json_type_name_of_text(buf[info->start]));
        goto done;
    }

    /* The root keeps every member in order; images and annotations are empty
     * placeholders there (a repeated one is dropped: the first is read). */
    cJSON *cat_json = NULL;
    for (size_t q = 0; q < doc.n; q++) {
        const struct member *m = &doc.members[q];
        if (m->main) {
            cJSON *ph = cJSON_CreateArray();
            if (ph == NULL || !cJSON_AddItemToObject(ds->root, m->key, ph)) {
                cJSON_Delete(ph);
                st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
                goto done;
            }
        } else if (strcmp(m->key, "images") != 0 && strcmp(m->key, "annotations") != 0) {
            size_t at = m->start;
            st = keep_member(r, &p, m->key, &at, ds, NULL, m == req[2] ? &cat_json : NULL);
            if (st != BMX_OK) {
                goto done;
            }
        }
    }
    {
        struct bmx__jnode *v = NULL;
        size_t pos = req[2]->start;
        bmx__json_reset(&p);
        if (!bmx__json_value(&p, &pos, 1, &v)) {
            st = bmx__json_fail(&p, r->name, r->err);
            goto done;
        }
        st = parse_categories(r, v, cat_json, ds, &cats);
        if (st != BMX_OK) {
            goto done;
        }
    }
    size_t cap_img = doc.n_images, cap_ann = doc.n_annotations;
    ds->images = calloc(cap_img ? cap_img : 1, sizeof *ds->images);
    ds->objects = calloc(cap_ann ? cap_ann : 1, sizeof *ds->objects);
    ds->obj_image = calloc(cap_ann ? cap_ann : 1, sizeof *ds->obj_image);
    if (!ds->images || !ds->objects || !ds->obj_image || !table_init(&images, cap_img)) {
        st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
        goto done;
    }
    cap_img = cap_img ? cap_img : 1;
    cap_ann = cap_ann ? cap_ann : 1;
    size_t at_img = req[0]->start, at_ann = req[1]->start;
    st = read_images(r, &p, &at_img, ds, &cap_img, &images);
    if (st == BMX_OK) {
        st = read_annotations(r, &p, &at_ann, ds, &cap_ann, &images, &cats);
    }
    if (st != BMX_OK) {
        goto done;
    }
    if (!finish_dataset(ds)) {
        st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
        goto done;
    }
    *out = ds;
    ds = NULL;
done:
    free(images.slots);
    free(cats.slots);
    free(doc.members);
    bmx__json_free(&scan);
    bmx__json_free(&p);
    bmx_dataset_free(ds);
    return st;
}

/*
 * The usual case in one pass over the text: each member is read where it
 * stands, images and annotations record by record (annotations only once the
 * images are known; category ids are checked at the end when the categories come
 * later). Any problem at all gives up (with BMX_E_STATE) and leaves the message
 * to read_checked, so the reported problem never depends on the path taken.
 */
static bmx_status read_fast(const char *name, const char *buf, size_t len, bmx_dataset **out)
{
    bmx_error scratch;
    struct reader r = {name, &scratch};
    struct id_table images = {0}, cats = {0};
    struct bmx__json p, keys;
    bmx_status st = BMX_E_STATE;
    size_t cap_img = 0, cap_ann = 0;
    bool seen[4] = {false}; /* images, annotations, categories, info */
    bool images_read = false, cats_read = false, cats_checked = false;
    size_t late_annotations = SIZE_MAX; /* annotations that came before the images */
    bmx__json_init(&p, buf, len);
    bmx__json_init(&keys, buf, len);
    bmx_dataset *ds = new_dataset(name);
    if (ds == NULL || !table_init(&images, 0)) {
        bmx_dataset_free(ds);
        return BMX_E_NOMEM;
    }
    size_t pos = 0;
    int more = bmx__json_begin(&p, &pos, '{');
    while (more == 1) {
        const char *key;
        if (!bmx__json_key(&keys, &pos, &key)) {
            goto done;
        }
        size_t start = bmx__json_skip_ws(&p, pos);
        if (start >= len) {
            goto done;
        }
        static const char *const names[4] = {"images", "annotations", "categories", "info"};
        int k = 0;
        while (k < 4 && strcmp(key, names[k]) != 0) {
            k++;
        }
        bool first = k < 4 && !seen[k];
        if ((k < 4 && !first) || cJSON_GetObjectItemCaseSensitive(ds->root, key) != NULL) {
            goto done; /* a repeated key: the checked reader names it */
        }
        if (k < 4) {
            seen[k] = true;
        }
        if (k < 3 && first && buf[start] != '[') {
            goto done;
        }
        if (k == 3 && first && buf[start] != '{' && buf[start] != 'n') {
            goto done;
        }
        if (k < 2 && !first) {
            /* a repeated images or annotations member is checked, not kept */
            if (!bmx__json_value(&p, &pos, 1, NULL)) {
                goto done;
            }
        } else if (k < 2) {
            cJSON *ph = cJSON_CreateArray();
            if (ph == NULL || !cJSON_AddItemToObject(ds->root, key, ph)) {
                cJSON_Delete(ph);
                goto done;
            }
            pos = start;
            if (k == 1 && !images_read) {
                late_annotations = start;
                if (!bmx__json_value(&p, &pos, 1, NULL)) {
                    goto done;
                }
            } else {
                if (k == 0) {
                    st = read_images(&r, &p, &pos, ds, &cap_img, &images);
                    images_read = true;
                } else {
                    st = read_annotations(&r, &p, &pos, ds, &cap_ann, &images,
                                          cats_read ? &cats : NULL);
                    cats_checked = cats_read;
                }
                if (st != BMX_OK) {
                    goto done;
                }
                st = BMX_E_STATE;
            }
        } else {
            struct bmx__jnode *tree = NULL;
            cJSON *item = NULL;
            pos = start;
            if (keep_member(&r, &p, key, &pos, ds, &tree, &item) != BMX_OK) {
                goto done;
            }
            if (k == 2 && first) {
                if (parse_categories(&r, tree, item, ds, &cats) != BMX_OK) {
                    goto done;
                }
                cats_read = true;
            }
        }
        more = bmx__json_next(&p, &pos, '}');
    }
    if (more < 0 || !seen[0] || !seen[1] || !seen[2] || p.has_nonfinite || keys.has_nonfinite) {
        goto done;
    }
    for (size_t q = bmx__json_skip_ws(&p, pos); q < len; q++) {
        if (buf[q] != '\0' && buf[q] != ' ' && buf[q] != '\n' && buf[q] != '\r' && buf[q] != '\t') {
            goto done;
        }
    }
    if (late_annotations != SIZE_MAX) {
        if (read_annotations(&r, &p, &late_annotations, ds, &cap_ann, &images, &cats) != BMX_OK) {
            goto done;
        }
        cats_checked = true;
    }
    for (size_t q = 0; q < ds->n_objects && !cats_checked; q++) {
        if (!table_find(&cats, false, ds->objects[q].category_id, NULL)->used) {
            goto done;
        }
    }
    if (!finish_dataset(ds)) {
        goto done;
    }
    st = BMX_OK;
    *out = ds;
    ds = NULL;
done:
    free(images.slots);
    free(cats.slots);
    bmx__json_free(&p);
    bmx__json_free(&keys);
    bmx_dataset_free(ds);
    return st;
}

/* Boxes and polygons a dataset may hold: a box may stray past the edge (official
 * files have some), but not lie wholly outside its image or reach beyond it by
 * more than its size; polygon vertices likewise. What CutMix makes from anything
 * further out would not be finite. */
static bmx_status check_geometry(const bmx_dataset *ds, const char *path, bmx_error *err)
{
    bmx_status st = BMX_OK;
    for (size_t q = 0; q < ds->n_objects && st == BMX_OK; q++) {
        size_t slot = ds->file_order[q];
        const struct bmx_object *o = &ds->objects[slot];
        const struct bmx_image_info *im = &ds->images[ds->obj_image[slot]];
        double W = im->width, H = im->height;
        const struct bmx_box *b = &o->bbox;
        if (!isfinite(b->x + b->w) || !isfinite(b->y + b->h) || b->x > W || b->y > H ||
            b->x + b->w < 0 || b->y + b->h < 0 || b->x < -W || b->y < -H || b->x + b->w > 2 * W ||
            b->y + b->h > 2 * H) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: annotations[%zu].bbox: [%g, %g, %g, %g] lies outside its %dx%d image",
                           path, q, b->x, b->y, b->w, b->h, (int)im->width, (int)im->height);
            break;
        }
        if (o->seg_kind != BMX_SEG_POLYGON) {
            continue;
        }
        for (size_t k = 0; k < o->polys.count && st == BMX_OK; k++) {
            const struct bmx_poly *ring = &o->polys.rings[k];
            for (size_t v = 0; v < ring->n; v++) {
                double x = ring->xy[2 * v], y = ring->xy[2 * v + 1];
                if (!(x >= -W && x <= 2 * W && y >= -H && y <= 2 * H)) {
                    st = bmx__fail(err, BMX_E_SCHEMA,
                                   "%s: annotations[%zu].segmentation[%zu]: vertex (%g, %g) lies far "
                                   "outside its %dx%d image",
                                   path, q, k, x, y, (int)im->width, (int)im->height);
                    break;
                }
            }
        }
        if (st != BMX_OK) {
            break;
        }
    }
    return st;
}

bmx_status bmx_dataset_read_coco_buffer(const char *buf, size_t len, const char *name,
                                        bmx_dataset **out, bmx_error *err)
{
    struct reader r = {name ? name : "<memory>", err};
    *out = NULL;
    bmx_status st = read_fast(r.name, buf, len, out);
    if (st != BMX_OK) {
        st = read_checked(&r, buf, len, out);
    }
    if (st == BMX_OK) {
        st = check_geometry(*out, r.name, err);
        if (st == BMX_OK) {
            st = bmx__coco_read_keypoints(*out, r.name, err);
        }
        if (st != BMX_OK) {
            bmx_dataset_free(*out);
            *out = NULL;
        }
    }
    return st;
}

bmx_status bmx_dataset_read_coco(const char *path, bmx_dataset **out, bmx_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    *out = NULL;
    bmx_status st = bmx__read_file(path, &buf, &len, err);
    if (st != BMX_OK) {
        return st;
    }
    st = bmx_dataset_read_coco_buffer(buf, len, path, out, err);
    free(buf);
    return st;
}

/* ---- writing ---- */

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

/* Streams the document to a temporary file through a few-MB buffer, so a large
 * dataset is never held twice in memory. */
bmx_status bmx_dataset_write_coco(const bmx_dataset *ds, const char *path, bmx_error *err)
{
    struct bmx__atomic f;
    bmx_status st = bmx__atomic_open(&f, path, err);
    if (st != BMX_OK) {
        return st;
    }
    struct bmx__buf b = {.to_fd = true, .fd = f.fd};
    bmx__coco_put_dataset(&b, ds);
    bmx__buf_flush(&b);
    if (b.failed) {
        if (b.io_errno != 0) {
            st = bmx__fail(err, BMX_E_IO, "%s: write error: %s", f.tmp, strerror(b.io_errno));
        } else {
            st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory while writing", path);
        }
    }
    bmx_status cst = bmx__atomic_close(&f, path, st == BMX_OK, true, err);
    bmx__buf_free(&b);
    return st != BMX_OK ? st : cst;
}

bmx_status bmx_dataset_read_coco_limited(const char *path, const struct bmx_limits *limits,
                                         bmx_dataset **out, bmx_error *err)
{
    struct bmx_limits defaults;
    if (limits == NULL) {
        bmx_limits_init(&defaults);
        limits = &defaults;
    }
    bmx_status st = bmx_dataset_read_coco(path, out, err);
    if (st != BMX_OK) {
        return st;
    }
    const bmx_dataset *ds = *out;
    for (size_t i = 0; i < ds->n_images && st == BMX_OK; i++) {
        const struct bmx_image_info *im = &ds->images[i];
        uint64_t px = (uint64_t)im->width * (uint64_t)im->height;
        if (px > limits->max_image_pixels) {
            st = bmx__fail(err, BMX_E_LIMIT,
                           "%s: images[%zu]: %dx%d is more than the limit of %" PRIu64
                           " pixels (--max-pixels raises it)",
                           path, i, (int)im->width, (int)im->height, limits->max_image_pixels);
        } else if (ds->img_count[i] > limits->max_objects_per_image) {
            st = bmx__fail(err, BMX_E_LIMIT,
                           "%s: images[%zu]: %zu annotations is more than the limit of %" PRIu64,
                           path, i, ds->img_count[i], limits->max_objects_per_image);
        }
    }
    for (size_t q = 0; q < ds->n_objects && st == BMX_OK; q++) {
        const struct bmx_object *o = &ds->objects[ds->file_order[q]];
        if (o->seg_kind != BMX_SEG_POLYGON) {
            continue;
        }
        uint64_t v = 0;
        for (size_t k = 0; k < o->polys.count; k++) {
            v += o->polys.rings[k].n;
        }
        if (v > limits->max_polygon_vertices) {
            st = bmx__fail(err, BMX_E_LIMIT,
                           "%s: annotations[%zu].segmentation: %" PRIu64
                           " polygon vertices is more than the limit of %" PRIu64,
                           path, q, v, limits->max_polygon_vertices);
        }
    }
    if (st != BMX_OK) {
        bmx_dataset_free(*out);
        *out = NULL;
    }
    return st;
}
