/* SPDX-License-Identifier: MIT */
/* Label lists (bmx_labels_*): a text file with one category name per line,
 * blank lines skipped, a name listed twice refused. The VOC reader takes its
 * category ids from the list's order. */
#include "voc_internal.h"

#include <stdlib.h>
#include <string.h>

void bmx_labels_free(struct bmx_labels *labels)
{
    if (labels == NULL) {
        return;
    }
    for (size_t i = 0; i < labels->count; i++) {
        free(labels->names[i]);
    }
    free(labels->names);
    memset(labels, 0, sizeof *labels);
}

bmx_status bmx_labels_read(const char *path, struct bmx_labels *out, bmx_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    bmx_status st = bmx__read_file(path, &buf, &len, err);
    if (st != BMX_OK) {
        return st;
    }
    size_t cap = 0, line_no = 0;
    char *line = buf;
    while (line != NULL && *line != '\0') {
        char *nl = strchr(line, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        line_no++;
        char *name = bmx__voc_trim(line);
        line = nl != NULL ? nl + 1 : NULL;
        if (*name == '\0') {
            continue;
        }
        for (size_t i = 0; i < out->count; i++) {
            if (strcmp(out->names[i], name) == 0) {
                st = bmx__fail(err, BMX_E_SCHEMA, "%s: line %zu: '%s' is listed twice (also label %zu)",
                               path, line_no, name, i + 1);
                goto done;
            }
        }
        if (out->count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **n = bmx__realloc_array(out->names, ncap, sizeof *n);
            if (n == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
                goto done;
            }
            out->names = n;
            cap = ncap;
        }
        if ((out->names[out->count] = strdup(name)) == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
            goto done;
        }
        out->count++;
    }
    if (out->count == 0) {
        st = bmx__fail(err, BMX_E_SCHEMA, "%s: no label names (one name per line)", path);
    }
done:
    if (st != BMX_OK) {
        bmx_labels_free(out);
    }
    free(buf);
    return st;
}
