/* SPDX-License-Identifier: MIT */
/*
 * The `boxmix` records boxmix-augment writes on images and annotations
 * (schemas/coco-output.schema.json), checked by boxmix-check only (the reader
 * keeps them as it keeps any unknown field): the operation's name, every field's
 * type and range, rectangles (CutMix's patch, CutOut's holes, Mosaic's tiles)
 * inside the image, Mosaic's size and centre, and on annotations `from`, the
 * visibility, MixUp's weight and Mosaic's tile, against their image's operation.
 * Each problem is an error `boxmix-record` at the field's path.
 */
#include "coco_rules.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#define CODE "boxmix-record"

static const char *const op_names[BMX__BOXMIX_OPS] = {"", "cutmix", "cutout", "mixup", "mosaic",
                                                      "copypaste", "original"};

static const struct bmx__jnode *get(const struct bmx__jnode *obj, const char *key)
{
    return bmx__json_get(obj, key);
}

/* A problem at obj's field `key`. */
static void bad(struct bmx__problems *pr, const char *key, const char *fmt, ...)
    BMX__PRINTF(3, 4);
static void bad(struct bmx__problems *pr, const char *key, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t old = key != NULL ? bmx__path_key(pr, key) : pr->plen;
    bmx__problem(pr, BMX__ERROR, CODE, "%s", msg);
    bmx__path_pop(pr, old);
}

static bool whole(const struct bmx__jnode *v, double lo, double hi)
{
    return bmx__json_is_number(v) && v->u.num == floor(v->u.num) && v->u.num >= lo &&
           v->u.num <= hi;
}

static bool fraction(const struct bmx__jnode *v)
{
    return bmx__json_is_number(v) && v->u.num >= 0 && v->u.num <= 1;
}

/* [x, y, w, h] of whole numbers >= 0 inside the w x h image (dims_ok), at `key`
 * (NULL: the current path). Returns whether it is one. */
static bool rect_in_image(struct bmx__problems *pr, const struct bmx__jnode *v, const char *key,
                          const struct bmx__coco_image_rec *rec, bool empty_ok)
{
    double q[4];
    size_t n = 0;
    if (bmx__json_is_array(v) && v->n == 4) {
        for (const struct bmx__jnode *c = v->u.child; c != NULL; c = c->next) {
            if (!whole(c, 0, 2147483647.0)) {
                break;
            }
            q[n++] = c->u.num;
        }
    }
    if (n != 4) {
        bad(pr, key, "expected [x, y, w, h] of whole numbers >= 0");
        return false;
    }
    if (!empty_ok && (q[2] == 0 || q[3] == 0)) {
        bad(pr, key, "[%.0f, %.0f, %.0f, %.0f] is empty", q[0], q[1], q[2], q[3]);
        return false;
    }
    if (rec->dims_ok && (q[0] + q[2] > rec->w || q[1] + q[3] > rec->h)) {
        bad(pr, key, "[%.0f, %.0f, %.0f, %.0f] reaches outside the %dx%d image", q[0], q[1],
            q[2], q[3], (int)rec->w, (int)rec->h);
        return false;
    }
    return true;
}

static bool one_of(const struct bmx__jnode *v, const char *const *names, size_t n)
{
    for (size_t k = 0; bmx__json_is_string(v) && k < n; k++) {
        if (strcmp(v->u.str, names[k]) == 0) {
            return true;
        }
    }
    return false;
}

static void check_source_fit(struct bmx__problems *pr, const struct bmx__jnode *b, int op,
                             const struct bmx__coco_image_rec *rec)
{
    static const char *const fits[] = {"resize", "letterbox", "crop"};
    const struct bmx__jnode *fit = get(b, "source_fit");
    if (fit == NULL) {
        if (op != BMX__BOXMIX_CUTMIX) {
            bad(pr, "source_fit", "missing (resize or letterbox)");
        }
    } else if (op == BMX__BOXMIX_CUTMIX && !one_of(fit, fits + 1, 2)) {
        /* CutMix records its fit only when it is not the classic resize. */
        bad(pr, "source_fit", "expected letterbox or crop (resize is not written)");
    } else if (op != BMX__BOXMIX_CUTMIX && !one_of(fit, fits, 2)) {
        bad(pr, "source_fit", "expected resize or letterbox (crop is CutMix's)");
    }
    const struct bmx__jnode *sr = get(b, "source_rect");
    bool crop = op == BMX__BOXMIX_CUTMIX && bmx__json_is_string(fit) &&
                strcmp(fit->u.str, "crop") == 0;
    if (crop && sr == NULL) {
        bad(pr, "source_rect", "missing (source_fit crop records the source's rectangle)");
    } else if (!crop && sr != NULL) {
        bad(pr, "source_rect", "only with CutMix's source_fit crop");
    } else if (sr != NULL) {
        /* In the source's pixels: only its form is known here. */
        struct bmx__coco_image_rec any = {0};
        rect_in_image(pr, sr, "source_rect", &any, false);
    }
    (void)rec;
}

static void check_ids(struct bmx__problems *pr, const struct bmx__jnode *b, const char *key,
                      bool required)
{
    const struct bmx__jnode *v = get(b, key);
    if (v == NULL) {
        if (required) {
            bad(pr, key, "missing");
        }
    } else if (!whole(v, -9007199254740992.0, 9007199254740992.0) && !bmx__json_is_string(v)) {
        bad(pr, key, "expected an image id (an integer or a string)");
    }
}

static void check_mosaic(struct bmx__problems *pr, const struct bmx__jnode *b,
                         const struct bmx__coco_image_rec *rec)
{
    const struct bmx__jnode *s = get(b, "mosaic_size"), *c = get(b, "centre");
    const struct bmx__jnode *tiles = get(b, "tiles");
    bool s_ok = whole(s, 16, 16384);
    if (!s_ok) {
        bad(pr, "mosaic_size", "expected a whole number in [16, 16384]");
    } else if (rec->dims_ok && (s->u.num != rec->w || s->u.num != rec->h)) {
        bad(pr, "mosaic_size", "%.0f, but the image is %dx%d (a Mosaic is s x s)", s->u.num,
            (int)rec->w, (int)rec->h);
    }
    bool c_ok = bmx__json_is_array(c) && c->n == 2 && whole(c->u.child, 0, 32768) &&
                whole(c->u.child->next, 0, 32768);
    if (!c_ok) {
        bad(pr, "centre", "expected [xc, yc], whole numbers");
    } else if (s_ok) {
        double lo = s->u.num / 2, hi = 3 * s->u.num / 2;
        double xc = c->u.child->u.num, yc = c->u.child->next->u.num;
        if (xc < lo || xc > hi || yc < lo || yc > hi) {
            bad(pr, "centre", "[%.0f, %.0f] is not in [s/2, 3s/2] = [%g, %g]", xc, yc, lo, hi);
        }
    }
    if (!bmx__json_is_array(tiles) || tiles->n != 4) {
        bad(pr, "tiles", "expected 4 tiles (the base, then the 3 sources)");
        return;
    }
    size_t i = 0, old = bmx__path_key(pr, "tiles");
    for (const struct bmx__jnode *t = tiles->u.child; t != NULL; t = t->next, i++) {
        size_t o2 = bmx__path_index(pr, i);
        if (!bmx__json_is_object(t)) {
            bad(pr, NULL, "expected {\"image_id\", \"rect\", \"scale\"}");
        } else {
            check_ids(pr, t, "image_id", true);
            rect_in_image(pr, get(t, "rect"), "rect", rec, true);
            const struct bmx__jnode *sc = get(t, "scale");
            if (!bmx__json_is_number(sc) || !(sc->u.num > 0)) {
                bad(pr, "scale", "expected a number > 0");
            }
        }
        bmx__path_pop(pr, o2);
    }
    bmx__path_pop(pr, old);
}

static void check_cutout(struct bmx__problems *pr, const struct bmx__jnode *b,
                         const struct bmx__coco_image_rec *rec)
{
    static const char *const fills[] = {"mean", "constant", "noise"};
    const struct bmx__jnode *holes = get(b, "holes");
    if (!bmx__json_is_array(holes) || holes->n < 1 || holes->n > BMX_MAX_HOLES) {
        bad(pr, "holes", "expected 1 to %d holes [x, y, w, h]", BMX_MAX_HOLES);
    } else {
        size_t i = 0, old = bmx__path_key(pr, "holes");
        for (const struct bmx__jnode *h = holes->u.child; h != NULL; h = h->next, i++) {
            size_t o2 = bmx__path_index(pr, i);
            rect_in_image(pr, h, NULL, rec, true);
            bmx__path_pop(pr, o2);
        }
        bmx__path_pop(pr, old);
    }
    const struct bmx__jnode *fill = get(b, "fill"), *rgb = get(b, "fill_rgb");
    if (!one_of(fill, fills, 3)) {
        bad(pr, "fill", "expected mean, constant or noise");
    }
    bool constant = bmx__json_is_string(fill) && strcmp(fill->u.str, "constant") == 0;
    if (rgb == NULL && constant) {
        bad(pr, "fill_rgb", "missing (a constant fill records its colour)");
    } else if (rgb != NULL && !constant && one_of(fill, fills, 3)) {
        bad(pr, "fill_rgb", "only with fill constant (a mean is the pixels', noise has none)");
    } else if (rgb != NULL) {
        bool ok = bmx__json_is_array(rgb) && rgb->n == 3;
        for (const struct bmx__jnode *c = ok ? rgb->u.child : NULL; c != NULL; c = c->next) {
            ok = ok && whole(c, 0, 255);
        }
        if (!ok) {
            bad(pr, "fill_rgb", "expected [r, g, b], whole numbers 0..255");
        }
    }
}

static void check_cutmix(struct bmx__problems *pr, const struct bmx__jnode *b,
                         const struct bmx__coco_image_rec *rec)
{
    static const char *const places[] = {"source-object"};
    rect_in_image(pr, get(b, "patch"), "patch", rec, true);
    check_source_fit(pr, b, BMX__BOXMIX_CUTMIX, rec);
    const struct bmx__jnode *pl = get(b, "placement"), *an = get(b, "anchor_annotation_id");
    if (pl != NULL && !one_of(pl, places, 1)) {
        bad(pr, "placement", "expected source-object (the other placements are not recorded)");
    }
    if (pl != NULL && an == NULL) {
        bad(pr, "anchor_annotation_id", "missing (an id, or null when the source had no "
                                        "object to anchor on)");
    } else if (pl == NULL && an != NULL) {
        bad(pr, "anchor_annotation_id", "only with placement source-object");
    } else if (an != NULL && an->type != BMX__J_NULL &&
               !whole(an, -9007199254740992.0, 9007199254740992.0)) {
        bad(pr, "anchor_annotation_id", "expected an annotation id or null");
    }
}

static void check_copypaste(struct bmx__problems *pr, const struct bmx__jnode *b,
                            const struct bmx__coco_image_rec *rec)
{
    check_source_fit(pr, b, BMX__BOXMIX_COPYPASTE, rec);
    const struct bmx__jnode *ids = get(b, "pasted_annotation_ids");
    bool ok = bmx__json_is_array(ids);
    for (const struct bmx__jnode *c = ok ? ids->u.child : NULL; c != NULL; c = c->next) {
        ok = ok && whole(c, -9007199254740992.0, 9007199254740992.0);
    }
    if (!ok) {
        bad(pr, "pasted_annotation_ids", "expected a list of annotation ids");
    }
}

void bmx__rule_image_boxmix(struct bmx__coco_rules *r, const struct bmx__jnode *im,
                            struct bmx__coco_image_rec *rec)
{
    struct bmx__problems *pr = r->pr;
    const struct bmx__jnode *b = get(im, "boxmix");
    rec->op = BMX__BOXMIX_NONE;
    if (b == NULL) {
        return;
    }
    size_t old = BMX__PATH_FIELD(pr, "boxmix");
    const struct bmx__jnode *op = bmx__json_is_object(b) ? get(b, "op") : NULL;
    for (int k = 1; k < BMX__BOXMIX_OPS && bmx__json_is_string(op); k++) {
        if (strcmp(op->u.str, op_names[k]) == 0) {
            rec->op = k;
        }
    }
    if (!bmx__json_is_object(b)) {
        bad(pr, NULL, "expected an object, got %s", bmx__json_type_name(b));
    } else if (rec->op == BMX__BOXMIX_NONE) {
        bad(pr, "op", "expected cutmix, cutout, mixup, mosaic, copypaste or original");
    } else if (rec->op != BMX__BOXMIX_ORIGINAL) {
        if (!whole(get(b, "index"), 0, 18446744073709551615.0)) {
            bad(pr, "index", "expected the output index, a whole number >= 0");
        }
        if (!whole(get(b, "seed"), 0, 18446744073709551615.0)) {
            bad(pr, "seed", "expected the run's seed, a whole number >= 0");
        }
        check_ids(pr, b, "base_image_id", true);
        bool two = rec->op == BMX__BOXMIX_CUTMIX || rec->op == BMX__BOXMIX_MIXUP ||
                   rec->op == BMX__BOXMIX_COPYPASTE;
        check_ids(pr, b, "source_image_id", two);
        const struct bmx__jnode *lambda = get(b, "lambda");
        bool has_lambda = rec->op != BMX__BOXMIX_MOSAIC && rec->op != BMX__BOXMIX_COPYPASTE;
        if (has_lambda && !fraction(lambda)) {
            bad(pr, "lambda", "expected a number in [0, 1]");
        } else if (!has_lambda && lambda != NULL) {
            bad(pr, "lambda", "not recorded by %s", op_names[rec->op]);
        }
        switch (rec->op) {
        case BMX__BOXMIX_CUTMIX:
            check_cutmix(pr, b, rec);
            break;
        case BMX__BOXMIX_CUTOUT:
            check_cutout(pr, b, rec);
            break;
        case BMX__BOXMIX_MIXUP:
            check_source_fit(pr, b, BMX__BOXMIX_MIXUP, rec);
            break;
        case BMX__BOXMIX_MOSAIC:
            check_mosaic(pr, b, rec);
            break;
        default:
            check_copypaste(pr, b, rec);
            break;
        }
    }
    bmx__path_pop(pr, old);
}

void bmx__rule_annotation_boxmix(struct bmx__coco_rules *r, const struct bmx__jnode *a,
                                 const struct bmx__coco_image_rec *img)
{
    static const char *const froms[] = {"base", "source", "tile", "original"};
    struct bmx__problems *pr = r->pr;
    const struct bmx__jnode *b = get(a, "boxmix");
    if (b == NULL) {
        return;
    }
    size_t old = BMX__PATH_FIELD(pr, "boxmix");
    const struct bmx__jnode *from = bmx__json_is_object(b) ? get(b, "from") : NULL;
    int op = img != NULL ? img->op : BMX__BOXMIX_NONE;
    if (!bmx__json_is_object(b)) {
        bad(pr, NULL, "expected an object, got %s", bmx__json_type_name(b));
    } else if (!one_of(from, froms, 4)) {
        bad(pr, "from", "expected base, source, tile or original");
    } else {
        const char *f = from->u.str;
        bool original = strcmp(f, "original") == 0, tile = strcmp(f, "tile") == 0;
        bool source = strcmp(f, "source") == 0;
        const struct bmx__jnode *sid = get(b, "source_annotation_id");
        if (sid == NULL) {
            bad(pr, "source_annotation_id", "missing");
        } else if (!whole(sid, -9007199254740992.0, 9007199254740992.0) &&
                   !bmx__json_is_string(sid)) {
            bad(pr, "source_annotation_id", "expected an annotation id");
        }
        const struct bmx__jnode *vis = get(b, "visibility");
        if (!original && !fraction(vis)) {
            bad(pr, "visibility", "expected a number in [0, 1]");
        }
        const struct bmx__jnode *t = get(b, "tile"), *w = get(b, "weight");
        if (tile && t == NULL) {
            bad(pr, "tile", "missing (from tile names its tile, 0..3)");
        } else if (t != NULL && !tile) {
            bad(pr, "tile", "only on objects from a Mosaic tile (from tile)");
        } else if (t != NULL && !whole(t, 0, 3)) {
            bad(pr, "tile", "expected 0, 1, 2 or 3");
        }
        if (w != NULL && !fraction(w)) {
            bad(pr, "weight", "expected a number in [0, 1]");
        } else if (w != NULL && op != BMX__BOXMIX_NONE && op != BMX__BOXMIX_MIXUP) {
            bad(pr, "weight", "only on the objects of a MixUp");
        } else if (w == NULL && op == BMX__BOXMIX_MIXUP && !original) {
            bad(pr, "weight", "missing (every object of a MixUp carries its weight)");
        }
        if (op == BMX__BOXMIX_MOSAIC && !tile) {
            bad(pr, "from", "\"%s\" in a Mosaic, whose objects come from tiles", f);
        } else if (op != BMX__BOXMIX_NONE && op != BMX__BOXMIX_MOSAIC && tile) {
            bad(pr, "from", "\"tile\" in a %s output (only a Mosaic has tiles)", op_names[op]);
        } else if (op == BMX__BOXMIX_CUTOUT && source) {
            bad(pr, "from", "\"source\" in a CutOut output (it has one input)");
        } else if (op == BMX__BOXMIX_ORIGINAL && !original) {
            bad(pr, "from", "\"%s\" on a copied original", f);
        }
    }
    bmx__path_pop(pr, old);
}
