/* SPDX-License-Identifier: MIT */
/* Joining the output folders of a sharded run with VOC or YOLO output (merge.c
 * joins COCO ones and hands these here).
 *
 * Their annotations are one file per image, made from that image's objects alone,
 * so the single run's folder is the shards' files side by side, with one
 * exception each: VOC's ImageSets/Main/trainval.txt lists every image in the
 * run's order (originals by dataset index, then outputs by place), and YOLO's
 * data.yaml is one file every shard writes alike. The journal is the single run's:
 * the shards' lines together, sorted.
 *
 * Checked before anything is written: every shard a finished boxmix-augment run
 * of one run line and shard count, each shard once (as for COCO), of one format
 * (and YOLO split); each shard's annotation files one per file its journal lists;
 * every output place 0, 1, ... in exactly one shard, no image name twice; YOLO's
 * data.yaml the same bytes in every shard. Each image is checked against its
 * shard's journal (size and content hash) as it is copied, as for COCO. A VOC
 * shard is read by the VOC reader (so each XML is well formed and says the
 * image's place); YOLO output places come from the file names (OP_NNNNNN) and
 * originals from the journal line their content matches. The annotation files
 * carry no hash in the journal: they are copied as the shards hold them. */
#include "input.h"
#include "merge.h"
#include "progress.h"
#include "voc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UNKNOWN UINT64_MAX /* an original's place a YOLO dry run does not record */

struct item {
    int kind;       /* 0 original, 1 output */
    uint64_t index; /* its place; UNKNOWN: see above */
    size_t shard;
    char *stem;     /* its annotation file's name without extension */
    char *image;    /* its image file's name (NULL: none, a dry run) */
    size_t objects; /* for the summary */
};

struct files {
    const struct bmx_merge_options *o;
    enum bmx_dataset_format format;
    char split[256];
    char img_rel[300]; /* JPEGImages, or images/<split> */
    char ann_rel[300]; /* Annotations, or labels/<split> */
    const char *ann_ext;
    struct bmx__journal *js;
    int *dirs; /* each shard's folder, open */
    struct item *items;
    size_t n, cap;
    bool dry;
};

static int cmp_item(const void *pa, const void *pb)
{
    const struct item *a = pa, *b = pb;
    if (a->kind != b->kind) {
        return a->kind < b->kind ? -1 : 1;
    }
    if (a->index != b->index) {
        return a->index < b->index ? -1 : 1;
    }
    return strcmp(a->stem, b->stem);
}

static int cmp_stem(const void *pa, const void *pb)
{
    const struct item *const *a = pa, *const *b = pb;
    return strcmp((*a)->stem, (*b)->stem);
}

/* File names by their stem (the name up to its last dot), then whole. */
static int cmp_name(const void *pa, const void *pb)
{
    const char *a = *(char *const *)pa, *b = *(char *const *)pb;
    const char *da = strrchr(a, '.'), *db = strrchr(b, '.');
    const size_t la = da != NULL ? (size_t)(da - a) : strlen(a);
    const size_t lb = db != NULL ? (size_t)(db - b) : strlen(b);
    const int c = strncmp(a, b, la < lb ? la : lb);
    if (c != 0) {
        return c;
    }
    if (la != lb) {
        return la < lb ? -1 : 1;
    }
    return strcmp(a, b);
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; names != NULL && i < n; i++) {
        free(names[i]);
    }
    free(names);
}

/* The names of the files in folder `rel` below `base` (sorted by stem; none when
 * the folder does not exist), `ext` (may be NULL) ending each. */
static bmx_status list_files(int base, const char *base_path, const char *rel, const char *ext,
                             char ***out, size_t *n_out, bmx_error *err)
{
    *out = NULL;
    *n_out = 0;
    if (!bmx__dir_has(base, rel)) {
        return BMX_OK;
    }
    int fd = -1;
    bmx_status st = bmx__dir_open(base, base_path, rel, false, &fd, err);
    if (st != BMX_OK) {
        return st;
    }
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return bmx__fail(err, BMX_E_IO, "%s/%s: cannot list: %s", base_path, rel, strerror(errno));
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    const size_t ext_len = ext != NULL ? strlen(ext) : 0;
    struct dirent *e;
    while (st == BMX_OK && (e = readdir(d)) != NULL) {
        const size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || bmx__is_temp_name(e->d_name) ||
            (ext != NULL && (len <= ext_len || strcmp(e->d_name + len - ext_len, ext) != 0))) {
            continue;
        }
        if (n == cap) {
            size_t c = cap < 16 ? 16 : 2 * cap;
            char **grown = bmx__realloc_array(names, c, sizeof *names);
            if (grown == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
                break;
            }
            names = grown;
            cap = c;
        }
        if ((names[n] = strdup(e->d_name)) == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (st != BMX_OK) {
        free_names(names, n);
        return st;
    }
    if (n > 1) {
        qsort(names, n, sizeof *names, cmp_name);
    }
    *out = names;
    *n_out = n;
    return BMX_OK;
}

static bool add_item(struct files *f, const struct item *it)
{
    if (f->n == f->cap) {
        size_t c = f->cap < 64 ? 64 : 2 * f->cap;
        struct item *grown = bmx__realloc_array(f->items, c, sizeof *grown);
        if (grown == NULL) {
            return false;
        }
        f->items = grown;
        f->cap = c;
    }
    f->items[f->n++] = *it;
    return true;
}

/* An output's file stem "OP_NNN" (OP an operation's name, NNN its place in
 * decimal): *k, true. */
static bool output_place(const char *stem, uint64_t *k)
{
    const char *us = strrchr(stem, '_');
    if (us == NULL || us[1] == '\0' || (size_t)(us - stem) >= 32) {
        return false;
    }
    char op[32];
    memcpy(op, stem, (size_t)(us - stem));
    op[us - stem] = '\0';
    enum bmx_op any;
    if (!bmx_op_from_name(op, &any)) {
        return false;
    }
    uint64_t v = 0;
    for (const char *p = us + 1; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10) {
            return false;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *k = v;
    return true;
}

/* A VOC shard's images, their places from the <boxmix> element of their XML. */
static bmx_status voc_items(struct files *f, size_t s, bmx_error *err)
{
    const char *shard = f->o->shards[s];
    struct bmx_voc_options vo;
    bmx_voc_options_init(&vo);
    vo.split = "trainval";
    bmx_dataset *ds = NULL;
    char **stems = NULL;
    bmx_status st = bmx_dataset_read_voc(shard, &vo, &ds, err);
    if (st == BMX_OK) {
        st = bmx__voc_stems(ds, &stems, err);
    }
    for (size_t i = 0; st == BMX_OK && i < ds->n_images; i++) {
        const cJSON *bm = cJSON_GetObjectItemCaseSensitive((const cJSON *)ds->images[i].extra,
                                                           "boxmix");
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(bm, "op");
        const cJSON *index = cJSON_GetObjectItemCaseSensitive(bm, "index");
        enum bmx_op any;
        const int kind = cJSON_IsString(op) && strcmp(op->valuestring, "original") == 0 ? 0
                         : cJSON_IsString(op) && bmx_op_from_name(op->valuestring, &any) ? 1
                                                                                          : -1;
        if (kind < 0 || !cJSON_IsNumber(index) || index->valuedouble < 0) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s/Annotations/%s.xml: annotation/boxmix: no op and index: not a "
                           "boxmix-augment output",
                           shard, stems[i]);
            break;
        }
        const char *slash = strrchr(ds->images[i].file_name, '/');
        struct item it = {kind, (uint64_t)index->valuedouble, s, strdup(stems[i]),
                          f->dry ? NULL : strdup(slash != NULL ? slash + 1
                                                               : ds->images[i].file_name),
                          ds->img_count[i]};
        if (it.stem == NULL || (!f->dry && it.image == NULL) || !add_item(f, &it)) {
            free(it.stem);
            free(it.image);
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        }
    }
    if (ds != NULL) {
        bmx__voc_free_stems(stems, ds->n_images);
    }
    bmx_dataset_free(ds);
    return st;
}

/* The number of rows of a YOLO label file (objects). */
static size_t count_rows(const char *data, size_t len)
{
    size_t rows = 0;
    bool text = false;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n') {
            rows += text;
            text = false;
        } else if (data[i] != ' ' && data[i] != '\r' && data[i] != '\t') {
            text = true;
        }
    }
    return rows + text;
}

/* A YOLO shard's images: one per label file, its image the file of the same stem;
 * places of outputs from their names, originals' from their content (when copied). */
static bmx_status yolo_items(struct files *f, int dir, size_t s, bmx_error *err)
{
    const char *shard = f->o->shards[s];
    char **labels = NULL, **images = NULL;
    size_t n_labels = 0, n_images = 0;
    bmx_status st = list_files(dir, shard, f->ann_rel, ".txt", &labels, &n_labels, err);
    if (st == BMX_OK && !f->dry) {
        st = list_files(dir, shard, f->img_rel, NULL, &images, &n_images, err);
    }
    if (st == BMX_OK && !f->dry && n_images != n_labels) {
        st = bmx__fail(err, BMX_E_STATE, "%s: %zu images in %s/ but %zu label files in %s/",
                       shard, n_images, f->img_rel, n_labels, f->ann_rel);
    }
    for (size_t i = 0; st == BMX_OK && i < n_labels; i++) {
        struct item it = {0, UNKNOWN, s, strdup(labels[i]), NULL, 0};
        if (it.stem == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            break;
        }
        it.stem[strlen(it.stem) - 4] = '\0';
        if (output_place(it.stem, &it.index)) {
            it.kind = 1;
        }
        if (!f->dry) {
            /* Both sorted by stem: the i-th label's image has its stem. */
            char *img_stem = strdup(images[i]);
            char *dot = img_stem != NULL ? strrchr(img_stem, '.') : NULL;
            if (dot != NULL) {
                *dot = '\0';
            }
            if (img_stem == NULL || dot == NULL || strcmp(img_stem, it.stem) != 0) {
                st = img_stem == NULL ? bmx__fail(err, BMX_E_NOMEM, "out of memory")
                                      : bmx__fail(err, BMX_E_STATE,
                                                  "%s/%s/%s: has no image of its name in %s/",
                                                  shard, f->ann_rel, labels[i], f->img_rel);
                free(img_stem);
                free(it.stem);
                break;
            }
            free(img_stem);
            it.image = strdup(images[i]);
        }
        char rel[600];
        char *data = NULL;
        size_t len = 0;
        snprintf(rel, sizeof rel, "%s/%s", f->ann_rel, labels[i]);
        st = bmx__read_at(dir, shard, rel, &data, &len, err);
        it.objects = st == BMX_OK ? count_rows(data, len) : 0;
        free(data);
        if (st == BMX_OK && ((!f->dry && it.image == NULL) || !add_item(f, &it))) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        }
        if (st != BMX_OK) {
            free(it.stem);
            free(it.image);
        }
    }
    free_names(labels, n_labels);
    free_names(images, n_images);
    return st;
}

/* Every output place 0, 1, ... once; no original place twice; no stem twice. */
static bmx_status check_items(const struct files *f, bmx_error *err)
{
    const struct bmx_merge_options *o = f->o;
    bmx_status st = BMX_OK;
    uint64_t expect = 0;
    for (size_t q = 0; q < f->n && st == BMX_OK; q++) {
        const struct item *it = &f->items[q];
        const struct item *prev = q > 0 ? &f->items[q - 1] : NULL;
        if (it->kind == 0) {
            if (prev != NULL && it->index != UNKNOWN && prev->index == it->index) {
                st = bmx__fail(err, BMX_E_SCHEMA,
                               "original %" PRIu64 " is in more than one shard (%s and %s)",
                               it->index, o->shards[prev->shard], o->shards[it->shard]);
            }
            continue;
        }
        if (it->index < expect) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "output %" PRIu64 " is in more than one shard (%s and %s)", it->index,
                           o->shards[prev->shard], o->shards[it->shard]);
        } else if (it->index > expect) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "output %" PRIu64 " is in no shard: is a shard missing?", expect);
        }
        expect++;
    }
    const struct item **by = f->n > 0 ? bmx__alloc_array(f->n, sizeof *by) : NULL;
    if (st == BMX_OK && f->n > 0 && by == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    for (size_t q = 0; st == BMX_OK && q < f->n; q++) {
        by[q] = &f->items[q];
    }
    if (st == BMX_OK && f->n > 1) {
        qsort(by, f->n, sizeof *by, cmp_stem);
    }
    for (size_t q = 1; st == BMX_OK && q < f->n; q++) {
        if (strcmp(by[q - 1]->stem, by[q]->stem) == 0) {
            st = bmx__fail(err, BMX_E_SCHEMA, "%s%s is in more than one shard (%s and %s)",
                           by[q]->stem, f->ann_ext, o->shards[by[q - 1]->shard],
                           o->shards[by[q]->shard]);
        }
    }
    free(by);
    return st;
}

/* The journal line of item `it`'s image, whose content is data/len: an output's by
 * its place, an original's by its place (VOC) or by its content (YOLO). */
static const struct bmx__jfile *line_of(const struct files *f, const struct item *it,
                                        const char *data, size_t len)
{
    const struct bmx__journal *j = &f->js[it->shard];
    if (it->kind == 1 || it->index != UNKNOWN) {
        return bmx__merge_find(it->kind == 1 ? &j->outputs : &j->originals, it->index);
    }
    const uint64_t h = bmx__hash_bytes(data, len);
    for (size_t q = 0; q < j->originals.n; q++) {
        if (j->originals.v[q].size == len && j->originals.v[q].hash == h) {
            return &j->originals.v[q];
        }
    }
    return NULL;
}

/* Item `it`'s image copied (or linked) into the merged folder, checked against its
 * journal line, the line added to the merged journal; its annotation file copied. */
static bmx_status copy_item(struct files *f, int img_fd, int ann_fd,
                            struct bmx__journal *jr, const struct item *it, bmx_error *err)
{
    const struct bmx_merge_options *o = f->o;
    const char *shard = o->shards[it->shard];
    char *img_dir = bmx__path_join(shard, f->img_rel);
    char *ann_dir = bmx__path_join(o->out, f->ann_rel);
    char *out_img = bmx__path_join(o->out, f->img_rel);
    const int sfd = f->dirs[it->shard];
    char *data = NULL;
    size_t len = 0;
    char rel[600];
    bmx_status st = img_dir == NULL || ann_dir == NULL || out_img == NULL
                        ? bmx__fail(err, BMX_E_NOMEM, "out of memory")
                        : BMX_OK;
    if (st == BMX_OK && it->image != NULL) {
        if (bmx__name_escapes(it->image)) {
            st = bmx__fail(err, BMX_E_SCHEMA, "%s/%s/%s: escapes the image folder", shard,
                           f->img_rel, it->image);
        }
        snprintf(rel, sizeof rel, "%s/%s", f->img_rel, it->image);
        if (st == BMX_OK) {
            st = bmx__read_at(sfd, shard, rel, &data, &len, err);
        }
        const struct bmx__jfile *jf = st == BMX_OK ? line_of(f, it, data, len) : NULL;
        if (st == BMX_OK && jf == NULL) {
            st = bmx__fail(err, BMX_E_STATE,
                           "%s/%s: is not listed in the shard's " BMX__JOURNAL_NAME, shard, rel);
        } else if (st == BMX_OK && (len != jf->size || bmx__hash_bytes(data, len) != jf->hash)) {
            st = bmx__fail(err, BMX_E_STATE,
                           "%s/%s: is not the file its run wrote (size or hash differ from the "
                           "shard's " BMX__JOURNAL_NAME ")",
                           shard, rel);
        }
        if (st == BMX_OK) {
            st = bmx__merge_put_image(img_fd, out_img, img_dir, it->image, data, len, o->link,
                                      err);
        }
        if (st == BMX_OK && !bmx__jlist_push(it->kind == 0 ? &jr->originals : &jr->outputs, jf)) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        }
        free(data);
        data = NULL;
    }
    if (st == BMX_OK) {
        snprintf(rel, sizeof rel, "%s/%s%s", f->ann_rel, it->stem, f->ann_ext);
        st = bmx__read_at(sfd, shard, rel, &data, &len, err);
    }
    if (st == BMX_OK) {
        snprintf(rel, sizeof rel, "%s%s", it->stem, f->ann_ext);
        st = bmx__outfile_write(ann_fd, ann_dir, rel, data, len, false, err);
    }
    free(data);
    free(img_dir);
    free(ann_dir);
    free(out_img);
    return st;
}

/* The first shard's run: dry or not, its YOLO split, so where the files lie. */
static void take_layout(struct files *f, const struct bmx__journal *j0, const char *split)
{
    f->dry = strstr(j0->run, "\"dry_run\":true") != NULL;
    snprintf(f->split, sizeof f->split, "%s", split);
    if (f->format == BMX_DATASET_VOC) {
        snprintf(f->img_rel, sizeof f->img_rel, "JPEGImages");
        snprintf(f->ann_rel, sizeof f->ann_rel, "Annotations");
        f->ann_ext = ".xml";
    } else {
        snprintf(f->img_rel, sizeof f->img_rel, "images/%s", f->split);
        snprintf(f->ann_rel, sizeof f->ann_rel, "labels/%s", f->split);
        f->ann_ext = ".txt";
    }
}

/* Open every shard's folder, read its journal and its images' list. */
static bmx_status read_shards(struct files *f, bmx_error *err)
{
    const struct bmx_merge_options *o = f->o;
    bmx_status st = BMX_OK;
    for (size_t s = 0; s < o->n_shards && st == BMX_OK; s++) {
        const int dir = f->dirs[s] = open(o->shards[s], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0) {
            return bmx__fail(err, BMX_E_IO, "%s: cannot open folder: %s", o->shards[s],
                             strerror(errno));
        }
        enum bmx_dataset_format format;
        char split[256];
        st = bmx__merge_journal(dir, o->shards[s], &f->js[s], err);
        if (st == BMX_OK) {
            st = bmx__merge_format(&f->js[s], o->shards[s], &format, split, sizeof split, err);
        }
        if (st == BMX_OK && s == 0) {
            take_layout(f, &f->js[0], split); /* every other shard must have it */
        }
        if (st == BMX_OK && (format != f->format || strcmp(split, f->split) != 0)) {
            st = bmx__fail(err, BMX_E_STATE, "%s: is not a shard of the same run as %s: another "
                           "output format or split", o->shards[s], o->shards[0]);
        }
        const size_t before = f->n;
        if (st == BMX_OK) {
            st = f->format == BMX_DATASET_VOC ? voc_items(f, s, err) : yolo_items(f, dir, s, err);
        }
        const struct bmx__journal *j = &f->js[s];
        if (st == BMX_OK && !f->dry && f->n - before != j->outputs.n + j->originals.n) {
            st = bmx__fail(err, BMX_E_STATE, "%s: %zu images annotated, its " BMX__JOURNAL_NAME
                           " lists %zu files", o->shards[s], f->n - before,
                           j->outputs.n + j->originals.n);
        }
        if (st == BMX_OK) {
            bmx__journal_finish_lists(&f->js[s]); /* sorted: every image finds its line */
        }
    }
    return st;
}

/* YOLO: the shards' data.yaml, the same in each (*out, *out_len: its bytes). */
static bmx_status read_data_yaml(const struct files *f, char **out, size_t *out_len,
                                 bmx_error *err)
{
    const struct bmx_merge_options *o = f->o;
    char *first = NULL;
    size_t first_len = 0;
    bmx_status st = BMX_OK;
    for (size_t s = 0; s < o->n_shards && st == BMX_OK; s++) {
        char *data = NULL;
        size_t len = 0;
        st = bmx__read_at(f->dirs[s], o->shards[s], "data.yaml", &data, &len, err);
        if (st == BMX_OK && s == 0) {
            first = data;
            first_len = len;
            data = NULL;
        } else if (st == BMX_OK && (len != first_len || memcmp(data, first, len) != 0)) {
            st = bmx__fail(err, BMX_E_STATE, "%s/data.yaml: differs from %s/data.yaml: not shards "
                           "of one run", o->shards[s], o->shards[0]);
        }
        free(data);
    }
    if (st != BMX_OK) {
        free(first);
        return st;
    }
    *out = first;
    *out_len = first_len;
    return BMX_OK;
}

bmx_status bmx__merge_files(const struct bmx_merge_options *o, enum bmx_dataset_format format,
                            struct bmx_merge_summary *summary, bmx_error *err)
{
    struct files f = {0};
    struct bmx__outdir od = {NULL, -1, -1};
    struct bmx__journal jr = {0};
    struct bmx__buf list = {0};
    int jfd = -1, img_fd = -1, ann_fd = -1;
    f.o = o;
    f.format = format;
    f.js = calloc(o->n_shards, sizeof *f.js);
    f.dirs = bmx__alloc_array(o->n_shards, sizeof *f.dirs);
    bmx_status st = f.js == NULL || f.dirs == NULL ? bmx__fail(err, BMX_E_NOMEM, "out of memory")
                                                   : BMX_OK;
    for (size_t s = 0; f.dirs != NULL && s < o->n_shards; s++) {
        f.dirs[s] = -1;
    }
    if (st == BMX_OK) {
        st = bmx__merge_guard(o, format, err);
    }
    if (st == BMX_OK) {
        st = read_shards(&f, err);
    }
    if (st == BMX_OK) {
        st = bmx__merge_check_shards(o, f.js, err);
    }
    if (st == BMX_OK && f.n > 1) {
        qsort(f.items, f.n, sizeof *f.items, cmp_item);
    }
    if (st == BMX_OK) {
        st = check_items(&f, err);
    }
    char *yaml = NULL;
    size_t yaml_len = 0;
    if (st == BMX_OK && format == BMX_DATASET_YOLO) {
        st = read_data_yaml(&f, &yaml, &yaml_len, err);
    }
    if (st == BMX_OK) {
        st = bmx__outdir_open(&od, o->out, err);
    }
    if (st == BMX_OK && !o->force) {
        st = bmx__check_dataset_free(od.fd, o->out, NULL, err);
    }
    if (st == BMX_OK) {
        bmx__outdir_remove_temps(&od, o->shards, o->n_shards);
        st = bmx__merge_journal_head(&f.js[0], &jr, err);
    }
    if (st == BMX_OK) {
        st = bmx__journal_begin(od.fd, o->out, &jr, &jfd, err);
    }
    if (st == BMX_OK && !f.dry) {
        st = bmx__dir_open(od.fd, o->out, f.img_rel, true, &img_fd, err);
    }
    if (st == BMX_OK) {
        st = bmx__dir_open(od.fd, o->out, f.ann_rel, true, &ann_fd, err);
    }
    if (st == BMX_OK && format == BMX_DATASET_VOC) {
        int sets = -1;
        st = bmx__dir_open(od.fd, o->out, "ImageSets/Main", true, &sets, err);
        if (sets >= 0) {
            close(sets);
        }
    }
    struct bmx__progress progress;
    bmx__progress_init(&progress, o->progress, o->progress_ctx);
    bmx__progress_stage(&progress, "joining shards", BMX_PROGRESS_FILES, f.n);
    for (size_t q = 0; q < f.n && st == BMX_OK; q++) {
        if (o->cancel != NULL && *o->cancel) {
            st = bmx__fail(err, BMX_E_INTERRUPTED, "%s: interrupted after %zu of %zu images",
                           o->out, q, f.n);
            break;
        }
        const struct item *it = &f.items[q];
        st = copy_item(&f, img_fd, ann_fd, &jr, it, err);
        bmx__buf_puts(&list, it->stem);
        bmx__buf_put(&list, "\n", 1);
        if (st == BMX_OK && summary != NULL) {
            *(it->kind == 0 ? &summary->originals : &summary->samples) += 1;
            summary->annotations += it->objects;
        }
        bmx__progress_step(&progress);
    }
    if (st == BMX_OK && list.failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    /* The files that make the folder a dataset come last, after every image. */
    if (st == BMX_OK && format == BMX_DATASET_YOLO) {
        st = bmx__outfile_write(od.fd, o->out, "data.yaml", yaml, yaml_len, true, err);
    }
    if (st == BMX_OK && format == BMX_DATASET_VOC) {
        /* The single run's list: every image, originals then outputs, by place. */
        st = bmx__outfile_write(od.fd, o->out, "ImageSets/Main/trainval.txt",
                                list.data != NULL ? list.data : "", list.len, true, err);
    }
    if (st == BMX_OK) {
        close(jfd);
        jfd = -1;
        st = bmx__journal_finish(od.fd, o->out, &jr, err);
    }
    if (jfd >= 0) {
        close(jfd);
    }
    if (img_fd >= 0) {
        close(img_fd);
    }
    if (ann_fd >= 0) {
        close(ann_fd);
    }
    bmx__outdir_close(&od);
    bmx__journal_free(&jr);
    bmx__buf_free(&list);
    free(yaml);
    for (size_t q = 0; q < f.n; q++) {
        free(f.items[q].stem);
        free(f.items[q].image);
    }
    free(f.items);
    for (size_t s = 0; f.js != NULL && s < o->n_shards; s++) {
        bmx__journal_free(&f.js[s]);
    }
    for (size_t s = 0; f.dirs != NULL && s < o->n_shards; s++) {
        if (f.dirs[s] >= 0) {
            close(f.dirs[s]);
        }
    }
    free(f.js);
    free(f.dirs);
    if (st != BMX_OK && summary != NULL) {
        memset(summary, 0, sizeof *summary);
    }
    return st;
}
