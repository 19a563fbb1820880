/* SPDX-License-Identifier: MIT */
/* A decision log's lines placed on the images of the dataset it describes: line
 * `output` k belongs to the image whose record says boxmix op (not "original")
 * and index k, whichever format (COCO or VOC) carried the record back. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

struct k_image {
    uint64_t k;
    size_t image;
};

static int cmp_k(const void *a, const void *b)
{
    const struct k_image *x = a, *y = b;
    return (x->k > y->k) - (x->k < y->k);
}

bmx_status bmx__decisions_place(const bmx_dataset *ds, const struct bmx__decision_rec *dec,
                                size_t n_dec, size_t **out, bmx_error *err)
{
    struct k_image *map = bmx__alloc_array(ds->n_images ? ds->n_images : 1, sizeof *map);
    size_t *place = bmx__alloc_array(n_dec ? n_dec : 1, sizeof *place);
    size_t n = 0;
    *out = NULL;
    if (map == NULL || place == NULL) {
        free(map);
        free(place);
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < ds->n_images; i++) {
        const char *op = bmx__extra_string(ds->images[i].extra, "boxmix", "op");
        double k;
        if (op != NULL && strcmp(op, "original") != 0 &&
            bmx__extra_numbers(ds->images[i].extra, "boxmix", "index", &k, 1) && k >= 0) {
            map[n++] = (struct k_image){(uint64_t)k, i};
        }
    }
    qsort(map, n, sizeof *map, cmp_k);
    for (size_t q = 0; q < n_dec; q++) {
        struct k_image key = {dec[q].output, 0};
        const struct k_image *hit = bsearch(&key, map, n, sizeof *map, cmp_k);
        place[q] = hit != NULL ? hit->image : SIZE_MAX;
    }
    free(map);
    *out = place;
    return BMX_OK;
}
