/* SPDX-License-Identifier: MIT */
/* Internal: polygon clipping entry points for cutmix.c and the differential tests. */
#ifndef BMX_POLYGON_H
#define BMX_POLYGON_H

#include "boxmix.h"
#include "error.h"

/*
 * bmx_polyset_clip_rect (`inside`) or bmx_polyset_cut_rect (!`inside`) of `in` into
 * `out`, and `*area` (may be NULL) bit for bit what bmx_polyset_area(out) would
 * return. With `hit` not NULL, first *hit = whether the opposite operation would
 * give at least one ring (then its rings have area > 0); the rings are not built,
 * and `out` stays empty when *hit is false. The rings are examined once for both.
 */
bmx_status bmx__polyset_by_rect(const struct bmx_polyset *in, struct bmx_box r, bool inside,
                                bool *hit, struct bmx_polyset *out, double *area, bmx_error *err);

/*
 * bmx_polyset_bbox's extent as edges e = {min x, min y, max x, max y} (the box is
 * {e[0], e[1], e[2] - e[0], e[3] - e[1]}), and *finite = whether every vertex is
 * finite, in one pass. False when there is no vertex.
 */
bool bmx__polyset_extent(const struct bmx_polyset *set, double e[4], bool *finite);

/*
 * The plain clipper, without any fast path: every ring clipped by full
 * Sutherland-Hodgman passes and split by the general bridge splitter. The public
 * functions must give exactly the same rings (tests/test_polygon.c checks).
 */
bmx_status bmx__polyset_clip_rect_ref(const struct bmx_polyset *in, struct bmx_box r,
                                      struct bmx_polyset *out, bmx_error *err);
bmx_status bmx__polyset_cut_rect_ref(const struct bmx_polyset *in, struct bmx_box r,
                                     struct bmx_polyset *out, bmx_error *err);

#endif
