/* SPDX-License-Identifier: MIT */
/* Pairing: the seed-shuffled order of the inputs, its blocks, and each output's
 * source. */
#include "pairing.h"

#include <stdlib.h>

bmx_status bmx__pairing_init(struct bmx__pairing *p, size_t n, uint64_t seed, bmx_error *err)
{
    p->n = n;
    p->order = bmx__alloc_array(n, sizeof *p->order);
    p->pos = bmx__alloc_array(n, sizeof *p->pos);
    if (p->order == NULL || p->pos == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu images", n);
    }
    for (size_t i = 0; i < n; i++) {
        p->order[i] = i;
    }
    bmx_rng rng;
    bmx_rng_seed(&rng, seed, UINT64_MAX);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)bmx_rng_below(&rng, i);
        size_t t = p->order[i - 1];
        p->order[i - 1] = p->order[j];
        p->order[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        p->pos[p->order[i]] = i;
    }
    /* Balanced blocks of BMX__BLOCK_SIZE to 2*BMX__BLOCK_SIZE-1 inputs: no tiny tail
     * block whose images could only pair with themselves. */
    p->n_blocks = n / BMX__BLOCK_SIZE;
    if (p->n_blocks == 0) {
        p->n_blocks = 1;
    }
    return BMX_OK;
}

void bmx__pairing_free(struct bmx__pairing *p)
{
    free(p->order);
    free(p->pos);
    p->order = p->pos = NULL;
}

/* Blocks split the order evenly: the first n % n_blocks blocks hold one more. */
size_t bmx__pairing_block_start(const struct bmx__pairing *p, size_t b)
{
    size_t q = p->n / p->n_blocks, r = p->n % p->n_blocks;
    return b * q + (b < r ? b : r);
}

size_t bmx__pairing_block_of(const struct bmx__pairing *p, size_t at)
{
    size_t q = p->n / p->n_blocks, r = p->n % p->n_blocks;
    if (at < r * (q + 1)) {
        return at / (q + 1);
    }
    return r + (at - r * (q + 1)) / q;
}

size_t bmx__pairing_source(const struct bmx__pairing *p, size_t base, bmx_rng *rng)
{
    size_t at = p->pos[base];
    size_t b = bmx__pairing_block_of(p, at);
    size_t lo = bmx__pairing_block_start(p, b), hi = bmx__pairing_block_start(p, b + 1);
    if (hi - lo < 2) {
        return base;
    }
    size_t j = lo + (size_t)bmx_rng_below(rng, hi - lo - 1);
    if (j >= at) {
        j++;
    }
    return p->order[j];
}
