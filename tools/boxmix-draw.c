/* SPDX-License-Identifier: MIT */
/* boxmix-draw: render boxes, labels, masks and the CutMix patch of a COCO (VOC, YOLO) dataset,
 * one image per file and optionally a contact sheet. */
#include <boxmix.h>

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "boxmix-draw";

static void usage_line(FILE *f)
{
    fprintf(f, "usage: %s --annotations FILE --images DIR --out DIR [options]\n", prog);
    fprintf(f, "       %s --voc DIR [--images DIR] --out DIR [options]\n", prog);
    fprintf(f, "       %s --yolo data.yaml|DIR [--split NAME] [--names FILE] --out DIR [options]\n", prog);
    fprintf(f, "       %s (--annotations FILE --images DIR | --voc DIR | --yolo ...) --html DIR [options]\n",
            prog);
}

static void help(void)
{
    usage_line(stdout);
    printf("\n"
           "Draws every object of a COCO dataset on its image for checking by eye: boxes\n"
           "and labels in a colour fixed per category, masks filled translucently, crowd\n"
           "objects hatched, objects pasted from a CutMix source dashed, keypoints as\n"
           "discs (filled: visible, ringed: labelled but hidden) joined by their skeleton,\n"
           "and the patch of a boxmix output outlined in black and white. Writes\n"
           "DIR/<name>.png per image and, with --sheet, one contact sheet of all of them.\n"
           "\n"
           "example:\n"
           "  %s --annotations /tmp/mixed/annotations.json --images /tmp/mixed/images \\\n"
           "      --out /tmp/mixed/drawn --sheet /tmp/mixed/sheet.png --show visibility\n"
           "\n"
           "options:\n"
           "  --annotations FILE     COCO detection JSON to read\n"
           "  --images DIR           folder the file_name values are relative to\n"
           "                         (VOC: default DIR/JPEGImages of --voc)\n"
           "  --voc DIR              read a Pascal VOC folder or one XML file instead\n"
           "  --split NAME           VOC: the images of ImageSets/Main/NAME.txt; YOLO: the\n"
           "                         data.yaml split (train, val, test; default train)\n"
           "  --labels FILE          VOC: category names, one a line, in id order\n"
           "  --yolo PATH            read a YOLO data.yaml (its --split, default train) or a\n"
           "                         folder holding images/ and labels/ instead\n"
           "  --names FILE           YOLO folder: class names, one a line, in class order\n"
           "  --yolo-allow-outside   YOLO: accept data.yaml paths outside the dataset's root\n"
           "  --out DIR              output folder (created; not the image folder)\n"
           "  --html DIR             write a static HTML report instead of --out: the\n"
           "                         drawings in DIR/images/, a paged gallery with filters\n"
           "                         (DIR/index.html), each image's record and objects, and\n"
           "                         statistics with plots (DIR/stats.html); opens from disk\n"
           "  --inputs FILE          with --html: the COCO dataset the drawn one was made\n"
           "                         from (with --input-images DIR); the bases and sources\n"
           "                         of the drawn outputs are drawn too and linked\n"
           "  --input-images DIR     the folder of --inputs' images\n"
           "  --input-voc DIR        with --html: the VOC dataset it was made from instead\n"
           "  --decisions FILE       the run's decision log (boxmix-augment --decisions):\n"
           "                         dropped objects outlined in grey dots, in the report\n"
           "                         per image and per category\n"
           "  --sheet FILE           also write a contact sheet (.png, .jpg or .jpeg)\n"
           "  --sheet-width PX       sheet width in pixels, 64..16384 (default 1280)\n"
           "  --limit N              draw at most N images (the first ones of the selection)\n"
           "  --ids I,J,...          draw the images with these ids\n"
           "  --random N             draw N images picked at random (see --seed)\n"
           "  --seed S               seed of --random, 0..2^64-1 (default 0)\n"
           "  --format F             png (default) or jpg\n"
           "  --quality Q            JPEG quality 1..100 (default 90)\n"
           "  --scale F              resize images by F (0 < F <= 16) before drawing\n"
           "  --line-width N         box outline and skeleton width in pixels, 1..64\n"
           "                         (default 2; keypoint discs grow with it)\n"
           "  --mask-opacity F       mask fill opacity 0..1 (default 0.4)\n"
           "  --show LIST            add to labels: visibility, weight (MixUp's boxmix.weight,\n"
           "                         as w=0.50), id (comma-separated)\n"
           "  --no-patch             do not outline the CutMix patch, CutOut's holes or\n"
           "                         Mosaic's tiles\n"
           "  --max-pixels N         refuse images larger than N pixels (default 178956970)\n"
           "  --quiet                no summary line\n"
           "  --progress MODE        auto (default: a line on stderr when it is a terminal),\n"
           "                         line, json (one JSON object a second on stderr), none\n"
           "  --help                 this help\n"
           "  --version              the version\n"
           "\n"
           "exit status: 0 success, 1 bad input or runtime error, 2 usage error,\n"
           "130 interrupted (SIGINT/SIGTERM)\n",
           prog);
}

/* "1,2,3" into a malloc'd array. False on a malformed list. */
static bool parse_ids(const char *s, int64_t **ids, size_t *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++) {
        cap += *p == ',';
    }
    int64_t *v = malloc(cap * sizeof *v);
    size_t k = 0;
    const char *p = s;
    if (v == NULL) {
        return false;
    }
    for (;;) {
        char *end;
        if (*p == '\0' || *p == ',' || *p == ' ' || *p == '+') {
            free(v);
            return false;
        }
        errno = 0;
        long long x = strtoll(p, &end, 10);
        if (errno != 0 || end == p || (*end != ',' && *end != '\0')) {
            free(v);
            return false;
        }
        v[k++] = (int64_t)x;
        if (*end == '\0') {
            break;
        }
        p = end + 1;
    }
    *ids = v;
    *n = k;
    return true;
}

static bool parse_show(const char *s, struct bmx_draw_options *d)
{
    char buf[256];
    if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf) {
        return false;
    }
    for (char *tok = buf;;) {
        char *comma = strchr(tok, ',');
        if (comma != NULL) {
            *comma = '\0';
        }
        if (strcmp(tok, "visibility") == 0) {
            d->show_visibility = true;
        } else if (strcmp(tok, "id") == 0) {
            d->show_id = true;
        } else if (strcmp(tok, "weight") == 0) {
            d->show_weight = true;
        } else {
            return false;
        }
        if (comma == NULL) {
            return true;
        }
        tok = comma + 1;
    }
}

enum {
    OPT_ANN = 256,
    OPT_VOC,
    OPT_SPLIT,
    OPT_LABELS,
    OPT_IMAGES,
    OPT_OUT,
    OPT_SHEET,
    OPT_SHEET_WIDTH,
    OPT_LIMIT,
    OPT_IDS,
    OPT_RANDOM,
    OPT_SEED,
    OPT_FORMAT,
    OPT_QUALITY,
    OPT_SCALE,
    OPT_LINE_WIDTH,
    OPT_MASK_OPACITY,
    OPT_SHOW,
    OPT_NO_PATCH,
    OPT_MAX_PIXELS,
    OPT_QUIET,
    OPT_PROGRESS,
    OPT_HTML,
    OPT_DECISIONS,
    OPT_INPUTS,
    OPT_INPUT_IMAGES,
    OPT_INPUT_VOC,
    OPT_HELP,
    OPT_VERSION,
    OPT_YOLO,
    OPT_NAMES,
    OPT_YOLO_OUTSIDE
};

static int run(int argc, char **argv, int64_t **ids_store)
{
    static const struct option longopts[] = {
        {"annotations", required_argument, NULL, OPT_ANN},
        {"voc", required_argument, NULL, OPT_VOC},
        {"split", required_argument, NULL, OPT_SPLIT},
        {"labels", required_argument, NULL, OPT_LABELS},
        {"images", required_argument, NULL, OPT_IMAGES},
        {"out", required_argument, NULL, OPT_OUT},
        {"sheet", required_argument, NULL, OPT_SHEET},
        {"sheet-width", required_argument, NULL, OPT_SHEET_WIDTH},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"ids", required_argument, NULL, OPT_IDS},
        {"random", required_argument, NULL, OPT_RANDOM},
        {"seed", required_argument, NULL, OPT_SEED},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"quality", required_argument, NULL, OPT_QUALITY},
        {"scale", required_argument, NULL, OPT_SCALE},
        {"line-width", required_argument, NULL, OPT_LINE_WIDTH},
        {"mask-opacity", required_argument, NULL, OPT_MASK_OPACITY},
        {"show", required_argument, NULL, OPT_SHOW},
        {"no-patch", no_argument, NULL, OPT_NO_PATCH},
        {"max-pixels", required_argument, NULL, OPT_MAX_PIXELS},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"progress", required_argument, NULL, OPT_PROGRESS},
        {"html", required_argument, NULL, OPT_HTML},
        {"decisions", required_argument, NULL, OPT_DECISIONS},
        {"inputs", required_argument, NULL, OPT_INPUTS},
        {"input-images", required_argument, NULL, OPT_INPUT_IMAGES},
        {"input-voc", required_argument, NULL, OPT_INPUT_VOC},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {"yolo", required_argument, NULL, OPT_YOLO},
        {"names", required_argument, NULL, OPT_NAMES},
        {"yolo-allow-outside", no_argument, NULL, OPT_YOLO_OUTSIDE},
        {NULL, 0, NULL, 0},
    };
    struct bmx_draw_job job;
    bmx_draw_job_init(&job);
    enum cli_progress_mode progress = CLI_PROGRESS_AUTO;
    bool quiet = false, have_seed = false;
    const char *annotations = NULL, *voc = NULL, *yolo = NULL, *names = NULL;
    const char *input_coco = NULL, *input_voc = NULL;
    bool yolo_outside = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        uint64_t u;
        double d;
        switch (c) {
        case OPT_ANN:
            annotations = optarg;
            break;
        case OPT_VOC:
            voc = optarg;
            break;
        case OPT_SPLIT:
            job.input.voc_split = optarg;
            break;
        case OPT_LABELS:
            job.input.labels = optarg;
            break;
        case OPT_YOLO:
            yolo = optarg;
            break;
        case OPT_NAMES:
            names = optarg;
            break;
        case OPT_YOLO_OUTSIDE:
            yolo_outside = true;
            break;
        case OPT_IMAGES:
            job.input.images = optarg;
            break;
        case OPT_OUT:
            job.out = optarg;
            break;
        case OPT_SHEET:
            job.sheet = optarg;
            break;
        case OPT_SHEET_WIDTH:
            if (!cli_parse_u64(optarg, &u) || u < 64 || u > 16384) {
                return cli_usage_error(prog, usage_line, "--sheet-width: expected an integer 64..16384, got '%s'", optarg);
            }
            job.sheet_width = (int32_t)u;
            break;
        case OPT_LIMIT:
            if (!cli_parse_u64(optarg, &u) || u == 0 || u > SIZE_MAX) {
                return cli_usage_error(prog, usage_line, "--limit: expected a positive integer, got '%s'", optarg);
            }
            job.limit = (size_t)u;
            break;
        case OPT_IDS:
            free(*ids_store);
            *ids_store = NULL;
            if (!parse_ids(optarg, ids_store, &job.n_ids)) {
                return cli_usage_error(prog, usage_line, "--ids: expected image ids like 1,2,3, got '%s'", optarg);
            }
            job.ids = *ids_store;
            break;
        case OPT_RANDOM:
            if (!cli_parse_u64(optarg, &u) || u == 0 || u > SIZE_MAX) {
                return cli_usage_error(prog, usage_line, "--random: expected a positive integer, got '%s'", optarg);
            }
            job.random = (size_t)u;
            break;
        case OPT_SEED:
            if (!cli_parse_u64(optarg, &u)) {
                return cli_usage_error(prog, usage_line, "--seed: expected an integer 0..18446744073709551615, got '%s'",
                                   optarg);
            }
            job.seed = u;
            have_seed = true;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "jpg") == 0 || strcmp(optarg, "jpeg") == 0) {
                job.format = BMX_FORMAT_JPEG;
            } else if (strcmp(optarg, "png") == 0) {
                job.format = BMX_FORMAT_PNG;
            } else {
                return cli_usage_error(prog, usage_line, "--format: expected png or jpg, got '%s'", optarg);
            }
            break;
        case OPT_QUALITY:
            if (!cli_parse_u64(optarg, &u) || u < 1 || u > 100) {
                return cli_usage_error(prog, usage_line, "--quality: expected an integer 1..100, got '%s'", optarg);
            }
            job.quality = (int)u;
            break;
        case OPT_SCALE:
            if (!cli_parse_double(optarg, &d) || d <= 0 || d > 16) {
                return cli_usage_error(prog, usage_line, "--scale: expected a number in (0, 16], got '%s'", optarg);
            }
            job.draw.scale = d;
            break;
        case OPT_LINE_WIDTH:
            if (!cli_parse_u64(optarg, &u) || u < 1 || u > 64) {
                return cli_usage_error(prog, usage_line, "--line-width: expected an integer 1..64, got '%s'", optarg);
            }
            job.draw.line_width = (int)u;
            break;
        case OPT_MASK_OPACITY:
            if (!cli_parse_double(optarg, &d) || d < 0 || d > 1) {
                return cli_usage_error(prog, usage_line, "--mask-opacity: expected a number in [0, 1], got '%s'", optarg);
            }
            job.draw.mask_opacity = d;
            break;
        case OPT_SHOW:
            if (!parse_show(optarg, &job.draw)) {
                return cli_usage_error(prog, usage_line, "--show: expected a list of visibility, weight and id, got '%s'", optarg);
            }
            break;
        case OPT_NO_PATCH:
            job.draw.show_patch = false;
            break;
        case OPT_MAX_PIXELS:
            if (!cli_parse_u64(optarg, &u) || u == 0) {
                return cli_usage_error(prog, usage_line, "--max-pixels: expected a positive integer, got '%s'", optarg);
            }
            job.limits.max_image_pixels = u;
            break;
        case OPT_QUIET:
            quiet = true;
            break;
        case OPT_HTML:
            job.html = optarg;
            break;
        case OPT_DECISIONS:
            job.decisions = optarg;
            break;
        case OPT_INPUTS:
            input_coco = optarg;
            break;
        case OPT_INPUT_IMAGES:
            job.inputs.images = optarg;
            break;
        case OPT_INPUT_VOC:
            input_voc = optarg;
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
    if (job.out != NULL && job.html != NULL) {
        return cli_usage_error(prog, usage_line, "%s", "--out and --html exclude each other");
    }
    if (input_coco != NULL && input_voc != NULL) {
        return cli_usage_error(prog, usage_line, "%s",
                               "--inputs and --input-voc exclude each other");
    }
    if ((input_coco != NULL || input_voc != NULL || job.inputs.images != NULL) &&
        job.html == NULL) {
        return cli_usage_error(prog, usage_line, "%s",
                               "--inputs, --input-images and --input-voc need --html");
    }
    if (input_coco != NULL && job.inputs.images == NULL) {
        return cli_usage_error(prog, usage_line, "%s", "--inputs needs --input-images");
    }
    if (job.inputs.images != NULL && input_coco == NULL && input_voc == NULL) {
        return cli_usage_error(prog, usage_line, "%s",
                               "--input-images needs --inputs or --input-voc");
    }
    if (input_coco != NULL || input_voc != NULL) {
        cli_set_input(&job.inputs, input_coco, input_voc);
    }
    const char *dest = job.out != NULL ? job.out : job.html;
    int bad = cli_yolo_input(prog, usage_line, &job.input, yolo, names, yolo_outside, annotations,
                             voc, dest);
    if (bad > 0) {
        return bad;
    }
    if (bad < 0) {
        bad = cli_check_input(prog, usage_line, annotations, job.input.images, voc,
                              job.input.voc_split, job.input.labels, dest);
        if (bad != 0) {
            return bad;
        }
        cli_set_input(&job.input, annotations, voc);
    }
    if (job.ids != NULL && job.random > 0) {
        return cli_usage_error(prog, usage_line, "%s", "--ids and --random exclude each other");
    }
    if (have_seed && job.random == 0) {
        return cli_usage_error(prog, usage_line, "%s", "--seed only applies to --random");
    }
    struct bmx_draw_summary sum;
    bmx_error err = {0};
    job.cancel = cli_catch_signals();
    struct cli_progress pg;
    cli_progress_init(&pg, prog, progress);
    if (cli_progress_on(&pg)) {
        job.progress = cli_progress_report;
        job.progress_ctx = &pg;
    }
    bmx_status st = bmx_draw_run(&job, &sum, &err);
    cli_progress_end(&pg);
    if (st != BMX_OK) {
        fprintf(stderr, "%s: %s\n", prog, err.message[0] ? err.message : bmx_strerror(st));
        return st == BMX_E_INTERRUPTED ? 130 : 1;
    }
    if (!quiet) {
        printf("%s: drew %" PRIu64 " image%s (%" PRIu64 " object%s) into %s", prog, sum.images,
               sum.images == 1 ? "" : "s", sum.objects, sum.objects == 1 ? "" : "s",
               job.html != NULL ? job.html : job.out);
        if (job.html != NULL) {
            printf("; report %s/index.html", job.html);
        }
        if (job.sheet != NULL) {
            printf("; sheet %s", job.sheet);
        }
        printf("\n");
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write to standard output\n", prog);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int64_t *ids = NULL;
    int rc = run(argc, argv, &ids);
    free(ids);
    return rc;
}
