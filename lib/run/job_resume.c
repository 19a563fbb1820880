/* SPDX-License-Identifier: MIT */
/* The augment run's identity and its journal: what a resumed run must share with
 * the interrupted one, and the outputs it keeps. */

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

/* The identity of the run: everything its outputs depend on, as one line of JSON.
 * A resumed run must have the same line; shards of one run differ only in their
 * shard line. Inputs are named by content (not path or time), so that shards made
 * on other machines from copies of the inputs still belong together. */
/* One recipe entry as the identity names it. */
static void put_entry(struct bmx__buf *b, const struct bmx_recipe_entry *e, bool comma)
{
    const struct bmx_op_options *p = &e->op;
    const struct bmx_cutmix_options *c = &p->cutmix;
    const double nums[] = {e->weight,        c->alpha,        c->ratio_lo,   c->ratio_hi,
                           c->min_visibility, c->min_area,     c->min_size,   p->mix_alpha,
                           p->mix_ratio,      p->paste_prob};
    const int ints[] = {(int)p->op,         (int)c->mode,       (int)c->placement,
                        c->tries,           (int)c->mask_format, (int)p->source_fit,
                        p->holes,           (int)p->fill,        p->fill_rgb[0],
                        p->fill_rgb[1],     p->fill_rgb[2],      (int)p->mosaic_size};
    bmx__buf_puts(b, comma ? ",[" : "[");
    for (size_t q = 0; q < sizeof nums / sizeof nums[0]; q++) {
        bmx__buf_number(b, nums[q]);
        bmx__buf_puts(b, ",");
    }
    for (size_t q = 0; q < sizeof ints / sizeof ints[0]; q++) {
        bmx__buf_printf(b, q > 0 ? ",%d" : "%d", ints[q]);
    }
    bmx__buf_puts(b, "]");
}

char *bmx__job_identity(const struct run *r, uint64_t dataset_hash)
{
    const struct bmx_job_options *o = r->opts;
    const struct bmx_cutmix_options *c = &o->cutmix;
    struct bmx__hash ih;
    bmx__hash_init(&ih);
    for (size_t i = 0; r->in_files != NULL && i < r->ds->n_images; i++) {
        const struct bmx__jfile *f = &r->in_files[i];
        uint64_t v[3] = {f->missing, f->size, f->hash};
        bmx__hash_update(&ih, v, sizeof v);
    }
    struct bmx__buf b = {0};
    bmx__buf_puts(&b, "{\"tool\":\"boxmix-augment\",\"version\":");
    bmx__buf_string(&b, BMX_VERSION_STRING);
    bmx__buf_printf(&b,
                    ",\"dataset\":\"%016" PRIx64 "\",\"images\":\"%016" PRIx64 "\",\"n_images\":%zu"
                    ",\"count\":%" PRIu64 ",\"seed\":%" PRIu64 ",\"dry_run\":%s",
                    dataset_hash, r->in_files != NULL ? bmx__hash_final(&ih) : 0, r->ds->n_images,
                    r->count, o->seed, o->dry_run ? "true" : "false");
    bmx__buf_puts(&b, ",\"alpha\":");
    bmx__buf_number(&b, c->alpha);
    bmx__buf_printf(&b, ",\"patch_mode\":%d,\"cut_ratio\":[", (int)c->mode);
    bmx__buf_number(&b, c->ratio_lo);
    bmx__buf_puts(&b, ",");
    bmx__buf_number(&b, c->ratio_hi);
    bmx__buf_printf(&b, "],\"placement\":%d,\"tries\":%d,\"min_visibility\":", (int)c->placement,
                    (int)c->tries);
    bmx__buf_number(&b, c->min_visibility);
    bmx__buf_puts(&b, ",\"min_area\":");
    bmx__buf_number(&b, c->min_area);
    bmx__buf_puts(&b, ",\"min_size\":");
    bmx__buf_number(&b, c->min_size);
    bmx__buf_printf(&b,
                    ",\"mask_format\":%d,\"format\":\"%s\",\"quality\":%d,\"include_originals\":%s"
                    ",\"out_format\":\"%s\",\"skip_bad\":%s,\"max_pixels\":%" PRIu64,
                    (int)c->mask_format, o->format == BMX_FORMAT_PNG ? "png" : "jpg", o->quality,
                    o->include_originals ? "true" : "false",
                    o->out_format == BMX_DATASET_VOC    ? "voc"
                    : o->out_format == BMX_DATASET_YOLO ? "yolo"
                                                        : "coco",
                    o->skip_bad ? "true" : "false", o->limits.max_image_pixels);
    if (o->out_format == BMX_DATASET_YOLO) {
        /* The task and the split change YOLO bytes only. */
        bmx__buf_printf(&b, ",\"yolo_task\":%d,\"yolo_split\":", o->yolo_task);
        bmx__buf_string(&b, bmx__job_yolo_split(o));
    }
    if (r->recipe != &r->one) {
        /* Operations other than the options' CutMix: every entry, every parameter. */
        bmx__buf_puts(&b, ",\"recipe\":[");
        for (size_t q = 0; q < r->recipe_len; q++) {
            put_entry(&b, &r->recipe[q], q > 0);
        }
        bmx__buf_puts(&b, "]");
    }
    if (o->format == BMX_FORMAT_PNG) {
        /* The level changes PNG bytes only; a JPEG run's identity stays what it was. */
        bmx__buf_printf(&b, ",\"png_level\":%d", o->png_level);
    }
    bmx__buf_puts(&b, "}");
    if (b.failed) {
        bmx__buf_free(&b);
        return NULL;
    }
    return b.data;
}
/* A COCO input is named by its file's bytes; a VOC input by the annotations read. */
bmx_status bmx__job_dataset_hash(const struct run *r, uint64_t *out, bmx_error *err)
{
    if (r->opts->input.format == BMX_DATASET_COCO) {
        *out = r->jr.dataset.hash;
        return BMX_OK;
    }
    struct bmx__hash h;
    bmx__hash_init(&h);
    struct bmx__buf b = {.to_fd = true, .fd = -1, .hash = &h};
    /* The COCO text of what was read: the same for the same annotations. */
    bmx__coco_put_dataset(&b, r->ds);
    bool ok = bmx__buf_flush(&b);
    bmx__buf_free(&b);
    if (!ok) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    *out = bmx__hash_final(&h);
    return BMX_OK;
}
/* Whether the file at `rel` in the image folder has `size` bytes hashing to `hash`. */
static bool file_matches(const struct run *r, const char *rel, uint64_t size, uint64_t hash)
{
    char *data = NULL;
    size_t len = 0;
    bool ok = bmx__read_at(r->img_fd, r->img_dir, rel, &data, &len, NULL) == BMX_OK && len == size &&
              bmx__hash_bytes(data, len) == hash;
    free(data);
    return ok;
}
static bool same_jfile(const struct bmx__jfile *a, const struct bmx__jfile *b)
{
    return a->missing == b->missing &&
           (a->missing || (a->size == b->size && a->hash == b->hash && a->mtime_s == b->mtime_s &&
                           a->mtime_ns == b->mtime_ns));
}
/* --resume: the interrupted run must be this one, reading the same inputs. */
static bmx_status check_same_run(const struct run *r, const struct bmx__journal *old,
                                 bmx_error *err)
{
    const struct bmx_job_options *o = r->opts;
    const char *why = NULL;
    char what[600] = "";
    if (old->has_dataset != r->jr.has_dataset ||
        (old->has_dataset && !same_jfile(&old->dataset, &r->jr.dataset))) {
        snprintf(what, sizeof what, "%s", r->input_name);
        why = "has changed since the interrupted run (size, modification time or content)";
    }
    for (size_t i = 0; why == NULL && r->in_files != NULL && i < r->ds->n_images; i++) {
        if (i >= old->inputs.n || !same_jfile(&old->inputs.v[i], &r->in_files[i])) {
            snprintf(what, sizeof what, "%s/%s", r->images_root, r->ds->images[i].file_name);
            why = "has changed since the interrupted run (size, modification time or content)";
        }
    }
    if (why == NULL && (old->run == NULL || strcmp(old->run, r->jr.run) != 0 ||
                        old->shard_index != r->jr.shard_index ||
                        old->shard_count != r->jr.shard_count || old->inputs.n != r->jr.inputs.n)) {
        snprintf(what, sizeof what, "%s", o->out);
        why = "was written by a run with other inputs or options";
    }
    if (why != NULL) {
        return bmx__fail(err, BMX_E_STATE,
                         "%s: --resume: %s %s; a resumed run must read the same inputs with the "
                         "same options: run it so, or start over with --force",
                         o->out, what, why);
    }
    return BMX_OK;
}
/* Start the journal; with --resume, keep the outputs the interrupted run finished
 * whose files still match it. */
bmx_status bmx__job_journal_open(struct run *r, struct bmx_job_summary *sum, bmx_error *err)
{
    const struct bmx_job_options *o = r->opts;
    if (o->resume) {
        struct bmx__journal old;
        bool exists = false;
        bmx_status st = bmx__journal_read(r->od.fd, o->out, &old, &exists, err);
        if (st != BMX_OK) {
            return st;
        }
        if (exists) {
            st = check_same_run(r, &old, err);
            for (size_t q = 0; st == BMX_OK && q < old.outputs.n; q++) {
                const struct bmx__jfile *f = &old.outputs.v[q];
                uint64_t first = o->shard_count > 1 ? o->shard_index : 0;
                if (f->index < first || (f->index - first) % r->shard_n != 0) {
                    continue;
                }
                uint64_t j = (f->index - first) / r->shard_n;
                if (j >= r->n_local || r->done[j]) {
                    continue;
                }
                char fname[64];
                bmx__job_file_name(r, f->index, fname, sizeof fname);
                if (file_matches(r, fname, f->size, f->hash)) {
                    r->done[j] = true;
                    sum->resumed++;
                    if (!bmx__jlist_push(&r->jr.outputs, f)) {
                        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
                    }
                }
            }
            bmx__journal_free(&old);
            if (st != BMX_OK) {
                return st;
            }
        }
    }
    return bmx__journal_begin(r->od.fd, o->out, &r->jr, &r->journal, err);
}
