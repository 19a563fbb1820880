/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the fuzz targets: a cursor over the input bytes, a
 * scratch file, and a check that stops the run loudly when a property of the
 * library fails. */
#ifndef BMX_FUZZ_H
#define BMX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads fixed-size values from the front of the input; past the end, zeros. */
struct fz_cursor {
    const uint8_t *p;
    size_t left;
};

static inline uint8_t fz_u8(struct fz_cursor *c)
{
    if (c->left == 0) {
        return 0;
    }
    c->left--;
    return *c->p++;
}

static inline uint16_t fz_u16(struct fz_cursor *c)
{
    uint16_t hi = fz_u8(c);
    return (uint16_t)(hi << 8 | fz_u8(c));
}

static inline uint32_t fz_u32(struct fz_cursor *c)
{
    uint32_t hi = fz_u16(c);
    return hi << 16 | fz_u16(c);
}

static inline int16_t fz_i16(struct fz_cursor *c)
{
    uint16_t u = fz_u16(c);
    int16_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* Any 64-bit pattern, NaN and infinities included. */
static inline double fz_f64(struct fz_cursor *c)
{
    uint64_t u = (uint64_t)fz_u32(c) << 32;
    u |= fz_u32(c);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* A 64-bit FNV-1a hash of the input, to seed generators and pick options. */
static inline uint64_t fz_hash(const uint8_t *data, size_t size)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < size; i++) {
        h = (h ^ data[i]) * 1099511628211ull;
    }
    return h;
}

/* A private scratch folder, made once per process (in /dev/shm when it is
 * writable, else /tmp) and removed at exit with the one file in it. */
struct fz_scratch {
    char dir[128];
    char path[256];
};

static inline struct fz_scratch *fz_scratch_state(void)
{
    static struct fz_scratch s;
    return &s;
}

static inline void fz_scratch_remove(void)
{
    struct fz_scratch *s = fz_scratch_state();
    remove(s->path);
    rmdir(s->dir);
}

/* The path of the file `name` in the target's scratch folder (bmx_fuzz_<tag>.*),
 * or NULL when the folder cannot be made. */
static inline const char *fz_scratch_file(const char *tag, const char *name)
{
    struct fz_scratch *s = fz_scratch_state();
    if (s->path[0] == '\0') {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        /* Both names are laid out from the template first, so that neither can be
         * cut short; mkdtemp then fills in the same number of characters. */
        int nd = snprintf(s->dir, sizeof s->dir, "%s/bmx_fuzz_%s.XXXXXX", base, tag);
        int np = snprintf(s->path, sizeof s->path, "%s/%s", s->dir, name);
        if (nd < 0 || (size_t)nd >= sizeof s->dir || np < 0 || (size_t)np >= sizeof s->path ||
            mkdtemp(s->dir) == NULL) {
            s->path[0] = '\0';
            return NULL;
        }
        memcpy(s->path, s->dir, (size_t)nd);
        atexit(fz_scratch_remove);
    }
    return s->path;
}

/* A property the library promises failed: report and abort so the fuzzer keeps
 * the input. */
#define FZ_CHECK(cond)                                                                   \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

#endif
