/* SPDX-License-Identifier: MIT */
/*
 * A mask traced as COCO polygons that keep its holes (rle_mask_ops.h,
 * bmx__rle_to_polyset_exact): the outer boundaries of bmx_rle_to_polyset, each
 * component's holes joined to its ring by zero-width bridges.
 *
 * Why it is exact. The COCO API rasterises each ring on its own (frPoly) and unions
 * the rings. frPoly marks, in every column, the rows where a horizontal edge of the
 * ring crosses the column's pixel centres, and toggles between marks; a mark made
 * twice cancels (its run-length step merges equal positions pairwise). Vertical
 * edges make no mark. So for a ring whose vertices are pixel corners, a pixel is set
 * when an odd number of the ring's horizontal edges lie above it in its column: the
 * ring covers the parity (XOR) of the regions of the loops it is made of, and a
 * bridge walked out and back marks every one of its crossings twice. The shoelace
 * sum of a bridge cancels as well.
 *
 * Steps for a mask X (recursively for what lies inside holes):
 * 1. R = the outer rings of X's components (holes filled). No hole: R is exact.
 * 2. F = R rasterised (X with its holes filled): its 4-connected components are the
 *    top-level components filled, hole-free, so T = the rings of F is one ring per
 *    top-level component, and each ring t of T rasterises to its filled region Ft.
 * 3. D = Ft minus X (the holes, without what X has inside them); G = D with its own
 *    holes filled, H = G's outer rings (one per top-level hole). Then G lies in Ft,
 *    the rings of H cover disjoint regions whose union is G, and D lies in G.
 * 4. t joined with H (run backwards) covers Ft minus G, which lies in X; what X has
 *    inside the holes is G minus D, traced again from step 1 as rings of its own
 *    (kept in a list rather than by recursion, so deep nesting needs no stack).
 */
#include "rle_mask_ops.h"

#include <stdlib.h>
#include <string.h>

/* Append `ring` (taken over) to `set`. */
static bmx_status set_push(struct bmx_polyset *set, struct bmx_poly ring, bmx_error *err)
{
    struct bmx_poly *rings = bmx__realloc_array(set->rings, set->count + 1, sizeof *rings);
    if (rings == NULL) {
        free(ring.xy);
        return bmx__fail(err, BMX_E_NOMEM, "rle: trace: out of memory");
    }
    set->rings = rings;
    set->rings[set->count++] = ring;
    return BMX_OK;
}

/* Move every ring of `from` to `set`. */
static bmx_status set_take(struct bmx_polyset *set, struct bmx_polyset *from, bmx_error *err)
{
    bmx_status st = BMX_OK;
    for (size_t i = 0; i < from->count; i++) {
        if (st == BMX_OK) {
            st = set_push(set, from->rings[i], err);
        } else {
            free(from->rings[i].xy);
        }
    }
    free(from->rings);
    from->rings = NULL;
    from->count = 0;
    return st;
}

struct attach {
    size_t at;   /* vertex of the outer ring */
    size_t hole; /* ring of the holes */
};

static int attach_cmp(const void *pa, const void *pb)
{
    const struct attach *a = pa;
    const struct attach *b = pb;
    if (a->at != b->at) {
        return a->at < b->at ? -1 : 1;
    }
    return a->hole < b->hole ? -1 : (a->hole > b->hole ? 1 : 0);
}

/* The ring t with every ring of `holes` joined to it: after the outer vertex
 * nearest to the hole's first vertex (the first such vertex), the hole's first
 * vertex, its others backwards, the first again, and the outer vertex again. */
static bmx_status bridge(const struct bmx_poly *t, const struct bmx_polyset *holes,
                         struct bmx_poly *out, bmx_error *err)
{
    size_t n = t->n;
    struct attach *att = bmx__alloc_array(holes->count, sizeof *att);
    if (att == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "rle: trace: out of memory");
    }
    for (size_t i = 0; i < holes->count; i++) {
        double hx = holes->rings[i].xy[0], hy = holes->rings[i].xy[1];
        double best = -1.0;
        att[i].at = 0;
        att[i].hole = i;
        for (size_t k = 0; k < t->n; k++) {
            double dx = t->xy[2 * k] - hx, dy = t->xy[2 * k + 1] - hy;
            double d = dx * dx + dy * dy;
            if (best < 0.0 || d < best) {
                best = d;
                att[i].at = k;
            }
        }
        if (!bmx__add_size(n, holes->rings[i].n + 2, &n)) {
            free(att);
            return bmx__fail(err, BMX_E_OVERFLOW, "rle: trace: too many vertices");
        }
    }
    qsort(att, holes->count, sizeof *att, attach_cmp);
    double *xy = bmx__alloc_array(n, 2 * sizeof *xy);
    if (xy == NULL) {
        free(att);
        return bmx__fail(err, BMX_E_NOMEM, "rle: trace: out of memory");
    }
    size_t m = 0, a = 0;
    for (size_t k = 0; k < t->n; k++) {
        xy[2 * m] = t->xy[2 * k];
        xy[2 * m + 1] = t->xy[2 * k + 1];
        m++;
        for (; a < holes->count && att[a].at == k; a++) {
            const struct bmx_poly *hole = &holes->rings[att[a].hole];
            for (size_t q = 0; q <= hole->n; q++) {
                size_t i = q == 0 || q == hole->n ? 0 : hole->n - q;
                xy[2 * m] = hole->xy[2 * i];
                xy[2 * m + 1] = hole->xy[2 * i + 1];
                m++;
            }
            xy[2 * m] = t->xy[2 * k];
            xy[2 * m + 1] = t->xy[2 * k + 1];
            m++;
        }
    }
    free(att);
    out->n = m;
    out->xy = xy;
    return BMX_OK;
}

/* The outer rings of a mask's components and their filled region. `filled` NULL
 * when the caller needs no raster; *holes as bmx_rle_to_polyset counts them. */
static bmx_status outer(const struct bmx_rle *x, struct bmx_polyset *rings, size_t *holes,
                        struct bmx_rle *filled, bmx_error *err)
{
    bmx_status st = bmx_rle_to_polyset(x, rings, holes, err);
    if (st == BMX_OK && filled != NULL) {
        st = bmx_rle_from_polyset(rings, x->h, x->w, filled, err);
        if (st != BMX_OK) {
            bmx_polyset_free(rings);
        }
    }
    return st;
}

/* Masks still to trace (what lies inside holes), so that deep nesting costs heap,
 * not stack. */
struct pending {
    struct bmx_rle *v;
    size_t n, cap;
};

static bmx_status pending_push(struct pending *p, struct bmx_rle *r, bmx_error *err)
{
    if (p->n == p->cap) {
        size_t cap = p->cap < 8 ? 8 : p->cap;
        if (!bmx__mul_size(cap, 2, &cap)) {
            return bmx__fail(err, BMX_E_OVERFLOW, "rle: trace: nesting too deep");
        }
        struct bmx_rle *v = bmx__realloc_array(p->v, cap, sizeof *v);
        if (v == NULL) {
            return bmx__fail(err, BMX_E_NOMEM, "rle: trace: out of memory");
        }
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = *r;
    memset(r, 0, sizeof *r);
    return BMX_OK;
}

/* Steps 1 to 4 for the mask x; what lies inside its holes goes to `later`. */
static bmx_status trace_level(const struct bmx_rle *x, struct bmx_polyset *out,
                              struct pending *later, bmx_error *err)
{
    struct bmx_polyset r = {0, NULL}, t = {0, NULL}, hr = {0, NULL};
    struct bmx_rle f = {0, 0, 0, NULL}, ft = {0, 0, 0, NULL}, d = {0, 0, 0, NULL};
    struct bmx_rle g = {0, 0, 0, NULL}, inner = {0, 0, 0, NULL};
    size_t holes = 0;

    /* 1. */
    bmx_status st = outer(x, &r, &holes, NULL, err);
    if (st != BMX_OK) {
        return st;
    }
    if (holes == 0) {
        return set_take(out, &r, err);
    }
    /* 2. */
    st = bmx_rle_from_polyset(&r, x->h, x->w, &f, err);
    if (st == BMX_OK) {
        st = bmx_rle_to_polyset(&f, &t, NULL, err);
    }
    for (size_t i = 0; st == BMX_OK && i < t.count; i++) {
        /* 3. */
        uint64_t in_x = 0;
        st = bmx_rle_from_poly(&t.rings[i], x->h, x->w, &ft, err);
        if (st == BMX_OK) {
            st = bmx__rle_minus(&ft, x, &d, &in_x, err);
        }
        if (st == BMX_OK && bmx_rle_area(&d) == 0) {
            struct bmx_poly copy = {t.rings[i].n, NULL};
            copy.xy = bmx__alloc_array(copy.n, 2 * sizeof *copy.xy);
            if (copy.xy == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "rle: trace: out of memory");
            } else {
                memcpy(copy.xy, t.rings[i].xy, copy.n * 2 * sizeof *copy.xy);
                st = set_push(out, copy, err);
            }
        } else if (st == BMX_OK) {
            size_t hole_holes = 0;
            st = outer(&d, &hr, &hole_holes, NULL, err);
            if (st == BMX_OK && hole_holes > 0) {
                st = bmx_rle_from_polyset(&hr, x->h, x->w, &g, err);
                bmx_polyset_free(&hr);
                if (st == BMX_OK) {
                    st = bmx_rle_to_polyset(&g, &hr, NULL, err);
                }
            }
            /* 4. */
            struct bmx_poly joined = {0, NULL};
            if (st == BMX_OK) {
                st = bridge(&t.rings[i], &hr, &joined, err);
            }
            if (st == BMX_OK) {
                st = set_push(out, joined, err);
            }
            if (st == BMX_OK && hole_holes > 0) {
                st = bmx__rle_minus(&g, &d, &inner, NULL, err);
                if (st == BMX_OK && bmx_rle_area(&inner) > 0) {
                    st = pending_push(later, &inner, err);
                }
            }
        }
        bmx_polyset_free(&hr);
        bmx_rle_free(&ft);
        bmx_rle_free(&d);
        bmx_rle_free(&g);
        bmx_rle_free(&inner);
    }
    bmx_polyset_free(&r);
    bmx_polyset_free(&t);
    bmx_rle_free(&f);
    return st;
}

bmx_status bmx__rle_to_polyset_exact(const struct bmx_rle *rle, struct bmx_polyset *out,
                                     bmx_error *err)
{
    if (out == NULL || rle == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "rle: trace: NULL argument");
    }
    memset(out, 0, sizeof *out);
    struct pending later = {NULL, 0, 0};
    bmx_status st = bmx_rle_validate(rle, err);
    if (st == BMX_OK) {
        st = trace_level(rle, out, &later, err);
    }
    while (st == BMX_OK && later.n > 0) {
        struct bmx_rle x = later.v[--later.n];
        st = trace_level(&x, out, &later, err);
        bmx_rle_free(&x);
    }
    for (size_t i = 0; i < later.n; i++) {
        bmx_rle_free(&later.v[i]);
    }
    free(later.v);
    if (st != BMX_OK) {
        bmx_polyset_free(out);
    }
    return st;
}
