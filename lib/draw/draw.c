/*
 * QA drawing: boxes, labels, masks, crowd hatching, the CutMix patch and contact
 * sheets, on 8-bit RGB images.
 *
 * Box outlines. A box [x, y, w, h] (the half-open set [x, x+w) x [y, y+h)) covers
 * the pixel extent of columns floor(x) .. ceil(x+w)-1 and rows floor(y) ..
 * ceil(y+h)-1: every pixel the box touches. An outline of line width L paints the
 * L outermost pixel rings of that extent, inside it, clipped to the image: pixel
 * (px, py) of the extent (x0..x1, y0..y1) is painted when
 * min(px - x0, x1 - px, py - y0, y1 - py) < L. An outline therefore never leaves
 * its box's own pixels, and an integral box [10, 20, 30, 40] paints columns 10..39
 * and rows 20..59. Objects pasted from a CutMix source image use the same pixels
 * with gaps (dashes) so they can be told from the base image's objects.
 *
 * Masks. Polygons are rasterised with bmx_rle_from_polyset (the COCO API's pixel
 * set) and RLE masks decoded; the fill blends exactly the mask's pixels with the
 * category colour and paints the mask pixels on its border (a 4-neighbour outside
 * the mask or the image) solid. Crowd objects get solid diagonal stripes on their
 * mask, or on their box when they have none.
 *
 * Keypoints. A labelled COCO keypoint (v > 0) is drawn on the pixel that holds it
 * once scaled, (floor(x * sx), floor(y * sy)), as a disc in the category colour
 * with a 1-px outline in black or white (whichever contrasts with the colour):
 * filled when visible (v = 2), a ring outlined on both sides around an untouched
 * centre when labelled but not visible (v = 1). The category's skeleton joins
 * pairs of labelled points with lines as wide as the box outlines, drawn before
 * any point. Unlabelled points and lines to them are not drawn. Sizes, rings and
 * lines are integer rules stated in draw.h (only the scaling and floor of a
 * coordinate are floating point, as for boxes), so the bytes are the same on
 * every machine.
 *
 * Text comes from stb_easy_font, compiled in (nothing is read at run time): each
 * glyph is a few axis-aligned quads on a unit grid, filled here as blocks of
 * scale x scale pixels. Bytes outside printable ASCII are drawn as '?' (one per
 * UTF-8 sequence).
 */
#include "draw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Coordinates beyond this are clamped before conversion to int32: anything that far
 * out is off every image anyway, and the clamp keeps the conversion defined. */
#define COORD_CLAMP 1.0e9

/* Largest integer text scale accepted. */
#define TEXT_SCALE_MAX 64

/* The patch outline: two 1-px rings, white and black dashes of this length, the
 * inner ring in the opposite phase, so it shows on any background. */
#define PATCH_DASH 4

static const uint8_t sheet_background[3] = {56, 56, 56};
static const uint8_t sheet_caption[3] = {232, 232, 232};
static const uint8_t white[3] = {255, 255, 255};
static const uint8_t black[3] = {0, 0, 0};

/* 24 colours picked to be told apart: the first twelve are the most distinct, so
 * the small category ids most datasets start with get them. */
static const uint8_t palette[24][3] = {
    {230, 40, 50},   /* red */
    {40, 170, 70},   /* green */
    {30, 110, 230},  /* blue */
    {250, 210, 20},  /* yellow */
    {250, 130, 20},  /* orange */
    {140, 60, 200},  /* purple */
    {20, 210, 220},  /* cyan */
    {230, 40, 200},  /* magenta */
    {170, 240, 40},  /* lime */
    {255, 160, 190}, /* pink */
    {0, 130, 130},   /* teal */
    {200, 170, 255}, /* lavender */
    {150, 90, 30},   /* brown */
    {255, 240, 180}, /* cream */
    {130, 20, 40},   /* maroon */
    {150, 255, 200}, /* mint */
    {130, 130, 20},  /* olive */
    {255, 200, 150}, /* peach */
    {30, 40, 140},   /* navy */
    {120, 140, 170}, /* slate */
    {120, 200, 255}, /* sky */
    {20, 90, 40},    /* forest */
    {255, 110, 90},  /* coral */
    {100, 30, 110},  /* plum */
};

#define PALETTE_SIZE (sizeof palette / sizeof palette[0])

void bmx_draw_options_init(struct bmx_draw_options *opts)
{
    opts->line_width = 2;
    opts->mask_opacity = 0.4;
    opts->show_visibility = false;
    opts->show_id = false;
    opts->show_patch = true;
    opts->scale = 1.0;
}

bmx_status bmx__draw_options_check(const struct bmx_draw_options *opts, bmx_error *err)
{
    if (opts->line_width < 1 || opts->line_width > 64) {
        return bmx__fail(err, BMX_E_INVALID, "draw: line width %d is not in 1..64",
                         opts->line_width);
    }
    if (!(opts->mask_opacity >= 0.0 && opts->mask_opacity <= 1.0)) {
        return bmx__fail(err, BMX_E_INVALID, "draw: mask opacity %g is not in [0, 1]",
                         opts->mask_opacity);
    }
    if (!(opts->scale > 0.0 && opts->scale <= 16.0)) {
        return bmx__fail(err, BMX_E_INVALID, "draw: scale %g is not in (0, 16]", opts->scale);
    }
    return BMX_OK;
}

/* A fixed modular hash of the id into the palette: ids 1..24 get 24 different
 * colours, in palette order; the mapping never depends on anything else. */
void bmx_draw_category_color(int64_t id, uint8_t rgb[3])
{
    size_t i = (size_t)(((uint64_t)id + (PALETTE_SIZE - 1)) % PALETTE_SIZE);
    memcpy(rgb, palette[i], 3);
}

/* ------------------------------------------------------------------------- */
/* Pixels                                                                     */
/* ------------------------------------------------------------------------- */

static bool view_ok(const struct bmx_image *img)
{
    size_t row;
    if (img == NULL || img->data == NULL || img->w <= 0 || img->h <= 0 || img->channels < 3) {
        return false;
    }
    return bmx__mul_size((size_t)img->w, (size_t)img->channels, &row) && img->stride >= row;
}

static inline uint8_t *pixel(struct bmx_image *img, int32_t x, int32_t y)
{
    return img->data + (size_t)y * img->stride + (size_t)x * (size_t)img->channels;
}

static inline void put(struct bmx_image *img, int32_t x, int32_t y, const uint8_t rgb[3])
{
    uint8_t *p = pixel(img, x, y);
    p[0] = rgb[0];
    p[1] = rgb[1];
    p[2] = rgb[2];
}

/* p = p * (1 - a) + rgb * a with a = alpha / 255, rounded. */
static inline void blend(uint8_t *p, const uint8_t rgb[3], uint32_t alpha)
{
    for (int k = 0; k < 3; k++) {
        p[k] = (uint8_t)(((uint32_t)p[k] * (255u - alpha) + (uint32_t)rgb[k] * alpha + 127u) /
                         255u);
    }
}

static inline int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static inline int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Fill columns x0..x1, rows y0..y1 (inclusive), clipped to the image. */
static void fill_rect(struct bmx_image *img, int64_t x0, int64_t y0, int64_t x1, int64_t y1,
                      const uint8_t rgb[3])
{
    x0 = max64(x0, 0);
    y0 = max64(y0, 0);
    x1 = min64(x1, (int64_t)img->w - 1);
    y1 = min64(y1, (int64_t)img->h - 1);
    for (int64_t y = y0; y <= y1; y++) {
        for (int64_t x = x0; x <= x1; x++) {
            put(img, (int32_t)x, (int32_t)y, rgb);
        }
    }
}

static int32_t clamp_coord(double v)
{
    if (v < -COORD_CLAMP) {
        return (int32_t)-COORD_CLAMP;
    }
    if (v > COORD_CLAMP) {
        return (int32_t)COORD_CLAMP;
    }
    return (int32_t)v;
}

bool bmx__draw_box_extent(struct bmx_box b, double sx, double sy, int32_t *x0, int32_t *y0,
                          int32_t *x1, int32_t *y1)
{
    double ax = b.x * sx, bx = (b.x + b.w) * sx;
    double ay = b.y * sy, by = (b.y + b.h) * sy;
    if (!isfinite(ax) || !isfinite(bx) || !isfinite(ay) || !isfinite(by)) {
        return false;
    }
    *x0 = clamp_coord(floor(ax));
    *x1 = clamp_coord(ceil(bx)) - 1;
    *y0 = clamp_coord(floor(ay));
    *y1 = clamp_coord(ceil(by)) - 1;
    return *x0 <= *x1 && *y0 <= *y1;
}

/* Whether position `pos` along an edge is in a dash (period 0: solid). */
static inline bool dash_on(int64_t pos, int64_t on, int64_t period)
{
    return period == 0 || pos % period < on;
}

/*
 * The L outermost rings of the extent x0..x1, y0..y1, clipped to the image, in
 * dashes of `on` pixels every `period` pixels along each edge (period 0: solid).
 */
static void outline_extent(struct bmx_image *img, int32_t x0, int32_t y0, int32_t x1, int32_t y1,
                           int L, const uint8_t rgb[3], int64_t on, int64_t period)
{
    int64_t cx0 = max64(x0, 0), cx1 = min64(x1, (int64_t)img->w - 1);
    int64_t cy0 = max64(y0, 0), cy1 = min64(y1, (int64_t)img->h - 1);
    for (int64_t y = cy0; y <= cy1; y++) {
        if (y - y0 < L || y1 - y < L) {
            for (int64_t x = cx0; x <= cx1; x++) {
                if (dash_on(x - x0, on, period)) {
                    put(img, (int32_t)x, (int32_t)y, rgb);
                }
            }
            continue;
        }
        if (!dash_on(y - y0, on, period)) {
            continue;
        }
        int64_t left_end = min64(cx1, (int64_t)x0 + L - 1);
        for (int64_t x = cx0; x <= left_end; x++) {
            put(img, (int32_t)x, (int32_t)y, rgb);
        }
        for (int64_t x = max64(max64(cx0, left_end + 1), (int64_t)x1 - L + 1); x <= cx1; x++) {
            put(img, (int32_t)x, (int32_t)y, rgb);
        }
    }
}

/* One 1-px ring of the patch outline: white and black dashes by position along
 * each edge; `phase` 1 swaps them. */
static void patch_ring(struct bmx_image *img, int64_t x0, int64_t y0, int64_t x1, int64_t y1,
                       int phase)
{
    if (x0 > x1 || y0 > y1) {
        return;
    }
    int64_t W = img->w, H = img->h;
    for (int64_t x = max64(x0, 0); x <= min64(x1, W - 1); x++) {
        const uint8_t *c = ((x / PATCH_DASH + phase) & 1) ? black : white;
        if (y0 >= 0 && y0 < H) {
            put(img, (int32_t)x, (int32_t)y0, c);
        }
        if (y1 >= 0 && y1 < H) {
            put(img, (int32_t)x, (int32_t)y1, c);
        }
    }
    for (int64_t y = max64(y0 + 1, 0); y <= min64(y1 - 1, H - 1); y++) {
        const uint8_t *c = ((y / PATCH_DASH + phase) & 1) ? black : white;
        if (x0 >= 0 && x0 < W) {
            put(img, (int32_t)x0, (int32_t)y, c);
        }
        if (x1 >= 0 && x1 < W) {
            put(img, (int32_t)x1, (int32_t)y, c);
        }
    }
}

/* ------------------------------------------------------------------------- */
/* Text                                                                       */
/* ------------------------------------------------------------------------- */

/* The next glyph of `*p`: a printable ASCII character, '\n', or 0 at the end.
 * Tabs and carriage returns read as spaces, other control bytes as '?', and each
 * UTF-8 sequence (or stray byte above 127) as one '?'. */
static int next_glyph(const unsigned char **p)
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

static int glyph_advance(int c)
{
    return stb_easy_font_charinfo[c - 32].advance & 15;
}

static int clamp_scale(int scale)
{
    return scale < 1 ? 1 : scale > TEXT_SCALE_MAX ? TEXT_SCALE_MAX : scale;
}

void bmx_draw_text_size(const char *text, int scale, int32_t *w, int32_t *h)
{
    int64_t line = 0, widest = 0, lines = 1;
    const unsigned char *p = (const unsigned char *)(text != NULL ? text : "");
    int c;
    scale = clamp_scale(scale);
    if (*p == 0) {
        *w = 0;
        *h = 0;
        return;
    }
    while ((c = next_glyph(&p)) != 0) {
        if (c == '\n') {
            lines++;
            line = 0;
            continue;
        }
        line += glyph_advance(c);
        widest = max64(widest, line);
    }
    *w = (int32_t)min64(widest * scale, INT32_MAX);
    *h = (int32_t)min64((BMX__TEXT_LINE_H + BMX__TEXT_LINE_PITCH * (lines - 1)) * scale,
                        INT32_MAX);
}

/* Draw `text` with its top-left corner at (x, y), clipped to the image and to the
 * rectangle `clip`. */
static void text_clipped(struct bmx_image *img, int64_t x, int64_t y, const char *text, int scale,
                         const uint8_t rgb[3], struct bmx_rect clip)
{
    /* Enough for the busiest glyph: stb_easy_font stops before overrunning it. */
    float quads[64 * 16];
    const unsigned char *p = (const unsigned char *)text;
    int64_t pen_x = x, pen_y = y;
    int64_t kx0 = max64(clip.x, 0), ky0 = max64(clip.y, 0);
    int64_t kx1 = min64((int64_t)clip.x + clip.w, img->w) - 1;
    int64_t ky1 = min64((int64_t)clip.y + clip.h, img->h) - 1;
    int c;
    scale = clamp_scale(scale);
    while ((c = next_glyph(&p)) != 0) {
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
            fill_rect(img, max64(qx0, kx0), max64(qy0, ky0), min64(qx1, kx1), min64(qy1, ky1),
                      rgb);
        }
        pen_x += (int64_t)glyph_advance(c) * scale;
    }
}

void bmx_draw_text(struct bmx_image *img, int32_t x, int32_t y, const char *text, int scale,
                   const uint8_t rgb[3])
{
    if (!view_ok(img) || text == NULL || rgb == NULL) {
        return;
    }
    text_clipped(img, x, y, text, scale, rgb, (struct bmx_rect){0, 0, img->w, img->h});
}

int bmx__draw_text_scale(int32_t w, int32_t h)
{
    int32_t m = w < h ? w : h;
    int s = 1 + (m > 0 ? m / 480 : 0);
    return s > 8 ? 8 : s;
}

/* ------------------------------------------------------------------------- */
/* Labels                                                                     */
/* ------------------------------------------------------------------------- */

static int32_t label_pad(int scale)
{
    return 2 * clamp_scale(scale);
}

/* Where a tag may go, in order of preference: on the box's top edge (outside
 * when it fits above, else inside), inside the top, under the box, inside the
 * bottom. Each is then clamped into the image. */
enum { LABEL_ABOVE, LABEL_INSIDE_TOP, LABEL_BELOW, LABEL_INSIDE_BOTTOM, LABEL_PLACES };

static struct bmx_rect label_rect_at(int32_t w, int32_t h, struct bmx_box box, const char *text,
                                     int scale, int place)
{
    struct bmx_rect r = {0, 0, 0, 0};
    int32_t x0, y0, x1, y1, tw, th;
    if (w <= 0 || h <= 0 || !bmx__draw_box_extent(box, 1.0, 1.0, &x0, &y0, &x1, &y1)) {
        return r;
    }
    if (x1 < 0 || y1 < 0 || x0 >= w || y0 >= h) {
        return r;
    }
    bmx_draw_text_size(text, scale, &tw, &th);
    if (tw == 0) {
        return r;
    }
    int64_t pad = label_pad(scale);
    int64_t rw = min64((int64_t)tw + 2 * pad, w);
    int64_t rh = min64((int64_t)th + 2 * pad, h);
    /* measured from the box's visible part */
    int64_t left = max64(x0, 0);
    int64_t top = max64(y0, 0), bottom = min64(y1, (int64_t)h - 1);
    switch (place) {
    case LABEL_ABOVE:
        top = top - rh >= 0 ? top - rh : top;
        break;
    case LABEL_INSIDE_TOP:
        break;
    case LABEL_BELOW:
        top = bottom + 1;
        break;
    default:
        top = bottom + 1 - rh;
        break;
    }
    left = min64(left, (int64_t)w - rw);
    top = min64(top, (int64_t)h - rh);
    r.x = (int32_t)max64(left, 0);
    r.y = (int32_t)max64(top, 0);
    r.w = (int32_t)rw;
    r.h = (int32_t)rh;
    return r;
}

struct bmx_rect bmx__draw_label_rect(int32_t w, int32_t h, struct bmx_box box, const char *text,
                                     int scale)
{
    return label_rect_at(w, h, box, text, scale, LABEL_ABOVE);
}

static bool rects_overlap(struct bmx_rect a, struct bmx_rect b)
{
    return (int64_t)a.x < (int64_t)b.x + b.w && (int64_t)b.x < (int64_t)a.x + a.w &&
           (int64_t)a.y < (int64_t)b.y + b.h && (int64_t)b.y < (int64_t)a.y + a.h;
}

static const struct bmx_category *find_category(const struct bmx_category *cats, size_t n_cats,
                                                int64_t id)
{
    for (size_t i = 0; cats != NULL && i < n_cats; i++) {
        if (cats[i].id == id) {
            return &cats[i];
        }
    }
    return NULL;
}

static const char *category_name(const struct bmx_category *cats, size_t n_cats, int64_t id)
{
    const struct bmx_category *c = find_category(cats, n_cats, id);
    return c != NULL ? c->name : NULL;
}

static void label_text(const struct bmx_object *o, const struct bmx_category *cats, size_t n_cats,
                       const struct bmx_draw_options *opts, char *buf, size_t cap)
{
    const char *name = category_name(cats, n_cats, o->category_id);
    int len;
    if (name != NULL && name[0] != '\0') {
        len = snprintf(buf, cap, "%.120s", name);
    } else {
        len = snprintf(buf, cap, "%" PRId64, o->category_id);
    }
    if (len < 0 || (size_t)len >= cap) {
        return;
    }
    if (opts->show_visibility) {
        double v = isfinite(o->visibility) ? o->visibility : 0.0;
        int k = snprintf(buf + len, cap - (size_t)len, " %.2f", v);
        if (k < 0 || (size_t)k >= cap - (size_t)len) {
            return;
        }
        len += k;
    }
    if (opts->show_id) {
        snprintf(buf + len, cap - (size_t)len, " #%" PRId64, o->id);
    }
}

static bool is_light(const uint8_t rgb[3])
{
    return 299u * rgb[0] + 587u * rgb[1] + 114u * rgb[2] >= 140000u;
}

/* ------------------------------------------------------------------------- */
/* Masks                                                                      */
/* ------------------------------------------------------------------------- */

static void mask_region(struct bmx_image *img, const uint8_t *mask, const uint8_t rgb[3],
                        double opacity, int hatch, int32_t rx0, int32_t ry0, int32_t rx1,
                        int32_t ry1)
{
    size_t H = (size_t)img->h;
    uint32_t alpha = (uint32_t)lround(opacity * 255.0);
    int64_t period = 4 * (int64_t)hatch;
    for (int32_t x = rx0; x <= rx1; x++) {
        const uint8_t *col = mask + (size_t)x * H;
        for (int32_t y = ry0; y <= ry1; y++) {
            if (!col[y]) {
                continue;
            }
            bool border = x == 0 || y == 0 || x == img->w - 1 || y == img->h - 1 || !col[y - 1] ||
                          !col[y + 1] || !col[(ptrdiff_t)y - (ptrdiff_t)H] || !col[y + H];
            bool stripe = hatch > 0 && ((int64_t)x + y) % period < hatch;
            if (border || stripe) {
                put(img, x, y, rgb);
            } else if (alpha > 0) {
                blend(pixel(img, x, y), rgb, alpha);
            }
        }
    }
}

void bmx__draw_mask(struct bmx_image *img, const uint8_t *mask, const uint8_t rgb[3],
                    double opacity, int hatch)
{
    if (!view_ok(img) || mask == NULL) {
        return;
    }
    mask_region(img, mask, rgb, opacity, hatch, 0, 0, img->w - 1, img->h - 1);
}

/*
 * The object's mask at the image's size into `out`: polygons scaled by (sx, sy)
 * and rasterised, RLE resampled when its size is not the image's. `*use` points at
 * the RLE to read (`out` or the object's own). Returns false in *has when the
 * object has no mask.
 */
static bmx_status object_mask(const struct bmx_object *o, const struct bmx_image *img, double sx,
                              double sy, struct bmx_rle *out, const struct bmx_rle **use,
                              bool *has, bmx_error *err)
{
    uint32_t H = (uint32_t)img->h, W = (uint32_t)img->w;
    bmx_status st = BMX_OK;
    *has = false;
    if (o->seg_kind == BMX_SEG_POLYGON && o->polys.count > 0) {
        if (sx == 1.0 && sy == 1.0) {
            st = bmx_rle_from_polyset(&o->polys, H, W, out, err);
        } else {
            struct bmx_polyset scaled = {0, NULL};
            st = bmx_polyset_copy(&o->polys, &scaled, err);
            if (st == BMX_OK) {
                bmx_polyset_scale(&scaled, sx, sy);
                st = bmx_rle_from_polyset(&scaled, H, W, out, err);
            }
            bmx_polyset_free(&scaled);
        }
        *use = out;
    } else if (o->seg_kind == BMX_SEG_RLE && o->rle.h > 0 && o->rle.w > 0) {
        if (o->rle.h == H && o->rle.w == W) {
            *use = &o->rle;
        } else {
            st = bmx_rle_resize_nearest(&o->rle, H, W, out, err);
            *use = out;
        }
    } else {
        return BMX_OK;
    }
    *has = st == BMX_OK;
    return st;
}

/* ------------------------------------------------------------------------- */
/* Objects                                                                    */
/* ------------------------------------------------------------------------- */

static struct bmx_box scaled_box(struct bmx_box b, double sx, double sy)
{
    return (struct bmx_box){b.x * sx, b.y * sy, b.w * sx, b.h * sy};
}

static void hatch_extent(struct bmx_image *img, int32_t x0, int32_t y0, int32_t x1, int32_t y1,
                         const uint8_t rgb[3], int hatch)
{
    int64_t period = 4 * (int64_t)hatch;
    for (int64_t y = max64(y0, 0); y <= min64(y1, (int64_t)img->h - 1); y++) {
        for (int64_t x = max64(x0, 0); x <= min64(x1, (int64_t)img->w - 1); x++) {
            if ((x + y) % period < hatch) {
                put(img, (int32_t)x, (int32_t)y, rgb);
            }
        }
    }
}

/* ------------------------------------------------------------------------- */
/* Keypoints                                                                  */
/* ------------------------------------------------------------------------- */

int bmx__draw_keypoint_radius(int32_t w, int32_t h, int line_width)
{
    return line_width + bmx__draw_text_scale(w, h) + 1;
}

int bmx__draw_keypoint_band(int line_width)
{
    return (line_width + 1) / 2;
}

/* The pixel holding keypoint k of `o` once scaled by (sx, sy), when it is labelled
 * and not absurdly far out; *visible tells v = 2 from v = 1. */
static bool keypoint_pixel(const struct bmx_object *o, size_t k, double sx, double sy, int64_t *x,
                           int64_t *y, bool *visible)
{
    const double *p = o->keypoints + 3 * k;
    if (!(p[2] > 0.0)) {
        return false;
    }
    double fx = p[0] * sx, fy = p[1] * sy;
    /* also false for NaN and infinities */
    if (!(fabs(fx) <= BMX__KEYPOINT_COORD_MAX && fabs(fy) <= BMX__KEYPOINT_COORD_MAX)) {
        return false;
    }
    *x = (int64_t)floor(fx);
    *y = (int64_t)floor(fy);
    *visible = p[2] == 2.0;
    return true;
}

/* Paint the pixels (cx + dx, cy + dy) with r_in^2 + r_in < dx^2 + dy^2 <= r^2 + r,
 * clipped to the image; r_in < 0 paints the whole disc. */
static void disc_band(struct bmx_image *img, int64_t cx, int64_t cy, int64_t r, int64_t r_in,
                      const uint8_t rgb[3])
{
    int64_t outer = r * r + r, inner = r_in < 0 ? -1 : r_in * r_in + r_in;
    for (int64_t y = max64(cy - r, 0); y <= min64(cy + r, (int64_t)img->h - 1); y++) {
        for (int64_t x = max64(cx - r, 0); x <= min64(cx + r, (int64_t)img->w - 1); x++) {
            int64_t d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
            if (d <= outer && d > inner) {
                put(img, (int32_t)x, (int32_t)y, rgb);
            }
        }
    }
}

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return a % b < 0 ? q - 1 : q;
}

/* floor(sqrt(n)), bit by bit: integers only. */
static uint64_t isqrt64(uint64_t n)
{
    uint64_t r = 0, bit = (uint64_t)1 << 62;
    while (bit > n) {
        bit >>= 2;
    }
    while (bit != 0) {
        if (n >= r + bit) {
            n -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

/* The line of width W between pixels a and b, as draw.h states it. Coordinates are
 * within BMX__KEYPOINT_COORD_MAX, so every product stays far inside int64; the
 * loop runs over the image's part of the major axis only. */
static void skeleton_line(struct bmx_image *img, int64_t ax, int64_t ay, int64_t bx, int64_t by,
                          int W, const uint8_t rgb[3])
{
    int64_t dx = bx - ax, dy = by - ay;
    bool xmajor = llabs(dx) >= llabs(dy);
    /* (major, minor) coordinates, a first along the major axis */
    int64_t a0 = xmajor ? ax : ay, a1 = xmajor ? ay : ax;
    int64_t b0 = xmajor ? bx : by, b1 = xmajor ? by : bx;
    if (b0 < a0) {
        int64_t t0 = a0, t1 = a1;
        a0 = b0;
        a1 = b1;
        b0 = t0;
        b1 = t1;
    }
    int64_t dmaj = b0 - a0, dmin = b1 - a1;
    int64_t len = (int64_t)isqrt64((uint64_t)(dx * dx + dy * dy));
    int64_t S = dmaj > 0 ? ((int64_t)W * len + dmaj / 2) / dmaj : W;
    S = max64(S, 1);
    int64_t last_maj = (xmajor ? img->w : img->h) - 1;
    int64_t last_min = (xmajor ? img->h : img->w) - 1;
    for (int64_t t = max64(a0, 0); t <= min64(b0, last_maj); t++) {
        int64_t m = dmaj > 0 ? a1 + floor_div(2 * (t - a0) * dmin + dmaj, 2 * dmaj) : a1;
        for (int64_t u = max64(m - (S - 1) / 2, 0); u <= min64(m + S / 2, last_min); u++) {
            put(img, (int32_t)(xmajor ? t : u), (int32_t)(xmajor ? u : t), rgb);
        }
    }
}

/* The skeleton of `o`: a line for each pair of its category's skeleton whose two
 * ends are drawable labelled points; pairs out of range are skipped. */
static void draw_skeleton(struct bmx_image *img, const struct bmx_object *o,
                          const struct bmx_category *cat, double sx, double sy, int W)
{
    uint8_t rgb[3];
    if (cat == NULL || cat->skeleton == NULL) {
        return;
    }
    bmx_draw_category_color(o->category_id, rgb);
    for (size_t k = 0; k < cat->n_skeleton; k++) {
        int32_t a = cat->skeleton[2 * k], b = cat->skeleton[2 * k + 1];
        int64_t ax, ay, bx, by;
        bool va, vb;
        if (a < 1 || b < 1 || (size_t)a > o->n_keypoints || (size_t)b > o->n_keypoints) {
            continue;
        }
        if (keypoint_pixel(o, (size_t)a - 1, sx, sy, &ax, &ay, &va) &&
            keypoint_pixel(o, (size_t)b - 1, sx, sy, &bx, &by, &vb)) {
            skeleton_line(img, ax, ay, bx, by, W, rgb);
        }
    }
}

/* The labelled points of `o`: discs of radius R with a 1-px outline, filled when
 * visible; when not, a ring `band` pixels wide outlined on both sides around a
 * centre left as it was. */
static void draw_points(struct bmx_image *img, const struct bmx_object *o, double sx, double sy,
                        int R, int band)
{
    uint8_t rgb[3];
    bmx_draw_category_color(o->category_id, rgb);
    const uint8_t *edge = is_light(rgb) ? black : white;
    for (size_t k = 0; k < o->n_keypoints; k++) {
        int64_t x, y;
        bool visible;
        if (!keypoint_pixel(o, k, sx, sy, &x, &y, &visible)) {
            continue;
        }
        if (visible) {
            disc_band(img, x, y, R, -1, edge);
            disc_band(img, x, y, R - 1, -1, rgb);
        } else {
            disc_band(img, x, y, R, R - 1, edge);
            disc_band(img, x, y, R - 1, R - 1 - band, rgb);
            disc_band(img, x, y, R - 1 - band, R - 2 - band, edge);
        }
    }
}

bmx_status bmx__draw_objects_xy(struct bmx_image *img, const struct bmx_object *objs, size_t n,
                                const struct bmx_category *cats, size_t n_cats,
                                const struct bmx_rect *patch, const struct bmx_draw_options *opts,
                                double sx, double sy, bmx_error *err)
{
    struct bmx_draw_options defaults;
    struct bmx_rect *placed = NULL;
    size_t n_placed = 0;
    uint8_t *mask = NULL;
    size_t mask_len = 0;
    bmx_status st = BMX_OK;

    if (!view_ok(img)) {
        return bmx__fail(err, BMX_E_INVALID, "draw: not an RGB image with pixels");
    }
    if (n > 0 && objs == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "draw: %zu objects but no array", n);
    }
    if (!(sx > 0.0 && sy > 0.0 && isfinite(sx) && isfinite(sy))) {
        return bmx__fail(err, BMX_E_INVALID, "draw: scale %g x %g is not positive", sx, sy);
    }
    if (opts == NULL) {
        bmx_draw_options_init(&defaults);
        opts = &defaults;
    }
    st = bmx__draw_options_check(opts, err);
    if (st != BMX_OK) {
        return st;
    }
    int L = opts->line_width;

    /* Masks first, so outlines and labels stay on top of every fill. */
    for (size_t i = 0; i < n; i++) {
        const struct bmx_object *o = &objs[i];
        struct bmx_rle tmp = {0, 0, 0, NULL};
        const struct bmx_rle *rle = NULL;
        bool has = false;
        uint8_t rgb[3];
        st = object_mask(o, img, sx, sy, &tmp, &rle, &has, err);
        if (st == BMX_OK && has && mask == NULL) {
            if (!bmx__mul_size((size_t)img->w, (size_t)img->h, &mask_len) ||
                (mask = malloc(mask_len)) == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "draw: no memory for a %dx%d mask",
                               (int)img->w, (int)img->h);
            }
        }
        if (st == BMX_OK && has) {
            st = bmx_rle_decode(rle, mask, mask_len, err);
        }
        if (st == BMX_OK && has) {
            struct bmx_box mb;
            bmx_rle_bbox(rle, &mb);
            if (mb.w > 0 && mb.h > 0) {
                bmx_draw_category_color(o->category_id, rgb);
                mask_region(img, mask, rgb, opts->mask_opacity, o->iscrowd ? L : 0,
                            (int32_t)mb.x, (int32_t)mb.y, (int32_t)(mb.x + mb.w) - 1,
                            (int32_t)(mb.y + mb.h) - 1);
            }
        }
        bmx_rle_free(&tmp);
        if (st != BMX_OK) {
            bmx__prefix(err, st, "annotation %" PRId64 ": mask", o->id);
            goto cleanup;
        }
    }

    for (size_t i = 0; i < n; i++) {
        const struct bmx_object *o = &objs[i];
        int32_t x0, y0, x1, y1;
        uint8_t rgb[3];
        if (!bmx__draw_box_extent(scaled_box(o->bbox, sx, sy), 1.0, 1.0, &x0, &y0, &x1, &y1)) {
            continue;
        }
        bmx_draw_category_color(o->category_id, rgb);
        bool has_mask = (o->seg_kind == BMX_SEG_POLYGON && o->polys.count > 0) ||
                        (o->seg_kind == BMX_SEG_RLE && o->rle.h > 0 && o->rle.w > 0);
        if (o->iscrowd && !has_mask) {
            hatch_extent(img, x0, y0, x1, y1, rgb, L);
        }
        if (o->origin == BMX_FROM_SOURCE) {
            outline_extent(img, x0, y0, x1, y1, L, rgb, 3 * (int64_t)L + 2, 5 * (int64_t)L + 4);
        } else {
            outline_extent(img, x0, y0, x1, y1, L, rgb, 0, 0);
        }
    }

    if (patch != NULL && opts->show_patch && patch->w > 0 && patch->h > 0) {
        struct bmx_box pb = {patch->x, patch->y, patch->w, patch->h};
        int32_t x0, y0, x1, y1;
        if (bmx__draw_box_extent(scaled_box(pb, sx, sy), 1.0, 1.0, &x0, &y0, &x1, &y1)) {
            patch_ring(img, x0, y0, x1, y1, 0);
            patch_ring(img, (int64_t)x0 + 1, (int64_t)y0 + 1, (int64_t)x1 - 1, (int64_t)y1 - 1, 1);
        }
    }

    /* Keypoints over boxes and patch: every skeleton before any point, so no line
     * crosses a joint of another object. */
    int R = bmx__draw_keypoint_radius(img->w, img->h, L);
    for (size_t i = 0; i < n; i++) {
        if (objs[i].keypoints != NULL && objs[i].n_keypoints > 0) {
            draw_skeleton(img, &objs[i], find_category(cats, n_cats, objs[i].category_id), sx, sy,
                          L);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (objs[i].keypoints != NULL && objs[i].n_keypoints > 0) {
            draw_points(img, &objs[i], sx, sy, R, bmx__draw_keypoint_band(L));
        }
    }

    /* Labels last: always readable. A tag that would cover an earlier one tries
     * the other places around its box first. */
    int scale = bmx__draw_text_scale(img->w, img->h);
    if (n > 0 && (placed = bmx__alloc_array(n, sizeof *placed)) == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "draw: out of memory for %zu labels", n);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        const struct bmx_object *o = &objs[i];
        struct bmx_box sb = scaled_box(o->bbox, sx, sy);
        char text[256];
        uint8_t rgb[3];
        label_text(o, cats, n_cats, opts, text, sizeof text);
        struct bmx_rect r = label_rect_at(img->w, img->h, sb, text, scale, LABEL_ABOVE);
        if (r.w <= 0 || r.h <= 0) {
            continue;
        }
        for (int place = LABEL_ABOVE; place < LABEL_PLACES; place++) {
            struct bmx_rect c = label_rect_at(img->w, img->h, sb, text, scale, place);
            bool free_spot = true;
            for (size_t k = 0; k < n_placed && free_spot; k++) {
                free_spot = !rects_overlap(c, placed[k]);
            }
            if (free_spot) {
                r = c;
                break;
            }
        }
        placed[n_placed++] = r;
        bmx_draw_category_color(o->category_id, rgb);
        fill_rect(img, r.x, r.y, (int64_t)r.x + r.w - 1, (int64_t)r.y + r.h - 1, rgb);
        int32_t pad = label_pad(scale);
        text_clipped(img, (int64_t)r.x + pad, (int64_t)r.y + pad, text, scale,
                     is_light(rgb) ? black : white, r);
    }

cleanup:
    free(placed);
    free(mask);
    return st;
}

bmx_status bmx_draw_objects(struct bmx_image *img, const struct bmx_object *objs, size_t n,
                            const struct bmx_category *cats, size_t n_cats,
                            const struct bmx_rect *patch, const struct bmx_draw_options *opts,
                            bmx_error *err)
{
    double s = opts != NULL ? opts->scale : 1.0;
    return bmx__draw_objects_xy(img, objs, n, cats, n_cats, patch, opts, s, s, err);
}

/* ------------------------------------------------------------------------- */
/* Contact sheet                                                              */
/* ------------------------------------------------------------------------- */

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
        uint8_t *d = pixel(dst, x, y + r);
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
    while ((c = next_glyph(&p)) != 0) {
        used += glyph_advance(c);
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
        if (!view_ok(&images[i])) {
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
    fill_rect(&sheet, 0, 0, sheet.w - 1, sheet.h - 1, sheet_background);

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
                text_clipped(&sheet, clip.x, clip.y, cap, 1, sheet_caption, clip);
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
