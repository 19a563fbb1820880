/* SPDX-License-Identifier: MIT */
/*
 * QA drawing of an image's objects (bmx_draw_objects) on 8-bit RGB images: the
 * draw options and the order of the layers. Masks first (a Copy-Paste's pasted
 * masks outlined in dashes), then box outlines and crowd hatching, the CutMix
 * patch, the other operations' marks (holes, tiles, centre, anchor: draw_marks.c),
 * keypoints (every skeleton before any point) and labels last, a tag that would
 * cover an earlier one moved to another place around its box; each layer's pixels
 * are in its own file (draw_masks.c, draw_boxes.c, draw_keypoints.c, draw_labels.c).
 */
#include "draw_parts.h"
#include "sized.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void bmx_draw_options_init(struct bmx_draw_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
    opts->line_width = 2;
    opts->mask_opacity = 0.4;
    opts->show_visibility = false;
    opts->show_id = false;
    opts->show_patch = true;
    opts->scale = 1.0;
    opts->show_weight = false;
}

bmx_status bmx__draw_options_check(const struct bmx_draw_options *opts, bmx_error *err)
{
    if (opts->line_width < 1 || opts->line_width > 64) {
        return bmx__fail(err, BMX_E_INVALID, "draw: line width %d is not in 1..64",
                         opts->line_width);
    }
    if (!(opts->mask_opacity >= 0.0 && opts->mask_opacity <= 1.0)) {
        return bmx__fail(err, BMX_E_INVALID, "draw: mask opacity %g is not in [0, 1]",
                         opts->mask_opacity);
    }
    if (!(opts->scale > 0.0 && opts->scale <= 16.0)) {
        return bmx__fail(err, BMX_E_INVALID, "draw: scale %g is not in (0, 16]", opts->scale);
    }
    return BMX_OK;
}

static struct bmx_box scaled_box(struct bmx_box b, double sx, double sy)
{
    return (struct bmx_box){b.x * sx, b.y * sy, b.w * sx, b.h * sy};
}

bmx_status bmx__draw_objects_xy(struct bmx_image *img, const struct bmx_object *objs, size_t n,
                                const struct bmx_category *cats, size_t n_cats,
                                const struct bmx_rect *patch, const struct bmx_draw_options *opts,
                                double sx, double sy, const struct bmx__draw_marks *marks,
                                bmx_error *err)
{
    struct bmx_draw_options defaults;
    struct bmx_rect *placed = NULL;
    size_t n_placed = 0;
    uint8_t *mask = NULL;
    size_t mask_len = 0;
    bmx_status st = BMX_OK;

    if (!bmx__draw_view_ok(img)) {
        return bmx__fail(err, BMX_E_INVALID, "draw: not an RGB image with pixels");
    }
    if (n > 0 && objs == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "draw: %zu objects but no array", n);
    }
    if (!(sx > 0.0 && sy > 0.0 && isfinite(sx) && isfinite(sy))) {
        return bmx__fail(err, BMX_E_INVALID, "draw: scale %g x %g is not positive", sx, sy);
    }
    if (opts == NULL) {
        bmx_draw_options_init(&defaults);
        opts = &defaults;
    }
    st = bmx__draw_options_check(opts, err);
    if (st != BMX_OK) {
        return st;
    }
    int L = opts->line_width;

    /* Masks first, so outlines and labels stay on top of every fill. */
    for (size_t i = 0; i < n; i++) {
        const struct bmx_object *o = &objs[i];
        struct bmx_rle tmp = {0, 0, 0, NULL};
        const struct bmx_rle *rle = NULL;
        bool has = false;
        uint8_t rgb[3];
        st = bmx__draw_object_mask(o, img, sx, sy, &tmp, &rle, &has, err);
        if (st == BMX_OK && has && mask == NULL) {
            if (!bmx__mul_size((size_t)img->w, (size_t)img->h, &mask_len) ||
                (mask = malloc(mask_len)) == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "draw: no memory for a %dx%d mask",
                               (int)img->w, (int)img->h);
            }
        }
        if (st == BMX_OK && has) {
            st = bmx_rle_decode(rle, mask, mask_len, err);
        }
        if (st == BMX_OK && has) {
            struct bmx_box mb;
            bmx_rle_bbox(rle, &mb);
            if (mb.w > 0 && mb.h > 0) {
                bmx_draw_category_color(o->category_id, rgb);
                bmx__draw_mask_region(img, mask, rgb, opts->mask_opacity, o->iscrowd ? L : 0,
                                      (int32_t)mb.x, (int32_t)mb.y, (int32_t)(mb.x + mb.w) - 1,
                                      (int32_t)(mb.y + mb.h) - 1);
                if (marks != NULL && marks->pasted != NULL && marks->pasted[i]) {
                    bmx__draw_mask_dashed(img, mask, (int32_t)mb.x, (int32_t)mb.y,
                                          (int32_t)(mb.x + mb.w) - 1, (int32_t)(mb.y + mb.h) - 1);
                }
            }
        }
        bmx_rle_free(&tmp);
        if (st != BMX_OK) {
            bmx__prefix(err, st, "annotation %" PRId64 ": mask", o->id);
            goto cleanup;
        }
    }

    for (size_t i = 0; i < n; i++) {
        const struct bmx_object *o = &objs[i];
        int32_t x0, y0, x1, y1;
        uint8_t rgb[3];
        if (!bmx__draw_box_extent(scaled_box(o->bbox, sx, sy), 1.0, 1.0, &x0, &y0, &x1, &y1)) {
            continue;
        }
        bmx_draw_category_color(o->category_id, rgb);
        bool has_mask = (o->seg_kind == BMX_SEG_POLYGON && o->polys.count > 0) ||
                        (o->seg_kind == BMX_SEG_RLE && o->rle.h > 0 && o->rle.w > 0);
        if (o->iscrowd && !has_mask) {
            bmx__draw_hatch_extent(img, x0, y0, x1, y1, rgb, L);
        }
        if (o->origin == BMX_FROM_SOURCE) {
            bmx__draw_outline_extent(img, x0, y0, x1, y1, L, rgb, 3 * (int64_t)L + 2,
                                     5 * (int64_t)L + 4);
        } else {
            bmx__draw_outline_extent(img, x0, y0, x1, y1, L, rgb, 0, 0);
        }
    }

    if (patch != NULL && opts->show_patch && patch->w > 0 && patch->h > 0) {
        struct bmx_box pb = {patch->x, patch->y, patch->w, patch->h};
        int32_t x0, y0, x1, y1;
        if (bmx__draw_box_extent(scaled_box(pb, sx, sy), 1.0, 1.0, &x0, &y0, &x1, &y1)) {
            bmx__draw_patch_ring(img, x0, y0, x1, y1, 0);
            bmx__draw_patch_ring(img, (int64_t)x0 + 1, (int64_t)y0 + 1, (int64_t)x1 - 1,
                                 (int64_t)y1 - 1, 1);
        }
    }

    if (marks != NULL && opts->show_patch) {
        bmx__draw_rect_marks(img, marks, sx, sy);
    }
    if (marks != NULL) {
        bmx__draw_centre_mark(img, marks, sx, sy, L);
        if (marks->anchor < n) {
            bmx__draw_anchor_mark(img, objs[marks->anchor].bbox, sx, sy, L);
        }
    }

    /* Keypoints over boxes and patch: every skeleton before any point, so no line
     * crosses a joint of another object. */
    int R = bmx__draw_keypoint_radius(img->w, img->h, L);
    for (size_t i = 0; i < n; i++) {
        if (objs[i].keypoints != NULL && objs[i].n_keypoints > 0) {
            bmx__draw_skeleton(img, &objs[i],
                               bmx__draw_find_category(cats, n_cats, objs[i].category_id), sx, sy,
                               L);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (objs[i].keypoints != NULL && objs[i].n_keypoints > 0) {
            bmx__draw_points(img, &objs[i], sx, sy, R, bmx__draw_keypoint_band(L));
        }
    }

    /* Labels last: always readable. A tag that would cover an earlier one tries
     * the other places around its box first. */
    int scale = bmx__draw_text_scale(img->w, img->h);
    if (n > 0 && (placed = bmx__alloc_array(n, sizeof *placed)) == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "draw: out of memory for %zu labels", n);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        const struct bmx_object *o = &objs[i];
        struct bmx_box sb = scaled_box(o->bbox, sx, sy);
        char text[256];
        uint8_t rgb[3];
        bmx__draw_label_text(o, cats, n_cats, opts, text, sizeof text);
        struct bmx_rect r =
            bmx__draw_label_rect_at(img->w, img->h, sb, text, scale, BMX__LABEL_ABOVE);
        if (r.w <= 0 || r.h <= 0) {
            continue;
        }
        for (int place = BMX__LABEL_ABOVE; place < BMX__LABEL_PLACES; place++) {
            struct bmx_rect c = bmx__draw_label_rect_at(img->w, img->h, sb, text, scale, place);
            bool free_spot = true;
            for (size_t k = 0; k < n_placed && free_spot; k++) {
                free_spot = !bmx__draw_rects_overlap(c, placed[k]);
            }
            if (free_spot) {
                r = c;
                break;
            }
        }
        placed[n_placed++] = r;
        bmx_draw_category_color(o->category_id, rgb);
        bmx__draw_fill_rect(img, r.x, r.y, (int64_t)r.x + r.w - 1, (int64_t)r.y + r.h - 1, rgb);
        int32_t pad = bmx__draw_label_pad(scale);
        bmx__draw_text_clipped(img, (int64_t)r.x + pad, (int64_t)r.y + pad, text, scale,
                               bmx__draw_is_light(rgb) ? bmx__draw_black : bmx__draw_white, r);
    }

cleanup:
    free(placed);
    free(mask);
    return st;
}

bmx_status bmx_draw_objects(struct bmx_image *img, const struct bmx_object *objs, size_t n,
                            const struct bmx_category *cats, size_t n_cats,
                            const struct bmx_rect *patch, const struct bmx_draw_options *opts,
                            bmx_error *err)
{
    struct bmx_draw_options given;
    if (opts != NULL) {
        bmx_draw_options_init(&given);
        bmx_status st = bmx__sized_read(&given, sizeof given, opts, "struct bmx_draw_options", err);
        if (st != BMX_OK) {
            return st;
        }
        opts = &given;
    }
    double s = opts != NULL ? opts->scale : 1.0;
    return bmx__draw_objects_xy(img, objs, n, cats, n_cats, patch, opts, s, s, NULL, err);
}
