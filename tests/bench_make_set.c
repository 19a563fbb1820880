/* SPDX-License-Identifier: MIT */
/* bench_make_set: the benchmark's own COCO-like data, made from a seed.
 *
 *   bench_make_set set OUT_DIR N [SEED]
 *       OUT_DIR/images/NNNNNNNNNNNN.jpg: N photo-like JPEGs (quality 90, 4:2:0), mostly
 *       640x480 with some other sizes and portrait ones: smooth colour noise with
 *       3-12 filled star-shaped objects and a little grain on top.
 *       OUT_DIR/annotations.json: one annotation per object; polygons (some objects in
 *       two parts) whose bbox is the extent of their vertices and whose area is their
 *       exact shoelace area, and about 5% crowd objects as uncompressed RLE whose bbox
 *       and area are those of the mask's pixels.
 *   bench_make_set big OUT.json N K [SEED]
 *       annotations only, at COCO train2017 scale (118000 7: 826k objects): N images
 *       with COCO's image fields, K star-shaped polygon objects each.
 *   bench_make_set large OUT_DIR N W H [SEED]
 *       the memory benchmark's input: N photo-like JPEGs of W x H (quality 90, 4:2:0)
 *       with five boxes each. One picture is made, and image i is it with each row
 *       rotated by 37 * i pixels, so that every file differs and a set of 4000x3000
 *       images is made in seconds per image.
 *
 * Output depends only on the arguments: each image draws from its own generator,
 * seeded from (SEED, image number). Benchmark helper, not part of the library. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <turbojpeg.h>

#define MAX_VERTS 32
#define MAX_RINGS 2
#define PI 3.14159265358979323846

static const char *prog = "bench_make_set";

/* splitmix64: small, good enough for test data, state kept by the caller. */
struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static struct rng rng_for(uint64_t seed, uint64_t stream)
{
    struct rng r = {seed};
    r.s = rng_next(&r) ^ (stream * 0xd1b54a32d192ed03u);
    (void)rng_next(&r);
    return r;
}

/* uniform in [0, 1) */
static double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* uniform integer in [lo, hi] */
static int rng_int(struct rng *r, int lo, int hi)
{
    return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* Roughly normal (mean 0, sd 1): Irwin-Hall sum of four 16-bit uniforms. */
static float rng_gauss(struct rng *r)
{
    uint64_t v = rng_next(r);
    unsigned s = (unsigned)(v & 0xffff) + (unsigned)((v >> 16) & 0xffff) +
                 (unsigned)((v >> 32) & 0xffff) + (unsigned)(v >> 48);
    return ((float)s * (1.0f / 65536.0f) - 2.0f) * 1.7320508f;
}

static bool mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) {
        return false;
    }
    *out = a * b;
    return true;
}

/* A polygon in hundredths of a pixel, so that what is drawn, what is written and the
 * area computed from it are exactly the same numbers. */
struct ring {
    int n;
    long x[MAX_VERTS];
    long y[MAX_VERTS];
};

struct object {
    int nrings;
    struct ring ring[MAX_RINGS];
};

/* A star-shaped polygon in the box [bx, bx+bw) x [by, by+bh): sorted angles and radii
 * between half and all of the box's half-extents, so it is simple. */
static void make_star(struct rng *r, double bx, double by, double bw, double bh, int nmin,
                      int nmax, struct ring *out)
{
    double ang[MAX_VERTS];
    int n = rng_int(r, nmin, nmax);
    for (int i = 0; i < n; i++) {
        ang[i] = rng_unit(r) * 2.0 * PI;
    }
    for (int i = 1; i < n; i++) { /* insertion sort: n <= 32 */
        double a = ang[i];
        int j = i - 1;
        while (j >= 0 && ang[j] > a) {
            ang[j + 1] = ang[j];
            j--;
        }
        ang[j + 1] = a;
    }
    double cx = bx + bw / 2.0, cy = by + bh / 2.0;
    for (int i = 0; i < n; i++) {
        double k = 0.5 + 0.5 * rng_unit(r);
        out->x[i] = lround((cx + cos(ang[i]) * bw / 2.0 * k) * 100.0);
        out->y[i] = lround((cy + sin(ang[i]) * bh / 2.0 * k) * 100.0);
    }
    out->n = n;
}

/* Twice the area in 1e-4 square pixels: exact integer shoelace. */
static long long ring_area2(const struct ring *g)
{
    long long s = 0;
    for (int i = 0; i < g->n; i++) {
        int j = (i + 1) % g->n;
        s += (long long)g->x[i] * g->y[j] - (long long)g->x[j] * g->y[i];
    }
    return s < 0 ? -s : s;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sets mask pixels whose centre is inside the object (even-odd over all rings).
 * mask is w*h, cleared by the caller. Returns the number of pixels set. */
static size_t raster(const struct object *o, int w, int h, unsigned char *mask)
{
    double xs[MAX_RINGS * MAX_VERTS];
    size_t count = 0;
    for (int y = 0; y < h; y++) {
        double yc = (y + 0.5) * 100.0;
        int nx = 0;
        for (int k = 0; k < o->nrings; k++) {
            const struct ring *g = &o->ring[k];
            for (int i = 0; i < g->n; i++) {
                int j = (i + 1) % g->n;
                double y0 = (double)g->y[i], y1 = (double)g->y[j];
                if ((y0 <= yc) != (y1 <= yc)) {
                    double x0 = (double)g->x[i], x1 = (double)g->x[j];
                    xs[nx++] = (x0 + (yc - y0) * (x1 - x0) / (y1 - y0)) / 100.0;
                }
            }
        }
        qsort(xs, (size_t)nx, sizeof xs[0], cmp_double);
        for (int p = 0; p + 1 < nx; p += 2) {
            /* pixel x is inside when xs[p] <= x + 0.5 < xs[p + 1] */
            int from = (int)ceil(xs[p] - 0.5), to = (int)ceil(xs[p + 1] - 0.5);
            if (from < 0) {
                from = 0;
            }
            if (to > w) {
                to = w;
            }
            for (int x = from; x < to; x++) {
                mask[(size_t)y * (size_t)w + (size_t)x] = 1;
                count++;
            }
        }
    }
    return count;
}

/* Writes v/100 with two decimals: "12.30". */
static void put_centi(FILE *f, long v)
{
    char buf[32];
    char *p = buf + sizeof buf;
    unsigned long u = v < 0 ? (unsigned long)-v : (unsigned long)v;
    *--p = (char)('0' + u % 10);
    u /= 10;
    *--p = (char)('0' + u % 10);
    u /= 10;
    *--p = '.';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0) {
        *--p = '-';
    }
    fwrite(p, 1, (size_t)(buf + sizeof buf - p), f);
}

static void put_ring(FILE *f, const struct ring *g)
{
    fputc('[', f);
    for (int i = 0; i < g->n; i++) {
        if (i > 0) {
            fputc(',', f);
        }
        put_centi(f, g->x[i]);
        fputc(',', f);
        put_centi(f, g->y[i]);
    }
    fputc(']', f);
}

/* bbox from the vertices, area from the exact shoelace area (COCO's convention). */
static void put_polygon_fields(FILE *f, const struct object *o)
{
    long x0 = LONG_MAX, y0 = LONG_MAX, x1 = LONG_MIN, y1 = LONG_MIN;
    long long area2 = 0;
    for (int k = 0; k < o->nrings; k++) {
        const struct ring *g = &o->ring[k];
        for (int i = 0; i < g->n; i++) {
            x0 = g->x[i] < x0 ? g->x[i] : x0;
            y0 = g->y[i] < y0 ? g->y[i] : y0;
            x1 = g->x[i] > x1 ? g->x[i] : x1;
            y1 = g->y[i] > y1 ? g->y[i] : y1;
        }
        area2 += ring_area2(g);
    }
    fputs("\"segmentation\":[", f);
    for (int k = 0; k < o->nrings; k++) {
        if (k > 0) {
            fputc(',', f);
        }
        put_ring(f, &o->ring[k]);
    }
    fputs("],\"bbox\":[", f);
    put_centi(f, x0);
    fputc(',', f);
    put_centi(f, y0);
    fputc(',', f);
    put_centi(f, x1 - x0);
    fputc(',', f);
    put_centi(f, y1 - y0);
    /* area2 / 2 in 1e-4 px^2: at most 5 decimals, printed exactly */
    fprintf(f, "],\"area\":%lld.%05lld", area2 / 20000, (area2 % 20000) * 5);
}

/* Column-major uncompressed COCO RLE of the mask, with its pixel box and count. */
static void put_rle_fields(FILE *f, const unsigned char *mask, int w, int h, size_t count)
{
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    fprintf(f, "\"segmentation\":{\"size\":[%d,%d],\"counts\":[", h, w);
    unsigned char cur = 0;
    size_t run = 0;
    bool first = true;
    for (int x = 0; x < w; x++) {
        for (int y = 0; y < h; y++) {
            unsigned char v = mask[(size_t)y * (size_t)w + (size_t)x];
            if (v) {
                x0 = x < x0 ? x : x0;
                y0 = y < y0 ? y : y0;
                x1 = x > x1 ? x : x1;
                y1 = y > y1 ? y : y1;
            }
            if (v != cur) {
                fprintf(f, first ? "%zu" : ",%zu", run);
                first = false;
                run = 0;
                cur = v;
            }
            run++;
        }
    }
    fprintf(f, first ? "%zu" : ",%zu", run);
    fprintf(f, "]},\"bbox\":[%d,%d,%d,%d],\"area\":%zu", x0, y0, x1 - x0 + 1, y1 - y0 + 1,
            count);
}

struct canvas {
    int w, h;
    float *px;           /* w*h*3, 0..255 scale before clamping */
    unsigned char *rgb;  /* w*h*3 */
    unsigned char *mask; /* w*h */
};

/* Value noise: a random grid every `cell` pixels, smoothstep-interpolated, added to
 * every channel with the given amplitude. */
static bool add_value_noise(struct rng *r, struct canvas *c, int cell, float amp)
{
    int gw = c->w / cell + 2, gh = c->h / cell + 2;
    size_t n;
    if (!mul_size((size_t)gw * (size_t)gh, 3, &n)) {
        return false;
    }
    float *g = malloc(n * sizeof *g);
    if (g == NULL) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        g[i] = rng_gauss(r) * amp;
    }
    for (int y = 0; y < c->h; y++) {
        int gy = y / cell;
        float ty = (float)(y % cell) / (float)cell;
        ty = ty * ty * (3.0f - 2.0f * ty);
        for (int x = 0; x < c->w; x++) {
            int gx = x / cell;
            float tx = (float)(x % cell) / (float)cell;
            tx = tx * tx * (3.0f - 2.0f * tx);
            const float *a = g + ((size_t)gy * (size_t)gw + (size_t)gx) * 3;
            const float *b = a + (size_t)gw * 3;
            float *p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
            for (int k = 0; k < 3; k++) {
                float top = a[k] + (a[k + 3] - a[k]) * tx;
                float bot = b[k] + (b[k + 3] - b[k]) * tx;
                p[k] += top + (bot - top) * ty;
            }
        }
    }
    free(g);
    return true;
}

static const int sizes[][2] = {
    {640, 480}, {640, 480}, {640, 480}, {640, 480}, {640, 480}, {640, 480},
    {480, 640}, {427, 640}, {640, 427}, {500, 375}, {800, 600}, {640, 360},
};

/* One image and its annotations. anns gets ",{...}" for each object. */
static int make_image(uint64_t seed, int index, int *next_ann, tjhandle tj, const char *dir,
                      FILE *images, FILE *anns)
{
    int status = 1;
    struct rng r = rng_for(seed, (uint64_t)index);
    struct canvas c = {0};
    unsigned char *jpeg = NULL;
    unsigned long jpeg_len = 0;
    FILE *f = NULL;
    char path[4096];
    size_t npix, nbytes;

    int which = rng_int(&r, 0, (int)(sizeof sizes / sizeof sizes[0]) - 1);
    c.w = sizes[which][0];
    c.h = sizes[which][1];
    if (!mul_size((size_t)c.w, (size_t)c.h, &npix) || !mul_size(npix, 3, &nbytes)) {
        fprintf(stderr, "%s: image too large\n", prog);
        goto cleanup;
    }
    c.px = malloc(nbytes * sizeof *c.px);
    c.rgb = malloc(nbytes);
    c.mask = malloc(npix);
    if (c.px == NULL || c.rgb == NULL || c.mask == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto cleanup;
    }
    float base[3];
    for (int k = 0; k < 3; k++) {
        base[k] = (float)(60 + rng_int(&r, 0, 140));
    }
    for (size_t i = 0; i < npix; i++) {
        for (int k = 0; k < 3; k++) {
            c.px[i * 3 + (size_t)k] = base[k];
        }
    }
    if (!add_value_noise(&r, &c, 96, 40.0f) || !add_value_noise(&r, &c, 16, 18.0f)) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto cleanup;
    }

    int nobj = rng_int(&r, 3, 12);
    for (int j = 0; j < nobj; j++) {
        struct object o = {0};
        int bw = rng_int(&r, 8, c.w / 2), bh = rng_int(&r, 8, c.h / 2);
        int bx = rng_int(&r, 0, c.w - bw), by = rng_int(&r, 0, c.h - bh);
        double u = rng_unit(&r);
        bool crowd = u < 0.05;
        if (!crowd && u > 0.88 && bw >= 24) {
            /* an object seen in two parts, side by side */
            o.nrings = 2;
            make_star(&r, bx, by, bw * 0.45, bh, 5, 16, &o.ring[0]);
            make_star(&r, bx + bw * 0.55, by, bw * 0.45, bh, 5, 16, &o.ring[1]);
        } else {
            o.nrings = 1;
            make_star(&r, bx, by, bw, bh, 5, 24, &o.ring[0]);
        }
        memset(c.mask, 0, npix);
        size_t count = raster(&o, c.w, c.h, c.mask);
        if (count == 0) {
            crowd = false; /* a mask needs a pixel to have a box */
        }
        float col[3], shade = rng_gauss(&r) * 0.3f;
        for (int k = 0; k < 3; k++) {
            col[k] = (float)rng_int(&r, 0, 255);
        }
        for (int y = by; y < by + bh; y++) {
            for (int x = bx; x < bx + bw; x++) {
                size_t i = (size_t)y * (size_t)c.w + (size_t)x;
                if (c.mask[i]) {
                    /* flat colour with a gentle gradient, so edges are the features */
                    float g = shade * (float)(x - bx - bw / 2);
                    for (int k = 0; k < 3; k++) {
                        c.px[i * 3 + (size_t)k] = col[k] + g;
                    }
                }
            }
        }
        fprintf(anns, ",{\"id\":%d,\"image_id\":%d,\"category_id\":%d,\"iscrowd\":%d,",
                *next_ann, index, rng_int(&r, 1, 20), crowd ? 1 : 0);
        if (crowd) {
            put_rle_fields(anns, c.mask, c.w, c.h, count);
        } else {
            put_polygon_fields(anns, &o);
        }
        fputc('}', anns);
        (*next_ann)++;
    }

    for (size_t i = 0; i < nbytes; i++) {
        float v = c.px[i] + rng_gauss(&r) * 10.0f; /* sensor grain */
        c.rgb[i] = (unsigned char)(v < 0.0f ? 0 : v > 255.0f ? 255 : (int)(v + 0.5f));
    }
    if (tjCompress2(tj, c.rgb, c.w, 0, c.h, TJPF_RGB, &jpeg, &jpeg_len, TJSAMP_420, 90, 0) !=
        0) {
        fprintf(stderr, "%s: cannot encode: %s\n", prog, tjGetErrorStr2(tj));
        goto cleanup;
    }
    snprintf(path, sizeof path, "%s/images/%012d.jpg", dir, index);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(jpeg, 1, jpeg_len, f) != jpeg_len) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        goto cleanup;
    }
    fprintf(images, "%s{\"id\":%d,\"file_name\":\"%012d.jpg\",\"width\":%d,\"height\":%d}",
            index == 1 ? "" : ",", index, index, c.w, c.h);
    status = 0;

cleanup:
    if (f != NULL && fclose(f) != 0 && status == 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        status = 1;
    }
    tjFree(jpeg);
    free(c.px);
    free(c.rgb);
    free(c.mask);
    return status;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return 1;
    }
    return 0;
}

static int make_set(const char *dir, int n, uint64_t seed)
{
    int status = 1;
    tjhandle tj = NULL;
    char *img_buf = NULL, *ann_buf = NULL;
    size_t img_len = 0, ann_len = 0;
    FILE *images = NULL, *anns = NULL, *out = NULL;
    char path[4096];
    int next_ann = 1;

    snprintf(path, sizeof path, "%s/images", dir);
    if (make_dir(dir) != 0 || make_dir(path) != 0) {
        goto cleanup;
    }
    tj = tjInitCompress();
    images = open_memstream(&img_buf, &img_len);
    anns = open_memstream(&ann_buf, &ann_len);
    if (tj == NULL || images == NULL || anns == NULL) {
        fprintf(stderr, "%s: cannot start: out of memory\n", prog);
        goto cleanup;
    }
    for (int i = 1; i <= n; i++) {
        if (make_image(seed, i, &next_ann, tj, dir, images, anns) != 0) {
            goto cleanup;
        }
    }
    if (fflush(images) != 0 || fflush(anns) != 0) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto cleanup;
    }

    snprintf(path, sizeof path, "%s/annotations.json", dir);
    out = fopen(path, "w");
    if (out == NULL) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        goto cleanup;
    }
    fprintf(out, "{\"info\":{\"description\":\"boxmix benchmark set, %d images, seed %llu\"},"
                 "\"images\":[",
            n, (unsigned long long)seed);
    fwrite(img_buf, 1, img_len, out);
    fputs("],\"annotations\":[", out);
    if (ann_len > 0) {
        fwrite(ann_buf + 1, 1, ann_len - 1, out); /* drop the first ',' */
    }
    fputs("],\"categories\":[", out);
    for (int k = 1; k <= 20; k++) {
        fprintf(out, "%s{\"id\":%d,\"name\":\"class%02d\",\"supercategory\":\"thing\"}",
                k == 1 ? "" : ",", k, k);
    }
    fputs("]}\n", out);
    if (ferror(out)) {
        fprintf(stderr, "%s: %s: write error\n", prog, path);
        goto cleanup;
    }
    status = 0;

cleanup:
    if (out != NULL && fclose(out) != 0 && status == 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        status = 1;
    }
    if (images != NULL) {
        fclose(images);
    }
    if (anns != NULL) {
        fclose(anns);
    }
    free(img_buf);
    free(ann_buf);
    if (tj != NULL) {
        tjDestroy(tj);
    }
    return status;
}

static int make_big(const char *path, int n, int k, uint64_t seed)
{
    int status = 1;
    FILE *f = fopen(path, "w");
    long long aid = 1;
    if (f == NULL) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return 1;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    fprintf(f, "{\"info\":{\"description\":\"boxmix benchmark big annotations, %d x %d, seed "
               "%llu\",\"version\":\"1.0\",\"year\":2017},\"licenses\":[{\"url\":"
               "\"http://creativecommons.org/licenses/by/2.0/\",\"id\":1,\"name\":"
               "\"Attribution License\"}],\"images\":[",
            n, k, (unsigned long long)seed);
    for (int i = 1; i <= n; i++) {
        fprintf(f,
                "%s{\"license\":1,\"file_name\":\"%012d.jpg\",\"coco_url\":"
                "\"http://images.example.org/train/%012d.jpg\",\"height\":480,\"width\":640,"
                "\"date_captured\":\"2013-11-14 17:02:52\",\"flickr_url\":"
                "\"http://farm.example.org/%d/%012d.jpg\",\"id\":%d}",
                i == 1 ? "" : ",", i, i, i % 10, i, i);
    }
    fputs("],\"annotations\":[", f);
    for (int i = 1; i <= n; i++) {
        struct rng r = rng_for(seed, (uint64_t)i);
        for (int j = 0; j < k; j++) {
            struct object o = {.nrings = 1};
            int bw = rng_int(&r, 6, 200), bh = rng_int(&r, 6, 160);
            int bx = rng_int(&r, 0, 640 - bw), by = rng_int(&r, 0, 480 - bh);
            make_star(&r, bx, by, bw, bh, 8, 30, &o.ring[0]);
            fprintf(f, "%s{\"id\":%lld,\"image_id\":%d,\"category_id\":%d,\"iscrowd\":0,",
                    aid == 1 ? "" : ",", aid, i, rng_int(&r, 1, 90));
            put_polygon_fields(f, &o);
            fputc('}', f);
            aid++;
        }
    }
    fputs("],\"categories\":[", f);
    for (int c = 1; c <= 90; c++) {
        fprintf(f, "%s{\"supercategory\":\"thing\",\"id\":%d,\"name\":\"class%02d\"}",
                c == 1 ? "" : ",", c, c);
    }
    fputs("]}\n", f);
    status = ferror(f) ? 1 : 0;
    if (fclose(f) != 0) {
        status = 1;
    }
    if (status != 0) {
        fprintf(stderr, "%s: %s: write error\n", prog, path);
    }
    return status;
}

/* The `large` set: see the top of the file. */
static int make_large(const char *dir, int n, int w, int h, uint64_t seed)
{
    int status = 1;
    struct rng r = rng_for(seed, 0);
    struct canvas c = {.w = w, .h = h};
    unsigned char *img = NULL, *jpeg = NULL;
    unsigned long jpeg_len = 0;
    tjhandle tj = NULL;
    FILE *json = NULL;
    char path[4096];
    size_t npix, nbytes, row = (size_t)w * 3;

    snprintf(path, sizeof path, "%s/images", dir);
    if (make_dir(dir) != 0 || make_dir(path) != 0) {
        return 1;
    }
    if (!mul_size((size_t)w, (size_t)h, &npix) || !mul_size(npix, 3, &nbytes) ||
        nbytes > SIZE_MAX / sizeof *c.px) {
        fprintf(stderr, "%s: image too large\n", prog);
        return 1;
    }
    c.px = malloc(nbytes * sizeof *c.px);
    c.rgb = malloc(nbytes);
    img = malloc(nbytes);
    tj = tjInitCompress();
    if (c.px == NULL || c.rgb == NULL || img == NULL || tj == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto cleanup;
    }
    for (size_t i = 0; i < nbytes; i++) {
        c.px[i] = 120.0f;
    }
    /* The set's texture at this scale: cells as large relative to the image. */
    int big_cell = w / 640 * 96 > 96 ? w / 640 * 96 : 96;
    int small_cell = w / 640 * 16 > 16 ? w / 640 * 16 : 16;
    if (!add_value_noise(&r, &c, big_cell, 50.0f) || !add_value_noise(&r, &c, small_cell, 20.0f)) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto cleanup;
    }
    for (size_t i = 0; i < nbytes; i++) {
        float v = c.px[i] + rng_gauss(&r) * 10.0f; /* sensor grain */
        c.rgb[i] = (unsigned char)(v < 0.0f ? 0 : v > 255.0f ? 255 : (int)(v + 0.5f));
    }
    free(c.px);
    c.px = NULL;

    snprintf(path, sizeof path, "%s/annotations.json", dir);
    json = fopen(path, "w");
    if (json == NULL) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        goto cleanup;
    }
    fprintf(json, "{\"images\":[");
    for (int i = 0; i < n; i++) {
        size_t shift = (size_t)(((long long)i * 37) % w) * 3;
        for (int y = 0; y < h; y++) {
            const unsigned char *src = c.rgb + (size_t)y * row;
            unsigned char *dst = img + (size_t)y * row;
            memcpy(dst, src + shift, row - shift);
            memcpy(dst + row - shift, src, shift);
        }
        if (tjCompress2(tj, img, w, 0, h, TJPF_RGB, &jpeg, &jpeg_len, TJSAMP_420, 90, 0) != 0) {
            fprintf(stderr, "%s: cannot encode: %s\n", prog, tjGetErrorStr2(tj));
            goto cleanup;
        }
        snprintf(path, sizeof path, "%s/images/%04d.jpg", dir, i);
        FILE *f = fopen(path, "wb");
        bool ok = f != NULL && fwrite(jpeg, 1, jpeg_len, f) == jpeg_len;
        if (f != NULL && fclose(f) != 0) {
            ok = false;
        }
        if (!ok) {
            fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
            goto cleanup;
        }
        fprintf(json, "%s{\"id\":%d,\"file_name\":\"%04d.jpg\",\"width\":%d,\"height\":%d}",
                i == 0 ? "" : ",", i + 1, i, w, h);
    }
    fprintf(json, "],\"annotations\":[");
    for (int i = 0; i < n; i++) {
        struct rng br = rng_for(seed, (uint64_t)i + 1);
        for (int k = 0; k < 5; k++) {
            double x = rng_unit(&br) * (w - w / 8.0), y = rng_unit(&br) * (h - h / 8.0);
            fprintf(json,
                    "%s{\"id\":%d,\"image_id\":%d,\"category_id\":1,\"bbox\":[%.2f,%.2f,%.2f,"
                    "%.2f],\"area\":%.2f,\"iscrowd\":0}",
                    i == 0 && k == 0 ? "" : ",", i * 5 + k + 1, i + 1, x, y, w / 10.0, h / 10.0,
                    w / 10.0 * (h / 10.0));
        }
    }
    fprintf(json, "],\"categories\":[{\"id\":1,\"name\":\"object\"}]}\n");
    status = 0;

cleanup:
    if (json != NULL) {
        bool bad = ferror(json) != 0;
        if ((fclose(json) != 0 || bad) && status == 0) {
            fprintf(stderr, "%s: %s/annotations.json: write error\n", prog, dir);
            status = 1;
        }
    }
    tjFree(jpeg);
    if (tj != NULL) {
        tjDestroy(tj);
    }
    free(c.px);
    free(c.rgb);
    free(img);
    return status;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
        return false;
    }
    *out = v;
    return true;
}

static bool parse_seed(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (s[0] == '-') {
        return false;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: %s set OUT_DIR N [SEED]\n"
            "       %s big OUT.json N K [SEED]\n"
            "       %s large OUT_DIR N W H [SEED]\n",
            prog, prog, prog);
    return 2;
}

int main(int argc, char **argv)
{
    long n, k;
    uint64_t seed = 1;
    if (argc >= 4 && strcmp(argv[1], "set") == 0 && argc <= 5) {
        if (!parse_long(argv[3], 1, 10000000, &n) || (argc == 5 && !parse_seed(argv[4], &seed))) {
            return usage();
        }
        return make_set(argv[2], (int)n, seed);
    }
    if (argc >= 5 && strcmp(argv[1], "big") == 0 && argc <= 6) {
        if (!parse_long(argv[3], 1, 100000000, &n) || !parse_long(argv[4], 1, 10000, &k) ||
            (argc == 6 && !parse_seed(argv[5], &seed))) {
            return usage();
        }
        return make_big(argv[2], (int)n, (int)k, seed);
    }
    if (argc >= 6 && strcmp(argv[1], "large") == 0 && argc <= 7) {
        long w, h;
        if (!parse_long(argv[3], 1, 1000000, &n) || !parse_long(argv[4], 16, 65535, &w) ||
            !parse_long(argv[5], 16, 65535, &h) || (argc == 7 && !parse_seed(argv[6], &seed))) {
            return usage();
        }
        return make_large(argv[2], (int)n, (int)w, (int)h, seed);
    }
    return usage();
}
