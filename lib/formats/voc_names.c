/* SPDX-License-Identifier: MIT */
/* Pascal VOC names: the stem of a file name, the unique Annotations/ stem of
 * every image of a dataset (the file it is written to and its ImageSets line),
 * and the image folder a VOC input is read against (JPEGImages beside
 * Annotations unless the caller names one). */
#include "voc_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The file name without folders and without its last extension (malloc'd). */
char *bmx__voc_stem_of(const char *path)
{
    const char *b = bmx__base_name(path);
    const char *dot = strrchr(b, '.');
    size_t n = (dot != NULL && dot != b) ? (size_t)(dot - b) : strlen(b);
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, b, n);
        s[n] = '\0';
    }
    return s;
}

char *bmx__voc_default_images_dir(const char *path, bool is_dir)
{
    if (is_dir) {
        return bmx__path_join(path, "JPEGImages");
    }
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        return strdup("../JPEGImages");
    }
    size_t n = (size_t)(slash - path) + 1;
    char *dir = malloc(n + 1);
    if (dir == NULL) {
        return NULL;
    }
    memcpy(dir, path, n);
    dir[n] = '\0';
    char *r = bmx__path_join(dir, "../JPEGImages");
    free(dir);
    return r;
}

char *bmx__voc_images_root(const char *voc, const char *images)
{
    if (images != NULL) {
        return strdup(images);
    }
    struct stat sb;
    return bmx__voc_default_images_dir(voc, stat(voc, &sb) == 0 && S_ISDIR(sb.st_mode));
}

struct stem_sort {
    char **stems;
    size_t idx;
};

static int cmp_stem_entry(const void *a, const void *b)
{
    const struct stem_sort *x = a, *y = b;
    int c = strcmp(x->stems[x->idx], y->stems[y->idx]);
    if (c != 0) {
        return c;
    }
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

bmx_status bmx__voc_stems(const bmx_dataset *ds, char ***out, bmx_error *err)
{
    return bmx__voc_stems_of(ds->name, ds->images, ds->n_images, out, err);
}

bmx_status bmx__voc_stems_of(const char *name, const struct bmx_image_info *images, size_t n,
                             char ***out, bmx_error *err)
{
    bmx_status st = BMX_OK;
    char **stems = calloc(n ? n : 1, sizeof *stems);
    struct stem_sort *order = calloc(n ? n : 1, sizeof *order);
    if (stems == NULL || order == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const char *fn = images[i].file_name;
        stems[i] = bmx__voc_stem_of(fn);
        if (stems[i] == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        const char *s = stems[i];
        bool bad = s[0] == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
        for (; *s && !bad; s++) {
            bad = (unsigned char)*s < 0x20;
        }
        if (bad) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: images[%zu].file_name: '%s' gives no usable VOC image id", name, i,
                           fn);
            goto done;
        }
        order[i] = (struct stem_sort){stems, i};
    }
    if (n > 0) {
        qsort(order, n, sizeof *order, cmp_stem_entry);
    }
    for (size_t k = 1; k < n; k++) {
        if (strcmp(stems[order[k - 1].idx], stems[order[k].idx]) == 0) {
            size_t a = order[k - 1].idx, b = order[k].idx;
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: images[%zu].file_name '%s' and images[%zu].file_name '%s' both "
                           "give Annotations/%s.xml",
                           name, a, images[a].file_name, b, images[b].file_name, stems[a]);
            goto done;
        }
    }
    *out = stems;
    stems = NULL;
done:
    for (size_t i = 0; stems != NULL && i < n; i++) {
        free(stems[i]);
    }
    free(stems);
    free(order);
    return st;
}

void bmx__voc_free_stems(char **stems, size_t n)
{
    for (size_t i = 0; stems != NULL && i < n; i++) {
        free(stems[i]);
    }
    free(stems);
}
