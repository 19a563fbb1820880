/* SPDX-License-Identifier: MIT */
/* Internal: the static HTML report of boxmix-draw --html (report*.c). */
#ifndef BMX_REPORT_H
#define BMX_REPORT_H

#include "boxmix.h"
#include "coco.h"
#include "decisions.h"
#include "stats.h"

/* What the report shows. */
struct bmx__report_in {
    const bmx_dataset *ds;
    const bool *sel;                     /* per image: drawn */
    char *const *names;                  /* per image: its drawing, relative to the folder */
    const struct bmx__decision_rec *dec; /* the decision log (NULL: none) */
    size_t n_dec;
    const size_t *dec_image;             /* per decision: its image, SIZE_MAX when none */
    const bmx_stats *stats;
    const char *title;                   /* the dataset's name */
    const bmx_dataset *inputs;           /* the dataset it was made from (NULL: none) */
    const bool *in_sel;                  /* per input image: drawn */
    char *const *in_names;               /* per input image: its drawing */
};

/* Write the report's files (index.html, stats.html, report.css, report.js,
 * data/index.js, data/page-NNNNN.js) into the folder `dir` (`shown` in messages),
 * each whole or not at all (report.c). */
bmx_status bmx__report_write(int dir, const char *shown, const struct bmx__report_in *in,
                             bmx_error *err);

/* One series of a bar plot: a value per label. */
struct bmx__series {
    const char *name;
    const uint64_t *values;
    const char *color; /* CSS colour */
};

/* An SVG bar plot (grouped bars when several series) with `title`, one group per
 * label, y axis from 0, each bar's value written above it (report_svg.c). */
void bmx__svg_bars(struct bmx__buf *b, const char *id, const char *title, const char *const *labels,
                   size_t n, const struct bmx__series *series, size_t n_series);

/* The labels of a histogram's bins ("[a, b)", the last "≥ a"), each malloc'd into
 * `labels` (d->n_edges of them); false when out of memory (freed then). */
bool bmx__hist_labels(const struct bmx__dist *d, char **labels);

/* `s` escaped for HTML text and attribute values. */
void bmx__buf_html(struct bmx__buf *b, const char *s);

/* The report's hand-written script and style sheet (report_assets.c). */
extern const char *const bmx__report_js[];
extern const char *const bmx__report_css[];

/* Where each of a decision log's n_dec lines belongs: `*out[q]` the index of the
 * image of output dec[q].output (SIZE_MAX when the dataset has none); malloc'd
 * (decisions_place.c). */
bmx_status bmx__decisions_place(const bmx_dataset *ds, const struct bmx__decision_rec *dec,
                                size_t n_dec, size_t **out, bmx_error *err);

#endif
