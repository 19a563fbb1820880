/* SPDX-License-Identifier: MIT */
/* decode_count: a test hook preloaded into a tool (LD_PRELOAD): it counts the
 * JPEG images the tool decodes through TurboJPEG (calls of tjDecompress2, which
 * it passes on to the real one) and, when the process exits, writes the count to
 * the file named by $BMX_TEST_DECODE_COUNT. tests/e2e_memory.py and tests/bench.py
 * use it to check that each input is decoded once. Not part of the library. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

typedef int (*decompress_fn)(tjhandle, const unsigned char *, unsigned long, unsigned char *, int,
                             int, int, int, int);

/* One counter per process, as the hook is. */
static atomic_ulong decodes;

int tjDecompress2(tjhandle handle, const unsigned char *jpeg_buf, unsigned long jpeg_size,
                  unsigned char *dst_buf, int width, int pitch, int height, int pixel_format,
                  int flags)
{
    void *sym = dlsym(RTLD_NEXT, "tjDecompress2");
    decompress_fn real;
    if (sym == NULL) {
        fprintf(stderr, "decode_count: tjDecompress2 not found: %s\n", dlerror());
        abort();
    }
    /* POSIX makes a symbol's address a function pointer; ISO C cannot cast it. */
    memcpy(&real, &sym, sizeof real);
    atomic_fetch_add(&decodes, 1);
    return real(handle, jpeg_buf, jpeg_size, dst_buf, width, pitch, height, pixel_format, flags);
}

__attribute__((destructor)) static void write_count(void)
{
    const char *path = getenv("BMX_TEST_DECODE_COUNT");
    if (path == NULL) {
        return;
    }
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return;
    }
    fprintf(f, "%lu\n", (unsigned long)atomic_load(&decodes));
    fclose(f);
}
