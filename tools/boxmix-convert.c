/* SPDX-License-Identifier: MIT */
/* boxmix-convert: convert a detection dataset between COCO JSON, Pascal VOC XML and
 * YOLO (Ultralytics) text labels, in every direction. */
#include <boxmix.h>

#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "boxmix-convert";

static void usage_line(FILE *f)
{
    fprintf(f, "usage: %s --from coco --annotations FILE --images DIR --to voc --out DIR [options]\n"
               "       %s --from voc --voc DIR [--split NAME] [--labels FILE] --to coco --out DIR [options]\n"
               "       %s --yolo data.yaml [--split NAME] --to coco|voc --out DIR [options]\n"
               "       %s --annotations FILE --images DIR --to yolo [--yolo-task T] --out DIR [options]\n",
            prog, prog, prog, prog);
}

static void help(void)
{
    usage_line(stdout);
    printf("\n"
           "Converts a dataset between COCO JSON, Pascal VOC XML and YOLO, with its images.\n"
           "COCO -> VOC writes DIR/Annotations/<id>.xml, DIR/ImageSets/Main/trainval.txt and\n"
           "DIR/JPEGImages/ (the layout of torchvision's VOCDetection and MMDetection's\n"
           "VOCDataset); VOC -> COCO writes DIR/annotations.json and DIR/images/. Boxes\n"
           "convert exactly (VOC indices are 1-based and inclusive: x = xmin - 1,\n"
           "w = xmax - xmin + 1); VOC XML has no masks, so masked objects keep their box only.\n"
           "YOLO (Ultralytics): read from a data.yaml (--yolo FILE) or a folder holding images/\n"
           "and labels/ (--yolo DIR --names FILE); written as DIR/images/<split>/,\n"
           "DIR/labels/<split>/ and DIR/data.yaml (class c is category id c + 1; rows with %%g;\n"
           "segment: several rings bridged into one, RLE traced, box-only objects as four\n"
           "corners; crowd objects left out, counted). --from is implied by --annotations,\n"
           "--voc or --yolo.\n"
           "\n"
           "examples:\n"
           "  %s --from coco --annotations samples/coco/annotations.json \\\n"
           "      --images samples/images --to voc --out /tmp/voc\n"
           "  %s --from voc --voc samples/voc --images samples/images --to coco --out /tmp/coco\n"
           "  %s --yolo samples/yolo/segment/data.yaml --to coco --out /tmp/coco-from-yolo\n"
           "\n"
           "options:\n"
           "  --from FORMAT          coco, voc or yolo (implied by --annotations, --voc, --yolo)\n"
           "  --to FORMAT            coco, voc or yolo (another one)\n"
           "  --annotations FILE     COCO detection JSON to read (--from coco)\n"
           "  --voc PATH             VOC folder (Annotations/, JPEGImages/) or one XML file (--from voc)\n"
           "  --images DIR           image folder (COCO: required; VOC: default PATH/JPEGImages)\n"
           "  --split NAME           --from voc: read only the images of ImageSets/Main/NAME.txt;\n"
           "                         --from yolo: the split read (train, val or test; default\n"
           "                         train) and written; --to yolo: the split written (train)\n"
           "  --yolo PATH            a YOLO data.yaml, or a folder holding images/ and labels/\n"
           "  --names FILE           class names, one per line, in class order (--yolo DIR)\n"
           "  --yolo-allow-outside   accept data.yaml paths outside the dataset's root\n"
           "  --yolo-task TASK       --to yolo: detect (box rows) or segment (polygon rows);\n"
           "                         default segment when any object has a mask, else detect\n"
           "  --labels FILE          category names, one per line, in id order (--from voc;\n"
           "                         default: the names found, sorted)\n"
           "  --out DIR              output folder (created; must not hold a dataset)\n"
           "  --link                 hard-link the images (symlink across file systems) instead\n"
           "                         of copying them\n"
           "  --force                write into a folder that already holds a dataset\n"
           "  --max-pixels N         refuse images larger than N pixels (default 178956970)\n"
           "  --quiet                no summary line\n"
           "  --progress MODE        auto (default: a line on stderr when it is a terminal),\n"
           "                         line, json (one JSON object a second on stderr), none\n"
           "  --help                 this help\n"
           "  --version              the version\n"
           "\n"
           "exit status: 0 success, 1 bad input or runtime error, 2 usage error,\n"
           "130 interrupted (SIGINT/SIGTERM)\n",
           prog, prog, prog);
}

static bool parse_format(const char *s, enum bmx_dataset_format *out)
{
    if (strcmp(s, "coco") == 0) {
        *out = BMX_DATASET_COCO;
    } else if (strcmp(s, "voc") == 0) {
        *out = BMX_DATASET_VOC;
    } else if (strcmp(s, "yolo") == 0) {
        *out = BMX_DATASET_YOLO;
    } else {
        return false;
    }
    return true;
}

enum {
    OPT_FROM = 256,
    OPT_TO,
    OPT_ANN,
    OPT_VOC,
    OPT_IMAGES,
    OPT_SPLIT,
    OPT_LABELS,
    OPT_OUT,
    OPT_LINK,
    OPT_FORCE,
    OPT_MAX_PIXELS,
    OPT_QUIET,
    OPT_PROGRESS,
    OPT_HELP,
    OPT_VERSION,
    OPT_YOLO,
    OPT_NAMES,
    OPT_YOLO_TASK,
    OPT_YOLO_OUTSIDE
};

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"from", required_argument, NULL, OPT_FROM},
        {"to", required_argument, NULL, OPT_TO},
        {"annotations", required_argument, NULL, OPT_ANN},
        {"voc", required_argument, NULL, OPT_VOC},
        {"images", required_argument, NULL, OPT_IMAGES},
        {"split", required_argument, NULL, OPT_SPLIT},
        {"labels", required_argument, NULL, OPT_LABELS},
        {"out", required_argument, NULL, OPT_OUT},
        {"link", no_argument, NULL, OPT_LINK},
        {"force", no_argument, NULL, OPT_FORCE},
        {"max-pixels", required_argument, NULL, OPT_MAX_PIXELS},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"progress", required_argument, NULL, OPT_PROGRESS},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {"yolo", required_argument, NULL, OPT_YOLO},
        {"names", required_argument, NULL, OPT_NAMES},
        {"yolo-task", required_argument, NULL, OPT_YOLO_TASK},
        {"yolo-allow-outside", no_argument, NULL, OPT_YOLO_OUTSIDE},
        {NULL, 0, NULL, 0},
    };
    struct bmx_convert_job job;
    bmx_convert_job_init(&job);
    const char *annotations = NULL, *voc = NULL, *labels_path = NULL, *yolo = NULL, *names = NULL;
    const char *split = NULL;
    bool have_task = false;
    struct bmx_yolo_read_summary yread = {0};
    struct bmx_yolo_write_summary ywrote = {0};
    enum cli_progress_mode progress = CLI_PROGRESS_AUTO;
    bool have_from = false, have_to = false, quiet = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_FROM:
            if (!parse_format(optarg, &job.input.format)) {
                return cli_usage_error(prog, usage_line, "--from: expected coco, voc or yolo, got '%s'", optarg);
            }
            have_from = true;
            break;
        case OPT_TO:
            if (!parse_format(optarg, &job.to)) {
                return cli_usage_error(prog, usage_line, "--to: expected coco, voc or yolo, got '%s'", optarg);
            }
            have_to = true;
            break;
        case OPT_ANN:
            annotations = optarg;
            break;
        case OPT_VOC:
            voc = optarg;
            break;
        case OPT_IMAGES:
            job.input.images = optarg;
            break;
        case OPT_SPLIT:
            if (optarg[0] == '\0' || strchr(optarg, '/') != NULL) {
                return cli_usage_error(prog, usage_line, "--split: expected a split name such as train or val, got '%s'", optarg);
            }
            split = optarg;
            break;
        case OPT_YOLO:
            yolo = optarg;
            break;
        case OPT_NAMES:
            names = optarg;
            break;
        case OPT_YOLO_OUTSIDE:
            job.input.yolo_allow_outside = true;
            break;
        case OPT_YOLO_TASK:
            if (strcmp(optarg, "detect") == 0) {
                job.yolo_task = BMX_YOLO_TASK_DETECT;
            } else if (strcmp(optarg, "segment") == 0) {
                job.yolo_task = BMX_YOLO_TASK_SEGMENT;
            } else {
                return cli_usage_error(prog, usage_line, "--yolo-task: expected detect or segment, got '%s'", optarg);
            }
            have_task = true;
            break;
        case OPT_LABELS:
            labels_path = optarg;
            break;
        case OPT_OUT:
            job.out = optarg;
            break;
        case OPT_LINK:
            job.link = true;
            break;
        case OPT_FORCE:
            job.force = true;
            break;
        case OPT_MAX_PIXELS: {
            uint64_t v;
            if (!cli_parse_u64(optarg, &v) || v == 0) {
                return cli_usage_error(prog, usage_line, "--max-pixels: expected a positive integer, got '%s'", optarg);
            }
            job.limits.max_image_pixels = v;
            break;
        }
        case OPT_QUIET:
            quiet = true;
            break;
        case OPT_PROGRESS:
            if (!cli_parse_progress(optarg, &progress)) {
                return cli_usage_error(prog, usage_line, "--progress: expected auto, line, json or none, got '%s'", optarg);
            }
            break;
        case OPT_HELP:
            help();
            return cli_stdout_status();
        case OPT_VERSION:
            return cli_version(prog);
        default:
            return cli_bad_option(prog, usage_line, argv);
        }
    }
    if (optind < argc) {
        return cli_usage_error(prog, usage_line, "unexpected argument '%s'", argv[optind]);
    }
    /* The input option says the format: --from may be left out. */
    int inputs = (annotations != NULL) + (voc != NULL) + (yolo != NULL);
    if (!have_from && inputs == 1) {
        job.input.format = annotations != NULL ? BMX_DATASET_COCO
                           : voc != NULL       ? BMX_DATASET_VOC
                                               : BMX_DATASET_YOLO;
        have_from = true;
    }
    if (!have_from || !have_to || job.out == NULL) {
        return cli_usage_error(prog, usage_line, "%s", "--from, --to and --out are required");
    }
    if (job.input.format == job.to) {
        return cli_usage_error(prog, usage_line, "%s", "--from and --to must differ (coco, voc, yolo)");
    }
    if (inputs > 1) {
        return cli_usage_error(prog, usage_line, "%s", "--annotations, --voc and --yolo exclude each other");
    }
    if ((names != NULL || job.input.yolo_allow_outside) && job.input.format != BMX_DATASET_YOLO) {
        return cli_usage_error(prog, usage_line, "%s", "--names and --yolo-allow-outside go with --from yolo");
    }
    if (have_task && job.to != BMX_DATASET_YOLO) {
        return cli_usage_error(prog, usage_line, "%s", "--yolo-task goes with --to yolo");
    }
    if (job.input.format == BMX_DATASET_COCO) {
        if (annotations == NULL || job.input.images == NULL) {
            return cli_usage_error(prog, usage_line, "%s", "--from coco needs --annotations and --images");
        }
        if (voc != NULL || (split != NULL && job.to != BMX_DATASET_YOLO) || labels_path != NULL) {
            return cli_usage_error(prog, usage_line, "%s", "--voc, --split and --labels go with --from voc");
        }
        job.input.annotations = annotations;
    } else if (job.input.format == BMX_DATASET_YOLO) {
        if (yolo == NULL) {
            return cli_usage_error(prog, usage_line, "%s", "--from yolo needs --yolo");
        }
        if (annotations != NULL || voc != NULL || labels_path != NULL || job.input.images != NULL) {
            return cli_usage_error(prog, usage_line, "%s", "--annotations, --voc, --labels and --images do not go with --from yolo");
        }
        job.input.annotations = yolo;
        job.input.yolo_split = split;
        job.input.yolo_names = names;
        job.input.yolo_read = &yread;
    } else {
        if (voc == NULL) {
            return cli_usage_error(prog, usage_line, "%s", "--from voc needs --voc");
        }
        if (annotations != NULL) {
            return cli_usage_error(prog, usage_line, "%s", "--annotations goes with --from coco");
        }
        job.input.annotations = voc;
        job.input.voc_split = split;
    }
    if (job.to == BMX_DATASET_YOLO) {
        job.yolo_split = split;
        job.yolo_written = &ywrote;
    }

    job.input.labels = labels_path;
    bmx_error err = {0};
    struct bmx_convert_summary sum;
    job.cancel = cli_catch_signals();
    struct cli_progress pg;
    cli_progress_init(&pg, prog, progress);
    if (cli_progress_on(&pg)) {
        job.progress = cli_progress_report;
        job.progress_ctx = &pg;
    }
    bmx_status st = bmx_convert_run(&job, &sum, &err);
    cli_progress_end(&pg);
    if (st != BMX_OK) {
        fprintf(stderr, "%s: %s\n", prog, err.message[0] ? err.message : bmx_strerror(st));
        return st == BMX_E_INTERRUPTED ? 130 : 1;
    }
    if (yread.unlabelled > 0) {
        fprintf(stderr, "%s: %" PRIu64 " of %" PRIu64 " images have no label file: read as images without objects\n",
                prog, yread.unlabelled, yread.images);
    }
    if (yread.duplicates > 0) {
        fprintf(stderr, "%s: %" PRIu64 " duplicate label %s dropped\n", prog, yread.duplicates,
                cli_plural(yread.duplicates, "row", "rows"));
    }
    if (ywrote.crowd > 0) {
        fprintf(stderr, "%s: %" PRIu64 " crowd %s left out: YOLO cannot mark ignore regions\n",
                prog, ywrote.crowd, cli_plural(ywrote.crowd, "object", "objects"));
    }
    if (ywrote.masks_dropped > 0) {
        fprintf(stderr, "%s: %" PRIu64 " of %" PRIu64 " objects had masks; detect rows cannot carry them: wrote their boxes only (--yolo-task segment keeps them)\n",
                prog, ywrote.masks_dropped, sum.objects);
    }
    if (ywrote.no_area > 0) {
        fprintf(stderr, "%s: %" PRIu64 " %s without area left out\n", prog, ywrote.no_area,
                cli_plural(ywrote.no_area, "object", "objects"));
    }
    if (ywrote.holes_filled > 0) {
        fprintf(stderr, "%s: %" PRIu64 " %s filled when tracing RLE masks (a YOLO polygon has none)\n",
                prog, ywrote.holes_filled, cli_plural(ywrote.holes_filled, "hole", "holes"));
    }
    if (sum.masked > 0) {
        fprintf(stderr, "%s: %" PRIu64 " of %" PRIu64 " objects had masks; VOC XML cannot carry them: wrote their boxes only\n",
                prog, sum.masked, sum.objects);
    }
    if (sum.with_keypoints > 0) {
        fprintf(stderr, "%s: %" PRIu64 " of %" PRIu64 " objects had keypoints; VOC XML cannot carry them: left out\n",
                prog, sum.with_keypoints, sum.objects);
    }
    if (sum.not_jpeg > 0) {
        fprintf(stderr, "%s: note: %" PRIu64 " %s not JPEG (kept as %s); torchvision's VOCDetection and MMDetection's VOCDataset open JPEGImages/<id>.jpg\n",
                prog, sum.not_jpeg, cli_plural(sum.not_jpeg, "image is", "images are"),
                cli_plural(sum.not_jpeg, "it is", "they are"));
    }
    if (!quiet) {
        printf("%s: wrote %" PRIu64 " %s, %" PRIu64 " %s, %" PRIu64 " %s as %s to %s (images: %" PRIu64
               " copied, %" PRIu64 " hard-linked, %" PRIu64 " symlinked)\n",
               prog, sum.images, cli_plural(sum.images, "image", "images"), sum.objects,
               cli_plural(sum.objects, "object", "objects"), sum.categories,
               cli_plural(sum.categories, "category", "categories"),
               job.to == BMX_DATASET_VOC    ? "VOC"
               : job.to == BMX_DATASET_YOLO ? (ywrote.task == BMX_YOLO_TASK_SEGMENT ? "YOLO (segment)" : "YOLO (detect)")
                                            : "COCO",
               job.out, sum.copied, sum.hard_linked,
               sum.sym_linked);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write to standard output\n", prog);
        return 1;
    }
    return 0;
}
