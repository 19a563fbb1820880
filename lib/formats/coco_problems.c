/* SPDX-License-Identifier: MIT */
/* The rules' problems: the JSON path they are at ("annotations[3].bbox",
 * `["odd key"]` for a key that is no identifier), pushed and popped as the rules
 * walk a record, and each problem handed to the sink, its message formatted only
 * when the sink is to see it. */
#include "coco_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool is_ident(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) {
        return false;
    }
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_')) {
            return false;
        }
    }
    return true;
}

void bmx__path_append(struct bmx__problems *pr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(pr->path + pr->plen, sizeof pr->path - pr->plen, fmt, ap);
    va_end(ap);
    if (n > 0) {
        pr->plen += (size_t)n;
        if (pr->plen >= sizeof pr->path) {
            pr->plen = sizeof pr->path - 1;
        }
    }
}

size_t bmx__path_key(struct bmx__problems *pr, const char *key)
{
    size_t old = pr->plen;
    if (is_ident(key)) {
        size_t n = strlen(key);
        if (pr->plen + n + 2 > sizeof pr->path) {
            return old;
        }
        if (pr->plen > 0) {
            pr->path[pr->plen++] = '.';
        }
        memcpy(pr->path + pr->plen, key, n + 1);
        pr->plen += n;
        return old;
    }
    bmx__path_append(pr, "[\"");
    for (const unsigned char *s = (const unsigned char *)key; *s; s++) {
        if (*s == '"' || *s == '\\') {
            bmx__path_append(pr, "\\%c", *s);
        } else if (*s < 0x20) {
            bmx__path_append(pr, "\\u%04x", *s);
        } else {
            bmx__path_append(pr, "%c", *s);
        }
    }
    bmx__path_append(pr, "\"]");
    return old;
}

size_t bmx__path_index(struct bmx__problems *pr, size_t i)
{
    size_t old = pr->plen;
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + i % 10);
        i /= 10;
    } while (i > 0);
    if (pr->plen + n + 3 > sizeof pr->path) {
        return old; /* a path this long is cut, never overrun */
    }
    pr->path[pr->plen++] = '[';
    while (n > 0) {
        pr->path[pr->plen++] = digits[--n];
    }
    pr->path[pr->plen++] = ']';
    pr->path[pr->plen] = '\0';
    return old;
}

void bmx__path_pop(struct bmx__problems *pr, size_t len)
{
    pr->plen = len;
    pr->path[len] = '\0';
}

void bmx__problem(struct bmx__problems *pr, enum bmx__level level, const char *code,
                  const char *fmt, ...)
{
    if (!pr->all && level != BMX__REFUSE) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pr->msg, sizeof pr->msg, fmt, ap);
    va_end(ap);
    struct bmx__rule_problem p = {
        .level = level,
        .late = pr->late,
        .deferred = pr->deferred,
        .keypoints = pr->keypoints,
        .limit = pr->limit,
        .status = pr->status != BMX_OK ? pr->status : BMX_E_SCHEMA,
        .code = code,
        .path = pr->plen ? pr->path : pr->doc_path,
        .message = pr->msg,
    };
    if (!pr->sink(pr->ctx, &p)) {
        pr->stop = true;
    }
}
