/* SPDX-License-Identifier: MIT */
/**
 * boxmix.h - offline CutMix for object-detection datasets (COCO JSON, VOC XML).
 *
 * The one public header of libboxmix.
 *
 * Ownership: every function that allocates says so. Memory a call returns through
 * an out-parameter belongs to the caller and is released with the matching
 * `_free` (`bmx_rle_free`, `bmx_polyset_free`, `bmx_image_free`, `bmx_sample_free`,
 * `bmx_dataset_free`, or plain `free()` where a comment says so). Every `_free`
 * accepts NULL and zeroed structs. Inputs are `const` and never modified.
 *
 * Errors: every fallible call returns a `bmx_status` and, when given a non-NULL
 * `bmx_error *`, writes a readable message into it ("file.json: annotations[12].bbox:
 * expected 4 numbers, got 3"). The library never prints, never exits and keeps no
 * global mutable state; randomness comes only from a `bmx_rng` the caller passes.
 *
 * Thread safety: distinct objects may be used from distinct threads freely; a const
 * object (a dataset being read) may be shared between threads.
 */
#ifndef BOXMIX_H_CORE
#define BOXMIX_H_CORE

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(BMX_BUILDING) && defined(__GNUC__)
#define BMX_API __attribute__((visibility("default")))
#else
#define BMX_API
#endif

#define BMX_VERSION_MAJOR 0
#define BMX_VERSION_MINOR 1
#define BMX_VERSION_PATCH 0
#define BMX_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------- */
/* Status and errors                                                          */
/* ------------------------------------------------------------------------- */

/** Status returned by every fallible call. */
typedef enum bmx_status {
    BMX_OK = 0,
    BMX_E_INVALID,  /**< invalid argument */
    BMX_E_NOMEM,    /**< out of memory */
    BMX_E_IO,       /**< a file could not be read or written */
    BMX_E_PARSE,    /**< input is not well-formed (JSON, XML, RLE string) */
    BMX_E_SCHEMA,   /**< input is well-formed but has wrong/missing content */
    BMX_E_OVERFLOW, /**< a size computation would overflow */
    BMX_E_LIMIT,    /**< input exceeds a configured limit */
    BMX_E_DECODE,   /**< an image could not be decoded */
    BMX_E_ENCODE,   /**< an image could not be encoded */
    BMX_E_STATE,    /**< call not valid in this state (e.g. output exists) */
    BMX_E_INTERRUPTED /**< stopped on request (a cancel flag was set) */
} bmx_status;

/** A detailed error: the status and a readable message naming file and place. */
typedef struct bmx_error {
    bmx_status status;
    char message[1024];
} bmx_error;

/** A static string describing `status`. */
BMX_API const char *bmx_strerror(bmx_status status);

/** The library's version string ("0.1.0"). */
BMX_API const char *bmx_version(void);

/** Whether the library was built with TurboJPEG for JPEG decode/encode. */
BMX_API bool bmx_have_turbojpeg(void);

/** Whether the library was built with libspng for PNG decode/encode (else stb's
 * codecs read and write PNG, and a PNG level other than the default is refused). */
BMX_API bool bmx_have_spng(void);

/* ------------------------------------------------------------------------- */
/* Random generator                                                           */
/* ------------------------------------------------------------------------- */

/**
 * A small deterministic generator (xoshiro256**, seeded through splitmix64).
 * Plain data: put it on the stack. The same (seed, stream) always gives the same
 * sequence on every machine.
 */
typedef struct bmx_rng {
    uint64_t s[4];
} bmx_rng;

/** Seed `rng` from a seed and a stream number (e.g. the output index). */
BMX_API void bmx_rng_seed(bmx_rng *rng, uint64_t seed, uint64_t stream);
/** Next 64 random bits. */
BMX_API uint64_t bmx_rng_next(bmx_rng *rng);
/** Uniform double in [0, 1) with 53 random bits. */
BMX_API double bmx_rng_uniform(bmx_rng *rng);
/** Uniform integer in [0, n); n must be > 0. Unbiased. */
BMX_API uint64_t bmx_rng_below(bmx_rng *rng, uint64_t n);
/** Gamma(shape, 1) variate, shape > 0 (Marsaglia-Tsang). */
BMX_API double bmx_rng_gamma(bmx_rng *rng, double shape);
/** Beta(a, b) variate, a > 0, b > 0. */
BMX_API double bmx_rng_beta(bmx_rng *rng, double a, double b);

/** The stream tag of an operation's own generator (see bmx_rng_seed_op). */
#define BMX_RNG_TAG_OP UINT64_C(0x626d782d6f702d31) /* "bmx-op-1" */

/**
 * Seed the generator of the operation that makes output `index` of a run seeded
 * with `seed`: bmx_rng_seed(rng, seed ^ splitmix64(BMX_RNG_TAG_OP), index), a stream
 * apart from the pairing's (bmx_rng_seed(rng, seed, index)). The offline job draws
 * output index's patch from it and nothing else, so an operation given the inputs
 * of output `index` reproduces that output from (seed, index) alone.
 */
BMX_API void bmx_rng_seed_op(bmx_rng *rng, uint64_t seed, uint64_t index);

/* ------------------------------------------------------------------------- */
/* Limits                                                                     */
/* ------------------------------------------------------------------------- */

/** Safety limits: what a record may declare and what decoding may make. */
struct bmx_limits {
    uint64_t max_image_pixels; /**< default 178956970 (about 13k x 13k): checked from an
                                    image's header before decoding, and on every image
                                    record a dataset declares */
    uint64_t max_polygon_vertices; /**< per annotation, all rings, default 1000000 */
    uint64_t max_objects_per_image; /**< default 100000 */
};

/** Fill `limits` with the documented defaults. */
BMX_API void bmx_limits_init(struct bmx_limits *limits);

#ifdef __cplusplus
}
#endif

#endif /* BOXMIX_H_CORE */

/*
 * The rest of the API. The library's own lowest layer (lib/core) sees only the
 * part above: it is built with BMX__LAYER_CORE, and its internal header error.h
 * asks for that part alone (BMX__CORE_PART), so code of any layer that includes
 * only error.h sees nothing of the layers above core.
 */
#if !defined(BOXMIX_H) && !defined(BMX__CORE_PART) && !defined(BMX__LAYER_CORE)
#define BOXMIX_H

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* Geometry: boxes, rectangles                                                */
/* ------------------------------------------------------------------------- */

/** A COCO box `[x, y, w, h]` in continuous pixel coordinates. */
struct bmx_box {
    double x, y, w, h;
};

/** A rectangle of whole pixels: columns [x, x+w), rows [y, y+h). */
struct bmx_rect {
    int32_t x, y, w, h;
};

/* ------------------------------------------------------------------------- */
/* Polygons                                                                   */
/* ------------------------------------------------------------------------- */

/** One polygon ring: `n` vertices, `xy` holds 2*n doubles x1,y1,x2,y2,... */
struct bmx_poly {
    size_t n;
    double *xy;
};

/** A set of rings: one COCO polygon segmentation (a list of rings). */
struct bmx_polyset {
    size_t count;
    struct bmx_poly *rings;
};

/** Exact (shoelace) area of one ring, always >= 0. */
BMX_API double bmx_poly_area(const struct bmx_poly *poly);

/** Sum of the rings' shoelace areas (COCO's convention for polygon `area`). */
BMX_API double bmx_polyset_area(const struct bmx_polyset *set);

/**
 * Extent of all vertices of all rings as a COCO box. Returns false (and a zero
 * box) when the set has no vertex.
 */
BMX_API bool bmx_polyset_bbox(const struct bmx_polyset *set, struct bmx_box *out);

/**
 * Clip every ring to the rectangle `r` (the part inside). Pieces with no area and
 * rings of fewer than 3 vertices are removed. `out` is allocated (free with
 * bmx_polyset_free) and may end up with count 0.
 */
BMX_API bmx_status bmx_polyset_clip_rect(const struct bmx_polyset *in, struct bmx_box r,
                                         struct bmx_polyset *out, bmx_error *err);

/**
 * Cut the rectangle `r` out of every ring (the part outside): the union of the
 * clips to the four rectangles around `r` (left and right full height, top and
 * bottom between them), as several rings. Degenerate pieces removed. `out` is
 * allocated (free with bmx_polyset_free).
 */
BMX_API bmx_status bmx_polyset_cut_rect(const struct bmx_polyset *in, struct bmx_box r,
                                        struct bmx_polyset *out, bmx_error *err);

/** Deep copy of `in` into `out` (allocated). */
BMX_API bmx_status bmx_polyset_copy(const struct bmx_polyset *in, struct bmx_polyset *out,
                                    bmx_error *err);

/** Multiply every x by sx and every y by sy, in place. */
BMX_API void bmx_polyset_scale(struct bmx_polyset *set, double sx, double sy);

/** Free the rings and their vertex arrays and zero `set`. Accepts NULL. */
BMX_API void bmx_polyset_free(struct bmx_polyset *set);

/* ------------------------------------------------------------------------- */
/* RLE masks (COCO API compatible)                                            */
/* ------------------------------------------------------------------------- */

/**
 * A COCO run-length mask: `size = [h, w]`, column-major runs, the first run
 * counting zeros. `m` runs in `counts` (allocated). Runs are 32-bit unsigned, as in
 * the COCO API.
 */
struct bmx_rle {
    uint32_t h, w;
    size_t m;
    uint32_t *counts;
};

/**
 * Encode a binary mask stored column-major (`mask[x*h + y]`, nonzero = set), as the
 * COCO API's `encode` does on a Fortran-ordered array. `out` is allocated.
 * Fails with BMX_E_LIMIT when h*w does not fit a 32-bit run.
 */
BMX_API bmx_status bmx_rle_encode(const uint8_t *mask, uint32_t h, uint32_t w,
                                  struct bmx_rle *out, bmx_error *err);

/**
 * Decode into a caller buffer of `len` >= h*w bytes, column-major, 0/1 values.
 * Fails with BMX_E_PARSE when the runs do not add up to h*w.
 */
BMX_API bmx_status bmx_rle_decode(const struct bmx_rle *rle, uint8_t *mask, size_t len,
                                  bmx_error *err);

/** Check that the runs add up to exactly h*w (BMX_E_SCHEMA otherwise). */
BMX_API bmx_status bmx_rle_validate(const struct bmx_rle *rle, bmx_error *err);

/**
 * The COCO API's compressed string form of the runs (`rleToString`). `*out` is a
 * NUL-terminated string allocated with malloc (caller frees with free()); `*len`
 * (may be NULL) its length without the NUL.
 */
BMX_API bmx_status bmx_rle_to_string(const struct bmx_rle *rle, char **out, size_t *len,
                                     bmx_error *err);

/**
 * Parse the COCO API's compressed string (`rleFrString`) of `len` bytes into `out`
 * (allocated) with size [h, w]. Fails with BMX_E_PARSE on malformed strings or runs
 * that do not fit 32 bits, and when the runs do not add up to h*w.
 */
BMX_API bmx_status bmx_rle_from_string(const char *s, size_t len, uint32_t h, uint32_t w,
                                       struct bmx_rle *out, bmx_error *err);

/** Number of set pixels (the COCO API's `area`). */
BMX_API uint64_t bmx_rle_area(const struct bmx_rle *rle);

/** Tight box of the set pixels (the COCO API's `toBbox`); zero box if empty. */
BMX_API void bmx_rle_bbox(const struct bmx_rle *rle, struct bmx_box *out);

/**
 * Union (intersect = false) or intersection (true) of `n` >= 1 masks of one size
 * (the COCO API's `merge`). `out` is allocated.
 */
BMX_API bmx_status bmx_rle_merge(const struct bmx_rle *rles, size_t n, bool intersect,
                                 struct bmx_rle *out, bmx_error *err);

/**
 * Rasterise one polygon ring exactly as the COCO API's `frPoly` does (same pixel
 * set, including sub-pixel and out-of-image vertices). `out` is allocated.
 */
BMX_API bmx_status bmx_rle_from_poly(const struct bmx_poly *poly, uint32_t h, uint32_t w,
                                     struct bmx_rle *out, bmx_error *err);

/** Union of the rasterised rings (`frPyObjects` + `merge`). Empty set: empty mask. */
BMX_API bmx_status bmx_rle_from_polyset(const struct bmx_polyset *set, uint32_t h,
                                        uint32_t w, struct bmx_rle *out, bmx_error *err);

/**
 * Trace the mask as COCO polygons, exactly. One ring per 4-connected component of set
 * pixels (pixels that touch only at a corner are separate components), following the
 * pixel edges of its outer boundary: vertices are integer pixel corners (pixel (x, y)
 * is the square [x, x+1) x [y, y+1)), collinear vertices are dropped. Rings come in
 * the order of their components' first pixels in the RLE's column-major order; each
 * starts at its leftmost, then topmost vertex (its first pixel's top-left corner) and
 * runs clockwise on screen (y down), i.e. its signed shoelace sum is positive. Where
 * a component meets itself only diagonally the ring touches itself at that corner.
 * COCO polygons cannot carry holes (the COCO API unions rings), so holes are filled:
 * `*holes` (may be NULL) receives how many were (background regions, 8-connected,
 * enclosed by set pixels). Without holes the rings' area equals bmx_rle_area; their
 * extent always equals bmx_rle_bbox; bmx_rle_from_polyset (COCO's frPoly) reads the
 * rings back as exactly the mask with holes filled. An empty mask gives no ring. `out` is
 * allocated (free with bmx_polyset_free); memory used is about the mask's box in bytes.
 * Fails with BMX_E_SCHEMA when the runs do not add up to h*w.
 */
BMX_API bmx_status bmx_rle_to_polyset(const struct bmx_rle *rle, struct bmx_polyset *out,
                                      size_t *holes, bmx_error *err);

/**
 * Keep only the pixels inside `r` (keep_inside = true) or clear the pixels inside
 * `r` (false). `r` is clipped to the mask. `out` is allocated.
 */
BMX_API bmx_status bmx_rle_crop_rect(const struct bmx_rle *rle, struct bmx_rect r,
                                     bool keep_inside, struct bmx_rle *out, bmx_error *err);

/**
 * Nearest-neighbour resample to size [h, w]: output pixel (x, y) takes input pixel
 * (floor((x + 0.5) * w_in / w), floor((y + 0.5) * h_in / h)). `out` is allocated.
 */
BMX_API bmx_status bmx_rle_resize_nearest(const struct bmx_rle *rle, uint32_t h, uint32_t w,
                                          struct bmx_rle *out, bmx_error *err);

/** Deep copy. `out` is allocated. */
BMX_API bmx_status bmx_rle_copy(const struct bmx_rle *in, struct bmx_rle *out, bmx_error *err);

/** Free `counts` and zero the struct. Accepts NULL. */
BMX_API void bmx_rle_free(struct bmx_rle *rle);

/* ------------------------------------------------------------------------- */
/* Images                                                                     */
/* ------------------------------------------------------------------------- */

/**
 * An 8-bit interleaved image, `channels` 3 (RGB) in everything boxmix produces.
 * `data` is owned when it came from a boxmix call (free with bmx_image_free).
 */
struct bmx_image {
    int32_t w, h, channels;
    size_t stride; /**< bytes per row */
    uint8_t *data;
};

/** Output encodings. */
enum bmx_format { BMX_FORMAT_JPEG = 0, BMX_FORMAT_PNG = 1 };

/** Allocate a zeroed w x h image of `channels` channels. */
BMX_API bmx_status bmx_image_new(int32_t w, int32_t h, int32_t channels, struct bmx_image *out,
                                 bmx_error *err);

/**
 * Read the width and height from an encoded image's header without decoding it.
 */
BMX_API bmx_status bmx_image_probe(const uint8_t *buf, size_t len, int32_t *w, int32_t *h,
                                   bmx_error *err);

/**
 * Decode JPEG (TurboJPEG when built with it, else stb), PNG, BMP, TGA, GIF (first
 * frame), PNM into 8-bit RGB. Grey and palette inputs are expanded, alpha is dropped.
 * Pixels as stored: no EXIF rotation. `limits` may be NULL (bmx_limits_init's
 * defaults). `out` is allocated.
 */
BMX_API bmx_status bmx_image_decode(const uint8_t *buf, size_t len,
                                    const struct bmx_limits *limits, struct bmx_image *out,
                                    bmx_error *err);

/**
 * Encode as JPEG (quality 1..100, 4:2:0) or PNG (`quality` not used; with libspng
 * at zlib level 1, the job's default `png_level`). `*out` is allocated with malloc
 * (caller frees with free()).
 */
BMX_API bmx_status bmx_image_encode(const struct bmx_image *img, enum bmx_format format,
                                    int quality, uint8_t **out, size_t *len, bmx_error *err);

/** Bilinear resize (pixel centres aligned, fixed-point: the same bytes everywhere). */
BMX_API bmx_status bmx_image_resize(const struct bmx_image *in, int32_t w, int32_t h,
                                    struct bmx_image *out, bmx_error *err);

/** Free the pixels and zero the struct. Accepts NULL. */
BMX_API void bmx_image_free(struct bmx_image *img);

/* ------------------------------------------------------------------------- */
/* Objects and samples (the in-memory API)                                    */
/* ------------------------------------------------------------------------- */

/** Which kind of mask an object carries. */
enum bmx_seg_kind {
    BMX_SEG_NONE = 0,    /**< no `segmentation` key */
    BMX_SEG_EMPTY = 1,   /**< `segmentation: []` */
    BMX_SEG_POLYGON = 2, /**< list of rings */
    BMX_SEG_RLE = 3      /**< RLE, uncompressed or compressed */
};

/** Where an output object came from. */
enum bmx_origin {
    BMX_FROM_NONE = 0,
    BMX_FROM_BASE = 1,   /**< the base (first input) */
    BMX_FROM_SOURCE = 2, /**< the source (second input) of a two-image operation */
    BMX_FROM_TILE = 3    /**< a Mosaic tile (its number in bmx_object.tile) */
};

/**
 * One annotated object. In a sample the object owns `polys` and `rle`; `extra`
 * (the fields boxmix does not know) is borrowed from the dataset it came from.
 */
struct bmx_object {
    int64_t id;
    int64_t category_id;
    struct bmx_box bbox;
    double area;
    bool has_area;
    int iscrowd;
    bool has_iscrowd; /**< `iscrowd` was present (written back only then) */
    enum bmx_seg_kind seg_kind;
    struct bmx_polyset polys; /**< when seg_kind == BMX_SEG_POLYGON */
    struct bmx_rle rle;       /**< when seg_kind == BMX_SEG_RLE */
    bool rle_compressed;      /**< the RLE came (and goes) as a string */
    const void *extra;        /**< opaque unknown fields, borrowed */
    double *keypoints;        /**< COCO keypoints, x, y, v for each of n_keypoints points
                                   (owned; NULL when none). v 0: not labelled (x = y = 0),
                                   1: labelled, not visible, 2: visible */
    size_t n_keypoints;       /**< points: the array holds 3 * n_keypoints numbers */
    bool has_keypoints;       /**< `keypoints` was present (written back only then) */
    int64_t num_keypoints;    /**< labelled points (v > 0); recounted when one is hidden */
    bool has_num_keypoints;   /**< `num_keypoints` was present (written back only then) */
    /* provenance, set by operations */
    enum bmx_origin origin;
    double visibility;
    bool touched; /**< the operation changed it (else written exactly as it came) */
    uint32_t keypoints_hidden; /**< labelled keypoints the operation hid (made v = 0) */
    bool has_weight;  /**< MixUp: the object carries `weight` */
    double weight;    /**< MixUp: lambda for the base's objects, 1 - lambda for the source's */
    int tile;         /**< Mosaic (origin BMX_FROM_TILE): the tile 0..3 it came from */
};

/** A sample: pixels and objects. Owns everything but the objects' `extra`. */
struct bmx_sample {
    struct bmx_image image;
    size_t n_objects;
    struct bmx_object *objects;
};

/** Free pixels, objects and their geometry; zero the struct. Accepts NULL. */
BMX_API void bmx_sample_free(struct bmx_sample *sample);

/** Deep copy of one object's geometry into `out` (extra stays borrowed). */
BMX_API bmx_status bmx_object_copy(const struct bmx_object *in, struct bmx_object *out,
                                   bmx_error *err);

/** Free one object's owned geometry. */
BMX_API void bmx_object_free(struct bmx_object *obj);

/* ------------------------------------------------------------------------- */
/* CutMix                                                                     */
/* ------------------------------------------------------------------------- */

enum bmx_patch_mode {
    BMX_PATCH_BETA = 0, /**< lambda ~ Beta(alpha, alpha), sides W*sqrt(1-lambda) */
    BMX_PATCH_RATIO = 1 /**< side ratios uniform in [ratio_lo, ratio_hi] */
};

enum bmx_placement {
    BMX_PLACE_ANYWHERE = 0,  /**< the drawn patch (classic CutMix) */
    BMX_PLACE_AVOID_BASE = 1, /**< first of `tries` patches that covers no base box */
    BMX_PLACE_SOURCE_OBJECT = 2 /**< centred on a non-crowd object of the fitted source
                                   (drawn uniformly); none: as anywhere */
};

/** How masks are written. */
enum bmx_mask_format {
    BMX_MASK_KEEP = 0,    /**< each object keeps the form it came in */
    BMX_MASK_POLYGON = 1, /**< RLE masks traced to polygons (bmx_rle_to_polyset, holes
                             filled); crowd objects keep RLE */
    BMX_MASK_RLE = 2      /**< polygons rasterised to (compressed) RLE */
};

/** CutMix parameters. Fill with bmx_cutmix_options_init, then change fields. */
struct bmx_cutmix_options {
    size_t size;             /**< sizeof(struct bmx_cutmix_options), set by the _init
                                  (see "Options that grow" above bmx_input) */
    double alpha;            /**< Beta parameter, default 1.0 */
    enum bmx_patch_mode mode; /**< default BMX_PATCH_BETA */
    double ratio_lo, ratio_hi; /**< side ratios for BMX_PATCH_RATIO, 0 < lo <= hi <= 1, default 0.3..0.7 */
    enum bmx_placement placement; /**< default anywhere */
    int tries;               /**< candidate patches for avoid-base, default 10 */
    double min_visibility;   /**< default 0.10 */
    double min_area;         /**< default 0 (any positive area) */
    double min_size;         /**< default 2 px */
    enum bmx_mask_format mask_format; /**< default keep */
};

/** Fill `opts` with the documented defaults. */
BMX_API void bmx_cutmix_options_init(struct bmx_cutmix_options *opts);

/** Check ranges (alpha > 0, 0 < lo <= hi <= 1, ...). */
BMX_API bmx_status bmx_cutmix_options_check(const struct bmx_cutmix_options *opts,
                                            bmx_error *err);

/** A drawn patch. */
struct bmx_patch {
    struct bmx_rect rect; /**< whole pixels, inside the image, may be empty */
    double lambda;        /**< effective: 1 - area(rect) / (W*H) */
};

/**
 * Draw a patch for an image of w x h. For BMX_PLACE_AVOID_BASE the `base_boxes`
 * (n of them, may be NULL when n is 0) are avoided. BMX_PLACE_SOURCE_OBJECT needs a
 * source, which this call has not: it draws anywhere's patch (bmx_cutmix and
 * bmx_op_apply anchor it). Consumes random numbers from `rng` only.
 */
BMX_API bmx_status bmx_cutmix_draw_patch(const struct bmx_cutmix_options *opts, int32_t w,
                                         int32_t h, const struct bmx_box *base_boxes,
                                         size_t n, bmx_rng *rng, struct bmx_patch *out,
                                         bmx_error *err);

/** What happened to the objects of one apply. */
struct bmx_cutmix_stats {
    size_t kept_whole; /**< untouched by the patch */
    size_t clipped;    /**< touched, kept */
    size_t dropped;    /**< touched, dropped */
    size_t masked;     /**< kept objects that carry a mask */
    size_t holes_filled; /**< mask_format polygon: holes filled when RLE masks became
                            polygons (COCO polygons cannot carry holes) */
    size_t with_keypoints;   /**< kept objects that carry keypoints */
    size_t keypoints_hidden; /**< labelled keypoints hidden (made v = 0) */
};

/**
 * Apply `patch` to base `a` and source `b` into `out` (allocated; free with
 * bmx_sample_free). When b's size differs from a's, b is resized to a's size first
 * (pixels bilinear, boxes and polygons scaled, RLE resampled nearest). Every object
 * of `a` is cut by the patch and every object of `b` clipped to it, and kept or
 * dropped as DESIGN.md says; output objects carry origin/visibility/touched.
 * Output objects keep the ids of their inputs (the caller renumbers).
 * When both samples' images have `data == NULL`, only the annotations are computed
 * (a dry run): `out->image` then has a's size and no pixels.
 * `stats` may be NULL.
 */
BMX_API bmx_status bmx_cutmix_apply(const struct bmx_cutmix_options *opts,
                                    const struct bmx_patch *patch, const struct bmx_sample *a,
                                    const struct bmx_sample *b, struct bmx_sample *out,
                                    struct bmx_cutmix_stats *stats, bmx_error *err);

/**
 * CutMix in one call: draw the patch for base `a` with `rng` (bmx_cutmix_draw_patch,
 * on a's boxes; for BMX_PLACE_SOURCE_OBJECT centred on an object of `b` resized to
 * a's size, as bmx_op_apply does), then apply it to `a` and source `b`
 * (bmx_cutmix_apply). The offline
 * job makes output k exactly so, with the operation's generator seeded by
 * bmx_rng_seed_op(rng, seed, k), so a caller who seeds its own generator the same way
 * gets the same sample (bmx_cutmix_at does both). `out` is allocated
 * (bmx_sample_free); `patch` and `stats` may be NULL. Thread safety: independent
 * calls may run in parallel.
 */
BMX_API bmx_status bmx_cutmix(const struct bmx_cutmix_options *opts, const struct bmx_sample *a,
                              const struct bmx_sample *b, bmx_rng *rng, struct bmx_sample *out,
                              struct bmx_patch *patch, struct bmx_cutmix_stats *stats,
                              bmx_error *err);

/**
 * Output `index` of a run seeded with `seed`, given its base `a` and source `b`:
 * bmx_cutmix with a generator seeded by bmx_rng_seed_op(seed, index). A pure function
 * of the samples, the options and (seed, index): boxmix-augment's output `index`
 * (whose record names its base and source) is exactly this. `out` is allocated
 * (bmx_sample_free); `patch` and `stats` may be NULL. Thread safe.
 */
BMX_API bmx_status bmx_cutmix_at(const struct bmx_cutmix_options *opts,
                                 const struct bmx_sample *a, const struct bmx_sample *b,
                                 uint64_t seed, uint64_t index, struct bmx_sample *out,
                                 struct bmx_patch *patch, struct bmx_cutmix_stats *stats,
                                 bmx_error *err);

/**
 * Cut (`inside` = false: keep the part outside r) or clip (`inside` = true: keep the
 * part inside r) one object by the rectangle r of an image of w x h, and decide it.
 * `*kept` tells whether it survives; when it does, `out` holds the new object
 * (allocated). The building block of every operation.
 */
BMX_API bmx_status bmx_object_by_rect(const struct bmx_cutmix_options *opts,
                                      const struct bmx_object *in, struct bmx_rect r,
                                      bool inside, int32_t w, int32_t h,
                                      struct bmx_object *out, bool *kept, bmx_error *err);

/* ------------------------------------------------------------------------- */
/* The CutMix family: CutOut, MixUp, Mosaic, Copy-Paste (DESIGN.md, "Other     */
/* operations"), on the same object rules as CutMix                           */
/* ------------------------------------------------------------------------- */

struct bmx_decision; /* below, with the decision log */

/** The operations. */
enum bmx_op {
    BMX_OP_CUTMIX = 0,   /**< two inputs: a patch of the source pasted on the base */
    BMX_OP_CUTOUT = 1,   /**< one input: rectangles erased */
    BMX_OP_MIXUP = 2,    /**< two inputs blended */
    BMX_OP_MOSAIC = 3,   /**< four inputs in a 2x2 grid */
    BMX_OP_COPYPASTE = 4 /**< two inputs: source objects pasted by their masks */
};
#define BMX_OP_COUNT 5

/** "cutmix", "cutout", "mixup", "mosaic", "copypaste" (NULL for another value). */
BMX_API const char *bmx_op_name(enum bmx_op op);
/** The operation of that name; false when there is none. */
BMX_API bool bmx_op_from_name(const char *name, enum bmx_op *out);
/** How many inputs the operation takes, base first: 1, 2 or 4 (0 for another value). */
BMX_API size_t bmx_op_inputs(enum bmx_op op);

/** How a two-image operation brings its source to the base's size. */
enum bmx_source_fit {
    BMX_FIT_RESIZE = 0,    /**< stretched to the base's size (default, classic CutMix) */
    BMX_FIT_LETTERBOX = 1, /**< largest scale that fits, aspect kept, centred, 114 grey around */
    BMX_FIT_CROP = 2       /**< CutMix only: the patch taken from a place of the source at
                                its own scale (scaled up only when smaller than the patch) */
};

/** What fills a CutOut hole. */
enum bmx_fill {
    BMX_FILL_MEAN = 0,     /**< the base's per-channel mean, rounded (default) */
    BMX_FILL_CONSTANT = 1, /**< fill_rgb */
    BMX_FILL_NOISE = 2     /**< uniform bytes from the output's generator */
};

/** The most holes one CutOut makes. */
#define BMX_MAX_HOLES 64

/**
 * Parameters of one operation. Fill with bmx_op_options_init, then change fields.
 * `cutmix` holds what every operation shares: the object rules (min_visibility,
 * min_area, min_size), mask_format, and the rectangle draw (alpha, mode, ratios) that
 * CutMix's patch and CutOut's holes use; placement and tries are CutMix's.
 */
struct bmx_op_options {
    size_t size;                      /**< sizeof(struct bmx_op_options), set by the _init */
    enum bmx_op op;                   /**< default BMX_OP_CUTMIX */
    struct bmx_cutmix_options cutmix; /**< bmx_cutmix_options_init's defaults */
    enum bmx_source_fit source_fit;   /**< two-image operations; default resize */
    int holes;                        /**< CutOut: 1..BMX_MAX_HOLES, default 1 */
    enum bmx_fill fill;               /**< CutOut: default mean */
    uint8_t fill_rgb[3];              /**< CutOut with BMX_FILL_CONSTANT */
    double mix_alpha;                 /**< MixUp: lambda ~ Beta(mix_alpha, mix_alpha), default 32 */
    double mix_ratio;                 /**< MixUp: a fixed lambda in [0, 1]; negative (default
                                           -1): drawn with mix_alpha */
    int32_t mosaic_size;              /**< Mosaic: s, the output is s x s; default 640,
                                           16..16384 */
    double paste_prob;                /**< Copy-Paste: each object's chance, default 0.5, [0, 1] */
};

/** Fill `opts` with the documented defaults (CutMix). */
BMX_API void bmx_op_options_init(struct bmx_op_options *opts);

/** Check ranges and combinations (crop with CutMix only, ...); BMX_E_INVALID naming
 *  the field. */
BMX_API bmx_status bmx_op_options_check(const struct bmx_op_options *opts, bmx_error *err);

/** One Mosaic tile in the output. */
struct bmx_mosaic_tile {
    size_t input;          /**< 0..3: which input (0 the base) */
    struct bmx_rect rect;  /**< the tile's part inside the output, whole pixels (may be empty) */
    double scale;          /**< the input's scale: its longer side becomes mosaic_size */
};

/**
 * What an operation drew and did: the image record's fields (DESIGN.md). Filled by
 * the operation; free with bmx_op_record_free.
 */
struct bmx_op_record {
    enum bmx_op op;
    double lambda;              /**< CutMix: share of the base left; CutOut: share left
                                     uncovered; MixUp: the base's weight (quantised to
                                     1/1024); Mosaic, Copy-Paste: unused (0) */
    struct bmx_rect patch;      /**< CutMix */
    enum bmx_placement placement;  /**< CutMix */
    bool has_anchor;            /**< CutMix source-object: an object anchored the patch */
    int64_t anchor_annotation_id;
    enum bmx_source_fit source_fit; /**< two-image operations */
    struct bmx_rect source_rect;    /**< CutMix crop: the rectangle of the source (in the
                                         source's pixels after any enlargement) taken */
    size_t n_holes;             /**< CutOut */
    struct bmx_rect holes[BMX_MAX_HOLES];
    enum bmx_fill fill;
    uint8_t fill_rgb[3];        /**< CutOut: the colour used (mean or constant) */
    int32_t mosaic_size;        /**< Mosaic */
    int32_t centre[2];          /**< Mosaic: (xc, yc) on the 2s x 2s canvas */
    struct bmx_mosaic_tile tiles[4];
    size_t n_pasted;            /**< Copy-Paste: the source objects pasted */
    int64_t *pasted_annotation_ids; /**< owned (bmx_op_record_free) */
    size_t not_pasted_no_mask;  /**< Copy-Paste: source objects never pasted: no mask */
};

/** Free what the record owns and zero it. Accepts NULL. */
BMX_API void bmx_op_record_free(struct bmx_op_record *record);

/**
 * Apply the operation `opts->op` to `inputs` (bmx_op_inputs(op) of them, base
 * first) with the generator `rng`, into `out` (allocated; bmx_sample_free): the
 * pixels when every input has them, else (every input's `data` NULL) only the
 * annotations (a dry run; `out->image` has the output's size and no pixels). Every
 * object is decided by the rules of DESIGN.md and carries origin/visibility/touched
 * (and weight or tile); ids stay those of the inputs. `record` (filled) and
 * `stats` may be NULL. `decisions` (may be NULL): an array of the inputs' object
 * counts summed, filled in input order. Thread safety: independent calls may run in
 * parallel. For CutMix this is bmx_cutmix's result, byte for byte.
 */
BMX_API bmx_status bmx_op_apply(const struct bmx_op_options *opts,
                                const struct bmx_sample *const *inputs, size_t n_inputs,
                                bmx_rng *rng, struct bmx_sample *out,
                                struct bmx_op_record *record, struct bmx_cutmix_stats *stats,
                                struct bmx_decision *decisions, bmx_error *err);

/**
 * Output `index` of a run seeded with `seed`: bmx_op_apply with a generator seeded
 * by bmx_rng_seed_op(seed, index). boxmix-augment's output `index` (whose record
 * names its inputs) is exactly this. Thread safe.
 */
BMX_API bmx_status bmx_op_at(const struct bmx_op_options *opts,
                             const struct bmx_sample *const *inputs, size_t n_inputs,
                             uint64_t seed, uint64_t index, struct bmx_sample *out,
                             struct bmx_op_record *record, struct bmx_cutmix_stats *stats,
                             bmx_error *err);

/** One call per operation (bmx_op_at with `opts->op` set to it; opts may be NULL
 *  for the defaults). */
BMX_API bmx_status bmx_cutout_at(const struct bmx_op_options *opts, const struct bmx_sample *a,
                                 uint64_t seed, uint64_t index, struct bmx_sample *out,
                                 struct bmx_op_record *record, struct bmx_cutmix_stats *stats,
                                 bmx_error *err);
BMX_API bmx_status bmx_mixup_at(const struct bmx_op_options *opts, const struct bmx_sample *a,
                                const struct bmx_sample *b, uint64_t seed, uint64_t index,
                                struct bmx_sample *out, struct bmx_op_record *record,
                                struct bmx_cutmix_stats *stats, bmx_error *err);
BMX_API bmx_status bmx_mosaic_at(const struct bmx_op_options *opts,
                                 const struct bmx_sample *const inputs[4], uint64_t seed,
                                 uint64_t index, struct bmx_sample *out,
                                 struct bmx_op_record *record, struct bmx_cutmix_stats *stats,
                                 bmx_error *err);
BMX_API bmx_status bmx_copypaste_at(const struct bmx_op_options *opts,
                                    const struct bmx_sample *a, const struct bmx_sample *b,
                                    uint64_t seed, uint64_t index, struct bmx_sample *out,
                                    struct bmx_op_record *record,
                                    struct bmx_cutmix_stats *stats, bmx_error *err);

/**
 * Cut one object by a mask (Copy-Paste's primitive): `mask` (an RLE of the image's
 * h x w) covers part of the image; the object's visible part is its pixels outside
 * the mask (polygons rasterised as the COCO API's frPoly does, RLE as it is, a bare
 * box as the pixels whose centres it holds). Measured in pixels and decided by
 * the rules; a kept object's new box is the tight box of its visible pixels, its
 * mask the visible pixels (RLE, or polygons traced along the pixel edges, holes
 * joined by zero-width bridges so that the COCO API reads back exactly the visible
 * pixels, when it came as polygons and opts->mask_format is keep or polygon, or as
 * non-crowd RLE with polygon); a bare box keeps no mask, its area the visible pixel
 * count. An object the mask does not touch is written as bmx_object_by_rect writes
 * one the rectangle misses (as it came; clipped to the image where it leaves it).
 * `*kept` tells whether it survives.
 */
BMX_API bmx_status bmx_object_by_mask(const struct bmx_cutmix_options *opts,
                                      const struct bmx_object *in, const struct bmx_rle *mask,
                                      int32_t w, int32_t h, struct bmx_object *out, bool *kept,
                                      bmx_error *err);

/** One entry of a recipe: an operation and its weight. */
struct bmx_recipe_entry {
    double weight;             /**< > 0; each output draws an entry with probability
                                    weight / sum of weights */
    struct bmx_op_options op;
};

/** The stream tag of the generator that draws each output's recipe entry
 *  (bmx_rng_seed(rng, seed ^ splitmix64(BMX_RNG_TAG_RECIPE), index)), a stream of its
 *  own, so a one-entry recipe draws nothing and output k of `--op cutmix` is the
 *  same with or without a recipe. */
#define BMX_RNG_TAG_RECIPE UINT64_C(0x626d782d72636970) /* "bmx-rcip" */

/** Which entry of the recipe makes output `index` of a run seeded `seed`. */
BMX_API size_t bmx_recipe_pick(const struct bmx_recipe_entry *entries, size_t n, uint64_t seed,
                               uint64_t index);

/**
 * Read a recipe file (JSON, schemas/recipe.schema.json): `{"operations": [{"op":
 * NAME, "weight": W, PARAMETER: VALUE, ...}, ...]}` with the parameters named as
 * boxmix-augment's options with `_` for `-` (alpha, cut_ratio [lo, hi], placement,
 * tries, min_visibility, min_area, min_size, mask_format, source_fit, holes, fill
 * ("mean", "noise" or [r, g, b]), mix_alpha, mix_ratio, mosaic_size, paste_prob).
 * Each entry starts from `defaults` (NULL: bmx_op_options_init's) with its `op` set.
 * An unknown operation, parameter or a value out of range: BMX_E_PARSE naming the
 * file and the JSON path. `*entries` is malloc'd (free()).
 */
BMX_API bmx_status bmx_recipe_read(const char *path, const struct bmx_op_options *defaults,
                                   struct bmx_recipe_entry **entries, size_t *n,
                                   bmx_error *err);

/* ------------------------------------------------------------------------- */
/* Datasets (COCO)                                                            */
/* ------------------------------------------------------------------------- */

/** A dataset: images, categories, annotations and everything else of the file. */
typedef struct bmx_dataset bmx_dataset;

/** One image record. Strings are owned by the dataset. */
struct bmx_image_info {
    int64_t id;          /**< numeric id (or the index+1 when the id is a string) */
    const char *id_str;  /**< the id as it came when it was a string, else NULL */
    const char *file_name;
    int32_t width, height;
    const void *extra;   /**< opaque unknown fields */
};

/** One category. Strings are owned by the dataset. */
struct bmx_category {
    int64_t id;
    const char *name;
    const char *supercategory; /**< NULL when absent */
    size_t n_keypoints;        /**< length of its `keypoints` name list (0: none) */
    const int32_t *skeleton;   /**< its `skeleton`: n_skeleton pairs of 1-based keypoint
                                    numbers, as COCO writes them (NULL when none) */
    size_t n_skeleton;
};

/** Read a COCO detection file. `*out` is allocated (free with bmx_dataset_free). */
BMX_API bmx_status bmx_dataset_read_coco(const char *path, bmx_dataset **out, bmx_error *err);

/**
 * bmx_dataset_read_coco, then refuse (BMX_E_LIMIT, naming the JSON path) an image
 * record larger than `limits->max_image_pixels`, an annotation with more polygon
 * vertices than `max_polygon_vertices`, an image with more objects than
 * `max_objects_per_image`: what is read is bounded by the file's size, but what
 * would be made from such records (pixels, masks) is not. The first limit met in
 * file order (images, then annotations: the first beyond the count of its image)
 * is the error, and only when the document has no other problem the reader
 * refuses; boxmix-check reports the same rules. `limits` may be NULL (defaults).
 */
BMX_API bmx_status bmx_dataset_read_coco_limited(const char *path, const struct bmx_limits *limits,
                                                 bmx_dataset **out, bmx_error *err);

/**
 * Read COCO JSON from memory; `name` is used in messages (e.g. the file name).
 */
BMX_API bmx_status bmx_dataset_read_coco_buffer(const char *buf, size_t len, const char *name,
                                                bmx_dataset **out, bmx_error *err);

/** Write the dataset as COCO JSON to `path` (temporary file, fsync, rename). */
BMX_API bmx_status bmx_dataset_write_coco(const bmx_dataset *ds, const char *path,
                                          bmx_error *err);

/** Number of images. */
BMX_API size_t bmx_dataset_image_count(const bmx_dataset *ds);
/** Image record i (0-based), NULL when out of range. */
BMX_API const struct bmx_image_info *bmx_dataset_image(const bmx_dataset *ds, size_t i);
/** Number of objects of image i. */
BMX_API size_t bmx_dataset_object_count(const bmx_dataset *ds, size_t image_index);
/** Objects of image i (array of bmx_dataset_object_count), owned by the dataset. */
BMX_API const struct bmx_object *bmx_dataset_objects(const bmx_dataset *ds, size_t image_index);
/** Total number of annotations. */
BMX_API size_t bmx_dataset_annotation_count(const bmx_dataset *ds);
/** Number of categories. */
BMX_API size_t bmx_dataset_category_count(const bmx_dataset *ds);
/** Category i (0-based). */
BMX_API const struct bmx_category *bmx_dataset_category(const bmx_dataset *ds, size_t i);

/** Free the dataset. Accepts NULL. */
BMX_API void bmx_dataset_free(bmx_dataset *ds);

/**
 * The patch recorded in image i's `boxmix` field (an output of boxmix-augment).
 * Returns false when the image has none.
 */
BMX_API bool bmx_dataset_image_patch(const bmx_dataset *ds, size_t i, struct bmx_rect *out);

/** The name of category `id`, or NULL when there is none. */
BMX_API const char *bmx_dataset_category_name(const bmx_dataset *ds, int64_t id);

/**
 * Read and decode the image file at `path` (see bmx_image_decode; `limits` may be
 * NULL). `out` is allocated.
 */
BMX_API bmx_status bmx_image_read(const char *path, const struct bmx_limits *limits,
                                  struct bmx_image *out, bmx_error *err);

/**
 * Encode `img` and write it to `path` through a temporary name and a rename, so the
 * file appears whole or not at all.
 */
BMX_API bmx_status bmx_image_write(const char *path, const struct bmx_image *img,
                                   enum bmx_format format, int quality, bmx_error *err);

/**
 * Load image `i` of a dataset as a sample: its pixels decoded from
 * `images_root`/file_name (within `limits`, NULL: bmx_limits_init's) and checked
 * against the record's size, and a copy of its objects (their `extra` stays
 * borrowed from `ds`: keep `ds` while the sample lives). A file_name that escapes
 * the image folder is refused. `out` is allocated (bmx_sample_free).
 */
BMX_API bmx_status bmx_dataset_load_sample(const bmx_dataset *ds, size_t i, const char *images_root,
                                           const struct bmx_limits *limits,
                                           struct bmx_sample *out, bmx_error *err);

/** Dataset formats: what the converter, the builder and the jobs read and write. */
enum bmx_dataset_format { BMX_DATASET_COCO = 0, BMX_DATASET_VOC = 1, BMX_DATASET_YOLO = 2 };

/**
 * A dataset builder: samples in, a COCO or VOC dataset out. bmx_builder_new opens
 * (creates) `out_dir` and locks it like every boxmix output; each
 * bmx_builder_add encodes a sample's pixels into out_dir/images/<file_name>
 * (JPEGImages/ for VOC) at once and keeps its records: the image (new ids 1, 2, ...
 * in the order added, the sample's size) and its objects, masks and keypoints
 * included, with boxmix provenance (`from`, `visibility`) for objects an operation
 * made; bmx_builder_finish writes the annotation file (or the VOC files) last, so
 * a folder holding it holds a whole dataset. Categories, `info`, `licenses` and the
 * other top-level keys are those of `like`, which must outlive the builder (and so
 * must the objects' borrowed `extra`). A folder that already holds a dataset, or
 * that another run holds, is refused; nothing below it is reached through a
 * symlink. Not thread safe: one builder, one thread.
 */
typedef struct bmx_builder bmx_builder;

BMX_API bmx_status bmx_builder_new(const char *out_dir, const bmx_dataset *like,
                                   enum bmx_dataset_format format, bmx_builder **out,
                                   bmx_error *err);

/** Add a sample as `file_name` (relative, no ".."), encoded as `format` at `quality`. */
BMX_API bmx_status bmx_builder_add(bmx_builder *b, const struct bmx_sample *sample,
                                   const char *file_name, enum bmx_format format, int quality,
                                   bmx_error *err);

/** Write the annotations; after it only bmx_builder_free is allowed. */
BMX_API bmx_status bmx_builder_finish(bmx_builder *b, bmx_error *err);

/** Release the builder and its folder's lock (a builder never finished leaves its
 * image files and no annotation file). Accepts NULL. */
BMX_API void bmx_builder_free(bmx_builder *b);

/* ------------------------------------------------------------------------- */
/* Drawing (QA rendering)                                                     */
/* ------------------------------------------------------------------------- */

/** What to draw. Fill with bmx_draw_options_init. */
struct bmx_draw_options {
    size_t size;         /**< sizeof(struct bmx_draw_options), set by the _init */
    int line_width;      /**< box outline width in pixels, default 2 */
    double mask_opacity; /**< mask fill opacity 0..1, default 0.4 */
    bool show_visibility; /**< add boxmix's visibility to each label */
    bool show_id;        /**< add the annotation id to each label */
    bool show_patch;     /**< draw the patch rectangle when known, default true */
    double scale;        /**< output scale factor, default 1.0 */
    bool show_weight;    /**< add MixUp's weight (boxmix.weight) to the labels of objects
                              that carry one, as "w=0.50" */
};

/** Fill `opts` with the documented defaults. */
BMX_API void bmx_draw_options_init(struct bmx_draw_options *opts);

/** The colour of category `id`: fixed, the same in every image and run. */
BMX_API void bmx_draw_category_color(int64_t id, uint8_t rgb[3]);

/**
 * Draw objects on `img` (3-channel RGB, modified in place): masks filled
 * translucently with a solid outline, boxes outlined in their category's colour,
 * labels on a filled tag kept inside the image, crowd objects hatched, objects from
 * the source image of a CutMix drawn dashed, and the `patch` (may be NULL) outlined.
 * `cats` (n_cats of them, may be NULL) give the label names.
 */
BMX_API bmx_status bmx_draw_objects(struct bmx_image *img, const struct bmx_object *objs,
                                    size_t n, const struct bmx_category *cats, size_t n_cats,
                                    const struct bmx_rect *patch,
                                    const struct bmx_draw_options *opts, bmx_error *err);

/**
 * Lay out `n` images as thumbnails in a grid `width` pixels wide, each with its
 * caption under it. `out` is allocated.
 */
BMX_API bmx_status bmx_draw_sheet(const struct bmx_image *images, const char *const *captions,
                                  size_t n, int32_t width, struct bmx_image *out, bmx_error *err);

/** Width and height in pixels of `text` as bmx_draw_text renders it at `scale`. */
BMX_API void bmx_draw_text_size(const char *text, int scale, int32_t *w, int32_t *h);

/** Draw `text` with its top-left corner at (x, y), clipped to the image. */
BMX_API void bmx_draw_text(struct bmx_image *img, int32_t x, int32_t y, const char *text,
                           int scale, const uint8_t rgb[3]);

/* ------------------------------------------------------------------------- */
/* Datasets (Pascal VOC) and conversion                                       */
/* ------------------------------------------------------------------------- */

/** Largest VOC XML file read (64 MB): annotation files are small. */
#define BMX_VOC_MAX_FILE_BYTES ((size_t)64 * 1024 * 1024)
/** Deepest element nesting accepted in VOC XML. */
#define BMX_VOC_MAX_DEPTH 64

/** A list of category names; name i gets category id i + 1. */
struct bmx_labels {
    size_t count;
    char **names;
};

/**
 * Read a labels file: one category name per line, in id order (ids 1..n). Leading
 * and trailing blanks and a CR are trimmed, empty lines skipped; a name given twice
 * is an error (BMX_E_SCHEMA, naming the line). `out` is allocated: free it with
 * bmx_labels_free.
 */
BMX_API bmx_status bmx_labels_read(const char *path, struct bmx_labels *out, bmx_error *err);

/** Free the names and zero `labels`. Accepts NULL. */
BMX_API void bmx_labels_free(struct bmx_labels *labels);

/** How a VOC folder is read. Fill with bmx_voc_options_init, then change fields. */
struct bmx_voc_options {
    size_t size;                     /**< sizeof(struct bmx_voc_options), set by the _init */
    const char *split;               /**< ImageSets/Main/<split>.txt lists the images;
                                          NULL (default): every Annotations/ *.xml, by name */
    const struct bmx_labels *labels; /**< category names in id order; NULL (default):
                                          the names found, sorted (strcmp), ids 1..n */
    const char *images_dir;          /**< where the images are; NULL (default):
                                          <folder>/JPEGImages (for one XML file:
                                          its folder's ../JPEGImages). Used only for an
                                          XML without <size> and for a <filename> that
                                          disagrees with the XML's name */
    struct bmx_limits limits;        /**< an image larger than max_image_pixels is refused */
    /** How an XML without <size> learns its image's size: from the image file's
     * bytes. NULL (default): boxmix's own header reader, bmx_image_probe. */
    bmx_status (*image_size)(const uint8_t *buf, size_t len, int32_t *w, int32_t *h,
                             bmx_error *err);
};

/** Fill `opts` with the documented defaults. */
BMX_API void bmx_voc_options_init(struct bmx_voc_options *opts);

/**
 * Read Pascal VOC XML: `path` is a VOCdevkit-style folder (Annotations/, JPEGImages/,
 * optional ImageSets/Main/) or a single XML file. `opts` may be NULL (defaults).
 *
 * Each XML becomes image id index+1 with file_name = <filename>, width and height
 * from <size> (or from the image file's header when <size> is missing or zero).
 * When <filename> names no existing image but <XML stem>.jpg/.png/.jpeg does, that
 * file is used. Each <object> becomes an annotation: bbox [xmin-1, ymin-1,
 * xmax-xmin+1, ymax-ymin+1], area w*h, iscrowd 0, no segmentation, and as extra
 * fields "pose", "truncated", "difficult", "occluded" (when present; empty = 0).
 * Elements boxmix does not know (source, owner, path, part, ...) are kept as XML
 * text in a "voc_extra" string of the image or object and written back by
 * bmx_dataset_write_voc; a <boxmix> element becomes the "boxmix" field.
 * Errors name the file, the element path (object[1] is the first object) and the
 * line. Files over 64 MB and nesting deeper than 64 are refused (BMX_E_LIMIT).
 * `*out` is allocated (free with bmx_dataset_free).
 */
BMX_API bmx_status bmx_dataset_read_voc(const char *path, const struct bmx_voc_options *opts,
                                        bmx_dataset **out, bmx_error *err);

/**
 * Write `ds` as Pascal VOC into `out_dir`: Annotations/<stem>.xml per image (stem:
 * file_name without folders and extension; two images with one stem are an
 * error, checked before anything is written) and ImageSets/Main/trainval.txt.
 * Boxes are rounded outward to whole pixels (xmin = floor(x) + 1, xmax =
 * ceil(x + w), clamped to the image); truncated is 1 for objects an operation
 * clipped (boxmix visibility < 1); difficult is 1 for crowd objects; masks are not
 * written (VOC XML has none); provenance goes into <boxmix> elements. Images are
 * not copied (see bmx_convert_run). Each file is written through a temporary name.
 */
BMX_API bmx_status bmx_dataset_write_voc(const bmx_dataset *ds, const char *out_dir,
                                         bmx_error *err);

/* ------------------------------------------------------------------------- */
/* Progress of a job                                                          */
/* ------------------------------------------------------------------------- */

/** What a job's progress counts. */
enum bmx_progress_unit {
    BMX_PROGRESS_OUTPUTS = 1, /**< augmented images made (augment; resumed ones count too) */
    BMX_PROGRESS_IMAGES,      /**< input images checked (augment's pre-check), images drawn */
    BMX_PROGRESS_FILES,       /**< image files copied or linked (convert, merge), VOC XML
                                   files checked (check) */
    BMX_PROGRESS_RECORDS      /**< COCO records checked: categories, images, annotations */
};

/**
 * Where a job is, given to the `progress` callback of its options. A job goes
 * through one or more stages (augment: checking its input images, then making the
 * outputs; the other jobs one stage); each stage counts `done` from 0 up to its
 * `total`, one call when it starts (done 0) and one after each unit of work, the
 * last with done == total. The callback is called from one thread at a time, never
 * from two at once, even with several worker threads; the job waits for it, so it
 * should return quickly. It never changes what the job writes. Everything it is
 * given is valid only during the call.
 */
struct bmx_progress {
    uint64_t done;               /**< units of this stage finished */
    uint64_t total;              /**< units of this stage */
    enum bmx_progress_unit unit; /**< what is counted */
    const char *stage;           /**< a short static name: "checking inputs", "making
                                      outputs", "drawing", "copying images", "joining
                                      shards", "checking records", "checking files" */
    unsigned stage_index;        /**< 0 for a job's first stage, then 1, ... */
};

/** The plural noun of a unit: "outputs", "images", "files", "records". */
BMX_API const char *bmx_progress_unit_name(enum bmx_progress_unit unit);

/* ------------------------------------------------------------------------- */
/* Options that grow, and a job's input dataset                               */
/* ------------------------------------------------------------------------- */

/*
 * Options that grow. The option structs that will gain fields (every job's options,
 * bmx_input, bmx_cutmix_options, bmx_draw_options, bmx_voc_options) start with
 * `size_t size`, which their `_init` sets to their sizeof. So adding an option never
 * breaks the shared library's ABI:
 * - fields are only ever added at the end of a struct;
 * - a library call reads a struct up to its `size` and takes the documented defaults
 *   for the fields past it, so a program built against an older boxmix.h (a smaller
 *   struct) keeps working with a newer library;
 * - a size of 0 (a struct not filled by its `_init`), one too small to hold `size`
 *   itself, or one larger than the library's struct (a program built against a newer
 *   boxmix.h than the library) is refused with BMX_E_INVALID, naming the struct;
 * - an option struct inside another (a job's `input`, `cutmix`, `draw`) is part of
 *   its container's layout: where the container's size covers it whole, its own size
 *   must be the library's; where the container's size ends before it, it takes its
 *   defaults;
 * - `struct bmx_limits`, carried inside several of them, keeps its three fields: a
 *   new limit becomes a field at the end of the options that apply it.
 * Always fill a struct with its `_init` before setting fields.
 */

struct bmx_yolo_read_summary;
struct bmx_yolo_write_summary;

/**
 * An input dataset, the same for every job (augment, draw, convert, check). Fill
 * with bmx_input_init, then set `format` and the paths. The readers' limits are the
 * job's own `limits`: they also bound what the job decodes.
 */
struct bmx_input {
    size_t size;                    /**< sizeof(struct bmx_input), set by bmx_input_init */
    enum bmx_dataset_format format; /**< default BMX_DATASET_COCO */
    const char *annotations;        /**< required. COCO: the JSON file; VOC: a VOCdevkit-style
                                         folder (Annotations/, optional ImageSets/Main/ and
                                         JPEGImages/) or one XML file */
    const char *images;             /**< the folder the images' file names are relative to.
                                         COCO: required by the jobs that read pixels (augment,
                                         draw, convert); for check, NULL means no image file
                                         checks. VOC: NULL (default) means <folder>/JPEGImages
                                         (for one XML file: its folder's ../JPEGImages) */
    const char *voc_split;          /**< VOC only: the images ImageSets/Main/<voc_split>.txt
                                         lists; NULL (default): every Annotations/ *.xml */
    const char *labels;             /**< VOC only: a labels file (bmx_labels_read) giving the
                                         category names in id order; NULL (default): the names
                                         found, sorted */
    /* YOLO (`format` BMX_DATASET_YOLO): `annotations` is a data.yaml or a folder
     * holding images/ and labels/; `images` is not used (the image folder is the
     * deepest folder holding the split's images, bmx_yolo_images_root). */
    const char *yolo_split;         /**< YOLO: the split read (data.yaml: train (default),
                                         val or test; a folder: images/<split>/) */
    const char *yolo_names;         /**< YOLO folder: the class names file, one a line in
                                         class order (bmx_labels_read); required for a folder */
    bool yolo_allow_outside;        /**< YOLO: accept split paths and listed images outside
                                         the dataset root (default: refused) */
    struct bmx_yolo_read_summary *yolo_read; /**< YOLO: when non-NULL, filled with what
                                         reading found (images without a label file, rows
                                         dropped as duplicates, coordinates clamped) */
};

/** Fill `input` with the defaults (COCO, every path NULL). */
BMX_API void bmx_input_init(struct bmx_input *input);

/** A whole-dataset conversion. Fill with bmx_convert_job_init. */
struct bmx_convert_job {
    size_t size;                /**< sizeof(struct bmx_convert_job), set by the _init */
    struct bmx_input input;     /**< what to convert; its format is the `from` side */
    enum bmx_dataset_format to; /**< default VOC; must differ from input.format */
    const char *out;            /**< output folder (created) */
    struct bmx_limits limits;   /**< the readers' limits; default bmx_limits_init */
    bool link;  /**< hard-link the images (symlink with an absolute target when a
                     hard link is impossible) instead of copying them */
    bool force; /**< write into a folder that already holds a dataset */
    volatile const int *cancel; /**< when non-NULL and set (e.g. from a signal handler),
                                     the run stops between files, leaving no temporary */
    /** When non-NULL, told how far the run is (see struct bmx_progress), with
     *  `progress_ctx`; default NULL. */
    void (*progress)(const struct bmx_progress *progress, void *ctx);
    void *progress_ctx;
    int yolo_task;              /**< YOLO output: an enum bmx_yolo_task, default AUTO
                                     (segment when any object has a mask) */
    const char *yolo_split;     /**< YOLO output: the split written (images/<split>/,
                                     labels/<split>/); NULL (default): the input's
                                     `yolo_split`, else "train" */
    struct bmx_yolo_write_summary *yolo_written; /**< YOLO output: when non-NULL, filled
                                     with what the writer did (crowd objects left out,
                                     masks traced, rings bridged) */
};

/** Fill `job` with the documented defaults. */
BMX_API void bmx_convert_job_init(struct bmx_convert_job *job);

/** What a conversion did. */
struct bmx_convert_summary {
    uint64_t images, objects, categories;
    uint64_t masked;      /**< objects with a mask VOC cannot carry (box written) */
    uint64_t with_keypoints; /**< objects with keypoints VOC cannot carry (left out) */
    uint64_t copied;      /**< image files copied */
    uint64_t hard_linked; /**< image files hard-linked */
    uint64_t sym_linked;  /**< image files symlinked */
    uint64_t not_jpeg;    /**< VOC output images not named *.jpg / *.jpeg */
};

/**
 * Convert a dataset: COCO -> VOC writes out/Annotations/, out/ImageSets/Main/
 * trainval.txt and out/JPEGImages/<file name>; VOC -> COCO writes
 * out/annotations.json and out/images/<file_name>. The annotations are written
 * last, so a folder holding them holds a complete dataset, and the journal ends
 * with `done` after them. Refuses a file_name that escapes the image folder, any
 * output path that is an input or lies under an input folder (even with `force`),
 * an output folder another run holds (it is locked while the conversion runs), a
 * symlink inside it, an input folder a boxmix run has not finished writing, and
 * an output folder that already holds a dataset unless `force`. `summary` may be
 * NULL.
 */
BMX_API bmx_status bmx_convert_run(const struct bmx_convert_job *job,
                                   struct bmx_convert_summary *summary, bmx_error *err);

/* ------------------------------------------------------------------------- */
/* Dataset checking                                                           */
/* ------------------------------------------------------------------------- */

/** How bad a problem is. */
enum bmx_severity {
    BMX_SEVERITY_WARNING = 1, /**< suspicious or a known quirk; readers accept it */
    BMX_SEVERITY_ERROR = 2    /**< wrong: boxmix's reader or a trainer would fail or mislead */
};

/**
 * What to check. Fill with bmx_check_options_init, then change fields.
 *
 * The input (COCO JSON or Pascal VOC XML: the options, problems and summary are the
 * same for both): for COCO, `input.images` NULL means no image file checks. For VOC,
 * images are checked in `input.images`, else in JPEGImages/ when it exists (for one
 * XML: ../JPEGImages); `input.voc_split` checks the XMLs its list names (a listed id
 * without its XML is a problem); with `input.labels`, object names not in it are
 * errors, without, any name is accepted. VOC problems are placed in their XML file by
 * element path ("annotation/object[2]/bndbox/xmax", "/" for the document), or in the
 * split list by "line N".
 */
struct bmx_check_options {
    size_t size;              /**< sizeof(struct bmx_check_options), set by the _init */
    struct bmx_input input;   /**< what to check; `input.annotations` is required */
    bool decode;              /**< decode every image fully, not only its header (needs images) */
    bool strict;              /**< report every warning as an error */
    struct bmx_limits limits; /**< the readers' limits, applied to records and decoded
                                   images alike; default bmx_limits_init */
    /** When non-NULL, told how far the run is (see struct bmx_progress), with
     *  `progress_ctx`; default NULL. */
    void (*progress)(const struct bmx_progress *progress, void *ctx);
    void *progress_ctx;
};

/** Fill `opts` with the documented defaults (COCO, no images, no decode, not strict). */
BMX_API void bmx_check_options_init(struct bmx_check_options *opts);

/**
 * One problem found. Every string is valid only during the report callback.
 * `path` is a JSON path into `file` ("annotations[12].bbox", "$" for the document),
 * `code` a stable short name ("bbox-outside-image"), `message` a readable sentence.
 */
struct bmx_problem {
    const char *file;
    const char *path;
    const char *code;
    const char *message;
    enum bmx_severity severity;
};

/** Totals of one check run. */
struct bmx_check_summary {
    uint64_t errors;      /**< problems reported as errors (warnings too when strict) */
    uint64_t warnings;    /**< problems reported as warnings */
    uint64_t images;      /**< image records in the file */
    uint64_t annotations; /**< annotation records */
    uint64_t categories;  /**< category records */
    uint64_t image_files; /**< image files examined (with `images` set) */
};

/**
 * Check a dataset and report every problem found, not only the first: the file is
 * walked as it is (a record with a problem does not stop the others). A file that
 * is not valid JSON gives one problem (code "json-syntax") naming line and column.
 * Returns BMX_OK when the check ran, whatever it found: read `summary` (may be
 * NULL) for the counts. Fails only when it could not run: bad options
 * (BMX_E_INVALID), the annotation file cannot be read (BMX_E_IO), out of memory.
 * `report` is called once per problem, in a stable order (the order of the
 * checks), with `ctx`; it may be NULL (count only). The library never prints.
 * Thread safety: independent runs may go on in parallel.
 */
BMX_API bmx_status bmx_check_run(const struct bmx_check_options *opts,
                                 void (*report)(const struct bmx_problem *problem, void *ctx),
                                 void *ctx, struct bmx_check_summary *summary, bmx_error *err);

/** "error" or "warning". */
BMX_API const char *bmx_severity_name(enum bmx_severity severity);


/* ------------------------------------------------------------------------- */
/* The draw run                                                               */
/* ------------------------------------------------------------------------- */

/** Default width in pixels of a contact sheet. */
#define BMX_DRAW_SHEET_WIDTH_DEFAULT 1280

/**
 * A draw run: render boxes, labels, masks and the patch of a COCO dataset's images
 * into a folder, and optionally a contact sheet. Fill with bmx_draw_job_init.
 *
 * Selection: `ids` (n_ids image ids of the file) or else `random` distinct images
 * drawn with a bmx_rng seeded (seed, 0), or else every image; then at most `limit`
 * of those (0: no limit). Images are always drawn in the file's order.
 */
struct bmx_draw_job {
    size_t size;             /**< sizeof(struct bmx_draw_job), set by the _init */
    struct bmx_input input;  /**< the dataset to draw (COCO: `images` required) */
    const char *out;         /**< output folder (created); not the image folder */
    const char *sheet;       /**< contact sheet path (.png, .jpg, .jpeg) or NULL */
    int32_t sheet_width;     /**< sheet width in pixels, default 1280 */
    size_t limit;            /**< draw at most this many (0 = all) */
    const int64_t *ids;      /**< image ids to draw (n_ids of them), or NULL */
    size_t n_ids;
    size_t random;           /**< draw this many images picked at random (0: off) */
    uint64_t seed;           /**< seed of the random pick, default 0 */
    enum bmx_format format;  /**< drawn images' encoding, default PNG */
    int quality;             /**< JPEG quality 1..100, default 90 */
    struct bmx_draw_options draw;
    struct bmx_limits limits;
    volatile const int *cancel; /**< when non-NULL and set (e.g. from a signal handler),
                                     the run stops between images, leaving no temporary */
    /** When non-NULL, told how far the run is (see struct bmx_progress), with
     *  `progress_ctx`; default NULL. */
    void (*progress)(const struct bmx_progress *progress, void *ctx);
    void *progress_ctx;
    const char *decisions;   /**< the decision log of the run that made the dataset
                                  (boxmix-augment --decisions): each dropped object's
                                  box before the operation is outlined in grey dots on
                                  its output's drawing (NULL: none) */
    const char *html;        /**< write a static HTML report into this folder instead
                                  of drawings into `out` (which must then be NULL): the
                                  drawings in html/images/, a paged gallery with filters
                                  (index.html), each image's record and objects, and a
                                  statistics page with SVG plots (stats.html). Nothing
                                  in it is fetched from the network (NULL: none) */
    struct bmx_input inputs; /**< with html: the dataset the drawn one was made from
                                  (boxmix-augment's input; COCO needs `images`): the
                                  images that drawn outputs name as base or source are
                                  drawn into html/images/inputs/ and linked from their
                                  records. `inputs.annotations` NULL (default): the
                                  records link to the dataset's own originals, when it
                                  holds them (--include-originals) */
};

/** What a draw run did. */
struct bmx_draw_summary {
    uint64_t images;  /**< images drawn and written */
    uint64_t objects; /**< objects drawn on them */
};

/** Fill `job` with the documented defaults (paths NULL). */
BMX_API void bmx_draw_job_init(struct bmx_draw_job *job);

/**
 * Run it: read the annotations, write OUT/<file_name without extension>.png (or
 * .jpg) for each selected image (the file_name's folders kept; when two images
 * share a stem, both get "-<image id>" appended) and, when `sheet` is set, the
 * sheet. A file_name that is absolute or has a ".." component is refused before
 * anything is written, and so is an output folder or sheet that is an input or
 * lies under the input image folder, a sheet that would replace a drawing, an
 * output folder another run holds (it is locked while drawing), a symlink inside
 * it. `draw.scale` resizes each image (bilinear) before drawing, so lines and
 * text stay sharp. `summary` may be NULL.
 */
BMX_API bmx_status bmx_draw_run(const struct bmx_draw_job *job, struct bmx_draw_summary *summary,
                                bmx_error *err);

/* ------------------------------------------------------------------------- */
/* The offline augment job                                                    */
/* ------------------------------------------------------------------------- */

/** Options of an augment run. Fill with bmx_job_options_init. */
struct bmx_job_options {
    size_t size;                        /**< sizeof(struct bmx_job_options), set by the _init */
    struct bmx_input input;             /**< the dataset to augment (COCO: `images` required) */
    enum bmx_dataset_format out_format; /**< COCO (default), VOC or YOLO */
    const char *out;         /**< output folder */
    uint64_t count;          /**< number of outputs (0: use per_image) */
    uint64_t per_image;      /**< outputs per input (default 1) */
    uint64_t seed;           /**< default 0 */
    struct bmx_cutmix_options cutmix;
    enum bmx_format format;  /**< default JPEG */
    int quality;             /**< JPEG quality, default 90 */
    bool include_originals;  /**< copy inputs and their annotations into the output */
    bool force;              /**< write into a folder that already holds a dataset */
    bool dry_run;            /**< annotations only: no image decoded, encoded or written */
    unsigned threads;        /**< worker threads, 0 = the number of cores (default) */
    uint64_t shard_index;    /**< make only outputs k with k % shard_count == shard_index */
    uint64_t shard_count;    /**< 0 or 1: no sharding */
    bool resume;             /**< finish an interrupted run in `out`: outputs already
                                  written and checked are kept, the rest are made */
    bool skip_bad;           /**< leave out inputs whose image is missing, unreadable or
                                  of another size, instead of stopping */
    const char *report;      /**< write a JSON run report to this path (NULL: none) */
    volatile const int *cancel; /**< when non-NULL and set (e.g. from a signal handler),
                                  the run stops after the outputs in progress */
    struct bmx_limits limits;
    /** When non-NULL, told how far the run is (see struct bmx_progress), with
     *  `progress_ctx`; default NULL. */
    void (*progress)(const struct bmx_progress *progress, void *ctx);
    void *progress_ctx;
    int png_level;           /**< PNG output: zlib level 0..9, default 1 (0 stores, 1 is
                                  fastest, 9 smallest); a library without libspng
                                  (bmx_have_spng) takes only the default */
    uint64_t memory_limit;   /**< bytes of decoded input images held at once (default
                                  1 GiB), as the memory they take: from 768 KiB an
                                  image is held on whole transparent huge pages where
                                  the system has them. An input is decoded when first
                                  needed, kept while this allows and decoded again when
                                  it had to make room. At least one block's two largest images
                                  (what one output holds): a smaller value, or one image
                                  alone larger, is raised to that, said through `notice`.
                                  The bytes written do not depend on it. Must be > 0 */
    void (*notice)(const char *message, void *user); /**< when non-NULL, called (from
                                  the calling thread, before any output is made) with
                                  what the run adjusted that a caller may tell its user:
                                  the memory limit raised. `message` lives during the
                                  call only */
    void *notice_user;       /**< passed to `notice` */
    int yolo_task;           /**< YOLO output: an enum bmx_yolo_task, default AUTO */
    const char *yolo_split;  /**< YOLO output: the split written (images/<split>/,
                                  labels/<split>/); NULL (default): the input's
                                  `yolo_split`, else "train" */
    struct bmx_yolo_write_summary *yolo_written; /**< YOLO output: when non-NULL, filled
                                  with what the writer did */
    const char *decisions;   /**< write the decision log (one JSON line per object
                                  considered, schemas/decisions.schema.json) to this
                                  path, whole or not at all (NULL: none) */
    const struct bmx_recipe_entry *recipe; /**< the operations, each output drawing one
                                  by weight (bmx_recipe_pick); NULL (default): CutMix
                                  with `cutmix`, as a one-entry recipe (borrowed) */
    size_t recipe_len;       /**< entries in `recipe` */
};

/** The default of bmx_job_options.memory_limit: 1 GiB. */
#define BMX_DEFAULT_MEMORY_LIMIT (UINT64_C(1) << 30)

/** Fill `opts` with the documented defaults. */
BMX_API void bmx_job_options_init(struct bmx_job_options *opts);

/** What a run did. */
struct bmx_job_summary {
    uint64_t samples;      /**< augmented images written */
    uint64_t originals;    /**< original images copied */
    uint64_t resumed;      /**< outputs found complete from an interrupted run */
    uint64_t skipped_images; /**< inputs left out by skip_bad */
    uint64_t skipped_outputs; /**< outputs not made because an input was bad (skip_bad) */
    uint64_t kept_whole;
    uint64_t clipped;
    uint64_t dropped;
    uint64_t masked;       /**< kept objects carrying a mask */
    uint64_t holes_filled; /**< mask format polygon: holes filled (COCO polygons have none) */
    uint64_t with_keypoints;   /**< kept objects that carry keypoints */
    uint64_t keypoints_hidden; /**< labelled keypoints the patches hid (made v = 0) */
    uint64_t per_op[BMX_OP_COUNT]; /**< outputs made per operation (enum bmx_op) */
    uint64_t not_pasted_no_mask;   /**< Copy-Paste: source objects not pasted: no mask */
};

/**
 * Run the augment pass. Reads the inputs, writes `out/images/...` and
 * `out/annotations.json` (or the VOC folders) and `out/.boxmix-journal`.
 * Data safety (README, "Safety"): every path written is checked against the
 * inputs before anything is written (BMX_E_INVALID: never an input, whatever
 * `force`); the output folder is locked for the whole run (another live run
 * holding it: BMX_E_STATE); nothing below it is reached through a symlink; every
 * file appears whole or not at all; the journal ends with `done` only when the
 * dataset is whole. With `resume`, an interrupted run with the same inputs (size,
 * modification time, content) and options is finished; anything else is refused
 * (BMX_E_STATE) naming what changed. Interrupted through `cancel`:
 * BMX_E_INTERRUPTED, no temporary left.
 */
BMX_API bmx_status bmx_job_run(const struct bmx_job_options *opts,
                               struct bmx_job_summary *summary, bmx_error *err);

/** What a merge did. */
struct bmx_merge_summary {
    uint64_t samples;     /**< augmented images */
    uint64_t originals;   /**< original images */
    uint64_t annotations;
};

/** What to merge. Fill with bmx_merge_options_init. */
struct bmx_merge_options {
    size_t size;                /**< sizeof(struct bmx_merge_options), set by the _init */
    const char *out;            /**< the merged output folder (created) */
    const char *const *shards;  /**< the shard folders, n_shards of them */
    size_t n_shards;
    bool force;                 /**< write into a folder that already holds a dataset */
    bool link;                  /**< hard-link the image files instead of copying them */
    volatile const int *cancel; /**< when non-NULL and set, stop between files */
    /** When non-NULL, told how far the run is (see struct bmx_progress), with
     *  `progress_ctx`; default NULL. */
    void (*progress)(const struct bmx_progress *progress, void *ctx);
    void *progress_ctx;
};

/** Fill `opts` with the defaults (no paths, no force, copies). */
BMX_API void bmx_merge_options_init(struct bmx_merge_options *opts);

/**
 * Join the output folders of a sharded run (`boxmix-augment --shard I/N`) into
 * `out`. COCO output: images ordered by their place in the run, annotations
 * renumbered in that order. VOC and YOLO output: each image's annotation file
 * copied as its shard holds it, VOC's ImageSets/Main/trainval.txt listing every
 * image in the run's order, YOLO's data.yaml (the same in every shard) once. Image
 * files are copied (or hard-linked). The result, journal included, is
 * byte-identical to the run made without shards. Refused before any dataset file
 * is written: a shard whose journal is missing or unfinished, shards of different
 * runs (inputs, options, seed, count, output format), a shard given twice or
 * missing, an annotation file (COCO) or image that is not the one its shard's
 * journal lists (edited, corrupted, swapped, deleted), an output path inside a
 * shard. `summary` may be NULL.
 */
BMX_API bmx_status bmx_merge_run(const struct bmx_merge_options *opts,
                                 struct bmx_merge_summary *summary, bmx_error *err);

/* ------------------------------------------------------------------------- */
/* Datasets (YOLO, Ultralytics)                                               */
/* ------------------------------------------------------------------------- */

/** What a YOLO label file is written as. */
enum bmx_yolo_task {
    BMX_YOLO_TASK_AUTO = 0,   /**< segment when any object has a mask, else detect */
    BMX_YOLO_TASK_DETECT = 1, /**< one `cls cx cy w h` row per object */
    BMX_YOLO_TASK_SEGMENT = 2 /**< one `cls x1 y1 ... xn yn` row per object */
};

/** How a YOLO dataset is read. Fill with bmx_yolo_options_init, then change fields. */
struct bmx_yolo_options {
    size_t size;                     /**< sizeof(struct bmx_yolo_options), set by the _init */
    const char *split;               /**< data.yaml: `train` (default), `val` or `test`; a
                                          folder: images/<split>/ (NULL: all of images/) */
    const struct bmx_labels *names;  /**< class names of a folder (class c = name c),
                                          required for a folder, refused with a data.yaml */
    bool allow_outside;              /**< accept split paths and listed images outside the
                                          dataset root (default false: refused) */
    struct bmx_limits limits;        /**< images over max_image_pixels, files with more rows
                                          than max_objects_per_image, rows with more points
                                          than max_polygon_vertices are refused */
    /** How an image's size is learned (YOLO files record none): from the image file's
     * bytes. NULL (default): boxmix's own header reader, bmx_image_probe. */
    bmx_status (*image_size)(const uint8_t *buf, size_t len, int32_t *w, int32_t *h,
                             bmx_error *err);
};

/** Fill `opts` with the documented defaults. */
BMX_API void bmx_yolo_options_init(struct bmx_yolo_options *opts);

/** What reading a YOLO dataset found beside its objects. */
struct bmx_yolo_read_summary {
    uint64_t images;      /**< images of the split */
    uint64_t unlabelled;  /**< images without a label file (images without objects) */
    uint64_t empty;       /**< images whose label file has no row */
    uint64_t duplicates;  /**< rows dropped because the same row came earlier in the file */
    uint64_t clamped;     /**< coordinates within 1% outside [0, 1] moved onto the edge */
};

/**
 * Read a YOLO (Ultralytics) dataset: `path` is a data.yaml or a folder holding
 * images/ and labels/ (then `opts->names` is required). Images of the split come from
 * folders (searched recursively), list files or lists of those; the label file of
 * an image is its path with the last "/images/" replaced by "/labels/" and the
 * extension by ".txt"; sizes come from the image files' headers. Class c becomes
 * category id c + 1 named names[c]; image ids 1..n in path order; file_name is the
 * path relative to the deepest folder holding every image of the split (see
 * bmx_yolo_images_root). A box row `c cx cy w h` becomes bbox [(cx - w/2) W,
 * (cy - h/2) H, w W, h H], area w*h; a file with any row of more than five
 * coordinates is a segmentation file: each row is a polygon (at least 3 points),
 * bbox its extent, area its shoelace area. Coordinates within 1% outside [0, 1]
 * are clamped; further out, a class not below the number of names, an odd count, a
 * non-number (NaN, inf included) are errors naming the label file and line
 * ("labels/train/x.txt:3: class 7 is not below nc=5"). A missing or empty label
 * file is an image without objects; a row repeated in a file is dropped (counted).
 * `opts` may be NULL (defaults: a data.yaml's train split); `summary` may be NULL.
 * `*out` is allocated (free with bmx_dataset_free).
 */
BMX_API bmx_status bmx_dataset_read_yolo(const char *path, const struct bmx_yolo_options *opts,
                                         bmx_dataset **out, struct bmx_yolo_read_summary *summary,
                                         bmx_error *err);

/**
 * The folder the file names of a YOLO dataset read with the same arguments are
 * relative to (the deepest folder holding every image of the split). `*out` is
 * malloc'd (free with free()).
 */
BMX_API bmx_status bmx_yolo_images_root(const char *path, const struct bmx_yolo_options *opts,
                                        char **out, bmx_error *err);

/** How a YOLO dataset is written. Fill with bmx_yolo_write_options_init. */
struct bmx_yolo_write_options {
    size_t size;             /**< sizeof(struct bmx_yolo_write_options), set by the _init */
    enum bmx_yolo_task task; /**< default AUTO */
    const char *split;       /**< the split written, default "train" */
};

/** Fill `opts` with the documented defaults. */
BMX_API void bmx_yolo_write_options_init(struct bmx_yolo_write_options *opts);

/** What a YOLO writer wrote. */
struct bmx_yolo_write_summary {
    enum bmx_yolo_task task; /**< the task written (never AUTO) */
    uint64_t rows;           /**< label rows written */
    uint64_t crowd;          /**< crowd objects left out (YOLO cannot mark ignore regions) */
    uint64_t traced;         /**< RLE masks traced into polygons (segment) */
    uint64_t holes_filled;   /**< holes filled when tracing (polygons carry none) */
    uint64_t bridged;        /**< objects whose several rings were joined into one */
    uint64_t box_corners;    /**< objects without a mask written as their box's corners */
    uint64_t masks_dropped;  /**< objects whose mask a detect file cannot carry (box written) */
    uint64_t no_area;        /**< objects left out for having no area (empty box or mask) */
};

/**
 * Write `ds` as YOLO into `out_dir`: labels/<split>/<file_name without extension>.txt
 * for every image (empty for an image without objects) and data.yaml (`path: .`,
 * the split's and, when it is neither, `train` and `val` pointing at images/<split>,
 * `nc`, `names` as a map in class order). Classes are the categories in id order.
 * Numbers are written with %g (six significant digits), as Ultralytics' converter
 * does: boxes as (x + w/2)/W, (y + h/2)/H, w/W, h/H; polygons divided by W and H;
 * several rings joined by zero-width bridges; RLE traced along pixel edges first;
 * in a segmentation file an object without a mask is its box's four corners. Crowd
 * objects are left out and counted. Images are not copied (see bmx_convert_run).
 * `opts` and `summary` may be NULL. Each file is written through a temporary name.
 */
BMX_API bmx_status bmx_dataset_write_yolo(const bmx_dataset *ds, const char *out_dir,
                                          const struct bmx_yolo_write_options *opts,
                                          struct bmx_yolo_write_summary *summary, bmx_error *err);

/* ------------------------------------------------------------------------- */
/* Records as JSON text (for bindings: the Python module)                     */
/* ------------------------------------------------------------------------- */

/*
 * Each writes one record as the COCO writer writes it (the same fields, order and
 * numbers as the tools' annotation files: a binding that parses the text gets the
 * tools' values to the last digit). `*out` is a NUL-terminated string allocated with
 * malloc (caller frees with free()); `*len` (may be NULL) its length.
 */

/**
 * One object: `{"id", "category_id", "bbox", "area", "iscrowd", "segmentation",
 * keypoints, the fields boxmix does not know, "boxmix"}` (no `image_id`, which is the
 * image's). An object an operation made (origin not BMX_FROM_NONE) carries its
 * provenance `"boxmix": {"from", "visibility", "source_annotation_id", ...}`; any
 * other keeps the `boxmix` field it came with.
 */
BMX_API bmx_status bmx_object_to_json(const struct bmx_object *obj, char **out, size_t *len,
                                      bmx_error *err);

/** Image record `i` of `ds`: id, file_name, width, height and every other field. */
BMX_API bmx_status bmx_dataset_image_to_json(const bmx_dataset *ds, size_t i, char **out,
                                             size_t *len, bmx_error *err);

/** The dataset's `categories` array as in its file (`[]` when it has none). */
BMX_API bmx_status bmx_dataset_categories_to_json(const bmx_dataset *ds, char **out, size_t *len,
                                                  bmx_error *err);

/**
 * The `boxmix` record boxmix-augment gives output `index` of a run seeded with `seed`
 * made from `base` and `source` with `patch`: `{"op": "cutmix", "index",
 * "base_image_id", "source_image_id", "patch", "lambda", "seed"}`.
 */
BMX_API bmx_status bmx_cutmix_record_to_json(const struct bmx_image_info *base,
                                             const struct bmx_image_info *source,
                                             const struct bmx_patch *patch, uint64_t seed,
                                             uint64_t index, char **out, size_t *len,
                                             bmx_error *err);

/**
 * The `boxmix` record boxmix-augment gives output `index` of a run seeded with `seed`
 * that operation `record->op` made from `inputs` (bmx_op_inputs of them, base first;
 * a Mosaic tile's image_id is that of its input): the fields of
 * schemas/coco-output.schema.json in their order (cutmix: op, index, base_image_id,
 * source_image_id, patch, lambda, then source_fit and source_rect when not resize,
 * placement and anchor_annotation_id for source-object, seed; cutout: holes, fill,
 * fill_rgb, lambda; mixup: source_image_id, source_fit, lambda; mosaic: mosaic_size,
 * centre, tiles; copypaste: source_image_id, source_fit, pasted_annotation_ids). A
 * classic CutMix's is bmx_cutmix_record_to_json's, byte for byte.
 */
BMX_API bmx_status bmx_op_record_to_json(const struct bmx_op_record *record,
                                         const struct bmx_image_info *const *inputs,
                                         size_t n_inputs, uint64_t seed, uint64_t index,
                                         char **out, size_t *len, bmx_error *err);

/* ------------------------------------------------------------------------- */
/* Decisions: what an operation did with each object it considered            */
/* ------------------------------------------------------------------------- */

/** What became of one object. */
enum bmx_decision_kind {
    BMX_DECIDED_KEPT = 0,    /**< written exactly as it came (untouched) */
    BMX_DECIDED_CLIPPED = 1, /**< touched and kept: box, area and mask recomputed */
    BMX_DECIDED_DROPPED = 2  /**< left out of the output */
};

/** The rule that dropped an object, the first that failed in this order. */
enum bmx_drop_rule {
    BMX_DROP_NONE = 0,           /**< not dropped */
    BMX_DROP_NO_AREA = 1,        /**< nothing of it stays visible (also a polygon sliver
                                      that covers no pixel as RLE) */
    BMX_DROP_MIN_VISIBILITY = 2, /**< visibility below min_visibility */
    BMX_DROP_MIN_AREA = 3,       /**< visible area below min_area */
    BMX_DROP_MIN_SIZE = 4        /**< new box narrower or lower than min_size */
};

/** One object an operation considered, as it decided it. Plain data. */
struct bmx_decision {
    enum bmx_origin from;      /**< base or source */
    size_t index;              /**< the object's index in its input sample */
    int64_t annotation_id;     /**< its id in its input */
    int64_t category_id;
    int iscrowd;
    double visibility;         /**< visible area over the whole (1 when untouched) */
    double visible_area;       /**< pixels for RLE, exact area for polygons, else of the box */
    struct bmx_box before;     /**< its box in the output's frame before the operation
                                    (a source of another size: scaled) */
    struct bmx_box box;        /**< the box written (kept, clipped); the tight box of
                                    what stayed visible when dropped (zero when nothing) */
    enum bmx_decision_kind kind;
    enum bmx_drop_rule rule;   /**< BMX_DROP_NONE unless dropped */
    int input;                 /**< which input it came from (0 the base; Mosaic 0..3) */
};

/** The decision log's names: "kept", "clipped", "dropped"; and "min_visibility",
 *  "min_area", "min_size", "no-area" ("" for BMX_DROP_NONE). Static strings. */
BMX_API const char *bmx_decision_kind_name(enum bmx_decision_kind kind);
BMX_API const char *bmx_drop_rule_name(enum bmx_drop_rule rule);

/**
 * bmx_cutmix_apply, telling what it decided for every object it considered:
 * `decisions` (may be NULL) is an array of a->n_objects + b->n_objects the caller
 * owns, filled in order (a's objects, then b's). The counts of `stats` are those of
 * the decisions. Thread safety: as bmx_cutmix_apply.
 */
BMX_API bmx_status bmx_cutmix_apply_decided(const struct bmx_cutmix_options *opts,
                                            const struct bmx_patch *patch,
                                            const struct bmx_sample *a,
                                            const struct bmx_sample *b, struct bmx_sample *out,
                                            struct bmx_cutmix_stats *stats,
                                            struct bmx_decision *decisions, bmx_error *err);

/* ------------------------------------------------------------------------- */
/* Dataset statistics                                                         */
/* ------------------------------------------------------------------------- */

/** Statistics of one dataset (opaque; computed on the dataset model, so every
 *  format the readers know has them). */
typedef struct bmx_stats bmx_stats;

/** What to compute statistics of. Fill with bmx_stats_options_init. */
struct bmx_stats_options {
    size_t size;              /**< sizeof(struct bmx_stats_options), set by the _init */
    struct bmx_input input;   /**< the dataset (COCO or VOC); `input.annotations` required */
    struct bmx_limits limits; /**< the readers' limits; default bmx_limits_init */
    const char *decisions;    /**< a decision log of the run that made the dataset
                                   (boxmix-augment --decisions): per category kept,
                                   clipped and dropped from it (NULL: none) */
};

/** Fill `opts` with the defaults (COCO, no decision log). */
BMX_API void bmx_stats_options_init(struct bmx_stats_options *opts);

/**
 * Read the dataset (and the decision log) and count: images, objects per category
 * and per image, box width, height, area and aspect distributions with COCO's
 * small/medium/large counts (by `area`, as COCO's evaluation), masks by kind,
 * crowd objects; on a boxmix output the operations, lambda and visibility
 * distributions, where objects came from. `*out` is allocated: free it with
 * bmx_stats_free. A bad dataset or log: the reader's error, naming file and place.
 */
BMX_API bmx_status bmx_stats_compute(const struct bmx_stats_options *opts, bmx_stats **out,
                                     bmx_error *err);

/** The statistics as one JSON document (schemas/stats.schema.json) ending in a
 *  newline, or as readable text: `*out` malloc'd (NUL-terminated, `*len` without
 *  it), freed by the caller with free(). */
BMX_API bmx_status bmx_stats_json(const bmx_stats *stats, char **out, size_t *len,
                                  bmx_error *err);
BMX_API bmx_status bmx_stats_text(const bmx_stats *stats, char **out, size_t *len,
                                  bmx_error *err);

/** Free statistics. Accepts NULL. */
BMX_API void bmx_stats_free(bmx_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* BOXMIX_H */
