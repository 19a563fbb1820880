/* SPDX-License-Identifier: MIT */
/* The Pascal VOC checks: the XML files of a folder (all of Annotations/, or the
 * ids of a split list, whose own lines are checked) or one XML file, each read
 * on its own by the reader: its first fault placed by kind and element path, or
 * the checks across files (file names, labels, image files) and the 1-pixel box. */
#include "check.h"
#include "voc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool is_directory(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* One entry of the walk: an XML file to check, or a line of the split list. */
struct voc_entry {
    char *xml;   /* owned; NULL when the line itself is the problem */
    size_t line; /* line of the split list, 0 without a split */
    const char *id;
};

struct voc_state {
    struct bmx_voc_options vopts;
    const char *split_path; /* the split list, for problems on its lines */
    const char **labels;    /* label names sorted, or NULL */
    size_t n_labels;
    struct bmx__id_table files; /* file_name -> entry index */
    struct bmx__strlist owned; /* file names the table points to */
    struct bmx__strlist cats;  /* every object name, sorted and made unique at the end */
    struct voc_entry *entries;
    size_t n_entries;
};

static void path_set(struct checker *c, const char *s)
{
    bmx__check_path_pop(c, 0);
    bmx__check_path_append(c, "%s", s);
}

static const char *fault_code(enum bmx__voc_fault f)
{
    switch (f) {
    case BMX__VOC_IO:
        return "voc-unreadable";
    case BMX__VOC_TOO_LARGE:
        return "voc-file-too-large";
    case BMX__VOC_SYNTAX:
        return "voc-xml-syntax";
    case BMX__VOC_TOO_DEEP:
        return "voc-too-deep";
    case BMX__VOC_ENTITY:
        return "voc-entity";
    case BMX__VOC_WRONG_ROOT:
        return "voc-wrong-root";
    case BMX__VOC_MISSING:
        return "voc-missing-element";
    case BMX__VOC_BAD_VALUE:
        return "voc-bad-value";
    case BMX__VOC_BOX_INVERTED:
        return "voc-box-inverted";
    case BMX__VOC_BOX_OUTSIDE:
        return "voc-box-outside-image";
    case BMX__VOC_SIZE_UNKNOWN:
        return "voc-size-unknown";
    case BMX__VOC_IMAGE_TOO_LARGE:
        return "image-too-large";
    case BMX__VOC_OK:
    case BMX__VOC_OTHER:
        break;
    }
    return "voc-unreadable";
}

/* The checks of one object of a file the reader took. */
static void check_voc_object(struct checker *c, struct voc_state *vs, const bmx_dataset *ds,
                             const struct bmx_object *o, size_t k)
{
    const char *name = bmx_dataset_category_name(ds, o->category_id);
    if (name == NULL || !bmx__strlist_push(&vs->cats, strdup(name))) {
        c->nomem = true;
        return;
    }
    char at[96];
    if (vs->labels != NULL &&
        bsearch(&name, vs->labels, vs->n_labels, sizeof *vs->labels, bmx__strlist_cmp) == NULL) {
        snprintf(at, sizeof at, "annotation/object[%zu]/name", k + 1);
        path_set(c, at);
        bmx__check_problem(c, SEV_ERROR, "unknown-label", "'%s' is not in the labels file %s", name,
                           c->opts->input.labels);
    }
    /* Read back: xmin = x + 1, xmax = x + w (whole numbers stay exact). */
    double x0 = o->bbox.x + 1, y0 = o->bbox.y + 1;
    double x1 = o->bbox.x + o->bbox.w, y1 = o->bbox.y + o->bbox.h;
    bool flat_x = x1 - x0 <= COORD_EPS, flat_y = y1 - y0 <= COORD_EPS;
    if (flat_x || flat_y) {
        snprintf(at, sizeof at, "annotation/object[%zu]/bndbox", k + 1);
        path_set(c, at);
        bmx__check_problem(
            c, SEV_WARNING, "bbox-empty",
            "[%.10g, %.10g, %.10g, %.10g]: %s; boxmix reads a box 1 pixel %s (VOC indices "
            "are inclusive), readers that take xmax - xmin as the width see no area",
            x0, y0, x1, y1,
            flat_x && flat_y ? "xmin equals xmax and ymin equals ymax"
            : flat_x         ? "xmin equals xmax"
                             : "ymin equals ymax",
            flat_x && flat_y ? "wide and high"
            : flat_x         ? "wide"
                             : "high");
    }
}

/* Check one XML file: entry `index` of the walk. */
static void check_voc_file(struct checker *c, struct voc_state *vs, size_t index)
{
    const char *xml = vs->entries[index].xml;
    bmx_dataset *ds = NULL;
    struct bmx__voc_report rep;
    bmx_error err = {0};
    c->file = xml;
    bmx__check_path_pop(c, 0);
    c->sum.images++;
    bmx_status st = bmx__voc_read_one(xml, &vs->vopts, &ds, &rep, &err);
    if (st == BMX_E_NOMEM) {
        c->nomem = true;
        goto done;
    }
    if (st != BMX_OK) {
        path_set(c, rep.path);
        if (rep.line > 0) {
            bmx__check_problem(c, SEV_ERROR, fault_code(rep.fault), "line %lu: %s", rep.line,
                               rep.detail);
        } else {
            bmx__check_problem(c, SEV_ERROR, fault_code(rep.fault), "%s", rep.detail);
        }
        goto done;
    }
    const struct bmx_image_info *info = bmx_dataset_image(ds, 0);
    size_t n = bmx_dataset_object_count(ds, 0);
    const struct bmx_object *objs = bmx_dataset_objects(ds, 0);
    c->sum.annotations += n;

    path_set(c, "annotation/filename");
    const char *name = info->file_name;
    if (rep.filename_replaced) {
        bmx__check_problem(
            c, SEV_WARNING, "voc-filename-mismatch",
            "'%s' names no image file; boxmix reads '%s', named after the XML file (other "
            "readers may not)",
            rep.given_filename, name);
    }
    if (name[0] != '\0' && bmx__name_escapes(name)) {
        bmx__check_problem(c, SEV_ERROR, "file-name-escapes",
                           "'%s' escapes the image folder (absolute or '..')", name);
    } else {
        char *own = strdup(name);
        if (!bmx__strlist_push(&vs->owned, own)) {
            c->nomem = true;
            goto done;
        }
        struct bmx__id_entry *s = bmx__id_table_find(&vs->files, true, 0, own);
        if (s->used) {
            bmx__check_problem(c, SEV_WARNING, "duplicate-file-name", "'%s' is also the file of %s",
                               name, vs->entries[s->index].xml);
        } else {
            *s = (struct bmx__id_entry){.used = true, .is_str = true, .str = own, .index = index};
        }
        if (c->image_root != NULL) {
            struct bmx__coco_image_rec rec = {.w = info->width, .h = info->height, .dims_ok = true};
            bmx__check_image_file(c, name, &rec);
        }
    }
    for (size_t k = 0; k < n && !c->nomem; k++) {
        check_voc_object(c, vs, ds, &objs[k], k);
    }
done:
    bmx_dataset_free(ds);
    bmx__check_path_pop(c, 0);
}

/* The entries of a split list: each line's first field, in order. `buf` is the
 * list's text, modified in place; ids point into it. */
static bmx_status list_split(struct voc_state *vs, const char *ann_dir, char *buf, bmx_error *err)
{
    size_t lines = 1;
    for (const char *p = buf; *p; p++) {
        lines += *p == '\n';
    }
    vs->entries = bmx__alloc_array(lines, sizeof *vs->entries);
    if (vs->entries == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    size_t line_no = 0;
    for (char *line = buf; line != NULL && *line != '\0';) {
        char *nl = strchr(line, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        line_no++;
        /* class lists (aeroplane_train.txt) add " 1" / "-1" after the id */
        char *id = line;
        while (*id == ' ' || *id == '\t' || *id == '\r') {
            id++;
        }
        id[strcspn(id, " \t\r")] = '\0';
        line = nl != NULL ? nl + 1 : NULL;
        if (*id == '\0') {
            continue;
        }
        struct voc_entry *e = &vs->entries[vs->n_entries++];
        *e = (struct voc_entry){.line = line_no, .id = id};
        if (strchr(id, '/') == NULL && strcmp(id, ".") != 0 && strcmp(id, "..") != 0 &&
            strlen(id) < 500) {
            char file[512];
            snprintf(file, sizeof file, "%s.xml", id);
            e->xml = bmx__path_join(ann_dir, file);
            if (e->xml == NULL) {
                return bmx__fail(err, BMX_E_NOMEM, "out of memory");
            }
        }
    }
    return BMX_OK;
}

/* Every *.xml of Annotations/, sorted by name (the reader's order). */
static bmx_status list_annotations(struct voc_state *vs, const char *ann_dir, bmx_error *err)
{
    struct bmx__strlist names = {0};
    bmx_status st = bmx__voc_list_xml(ann_dir, &names, err);
    if (st != BMX_OK) {
        goto done;
    }
    vs->entries = bmx__alloc_array(names.n ? names.n : 1, sizeof *vs->entries);
    if (vs->entries == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < names.n; i++) {
        vs->entries[i] = (struct voc_entry){.xml = names.v[i]};
        names.v[i] = NULL;
    }
    vs->n_entries = names.n;
done:
    bmx__strlist_free(&names);
    return st;
}

/* Walk the entries: problems of the split list in place, then each XML. */
static void walk_voc(struct checker *c, struct voc_state *vs)
{
    struct bmx__id_table ids = {0};
    if (vs->split_path != NULL && !bmx__id_table_init(&ids, vs->n_entries)) {
        c->nomem = true;
        return;
    }
    bmx__progress_stage(&c->progress, "checking files", BMX_PROGRESS_FILES, vs->n_entries);
    /* An entry is done when the loop moves past it, by `continue` too. */
    for (size_t i = 0; i < vs->n_entries && !c->nomem; i++, bmx__progress_step(&c->progress)) {
        struct voc_entry *e = &vs->entries[i];
        if (vs->split_path != NULL) {
            c->file = vs->split_path;
            bmx__check_path_pop(c, 0);
            bmx__check_path_append(c, "line %zu", e->line);
            if (e->xml == NULL) {
                bmx__check_problem(c, SEV_ERROR, "voc-split-bad-id", "'%s' is not an image id",
                                   e->id);
                continue;
            }
            struct bmx__id_entry *s = bmx__id_table_find(&ids, true, 0, e->id);
            if (s->used) {
                bmx__check_problem(
                    c, SEV_WARNING, "voc-split-duplicate",
                    "'%s' is listed again (first on line %zu); readers take it twice", e->id,
                    vs->entries[s->index].line);
                continue;
            }
            *s = (struct bmx__id_entry){.used = true, .is_str = true, .str = e->id, .index = i};
            struct stat sb;
            if (stat(e->xml, &sb) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
                bmx__check_problem(c, SEV_ERROR, "voc-xml-missing", "%s: no such file", e->xml);
                continue;
            }
        }
        check_voc_file(c, vs, i);
    }
    free(ids.slots);
}

bmx_status bmx__check_voc(struct checker *c, bmx_error *err)
{
    const struct bmx_check_options *opts = c->opts;
    struct voc_state vs = {0};
    struct bmx_labels labels = {0};
    char *ann_dir = NULL, *split_path = NULL, *split_buf = NULL, *default_root = NULL;
    bmx_status st = BMX_OK;
    struct stat sb;
    if (stat(opts->input.annotations, &sb) != 0) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open: %s", opts->input.annotations,
                         strerror(errno));
    }
    bool is_dir = S_ISDIR(sb.st_mode);
    if (!is_dir && opts->input.voc_split != NULL) {
        return bmx__fail(err, BMX_E_INVALID, "%s: a split needs a VOC folder, not one XML file",
                         opts->input.annotations);
    }
    if (opts->input.voc_split != NULL &&
        (opts->input.voc_split[0] == '\0' || strchr(opts->input.voc_split, '/') != NULL ||
         strlen(opts->input.voc_split) > 255)) {
        return bmx__fail(err, BMX_E_INVALID, "split: '%s' is not a split name",
                         opts->input.voc_split);
    }
    if (opts->input.labels != NULL) {
        st = bmx_labels_read(opts->input.labels, &labels, err);
        if (st != BMX_OK) {
            return st;
        }
        vs.labels = bmx__alloc_array(labels.count, sizeof *vs.labels);
        if (vs.labels == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < labels.count; i++) {
            vs.labels[i] = labels.names[i];
        }
        vs.n_labels = labels.count;
        qsort(vs.labels, vs.n_labels, sizeof *vs.labels, bmx__strlist_cmp);
    }
    /* Image files: --images, else JPEGImages/ where the reader looks for it. */
    default_root = bmx__voc_default_images_dir(opts->input.annotations, is_dir);
    if (default_root == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    c->image_root = opts->input.images != NULL   ? opts->input.images
                    : is_directory(default_root) ? default_root
                                                 : NULL;
    if (opts->decode && c->image_root == NULL) {
        st = bmx__fail(err, BMX_E_INVALID,
                       "check: decoding images needs an image folder (--images or %s)",
                       default_root);
        goto done;
    }
    bmx_voc_options_init(&vs.vopts);
    vs.vopts.images_dir = opts->input.images != NULL ? opts->input.images : default_root;
    vs.vopts.limits = opts->limits;
    vs.vopts.image_size = bmx_image_probe; /* formats read no pixels: the size comes from here */

    if (!is_dir) {
        vs.entries = bmx__alloc_array(1, sizeof *vs.entries);
        if (vs.entries == NULL || (vs.entries[0].xml = strdup(opts->input.annotations)) == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        vs.entries[0].line = 0;
        vs.n_entries = 1;
    } else {
        ann_dir = bmx__path_join(opts->input.annotations, "Annotations");
        if (ann_dir == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        if (opts->input.voc_split != NULL) {
            char rel[300];
            snprintf(rel, sizeof rel, "ImageSets/Main/%s.txt", opts->input.voc_split);
            size_t len;
            split_path = bmx__path_join(opts->input.annotations, rel);
            if (split_path == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
                goto done;
            }
            st = bmx__read_file(split_path, &split_buf, &len, err);
            if (st == BMX_OK) {
                vs.split_path = split_path;
                st = list_split(&vs, ann_dir, split_buf, err);
            }
        } else if (!is_directory(ann_dir)) {
            st = bmx__fail(err, BMX_E_IO, "%s: no Annotations folder (not a VOC folder)",
                           opts->input.annotations);
        } else {
            st = list_annotations(&vs, ann_dir, err);
        }
        if (st != BMX_OK) {
            goto done;
        }
    }
    if (!bmx__id_table_init(&vs.files, vs.n_entries)) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    walk_voc(c, &vs);
    /* Categories: the labels, else the distinct names found. */
    if (vs.labels != NULL) {
        c->sum.categories = vs.n_labels;
    } else if (vs.cats.n > 0) {
        qsort(vs.cats.v, vs.cats.n, sizeof *vs.cats.v, bmx__strlist_cmp);
        c->sum.categories = 1;
        for (size_t i = 1; i < vs.cats.n; i++) {
            c->sum.categories += strcmp(vs.cats.v[i - 1], vs.cats.v[i]) != 0;
        }
    }
done:
    c->image_root = NULL;
    for (size_t i = 0; vs.entries != NULL && i < vs.n_entries; i++) {
        free(vs.entries[i].xml);
    }
    free(vs.entries);
    free(vs.files.slots);
    free(vs.labels);
    bmx__strlist_free(&vs.owned);
    bmx__strlist_free(&vs.cats);
    bmx_labels_free(&labels);
    free(ann_dir);
    free(split_path);
    free(split_buf);
    free(default_root);
    return st;
}
