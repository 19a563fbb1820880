/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the recipe reader (bmx_recipe_read, lib/run/recipe.c), which
 * boxmix-augment --recipe reads a user-given file with.
 *
 * The reader takes a path, so the input is written to a private scratch file.
 *
 * Properties: a refused recipe comes with BMX_E_PARSE (or BMX_E_NOMEM) and a
 * message naming the file, and no entries; a recipe that reads has 1 to 64
 * entries, each with a finite positive weight and options bmx_op_options_check
 * accepts, and a pick that always lands on one of them.
 */
#include "fuzz.h"

#include <boxmix.h>

#include <math.h>
#include <stdbool.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_scratch_file("recipe", "recipe.json");
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
    struct bmx_recipe_entry *entries = NULL;
    size_t n = 0;
    bmx_error err = {0};
    bmx_status st = bmx_recipe_read(path, NULL, &entries, &n, &err);
    if (st != BMX_OK) {
        FZ_CHECK(st == BMX_E_PARSE || st == BMX_E_NOMEM);
        FZ_CHECK(strstr(err.message, "recipe.json") != NULL);
        FZ_CHECK(entries == NULL && n == 0);
        return 0;
    }
    FZ_CHECK(n >= 1 && n <= 64 && entries != NULL);
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(isfinite(entries[i].weight) && entries[i].weight > 0);
        FZ_CHECK(bmx_op_options_check(&entries[i].op, NULL) == BMX_OK);
    }
    for (uint64_t k = 0; k < 8; k++) {
        FZ_CHECK(bmx_recipe_pick(entries, n, 7, k) < n);
    }
    free(entries);
    return 0;
}
