/* SPDX-License-Identifier: MIT */
/* Internal to lib/draw: what the drawing files share with each other (the pixel
 * primitives, the fixed colours, text, and the layers bmx__draw_objects_xy paints).
 * What the job runner and the tests reach is in draw.h. */
#ifndef BMX_DRAW_PARTS_H
#define BMX_DRAW_PARTS_H

#include "draw.h"

/* Pixels (draw_paint.c; the inline ones here). */

static inline uint8_t *bmx__draw_pixel(struct bmx_image *img, int32_t x, int32_t y)
{
    return img->data + (size_t)y * img->stride + (size_t)x * (size_t)img->channels;
}

static inline void bmx__draw_put(struct bmx_image *img, int32_t x, int32_t y, const uint8_t rgb[3])
{
    uint8_t *p = bmx__draw_pixel(img, x, y);
    p[0] = rgb[0];
    p[1] = rgb[1];
    p[2] = rgb[2];
}

static inline int64_t bmx__max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static inline int64_t bmx__min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

extern const uint8_t bmx__draw_white[3];
extern const uint8_t bmx__draw_black[3];

/* An RGB (or RGBA) image with pixels and a stride that holds its rows. */
bool bmx__draw_view_ok(const struct bmx_image *img);

/* Fill columns x0..x1, rows y0..y1 (inclusive), clipped to the image. */
void bmx__draw_fill_rect(struct bmx_image *img, int64_t x0, int64_t y0, int64_t x1, int64_t y1,
                         const uint8_t rgb[3]);

/* Whether black text reads better than white on `rgb`. */
bool bmx__draw_is_light(const uint8_t rgb[3]);

/* Boxes (draw_boxes.c). */

/*
 * The L outermost rings of the extent x0..x1, y0..y1, clipped to the image, in
 * dashes of `on` pixels every `period` pixels along each edge (period 0: solid).
 */
void bmx__draw_outline_extent(struct bmx_image *img, int32_t x0, int32_t y0, int32_t x1,
                              int32_t y1, int L, const uint8_t rgb[3], int64_t on, int64_t period);

/* One 1-px ring of the patch outline: white and black dashes by position along
 * each edge; `phase` 1 swaps them. */
void bmx__draw_patch_ring(struct bmx_image *img, int64_t x0, int64_t y0, int64_t x1, int64_t y1,
                          int phase);

/* Diagonal stripes `hatch` pixels wide every 4 * hatch over the extent, clipped. */
void bmx__draw_hatch_extent(struct bmx_image *img, int32_t x0, int32_t y0, int32_t x1, int32_t y1,
                            const uint8_t rgb[3], int hatch);

/* Text (draw_text.c). */

/* The next glyph of `*p`: a printable ASCII character, '\n', or 0 at the end.
 * Tabs and carriage returns read as spaces, other control bytes as '?', and each
 * UTF-8 sequence (or stray byte above 127) as one '?'. */
int bmx__draw_next_glyph(const unsigned char **p);

/* The advance of glyph `c` (from bmx__draw_next_glyph, not '\n') at scale 1. */
int bmx__draw_glyph_advance(int c);

/* `scale` clamped into 1..64. */
int bmx__draw_clamp_scale(int scale);

/* Draw `text` with its top-left corner at (x, y), clipped to the image and to the
 * rectangle `clip`. */
void bmx__draw_text_clipped(struct bmx_image *img, int64_t x, int64_t y, const char *text,
                            int scale, const uint8_t rgb[3], struct bmx_rect clip);

/* Labels (draw_labels.c). */

/* Where a tag may go, in order of preference: on the box's top edge (outside
 * when it fits above, else inside), inside the top, under the box, inside the
 * bottom. Each is then clamped into the image. */
enum {
    BMX__LABEL_ABOVE,
    BMX__LABEL_INSIDE_TOP,
    BMX__LABEL_BELOW,
    BMX__LABEL_INSIDE_BOTTOM,
    BMX__LABEL_PLACES
};

/* The padding around a tag's text at text scale `scale`. */
int32_t bmx__draw_label_pad(int scale);

/* The tag rectangle of bmx__draw_label_rect at place `place` (a BMX__LABEL_*). */
struct bmx_rect bmx__draw_label_rect_at(int32_t w, int32_t h, struct bmx_box box,
                                        const char *text, int scale, int place);

bool bmx__draw_rects_overlap(struct bmx_rect a, struct bmx_rect b);

/* The category of id `id` in `cats`, or NULL. */
const struct bmx_category *bmx__draw_find_category(const struct bmx_category *cats,
                                                   size_t n_cats, int64_t id);

/* The tag text of `o` into `buf` (`cap` bytes): its category's name (or id), then
 * its visibility, its weight (MixUp) and its id when the options ask for them. */
void bmx__draw_label_text(const struct bmx_object *o, const struct bmx_category *cats,
                          size_t n_cats, const struct bmx_draw_options *opts, char *buf,
                          size_t cap);

/* Masks (draw_masks.c). */

/* bmx__draw_mask over columns rx0..rx1, rows ry0..ry1 of the mask only. */
void bmx__draw_mask_region(struct bmx_image *img, const uint8_t *mask, const uint8_t rgb[3],
                           double opacity, int hatch, int32_t rx0, int32_t ry0, int32_t rx1,
                           int32_t ry1);

/*
 * The object's mask at the image's size into `out`: polygons scaled by (sx, sy)
 * and rasterised, RLE resampled when its size is not the image's. `*use` points at
 * the RLE to read (`out` or the object's own). Returns false in *has when the
 * object has no mask.
 */
bmx_status bmx__draw_object_mask(const struct bmx_object *o, const struct bmx_image *img,
                                 double sx, double sy, struct bmx_rle *out,
                                 const struct bmx_rle **use, bool *has, bmx_error *err);

/* The other operations' marks (draw_marks.c), as draw.h states them. */

/* Holes and tiles, each outlined as the patch is. */
void bmx__draw_rect_marks(struct bmx_image *img, const struct bmx__draw_marks *m, double sx,
                          double sy);

/* Mosaic's centre cross (nothing when m has no centre). */
void bmx__draw_centre_mark(struct bmx_image *img, const struct bmx__draw_marks *m, double sx,
                           double sy, int L);

/* The anchor target on the centre of `box`. */
void bmx__draw_anchor_mark(struct bmx_image *img, struct bmx_box box, double sx, double sy, int L);

/* The dashed two-ring outline of a decoded 0/1 mask (column-major, as
 * bmx__draw_mask_region reads it) over columns rx0..rx1, rows ry0..ry1; the mask's
 * values there are changed (2 and 3 mark the rings). */
void bmx__draw_mask_dashed(struct bmx_image *img, uint8_t *mask, int32_t rx0, int32_t ry0,
                           int32_t rx1, int32_t ry1);

/* Keypoints (draw_keypoints.c), as draw.h states them. */

/* The skeleton of `o`: a line for each pair of its category's skeleton whose two
 * ends are drawable labelled points; pairs out of range are skipped. */
void bmx__draw_skeleton(struct bmx_image *img, const struct bmx_object *o,
                        const struct bmx_category *cat, double sx, double sy, int W);

/* The labelled points of `o`: discs of radius R with a 1-px outline, filled when
 * visible; when not, a ring `band` pixels wide outlined on both sides around a
 * centre left as it was. */
void bmx__draw_points(struct bmx_image *img, const struct bmx_object *o, double sx, double sy,
                      int R, int band);

#endif
