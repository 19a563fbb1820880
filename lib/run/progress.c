/* SPDX-License-Identifier: MIT */
/* Counting a job's progress for its callback (progress.h). */
#include "progress.h"

#include <string.h>

const char *bmx_progress_unit_name(enum bmx_progress_unit unit)
{
    switch (unit) {
    case BMX_PROGRESS_OUTPUTS:
        return "outputs";
    case BMX_PROGRESS_IMAGES:
        return "images";
    case BMX_PROGRESS_FILES:
        return "files";
    case BMX_PROGRESS_RECORDS:
        return "records";
    }
    return "units";
}

void bmx__progress_init(struct bmx__progress *pg,
                        void (*fn)(const struct bmx_progress *progress, void *ctx), void *ctx)
{
    memset(pg, 0, sizeof *pg);
    pg->fn = fn;
    pg->ctx = ctx;
}

void bmx__progress_stage(struct bmx__progress *pg, const char *stage, enum bmx_progress_unit unit,
                         uint64_t total)
{
    if (pg->started) {
        pg->p.stage_index++;
    }
    pg->started = true;
    pg->p.done = 0;
    pg->p.total = total;
    pg->p.unit = unit;
    pg->p.stage = stage;
    if (pg->fn != NULL) {
        pg->fn(&pg->p, pg->ctx);
    }
}

void bmx__progress_step(struct bmx__progress *pg)
{
    if (pg->p.done >= pg->p.total) {
        return;
    }
    pg->p.done++;
    if (pg->fn != NULL) {
        pg->fn(&pg->p, pg->ctx);
    }
}
