/* SPDX-License-Identifier: MIT */
/* Before an augment run writes anything: every input image read and checked,
 * and the names copied originals would take. */

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

/* With originals copied beside the outputs, no two files may share a name. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}
bmx_status bmx__job_check_original_names(const bmx_dataset *ds, const char *input_name,
                                       enum bmx_format format, unsigned ops, bmx_error *err)
{
    (void)format;
    const char **names = bmx__alloc_array(ds->n_images, sizeof *names);
    if (names == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    bmx_status st = BMX_OK;
    for (size_t i = 0; i < ds->n_images; i++) {
        names[i] = ds->images[i].file_name;
        for (int op = 0; op < BMX_OP_COUNT; op++) {
            /* The run's operations name their outputs OP_NNNNNN; the others make
             * none, so a name of theirs collides with nothing. */
            if (((ops >> op) & 1u) == 0) {
                continue;
            }
            const char *name = bmx_op_name((enum bmx_op)op);
            size_t n = strlen(name);
            if (strncmp(names[i], name, n) == 0 && names[i][n] == '_') {
                st = bmx__fail(err, BMX_E_SCHEMA,
                               "%s: images[%zu].file_name: \"%s\" could collide with the names of boxmix's outputs (%s_*)",
                               input_name, i, names[i], name);
                goto done;
            }
        }
    }
    qsort(names, ds->n_images, sizeof *names, cmp_str);
    for (size_t i = 1; i < ds->n_images; i++) {
        if (strcmp(names[i], names[i - 1]) == 0) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: images: two images have the file_name \"%s\": their copies would collide",
                           input_name, names[i]);
            goto done;
        }
    }
done:
    free(names);
    return st;
}
/* The largest side a JPEG can record. */
#define JPEG_MAX_SIDE 65535
/* A worker reads up to BMX__HASH_LANES files before it hashes them together
 * (bmx__hash_lanes), fewer once they hold this many bytes; a buffer larger than
 * this is let go after its file. */
#define GROUP_BYTES ((size_t)2 << 20)

/* One input file read by a pre-check worker, in a buffer it keeps. */
struct slot {
    size_t i;
    char *path;
    char *data;
    size_t cap, len;
    bmx_status st;
};

/* Read input i whole into `s`: the hash needs every byte, and the decode that
 * follows finds the file in the page cache. */
static void read_input(struct run *r, size_t i, struct slot *s, bmx_error *err)
{
    r->in_files[i] = (struct bmx__jfile){.index = i, .missing = true};
    s->i = i;
    s->len = 0;
    s->path = bmx__path_join(r->images_root, r->ds->images[i].file_name);
    s->st = s->path == NULL ? bmx__fail(err, BMX_E_NOMEM, "out of memory")
                            : bmx__read_file_into(s->path, &s->data, &s->cap, &s->len, err);
}

/* Check one input image read into `s` (its hash known): decodable (header, or
 * fully with skip_bad), of its recorded size, and one the output format can
 * hold; record its size, modification time and hash for the journal. */
static bmx_status check_input(struct run *r, const struct slot *s, uint64_t hash, bmx_error *err)
{
    const struct bmx_image_info *info = &r->ds->images[s->i];
    const char *path = s->path;
    int32_t w = 0, h = 0;
    bmx_status st = s->st;
    if (st != BMX_OK) {
        return st;
    }
    bmx__jfile_known(path, s->len, hash, &r->in_files[s->i]);
    if (r->opts->skip_bad) {
        struct bmx_image img = {0};
        st = bmx_image_decode((const uint8_t *)s->data, s->len, &r->opts->limits, &img, err);
        w = img.w;
        h = img.h;
        bmx_image_free(&img);
    } else {
        st = bmx_image_probe((const uint8_t *)s->data, s->len, &w, &h, err);
        if (st == BMX_OK && (uint64_t)w * (uint64_t)h > r->opts->limits.max_image_pixels) {
            st = bmx__fail(err, BMX_E_LIMIT, "%dx%d is more than the limit of %" PRIu64 " pixels",
                           (int)w, (int)h, r->opts->limits.max_image_pixels);
        }
    }
    if (st != BMX_OK) {
        bmx__prefix(err, st, "%s", path);
        return st;
    }
    if (w != info->width || h != info->height) {
        return bmx__fail(err, BMX_E_SCHEMA, "%s: image is %dx%d, images[%zu] says %dx%d", path,
                         (int)w, (int)h, s->i, (int)info->width, (int)info->height);
    }
    /* Every input is the base of outputs of its own size. */
    if (r->opts->format == BMX_FORMAT_JPEG && (w > JPEG_MAX_SIDE || h > JPEG_MAX_SIDE)) {
        return bmx__fail(err, BMX_E_LIMIT,
                         "%s: %dx%d: a JPEG output cannot be larger than %d pixels a side "
                         "(--format png can hold it)",
                         path, (int)w, (int)h, JPEG_MAX_SIDE);
    }
    return BMX_OK;
}
struct precheck {
    struct run *r;
    size_t next;
    pthread_mutex_t lock;
    bmx_status *status;
    bmx_error *errs;
};
static void *precheck_worker(void *arg)
{
    struct precheck *pc = arg;
    struct run *r = pc->r;
    struct slot s[BMX__HASH_LANES];
    memset(s, 0, sizeof s);
    for (;;) {
        /* A group of files read, then hashed together, then checked one by one. */
        size_t m = 0, bytes = 0;
        while (m < BMX__HASH_LANES && bytes < GROUP_BYTES) {
            pthread_mutex_lock(&pc->lock);
            size_t i = pc->next < r->ds->n_images ? pc->next++ : SIZE_MAX;
            pthread_mutex_unlock(&pc->lock);
            if (i == SIZE_MAX) {
                break;
            }
            read_input(r, i, &s[m], &pc->errs[i]);
            bytes += s[m].len;
            m++;
        }
        if (m == 0) {
            break;
        }
        const void *data[BMX__HASH_LANES];
        size_t len[BMX__HASH_LANES];
        uint64_t hash[BMX__HASH_LANES];
        for (size_t q = 0; q < m; q++) {
            data[q] = s[q].data;
            len[q] = s[q].st == BMX_OK ? s[q].len : 0;
        }
        bmx__hash_lanes(data, len, m, hash);
        for (size_t q = 0; q < m; q++) {
            pc->status[s[q].i] = check_input(r, &s[q], hash[q], &pc->errs[s[q].i]);
            free(s[q].path);
            s[q].path = NULL;
            if (s[q].cap > GROUP_BYTES) {
                free(s[q].data);
                s[q].data = NULL;
                s[q].cap = 0;
            }
            pthread_mutex_lock(&pc->lock);
            bmx__progress_step(&r->progress); /* under pc->lock: one call at a time */
            pthread_mutex_unlock(&pc->lock);
        }
    }
    for (size_t q = 0; q < BMX__HASH_LANES; q++) {
        free(s[q].data);
    }
    return NULL;
}
bmx_status bmx__job_precheck(struct run *r, struct bmx_job_summary *sum, bmx_error *err)
{
    size_t n = r->ds->n_images;
    struct precheck pc = {r, 0, PTHREAD_MUTEX_INITIALIZER, NULL, NULL};
    pc.status = calloc(n, sizeof *pc.status);
    pc.errs = calloc(n, sizeof *pc.errs);
    unsigned nt = bmx__job_threads(r->opts);
    pthread_t *threads = calloc(nt, sizeof *threads);
    bmx_status st = BMX_OK;
    if (pc.status == NULL || pc.errs == NULL || threads == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    bmx__progress_stage(&r->progress, "checking inputs", BMX_PROGRESS_IMAGES, n);
    unsigned started = 0;
    for (; nt > 1 && started < nt; started++) {
        if (pthread_create(&threads[started], NULL, precheck_worker, &pc) != 0) {
            break;
        }
    }
    if (started == 0) {
        precheck_worker(&pc);
    }
    for (unsigned t = 0; t < started; t++) {
        pthread_join(threads[t], NULL);
    }
    size_t n_bad = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        if (pc.status[i] != BMX_OK) {
            if (n_bad++ == 0) {
                first = i;
            }
        }
    }
    if (n_bad > 0 && !r->opts->skip_bad) {
        if (n_bad == 1) {
            st = bmx__fail(err, pc.status[first], "%s; nothing was written (--skip-bad leaves bad images out)",
                           pc.errs[first].message);
        } else {
            st = bmx__fail(err, pc.status[first],
                           "%s; and %zu more bad images; nothing was written (--skip-bad leaves them out)",
                           pc.errs[first].message, n_bad - 1);
        }
        goto done;
    }
    if (n_bad > 0) {
        r->bad_msgs = calloc(n_bad, sizeof *r->bad_msgs);
        r->bad_idx = calloc(n_bad, sizeof *r->bad_idx);
        if (r->bad_msgs == NULL || r->bad_idx == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            if (pc.status[i] != BMX_OK) {
                r->bad[i] = true;
                r->bad_idx[r->n_bad_msgs] = i;
                r->bad_msgs[r->n_bad_msgs] = strdup(pc.errs[i].message);
                if (r->bad_msgs[r->n_bad_msgs] == NULL) {
                    st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
                    goto done;
                }
                r->n_bad_msgs++;
            }
        }
        sum->skipped_images = n_bad;
    }
done:
    free(threads);
    free(pc.status);
    free(pc.errs);
    return st;
}
