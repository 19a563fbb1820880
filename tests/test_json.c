/* SPDX-License-Identifier: MIT */
/* The JSON layer (lib/json.c and the output buffer of lib/dataset.c): every value
 * type, the grammar's corners with the exact offset and message of each refusal,
 * numbers to the last bit, strings with every escape and UTF-8 check, the walker
 * and path helpers, and the writer (numbers that read back exactly and shortest,
 * integers, string escaping, cJSON trees), each checked against hand-written
 * expected values and, for the number and string paths, against random inputs.
 *
 * Every text is parsed from a heap copy of exactly its length, so that reading
 * one byte past the end is an AddressSanitizer report, and both with and without
 * building a tree (the two modes must agree on success, offsets and messages). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <float.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coco.h"
#include "json.h"

/* ------------------------------------------------------------------------- */
/* Helpers                                                                    */
/* ------------------------------------------------------------------------- */

/* A string literal and its length (it may hold NUL bytes). */
#define T(s) s, sizeof(s) - 1
/* A floating literal's text and the double the compiler (correctly rounding)
 * makes of it. */
/* clang-format off */
#define F(x) {#x, x}
/* clang-format on */

/* A local fixed-seed generator (splitmix64), independent of the library's rng. */
struct prng {
    uint64_t s;
};

static uint64_t prng_next(struct prng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint32_t prng_below(struct prng *r, uint32_t n)
{
    return (uint32_t)(prng_next(r) % n);
}

/* A text in a heap buffer of exactly its length, with a building parser `p` and a
 * validating one `q` over it. */
struct doc {
    char *buf;
    size_t len;
    struct bmx__json p, q;
};

static void doc_open(struct doc *d, const char *text, size_t len)
{
    d->buf = malloc(len ? len : 1);
    assert_non_null(d->buf);
    if (len > 0) {
        memcpy(d->buf, text, len);
    }
    d->len = len;
    bmx__json_init(&d->p, d->buf, len);
    bmx__json_init(&d->q, d->buf, len);
}

static void doc_close(struct doc *d)
{
    bmx__json_free(&d->p);
    bmx__json_free(&d->q);
    free(d->buf);
    d->buf = NULL;
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Parse the value at offset 0 in both modes; both must succeed, stop at the same
 * offset and note the same out-of-range number. Returns the tree (in d->p). */
static struct bmx__jnode *parse_ok(struct doc *d, const char *text, size_t len, size_t *end)
{
    doc_open(d, text, len);
    size_t pq = 0, pp = 0;
    struct bmx__jnode *v = NULL;
    bool okq = bmx__json_value(&d->q, &pq, 0, NULL);
    bool okp = bmx__json_value(&d->p, &pp, 0, &v);
    if (!okq || !okp) {
        print_error("'%.*s': refused (%s at %zu / %s at %zu)\n", (int)len, text,
                    d->q.failed ? d->q.err_what : "ok", d->q.err_pos,
                    d->p.failed ? d->p.err_what : "ok", d->p.err_pos);
        fail();
    }
    assert_non_null(v);
    assert_int_equal(pq, pp);
    assert_false(d->p.failed);
    assert_false(d->q.failed);
    assert_int_equal(d->p.has_nonfinite, d->q.has_nonfinite);
    if (d->p.has_nonfinite) {
        assert_int_equal(d->p.nonfinite_pos, d->q.nonfinite_pos);
    }
    if (end != NULL) {
        *end = pp;
    }
    return v;
}

/* The whole text is one value (nothing but whitespace after it). */
static struct bmx__jnode *parse_all(struct doc *d, const char *text, size_t len)
{
    size_t end;
    struct bmx__jnode *v = parse_ok(d, text, len, &end);
    assert_int_equal(bmx__json_skip_ws(&d->p, end), len);
    return v;
}

/* Both modes refuse the text with exactly this offset and message. */
static void want_error(const char *text, size_t len, size_t pos, const char *what)
{
    struct doc d;
    doc_open(&d, text, len);
    size_t pq = 0, pp = 0;
    struct bmx__jnode *v = NULL;
    bool okq = bmx__json_value(&d.q, &pq, 0, NULL);
    bool okp = bmx__json_value(&d.p, &pp, 0, &v);
    for (int m = 0; m < 2; m++) {
        const struct bmx__json *p = m ? &d.p : &d.q;
        bool ok = m ? okp : okq;
        if (ok || !p->failed || p->nomem || p->err_pos != pos || strcmp(p->err_what, what) != 0) {
            print_error("'%.*s' (%s): want '%s' at %zu, got %s '%s' at %zu\n", (int)len, text,
                        m ? "building" : "checking", what, pos, ok ? "success" : "failure",
                        p->failed ? p->err_what : "-", p->err_pos);
            fail();
        }
    }
    doc_close(&d);
}

/* The number a text parses to (bits compared: -0 is not 0). */
static void want_number(const char *text, double want)
{
    struct doc d;
    struct bmx__jnode *v = parse_all(&d, text, strlen(text));
    if (v->type != BMX__J_NUMBER || !same_bits(v->u.num, want)) {
        print_error("'%s': got %a (%.17g), want %a (%.17g)\n", text, v->u.num, v->u.num, want,
                    want);
        fail();
    }
    assert_false(d.p.has_nonfinite);
    doc_close(&d);
}

/* The bytes a string literal unescapes to. */
static void want_string(const char *json, size_t len, const char *bytes, size_t n)
{
    struct doc d;
    struct bmx__jnode *v = parse_all(&d, json, len);
    assert_int_equal(v->type, BMX__J_STRING);
    if (v->n != n || memcmp(v->u.str, bytes, n) != 0 || v->u.str[n] != '\0') {
        print_error("'%.*s': got %zu bytes '%s'\n", (int)len, json, v->n, v->u.str);
        fail();
    }
    doc_close(&d);
}

/* What the output buffer holds, checked against `want`, then emptied. */
static void want_buf(struct bmx__buf *b, const char *want)
{
    assert_false(b->failed);
    assert_non_null(b->data);
    if (b->len != strlen(want) || memcmp(b->data, want, b->len) != 0 || b->data[b->len] != '\0') {
        print_error("wrote '%.*s', want '%s'\n", (int)b->len, b->data, want);
        fail();
    }
    bmx__buf_free(b);
}

/* A code point as UTF-8 (the test's own encoder). */
static size_t put_cp(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A random valid UTF-8 string without NUL, of up to `max` code points, into o
 * (room for 4 * max + 1 bytes); returns its length. Controls, quotes and
 * backslashes are frequent on purpose. */
static size_t random_utf8(struct prng *r, char *o, size_t max)
{
    size_t n = 0, count = prng_below(r, (uint32_t)max + 1);
    for (size_t k = 0; k < count; k++) {
        uint32_t cp;
        switch (prng_below(r, 7)) {
        case 0:
            cp = 1 + prng_below(r, 0x1F);
            break;
        case 1:
            cp = "\"\\/"[prng_below(r, 3)];
            break;
        case 2:
            cp = 0x20 + prng_below(r, 0x60);
            break;
        case 3:
            cp = 0x80 + prng_below(r, 0x780);
            break;
        case 4:
            do {
                cp = 0x800 + prng_below(r, 0xF800);
            } while (cp >= 0xD800 && cp <= 0xDFFF);
            break;
        case 5:
            cp = 0x10000 + prng_below(r, 0x100000);
            break;
        default:
            cp = 'a' + prng_below(r, 26);
            break;
        }
        n += put_cp(o + n, cp);
    }
    o[n] = '\0';
    return n;
}

/* A random finite double of one of several shapes. */
static double random_double(struct prng *r)
{
    uint64_t b = prng_next(r);
    double v;
    switch (prng_below(r, 7)) {
    case 0: /* any bit pattern */
        memcpy(&v, &b, sizeof v);
        break;
    case 1: /* a dyadic fraction (pixel coordinates /2^k) */
        v = (double)(int64_t)(b >> 34) / (double)(1ull << (b & 31));
        break;
    case 2: /* a decimal with few places (what people write) */
        v = (double)(b % 100000000u) / pow(10.0, (double)((b >> 40) % 9));
        break;
    case 3: { /* an all-zero or all-one mantissa (next to a power of two) */
        uint64_t e = 1 + (b >> 1) % 2046;
        uint64_t bits = (e << 52) | ((b & 1) ? ((1ull << 52) - 1) : 0);
        memcpy(&v, &bits, sizeof v);
        break;
    }
    case 4: /* an integer of any size */
        v = (double)(b >> (b & 63));
        break;
    case 5: { /* next to where the printer changes method */
        static const double edges[] = {1e15, 1e-5, 0x1p50, 0x1p53, 1.0, 1e-4, 1e14};
        double e = edges[(b >> 8) % 7];
        v = e * (1.0 + ((double)(b >> 20) / 0x1p44 - 0.5) * 1e-13);
        break;
    }
    default: /* a subnormal */
        b &= (1ull << 52) - 1;
        memcpy(&v, &b, sizeof v);
        break;
    }
    if (!isfinite(v)) {
        v = (double)(b >> 11);
    }
    return (prng_next(r) & 1) ? -v : v;
}

/* Significant digits of a decimal text (leading and trailing zeros not counted). */
static int significant_digits(const char *s)
{
    int k = 0, zeros = 0;
    bool seen = false;
    for (const char *c = s; *c != '\0' && *c != 'e' && *c != 'E'; c++) {
        if (*c < '0' || *c > '9') {
            continue;
        }
        if (*c == '0') {
            zeros += seen;
            continue;
        }
        seen = true;
        k += zeros + 1;
        zeros = 0;
    }
    return k;
}

/* The fewest significant digits that read back as v (1 for 0). */
static int shortest_digits(double v)
{
    char t[40];
    for (int p = 1; p < 17; p++) {
        snprintf(t, sizeof t, "%.*e", p - 1, v);
        if (strtod(t, NULL) == v) {
            return p;
        }
    }
    return 17;
}

/* The parsed tree `j` holds what cJSON tree `c` holds (numbers to the bit, -0
 * as 0: that is how the writer prints it). */
static void same_tree(const struct bmx__jnode *j, const cJSON *c)
{
    assert_non_null(j);
    if (cJSON_IsNull(c)) {
        assert_int_equal(j->type, BMX__J_NULL);
    } else if (cJSON_IsFalse(c)) {
        assert_int_equal(j->type, BMX__J_FALSE);
    } else if (cJSON_IsTrue(c)) {
        assert_int_equal(j->type, BMX__J_TRUE);
    } else if (cJSON_IsNumber(c)) {
        assert_int_equal(j->type, BMX__J_NUMBER);
        double want = c->valuedouble == 0 ? 0.0 : c->valuedouble;
        if (!same_bits(j->u.num, want)) {
            print_error("number %a read back as %a\n", want, j->u.num);
            fail();
        }
    } else if (cJSON_IsString(c)) {
        assert_int_equal(j->type, BMX__J_STRING);
        assert_int_equal(j->n, strlen(c->valuestring));
        assert_memory_equal(j->u.str, c->valuestring, j->n + 1);
    } else {
        bool obj = cJSON_IsObject(c);
        assert_int_equal(j->type, obj ? BMX__J_OBJECT : BMX__J_ARRAY);
        assert_int_equal(j->n, (size_t)cJSON_GetArraySize(c));
        const struct bmx__jnode *k = j->u.child;
        for (const cJSON *e = c->child; e != NULL; e = e->next, k = k->next) {
            assert_non_null(k);
            if (obj) {
                assert_string_equal(k->key, e->string);
            } else {
                assert_null(k->key);
            }
            same_tree(k, e);
        }
        assert_null(k);
    }
}

/* ------------------------------------------------------------------------- */
/* Parsing: value types and containers                                        */
/* ------------------------------------------------------------------------- */

static void parse_every_value_type(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum bmx__jtype type;
        size_t end;
    } cases[] = {
        {"null", BMX__J_NULL, 4},           {"true", BMX__J_TRUE, 4},
        {"false", BMX__J_FALSE, 5},         {"0", BMX__J_NUMBER, 1},
        {"-12.5e3", BMX__J_NUMBER, 7},      {"\"\"", BMX__J_STRING, 2},
        {"\"ab\"", BMX__J_STRING, 4},       {"[]", BMX__J_ARRAY, 2},
        {"{}", BMX__J_OBJECT, 2},           {" \t\r\n null", BMX__J_NULL, 9},
        {"\n[ \t\r\n]\n", BMX__J_ARRAY, 7}, {"{ \t\r\n}", BMX__J_OBJECT, 6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct doc d;
        size_t end;
        struct bmx__jnode *v = parse_ok(&d, cases[i].text, strlen(cases[i].text), &end);
        assert_int_equal(v->type, cases[i].type);
        assert_int_equal(end, cases[i].end);
        assert_null(v->next);
        assert_null(v->key);
        if (v->type == BMX__J_ARRAY || v->type == BMX__J_OBJECT) {
            assert_int_equal(v->n, 0);
            assert_null(v->u.child);
        }
        doc_close(&d);
    }
    struct doc d;
    struct bmx__jnode *v = parse_all(&d, T("\"ab\""));
    assert_int_equal(v->n, 2);
    assert_string_equal(v->u.str, "ab");
    doc_close(&d);
    v = parse_all(&d, T("-12.5e3"));
    assert_true(same_bits(v->u.num, -12500.0));
    doc_close(&d);
}

static void parse_containers_in_file_order(void **state)
{
    (void)state;
    struct doc d;
    struct bmx__jnode *v =
        parse_all(&d, T("{\"n\":null,\"t\":true,\"f\":false,\"x\":-1.5,\"s\":\"str\","
                        "\"a\":[1,\"two\",[3],{\"four\":4},null],\"o\":{\"k\":{}},\"e\":[]}"));
    assert_int_equal(v->type, BMX__J_OBJECT);
    assert_int_equal(v->n, 8);
    static const char *keys[] = {"n", "t", "f", "x", "s", "a", "o", "e"};
    static const enum bmx__jtype types[] = {BMX__J_NULL,   BMX__J_TRUE,   BMX__J_FALSE,
                                            BMX__J_NUMBER, BMX__J_STRING, BMX__J_ARRAY,
                                            BMX__J_OBJECT, BMX__J_ARRAY};
    size_t i = 0;
    for (const struct bmx__jnode *c = v->u.child; c != NULL; c = c->next, i++) {
        assert_true(i < 8);
        assert_string_equal(c->key, keys[i]);
        assert_int_equal(c->type, types[i]);
    }
    assert_int_equal(i, 8);

    const struct bmx__jnode *a = bmx__json_get(v, "a");
    assert_int_equal(a->n, 5);
    const struct bmx__jnode *e = a->u.child;
    assert_true(same_bits(e->u.num, 1.0));
    assert_null(e->key);
    e = e->next;
    assert_string_equal(e->u.str, "two");
    e = e->next;
    assert_int_equal(e->type, BMX__J_ARRAY);
    assert_int_equal(e->n, 1);
    assert_true(same_bits(e->u.child->u.num, 3.0));
    e = e->next;
    assert_int_equal(e->type, BMX__J_OBJECT);
    assert_string_equal(e->u.child->key, "four");
    assert_true(same_bits(e->u.child->u.num, 4.0));
    e = e->next;
    assert_int_equal(e->type, BMX__J_NULL);
    assert_null(e->next);

    const struct bmx__jnode *o = bmx__json_get(v, "o");
    assert_int_equal(o->n, 1);
    assert_int_equal(bmx__json_get(o, "k")->type, BMX__J_OBJECT);
    assert_int_equal(bmx__json_get(o, "k")->n, 0);
    assert_int_equal(bmx__json_get(v, "e")->n, 0);
    assert_true(same_bits(bmx__json_get(v, "x")->u.num, -1.5));
    doc_close(&d);

    /* Whitespace everywhere the grammar allows it. */
    v = parse_all(&d, T(" { \"a\" \t: \r\n [ 1 , 2 ] , \"b\" : { } } "));
    assert_int_equal(v->n, 2);
    assert_int_equal(bmx__json_get(v, "a")->n, 2);
    assert_true(same_bits(bmx__json_get(v, "a")->u.child->next->u.num, 2.0));
    doc_close(&d);
}

static void container_syntax_errors(void **state)
{
    (void)state;
    want_error(T("["), 1, "expected a value");
    want_error(T("[1"), 2, "expected ',' or ']'");
    want_error(T("[1,]"), 3, "expected a value");
    want_error(T("[,1]"), 1, "expected a value");
    want_error(T("[1 2]"), 3, "expected ',' or ']'");
    want_error(T("[1;2]"), 2, "expected ',' or ']'");
    want_error(T("[1}"), 2, "expected ',' or ']'");
    want_error(T("[truex]"), 5, "expected ',' or ']'");
    want_error(T("[tru]"), 1, "expected a value");
    want_error(T("{"), 1, "expected a string key");
    want_error(T("{,}"), 1, "expected a string key");
    want_error(T("{1:2}"), 1, "expected a string key");
    want_error(T("{'a':1}"), 1, "expected a string key");
    want_error(T("{a:1}"), 1, "expected a string key");
    want_error(T("{\"a\"}"), 4, "expected ':'");
    want_error(T("{\"a\" 1}"), 5, "expected ':'");
    want_error(T("{\"a\"=1}"), 4, "expected ':'");
    want_error(T("{\"a\":}"), 5, "expected a value");
    want_error(T("{\"a\":1,}"), 7, "expected a string key");
    want_error(T("{\"a\":1"), 6, "expected ',' or '}'");
    want_error(T("{\"a\":1 \"b\":2}"), 7, "expected ',' or '}'");
    want_error(T("{\"a\":1]"), 6, "expected ',' or '}'");
    want_error(T("{\"a\":[1,{\"b\":}]}"), 13, "expected a value");
    want_error(T("]"), 0, "expected a value");
    want_error(T("}"), 0, "expected a value");
    want_error(T(":"), 0, "expected a value");
    want_error(T(","), 0, "expected a value");
}

/* Arrays nested `n` deep, or objects {"a":...} when `objects`, around "1". */
static char *nested(int n, bool objects, size_t *len)
{
    size_t open = objects ? 5 : 1;
    char *t = malloc((size_t)n * (open + 1) + 2);
    assert_non_null(t);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        memcpy(t + k, objects ? "{\"a\":" : "[", open);
        k += open;
    }
    t[k++] = '1';
    for (int i = 0; i < n; i++) {
        t[k++] = objects ? '}' : ']';
    }
    t[k] = '\0';
    *len = k;
    return t;
}

static void nesting_limit_is_512(void **state)
{
    (void)state;
    assert_int_equal(BMX__JSON_MAX_DEPTH, 512);
    for (int objects = 0; objects < 2; objects++) {
        size_t len;
        char *t = nested(512, objects, &len);
        struct doc d;
        struct bmx__jnode *v = parse_all(&d, t, len);
        int depth = 0;
        while (v->type != BMX__J_NUMBER) {
            assert_int_equal(v->type, objects ? BMX__J_OBJECT : BMX__J_ARRAY);
            assert_int_equal(v->n, 1);
            v = v->u.child;
            depth++;
        }
        assert_int_equal(depth, 512);
        doc_close(&d);
        free(t);

        /* The 513th container is refused where it opens. */
        t = nested(513, objects, &len);
        want_error(t, len, objects ? 5 * 512 : 512, "nesting deeper than 512");
        free(t);
    }

    /* `depth` counts the containers already around the value. */
    struct doc d;
    doc_open(&d, T("[[1]]"));
    size_t pos = 0;
    struct bmx__jnode *v = NULL;
    assert_true(bmx__json_value(&d.p, &pos, 510, &v));
    assert_int_equal(pos, 5);
    pos = 0;
    assert_true(bmx__json_value(&d.q, &pos, 510, NULL));
    doc_close(&d);
    for (int m = 0; m < 2; m++) {
        doc_open(&d, T("[[1]]"));
        pos = 0;
        assert_false(bmx__json_value(m ? &d.p : &d.q, &pos, 511, m ? &v : NULL));
        assert_int_equal((m ? &d.p : &d.q)->err_pos, 1);
        assert_string_equal((m ? &d.p : &d.q)->err_what, "nesting deeper than 512");
        doc_close(&d);
    }
    /* A scalar is not a container: fine at any depth. */
    doc_open(&d, T("7"));
    pos = 0;
    assert_true(bmx__json_value(&d.p, &pos, 512, &v));
    assert_true(same_bits(v->u.num, 7.0));
    doc_close(&d);
    doc_open(&d, T("{}"));
    pos = 0;
    assert_false(bmx__json_value(&d.p, &pos, 512, &v));
    assert_int_equal(d.p.err_pos, 0);
    doc_close(&d);
}

/* ------------------------------------------------------------------------- */
/* Parsing: numbers                                                           */
/* ------------------------------------------------------------------------- */

static void numbers_exact_values(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double want;
    } cases[] = {
        {"0", 0.0},
        {"-0", -0.0},
        {"-0.0", -0.0},
        {"-0e10", -0.0},
        {"0.0", 0.0},
        {"0E-7", 0.0},
        {"0e999999999", 0.0},
        {"1", 1.0},
        {"-1", -1.0},
        {"123", 123.0},
        {"0.5", 0.5},
        {"0.1", 0.1},
        {"-0.1", -0.1},
        F(0.30000000000000004),
        {"1e0", 1.0},
        {"1E+2", 100.0},
        {"1e-2", 0.01},
        {"25e-1", 2.5},
        {"0.5e1", 5.0},
        {"1.5E+3", 1500.0},
        F(1e22),
        F(1e23),
        {"9007199254740992", 0x1p53},
        {"9007199254740993", 0x1p53},       /* halfway: to even */
        {"9007199254740995", 0x1p53 + 4.0}, /* halfway: to even, upwards */
        {"-9223372036854775808", -0x1p63},
        {"18446744073709551615", 0x1p64},
        {"9999999999999999999", 1e19},
        F(123456789012345678901234567890.0),
        F(4503599627370497.5), /* halfway: to even */
        F(0.000000000000000000000000000001),
        F(100000000000000000000000000000000000000000000000000e-50),
        F(0.0000000000000000000000000000000000000000000000000000000000000000001e67),
        /* the largest double, and around where rounding to infinity starts */
        {"1.7976931348623157e308", DBL_MAX},
        {"-1.7976931348623157e308", -DBL_MAX},
        {"1.7976931348623158e308", DBL_MAX},
        /* the smallest normal and subnormal doubles, and around where they vanish */
        {"2.2250738585072014e-308", DBL_MIN},
        F(2.2250738585072011e-308),
        {"2.2250738585072009e-308", 0x0.fffffffffffffp-1022},
        {"4.9406564584124654e-324", 0x1p-1074},
        {"5e-324", 0x1p-1074},
        {"2.4703282292062328e-324", 0x1p-1074},
        {"2.4703282292062327e-324", 0.0},
        {"-2.4703282292062327e-324", -0.0},
        {"1e-400", 0.0},
        {"-1e-400", -0.0},
        {"1e-100000000000000000000", 0.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        want_number(cases[i].text, cases[i].want);
    }
    /* DBL_MAX written out: 309 digits, no exponent. */
    char max[310];
    memcpy(max, "17976931348623157", 17);
    memset(max + 17, '0', 292);
    max[309] = '\0';
    want_number(max, DBL_MAX);
}

/* The first infinite number of a tree, in file order (NULL when none). */
static const struct bmx__jnode *first_infinite(const struct bmx__jnode *v)
{
    if (v->type == BMX__J_NUMBER) {
        return isinf(v->u.num) ? v : NULL;
    }
    if (v->type == BMX__J_ARRAY || v->type == BMX__J_OBJECT) {
        for (const struct bmx__jnode *c = v->u.child; c != NULL; c = c->next) {
            const struct bmx__jnode *r = first_infinite(c);
            if (r != NULL) {
                return r;
            }
        }
    }
    return NULL;
}

static void numbers_out_of_range_are_noted(void **state)
{
    (void)state;
    /* Not a syntax error: the value is infinite and its offset is kept. */
    static const struct {
        const char *text;
        size_t pos; /* of the first one */
        double first;
    } cases[] = {
        {"1e309", 0, INFINITY},
        {"1e999", 0, INFINITY},
        {"-1e999", 0, -INFINITY},
        {"1.7976931348623159e308", 0, INFINITY},
        {"0.1e310", 0, INFINITY},
        {"1e99999999999999999999", 0, INFINITY},
        {"[0, 1e999, -1e999]", 4, INFINITY},
        {"{\"a\":[1,2],\"b\":-1e400}", 15, -INFINITY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct doc d;
        struct bmx__jnode *v = parse_all(&d, cases[i].text, strlen(cases[i].text));
        assert_true(d.p.has_nonfinite);
        assert_int_equal(d.p.nonfinite_pos, cases[i].pos);
        const struct bmx__jnode *inf = first_infinite(v);
        assert_non_null(inf);
        assert_true(same_bits(inf->u.num, cases[i].first));
        doc_close(&d);
    }
    /* 1 and 309 zeros: no exponent, still too large; 308 zeros is fine. */
    char big[320];
    big[0] = '1';
    memset(big + 1, '0', 309);
    for (size_t zeros = 308; zeros <= 309; zeros++) {
        struct doc d;
        struct bmx__jnode *v = parse_all(&d, big, zeros + 1);
        assert_int_equal(d.p.has_nonfinite, zeros == 309);
        assert_true(zeros == 309 ? isinf(v->u.num) : v->u.num == 1e308);
        doc_close(&d);
    }
}

static void numbers_malformed_are_refused(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t pos;
        const char *what;
    } cases[] = {
        {"01", 1, "invalid number (leading zero)"},
        {"00", 1, "invalid number (leading zero)"},
        {"012", 1, "invalid number (leading zero)"},
        {"-01", 2, "invalid number (leading zero)"},
        {"-00", 2, "invalid number (leading zero)"},
        {"[01]", 2, "invalid number (leading zero)"},
        {"{\"a\":01}", 6, "invalid number (leading zero)"},
        {"1.", 2, "invalid number (a digit must follow '.')"},
        {"-1.", 3, "invalid number (a digit must follow '.')"},
        {"1.e5", 2, "invalid number (a digit must follow '.')"},
        {"[1.]", 3, "invalid number (a digit must follow '.')"},
        {"1e", 2, "invalid number (a digit must follow the exponent mark)"},
        {"1E", 2, "invalid number (a digit must follow the exponent mark)"},
        {"1e+", 3, "invalid number (a digit must follow the exponent mark)"},
        {"1E-", 3, "invalid number (a digit must follow the exponent mark)"},
        {"1ee5", 2, "invalid number (a digit must follow the exponent mark)"},
        {"1e+-5", 3, "invalid number (a digit must follow the exponent mark)"},
        {"[1e]", 3, "invalid number (a digit must follow the exponent mark)"},
        {"-", 1, "invalid number"},
        {"-a", 1, "invalid number"},
        {"--1", 1, "invalid number"},
        {"- 1", 1, "invalid number"},
        {"-.5", 1, "invalid number"},
        {"-Infinity", 1, "invalid number"},
        {"[-]", 2, "invalid number"},
        {".5", 0, "expected a value"},
        {"+1", 0, "expected a value"},
        {"Infinity", 0, "expected a value"},
        {"NaN", 0, "expected a value"},
        {"[0x10]", 2, "expected ',' or ']'"},
        {"[1.5.2]", 4, "expected ',' or ']'"},
        {"[1e5e5]", 4, "expected ',' or ']'"},
        {"[1_000]", 2, "expected ',' or ']'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        want_error(cases[i].text, strlen(cases[i].text), cases[i].pos, cases[i].what);
    }
}

static void numbers_match_strtod(void **state)
{
    (void)state;
    /* Random decimal texts of every shape: short and long mantissas (the fast
     * paths stop at 19 digits), exponents across and beyond the double range. */
    struct prng r = {2024};
    char text[128];
    for (int k = 0; k < 50000; k++) {
        size_t n = 0;
        if (prng_next(&r) & 1) {
            text[n++] = '-';
        }
        uint32_t ni = 1 + prng_below(&r, 25), nf = prng_below(&r, 4) ? prng_below(&r, 25) : 0;
        if (prng_below(&r, 6) == 0) {
            text[n++] = '0';
        } else {
            text[n++] = (char)('1' + prng_below(&r, 9));
            for (uint32_t q = 1; q < ni; q++) {
                text[n++] = (char)('0' + prng_below(&r, 10));
            }
        }
        if (nf > 0) {
            text[n++] = '.';
            for (uint32_t q = 0; q < nf; q++) {
                text[n++] = (char)('0' + prng_below(&r, 10));
            }
        }
        if (prng_below(&r, 3) != 0) {
            int e = (int)prng_below(&r, 801) - 400;
            n += (size_t)snprintf(text + n, sizeof text - n, "%s%d", prng_below(&r, 2) ? "e" : "E",
                                  e);
        }
        text[n] = '\0';
        double want = strtod(text, NULL);
        struct doc d;
        struct bmx__jnode *v = parse_all(&d, text, n);
        if (!same_bits(v->u.num, want) || d.p.has_nonfinite != (isinf(want) != 0)) {
            print_error("'%s': got %a, strtod %a (noted %d)\n", text, v->u.num, want,
                        d.p.has_nonfinite);
            fail();
        }
        doc_close(&d);
    }
}

static void numbers_end_where_the_digits_end(void **state)
{
    (void)state;
    /* Digits are scanned eight bytes at a time: a run of 1 to 24 digits followed
     * by bytes next to the digit range, or by nothing at all (the buffer's end). */
    static const char after[] = {'/',        ':',        ' ',        ',',        ']',
                                 'x',        (char)0x00, (char)0x7F, (char)0x80, (char)0xC0,
                                 (char)0xF9, (char)0xFA, (char)0xFF};
    char text[64];
    for (size_t nd = 1; nd <= 24; nd++) {
        for (size_t q = 0; q < nd; q++) {
            text[q] = (char)('1' + (q * 7) % 9);
        }
        text[nd] = '\0';
        double want = strtod(text, NULL);
        for (size_t a = 0; a <= sizeof after; a++) {
            size_t len = nd;
            if (a < sizeof after) {
                text[len++] = after[a];
                for (size_t pad = 0; pad < 9; pad++) {
                    text[len++] = '7'; /* digits again, after the stop */
                }
            }
            struct doc d;
            size_t end;
            struct bmx__jnode *v = parse_ok(&d, text, len, &end);
            assert_int_equal(end, nd);
            assert_true(same_bits(v->u.num, want));
            doc_close(&d);
            /* The same inside an array, where numbers take a shortcut. */
            char arr[80];
            arr[0] = '[';
            memcpy(arr + 1, text, nd);
            arr[nd + 1] = ']';
            v = parse_all(&d, arr, nd + 2);
            assert_true(same_bits(v->u.child->u.num, want));
            doc_close(&d);
        }
    }
}

/* ------------------------------------------------------------------------- */
/* Parsing: strings                                                           */
/* ------------------------------------------------------------------------- */

static void strings_unescape(void **state)
{
    (void)state;
    want_string(T("\"\""), "", 0);
    want_string(T("\"plain text\""), T("plain text"));
    want_string(T("\"\\\"\""), T("\""));
    want_string(T("\"\\\\\""), T("\\"));
    want_string(T("\"\\/\""), T("/"));
    want_string(T("\"/\""), T("/"));
    want_string(T("\"\\b\""), T("\b"));
    want_string(T("\"\\f\""), T("\f"));
    want_string(T("\"\\n\""), T("\n"));
    want_string(T("\"\\r\""), T("\r"));
    want_string(T("\"\\t\""), T("\t"));
    want_string(T("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\""), T("a\"b\\c/d\be\ff\ng\rh\ti"));
    /* \u escapes at each UTF-8 length boundary, hex in either case */
    want_string(T("\"\\u0001\""), T("\x01"));
    want_string(T("\"\\u001F\""), T("\x1F"));
    want_string(T("\"\\u0041\\u0062\""), T("Ab"));
    want_string(T("\"\\u0022\\u005c\""), T("\"\\"));
    want_string(T("\"\\u007f\""), T("\x7F"));
    want_string(T("\"\\u0080\""), T("\xC2\x80"));
    want_string(T("\"\\u00e9\\u00E9\""), T("\xC3\xA9\xC3\xA9"));
    want_string(T("\"\\u07FF\""), T("\xDF\xBF"));
    want_string(T("\"\\u0800\""), T("\xE0\xA0\x80"));
    want_string(T("\"\\u20ac\""), T("\xE2\x82\xAC"));
    want_string(T("\"\\uD7FF\""), T("\xED\x9F\xBF"));
    want_string(T("\"\\uE000\""), T("\xEE\x80\x80"));
    want_string(T("\"\\uFFFF\""), T("\xEF\xBF\xBF"));
    /* surrogate pairs: the first, the last, one in the middle, mixed case */
    want_string(T("\"\\uD800\\uDC00\""), T("\xF0\x90\x80\x80"));
    want_string(T("\"\\uDBFF\\uDFFF\""), T("\xF4\x8F\xBF\xBF"));
    want_string(T("\"\\ud83d\\ude00\""), T("\xF0\x9F\x98\x80"));
    want_string(T("\"\\uD83d\\uDe00x\""), T("\xF0\x9F\x98\x80x"));
    /* raw UTF-8 at each length boundary, and DEL (not a control in JSON) */
    want_string(T("\"\xC2\x80\xDF\xBF\""), T("\xC2\x80\xDF\xBF"));
    want_string(T("\"\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\""),
                T("\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF"));
    want_string(T("\"\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\""), T("\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"));
    want_string(T("\"\x7F\""), T("\x7F"));
    want_string(T("\"caf\xC3\xA9\\n\xE2\x82\xAC\\u00e9\""), T("caf\xC3\xA9\n\xE2\x82\xAC\xC3\xA9"));

    /* Keys are unescaped the same way. */
    struct doc d;
    struct bmx__jnode *v = parse_all(&d, T("{\"k\\u00e9y\\n\":1,\"\":2}"));
    assert_string_equal(v->u.child->key, "k\xC3\xA9y\n");
    assert_string_equal(v->u.child->next->key, "");
    assert_true(same_bits(bmx__json_get(v, "")->u.num, 2.0));
    doc_close(&d);
}

static void strings_refused(void **state)
{
    (void)state;
    const char *ctl = "control character in a string";
    const char *esc = "invalid escape in a string";
    const char *hex = "invalid \\u escape (4 hex digits expected)";
    const char *sur = "unpaired surrogate in a \\u escape";
    const char *utf = "invalid UTF-8";
    const char *end = "unterminated string";
    static const struct {
        const char *text;
        size_t len;
        size_t pos;
        int what; /* 0 ctl, 1 esc, 2 hex, 3 nul, 4 sur, 5 utf, 6 end */
    } cases[] = {
        /* raw control characters (U+0000 to U+001F) */
        {T("\"a\x01\""), 2, 0},
        {T("\"\x1F\""), 1, 0},
        {T("\"\t\""), 1, 0},
        {T("\"a\nb\""), 2, 0},
        {T("\"\r\""), 1, 0},
        {T("\"a\0b\""), 2, 0},
        /* escapes JSON does not have */
        {T("\"\\x41\""), 1, 1},
        {T("\"ab\\a\""), 3, 1},
        {T("\"\\'\""), 1, 1},
        {T("\"\\U0041\""), 1, 1},
        {T("\"\\0\""), 1, 1},
        {T("\"\\ \""), 1, 1},
        {T("\"\\\n\""), 1, 1},
        /* \u without four hex digits */
        {T("\"\\u12\""), 1, 2},
        {T("\"\\u12g4\""), 1, 2},
        {T("\"\\u 123\""), 1, 2},
        {T("\"x\\u\""), 2, 2},
        {T("\"\\u00"), 1, 2},
        /* U+0000 */
        {T("\"\\u0000\""), 1, 3},
        {T("\"ok\\u0000\""), 3, 3},
        /* lone surrogates */
        {T("\"\\uD800\""), 1, 4},
        {T("\"\\uDBFF\""), 1, 4},
        {T("\"\\uDC00\""), 1, 4},
        {T("\"\\uDFFF\""), 1, 4},
        {T("\"\\uDC00\\uD800\""), 1, 4},
        {T("\"x\\uD800\\u0041\""), 2, 4},
        {T("\"\\uD800\\uD800\""), 1, 4},
        {T("\"\\uD800\\uE000\""), 1, 4},
        {T("\"\\uD800\\n\""), 1, 4},
        {T("\"\\uD800\\uDC0\""), 1, 4},
        {T("\"\\uD800x\\uDC00\""), 1, 4},
        {T("\"\\uD800"), 1, 4},
        /* invalid UTF-8 */
        {T("\"x\x80\""), 2, 5},
        {T("\"x\xBF\""), 2, 5},
        {T("\"x\xC0\x80\""), 2, 5},             /* overlong NUL */
        {T("\"x\xC1\xBF\""), 2, 5},             /* overlong */
        {T("\"x\xC2\""), 2, 5},                 /* cut short by the quote */
        {T("\"x\xC3\x28\""), 2, 5},             /* bad continuation */
        {T("\"x\xE0\x80\x80\""), 2, 5},         /* overlong */
        {T("\"x\xE0\x9F\xBF\""), 2, 5},         /* overlong */
        {T("\"x\xED\xA0\x80\""), 2, 5},         /* encoded surrogate U+D800 */
        {T("\"x\xED\xBF\xBF\""), 2, 5},         /* encoded surrogate U+DFFF */
        {T("\"x\xE2\x82\""), 2, 5},             /* cut short */
        {T("\"x\xE2\x28\xA1\""), 2, 5},         /* bad continuation */
        {T("\"x\xE2\x82\x28\""), 2, 5},         /* bad continuation */
        {T("\"x\xF0\x80\x80\x80\""), 2, 5},     /* overlong */
        {T("\"x\xF0\x8F\xBF\xBF\""), 2, 5},     /* overlong */
        {T("\"x\xF4\x90\x80\x80\""), 2, 5},     /* above U+10FFFF */
        {T("\"x\xF5\x80\x80\x80\""), 2, 5},     /* above U+10FFFF */
        {T("\"x\xF0\x9F\x98\""), 2, 5},         /* cut short */
        {T("\"x\xF8\x88\x80\x80\x80\""), 2, 5}, /* five bytes */
        {T("\"x\xFE\""), 2, 5},
        {T("\"x\xFF\""), 2, 5},
        {T("\"ab\xC3"), 3, 5}, /* cut short by the end of the text */
        /* unterminated */
        {T("\""), 1, 6},
        {T("\"abc"), 4, 6},
        {T("\"\\"), 1, 6},
        {T("\"abc\\\""), 6, 6},
        {T("[\"a\",\"b"), 7, 6},
    };
    const char *whats[] = {ctl, esc, hex, "\\u0000 in a string is not supported", sur, utf, end};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        want_error(cases[i].text, cases[i].len, cases[i].pos, whats[cases[i].what]);
    }
    /* The same checks apply to keys. */
    want_error(T("{\"a\x01\":1}"), 3, ctl);
    want_error(T("{\"\\uDC00\":1}"), 2, sur);
    want_error(T("{\"\xFF\":1}"), 2, utf);
}

/* ------------------------------------------------------------------------- */
/* Parsing: repeated keys, trailing text, empty input, messages               */
/* ------------------------------------------------------------------------- */

static void repeated_keys(void **state)
{
    (void)state;
    /* Building refuses a repeated key, at the second one. */
    static const struct {
        const char *text;
        size_t pos;
    } cases[] = {
        {"{\"a\":1,\"a\":2}", 7},
        {"{\"a\":1,\"b\":2,\"a\":3}", 13},
        {"{\"a\":1, \"b\":{\"c\":1,\"c\":[]}}", 19},
        {"[{\"x\":1},{\"x\":1,\"x\":1}]", 16},
        {"{\"a\":1,\"\\u0061\":2}", 7}, /* the same key once unescaped */
        {"{\"\":1,\"\":2}", 6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct doc d;
        doc_open(&d, cases[i].text, strlen(cases[i].text));
        size_t pos = 0;
        struct bmx__jnode *v = NULL;
        assert_false(bmx__json_value(&d.p, &pos, 0, &v));
        assert_true(d.p.failed);
        assert_int_equal(d.p.err_pos, cases[i].pos);
        assert_string_equal(d.p.err_what, "a repeated key");
        doc_close(&d);
    }
    /* Keys alike but not equal are fine. */
    struct doc d;
    struct bmx__jnode *v = parse_all(&d, T("{\"a\":1,\"ab\":2,\"A\":3,\"a \":4,\"\":5}"));
    assert_int_equal(v->n, 5);
    doc_close(&d);

    /* With allow_repeated_keys every member is kept, in order; bmx__json_get
     * gives the first. */
    doc_open(&d, T("{\"a\":1,\"b\":2,\"a\":3,\"a\":{\"c\":4,\"c\":5}}"));
    d.p.allow_repeated_keys = true;
    size_t pos = 0;
    assert_true(bmx__json_value(&d.p, &pos, 0, &v));
    assert_int_equal(pos, d.len);
    assert_int_equal(v->n, 4);
    static const char *keys = "abaa";
    size_t i = 0;
    for (const struct bmx__jnode *c = v->u.child; c != NULL; c = c->next, i++) {
        assert_int_equal(c->key[0], keys[i]);
        assert_int_equal(c->key[1], '\0');
    }
    assert_true(same_bits(bmx__json_get(v, "a")->u.num, 1.0));
    const struct bmx__jnode *last = v->u.child->next->next->next;
    assert_int_equal(last->n, 2);
    assert_true(same_bits(bmx__json_get(last, "c")->u.num, 4.0));
    assert_true(same_bits(last->u.child->next->u.num, 5.0));
    doc_close(&d);
}

static void trailing_text_is_left_to_the_caller(void **state)
{
    (void)state;
    /* One value is read; what follows is not looked at (the readers refuse it). */
    static const struct {
        const char *text;
        size_t end, next;
    } cases[] = {
        {"1 2", 1, 2},  {"0x1F", 1, 1},    {"truex", 4, 4},  {"nullnull", 4, 4},
        {"[1]]", 3, 3}, {"{}x", 2, 2},     {"\"a\"b", 3, 3}, {"1.5.2", 3, 3},
        {"-0-", 2, 2},  {"[] \n ,", 2, 5}, {"{} \t", 2, 4},  {"1e5e5", 3, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct doc d;
        size_t end;
        parse_ok(&d, cases[i].text, strlen(cases[i].text), &end);
        assert_int_equal(end, cases[i].end);
        assert_int_equal(bmx__json_skip_ws(&d.p, end), cases[i].next);
        doc_close(&d);
    }
    /* A NUL after the value is text after it, like any other byte. */
    struct doc d;
    size_t end;
    parse_ok(&d, T("[1]\0"), &end);
    assert_int_equal(end, 3);
    assert_int_equal(bmx__json_skip_ws(&d.p, end), 3);
    doc_close(&d);
}

static void empty_input_and_whitespace(void **state)
{
    (void)state;
    want_error("", 0, 0, "expected a value");
    want_error(T(" "), 1, "expected a value");
    want_error(T(" \t\r\n "), 5, "expected a value");
    /* Only space, tab, CR and LF are whitespace. */
    want_error(T("\f1"), 0, "expected a value");
    want_error(T("\v1"), 0, "expected a value");
    want_error(T("\xC2\xA0\x31"), 0, "expected a value"); /* U+00A0, then 1 */
    want_error(T("\0"), 0, "expected a value");
    want_error(T("[1,\f2]"), 3, "expected a value");
    /* Literals are exact and lowercase. */
    want_error(T("tru"), 0, "expected a value");
    want_error(T("nul"), 0, "expected a value");
    want_error(T("fals"), 0, "expected a value");
    want_error(T("True"), 0, "expected a value");
    want_error(T("NULL"), 0, "expected a value");
    want_error(T("undefined"), 0, "expected a value");
    want_error(T("'a'"), 0, "expected a value");

    struct doc d;
    doc_open(&d, T("  \t\n x "));
    assert_int_equal(bmx__json_skip_ws(&d.p, 0), 5);
    assert_int_equal(bmx__json_skip_ws(&d.p, 5), 5);
    assert_int_equal(bmx__json_skip_ws(&d.p, 6), 7);
    assert_int_equal(bmx__json_skip_ws(&d.p, 7), 7);
    doc_close(&d);
}

/* The message bmx__json_fail gives for a text. */
static void want_message(const char *text, size_t len, const char *want)
{
    struct doc d;
    doc_open(&d, text, len);
    size_t pos = 0;
    struct bmx__jnode *v = NULL;
    assert_false(bmx__json_value(&d.p, &pos, 0, &v));
    bmx_error err = {0};
    assert_int_equal(bmx__json_fail(&d.p, "f.json", &err), BMX_E_PARSE);
    assert_int_equal(err.status, BMX_E_PARSE);
    assert_string_equal(err.message, want);
    doc_close(&d);
}

static void error_messages_give_line_and_column(void **state)
{
    (void)state;
    size_t line, col;
    static const struct {
        const char *text;
        size_t off, line, col;
    } lc[] = {
        {"abc", 0, 1, 1},
        {"abc", 2, 1, 3},
        {"abc", 3, 1, 4},
        {"a\nb", 1, 1, 2},
        {"a\nb", 2, 2, 1},
        {"a\r\nb", 3, 2, 1},
        {"a\rb", 2, 1, 3},
        {"\n\n\n", 3, 4, 1},
        {"ab\n\ncd", 5, 3, 2},
        {"\tx", 1, 1, 2},
        /* columns count bytes, not characters */
        {"\xC3\xA9x", 2, 1, 3},
    };
    for (size_t i = 0; i < sizeof lc / sizeof lc[0]; i++) {
        bmx__json_line_col(lc[i].text, lc[i].off, &line, &col);
        if (line != lc[i].line || col != lc[i].col) {
            print_error("offset %zu of '%s': line %zu, column %zu\n", lc[i].off, lc[i].text, line,
                        col);
            fail();
        }
    }

    want_message("", 0, "f.json: line 1, column 1: not valid JSON (expected a value)");
    want_message(T("{\n  \"a\": [1, 2,\n        ]\n}"),
                 "f.json: line 3, column 9: not valid JSON (expected a value)");
    want_message(T("[1,\r\n 2,\n\t x]"),
                 "f.json: line 3, column 3: not valid JSON (expected a value)");
    want_message(T("[\"ab\x01\"]"),
                 "f.json: line 1, column 5: not valid JSON (control character in a string)");
    want_message(T("{\"a\":1\n"), "f.json: line 2, column 1: not valid JSON (expected ',' or '}')");
    want_message(T("\n\n   01"),
                 "f.json: line 3, column 5: not valid JSON (invalid number (leading zero))");
    want_message(T("[\"\\uD800\"]"),
                 "f.json: line 1, column 3: not valid JSON (unpaired surrogate in a \\u escape)");
    want_message(T("{\"k\":1,\n\"k\":2}"),
                 "f.json: line 2, column 1: not valid JSON (a repeated key)");

    /* Out of memory reads as such. */
    struct doc d;
    doc_open(&d, T("1"));
    d.p.nomem = true;
    bmx_error err = {0};
    assert_int_equal(bmx__json_fail(&d.p, "f.json", &err), BMX_E_NOMEM);
    assert_string_equal(err.message, "f.json: out of memory");
    doc_close(&d);

    /* The first error is the one kept. */
    doc_open(&d, T("[1,]"));
    size_t pos = 0;
    assert_false(bmx__json_value(&d.q, &pos, 0, NULL));
    pos = 0;
    assert_int_equal(bmx__json_begin(&d.q, &pos, '{'), -1);
    assert_int_equal(d.q.err_pos, 3);
    assert_string_equal(d.q.err_what, "expected a value");
    doc_close(&d);
}

/* ------------------------------------------------------------------------- */
/* Walking, paths, helpers, conversion, the arena                             */
/* ------------------------------------------------------------------------- */

static void walk_with_begin_next_key(void **state)
{
    (void)state;
    struct doc d;
    doc_open(&d, T(" { \"a\" : [ ] , \"k\\u00e9\":{ } , \"n\": [1 , 2] } "));
    struct bmx__json *p = &d.p;
    size_t pos = 0;
    const char *key = NULL;
    assert_int_equal(bmx__json_begin(p, &pos, '{'), 1);
    assert_int_equal(pos, 3);
    assert_true(bmx__json_key(p, &pos, &key));
    assert_string_equal(key, "a");
    assert_int_equal(pos, 8);
    assert_int_equal(bmx__json_begin(p, &pos, '['), 0); /* empty, consumed */
    assert_int_equal(pos, 12);
    assert_int_equal(bmx__json_next(p, &pos, '}'), 1);
    assert_true(bmx__json_key(p, &pos, &key));
    assert_string_equal(key, "k\xC3\xA9");
    assert_true(bmx__json_value(p, &pos, 1, NULL));
    assert_int_equal(bmx__json_next(p, &pos, '}'), 1);
    assert_true(bmx__json_key(p, &pos, NULL)); /* key not kept */
    assert_int_equal(bmx__json_begin(p, &pos, '['), 1);
    struct bmx__jnode *v = NULL;
    assert_true(bmx__json_value(p, &pos, 2, &v));
    assert_true(same_bits(v->u.num, 1.0));
    assert_int_equal(bmx__json_next(p, &pos, ']'), 1);
    assert_true(bmx__json_value(p, &pos, 2, &v));
    assert_true(same_bits(v->u.num, 2.0));
    assert_int_equal(bmx__json_next(p, &pos, ']'), 0);
    assert_int_equal(bmx__json_next(p, &pos, '}'), 0);
    assert_int_equal(pos, d.len - 1);
    assert_int_equal(bmx__json_skip_ws(p, pos), d.len);
    assert_false(p->failed);
    doc_close(&d);

    /* Each refusal, with its offset and message. */
    static const struct {
        const char *text;
        int step; /* 0 begin '[', 1 begin '{', 2 next ']' at 2, 3 next '}' at 6, 4 key at 1 */
        size_t pos;
        const char *what;
    } bad[] = {
        {"", 0, 0, "expected '['"},
        {" {", 0, 1, "expected '['"},
        {"[", 1, 0, "expected '{'"},
        {"[1 2]", 2, 3, "expected ',' or ']'"},
        {"[1", 2, 2, "expected ',' or ']'"},
        {"{\"a\":1]", 3, 6, "expected ',' or '}'"},
        {"{1:2}", 4, 1, "expected a string key"},
        {"{\"a\" 1}", 4, 5, "expected ':'"},
        {"{\"a", 4, 3, "unterminated string"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        doc_open(&d, bad[i].text, strlen(bad[i].text));
        pos = 0;
        bool refused;
        switch (bad[i].step) {
        case 0:
            refused = bmx__json_begin(&d.p, &pos, '[') == -1;
            break;
        case 1:
            refused = bmx__json_begin(&d.p, &pos, '{') == -1;
            break;
        case 2:
            pos = 2;
            refused = bmx__json_next(&d.p, &pos, ']') == -1;
            break;
        case 3:
            pos = 6;
            refused = bmx__json_next(&d.p, &pos, '}') == -1;
            break;
        default:
            pos = 1;
            refused = !bmx__json_key(&d.p, &pos, &key);
            break;
        }
        assert_true(refused);
        assert_true(d.p.failed);
        assert_int_equal(d.p.err_pos, bad[i].pos);
        assert_string_equal(d.p.err_what, bad[i].what);
        doc_close(&d);
    }
}

static void path_of_an_offset(void **state)
{
    (void)state;
    static const char text[] = "{\"a\":[1,{\"b\":[0,1,22]}],\"c\":\"x\",\"k\\u00e9\":[[5]]}";
    /* offset -> path, for each byte of the text */
    static const char *want[] = {
        "",
        "",
        "",
        "",
        "",
        "a",
        "a[0]",
        "a",
        "a[1]",
        "a[1]",
        "a[1]",
        "a[1]",
        "a[1]",
        "a[1].b",
        "a[1].b[0]",
        "a[1].b",
        "a[1].b[1]",
        "a[1].b",
        "a[1].b[2]",
        "a[1].b[2]",
        "a[1].b",
        "a[1]",
        "a",
        "",
        "",
        "",
        "",
        "",
        "c",
        "c",
        "c",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "k\xC3\xA9",
        "k\xC3\xA9[0]",
        "k\xC3\xA9[0][0]",
        "k\xC3\xA9[0]",
        "k\xC3\xA9",
        "",
    };
    assert_int_equal(sizeof want / sizeof want[0], sizeof text - 1);
    struct doc d;
    doc_open(&d, T(text));
    char path[64];
    for (size_t t = 0; t < d.len; t++) {
        bmx__json_path_at(&d.p, 0, t, path, sizeof path);
        if (strcmp(path, want[t]) != 0) {
            print_error("offset %zu ('%c'): path '%s', want '%s'\n", t, text[t], path, want[t]);
            fail();
        }
    }
    bmx__json_path_at(&d.p, 0, d.len + 10, path, sizeof path);
    assert_string_equal(path, "");
    /* Truncated to the room given. */
    bmx__json_path_at(&d.p, 0, 18, path, 4);
    assert_string_equal(path, "a[1");
    bmx__json_path_at(&d.p, 0, 18, path, 1);
    assert_string_equal(path, "");
    path[0] = 'z';
    bmx__json_path_at(&d.p, 0, 18, path, 0);
    assert_int_equal(path[0], 'z');
    /* From a value that does not start the text. */
    bmx__json_path_at(&d.p, 13, 18, path, sizeof path);
    assert_string_equal(path, "[2]");
    doc_close(&d);

    doc_open(&d, T("[[0,[5]],7]"));
    bmx__json_path_at(&d.p, 0, 5, path, sizeof path);
    assert_string_equal(path, "[0][1][0]");
    bmx__json_path_at(&d.p, 0, 9, path, sizeof path);
    assert_string_equal(path, "[1]");
    doc_close(&d);
}

static void node_type_helpers(void **state)
{
    (void)state;
    struct doc d;
    struct bmx__jnode *v = parse_all(&d, T("[null,false,true,1,\"s\",[],{}]"));
    static const struct {
        enum bmx__jtype type;
        const char *name;
        bool number, string, array, object;
    } want[] = {
        {BMX__J_NULL, "null", false, false, false, false},
        {BMX__J_FALSE, "a boolean", false, false, false, false},
        {BMX__J_TRUE, "a boolean", false, false, false, false},
        {BMX__J_NUMBER, "a number", true, false, false, false},
        {BMX__J_STRING, "a string", false, true, false, false},
        {BMX__J_ARRAY, "an array", false, false, true, false},
        {BMX__J_OBJECT, "an object", false, false, false, true},
    };
    size_t i = 0;
    for (const struct bmx__jnode *c = v->u.child; c != NULL; c = c->next, i++) {
        assert_int_equal(c->type, want[i].type);
        assert_string_equal(bmx__json_type_name(c), want[i].name);
        assert_int_equal(bmx__json_is_number(c), want[i].number);
        assert_int_equal(bmx__json_is_string(c), want[i].string);
        assert_int_equal(bmx__json_is_array(c), want[i].array);
        assert_int_equal(bmx__json_is_object(c), want[i].object);
    }
    assert_int_equal(i, 7);
    doc_close(&d);
    assert_false(bmx__json_is_number(NULL));
    assert_false(bmx__json_is_string(NULL));
    assert_false(bmx__json_is_array(NULL));
    assert_false(bmx__json_is_object(NULL));
    assert_string_equal(bmx__json_type_name(NULL), "nothing");

    assert_string_equal(bmx__json_type_name_of_text('{'), "an object");
    assert_string_equal(bmx__json_type_name_of_text('['), "an array");
    assert_string_equal(bmx__json_type_name_of_text('"'), "a string");
    assert_string_equal(bmx__json_type_name_of_text('t'), "a boolean");
    assert_string_equal(bmx__json_type_name_of_text('f'), "a boolean");
    assert_string_equal(bmx__json_type_name_of_text('n'), "null");
    assert_string_equal(bmx__json_type_name_of_text('-'), "a number");
    assert_string_equal(bmx__json_type_name_of_text('0'), "a number");
    assert_string_equal(bmx__json_type_name_of_text('9'), "a number");

    assert_true(bmx__json_is_integral(0.0));
    assert_true(bmx__json_is_integral(-0.0));
    assert_true(bmx__json_is_integral(1.0));
    assert_true(bmx__json_is_integral(-3.0));
    assert_true(bmx__json_is_integral(0x1p53));
    assert_true(bmx__json_is_integral(-0x1p53));
    assert_true(bmx__json_is_integral(0x1p53 - 1));
    assert_false(bmx__json_is_integral(0x1p53 + 2));
    assert_false(bmx__json_is_integral(-0x1p53 - 2));
    assert_false(bmx__json_is_integral(1e300));
    assert_false(bmx__json_is_integral(0.5));
    assert_false(bmx__json_is_integral(-1.5));
    assert_false(bmx__json_is_integral(0x1p-1074));
    assert_false(bmx__json_is_integral(INFINITY));
    assert_false(bmx__json_is_integral(-INFINITY));
    assert_false(bmx__json_is_integral(NAN));

    v = parse_all(&d, T("{\"a\":1,\"b\":{\"a\":2},\"c\":[3]}"));
    assert_true(same_bits(bmx__json_get(v, "a")->u.num, 1.0));
    assert_true(same_bits(bmx__json_get(bmx__json_get(v, "b"), "a")->u.num, 2.0));
    assert_null(bmx__json_get(v, "z"));
    assert_null(bmx__json_get(v, "A"));
    assert_null(bmx__json_get(v, ""));
    assert_null(bmx__json_get(bmx__json_get(v, "c"), "a")); /* an array */
    assert_null(bmx__json_get(bmx__json_get(v, "a"), "a")); /* a number */
    assert_null(bmx__json_get(NULL, "a"));
    doc_close(&d);
}

static void conversion_to_cjson(void **state)
{
    (void)state;
    struct doc d;
    struct bmx__jnode *v = parse_all(
        &d, T("{\"a\":[1,-0,0.5,true,false,null,\"s\\n\\u00e9\"],\"b\":{\"c\":{}},\"d\":[],"
              "\"e\":1.7976931348623157e308}"));
    cJSON *c = bmx__json_to_cjson(v);
    doc_close(&d); /* a deep copy: nothing points into the parser */
    assert_non_null(c);
    assert_true(cJSON_IsObject(c));
    assert_int_equal(cJSON_GetArraySize(c), 4);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(c, "a");
    assert_true(cJSON_IsArray(a));
    assert_int_equal(cJSON_GetArraySize(a), 7);
    assert_true(same_bits(cJSON_GetArrayItem(a, 0)->valuedouble, 1.0));
    assert_true(same_bits(cJSON_GetArrayItem(a, 1)->valuedouble, -0.0));
    assert_true(same_bits(cJSON_GetArrayItem(a, 2)->valuedouble, 0.5));
    assert_true(cJSON_IsTrue(cJSON_GetArrayItem(a, 3)));
    assert_true(cJSON_IsFalse(cJSON_GetArrayItem(a, 4)));
    assert_true(cJSON_IsNull(cJSON_GetArrayItem(a, 5)));
    assert_string_equal(cJSON_GetArrayItem(a, 6)->valuestring, "s\n\xC3\xA9");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(c, "b");
    assert_true(cJSON_IsObject(b));
    const cJSON *bc = cJSON_GetObjectItemCaseSensitive(b, "c");
    assert_true(cJSON_IsObject(bc));
    assert_null(bc->child);
    const cJSON *dd = cJSON_GetObjectItemCaseSensitive(c, "d");
    assert_true(cJSON_IsArray(dd));
    assert_null(dd->child);
    assert_true(same_bits(cJSON_GetObjectItemCaseSensitive(c, "e")->valuedouble, DBL_MAX));
    /* Members in file order. */
    assert_string_equal(c->child->string, "a");
    assert_string_equal(c->child->next->string, "b");
    assert_string_equal(c->child->next->next->string, "d");
    assert_string_equal(c->child->next->next->next->string, "e");
    cJSON_Delete(c);

    /* Scalars at the top, and repeated keys kept when allowed. */
    v = parse_all(&d, T("\"top\""));
    c = bmx__json_to_cjson(v);
    assert_string_equal(c->valuestring, "top");
    cJSON_Delete(c);
    doc_close(&d);
    doc_open(&d, T("{\"k\":1,\"k\":2}"));
    d.p.allow_repeated_keys = true;
    size_t pos = 0;
    assert_true(bmx__json_value(&d.p, &pos, 0, &v));
    c = bmx__json_to_cjson(v);
    assert_int_equal(cJSON_GetArraySize(c), 2);
    assert_true(same_bits(c->child->next->valuedouble, 2.0));
    cJSON_Delete(c);
    doc_close(&d);
}

static void arena_grows_and_is_reused(void **state)
{
    (void)state;
    /* One text with a large string (larger than the first 64 KB block), a long
     * array and a small value, parsed one after the other with resets between. */
    const size_t big = 300000, count = 50000;
    size_t cap = big + 16 + count * 8 + 64;
    char *t = malloc(cap);
    assert_non_null(t);
    size_t n = 0;
    t[n++] = '"';
    for (size_t k = 0; k < big; k++) {
        t[n++] = (char)('a' + k % 26);
    }
    memcpy(t + n, "\\n\" ", 4);
    n += 4;
    size_t arr_start = n;
    t[n++] = '[';
    for (size_t k = 0; k < count; k++) {
        n += (size_t)snprintf(t + n, cap - n, "%zu%s", k, k + 1 < count ? "," : "");
    }
    t[n++] = ']';
    size_t small_start = n;
    memcpy(t + n, " {\"x\":[true]}", 13);
    n += 13;

    struct doc d;
    doc_open(&d, t, n);
    for (int round = 0; round < 3; round++) {
        size_t pos = 0;
        struct bmx__jnode *v = NULL;
        bmx__json_reset(&d.p);
        assert_true(bmx__json_value(&d.p, &pos, 0, &v));
        assert_int_equal(v->n, big + 1);
        assert_int_equal(v->u.str[big], '\n');
        assert_int_equal(v->u.str[big + 1], '\0');
        assert_int_equal(v->u.str[12345], 'a' + 12345 % 26);
        assert_int_equal(pos, arr_start - 1);

        for (int rep = 0; rep < 50; rep++) {
            bmx__json_reset(&d.p);
            pos = small_start;
            assert_true(bmx__json_value(&d.p, &pos, 0, &v));
            assert_int_equal(pos, n);
            assert_true(bmx__json_get(v, "x")->u.child->type == BMX__J_TRUE);
        }

        bmx__json_reset(&d.p);
        pos = arr_start;
        assert_true(bmx__json_value(&d.p, &pos, 0, &v));
        assert_int_equal(v->n, count);
        size_t k = 0;
        for (const struct bmx__jnode *c = v->u.child; c != NULL; c = c->next, k++) {
            assert_true(c->u.num == (double)k);
        }
        assert_int_equal(k, count);
    }
    assert_false(d.p.nomem);
    doc_close(&d);
    free(t);
    /* Free and reset are safe on a parser that never allocated. */
    struct bmx__json p;
    bmx__json_init(&p, "", 0);
    bmx__json_reset(&p);
    bmx__json_free(&p);
    bmx__json_free(&p);
}

static void numbers_with_a_comma_locale(void **state)
{
    (void)state;
    /* Numbers strtod converts are read with a '.' whatever LC_NUMERIC says. */
    static const char *names[] = {"de_DE.UTF-8", "de_DE.utf8",  "fr_FR.UTF-8", "fr_FR.utf8",
                                  "nl_NL.UTF-8", "ru_RU.UTF-8", "de_DE"};
    bool found = false;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !found; i++) {
        found = setlocale(LC_NUMERIC, names[i]) != NULL && localeconv()->decimal_point[0] == ',';
    }
    if (!found) {
        /* Not cmocka's skip(): its TAP line ("not ok # SKIP") reads as a failure. */
        setlocale(LC_NUMERIC, "C");
        print_message("# not checked: no locale with a decimal comma is installed\n");
        return;
    }
    want_number("1.7976931348623157e308", DBL_MAX);
    want_number("123456789012345678901.5", 123456789012345678901.5);
    want_number("0.1e-300", 0.1e-300);
    want_number("2.5e-320", 2.5e-320);
    want_number("-12345678901234567890.25e-3", -12345678901234567890.25e-3);
    setlocale(LC_NUMERIC, "C");
}

/* ------------------------------------------------------------------------- */
/* Writing                                                                    */
/* ------------------------------------------------------------------------- */

static void buf_number_exact_texts(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        /* integers below 1e15: digits only */
        {0.0, "0"},
        {-0.0, "0"},
        {1.0, "1"},
        {-1.0, "-1"},
        {42.0, "42"},
        {640.0, "640"},
        {1e14, "100000000000000"},
        {999999999999999.0, "999999999999999"},
        {-999999999999999.0, "-999999999999999"},
        /* from 1e15 on: the shortest of %.15g to %.17g */
        {1e15, "1e+15"},
        {-1e15, "-1e+15"},
        {0x1p53, "9007199254740992"},
        {1e21, "1e+21"},
        {123456789012345678.0, "1.2345678901234568e+17"},
        {4503599627370495.5, "4503599627370495.5"},
        {1.5e300, "1.5e+300"},
        {DBL_MAX, "1.7976931348623157e+308"},
        {-DBL_MAX, "-1.7976931348623157e+308"},
        /* fractions in [1e-5, 1e15): fixed notation, fewest decimals */
        {0.5, "0.5"},
        {0.1, "0.1"},
        {-0.1, "-0.1"},
        {0.30000000000000004, "0.30000000000000004"},
        {1.0 / 3.0, "0.3333333333333333"},
        {2.0 / 3.0, "0.6666666666666666"},
        {100.25, "100.25"},
        {123456.789, "123456.789"},
        {12345678.875, "12345678.875"},
        {999999999999999.5, "999999999999999.5"},
        {0.000123, "0.000123"},
        {1e-5, "0.00001"},
        {1.5e-5, "0.000015"},
        {-0.00001, "-0.00001"},
        /* below 1e-5: exponent notation */
        {1e-6, "1e-06"},
        {-2.5e-7, "-2.5e-07"},
        {DBL_MIN, "2.2250738585072014e-308"},
        /* no literal in JSON */
        {INFINITY, "null"},
        {-INFINITY, "null"},
        {NAN, "null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bmx__buf b = {0};
        bmx__buf_number(&b, cases[i].v);
        if (b.len != strlen(cases[i].text) || strcmp(b.data, cases[i].text) != 0) {
            print_error("%a printed as '%s', want '%s'\n", cases[i].v, b.data, cases[i].text);
            fail();
        }
        bmx__buf_free(&b);
    }
    /* Appends, like the other puts. */
    struct bmx__buf b = {0};
    bmx__buf_number(&b, 1.0);
    bmx__buf_puts(&b, ",");
    bmx__buf_number(&b, 0.5);
    bmx__buf_puts(&b, ",");
    bmx__buf_number(&b, -0.0);
    want_buf(&b, "1,0.5,0");
}

static void buf_number_random_round_trip(void **state)
{
    (void)state;
    struct prng r = {77};
    for (int k = 0; k < 100000; k++) {
        double v = random_double(&r);
        struct bmx__buf b = {0};
        bmx__buf_number(&b, v);
        assert_false(b.failed);
        assert_true(b.len > 0 && b.len <= BMX__NUMBER_MAX);
        char *end;
        double back = strtod(b.data, &end);
        double want = v == 0 ? 0.0 : v;
        if (!same_bits(back, want) || *end != '\0') {
            print_error("%a (%.17g) printed as '%s', reads back as %a\n", v, v, b.data, back);
            fail();
        }
        /* The fewest digits. Subnormals are left out: for them the printer
         * starts at 15 digits (5e-324 prints as 4.94065645841247e-324). */
        if (fabs(v) >= DBL_MIN || v == 0) {
            int got = significant_digits(b.data), best = shortest_digits(v);
            if (got > best) {
                print_error("%.17g printed as '%s': %d digits, %d read back\n", v, b.data, got,
                            best);
                fail();
            }
        }
        /* Valid JSON to the strict parser, and the same double again. */
        struct doc d;
        struct bmx__jnode *n = parse_all(&d, b.data, b.len);
        assert_int_equal(n->type, BMX__J_NUMBER);
        assert_true(same_bits(n->u.num, want));
        doc_close(&d);
        /* Integers below 1e15 print without a fraction or an exponent. */
        if (fabs(v) < 1e15 && v == floor(v)) {
            assert_null(strpbrk(b.data, ".eE"));
        }
        bmx__buf_free(&b);
    }
}

static void buf_int_extremes(void **state)
{
    (void)state;
    static const struct {
        int64_t v;
        const char *text;
    } cases[] = {
        {0, "0"},
        {1, "1"},
        {-1, "-1"},
        {9, "9"},
        {10, "10"},
        {-10, "-10"},
        {1000000, "1000000"},
        {INT32_MAX, "2147483647"},
        {(int64_t)INT32_MAX + 1, "2147483648"},
        {INT32_MIN, "-2147483648"},
        {(int64_t)1 << 53, "9007199254740992"},
        {INT64_MAX, "9223372036854775807"},
        {INT64_MIN, "-9223372036854775808"},
        {INT64_MIN + 1, "-9223372036854775807"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bmx__buf b = {0};
        bmx__buf_int(&b, cases[i].v);
        want_buf(&b, cases[i].text);
    }
    struct prng r = {5};
    char want[32];
    for (int k = 0; k < 10000; k++) {
        int64_t v = (int64_t)(prng_next(&r) >> prng_below(&r, 64));
        v = (k & 1) ? -v : v;
        snprintf(want, sizeof want, "%" PRId64, v);
        struct bmx__buf b = {0};
        bmx__buf_int(&b, v);
        want_buf(&b, want);
    }
}

static void buf_string_escaping(void **state)
{
    (void)state;
    static const struct {
        const char *s, *text;
    } cases[] = {
        {"", "\"\""},
        {"abc", "\"abc\""},
        {"a\"b", "\"a\\\"b\""},
        {"a\\b", "\"a\\\\b\""},
        {"\"\\\"", "\"\\\"\\\\\\\"\""},
        {"/", "\"/\""},
        {"\n\r\t", "\"\\n\\r\\t\""},
        {"\b", "\"\\u0008\""},
        {"\f", "\"\\u000c\""},
        {"\x01", "\"\\u0001\""},
        {"\x1F", "\"\\u001f\""},
        {"\x7F", "\"\x7F\""},
        {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
         "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\""},
        {"\xE2\x80\xA8", "\"\xE2\x80\xA8\""}, /* U+2028 is fine in JSON */
        {"a\x1b[0m", "\"a\\u001b[0m\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bmx__buf b = {0};
        bmx__buf_string(&b, cases[i].s);
        want_buf(&b, cases[i].text);
    }
    /* Every control character. */
    for (int c = 1; c < 0x20; c++) {
        char s[2] = {(char)c, '\0'};
        char want[16];
        if (c == '\n' || c == '\r' || c == '\t') {
            snprintf(want, sizeof want, "\"\\%c\"", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        } else {
            snprintf(want, sizeof want, "\"\\u%04x\"", (unsigned)c);
        }
        struct bmx__buf b = {0};
        bmx__buf_string(&b, s);
        want_buf(&b, want);
    }
    /* Every other ASCII byte but '"' and '\\' goes out as it is. */
    for (int c = 0x20; c < 0x80; c++) {
        char s[2] = {(char)c, '\0'};
        struct bmx__buf b = {0};
        bmx__buf_string(&b, s);
        assert_int_equal(b.len, c == '"' || c == '\\' ? 4 : 3);
        if (b.len == 3) {
            assert_int_equal((unsigned char)b.data[1], c);
        }
        bmx__buf_free(&b);
    }
}

static void buf_string_random_round_trip(void **state)
{
    (void)state;
    struct prng r = {99};
    char s[4 * 64 + 1];
    for (int k = 0; k < 20000; k++) {
        size_t n = random_utf8(&r, s, 64);
        struct bmx__buf b = {0};
        bmx__buf_string(&b, s);
        assert_false(b.failed);
        struct doc d;
        struct bmx__jnode *v = parse_all(&d, b.data, b.len);
        assert_int_equal(v->type, BMX__J_STRING);
        assert_int_equal(v->n, n);
        assert_memory_equal(v->u.str, s, n + 1);
        doc_close(&d);
        bmx__buf_free(&b);
    }
}

static void buf_json_small_tree(void **state)
{
    (void)state;
    cJSON *root = cJSON_CreateObject();
    assert_non_null(root);
    cJSON_AddNumberToObject(root, "id", 1);
    cJSON_AddStringToObject(root, "name", "a\"b\\c");
    cJSON *bbox = cJSON_AddArrayToObject(root, "bbox");
    cJSON_AddItemToArray(bbox, cJSON_CreateNumber(0.5));
    cJSON_AddItemToArray(bbox, cJSON_CreateNumber(-0.0));
    cJSON_AddItemToArray(bbox, cJSON_CreateNumber(1e15));
    cJSON_AddItemToArray(bbox, cJSON_CreateNumber(-2.5e-7));
    cJSON_AddTrueToObject(root, "ok");
    cJSON_AddFalseToObject(root, "no");
    cJSON_AddNullToObject(root, "nil");
    cJSON *nested = cJSON_AddObjectToObject(root, "nested");
    cJSON_AddArrayToObject(nested, "e");
    cJSON_AddObjectToObject(nested, "o");
    cJSON_AddStringToObject(root, "k\n\xC3\xA9", "\x01\t");
    cJSON_AddRawToObject(root, "raw", "[1, 2]");
    cJSON_AddNumberToObject(root, "big", 9007199254740992.0);

    static const char want[] =
        "{\"id\":1,\"name\":\"a\\\"b\\\\c\",\"bbox\":[0.5,0,1e+15,-2.5e-07],\"ok\":true,"
        "\"no\":false,\"nil\":null,\"nested\":{\"e\":[],\"o\":{}},"
        "\"k\\n\xC3\xA9\":\"\\u0001\\t\",\"raw\":[1, 2],\"big\":9007199254740992}";
    struct bmx__buf b = {0};
    bmx__buf_json(&b, root);
    want_buf(&b, want);

    /* What is written reads back (the raw member is valid JSON here). */
    struct doc d;
    struct bmx__jnode *v = parse_all(&d, T(want));
    assert_int_equal(v->n, 10);
    doc_close(&d);

    /* Scalars alone, NULL, and an item of no known type. */
    bmx__buf_json(&b, NULL);
    want_buf(&b, "null");
    bmx__buf_json(&b, bbox);
    want_buf(&b, "[0.5,0,1e+15,-2.5e-07]");
    bmx__buf_json(&b, cJSON_GetObjectItemCaseSensitive(root, "name"));
    want_buf(&b, "\"a\\\"b\\\\c\"");
    cJSON *odd = cJSON_CreateNull();
    odd->type = cJSON_Invalid;
    bmx__buf_json(&b, odd);
    want_buf(&b, "null");
    cJSON_Delete(odd);
    cJSON *empty = cJSON_CreateArray();
    bmx__buf_json(&b, empty);
    want_buf(&b, "[]");
    cJSON_Delete(empty);
    cJSON_Delete(root);
}

/* A random cJSON tree (numbers, strings with every kind of character, unique
 * keys), at most `depth` containers deep. */
static cJSON *random_tree(struct prng *r, int depth)
{
    uint32_t kind = prng_below(r, depth > 0 ? 8 : 6);
    char s[4 * 12 + 1];
    switch (kind) {
    case 0:
        return cJSON_CreateNull();
    case 1:
        return cJSON_CreateBool(prng_next(r) & 1);
    case 2:
    case 3:
        return cJSON_CreateNumber(random_double(r));
    case 4:
    case 5:
        random_utf8(r, s, 12);
        return cJSON_CreateString(s);
    default: {
        bool obj = kind == 7;
        cJSON *c = obj ? cJSON_CreateObject() : cJSON_CreateArray();
        uint32_t n = prng_below(r, 5);
        for (uint32_t i = 0; i < n; i++) {
            cJSON *e = random_tree(r, depth - 1);
            if (obj) {
                /* "k<i>:" first keeps the keys apart. */
                char key[16 + sizeof s];
                int m = snprintf(key, 16, "k%u:", (unsigned)i);
                random_utf8(r, key + m, 12);
                cJSON_AddItemToObject(c, key, e);
            } else {
                cJSON_AddItemToArray(c, e);
            }
        }
        return c;
    }
    }
}

static void buf_json_random_round_trip(void **state)
{
    (void)state;
    struct prng r = {31337};
    for (int k = 0; k < 3000; k++) {
        cJSON *tree = random_tree(&r, 5);
        assert_non_null(tree);
        struct bmx__buf b = {0};
        bmx__buf_json(&b, tree);
        assert_false(b.failed);
        struct doc d;
        struct bmx__jnode *v = parse_all(&d, b.data, b.len);
        same_tree(v, tree);
        /* Parsed, converted back and written again: the same text. */
        cJSON *back = bmx__json_to_cjson(v);
        assert_non_null(back);
        struct bmx__buf b2 = {0};
        bmx__buf_json(&b2, back);
        assert_int_equal(b2.len, b.len);
        assert_memory_equal(b2.data, b.data, b.len);
        bmx__buf_free(&b2);
        cJSON_Delete(back);
        doc_close(&d);
        bmx__buf_free(&b);
        cJSON_Delete(tree);
    }
}

static void buf_failure_is_sticky(void **state)
{
    (void)state;
    struct bmx__buf b = {0};
    bmx__buf_puts(&b, "[1");
    b.failed = true;
    bmx__buf_puts(&b, ",2");
    bmx__buf_number(&b, 3.5);
    bmx__buf_int(&b, 4);
    bmx__buf_string(&b, "x");
    bmx__buf_json(&b, NULL);
    bmx__buf_printf(&b, "%d", 5);
    assert_null(bmx__buf_room(&b, 1));
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.data, "[1", 3);
    bmx__buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_false(b.failed);
    /* A long printf goes through the buffer's own room. */
    bmx__buf_printf(&b, "%s%0300d", "n=", 7);
    assert_int_equal(b.len, 302);
    assert_int_equal(b.data[301], '7');
    assert_int_equal(b.data[302], '\0');
    bmx__buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_every_value_type),
        cmocka_unit_test(parse_containers_in_file_order),
        cmocka_unit_test(container_syntax_errors),
        cmocka_unit_test(nesting_limit_is_512),
        cmocka_unit_test(numbers_exact_values),
        cmocka_unit_test(numbers_out_of_range_are_noted),
        cmocka_unit_test(numbers_malformed_are_refused),
        cmocka_unit_test(numbers_match_strtod),
        cmocka_unit_test(numbers_end_where_the_digits_end),
        cmocka_unit_test(strings_unescape),
        cmocka_unit_test(strings_refused),
        cmocka_unit_test(repeated_keys),
        cmocka_unit_test(trailing_text_is_left_to_the_caller),
        cmocka_unit_test(empty_input_and_whitespace),
        cmocka_unit_test(error_messages_give_line_and_column),
        cmocka_unit_test(walk_with_begin_next_key),
        cmocka_unit_test(path_of_an_offset),
        cmocka_unit_test(node_type_helpers),
        cmocka_unit_test(conversion_to_cjson),
        cmocka_unit_test(arena_grows_and_is_reused),
        cmocka_unit_test(numbers_with_a_comma_locale),
        cmocka_unit_test(buf_number_exact_texts),
        cmocka_unit_test(buf_number_random_round_trip),
        cmocka_unit_test(buf_int_extremes),
        cmocka_unit_test(buf_string_escaping),
        cmocka_unit_test(buf_string_random_round_trip),
        cmocka_unit_test(buf_json_small_tree),
        cmocka_unit_test(buf_json_random_round_trip),
        cmocka_unit_test(buf_failure_is_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
