/* SPDX-License-Identifier: MIT */
/* Internal: the JSON output buffer shared by the COCO and VOC writers, the checker
 * and the jobs. */
#ifndef BMX_JSONBUF_H
#define BMX_JSONBUF_H

#include "boxmix.h"
#include "error.h"
#include "safefs.h"

#include <cjson/cJSON.h>

/* A growable output buffer. Errors are sticky: `failed` is set on the first
 * failed allocation (or write) and every later put is ignored.
 *
 * Streaming: with `to_fd` set, the buffer holds only the tail not yet written and
 * writes itself to `fd` whenever it grows past a few MB; bmx__buf_flush writes
 * the rest. `io_errno` is the errno of a failed write (0 when none), `flushed`
 * the bytes written so far. A zeroed buffer does not stream. With `hash` set the
 * flushed bytes are hashed as well; with `fd` -1 they are only hashed. */
struct bmx__buf {
    char *data;
    size_t len, cap;
    bool failed;
    bool to_fd;
    int fd;
    int io_errno;
    size_t flushed;
    struct bmx__hash *hash;      /* streaming: every byte flushed is hashed too */
    volatile const int *cancel; /* streaming: a flush fails (EINTR) once it is set */
};

void bmx__buf_free(struct bmx__buf *b);
/* Room for `n` more bytes (and a terminator) at data + len, NULL on failure. Write
 * there, then bmx__buf_commit the count written. */
char *bmx__buf_room(struct bmx__buf *b, size_t n);
void bmx__buf_commit(struct bmx__buf *b, size_t n);
/* Write what is buffered to `fd` (streaming buffers); false on a write error. */
bool bmx__buf_flush(struct bmx__buf *b);
/* A decimal integer. */
void bmx__buf_int(struct bmx__buf *b, int64_t v);
void bmx__buf_put(struct bmx__buf *b, const char *s, size_t n);
void bmx__buf_puts(struct bmx__buf *b, const char *s);
void bmx__buf_printf(struct bmx__buf *b, const char *fmt, ...) BMX__PRINTF(2, 3);
/* A JSON number: integers without a fraction, others with the shortest
 * representation that reads back to the same double. */
void bmx__buf_number(struct bmx__buf *b, double v);
/* A box as the JSON array [x,y,w,h], each number as bmx__buf_number writes it. */
void bmx__buf_box(struct bmx__buf *b, struct bmx_box x);
/* A JSON string literal with escapes. */
void bmx__buf_string(struct bmx__buf *b, const char *s);
/* Any cJSON value, compact. */
void bmx__buf_json(struct bmx__buf *b, const cJSON *v);

/* Stream a document into `rel` below the folder `dir` (`shown` in messages)
 * through a temporary name: `put` writes it into a streaming buffer (a callback
 * that fails sets the buffer's `failed`, and `io_errno` when it was a read or
 * write error); the file is synced and renamed when whole. Once `cancel` (may be
 * NULL) is set, the next flush stops it: BMX_E_INTERRUPTED, nothing left. `*size`
 * and `*hash` (bmx__hash_*; may be NULL) get what was written. */
bmx_status bmx__stream_document(int dir, const char *shown, const char *rel,
                                void (*put)(struct bmx__buf *, void *), void *ctx,
                                volatile const int *cancel, uint64_t *size, uint64_t *hash,
                                bmx_error *err);

#endif
