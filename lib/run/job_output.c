/* SPDX-License-Identifier: MIT */
/* One output of the augment job: its pair, its patch, CutMix, the image written
 * whole and journaled, its records serialized into the spill file. */

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

void bmx__job_id_literal(const struct bmx_image_info *info, char *out, size_t cap)
{
    struct bmx__buf b = {0};
    bmx__coco_put_image_id(&b, info);
    snprintf(out, cap, "%s", b.failed || b.data == NULL ? "null" : b.data);
    bmx__buf_free(&b);
}
/* A file written whole: one journal line, and its place in the final journal. */
bmx_status bmx__job_journal_wrote(struct run *r, const char *kind, uint64_t index, const void *data,
                                size_t len, bmx_error *err)
{
    struct bmx__jfile f = {.index = index, .size = len, .hash = bmx__hash_bytes(data, len)};
    bool ok = bmx__journal_append(r->journal, kind, &f);
    int e = errno;
    pthread_mutex_lock(&r->lock);
    ok = bmx__jlist_push(strcmp(kind, "output") == 0 ? &r->jr.outputs : &r->jr.originals, &f) && ok;
    pthread_mutex_unlock(&r->lock);
    if (!ok) {
        return bmx__fail(err, BMX_E_IO, "%s/" BMX__JOURNAL_NAME ": cannot write: %s", r->opts->out,
                         strerror(e != 0 ? e : ENOMEM));
    }
    return BMX_OK;
}
bmx_status bmx__job_make_output(struct worker_ctx *w, uint64_t j, bmx_error *err)
{
    struct run *r = w->run;
    const struct bmx_job_options *opts = r->opts;
    const bmx_dataset *ds = r->ds;
    struct out_rec *rec = &r->recs[j];
    uint64_t k = bmx__job_local_to_k(r, j);
    bmx_status st;
    size_t ub = (size_t)(k % r->n_in);
    /* Two generators of (seed, k): the pairing's draws the source (the rule the
     * cache and the order read too), the operation's the patch, so the operation
     * does not depend on how the pair was drawn. */
    bmx_rng op_rng;
    bmx_rng_seed_op(&op_rng, opts->seed, k);
    size_t us = bmx__job_source_input(r, k);
    size_t base = r->inputs[ub], source = r->inputs[us];
    struct bmx_sample a = {0}, b = {0}, out = {0};
    const struct bmx_image *ia = NULL, *ib = NULL;
    struct bmx_box *boxes = NULL;
    struct bmx_decision *decisions = NULL;
    const uint8_t *enc = NULL;
    size_t enc_len = 0;
    /* Annotations only: a dry run, or an output an interrupted run completed. */
    const bool no_pixels = opts->dry_run || r->done[j];

    /* The annotations are made without pixels (as in a dry run, same result); the
     * pixels are composed below into the worker's own buffer. */
    a.image = (struct bmx_image){ds->images[base].width, ds->images[base].height, 3, 0, NULL};
    b.image = (struct bmx_image){ds->images[source].width, ds->images[source].height, 3, 0, NULL};
    if (!no_pixels) {
        st = bmx__job_cached_image(w, ub, &ia, err);
        if (st != BMX_OK) {
            goto done;
        }
        st = bmx__job_cached_image(w, us, &ib, err);
        if (st != BMX_OK) {
            goto done;
        }
        if (ia->channels != ib->channels) {
            st = bmx__fail(err, BMX_E_INVALID, "cutmix apply: base has %d channels, source has %d",
                           (int)ia->channels, (int)ib->channels);
            goto done;
        }
    }
    /* The samples borrow the dataset's objects; they are never freed through them. */
    a.n_objects = ds->img_count[base];
    a.objects = ds->objects + ds->img_first[base];
    b.n_objects = ds->img_count[source];
    b.objects = ds->objects + ds->img_first[source];

    boxes = bmx__alloc_array(a.n_objects, sizeof *boxes);
    if (boxes == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t q = 0; q < a.n_objects; q++) {
        boxes[q] = a.objects[q].bbox;
    }
    struct bmx_patch patch;
    st = bmx_cutmix_draw_patch(&opts->cutmix, a.image.w, a.image.h, boxes, a.n_objects, &op_rng,
                               &patch, err);
    if (st != BMX_OK) {
        goto done;
    }
    if (opts->decisions != NULL) {
        size_t n_dec = a.n_objects + b.n_objects; /* both index the dataset's objects */
        decisions = bmx__alloc_array(n_dec > 0 ? n_dec : 1, sizeof *decisions);
        if (decisions == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
    }
    st = bmx_cutmix_apply_decided(&opts->cutmix, &patch, &a, &b, &out, &rec->stats, decisions,
                                  err);
    if (st != BMX_OK) {
        goto done;
    }

    char fname[64];
    snprintf(fname, sizeof fname, "cutmix_%06" PRIu64 ".%s", k,
             opts->format == BMX_FORMAT_PNG ? "png" : "jpg");
    char newid[32];
    snprintf(newid, sizeof newid, "%" PRIu64, r->id_offset + k + 1);
    if (decisions != NULL) {
        struct bmx__buf db = {0};
        bmx__job_put_decisions(&db, r, k, newid, fname, base, source, decisions,
                               a.n_objects + b.n_objects);
        st = bmx__job_spill_decisions(r, j, &db, err);
        bmx__buf_free(&db);
        if (st != BMX_OK) {
            goto done;
        }
    }
    if (!no_pixels && w->owns_base) {
        /* The base's last user: the patch goes into the base's own pixels, which
         * nothing reads afterwards (the cache lets them go when this is done). */
        struct bmx_image pix = *ia;
        st = bmx__image_resize_rect(ib, ia->w, ia->h, patch.rect, &pix, err);
        if (st == BMX_OK) {
            st = bmx__codec_encode(&w->codec, &pix, opts->format, opts->quality, opts->png_level,
                                   &enc, &enc_len, err);
        }
    } else if (!no_pixels) {
        size_t need = (size_t)ia->w * (size_t)ia->channels * (size_t)ia->h; /* as decoded */
        if (w->out == NULL || w->out_cap < need) {
            free(w->out);
            w->out_cap = 0;
            w->out = malloc(need);
            if (w->out == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "out of memory for a %dx%d output",
                               (int)ia->w, (int)ia->h);
                goto done;
            }
            w->out_cap = need;
        }
        struct bmx_image pix = {ia->w, ia->h, ia->channels, (size_t)ia->w * (size_t)ia->channels,
                                w->out};
        st = bmx__image_paste(ia, ib, patch.rect, &pix, err);
        if (st == BMX_OK) {
            st = bmx__codec_encode(&w->codec, &pix, opts->format, opts->quality, opts->png_level,
                                   &enc, &enc_len, err);
        }
    }
    if (!no_pixels) {
        if (st == BMX_OK) {
            st = bmx__outfile_write(r->img_fd, r->img_dir, fname, enc, enc_len, false, err);
        }
        if (st != BMX_OK) {
            goto done;
        }
        st = bmx__job_journal_wrote(r, "output", k, enc, enc_len, err);
        if (st != BMX_OK) {
            goto done;
        }
    }

    if (opts->out_format != BMX_DATASET_COCO) {
        /* The VOC (or YOLO) files are written from the objects themselves, at the end. */
        bmx__job_keep_for_voc(rec, &out, base, source, &patch,
                              opts->out_format == BMX_DATASET_YOLO);
        rec->made = true;
        goto done;
    }
    struct bmx__buf bm = {0};
    bmx__coco_put_op_record(&bm, "cutmix", k, &ds->images[base], &ds->images[source], patch.rect,
                            patch.lambda, opts->seed);
    bmx__coco_put_image(&rec->image, &ds->images[base], newid, fname, out.image.w, out.image.h,
                        false, bm.data != NULL ? bm.data : "null");
    rec->image.failed = rec->image.failed || bm.failed;
    for (size_t q = 0; q < out.n_objects; q++) {
        const struct bmx_object *o = &out.objects[q];
        bm.len = 0;
        bmx__coco_put_object_record(&bm, o);
        /* Numbered when the file is assembled, in output order (job_document.c). */
        bmx__coco_put_annotation_rest(&rec->anns, o, newid, bm.data != NULL ? bm.data : "null");
        bmx__buf_put(&rec->anns, "\n", 1);
        rec->anns.failed = rec->anns.failed || bm.failed;
        rec->n_anns++;
    }
    bmx__buf_free(&bm);
    if (rec->image.failed || rec->anns.failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory while building the annotation file");
    } else {
        /* The records wait in the spill file, not in memory, until the annotation
         * file is written in index order. */
        rec->image_len = rec->image.len;
        rec->anns_len = rec->anns.len;
        pthread_mutex_lock(&r->lock);
        rec->off = r->spill_end;
        r->spill_end += rec->image_len + rec->anns_len;
        pthread_mutex_unlock(&r->lock);
        if (!bmx__pwrite_all(r->spill, rec->image.data, rec->image_len, rec->off) ||
            !bmx__pwrite_all(r->spill, rec->anns.data, rec->anns_len, rec->off + rec->image_len)) {
            st = bmx__fail(err, BMX_E_IO, "%s: cannot write the records' spill file: %s",
                           opts->out, strerror(errno));
        }
        bmx__buf_free(&rec->image);
        bmx__buf_free(&rec->anns);
        rec->made = st == BMX_OK;
    }
done:
    free(boxes);
    free(decisions);
    bmx_sample_free(&out);
    return st;
}
