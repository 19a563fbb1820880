/* SPDX-License-Identifier: MIT */
/* Internal: the one way boxmix reads input files and writes output files.
 *
 * Reading: regular files only (a FIFO or device never blocks a run).
 * Writing into an output folder: the folder is opened once and locked for the
 * tool's whole life (flock on OUT/.boxmix-lock, released by the kernel however
 * the process ends); every folder and file below it is reached with openat from
 * that descriptor, one component at a time, never following a symlink; every
 * file is written under a temporary name in its final folder and renamed into
 * place, so it appears whole or not at all. The input guard refuses, before
 * anything is written, every output path that is an input or lies under an input
 * folder. */
#ifndef BMX_SAFEFS_H
#define BMX_SAFEFS_H

#include "error.h"

#include <stdio.h>

/* ---- reading ---- */

/* Open `path` for reading only when it is a regular file (never blocking on a
 * FIFO or device). NULL with a message in `err` otherwise. */
FILE *bmx__open_regular(const char *path, bmx_error *err);

/* Read a whole file into memory (NUL-terminated, `*len` without the NUL). */
bmx_status bmx__read_file(const char *path, char **out, size_t *len, bmx_error *err);

/* The same into a buffer kept from call to call: *buf (capacity *cap) is used when
 * large enough, else replaced by a larger one. The caller frees *buf at the end. */
bmx_status bmx__read_file_into(const char *path, char **buf, size_t *cap, size_t *len,
                               bmx_error *err);

/* Read a whole file below the folder `base` (`base_path` names it in messages),
 * never through a symlink; only a regular file. */
bmx_status bmx__read_at(int base, const char *base_path, const char *rel, char **out, size_t *len,
                        bmx_error *err);

/* write(2) until all of `p` is written; false with *err_no set on failure. */
bool bmx__write_all(int fd, const char *p, size_t n, int *err_no);
/* All n bytes at offset `off` (pwrite, retried on EINTR); false with errno set. */
bool bmx__pwrite_all(int fd, const char *p, size_t n, uint64_t off);

/* ---- names and paths ---- */

/* Whether a file_name leaves its image root: empty, absolute, or with a ".."
 * component. */
bool bmx__name_escapes(const char *name);

/* The part of `path` after its last '/'. */
const char *bmx__base_name(const char *path);

/* Whether two existing paths name the same file or folder (device and inode). */
bool bmx__same_file(const char *a, const char *b);

/* "a/b" (no doubled slash); NULL when out of memory. */
char *bmx__path_join(const char *a, const char *b);

/* `path` made absolute, with every symlink of its existing part resolved and "."
 * and ".." of the rest removed: the place a write to it would land. NULL when out
 * of memory. The caller frees it. */
char *bmx__resolve_path(const char *path);

/* Whether a file name is one of boxmix's temporaries ("<name>.boxmix-tmp-<pid>"). */
bool bmx__is_temp_name(const char *name);

/* ---- single files anywhere (a report, a sheet, the public writers) ---- */

/* Open the folder that `path` lies in (`*dir`, closed by the caller), with that
 * folder as the path names it (`*dir_shown`, "" for none; freed by the caller)
 * and the file's name in it (`*name`, inside `path`): so that a file anywhere is
 * written by the same folder-level writer as one in an output folder. */
bmx_status bmx__parent_open(const char *path, int *dir, char **dir_shown, const char **name,
                            bmx_error *err);

/* Write `data` to `path` through a temporary file in the same folder, fsync (when
 * `sync`), rename: the file appears whole or not at all; a symlink at `path` is
 * replaced, never written through (bmx__outfile_write on its folder). */
bmx_status bmx__write_file_atomic(const char *path, const void *data, size_t len, bool sync,
                                  bmx_error *err);

/* ---- output folders ---- */

/* An output folder, open and locked. `path` is as the caller gave it (messages). */
struct bmx__outdir {
    char *path;
    int fd;
    int lock_fd;
};

/* Create `path` (and its parents: those are the caller's, symlinks there are
 * followed) unless it exists, open it and take its lock. A folder another live
 * process holds is refused (BMX_E_STATE) naming it; a path that is a file, not a
 * folder, says so. On failure `od` holds nothing. */
bmx_status bmx__outdir_open(struct bmx__outdir *od, const char *path, bmx_error *err);

/* Release the lock, remove the lock file and close. Accepts a zeroed or closed `od`. */
void bmx__outdir_close(struct bmx__outdir *od);

/* Open the folder `rel` below `base` (a folder descriptor; `base_path` names it in
 * messages), creating it and its parents when `create`. No component may be a
 * symlink (refused, saying so) or a file (refused, saying so). `rel` "" opens
 * `base` itself. *fd_out is closed by the caller. */
bmx_status bmx__dir_open(int base, const char *base_path, const char *rel, bool create, int *fd_out,
                         bmx_error *err);

/* Whether `rel` below `base` exists (a symlink counts; nothing is followed). */
bool bmx__dir_has(int base, const char *rel);

/* One file being written below a folder descriptor. */
struct bmx__outfile {
    int dir;     /* its folder, -1 when closed */
    char *name;  /* its name in that folder */
    char *tmp;   /* the temporary name */
    char *shown; /* base_path/rel, for messages */
    int fd;
};

/* Create the temporary file of `rel` below `base` (parent folders created, none
 * followed through a symlink). */
bmx_status bmx__outfile_open(struct bmx__outfile *f, int base, const char *base_path,
                             const char *rel, bmx_error *err);

/* Close it: when `commit`, fsync (when `sync`) and rename it into place, replacing
 * whatever is there (a symlink is replaced, not followed); else remove it. */
bmx_status bmx__outfile_close(struct bmx__outfile *f, bool commit, bool sync, bmx_error *err);

/* Write a whole file below `base` through a temporary name. */
bmx_status bmx__outfile_write(int base, const char *base_path, const char *rel, const void *data,
                              size_t len, bool sync, bmx_error *err);

/* Place `src` at `rel` below `base` as a hard link (`hard`) or as a symlink to
 * `src` (which should be absolute), through a temporary name. On failure errno
 * tells why (EXDEV, EPERM: hard links impossible there). */
bmx_status bmx__outfile_link(int base, const char *base_path, const char *rel, const char *src,
                             bool hard, bmx_error *err);

/* Remove every boxmix temporary below the output folder, at any depth, never
 * following a symlink and never entering a folder listed in `skip` (`n_skip`
 * folder paths: the inputs). Returns how many were removed. */
size_t bmx__outdir_remove_temps(const struct bmx__outdir *od, const char *const *skip,
                                size_t n_skip);

#endif
