/* SPDX-License-Identifier: MIT */
/* Fresh memory mapped in ahead (lib/core/prefault.c): the bytes stay as they were,
 * and buffers asked on huge pages are aligned to them and marked for them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefault.h"

static void prefault_keeps_bytes(void **state)
{
    (void)state;
    const size_t n = (size_t)3 << 20;
    uint8_t *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(i * 7);
    }
    bmx__prefault(p, n);
    bmx__prefault(p + 1, 100); /* small and unaligned: left alone */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(p[i], (uint8_t)(i * 7));
    }
    free(p);
}

/* Whether the mapping holding `p` is marked for transparent huge pages, from
 * /proc/self/smaps ("THPeligible: 1"); -1 when the kernel does not say. */
static int thp_eligible(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (f == NULL) {
        return -1;
    }
    char line[512];
    bool inside = false;
    int found = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        uintptr_t lo = 0, hi = 0;
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &lo, &hi) == 2 && strchr(line, ':') != NULL &&
            strchr(line, '-') < strchr(line, ' ')) {
            inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
            continue;
        }
        int v = 0;
        if (inside && sscanf(line, "THPeligible: %d", &v) == 1) {
            found = v;
            break;
        }
    }
    fclose(f);
    return found;
}

/* What a buffer takes on huge pages: whole pages from BMX__HUGE_MIN, else 0. */
static void huge_sizes(void **state)
{
    (void)state;
    const size_t two = (size_t)2 << 20;
    assert_int_equal(bmx__huge_size(BMX__HUGE_MIN, 0), 0);
    assert_int_equal(bmx__huge_size(BMX__HUGE_MIN - 1, two), 0);
    assert_int_equal(bmx__huge_size(BMX__HUGE_MIN, two), two);
    assert_int_equal(bmx__huge_size(640 * 480 * 3 + 32, two), two);
    assert_int_equal(bmx__huge_size(two, two), two);
    assert_int_equal(bmx__huge_size(two + 1, two), 2 * two);
    assert_int_equal(bmx__huge_size(SIZE_MAX - 5, two), 0);
}

static void huge_buffers(void **state)
{
    (void)state;
    const size_t huge = bmx__huge_page_size();
    /* None, or a power of two no larger than 2 MiB. */
    assert_true(huge == 0 || ((huge & (huge - 1)) == 0 && huge <= ((size_t)2 << 20)));
    assert_null(bmx__alloc_huge(4096, 0));
    if (huge == 0) {
        print_message("no transparent huge pages here: only the refusals are checked\n");
        return;
    }
    assert_null(bmx__alloc_huge(huge + 1, huge));
    assert_null(bmx__alloc_huge(0, huge));
    uint8_t *p = bmx__alloc_huge(3 * huge, huge);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % huge, 0);
    memset(p, 0xA5, 3 * huge);
    assert_int_equal(p[3 * huge - 1], 0xA5);
    int eligible = thp_eligible(p);
    if (eligible >= 0) {
        assert_int_equal(eligible, 1);
    }
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prefault_keeps_bytes),
        cmocka_unit_test(huge_sizes),
        cmocka_unit_test(huge_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
