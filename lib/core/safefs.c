/* SPDX-License-Identifier: MIT */
/* The safe file system: regular-file reads, atomic writes, locked output folders
 * walked with openat and O_NOFOLLOW, stale temporaries, and the input guard. */
#include "safefs.h"
#include "prefault.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_MARK ".boxmix-tmp-"
#define LOCK_NAME ".boxmix-lock"

bool bmx__write_all(int fd, const char *p, size_t n, int *err_no)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            *err_no = errno;
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

bool bmx__pwrite_all(int fd, const char *p, size_t n, uint64_t off)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return true;
}

/* ---- reading ---- */

/* A descriptor of the regular file `path`, its status in *sb. Opened non-blocking,
 * so that opening a FIFO cannot hang: it is refused here. (Reads of a regular file
 * never block, so the flag does not matter to them.) */
static int open_regular_fd(const char *path, struct stat *sb, bmx_error *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        bmx__fail(err, BMX_E_IO, "%s: cannot open: %s", path, strerror(e));
        errno = e;
        return -1;
    }
    if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
        bool dir = S_ISDIR(sb->st_mode);
        close(fd);
        bmx__fail(err, BMX_E_IO, "%s: %s", path,
                  dir ? "is a folder, not a file" : "not a regular file");
        return -1;
    }
    return fd;
}

FILE *bmx__open_regular(const char *path, bmx_error *err)
{
    struct stat sb;
    int fd = open_regular_fd(path, &sb, err);
    if (fd < 0) {
        return NULL;
    }
    /* A stream's reader may be handed on: make it a plain blocking descriptor. */
    int flags = fcntl(fd, F_GETFL);
    FILE *f = NULL;
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 ||
        (f = fdopen(fd, "rb")) == NULL) {
        bmx__fail(err, BMX_E_IO, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    return f;
}

/* Straight from a descriptor, no stream: an open, a stat, the reads and a close for
 * each file (the augment job reads every input twice, in the pre-check and to
 * decode it). */
bmx_status bmx__read_file_into(const char *path, char **buf, size_t *cap, size_t *len,
                               bmx_error *err)
{
    bmx_status st = BMX_OK;
    struct stat sb;
    int fd = open_regular_fd(path, &sb, err);
    if (fd < 0) {
        return err != NULL ? err->status : BMX_E_IO;
    }
    size_t size = (size_t)sb.st_size;
    if (sb.st_size < 0 || (uint64_t)sb.st_size >= SIZE_MAX) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory reading %zu bytes", path, size);
        goto done;
    }
    if (*buf == NULL || *cap < size + 1) {
        /* A buffer kept from file to file grows at least twofold, so that files
         * of random sizes replace it a few times, not at each new largest. */
        size_t want = size + 1;
        if (*buf != NULL && *cap <= SIZE_MAX / 2 && want < 2 * *cap) {
            want = 2 * *cap;
        }
        free(*buf);
        *cap = 0;
        *buf = malloc(want);
        if (*buf == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory reading %zu bytes", path, size);
            goto done;
        }
        *cap = want;
        /* A large buffer is fresh pages: mapped in at once (prefault.h). */
        bmx__prefault(*buf, want);
    }
    for (size_t got = 0; got < size;) {
        ssize_t n = read(fd, *buf + got, size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            st = bmx__fail(err, BMX_E_IO, "%s: read error%s", path,
                           n == 0 ? ": the file shrank while being read" : "");
            goto done;
        }
        got += (size_t)n;
    }
    (*buf)[size] = '\0';
    *len = size;
done:
    close(fd);
    return st;
}

bmx_status bmx__read_file(const char *path, char **out, size_t *len, bmx_error *err)
{
    char *buf = NULL;
    size_t cap = 0;
    bmx_status st = bmx__read_file_into(path, &buf, &cap, len, err);
    if (st != BMX_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    return BMX_OK;
}

/* ---- names and paths ---- */

bool bmx__name_escapes(const char *name)
{
    if (name[0] == '\0' || name[0] == '/') {
        return true;
    }
    for (const char *p = name;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash != NULL ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            return true;
        }
        if (slash == NULL) {
            return false;
        }
        p = slash + 1;
    }
}

const char *bmx__base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s != NULL ? s + 1 : path;
}

bool bmx__same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

char *bmx__path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t n;
    if (!bmx__add_size(la, lb, &n) || !bmx__add_size(n, 2, &n)) {
        return NULL;
    }
    char *p = malloc(n);
    if (p != NULL) {
        memcpy(p, a, la);
        size_t o = la;
        if (la > 0 && a[la - 1] != '/') {
            p[o++] = '/';
        }
        memcpy(p + o, b, lb + 1);
    }
    return p;
}

/* Append `comp` (n bytes) to the absolute path in `p` (length *len, capacity cap),
 * treating "." and ".." lexically. */
static bool push_component(char *p, size_t *len, size_t cap, const char *comp, size_t n)
{
    if (n == 0 || (n == 1 && comp[0] == '.')) {
        return true;
    }
    if (n == 2 && comp[0] == '.' && comp[1] == '.') {
        while (*len > 1 && p[*len - 1] != '/') {
            (*len)--;
        }
        if (*len > 1) {
            (*len)--;
        }
        p[*len] = '\0';
        return true;
    }
    if (*len + 1 + n + 1 > cap) {
        return false;
    }
    if (*len > 1) {
        p[(*len)++] = '/';
    }
    memcpy(p + *len, comp, n);
    *len += n;
    p[*len] = '\0';
    return true;
}

char *bmx__resolve_path(const char *path)
{
    size_t plen = strlen(path);
    size_t cap = plen + PATH_MAX + 2;
    char *abs = malloc(cap), *out = malloc(cap);
    char *res = NULL;
    if (abs == NULL || out == NULL) {
        goto done;
    }
    if (path[0] == '/') {
        memcpy(abs, path, plen + 1);
    } else {
        if (getcwd(abs, PATH_MAX) == NULL) {
            goto done;
        }
        size_t l = strlen(abs);
        abs[l] = '/';
        memcpy(abs + l + 1, path, plen + 1);
    }
    /* The longest prefix (at a '/') that exists is resolved by the system; the
     * rest, which does not exist yet, is joined on lexically. */
    size_t cut = strlen(abs);
    for (;;) {
        char keep = abs[cut];
        abs[cut] = '\0';
        char *r = cut == 0 ? NULL : realpath(abs, NULL);
        abs[cut] = keep;
        if (r != NULL || cut == 0) {
            size_t len = 1;
            out[0] = '/';
            out[1] = '\0';
            if (r != NULL) {
                len = strlen(r);
                if (len + 1 > cap) {
                    free(r);
                    goto done;
                }
                memcpy(out, r, len + 1);
                free(r);
            }
            for (const char *p = abs + cut; *p != '\0';) {
                while (*p == '/') {
                    p++;
                }
                const char *e = strchr(p, '/');
                size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
                if (!push_component(out, &len, cap, p, n)) {
                    goto done;
                }
                p += n;
            }
            res = out;
            out = NULL;
            goto done;
        }
        while (cut > 0 && abs[cut - 1] != '/') {
            cut--;
        }
        while (cut > 0 && abs[cut - 1] == '/') {
            cut--;
        }
    }
done:
    free(abs);
    free(out);
    return res;
}

bool bmx__is_temp_name(const char *name)
{
    const char *m = strstr(name, TMP_MARK);
    if (m == NULL) {
        return false;
    }
    const char *d = m + strlen(TMP_MARK);
    if (*d == '\0') {
        return false;
    }
    for (; *d != '\0'; d++) {
        if (*d < '0' || *d > '9') {
            return false;
        }
    }
    return true;
}

/* "<name>.boxmix-tmp-<pid>", the name shortened when the whole would be too long
 * for a folder entry. */
static char *temp_name(const char *name)
{
    char suffix[48];
    snprintf(suffix, sizeof suffix, TMP_MARK "%ld", (long)getpid());
    size_t n = strlen(name), s = strlen(suffix);
    if (n + s > 255) {
        n = 255 - s;
    }
    char *t = malloc(n + s + 1);
    if (t != NULL) {
        memcpy(t, name, n);
        memcpy(t + n, suffix, s + 1);
    }
    return t;
}

/* ---- single files anywhere ---- */

static char *shown_path(const char *base_path, const char *rel)
{
    return base_path[0] != '\0' ? bmx__path_join(base_path, rel) : strdup(rel);
}


/* What is at `name` in `dir`, for a message on why it cannot be entered. */
static const char *not_a_folder_reason(int dir, const char *name)
{
    struct stat sb;
    if (fstatat(dir, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
        return NULL;
    }
    if (S_ISLNK(sb.st_mode)) {
        return "is a symlink: boxmix never follows a symlink inside an output folder";
    }
    if (!S_ISDIR(sb.st_mode)) {
        return "is a file, not a folder";
    }
    return NULL;
}

/* Open (creating when asked) one component below `dir`, never through a symlink. */
static int open_component(int dir, const char *name, bool create, const char *shown, bmx_error *err)
{
    if (create && mkdirat(dir, name, 0755) != 0 && errno != EEXIST) {
        bmx__fail(err, BMX_E_IO, "%s: cannot create folder: %s", shown, strerror(errno));
        return -1;
    }
    int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        const char *why = not_a_folder_reason(dir, name);
        bmx__fail(err, BMX_E_IO, "%s: %s", shown, why != NULL ? why : strerror(e));
    }
    return fd;
}

bmx_status bmx__dir_open(int base, const char *base_path, const char *rel, bool create, int *fd_out,
                         bmx_error *err)
{
    *fd_out = -1;
    int cur = dup(base);
    if (cur < 0) {
        return bmx__fail(err, BMX_E_IO, "%s: %s", base_path, strerror(errno));
    }
    size_t blen = strlen(base_path), rlen = strlen(rel);
    char *shown = malloc(blen + rlen + 2);
    if (shown == NULL) {
        close(cur);
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    memcpy(shown, base_path, blen);
    size_t slen = blen;
    bmx_status st = BMX_OK;
    for (const char *p = rel; *p != '\0';) {
        const char *e = strchr(p, '/');
        size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
        if (n > 0) {
            char comp[256];
            if (n >= sizeof comp) {
                st = bmx__fail(err, BMX_E_IO, "%s/%.*s: name too long", base_path, (int)n, p);
                break;
            }
            memcpy(comp, p, n);
            comp[n] = '\0';
            if (slen > 0 && shown[slen - 1] != '/') {
                shown[slen++] = '/';
            }
            memcpy(shown + slen, comp, n);
            slen += n;
            shown[slen] = '\0';
            int next = open_component(cur, comp, create, shown, err);
            close(cur);
            cur = next;
            if (cur < 0) {
                st = err != NULL ? err->status : BMX_E_IO;
                break;
            }
        }
        p += n;
        while (*p == '/') {
            p++;
        }
    }
    free(shown);
    if (st != BMX_OK) {
        if (cur >= 0) {
            close(cur);
        }
        return st;
    }
    *fd_out = cur;
    return BMX_OK;
}

bmx_status bmx__read_at(int base, const char *base_path, const char *rel, char **out, size_t *len,
                        bmx_error *err)
{
    const char *slash = strrchr(rel, '/');
    char *sub = slash != NULL ? strndup(rel, (size_t)(slash - rel)) : strdup("");
    int dir = -1;
    bmx_status st = sub == NULL ? bmx__fail(err, BMX_E_NOMEM, "out of memory")
                                : bmx__dir_open(base, base_path, sub, false, &dir, err);
    free(sub);
    if (st != BMX_OK) {
        return st;
    }
    char *shown = shown_path(base_path, rel);
    int fd = openat(dir, slash != NULL ? slash + 1 : rel,
                    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    int e = errno;
    close(dir);
    struct stat sb;
    char *data = NULL;
    size_t got = 0;
    if (fd < 0) {
        st = bmx__fail(err, BMX_E_IO, "%s: cannot open: %s", shown ? shown : rel,
                       e == ELOOP ? "is a symlink" : strerror(e));
    } else if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = bmx__fail(err, BMX_E_IO, "%s: not a regular file", shown ? shown : rel);
    } else if ((data = malloc((size_t)sb.st_size + 1)) == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", shown ? shown : rel);
    } else {
        while (got < (size_t)sb.st_size) {
            ssize_t n = read(fd, data + got, (size_t)sb.st_size - got);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                break;
            }
            got += (size_t)n;
        }
        if (got != (size_t)sb.st_size) {
            st = bmx__fail(err, BMX_E_IO, "%s: read error", shown ? shown : rel);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    free(shown);
    if (st != BMX_OK) {
        free(data);
        return st;
    }
    data[got] = '\0';
    *out = data;
    *len = got;
    return BMX_OK;
}

bool bmx__dir_has(int base, const char *rel)
{
    const char *slash = strrchr(rel, '/');
    struct stat sb;
    if (slash == NULL) {
        return fstatat(base, rel, &sb, AT_SYMLINK_NOFOLLOW) == 0;
    }
    char *dir = strndup(rel, (size_t)(slash - rel));
    int fd = -1;
    bool has = false;
    if (dir != NULL && bmx__dir_open(base, "", dir, false, &fd, NULL) == BMX_OK) {
        has = fstatat(fd, slash + 1, &sb, AT_SYMLINK_NOFOLLOW) == 0;
        close(fd);
    }
    free(dir);
    return has;
}

bmx_status bmx__outdir_open(struct bmx__outdir *od, const char *path, bmx_error *err)
{
    memset(od, 0, sizeof *od);
    od->fd = od->lock_fd = -1;
    bmx_status st = BMX_OK;
    od->path = strdup(path);
    if (od->path == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    /* The folder and its parents as the caller named them. */
    for (char *p = od->path + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            struct stat sb;
            if (mkdir(od->path, 0755) != 0 && errno != EEXIST) {
                st = bmx__fail(err, BMX_E_IO, "%s: cannot create folder: %s", od->path,
                               strerror(errno));
            } else if (stat(od->path, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
                st = bmx__fail(err, BMX_E_IO, "%s: is a file, not a folder", od->path);
            }
            *p = c;
            if (st != BMX_OK || c == '\0') {
                break;
            }
        }
    }
    if (st == BMX_OK) {
        od->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (od->fd < 0) {
            st = bmx__fail(err, BMX_E_IO, "%s: cannot open folder: %s", path, strerror(errno));
        }
    }
    /* A lock on a file that another run has just removed locks nothing: take it
     * again until the file locked is the one in the folder. */
    for (int tries = 0; st == BMX_OK && od->lock_fd < 0; tries++) {
        int fd = openat(od->fd, LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) {
            const char *why =
                errno == ELOOP
                    ? "is a symlink: boxmix never follows a symlink inside an output folder"
                    : strerror(errno);
            st = bmx__fail(err, BMX_E_IO, "%s/" LOCK_NAME ": %s", path, why);
            break;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(fd);
            if (e == EWOULDBLOCK) {
                st = bmx__fail(
                    err, BMX_E_STATE,
                    "%s: another boxmix run is writing into this folder (it holds %s/" LOCK_NAME
                    "); wait for it to end or choose another folder",
                    path, path);
            } else {
                st = bmx__fail(err, BMX_E_IO, "%s/" LOCK_NAME ": cannot lock: %s", path,
                               strerror(e));
            }
            break;
        }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && fstatat(od->fd, LOCK_NAME, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
            a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
            od->lock_fd = fd;
        } else {
            close(fd);
            if (tries > 100) {
                st = bmx__fail(err, BMX_E_STATE, "%s: cannot take the folder's lock", path);
            }
        }
    }
    if (st != BMX_OK) {
        if (od->fd >= 0) {
            close(od->fd);
        }
        free(od->path);
        memset(od, 0, sizeof *od);
        od->fd = od->lock_fd = -1;
    }
    return st;
}

void bmx__outdir_close(struct bmx__outdir *od)
{
    if (od->lock_fd >= 0) {
        /* Removed while still held: whoever opened it meanwhile finds it gone. */
        unlinkat(od->fd, LOCK_NAME, 0);
        close(od->lock_fd);
    }
    if (od->fd >= 0) {
        close(od->fd);
    }
    free(od->path);
    memset(od, 0, sizeof *od);
    od->fd = od->lock_fd = -1;
}

bmx_status bmx__outfile_open(struct bmx__outfile *f, int base, const char *base_path,
                             const char *rel, bmx_error *err)
{
    memset(f, 0, sizeof *f);
    f->dir = f->fd = -1;
    f->shown = shown_path(base_path, rel);
    const char *slash = strrchr(rel, '/');
    f->name = strdup(slash != NULL ? slash + 1 : rel);
    f->tmp = f->name != NULL ? temp_name(f->name) : NULL;
    if (f->shown == NULL || f->name == NULL || f->tmp == NULL) {
        bmx__outfile_close(f, false, false, NULL);
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    bmx_status st;
    if (slash != NULL) {
        char *dir = strndup(rel, (size_t)(slash - rel));
        st = dir == NULL ? bmx__fail(err, BMX_E_NOMEM, "out of memory")
                         : bmx__dir_open(base, base_path, dir, true, &f->dir, err);
        free(dir);
    } else {
        f->dir = dup(base);
        st = f->dir < 0 ? bmx__fail(err, BMX_E_IO, "%s: %s", base_path, strerror(errno)) : BMX_OK;
    }
    if (st == BMX_OK) {
        f->fd = openat(f->dir, f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f->fd < 0) {
            st = bmx__fail(err, BMX_E_IO, "%s: cannot create: %s", f->shown, strerror(errno));
        }
    }
    if (st != BMX_OK) {
        bmx__outfile_close(f, false, false, NULL);
    }
    return st;
}

bmx_status bmx__outfile_close(struct bmx__outfile *f, bool commit, bool sync, bmx_error *err)
{
    bmx_status st = BMX_OK;
    if (f->fd >= 0) {
        if (commit && sync && fsync(f->fd) != 0) {
            st = bmx__fail(err, BMX_E_IO, "%s: fsync: %s", f->shown, strerror(errno));
        }
        if (close(f->fd) != 0 && commit && st == BMX_OK) {
            st = bmx__fail(err, BMX_E_IO, "%s: close: %s", f->shown, strerror(errno));
        }
        if (commit && st == BMX_OK && renameat(f->dir, f->tmp, f->dir, f->name) != 0) {
            st = bmx__fail(err, BMX_E_IO, "%s: cannot rename into place: %s", f->shown,
                           strerror(errno));
        }
        if (!commit || st != BMX_OK) {
            unlinkat(f->dir, f->tmp, 0);
        }
    } else if (commit) {
        st = bmx__fail(err, BMX_E_STATE, "%s: not open", f->shown ? f->shown : "(file)");
    }
    if (f->dir >= 0) {
        close(f->dir);
    }
    free(f->name);
    free(f->tmp);
    free(f->shown);
    memset(f, 0, sizeof *f);
    f->dir = f->fd = -1;
    return st;
}

bmx_status bmx__outfile_write(int base, const char *base_path, const char *rel, const void *data,
                              size_t len, bool sync, bmx_error *err)
{
    struct bmx__outfile f;
    bmx_status st = bmx__outfile_open(&f, base, base_path, rel, err);
    if (st != BMX_OK) {
        return st;
    }
    int err_no = 0;
    if (!bmx__write_all(f.fd, data, len, &err_no)) {
        st = bmx__fail(err, BMX_E_IO, "%s: write error: %s", f.shown, strerror(err_no));
    }
    bmx_status cst = bmx__outfile_close(&f, st == BMX_OK, sync, err);
    return st != BMX_OK ? st : cst;
}

bmx_status bmx__outfile_link(int base, const char *base_path, const char *rel, const char *src,
                             bool hard, bmx_error *err)
{
    struct bmx__outfile f;
    /* The temporary file is made only to create the folders and claim the name. */
    bmx_status st = bmx__outfile_open(&f, base, base_path, rel, err);
    if (st != BMX_OK) {
        return st;
    }
    close(f.fd);
    f.fd = -1;
    unlinkat(f.dir, f.tmp, 0);
    int rc = hard ? linkat(AT_FDCWD, src, f.dir, f.tmp, 0) : symlinkat(src, f.dir, f.tmp);
    int e = errno;
    if (rc == 0 && renameat(f.dir, f.tmp, f.dir, f.name) != 0) {
        e = errno;
        unlinkat(f.dir, f.tmp, 0);
        rc = -1;
    }
    if (rc != 0) {
        st = bmx__fail(err, BMX_E_IO, "%s: cannot %s %s: %s", f.shown,
                       hard ? "hard-link" : "symlink", src, strerror(e));
    }
    bmx__outfile_close(&f, false, false, NULL);
    errno = e;
    return st;
}

/* Temporaries of `dir` and, below it, of every real folder not in `skip`. */
static size_t remove_temps_in(int dir, const dev_t *sdev, const ino_t *sino, size_t n_skip,
                              int depth)
{
    size_t removed = 0;
    struct stat self;
    if (depth > 64 || fstat(dir, &self) != 0) {
        return 0;
    }
    for (size_t i = 0; i < n_skip; i++) {
        if (self.st_dev == sdev[i] && self.st_ino == sino[i]) {
            return 0;
        }
    }
    int fd = dup(dir);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        if (fd >= 0) {
            close(fd);
        }
        return 0;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        struct stat sb;
        if (fstatat(dir, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            int sub = openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                removed += remove_temps_in(sub, sdev, sino, n_skip, depth + 1);
                close(sub);
            }
        } else if ((S_ISREG(sb.st_mode) || S_ISLNK(sb.st_mode)) && bmx__is_temp_name(e->d_name) &&
                   unlinkat(dir, e->d_name, 0) == 0) {
            removed++;
        }
    }
    closedir(d);
    return removed;
}

size_t bmx__outdir_remove_temps(const struct bmx__outdir *od, const char *const *skip,
                                size_t n_skip)
{
    dev_t *sdev = calloc(n_skip + 1, sizeof *sdev);
    ino_t *sino = calloc(n_skip + 1, sizeof *sino);
    size_t m = 0, removed = 0;
    if (sdev != NULL && sino != NULL) {
        for (size_t i = 0; i < n_skip; i++) {
            struct stat sb;
            if (skip[i] != NULL && stat(skip[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
                sdev[m] = sb.st_dev;
                sino[m] = sb.st_ino;
                m++;
            }
        }
        removed = remove_temps_in(od->fd, sdev, sino, m, 0);
    }
    free(sdev);
    free(sino);
    return removed;
}

bmx_status bmx__parent_open(const char *path, int *dir, char **dir_shown, const char **name,
                            bmx_error *err)
{
    *dir = -1;
    *dir_shown = NULL;
    const char *base = bmx__base_name(path);
    /* The folder as the path names it ("" when it names none), for messages. */
    *dir_shown = base == path + 1 ? strdup("/")
                                  : strndup(path, base > path ? (size_t)(base - path - 1) : 0);
    if (*dir_shown == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    const char *open_as = base == path ? "." : *dir_shown;
    *dir = open(open_as, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*dir < 0) {
        bmx_status st = bmx__fail(err, BMX_E_IO, "%s: cannot open its folder: %s", path,
                                  strerror(errno));
        free(*dir_shown);
        *dir_shown = NULL;
        return st;
    }
    *name = base;
    return BMX_OK;
}

bmx_status bmx__write_file_atomic(const char *path, const void *data, size_t len, bool sync,
                                  bmx_error *err)
{
    int dir;
    char *shown;
    const char *name;
    bmx_status st = bmx__parent_open(path, &dir, &shown, &name, err);
    if (st == BMX_OK) {
        st = bmx__outfile_write(dir, shown, name, data, len, sync, err);
        close(dir);
        free(shown);
    }
    return st;
}
