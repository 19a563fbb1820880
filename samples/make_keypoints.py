#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Generate boxmix's keypoint sample: 5 drawn images of stick-figure people, COCO keypoints.

Run from anywhere with Debian's Python (numpy and OpenCV):

    /usr/bin/python3 samples/make_keypoints.py

It rewrites, beside this script:
    keypoints/images/person_NN.jpg      the pictures (JPEG quality 85; four 320x240, one 240x320)
    keypoints/annotations.json          COCO person-keypoint annotations

Everything is a pure function of this file and of the helpers it borrows from
make_samples.py (background texture, shading, number formatting, the JSON writer): the
random generators are seeded here and only uniform draws are used, so the same
numpy/OpenCV versions give the same bytes. The script checks its own output at the end.

What the data exercises (see PEOPLE below for who is who):
- one category shaped exactly like COCO's person: the 17 keypoint names in COCO's order
  and COCO's 19-pair 1-based skeleton;
- 12 people, 1 to 3 per image, each with 17 x [x, y, v]: whole-pixel x, y inside the
  image, v 2 visible, v 1 labelled but not visible (a joint hidden behind the person in
  front, the face of a person seen from behind, the far eye of a profile), v 0 with
  x = y = 0 not labelled (the far ear of a profile, the ears of a small person, joints
  cut off by the image border); num_keypoints = the count of v > 0;
- one person with no labelled keypoints at all (num_keypoints 0, all zeros), as COCO has;
- a large and a small person, people cut by the left and the bottom border, one person
  partly in front of another, a portrait image;
- segmentation: one ring, the convex hull of the drawn figure (the whole figure: parts
  hidden behind a person in front are included, so every labelled keypoint, hidden ones
  too, lies in the box), clipped to the image, vertices with at most 2 decimals;
  area = its exact shoelace area, bbox = the extent of its vertices (COCO's convention).

Geometry is continuous as in make_samples.py: the image spans [0, W] x [0, H], pixel
(i, j) is the unit square [i, i+1) x [j, j+1). A joint at (x, y) is labelled with the
pixel that holds it, (floor(x), floor(y)).
"""
import json
import math
import os
import sys
from fractions import Fraction

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "keypoints")

sys.dont_write_bytecode = True          # no __pycache__ beside the samples
sys.path.insert(0, HERE)
from make_samples import (JPEG_QUALITY, background, box_of_extent, exact, extent,  # noqa: E402
                          number, paint, shoelace, write_coco)

KEYPOINTS = ["nose", "left_eye", "right_eye", "left_ear", "right_ear",
             "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
             "left_wrist", "right_wrist", "left_hip", "right_hip",
             "left_knee", "right_knee", "left_ankle", "right_ankle"]
SKELETON = [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7],
            [6, 8], [7, 9], [8, 10], [9, 11], [2, 3], [1, 2], [1, 3], [2, 4], [3, 5],
            [4, 6], [5, 7]]
CATEGORIES = [{"id": 1, "name": "person", "supercategory": "person",
               "keypoints": KEYPOINTS, "skeleton": SKELETON}]
KP = {name: k for k, name in enumerate(KEYPOINTS)}

# Body proportions, as fractions of the scale S (the figure is about 0.95 S tall).
TORSO, NECK, HEAD_R = 0.30, 0.05, 0.075
SHOULDER_HALF, HIP_HALF = 0.11, 0.07
UPPER_ARM, FOREARM, THIGH, SHIN = 0.15, 0.14, 0.23, 0.22
STROKE = 0.045
PROFILE_WIDTH = 0.3     # how much of the shoulder and hip width a profile shows


# --------------------------------------------------------------------------- the people
# Person(rgb, hip, S, facing, arms, legs, ...):
#   hip     the midpoint of the hips (continuous image coordinates)
#   facing  "front" (the person's left is on the image's right), "back", or "left" /
#           "right" for a profile facing that way (the near side is the left side when
#           facing left, the right side when facing right)
#   arms    ((left upper, left lower), (right upper, right lower)), legs likewise:
#           each segment's angle in degrees from straight down; positive turns it
#           outward (towards its own side of the image) for front and back views, and
#           forward (the way the person faces) for profiles
#   lean    tilt of the torso and head, degrees; positive leans the top to the right
#   unlabelled  joints left out of the annotation (v 0) though inside the image
#   turned      joints labelled v 1 though not hidden by anyone (turned away)
#   none        no keypoints labelled at all

def person(rgb, hip, s, facing, arms, legs, lean=0.0, unlabelled=(), turned=(), none=False):
    return {"rgb": rgb, "hip": hip, "S": s, "facing": facing, "arms": arms, "legs": legs,
            "lean": lean, "unlabelled": set(unlabelled), "turned": set(turned),
            "none": none}


IMAGES = [
    {   # 1: a large front-facing person mid jumping-jack, a walking profile
        "file": "person_01.jpg", "size": (320, 240),
        "people": [
            person((205, 50, 45), (105, 128), 220, "front",
                   arms=((120, 150), (120, 150)), legs=((18, 12), (18, 12))),
            person((40, 90, 210), (252, 140), 150, "left",
                   arms=((25, 55), (-30, -15)), legs=((22, 4), (-20, -38)),
                   unlabelled=("right_ear",), turned=("right_eye",)),
        ],
    },
    {   # 2: a profile walking in front of a standing person (it hides their left arm),
        #    and a small person far away whose ears are too small to label
        "file": "person_02.jpg", "size": (320, 240),
        "people": [
            person((45, 160, 70), (112, 136), 170, "front",
                   arms=((28, 12), (22, 55)), legs=((8, 4), (8, 4))),
            person((235, 150, 30), (150, 142), 175, "right",
                   arms=((-30, -15), (32, 70)), legs=((-22, -40), (24, 6)),
                   unlabelled=("left_ear",), turned=("left_eye",)),
            person((175, 55, 200), (272, 76), 62, "front",
                   arms=((15, 8), (30, 95)), legs=((6, 2), (6, 2)),
                   unlabelled=("left_ear", "right_ear")),
        ],
    },
    {   # 3: a person cut by the left border (elbow and wrist outside), one seen from
        #    behind with hands on hips, and a tiny distant figure nobody labelled
        "file": "person_03.jpg", "size": (320, 240),
        "people": [
            person((215, 120, 25), (34, 128), 180, "front",
                   arms=((35, 20), (92, 100)), legs=((10, 4), (14, 8))),
            person((30, 150, 160), (196, 130), 160, "back",
                   arms=((48, -50), (48, -50)), legs=((12, 2), (12, 2)),
                   turned=("nose", "left_eye", "right_eye")),
            person((210, 200, 40), (292, 62), 30, "front",
                   arms=((25, 15), (25, 15)), legs=((8, 4), (8, 4)), none=True),
        ],
    },
    {   # 4: portrait: a large waving person whose ankles are below the bottom border,
        #    a small profile kicking
        "file": "person_04.jpg", "size": (240, 320),
        "people": [
            person((120, 60, 190), (112, 214), 330, "front",
                   arms=((100, 165), (12, 6)), legs=((7, 3), (9, 4))),
            person((200, 40, 60), (38, 84), 72, "right",
                   arms=((55, 80), (-40, -10)), legs=((-6, -4), (80, 70)),
                   unlabelled=("left_ear",), turned=("left_eye",)),
        ],
    },
    {   # 5: a person squatting, a profile running and leaning into it
        "file": "person_05.jpg", "size": (320, 240),
        "people": [
            person((60, 170, 200), (92, 156), 150, "front",
                   arms=((45, 30), (45, 30)), legs=((62, -8), (62, -8))),
            person((240, 210, 50), (222, 124), 170, "left",
                   arms=((60, 120), (-45, 10)), legs=((50, -18), (-38, -100)),
                   lean=-12, unlabelled=("right_ear",), turned=("right_eye",)),
        ],
    },
]


# --------------------------------------------------------------------------- the figure

def rot(v, deg):
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return (c * v[0] - s * v[1], s * v[0] + c * v[1])


def add(p, v, k=1.0):
    return (p[0] + k * v[0], p[1] + k * v[1])


def joints(p):
    """Continuous positions of the 17 keypoints, the head centre and radius, stroke width."""
    s, facing = p["S"], p["facing"]
    profile = facing in ("left", "right")
    d = {"left": -1, "right": 1}.get(facing, 0)          # facing direction of a profile
    left_side = -1 if facing == "back" else 1            # image side of the left shoulder
    width = PROFILE_WIDTH if profile else 1.0
    up = rot((0.0, -1.0), p["lean"])                     # hip -> neck
    across = rot((1.0, 0.0), p["lean"])                  # towards the image's right
    hip = p["hip"]
    neck = add(hip, up, TORSO * s)
    r = HEAD_R * s
    head = add(neck, up, NECK * s + r)
    j = {}
    for side, sign in (("left", left_side), ("right", -left_side)):
        j[side + "_shoulder"] = add(neck, across, sign * SHOULDER_HALF * width * s)
        j[side + "_hip"] = add(hip, across, sign * HIP_HALF * width * s)

    def limb(start, angle, length, sign):
        a = math.radians(angle)
        return add(start, (sign * math.sin(a), math.cos(a)), length * s)

    for k, side in enumerate(("left", "right")):
        sign = d if profile else (left_side if side == "left" else -left_side)
        upper, lower = p["arms"][k]
        j[side + "_elbow"] = limb(j[side + "_shoulder"], upper, UPPER_ARM, sign)
        j[side + "_wrist"] = limb(j[side + "_elbow"], lower, FOREARM, sign)
        upper, lower = p["legs"][k]
        j[side + "_knee"] = limb(j[side + "_hip"], upper, THIGH, sign)
        j[side + "_ankle"] = limb(j[side + "_knee"], lower, SHIN, sign)

    def face(dx, dy):
        return add(head, add(rot((dx * r, 0.0), p["lean"]), rot((0.0, dy * r), p["lean"])))

    if profile:
        near, far = ("left", "right") if d < 0 else ("right", "left")
        j["nose"] = face(0.85 * d, 0.15)
        j[near + "_eye"] = face(0.5 * d, -0.2)
        j[far + "_eye"] = face(0.7 * d, -0.25)
        j[near + "_ear"] = face(-0.1 * d, 0.05)
        j[far + "_ear"] = face(0.1 * d, 0.0)
    else:
        j["nose"] = face(0.0, 0.15)
        for side, sign in (("left", left_side), ("right", -left_side)):
            j[side + "_eye"] = face(0.38 * sign, -0.2)
            j[side + "_ear"] = face(0.82 * sign, 0.0)
    stroke = max(2, round(STROKE * s))
    return [j[name] for name in KEYPOINTS], head, r, neck, stroke


def cv_pt(q):
    """Continuous point -> OpenCV fixed-point pixel coordinates (shift 4)."""
    return (round((q[0] - 0.5) * 16), round((q[1] - 0.5) * 16))


STROKES = [("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
           ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
           ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
           ("right_hip", "right_knee"), ("right_knee", "right_ankle")]
TORSO_RING = ["left_shoulder", "right_shoulder", "right_hip", "left_hip"]


def figure_alpha(pts, head, r, neck, stroke, w, h):
    """Coverage of one drawn figure, float in [0, 1]: thick antialiased limbs, a torso
    quad with rounded corners, a neck and a head disc."""
    m = np.zeros((h, w), np.uint8)
    aa = dict(lineType=cv2.LINE_AA, shift=4)
    quad = np.array([cv_pt(pts[KP[n]]) for n in TORSO_RING], np.int32)
    cv2.fillPoly(m, [quad], 255, **aa)
    cv2.polylines(m, [quad], True, 255, thickness=stroke, **aa)
    cv2.line(m, cv_pt(neck), cv_pt(head), 255, thickness=stroke, **aa)
    for a, b in STROKES:
        cv2.line(m, cv_pt(pts[KP[a]]), cv_pt(pts[KP[b]]), 255, thickness=stroke, **aa)
    cv2.circle(m, cv_pt(head), round(r * 16), 255, thickness=-1, **aa)
    return m.astype(np.float32) / 255.0


# --------------------------------------------------------------------------- the outline

def hull(points):
    """Convex hull (Andrew's monotone chain) of exact points, without collinear vertices:
    counter-clockwise with y up, so clockwise on screen."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for q in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], q) <= 0:
            lower.pop()
        lower.append(q)
    for q in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], q) <= 0:
            upper.pop()
        upper.append(q)
    return lower[:-1] + upper[:-1]


def clip(poly, w, h):
    """Sutherland-Hodgman clip of a convex polygon (exact points) to [0, w] x [0, h]."""
    edges = [(0, 0, 1), (0, w, -1), (1, 0, 1), (1, h, -1)]   # axis, bound, inside sign
    for axis, bound, sign in edges:
        out = []
        for i, cur in enumerate(poly):
            prev = poly[i - 1]
            cin = sign * (cur[axis] - bound) >= 0
            pin = sign * (prev[axis] - bound) >= 0
            if cin != pin:
                t = (bound - prev[axis]) / (cur[axis] - prev[axis])
                q = [prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])]
                q[axis] = Fraction(bound)
                out.append(tuple(q))
            if cin:
                out.append(cur)
        poly = out
    return poly


def outline(pts, head, r, stroke, w, h):
    """The convex hull of the drawn figure as one ring [x0, y0, x1, y1, ...]: a disc round
    every joint of the body, of radius ceil(stroke / 2) + 1 (OpenCV's antialiased thick
    lines reach about ceil(t / 2) + 0.7 from their axis), and the head disc grown by a
    pixel; clipped to the image, vertices rounded to 2 decimals."""
    discs = [(pts[KP[n]], (stroke + 1) // 2 + 1.0) for n in KEYPOINTS[5:]]
    discs.append((head, r + 1.0))
    cloud = []
    for (cx, cy), rad in discs:
        for k in range(32):
            t = 2.0 * math.pi * k / 32
            cloud.append((exact(round(cx + rad * math.cos(t), 2)),
                          exact(round(cy + rad * math.sin(t), 2))))
    ring = clip(hull(cloud), w, h)
    ring = hull([(round(x, 2), round(y, 2)) for x, y in ring])
    # Start at the topmost (then leftmost) vertex, going clockwise on screen.
    start = min(range(len(ring)), key=lambda i: (ring[i][1], ring[i][0]))
    ring = ring[start:] + ring[:start]
    return [number(v) for q in ring for v in q]


# --------------------------------------------------------------------------- the dataset

def make():
    images, annotations = [], []
    ann_id = 1
    for index, spec in enumerate(IMAGES):
        image_id = index + 1
        w, h = spec["size"]
        rng = np.random.default_rng(20261204 + index)
        img = background(rng, w, h)
        figures = []
        for p in spec["people"]:
            pts, head, r, neck, stroke = joints(p)
            alpha = figure_alpha(pts, head, r, neck, stroke, w, h)
            figures.append((p, pts, head, r, stroke, alpha))
            paint(img, alpha, p["rgb"], rng)

        for n, (p, pts, head, r, stroke, alpha) in enumerate(figures):
            front = np.zeros((h, w), np.float32)          # coverage by people in front
            for later in figures[n + 1:]:
                front = np.maximum(front, later[5])
            keypoints, eyes = [], []
            for name, (x, y) in zip(KEYPOINTS, pts):
                inside = 0 <= x < w and 0 <= y < h
                if p["none"] or name in p["unlabelled"] or not inside:
                    keypoints += [0, 0, 0]
                    continue
                kx, ky = math.floor(x), math.floor(y)
                assert alpha[ky, kx] >= 0.5, (spec["file"], n, name, "not on the figure")
                cover = float(front[ky, kx])
                assert cover <= 0.05 or cover >= 0.95, (spec["file"], n, name, cover)
                v = 1 if cover >= 0.95 or name in p["turned"] else 2
                keypoints += [kx, ky, v]
                if v == 2 and name.endswith("_eye"):
                    eyes.append((x, y))
            # Dark eyes where they are seen (drawn after everyone: no eye is hidden).
            for x, y in eyes:
                dot = np.zeros((h, w), np.uint8)
                cv2.circle(dot, cv_pt((x, y)), round(max(1.0, 0.13 * r) * 16), 255,
                           thickness=-1, lineType=cv2.LINE_AA, shift=4)
                a = (dot.astype(np.float32) / 255.0)[..., None]
                dark = 0.3 * np.array(p["rgb"], np.float32)
                img[:] = img * (1 - a) + dark[None, None, :] * a

            ring = outline(pts, head, r, stroke, w, h)
            # The outline covers every drawn pixel of the figure (its centre inside).
            inside_ring = np.zeros((h, w), np.uint8)
            cv2.fillPoly(inside_ring, [np.array([cv_pt(q) for q in zip(ring[0::2], ring[1::2])],
                                                np.int32)], 1, lineType=cv2.LINE_8, shift=4)
            assert not np.any((alpha >= 0.5) & (inside_ring == 0)), (spec["file"], n)
            ann = {"id": ann_id, "image_id": image_id, "category_id": 1,
                   "bbox": box_of_extent(*extent([ring])),
                   "area": number(shoelace([ring])),
                   "iscrowd": 0,
                   "segmentation": [ring],
                   "num_keypoints": sum(1 for v in keypoints[2::3] if v > 0),
                   "keypoints": keypoints}
            annotations.append(ann)
            ann_id += 1

        img += rng.uniform(-3, 3, img.shape).astype(np.float32)
        rgb = np.clip(np.rint(img), 0, 255).astype(np.uint8)
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        path = os.path.join(OUT, "images", spec["file"])
        if not cv2.imwrite(path, bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]):
            sys.exit("make_keypoints.py: could not write %s" % path)
        images.append({"id": image_id, "file_name": spec["file"], "width": w, "height": h,
                       "license": 1})

    return {
        "info": {
            "description": "boxmix keypoint sample: drawn stick-figure people on textured "
                           "backgrounds",
            "version": "1.0",
            "year": 2026,
            "contributor": "the boxmix project (generated by samples/make_keypoints.py)",
            "date_created": "2026-12-04",
        },
        "licenses": [{"id": 1, "name": "CC0 1.0 Universal",
                      "url": "https://creativecommons.org/publicdomain/zero/1.0/"}],
        "images": images,
        "annotations": annotations,
        "categories": CATEGORIES,
    }


# --------------------------------------------------------------------------- self-check

def check(path):
    """Read the written file back and check it is what the docstring promises."""
    with open(path, encoding="utf-8") as f:
        coco = json.load(f)
    assert list(coco) == ["info", "licenses", "images", "annotations", "categories"]
    assert coco["categories"] == CATEGORIES and len(KEYPOINTS) == 17 and len(SKELETON) == 19
    assert len(coco["images"]) == len(IMAGES)
    assert len(coco["annotations"]) == sum(len(s["people"]) for s in IMAGES) == 12
    size = {}
    for im in coco["images"]:
        pic = cv2.imread(os.path.join(OUT, "images", im["file_name"]), cv2.IMREAD_UNCHANGED)
        assert pic is not None and pic.shape == (im["height"], im["width"], 3), im
        size[im["id"]] = (im["width"], im["height"])
    assert sorted(size.values()).count((240, 320)) == 1
    per_image = {}
    tally = [0, 0, 0]
    for ann in coco["annotations"]:
        w, h = size[ann["image_id"]]
        per_image[ann["image_id"]] = per_image.get(ann["image_id"], 0) + 1
        assert ann["category_id"] == 1 and ann["iscrowd"] == 0
        ring, = ann["segmentation"]
        assert len(ring) % 2 == 0 and len(ring) >= 6
        assert all(0 <= x <= w for x in ring[0::2]) and all(0 <= y <= h for y in ring[1::2])
        assert all(exact(v) * 100 == int(exact(v) * 100) for v in ring)
        assert exact(ann["area"]) == shoelace([ring]) > 0
        assert ann["bbox"] == box_of_extent(*extent([ring]))
        bx, by, bw, bh = (exact(v) for v in ann["bbox"])
        kps = ann["keypoints"]
        assert len(kps) == 51 and all(type(v) is int for v in kps)
        for x, y, v in zip(kps[0::3], kps[1::3], kps[2::3]):
            assert v in (0, 1, 2)
            tally[v] += 1
            if v == 0:
                assert x == 0 and y == 0
            else:
                assert 0 <= x < w and 0 <= y < h
                assert bx <= x <= bx + bw and by <= y <= by + bh, (ann["id"], x, y)
        assert ann["num_keypoints"] == sum(1 for v in kps[2::3] if v > 0)
    assert all(1 <= n <= 3 for n in per_image.values()) and len(per_image) == len(size)
    assert sum(1 for a in coco["annotations"] if a["num_keypoints"] == 0) == 1
    assert tally[1] >= 3 and tally[0] > 17
    return tally


def main():
    os.makedirs(os.path.join(OUT, "images"), exist_ok=True)
    path = os.path.join(OUT, "annotations.json")
    write_coco(make(), path)
    tally = check(path)
    print("make_keypoints.py: %d images, %d people; keypoints v2 %d, v1 %d, v0 %d"
          % (len(IMAGES), sum(len(s["people"]) for s in IMAGES), tally[2], tally[1],
             tally[0]))


if __name__ == "__main__":
    main()
