/* SPDX-License-Identifier: MIT */
/* Places in a JSON text: the line and column of a byte offset, the parser's failure
 * as a message, and the path ("annotations[3].bbox[1]") of the value holding an
 * offset. */
#include "json.h"

#include <stdio.h>
#include <string.h>

void bmx__json_line_col(const char *buf, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, start = 0;
    const char *q = buf;
    const char *end = buf + off;
    while (q < end) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        if (nl == NULL) {
            break;
        }
        l++;
        start = (size_t)(nl - buf) + 1;
        q = nl + 1;
    }
    *line = l;
    *col = off - start + 1;
}

bmx_status bmx__json_fail(const struct bmx__json *p, const char *name, bmx_error *err)
{
    if (p->nomem || !p->failed) {
        return bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", name);
    }
    size_t line, col;
    bmx__json_line_col(p->buf, p->err_pos > p->len ? p->len : p->err_pos, &line, &col);
    return bmx__fail(err, BMX_E_PARSE, "%s: line %zu, column %zu: not valid JSON (%s)", name, line,
                     col, p->err_what);
}

/* Append ".key" (or "key" first) or "[index]" to the path, truncating. */
static void path_append(char *path, size_t cap, size_t *len, const char *key, size_t index)
{
    int n;
    if (key != NULL) {
        n = snprintf(path + *len, cap - *len, "%s%s", *len ? "." : "", key);
    } else {
        n = snprintf(path + *len, cap - *len, "[%zu]", index);
    }
    size_t nl = *len + (n > 0 ? (size_t)n : 0);
    *len = nl >= cap ? cap - 1 : nl;
}

void bmx__json_path_at(struct bmx__json *p, size_t start, size_t target, char *path, size_t cap)
{
    size_t len = 0;
    if (cap == 0) {
        return;
    }
    path[0] = '\0';
    size_t pos = bmx__json_skip_ws(p, start);
    for (int depth = 0; pos < p->len; depth++) {
        char c = p->buf[pos];
        if (c != '[' && c != '{') {
            return;
        }
        size_t i = pos;
        size_t index = 0;
        bool found = false;
        int more = bmx__json_begin(p, &i, c);
        while (more == 1) {
            const char *key = NULL;
            if (c == '{' && !bmx__json_key(p, &i, &key)) {
                return;
            }
            size_t vstart = bmx__json_skip_ws(p, i);
            size_t vend = vstart;
            if (!bmx__json_value(p, &vend, depth + 1, NULL)) {
                return;
            }
            if (target >= vstart && target < vend) {
                if (c == '{') {
                    path_append(path, cap, &len, key, 0);
                } else {
                    path_append(path, cap, &len, NULL, index);
                }
                pos = vstart;
                found = true;
                break;
            }
            i = vend;
            index++;
            more = bmx__json_next(p, &i, c == '[' ? ']' : '}');
        }
        if (!found) {
            return;
        }
    }
}
