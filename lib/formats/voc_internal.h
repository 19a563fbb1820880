/* SPDX-License-Identifier: MIT */
/* Internal to lib/formats' Pascal VOC files: what the XML text helpers, the
 * parser, the reader, the writer and the name and list helpers share with each
 * other. What the job runner and the checker reach is in voc.h. */
#ifndef BMX_VOC_INTERNAL_H
#define BMX_VOC_INTERNAL_H

#include "voc.h"

/* XML text (voc_xml.c). */

/* XML white space: space, tab, newline, carriage return. */
bool bmx__voc_is_blank(char c);

/* Trim blanks in place; returns the start inside `s`. */
char *bmx__voc_trim(char *s);

/* Append `s` (n bytes) escaped for element text (attr = false) or a double-quoted
 * attribute. Returns false on a control character XML 1.0 cannot carry. */
bool bmx__voc_put_escaped(struct bmx__buf *b, const char *s, size_t n, bool attr);

/* Two spaces per level. */
void bmx__voc_put_indent(struct bmx__buf *b, int level);

/* A serializer of element events: compact (for storing) or indented two spaces
 * per level (for writing). Blank text runs are dropped. */
enum { EV_NONE, EV_START, EV_END, EV_TEXT };

struct xml_out {
    struct bmx__buf *b;
    bool pretty;
    int base;  /* indent level of top-level elements */
    int depth; /* open elements */
    int last;
    bool bad_char;
    struct bmx__buf text; /* pending text run */
};

void bmx__voc_out_start(struct xml_out *o, const char *name, const char **atts);
void bmx__voc_out_end(struct xml_out *o, const char *name);
void bmx__voc_out_text(struct xml_out *o, const char *s, int len);

/* Names (voc_names.c). */

/* The file name without folders and without its last extension (malloc'd). */
char *bmx__voc_stem_of(const char *path);

/* File lists (voc_list.c). */

/* Whether `path` is a regular file (symlinks followed). */
bool bmx__voc_file_exists(const char *path);

/* The XML files to read: the split's ids, or every *.xml of Annotations/ sorted. */
bmx_status bmx__voc_list_files(const char *dir, const char *split, struct bmx__strlist *out,
                               bmx_error *err);

/* Per-file records and their parsing (voc_parse.c). */

struct vobj {
    char *name;
    char *pose;
    unsigned long line;
    double v[4]; /* xmin ymin xmax ymax */
    bool has_v[4];
    bool has_bndbox;
    int truncated, difficult, occluded;
    bool has_truncated, has_difficult, has_occluded;
    struct bmx__buf unknown; /* voc_extra */
    cJSON *boxmix;
};

struct vfile {
    char *path; /* the XML file, for messages */
    char *filename;
    char *folder;
    int32_t width, height; /* 0: unknown */
    unsigned long size_line;
    int depth;
    bool has_depth;
    int segmented;
    bool has_segmented;
    struct bmx__buf unknown;
    cJSON *boxmix;
    struct vobj *objs;
    size_t n_objs, cap_objs;
};

/* Free what `f` holds and zero it; NULL is accepted. */
void bmx__voc_vfile_free(struct vfile *f);

/* Record what went wrong for the checker (first problem only). `rep` may be NULL. */
void bmx__voc_set_fault(struct bmx__voc_report *rep, enum bmx__voc_fault fault, const char *path,
                        unsigned long line, const char *detail);

/* Parse one XML file into `f` (its path already set). `rep` may be NULL. */
bmx_status bmx__voc_parse_file(struct vfile *f, struct bmx__voc_report *rep, bmx_error *err);

#endif
