/* The whole-dataset conversion behind boxmix-convert: read a COCO or VOC dataset,
 * copy or link its images into the output folder, write the annotations in the
 * other format last (so a folder holding them holds a complete dataset). */
#include "voc.h"

#include <dirent.h>
#include <errno.h>
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
    job->from = BMX_DATASET_COCO;
    job->to = BMX_DATASET_VOC;
    bmx_voc_options_init(&job->voc);
}

static bool is_jpeg_name(const char *name)
{
    const char *dot = strrchr(bmx__base_name(name), '.');
    return dot != NULL && (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0);
}

/* Copy, hard-link or symlink one image file to dst. */
static bmx_status put_image_file(const char *src, const char *dst, bool link_it,
                                 struct bmx_convert_summary *sum, bmx_error *err)
{
    /* An image that is not one (empty, cut before its header, another format) is
     * refused before it lands in a dataset a trainer will read. */
    {
        char *head = NULL;
        size_t hlen = 0;
        int32_t w, h;
        bmx_status hs = bmx__read_file(src, &head, &hlen, err);
        if (hs == BMX_OK) {
            hs = hlen == 0 ? bmx__fail(err, BMX_E_DECODE, "%s: 0 bytes: not an image", src)
                           : bmx_image_probe((const uint8_t *)head, hlen, &w, &h, err);
            if (hs != BMX_OK && hlen > 0) {
                bmx__prefix(err, hs, "%s", src);
            }
        }
        free(head);
        if (hs != BMX_OK) {
            return hs;
        }
    }
    if (link_it) {
        if (unlink(dst) != 0 && errno != ENOENT) {
            return bmx__fail(err, BMX_E_IO, "%s: cannot replace: %s", dst, strerror(errno));
        }
        if (link(src, dst) == 0) {
            sum->hard_linked++;
            return BMX_OK;
        }
        int link_errno = errno;
        if (link_errno == ENOENT) {
            return bmx__fail(err, BMX_E_IO, "%s: cannot open: %s", src, strerror(link_errno));
        }
        /* Another file system, or hard links not allowed: an absolute symlink still
         * works wherever the output folder is read from. */
        char abs[PATH_MAX];
        if (realpath(src, abs) == NULL) {
            return bmx__fail(err, BMX_E_IO, "%s: cannot resolve: %s", src, strerror(errno));
        }
        if (symlink(abs, dst) != 0) {
            return bmx__fail(err, BMX_E_IO, "%s: cannot link (hard link: %s; symlink: %s)", dst,
                             strerror(link_errno), strerror(errno));
        }
        sum->sym_linked++;
        return BMX_OK;
    }
    char *data = NULL;
    size_t len = 0;
    bmx_status st = bmx__read_file(src, &data, &len, err);
    if (st == BMX_OK) {
        /* A symlink left by an earlier --link run must not be written through. */
        struct stat sb;
        if (lstat(dst, &sb) == 0 && S_ISLNK(sb.st_mode)) {
            unlink(dst);
        }
        st = bmx__write_file_atomic(dst, data, len, false, err);
    }
    free(data);
    if (st == BMX_OK) {
        sum->copied++;
    }
    return st;
}

static bmx_status check_out_free(const struct bmx_convert_job *job, bmx_error *err)
{
    const char *marks[2];
    size_t n = 0;
    if (job->to == BMX_DATASET_COCO) {
        marks[n++] = "annotations.json";
    } else {
        marks[n++] = "Annotations";
        marks[n++] = "ImageSets/Main/trainval.txt";
    }
    for (size_t i = 0; i < n; i++) {
        char *p = bmx__path_join(job->out, marks[i]);
        if (p == NULL) {
            return bmx__fail(err, BMX_E_NOMEM, "out of memory");
        }
        bool taken = false;
        struct stat sb;
        if (stat(p, &sb) == 0) {
            if (S_ISDIR(sb.st_mode)) {
                DIR *dh = opendir(p);
                struct dirent *de;
                while (dh != NULL && (de = readdir(dh)) != NULL) {
                    if (bmx__voc_has_xml_ext(de->d_name)) {
                        taken = true;
                        break;
                    }
                }
                if (dh != NULL) {
                    closedir(dh);
                }
            } else {
                taken = true;
            }
        }
        free(p);
        if (taken) {
            return bmx__fail(err, BMX_E_STATE,
                             "%s: already holds a dataset (%s); choose another folder or use --force",
                             job->out, marks[i]);
        }
    }
    return BMX_OK;
}

bmx_status bmx_convert_run(const struct bmx_convert_job *job, struct bmx_convert_summary *summary,
                           bmx_error *err)
{
    struct bmx_convert_summary sum = {0};
    bmx_dataset *ds = NULL;
    char *images = NULL, *out_images = NULL, *ann_path = NULL;
    char **stems = NULL;
    bmx_status st = BMX_OK;
    if (job == NULL || job->input == NULL || job->out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "convert: input and out are required");
    }
    if (job->from == job->to) {
        return bmx__fail(err, BMX_E_INVALID, "convert: input and output formats are the same");
    }
    if (job->from == BMX_DATASET_COCO && job->images == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "convert: COCO input needs the image folder");
    }
    if (job->from == BMX_DATASET_VOC) {
        struct bmx_voc_options vo = job->voc;
        struct stat sb;
        bool is_dir = stat(job->input, &sb) == 0 && S_ISDIR(sb.st_mode);
        images = bmx__voc_images_root(job->input, job->images);
        if (images == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        vo.images_dir = images;
        if (is_dir && bmx__same_file(job->input, job->out)) {
            st = bmx__fail(err, BMX_E_INVALID, "%s: the output folder is the input folder", job->out);
            goto done;
        }
        st = bmx_dataset_read_voc(job->input, &vo, &ds, err);
    } else {
        images = strdup(job->images);
        if (images == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        st = bmx_dataset_read_coco_limited(job->input, &job->voc.limits, &ds, err);
    }
    if (st != BMX_OK) {
        goto done;
    }
    for (size_t i = 0; i < ds->n_images; i++) {
        if (bmx__name_escapes(ds->images[i].file_name)) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: images[%zu].file_name: '%s' escapes the image folder (absolute or '..')",
                           job->input, i, ds->images[i].file_name);
            goto done;
        }
    }
    if (job->to == BMX_DATASET_VOC) {
        st = bmx__voc_stems(ds, &stems, err); /* collisions are refused before any write */
        if (st != BMX_OK) {
            goto done;
        }
    }
    if (bmx__same_file(job->out, images)) {
        st = bmx__fail(err, BMX_E_INVALID, "%s: the output folder is the input image folder", job->out);
        goto done;
    }
    if (!job->force) {
        st = check_out_free(job, err);
        if (st != BMX_OK) {
            goto done;
        }
    }
    out_images = bmx__path_join(job->out, job->to == BMX_DATASET_VOC ? "JPEGImages" : "images");
    if (out_images == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    st = bmx__mkdir_under(out_images, SIZE_MAX, err);
    if (st != BMX_OK) {
        goto done;
    }
    if (bmx__same_file(out_images, images)) {
        st = bmx__fail(err, BMX_E_INVALID, "%s: the output image folder is the input image folder",
                       out_images);
        goto done;
    }
    for (size_t i = 0; i < ds->n_images && st == BMX_OK; i++) {
        const char *fn = ds->images[i].file_name;
        /* VOC keeps every image directly in JPEGImages/ (its stem is its id). */
        const char *rel = job->to == BMX_DATASET_VOC ? bmx__base_name(fn) : fn;
        char *src = bmx__path_join(images, fn);
        char *dst = bmx__path_join(out_images, rel);
        if (src == NULL || dst == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        } else {
            char *slash = strrchr(dst, '/');
            if (slash != NULL && (size_t)(slash - dst) > strlen(out_images)) {
                *slash = '\0';
                st = bmx__mkdir_under(dst, SIZE_MAX, err);
                *slash = '/';
            }
            if (st == BMX_OK) {
                st = put_image_file(src, dst, job->link, &sum, err);
            }
        }
        if (job->to == BMX_DATASET_VOC && !is_jpeg_name(fn)) {
            sum.not_jpeg++;
        }
        free(src);
        free(dst);
    }
    if (st != BMX_OK) {
        goto done;
    }
    if (job->to == BMX_DATASET_VOC) {
        st = bmx_dataset_write_voc(ds, job->out, err);
    } else {
        ann_path = bmx__path_join(job->out, "annotations.json");
        st = ann_path == NULL ? bmx__fail(err, BMX_E_NOMEM, "out of memory")
                              : bmx_dataset_write_coco(ds, ann_path, err);
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
        }
    }
done:
    if (summary != NULL) {
        *summary = sum;
    }
    bmx__voc_free_stems(stems, ds != NULL ? ds->n_images : 0);
    free(images);
    free(out_images);
    free(ann_path);
    bmx_dataset_free(ds);
    return st;
}
