/* SPDX-License-Identifier: MIT */
/* The augment job's workers: a block's inputs decoded once, on first use, into
 * buffers kept from block to block, and the threads that take outputs from one
 * queue in block order. */

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

/* Decode dataset image i into the entry's buffer (a spare one when it has none). */
static bmx_status load_image(struct worker_ctx *w, size_t i, struct cache_entry *e,
                             bmx_error *err)
{
    const struct run *r = w->run;
    const struct bmx_image_info *info = &r->ds->images[i];
    char *path = bmx__path_join(r->images_root, info->file_name);
    size_t len = 0;
    if (path == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    bmx_status st = bmx__read_file_into(path, &w->file, &w->file_cap, &len, err);
    if (st == BMX_OK) {
        st = bmx__codec_decode(&w->codec, (const uint8_t *)w->file, len, &r->opts->limits,
                               &e->pix, &e->cap, &e->image, err);
        if (st != BMX_OK) {
            bmx__prefix(err, st, "%s", path);
        }
    }
    if (st == BMX_OK && (e->image.w != info->width || e->image.h != info->height)) {
        st = bmx__fail(err, BMX_E_SCHEMA,
                       "%s: decoded size %dx%d differs from images[%zu] width x height %dx%d",
                       path, (int)e->image.w, (int)e->image.h, i, (int)info->width,
                       (int)info->height);
    }
    if (st != BMX_OK) {
        memset(&e->image, 0, sizeof e->image);
    }
    free(path);
    return st;
}
/* Give an entry's pixels back to the spares (under r->lock). */
static void release_entry(struct run *r, struct cache_entry *e)
{
    if (e->pix != NULL) {
        /* At most one spare per cache entry exists, so the array never overflows. */
        r->spares[r->n_spares++] = (struct spare){e->pix, e->cap};
    }
    e->pix = NULL;
    e->cap = 0;
    memset(&e->image, 0, sizeof e->image);
    e->done = false;
}
/* The decoded pixels of input u, decoding them on first use. */
bmx_status bmx__job_cached_image(struct worker_ctx *w, size_t u, const struct bmx_image **out,
                               bmx_error *err)
{
    struct run *r = w->run;
    struct cache_entry *e = &r->cache[r->pairing.pos[u]];
    pthread_mutex_lock(&e->lock);
    if (!e->done) {
        pthread_mutex_lock(&r->lock);
        if (e->pix == NULL && r->n_spares > 0) {
            struct spare sp = r->spares[--r->n_spares];
            e->pix = sp.pix;
            e->cap = sp.cap;
        }
        pthread_mutex_unlock(&r->lock);
        e->status = load_image(w, r->inputs[u], e, &e->err);
        e->done = true;
    }
    pthread_mutex_unlock(&e->lock);
    if (e->status != BMX_OK) {
        if (err != NULL) {
            *err = e->err;
        }
        return e->status;
    }
    *out = &e->image;
    return BMX_OK;
}
/* Workers take outputs in block order from one queue. A block's pixels are freed
 * as soon as its last output is made, so a worker may start the next block while
 * another finishes the last one: no barrier between blocks, and at most about one
 * block per worker is decoded at a time. */
static void *worker(void *arg)
{
    struct worker_ctx *w = arg;
    struct run *r = w->run;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        if (!r->failed && r->opts->cancel != NULL && *r->opts->cancel) {
            r->failed = true;
            r->fail_j = UINT64_MAX;
            r->fail_status = bmx__fail(&r->fail_err, BMX_E_INTERRUPTED, "%s: interrupted", r->opts->out);
        }
        if (r->next >= r->n_todo || r->failed) {
            pthread_mutex_unlock(&r->lock);
            return NULL;
        }
        size_t t = r->next++;
        uint64_t j = r->todo[t];
        size_t b = r->todo_block[t];
        pthread_mutex_unlock(&r->lock);
        bmx_error err = {0};
        bmx_status st = bmx__job_make_output(w, j, &err);
        pthread_mutex_lock(&r->lock);
        if (st != BMX_OK && (!r->failed || j < r->fail_j)) {
            /* Report the failing output with the lowest index seen. */
            r->failed = true;
            r->fail_j = j;
            r->fail_err = err;
            r->fail_status = st;
        }
        if (st == BMX_OK) {
            bmx__progress_step(&r->progress); /* under r->lock: one call at a time */
        }
        if (--r->block_left[b] == 0) {
            size_t end = bmx__pairing_block_start(&r->pairing, b + 1);
            for (size_t q = bmx__pairing_block_start(&r->pairing, b); q < end; q++) {
                release_entry(r, &r->cache[q]);
            }
        }
        pthread_mutex_unlock(&r->lock);
    }
}
unsigned bmx__job_threads(const struct bmx_job_options *opts)
{
    if (opts->threads > 0) {
        return opts->threads;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)(n > 256 ? 256 : n) : 1;
}
/* Make every output, block by block: a block's inputs are decoded once, on first
 * use, and freed when the block is done, so memory stays bounded by a block. */
bmx_status bmx__job_make_outputs(struct run *r, bmx_error *err)
{
    const struct bmx__pairing *p = &r->pairing;
    bmx_status st = BMX_OK;
    size_t nb = p->n_blocks;
    uint64_t *order = bmx__alloc_array((size_t)r->n_local, sizeof *order);
    size_t *start = calloc(nb + 1, sizeof *start);
    r->todo_block = bmx__alloc_array((size_t)r->n_local, sizeof *r->todo_block);
    r->block_left = calloc(nb, sizeof *r->block_left);
    r->cache = calloc(p->n, sizeof *r->cache);
    r->spares = calloc(p->n, sizeof *r->spares);
    r->n_spares = 0;
    unsigned nt = bmx__job_threads(r->opts);
    pthread_t *threads = calloc(nt, sizeof *threads);
    struct worker_ctx *ctx = calloc(nt, sizeof *ctx);
    if ((r->n_local > 0 && (order == NULL || r->todo_block == NULL)) || start == NULL ||
        r->cache == NULL || r->spares == NULL || r->block_left == NULL || threads == NULL ||
        ctx == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory for %" PRIu64 " outputs", r->n_local);
        goto done;
    }
    for (size_t i = 0; i < p->n; i++) {
        pthread_mutex_init(&r->cache[i].lock, NULL);
    }
    /* Outputs by block of their base, in index order within a block. */
    for (uint64_t j = 0; j < r->n_local; j++) {
        size_t base = (size_t)(bmx__job_local_to_k(r, j) % p->n);
        start[bmx__pairing_block_of(p, p->pos[base]) + 1]++;
    }
    for (size_t b = 0; b < nb; b++) {
        start[b + 1] += start[b];
    }
    {
        size_t *fill = calloc(nb, sizeof *fill);
        if (fill == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        for (uint64_t j = 0; j < r->n_local; j++) {
            size_t base = (size_t)(bmx__job_local_to_k(r, j) % p->n);
            size_t b = bmx__pairing_block_of(p, p->pos[base]);
            order[start[b] + fill[b]++] = j;
        }
        free(fill);
    }
    r->todo = order;
    r->n_todo = (size_t)r->n_local;
    r->next = 0;
    for (size_t b = 0; b < nb; b++) {
        r->block_left[b] = start[b + 1] - start[b];
        for (size_t t = start[b]; t < start[b + 1]; t++) {
            r->todo_block[t] = b;
        }
    }
    {
        unsigned use = nt < r->n_todo ? nt : (unsigned)r->n_todo;
        unsigned started = 0;
        for (unsigned t = 0; t < nt; t++) {
            ctx[t].run = r;
        }
        if (use > 1) {
            for (; started < use; started++) {
                if (pthread_create(&threads[started], NULL, worker, &ctx[started]) != 0) {
                    break;
                }
            }
        }
        if (started == 0) {
            worker(&ctx[0]);
        }
        for (unsigned t = 0; t < started; t++) {
            pthread_join(threads[t], NULL);
        }
    }
    /* After a failure some blocks were not finished: free what they decoded. */
    for (size_t q = 0; q < p->n; q++) {
        release_entry(r, &r->cache[q]);
    }
    if (r->failed) {
        if (err != NULL) {
            *err = r->fail_err;
        }
        st = r->fail_status;
    }
    for (size_t i = 0; i < p->n; i++) {
        pthread_mutex_destroy(&r->cache[i].lock);
    }
done:
    if (ctx != NULL) {
        for (unsigned t = 0; t < nt; t++) {
            bmx__codec_free(&ctx[t].codec);
            free(ctx[t].file);
            free(ctx[t].out);
        }
    }
    free(ctx);
    for (size_t q = 0; r->spares != NULL && q < r->n_spares; q++) {
        free(r->spares[q].pix);
    }
    free(r->spares);
    r->spares = NULL;
    r->n_spares = 0;
    free(threads);
    free(r->cache);
    r->cache = NULL;
    free(r->todo_block);
    r->todo_block = NULL;
    free(r->block_left);
    r->block_left = NULL;
    free(start);
    free(order);
    return st;
}
