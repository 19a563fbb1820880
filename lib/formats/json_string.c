/* SPDX-License-Identifier: MIT */
/* JSON strings: the byte classes of a string's body, well-formed UTF-8, the escapes
 * (\uXXXX with surrogate pairs) and the scanner that checks a string and, when
 * asked, unescapes it into the parser's arena. */
#include "json.h"

#include <string.h>


/* String bytes: 0 plain, 1 quote, 2 backslash, 3 control, 4 start of a multibyte
 * UTF-8 sequence (or an invalid byte). */
static const unsigned char str_class[256] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

/* Length of the well-formed UTF-8 sequence at s (avail bytes), 0 when invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) {
            lo = 0xA0;
        } else if (c == 0xED) {
            hi = 0x9F;
        }
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) {
            lo = 0x90;
        } else if (c == 0xF4) {
            hi = 0x8F;
        }
    } else {
        return 0;
    }
    if (avail < n || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t k = 2; k < n; k++) {
        if (s[k] < 0x80 || s[k] > 0xBF) {
            return 0;
        }
    }
    return n;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static bool read_hex4(const char *s, size_t avail, uint32_t *out)
{
    if (avail < 4) {
        return false;
    }
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hex_value(s[k]);
        if (h < 0) {
            return false;
        }
        v = v * 16 + (uint32_t)h;
    }
    *out = v;
    return true;
}

/* The escape at s[0] == '\\': its length in the input (0 on error, with *what
 * saying why) and the code point it stands for. */
static size_t read_escape(const char *s, size_t avail, uint32_t *cp, const char **what)
{
    if (avail < 2) {
        *what = "unterminated string";
        return 0;
    }
    switch (s[1]) {
    case '"':
        *cp = '"';
        return 2;
    case '\\':
        *cp = '\\';
        return 2;
    case '/':
        *cp = '/';
        return 2;
    case 'b':
        *cp = '\b';
        return 2;
    case 'f':
        *cp = '\f';
        return 2;
    case 'n':
        *cp = '\n';
        return 2;
    case 'r':
        *cp = '\r';
        return 2;
    case 't':
        *cp = '\t';
        return 2;
    case 'u':
        break;
    default:
        *what = "invalid escape in a string";
        return 0;
    }
    uint32_t u;
    if (!read_hex4(s + 2, avail - 2, &u)) {
        *what = "invalid \\u escape (4 hex digits expected)";
        return 0;
    }
    if (u == 0) {
        *what = "\\u0000 in a string is not supported";
        return 0;
    }
    if (u >= 0xDC00 && u <= 0xDFFF) {
        *what = "unpaired surrogate in a \\u escape";
        return 0;
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
        uint32_t lo;
        if (avail < 12 || s[6] != '\\' || s[7] != 'u' || !read_hex4(s + 8, avail - 8, &lo) ||
            lo < 0xDC00 || lo > 0xDFFF) {
            *what = "unpaired surrogate in a \\u escape";
            return 0;
        }
        *cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        return 12;
    }
    *cp = u;
    return 6;
}

static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The string whose opening quote is at *pos. When `out` is not NULL its
 * unescaped text (NUL-terminated) goes to the arena. */
bool bmx__json_scan_string(struct bmx__json *p, size_t *pos, const char **out, size_t *out_len)
{
    const char *s = p->buf;
    size_t len = p->len;
    size_t start = *pos + 1;
    size_t i = start;
    bool escaped = false;
    for (;;) {
        while (i < len && str_class[(unsigned char)s[i]] == 0) {
            i++;
        }
        if (i >= len) {
            return bmx__json_fail_at(p, i, "unterminated string");
        }
        unsigned char c = (unsigned char)s[i];
        int cls = str_class[c];
        if (cls == 1) {
            break;
        }
        if (cls == 2) {
            uint32_t cp;
            const char *what = NULL;
            size_t n = read_escape(s + i, len - i, &cp, &what);
            if (n == 0) {
                return bmx__json_fail_at(p, i, what);
            }
            escaped = true;
            i += n;
        } else if (cls == 3) {
            return bmx__json_fail_at(p, i, "control character in a string");
        } else {
            size_t n = utf8_len((const unsigned char *)s + i, len - i);
            if (n == 0) {
                return bmx__json_fail_at(p, i, "invalid UTF-8");
            }
            i += n;
        }
    }
    *pos = i + 1;
    if (out == NULL) {
        return true;
    }
    size_t raw = i - start;
    char *dst = bmx__json_alloc(p, raw + 1);
    if (dst == NULL) {
        return false;
    }
    size_t n = 0;
    if (!escaped) {
        memcpy(dst, s + start, raw);
        n = raw;
    } else {
        for (size_t k = start; k < i;) {
            if (s[k] != '\\') {
                dst[n++] = s[k++];
                continue;
            }
            uint32_t cp;
            const char *what = NULL;
            k += read_escape(s + k, i - k + 1, &cp, &what);
            n += put_utf8(dst + n, cp);
        }
    }
    dst[n] = '\0';
    *out = dst;
    *out_len = n;
    return true;
}
