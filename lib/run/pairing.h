/* SPDX-License-Identifier: MIT */
/* Internal: which inputs an augment run mixes. The base of output k is input
 * k mod N; the inputs are laid out in an order shuffled by the seed and cut into
 * blocks of BMX__BLOCK_SIZE to 2 * BMX__BLOCK_SIZE - 1 inputs; the source of
 * output k is drawn, with output k's own generator, among the other inputs of its
 * base's block. A block is decoded once and serves all of its outputs, and every
 * choice depends only on (seed, k). */
#ifndef BMX_PAIRING_H
#define BMX_PAIRING_H

#include "boxmix.h"
#include "error.h"

#define BMX__BLOCK_SIZE 64

struct bmx__pairing {
    size_t n;
    size_t *order; /* shuffled inputs */
    size_t *pos;   /* position of input i in order */
    size_t n_blocks;
};

/* The shuffled order of n inputs for `seed`, and its blocks. */
bmx_status bmx__pairing_init(struct bmx__pairing *p, size_t n, uint64_t seed, bmx_error *err);
void bmx__pairing_free(struct bmx__pairing *p);

/* The first position of block b (b == n_blocks: n). */
size_t bmx__pairing_block_start(const struct bmx__pairing *p, size_t b);

/* The block holding position `at` of the order. */
size_t bmx__pairing_block_of(const struct bmx__pairing *p, size_t at);

/* The source of an output whose base is input `base`, drawn from `rng` among the
 * other inputs of the base's block (the base itself when it is alone in it). */
size_t bmx__pairing_source(const struct bmx__pairing *p, size_t base, bmx_rng *rng);

#endif
