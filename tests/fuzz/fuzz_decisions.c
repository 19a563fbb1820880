/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the decision log reader (bmx__decisions_read, lib/formats/
 * decisions_read.c), which boxmix-check --stats and boxmix-draw read a
 * user-given log with.
 *
 * The reader takes a path, so the input is written to a private scratch file.
 *
 * Properties: a refused log comes with BMX_E_PARSE or BMX_E_SCHEMA (or BMX_E_NOMEM)
 * and a message naming the file and a line, and no records; a log that reads has
 * at most one record per line of the input, and every record within the schema's
 * ranges (visibility in [0, 1], finite non-negative visible area, a known origin,
 * kind and rule, a rule exactly when dropped).
 */
#include "fuzz.h"

#include "decisions.h"

#include <math.h>
#include <stdbool.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_scratch_file("decisions", "log.jsonl");
    if (path == NULL) {
        return 0;
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return 0;
    }
    bool wrote = fwrite(data, 1, size, f) == size;
    if (fclose(f) != 0 || !wrote) {
        return 0;
    }
    struct bmx__decision_rec *recs = NULL;
    size_t n = 0;
    bmx_error err = {0};
    bmx_status st = bmx__decisions_read(path, &recs, &n, &err);
    if (st != BMX_OK) {
        FZ_CHECK(st == BMX_E_PARSE || st == BMX_E_SCHEMA || st == BMX_E_NOMEM);
        FZ_CHECK(err.message[0] != '\0');
        FZ_CHECK(strstr(err.message, "log.jsonl") != NULL);
        FZ_CHECK(recs == NULL && n == 0);
        return 0;
    }
    size_t lines = 1;
    for (size_t i = 0; i < size; i++) {
        lines += data[i] == '\n';
    }
    FZ_CHECK(n <= lines);
    for (size_t i = 0; i < n; i++) {
        const struct bmx_decision *d = &recs[i].d;
        FZ_CHECK(d->from == BMX_FROM_BASE || d->from == BMX_FROM_SOURCE ||
                 d->from == BMX_FROM_TILE);
        /* input: 0 the base, 1 the source, a Mosaic tile 0..3 */
        FZ_CHECK(d->from != BMX_FROM_BASE || d->input == 0);
        FZ_CHECK(d->from != BMX_FROM_SOURCE || d->input == 1);
        FZ_CHECK(d->input >= 0 && d->input <= 3);
        FZ_CHECK(d->visibility >= 0 && d->visibility <= 1);
        FZ_CHECK(isfinite(d->visible_area) && d->visible_area >= 0);
        FZ_CHECK(d->iscrowd == 0 || d->iscrowd == 1);
        FZ_CHECK(d->kind == BMX_DECIDED_KEPT || d->kind == BMX_DECIDED_CLIPPED ||
                 d->kind == BMX_DECIDED_DROPPED);
        FZ_CHECK((d->kind == BMX_DECIDED_DROPPED) == (d->rule != BMX_DROP_NONE));
    }
    free(recs);
    return 0;
}
