/* SPDX-License-Identifier: MIT */
/*
 * Contact sheets (bmx_draw_sheet): the grid for a sheet's width, thumbnail sizes,
 * the sheet's height, and the sheet itself, thumbnails centred in their cells
 * with a caption under each, shortened to fit.
 */
#include "draw_parts.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t sheet_background[3] = {56, 56, 56};
static const uint8_t sheet_caption[3] = {232, 232, 232};

void bmx__draw_sheet_grid(int32_t width, int32_t *cols, int32_t *thumb_w)
{
    int64_t avail = (int64_t)width - BMX__SHEET_GAP;
    int64_t step = BMX__SHEET_THUMB_MAX + BMX__SHEET_GAP;
    int64_t c = avail > 0 ? (avail + step - 1) / step : 1;
    if (c < 1) {
        c = 1;
    }
    int64_t tw = ((int64_t)width - BMX__SHEET_GAP * (c + 1)) / c;
    *cols = (int32_t)c;
    *thumb_w = (int32_t)(tw < 1 ? 1 : tw);
}

void bmx__draw_thumb_size(int32_t w, int32_t h, int32_t thumb_w, int32_t *tw, int32_t *th)
{
    int64_t W = w > 0 ? w : 1, H = h > 0 ? h : 1, T = thumb_w > 0 ? thumb_w : 1;
    int64_t a, b;
    if (W >= H) {
        a = T;
        b = (H * T + W / 2) / W;
    } else {
        b = T;
        a = (W * T + H / 2) / H;
    }
    *tw = (int32_t)(a < 1 ? 1 : a);
    *th = (int32_t)(b < 1 ? 1 : b);
}

/* Copy `src` into `dst` with its top-left corner at (x, y); both RGB, src inside. */
static void blit(struct bmx_image *dst, const struct bmx_image *src, int32_t x, int32_t y)
{
    for (int32_t r = 0; r < src->h; r++) {
        const uint8_t *s = src->data + (size_t)r * src->stride;
        uint8_t *d = bmx__draw_pixel(dst, x, y + r);
        for (int32_t c = 0; c < src->w; c++) {
            d[0] = s[0];
            d[1] = s[1];
            d[2] = s[2];
            d += dst->channels;
            s += src->channels;
        }
    }
}

/* A copy of `caption` on one line, shortened with ".." to fit `width` pixels at
 * scale 1. Caller frees. */
static char *fit_caption(const char *caption, int32_t width)
{
    size_t len = strlen(caption);
    char *out = malloc(len + 3);
    int32_t w, h, dots;
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i <= len; i++) {
        out[i] = caption[i] == '\n' ? ' ' : caption[i];
    }
    bmx_draw_text_size(out, 1, &w, &h);
    if (w <= width) {
        return out;
    }
    bmx_draw_text_size("..", 1, &dots, &h);
    /* Cut at glyph boundaries until the text and the dots fit. */
    const unsigned char *p = (const unsigned char *)out;
    int64_t used = 0;
    size_t cut = 0;
    int c;
    while ((c = bmx__draw_next_glyph(&p)) != 0) {
        used += bmx__draw_glyph_advance(c);
        if (used + dots > width) {
            break;
        }
        cut = (size_t)((const char *)p - out);
    }
    memcpy(out + cut, "..", 3);
    return out;
}

int64_t bmx__draw_sheet_height(const struct bmx_image *images, size_t n, int32_t width)
{
    int32_t cols, thumb_w;
    bmx__draw_sheet_grid(width, &cols, &thumb_w);
    int64_t height = BMX__SHEET_GAP;
    for (size_t first = 0; first < n; first += (size_t)cols) {
        int32_t row_h = 1;
        for (size_t i = first; i < n && i < first + (size_t)cols; i++) {
            int32_t tw, th;
            bmx__draw_thumb_size(images[i].w, images[i].h, thumb_w, &tw, &th);
            row_h = th > row_h ? th : row_h;
        }
        height += row_h + BMX__SHEET_CAPTION_H + BMX__SHEET_GAP;
        if (height > BMX__SHEET_MAX_HEIGHT) {
            break;
        }
    }
    return height;
}

/*
 * Layout: `cols` columns of cells thumb_w wide (bmx__draw_sheet_grid) with GAP
 * pixels between them and around the grid. Row r is as high as its tallest
 * thumbnail, plus a caption strip of CAPTION_H; each thumbnail is centred in its
 * cell and its caption starts 4 px under the row's thumbnails, at the cell's left.
 * The sheet is `width` x (GAP + sum over rows of (row height + CAPTION_H + GAP)).
 */
bmx_status bmx_draw_sheet(const struct bmx_image *images, const char *const *captions, size_t n,
                          int32_t width, struct bmx_image *out, bmx_error *err)
{
    struct bmx_image sheet = {0, 0, 0, 0, NULL};
    struct bmx_image thumb = {0, 0, 0, 0, NULL};
    bmx_status st = BMX_OK;
    int32_t cols, thumb_w;

    if (out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "sheet: no output image");
    }
    memset(out, 0, sizeof *out);
    if (n > 0 && images == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "sheet: %zu images but no array", n);
    }
    if (width < BMX__SHEET_MIN_WIDTH || width > BMX__SHEET_MAX_WIDTH) {
        return bmx__fail(err, BMX_E_INVALID, "sheet: width %d is not in %d..%d", (int)width,
                         BMX__SHEET_MIN_WIDTH, BMX__SHEET_MAX_WIDTH);
    }
    for (size_t i = 0; i < n; i++) {
        if (!bmx__draw_view_ok(&images[i])) {
            return bmx__fail(err, BMX_E_INVALID, "sheet: image %zu is not an RGB image", i);
        }
    }
    bmx__draw_sheet_grid(width, &cols, &thumb_w);
    int64_t height = bmx__draw_sheet_height(images, n, width);
    if (height > BMX__SHEET_MAX_HEIGHT) {
        return bmx__fail(err, BMX_E_LIMIT,
                         "sheet: %zu images need more than %d rows of pixels; draw fewer", n,
                         BMX__SHEET_MAX_HEIGHT);
    }
    st = bmx_image_new(width, (int32_t)height, 3, &sheet, err);
    if (st != BMX_OK) {
        return st;
    }
    bmx__draw_fill_rect(&sheet, 0, 0, sheet.w - 1, sheet.h - 1, sheet_background);

    int32_t row_top = BMX__SHEET_GAP;
    for (size_t first = 0; first < n; first += (size_t)cols) {
        size_t end = n - first < (size_t)cols ? n : first + (size_t)cols;
        int32_t row_h = 1;
        for (size_t i = first; i < end; i++) {
            int32_t tw, th;
            bmx__draw_thumb_size(images[i].w, images[i].h, thumb_w, &tw, &th);
            row_h = th > row_h ? th : row_h;
        }
        for (size_t i = first; i < end; i++) {
            int32_t cell_x = BMX__SHEET_GAP + (int32_t)(i - first) * (thumb_w + BMX__SHEET_GAP);
            int32_t tw, th;
            const struct bmx_image *src = &images[i];
            bmx__draw_thumb_size(src->w, src->h, thumb_w, &tw, &th);
            if (src->w != tw || src->h != th) {
                st = bmx_image_resize(src, tw, th, &thumb, err);
                if (st != BMX_OK) {
                    bmx__prefix(err, st, "sheet: image %zu", i);
                    goto cleanup;
                }
                src = &thumb;
            }
            blit(&sheet, src, cell_x + (thumb_w - tw) / 2, row_top + (row_h - th) / 2);
            bmx_image_free(&thumb);
            if (captions != NULL && captions[i] != NULL) {
                char *cap = fit_caption(captions[i], thumb_w);
                if (cap == NULL) {
                    st = bmx__fail(err, BMX_E_NOMEM, "sheet: out of memory for a caption");
                    goto cleanup;
                }
                struct bmx_rect clip = {cell_x, row_top + row_h + 4, thumb_w,
                                        BMX__TEXT_LINE_H};
                bmx__draw_text_clipped(&sheet, clip.x, clip.y, cap, 1, sheet_caption, clip);
                free(cap);
            }
        }
        row_top += row_h + BMX__SHEET_CAPTION_H + BMX__SHEET_GAP;
    }
    *out = sheet;
    sheet.data = NULL;

cleanup:
    bmx_image_free(&thumb);
    bmx_image_free(&sheet);
    return st;
}
