/* SPDX-License-Identifier: MIT */
/* The static HTML report of a drawn dataset: a paged gallery whose records load
 * page by page (data/page-NNNNN.js, a hundred records each, loaded as scripts so
 * the report works from file://), an index small enough for 10,000 outputs that
 * the filters work on, and a statistics page whose plots boxmix draws as SVG. */
#include "report.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_RECORDS 100

static const char *op_of(const struct bmx_image_info *info)
{
    const char *op = bmx__extra_string(info->extra, "boxmix", "op");
    return op != NULL ? op : "";
}

static bmx_status put_file(int dir, const char *shown, const char *rel, struct bmx__buf *b,
                           bmx_error *err)
{
    bmx_status st;
    if (b->failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s/%s: out of memory", shown, rel);
    } else {
        const char *data = b->data != NULL ? b->data : "";
        st = bmx__outfile_write(dir, shown, rel, data, b->len, false, err);
    }
    bmx__buf_free(b);
    return st;
}

static bmx_status put_lines(int dir, const char *shown, const char *rel, const char *const *lines,
                            bmx_error *err)
{
    struct bmx__buf b = {0};
    for (size_t i = 0; lines[i] != NULL; i++) {
        bmx__buf_puts(&b, lines[i]);
        bmx__buf_puts(&b, "\n");
    }
    return put_file(dir, shown, rel, &b, err);
}

/* The operations named in the dataset, in order of first appearance. */
struct ops {
    const char *names[64];
    size_t n;
};

static size_t op_index(struct ops *o, const char *op)
{
    for (size_t i = 0; i < o->n; i++) {
        if (strcmp(o->names[i], op) == 0) {
            return i;
        }
    }
    if (o->n < sizeof o->names / sizeof o->names[0]) {
        o->names[o->n] = op;
        return o->n++;
    }
    return SIZE_MAX;
}

/* The drawings an output's base and source link to, by input image id, sorted:
 * the drawn inputs when the report has them, else the drawn originals of the
 * dataset (`boxmix.original_image_id`, with --include-originals). */
struct original {
    double id;
    const char *href;
};

struct originals {
    struct original *at;
    size_t n;
};

static int cmp_original(const void *a, const void *b)
{
    const struct original *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static bool originals_init(struct originals *o, const struct bmx__report_in *in)
{
    const bmx_dataset *ds = in->inputs != NULL ? in->inputs : in->ds;
    o->n = 0;
    o->at = bmx__alloc_array(ds->n_images ? ds->n_images : 1, sizeof *o->at);
    if (o->at == NULL) {
        return false;
    }
    for (size_t j = 0; j < ds->n_images; j++) {
        double id;
        if (in->inputs != NULL) {
            if (in->in_sel[j]) {
                o->at[o->n++] = (struct original){(double)ds->images[j].id, in->in_names[j]};
            }
        } else if (in->sel[j] &&
                   bmx__extra_numbers(ds->images[j].extra, "boxmix", "original_image_id", &id, 1)) {
            o->at[o->n++] = (struct original){id, in->names[j]};
        }
    }
    qsort(o->at, o->n, sizeof *o->at, cmp_original);
    return true;
}

/* [input id, its drawing or null] of the image that `key` of image i's record names. */
static void put_link(struct bmx__buf *b, const struct bmx__report_in *in,
                     const struct originals *origs, size_t i, const char *key)
{
    double id = 0;
    if (!bmx__extra_numbers(in->ds->images[i].extra, "boxmix", key, &id, 1)) {
        bmx__buf_puts(b, "null");
        return;
    }
    struct original want = {id, 0};
    const struct original *hit =
        bsearch(&want, origs->at, origs->n, sizeof *origs->at, cmp_original);
    const char *href = hit != NULL ? hit->href : NULL;
    bmx__buf_puts(b, "[");
    bmx__buf_number(b, id);
    bmx__buf_puts(b, ",");
    if (href != NULL) {
        bmx__buf_string(b, href);
    } else {
        bmx__buf_puts(b, "null");
    }
    bmx__buf_puts(b, "]");
}

static void put_record(struct bmx__buf *b, const struct bmx__report_in *in,
                       const struct originals *origs, size_t i, const size_t *dec_first,
                       const size_t *dec_order)
{
    const bmx_dataset *ds = in->ds;
    const struct bmx_image_info *info = &ds->images[i];
    bmx__buf_puts(b, "{\"id\":");
    bmx__coco_put_image_id(b, info);
    bmx__buf_puts(b, ",\"file\":");
    bmx__buf_string(b, info->file_name);
    bmx__buf_puts(b, ",\"draw\":");
    bmx__buf_string(b, in->names[i]);
    bmx__buf_printf(b, ",\"w\":%d,\"h\":%d,\"op\":", (int)info->width, (int)info->height);
    bmx__buf_string(b, op_of(info));
    bmx__buf_puts(b, ",\"base\":");
    put_link(b, in, origs, i, "base_image_id");
    bmx__buf_puts(b, ",\"source\":");
    put_link(b, in, origs, i, "source_image_id");
    double v[4];
    bmx__buf_puts(b, ",\"patch\":");
    if (bmx__extra_numbers(info->extra, "boxmix", "patch", v, 4)) {
        bmx__buf_box(b, (struct bmx_box){v[0], v[1], v[2], v[3]});
    } else {
        bmx__buf_puts(b, "null");
    }
    bmx__buf_puts(b, ",\"lambda\":");
    if (bmx__extra_numbers(info->extra, "boxmix", "lambda", v, 1)) {
        bmx__buf_number(b, v[0]);
    } else {
        bmx__buf_puts(b, "null");
    }
    /* The whole record, for the fields of the other operations (holes, tiles, ...). */
    const cJSON *record = cJSON_GetObjectItemCaseSensitive((const cJSON *)info->extra, "boxmix");
    bmx__buf_puts(b, ",\"record\":");
    if (cJSON_IsObject(record)) {
        bmx__buf_json(b, record);
    } else {
        bmx__buf_puts(b, "null");
    }
    bmx__buf_puts(b, ",\"objects\":[");
    for (size_t q = 0; q < ds->img_count[i]; q++) {
        const struct bmx_object *o = &ds->objects[ds->img_first[i] + q];
        const char *from = bmx__extra_string(o->extra, "boxmix", "from");
        double vis = 1.0, weight, tile;
        bmx__extra_numbers(o->extra, "boxmix", "visibility", &vis, 1);
        bmx__buf_printf(b, "%s[%" PRId64 ",%" PRId64 ",", q ? "," : "", o->id, o->category_id);
        bmx__buf_string(b, from != NULL ? from : "");
        bmx__buf_puts(b, ",");
        bmx__buf_number(b, vis);
        bmx__buf_printf(b, ",%d,", o->iscrowd != 0);
        bmx__buf_box(b, o->bbox);
        /* MixUp's weight and Mosaic's tile, null when the object has none. */
        bmx__buf_puts(b, ",");
        if (bmx__extra_numbers(o->extra, "boxmix", "weight", &weight, 1)) {
            bmx__buf_number(b, weight);
        } else {
            bmx__buf_puts(b, "null");
        }
        bmx__buf_puts(b, ",");
        if (bmx__extra_numbers(o->extra, "boxmix", "tile", &tile, 1)) {
            bmx__buf_number(b, tile);
        } else {
            bmx__buf_puts(b, "null");
        }
        bmx__buf_puts(b, "]");
    }
    bmx__buf_puts(b, "],\"dropped\":[");
    for (size_t q = dec_first != NULL ? dec_first[i] : 0; dec_first != NULL && q < dec_first[i + 1];
         q++) {
        const struct bmx_decision *d = &in->dec[dec_order[q]].d;
        bmx__buf_printf(b, "%s[%" PRId64 ",%" PRId64 ",\"%s\",\"%s\",", q > dec_first[i] ? "," : "",
                        d->annotation_id, d->category_id,
                        d->from == BMX_FROM_BASE   ? "base"
                        : d->from == BMX_FROM_TILE ? "tile"
                                                   : "source",
                        bmx_drop_rule_name(d->rule));
        bmx__buf_number(b, d->visibility);
        bmx__buf_puts(b, ",");
        bmx__buf_box(b, d->before);
        bmx__buf_puts(b, "]");
    }
    bmx__buf_puts(b, "]}");
}

static const char *const page_head[] = {
    "<!DOCTYPE html>",
    "<html lang=\"en\">",
    "<head>",
    "<meta charset=\"utf-8\">",
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
    "<link rel=\"icon\" href=\"data:,\">",
    "<link rel=\"stylesheet\" href=\"report.css\">",
    NULL,
};

static void put_head(struct bmx__buf *b, const char *title, bool stats_page)
{
    for (size_t i = 0; page_head[i] != NULL; i++) {
        bmx__buf_puts(b, page_head[i]);
        bmx__buf_puts(b, "\n");
    }
    bmx__buf_puts(b, "<title>");
    bmx__buf_html(b, stats_page ? "statistics: " : "gallery: ");
    bmx__buf_html(b, title);
    bmx__buf_puts(b, "</title>\n</head>\n<body>\n<header><h1>boxmix report</h1><p class=\"src\">");
    bmx__buf_html(b, title);
    bmx__buf_printf(b,
                    "</p><nav><a href=\"index.html\"%s>Gallery</a><a href=\"stats.html\"%s>"
                    "Statistics</a></nav></header>\n",
                    stats_page ? "" : " class=\"on\"", stats_page ? " class=\"on\"" : "");
}

static const char *const index_body[] = {
    "<section id=\"filters\">",
    "<label>category <select id=\"f-cat\"><option value=\"\">all</option></select></label>",
    "<label>operation <select id=\"f-op\"><option value=\"\">all</option></select></label>",
    "<label><input type=\"checkbox\" id=\"f-dropped\"> has dropped objects</label>",
    "<span id=\"count\"></span>",
    "</section>",
    "<nav id=\"pager\"><button id=\"prev\" type=\"button\">&larr; previous</button>"
    "<span id=\"pageinfo\"></span><button id=\"next\" type=\"button\">next &rarr;</button></nav>",
    "<main id=\"gallery\"></main>",
    "<section id=\"detail\" hidden></section>",
    "<script src=\"data/index.js\"></script>",
    "<script src=\"report.js\"></script>",
    "</body>",
    "</html>",
    NULL,
};

static bmx_status write_index_html(int dir, const char *shown, const char *title, bmx_error *err)
{
    struct bmx__buf b = {0};
    put_head(&b, title, false);
    for (size_t i = 0; index_body[i] != NULL; i++) {
        bmx__buf_puts(&b, index_body[i]);
        bmx__buf_puts(&b, "\n");
    }
    return put_file(dir, shown, "index.html", &b, err);
}

static void row(struct bmx__buf *b, const char *what, const char *key, uint64_t v)
{
    bmx__buf_puts(b, "<tr><th>");
    bmx__buf_html(b, what);
    bmx__buf_printf(b, "</th><td data-count=\"%s\">%" PRIu64 "</td></tr>\n", key, v);
}

static bool hist_plot(struct bmx__buf *b, const char *id, const char *title,
                      const struct bmx__dist *d, const char *series, const char *color)
{
    char *labels[BMX__HIST_MAX];
    if (!bmx__hist_labels(d, labels)) {
        return false;
    }
    struct bmx__series s = {series, d->counts, color};
    bmx__svg_bars(b, id, title, (const char *const *)labels, d->n_edges, &s, 1);
    for (size_t i = 0; i < d->n_edges; i++) {
        free(labels[i]);
    }
    return true;
}

static bmx_status write_stats_html(int dir, const char *shown, const struct bmx__report_in *in,
                                   bmx_error *err)
{
    const bmx_stats *s = in->stats;
    struct bmx__buf b = {0};
    const size_t nc = s->n_cats;
    const char **labels = calloc(nc ? nc : 1, sizeof *labels);
    uint64_t *before = calloc(nc ? nc : 1, sizeof *before);
    uint64_t *after = calloc(nc ? nc : 1, sizeof *after);
    bool ok = labels != NULL && before != NULL && after != NULL;
    put_head(&b, in->title, true);
    bmx__buf_puts(&b, "<main id=\"stats\">\n<section><h2>Dataset</h2><table class=\"counts\">\n");
    row(&b, "images", "images", s->images);
    row(&b, "images without objects", "images_without_objects", s->images_empty);
    row(&b, "objects", "objects", s->objects);
    row(&b, "crowd objects", "crowd", s->crowd);
    row(&b, "polygon masks", "masks_polygon", s->masks_polygon);
    row(&b, "RLE masks", "masks_rle", s->masks_rle);
    row(&b, "objects without a mask", "masks_none", s->masks_none);
    row(&b, "small (area < 32\xc2\xb2)", "small", s->coco_small);
    row(&b, "medium", "medium", s->coco_medium);
    row(&b, "large (area \xe2\x89\xa5 96\xc2\xb2)", "large", s->coco_large);
    for (size_t i = 0; i <= BMX__MAX_OPS; i++) {
        if (s->op_names[i] != NULL) {
            char what[96];
            snprintf(what, sizeof what, "images, operation %s", s->op_names[i]);
            char key[96];
            snprintf(key, sizeof key, "op-%s", s->op_names[i]);
            row(&b, what, key, s->op_counts[i]);
        }
    }
    if (s->decisions_name != NULL) {
        row(&b, "objects considered (decision log)", "considered", s->dec_total);
        row(&b, "kept whole", "kept", s->dec_kept);
        row(&b, "clipped", "clipped", s->dec_clipped);
        row(&b, "dropped", "dropped", s->dec_dropped);
    }
    bmx__buf_puts(&b, "</table></section>\n<section><h2>Categories</h2><table class=\"cats\">\n"
                      "<tr><th>category</th><th>objects</th><th>images</th><th>crowd</th>");
    if (s->decisions_name != NULL) {
        bmx__buf_puts(&b, "<th>considered</th><th>kept</th><th>clipped</th><th>dropped</th>");
    }
    bmx__buf_puts(&b, "</tr>\n");
    for (size_t c = 0; c < nc; c++) {
        const struct bmx__cat_stats *k = &s->cats[c];
        bmx__buf_printf(&b, "<tr data-category=\"%" PRId64 "\"><th>", k->id);
        bmx__buf_html(&b, k->name);
        bmx__buf_printf(&b,
                        "</th><td data-count=\"objects\">%" PRIu64
                        "</td><td data-count=\"images\">%" PRIu64
                        "</td><td data-count=\"crowd\">%" PRIu64 "</td>",
                        k->objects, k->images, k->crowd);
        if (s->decisions_name != NULL) {
            bmx__buf_printf(&b,
                            "<td data-count=\"considered\">%" PRIu64
                            "</td><td data-count=\"kept\">%" PRIu64
                            "</td><td data-count=\"clipped\">%" PRIu64
                            "</td><td data-count=\"dropped\">%" PRIu64 "</td>",
                            k->considered, k->kept, k->dec_clipped, k->dropped);
        }
        bmx__buf_puts(&b, "</tr>\n");
        if (ok) {
            labels[c] = k->name;
            before[c] = k->considered;
            after[c] = s->decisions_name != NULL ? k->kept + k->dec_clipped : k->objects;
        }
    }
    bmx__buf_puts(&b, "</table></section>\n<section class=\"plots\"><h2>Plots</h2>\n");
    if (ok && s->decisions_name != NULL) {
        struct bmx__series two[2] = {{"before (considered)", before, "#8da0cb"},
                                     {"after (kept, clipped)", after, "#fc8d62"}};
        bmx__svg_bars(&b, "plot-categories", "Objects per category, before and after the run",
                      labels, nc, two, 2);
    } else if (ok) {
        struct bmx__series one = {"objects", after, "#fc8d62"};
        bmx__svg_bars(&b, "plot-categories", "Objects per category", labels, nc, &one, 1);
    }
    if (ok && s->boxmix) {
        ok = hist_plot(&b, "plot-lambda", "lambda (share of the base image kept)", &s->lambda,
                       "images", "#66c2a5") &&
             hist_plot(&b, "plot-visibility", "Visibility of the objects written", &s->visibility,
                       "objects", "#e78ac3");
    }
    if (ok && s->decisions_name != NULL) {
        ok = hist_plot(&b, "plot-visibility-all",
                       "Visibility of every object considered (dropped ones included)",
                       &s->dec_visibility, "objects", "#a6d854");
    }
    if (ok) {
        ok = hist_plot(&b, "plot-area", "Box area (pixels\xc2\xb2)", &s->area, "objects",
                       "#ffd92f") &&
             hist_plot(&b, "plot-width", "Box width (pixels)", &s->width, "objects", "#e5c494") &&
             hist_plot(&b, "plot-height", "Box height (pixels)", &s->height, "objects", "#b3b3b3");
    }
    bmx__buf_puts(&b, "</section>\n</main>\n</body>\n</html>\n");
    free(labels);
    free(before);
    free(after);
    if (!ok) {
        bmx__buf_free(&b);
        return bmx__fail(err, BMX_E_NOMEM, "%s/stats.html: out of memory", shown);
    }
    return put_file(dir, shown, "stats.html", &b, err);
}

bmx_status bmx__report_write(int dir, const char *shown, const struct bmx__report_in *in,
                             bmx_error *err)
{
    const bmx_dataset *ds = in->ds;
    const size_t n = ds->n_images;
    struct ops ops = {{NULL}, 0};
    size_t *dec_first = NULL, *dec_order = NULL;
    struct originals origs = {NULL, 0};
    bmx_status st = BMX_OK;
    struct bmx__buf b = {0};

    /* The dropped objects of each image, in log order. */
    if (in->dec != NULL) {
        dec_first = calloc(n + 2, sizeof *dec_first);
        dec_order = bmx__alloc_array(in->n_dec ? in->n_dec : 1, sizeof *dec_order);
        if (dec_first == NULL || dec_order == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        for (size_t q = 0; q < in->n_dec; q++) {
            if (in->dec_image[q] != SIZE_MAX && in->dec[q].d.kind == BMX_DECIDED_DROPPED) {
                dec_first[in->dec_image[q] + 2]++;
            }
        }
        for (size_t i = 0; i < n; i++) {
            dec_first[i + 2] += dec_first[i + 1];
        }
        for (size_t q = 0; q < in->n_dec; q++) {
            if (in->dec_image[q] != SIZE_MAX && in->dec[q].d.kind == BMX_DECIDED_DROPPED) {
                dec_order[dec_first[in->dec_image[q] + 1]++] = q;
            }
        }
    }
    if (!originals_init(&origs, in)) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    st = put_lines(dir, shown, "report.css", bmx__report_css, err);
    if (st == BMX_OK) {
        st = put_lines(dir, shown, "report.js", bmx__report_js, err);
    }
    if (st == BMX_OK) {
        st = write_index_html(dir, shown, in->title, err);
    }
    if (st == BMX_OK) {
        st = write_stats_html(dir, shown, in, err);
    }
    if (st != BMX_OK) {
        goto done;
    }

    /* The index the gallery filters: one short row per drawn image. */
    bmx__buf_puts(&b, "window.BMX_INDEX = {\"title\":");
    bmx__buf_string(&b, in->title);
    bmx__buf_printf(&b, ",\"pageSize\":%d,\"decisions\":%s,\"cats\":[", PAGE_RECORDS,
                    in->dec != NULL ? "true" : "false");
    for (size_t c = 0; c < ds->n_cats; c++) {
        bmx__buf_printf(&b, "%s[%" PRId64 ",", c ? "," : "", ds->cats[c].id);
        bmx__buf_string(&b, ds->cats[c].name != NULL ? ds->cats[c].name : "");
        bmx__buf_puts(&b, "]");
    }
    for (size_t i = 0; i < n; i++) {
        if (in->sel[i]) {
            op_index(&ops, op_of(&ds->images[i]));
        }
    }
    bmx__buf_puts(&b, "],\"ops\":[");
    for (size_t k = 0; k < ops.n; k++) {
        bmx__buf_puts(&b, k ? "," : "");
        bmx__buf_string(&b, ops.names[k]);
    }
    bmx__buf_puts(&b, "],\"images\":[");
    size_t drawn = 0;
    for (size_t i = 0; i < n; i++) {
        if (!in->sel[i]) {
            continue;
        }
        bmx__buf_puts(&b, drawn++ ? ",\n[" : "\n[");
        bmx__coco_put_image_id(&b, &ds->images[i]);
        bmx__buf_puts(&b, ",");
        bmx__buf_string(&b, ds->images[i].file_name);
        bmx__buf_puts(&b, ",");
        bmx__buf_string(&b, in->names[i]);
        size_t op = op_index(&ops, op_of(&ds->images[i]));
        bmx__buf_printf(&b, ",%d,[", op == SIZE_MAX ? -1 : (int)op);
        /* Each category once, in the order its first object comes. */
        for (size_t q = 0, k = 0; q < ds->img_count[i]; q++) {
            int64_t cat = ds->objects[ds->img_first[i] + q].category_id;
            bool seen = false;
            for (size_t r = 0; r < q && !seen; r++) {
                seen = ds->objects[ds->img_first[i] + r].category_id == cat;
            }
            if (!seen) {
                bmx__buf_printf(&b, "%s%" PRId64, k++ ? "," : "", cat);
            }
        }
        bmx__buf_printf(&b, "],%zu,%zu]", ds->img_count[i],
                        dec_first != NULL ? dec_first[i + 1] - dec_first[i] : (size_t)0);
    }
    bmx__buf_puts(&b, "]};\n");
    st = put_file(dir, shown, "data/index.js", &b, err);

    /* The records, a page at a time. */
    for (size_t i = 0, k = 0; i < n && st == BMX_OK; i++) {
        if (!in->sel[i]) {
            continue;
        }
        if (k % PAGE_RECORDS == 0) {
            bmx__buf_printf(&b, "bmxPage(%zu, [\n", k / PAGE_RECORDS);
        } else {
            bmx__buf_puts(&b, ",\n");
        }
        put_record(&b, in, &origs, i, dec_first, dec_order);
        k++;
        if (k % PAGE_RECORDS == 0 || k == drawn) {
            char rel[48];
            snprintf(rel, sizeof rel, "data/page-%05zu.js", (k - 1) / PAGE_RECORDS);
            bmx__buf_puts(&b, "\n]);\n");
            st = put_file(dir, shown, rel, &b, err);
        }
    }
done:
    bmx__buf_free(&b);
    free(dec_first);
    free(dec_order);
    free(origs.at);
    return st;
}
