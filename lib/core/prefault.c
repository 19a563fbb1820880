/* SPDX-License-Identifier: MIT */
/* madvise is not in POSIX: Linux's (and the BSDs') comes with the default set of
 * definitions. */
#define _DEFAULT_SOURCE 1

#include "prefault.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The largest huge page taken for image buffers. */
#define HUGE_MAX ((size_t)2 << 20)

size_t bmx__huge_page_size(void)
{
#if defined(MADV_HUGEPAGE) && defined(__linux__)
    char mode[128] = {0};
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
    if (f == NULL) {
        return 0;
    }
    size_t n = fread(mode, 1, sizeof mode - 1, f);
    fclose(f);
    mode[n] = '\0';
    if (strstr(mode, "[always]") == NULL && strstr(mode, "[madvise]") == NULL) {
        return 0;
    }
    unsigned long long size = 0;
    f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "re");
    if (f == NULL) {
        return 0;
    }
    if (fscanf(f, "%llu", &size) != 1) {
        size = 0;
    }
    fclose(f);
    const long page = sysconf(_SC_PAGESIZE);
    /* A power of two, a whole number of base pages, at most HUGE_MAX. */
    if (page <= 0 || size == 0 || size > HUGE_MAX || (size & (size - 1)) != 0 ||
        size % (unsigned long long)page != 0) {
        return 0;
    }
    return (size_t)size;
#else
    return 0;
#endif
}

void *bmx__alloc_huge(size_t len, size_t huge)
{
#if defined(MADV_HUGEPAGE)
    void *p = NULL;
    if (huge == 0 || len == 0 || len % huge != 0 || posix_memalign(&p, huge, len) != 0) {
        return NULL;
    }
    /* Advice: without it the memory is ordinary pages, still usable. */
    (void)madvise(p, len, MADV_HUGEPAGE);
    bmx__prefault(p, len);
    return p;
#else
    (void)len;
    (void)huge;
    return NULL;
#endif
}
