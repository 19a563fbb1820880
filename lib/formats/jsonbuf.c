/* SPDX-License-Identifier: MIT */
/* The JSON output buffer: a growing (or streaming, hashed, cancellable) text
 * buffer with JSON number, string and value printers, and the streamed write of a
 * whole document into an output folder. */
#include "jsonbuf.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A streaming buffer writes itself out once it holds this much. */
#define BUF_FLUSH_AT ((size_t)4 << 20)

void bmx__buf_free(struct bmx__buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

bool bmx__buf_flush(struct bmx__buf *b)
{
    if (b->failed) {
        return false;
    }
    if (!b->to_fd || b->len == 0) {
        return true;
    }
    if (b->cancel != NULL && *b->cancel) {
        b->io_errno = EINTR;
        b->failed = true;
        return false;
    }
    if (b->hash != NULL) {
        bmx__hash_update(b->hash, b->data, b->len);
    }
    if (b->fd >= 0 && !bmx__write_all(b->fd, b->data, b->len, &b->io_errno)) {
        b->failed = true;
        return false;
    }
    b->flushed += b->len;
    b->len = 0;
    b->data[0] = '\0';
    return true;
}

static bool buf_reserve(struct bmx__buf *b, size_t extra)
{
    size_t need;
    if (b->failed || !bmx__add_size(b->len, extra + 1, &need) || extra + 1 == 0) {
        b->failed = true;
        return false;
    }
    if (need <= b->cap) {
        return true;
    }
    if (b->to_fd && b->len > 0) {
        if (!bmx__buf_flush(b)) {
            return false;
        }
        need = extra + 1;
        if (need <= b->cap) {
            return true;
        }
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

char *bmx__buf_room(struct bmx__buf *b, size_t n)
{
    if (b->to_fd && b->len >= BUF_FLUSH_AT && !bmx__buf_flush(b)) {
        return NULL;
    }
    /* len < cap whenever cap > 0 (the terminator), so this cannot wrap. */
    if (b->cap == 0 || n >= b->cap - b->len) {
        if (!buf_reserve(b, n)) {
            return NULL;
        }
    } else if (b->failed) {
        return NULL;
    }
    return b->data + b->len;
}

void bmx__buf_commit(struct bmx__buf *b, size_t n)
{
    b->len += n;
    b->data[b->len] = '\0';
}

void bmx__buf_put(struct bmx__buf *b, const char *s, size_t n)
{
    char *d = bmx__buf_room(b, n);
    if (d == NULL) {
        return;
    }
    memcpy(d, s, n);
    bmx__buf_commit(b, n);
}

void bmx__buf_puts(struct bmx__buf *b, const char *s)
{
    bmx__buf_put(b, s, strlen(s));
}

void bmx__buf_printf(struct bmx__buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        bmx__buf_put(b, small, (size_t)n);
        return;
    }
    char *d = bmx__buf_room(b, (size_t)n);
    if (d == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void bmx__buf_number(struct bmx__buf *b, double v)
{
    char *d = bmx__buf_room(b, BMX__NUMBER_MAX);
    if (d != NULL) {
        bmx__buf_commit(b, bmx__json_format_number(d, v));
    }
}

void bmx__buf_box(struct bmx__buf *b, struct bmx_box x)
{
    bmx__buf_puts(b, "[");
    bmx__buf_number(b, x.x);
    bmx__buf_puts(b, ",");
    bmx__buf_number(b, x.y);
    bmx__buf_puts(b, ",");
    bmx__buf_number(b, x.w);
    bmx__buf_puts(b, ",");
    bmx__buf_number(b, x.h);
    bmx__buf_puts(b, "]");
}

void bmx__buf_int(struct bmx__buf *b, int64_t v)
{
    char *d = bmx__buf_room(b, 24);
    if (d == NULL) {
        return;
    }
    char rev[24];
    int k = 0;
    /* Negate in unsigned arithmetic: INT64_MIN has no positive counterpart. */
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        rev[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    size_t n = 0;
    if (v < 0) {
        d[n++] = '-';
    }
    while (k > 0) {
        d[n++] = rev[--k];
    }
    bmx__buf_commit(b, n);
}

void bmx__buf_string(struct bmx__buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t len = strlen(s);
    size_t worst;
    /* Worst case every byte becomes \u00XX, plus the quotes. */
    if (!bmx__mul_size(len, 6, &worst) || !bmx__add_size(worst, 2, &worst)) {
        b->failed = true;
        return;
    }
    char *d = bmx__buf_room(b, worst);
    if (d == NULL) {
        return;
    }
    size_t n = 0;
    d[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\') {
            d[n++] = (char)*p;
            continue;
        }
        d[n++] = '\\';
        switch (*p) {
        case '"':
            d[n++] = '"';
            break;
        case '\\':
            d[n++] = '\\';
            break;
        case '\n':
            d[n++] = 'n';
            break;
        case '\r':
            d[n++] = 'r';
            break;
        case '\t':
            d[n++] = 't';
            break;
        default:
            d[n++] = 'u';
            d[n++] = '0';
            d[n++] = '0';
            d[n++] = hex[*p >> 4];
            d[n++] = hex[*p & 15];
        }
    }
    d[n++] = '"';
    bmx__buf_commit(b, n);
}

void bmx__buf_json(struct bmx__buf *b, const cJSON *v)
{
    if (v == NULL || cJSON_IsNull(v)) {
        bmx__buf_puts(b, "null");
    } else if (cJSON_IsFalse(v)) {
        bmx__buf_puts(b, "false");
    } else if (cJSON_IsTrue(v)) {
        bmx__buf_puts(b, "true");
    } else if (cJSON_IsNumber(v)) {
        bmx__buf_number(b, v->valuedouble);
    } else if (cJSON_IsString(v)) {
        bmx__buf_string(b, v->valuestring);
    } else if (cJSON_IsArray(v)) {
        bmx__buf_put(b, "[", 1);
        for (const cJSON *c = v->child; c != NULL; c = c->next) {
            bmx__buf_json(b, c);
            if (c->next != NULL) {
                bmx__buf_put(b, ",", 1);
            }
        }
        bmx__buf_put(b, "]", 1);
    } else if (cJSON_IsObject(v)) {
        bmx__buf_put(b, "{", 1);
        for (const cJSON *c = v->child; c != NULL; c = c->next) {
            bmx__buf_string(b, c->string);
            bmx__buf_put(b, ":", 1);
            bmx__buf_json(b, c);
            if (c->next != NULL) {
                bmx__buf_put(b, ",", 1);
            }
        }
        bmx__buf_put(b, "}", 1);
    } else if (cJSON_IsRaw(v)) {
        bmx__buf_puts(b, v->valuestring);
    } else {
        bmx__buf_puts(b, "null");
    }
}


bmx_status bmx__stream_document(int dir, const char *shown, const char *rel,
                                void (*put)(struct bmx__buf *, void *), void *ctx,
                                volatile const int *cancel, uint64_t *size, uint64_t *hash,
                                bmx_error *err)
{
    struct bmx__outfile f;
    bmx_status st = bmx__outfile_open(&f, dir, shown, rel, err);
    if (st != BMX_OK) {
        return st;
    }
    struct bmx__hash h;
    bmx__hash_init(&h);
    struct bmx__buf b = {.to_fd = true, .fd = f.fd, .hash = &h, .cancel = cancel};
    put(&b, ctx);
    bool ok = !b.failed && bmx__buf_flush(&b);
    if (!ok && b.io_errno == EINTR) {
        st = bmx__fail(err, BMX_E_INTERRUPTED, "%s: interrupted while writing it", f.shown);
    } else if (!ok) {
        st = bmx__fail(err, b.io_errno ? BMX_E_IO : BMX_E_NOMEM, "%s: %s", f.shown,
                       b.io_errno ? strerror(b.io_errno) : "out of memory while writing");
    }
    bmx_status cst = bmx__outfile_close(&f, ok, true, ok ? err : NULL);
    if (size != NULL) {
        *size = b.flushed;
    }
    if (hash != NULL) {
        *hash = bmx__hash_final(&h);
    }
    bmx__buf_free(&b);
    return st != BMX_OK ? st : cst;
}
