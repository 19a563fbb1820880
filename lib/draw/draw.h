/* SPDX-License-Identifier: MIT */
/* Internal: the pieces of QA drawing that the job runner and the tests reach. */
#ifndef BMX_DRAW_H
#define BMX_DRAW_H

#include "boxmix.h"
#include "error.h"

/* Sheet layout: gap between cells and around the grid, height of a caption strip
 * (4 px above the 9-px text line, 3 px below), and the thumbnail width range. */
#define BMX__SHEET_GAP 8
#define BMX__SHEET_CAPTION_H 16
#define BMX__SHEET_THUMB_MAX 320
#define BMX__SHEET_MIN_WIDTH 64
#define BMX__SHEET_MAX_WIDTH 16384
#define BMX__SHEET_MAX_HEIGHT 65535

/* Height in font pixels (scale 1) of one text line, and the pitch between lines. */
#define BMX__TEXT_LINE_H 9
#define BMX__TEXT_LINE_PITCH 12

/*
 * The pixel extent of box `b` scaled by (sx, sy): columns x0..x1 and rows y0..y1
 * (inclusive), x0 = floor(x*sx), x1 = ceil((x+w)*sx) - 1, and the same for y.
 * Returns false when the extent is empty or a coordinate is not finite. The
 * extent is not clipped to any image.
 */
bool bmx__draw_box_extent(struct bmx_box b, double sx, double sy, int32_t *x0, int32_t *y0,
                          int32_t *x1, int32_t *y1);

/* The integer text scale used for labels on an image of w x h. */
int bmx__draw_text_scale(int32_t w, int32_t h);

/*
 * The rectangle of the label tag that bmx_draw_objects draws for `text` on the box
 * `box` (already in image pixels) of an image of w x h at text scale `scale`:
 * above the box when there is room, else inside its top; always inside the
 * image (shortened when wider or taller than the image). Width 0 when the box
 * does not meet the image or the text is empty. bmx_draw_objects uses it unless
 * the tag would cover an earlier object's tag; it then takes the first free one
 * of: inside the box's top, under the box, inside its bottom (each clamped into
 * the image the same way), and this one again when none is free.
 */
struct bmx_rect bmx__draw_label_rect(int32_t w, int32_t h, struct bmx_box box, const char *text,
                                     int scale);

/*
 * Keypoints. A labelled keypoint (v > 0) whose scaled coordinates (x * sx, y * sy)
 * are both within +-BMX__KEYPOINT_COORD_MAX is drawn centred on the pixel
 * (cx, cy) = (floor(x * sx), floor(y * sy)); others (v = 0, v not a number, or
 * coordinates beyond the bound or not finite) are not drawn, nor are lines to
 * them. D(r) is the disc of pixels (cx + dx, cy + dy) with dx^2 + dy^2 <= r^2 + r.
 * With R = bmx__draw_keypoint_radius and B = bmx__draw_keypoint_band, a visible
 * point (v = 2) paints D(R) \ D(R-1) in the outline colour (black on a light
 * category colour, white on a dark one, as label text) and D(R-1) in the category
 * colour; any other labelled point paints the same outline, D(R-1) \ D(R-1-B) in
 * the category colour and D(R-1-B) \ D(R-2-B) in the outline colour, leaving
 * D(R-2-B) as it was (at least its centre pixel). All clipped to the image.
 *
 * Skeleton: for each pair (a, b) of the category's skeleton (1-based, skipped
 * when out of 1..n_keypoints) whose two ends are drawn, a line of width W (the
 * box line width) from pixel A to pixel B, in the category colour. Along its
 * major axis (x when |dx| >= |dy|), ordered so that d_major >= 0, each position t
 * from A's to B's gets the minor coordinate m = a_minor + floor((2 (t - a_major)
 * d_minor + d_major) / (2 d_major)) and the span m - (S-1)/2 .. m + S/2 across it,
 * S = max(1, (W * isqrt(dx^2 + dy^2) + d_major / 2) / d_major) (integer division;
 * m = a_minor and S = W when A = B). Every skeleton line of every object is drawn
 * before any point, after boxes and the patch, before labels.
 */
#define BMX__KEYPOINT_COORD_MAX 16777216.0

/* Keypoint disc radius on a w x h image for box line width `line_width`:
 * line_width + bmx__draw_text_scale(w, h) + 1. */
int bmx__draw_keypoint_radius(int32_t w, int32_t h, int line_width);

/* Width of the coloured band of a not-visible keypoint's ring: ceil(line_width / 2). */
int bmx__draw_keypoint_band(int line_width);

/*
 * Fill the pixels of a column-major mask (`mask[x*img->h + y]`, nonzero = set,
 * img->h * img->w bytes) with `rgb` at `opacity` (0..1), hatch them with diagonal
 * stripes `hatch` pixels wide when hatch > 0, and paint a solid 1-px outline on
 * the mask pixels that have a 4-neighbour outside the mask or the image. Touches
 * no pixel outside the mask.
 */
void bmx__draw_mask(struct bmx_image *img, const uint8_t *mask, const uint8_t rgb[3],
                    double opacity, int hatch);

/*
 * What an operation's image record adds to its drawing (the run layer reads it from
 * the record, readback_ops.c): CutOut's holes and Mosaic's tiles, outlined as the
 * CutMix patch is (with opts->show_patch), Mosaic's centre (a white cross on a
 * black one), Copy-Paste's pasted objects (their masks outlined in black and white
 * dashes, two rings inside the mask's edge) and the anchor object of source-object
 * CutMix (a black, white, black square target on its box's centre). All in the
 * image's frame before scaling by (sx, sy).
 */
struct bmx__draw_marks {
    size_t n_holes;
    struct bmx_rect holes[BMX_MAX_HOLES];
    size_t n_tiles;
    struct bmx_rect tiles[4];
    bool has_centre;
    double centre[2];   /* output pixels (Mosaic: the record's centre - mosaic_size / 2) */
    const bool *pasted; /* per object: pasted by Copy-Paste (NULL: none) */
    size_t anchor;      /* the anchor object's index, SIZE_MAX when none */
};

/* A marks struct with nothing in it. */
void bmx__draw_marks_init(struct bmx__draw_marks *m);

/* Arm of the centre cross and half side of the anchor target on a w x h image with
 * box line width L: arm = 3 * L + 2 * text scale + 2; the cross is black, L + 2
 * pixels wide, arms `arm` long from the centre pixel, with a white cross L wide and
 * arm - 1 long on it. The target: squares of half side r = L + text scale + 2
 * (black), r - 1 (white), r - 3 (black, when r > 3) around the centre pixel. */
int bmx__draw_centre_arm(int32_t w, int32_t h, int L);
int bmx__draw_anchor_radius(int32_t w, int32_t h, int L);

/*
 * bmx_draw_objects with object coordinates (boxes, polygons, keypoints) multiplied
 * by (sx, sy) instead of opts->scale (RLE masks are resampled to the image's size
 * whatever sx and sy).
 * The job runner uses it with the exact ratios of a resized image.
 */
bmx_status bmx__draw_objects_xy(struct bmx_image *img, const struct bmx_object *objs, size_t n,
                                const struct bmx_category *cats, size_t n_cats,
                                const struct bmx_rect *patch, const struct bmx_draw_options *opts,
                                double sx, double sy, const struct bmx__draw_marks *marks,
                                bmx_error *err);

/* Check the ranges of draw options: line_width 1..64, mask_opacity 0..1, scale in
 * (0, 16]. */
bmx_status bmx__draw_options_check(const struct bmx_draw_options *opts, bmx_error *err);

/*
 * Sheet grid for a sheet `width` pixels wide: the fewest columns that keep
 * thumbnails at most BMX__SHEET_THUMB_MAX wide, cols = ceil((width - GAP) /
 * (THUMB_MAX + GAP)) (at least 1), and thumb_w = (width - GAP * (cols + 1)) / cols.
 */
void bmx__draw_sheet_grid(int32_t width, int32_t *cols, int32_t *thumb_w);

/*
 * Size of the thumbnail of a w x h image in a cell thumb_w wide: the image fitted
 * in a thumb_w x thumb_w square, aspect kept, the long side thumb_w and the short
 * side round(short * thumb_w / long), at least 1.
 */
void bmx__draw_thumb_size(int32_t w, int32_t h, int32_t thumb_w, int32_t *tw, int32_t *th);

/*
 * Height of the sheet bmx_draw_sheet makes of n images of these sizes (only `w`
 * and `h` are read): GAP + the sum over rows of (row height + CAPTION_H + GAP),
 * a row as high as its tallest thumbnail. Stops adding once past
 * BMX__SHEET_MAX_HEIGHT.
 */
int64_t bmx__draw_sheet_height(const struct bmx_image *images, size_t n, int32_t width);

/* The boxes of dropped objects (`n` of them, in the image's frame before scaling
 * by sx, sy) outlined in grey dots `line_width` pixels wide (draw_dropped.c). */
void bmx__draw_dropped(struct bmx_image *img, const struct bmx_box *boxes, size_t n, double sx,
                       double sy, int line_width);

#endif
