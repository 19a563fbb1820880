/* SPDX-License-Identifier: MIT */
/* The rules any value of a COCO record is under, whatever its field: numbers that
 * are not finite, keys repeated in one object, and a member fetched and reported
 * missing when required. */
#include "coco_rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Whether the subtree holds a number that is not finite: a quick pass without
 * paths, since nearly every value has none. */
static bool has_nonfinite(const struct bmx__jnode *v)
{
    if (v->type == BMX__J_NUMBER) {
        return !isfinite(v->u.num);
    }
    if (v->type != BMX__J_ARRAY && v->type != BMX__J_OBJECT) {
        return false;
    }
    for (const struct bmx__jnode *e = v->u.child; e != NULL; e = e->next) {
        if (has_nonfinite(e)) {
            return true;
        }
    }
    return false;
}

/* Report every number of the subtree that is not finite. */
void bmx__rule_nonfinite(struct bmx__problems *pr, const struct bmx__jnode *v)
{
    if (!has_nonfinite(v)) {
        return;
    }
    if (v->type == BMX__J_NUMBER) {
        bmx__problem(pr, BMX__REFUSE, "non-finite", "number out of range (not finite)");
        return;
    }
    size_t i = 0;
    for (const struct bmx__jnode *e = v->u.child; e != NULL; e = e->next, i++) {
        if (e->type != BMX__J_ARRAY && e->type != BMX__J_OBJECT && e->type != BMX__J_NUMBER) {
            continue;
        }
        size_t old = v->type == BMX__J_OBJECT ? bmx__path_key(pr, e->key) : bmx__path_index(pr, i);
        bmx__rule_nonfinite(pr, e);
        bmx__path_pop(pr, old);
    }
}

static void report_duplicate_key(struct bmx__problems *pr, const char *key)
{
    size_t old = bmx__path_key(pr, key);
    bmx__problem(pr, BMX__REFUSE, "duplicate-key",
                 "key repeated in one object (readers disagree on which value wins)");
    bmx__path_pop(pr, old);
}

/* Report each key of keys[0, n) that an earlier one repeats, in order. */
void bmx__rule_duplicate_list(struct bmx__problems *pr, const char *const *keys, size_t n)
{
    if (n < 2) {
        return;
    }
    if (n <= 32) {
        /* a few keys: compared pairwise without allocating */
        for (size_t e = 1; e < n; e++) {
            for (size_t f = 0; f < e; f++) {
                if (keys[e][0] == keys[f][0] && strcmp(keys[e], keys[f]) == 0) {
                    report_duplicate_key(pr, keys[e]);
                    break;
                }
            }
        }
        return;
    }
    struct bmx__id_table t = {0};
    if (!bmx__id_table_init(&t, n)) {
        pr->nomem = true;
        return;
    }
    for (size_t e = 0; e < n; e++) {
        struct bmx__id_entry *s = bmx__id_table_find(&t, true, 0, keys[e]);
        if (s->used) {
            report_duplicate_key(pr, keys[e]);
        } else {
            *s = (struct bmx__id_entry){.used = true, .is_str = true, .str = keys[e]};
        }
    }
    free(t.slots);
}

/* Readers disagree on repeated keys (cJSON takes the first, Python's json the
 * last), so a record must not have any. */
void bmx__rule_duplicate_keys(struct bmx__problems *pr, const struct bmx__jnode *obj)
{
    if (obj->n < 2) {
        return;
    }
    if (obj->n <= 32) {
        /* the usual record: a few keys, compared pairwise without allocating */
        for (const struct bmx__jnode *e = obj->u.child->next; e != NULL; e = e->next) {
            for (const struct bmx__jnode *f = obj->u.child; f != e; f = f->next) {
                if (e->key[0] == f->key[0] && strcmp(e->key, f->key) == 0) {
                    report_duplicate_key(pr, e->key);
                    break;
                }
            }
        }
        return;
    }
    const char **keys = bmx__alloc_array(obj->n, sizeof *keys);
    if (keys == NULL) {
        pr->nomem = true;
        return;
    }
    size_t n = 0;
    for (const struct bmx__jnode *e = obj->u.child; e != NULL; e = e->next) {
        keys[n++] = e->key;
    }
    bmx__rule_duplicate_list(pr, keys, n);
    free(keys);
}

/* Fetch a key of `obj`, reporting it missing when `required`. */
const struct bmx__jnode *bmx__rule_member(struct bmx__problems *pr, const struct bmx__jnode *obj,
                                          const char *key, bool required)
{
    const struct bmx__jnode *v = bmx__json_get(obj, key);
    if (v == NULL && required) {
        size_t old = bmx__path_key(pr, key);
        bmx__problem(pr, BMX__REFUSE, "missing-key", "missing");
        bmx__path_pop(pr, old);
    }
    return v;
}

/* Whether any object in the subtree has two members: a quick pass without paths,
 * since nearly every nested value has none that could repeat. */
static bool has_objects(const struct bmx__jnode *v)
{
    if (v->type == BMX__J_OBJECT && v->n >= 2) {
        return true;
    }
    if (v->type != BMX__J_ARRAY && v->type != BMX__J_OBJECT) {
        return false;
    }
    for (const struct bmx__jnode *e = v->u.child; e != NULL; e = e->next) {
        if (has_objects(e)) {
            return true;
        }
    }
    return false;
}

void bmx__rule_nested_duplicate_keys(struct bmx__problems *pr, const struct bmx__jnode *v,
                                     const char *skip)
{
    if (v->type != BMX__J_ARRAY && v->type != BMX__J_OBJECT) {
        return;
    }
    size_t i = 0;
    for (const struct bmx__jnode *e = v->u.child; e != NULL; e = e->next, i++) {
        if ((e->type != BMX__J_ARRAY && e->type != BMX__J_OBJECT) || !has_objects(e) ||
            (skip != NULL && v->type == BMX__J_OBJECT && strcmp(e->key, skip) == 0)) {
            continue;
        }
        size_t old = v->type == BMX__J_OBJECT ? bmx__path_key(pr, e->key) : bmx__path_index(pr, i);
        if (e->type == BMX__J_OBJECT) {
            bmx__rule_duplicate_keys(pr, e);
        }
        bmx__rule_nested_duplicate_keys(pr, e, NULL);
        bmx__path_pop(pr, old);
    }
}
