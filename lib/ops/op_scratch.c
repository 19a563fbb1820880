/* SPDX-License-Identifier: MIT */
/* Where an operation's pixels are composed: in buffers a caller that makes many
 * outputs keeps (struct bmx__op_scratch, ops.h), in the base's own pixels when the
 * caller gives them up, or in memory of their own (no scratch: bmx_op_apply). */
#include "ops.h"
#include "prefault.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void bmx__op_scratch_free(struct bmx__op_scratch *sc)
{
    if (sc == NULL) {
        return;
    }
    free(sc->out);
    free(sc->tmp);
    memset(sc, 0, sizeof *sc);
}

void bmx__op_scratch_trim(struct bmx__op_scratch *sc, size_t keep)
{
    if (sc == NULL) {
        return;
    }
    if (sc->out_cap > keep) {
        free(sc->out);
        sc->out = NULL;
        sc->out_cap = 0;
    }
    if (sc->tmp_cap > keep) {
        free(sc->tmp);
        sc->tmp = NULL;
        sc->tmp_cap = 0;
    }
}

/* A w x h x c view of *buf, grown to hold it; its bytes unset. The checks and
 * statuses of bmx__image_new_unset, which makes the same image without a scratch. */
static bmx_status view_of(uint8_t **buf, size_t *cap, size_t huge, int32_t w, int32_t h,
                          int32_t c, struct bmx_image *img, bmx_error *err)
{
    size_t row, need;
    if (w <= 0 || h <= 0) {
        return bmx__fail(err, BMX_E_INVALID, "image: size %dx%d is not positive", (int)w,
                         (int)h);
    }
    if (c < 1 || c > 4) {
        return bmx__fail(err, BMX_E_INVALID, "image: %d channels (expected 1 to 4)", (int)c);
    }
    if (!bmx__mul_size((size_t)w, (size_t)c, &row) || !bmx__mul_size(row, (size_t)h, &need) ||
        need > PTRDIFF_MAX) {
        return bmx__fail(err, BMX_E_OVERFLOW, "image: %dx%dx%d bytes is too large", (int)w,
                         (int)h, (int)c);
    }
    if (*buf == NULL || *cap < need) {
        free(*buf);
        *cap = 0;
        const size_t whole = bmx__huge_size(need, huge);
        *buf = whole > 0 ? bmx__alloc_huge(whole, huge) : NULL;
        *cap = *buf != NULL ? whole : 0;
        if (*buf == NULL) {
            *buf = malloc(need);
            if (*buf == NULL) {
                return bmx__fail(err, BMX_E_NOMEM, "cannot allocate a %dx%d image", (int)w,
                                 (int)h);
            }
            *cap = need;
            bmx__prefault(*buf, need);
        }
    }
    *img = (struct bmx_image){w, h, c, row, *buf};
    return BMX_OK;
}

bmx_status bmx__op_image(struct bmx__op_scratch *sc, int32_t w, int32_t h, int32_t c,
                         struct bmx_image *img, bmx_error *err)
{
    if (sc == NULL) {
        return bmx__image_new_unset(w, h, c, img, err);
    }
    return view_of(&sc->out, &sc->out_cap, sc->huge, w, h, c, img, err);
}

bmx_status bmx__op_tmp_image(struct bmx__op_scratch *sc, int32_t w, int32_t h, int32_t c,
                             struct bmx_image *img, bmx_error *err)
{
    if (sc == NULL) {
        return bmx__image_new_unset(w, h, c, img, err);
    }
    return view_of(&sc->tmp, &sc->tmp_cap, sc->huge, w, h, c, img, err);
}

bool bmx__op_image_in_base(const struct bmx__op_scratch *sc, const struct bmx_sample *const *in,
                           size_t n, struct bmx_image *img)
{
    if (sc == NULL || !sc->base_writable || in[0]->image.data == NULL) {
        return false;
    }
    for (size_t k = 1; k < n; k++) {
        if (in[k]->image.data == in[0]->image.data) {
            return false; /* read again as another input: not the output's to overwrite */
        }
    }
    *img = in[0]->image;
    return true;
}

void bmx__op_image_drop(const struct bmx__op_scratch *sc, struct bmx_image *img)
{
    if (sc == NULL) {
        bmx_image_free(img);
    } else {
        memset(img, 0, sizeof *img);
    }
}
