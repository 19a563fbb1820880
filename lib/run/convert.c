/* SPDX-License-Identifier: MIT */
/* The whole-dataset conversion behind boxmix-convert: read a COCO or VOC dataset,
 * copy or link its images into the output folder, write the annotations in the
 * other format last (so a folder holding them holds a complete dataset). */
#include "journal.h"
#include "input.h"
#include "progress.h"
#include "yolo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void bmx_convert_job_init(struct bmx_convert_job *job)
{
    memset(job, 0, sizeof *job);
    job->size = sizeof *job;
    bmx_input_init(&job->input);
    job->to = BMX_DATASET_VOC;
    bmx_limits_init(&job->limits);
}

static bool is_jpeg_name(const char *name)
{
    const char *dot = strrchr(bmx__base_name(name), '.');
    return dot != NULL && (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0);
}

/* Copy, hard-link or symlink one input image to `rel` below the output's image
 * folder `dir`. */
static bmx_status put_image_file(const char *src, int dir, const char *dir_shown, const char *rel,
                                 bool link_it, struct bmx_convert_summary *sum, bmx_error *err)
{
    /* An image that is not one (empty, cut before its header, another format) is
     * refused before it lands in a dataset a trainer will read. */
    char *data = NULL;
    size_t len = 0;
    int32_t w, h;
    bmx_status st = bmx__read_file(src, &data, &len, err);
    if (st == BMX_OK) {
        st = len == 0 ? bmx__fail(err, BMX_E_DECODE, "%s: 0 bytes: not an image", src)
                      : bmx_image_probe((const uint8_t *)data, len, &w, &h, err);
        if (st != BMX_OK && len > 0) {
            bmx__prefix(err, st, "%s", src);
        }
    }
    if (st == BMX_OK && link_it) {
        if (bmx__outfile_link(dir, dir_shown, rel, src, true, NULL) == BMX_OK) {
            sum->hard_linked++;
            goto done;
        }
        /* Another file system, or hard links not allowed: an absolute symlink still
         * works wherever the output folder is read from. */
        int link_errno = errno;
        char *abs = bmx__resolve_path(src);
        if (abs == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        } else if (bmx__outfile_link(dir, dir_shown, rel, abs, false, err) == BMX_OK) {
            sum->sym_linked++;
        } else {
            st = bmx__prefix(err, BMX_E_IO, "hard link: %s; symlink", strerror(link_errno));
        }
        free(abs);
        goto done;
    }
    if (st == BMX_OK) {
        st = bmx__outfile_write(dir, dir_shown, rel, data, len, false, err);
        if (st == BMX_OK) {
            sum->copied++;
        }
    }
done:
    free(data);
    return st;
}

/* Whether the output folder already holds a dataset of the output format. */
static bmx_status check_out_free(const struct bmx_convert_job *job, int out, bmx_error *err)
{
    const char *marks[2];
    size_t n = 0;
    if (job->to == BMX_DATASET_COCO) {
        marks[n++] = "annotations.json";
    } else if (job->to == BMX_DATASET_YOLO) {
        marks[n++] = "data.yaml";
    } else {
        marks[n++] = "Annotations";
        marks[n++] = "ImageSets/Main/trainval.txt";
    }
    for (size_t i = 0; i < n; i++) {
        bool taken = false;
        int fd = -1;
        if (job->to == BMX_DATASET_VOC && i == 0 &&
            bmx__dir_open(out, job->out, marks[i], false, &fd, NULL) == BMX_OK) {
            int d2 = dup(fd);
            DIR *dh = d2 >= 0 ? fdopendir(d2) : NULL;
            struct dirent *de;
            while (dh != NULL && (de = readdir(dh)) != NULL) {
                if (bmx__voc_has_xml_ext(de->d_name)) {
                    taken = true;
                    break;
                }
            }
            if (dh != NULL) {
                closedir(dh);
            } else if (d2 >= 0) {
                close(d2);
            }
            close(fd);
        } else if (!(job->to == BMX_DATASET_VOC && i == 0)) {
            taken = bmx__dir_has(out, marks[i]);
        }
        if (taken) {
            return bmx__fail(err, BMX_E_STATE,
                             "%s: already holds a dataset (%s); choose another folder or use --force",
                             job->out, marks[i]);
        }
    }
    return BMX_OK;
}

/* Every path the conversion writes, checked against its inputs first. */
static bmx_status guard_paths(const struct bmx_convert_job *job, const char *images, bmx_error *err)
{
    struct bmx__guard g = {0};
    bmx_status st = bmx__guard_input_files(&g, &job->input, images, err);
    if (st == BMX_OK) {
        st = bmx__guard_dataset_out(&g, job->out, job->to, err);
    }
    bmx__guard_free(&g);
    return st;
}

/* The caller's job read up to its size (boxmix.h, "Options that grow"). */
static bmx_status read_job(const struct bmx_convert_job *in, struct bmx_convert_job *job,
                           bmx_error *err)
{
    bmx_convert_job_init(job);
    bmx_status st = bmx__sized_read(job, sizeof *job, in, "struct bmx_convert_job", err);
    if (st == BMX_OK) {
        st = bmx__input_member(&job->input, offsetof(struct bmx_convert_job, input),
                               bmx__sized_given(in), "struct bmx_convert_job.input", err);
    }
    if (st == BMX_OK && (job->to < BMX_DATASET_COCO || job->to > BMX_DATASET_YOLO)) {
        st = bmx__fail(err, BMX_E_INVALID, "convert: unknown output format %d", (int)job->to);
    }
    if (st == BMX_OK &&
        (job->yolo_task < BMX_YOLO_TASK_AUTO || job->yolo_task > BMX_YOLO_TASK_SEGMENT)) {
        st = bmx__fail(err, BMX_E_INVALID, "convert: unknown YOLO task %d", job->yolo_task);
    }
    return st;
}

bmx_status bmx_convert_run(const struct bmx_convert_job *given, struct bmx_convert_summary *summary,
                           bmx_error *err)
{
    struct bmx_convert_job job_read;
    const struct bmx_convert_job *job = &job_read;
    struct bmx_convert_summary sum = {0};
    bmx_dataset *ds = NULL;
    char *images = NULL, *out_images = NULL;
    char **stems = NULL;
    struct bmx__outdir od = {NULL, -1, -1};
    struct bmx__journal jr = {0};
    int img_fd = -1, jfd = -1;
    bmx_status st = BMX_OK;
    if (given == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "convert: input and out are required");
    }
    st = read_job(given, &job_read, err);
    if (st != BMX_OK) {
        return st;
    }
    if (job->input.annotations == NULL || job->out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "convert: input and out are required");
    }
    if (job->input.format == job->to) {
        return bmx__fail(err, BMX_E_INVALID, "convert: input and output formats are the same");
    }
    if (job->input.format == BMX_DATASET_COCO && job->input.images == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "convert: COCO input needs the image folder");
    }
    st = bmx__input_images_root(&job->input, &images, err);
    if (st == BMX_OK) {
        st = guard_paths(job, images, err);
    }
    if (st == BMX_OK) {
        st = bmx__read_input(&job->input, images, &job->limits, &ds, NULL, err);
    }
    if (st != BMX_OK) {
        goto done;
    }
    for (size_t i = 0; i < ds->n_images; i++) {
        if (bmx__name_escapes(ds->images[i].file_name)) {
            st = bmx__fail(
                err, BMX_E_SCHEMA,
                "%s: images[%zu].file_name: '%s' escapes the image folder (absolute or '..')",
                job->input.annotations, i, ds->images[i].file_name);
            goto done;
        }
    }
    if (job->to == BMX_DATASET_VOC) {
        st = bmx__voc_stems(ds, &stems, err); /* collisions are refused before any write */
        if (st != BMX_OK) {
            goto done;
        }
    }
    /* YOLO output: the split's folders; label files that would collide are refused
     * before any write. */
    const char *split = job->yolo_split != NULL ? job->yolo_split
                        : job->input.format == BMX_DATASET_YOLO && job->input.yolo_split != NULL
                            ? job->input.yolo_split
                            : "train";
    char yolo_images[300], yolo_labels[300];
    snprintf(yolo_images, sizeof yolo_images, "images/%s", split);
    snprintf(yolo_labels, sizeof yolo_labels, "labels/%s", split);
    if (job->to == BMX_DATASET_YOLO) {
        const struct bmx__yolo_records recs = {ds->name,      ds,            ds->n_images, ds->images,
                                               ds->img_first, ds->img_count, ds->objects};
        char **names = NULL;
        if (split[0] == '\0' || strchr(split, '/') != NULL || strcmp(split, ".") == 0 ||
            strcmp(split, "..") == 0) {
            st = bmx__fail(err, BMX_E_INVALID, "convert: split '%s' is not a folder name", split);
        } else {
            st = bmx__yolo_label_names(&recs, split, &names, err);
            bmx__yolo_free_names(names, names != NULL ? ds->n_images : 0);
        }
        if (st != BMX_OK) {
            goto done;
        }
    }
    const char *out_img_rel = job->to == BMX_DATASET_VOC    ? "JPEGImages"
                              : job->to == BMX_DATASET_YOLO ? yolo_images
                                                            : "images";
    st = bmx__outdir_open(&od, job->out, err);
    if (st == BMX_OK && !job->force) {
        st = check_out_free(job, od.fd, err);
    }
    if (st == BMX_OK && !job->force) {
        /* Nor into a dataset of another format. */
        st = bmx__check_dataset_free(od.fd, job->out,
                                     job->to == BMX_DATASET_COCO   ? "annotations.json"
                                     : job->to == BMX_DATASET_YOLO ? "data.yaml"
                                                                   : "Annotations",
                                     err);
    }
    if (st != BMX_OK) {
        goto done;
    }
    bmx__outdir_remove_temps(&od, (const char *const[]){images, job->input.annotations}, 2);
    out_images = bmx__path_join(job->out, out_img_rel);
    jr.run = strdup(job->to == BMX_DATASET_VOC    ? "{\"tool\":\"boxmix-convert\",\"to\":\"voc\"}"
                    : job->to == BMX_DATASET_YOLO ? "{\"tool\":\"boxmix-convert\",\"to\":\"yolo\"}"
                                                  : "{\"tool\":\"boxmix-convert\",\"to\":\"coco\"}");
    if (out_images == NULL || jr.run == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    st = bmx__dir_open(od.fd, job->out, out_img_rel, true, &img_fd, err);
    if (st == BMX_OK && job->to == BMX_DATASET_YOLO) {
        int fd = -1;
        st = bmx__dir_open(od.fd, job->out, yolo_labels, true, &fd, err);
        if (fd >= 0) {
            close(fd);
        }
    }
    /* Every folder the output needs, made (never through a symlink) before any file. */
    for (size_t i = 0; job->to == BMX_DATASET_VOC && i < 2 && st == BMX_OK; i++) {
        int fd = -1;
        st = bmx__dir_open(od.fd, job->out, i == 0 ? "Annotations" : "ImageSets/Main", true, &fd, err);
        if (fd >= 0) {
            close(fd);
        }
    }
    if (st == BMX_OK) {
        st = bmx__journal_begin(od.fd, job->out, &jr, &jfd, err);
    }
    struct bmx__progress progress;
    bmx__progress_init(&progress, job->progress, job->progress_ctx);
    if (st == BMX_OK) {
        bmx__progress_stage(&progress, job->link ? "linking images" : "copying images",
                            BMX_PROGRESS_FILES, ds->n_images);
    }
    for (size_t i = 0; i < ds->n_images && st == BMX_OK; i++) {
        if (job->cancel != NULL && *job->cancel) {
            st = bmx__fail(err, BMX_E_INTERRUPTED, "%s: interrupted after %zu of %zu images",
                           job->out, i, ds->n_images);
            break;
        }
        const char *fn = ds->images[i].file_name;
        /* VOC keeps every image directly in JPEGImages/ (its stem is its id). */
        const char *rel = job->to == BMX_DATASET_VOC ? bmx__base_name(fn) : fn;
        char *src = bmx__path_join(images, fn);
        if (src == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        } else {
            st = put_image_file(src, img_fd, out_images, rel, job->link, &sum, err);
        }
        if (job->to == BMX_DATASET_VOC && !is_jpeg_name(fn)) {
            sum.not_jpeg++;
        }
        free(src);
        if (st == BMX_OK) {
            bmx__progress_step(&progress);
        }
    }
    if (st != BMX_OK) {
        goto done;
    }
    if (job->to == BMX_DATASET_VOC) {
        st = bmx__voc_write_at(ds, od.fd, job->out, job->cancel, err);
    } else if (job->to == BMX_DATASET_YOLO) {
        struct bmx_yolo_write_options wo;
        struct bmx_yolo_write_summary ws;
        bmx_yolo_write_options_init(&wo);
        wo.task = (enum bmx_yolo_task)job->yolo_task;
        wo.split = split;
        st = bmx__yolo_write_at(ds, &wo, od.fd, job->out, job->cancel, &ws, err);
        if (st == BMX_OK && job->yolo_written != NULL) {
            *job->yolo_written = ws;
        }
    } else {
        st = bmx__stream_document(od.fd, job->out, "annotations.json", bmx__coco_put_dataset_cb,
                                  ds, job->cancel, NULL, NULL, err);
    }
    if (st == BMX_OK) {
        close(jfd);
        jfd = -1;
        st = bmx__journal_finish(od.fd, job->out, &jr, err);
    }
    if (st != BMX_OK) {
        goto done;
    }
    sum.images = ds->n_images;
    sum.objects = ds->n_objects;
    sum.categories = ds->n_cats;
    if (job->to == BMX_DATASET_VOC) {
        for (size_t k = 0; k < ds->n_objects; k++) {
            enum bmx_seg_kind s = ds->objects[k].seg_kind;
            if (s == BMX_SEG_POLYGON || s == BMX_SEG_RLE) {
                sum.masked++;
            }
            sum.with_keypoints += ds->objects[k].has_keypoints;
        }
    }
done:
    if (summary != NULL) {
        *summary = sum;
    }
    if (jfd >= 0) {
        close(jfd);
    }
    if (img_fd >= 0) {
        close(img_fd);
    }
    bmx__outdir_close(&od);
    bmx__journal_free(&jr);
    bmx__voc_free_stems(stems, ds != NULL ? ds->n_images : 0);
    free(images);
    free(out_images);
    bmx_dataset_free(ds);
    return st;
}
