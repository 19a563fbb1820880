/* SPDX-License-Identifier: MIT */
/* The augment job's workers: the threads that take outputs block by block, each
 * from a part of its own of the queue, their inputs' pixels held by the pixel
 * cache (job_cache.c). */

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

size_t bmx__job_take(struct run *r, struct worker_ctx *w)
{
    /* Its own parts, block by block. */
    for (; w->part < r->n_parts; w->part += r->ways) {
        struct job_part *p = &r->parts[w->part];
        if (p->next < p->end) {
            return p->next++;
        }
    }
    /* None left: the last output of the part with the most left in the earliest
     * block that has any (its worker goes on from the part's first), so that the
     * workers stay in the same block and hold its inputs together. */
    size_t best = SIZE_MAX, most = 0;
    for (size_t q = 0; q < r->n_parts; q++) {
        if (best != SIZE_MAX && q % r->ways == 0) {
            break; /* the next block */
        }
        size_t left = r->parts[q].end - r->parts[q].next;
        if (left > most) {
            most = left;
            best = q;
        }
    }
    return best == SIZE_MAX ? SIZE_MAX : --r->parts[best].end;
}

/* Each worker takes outputs from its own part of each block in turn, so that two
 * workers seldom use an input at once. An input's pixels are let go as soon as
 * its last output is made, so a worker may start the next block while another
 * finishes the last one: no barrier between blocks. */
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
            /* Workers waiting for room would wait for an output that never comes. */
            pthread_cond_broadcast(&r->cache.room);
        }
        size_t t = r->failed ? SIZE_MAX : bmx__job_take(r, w);
        if (t == SIZE_MAX) {
            pthread_mutex_unlock(&r->lock);
            return NULL;
        }
        uint64_t j = r->todo[t];
        /* Room for the output's base and source (it may wait for it). */
        if (!bmx__job_cache_acquire(w, t)) {
            pthread_mutex_unlock(&r->lock);
            return NULL;
        }
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
        bmx__job_cache_release(r, t);
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
/* Make every output, block by block: an input is decoded on first use and held
 * while the memory budget allows (job_cache.c). */
bmx_status bmx__job_make_outputs(struct run *r, bmx_error *err)
{
    const struct bmx__pairing *p = &r->pairing;
    bmx_status st = BMX_OK;
    size_t nb = p->n_blocks;
    uint64_t *order = bmx__alloc_array((size_t)r->n_local, sizeof *order);
    struct job_part *parts = NULL;
    size_t *start = calloc(nb + 1, sizeof *start);
    unsigned nt = bmx__job_threads(r->opts);
    pthread_t *threads = calloc(nt, sizeof *threads);
    struct worker_ctx *ctx = calloc(nt, sizeof *ctx);
    if ((r->n_local > 0 && order == NULL) || start == NULL || threads == NULL || ctx == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory for %" PRIu64 " outputs", r->n_local);
        goto done;
    }
    /* Outputs by block of their base, in index order within a block first. */
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
    /* Within a block, an order that holds few inputs at once (job_order.c); the
     * index order stays when there is no memory for it. Then the block is cut
     * into one part per worker. */
    const unsigned use = nt < r->n_local ? nt : (unsigned)(r->n_local > 0 ? r->n_local : 1);
    parts = bmx__alloc_array(nb > 0 ? nb : 1, use * sizeof *parts);
    if (parts == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu blocks", nb);
        goto done;
    }
    for (size_t b = 0; b < nb; b++) {
        size_t n_b = start[b + 1] - start[b];
        bmx__job_order_block(r, order + start[b], n_b, bmx__pairing_block_start(p, b),
                             bmx__pairing_block_start(p, b + 1));
        for (unsigned q = 0; q < use; q++) {
            parts[b * use + q].next = start[b] + q * n_b / use;
            parts[b * use + q].end = start[b] + (q + 1) * n_b / use;
        }
    }
    r->todo = order;
    r->n_todo = (size_t)r->n_local;
    r->parts = parts;
    r->n_parts = nb * use;
    r->ways = use;
    for (unsigned t = 0; t < nt; t++) {
        ctx[t].run = r;
        ctx[t].waiting_at = SIZE_MAX;
        ctx[t].part = t < use ? t : r->n_parts;
        ctx[t].codec.cached_rows = true; /* its pixels are composed and encoded next */
    }
    r->workers = ctx;
    r->n_workers = nt;
    st = bmx__job_cache_init(r, err);
    if (st != BMX_OK) {
        goto done;
    }
    for (unsigned t = 0; t < nt; t++) {
        ctx[t].sc.huge = r->cache.huge; /* as the decoded inputs (job_cache.c) */
    }
    {
        unsigned started = 0;
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
    if (r->failed) {
        if (err != NULL) {
            *err = r->fail_err;
        }
        st = r->fail_status;
    }
done:
    /* After a failure some inputs were not let go: the cache frees them. */
    bmx__job_cache_free(r);
    if (ctx != NULL) {
        for (unsigned t = 0; t < nt; t++) {
            bmx__codec_free(&ctx[t].codec);
            free(ctx[t].file);
            bmx__op_scratch_free(&ctx[t].sc);
        }
    }
    free(ctx);
    r->workers = NULL;
    r->n_workers = 0;
    free(threads);
    free(start);
    free(order);
    free(parts);
    r->todo = NULL;
    r->parts = NULL;
    r->n_parts = 0;
    return st;
}
