/* SPDX-License-Identifier: MIT */
/* boxmix-merge: join the output folders of a sharded boxmix-augment run. */
#include <boxmix.h>

#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *prog = "boxmix-merge";

static void usage_line(FILE *f)
{
    fprintf(f, "usage: %s [--force] [--link] [--progress MODE] OUT SHARD...\n", prog);
}

static void help(void)
{
    usage_line(stdout);
    printf("\n"
           "Joins the output folders of a run split with boxmix-augment --shard I/N into\n"
           "one dataset in OUT, byte-identical to the same run made without shards, for\n"
           "every output format (COCO, VOC, YOLO).\n"
           "\n"
           "example:\n"
           "  for i in 0 1 2 3; do\n"
           "    boxmix-augment --annotations a.json --images img --out run/$i --shard $i/4 --seed 7\n"
           "  done\n"
           "  %s merged run/0 run/1 run/2 run/3\n"
           "\n"
           "options:\n"
           "  --force      write into a folder that already holds a dataset\n"
           "  --link       hard-link the image files instead of copying them\n"
           "  --quiet      no summary line\n"
           "  --progress MODE\n"
           "               auto (default: a line on stderr when it is a terminal),\n"
           "               line, json (one JSON object a second on stderr), none\n"
           "  --help       this help\n"
           "  --version    the version\n"
           "\n"
           "Only shards of one run are joined: each shard's .boxmix-journal must be\n"
           "finished and name the same inputs, options, seed and count; every shard given\n"
           "once; every file the one its journal lists.\n"
           "\n"
           "exit status: 0 success, 1 bad input or runtime error, 2 usage error,\n"
           "130 interrupted (SIGINT/SIGTERM)\n",
           prog);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"force", no_argument, NULL, 'f'},  {"link", no_argument, NULL, 'l'},
        {"quiet", no_argument, NULL, 'q'},  {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'}, {"progress", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    enum cli_progress_mode progress = CLI_PROGRESS_AUTO;
    bool force = false, link_files = false, quiet = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            force = true;
            break;
        case 'l':
            link_files = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'p':
            if (!cli_parse_progress(optarg, &progress)) {
                return cli_usage_error(prog, usage_line, "--progress: expected auto, line, json or none, got '%s'", optarg);
            }
            break;
        case 'h':
            help();
            return cli_stdout_status();
        case 'V':
            return cli_version(prog);
        default:
            return cli_usage_error(prog, usage_line, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind < 2) {
        return cli_usage_error(prog, usage_line, "%s", "an output folder and at least one shard folder are required");
    }
    struct bmx_merge_summary sum;
    bmx_error err = {0};
    const char *out = argv[optind];
    struct bmx_merge_options mo;
    bmx_merge_options_init(&mo);
    mo.out = out;
    mo.shards = (const char *const *)(argv + optind + 1);
    mo.n_shards = (size_t)(argc - optind - 1);
    mo.force = force;
    mo.link = link_files;
    mo.cancel = cli_catch_signals();
    struct cli_progress pg;
    cli_progress_init(&pg, prog, progress);
    if (cli_progress_on(&pg)) {
        mo.progress = cli_progress_report;
        mo.progress_ctx = &pg;
    }
    bmx_status st = bmx_merge_run(&mo, &sum, &err);
    cli_progress_end(&pg);
    if (st != BMX_OK) {
        fprintf(stderr, "%s: %s\n", prog, err.message[0] ? err.message : bmx_strerror(st));
        return st == BMX_E_INTERRUPTED ? 130 : 1;
    }
    if (!quiet) {
        printf("%s: merged %d shards into %s: %" PRIu64 " samples, %" PRIu64 " originals, %" PRIu64
               " annotations\n",
               prog, argc - optind - 1, out, sum.samples, sum.originals, sum.annotations);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write to standard output\n", prog);
        return 1;
    }
    return 0;
}
