/* SPDX-License-Identifier: MIT */
/* What the command-line tools share: the usage-error report and strict parsing of
 * option values. Not part of the library. */
#ifndef BOXMIX_CLI_H
#define BOXMIX_CLI_H

#include <boxmix.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* "PROG: MESSAGE", the tool's usage line and a pointer to --help, on stderr;
 * returns 2, the usage-error exit status. `fmt` takes `arg` as its one %s. */
int cli_usage_error(const char *prog, void (*usage_line)(FILE *), const char *fmt,
                    const char *arg);

/* A whole decimal number 0..2^64-1: no sign, no spaces, nothing after it. */
bool cli_parse_u64(const char *s, uint64_t *out);

/* A size in bytes: a whole decimal number, optionally followed by K, M or G
 * (binary: 1K = 1024), e.g. 512M; no sign, no spaces. False on overflow too. */
bool cli_parse_bytes(const char *s, uint64_t *out);

/* A whole finite number (strtod's syntax, nothing after it). */
bool cli_parse_double(const char *s, double *out);

/* The exit status once --help text is written: 0, or 1 when stdout failed. */
int cli_stdout_status(void);

/* --version: "PROG VERSION" on stdout; the exit status as cli_stdout_status. */
int cli_version(const char *prog);

/* getopt_long returned '?' for argv[optind - 1]: the usage error saying so. */
int cli_bad_option(const char *prog, void (*usage_line)(FILE *), char **argv);

/* The input options augment and draw share: --annotations with --images, or --voc
 * (with --split and --labels only then), and --out. 0 when they fit together, else
 * the usage error (2). */
int cli_check_input(const char *prog, void (*usage_line)(FILE *), const char *annotations,
                    const char *images, const char *voc, const char *split, const char *labels,
                    const char *out);

/* After cli_check_input: `in` reads what --voc names (VOC), else --annotations (COCO). */
void cli_set_input(struct bmx_input *in, const char *annotations, const char *voc);

/* The YOLO input options augment and draw share: --yolo PATH (a data.yaml or a
 * folder), --names FILE (a folder's class names), --split NAME, --yolo-allow-outside.
 * When `yolo` is NULL: -1 (not a YOLO input; --names and --yolo-allow-outside then
 * are usage errors: 2). Else 0 with `in` set, or the usage error (2) when another
 * input option (--annotations, --voc, --images, --labels) is given too, or --out is
 * missing. */
int cli_yolo_input(const char *prog, void (*usage_line)(FILE *), struct bmx_input *in,
                   const char *yolo, const char *names, bool allow_outside,
                   const char *annotations, const char *voc, const char *out);

/* Catch SIGINT and SIGTERM: the flag returned is set, and the library, given it
 * as its `cancel`, stops at its next safe point (the tool then exits 130). */
volatile const int *cli_catch_signals(void);

/* For a tool that writes nothing: SIGINT or SIGTERM prints "PROG: interrupted"
 * and exits 130 at once. */
void cli_exit_on_signals(const char *prog);

/* --progress: where a long job shows how far it is (README, Progress). */
enum cli_progress_mode {
    CLI_PROGRESS_AUTO, /* the line when stderr is a terminal, else nothing (default) */
    CLI_PROGRESS_LINE, /* one updating line on stderr, terminal or not */
    CLI_PROGRESS_JSON, /* one JSON object a second on stderr, and one at each stage's end */
    CLI_PROGRESS_NONE  /* nothing */
};

/* The display of one run's progress: a job's `progress_ctx`, with cli_progress_report
 * as its `progress`. */
struct cli_progress {
    const char *prog;
    enum cli_progress_mode mode; /* LINE, JSON or NONE once AUTO is resolved */
    bool stdout_tty;             /* stdout shares the terminal: clear the line first */
    bool in_stage;               /* a stage was reported */
    unsigned stage_index;
    double stage_start;          /* monotonic seconds */
    double last_out;             /* when the line or object was last written */
    size_t line_len;             /* characters of the line on screen, 0 when none */
};

/* "auto", "line", "json" or "none". */
bool cli_parse_progress(const char *s, enum cli_progress_mode *mode);

/* Set up the display (AUTO becomes LINE when stderr is a terminal, else NONE). */
void cli_progress_init(struct cli_progress *pg, const char *prog, enum cli_progress_mode mode);

/* Whether the display shows anything: when it does, give the job
 * cli_progress_report and `pg`; when not, leave its callback NULL. */
bool cli_progress_on(const struct cli_progress *pg);

/* A job's progress callback (`ctx` is the struct cli_progress). */
void cli_progress_report(const struct bmx_progress *p, void *ctx);

/* Before writing a line to stdout: when stdout is the terminal the progress line
 * is on, erase that line (the next report draws it again). */
void cli_progress_before_stdout(struct cli_progress *pg);

/* After the job returned, whatever it returned: end a line left open (an error
 * or an interrupt stopped a stage) with a newline, so messages start on their own. */
void cli_progress_end(struct cli_progress *pg);

/* `one` when n is 1, else `many`. */
const char *cli_plural(uint64_t n, const char *one, const char *many);

#endif
