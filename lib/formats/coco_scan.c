/* SPDX-License-Identifier: MIT */
/* The first pass over a COCO document, for the reader and the checker alike:
 * judge the syntax of the whole text with the strict parser (control characters,
 * NUL, invalid UTF-8, nesting, numbers beyond a double), find the top-level
 * members and the size of each section without building anything; then the rules
 * of the document itself: nothing but whitespace after it, an object at the top,
 * no key repeated there. */
#include "coco_rules.h"

#include <stdlib.h>
#include <string.h>

static const char *const section_keys[BMX__SEC_COUNT] = {"images", "annotations", "categories"};

static bool add_member(struct bmx__coco_doc *d, const char *key, size_t start)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        const char **k = bmx__realloc_array(d->keys, cap, sizeof *k);
        if (k == NULL) {
            return false;
        }
        d->keys = k;
        size_t *s = bmx__realloc_array(d->starts, cap, sizeof *s);
        if (s == NULL) {
            return false;
        }
        d->starts = s;
        d->cap = cap;
    }
    d->keys[d->n] = key;
    d->starts[d->n] = start;
    d->n++;
    return true;
}

/* The elements of the array at *pos (then just past it), checked without being
 * built. Returns -1 on a syntax error. */
static int count_elements(struct bmx__json *p, size_t *pos, size_t *count)
{
    size_t n = 0;
    int more = bmx__json_begin(p, pos, '[');
    while (more == 1) {
        if (!bmx__json_value(p, pos, 2, NULL)) {
            return -1;
        }
        n++;
        more = bmx__json_next(p, pos, ']');
    }
    *count = n;
    return more;
}

/* Whether a key of keys[0, n) repeats an earlier one. */
static bool any_repeat(const char *const *keys, size_t n, bool *nomem)
{
    if (n <= 32) {
        for (size_t e = 1; e < n; e++) {
            for (size_t f = 0; f < e; f++) {
                if (keys[e][0] == keys[f][0] && strcmp(keys[e], keys[f]) == 0) {
                    return true;
                }
            }
        }
        return false;
    }
    struct bmx__id_table t = {0};
    bool found = false;
    if (!bmx__id_table_init(&t, n)) {
        *nomem = true;
        return false;
    }
    for (size_t e = 0; e < n && !found; e++) {
        struct bmx__id_entry *s = bmx__id_table_find(&t, true, 0, keys[e]);
        found = s->used;
        *s = (struct bmx__id_entry){.used = true, .is_str = true, .str = keys[e]};
    }
    free(t.slots);
    return found;
}

bool bmx__coco_scan(struct bmx__json *p, struct bmx__coco_doc *d, bool *nomem)
{
    *d = (struct bmx__coco_doc){.trailing = SIZE_MAX};
    size_t pos = bmx__json_skip_ws(p, 0);
    d->root = pos;
    d->first = pos < p->len ? p->buf[pos] : '\0';
    bool ok;
    if (d->first != '{') {
        ok = bmx__json_value(p, &pos, 0, NULL);
    } else {
        /* The same walk and the same errors as bmx__json_value over the object. */
        int more = bmx__json_begin(p, &pos, '{');
        while (more == 1) {
            const char *key;
            if (!bmx__json_key(p, &pos, &key)) {
                more = -1;
                break;
            }
            size_t start = bmx__json_skip_ws(p, pos);
            /* kept before its value is judged: a repeated key comes first */
            if (!add_member(d, key, start)) {
                *nomem = true;
                return false;
            }
            int s = 0;
            while (s < BMX__SEC_COUNT && strcmp(key, section_keys[s]) != 0) {
                s++;
            }
            if (s < BMX__SEC_COUNT && !d->has[s]) {
                d->has[s] = true;
                d->start[s] = start;
                d->is_array[s] = start < p->len && p->buf[start] == '[';
            }
            if (s < BMX__SEC_COUNT && d->start[s] == start && d->is_array[s]) {
                pos = start;
                more = count_elements(p, &pos, &d->count[s]);
                if (more < 0) {
                    break;
                }
            } else if (!bmx__json_value(p, &pos, 1, NULL)) {
                more = -1;
                break;
            }
            more = bmx__json_next(p, &pos, '}');
        }
        ok = more == 0;
        d->repeats = any_repeat(d->keys, d->n, nomem);
    }
    if (ok) {
        d->end = pos;
        pos = bmx__json_skip_ws(p, pos);
        d->trailing = pos < p->len ? pos : SIZE_MAX;
    }
    return ok && !*nomem;
}

void bmx__coco_doc_free(struct bmx__coco_doc *d)
{
    free(d->keys);
    free(d->starts);
    *d = (struct bmx__coco_doc){0};
}

bool bmx__rule_trailing(struct bmx__problems *pr, const struct bmx__json *p,
                        const struct bmx__coco_doc *d)
{
    if (d->trailing == SIZE_MAX) {
        return true;
    }
    /* NUL padding the reader lets pass; anything else it refuses */
    size_t q = d->trailing;
    while (q < p->len && (p->buf[q] == '\0' || p->buf[q] == ' ' || p->buf[q] == '\n' ||
                          p->buf[q] == '\r' || p->buf[q] == '\t')) {
        q++;
    }
    size_t at = q < p->len ? q : d->trailing;
    size_t line, col;
    bmx__json_line_col(p->buf, at, &line, &col);
    pr->status = BMX_E_PARSE;
    bmx__problem(pr, q < p->len ? BMX__REFUSE : BMX__ERROR, "json-syntax",
                 "line %zu, column %zu: text after the JSON document", line, col);
    pr->status = BMX_OK;
    return false;
}

bool bmx__rule_top_object(struct bmx__problems *pr, const struct bmx__coco_doc *d)
{
    if (d->first == '{') {
        return true;
    }
    bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected an object (a COCO document), got %s",
                 bmx__json_type_name_of_text(d->first));
    return false;
}
