/* SPDX-License-Identifier: MIT */
/* The checker's ids: the string pool their string ids live in, and each id
 * entered into the formats' id tables (coco_ids.c, the reader's own), a clash
 * reported with the reader's words: a repeated id, and for images two spellings of
 * one number. */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_BLOCK ((size_t)1 << 20)

/* Copy a string into the checker's pool, where it lives until the end of the
 * run (records are parsed one at a time, their text does not last). */
const char *bmx__check_pool_copy(struct checker *c, const char *s)
{
    size_t n = strlen(s) + 1;
    struct pool_block *b = c->pool;
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = n > POOL_BLOCK ? n : POOL_BLOCK, bytes;
        if (!bmx__add_size(sizeof *b, cap, &bytes) || (b = malloc(bytes)) == NULL) {
            c->nomem = true;
            return NULL;
        }
        b->cap = cap;
        b->used = 0;
        b->next = c->pool;
        c->pool = b;
    }
    char *out = b->data + b->used;
    memcpy(out, s, n);
    b->used += n;
    return out;
}

/* A string id that is not yet in `t` is copied to last; one already there (a
 * clash) needs no copy. */
static const char *lasting(struct checker *c, const struct bmx__id_table *t,
                           const struct bmx__id_entry *id)
{
    if (!id->is_str) {
        return NULL;
    }
    const struct bmx__id_entry *e = bmx__id_table_find(t, true, 0, id->str);
    return e->used ? e->str : bmx__check_pool_copy(c, id->str);
}

void bmx__check_add_id(struct checker *c, struct bmx__id_table *t, const struct bmx__id_entry *id,
                       size_t index, const char *section)
{
    const char *str = lasting(c, t, id);
    if (id->is_str && str == NULL) {
        return;
    }
    bool repeated;
    char clash[256];
    if (!bmx__id_table_add(t, id->is_str, id->num, str, index, section, &repeated, clash,
                           sizeof clash)) {
        c->nomem = true;
    } else if (repeated) {
        bmx__check_problem(c, SEV_ERROR, "duplicate-id", "%s", clash);
    }
}

void bmx__check_add_image_id(struct checker *c, const struct bmx__id_entry *id, size_t index)
{
    const char *str = lasting(c, &c->images.ids, id);
    if (id->is_str && str == NULL) {
        return;
    }
    bool repeated;
    char clash[256];
    if (!bmx__image_ids_add(&c->images, id->is_str, id->num, str, index, &repeated, clash,
                            sizeof clash)) {
        c->nomem = true;
    } else if (repeated) {
        bmx__check_problem(c, SEV_ERROR, "duplicate-id", "%s", clash);
    }
}
