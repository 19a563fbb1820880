/* SPDX-License-Identifier: MIT */
/* Pascal VOC XML parsing: one annotation file read with expat into a per-file
 * record (struct vfile, its objects struct vobj), checking each element as it
 * ends and stopping at the first problem, which is also recorded for the checker
 * (bmx__voc_set_fault). Limits: BMX_VOC_MAX_FILE_BYTES per file,
 * BMX_VOC_MAX_DEPTH of nesting; entity declarations are refused. Elements
 * boxmix does not know are re-serialised (tags, attributes, text; blank text
 * between tags and comments dropped) into a "voc_extra" string of the image or
 * object. */
#include "voc_internal.h"

#include <errno.h>
#include <expat.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static void vobj_free(struct vobj *o)
{
    free(o->name);
    free(o->pose);
    bmx__buf_free(&o->unknown);
    cJSON_Delete(o->boxmix);
}

void bmx__voc_vfile_free(struct vfile *f)
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
void bmx__voc_set_fault(struct bmx__voc_report *rep, enum bmx__voc_fault fault, const char *path,
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
    bmx__voc_set_fault(p->rep, fault, fpath, (unsigned long)XML_GetCurrentLineNumber(p->xp),
                       detail);
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
    bmx__voc_out_start(&p->cap, name, atts);
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
        bmx__voc_out_start(&p->cap, name, atts);
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
        bmx__voc_out_text(&p->cap, s, len);
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
 * JSON text of a nested value (holes, tiles: what the writer writes so), else the
 * text. */
static cJSON *boxmix_value(const char *text)
{
    double v;
    if (parse_number(text, &v)) {
        return cJSON_CreateNumber(v);
    }
    if (text[0] == '[' || text[0] == '{') {
        cJSON *nested = cJSON_ParseWithOpts(text, NULL, true);
        if (nested != NULL) {
            return nested;
        }
    }
    if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
        return cJSON_CreateBool(text[0] == 't');
    }
    /* Several blank-separated numbers: an array. */
    size_t count = 0;
    const char *s = text;
    bool all_numbers = true;
    while (*s != '\0' && all_numbers) {
        while (bmx__voc_is_blank(*s)) {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        char *end;
        double x = strtod(s, &end);
        if (end == s || !isfinite(x) || (*end != '\0' && !bmx__voc_is_blank(*end))) {
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
        while (bmx__voc_is_blank(*s)) {
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
    char *text = bmx__voc_trim(p->text.data);
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
        bmx__voc_out_end(&p->cap, name);
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
bmx_status bmx__voc_parse_file(struct vfile *f, struct bmx__voc_report *rep, bmx_error *err)
{
    struct stat sb;
    /* Open and read failures get their kind from the status (bmx__voc_read_one). */
    if (stat(f->path, &sb) != 0) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open: %s", f->path, strerror(errno));
    }
    if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > BMX_VOC_MAX_FILE_BYTES) {
        bmx__voc_set_fault(rep, BMX__VOC_TOO_LARGE, "", 0,
                           "larger than the 64 MB limit for a VOC file");
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
        bmx__voc_set_fault(rep, BMX__VOC_TOO_LARGE, "", 0,
                           "larger than the 64 MB limit for a VOC file");
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
        bmx__voc_set_fault(rep, BMX__VOC_SYNTAX, "", (unsigned long)XML_GetCurrentLineNumber(p.xp),
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
