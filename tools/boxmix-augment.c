/* SPDX-License-Identifier: MIT */
/* boxmix-augment: make an augmented copy of a detection dataset with CutMix or
 * another operation of its family (CutOut, MixUp, Mosaic, Copy-Paste). */
#include <boxmix.h>

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "boxmix-augment";

static void usage_line(FILE *f)
{
    fprintf(f, "usage: %s --annotations FILE --images DIR --out DIR [options]\n", prog);
    fprintf(f, "       %s --voc DIR [--images DIR] --out DIR [options]\n", prog);
    fprintf(f, "       %s --yolo data.yaml|DIR [--split NAME] [--names FILE] --out DIR [options]\n", prog);
}

static void help(void)
{
    usage_line(stdout);
    printf("\n"
           "Pastes a rectangle of one image into another (CutMix; or --op cutout, mixup,\n"
           "mosaic, copypaste, or a --recipe mixing them) and writes a new COCO dataset:\n"
           "DIR/images/OP_NNNNNN.jpg and DIR/annotations.json. Every box and mask is\n"
           "kept, clipped or dropped by how much of it stays visible; keypoints under\n"
           "the patch are hidden. DIR is locked while the run lives, and its\n"
           "journal DIR/.boxmix-journal says what made it and whether it finished. VOC and\n"
           "YOLO datasets are read and written too (--voc, --yolo, --out-format).\n"
           "\n"
           "example:\n"
           "  %s --annotations samples/coco/annotations.json --images samples/images \\\n"
           "      --out /tmp/mixed --per-image 2 --seed 7\n"
           "\n"
           "options:\n"
           "  --annotations FILE     COCO detection JSON to read\n"
           "  --images DIR           folder the file_name values are relative to\n"
           "                         (VOC: default DIR/JPEGImages of --voc)\n"
           "  --voc DIR              read a Pascal VOC folder (Annotations/, JPEGImages/)\n"
           "                         or one XML file instead of --annotations\n"
           "  --split NAME           VOC: read the images of ImageSets/Main/NAME.txt; YOLO:\n"
           "                         the data.yaml split read; the YOLO split written\n"
           "                         (default: the input's split, else train)\n"
           "  --labels FILE          VOC: category names, one a line, in id order\n",
           prog);
    /* In two parts: one string literal may hold 4095 characters (C99). */
    printf("  --yolo PATH            read a YOLO data.yaml, or a folder holding images/ and\n"
           "                         labels/ (with --names), instead of --annotations\n"
           "  --names FILE           YOLO folder: class names, one a line, in class order\n"
           "  --yolo-allow-outside   YOLO: accept data.yaml paths outside the dataset's root\n"
           "  --out-format F         coco, voc or yolo (default: the input's format); yolo\n"
           "                         writes DIR/images/<split>/, DIR/labels/<split>/, data.yaml\n"
           "  --yolo-task T          YOLO output: detect or segment (default: segment when\n"
           "                         any object has a mask, else detect)\n"
           "  --out DIR              output folder (created; must not hold a dataset)\n"
           "  --count N              make N outputs (base of output k: image k mod N)\n"
           "  --per-image K          make K outputs per input image (default 1)\n"
           "  --seed S               random seed, 0..2^64-1 (default 0)\n"
           "  --op OP                cutmix (default), cutout, mixup, mosaic or copypaste\n"
           "  --recipe FILE          a JSON list of weighted operations with parameters\n"
           "                         (schemas/recipe.schema.json): each output draws one;\n"
           "                         the options below are every entry's defaults\n"
           "  --alpha A              cutmix, cutout: lambda ~ Beta(A, A) (default 1.0)\n"
           "  --cut-ratio LO:HI      draw patch (hole) side ratios uniformly in [LO, HI]\n"
           "  --placement P          cutmix: anywhere (default), avoid-base or source-object\n"
           "  --tries N              candidate patches for avoid-base (default 10)\n"
           "  --source-fit F         cutmix, mixup, copypaste: how the source meets the\n"
           "                         base's size: resize (default), letterbox, crop (cutmix)\n"
           "  --holes N              cutout: rectangles erased, 1..64 (default 1)\n"
           "  --fill F               cutout: mean (default), noise, or R,G,B\n"
           "  --mix-alpha A          mixup: lambda ~ Beta(A, A) (default 32)\n"
           "  --mix-ratio R          mixup: a fixed lambda in [0, 1] instead (not with\n"
           "                         --mix-alpha)\n"
           "  --mosaic-size S        mosaic: the output's side, 16..16384 (default 640);\n"
           "                         S x S may not pass --max-pixels (S <= 13377 by default)\n"
           "  --paste-prob P         copypaste: each source object's chance (default 0.5)\n");
    printf("  --min-visibility V     drop objects with less visible (default 0.10)\n"
           "  --min-area A           drop objects with a smaller visible area (default 0)\n"
           "  --min-size S           drop objects whose new box is narrower or lower (default 2)\n"
           "  --mask-format F        keep (default: each mask in its form), rle, or polygon\n"
           "                         (RLE masks traced, holes filled; crowd objects keep RLE)\n"
           "  --format F             jpg (default) or png\n"
           "  --quality Q            JPEG quality 1..100 (default 90)\n"
           "  --png-level L          PNG zlib level 0..9 (default 1: fastest; 9: smallest;\n"
           "                         0: stored); needs --format png and libspng\n"
           "  --include-originals    also copy the inputs and their annotations\n"
           "  --max-pixels N         refuse images larger than N pixels (default 178956970)\n"
           "  --memory-limit BYTES   decoded input images held at once (as the memory they\n"
           "                         take: whole huge pages from 768 KiB), with a K, M or G\n"
           "                         suffix (binary; default 1G); raised to one block's two\n"
           "                         largest images when below; the output is the same bytes\n"
           "                         for every limit\n"
           "  --threads N            worker threads (default: the number of cores); the\n"
           "                         output is the same bytes for every N\n"
           "  --dry-run              write only annotations.json: no pixels decoded or written\n"
           "  --shard I/N            make only the outputs k with k mod N == I (0 <= I < N);\n"
           "                         join the shards' folders with boxmix-merge\n"
           "  --resume               finish an interrupted run in --out (same inputs and\n"
           "                         options): outputs already written and checked are kept\n"
           "  --skip-bad             leave out input images that are missing, unreadable or\n"
           "                         of another size (checked fully first) instead of stopping\n"
           "  --report FILE          write a JSON run report (counts, skipped images)\n"
           "  --decisions FILE       write the decision log: one JSON line per object\n"
           "                         considered (kept, clipped, or dropped and by which rule)\n"
           "  --force                write into a folder that already holds a dataset\n"
           "                         (never over an input: see README, Safety)\n"
           "  --quiet                no summary line\n"
           "  --progress MODE        auto (default: a line on stderr when it is a terminal),\n"
           "                         line, json (one JSON object a second on stderr), none\n"
           "  --help                 this help\n"
           "  --version              the version\n"
           "\n"
           "exit status: 0 success, 1 bad input or runtime error, 2 usage error,\n"
           "130 interrupted (SIGINT/SIGTERM; finish with --resume)\n");
}

/* What the run adjusted (the memory limit raised): one line on stderr. */
static void say_notice(const char *message, void *user)
{
    (void)user;
    fprintf(stderr, "%s: %s\n", prog, message);
}

enum {
    OPT_ANN = 256,
    OPT_VOC,
    OPT_SPLIT,
    OPT_LABELS,
    OPT_OUT_FORMAT,
    OPT_IMAGES,
    OPT_OUT,
    OPT_COUNT,
    OPT_PER_IMAGE,
    OPT_SEED,
    OPT_ALPHA,
    OPT_CUT_RATIO,
    OPT_PLACEMENT,
    OPT_TRIES,
    OPT_MIN_VIS,
    OPT_MIN_AREA,
    OPT_MIN_SIZE,
    OPT_MASK_FORMAT,
    OPT_FORMAT,
    OPT_QUALITY,
    OPT_PNG_LEVEL,
    OPT_ORIGINALS,
    OPT_MAX_PIXELS,
    OPT_MEMORY_LIMIT,
    OPT_FORCE,
    OPT_THREADS,
    OPT_DRY_RUN,
    OPT_SHARD,
    OPT_RESUME,
    OPT_SKIP_BAD,
    OPT_REPORT,
    OPT_DECISIONS,
    OPT_QUIET,
    OPT_PROGRESS,
    OPT_HELP,
    OPT_VERSION,
    OPT_YOLO,
    OPT_NAMES,
    OPT_YOLO_OUTSIDE,
    OPT_YOLO_TASK,
    OPT_OP,
    OPT_RECIPE,
    OPT_SOURCE_FIT,
    OPT_HOLES,
    OPT_FILL,
    OPT_MIX_ALPHA,
    OPT_MIX_RATIO,
    OPT_MOSAIC_SIZE,
    OPT_PASTE_PROB
};

/* An operation's own options given on the command line, and which operations
 * take each: one given to another operation does nothing, and is refused. */
struct op_flags {
    const char *name;
    unsigned ops; /* a bit per enum bmx_op */
    bool given;
};

static struct op_flags *flag_of(struct op_flags *flags, int opt)
{
    return &flags[opt - OPT_OP];
}

/* An option that only some operations take, given with another: its name, else NULL. */
static const char *misplaced(const struct op_flags *flags, size_t n, enum bmx_op op)
{
    for (size_t i = 0; i < n; i++) {
        if (flags[i].given && !((flags[i].ops >> op) & 1u)) {
            return flags[i].name;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"annotations", required_argument, NULL, OPT_ANN},
        {"voc", required_argument, NULL, OPT_VOC},
        {"split", required_argument, NULL, OPT_SPLIT},
        {"labels", required_argument, NULL, OPT_LABELS},
        {"out-format", required_argument, NULL, OPT_OUT_FORMAT},
        {"images", required_argument, NULL, OPT_IMAGES},
        {"out", required_argument, NULL, OPT_OUT},
        {"count", required_argument, NULL, OPT_COUNT},
        {"per-image", required_argument, NULL, OPT_PER_IMAGE},
        {"seed", required_argument, NULL, OPT_SEED},
        {"alpha", required_argument, NULL, OPT_ALPHA},
        {"cut-ratio", required_argument, NULL, OPT_CUT_RATIO},
        {"placement", required_argument, NULL, OPT_PLACEMENT},
        {"tries", required_argument, NULL, OPT_TRIES},
        {"min-visibility", required_argument, NULL, OPT_MIN_VIS},
        {"min-area", required_argument, NULL, OPT_MIN_AREA},
        {"min-size", required_argument, NULL, OPT_MIN_SIZE},
        {"mask-format", required_argument, NULL, OPT_MASK_FORMAT},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"quality", required_argument, NULL, OPT_QUALITY},
        {"png-level", required_argument, NULL, OPT_PNG_LEVEL},
        {"include-originals", no_argument, NULL, OPT_ORIGINALS},
        {"max-pixels", required_argument, NULL, OPT_MAX_PIXELS},
        {"memory-limit", required_argument, NULL, OPT_MEMORY_LIMIT},
        {"force", no_argument, NULL, OPT_FORCE},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"resume", no_argument, NULL, OPT_RESUME},
        {"skip-bad", no_argument, NULL, OPT_SKIP_BAD},
        {"report", required_argument, NULL, OPT_REPORT},
        {"decisions", required_argument, NULL, OPT_DECISIONS},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"progress", required_argument, NULL, OPT_PROGRESS},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {"yolo", required_argument, NULL, OPT_YOLO},
        {"names", required_argument, NULL, OPT_NAMES},
        {"yolo-allow-outside", no_argument, NULL, OPT_YOLO_OUTSIDE},
        {"yolo-task", required_argument, NULL, OPT_YOLO_TASK},
        {"op", required_argument, NULL, OPT_OP},
        {"recipe", required_argument, NULL, OPT_RECIPE},
        {"source-fit", required_argument, NULL, OPT_SOURCE_FIT},
        {"holes", required_argument, NULL, OPT_HOLES},
        {"fill", required_argument, NULL, OPT_FILL},
        {"mix-alpha", required_argument, NULL, OPT_MIX_ALPHA},
        {"mix-ratio", required_argument, NULL, OPT_MIX_RATIO},
        {"mosaic-size", required_argument, NULL, OPT_MOSAIC_SIZE},
        {"paste-prob", required_argument, NULL, OPT_PASTE_PROB},
        {NULL, 0, NULL, 0},
    };
    const unsigned two_image = 1u << BMX_OP_CUTMIX | 1u << BMX_OP_MIXUP | 1u << BMX_OP_COPYPASTE;
    struct op_flags flags[] = {
        {"--op", ~0u, false},
        {"--recipe", ~0u, false},
        {"--source-fit", two_image, false},
        {"--holes", 1u << BMX_OP_CUTOUT, false},
        {"--fill", 1u << BMX_OP_CUTOUT, false},
        {"--mix-alpha", 1u << BMX_OP_MIXUP, false},
        {"--mix-ratio", 1u << BMX_OP_MIXUP, false},
        {"--mosaic-size", 1u << BMX_OP_MOSAIC, false},
        {"--paste-prob", 1u << BMX_OP_COPYPASTE, false},
        {"--alpha", 1u << BMX_OP_CUTMIX | 1u << BMX_OP_CUTOUT, false},
        {"--cut-ratio", 1u << BMX_OP_CUTMIX | 1u << BMX_OP_CUTOUT, false},
        {"--placement", 1u << BMX_OP_CUTMIX, false},
        {"--tries", 1u << BMX_OP_CUTMIX, false},
    };
    const size_t n_flags = sizeof flags / sizeof flags[0];
    struct bmx_op_options op;
    bmx_op_options_init(&op);
    const char *recipe_path = NULL;
    struct bmx_job_options o;
    bmx_job_options_init(&o);
    enum cli_progress_mode progress = CLI_PROGRESS_AUTO;
    bool quiet = false, have_count = false, have_per_image = false, out_format_set = false;
    bool png_level_given = false;
    int c;
    const char *annotations = NULL, *voc = NULL, *yolo = NULL, *names = NULL;
    bool yolo_outside = false, have_task = false;
    struct bmx_yolo_read_summary yread = {0};
    struct bmx_yolo_write_summary ywrote = {0};
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        uint64_t u;
        double d;
        switch (c) {
        case OPT_ANN:
            annotations = optarg;
            break;
        case OPT_IMAGES:
            o.input.images = optarg;
            break;
        case OPT_VOC:
            voc = optarg;
            break;
        case OPT_SPLIT:
            o.input.voc_split = optarg;
            break;
        case OPT_LABELS:
            o.input.labels = optarg;
            break;
        case OPT_OUT_FORMAT:
            if (strcmp(optarg, "coco") == 0) {
                o.out_format = BMX_DATASET_COCO;
            } else if (strcmp(optarg, "voc") == 0) {
                o.out_format = BMX_DATASET_VOC;
            } else if (strcmp(optarg, "yolo") == 0) {
                o.out_format = BMX_DATASET_YOLO;
            } else {
                return cli_usage_error(prog, usage_line, "--out-format: expected coco, voc or yolo, got '%s'", optarg);
            }
            out_format_set = true;
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
        case OPT_YOLO_TASK:
            if (strcmp(optarg, "detect") == 0) {
                o.yolo_task = BMX_YOLO_TASK_DETECT;
            } else if (strcmp(optarg, "segment") == 0) {
                o.yolo_task = BMX_YOLO_TASK_SEGMENT;
            } else {
                return cli_usage_error(prog, usage_line, "--yolo-task: expected detect or segment, got '%s'", optarg);
            }
            have_task = true;
            break;
        case OPT_OUT:
            o.out = optarg;
            break;
        case OPT_COUNT:
            if (!cli_parse_u64(optarg, &u) || u == 0) {
                return cli_usage_error(prog, usage_line, "--count: expected a positive integer, got '%s'", optarg);
            }
            o.count = u;
            have_count = true;
            break;
        case OPT_PER_IMAGE:
            if (!cli_parse_u64(optarg, &u) || u == 0) {
                return cli_usage_error(prog, usage_line, "--per-image: expected a positive integer, got '%s'", optarg);
            }
            o.per_image = u;
            have_per_image = true;
            break;
        case OPT_SEED:
            if (!cli_parse_u64(optarg, &u)) {
                return cli_usage_error(prog, usage_line, "--seed: expected an integer 0..18446744073709551615, got '%s'", optarg);
            }
            o.seed = u;
            break;
        case OPT_ALPHA:
            if (!cli_parse_double(optarg, &d) || d <= 0) {
                return cli_usage_error(prog, usage_line, "--alpha: expected a number > 0, got '%s'", optarg);
            }
            o.cutmix.alpha = d;
            flags[9].given = true;
            break;
        case OPT_CUT_RATIO: {
            char buf[128];
            snprintf(buf, sizeof buf, "%s", optarg);
            char *colon = strchr(buf, ':');
            double lo, hi;
            if (colon == NULL) {
                return cli_usage_error(prog, usage_line, "--cut-ratio: expected LO:HI, got '%s'", optarg);
            }
            *colon = '\0';
            if (!cli_parse_double(buf, &lo) || !cli_parse_double(colon + 1, &hi) || lo <= 0 || hi > 1 ||
                lo > hi) {
                return cli_usage_error(prog, usage_line, "--cut-ratio: expected LO:HI with 0 < LO <= HI <= 1, got '%s'", optarg);
            }
            o.cutmix.mode = BMX_PATCH_RATIO;
            o.cutmix.ratio_lo = lo;
            o.cutmix.ratio_hi = hi;
            flags[10].given = true;
            break;
        }
        case OPT_PLACEMENT:
            if (strcmp(optarg, "anywhere") == 0) {
                o.cutmix.placement = BMX_PLACE_ANYWHERE;
            } else if (strcmp(optarg, "avoid-base") == 0) {
                o.cutmix.placement = BMX_PLACE_AVOID_BASE;
            } else if (strcmp(optarg, "source-object") == 0) {
                o.cutmix.placement = BMX_PLACE_SOURCE_OBJECT;
            } else {
                return cli_usage_error(prog, usage_line, "--placement: expected anywhere, avoid-base or source-object, got '%s'", optarg);
            }
            flags[11].given = true;
            break;
        case OPT_TRIES:
            if (!cli_parse_u64(optarg, &u) || u == 0 || u > 1000) {
                return cli_usage_error(prog, usage_line, "--tries: expected an integer 1..1000, got '%s'", optarg);
            }
            o.cutmix.tries = (int)u;
            flags[12].given = true;
            break;
        case OPT_OP:
            if (!bmx_op_from_name(optarg, &op.op)) {
                return cli_usage_error(prog, usage_line, "--op: expected cutmix, cutout, mixup, mosaic or copypaste, got '%s'", optarg);
            }
            flag_of(flags, c)->given = true;
            break;
        case OPT_RECIPE:
            recipe_path = optarg;
            flag_of(flags, c)->given = true;
            break;
        case OPT_SOURCE_FIT:
            if (strcmp(optarg, "resize") == 0) {
                op.source_fit = BMX_FIT_RESIZE;
            } else if (strcmp(optarg, "letterbox") == 0) {
                op.source_fit = BMX_FIT_LETTERBOX;
            } else if (strcmp(optarg, "crop") == 0) {
                op.source_fit = BMX_FIT_CROP;
            } else {
                return cli_usage_error(prog, usage_line, "--source-fit: expected resize, letterbox or crop, got '%s'", optarg);
            }
            flag_of(flags, c)->given = true;
            break;
        case OPT_HOLES:
            if (!cli_parse_u64(optarg, &u) || u == 0 || u > BMX_MAX_HOLES) {
                return cli_usage_error(prog, usage_line, "--holes: expected an integer 1..64, got '%s'", optarg);
            }
            op.holes = (int)u;
            flag_of(flags, c)->given = true;
            break;
        case OPT_FILL: {
            unsigned rgb[3];
            char end;
            if (strcmp(optarg, "mean") == 0) {
                op.fill = BMX_FILL_MEAN;
            } else if (strcmp(optarg, "noise") == 0) {
                op.fill = BMX_FILL_NOISE;
            } else if (sscanf(optarg, "%3u,%3u,%3u%c", &rgb[0], &rgb[1], &rgb[2], &end) == 3 &&
                       strspn(optarg, "0123456789,") == strlen(optarg) && rgb[0] <= 255 &&
                       rgb[1] <= 255 && rgb[2] <= 255) {
                op.fill = BMX_FILL_CONSTANT;
                for (int i = 0; i < 3; i++) {
                    op.fill_rgb[i] = (uint8_t)rgb[i];
                }
            } else {
                return cli_usage_error(prog, usage_line, "--fill: expected mean, noise or R,G,B (each 0..255), got '%s'", optarg);
            }
            flag_of(flags, c)->given = true;
            break;
        }
        case OPT_MIX_ALPHA:
            if (!cli_parse_double(optarg, &d) || !(d > 0) || !isfinite(d)) {
                return cli_usage_error(prog, usage_line, "--mix-alpha: expected a number > 0, got '%s'", optarg);
            }
            op.mix_alpha = d;
            flag_of(flags, c)->given = true;
            break;
        case OPT_MIX_RATIO:
            if (!cli_parse_double(optarg, &d) || !(d >= 0) || !(d <= 1)) {
                return cli_usage_error(prog, usage_line, "--mix-ratio: expected a number in [0, 1], got '%s'", optarg);
            }
            op.mix_ratio = d;
            flag_of(flags, c)->given = true;
            break;
        case OPT_MOSAIC_SIZE:
            if (!cli_parse_u64(optarg, &u) || u < 16 || u > 16384) {
                return cli_usage_error(prog, usage_line, "--mosaic-size: expected an integer 16..16384, got '%s'", optarg);
            }
            op.mosaic_size = (int32_t)u;
            flag_of(flags, c)->given = true;
            break;
        case OPT_PASTE_PROB:
            if (!cli_parse_double(optarg, &d) || !(d >= 0) || !(d <= 1)) {
                return cli_usage_error(prog, usage_line, "--paste-prob: expected a number in [0, 1], got '%s'", optarg);
            }
            op.paste_prob = d;
            flag_of(flags, c)->given = true;
            break;
        case OPT_MIN_VIS:
            if (!cli_parse_double(optarg, &d) || d < 0 || d > 1) {
                return cli_usage_error(prog, usage_line, "--min-visibility: expected a number in [0, 1], got '%s'", optarg);
            }
            o.cutmix.min_visibility = d;
            break;
        case OPT_MIN_AREA:
            if (!cli_parse_double(optarg, &d) || d < 0) {
                return cli_usage_error(prog, usage_line, "--min-area: expected a number >= 0, got '%s'", optarg);
            }
            o.cutmix.min_area = d;
            break;
        case OPT_MIN_SIZE:
            if (!cli_parse_double(optarg, &d) || d < 0) {
                return cli_usage_error(prog, usage_line, "--min-size: expected a number >= 0, got '%s'", optarg);
            }
            o.cutmix.min_size = d;
            break;
        case OPT_MASK_FORMAT:
            if (strcmp(optarg, "keep") == 0) {
                o.cutmix.mask_format = BMX_MASK_KEEP;
            } else if (strcmp(optarg, "rle") == 0) {
                o.cutmix.mask_format = BMX_MASK_RLE;
            } else if (strcmp(optarg, "polygon") == 0) {
                o.cutmix.mask_format = BMX_MASK_POLYGON;
            } else {
                return cli_usage_error(prog, usage_line, "--mask-format: expected keep, rle or polygon, got '%s'",
                                   optarg);
            }
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "jpg") == 0 || strcmp(optarg, "jpeg") == 0) {
                o.format = BMX_FORMAT_JPEG;
            } else if (strcmp(optarg, "png") == 0) {
                o.format = BMX_FORMAT_PNG;
            } else {
                return cli_usage_error(prog, usage_line, "--format: expected jpg or png, got '%s'", optarg);
            }
            break;
        case OPT_QUALITY:
            if (!cli_parse_u64(optarg, &u) || u < 1 || u > 100) {
                return cli_usage_error(prog, usage_line, "--quality: expected an integer 1..100, got '%s'", optarg);
            }
            o.quality = (int)u;
            break;
        case OPT_PNG_LEVEL:
            if (!cli_parse_u64(optarg, &u) || u > 9) {
                return cli_usage_error(prog, usage_line, "--png-level: expected an integer 0..9, got '%s'", optarg);
            }
            o.png_level = (int)u;
            png_level_given = true;
            break;
        case OPT_ORIGINALS:
            o.include_originals = true;
            break;
        case OPT_MAX_PIXELS:
            if (!cli_parse_u64(optarg, &u) || u == 0) {
                return cli_usage_error(prog, usage_line, "--max-pixels: expected a positive integer, got '%s'", optarg);
            }
            o.limits.max_image_pixels = u;
            break;
        case OPT_MEMORY_LIMIT:
            if (!cli_parse_bytes(optarg, &u) || u == 0) {
                return cli_usage_error(prog, usage_line, "--memory-limit: expected a positive size in bytes, optionally with K, M or G (1K = 1024), got '%s'", optarg);
            }
            o.memory_limit = u;
            break;
        case OPT_FORCE:
            o.force = true;
            break;
        case OPT_THREADS:
            if (!cli_parse_u64(optarg, &u) || u == 0 || u > 256) {
                return cli_usage_error(prog, usage_line, "--threads: expected an integer 1..256, got '%s'", optarg);
            }
            o.threads = (unsigned)u;
            break;
        case OPT_DRY_RUN:
            o.dry_run = true;
            break;
        case OPT_RESUME:
            o.resume = true;
            break;
        case OPT_SKIP_BAD:
            o.skip_bad = true;
            break;
        case OPT_REPORT:
            o.report = optarg;
            break;
        case OPT_DECISIONS:
            o.decisions = optarg;
            break;
        case OPT_SHARD: {
            char buf[64];
            snprintf(buf, sizeof buf, "%s", optarg);
            char *slash = strchr(buf, '/');
            uint64_t si, sn;
            if (slash == NULL) {
                return cli_usage_error(prog, usage_line, "--shard: expected I/N, got '%s'", optarg);
            }
            *slash = '\0';
            if (!cli_parse_u64(buf, &si) || !cli_parse_u64(slash + 1, &sn) || sn == 0 || si >= sn) {
                return cli_usage_error(prog, usage_line, "--shard: expected I/N with 0 <= I < N, got '%s'", optarg);
            }
            o.shard_index = si;
            o.shard_count = sn;
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
    int bad = cli_yolo_input(prog, usage_line, &o.input, yolo, names, yolo_outside, annotations, voc,
                             o.out);
    if (bad > 0) {
        return bad;
    }
    const char *out_split = NULL;
    if (bad < 0 && voc == NULL && out_format_set && o.out_format == BMX_DATASET_YOLO) {
        /* COCO input, YOLO output: --split names the split written. */
        out_split = o.input.voc_split;
        o.input.voc_split = NULL;
    }
    if (bad < 0) {
        bad = cli_check_input(prog, usage_line, annotations, o.input.images, voc, o.input.voc_split,
                              o.input.labels, o.out);
        if (bad != 0) {
            return bad;
        }
        cli_set_input(&o.input, annotations, voc);
    } else {
        o.input.yolo_read = &yread;
    }
    if (!out_format_set) {
        o.out_format = o.input.format;
    }
    if (have_task && o.out_format != BMX_DATASET_YOLO) {
        return cli_usage_error(prog, usage_line, "%s", "--yolo-task goes with YOLO output (--out-format yolo)");
    }
    if (o.out_format == BMX_DATASET_YOLO) {
        o.yolo_written = &ywrote;
        if (o.input.format == BMX_DATASET_VOC) {
            o.yolo_split = o.input.voc_split; /* a VOC split's name names the YOLO split */
        } else if (o.input.format == BMX_DATASET_COCO) {
            o.yolo_split = out_split;
        }
    }
    if (have_count && have_per_image) {
        return cli_usage_error(prog, usage_line, "%s", "--count and --per-image exclude each other");
    }
    if (o.resume && o.force) {
        return cli_usage_error(prog, usage_line, "%s", "--resume and --force exclude each other");
    }
    if (png_level_given && o.format != BMX_FORMAT_PNG) {
        return cli_usage_error(prog, usage_line, "%s", "--png-level needs --format png");
    }
    if (png_level_given && !bmx_have_spng()) {
        return cli_usage_error(prog, usage_line, "%s",
                               "--png-level: this boxmix was built without libspng; "
                               "stb_image_write writes PNG at its own level");
    }
    /* The operations: the recipe (the options above its entries' defaults), or
     * --op and its options as a one-entry recipe; classic CutMix needs none. */
    op.cutmix = o.cutmix;
    struct bmx_recipe_entry *recipe = NULL;
    size_t recipe_len = 0;
    if (recipe_path != NULL) {
        if (flags[0].given) {
            return cli_usage_error(prog, usage_line, "%s", "--op and --recipe exclude each other (a recipe names its operations)");
        }
        if (op.source_fit == BMX_FIT_CROP) {
            return cli_usage_error(prog, usage_line, "%s", "--source-fit crop goes with --op cutmix, not with a recipe's defaults (set it in the recipe's cutmix entries)");
        }
        bmx_error rerr = {0};
        if (bmx_recipe_read(recipe_path, &op, &recipe, &recipe_len, &rerr) != BMX_OK) {
            fprintf(stderr, "%s: %s\n", prog, rerr.message);
            return 1;
        }
        o.recipe = recipe;
        o.recipe_len = recipe_len;
    } else {
        const char *wrong = misplaced(flags, n_flags, op.op);
        if (wrong != NULL) {
            char msg[96];
            snprintf(msg, sizeof msg, "%s does not apply to --op %s", wrong, bmx_op_name(op.op));
            return cli_usage_error(prog, usage_line, "%s", msg);
        }
        if (flags[OPT_MIX_ALPHA - OPT_OP].given && flags[OPT_MIX_RATIO - OPT_OP].given) {
            return cli_usage_error(prog, usage_line, "%s", "--mix-alpha does nothing with --mix-ratio (lambda is fixed): give one of them");
        }
        if (op.source_fit == BMX_FIT_CROP && op.op != BMX_OP_CUTMIX) {
            return cli_usage_error(prog, usage_line, "--source-fit crop goes with --op cutmix only, not %s", bmx_op_name(op.op)); /* known name */
        }
        if (op.op != BMX_OP_CUTMIX || op.source_fit != BMX_FIT_RESIZE) {
            recipe = malloc(sizeof *recipe);
            if (recipe == NULL) {
                fprintf(stderr, "%s: out of memory\n", prog);
                return 1;
            }
            recipe->weight = 1.0;
            recipe->op = op;
            o.recipe = recipe;
            o.recipe_len = 1;
        }
    }
    o.cancel = cli_catch_signals();
    struct cli_progress pg;
    cli_progress_init(&pg, prog, progress);
    if (cli_progress_on(&pg)) {
        o.progress = cli_progress_report;
        o.progress_ctx = &pg;
    }
    o.notice = say_notice;
    struct bmx_job_summary sum;
    bmx_error err = {0};
    bmx_status st = bmx_job_run(&o, &sum, &err);
    cli_progress_end(&pg);
    free(recipe);
    if (st != BMX_OK) {
        fprintf(stderr, "%s: %s\n", prog, err.message[0] ? err.message : bmx_strerror(st));
        return st == BMX_E_INTERRUPTED ? 130 : 1;
    }
    if (yread.unlabelled > 0) {
        fprintf(stderr, "%s: %" PRIu64 " of %" PRIu64 " input images have no label file: read as images without objects\n",
                prog, yread.unlabelled, yread.images);
    }
    if (yread.duplicates > 0) {
        fprintf(stderr, "%s: %" PRIu64 " duplicate label %s dropped\n", prog, yread.duplicates,
                cli_plural(yread.duplicates, "row", "rows"));
    }
    if (ywrote.crowd > 0) {
        fprintf(stderr, "%s: %" PRIu64 " crowd %s left out of the YOLO labels: YOLO cannot mark ignore regions\n",
                prog, ywrote.crowd, cli_plural(ywrote.crowd, "object", "objects"));
    }
    if (ywrote.masks_dropped > 0) {
        fprintf(stderr, "%s: %" PRIu64 " objects had masks; detect rows cannot carry them: wrote their boxes only\n",
                prog, ywrote.masks_dropped);
    }
    if (sum.skipped_images > 0) {
        fprintf(stderr, "%s: left out %" PRIu64 " bad input images%s\n", prog, sum.skipped_images,
                o.report != NULL ? " (listed in the report)" : "");
    }
    if (!quiet && sum.resumed > 0) {
        printf("%s: resumed: %" PRIu64 " outputs were already complete\n", prog, sum.resumed);
    }
    if (!quiet) {
        printf("%s: wrote %" PRIu64 " samples%s%s to %s; objects: %" PRIu64 " kept whole, %" PRIu64
               " clipped, %" PRIu64 " dropped; %" PRIu64 " kept objects carry masks\n",
               prog, sum.samples, o.include_originals ? " and their originals" : "",
               o.dry_run ? " (annotations only, dry run)" : "", o.out,
               sum.kept_whole, sum.clipped, sum.dropped, sum.masked);
    }
    if (!quiet && o.recipe != NULL) {
        char line[256] = "";
        size_t at = 0;
        for (int q = 0; q < BMX_OP_COUNT; q++) {
            if (sum.per_op[q] > 0 && at < sizeof line) {
                at += (size_t)snprintf(line + at, sizeof line - at, "%s%s %" PRIu64,
                                       at > 0 ? ", " : "", bmx_op_name((enum bmx_op)q),
                                       sum.per_op[q]);
            }
        }
        printf("%s: outputs per operation: %s\n", prog, at > 0 ? line : "none");
    }
    if (!quiet && sum.not_pasted_no_mask > 0) {
        printf("%s: copypaste: %" PRIu64 " source %s without a mask never pasted\n", prog,
               sum.not_pasted_no_mask, cli_plural(sum.not_pasted_no_mask, "object", "objects"));
    }
    if (!quiet && sum.with_keypoints > 0) {
        printf("%s: keypoints: %" PRIu64 " kept objects carry them; %" PRIu64
               " labelled keypoints hidden by the patches (made v = 0)\n",
               prog, sum.with_keypoints, sum.keypoints_hidden);
    }
    if (!quiet && sum.holes_filled > 0) {
        printf("%s: --mask-format polygon filled %" PRIu64
               " holes in RLE masks (COCO polygons cannot carry holes)\n",
               prog, sum.holes_filled);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write to standard output\n", prog);
        return 1;
    }
    return 0;
}
