/* SPDX-License-Identifier: MIT */
/* Internal: YOLO (Ultralytics) datasets, what lib/run (convert, the jobs, the
 * checker), the fuzz targets and the tests reach: the label-row parser, the
 * data.yaml reader, the /images/ -> /labels/ rule, the layout of a split, the
 * ring bridge and the writer. DESIGN.md, "YOLO (Ultralytics) datasets". */
#ifndef BMX_YOLO_H
#define BMX_YOLO_H

#include "coco.h"
#include "voc.h"

/* ---- problems (one rule set: the reader stops at the first error, the checker
 * collects them all) ---- */

/* One problem: `file` the label file or data.yaml (as given), `line` 1-based (0:
 * the file as a whole), `code` a stable "yolo-*" name, `message` without file and
 * line. Strings live during the call only. */
struct bmx__yolo_problem {
    const char *file;
    unsigned long line;
    const char *code;
    const char *message;
    bool error; /* false: a warning (readers accept it) */
};

typedef void (*bmx__yolo_sink)(void *ctx, const struct bmx__yolo_problem *p);

/* An error of `file` (at `line`, 0: none): given to `sink` (may be NULL) as a
 * problem of `code`, and written into `err` as "file:line: msg" or "file: msg".
 * Returns `st` (yolo_layout.c). */
bmx_status bmx__yolo_fail(const char *file, unsigned long line, const char *code,
                          const char *msg, bmx__yolo_sink sink, void *ctx, bmx_status st,
                          bmx_error *err);

/* ---- label rows (yolo_rows.c) ---- */

/* One row: class and its normalised coordinates (clamped into [0, 1]). */
struct bmx__yolo_row {
    int64_t cls;
    unsigned long line;
    size_t n;  /* coordinates (4 for a box; 2 per point for a polygon) */
    double *v; /* into the rows' shared array */
};

struct bmx__yolo_rows {
    bool segment; /* some row has more than five coordinates: every row is a polygon */
    size_t n;
    struct bmx__yolo_row *rows;
    double *values;
    size_t duplicates; /* rows dropped because an earlier row was the same */
    size_t clamped;    /* coordinates moved into [0, 1] (at most 1% outside) */
};

/* Parse one label file's bytes (`name` in messages): rows "cls x y ..." separated
 * by LF or CRLF, a UTF-8 BOM skipped, blank lines skipped. `nc` is the number of
 * class names; `max_rows` and `max_points` (0: no limit) bound what one file may
 * hold (objects per image, polygon vertices per row). Every problem goes to `sink`
 * (may be NULL); the parse stops at the first error unless `keep_going` (the
 * checker), and then the rows with an error are left out. Returns BMX_OK, or the
 * first error's status (BMX_E_SCHEMA, BMX_E_PARSE, BMX_E_LIMIT) with its message in
 * `err` as "name:LINE: what"; BMX_E_NOMEM. `out` is freed with
 * bmx__yolo_rows_free, also on failure. */
bmx_status bmx__yolo_parse_rows(const char *buf, size_t len, const char *name, size_t nc,
                                uint64_t max_rows, uint64_t max_points, bool keep_going,
                                bmx__yolo_sink sink, void *ctx, struct bmx__yolo_rows *out,
                                bmx_error *err);
void bmx__yolo_rows_free(struct bmx__yolo_rows *rows);

/* ---- data.yaml (yolo_yaml.c) ---- */

/* Bounds of a data.yaml: it is a few lines, so anything large is refused. */
#define BMX__YOLO_YAML_MAX_BYTES ((size_t)1 << 20)
#define BMX__YOLO_YAML_MAX_DEPTH 16
#define BMX__YOLO_YAML_MAX_NODES 100000

/* What a data.yaml says. Paths are as written (not yet joined to the root). */
struct bmx__yolo_yaml {
    char *path;             /* `path:`, NULL when absent */
    struct bmx__strlist split[3]; /* train, val, test: each 0..n entries */
    unsigned long split_line[3];
    struct bmx__strlist names;    /* in class order */
    bool has_names;
    long long nc;           /* -1: absent */
};

/* The split names in the order of `split[]`. */
extern const char *const bmx__yolo_split_names[3];

/* Parse a data.yaml's bytes (`name` in messages) with libyaml: a mapping whose
 * `path`, `train`, `val`, `test`, `names` and `nc` are read and other keys ignored.
 * Anchors and aliases are refused (a "billion laughs" document cannot grow), and so
 * are more than BMX__YOLO_YAML_MAX_BYTES, deeper nesting than
 * BMX__YOLO_YAML_MAX_DEPTH, more than BMX__YOLO_YAML_MAX_NODES nodes. `names` may be a
 * list or a map {0: a, 1: b} (keys 0..n-1, each once); `nc`, when given, must equal
 * the number of names; missing `names` is an error. The problem goes to `sink` too
 * (may be NULL) with its yolo-* code. `out` is freed with bmx__yolo_yaml_free. */
bmx_status bmx__yolo_yaml_parse(const char *buf, size_t len, const char *name,
                                bmx__yolo_sink sink, void *ctx, struct bmx__yolo_yaml *out,
                                bmx_error *err);
void bmx__yolo_yaml_free(struct bmx__yolo_yaml *y);

/* ---- paths and layout (yolo_layout.c) ---- */

/* The label file of an image path: the last "/images/" replaced by "/labels/" and
 * the extension (of the file name; none: appended) by ".txt". malloc'd. */
char *bmx__yolo_label_path(const char *image_path);

/* `path` made absolute (against the working folder) with "." and ".." removed,
 * lexically (no symlink resolved). malloc'd, NULL when out of memory. */
char *bmx__yolo_norm_path(const char *path);

/* Whether normalised `path` is `root` or lies below it. */
bool bmx__yolo_under(const char *path, const char *root);

/* Whether a file name has an image extension Ultralytics reads (any case). */
bool bmx__yolo_is_image_name(const char *name);

/* The images of one split, resolved: absolute normalised paths, sorted, no
 * duplicates; `root` the folder their file names are relative to (the deepest
 * folder holding them all); `yaml_file` the data.yaml (NULL for the folder form);
 * `names` the class names. */
struct bmx__yolo_layout {
    char *yaml_file;
    char *dataset_root; /* `path:` or the yaml's folder, or the folder given */
    char *root;         /* common folder of the images */
    struct bmx__strlist images;
    struct bmx__strlist names;
};

/* Resolve `path` (a data.yaml, or a folder holding images/ and labels/) for
 * `split` ("train" when NULL; for a folder: images/<split> when it exists, else
 * every image below images/). A folder needs `names` (and a data.yaml takes its
 * own: both at once are refused). Paths in data.yaml are taken against the dataset
 * root; a Roboflow "../x" that does not exist there is taken as "x" (as Ultralytics
 * does); a split path or listed image outside the dataset root is refused unless
 * `allow_outside`. Folders are searched recursively, hidden entries skipped. */
bmx_status bmx__yolo_layout(const char *path, const char *split, const struct bmx_labels *names,
                            bool allow_outside, bmx__yolo_sink sink, void *ctx,
                            struct bmx__yolo_layout *out, bmx_error *err);
void bmx__yolo_layout_free(struct bmx__yolo_layout *l);

/* ---- reading (yolo_read.c) ---- */

/* bmx_dataset_read_yolo with a caller's image-size reader (required) and, for the
 * checker, every problem through `sink` (may be NULL). */
bmx_status bmx__yolo_read(const char *path, const struct bmx_yolo_options *opts,
                          bmx__yolo_sink sink, void *ctx, bmx_dataset **out,
                          struct bmx_yolo_read_summary *summary, bmx_error *err);

/* ---- the ring bridge (yolo_bridge.c) ---- */

/* Join the rings of `set` into one ring, as Ultralytics' merge_multi_segment does:
 * ring i-1 and ring i are joined between their nearest vertices (the first pair in
 * order when several are equally near) by a zero-width bridge walked out and back.
 * Unlike merge_multi_segment, every ring keeps its own vertex order, turned first to
 * run the positive (clockwise on screen) way, so that the joined ring's shoelace
 * area is the sum of the rings' areas and its even-odd rasterisation their union
 * (disjoint rings). One ring: copied. `out` is allocated (free with free()); `*n`
 * its vertices. */
bmx_status bmx__yolo_bridge(const struct bmx_polyset *set, double **out, size_t *n,
                            bmx_error *err);

/* ---- writing (yolo_write.c) ---- */

/* What the YOLO writer writes: image records and their objects, grouped by image,
 * the categories of `cats_of`. */
struct bmx__yolo_records {
    const char *name;
    const bmx_dataset *cats_of;
    size_t n_images;
    const struct bmx_image_info *images;
    const size_t *img_first, *img_count;
    const struct bmx_object *objects;
};

/* The task a dataset is written with: `task` unless AUTO, else segment when any
 * non-crowd object has a mask. */
enum bmx_yolo_task bmx__yolo_pick_task(const struct bmx__yolo_records *recs,
                                       enum bmx_yolo_task task);

/* The label rows of one image (its objects `objs`, n) into `b`: class is the
 * category's place in id order. Crowd objects are left out and counted. */
bmx_status bmx__yolo_put_rows(struct bmx__buf *b, const struct bmx__yolo_records *recs,
                              size_t image, enum bmx_yolo_task task,
                              struct bmx_yolo_write_summary *sum, bmx_error *err);

/* The data.yaml of `split` (names in class order, each a double-quoted string that
 * a YAML reader reads back exactly). False when a name is not valid UTF-8 (a YAML
 * document cannot carry it): then the text is not to be used. */
bool bmx__yolo_put_yaml(struct bmx__buf *b, const bmx_dataset *cats_of, const char *split);

/* The path of image i's file below images/<split>/ and labels/<split>/: its
 * file_name, checked not to escape; label path "labels/<split>/<stem>.txt".
 * Collisions of two label paths are refused (bmx__yolo_label_names). */
bmx_status bmx__yolo_label_names(const struct bmx__yolo_records *recs, const char *split,
                                 char ***out, bmx_error *err);
void bmx__yolo_free_names(char **names, size_t n);

/* Write labels/<split>/... and data.yaml below the folder `dir` (`shown` in
 * messages); images are not copied. */
bmx_status bmx__yolo_write_records(const struct bmx__yolo_records *recs,
                                   const struct bmx_yolo_write_options *opts, int dir,
                                   const char *shown, volatile const int *cancel,
                                   struct bmx_yolo_write_summary *sum, bmx_error *err);

/* The same for a whole dataset. */
bmx_status bmx__yolo_write_at(const bmx_dataset *ds, const struct bmx_yolo_write_options *opts,
                              int dir, const char *shown, volatile const int *cancel,
                              struct bmx_yolo_write_summary *sum, bmx_error *err);

#endif
