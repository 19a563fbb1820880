/* SPDX-License-Identifier: MIT */
/* Internal: fresh memory mapped in before it is written. */
#ifndef BMX_PREFAULT_H
#define BMX_PREFAULT_H

#include <stddef.h>

/* Ask the kernel to map in, writable, the whole pages of the `len` bytes at `p`
 * that are not mapped yet, in one call: a buffer then written page by page does
 * not stop at each page (where a fault is dear, as under a hypervisor, decoding
 * into fresh memory paid one fault every 4 KiB). Nothing else changes: the bytes
 * stay as they are, and where the system cannot (before Linux 5.14, other
 * systems, short of memory) the pages fault in as usual when written. Buffers
 * under 64 KiB are left alone. */
void bmx__prefault(void *p, size_t len);

#endif
