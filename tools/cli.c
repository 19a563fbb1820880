/* SPDX-License-Identifier: MIT */
/* What the command-line tools share (cli.h). */
#include "cli.h"

#include <boxmix.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* Set by SIGINT/SIGTERM: the library stops at its next safe point. One per
 * process, as signals are. */
static volatile int interrupted;
/* For cli_exit_on_signals: what the handler writes before it exits. */
static char exit_message[128];
/* A progress line is on stderr without its newline: the exiting handler ends it. */
static volatile sig_atomic_t line_open;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void on_signal_exit(int sig)
{
    (void)sig;
    ssize_t n = line_open ? write(STDERR_FILENO, "\n", 1) : 0;
    n = write(STDERR_FILENO, exit_message, strlen(exit_message));
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

int cli_yolo_input(const char *prog, void (*usage_line)(FILE *), struct bmx_input *in,
                   const char *yolo, const char *names, bool allow_outside,
                   const char *annotations, const char *voc, const char *out)
{
    if (yolo == NULL) {
        if (names != NULL || allow_outside) {
            return cli_usage_error(prog, usage_line, "%s", "--names and --yolo-allow-outside apply to --yolo input");
        }
        return -1;
    }
    if (annotations != NULL || voc != NULL || in->images != NULL || in->labels != NULL) {
        return cli_usage_error(prog, usage_line, "%s",
                               "--yolo excludes --annotations, --voc, --images and --labels");
    }
    if (out == NULL) {
        return cli_usage_error(prog, usage_line, "%s", "--out is required");
    }
    in->format = BMX_DATASET_YOLO;
    in->annotations = yolo;
    in->yolo_split = in->voc_split;
    in->voc_split = NULL;
    in->yolo_names = names;
    in->yolo_allow_outside = allow_outside;
    return 0;
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

bool cli_parse_progress(const char *s, enum cli_progress_mode *mode)
{
    static const char *const names[] = {"auto", "line", "json", "none"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *mode = (enum cli_progress_mode)i;
            return true;
        }
    }
    return false;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(struct cli_progress *pg, const char *prog, enum cli_progress_mode mode)
{
    memset(pg, 0, sizeof *pg);
    pg->prog = prog;
    if (mode == CLI_PROGRESS_AUTO) {
        mode = isatty(STDERR_FILENO) ? CLI_PROGRESS_LINE : CLI_PROGRESS_NONE;
    }
    pg->mode = mode;
    pg->stdout_tty = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
}

bool cli_progress_on(const struct cli_progress *pg)
{
    return pg->mode == CLI_PROGRESS_LINE || pg->mode == CLI_PROGRESS_JSON;
}

/* Seconds as M:SS, or H:MM:SS from an hour on. */
static void format_duration(char *buf, size_t cap, double s)
{
    uint64_t t = s > 0 && s < 1e12 ? (uint64_t)(s + 0.5) : 0;
    if (t >= 3600) {
        snprintf(buf, cap, "%" PRIu64 ":%02u:%02u", t / 3600, (unsigned)(t / 60 % 60),
                 (unsigned)(t % 60));
    } else {
        snprintf(buf, cap, "%u:%02u", (unsigned)(t / 60), (unsigned)(t % 60));
    }
}

/* The columns of the terminal on stderr (80 when unknown). */
static size_t terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) {
        return ws.ws_col;
    }
    return 80;
}

/* Write the progress line over the one on screen: carriage return, the text (cut
 * to `width`, one less than the terminal's, so it never wraps), spaces over what is left of the old
 * one, and a newline when the stage is over. One write, so it is never split. */
static void write_line(struct cli_progress *pg, const char *text, size_t width, bool last)
{
    char buf[512];
    size_t n = strlen(text);
    if (n > width) {
        n = width;
    }
    if (n > sizeof buf - 4) {
        n = sizeof buf - 4;
    }
    size_t len = 0;
    buf[len++] = '\r';
    memcpy(buf + len, text, n);
    len += n;
    for (size_t k = n; k < pg->line_len && len < sizeof buf - 2; k++) {
        buf[len++] = ' ';
    }
    if (last) {
        buf[len++] = '\n';
    }
    pg->line_len = last ? 0 : n;
    line_open = !last;
    ssize_t w = write(STDERR_FILENO, buf, len);
    (void)w;
}

void cli_progress_report(const struct bmx_progress *p, void *ctx)
{
    struct cli_progress *pg = ctx;
    double now = now_seconds();
    bool first = !pg->in_stage || p->stage_index != pg->stage_index;
    if (first) {
        if (pg->line_len > 0) {
            cli_progress_end(pg);
        }
        pg->in_stage = true;
        pg->stage_index = p->stage_index;
        pg->stage_start = now;
    }
    bool last = p->done >= p->total;
    double every = pg->mode == CLI_PROGRESS_JSON ? 1.0 : 0.25;
    if (!first && !last && now - pg->last_out < every) {
        return;
    }
    pg->last_out = now;
    double elapsed = now - pg->stage_start;
    bool known = p->done > 0 && elapsed > 0;
    double rate = known ? (double)p->done / elapsed : 0;
    double eta = last ? 0 : known ? (double)(p->total - p->done) / rate : -1;
    const char *unit = bmx_progress_unit_name(p->unit);
    char text[400];
    if (pg->mode == CLI_PROGRESS_JSON) {
        char eta_s[32];
        if (eta < 0) {
            snprintf(eta_s, sizeof eta_s, "null");
        } else {
            snprintf(eta_s, sizeof eta_s, "%.1f", eta);
        }
        snprintf(text, sizeof text,
                 "{\"stage\":\"%s\",\"unit\":\"%s\",\"done\":%" PRIu64 ",\"total\":%" PRIu64
                 ",\"rate\":%.2f,\"eta_s\":%s,\"elapsed_s\":%.1f}\n",
                 p->stage, unit, p->done, p->total, rate, eta_s, elapsed);
        fputs(text, stderr);
        fflush(stderr);
        return;
    }
    char rate_s[32], el_s[32], left_s[32];
    if (known) {
        snprintf(rate_s, sizeof rate_s, rate >= 100 ? "%.0f" : "%.1f", rate);
    } else {
        snprintf(rate_s, sizeof rate_s, "--");
    }
    format_duration(el_s, sizeof el_s, elapsed);
    if (eta >= 0) {
        format_duration(left_s, sizeof left_s, eta);
    } else {
        snprintf(left_s, sizeof left_s, "--:--");
    }
    /* The whole line when it fits the terminal, else without the tool's name, then
     * without the unit too: the counts and times are what must stay. */
    size_t width = terminal_width() - 1;
    for (int form = 0; form < 3; form++) {
        snprintf(text, sizeof text, "%s%s%s %" PRIu64 "/%" PRIu64 "%s%s, %s/s, elapsed %s, left %s",
                 form == 0 ? pg->prog : "", form == 0 ? ": " : "", p->stage, p->done, p->total,
                 form < 2 ? " " : "", form < 2 ? unit : "", rate_s, el_s, left_s);
        if (strlen(text) <= width) {
            break;
        }
    }
    write_line(pg, text, width, last);
}

void cli_progress_before_stdout(struct cli_progress *pg)
{
    if (pg->line_len == 0 || !pg->stdout_tty) {
        return;
    }
    char buf[512];
    size_t len = 0, n = pg->line_len < sizeof buf - 2 ? pg->line_len : sizeof buf - 2;
    buf[len++] = '\r';
    memset(buf + len, ' ', n);
    len += n;
    buf[len++] = '\r';
    pg->line_len = 0;
    line_open = 0;
    ssize_t w = write(STDERR_FILENO, buf, len);
    (void)w;
    pg->last_out = 0; /* draw it again at the next report */
}

void cli_progress_end(struct cli_progress *pg)
{
    if (pg->line_len == 0) {
        return;
    }
    pg->line_len = 0;
    line_open = 0;
    ssize_t w = write(STDERR_FILENO, "\n", 1);
    (void)w;
}

const char *cli_plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}
