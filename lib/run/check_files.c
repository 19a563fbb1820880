/* SPDX-License-Identifier: MIT */
/* The image file checks: the file a record (COCO) or an XML file (VOC) names
 * exists under the image folder, is a regular readable file, has the size the
 * record says in its header, and with `decode` decodes within the limits. */
#include "check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PROBE_BYTES 65536

/* Read up to `limit` bytes (SIZE_MAX: all) of `f` into the scratch buffer. */
static bool read_into(struct checker *c, FILE *f, size_t size, size_t *got)
{
    if (size + 1 > c->file_cap) {
        char *p = realloc(c->file_buf, size + 1);
        if (p == NULL) {
            c->nomem = true;
            return false;
        }
        c->file_buf = p;
        c->file_cap = size + 1;
    }
    *got = size > 0 ? fread(c->file_buf, 1, size, f) : 0;
    return *got == size;
}

/* Check one image file: it exists, it is a regular readable file, its header
 * names the size the record says (and with `decode`, it decodes). The path is the
 * record's file_name. */
void bmx__check_image_file(struct checker *c, const char *name,
                           const struct bmx__coco_image_rec *rec)
{
    const char *root = c->image_root;
    size_t lr = strlen(root), ln = strlen(name), total;
    char *full = NULL;
    FILE *f = NULL;
    bmx_error err = {0};
    if (!bmx__add_size(lr, ln, &total) || !bmx__add_size(total, 2, &total) ||
        (full = malloc(total)) == NULL) {
        c->nomem = true;
        goto done;
    }
    snprintf(full, total, "%s%s%s", root, lr > 0 && root[lr - 1] != '/' ? "/" : "", name);
    c->sum.image_files++;
    f = bmx__open_regular(full, &err);
    if (f == NULL && err.message[0] != '\0' && strstr(err.message, "not a regular file") != NULL) {
        bmx__check_problem(c, SEV_ERROR, "image-unreadable", "%s: not a regular file", full);
        goto done;
    }
    if (f == NULL) {
        if (errno == ENOENT || errno == ENOTDIR) {
            bmx__check_problem(c, SEV_ERROR, "image-missing", "%s: no such file", full);
        } else {
            bmx__check_problem(c, SEV_ERROR, "image-unreadable", "%s: cannot open: %s", full,
                               strerror(errno));
        }
        goto done;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        bmx__check_problem(c, SEV_ERROR, "image-unreadable", "%s: not a regular file", full);
        goto done;
    }
    size_t size = (size_t)sb.st_size;
    size_t got;
    /* The header is near the start: read a prefix first, and the whole file only
     * when decoding or when the prefix was not enough (a JPEG with large APP
     * segments before its frame header). */
    bool whole = c->opts->decode || size <= PROBE_BYTES;
    if (!read_into(c, f, whole ? size : PROBE_BYTES, &got)) {
        if (!c->nomem) {
            bmx__check_problem(c, SEV_ERROR, "image-unreadable", "%s: read error", full);
        }
        goto done;
    }
    int32_t w = 0, h = 0;
    bmx_status st = bmx_image_probe((const uint8_t *)c->file_buf, got, &w, &h, &err);
    if (st != BMX_OK && !whole) {
        whole = true;
        rewind(f);
        if (!read_into(c, f, size, &got)) {
            if (!c->nomem) {
                bmx__check_problem(c, SEV_ERROR, "image-unreadable", "%s: read error", full);
            }
            goto done;
        }
        st = bmx_image_probe((const uint8_t *)c->file_buf, got, &w, &h, &err);
    }
    if (st == BMX_E_NOMEM) {
        c->nomem = true;
        goto done;
    }
    if (st != BMX_OK) {
        bmx__check_problem(c, SEV_ERROR, "image-undecodable", "%s: %s", full, err.message);
        goto done;
    }
    if (rec->dims_ok && (w != rec->w || h != rec->h)) {
        bmx__check_problem(c, SEV_ERROR, "image-size-mismatch",
                           "%s is %" PRId32 "x%" PRId32 ", %s %" PRId32 "x%" PRId32, full, w, h,
                           c->voc ? "<size> says" : "the record says", rec->w, rec->h);
        goto done;
    }
    if (c->opts->decode) {
        struct bmx_image img = {0};
        st = bmx_image_decode((const uint8_t *)c->file_buf, got, &c->opts->limits, &img, &err);
        bmx_image_free(&img);
        if (st == BMX_E_NOMEM) {
            c->nomem = true;
        } else if (st == BMX_E_LIMIT) {
            bmx__check_problem(c, SEV_ERROR, "image-too-large", "%s: %s", full, err.message);
        } else if (st != BMX_OK) {
            bmx__check_problem(c, SEV_ERROR, "image-undecodable", "%s: %s", full, err.message);
        }
    }
done:
    if (f != NULL) {
        fclose(f);
    }
    free(full);
}
