/* SPDX-License-Identifier: MIT */
/* The per-record rules of a COCO document: a category, an image and an
 * annotation (its ids and references, bbox, area, iscrowd and segmentation
 * against each other and the image), with the id and dimension parsers they use,
 * the resolution of an annotation's image_id, and the rules' state. */
#include "coco_rules.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_BLOCK ((size_t)1 << 20)

bool bmx__coco_rules_init(struct bmx__coco_rules *r, struct bmx__problems *pr, size_t n_images,
                          size_t n_annotations, size_t n_categories)
{
    *r = (struct bmx__coco_rules){
        .pr = pr, .images_ok = true, .cats_ok = true, .anns_increasing = true};
    return bmx__image_ids_init(&r->images, n_images) &&
           bmx__id_table_init(&r->cats, n_categories) &&
           bmx__id_table_init(&r->names, pr->all ? n_images : 0) &&
           bmx__id_table_init(&r->anns, pr->all ? n_annotations : 0);
}

void bmx__coco_rules_free(struct bmx__coco_rules *r)
{
    bmx__image_ids_free(&r->images);
    free(r->cats.slots);
    free(r->names.slots);
    free(r->anns.slots);
    free(r->ann_ids);
    free(r->recs);
    while (r->pool != NULL) {
        struct bmx__pool_block *next = r->pool->next;
        free(r->pool);
        r->pool = next;
    }
    free(r->rings);
    free(r->xy);
    free(r->runs);
    free(r->cat_kp);
    free(r->kp);
    *r = (struct bmx__coco_rules){0};
}

const char *bmx__coco_pool_copy(struct bmx__coco_rules *r, const char *s)
{
    size_t n = strlen(s) + 1;
    struct bmx__pool_block *b = r->pool;
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = n > POOL_BLOCK ? n : POOL_BLOCK, bytes;
        if (!bmx__add_size(sizeof *b, cap, &bytes) || (b = malloc(bytes)) == NULL) {
            r->pr->nomem = true;
            return NULL;
        }
        b->cap = cap;
        b->used = 0;
        b->next = r->pool;
        r->pool = b;
    }
    char *out = b->data + b->used;
    memcpy(out, s, n);
    b->used += n;
    return out;
}

/* Room for record i of a growing array of `size`-byte elements. */
static bool room(void **arr, size_t *cap, size_t i, size_t size)
{
    if (i < *cap) {
        return true;
    }
    size_t cap2 = *cap == 0 ? 1024 : *cap * 2;
    while (cap2 <= i) {
        cap2 *= 2;
    }
    void *a = bmx__realloc_array(*arr, cap2, size);
    if (a == NULL) {
        return false;
    }
    *arr = a;
    *cap = cap2;
    return true;
}

/* A string id that is not yet in `t` is copied to last; one already there (a
 * clash) needs no copy. */
static const char *lasting(struct bmx__coco_rules *r, const struct bmx__id_table *t,
                           const struct bmx__id_entry *id)
{
    if (!id->is_str) {
        return NULL;
    }
    const struct bmx__id_entry *e = bmx__id_table_find(t, true, 0, id->str);
    return e->used ? e->str : bmx__coco_pool_copy(r, id->str);
}

/* Enter an id into `t` (a category's, an annotation's), a repeated one reported
 * at the current path as a late problem (the reader names it after the record). */
static void add_id(struct bmx__coco_rules *r, struct bmx__id_table *t,
                   const struct bmx__id_entry *id, size_t index, const char *section)
{
    bool repeated;
    char clash[1024];
    if (!bmx__id_table_add(t, id->is_str, id->num, id->str, index, section, &repeated, clash,
                           sizeof clash)) {
        r->pr->nomem = true;
    } else if (repeated) {
        /* the reader names it once the record's fields passed */
        r->pr->late = true;
        bmx__problem(r->pr, BMX__REFUSE, "duplicate-id", "%s", clash);
        r->pr->late = false;
    }
}

/* An id: an integer, or (when allow_str) a string. The path is already the id's.
 * Returns false after reporting. Non-finite numbers return false silently (the
 * reader refused them with the text, the checker reports them at their place). A
 * string id borrows the record's text. */
static bool parse_id(struct bmx__problems *pr, const struct bmx__jnode *v, bool allow_str,
                     struct bmx__id_entry *out)
{
    if (v->type == BMX__J_NUMBER) {
        if (!isfinite(v->u.num)) {
            return false;
        }
        if (bmx__json_is_integral(v->u.num)) {
            *out = (struct bmx__id_entry){.is_str = false, .num = (int64_t)v->u.num};
            return true;
        }
        bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected an integer%s, got %.10g",
                     allow_str ? " or a string" : "", v->u.num);
        return false;
    }
    if (allow_str && v->type == BMX__J_STRING) {
        *out = (struct bmx__id_entry){.is_str = true, .str = v->u.str};
        return true;
    }
    bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected an integer%s, got %s",
                 allow_str ? " or a string" : "", bmx__json_type_name(v));
    return false;
}

/* A member `key` of `obj` that must be an id: false when it is missing or bad
 * (reported at its path). */
static bool member_id(struct bmx__problems *pr, const struct bmx__jnode *obj, const char *key,
                      bool allow_str, struct bmx__id_entry *out)
{
    const struct bmx__jnode *v = bmx__rule_member(pr, obj, key, true);
    if (v == NULL) {
        return false;
    }
    size_t old = bmx__path_key(pr, key);
    bool ok = parse_id(pr, v, allow_str, out);
    bmx__path_pop(pr, old);
    return ok;
}

/* A positive integer dimension (width, height). */
static bool parse_dim(struct bmx__problems *pr, const struct bmx__jnode *obj, const char *key,
                      int32_t *out)
{
    const struct bmx__jnode *v = bmx__rule_member(pr, obj, key, true);
    if (v == NULL) {
        return false;
    }
    size_t old = bmx__path_key(pr, key);
    bool ok = false;
    if (v->type != BMX__J_NUMBER) {
        bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected a positive integer, got %s",
                     bmx__json_type_name(v));
    } else if (!isfinite(v->u.num)) {
        /* reported as not finite */
    } else if (!bmx__json_is_integral(v->u.num) || v->u.num < 1 || v->u.num > INT32_MAX) {
        bmx__problem(pr, BMX__REFUSE, "bad-value", "expected a positive integer, got %.10g",
                     v->u.num);
    } else {
        *out = (int32_t)v->u.num;
        ok = true;
    }
    bmx__path_pop(pr, old);
    return ok;
}

void bmx__rule_category(struct bmx__coco_rules *r, const struct bmx__jnode *cat, size_t i,
                        int64_t *id)
{
    struct bmx__problems *pr = r->pr;
    if (!bmx__json_is_object(cat)) {
        bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected an object, got %s",
                     bmx__json_type_name(cat));
        return;
    }
    if (pr->all) {
        bmx__rule_duplicate_keys(pr, cat); /* the reader's parser refuses them */
    }
    struct bmx__id_entry k;
    if (member_id(pr, cat, "id", false, &k)) {
        size_t old = BMX__PATH_FIELD(pr, "id");
        add_id(r, &r->cats, &k, i, "categories");
        bmx__path_pop(pr, old);
        *id = k.num;
    }
    const struct bmx__jnode *v = bmx__rule_member(pr, cat, "name", true);
    if (v != NULL && !bmx__json_is_string(v)) {
        size_t old = BMX__PATH_FIELD(pr, "name");
        bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected a string, got %s",
                     bmx__json_type_name(v));
        bmx__path_pop(pr, old);
    }
}

void bmx__rule_image(struct bmx__coco_rules *r, const struct bmx__jnode *im, size_t i,
                     struct bmx__coco_image *out)
{
    struct bmx__problems *pr = r->pr;
    if (!room((void **)&r->recs, &r->recs_cap, i, sizeof *r->recs)) {
        pr->nomem = true;
        return;
    }
    struct bmx__coco_image_rec *rec = &r->recs[i];
    *rec = (struct bmx__coco_image_rec){0};
    r->n_recs = i + 1;
    if (!bmx__json_is_object(im)) {
        bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected an object, got %s",
                     bmx__json_type_name(im));
        return;
    }
    if (pr->all) {
        bmx__rule_duplicate_keys(pr, im);
    }
    struct bmx__id_entry k;
    if (member_id(pr, im, "id", true, &k)) {
        const char *str = lasting(r, &r->images.ids, &k);
        if (!k.is_str || str != NULL) {
            bool repeated;
            char clash[1024];
            size_t old = BMX__PATH_FIELD(pr, "id");
            if (!bmx__image_ids_add(&r->images, k.is_str, k.num, str, i, &repeated, clash,
                                    sizeof clash)) {
                pr->nomem = true;
            } else if (repeated) {
                pr->late = true;
                bmx__problem(pr, BMX__REFUSE, "duplicate-id", "%s", clash);
                pr->late = false;
            }
            bmx__path_pop(pr, old);
            *out = (struct bmx__coco_image){k.is_str, k.num, str};
        }
    }
    const char *name = NULL;
    const struct bmx__jnode *v = bmx__rule_member(pr, im, "file_name", true);
    if (v != NULL) {
        size_t old = BMX__PATH_FIELD(pr, "file_name");
        if (!bmx__json_is_string(v)) {
            bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected a non-empty string, got %s",
                         bmx__json_type_name(v));
        } else if (v->u.str[0] == '\0') {
            bmx__problem(pr, BMX__REFUSE, "bad-value", "expected a non-empty string, got \"\"");
        } else if (!pr->all) {
            name = v->u.str;
        } else if (bmx__name_escapes(v->u.str)) {
            bmx__problem(pr, BMX__ERROR, "file-name-escapes",
                         "\"%s\" escapes the image folder (absolute or '..')", v->u.str);
        } else {
            name = v->u.str;
            struct bmx__id_entry *s = bmx__id_table_find(&r->names, true, 0, name);
            const char *own;
            if (s->used) {
                bmx__problem(pr, BMX__WARNING, "duplicate-file-name",
                             "\"%s\" is also the file of images[%zu]", name, s->index);
            } else if ((own = bmx__coco_pool_copy(r, name)) != NULL) {
                *s = (struct bmx__id_entry){.used = true, .is_str = true, .str = own, .index = i};
                r->names.count++;
            }
        }
        bmx__path_pop(pr, old);
    }
    bool w_ok = parse_dim(pr, im, "width", &rec->w);
    bool h_ok = parse_dim(pr, im, "height", &rec->h);
    rec->dims_ok = w_ok && h_ok;
    bmx__rule_limit_pixels(r, rec);
    if (pr->all) {
        bmx__rule_image_boxmix(r, im, rec);
    }
    if (name != NULL && r->image_file != NULL) {
        size_t old = BMX__PATH_FIELD(pr, "file_name");
        r->image_file(r->image_file_ctx, name, rec);
        bmx__path_pop(pr, old);
    }
}

/* image_id: resolve to an image record, accepting the other spelling ("7" for 7)
 * with a warning (other tools will not match them). The last image found is
 * kept: annotations usually come grouped by image. */
static struct bmx__coco_image_rec *resolve_image(struct bmx__coco_rules *r,
                                                 const struct bmx__jnode *v, size_t *index)
{
    struct bmx__problems *pr = r->pr;
    struct bmx__id_entry k;
    size_t old = BMX__PATH_FIELD(pr, "image_id");
    struct bmx__coco_image_rec *rec = NULL;
    if (!parse_id(pr, v, true, &k) || !r->images_ok) {
        goto done;
    }
    if (!k.is_str && r->last.valid && r->last.num == k.num) {
        *index = r->last.index;
        rec = &r->recs[*index];
        goto done;
    }
    bool respelled;
    const struct bmx__id_entry *e =
        bmx__image_ids_find(&r->images, k.is_str, k.num, k.str, &respelled);
    if (e == NULL && k.is_str) {
        bmx__problem(pr, BMX__REFUSE, "unknown-image-id", "no image has id \"%s\"", k.str);
        goto done;
    }
    if (e == NULL) {
        bmx__problem(pr, BMX__REFUSE, "unknown-image-id", "no image has id %" PRId64, k.num);
        goto done;
    }
    if (respelled) {
        char id[96];
        bmx__coco_describe_id(id, sizeof id, k.is_str, k.num, k.str);
        bmx__problem(
            pr, BMX__WARNING, "image-id-spelling",
            "%s names images[%zu] whose id is spelled %s (other tools will not match them)", id,
            e->index, k.is_str ? "as a number" : "as a string");
    }
    *index = e->index;
    rec = &r->recs[e->index];
    r->last = (struct bmx__coco_last_image){!k.is_str && !respelled, k.num, e->index};
done:
    if (rec != NULL) {
        bmx__rule_limit_annotations(r, rec, k.is_str, k.num, k.str);
    }
    bmx__path_pop(pr, old);
    return rec;
}

/* A box against its image. A box may stray past the edge (official files have
 * some), but not lie wholly outside its image or reach beyond it by more than its
 * size: what CutMix makes from anything further out would not be finite. The
 * reader refuses that once every record is read; the checker also reports a box
 * more than 1 px past an edge, and warns of one past it by more than rounding. */
static void box_vs_image(struct bmx__problems *pr, const struct bmx_box *b,
                         const struct bmx__coco_image_rec *img)
{
    double W = img->w, H = img->h;
    if (!isfinite(b->x + b->w) || !isfinite(b->y + b->h) || b->x > W || b->y > H ||
        b->x + b->w < 0 || b->y + b->h < 0 || b->x < -W || b->y < -H || b->x + b->w > 2 * W ||
        b->y + b->h > 2 * H) {
        pr->deferred = true;
        bmx__problem(pr, BMX__REFUSE, "bbox-outside-image",
                     "[%.10g, %.10g, %.10g, %.10g] lies outside its %" PRId32 "x%" PRId32 " image",
                     b->x, b->y, b->w, b->h, img->w, img->h);
        pr->deferred = false;
        return;
    }
    if (!pr->all) {
        return;
    }
    double over = fmax(fmax(-b->x, -b->y), fmax(b->x + b->w - W, b->y + b->h - H));
    if (over > BMX__EDGE_TOL) {
        bmx__problem(pr, BMX__ERROR, "bbox-outside-image",
                     "[%.10g, %.10g, %.10g, %.10g] extends %.4g px beyond the %" PRId32 "x%" PRId32
                     " image",
                     b->x, b->y, b->w, b->h, over, img->w, img->h);
    } else if (over > BMX__COORD_EPS) {
        bmx__problem(pr, BMX__WARNING, "bbox-past-edge",
                     "[%.10g, %.10g, %.10g, %.10g] extends %.3g px beyond the %" PRId32 "x%" PRId32
                     " image",
                     b->x, b->y, b->w, b->h, over, img->w, img->h);
    }
}

/* An annotation's id: while ids only grow (the usual case) none can repeat, and
 * the table is built the first time one does not. */
static void annotation_id(struct bmx__coco_rules *r, const struct bmx__id_entry *k, size_t i)
{
    if (r->pr->all) {
        /* every annotation has a place in the table, even after one without an id */
        add_id(r, &r->anns, k, i, "annotations");
        return;
    }
    if (!room((void **)&r->ann_ids, &r->ann_ids_cap, r->n_anns, sizeof *r->ann_ids)) {
        r->pr->nomem = true;
        return;
    }
    r->ann_ids[r->n_anns++] = k->num;
    if (r->anns_increasing && (r->n_anns == 1 || k->num > r->ann_ids[r->n_anns - 2])) {
        return;
    }
    if (r->anns_increasing) {
        r->anns_increasing = false;
        for (size_t q = 0; q + 1 < r->n_anns; q++) {
            bool repeated;
            char clash[1024];
            if (!bmx__id_table_add(&r->anns, false, r->ann_ids[q], NULL, q, "annotations",
                                   &repeated, clash, sizeof clash)) {
                r->pr->nomem = true;
                return;
            }
        }
    }
    add_id(r, &r->anns, k, i, "annotations");
}

void bmx__coco_ann_release(struct bmx__coco_ann *a)
{
    if (a->polys_owned) {
        bmx_polyset_free(&a->polys);
    }
    a->polys_owned = false;
    if (a->rle_owned) {
        bmx_rle_free(&a->rle);
    }
    a->rle_owned = false;
}

void bmx__rule_annotation(struct bmx__coco_rules *r, const struct bmx__jnode *a, size_t i,
                          struct bmx__coco_ann *out)
{
    struct bmx__problems *pr = r->pr;
    *out = (struct bmx__coco_ann){.seg = BMX__SEG_BAD};
    if (!bmx__json_is_object(a)) {
        bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected an object, got %s",
                     bmx__json_type_name(a));
        return;
    }
    if (pr->all) {
        bmx__rule_duplicate_keys(pr, a);
    }
    /* One look at each member; the first of a repeated name is the one read. */
    const struct bmx__jnode *f_id = NULL, *f_image = NULL, *f_cat = NULL, *f_bbox = NULL,
                            *f_area = NULL, *f_crowd = NULL, *f_seg = NULL;
    for (const struct bmx__jnode *m = a->u.child; m != NULL; m = m->next) {
        const char *k = m->key;
        const struct bmx__jnode **slot = NULL;
        switch (k[0]) {
        case 'i':
            slot = strcmp(k, "id") == 0         ? &f_id
                   : strcmp(k, "image_id") == 0 ? &f_image
                   : strcmp(k, "iscrowd") == 0  ? &f_crowd
                                                : NULL;
            break;
        case 'c':
            slot = strcmp(k, "category_id") == 0 ? &f_cat : NULL;
            break;
        case 'b':
            slot = strcmp(k, "bbox") == 0 ? &f_bbox : NULL;
            break;
        case 'a':
            slot = strcmp(k, "area") == 0 ? &f_area : NULL;
            break;
        case 's':
            slot = strcmp(k, "segmentation") == 0 ? &f_seg : NULL;
            break;
        default:
            break;
        }
        if (slot != NULL && *slot == NULL) {
            *slot = m;
            out->n_known++;
        }
    }
    struct bmx__id_entry k;
    size_t old;

    if (f_id == NULL) {
        bmx__rule_member(pr, a, "id", true);
    } else {
        old = BMX__PATH_FIELD(pr, "id");
        if (parse_id(pr, f_id, false, &k)) {
            out->id = k.num;
            annotation_id(r, &k, i);
        }
        bmx__path_pop(pr, old);
    }

    const struct bmx__coco_image_rec *img = NULL;
    if (f_image == NULL) {
        bmx__rule_member(pr, a, "image_id", true);
    } else {
        img = resolve_image(r, f_image, &out->image);
        out->image_ok = img != NULL;
    }
    if (img != NULL && !img->dims_ok) {
        img = NULL;
    }

    if (f_cat == NULL) {
        bmx__rule_member(pr, a, "category_id", true);
    } else {
        old = BMX__PATH_FIELD(pr, "category_id");
        if (parse_id(pr, f_cat, false, &k)) {
            out->category_id = k.num;
            if (r->cats_ok) {
                const struct bmx__id_entry *e = bmx__id_table_find(&r->cats, false, k.num, NULL);
                if (!e->used) {
                    bmx__problem(pr, BMX__REFUSE, "unknown-category-id",
                                 "no category has id %" PRId64, k.num);
                } else {
                    out->category = e->index;
                    out->category_ok = true;
                }
            }
        }
        bmx__path_pop(pr, old);
    }

    /* bbox */
    struct bmx_box box = {0};
    bool box_ok = false;
    const struct bmx__jnode *v = f_bbox;
    if (v == NULL) {
        bmx__rule_member(pr, a, "bbox", true);
    } else {
        old = BMX__PATH_FIELD(pr, "bbox");
        if (!bmx__json_is_array(v)) {
            bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected 4 numbers, got %s",
                         bmx__json_type_name(v));
        } else if (v->n != 4) {
            bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected 4 numbers, got %zu", v->n);
        } else {
            double b[4] = {0};
            int q = 0;
            box_ok = true;
            for (const struct bmx__jnode *e = v->u.child; e != NULL; e = e->next, q++) {
                if (!bmx__json_is_number(e)) {
                    size_t o2 = bmx__path_index(pr, (size_t)q);
                    bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected a number, got %s",
                                 bmx__json_type_name(e));
                    bmx__path_pop(pr, o2);
                    box_ok = false;
                } else if (!isfinite(e->u.num)) {
                    box_ok = false;
                } else {
                    b[q] = e->u.num;
                }
            }
            if (box_ok) {
                box = (struct bmx_box){b[0], b[1], b[2], b[3]};
                if (box.w < 0 || box.h < 0) {
                    bmx__problem(pr, BMX__REFUSE, "bbox-negative-size",
                                 "negative width or height [%.10g, %.10g, %.10g, %.10g]", box.x,
                                 box.y, box.w, box.h);
                    box_ok = false;
                } else if (box.w == 0 || box.h == 0) {
                    bmx__problem(pr, BMX__WARNING, "bbox-empty",
                                 "the box has no area [%.10g, %.10g, %.10g, %.10g]; trainers may "
                                 "reject it",
                                 box.x, box.y, box.w, box.h);
                }
            }
            if (box_ok && img != NULL) {
                box_vs_image(pr, &box, img);
            }
        }
        bmx__path_pop(pr, old);
    }
    out->box = box;
    out->box_ok = box_ok;

    /* area */
    v = f_area;
    old = BMX__PATH_FIELD(pr, "area");
    if (v == NULL) {
        bmx__problem(pr, BMX__WARNING, "missing-recommended-key",
                     "missing (COCO evaluation reads every object's area)");
    } else if (!bmx__json_is_number(v)) {
        bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected a number >= 0, got %s",
                     bmx__json_type_name(v));
    } else if (isfinite(v->u.num)) {
        if (v->u.num < 0) {
            bmx__problem(pr, BMX__REFUSE, "bad-value", "expected a number >= 0, got %.10g",
                         v->u.num);
        } else {
            out->area = v->u.num;
            out->has_area = true;
        }
    }
    bmx__path_pop(pr, old);

    /* iscrowd */
    v = f_crowd;
    old = BMX__PATH_FIELD(pr, "iscrowd");
    if (v == NULL) {
        bmx__problem(pr, BMX__WARNING, "missing-recommended-key",
                     "missing (COCO evaluation reads every object's iscrowd)");
    } else if (v->type == BMX__J_TRUE || v->type == BMX__J_FALSE) {
        out->iscrowd = v->type == BMX__J_TRUE;
        out->has_iscrowd = true;
    } else if (bmx__json_is_number(v) && (v->u.num == 0 || v->u.num == 1)) {
        out->iscrowd = v->u.num == 1;
        out->has_iscrowd = true;
    } else if (!(bmx__json_is_number(v) && !isfinite(v->u.num))) {
        bmx__problem(pr, BMX__REFUSE, "bad-value", "expected 0 or 1, got %s",
                     bmx__json_is_number(v) ? "another number" : bmx__json_type_name(v));
    }
    bmx__path_pop(pr, old);

    /* segmentation */
    v = f_seg;
    old = BMX__PATH_FIELD(pr, "segmentation");
    if (v == NULL || v->type == BMX__J_NULL) {
        out->seg = BMX__SEG_NONE;
    } else if (bmx__json_is_array(v) && v->u.child == NULL) {
        out->seg = BMX__SEG_EMPTY;
    } else if (bmx__json_is_array(v)) {
        out->seg = bmx__rule_polygons(r, v, &out->polys, &out->polys_owned);
    } else if (bmx__json_is_object(v)) {
        out->seg = bmx__rule_rle(r, v, img, out);
    } else {
        bmx__problem(pr, BMX__REFUSE, "wrong-type",
                     "expected a list of polygons or an RLE object, got %s",
                     bmx__json_type_name(v));
        out->seg = BMX__SEG_BAD;
    }
    bmx__path_pop(pr, old);

    if (out->seg == BMX__SEG_POLYGON && r->limits != NULL) {
        old = BMX__PATH_FIELD(pr, "segmentation");
        bmx__rule_limit_vertices(r, &out->polys);
        bmx__path_pop(pr, old);
    }
    if (pr->all) {
        bmx__rule_mask_geometry(r, out, img);
        bmx__rule_annotation_boxmix(r, a, img);
    } else if (out->seg == BMX__SEG_POLYGON && img != NULL) {
        bmx__rule_far_vertex(r, &out->polys, img);
    }
}
