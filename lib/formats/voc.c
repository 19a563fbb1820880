/* Pascal VOC XML: reading a VOCdevkit-style folder into the dataset model with
 * expat, and writing a dataset back as VOC.
 *
 * Coordinates (DESIGN.md): VOC xmin..xmax are 1-based inclusive pixel indices, so
 * reading gives x = xmin - 1, w = xmax - xmin + 1, and writing rounds outward to
 * whole pixels (xmin = floor(x) + 1, xmax = ceil(x + w)); VOC -> COCO -> VOC is the
 * identity.
 *
 * Limits: BMX_BMX_VOC_MAX_FILE_BYTES per file, BMX_BMX_VOC_MAX_DEPTH of nesting.
 *
 * Elements boxmix does not know are re-serialised (tags, attributes, text; blank
 * text between tags and comments dropped) into a "voc_extra" string of the image
 * or object, and pretty-printed back verbatim when writing. */
#include "voc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <expat.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Outward rounding tolerates float noise: 28.0000000001 is pixel 28, not 29. */
#define VOC_ROUND_EPS 1e-6

/* ---- small helpers ---- */

/* The file name without folders and without its last extension (malloc'd). */
static char *stem_of(const char *path)
{
    const char *b = bmx__base_name(path);
    const char *dot = strrchr(b, '.');
    size_t n = (dot != NULL && dot != b) ? (size_t)(dot - b) : strlen(b);
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, b, n);
        s[n] = '\0';
    }
    return s;
}

static bool file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Trim blanks in place; returns the start inside `s`. */
static char *trim(char *s)
{
    while (is_blank(*s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && is_blank(s[n - 1])) {
        s[--n] = '\0';
    }
    return s;
}

static bool parse_number(const char *s, double *out)
{
    char *end;
    if (*s == '\0') {
        return false;
    }
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || end == s || !isfinite(v)) {
        return false;
    }
    *out = v;
    return true;
}

/* A valid XML name, restricted to the ASCII subset boxmix writes itself. */
static bool is_xml_name(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_')) {
        return false;
    }
    for (s++; *s; s++) {
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.')) {
            return false;
        }
    }
    return true;
}

/* ---- XML text output ---- */

/* Append `s` (n bytes) escaped for element text (attr = false) or a double-quoted
 * attribute. Returns false on a control character XML 1.0 cannot carry. */
static bool put_escaped(struct bmx__buf *b, const char *s, size_t n, bool attr)
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

static void put_indent(struct bmx__buf *b, int level)
{
    for (int i = 0; i < level; i++) {
        bmx__buf_put(b, "  ", 2);
    }
}

/* A serializer of element events: compact (for storing) or indented two spaces
 * per level (for writing). Blank text runs are dropped. */
enum { EV_NONE, EV_START, EV_END, EV_TEXT };

struct xml_out {
    struct bmx__buf *b;
    bool pretty;
    int base;  /* indent level of top-level elements */
    int depth; /* open elements */
    int last;
    bool bad_char;
    struct bmx__buf text; /* pending text run */
};

static void out_flush_text(struct xml_out *o)
{
    bool blank = true;
    for (size_t i = 0; i < o->text.len; i++) {
        if (!is_blank(o->text.data[i])) {
            blank = false;
            break;
        }
    }
    if (!blank) {
        if (!put_escaped(o->b, o->text.data, o->text.len, false)) {
            o->bad_char = true;
        }
        o->last = EV_TEXT;
    }
    o->text.len = 0;
}

static void out_start(struct xml_out *o, const char *name, const char **atts)
{
    out_flush_text(o);
    if (o->pretty && o->last != EV_TEXT) {
        if (o->last != EV_NONE) {
            bmx__buf_put(o->b, "\n", 1);
        }
        put_indent(o->b, o->base + o->depth);
    }
    bmx__buf_put(o->b, "<", 1);
    bmx__buf_puts(o->b, name);
    for (size_t i = 0; atts != NULL && atts[i] != NULL; i += 2) {
        bmx__buf_put(o->b, " ", 1);
        bmx__buf_puts(o->b, atts[i]);
        bmx__buf_put(o->b, "=\"", 2);
        if (!put_escaped(o->b, atts[i + 1], strlen(atts[i + 1]), true)) {
            o->bad_char = true;
        }
        bmx__buf_put(o->b, "\"", 1);
    }
    bmx__buf_put(o->b, ">", 1);
    o->depth++;
    o->last = EV_START;
}

static void out_end(struct xml_out *o, const char *name)
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
            put_indent(o->b, o->base + o->depth);
        }
        bmx__buf_put(o->b, "</", 2);
        bmx__buf_puts(o->b, name);
        bmx__buf_put(o->b, ">", 1);
    }
    o->last = EV_END;
}

static void out_text(struct xml_out *o, const char *s, int len)
{
    bmx__buf_put(&o->text, s, (size_t)len);
}

/* ---- reading: per-file records ---- */

struct vobj {
    char *name;
    char *pose;
    unsigned long line;
    double v[4]; /* xmin ymin xmax ymax */
    bool has_v[4];
    bool has_bndbox;
    int truncated, difficult, occluded;
    bool has_truncated, has_difficult, has_occluded;
    struct bmx__buf unknown; /* voc_extra */
    cJSON *boxmix;
};

struct vfile {
    char *path; /* the XML file, for messages */
    char *filename;
    char *folder;
    int32_t width, height; /* 0: unknown */
    unsigned long size_line;
    int depth;
    bool has_depth;
    int segmented;
    bool has_segmented;
    struct bmx__buf unknown;
    cJSON *boxmix;
    struct vobj *objs;
    size_t n_objs, cap_objs;
};

static void vobj_free(struct vobj *o)
{
    free(o->name);
    free(o->pose);
    bmx__buf_free(&o->unknown);
    cJSON_Delete(o->boxmix);
}

static void vfile_free(struct vfile *f)
{
    if (f == NULL) {
        return;
    }
    for (size_t i = 0; i < f->n_objs; i++) {
        vobj_free(&f->objs[i]);
    }
    free(f->objs);
    free(f->path);
    free(f->filename);
    free(f->folder);
    bmx__buf_free(&f->unknown);
    cJSON_Delete(f->boxmix);
    memset(f, 0, sizeof *f);
}

/* ---- reading: the expat handlers ---- */

enum frame {
    F_ANNOTATION,
    F_SIZE,
    F_OBJECT,
    F_BNDBOX,
    F_BOXMIX,
    F_LEAF,
    F_SKIP,
    F_CAPTURE
};

enum leaf {
    L_FOLDER,
    L_FILENAME,
    L_SEGMENTED,
    L_WIDTH,
    L_HEIGHT,
    L_DEPTH,
    L_NAME,
    L_POSE,
    L_TRUNCATED,
    L_DIFFICULT,
    L_OCCLUDED,
    L_XMIN,
    L_YMIN,
    L_XMAX,
    L_YMAX,
    L_BOXMIX_KEY
};

struct parser {
    XML_Parser xp;
    const char *name;
    bmx_error *err;
    bmx_status st;
    struct vfile *f;
    int depth;
    enum frame kind[BMX_VOC_MAX_DEPTH + 1];
    enum leaf leaf;
    bool boxmix_in_object;
    struct bmx__buf text; /* the current leaf's text */
    struct xml_out cap;   /* the unknown element being captured */
    struct bmx__voc_report *rep; /* NULL unless read for the checker */
};

/* Record what went wrong for the checker (first problem only). */
static void set_fault(struct bmx__voc_report *rep, enum bmx__voc_fault fault, const char *path,
                      unsigned long line, const char *detail)
{
    if (rep == NULL || rep->fault != BMX__VOC_OK) {
        return;
    }
    rep->fault = fault;
    snprintf(rep->path, sizeof rep->path, "%s", path);
    rep->line = line;
    snprintf(rep->detail, sizeof rep->detail, "%s", detail);
}

/* Record an error "FILE: message (line N)" and stop the parser. */
static void pfail(struct parser *p, bmx_status st, const char *fmt, ...) BMX__PRINTF(3, 4);

static void pfail(struct parser *p, bmx_status st, const char *fmt, ...)
{
    if (p->st != BMX_OK) {
        return;
    }
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->st = bmx__fail(p->err, st, "%s: %s (line %lu)", p->name, msg,
                      (unsigned long)XML_GetCurrentLineNumber(p->xp));
    XML_StopParser(p->xp, XML_FALSE);
}

/* pfail with the kind of problem and the element it concerns: `fpath` for the
 * checker, `mpath` (NULL: none) put before the message, as pfail's callers do. */
static void pfault(struct parser *p, bmx_status st, enum bmx__voc_fault fault, const char *fpath,
                   const char *mpath, const char *fmt, ...) BMX__PRINTF(6, 7);

static void pfault(struct parser *p, bmx_status st, enum bmx__voc_fault fault, const char *fpath,
                   const char *mpath, const char *fmt, ...)
{
    if (p->st != BMX_OK) {
        return;
    }
    char detail[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    set_fault(p->rep, fault, fpath, (unsigned long)XML_GetCurrentLineNumber(p->xp), detail);
    if (mpath != NULL) {
        pfail(p, st, "%s: %s", mpath, detail);
    } else {
        pfail(p, st, "%s", detail);
    }
}

static struct vobj *cur_obj(struct parser *p)
{
    return &p->f->objs[p->f->n_objs - 1];
}

/* The element path of the parent of the element at depth d, for messages. */
static void parent_path(struct parser *p, int d, char *out, size_t cap)
{
    switch (p->kind[d - 1]) {
    case F_SIZE:
        snprintf(out, cap, "annotation/size");
        break;
    case F_OBJECT:
        snprintf(out, cap, "annotation/object[%zu]", p->f->n_objs);
        break;
    case F_BNDBOX:
        snprintf(out, cap, "annotation/object[%zu]/bndbox", p->f->n_objs);
        break;
    case F_BOXMIX:
        if (p->boxmix_in_object) {
            snprintf(out, cap, "annotation/object[%zu]/boxmix", p->f->n_objs);
        } else {
            snprintf(out, cap, "annotation/boxmix");
        }
        break;
    default:
        snprintf(out, cap, "annotation");
        break;
    }
}

static void start_leaf(struct parser *p, int d, enum leaf leaf)
{
    p->kind[d] = F_LEAF;
    p->leaf = leaf;
    p->text.len = 0;
}

static void start_capture(struct parser *p, int d, struct bmx__buf *dest, const char *name,
                          const char **atts)
{
    p->kind[d] = F_CAPTURE;
    bmx__buf_free(&p->cap.text);
    p->cap = (struct xml_out){.b = dest, .pretty = false};
    out_start(&p->cap, name, atts);
}

static bool grow_objects(struct vfile *f)
{
    if (f->n_objs == f->cap_objs) {
        size_t cap = f->cap_objs ? f->cap_objs * 2 : 8;
        struct vobj *n = bmx__realloc_array(f->objs, cap, sizeof *n);
        if (n == NULL) {
            return false;
        }
        f->objs = n;
        f->cap_objs = cap;
    }
    memset(&f->objs[f->n_objs], 0, sizeof f->objs[0]);
    f->n_objs++;
    return true;
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct parser *p = ud;
    if (p->st != BMX_OK) {
        return;
    }
    if (p->depth >= BMX_VOC_MAX_DEPTH) {
        char ppath[128];
        parent_path(p, p->depth + 1, ppath, sizeof ppath);
        pfault(p, BMX_E_LIMIT, BMX__VOC_TOO_DEEP, ppath, NULL, "elements nested deeper than %d",
               BMX_VOC_MAX_DEPTH);
        return;
    }
    int d = ++p->depth;
    if (d == 1) {
        if (strcmp(name, "annotation") != 0) {
            pfault(p, BMX_E_SCHEMA, BMX__VOC_WRONG_ROOT, "", NULL,
                   "expected the root element <annotation>, got <%s>", name);
            return;
        }
        p->kind[d] = F_ANNOTATION;
        return;
    }
    struct vfile *f = p->f;
    switch (p->kind[d - 1]) {
    case F_CAPTURE:
        p->kind[d] = F_CAPTURE;
        out_start(&p->cap, name, atts);
        break;
    case F_ANNOTATION:
        if (strcmp(name, "folder") == 0) {
            start_leaf(p, d, L_FOLDER);
        } else if (strcmp(name, "filename") == 0) {
            start_leaf(p, d, L_FILENAME);
        } else if (strcmp(name, "segmented") == 0) {
            start_leaf(p, d, L_SEGMENTED);
        } else if (strcmp(name, "size") == 0) {
            p->kind[d] = F_SIZE;
            f->size_line = (unsigned long)XML_GetCurrentLineNumber(p->xp);
        } else if (strcmp(name, "object") == 0) {
            if (!grow_objects(f)) {
                pfail(p, BMX_E_NOMEM, "out of memory");
                return;
            }
            cur_obj(p)->line = (unsigned long)XML_GetCurrentLineNumber(p->xp);
            p->kind[d] = F_OBJECT;
        } else if (strcmp(name, "boxmix") == 0) {
            p->kind[d] = F_BOXMIX;
            p->boxmix_in_object = false;
            if (f->boxmix == NULL && (f->boxmix = cJSON_CreateObject()) == NULL) {
                pfail(p, BMX_E_NOMEM, "out of memory");
            }
        } else {
            start_capture(p, d, &f->unknown, name, atts);
        }
        break;
    case F_OBJECT: {
        struct vobj *o = cur_obj(p);
        if (strcmp(name, "name") == 0) {
            start_leaf(p, d, L_NAME);
        } else if (strcmp(name, "pose") == 0) {
            start_leaf(p, d, L_POSE);
        } else if (strcmp(name, "truncated") == 0) {
            start_leaf(p, d, L_TRUNCATED);
        } else if (strcmp(name, "difficult") == 0) {
            start_leaf(p, d, L_DIFFICULT);
        } else if (strcmp(name, "occluded") == 0) {
            start_leaf(p, d, L_OCCLUDED);
        } else if (strcmp(name, "bndbox") == 0) {
            p->kind[d] = F_BNDBOX;
            o->has_bndbox = true;
        } else if (strcmp(name, "boxmix") == 0) {
            p->kind[d] = F_BOXMIX;
            p->boxmix_in_object = true;
            if (o->boxmix == NULL && (o->boxmix = cJSON_CreateObject()) == NULL) {
                pfail(p, BMX_E_NOMEM, "out of memory");
            }
        } else {
            /* <part>, <actions>, <point>, <attributes>...: kept as they are. */
            start_capture(p, d, &o->unknown, name, atts);
        }
        break;
    }
    case F_SIZE:
        if (strcmp(name, "width") == 0) {
            start_leaf(p, d, L_WIDTH);
        } else if (strcmp(name, "height") == 0) {
            start_leaf(p, d, L_HEIGHT);
        } else if (strcmp(name, "depth") == 0) {
            start_leaf(p, d, L_DEPTH);
        } else {
            p->kind[d] = F_SKIP;
        }
        break;
    case F_BNDBOX:
        if (strcmp(name, "xmin") == 0) {
            start_leaf(p, d, L_XMIN);
        } else if (strcmp(name, "ymin") == 0) {
            start_leaf(p, d, L_YMIN);
        } else if (strcmp(name, "xmax") == 0) {
            start_leaf(p, d, L_XMAX);
        } else if (strcmp(name, "ymax") == 0) {
            start_leaf(p, d, L_YMAX);
        } else {
            p->kind[d] = F_SKIP;
        }
        break;
    case F_BOXMIX:
        start_leaf(p, d, L_BOXMIX_KEY);
        break;
    default:
        p->kind[d] = F_SKIP;
        break;
    }
}

static void on_text(void *ud, const XML_Char *s, int len)
{
    struct parser *p = ud;
    if (p->st != BMX_OK || p->depth < 1) {
        return;
    }
    if (p->kind[p->depth] == F_LEAF) {
        bmx__buf_put(&p->text, s, (size_t)len);
    } else if (p->kind[p->depth] == F_CAPTURE) {
        out_text(&p->cap, s, len);
    }
}

/* A shortened copy of a value for messages. */
static void quote(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s);
    if (n + 1 <= cap) {
        memcpy(out, s, n + 1);
    } else {
        snprintf(out, cap, "%.*s...", (int)(cap - 4), s);
    }
}

static bool leaf_flag(struct parser *p, const char *where, const char *text, int *out)
{
    double v;
    if (*text == '\0') {
        *out = 0; /* <difficult/> and <truncated/> are common: they mean 0 */
        return true;
    }
    if (!parse_number(text, &v) || (v != 0 && v != 1)) {
        char q[64];
        quote(text, q, sizeof q);
        pfault(p, BMX_E_SCHEMA, BMX__VOC_BAD_VALUE, where, where, "expected 0 or 1, got '%s'", q);
        return false;
    }
    *out = (int)v;
    return true;
}

static bool leaf_dim(struct parser *p, const char *where, const char *text, int32_t *out)
{
    double v;
    if (!parse_number(text, &v) || v < 0 || v > INT32_MAX || v != floor(v)) {
        char q[64];
        quote(text, q, sizeof q);
        pfault(p, BMX_E_SCHEMA, BMX__VOC_BAD_VALUE, where, where,
               "expected a whole number of pixels, got '%s'", q);
        return false;
    }
    *out = (int32_t)v;
    return true;
}

/* The value of a <boxmix> child: numbers, lists of numbers (patch), true/false,
 * else the text. */
static cJSON *boxmix_value(const char *text)
{
    double v;
    if (parse_number(text, &v)) {
        return cJSON_CreateNumber(v);
    }
    if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
        return cJSON_CreateBool(text[0] == 't');
    }
    /* Several blank-separated numbers: an array. */
    size_t count = 0;
    const char *s = text;
    bool all_numbers = true;
    while (*s != '\0' && all_numbers) {
        while (is_blank(*s)) {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        char *end;
        double x = strtod(s, &end);
        if (end == s || !isfinite(x) || (*end != '\0' && !is_blank(*end))) {
            all_numbers = false;
        }
        count++;
        s = end;
    }
    if (!all_numbers || count < 2) {
        return cJSON_CreateString(text);
    }
    cJSON *arr = cJSON_CreateArray();
    s = text;
    while (arr != NULL && *s != '\0') {
        while (is_blank(*s)) {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        char *end;
        cJSON *n = cJSON_CreateNumber(strtod(s, &end));
        if (n == NULL) {
            cJSON_Delete(arr);
            return NULL;
        }
        cJSON_AddItemToArray(arr, n);
        s = end;
    }
    return arr;
}

static void end_leaf(struct parser *p, int d, const char *name)
{
    char where[160], ppath[128];
    parent_path(p, d, ppath, sizeof ppath);
    snprintf(where, sizeof where, "%s/%s", ppath, name);
    bmx__buf_put(&p->text, "", 0); /* NUL-terminate even when empty */
    if (p->text.failed) {
        pfail(p, BMX_E_NOMEM, "out of memory");
        return;
    }
    char *text = trim(p->text.data);
    struct vfile *f = p->f;
    char **dest = NULL;
    switch (p->leaf) {
    case L_FOLDER:
        dest = &f->folder;
        break;
    case L_FILENAME:
        dest = &f->filename;
        break;
    case L_NAME:
        dest = &cur_obj(p)->name;
        break;
    case L_POSE:
        dest = &cur_obj(p)->pose;
        break;
    case L_SEGMENTED:
        f->has_segmented = leaf_flag(p, where, text, &f->segmented);
        break;
    case L_WIDTH:
        leaf_dim(p, where, text, &f->width);
        break;
    case L_HEIGHT:
        leaf_dim(p, where, text, &f->height);
        break;
    case L_DEPTH:
        if (*text != '\0') {
            int32_t v = 0;
            f->has_depth = leaf_dim(p, where, text, &v);
            f->depth = (int)v;
        }
        break;
    case L_TRUNCATED:
        cur_obj(p)->has_truncated = leaf_flag(p, where, text, &cur_obj(p)->truncated);
        break;
    case L_DIFFICULT:
        cur_obj(p)->has_difficult = leaf_flag(p, where, text, &cur_obj(p)->difficult);
        break;
    case L_OCCLUDED:
        cur_obj(p)->has_occluded = leaf_flag(p, where, text, &cur_obj(p)->occluded);
        break;
    case L_XMIN:
    case L_YMIN:
    case L_XMAX:
    case L_YMAX: {
        int k = (int)(p->leaf - L_XMIN);
        struct vobj *o = cur_obj(p);
        if (o->has_v[k]) {
            /* Readers disagree on which one wins: the box would mean two things. */
            pfault(p, BMX_E_SCHEMA, BMX__VOC_BAD_VALUE, where, where,
                   "a repeated element: the box has two values for it");
            return;
        }
        if (!parse_number(text, &o->v[k])) {
            char q[64];
            quote(text, q, sizeof q);
            if (*text == '\0') {
                pfault(p, BMX_E_SCHEMA, BMX__VOC_BAD_VALUE, where, where,
                       "expected a number, got nothing");
            } else {
                pfault(p, BMX_E_SCHEMA, BMX__VOC_BAD_VALUE, where, where,
                       "expected a number, got '%s'", q);
            }
            return;
        }
        o->has_v[k] = true;
        break;
    }
    case L_BOXMIX_KEY: {
        cJSON *obj = p->boxmix_in_object ? cur_obj(p)->boxmix : f->boxmix;
        cJSON *v = boxmix_value(text);
        if (v == NULL) {
            pfail(p, BMX_E_NOMEM, "out of memory");
            return;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
        cJSON_AddItemToObject(obj, name, v);
        break;
    }
    }
    if (dest != NULL) {
        char *s = strdup(text);
        if (s == NULL) {
            pfail(p, BMX_E_NOMEM, "out of memory");
            return;
        }
        free(*dest);
        *dest = s;
    }
}

static void end_object(struct parser *p)
{
    struct vobj *o = cur_obj(p);
    size_t k = p->f->n_objs;
    static const char *const coord[4] = {"xmin", "ymin", "xmax", "ymax"};
    char opath[64], bpath[80], fpath[96];
    snprintf(opath, sizeof opath, "annotation/object[%zu]", k);
    snprintf(bpath, sizeof bpath, "%s/bndbox", opath);
    if (o->name == NULL || o->name[0] == '\0') {
        snprintf(fpath, sizeof fpath, "%s/name", opath);
        pfault(p, BMX_E_SCHEMA, BMX__VOC_MISSING, fpath, opath, "missing name");
        return;
    }
    if (!o->has_bndbox) {
        pfault(p, BMX_E_SCHEMA, BMX__VOC_MISSING, bpath, opath, "missing bndbox");
        return;
    }
    for (int i = 0; i < 4; i++) {
        if (!o->has_v[i]) {
            snprintf(fpath, sizeof fpath, "%s/%s", bpath, coord[i]);
            pfault(p, BMX_E_SCHEMA, BMX__VOC_MISSING, fpath, bpath, "missing %s", coord[i]);
            return;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (o->v[i + 2] < o->v[i]) {
            snprintf(fpath, sizeof fpath, "%s/%s", bpath, coord[i + 2]);
            pfault(p, BMX_E_SCHEMA, BMX__VOC_BOX_INVERTED, fpath, bpath, "%s %g is less than %s %g",
                   coord[i + 2], o->v[i + 2], coord[i], o->v[i]);
            return;
        }
        if (o->v[i] < 1) {
            snprintf(fpath, sizeof fpath, "%s/%s", bpath, coord[i]);
            pfault(p, BMX_E_SCHEMA, BMX__VOC_BOX_OUTSIDE, fpath, bpath,
                   "%s %g is outside the image (VOC pixel indices start at 1)", coord[i], o->v[i]);
            return;
        }
    }
}

static void on_end(void *ud, const XML_Char *name)
{
    struct parser *p = ud;
    if (p->st != BMX_OK) {
        return;
    }
    int d = p->depth--;
    switch (p->kind[d]) {
    case F_CAPTURE:
        out_end(&p->cap, name);
        if (p->kind[d - 1] != F_CAPTURE) {
            if (p->cap.bad_char) {
                char ppath[128], fpath[200];
                parent_path(p, d, ppath, sizeof ppath);
                snprintf(fpath, sizeof fpath, "%s/%s", ppath, name);
                pfault(p, BMX_E_SCHEMA, BMX__VOC_BAD_VALUE, fpath, NULL,
                       "<%s>: a character XML cannot carry", name);
            } else if (p->cap.b->failed) {
                pfail(p, BMX_E_NOMEM, "out of memory");
            }
        }
        break;
    case F_LEAF:
        end_leaf(p, d, name);
        break;
    case F_OBJECT:
        end_object(p);
        break;
    case F_ANNOTATION:
        if (p->f->filename == NULL || p->f->filename[0] == '\0') {
            pfault(p, BMX_E_SCHEMA, BMX__VOC_MISSING, "annotation/filename", "annotation",
                   "missing filename");
        }
        break;
    default:
        break;
    }
}

static void on_entity_decl(void *ud, const XML_Char *entity_name, int is_parameter_entity,
                           const XML_Char *value, int value_length, const XML_Char *base,
                           const XML_Char *system_id, const XML_Char *public_id,
                           const XML_Char *notation_name)
{
    (void)is_parameter_entity;
    (void)value;
    (void)value_length;
    (void)base;
    (void)system_id;
    (void)public_id;
    (void)notation_name;
    /* VOC files never declare entities; refusing them rules out entity expansion
     * bombs whatever the expat version. */
    pfault(ud, BMX_E_SCHEMA, BMX__VOC_ENTITY, "", NULL,
           "entity declarations are not supported (entity '%s')", entity_name);
}

/* Parse one XML file into `f` (its path already set). `rep` may be NULL. */
static bmx_status parse_file(struct vfile *f, struct bmx__voc_report *rep, bmx_error *err)
{
    struct stat sb;
    /* Open and read failures get their kind from the status (bmx__voc_read_one). */
    if (stat(f->path, &sb) != 0) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open: %s", f->path, strerror(errno));
    }
    if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > BMX_VOC_MAX_FILE_BYTES) {
        set_fault(rep, BMX__VOC_TOO_LARGE, "", 0, "larger than the 64 MB limit for a VOC file");
        return bmx__fail(err, BMX_E_LIMIT, "%s: %" PRIu64 " bytes: larger than the 64 MB limit for a VOC file",
                         f->path, (uint64_t)sb.st_size);
    }
    char *buf = NULL;
    size_t len = 0;
    bmx_status st = bmx__read_file(f->path, &buf, &len, err);
    if (st != BMX_OK) {
        return st;
    }
    if (len > BMX_VOC_MAX_FILE_BYTES) {
        free(buf);
        set_fault(rep, BMX__VOC_TOO_LARGE, "", 0, "larger than the 64 MB limit for a VOC file");
        return bmx__fail(err, BMX_E_LIMIT, "%s: larger than the 64 MB limit for a VOC file", f->path);
    }
    struct parser p = {.name = f->path, .err = err, .f = f, .rep = rep};
    p.xp = XML_ParserCreate(NULL);
    if (p.xp == NULL) {
        free(buf);
        return bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", f->path);
    }
    XML_SetUserData(p.xp, &p);
    XML_SetElementHandler(p.xp, on_start, on_end);
    XML_SetCharacterDataHandler(p.xp, on_text);
    XML_SetEntityDeclHandler(p.xp, on_entity_decl);
    enum XML_Status xs = XML_Parse(p.xp, buf, (int)len, XML_TRUE);
    if (p.st != BMX_OK) {
        st = p.st;
    } else if (xs != XML_STATUS_OK) {
        set_fault(rep, BMX__VOC_SYNTAX, "", (unsigned long)XML_GetCurrentLineNumber(p.xp),
                  XML_ErrorString(XML_GetErrorCode(p.xp)));
        st = bmx__fail(err, BMX_E_PARSE, "%s: line %lu: %s", f->path,
                       (unsigned long)XML_GetCurrentLineNumber(p.xp),
                       XML_ErrorString(XML_GetErrorCode(p.xp)));
    }
    XML_ParserFree(p.xp);
    bmx__buf_free(&p.text);
    bmx__buf_free(&p.cap.text);
    free(buf);
    return st;
}

/* ---- reading: labels ---- */

void bmx_labels_free(struct bmx_labels *labels)
{
    if (labels == NULL) {
        return;
    }
    for (size_t i = 0; i < labels->count; i++) {
        free(labels->names[i]);
    }
    free(labels->names);
    memset(labels, 0, sizeof *labels);
}

bmx_status bmx_labels_read(const char *path, struct bmx_labels *out, bmx_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    bmx_status st = bmx__read_file(path, &buf, &len, err);
    if (st != BMX_OK) {
        return st;
    }
    size_t cap = 0, line_no = 0;
    char *line = buf;
    while (line != NULL && *line != '\0') {
        char *nl = strchr(line, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        line_no++;
        char *name = trim(line);
        line = nl != NULL ? nl + 1 : NULL;
        if (*name == '\0') {
            continue;
        }
        for (size_t i = 0; i < out->count; i++) {
            if (strcmp(out->names[i], name) == 0) {
                st = bmx__fail(err, BMX_E_SCHEMA, "%s: line %zu: '%s' is listed twice (also label %zu)",
                               path, line_no, name, i + 1);
                goto done;
            }
        }
        if (out->count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **n = bmx__realloc_array(out->names, ncap, sizeof *n);
            if (n == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
                goto done;
            }
            out->names = n;
            cap = ncap;
        }
        if ((out->names[out->count] = strdup(name)) == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
            goto done;
        }
        out->count++;
    }
    if (out->count == 0) {
        st = bmx__fail(err, BMX_E_SCHEMA, "%s: no label names (one name per line)", path);
    }
done:
    if (st != BMX_OK) {
        bmx_labels_free(out);
    }
    free(buf);
    return st;
}

/* ---- reading: the dataset ---- */

void bmx_voc_options_init(struct bmx_voc_options *opts)
{
    memset(opts, 0, sizeof *opts);
    bmx_limits_init(&opts->limits);
}

int bmx__strlist_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool bmx__strlist_push(struct bmx__strlist *l, char *s)
{
    if (s == NULL) {
        return false;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **v = bmx__realloc_array(l->v, cap, sizeof *v);
        if (v == NULL) {
            free(s);
            return false;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return true;
}

void bmx__strlist_free(struct bmx__strlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i]);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

bool bmx__voc_has_xml_ext(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".xml") == 0;
}

/* The XML files to read: the split's ids, or every *.xml of Annotations/ sorted. */
static bmx_status list_files(const char *dir, const char *split, struct bmx__strlist *out,
                             bmx_error *err)
{
    bmx_status st = BMX_OK;
    char *ann = bmx__path_join(dir, "Annotations");
    char *split_path = NULL, *buf = NULL;
    if (ann == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    if (split != NULL) {
        if (split[0] == '\0' || strchr(split, '/') != NULL) {
            st = bmx__fail(err, BMX_E_INVALID, "split: '%s' is not a split name", split);
            goto done;
        }
        char rel[300];
        int n = snprintf(rel, sizeof rel, "ImageSets/Main/%s.txt", split);
        if (n < 0 || (size_t)n >= sizeof rel) {
            st = bmx__fail(err, BMX_E_INVALID, "split: name too long");
            goto done;
        }
        split_path = bmx__path_join(dir, rel);
        size_t len;
        if (split_path == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        st = bmx__read_file(split_path, &buf, &len, err);
        if (st != BMX_OK) {
            goto done;
        }
        size_t line_no = 0;
        for (char *line = buf; line != NULL && *line != '\0';) {
            char *nl = strchr(line, '\n');
            if (nl != NULL) {
                *nl = '\0';
            }
            line_no++;
            /* The first field: class files (aeroplane_train.txt) add " 1" / "-1". */
            char *id = trim(line);
            size_t idn = strcspn(id, " \t");
            id[idn] = '\0';
            line = nl != NULL ? nl + 1 : NULL;
            if (*id == '\0') {
                continue;
            }
            if (strchr(id, '/') != NULL || strcmp(id, "..") == 0 || strcmp(id, ".") == 0) {
                st = bmx__fail(err, BMX_E_SCHEMA, "%s: line %zu: '%s' is not an image id", split_path,
                               line_no, id);
                goto done;
            }
            char file[512];
            n = snprintf(file, sizeof file, "%s.xml", id);
            if (n < 0 || (size_t)n >= sizeof file) {
                st = bmx__fail(err, BMX_E_SCHEMA, "%s: line %zu: id too long", split_path, line_no);
                goto done;
            }
            if (!bmx__strlist_push(out, bmx__path_join(ann, file))) {
                st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
                goto done;
            }
        }
        goto done;
    }
    st = bmx__voc_list_xml(ann, out, err);
done:
    free(buf);
    free(split_path);
    free(ann);
    return st;
}

bmx_status bmx__voc_list_xml(const char *ann_dir, struct bmx__strlist *out, bmx_error *err)
{
    bmx_status st = BMX_OK;
    DIR *dh = opendir(ann_dir);
    if (dh == NULL) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open folder: %s", ann_dir, strerror(errno));
    }
    size_t first = out->n;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        if (de->d_name[0] == '.' || !bmx__voc_has_xml_ext(de->d_name)) {
            continue;
        }
        char *full = bmx__path_join(ann_dir, de->d_name);
        if (full != NULL && !file_exists(full)) {
            free(full);
            continue;
        }
        if (!bmx__strlist_push(out, full)) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
    }
    if (out->n > first) {
        qsort(out->v + first, out->n - first, sizeof *out->v, bmx__strlist_cmp);
    }
done:
    closedir(dh);
    return st;
}

char *bmx__voc_default_images_dir(const char *path, bool is_dir)
{
    if (is_dir) {
        return bmx__path_join(path, "JPEGImages");
    }
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        return strdup("../JPEGImages");
    }
    size_t n = (size_t)(slash - path) + 1;
    char *dir = malloc(n + 1);
    if (dir == NULL) {
        return NULL;
    }
    memcpy(dir, path, n);
    dir[n] = '\0';
    char *r = bmx__path_join(dir, "../JPEGImages");
    free(dir);
    return r;
}

char *bmx__voc_images_root(const char *voc, const char *images)
{
    if (images != NULL) {
        return strdup(images);
    }
    struct stat sb;
    return bmx__voc_default_images_dir(voc, stat(voc, &sb) == 0 && S_ISDIR(sb.st_mode));
}


/* Fix up one parsed file: the image file it names, its size, boxes inside it.
 * `rep` may be NULL. */
static bmx_status finish_file(struct vfile *f, const char *images_dir,
                              const struct bmx_limits *limits, struct bmx__voc_report *rep,
                              bmx_error *err)
{
    bmx_status st = BMX_OK;
    char *img = NULL, *xml_stem = stem_of(f->path), *name_stem = stem_of(f->filename);
    char *buf = NULL;
    if (xml_stem == NULL || name_stem == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    /* <filename> is the truth, unless it names no file and one named after the
     * XML exists (files renamed after labelling, copied annotation templates). */
    if (strcmp(xml_stem, name_stem) != 0) {
        img = bmx__path_join(images_dir, f->filename);
        if (img != NULL && !file_exists(img)) {
            static const char *const exts[] = {".jpg", ".png", ".jpeg", ".JPG", ".PNG", ".JPEG"};
            for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
                char cand[512];
                int n = snprintf(cand, sizeof cand, "%s%s", xml_stem, exts[i]);
                char *full = n > 0 && (size_t)n < sizeof cand ? bmx__path_join(images_dir, cand) : NULL;
                if (full != NULL && file_exists(full)) {
                    char *fn = strdup(cand);
                    if (fn != NULL && rep != NULL) {
                        rep->filename_replaced = true;
                        snprintf(rep->given_filename, sizeof rep->given_filename, "%s",
                                 f->filename);
                    }
                    if (fn != NULL) {
                        free(f->filename);
                        f->filename = fn;
                    }
                    free(full);
                    break;
                }
                free(full);
            }
        }
        free(img);
        img = NULL;
    }
    /* No <size> (or 0 x 0, which some tools write): read it from the image. */
    if (f->width == 0 || f->height == 0) {
        img = bmx__path_join(images_dir, f->filename);
        size_t len;
        if (img == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        st = bmx__read_file(img, &buf, &len, err);
        if (st == BMX_OK) {
            st = bmx_image_probe((const uint8_t *)buf, len, &f->width, &f->height, err);
            if (st != BMX_OK) {
                bmx__prefix(err, st, "%s", img);
            }
        }
        if (st != BMX_OK && rep != NULL) {
            char detail[sizeof rep->detail];
            snprintf(detail, sizeof detail, "missing, and the image size cannot be read (%.600s)",
                     err != NULL ? err->message : bmx_strerror(st));
            set_fault(rep, BMX__VOC_SIZE_UNKNOWN, "annotation/size", f->size_line, detail);
        }
        if (st != BMX_OK) {
            bmx__prefix(err, st, "%s: annotation/size: missing, and the image size cannot be read", f->path);
            goto done;
        }
    }
    uint64_t pixels = (uint64_t)f->width * (uint64_t)f->height;
    if (limits != NULL && limits->max_image_pixels > 0 && pixels > limits->max_image_pixels) {
        if (rep != NULL) {
            char detail[160];
            snprintf(detail, sizeof detail, "%d x %d pixels exceeds the limit of %" PRIu64,
                     (int)f->width, (int)f->height, limits->max_image_pixels);
            set_fault(rep, BMX__VOC_IMAGE_TOO_LARGE, "annotation/size", f->size_line, detail);
        }
        st = bmx__fail(err, BMX_E_LIMIT, "%s: annotation/size: %d x %d pixels exceeds the limit of %" PRIu64,
                       f->path, (int)f->width, (int)f->height, limits->max_image_pixels);
        goto done;
    }
    for (size_t k = 0; k < f->n_objs; k++) {
        const struct vobj *o = &f->objs[k];
        if (rep != NULL && (o->v[2] > f->width || o->v[3] > f->height)) {
            bool x = o->v[2] > f->width;
            char fpath[96], detail[160];
            snprintf(fpath, sizeof fpath, "annotation/object[%zu]/bndbox/%s", k + 1,
                     x ? "xmax" : "ymax");
            snprintf(detail, sizeof detail, "%s %g is outside the image %s %d",
                     x ? "xmax" : "ymax", x ? o->v[2] : o->v[3], x ? "width" : "height",
                     (int)(x ? f->width : f->height));
            set_fault(rep, BMX__VOC_BOX_OUTSIDE, fpath, o->line, detail);
        }
        if (o->v[2] > f->width) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: annotation/object[%zu]/bndbox: xmax %g is outside the image width %d (line %lu)",
                           f->path, k + 1, o->v[2], (int)f->width, o->line);
            goto done;
        }
        if (o->v[3] > f->height) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: annotation/object[%zu]/bndbox: ymax %g is outside the image height %d (line %lu)",
                           f->path, k + 1, o->v[3], (int)f->height, o->line);
            goto done;
        }
    }
done:
    free(buf);
    free(img);
    free(xml_stem);
    free(name_stem);
    return st;
}

static bool ds_own(bmx_dataset *ds, char *s)
{
    if (s == NULL) {
        return false;
    }
    if (ds->n_strings == ds->cap_strings) {
        size_t cap = ds->cap_strings ? ds->cap_strings * 2 : 64;
        char **v = bmx__realloc_array(ds->strings, cap, sizeof *v);
        if (v == NULL) {
            free(s);
            return false;
        }
        ds->strings = v;
        ds->cap_strings = cap;
    }
    ds->strings[ds->n_strings++] = s;
    return true;
}

/* Move a record's fields into a cJSON object owned by ds->extras. NULL when the
 * record has no field (for objects) or on failure (*ok = false). */
static cJSON *adopt_extra(bmx_dataset *ds, cJSON *obj, bool *ok)
{
    if (obj == NULL) {
        *ok = false;
        return NULL;
    }
    if (!cJSON_AddItemToArray(ds->extras, obj)) {
        cJSON_Delete(obj);
        *ok = false;
        return NULL;
    }
    return obj;
}

static bool add_str(cJSON *obj, const char *key, const char *s)
{
    return cJSON_AddStringToObject(obj, key, s) != NULL;
}

static bool add_num(cJSON *obj, const char *key, double v)
{
    return cJSON_AddNumberToObject(obj, key, v) != NULL;
}

static bool add_buf(cJSON *obj, const char *key, const struct bmx__buf *b)
{
    if (b->len == 0) {
        return true;
    }
    return add_str(obj, key, b->data);
}

/* The end every image's and object's extra fields share: the unknown elements
 * as "voc_extra" and boxmix's provenance as "boxmix" (moved in: *boxmix becomes
 * NULL once `obj` owns it). */
static bool add_tail(cJSON *obj, const struct bmx__buf *unknown, cJSON **boxmix)
{
    if (!add_buf(obj, "voc_extra", unknown)) {
        return false;
    }
    if (*boxmix != NULL) {
        if (!cJSON_AddItemToObject(obj, "boxmix", *boxmix)) {
            return false;
        }
        *boxmix = NULL;
    }
    return true;
}

static bmx_status build_dataset(const char *path, struct vfile *files, size_t n_files,
                                const struct bmx_labels *labels, bmx_dataset **out,
                                bmx_error *err)
{
    bmx_status st = BMX_OK;
    struct bmx__strlist found = {0};
    const char **sorted = NULL; /* category names sorted, for lookup */
    int64_t *sorted_id = NULL;
    size_t n_obj = 0;
    bool ok = true;
    bmx_dataset *ds = calloc(1, sizeof *ds);
    if (ds == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
    }
    for (size_t i = 0; i < n_files; i++) {
        if (!bmx__add_size(n_obj, files[i].n_objs, &n_obj)) {
            st = bmx__fail(err, BMX_E_OVERFLOW, "%s: too many objects", path);
            goto done;
        }
    }
    ds->name = strdup(path);
    ds->extras = cJSON_CreateArray();
    ds->root = cJSON_CreateObject();
    size_t ni = n_files ? n_files : 1, no = n_obj ? n_obj : 1;
    ds->images = calloc(ni, sizeof *ds->images);
    ds->img_first = calloc(ni, sizeof *ds->img_first);
    ds->img_count = calloc(ni, sizeof *ds->img_count);
    ds->objects = calloc(no, sizeof *ds->objects);
    ds->obj_image = calloc(no, sizeof *ds->obj_image);
    ds->file_order = calloc(no, sizeof *ds->file_order);
    if (ds->name == NULL || ds->extras == NULL || ds->root == NULL || ds->images == NULL ||
        ds->img_first == NULL || ds->img_count == NULL || ds->objects == NULL ||
        ds->obj_image == NULL || ds->file_order == NULL ||
        cJSON_AddArrayToObject(ds->root, "images") == NULL ||
        cJSON_AddArrayToObject(ds->root, "annotations") == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
        goto done;
    }

    /* Categories: the labels file's order, or the names found, sorted. */
    if (labels != NULL) {
        for (size_t i = 0; i < labels->count && ok; i++) {
            ok = bmx__strlist_push(&found, strdup(labels->names[i]));
        }
    } else {
        for (size_t i = 0; i < n_files && ok; i++) {
            for (size_t k = 0; k < files[i].n_objs && ok; k++) {
                ok = bmx__strlist_push(&found, strdup(files[i].objs[k].name));
            }
        }
        if (ok && found.n > 0) {
            qsort(found.v, found.n, sizeof *found.v, bmx__strlist_cmp);
            size_t u = 0;
            for (size_t i = 0; i < found.n; i++) {
                if (u > 0 && strcmp(found.v[u - 1], found.v[i]) == 0) {
                    free(found.v[i]);
                } else {
                    found.v[u++] = found.v[i];
                }
            }
            found.n = u;
        }
    }
    cJSON *cats = cJSON_AddArrayToObject(ds->root, "categories");
    ds->cats = calloc(found.n ? found.n : 1, sizeof *ds->cats);
    sorted = calloc(found.n ? found.n : 1, sizeof *sorted);
    sorted_id = calloc(found.n ? found.n : 1, sizeof *sorted_id);
    if (!ok || cats == NULL || ds->cats == NULL || sorted == NULL || sorted_id == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
        goto done;
    }
    for (size_t i = 0; i < found.n; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON *name = NULL;
        if (c == NULL || !cJSON_AddItemToArray(cats, c) || !add_num(c, "id", (double)(i + 1)) ||
            (name = cJSON_AddStringToObject(c, "name", found.v[i])) == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
            goto done;
        }
        ds->cats[i] = (struct bmx_category){.id = (int64_t)(i + 1), .name = name->valuestring};
        ds->n_cats = i + 1;
        sorted[i] = name->valuestring;
    }
    /* Lookup: names sorted, ids alongside (labels come unsorted). */
    for (size_t i = 0; i < found.n; i++) {
        size_t j = i;
        while (j > 0 && strcmp(sorted[j - 1], ds->cats[i].name) > 0) {
            sorted[j] = sorted[j - 1];
            sorted_id[j] = sorted_id[j - 1];
            j--;
        }
        sorted[j] = ds->cats[i].name;
        sorted_id[j] = ds->cats[i].id;
    }

    size_t slot = 0;
    for (size_t i = 0; i < n_files; i++) {
        struct vfile *f = &files[i];
        struct bmx_image_info *info = &ds->images[i];
        cJSON *ex = cJSON_CreateObject();
        ok = ex != NULL;
        if (ok && f->folder != NULL) {
            ok = add_str(ex, "folder", f->folder);
        }
        if (ok && f->has_depth) {
            ok = add_num(ex, "depth", f->depth);
        }
        if (ok && f->has_segmented) {
            ok = add_num(ex, "segmented", f->segmented);
        }
        ok = ok && add_tail(ex, &f->unknown, &f->boxmix);
        if (!ok) {
            cJSON_Delete(ex);
            st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
            goto done;
        }
        info->id = (int64_t)(i + 1);
        info->id_str = NULL;
        info->width = f->width;
        info->height = f->height;
        info->extra = adopt_extra(ds, ex, &ok);
        if (!ok || !ds_own(ds, strdup(f->filename))) {
            st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
            goto done;
        }
        info->file_name = ds->strings[ds->n_strings - 1];
        ds->n_images = i + 1;
        ds->img_first[i] = slot;
        ds->img_count[i] = f->n_objs;
        for (size_t k = 0; k < f->n_objs; k++, slot++) {
            struct vobj *o = &f->objs[k];
            const char **hit = bsearch(&o->name, sorted, found.n, sizeof *sorted, bmx__strlist_cmp);
            if (hit == NULL) {
                st = bmx__fail(err, BMX_E_SCHEMA,
                               "%s: annotation/object[%zu]/name: '%s' is not in the labels file (line %lu)",
                               f->path, k + 1, o->name, o->line);
                goto done;
            }
            struct bmx_object *obj = &ds->objects[slot];
            obj->id = (int64_t)(slot + 1);
            obj->category_id = sorted_id[hit - sorted];
            obj->bbox = (struct bmx_box){o->v[0] - 1, o->v[1] - 1, o->v[2] - o->v[0] + 1,
                                         o->v[3] - o->v[1] + 1};
            obj->area = obj->bbox.w * obj->bbox.h;
            obj->has_area = true;
            obj->iscrowd = 0;
            obj->has_iscrowd = true;
            obj->seg_kind = BMX_SEG_NONE;
            ds->obj_image[slot] = i;
            ds->file_order[slot] = slot;
            ds->n_objects = slot + 1;
            bool any = o->pose != NULL || o->has_truncated || o->has_difficult ||
                       o->has_occluded || o->unknown.len > 0 || o->boxmix != NULL;
            if (!any) {
                continue;
            }
            cJSON *oe = cJSON_CreateObject();
            ok = oe != NULL;
            if (ok && o->pose != NULL) {
                ok = add_str(oe, "pose", o->pose);
            }
            if (ok && o->has_truncated) {
                ok = add_num(oe, "truncated", o->truncated);
            }
            if (ok && o->has_difficult) {
                ok = add_num(oe, "difficult", o->difficult);
            }
            if (ok && o->has_occluded) {
                ok = add_num(oe, "occluded", o->occluded);
            }
            ok = ok && add_tail(oe, &o->unknown, &o->boxmix);
            if (!ok) {
                cJSON_Delete(oe);
                st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
                goto done;
            }
            obj->extra = adopt_extra(ds, oe, &ok);
            if (!ok) {
                st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
                goto done;
            }
        }
    }
    *out = ds;
    ds = NULL;
done:
    bmx__strlist_free(&found);
    free(sorted);
    free(sorted_id);
    bmx_dataset_free(ds);
    return st;
}

/* bmx_dataset_read_voc, telling the checker what went wrong through `rep` (may
 * be NULL). */
static bmx_status read_voc(const char *path, const struct bmx_voc_options *opts,
                           bmx_dataset **out, struct bmx__voc_report *rep, bmx_error *err)
{
    struct bmx_voc_options defaults;
    struct bmx__strlist xmls = {0};
    struct vfile *files = NULL;
    char *images_dir = NULL;
    bmx_status st = BMX_OK;
    if (out == NULL || path == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "read VOC: NULL argument");
    }
    *out = NULL;
    if (opts == NULL) {
        bmx_voc_options_init(&defaults);
        opts = &defaults;
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    bool is_dir = S_ISDIR(sb.st_mode);
    if (is_dir) {
        st = list_files(path, opts->split, &xmls, err);
    } else if (opts->split != NULL) {
        st = bmx__fail(err, BMX_E_INVALID, "%s: a split needs a VOC folder, not one XML file", path);
    } else if (!bmx__strlist_push(&xmls, strdup(path))) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    if (st != BMX_OK) {
        goto done;
    }
    images_dir = opts->images_dir != NULL ? strdup(opts->images_dir) : bmx__voc_default_images_dir(path, is_dir);
    files = calloc(xmls.n ? xmls.n : 1, sizeof *files);
    if (images_dir == NULL || files == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < xmls.n; i++) {
        files[i].path = xmls.v[i];
        xmls.v[i] = NULL;
        st = parse_file(&files[i], rep, err);
        if (st == BMX_OK) {
            st = finish_file(&files[i], images_dir, &opts->limits, rep, err);
        }
        if (st != BMX_OK) {
            goto done;
        }
    }
    st = build_dataset(path, files, xmls.n, opts->labels, out, err);
done:
    for (size_t i = 0; files != NULL && i < xmls.n; i++) {
        vfile_free(&files[i]);
    }
    free(files);
    free(images_dir);
    bmx__strlist_free(&xmls);
    return st;
}

bmx_status bmx_dataset_read_voc(const char *path, const struct bmx_voc_options *opts,
                                bmx_dataset **out, bmx_error *err)
{
    return read_voc(path, opts, out, NULL, err);
}

bmx_status bmx__voc_read_one(const char *xml_path, const struct bmx_voc_options *opts,
                             bmx_dataset **out, struct bmx__voc_report *report, bmx_error *err)
{
    memset(report, 0, sizeof *report);
    bmx_error local = {0};
    if (err == NULL) {
        err = &local;
    }
    bmx_status st = read_voc(xml_path, opts, out, report, err);
    if (st != BMX_OK && report->fault == BMX__VOC_OK) {
        /* A failure with no kind recorded (out of memory, a limit on counts):
         * keep the reader's message, less the file name it starts with. */
        const char *m = err->message;
        size_t n = strlen(xml_path);
        if (strncmp(m, xml_path, n) == 0 && strncmp(m + n, ": ", 2) == 0) {
            m += n + 2;
        }
        set_fault(report, st == BMX_E_IO ? BMX__VOC_IO : BMX__VOC_OTHER, "", 0, m);
    }
    return st;
}

/* ---- writing ---- */

struct writer {
    const bmx_dataset *ds;
    bmx_error *err;
    bmx_status st;
};

static const cJSON *extra_of(const void *extra, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive((const cJSON *)extra, key);
}

static bool put_leaf_text(struct bmx__buf *b, int level, const char *name, const char *text)
{
    put_indent(b, level);
    bmx__buf_printf(b, "<%s>", name);
    bool ok = put_escaped(b, text, strlen(text), false);
    bmx__buf_printf(b, "</%s>\n", name);
    return ok;
}

static void put_leaf_int(struct bmx__buf *b, int level, const char *name, long long v)
{
    put_indent(b, level);
    bmx__buf_printf(b, "<%s>%lld</%s>\n", name, v, name);
}

/* 0/1 from a number or boolean field, `def` when absent or of another type. */
static int flag_of(const cJSON *v, int def)
{
    if (cJSON_IsBool(v)) {
        return cJSON_IsTrue(v) ? 1 : 0;
    }
    if (cJSON_IsNumber(v)) {
        return v->valuedouble != 0 ? 1 : 0;
    }
    return def;
}

/* Pretty-print stored voc_extra XML (one or more sibling elements) at `level`,
 * checking that it is well-formed first. */
struct extra_parser {
    XML_Parser xp;
    struct xml_out out;
    int depth;
    bool too_deep;
};

static void ex_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct extra_parser *e = ud;
    if (++e->depth > BMX_VOC_MAX_DEPTH) {
        e->too_deep = true;
        XML_StopParser(e->xp, XML_FALSE);
        return;
    }
    if (e->depth > 1) {
        out_start(&e->out, name, atts);
    }
}

static void ex_end(void *ud, const XML_Char *name)
{
    struct extra_parser *e = ud;
    if (e->depth-- > 1) {
        out_end(&e->out, name);
    }
}

static void ex_text(void *ud, const XML_Char *s, int len)
{
    struct extra_parser *e = ud;
    if (e->depth > 1) {
        out_text(&e->out, s, len);
    }
}

static void ex_entity_decl(void *ud, const XML_Char *entity_name, int is_parameter_entity,
                           const XML_Char *value, int value_length, const XML_Char *base,
                           const XML_Char *system_id, const XML_Char *public_id,
                           const XML_Char *notation_name)
{
    (void)entity_name;
    (void)is_parameter_entity;
    (void)value;
    (void)value_length;
    (void)base;
    (void)system_id;
    (void)public_id;
    (void)notation_name;
    struct extra_parser *e = ud;
    XML_StopParser(e->xp, XML_FALSE);
}

static bmx_status put_voc_extra(struct writer *w, struct bmx__buf *b, int level, const cJSON *v,
                                const char *where)
{
    if (v == NULL) {
        return BMX_OK;
    }
    if (!cJSON_IsString(v)) {
        return bmx__fail(w->err, BMX_E_SCHEMA, "%s: %s.voc_extra: expected a string of XML elements",
                         w->ds->name, where);
    }
    bmx_status st = BMX_OK;
    struct bmx__buf doc = {0};
    bmx__buf_puts(&doc, "<voc_extra>");
    bmx__buf_puts(&doc, v->valuestring);
    bmx__buf_puts(&doc, "</voc_extra>");
    struct extra_parser e = {.out = {.b = b, .pretty = true, .base = level}};
    if (doc.failed || doc.len > INT_MAX) {
        bmx__buf_free(&doc);
        return bmx__fail(w->err, BMX_E_NOMEM, "%s: %s.voc_extra: out of memory", w->ds->name, where);
    }
    e.xp = XML_ParserCreate("UTF-8");
    if (e.xp == NULL) {
        bmx__buf_free(&doc);
        return bmx__fail(w->err, BMX_E_NOMEM, "out of memory");
    }
    XML_SetUserData(e.xp, &e);
    XML_SetElementHandler(e.xp, ex_start, ex_end);
    XML_SetCharacterDataHandler(e.xp, ex_text);
    XML_SetEntityDeclHandler(e.xp, ex_entity_decl);
    if (XML_Parse(e.xp, doc.data, (int)doc.len, XML_TRUE) != XML_STATUS_OK || e.too_deep) {
        st = bmx__fail(w->err, BMX_E_SCHEMA, "%s: %s.voc_extra: not well-formed XML elements (%s)",
                       w->ds->name, where,
                       e.too_deep ? "nested too deep" : XML_ErrorString(XML_GetErrorCode(e.xp)));
    } else if (e.out.bad_char) {
        st = bmx__fail(w->err, BMX_E_SCHEMA, "%s: %s.voc_extra: a character XML cannot carry",
                       w->ds->name, where);
    } else if (e.out.last != EV_NONE) {
        bmx__buf_put(b, "\n", 1);
    }
    XML_ParserFree(e.xp);
    bmx__buf_free(&e.out.text);
    bmx__buf_free(&doc);
    return st;
}

/* <boxmix> with one child per key of the "boxmix" field. */
static bmx_status put_boxmix(struct writer *w, struct bmx__buf *b, int level, const cJSON *bm,
                             const char *where)
{
    if (bm == NULL) {
        return BMX_OK;
    }
    if (!cJSON_IsObject(bm)) {
        return bmx__fail(w->err, BMX_E_SCHEMA, "%s: %s.boxmix: expected an object", w->ds->name, where);
    }
    put_indent(b, level);
    bmx__buf_puts(b, "<boxmix>\n");
    for (const cJSON *c = bm->child; c != NULL; c = c->next) {
        if (!is_xml_name(c->string)) {
            return bmx__fail(w->err, BMX_E_SCHEMA, "%s: %s.boxmix.%s: not usable as an XML element name",
                             w->ds->name, where, c->string);
        }
        put_indent(b, level + 1);
        bmx__buf_printf(b, "<%s>", c->string);
        if (cJSON_IsNumber(c)) {
            bmx__buf_number(b, c->valuedouble);
        } else if (cJSON_IsString(c)) {
            if (!put_escaped(b, c->valuestring, strlen(c->valuestring), false)) {
                return bmx__fail(w->err, BMX_E_SCHEMA, "%s: %s.boxmix.%s: a character XML cannot carry",
                                 w->ds->name, where, c->string);
            }
        } else if (cJSON_IsBool(c)) {
            bmx__buf_puts(b, cJSON_IsTrue(c) ? "true" : "false");
        } else if (cJSON_IsArray(c)) {
            for (const cJSON *x = c->child; x != NULL; x = x->next) {
                if (!cJSON_IsNumber(x)) {
                    return bmx__fail(w->err, BMX_E_SCHEMA,
                                     "%s: %s.boxmix.%s: only arrays of numbers can be written",
                                     w->ds->name, where, c->string);
                }
                if (x != c->child) {
                    bmx__buf_put(b, " ", 1);
                }
                bmx__buf_number(b, x->valuedouble);
            }
        } else {
            return bmx__fail(w->err, BMX_E_SCHEMA, "%s: %s.boxmix.%s: cannot be written as XML text",
                             w->ds->name, where, c->string);
        }
        bmx__buf_printf(b, "</%s>\n", c->string);
    }
    put_indent(b, level);
    bmx__buf_puts(b, "</boxmix>\n");
    return BMX_OK;
}

/* COCO box -> VOC indices, rounded outward and clamped to [1, size]. */
static void voc_range(double x, double w, int32_t size, long long *lo, long long *hi)
{
    double a = floor(x + VOC_ROUND_EPS) + 1;
    double b = ceil(x + w - VOC_ROUND_EPS);
    a = a < 1 ? 1 : (a > size ? size : a);
    b = b < 1 ? 1 : (b > size ? size : b);
    if (b < a) {
        b = a;
    }
    *lo = (long long)a;
    *hi = (long long)b;
}

static bmx_status put_object(struct writer *w, struct bmx__buf *b, const struct bmx_image_info *info,
                             const struct bmx_object *o, size_t index)
{
    char where[64];
    snprintf(where, sizeof where, "annotations[id %" PRId64 "]", o->id);
    (void)index;
    const char *cname = bmx_dataset_category_name(w->ds, o->category_id);
    if (cname == NULL) {
        return bmx__fail(w->err, BMX_E_SCHEMA, "%s: %s: no category has id %" PRId64, w->ds->name,
                         where, o->category_id);
    }
    const cJSON *pose = extra_of(o->extra, "pose");
    const cJSON *bm = extra_of(o->extra, "boxmix");
    const cJSON *vis = cJSON_GetObjectItemCaseSensitive(bm, "visibility");
    int truncated = flag_of(extra_of(o->extra, "truncated"), 0);
    if (cJSON_IsNumber(vis) && vis->valuedouble < 1) {
        truncated = 1; /* CutMix clipped it */
    }
    int difficult = flag_of(extra_of(o->extra, "difficult"), 0) || o->iscrowd == 1;
    const cJSON *occluded = extra_of(o->extra, "occluded");
    long long x0, y0, x1, y1;
    voc_range(o->bbox.x, o->bbox.w, info->width, &x0, &x1);
    voc_range(o->bbox.y, o->bbox.h, info->height, &y0, &y1);

    bmx__buf_puts(b, "  <object>\n");
    bool ok = put_leaf_text(b, 2, "name", cname);
    ok = put_leaf_text(b, 2, "pose", cJSON_IsString(pose) ? pose->valuestring : "Unspecified") && ok;
    if (!ok) {
        return bmx__fail(w->err, BMX_E_SCHEMA, "%s: %s: a name or pose holds a character XML cannot carry",
                         w->ds->name, where);
    }
    put_leaf_int(b, 2, "truncated", truncated);
    put_leaf_int(b, 2, "difficult", difficult);
    if (occluded != NULL) {
        put_leaf_int(b, 2, "occluded", flag_of(occluded, 0));
    }
    bmx__buf_puts(b, "    <bndbox>\n");
    put_leaf_int(b, 3, "xmin", x0);
    put_leaf_int(b, 3, "ymin", y0);
    put_leaf_int(b, 3, "xmax", x1);
    put_leaf_int(b, 3, "ymax", y1);
    bmx__buf_puts(b, "    </bndbox>\n");
    bmx_status st = put_voc_extra(w, b, 2, extra_of(o->extra, "voc_extra"), where);
    if (st == BMX_OK) {
        st = put_boxmix(w, b, 2, bm, where);
    }
    bmx__buf_puts(b, "  </object>\n");
    return st;
}

static bmx_status image_xml(struct writer *w, size_t i, struct bmx__buf *b)
{
    const bmx_dataset *ds = w->ds;
    const struct bmx_image_info *info = &ds->images[i];
    char where[48];
    snprintf(where, sizeof where, "images[%zu]", i);
    const cJSON *folder = extra_of(info->extra, "folder");
    const cJSON *depth = extra_of(info->extra, "depth");
    bmx__buf_puts(b, "<annotation>\n");
    bool ok = put_leaf_text(b, 1, "folder", cJSON_IsString(folder) ? folder->valuestring : "VOC2012");
    ok = put_leaf_text(b, 1, "filename", bmx__base_name(info->file_name)) && ok;
    if (!ok) {
        return bmx__fail(w->err, BMX_E_SCHEMA, "%s: %s: folder or file_name holds a character XML cannot carry",
                         ds->name, where);
    }
    bmx_status st = put_voc_extra(w, b, 1, extra_of(info->extra, "voc_extra"), where);
    if (st != BMX_OK) {
        return st;
    }
    bmx__buf_puts(b, "  <size>\n");
    put_leaf_int(b, 2, "width", info->width);
    put_leaf_int(b, 2, "height", info->height);
    put_leaf_int(b, 2, "depth",
                 cJSON_IsNumber(depth) && depth->valuedouble >= 0 && depth->valuedouble <= 64
                     ? (long long)depth->valuedouble
                     : 3);
    bmx__buf_puts(b, "  </size>\n");
    put_leaf_int(b, 1, "segmented", flag_of(extra_of(info->extra, "segmented"), 0));
    st = put_boxmix(w, b, 1, extra_of(info->extra, "boxmix"), where);
    const struct bmx_object *objs = ds->objects + ds->img_first[i];
    for (size_t q = 0; q < ds->img_count[i] && st == BMX_OK; q++) {
        st = put_object(w, b, info, &objs[q], q);
    }
    bmx__buf_puts(b, "</annotation>\n");
    if (st == BMX_OK && b->failed) {
        st = bmx__fail(w->err, BMX_E_NOMEM, "%s: %s: out of memory", ds->name, where);
    }
    return st;
}

struct stem_sort {
    char **stems;
    size_t idx;
};

static int cmp_stem_entry(const void *a, const void *b)
{
    const struct stem_sort *x = a, *y = b;
    int c = strcmp(x->stems[x->idx], y->stems[y->idx]);
    if (c != 0) {
        return c;
    }
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

bmx_status bmx__voc_stems(const bmx_dataset *ds, char ***out, bmx_error *err)
{
    bmx_status st = BMX_OK;
    size_t n = ds->n_images;
    char **stems = calloc(n ? n : 1, sizeof *stems);
    struct stem_sort *order = calloc(n ? n : 1, sizeof *order);
    if (stems == NULL || order == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const char *fn = ds->images[i].file_name;
        stems[i] = stem_of(fn);
        if (stems[i] == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        const char *s = stems[i];
        bool bad = s[0] == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
        for (; *s && !bad; s++) {
            bad = (unsigned char)*s < 0x20;
        }
        if (bad) {
            st = bmx__fail(err, BMX_E_SCHEMA, "%s: images[%zu].file_name: '%s' gives no usable VOC image id",
                           ds->name, i, fn);
            goto done;
        }
        order[i] = (struct stem_sort){stems, i};
    }
    if (n > 0) {
        qsort(order, n, sizeof *order, cmp_stem_entry);
    }
    for (size_t k = 1; k < n; k++) {
        if (strcmp(stems[order[k - 1].idx], stems[order[k].idx]) == 0) {
            size_t a = order[k - 1].idx, b = order[k].idx;
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: images[%zu].file_name '%s' and images[%zu].file_name '%s' both give Annotations/%s.xml",
                           ds->name, a, ds->images[a].file_name, b, ds->images[b].file_name, stems[a]);
            goto done;
        }
    }
    *out = stems;
    stems = NULL;
done:
    for (size_t i = 0; stems != NULL && i < n; i++) {
        free(stems[i]);
    }
    free(stems);
    free(order);
    return st;
}

void bmx__voc_free_stems(char **stems, size_t n)
{
    for (size_t i = 0; stems != NULL && i < n; i++) {
        free(stems[i]);
    }
    free(stems);
}

bmx_status bmx__voc_write_at(const bmx_dataset *ds, int dir, const char *shown,
                             volatile const int *cancel, bmx_error *err)
{
    struct writer w = {ds, err, BMX_OK};
    char **stems = NULL;
    struct bmx__buf b = {0}, list = {0};
    size_t *offs = NULL;
    int ann = -1, sets = -1;
    bmx_status st = bmx__voc_stems(ds, &stems, err);
    if (st != BMX_OK) {
        goto done;
    }
    /* Build every file before writing any: bad content leaves nothing behind. */
    offs = calloc(ds->n_images + 1, sizeof *offs);
    if (offs == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < ds->n_images && st == BMX_OK; i++) {
        offs[i] = b.len;
        st = image_xml(&w, i, &b);
        bmx__buf_puts(&list, stems[i]);
        bmx__buf_put(&list, "\n", 1);
    }
    offs[ds->n_images] = b.len;
    if (st == BMX_OK && (b.failed || list.failed)) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    /* Both folders first: one that cannot be made stops the run before any file. */
    if (st == BMX_OK) {
        st = bmx__dir_open(dir, shown, "Annotations", true, &ann, err);
    }
    if (st == BMX_OK) {
        st = bmx__dir_open(dir, shown, "ImageSets/Main", true, &sets, err);
    }
    char *ann_shown = bmx__path_join(shown, "Annotations");
    if (st == BMX_OK && ann_shown == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < ds->n_images && st == BMX_OK; i++) {
        if (cancel != NULL && *cancel) {
            st = bmx__fail(err, BMX_E_INTERRUPTED, "%s: interrupted while writing the VOC files",
                           shown);
            break;
        }
        char file[600];
        int n = snprintf(file, sizeof file, "%s.xml", stems[i]);
        if (n <= 0 || (size_t)n >= sizeof file) {
            st = bmx__fail(err, BMX_E_NOMEM, "%s: name too long", stems[i]);
            break;
        }
        st = bmx__outfile_write(ann, ann_shown, file, b.data + offs[i], offs[i + 1] - offs[i], false,
                                err);
    }
    free(ann_shown);
    if (st == BMX_OK) {
        st = bmx__outfile_write(dir, shown, "ImageSets/Main/trainval.txt", list.data ? list.data : "",
                                list.len, true, err);
    }
done:
    if (ann >= 0) {
        close(ann);
    }
    if (sets >= 0) {
        close(sets);
    }
    free(offs);
    bmx__voc_free_stems(stems, ds->n_images);
    bmx__buf_free(&b);
    bmx__buf_free(&list);
    return st;
}

bmx_status bmx_dataset_write_voc(const bmx_dataset *ds, const char *out_dir, bmx_error *err)
{
    if (ds == NULL || out_dir == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "write VOC: NULL argument");
    }
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot create folder: %s", out_dir, strerror(errno));
    }
    int dir = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open folder: %s", out_dir, strerror(errno));
    }
    bmx_status st = bmx__voc_write_at(ds, dir, out_dir, NULL, err);
    close(dir);
    return st;
}
