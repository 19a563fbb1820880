/* SPDX-License-Identifier: MIT */
/* YOLO label rows: one file's "cls x y ..." lines into classes and normalised
 * coordinates, with Ultralytics' rules (a file with any row of more than five
 * coordinates is a segmentation file) and boxmix's (the 1% clamp, every other
 * problem an error naming file and line). The reader stops at the first error;
 * the checker goes on and gets every problem through the sink. */
#include "yolo.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Coordinates this far outside [0, 1] are clamped onto the edge. */
#define CLAMP_TOLERANCE 0.01
/* A token longer than this is not a number anyone writes. */
#define MAX_TOKEN 64

void bmx__yolo_rows_free(struct bmx__yolo_rows *rows)
{
    if (rows == NULL) {
        return;
    }
    free(rows->rows);
    free(rows->values);
    memset(rows, 0, sizeof *rows);
}

struct parser {
    const char *name;
    bmx__yolo_sink sink;
    void *ctx;
    bmx_error *err;
    bmx_status first; /* the first error's status */
    bool keep_going;
    size_t errors;
};

/* Report a problem; an error's message goes into `err` when it is the first. */
static void problem(struct parser *p, unsigned long line, bool error, bmx_status st,
                    const char *code, const char *fmt, ...) BMX__PRINTF(6, 7);

static void problem(struct parser *p, unsigned long line, bool error, bmx_status st,
                    const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->sink != NULL) {
        struct bmx__yolo_problem pr = {p->name, line, code, msg, error};
        p->sink(p->ctx, &pr);
    }
    if (error) {
        if (p->first == BMX_OK) {
            p->first = st;
            bmx__fail(p->err, st, "%s:%lu: %s", p->name, line, msg);
        }
        p->errors++;
    }
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* The tokens of one line: [start, end) pairs. */
struct tokens {
    const char **s;
    size_t *len;
    size_t n, cap;
};

static bool split_line(const char *line, size_t n, struct tokens *t)
{
    t->n = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && is_blank(line[i])) {
            i++;
        }
        if (i >= n) {
            break;
        }
        size_t start = i;
        while (i < n && !is_blank(line[i])) {
            i++;
        }
        if (t->n == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 64;
            const char **s = bmx__realloc_array(t->s, cap, sizeof *s);
            if (s == NULL) {
                return false;
            }
            t->s = s;
            size_t *l = bmx__realloc_array(t->len, cap, sizeof *l);
            if (l == NULL) {
                return false;
            }
            t->len = l;
            t->cap = cap;
        }
        t->s[t->n] = line + start;
        t->len[t->n] = i - start;
        t->n++;
    }
    return true;
}

/* A decimal number as Python's float() reads one (no hex, no inf, no nan). */
static bool parse_number(const char *s, size_t n, double *out)
{
    char tmp[MAX_TOKEN + 1];
    if (n == 0 || n > MAX_TOKEN) {
        return false;
    }
    bool digit = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            digit = true;
        } else if (c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E') {
            return false;
        }
    }
    if (!digit) {
        return false;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end = NULL;
    double v = strtod(tmp, &end);
    if (end != tmp + n || !isfinite(v)) {
        return false;
    }
    *out = v;
    return true;
}

/* The token shown in a message, cut and with control bytes replaced. */
static void show_token(char *buf, size_t cap, const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 4 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[k++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    if (n > 0 && k + 4 >= cap) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k] = '\0';
}

/* Duplicate rows: a set of (class, coordinates) hashed. */
struct dupset {
    size_t *slot; /* row index + 1, 0: empty */
    size_t cap;
};

static uint64_t row_hash(int64_t cls, const double *v, size_t n)
{
    struct bmx__hash h;
    bmx__hash_init(&h);
    bmx__hash_update(&h, &cls, sizeof cls);
    bmx__hash_update(&h, &n, sizeof n);
    bmx__hash_update(&h, v, n * sizeof *v);
    return bmx__hash_final(&h);
}

static bool same_row(const struct bmx__yolo_row *a, int64_t cls, const double *v, size_t n)
{
    return a->cls == cls && a->n == n && memcmp(a->v, v, n * sizeof *v) == 0;
}

/* Whether the row is already in the set; else insert it as row `idx`. */
static bool dup_seen(struct dupset *d, const struct bmx__yolo_rows *rows, int64_t cls,
                     const double *v, size_t n, size_t idx)
{
    size_t mask = d->cap - 1;
    for (size_t i = (size_t)row_hash(cls, v, n) & mask;; i = (i + 1) & mask) {
        if (d->slot[i] == 0) {
            d->slot[i] = idx + 1;
            return false;
        }
        if (same_row(&rows->rows[d->slot[i] - 1], cls, v, n)) {
            return true;
        }
    }
}

/* The signed shoelace sum of normalised points (twice the area). */
static double shoelace(const double *v, size_t n)
{
    double s = 0;
    size_t pts = n / 2;
    for (size_t i = 0; i < pts; i++) {
        size_t j = (i + 1) % pts;
        s += v[2 * i] * v[2 * j + 1] - v[2 * j] * v[2 * i + 1];
    }
    return s;
}

static const char *coord_name(bool segment, size_t i, char *buf, size_t cap)
{
    static const char *const box[] = {"cx", "cy", "w", "h"};
    if (!segment) {
        return box[i];
    }
    snprintf(buf, cap, "%c%zu", i % 2 == 0 ? 'x' : 'y', i / 2 + 1);
    return buf;
}

bmx_status bmx__yolo_parse_rows(const char *buf, size_t len, const char *name, size_t nc,
                                uint64_t max_rows, uint64_t max_points, bool keep_going,
                                bmx__yolo_sink sink, void *ctx, struct bmx__yolo_rows *out,
                                bmx_error *err)
{
    struct parser p = {name, sink, ctx, err, BMX_OK, keep_going, 0};
    struct tokens t = {0};
    struct dupset d = {0};
    size_t n_values = 0, n_lines = 0;
    bmx_status st = BMX_OK;
    memset(out, 0, sizeof *out);
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    /* First pass: the file's kind (any row of more than five coordinates makes it a
     * segmentation file, as in Ultralytics) and how much to hold. */
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl != NULL ? (size_t)(nl - buf) : len;
        if (!split_line(buf + i, end - i, &t)) {
            st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", name);
            goto done;
        }
        if (t.n > 0) {
            n_lines++;
            n_values += t.n - 1;
            if (t.n > 6) {
                out->segment = true;
            }
        }
        i = end + 1;
    }
    out->rows = calloc(n_lines ? n_lines : 1, sizeof *out->rows);
    out->values = calloc(n_values ? n_values : 1, sizeof *out->values);
    size_t cap = 16;
    while (cap < 2 * n_lines) {
        cap *= 2;
    }
    d.cap = cap;
    d.slot = calloc(cap, sizeof *d.slot);
    if (out->rows == NULL || out->values == NULL || d.slot == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", name);
        goto done;
    }
    size_t used = 0;
    unsigned long line = 0;
    for (size_t i = 0; i < len && (p.first == BMX_OK || keep_going);) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl != NULL ? (size_t)(nl - buf) : len;
        line++;
        if (!split_line(buf + i, end - i, &t)) {
            st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", name);
            goto done;
        }
        i = end + 1;
        if (t.n == 0) {
            continue;
        }
        char shown[MAX_TOKEN + 8], cname[32];
        size_t before = p.errors;
        double c;
        int64_t cls = 0;
        if (!parse_number(t.s[0], t.len[0], &c) || c != floor(c) || c < 0) {
            show_token(shown, sizeof shown, t.s[0], t.len[0]);
            problem(&p, line, true, BMX_E_SCHEMA, "yolo-class",
                    "class '%s' is not a whole number >= 0", shown);
            continue;
        }
        if (c >= (double)nc) {
            problem(&p, line, true, BMX_E_SCHEMA, "yolo-class-range",
                    "class %.0f is not below nc=%zu", c, nc);
            continue;
        }
        cls = (int64_t)c;
        size_t n = t.n - 1;
        if (n % 2 != 0) {
            problem(&p, line, true, BMX_E_SCHEMA, "yolo-odd-count",
                    "odd count: %zu coordinates after the class (x y pairs expected)", n);
            continue;
        }
        if (!out->segment && n != 4) {
            problem(&p, line, true, BMX_E_SCHEMA, "yolo-row-length",
                    "expected 4 coordinates (cx cy w h), got %zu", n);
            continue;
        }
        if (out->segment && n < 6) {
            problem(&p, line, true, BMX_E_SCHEMA, "yolo-few-points",
                    "a polygon needs at least 3 points, got %zu (a file with any row of more "
                    "than five coordinates is a segmentation file: every row is a polygon)",
                    n / 2);
            continue;
        }
        if (max_points > 0 && n / 2 > max_points) {
            problem(&p, line, true, BMX_E_LIMIT, "yolo-limit",
                    "%zu points exceed the limit of %" PRIu64 " polygon vertices", n / 2,
                    max_points);
            continue;
        }
        double *v = out->values + used;
        size_t clamped = 0;
        for (size_t k = 0; k < n; k++) {
            const char *s = t.s[k + 1];
            size_t sl = t.len[k + 1];
            if (!parse_number(s, sl, &v[k])) {
                show_token(shown, sizeof shown, s, sl);
                problem(&p, line, true, BMX_E_SCHEMA, "yolo-not-number", "%s '%s' is not a number",
                        coord_name(out->segment, k, cname, sizeof cname), shown);
                break;
            }
            if (v[k] < -CLAMP_TOLERANCE || v[k] > 1 + CLAMP_TOLERANCE) {
                problem(&p, line, true, BMX_E_SCHEMA, "yolo-outside",
                        "%s %g is outside [0, 1] by more than 1%%",
                        coord_name(out->segment, k, cname, sizeof cname), v[k]);
                break;
            }
            if (v[k] < 0 || v[k] > 1) {
                v[k] = v[k] < 0 ? 0 : 1;
                clamped++;
            }
            if (v[k] == 0) {
                v[k] = 0; /* no -0: duplicates compare bytes */
            }
        }
        if (p.errors != before) {
            continue;
        }
        if (!out->segment && (v[2] <= 0 || v[3] <= 0)) {
            problem(&p, line, true, BMX_E_SCHEMA, "yolo-no-area",
                    "the box has no area (w %g, h %g)", v[2], v[3]);
            continue;
        }
        if (out->segment && shoelace(v, n) == 0) {
            problem(&p, line, true, BMX_E_SCHEMA, "yolo-no-area", "the polygon has no area");
            continue;
        }
        if (clamped > 0) {
            out->clamped += clamped;
            problem(&p, line, false, BMX_OK, "yolo-clamped",
                    "%zu coordinate%s within 1%% outside [0, 1] clamped onto the edge", clamped,
                    clamped == 1 ? "" : "s");
        }
        if (dup_seen(&d, out, cls, v, n, out->n)) {
            out->duplicates++;
            problem(&p, line, false, BMX_OK, "yolo-duplicate",
                    "the same row as an earlier one: dropped");
            continue;
        }
        if (max_rows > 0 && out->n + 1 > max_rows) {
            problem(&p, line, true, BMX_E_LIMIT, "yolo-limit",
                    "more than %" PRIu64 " objects in one image", max_rows);
            break;
        }
        out->rows[out->n++] = (struct bmx__yolo_row){cls, line, n, v};
        used += n;
    }
    st = p.first;
done:
    free(t.s);
    free(t.len);
    free(d.slot);
    return st;
}
