/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the run-journal parser (bmx__journal_parse, lib/journal.c), then
 * bmx__journal_finish_lists and bmx__journal_tool on what parses.
 *
 * Input: the text of an OUT/.boxmix-journal (format at the top of lib/journal.h).
 * It is copied into a NUL-terminated buffer, so a NUL byte ends the text there.
 *
 * Properties: a refused journal comes with BMX_E_PARSE and a message; one that
 * parses has every list within its capacity, `done` whenever `done` had a size
 * and hash, and a dataset of index 0. Text after the last newline (a line cut
 * short by a kill) changes nothing: the text up to that newline parses the same.
 * bmx__journal_finish_lists leaves the original and output lists sorted by
 * index with each index once, holding the last line of that index. The tool name
 * fits its buffer and is never empty when there is room for one character.
 *
 * No write/read round trip: the journal's formatting (put_head, put_file) is
 * static and reached only through bmx__journal_begin/_finish, which write files.
 */
#include "fuzz.h"

#include "journal.h"

#include <stdbool.h>

/* One line of a list as parsed, and where it was in the list. */
struct seen {
    uint64_t index, size, hash;
    size_t pos;
};

static int cmp_seen(const void *pa, const void *pb)
{
    const struct seen *a = pa, *b = pb;
    if (a->index != b->index) {
        return a->index < b->index ? -1 : 1;
    }
    return a->pos < b->pos ? -1 : a->pos > b->pos ? 1 : 0;
}

static void check_list(const struct bmx__jlist *l)
{
    FZ_CHECK(l->n <= l->cap);
    FZ_CHECK(l->cap == 0 || l->v != NULL);
}

static bool same_file(const struct bmx__jfile *a, const struct bmx__jfile *b)
{
    return a->index == b->index && a->size == b->size && a->hash == b->hash &&
           a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns && a->missing == b->missing;
}

static bool same_list(const struct bmx__jlist *a, const struct bmx__jlist *b)
{
    if (a->n != b->n) {
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (!same_file(&a->v[i], &b->v[i])) {
            return false;
        }
    }
    return true;
}

static bool same_journal(const struct bmx__journal *a, const struct bmx__journal *b)
{
    if ((a->run == NULL) != (b->run == NULL) || (a->run != NULL && strcmp(a->run, b->run) != 0)) {
        return false;
    }
    return a->shard_index == b->shard_index && a->shard_count == b->shard_count &&
           a->has_dataset == b->has_dataset && same_file(&a->dataset, &b->dataset) &&
           same_list(&a->inputs, &b->inputs) && same_list(&a->originals, &b->originals) &&
           same_list(&a->outputs, &b->outputs) && a->done == b->done &&
           a->done_has_hash == b->done_has_hash && a->done_size == b->done_size &&
           a->done_hash == b->done_hash;
}

/* The list as parsed, sorted by (index, position): the last of each index is the
 * line bmx__journal_finish_lists must keep. NULL when empty or out of memory. */
static struct seen *snapshot(const struct bmx__jlist *l)
{
    if (l->n == 0) {
        return NULL;
    }
    struct seen *s = malloc(l->n * sizeof *s);
    if (s == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < l->n; i++) {
        s[i] = (struct seen){l->v[i].index, l->v[i].size, l->v[i].hash, i};
    }
    qsort(s, l->n, sizeof *s, cmp_seen);
    return s;
}

static void check_canonical(const struct bmx__jlist *l, const struct seen *before, size_t n_before)
{
    check_list(l);
    FZ_CHECK(l->n <= n_before);
    FZ_CHECK(n_before == 0 || l->n > 0);
    for (size_t i = 0; i < l->n; i++) {
        FZ_CHECK(i == 0 || l->v[i - 1].index < l->v[i].index);
        FZ_CHECK(l->v[i].mtime_s == 0);
    }
    if (before == NULL) {
        return;
    }
    /* Walk the groups of one index: each must be one entry of `l`, the last line. */
    size_t k = 0;
    for (size_t i = 0; i < n_before; i++) {
        if (i + 1 < n_before && before[i + 1].index == before[i].index) {
            continue;
        }
        FZ_CHECK(k < l->n);
        FZ_CHECK(l->v[k].index == before[i].index);
        FZ_CHECK(l->v[k].size == before[i].size);
        FZ_CHECK(l->v[k].hash == before[i].hash);
        k++;
    }
    FZ_CHECK(k == l->n);
}

static void check_parsed(struct bmx__journal *j, uint64_t h)
{
    check_list(&j->inputs);
    check_list(&j->originals);
    check_list(&j->outputs);
    FZ_CHECK(!j->done_has_hash || j->done);
    FZ_CHECK(!j->has_dataset || j->dataset.index == 0);

    char tool[64];
    size_t cap = 1 + (size_t)(h % sizeof tool);
    bmx__journal_tool(j, tool, cap);
    FZ_CHECK(memchr(tool, '\0', cap) != NULL);
    FZ_CHECK(cap == 1 || tool[0] != '\0');

    size_t n_orig = j->originals.n, n_out = j->outputs.n;
    struct seen *orig = snapshot(&j->originals);
    struct seen *out = snapshot(&j->outputs);
    bmx__journal_finish_lists(j);
    if ((n_orig == 0 || orig != NULL) && (n_out == 0 || out != NULL)) {
        check_canonical(&j->originals, orig, n_orig);
        check_canonical(&j->outputs, out, n_out);
    }
    free(orig);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text); /* the parser's view: up to a NUL byte */
    /* The text up to its last newline, to compare with when a line is cut short. */
    size_t whole = len;
    while (whole > 0 && text[whole - 1] != '\n') {
        whole--;
    }
    char *prefix = NULL;
    if (whole < len) {
        prefix = malloc(whole + 1);
        if (prefix == NULL) {
            free(text);
            return 0;
        }
        memcpy(prefix, text, whole);
        prefix[whole] = '\0';
    }

    struct bmx__journal j = {0};
    bmx_error err = {0};
    bmx_status st = bmx__journal_parse(text, "fuzz", &j, &err);
    if (st != BMX_OK) {
        FZ_CHECK(st == BMX_E_PARSE);
        FZ_CHECK(err.status == st && err.message[0] != '\0');
    }

    if (prefix != NULL) {
        struct bmx__journal pj = {0};
        bmx_error perr = {0};
        bmx_status pst = bmx__journal_parse(prefix, "fuzz", &pj, &perr);
        FZ_CHECK(pst == st);
        FZ_CHECK(st != BMX_OK || same_journal(&j, &pj));
        FZ_CHECK(st == BMX_OK || strcmp(err.message, perr.message) == 0);
        bmx__journal_free(&pj);
        free(prefix);
    }

    if (st == BMX_OK) {
        check_parsed(&j, fz_hash(data, size));
    }
    bmx__journal_free(&j);
    FZ_CHECK(j.run == NULL && j.inputs.v == NULL && j.originals.v == NULL && j.outputs.v == NULL);
    free(text);
    return 0;
}
