/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/pairing.c: the shuffled order, its blocks and each output's
 * source (DESIGN.md, "Pairing"). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pairing.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define PINNED "75 20 66 31 57 47 15 01 "

/* The order is a permutation, pos its inverse, and the same seed the same order. */
static void order_is_a_seeded_permutation(void **state)
{
    (void)state;
    for (size_t n = 1; n < 300; n += 37) {
        struct bmx__pairing a, b, c;
        assert_int_equal(bmx__pairing_init(&a, n, 9, NULL), BMX_OK);
        assert_int_equal(bmx__pairing_init(&b, n, 9, NULL), BMX_OK);
        assert_int_equal(bmx__pairing_init(&c, n, 10, NULL), BMX_OK);
        bool *seen = calloc(n, 1);
        for (size_t i = 0; i < n; i++) {
            assert_true(a.order[i] < n);
            assert_false(seen[a.order[i]]);
            seen[a.order[i]] = true;
            assert_int_equal(a.pos[a.order[i]], i);
        }
        assert_memory_equal(a.order, b.order, n * sizeof *a.order);
        if (n > 5) {
            assert_memory_not_equal(a.order, c.order, n * sizeof *a.order);
        }
        free(seen);
        bmx__pairing_free(&a);
        bmx__pairing_free(&b);
        bmx__pairing_free(&c);
    }
}

/* Blocks of 64 to 127 inputs, in order, covering every position once; a set
 * smaller than a block is one block. */
static void blocks_are_balanced(void **state)
{
    (void)state;
    const size_t sizes[] = {1, 2, 63, 64, 65, 127, 128, 129, 200, 1000, 118287};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        struct bmx__pairing p;
        assert_int_equal(bmx__pairing_init(&p, n, 3, NULL), BMX_OK);
        assert_int_equal(p.n_blocks, n < 64 ? 1 : n / 64);
        assert_int_equal(bmx__pairing_block_start(&p, 0), 0);
        assert_int_equal(bmx__pairing_block_start(&p, p.n_blocks), n);
        for (size_t b = 0; b < p.n_blocks; b++) {
            size_t lo = bmx__pairing_block_start(&p, b), hi = bmx__pairing_block_start(&p, b + 1);
            if (n >= 64) {
                assert_true(hi - lo >= 64 && hi - lo <= 127);
            }
            assert_int_equal(bmx__pairing_block_of(&p, lo), b);
            assert_int_equal(bmx__pairing_block_of(&p, hi - 1), b);
        }
        bmx__pairing_free(&p);
    }
}

/* The source is another input of the base's block, drawn from the generator
 * given; alone in its block (a one-image set), an input pairs with itself. */
static void source_from_the_base_block(void **state)
{
    (void)state;
    struct bmx__pairing p;
    assert_int_equal(bmx__pairing_init(&p, 300, 5, NULL), BMX_OK);
    size_t *hits = calloc(300, sizeof *hits);
    for (uint64_t k = 0; k < 30000; k++) {
        bmx_rng rng, again;
        bmx_rng_seed(&rng, 5, k);
        bmx_rng_seed(&again, 5, k);
        size_t base = (size_t)(k % 300);
        size_t s = bmx__pairing_source(&p, base, &rng);
        assert_int_equal(s, bmx__pairing_source(&p, base, &again));
        assert_int_not_equal(s, base);
        assert_int_equal(bmx__pairing_block_of(&p, p.pos[s]), bmx__pairing_block_of(&p, p.pos[base]));
        hits[s]++;
    }
    /* every input serves as a source */
    for (size_t i = 0; i < 300; i++) {
        assert_true(hits[i] > 0);
    }
    free(hits);
    bmx__pairing_free(&p);

    assert_int_equal(bmx__pairing_init(&p, 1, 5, NULL), BMX_OK);
    bmx_rng rng;
    bmx_rng_seed(&rng, 5, 0);
    assert_int_equal(bmx__pairing_source(&p, 0, &rng), 0);
    bmx__pairing_free(&p);
}

/* Pinned: the order and sources of a small run do not change under a
 * refactoring (outputs would change their bytes). */
static void pinned_values(void **state)
{
    (void)state;
    struct bmx__pairing p;
    assert_int_equal(bmx__pairing_init(&p, 8, 7, NULL), BMX_OK);
    size_t got[8];
    for (uint64_t k = 0; k < 8; k++) {
        bmx_rng rng;
        bmx_rng_seed(&rng, 7, k);
        got[k] = bmx__pairing_source(&p, (size_t)k, &rng);
    }
    char text[64] = "";
    for (size_t i = 0; i < 8; i++) {
        char one[8];
        snprintf(one, sizeof one, "%zu%zu ", p.order[i], got[i]);
        strcat(text, one);
    }
    print_message("order/source pairs: %s\n", text);
    assert_string_equal(text, PINNED);
    bmx__pairing_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(order_is_a_seeded_permutation),
        cmocka_unit_test(blocks_are_balanced),
        cmocka_unit_test(source_from_the_base_block),
        cmocka_unit_test(pinned_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
