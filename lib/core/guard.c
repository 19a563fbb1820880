/* SPDX-License-Identifier: MIT */
/* The input guard: every path a tool will write, resolved and compared with every
 * path it reads, before anything is written. */
#include "guard.h"

#include <stdlib.h>
#include <string.h>

/* Whether resolved path `a` is `b` or lies below it. */
static bool is_under(const char *a, const char *b)
{
    size_t n = strlen(b);
    if (n == 1 && b[0] == '/') {
        return true;
    }
    return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

static bmx_status guard_add(struct bmx__guard_entry **list, size_t *n, const char *path, bool tree,
                            const char *what, bmx_error *err)
{
    struct bmx__guard_entry *l = bmx__realloc_array(*list, *n + 1, sizeof *l);
    if (l == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    *list = l;
    char *r = bmx__resolve_path(path);
    if (r == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "%s: cannot resolve the path", path);
    }
    char *given = strdup(path);
    if (given == NULL) {
        free(r);
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    l[*n] = (struct bmx__guard_entry){r, given, what, tree};
    (*n)++;
    return BMX_OK;
}

bmx_status bmx__guard_input(struct bmx__guard *g, const char *path, bool tree, const char *what,
                            bmx_error *err)
{
    return path == NULL ? BMX_OK : guard_add(&g->in, &g->n_in, path, tree, what, err);
}

/* Why output `o` may not be written next to `x`, or NULL when they are apart. */
static const char *clash(const struct bmx__guard_entry *o, const struct bmx__guard_entry *x)
{
    bool same = strcmp(o->resolved, x->resolved) == 0;
    if (same) {
        return "is";
    }
    if (x->tree && is_under(o->resolved, x->resolved)) {
        return "lies inside";
    }
    if (o->tree && is_under(x->resolved, o->resolved)) {
        return "holds";
    }
    return NULL;
}

/* Refuse output `o` when it clashes with an input. */
static bmx_status against_inputs(const struct bmx__guard *g, const struct bmx__guard_entry *o,
                                 bmx_error *err)
{
    for (size_t i = 0; i < g->n_in; i++) {
        const char *how = clash(o, &g->in[i]);
        if (how != NULL) {
            return bmx__fail(err, BMX_E_INVALID,
                             "%s: %s %s %s (%s): boxmix never writes its inputs, even with --force",
                             o->given, o->what, how, g->in[i].what, g->in[i].given);
        }
    }
    return BMX_OK;
}

bmx_status bmx__guard_output(struct bmx__guard *g, const char *path, bool tree, const char *what,
                             bmx_error *err)
{
    if (path == NULL) {
        return BMX_OK;
    }
    bmx_status st = guard_add(&g->out, &g->n_out, path, tree, what, err);
    if (st != BMX_OK) {
        return st;
    }
    const struct bmx__guard_entry *o = &g->out[g->n_out - 1];
    st = against_inputs(g, o, err);
    for (size_t i = 0; st == BMX_OK && i + 1 < g->n_out; i++) {
        const char *how = clash(o, &g->out[i]);
        if (how != NULL) {
            st = bmx__fail(err, BMX_E_INVALID, "%s: %s %s %s (%s)", path, what, how,
                           g->out[i].what, g->out[i].given);
        }
    }
    return st;
}

bmx_status bmx__guard_check(const struct bmx__guard *g, const char *path, const char *what,
                            bmx_error *err)
{
    struct bmx__guard_entry o = {bmx__resolve_path(path), (char *)path, what, false};
    if (o.resolved == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "%s: cannot resolve the path", path);
    }
    bmx_status st = against_inputs(g, &o, err);
    free(o.resolved);
    return st;
}

void bmx__guard_free(struct bmx__guard *g)
{
    for (size_t i = 0; i < g->n_in; i++) {
        free(g->in[i].resolved);
        free(g->in[i].given);
    }
    for (size_t i = 0; i < g->n_out; i++) {
        free(g->out[i].resolved);
        free(g->out[i].given);
    }
    free(g->in);
    free(g->out);
    memset(g, 0, sizeof *g);
}
