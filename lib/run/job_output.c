/* SPDX-License-Identifier: MIT */
/* One output of the augment job: its operation and inputs, the operation applied
 * (classic CutMix here, the others through bmx__op_apply_into; both composed in
 * the worker's buffers or in the base's own pixels), the image written whole and
 * journaled, its records serialized into the spill file. */

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
void bmx__job_file_name(const struct run *r, uint64_t k, char *out, size_t cap)
{
    snprintf(out, cap, "%s_%06" PRIu64 ".%s", bmx_op_name(bmx__job_op(r, k)->op), k,
             r->opts->format == BMX_FORMAT_PNG ? "png" : "jpg");
}

/* What one output made, for its records. */
struct made {
    uint64_t j, k;
    size_t in_pos[BMX__JOB_MAX_INPUTS]; /* its inputs (into run.inputs), base first */
    size_t inputs[BMX__JOB_MAX_INPUTS]; /* their dataset indices */
    size_t n_inputs;
    char fname[64];
    char newid[32];
    struct bmx_op_record rec;
    struct bmx_sample out;
    struct bmx_decision *decisions;
    size_t n_decisions;
};

/* The encoded image written whole and journaled. */
static bmx_status write_image(struct worker_ctx *w, const struct made *m, const uint8_t *enc,
                              size_t enc_len, bmx_error *err)
{
    struct run *r = w->run;
    bmx_status st = bmx__outfile_write(r->img_fd, r->img_dir, m->fname, enc, enc_len, false, err);
    if (st == BMX_OK) {
        st = bmx__job_journal_wrote(r, "output", m->k, enc, enc_len, err);
    }
    return st;
}

/* The output's decision lines, image record and annotations: into the spill file
 * (COCO), or kept for the VOC and YOLO writers. */
static bmx_status put_records(struct run *r, struct made *m, bmx_error *err)
{
    const struct bmx_job_options *opts = r->opts;
    const bmx_dataset *ds = r->ds;
    struct out_rec *rec = &r->recs[m->j];
    bmx_status st = BMX_OK;
    rec->op = m->rec.op;
    rec->out_w = m->out.image.w;
    rec->out_h = m->out.image.h;
    rec->not_pasted = m->rec.not_pasted_no_mask;
    if (m->decisions != NULL) {
        struct bmx__buf db = {0};
        bmx__job_put_decisions(&db, r, m->k, m->newid, m->fname, m->inputs, m->decisions,
                               m->n_decisions);
        st = bmx__job_spill_decisions(r, m->j, &db, err);
        bmx__buf_free(&db);
        if (st != BMX_OK) {
            return st;
        }
    }
    const struct bmx_image_info *infos[BMX__JOB_MAX_INPUTS];
    for (size_t q = 0; q < m->n_inputs; q++) {
        infos[q] = &ds->images[m->inputs[q]];
    }
    struct bmx__buf bm = {0};
    bmx__coco_put_family_record(&bm, &m->rec, m->k, infos, opts->seed);
    if (bm.failed) {
        bmx__buf_free(&bm);
        return bmx__fail(err, BMX_E_NOMEM, "out of memory while building the annotation file");
    }
    if (opts->out_format != BMX_DATASET_COCO) {
        /* The VOC (or YOLO) files are written from the objects themselves, at the end. */
        bmx__job_keep_for_voc(rec, &m->out, m->inputs[0], m->inputs[m->n_inputs > 1 ? 1 : 0],
                              opts->out_format == BMX_DATASET_YOLO);
        rec->record = bm.data; /* handed over */
        rec->made = true;
        return BMX_OK;
    }
    bmx__coco_put_image(&rec->image, infos[0], m->newid, m->fname, m->out.image.w,
                        m->out.image.h, false, bm.data);
    rec->image.failed = rec->image.failed || bm.failed;
    for (size_t q = 0; q < m->out.n_objects; q++) {
        const struct bmx_object *o = &m->out.objects[q];
        bm.len = 0;
        bmx__coco_put_object_record(&bm, o);
        /* Numbered when the file is assembled, in output order (job_document.c). */
        bmx__coco_put_annotation_rest(&rec->anns, o, m->newid, bm.data != NULL ? bm.data : "null");
        bmx__buf_put(&rec->anns, "\n", 1);
        rec->anns.failed = rec->anns.failed || bm.failed;
        rec->n_anns++;
    }
    bmx__buf_free(&bm);
    if (rec->image.failed || rec->anns.failed) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory while building the annotation file");
    }
    /* The records wait in the spill file, not in memory, until the annotation file
     * is written in index order. */
    rec->image_len = rec->image.len;
    rec->anns_len = rec->anns.len;
    pthread_mutex_lock(&r->lock);
    rec->off = r->spill_end;
    r->spill_end += rec->image_len + rec->anns_len;
    pthread_mutex_unlock(&r->lock);
    if (!bmx__pwrite_all(r->spill, rec->image.data, rec->image_len, rec->off) ||
        !bmx__pwrite_all(r->spill, rec->anns.data, rec->anns_len, rec->off + rec->image_len)) {
        st = bmx__fail(err, BMX_E_IO, "%s: cannot write the records' spill file: %s", opts->out,
                       strerror(errno));
    }
    bmx__buf_free(&rec->image);
    bmx__buf_free(&rec->anns);
    rec->made = st == BMX_OK;
    return st;
}

/* Classic CutMix (the source resized, the patch anywhere or avoiding the base):
 * the annotations made without pixels, the pixels composed into the worker's
 * buffer, or into the base's own when this output is its last user. */
static bmx_status make_classic(struct worker_ctx *w, const struct bmx_op_options *op,
                               struct made *m, bool no_pixels, bmx_error *err)
{
    struct run *r = w->run;
    const struct bmx_job_options *opts = r->opts;
    const bmx_dataset *ds = r->ds;
    struct out_rec *rec = &r->recs[m->j];
    size_t base = m->inputs[0], source = m->inputs[1];
    struct bmx_sample a = {0}, b = {0};
    const struct bmx_image *ia = NULL, *ib = NULL;
    const uint8_t *enc = NULL;
    size_t enc_len = 0;
    bmx_status st = BMX_OK;
    bmx_rng op_rng;
    bmx_rng_seed_op(&op_rng, opts->seed, m->k);

    a.image = (struct bmx_image){ds->images[base].width, ds->images[base].height, 3, 0, NULL};
    b.image = (struct bmx_image){ds->images[source].width, ds->images[source].height, 3, 0, NULL};
    if (!no_pixels) {
        st = bmx__job_cached_image(w, m->in_pos[0], &ia, err);
        if (st == BMX_OK) {
            st = bmx__job_cached_image(w, m->in_pos[1], &ib, err);
        }
        if (st != BMX_OK) {
            return st;
        }
        if (ia->channels != ib->channels) {
            return bmx__fail(err, BMX_E_INVALID, "cutmix apply: base has %d channels, source has %d",
                             (int)ia->channels, (int)ib->channels);
        }
    }
    /* The samples borrow the dataset's objects; they are never freed through them. */
    a.n_objects = ds->img_count[base];
    a.objects = ds->objects + ds->img_first[base];
    b.n_objects = ds->img_count[source];
    b.objects = ds->objects + ds->img_first[source];
    struct bmx_box *boxes = bmx__alloc_array(a.n_objects, sizeof *boxes);
    if (boxes == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    for (size_t q = 0; q < a.n_objects; q++) {
        boxes[q] = a.objects[q].bbox;
    }
    struct bmx_patch patch;
    st = bmx_cutmix_draw_patch(&op->cutmix, a.image.w, a.image.h, boxes, a.n_objects, &op_rng,
                               &patch, err);
    free(boxes);
    if (st != BMX_OK) {
        return st;
    }
    st = bmx_cutmix_apply_decided(&op->cutmix, &patch, &a, &b, &m->out, &rec->stats, m->decisions,
                                  err);
    if (st != BMX_OK) {
        return st;
    }
    m->rec.op = BMX_OP_CUTMIX;
    m->rec.patch = patch.rect;
    m->rec.lambda = patch.lambda;
    m->rec.placement = op->cutmix.placement;
    m->rec.source_fit = BMX_FIT_RESIZE;
    if (no_pixels) {
        return BMX_OK;
    }
    if (w->owns_base) {
        /* The base's last user: the patch goes into the base's own pixels, which
         * nothing reads afterwards (the cache lets them go when this is done). */
        struct bmx_image pix = *ia;
        st = bmx__image_resize_rect(ib, ia->w, ia->h, patch.rect, &pix, err);
        if (st == BMX_OK) {
            st = bmx__codec_encode(&w->codec, &pix, opts->format, opts->quality, opts->png_level,
                                   &enc, &enc_len, err);
        }
    } else {
        struct bmx_image pix;
        st = bmx__op_image(&w->sc, ia->w, ia->h, ia->channels, &pix, err);
        if (st == BMX_OK) {
            st = bmx__image_paste(ia, ib, patch.rect, &pix, err);
        }
        if (st == BMX_OK) {
            st = bmx__codec_encode(&w->codec, &pix, opts->format, opts->quality, opts->png_level,
                                   &enc, &enc_len, err);
        }
    }
    if (st == BMX_OK) {
        st = write_image(w, m, enc, enc_len, err);
    }
    return st;
}

/* Any other operation: bmx__op_apply_into on the inputs' cached pixels (or none)
 * with the worker's scratch, the pixels it composed (not the output's own)
 * encoded. */
static bmx_status make_family(struct worker_ctx *w, const struct bmx_op_options *op,
                              struct made *m, bool no_pixels, bmx_error *err)
{
    struct run *r = w->run;
    const struct bmx_job_options *opts = r->opts;
    const bmx_dataset *ds = r->ds;
    struct out_rec *rec = &r->recs[m->j];
    struct bmx_sample s[BMX__JOB_MAX_INPUTS];
    const struct bmx_sample *ps[BMX__JOB_MAX_INPUTS];
    bmx_status st = BMX_OK;
    memset(s, 0, sizeof s);
    for (size_t q = 0; q < m->n_inputs; q++) {
        size_t i = m->inputs[q];
        s[q].image = (struct bmx_image){ds->images[i].width, ds->images[i].height, 3, 0, NULL};
        if (!no_pixels) {
            const struct bmx_image *img = NULL;
            st = bmx__job_cached_image(w, m->in_pos[q], &img, err);
            if (st != BMX_OK) {
                return st;
            }
            s[q].image = *img; /* borrowed from the cache, pinned */
        }
        s[q].n_objects = ds->img_count[i];
        s[q].objects = ds->objects + ds->img_first[i];
        ps[q] = &s[q];
    }
    bmx_rng op_rng;
    bmx_rng_seed_op(&op_rng, opts->seed, m->k);
    /* Composed in the worker's buffers, or in the base's own pixels when this
     * output is their last user: the output's pixels are not its own. */
    w->sc.base_writable = w->owns_base;
    st = bmx__op_apply_into(op, ps, m->n_inputs, &op_rng, &w->sc, &m->out, &m->rec, &rec->stats,
                            m->decisions, err);
    if (st != BMX_OK || no_pixels) {
        return st;
    }
    const uint8_t *enc = NULL;
    size_t enc_len = 0;
    st = bmx__codec_encode(&w->codec, &m->out.image, opts->format, opts->quality, opts->png_level,
                           &enc, &enc_len, err);
    if (st == BMX_OK) {
        st = write_image(w, m, enc, enc_len, err);
    }
    /* The pixels are written (and are the worker's or the base's, not the output's):
     * only the objects and the size are needed from here on. */
    m->out.image.data = NULL;
    return st;
}

bmx_status bmx__job_make_output(struct worker_ctx *w, uint64_t j, bmx_error *err)
{
    struct run *r = w->run;
    const struct bmx_job_options *opts = r->opts;
    const bmx_dataset *ds = r->ds;
    struct made m;
    bmx_status st = BMX_OK;
    memset(&m, 0, sizeof m);
    m.j = j;
    m.k = bmx__job_local_to_k(r, j);
    const struct bmx_op_options *op = bmx__job_op(r, m.k);
    m.n_inputs = bmx__job_inputs(r, m.k, m.in_pos);
    for (size_t q = 0; q < m.n_inputs; q++) {
        m.inputs[q] = r->inputs[m.in_pos[q]];
    }
    bmx__job_file_name(r, m.k, m.fname, sizeof m.fname);
    snprintf(m.newid, sizeof m.newid, "%" PRIu64, r->id_offset + m.k + 1);
    /* Annotations only: a dry run, or an output an interrupted run completed. */
    const bool no_pixels = opts->dry_run || r->done[j];
    if (opts->decisions != NULL) {
        for (size_t q = 0; q < m.n_inputs; q++) {
            m.n_decisions += ds->img_count[m.inputs[q]]; /* every input's objects, in order */
        }
        m.decisions = bmx__alloc_array(m.n_decisions > 0 ? m.n_decisions : 1, sizeof *m.decisions);
        if (m.decisions == NULL) {
            return bmx__fail(err, BMX_E_NOMEM, "out of memory");
        }
    }
    const bool classic = op->op == BMX_OP_CUTMIX && op->source_fit == BMX_FIT_RESIZE &&
                         op->cutmix.placement != BMX_PLACE_SOURCE_OBJECT;
    st = classic ? make_classic(w, op, &m, no_pixels, err) : make_family(w, op, &m, no_pixels, err);
    if (st == BMX_OK) {
        st = put_records(r, &m, err);
    }
    free(m.decisions);
    bmx_op_record_free(&m.rec);
    /* An output far larger than the others (a huge Mosaic) does not keep its
     * buffers for the rest of the run. */
    bmx__op_scratch_trim(&w->sc, BMX__JOB_SCRATCH_KEEP);
    bmx_sample_free(&m.out);
    return st;
}
