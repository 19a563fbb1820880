/* SPDX-License-Identifier: MIT */
/* Internal: the exact arithmetic of the polygon files (polygon_exact.c): a ring's
 * points, fmin and fmax inlined, the compensated shoelace sum, and the test that
 * decides whether a ring has area worth keeping. */
#ifndef BMX_POLYGON_EXACT_H
#define BMX_POLYGON_EXACT_H

#include "boxmix.h"
#include "error.h"

struct pt {
    double x, y;
};

/*
 * fmin and fmax as the C library computes them here (glibc x86-64: a tie, +0 vs
 * -0 included, gives the first argument; a NaN gives the other one), without the
 * call. Results keep the bits they always had, and no longer depend on the libm.
 */
static inline double bmx__min_d(double x, double y)
{
    return (y < x || x != x) ? y : x;
}

static inline double bmx__max_d(double x, double y)
{
    return (y > x || x != x) ? y : x;
}

/* bmx__min_d and bmx__max_d when x is not NaN: a single minsd or maxsd. */
static inline double bmx__min_n(double x, double y)
{
    return y < x ? y : x;
}

static inline double bmx__max_n(double x, double y)
{
    return y > x ? y : x;
}

/* A ring's extent and its plain shoelace sums about its first vertex. */
struct ring_scan {
    double minx, maxx, miny, maxy;
    double s;  /* twice the signed area, rounded */
    double sa; /* the sum of the products' magnitudes */
};

/*
 * Half the compensated shoelace sum of n interleaved vertices: exact products by
 * Dekker's method when `dekker` (*unsafe then tells whether a coordinate lies
 * outside its range: call again without), else by fma.
 */
double bmx__shoelace_xy(const double *xy, size_t n, bool dekker, bool *unsafe);

/* The signed area of a ring of points (0 below 3 vertices). */
double bmx__signed_area(const struct pt *v, size_t n);

/* Whether a ring has no area worth keeping: the definition. */
bool bmx__ring_degenerate_exact(const struct pt *v, size_t n);

/* A ring's extent and plain shoelace sums (n >= 1). */
void bmx__ring_scan(const struct pt *v, size_t n, struct ring_scan *sc);

/* bmx__ring_degenerate_exact for n >= 3 finite vertices, from their bmx__ring_scan. */
bool bmx__degenerate_scanned(const struct pt *v, size_t n, const struct ring_scan *sc);

/* bmx__ring_degenerate_exact, faster (vertices are finite). */
bool bmx__ring_degenerate(const struct pt *v, size_t n);

#endif
