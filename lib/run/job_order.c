/* SPDX-License-Identifier: MIT */
/* The order in which the outputs of one block are made. The bytes written do not
 * depend on it (each output is a function of its index alone); the memory and the
 * time do: an input's pixels are held from its first use to its last, and the
 * fewer inputs are held at once, the fewer fresh pages are touched and the more
 * of them are still in the processor's cache when they are used again.
 *
 * Each output joins two inputs, its base and its source (one for CutOut, four for
 * Mosaic: each source is a parent of the output alike). Made in index order,
 * an input waits on average a third of the block between its uses. Made in the
 * order of a depth-first walk instead, where input v is finished after every
 * input that takes v as its source (v's "children": their outputs read v) and
 * then makes its own outputs, only the inputs on the walk's current path are held,
 * a handful for the random pairings of a block.
 *
 * Mosaic's three sources are drawn from the whole block, so its outputs join inputs
 * far apart in any walk (about 70 % of a block held at once). For outputs of more
 * than one source a greedy order is tried too, each next output the one that adds
 * the fewest inputs net of those it finishes; it is kept where it holds fewer
 * (about half the block).
 *
 * Outputs next to each other in that order share inputs, so workers taking them at
 * the same time would wait for each other's decodes, and could not compose in a
 * base another reads: with several workers the walk is cut into one part per
 * worker, each worker following a part of its own (job_workers.c). */

#include "job.h"

#include <stdlib.h>
#include <string.h>

/* One output of the block: its local index and the block positions of its inputs
 * (its sources: those other than the base, each once). */
struct edge {
    uint64_t j;
    size_t base;
    size_t source[BMX__JOB_MAX_INPUTS - 1];
    size_t n_sources;
};

/* Lists of edge numbers per input (compressed: start[v] .. start[v + 1]). */
struct lists {
    size_t *start, *item;
};

static bool lists_build(struct lists *l, size_t n_in, const struct edge *e, size_t n_e,
                        bool by_source)
{
    l->start = calloc(n_in + 1, sizeof *l->start);
    size_t n_items = n_e * (by_source ? BMX__JOB_MAX_INPUTS - 1 : 1);
    l->item = bmx__alloc_array(n_items > 0 ? n_items : 1, sizeof *l->item);
    if (l->start == NULL || l->item == NULL) {
        return false;
    }
    for (size_t q = 0; q < n_e; q++) {
        size_t n_v = by_source ? e[q].n_sources : 1;
        for (size_t i = 0; i < n_v; i++) {
            l->start[(by_source ? e[q].source[i] : e[q].base) + 1]++;
        }
    }
    for (size_t v = 0; v < n_in; v++) {
        l->start[v + 1] += l->start[v];
    }
    size_t *fill = calloc(n_in > 0 ? n_in : 1, sizeof *fill);
    if (fill == NULL) {
        return false;
    }
    for (size_t q = 0; q < n_e; q++) {
        size_t n_v = by_source ? e[q].n_sources : 1;
        for (size_t i = 0; i < n_v; i++) {
            size_t v = by_source ? e[q].source[i] : e[q].base;
            l->item[l->start[v] + fill[v]++] = q;
        }
    }
    free(fill);
    return true;
}

static void lists_free(struct lists *l)
{
    free(l->start);
    free(l->item);
}

/* The inputs of output o, each once, base first: how many. */
static size_t inputs_of(const struct edge *o, size_t *in)
{
    in[0] = o->base;
    for (size_t i = 0; i < o->n_sources; i++) {
        in[1 + i] = o->source[i];
    }
    return 1 + o->n_sources;
}

/* Each input's uses by the n outputs, into left[0..n_in). */
static void count_uses(const struct edge *e, size_t n, size_t *left, size_t n_in)
{
    memset(left, 0, n_in * sizeof *left);
    for (size_t q = 0; q < n; q++) {
        size_t in[BMX__JOB_MAX_INPUTS];
        size_t n_i = inputs_of(&e[q], in);
        for (size_t i = 0; i < n_i; i++) {
            left[in[i]]++;
        }
    }
}

/* The most inputs held at once when the outputs e[order[0..n)] are made in turn
 * (an input is held from its first use to its last); `left` and `live` are work
 * arrays of n_in. */
static size_t most_held(const struct edge *e, const size_t *order, size_t n, size_t *left,
                        bool *live, size_t n_in)
{
    count_uses(e, n, left, n_in);
    memset(live, 0, n_in * sizeof *live);
    size_t held = 0, most = 0;
    for (size_t t = 0; t < n; t++) {
        size_t in[BMX__JOB_MAX_INPUTS];
        size_t n_i = inputs_of(&e[order[t]], in);
        for (size_t i = 0; i < n_i; i++) {
            held += live[in[i]] ? 0 : 1;
            live[in[i]] = true;
        }
        most = held > most ? held : most;
        for (size_t i = 0; i < n_i; i++) {
            if (--left[in[i]] == 0) {
                live[in[i]] = false;
                held--;
            }
        }
    }
    return most;
}

/* A greedy order for outputs of several sources (Mosaic's three, drawn from the
 * whole block, join inputs far apart in any walk): each next output is the one
 * that adds the fewest inputs to those held, net of the ones it finishes; ties go
 * to the fewest added, then to the earlier. Into order[0..n). */
static void greedy_order(const struct edge *e, size_t n, size_t *order, size_t *left, bool *live,
                         bool *taken, size_t n_in)
{
    count_uses(e, n, left, n_in);
    memset(live, 0, n_in * sizeof *live);
    memset(taken, 0, n * sizeof *taken);
    for (size_t t = 0; t < n; t++) {
        size_t best = SIZE_MAX;
        long best_net = 0;
        size_t best_new = 0;
        for (size_t q = 0; q < n; q++) {
            if (taken[q]) {
                continue;
            }
            size_t in[BMX__JOB_MAX_INPUTS];
            size_t n_i = inputs_of(&e[q], in);
            size_t added = 0, ends = 0;
            for (size_t i = 0; i < n_i; i++) {
                added += live[in[i]] ? 0 : 1;
                ends += left[in[i]] == 1 ? 1 : 0;
            }
            long net = (long)added - (long)ends;
            if (best == SIZE_MAX || net < best_net || (net == best_net && added < best_new)) {
                best = q;
                best_net = net;
                best_new = added;
            }
        }
        taken[best] = true;
        order[t] = best;
        size_t in[BMX__JOB_MAX_INPUTS];
        size_t n_i = inputs_of(&e[best], in);
        for (size_t i = 0; i < n_i; i++) {
            live[in[i]] = --left[in[i]] > 0;
        }
    }
}

/* The greedy order is tried for blocks of at most this many outputs (it takes
 * time in the square of their number). */
#define GREEDY_MAX 1024

/* order[0..n) replaced by the greedy order when that holds fewer inputs at once
 * (left as it is when there is no memory to try). */
static void better_of_greedy(const struct edge *e, size_t n, size_t n_in, size_t *order)
{
    size_t *left = bmx__alloc_array(n_in > 0 ? n_in : 1, sizeof *left);
    bool *live = calloc(n_in > 0 ? n_in : 1, sizeof *live);
    bool *taken = calloc(n > 0 ? n : 1, sizeof *taken);
    size_t *greedy = bmx__alloc_array(n > 0 ? n : 1, sizeof *greedy);
    if (left != NULL && live != NULL && taken != NULL && greedy != NULL) {
        greedy_order(e, n, greedy, left, live, taken, n_in);
        if (most_held(e, greedy, n, left, live, n_in) < most_held(e, order, n, left, live, n_in)) {
            memcpy(order, greedy, n * sizeof *order);
        }
    }
    free(left);
    free(live);
    free(taken);
    free(greedy);
}

/* Reorder the n outputs todo[0..n) of the block whose inputs are the pairing
 * positions [lo, hi), given in index order. False: out of memory (todo is then
 * left as it was, which is a valid order too). */
bool bmx__job_order_block(const struct run *r, uint64_t *todo, size_t n, size_t lo, size_t hi)
{
    const struct bmx__pairing *p = &r->pairing;
    size_t n_in = hi - lo;
    struct edge *e = bmx__alloc_array(n > 0 ? n : 1, sizeof *e);
    struct lists own = {0}, kids = {0};
    bool *seen = calloc(n_in > 0 ? n_in : 1, sizeof *seen);
    size_t *stack = bmx__alloc_array(n_in > 0 ? n_in : 1, sizeof *stack);
    size_t *next_kid = calloc(n_in > 0 ? n_in : 1, sizeof *next_kid);
    size_t *out = bmx__alloc_array(n > 0 ? n : 1, sizeof *out);
    bool ok = e != NULL && seen != NULL && stack != NULL && next_kid != NULL && out != NULL;
    if (ok) {
        for (size_t q = 0; q < n; q++) {
            size_t u[BMX__JOB_MAX_INPUTS];
            size_t n_u = bmx__job_inputs(r, bmx__job_local_to_k(r, todo[q]), u);
            memset(&e[q], 0, sizeof e[q]);
            e[q].j = todo[q];
            e[q].base = p->pos[u[0]] - lo;
            for (size_t i = 1; i < n_u; i++) {
                size_t v = p->pos[u[i]] - lo;
                bool again = v == e[q].base;
                for (size_t x = 0; x < e[q].n_sources; x++) {
                    again = again || e[q].source[x] == v;
                }
                if (!again) {
                    e[q].source[e[q].n_sources++] = v;
                }
            }
        }
        ok = lists_build(&own, n_in, e, n, false) && lists_build(&kids, n_in, e, n, true);
    }
    if (ok) {
        size_t n_out = 0;
        /* Walks start at the bases in index order; each input is walked once. */
        for (size_t q = 0; q < n; q++) {
            if (seen[e[q].base]) {
                continue;
            }
            size_t depth = 0;
            seen[e[q].base] = true;
            stack[depth++] = e[q].base;
            next_kid[e[q].base] = kids.start[e[q].base];
            while (depth > 0) {
                size_t v = stack[depth - 1];
                if (next_kid[v] < kids.start[v + 1]) {
                    size_t c = e[kids.item[next_kid[v]++]].base;
                    if (!seen[c]) {
                        seen[c] = true;
                        next_kid[c] = kids.start[c];
                        stack[depth++] = c;
                    }
                    continue;
                }
                /* Every child of v is finished: v's own outputs, in index order. */
                for (size_t i = own.start[v]; i < own.start[v + 1]; i++) {
                    out[n_out++] = own.item[i];
                }
                depth--;
            }
        }
        /* Outputs of more than one source: the greedy order where it holds fewer. */
        if (r->max_inputs > 2 && n <= GREEDY_MAX) {
            better_of_greedy(e, n, n_in, out);
        }
        for (size_t t = 0; t < n; t++) {
            todo[t] = e[out[t]].j;
        }
    }
    lists_free(&own);
    lists_free(&kids);
    free(e);
    free(seen);
    free(stack);
    free(next_kid);
    free(out);
    return ok;
}
