/* SPDX-License-Identifier: MIT */
/* COCO ids, for the reader and the checker alike: the id table (numeric or string
 * ids -> index, by open addressing at most half full), the rule that a string id
 * such as "7" spells the number 7, and the rules of one id for one record: a
 * repeated id, and for images two spellings of one number. */
#include "coco.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_num(int64_t v)
{
    uint64_t z = (uint64_t)v + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    }
    return h ^ 0x5bd1e995u;
}

bool bmx__id_table_init(struct bmx__id_table *t, size_t n)
{
    size_t cap = 16;
    while (cap < n * 2 + 1) {
        if (cap > SIZE_MAX / 4) {
            return false;
        }
        cap *= 2;
    }
    t->slots = calloc(cap, sizeof *t->slots);
    t->cap = cap;
    return t->slots != NULL;
}

struct bmx__id_entry *bmx__id_table_find(const struct bmx__id_table *t, bool is_str, int64_t num,
                                         const char *str)
{
    uint64_t h = is_str ? hash_str(str) : hash_num(num);
    for (size_t i = (size_t)h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        struct bmx__id_entry *e = &t->slots[i];
        if (!e->used) {
            return e;
        }
        if (e->is_str == is_str && (is_str ? strcmp(e->str, str) == 0 : e->num == num)) {
            return e;
        }
    }
}

/* Room for one more entry in a table that grows (at most half full). */
bool bmx__id_table_reserve(struct bmx__id_table *t)
{
    if (t->slots != NULL && (t->count + 1) * 2 < t->cap) {
        return true;
    }
    struct bmx__id_table bigger = {0};
    if (!bmx__id_table_init(&bigger, t->cap > t->count ? t->cap : t->count + 1)) {
        return false;
    }
    for (size_t i = 0; i < t->cap; i++) {
        const struct bmx__id_entry *e = &t->slots[i];
        if (e->used) {
            *bmx__id_table_find(&bigger, e->is_str, e->num, e->str) = *e;
        }
    }
    bigger.count = t->count;
    free(t->slots);
    *t = bigger;
    return true;
}

/* Whether a string id spells an integer ("7", "07" for 7), and which: the whole
 * string read as a decimal number that fits. */
bool bmx__coco_spells_integer(const char *s, int64_t *value)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0) {
        return false;
    }
    *value = (int64_t)v;
    return true;
}

void bmx__coco_describe_id(char *buf, size_t cap, bool is_str, int64_t num, const char *str)
{
    if (is_str) {
        snprintf(buf, cap, "\"%s\"", str);
    } else {
        snprintf(buf, cap, "%" PRId64, num);
    }
}

bool bmx__id_table_add(struct bmx__id_table *t, bool is_str, int64_t num, const char *str,
                       size_t index, const char *section, bool *repeated, char *clash, size_t cap)
{
    *repeated = false;
    if (!bmx__id_table_reserve(t)) {
        return false;
    }
    struct bmx__id_entry *e = bmx__id_table_find(t, is_str, num, str);
    if (e->used) {
        /* the id whole, however long: the message is shortened where it is shown */
        if (is_str) {
            snprintf(clash, cap, "duplicate id \"%s\" (also %s[%zu])", str, section, e->index);
        } else {
            snprintf(clash, cap, "duplicate id %" PRId64 " (also %s[%zu])", num, section, e->index);
        }
        *repeated = true;
        return true;
    }
    *e = (struct bmx__id_entry){
        .used = true, .is_str = is_str, .num = num, .str = str, .index = index};
    t->count++;
    return true;
}

bool bmx__image_ids_init(struct bmx__image_ids *t, size_t n)
{
    *t = (struct bmx__image_ids){0};
    return bmx__id_table_init(&t->ids, n) && bmx__id_table_init(&t->values, n);
}

void bmx__image_ids_free(struct bmx__image_ids *t)
{
    free(t->ids.slots);
    free(t->values.slots);
    *t = (struct bmx__image_ids){0};
}

bool bmx__image_ids_add(struct bmx__image_ids *t, bool is_str, int64_t num, const char *str,
                        size_t index, bool *repeated, char *clash, size_t cap)
{
    if (!bmx__id_table_add(&t->ids, is_str, num, str, index, "images", repeated, clash, cap)) {
        return false;
    }
    int64_t value = num;
    if (*repeated || (is_str && !bmx__coco_spells_integer(str, &value))) {
        return true;
    }
    if (!bmx__id_table_reserve(&t->values)) {
        return false;
    }
    /* a numeric entry; `str` keeps the spelling for the message */
    struct bmx__id_entry *v = bmx__id_table_find(&t->values, false, value, NULL);
    if (v->used) {
        char id[96], other[96];
        bmx__coco_describe_id(id, sizeof id, is_str, value, str);
        bmx__coco_describe_id(other, sizeof other, v->str != NULL, value, v->str);
        snprintf(clash, cap, "duplicate id %s (also images[%zu], spelled %s)", id, v->index, other);
        *repeated = true;
        return true;
    }
    *v = (struct bmx__id_entry){
        .used = true, .num = value, .str = is_str ? str : NULL, .index = index};
    t->values.count++;
    return true;
}

const struct bmx__id_entry *bmx__image_ids_find(const struct bmx__image_ids *t, bool is_str,
                                                int64_t num, const char *str, bool *respelled)
{
    *respelled = false;
    const struct bmx__id_entry *e = bmx__id_table_find(&t->ids, is_str, num, str);
    if (e->used) {
        return e;
    }
    int64_t v;
    char tmp[32];
    if (is_str) {
        if (!bmx__coco_spells_integer(str, &v)) {
            return NULL;
        }
        e = bmx__id_table_find(&t->ids, false, v, NULL);
    } else {
        snprintf(tmp, sizeof tmp, "%" PRId64, num);
        e = bmx__id_table_find(&t->ids, true, 0, tmp);
    }
    *respelled = e->used;
    return e->used ? e : NULL;
}
