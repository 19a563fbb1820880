#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write tests/data/rle_vectors.txt: random masks and polygons with the COCO API's
answers, computed by the shared reference /work/shared/bench/coco_rle.py (numpy),
which agrees with the COCO API's C code. Run with Debian's /usr/bin/python3:

    /usr/bin/python3 tests/gen_rle_vectors.py [--bench DIR] [--out FILE]

Line format (whitespace separated, '#' starts a comment line):
    M h w bits counts area bx by bw bh
        bits: the mask column-major as 0/1 characters ('-' when h*w = 0)
    P h w k x1 y1 ... xk yk counts area bx by bw bh
        one polygon ring rasterised with frPoly
    S h w r k1 x.. y.. k2 x.. y.. ... counts area
        r rings rasterised and merged (union)
    X h w rx ry rw rh inside r k1 x.. y.. ... counts area bx by bw bh
        as S, then the rectangle [rx, rx+rw) x [ry, ry+rh) cleared (inside 0: what a
        CutMix patch does to a base object's mask) or all but it cleared (inside 1:
        a source object's); rw = rh = 0 leaves the mask whole
Coordinates are written with repr() so that strtod reads the exact doubles back.
counts is the COCO compressed string; area the pixel count; b* the COCO box.
"""
import argparse
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def fmt(v):
    return repr(float(v))


def rand_mask(rng, h, w):
    import numpy as np
    kind = rng.choice(["noise", "noise", "rects", "full", "empty", "stripes"])
    m = np.zeros((h, w), np.uint8)
    if kind == "noise":
        p = rng.choice([0.05, 0.3, 0.5, 0.9])
        for y in range(h):
            for x in range(w):
                m[y, x] = 1 if rng.random() < p else 0
    elif kind == "rects":
        for _ in range(rng.randint(1, 4)):
            if h == 0 or w == 0:
                break
            y0, x0 = rng.randrange(h), rng.randrange(w)
            y1, x1 = rng.randint(y0, h), rng.randint(x0, w)
            m[y0:y1, x0:x1] = 1
    elif kind == "full":
        m[:, :] = 1
    elif kind == "stripes":
        if rng.random() < 0.5:
            m[::2, :] = 1
        else:
            m[:, ::2] = 1
    return m


def coord(rng, lo, hi, style):
    v = rng.uniform(lo, hi)
    if style == "int":
        return float(round(v))
    if style == "tenth":
        return round(v * 10) / 10.0
    if style == "half":
        return round(v * 2) / 2.0
    if style == "fifth":
        # values on the 5x grid and half-way between its points: rounding edges
        return round(v * 10) / 10.0 + rng.choice([0.0, 0.1, -0.1])
    return v


def rand_poly(rng, h, w):
    style = rng.choice(["float", "float", "int", "tenth", "half", "fifth"])
    shape = rng.choice(["inside", "inside", "around", "outside", "tiny", "steep", "degenerate"])
    k = rng.randint(3, 10)
    pts = []
    if shape == "inside":
        for _ in range(k):
            pts += [coord(rng, 0, w, style), coord(rng, 0, h, style)]
    elif shape == "around":
        for _ in range(k):
            pts += [coord(rng, -0.4 * w - 2, 1.4 * w + 2, style),
                    coord(rng, -0.4 * h - 2, 1.4 * h + 2, style)]
    elif shape == "outside":
        for _ in range(k):
            pts += [coord(rng, -3 * w - 5, 4 * w + 5, style),
                    coord(rng, -3 * h - 5, 4 * h + 5, style)]
    elif shape == "tiny":
        cx, cy = rng.uniform(-1, w + 1), rng.uniform(-1, h + 1)
        for _ in range(k):
            pts += [cx + rng.uniform(-0.7, 0.7), cy + rng.uniform(-0.7, 0.7)]
    elif shape == "steep":
        # long near-vertical edges reaching far above and below the image
        x = rng.uniform(0, w)
        pts = [x, -rng.uniform(50, 3000), x + rng.uniform(-2, 2), h + rng.uniform(50, 3000),
               x + rng.uniform(1, 5), rng.uniform(0, h)]
        k = 3
    else:
        k = rng.randint(1, 5)
        base = [coord(rng, -1, w + 1, style), coord(rng, -1, h + 1, style)]
        for _ in range(k):
            if rng.random() < 0.5:
                pts += base
            else:
                pts += [coord(rng, -1, w + 1, style), coord(rng, -1, h + 1, style)]
    return pts


# Polygons as labelme and other annotation tools export them: clicks a little past
# the image edge (a vertex at x = W + 3.7, y = -2.2), which the COCO API rasterises
# as they are (frPoly ignores what lies outside). (h, w, rings, rectangles), each
# rectangle (x, y, w, h, inside): one that misses the polygon, cuts and clips.
LABELME_EDGE = [
    (30, 40, [[30.2, 5.1, 43.7, -2.2, 44.0, 20.3, 33.5, 31.8, 28.9, 12.0]],
     [(0, 0, 10, 10, 0), (25, 8, 10, 10, 0), (32, 0, 8, 15, 1), (0, 0, 0, 0, 0)]),
    (30, 40, [[-3.1, 4.4, 12.6, -0.8, 15.2, 14.9, 2.3, 30.9], [20.5, 20.5, 41.2, 22.0, 39.0, 32.6]],
     [(30, 0, 10, 10, 0), (5, 5, 8, 8, 0), (0, 0, 14, 30, 1), (22, 18, 18, 12, 1)]),
    (480, 640, [[600.4, 35.8, 643.7, -2.2, 641.0, 120.5, 590.2, 140.0, 575.9, 60.3]],
     [(0, 200, 300, 280, 0), (610, 0, 30, 60, 0), (580, 40, 60, 90, 1)]),
    (427, 640, [[-2.5, 400.1, 60.3, 380.9, 80.8, 430.6, 10.0, 429.0]],
     [(500, 0, 140, 100, 0), (0, 390, 40, 37, 0), (20, 380, 60, 47, 1)]),
    (1, 9, [[-0.6, -0.4, 9.4, -0.2, 9.7, 1.3, -0.2, 1.6]], [(3, 0, 3, 1, 0), (3, 0, 3, 1, 1)]),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default=os.path.join(HERE, "..", "..", "shared", "bench"))
    ap.add_argument("--out", default=os.path.join(HERE, "data", "rle_vectors.txt"))
    ap.add_argument("--seed", type=int, default=20240611)
    args = ap.parse_args()
    sys.path.insert(0, os.path.abspath(args.bench))
    import numpy as np
    import coco_rle as ref

    rng = random.Random(args.seed)
    lines = ["# generated by tests/gen_rle_vectors.py from shared/bench/coco_rle.py; "
             "seed %d" % args.seed]

    sizes = [(0, 0), (0, 5), (5, 0), (1, 1), (1, 7), (7, 1), (2, 2)]
    for _ in range(90):
        sizes.append((rng.randint(1, 24), rng.randint(1, 24)))
    for h, w in sizes:
        m = rand_mask(rng, h, w)
        counts = ref.encode(m)
        s = ref.to_string(counts)
        assert ref.from_string(s) == counts
        bits = "".join(str(int(b)) for b in m.flatten(order="F")) or "-"
        bb = ref.to_bbox(counts, h, w)
        lines.append("M %d %d %s %s %d %d %d %d %d" % (h, w, bits, s, ref.area(counts),
                                                       *[int(v) for v in bb]))

    polys = []
    for _ in range(300):
        h, w = rng.randint(1, 40), rng.randint(1, 40)
        polys.append((h, w, rand_poly(rng, h, w)))
    # a few photo-sized cases and far-away vertices
    polys.append((480, 640, [100.3, 50.2, 600.7, 80.1, 500.5, 470.9, 20.2, 300.6]))
    polys.append((427, 640, [rng.uniform(-50, 700) for _ in range(24)]))
    polys.append((60, 80, [-2000.0, -1500.0, 3000.0, 10.5, 40.25, 2500.0]))
    polys.append((1, 1, [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0]))
    polys.append((1, 9, [-0.5, -0.5, 9.5, -0.5, 9.5, 1.5, -0.5, 1.5]))
    polys.append((9, 1, [-0.3, -0.3, 0.8, -0.3, 0.8, 9.3, -0.3, 9.3]))
    for h, w, rings, _ in LABELME_EDGE:
        polys.extend((h, w, xy) for xy in rings)
    for h, w, xy in polys:
        counts = ref.fr_poly(xy, h, w)
        s = ref.to_string(counts)
        bb = ref.to_bbox(counts, h, w)
        lines.append("P %d %d %d %s %s %d %d %d %d %d" % (
            h, w, len(xy) // 2, " ".join(fmt(v) for v in xy), s, ref.area(counts),
            *[int(v) for v in bb]))

    for _ in range(40):
        h, w = rng.randint(1, 40), rng.randint(1, 40)
        rings = [rand_poly(rng, h, w) for _ in range(rng.randint(1, 3))]
        counts = ref.segmentation_counts(rings, h, w)
        s = ref.to_string(counts)
        parts = []
        for xy in rings:
            parts.append("%d %s" % (len(xy) // 2, " ".join(fmt(v) for v in xy)))
        lines.append("S %d %d %d %s %s %d" % (h, w, len(rings), " ".join(parts), s,
                                              ref.area(counts)))

    for h, w, rings, rects in LABELME_EDGE:
        if len(rings) > 1:
            counts = ref.segmentation_counts(rings, h, w)
            parts = ["%d %s" % (len(xy) // 2, " ".join(fmt(v) for v in xy)) for xy in rings]
            lines.append("S %d %d %d %s %s %d" % (h, w, len(rings), " ".join(parts),
                                                  ref.to_string(counts), ref.area(counts)))
        whole = ref.decode(ref.segmentation_counts(rings, h, w), h, w)
        for rx, ry, rw, rh, inside in rects:
            m = whole.copy()
            r = np.zeros((h, w), bool)
            r[ry:ry + rh, rx:rx + rw] = True
            m[r if not inside else ~r] = 0
            counts = ref.encode(m)
            bb = ref.to_bbox(counts, h, w)
            parts = ["%d %s" % (len(xy) // 2, " ".join(fmt(v) for v in xy)) for xy in rings]
            lines.append("X %d %d %d %d %d %d %d %d %s %s %d %d %d %d %d" % (
                h, w, rx, ry, rw, rh, inside, len(rings), " ".join(parts), ref.to_string(counts),
                ref.area(counts), *[int(v) for v in bb]))

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %s (%d lines)" % (args.out, len(lines)))


if __name__ == "__main__":
    main()
