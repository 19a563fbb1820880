/* SPDX-License-Identifier: MIT */
/* The COCO readers: a first pass over the document's top-level members, the fast
 * reader that takes the usual file in one pass and the checked reader that names the
 * first problem, and the entry points bmx_dataset_read_coco, _buffer and _limited.
 *
 * Reading checks the text with our own parser (json.c), then puts each image and
 * annotation to the COCO rules (coco_rules.h, which boxmix-check applies too), one
 * element at a time, and turns it into a compact record (coco_record.c); the first
 * problem the rules refuse is the error, with its JSON path. Fields boxmix does
 * not know stay in the record's cJSON object (`extra`) and are written back after
 * the known ones. */
#include "coco_rules.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
static bmx_status keep_member(struct bmx__coco_reader *r, struct bmx__json *p, const char *key,
                              size_t *at, bmx_dataset *ds, struct bmx__jnode **tree,
                              cJSON **item_out)
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
static bmx_status read_checked(const char *name, bmx_error *err, const char *buf, size_t len,
                               const struct bmx_limits *limits, bmx_dataset **out)
{
    struct bmx__coco_reader reader, *r = &reader;
    struct bmx__json scan, p;
    struct bmx__coco_doc doc = {0};
    bmx_status st = BMX_OK;
    bool nomem = false;
    bool rules_ok = bmx__coco_reader_init(r, name, err);
    bmx__json_init(&scan, buf, len);
    bmx__json_init(&p, buf, len);
    bmx_dataset *ds = new_dataset(r->name);
    if (ds == NULL || !rules_ok) {
        st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
        goto done;
    }
    r->rules.limits = limits;
    /* The first problem as a whole-tree parse meets it: a repeated key (even
     * before a syntax error after it), a syntax error, text after the document,
     * a top level that is no object, a number beyond a double, the sections. */
    bool scanned = bmx__coco_scan(&scan, &doc, &nomem);
    if (nomem) {
        st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
        goto done;
    }
    if (doc.repeats) {
        bmx__rule_duplicate_list(&r->pr, doc.keys, doc.n);
    } else if (!scanned) {
        st = bmx__json_fail(&scan, r->name, r->err);
        goto done;
    } else if (bmx__rule_trailing(&r->pr, &scan, &doc)) {
        bmx__rule_top_object(&r->pr, &doc);
    }
    st = bmx__coco_reader_check(r);
    if (st != BMX_OK) {
        goto done;
    }
    if (scan.has_nonfinite) {
        /* JSON has no non-finite numbers, but 1e999 overflows a double, which
         * must not reach the geometry. */
        char path[512];
        bmx__json_reset(&scan);
        bmx__json_path_at(&scan, doc.root, scan.nonfinite_pos, path, sizeof path);
        st = bmx__fail(r->err, BMX_E_SCHEMA, "%s: %s: number out of range (not finite)", r->name,
                       path);
        goto done;
    }
    char first[BMX__SEC_COUNT], info = '\0';
    for (int q = 0; q < BMX__SEC_COUNT; q++) {
        first[q] = doc.has[q] ? buf[doc.start[q]] : '\0';
    }
    for (size_t q = 0; q < doc.n; q++) {
        if (strcmp(doc.keys[q], "info") == 0) {
            info = buf[doc.starts[q]];
        }
    }
    bmx__rule_sections(&r->pr, first, info);
    st = bmx__coco_reader_check(r);
    if (st != BMX_OK) {
        goto done;
    }

    /* The root keeps every member in order; images and annotations are empty
     * placeholders there (a repeated one is dropped: the first is read). */
    cJSON *cat_json = NULL;
    for (size_t q = 0; q < doc.n; q++) {
        const char *key = doc.keys[q];
        if (strcmp(key, "images") == 0 || strcmp(key, "annotations") == 0) {
            cJSON *ph = cJSON_CreateArray();
            if (ph == NULL || !cJSON_AddItemToObject(ds->root, key, ph)) {
                cJSON_Delete(ph);
                st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
                goto done;
            }
        } else {
            size_t at = doc.starts[q];
            bool cats = at == doc.start[BMX__SEC_CATEGORIES] && strcmp(key, "categories") == 0;
            st = keep_member(r, &p, key, &at, ds, NULL, cats ? &cat_json : NULL);
            if (st != BMX_OK) {
                goto done;
            }
        }
    }
    {
        struct bmx__jnode *v = NULL;
        size_t pos = doc.start[BMX__SEC_CATEGORIES];
        bmx__json_reset(&p);
        if (!bmx__json_value(&p, &pos, 1, &v)) {
            st = bmx__json_fail(&p, r->name, r->err);
            goto done;
        }
        st = bmx__coco_parse_categories(r, v, cat_json, ds);
        if (st != BMX_OK) {
            goto done;
        }
    }
    size_t cap_img = doc.count[BMX__SEC_IMAGES], cap_ann = doc.count[BMX__SEC_ANNOTATIONS];
    ds->images = calloc(cap_img ? cap_img : 1, sizeof *ds->images);
    ds->objects = calloc(cap_ann ? cap_ann : 1, sizeof *ds->objects);
    ds->obj_image = calloc(cap_ann ? cap_ann : 1, sizeof *ds->obj_image);
    if (!ds->images || !ds->objects || !ds->obj_image) {
        st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
        goto done;
    }
    cap_img = cap_img ? cap_img : 1;
    cap_ann = cap_ann ? cap_ann : 1;
    size_t at_img = doc.start[BMX__SEC_IMAGES], at_ann = doc.start[BMX__SEC_ANNOTATIONS];
    st = bmx__coco_read_images(r, &p, &at_img, ds, &cap_img);
    if (st == BMX_OK) {
        st = bmx__coco_read_annotations(r, &p, &at_ann, ds, &cap_ann);
    }
    if (st == BMX_OK) {
        st = bmx__coco_reader_finish(r); /* a box or a vertex far outside its image */
    }
    if (st != BMX_OK) {
        goto done;
    }
    if (!bmx__coco_finish_dataset(ds)) {
        st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
        goto done;
    }
    st = bmx__coco_reader_finish_last(r); /* keypoints, then a limit exceeded */
    if (st != BMX_OK) {
        goto done;
    }
    *out = ds;
    ds = NULL;
done:
    bmx__coco_reader_free(r);
    bmx__coco_doc_free(&doc);
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
static bmx_status read_fast(const char *name, const char *buf, size_t len,
                            const struct bmx_limits *limits, bmx_dataset **out)
{
    bmx_error scratch;
    struct bmx__coco_reader r;
    struct bmx__json p, keys;
    bmx_status st = BMX_E_STATE;
    size_t cap_img = 0, cap_ann = 0;
    bool seen[4] = {false}; /* images, annotations, categories, info */
    bool images_read = false, cats_read = false, cats_checked = false;
    size_t late_annotations = SIZE_MAX; /* annotations that came before the images */
    bmx__json_init(&p, buf, len);
    bmx__json_init(&keys, buf, len);
    bmx_dataset *ds = new_dataset(name);
    bool rules_ok = bmx__coco_reader_init(&r, name, &scratch);
    r.rules.cats_ok = false; /* until the categories are read */
    r.rules.limits = limits;
    if (ds == NULL || !rules_ok) {
        bmx__coco_reader_free(&r);
        bmx__json_free(&p);
        bmx__json_free(&keys);
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
                    st = bmx__coco_read_images(&r, &p, &pos, ds, &cap_img);
                    images_read = true;
                } else {
                    r.rules.cats_ok = cats_read;
                    st = bmx__coco_read_annotations(&r, &p, &pos, ds, &cap_ann);
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
                if (bmx__coco_parse_categories(&r, tree, item, ds) != BMX_OK) {
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
        r.rules.cats_ok = true;
        if (bmx__coco_read_annotations(&r, &p, &late_annotations, ds, &cap_ann) != BMX_OK) {
            goto done;
        }
        cats_checked = true;
    }
    if (!cats_checked && !r.kp_uncounted) {
        /* the annotations came before the categories: their keypoint counts now */
        bmx__coco_reader_keypoint_values(&r, ds);
    }
    if (r.deferred_refused || r.kp_refused || r.limit_refused || r.kp_uncounted ||
        r.pr.nomem) {
        goto done;
    }
    for (size_t q = 0; q < ds->n_objects && !cats_checked; q++) {
        if (!bmx__id_table_find(&r.rules.cats, false, ds->objects[q].category_id, NULL)->used) {
            goto done;
        }
    }
    if (!bmx__coco_finish_dataset(ds)) {
        goto done;
    }
    st = BMX_OK;
    *out = ds;
    ds = NULL;
done:
    bmx__coco_reader_free(&r);
    bmx__json_free(&p);
    bmx__json_free(&keys);
    bmx_dataset_free(ds);
    return st;
}

/* The fast way, else the checked one; `limits` NULL: none. */
static bmx_status read_buffer(const char *buf, size_t len, const char *label,
                              const struct bmx_limits *limits, bmx_dataset **out, bmx_error *err)
{
    *out = NULL;
    bmx_status st = read_fast(label, buf, len, limits, out);
    if (st != BMX_OK) {
        st = read_checked(label, err, buf, len, limits, out);
    }
    return st;
}

/* A file read whole, then read_buffer; the bytes' length and hash into `bytes`
 * when it is not NULL. */
static bmx_status read_path(const char *path, const struct bmx_limits *limits, bmx_dataset **out,
                            struct bmx__file_bytes *bytes, bmx_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    *out = NULL;
    bmx_status st = bmx__read_file(path, &buf, &len, err);
    if (st != BMX_OK) {
        return st;
    }
    st = read_buffer(buf, len, path, limits, out, err);
    if (st == BMX_OK && bytes != NULL) {
        bytes->len = len;
        bytes->hash = bmx__hash_bytes(buf, len);
    }
    free(buf);
    return st;
}

bmx_status bmx_dataset_read_coco_buffer(const char *buf, size_t len, const char *name,
                                        bmx_dataset **out, bmx_error *err)
{
    return read_buffer(buf, len, name ? name : "<memory>", NULL, out, err);
}

bmx_status bmx_dataset_read_coco(const char *path, bmx_dataset **out, bmx_error *err)
{
    return read_path(path, NULL, out, NULL, err);
}

/* The limits are rules of the record they are about (coco_rule_limits.c): the
 * first exceeded is the error, named after any other the document has. */
bmx_status bmx_dataset_read_coco_limited(const char *path, const struct bmx_limits *limits,
                                         bmx_dataset **out, bmx_error *err)
{
    return bmx__coco_read_file(path, limits, out, NULL, err);
}

bmx_status bmx__coco_read_file(const char *path, const struct bmx_limits *limits,
                               bmx_dataset **out, struct bmx__file_bytes *bytes, bmx_error *err)
{
    struct bmx_limits defaults;
    if (limits == NULL) {
        bmx_limits_init(&defaults);
        limits = &defaults;
    }
    return read_path(path, limits, out, bytes, err);
}
