/* SPDX-License-Identifier: MIT */
/* The image records of the CutMix family's other operations read back for their
 * drawings (draw.h, struct bmx__draw_marks): CutOut's holes, Mosaic's tiles and
 * centre, Copy-Paste's pasted objects and source-object CutMix's anchor. What the
 * records hold is in schemas/coco-output.schema.json; a field that is not of its
 * shape is left undrawn (boxmix-check says what is wrong with it). */
#include "coco.h"
#include "draw.h"
#include "drawjob.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *record_member(const bmx_dataset *ds, size_t i, const char *key)
{
    const cJSON *rec =
        cJSON_GetObjectItemCaseSensitive((const cJSON *)ds->images[i].extra, "boxmix");
    return cJSON_IsObject(rec) ? cJSON_GetObjectItemCaseSensitive(rec, key) : NULL;
}

/* [x, y, w, h] of whole, non-negative numbers within int32. */
static bool read_rect(const cJSON *a, struct bmx_rect *r)
{
    double v[4];
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 4) {
        return false;
    }
    int k = 0;
    for (const cJSON *c = a->child; c != NULL; c = c->next, k++) {
        if (!cJSON_IsNumber(c) || !(c->valuedouble >= 0 && c->valuedouble <= INT32_MAX) ||
            c->valuedouble != floor(c->valuedouble)) {
            return false;
        }
        v[k] = c->valuedouble;
    }
    *r = (struct bmx_rect){(int32_t)v[0], (int32_t)v[1], (int32_t)v[2], (int32_t)v[3]};
    return true;
}

/* An object's boxmix.source_annotation_id when it came from the source. */
static bool source_id(const struct bmx_object *o, double *id)
{
    const char *from = bmx__extra_string(o->extra, "boxmix", "from");
    return from != NULL && strcmp(from, "source") == 0 &&
           bmx__extra_numbers(o->extra, "boxmix", "source_annotation_id", id, 1);
}

bmx_status bmx__read_draw_marks(const bmx_dataset *ds, size_t i, struct bmx__draw_marks *m,
                                bool **pasted, bmx_error *err)
{
    bmx__draw_marks_init(m);
    *pasted = NULL;
    const cJSON *holes = record_member(ds, i, "holes");
    if (cJSON_IsArray(holes)) {
        for (const cJSON *h = holes->child; h != NULL && m->n_holes < BMX_MAX_HOLES; h = h->next) {
            if (read_rect(h, &m->holes[m->n_holes])) {
                m->n_holes++;
            }
        }
    }
    const cJSON *tiles = record_member(ds, i, "tiles");
    if (cJSON_IsArray(tiles)) {
        for (const cJSON *t = tiles->child; t != NULL && m->n_tiles < 4; t = t->next) {
            const cJSON *rect = cJSON_IsObject(t) ? cJSON_GetObjectItemCaseSensitive(t, "rect")
                                                  : NULL;
            if (read_rect(rect, &m->tiles[m->n_tiles])) {
                m->n_tiles++;
            }
        }
    }
    double c[2], s;
    if (bmx__extra_numbers(ds->images[i].extra, "boxmix", "centre", c, 2) &&
        bmx__extra_numbers(ds->images[i].extra, "boxmix", "mosaic_size", &s, 1) &&
        isfinite(c[0]) && isfinite(c[1]) && isfinite(s)) {
        /* The record's centre is on the 2s x 2s canvas; the output is its window
         * starting at floor(s/2) (op_mosaic.c), a whole pixel for an odd s too. */
        m->has_centre = true;
        m->centre[0] = c[0] - floor(s / 2);
        m->centre[1] = c[1] - floor(s / 2);
    }
    const struct bmx_object *objs = &ds->objects[ds->img_first[i]];
    const size_t n = ds->img_count[i];
    double anchor;
    const cJSON *a = record_member(ds, i, "anchor_annotation_id");
    if (cJSON_IsNumber(a)) {
        anchor = a->valuedouble;
        for (size_t q = 0; q < n && m->anchor == SIZE_MAX; q++) {
            double id;
            if (source_id(&objs[q], &id) && id == anchor) {
                m->anchor = q;
            }
        }
    }
    const cJSON *ids = record_member(ds, i, "pasted_annotation_ids");
    if (cJSON_IsArray(ids) && n > 0) {
        bool *p = calloc(n, sizeof *p);
        if (p == NULL) {
            return bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu objects", n);
        }
        for (size_t q = 0; q < n; q++) {
            double id;
            if (!source_id(&objs[q], &id)) {
                continue;
            }
            for (const cJSON *e = ids->child; e != NULL && !p[q]; e = e->next) {
                p[q] = cJSON_IsNumber(e) && e->valuedouble == id;
            }
        }
        *pasted = p;
        m->pasted = p;
    }
    return BMX_OK;
}
