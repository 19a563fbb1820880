/* SPDX-License-Identifier: MIT */
/* JSON numbers in and out: the scanner that checks a number against the grammar and
 * converts it with correct rounding (eight digits at a time where it can), whether a
 * double is a JSON integer, the shortest text that reads back as the same double
 * (bmx__json_format_number) and printf's "%.<prec>g" without printf
 * (bmx__format_g). */
#include "json.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exact powers of ten: every one up to 1e22 is a double. */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

#define TWO_53 9007199254740992.0
#define TWO_50 1125899906842624.0

/* strtod on a copy of the token (the buffer need not be NUL-terminated), with the
 * locale's decimal point, as strtod expects it. */
static bool slow_number(struct bmx__json *p, size_t start, size_t end, double *out)
{
    char small[64];
    size_t n = end - start;
    char *tmp = n < sizeof small ? small : malloc(n + 1);
    if (tmp == NULL) {
        p->nomem = true;
        return false;
    }
    memcpy(tmp, p->buf + start, n);
    tmp[n] = '\0';
    const struct lconv *lc = localeconv();
    char point = lc != NULL && lc->decimal_point != NULL && lc->decimal_point[0] != '\0'
                     ? lc->decimal_point[0]
                     : '.';
    if (point != '.') {
        char *dot = memchr(tmp, '.', n);
        if (dot != NULL) {
            *dot = point;
        }
    }
    *out = strtod(tmp, NULL);
    if (tmp != small) {
        free(tmp);
    }
    return true;
}

/* The exponent part at s[*pos] ('e' or 'E' is there), saturated at +-100000. */
static bool scan_exponent(struct bmx__json *p, size_t *pos, long *out)
{
    const char *s = p->buf;
    size_t len = p->len, i = *pos + 1;
    bool neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    if (i >= len || !bmx__json_is_digit(s[i])) {
        return bmx__json_fail_at(p, i, "invalid number (a digit must follow the exponent mark)");
    }
    long e = 0;
    while (i < len && bmx__json_is_digit(s[i])) {
        if (e < 100000) {
            e = e * 10 + (s[i] - '0');
        }
        i++;
    }
    *out = neg ? -e : e;
    *pos = i;
    return true;
}

static void note_nonfinite(struct bmx__json *p, size_t start)
{
    if (!p->has_nonfinite) {
        p->has_nonfinite = true;
        p->nonfinite_pos = start;
    }
}

/* Digits are handled eight at a time where the buffer allows: a loop per digit
 * costs a mispredicted branch at the end of every number, and numbers are most of
 * a COCO file. The word tricks assume a little-endian machine. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define SWAR_DIGITS 1
#else
#define SWAR_DIGITS 0
#endif

/* How many of the bytes at s[0, 8) lead with a decimal digit (0..8). */
static inline size_t digits_in_word(const char *s)
{
#if SWAR_DIGITS
    uint64_t w;
    memcpy(&w, s, 8);
    /* A digit byte has high nibble 3, and so has the byte plus 6. A carry out of
     * a byte (0xFA and up, not a digit) only disturbs the bytes after it. */
    uint64_t a = (w & 0xF0F0F0F0F0F0F0F0u) ^ 0x3030303030303030u;
    uint64_t b = ((w + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) ^ 0x3030303030303030u;
    uint64_t t = a | b;
    return t == 0 ? 8 : (size_t)__builtin_ctzll(t) / 8;
#else
    size_t n = 0;
    while (n < 8 && bmx__json_is_digit(s[n])) {
        n++;
    }
    return n;
#endif
}

/* The length of the run of digits at s[i] (buffer ends at len). */
static inline size_t digit_run(const char *s, size_t i, size_t len)
{
    size_t start = i;
    while (len - i >= 8) {
        size_t n = digits_in_word(s + i);
        i += n;
        if (n < 8) {
            return i - start;
        }
    }
    while (i < len && bmx__json_is_digit(s[i])) {
        i++;
    }
    return i - start;
}

static const uint64_t pow10_u64[20] = {1u,
                                       10u,
                                       100u,
                                       1000u,
                                       10000u,
                                       100000u,
                                       1000000u,
                                       10000000u,
                                       100000000u,
                                       1000000000u,
                                       10000000000u,
                                       100000000000u,
                                       1000000000000u,
                                       10000000000000u,
                                       100000000000000u,
                                       1000000000000000u,
                                       10000000000000000u,
                                       100000000000000000u,
                                       1000000000000000000u,
                                       10000000000000000000u};

/* m * 10^n + the value of the n (<= 19 in all) digits at s[i], buffer ends at len. */
static inline uint64_t add_digits(uint64_t m, const char *s, size_t i, size_t n, size_t len)
{
    while (n > 0) {
        size_t k = n < 8 ? n : 8;
#if SWAR_DIGITS
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            w = (w & 0x0F0F0F0F0F0F0F0Fu) << (8 * (8 - k)); /* k digits, leading zeros */
            w = (w * 10 + (w >> 8)) & 0x00FF00FF00FF00FFu;  /* pairs */
            w = (w * 100 + (w >> 16)) & 0x0000FFFF0000FFFFu; /* quads */
            w = (w * 10000 + (w >> 32)) & 0xFFFFFFFFu;
            m = m * pow10_u64[k] + w;
            i += k;
            n -= k;
            continue;
        }
#endif
        for (size_t q = 0; q < k; q++) {
            m = m * 10 + (uint64_t)(s[i + q] - '0');
        }
        i += k;
        n -= k;
    }
    return m;
}

/* The number at *pos: checked against the grammar and, when `out` is not NULL,
 * converted with correct rounding. */
bool bmx__json_scan_number(struct bmx__json *p, size_t *pos, double *out)
{
    const char *s = p->buf;
    size_t len = p->len;
    size_t start = *pos, i = start;
    bool neg = false;
    if (s[i] == '-') {
        neg = true;
        i++;
    }
    if (i >= len || !bmx__json_is_digit(s[i])) {
        return bmx__json_fail_at(p, i, "invalid number");
    }
    size_t int_start = i;
    size_t n_int = digit_run(s, i, len);
    if (s[i] == '0' && n_int > 1) {
        return bmx__json_fail_at(p, i + 1, "invalid number (leading zero)");
    }
    i += n_int;
    size_t frac_start = i, n_frac = 0;
    if (i < len && s[i] == '.') {
        i++;
        frac_start = i;
        n_frac = digit_run(s, i, len);
        if (n_frac == 0) {
            return bmx__json_fail_at(p, i, "invalid number (a digit must follow '.')");
        }
        i += n_frac;
    }
    long e = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        if (!scan_exponent(p, &i, &e)) {
            return false;
        }
    }
    *pos = i;
    if (out == NULL) {
        /* Checking only: below 10^308 a number is surely finite. */
        if ((long)(n_int > 100000 ? 100000 : n_int) + e > 308) {
            double v;
            if (!slow_number(p, start, i, &v)) {
                return false;
            }
            if (!isfinite(v)) {
                note_nonfinite(p, start);
            }
        }
        return true;
    }
    double v;
    long x = e - (long)(n_frac > 100000 ? 100000 : n_frac);
    uint64_t m = 0;
    bool fast = n_int + n_frac <= 19;
    if (fast) {
        m = add_digits(add_digits(0, s, int_start, n_int, len), s, frac_start, n_frac, len);
    }
    if (fast && m == 0) {
        v = neg ? -0.0 : 0.0;
    } else if (fast && m <= ((uint64_t)1 << 53) && x >= -22 && x <= 22) {
        /* Clinger's fast path: m and 10^|x| are exact, so one rounding. */
        v = x < 0 ? (double)m / pow10_exact[-x] : (double)m * pow10_exact[x];
        v = neg ? -v : v;
    } else if (!slow_number(p, start, i, &v)) {
        return false;
    }
    if (!isfinite(v)) {
        note_nonfinite(p, start);
    }
    *out = v;
    return true;
}

/* Checking a number without converting it: what most of a big file's bytes go
 * through on the first pass, so the common shape (-?digits(.digits)?) is taken
 * here and anything else goes to bmx__json_scan_number. */
bool bmx__json_skip_number(struct bmx__json *p, size_t *pos)
{
    const char *s = p->buf;
    size_t len = p->len;
    size_t i = *pos + (s[*pos] == '-');
    if (i >= len || s[i] < '1' || s[i] > '9') {
        return bmx__json_scan_number(p, pos, NULL); /* "0...", or an error */
    }
    size_t n_int = digit_run(s, i, len);
    i += n_int;
    if (i < len && s[i] == '.') {
        size_t n_frac = digit_run(s, i + 1, len);
        if (n_frac == 0) {
            return bmx__json_scan_number(p, pos, NULL);
        }
        i += 1 + n_frac;
    }
    if ((i < len && (s[i] == 'e' || s[i] == 'E')) || n_int > 308) {
        return bmx__json_scan_number(p, pos, NULL);
    }
    *pos = i;
    return true;
}

bool bmx__json_is_integral(double v)
{
    return isfinite(v) && v == floor(v) && fabs(v) <= TWO_53;
}

/* ---- numbers out ---- */

/* Decimal digits of n, least significant first; returns the count. */
static int digits_reversed(char *out, uint64_t n)
{
    int k = 0;
    do {
        out[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n != 0);
    return k;
}

/* n / 10^p written with the point in place (trailing zeros of the fraction
 * dropped), after a '-' when `neg`. */
static size_t put_fixed(char *out, bool neg, uint64_t n, int p)
{
    char rev[24];
    char *o = out;
    int k = digits_reversed(rev, n);
    while (k <= p) {
        rev[k++] = '0';
    }
    int z = 0;
    while (z < p && rev[z] == '0') {
        z++;
    }
    if (neg) {
        *o++ = '-';
    }
    for (int q = k - 1; q >= p; q--) {
        *o++ = rev[q];
    }
    if (z < p) {
        *o++ = '.';
        for (int q = p - 1; q >= z; q--) {
            *o++ = rev[q];
        }
    }
    return (size_t)(o - out);
}

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 u128;

/* For a in [1e-5, 1e15), not an integer: the fewest decimals p >= p0 whose
 * rounding of a reads back to a, found with exact integer arithmetic (the
 * numerators here pass 2^53, where a double quotient is no longer exact).
 * Returns false when none up to 22 decimals does (it always does by 17
 * significant digits). */
static bool exact_decimals(double a, int p0, uint64_t *n_out, int *p_out)
{
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int be = (int)((bits >> 52) & 0x7FF);
    uint64_t m = bits & (((uint64_t)1 << 52) - 1);
    if (be == 0) {
        return false; /* subnormal: not in this range */
    }
    m |= (uint64_t)1 << 52;
    int k = 1075 - be; /* a = m / 2^k, and k > 0 as a is not an integer */
    if (k <= 0 || k > 70) {
        return false; /* a >= 1e-5 keeps k <= 69: every product below fits */
    }
    bool lower_closer = m == ((uint64_t)1 << 52) && be > 1;
    for (int p = p0 < 1 ? 1 : p0; p <= 22; p++) {
        u128 ten = 1;
        for (int q = 0; q < p; q++) {
            ten *= 10;
        }
        u128 t = (u128)m * ten; /* a * 10^p * 2^k, below 2^123 */
        u128 n = t >> k;
        u128 r = t - (n << k);
        u128 half = (u128)1 << (k - 1);
        if (r > half || (r == half && (n & 1) != 0)) {
            n++;
        }
        if (n >= (u128)100000000000000000u) {
            return false; /* 17 digits always read back: not reached */
        }
        /* n / 10^p reads back as a when its distance to a is within half a unit
         * in the last place (ties go to the even mantissa): in units of
         * 2^-(k+1) / 10^p, |n * 2^(k+1) - 2 t| against 10^p. */
        u128 lhs = n << (k + 1), rhs = t << 1;
        u128 diff = lhs > rhs ? lhs - rhs : rhs - lhs;
        bool ok;
        if (lhs < rhs && lower_closer) {
            ok = 2 * diff <= ten; /* the gap below a power of two is half as wide */
        } else {
            ok = diff < ten || (diff == ten && (m & 1) == 0);
        }
        if (ok) {
            *n_out = (uint64_t)n;
            *p_out = p;
            return true;
        }
    }
    return false;
}
#endif

/* printf's %g writes the locale's decimal point; JSON and boxmix's texts have '.'
 * whatever LC_NUMERIC a program embedding the library has set. */
static void c_point(char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == ',') {
            *s = '.';
        }
    }
}

size_t bmx__json_format_number(char *out, double v)
{
    if (!isfinite(v)) {
        /* Never produced from valid input; JSON has no literal for it. */
        memcpy(out, "null", 4);
        return 4;
    }
    double a = fabs(v);
    if (a < 1e15 && (double)(int64_t)a == a) {
        return put_fixed(out, (uint64_t)a != 0 && v < 0, (uint64_t)a, 0);
    }
    if (a >= 1e-5 && a < 1e15) {
        /* The fewest decimals p such that round(a * 10^p) / 10^p is a again: the
         * numerator is below 2^53 and 10^p exact, so that quotient is what
         * strtod makes of the printed digits. Below 2^50 the rounding error of
         * a * 10^p (under 1/16) cannot turn a numerator that reads back into one
         * that does not (that needs one within 1/8 of a * 10^p); above, the
         * exact arithmetic takes over. */
        int p = 1;
        for (; p <= 22; p++) {
            double t = a * pow10_exact[p];
            if (t >= TWO_50) {
                break;
            }
            uint64_t n = (uint64_t)llround(t);
            if ((double)n / pow10_exact[p] == a) {
                return put_fixed(out, v < 0, n, p);
            }
        }
#if defined(__SIZEOF_INT128__)
        uint64_t n;
        if (exact_decimals(a, p, &n, &p)) {
            return put_fixed(out, v < 0, n, p);
        }
#endif
    }
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (prec == 17 || strtod(tmp, NULL) == v) {
            break;
        }
    }
    c_point(tmp);
    size_t n = strlen(tmp);
    memcpy(out, tmp, n);
    return n;
}

static const double pow10_int[11] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};

/* printf formats a double through multi-precision arithmetic, and a big file can
 * give a million messages with several numbers each; so the text is made from
 * the shortest decimal that reads back as v (bmx__json_format_number) where that
 * is exact. That decimal is within half an ulp of v and has the fewest decimals
 * (or is v correctly rounded to 15 to 17 digits), so no halfway point of a
 * rounding to prec <= 14 digits lies strictly between the two: rounding either
 * gives the same digits, unless the decimal is itself a halfway point (its
 * digits past prec are exactly "5"). That case, zero, and the exponent notation
 * go to printf. */
const char *bmx__format_g(char *out, size_t cap, double v, int prec)
{
    char s[BMX__NUMBER_MAX + 1];
    double a = fabs(v);
    if (a >= 1.0 && prec >= 1 && prec <= 10 && a < pow10_int[prec] && cap >= 24) {
        /* The usual case, without a loop: a * 10^q (q >= 0, exact power) has its
         * prec digits before the point and is off the exact product by at most
         * half an ulp (< 1e-6 below 1e10), so unless it lies near a halfway
         * point, rounding it to an integer gives printf's digits. */
        int x = 0;
        while (x + 1 < prec && a >= pow10_int[x + 1]) {
            x++;
        }
        double t = a * pow10_int[prec - 1 - x];
        uint64_t n = (uint64_t)t;
        double f = t - (double)n;
        if (f < 0.5 - 1e-4 || f > 0.5 + 1e-4) {
            n += f > 0.5;
            if (n == (uint64_t)pow10_int[prec]) {
                n /= 10;
                x++;
            }
            if (x < prec) {
                char d[12];
                for (int q = prec - 1; q >= 0; q--) {
                    d[q] = (char)('0' + n % 10);
                    n /= 10;
                }
                int k = prec;
                while (k > x + 1 && d[k - 1] == '0') {
                    k--;
                }
                char *o = out;
                if (v < 0) {
                    *o++ = '-';
                }
                memcpy(o, d, (size_t)x + 1);
                o += x + 1;
                if (k > x + 1) {
                    *o++ = '.';
                    memcpy(o, d + x + 1, (size_t)(k - x - 1));
                    o += k - x - 1;
                }
                *o = '\0';
                return out;
            }
        }
    }
    if (!(a >= 1e-4 && a < 1e14) || prec < 1 || prec > 14 || cap < 24) {
        goto slow;
    }
    size_t n = bmx__json_format_number(s, v);
    s[n] = '\0';
    /* The decimal's significant digits d[0, k) and the exponent x of the first. */
    char d[BMX__NUMBER_MAX];
    int k = 0, point = -1, lead = 0;
    bool seen = false;
    for (const char *q = s + (s[0] == '-'); *q != '\0'; q++) {
        if (*q == '.') {
            point = k + lead;
        } else if (*q < '0' || *q > '9') {
            goto slow;
        } else if (!seen && *q == '0') {
            lead++;
        } else {
            seen = true;
            d[k++] = *q;
        }
    }
    if (k == 0) {
        goto slow;
    }
    if (point < 0) {
        point = k + lead;
    }
    int x = point - lead - 1;
    while (k > 0 && d[k - 1] == '0') {
        k--;
    }
    if (k > prec) {
        bool up;
        if (d[prec] != '5') {
            up = d[prec] > '5';
        } else {
            up = false;
            for (int q = prec + 1; q < k; q++) {
                up = up || d[q] != '0';
            }
            if (!up) {
                goto slow; /* a halfway decimal: printf rounds v itself */
            }
        }
        k = prec;
        if (up) {
            int q = k - 1;
            while (q >= 0 && d[q] == '9') {
                d[q--] = '0';
            }
            if (q < 0) {
                d[0] = '1';
                k = 1;
                x++;
            } else {
                d[q]++;
            }
        }
        while (k > 0 && d[k - 1] == '0') {
            k--;
        }
    }
    if (x < -4 || x >= prec) {
        goto slow;
    }
    char *o = out;
    if (v < 0) {
        *o++ = '-';
    }
    if (x < 0) {
        *o++ = '0';
        *o++ = '.';
        for (int q = 0; q < -x - 1; q++) {
            *o++ = '0';
        }
        memcpy(o, d, (size_t)k);
        o += k;
    } else {
        for (int q = 0; q <= x; q++) {
            *o++ = q < k ? d[q] : '0';
        }
        if (k > x + 1) {
            *o++ = '.';
            memcpy(o, d + x + 1, (size_t)(k - x - 1));
            o += k - x - 1;
        }
    }
    *o = '\0';
    return out;
slow:
    snprintf(out, cap, "%.*g", prec, v);
    c_point(out);
    return out;
}
