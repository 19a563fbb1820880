/* SPDX-License-Identifier: MIT */
/*
 * Exact arithmetic for polygons: the shoelace sum of a ring with its products
 * split exactly (Dekker's method, or fma out of its range) and summed with
 * Neumaier's compensation, the signed area built on it, and whether a ring has
 * area worth keeping, both as the definition (bmx__ring_degenerate_exact) and
 * decided faster from a plain sum with an error bound (bmx__ring_degenerate,
 * bmx__degenerate_scanned). The clippers and polygon.c's areas rest on these.
 */
#include "polygon_exact.h"

#include <math.h>

/*
 * A compensated sum of exact products: the shoelace terms x_i*y_j are as large as
 * the coordinates squared while the area may be tiny (a small ring far from the
 * origin), so the products are split exactly and summed with Neumaier's
 * correction. The result is the shoelace area of the vertices, correctly rounded
 * but for a few ulps.
 */
struct acc {
    double sum, err;
};

static inline void acc_add(struct acc *a, double v)
{
    double t = a->sum + v;
    bool sum_big = fabs(a->sum) >= fabs(v);
    double big = sum_big ? a->sum : v;
    double small = sum_big ? v : a->sum;
    a->err += (big - t) + small;
    a->sum = t;
}

/*
 * Dekker's exact products: a coordinate split into a high and a low half, each of
 * 26 bits or fewer, so that the partial products are exact.
 */
struct split {
    double hi, lo;
};

static inline struct split split_of(double x)
{
    const double factor = 134217729.0; /* 2^27 + 1 */
    double c = factor * x;
    struct split s;
    s.hi = c - (c - x);
    s.lo = x - s.hi;
    return s;
}

/*
 * x*y - p exactly, for p = x*y rounded: the same value as fma(x, y, -p) when |x|
 * and |y| are 0 or within [2^-450, 2^450], where nothing overflows or underflows.
 * Needs -ffp-contract=off (meson.build sets it).
 */
static inline double prod_err(struct split x, struct split y, double p)
{
    return ((x.hi * y.hi - p) + x.hi * y.lo + x.lo * y.hi) + x.lo * y.lo;
}

static inline bool dekker_safe(double c)
{
    double a = fabs(c);
    return (a == 0.0) | ((a >= 0x1p-450) & (a <= 0x1p450));
}

/* Vertex i of a ring given as points (`v`) or as interleaved coordinates (`xy`). */
static inline double vx(const struct pt *v, const double *xy, size_t i)
{
    return v != NULL ? v[i].x : xy[2 * i];
}

static inline double vy(const struct pt *v, const double *xy, size_t i)
{
    return v != NULL ? v[i].y : xy[2 * i + 1];
}

/*
 * Half the compensated shoelace sum of a ring (`v` or `xy`, see vx): per edge i -> j,
 * acc_add(x_i*y_j), acc_add(-x_j*y_i), then the products' exact errors into err.
 * With `dekker` the errors come from split coordinates (each split once) and
 * *unsafe tells whether a coordinate lies outside Dekker's range (then call again
 * without); otherwise from fma.
 */
static inline double shoelace(const struct pt *v, const double *xy, size_t n, bool dekker,
                              bool *unsafe)
{
    struct acc a = {0.0, 0.0};
    bool bad = false;
    double x0 = vx(v, xy, 0), y0 = vy(v, xy, 0);
    struct split sx0 = split_of(x0), sy0 = split_of(y0);
    double xi = x0, yi = y0;
    struct split sxi = sx0, syi = sy0;
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n;
        double xj = last ? x0 : vx(v, xy, i + 1);
        double yj = last ? y0 : vy(v, xy, i + 1);
        double p = xi * yj;
        double q = xj * yi;
        bad |= !dekker_safe(xi);
        bad |= !dekker_safe(yi);
        acc_add(&a, p);
        acc_add(&a, -q);
        if (dekker) {
            struct split sxj = last ? sx0 : split_of(xj);
            struct split syj = last ? sy0 : split_of(yj);
            a.err += prod_err(sxi, syj, p) - prod_err(sxj, syi, q);
            sxi = sxj;
            syi = syj;
        } else {
            a.err += fma(xi, yj, -p) - fma(xj, yi, -q);
        }
        xi = xj;
        yi = yj;
    }
    *unsafe = bad;
    return 0.5 * (a.sum + a.err);
}

static inline double shoelace_pts(const struct pt *v, size_t n, bool dekker, bool *unsafe)
{
    return shoelace(v, NULL, n, dekker, unsafe);
}

double bmx__shoelace_xy(const double *xy, size_t n, bool dekker, bool *unsafe)
{
    return shoelace(NULL, xy, n, dekker, unsafe);
}

double bmx__signed_area(const struct pt *v, size_t n)
{
    bool unsafe;
    double s;
    if (n < 3) {
        return 0.0;
    }
    s = shoelace_pts(v, n, true, &unsafe);
    return unsafe ? shoelace_pts(v, n, false, &unsafe) : s;
}

/*
 * Whether a ring has no area worth keeping. Rounding in intersections leaves
 * slivers (a vertex a few ulps off a line) whose area, divided by extent times
 * max(extent, position), stays below about 1e-16; genuine thin pieces seen in the
 * property tests start near 5e-13. The cut-off sits between them at 1e-14.
 * This is the definition; bmx__ring_degenerate gives the same answer faster.
 */
bool bmx__ring_degenerate_exact(const struct pt *v, size_t n)
{
    double minx, maxx, miny, maxy, len, mag, area;
    if (n < 3) {
        return true;
    }
    minx = maxx = v[0].x;
    miny = maxy = v[0].y;
    for (size_t i = 1; i < n; i++) {
        minx = bmx__min_n(minx, v[i].x);
        maxx = bmx__max_n(maxx, v[i].x);
        miny = bmx__min_n(miny, v[i].y);
        maxy = bmx__max_n(maxy, v[i].y);
    }
    len = bmx__max_d(maxx - minx, maxy - miny);
    mag = bmx__max_d(bmx__max_d(fabs(minx), fabs(maxx)), bmx__max_d(fabs(miny), fabs(maxy)));
    area = fabs(bmx__signed_area(v, n));
    return !(area > 1e-14 * len * bmx__max_d(len, mag));
}

void bmx__ring_scan(const struct pt *v, size_t n, struct ring_scan *sc)
{
    double ox = v[0].x, oy = v[0].y;
    double px = v[n - 1].x - ox, py = v[n - 1].y - oy;
    double minx = ox, maxx = ox, miny = oy, maxy = oy, s = 0.0, sa = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i].x, y = v[i].y;
        double qx = x - ox, qy = y - oy;
        double t1 = px * qy;
        double t2 = qx * py;
        s += t1 - t2;
        sa += fabs(t1) + fabs(t2);
        minx = bmx__min_n(minx, x);
        maxx = bmx__max_n(maxx, x);
        miny = bmx__min_n(miny, y);
        maxy = bmx__max_n(maxy, y);
        px = qx;
        py = qy;
    }
    sc->minx = minx;
    sc->maxx = maxx;
    sc->miny = miny;
    sc->maxy = maxy;
    sc->s = s;
    sc->sa = sa;
}

/*
 * bmx__ring_degenerate_exact for a ring of n >= 3 finite vertices, deciding first from
 * the plain sum of ring_scan. With u = 2^-53, that sum is within (n + 4) u S / 2 of
 * the exact area A (S: the sum of the magnitudes of the products), and the
 * compensated sum within 2u|A| + 16 n^2 u^2 mag^2 of A; the bound used is more than
 * twice both. Only a ring whose area lies within the bound of the cut-off takes the
 * compensated sum. Overflow gives NaN or infinity and so the exact path.
 */
bool bmx__degenerate_scanned(const struct pt *v, size_t n, const struct ring_scan *sc)
{
    const double u = 0x1p-53;
    const double nd = (double)n;
    /* Signs of zeros aside (they cannot change the comparison), as the definition. */
    double len = bmx__max_d(sc->maxx - sc->minx, sc->maxy - sc->miny);
    double mag = bmx__max_d(bmx__max_d(fabs(sc->minx), fabs(sc->maxx)),
                            bmx__max_d(fabs(sc->miny), fabs(sc->maxy)));
    double cut = 1e-14 * len * bmx__max_d(len, mag);
    double a = fabs(0.5 * sc->s);
    double bound = (nd + 8.0) * u * sc->sa + 4.0 * u * a + 64.0 * nd * nd * u * u * mag * mag;
    if (a - bound > cut) {
        return false;
    }
    if (a + bound < cut) {
        return true;
    }
    return bmx__ring_degenerate_exact(v, n);
}

/* bmx__ring_degenerate_exact, faster (vertices are finite). */
bool bmx__ring_degenerate(const struct pt *v, size_t n)
{
    struct ring_scan sc;
    if (n < 3) {
        return true;
    }
    bmx__ring_scan(v, n, &sc);
    return bmx__degenerate_scanned(v, n, &sc);
}
