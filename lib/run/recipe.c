/* SPDX-License-Identifier: MIT */
/* Recipe files (schemas/recipe.schema.json): a weighted list of operations with
 * their parameters, read strictly: an unknown operation or parameter, a value of
 * the wrong type or out of range is refused, naming the file and the JSON path. */
#include "json.h"
#include "safefs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most entries a recipe holds. */
#define MAX_ENTRIES 64

static bmx_status bad(bmx_error *err, const char *file, size_t q, const char *key,
                      const char *what)
{
    if (key != NULL) {
        return bmx__fail(err, BMX_E_PARSE, "%s: operations[%zu].%s: %s", file, q, key, what);
    }
    return bmx__fail(err, BMX_E_PARSE, "%s: operations[%zu]: %s", file, q, what);
}

static bool number_in(const struct bmx__jnode *v, double lo, double hi, double *out)
{
    if (!bmx__json_is_number(v) || !(v->u.num >= lo) || !(v->u.num <= hi)) {
        return false;
    }
    *out = v->u.num;
    return true;
}

static bool integer_in(const struct bmx__jnode *v, double lo, double hi, int *out)
{
    double d;
    if (!number_in(v, lo, hi, &d) || !bmx__json_is_integral(d)) {
        return false;
    }
    *out = (int)d;
    return true;
}

static bool string_is(const struct bmx__jnode *v, const char *s)
{
    return bmx__json_is_string(v) && strcmp(v->u.str, s) == 0;
}

/* One parameter of entry q into `o`; false (with err set) when refused. */
static bmx_status read_param(const char *file, size_t q, const struct bmx__jnode *v,
                             struct bmx_op_options *o, bmx_error *err)
{
    const char *k = v->key;
    struct bmx_cutmix_options *c = &o->cutmix;
    double d;
    int n;
    if (strcmp(k, "alpha") == 0) {
        if (!number_in(v, 1e-300, INFINITY, &d) || !isfinite(d)) {
            return bad(err, file, q, k, "expected a number > 0");
        }
        c->alpha = d;
    } else if (strcmp(k, "cut_ratio") == 0) {
        const struct bmx__jnode *lo = bmx__json_is_array(v) && v->n == 2 ? v->u.child : NULL;
        double a, b;
        if (lo == NULL || !number_in(lo, 1e-300, 1.0, &a) || !number_in(lo->next, 1e-300, 1.0, &b) ||
            a > b) {
            return bad(err, file, q, k, "expected [lo, hi] with 0 < lo <= hi <= 1");
        }
        c->mode = BMX_PATCH_RATIO;
        c->ratio_lo = a;
        c->ratio_hi = b;
    } else if (strcmp(k, "placement") == 0) {
        if (string_is(v, "anywhere")) {
            c->placement = BMX_PLACE_ANYWHERE;
        } else if (string_is(v, "avoid-base")) {
            c->placement = BMX_PLACE_AVOID_BASE;
        } else if (string_is(v, "source-object")) {
            c->placement = BMX_PLACE_SOURCE_OBJECT;
        } else {
            return bad(err, file, q, k, "expected \"anywhere\", \"avoid-base\" or \"source-object\"");
        }
    } else if (strcmp(k, "tries") == 0) {
        if (!integer_in(v, 1, 1000, &c->tries)) {
            return bad(err, file, q, k, "expected an integer 1..1000");
        }
    } else if (strcmp(k, "min_visibility") == 0) {
        if (!number_in(v, 0.0, 1.0, &c->min_visibility)) {
            return bad(err, file, q, k, "expected a number in [0, 1]");
        }
    } else if (strcmp(k, "min_area") == 0 || strcmp(k, "min_size") == 0) {
        if (!number_in(v, 0.0, INFINITY, &d) || !isfinite(d)) {
            return bad(err, file, q, k, "expected a number >= 0");
        }
        *(strcmp(k, "min_area") == 0 ? &c->min_area : &c->min_size) = d;
    } else if (strcmp(k, "mask_format") == 0) {
        if (string_is(v, "keep")) {
            c->mask_format = BMX_MASK_KEEP;
        } else if (string_is(v, "rle")) {
            c->mask_format = BMX_MASK_RLE;
        } else if (string_is(v, "polygon")) {
            c->mask_format = BMX_MASK_POLYGON;
        } else {
            return bad(err, file, q, k, "expected \"keep\", \"rle\" or \"polygon\"");
        }
    } else if (strcmp(k, "source_fit") == 0) {
        if (string_is(v, "resize")) {
            o->source_fit = BMX_FIT_RESIZE;
        } else if (string_is(v, "letterbox")) {
            o->source_fit = BMX_FIT_LETTERBOX;
        } else if (string_is(v, "crop") && o->op == BMX_OP_CUTMIX) {
            o->source_fit = BMX_FIT_CROP;
        } else {
            return bad(err, file, q, k,
                       o->op == BMX_OP_CUTMIX ? "expected \"resize\", \"letterbox\" or \"crop\""
                                              : "expected \"resize\" or \"letterbox\" (crop is "
                                                "CutMix's only)");
        }
    } else if (strcmp(k, "holes") == 0) {
        if (!integer_in(v, 1, BMX_MAX_HOLES, &o->holes)) {
            return bad(err, file, q, k, "expected an integer 1..64");
        }
    } else if (strcmp(k, "fill") == 0) {
        const struct bmx__jnode *x = bmx__json_is_array(v) && v->n == 3 ? v->u.child : NULL;
        if (string_is(v, "mean")) {
            o->fill = BMX_FILL_MEAN;
        } else if (string_is(v, "noise")) {
            o->fill = BMX_FILL_NOISE;
        } else if (x != NULL) {
            for (int i = 0; i < 3; i++, x = x->next) {
                if (!integer_in(x, 0, 255, &n)) {
                    return bad(err, file, q, k, "expected [r, g, b] of integers 0..255");
                }
                o->fill_rgb[i] = (uint8_t)n;
            }
            o->fill = BMX_FILL_CONSTANT;
        } else {
            return bad(err, file, q, k, "expected \"mean\", \"noise\" or [r, g, b]");
        }
    } else if (strcmp(k, "mix_alpha") == 0) {
        if (!number_in(v, 1e-300, INFINITY, &d) || !isfinite(d)) {
            return bad(err, file, q, k, "expected a number > 0");
        }
        o->mix_alpha = d;
    } else if (strcmp(k, "mix_ratio") == 0) {
        if (!number_in(v, 0.0, 1.0, &o->mix_ratio)) {
            return bad(err, file, q, k, "expected a number in [0, 1]");
        }
    } else if (strcmp(k, "mosaic_size") == 0) {
        if (!integer_in(v, 16, 16384, &n)) {
            return bad(err, file, q, k, "expected an integer 16..16384");
        }
        o->mosaic_size = n;
    } else if (strcmp(k, "paste_prob") == 0) {
        if (!number_in(v, 0.0, 1.0, &o->paste_prob)) {
            return bad(err, file, q, k, "expected a number in [0, 1]");
        }
    } else {
        return bad(err, file, q, k, "unknown parameter");
    }
    return BMX_OK;
}

/* Parameters that only some operations take, and which. */
static bool param_applies(const char *key, enum bmx_op op)
{
    static const struct {
        const char *key;
        unsigned ops; /* a bit per enum bmx_op */
    } only[] = {
        {"alpha", 1u << BMX_OP_CUTMIX | 1u << BMX_OP_CUTOUT},
        {"cut_ratio", 1u << BMX_OP_CUTMIX | 1u << BMX_OP_CUTOUT},
        {"placement", 1u << BMX_OP_CUTMIX},
        {"tries", 1u << BMX_OP_CUTMIX},
        {"source_fit", 1u << BMX_OP_CUTMIX | 1u << BMX_OP_MIXUP | 1u << BMX_OP_COPYPASTE},
        {"holes", 1u << BMX_OP_CUTOUT},
        {"fill", 1u << BMX_OP_CUTOUT},
        {"mix_alpha", 1u << BMX_OP_MIXUP},
        {"mix_ratio", 1u << BMX_OP_MIXUP},
        {"mosaic_size", 1u << BMX_OP_MOSAIC},
        {"paste_prob", 1u << BMX_OP_COPYPASTE},
    };
    for (size_t i = 0; i < sizeof only / sizeof only[0]; i++) {
        if (strcmp(key, only[i].key) == 0) {
            return (only[i].ops >> op) & 1u;
        }
    }
    return true;
}

static bmx_status read_entry(const char *file, size_t q, const struct bmx__jnode *e,
                             const struct bmx_op_options *defaults, struct bmx_recipe_entry *out,
                             bmx_error *err)
{
    if (!bmx__json_is_object(e)) {
        return bad(err, file, q, NULL, "expected an object");
    }
    const struct bmx__jnode *op = bmx__json_get(e, "op");
    const struct bmx__jnode *weight = bmx__json_get(e, "weight");
    enum bmx_op kind;
    if (op == NULL) {
        return bad(err, file, q, NULL, "\"op\" is missing");
    }
    if (!bmx__json_is_string(op) || !bmx_op_from_name(op->u.str, &kind)) {
        return bad(err, file, q, "op",
                   "expected \"cutmix\", \"cutout\", \"mixup\", \"mosaic\" or \"copypaste\"");
    }
    out->op = *defaults;
    out->op.op = kind;
    out->weight = 1.0;
    if (weight != NULL && (!number_in(weight, 1e-300, INFINITY, &out->weight) ||
                           !isfinite(out->weight))) {
        return bad(err, file, q, "weight", "expected a number > 0");
    }
    for (const struct bmx__jnode *v = e->u.child; v != NULL; v = v->next) {
        if (strcmp(v->key, "op") == 0 || strcmp(v->key, "weight") == 0) {
            continue;
        }
        bmx_status st = read_param(file, q, v, &out->op, err);
        if (st != BMX_OK) {
            return st;
        }
        if (!param_applies(v->key, kind)) {
            char what[96];
            snprintf(what, sizeof what, "not a parameter of %s", bmx_op_name(kind));
            return bad(err, file, q, v->key, what);
        }
    }
    if (bmx__json_get(e, "mix_alpha") != NULL && bmx__json_get(e, "mix_ratio") != NULL) {
        /* A fixed lambda draws nothing: the alpha would do nothing. */
        return bad(err, file, q, "mix_alpha", "does nothing with mix_ratio (lambda is fixed): "
                                              "give one of them");
    }
    bmx_status st = bmx_op_options_check(&out->op, err);
    if (st != BMX_OK) {
        return bmx__prefix(err, BMX_E_PARSE, "%s: operations[%zu]", file, q);
    }
    return BMX_OK;
}

bmx_status bmx_recipe_read(const char *path, const struct bmx_op_options *defaults,
                           struct bmx_recipe_entry **entries, size_t *n, bmx_error *err)
{
    if (entries != NULL) {
        *entries = NULL;
    }
    if (n != NULL) {
        *n = 0;
    }
    if (path == NULL || entries == NULL || n == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "recipe: NULL argument");
    }
    struct bmx_op_options base;
    if (defaults != NULL) {
        bmx_status st = bmx_op_options_check(defaults, err);
        if (st != BMX_OK) {
            return st;
        }
        bmx_op_options_init(&base);
        memcpy(&base, defaults, defaults->size < sizeof base ? defaults->size : sizeof base);
        base.size = sizeof base;
    } else {
        bmx_op_options_init(&base);
    }
    char *text = NULL;
    size_t len = 0;
    bmx_status st = bmx__read_file(path, &text, &len, err);
    if (st != BMX_OK) {
        return st;
    }
    struct bmx__json p = {0};
    bmx__json_init(&p, text, len);
    struct bmx__jnode *root = NULL;
    size_t pos = 0;
    struct bmx_recipe_entry *out = NULL;
    size_t n_out = 0;
    if (!bmx__json_value(&p, &pos, 0, &root)) {
        st = bmx__json_fail(&p, path, err);
        goto done;
    }
    if (bmx__json_skip_ws(&p, pos) != len) {
        size_t line, col;
        bmx__json_line_col(text, bmx__json_skip_ws(&p, pos), &line, &col);
        st = bmx__fail(err, BMX_E_PARSE, "%s: line %zu, column %zu: text after the recipe", path,
                       line, col);
        goto done;
    }
    if (p.has_nonfinite) {
        st = bmx__fail(err, BMX_E_PARSE, "%s: a number too large for a double", path);
        goto done;
    }
    const struct bmx__jnode *ops = bmx__json_get(root, "operations");
    if (!bmx__json_is_object(root)) {
        st = bmx__fail(err, BMX_E_PARSE, "%s: (root): expected an object {\"operations\": [...]}",
                       path);
        goto done;
    }
    for (const struct bmx__jnode *v = root->u.child; v != NULL; v = v->next) {
        if (strcmp(v->key, "operations") != 0 && strcmp(v->key, "$schema") != 0 &&
            strcmp(v->key, "description") != 0) {
            st = bmx__fail(err, BMX_E_PARSE, "%s: %s: unknown key", path, v->key);
            goto done;
        }
    }
    if (!bmx__json_is_array(ops) || ops->n == 0 || ops->n > MAX_ENTRIES) {
        st = bmx__fail(err, BMX_E_PARSE, "%s: operations: expected an array of 1 to %d entries",
                       path, MAX_ENTRIES);
        goto done;
    }
    out = calloc(ops->n, sizeof *out);
    if (out == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (const struct bmx__jnode *e = ops->u.child; e != NULL; e = e->next) {
        st = read_entry(path, n_out, e, &base, &out[n_out], err);
        if (st != BMX_OK) {
            goto done;
        }
        n_out++;
    }
done:
    bmx__json_free(&p);
    free(text);
    if (st != BMX_OK) {
        free(out);
        return st;
    }
    *entries = out;
    *n = n_out;
    return BMX_OK;
}
