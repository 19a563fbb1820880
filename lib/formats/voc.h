/* SPDX-License-Identifier: MIT */
/* Internal: Pascal VOC helpers that lib/run (convert, the jobs, the checker) reaches.
 * What only the VOC files of lib/formats share with each other is in voc_internal.h. */
#ifndef BMX_VOC_H
#define BMX_VOC_H

#include "coco.h"


/* The image folder of a VOC input: <path>/JPEGImages for a folder, or for one XML
 * file <its folder>/../JPEGImages. malloc'd; NULL when out of memory. */
char *bmx__voc_default_images_dir(const char *path, bool is_dir);

/* The image folder a job reads VOC input `voc` against: a copy of `images` when
 * given, else the default above. malloc'd; NULL when out of memory. */
char *bmx__voc_images_root(const char *voc, const char *images);

/* The Annotations/ stem of every image of `ds` (file_name without folders and
 * extension): unique, usable as a file name and as a line of an ImageSets list.
 * `*out` holds ds->n_images malloc'd strings (free with bmx__voc_free_stems). */
bmx_status bmx__voc_stems(const bmx_dataset *ds, char ***out, bmx_error *err);
void bmx__voc_free_stems(char **stems, size_t n);

/* The same for the image records `images` (n of them); `name` in messages. */
bmx_status bmx__voc_stems_of(const char *name, const struct bmx_image_info *images, size_t n,
                             char ***out, bmx_error *err);

/* Write `ds` as VOC below the folder `dir` (`shown` in messages): every
 * Annotations/<stem>.xml, then ImageSets/Main/trainval.txt; no symlink followed;
 * stops between files once `cancel` (may be NULL) is set. */
bmx_status bmx__voc_write_at(const bmx_dataset *ds, int dir, const char *shown,
                             volatile const int *cancel, bmx_error *err);

/* What bmx__voc_write_records writes: image records and their objects, grouped by
 * image as a dataset holds them, the category names of `cats_of`. The <boxmix>
 * element of image i and of object k is image_boxmix[i] and object_boxmix[k] (a
 * JSON object) when the array is given and the entry is not NULL, else the
 * record's own "boxmix" field, if any. `name` names the dataset in messages. */
struct bmx__voc_records {
    const char *name;
    const bmx_dataset *cats_of;
    size_t n_images;
    const struct bmx_image_info *images;
    const size_t *img_first, *img_count;
    const struct bmx_object *objects;
    cJSON *const *image_boxmix;
    cJSON *const *object_boxmix;
};

/* bmx__voc_write_at on records that need not be a dataset: what a job made. */
bmx_status bmx__voc_write_records(const struct bmx__voc_records *recs, int dir, const char *shown,
                                  volatile const int *cancel, bmx_error *err);

/* Whether a file name ends in .xml (any case). */
bool bmx__voc_has_xml_ext(const char *name);

/* A growing list of owned strings. */
struct bmx__strlist {
    char **v;
    size_t n, cap;
};

/* Take `s` (malloc'd; NULL means out of memory and fails) into the list. */
bool bmx__strlist_push(struct bmx__strlist *l, char *s);
void bmx__strlist_free(struct bmx__strlist *l);
/* strcmp for qsort/bsearch over arrays of `char *`. */
int bmx__strlist_cmp(const void *a, const void *b);

/* Every regular file named *.xml (any case, not hidden) in folder `ann_dir`, as
 * full paths sorted by name: the order the reader and the checker take them in. */
bmx_status bmx__voc_list_xml(const char *ann_dir, struct bmx__strlist *out, bmx_error *err);

/* What went wrong reading one VOC XML file, for the dataset checker: the strict
 * reader stops at a file's first problem, and this says which kind it was and
 * which element it concerns, so that the checker need not parse messages. */
enum bmx__voc_fault {
    BMX__VOC_OK = 0,
    BMX__VOC_IO,              /* the file cannot be opened or read */
    BMX__VOC_TOO_LARGE,       /* over BMX_VOC_MAX_FILE_BYTES */
    BMX__VOC_SYNTAX,          /* not well-formed XML */
    BMX__VOC_TOO_DEEP,        /* nested deeper than BMX_VOC_MAX_DEPTH */
    BMX__VOC_ENTITY,          /* an entity declaration (refused) */
    BMX__VOC_WRONG_ROOT,      /* the root element is not <annotation> */
    BMX__VOC_MISSING,         /* a required element is missing or empty */
    BMX__VOC_BAD_VALUE,       /* an element's text is not a valid value */
    BMX__VOC_BOX_INVERTED,    /* xmax < xmin or ymax < ymin */
    BMX__VOC_BOX_OUTSIDE,     /* a box coordinate outside 1..width / 1..height */
    BMX__VOC_SIZE_UNKNOWN,    /* no <size> and the image size cannot be read */
    BMX__VOC_IMAGE_TOO_LARGE, /* <size> over the pixel limit */
    BMX__VOC_OTHER            /* out of memory and the like */
};

/* bmx_dataset_read_voc without its default image-size reader: an XML without
 * <size> needs opts->image_size (the run layer passes the image codec's). */
bmx_status bmx__voc_read(const char *path, const struct bmx_voc_options *opts, bmx_dataset **out,
                         bmx_error *err);

/* The outcome of bmx__voc_read_one beyond its status. */
struct bmx__voc_report {
    enum bmx__voc_fault fault;
    char path[160];       /* element path ("annotation/object[2]/bndbox/xmax"),
                             "" for the document as a whole */
    unsigned long line;   /* XML line of the problem, 0 when none applies */
    char detail[1024];    /* what is wrong, without file, path and line */
    bool filename_replaced;  /* <filename> named no image; the one named after
                                the XML was taken instead */
    char given_filename[256]; /* <filename> as written (cut when longer) */
};

/* bmx_dataset_read_voc on one XML file, filling `report` (required) on failure
 * and with what the reader quietly fixed. Messages and results are exactly
 * those of bmx_dataset_read_voc. */
bmx_status bmx__voc_read_one(const char *xml_path, const struct bmx_voc_options *opts,
                             bmx_dataset **out, struct bmx__voc_report *report, bmx_error *err);

#endif
