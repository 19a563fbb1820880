/* SPDX-License-Identifier: MIT */
/* What the command-line tools share (cli.h). */
#include "cli.h"

#include <boxmix.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Set by SIGINT/SIGTERM: the library stops at its next safe point. One per
 * process, as signals are. */
static volatile int interrupted;
/* For cli_exit_on_signals: what the handler writes before it exits. */
static char exit_message[128];

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void on_signal_exit(int sig)
{
    (void)sig;
    ssize_t n = write(STDERR_FILENO, exit_message, strlen(exit_message));
    (void)n;
    _exit(130);
}

static void catch_signals(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

volatile const int *cli_catch_signals(void)
{
    catch_signals(on_signal);
    return &interrupted;
}

void cli_exit_on_signals(const char *prog)
{
    snprintf(exit_message, sizeof exit_message, "%s: interrupted\n", prog);
    catch_signals(on_signal_exit);
}

int cli_usage_error(const char *prog, void (*usage_line)(FILE *), const char *fmt,
                    const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    usage_line(stderr);
    fprintf(stderr, "try '%s --help'\n", prog);
    return 2;
}

int cli_stdout_status(void)
{
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

int cli_version(const char *prog)
{
    printf("%s %s\n", prog, bmx_version());
    return cli_stdout_status();
}

int cli_bad_option(const char *prog, void (*usage_line)(FILE *), char **argv)
{
    if (optopt != 0) {
        return cli_usage_error(prog, usage_line, "option needs an argument or is unknown: '%s'",
                               argv[optind - 1]);
    }
    return cli_usage_error(prog, usage_line, "unknown option '%s'", argv[optind - 1]);
}

int cli_check_input(const char *prog, void (*usage_line)(FILE *), const char *annotations,
                    const char *images, const char *voc, const char *split, const char *labels,
                    const char *out)
{
    if (annotations != NULL && voc != NULL) {
        return cli_usage_error(prog, usage_line, "%s", "--annotations and --voc exclude each other");
    }
    if (out == NULL || (voc == NULL && (annotations == NULL || images == NULL))) {
        return cli_usage_error(prog, usage_line, "%s",
                               "--out and either --annotations with --images or --voc are required");
    }
    if ((split != NULL || labels != NULL) && voc == NULL) {
        return cli_usage_error(prog, usage_line, "%s", "--split and --labels apply to --voc input");
    }
    return 0;
}

void cli_set_input(struct bmx_input *in, const char *annotations, const char *voc)
{
    in->format = voc != NULL ? BMX_DATASET_VOC : BMX_DATASET_COCO;
    in->annotations = voc != NULL ? voc : annotations;
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
    /* strtoull would take a sign ("-1" wraps around) and leading spaces. */
    if (*s < '0' || *s > '9') {
        return false;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0') {
        return false;
    }
#if ULLONG_MAX > UINT64_MAX
    if (v > UINT64_MAX) {
        return false;
    }
#endif
    *out = (uint64_t)v;
    return true;
}

bool cli_parse_bytes(const char *s, uint64_t *out)
{
    char digits[32];
    size_t n = strlen(s);
    uint64_t unit = 1;
    if (n > 0) {
        switch (s[n - 1]) {
        case 'K':
        case 'k':
            unit = UINT64_C(1) << 10;
            break;
        case 'M':
        case 'm':
            unit = UINT64_C(1) << 20;
            break;
        case 'G':
        case 'g':
            unit = UINT64_C(1) << 30;
            break;
        default:
            break;
        }
    }
    if (unit > 1) {
        n--;
    }
    if (n == 0 || n >= sizeof digits) {
        return false;
    }
    memcpy(digits, s, n);
    digits[n] = '\0';
    uint64_t v;
    if (!cli_parse_u64(digits, &v) || v > UINT64_MAX / unit) {
        return false;
    }
    *out = v * unit;
    return true;
}

bool cli_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || end == s || !isfinite(v)) {
        return false;
    }
    *out = v;
    return true;
}

const char *cli_plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}
