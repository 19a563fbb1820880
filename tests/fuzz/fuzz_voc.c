/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the Pascal VOC XML reader (bmx_dataset_read_voc on one XML file),
 * then the VOC writer and the COCO writer on what reads, each read back.
 *
 * The reader takes a path, so the input is written to
 * <scratch>/Annotations/fuzz.xml; <scratch>/JPEGImages/fuzz.jpg (a small PNG)
 * gives the size-from-image fallback something to probe. The scratch folder is
 * private to the process (under /dev/shm when it exists).
 *
 * Properties: a failed read leaves a message and no dataset; a dataset that reads
 * writes as VOC and reads back with the same numbers of images, objects and
 * categories; its COCO form reads back too.
 */
#include "fuzz.h"

#include "boxmix.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

struct scratch {
    char root[128];
    char xml[256];
    char out[256];
    char json[256];
    char images[256];
    bool ready;
    bool failed;
};

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 ? 0 : -1;
}

static void remove_tree(const char *path)
{
    if (access(path, F_OK) == 0) {
        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
}

static bool write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return false;
    }
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* dst = a + b; false when it does not fit. */
static bool join(char *dst, size_t cap, const char *a, const char *b)
{
    int n = snprintf(dst, cap, "%s%s", a, b);
    return n > 0 && (size_t)n < cap;
}

static struct scratch scratch;

static void scratch_remove(void)
{
    remove_tree(scratch.root);
}

/* Made once per process (and removed at exit): the folders and the image the
 * fallback probes. */
static const struct scratch *scratch_get(void)
{
    struct scratch *s = &scratch;
    if (s->ready || s->failed) {
        return s->ready ? s : NULL;
    }
    s->failed = true;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(s->root, sizeof s->root, "%s/bmx_fuzz_voc.XXXXXX", base);
    if (mkdtemp(s->root) == NULL) {
        return NULL;
    }
    atexit(scratch_remove);
    char dir[256], path[256];
    if (!join(dir, sizeof dir, s->root, "/Annotations") ||
        !join(s->images, sizeof s->images, s->root, "/JPEGImages") ||
        !join(s->xml, sizeof s->xml, s->root, "/Annotations/fuzz.xml") ||
        !join(s->out, sizeof s->out, s->root, "/out") ||
        !join(s->json, sizeof s->json, s->root, "/fuzz.json") ||
        !join(path, sizeof path, s->root, "/JPEGImages/fuzz.jpg")) {
        return NULL;
    }
    if (mkdir(dir, 0700) != 0 || mkdir(s->images, 0700) != 0) {
        return NULL;
    }

    struct bmx_image img = {0};
    uint8_t *png = NULL;
    size_t len = 0;
    bool ok = bmx_image_new(5, 3, 3, &img, NULL) == BMX_OK &&
              bmx_image_encode(&img, BMX_FORMAT_PNG, 90, &png, &len, NULL) == BMX_OK &&
              write_bytes(path, png, len);
    free(png);
    bmx_image_free(&img);
    if (!ok) {
        return NULL;
    }
    s->failed = false;
    s->ready = true;
    return s;
}

static void check_accessors(const bmx_dataset *ds)
{
    size_t total = 0;
    for (size_t i = 0; i < bmx_dataset_image_count(ds); i++) {
        const struct bmx_image_info *info = bmx_dataset_image(ds, i);
        FZ_CHECK(info != NULL && info->file_name != NULL);
        FZ_CHECK(info->width > 0 && info->height > 0);
        size_t n = bmx_dataset_object_count(ds, i);
        const struct bmx_object *objs = bmx_dataset_objects(ds, i);
        for (size_t k = 0; k < n; k++) {
            FZ_CHECK(objs[k].bbox.w >= 0 && objs[k].bbox.h >= 0);
            FZ_CHECK(bmx_dataset_category_name(ds, objs[k].category_id) != NULL);
        }
        struct bmx_rect patch;
        (void)bmx_dataset_image_patch(ds, i, &patch);
        total += n;
    }
    FZ_CHECK(total == bmx_dataset_annotation_count(ds));
}

static void same_counts(const bmx_dataset *a, const bmx_dataset *b)
{
    FZ_CHECK(bmx_dataset_image_count(a) == bmx_dataset_image_count(b));
    FZ_CHECK(bmx_dataset_annotation_count(a) == bmx_dataset_annotation_count(b));
    FZ_CHECK(bmx_dataset_category_count(a) == bmx_dataset_category_count(b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct scratch *s = scratch_get();
    if (s == NULL || !write_bytes(s->xml, data, size)) {
        return 0;
    }
    bmx_dataset *ds = NULL, *back = NULL;
    bmx_error err;
    bmx_status st = bmx_dataset_read_voc(s->xml, NULL, &ds, &err);
    if (st != BMX_OK) {
        FZ_CHECK(ds == NULL);
        FZ_CHECK(err.message[0] != '\0');
        return 0;
    }
    check_accessors(ds);

    remove_tree(s->out);
    if (bmx_dataset_write_voc(ds, s->out, &err) == BMX_OK) {
        struct bmx_voc_options opts;
        bmx_voc_options_init(&opts);
        opts.images_dir = s->images;
        st = bmx_dataset_read_voc(s->out, &opts, &back, &err);
        if (st != BMX_OK) {
            fprintf(stderr, "written VOC does not read back: %s\n", err.message);
            FZ_CHECK(st == BMX_OK);
        }
        same_counts(ds, back);
        bmx_dataset_free(back);
        back = NULL;
    }
    if (bmx_dataset_write_coco(ds, s->json, &err) == BMX_OK) {
        st = bmx_dataset_read_coco(s->json, &back, &err);
        if (st != BMX_OK) {
            fprintf(stderr, "COCO form of a VOC dataset does not read back: %s\n", err.message);
            FZ_CHECK(st == BMX_OK);
        }
        same_counts(ds, back);
        bmx_dataset_free(back);
    }
    bmx_dataset_free(ds);
    return 0;
}
