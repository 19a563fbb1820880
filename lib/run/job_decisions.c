/* SPDX-License-Identifier: MIT */
/* The augment job's decision log (schemas/decisions.schema.json): one JSON line per
 * object an output's operation considered, as the operation decided it
 * (bmx_cutmix_apply_decided). Each output's lines wait in the spill file beside its
 * records and are written in output order at the end, so the log is the same bytes
 * for any number of threads, and a shard's lines are the single run's lines of its
 * outputs. */

#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *category_name(const bmx_dataset *ds, int64_t id)
{
    for (size_t c = 0; c < ds->n_cats; c++) {
        if (ds->cats[c].id == id) {
            return ds->cats[c].name;
        }
    }
    return NULL;
}

void bmx__job_put_decisions(struct bmx__buf *b, const struct run *r, uint64_t k, const char *newid,
                            const char *fname, const size_t *inputs, const struct bmx_decision *d,
                            size_t n)
{
    const bmx_dataset *ds = r->ds;
    const bool named_input = bmx__job_op(r, k)->op != BMX_OP_CUTMIX;
    for (size_t q = 0; q < n; q++) {
        const struct bmx_decision *x = &d[q];
        bmx__buf_printf(b, "{\"output\":%" PRIu64 ",\"image_id\":%s,\"file_name\":", k, newid);
        bmx__buf_string(b, fname);
        bmx__buf_puts(b, x->from == BMX_FROM_BASE     ? ",\"from\":\"base\""
                         : x->from == BMX_FROM_TILE ? ",\"from\":\"tile\""
                                                    : ",\"from\":\"source\"");
        if (named_input) {
            /* The operations after CutMix name the input (CutMix's lines keep their
             * bytes: base 0, source 1). */
            bmx__buf_printf(b, ",\"input\":%d", x->input);
        }
        bmx__buf_puts(b, ",\"input_image_id\":");
        bmx__coco_put_image_id(b, &ds->images[inputs[x->input >= 0 && x->input < BMX__JOB_MAX_INPUTS
                                                         ? x->input
                                                         : 0]]);
        bmx__buf_puts(b, ",\"source_annotation_id\":");
        bmx__buf_int(b, x->annotation_id);
        bmx__buf_puts(b, ",\"category_id\":");
        bmx__buf_int(b, x->category_id);
        const char *name = category_name(ds, x->category_id);
        bmx__buf_puts(b, ",\"category\":");
        if (name != NULL) {
            bmx__buf_string(b, name);
        } else {
            bmx__buf_puts(b, "null");
        }
        bmx__buf_printf(b, ",\"iscrowd\":%d,\"visibility\":", x->iscrowd != 0 ? 1 : 0);
        bmx__buf_number(b, x->visibility);
        bmx__buf_puts(b, ",\"visible_area\":");
        bmx__buf_number(b, x->visible_area);
        bmx__buf_puts(b, ",\"bbox_before\":");
        bmx__buf_box(b, x->before);
        bmx__buf_puts(b, ",\"bbox\":");
        if (x->box.w > 0.0 || x->box.h > 0.0 || x->kind != BMX_DECIDED_DROPPED) {
            bmx__buf_box(b, x->box);
        } else {
            bmx__buf_puts(b, "null");
        }
        bmx__buf_puts(b, ",\"decision\":\"");
        bmx__buf_puts(b, bmx_decision_kind_name(x->kind));
        if (x->kind == BMX_DECIDED_DROPPED) {
            bmx__buf_puts(b, "\",\"rule\":\"");
            bmx__buf_puts(b, bmx_drop_rule_name(x->rule));
            bmx__buf_puts(b, "\"}\n");
        } else {
            bmx__buf_puts(b, "\",\"rule\":null}\n");
        }
    }
}


bmx_status bmx__job_spill_decisions(struct run *r, uint64_t j, const struct bmx__buf *b,
                                    bmx_error *err)
{
    struct out_rec *rec = &r->recs[j];
    if (b->failed) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory while building the decision log");
    }
    rec->dec_len = b->len;
    pthread_mutex_lock(&r->lock);
    rec->dec_off = r->spill_end;
    r->spill_end += b->len;
    pthread_mutex_unlock(&r->lock);
    if (!bmx__pwrite_all(r->spill, b->data, b->len, rec->dec_off)) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot write the records' spill file: %s",
                         r->opts->out, strerror(errno));
    }
    return BMX_OK;
}

struct dec_parts {
    struct run *r;
    char *tmp;
    size_t cap;
    int io_errno;
};

static void put_log(struct bmx__buf *b, void *ctx)
{
    struct dec_parts *d = ctx;
    for (uint64_t j = 0; j < d->r->n_local && !b->failed; j++) {
        const struct out_rec *rec = &d->r->recs[j];
        size_t n = rec->dec_len;
        if (n > d->cap) {
            char *p = realloc(d->tmp, n);
            if (p == NULL) {
                b->failed = true;
                return;
            }
            d->tmp = p;
            d->cap = n;
        }
        uint64_t off = rec->dec_off;
        size_t got = 0;
        while (got < n) {
            ssize_t m = pread(d->r->spill, d->tmp + got, n - got, (off_t)(off + got));
            if (m < 0 && errno == EINTR) {
                continue;
            }
            if (m <= 0) {
                d->io_errno = m < 0 ? errno : EIO;
                b->failed = true;
                b->io_errno = d->io_errno;
                return;
            }
            got += (size_t)m;
        }
        bmx__buf_put(b, d->tmp, n);
    }
}

bmx_status bmx__job_write_decisions(struct run *r, bmx_error *err)
{
    int dir = -1;
    char *shown = NULL;
    const char *name = NULL;
    struct dec_parts parts = {r, NULL, 0, 0};
    bmx_status st = bmx__parent_open(r->opts->decisions, &dir, &shown, &name, err);
    if (st == BMX_OK) {
        st = bmx__stream_document(dir, shown, name, put_log, &parts, r->opts->cancel, NULL, NULL,
                                  err);
    }
    if (dir >= 0) {
        close(dir);
    }
    free(shown);
    free(parts.tmp);
    return st;
}
