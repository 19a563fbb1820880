/* SPDX-License-Identifier: MIT */
/* Unit tests of the jobs' progress callback (struct bmx_progress): every job
 * reports its stages in order, each counting from 0 up to its total by one, the
 * last call of each with done == total; calls never overlap, even with worker
 * threads; the outputs are the same bytes with and without a callback; a cancel
 * flag set from the callback stops the run; an older caller's struct without the
 * callback fields still runs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <boxmix.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SAMPLES BMX_SOURCE_ROOT "/samples/"

/* What the callback saw. Failures are counted, not asserted: the callback may run
 * on a worker thread, where cmocka cannot stop the test. */
struct seen {
    atomic_int inside;  /* calls in progress right now */
    int overlaps;       /* calls that began while another was in progress */
    int faults;         /* calls that broke the order */
    size_t calls;
    unsigned stages;    /* stages begun */
    uint64_t done, total;
    enum bmx_progress_unit units[4];
    char names[4][32];
    uint64_t totals[4];
    bool slow;                 /* sleep in each call, so overlapping calls would show */
    volatile int *cancel;      /* set once `cancel_after` units of stage `cancel_stage` are done */
    unsigned cancel_stage;
    uint64_t cancel_after;
};

static void on_progress(const struct bmx_progress *p, void *ctx)
{
    struct seen *s = ctx;
    if (atomic_fetch_add(&s->inside, 1) != 0) {
        s->overlaps++;
    }
    if (s->slow) {
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    bool first = s->calls == 0 || p->stage_index != s->stages - 1;
    if (first) {
        /* A new stage: the next index, from 0, after the last one was finished. */
        if (p->stage_index != s->stages || p->done != 0 || (s->calls > 0 && s->done != s->total) ||
            s->stages >= 4 || p->stage == NULL) {
            s->faults++;
        } else {
            s->units[s->stages] = p->unit;
            s->totals[s->stages] = p->total;
            snprintf(s->names[s->stages], sizeof s->names[0], "%s", p->stage);
            s->stages++;
        }
    } else if (p->done != s->done + 1 || p->total != s->total || p->unit != s->units[s->stages - 1]) {
        s->faults++;
    }
    if (p->done > p->total) {
        s->faults++;
    }
    s->done = p->done;
    s->total = p->total;
    s->calls++;
    if (s->cancel != NULL && p->stage_index == s->cancel_stage && p->done >= s->cancel_after) {
        *s->cancel = 1;
    }
    atomic_fetch_sub(&s->inside, 1);
}

/* The run went through `stages` stages, and the last one was finished. */
static void assert_whole(const struct seen *s, unsigned stages)
{
    assert_int_equal(s->overlaps, 0);
    assert_int_equal(s->faults, 0);
    assert_int_equal(s->stages, stages);
    assert_true(s->total > 0);
    assert_int_equal(s->done, s->total);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static void remove_tree(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static struct bmx_job_options augment_options(const char *out)
{
    struct bmx_job_options o;
    bmx_job_options_init(&o);
    o.input.annotations = SAMPLES "coco/annotations.json";
    o.input.images = SAMPLES "images";
    o.out = out;
    o.per_image = 4;
    o.threads = 2;
    o.seed = 3;
    return o;
}

/* Augment with two threads: the pre-check of the 8 inputs, then the 32 outputs;
 * never two calls at once; the same bytes as a run without a callback. */
static void augment_two_threads(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/bmx-progress-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char with[300], without[300];
    snprintf(with, sizeof with, "%s/with", tmpl);
    snprintf(without, sizeof without, "%s/without", tmpl);
    struct seen s = {.slow = true};
    struct bmx_job_options o = augment_options(with);
    o.progress = on_progress;
    o.progress_ctx = &s;
    bmx_error err = {0};
    assert_int_equal(bmx_job_run(&o, NULL, &err), BMX_OK);
    assert_whole(&s, 2);
    assert_string_equal(s.names[0], "checking inputs");
    assert_int_equal(s.units[0], BMX_PROGRESS_IMAGES);
    assert_int_equal(s.totals[0], 8);
    assert_string_equal(s.names[1], "making outputs");
    assert_int_equal(s.units[1], BMX_PROGRESS_OUTPUTS);
    assert_int_equal(s.totals[1], 32);
    assert_int_equal(s.calls, 2 + 8 + 32);

    o = augment_options(without);
    assert_int_equal(bmx_job_run(&o, NULL, &err), BMX_OK);
    const char *files[] = {"annotations.json", ".boxmix-journal", "images/cutmix_000000.jpg",
                           "images/cutmix_000031.jpg"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char a[400], b[400];
        snprintf(a, sizeof a, "%s/%s", with, files[i]);
        snprintf(b, sizeof b, "%s/%s", without, files[i]);
        size_t la, lb;
        char *da = slurp(a, &la), *db = slurp(b, &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(da, db, la);
        free(da);
        free(db);
    }
    remove_tree(tmpl);
}

/* With the originals: the pre-check, copying the originals, the outputs. */
static void augment_with_originals(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/bmx-progress-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char out[300];
    snprintf(out, sizeof out, "%s/orig", tmpl);
    struct seen s = {0};
    struct bmx_job_options o = augment_options(out);
    o.include_originals = true;
    o.shard_index = 0;
    o.shard_count = 2; /* originals 0, 2, 4, 6 and outputs 0, 2, ..., 30 */
    o.progress = on_progress;
    o.progress_ctx = &s;
    bmx_error err = {0};
    assert_int_equal(bmx_job_run(&o, NULL, &err), BMX_OK);
    assert_whole(&s, 3);
    assert_string_equal(s.names[1], "copying originals");
    assert_int_equal(s.units[1], BMX_PROGRESS_IMAGES);
    assert_int_equal(s.totals[1], 4);
    assert_int_equal(s.totals[2], 16);
    remove_tree(tmpl);
}

/* A dry run has no pre-check: one stage. A shard counts its own outputs. */
static void augment_dry_run_and_shard(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/bmx-progress-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char out[300];
    snprintf(out, sizeof out, "%s/dry", tmpl);
    struct seen s = {0};
    struct bmx_job_options o = augment_options(out);
    o.dry_run = true;
    o.shard_index = 1;
    o.shard_count = 3; /* outputs 1, 4, ..., 31 of 32 */
    o.progress = on_progress;
    o.progress_ctx = &s;
    bmx_error err = {0};
    assert_int_equal(bmx_job_run(&o, NULL, &err), BMX_OK);
    assert_whole(&s, 1);
    assert_int_equal(s.units[0], BMX_PROGRESS_OUTPUTS);
    assert_int_equal(s.totals[0], 11);
    remove_tree(tmpl);
}

/* The cancel flag still stops the run when the callback itself sets it. */
static void augment_cancel_from_callback(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/bmx-progress-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char out[300];
    snprintf(out, sizeof out, "%s/cancel", tmpl);
    volatile int cancel = 0;
    struct seen s = {.cancel = &cancel, .cancel_stage = 1, .cancel_after = 3};
    struct bmx_job_options o = augment_options(out);
    o.threads = 1;
    o.cancel = &cancel;
    o.progress = on_progress;
    o.progress_ctx = &s;
    bmx_error err = {0};
    assert_int_equal(bmx_job_run(&o, NULL, &err), BMX_E_INTERRUPTED);
    assert_int_equal(s.faults, 0);
    assert_int_equal(s.stages, 2);
    assert_int_equal(s.done, 3); /* stopped after the output in progress */
    assert_true(s.done < s.total);
    remove_tree(tmpl);
}

/* A caller built against a boxmix.h without the progress fields (its struct ends
 * before them) still runs, with no callback. */
static void older_struct_without_progress(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/bmx-progress-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char out[300];
    snprintf(out, sizeof out, "%s/old", tmpl);
    struct bmx_draw_job full;
    bmx_draw_job_init(&full);
    full.input.annotations = SAMPLES "coco/annotations.json";
    full.input.images = SAMPLES "images";
    full.out = out;
    size_t size = offsetof(struct bmx_draw_job, progress);
    unsigned char *old = malloc(size); /* exactly that many bytes */
    assert_non_null(old);
    memcpy(old, &full, size);
    memcpy(old, &size, sizeof size);
    struct bmx_draw_summary sum;
    bmx_error err = {0};
    assert_int_equal(bmx_draw_run((const struct bmx_draw_job *)(void *)old, &sum, &err), BMX_OK);
    assert_int_equal(sum.images, 8);
    free(old);
    remove_tree(tmpl);
}

static void draw_and_convert(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/bmx-progress-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char out[300];
    bmx_error err = {0};

    snprintf(out, sizeof out, "%s/drawn", tmpl);
    struct seen s = {0};
    struct bmx_draw_job dj;
    bmx_draw_job_init(&dj);
    dj.input.annotations = SAMPLES "coco/annotations.json";
    dj.input.images = SAMPLES "images";
    dj.out = out;
    dj.limit = 5;
    dj.progress = on_progress;
    dj.progress_ctx = &s;
    assert_int_equal(bmx_draw_run(&dj, NULL, &err), BMX_OK);
    assert_whole(&s, 1);
    assert_string_equal(s.names[0], "drawing");
    assert_int_equal(s.units[0], BMX_PROGRESS_IMAGES);
    assert_int_equal(s.totals[0], 5);

    snprintf(out, sizeof out, "%s/voc", tmpl);
    s = (struct seen){0};
    struct bmx_convert_job cj;
    bmx_convert_job_init(&cj);
    cj.input.annotations = SAMPLES "coco/annotations.json";
    cj.input.images = SAMPLES "images";
    cj.out = out;
    cj.progress = on_progress;
    cj.progress_ctx = &s;
    assert_int_equal(bmx_convert_run(&cj, NULL, &err), BMX_OK);
    assert_whole(&s, 1);
    assert_string_equal(s.names[0], "copying images");
    assert_int_equal(s.units[0], BMX_PROGRESS_FILES);
    assert_int_equal(s.totals[0], 8);
    remove_tree(tmpl);
}

static void check_coco_and_voc(void **state)
{
    (void)state;
    bmx_error err = {0};
    struct seen s = {0};
    struct bmx_check_options co;
    bmx_check_options_init(&co);
    co.input.annotations = SAMPLES "coco/annotations.json";
    co.input.images = SAMPLES "images";
    co.progress = on_progress;
    co.progress_ctx = &s;
    assert_int_equal(bmx_check_run(&co, NULL, NULL, NULL, &err), BMX_OK);
    assert_whole(&s, 1);
    assert_int_equal(s.units[0], BMX_PROGRESS_RECORDS);
    assert_int_equal(s.totals[0], 8 + 41 + 4); /* images, annotations, categories */

    s = (struct seen){0};
    bmx_check_options_init(&co);
    co.input.format = BMX_DATASET_VOC;
    co.input.annotations = SAMPLES "voc";
    co.input.images = SAMPLES "images";
    co.progress = on_progress;
    co.progress_ctx = &s;
    assert_int_equal(bmx_check_run(&co, NULL, NULL, NULL, &err), BMX_OK);
    assert_whole(&s, 1);
    assert_int_equal(s.units[0], BMX_PROGRESS_FILES);
    assert_int_equal(s.totals[0], 8);
}

static void merge_shards(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/bmx-progress-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char shard[2][300], out[300];
    bmx_error err = {0};
    for (int i = 0; i < 2; i++) {
        snprintf(shard[i], sizeof shard[i], "%s/shard-%d", tmpl, i);
        struct bmx_job_options o = augment_options(shard[i]);
        o.per_image = 1;
        o.shard_index = (uint64_t)i;
        o.shard_count = 2;
        assert_int_equal(bmx_job_run(&o, NULL, &err), BMX_OK);
    }
    snprintf(out, sizeof out, "%s/merged", tmpl);
    const char *shards[2] = {shard[0], shard[1]};
    struct seen s = {0};
    struct bmx_merge_options mo;
    bmx_merge_options_init(&mo);
    mo.out = out;
    mo.shards = shards;
    mo.n_shards = 2;
    mo.progress = on_progress;
    mo.progress_ctx = &s;
    assert_int_equal(bmx_merge_run(&mo, NULL, &err), BMX_OK);
    assert_whole(&s, 1);
    assert_string_equal(s.names[0], "joining shards");
    assert_int_equal(s.units[0], BMX_PROGRESS_FILES);
    assert_int_equal(s.totals[0], 8);
    remove_tree(tmpl);
}

static void unit_names(void **state)
{
    (void)state;
    assert_string_equal(bmx_progress_unit_name(BMX_PROGRESS_OUTPUTS), "outputs");
    assert_string_equal(bmx_progress_unit_name(BMX_PROGRESS_IMAGES), "images");
    assert_string_equal(bmx_progress_unit_name(BMX_PROGRESS_FILES), "files");
    assert_string_equal(bmx_progress_unit_name(BMX_PROGRESS_RECORDS), "records");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(augment_two_threads),
        cmocka_unit_test(augment_with_originals),
        cmocka_unit_test(augment_dry_run_and_shard),
        cmocka_unit_test(augment_cancel_from_callback),
        cmocka_unit_test(older_struct_without_progress),
        cmocka_unit_test(draw_and_convert),
        cmocka_unit_test(check_coco_and_voc),
        cmocka_unit_test(merge_shards),
        cmocka_unit_test(unit_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
