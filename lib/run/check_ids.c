/* SPDX-License-Identifier: MIT */
/* The checker's id tables (numeric or string keys -> index, open addressing at
 * most half full), the string pool their string keys live in, and the insertion
 * of an id that reports a duplicate: an image id also as the number it spells. */
#include "check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_BLOCK ((size_t)1 << 20)

static uint64_t hash_key(const struct key *k)
{
    uint64_t z;
    if (k->is_str) {
        z = 1469598103934665603ull;
        for (const char *s = k->str; *s; s++) {
            z = (z ^ (unsigned char)*s) * 1099511628211ull;
        }
    } else {
        z = (uint64_t)k->num;
    }
    /* splitmix64 finaliser: spreads sequential ids over the slots */
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

bool bmx__check_table_init(struct table *t, size_t n)
{
    size_t cap = 16;
    while (cap / 2 < n) {
        if (cap > SIZE_MAX / 4) {
            return false;
        }
        cap *= 2;
    }
    t->slots = bmx__alloc_array(cap, sizeof *t->slots);
    if (t->slots == NULL) {
        return false;
    }
    memset(t->slots, 0, cap * sizeof *t->slots);
    t->cap = cap;
    return true;
}

/* The slot holding `k`, or the empty slot where it would go. The table is at most
 * half full (n entries for a capacity of at least 2n), so the probe ends. */
struct slot *bmx__check_table_find(const struct table *t, const struct key *k)
{
    for (size_t i = (size_t)hash_key(k) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        struct slot *s = &t->slots[i];
        if (!s->used) {
            return s;
        }
        if (s->key.is_str == k->is_str &&
            (k->is_str ? strcmp(s->key.str, k->str) == 0 : s->key.num == k->num)) {
            return s;
        }
    }
}

void bmx__check_describe_key(const struct key *k, char *buf, size_t cap)
{
    if (k->is_str) {
        snprintf(buf, cap, "\"%s\"", k->str);
    } else {
        snprintf(buf, cap, "%" PRId64, k->num);
    }
}

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

/* Insert an id into `t`, reporting a duplicate (the path is the id's). Returns the
 * slot filled, NULL for a duplicate or when out of memory. */
const struct slot *bmx__check_insert_id(struct checker *c, struct table *t, const struct key *k,
                                        size_t index, const char *section)
{
    struct slot *s = bmx__check_table_find(t, k);
    if (s->used) {
        char id[96];
        bmx__check_describe_key(k, id, sizeof id);
        bmx__check_problem(c, SEV_ERROR, "duplicate-id", "duplicate id %s (also %s[%zu])", id,
                           section, s->index);
        return NULL;
    }
    struct key own = *k;
    if (own.is_str && (own.str = bmx__check_pool_copy(c, k->str)) == NULL) {
        return NULL;
    }
    *s = (struct slot){.used = true, .key = own, .index = index};
    return s;
}

/* The number an id stands for: an integer id's own, or the one a string id spells
 * as a whole decimal number ("7", "07"), as resolve_image reads it. */
static bool key_value(const struct key *k, int64_t *value)
{
    if (!k->is_str) {
        *value = k->num;
        return true;
    }
    char *end;
    errno = 0;
    long long n = strtoll(k->str, &end, 10);
    if (k->str[0] == '\0' || *end != '\0' || errno != 0) {
        return false;
    }
    *value = (int64_t)n;
    return true;
}

/* An image id: one id, one image. Besides a repeated id, two spellings of one
 * number ("7" and 7) are a duplicate, as the strict reader says: an annotation's
 * image_id may name an image by either and would be taken for the other's. */
void bmx__check_insert_image_id(struct checker *c, const struct key *k, size_t index)
{
    const struct slot *s = bmx__check_insert_id(c, &c->images, k, index, "images");
    int64_t value;
    if (s == NULL || !key_value(k, &value)) {
        return;
    }
    /* a numeric key whose `str` keeps the spelling (in the pool) for the message */
    struct key vk = {.is_str = false, .num = value, .str = s->key.is_str ? s->key.str : NULL};
    struct slot *v = bmx__check_table_find(&c->image_values, &vk);
    if (v->used) {
        char id[96], other[96];
        bmx__check_describe_key(k, id, sizeof id);
        if (v->key.str != NULL) {
            snprintf(other, sizeof other, "\"%s\"", v->key.str);
        } else {
            snprintf(other, sizeof other, "%" PRId64, value);
        }
        bmx__check_problem(c, SEV_ERROR, "duplicate-id",
                           "duplicate id %s (also images[%zu], spelled %s)", id, v->index, other);
        return;
    }
    *v = (struct slot){.used = true, .key = vk, .index = index};
}
