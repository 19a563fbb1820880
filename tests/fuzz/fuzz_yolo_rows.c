/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the YOLO label-row parser (bmx__yolo_parse_rows, lib/formats/yolo.h).
 *
 * Input: nc - 1 (u8), flags (u8: bit 0 keep going, bit 1 a row limit of 3, bit 2
 * a point limit of 4), then the label file's bytes.
 *
 * Properties: a failure leaves a message "name:LINE: ..." and the first error's
 * status; the same bytes parsed with keep_going report the same first error; every
 * row read has a class below nc, finite coordinates in [0, 1], 4 of them with a
 * positive w and h in a detection file, an even count of at least 6 in a
 * segmentation file; no two rows are the same; the rows written back with %.17g
 * parse to the same rows.
 */
#include "fuzz.h"

#include "yolo.h"

#include <math.h>

static void check_rows(const struct bmx__yolo_rows *r, size_t nc)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct bmx__yolo_row *row = &r->rows[i];
        FZ_CHECK(row->cls >= 0 && (size_t)row->cls < nc);
        FZ_CHECK(r->segment ? row->n >= 6 && row->n % 2 == 0 : row->n == 4);
        for (size_t k = 0; k < row->n; k++) {
            FZ_CHECK(isfinite(row->v[k]) && row->v[k] >= 0 && row->v[k] <= 1);
        }
        if (!r->segment) {
            FZ_CHECK(row->v[2] > 0 && row->v[3] > 0);
        }
        for (size_t j = 0; j < i && r->n < 200; j++) {
            const struct bmx__yolo_row *o = &r->rows[j];
            FZ_CHECK(!(o->cls == row->cls && o->n == row->n &&
                       memcmp(o->v, row->v, row->n * sizeof *row->v) == 0));
        }
    }
}

/* The rows printed exactly and parsed again: the same rows. */
static void check_round_trip(const struct bmx__yolo_rows *r, size_t nc)
{
    size_t cap = 64;
    for (size_t i = 0; i < r->n; i++) {
        cap += 32 + 26 * r->rows[i].n;
    }
    char *text = malloc(cap);
    if (text == NULL) {
        return;
    }
    size_t len = 0;
    for (size_t i = 0; i < r->n; i++) {
        len += (size_t)snprintf(text + len, cap - len, "%lld", (long long)r->rows[i].cls);
        for (size_t k = 0; k < r->rows[i].n; k++) {
            len += (size_t)snprintf(text + len, cap - len, " %.17g", r->rows[i].v[k]);
        }
        text[len++] = '\n';
    }
    struct bmx__yolo_rows back;
    bmx_error err;
    bmx_status st =
        bmx__yolo_parse_rows(text, len, "back.txt", nc, 0, 0, false, NULL, NULL, &back, &err);
    if (st != BMX_E_NOMEM) {
        FZ_CHECK(st == BMX_OK);
        FZ_CHECK(back.n == r->n && back.duplicates == 0);
        for (size_t i = 0; i < r->n && i < back.n; i++) {
            FZ_CHECK(back.rows[i].cls == r->rows[i].cls && back.rows[i].n == r->rows[i].n);
            FZ_CHECK(memcmp(back.rows[i].v, r->rows[i].v, r->rows[i].n * sizeof(double)) == 0);
        }
    }
    bmx__yolo_rows_free(&back);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_cursor c = {data, size};
    size_t nc = (size_t)fz_u8(&c) + 1;
    uint8_t flags = fz_u8(&c);
    uint64_t max_rows = flags & 2 ? 3 : 0, max_points = flags & 4 ? 4 : 0;
    struct bmx__yolo_rows r, r2;
    bmx_error err, err2;
    err.message[0] = '\0';
    bmx_status st = bmx__yolo_parse_rows((const char *)c.p, c.left, "x.txt", nc, max_rows,
                                         max_points, false, NULL, NULL, &r, &err);
    if (st == BMX_OK) {
        check_rows(&r, nc);
        if (r.segment || r.n > 0) {
            check_round_trip(&r, nc);
        }
    } else if (st != BMX_E_NOMEM) {
        FZ_CHECK(st == BMX_E_SCHEMA || st == BMX_E_LIMIT);
        FZ_CHECK(strncmp(err.message, "x.txt:", 6) == 0);
    }
    if (flags & 1) {
        bmx_status st2 = bmx__yolo_parse_rows((const char *)c.p, c.left, "x.txt", nc, max_rows,
                                              max_points, true, NULL, NULL, &r2, &err2);
        if (st != BMX_E_NOMEM && st2 != BMX_E_NOMEM) {
            FZ_CHECK(st2 == st);
            if (st != BMX_OK) {
                FZ_CHECK(strcmp(err.message, err2.message) == 0);
            } else {
                FZ_CHECK(r2.n == r.n);
            }
        }
        bmx__yolo_rows_free(&r2);
    }
    bmx__yolo_rows_free(&r);
    return 0;
}
