/* SPDX-License-Identifier: MIT */
/*
 * Text: measuring and drawing it, clipped, and the text scale for an image's size.
 * It comes from stb_easy_font, compiled in (nothing is read at run time): each
 * glyph is a few axis-aligned quads on a unit grid, filled here as blocks of
 * scale x scale pixels. Bytes outside printable ASCII are drawn as '?' (one per
 * UTF-8 sequence).
 */
#include "draw_parts.h"

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wmissing-braces"
#endif
#include <stb_easy_font.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/* Largest integer text scale accepted. */
#define TEXT_SCALE_MAX 64

/* The next glyph of `*p`: a printable ASCII character, '\n', or 0 at the end.
 * Tabs and carriage returns read as spaces, other control bytes as '?', and each
 * UTF-8 sequence (or stray byte above 127) as one '?'. */
int bmx__draw_next_glyph(const unsigned char **p)
{
    unsigned char c = **p;
    if (c == 0) {
        return 0;
    }
    (*p)++;
    if (c >= 32 && c < 127) {
        return c;
    }
    if (c == '\n') {
        return '\n';
    }
    if (c == '\t' || c == '\r') {
        return ' ';
    }
    if (c >= 0x80) {
        while (**p >= 0x80 && **p < 0xC0) {
            (*p)++;
        }
    }
    return '?';
}

int bmx__draw_glyph_advance(int c)
{
    return stb_easy_font_charinfo[c - 32].advance & 15;
}

int bmx__draw_clamp_scale(int scale)
{
    return scale < 1 ? 1 : scale > TEXT_SCALE_MAX ? TEXT_SCALE_MAX : scale;
}

void bmx_draw_text_size(const char *text, int scale, int32_t *w, int32_t *h)
{
    int64_t line = 0, widest = 0, lines = 1;
    const unsigned char *p = (const unsigned char *)(text != NULL ? text : "");
    int c;
    scale = bmx__draw_clamp_scale(scale);
    if (*p == 0) {
        *w = 0;
        *h = 0;
        return;
    }
    while ((c = bmx__draw_next_glyph(&p)) != 0) {
        if (c == '\n') {
            lines++;
            line = 0;
            continue;
        }
        line += bmx__draw_glyph_advance(c);
        widest = bmx__max64(widest, line);
    }
    *w = (int32_t)bmx__min64(widest * scale, INT32_MAX);
    *h = (int32_t)bmx__min64((BMX__TEXT_LINE_H + BMX__TEXT_LINE_PITCH * (lines - 1)) * scale,
                        INT32_MAX);
}

/* Draw `text` with its top-left corner at (x, y), clipped to the image and to the
 * rectangle `clip`. */
void bmx__draw_text_clipped(struct bmx_image *img, int64_t x, int64_t y, const char *text,
                            int scale, const uint8_t rgb[3], struct bmx_rect clip)
{
    /* Enough for the busiest glyph: stb_easy_font stops before overrunning it. */
    float quads[64 * 16];
    const unsigned char *p = (const unsigned char *)text;
    int64_t pen_x = x, pen_y = y;
    int64_t kx0 = bmx__max64(clip.x, 0), ky0 = bmx__max64(clip.y, 0);
    int64_t kx1 = bmx__min64((int64_t)clip.x + clip.w, img->w) - 1;
    int64_t ky1 = bmx__min64((int64_t)clip.y + clip.h, img->h) - 1;
    int c;
    scale = bmx__draw_clamp_scale(scale);
    while ((c = bmx__draw_next_glyph(&p)) != 0) {
        if (c == '\n') {
            pen_x = x;
            pen_y += (int64_t)BMX__TEXT_LINE_PITCH * scale;
            continue;
        }
        char one[2] = {(char)c, '\0'};
        int n = stb_easy_font_print(0.0f, 0.0f, one, NULL, quads, (int)sizeof quads);
        for (int q = 0; q < n; q++) {
            /* vertex 0 is the quad's top-left corner, vertex 2 its bottom-right;
             * each vertex is 16 bytes: x, y, z, colour */
            const float *v = quads + q * 16;
            int64_t qx0 = pen_x + (int64_t)v[0] * scale, qy0 = pen_y + (int64_t)v[1] * scale;
            int64_t qx1 = pen_x + (int64_t)v[8] * scale - 1;
            int64_t qy1 = pen_y + (int64_t)v[9] * scale - 1;
            bmx__draw_fill_rect(img, bmx__max64(qx0, kx0), bmx__max64(qy0, ky0),
                                bmx__min64(qx1, kx1), bmx__min64(qy1, ky1), rgb);
        }
        pen_x += (int64_t)bmx__draw_glyph_advance(c) * scale;
    }
}

void bmx_draw_text(struct bmx_image *img, int32_t x, int32_t y, const char *text, int scale,
                   const uint8_t rgb[3])
{
    if (!bmx__draw_view_ok(img) || text == NULL || rgb == NULL) {
        return;
    }
    bmx__draw_text_clipped(img, x, y, text, scale, rgb, (struct bmx_rect){0, 0, img->w, img->h});
}

int bmx__draw_text_scale(int32_t w, int32_t h)
{
    int32_t m = w < h ? w : h;
    int s = 1 + (m > 0 ? m / 480 : 0);
    return s > 8 ? 8 : s;
}
