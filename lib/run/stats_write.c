/* SPDX-License-Identifier: MIT */
/* Dataset statistics written out: the JSON document (schemas/stats.schema.json)
 * and the readable text of boxmix-check --stats. */
#include "stats.h"

#include "coco.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const enum bmx_drop_rule rule_order[4] = {BMX_DROP_NO_AREA, BMX_DROP_MIN_VISIBILITY,
                                                 BMX_DROP_MIN_AREA, BMX_DROP_MIN_SIZE};

static void put_dist(struct bmx__buf *b, const struct bmx__dist *d)
{
    bmx__buf_printf(b, "{\"count\":%" PRIu64, d->count);
    const char *keys[4] = {"min", "max", "mean", "median"};
    double vals[4] = {d->min, d->max, d->count ? d->sum / (double)d->count : 0.0, d->median};
    for (int i = 0; i < 4; i++) {
        bmx__buf_printf(b, ",\"%s\":", keys[i]);
        if (d->count > 0) {
            bmx__buf_number(b, vals[i]);
        } else {
            bmx__buf_puts(b, "null");
        }
    }
    bmx__buf_puts(b, ",\"histogram\":{\"edges\":[");
    for (size_t i = 0; i < d->n_edges; i++) {
        bmx__buf_puts(b, i ? "," : "");
        bmx__buf_number(b, d->edges[i]);
    }
    bmx__buf_puts(b, "],\"counts\":[");
    for (size_t i = 0; i < d->n_edges; i++) {
        bmx__buf_printf(b, "%s%" PRIu64, i ? "," : "", d->counts[i]);
    }
    bmx__buf_puts(b, "]}}");
}

static void put_rules(struct bmx__buf *b, const uint64_t *rules)
{
    bmx__buf_puts(b, "{");
    for (int i = 0; i < 4; i++) {
        bmx__buf_printf(b, "%s\"%s\":%" PRIu64, i ? "," : "", bmx_drop_rule_name(rule_order[i]),
                        rules[rule_order[i]]);
    }
    bmx__buf_puts(b, "}");
}

static void put_cat_head(struct bmx__buf *b, const struct bmx__cat_stats *c, size_t i)
{
    bmx__buf_printf(b, "%s{\"id\":%" PRId64 ",\"name\":", i ? "," : "", c->id);
    bmx__buf_string(b, c->name);
}

static bmx_status finish(struct bmx__buf *b, char **out, size_t *len, bmx_error *err)
{
    if (b->failed || b->data == NULL) {
        bmx__buf_free(b);
        return bmx__fail(err, BMX_E_NOMEM, "statistics: out of memory");
    }
    *out = b->data;
    *len = b->len;
    return BMX_OK;
}

bmx_status bmx_stats_json(const bmx_stats *s, char **out, size_t *len, bmx_error *err)
{
    struct bmx__buf b = {0};
    if (s == NULL || out == NULL || len == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "stats json: NULL argument");
    }
    bmx__buf_puts(&b, "{\"tool\":\"boxmix-check\",\"version\":");
    bmx__buf_string(&b, BMX_VERSION_STRING);
    bmx__buf_puts(&b, ",\"input\":");
    bmx__buf_string(&b, s->input_name);
    bmx__buf_printf(&b,
                    ",\"format\":\"%s\",\"images\":%" PRIu64 ",\"images_without_objects\":%" PRIu64
                    ",\"objects\":%" PRIu64 ",\"crowd\":%" PRIu64 ",\"unknown_category\":%" PRIu64
                    ",\"categories\":[",
                    s->format, s->images, s->images_empty, s->objects, s->crowd,
                    s->unknown_category);
    for (size_t i = 0; i < s->n_cats; i++) {
        const struct bmx__cat_stats *c = &s->cats[i];
        put_cat_head(&b, c, i);
        bmx__buf_printf(&b,
                        ",\"objects\":%" PRIu64 ",\"images\":%" PRIu64 ",\"crowd\":%" PRIu64 "}",
                        c->objects, c->images, c->crowd);
    }
    bmx__buf_puts(&b, "],\"objects_per_image\":");
    put_dist(&b, &s->per_image);
    bmx__buf_puts(&b, ",\"box\":{\"width\":");
    put_dist(&b, &s->width);
    bmx__buf_puts(&b, ",\"height\":");
    put_dist(&b, &s->height);
    bmx__buf_puts(&b, ",\"area\":");
    put_dist(&b, &s->area);
    bmx__buf_puts(&b, ",\"aspect\":");
    put_dist(&b, &s->aspect);
    bmx__buf_printf(&b,
                    "},\"coco_sizes\":{\"small\":%" PRIu64 ",\"medium\":%" PRIu64
                    ",\"large\":%" PRIu64 "},\"masks\":{\"polygon\":%" PRIu64 ",\"rle\":%" PRIu64
                    ",\"none\":%" PRIu64 "},\"boxmix\":",
                    s->coco_small, s->coco_medium, s->coco_large, s->masks_polygon, s->masks_rle,
                    s->masks_none);
    if (!s->boxmix) {
        bmx__buf_puts(&b, "null");
    } else {
        bmx__buf_puts(&b, "{\"operations\":{");
        for (size_t i = 0, k = 0; i <= BMX__MAX_OPS; i++) {
            if (s->op_names[i] != NULL) {
                bmx__buf_puts(&b, k++ ? "," : "");
                bmx__buf_string(&b, s->op_names[i]);
                bmx__buf_printf(&b, ":%" PRIu64, s->op_counts[i]);
            }
        }
        bmx__buf_puts(&b, "},\"lambda\":");
        put_dist(&b, &s->lambda);
        bmx__buf_puts(&b, ",\"visibility\":");
        put_dist(&b, &s->visibility);
        bmx__buf_printf(&b,
                        ",\"from\":{\"base\":%" PRIu64 ",\"source\":%" PRIu64
                        ",\"original\":%" PRIu64,
                        s->from_base, s->from_source, s->from_original);
        if (s->from_tile > 0) {
            bmx__buf_printf(&b, ",\"tile\":%" PRIu64, s->from_tile);
        }
        bmx__buf_puts(&b, "},\"categories\":[");
        for (size_t i = 0; i < s->n_cats; i++) {
            const struct bmx__cat_stats *c = &s->cats[i];
            put_cat_head(&b, c, i);
            bmx__buf_printf(&b,
                            ",\"whole\":%" PRIu64 ",\"clipped\":%" PRIu64 ",\"from_base\":%" PRIu64
                            ",\"from_source\":%" PRIu64 ",\"from_original\":%" PRIu64,
                            c->whole, c->clipped, c->from_base, c->from_source, c->from_original);
            if (s->from_tile > 0) {
                bmx__buf_printf(&b, ",\"from_tile\":%" PRIu64, c->from_tile);
            }
            bmx__buf_puts(&b, "}");
        }
        bmx__buf_puts(&b, "]}");
    }
    bmx__buf_puts(&b, ",\"decisions\":");
    if (s->decisions_name == NULL) {
        bmx__buf_puts(&b, "null");
    } else {
        bmx__buf_puts(&b, "{\"file\":");
        bmx__buf_string(&b, s->decisions_name);
        bmx__buf_printf(&b,
                        ",\"objects\":%" PRIu64 ",\"kept\":%" PRIu64 ",\"clipped\":%" PRIu64
                        ",\"dropped\":%" PRIu64 ",\"rules\":",
                        s->dec_total, s->dec_kept, s->dec_clipped, s->dec_dropped);
        put_rules(&b, s->dec_rules);
        bmx__buf_puts(&b, ",\"visibility\":");
        put_dist(&b, &s->dec_visibility);
        bmx__buf_puts(&b, ",\"categories\":[");
        for (size_t i = 0; i < s->n_cats; i++) {
            const struct bmx__cat_stats *c = &s->cats[i];
            put_cat_head(&b, c, i);
            bmx__buf_printf(&b,
                            ",\"considered\":%" PRIu64 ",\"kept\":%" PRIu64 ",\"clipped\":%" PRIu64
                            ",\"dropped\":%" PRIu64 ",\"rules\":",
                            c->considered, c->kept, c->dec_clipped, c->dropped);
            put_rules(&b, c->rules);
            bmx__buf_puts(&b, "}");
        }
        bmx__buf_puts(&b, "]}");
    }
    bmx__buf_puts(&b, "}\n");
    return finish(&b, out, len, err);
}

static void text_dist(struct bmx__buf *b, const char *what, const struct bmx__dist *d)
{
    if (d->count == 0) {
        bmx__buf_printf(b, "%-18s none\n", what);
        return;
    }
    bmx__buf_printf(b, "%-18s min %.4g  median %.4g  mean %.4g  max %.4g\n", what, d->min,
                    d->median, d->sum / (double)d->count, d->max);
    bmx__buf_puts(b, "                  ");
    for (size_t i = 0; i < d->n_edges; i++) {
        if (i + 1 < d->n_edges) {
            bmx__buf_printf(b, " [%g,%g):%" PRIu64, d->edges[i], d->edges[i + 1], d->counts[i]);
        } else {
            bmx__buf_printf(b, " >=%g:%" PRIu64, d->edges[i], d->counts[i]);
        }
    }
    bmx__buf_puts(b, "\n");
}

bmx_status bmx_stats_text(const bmx_stats *s, char **out, size_t *len, bmx_error *err)
{
    struct bmx__buf b = {0};
    if (s == NULL || out == NULL || len == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "stats text: NULL argument");
    }
    bmx__buf_printf(&b,
                    "%s (%s): %" PRIu64 " images (%" PRIu64 " without objects), %" PRIu64
                    " objects, %zu categories\n",
                    s->input_name, s->format, s->images, s->images_empty, s->objects, s->n_cats);
    bmx__buf_printf(&b, "  %-24s %9s %9s %9s\n", "category", "objects", "images", "crowd");
    for (size_t i = 0; i < s->n_cats; i++) {
        const struct bmx__cat_stats *c = &s->cats[i];
        bmx__buf_printf(&b, "  %-24.24s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 "\n", c->name,
                        c->objects, c->images, c->crowd);
    }
    if (s->unknown_category > 0) {
        bmx__buf_printf(&b, "  %" PRIu64 " objects of no known category\n", s->unknown_category);
    }
    text_dist(&b, "objects per image", &s->per_image);
    text_dist(&b, "box width", &s->width);
    text_dist(&b, "box height", &s->height);
    text_dist(&b, "box area", &s->area);
    text_dist(&b, "aspect (w/h)", &s->aspect);
    bmx__buf_printf(&b,
                    "COCO sizes: %" PRIu64 " small (area < 32^2), %" PRIu64 " medium, %" PRIu64
                    " large (>= 96^2)\n",
                    s->coco_small, s->coco_medium, s->coco_large);
    bmx__buf_printf(&b,
                    "masks: %" PRIu64 " polygon, %" PRIu64 " RLE, %" PRIu64 " none; crowd: %" PRIu64
                    "\n",
                    s->masks_polygon, s->masks_rle, s->masks_none, s->crowd);
    if (s->boxmix) {
        bmx__buf_puts(&b, "boxmix operations:");
        for (size_t i = 0; i <= BMX__MAX_OPS; i++) {
            if (s->op_names[i] != NULL) {
                bmx__buf_printf(&b, " %s %" PRIu64, s->op_names[i], s->op_counts[i]);
            }
        }
        bmx__buf_printf(&b,
                        "\nobjects from: base %" PRIu64 ", source %" PRIu64 ", original %" PRIu64,
                        s->from_base, s->from_source, s->from_original);
        if (s->from_tile > 0) {
            bmx__buf_printf(&b, ", tile %" PRIu64, s->from_tile);
        }
        bmx__buf_puts(&b, "\n");
        text_dist(&b, "lambda", &s->lambda);
        text_dist(&b, "visibility", &s->visibility);
    }
    if (s->decisions_name != NULL) {
        bmx__buf_printf(&b,
                        "decisions (%s): %" PRIu64 " objects considered: %" PRIu64 " kept, %" PRIu64
                        " clipped, %" PRIu64 " dropped (",
                        s->decisions_name, s->dec_total, s->dec_kept, s->dec_clipped,
                        s->dec_dropped);
        for (int i = 0; i < 4; i++) {
            bmx__buf_printf(&b, "%s%s %" PRIu64, i ? ", " : "", bmx_drop_rule_name(rule_order[i]),
                            s->dec_rules[rule_order[i]]);
        }
        bmx__buf_printf(&b, ")\n  %-24s %10s %9s %9s %9s\n", "category", "considered", "kept",
                        "clipped", "dropped");
        for (size_t i = 0; i < s->n_cats; i++) {
            const struct bmx__cat_stats *c = &s->cats[i];
            bmx__buf_printf(&b, "  %-24.24s %10" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 "\n",
                            c->name, c->considered, c->kept, c->dec_clipped, c->dropped);
        }
    }
    return finish(&b, out, len, err);
}
