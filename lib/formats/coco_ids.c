/* SPDX-License-Identifier: MIT */
/* The COCO reader's id table: numeric or string ids -> index, by open addressing at
 * most half full, and the rule that a string id such as "7" spells the number 7. */
#include "coco.h"

#include <errno.h>
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
