/* SPDX-License-Identifier: MIT */
/* data.yaml, read with libyaml's event parser into a small bounded tree (no
 * anchor, no alias: a "billion laughs" document is refused, not expanded), then
 * the keys Ultralytics reads: path, train, val, test, names (a list or a map
 * {0: name}), nc. */
#include "yolo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *const bmx__yolo_split_names[3] = {"train", "val", "test"};

enum kind { K_SCALAR, K_SEQ, K_MAP };

struct node {
    enum kind kind;
    char *value;  /* scalar */
    bool plain;   /* scalar written without quotes */
    unsigned long line;
    struct node **kids; /* seq: items; map: key, value, key, value, ... */
    size_t n, cap;
};

static void node_free(struct node *nd)
{
    if (nd == NULL) {
        return;
    }
    for (size_t i = 0; i < nd->n; i++) {
        node_free(nd->kids[i]);
    }
    free(nd->kids);
    free(nd->value);
    free(nd);
}

static bool node_add(struct node *parent, struct node *kid)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        struct node **k = bmx__realloc_array(parent->kids, cap, sizeof *k);
        if (k == NULL) {
            return false;
        }
        parent->kids = k;
        parent->cap = cap;
    }
    parent->kids[parent->n++] = kid;
    return true;
}

struct reader {
    const char *name;
    bmx__yolo_sink sink;
    void *ctx;
    bmx_error *err;
};

static bmx_status fail(struct reader *r, bmx_status st, const char *code, unsigned long line,
                       const char *fmt, ...) BMX__PRINTF(5, 6);

static bmx_status fail(struct reader *r, bmx_status st, const char *code, unsigned long line,
                       const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return bmx__yolo_fail(r->name, line, code, msg, r->sink, r->ctx, st, r->err);
}

/* The first document of the stream as a tree. */
static bmx_status load_tree(struct reader *r, const char *buf, size_t len, struct node **out)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    struct node *stack[BMX__YOLO_YAML_MAX_DEPTH + 1];
    size_t depth = 0, nodes = 0;
    struct node *root = NULL;
    bmx_status st = BMX_OK;
    bool done = false;
    *out = NULL;
    if (!yaml_parser_initialize(&parser)) {
        return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    while (!done && st == BMX_OK) {
        if (!yaml_parser_parse(&parser, &ev)) {
            st = fail(r, BMX_E_PARSE, "yolo-yaml-syntax",
                      (unsigned long)parser.problem_mark.line + 1, "not valid YAML: %s",
                      parser.problem != NULL ? parser.problem : "syntax error");
            break;
        }
        unsigned long line = (unsigned long)ev.start_mark.line + 1;
        const yaml_char_t *anchor = NULL;
        struct node *nd = NULL;
        switch (ev.type) {
        case YAML_ALIAS_EVENT:
            st = fail(r, BMX_E_SCHEMA, "yolo-yaml-alias", line,
                      "aliases (*name) are not accepted in a data.yaml");
            break;
        case YAML_DOCUMENT_END_EVENT:
        case YAML_STREAM_END_EVENT:
            done = true; /* later documents are not read */
            break;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            anchor = ev.type == YAML_SCALAR_EVENT           ? ev.data.scalar.anchor
                     : ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
                                                             : ev.data.mapping_start.anchor;
            if (anchor != NULL) {
                st = fail(r, BMX_E_SCHEMA, "yolo-yaml-alias", line,
                          "anchors (&name) are not accepted in a data.yaml");
                break;
            }
            if (++nodes > BMX__YOLO_YAML_MAX_NODES) {
                st = fail(r, BMX_E_LIMIT, "yolo-yaml-limit", line, "more than %d YAML nodes",
                          BMX__YOLO_YAML_MAX_NODES);
                break;
            }
            nd = calloc(1, sizeof *nd);
            if (nd == NULL) {
                st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
                break;
            }
            nd->line = line;
            if (ev.type == YAML_SCALAR_EVENT) {
                nd->kind = K_SCALAR;
                nd->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                nd->value = malloc(ev.data.scalar.length + 1);
                if (nd->value != NULL) {
                    memcpy(nd->value, ev.data.scalar.value, ev.data.scalar.length);
                    nd->value[ev.data.scalar.length] = '\0';
                    if (strlen(nd->value) != ev.data.scalar.length) {
                        node_free(nd);
                        st = fail(r, BMX_E_SCHEMA, "yolo-yaml-syntax", line,
                                  "a NUL character in a value");
                        break;
                    }
                }
            } else {
                nd->kind = ev.type == YAML_SEQUENCE_START_EVENT ? K_SEQ : K_MAP;
            }
            if (ev.type == YAML_SCALAR_EVENT && nd->value == NULL) {
                node_free(nd);
                st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
                break;
            }
            if (depth == 0) {
                if (root != NULL) {
                    node_free(nd);
                    done = true;
                    break;
                }
                root = nd;
            } else if (!node_add(stack[depth - 1], nd)) {
                node_free(nd);
                st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
                break;
            }
            if (nd->kind != K_SCALAR) {
                if (depth == BMX__YOLO_YAML_MAX_DEPTH) {
                    st = fail(r, BMX_E_LIMIT, "yolo-yaml-limit", line,
                              "nested deeper than %d levels", BMX__YOLO_YAML_MAX_DEPTH);
                    break;
                }
                stack[depth++] = nd;
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0) {
                depth--;
            }
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    if (st != BMX_OK) {
        node_free(root);
        return st;
    }
    *out = root;
    return BMX_OK;
}

static bool is_null(const struct node *nd)
{
    return nd->kind == K_SCALAR && nd->plain &&
           (nd->value[0] == '\0' || strcmp(nd->value, "~") == 0 || strcmp(nd->value, "null") == 0 ||
            strcmp(nd->value, "Null") == 0 || strcmp(nd->value, "NULL") == 0);
}

/* A plain scalar spelling a whole number (decimal). */
static bool as_int(const struct node *nd, long long *out)
{
    if (nd->kind != K_SCALAR || !nd->plain || nd->value[0] == '\0') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(nd->value, &end, 10);
    if (errno != 0 || *end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

static const char *kind_name(const struct node *nd)
{
    return nd->kind == K_SCALAR ? "a scalar" : nd->kind == K_SEQ ? "a list" : "a mapping";
}

/* A split: a path, or a list of paths. */
static bmx_status read_split(struct reader *r, const char *key, const struct node *v,
                             struct bmx__strlist *out)
{
    if (is_null(v)) {
        return BMX_OK;
    }
    if (v->kind == K_SCALAR) {
        return bmx__strlist_push(out, strdup(v->value))
                   ? BMX_OK
                   : bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
    }
    if (v->kind != K_SEQ) {
        return fail(r, BMX_E_SCHEMA, "yolo-yaml-type", v->line,
                    "%s: expected a path or a list of paths, got %s", key, kind_name(v));
    }
    for (size_t i = 0; i < v->n; i++) {
        const struct node *it = v->kids[i];
        if (it->kind != K_SCALAR || is_null(it)) {
            return fail(r, BMX_E_SCHEMA, "yolo-yaml-type", it->line,
                        "%s[%zu]: expected a path, got %s", key, i,
                        is_null(it) ? "nothing" : kind_name(it));
        }
        if (!bmx__strlist_push(out, strdup(it->value))) {
            return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
        }
    }
    return BMX_OK;
}

static bmx_status read_names(struct reader *r, const struct node *v, struct bmx__yolo_yaml *y)
{
    if (v->kind == K_SEQ) {
        for (size_t i = 0; i < v->n; i++) {
            const struct node *it = v->kids[i];
            if (it->kind != K_SCALAR || is_null(it)) {
                return fail(r, BMX_E_SCHEMA, "yolo-names", it->line,
                            "names[%zu]: expected a name, got %s", i,
                            is_null(it) ? "nothing" : kind_name(it));
            }
            if (!bmx__strlist_push(&y->names, strdup(it->value))) {
                return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
            }
        }
    } else if (v->kind == K_MAP) {
        size_t n = v->n / 2;
        char **slot = calloc(n ? n : 1, sizeof *slot);
        if (slot == NULL) {
            return bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
        }
        bmx_status st = BMX_OK;
        for (size_t i = 0; i < n && st == BMX_OK; i++) {
            const struct node *k = v->kids[2 * i], *val = v->kids[2 * i + 1];
            long long c;
            if (!as_int(k, &c) || c < 0 || (unsigned long long)c >= n) {
                st = fail(r, BMX_E_SCHEMA, "yolo-names", k->line,
                          "names: key '%.80s' is not a class number 0..%zu (a map's keys are "
                          "the classes 0..n-1)",
                          k->kind == K_SCALAR ? k->value : kind_name(k), n - 1);
            } else if (slot[c] != NULL) {
                st = fail(r, BMX_E_SCHEMA, "yolo-names", k->line,
                          "names: class %lld given twice", c);
            } else if (val->kind != K_SCALAR || is_null(val)) {
                st = fail(r, BMX_E_SCHEMA, "yolo-names", val->line,
                          "names[%lld]: expected a name, got %s", c,
                          is_null(val) ? "nothing" : kind_name(val));
            } else if ((slot[c] = strdup(val->value)) == NULL) {
                st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
            }
        }
        for (size_t i = 0; i < n; i++) {
            if (st == BMX_OK && !bmx__strlist_push(&y->names, slot[i])) {
                st = bmx__fail(r->err, BMX_E_NOMEM, "%s: out of memory", r->name);
            } else if (st != BMX_OK) {
                free(slot[i]);
            }
        }
        free(slot);
        if (st != BMX_OK) {
            return st;
        }
    } else {
        return fail(r, BMX_E_SCHEMA, "yolo-names", v->line,
                    "names: expected a list or a map {0: name}, got %s", kind_name(v));
    }
    if (y->names.n == 0) {
        return fail(r, BMX_E_SCHEMA, "yolo-names", v->line, "names: no class name");
    }
    y->has_names = true;
    return BMX_OK;
}

void bmx__yolo_yaml_free(struct bmx__yolo_yaml *y)
{
    if (y == NULL) {
        return;
    }
    free(y->path);
    for (size_t i = 0; i < 3; i++) {
        bmx__strlist_free(&y->split[i]);
    }
    bmx__strlist_free(&y->names);
    memset(y, 0, sizeof *y);
}

bmx_status bmx__yolo_yaml_parse(const char *buf, size_t len, const char *name,
                                bmx__yolo_sink sink, void *ctx, struct bmx__yolo_yaml *out,
                                bmx_error *err)
{
    struct reader r = {name, sink, ctx, err};
    struct node *root = NULL;
    bmx_status st = BMX_OK;
    memset(out, 0, sizeof *out);
    out->nc = -1;
    if (len > BMX__YOLO_YAML_MAX_BYTES) {
        return fail(&r, BMX_E_LIMIT, "yolo-yaml-limit", 0, "%zu bytes: a data.yaml may hold %zu",
                    len, BMX__YOLO_YAML_MAX_BYTES);
    }
    st = load_tree(&r, buf, len, &root);
    if (st != BMX_OK) {
        return st;
    }
    if (root == NULL || root->kind != K_MAP) {
        st = fail(&r, BMX_E_SCHEMA, "yolo-yaml-type", root != NULL ? root->line : 0,
                  "expected a mapping (path:, train:, val:, names: ...), got %s",
                  root == NULL ? "an empty document" : kind_name(root));
        goto done;
    }
    const struct node *names = NULL, *nc = NULL;
    unsigned long seen[6] = {0};
    for (size_t i = 0; i + 1 < root->n && st == BMX_OK; i += 2) {
        const struct node *k = root->kids[i], *v = root->kids[i + 1];
        if (k->kind != K_SCALAR) {
            continue;
        }
        /* A key Ultralytics reads, given twice, would be ambiguous. */
        static const char *const known[] = {"path", "train", "val", "test", "names", "nc"};
        for (size_t j = 0; j < sizeof known / sizeof known[0]; j++) {
            if (strcmp(k->value, known[j]) != 0) {
                continue;
            }
            if (seen[j] != 0) {
                st = fail(&r, BMX_E_SCHEMA, "yolo-yaml-duplicate-key", k->line,
                          "key '%s' given twice (also line %lu)", known[j], seen[j]);
                goto done;
            }
            seen[j] = k->line;
        }
        if (strcmp(k->value, "path") == 0) {
            if (is_null(v)) {
                continue;
            }
            if (v->kind != K_SCALAR) {
                st = fail(&r, BMX_E_SCHEMA, "yolo-yaml-type", v->line,
                          "path: expected a folder, got %s", kind_name(v));
            } else if ((out->path = strdup(v->value)) == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", name);
            }
        } else if (strcmp(k->value, "names") == 0) {
            names = v;
        } else if (strcmp(k->value, "nc") == 0) {
            nc = v;
        } else {
            for (size_t s = 0; s < 3; s++) {
                if (strcmp(k->value, bmx__yolo_split_names[s]) == 0) {
                    out->split_line[s] = k->line;
                    st = read_split(&r, k->value, v, &out->split[s]);
                }
            }
        }
    }
    if (st != BMX_OK) {
        goto done;
    }
    if (names == NULL || is_null(names)) {
        st = fail(&r, BMX_E_SCHEMA, "yolo-names-missing", names != NULL ? names->line : 0,
                  "names: missing (the class names, a list or a map {0: name})");
        goto done;
    }
    st = read_names(&r, names, out);
    if (st == BMX_OK && nc != NULL && !is_null(nc)) {
        long long v;
        if (!as_int(nc, &v) || v < 0) {
            st = fail(&r, BMX_E_SCHEMA, "yolo-nc", nc->line, "nc: '%.80s' is not a count",
                      nc->kind == K_SCALAR ? nc->value : kind_name(nc));
        } else if ((unsigned long long)v != out->names.n) {
            st = fail(&r, BMX_E_SCHEMA, "yolo-nc", nc->line,
                      "nc: %lld, but names has %zu classes", v, out->names.n);
        } else {
            out->nc = v;
        }
    }
done:
    node_free(root);
    if (st != BMX_OK) {
        bmx__yolo_yaml_free(out);
        out->nc = -1;
    }
    return st;
}
