/* SPDX-License-Identifier: MIT */
/* madvise is not in POSIX: Linux's (and the BSDs') comes with the default set of
 * definitions. */
#define _DEFAULT_SOURCE 1

#include "prefault.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define PREFAULT_MIN ((size_t)64 * 1024)

void bmx__prefault(void *p, size_t len)
{
#if defined(MADV_POPULATE_WRITE)
    if (p == NULL || len < PREFAULT_MIN) {
        return;
    }
    const long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) {
        return;
    }
    const uintptr_t pg = (uintptr_t)page;
    const uintptr_t start = ((uintptr_t)p + pg - 1) & ~(pg - 1);
    const uintptr_t end = ((uintptr_t)p + len) & ~(pg - 1);
    if (end > start) {
        /* Advice: its result changes nothing the caller relies on. */
        (void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
    }
#else
    (void)p;
    (void)len;
#endif
}
