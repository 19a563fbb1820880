/* COCO detection JSON: reading into the dataset model and writing it back.
 *
 * Reading parses the file with cJSON, checks every field boxmix uses and reports
 * the first problem with its JSON path. Fields boxmix does not know stay in the
 * record's cJSON object (`extra`) and are written back after the known ones. */
#include "dataset.h"

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

/* ---- reading helpers ---- */

struct reader {
    const char *name;
    bmx_error *err;
};

static bool is_integral(double v)
{
    return isfinite(v) && v == floor(v) && fabs(v) <= 9007199254740992.0;
}

static const char *type_name(const cJSON *v)
{
    if (v == NULL) {
        return "nothing";
    }
    if (cJSON_IsNull(v)) {
        return "null";
    }
    if (cJSON_IsBool(v)) {
        return "a boolean";
    }
    if (cJSON_IsNumber(v)) {
        return "a number";
    }
    if (cJSON_IsString(v)) {
        return "a string";
    }
    if (cJSON_IsArray(v)) {
        return "an array";
    }
    if (cJSON_IsObject(v)) {
        return "an object";
    }
    return "an unknown value";
}

/* Walk the whole tree once: JSON has no non-finite numbers, but 1e999 parses to
 * infinity, which must not reach the geometry. */
static bool find_nonfinite(const cJSON *v, char *path, size_t cap, size_t len)
{
    if (cJSON_IsNumber(v)) {
        return !isfinite(v->valuedouble);
    }
    if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) {
        return false;
    }
    size_t i = 0;
    for (const cJSON *c = v->child; c != NULL; c = c->next, i++) {
        int n;
        if (cJSON_IsObject(v)) {
            n = snprintf(path + len, cap - len, "%s%s", len ? "." : "", c->string);
        } else {
            n = snprintf(path + len, cap - len, "[%zu]", i);
        }
        size_t nl = len + (n > 0 ? (size_t)n : 0);
        if (nl >= cap) {
            nl = cap - 1;
        }
        if (find_nonfinite(c, path, cap, nl)) {
            return true;
        }
        path[len] = '\0';
    }
    return false;
}

static bmx_status parse_id(struct reader *r, const cJSON *v, const char *where, bool allow_str,
                           bool *is_str, int64_t *num, const char **str)
{
    if (cJSON_IsNumber(v) && is_integral(v->valuedouble)) {
        *is_str = false;
        *num = (int64_t)v->valuedouble;
        *str = NULL;
        return BMX_OK;
    }
    if (allow_str && cJSON_IsString(v)) {
        *is_str = true;
        *num = 0;
        *str = v->valuestring;
        return BMX_OK;
    }
    if (v == NULL) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: missing", r->name, where);
    }
    return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: expected an integer%s, got %s", r->name,
                     where, allow_str ? " or a string" : "", type_name(v));
}

static bmx_status parse_dim(struct reader *r, const cJSON *v, const char *where, int32_t *out)
{
    if (v == NULL) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: missing", r->name, where);
    }
    if (!cJSON_IsNumber(v) || !is_integral(v->valuedouble) || v->valuedouble < 1 ||
        v->valuedouble > INT32_MAX) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: expected a positive integer, got %s",
                         r->name, where, cJSON_IsNumber(v) ? "a number out of range" : type_name(v));
    }
    *out = (int32_t)v->valuedouble;
    return BMX_OK;
}

static bmx_status parse_polygons(struct reader *r, const cJSON *seg, const char *where,
                                 struct bmx_polyset *out)
{
    size_t n = (size_t)cJSON_GetArraySize(seg);
    out->rings = bmx__alloc_array(n, sizeof *out->rings);
    if (out->rings == NULL) {
        return bmx__fail(r->err, BMX_E_NOMEM, "%s: %s: out of memory", r->name, where);
    }
    out->count = 0;
    size_t i = 0;
    for (const cJSON *ring = seg->child; ring != NULL; ring = ring->next, i++) {
        if (!cJSON_IsArray(ring)) {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s[%zu]: expected an array of numbers, got %s",
                             r->name, where, i, type_name(ring));
        }
        size_t k = (size_t)cJSON_GetArraySize(ring);
        if (k % 2 != 0) {
            return bmx__fail(r->err, BMX_E_SCHEMA,
                             "%s: %s[%zu]: expected an even count of numbers (x, y pairs), got %zu",
                             r->name, where, i, k);
        }
        if (k < 6) {
            return bmx__fail(r->err, BMX_E_SCHEMA,
                             "%s: %s[%zu]: a polygon needs at least 3 points (6 numbers), got %zu",
                             r->name, where, i, k);
        }
        struct bmx_poly *p = &out->rings[out->count];
        p->xy = bmx__alloc_array(k, sizeof *p->xy);
        if (p->xy == NULL) {
            return bmx__fail(r->err, BMX_E_NOMEM, "%s: %s: out of memory", r->name, where);
        }
        p->n = k / 2;
        out->count++;
        size_t j = 0;
        for (const cJSON *c = ring->child; c != NULL; c = c->next, j++) {
            if (!cJSON_IsNumber(c)) {
                return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s[%zu][%zu]: expected a number, got %s",
                                 r->name, where, i, j, type_name(c));
            }
            p->xy[j] = c->valuedouble;
        }
    }
    return BMX_OK;
}

static bmx_status parse_rle(struct reader *r, const cJSON *seg, const char *where,
                            const struct bmx_image_info *img, struct bmx_object *obj)
{
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(seg, "size");
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(seg, "counts");
    if (!cJSON_IsArray(size) || cJSON_GetArraySize(size) != 2 || !cJSON_IsNumber(size->child) ||
        !cJSON_IsNumber(size->child->next) || !is_integral(size->child->valuedouble) ||
        !is_integral(size->child->next->valuedouble)) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s.size: expected [height, width] integers",
                         r->name, where);
    }
    double h = size->child->valuedouble;
    double w = size->child->next->valuedouble;
    if (h != img->height || w != img->width) {
        return bmx__fail(r->err, BMX_E_SCHEMA,
                         "%s: %s.size: [%.0f, %.0f] differs from its image's [height, width] [%d, %d]",
                         r->name, where, h, w, (int)img->height, (int)img->width);
    }
    bmx_status st;
    if (cJSON_IsString(counts)) {
        st = bmx_rle_from_string(counts->valuestring, strlen(counts->valuestring), (uint32_t)h,
                                 (uint32_t)w, &obj->rle, r->err);
        if (st != BMX_OK) {
            return bmx__prefix(r->err, st, "%s: %s.counts", r->name, where);
        }
        obj->rle_compressed = true;
    } else if (cJSON_IsArray(counts)) {
        size_t m = (size_t)cJSON_GetArraySize(counts);
        obj->rle.counts = bmx__alloc_array(m, sizeof *obj->rle.counts);
        if (obj->rle.counts == NULL) {
            return bmx__fail(r->err, BMX_E_NOMEM, "%s: %s: out of memory", r->name, where);
        }
        obj->rle.h = (uint32_t)h;
        obj->rle.w = (uint32_t)w;
        obj->rle.m = m;
        size_t j = 0;
        for (const cJSON *c = counts->child; c != NULL; c = c->next, j++) {
            if (!cJSON_IsNumber(c) || !is_integral(c->valuedouble) || c->valuedouble < 0 ||
                c->valuedouble > UINT32_MAX) {
                return bmx__fail(r->err, BMX_E_SCHEMA,
                                 "%s: %s.counts[%zu]: expected a run length in 0..4294967295",
                                 r->name, where, j);
            }
            obj->rle.counts[j] = (uint32_t)c->valuedouble;
        }
        st = bmx_rle_validate(&obj->rle, r->err);
        if (st != BMX_OK) {
            return bmx__prefix(r->err, st, "%s: %s.counts", r->name, where);
        }
        obj->rle_compressed = false;
    } else {
        return bmx__fail(r->err, BMX_E_SCHEMA,
                         "%s: %s.counts: expected a string or an array of run lengths, got %s",
                         r->name, where, type_name(counts));
    }
    obj->seg_kind = BMX_SEG_RLE;
    return BMX_OK;
}

static bmx_status parse_annotation(struct reader *r, cJSON *a, size_t i, const bmx_dataset *ds,
                                   const struct id_table *images, const struct id_table *cats,
                                   struct bmx_object *obj, size_t *image_index)
{
    char where[96];
    bmx_status st;
    if (!cJSON_IsObject(a)) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: annotations[%zu]: expected an object, got %s",
                         r->name, i, type_name(a));
    }
    bool is_str;
    int64_t num;
    const char *str;
    snprintf(where, sizeof where, "annotations[%zu].id", i);
    st = parse_id(r, cJSON_GetObjectItemCaseSensitive(a, "id"), where, false, &is_str, &num, &str);
    if (st != BMX_OK) {
        return st;
    }
    obj->id = num;

    snprintf(where, sizeof where, "annotations[%zu].image_id", i);
    const cJSON *iv = cJSON_GetObjectItemCaseSensitive(a, "image_id");
    st = parse_id(r, iv, where, true, &is_str, &num, &str);
    if (st != BMX_OK) {
        return st;
    }
    struct id_entry *e = table_find(images, is_str, num, str);
    if (!e->used) {
        /* Converters disagree on "7" versus 7: accept the other spelling when it
         * names exactly one image. */
        char tmp[32];
        char *end;
        if (is_str) {
            long long v = strtoll(str, &end, 10);
            if (*str != '\0' && *end == '\0') {
                e = table_find(images, false, (int64_t)v, NULL);
            }
        } else {
            snprintf(tmp, sizeof tmp, "%" PRId64, num);
            e = table_find(images, true, 0, tmp);
        }
    }
    if (!e->used) {
        if (is_str) {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: no image has id \"%s\"", r->name, where, str);
        }
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: no image has id %" PRId64, r->name, where, num);
    }
    *image_index = e->index;
    const struct bmx_image_info *img = &ds->images[e->index];

    snprintf(where, sizeof where, "annotations[%zu].category_id", i);
    st = parse_id(r, cJSON_GetObjectItemCaseSensitive(a, "category_id"), where, false, &is_str,
                  &num, &str);
    if (st != BMX_OK) {
        return st;
    }
    if (!table_find(cats, false, num, NULL)->used) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: no category has id %" PRId64, r->name,
                         where, num);
    }
    obj->category_id = num;

    const cJSON *bbox = cJSON_GetObjectItemCaseSensitive(a, "bbox");
    snprintf(where, sizeof where, "annotations[%zu].bbox", i);
    if (bbox == NULL) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: missing", r->name, where);
    }
    if (!cJSON_IsArray(bbox)) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: expected 4 numbers, got %s", r->name,
                         where, type_name(bbox));
    }
    int nb = cJSON_GetArraySize(bbox);
    if (nb != 4) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: expected 4 numbers, got %d", r->name,
                         where, nb);
    }
    double bv[4];
    int k = 0;
    for (const cJSON *c = bbox->child; c != NULL; c = c->next, k++) {
        if (!cJSON_IsNumber(c)) {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s[%d]: expected a number, got %s",
                             r->name, where, k, type_name(c));
        }
        bv[k] = c->valuedouble;
    }
    if (bv[2] < 0 || bv[3] < 0) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: negative width or height [%g, %g, %g, %g]",
                         r->name, where, bv[0], bv[1], bv[2], bv[3]);
    }
    obj->bbox = (struct bmx_box){bv[0], bv[1], bv[2], bv[3]};

    const cJSON *area = cJSON_GetObjectItemCaseSensitive(a, "area");
    if (area != NULL) {
        if (!cJSON_IsNumber(area) || area->valuedouble < 0) {
            return bmx__fail(r->err, BMX_E_SCHEMA,
                             "%s: annotations[%zu].area: expected a number >= 0, got %s", r->name,
                             i, cJSON_IsNumber(area) ? "a negative number" : type_name(area));
        }
        obj->area = area->valuedouble;
        obj->has_area = true;
    }

    const cJSON *crowd = cJSON_GetObjectItemCaseSensitive(a, "iscrowd");
    if (crowd != NULL) {
        if (cJSON_IsBool(crowd)) {
            obj->iscrowd = cJSON_IsTrue(crowd) ? 1 : 0;
        } else if (cJSON_IsNumber(crowd) && (crowd->valuedouble == 0 || crowd->valuedouble == 1)) {
            obj->iscrowd = (int)crowd->valuedouble;
        } else {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: annotations[%zu].iscrowd: expected 0 or 1",
                             r->name, i);
        }
        obj->has_iscrowd = true;
    }

    const cJSON *seg = cJSON_GetObjectItemCaseSensitive(a, "segmentation");
    snprintf(where, sizeof where, "annotations[%zu].segmentation", i);
    if (seg == NULL || cJSON_IsNull(seg)) {
        obj->seg_kind = BMX_SEG_NONE;
    } else if (cJSON_IsArray(seg)) {
        if (cJSON_GetArraySize(seg) == 0) {
            obj->seg_kind = BMX_SEG_EMPTY;
        } else {
            obj->seg_kind = BMX_SEG_POLYGON;
            st = parse_polygons(r, seg, where, &obj->polys);
            if (st != BMX_OK) {
                return st;
            }
        }
    } else if (cJSON_IsObject(seg)) {
        st = parse_rle(r, seg, where, img, obj);
        if (st != BMX_OK) {
            return st;
        }
    } else {
        return bmx__fail(r->err, BMX_E_SCHEMA,
                         "%s: %s: expected a list of polygons or an RLE object, got %s", r->name,
                         where, type_name(seg));
    }

    static const char *const known[] = {"id", "image_id", "category_id", "bbox",
                                        "area", "iscrowd", "segmentation"};
    for (size_t q = 0; q < sizeof known / sizeof known[0]; q++) {
        cJSON_DeleteItemFromObjectCaseSensitive(a, known[q]);
    }
    /* A boxmix output read back: its provenance is known. */
    const cJSON *bm = cJSON_GetObjectItemCaseSensitive(a, "boxmix");
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(bm, "from");
    const cJSON *vis = cJSON_GetObjectItemCaseSensitive(bm, "visibility");
    if (cJSON_IsString(from)) {
        obj->origin = strcmp(from->valuestring, "source") == 0 ? BMX_FROM_SOURCE
                      : strcmp(from->valuestring, "base") == 0 ? BMX_FROM_BASE
                                                               : BMX_FROM_NONE;
    }
    obj->visibility = cJSON_IsNumber(vis) ? vis->valuedouble : 1.0;
    obj->extra = a->child != NULL ? a : NULL;
    return BMX_OK;
}

static bmx_status parse_image(struct reader *r, const cJSON *im, size_t i,
                              struct bmx_image_info *info)
{
    char where[64];
    bmx_status st;
    if (!cJSON_IsObject(im)) {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: images[%zu]: expected an object, got %s",
                         r->name, i, type_name(im));
    }
    bool is_str;
    const char *str;
    snprintf(where, sizeof where, "images[%zu].id", i);
    st = parse_id(r, cJSON_GetObjectItemCaseSensitive(im, "id"), where, true, &is_str, &info->id,
                  &str);
    if (st != BMX_OK) {
        return st;
    }
    if (is_str) {
        info->id_str = str;
        info->id = (int64_t)i + 1;
    }
    const cJSON *fn = cJSON_GetObjectItemCaseSensitive(im, "file_name");
    if (!cJSON_IsString(fn) || fn->valuestring[0] == '\0') {
        return bmx__fail(r->err, BMX_E_SCHEMA, "%s: images[%zu].file_name: %s", r->name, i,
                         fn == NULL ? "missing" : "expected a non-empty string");
    }
    info->file_name = fn->valuestring;
    snprintf(where, sizeof where, "images[%zu].width", i);
    st = parse_dim(r, cJSON_GetObjectItemCaseSensitive(im, "width"), where, &info->width);
    if (st != BMX_OK) {
        return st;
    }
    snprintf(where, sizeof where, "images[%zu].height", i);
    st = parse_dim(r, cJSON_GetObjectItemCaseSensitive(im, "height"), where, &info->height);
    if (st != BMX_OK) {
        return st;
    }
    info->extra = im;
    return BMX_OK;
}

static bmx_status parse_categories(struct reader *r, const cJSON *arr, bmx_dataset *ds,
                                   struct id_table *cats)
{
    size_t n = (size_t)cJSON_GetArraySize(arr);
    ds->cats = bmx__alloc_array(n, sizeof *ds->cats);
    if (ds->cats == NULL || !table_init(cats, n)) {
        return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
    }
    size_t i = 0;
    for (const cJSON *c = arr->child; c != NULL; c = c->next, i++) {
        char where[64];
        if (!cJSON_IsObject(c)) {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: categories[%zu]: expected an object, got %s",
                             r->name, i, type_name(c));
        }
        bool is_str;
        const char *str;
        struct bmx_category *cat = &ds->cats[i];
        snprintf(where, sizeof where, "categories[%zu].id", i);
        bmx_status st = parse_id(r, cJSON_GetObjectItemCaseSensitive(c, "id"), where, false,
                                 &is_str, &cat->id, &str);
        if (st != BMX_OK) {
            return st;
        }
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        if (!cJSON_IsString(name)) {
            return bmx__fail(r->err, BMX_E_SCHEMA, "%s: categories[%zu].name: %s", r->name, i,
                             name == NULL ? "missing" : "expected a string");
        }
        cat->name = name->valuestring;
        const cJSON *sup = cJSON_GetObjectItemCaseSensitive(c, "supercategory");
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

/* The line and column of byte offset `off`, for parse errors. */
static void line_col(const char *buf, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

bmx_status bmx_dataset_read_coco_buffer(const char *buf, size_t len, const char *name,
                                        bmx_dataset **out, bmx_error *err)
{
    struct reader r = {name ? name : "<memory>", err};
    struct id_table images = {0}, anns = {0}, cats = {0};
    bmx_status st = BMX_OK;
    *out = NULL;
    bmx_dataset *ds = calloc(1, sizeof *ds);
    if (ds == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", r.name);
    }
    ds->name = strdup(r.name);
    ds->extras = cJSON_CreateArray();
    if (ds->name == NULL || ds->extras == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", r.name);
        goto done;
    }
    const char *end = NULL;
    ds->root = cJSON_ParseWithLengthOpts(buf, len, &end, false);
    if (ds->root == NULL) {
        size_t off = end != NULL && end >= buf ? (size_t)(end - buf) : 0;
        size_t line, col;
        line_col(buf, off > len ? len : off, &line, &col);
        st = bmx__fail(err, BMX_E_PARSE, "%s: line %zu, column %zu: not valid JSON", r.name, line, col);
        goto done;
    }
    /* Only whitespace may follow the document. */
    for (const char *p = end; p < buf + len; p++) {
        if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t' && *p != '\0') {
            size_t line, col;
            line_col(buf, (size_t)(p - buf), &line, &col);
            st = bmx__fail(err, BMX_E_PARSE, "%s: line %zu, column %zu: text after the JSON document",
                           r.name, line, col);
            goto done;
        }
    }
    if (!cJSON_IsObject(ds->root)) {
        st = bmx__fail(err, BMX_E_SCHEMA, "%s: top level: expected an object, got %s", r.name,
                       type_name(ds->root));
        goto done;
    }
    {
        char path[512] = "";
        if (find_nonfinite(ds->root, path, sizeof path, 0)) {
            st = bmx__fail(err, BMX_E_SCHEMA, "%s: %s: number out of range (not finite)", r.name, path);
            goto done;
        }
    }
    static const char *const required[] = {"images", "annotations", "categories"};
    for (size_t q = 0; q < 3; q++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(ds->root, required[q]);
        if (v == NULL) {
            st = bmx__fail(err, BMX_E_SCHEMA, "%s: %s: missing (a COCO detection file needs images, annotations and categories)",
                           r.name, required[q]);
            goto done;
        }
        if (!cJSON_IsArray(v)) {
            st = bmx__fail(err, BMX_E_SCHEMA, "%s: %s: expected an array, got %s", r.name,
                           required[q], type_name(v));
            goto done;
        }
    }
    const cJSON *info = cJSON_GetObjectItemCaseSensitive(ds->root, "info");
    if (info != NULL && !cJSON_IsObject(info) && !cJSON_IsNull(info)) {
        st = bmx__fail(err, BMX_E_SCHEMA, "%s: info: expected an object or null, got %s", r.name,
                       type_name(info));
        goto done;
    }

    st = parse_categories(&r, cJSON_GetObjectItemCaseSensitive(ds->root, "categories"), ds, &cats);
    if (st != BMX_OK) {
        goto done;
    }

    /* Images: move the array out of the root (an empty one keeps its place). */
    cJSON *imgs = cJSON_DetachItemFromObjectCaseSensitive(ds->root, "images");
    cJSON_AddItemToArray(ds->extras, imgs);
    cJSON *anarr = cJSON_DetachItemFromObjectCaseSensitive(ds->root, "annotations");
    cJSON_AddItemToArray(ds->extras, anarr);
    size_t n_img = (size_t)cJSON_GetArraySize(imgs);
    size_t n_ann = (size_t)cJSON_GetArraySize(anarr);
    ds->images = calloc(n_img ? n_img : 1, sizeof *ds->images);
    ds->img_first = calloc(n_img ? n_img : 1, sizeof *ds->img_first);
    ds->img_count = calloc(n_img ? n_img : 1, sizeof *ds->img_count);
    ds->objects = calloc(n_ann ? n_ann : 1, sizeof *ds->objects);
    ds->obj_image = calloc(n_ann ? n_ann : 1, sizeof *ds->obj_image);
    ds->file_order = calloc(n_ann ? n_ann : 1, sizeof *ds->file_order);
    struct bmx_object *tmp = calloc(n_ann ? n_ann : 1, sizeof *tmp);
    size_t *tmp_img = calloc(n_ann ? n_ann : 1, sizeof *tmp_img);
    if (!ds->images || !ds->img_first || !ds->img_count || !ds->objects || !ds->obj_image ||
        !ds->file_order || !tmp || !tmp_img || !table_init(&images, n_img) || !table_init(&anns, n_ann)) {
        free(tmp);
        free(tmp_img);
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", r.name);
        goto done;
    }
    /* The placeholders keep the keys' order for writing. */
    {
        cJSON *ph_img = cJSON_CreateArray();
        cJSON *ph_ann = cJSON_CreateArray();
        if (ph_img == NULL || ph_ann == NULL) {
            cJSON_Delete(ph_img);
            cJSON_Delete(ph_ann);
            free(tmp);
            free(tmp_img);
            st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", r.name);
            goto done;
        }
        cJSON_AddItemToObject(ds->root, "images", ph_img);
        cJSON_AddItemToObject(ds->root, "annotations", ph_ann);
    }
    size_t i = 0;
    for (cJSON *im = imgs->child; im != NULL; im = im->next, i++) {
        st = parse_image(&r, im, i, &ds->images[i]);
        if (st != BMX_OK) {
            break;
        }
        const struct bmx_image_info *info = &ds->images[i];
        struct id_entry *e = table_find(&images, info->id_str != NULL, info->id, info->id_str);
        if (e->used) {
            if (info->id_str != NULL) {
                st = bmx__fail(err, BMX_E_SCHEMA, "%s: images[%zu].id: duplicate id \"%s\" (also images[%zu])",
                               r.name, i, info->id_str, e->index);
            } else {
                st = bmx__fail(err, BMX_E_SCHEMA,
                               "%s: images[%zu].id: duplicate id %" PRId64 " (also images[%zu])",
                               r.name, i, info->id, e->index);
            }
            break;
        }
        *e = (struct id_entry){.used = true, .is_str = info->id_str != NULL, .num = info->id,
                               .str = info->id_str, .index = i};
        ds->n_images = i + 1;
    }
    if (st == BMX_OK) {
        i = 0;
        for (cJSON *a = anarr->child; a != NULL; a = a->next, i++) {
            st = parse_annotation(&r, a, i, ds, &images, &cats, &tmp[i], &tmp_img[i]);
            if (st != BMX_OK) {
                bmx_object_free(&tmp[i]);
                break;
            }
            struct id_entry *e = table_find(&anns, false, tmp[i].id, NULL);
            if (e->used) {
                st = bmx__fail(err, BMX_E_SCHEMA,
                               "%s: annotations[%zu].id: duplicate id %" PRId64 " (also annotations[%zu])",
                               r.name, i, tmp[i].id, e->index);
                bmx_object_free(&tmp[i]);
                break;
            }
            *e = (struct id_entry){.used = true, .num = tmp[i].id, .index = i};
        }
    }
    if (st != BMX_OK) {
        for (size_t q = 0; q < i; q++) {
            bmx_object_free(&tmp[q]);
        }
        free(tmp);
        free(tmp_img);
        goto done;
    }
    /* Group objects by image, keeping file order within each image. */
    for (size_t q = 0; q < n_ann; q++) {
        ds->img_count[tmp_img[q]]++;
    }
    size_t acc = 0;
    for (size_t q = 0; q < n_img; q++) {
        ds->img_first[q] = acc;
        acc += ds->img_count[q];
        ds->img_count[q] = 0;
    }
    for (size_t q = 0; q < n_ann; q++) {
        size_t im = tmp_img[q];
        size_t slot = ds->img_first[im] + ds->img_count[im]++;
        ds->objects[slot] = tmp[q];
        ds->obj_image[slot] = im;
        ds->file_order[q] = slot;
    }
    ds->n_objects = n_ann;
    free(tmp);
    free(tmp_img);
    *out = ds;
    ds = NULL;
done:
    free(images.slots);
    free(anns.slots);
    free(cats.slots);
    bmx_dataset_free(ds);
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
        bmx__buf_printf(b, "%" PRId64, info->id);
    }
}

static void put_extra(struct bmx__buf *b, const cJSON *extra, const char *const *skip,
                      size_t n_skip)
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
        if (skipped) {
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
            bmx__buf_put(b, i ? ",[" : "[", i ? 2 : 1);
            for (size_t j = 0; j < 2 * p->n; j++) {
                if (j) {
                    bmx__buf_put(b, ",", 1);
                }
                bmx__buf_number(b, p->xy[j]);
            }
            bmx__buf_put(b, "]", 1);
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
                bmx__buf_printf(b, j ? ",%u" : "%u", obj->rle.counts[j]);
            }
            bmx__buf_put(b, "]", 1);
        }
        bmx__buf_put(b, "}", 1);
    }
}

void bmx__coco_put_annotation(struct bmx__buf *b, const struct bmx_object *obj, int64_t id,
                              const char *image_id_json, const char *boxmix_json)
{
    bmx__buf_printf(b, "{\"id\":%" PRId64 ",\"image_id\":%s,\"category_id\":%" PRId64 ",\"bbox\":[",
                    id, image_id_json, obj->category_id);
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
        bmx__buf_printf(b, ",\"iscrowd\":%d", obj->iscrowd);
    }
    put_segmentation(b, obj);
    static const char *const skip[] = {"boxmix"};
    put_extra(b, obj->extra, skip, boxmix_json != NULL ? 1 : 0);
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
        put_extra(b, info->extra, skip, boxmix_json != NULL ? 5 : 4);
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

static void same_images(struct bmx__buf *b, void *ctx)
{
    const bmx_dataset *ds = ctx;
    for (size_t i = 0; i < ds->n_images; i++) {
        const struct bmx_image_info *info = &ds->images[i];
        struct bmx__buf id = {0};
        bmx__coco_put_image_id(&id, info);
        if (id.failed) {
            b->failed = true;
            return;
        }
        bmx__buf_puts(b, i ? ",\n" : "\n");
        bmx__coco_put_image(b, info, id.data, info->file_name, info->width, info->height, true, NULL);
        bmx__buf_free(&id);
    }
}

static void same_annotations(struct bmx__buf *b, void *ctx)
{
    const bmx_dataset *ds = ctx;
    for (size_t q = 0; q < ds->n_objects; q++) {
        size_t slot = ds->file_order[q];
        const struct bmx_object *obj = &ds->objects[slot];
        struct bmx__buf id = {0};
        bmx__coco_put_image_id(&id, &ds->images[ds->obj_image[slot]]);
        if (id.failed) {
            b->failed = true;
            return;
        }
        bmx__buf_puts(b, q ? ",\n" : "\n");
        bmx__coco_put_annotation(b, obj, obj->id, id.data, NULL);
        bmx__buf_free(&id);
    }
}

bmx_status bmx_dataset_write_coco(const bmx_dataset *ds, const char *path, bmx_error *err)
{
    struct bmx__buf b = {0};
    bmx__coco_put_document(&b, ds, same_images, same_annotations, (void *)ds);
    if (b.failed) {
        bmx__buf_free(&b);
        return bmx__fail(err, BMX_E_NOMEM, "%s: out of memory while writing", path);
    }
    bmx_status st = bmx__write_file_atomic(path, b.data, b.len, true, err);
    bmx__buf_free(&b);
    return st;
}
