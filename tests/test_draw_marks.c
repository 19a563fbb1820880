/* SPDX-License-Identifier: MIT */
/* The marks of the CutMix family's other operations (draw_marks.c, draw.h's
 * struct bmx__draw_marks), pixel by pixel on synthetic images: CutOut's holes and
 * Mosaic's tiles outlined as the patch is, the centre cross, the pasted masks'
 * dashed rings and the anchor target, never a write outside the image at any
 * scale. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

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

static const uint8_t *px(const struct bmx_image *img, int32_t x, int32_t y)
{
    return img->data + (size_t)y * img->stride + (size_t)x * 3;
}

static bool is_rgb(const uint8_t *p, const uint8_t rgb[3])
{
    return p[0] == rgb[0] && p[1] == rgb[1] && p[2] == rgb[2];
}

static bool black_or_white(const uint8_t *p)
{
    return (p[0] == 0 && p[1] == 0 && p[2] == 0) || (p[0] == 255 && p[1] == 255 && p[2] == 255);
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

/* Holes, tiles, the centre, a pasted mask and an anchor at every border and corner
 * (and past them) never write outside the image; the marks land where draw.h says. */
static void marks_stay_inside_and_land_where_said(void **state)
{
    (void)state;
    const int32_t W = 41, H = 29;
    const double scales[3] = {1.0, 0.5, 2.0};
    for (int si = 0; si < 3; si++) {
        double s = scales[si];
        int32_t w = (int32_t)(W * s), h = (int32_t)(H * s);
        struct canvas c;
        canvas_new(&c, w, h, 12, 128);
        struct bmx_object objs[2];
        objs[0] = box_object(1, 1, -5, -5, 40, 30);
        objs[0].origin = BMX_FROM_SOURCE;
        objs[1] = box_object(2, 2, 30, 20, 20, 20);
        objs[1].origin = BMX_FROM_SOURCE;
        double ring[8] = {35, 22, 60, 22, 60, 40, 35, 40};
        struct bmx_poly poly = {4, ring};
        objs[1].seg_kind = BMX_SEG_POLYGON;
        objs[1].polys = (struct bmx_polyset){1, &poly};
        struct bmx__draw_marks m;
        bmx__draw_marks_init(&m);
        m.n_holes = 3;
        m.holes[0] = (struct bmx_rect){0, 0, W, H};
        m.holes[1] = (struct bmx_rect){W - 3, H - 3, 10, 10};
        m.holes[2] = (struct bmx_rect){2, 18, 5, 4};
        m.n_tiles = 1;
        m.tiles[0] = (struct bmx_rect){0, 0, 1, 1};
        m.has_centre = true;
        m.centre[0] = W;
        m.centre[1] = 0;
        bool pasted[2] = {false, true};
        m.pasted = pasted;
        m.anchor = 0;
        struct bmx_draw_options opts;
        bmx_draw_options_init(&opts);
        bmx_error err = {0};
        assert_int_equal(bmx__draw_objects_xy(&c.img, objs, 2, NULL, 0, NULL, &opts, s, s, &m,
                                              &err),
                         BMX_OK);
        assert_true(margin_intact(&c));
        /* hole 2's outer ring, away from the other marks and labels */
        if (s == 1.0) {
            for (int32_t x = 2; x < 7; x++) {
                const uint8_t *p = px(&c.img, x, 21);
                assert_true(black_or_white(p));
            }
            /* the anchor target on (15, 10), the centre of objs[0]'s box: black
             * centre, white ring at r - 1, black rim at r (r = 2 + 1 + 2) */
            assert_true(is_rgb(px(&c.img, 15, 10), black_rgb));
            assert_true(is_rgb(px(&c.img, 19, 10), white_rgb));
            assert_true(is_rgb(px(&c.img, 20, 10), black_rgb));
        }
        canvas_free(&c);
    }
}


/* Without marks (NULL, or empty) the drawing is the one without them, byte for
 * byte: outputs of classic runs keep their drawings. */
static void empty_marks_change_nothing(void **state)
{
    (void)state;
    struct canvas a, b;
    canvas_new(&a, 50, 40, 4, 90);
    canvas_new(&b, 50, 40, 4, 90);
    struct bmx_object o = box_object(3, 2, 5, 6, 20, 15);
    struct bmx_rect patch = {10, 10, 20, 20};
    struct bmx__draw_marks m;
    bmx__draw_marks_init(&m);
    bmx_error err = {0};
    assert_int_equal(bmx__draw_objects_xy(&a.img, &o, 1, NULL, 0, &patch, NULL, 1.0, 1.0, NULL,
                                          &err),
                     BMX_OK);
    assert_int_equal(bmx__draw_objects_xy(&b.img, &o, 1, NULL, 0, &patch, NULL, 1.0, 1.0, &m,
                                          &err),
                     BMX_OK);
    assert_memory_equal(a.buf, b.buf, (size_t)a.cw * (size_t)a.ch * 3);
    canvas_free(&a);
    canvas_free(&b);
}

/* The centre cross: white arms arm - 1 long and L wide on a black cross L + 2 wide
 * and arm long (draw.h). */
static void centre_cross_is_as_documented(void **state)
{
    (void)state;
    struct canvas c;
    canvas_new(&c, 60, 60, 2, 128);
    struct bmx__draw_marks m;
    bmx__draw_marks_init(&m);
    m.has_centre = true;
    m.centre[0] = 30.0;
    m.centre[1] = 25.0;
    struct bmx_draw_options opts;
    bmx_draw_options_init(&opts);
    bmx_error err = {0};
    assert_int_equal(bmx__draw_objects_xy(&c.img, NULL, 0, NULL, 0, NULL, &opts, 1.0, 1.0, &m,
                                          &err),
                     BMX_OK);
    int L = opts.line_width, arm = bmx__draw_centre_arm(60, 60, L);
    assert_int_equal(arm, 3 * L + 2 + 2);
    for (int k = -(arm - 1); k <= arm - 1; k++) {
        assert_true(is_rgb(px(&c.img, 30 + k, 25), white_rgb));
        assert_true(is_rgb(px(&c.img, 30, 25 + k), white_rgb));
    }
    assert_true(is_rgb(px(&c.img, 30 + arm, 25), black_rgb));
    assert_true(is_rgb(px(&c.img, 30 - arm, 25), black_rgb));
    assert_true(is_rgb(px(&c.img, 30, 25 + arm), black_rgb));
    /* L = 2: white rows 25..25 + 1 - 1 = 25, 26; black one more each side */
    assert_true(is_rgb(px(&c.img, 35, 26), white_rgb));
    assert_true(is_rgb(px(&c.img, 35, 24), black_rgb));
    assert_true(is_rgb(px(&c.img, 35, 27), black_rgb));
    assert_true(is_rgb(px(&c.img, 35, 28), (const uint8_t[3]){128, 128, 128}));
    assert_true(is_rgb(px(&c.img, 30 + arm + 1, 25), (const uint8_t[3]){128, 128, 128}));
    canvas_free(&c);
}

/* A pasted mask: its edge pixels and the ring inside them black and white, in
 * opposite phases, dashes of 4 along x + y; pixels further in only filled. */
static void pasted_mask_rings(void **state)
{
    (void)state;
    struct canvas c;
    canvas_new(&c, 40, 40, 2, 128);
    struct bmx_object o = box_object(1, 1, 0, 0, 40, 40);
    double ring[8] = {10, 10, 30, 10, 30, 30, 10, 30};
    struct bmx_poly poly = {4, ring};
    o.seg_kind = BMX_SEG_POLYGON;
    o.polys = (struct bmx_polyset){1, &poly};
    o.origin = BMX_FROM_SOURCE;
    bool pasted[1] = {true};
    struct bmx__draw_marks m;
    bmx__draw_marks_init(&m);
    m.pasted = pasted;
    struct bmx_draw_options opts;
    bmx_draw_options_init(&opts);
    opts.mask_opacity = 0.0;
    bmx_error err = {0};
    assert_int_equal(bmx__draw_objects_xy(&c.img, &o, 1, NULL, 0, NULL, &opts, 1.0, 1.0, &m,
                                          &err),
                     BMX_OK);
    for (int32_t x = 12; x < 28; x++) {
        const uint8_t *edge = px(&c.img, x, 29), *in = px(&c.img, x, 28);
        assert_true(black_or_white(edge) && black_or_white(in));
        assert_true(is_rgb(edge, ((x + 29) / 4) % 2 ? black_rgb : white_rgb));
        assert_true(is_rgb(in, ((x + 28) / 4 + 1) % 2 ? black_rgb : white_rgb));
        assert_true(is_rgb(px(&c.img, x, 27), (const uint8_t[3]){128, 128, 128}));
    }
    assert_true(margin_intact(&c));
    canvas_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(marks_stay_inside_and_land_where_said),
        cmocka_unit_test(empty_marks_change_nothing),
        cmocka_unit_test(centre_cross_is_as_documented),
        cmocka_unit_test(pasted_mask_rings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
