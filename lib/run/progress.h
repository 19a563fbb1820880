/* SPDX-License-Identifier: MIT */
/* Internal: counting a job's progress for the callback of its options
 * (struct bmx_progress in boxmix.h). The library only counts; the tools format. */
#ifndef BMX_RUN_PROGRESS_H
#define BMX_RUN_PROGRESS_H

#include <boxmix.h>

#include <stdint.h>

/* One job's progress: the caller's callback and the stage being counted. A job
 * calls these from one thread at a time (under its own lock when it has workers). */
struct bmx__progress {
    void (*fn)(const struct bmx_progress *progress, void *ctx);
    void *ctx;
    struct bmx_progress p;
    bool started; /* a stage was begun: the next begins at stage_index + 1 */
};

/* Set up from the options' callback and context (fn may be NULL: nothing is
 * reported). */
void bmx__progress_init(struct bmx__progress *pg,
                        void (*fn)(const struct bmx_progress *progress, void *ctx), void *ctx);

/* Begin a stage of `total` units: reports done 0. */
void bmx__progress_stage(struct bmx__progress *pg, const char *stage, enum bmx_progress_unit unit,
                         uint64_t total);

/* One more unit done: reports it. Never past the stage's total. */
void bmx__progress_step(struct bmx__progress *pg);

#endif
