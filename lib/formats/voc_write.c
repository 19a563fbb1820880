/* SPDX-License-Identifier: MIT */
/* Pascal VOC writing: a dataset as Annotations/<stem>.xml files and
 * ImageSets/Main/trainval.txt. Boxes round outward to whole pixels (xmin =
 * floor(x) + 1, xmax = ceil(x + w)), so VOC -> COCO -> VOC is the identity;
 * stored "voc_extra" XML is checked and pretty-printed back verbatim, and the
 * "boxmix" field becomes a <boxmix> element. Every file is built before any is
 * written. */
#include "voc_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <expat.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Outward rounding tolerates float noise: 28.0000000001 is pixel 28, not 29. */
#define VOC_ROUND_EPS 1e-6

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

struct writer {
    const struct bmx__voc_records *rec;
    bmx_error *err;
    bmx_status st;
};

static const cJSON *extra_of(const void *extra, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive((const cJSON *)extra, key);
}

static bool put_leaf_text(struct bmx__buf *b, int level, const char *name, const char *text)
{
    bmx__voc_put_indent(b, level);
    bmx__buf_printf(b, "<%s>", name);
    bool ok = bmx__voc_put_escaped(b, text, strlen(text), false);
    bmx__buf_printf(b, "</%s>\n", name);
    return ok;
}

static void put_leaf_int(struct bmx__buf *b, int level, const char *name, long long v)
{
    bmx__voc_put_indent(b, level);
    bmx__buf_printf(b, "<%s>%lld</%s>\n", name, v, name);
}

/* The record's provenance: the one given for it, else its own "boxmix" field. */
static const cJSON *given_boxmix(cJSON *const *given, size_t i, const void *extra)
{
    return given != NULL && given[i] != NULL ? given[i] : extra_of(extra, "boxmix");
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
        bmx__voc_out_start(&e->out, name, atts);
    }
}

static void ex_end(void *ud, const XML_Char *name)
{
    struct extra_parser *e = ud;
    if (e->depth-- > 1) {
        bmx__voc_out_end(&e->out, name);
    }
}

static void ex_text(void *ud, const XML_Char *s, int len)
{
    struct extra_parser *e = ud;
    if (e->depth > 1) {
        bmx__voc_out_text(&e->out, s, len);
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
        return bmx__fail(w->err, BMX_E_SCHEMA,
                         "%s: %s.voc_extra: expected a string of XML elements", w->rec->name,
                         where);
    }
    bmx_status st = BMX_OK;
    struct bmx__buf doc = {0};
    bmx__buf_puts(&doc, "<voc_extra>");
    bmx__buf_puts(&doc, v->valuestring);
    bmx__buf_puts(&doc, "</voc_extra>");
    struct extra_parser e = {.out = {.b = b, .pretty = true, .base = level}};
    if (doc.failed || doc.len > INT_MAX) {
        bmx__buf_free(&doc);
        return bmx__fail(w->err, BMX_E_NOMEM, "%s: %s.voc_extra: out of memory", w->rec->name,
                         where);
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
                       w->rec->name, where,
                       e.too_deep ? "nested too deep" : XML_ErrorString(XML_GetErrorCode(e.xp)));
    } else if (e.out.bad_char) {
        st = bmx__fail(w->err, BMX_E_SCHEMA, "%s: %s.voc_extra: a character XML cannot carry",
                       w->rec->name, where);
    } else if (e.out.last != EV_NONE) {
        bmx__buf_put(b, "\n", 1);
    }
    XML_ParserFree(e.xp);
    bmx__buf_free(&e.out.text);
    bmx__buf_free(&doc);
    return st;
}

/* An array of two or more numbers. */
static bool numbers_only(const cJSON *arr)
{
    int n = 0;
    for (const cJSON *x = arr->child; x != NULL; x = x->next, n++) {
        if (!cJSON_IsNumber(x)) {
            return false;
        }
    }
    return n >= 2;
}

/* <boxmix> with one child per key of the "boxmix" field. */
static bmx_status put_boxmix(struct writer *w, struct bmx__buf *b, int level, const cJSON *bm,
                             const char *where)
{
    if (bm == NULL) {
        return BMX_OK;
    }
    if (!cJSON_IsObject(bm)) {
        return bmx__fail(w->err, BMX_E_SCHEMA, "%s: %s.boxmix: expected an object", w->rec->name,
                         where);
    }
    bmx__voc_put_indent(b, level);
    bmx__buf_puts(b, "<boxmix>\n");
    for (const cJSON *c = bm->child; c != NULL; c = c->next) {
        if (!is_xml_name(c->string)) {
            return bmx__fail(w->err, BMX_E_SCHEMA,
                             "%s: %s.boxmix.%s: not usable as an XML element name", w->rec->name,
                             where, c->string);
        }
        bmx__voc_put_indent(b, level + 1);
        bmx__buf_printf(b, "<%s>", c->string);
        if (cJSON_IsNumber(c)) {
            bmx__buf_number(b, c->valuedouble);
        } else if (cJSON_IsString(c)) {
            if (!bmx__voc_put_escaped(b, c->valuestring, strlen(c->valuestring), false)) {
                return bmx__fail(w->err, BMX_E_SCHEMA,
                                 "%s: %s.boxmix.%s: a character XML cannot carry", w->rec->name,
                                 where, c->string);
            }
        } else if (cJSON_IsBool(c)) {
            bmx__buf_puts(b, cJSON_IsTrue(c) ? "true" : "false");
        } else if (cJSON_IsArray(c) && numbers_only(c)) {
            /* Two or more numbers (a patch): blank-separated, as VOC writes boxes. */
            for (const cJSON *x = c->child; x != NULL; x = x->next) {
                if (x != c->child) {
                    bmx__buf_put(b, " ", 1);
                }
                bmx__buf_number(b, x->valuedouble);
            }
        } else if (cJSON_IsArray(c) || cJSON_IsObject(c)) {
            /* Anything else nested (holes, tiles, a short id list): its JSON text,
             * which the reader takes back whole. */
            char *text = cJSON_PrintUnformatted(c);
            bool ok = text != NULL && bmx__voc_put_escaped(b, text, strlen(text), false);
            cJSON_free(text);
            if (!ok) {
                return bmx__fail(w->err, BMX_E_SCHEMA,
                                 "%s: %s.boxmix.%s: cannot be written as XML text", w->rec->name,
                                 where, c->string);
            }
        } else {
            return bmx__fail(w->err, BMX_E_SCHEMA,
                             "%s: %s.boxmix.%s: cannot be written as XML text", w->rec->name, where,
                             c->string);
        }
        bmx__buf_printf(b, "</%s>\n", c->string);
    }
    bmx__voc_put_indent(b, level);
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
    const char *cname = bmx_dataset_category_name(w->rec->cats_of, o->category_id);
    if (cname == NULL) {
        return bmx__fail(w->err, BMX_E_SCHEMA, "%s: %s: no category has id %" PRId64, w->rec->name,
                         where, o->category_id);
    }
    const cJSON *pose = extra_of(o->extra, "pose");
    const cJSON *bm = given_boxmix(w->rec->object_boxmix, index, o->extra);
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
        return bmx__fail(w->err, BMX_E_SCHEMA,
                         "%s: %s: a name or pose holds a character XML cannot carry", w->rec->name,
                         where);
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
    const struct bmx__voc_records *ds = w->rec;
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
    st = put_boxmix(w, b, 1, given_boxmix(ds->image_boxmix, i, info->extra), where);
    for (size_t q = 0; q < ds->img_count[i] && st == BMX_OK; q++) {
        size_t k = ds->img_first[i] + q;
        st = put_object(w, b, info, &ds->objects[k], k);
    }
    bmx__buf_puts(b, "</annotation>\n");
    if (st == BMX_OK && b->failed) {
        st = bmx__fail(w->err, BMX_E_NOMEM, "%s: %s: out of memory", ds->name, where);
    }
    return st;
}

bmx_status bmx__voc_write_at(const bmx_dataset *ds, int dir, const char *shown,
                             volatile const int *cancel, bmx_error *err)
{
    const struct bmx__voc_records rec = {
        ds->name,      ds,          ds->n_images, ds->images, ds->img_first,
        ds->img_count, ds->objects, NULL,         NULL};
    return bmx__voc_write_records(&rec, dir, shown, cancel, err);
}

bmx_status bmx__voc_write_records(const struct bmx__voc_records *ds, int dir, const char *shown,
                                  volatile const int *cancel, bmx_error *err)
{
    struct writer w = {ds, err, BMX_OK};
    char **stems = NULL;
    struct bmx__buf b = {0}, list = {0};
    size_t *offs = NULL;
    int ann = -1, sets = -1;
    bmx_status st = bmx__voc_stems_of(ds->name, ds->images, ds->n_images, &stems, err);
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
