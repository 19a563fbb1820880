/* SPDX-License-Identifier: MIT */
/* The decision log read back, line by line, for the statistics and the report. */
#include "decisions.h"

#include "safefs.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool get_number(const cJSON *o, const char *key, double *v)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble)) {
        return false;
    }
    *v = x->valuedouble;
    return true;
}

static bool get_int(const cJSON *o, const char *key, int64_t *v)
{
    double d;
    if (!get_number(o, key, &d) || d != floor(d) || fabs(d) > 9007199254740992.0) {
        return false;
    }
    *v = (int64_t)d;
    return true;
}

static bool get_box(const cJSON *o, const char *key, struct bmx_box *b, bool null_ok)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    memset(b, 0, sizeof *b);
    if (null_ok && cJSON_IsNull(x)) {
        return true;
    }
    if (!cJSON_IsArray(x) || cJSON_GetArraySize(x) != 4) {
        return false;
    }
    double v[4];
    for (int i = 0; i < 4; i++) {
        const cJSON *e = cJSON_GetArrayItem(x, i);
        if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble)) {
            return false;
        }
        v[i] = e->valuedouble;
    }
    *b = (struct bmx_box){v[0], v[1], v[2], v[3]};
    return true;
}

static bmx_status parse_line(const char *path, size_t line, const cJSON *o,
                             struct bmx__decision_rec *r, bmx_error *err)
{
    const char *bad = NULL;
    int64_t v = 0;
    double d = 0.0;
    memset(r, 0, sizeof *r);
    if (!cJSON_IsObject(o)) {
        return bmx__fail(err, BMX_E_SCHEMA, "%s: line %zu: expected a JSON object", path, line);
    }
    if (!get_int(o, "output", &v) || v < 0) {
        bad = "output";
    } else {
        r->output = (uint64_t)v;
    }
    if (bad == NULL && !get_int(o, "image_id", &r->image_id)) {
        bad = "image_id";
    }
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(o, "from");
    if (bad == NULL) {
        const char *s = cJSON_IsString(from) ? from->valuestring : "";
        r->d.from = strcmp(s, "base") == 0     ? BMX_FROM_BASE
                    : strcmp(s, "source") == 0 ? BMX_FROM_SOURCE
                    : strcmp(s, "tile") == 0   ? BMX_FROM_TILE
                                               : BMX_FROM_NONE;
        if (r->d.from == BMX_FROM_NONE) {
            bad = "from";
        }
    }
    /* Which input: 0 the base, 1 the source, a Mosaic's tile 0..3. A log written
     * before the key existed has only base and source lines. */
    if (bad == NULL) {
        if (cJSON_GetObjectItemCaseSensitive(o, "input") == NULL) {
            r->d.input = r->d.from == BMX_FROM_SOURCE ? 1 : 0;
            if (r->d.from == BMX_FROM_TILE) {
                bad = "input";
            }
        } else if (!get_int(o, "input", &v) || v < 0 || v > 3 ||
                   (r->d.from == BMX_FROM_BASE && v != 0) ||
                   (r->d.from == BMX_FROM_SOURCE && v != 1)) {
            bad = "input";
        } else {
            r->d.input = (int)v;
        }
    }
    if (bad == NULL && !get_int(o, "source_annotation_id", &r->d.annotation_id)) {
        bad = "source_annotation_id";
    }
    if (bad == NULL && !get_int(o, "category_id", &r->d.category_id)) {
        bad = "category_id";
    }
    if (bad == NULL) {
        if (!get_int(o, "iscrowd", &v) || (v != 0 && v != 1)) {
            bad = "iscrowd";
        } else {
            r->d.iscrowd = (int)v;
        }
    }
    if (bad == NULL) {
        if (!get_number(o, "visibility", &d) || d < 0 || d > 1) {
            bad = "visibility";
        } else {
            r->d.visibility = d;
        }
    }
    if (bad == NULL) {
        if (!get_number(o, "visible_area", &d) || d < 0) {
            bad = "visible_area";
        } else {
            r->d.visible_area = d;
        }
    }
    if (bad == NULL && !get_box(o, "bbox_before", &r->d.before, false)) {
        bad = "bbox_before";
    }
    if (bad == NULL && !get_box(o, "bbox", &r->d.box, true)) {
        bad = "bbox";
    }
    const cJSON *dec = cJSON_GetObjectItemCaseSensitive(o, "decision");
    const char *ds = bad == NULL && cJSON_IsString(dec) ? dec->valuestring : NULL;
    if (bad == NULL) {
        if (ds != NULL && strcmp(ds, "kept") == 0) {
            r->d.kind = BMX_DECIDED_KEPT;
        } else if (ds != NULL && strcmp(ds, "clipped") == 0) {
            r->d.kind = BMX_DECIDED_CLIPPED;
        } else if (ds != NULL && strcmp(ds, "dropped") == 0) {
            r->d.kind = BMX_DECIDED_DROPPED;
        } else {
            bad = "decision";
        }
    }
    const cJSON *rule = cJSON_GetObjectItemCaseSensitive(o, "rule");
    if (bad == NULL) {
        if (r->d.kind != BMX_DECIDED_DROPPED) {
            if (!cJSON_IsNull(rule)) {
                bad = "rule";
            }
        } else {
            static const enum bmx_drop_rule rules[] = {BMX_DROP_NO_AREA, BMX_DROP_MIN_VISIBILITY,
                                                       BMX_DROP_MIN_AREA, BMX_DROP_MIN_SIZE};
            bad = "rule";
            for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
                if (cJSON_IsString(rule) &&
                    strcmp(rule->valuestring, bmx_drop_rule_name(rules[i])) == 0) {
                    r->d.rule = rules[i];
                    bad = NULL;
                }
            }
        }
    }
    if (bad != NULL) {
        return bmx__fail(err, BMX_E_SCHEMA,
                         "%s: line %zu: %s: missing or not a valid value (see "
                         "schemas/decisions.schema.json)",
                         path, line, bad);
    }
    return BMX_OK;
}

bmx_status bmx__decisions_read(const char *path, struct bmx__decision_rec **out, size_t *n,
                               bmx_error *err)
{
    char *data = NULL;
    size_t len = 0;
    struct bmx__decision_rec *recs = NULL;
    size_t count = 0, cap = 0, line = 0;
    *out = NULL;
    *n = 0;
    bmx_status st = bmx__read_file(path, &data, &len, err);
    if (st != BMX_OK) {
        return st;
    }
    char *p = data;
    char *end = data + len;
    while (p < end && st == BMX_OK) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl != NULL ? nl : end;
        line++;
        *stop = '\0';
        if (stop == p) {
            st = bmx__fail(err, BMX_E_PARSE, "%s: line %zu: empty line", path, line);
            break;
        }
        cJSON *o = cJSON_ParseWithLength(p, (size_t)(stop - p));
        if (o == NULL) {
            st = bmx__fail(err, BMX_E_PARSE, "%s: line %zu: not valid JSON", path, line);
            break;
        }
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            struct bmx__decision_rec *q = bmx__realloc_array(recs, ncap, sizeof *recs);
            if (q == NULL) {
                cJSON_Delete(o);
                st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
                break;
            }
            recs = q;
            cap = ncap;
        }
        st = parse_line(path, line, o, &recs[count], err);
        cJSON_Delete(o);
        if (st == BMX_OK) {
            count++;
        }
        p = stop + 1;
    }
    free(data);
    if (st != BMX_OK) {
        free(recs);
        return st;
    }
    *out = recs;
    *n = count;
    return BMX_OK;
}
