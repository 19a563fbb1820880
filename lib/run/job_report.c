/* SPDX-License-Identifier: MIT */
/* The augment run's JSON report (schemas/report.schema.json). */

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

bmx_status bmx__job_write_report(const struct run *r, const struct bmx_job_summary *sum,
                               bmx_error *err)
{
    struct bmx__buf b = {0};
    bmx__buf_puts(&b, "{\"tool\":\"boxmix-augment\",\"version\":");
    bmx__buf_string(&b, BMX_VERSION_STRING);
    bmx__buf_puts(&b, ",\"input\":");
    bmx__buf_string(&b, r->input_name);
    bmx__buf_puts(&b, ",\"out\":");
    bmx__buf_string(&b, r->opts->out);
    bmx__buf_printf(&b,
                    ",\"seed\":%" PRIu64 ",\"samples\":%" PRIu64 ",\"originals\":%" PRIu64
                    ",\"resumed\":%" PRIu64 ",\"dry_run\":%s",
                    r->opts->seed, sum->samples, sum->originals, sum->resumed,
                    r->opts->dry_run ? "true" : "false");
    if (r->opts->shard_count > 1) {
        bmx__buf_printf(&b, ",\"shard\":{\"index\":%" PRIu64 ",\"count\":%" PRIu64 "}",
                        r->opts->shard_index, r->opts->shard_count);
    }
    char kp[96] = "";
    if (sum->with_keypoints > 0) {
        snprintf(kp, sizeof kp, ",\"with_keypoints\":%" PRIu64 ",\"keypoints_hidden\":%" PRIu64,
                 sum->with_keypoints, sum->keypoints_hidden);
    }
    bmx__buf_printf(&b,
                    ",\"objects\":{\"kept_whole\":%" PRIu64 ",\"clipped\":%" PRIu64
                    ",\"dropped\":%" PRIu64 ",\"masked\":%" PRIu64 ",\"holes_filled\":%" PRIu64
                    "%s},\"skipped_images\":[",
                    sum->kept_whole, sum->clipped, sum->dropped, sum->masked, sum->holes_filled, kp);
    for (size_t q = 0; q < r->n_bad_msgs; q++) {
        const struct bmx_image_info *info = &r->ds->images[r->bad_idx[q]];
        bmx__buf_puts(&b, q ? ",{\"image_id\":" : "{\"image_id\":");
        bmx__coco_put_image_id(&b, info);
        bmx__buf_puts(&b, ",\"file_name\":");
        bmx__buf_string(&b, info->file_name);
        bmx__buf_puts(&b, ",\"reason\":");
        bmx__buf_string(&b, r->bad_msgs[q]);
        bmx__buf_puts(&b, "}");
    }
    bmx__buf_puts(&b, "]}\n");
    bmx_status st;
    if (b.failed) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
    } else {
        st = bmx__write_file_atomic(r->opts->report, b.data, b.len, true, err);
    }
    bmx__buf_free(&b);
    return st;
}
