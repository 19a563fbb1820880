/* SPDX-License-Identifier: MIT */
/* YOLO writing: label rows with %g (as Ultralytics' convert_coco writes them),
 * detect boxes as (x + w/2)/W (y + h/2)/H w/W h/H, segment polygons divided by W
 * and H with several rings bridged into one, RLE traced along the pixel edges
 * first, box-only objects as their four corners; crowd objects left out (YOLO
 * cannot mark an ignore region); and the data.yaml naming the classes in order. */
#include "yolo.h"
#include "sized.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void bmx_yolo_write_options_init(struct bmx_yolo_write_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
    opts->task = BMX_YOLO_TASK_AUTO;
    opts->split = "train";
}

static bool has_mask(const struct bmx_object *o)
{
    return (o->seg_kind == BMX_SEG_POLYGON && o->polys.count > 0) || o->seg_kind == BMX_SEG_RLE;
}

enum bmx_yolo_task bmx__yolo_pick_task(const struct bmx__yolo_records *recs,
                                       enum bmx_yolo_task task)
{
    if (task != BMX_YOLO_TASK_AUTO) {
        return task;
    }
    for (size_t i = 0; i < recs->n_images; i++) {
        for (size_t k = 0; k < recs->img_count[i]; k++) {
            const struct bmx_object *o = &recs->objects[recs->img_first[i] + k];
            if (o->iscrowd == 0 && has_mask(o)) {
                return BMX_YOLO_TASK_SEGMENT;
            }
        }
    }
    return BMX_YOLO_TASK_DETECT;
}

/* The class of a category id: its place among the categories in id order. */
static bool class_of(const bmx_dataset *cats, int64_t id, int64_t *cls)
{
    int64_t below = 0;
    bool found = false;
    for (size_t i = 0; i < cats->n_cats; i++) {
        if (cats->cats[i].id < id) {
            below++;
        } else if (cats->cats[i].id == id) {
            found = true;
        }
    }
    *cls = below;
    return found;
}

static void put_point(struct bmx__buf *b, double x, double y, int32_t w, int32_t h)
{
    bmx__buf_printf(b, " %g %g", x / w, y / h);
}

bmx_status bmx__yolo_put_rows(struct bmx__buf *b, const struct bmx__yolo_records *recs,
                              size_t image, enum bmx_yolo_task task,
                              struct bmx_yolo_write_summary *sum, bmx_error *err)
{
    const struct bmx_image_info *info = &recs->images[image];
    int32_t w = info->width, h = info->height;
    if (w <= 0 || h <= 0) {
        return bmx__fail(err, BMX_E_SCHEMA, "%s: image '%s': no size (%d x %d)", recs->name,
                         info->file_name, (int)w, (int)h);
    }
    for (size_t k = 0; k < recs->img_count[image]; k++) {
        const struct bmx_object *o = &recs->objects[recs->img_first[image] + k];
        int64_t cls;
        if (o->iscrowd != 0) {
            sum->crowd++;
            continue;
        }
        if (!class_of(recs->cats_of, o->category_id, &cls)) {
            return bmx__fail(err, BMX_E_SCHEMA,
                             "%s: image '%s': annotation %" PRId64 ": category_id %" PRId64
                             " is not a category",
                             recs->name, info->file_name, o->id, o->category_id);
        }
        if (task == BMX_YOLO_TASK_DETECT) {
            if (o->bbox.w <= 0 || o->bbox.h <= 0) {
                sum->no_area++;
                continue;
            }
            sum->masks_dropped += has_mask(o);
            bmx__buf_printf(b, "%" PRId64 " %g %g %g %g\n", cls, (o->bbox.x + o->bbox.w / 2) / w,
                            (o->bbox.y + o->bbox.h / 2) / h, o->bbox.w / w, o->bbox.h / h);
            sum->rows++;
            continue;
        }
        struct bmx_polyset traced = {0, NULL}, kept = {0, NULL};
        const struct bmx_polyset *set = NULL;
        bmx_status st = BMX_OK;
        if (o->seg_kind == BMX_SEG_RLE) {
            size_t holes = 0;
            st = bmx_rle_to_polyset(&o->rle, &traced, &holes, err);
            if (st != BMX_OK) {
                return bmx__prefix(err, st, "%s: image '%s': annotation %" PRId64, recs->name,
                                   info->file_name, o->id);
            }
            sum->traced++;
            sum->holes_filled += holes;
            set = &traced;
        } else if (o->seg_kind == BMX_SEG_POLYGON) {
            /* A ring of fewer than 3 vertices is no polygon (COCO reads 2 points as a box). */
            kept.rings = calloc(o->polys.count ? o->polys.count : 1, sizeof *kept.rings);
            if (kept.rings == NULL) {
                return bmx__fail(err, BMX_E_NOMEM, "out of memory");
            }
            for (size_t r = 0; r < o->polys.count; r++) {
                if (o->polys.rings[r].n >= 3) {
                    kept.rings[kept.count++] = o->polys.rings[r];
                }
            }
            set = &kept;
        }
        double *xy = NULL;
        size_t n = 0;
        if (set != NULL && set->count > 0) {
            st = bmx__yolo_bridge(set, &xy, &n, err);
            sum->bridged += set->count > 1;
        }
        free(kept.rings);
        bmx_polyset_free(&traced);
        if (st != BMX_OK) {
            return st;
        }
        if (set != NULL && n == 0) {
            sum->no_area++; /* an empty mask */
            continue;
        }
        if (xy == NULL && (o->bbox.w <= 0 || o->bbox.h <= 0)) {
            sum->no_area++;
            continue;
        }
        bmx__buf_printf(b, "%" PRId64, cls);
        if (xy != NULL) {
            for (size_t i = 0; i < n; i++) {
                put_point(b, xy[2 * i], xy[2 * i + 1], w, h);
            }
        } else {
            /* No mask: the box's four corners, clockwise on screen. */
            const struct bmx_box *bb = &o->bbox;
            put_point(b, bb->x, bb->y, w, h);
            put_point(b, bb->x + bb->w, bb->y, w, h);
            put_point(b, bb->x + bb->w, bb->y + bb->h, w, h);
            put_point(b, bb->x, bb->y + bb->h, w, h);
            sum->box_corners++;
        }
        free(xy);
        bmx__buf_put(b, "\n", 1);
        sum->rows++;
    }
    return BMX_OK;
}

/* Whether YAML may carry code point `cp` as it is inside a double-quoted scalar:
 * printable (YAML 1.1's c-printable), not a line break (LF, CR, and NEL, LS, PS,
 * which a reader folds), not the byte order mark, not a quote or a backslash. */
static bool yaml_raw(uint32_t cp)
{
    if (cp == '"' || cp == '\\' || cp == 0x85 || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF) {
        return false;
    }
    return (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* A YAML double-quoted string: every character that is not safe as it is becomes an
 * escape, so that a YAML reader gives back exactly `s`. False (nothing usable
 * written) when `s` is not valid UTF-8, which YAML cannot carry. */
static bool put_yaml_string(struct bmx__buf *b, const char *s)
{
    bmx__buf_put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0';) {
        unsigned c = *p;
        size_t n = c < 0x80                ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (n == 0) {
            return false;
        }
        uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
        for (size_t k = 1; k < n; k++) {
            if ((p[k] & 0xC0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (p[k] & 0x3F);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
            (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false; /* overlong, out of range, a surrogate */
        }
        if (yaml_raw(cp)) {
            bmx__buf_put(b, (const char *)p, n);
        } else if (cp == '"' || cp == '\\') {
            char e[2] = {'\\', (char)cp};
            bmx__buf_put(b, e, 2);
        } else if (cp <= 0xFF) {
            bmx__buf_printf(b, "\\x%02x", (unsigned)cp);
        } else if (cp <= 0xFFFF) {
            bmx__buf_printf(b, "\\u%04x", (unsigned)cp);
        } else {
            bmx__buf_printf(b, "\\U%08x", (unsigned)cp);
        }
        p += n;
    }
    bmx__buf_put(b, "\"", 1);
    return true;
}

/* The categories' places in id order. */
static size_t *cats_in_id_order(const bmx_dataset *cats)
{
    size_t *ord = bmx__alloc_array(cats->n_cats ? cats->n_cats : 1, sizeof *ord);
    if (ord == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < cats->n_cats; i++) {
        size_t j = i;
        while (j > 0 && cats->cats[ord[j - 1]].id > cats->cats[i].id) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = i;
    }
    return ord;
}

bool bmx__yolo_put_yaml(struct bmx__buf *b, const bmx_dataset *cats, const char *split)
{
    size_t *ord = cats_in_id_order(cats);
    bool ok = true;
    if (ord == NULL) {
        b->failed = true;
        return true;
    }
    bmx__buf_puts(b, "# YOLO (Ultralytics) dataset written by boxmix\npath: .\n");
    bmx__buf_printf(b, "%s: images/%s\n", split, split);
    if (strcmp(split, "train") != 0 && strcmp(split, "val") != 0) {
        bmx__buf_puts(b, "# Ultralytics needs train and val: the one split written serves both\n");
    }
    if (strcmp(split, "train") != 0) {
        bmx__buf_printf(b, "train: images/%s\n", split);
    }
    if (strcmp(split, "val") != 0) {
        bmx__buf_printf(b, "val: images/%s\n", split);
    }
    bmx__buf_printf(b, "nc: %zu\nnames:\n", cats->n_cats);
    for (size_t i = 0; i < cats->n_cats; i++) {
        bmx__buf_printf(b, "  %zu: ", i);
        const char *name = cats->cats[ord[i]].name;
        ok = ok && put_yaml_string(b, name != NULL ? name : "");
        bmx__buf_put(b, "\n", 1);
    }
    free(ord);
    return ok;
}

void bmx__yolo_free_names(char **names, size_t n)
{
    for (size_t i = 0; names != NULL && i < n; i++) {
        free(names[i]);
    }
    free(names);
}

struct named {
    const char *name;
    size_t idx;
};

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

bmx_status bmx__yolo_label_names(const struct bmx__yolo_records *recs, const char *split,
                                 char ***out, bmx_error *err)
{
    size_t n = recs->n_images;
    char **names = calloc(n ? n : 1, sizeof *names);
    struct named *ord = calloc(n ? n : 1, sizeof *ord);
    bmx_status st = BMX_OK;
    *out = NULL;
    if (names == NULL || ord == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n && st == BMX_OK; i++) {
        const char *fn = recs->images[i].file_name;
        if (fn == NULL || bmx__name_escapes(fn)) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: images[%zu].file_name: '%s' escapes the image folder (absolute or '..')",
                           recs->name, i, fn != NULL ? fn : "");
            break;
        }
        const char *base = strrchr(fn, '/');
        base = base != NULL ? base + 1 : fn;
        const char *dot = strrchr(base, '.');
        size_t stem = dot != NULL && dot != base ? (size_t)(dot - fn) : strlen(fn);
        size_t len = strlen("labels/") + strlen(split) + 1 + stem + 5;
        names[i] = malloc(len);
        if (names[i] == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            break;
        }
        snprintf(names[i], len, "labels/%s/%.*s.txt", split, (int)stem, fn);
        ord[i] = (struct named){names[i], i};
    }
    if (st == BMX_OK) {
        qsort(ord, n, sizeof *ord, cmp_named);
        for (size_t i = 1; i < n; i++) {
            if (strcmp(ord[i - 1].name, ord[i].name) == 0) {
                st = bmx__fail(err, BMX_E_SCHEMA,
                               "%s: images '%s' and '%s' would share the label file %s", recs->name,
                               recs->images[ord[i - 1].idx].file_name,
                               recs->images[ord[i].idx].file_name, ord[i].name);
                break;
            }
        }
    }
done:
    free(ord);
    if (st != BMX_OK) {
        bmx__yolo_free_names(names, n);
        return st;
    }
    *out = names;
    return BMX_OK;
}

bmx_status bmx__yolo_write_records(const struct bmx__yolo_records *recs,
                                   const struct bmx_yolo_write_options *opts, int dir,
                                   const char *shown, volatile const int *cancel,
                                   struct bmx_yolo_write_summary *sum, bmx_error *err)
{
    const char *split = opts->split != NULL ? opts->split : "train";
    char **names = NULL;
    size_t *offs = NULL;
    struct bmx__buf b = {0}, y = {0};
    bmx_status st = BMX_OK;
    memset(sum, 0, sizeof *sum);
    if (split[0] == '\0' || strchr(split, '/') != NULL || strcmp(split, ".") == 0 ||
        strcmp(split, "..") == 0) {
        return bmx__fail(err, BMX_E_INVALID, "YOLO output: split '%s' is not a folder name", split);
    }
    sum->task = bmx__yolo_pick_task(recs, opts->task);
    st = bmx__yolo_label_names(recs, split, &names, err);
    if (st != BMX_OK) {
        return st;
    }
    /* Every file built before any is written: bad content leaves nothing behind. */
    offs = calloc(recs->n_images + 1, sizeof *offs);
    if (offs == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < recs->n_images && st == BMX_OK; i++) {
        offs[i] = b.len;
        st = bmx__yolo_put_rows(&b, recs, i, sum->task, sum, err);
    }
    offs[recs->n_images] = b.len;
    if (!bmx__yolo_put_yaml(&y, recs->cats_of, split) && st == BMX_OK) {
        st = bmx__fail(err, BMX_E_SCHEMA,
                       "%s: a category name is not valid UTF-8: a data.yaml cannot carry it",
                       recs->name);
    }
    if (st == BMX_OK && (b.failed || y.failed)) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    char sub[300];
    snprintf(sub, sizeof sub, "labels/%s", split);
    int fd = -1;
    if (st == BMX_OK) {
        st = bmx__dir_open(dir, shown, sub, true, &fd, err);
    }
    if (fd >= 0) {
        close(fd);
    }
    for (size_t i = 0; i < recs->n_images && st == BMX_OK; i++) {
        if (cancel != NULL && *cancel) {
            st = bmx__fail(err, BMX_E_INTERRUPTED, "%s: interrupted after %zu of %zu label files",
                           shown, i, recs->n_images);
            break;
        }
        st = bmx__outfile_write(dir, shown, names[i], b.data != NULL ? b.data + offs[i] : "",
                                offs[i + 1] - offs[i], false, err);
    }
    if (st == BMX_OK) {
        st = bmx__outfile_write(dir, shown, "data.yaml", y.data, y.len, true, err);
    }
done:
    bmx__yolo_free_names(names, recs->n_images);
    free(offs);
    bmx__buf_free(&b);
    bmx__buf_free(&y);
    return st;
}

bmx_status bmx__yolo_write_at(const bmx_dataset *ds, const struct bmx_yolo_write_options *opts,
                              int dir, const char *shown, volatile const int *cancel,
                              struct bmx_yolo_write_summary *sum, bmx_error *err)
{
    const struct bmx__yolo_records rec = {ds->name,      ds,         ds->n_images, ds->images,
                                          ds->img_first, ds->img_count, ds->objects};
    return bmx__yolo_write_records(&rec, opts, dir, shown, cancel, sum, err);
}

bmx_status bmx_dataset_write_yolo(const bmx_dataset *ds, const char *out_dir,
                                  const struct bmx_yolo_write_options *opts,
                                  struct bmx_yolo_write_summary *summary, bmx_error *err)
{
    struct bmx_yolo_write_options o;
    struct bmx_yolo_write_summary sum;
    bmx_yolo_write_options_init(&o);
    if (ds == NULL || out_dir == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "write YOLO: NULL argument");
    }
    if (opts != NULL) {
        bmx_status st = bmx__sized_read(&o, sizeof o, opts, "struct bmx_yolo_write_options", err);
        if (st != BMX_OK) {
            return st;
        }
    }
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot create folder: %s", out_dir, strerror(errno));
    }
    int dir = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open folder: %s", out_dir, strerror(errno));
    }
    bmx_status st = bmx__yolo_write_at(ds, &o, dir, out_dir, NULL, &sum, err);
    close(dir);
    if (summary != NULL && st == BMX_OK) {
        *summary = sum;
    }
    return st;
}
