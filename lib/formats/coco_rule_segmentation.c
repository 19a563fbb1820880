/* SPDX-License-Identifier: MIT */
/* An annotation's segmentation: polygons and RLE parsed into the rules' scratch
 * with each fault reported, then (checking only) the mask compared with the rest
 * of the record: the bbox against the mask's box, the area against the mask's
 * area, and polygon vertices against the image. */
#include "coco_rules.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Parse the rings into the scratch polyset. Reports each bad ring; any bad ring
 * makes the whole segmentation unusable for the geometry checks. */
enum bmx__seg bmx__rule_polygons(struct bmx__coco_rules *c, const struct bmx__jnode *seg,
                                 struct bmx_polyset *set, bool *owned)
{
    size_t n_rings = 0, n_xy = 0;
    bool bad = false;
    size_t r = 0;
    for (const struct bmx__jnode *ring = seg->u.child; ring != NULL; ring = ring->next, r++) {
        size_t old = bmx__path_index(c->pr, r);
        if (!bmx__json_is_array(ring)) {
            /* a flat [x, y, ...] list would give one report per number: one is enough */
            bmx__problem(c->pr, BMX__REFUSE, "wrong-type",
                         "expected an array of numbers (a polygon), got %s",
                         bmx__json_type_name(ring));
            bmx__path_pop(c->pr, old);
            return BMX__SEG_BAD;
        }
        size_t k = 0;
        bool ring_ok = true;
        for (const struct bmx__jnode *e = ring->u.child; e != NULL; e = e->next, k++) {
            if (!bmx__json_is_number(e)) {
                if (ring_ok) {
                    size_t o2 = bmx__path_index(c->pr, k);
                    bmx__problem(c->pr, BMX__REFUSE, "wrong-type", "expected a number, got %s",
                                 bmx__json_type_name(e));
                    bmx__path_pop(c->pr, o2);
                }
                ring_ok = false;
            } else if (!isfinite(e->u.num)) {
                ring_ok = false;
            }
        }
        if (k % 2 != 0) {
            bmx__problem(c->pr, BMX__REFUSE, "polygon-odd-count",
                         "expected an even count of numbers (x, y pairs), got %zu", k);
            ring_ok = false;
        } else if (k < 6) {
            bmx__problem(c->pr, BMX__REFUSE, "polygon-too-few-points",
                         "a polygon needs at least 3 points (6 numbers), got %zu", k);
            ring_ok = false;
        }
        bmx__path_pop(c->pr, old);
        bad = bad || !ring_ok;
        n_rings++;
        n_xy += k; /* k counts JSON array elements: cannot overflow */
    }
    if (bad) {
        return BMX__SEG_BAD;
    }
    if (c->keep) {
        /* each ring in its own array, as the dataset model holds them */
        set->rings = bmx__alloc_array(n_rings, sizeof *set->rings);
        set->count = 0;
        *owned = true;
        if (set->rings == NULL) {
            c->pr->nomem = true;
            return BMX__SEG_BAD;
        }
        for (const struct bmx__jnode *ring = seg->u.child; ring != NULL; ring = ring->next) {
            struct bmx_poly *p = &set->rings[set->count];
            p->xy = bmx__alloc_array(ring->n, sizeof *p->xy);
            if (p->xy == NULL) {
                c->pr->nomem = true;
                return BMX__SEG_BAD;
            }
            p->n = ring->n / 2;
            set->count++;
            size_t j = 0;
            for (const struct bmx__jnode *e = ring->u.child; e != NULL; e = e->next) {
                p->xy[j++] = e->u.num;
            }
        }
        return BMX__SEG_POLYGON;
    }
    if (n_rings > c->rings_cap) {
        struct bmx_poly *p = bmx__realloc_array(c->rings, n_rings, sizeof *p);
        if (p == NULL) {
            c->pr->nomem = true;
            return BMX__SEG_BAD;
        }
        c->rings = p;
        c->rings_cap = n_rings;
    }
    if (n_xy > c->xy_cap) {
        double *p = bmx__realloc_array(c->xy, n_xy, sizeof *p);
        if (p == NULL) {
            c->pr->nomem = true;
            return BMX__SEG_BAD;
        }
        c->xy = p;
        c->xy_cap = n_xy;
    }
    size_t q = 0, at = 0;
    for (const struct bmx__jnode *ring = seg->u.child; ring != NULL; ring = ring->next, q++) {
        struct bmx_poly *p = &c->rings[q];
        p->xy = c->xy + at;
        p->n = 0;
        for (const struct bmx__jnode *e = ring->u.child; e != NULL; e = e->next) {
            c->xy[at++] = e->u.num;
        }
        p->n = (size_t)(c->xy + at - p->xy) / 2;
    }
    set->count = n_rings;
    set->rings = c->rings;
    return BMX__SEG_POLYGON;
}

/* Strip the library's "rle: " prefix from a message. */
static const char *rle_message(const bmx_error *err)
{
    const char *m = err->message;
    return strncmp(m, "rle: ", 5) == 0 ? m + 5 : m;
}

/* Parse an RLE object into out->rle (allocated for the string form, then
 * out->rle_owned; the rules' scratch for the array form). `img` NULL: its image
 * is unknown (the checker goes on without it). */
enum bmx__seg bmx__rule_rle(struct bmx__coco_rules *c, const struct bmx__jnode *seg,
                            const struct bmx__coco_image_rec *img, struct bmx__coco_ann *out)
{
    struct bmx__problems *pr = c->pr;
    struct bmx_rle *rle = &out->rle;
    if (pr->all) {
        bmx__rule_duplicate_keys(pr, seg);
    }
    const struct bmx__jnode *size = bmx__rule_member(pr, seg, "size", true);
    size_t old;
    bool size_ok = size != NULL;
    uint32_t h = 0, w = 0;
    if (size != NULL) {
        old = BMX__PATH_FIELD(pr, "size");
        const struct bmx__jnode *hv = bmx__json_is_array(size) ? size->u.child : NULL;
        const struct bmx__jnode *wv = hv != NULL ? hv->next : NULL;
        bool form_ok = true;
        if (!bmx__json_is_array(size) || size->n != 2 || !bmx__json_is_number(hv) ||
            !bmx__json_is_number(wv) || !isfinite(hv->u.num) || !isfinite(wv->u.num) ||
            !bmx__json_is_integral(hv->u.num) || !bmx__json_is_integral(wv->u.num)) {
            if (!(bmx__json_is_number(hv) && !isfinite(hv->u.num)) &&
                !(bmx__json_is_number(wv) && !isfinite(wv->u.num))) {
                bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected [height, width] integers");
            }
            size_ok = form_ok = false;
        } else if (img != NULL && img->dims_ok) {
            /* a mask of another size: its runs may be fine, its geometry is not
             * comparable */
            if (hv->u.num != img->h || wv->u.num != img->w) {
                bmx__problem(pr, BMX__REFUSE, "rle-size-mismatch",
                             "[%.0f, %.0f] differs from its image's [height, width] [%" PRId32
                             ", %" PRId32 "]",
                             hv->u.num, wv->u.num, img->h, img->w);
                size_ok = false;
            }
        }
        if (size_ok &&
            (hv->u.num < 0 || wv->u.num < 0 || hv->u.num > UINT32_MAX || wv->u.num > UINT32_MAX)) {
            bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected [height, width] integers");
            size_ok = false;
        }
        if (form_ok && hv->u.num >= 0 && wv->u.num >= 0 && hv->u.num <= UINT32_MAX &&
            wv->u.num <= UINT32_MAX) {
            h = (uint32_t)hv->u.num;
            w = (uint32_t)wv->u.num;
        } else {
            size = NULL; /* the runs cannot be judged against it */
        }
        bmx__path_pop(pr, old);
    }
    const struct bmx__jnode *counts = bmx__rule_member(pr, seg, "counts", true);
    if (size == NULL || counts == NULL || (!size_ok && !pr->all)) {
        return BMX__SEG_BAD;
    }
    old = BMX__PATH_FIELD(pr, "counts");
    enum bmx__seg result = BMX__SEG_BAD;
    bmx_error err = {0};
    if (bmx__json_is_string(counts)) {
        bmx_status st = bmx_rle_from_string(counts->u.str, counts->n, h, w, rle, &err);
        if (st == BMX_E_NOMEM) {
            pr->nomem = true;
        } else if (st != BMX_OK) {
            /* bmx_rle_from_string gives BMX_E_PARSE both for a malformed string and
             * for runs that do not add up; only the latter says "add up to". */
            bool sum = st == BMX_E_PARSE && strstr(err.message, "add up to") != NULL;
            bmx__problem(pr, BMX__REFUSE, sum ? "rle-runs-sum" : "rle-malformed", "%s",
                         rle_message(&err));
        } else {
            out->rle_owned = true;
            out->rle_compressed = true;
            result = BMX__SEG_RLE;
        }
    } else if (bmx__json_is_array(counts)) {
        size_t m = counts->n;
        uint32_t *runs = c->runs;
        if (c->keep) {
            runs = bmx__alloc_array(m ? m : 1, sizeof *runs);
            if (runs == NULL) {
                pr->nomem = true;
                bmx__path_pop(pr, old);
                return BMX__SEG_BAD;
            }
            *rle = (struct bmx_rle){.h = h, .w = w, .m = 0, .counts = runs};
            out->rle_owned = true;
        } else if (m > c->runs_cap) {
            uint32_t *p = bmx__realloc_array(c->runs, m, sizeof *p);
            if (p == NULL) {
                pr->nomem = true;
                bmx__path_pop(pr, old);
                return BMX__SEG_BAD;
            }
            c->runs = p;
            c->runs_cap = m;
            runs = p;
        }
        size_t j = 0;
        bool ok = true;
        for (const struct bmx__jnode *e = counts->u.child; e != NULL; e = e->next, j++) {
            if (bmx__json_is_number(e) && !isfinite(e->u.num)) {
                ok = false;
                break;
            }
            if (!bmx__json_is_number(e) || !bmx__json_is_integral(e->u.num) || e->u.num < 0 ||
                e->u.num > UINT32_MAX) {
                size_t o2 = bmx__path_index(pr, j);
                bmx__problem(pr, BMX__REFUSE, "rle-malformed",
                             "expected a run length in 0..4294967295");
                bmx__path_pop(pr, o2);
                ok = false;
                break;
            }
            runs[j] = (uint32_t)e->u.num;
        }
        if (ok) {
            *rle = (struct bmx_rle){.h = h, .w = w, .m = m, .counts = runs};
            bmx_status st = bmx_rle_validate(rle, &err);
            if (st == BMX_E_SCHEMA) {
                bmx__problem(pr, BMX__REFUSE, "rle-runs-sum", "%s", rle_message(&err));
            } else if (st != BMX_OK) {
                bmx__problem(pr, BMX__REFUSE, "rle-malformed", "%s", rle_message(&err));
            } else {
                out->rle_compressed = false;
                result = BMX__SEG_RLE;
            }
        }
    } else {
        bmx__problem(pr, BMX__REFUSE, "wrong-type",
                     "expected a string or an array of run lengths, got %s",
                     bmx__json_type_name(counts));
    }
    bmx__path_pop(pr, old);
    if (result == BMX__SEG_RLE && !size_ok) {
        result = BMX__SEG_BAD;
    }
    if (result == BMX__SEG_RLE && pr->all && bmx_rle_area(rle) == 0) {
        bmx__problem(pr, BMX__WARNING, "mask-empty", "the mask has no pixel set");
        result = BMX__SEG_BAD;
    }
    return result;
}

/* Append `s` to buf (n bytes used of cap), cut and terminated as snprintf cuts. */
static void text_append(char *buf, size_t cap, size_t *n, const char *s)
{
    size_t len = strlen(s);
    if (*n + len >= cap) {
        len = *n + 1 < cap ? cap - 1 - *n : 0;
    }
    memcpy(buf + *n, s, len);
    *n += len;
    buf[*n] = '\0';
}

/* Largest distance between the sides of two boxes. */
static double box_distance(const struct bmx_box *a, const struct bmx_box *b)
{
    double d = fabs(a->x - b->x);
    d = fmax(d, fabs(a->y - b->y));
    d = fmax(d, fabs((a->x + a->w) - (b->x + b->w)));
    d = fmax(d, fabs((a->y + a->h) - (b->y + b->h)));
    return d;
}

static void box_vs_mask(struct bmx__coco_rules *c, const struct bmx_box *box,
                        const struct bmx_box *mbox, bool crowd, const char *what)
{
    double d = box_distance(box, mbox);
    if (d <= BMX__COORD_EPS) {
        return;
    }
    size_t old = BMX__PATH_FIELD(c->pr, "bbox");
    /* "[%.10g, %.10g, %.10g, %.10g] is %.3g px off WHAT [%.10g, %.10g, %.10g, %.10g]"
     * put together piece by piece (cut at 255 bytes as snprintf would): this is the
     * message a broken file repeats a million times. */
    char desc[256], g[32];
    size_t n = 0;
    double nums[9] = {box->x, box->y, box->w, box->h, d, mbox->x, mbox->y, mbox->w, mbox->h};
    static const char *const before[9] = {"[", ", ", ", ", ", ", "] is ", " [", ", ", ", ", ", "};
    for (int q = 0; q < 9; q++) {
        text_append(desc, sizeof desc, &n, before[q]);
        text_append(desc, sizeof desc, &n, bmx__format_g(g, sizeof g, nums[q], q == 4 ? 3 : 10));
        if (q == 4) {
            text_append(desc, sizeof desc, &n, " px off ");
            text_append(desc, sizeof desc, &n, what);
        }
    }
    text_append(desc, sizeof desc, &n, "]");
    if (crowd) {
        bmx__problem(c->pr, BMX__WARNING, "crowd-bbox-mismatch",
                     "crowd object: %s (a known quirk of the official COCO files)", desc);
    } else if (d <= BMX__EDGE_TOL) {
        bmx__problem(c->pr, BMX__WARNING, "bbox-off-by-one", "%s", desc);
    } else {
        bmx__problem(c->pr, BMX__ERROR, "bbox-mismatch", "%s", desc);
    }
    bmx__path_pop(c->pr, old);
}

static void area_vs_mask(struct bmx__coco_rules *c, double area, double want, double tol,
                         bool crowd, const char *what)
{
    if (fabs(area - want) <= tol) {
        return;
    }
    size_t old = BMX__PATH_FIELD(c->pr, "area");
    char ga[32], gw[32];
    bmx__format_g(ga, sizeof ga, area, 10);
    bmx__format_g(gw, sizeof gw, want, 10);
    if (crowd) {
        bmx__problem(
            c->pr, BMX__WARNING, "crowd-area-mismatch",
            "crowd object: %s differs from %s %s (a known quirk of the official COCO files)", ga,
            what, gw);
    } else {
        bmx__problem(c->pr, BMX__ERROR, "area-mismatch", "%s differs from %s %s", ga, what, gw);
    }
    bmx__path_pop(c->pr, old);
}

/* A vertex more than the image's size past an edge: what CutMix makes of it would
 * not be finite, so the reader refuses it (once every record is read). */
bool bmx__rule_far_vertex(struct bmx__coco_rules *c, const struct bmx_polyset *set,
                          const struct bmx__coco_image_rec *img)
{
    const double W = img->w, H = img->h;
    for (size_t r = 0; img->dims_ok && r < set->count; r++) {
        const struct bmx_poly *p = &set->rings[r];
        for (size_t j = 0; j < p->n; j++) {
            double x = p->xy[2 * j], y = p->xy[2 * j + 1];
            if (!(x >= -W && x <= 2 * W && y >= -H && y <= 2 * H)) {
                size_t o1 = BMX__PATH_FIELD(c->pr, "segmentation");
                size_t o2 = bmx__path_index(c->pr, r);
                c->pr->deferred = true;
                bmx__problem(c->pr, BMX__REFUSE, "polygon-far-outside-image",
                             "vertex (%.10g, %.10g) lies far outside its %" PRId32 "x%" PRId32
                             " image",
                             x, y, img->w, img->h);
                c->pr->deferred = false;
                bmx__path_pop(c->pr, o2);
                bmx__path_pop(c->pr, o1);
                return true;
            }
        }
    }
    return false;
}

/* Vertices outside the image: far outside (bmx__rule_far_vertex), else a warning
 * for one past an edge by more than rounding; once per annotation either way. */
static void polygons_inside(struct bmx__coco_rules *c, const struct bmx_polyset *set,
                            const struct bmx__coco_image_rec *img)
{
    if (bmx__rule_far_vertex(c, set, img)) {
        return;
    }
    for (size_t r = 0; r < set->count; r++) {
        const struct bmx_poly *p = &set->rings[r];
        double out = 0.0;
        for (size_t j = 0; j < p->n; j++) {
            double x = p->xy[2 * j], y = p->xy[2 * j + 1];
            out = fmax(out, fmax(fmax(-x, x - img->w), fmax(-y, y - img->h)));
        }
        if (out > BMX__COORD_EPS) {
            size_t o1 = BMX__PATH_FIELD(c->pr, "segmentation");
            size_t o2 = bmx__path_index(c->pr, r);
            bmx__problem(c->pr, BMX__WARNING, "polygon-outside-image",
                         "vertices lie up to %.3g px outside the %" PRId32 "x%" PRId32 " image",
                         out, img->w, img->h);
            bmx__path_pop(c->pr, o2);
            bmx__path_pop(c->pr, o1);
            return;
        }
    }
}

/* The checker's comparisons of an annotation's geometry with itself and its
 * image: zero-area rings, vertices outside the image, the bbox against the
 * mask's box, the area against the mask's area or the box's. */
void bmx__rule_mask_geometry(struct bmx__coco_rules *r, const struct bmx__coco_ann *a,
                             const struct bmx__coco_image_rec *img)
{
    struct bmx__problems *pr = r->pr;
    bool crowd = a->has_iscrowd && a->iscrowd == 1;
    if (a->seg == BMX__SEG_POLYGON) {
        const struct bmx_polyset *polys = &a->polys;
        for (size_t q = 0; q < polys->count; q++) {
            if (bmx_poly_area(&polys->rings[q]) == 0.0) {
                size_t o1 = BMX__PATH_FIELD(pr, "segmentation");
                size_t o2 = bmx__path_index(pr, q);
                bmx__problem(pr, BMX__WARNING, "polygon-zero-area", "the polygon encloses no area");
                bmx__path_pop(pr, o2);
                bmx__path_pop(pr, o1);
            }
        }
        if (img != NULL) {
            polygons_inside(r, polys, img);
        }
        if (a->box_ok) {
            struct bmx_box ext;
            bmx_polyset_bbox(polys, &ext);
            box_vs_mask(r, &a->box, &ext, crowd, "its polygons' extent");
        }
        if (a->has_area) {
            double exact = bmx_polyset_area(polys);
            area_vs_mask(r, a->area, exact, BMX__AREA_ABS_TOL + BMX__AREA_REL_TOL * exact, crowd,
                         "the polygons' exact area");
        }
    } else if (a->seg == BMX__SEG_RLE) {
        if (a->box_ok) {
            struct bmx_box mb;
            bmx_rle_bbox(&a->rle, &mb);
            box_vs_mask(r, &a->box, &mb, crowd, "its mask's box");
        }
        if (a->has_area) {
            area_vs_mask(r, a->area, (double)bmx_rle_area(&a->rle), BMX__AREA_ABS_TOL, crowd,
                         "the mask's pixel count");
        }
    } else if ((a->seg == BMX__SEG_NONE || a->seg == BMX__SEG_EMPTY) && a->box_ok && a->has_area) {
        double wh = a->box.w * a->box.h;
        if (a->area > wh + BMX__AREA_ABS_TOL + BMX__AREA_REL_TOL * wh) {
            size_t old = BMX__PATH_FIELD(pr, "area");
            bmx__problem(pr, BMX__ERROR, "area-exceeds-box",
                         "%.10g is more than the box's w*h %.10g", a->area, wh);
            bmx__path_pop(pr, old);
        }
    }
}
