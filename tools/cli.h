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

/* Catch SIGINT and SIGTERM: the flag returned is set, and the library, given it
 * as its `cancel`, stops at its next safe point (the tool then exits 130). */
volatile const int *cli_catch_signals(void);

/* For a tool that writes nothing: SIGINT or SIGTERM prints "PROG: interrupted"
 * and exits 130 at once. */
void cli_exit_on_signals(const char *prog);

/* `one` when n is 1, else `many`. */
const char *cli_plural(uint64_t n, const char *one, const char *many);

#endif
