/* SPDX-License-Identifier: MIT */
/* Internal: fresh memory mapped in before it is written. */
#ifndef BMX_PREFAULT_H
#define BMX_PREFAULT_H

#include <stdbool.h>
#include <stddef.h>

/* Ask the kernel to map in, writable, the whole pages of the `len` bytes at `p`
 * that are not mapped yet, in one call: a buffer then written page by page does
 * not stop at each page (where a fault is dear, as under a hypervisor, decoding
 * into fresh memory paid one fault every 4 KiB). Nothing else changes: the bytes
 * stay as they are, and where the system cannot (before Linux 5.14, other
 * systems, short of memory) the pages fault in as usual when written. Buffers
 * under 64 KiB are left alone. */
void bmx__prefault(void *p, size_t len);

/* The size of the transparent huge pages memory gets when it asks for them (Linux,
 * "always" or "madvise" in /sys/kernel/mm/transparent_hugepage/enabled), or 0: none,
 * or larger than 2 MiB (as with 64 KiB base pages), too coarse for image buffers.
 * Under a hypervisor a fresh 4 KiB page costs several microseconds even when mapped
 * in ahead (bmx__prefault): about 2 ms for a 640x480 image, against 0.1 ms on a
 * huge page. */
size_t bmx__huge_page_size(void);

/* Buffers from this size up go on huge pages where there are: smaller ones cost
 * little on ordinary pages, and whole huge pages would more than double them. */
#define BMX__HUGE_MIN ((size_t)768 * 1024)

/* What a buffer of `len` bytes takes on whole huge pages of `huge` bytes: `len`
 * rounded up to a multiple of `huge`. 0 when it goes on ordinary pages: `huge` is
 * 0, `len` is under BMX__HUGE_MIN, or the rounding overflows. */
size_t bmx__huge_size(size_t len, size_t huge);

/* `len` bytes (a multiple of `huge`, from bmx__huge_page_size) on huge pages,
 * mapped in; released with free(). NULL when they cannot be had (the caller then
 * takes ordinary memory). */
void *bmx__alloc_huge(size_t len, size_t huge);

#endif
