#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write the checker's test cases: one folder per case under tests/data/check/,
each with annotations.json (a small dataset with one problem, or many for
"many-problems"), expected.txt (the exact problems boxmix-check must report, one
"PATH: SEVERITY: MESSAGE [CODE]" line each, in order) and, for the image cases, an
images/ folder, and expected-decode.txt when checking with --decode gives
another list (the whole list then).

The expected lines are written here by hand from the rules in lib/check.c, not
copied from the checker's output. "{images}" stands for the images folder the test
passes. Run: /usr/bin/python3 tests/data/check/make_cases.py (rewrites the cases).
"""
import copy
import json
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# A clean base: two images, two categories, a polygon, a bare box, a crowd RLE
# (uncompressed counts, rows 6..15 x columns 4..11) and a compressed RLE (rows 0..4
# x columns 20..29; the string is the COCO API's for those runs).
BASE = {
    "info": {"description": "checker test base"},
    "images": [
        {"id": 1, "file_name": "a.png", "width": 100, "height": 80},
        {"id": 2, "file_name": "b.png", "width": 64, "height": 48},
    ],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 30, 20], "area": 600,
         "iscrowd": 0, "segmentation": [[10, 10, 40, 10, 40, 30, 10, 30]]},
        {"id": 2, "image_id": 1, "category_id": 2, "bbox": [50, 40, 20, 10], "area": 200,
         "iscrowd": 0},
        {"id": 3, "image_id": 2, "category_id": 1, "bbox": [4, 6, 8, 10], "area": 80,
         "iscrowd": 1, "segmentation": {"size": [48, 64], "counts": [
             198, 10, 38, 10, 38, 10, 38, 10, 38, 10, 38, 10, 38, 10, 38, 10, 2528]}},
        {"id": 4, "image_id": 2, "category_id": 2, "bbox": [20, 0, 10, 5], "area": 50,
         "iscrowd": 0, "segmentation": {"size": [48, 64],
                                        "counts": "Pn05[100000000000000000Pc1"}},
    ],
    "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
}


def png(w, h):
    """A grey w x h PNG, written by hand."""
    raw = b"".join(b"\x00" + bytes([128]) * w for _ in range(h))

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data +
                struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


CASES = []


def case(name, expected, doc=None, text=None, images=None, expected_decode=None):
    CASES.append((name, expected, doc, text, images, expected_decode))


def base():
    return copy.deepcopy(BASE)


def ann(d, i):
    return d["annotations"][i]


# ---- the base itself: clean ----
case("clean", [], base())

# ---- syntax ----
case("json-syntax", ["$: error: line 3, column 2: not valid JSON (expected ',' or '}') [json-syntax]"],
     text='{\n "images": []\n "annotations": [], "categories": []}\n')
case("json-trailing-text",
     ["$: error: line 2, column 1: text after the JSON document [json-syntax]"],
     text='{"images": [], "annotations": [], "categories": []}\nextra\n')
case("not-an-object", ["$: error: expected an object (a COCO document), got an array [wrong-type]"],
     text="[1, 2]\n")

# ---- structure ----
d = base()
del d["categories"]
case("missing-categories", ["categories: error: missing [missing-key]"], d)

d = base()
d["info"] = "v1"
case("info-wrong-type", ["info: error: expected an object or null, got a string [wrong-type]"], d)

d = base()
d["images"][1]["width"] = "64"
case("width-wrong-type",
     ["images[1].width: error: expected a positive integer, got a string [wrong-type]"], d)

d = base()
d["images"][0]["height"] = 0
case("height-zero", ["images[0].height: error: expected a positive integer, got 0 [bad-value]"], d)

d = base()
del ann(d, 2)["image_id"]
case("missing-image-id", ["annotations[2].image_id: error: missing [missing-key]"], d)

d = base()
ann(d, 0)["category_id"] = 1.5
case("category-id-not-integer",
     ["annotations[0].category_id: error: expected an integer, got 1.5 [wrong-type]"], d)

case("duplicate-key",
     ["annotations[0].area: error: key repeated in one object (readers disagree on which value "
      "wins) [duplicate-key]"],
     text=json.dumps(base()).replace('"area": 600,', '"area": 600, "area": 601,', 1))

# ---- ids ----
d = base()
d["images"][1]["id"] = 1
d["annotations"] = d["annotations"][:2]  # the masks were sized for the second image
case("duplicate-image-id", ["images[1].id: error: duplicate id 1 (also images[0]) [duplicate-id]"],
     d)

# One id, one image: "1" and 1 spell one id, which the strict reader refuses (an
# annotation's image_id may name either); the annotations keep to images[0].
d = base()
d["images"][1]["id"] = "1"
d["annotations"] = d["annotations"][:2]
case("duplicate-image-id-spellings",
     ['images[1].id: error: duplicate id "1" (also images[0], spelled 1) [duplicate-id]'], d)

d = base()
ann(d, 3)["id"] = 2
case("duplicate-annotation-id",
     ["annotations[3].id: error: duplicate id 2 (also annotations[1]) [duplicate-id]"], d)

d = base()
d["categories"].append({"id": 2, "name": "bird"})
case("duplicate-category-id",
     ["categories[2].id: error: duplicate id 2 (also categories[1]) [duplicate-id]"], d)

d = base()
ann(d, 1)["image_id"] = 7
case("unknown-image-id", ["annotations[1].image_id: error: no image has id 7 [unknown-image-id]"],
     d)

d = base()
ann(d, 1)["category_id"] = 9
case("unknown-category-id",
     ["annotations[1].category_id: error: no category has id 9 [unknown-category-id]"], d)

d = base()
ann(d, 1)["image_id"] = "1"
case("image-id-spelling",
     ['annotations[1].image_id: warning: "1" names images[0] whose id is spelled as a number '
      "(other tools will not match them) [image-id-spelling]"], d)

# ---- numbers ----
case("non-finite",
     ["annotations[1].bbox[2]: error: number out of range (not finite) [non-finite]"],
     text=json.dumps(base()).replace('"bbox": [50, 40, 20, 10]', '"bbox": [50, 40, 1e999, 10]'))

# ---- boxes ----
d = base()
del ann(d, 1)["bbox"]
case("missing-bbox", ["annotations[1].bbox: error: missing [missing-key]"], d)

d = base()
ann(d, 1)["bbox"] = [50, 40, 20]
case("bbox-three-numbers", ["annotations[1].bbox: error: expected 4 numbers, got 3 [wrong-type]"],
     d)

d = base()
ann(d, 1)["bbox"] = [50, 40, -20, 10]
case("bbox-negative-size",
     ["annotations[1].bbox: error: negative width or height [50, 40, -20, 10] "
      "[bbox-negative-size]"], d)

d = base()
ann(d, 1)["bbox"] = [50, 40, 20, 0]
ann(d, 1)["area"] = 0
case("bbox-empty",
     ["annotations[1].bbox: warning: the box has no area [50, 40, 20, 0]; trainers may reject it "
      "[bbox-empty]"], d)

d = base()
ann(d, 1)["bbox"] = [85, 40, 20, 10]
case("bbox-outside-image",
     ["annotations[1].bbox: error: [85, 40, 20, 10] extends 5 px beyond the 100x80 image "
      "[bbox-outside-image]"], d)

# Past the edge by less than 1 px but with nothing inside the image: the strict
# reader refuses such a box, so it is an error, not bbox-past-edge.
d = base()
ann(d, 1)["bbox"] = [100.5, 40, 0, 10]
ann(d, 1)["area"] = 0
case("bbox-wholly-outside",
     ["annotations[1].bbox: warning: the box has no area [100.5, 40, 0, 10]; trainers may reject "
      "it [bbox-empty]",
      "annotations[1].bbox: error: [100.5, 40, 0, 10] lies outside its 100x80 image "
      "[bbox-outside-image]"], d)

d = base()
ann(d, 1)["bbox"] = [80.5, 40, 20, 10]
case("bbox-past-edge",
     ["annotations[1].bbox: warning: [80.5, 40, 20, 10] extends 0.5 px beyond the 100x80 image "
      "[bbox-past-edge]"], d)

d = base()
ann(d, 0)["bbox"] = [10, 10, 30.5, 20]
case("bbox-off-by-one",
     ["annotations[0].bbox: warning: [10, 10, 30.5, 20] is 0.5 px off its polygons' extent "
      "[10, 10, 30, 20] [bbox-off-by-one]"], d)

d = base()
ann(d, 3)["bbox"] = [20, 0, 13, 5]
case("bbox-mismatch",
     ["annotations[3].bbox: error: [20, 0, 13, 5] is 3 px off its mask's box [20, 0, 10, 5] "
      "[bbox-mismatch]"], d)

d = base()
ann(d, 2)["bbox"] = [3, 6, 9, 10]
case("crowd-bbox-mismatch",
     ["annotations[2].bbox: warning: crowd object: [3, 6, 9, 10] is 1 px off its mask's box "
      "[4, 6, 8, 10] (a known quirk of the official COCO files) [crowd-bbox-mismatch]"], d)

# ---- area ----
d = base()
ann(d, 0)["area"] = 590
case("area-mismatch-polygon",
     ["annotations[0].area: error: 590 differs from the polygons' exact area 600 "
      "[area-mismatch]"], d)

d = base()
ann(d, 0)["area"] = 600.9  # within 0.5 + 0.1 % of 600 = 1.1
case("area-within-tolerance", [], d)

d = base()
ann(d, 3)["area"] = 52
case("area-mismatch-rle",
     ["annotations[3].area: error: 52 differs from the mask's pixel count 50 [area-mismatch]"], d)

d = base()
ann(d, 2)["area"] = 95
case("crowd-area-mismatch",
     ["annotations[2].area: warning: crowd object: 95 differs from the mask's pixel count 80 "
      "(a known quirk of the official COCO files) [crowd-area-mismatch]"], d)

d = base()
ann(d, 1)["area"] = 250
case("area-exceeds-box",
     ["annotations[1].area: error: 250 is more than the box's w*h 200 [area-exceeds-box]"], d)

d = base()
ann(d, 1)["area"] = -1
case("area-negative", ["annotations[1].area: error: expected a number >= 0, got -1 [bad-value]"], d)

d = base()
del ann(d, 1)["area"]
case("missing-area",
     ["annotations[1].area: warning: missing (COCO evaluation reads every object's area) "
      "[missing-recommended-key]"], d)

d = base()
ann(d, 1)["iscrowd"] = 2
case("iscrowd-two", ["annotations[1].iscrowd: error: expected 0 or 1, got another number "
                     "[bad-value]"], d)

# ---- polygons ----
d = base()
ann(d, 0)["segmentation"] = [[10, 10, 40, 10, 40, 30, 10]]
case("polygon-odd-count",
     ["annotations[0].segmentation[0]: error: expected an even count of numbers (x, y pairs), "
      "got 7 [polygon-odd-count]"], d)

d = base()
ann(d, 0)["segmentation"] = [[10, 10, 40, 30]]
case("polygon-too-few-points",
     ["annotations[0].segmentation[0]: error: a polygon needs at least 3 points (6 numbers), "
      "got 4 [polygon-too-few-points]"], d)

d = base()
ann(d, 0)["segmentation"] = [10, 10, 40, 10, 40, 30, 10, 30]
case("polygon-flat-list",
     ["annotations[0].segmentation[0]: error: expected an array of numbers (a polygon), got a "
      "number [wrong-type]"], d)

d = base()
ann(d, 0)["segmentation"] = [[10, 10, 40, 10, "40", 30, 10, 30]]
case("polygon-string-number",
     ["annotations[0].segmentation[0][4]: error: expected a number, got a string [wrong-type]"], d)

d = base()
ann(d, 0)["segmentation"] = [[10, 10, 40, 10, 40, 30, 10, 30], [20, 20, 30, 30, 20, 20]]
case("polygon-zero-area",
     ["annotations[0].segmentation[1]: warning: the polygon encloses no area "
      "[polygon-zero-area]"], d)

d = base()
ann(d, 0)["segmentation"] = [[-0.5, 10, 40, 10, 40, 30, -0.5, 30]]
ann(d, 0)["bbox"] = [-0.5, 10, 40.5, 20]
ann(d, 0)["area"] = 810
case("polygon-outside-image",
     ["annotations[0].bbox: warning: [-0.5, 10, 40.5, 20] extends 0.5 px beyond the 100x80 image "
      "[bbox-past-edge]",
      "annotations[0].segmentation[0]: warning: vertices lie up to 0.5 px outside the 100x80 "
      "image [polygon-outside-image]"], d)

# A vertex more than the image's size past an edge: the strict reader refuses the
# file, so the checker must call it an error, crowd or not (a fuzzer found a crowd
# polygon the checker only warned about). Only the first such vertex is reported.
d = base()
ann(d, 0)["iscrowd"] = 1
ann(d, 0)["segmentation"] = [[10, 10, 250, 10, 250, 30, 10, 30]]
case("polygon-far-outside-image",
     ["annotations[0].segmentation[0]: error: vertex (250, 10) lies far outside its 100x80 "
      "image [polygon-far-outside-image]",
      "annotations[0].bbox: warning: crowd object: [10, 10, 30, 20] is 210 px off its "
      "polygons' extent [10, 10, 240, 20] (a known quirk of the official COCO files) "
      "[crowd-bbox-mismatch]",
      "annotations[0].area: warning: crowd object: 600 differs from the polygons' exact area "
      "4800 (a known quirk of the official COCO files) [crowd-area-mismatch]"], d)

d = base()
ann(d, 0)["segmentation"] = "10 10 40 10"
case("segmentation-string",
     ["annotations[0].segmentation: error: expected a list of polygons or an RLE object, got a "
      "string [wrong-type]"], d)

# ---- RLE ----
d = base()
ann(d, 2)["segmentation"]["counts"][-1] = 2527
case("rle-runs-sum-array",
     ["annotations[2].segmentation.counts: error: runs add up to 3071, expected 3072 (48x64) "
      "[rle-runs-sum]"], d)

d = base()
ann(d, 3)["segmentation"]["counts"] = "Pn05[100000000000000000Pc0"
case("rle-runs-sum-string",
     ["annotations[3].segmentation.counts: error: counts string runs add up to 2048, expected "
      "3072 (48x64) [rle-runs-sum]"], d)

d = base()
ann(d, 3)["segmentation"]["counts"] = "Pn05[1 0000000000000000Pc1"
case("rle-malformed-string",
     ["annotations[3].segmentation.counts: error: counts string has an invalid character "
      "(code 32) at offset 6 [rle-malformed]"], d)

d = base()
ann(d, 2)["segmentation"]["counts"][3] = -10
case("rle-malformed-array",
     ["annotations[2].segmentation.counts[3]: error: expected a run length in 0..4294967295 "
      "[rle-malformed]"], d)

d = base()
ann(d, 3)["segmentation"] = {"size": [64, 48], "counts": "Pn05[100000000000000000Pc1"}
case("rle-size-mismatch",
     ["annotations[3].segmentation.size: error: [64, 48] differs from its image's [height, width] "
      "[48, 64] [rle-size-mismatch]"], d)

d = base()
ann(d, 3)["segmentation"]["counts"] = [3072]
ann(d, 3)["area"] = 0
case("rle-empty-mask",
     ["annotations[3].segmentation: warning: the mask has no pixel set [mask-empty]"], d)

# ---- file names ----
d = base()
d["images"][1]["file_name"] = "../b.png"
case("file-name-dotdot",
     ['images[1].file_name: error: "../b.png" escapes the image folder (absolute or \'..\') '
      "[file-name-escapes]"], d)

d = base()
d["images"][0]["file_name"] = "/data/a.png"
case("file-name-absolute",
     ['images[0].file_name: error: "/data/a.png" escapes the image folder (absolute or \'..\') '
      "[file-name-escapes]"], d)

d = base()
d["images"][1]["file_name"] = "a.png"
case("duplicate-file-name",
     ['images[1].file_name: warning: "a.png" is also the file of images[0] '
      "[duplicate-file-name]"], d)

# ---- limits (struct bmx_limits, the defaults), as the limited reader applies them ----
d = base()
d["images"][0]["width"] = 20000
d["images"][0]["height"] = 10000
case("image-record-too-large",
     ["images[0]: error: 20000x10000 = 200000000 pixels, more than the limit of 178956970 "
      "[image-too-large]"], d)

# ---- keypoints: the rules of lib/keypoints.h, which the reader applies too ----
# Category 2 names 3 keypoints (and a skeleton); annotation 1 (category 2, the
# 100x80 image, box [50, 40, 20, 10]) gives them; annotation 0's category names
# none, so any x, y, v triples go. Points are numbered from 0 in the messages.
def kbase():
    d = base()
    d["categories"][1]["keypoints"] = ["nose", "tail", "paw"]
    d["categories"][1]["skeleton"] = [[1, 2], [2, 3]]
    ann(d, 1)["keypoints"] = [55, 42, 2, 68, 48, 1, 0, 0, 0]
    ann(d, 1)["num_keypoints"] = 2
    ann(d, 0)["keypoints"] = [20, 15, 2, 30, 25, 2]
    return d


case("keypoints-clean", [], kbase())

d = kbase()
ann(d, 1)["keypoints"] = [55, 42, 2, 68, 48, 1, 0, 0]
case("keypoints-count",
     ["annotations[1].keypoints: error: expected 9 numbers (x, y, v for each of the category's 3 "
      "keypoints), got 8 [keypoints-count]"], d)

d = kbase()
ann(d, 0)["keypoints"] = [20, 15, 2, 30, 25, 2, 40]
case("keypoints-count-triples",
     ["annotations[0].keypoints: error: expected x, y, v triples (a multiple of 3 numbers), got 7 "
      "[keypoints-count]"], d)

d = kbase()
ann(d, 1)["keypoints"] = [55, 42, 2, 68, 48, 3, 0, 0, 0]
case("keypoint-visibility",
     ["annotations[1].keypoints: error: point 1: v = 3; v is 0 (not labelled), 1 or 2 (1 such "
      "point) [keypoint-visibility]"], d)

d = kbase()
ann(d, 1)["num_keypoints"] = 3
case("num-keypoints",
     ["annotations[1].num_keypoints: error: num_keypoints is 3, but 2 points are labelled (v > 0) "
      "[num-keypoints]"], d)

d = kbase()
ann(d, 1)["keypoints"] = [55, 42, 2, 100, 48, 1, 0, 0, 0]
case("keypoint-outside-image",
     ["annotations[1].keypoints: error: point 1: (100, 48) is labelled but outside the 100x80 "
      "image (1 such point) [keypoint-outside-image]"], d)

d = kbase()
ann(d, 1)["keypoints"] = [55, 42, 2, 68, 48, 1, 5, 5, 0]
case("keypoint-unlabelled-position",
     ["annotations[1].keypoints: warning: point 2: v = 0 (not labelled) at (5, 5), not (0, 0) "
      "(1 such point) [keypoint-unlabelled-position]"], d)

d = kbase()
ann(d, 1)["keypoints"] = [55, 42, 2, 75, 48, 1, 0, 0, 0]
case("keypoint-outside-box",
     ["annotations[1].keypoints: warning: point 1: (75, 48) lies outside the object's bbox "
      "(1 such point) [keypoint-outside-box]"], d)

d = kbase()
ann(d, 1)["keypoints"] = "55 42 2 68 48 1 0 0 0"
case("keypoints-wrong-type",
     ["annotations[1].keypoints: error: expected a list of numbers (x, y, v triples), got a "
      "string [wrong-type]"], d)

d = kbase()
ann(d, 1)["keypoints"] = [55, "42", 2, 68, 48, 1, 0, 0, None]
case("keypoints-item-wrong-type",
     ["annotations[1].keypoints[1]: error: expected a number, got a string [wrong-type]"], d)

case("keypoints-non-finite",
     ["annotations[1].keypoints[4]: error: number out of range (not finite) [non-finite]"],
     text=json.dumps(kbase()).replace("[55, 42, 2, 68, 48, 1, 0, 0, 0]",
                                      "[55, 42, 2, 68, 1e999, 1, 0, 0, 0]"))

d = kbase()
ann(d, 1)["num_keypoints"] = 2.5
case("num-keypoints-bad-value",
     ["annotations[1].num_keypoints: error: expected a whole number >= 0, got 2.5 [bad-value]"], d)

d = kbase()
ann(d, 1)["num_keypoints"] = "2"
case("num-keypoints-wrong-type",
     ["annotations[1].num_keypoints: error: expected a whole number >= 0, got a string "
      "[wrong-type]"], d)

# A bad list of names: the skeleton is checked for its form only, and the
# category's annotations for whole triples only.
d = kbase()
d["categories"][1]["keypoints"] = "nose tail paw"
case("category-keypoints-wrong-type",
     ["categories[1].keypoints: error: expected a list of keypoint names, got a string "
      "[wrong-type]"], d)

d = kbase()
d["categories"][1]["skeleton"] = "1-2 2-3"
case("skeleton-wrong-type",
     ["categories[1].skeleton: error: expected a list of [a, b] pairs, got a string [wrong-type]"],
     d)

d = kbase()
d["categories"][1]["skeleton"] = [[1, 2], [3]]
case("skeleton-pair-wrong-type",
     ["categories[1].skeleton[1]: error: expected a pair [a, b] of keypoint numbers, got 1 item "
      "[wrong-type]"], d)

d = kbase()
d["categories"][1]["skeleton"] = [[1, 2], [2, 4], [0, 1]]
case("skeleton-pair-out-of-range",
     ["categories[1].skeleton[1]: error: [2, 4] is not a pair of keypoint numbers 1..3 (the "
      "category has 3 keypoints) [bad-value]",
      "categories[1].skeleton[2]: error: [0, 1] is not a pair of keypoint numbers 1..3 (the "
      "category has 3 keypoints) [bad-value]"], d)

d = kbase()
d["categories"][0]["skeleton"] = [[1, 2]]
case("skeleton-without-keypoints",
     ["categories[0].skeleton[0]: error: [1, 2]: the category names no keypoints for a skeleton "
      "to join [bad-value]"], d)

# Several keypoint problems in one file, of both severities (e2e_check.py runs it).
d = kbase()
d["categories"][1]["skeleton"] = [[1, 2], [2, 4]]
ann(d, 0)["keypoints"] = [20, 15, 2, 30, 25, 2, 40]
ann(d, 1)["keypoints"] = [55, 42, 2, 100, 48, 1, 3, 3, 0]
ann(d, 1)["num_keypoints"] = 3
ann(d, 2)["keypoints"] = [5, 7, 2, 30, 30, 2]
ann(d, 3)["keypoints"] = [21, 1, 2, 22, 2, 5, 0, 0, 0]
ann(d, 3)["num_keypoints"] = 1.5
d["annotations"].append({"id": 5, "image_id": 1, "category_id": 2, "bbox": [60, 60, 10, 10],
                         "area": 100, "iscrowd": 0, "keypoints": {"x": 1}})
case("keypoints-many-problems", [
    "categories[1].skeleton[1]: error: [2, 4] is not a pair of keypoint numbers 1..3 (the "
    "category has 3 keypoints) [bad-value]",
    "annotations[0].keypoints: error: expected x, y, v triples (a multiple of 3 numbers), got 7 "
    "[keypoints-count]",
    "annotations[1].keypoints: error: point 1: (100, 48) is labelled but outside the 100x80 image "
    "(1 such point) [keypoint-outside-image]",
    "annotations[1].num_keypoints: error: num_keypoints is 3, but 2 points are labelled (v > 0) "
    "[num-keypoints]",
    "annotations[1].keypoints: warning: point 2: v = 0 (not labelled) at (3, 3), not (0, 0) "
    "(1 such point) [keypoint-unlabelled-position]",
    "annotations[2].keypoints: warning: point 1: (30, 30) lies outside the object's bbox "
    "(1 such point) [keypoint-outside-box]",
    "annotations[3].num_keypoints: error: expected a whole number >= 0, got 1.5 [bad-value]",
    "annotations[3].keypoints: error: point 1: v = 5; v is 0 (not labelled), 1 or 2 (1 such "
    "point) [keypoint-visibility]",
    "annotations[4].keypoints: error: expected a list of numbers (x, y, v triples), got an object "
    "[wrong-type]",
], d)

# ---- image files (checked with --images) ----
case("images-clean", [], base(), images={"a.png": png(100, 80), "b.png": png(64, 48)})
case("image-missing", ["images[1].file_name: error: {images}/b.png: no such file [image-missing]"],
     base(), images={"a.png": png(100, 80)})
case("image-size-mismatch",
     ["images[0].file_name: error: {images}/a.png is 80x100, the record says 100x80 "
      "[image-size-mismatch]"],
     base(), images={"a.png": png(80, 100), "b.png": png(64, 48)})
case("image-not-an-image",
     ["images[1].file_name: error: {images}/b.png: not a supported image or a corrupt header "
      "(unknown image type); formats read: JPEG, PNG, BMP, TGA, GIF, PNM [image-undecodable]"],
     base(), images={"a.png": png(100, 80), "b.png": b"hello, not an image\n"})
truncated = png(64, 48)
truncated = truncated[:60]
case("image-truncated", [], base(), images={"a.png": png(100, 80), "b.png": truncated},
     expected_decode=["images[1].file_name: error: {images}/b.png: PNG chunk 'IDAT' at byte 33 claims 37 bytes, the file has 15 left: it is truncated or corrupt [image-undecodable]"])

# ---- many problems in one file ----
d = base()
d["images"].append({"id": 2, "file_name": "../c.png", "width": 0, "height": 10})
d["images"].append("not an image")
d["categories"].append({"id": 3})
ann(d, 0)["bbox"] = [10, 10, 30.5, 20]
ann(d, 0)["area"] = 700
ann(d, 1)["image_id"] = 99
ann(d, 1)["category_id"] = 42
ann(d, 2)["area"] = 95
ann(d, 2)["bbox"] = [3, 6, 9, 10]
ann(d, 3)["segmentation"]["counts"] = "Pn05[1"
d["annotations"].append({"id": 1, "image_id": 1, "category_id": 1, "bbox": [95, 75, 20, 20],
                         "segmentation": [[95, 75, 115, 75, 115]]})
d["annotations"].append({"id": 6, "image_id": 1, "category_id": 2, "bbox": "10 10 5 5",
                         "area": 25, "iscrowd": 0})
case("many-problems", [
    "categories[2].name: error: missing [missing-key]",
    "images[2].id: error: duplicate id 2 (also images[1]) [duplicate-id]",
    "images[2].file_name: error: \"../c.png\" escapes the image folder (absolute or '..') "
    "[file-name-escapes]",
    "images[2].width: error: expected a positive integer, got 0 [bad-value]",
    "images[3]: error: expected an object, got a string [wrong-type]",
    "annotations[0].bbox: warning: [10, 10, 30.5, 20] is 0.5 px off its polygons' extent "
    "[10, 10, 30, 20] [bbox-off-by-one]",
    "annotations[0].area: error: 700 differs from the polygons' exact area 600 [area-mismatch]",
    "annotations[1].image_id: error: no image has id 99 [unknown-image-id]",
    "annotations[1].category_id: error: no category has id 42 [unknown-category-id]",
    "annotations[2].bbox: warning: crowd object: [3, 6, 9, 10] is 1 px off its mask's box "
    "[4, 6, 8, 10] (a known quirk of the official COCO files) [crowd-bbox-mismatch]",
    "annotations[2].area: warning: crowd object: 95 differs from the mask's pixel count 80 "
    "(a known quirk of the official COCO files) [crowd-area-mismatch]",
    "annotations[3].segmentation.counts: error: counts string runs add up to 1008, expected "
    "3072 (48x64) [rle-runs-sum]",
    "annotations[4].id: error: duplicate id 1 (also annotations[0]) [duplicate-id]",
    "annotations[4].bbox: error: [95, 75, 20, 20] extends 15 px beyond the 100x80 image "
    "[bbox-outside-image]",
    "annotations[4].area: warning: missing (COCO evaluation reads every object's area) "
    "[missing-recommended-key]",
    "annotations[4].iscrowd: warning: missing (COCO evaluation reads every object's iscrowd) "
    "[missing-recommended-key]",
    "annotations[4].segmentation[0]: error: expected an even count of numbers (x, y pairs), "
    "got 5 [polygon-odd-count]",
    "annotations[5].bbox: error: expected 4 numbers, got a string [wrong-type]",
], d)


def main():
    for entry in os.listdir(HERE):
        p = os.path.join(HERE, entry)
        if os.path.isdir(p):
            shutil.rmtree(p)
    with open(os.path.join(HERE, "cases.txt"), "w") as idx:
        for name, expected, doc, text, images, expected_decode in CASES:
            idx.write(name + "\n")
            d = os.path.join(HERE, name)
            os.makedirs(d)
            with open(os.path.join(d, "annotations.json"), "w") as f:
                f.write(text if text is not None else json.dumps(doc, indent=1) + "\n")
            with open(os.path.join(d, "expected.txt"), "w") as f:
                f.writelines(line + "\n" for line in expected)
            if images is not None:
                os.makedirs(os.path.join(d, "images"))
                for fname, data in images.items():
                    with open(os.path.join(d, "images", fname), "wb") as f:
                        f.write(data)
            if expected_decode is not None:
                with open(os.path.join(d, "expected-decode.txt"), "w") as f:
                    f.writelines(line + "\n" for line in expected_decode)


main()
