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

/* Several buffers hashed side by side give each its own hash: every count of
 * lanes, lengths that end in any order (a lane that ends first, last, or with
 * others), empty buffers and odd tails. */
static void lanes_match_one_by_one(void **state)
{
    (void)state;
    unsigned char *b = noise(8192);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int round = 0; round < 3000; round++) {
        const void *data[BMX__HASH_LANES];
        size_t len[BMX__HASH_LANES];
        uint64_t out[BMX__HASH_LANES];
        size_t n = 1 + (size_t)round % BMX__HASH_LANES;
        for (size_t k = 0; k < n; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            size_t off = (size_t)(x % 64);
            /* Short lengths often, a long one now and then. */
            len[k] = (size_t)(x >> 20) % (round % 5 == 0 ? 8000 : 90);
            data[k] = b + off;
            out[k] = 0;
        }
        bmx__hash_lanes(data, len, n, out);
        for (size_t k = 0; k < n; k++) {
            assert_true(out[k] == reference_hash(data[k], len[k]));
        }
    }
    /* Four lanes over one buffer: each the same. */
    const void *same[4] = {b, b, b, b};
    size_t lens[4] = {4096, 4096, 4096, 4096};
    uint64_t four[4];
    bmx__hash_lanes(same, lens, 4, four);
    for (size_t k = 0; k < 4; k++) {
        assert_true(four[k] == reference_hash(b, 4096));
    }
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_values),
        cmocka_unit_test(every_length_and_alignment),
        cmocka_unit_test(streamed_in_any_pieces),
        cmocka_unit_test(lanes_match_one_by_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
