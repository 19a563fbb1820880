/* SPDX-License-Identifier: MIT */
/* Internal: the input guard (see safefs.h for the rest of the safe file system). */
#ifndef BMX_GUARD_H
#define BMX_GUARD_H

#include "safefs.h"

/* Paths a tool reads (inputs) and writes (outputs), resolved. An entry is a file
 * or a whole tree (a folder and everything below it). */
struct bmx__guard_entry {
    char *resolved;
    char *given;       /* as the caller named it (a copy) */
    const char *what;  /* "the input image folder", "the report", ... */
    bool tree;
};
struct bmx__guard {
    struct bmx__guard_entry *in, *out;
    size_t n_in, n_out;
};

/* Register an input; only memory can fail. */
bmx_status bmx__guard_input(struct bmx__guard *g, const char *path, bool tree, const char *what,
                            bmx_error *err);

/* Register an output and check it against every input and every earlier output: a
 * file that is an input file, lies under an input folder or under another output
 * folder, is another output file, or a folder that overlaps an input folder or holds
 * an input file, is refused (BMX_E_INVALID) naming both. */
bmx_status bmx__guard_output(struct bmx__guard *g, const char *path, bool tree, const char *what,
                             bmx_error *err);

/* Check a file against the inputs only (it may lie in an output folder). */
bmx_status bmx__guard_check(const struct bmx__guard *g, const char *path, const char *what,
                            bmx_error *err);

void bmx__guard_free(struct bmx__guard *g);

#endif
