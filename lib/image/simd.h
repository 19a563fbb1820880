/* SPDX-License-Identifier: MIT */
/* Internal: where the pixel loops are built for AVX2 too. With GCC on x86-64 Linux
 * (function multiversioning and __builtin_cpu_supports), BMX__AVX2 is defined: a
 * function marked BMX__VECTOR_CLONES is built twice, for AVX2 and the baseline,
 * and the loader picks the one the processor runs; loops written with AVX2
 * intrinsics (target("avx2")) run where __builtin_cpu_supports("avx2") says so.
 * Elsewhere neither is built. Integer arithmetic throughout: the bytes are the
 * same either way. */
#ifndef BMX_SIMD_H
#define BMX_SIMD_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define BMX__AVX2 1
#include <immintrin.h>
#define BMX__VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define BMX__VECTOR_CLONES
#endif

#endif
