/* SPDX-License-Identifier: MIT */
/* The file hash of the journals: its values are part of every journal written, so
 * they must not depend on the machine or on how the words are loaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* The definition, written out byte by byte: what every journal so far holds. */
static uint64_t word_of(const unsigned char *p)
{
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--) {
        v = v << 8 | p[k];
    }
    return v;
}

static uint64_t reference_hash(const unsigned char *p, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        h = (h ^ word_of(p + i)) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    for (; i < len; i++) {
        h = (h ^ p[i]) * 0x94D049BB133111EBull;
    }
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}

static uint64_t reference_stream(const unsigned char *p, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        h = (h ^ word_of(p + i)) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    for (; i < len; i++) {
        h = (h ^ p[i]) * 0x94D049BB133111EBull;
    }
    h ^= (uint64_t)len;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}

static unsigned char *noise(size_t n)
{
    unsigned char *b = malloc(n);
    uint64_t x = 0x243F6A8885A308D3ull;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b[i] = (unsigned char)(x >> 24);
    }
    return b;
}

static void fixed_values(void **state)
{
    (void)state;
    /* Pinned: a change here changes every journal's checksums. */
    assert_true(bmx__hash_bytes("", 0) == reference_hash((const unsigned char *)"", 0));
    assert_true(bmx__hash_bytes("boxmix journal", 14) == UINT64_C(0x96292cb927c99f4b));
    assert_true(reference_hash((const unsigned char *)"boxmix journal", 14) ==
                UINT64_C(0x96292cb927c99f4b));
}

static void every_length_and_alignment(void **state)
{
    (void)state;
    unsigned char *b = noise(4096 + 16);
    for (size_t off = 0; off < 8; off++) {
        for (size_t len = 0; len <= 200; len++) {
            assert_true(bmx__hash_bytes(b + off, len) == reference_hash(b + off, len));
        }
        assert_true(bmx__hash_bytes(b + off, 4096) == reference_hash(b + off, 4096));
    }
    free(b);
}

static void streamed_in_any_pieces(void **state)
{
    (void)state;
    const size_t n = 1000;
    unsigned char *b = noise(n);
    uint64_t want = reference_stream(b, n);
    for (size_t piece = 1; piece <= 19; piece++) {
        struct bmx__hash s;
        bmx__hash_init(&s);
        for (size_t at = 0; at < n; at += piece) {
            bmx__hash_update(&s, b + at, at + piece <= n ? piece : n - at);
        }
        assert_true(bmx__hash_final(&s) == want);
    }
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_values),
        cmocka_unit_test(every_length_and_alignment),
        cmocka_unit_test(streamed_in_any_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
