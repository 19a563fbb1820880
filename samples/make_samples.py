#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Generate boxmix's sample dataset: 8 small drawn images with COCO, VOC and YOLO annotations.

Run from anywhere with Debian's Python (numpy and OpenCV):

    /usr/bin/python3 samples/make_samples.py

It rewrites, beside this script:
    images/sample_NN.{jpg,png}          the pictures (JPEG quality 85, one PNG, one grey JPEG)
    coco/annotations.json               COCO detection annotations
    voc/Annotations/sample_NN.xml       the same objects as Pascal VOC XML
    voc/ImageSets/Main/train.txt        the VOC image list (images live in images/)
    yolo/detect/, yolo/segment/         the same objects as Ultralytics YOLO datasets:
                                        data.yaml, images/train/ (copies of images/),
                                        labels/train/*.txt (box rows; polygon rows)

Everything is a pure function of this file: the random generators are seeded here and
only uniform draws are used, so the same numpy/OpenCV versions give the same bytes.

What the dataset exercises (see the table in main() for which object is which):
- polygon objects with whole-pixel and decimal vertices; area = shoelace area, bbox =
  extent of the vertices (COCO's own convention);
- one object made of two rings (a bar seen on both sides of a disc in front of it);
- one crowd object (iscrowd 1) with an uncompressed RLE mask; its bbox is the tight box
  of its pixels and its area the pixel count;
- one non-crowd object with a compressed RLE string (the COCO API's format);
- bare boxes: no `segmentation` key, and one with `"segmentation": []`; one of them
  also has no `area` and no `iscrowd`;
- unknown keys that must ride along: `license` on every image, `date_captured` and
  `flickr_url` on one image, `attributes` on one annotation, `info` and `licenses`;
- objects touching the image border and objects well inside.

The YOLO forms follow DESIGN.md ("YOLO (Ultralytics) datasets") and are computed here,
independently of boxmix, with Ultralytics' convert_coco formulas: class = the
category's place in id order; box rows "%g" of (x + w/2)/W, (y + h/2)/H, w/W, h/H;
polygon rows of x/W, y/H, several rings joined by zero-width bridges between their
nearest vertices (each ring turned to run clockwise on screen first), the RLE mask
traced along its pixel edges, box-only objects as their four corners; the crowd object
left out (YOLO cannot mark ignore regions).
"""
import json
import math
import os
import sys
from fractions import Fraction

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

CATEGORIES = [
    {"id": 1, "name": "rectangle", "supercategory": "polygon"},
    {"id": 2, "name": "disc", "supercategory": "round"},
    {"id": 3, "name": "triangle", "supercategory": "polygon"},
    {"id": 4, "name": "star", "supercategory": "polygon"},
]
CAT_ID = {c["name"]: c["id"] for c in CATEGORIES}
# Base colours (RGB) per category; each object jitters around its category's colour.
CAT_RGB = {
    "rectangle": (205, 45, 40),
    "disc": (35, 90, 215),
    "triangle": (235, 195, 30),
    "star": (190, 40, 190),
}

JPEG_QUALITY = 85


# --------------------------------------------------------------------------- geometry
# Coordinates are continuous: the image spans [0, W] x [0, H], pixel (i, j) is the unit
# square [i, i+1) x [j, j+1). Vertices are rounded to at most 2 decimals so that the
# JSON holds exactly the numbers the areas are computed from.

def rect(x0, y0, x1, y1):
    return [x0, y0, x1, y0, x1, y1, x0, y1]


def ellipse(cx, cy, rx, ry, n=24, nd=1):
    ring = []
    for k in range(n):
        t = 2.0 * math.pi * k / n
        ring += [round(cx + rx * math.cos(t), nd), round(cy + ry * math.sin(t), nd)]
    return ring


def star(cx, cy, r_out, r_in, points=5, turn=-90.0, nd=2):
    ring = []
    for k in range(2 * points):
        r = r_out if k % 2 == 0 else r_in
        t = math.radians(turn + 180.0 * k / points)
        ring += [round(cx + r * math.cos(t), nd), round(cy + r * math.sin(t), nd)]
    return ring


def rotated_rect(cx, cy, w, h, deg, nd=2):
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    ring = []
    for dx, dy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        ring += [round(cx + c * dx - s * dy, nd), round(cy + s * dx + c * dy, nd)]
    return ring


def exact(v):
    """The decimal number a JSON reader sees for v, as an exact fraction."""
    return Fraction(repr(v))


def shoelace(rings):
    """Exact area (sum over rings of |shoelace|), as COCO's official files record it."""
    total = Fraction(0)
    for ring in rings:
        xs = [exact(v) for v in ring[0::2]]
        ys = [exact(v) for v in ring[1::2]]
        n = len(xs)
        twice = sum(xs[i] * ys[(i + 1) % n] - xs[(i + 1) % n] * ys[i] for i in range(n))
        total += abs(twice) / 2
    return total


def number(q):
    """A Fraction as the JSON number that denotes it (an int when whole)."""
    return int(q) if q.denominator == 1 else float(q)


def extent(rings):
    xs = [v for r in rings for v in r[0::2]]
    ys = [v for r in rings for v in r[1::2]]
    return min(xs), min(ys), max(xs), max(ys)


def box_of_extent(x0, y0, x1, y1):
    return [number(exact(x0)), number(exact(y0)),
            number(exact(x1) - exact(x0)), number(exact(y1) - exact(y0))]


# --------------------------------------------------------------------------- RLE
# The COCO API's run-length format: column-major, runs alternate starting with zeros.

def rle_counts(mask):
    flat = np.asarray(mask, np.uint8).flatten(order="F")
    counts = []
    edges = np.flatnonzero(np.diff(flat)) + 1
    starts = np.concatenate(([0], edges))
    ends = np.concatenate((edges, [flat.size]))
    if flat.size and flat[0] == 1:
        counts.append(0)
    for s, e in zip(starts, ends):
        counts.append(int(e - s))
    return counts


def rle_string(counts):
    """The COCO API's compressed form: deltas against the count two back, 5-bit groups."""
    chars = []
    for i, c in enumerate(counts):
        x = c - counts[i - 2] if i > 2 else c
        while True:
            group = x & 0x1F
            x >>= 5
            more = x != -1 if group & 0x10 else x != 0
            chars.append(chr(48 + (group | 0x20 if more else group)))
            if not more:
                break
    return "".join(chars)


def mask_box(mask):
    ys, xs = np.nonzero(mask)
    x0, y0 = int(xs.min()), int(ys.min())
    return [x0, y0, int(xs.max()) + 1 - x0, int(ys.max()) + 1 - y0]


# --------------------------------------------------------------------------- drawing

def poly_alpha(rings, w, h, smooth):
    """Coverage of the union of rings, float in [0, 1]; antialiased when smooth."""
    m = np.zeros((h, w), np.uint8)
    pts = [np.array([[round((x - 0.5) * 16), round((y - 0.5) * 16)]
                     for x, y in zip(r[0::2], r[1::2])], np.int32) for r in rings]
    cv2.fillPoly(m, pts, 255, lineType=cv2.LINE_AA if smooth else cv2.LINE_8, shift=4)
    return m.astype(np.float32) / 255.0


def background(rng, w, h):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    c0 = rng.uniform(70, 170, 3)
    c1 = c0 + rng.uniform(-50, 50, 3)
    t = rng.uniform(0, 2 * math.pi)
    ramp = (xx * math.cos(t) + yy * math.sin(t))
    ramp = (ramp - ramp.min()) / (ramp.max() - ramp.min())
    img = c0[None, None, :] * (1 - ramp[..., None]) + c1[None, None, :] * ramp[..., None]
    # Low-frequency blotches (like an uneven surface) and a faint weave.
    blot = cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), 9)
    blot *= 22.0 / max(1e-6, float(np.abs(blot).max()))
    f = rng.uniform(0.15, 0.3)
    weave = 4.0 * np.sin(f * xx + 2 * np.sin(0.05 * yy)) * np.sin(f * 0.8 * yy)
    img += (blot + weave)[..., None]
    return img


def paint(img, alpha, rgb, rng):
    h, w = alpha.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = rng.uniform(0, 2 * math.pi)
    ys, xs = np.nonzero(alpha > 0)
    # Light falls across the object: a linear shade over its own extent.
    proj = xx * math.cos(t) + yy * math.sin(t)
    lo, hi = proj[ys, xs].min(), proj[ys, xs].max()
    shade = 1.15 - 0.4 * (proj - lo) / max(1.0, hi - lo)
    col = np.array(rgb, np.float32) + rng.uniform(-15, 15, 3).astype(np.float32)
    obj = col[None, None, :] * shade[..., None]
    a = alpha[..., None]
    img[:] = img * (1 - a) + obj * a


# --------------------------------------------------------------------------- the dataset
# Each object: (category, kind, geometry, options)
#   kind "poly":  geometry = list of rings (drawn antialiased, annotated as polygons)
#   kind "box":   geometry = list of rings (drawn), annotated as a bare box of their extent
#   kind "rle":   geometry = list of rings (drawn hard-edged), compressed RLE of its pixels
#   kind "crowd": geometry = list of (cx, cy, r) discs, uncompressed RLE, iscrowd 1
# options: "empty_seg" (segmentation: []), "minimal" (no area, no iscrowd),
#          "extra" (unknown keys to copy into the annotation), "under" (drawn first,
#          may be overlapped by the next object: an occluded object).

IMAGES = [
    {   # 1: plain colour JPEG, six objects, one touching the bottom edge, one bare box
        "file": "sample_01.jpg", "size": (320, 240), "mode": "jpg",
        "objects": [
            ("rectangle", "poly", [rect(28, 26, 88, 86)], {}),
            ("disc", "poly", [ellipse(168, 58, 36, 27.5)], {}),
            ("triangle", "poly", [[246, 104, 302, 198, 212, 186]], {}),
            ("star", "poly", [star(72, 166, 40, 17)], {}),
            ("rectangle", "poly", [rect(126, 184, 190, 240)], {}),
            ("disc", "box", [ellipse(268.5, 46.5, 30, 30)], {}),
        ],
    },
    {   # 2: a crowd of discs (uncompressed RLE) and extra image keys
        "file": "sample_02.jpg", "size": (320, 240), "mode": "jpg",
        "image_extra": {"date_captured": "2026-11-26 00:00:00",
                        "flickr_url": "https://example.org/boxmix/sample_02.jpg"},
        "objects": [
            ("disc", "crowd", [(196, 150, 9), (214, 141, 8), (232, 152, 9), (251, 144, 7),
                               (205, 170, 8), (224, 172, 9), (244, 168, 8), (266, 160, 9),
                               (215, 192, 7), (236, 193, 8), (258, 186, 7)], {}),
            ("rectangle", "poly", [rect(20, 0, 82, 48)], {}),
            ("triangle", "poly", [[40, 200, 100, 200, 70, 122.5]], {}),
            ("star", "poly", [star(150, 70, 36, 15, turn=-60.0)], {}),
            ("disc", "poly", [ellipse(262, 56, 32, 32)], {}),
        ],
    },
    {   # 3: greyscale JPEG: a compressed-RLE star, a corner triangle, an empty segmentation
        "file": "sample_03.jpg", "size": (320, 240), "mode": "grey",
        "objects": [
            ("rectangle", "poly", [rotated_rect(70, 64, 62, 44, 25)], {}),
            ("disc", "poly", [ellipse(176, 56, 28, 36)], {}),
            ("triangle", "poly", [[320, 240, 252, 240, 320, 168]], {}),
            ("star", "rle", [star(150, 170, 44, 19, turn=-90.0)], {}),
            ("rectangle", "box", [rect(24.5, 150, 84.5, 210.25)], {"empty_seg": True}),
        ],
    },
    {   # 4: PNG: an occluded bar seen as two rings, a star touching the right edge
        "file": "sample_04.png", "size": (320, 240), "mode": "png",
        "objects": [
            ("rectangle", "poly", "BAR", {"under": True,
                                          "extra": {"attributes": {"occluded": True}}}),
            ("disc", "poly", [ellipse(120, 72, 30, 30)], {}),
            ("triangle", "poly", [[60, 150, 122, 214, 30, 222]], {}),
            ("star", "poly", [star(282, 150, 38, 16, turn=0.0)], {}),
            ("rectangle", "box", [rect(0, 0, 36, 30)], {}),
        ],
    },
    {   # 5: seven smaller objects, decimal boxes
        "file": "sample_05.jpg", "size": (320, 240), "mode": "jpg",
        "objects": [
            ("rectangle", "poly", [rect(18.5, 20.5, 58.5, 52.75)], {}),
            ("disc", "poly", [ellipse(112, 40, 22, 18)], {}),
            ("triangle", "poly", [[180, 20, 214, 70, 150.5, 66.25]], {}),
            ("star", "poly", [star(268, 44, 28, 12)], {}),
            ("disc", "box", [ellipse(52.25, 150.75, 26, 20)], {}),
            ("rectangle", "poly", [rotated_rect(160, 160, 52, 36, -15)], {}),
            ("triangle", "poly", [[250, 120, 300, 206, 222, 200]], {}),
        ],
    },
    {   # 6: four large objects, a disc touching the left edge
        "file": "sample_06.jpg", "size": (320, 240), "mode": "jpg",
        "objects": [
            ("disc", "poly", [ellipse(50, 80, 50, 46)], {}),
            ("rectangle", "poly", [rect(130, 30, 230, 110)], {}),
            ("star", "poly", [star(90, 184, 50, 21, turn=-90.0)], {}),
            ("triangle", "poly", [[196, 136, 300, 140, 246, 228]], {}),
        ],
    },
    {   # 7: portrait JPEG
        "file": "sample_07.jpg", "size": (240, 320), "mode": "jpg",
        "objects": [
            ("star", "poly", [star(64, 60, 40, 17)], {}),
            ("disc", "poly", [ellipse(170, 70, 40, 34)], {}),
            ("rectangle", "poly", [rect(24, 132, 100, 236)], {}),
            ("triangle", "poly", [[150, 140, 226, 250, 130, 236]], {}),
            ("rectangle", "poly", [rect(92, 272, 182, 320)], {}),
        ],
    },
    {   # 8: 256x192 JPEG with a bare box that has no area and no iscrowd
        "file": "sample_08.jpg", "size": (256, 192), "mode": "jpg",
        "objects": [
            ("triangle", "poly", [[20, 24, 92, 30, 40, 92]], {}),
            ("disc", "poly", [ellipse(170, 50, 34, 26)], {}),
            ("star", "poly", [star(70, 140, 36, 15, turn=-54.0)], {}),
            ("rectangle", "box", [rect(160, 118, 226, 170)], {"minimal": True}),
        ],
    },
]


def bar_rings():
    """The bar of image 4 (x 40..200, y 60..84) minus the disc in front of it
    (centre (120, 72), radius 30): two rings, each closed by an arc of the circle."""
    cx, cy, r = 120.0, 72.0, 30.0
    y_top, y_bot = 60.0, 84.0
    ys = [y_top + (y_bot - y_top) * k / 6 for k in range(7)]
    dx = [math.sqrt(r * r - (y - cy) ** 2) for y in ys]
    left = [40, 60] + [v for y, d in zip(ys, dx) for v in (round(cx - d, 2), round(y, 2))]
    left += [40, 84]
    right = [200, 84] + [v for y, d in zip(reversed(ys), reversed(dx))
                         for v in (round(cx + d, 2), round(y, 2))]
    right += [200, 60]
    return [left, right], [rect(40, 60, 200, 84)]


def check_layout(spec, boxes):
    """Objects must not overlap (margin 2 px) except an 'under' object and the next one."""
    w, h = spec["size"]
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, (spec["file"], i, boxes[i])
        for j in range(i + 1, len(boxes)):
            if j == i + 1 and spec["objects"][i][3].get("under"):
                continue
            a0, b0, a1, b1 = boxes[j]
            apart = x1 + 2 <= a0 or a1 + 2 <= x0 or y1 + 2 <= b0 or b1 + 2 <= y0
            assert apart, "%s: objects %d and %d overlap" % (spec["file"], i, j)


def make():
    images, annotations, voc = [], [], []
    ann_id = 1
    for index, spec in enumerate(IMAGES):
        image_id = index + 1
        w, h = spec["size"]
        rng = np.random.default_rng(20261126 + index)
        img = background(rng, w, h)
        records, extents = [], []
        for cat, kind, geom, opt in spec["objects"]:
            drawn = geom
            if geom == "BAR":
                geom, drawn = bar_rings()
            ann = {"id": ann_id, "image_id": image_id, "category_id": CAT_ID[cat]}
            if kind == "crowd":
                mask = np.zeros((h, w), np.uint8)
                for cx, cy, r in geom:
                    cv2.circle(mask, (cx, cy), r, 1, thickness=-1, lineType=cv2.LINE_8)
                paint(img, mask.astype(np.float32), CAT_RGB[cat], rng)
                counts = rle_counts(mask)
                ann["bbox"] = mask_box(mask)
                ann["area"] = int(mask.sum())
                ann["iscrowd"] = 1
                ann["segmentation"] = {"size": [h, w], "counts": counts}
            elif kind == "rle":
                alpha = poly_alpha(geom, w, h, smooth=False)
                mask = (alpha > 0.5).astype(np.uint8)
                paint(img, mask.astype(np.float32), CAT_RGB[cat], rng)
                ann["bbox"] = mask_box(mask)
                ann["area"] = int(mask.sum())
                ann["iscrowd"] = 0
                ann["segmentation"] = {"size": [h, w], "counts": rle_string(rle_counts(mask))}
            else:
                paint(img, poly_alpha(drawn, w, h, smooth=True), CAT_RGB[cat], rng)
                ann["bbox"] = box_of_extent(*extent(geom))
                if kind == "poly":
                    ann["area"] = number(shoelace(geom))
                    ann["iscrowd"] = 0
                    ann["segmentation"] = [list(r) for r in geom]
                elif not opt.get("minimal"):
                    ann["area"] = number(exact(ann["bbox"][2]) * exact(ann["bbox"][3]))
                    ann["iscrowd"] = 0
                    if opt.get("empty_seg"):
                        ann["segmentation"] = []
            ann.update(opt.get("extra", {}))
            bx, by, bw, bh = (exact(v) for v in ann["bbox"])
            extents.append((bx, by, bx + bw, by + bh))
            records.append((cat, ann))
            annotations.append(ann)
            ann_id += 1
        check_layout(spec, extents)

        # Sensor noise on the JPEGs only (it would bloat the PNG).
        if spec["mode"] != "png":
            img += rng.uniform(-3, 3, img.shape).astype(np.float32)
        rgb = np.clip(np.rint(img), 0, 255).astype(np.uint8)
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        path = os.path.join(HERE, "images", spec["file"])
        if spec["mode"] == "grey":
            grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
            ok = cv2.imwrite(path, grey, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            depth = 1
        elif spec["mode"] == "png":
            ok = cv2.imwrite(path, bgr, [cv2.IMWRITE_PNG_COMPRESSION, 9])
            depth = 3
        else:
            ok = cv2.imwrite(path, bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            depth = 3
        if not ok:
            sys.exit("make_samples.py: could not write %s" % path)

        info = {"id": image_id, "file_name": spec["file"], "width": w, "height": h,
                "license": 1}
        info.update(spec.get("image_extra", {}))
        images.append(info)
        voc.append((spec, depth, records))

    coco = {
        "info": {
            "description": "boxmix sample dataset: drawn shapes on textured backgrounds",
            "version": "1.0",
            "year": 2026,
            "contributor": "the boxmix project (generated by samples/make_samples.py)",
            "date_created": "2026-11-26",
        },
        "licenses": [{"id": 1, "name": "CC0 1.0 Universal",
                      "url": "https://creativecommons.org/publicdomain/zero/1.0/"}],
        "images": images,
        "annotations": annotations,
        "categories": CATEGORIES,
    }
    return coco, voc


# --------------------------------------------------------------------------- writers

def write_coco(coco, path):
    """One record per line: readable, diffable, and small."""
    def dump(v):
        return json.dumps(v, separators=(", ", ": "), ensure_ascii=False)
    lines = ["{"]
    keys = list(coco)
    for k, key in enumerate(keys):
        tail = "," if k + 1 < len(keys) else ""
        value = coco[key]
        if isinstance(value, list):
            lines.append("  %s: [" % dump(key))
            for i, item in enumerate(value):
                lines.append("    %s%s" % (dump(item), "," if i + 1 < len(value) else ""))
            lines.append("  ]%s" % tail)
        else:
            lines.append("  %s: %s%s" % (dump(key), dump(value), tail))
    lines.append("}")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def voc_box(bbox):
    """COCO [x, y, w, h] -> VOC 1-based inclusive pixel indices, rounded outward."""
    x, y, w, h = (exact(v) for v in bbox)
    return (math.floor(x) + 1, math.floor(y) + 1, math.ceil(x + w), math.ceil(y + h))


def write_voc(spec, depth, records, path):
    w, h = spec["size"]
    out = ["<annotation>",
           "  <folder>images</folder>",
           "  <filename>%s</filename>" % spec["file"],
           "  <source>",
           "    <database>boxmix samples</database>",
           "  </source>",
           "  <size>",
           "    <width>%d</width>" % w,
           "    <height>%d</height>" % h,
           "    <depth>%d</depth>" % depth,
           "  </size>",
           "  <segmented>0</segmented>"]
    for cat, ann in records:
        xmin, ymin, xmax, ymax = voc_box(ann["bbox"])
        # VOC's truncated: the object is cut by the image border.
        truncated = int(xmin == 1 or ymin == 1 or xmax == w or ymax == h)
        # A crowd region is what VOC calls difficult: to be ignored in evaluation.
        difficult = int(ann.get("iscrowd", 0) == 1)
        out += ["  <object>",
                "    <name>%s</name>" % cat,
                "    <pose>Unspecified</pose>",
                "    <truncated>%d</truncated>" % truncated,
                "    <difficult>%d</difficult>" % difficult,
                "    <bndbox>",
                "      <xmin>%d</xmin>" % xmin,
                "      <ymin>%d</ymin>" % ymin,
                "      <xmax>%d</xmax>" % xmax,
                "      <ymax>%d</ymax>" % ymax,
                "    </bndbox>",
                "  </object>"]
    out.append("</annotation>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


# --------------------------------------------------------------------------- YOLO

def yolo_g(v):
    return "%g" % v


def ring_area2(ring):
    n = len(ring) // 2
    return sum(ring[2 * i] * ring[2 * ((i + 1) % n) + 1] - ring[2 * ((i + 1) % n)] * ring[2 * i + 1]
               for i in range(n))


def bridge(rings):
    """Rings [x1, y1, ...] joined into one: ring i-1 to ring i between their nearest
    vertices (the first pair in order), walked out and back; each ring clockwise on
    screen first, so the joined ring's area is the sum of the rings' areas."""
    pts = []
    for r in rings:
        p = [(r[2 * i], r[2 * i + 1]) for i in range(len(r) // 2)]
        pts.append(p[::-1] if ring_area2(r) < 0 else p)
    if len(pts) == 1:
        return pts[0]
    a, b = [0] * len(pts), [0] * len(pts)
    for i in range(1, len(pts)):
        best = None
        for ia, (ax, ay) in enumerate(pts[i - 1]):
            for ib, (bx, by) in enumerate(pts[i]):
                d = (ax - bx) ** 2 + (ay - by) ** 2
                if best is None or d < best:
                    best, a[i], b[i] = d, ia, ib

    def leg(p, start, count):
        return [p[(start + k) % len(p)] for k in range(count)]
    out = leg(pts[0], a[1], len(pts[0]) + 1)
    for i in range(1, len(pts) - 1):
        n = len(pts[i])
        out += leg(pts[i], b[i], (a[i + 1] - b[i]) % n + 1)
    out += leg(pts[-1], b[-1], len(pts[-1]) + 1)
    for i in range(len(pts) - 2, 0, -1):
        n = len(pts[i])
        out += leg(pts[i], a[i + 1], n + 1 if a[i + 1] == b[i] else (b[i] - a[i + 1]) % n + 1)
    return out


def trace(mask):
    """The outer boundary of each 4-connected component of a (h, w) 0/1 mask along
    pixel edges: vertices at pixel corners, clockwise on screen, starting at the
    component's first pixel (column-major) top-left corner, collinear vertices
    dropped; components in the order of their first pixels."""
    h, w = mask.shape
    seen = np.zeros_like(mask, dtype=bool)
    rings = []
    for x in range(w):
        for y in range(h):
            if not mask[y, x] or seen[y, x]:
                continue
            comp, stack = set(), [(x, y)]
            seen[y, x] = True
            while stack:
                cx, cy = stack.pop()
                comp.add((cx, cy))
                for nx, ny in ((cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1)):
                    if 0 <= nx < w and 0 <= ny < h and mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        stack.append((nx, ny))
            inside = lambda px, py: (px, py) in comp  # noqa: E731
            # Walk with the component on the right: east, south, west, north.
            dirs = [(1, 0), (0, 1), (-1, 0), (0, -1)]
            # The pixel on the right of a step from vertex (vx, vy) in direction d.
            right = [lambda vx, vy: (vx, vy), lambda vx, vy: (vx - 1, vy),
                     lambda vx, vy: (vx - 1, vy - 1), lambda vx, vy: (vx, vy - 1)]
            left = [lambda vx, vy: (vx, vy - 1), lambda vx, vy: (vx, vy),
                    lambda vx, vy: (vx - 1, vy), lambda vx, vy: (vx - 1, vy - 1)]

            def edge(vx, vy, d):
                return inside(*right[d](vx, vy)) and not inside(*left[d](vx, vy))
            start, d = (x, y), 0
            verts, (vx, vy) = [start], start
            while True:
                vx, vy = vx + dirs[d][0], vy + dirs[d][1]
                if (vx, vy) == start:
                    break
                for nd in ((d + 1) % 4, d, (d + 3) % 4):  # right turn first
                    if edge(vx, vy, nd):
                        break
                if nd != d:
                    verts.append((vx, vy))
                d = nd
            rings.append([c for v in verts for c in v])
    return rings


def yolo_rows(coco, task):
    """Label text per image file name."""
    cls = {c["id"]: k for k, c in enumerate(sorted(coco["categories"], key=lambda c: c["id"]))}
    size = {im["id"]: (im["width"], im["height"]) for im in coco["images"]}
    rows = {im["id"]: [] for im in coco["images"]}
    for ann in coco["annotations"]:
        if ann.get("iscrowd", 0):
            continue
        W, H = size[ann["image_id"]]
        x, y, w, h = ann["bbox"]
        c = cls[ann["category_id"]]
        seg = ann.get("segmentation")
        if task == "detect":
            vals = [(x + w / 2) / W, (y + h / 2) / H, w / W, h / H]
        else:
            if isinstance(seg, dict):
                counts = coco_rle_counts(seg)
                rings = trace(rle_decode(counts, H, W))
            elif seg:
                rings = [r for r in seg if len(r) >= 6]
            else:
                rings = []
            pts = bridge(rings) if rings else [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
            vals = [v for px, py in pts for v in (px / W, py / H)]
        rows[ann["image_id"]].append(" ".join([str(c)] + [yolo_g(v) for v in vals]))
    return {im["file_name"]: "".join(r + "\n" for r in rows[im["id"]]) for im in coco["images"]}


def coco_rle_counts(seg):
    c = seg["counts"]
    if not isinstance(c, str):
        return list(c)
    counts, p = [], 0
    while p < len(c):
        x, k, more = 0, 0, True
        while more:
            v = ord(c[p]) - 48
            x |= (v & 0x1f) << (5 * k)
            more = bool(v & 0x20)
            p += 1
            k += 1
            if not more and (v & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def rle_decode(counts, h, w):
    flat = np.zeros(h * w, np.uint8)
    pos, val = 0, 0
    for c in counts:
        if val:
            flat[pos:pos + c] = 1
        pos += c
        val ^= 1
    return flat.reshape((w, h)).T


def write_yolo(coco, root):
    names = [c["name"] for c in sorted(coco["categories"], key=lambda c: c["id"])]
    for task in ("detect", "segment"):
        base = os.path.join(root, task)
        for sub in ("images/train", "labels/train"):
            os.makedirs(os.path.join(base, sub), exist_ok=True)
        with open(os.path.join(base, "data.yaml"), "w") as f:
            f.write("# YOLO (Ultralytics) dataset written by boxmix\npath: .\n"
                    "train: images/train\nval: images/train\nnc: %d\nnames:\n" % len(names))
            for k, n in enumerate(names):
                f.write('  %d: "%s"\n' % (k, n))
        for file_name, text in yolo_rows(coco, task).items():
            with open(os.path.join(HERE, "images", file_name), "rb") as src:
                data = src.read()
            with open(os.path.join(base, "images", "train", file_name), "wb") as dst:
                dst.write(data)
            stem = os.path.splitext(file_name)[0]
            with open(os.path.join(base, "labels", "train", stem + ".txt"), "w") as f:
                f.write(text)


def main():
    for sub in ("images", "coco", "voc/Annotations", "voc/ImageSets/Main"):
        os.makedirs(os.path.join(HERE, sub), exist_ok=True)
    coco, voc = make()
    write_coco(coco, os.path.join(HERE, "coco", "annotations.json"))
    stems = []
    for spec, depth, records in voc:
        stem = os.path.splitext(spec["file"])[0]
        write_voc(spec, depth, records, os.path.join(HERE, "voc", "Annotations", stem + ".xml"))
        stems.append(stem)
    with open(os.path.join(HERE, "voc", "ImageSets", "Main", "train.txt"), "w") as f:
        f.write("\n".join(stems) + "\n")
    write_yolo(coco, os.path.join(HERE, "yolo"))


if __name__ == "__main__":
    main()
