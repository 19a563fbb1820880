/* SPDX-License-Identifier: MIT */
/* boxmix-check: list every problem of a COCO, Pascal VOC or YOLO detection dataset. */
#include <boxmix.h>

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog = "boxmix-check";

static void usage_line(FILE *f)
{
    fprintf(f, "usage: %s [options] FILE\n"
               "       %s [options] --voc DIR|XML [--split NAME] [--labels FILE]\n"
               "       %s [options] --yolo data.yaml|DIR [--split NAME] [--names FILE]\n"
               "       %s --stats [--json] [--decisions FILE] FILE|--voc DIR|XML|--yolo ...\n",
            prog, prog, prog, prog);
}

static void help(void)
{
    usage_line(stdout);
    printf("\n"
           "Checks a COCO detection file, a Pascal VOC dataset or a YOLO dataset and lists\n"
           "every problem, not only the first: one line per problem, \"FILE: PATH:\n"
           "error|warning: message [code]\", then a summary. PATH is a JSON path for COCO,\n"
           "an XML element path (annotation/object[2]/bndbox/xmax) for VOC, \"line N\" (or\n"
           "\"file\") of a label file or the data.yaml for YOLO. Errors are what boxmix's\n"
           "reader or a trainer would refuse or get wrong; warnings are suspicious values\n"
           "and known quirks. With --images (VOC: or a JPEGImages/ folder; YOLO: always),\n"
           "every image file is found and its header read (--decode: decoded).\n"
           "\n"
           "examples:\n"
           "  %s --images samples/images samples/coco/annotations.json\n"
           "  %s --voc samples/voc --split train --images samples/images\n"
           "  %s --yolo samples/yolo/segment/data.yaml\n"
           "\n"
           "options:\n"
           "  --annotations FILE     the COCO JSON to check (or give it as FILE)\n"
           "  --voc DIR|XML          check a VOC folder (Annotations/, ImageSets/Main/,\n"
           "                         JPEGImages/) or one VOC XML file instead\n"
           "  --split NAME           VOC: the XMLs listed in ImageSets/Main/NAME.txt\n"
           "                         (default: every Annotations/*.xml); YOLO: the\n"
           "                         data.yaml split (train, val, test; default train)\n"
           "  --labels FILE          VOC: allowed object names, one per line\n"
           "  --yolo PATH            check a YOLO data.yaml (its split, default train), or a\n"
           "                         folder holding images/ and labels/ (with --names);\n"
           "                         every image's header and every label file's rows\n"
           "  --names FILE           YOLO folder: class names, one per line, in class order\n"
           "  --yolo-allow-outside   YOLO: accept data.yaml paths outside the dataset's root\n"
           "  --images DIR           folder the image file names are relative to: check the\n"
           "                         image files exist and have the recorded size (VOC\n"
           "                         default: DIR/JPEGImages when it exists)\n"
           "  --decode               decode every image fully (needs an image folder)\n"
           "  --strict               count warnings as errors\n"
           "  --json                 print JSON lines: one object per problem, then\n"
           "                         {\"summary\": {...}}\n"
           "  --max-problems N       print at most N problems (default 1000, 0: all);\n"
           "                         all are counted\n"
           "  --max-pixels N         report images (records and files) larger than N pixels\n"
           "                         (default 178956970)\n"
           "  --progress MODE        auto (default: a line on stderr when it is a terminal),\n"
           "                         line, json (one JSON object a second on stderr), none\n"
           "  --stats                print the dataset's statistics instead of its problems:\n"
           "                         images, objects per category and per image, box sizes\n"
           "                         and COCO's small/medium/large, masks, crowd; on a boxmix\n"
           "                         output also operations, lambda, visibility (with --json:\n"
           "                         one JSON document, schemas/stats.schema.json)\n"
           "  --decisions FILE       with --stats: the run's decision log (boxmix-augment\n"
           "                         --decisions): kept, clipped, dropped per category\n"
           "  --help                 this help\n"
           "  --version              the version\n"
           "\n"
           "exit status: 0 no error, 1 errors found (or the file cannot be read), 2 usage\n"
           "error, 130 interrupted (SIGINT/SIGTERM)\n",
           prog, prog, prog);
}

/* A JSON string literal. Runs of characters that need no escape are written in
 * one call: with --json --max-problems 0 a broken file gives millions of lines. */
static void put_json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const unsigned char *run = p;
        while (*p >= 0x20 && *p != '"' && *p != '\\') {
            p++;
        }
        if (p > run) {
            fwrite(run, 1, (size_t)(p - run), stdout);
        }
        if (*p == '\0') {
            break;
        }
        switch (*p) {
        case '"':
            fputs("\\\"", stdout);
            break;
        case '\\':
            fputs("\\\\", stdout);
            break;
        case '\n':
            fputs("\\n", stdout);
            break;
        case '\r':
            fputs("\\r", stdout);
            break;
        case '\t':
            fputs("\\t", stdout);
            break;
        default:
            if (*p < 0x20) {
                printf("\\u%04x", *p);
            } else {
                putchar(*p);
            }
        }
    }
    putchar('"');
}

struct printer {
    struct cli_progress *progress; /* its line is erased before a problem is printed */
    bool json;
    uint64_t max; /* 0: no limit */
    uint64_t shown;
    uint64_t hidden;
};

static void print_problem(const struct bmx_problem *p, void *ctx)
{
    struct printer *pr = ctx;
    if (pr->max != 0 && pr->shown >= pr->max) {
        pr->hidden++;
        return;
    }
    pr->shown++;
    cli_progress_before_stdout(pr->progress);
    if (pr->json) {
        fputs("{\"file\":", stdout);
        put_json_string(p->file);
        fputs(",\"path\":", stdout);
        put_json_string(p->path);
        fputs(",\"severity\":", stdout);
        put_json_string(bmx_severity_name(p->severity));
        fputs(",\"code\":", stdout);
        put_json_string(p->code);
        fputs(",\"message\":", stdout);
        put_json_string(p->message);
        fputs("}\n", stdout);
    } else {
        printf("%s: %s: %s: %s [%s]\n", p->file, p->path, bmx_severity_name(p->severity),
               p->message, p->code);
    }
}

/* --stats: the statistics of the dataset (and its decision log), as text or JSON. */
static int print_stats(const struct bmx_check_options *co, const char *decisions, bool json)
{
    struct bmx_stats_options so;
    bmx_stats_options_init(&so);
    so.input = co->input;
    so.limits = co->limits;
    so.decisions = decisions;
    bmx_stats *stats = NULL;
    bmx_error err = {0};
    char *text = NULL;
    size_t len = 0;
    cli_exit_on_signals(prog);
    bmx_status st = bmx_stats_compute(&so, &stats, &err);
    if (st == BMX_OK) {
        st = json ? bmx_stats_json(stats, &text, &len, &err)
                  : bmx_stats_text(stats, &text, &len, &err);
    }
    bmx_stats_free(stats);
    if (st != BMX_OK) {
        fprintf(stderr, "%s: %s\n", prog, err.message[0] ? err.message : bmx_strerror(st));
        return 1;
    }
    fwrite(text, 1, len, stdout);
    free(text);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write to standard output\n", prog);
        return 1;
    }
    return 0;
}

enum {
    OPT_ANN = 256,
    OPT_VOC,
    OPT_SPLIT,
    OPT_LABELS,
    OPT_IMAGES,
    OPT_DECODE,
    OPT_STRICT,
    OPT_JSON,
    OPT_MAX_PROBLEMS,
    OPT_MAX_PIXELS,
    OPT_PROGRESS,
    OPT_STATS,
    OPT_DECISIONS,
    OPT_HELP,
    OPT_VERSION,
    OPT_YOLO,
    OPT_NAMES,
    OPT_YOLO_OUTSIDE
};

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"annotations", required_argument, NULL, OPT_ANN},
        {"voc", required_argument, NULL, OPT_VOC},
        {"split", required_argument, NULL, OPT_SPLIT},
        {"labels", required_argument, NULL, OPT_LABELS},
        {"images", required_argument, NULL, OPT_IMAGES},
        {"decode", no_argument, NULL, OPT_DECODE},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"json", no_argument, NULL, OPT_JSON},
        {"max-problems", required_argument, NULL, OPT_MAX_PROBLEMS},
        {"max-pixels", required_argument, NULL, OPT_MAX_PIXELS},
        {"progress", required_argument, NULL, OPT_PROGRESS},
        {"stats", no_argument, NULL, OPT_STATS},
        {"decisions", required_argument, NULL, OPT_DECISIONS},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {"yolo", required_argument, NULL, OPT_YOLO},
        {"names", required_argument, NULL, OPT_NAMES},
        {"yolo-allow-outside", no_argument, NULL, OPT_YOLO_OUTSIDE},
        {NULL, 0, NULL, 0},
    };
    struct bmx_check_options o;
    bmx_check_options_init(&o);
    struct printer pr = {.max = 1000};
    enum cli_progress_mode progress = CLI_PROGRESS_AUTO;
    const char *voc = NULL, *yolo = NULL;
    bool stats = false, max_given = false, progress_given = false;
    const char *decisions = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        uint64_t u;
        switch (c) {
        case OPT_ANN:
            if (o.input.annotations != NULL) {
                return cli_usage_error(prog, usage_line, "%s", "give one annotation file");
            }
            o.input.annotations = optarg;
            break;
        case OPT_VOC:
            if (voc != NULL) {
                return cli_usage_error(prog, usage_line, "%s", "give one VOC folder or file");
            }
            voc = optarg;
            break;
        case OPT_SPLIT:
            o.input.voc_split = optarg;
            break;
        case OPT_YOLO:
            if (yolo != NULL) {
                return cli_usage_error(prog, usage_line, "%s", "give one YOLO data.yaml or folder");
            }
            yolo = optarg;
            break;
        case OPT_NAMES:
            o.input.yolo_names = optarg;
            break;
        case OPT_YOLO_OUTSIDE:
            o.input.yolo_allow_outside = true;
            break;
        case OPT_LABELS:
            o.input.labels = optarg;
            break;
        case OPT_IMAGES:
            o.input.images = optarg;
            break;
        case OPT_DECODE:
            o.decode = true;
            break;
        case OPT_STRICT:
            o.strict = true;
            break;
        case OPT_JSON:
            pr.json = true;
            break;
        case OPT_MAX_PROBLEMS:
            if (!cli_parse_u64(optarg, &u)) {
                return cli_usage_error(prog, usage_line, "--max-problems: expected an integer >= 0, got '%s'", optarg);
            }
            pr.max = u;
            max_given = true;
            break;
        case OPT_STATS:
            stats = true;
            break;
        case OPT_DECISIONS:
            decisions = optarg;
            break;
        case OPT_MAX_PIXELS:
            if (!cli_parse_u64(optarg, &u) || u == 0) {
                return cli_usage_error(prog, usage_line, "--max-pixels: expected a positive integer, got '%s'", optarg);
            }
            o.limits.max_image_pixels = u;
            break;
        case OPT_PROGRESS:
            if (!cli_parse_progress(optarg, &progress)) {
                return cli_usage_error(prog, usage_line, "--progress: expected auto, line, json or none, got '%s'", optarg);
            }
            progress_given = true;
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
        if (o.input.annotations != NULL || optind + 1 < argc) {
            return cli_usage_error(prog, usage_line, "%s", "give one annotation file");
        }
        o.input.annotations = argv[optind];
    }
    if (yolo != NULL) {
        if (o.input.annotations != NULL || voc != NULL) {
            return cli_usage_error(prog, usage_line, "%s", "give one of a COCO file, --voc and --yolo");
        }
        if (o.input.labels != NULL || o.input.images != NULL) {
            return cli_usage_error(prog, usage_line, "%s", "--labels and --images do not go with --yolo");
        }
        o.input.format = BMX_DATASET_YOLO;
        o.input.annotations = yolo;
        o.input.yolo_split = o.input.voc_split;
        o.input.voc_split = NULL;
    } else if (o.input.yolo_names != NULL || o.input.yolo_allow_outside) {
        return cli_usage_error(prog, usage_line, "%s", "--names and --yolo-allow-outside need --yolo");
    } else if (voc != NULL) {
        if (o.input.annotations != NULL) {
            return cli_usage_error(prog, usage_line, "%s", "give either a COCO file or --voc, not both");
        }
        o.input.format = BMX_DATASET_VOC;
        o.input.annotations = voc;
    } else if (o.input.voc_split != NULL || o.input.labels != NULL) {
        return cli_usage_error(prog, usage_line, "%s", "--split and --labels need --voc");
    }
    if (o.input.annotations == NULL) {
        return cli_usage_error(prog, usage_line, "%s", "no annotation file given");
    }
    if (decisions != NULL && !stats) {
        return cli_usage_error(prog, usage_line, "%s", "--decisions needs --stats");
    }
    if (stats && (o.decode || o.strict || max_given || progress_given || o.input.images != NULL)) {
        return cli_usage_error(prog, usage_line, "%s",
                               "--stats reads annotations only: --images, --decode, --strict, "
                               "--max-problems and --progress belong to the problem check");
    }
    if (stats) {
        return print_stats(&o, decisions, pr.json);
    }
    if (o.decode && o.input.images == NULL && voc == NULL && yolo == NULL) {
        return cli_usage_error(prog, usage_line, "%s", "--decode needs --images");
    }

    /* Problems can number millions: write them in large blocks when they go to a
     * file or a pipe (a terminal keeps its line buffering). */
    if (!isatty(fileno(stdout))) {
        setvbuf(stdout, NULL, _IOFBF, (size_t)1 << 16);
    }
    struct bmx_check_summary sum;
    bmx_error err = {0};
    cli_exit_on_signals(prog);
    struct cli_progress pg;
    cli_progress_init(&pg, prog, progress);
    pr.progress = &pg;
    if (cli_progress_on(&pg)) {
        o.progress = cli_progress_report;
        o.progress_ctx = &pg;
    }
    bmx_status st = bmx_check_run(&o, print_problem, &pr, &sum, &err);
    cli_progress_end(&pg);
    if (st != BMX_OK) {
        fflush(stdout);
        fprintf(stderr, "%s: %s\n", prog, err.message[0] ? err.message : bmx_strerror(st));
        return 1;
    }
    if (pr.json) {
        printf("{\"summary\":{\"file\":");
        put_json_string(o.input.annotations);
        printf(",\"errors\":%" PRIu64 ",\"warnings\":%" PRIu64 ",\"images\":%" PRIu64
               ",\"annotations\":%" PRIu64 ",\"categories\":%" PRIu64 ",\"image_files\":%" PRIu64
               ",\"not_shown\":%" PRIu64 "}}\n",
               sum.errors, sum.warnings, sum.images, sum.annotations, sum.categories,
               sum.image_files, pr.hidden);
    } else {
        if (pr.hidden > 0) {
            printf("%s: %" PRIu64 " more %s not shown (--max-problems %" PRIu64 ")\n", prog,
                   pr.hidden, cli_plural(pr.hidden, "problem", "problems"), pr.max);
        }
        printf("%s: %" PRIu64 " %s, %" PRIu64 " %s in %" PRIu64 " %s, %" PRIu64 " %s\n", prog,
               sum.errors, cli_plural(sum.errors, "error", "errors"), sum.warnings,
               cli_plural(sum.warnings, "warning", "warnings"), sum.images,
               cli_plural(sum.images, "image", "images"), sum.annotations,
               cli_plural(sum.annotations, "annotation", "annotations"));
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write to standard output\n", prog);
        return 1;
    }
    return sum.errors > 0 ? 1 : 0;
}
