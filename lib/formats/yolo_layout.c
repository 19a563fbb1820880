/* SPDX-License-Identifier: MIT */
/* Where a YOLO dataset's files are: the data.yaml's root and split paths (folders,
 * .txt lists, lists of those; Roboflow's "../train/images" included), or a folder
 * holding images/ and labels/; the images they name; the /images/ -> /labels/
 * rule that gives each image its label file. */
#include "yolo.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Folders are searched this deep at most. */
#define MAX_DIR_DEPTH 32

char *bmx__yolo_label_path(const char *image_path)
{
    const char *cut = NULL;
    for (const char *p = strstr(image_path, "/images/"); p != NULL; p = strstr(p + 1, "/images/")) {
        cut = p;
    }
    const char *base = strrchr(image_path, '/');
    base = base != NULL ? base + 1 : image_path;
    const char *dot = strrchr(base, '.');
    size_t stem = dot != NULL && dot != base ? (size_t)(dot - image_path) : strlen(image_path);
    size_t len = stem + 4 + 1;
    char *out = malloc(len);
    if (out == NULL) {
        return NULL;
    }
    memcpy(out, image_path, stem);
    memcpy(out + stem, ".txt", 5);
    if (cut != NULL && (size_t)(cut - image_path) < stem) {
        memcpy(out + (cut - image_path), "/labels/", 8);
    }
    return out;
}

char *bmx__yolo_norm_path(const char *path)
{
    char *full = NULL;
    if (path[0] == '/') {
        full = strdup(path);
    } else {
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof cwd) == NULL) {
            return NULL;
        }
        full = bmx__path_join(cwd, path);
    }
    if (full == NULL) {
        return NULL;
    }
    /* Collapse in place: components kept so far end at `w`. */
    size_t w = 0, n = strlen(full);
    for (size_t i = 0; i < n;) {
        while (i < n && full[i] == '/') {
            i++;
        }
        size_t s = i;
        while (i < n && full[i] != '/') {
            i++;
        }
        size_t cl = i - s;
        if (cl == 0 || (cl == 1 && full[s] == '.')) {
            continue;
        }
        if (cl == 2 && full[s] == '.' && full[s + 1] == '.') {
            while (w > 0 && full[w - 1] != '/') {
                w--;
            }
            if (w > 0) {
                w--;
            }
            continue;
        }
        full[w++] = '/';
        memmove(full + w, full + s, cl);
        w += cl;
    }
    if (w == 0) {
        full[w++] = '/';
    }
    full[w] = '\0';
    return full;
}

bool bmx__yolo_under(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/') {
        return path[0] == '/';
    }
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool bmx__yolo_is_image_name(const char *name)
{
    /* Ultralytics' IMG_FORMATS. */
    static const char *const ext[] = {"bmp", "dng", "jpeg", "jpg", "mpo", "png",
                                      "tif", "tiff", "webp", "pfm", "heic"};
    const char *dot = strrchr(name, '.');
    if (dot == NULL || dot == name) {
        return false;
    }
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        if (strcasecmp(dot + 1, ext[i]) == 0) {
            return true;
        }
    }
    return false;
}

void bmx__yolo_layout_free(struct bmx__yolo_layout *l)
{
    if (l == NULL) {
        return;
    }
    free(l->yaml_file);
    free(l->dataset_root);
    free(l->root);
    bmx__strlist_free(&l->images);
    bmx__strlist_free(&l->names);
    memset(l, 0, sizeof *l);
}

bmx_status bmx__yolo_fail(const char *file, unsigned long line, const char *code,
                          const char *msg, bmx__yolo_sink sink, void *ctx, bmx_status st,
                          bmx_error *err)
{
    if (sink != NULL) {
        struct bmx__yolo_problem p = {file, line, code, msg, true};
        sink(ctx, &p);
    }
    if (line > 0) {
        return bmx__fail(err, st, "%s:%lu: %s", file, line, msg);
    }
    return bmx__fail(err, st, "%s: %s", file, msg);
}

struct ctx {
    const char *shown; /* the data.yaml or folder as given, for messages */
    bmx__yolo_sink sink;
    void *sink_ctx;
    bmx_error *err;
};

static bmx_status fail(struct ctx *c, bmx_status st, const char *code, unsigned long line,
                       const char *fmt, ...) BMX__PRINTF(5, 6);

static bmx_status fail(struct ctx *c, bmx_status st, const char *code, unsigned long line,
                       const char *fmt, ...)
{
    char msg[800];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return bmx__yolo_fail(c->shown, line, code, msg, c->sink, c->sink_ctx, st, c->err);
}

static bmx_status nomem(struct ctx *c)
{
    return bmx__fail(c->err, BMX_E_NOMEM, "%s: out of memory", c->shown);
}

/* Every image file below `dir` (already normalised), recursively, hidden entries
 * and symlinked folders skipped. */
static bmx_status list_dir(struct ctx *c, const char *dir, int depth, struct bmx__strlist *out)
{
    if (depth > MAX_DIR_DEPTH) {
        return fail(c, BMX_E_LIMIT, "yolo-path", 0, "%s: folders nested deeper than %d", dir,
                    MAX_DIR_DEPTH);
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        return fail(c, BMX_E_IO, "yolo-path", 0, "%s: cannot open: %s", dir, strerror(errno));
    }
    bmx_status st = BMX_OK;
    struct dirent *de;
    while (st == BMX_OK && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        char *p = bmx__path_join(dir, de->d_name);
        struct stat sb, lsb;
        if (p == NULL) {
            st = nomem(c);
            break;
        }
        if (lstat(p, &lsb) == 0 && S_ISDIR(lsb.st_mode)) {
            st = list_dir(c, p, depth + 1, out);
            free(p);
        } else if (bmx__yolo_is_image_name(de->d_name) && stat(p, &sb) == 0 &&
                   S_ISREG(sb.st_mode)) {
            if (!bmx__strlist_push(out, p)) {
                st = nomem(c);
            }
        } else {
            free(p);
        }
    }
    closedir(d);
    return st;
}

/* Refuse a path outside the dataset root unless allowed. */
static bmx_status check_inside(struct ctx *c, const char *full, const char *root, bool allow,
                               const char *key, unsigned long line, const char *given)
{
    if (allow || bmx__yolo_under(full, root)) {
        return BMX_OK;
    }
    return fail(c, BMX_E_SCHEMA, "yolo-path-outside", line,
                "%s: '%.300s' lies outside the dataset root %.300s (refused; accept it with "
                "--yolo-allow-outside)",
                key, given, root);
}

/* A .txt list of images: one path a line; "./x" and other relative paths are
 * taken against the list's folder. */
static bmx_status read_list(struct ctx *c, const char *list, const char *root, bool allow,
                            const char *key, struct bmx__strlist *out)
{
    char *buf = NULL, *dir = NULL;
    size_t len = 0;
    bmx_status st = bmx__read_file(list, &buf, &len, c->err);
    if (st != BMX_OK) {
        return st;
    }
    const char *slash = strrchr(list, '/');
    dir = strndup(list, slash != NULL ? (size_t)(slash - list) : 0);
    if (dir == NULL) {
        free(buf);
        return nomem(c);
    }
    size_t i = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    unsigned long line = 0;
    while (i < len && st == BMX_OK) {
        char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl != NULL ? (size_t)(nl - buf) : len;
        line++;
        size_t s = i, e = end;
        i = end + 1;
        while (s < e && (buf[s] == ' ' || buf[s] == '\t')) {
            s++;
        }
        while (e > s && (buf[e - 1] == ' ' || buf[e - 1] == '\t' || buf[e - 1] == '\r')) {
            e--;
        }
        if (s == e) {
            continue;
        }
        char *entry = strndup(buf + s, e - s);
        char *full = NULL;
        if (entry != NULL) {
            full = bmx__yolo_norm_path(entry[0] == '/' ? entry : dir[0] ? dir : "/");
            if (full != NULL && entry[0] != '/') {
                const char *rel = entry[0] == '.' && entry[1] == '/' ? entry + 2 : entry;
                char *j = bmx__path_join(full, rel);
                free(full);
                full = j != NULL ? bmx__yolo_norm_path(j) : NULL;
                free(j);
            }
        }
        if (full == NULL) {
            st = nomem(c);
        } else if (memchr(buf + s, '\0', e - s) != NULL) {
            st = bmx__fail(c->err, BMX_E_SCHEMA, "%s:%lu: a NUL byte in a path", list, line);
        } else if (!allow && !bmx__yolo_under(full, root)) {
            st = bmx__fail(c->err, BMX_E_SCHEMA,
                           "%s:%lu: %s: '%.300s' lies outside the dataset root %.300s (refused; "
                           "accept it with --yolo-allow-outside)",
                           list, line, key, entry, root);
        } else if (!bmx__strlist_push(out, full)) {
            full = NULL;
            st = nomem(c);
        } else {
            full = NULL;
        }
        free(full);
        free(entry);
    }
    free(dir);
    free(buf);
    return st;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The deepest folder holding every image (the dataset root when there is none). */
static char *common_folder(const struct bmx__strlist *images, const char *fallback)
{
    if (images->n == 0) {
        return strdup(fallback);
    }
    const char *first = images->v[0];
    const char *slash = strrchr(first, '/');
    size_t n = slash != NULL ? (size_t)(slash - first) : 0;
    for (size_t i = 1; i < images->n; i++) {
        const char *s = images->v[i];
        size_t k = 0;
        while (k < n && s[k] == first[k]) {
            k++;
        }
        if (k < n || s[n] != '/') {
            /* back to the last whole folder both share */
            while (k > 0 && first[k] != '/') {
                k--;
            }
            n = k;
        }
    }
    return n == 0 ? strdup("/") : strndup(first, n);
}

static bool exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

static bool is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The split's entries of a data.yaml into images. */
static bmx_status yaml_images(struct ctx *c, const struct bmx__yolo_yaml *y, int s,
                              bool allow, struct bmx__yolo_layout *l)
{
    const char *key = bmx__yolo_split_names[s];
    unsigned long line = y->split_line[s];
    if (y->split[s].n == 0) {
        return fail(c, BMX_E_SCHEMA, "yolo-split-missing", line, "%s: %s", key,
                    line > 0 ? "no path given"
                             : "missing (the split's images: a folder, a .txt list or a list of those)");
    }
    bmx_status st = BMX_OK;
    for (size_t i = 0; i < y->split[s].n && st == BMX_OK; i++) {
        const char *given = y->split[s].v[i];
        char *joined = given[0] == '/' ? strdup(given) : bmx__path_join(l->dataset_root, given);
        char *full = joined != NULL ? bmx__yolo_norm_path(joined) : NULL;
        free(joined);
        if (full != NULL && !exists(full) && strncmp(given, "../", 3) == 0) {
            /* Roboflow writes "../train/images" beside its data.yaml; Ultralytics
             * then looks for "train/images" under the root. */
            char *j = bmx__path_join(l->dataset_root, given + 3);
            free(full);
            full = j != NULL ? bmx__yolo_norm_path(j) : NULL;
            free(j);
        }
        if (full == NULL) {
            return nomem(c);
        }
        st = check_inside(c, full, l->dataset_root, allow, key, line, given);
        if (st == BMX_OK && is_dir(full)) {
            st = list_dir(c, full, 0, &l->images);
        } else if (st == BMX_OK && exists(full)) {
            const char *dot = strrchr(full, '.');
            if (dot != NULL && strcasecmp(dot, ".txt") == 0) {
                st = read_list(c, full, l->dataset_root, allow, key, &l->images);
            } else if (bmx__yolo_is_image_name(full)) {
                if (bmx__strlist_push(&l->images, full)) {
                    full = NULL;
                } else {
                    st = nomem(c);
                }
            } else {
                st = fail(c, BMX_E_SCHEMA, "yolo-split-missing", line,
                          "%s: '%.300s' is not a folder, a .txt list or an image", key, given);
            }
        } else if (st == BMX_OK) {
            st = fail(c, BMX_E_IO, "yolo-split-missing", line,
                      "%s: '%.300s' does not exist (%.300s)", key, given, full);
        }
        free(full);
    }
    return st;
}

bmx_status bmx__yolo_layout(const char *path, const char *split, const struct bmx_labels *names,
                            bool allow_outside, bmx__yolo_sink sink, void *sink_ctx,
                            struct bmx__yolo_layout *l, bmx_error *err)
{
    struct ctx c = {path, sink, sink_ctx, err};
    struct bmx__yolo_yaml y;
    char *buf = NULL;
    size_t len = 0;
    bmx_status st = BMX_OK;
    memset(l, 0, sizeof *l);
    memset(&y, 0, sizeof y);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    if (S_ISDIR(sb.st_mode)) {
        /* A folder holding images/ and labels/: the names come from the caller. */
        if (names == NULL || names->count == 0) {
            return bmx__fail(err, BMX_E_INVALID,
                             "%s: a YOLO folder needs its class names (--names FILE)", path);
        }
        for (size_t i = 0; i < names->count; i++) {
            if (!bmx__strlist_push(&l->names, strdup(names->names[i]))) {
                st = nomem(&c);
                goto done;
            }
        }
        l->dataset_root = bmx__yolo_norm_path(path);
        char *images = l->dataset_root != NULL ? bmx__path_join(l->dataset_root, "images") : NULL;
        char *dir = images != NULL && split != NULL ? bmx__path_join(images, split) : images;
        if (dir == NULL) {
            free(images);
            st = nomem(&c);
            goto done;
        }
        if (split != NULL && (strchr(split, '/') != NULL || strcmp(split, "..") == 0)) {
            st = bmx__fail(err, BMX_E_INVALID, "%s: split '%s' is not a folder name", path, split);
        } else if (!is_dir(dir)) {
            st = bmx__fail(err, BMX_E_IO, "%s: no folder %s", path, dir);
        } else {
            st = list_dir(&c, dir, 0, &l->images);
        }
        if (dir != images) {
            free(dir);
        }
        free(images);
    } else {
        if (names != NULL) {
            return bmx__fail(err, BMX_E_INVALID,
                             "%s: a data.yaml names its classes itself (--names is for a folder)",
                             path);
        }
        int s = -1;
        const char *want = split != NULL ? split : "train";
        for (int i = 0; i < 3; i++) {
            if (strcmp(want, bmx__yolo_split_names[i]) == 0) {
                s = i;
            }
        }
        if (s < 0) {
            return bmx__fail(err, BMX_E_INVALID, "%s: unknown split '%s' (train, val or test)",
                             path, want);
        }
        if ((size_t)sb.st_size > BMX__YOLO_YAML_MAX_BYTES) {
            return fail(&c, BMX_E_LIMIT, "yolo-yaml-limit", 0,
                        "%lld bytes: a data.yaml may hold %zu", (long long)sb.st_size,
                        BMX__YOLO_YAML_MAX_BYTES);
        }
        st = bmx__read_file(path, &buf, &len, err);
        if (st == BMX_OK) {
            st = bmx__yolo_yaml_parse(buf, len, path, sink, sink_ctx, &y, err);
        }
        if (st != BMX_OK) {
            goto done;
        }
        l->yaml_file = bmx__yolo_norm_path(path);
        /* The yaml's folder: a normalised path always has a '/'. */
        char *ydir = l->yaml_file != NULL
                         ? strndup(l->yaml_file,
                                   (size_t)(strrchr(l->yaml_file, '/') - l->yaml_file))
                         : NULL;
        if (ydir != NULL && ydir[0] == '\0') {
            free(ydir);
            ydir = strdup("/");
        }
        char *joined = ydir == NULL       ? NULL
                       : y.path == NULL   ? strdup(ydir)
                       : y.path[0] == '/' ? strdup(y.path)
                                          : bmx__path_join(ydir, y.path);
        l->dataset_root = joined != NULL ? bmx__yolo_norm_path(joined) : NULL;
        free(joined);
        free(ydir);
        if (l->dataset_root == NULL) {
            st = nomem(&c);
            goto done;
        }
        l->names = y.names;
        memset(&y.names, 0, sizeof y.names);
        st = yaml_images(&c, &y, s, allow_outside, l);
    }
    if (st != BMX_OK) {
        goto done;
    }
    if (l->images.n > 1) {
        qsort(l->images.v, l->images.n, sizeof *l->images.v, cmp_str);
    }
    size_t u = 0;
    for (size_t i = 0; i < l->images.n; i++) {
        if (u > 0 && strcmp(l->images.v[u - 1], l->images.v[i]) == 0) {
            free(l->images.v[i]);
        } else {
            l->images.v[u++] = l->images.v[i];
        }
    }
    l->images.n = u;
    l->root = common_folder(&l->images, l->dataset_root);
    if (l->root == NULL) {
        st = nomem(&c);
    }
done:
    free(buf);
    bmx__yolo_yaml_free(&y);
    if (st != BMX_OK) {
        bmx__yolo_layout_free(l);
    }
    return st;
}
