/* SPDX-License-Identifier: MIT */
/* The augment job's pixel cache: the decoded inputs held at once, bounded in bytes
 * (DESIGN.md, "The offline job", Memory). An input is decoded when an output
 * first needs it, kept while the budget allows, and decoded again when it had to
 * make room. Pairing and blocks do not depend on the budget, so the bytes written
 * do not either.
 *
 * The queue of outputs is known before the first is made, and so is every use of
 * every input: the entry that makes room is the one whose next use is farthest
 * away (optimal for one thread), and an entry whose last user is done is let go at
 * once. An output takes room for all its inputs together (base and source; Mosaic's
 * four), or waits holding nothing; the earliest waiting output goes first, and once
 * nothing else holds pixels it always fits (the budget is at least what the largest
 * inputs of one block an output may take need), so waiting always ends. */

#include "job.h"
#include "prefault.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No entry / no use left. */
#define NONE SIZE_MAX
/* Buffers kept for later decodes, at most: a whole block's. */
#define MAX_SPARES (2 * BMX__BLOCK_SIZE)

/* The bytes entry `at` holds decoded: its pixels, or, from BMX__HUGE_MIN bytes of
 * pixels where the system has huge pages (prefault.h), the whole huge pages that
 * hold them and the room to start their rows where TurboJPEG keeps them in the
 * cache (codec.h, BMX__ROWS_SLACK): a 640x480 image then takes 2 MiB instead of
 * 0.9, and its buffer costs a twentieth of the time to map in. */
static uint64_t entry_pixels(const struct run *r, size_t at)
{
    const struct bmx_image_info *info = &r->ds->images[r->inputs[r->pairing.order[at]]];
    return (uint64_t)info->width * (uint64_t)info->height * 3;
}
static uint64_t entry_need(const struct run *r, size_t at)
{
    const uint64_t pixels = entry_pixels(r, at);
    /* The pixels alone decide: the slack does not move an image onto huge pages. */
    const size_t whole = pixels >= BMX__HUGE_MIN && pixels <= SIZE_MAX - BMX__ROWS_SLACK
                             ? bmx__huge_size((size_t)pixels + BMX__ROWS_SLACK, r->cache.huge)
                             : 0;
    return whole > 0 ? whole : pixels;
}

static double mib(uint64_t bytes)
{
    return (double)bytes / (1024.0 * 1024.0);
}

/* The budget: the caller's, raised to one block's largest images, as many as an
 * output may hold at once (two; four with Mosaic), said once through opts->notice. */
static void set_limit(struct run *r, bool decodes)
{
    struct pixel_cache *c = &r->cache;
    const struct bmx__pairing *p = &r->pairing;
    const size_t m = r->max_inputs < 2 ? 2 : r->max_inputs;
    uint64_t floor = 0, largest = 0;
    size_t largest_at = 0;
    bool rounded = false; /* some entry takes whole huge pages */
    for (size_t b = 0; b < p->n_blocks; b++) {
        uint64_t top[BMX__JOB_MAX_INPUTS] = {0};
        size_t end = bmx__pairing_block_start(p, b + 1);
        for (size_t at = bmx__pairing_block_start(p, b); at < end; at++) {
            uint64_t need = c->entries[at].need;
            /* Kept in descending order: the block's m largest. */
            for (size_t q = 0; q < m; q++) {
                if (need > top[q]) {
                    memmove(top + q + 1, top + q, (m - 1 - q) * sizeof *top);
                    top[q] = need;
                    break;
                }
            }
            /* Named by its pixels: the largest image, not the first of those that
             * take as many huge pages. */
            uint64_t pixels = entry_pixels(r, at);
            rounded = rounded || need != pixels;
            if (pixels > largest) {
                largest = pixels;
                largest_at = at;
            }
        }
        uint64_t sum = 0;
        for (size_t q = 0; q < m; q++) {
            sum += top[q];
        }
        if (sum > floor) {
            floor = sum;
        }
    }
    uint64_t asked = r->opts->memory_limit;
    c->limit = asked;
    if (!decodes || asked >= floor) {
        return;
    }
    c->limit = floor;
    if (r->opts->notice == NULL) {
        return;
    }
    /* Formatted as an error record is: control characters escaped, long names
     * shortened in the middle. */
    bmx_error msg = {0};
    const uint64_t largest_need = c->entries[largest_at].need;
    /* With huge pages, what an image holds is whole pages (entry_need). */
    char held[96] = "";
    if (largest_need != largest) {
        snprintf(held, sizeof held, " (%" PRIu64 " in memory, on whole huge pages)", largest_need);
    }
    if (largest_need > asked) {
        const struct bmx_image_info *info = &r->ds->images[r->inputs[p->order[largest_at]]];
        bmx__fail(&msg, BMX_OK,
                  "memory limit: %s (%dx%d) alone takes %" PRIu64
                  " bytes decoded%s, more than the limit of %" PRIu64
                  " bytes: it is still processed, and the limit rises to %" PRIu64
                  " bytes (%.1f MiB), what the %s of one block take together",
                  info->file_name, (int)info->width, (int)info->height, largest, held, asked,
                  floor, mib(floor), m > 2 ? "four largest inputs" : "largest base and source");
    } else {
        bmx__fail(&msg, BMX_OK,
                  "memory limit: %" PRIu64 " bytes is below the %s largest images of one block "
                  "(%" PRIu64 " bytes %s, %.1f MiB; an output holds %s at once): raised "
                  "to that",
                  asked, m > 2 ? "four" : "two", floor,
                  rounded ? "in memory, on whole huge pages" : "decoded", mib(floor),
                  m > 2 ? "all its inputs" : "its base and source");
    }
    r->opts->notice(msg.message, r->opts->notice_user);
}

/* The entries queue position t uses, each once, base first: how many. */
static size_t distinct_inputs(const struct pixel_cache *c, size_t t, size_t *want)
{
    const size_t *at = c->at + t * BMX__JOB_MAX_INPUTS;
    size_t n = 0;
    for (size_t q = 0; q < BMX__JOB_MAX_INPUTS && at[q] != NONE; q++) {
        bool again = false;
        for (size_t i = 0; i < n; i++) {
            again = again || want[i] == at[q];
        }
        if (!again) {
            want[n++] = at[q];
        }
    }
    return n;
}

bmx_status bmx__job_cache_init(struct run *r, bmx_error *err)
{
    struct pixel_cache *c = &r->cache;
    const struct bmx__pairing *p = &r->pairing;
    size_t n = p->n, nt = r->n_todo > 0 ? r->n_todo : 1;
    c->n = n;
    c->entries = calloc(n, sizeof *c->entries);
    c->resident = bmx__alloc_array(n, sizeof *c->resident);
    c->spares = bmx__alloc_array(MAX_SPARES, sizeof *c->spares);
    c->use_start = calloc(n + 1, sizeof *c->use_start);
    c->at = bmx__alloc_array(nt, BMX__JOB_MAX_INPUTS * sizeof *c->at);
    c->taken = calloc(nt, sizeof *c->taken);
    if (c->entries == NULL || c->resident == NULL || c->spares == NULL || c->use_start == NULL ||
        c->at == NULL || c->taken == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu inputs", n);
    }
    c->huge = r->opts->dry_run ? 0 : bmx__huge_page_size();
    for (size_t e = 0; e < n; e++) {
        pthread_mutex_init(&c->entries[e].lock, NULL);
        c->entries[e].need = entry_need(r, e);
    }
    pthread_cond_init(&c->room, NULL);
    c->ready = true;

    /* Each output's inputs, drawn as job_output.c draws them (bmx__job_inputs), each
     * entry once per output, and so each input's uses in queue order. */
    bool decodes = false;
    for (size_t t = 0; t < r->n_todo; t++) {
        uint64_t j = r->todo[t];
        size_t *at = c->at + t * BMX__JOB_MAX_INPUTS;
        for (size_t q = 0; q < BMX__JOB_MAX_INPUTS; q++) {
            at[q] = NONE;
        }
        if (r->opts->dry_run || r->done[j]) {
            continue;
        }
        size_t u[BMX__JOB_MAX_INPUTS];
        size_t n_u = bmx__job_inputs(r, bmx__job_local_to_k(r, j), u);
        for (size_t q = 0; q < n_u; q++) {
            at[q] = p->pos[u[q]];
            bool again = false;
            for (size_t i = 0; i < q; i++) {
                again = again || at[i] == at[q];
            }
            if (!again) {
                c->use_start[at[q] + 1]++;
            }
        }
        decodes = true;
    }
    for (size_t e = 0; e < n; e++) {
        c->use_start[e + 1] += c->use_start[e];
        c->entries[e].next_use = c->use_start[e];
    }
    c->uses = bmx__alloc_array(c->use_start[n] > 0 ? c->use_start[n] : 1, sizeof *c->uses);
    if (c->uses == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu inputs", n);
    }
    for (size_t t = 0; t < r->n_todo; t++) {
        size_t want[BMX__JOB_MAX_INPUTS];
        size_t n_want = distinct_inputs(c, t, want);
        for (size_t q = 0; q < n_want; q++) {
            c->uses[c->entries[want[q]].next_use++] = t;
        }
    }
    for (size_t e = 0; e < n; e++) {
        c->entries[e].next_use = c->use_start[e];
        c->entries[e].uses_left = c->use_start[e + 1] - c->use_start[e];
    }
    set_limit(r, decodes);
    return BMX_OK;
}

void bmx__job_cache_free(struct run *r)
{
    struct pixel_cache *c = &r->cache;
    for (size_t e = 0; c->entries != NULL && e < c->n; e++) {
        free(c->entries[e].pix);
        if (c->ready) {
            pthread_mutex_destroy(&c->entries[e].lock);
        }
    }
    for (size_t q = 0; c->spares != NULL && q < c->n_spares; q++) {
        free(c->spares[q].pix);
    }
    if (c->ready) {
        pthread_cond_destroy(&c->room);
    }
    free(c->entries);
    free(c->resident);
    free(c->spares);
    free(c->use_start);
    free(c->uses);
    free(c->at);
    free(c->taken);
    memset(c, 0, sizeof *c);
}

/* The queue position of entry e's next use not taken yet (NONE: no more). */
static size_t next_use(const struct pixel_cache *c, size_t e)
{
    size_t u = c->entries[e].next_use;
    return u < c->use_start[e + 1] ? c->uses[u] : NONE;
}

static void make_resident(struct pixel_cache *c, size_t e, uint64_t held)
{
    struct cache_entry *en = &c->entries[e];
    en->resident = true;
    en->held = held;
    en->slot = c->n_resident;
    c->resident[c->n_resident++] = e;
}

/* Entry e lets its pixels go: its buffer becomes a spare (kept counted) when
 * `keep` and there is a place for it, else it is freed. */
static void let_go(struct pixel_cache *c, size_t e, bool keep)
{
    struct cache_entry *en = &c->entries[e];
    size_t last = c->resident[--c->n_resident];
    c->resident[en->slot] = last;
    c->entries[last].slot = en->slot;
    c->held -= en->held;
    if (en->pix != NULL) {
        if (keep && c->n_spares < MAX_SPARES) {
            c->spares[c->n_spares++] = (struct spare){en->pix, en->cap};
            c->held += en->cap;
        } else {
            free(en->pix);
        }
    }
    en->pix = NULL;
    en->cap = 0;
    en->held = 0;
    en->resident = false;
    en->done = false;
    en->status = BMX_OK;
    memset(&en->image, 0, sizeof en->image);
}

/* The smallest spare of at least `need` bytes, taken out of the spares. */
static bool take_spare(struct pixel_cache *c, uint64_t need, struct spare *out)
{
    size_t best = NONE;
    for (size_t q = 0; q < c->n_spares; q++) {
        if (c->spares[q].cap >= need && (best == NONE || c->spares[q].cap < c->spares[best].cap)) {
            best = q;
            if (c->spares[q].cap == need) {
                break;
            }
        }
    }
    if (best == NONE) {
        return false;
    }
    *out = c->spares[best];
    c->spares[best] = c->spares[--c->n_spares];
    return true;
}

static void free_largest_spare(struct pixel_cache *c)
{
    size_t big = 0;
    for (size_t q = 1; q < c->n_spares; q++) {
        if (c->spares[q].cap > c->spares[big].cap) {
            big = q;
        }
    }
    c->held -= c->spares[big].cap;
    free(c->spares[big].pix);
    c->spares[big] = c->spares[--c->n_spares];
}

/* The resident entry to let go first: not pinned, not one of `keep`, used
 * again farthest away in the queue. */
static size_t pick_victim(const struct pixel_cache *c, const size_t *keep, size_t n_keep)
{
    size_t best = NONE, best_next = 0;
    for (size_t q = 0; q < c->n_resident; q++) {
        size_t e = c->resident[q];
        bool kept = c->entries[e].pins > 0;
        for (size_t i = 0; i < n_keep; i++) {
            kept = kept || keep[i] == e;
        }
        if (kept) {
            continue;
        }
        size_t nu = next_use(c, e);
        if (best == NONE || nu > best_next) {
            best = e;
            best_next = nu;
        }
    }
    return best;
}

/* Room for entry e (not resident): a spare that fits (when `reuse`), else its
 * bytes, freeing spares and letting entries other than `keep` go. */
static bool reserve(struct pixel_cache *c, size_t e, const size_t *keep, size_t n_keep, bool reuse)
{
    struct cache_entry *en = &c->entries[e];
    struct spare sp;
    if (reuse && take_spare(c, en->need, &sp)) {
        en->pix = sp.pix;
        en->cap = sp.cap;
        make_resident(c, e, sp.cap); /* counted already, as a spare */
        return true;
    }
    while (c->held + en->need > c->limit) {
        if (c->n_spares > 0) {
            /* None of them fits this entry (or reuse is off). */
            free_largest_spare(c);
            continue;
        }
        size_t v = pick_victim(c, keep, n_keep);
        if (v == NONE) {
            return false;
        }
        let_go(c, v, reuse);
        if (reuse && take_spare(c, en->need, &sp)) {
            en->pix = sp.pix;
            en->cap = sp.cap;
            make_resident(c, e, sp.cap);
            return true;
        }
    }
    make_resident(c, e, en->need);
    c->held += en->need;
    return true;
}

/* Room for every entry of `want` that is not resident, or none (what was
 * reserved is given back). */
static bool reserve_all(struct pixel_cache *c, const size_t *want, size_t n_want, bool reuse)
{
    size_t got[BMX__JOB_MAX_INPUTS];
    size_t n_got = 0;
    for (size_t i = 0; i < n_want; i++) {
        if (c->entries[want[i]].resident) {
            continue;
        }
        if (!reserve(c, want[i], want, n_want, reuse)) {
            for (size_t q = 0; q < n_got; q++) {
                let_go(c, got[q], true);
            }
            return false;
        }
        got[n_got++] = want[i];
    }
    return true;
}

/* Room for `want` when nothing else holds pixels: every other entry and every
 * spare let go, buffers sized exactly. The budget is at least one block's two
 * largest images (bmx__job_cache_init), so they fit. */
static void reserve_alone(struct pixel_cache *c, const size_t *want, size_t n_want)
{
    while (c->n_spares > 0) {
        free_largest_spare(c);
    }
    size_t v;
    while ((v = pick_victim(c, want, n_want)) != NONE) {
        let_go(c, v, false);
    }
    if (reserve_all(c, want, n_want, false)) {
        return;
    }
    /* What they hold is larger than they need (a spare reused): decode afresh. */
    for (size_t i = 0; i < n_want; i++) {
        if (c->entries[want[i]].resident) {
            let_go(c, want[i], false);
        }
    }
    for (size_t i = 0; i < n_want; i++) {
        make_resident(c, want[i], c->entries[want[i]].need);
        c->held += c->entries[want[i]].need;
    }
}

/* Whether a worker waits for room for an earlier output: then a later one waits
 * behind it. */
static bool earlier_waits(const struct run *r, size_t t)
{
    if (r->cache.waiting == 0) {
        return false;
    }
    for (unsigned q = 0; q < r->n_workers; q++) {
        if (r->workers[q].waiting_at < t) {
            return true;
        }
    }
    return false;
}

bool bmx__job_cache_acquire(struct worker_ctx *w, size_t t)
{
    struct run *r = w->run;
    struct pixel_cache *c = &r->cache;
    w->owns_base = false;
    size_t want[BMX__JOB_MAX_INPUTS];
    size_t n_want = distinct_inputs(c, t, want);
    if (n_want == 0) {
        return !r->failed; /* an output made without pixels */
    }
    const size_t eb = want[0];
    /* The larger first: a spare it leaves may fit a smaller one (a stable sort). */
    for (size_t q = 1; q < n_want; q++) {
        for (size_t i = q; i > 0 && c->entries[want[i]].need > c->entries[want[i - 1]].need; i--) {
            size_t x = want[i];
            want[i] = want[i - 1];
            want[i - 1] = x;
        }
    }
    for (;;) {
        if (r->failed) {
            /* Each waiter that stops wakes the others: one may have gone to sleep
             * behind it (earlier_waits) after the last output let its room go. */
            if (c->waiting > 0) {
                pthread_cond_broadcast(&c->room);
            }
            return false;
        }
        if (!earlier_waits(r, t)) {
            if (reserve_all(c, want, n_want, true)) {
                break;
            }
            if (c->in_use == 0) {
                reserve_alone(c, want, n_want);
                break;
            }
        }
        w->waiting_at = t;
        c->waiting++;
        pthread_cond_wait(&c->room, &r->lock);
        c->waiting--;
        w->waiting_at = NONE;
    }
    /* Workers take positions out of queue order (each from its own part): an
     * entry's next use is its first not taken. */
    c->taken[t] = true;
    for (size_t i = 0; i < n_want; i++) {
        struct cache_entry *en = &c->entries[want[i]];
        en->pins++;
        while (en->next_use < c->use_start[want[i] + 1] && c->taken[c->uses[en->next_use]]) {
            en->next_use++;
        }
    }
    /* This is the base's only output not finished (none is still to be taken,
     * none is in progress): it may compose its pixels in the base's own buffer,
     * without a copy. Not when the base is also one of its other inputs (a source
     * drawn from a block of one): then it is read as well. A one-input output
     * (CutOut) has no other input. */
    const struct cache_entry *be = &c->entries[eb];
    const bool alone = c->at[t * BMX__JOB_MAX_INPUTS + 1] == NONE;
    w->owns_base = (n_want > 1 || alone) && be->pins == 1 && be->uses_left == 1;
    c->in_use++;
    if (c->waiting > 0) {
        /* The next waiting output may fit too. */
        pthread_cond_broadcast(&c->room);
    }
    return true;
}

void bmx__job_cache_release(struct run *r, size_t t)
{
    struct pixel_cache *c = &r->cache;
    size_t used[BMX__JOB_MAX_INPUTS];
    size_t n_used = distinct_inputs(c, t, used);
    if (n_used == 0) {
        return;
    }
    for (size_t i = 0; i < n_used; i++) {
        struct cache_entry *en = &c->entries[used[i]];
        en->pins--;
        en->uses_left--;
        if (en->uses_left == 0 && en->resident) {
            /* Its last output is made: its buffer serves another input. */
            let_go(c, used[i], true);
        }
    }
    c->in_use--;
    if (c->waiting > 0) {
        pthread_cond_broadcast(&c->room);
    }
}

/* Decode dataset image i into the entry's buffer (a new one when it has none). */
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
    const size_t huge = r->cache.huge;
    if (st == BMX_OK && e->pix == NULL && huge > 0 && e->need % huge == 0 &&
        e->need <= SIZE_MAX) {
        /* Whole huge pages (entry_need); ordinary memory when they cannot be had. */
        e->pix = bmx__alloc_huge((size_t)e->need, huge);
        e->cap = e->pix != NULL ? (size_t)e->need : 0;
    }
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

bmx_status bmx__job_cached_image(struct worker_ctx *w, size_t u, const struct bmx_image **out,
                                 bmx_error *err)
{
    struct run *r = w->run;
    struct cache_entry *e = &r->cache.entries[r->pairing.pos[u]];
    /* Pinned by this output: no other thread lets it go meanwhile. */
    pthread_mutex_lock(&e->lock);
    if (!e->done) {
        e->status = load_image(w, r->inputs[u], e, &e->err);
        e->done = true;
        pthread_mutex_lock(&r->lock);
        /* A decoder may have replaced the buffer by its own (stb): count that one. */
        r->cache.held = r->cache.held - e->held + e->cap;
        e->held = e->cap;
        pthread_mutex_unlock(&r->lock);
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
