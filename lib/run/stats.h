/* SPDX-License-Identifier: MIT */
/* Internal: dataset statistics (struct bmx_stats behind the public handle), shared
 * by boxmix-check --stats (stats_write.c) and the HTML report's plots. */
#ifndef BMX_STATS_H
#define BMX_STATS_H

#include "boxmix.h"
#include "decisions.h"
#include "error.h"

#define BMX__HIST_MAX 16

/* A distribution: extremes, mean, median and a histogram of fixed bins: counts[i]
 * holds the values in [edges[i], edges[i + 1]), the last bin those from its edge up
 * (values below edges[0] count in bin 0). */
struct bmx__dist {
    uint64_t count;
    double min, max, sum, median;
    size_t n_edges;
    const double *edges;
    uint64_t counts[BMX__HIST_MAX];
    double *values; /* while counting, for the median */
    size_t cap;
};

/* One category. */
struct bmx__cat_stats {
    int64_t id;
    const char *name;     /* owned by the stats */
    uint64_t objects, images, crowd;
    uint64_t whole, clipped; /* boxmix outputs' objects: visibility 1, below 1 */
    uint64_t from_base, from_source, from_original;
    uint64_t from_tile;   /* Mosaic's objects */
    /* from the decision log */
    uint64_t considered, kept, dec_clipped, dropped;
    uint64_t rules[5];    /* by enum bmx_drop_rule */
    size_t last_image;    /* while counting: the last image seen + 1 */
};

#define BMX__MAX_OPS 8

struct bmx_stats {
    char *input_name;
    const char *format;   /* "coco", "voc" */
    uint64_t images, images_empty, objects, crowd, unknown_category;
    uint64_t masks_polygon, masks_rle, masks_none;
    uint64_t coco_small, coco_medium, coco_large;
    struct bmx__dist per_image, width, height, area, aspect;
    size_t n_cats;
    struct bmx__cat_stats *cats;
    /* a boxmix output */
    bool boxmix;
    size_t n_ops;
    char *op_names[BMX__MAX_OPS + 1]; /* the last one "other" when needed */
    uint64_t op_counts[BMX__MAX_OPS + 1];
    struct bmx__dist lambda, visibility;
    uint64_t from_base, from_source, from_original;
    uint64_t from_tile; /* Mosaic's objects (written only when some are) */
    /* the decision log */
    char *decisions_name;
    uint64_t dec_total, dec_kept, dec_clipped, dec_dropped, dec_rules[5];
    struct bmx__dist dec_visibility; /* of every object considered */
};

/* Statistics of a dataset in memory; with a decision log (`decisions_name` not
 * NULL: its file, `dec` its n_dec records) its counts too. `name` names the
 * dataset in the output. */
bmx_status bmx__stats_of(const bmx_dataset *ds, const char *name, const char *format,
                         const struct bmx__decision_rec *dec, size_t n_dec,
                         const char *decisions_name, bmx_stats **out, bmx_error *err);

#endif
