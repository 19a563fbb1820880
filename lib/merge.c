/* Joining the output folders of a sharded run into one dataset.
 *
 * Every image boxmix writes records its place in the run (`boxmix.op` and
 * `boxmix.index`), and image ids are fixed by that place; only annotation ids
 * depend on the outputs before them. So the merge orders the shards' images by
 * place, renumbers the annotations in that order and writes the file with the
 * same writer as a single run: the result is the single run's bytes. */
#include "dataset.h"

#include <errno.h>
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

/* Copy (or hard-link) one file; the copy appears whole or not at all. */
static bmx_status place_file(const char *src, const char *dst, bool link_files, bmx_error *err)
{
    if (link_files) {
        unlink(dst);
        if (link(src, dst) == 0) {
            return BMX_OK;
        }
    }
    char *data = NULL;
    size_t len = 0;
    bmx_status st = bmx__read_file(src, &data, &len, err);
    if (st == BMX_OK) {
        st = bmx__write_file_atomic(dst, data, len, false, err);
    }
    free(data);
    return st;
}

bmx_status bmx_merge_run(const char *out, const char *const *shard_dirs, size_t n_shards,
                         bool force, bool link_files, struct bmx_merge_summary *summary,
                         bmx_error *err)
{
    bmx_status st = BMX_OK;
    struct merge_ctx m = {0};
    struct bmx__buf doc = {0};
    char *ann_path = NULL, *img_dir = NULL;
    if (summary != NULL) {
        memset(summary, 0, sizeof *summary);
    }
    if (out == NULL || shard_dirs == NULL || n_shards == 0) {
        return bmx__fail(err, BMX_E_INVALID, "merge: an output folder and at least one shard are required");
    }
    m.shards = calloc(n_shards, sizeof *m.shards);
    ann_path = bmx__path_join(out, "annotations.json");
    img_dir = bmx__path_join(out, "images");
    if (m.shards == NULL || ann_path == NULL || img_dir == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    char rout[PATH_MAX];
    bool have_rout = realpath(out, rout) != NULL;
    size_t total = 0;
    for (size_t s = 0; s < n_shards; s++) {
        char rs[PATH_MAX];
        if (have_rout && realpath(shard_dirs[s], rs) != NULL && strcmp(rs, rout) == 0) {
            st = bmx__fail(err, BMX_E_INVALID, "%s: the output folder is one of the shards", out);
            goto done;
        }
        char *p = bmx__path_join(shard_dirs[s], "annotations.json");
        if (p == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        st = bmx_dataset_read_coco(p, &m.shards[s], err);
        free(p);
        if (st != BMX_OK) {
            goto done;
        }
        total += m.shards[s]->n_images;
        if (s > 0 && !cJSON_Compare(m.shards[0]->root, m.shards[s]->root, true)) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s/annotations.json: its info, licenses or categories differ from %s's: not shards of one run",
                           shard_dirs[s], shard_dirs[0]);
            goto done;
        }
    }
    m.order = calloc(total ? total : 1, sizeof *m.order);
    if (m.order == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t s = 0; s < n_shards; s++) {
        const bmx_dataset *ds = m.shards[s];
        for (size_t i = 0; i < ds->n_images; i++) {
            const cJSON *bm = cJSON_GetObjectItemCaseSensitive((const cJSON *)ds->images[i].extra, "boxmix");
            const cJSON *op = cJSON_GetObjectItemCaseSensitive(bm, "op");
            const cJSON *index = cJSON_GetObjectItemCaseSensitive(bm, "index");
            int kind = cJSON_IsString(op) && strcmp(op->valuestring, "original") == 0 ? 0
                       : cJSON_IsString(op) && strcmp(op->valuestring, "cutmix") == 0  ? 1
                                                                                        : -1;
            if (kind < 0 || !cJSON_IsNumber(index) || index->valuedouble < 0) {
                st = bmx__fail(err, BMX_E_SCHEMA,
                               "%s/annotations.json: images[%zu].boxmix: no op and index: not a boxmix-augment output",
                               shard_dirs[s], i);
                goto done;
            }
            m.order[m.n++] = (struct placed){kind, (uint64_t)index->valuedouble, s, i};
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
                               what, m.order[q].index, shard_dirs[m.order[q - 1].shard],
                               shard_dirs[m.order[q].shard]);
            } else {
                st = bmx__fail(err, BMX_E_SCHEMA, "%s %" PRIu64 " is in no shard: is a shard missing?",
                               what, expect);
            }
            goto done;
        }
    }
    if (!force && access(ann_path, F_OK) == 0) {
        st = bmx__fail(err, BMX_E_STATE,
                       "%s: already holds a dataset (annotations.json); choose another folder or use --force",
                       out);
        goto done;
    }
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        st = bmx__fail(err, BMX_E_IO, "%s: cannot create folder: %s", out, strerror(errno));
        goto done;
    }
    if (mkdir(img_dir, 0755) != 0 && errno != EEXIST) {
        st = bmx__fail(err, BMX_E_IO, "%s: cannot create folder: %s", img_dir, strerror(errno));
        goto done;
    }
    for (size_t q = 0; q < m.n; q++) {
        const struct bmx_image_info *info = &m.shards[m.order[q].shard]->images[m.order[q].image];
        if (info->file_name[0] == '/' || strstr(info->file_name, "..") != NULL) {
            st = bmx__fail(err, BMX_E_SCHEMA, "%s/annotations.json: images[%zu].file_name: \"%s\" escapes the image folder",
                           shard_dirs[m.order[q].shard], m.order[q].image, info->file_name);
            goto done;
        }
        char *sdir = bmx__path_join(shard_dirs[m.order[q].shard], "images");
        char *src = sdir ? bmx__path_join(sdir, info->file_name) : NULL;
        char *dst = bmx__path_join(img_dir, info->file_name);
        free(sdir);
        if (src == NULL || dst == NULL) {
            free(src);
            free(dst);
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        /* Originals may live in sub-folders. */
        for (char *p = dst + strlen(img_dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
            *p = '\0';
            if (mkdir(dst, 0755) != 0 && errno != EEXIST) {
                st = bmx__fail(err, BMX_E_IO, "%s: cannot create folder: %s", dst, strerror(errno));
            }
            *p = '/';
        }
        if (st == BMX_OK && access(src, F_OK) == 0) {
            st = place_file(src, dst, link_files, err);
        }
        /* A dry-run shard has no image files: neither has the merged dataset. */
        free(src);
        free(dst);
        if (st != BMX_OK) {
            goto done;
        }
        if (summary != NULL) {
            if (m.order[q].kind == 0) {
                summary->originals++;
            } else {
                summary->samples++;
            }
            summary->annotations += m.shards[m.order[q].shard]->img_count[m.order[q].image];
        }
    }
    bmx__coco_put_document(&doc, m.shards[0], put_images, put_annotations, &m);
    if (doc.failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory while writing %s", ann_path);
        goto done;
    }
    st = bmx__write_file_atomic(ann_path, doc.data, doc.len, true, err);
done:
    bmx__buf_free(&doc);
    for (size_t s = 0; m.shards != NULL && s < n_shards; s++) {
        bmx_dataset_free(m.shards[s]);
    }
    free(m.shards);
    free(m.order);
    free(ann_path);
    free(img_dir);
    return st;
}
