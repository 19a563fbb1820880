/* SPDX-License-Identifier: MIT */
/* Internal: what Copy-Paste's cut by a mask needs of masks, on the runs
 * (rle_minus.c), and the exact pixel-edge tracing of a mask with holes
 * (contour_exact.c). */
#ifndef BMX_RLE_MASK_OPS_H
#define BMX_RLE_MASK_OPS_H

#include "boxmix.h"
#include "error.h"

/* a minus b (a's pixels not in b) into `out` (allocated, canonical runs: no empty
 * run but a leading one), *common (may be NULL) = the pixels of a in b. Both masks
 * valid and of one size. Cost: the runs of both, never h*w. */
bmx_status bmx__rle_minus(const struct bmx_rle *a, const struct bmx_rle *b, struct bmx_rle *out,
                          uint64_t *common, bmx_error *err);

/* The pixels of an h x w image whose centres (x + 0.5, y + 0.5) lie in the box
 * [x, x + w) x [y, y + h), as a mask (allocated). A box that holds no centre gives
 * the empty mask. */
bmx_status bmx__rle_from_box_centres(struct bmx_box box, uint32_t h, uint32_t w,
                                     struct bmx_rle *out, bmx_error *err);

/* Is pixel (x, y) set? False outside the mask. */
bool bmx__rle_at(const struct bmx_rle *rle, int64_t x, int64_t y);

/*
 * Trace the mask as COCO polygons that the COCO API reads back as exactly the mask,
 * holes included (bmx_rle_to_polyset fills them). The outer boundary of every
 * top-level component (bmx_rle_to_polyset's rings of the mask with its holes
 * filled) becomes one ring; the outer boundaries of its holes are run backwards
 * and joined to it, each by a zero-width bridge (a segment walked out and back)
 * from the hole's first vertex to the nearest vertex of the outer ring. The COCO
 * API's frPoly decides each column by the parity of the horizontal edges above a
 * pixel, and a bridge adds each of its crossings twice, so the joined ring covers
 * the component minus its holes; its shoelace area is the outer ring's minus the
 * holes'. Components inside holes are traced the same way as rings of their own
 * (the COCO API unions the rings). Vertices are integer pixel corners; the rings'
 * area is bmx_rle_area, their extent bmx_rle_to_polyset's. An empty mask gives no
 * ring. `out` is allocated (bmx_polyset_free).
 */
bmx_status bmx__rle_to_polyset_exact(const struct bmx_rle *rle, struct bmx_polyset *out,
                                     bmx_error *err);

#endif
