/* SPDX-License-Identifier: MIT */
/* Internal: reading the public option structs that carry a size (boxmix.h,
 * "Options that grow"): a caller's struct is read up to its size over the
 * defaults, so a program built against an older, smaller struct keeps working. */
#ifndef BMX_SIZED_H
#define BMX_SIZED_H

#include "error.h"

#include <stddef.h>
#include <string.h>

/* Copy the caller's struct `in` (its first member is its size) over `out`, which
 * holds today's defaults and is `cur` bytes long: the first `size` bytes come from
 * `in`, the rest stay the defaults, and out's size becomes `cur`. BMX_E_INVALID,
 * naming `what` ("struct bmx_job_options"), when `in` is NULL, its size is 0, too
 * small to hold the size itself, or larger than `cur`. */
bmx_status bmx__sized_read(void *out, size_t cur, const void *in, const char *what, bmx_error *err);

/* After bmx__sized_read of a container whose caller gave `given` bytes: check the
 * option struct inside it at `offset`, `cur` bytes long today, at `member` in the
 * copy. Bytes of it the caller gave must be a whole struct of its kind: its size
 * must be that many bytes (today's size when it was given whole); one not given at
 * all keeps its defaults. Its size becomes `cur`. */
bmx_status bmx__sized_member(void *member, size_t cur, size_t offset, size_t given,
                             const char *what, bmx_error *err);

/* The size a caller gave a struct (its first member). */
static inline size_t bmx__sized_given(const void *in)
{
    size_t n;
    memcpy(&n, in, sizeof n);
    return n;
}

#endif
