/* SPDX-License-Identifier: MIT */
/* QA drawing, checked pixel by pixel on synthetic images: box outlines land on
 * exactly their edge pixels, mask fills change exactly the mask's pixels, label
 * tags stay inside the image at every border and corner, colours are stable, and
 * contact sheets have the documented size and a caption under every thumbnail.
 * Plus the draw run on samples/: selection, reproducibility and refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boxmix.h"
#include "draw.h"
#include "error.h"

#define SENTINEL 77

/* An image view inside a bigger buffer whose margin must never be written. */
struct canvas {
    uint8_t *buf;
    int32_t cw, ch, margin;
    struct bmx_image img;
};

static void canvas_new(struct canvas *c, int32_t w, int32_t h, int32_t margin, uint8_t bg)
{
    c->cw = w + 2 * margin;
    c->ch = h + 2 * margin;
    c->margin = margin;
    c->buf = malloc((size_t)c->cw * (size_t)c->ch * 3);
    assert_non_null(c->buf);
    memset(c->buf, SENTINEL, (size_t)c->cw * (size_t)c->ch * 3);
    c->img = (struct bmx_image){w, h, 3, (size_t)c->cw * 3,
                                c->buf + ((size_t)margin * (size_t)c->cw + (size_t)margin) * 3};
    for (int32_t y = 0; y < h; y++) {
        memset(c->img.data + (size_t)y * c->img.stride, bg, (size_t)w * 3);
    }
}

static void canvas_free(struct canvas *c)
{
    free(c->buf);
    c->buf = NULL;
}

static bool margin_intact(const struct canvas *c)
{
    for (int32_t y = 0; y < c->ch; y++) {
        for (int32_t x = 0; x < c->cw; x++) {
            bool inside = x >= c->margin && x < c->margin + c->img.w && y >= c->margin &&
                          y < c->margin + c->img.h;
            const uint8_t *p = c->buf + ((size_t)y * (size_t)c->cw + (size_t)x) * 3;
            if (!inside && (p[0] != SENTINEL || p[1] != SENTINEL || p[2] != SENTINEL)) {
                return false;
            }
        }
    }
    return true;
}

/* A tightly packed copy of the image's pixels. */
static uint8_t *snapshot(const struct bmx_image *img)
{
    uint8_t *s = malloc((size_t)img->w * (size_t)img->h * 3);
    assert_non_null(s);
    for (int32_t y = 0; y < img->h; y++) {
        memcpy(s + (size_t)y * (size_t)img->w * 3, img->data + (size_t)y * img->stride,
               (size_t)img->w * 3);
    }
    return s;
}

static const uint8_t *px(const struct bmx_image *img, int32_t x, int32_t y)
{
    return img->data + (size_t)y * img->stride + (size_t)x * 3;
}

static bool changed(const struct bmx_image *img, const uint8_t *before, int32_t x, int32_t y)
{
    return memcmp(px(img, x, y), before + ((size_t)y * (size_t)img->w + (size_t)x) * 3, 3) != 0;
}

static bool is_rgb(const uint8_t *p, const uint8_t rgb[3])
{
    return p[0] == rgb[0] && p[1] == rgb[1] && p[2] == rgb[2];
}

static struct bmx_object box_object(int64_t id, int64_t cat, double x, double y, double w,
                                    double h)
{
    struct bmx_object o;
    memset(&o, 0, sizeof o);
    o.id = id;
    o.category_id = cat;
    o.bbox = (struct bmx_box){x, y, w, h};
    o.visibility = 1.0;
    return o;
}

static const uint8_t white_rgb[3] = {255, 255, 255};
static const uint8_t black_rgb[3] = {0, 0, 0};

static bool in_rect(struct bmx_rect r, int32_t x, int32_t y)
{
    return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

/* ---- colours ---- */

static void colours_are_stable_and_distinct(void **state)
{
    (void)state;
    uint8_t a[3], b[3], all[21][3];
    for (int64_t id = 1; id <= 20; id++) {
        bmx_draw_category_color(id, a);
        bmx_draw_category_color(id, b);
        assert_memory_equal(a, b, 3);
        memcpy(all[id], a, 3);
        /* never black or white: those are the patch's colours */
        assert_false(a[0] == a[1] && a[1] == a[2] && (a[0] == 0 || a[0] == 255));
    }
    for (int i = 1; i <= 20; i++) {
        for (int j = i + 1; j <= 20; j++) {
            assert_true(memcmp(all[i], all[j], 3) != 0);
        }
    }
    /* fixed values: the same in every run and on every machine */
    bmx_draw_category_color(1, a);
    assert_int_equal(a[0], 230);
    assert_int_equal(a[1], 40);
    assert_int_equal(a[2], 50);
    bmx_draw_category_color(INT64_MIN, a);
    bmx_draw_category_color(INT64_MIN, b);
    assert_memory_equal(a, b, 3);
}

/* ---- box outlines ---- */

/* Draw one box object on a black image and check every pixel: outside the label
 * tag, a pixel changes exactly when it lies in the L outermost rings of the box's
 * pixel extent, and then it has the category colour. */
static void check_outline(struct bmx_box box, int L, double scale)
{
    struct canvas c;
    canvas_new(&c, 96, 72, 8, 0);
    uint8_t *before = snapshot(&c.img);
    struct bmx_object o = box_object(1, 3, box.x, box.y, box.w, box.h);
    struct bmx_draw_options opts;
    bmx_draw_options_init(&opts);
    opts.line_width = L;
    opts.scale = scale;
    bmx_error err = {0};
    assert_int_equal(bmx_draw_objects(&c.img, &o, 1, NULL, 0, NULL, &opts, &err), BMX_OK);

    int32_t x0 = (int32_t)floor(box.x * scale), x1 = (int32_t)ceil((box.x + box.w) * scale) - 1;
    int32_t y0 = (int32_t)floor(box.y * scale), y1 = (int32_t)ceil((box.y + box.h) * scale) - 1;
    struct bmx_box sb = {box.x * scale, box.y * scale, box.w * scale, box.h * scale};
    struct bmx_rect tag = bmx__draw_label_rect(c.img.w, c.img.h, sb, "3",
                                               bmx__draw_text_scale(c.img.w, c.img.h));
    uint8_t rgb[3];
    bmx_draw_category_color(3, rgb);
    size_t painted = 0;
    for (int32_t y = 0; y < c.img.h; y++) {
        for (int32_t x = 0; x < c.img.w; x++) {
            if (in_rect(tag, x, y)) {
                continue;
            }
            bool inext = x >= x0 && x <= x1 && y >= y0 && y <= y1;
            int32_t d = x - x0;
            d = x1 - x < d ? x1 - x : d;
            d = y - y0 < d ? y - y0 : d;
            d = y1 - y < d ? y1 - y : d;
            bool ring = inext && d < L;
            if (ring != changed(&c.img, before, x, y)) {
                fail_msg("box %g,%g,%g,%g L=%d scale %g: pixel (%d,%d) ring=%d changed=%d",
                         box.x, box.y, box.w, box.h, L, scale, (int)x, (int)y, ring, !ring);
            }
            if (ring) {
                assert_true(is_rgb(px(&c.img, x, y), rgb));
                painted++;
            }
        }
    }
    assert_true(painted > 0);
    assert_true(margin_intact(&c));
    free(before);
    canvas_free(&c);
}

static void outline_lands_on_edge_pixels(void **state)
{
    (void)state;
    const struct bmx_box boxes[] = {
        {20, 30, 30, 20},        /* integral: columns 20..49, rows 30..49 */
        {20.3, 30.7, 29.4, 19.1}, /* fractional: columns 20..49, rows 30..49 */
        {40.5, 25.25, 0.25, 0.5}, /* inside one pixel */
        {60, 20, 3, 40},         /* narrower than two rings of 3 */
        {-10.5, 40, 30, 50},     /* clipped at the left and bottom */
        {70, 30, 40, 10.5},      /* clipped at the right */
    };
    for (size_t i = 0; i < sizeof boxes / sizeof boxes[0]; i++) {
        check_outline(boxes[i], 1, 1.0);
        check_outline(boxes[i], 3, 1.0);
    }
    check_outline((struct bmx_box){10.25, 15, 20, 10}, 2, 1.5);
}

static void outline_of_integral_box_is_exact(void **state)
{
    (void)state;
    /* the documented example: [10, 20, 30, 40] paints columns 10..39, rows 20..59 */
    int32_t x0, y0, x1, y1;
    assert_true(bmx__draw_box_extent((struct bmx_box){10, 20, 30, 40}, 1, 1, &x0, &y0, &x1, &y1));
    assert_int_equal(x0, 10);
    assert_int_equal(x1, 39);
    assert_int_equal(y0, 20);
    assert_int_equal(y1, 59);
    assert_true(bmx__draw_box_extent((struct bmx_box){10.5, 20.5, 29, 39}, 1, 1, &x0, &y0, &x1,
                                     &y1));
    assert_int_equal(x0, 10);
    assert_int_equal(x1, 39);
    assert_int_equal(y0, 20);
    assert_int_equal(y1, 59);
    assert_false(bmx__draw_box_extent((struct bmx_box){10, 20, 0, 5}, 1, 1, &x0, &y0, &x1, &y1));
    assert_false(bmx__draw_box_extent((struct bmx_box){NAN, 20, 3, 5}, 1, 1, &x0, &y0, &x1, &y1));
    assert_false(bmx__draw_box_extent((struct bmx_box){1, 2, -3, 5}, 1, 1, &x0, &y0, &x1, &y1));
}

/* A source object's outline is dashed: it paints only ring pixels, and not all. */
static void source_objects_are_dashed(void **state)
{
    (void)state;
    struct canvas c;
    canvas_new(&c, 96, 72, 4, 0);
    uint8_t *before = snapshot(&c.img);
    struct bmx_object o = box_object(1, 2, 10, 30, 60, 30);
    o.origin = BMX_FROM_SOURCE;
    assert_int_equal(bmx_draw_objects(&c.img, &o, 1, NULL, 0, NULL, NULL, NULL), BMX_OK);
    struct bmx_rect tag = bmx__draw_label_rect(96, 72, o.bbox, "2", 1);
    size_t ring = 0, on = 0;
    for (int32_t y = 0; y < 72; y++) {
        for (int32_t x = 0; x < 96; x++) {
            if (in_rect(tag, x, y)) {
                continue;
            }
            bool inring = x >= 10 && x <= 69 && y >= 30 && y <= 59 &&
                          (x < 12 || x > 67 || y < 32 || y > 57);
            if (!inring) {
                assert_false(changed(&c.img, before, x, y));
                continue;
            }
            ring++;
            on += changed(&c.img, before, x, y);
        }
    }
    assert_true(on > ring / 3);
    assert_true(on < ring);
    /* every edge has dashes and gaps: top row, bottom row, left and right columns */
    size_t top = 0, bottom = 0, left = 0, right = 0;
    for (int32_t x = 10; x <= 69; x++) {
        top += changed(&c.img, before, x, 30);
        bottom += changed(&c.img, before, x, 59);
    }
    for (int32_t y = 30; y <= 59; y++) {
        left += changed(&c.img, before, 10, y);
        right += changed(&c.img, before, 69, y);
    }
    assert_true(top > 10 && top < 50 && bottom > 10 && bottom < 50);
    assert_true(left > 5 && left < 25 && right > 5 && right < 25);
    free(before);
    canvas_free(&c);
}

/* ---- masks ---- */

static void check_mask_fill(struct bmx_object *o, const uint8_t *mask, int32_t w, int32_t h,
                            double opacity)
{
    struct canvas c;
    canvas_new(&c, w, h, 6, 0);
    /* a gradient background, so a fill that skipped pixels would show */
    for (int32_t y = 0; y < h; y++) {
        for (int32_t x = 0; x < w; x++) {
            uint8_t *p = c.img.data + (size_t)y * c.img.stride + (size_t)x * 3;
            p[0] = (uint8_t)(x * 3);
            p[1] = (uint8_t)(y * 3);
            p[2] = 20;
        }
    }
    uint8_t *before = snapshot(&c.img);
    struct bmx_draw_options opts;
    bmx_draw_options_init(&opts);
    opts.mask_opacity = opacity;
    bmx_error err = {0};
    assert_int_equal(bmx_draw_objects(&c.img, o, 1, NULL, 0, NULL, &opts, &err), BMX_OK);
    uint8_t rgb[3];
    bmx_draw_category_color(o->category_id, rgb);
    uint32_t a = (uint32_t)lround(opacity * 255);
    size_t n_mask = 0;
    for (int32_t y = 0; y < h; y++) {
        for (int32_t x = 0; x < w; x++) {
            bool m = mask[(size_t)x * (size_t)h + (size_t)y] != 0;
            n_mask += m;
            if (!m) {
                if (changed(&c.img, before, x, y)) {
                    fail_msg("pixel (%d,%d) outside the mask changed", (int)x, (int)y);
                }
                continue;
            }
            bool border = x == 0 || y == 0 || x == w - 1 || y == h - 1 ||
                          !mask[(size_t)(x - 1) * h + y] || !mask[(size_t)(x + 1) * h + y] ||
                          !mask[(size_t)x * h + y - 1] || !mask[(size_t)x * h + y + 1];
            const uint8_t *p = px(&c.img, x, y);
            const uint8_t *q = before + ((size_t)y * (size_t)w + (size_t)x) * 3;
            if (border) {
                assert_true(is_rgb(p, rgb));
            } else {
                for (int k = 0; k < 3; k++) {
                    assert_int_equal(p[k], (q[k] * (255 - a) + rgb[k] * a + 127) / 255);
                }
            }
            if (opacity > 0 && !changed(&c.img, before, x, y)) {
                fail_msg("mask pixel (%d,%d) unchanged", (int)x, (int)y);
            }
        }
    }
    assert_true(n_mask > 20);
    assert_true(margin_intact(&c));
    free(before);
    canvas_free(&c);
}

static void rle_fill_changes_exactly_the_mask(void **state)
{
    (void)state;
    const int32_t w = 40, h = 30;
    uint8_t mask[40 * 30];
    memset(mask, 0, sizeof mask);
    for (int32_t x = 0; x < w; x++) {
        for (int32_t y = 0; y < h; y++) {
            double dx = x - 15.0, dy = y - 12.0;
            bool disc = dx * dx + dy * dy < 100 && dx * dx + dy * dy >= 9; /* a ring */
            bool edge = x >= 33 && y >= 20; /* touches the right and bottom borders */
            mask[x * h + y] = disc || edge || (x == 2 && y == 2); /* and one lone pixel */
        }
    }
    struct bmx_object o = box_object(4, 5, 0, 0, 0, 0); /* no box: no outline, no label */
    o.seg_kind = BMX_SEG_RLE;
    assert_int_equal(bmx_rle_encode(mask, (uint32_t)h, (uint32_t)w, &o.rle, NULL), BMX_OK);
    check_mask_fill(&o, mask, w, h, 0.4);
    check_mask_fill(&o, mask, w, h, 1.0);
    check_mask_fill(&o, mask, w, h, 0.0);
    bmx_rle_free(&o.rle);
}

static void polygon_fill_changes_exactly_the_mask(void **state)
{
    (void)state;
    const int32_t w = 50, h = 40;
    double ring1[] = {3.5, 4.25, 40.75, 8.5, 22.0, 35.5};
    double ring2[] = {38, 30, 49.6, 30, 49.6, 39.9, 38, 39.9};
    struct bmx_poly rings[2] = {{3, ring1}, {4, ring2}};
    struct bmx_object o = box_object(1, 7, 0, 0, 0, 0);
    o.seg_kind = BMX_SEG_POLYGON;
    o.polys = (struct bmx_polyset){2, rings};
    struct bmx_rle rle;
    uint8_t mask[50 * 40];
    assert_int_equal(bmx_rle_from_polyset(&o.polys, (uint32_t)h, (uint32_t)w, &rle, NULL), BMX_OK);
    assert_int_equal(bmx_rle_decode(&rle, mask, sizeof mask, NULL), BMX_OK);
    bmx_rle_free(&rle);
    check_mask_fill(&o, mask, w, h, 0.4);
    check_mask_fill(&o, mask, w, h, 0.75);
}

/* Crowd masks are hatched: solid stripes inside the mask, nothing outside. A crowd
 * box without a mask is hatched inside its box. */
static void crowd_objects_are_hatched(void **state)
{
    (void)state;
    const int32_t w = 40, h = 30;
    uint8_t mask[40 * 30];
    memset(mask, 0, sizeof mask);
    for (int32_t x = 5; x < 30; x++) {
        for (int32_t y = 5; y < 25; y++) {
            mask[x * h + y] = 1;
        }
    }
    struct canvas c;
    canvas_new(&c, w, h, 2, 0);
    uint8_t rgb[3] = {200, 100, 50};
    bmx__draw_mask(&c.img, mask, rgb, 0.0, 2);
    size_t stripes = 0;
    for (int32_t y = 0; y < h; y++) {
        for (int32_t x = 0; x < w; x++) {
            bool lit = px(&c.img, x, y)[0] != 0;
            bool m = mask[x * h + y] != 0;
            assert_true(!lit || m);
            bool interior = x > 5 && x < 29 && y > 5 && y < 24;
            if (interior) {
                assert_int_equal(lit, (x + y) % 8 < 2);
                stripes += lit;
            }
        }
    }
    assert_true(stripes > 30);
    canvas_free(&c);

    canvas_new(&c, 64, 48, 2, 0);
    uint8_t *before = snapshot(&c.img);
    struct bmx_object o = box_object(1, 1, 10, 20, 30, 20);
    o.iscrowd = 1;
    assert_int_equal(bmx_draw_objects(&c.img, &o, 1, NULL, 0, NULL, NULL, NULL), BMX_OK);
    struct bmx_rect tag = bmx__draw_label_rect(64, 48, o.bbox, "1", 1);
    size_t inner = 0;
    for (int32_t y = 0; y < 48; y++) {
        for (int32_t x = 0; x < 64; x++) {
            bool inbox = x >= 10 && x <= 39 && y >= 20 && y <= 39;
            if (!inbox && !in_rect(tag, x, y)) {
                assert_false(changed(&c.img, before, x, y));
            }
            if (x >= 12 && x <= 37 && y >= 22 && y <= 37) {
                inner += changed(&c.img, before, x, y);
                assert_int_equal(changed(&c.img, before, x, y), (x + y) % 8 < 2);
            }
        }
    }
    assert_true(inner > 0);
    free(before);
    canvas_free(&c);
}

/* An RLE of another size than the image is resampled to the image's size. */
static void rle_of_other_size_is_resampled(void **state)
{
    (void)state;
    uint8_t small[10 * 8];
    memset(small, 0, sizeof small);
    for (int x = 2; x < 6; x++) {
        for (int y = 2; y < 6; y++) {
            small[x * 8 + y] = 1;
        }
    }
    struct bmx_object o = box_object(1, 2, 0, 0, 0, 0);
    o.seg_kind = BMX_SEG_RLE;
    assert_int_equal(bmx_rle_encode(small, 8, 10, &o.rle, NULL), BMX_OK);
    struct canvas c;
    canvas_new(&c, 20, 16, 2, 0);
    struct bmx_draw_options opts;
    bmx_draw_options_init(&opts);
    opts.scale = 2.0;
    assert_int_equal(bmx_draw_objects(&c.img, &o, 1, NULL, 0, NULL, &opts, NULL), BMX_OK);
    for (int32_t y = 0; y < 16; y++) {
        for (int32_t x = 0; x < 20; x++) {
            bool m = x >= 4 && x < 12 && y >= 4 && y < 12;
            assert_int_equal(px(&c.img, x, y)[0] != 0, m);
        }
    }
    assert_true(margin_intact(&c));
    canvas_free(&c);
    bmx_rle_free(&o.rle);
}

/* ---- labels ---- */

static void label_tags_stay_inside(void **state)
{
    (void)state;
    const int32_t W = 80, H = 60;
    const struct bmx_box boxes[] = {
        {0, 0, 10, 10},     {70, 0, 10, 10},    {0, 50, 10, 10},   {70, 50, 10, 10},
        {35, 0, 10, 10},    {0, 25, 10, 10},    {70, 25, 10, 10},  {35, 50, 10, 10},
        {35, 25, 10, 10},   {-20, -20, 200, 200}, {-5, -5, 12, 12}, {75.5, 55.5, 20, 20},
        {79.9, 59.9, 0.05, 0.05}, {-3, 20, 4, 4}, {78, -2, 40, 3},
    };
    const struct bmx_category cats[] = {{.id = 9, .name = "a rather long category name"}};
    for (size_t i = 0; i < sizeof boxes / sizeof boxes[0]; i++) {
        for (int show = 0; show < 2; show++) {
            struct canvas c;
            canvas_new(&c, W, H, 20, 0);
            struct bmx_object o = box_object(123456, 9, boxes[i].x, boxes[i].y, boxes[i].w,
                                             boxes[i].h);
            o.visibility = 0.4242;
            struct bmx_draw_options opts;
            bmx_draw_options_init(&opts);
            opts.show_id = show;
            opts.show_visibility = show;
            assert_int_equal(bmx_draw_objects(&c.img, &o, 1, cats, 1, NULL, &opts, NULL), BMX_OK);
            assert_true(margin_intact(&c));
            const char *text = show ? "a rather long category name 0.42 #123456"
                                    : "a rather long category name";
            struct bmx_rect r = bmx__draw_label_rect(W, H, boxes[i], text, 1);
            assert_true(r.w > 0 && r.h > 0);
            assert_true(r.x >= 0 && r.y >= 0 && r.x + r.w <= W && r.y + r.h <= H);
            /* the tag is drawn: its corner pixels have the category colour, and
             * some of its pixels carry the text */
            uint8_t rgb[3];
            bmx_draw_category_color(9, rgb);
            assert_true(is_rgb(px(&c.img, r.x, r.y), rgb));
            assert_true(is_rgb(px(&c.img, r.x + r.w - 1, r.y + r.h - 1), rgb));
            size_t text_px = 0;
            for (int32_t y = r.y; y < r.y + r.h; y++) {
                for (int32_t x = r.x; x < r.x + r.w; x++) {
                    text_px += !is_rgb(px(&c.img, x, y), rgb);
                }
            }
            assert_true(text_px > 20);
            canvas_free(&c);
        }
    }
    /* above the box when there is room, touching its top edge */
    struct bmx_rect r = bmx__draw_label_rect(W, H, (struct bmx_box){30, 30, 10, 10}, "dog", 1);
    assert_int_equal(r.x, 30);
    assert_int_equal(r.y + r.h, 30);
    /* else inside the box, at its top */
    r = bmx__draw_label_rect(W, H, (struct bmx_box){30, 5, 10, 10}, "dog", 1);
    assert_int_equal(r.y, 5);
    /* no tag for a box off the image or an empty box */
    r = bmx__draw_label_rect(W, H, (struct bmx_box){90, 5, 10, 10}, "dog", 1);
    assert_int_equal(r.w, 0);
    r = bmx__draw_label_rect(W, H, (struct bmx_box){10, 5, 0, 10}, "dog", 1);
    assert_int_equal(r.w, 0);
}

static void label_text_options(void **state)
{
    (void)state;
    /* The label's width follows its text: name, then visibility, then id. */
    const struct bmx_category cats[] = {{.id = 2, .name = "dog"}};
    struct bmx_object o = box_object(17, 2, 40, 40, 30, 20);
    o.visibility = 0.4242;
    struct bmx_draw_options opts;
    bmx_draw_options_init(&opts);
    const char *texts[] = {"dog", "dog 0.42", "dog #17", "dog 0.42 #17"};
    for (int k = 0; k < 4; k++) {
        opts.show_visibility = k & 1;
        opts.show_id = (k & 2) != 0;
        struct canvas c;
        canvas_new(&c, 120, 90, 0, 0);
        uint8_t *before = snapshot(&c.img);
        assert_int_equal(bmx_draw_objects(&c.img, &o, 1, cats, 1, NULL, &opts, NULL), BMX_OK);
        struct bmx_rect r = bmx__draw_label_rect(120, 90, o.bbox, texts[k], 1);
        int32_t tw, th;
        bmx_draw_text_size(texts[k], 1, &tw, &th);
        assert_int_equal(r.w, tw + 4);
        /* the tag occupies exactly r: the row above it and the column after it
         * are untouched */
        for (int32_t x = r.x; x < r.x + r.w; x++) {
            assert_true(changed(&c.img, before, x, r.y));
            assert_false(changed(&c.img, before, x, r.y - 1));
        }
        for (int32_t y = r.y; y < r.y + r.h; y++) {
            assert_false(changed(&c.img, before, r.x + r.w, y));
        }
        free(before);
        canvas_free(&c);
    }
}

/* Label text is black on light tags and white on dark ones. */
static void label_text_contrasts_with_its_tag(void **state)
{
    (void)state;
    const int64_t cats[2] = {4, 19}; /* yellow, navy */
    const uint8_t text[2][3] = {{0, 0, 0}, {255, 255, 255}};
    for (int k = 0; k < 2; k++) {
        struct canvas c;
        canvas_new(&c, 100, 80, 0, 128);
        struct bmx_object o = box_object(1, cats[k], 30, 40, 40, 30);
        assert_int_equal(bmx_draw_objects(&c.img, &o, 1, NULL, 0, NULL, NULL, NULL), BMX_OK);
        char label[8];
        snprintf(label, sizeof label, "%d", (int)cats[k]);
        struct bmx_rect r = bmx__draw_label_rect(100, 80, o.bbox, label, 1);
        uint8_t rgb[3];
        bmx_draw_category_color(cats[k], rgb);
        size_t n_text = 0;
        for (int32_t y = r.y; y < r.y + r.h; y++) {
            for (int32_t x = r.x; x < r.x + r.w; x++) {
                const uint8_t *p = px(&c.img, x, y);
                if (!is_rgb(p, rgb) && !is_rgb(p, text[k])) {
                    fail_msg("cat %d: tag pixel (%d,%d) is %d,%d,%d", (int)cats[k], (int)x,
                             (int)y, p[0], p[1], p[2]);
                }
                n_text += is_rgb(p, text[k]);
            }
        }
        assert_true(n_text > 10);
        canvas_free(&c);
    }
}

/* A tag that would cover an earlier one moves: inside the top of its box, then
 * under it, then inside its bottom. */
static void overlapping_tags_move(void **state)
{
    (void)state;
    struct canvas c;
    canvas_new(&c, 120, 100, 4, 0);
    struct bmx_object o[4] = {box_object(1, 1, 20, 30, 60, 40), box_object(2, 2, 20, 30, 60, 40),
                              box_object(3, 3, 20, 30, 60, 40), box_object(4, 4, 20, 30, 60, 40)};
    assert_int_equal(bmx_draw_objects(&c.img, o, 4, NULL, 0, NULL, NULL, NULL), BMX_OK);
    assert_true(margin_intact(&c));
    /* tags are 13 px high at scale 1: above rows 17..29, inside top 30..42, below
     * 70..82, inside bottom 57..69; each starts at column 20 */
    const int32_t rows[4] = {17, 30, 70, 57};
    for (int k = 0; k < 4; k++) {
        uint8_t rgb[3];
        bmx_draw_category_color(k + 1, rgb);
        assert_true(is_rgb(px(&c.img, 20, rows[k]), rgb));
        assert_true(is_rgb(px(&c.img, 21, rows[k] + 12), rgb));
    }
    canvas_free(&c);
}

/* ---- text ---- */

static void text_size_and_bounds(void **state)
{
    (void)state;
    int32_t w, h, w2, h2;
    bmx_draw_text_size("A", 1, &w, &h);
    assert_int_equal(w, 6);
    assert_int_equal(h, 9);
    bmx_draw_text_size("A", 3, &w, &h);
    assert_int_equal(w, 18);
    assert_int_equal(h, 27);
    bmx_draw_text_size("", 2, &w, &h);
    assert_int_equal(w, 0);
    assert_int_equal(h, 0);
    bmx_draw_text_size("ab\nabcd", 1, &w, &h);
    bmx_draw_text_size("abcd", 1, &w2, &h2);
    assert_int_equal(w, w2);
    assert_int_equal(h, 9 + 12);
    /* one '?' per UTF-8 sequence */
    bmx_draw_text_size("caf\xc3\xa9", 1, &w, &h);
    bmx_draw_text_size("caf?", 1, &w2, &h2);
    assert_int_equal(w, w2);

    const char *samples[] = {"Hello, boxmix! 0.42 #17", "gjpqy_|", "caf\xc3\xa9\t\x01"};
    for (size_t i = 0; i < 3; i++) {
        for (int scale = 1; scale <= 3; scale++) {
            struct canvas c;
            canvas_new(&c, 300, 60, 4, 0);
            uint8_t white[3] = {255, 255, 255};
            bmx_draw_text(&c.img, 7, 5, samples[i], scale, white);
            bmx_draw_text_size(samples[i], scale, &w, &h);
            size_t lit = 0;
            for (int32_t y = 0; y < 60; y++) {
                for (int32_t x = 0; x < 300; x++) {
                    bool on = px(&c.img, x, y)[0] != 0;
                    lit += on;
                    if (on) {
                        assert_true(x >= 7 && x < 7 + w && y >= 5 && y < 5 + h);
                    }
                }
            }
            assert_true(lit > 10);
            canvas_free(&c);
        }
    }
    /* clipped at the image's borders */
    struct canvas c;
    canvas_new(&c, 20, 8, 10, 0);
    uint8_t white[3] = {255, 255, 255};
    bmx_draw_text(&c.img, -3, -4, "WWWWWWWW", 2, white);
    assert_true(margin_intact(&c));
    canvas_free(&c);
}

/* ---- patch ---- */

static void patch_is_outlined_black_and_white(void **state)
{
    (void)state;
    struct canvas c;
    canvas_new(&c, 64, 48, 4, 100);
    uint8_t *before = snapshot(&c.img);
    struct bmx_rect patch = {10, 12, 30, 20};
    assert_int_equal(bmx_draw_objects(&c.img, NULL, 0, NULL, 0, &patch, NULL, NULL), BMX_OK);
    size_t whites = 0, blacks = 0;
    for (int32_t y = 0; y < 48; y++) {
        for (int32_t x = 0; x < 64; x++) {
            bool ring = x >= 10 && x <= 39 && y >= 12 && y <= 31 &&
                        (x < 12 || x > 37 || y < 14 || y > 29);
            assert_int_equal(changed(&c.img, before, x, y), ring);
            if (ring) {
                const uint8_t *p = px(&c.img, x, y);
                assert_true(p[0] == p[1] && p[1] == p[2] && (p[0] == 0 || p[0] == 255));
                whites += p[0] == 255;
                blacks += p[0] == 0;
            }
        }
    }
    assert_true(whites > 20 && blacks > 20);
    /* two rings in opposite phase: each pixel of the outer ring differs from the
     * one inside it, and each edge alternates */
    for (int32_t x = 12; x <= 37; x++) {
        assert_int_not_equal(px(&c.img, x, 12)[0], px(&c.img, x, 13)[0]);
        assert_int_not_equal(px(&c.img, x, 31)[0], px(&c.img, x, 30)[0]);
        assert_int_not_equal(px(&c.img, x, 12)[0], px(&c.img, x + 4, 12)[0]);
    }
    for (int32_t y = 14; y <= 25; y++) {
        assert_int_not_equal(px(&c.img, 10, y)[0], px(&c.img, 11, y)[0]);
        assert_int_not_equal(px(&c.img, 39, y)[0], px(&c.img, 38, y)[0]);
        assert_int_not_equal(px(&c.img, 10, y)[0], px(&c.img, 10, y + 4)[0]);
    }
    /* --no-patch */
    struct bmx_draw_options opts;
    bmx_draw_options_init(&opts);
    opts.show_patch = false;
    free(before);
    before = snapshot(&c.img);
    patch = (struct bmx_rect){0, 0, 64, 48};
    assert_int_equal(bmx_draw_objects(&c.img, NULL, 0, NULL, 0, &patch, &opts, NULL), BMX_OK);
    for (int32_t y = 0; y < 48; y++) {
        for (int32_t x = 0; x < 64; x++) {
            assert_false(changed(&c.img, before, x, y));
        }
    }
    free(before);
    canvas_free(&c);
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    struct bmx_image grey = {0};
    bmx_error err = {0};
    assert_int_equal(bmx_image_new(10, 10, 1, &grey, NULL), BMX_OK);
    assert_int_equal(bmx_draw_objects(&grey, NULL, 0, NULL, 0, NULL, NULL, &err), BMX_E_INVALID);
    bmx_image_free(&grey);
    struct bmx_image img = {0};
    assert_int_equal(bmx_image_new(10, 10, 3, &img, NULL), BMX_OK);
    struct bmx_draw_options opts;
    bmx_draw_options_init(&opts);
    opts.line_width = 0;
    assert_int_equal(bmx_draw_objects(&img, NULL, 0, NULL, 0, NULL, &opts, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "line width"));
    bmx_draw_options_init(&opts);
    opts.mask_opacity = 1.5;
    assert_int_equal(bmx_draw_objects(&img, NULL, 0, NULL, 0, NULL, &opts, &err), BMX_E_INVALID);
    /* defaults as documented */
    bmx_draw_options_init(&opts);
    assert_int_equal(opts.line_width, 2);
    assert_true(opts.mask_opacity == 0.4 && opts.scale == 1.0 && opts.show_patch);
    assert_false(opts.show_visibility || opts.show_id);
    bmx_image_free(&img);
}

/* ---- keypoints ---- */

/* What the keypoints alone should paint, built here from draw.h's rules: `set`
 * marks a pixel, `rgb` holds its colour; painting later overwrites earlier. */
struct overlay {
    int32_t w, h;
    uint8_t *set;
    uint8_t *rgb;
};

static void overlay_new(struct overlay *ov, int32_t w, int32_t h)
{
    ov->w = w;
    ov->h = h;
    ov->set = calloc((size_t)w * (size_t)h, 1);
    ov->rgb = calloc((size_t)w * (size_t)h, 3);
    assert_non_null(ov->set);
    assert_non_null(ov->rgb);
}

static void overlay_free(struct overlay *ov)
{
    free(ov->set);
    free(ov->rgb);
}

static void ov_put(struct overlay *ov, int64_t x, int64_t y, const uint8_t rgb[3])
{
    if (x >= 0 && y >= 0 && x < ov->w && y < ov->h) {
        size_t i = (size_t)y * (size_t)ov->w + (size_t)x;
        ov->set[i] = 1;
        memcpy(ov->rgb + 3 * i, rgb, 3);
    }
}

static void ov_rect(struct overlay *ov, int64_t x0, int64_t y0, int64_t x1, int64_t y1,
                    const uint8_t rgb[3])
{
    for (int64_t y = y0; y <= y1; y++) {
        for (int64_t x = x0; x <= x1; x++) {
            ov_put(ov, x, y, rgb);
        }
    }
}

/* D(r): dx^2 + dy^2 <= r^2 + r; empty for r < 0. */
static bool in_disc(int64_t dx, int64_t dy, int64_t r)
{
    return r >= 0 && dx * dx + dy * dy <= r * r + r;
}

/* The point drawn on pixel (cx, cy) with radius R and ring band B. */
static void ov_point(struct overlay *ov, int64_t cx, int64_t cy, int R, int B, bool visible,
                     const uint8_t rgb[3], const uint8_t edge[3])
{
    for (int64_t y = cy - R; y <= cy + R; y++) {
        for (int64_t x = cx - R; x <= cx + R; x++) {
            int64_t dx = x - cx, dy = y - cy;
            if (!in_disc(dx, dy, R)) {
                continue;
            }
            if (visible) {
                ov_put(ov, x, y, in_disc(dx, dy, R - 1) ? rgb : edge);
            } else if (!in_disc(dx, dy, R - 1)) {
                ov_put(ov, x, y, edge);
            } else if (!in_disc(dx, dy, R - 1 - B)) {
                ov_put(ov, x, y, rgb);
            } else if (!in_disc(dx, dy, R - 2 - B)) {
                ov_put(ov, x, y, edge);
            }
        }
    }
}

static struct bmx_object kp_object(int64_t cat, double *kp, size_t n)
{
    /* the box sits in the top-right corner, out of the points' way */
    struct bmx_object o = box_object(1, cat, 84, 60, 8, 8);
    o.keypoints = kp;
    o.n_keypoints = n;
    o.has_keypoints = true;
    return o;
}

/* Draw `o` on a grey w x h canvas with and without its keypoints at (sx, sy) and
 * check every pixel: where `ov` is set the drawing has ov's colour, elsewhere (and
 * under the label tag, drawn last) it is the drawing without keypoints; the
 * canvases' margins stay untouched. */
static void check_keypoints(const struct bmx_object *o, const struct bmx_category *cat, int L,
                            double sx, double sy, const struct overlay *ov)
{
    int32_t w = ov->w, h = ov->h;
    struct canvas with, without;
    canvas_new(&with, w, h, 6, 128);
    canvas_new(&without, w, h, 6, 128);
    struct bmx_object bare = *o;
    bare.keypoints = NULL;
    bare.n_keypoints = 0;
    struct bmx_draw_options opts;
    bmx_draw_options_init(&opts);
    opts.line_width = L;
    bmx_error err = {0};
    size_t n_cats = cat != NULL ? 1 : 0;
    assert_int_equal(
        bmx__draw_objects_xy(&with.img, o, 1, cat, n_cats, NULL, &opts, sx, sy, NULL, &err), BMX_OK);
    assert_int_equal(
        bmx__draw_objects_xy(&without.img, &bare, 1, cat, n_cats, NULL, &opts, sx, sy, NULL,
                             &err),
        BMX_OK);
    char name[32];
    if (cat != NULL) {
        snprintf(name, sizeof name, "%s", cat->name);
    } else {
        snprintf(name, sizeof name, "%d", (int)o->category_id);
    }
    struct bmx_box sb = {o->bbox.x * sx, o->bbox.y * sy, o->bbox.w * sx, o->bbox.h * sy};
    struct bmx_rect tag = bmx__draw_label_rect(w, h, sb, name, bmx__draw_text_scale(w, h));
    for (int32_t y = 0; y < h; y++) {
        for (int32_t x = 0; x < w; x++) {
            size_t i = (size_t)y * (size_t)w + (size_t)x;
            const uint8_t *got = px(&with.img, x, y);
            const uint8_t *want = ov->set[i] && !in_rect(tag, x, y) ? ov->rgb + 3 * i
                                                                     : px(&without.img, x, y);
            if (memcmp(got, want, 3) != 0) {
                fail_msg("pixel (%d,%d): got %d,%d,%d, want %d,%d,%d (%s)", (int)x, (int)y,
                         got[0], got[1], got[2], want[0], want[1], want[2],
                         ov->set[i] ? "keypoints" : "untouched");
            }
        }
    }
    assert_true(margin_intact(&with));
    canvas_free(&with);
    canvas_free(&without);
}

static void test_draw_keypoints_visible_is_a_filled_disc(void **state)
{
    (void)state;
    /* category 3 is blue, dark: a white outline */
    double kp[] = {40.5, 30.25, 2};
    struct bmx_object o = kp_object(3, kp, 1);
    uint8_t rgb[3];
    bmx_draw_category_color(3, rgb);
    int R = bmx__draw_keypoint_radius(96, 72, 2);
    assert_int_equal(R, 4); /* 2 + text scale 1 + 1 */
    struct overlay ov;
    overlay_new(&ov, 96, 72);
    ov_point(&ov, 40, 30, R, bmx__draw_keypoint_band(2), true, rgb, white_rgb);
    /* the documented shape, spelt out: solid through D(3), white on D(4) \ D(3) */
    assert_true(ov.set[30 * 96 + 40] && is_rgb(ov.rgb + 3 * (30 * 96 + 40), rgb));
    assert_true(is_rgb(ov.rgb + 3 * (30 * 96 + 43), rgb));     /* (3, 0): 9 <= 12 */
    assert_true(is_rgb(ov.rgb + 3 * (30 * 96 + 44), white_rgb)); /* (4, 0): 16 <= 20 */
    assert_true(is_rgb(ov.rgb + 3 * (33 * 96 + 43), white_rgb)); /* (3, 3): 18 */
    assert_false(ov.set[34 * 96 + 43]);                          /* (3, 4): 25 > 20 */
    check_keypoints(&o, NULL, 2, 1.0, 1.0, &ov);
    overlay_free(&ov);

    /* category 4 is yellow, light: a black outline; line width 1 gives radius 3 */
    struct bmx_object y = kp_object(4, kp, 1);
    bmx_draw_category_color(4, rgb);
    overlay_new(&ov, 96, 72);
    ov_point(&ov, 40, 30, bmx__draw_keypoint_radius(96, 72, 1), 1, true, rgb, black_rgb);
    check_keypoints(&y, NULL, 1, 1.0, 1.0, &ov);
    overlay_free(&ov);
}

static void test_draw_keypoints_hidden_is_a_ring(void **state)
{
    (void)state;
    double kp[] = {50, 20.9, 1};
    struct bmx_object o = kp_object(4, kp, 1);
    uint8_t rgb[3];
    bmx_draw_category_color(4, rgb);
    int R = bmx__draw_keypoint_radius(96, 72, 2), B = bmx__draw_keypoint_band(2);
    assert_int_equal(B, 1);
    struct overlay ov;
    overlay_new(&ov, 96, 72);
    ov_point(&ov, 50, 20, R, B, false, rgb, black_rgb);
    /* black ring at 4, colour at 3, black at 2, the centre D(1) left as it was */
    assert_true(is_rgb(ov.rgb + 3 * (20 * 96 + 54), black_rgb));
    assert_true(is_rgb(ov.rgb + 3 * (20 * 96 + 53), rgb));
    assert_true(is_rgb(ov.rgb + 3 * (20 * 96 + 52), black_rgb));
    assert_false(ov.set[20 * 96 + 51] || ov.set[20 * 96 + 50] || ov.set[21 * 96 + 51]);
    check_keypoints(&o, NULL, 2, 1.0, 1.0, &ov);
    overlay_free(&ov);

    /* a wider line widens the band: L = 4, R = 6, B = 2 */
    R = bmx__draw_keypoint_radius(96, 72, 4);
    B = bmx__draw_keypoint_band(4);
    assert_int_equal(R, 6);
    assert_int_equal(B, 2);
    overlay_new(&ov, 96, 72);
    ov_point(&ov, 50, 20, R, B, false, rgb, black_rgb);
    check_keypoints(&o, NULL, 4, 1.0, 1.0, &ov);
    overlay_free(&ov);
}

static void test_draw_keypoints_unlabelled_leave_no_mark(void **state)
{
    (void)state;
    /* v = 0 at COCO's (0, 0) and at a real place, v not a number, coordinates
     * not finite or absurdly far: none is drawn, nor any line to them. Only the
     * last point (v = 2) is. */
    double kp[] = {0, 0, 0, 40, 30, 0, 20, 20, NAN, INFINITY, 10, 2, 1e12, 10, 2, 60, 40, 2};
    int32_t skel[] = {1, 2, 2, 6, 1, 6, 3, 6, 4, 6, 5, 6};
    struct bmx_category cat = {3, "p", NULL, 6, skel, 6};
    struct bmx_object o = kp_object(3, kp, 6);
    uint8_t rgb[3];
    bmx_draw_category_color(3, rgb);
    struct overlay ov;
    overlay_new(&ov, 96, 72);
    ov_point(&ov, 60, 40, bmx__draw_keypoint_radius(96, 72, 2), 1, true, rgb, white_rgb);
    check_keypoints(&o, &cat, 2, 1.0, 1.0, &ov);
    overlay_free(&ov);

    /* all unlabelled: the drawing is the one without keypoints, byte for byte */
    double none[] = {0, 0, 0, 40, 30, 0, 60, 40, 0};
    struct bmx_object u = kp_object(3, none, 3);
    overlay_new(&ov, 96, 72);
    check_keypoints(&u, &cat, 2, 1.0, 1.0, &ov);
    overlay_free(&ov);
}

static void test_draw_keypoints_skeleton_joins_labelled_ends(void **state)
{
    (void)state;
    /* 1 and 2 labelled (2 not visible), 3 not labelled, 4 labelled; pairs with an
     * unlabelled end, a 0, or a number past n_keypoints draw nothing (not even
     * when the array goes on: the fifth point is not the object's) */
    double kp[] = {20, 30, 2, 70, 30.5, 1, 45, 60, 0, 12, 60, 2, 80, 10, 2};
    int32_t skel[] = {1, 2, 2, 3, 3, 1, 0, 1, 4, 9, -1, 4, 5, 1, 4, 5};
    struct bmx_category cat = {3, "p", NULL, 4, skel, 8};
    struct bmx_object o = kp_object(3, kp, 4);
    uint8_t rgb[3];
    bmx_draw_category_color(3, rgb);
    int R = bmx__draw_keypoint_radius(96, 72, 2);
    struct overlay ov;
    overlay_new(&ov, 96, 72);
    /* width 2, horizontal: columns 20..70, rows m .. m + 1 */
    ov_rect(&ov, 20, 30, 70, 31, rgb);
    ov_point(&ov, 20, 30, R, 1, true, rgb, white_rgb);
    ov_point(&ov, 70, 30, R, 1, false, rgb, white_rgb);
    ov_point(&ov, 12, 60, R, 1, true, rgb, white_rgb);
    /* the ring's centre shows the line under it */
    assert_true(is_rgb(ov.rgb + 3 * (30 * 96 + 70), rgb));
    check_keypoints(&o, &cat, 2, 1.0, 1.0, &ov);
    overlay_free(&ov);

    /* no category (or none with a skeleton): the points, no lines */
    overlay_new(&ov, 96, 72);
    ov_point(&ov, 20, 30, R, 1, true, rgb, white_rgb);
    ov_point(&ov, 70, 30, R, 1, false, rgb, white_rgb);
    ov_point(&ov, 12, 60, R, 1, true, rgb, white_rgb);
    check_keypoints(&o, NULL, 2, 1.0, 1.0, &ov);
    overlay_free(&ov);

    /* width 1: a 45-degree line is the diagonal (t, t); a 1:2 slope steps every
     * other column, halves rounded down the screen: m = 10 + floor((t - 10 + 1) / 2)
     * going down, m = 60 + floor((1 - (t - 10)) / 2) = 60 - (t - 10) / 2 going up */
    double d[] = {10, 10, 2, 60, 60, 2, 10, 10, 2, 60, 35, 2, 10, 60, 2, 60, 35, 2};
    int32_t dskel[] = {2, 1};
    int32_t sskel[] = {3, 4};
    int32_t uskel[] = {2, 1};
    struct bmx_category diag = {3, "p", NULL, 4, dskel, 1};
    struct bmx_category shallow = {3, "p", NULL, 4, sskel, 1};
    struct bmx_category up = {3, "p", NULL, 2, uskel, 1};
    struct bmx_object od = kp_object(3, d, 2);
    int R1 = bmx__draw_keypoint_radius(96, 72, 1);
    overlay_new(&ov, 96, 72);
    for (int t = 10; t <= 60; t++) {
        ov_put(&ov, t, t, rgb);
    }
    ov_point(&ov, 10, 10, R1, 1, true, rgb, white_rgb);
    ov_point(&ov, 60, 60, R1, 1, true, rgb, white_rgb);
    check_keypoints(&od, &diag, 1, 1.0, 1.0, &ov);
    overlay_free(&ov);
    struct bmx_object os = kp_object(3, d, 4);
    overlay_new(&ov, 96, 72);
    for (int t = 10; t <= 60; t++) {
        ov_put(&ov, t, 10 + (t - 10 + 1) / 2, rgb);
    }
    for (int k = 0; k < 4; k++) {
        ov_point(&ov, (int64_t)d[3 * k], (int64_t)d[3 * k + 1], R1, 1, true, rgb, white_rgb);
    }
    check_keypoints(&os, &shallow, 1, 1.0, 1.0, &ov);
    overlay_free(&ov);
    struct bmx_object ou = kp_object(3, d + 12, 2);
    overlay_new(&ov, 96, 72);
    for (int t = 10; t <= 60; t++) {
        ov_put(&ov, t, 60 - (t - 10) / 2, rgb);
    }
    ov_point(&ov, 10, 60, R1, 1, true, rgb, white_rgb);
    ov_point(&ov, 60, 35, R1, 1, true, rgb, white_rgb);
    check_keypoints(&ou, &up, 1, 1.0, 1.0, &ov);
    overlay_free(&ov);
}

static void test_draw_keypoints_clipped_at_the_edges(void **state)
{
    (void)state;
    /* points on the corners and off the image, a line across the whole image */
    double kp[] = {0.5, 0.5, 2, 95.9, 71.9, 1, -2, 36, 2, 200, 36, 2, -3, -3, 2, 1e6, 5, 2};
    int32_t skel[] = {3, 4, 1, 6, 5, 6};
    struct bmx_category cat = {3, "p", NULL, 6, skel, 3};
    struct bmx_object o = kp_object(3, kp, 6);
    uint8_t rgb[3];
    bmx_draw_category_color(3, rgb);
    int R = bmx__draw_keypoint_radius(96, 72, 2);
    struct overlay ov;
    overlay_new(&ov, 96, 72);
    ov_rect(&ov, 0, 36, 95, 37, rgb);
    /* (1e6, 5) is far off the image but drawn, and so are its lines, walked over
     * the image's columns only: from (0, 0), m = floor((10 t + 1e6) / 2e6) = 0 and
     * S = 2 on the image, rows 0..1; from (-3, -3) rows -3..-2, off the image */
    ov_rect(&ov, 0, 0, 95, 1, rgb);
    ov_point(&ov, 0, 0, R, 1, true, rgb, white_rgb);
    ov_point(&ov, 95, 71, R, 1, false, rgb, white_rgb);
    ov_point(&ov, -2, 36, R, 1, true, rgb, white_rgb);
    ov_point(&ov, 200, 36, R, 1, true, rgb, white_rgb);
    ov_point(&ov, -3, -3, R, 1, true, rgb, white_rgb);
    check_keypoints(&o, &cat, 2, 1.0, 1.0, &ov);
    overlay_free(&ov);

    /* past BMX__KEYPOINT_COORD_MAX a point is not drawn, nor lines to it */
    double far[] = {10, 10, 2, -1e8, 10, 2};
    int32_t fskel[] = {1, 2};
    struct bmx_category fcat = {3, "p", NULL, 2, fskel, 1};
    struct bmx_object f = kp_object(3, far, 2);
    overlay_new(&ov, 96, 72);
    ov_point(&ov, 10, 10, R, 1, true, rgb, white_rgb);
    check_keypoints(&f, &fcat, 2, 1.0, 1.0, &ov);
    overlay_free(&ov);
}

static void test_draw_keypoints_scale(void **state)
{
    (void)state;
    uint8_t rgb[3];
    bmx_draw_category_color(3, rgb);
    /* coordinates take the boxes' (sx, sy): (20.3 * 2, 15.7 * 3) is pixel (40, 47) */
    double kp[] = {20.3, 15.7, 2, 30, 15.7, 1};
    int32_t skel[] = {1, 2};
    struct bmx_category cat = {3, "p", NULL, 2, skel, 1};
    struct bmx_object o = kp_object(3, kp, 2);
    o.bbox = (struct bmx_box){42, 20, 4, 3};
    int R = bmx__draw_keypoint_radius(96, 72, 2);
    struct overlay ov;
    overlay_new(&ov, 96, 72);
    ov_rect(&ov, 40, 47, 60, 48, rgb);
    ov_point(&ov, 40, 47, R, 1, true, rgb, white_rgb);
    ov_point(&ov, 60, 47, R, 1, false, rgb, white_rgb);
    check_keypoints(&o, &cat, 2, 2.0, 3.0, &ov);
    overlay_free(&ov);

    /* opts->scale of bmx_draw_objects is (scale, scale), byte for byte */
    struct canvas a, b;
    canvas_new(&a, 96, 72, 0, 128);
    canvas_new(&b, 96, 72, 0, 128);
    struct bmx_draw_options opts;
    bmx_draw_options_init(&opts);
    opts.scale = 2.0;
    bmx_error err = {0};
    assert_int_equal(bmx_draw_objects(&a.img, &o, 1, &cat, 1, NULL, &opts, &err), BMX_OK);
    assert_int_equal(bmx__draw_objects_xy(&b.img, &o, 1, &cat, 1, NULL, &opts, 2.0, 2.0, NULL, &err),
                     BMX_OK);
    assert_memory_equal(a.buf, b.buf, (size_t)96 * 72 * 3);
    canvas_free(&a);
    canvas_free(&b);

    /* sizes grow with the image as text does: 960 x 720 has text scale 2 */
    assert_int_equal(bmx__draw_text_scale(960, 720), 2);
    assert_int_equal(bmx__draw_keypoint_radius(960, 720, 2), 5);
    assert_int_equal(bmx__draw_keypoint_radius(960, 720, 3), 6);
    assert_int_equal(bmx__draw_keypoint_radius(4000, 3000, 2), 10);
    double big[] = {400, 300, 2, 700, 500, 1};
    struct bmx_object ob = kp_object(3, big, 2);
    ob.bbox = (struct bmx_box){900, 680, 20, 20};
    R = bmx__draw_keypoint_radius(960, 720, 3);
    int B = bmx__draw_keypoint_band(3);
    overlay_new(&ov, 960, 720);
    /* width 3 from (400, 300) to (700, 500): x-major, dy/dx = 2/3,
     * S = (3 * isqrt(300^2 + 200^2) + 150) / 300 = (3 * 360 + 150) / 300 = 4 */
    for (int64_t t = 400; t <= 700; t++) {
        int64_t m = 300 + (2 * (t - 400) * 200 + 300) / 600;
        ov_rect(&ov, t, m - 1, t, m + 2, rgb);
    }
    ov_point(&ov, 400, 300, R, B, true, rgb, white_rgb);
    ov_point(&ov, 700, 500, R, B, false, rgb, white_rgb);
    check_keypoints(&ob, &cat, 3, 1.0, 1.0, &ov);
    overlay_free(&ov);
}

/* ---- sheet ---- */

static void sheet_has_size_and_captions(void **state)
{
    (void)state;
    const int32_t sizes[5][2] = {{320, 240}, {240, 320}, {100, 50}, {64, 64}, {500, 100}};
    const uint8_t fills[5][3] = {{200, 0, 0}, {0, 200, 0}, {0, 0, 200}, {200, 200, 0},
                                 {0, 200, 200}};
    struct bmx_image imgs[5];
    for (int i = 0; i < 5; i++) {
        assert_int_equal(bmx_image_new(sizes[i][0], sizes[i][1], 3, &imgs[i], NULL), BMX_OK);
        for (size_t k = 0; k < (size_t)sizes[i][0] * (size_t)sizes[i][1]; k++) {
            memcpy(imgs[i].data + 3 * k, fills[i], 3);
        }
    }
    const char *captions[5] = {"a.jpg: 5 objects", "b.jpg: 1 object", NULL,
                               "a very long caption that cannot fit under one thumbnail at all, "
                               "so it is shortened",
                               "e.png\nsecond line"};
    struct bmx_image sheet;
    bmx_error err = {0};
    assert_int_equal(bmx_draw_sheet(imgs, captions, 5, 960, &sheet, &err), BMX_OK);
    /* 960 wide: cols = ceil((960 - 8) / 328) = 3, thumb_w = (960 - 32) / 3 = 309.
     * Thumbnails: 309x232, 232x309, 309x155 | 309x309, 309x62. Both rows 309 high.
     * Height = 8 + 2 * (309 + 16 + 8) = 674. */
    int32_t cols, tw;
    bmx__draw_sheet_grid(960, &cols, &tw);
    assert_int_equal(cols, 3);
    assert_int_equal(tw, 309);
    assert_int_equal(sheet.w, 960);
    assert_int_equal(sheet.h, 674);
    assert_int_equal(bmx__draw_sheet_height(imgs, 5, 960), 674);
    assert_int_equal(sheet.channels, 3);
    const uint8_t bg[3] = {56, 56, 56};
    for (int i = 0; i < 5; i++) {
        int32_t row = i / 3, col = i % 3;
        int32_t cell_x = 8 + col * (309 + 8), row_top = 8 + row * (309 + 16 + 8);
        int32_t th, tww;
        bmx__draw_thumb_size(sizes[i][0], sizes[i][1], 309, &tww, &th);
        /* the thumbnail's centre has the image's colour */
        const uint8_t *p = px(&sheet, cell_x + 309 / 2, row_top + 309 / 2);
        assert_memory_equal(p, fills[i], 3);
        /* the caption strip under it: text pixels exactly when there is a caption,
         * and none past the cell */
        size_t text_px = 0;
        for (int32_t y = row_top + 309; y < row_top + 309 + 16; y++) {
            for (int32_t x = cell_x; x < cell_x + 309; x++) {
                text_px += !is_rgb(px(&sheet, x, y), bg);
            }
            for (int32_t x = cell_x + 309; x < cell_x + 309 + 8; x++) {
                assert_true(is_rgb(px(&sheet, x, y), bg));
            }
        }
        if (captions[i] != NULL) {
            assert_true(text_px > 30);
        } else {
            assert_int_equal(text_px, 0);
        }
    }
    /* thumbnail sizes */
    int32_t a, b;
    bmx__draw_thumb_size(320, 240, 309, &a, &b);
    assert_true(a == 309 && b == 232);
    bmx__draw_thumb_size(240, 320, 309, &a, &b);
    assert_true(a == 232 && b == 309);
    bmx__draw_thumb_size(500, 100, 309, &a, &b);
    assert_true(a == 309 && b == 62);
    bmx__draw_thumb_size(5000, 1, 309, &a, &b);
    assert_true(a == 309 && b == 1);
    bmx_image_free(&sheet);

    /* the default width gives four ~300-px columns; thumbnails stay 200..320 wide */
    bmx__draw_sheet_grid(1280, &cols, &tw);
    assert_int_equal(cols, 4);
    assert_int_equal(tw, 310);
    for (int32_t width = 700; width <= 4000; width += 37) {
        bmx__draw_sheet_grid(width, &cols, &tw);
        assert_true(tw >= 200 && tw <= 320);
        assert_true(8 + cols * (tw + 8) <= width);
    }

    /* no images: an empty sheet; bad widths and too many images are refused */
    assert_int_equal(bmx_draw_sheet(NULL, NULL, 0, 500, &sheet, NULL), BMX_OK);
    assert_int_equal(sheet.w, 500);
    assert_int_equal(sheet.h, 8);
    bmx_image_free(&sheet);
    assert_int_equal(bmx_draw_sheet(imgs, captions, 5, 10, &sheet, &err), BMX_E_INVALID);
    struct bmx_image many[1000];
    for (int i = 0; i < 1000; i++) {
        many[i] = imgs[1];
    }
    assert_int_equal(bmx_draw_sheet(many, NULL, 1000, 700, &sheet, &err), BMX_E_LIMIT);
    for (int i = 0; i < 5; i++) {
        bmx_image_free(&imgs[i]);
    }
}

/* ---- the run on samples/ ---- */

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void rm_tree_files(const char *dir, const char *const *names, size_t n)
{
    char p[512];
    for (size_t i = 0; i < n; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void run_selects_and_reproduces(void **state)
{
    (void)state;
    const char *sample_png[8] = {"sample_01.png", "sample_02.png", "sample_03.png",
                                 "sample_04.png", "sample_05.png", "sample_06.png",
                                 "sample_07.png", "sample_08.png"};
    char out1[256], out2[256], sheet[256];
    snprintf(out1, sizeof out1, "/tmp/bmx_test_draw_%ld_a", (long)getpid());
    snprintf(out2, sizeof out2, "/tmp/bmx_test_draw_%ld_b", (long)getpid());
    snprintf(sheet, sizeof sheet, "/tmp/bmx_test_draw_%ld_sheet.png", (long)getpid());

    struct bmx_draw_job job;
    bmx_draw_job_init(&job);
    assert_int_equal(job.sheet_width, 1280);
    assert_int_equal(job.format, BMX_FORMAT_PNG);
    job.input.annotations = BMX_SOURCE_ROOT "/samples/coco/annotations.json";
    job.input.images = BMX_SOURCE_ROOT "/samples/images";
    job.out = out1;
    job.random = 3;
    job.seed = 11;
    struct bmx_draw_summary sum;
    bmx_error err = {0};
    assert_int_equal(bmx_draw_run(&job, &sum, &err), BMX_OK);
    assert_int_equal(sum.images, 3);
    job.out = out2;
    job.sheet = sheet;
    assert_int_equal(bmx_draw_run(&job, &sum, &err), BMX_OK);
    assert_int_equal(sum.images, 3);
    /* the same three files, byte for byte */
    size_t found = 0;
    for (size_t i = 0; i < 8; i++) {
        char p1[512], p2[512];
        size_t l1 = 0, l2 = 0;
        snprintf(p1, sizeof p1, "%s/%s", out1, sample_png[i]);
        snprintf(p2, sizeof p2, "%s/%s", out2, sample_png[i]);
        char *a = read_all(p1, &l1), *b = read_all(p2, &l2);
        assert_true((a == NULL) == (b == NULL));
        if (a != NULL) {
            found++;
            assert_true(l1 == l2 && memcmp(a, b, l1) == 0);
        }
        free(a);
        free(b);
    }
    assert_int_equal(found, 3);
    struct bmx_image img;
    assert_int_equal(bmx_image_read(sheet, NULL, &img, &err), BMX_OK);
    assert_int_equal(img.w, 1280);
    bmx_image_free(&img);
    unlink(sheet);
    rm_tree_files(out1, sample_png, 8);
    rm_tree_files(out2, sample_png, 8);

    /* --ids and --limit, with --scale */
    bmx_draw_job_init(&job);
    job.input.annotations = BMX_SOURCE_ROOT "/samples/coco/annotations.json";
    job.input.images = BMX_SOURCE_ROOT "/samples/images";
    job.out = out1;
    const int64_t ids[] = {7, 2, 5};
    job.ids = ids;
    job.n_ids = 3;
    job.limit = 2;
    job.draw.scale = 0.5;
    assert_int_equal(bmx_draw_run(&job, &sum, &err), BMX_OK);
    assert_int_equal(sum.images, 2);
    char p[512];
    snprintf(p, sizeof p, "%s/sample_02.png", out1);
    assert_int_equal(bmx_image_read(p, NULL, &img, &err), BMX_OK);
    assert_true(img.w == 160 && img.h == 120);
    bmx_image_free(&img);
    snprintf(p, sizeof p, "%s/sample_05.png", out1);
    assert_int_equal(access(p, F_OK), 0);
    snprintf(p, sizeof p, "%s/sample_07.png", out1);
    assert_int_not_equal(access(p, F_OK), 0);
    rm_tree_files(out1, sample_png, 8);

    /* an unknown id */
    const int64_t bad_id[] = {99};
    job.ids = bad_id;
    job.n_ids = 1;
    assert_int_equal(bmx_draw_run(&job, &sum, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "no image has id 99"));
    /* the output folder may not be the image folder */
    job.ids = NULL;
    job.n_ids = 0;
    job.out = BMX_SOURCE_ROOT "/samples/images";
    assert_int_equal(bmx_draw_run(&job, &sum, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "input image folder"));
    /* a sheet with an unknown extension */
    job.out = out1;
    job.sheet = "/tmp/sheet.gif";
    assert_int_equal(bmx_draw_run(&job, &sum, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "sheet.gif"));
}

static void run_refuses_escaping_file_names(void **state)
{
    (void)state;
    char ann[256], out[256];
    snprintf(ann, sizeof ann, "/tmp/bmx_test_draw_%ld_esc.json", (long)getpid());
    snprintf(out, sizeof out, "/tmp/bmx_test_draw_%ld_esc", (long)getpid());
    const char *names[] = {"../sample_01.jpg", "/etc/passwd", "a/../../b.jpg"};
    for (size_t k = 0; k < 3; k++) {
        FILE *f = fopen(ann, "w");
        assert_non_null(f);
        fprintf(f,
                "{\"images\":[{\"id\":1,\"file_name\":\"sample_01.jpg\",\"width\":320,"
                "\"height\":240},{\"id\":2,\"file_name\":\"%s\",\"width\":10,\"height\":10}],"
                "\"annotations\":[],\"categories\":[]}",
                names[k]);
        fclose(f);
        struct bmx_draw_job job;
        bmx_draw_job_init(&job);
        job.input.annotations = ann;
        job.input.images = BMX_SOURCE_ROOT "/samples/images";
        job.out = out;
        bmx_error err = {0};
        struct bmx_draw_summary sum;
        assert_int_not_equal(bmx_draw_run(&job, &sum, &err), BMX_OK);
        assert_non_null(strstr(err.message, "images[1].file_name"));
        assert_non_null(strstr(err.message, ann));
        assert_int_equal(sum.images, 0);
        /* nothing written: not even the folder */
        assert_int_not_equal(access(out, F_OK), 0);
    }
    unlink(ann);
}

/* Two images whose names differ only in extension both get drawn, side by side. */
static void run_keeps_shared_stems_apart(void **state)
{
    (void)state;
    char ann[256], out[256];
    snprintf(ann, sizeof ann, "/tmp/bmx_test_draw_%ld_stem.json", (long)getpid());
    snprintf(out, sizeof out, "/tmp/bmx_test_draw_%ld_stem", (long)getpid());
    FILE *f = fopen(ann, "w");
    assert_non_null(f);
    fprintf(f, "{\"images\":[{\"id\":4,\"file_name\":\"sample_04.png\",\"width\":320,"
               "\"height\":240},{\"id\":9,\"file_name\":\"sample_04.png\",\"width\":320,"
               "\"height\":240}],\"annotations\":[{\"id\":1,\"image_id\":9,\"category_id\":1,"
               "\"bbox\":[1,2,30,40]}],\"categories\":[{\"id\":1,\"name\":\"x\"}]}");
    fclose(f);
    struct bmx_draw_job job;
    bmx_draw_job_init(&job);
    job.input.annotations = ann;
    job.input.images = BMX_SOURCE_ROOT "/samples/images";
    job.out = out;
    job.format = BMX_FORMAT_JPEG;
    bmx_error err = {0};
    struct bmx_draw_summary sum;
    assert_int_equal(bmx_draw_run(&job, &sum, &err), BMX_OK);
    assert_int_equal(sum.images, 2);
    assert_int_equal(sum.objects, 1);
    const char *files[] = {"sample_04-4.jpg", "sample_04-9.jpg"};
    char p[512];
    for (int k = 0; k < 2; k++) {
        snprintf(p, sizeof p, "%s/%s", out, files[k]);
        assert_int_equal(access(p, F_OK), 0);
    }
    rm_tree_files(out, files, 2);
    unlink(ann);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(colours_are_stable_and_distinct),
        cmocka_unit_test(outline_lands_on_edge_pixels),
        cmocka_unit_test(outline_of_integral_box_is_exact),
        cmocka_unit_test(source_objects_are_dashed),
        cmocka_unit_test(rle_fill_changes_exactly_the_mask),
        cmocka_unit_test(polygon_fill_changes_exactly_the_mask),
        cmocka_unit_test(crowd_objects_are_hatched),
        cmocka_unit_test(rle_of_other_size_is_resampled),
        cmocka_unit_test(label_tags_stay_inside),
        cmocka_unit_test(label_text_options),
        cmocka_unit_test(label_text_contrasts_with_its_tag),
        cmocka_unit_test(overlapping_tags_move),
        cmocka_unit_test(text_size_and_bounds),
        cmocka_unit_test(patch_is_outlined_black_and_white),
        cmocka_unit_test(bad_arguments_are_refused),
        cmocka_unit_test(test_draw_keypoints_visible_is_a_filled_disc),
        cmocka_unit_test(test_draw_keypoints_hidden_is_a_ring),
        cmocka_unit_test(test_draw_keypoints_unlabelled_leave_no_mark),
        cmocka_unit_test(test_draw_keypoints_skeleton_joins_labelled_ends),
        cmocka_unit_test(test_draw_keypoints_clipped_at_the_edges),
        cmocka_unit_test(test_draw_keypoints_scale),
        cmocka_unit_test(sheet_has_size_and_captions),
        cmocka_unit_test(run_selects_and_reproduces),
        cmocka_unit_test(run_refuses_escaping_file_names),
        cmocka_unit_test(run_keeps_shared_stems_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
