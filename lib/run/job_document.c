/* SPDX-License-Identifier: MIT */
/* The augment job's annotation file: the originals copied, then every output's
 * records read back from the spill file in index order, written last. */

#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Originals: input i is copied by the shard that owns index i. */
bool bmx__job_owns_original(const struct run *r, size_t i)
{
    const struct bmx_job_options *opts = r->opts;
    return !(opts->shard_count > 1 && i % opts->shard_count != opts->shard_index) && !r->bad[i];
}

bmx_status bmx__job_write_originals(struct run *r, struct bmx__buf *images, struct bmx__buf *anns,
                                  size_t *n_images, size_t *n_anns, struct bmx_job_summary *sum,
                                  bmx_error *err)
{
    const bmx_dataset *ds = r->ds;
    const struct bmx_job_options *opts = r->opts;
    bmx_status st = BMX_OK;
    uint64_t owned = 0;
    for (size_t i = 0; i < ds->n_images; i++) {
        owned += bmx__job_owns_original(r, i);
    }
    bmx__progress_stage(&r->progress, "copying originals", BMX_PROGRESS_IMAGES, owned);
    for (size_t i = 0; i < ds->n_images && st == BMX_OK; i++) {
        if (!bmx__job_owns_original(r, i)) {
            continue;
        }
        const struct bmx_image_info *info = &ds->images[i];
        char *src = bmx__path_join(r->images_root, info->file_name);
        char *data = NULL;
        size_t len = 0;
        if (src == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto next;
        }
        if (!opts->dry_run) {
            st = bmx__read_file(src, &data, &len, err);
            if (st == BMX_OK && r->in_files != NULL &&
                (len != r->in_files[i].size || bmx__hash_bytes(data, len) != r->in_files[i].hash)) {
                st = bmx__fail(err, BMX_E_STATE, "%s: changed while the run read it", src);
            }
            if (st == BMX_OK) {
                st = bmx__outfile_write(r->img_fd, r->img_dir, info->file_name, data, len, false, err);
            }
            if (st == BMX_OK) {
                st = bmx__job_journal_wrote(r, "original", i, data, len, err);
            }
        }
        if (st == BMX_OK && opts->out_format != BMX_DATASET_COCO) {
            sum->originals++; /* the VOC (YOLO) files take its records from the dataset */
        } else if (st == BMX_OK) {
            char newid[32];
            snprintf(newid, sizeof newid, "%zu", i + 1);
            struct bmx__buf bm = {0};
            bmx__coco_put_original_record(&bm, i, info);
            bmx__buf_puts(images, (*n_images)++ ? ",\n" : "\n");
            bmx__coco_put_image(images, info, newid, info->file_name, info->width, info->height,
                                true, bm.data != NULL ? bm.data : "null");
            const struct bmx_object *objs = ds->objects + ds->img_first[i];
            for (size_t q = 0; q < ds->img_count[i]; q++) {
                bm.len = 0;
                bmx__coco_put_original_object_record(&bm, objs[q].id);
                size_t aid = ++*n_anns;
                bmx__buf_puts(anns, aid > 1 ? ",\n" : "\n");
                bmx__coco_put_annotation(anns, &objs[q], (int64_t)aid, newid,
                                         bm.data != NULL ? bm.data : "null");
            }
            if (bm.failed) {
                images->failed = true;
            }
            bmx__buf_free(&bm);
            sum->originals++;
        }
    next:
        free(data);
        free(src);
        if (st == BMX_OK) {
            bmx__progress_step(&r->progress);
        }
    }
    return st;
}
static bool pread_all(int fd, char *data, size_t len, uint64_t off)
{
    while (len > 0) {
        ssize_t n = pread(fd, data, len, (off_t)off);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return false;
        }
        data += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return true;
}
/* Read output j's records back from the spill file into `tmp`. */
static const char *spilled(struct doc_parts *d, uint64_t j, bool anns, size_t *len)
{
    const struct out_rec *rec = &d->r->recs[j];
    size_t n = anns ? rec->anns_len : rec->image_len;
    uint64_t off = rec->off + (anns ? rec->image_len : 0);
    if (n + 1 > d->tmp.cap) {
        char *p = realloc(d->tmp.data, n + 1);
        if (p == NULL) {
            return NULL;
        }
        d->tmp.data = p;
        d->tmp.cap = n + 1;
    }
    if (!pread_all(d->r->spill, d->tmp.data, n, off)) {
        d->io_errno = errno != 0 ? errno : EIO;
        return NULL;
    }
    d->tmp.data[n] = '\0';
    *len = n;
    return d->tmp.data;
}
static void put_parts_images(struct bmx__buf *b, void *ctx)
{
    struct doc_parts *d = ctx;
    size_t n = d->n_images;
    bmx__buf_put(b, d->images->data ? d->images->data : "", d->images->len);
    bmx__buf_free(d->images);
    for (uint64_t j = 0; j < d->r->n_local; j++) {
        size_t len;
        const char *text = spilled(d, j, false, &len);
        if (text == NULL) {
            b->failed = true;
            return;
        }
        bmx__buf_puts(b, n++ ? ",\n" : "\n");
        bmx__buf_put(b, text, len);
    }
}
static void put_parts_anns(struct bmx__buf *b, void *ctx)
{
    struct doc_parts *d = ctx;
    size_t aid = d->n_anns;
    bmx__buf_put(b, d->anns->data ? d->anns->data : "", d->anns->len);
    bmx__buf_free(d->anns);
    for (uint64_t j = 0; j < d->r->n_local; j++) {
        size_t len;
        const char *p = spilled(d, j, true, &len);
        if (p == NULL) {
            b->failed = true;
            return;
        }
        for (size_t q = 0; q < d->r->recs[j].n_anns; q++) {
            /* Each record is an annotation without its id (written here, in output
             * order), on a line of its own. */
            const char *nl = strchr(p, '\n');
            aid++;
            bmx__buf_puts(b, aid > 1 ? ",\n{\"id\":" : "\n{\"id\":");
            bmx__buf_int(b, (int64_t)aid);
            bmx__buf_put(b, p, (size_t)(nl - p));
            p = nl + 1;
        }
    }
}

/* ---- before the run: names, images, journal ---- */
static void put_parts(struct bmx__buf *b, void *ctx)
{
    struct doc_parts *d = ctx;
    bmx__coco_put_document(b, d->r->ds, put_parts_images, put_parts_anns, d);
    if (b->failed && b->io_errno == 0) {
        b->io_errno = d->io_errno;
    }
}
/* The annotation file (or the VOC files), last: a folder holding it holds a whole
 * dataset. */
bmx_status bmx__job_write_annotations(struct run *r, struct bmx__buf *images, struct bmx__buf *anns,
                                      size_t n_images, size_t n_anns, bmx_error *err)
{
    const struct bmx_job_options *opts = r->opts;
    struct doc_parts parts = {r, images, anns, n_images, n_anns, {0}, 0};
    bmx_status st = BMX_OK;
    if (opts->out_format == BMX_DATASET_VOC) {
        /* From the records in memory: the originals and what each output kept. */
        st = bmx__job_write_voc(r, err);
    } else if (opts->out_format == BMX_DATASET_YOLO) {
        st = bmx__job_write_yolo(r, err);
    } else {
        /* Streamed to a temporary file, hashed for the journal, synced and renamed. */
        st = bmx__stream_document(r->od.fd, opts->out, "annotations.json", put_parts, &parts,
                                  opts->cancel, &r->jr.done_size, &r->jr.done_hash, err);
        r->jr.done_has_hash = true;
    }
    bmx__buf_free(&parts.tmp);
    return st;
}
