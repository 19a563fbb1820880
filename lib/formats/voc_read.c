/* SPDX-License-Identifier: MIT */
/* Pascal VOC reading: a VOCdevkit-style folder (or one XML file) into the
 * dataset model. Each file is parsed (voc_parse.c), then fixed up against its
 * image (the file it names, its size when <size> is missing, boxes inside it),
 * and the records become one dataset; VOC xmin..xmax are 1-based inclusive pixel
 * indices, so x = xmin - 1, w = xmax - xmin + 1 (DESIGN.md). */
#include "voc_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void bmx_voc_options_init(struct bmx_voc_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
    bmx_limits_init(&opts->limits);
}

/* Fix up one parsed file: the image file it names, its size, boxes inside it.
 * `rep` may be NULL. */
static bmx_status finish_file(struct vfile *f, const char *images_dir,
                              const struct bmx_limits *limits,
                              bmx_status (*image_size)(const uint8_t *, size_t, int32_t *,
                                                       int32_t *, bmx_error *),
                              struct bmx__voc_report *rep, bmx_error *err)
{
    bmx_status st = BMX_OK;
    char *img = NULL, *xml_stem = bmx__voc_stem_of(f->path),
         *name_stem = bmx__voc_stem_of(f->filename);
    char *buf = NULL;
    if (xml_stem == NULL || name_stem == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    /* <filename> is the truth, unless it names no file and one named after the
     * XML exists (files renamed after labelling, copied annotation templates). */
    if (strcmp(xml_stem, name_stem) != 0) {
        img = bmx__path_join(images_dir, f->filename);
        if (img != NULL && !bmx__voc_file_exists(img)) {
            static const char *const exts[] = {".jpg", ".png", ".jpeg", ".JPG", ".PNG", ".JPEG"};
            for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
                char cand[512];
                int n = snprintf(cand, sizeof cand, "%s%s", xml_stem, exts[i]);
                char *full = n > 0 && (size_t)n < sizeof cand ? bmx__path_join(images_dir, cand) : NULL;
                if (full != NULL && bmx__voc_file_exists(full)) {
                    char *fn = strdup(cand);
                    if (fn != NULL && rep != NULL) {
                        rep->filename_replaced = true;
                        snprintf(rep->given_filename, sizeof rep->given_filename, "%s",
                                 f->filename);
                    }
                    if (fn != NULL) {
                        free(f->filename);
                        f->filename = fn;
                    }
                    free(full);
                    break;
                }
                free(full);
            }
        }
        free(img);
        img = NULL;
    }
    /* No <size> (or 0 x 0, which some tools write): read it from the image. */
    if (f->width == 0 || f->height == 0) {
        img = bmx__path_join(images_dir, f->filename);
        size_t len;
        if (img == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        /* The size comes from the caller: formats read no pixels. */
        st = image_size == NULL
                 ? bmx__fail(err, BMX_E_INVALID, "no image-size reader was given")
                 : bmx__read_file(img, &buf, &len, err);
        if (st == BMX_OK) {
            st = image_size((const uint8_t *)buf, len, &f->width, &f->height, err);
            if (st != BMX_OK) {
                bmx__prefix(err, st, "%s", img);
            }
        }
        if (st != BMX_OK && rep != NULL) {
            char detail[sizeof rep->detail];
            snprintf(detail, sizeof detail, "missing, and the image size cannot be read (%.600s)",
                     err != NULL ? err->message : bmx_strerror(st));
            bmx__voc_set_fault(rep, BMX__VOC_SIZE_UNKNOWN, "annotation/size", f->size_line, detail);
        }
        if (st != BMX_OK) {
            bmx__prefix(err, st, "%s: annotation/size: missing, and the image size cannot be read", f->path);
            goto done;
        }
    }
    uint64_t pixels = (uint64_t)f->width * (uint64_t)f->height;
    if (limits != NULL && limits->max_image_pixels > 0 && pixels > limits->max_image_pixels) {
        if (rep != NULL) {
            char detail[160];
            snprintf(detail, sizeof detail, "%d x %d pixels exceeds the limit of %" PRIu64,
                     (int)f->width, (int)f->height, limits->max_image_pixels);
            bmx__voc_set_fault(rep, BMX__VOC_IMAGE_TOO_LARGE, "annotation/size", f->size_line,
                               detail);
        }
        st = bmx__fail(err, BMX_E_LIMIT, "%s: annotation/size: %d x %d pixels exceeds the limit of %" PRIu64,
                       f->path, (int)f->width, (int)f->height, limits->max_image_pixels);
        goto done;
    }
    for (size_t k = 0; k < f->n_objs; k++) {
        const struct vobj *o = &f->objs[k];
        if (rep != NULL && (o->v[2] > f->width || o->v[3] > f->height)) {
            bool x = o->v[2] > f->width;
            char fpath[96], detail[160];
            snprintf(fpath, sizeof fpath, "annotation/object[%zu]/bndbox/%s", k + 1,
                     x ? "xmax" : "ymax");
            snprintf(detail, sizeof detail, "%s %g is outside the image %s %d",
                     x ? "xmax" : "ymax", x ? o->v[2] : o->v[3], x ? "width" : "height",
                     (int)(x ? f->width : f->height));
            bmx__voc_set_fault(rep, BMX__VOC_BOX_OUTSIDE, fpath, o->line, detail);
        }
        if (o->v[2] > f->width) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: annotation/object[%zu]/bndbox: xmax %g is outside the image width %d (line %lu)",
                           f->path, k + 1, o->v[2], (int)f->width, o->line);
            goto done;
        }
        if (o->v[3] > f->height) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: annotation/object[%zu]/bndbox: ymax %g is outside the image height %d (line %lu)",
                           f->path, k + 1, o->v[3], (int)f->height, o->line);
            goto done;
        }
    }
done:
    free(buf);
    free(img);
    free(xml_stem);
    free(name_stem);
    return st;
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

/* Move a record's fields into a cJSON object owned by ds->extras. NULL when the
 * record has no field (for objects) or on failure (*ok = false). */
static cJSON *adopt_extra(bmx_dataset *ds, cJSON *obj, bool *ok)
{
    if (obj == NULL) {
        *ok = false;
        return NULL;
    }
    if (!cJSON_AddItemToArray(ds->extras, obj)) {
        cJSON_Delete(obj);
        *ok = false;
        return NULL;
    }
    return obj;
}

static bool add_str(cJSON *obj, const char *key, const char *s)
{
    return cJSON_AddStringToObject(obj, key, s) != NULL;
}

static bool add_num(cJSON *obj, const char *key, double v)
{
    return cJSON_AddNumberToObject(obj, key, v) != NULL;
}

static bool add_buf(cJSON *obj, const char *key, const struct bmx__buf *b)
{
    if (b->len == 0) {
        return true;
    }
    return add_str(obj, key, b->data);
}

/* The end every image's and object's extra fields share: the unknown elements
 * as "voc_extra" and boxmix's provenance as "boxmix" (moved in: *boxmix becomes
 * NULL once `obj` owns it). */
static bool add_tail(cJSON *obj, const struct bmx__buf *unknown, cJSON **boxmix)
{
    if (!add_buf(obj, "voc_extra", unknown)) {
        return false;
    }
    if (*boxmix != NULL) {
        if (!cJSON_AddItemToObject(obj, "boxmix", *boxmix)) {
            return false;
        }
        *boxmix = NULL;
    }
    return true;
}

static bmx_status build_dataset(const char *path, struct vfile *files, size_t n_files,
                                const struct bmx_labels *labels, bmx_dataset **out,
                                bmx_error *err)
{
    bmx_status st = BMX_OK;
    struct bmx__strlist found = {0};
    const char **sorted = NULL; /* category names sorted, for lookup */
    int64_t *sorted_id = NULL;
    size_t n_obj = 0;
    bool ok = true;
    bmx_dataset *ds = calloc(1, sizeof *ds);
    if (ds == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
    }
    for (size_t i = 0; i < n_files; i++) {
        if (!bmx__add_size(n_obj, files[i].n_objs, &n_obj)) {
            st = bmx__fail(err, BMX_E_OVERFLOW, "%s: too many objects", path);
            goto done;
        }
    }
    ds->name = strdup(path);
    ds->extras = cJSON_CreateArray();
    ds->root = cJSON_CreateObject();
    size_t ni = n_files ? n_files : 1, no = n_obj ? n_obj : 1;
    ds->images = calloc(ni, sizeof *ds->images);
    ds->img_first = calloc(ni, sizeof *ds->img_first);
    ds->img_count = calloc(ni, sizeof *ds->img_count);
    ds->objects = calloc(no, sizeof *ds->objects);
    ds->obj_image = calloc(no, sizeof *ds->obj_image);
    ds->file_order = calloc(no, sizeof *ds->file_order);
    if (ds->name == NULL || ds->extras == NULL || ds->root == NULL || ds->images == NULL ||
        ds->img_first == NULL || ds->img_count == NULL || ds->objects == NULL ||
        ds->obj_image == NULL || ds->file_order == NULL ||
        cJSON_AddArrayToObject(ds->root, "images") == NULL ||
        cJSON_AddArrayToObject(ds->root, "annotations") == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
        goto done;
    }

    /* Categories: the labels file's order, or the names found, sorted. */
    if (labels != NULL) {
        for (size_t i = 0; i < labels->count && ok; i++) {
            ok = bmx__strlist_push(&found, strdup(labels->names[i]));
        }
    } else {
        for (size_t i = 0; i < n_files && ok; i++) {
            for (size_t k = 0; k < files[i].n_objs && ok; k++) {
                ok = bmx__strlist_push(&found, strdup(files[i].objs[k].name));
            }
        }
        if (ok && found.n > 0) {
            qsort(found.v, found.n, sizeof *found.v, bmx__strlist_cmp);
            size_t u = 0;
            for (size_t i = 0; i < found.n; i++) {
                if (u > 0 && strcmp(found.v[u - 1], found.v[i]) == 0) {
                    free(found.v[i]);
                } else {
                    found.v[u++] = found.v[i];
                }
            }
            found.n = u;
        }
    }
    cJSON *cats = cJSON_AddArrayToObject(ds->root, "categories");
    ds->cats = calloc(found.n ? found.n : 1, sizeof *ds->cats);
    sorted = calloc(found.n ? found.n : 1, sizeof *sorted);
    sorted_id = calloc(found.n ? found.n : 1, sizeof *sorted_id);
    if (!ok || cats == NULL || ds->cats == NULL || sorted == NULL || sorted_id == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
        goto done;
    }
    for (size_t i = 0; i < found.n; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON *name = NULL;
        if (c == NULL || !cJSON_AddItemToArray(cats, c) || !add_num(c, "id", (double)(i + 1)) ||
            (name = cJSON_AddStringToObject(c, "name", found.v[i])) == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
            goto done;
        }
        ds->cats[i] = (struct bmx_category){.id = (int64_t)(i + 1), .name = name->valuestring};
        ds->n_cats = i + 1;
        sorted[i] = name->valuestring;
    }
    /* Lookup: names sorted, ids alongside (labels come unsorted). */
    for (size_t i = 0; i < found.n; i++) {
        size_t j = i;
        while (j > 0 && strcmp(sorted[j - 1], ds->cats[i].name) > 0) {
            sorted[j] = sorted[j - 1];
            sorted_id[j] = sorted_id[j - 1];
            j--;
        }
        sorted[j] = ds->cats[i].name;
        sorted_id[j] = ds->cats[i].id;
    }

    size_t slot = 0;
    for (size_t i = 0; i < n_files; i++) {
        struct vfile *f = &files[i];
        struct bmx_image_info *info = &ds->images[i];
        cJSON *ex = cJSON_CreateObject();
        ok = ex != NULL;
        if (ok && f->folder != NULL) {
            ok = add_str(ex, "folder", f->folder);
        }
        if (ok && f->has_depth) {
            ok = add_num(ex, "depth", f->depth);
        }
        if (ok && f->has_segmented) {
            ok = add_num(ex, "segmented", f->segmented);
        }
        ok = ok && add_tail(ex, &f->unknown, &f->boxmix);
        if (!ok) {
            cJSON_Delete(ex);
            st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
            goto done;
        }
        info->id = (int64_t)(i + 1);
        info->id_str = NULL;
        info->width = f->width;
        info->height = f->height;
        info->extra = adopt_extra(ds, ex, &ok);
        if (!ok || !ds_own(ds, strdup(f->filename))) {
            st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
            goto done;
        }
        info->file_name = ds->strings[ds->n_strings - 1];
        ds->n_images = i + 1;
        ds->img_first[i] = slot;
        ds->img_count[i] = f->n_objs;
        for (size_t k = 0; k < f->n_objs; k++, slot++) {
            struct vobj *o = &f->objs[k];
            const char **hit = bsearch(&o->name, sorted, found.n, sizeof *sorted, bmx__strlist_cmp);
            if (hit == NULL) {
                st = bmx__fail(err, BMX_E_SCHEMA,
                               "%s: annotation/object[%zu]/name: '%s' is not in the labels file (line %lu)",
                               f->path, k + 1, o->name, o->line);
                goto done;
            }
            struct bmx_object *obj = &ds->objects[slot];
            obj->id = (int64_t)(slot + 1);
            obj->category_id = sorted_id[hit - sorted];
            obj->bbox = (struct bmx_box){o->v[0] - 1, o->v[1] - 1, o->v[2] - o->v[0] + 1,
                                         o->v[3] - o->v[1] + 1};
            obj->area = obj->bbox.w * obj->bbox.h;
            obj->has_area = true;
            obj->iscrowd = 0;
            obj->has_iscrowd = true;
            obj->seg_kind = BMX_SEG_NONE;
            ds->obj_image[slot] = i;
            ds->file_order[slot] = slot;
            ds->n_objects = slot + 1;
            bool any = o->pose != NULL || o->has_truncated || o->has_difficult ||
                       o->has_occluded || o->unknown.len > 0 || o->boxmix != NULL;
            if (!any) {
                continue;
            }
            cJSON *oe = cJSON_CreateObject();
            ok = oe != NULL;
            if (ok && o->pose != NULL) {
                ok = add_str(oe, "pose", o->pose);
            }
            if (ok && o->has_truncated) {
                ok = add_num(oe, "truncated", o->truncated);
            }
            if (ok && o->has_difficult) {
                ok = add_num(oe, "difficult", o->difficult);
            }
            if (ok && o->has_occluded) {
                ok = add_num(oe, "occluded", o->occluded);
            }
            ok = ok && add_tail(oe, &o->unknown, &o->boxmix);
            if (!ok) {
                cJSON_Delete(oe);
                st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
                goto done;
            }
            obj->extra = adopt_extra(ds, oe, &ok);
            if (!ok) {
                st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", path);
                goto done;
            }
        }
    }
    *out = ds;
    ds = NULL;
done:
    bmx__strlist_free(&found);
    free(sorted);
    free(sorted_id);
    bmx_dataset_free(ds);
    return st;
}

/* bmx_dataset_read_voc, telling the checker what went wrong through `rep` (may
 * be NULL). */
static bmx_status read_voc(const char *path, const struct bmx_voc_options *opts,
                           bmx_dataset **out, struct bmx__voc_report *rep, bmx_error *err)
{
    struct bmx_voc_options defaults;
    struct bmx__strlist xmls = {0};
    struct vfile *files = NULL;
    char *images_dir = NULL;
    bmx_status st = BMX_OK;
    if (out == NULL || path == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "read VOC: NULL argument");
    }
    *out = NULL;
    if (opts == NULL) {
        bmx_voc_options_init(&defaults);
        opts = &defaults;
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    bool is_dir = S_ISDIR(sb.st_mode);
    if (is_dir) {
        st = bmx__voc_list_files(path, opts->split, &xmls, err);
    } else if (opts->split != NULL) {
        st = bmx__fail(err, BMX_E_INVALID, "%s: a split needs a VOC folder, not one XML file", path);
    } else if (!bmx__strlist_push(&xmls, strdup(path))) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    if (st != BMX_OK) {
        goto done;
    }
    images_dir = opts->images_dir != NULL ? strdup(opts->images_dir) : bmx__voc_default_images_dir(path, is_dir);
    files = calloc(xmls.n ? xmls.n : 1, sizeof *files);
    if (images_dir == NULL || files == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < xmls.n; i++) {
        files[i].path = xmls.v[i];
        xmls.v[i] = NULL;
        st = bmx__voc_parse_file(&files[i], rep, err);
        if (st == BMX_OK) {
            st = finish_file(&files[i], images_dir, &opts->limits, opts->image_size, rep, err);
        }
        if (st != BMX_OK) {
            goto done;
        }
    }
    st = build_dataset(path, files, xmls.n, opts->labels, out, err);
done:
    for (size_t i = 0; files != NULL && i < xmls.n; i++) {
        bmx__voc_vfile_free(&files[i]);
    }
    free(files);
    free(images_dir);
    bmx__strlist_free(&xmls);
    return st;
}

bmx_status bmx__voc_read(const char *path, const struct bmx_voc_options *opts, bmx_dataset **out,
                         bmx_error *err)
{
    return read_voc(path, opts, out, NULL, err);
}

bmx_status bmx__voc_read_one(const char *xml_path, const struct bmx_voc_options *opts,
                             bmx_dataset **out, struct bmx__voc_report *report, bmx_error *err)
{
    memset(report, 0, sizeof *report);
    bmx_error local = {0};
    if (err == NULL) {
        err = &local;
    }
    bmx_status st = read_voc(xml_path, opts, out, report, err);
    if (st != BMX_OK && report->fault == BMX__VOC_OK) {
        /* A failure with no kind recorded (out of memory, a limit on counts):
         * keep the reader's message, less the file name it starts with. */
        const char *m = err->message;
        size_t n = strlen(xml_path);
        if (strncmp(m, xml_path, n) == 0 && strncmp(m + n, ": ", 2) == 0) {
            m += n + 2;
        }
        bmx__voc_set_fault(report, st == BMX_E_IO ? BMX__VOC_IO : BMX__VOC_OTHER, "", 0, m);
    }
    return st;
}
