/* SPDX-License-Identifier: MIT */
/*
 * Label tags: the text of an object's tag (category name or id, visibility, MixUp's
 * weight and annotation id when asked) and the places a tag may take around its box, each
 * clamped into the image.
 */
#include "draw_parts.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

int32_t bmx__draw_label_pad(int scale)
{
    return 2 * bmx__draw_clamp_scale(scale);
}

struct bmx_rect bmx__draw_label_rect_at(int32_t w, int32_t h, struct bmx_box box, const char *text,
                                        int scale, int place)
{
    struct bmx_rect r = {0, 0, 0, 0};
    int32_t x0, y0, x1, y1, tw, th;
    if (w <= 0 || h <= 0 || !bmx__draw_box_extent(box, 1.0, 1.0, &x0, &y0, &x1, &y1)) {
        return r;
    }
    if (x1 < 0 || y1 < 0 || x0 >= w || y0 >= h) {
        return r;
    }
    bmx_draw_text_size(text, scale, &tw, &th);
    if (tw == 0) {
        return r;
    }
    int64_t pad = bmx__draw_label_pad(scale);
    int64_t rw = bmx__min64((int64_t)tw + 2 * pad, w);
    int64_t rh = bmx__min64((int64_t)th + 2 * pad, h);
    /* measured from the box's visible part */
    int64_t left = bmx__max64(x0, 0);
    int64_t top = bmx__max64(y0, 0), bottom = bmx__min64(y1, (int64_t)h - 1);
    switch (place) {
    case BMX__LABEL_ABOVE:
        top = top - rh >= 0 ? top - rh : top;
        break;
    case BMX__LABEL_INSIDE_TOP:
        break;
    case BMX__LABEL_BELOW:
        top = bottom + 1;
        break;
    default:
        top = bottom + 1 - rh;
        break;
    }
    left = bmx__min64(left, (int64_t)w - rw);
    top = bmx__min64(top, (int64_t)h - rh);
    r.x = (int32_t)bmx__max64(left, 0);
    r.y = (int32_t)bmx__max64(top, 0);
    r.w = (int32_t)rw;
    r.h = (int32_t)rh;
    return r;
}

struct bmx_rect bmx__draw_label_rect(int32_t w, int32_t h, struct bmx_box box, const char *text,
                                     int scale)
{
    return bmx__draw_label_rect_at(w, h, box, text, scale, BMX__LABEL_ABOVE);
}

bool bmx__draw_rects_overlap(struct bmx_rect a, struct bmx_rect b)
{
    return (int64_t)a.x < (int64_t)b.x + b.w && (int64_t)b.x < (int64_t)a.x + a.w &&
           (int64_t)a.y < (int64_t)b.y + b.h && (int64_t)b.y < (int64_t)a.y + a.h;
}

const struct bmx_category *bmx__draw_find_category(const struct bmx_category *cats, size_t n_cats,
                                                   int64_t id)
{
    for (size_t i = 0; cats != NULL && i < n_cats; i++) {
        if (cats[i].id == id) {
            return &cats[i];
        }
    }
    return NULL;
}

static const char *category_name(const struct bmx_category *cats, size_t n_cats, int64_t id)
{
    const struct bmx_category *c = bmx__draw_find_category(cats, n_cats, id);
    return c != NULL ? c->name : NULL;
}

void bmx__draw_label_text(const struct bmx_object *o, const struct bmx_category *cats,
                          size_t n_cats, const struct bmx_draw_options *opts, char *buf, size_t cap)
{
    const char *name = category_name(cats, n_cats, o->category_id);
    int len;
    if (name != NULL && name[0] != '\0') {
        len = snprintf(buf, cap, "%.120s", name);
    } else {
        len = snprintf(buf, cap, "%" PRId64, o->category_id);
    }
    if (len < 0 || (size_t)len >= cap) {
        return;
    }
    if (opts->show_visibility) {
        double v = isfinite(o->visibility) ? o->visibility : 0.0;
        int k = snprintf(buf + len, cap - (size_t)len, " %.2f", v);
        if (k < 0 || (size_t)k >= cap - (size_t)len) {
            return;
        }
        len += k;
    }
    if (opts->show_weight && o->has_weight) {
        double w = isfinite(o->weight) ? o->weight : 0.0;
        int k = snprintf(buf + len, cap - (size_t)len, " w=%.2f", w);
        if (k < 0 || (size_t)k >= cap - (size_t)len) {
            return;
        }
        len += k;
    }
    if (opts->show_id) {
        snprintf(buf + len, cap - (size_t)len, " #%" PRId64, o->id);
    }
}
