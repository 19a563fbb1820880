/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/run/job_order.c: the order in which a block's outputs are
 * made holds few inputs at once, and is still every output exactly once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "job.h"

#include <stdlib.h>
#include <string.h>

/* The most inputs held at once when the outputs are made in `todo`'s order: an
 * input is held from its first use to its last (what the pixel cache does under
 * an unlimited budget). */
static size_t most_held(const struct run *r, const uint64_t *todo, size_t n)
{
    size_t n_in = r->n_in;
    size_t *first = malloc(n_in * sizeof *first), *last = malloc(n_in * sizeof *last);
    for (size_t v = 0; v < n_in; v++) {
        first[v] = SIZE_MAX;
        last[v] = 0;
    }
    for (size_t t = 0; t < n; t++) {
        uint64_t k = bmx__job_local_to_k(r, todo[t]);
        size_t uses[BMX__JOB_MAX_INPUTS];
        size_t n_uses = bmx__job_inputs(r, k, uses);
        for (size_t q = 0; q < n_uses; q++) {
            if (first[uses[q]] == SIZE_MAX) {
                first[uses[q]] = t;
            }
            last[uses[q]] = t;
        }
    }
    size_t most = 0;
    for (size_t t = 0; t < n; t++) {
        size_t held = 0;
        for (size_t v = 0; v < n_in; v++) {
            held += first[v] <= t && t <= last[v];
        }
        most = held > most ? held : most;
    }
    free(first);
    free(last);
    return most;
}

static void run_with(struct run *r, struct bmx_job_options *opts, size_t n_in, uint64_t seed)
{
    memset(r, 0, sizeof *r);
    bmx_job_options_init(opts);
    opts->seed = seed;
    r->opts = opts;
    bmx_op_options_init(&r->one.op);
    r->one.weight = 1.0;
    r->recipe = &r->one;
    r->recipe_len = 1;
    r->max_inputs = 2;
    r->n_in = n_in;
    r->shard_n = 1;
    assert_int_equal(bmx__pairing_init(&r->pairing, n_in, seed, NULL), BMX_OK);
}

static void every_output_once_and_few_held(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < 20; seed++) {
        for (size_t per_image = 1; per_image <= 4; per_image++) {
            const size_t n_in = 100; /* one block */
            struct bmx_job_options opts;
            struct run r;
            run_with(&r, &opts, n_in, seed);
            assert_int_equal(r.pairing.n_blocks, 1);
            size_t n = n_in * per_image;
            uint64_t *todo = malloc(n * sizeof *todo), *before = malloc(n * sizeof *before);
            for (size_t j = 0; j < n; j++) {
                todo[j] = before[j] = j;
            }
            assert_true(bmx__job_order_block(&r, todo, n, 0, n_in));
            bool *seen = calloc(n, 1);
            for (size_t t = 0; t < n; t++) {
                assert_true(todo[t] < n);
                assert_false(seen[todo[t]]);
                seen[todo[t]] = true;
            }
            size_t in_order = most_held(&r, before, n), walked = most_held(&r, todo, n);
            /* One output per input: index order holds a fifth of the block or
             * more, the walk about a tenth. More outputs per input join more
             * inputs, and any order holds more; the walk still fewer. */
            assert_true(walked < in_order);
            if (per_image == 1) {
                assert_true(in_order >= 20);
                assert_true(walked <= 14);
            }
            free(seen);
            free(todo);
            free(before);
            bmx__pairing_free(&r.pairing);
        }
    }
}

/* Mosaic's four inputs and CutOut's one, mixed by a recipe: still every output
 * once, and the walk holds fewer inputs than index order. */
static void four_inputs_walked(void **state)
{
    (void)state;
    struct bmx_recipe_entry recipe[3];
    for (size_t q = 0; q < 3; q++) {
        bmx_op_options_init(&recipe[q].op);
        recipe[q].weight = 1.0;
    }
    recipe[1].op.op = BMX_OP_MOSAIC;
    recipe[2].op.op = BMX_OP_CUTOUT;
    for (uint64_t seed = 0; seed < 10; seed++) {
        const size_t n_in = 100, n = 200;
        struct bmx_job_options opts;
        struct run r;
        run_with(&r, &opts, n_in, seed);
        r.recipe = recipe;
        r.recipe_len = 3;
        r.max_inputs = 4;
        uint64_t todo[200], before[200];
        size_t ops[BMX_OP_COUNT] = {0};
        for (size_t j = 0; j < n; j++) {
            todo[j] = before[j] = j;
            ops[bmx__job_op(&r, j)->op]++;
        }
        assert_true(ops[BMX_OP_MOSAIC] > 30 && ops[BMX_OP_CUTOUT] > 30 && ops[BMX_OP_CUTMIX] > 30);
        assert_true(bmx__job_order_block(&r, todo, n, 0, n_in));
        bool seen[200] = {false};
        for (size_t t = 0; t < n; t++) {
            assert_true(todo[t] < n);
            assert_false(seen[todo[t]]);
            seen[todo[t]] = true;
        }
        assert_true(most_held(&r, todo, n) < most_held(&r, before, n));
        bmx__pairing_free(&r.pairing);
    }
}

/* Mosaic alone: three sources drawn from the whole block join inputs far apart in
 * any walk; the order chosen holds about half the block at once where the walk
 * held about 70 % (46 to 52 inputs of 100, against 64 to 74). */
static void mosaic_greedy(void **state)
{
    (void)state;
    struct bmx_recipe_entry mosaic;
    bmx_op_options_init(&mosaic.op);
    mosaic.op.op = BMX_OP_MOSAIC;
    mosaic.weight = 1.0;
    for (uint64_t seed = 0; seed < 10; seed++) {
        const size_t n_in = 100, n = 100;
        struct bmx_job_options opts;
        struct run r;
        run_with(&r, &opts, n_in, seed);
        r.recipe = &mosaic;
        r.recipe_len = 1;
        uint64_t todo[100], walk[100];
        for (size_t j = 0; j < n; j++) {
            todo[j] = walk[j] = j;
        }
        r.max_inputs = 2; /* the walk alone */
        assert_true(bmx__job_order_block(&r, walk, n, 0, n_in));
        r.max_inputs = 4;
        assert_true(bmx__job_order_block(&r, todo, n, 0, n_in));
        bool seen[100] = {false};
        for (size_t t = 0; t < n; t++) {
            assert_true(todo[t] < n);
            assert_false(seen[todo[t]]);
            seen[todo[t]] = true;
        }
        size_t greedy = most_held(&r, todo, n), walked = most_held(&r, walk, n);
        assert_true(greedy + 10 <= walked);
        assert_true(greedy <= 55);
        bmx__pairing_free(&r.pairing);
    }
}

/* A shard's block: its local outputs map to every shard_n-th index. */
static void shard_outputs(void **state)
{
    (void)state;
    struct bmx_job_options opts;
    struct run r;
    run_with(&r, &opts, 90, 3);
    opts.shard_count = 3;
    opts.shard_index = 1;
    r.shard_n = 3;
    size_t n = 30;
    uint64_t todo[30];
    for (size_t j = 0; j < n; j++) {
        todo[j] = j;
    }
    assert_true(bmx__job_order_block(&r, todo, n, 0, 90));
    uint64_t sum = 0;
    for (size_t j = 0; j < n; j++) {
        assert_true(todo[j] < n);
        sum += todo[j];
    }
    assert_int_equal(sum, n * (n - 1) / 2);
    bmx__pairing_free(&r.pairing);
}

/* Workers take their own parts block by block, then the last outputs of the
 * part with the most left in the earliest block with any; every position is
 * taken once. */
static void workers_take_own_parts_then_steal(void **state)
{
    (void)state;
    /* Two blocks of 5 and 6 outputs, two workers: parts [0,2) [2,5) [5,8) [8,11). */
    struct job_part parts[4] = {{0, 2}, {2, 5}, {5, 8}, {8, 11}};
    struct run r;
    memset(&r, 0, sizeof r);
    r.parts = parts;
    r.n_parts = 4;
    r.ways = 2;
    struct worker_ctx w0 = {.part = 0}, w1 = {.part = 1};
    /* Worker 0 runs ahead: its parts, then it steals. */
    static const size_t want0[] = {0, 1, 5, 6, 7};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(bmx__job_take(&r, &w0), want0[i]);
    }
    assert_int_equal(bmx__job_take(&r, &w1), 2);
    /* Left: [3,5) of worker 1's part in the first block and [8,11) of its part in
     * the second: the first block's, from its end. */
    assert_int_equal(bmx__job_take(&r, &w0), 4);
    assert_int_equal(bmx__job_take(&r, &w0), 3);
    /* Worker 1 goes on with its own part of the second block. */
    assert_int_equal(bmx__job_take(&r, &w1), 8);
    assert_int_equal(bmx__job_take(&r, &w0), 10);
    assert_int_equal(bmx__job_take(&r, &w1), 9);
    assert_int_equal(bmx__job_take(&r, &w1), SIZE_MAX);
    assert_int_equal(bmx__job_take(&r, &w0), SIZE_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_output_once_and_few_held),
        cmocka_unit_test(four_inputs_walked),
        cmocka_unit_test(shard_outputs),
        cmocka_unit_test(mosaic_greedy),
        cmocka_unit_test(workers_take_own_parts_then_steal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
