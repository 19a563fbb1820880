/* SPDX-License-Identifier: MIT */
/* The per-record rules of a COCO document: a category, an image and an
 * annotation (its ids and references, bbox, area, iscrowd and segmentation
 * against each other and the image), with the id and dimension parsers they use
 * and the resolution of an annotation's image_id. */
#include "check.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An id: an integer, or (when allow_str) a string. The path is already the id's.
 * Returns false after reporting. Non-finite numbers return false silently. A
 * string id borrows the record's text: bmx__check_add_id copies it. */
static bool parse_id(struct checker *c, const struct bmx__jnode *v, bool allow_str,
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
        bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected an integer%s, got %.10g",
                           allow_str ? " or a string" : "", v->u.num);
        return false;
    }
    if (allow_str && v->type == BMX__J_STRING) {
        *out = (struct bmx__id_entry){.is_str = true, .str = v->u.str};
        return true;
    }
    bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected an integer%s, got %s",
                       allow_str ? " or a string" : "", bmx__json_type_name(v));
    return false;
}

/* A positive integer dimension (width, height). */
static bool parse_dim(struct checker *c, const struct bmx__jnode *obj, const char *key,
                      int32_t *out)
{
    const struct bmx__jnode *v = bmx__check_member(c, obj, key, true);
    if (v == NULL) {
        return false;
    }
    size_t old = bmx__check_path_key(c, key);
    bool ok = false;
    if (v->type != BMX__J_NUMBER) {
        bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected a positive integer, got %s",
                           bmx__json_type_name(v));
    } else if (!isfinite(v->u.num)) {
        /* reported by bmx__check_walk_nonfinite */
    } else if (!bmx__json_is_integral(v->u.num) || v->u.num < 1 || v->u.num > INT32_MAX) {
        bmx__check_problem(c, SEV_ERROR, "bad-value", "expected a positive integer, got %.10g",
                           v->u.num);
    } else {
        *out = (int32_t)v->u.num;
        ok = true;
    }
    bmx__check_path_pop(c, old);
    return ok;
}

void bmx__check_category(struct checker *c, const struct bmx__jnode *cat, size_t i)
{
    if (!bmx__json_is_object(cat)) {
        bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected an object, got %s",
                           bmx__json_type_name(cat));
        return;
    }
    bmx__check_duplicate_keys(c, cat);
    const struct bmx__jnode *v = bmx__check_member(c, cat, "id", true);
    if (v != NULL) {
        struct bmx__id_entry k;
        size_t old = bmx__check_path_key(c, "id");
        if (parse_id(c, v, false, &k)) {
            bmx__check_add_id(c, &c->cats, &k, i, "categories");
        }
        bmx__check_path_pop(c, old);
    }
    v = bmx__check_member(c, cat, "name", true);
    if (v != NULL && !bmx__json_is_string(v)) {
        size_t old = bmx__check_path_key(c, "name");
        bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected a string, got %s",
                           bmx__json_type_name(v));
        bmx__check_path_pop(c, old);
    }
    bmx__check_category_keypoints(c, cat, i);
}

void bmx__check_image(struct checker *c, const struct bmx__jnode *im, size_t i)
{
    struct image_rec *rec = &c->recs[i];
    if (!bmx__json_is_object(im)) {
        bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected an object, got %s",
                           bmx__json_type_name(im));
        return;
    }
    bmx__check_duplicate_keys(c, im);
    const struct bmx__jnode *v = bmx__check_member(c, im, "id", true);
    if (v != NULL) {
        struct bmx__id_entry k;
        size_t old = bmx__check_path_key(c, "id");
        if (parse_id(c, v, true, &k)) {
            bmx__check_add_image_id(c, &k, i);
        }
        bmx__check_path_pop(c, old);
    }
    const char *name = NULL;
    v = bmx__check_member(c, im, "file_name", true);
    if (v != NULL) {
        size_t old = bmx__check_path_key(c, "file_name");
        if (!bmx__json_is_string(v)) {
            bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected a non-empty string, got %s",
                               bmx__json_type_name(v));
        } else if (v->u.str[0] == '\0') {
            bmx__check_problem(c, SEV_ERROR, "bad-value", "expected a non-empty string, got \"\"");
        } else if (bmx__name_escapes(v->u.str)) {
            bmx__check_problem(c, SEV_ERROR, "file-name-escapes",
                               "\"%s\" escapes the image folder (absolute or '..')", v->u.str);
        } else {
            name = v->u.str;
            struct bmx__id_entry *s = bmx__id_table_find(&c->names, true, 0, name);
            const char *own;
            if (s->used) {
                bmx__check_problem(c, SEV_WARNING, "duplicate-file-name",
                                   "\"%s\" is also the file of images[%zu]", name, s->index);
            } else if ((own = bmx__check_pool_copy(c, name)) != NULL) {
                *s = (struct bmx__id_entry){.used = true, .is_str = true, .str = own, .index = i};
                c->names.count++;
            }
        }
        bmx__check_path_pop(c, old);
    }
    bool w_ok = parse_dim(c, im, "width", &rec->w);
    bool h_ok = parse_dim(c, im, "height", &rec->h);
    rec->dims_ok = w_ok && h_ok;
    /* The limits of what a record may make, as bmx_dataset_read_coco_limited applies
     * them (the same struct bmx_limits): here the pixels a record declares. */
    uint64_t px = rec->dims_ok ? (uint64_t)rec->w * (uint64_t)rec->h : 0;
    if (px > c->opts->limits.max_image_pixels) {
        bmx__check_problem(c, SEV_ERROR, "image-too-large",
                           "%" PRId32 "x%" PRId32 " = %" PRIu64
                           " pixels, more than the limit of %" PRIu64,
                           rec->w, rec->h, px, c->opts->limits.max_image_pixels);
    }
    if (name != NULL && c->image_root != NULL) {
        size_t old = bmx__check_path_key(c, "file_name");
        bmx__check_image_file(c, name, rec);
        bmx__check_path_pop(c, old);
    }
}

/* image_id: resolve to an image record, accepting the other spelling ("7" for 7)
 * as the strict reader does (bmx__image_ids_find), with a warning. */
static struct image_rec *resolve_image(struct checker *c, const struct bmx__jnode *v)
{
    struct bmx__id_entry k;
    size_t old = bmx__check_path_key(c, "image_id");
    struct image_rec *rec = NULL;
    if (!parse_id(c, v, true, &k) || !c->images_ok) {
        goto done;
    }
    bool respelled;
    const struct bmx__id_entry *e =
        bmx__image_ids_find(&c->images, k.is_str, k.num, k.str, &respelled);
    char id[96];
    bmx__coco_describe_id(id, sizeof id, k.is_str, k.num, k.str);
    if (e == NULL) {
        bmx__check_problem(c, SEV_ERROR, "unknown-image-id", "no image has id %s", id);
        goto done;
    }
    if (respelled) {
        bmx__check_problem(
            c, SEV_WARNING, "image-id-spelling",
            "%s names images[%zu] whose id is spelled %s (other tools will not match them)", id,
            e->index, k.is_str ? "as a number" : "as a string");
    }
    rec = &c->recs[e->index];
done:
    /* The reader's limit of objects per image, reported once, at the first beyond it. */
    if (rec != NULL && ++rec->n_anns == c->opts->limits.max_objects_per_image + 1) {
        char id[96];
        bmx__coco_describe_id(id, sizeof id, k.is_str, k.num, k.str);
        bmx__check_problem(c, SEV_ERROR, "limit-exceeded",
                           "image %s has more than %" PRIu64 " annotations (limit)", id,
                           c->opts->limits.max_objects_per_image);
    }
    bmx__check_path_pop(c, old);
    return rec;
}

void bmx__check_annotation(struct checker *c, const struct bmx__jnode *a, size_t i)
{
    if (!bmx__json_is_object(a)) {
        bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected an object, got %s",
                           bmx__json_type_name(a));
        return;
    }
    bmx__check_duplicate_keys(c, a);
    struct bmx__id_entry k;
    size_t old;

    const struct bmx__jnode *v = bmx__check_member(c, a, "id", true);
    if (v != NULL) {
        old = bmx__check_path_key(c, "id");
        if (parse_id(c, v, false, &k)) {
            bmx__check_add_id(c, &c->anns, &k, i, "annotations");
        }
        bmx__check_path_pop(c, old);
    }

    const struct image_rec *img = NULL;
    v = bmx__check_member(c, a, "image_id", true);
    if (v != NULL) {
        img = resolve_image(c, v);
    }
    if (img != NULL && !img->dims_ok) {
        img = NULL;
    }

    size_t n_keypoints = 0; /* the category's; 0: it names none (or is unknown) */
    v = bmx__check_member(c, a, "category_id", true);
    if (v != NULL) {
        old = bmx__check_path_key(c, "category_id");
        if (parse_id(c, v, false, &k) && c->cats_ok) {
            const struct bmx__id_entry *s = bmx__id_table_find(&c->cats, false, k.num, NULL);
            if (!s->used) {
                bmx__check_problem(c, SEV_ERROR, "unknown-category-id",
                                   "no category has id %" PRId64, k.num);
            } else {
                n_keypoints = c->cat_keypoints[s->index];
            }
        }
        bmx__check_path_pop(c, old);
    }

    /* bbox */
    struct bmx_box box = {0};
    bool box_ok = false;
    v = bmx__check_member(c, a, "bbox", true);
    if (v != NULL) {
        old = bmx__check_path_key(c, "bbox");
        if (!bmx__json_is_array(v)) {
            bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected 4 numbers, got %s",
                               bmx__json_type_name(v));
        } else if (v->n != 4) {
            bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected 4 numbers, got %zu", v->n);
        } else {
            double b[4];
            int q = 0;
            box_ok = true;
            for (const struct bmx__jnode *e = v->u.child; e != NULL; e = e->next, q++) {
                if (!bmx__json_is_number(e)) {
                    size_t o2 = bmx__check_path_index(c, (size_t)q);
                    bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected a number, got %s",
                                       bmx__json_type_name(e));
                    bmx__check_path_pop(c, o2);
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
                    bmx__check_problem(c, SEV_ERROR, "bbox-negative-size",
                                       "negative width or height [%.10g, %.10g, %.10g, %.10g]",
                                       box.x, box.y, box.w, box.h);
                    box_ok = false;
                } else if (box.w == 0 || box.h == 0) {
                    bmx__check_problem(
                        c, SEV_WARNING, "bbox-empty",
                        "the box has no area [%.10g, %.10g, %.10g, %.10g]; trainers may "
                        "reject it",
                        box.x, box.y, box.w, box.h);
                }
            }
            if (box_ok && img != NULL) {
                double over = fmax(fmax(-box.x, -box.y),
                                   fmax(box.x + box.w - img->w, box.y + box.h - img->h));
                /* the strict reader refuses a box wholly past an edge, even by less
                 * than 1 px (one without width or height can be) */
                bool beyond =
                    box.x > img->w || box.y > img->h || box.x + box.w < 0 || box.y + box.h < 0;
                if (over > EDGE_TOL) {
                    bmx__check_problem(
                        c, SEV_ERROR, "bbox-outside-image",
                        "[%.10g, %.10g, %.10g, %.10g] extends %.4g px beyond the %" PRId32
                        "x%" PRId32 " image",
                        box.x, box.y, box.w, box.h, over, img->w, img->h);
                } else if (beyond) {
                    bmx__check_problem(
                        c, SEV_ERROR, "bbox-outside-image",
                        "[%.10g, %.10g, %.10g, %.10g] lies wholly outside the %" PRId32 "x%" PRId32
                        " image",
                        box.x, box.y, box.w, box.h, img->w, img->h);
                } else if (over > COORD_EPS) {
                    bmx__check_problem(
                        c, SEV_WARNING, "bbox-past-edge",
                        "[%.10g, %.10g, %.10g, %.10g] extends %.3g px beyond the %" PRId32
                        "x%" PRId32 " image",
                        box.x, box.y, box.w, box.h, over, img->w, img->h);
                }
            }
        }
        bmx__check_path_pop(c, old);
    }

    /* area */
    double area = 0.0;
    bool area_ok = false;
    v = bmx__check_member(c, a, "area", false);
    old = bmx__check_path_key(c, "area");
    if (v == NULL) {
        bmx__check_problem(c, SEV_WARNING, "missing-recommended-key",
                           "missing (COCO evaluation reads every object's area)");
    } else if (!bmx__json_is_number(v)) {
        bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected a number >= 0, got %s",
                           bmx__json_type_name(v));
    } else if (isfinite(v->u.num)) {
        if (v->u.num < 0) {
            bmx__check_problem(c, SEV_ERROR, "bad-value", "expected a number >= 0, got %.10g",
                               v->u.num);
        } else {
            area = v->u.num;
            area_ok = true;
        }
    }
    bmx__check_path_pop(c, old);

    /* iscrowd */
    bool crowd = false;
    v = bmx__check_member(c, a, "iscrowd", false);
    old = bmx__check_path_key(c, "iscrowd");
    if (v == NULL) {
        bmx__check_problem(c, SEV_WARNING, "missing-recommended-key",
                           "missing (COCO evaluation reads every object's iscrowd)");
    } else if (v->type == BMX__J_TRUE || v->type == BMX__J_FALSE) {
        crowd = v->type == BMX__J_TRUE;
    } else if (bmx__json_is_number(v) && (v->u.num == 0 || v->u.num == 1)) {
        crowd = v->u.num == 1;
    } else if (!(bmx__json_is_number(v) && !isfinite(v->u.num))) {
        bmx__check_problem(c, SEV_ERROR, "bad-value", "expected 0 or 1, got %s",
                           bmx__json_is_number(v) ? "another number" : bmx__json_type_name(v));
    }
    bmx__check_path_pop(c, old);

    /* segmentation */
    enum seg kind = SEG_NONE;
    struct bmx_polyset polys = {0};
    struct bmx_rle rle = {0};
    bool rle_owned = false;
    v = bmx__check_member(c, a, "segmentation", false);
    old = bmx__check_path_key(c, "segmentation");
    if (v == NULL || v->type == BMX__J_NULL || (bmx__json_is_array(v) && v->u.child == NULL)) {
        kind = SEG_NONE;
    } else if (bmx__json_is_array(v)) {
        kind = bmx__check_parse_polygons(c, v, &polys);
    } else if (bmx__json_is_object(v)) {
        kind = bmx__check_parse_rle(c, v, img, &rle, &rle_owned);
    } else {
        bmx__check_problem(c, SEV_ERROR, "wrong-type",
                           "expected a list of polygons or an RLE object, got %s",
                           bmx__json_type_name(v));
        kind = SEG_BAD;
    }
    bmx__check_path_pop(c, old);

    /* the reader's limit of polygon vertices per annotation, all rings */
    if (kind == SEG_POLYGON) {
        uint64_t n = 0;
        for (size_t r = 0; r < polys.count; r++) {
            n += polys.rings[r].n;
        }
        if (n > c->opts->limits.max_polygon_vertices) {
            old = bmx__check_path_key(c, "segmentation");
            bmx__check_problem(c, SEV_ERROR, "limit-exceeded",
                               "%" PRIu64 " polygon vertices, more than the limit of %" PRIu64, n,
                               c->opts->limits.max_polygon_vertices);
            bmx__check_path_pop(c, old);
        }
    }

    /* geometry against geometry */
    if (kind == SEG_POLYGON) {
        for (size_t r = 0; r < polys.count; r++) {
            if (bmx_poly_area(&polys.rings[r]) == 0.0) {
                size_t o1 = bmx__check_path_key(c, "segmentation");
                size_t o2 = bmx__check_path_index(c, r);
                bmx__check_problem(c, SEV_WARNING, "polygon-zero-area",
                                   "the polygon encloses no area");
                bmx__check_path_pop(c, o2);
                bmx__check_path_pop(c, o1);
            }
        }
        if (img != NULL) {
            bmx__check_polygons_inside(c, &polys, img);
        }
        if (box_ok) {
            struct bmx_box ext;
            bmx_polyset_bbox(&polys, &ext);
            bmx__check_box_vs_mask(c, &box, &ext, crowd, "its polygons' extent");
        }
        if (area_ok) {
            double exact = bmx_polyset_area(&polys);
            bmx__check_area_vs_mask(c, area, exact, AREA_ABS_TOL + AREA_REL_TOL * exact, crowd,
                                    "the polygons' exact area");
        }
    } else if (kind == SEG_RLE) {
        if (box_ok) {
            struct bmx_box mb;
            bmx_rle_bbox(&rle, &mb);
            bmx__check_box_vs_mask(c, &box, &mb, crowd, "its mask's box");
        }
        if (area_ok) {
            bmx__check_area_vs_mask(c, area, (double)bmx_rle_area(&rle), AREA_ABS_TOL, crowd,
                                    "the mask's pixel count");
        }
    } else if (kind == SEG_NONE && box_ok && area_ok) {
        double wh = box.w * box.h;
        if (area > wh + AREA_ABS_TOL + AREA_REL_TOL * wh) {
            old = bmx__check_path_key(c, "area");
            bmx__check_problem(c, SEV_ERROR, "area-exceeds-box",
                               "%.10g is more than the box's w*h %.10g", area, wh);
            bmx__check_path_pop(c, old);
        }
    }
    if (rle_owned) {
        bmx_rle_free(&rle);
    }
    bmx__check_keypoints(c, a, n_keypoints, img, box_ok ? &box : NULL);
}
