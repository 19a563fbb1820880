/* SPDX-License-Identifier: MIT */
/* Internal: a small strict JSON parser (RFC 8259) and the number printer.
 *
 * The parser works over an in-memory buffer one value at a time, so a reader can
 * walk a huge top-level array element by element: each element becomes a small
 * tree in an arena that is reset before the next one (no malloc per node). The
 * same code validates without building anything (`out == NULL`), which is how a
 * whole document is checked before any of it is converted.
 *
 * Strings are unescaped to UTF-8 (\uXXXX with surrogate pairs); raw control
 * characters, invalid escapes, unpaired surrogates, "\u0000" and invalid UTF-8 are
 * rejected. Numbers follow the JSON grammar exactly (no leading zeros, no "1.",
 * no "+1") and convert with correct rounding. A number too large for a double is
 * not a syntax error: its offset is recorded in `nonfinite_pos` for the caller to
 * report with its JSON path. */
#ifndef BMX_JSON_H
#define BMX_JSON_H

#include "boxmix.h"
#include "error.h"

#include <cjson/cJSON.h>

#define BMX__JSON_MAX_DEPTH 512

enum bmx__jtype {
    BMX__J_NULL,
    BMX__J_FALSE,
    BMX__J_TRUE,
    BMX__J_NUMBER,
    BMX__J_STRING,
    BMX__J_ARRAY,
    BMX__J_OBJECT
};

/* One parsed value. Children of arrays and objects are a linked list in file
 * order; object members carry their (unescaped, NUL-terminated) key. */
struct bmx__jnode {
    struct bmx__jnode *next;
    const char *key;
    union {
        double num;               /* BMX__J_NUMBER */
        const char *str;          /* BMX__J_STRING, NUL-terminated */
        struct bmx__jnode *child; /* BMX__J_ARRAY / BMX__J_OBJECT: first child */
    } u;
    size_t n; /* string length in bytes, or number of children */
    enum bmx__jtype type;
};

struct bmx__arena_block;

/* A parser over buf[0, len). Zero-initialise, then bmx__json_init. */
struct bmx__json {
    const char *buf;
    size_t len;
    struct bmx__arena_block *head, *cur;
    /* the first syntax error: its offset and what was expected */
    bool failed;
    bool nomem;
    size_t err_pos;
    const char *err_what;
    /* the first number that does not fit a double (1e999), when has_nonfinite */
    bool has_nonfinite;
    size_t nonfinite_pos;
    /* Set after bmx__json_init to build objects with repeated keys as they are
     * (all members kept, in order) instead of refusing them: for the checker,
     * which reports them. Otherwise a repeated key is refused among an object's
     * first 4096 members (past that the search would be quadratic; COCO records
     * have a handful of keys). */
    bool allow_repeated_keys;
};

void bmx__json_init(struct bmx__json *p, const char *buf, size_t len);
void bmx__json_free(struct bmx__json *p);
/* Forget every node built so far (the memory is kept for the next value). */
void bmx__json_reset(struct bmx__json *p);

/* Offset of the first non-whitespace byte at or after `pos` (len when none). */
size_t bmx__json_skip_ws(const struct bmx__json *p, size_t pos);

/* Parse the value starting at *pos (leading whitespace allowed) at nesting depth
 * `depth` (the number of containers around it). On success *pos is just past the
 * value and, when `out` is not NULL, *out its tree in the arena. On failure
 * returns false with p->failed (err_pos, err_what) or p->nomem set. */
bool bmx__json_value(struct bmx__json *p, size_t *pos, int depth, struct bmx__jnode **out);

/* Walking a container without building it. bmx__json_begin expects `open` ('[' or
 * '{') at *pos and returns 1 when an element follows, 0 when the container is
 * empty (and consumed), -1 on a syntax error. bmx__json_next after an element
 * returns 1 when another follows (the ',' consumed), 0 at the end (`close`
 * consumed), -1 on error. bmx__json_key reads `"key":` (key unescaped into the
 * arena when `key` is not NULL). */
int bmx__json_begin(struct bmx__json *p, size_t *pos, char open);
int bmx__json_next(struct bmx__json *p, size_t *pos, char close);
bool bmx__json_key(struct bmx__json *p, size_t *pos, const char **key);

/* Whether a node (NULL: none) is of a type. */
static inline bool bmx__json_is_number(const struct bmx__jnode *v)
{
    return v != NULL && v->type == BMX__J_NUMBER;
}
static inline bool bmx__json_is_string(const struct bmx__jnode *v)
{
    return v != NULL && v->type == BMX__J_STRING;
}
static inline bool bmx__json_is_array(const struct bmx__jnode *v)
{
    return v != NULL && v->type == BMX__J_ARRAY;
}
static inline bool bmx__json_is_object(const struct bmx__jnode *v)
{
    return v != NULL && v->type == BMX__J_OBJECT;
}

/* A finite whole number a double holds exactly (|v| <= 2^53): a JSON integer. */
bool bmx__json_is_integral(double v);

/* "a number", "an array", ... for messages ("nothing" for NULL). */
const char *bmx__json_type_name(const struct bmx__jnode *v);
/* The same for the (valid) value whose text starts with `first`. */
const char *bmx__json_type_name_of_text(char first);

/* The first member named `key` of an object node (NULL when none or not an object). */
const struct bmx__jnode *bmx__json_get(const struct bmx__jnode *obj, const char *key);

/* A deep copy as cJSON (NULL when out of memory). */
cJSON *bmx__json_to_cjson(const struct bmx__jnode *v);

/* The 1-based line and column of byte offset `off` of `buf`. */
void bmx__json_line_col(const char *buf, size_t off, size_t *line, size_t *col);

/* Describe the parser's failure as "NAME: line L, column C: not valid JSON (what)"
 * (BMX_E_PARSE) or "NAME: out of memory" (BMX_E_NOMEM). */
bmx_status bmx__json_fail(const struct bmx__json *p, const char *name, bmx_error *err);

/* The path ("annotations[3].bbox[1]") of the innermost value containing byte
 * offset `target` inside the value that starts at `start` (a validated document).
 * Keys are joined with '.', indices in brackets; truncated to `cap`. */
void bmx__json_path_at(struct bmx__json *p, size_t start, size_t target, char *path,
                       size_t cap);

/* Longest text bmx__json_format_number writes, without a terminator. */
#define BMX__NUMBER_MAX 32

/* A JSON number for `v` into out (no terminator); returns its length. Integral
 * values below 1e15 print as integers, -0 as 0, others with the fewest digits
 * that read back to the same double; non-finite values as null. */
size_t bmx__json_format_number(char *out, double v);

/* What printf's "%.<prec>g" writes for `v`, into out[0, cap) (24 bytes or more
 * for the fast paths; prec 1..14), without printf's multi-precision arithmetic
 * in the usual cases: the checker prints millions of numbers on a broken file.
 * Returns out. */
const char *bmx__format_g(char *out, size_t cap, double v, int prec);

/* ---- between the parser's own files (json.c, json_string.c, json_number.c) ---- */

/* Room for `size` bytes in the arena of the value being parsed, aligned for the
 * nodes; NULL (with p->nomem set) when out of memory. */
void *bmx__json_alloc(struct bmx__json *p, size_t size);

/* Record a syntax error at `pos` (what was expected) unless an error or a lack of
 * memory came first; returns false. */
bool bmx__json_fail_at(struct bmx__json *p, size_t pos, const char *what);

static inline bool bmx__json_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The string whose opening quote is at *pos; *pos ends just past its closing
 * quote. When `out` is not NULL its unescaped text (NUL-terminated) goes to the
 * arena, and its length to *out_len. */
bool bmx__json_scan_string(struct bmx__json *p, size_t *pos, const char **out, size_t *out_len);

/* The number at *pos: checked against the grammar and, when `out` is not NULL,
 * converted with correct rounding. One that does not fit a double is noted in
 * has_nonfinite/nonfinite_pos. */
bool bmx__json_scan_number(struct bmx__json *p, size_t *pos, double *out);

/* The same check without the conversion, quicker for the common shapes. */
bool bmx__json_skip_number(struct bmx__json *p, size_t *pos);

#endif
