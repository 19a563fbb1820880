/* SPDX-License-Identifier: MIT */
/* A job's input dataset: read as COCO or VOC, its files registered with the
 * input guard, and refused while a boxmix run is still writing it. */
#include "input.h"
#include "coco.h"
#include "journal.h"
#include "yolo.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void bmx_input_init(struct bmx_input *input)
{
    memset(input, 0, sizeof *input);
    input->size = sizeof *input;
    input->format = BMX_DATASET_COCO;
}

bmx_status bmx__input_member(struct bmx_input *input, size_t offset, size_t given, const char *what,
                             bmx_error *err)
{
    bmx_status st = bmx__sized_member(input, sizeof *input, offset, given, what, err);
    if (st == BMX_OK && input->format != BMX_DATASET_COCO && input->format != BMX_DATASET_VOC &&
        input->format != BMX_DATASET_YOLO) {
        st = bmx__fail(err, BMX_E_INVALID, "%s: unknown format %d", what, (int)input->format);
    }
    return st;
}

bmx_status bmx__input_yolo_layout(const struct bmx_input *in, struct bmx__yolo_layout *l,
                                  bmx_error *err)
{
    struct bmx_labels names = {0, NULL};
    if (in->yolo_names != NULL) {
        bmx_status st = bmx_labels_read(in->yolo_names, &names, err);
        if (st != BMX_OK) {
            return st;
        }
    }
    bmx_status st = bmx__yolo_layout(in->annotations, in->yolo_split,
                                     in->yolo_names != NULL ? &names : NULL,
                                     in->yolo_allow_outside, NULL, NULL, l, err);
    bmx_labels_free(&names);
    return st;
}

bmx_status bmx__input_images_root(const struct bmx_input *in, char **out, bmx_error *err)
{
    *out = NULL;
    if (in->format == BMX_DATASET_YOLO) {
        struct bmx__yolo_layout l;
        bmx_status st = bmx__input_yolo_layout(in, &l, err);
        if (st == BMX_OK) {
            *out = l.root;
            l.root = NULL;
            bmx__yolo_layout_free(&l);
        }
        return st;
    }
    if (in->format == BMX_DATASET_VOC) {
        *out = bmx__voc_images_root(in->annotations, in->images);
    } else if (in->images != NULL) {
        *out = strdup(in->images);
    } else {
        return BMX_OK;
    }
    return *out == NULL ? bmx__fail(err, BMX_E_NOMEM, "out of memory") : BMX_OK;
}

bmx_status bmx__guard_input_files(struct bmx__guard *g, const struct bmx_input *in,
                                  const char *images_root, bmx_error *err)
{
    struct stat sb;
    if (in->format == BMX_DATASET_YOLO) {
        /* The data.yaml (or folder), the dataset's root (images and labels), the
         * names file, and the split's image folder, which may lie elsewhere. */
        struct bmx__yolo_layout l;
        bool dir = stat(in->annotations, &sb) == 0 && S_ISDIR(sb.st_mode);
        bmx_status st = bmx__input_yolo_layout(in, &l, err);
        if (st != BMX_OK) {
            return st;
        }
        if (st == BMX_OK) {
            st = bmx__guard_input(g, in->annotations, dir,
                                  dir ? "the input YOLO folder" : "the input data.yaml", err);
        }
        if (st == BMX_OK) {
            st = bmx__guard_input(g, l.dataset_root, true, "the input dataset's root", err);
        }
        if (st == BMX_OK) {
            st = bmx__guard_input(g, in->yolo_names, false, "the names file", err);
        }
        if (st == BMX_OK) {
            st = bmx__guard_input(g, images_root, true, "the input image folder", err);
        }
        bmx__yolo_layout_free(&l);
        return st;
    }
    const bool voc = in->format == BMX_DATASET_VOC;
    bool voc_dir = voc && stat(in->annotations, &sb) == 0 && S_ISDIR(sb.st_mode);
    bmx_status st = bmx__guard_input(g, in->annotations, voc_dir,
                                     !voc      ? "the input annotation file"
                                     : voc_dir ? "the input VOC folder"
                                               : "the input VOC file",
                                     err);
    if (st == BMX_OK) {
        st = bmx__guard_input(g, in->labels, false, "the labels file", err);
    }
    if (st == BMX_OK) {
        st = bmx__guard_input(g, images_root, true, "the input image folder", err);
    }
    return st;
}

bmx_status bmx__guard_dataset_out(struct bmx__guard *g, const char *out,
                                  enum bmx_dataset_format format, bmx_error *err)
{
    const bool voc = format == BMX_DATASET_VOC, yolo = format == BMX_DATASET_YOLO;
    const struct {
        const char *rel;
        bool tree;
        const char *what;
    } items[] = {
        {voc ? "Annotations" : yolo ? "data.yaml" : "annotations.json", voc,
         voc ? "the output's Annotations folder" : "the output annotation file"},
        {voc ? "JPEGImages" : "images", true, "the output image folder"},
        {voc ? "ImageSets" : yolo ? "labels" : NULL, true,
         yolo ? "the output's labels folder" : "the output's ImageSets folder"},
        {BMX__JOURNAL_NAME, false, "the output's journal"},
        {".boxmix-lock", false, "the output's lock file"},
    };
    bmx_status st = BMX_OK;
    for (size_t i = 0; i < sizeof items / sizeof items[0] && st == BMX_OK; i++) {
        if (items[i].rel == NULL) {
            continue;
        }
        char *p = bmx__path_join(out, items[i].rel);
        st = p == NULL ? bmx__fail(err, BMX_E_NOMEM, "out of memory")
                       : bmx__guard_output(g, p, items[i].tree, items[i].what, err);
        free(p);
    }
    return st;
}

bmx_status bmx__check_input_finished(const struct bmx_input *in, bmx_error *err)
{
    struct stat sb;
    const char *voc = in->format != BMX_DATASET_COCO ? in->annotations : NULL;
    char *dir = NULL;
    bool is_dir = stat(in->annotations, &sb) == 0 && S_ISDIR(sb.st_mode);
    if (in->format == BMX_DATASET_YOLO && !is_dir) {
        dir = bmx__dir_of(in->annotations); /* the data.yaml's folder */
    } else if (voc != NULL && stat(voc, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        dir = strdup(voc);
    } else {
        /* A COCO file's folder; a VOC XML's Annotations/ folder's parent. */
        char *d = bmx__dir_of(in->annotations);
        dir = voc != NULL && d != NULL ? bmx__dir_of(d) : d;
        if (dir != d) {
            free(d);
        }
    }
    if (dir == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    bmx_status st = bmx__check_finished(dir, err);
    free(dir);
    return st;
}

bmx_status bmx__read_input(const struct bmx_input *in, const char *images_root,
                           const struct bmx_limits *limits, bmx_dataset **out,
                           struct bmx__file_bytes *bytes, bmx_error *err)
{
    bmx_status fst = bmx__check_input_finished(in, err);
    if (fst != BMX_OK) {
        return fst;
    }
    if (in->format == BMX_DATASET_YOLO) {
        struct bmx_labels names = {0, NULL};
        struct bmx_yolo_options yo;
        bmx_yolo_options_init(&yo);
        yo.split = in->yolo_split;
        yo.allow_outside = in->yolo_allow_outside;
        yo.limits = *limits;
        yo.image_size = bmx_image_probe;
        if (in->yolo_names != NULL) {
            bmx_status st = bmx_labels_read(in->yolo_names, &names, err);
            if (st != BMX_OK) {
                return st;
            }
            yo.names = &names;
        }
        (void)images_root;
        bmx_status st = bmx__yolo_read(in->annotations, &yo, NULL, NULL, out, in->yolo_read, err);
        bmx_labels_free(&names);
        return st;
    }
    if (in->format != BMX_DATASET_VOC) {
        /* A COCO file boxmix wrote says where each object came from (draw colours
         * by it and shows the visibility). */
        bmx_status st = bmx__coco_read_file(in->annotations, limits, out, bytes, err);
        if (st == BMX_OK) {
            bmx__dataset_read_provenance(*out);
        }
        return st;
    }
    struct bmx_labels labels = {0, NULL};
    struct bmx_voc_options vo;
    bmx_voc_options_init(&vo);
    vo.split = in->voc_split;
    vo.images_dir = images_root;
    vo.limits = *limits;
    if (in->labels != NULL) {
        bmx_status st = bmx_labels_read(in->labels, &labels, err);
        if (st != BMX_OK) {
            return st;
        }
        vo.labels = &labels;
    }
    bmx_status st = bmx_dataset_read_voc(in->annotations, &vo, out, err);
    bmx_labels_free(&labels);
    return st;
}

bmx_status bmx_dataset_read_voc(const char *path, const struct bmx_voc_options *opts,
                                bmx_dataset **out, bmx_error *err)
{
    struct bmx_voc_options o;
    bmx_voc_options_init(&o);
    if (opts != NULL) {
        bmx_status st = bmx__sized_read(&o, sizeof o, opts, "struct bmx_voc_options", err);
        if (st != BMX_OK) {
            return st;
        }
    }
    /* The formats layer reads no pixels: the size of an image an XML does not
     * record comes from here, the layer that knows the codecs. */
    if (o.image_size == NULL) {
        o.image_size = bmx_image_probe;
    }
    return bmx__voc_read(path, &o, out, err);
}

/* What the folder `dir` (an open descriptor) holds of a dataset of any format (an
 * annotation file, a VOC Annotations/ folder, a data.yaml) other than `skip`, and
 * with `run` of a boxmix run (a journal, a lock). Symlinks are not followed (a link
 * there holds no dataset). NULL: nothing. */
static const char *dataset_mark(int dir, const char *skip, bool run)
{
    static const char *const marks[] = {"annotations.json", "Annotations", "data.yaml",
                                        BMX__JOURNAL_NAME, ".boxmix-lock"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        struct stat sb;
        if ((skip != NULL && strcmp(marks[i], skip) == 0) || (!run && i >= 3)) {
            continue;
        }
        if (fstatat(dir, marks[i], &sb, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(sb.st_mode)) {
            return marks[i];
        }
    }
    return NULL;
}

bmx_status bmx__check_dataset_free(int dir, const char *shown, const char *skip,
                                   bmx_error *err)
{
    const char *mark = dataset_mark(dir, skip, false);
    if (mark != NULL) {
        return bmx__fail(err, BMX_E_STATE,
                         "%s: already holds a dataset (%s%s); choose another folder or use --force",
                         shown, mark, strcmp(mark, "Annotations") == 0 ? "/" : "");
    }
    return BMX_OK;
}

bmx_status bmx__check_side_file(const char *path, const char *what, const char *own_out,
                                bool replace, bmx_error *err)
{
    if (path == NULL) {
        return BMX_OK;
    }
    struct stat sb;
    if (!replace && lstat(path, &sb) == 0) {
        return bmx__fail(err, BMX_E_STATE,
                         "%s: %s exists; choose another name or use --force to replace it", path,
                         what);
    }
    /* No folder above it may be another run's or dataset's folder. */
    char *own = own_out != NULL ? realpath(own_out, NULL) : NULL;
    char *dir = bmx__dir_of(path);
    char *real = dir != NULL ? realpath(dir, NULL) : NULL;
    bmx_status st = dir == NULL ? bmx__fail(err, BMX_E_NOMEM, "out of memory") : BMX_OK;
    for (char *p = real; st == BMX_OK && p != NULL && p[0] != '\0';) {
        bool is_own = own != NULL && strcmp(p, own) == 0;
        int fd = is_own ? -1 : open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        const char *mark = fd >= 0 ? dataset_mark(fd, NULL, true) : NULL;
        if (fd >= 0) {
            close(fd);
        }
        if (mark != NULL) {
            st = bmx__fail(err, BMX_E_INVALID,
                           "%s: %s would be written into %s, which holds a dataset or a boxmix "
                           "run (%s): boxmix writes no file into another dataset",
                           path, what, p, mark);
        }
        char *slash = strrchr(p, '/');
        if (slash == NULL || slash == p) {
            break;
        }
        *slash = '\0';
    }
    free(own);
    free(dir);
    free(real);
    return st;
}
