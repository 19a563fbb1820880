/* SPDX-License-Identifier: MIT */
/* Status strings, error records, checked allocation. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *bmx_strerror(bmx_status status)
{
    switch (status) {
    case BMX_OK:
        return "success";
    case BMX_E_INVALID:
        return "invalid argument";
    case BMX_E_NOMEM:
        return "out of memory";
    case BMX_E_IO:
        return "input/output error";
    case BMX_E_PARSE:
        return "malformed input";
    case BMX_E_SCHEMA:
        return "invalid content";
    case BMX_E_OVERFLOW:
        return "size overflow";
    case BMX_E_LIMIT:
        return "limit exceeded";
    case BMX_E_DECODE:
        return "image decode error";
    case BMX_E_ENCODE:
        return "image encode error";
    case BMX_E_STATE:
        return "invalid state";
    case BMX_E_INTERRUPTED:
        return "interrupted";
    }
    return "unknown status";
}

const char *bmx_version(void)
{
    return BMX_VERSION_STRING;
}

/* How much of a message too long for the record is kept from its start; the rest
 * comes from its end, where the reason is. */
#define KEEP_HEAD 240

/* `text` with its control characters escaped (a file name may hold any byte but
 * '/' and NUL), malloc'd; NULL when out of memory. */
static char *escape(const char *text)
{
    size_t n = strlen(text), m = 0;
    char *esc = malloc(4 * n + 1);
    if (esc == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n' || c == '\t' || c == '\r') {
            esc[m++] = '\\';
            esc[m++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
        } else if (c < 0x20 || c == 0x7f) {
            m += (size_t)snprintf(esc + m, 5, "\\x%02x", c);
        } else {
            esc[m++] = (char)c;
        }
    }
    esc[m] = '\0';
    return esc;
}

/* Put `text` in the record, shortened in the middle when it is too long, so that
 * the place at its start and the reason at its end both stay. */
static void shorten_into(bmx_error *err, const char *text)
{
    size_t m = strlen(text), cap = sizeof err->message;
    if (m < cap) {
        memcpy(err->message, text, m + 1);
        return;
    }
    /* Cut on character boundaries (never inside a UTF-8 sequence). */
    size_t head = KEEP_HEAD;
    while (head > 0 && ((unsigned char)text[head] & 0xC0) == 0x80) {
        head--;
    }
    size_t from = m - (cap - 1 - head - 3);
    while (from < m && ((unsigned char)text[from] & 0xC0) == 0x80) {
        from++;
    }
    memcpy(err->message, text, head);
    memcpy(err->message + head, "...", 3);
    memcpy(err->message + head + 3, text + from, m - from + 1);
}

static void store(bmx_error *err, const char *text)
{
    char *esc = escape(text);
    shorten_into(err, esc != NULL ? esc : text);
    free(esc);
}

/* vsnprintf into a buffer of the size it needs. */
static char *format(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (s != NULL) {
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    }
    return s;
}

bmx_status bmx__fail(bmx_error *err, bmx_status status, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        char *text = format(fmt, ap);
        va_end(ap);
        err->status = status;
        if (text == NULL) {
            snprintf(err->message, sizeof err->message, "%s", bmx_strerror(status));
        } else {
            store(err, text);
        }
        free(text);
    }
    return status;
}

bmx_status bmx__prefix(bmx_error *err, bmx_status status, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        char *prefix = format(fmt, ap);
        va_end(ap);
        err->status = status;
        /* The old message is escaped already: only the prefix is. */
        char *esc = prefix != NULL ? escape(prefix) : NULL;
        size_t lp = esc != NULL ? strlen(esc) : 0;
        size_t lo = strnlen(err->message, sizeof err->message - 1);
        char *joined = esc != NULL ? malloc(lp + 2 + lo + 1) : NULL;
        if (joined != NULL) {
            memcpy(joined, esc, lp);
            memcpy(joined + lp, ": ", 2);
            memcpy(joined + lp + 2, err->message, lo);
            joined[lp + 2 + lo] = '\0';
            shorten_into(err, joined);
        }
        free(joined);
        free(esc);
        free(prefix);
    }
    return status;
}

void *bmx__alloc_array(size_t n, size_t size)
{
    size_t total;
    if (!bmx__mul_size(n, size, &total)) {
        return NULL;
    }
    return malloc(total == 0 ? 1 : total);
}

void *bmx__realloc_array(void *p, size_t n, size_t size)
{
    size_t total;
    if (!bmx__mul_size(n, size, &total)) {
        return NULL;
    }
    return realloc(p, total == 0 ? 1 : total);
}

void bmx__hash_lanes(const void *const *data, const size_t *len, size_t n, uint64_t *out)
{
    uint64_t h[BMX__HASH_LANES];
    size_t at[BMX__HASH_LANES];   /* bytes hashed so far */
    size_t live[BMX__HASH_LANES]; /* the buffers not finished */
    size_t n_live = 0;
    static const unsigned char none[8] = {0};
    const unsigned char *base[BMX__HASH_LANES];
    for (size_t k = 0; k < n && k < BMX__HASH_LANES; k++) {
        /* An empty buffer may be NULL: no pointer arithmetic on it. */
        base[k] = len[k] > 0 ? (const unsigned char *)data[k] : none;
        h[k] = bmx__hash_start(len[k]);
        at[k] = 0;
        live[n_live++] = k;
    }
    while (n_live > 0) {
        /* The words every live buffer has left, run four lanes at a time: a lane
         * past n_live repeats the last live buffer and its result is dropped. */
        size_t words = SIZE_MAX;
        const unsigned char *p[BMX__HASH_LANES];
        uint64_t v[BMX__HASH_LANES];
        for (size_t q = 0; q < BMX__HASH_LANES; q++) {
            size_t k = live[q < n_live ? q : n_live - 1];
            size_t left = (len[k] - at[k]) / 8;
            words = left < words ? left : words;
            p[q] = base[k] + at[k];
            v[q] = h[k];
        }
        for (size_t w = 0; w < words; w++) {
            v[0] = bmx__hash_step(v[0], p[0] + 8 * w);
            v[1] = bmx__hash_step(v[1], p[1] + 8 * w);
            v[2] = bmx__hash_step(v[2], p[2] + 8 * w);
            v[3] = bmx__hash_step(v[3], p[3] + 8 * w);
        }
        /* Lanes with fewer than eight bytes left end; the others go round again. */
        size_t kept = 0;
        for (size_t q = 0; q < n_live; q++) {
            size_t k = live[q];
            h[k] = v[q];
            at[k] += 8 * words;
            if (len[k] - at[k] < 8) {
                out[k] = bmx__hash_end(h[k], base[k] + at[k], len[k] - at[k]);
            } else {
                live[kept++] = k;
            }
        }
        n_live = kept;
    }
}

void bmx__hash_init(struct bmx__hash *s)
{
    memset(s, 0, sizeof *s);
    s->h = 0x9E3779B97F4A7C15ull;
}

void bmx__hash_update(struct bmx__hash *s, const void *data, size_t len)
{
    const unsigned char *p = data;
    s->total += len;
    while (len > 0 && s->n_tail > 0) {
        s->tail[s->n_tail++] = *p++;
        len--;
        if (s->n_tail == 8) {
            s->h = bmx__hash_step(s->h, s->tail);
            s->n_tail = 0;
        }
    }
    for (; len >= 8; p += 8, len -= 8) {
        s->h = bmx__hash_step(s->h, p);
    }
    memcpy(s->tail + s->n_tail, p, len);
    s->n_tail += len;
}

uint64_t bmx__hash_final(const struct bmx__hash *s)
{
    uint64_t h = s->h;
    for (size_t i = 0; i < s->n_tail; i++) {
        h = (h ^ s->tail[i]) * 0x94D049BB133111EBull;
    }
    h ^= s->total;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}
