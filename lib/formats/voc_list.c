/* SPDX-License-Identifier: MIT */
/* Pascal VOC file lists: the growing list of owned strings, and which XML files
 * a read takes: the ids of an ImageSets/Main split, or every regular *.xml file
 * of Annotations/ sorted by name (the order the reader and the checker share). */
#include "voc_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

bool bmx__voc_file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int bmx__strlist_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool bmx__strlist_push(struct bmx__strlist *l, char *s)
{
    if (s == NULL) {
        return false;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **v = bmx__realloc_array(l->v, cap, sizeof *v);
        if (v == NULL) {
            free(s);
            return false;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return true;
}

void bmx__strlist_free(struct bmx__strlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i]);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

bool bmx__voc_has_xml_ext(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".xml") == 0;
}

/* The XML files to read: the split's ids, or every *.xml of Annotations/ sorted. */
bmx_status bmx__voc_list_files(const char *dir, const char *split, struct bmx__strlist *out,
                               bmx_error *err)
{
    bmx_status st = BMX_OK;
    char *ann = bmx__path_join(dir, "Annotations");
    char *split_path = NULL, *buf = NULL;
    if (ann == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    if (split != NULL) {
        if (split[0] == '\0' || strchr(split, '/') != NULL) {
            st = bmx__fail(err, BMX_E_INVALID, "split: '%s' is not a split name", split);
            goto done;
        }
        char rel[300];
        int n = snprintf(rel, sizeof rel, "ImageSets/Main/%s.txt", split);
        if (n < 0 || (size_t)n >= sizeof rel) {
            st = bmx__fail(err, BMX_E_INVALID, "split: name too long");
            goto done;
        }
        split_path = bmx__path_join(dir, rel);
        size_t len;
        if (split_path == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        st = bmx__read_file(split_path, &buf, &len, err);
        if (st != BMX_OK) {
            goto done;
        }
        size_t line_no = 0;
        for (char *line = buf; line != NULL && *line != '\0';) {
            char *nl = strchr(line, '\n');
            if (nl != NULL) {
                *nl = '\0';
            }
            line_no++;
            /* The first field: class files (aeroplane_train.txt) add " 1" / "-1". */
            char *id = bmx__voc_trim(line);
            size_t idn = strcspn(id, " \t");
            id[idn] = '\0';
            line = nl != NULL ? nl + 1 : NULL;
            if (*id == '\0') {
                continue;
            }
            if (strchr(id, '/') != NULL || strcmp(id, "..") == 0 || strcmp(id, ".") == 0) {
                st = bmx__fail(err, BMX_E_SCHEMA, "%s: line %zu: '%s' is not an image id", split_path,
                               line_no, id);
                goto done;
            }
            char file[512];
            n = snprintf(file, sizeof file, "%s.xml", id);
            if (n < 0 || (size_t)n >= sizeof file) {
                st = bmx__fail(err, BMX_E_SCHEMA, "%s: line %zu: id too long", split_path, line_no);
                goto done;
            }
            if (!bmx__strlist_push(out, bmx__path_join(ann, file))) {
                st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
                goto done;
            }
        }
        goto done;
    }
    st = bmx__voc_list_xml(ann, out, err);
done:
    free(buf);
    free(split_path);
    free(ann);
    return st;
}

bmx_status bmx__voc_list_xml(const char *ann_dir, struct bmx__strlist *out, bmx_error *err)
{
    bmx_status st = BMX_OK;
    DIR *dh = opendir(ann_dir);
    if (dh == NULL) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open folder: %s", ann_dir, strerror(errno));
    }
    size_t first = out->n;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        if (de->d_name[0] == '.' || !bmx__voc_has_xml_ext(de->d_name)) {
            continue;
        }
        char *full = bmx__path_join(ann_dir, de->d_name);
        if (full != NULL && !bmx__voc_file_exists(full)) {
            free(full);
            continue;
        }
        if (!bmx__strlist_push(out, full)) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
    }
    if (out->n > first) {
        qsort(out->v + first, out->n - first, sizeof *out->v, bmx__strlist_cmp);
    }
done:
    closedir(dh);
    return st;
}
