/* SPDX-License-Identifier: MIT */
/* The JSON parser's core: the arena the value being parsed lives in, the values,
 * arrays and objects (built as a tree, or only checked), the walk of a container
 * without building it, and the questions asked of a parsed node (its type's name,
 * a member by key, a copy as cJSON). Strings are json_string.c's, numbers
 * json_number.c's, places in the text json_path.c's. See json.h for the contract. */
#include "json.h"

#include <stdlib.h>
#include <string.h>

/* ---- arena: nodes and strings of the value being parsed ---- */

struct bmx__arena_block {
    struct bmx__arena_block *next;
    size_t cap, used;
    max_align_t data[];
};

enum { ARENA_FIRST = 64 * 1024 };

void bmx__json_init(struct bmx__json *p, const char *buf, size_t len)
{
    memset(p, 0, sizeof *p);
    p->buf = buf;
    p->len = len;
}

void bmx__json_free(struct bmx__json *p)
{
    struct bmx__arena_block *b = p->head;
    while (b != NULL) {
        struct bmx__arena_block *next = b->next;
        free(b);
        b = next;
    }
    p->head = p->cur = NULL;
}

void bmx__json_reset(struct bmx__json *p)
{
    p->cur = p->head;
    if (p->cur != NULL) {
        p->cur->used = 0;
    }
}

void *bmx__json_alloc(struct bmx__json *p, size_t size)
{
    /* Keep every allocation aligned for the nodes (pointers, doubles). */
    size_t need = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (need < size) {
        p->nomem = true;
        return NULL;
    }
    struct bmx__arena_block *b = p->cur;
    while (b != NULL && b->cap - b->used < need) {
        /* Later blocks are leftovers of an earlier, larger value: reuse them. */
        b = b->next;
        if (b != NULL) {
            b->used = 0;
        }
    }
    if (b == NULL) {
        size_t cap = p->cur != NULL ? p->cur->cap * 2 : ARENA_FIRST;
        if (cap < need) {
            cap = need;
        }
        size_t bytes;
        if (!bmx__add_size(sizeof *b, cap, &bytes) || (b = malloc(bytes)) == NULL) {
            p->nomem = true;
            return NULL;
        }
        b->cap = cap;
        b->used = 0;
        if (p->cur == NULL) {
            b->next = NULL;
            p->head = b;
        } else {
            /* Insert after the current block; anything after it stays reusable. */
            b->next = p->cur->next;
            p->cur->next = b;
        }
    }
    p->cur = b;
    void *out = (char *)b->data + b->used;
    b->used += need;
    return out;
}

/* ---- scanning ---- */

bool bmx__json_fail_at(struct bmx__json *p, size_t pos, const char *what)
{
    if (!p->failed && !p->nomem) {
        p->failed = true;
        p->err_pos = pos;
        p->err_what = what;
    }
    return false;
}

static inline bool is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

size_t bmx__json_skip_ws(const struct bmx__json *p, size_t pos)
{
    while (pos < p->len && is_ws(p->buf[pos])) {
        pos++;
    }
    return pos;
}

static bool scan_literal(struct bmx__json *p, size_t *pos, const char *word, size_t n)
{
    if (p->len - *pos < n || memcmp(p->buf + *pos, word, n) != 0) {
        return bmx__json_fail_at(p, *pos, "expected a value");
    }
    *pos += n;
    return true;
}

static struct bmx__jnode *new_node(struct bmx__json *p, enum bmx__jtype type)
{
    struct bmx__jnode *n = bmx__json_alloc(p, sizeof *n);
    if (n != NULL) {
        n->next = NULL;
        n->key = NULL;
        n->n = 0;
        n->type = type;
    }
    return n;
}

static bool parse_array(struct bmx__json *p, size_t *pos, int depth, struct bmx__jnode **out);
static bool parse_object(struct bmx__json *p, size_t *pos, int depth, struct bmx__jnode **out);

bool bmx__json_value(struct bmx__json *p, size_t *pos, int depth, struct bmx__jnode **out)
{
    size_t i = bmx__json_skip_ws(p, *pos);
    if (i >= p->len) {
        return bmx__json_fail_at(p, i, "expected a value");
    }
    struct bmx__jnode *node = NULL;
    bool ok;
    switch (p->buf[i]) {
    case '{':
        ok = parse_object(p, &i, depth, out);
        break;
    case '[':
        ok = parse_array(p, &i, depth, out);
        break;
    case '"':
        if (out != NULL) {
            if ((node = new_node(p, BMX__J_STRING)) == NULL) {
                return false;
            }
            ok = bmx__json_scan_string(p, &i, &node->u.str, &node->n);
            *out = node;
        } else {
            ok = bmx__json_scan_string(p, &i, NULL, NULL);
        }
        break;
    case 't':
    case 'f':
    case 'n': {
        bool t = p->buf[i] == 't', f = p->buf[i] == 'f';
        ok = scan_literal(p, &i, t ? "true" : f ? "false" : "null", t ? 4 : f ? 5 : 4);
        if (ok && out != NULL) {
            if ((node = new_node(p, t ? BMX__J_TRUE : f ? BMX__J_FALSE : BMX__J_NULL)) == NULL) {
                return false;
            }
            *out = node;
        }
        break;
    }
    default:
        if (p->buf[i] != '-' && !bmx__json_is_digit(p->buf[i])) {
            return bmx__json_fail_at(p, i, "expected a value");
        }
        if (out != NULL) {
            if ((node = new_node(p, BMX__J_NUMBER)) == NULL) {
                return false;
            }
            ok = bmx__json_scan_number(p, &i, &node->u.num);
            *out = node;
        } else {
            ok = bmx__json_skip_number(p, &i);
        }
        break;
    }
    if (ok) {
        *pos = i;
    }
    return ok;
}

static bool parse_array(struct bmx__json *p, size_t *pos, int depth, struct bmx__jnode **out)
{
    if (depth >= BMX__JSON_MAX_DEPTH) {
        return bmx__json_fail_at(p, *pos, "nesting deeper than 512");
    }
    struct bmx__jnode *arr = NULL, *tail = NULL;
    if (out != NULL) {
        if ((arr = new_node(p, BMX__J_ARRAY)) == NULL) {
            return false;
        }
        arr->u.child = NULL;
        *out = arr;
    }
    size_t i = bmx__json_skip_ws(p, *pos + 1);
    if (i < p->len && p->buf[i] == ']') {
        *pos = i + 1;
        return true;
    }
    for (;;) {
        struct bmx__jnode *child = NULL;
        while (i < p->len && is_ws(p->buf[i])) {
            i++;
        }
        /* Numbers fill the big arrays (polygons): take them without the detour. */
        if (i < p->len && (bmx__json_is_digit(p->buf[i]) || p->buf[i] == '-')) {
            if (out != NULL) {
                if ((child = new_node(p, BMX__J_NUMBER)) == NULL) {
                    return false;
                }
                if (!bmx__json_scan_number(p, &i, &child->u.num)) {
                    return false;
                }
            } else if (!bmx__json_skip_number(p, &i)) {
                return false;
            }
        } else if (!bmx__json_value(p, &i, depth + 1, out != NULL ? &child : NULL)) {
            return false;
        }
        if (arr != NULL) {
            if (tail == NULL) {
                arr->u.child = child;
            } else {
                tail->next = child;
            }
            tail = child;
            arr->n++;
        }
        while (i < p->len && is_ws(p->buf[i])) {
            i++;
        }
        if (i < p->len && p->buf[i] == ',') {
            i++;
        } else if (i < p->len && p->buf[i] == ']') {
            *pos = i + 1;
            return true;
        } else {
            return bmx__json_fail_at(p, i, "expected ',' or ']'");
        }
    }
}

bool bmx__json_key(struct bmx__json *p, size_t *pos, const char **key)
{
    size_t i = bmx__json_skip_ws(p, *pos);
    if (i >= p->len || p->buf[i] != '"') {
        return bmx__json_fail_at(p, i, "expected a string key");
    }
    size_t n;
    if (!bmx__json_scan_string(p, &i, key, &n)) {
        return false;
    }
    i = bmx__json_skip_ws(p, i);
    if (i >= p->len || p->buf[i] != ':') {
        return bmx__json_fail_at(p, i, "expected ':'");
    }
    *pos = i + 1;
    return true;
}

static bool parse_object(struct bmx__json *p, size_t *pos, int depth, struct bmx__jnode **out)
{
    if (depth >= BMX__JSON_MAX_DEPTH) {
        return bmx__json_fail_at(p, *pos, "nesting deeper than 512");
    }
    struct bmx__jnode *obj = NULL, *tail = NULL;
    if (out != NULL) {
        if ((obj = new_node(p, BMX__J_OBJECT)) == NULL) {
            return false;
        }
        obj->u.child = NULL;
        *out = obj;
    }
    size_t i = bmx__json_skip_ws(p, *pos + 1);
    if (i < p->len && p->buf[i] == '}') {
        *pos = i + 1;
        return true;
    }
    for (;;) {
        const char *key = NULL;
        size_t key_pos = bmx__json_skip_ws(p, i);
        if (!bmx__json_key(p, &i, out != NULL ? &key : NULL)) {
            return false;
        }
        if (obj != NULL && obj->n < 4096 && !p->allow_repeated_keys) {
            /* A repeated key is refused: readers disagree on which one wins. */
            for (const struct bmx__jnode *c = obj->u.child; c != NULL; c = c->next) {
                if (strcmp(c->key, key) == 0) {
                    return bmx__json_fail_at(p, key_pos, "a repeated key");
                }
            }
        }
        struct bmx__jnode *child = NULL;
        if (!bmx__json_value(p, &i, depth + 1, out != NULL ? &child : NULL)) {
            return false;
        }
        if (obj != NULL) {
            child->key = key;
            if (tail == NULL) {
                obj->u.child = child;
            } else {
                tail->next = child;
            }
            tail = child;
            obj->n++;
        }
        while (i < p->len && is_ws(p->buf[i])) {
            i++;
        }
        if (i < p->len && p->buf[i] == ',') {
            i++;
        } else if (i < p->len && p->buf[i] == '}') {
            *pos = i + 1;
            return true;
        } else {
            return bmx__json_fail_at(p, i, "expected ',' or '}'");
        }
    }
}

int bmx__json_begin(struct bmx__json *p, size_t *pos, char open)
{
    size_t i = bmx__json_skip_ws(p, *pos);
    if (i >= p->len || p->buf[i] != open) {
        bmx__json_fail_at(p, i, open == '[' ? "expected '['" : "expected '{'");
        return -1;
    }
    i = bmx__json_skip_ws(p, i + 1);
    if (i < p->len && p->buf[i] == (open == '[' ? ']' : '}')) {
        *pos = i + 1;
        return 0;
    }
    *pos = i;
    return 1;
}

int bmx__json_next(struct bmx__json *p, size_t *pos, char close)
{
    size_t i = bmx__json_skip_ws(p, *pos);
    if (i < p->len && p->buf[i] == ',') {
        *pos = i + 1;
        return 1;
    }
    if (i < p->len && p->buf[i] == close) {
        *pos = i + 1;
        return 0;
    }
    bmx__json_fail_at(p, i, close == ']' ? "expected ',' or ']'" : "expected ',' or '}'");
    return -1;
}

const char *bmx__json_type_name(const struct bmx__jnode *v)
{
    if (v == NULL) {
        return "nothing";
    }
    switch (v->type) {
    case BMX__J_NULL:
        return "null";
    case BMX__J_FALSE:
    case BMX__J_TRUE:
        return "a boolean";
    case BMX__J_NUMBER:
        return "a number";
    case BMX__J_STRING:
        return "a string";
    case BMX__J_ARRAY:
        return "an array";
    case BMX__J_OBJECT:
        return "an object";
    }
    return "an unknown value";
}

const char *bmx__json_type_name_of_text(char first)
{
    switch (first) {
    case '{':
        return "an object";
    case '[':
        return "an array";
    case '"':
        return "a string";
    case 't':
    case 'f':
        return "a boolean";
    case 'n':
        return "null";
    default:
        return "a number";
    }
}

const struct bmx__jnode *bmx__json_get(const struct bmx__jnode *obj, const char *key)
{
    if (obj == NULL || obj->type != BMX__J_OBJECT) {
        return NULL;
    }
    for (const struct bmx__jnode *c = obj->u.child; c != NULL; c = c->next) {
        if (strcmp(c->key, key) == 0) {
            return c;
        }
    }
    return NULL;
}

cJSON *bmx__json_to_cjson(const struct bmx__jnode *v)
{
    cJSON *out = NULL;
    switch (v->type) {
    case BMX__J_NULL:
        return cJSON_CreateNull();
    case BMX__J_FALSE:
        return cJSON_CreateFalse();
    case BMX__J_TRUE:
        return cJSON_CreateTrue();
    case BMX__J_NUMBER:
        return cJSON_CreateNumber(v->u.num);
    case BMX__J_STRING:
        return cJSON_CreateString(v->u.str);
    case BMX__J_ARRAY:
    case BMX__J_OBJECT:
        out = v->type == BMX__J_ARRAY ? cJSON_CreateArray() : cJSON_CreateObject();
        if (out == NULL) {
            return NULL;
        }
        for (const struct bmx__jnode *c = v->u.child; c != NULL; c = c->next) {
            cJSON *item = bmx__json_to_cjson(c);
            bool ok = item != NULL && (v->type == BMX__J_ARRAY ? cJSON_AddItemToArray(out, item)
                                                               : cJSON_AddItemToObject(out, c->key, item));
            if (!ok) {
                cJSON_Delete(item);
                cJSON_Delete(out);
                return NULL;
            }
        }
        return out;
    }
    return NULL;
}
