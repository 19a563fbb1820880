/* SPDX-License-Identifier: MIT */
/* bmx__sort_u32 (lib/geometry/sort_u32.c) sorts as qsort does: random keys of
 * every size around its switch from insertion sort to counting passes, keys that
 * share bytes (skipped passes), duplicates, extremes, sorted and reversed input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rle_runs.h"

#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x > y ? 1 : (x < y ? -1 : 0);
}

/* keys[0..n) sorted both ways agree; tmp's contents do not matter. */
static void check(const uint32_t *keys, size_t n)
{
    uint32_t *want = malloc((n + 1) * sizeof *want);
    uint32_t *got = malloc((n + 1) * sizeof *got);
    uint32_t *tmp = malloc((n + 1) * sizeof *tmp);
    assert_non_null(want);
    assert_non_null(got);
    assert_non_null(tmp);
    if (n > 0) {
        memcpy(want, keys, n * sizeof *want);
        memcpy(got, keys, n * sizeof *got);
    }
    memset(tmp, 0xA5, (n + 1) * sizeof *tmp);
    qsort(want, n, sizeof *want, cmp);
    bmx__sort_u32(got, tmp, n);
    if (n > 0) {
        assert_memory_equal(got, want, n * sizeof *got);
    }
    free(want);
    free(got);
    free(tmp);
}

static void random_keys(void **state)
{
    (void)state;
    bmx_rng r;
    bmx_rng_seed(&r, 3, 3);
    uint32_t *keys = malloc(5000 * sizeof *keys);
    assert_non_null(keys);
    for (int round = 0; round < 600; round++) {
        const size_t n = round < 200 ? (size_t)round : (size_t)bmx_rng_below(&r, 5000);
        /* Some rounds draw from a narrow range: bytes shared by every key. */
        const uint64_t range = round % 3 == 0 ? 256u : round % 3 == 1 ? 70000u : 1ull << 32;
        for (size_t i = 0; i < n; i++) {
            keys[i] = (uint32_t)bmx_rng_below(&r, range);
        }
        check(keys, n);
    }
    free(keys);
}

static void special_inputs(void **state)
{
    (void)state;
    enum { N = 300 };
    uint32_t keys[N];
    for (size_t i = 0; i < N; i++) {
        keys[i] = 7;
    }
    check(keys, N); /* all equal: every pass skipped */
    for (size_t i = 0; i < N; i++) {
        keys[i] = (uint32_t)i * 0x01010101u;
    }
    check(keys, N); /* sorted */
    for (size_t i = 0; i < N; i++) {
        keys[i] = UINT32_MAX - (uint32_t)i * 977u;
    }
    check(keys, N); /* reversed, near the top */
    for (size_t i = 0; i < N; i++) {
        keys[i] = i % 2 == 0 ? 0u : UINT32_MAX;
    }
    check(keys, N); /* the extremes */
    check(keys, 1);
    check(keys, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_keys),
        cmocka_unit_test(special_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
