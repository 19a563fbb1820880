/* SPDX-License-Identifier: MIT */
/* Pascal VOC XML text: what counts as blank (XML's white space, also used to trim
 * the lines of label and split lists), escaping element text and attributes, and
 * the serializer of element events that both the reader (to keep unknown
 * elements as "voc_extra") and the writer (to pretty-print them back) use. */
#include "voc_internal.h"

#include <string.h>

bool bmx__voc_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Trim blanks in place; returns the start inside `s`. */
char *bmx__voc_trim(char *s)
{
    while (bmx__voc_is_blank(*s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && bmx__voc_is_blank(s[n - 1])) {
        s[--n] = '\0';
    }
    return s;
}

/* Append `s` (n bytes) escaped for element text (attr = false) or a double-quoted
 * attribute. Returns false on a control character XML 1.0 cannot carry. */
bool bmx__voc_put_escaped(struct bmx__buf *b, const char *s, size_t n, bool attr)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        if (c == '&') {
            rep = "&amp;";
        } else if (c == '<') {
            rep = "&lt;";
        } else if (c == '>') {
            rep = "&gt;";
        } else if (attr && c == '"') {
            rep = "&quot;";
        } else if (attr && c == '\n') {
            rep = "&#10;";
        } else if (attr && c == '\t') {
            rep = "&#9;";
        } else if (c == '\r') {
            rep = "&#13;";
        } else if (c < 0x20 && c != '\n' && c != '\t') {
            return false;
        }
        if (rep != NULL) {
            bmx__buf_put(b, s + run, i - run);
            bmx__buf_puts(b, rep);
            run = i + 1;
        }
    }
    bmx__buf_put(b, s + run, n - run);
    return true;
}

void bmx__voc_put_indent(struct bmx__buf *b, int level)
{
    for (int i = 0; i < level; i++) {
        bmx__buf_put(b, "  ", 2);
    }
}

static void out_flush_text(struct xml_out *o)
{
    bool blank = true;
    for (size_t i = 0; i < o->text.len; i++) {
        if (!bmx__voc_is_blank(o->text.data[i])) {
            blank = false;
            break;
        }
    }
    if (!blank) {
        if (!bmx__voc_put_escaped(o->b, o->text.data, o->text.len, false)) {
            o->bad_char = true;
        }
        o->last = EV_TEXT;
    }
    o->text.len = 0;
}

void bmx__voc_out_start(struct xml_out *o, const char *name, const char **atts)
{
    out_flush_text(o);
    if (o->pretty && o->last != EV_TEXT) {
        if (o->last != EV_NONE) {
            bmx__buf_put(o->b, "\n", 1);
        }
        bmx__voc_put_indent(o->b, o->base + o->depth);
    }
    bmx__buf_put(o->b, "<", 1);
    bmx__buf_puts(o->b, name);
    for (size_t i = 0; atts != NULL && atts[i] != NULL; i += 2) {
        bmx__buf_put(o->b, " ", 1);
        bmx__buf_puts(o->b, atts[i]);
        bmx__buf_put(o->b, "=\"", 2);
        if (!bmx__voc_put_escaped(o->b, atts[i + 1], strlen(atts[i + 1]), true)) {
            o->bad_char = true;
        }
        bmx__buf_put(o->b, "\"", 1);
    }
    bmx__buf_put(o->b, ">", 1);
    o->depth++;
    o->last = EV_START;
}

void bmx__voc_out_end(struct xml_out *o, const char *name)
{
    out_flush_text(o);
    o->depth--;
    if (o->last == EV_START && !o->b->failed && o->b->len > 0) {
        /* No content: <x/>. */
        o->b->len--;
        bmx__buf_put(o->b, "/>", 2);
    } else {
        if (o->pretty && o->last == EV_END) {
            bmx__buf_put(o->b, "\n", 1);
            bmx__voc_put_indent(o->b, o->base + o->depth);
        }
        bmx__buf_put(o->b, "</", 2);
        bmx__buf_puts(o->b, name);
        bmx__buf_put(o->b, ">", 1);
    }
    o->last = EV_END;
}

void bmx__voc_out_text(struct xml_out *o, const char *s, int len)
{
    bmx__buf_put(&o->text, s, (size_t)len);
}
