/* The dataset model: accessors, ownership, output buffer and file helpers. */
#include "dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- output buffer ---- */

void bmx__buf_free(struct bmx__buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static bool buf_reserve(struct bmx__buf *b, size_t extra)
{
    size_t need;
    if (b->failed || !bmx__add_size(b->len, extra + 1, &need)) {
        b->failed = true;
        return false;
    }
    if (need <= b->cap) {
        return true;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void bmx__buf_put(struct bmx__buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n)) {
        return;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void bmx__buf_puts(struct bmx__buf *b, const char *s)
{
    bmx__buf_put(b, s, strlen(s));
}

void bmx__buf_printf(struct bmx__buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        bmx__buf_put(b, small, (size_t)n);
        return;
    }
    if (!buf_reserve(b, (size_t)n)) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void bmx__buf_number(struct bmx__buf *b, double v)
{
    char tmp[40];
    if (!isfinite(v)) {
        /* Never produced from valid input; JSON has no literal for it. */
        bmx__buf_puts(b, "null");
        return;
    }
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(tmp, sizeof tmp, "%.0f", v == 0.0 ? 0.0 : v);
        bmx__buf_puts(b, tmp);
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (prec == 17 || strtod(tmp, NULL) == v) {
            break;
        }
    }
    bmx__buf_puts(b, tmp);
}

void bmx__buf_string(struct bmx__buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    bmx__buf_put(b, "\"", 1);
    const char *run = s;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\') {
            continue;
        }
        bmx__buf_put(b, run, (size_t)((const char *)p - run));
        run = (const char *)p + 1;
        switch (*p) {
        case '"':
            bmx__buf_put(b, "\\\"", 2);
            break;
        case '\\':
            bmx__buf_put(b, "\\\\", 2);
            break;
        case '\n':
            bmx__buf_put(b, "\\n", 2);
            break;
        case '\r':
            bmx__buf_put(b, "\\r", 2);
            break;
        case '\t':
            bmx__buf_put(b, "\\t", 2);
            break;
        default: {
            char esc[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
            bmx__buf_put(b, esc, 6);
        }
        }
    }
    bmx__buf_puts(b, run);
    bmx__buf_put(b, "\"", 1);
}

void bmx__buf_json(struct bmx__buf *b, const cJSON *v)
{
    if (v == NULL || cJSON_IsNull(v)) {
        bmx__buf_puts(b, "null");
    } else if (cJSON_IsFalse(v)) {
        bmx__buf_puts(b, "false");
    } else if (cJSON_IsTrue(v)) {
        bmx__buf_puts(b, "true");
    } else if (cJSON_IsNumber(v)) {
        bmx__buf_number(b, v->valuedouble);
    } else if (cJSON_IsString(v)) {
        bmx__buf_string(b, v->valuestring);
    } else if (cJSON_IsArray(v)) {
        bmx__buf_put(b, "[", 1);
        for (const cJSON *c = v->child; c != NULL; c = c->next) {
            bmx__buf_json(b, c);
            if (c->next != NULL) {
                bmx__buf_put(b, ",", 1);
            }
        }
        bmx__buf_put(b, "]", 1);
    } else if (cJSON_IsObject(v)) {
        bmx__buf_put(b, "{", 1);
        for (const cJSON *c = v->child; c != NULL; c = c->next) {
            bmx__buf_string(b, c->string);
            bmx__buf_put(b, ":", 1);
            bmx__buf_json(b, c);
            if (c->next != NULL) {
                bmx__buf_put(b, ",", 1);
            }
        }
        bmx__buf_put(b, "}", 1);
    } else if (cJSON_IsRaw(v)) {
        bmx__buf_puts(b, v->valuestring);
    } else {
        bmx__buf_puts(b, "null");
    }
}

/* ---- files ---- */

bmx_status bmx__read_file(const char *path, char **out, size_t *len, bmx_error *err)
{
    bmx_status st = BMX_OK;
    char *data = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = bmx__fail(err, BMX_E_IO, "%s: not a regular file", path);
        goto done;
    }
    size_t size = (size_t)sb.st_size;
    data = malloc(size + 1);
    if (data == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory reading %zu bytes", path, size);
        goto done;
    }
    if (size > 0 && fread(data, 1, size, f) != size) {
        st = bmx__fail(err, BMX_E_IO, "%s: read error", path);
        goto done;
    }
    data[size] = '\0';
    *out = data;
    *len = size;
    data = NULL;
done:
    free(data);
    fclose(f);
    return st;
}

bmx_status bmx__write_file_atomic(const char *path, const void *data, size_t len, bool sync,
                                  bmx_error *err)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (tmp == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
    }
    snprintf(tmp, plen + 32, "%s.tmp-%ld", path, (long)getpid());
    bmx_status st = BMX_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        st = bmx__fail(err, BMX_E_IO, "%s: cannot create: %s", tmp, strerror(errno));
        goto done;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            st = bmx__fail(err, BMX_E_IO, "%s: write error: %s", tmp, strerror(errno));
            break;
        }
        p += n;
        left -= (size_t)n;
    }
    if (st == BMX_OK && sync && fsync(fd) != 0) {
        st = bmx__fail(err, BMX_E_IO, "%s: fsync: %s", tmp, strerror(errno));
    }
    if (close(fd) != 0 && st == BMX_OK) {
        st = bmx__fail(err, BMX_E_IO, "%s: close: %s", tmp, strerror(errno));
    }
    if (st == BMX_OK && rename(tmp, path) != 0) {
        st = bmx__fail(err, BMX_E_IO, "%s: cannot rename into place: %s", path, strerror(errno));
    }
    if (st != BMX_OK) {
        unlink(tmp);
    }
done:
    free(tmp);
    return st;
}

/* ---- accessors ---- */

size_t bmx_dataset_image_count(const bmx_dataset *ds)
{
    return ds ? ds->n_images : 0;
}

const struct bmx_image_info *bmx_dataset_image(const bmx_dataset *ds, size_t i)
{
    return (ds && i < ds->n_images) ? &ds->images[i] : NULL;
}

size_t bmx_dataset_object_count(const bmx_dataset *ds, size_t i)
{
    return (ds && i < ds->n_images) ? ds->img_count[i] : 0;
}

const struct bmx_object *bmx_dataset_objects(const bmx_dataset *ds, size_t i)
{
    return (ds && i < ds->n_images) ? ds->objects + ds->img_first[i] : NULL;
}

size_t bmx_dataset_annotation_count(const bmx_dataset *ds)
{
    return ds ? ds->n_objects : 0;
}

size_t bmx_dataset_category_count(const bmx_dataset *ds)
{
    return ds ? ds->n_cats : 0;
}

const struct bmx_category *bmx_dataset_category(const bmx_dataset *ds, size_t i)
{
    return (ds && i < ds->n_cats) ? &ds->cats[i] : NULL;
}

void bmx_dataset_free(bmx_dataset *ds)
{
    if (ds == NULL) {
        return;
    }
    for (size_t i = 0; i < ds->n_objects; i++) {
        bmx_object_free(&ds->objects[i]);
    }
    for (size_t i = 0; i < ds->n_strings; i++) {
        free(ds->strings[i]);
    }
    free(ds->strings);
    free(ds->objects);
    free(ds->obj_image);
    free(ds->file_order);
    free(ds->images);
    free(ds->img_first);
    free(ds->img_count);
    free(ds->cats);
    cJSON_Delete(ds->extras);
    cJSON_Delete(ds->root);
    free(ds->name);
    free(ds);
}

bool bmx_dataset_image_patch(const bmx_dataset *ds, size_t i, struct bmx_rect *out)
{
    if (ds == NULL || i >= ds->n_images) {
        return false;
    }
    const cJSON *bm = cJSON_GetObjectItemCaseSensitive((const cJSON *)ds->images[i].extra, "boxmix");
    const cJSON *patch = cJSON_GetObjectItemCaseSensitive(bm, "patch");
    if (!cJSON_IsArray(patch) || cJSON_GetArraySize(patch) != 4) {
        return false;
    }
    double v[4];
    int k = 0;
    for (const cJSON *c = patch->child; c != NULL; c = c->next, k++) {
        if (!cJSON_IsNumber(c) || c->valuedouble < 0 || c->valuedouble > INT32_MAX) {
            return false;
        }
        v[k] = c->valuedouble;
    }
    *out = (struct bmx_rect){(int32_t)v[0], (int32_t)v[1], (int32_t)v[2], (int32_t)v[3]};
    return true;
}

const char *bmx_dataset_category_name(const bmx_dataset *ds, int64_t id)
{
    for (size_t i = 0; ds != NULL && i < ds->n_cats; i++) {
        if (ds->cats[i].id == id) {
            return ds->cats[i].name;
        }
    }
    return NULL;
}
