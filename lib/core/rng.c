/* SPDX-License-Identifier: MIT */
/* The random generator: xoshiro256** seeded through splitmix64.
 *
 * Every random choice in boxmix draws from a bmx_rng the caller owns, so output k
 * of a run depends only on (seed, k) and never on thread timing. */
#include "error.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void bmx_rng_seed(bmx_rng *rng, uint64_t seed, uint64_t stream)
{
    /* Mix the stream through its own splitmix step so that neighbouring
     * (seed, stream) pairs start far apart. */
    uint64_t t = stream;
    uint64_t x = seed ^ splitmix64(&t);
    for (int i = 0; i < 4; i++) {
        rng->s[i] = splitmix64(&x);
    }
    if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0) {
        rng->s[0] = 1;
    }
}

void bmx__rng_seed_tagged(bmx_rng *rng, uint64_t seed, uint64_t tag, uint64_t index)
{
    /* The tag through its own splitmix step: a stream apart from the pairing's. */
    bmx_rng_seed(rng, seed ^ splitmix64(&tag), index);
}

void bmx_rng_seed_op(bmx_rng *rng, uint64_t seed, uint64_t index)
{
    bmx__rng_seed_tagged(rng, seed, BMX_RNG_TAG_OP, index);
}

uint64_t bmx_rng_next(bmx_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double bmx_rng_uniform(bmx_rng *rng)
{
    return (double)(bmx_rng_next(rng) >> 11) * 0x1.0p-53;
}

uint64_t bmx_rng_below(bmx_rng *rng, uint64_t n)
{
    if (n <= 1) {
        return 0;
    }
    /* Rejection on the top of the range keeps every value equally likely. */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    for (;;) {
        uint64_t v = bmx_rng_next(rng);
        if (v < limit) {
            return v % n;
        }
    }
}

/* Standard normal by the polar method (uses only +,*,log,sqrt: reproducible). */
static double normal(bmx_rng *rng)
{
    for (;;) {
        double u = 2.0 * bmx_rng_uniform(rng) - 1.0;
        double v = 2.0 * bmx_rng_uniform(rng) - 1.0;
        double s = u * u + v * v;
        if (s > 0.0 && s < 1.0) {
            return u * sqrt(-2.0 * log(s) / s);
        }
    }
}

double bmx_rng_gamma(bmx_rng *rng, double shape)
{
    if (!(shape > 0.0)) {
        return 0.0;
    }
    if (shape < 1.0) {
        /* Boost: Gamma(a) = Gamma(a + 1) * U^(1/a). */
        double u;
        do {
            u = bmx_rng_uniform(rng);
        } while (u <= 0.0);
        return bmx_rng_gamma(rng, shape + 1.0) * pow(u, 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0;
    double c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = normal(rng);
        double v = 1.0 + c * x;
        if (v <= 0.0) {
            continue;
        }
        v = v * v * v;
        double u = bmx_rng_uniform(rng);
        if (u < 1.0 - 0.0331 * (x * x) * (x * x)) {
            return d * v;
        }
        if (u > 0.0 && log(u) < 0.5 * x * x + d * (1.0 - v + log(v))) {
            return d * v;
        }
    }
}

double bmx_rng_beta(bmx_rng *rng, double a, double b)
{
    if (a == 1.0 && b == 1.0) {
        return bmx_rng_uniform(rng);
    }
    double x = bmx_rng_gamma(rng, a);
    double y = bmx_rng_gamma(rng, b);
    if (x + y <= 0.0) {
        /* Both underflowed (tiny shapes): the distribution is near {0, 1}. */
        return bmx_rng_uniform(rng) < a / (a + b) ? 1.0 : 0.0;
    }
    return x / (x + y);
}
