/* SPDX-License-Identifier: MIT */
/* Internal: pixel work the operations need (resizing a patch, pasting it), and the
 * check of a caller's image view the pixel and codec files share. */
#ifndef BMX_PIXELS_H
#define BMX_PIXELS_H

#include "boxmix.h"

/* The pixels of rectangle `r` of the resize of `in` to w x h (bilinear, filtered
 * over the footprint where it shrinks), written
 * into `dst` (an image of w x h, same channels) at the same place. */
bmx_status bmx__image_resize_rect(const struct bmx_image *in, int32_t w, int32_t h,
                                  struct bmx_rect r, struct bmx_image *dst, bmx_error *err);

/* As bmx__image_resize_rect, for a shrink along either axis: each output pixel
 * filtered over its footprint by a triangle as wide as the shrink factor; an axis
 * not shrunk keeps bilinear's taps. resample.c. */
bmx_status bmx__image_resample_rect(const struct bmx_image *in, int32_t w, int32_t h,
                                    struct bmx_rect r, struct bmx_image *dst, bmx_error *err);

/* As bmx__image_resize_rect and bmx__image_resample_rect, the pixels of `r` written
 * into `dst` with r's top-left corner at (at_x, at_y) of dst instead of at (r.x, r.y)
 * (a Mosaic tile placed in the output); the same bytes. */
bmx_status bmx__image_resize_rect_at(const struct bmx_image *in, int32_t w, int32_t h,
                                     struct bmx_rect r, struct bmx_image *dst, int32_t at_x,
                                     int32_t at_y, bmx_error *err);
bmx_status bmx__image_resample_rect_at(const struct bmx_image *in, int32_t w, int32_t h,
                                       struct bmx_rect r, struct bmx_image *dst, int32_t at_x,
                                       int32_t at_y, bmx_error *err);

/* CutMix's pixels: `dst` (A's size and channels, its own memory) becomes A with
 * the patch `r` (inside A) taken from B resized to A's size. */
bmx_status bmx__image_paste(const struct bmx_image *a, const struct bmx_image *b,
                            struct bmx_rect r, struct bmx_image *dst, bmx_error *err);

/* BMX_OK when `img` describes memory that can be walked row by row: pixels, a
 * positive size, 1 to 4 channels, a stride not below the row. image.c. */
bmx_status bmx__image_check_view(const struct bmx_image *img, bmx_error *err);

/* MixUp's pixels: `dst` (B, the same size and channels as `a`) becomes
 * (q a + (1024 - q) dst + 512) >> 10 per byte, q in 0..1024. blend.c. */
void bmx__image_blend(const struct bmx_image *a, struct bmx_image *dst, uint32_t q);

/* As bmx_image_new without clearing the pixels: for a caller that writes every
 * byte (an operation's output). image.c. */
bmx_status bmx__image_new_unset(int32_t w, int32_t h, int32_t channels, struct bmx_image *out,
                                bmx_error *err);

/* MixUp's pixels in one pass, without the fitted source ever made whole: `dst`
 * (a's size and channels; every byte written; its own memory, or a's itself with
 * a's stride, blended in place) becomes the blend
 * (as bmx__image_blend, q in 0..1024) of `a` with the image F of a's size that is
 * `fill` on every channel, and `b` resized (bmx__image_resize_rect) to sw x sh over
 * [ox, ox + sw) x [oy, oy + sh) (inside a). The same bytes as making F, then
 * blending; b is resized a strip of rows at a time, and read directly when sw x sh
 * is its own size. The strip's buffer: *work when it holds *work_cap bytes enough,
 * else one allocated into *work (the old freed) for the caller's next call; both
 * NULL: one allocated and freed here. blend.c. */
bmx_status bmx__image_blend_fitted(const struct bmx_image *a, const struct bmx_image *b,
                                   int32_t sw, int32_t sh, int32_t ox, int32_t oy, uint8_t fill,
                                   uint32_t q, struct bmx_image *dst, uint8_t **work,
                                   size_t *work_cap, bmx_error *err);

#endif
