/* SPDX-License-Identifier: MIT */
/* The run journal: what a run read and wrote, and whether it finished. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER "boxmix-journal 2\n"

bool bmx__jlist_push(struct bmx__jlist *l, const struct bmx__jfile *f)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct bmx__jfile *v = bmx__realloc_array(l->v, cap, sizeof *v);
        if (v == NULL) {
            return false;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *f;
    return true;
}

void bmx__journal_free(struct bmx__journal *j)
{
    free(j->run);
    free(j->inputs.v);
    free(j->originals.v);
    free(j->outputs.v);
    memset(j, 0, sizeof *j);
}

/* "12 3456 0123456789abcdef" (size and hash in `f`), or with `mtime`
 * "12 3456 1700000000.123456789 0123...". Returns the end, or NULL. */
static const char *parse_file(const char *p, bool mtime, struct bmx__jfile *f)
{
    char *end;
    errno = 0;
    f->index = strtoull(p, &end, 10);
    if (end == p || *end != ' ') {
        return NULL;
    }
    p = end + 1;
    if (mtime && strcmp(p, "missing") == 0) {
        f->missing = true;
        return p + 7;
    }
    f->size = strtoull(p, &end, 10);
    if (end == p || *end != ' ') {
        return NULL;
    }
    p = end + 1;
    if (mtime) {
        f->mtime_s = strtoll(p, &end, 10);
        if (end == p || *end != '.') {
            return NULL;
        }
        p = end + 1;
        f->mtime_ns = strtoll(p, &end, 10);
        if (end == p || *end != ' ') {
            return NULL;
        }
        p = end + 1;
    }
    f->hash = strtoull(p, &end, 16);
    if (end == p || errno != 0 || *end != '\0') {
        return NULL; /* nothing may follow the last field */
    }
    return end;
}

static bool starts(const char *line, const char *word, const char **rest)
{
    size_t n = strlen(word);
    if (strncmp(line, word, n) == 0 && (line[n] == ' ' || line[n] == '\0')) {
        *rest = line[n] == ' ' ? line + n + 1 : line + n;
        return true;
    }
    return false;
}

bmx_status bmx__journal_parse(char *data, const char *shown, struct bmx__journal *j, bmx_error *err)
{
    if (strncmp(data, HEADER, strlen(HEADER)) != 0) {
        return bmx__fail(err, BMX_E_PARSE,
                         "%s/" BMX__JOURNAL_NAME ": not a boxmix journal of this version", shown);
    }
    size_t line_no = 1;
    for (char *p = data + strlen(HEADER); *p != '\0';) {
        char *nl = strchr(p, '\n');
        if (nl == NULL) {
            break; /* cut short by a kill: as if never written */
        }
        *nl = '\0';
        line_no++;
        const char *rest;
        struct bmx__jfile f = {0};
        bool ok = true;
        if (starts(p, "run", &rest)) {
            free(j->run);
            j->run = strdup(rest);
            ok = j->run != NULL;
        } else if (starts(p, "shard", &rest)) {
            char *end;
            j->shard_index = strtoull(rest, &end, 10);
            j->shard_count = strtoull(end, &end, 10);
            ok = *end == '\0';
        } else if (starts(p, "dataset", &rest)) {
            char tmp[128];
            snprintf(tmp, sizeof tmp, "0 %s", rest);
            j->dataset = (struct bmx__jfile){0};
            ok = parse_file(tmp, true, &j->dataset) != NULL;
            j->has_dataset = ok;
        } else if (starts(p, "input", &rest)) {
            ok = parse_file(rest, true, &f) != NULL && bmx__jlist_push(&j->inputs, &f);
        } else if (starts(p, "original", &rest)) {
            ok = parse_file(rest, false, &f) != NULL && bmx__jlist_push(&j->originals, &f);
        } else if (starts(p, "output", &rest)) {
            ok = parse_file(rest, false, &f) != NULL && bmx__jlist_push(&j->outputs, &f);
        } else if (starts(p, "done", &rest)) {
            j->done = true;
            if (*rest != '\0') {
                char tmp[128];
                snprintf(tmp, sizeof tmp, "0 %s", rest);
                ok = parse_file(tmp, false, &f) != NULL;
                j->done_has_hash = ok;
                j->done_size = f.size;
                j->done_hash = f.hash;
            }
        } else {
            ok = false;
        }
        if (!ok) {
            return bmx__fail(err, BMX_E_PARSE, "%s/" BMX__JOURNAL_NAME ":%zu: not a journal line",
                             shown, line_no);
        }
        p = nl + 1;
    }
    return BMX_OK;
}

bmx_status bmx__journal_read(int dir, const char *shown, struct bmx__journal *j, bool *exists,
                             bmx_error *err)
{
    memset(j, 0, sizeof *j);
    *exists = false;
    struct stat sb;
    if (fstatat(dir, BMX__JOURNAL_NAME, &sb, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT) {
        return BMX_OK;
    }
    char *data = NULL;
    size_t len = 0;
    bmx_status st = bmx__read_at(dir, shown, BMX__JOURNAL_NAME, &data, &len, err);
    if (st == BMX_OK) {
        *exists = true;
        st = bmx__journal_parse(data, shown, j, err);
    }
    free(data);
    if (st != BMX_OK) {
        bmx__journal_free(j);
    }
    return st;
}

static void put_file(struct bmx__buf *b, const char *kind, const struct bmx__jfile *f, bool mtime)
{
    char line[160];
    if (mtime && f->missing) {
        snprintf(line, sizeof line, "%s %" PRIu64 " missing\n", kind, f->index);
    } else if (mtime) {
        snprintf(line, sizeof line,
                 "%s %" PRIu64 " %" PRIu64 " %" PRId64 ".%09" PRId64 " %016" PRIx64 "\n", kind,
                 f->index, f->size, f->mtime_s, f->mtime_ns, f->hash);
    } else {
        snprintf(line, sizeof line, "%s %" PRIu64 " %" PRIu64 " %016" PRIx64 "\n", kind, f->index,
                 f->size, f->hash);
    }
    bmx__buf_puts(b, line);
}

/* The original and output lines, in the lists' order. */
static void put_files(struct bmx__buf *b, const struct bmx__journal *j)
{
    for (size_t i = 0; i < j->originals.n; i++) {
        put_file(b, "original", &j->originals.v[i], false);
    }
    for (size_t i = 0; i < j->outputs.n; i++) {
        put_file(b, "output", &j->outputs.v[i], false);
    }
}

static void put_head(struct bmx__buf *b, const struct bmx__journal *j)
{
    bmx__buf_puts(b, HEADER);
    bmx__buf_puts(b, "run ");
    bmx__buf_puts(b, j->run != NULL ? j->run : "{}");
    bmx__buf_printf(b, "\nshard %" PRIu64 " %" PRIu64 "\n", j->shard_index,
                    j->shard_count ? j->shard_count : 1);
    if (j->has_dataset) {
        struct bmx__buf t = {0};
        put_file(&t, "dataset", &j->dataset, true);
        /* "dataset 0 SIZE ..." without the index */
        const char *s = t.data != NULL ? t.data + strlen("dataset 0") : "\n";
        bmx__buf_puts(b, "dataset");
        bmx__buf_puts(b, s);
        if (t.failed) {
            b->failed = true;
        }
        bmx__buf_free(&t);
    }
    for (size_t i = 0; i < j->inputs.n; i++) {
        put_file(b, "input", &j->inputs.v[i], true);
    }
}

bmx_status bmx__journal_begin(int dir, const char *shown, const struct bmx__journal *j, int *fd,
                              bmx_error *err)
{
    *fd = -1;
    struct bmx__buf b = {0};
    put_head(&b, j);
    put_files(&b, j); /* what a resumed run keeps of the one before it */
    if (b.failed) {
        bmx__buf_free(&b);
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    bmx_status st = bmx__outfile_write(dir, shown, BMX__JOURNAL_NAME, b.data, b.len, true, err);
    bmx__buf_free(&b);
    if (st != BMX_OK) {
        return st;
    }
    *fd = openat(dir, BMX__JOURNAL_NAME, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    if (*fd < 0) {
        return bmx__fail(err, BMX_E_IO, "%s/" BMX__JOURNAL_NAME ": cannot open: %s", shown,
                         strerror(errno));
    }
    return BMX_OK;
}

bool bmx__journal_append(int fd, const char *kind, const struct bmx__jfile *f)
{
    char line[160];
    int n = snprintf(line, sizeof line, "%s %" PRIu64 " %" PRIu64 " %016" PRIx64 "\n", kind,
                     f->index, f->size, f->hash);
    return n > 0 && write(fd, line, (size_t)n) == n;
}

static int cmp_jfile(const void *pa, const void *pb)
{
    const struct bmx__jfile *a = pa, *b = pb;
    return a->index < b->index ? -1 : a->index > b->index ? 1 : 0;
}

/* Sorted by index, a later line of one index replacing an earlier one. */
static void canonical(struct bmx__jlist *l)
{
    if (l->n < 2) {
        return;
    }
    /* A stable order: the last line of an index wins. */
    for (size_t i = 0; i < l->n; i++) {
        l->v[i].mtime_s = (int64_t)i;
    }
    qsort(l->v, l->n, sizeof *l->v, cmp_jfile);
    size_t m = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (m > 0 && l->v[m - 1].index == l->v[i].index) {
            if (l->v[i].mtime_s > l->v[m - 1].mtime_s) {
                l->v[m - 1] = l->v[i];
            }
            continue;
        }
        l->v[m++] = l->v[i];
    }
    l->n = m;
    for (size_t i = 0; i < l->n; i++) {
        l->v[i].mtime_s = 0;
    }
}

void bmx__journal_finish_lists(struct bmx__journal *j)
{
    canonical(&j->originals);
    canonical(&j->outputs);
}

bmx_status bmx__journal_finish(int dir, const char *shown, struct bmx__journal *j, bmx_error *err)
{
    bmx__journal_finish_lists(j);
    struct bmx__buf b = {0};
    put_head(&b, j);
    put_files(&b, j);
    if (j->done_has_hash) {
        bmx__buf_printf(&b, "done %" PRIu64 " %016" PRIx64 "\n", j->done_size, j->done_hash);
    } else {
        bmx__buf_puts(&b, "done\n");
    }
    bmx_status st =
        b.failed ? bmx__fail(err, BMX_E_NOMEM, "out of memory")
                 : bmx__outfile_write(dir, shown, BMX__JOURNAL_NAME, b.data, b.len, true, err);
    bmx__buf_free(&b);
    if (st == BMX_OK) {
        j->done = true;
    }
    return st;
}

void bmx__journal_tool(const struct bmx__journal *j, char *out, size_t cap)
{
    const char *key = "\"tool\":\"";
    const char *p = j->run != NULL ? strstr(j->run, key) : NULL;
    size_t n = 0;
    if (p != NULL) {
        p += strlen(key);
        while (p[n] != '\0' && p[n] != '"' && n + 1 < cap) {
            n++;
        }
        memcpy(out, p, n);
    }
    if (n == 0) {
        snprintf(out, cap, "boxmix");
        return;
    }
    out[n] = '\0';
}

bmx_status bmx__check_finished(const char *dir, bmx_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return BMX_OK; /* the reader says what is wrong with the folder */
    }
    struct bmx__journal j;
    bool exists;
    bmx_error jerr = {0};
    bmx_status st = bmx__journal_read(fd, dir, &j, &exists, &jerr);
    close(fd);
    if (st != BMX_OK) {
        if (err != NULL) {
            *err = jerr;
        }
        return st;
    }
    if (exists && !j.done) {
        char tool[64];
        bmx__journal_tool(&j, tool, sizeof tool);
        bool augment = strcmp(tool, "boxmix-augment") == 0;
        st = bmx__fail(err, BMX_E_STATE,
                       "%s: the %s run that writes this folder has not finished (%s has no end): "
                       "it is not a dataset yet; %s",
                       dir, tool, BMX__JOURNAL_NAME,
                       augment ? "finish it with boxmix-augment --resume and the same options"
                               : "run it again with --force");
    }
    bmx__journal_free(&j);
    return st;
}

char *bmx__dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        return strdup(".");
    }
    if (slash == path) {
        return strdup("/");
    }
    return strndup(path, (size_t)(slash - path));
}

bool bmx__jfile_known(const char *path, uint64_t len, uint64_t hash, struct bmx__jfile *f)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        return false;
    }
    f->size = len;
    f->hash = hash;
    f->mtime_s = (int64_t)sb.st_mtim.tv_sec;
    f->mtime_ns = (int64_t)sb.st_mtim.tv_nsec;
    f->missing = false;
    return true;
}

