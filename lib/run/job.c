/* SPDX-License-Identifier: MIT */
/* The offline augment job: pairing, decoding, CutMix, writing a whole dataset.
 *
 * Output k is a pure function of (dataset, options, seed, k): its generator is
 * seeded from (seed, k), its base is input k mod N and its source is drawn from
 * the base's block of a seed-shuffled order. */
#include "job.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void bmx_job_options_init(struct bmx_job_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
    bmx_input_init(&opts->input);
    opts->per_image = 1;
    bmx_cutmix_options_init(&opts->cutmix);
    opts->format = BMX_FORMAT_JPEG;
    opts->quality = 90;
    opts->threads = 0;
    bmx_limits_init(&opts->limits);
    opts->png_level = BMX__PNG_LEVEL_DEFAULT;
    opts->memory_limit = BMX_DEFAULT_MEMORY_LIMIT;
}

/* Every path the run writes, checked against its inputs before anything is. */
static bmx_status guard_paths(const struct bmx_job_options *opts, const char *images_root,
                              bmx_error *err)
{
    struct bmx__guard g = {0};
    bmx_status st = bmx__guard_input_files(&g, &opts->input, images_root, err);
    if (st == BMX_OK) {
        st = bmx__guard_dataset_out(&g, opts->out, opts->out_format, err);
    }
    if (st == BMX_OK) {
        st = bmx__guard_output(&g, opts->report, false, "the report", err);
    }
    if (st == BMX_OK) {
        st = bmx__guard_output(&g, opts->decisions, false, "the decision log", err);
    }
    /* Neither replaces a file without --force (or --resume, the same run's), nor
     * lands in another dataset's or run's folder. */
    if (st == BMX_OK) {
        st = bmx__check_side_file(opts->report, "the report", opts->out,
                                  opts->force || opts->resume, err);
    }
    if (st == BMX_OK) {
        st = bmx__check_side_file(opts->decisions, "the decision log", opts->out,
                                  opts->force || opts->resume, err);
    }
    bmx__guard_free(&g);
    return st;
}
/* Whether the output folder already holds a dataset or an unfinished run, read
 * under its lock. */
static bmx_status check_out_state(const struct run *r, bmx_error *err)
{
    const struct bmx_job_options *opts = r->opts;
    const bool to_voc = opts->out_format == BMX_DATASET_VOC;
    const bool to_yolo = opts->out_format == BMX_DATASET_YOLO;
    if (opts->force || opts->resume) {
        return BMX_OK;
    }
    struct bmx__journal j;
    bool exists = false;
    bmx_status st = bmx__journal_read(r->od.fd, opts->out, &j, &exists, NULL);
    bool unfinished = st == BMX_OK && exists && !j.done;
    if (st == BMX_OK) {
        bmx__journal_free(&j);
    }
    if (unfinished) {
        return bmx__fail(err, BMX_E_STATE,
                         "%s: holds an interrupted run: finish it with --resume (same options) or "
                         "start over with --force",
                         opts->out);
    }
    struct stat sb;
    /* A symlink there holds no dataset: the write refuses it, saying so. */
    const char *mark = to_voc ? "Annotations" : to_yolo ? "data.yaml" : "annotations.json";
    if (fstatat(r->od.fd, mark, &sb, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(sb.st_mode)) {
        return bmx__fail(err, BMX_E_STATE,
                         "%s: already holds a dataset (%s); choose another folder or use --force",
                         opts->out, to_voc ? "Annotations/" : mark);
    }
    /* A dataset of another format there is not ours to write into either. */
    return bmx__check_dataset_free(r->od.fd, opts->out, mark, err);
}
/* The records' spill file, unlinked at once: it disappears with the process. */
static bmx_status open_spill(struct run *r, bmx_error *err)
{
    char name[64];
    snprintf(name, sizeof name, ".boxmix-records-%ld", (long)getpid());
    r->spill = openat(r->od.fd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (r->spill < 0) {
        return bmx__fail(err, BMX_E_IO, "%s/%s: cannot create: %s", r->opts->out, name,
                         strerror(errno));
    }
    unlinkat(r->od.fd, name, 0);
    return BMX_OK;
}
/* The caller's options read up to their size (boxmix.h, "Options that grow"). */
static bmx_status read_options(const struct bmx_job_options *in, struct bmx_job_options *o,
                               bmx_error *err)
{
    bmx_job_options_init(o);
    bmx_status st = bmx__sized_read(o, sizeof *o, in, "struct bmx_job_options", err);
    size_t given = st == BMX_OK ? bmx__sized_given(in) : 0;
    if (st == BMX_OK) {
        st = bmx__input_member(&o->input, offsetof(struct bmx_job_options, input), given,
                               "struct bmx_job_options.input", err);
    }
    if (st == BMX_OK) {
        st = bmx__sized_member(&o->cutmix, sizeof o->cutmix,
                               offsetof(struct bmx_job_options, cutmix), given,
                               "struct bmx_job_options.cutmix", err);
    }
    return st;
}

/* The operations: the caller's recipe, each entry checked, or CutMix with the
 * options' `cutmix` as a one-entry recipe. */
static bmx_status set_recipe(struct run *r, const struct bmx_job_options *opts, bmx_error *err)
{
    bmx_op_options_init(&r->one.op);
    r->one.weight = 1.0;
    r->one.op.cutmix = opts->cutmix;
    r->recipe = &r->one;
    r->recipe_len = 1;
    if (opts->recipe_len > 0 && opts->recipe == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "recipe: %zu entries but no array", opts->recipe_len);
    }
    if (opts->recipe != NULL && opts->recipe_len > 0) {
        for (size_t q = 0; q < opts->recipe_len; q++) {
            const struct bmx_recipe_entry *e = &opts->recipe[q];
            if (!isfinite(e->weight) || !(e->weight > 0.0)) {
                return bmx__fail(err, BMX_E_INVALID,
                                 "recipe[%zu].weight: must be a finite number > 0, got %g", q,
                                 e->weight);
            }
            bmx_status st = bmx_op_options_check(&e->op, err);
            if (st != BMX_OK) {
                return bmx__prefix(err, st, "recipe[%zu]", q);
            }
            if (e->op.size != sizeof e->op) {
                return bmx__fail(err, BMX_E_INVALID,
                                 "recipe[%zu].op: struct bmx_op_options of %zu bytes, this "
                                 "library's has %zu (fill it with bmx_op_options_init)",
                                 q, e->op.size, sizeof e->op);
            }
        }
        r->recipe = opts->recipe;
        r->recipe_len = opts->recipe_len;
    }
    for (size_t q = 0; q < r->recipe_len; q++) {
        /* A Mosaic output is s x s whatever its inputs: held to the limit every
         * reader holds each image to (the output is a dataset to read back). */
        const struct bmx_op_options *e = &r->recipe[q].op;
        const uint64_t s = e->mosaic_size > 0 ? (uint64_t)e->mosaic_size : 0;
        const uint64_t most = opts->limits.max_image_pixels;
        if (e->op == BMX_OP_MOSAIC && most > 0 && s * s > most) {
            char where[48] = "";
            if (r->recipe_len > 1) {
                snprintf(where, sizeof where, "recipe[%zu].", q);
            }
            return bmx__fail(err, BMX_E_LIMIT,
                             "%smosaic_size: %" PRIu64 " makes %" PRIu64 "x%" PRIu64
                             " outputs (%" PRIu64 " pixels), more than the image limit of %" PRIu64
                             " pixels (max_image_pixels, --max-pixels) that every reader holds "
                             "an image to: raise the limit or take a smaller mosaic_size",
                             where, s, s, s, s * s, most);
        }
    }
    r->max_inputs = 1;
    for (size_t q = 0; q < r->recipe_len; q++) {
        size_t n = bmx_op_inputs(r->recipe[q].op.op);
        r->max_inputs = n > r->max_inputs ? n : r->max_inputs;
    }
    return BMX_OK;
}

bmx_status bmx_job_run(const struct bmx_job_options *given, struct bmx_job_summary *summary,
                       bmx_error *err)
{
    struct bmx_job_options options;
    const struct bmx_job_options *opts = &options;
    bmx_status st;
    bmx_dataset *ds = NULL;
    char *root_copy = NULL, *img_dir = NULL;
    struct run r;
    struct bmx__buf images = {0}, anns = {0};
    size_t n_images = 0, n_anns = 0;
    struct bmx_job_summary sum = {0};
    bool lock_init = false;

    memset(&r, 0, sizeof r);
    r.journal = -1;
    r.spill = -1;
    r.img_fd = -1;
    r.od.fd = r.od.lock_fd = -1;
    st = read_options(given, &options, err);
    if (st != BMX_OK) {
        return st;
    }
    bmx__progress_init(&r.progress, opts->progress, opts->progress_ctx);
    const bool from_voc = opts->input.format != BMX_DATASET_COCO; /* VOC or YOLO: a folder */
    if (opts->input.annotations == NULL || opts->out == NULL ||
        (!from_voc && opts->input.images == NULL)) {
        return bmx__fail(err, BMX_E_INVALID,
                         "input.annotations (with input.images for COCO) and out are required");
    }
    st = bmx_cutmix_options_check(&opts->cutmix, err);
    if (st != BMX_OK) {
        return st;
    }
    st = set_recipe(&r, opts, err);
    if (st != BMX_OK) {
        return st;
    }
    if (opts->out_format < BMX_DATASET_COCO || opts->out_format > BMX_DATASET_YOLO) {
        return bmx__fail(err, BMX_E_INVALID, "out_format: unknown format %d",
                         (int)opts->out_format);
    }
    if (opts->yolo_task < BMX_YOLO_TASK_AUTO || opts->yolo_task > BMX_YOLO_TASK_SEGMENT) {
        return bmx__fail(err, BMX_E_INVALID, "yolo_task: unknown task %d", opts->yolo_task);
    }
    const char *split = bmx__job_yolo_split(opts);
    if (split[0] == '\0' || strchr(split, '/') != NULL || strcmp(split, ".") == 0 ||
        strcmp(split, "..") == 0 || strlen(split) > 200) {
        return bmx__fail(err, BMX_E_INVALID, "yolo_split: '%s' is not a folder name", split);
    }
    char yolo_images[256], yolo_labels[256];
    snprintf(yolo_images, sizeof yolo_images, "images/%s", split);
    snprintf(yolo_labels, sizeof yolo_labels, "labels/%s", split);
    if (opts->format == BMX_FORMAT_JPEG && (opts->quality < 1 || opts->quality > 100)) {
        return bmx__fail(err, BMX_E_INVALID, "quality: must be 1..100, got %d", opts->quality);
    }
    if (opts->png_level < 0 || opts->png_level > 9) {
        return bmx__fail(err, BMX_E_INVALID, "png_level: must be 0..9, got %d", opts->png_level);
    }
    if (!bmx_have_spng() && opts->png_level != BMX__PNG_LEVEL_DEFAULT) {
        return bmx__fail(err, BMX_E_INVALID,
                         "png_level: this library was built without libspng; stb_image_write "
                         "writes PNG at its own level, so only the default (%d) is taken",
                         BMX__PNG_LEVEL_DEFAULT);
    }
    if (opts->memory_limit == 0) {
        return bmx__fail(err, BMX_E_INVALID, "memory_limit: must be at least 1 byte, got 0");
    }
    if (opts->shard_count > 1 && opts->shard_index >= opts->shard_count) {
        return bmx__fail(err, BMX_E_INVALID, "shard: index %" PRIu64 " is not below the count %" PRIu64,
                         opts->shard_index, opts->shard_count);
    }
    const char *input_name = opts->input.annotations;
    st = bmx__input_images_root(&opts->input, &root_copy, err);
    if (st != BMX_OK) {
        return st;
    }
    const char *images_root = root_copy;
    pthread_mutex_init(&r.lock, NULL);
    lock_init = true;
    st = guard_paths(opts, images_root, err);
    if (st != BMX_OK) {
        goto done;
    }
    struct bmx__file_bytes ann_bytes = {0};
    st = bmx__read_input(&opts->input, images_root, &opts->limits, &ds, &ann_bytes, err);
    if (st != BMX_OK) {
        goto done;
    }
    for (size_t i = 0; i < ds->n_images; i++) {
        if (bmx__name_escapes(ds->images[i].file_name)) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: images[%zu].file_name: \"%s\" escapes the image folder (absolute or '..')",
                           input_name, i, ds->images[i].file_name);
            goto done;
        }
    }
    if (ds->n_images == 0) {
        st = bmx__fail(err, BMX_E_SCHEMA, "%s: images: the dataset has no image to augment",
                       input_name);
        goto done;
    }
    r.input_name = input_name;
    r.opts = opts;
    r.images_root = images_root;
    r.ds = ds;
    r.bad = calloc(ds->n_images, sizeof *r.bad);
    r.inputs = calloc(ds->n_images, sizeof *r.inputs);
    if (r.bad == NULL || r.inputs == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    const bool to_voc = opts->out_format == BMX_DATASET_VOC;
    const bool to_yolo = opts->out_format == BMX_DATASET_YOLO;
    const char *img_rel = to_voc ? "JPEGImages" : to_yolo ? yolo_images : "images";
    if (opts->include_originals) {
        unsigned ops = 0;
        for (size_t q = 0; q < r.recipe_len; q++) {
            ops |= 1u << r.recipe[q].op.op;
        }
        st = bmx__job_check_original_names(ds, input_name, opts->format, ops, err);
        if (st == BMX_OK && to_voc) {
            /* Two originals whose XML would share a name, found before any write. */
            char **stems = NULL;
            st = bmx__voc_stems(ds, &stems, err);
            bmx__voc_free_stems(stems, stems != NULL ? ds->n_images : 0);
        }
        if (st != BMX_OK) {
            goto done;
        }
    }
    if (opts->input.format == BMX_DATASET_COCO) {
        r.jr.has_dataset = true;
        /* The bytes parsed: no second read, and no other bytes than those used. */
        if (!bmx__jfile_known(opts->input.annotations, ann_bytes.len, ann_bytes.hash,
                              &r.jr.dataset)) {
            st = bmx__fail(err, BMX_E_IO, "%s: %s", opts->input.annotations, strerror(errno));
            goto done;
        }
    }
    /* Every input image is checked before anything is written. */
    if (!opts->dry_run) {
        r.in_files = calloc(ds->n_images, sizeof *r.in_files);
        if (r.in_files == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        st = bmx__job_precheck(&r, &sum, err);
        if (st != BMX_OK) {
            goto done;
        }
    }
    for (size_t i = 0; i < ds->n_images; i++) {
        if (!r.bad[i]) {
            r.inputs[r.n_in++] = i;
        }
    }
    if (r.n_in == 0) {
        st = bmx__fail(err, BMX_E_SCHEMA, "%s: no readable input image is left", input_name);
        goto done;
    }
    r.count = opts->count;
    if (r.count == 0) {
        if (opts->per_image > UINT64_MAX / r.n_in) {
            st = bmx__fail(err, BMX_E_OVERFLOW, "per-image: too many outputs");
            goto done;
        }
        r.count = opts->per_image * r.n_in;
    }
    r.shard_n = opts->shard_count > 1 ? opts->shard_count : 1;
    {
        uint64_t first = opts->shard_count > 1 ? opts->shard_index : 0;
        r.n_local = r.count > first ? (r.count - first + r.shard_n - 1) / r.shard_n : 0;
    }
    r.id_offset = opts->include_originals ? ds->n_images : 0;
    if (r.n_local > SIZE_MAX / sizeof *r.recs) {
        st = bmx__fail(err, BMX_E_OVERFLOW, "too many outputs");
        goto done;
    }
    r.recs = calloc(r.n_local ? (size_t)r.n_local : 1, sizeof *r.recs);
    r.done = calloc(r.n_local ? (size_t)r.n_local : 1, sizeof *r.done);
    img_dir = bmx__path_join(opts->out, img_rel);
    if (r.recs == NULL || r.done == NULL || img_dir == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    r.img_dir = img_dir;
    /* The run's identity and the inputs it read: what the journal starts with. */
    {
        uint64_t dh = 0;
        st = bmx__job_dataset_hash(&r, &dh, err);
        if (st != BMX_OK) {
            goto done;
        }
        r.jr.run = bmx__job_identity(&r, dh);
        r.jr.shard_index = opts->shard_count > 1 ? opts->shard_index : 0;
        r.jr.shard_count = r.shard_n;
        for (size_t i = 0; r.in_files != NULL && i < ds->n_images && r.jr.run != NULL; i++) {
            if (!bmx__jlist_push(&r.jr.inputs, &r.in_files[i])) {
                st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
                goto done;
            }
        }
        if (r.jr.run == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
    }
    st = bmx__outdir_open(&r.od, opts->out, err);
    if (st != BMX_OK) {
        goto done;
    }
    st = check_out_state(&r, err);
    if (st != BMX_OK) {
        goto done;
    }
    {
        /* We hold the lock: every temporary in the folder is a dead run's. */
        const char *skip[2] = {images_root, from_voc ? opts->input.annotations : NULL};
        bmx__outdir_remove_temps(&r.od, skip, 2);
    }
    /* Every folder the output needs, made (never through a symlink) before any file. */
    for (size_t i = 0; to_voc && i < 2 && st == BMX_OK; i++) {
        int fd = -1;
        st = bmx__dir_open(r.od.fd, opts->out, i == 0 ? "Annotations" : "ImageSets/Main", true, &fd,
                           err);
        if (fd >= 0) {
            close(fd);
        }
    }
    if (to_yolo && st == BMX_OK) {
        int fd = -1;
        st = bmx__dir_open(r.od.fd, opts->out, yolo_labels, true, &fd, err);
        if (fd >= 0) {
            close(fd);
        }
    }
    if (st != BMX_OK) {
        goto done;
    }
    if (!opts->dry_run) {
        st = bmx__dir_open(r.od.fd, opts->out, img_rel, true, &r.img_fd, err);
        if (st == BMX_OK) {
            st = bmx__job_journal_open(&r, &sum, err);
        }
        if (st != BMX_OK) {
            goto done;
        }
    }
    st = bmx__pairing_init(&r.pairing, r.n_in, opts->seed, err);
    if (st != BMX_OK) {
        goto done;
    }
    if (opts->include_originals) {
        st = bmx__job_write_originals(&r, &images, &anns, &n_images, &n_anns, &sum, err);
        if (st != BMX_OK) {
            goto done;
        }
    }
    st = open_spill(&r, err);
    if (st != BMX_OK) {
        goto done;
    }
    bmx__progress_stage(&r.progress, "making outputs", BMX_PROGRESS_OUTPUTS, r.n_local);
    st = bmx__job_make_outputs(&r, err);
    if (st == BMX_E_INTERRUPTED) {
        uint64_t made = 0;
        for (uint64_t j = 0; j < r.n_local; j++) {
            made += r.recs[j].made || r.done[j];
        }
        if (opts->dry_run) {
            st = bmx__fail(err, BMX_E_INTERRUPTED,
                           "%s: interrupted: nothing was written (a dry run keeps nothing to resume)",
                           opts->out);
        } else {
            st = bmx__fail(err, BMX_E_INTERRUPTED,
                           "%s: interrupted: %" PRIu64 " of %" PRIu64
                           " outputs are complete; run the same command with --resume to finish",
                           opts->out, made, r.n_local);
        }
        goto done;
    }
    if (st != BMX_OK) {
        goto done;
    }
    for (uint64_t j = 0; j < r.n_local; j++) {
        sum.kept_whole += r.recs[j].stats.kept_whole;
        sum.clipped += r.recs[j].stats.clipped;
        sum.dropped += r.recs[j].stats.dropped;
        sum.masked += r.recs[j].stats.masked;
        sum.holes_filled += r.recs[j].stats.holes_filled;
        sum.with_keypoints += r.recs[j].stats.with_keypoints;
        sum.keypoints_hidden += r.recs[j].stats.keypoints_hidden;
        sum.per_op[r.recs[j].op]++;
        sum.not_pasted_no_mask += r.recs[j].not_pasted;
    }
    sum.samples = r.n_local;
    if (images.failed || anns.failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory while writing the annotation file");
        goto done;
    }
    st = bmx__job_write_annotations(&r, &images, &anns, n_images, n_anns, err);
    if (st == BMX_E_INTERRUPTED) {
        st = bmx__fail(err, BMX_E_INTERRUPTED,
                       "%s: interrupted while writing the annotations; %s", opts->out,
                       opts->dry_run ? "nothing was written (a dry run keeps nothing to resume)"
                                     : "the images are complete: run the same command with --resume to finish");
        goto done;
    }
    if (st == BMX_OK && opts->decisions != NULL) {
        st = bmx__job_write_decisions(&r, err);
    }
    if (st == BMX_OK && opts->report != NULL) {
        st = bmx__job_write_report(&r, &sum, err);
    }
    if (st == BMX_OK) {
        /* The dataset is whole: the journal says so, and what it holds. */
        if (r.journal >= 0) {
            close(r.journal);
            r.journal = -1;
        }
        st = bmx__journal_finish(r.od.fd, opts->out, &r.jr, err);
    }
done:
    if (summary != NULL) {
        *summary = sum;
    }
    if (r.journal >= 0) {
        close(r.journal);
    }
    if (r.spill >= 0) {
        close(r.spill);
    }
    if (r.img_fd >= 0) {
        close(r.img_fd);
    }
    bmx__outdir_close(&r.od);
    if (lock_init) {
        pthread_mutex_destroy(&r.lock);
    }
    if (r.recs != NULL) {
        for (uint64_t j = 0; j < r.n_local; j++) {
            bmx__buf_free(&r.recs[j].image);
            bmx__buf_free(&r.recs[j].anns);
            for (size_t q = 0; r.recs[j].objs != NULL && q < r.recs[j].n_objs; q++) {
                bmx_object_free(&r.recs[j].objs[q]); /* YOLO output keeps the geometry */
            }
            free(r.recs[j].objs);
            free(r.recs[j].record);
        }
        free(r.recs);
    }
    bmx__journal_free(&r.jr);
    free(r.in_files);
    free(r.done);
    free(r.bad);
    free(r.inputs);
    for (size_t q = 0; q < r.n_bad_msgs; q++) {
        free(r.bad_msgs[q]);
    }
    free(r.bad_msgs);
    free(r.bad_idx);
    bmx__buf_free(&images);
    bmx__buf_free(&anns);
    bmx__pairing_free(&r.pairing);
    free(img_dir);
    bmx_dataset_free(ds);
    free(root_copy);
    return st;
}
