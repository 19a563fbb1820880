/* SPDX-License-Identifier: MIT */
/* Joining the output folders of a sharded run into one dataset.
 *
 * Every image boxmix writes records its place in the run (`boxmix.op` and
 * `boxmix.index`), and image ids are fixed by that place; only annotation ids
 * depend on the outputs before them. So the merge orders the shards' images by
 * place, renumbers the annotations in that order and writes the file with the
 * same writer as a single run: the result is the single run's bytes.
 *
 * Only shards of one run are joined: each shard's journal must be finished, name
 * the same run (inputs, options, seed, count) and a shard of the given count, each
 * shard must be given once, and every file must be the one its journal lists. */
#include "input.h"
#include "journal.h"
#include "merge.h"
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct placed {
    int kind; /* 0 original, 1 cutmix */
    uint64_t index;
    size_t shard;
    size_t image;
};

struct merge_ctx {
    bmx_dataset **shards;
    struct bmx__journal *journals;
    struct placed *order;
    size_t n;
};

static int cmp_placed(const void *pa, const void *pb)
{
    const struct placed *a = pa, *b = pb;
    if (a->kind != b->kind) {
        return a->kind < b->kind ? -1 : 1;
    }
    return a->index < b->index ? -1 : a->index > b->index ? 1 : 0;
}

static void put_images(struct bmx__buf *b, void *ctx)
{
    struct merge_ctx *m = ctx;
    for (size_t q = 0; q < m->n; q++) {
        const struct bmx_image_info *info = &m->shards[m->order[q].shard]->images[m->order[q].image];
        struct bmx__buf id = {0};
        bmx__coco_put_image_id(&id, info);
        bmx__buf_puts(b, q ? ",\n" : "\n");
        bmx__coco_put_image(b, info, id.data ? id.data : "null", info->file_name, info->width,
                            info->height, true, NULL);
        bmx__buf_free(&id);
    }
}

static void put_annotations(struct bmx__buf *b, void *ctx)
{
    struct merge_ctx *m = ctx;
    size_t aid = 0;
    for (size_t q = 0; q < m->n; q++) {
        const bmx_dataset *ds = m->shards[m->order[q].shard];
        size_t i = m->order[q].image;
        struct bmx__buf id = {0};
        bmx__coco_put_image_id(&id, &ds->images[i]);
        const struct bmx_object *objs = ds->objects + ds->img_first[i];
        for (size_t k = 0; k < ds->img_count[i]; k++) {
            aid++;
            bmx__buf_puts(b, aid > 1 ? ",\n" : "\n");
            bmx__coco_put_annotation(b, &objs[k], (int64_t)aid, id.data ? id.data : "null", NULL);
        }
        bmx__buf_free(&id);
    }
}

static void put_merged(struct bmx__buf *b, void *ctx)
{
    struct merge_ctx *m = ctx;
    bmx__coco_put_document(b, m->shards[0], put_images, put_annotations, m);
}

void bmx_merge_options_init(struct bmx_merge_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
}

const struct bmx__jfile *bmx__merge_find(const struct bmx__jlist *l, uint64_t index)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v[mid].index < index) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < l->n && l->v[lo].index == index ? &l->v[lo] : NULL;
}

static uint64_t stream_hash(const void *data, size_t len)
{
    struct bmx__hash h;
    bmx__hash_init(&h);
    bmx__hash_update(&h, data, len);
    return bmx__hash_final(&h);
}

bmx_status bmx__merge_journal(int dir, const char *dir_path, struct bmx__journal *j,
                              bmx_error *err)
{
    bool exists = false;
    char tool[64] = "";
    bmx_status st = bmx__journal_read(dir, dir_path, j, &exists, err);
    if (st == BMX_OK) {
        bmx__journal_tool(j, tool, sizeof tool);
    }
    if (st == BMX_OK && !exists) {
        st = bmx__fail(err, BMX_E_STATE,
                       "%s: has no " BMX__JOURNAL_NAME ": not the output folder of a boxmix-augment run",
                       dir_path);
    } else if (st == BMX_OK && strcmp(tool, "boxmix-augment") != 0) {
        st = bmx__fail(err, BMX_E_STATE, "%s: was written by %s, not by a boxmix-augment run",
                       dir_path, tool);
    } else if (st == BMX_OK && !j->done) {
        st = bmx__fail(err, BMX_E_STATE,
                       "%s: its run has not finished: finish it with boxmix-augment --resume first",
                       dir_path);
    }
    return st;
}

bmx_status bmx__merge_format(const struct bmx__journal *j, const char *dir_path,
                             enum bmx_dataset_format *format, char *split, size_t split_cap,
                             bmx_error *err)
{
    cJSON *run = cJSON_Parse(j->run != NULL ? j->run : "");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(run, "out_format");
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(run, "yolo_split");
    bmx_status st = BMX_OK;
    split[0] = '\0';
    if (cJSON_IsString(f) && strcmp(f->valuestring, "coco") == 0) {
        *format = BMX_DATASET_COCO;
    } else if (cJSON_IsString(f) && strcmp(f->valuestring, "voc") == 0) {
        *format = BMX_DATASET_VOC;
    } else if (cJSON_IsString(f) && strcmp(f->valuestring, "yolo") == 0 && cJSON_IsString(sp) &&
               strlen(sp->valuestring) < split_cap) {
        *format = BMX_DATASET_YOLO;
        memcpy(split, sp->valuestring, strlen(sp->valuestring) + 1);
    } else {
        st = bmx__fail(err, BMX_E_STATE,
                       "%s/" BMX__JOURNAL_NAME ": its run line names no output format boxmix-merge "
                       "knows (out_format coco, voc or yolo)",
                       dir_path);
    }
    cJSON_Delete(run);
    return st;
}

/* Read shard s: its journal (finished, of an augment run with COCO output) and
 * its annotation file (the one the journal lists). */
static bmx_status read_shard(const char *dir_path, struct bmx__journal *j, bmx_dataset **ds,
                             bmx_error *err)
{
    int dir = open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open folder: %s", dir_path, strerror(errno));
    }
    char *data = NULL;
    size_t len = 0;
    bmx_status st = bmx__merge_journal(dir, dir_path, j, err);
    enum bmx_dataset_format format = BMX_DATASET_COCO;
    char split[256];
    if (st == BMX_OK) {
        st = bmx__merge_format(j, dir_path, &format, split, sizeof split, err);
    }
    if (st == BMX_OK && (format != BMX_DATASET_COCO || !j->done_has_hash)) {
        st = bmx__fail(err, BMX_E_STATE, "%s: holds %s output, the first shard COCO: not shards "
                       "of one run", dir_path, format == BMX_DATASET_YOLO ? "YOLO" : "VOC");
    }
    if (st == BMX_OK) {
        st = bmx__read_at(dir, dir_path, "annotations.json", &data, &len, err);
    }
    if (st == BMX_OK && (len != j->done_size || stream_hash(data, len) != j->done_hash)) {
        st = bmx__fail(err, BMX_E_STATE,
                       "%s/annotations.json: is not the file its run wrote (size or hash differ from "
                       BMX__JOURNAL_NAME "): edited after the run?",
                       dir_path);
    }
    if (st == BMX_OK) {
        char *name = bmx__path_join(dir_path, "annotations.json");
        st = name == NULL ? bmx__fail(err, BMX_E_NOMEM, "out of memory")
                          : bmx_dataset_read_coco_buffer(data, len, name, ds, err);
        free(name);
    }
    free(data);
    close(dir);
    return st;
}

bmx_status bmx__merge_guard(const struct bmx_merge_options *o, enum bmx_dataset_format format,
                            bmx_error *err)
{
    struct bmx__guard g = {0};
    bmx_status st = BMX_OK;
    for (size_t s = 0; s < o->n_shards && st == BMX_OK; s++) {
        st = bmx__guard_input(&g, o->shards[s], true, "a shard folder", err);
    }
    if (st == BMX_OK) {
        st = bmx__guard_dataset_out(&g, o->out, format, err);
    }
    bmx__guard_free(&g);
    return st;
}

bmx_status bmx__merge_check_shards(const struct bmx_merge_options *o,
                                   const struct bmx__journal *js, bmx_error *err)
{
    size_t *seen = calloc(o->n_shards, sizeof *seen);
    if (seen == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    bmx_status st = BMX_OK;
    for (size_t s = 0; s < o->n_shards && st == BMX_OK; s++) {
        const struct bmx__journal *j = &js[s];
        if (strcmp(j->run, js[0].run) != 0) {
            st = bmx__fail(err, BMX_E_STATE,
                           "%s: is not a shard of the same run as %s: other inputs, options, seed "
                           "or output count (the run line of " BMX__JOURNAL_NAME " differs)",
                           o->shards[s], o->shards[0]);
        } else if (j->shard_count != o->n_shards) {
            st = bmx__fail(err, BMX_E_STATE, "%s: is shard %" PRIu64 "/%" PRIu64 ", but %zu shards were given",
                           o->shards[s], j->shard_index, j->shard_count, o->n_shards);
        } else if (seen[j->shard_index] != 0) {
            st = bmx__fail(err, BMX_E_STATE, "%s and %s: are both shard %" PRIu64 "/%" PRIu64,
                           o->shards[seen[j->shard_index] - 1], o->shards[s], j->shard_index,
                           j->shard_count);
        } else {
            seen[j->shard_index] = s + 1;
        }
    }
    free(seen);
    return st;
}

bmx_status bmx__merge_put_image(int img_fd, const char *img_dir, const char *src_dir,
                                const char *name, const void *data, size_t len, bool link,
                                bmx_error *err)
{
    if (link) {
        char *src = bmx__path_join(src_dir, name);
        bmx_status st = src == NULL ? bmx__fail(err, BMX_E_NOMEM, "out of memory")
                                    : bmx__outfile_link(img_fd, img_dir, name, src, true, NULL);
        free(src);
        if (st == BMX_OK) {
            return BMX_OK;
        }
        /* Not linkable there (another file system, no permission): a copy. */
    }
    return bmx__outfile_write(img_fd, img_dir, name, data, len, false, err);
}

bmx_status bmx__merge_journal_head(const struct bmx__journal *j0, struct bmx__journal *jr,
                                   bmx_error *err)
{
    /* The merged journal is the one a run without shards writes. */
    jr->run = strdup(j0->run);
    jr->shard_index = 0;
    jr->shard_count = 1;
    jr->has_dataset = j0->has_dataset;
    jr->dataset = j0->dataset;
    if (jr->run == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < j0->inputs.n; i++) {
        if (!bmx__jlist_push(&jr->inputs, &j0->inputs.v[i])) {
            return bmx__fail(err, BMX_E_NOMEM, "out of memory");
        }
    }
    return BMX_OK;
}

/* The format of the first shard's output: its journal's run line says. */
static bmx_status first_format(const struct bmx_merge_options *o, enum bmx_dataset_format *format,
                               bmx_error *err)
{
    struct bmx__journal j = {0};
    int dir = open(o->shards[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open folder: %s", o->shards[0],
                         strerror(errno));
    }
    char split[256];
    bmx_status st = bmx__merge_journal(dir, o->shards[0], &j, err);
    if (st == BMX_OK) {
        st = bmx__merge_format(&j, o->shards[0], format, split, sizeof split, err);
    }
    bmx__journal_free(&j);
    close(dir);
    return st;
}

bmx_status bmx_merge_run(const struct bmx_merge_options *given, struct bmx_merge_summary *summary,
                         bmx_error *err)
{
    struct bmx_merge_options opts;
    const struct bmx_merge_options *o = &opts;
    bmx_status st = BMX_OK;
    struct merge_ctx m = {0};
    struct bmx__outdir od = {NULL, -1, -1};
    struct bmx__journal jr = {0};
    int img_fd = -1, jfd = -1;
    char *img_dir = NULL;
    if (summary != NULL) {
        memset(summary, 0, sizeof *summary);
    }
    bmx_merge_options_init(&opts);
    if (given != NULL) {
        /* Read up to the caller's size (boxmix.h, "Options that grow"). */
        st = bmx__sized_read(&opts, sizeof opts, given, "struct bmx_merge_options", err);
        if (st != BMX_OK) {
            return st;
        }
    }
    if (given == NULL || o->out == NULL || o->shards == NULL || o->n_shards == 0) {
        return bmx__fail(err, BMX_E_INVALID, "merge: an output folder and at least one shard are required");
    }
    enum bmx_dataset_format format = BMX_DATASET_COCO;
    st = first_format(o, &format, err);
    if (st != BMX_OK) {
        return st;
    }
    if (format != BMX_DATASET_COCO) {
        return bmx__merge_files(o, format, summary, err);
    }
    const size_t n_shards = o->n_shards;
    m.shards = calloc(n_shards, sizeof *m.shards);
    m.journals = calloc(n_shards, sizeof *m.journals);
    img_dir = bmx__path_join(o->out, "images");
    if (m.shards == NULL || m.journals == NULL || img_dir == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    st = bmx__merge_guard(o, BMX_DATASET_COCO, err);
    if (st != BMX_OK) {
        goto done;
    }
    size_t total = 0;
    for (size_t s = 0; s < n_shards; s++) {
        st = read_shard(o->shards[s], &m.journals[s], &m.shards[s], err);
        if (st != BMX_OK) {
            goto done;
        }
        total += m.shards[s]->n_images;
        if (s > 0 && !cJSON_Compare(m.shards[0]->root, m.shards[s]->root, true)) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s/annotations.json: its info, licenses or categories differ from %s's: not shards of one run",
                           o->shards[s], o->shards[0]);
            goto done;
        }
    }
    st = bmx__merge_check_shards(o, m.journals, err);
    if (st != BMX_OK) {
        goto done;
    }
    const bool dry = strstr(m.journals[0].run, "\"dry_run\":true") != NULL;
    m.order = calloc(total ? total : 1, sizeof *m.order);
    if (m.order == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t s = 0; s < n_shards; s++) {
        const bmx_dataset *ds = m.shards[s];
        struct bmx__journal *j = &m.journals[s];
        /* Sorted, so that every record finds its line. */
        bmx__journal_finish_lists(j);
        for (size_t i = 0; i < ds->n_images; i++) {
            const cJSON *bm = cJSON_GetObjectItemCaseSensitive((const cJSON *)ds->images[i].extra, "boxmix");
            const cJSON *op = cJSON_GetObjectItemCaseSensitive(bm, "op");
            const cJSON *index = cJSON_GetObjectItemCaseSensitive(bm, "index");
            enum bmx_op any;
            int kind = cJSON_IsString(op) && strcmp(op->valuestring, "original") == 0    ? 0
                       : cJSON_IsString(op) && bmx_op_from_name(op->valuestring, &any) ? 1
                                                                                         : -1;
            if (kind < 0 || !cJSON_IsNumber(index) || index->valuedouble < 0) {
                st = bmx__fail(err, BMX_E_SCHEMA,
                               "%s/annotations.json: images[%zu].boxmix: no op and index: not a boxmix-augment output",
                               o->shards[s], i);
                goto done;
            }
            m.order[m.n++] = (struct placed){kind, (uint64_t)index->valuedouble, s, i};
        }
        if (!dry && ds->n_images != j->outputs.n + j->originals.n) {
            st = bmx__fail(err, BMX_E_STATE,
                           "%s: annotations.json has %zu images, its " BMX__JOURNAL_NAME " lists %zu files",
                           o->shards[s], ds->n_images, j->outputs.n + j->originals.n);
            goto done;
        }
    }
    qsort(m.order, m.n, sizeof *m.order, cmp_placed);
    /* Every place from 0 up, once: a missing or repeated shard is an error. */
    for (size_t q = 0; q < m.n; q++) {
        uint64_t expect = q == 0 || m.order[q].kind != m.order[q - 1].kind ? 0 : m.order[q - 1].index + 1;
        if (m.order[q].index != expect) {
            const char *what = m.order[q].kind == 0 ? "original" : "output";
            if (m.order[q].index < expect) {
                st = bmx__fail(err, BMX_E_SCHEMA, "%s %" PRIu64 " is in more than one shard (%s and %s)",
                               what, m.order[q].index, o->shards[m.order[q - 1].shard],
                               o->shards[m.order[q].shard]);
            } else {
                st = bmx__fail(err, BMX_E_SCHEMA, "%s %" PRIu64 " is in no shard: is a shard missing?",
                               what, expect);
            }
            goto done;
        }
    }
    st = bmx__outdir_open(&od, o->out, err);
    if (st != BMX_OK) {
        goto done;
    }
    if (!o->force && bmx__dir_has(od.fd, "annotations.json")) {
        st = bmx__fail(err, BMX_E_STATE,
                       "%s: already holds a dataset (annotations.json); choose another folder or use --force",
                       o->out);
        goto done;
    }
    bmx__outdir_remove_temps(&od, o->shards, n_shards);
    st = bmx__merge_journal_head(&m.journals[0], &jr, err);
    if (st == BMX_OK) {
        st = bmx__journal_begin(od.fd, o->out, &jr, &jfd, err);
    }
    if (st == BMX_OK && !dry) {
        st = bmx__dir_open(od.fd, o->out, "images", true, &img_fd, err);
    }
    if (st != BMX_OK) {
        goto done;
    }
    struct bmx__progress progress;
    bmx__progress_init(&progress, o->progress, o->progress_ctx);
    bmx__progress_stage(&progress, "joining shards", BMX_PROGRESS_FILES, m.n);
    for (size_t q = 0; q < m.n; q++) {
        if (o->cancel != NULL && *o->cancel) {
            st = bmx__fail(err, BMX_E_INTERRUPTED, "%s: interrupted after %zu of %zu images", o->out,
                           q, m.n);
            goto done;
        }
        const struct placed *pl = &m.order[q];
        const struct bmx_image_info *info = &m.shards[pl->shard]->images[pl->image];
        const char *shard = o->shards[pl->shard];
        if (bmx__name_escapes(info->file_name)) {
            st = bmx__fail(err, BMX_E_SCHEMA, "%s/annotations.json: images[%zu].file_name: \"%s\" escapes the image folder",
                           shard, pl->image, info->file_name);
            goto done;
        }
        if (!dry) {
            const struct bmx__journal *j = &m.journals[pl->shard];
            const struct bmx__jfile *f =
                bmx__merge_find(pl->kind == 0 ? &j->originals : &j->outputs, pl->index);
            char *data = NULL;
            size_t len = 0;
            char *sdir = bmx__path_join(shard, "images");
            int sfd = sdir != NULL ? open(sdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
            if (f == NULL) {
                st = bmx__fail(err, BMX_E_STATE, "%s/images/%s: is not listed in the shard's " BMX__JOURNAL_NAME,
                               shard, info->file_name);
            } else if (sfd < 0) {
                st = bmx__fail(err, BMX_E_IO, "%s/images: cannot open: %s", shard, strerror(errno));
            } else {
                st = bmx__read_at(sfd, sdir, info->file_name, &data, &len, err);
            }
            if (st == BMX_OK && (len != f->size || bmx__hash_bytes(data, len) != f->hash)) {
                st = bmx__fail(err, BMX_E_STATE,
                               "%s/images/%s: is not the file its run wrote (size or hash differ from the shard's "
                               BMX__JOURNAL_NAME ")",
                               shard, info->file_name);
            }
            if (st == BMX_OK) {
                st = bmx__merge_put_image(img_fd, img_dir, sdir, info->file_name, data, len,
                                          o->link, err);
            }
            if (st == BMX_OK && !bmx__jlist_push(pl->kind == 0 ? &jr.originals : &jr.outputs, f)) {
                st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            }
            if (sfd >= 0) {
                close(sfd);
            }
            free(sdir);
            free(data);
            if (st != BMX_OK) {
                goto done;
            }
        }
        if (summary != NULL) {
            if (pl->kind == 0) {
                summary->originals++;
            } else {
                summary->samples++;
            }
            summary->annotations += m.shards[pl->shard]->img_count[pl->image];
        }
        bmx__progress_step(&progress);
    }
    st = bmx__stream_document(od.fd, o->out, "annotations.json", put_merged, &m, o->cancel,
                              &jr.done_size, &jr.done_hash, err);
    jr.done_has_hash = true;
    if (st == BMX_OK) {
        close(jfd);
        jfd = -1;
        st = bmx__journal_finish(od.fd, o->out, &jr, err);
    }
done:
    if (jfd >= 0) {
        close(jfd);
    }
    if (img_fd >= 0) {
        close(img_fd);
    }
    bmx__outdir_close(&od);
    bmx__journal_free(&jr);
    for (size_t s = 0; m.shards != NULL && s < o->n_shards; s++) {
        bmx_dataset_free(m.shards[s]);
        bmx__journal_free(&m.journals[s]);
    }
    free(m.shards);
    free(m.journals);
    free(m.order);
    free(img_dir);
    return st;
}
