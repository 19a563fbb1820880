/* Internal: Pascal VOC helpers shared by lib/voc.c and lib/convert.c. */
#ifndef BMX_VOC_H
#define BMX_VOC_H

#include "dataset.h"


/* The image folder of a VOC input: <path>/JPEGImages for a folder, or for one XML
 * file <its folder>/../JPEGImages. malloc'd; NULL when out of memory. */
char *bmx__voc_default_images_dir(const char *path, bool is_dir);

/* The Annotations/ stem of every image of `ds` (file_name without folders and
 * extension): unique, usable as a file name and as a line of an ImageSets list.
 * `*out` holds ds->n_images malloc'd strings (free with bmx__voc_free_stems). */
bmx_status bmx__voc_stems(const bmx_dataset *ds, char ***out, bmx_error *err);
void bmx__voc_free_stems(char **stems, size_t n);

/* Whether a file name ends in .xml (any case). */
bool bmx__voc_has_xml_ext(const char *name);

#endif
