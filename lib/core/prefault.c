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
#if defined(__linux__)
#include <sys/prctl.h>
#endif

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

#if defined(MADV_HUGEPAGE) && defined(__linux__)
/* The mode a THP control file selects ("always", "inherit", "madvise", "never"
 * in brackets): 'a', 'i', 'm', 'n', or 0 when the file cannot be read. */
static char thp_mode(const char *path)
{
    char text[128] = {0};
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return 0;
    }
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *open = strchr(text, '[');
    return open != NULL && strchr("aimn", open[1]) != NULL ? open[1] : 0;
}
#endif

size_t bmx__huge_page_size(void)
{
#if defined(MADV_HUGEPAGE) && defined(__linux__)
#if defined(PR_GET_THP_DISABLE)
    /* Not for a process that had them turned off (prctl PR_SET_THP_DISABLE). */
    if (prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1) {
        return 0;
    }
#endif
    unsigned long long size = 0;
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "re");
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
    /* That size's own control where the kernel has one (Linux 6.8 on), else or
     * when it says "inherit" the global one; "always" or "madvise" gives them. */
    char path[96];
    snprintf(path, sizeof path, "/sys/kernel/mm/transparent_hugepage/hugepages-%llukB/enabled",
             size / 1024);
    char mode = thp_mode(path);
    if (mode == 0 || mode == 'i') {
        mode = thp_mode("/sys/kernel/mm/transparent_hugepage/enabled");
    }
    return mode == 'a' || mode == 'm' ? (size_t)size : 0;
#else
    return 0;
#endif
}

size_t bmx__huge_size(size_t len, size_t huge)
{
    if (huge == 0 || len < BMX__HUGE_MIN || len > SIZE_MAX - (huge - 1)) {
        return 0;
    }
    return (len + huge - 1) / huge * huge;
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
