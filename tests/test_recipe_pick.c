/* SPDX-License-Identifier: MIT */
/* bmx_recipe_pick (lib/ops/op.c): each output's entry drawn by weight from the
 * recipe's own stream; the same for the same (seed, index); shares that follow
 * the weights, even when the weights' sum passes the largest double. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "boxmix.h"

#include <float.h>
#include <string.h>

#define DRAWS 20000

static void entries_of(const double *weights, size_t n, struct bmx_recipe_entry *out)
{
    for (size_t q = 0; q < n; q++) {
        memset(&out[q], 0, sizeof out[q]);
        bmx_op_options_init(&out[q].op);
        out[q].weight = weights[q];
    }
}

/* How many of DRAWS indices pick each entry. */
static void shares(const struct bmx_recipe_entry *e, size_t n, uint64_t seed, size_t *count)
{
    memset(count, 0, n * sizeof *count);
    for (uint64_t k = 0; k < DRAWS; k++) {
        size_t q = bmx_recipe_pick(e, n, seed, k);
        assert_true(q < n);
        count[q]++;
    }
}

static void one_entry_draws_nothing(void **state)
{
    (void)state;
    struct bmx_recipe_entry e[1];
    const double w[1] = {DBL_MAX};
    entries_of(w, 1, e);
    for (uint64_t k = 0; k < 100; k++) {
        assert_int_equal(bmx_recipe_pick(e, 1, 7, k), 0);
    }
    assert_int_equal(bmx_recipe_pick(NULL, 3, 7, 0), 0);
}

static void same_seed_same_picks(void **state)
{
    (void)state;
    struct bmx_recipe_entry e[3];
    const double w[3] = {1.0, 2.0, 0.5};
    entries_of(w, 3, e);
    size_t differ = 0;
    for (uint64_t k = 0; k < 1000; k++) {
        assert_int_equal(bmx_recipe_pick(e, 3, 11, k), bmx_recipe_pick(e, 3, 11, k));
        differ += bmx_recipe_pick(e, 3, 11, k) != bmx_recipe_pick(e, 3, 12, k);
    }
    assert_true(differ > 100); /* another seed, other picks */
}

/* Each entry's share within 2 % of its weight's share (20000 draws: the standard
 * deviation of a share is at most 0.36 %). */
static void check_shares(const double *w, size_t n, const double *expect)
{
    struct bmx_recipe_entry e[4];
    size_t count[4];
    entries_of(w, n, e);
    shares(e, n, 5, count);
    for (size_t q = 0; q < n; q++) {
        const double got = (double)count[q] / DRAWS;
        assert_true(got > expect[q] - 0.02 && got < expect[q] + 0.02);
    }
}

static void shares_follow_weights(void **state)
{
    (void)state;
    const double w[3] = {1.0, 3.0, 4.0};
    const double expect[3] = {0.125, 0.375, 0.5};
    check_shares(w, 3, expect);
}

/* Weights whose sum is not a finite double: before, every draw fell through to
 * the last entry (u * inf compared with running sums that overflowed too). */
static void shares_when_the_sum_overflows(void **state)
{
    (void)state;
    const double w[2] = {DBL_MAX, DBL_MAX};
    const double half[2] = {0.5, 0.5};
    check_shares(w, 2, half);
    const double w3[3] = {DBL_MAX, DBL_MAX / 2.0, DBL_MAX / 2.0};
    const double expect3[3] = {0.5, 0.25, 0.25};
    check_shares(w3, 3, expect3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_entry_draws_nothing),
        cmocka_unit_test(same_seed_same_picks),
        cmocka_unit_test(shares_follow_weights),
        cmocka_unit_test(shares_when_the_sum_overflows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
