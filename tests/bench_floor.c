/* SPDX-License-Identifier: MIT */
/* bench_floor: the codec floor of a JPEG-to-JPEG augmentation pass.
 *
 *   bench_floor [--quality Q] [--encodes K] [--encode-size S] [--accurate-dct | --transcode]
 *               IMAGE_DIR OUT_DIR
 *
 * Decodes every *.jpg / *.jpeg of IMAGE_DIR once to RGB with TurboJPEG and encodes one
 * JPEG per input (quality Q, default 90, 4:2:0) into OUT_DIR under the same name, on
 * one thread, with no other work: any tool that reads and writes those images does at
 * least this much. --encodes K encodes K JPEGs per decoded input (NAME, then NAME.1.jpg
 * to NAME.K-1.jpg): the floor of a tool that makes K outputs per input and decodes each
 * input once. --accurate-dct asks TurboJPEG for the accurate DCT both ways (its
 * default is the fast one for encoding). --encode-size S encodes an S x S image per
 * output instead of the input's size: the input tiled (pixel (x, y) is the input's
 * (x mod w, y mod h), rows copied), the floor of an operation whose outputs have
 * another size than its inputs (Mosaic: S x S from inputs mostly smaller).
 *
 * --transcode instead rewrites each input's own DCT coefficients into a new JPEG
 * (TurboJPEG's lossless transform, no operation): the entropy decoding and encoding
 * alone, the part of the floor no JPEG writer escapes even if it never touched a
 * pixel (blocks copied in the DCT domain). It is a lower bound, not a way to
 * augment: the output keeps the input's quantization (one per input only). Prints "N
 * images" on success.
 * Benchmark helper, not part of the library. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

static const char *prog = "bench_floor";

/* A buffer reused from image to image, grown when needed. */
struct buf {
    unsigned char *p;
    size_t cap;
};

static bool buf_reserve(struct buf *b, size_t n)
{
    if (n <= b->cap) {
        return true;
    }
    unsigned char *p = realloc(b->p, n);
    if (p == NULL) {
        return false;
    }
    b->p = p;
    b->cap = n;
    return true;
}

static bool is_jpeg_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && strcmp(name + n - 4, ".jpg") == 0) ||
           (n > 5 && strcmp(name + n - 5, ".jpeg") == 0);
}

static int select_jpeg(const struct dirent *e)
{
    return is_jpeg_name(e->d_name);
}

/* Reads the whole file into b; returns its length in *len. */
static bool read_file(const char *path, struct buf *b, size_t *len)
{
    bool ok = false;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return false;
    }
    if (fseek(f, 0, SEEK_END) != 0) {
        goto cleanup;
    }
    long size = ftell(f);
    if (size <= 0 || fseek(f, 0, SEEK_SET) != 0 || !buf_reserve(b, (size_t)size)) {
        goto cleanup;
    }
    if (fread(b->p, 1, (size_t)size, f) != (size_t)size) {
        goto cleanup;
    }
    *len = (size_t)size;
    ok = true;

cleanup:
    fclose(f);
    return ok;
}

static bool write_file(const char *path, const unsigned char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return false;
    }
    bool ok = fwrite(data, 1, len, f) == len;
    if (fclose(f) != 0) {
        ok = false;
    }
    return ok;
}

static int run(const char *in_dir, const char *out_dir, int quality, int encodes, int flags,
               bool transcode, int size)
{
    int status = 1;
    struct dirent **names = NULL;
    int nnames = 0;
    tjhandle dec = NULL, enc = NULL;
    struct buf in = {0}, px = {0}, sq = {0};
    unsigned char *jpeg = NULL;
    unsigned long jpeg_len = 0;
    char path[4096];

    nnames = scandir(in_dir, &names, select_jpeg, alphasort);
    if (nnames < 0) {
        nnames = 0;
        fprintf(stderr, "%s: %s: %s\n", prog, in_dir, strerror(errno));
        goto cleanup;
    }
    dec = transcode ? tjInitTransform() : tjInitDecompress();
    enc = tjInitCompress();
    if (dec == NULL || enc == NULL) {
        fprintf(stderr, "%s: %s\n", prog, tjGetErrorStr2(NULL));
        goto cleanup;
    }
    for (int i = 0; i < nnames; i++) {
        const char *name = names[i]->d_name;
        size_t len = 0, npx;
        int w = 0, h = 0, subsamp, colorspace;
        snprintf(path, sizeof path, "%s/%s", in_dir, name);
        if (!read_file(path, &in, &len)) {
            fprintf(stderr, "%s: %s: cannot read\n", prog, path);
            goto cleanup;
        }
        if (transcode) {
            tjtransform xf;
            memset(&xf, 0, sizeof xf);
            xf.op = TJXOP_NONE;
            tjFree(jpeg);
            jpeg = NULL;
            if (tjTransform(dec, in.p, (unsigned long)len, 1, &jpeg, &jpeg_len, &xf, 0) != 0) {
                fprintf(stderr, "%s: %s: %s\n", prog, path, tjGetErrorStr2(dec));
                goto cleanup;
            }
        } else {
            if (tjDecompressHeader3(dec, in.p, (unsigned long)len, &w, &h, &subsamp,
                                    &colorspace) != 0) {
                fprintf(stderr, "%s: %s: %s\n", prog, path, tjGetErrorStr2(dec));
                goto cleanup;
            }
            if (w <= 0 || h <= 0 || (size_t)w > SIZE_MAX / 3 / (size_t)h) {
                fprintf(stderr, "%s: %s: image too large\n", prog, path);
                goto cleanup;
            }
            npx = (size_t)w * (size_t)h * 3;
            if (!buf_reserve(&px, npx)) {
                fprintf(stderr, "%s: %s: out of memory\n", prog, path);
                goto cleanup;
            }
            if (tjDecompress2(dec, in.p, (unsigned long)len, px.p, w, 0, h, TJPF_RGB, flags) !=
                0) {
                fprintf(stderr, "%s: %s: %s\n", prog, path, tjGetErrorStr2(dec));
                goto cleanup;
            }
        }
        const unsigned char *src = px.p;
        int ew = w, eh = h;
        if (!transcode && size > 0) {
            const size_t row = (size_t)size * 3;
            if (!buf_reserve(&sq, row * (size_t)size)) {
                fprintf(stderr, "%s: out of memory\n", prog);
                goto cleanup;
            }
            for (int y = 0; y < size; y++) {
                const unsigned char *r = px.p + (size_t)(y % h) * (size_t)w * 3;
                unsigned char *d = sq.p + (size_t)y * row;
                for (size_t x = 0; x < row;) {
                    size_t take = (size_t)w * 3 < row - x ? (size_t)w * 3 : row - x;
                    memcpy(d + x, r, take);
                    x += take;
                }
            }
            src = sq.p;
            ew = eh = size;
        }
        for (int e = 0; e < (transcode ? 1 : encodes); e++) {
            /* TurboJPEG allocates (or grows) the output buffer itself */
            if (!transcode && tjCompress2(enc, src, ew, 0, eh, TJPF_RGB, &jpeg, &jpeg_len,
                                          TJSAMP_420, quality, flags) != 0) {
                fprintf(stderr, "%s: %s: %s\n", prog, path, tjGetErrorStr2(enc));
                goto cleanup;
            }
            if (e == 0) {
                snprintf(path, sizeof path, "%s/%s", out_dir, name);
            } else {
                snprintf(path, sizeof path, "%s/%s.%d.jpg", out_dir, name, e);
            }
            if (!write_file(path, jpeg, jpeg_len)) {
                fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
                goto cleanup;
            }
        }
    }
    printf("%d images\n", nnames);
    status = fflush(stdout) == 0 ? 0 : 1;

cleanup:
    for (int i = 0; i < nnames; i++) {
        free(names[i]);
    }
    free(names);
    tjFree(jpeg);
    free(in.p);
    free(px.p);
    free(sq.p);
    if (dec != NULL) {
        tjDestroy(dec);
    }
    if (enc != NULL) {
        tjDestroy(enc);
    }
    return status;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: %s [--quality Q] [--encodes K] [--encode-size S] [--accurate-dct | "
            "--transcode] IMAGE_DIR OUT_DIR\n",
            prog);
    return 2;
}

int main(int argc, char **argv)
{
    int quality = 90, encodes = 1, flags = 0, i = 1, size = 0;
    bool transcode = false;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--quality") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            long q = strtol(argv[++i], &end, 10);
            if (errno != 0 || *end != '\0' || end == argv[i] || q < 1 || q > 100) {
                return usage();
            }
            quality = (int)q;
        } else if (strcmp(argv[i], "--encodes") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            long k = strtol(argv[++i], &end, 10);
            if (errno != 0 || *end != '\0' || end == argv[i] || k < 1 || k > 1000) {
                return usage();
            }
            encodes = (int)k;
        } else if (strcmp(argv[i], "--encode-size") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            long v = strtol(argv[++i], &end, 10);
            if (errno != 0 || *end != '\0' || end == argv[i] || v < 1 || v > 16384) {
                return usage();
            }
            size = (int)v;
        } else if (strcmp(argv[i], "--accurate-dct") == 0) {
            flags |= TJFLAG_ACCURATEDCT;
        } else if (strcmp(argv[i], "--transcode") == 0) {
            transcode = true;
        } else {
            return usage();
        }
    }
    if (argc - i != 2 || (transcode && (flags != 0 || encodes != 1 || size != 0))) {
        return usage();
    }
    return run(argv[i], argv[i + 1], quality, encodes, flags, transcode, size);
}
