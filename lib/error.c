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

bmx_status bmx__fail(bmx_error *err, bmx_status status, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        err->status = status;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

bmx_status bmx__prefix(bmx_error *err, bmx_status status, const char *fmt, ...)
{
    if (err != NULL) {
        char prefix[512];
        char old[sizeof err->message];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof prefix, fmt, ap);
        va_end(ap);
        memcpy(old, err->message, sizeof old);
        old[sizeof old - 1] = '\0';
        err->status = status;
        /* Truncation is acceptable: the message stays readable. */
        size_t cap = sizeof err->message, n = 0;
        for (const char *parts[3] = {prefix, ": ", old}, **p = parts; p < parts + 3; p++) {
            size_t len = strlen(*p);
            if (len > cap - 1 - n) {
                len = cap - 1 - n;
            }
            memcpy(err->message + n, *p, len);
            n += len;
        }
        err->message[n] = '\0';
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
