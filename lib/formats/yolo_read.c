/* SPDX-License-Identifier: MIT */
/* YOLO reading: the images of a split (yolo_layout.c), each one's size from the
 * caller's header reader (formats read no pixels), its label file's rows
 * (yolo_rows.c) turned into COCO objects: class c is category id c + 1, boxes and
 * polygons scaled by the image's size. */
#include "yolo.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Largest label file read: a label file is small. */
#define MAX_LABEL_BYTES ((size_t)64 * 1024 * 1024)

void bmx_yolo_options_init(struct bmx_yolo_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
    bmx_limits_init(&opts->limits);
}

/* How a file below the data.yaml's (or folder's) place is shown: from the path the
 * caller gave, so that messages name files as the user knows them. */
struct shower {
    char *given_dir; /* the folder as given ("" for the working folder) */
    char *norm_dir;  /* the same, normalised */
};

static char *show_path(const struct shower *s, const char *full)
{
    if (s->norm_dir != NULL && strcmp(s->norm_dir, "/") != 0 &&
        bmx__yolo_under(full, s->norm_dir)) {
        const char *rel = full + strlen(s->norm_dir);
        rel += *rel == '/';
        return s->given_dir[0] != '\0' ? bmx__path_join(s->given_dir, rel) : strdup(rel);
    }
    return strdup(full);
}

static bool ds_own(bmx_dataset *ds, char *s)
{
    if (s == NULL) {
        return false;
    }
    if (ds->n_strings == ds->cap_strings) {
        size_t cap = ds->cap_strings ? ds->cap_strings * 2 : 64;
        char **v = bmx__realloc_array(ds->strings, cap, sizeof *v);
        if (v == NULL) {
            free(s);
            return false;
        }
        ds->strings = v;
        ds->cap_strings = cap;
    }
    ds->strings[ds->n_strings++] = s;
    return true;
}

static bmx_status new_dataset(const char *path, const struct bmx__strlist *names, bmx_dataset **out,
                              bmx_error *err)
{
    bmx_dataset *ds = calloc(1, sizeof *ds);
    if (ds == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
    }
    ds->name = strdup(path);
    ds->extras = cJSON_CreateArray();
    ds->root = cJSON_CreateObject();
    ds->cats = calloc(names->n ? names->n : 1, sizeof *ds->cats);
    cJSON *cats = NULL;
    bool ok = ds->name != NULL && ds->extras != NULL && ds->root != NULL && ds->cats != NULL &&
              cJSON_AddArrayToObject(ds->root, "images") != NULL &&
              cJSON_AddArrayToObject(ds->root, "annotations") != NULL &&
              (cats = cJSON_AddArrayToObject(ds->root, "categories")) != NULL;
    for (size_t i = 0; ok && i < names->n; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON *name = NULL;
        ok = c != NULL && cJSON_AddItemToArray(cats, c) &&
             cJSON_AddNumberToObject(c, "id", (double)(i + 1)) != NULL &&
             (name = cJSON_AddStringToObject(c, "name", names->v[i])) != NULL;
        if (ok) {
            ds->cats[i] = (struct bmx_category){.id = (int64_t)(i + 1), .name = name->valuestring};
            ds->n_cats = i + 1;
        }
    }
    if (!ok) {
        bmx_dataset_free(ds);
        return bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
    }
    *out = ds;
    return BMX_OK;
}

/* Grow the object arrays to hold `need` objects. */
static bool reserve_objects(bmx_dataset *ds, size_t need, size_t *cap)
{
    if (need <= *cap) {
        return true;
    }
    size_t c = *cap ? *cap : 256;
    while (c < need) {
        c *= 2;
    }
    struct bmx_object *o = bmx__realloc_array(ds->objects, c, sizeof *o);
    if (o == NULL) {
        return false;
    }
    ds->objects = o;
    size_t *a = bmx__realloc_array(ds->obj_image, c, sizeof *a);
    if (a == NULL) {
        return false;
    }
    ds->obj_image = a;
    size_t *b = bmx__realloc_array(ds->file_order, c, sizeof *b);
    if (b == NULL) {
        return false;
    }
    ds->file_order = b;
    *cap = c;
    return true;
}

/* One row as a COCO object of an image of w x h. */
static bmx_status row_object(const struct bmx__yolo_row *r, bool segment, int32_t w, int32_t h,
                             struct bmx_object *o, bmx_error *err)
{
    memset(o, 0, sizeof *o);
    o->category_id = r->cls + 1;
    o->iscrowd = 0;
    o->has_iscrowd = true;
    o->has_area = true;
    if (!segment) {
        double x0 = (r->v[0] - r->v[2] / 2) * w, y0 = (r->v[1] - r->v[3] / 2) * h;
        double x1 = (r->v[0] + r->v[2] / 2) * w, y1 = (r->v[1] + r->v[3] / 2) * h;
        /* A box reaching past the edge (allowed by the format) is clipped to the
         * image: boxes live in [0, W] x [0, H]. */
        x0 = x0 < 0 ? 0 : x0;
        y0 = y0 < 0 ? 0 : y0;
        x1 = x1 > w ? w : x1;
        y1 = y1 > h ? h : y1;
        o->bbox = (struct bmx_box){x0, y0, x1 - x0, y1 - y0};
        o->area = o->bbox.w * o->bbox.h;
        o->seg_kind = BMX_SEG_NONE;
        return BMX_OK;
    }
    size_t pts = r->n / 2;
    o->seg_kind = BMX_SEG_POLYGON;
    o->polys.rings = calloc(1, sizeof *o->polys.rings);
    double *xy = bmx__alloc_array(r->n, sizeof *xy);
    if (o->polys.rings == NULL || xy == NULL) {
        free(xy);
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    for (size_t k = 0; k < pts; k++) {
        xy[2 * k] = r->v[2 * k] * w;
        xy[2 * k + 1] = r->v[2 * k + 1] * h;
    }
    o->polys.count = 1;
    o->polys.rings[0] = (struct bmx_poly){pts, xy};
    bmx_polyset_bbox(&o->polys, &o->bbox);
    o->area = bmx_polyset_area(&o->polys);
    return BMX_OK;
}

bmx_status bmx__yolo_read(const char *path, const struct bmx_yolo_options *opts,
                          bmx__yolo_sink sink, void *ctx, bmx_dataset **out,
                          struct bmx_yolo_read_summary *summary, bmx_error *err)
{
    struct bmx__yolo_layout l;
    struct bmx_yolo_read_summary sum = {0};
    struct shower sh = {NULL, NULL};
    struct bmx__yolo_rows rows = {0};
    bmx_dataset *ds = NULL;
    char *label = NULL, *shown = NULL, *buf = NULL;
    size_t cap_obj = 0;
    bmx_status st;
    *out = NULL;
    if (opts->image_size == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "%s: no image-size reader was given", path);
    }
    st = bmx__yolo_layout(path, opts->split, opts->names, opts->allow_outside, sink, ctx, &l, err);
    if (st != BMX_OK) {
        return st;
    }
    struct stat sb;
    bool folder = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
    const char *slash = strrchr(path, '/');
    sh.given_dir =
        folder ? strdup(path) : strndup(path, slash != NULL ? (size_t)(slash - path) : 0);
    sh.norm_dir = sh.given_dir != NULL
                      ? bmx__yolo_norm_path(sh.given_dir[0] ? sh.given_dir : ".")
                      : NULL;
    if (sh.norm_dir == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    st = new_dataset(path, &l.names, &ds, err);
    if (st != BMX_OK) {
        goto done;
    }
    size_t ni = l.images.n ? l.images.n : 1;
    ds->images = calloc(ni, sizeof *ds->images);
    ds->img_first = calloc(ni, sizeof *ds->img_first);
    ds->img_count = calloc(ni, sizeof *ds->img_count);
    if (ds->images == NULL || ds->img_first == NULL || ds->img_count == NULL ||
        !reserve_objects(ds, 1, &cap_obj)) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    size_t root_len = strcmp(l.root, "/") == 0 ? 1 : strlen(l.root) + 1;
    for (size_t i = 0; i < l.images.n; i++) {
        const char *img = l.images.v[i];
        free(shown);
        free(label);
        free(buf);
        buf = NULL;
        shown = show_path(&sh, img);
        label = bmx__yolo_label_path(img);
        struct bmx_image_info *info = &ds->images[i];
        size_t len = 0;
        if (shown == NULL || label == NULL || !ds_own(ds, strdup(img + root_len))) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        info->id = (int64_t)(i + 1);
        info->file_name = ds->strings[ds->n_strings - 1];
        ds->img_first[i] = ds->n_objects;
        ds->n_images = i + 1;
        st = bmx__read_file(img, &buf, &len, err);
        if (st == BMX_OK) {
            st = opts->image_size((const uint8_t *)buf, len, &info->width, &info->height, err);
        }
        if (st != BMX_OK) {
            bmx__prefix(err, st, "%s: the image size cannot be read", shown);
            if (sink != NULL) {
                struct bmx__yolo_problem p = {shown, 0, "yolo-image-unreadable",
                                              err != NULL ? err->message : bmx_strerror(st), true};
                sink(ctx, &p);
            }
            goto done;
        }
        free(buf);
        buf = NULL;
        uint64_t pixels = (uint64_t)info->width * (uint64_t)info->height;
        if (opts->limits.max_image_pixels > 0 && pixels > opts->limits.max_image_pixels) {
            st = bmx__fail(err, BMX_E_LIMIT, "%s: %d x %d pixels exceeds the limit of %" PRIu64,
                           shown, (int)info->width, (int)info->height,
                           opts->limits.max_image_pixels);
            goto done;
        }
        free(shown);
        shown = show_path(&sh, label);
        if (shown == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        if (stat(label, &sb) != 0 && errno == ENOENT) {
            sum.unlabelled++;
            continue;
        }
        if (stat(label, &sb) == 0 && (size_t)sb.st_size > MAX_LABEL_BYTES) {
            st = bmx__fail(err, BMX_E_LIMIT, "%s: %lld bytes: a label file may hold %zu", shown,
                           (long long)sb.st_size, MAX_LABEL_BYTES);
            goto done;
        }
        st = bmx__read_file(label, &buf, &len, err);
        if (st == BMX_OK) {
            bmx__yolo_rows_free(&rows);
            st = bmx__yolo_parse_rows(buf, len, shown, l.names.n,
                                      opts->limits.max_objects_per_image,
                                      opts->limits.max_polygon_vertices, false, sink, ctx, &rows,
                                      err);
        }
        if (st != BMX_OK) {
            goto done;
        }
        sum.duplicates += rows.duplicates;
        sum.clamped += rows.clamped;
        sum.empty += rows.n == 0;
        if (!reserve_objects(ds, ds->n_objects + rows.n, &cap_obj)) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < rows.n; k++) {
            size_t slot = ds->n_objects;
            st = row_object(&rows.rows[k], rows.segment, info->width, info->height,
                            &ds->objects[slot], err);
            if (st != BMX_OK) {
                bmx_object_free(&ds->objects[slot]);
                goto done;
            }
            ds->objects[slot].id = (int64_t)(slot + 1);
            ds->obj_image[slot] = i;
            ds->file_order[slot] = slot;
            ds->n_objects = slot + 1;
            ds->img_count[i]++;
        }
    }
    sum.images = l.images.n;
    *out = ds;
    ds = NULL;
done:
    if (summary != NULL) {
        *summary = sum;
    }
    bmx__yolo_rows_free(&rows);
    bmx_dataset_free(ds);
    bmx__yolo_layout_free(&l);
    free(sh.given_dir);
    free(sh.norm_dir);
    free(label);
    free(shown);
    free(buf);
    return st;
}
