/* SPDX-License-Identifier: MIT */
/* The limits of what a record may make (struct bmx_limits), one rule each: the
 * pixels an image record declares, the annotations that name one image, the
 * polygon vertices of one annotation (all rings). boxmix-check reports each as an
 * error; the limited reader (bmx_dataset_read_coco_limited) refuses the document
 * with BMX_E_LIMIT for the first it meets, named after any other refusal (a file
 * that is wrong and too large is named for what is wrong). Without limits
 * (r->limits NULL) nothing is judged. */
#include "coco_rules.h"

#include <inttypes.h>

static void begin(struct bmx__problems *pr)
{
    pr->limit = true;
    pr->status = BMX_E_LIMIT;
}

static void end(struct bmx__problems *pr)
{
    pr->limit = false;
    pr->status = BMX_OK;
}

void bmx__rule_limit_pixels(struct bmx__coco_rules *r, const struct bmx__coco_image_rec *rec)
{
    uint64_t px = rec->dims_ok ? (uint64_t)rec->w * (uint64_t)rec->h : 0;
    if (r->limits == NULL || px <= r->limits->max_image_pixels) {
        return;
    }
    begin(r->pr);
    bmx__problem(r->pr, BMX__REFUSE, "image-too-large",
                 "%" PRId32 "x%" PRId32 " = %" PRIu64 " pixels, more than the limit of %" PRIu64,
                 rec->w, rec->h, px, r->limits->max_image_pixels);
    end(r->pr);
}

void bmx__rule_limit_annotations(struct bmx__coco_rules *r, struct bmx__coco_image_rec *rec,
                                 bool is_str, int64_t num, const char *str)
{
    /* counted always; reported once, at the first annotation beyond the limit */
    if (++rec->n_anns == 0 || r->limits == NULL ||
        rec->n_anns != r->limits->max_objects_per_image + 1) {
        return;
    }
    char id[96];
    bmx__coco_describe_id(id, sizeof id, is_str, num, str);
    begin(r->pr);
    bmx__problem(r->pr, BMX__REFUSE, "limit-exceeded",
                 "image %s has more than %" PRIu64 " annotations (limit)", id,
                 r->limits->max_objects_per_image);
    end(r->pr);
}

void bmx__rule_limit_vertices(struct bmx__coco_rules *r, const struct bmx_polyset *set)
{
    if (r->limits == NULL) {
        return;
    }
    uint64_t n = 0;
    for (size_t q = 0; q < set->count; q++) {
        n += set->rings[q].n;
    }
    if (n <= r->limits->max_polygon_vertices) {
        return;
    }
    begin(r->pr);
    bmx__problem(r->pr, BMX__REFUSE, "limit-exceeded",
                 "%" PRIu64 " polygon vertices, more than the limit of %" PRIu64, n,
                 r->limits->max_polygon_vertices);
    end(r->pr);
}
