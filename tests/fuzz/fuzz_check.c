/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: boxmix-check on a COCO file (bmx_check_run), which walks any
 * document record by record without stopping at the first problem.
 *
 * Properties: the check runs (it fails only on I/O or memory, never on content);
 * every problem is complete (file, path, code, message, a known severity) and the
 * summary counts what was reported; and the checker is at least as strict as the
 * reader: a document with no error reads with bmx_dataset_read_coco_buffer (the
 * header's promise that every check of the reader is an error of the checker).
 */
#include "fuzz.h"

#include "boxmix.h"

#include <stdbool.h>

struct tally {
    uint64_t errors, warnings;
    char first_error[512];
};

static void on_problem(const struct bmx_problem *p, void *ctx)
{
    struct tally *t = ctx;
    FZ_CHECK(p->file != NULL && p->path != NULL && p->code != NULL && p->message != NULL);
    FZ_CHECK(p->file[0] != '\0' && p->path[0] != '\0' && p->code[0] != '\0' &&
             p->message[0] != '\0');
    FZ_CHECK(p->severity == BMX_SEVERITY_ERROR || p->severity == BMX_SEVERITY_WARNING);
    if (p->severity == BMX_SEVERITY_ERROR) {
        if (t->errors == 0) {
            snprintf(t->first_error, sizeof t->first_error, "%s: %s [%s]", p->path, p->message,
                     p->code);
        }
        t->errors++;
    } else {
        t->warnings++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_scratch_file("check", "in.json");
    if (path == NULL) {
        return 0;
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return 0;
    }
    bool written = fwrite(data, 1, size, f) == size;
    if (fclose(f) != 0 || !written) {
        return 0;
    }
    struct bmx_check_options opts;
    bmx_check_options_init(&opts);
    opts.input.annotations = path;
    struct tally t = {0};
    struct bmx_check_summary sum;
    bmx_error err;
    bmx_status st = bmx_check_run(&opts, on_problem, &t, &sum, &err);
    if (st != BMX_OK) {
        /* Content never stops a check; memory may. */
        if (st != BMX_E_NOMEM) {
            fprintf(stderr, "check could not run: %s\n", err.message);
            FZ_CHECK(st == BMX_E_NOMEM);
        }
        return 0;
    }
    FZ_CHECK(sum.errors == t.errors && sum.warnings == t.warnings);

    bmx_dataset *ds = NULL;
    st = bmx_dataset_read_coco_buffer((const char *)data, size, "fuzz.json", &ds, &err);
    if (t.errors == 0 && st != BMX_OK && st != BMX_E_NOMEM && st != BMX_E_LIMIT) {
        fprintf(stderr, "the checker found no error, the reader refused: %s\n", err.message);
        FZ_CHECK(st == BMX_OK);
    }
    bmx_dataset_free(ds);
    return 0;
}
