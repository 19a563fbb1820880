#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora tests/fuzz/corpus/<target>/seed-* from samples/, the
bad-input sets (tests/bad, tests/data/check, tests/data/voc),
tests/data/rle_vectors.txt and a few inputs made here (all the journal seeds and
the seed-keypoints-* ones; identical files once). Files named regress-* (inputs
that once failed) are never touched. Run with Debian's python (numpy, cv2):

    /usr/bin/python3 tests/fuzz/make_seeds.py

or, to write only the keypoint seeds (nothing else is removed or rewritten):

    /usr/bin/python3 -c 'import sys; sys.path[:0] = ["tests/fuzz"]; import make_seeds; make_seeds.keypoints()'

or only the CutMix family's records and decision lines (tests/ops_records.py):

    /usr/bin/python3 -c 'import sys; sys.path[:0] = ["tests/fuzz"]; import make_seeds; make_seeds.family()'

The input layouts are documented at the top of each fuzz_<target>.c.
"""
import glob
import json
import os
import sys
import random
import struct
import zlib

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


BAD = os.path.join(ROOT, "tests", "bad")
MAX_SEED = 64 * 1024
_seen = {}


def reset(target):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    for f in glob.glob(os.path.join(d, "seed-*")):
        os.remove(f)
    _seen[d] = set()
    return d


def put(d, name, data):
    """Write one seed; identical contents and files over 64 KB are skipped."""
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_SEED or data in _seen[d]:
        return
    _seen[d].add(data)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def bad_cases(pattern):
    """(case, path) of the files of the bad-input set (tests/bad) matching pattern."""
    for p in sorted(glob.glob(os.path.join(BAD, pattern))):
        if os.path.isfile(p):
            yield os.path.relpath(p, BAD).split(os.sep)[0], p


def read(path):
    with open(path, "rb") as f:
        return f.read()


def rle_vectors():
    out = []
    with open(os.path.join(ROOT, "tests", "data", "rle_vectors.txt")) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            out.append(line.split())
    return out


# ---- coco ----

def coco():
    d = reset("coco")
    put(d, "samples", read(os.path.join(ROOT, "samples", "coco", "annotations.json")))
    for p in sorted(glob.glob(os.path.join(ROOT, "tests", "data", "check", "*", "annotations.json"))):
        put(d, "check-" + os.path.basename(os.path.dirname(p)), read(p))
    for case, p in bad_cases("*/annotations.json"):
        if not case.startswith("img-"):
            put(d, "bad-" + case, read(p))
    cats = [{"id": 1, "name": "a"}, {"id": 2, "name": "b", "supercategory": "s"}]
    mixed = {
        "info": {"x": 1},
        "images": [
            {"id": 1, "file_name": "a.jpg", "width": 40, "height": 30},
            {"id": "two", "file_name": "b.png", "width": 20, "height": 50, "extra": [1, 2]},
        ],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [2, 3, 20, 10], "area": 200,
             "iscrowd": 0, "segmentation": [[2, 3, 22, 3, 22, 13, 2, 13], [30, 20, 38, 22, 35, 29]]},
            {"id": 2, "image_id": 1, "category_id": 2, "bbox": [0, 0, 5, 5], "area": 9,
             "iscrowd": 1, "segmentation": {"size": [30, 40], "counts": [0, 3, 27, 3, 27, 3, 1077]}},
            {"id": 3, "image_id": "two", "category_id": 1, "bbox": [1, 1, 3, 4], "area": 12,
             "iscrowd": 0, "segmentation": {"size": [50, 20], "counts": "0P1:1"}, "score": 0.5},
            {"id": 4, "image_id": "two", "category_id": 2, "bbox": [-5, 40, 30, 20],
             "segmentation": [[-5, 40, 25, 40, 25, 60, -5, 60]]},
            {"id": 5, "image_id": "two", "category_id": 2, "bbox": [3, 3, 4, 4], "segmentation": []},
        ],
        "categories": cats,
        "licenses": [],
    }
    put(d, "mixed", json.dumps(mixed))
    boxmix = {
        "images": [{"id": 7, "file_name": "cutmix_000000.jpg", "width": 16, "height": 16,
                    "boxmix": {"op": "cutmix", "index": 0, "base_image_id": 1,
                               "source_image_id": 2, "patch": [2, 3, 8, 9], "lambda": 0.71875,
                               "seed": 0}}],
        "annotations": [{"id": 1, "image_id": 7, "category_id": 1, "bbox": [1, 1, 4, 4],
                         "area": 16, "iscrowd": 0,
                         "boxmix": {"from": "base", "visibility": 1, "source_annotation_id": 3}}],
        "categories": cats,
    }
    put(d, "boxmix-output", json.dumps(boxmix, indent=1))
    put(d, "minimal", '{"images":[],"annotations":[],"categories":[]}')
    vec = [v for v in rle_vectors() if v[0] == "M" and int(v[1]) * int(v[2]) > 0][:3]
    anns, imgs = [], []
    for i, v in enumerate(vec):
        h, w, counts = int(v[1]), int(v[2]), v[4]
        imgs.append({"id": i + 1, "file_name": "%d.png" % i, "width": w, "height": h})
        anns.append({"id": i + 1, "image_id": i + 1, "category_id": 1, "iscrowd": 1,
                     "bbox": [float(x) for x in v[6:10]], "area": int(v[5]),
                     "segmentation": {"size": [h, w], "counts": counts}})
    put(d, "rle-strings", json.dumps({"images": imgs, "annotations": anns, "categories": cats}))


# ---- check ----

def check():
    """The checker also replays corpus/coco; these are the shapes only it cares
    about: sections in another order, records it must keep going after."""
    d = reset("check")
    cats = [{"id": 1, "name": "a"}, {"id": 1, "name": "again"}]
    reordered = ('{"annotations":[{"id":1,"image_id":"x","category_id":1,"bbox":[1,1,4,4],'
                 '"area":16,"iscrowd":0,"segmentation":[[1,1,5,1,5,5,1,5]]},'
                 '{"id":1,"image_id":"y","category_id":9,"bbox":[0,0,50,5],"area":1e999},'
                 '{"id":2,"image_id":7,"category_id":1,"bbox":[0,0,2,2],"bbox":[0,0,3,3]}],'
                 '"info":null,"images":[{"id":"x","file_name":"../x.jpg","width":10,"height":10},'
                 '{"id":7,"file_name":"x.jpg","width":10,"height":"10"}],'
                 '"categories":' + json.dumps(cats) + ',"licenses":[{"id":1}]}')
    put(d, "sections-reordered", reordered)
    put(d, "annotations-only", '{"annotations":[{"id":1}],"extra":{"a":[1,2,{"b":-0.0}]}}')


# ---- voc ----

def voc():
    d = reset("voc")
    for p in sorted(glob.glob(os.path.join(ROOT, "samples", "voc", "Annotations", "*.xml")))[:3]:
        put(d, "samples-" + os.path.basename(p), read(p))
    for p in sorted(glob.glob(os.path.join(ROOT, "tests", "data", "voc", "*.xml"))):
        put(d, "data-" + os.path.basename(p), read(p))
    for case, p in bad_cases("voc-*/voc/Annotations/*.xml"):
        put(d, "bad-%s-%s" % (case, os.path.basename(p)), read(p))
    put(d, "no-size.xml", """<annotation>
  <filename>fuzz.jpg</filename>
  <object><name>cat</name><truncated>1</truncated><difficult>0</difficult>
    <bndbox><xmin>1</xmin><ymin>1</ymin><xmax>4</xmax><ymax>3</ymax></bndbox></object>
</annotation>
""")
    put(d, "renamed.xml", """<annotation>
  <filename>elsewhere.jpg</filename>
  <size><width>0</width><height>0</height><depth>3</depth></size>
  <object><name>dog</name><bndbox><xmin>2.5</xmin><ymin>1</ymin><xmax>5</xmax><ymax>2</ymax></bndbox></object>
</annotation>
""")


# ---- rle_string ----

def rle_header(h, w, flags=0, rect=(0, 0, 0, 0), rh=7, rw=5):
    return struct.pack(">HHB4hBB", h, w, flags, *rect, rh, rw)


def rle_string():
    d = reset("rle_string")
    vec = [v for v in rle_vectors() if v[0] in ("M", "P")]
    picked = vec[::12][:30]
    for i, v in enumerate(picked):
        h, w = int(v[1]), int(v[2])
        counts = v[4] if v[0] == "M" else v[4 + 2 * int(v[3])]
        rect = (w // 4, h // 4, w // 2 + 1, h // 2 + 1)
        put(d, "%s-%02d" % (v[0].lower(), i), rle_header(h, w, 0, rect, h // 2 + 1, w + 3) + counts.encode())
    put(d, "empty-size", rle_header(0, 0))
    put(d, "huge", rle_header(65535, 65535, 1) + b"0")
    put(d, "bad-char", rle_header(3, 3) + b"1 2")
    put(d, "truncated", rle_header(3, 3) + b"1o")
    put(d, "too-long", rle_header(3, 3) + b"ooooooooo1")


# ---- polygon ----

def poly_bytes(mode, h, w, rect, rings):
    def num(x):
        m = mode & 3
        if m == 0:
            return struct.pack(">h", max(-32768, min(32767, int(round(x * 16)))))
        if m == 1:
            return struct.pack(">h", max(-32768, min(32767, int(round(x)))))
        if m == 2:
            return struct.pack(">d", x)
        return struct.pack(">B", max(0, min(255, int(round(x * 4)))))
    out = struct.pack(">BBB", mode, h - 1, w - 1)
    out += b"".join(num(x) for x in rect)
    out += struct.pack(">B", len(rings) - 1)
    for ring in rings:
        out += struct.pack(">B", len(ring) // 2)
        out += b"".join(num(x) for x in ring)
    return out


def polygon():
    d = reset("polygon")
    vec = [v for v in rle_vectors() if v[0] in ("P", "S")]
    for i, v in enumerate(vec[::20][:16]):
        h, w = min(int(v[1]), 256), min(int(v[2]), 256)
        if v[0] == "P":
            k = int(v[3])
            rings = [[float(x) for x in v[4:4 + 2 * k]]]
        else:
            r = int(v[3])
            rings, p = [], 4
            for _ in range(r):
                k = int(v[p])
                rings.append([float(x) for x in v[p + 1:p + 1 + 2 * k]])
                p += 1 + 2 * k
        rings = [ring[:94] for ring in rings][:4]
        rect = [w * 0.25, h * 0.2, w * 0.5, h * 0.5]
        mode = [0, 2, 4 | 0, 8 | 2][i % 4]
        put(d, "%s-%02d" % (v[0].lower(), i), poly_bytes(mode, h, w, rect, rings))
    square = [2, 2, 30, 2, 30, 30, 2, 30]
    put(d, "square-int", poly_bytes(1, 32, 32, [10, 10, 8, 8], [square]))
    put(d, "square-small", poly_bytes(3, 64, 64, [1, 1, 20, 20], [[x / 2 for x in square]]))
    put(d, "bowtie", poly_bytes(2 | 4, 20, 20, [5, 0, 10, 20], [[0, 0, 20, 20, 20, 0, 0, 20]]))
    put(d, "outside", poly_bytes(2 | 8, 10, 10, [-5, -5, 30, 30], [[-50, -50, 100, -40, 60, 90]]))
    put(d, "nan", poly_bytes(2, 10, 10, [0, 0, 5, 5], [[0, 0, float("nan"), 1, 3, 3]]))
    put(d, "inf-rect", poly_bytes(2, 10, 10, [0, 0, float("inf"), 5], [[0, 0, 4, 1, 3, 3]]))
    put(d, "huge", poly_bytes(2 | 4, 10, 10, [0, 0, 5, 5], [[0, 0, 1e300, 1, 3, 1e12]]))
    put(d, "multi", poly_bytes(0 | 4 | 8, 40, 40, [10, 10, 20, 20],
                               [square, [5, 5, 35, 5, 20, 35], [0, 0, 1, 0, 0, 1], [15, 15, 16, 15]]))


# ---- image ----

def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_palette(w, h):
    raw = b"".join(b"\x00" + bytes((x + y) % 4 for x in range(w)) for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 3, 0, 0, 0)) +
            png_chunk(b"PLTE", bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9])) +
            png_chunk(b"tRNS", bytes([255, 128])) +
            png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


def tga(w, h):
    head = struct.pack("<BBBHHBHHHHBB", 0, 0, 2, 0, 0, 0, 0, 0, w, h, 24, 0)
    return head + bytes((x * 40 + y * 7) & 255 for y in range(h) for x in range(w * 3))


def gif():
    # 2x2, global palette of 2 colours, one image, LZW minimum code size 2.
    return bytes.fromhex("474946383961020002008000000000ffffff2c00000000020002000002028c0a003b")


def image():
    d = reset("image")
    for name in ("sample_01.jpg", "sample_04.png", "sample_08.jpg"):
        put(d, "samples-" + name, read(os.path.join(ROOT, "samples", "images", name)))
    for p in sorted(glob.glob(os.path.join(ROOT, "tests", "data", "check", "*", "images", "*"))):
        case = os.path.basename(os.path.dirname(os.path.dirname(p)))
        if case in ("image-not-an-image", "image-truncated", "image-size-mismatch"):
            put(d, "check-%s-%s" % (case, os.path.basename(p)), read(p))
    for case, p in bad_cases("*/images/*"):
        put(d, "bad-%s-%s" % (case, os.path.basename(p)), read(p))
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, (12, 17, 3), dtype=np.uint8)
    grey = rgb[:, :, 0].copy()
    rgba = np.dstack([rgb, rgb[:, :, 1]])

    def enc(ext, img, params=()):
        ok, buf = cv2.imencode(ext, img, list(params))
        assert ok
        return buf.tobytes()

    put(d, "rgb.jpg", enc(".jpg", rgb, [cv2.IMWRITE_JPEG_QUALITY, 60]))
    put(d, "grey.jpg", enc(".jpg", grey))
    put(d, "progressive.jpg", enc(".jpg", rgb, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]))
    put(d, "restart.jpg", enc(".jpg", rgb, [cv2.IMWRITE_JPEG_RST_INTERVAL, 1]))
    put(d, "rgb.png", enc(".png", rgb))
    put(d, "grey.png", enc(".png", grey))
    put(d, "rgba.png", enc(".png", rgba))
    put(d, "16bit.png", enc(".png", rgb.astype(np.uint16) * 257))
    put(d, "palette.png", png_palette(9, 5))
    put(d, "rgb.bmp", enc(".bmp", rgb))
    put(d, "grey.bmp", enc(".bmp", grey))
    put(d, "rgb.ppm", enc(".ppm", rgb))
    put(d, "grey.pgm", enc(".pgm", grey))
    put(d, "rgb.tga", tga(5, 4))
    put(d, "tiny.gif", gif())
    put(d, "empty", b"")


# ---- journal ----

JOURNAL_RUN = ('run {"tool":"boxmix-augment","version":"0.1.0","dataset":"8840407416a6468d",'
               '"images":"ee4cf170de8bb088","n_images":3,"count":3,"seed":7,"dry_run":false,'
               '"format":"jpg","quality":90,"include_originals":true,"out_format":"coco"}\n')


def journal():
    """Journals as lib/journal.h describes them: finished, unfinished, cut short by
    a kill, with a line no reader knows, and with output lines repeated by a
    resumed run (a later line of an index replaces an earlier one)."""
    d = reset("journal")
    head = ("boxmix-journal 2\n" + JOURNAL_RUN + "shard 0 1\n"
            "dataset 12855 1796354561.441501365 8840407416a6468d\n"
            "input 0 7679 1796354561.441501365 93125035e49a253a\n"
            "input 1 8209 1796354561.441734060 d609d156384889fd\n"
            "input 2 missing\n")
    originals = ("original 0 7679 93125035e49a253a\n"
                 "original 1 8209 d609d156384889fd\n")
    outputs = ("output 0 10147 0627f968ec3b54b4\n"
               "output 1 10127 857d70bf761aab6e\n"
               "output 2 9048 3c35264c4a0c303f\n")
    put(d, "finished", head + originals + outputs + "done 19377 9542f946513c3c5a\n")
    put(d, "unfinished", head + "output 1 10127 857d70bf761aab6e\noutput 0 10147 0627f968ec3b54b4\n")
    put(d, "cut-mid-line", head + "output 1 10127 857d70bf761aab6e\noutput 0 101")
    put(d, "bad-line", head + originals + "outptu 0 10147 0627f968ec3b54b4\n" + outputs + "done\n")
    put(d, "repeated-outputs", head +
        "output 2 9048 3c35264c4a0c303f\n"
        "output 0 1 0000000000000001\n"
        "output 1 10127 857d70bf761aab6e\n"
        "output 0 10147 0627f968ec3b54b4\n"
        "output 2 9 0000000000000009\n"
        "original 1 8209 d609d156384889fd\n"
        "original 1 8209 d609d156384889fd\n"
        "done 19377 9542f946513c3c5a\n")
    put(d, "convert-done-no-hash", "boxmix-journal 2\n"
        'run {"tool":"boxmix-convert","version":"0.1.0","out_format":"voc"}\n'
        "shard 1 2\ndone\n")
    put(d, "old-version", "boxmix-journal 1\nrun {}\ndone\n")


# ---- keypoints (coco and check) ----

KP_SAMPLE = os.path.join(ROOT, "samples", "keypoints", "annotations.json")


def keep(target):
    """The target's folder, for seeds added next to the ones already there (its
    other seeds are neither removed nor rewritten)."""
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    _seen.setdefault(d, set())
    return d


def kp_sample(image_ids):
    """samples/keypoints cut down to the given images and their annotations."""
    with open(KP_SAMPLE) as f:
        doc = json.load(f)
    doc["images"] = [im for im in doc["images"] if im["id"] in image_ids]
    doc["annotations"] = [a for a in doc["annotations"] if a["image_id"] in image_ids]
    return doc


def kp_broken(change):
    """The one-image sample (320x240, two people, 17 keypoints each) with one rule
    of keypoints.h / coco_rule_keypoints.c broken by change(doc)."""
    doc = kp_sample({1})
    change(doc)
    return json.dumps(doc)


def kp_set(i, value, field="keypoints", ann=0):
    def change(doc):
        doc["annotations"][ann][field][i] = value
    return change


def kp_field(field, value, ann=0):
    def change(doc):
        doc["annotations"][ann][field] = value
    return change


def kp_cat(field, value):
    def change(doc):
        doc["categories"][0][field] = value
    return change


def keypoints():
    """Seeds named seed-keypoints-*: the keypoint sample trimmed to one or two
    images, every rule of lib/model/keypoints.h and of the reader's structure
    (lib/formats/coco_rule_keypoints.c) broken once, and for the checker documents that
    break several at once in any section order. Only adds files: run it after
    coco() and check(), or on its own to make just these."""
    d = keep("coco")
    put(d, "keypoints-sample", json.dumps(kp_sample({1, 2}), indent=1))
    put(d, "keypoints-sample-one", json.dumps(kp_sample({1})))
    # Errors of the rules, in the first annotation (point 0 is (105, 36) v=2).
    put(d, "keypoints-count-short", kp_broken(lambda doc: doc["annotations"][0]["keypoints"].pop()))
    put(d, "keypoints-count-extra-triple",
        kp_broken(lambda doc: doc["annotations"][0]["keypoints"].extend([1, 1, 2])))
    put(d, "keypoints-visibility-3", kp_broken(kp_set(2, 3)))
    put(d, "keypoints-visibility-fraction", kp_broken(kp_set(2, 1.5)))
    put(d, "keypoints-num-wrong", kp_broken(kp_field("num_keypoints", 16)))
    put(d, "keypoints-num-fraction", kp_broken(kp_field("num_keypoints", 16.5)))
    put(d, "keypoints-num-negative", kp_broken(kp_field("num_keypoints", -1)))
    put(d, "keypoints-num-string", kp_broken(kp_field("num_keypoints", "17")))
    put(d, "keypoints-num-huge", kp_broken(kp_field("num_keypoints", 1e10)))
    put(d, "keypoints-outside-image-x", kp_broken(kp_set(0, 320)))  # x < W, half-open
    put(d, "keypoints-outside-image-y", kp_broken(kp_set(1, -0.5)))
    put(d, "keypoints-not-a-list", kp_broken(kp_field("keypoints", "105,36,2")))
    put(d, "keypoints-item-string", kp_broken(kp_set(3, "111")))
    put(d, "keypoints-item-null", kp_broken(kp_set(4, None)))
    put(d, "keypoints-item-huge", kp_broken(kp_set(0, 1e308)))
    # Warnings only: the reader takes these.
    put(d, "keypoints-unlabelled-not-origin",
        kp_broken(lambda doc: doc["annotations"][0]["keypoints"].__setitem__(slice(0, 3), [50, 60, 0])
                  or doc["annotations"][0].__setitem__("num_keypoints", 16)))
    put(d, "keypoints-unlabelled-far",
        kp_broken(lambda doc: doc["annotations"][0]["keypoints"].__setitem__(slice(0, 3), [-1e300, 1e300, 0])
                  or doc["annotations"][0].__setitem__("num_keypoints", 16)))
    put(d, "keypoints-outside-box", kp_broken(kp_set(0, 300)))
    # The category's names and skeleton.
    put(d, "keypoints-skeleton-out-of-range", kp_broken(kp_cat("skeleton", [[16, 14], [17, 18]])))
    put(d, "keypoints-skeleton-zero", kp_broken(kp_cat("skeleton", [[0, 1]])))
    put(d, "keypoints-skeleton-fraction", kp_broken(kp_cat("skeleton", [[1.5, 2]])))
    put(d, "keypoints-skeleton-triple", kp_broken(kp_cat("skeleton", [[1, 2, 3]])))
    put(d, "keypoints-skeleton-not-a-list", kp_broken(kp_cat("skeleton", {"1": 2})))
    put(d, "keypoints-skeleton-empty", kp_broken(kp_cat("skeleton", [])))
    put(d, "keypoints-names-not-a-list", kp_broken(kp_cat("keypoints", "nose")))
    put(d, "keypoints-names-empty",
        kp_broken(lambda doc: doc["categories"][0].update(keypoints=[], skeleton=[])))
    # A category that names no keypoints takes any whole number of triples.
    put(d, "keypoints-category-without-names", json.dumps({
        "images": [{"id": 1, "file_name": "a.jpg", "width": 40, "height": 30}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [2, 2, 20, 20], "area": 400,
             "iscrowd": 0, "keypoints": [3, 4, 2, 0, 0, 0, 39.5, 29.5, 1]},
            {"id": 2, "image_id": 1, "category_id": 1, "bbox": [2, 2, 20, 20], "area": 400,
             "iscrowd": 0, "keypoints": [], "num_keypoints": 0},
            {"id": 3, "image_id": 1, "category_id": 2, "bbox": [2, 2, 20, 20], "area": 400,
             "iscrowd": 0, "keypoints": [3, 4, 2, 5], "num_keypoints": 1}],
        "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b", "keypoints": None}]}))

    d = keep("check")
    # Kept as first committed (by hand, in e88e70b).
    put(d, "keypoints-many-problems",
        read(os.path.join(ROOT, "tests", "data", "check", "keypoints-many-problems", "annotations.json")))
    put(d, "keypoints-sections-reordered", json.dumps({
        "annotations": [
            {"id": 1, "image_id": "p", "category_id": 1, "bbox": [10, 10, 60, 50], "area": 3000,
             "iscrowd": 0, "num_keypoints": 2, "keypoints": [20, 20, 2, 30, 30, 1, 0, 0, 0]},
            {"id": 2, "image_id": "p", "category_id": 2, "bbox": [10, 10, 60, 50], "area": 3000,
             "iscrowd": 0, "keypoints": [20, 20, 2, 5, 5, 0]},
            {"id": 3, "image_id": "q", "category_id": 1, "bbox": [0, 0, 5, 5], "area": 25,
             "iscrowd": 0, "num_keypoints": 1, "keypoints": [1, 1, 2, 200, 2, 1, 3, 3, 7]}],
        "images": [{"id": "p", "file_name": "p.jpg", "width": 100, "height": 80}],
        "categories": [{"id": 1, "name": "person", "keypoints": ["a", "b", "c"],
                        "skeleton": [[1, 2], [2, 3], [3, 4]]},
                       {"id": 2, "name": "thing", "skeleton": []}]}))
    # Every rule broken once, one annotation each, categories after annotations.
    doc = kp_sample({1, 2})
    anns = doc["annotations"]
    anns[0]["keypoints"].pop()
    anns[1]["keypoints"][5] = 3
    anns[2]["num_keypoints"] = 3
    anns[3]["keypoints"][0] = 1000
    anns[4]["keypoints"][3:6] = [7, 8, 0]
    anns[4]["num_keypoints"] -= 1
    anns[4]["keypoints"][6] = 1
    anns.append(dict(anns[0], id=100, keypoints={"x": 1}))
    anns.append(dict(anns[0], id=101, keypoints=[1, 2, 2] * 17, num_keypoints="17"))
    cats = [dict(doc["categories"][0], skeleton=doc["categories"][0]["skeleton"] + [[18, 1], [2]])]
    reordered = {"annotations": anns, "images": doc["images"], "categories": cats}
    put(d, "keypoints-every-rule", json.dumps(reordered, indent=1))
    # Keypoints whose category or image the checker cannot place: an unknown
    # image, an unknown category, a category id given twice with other counts, a
    # category whose names are not a list.
    put(d, "keypoints-unplaced", json.dumps({
        "categories": [{"id": 1, "name": "a", "keypoints": ["p", "q"], "skeleton": [[1, 2]]},
                       {"id": 1, "name": "a2", "keypoints": ["p"]},
                       {"id": 2, "name": "b", "keypoints": 2, "skeleton": [[1, 2], [0, 9]]},
                       {"id": 3, "name": "c", "skeleton": [[1, 1]]}],
        "annotations": [
            {"id": 1, "image_id": 9, "category_id": 1, "bbox": [0, 0, 4, 4], "area": 16,
             "iscrowd": 0, "keypoints": [1, 1, 2, 99999, 5, 2], "num_keypoints": 2},
            {"id": 2, "image_id": 1, "category_id": 7, "bbox": [0, 0, 4, 4], "area": 16,
             "iscrowd": 0, "keypoints": [1, 1, 2]},
            {"id": 3, "image_id": 1, "category_id": 2, "bbox": [0, 0, 4, 4], "area": 16,
             "iscrowd": 0, "keypoints": [1, 1, 2, 2, 2, 1, 3, 3, 1], "num_keypoints": 3},
            {"id": 4, "image_id": "1", "category_id": 1, "bbox": [0, 0, 4, 4], "area": 16,
             "iscrowd": 0, "keypoints": [1, 1, 2, 0, 0, 0], "num_keypoints": 1}],
        "images": [{"id": 1, "file_name": "a.jpg", "width": 8, "height": 8},
                   {"id": 2, "file_name": "b.jpg", "width": 0, "height": 8}]}))


# Hand-made YOLO seeds: each kind of row and document the readers must take or refuse.
YOLO_ROWS = {
    "detect": (4, 1, b"0 0.5 0.5 0.2 0.4\n3 0.1 0.2 0.05 0.06\n"),
    "segment": (1, 1, b"1 0.1 0.1 0.5 0.1 0.5 0.5\n0 0.2 0.2 0.3 0.2 0.3 0.3 0.2 0.3\n"),
    "mixed": (1, 1, b"0 0.5 0.5 0.2 0.2\n1 0.1 0.1 0.5 0.1 0.5 0.5\n"),
    "class-range": (4, 1, b"0 0.5 0.5 0.2 0.2\n7 0.5 0.5 0.2 0.2\n"),
    "odd-count": (0, 1, b"0 0.5 0.5 0.2 0.2 0.3\n"),
    "nan": (0, 1, b"0 nan 0.5 0.2 0.2\n0 0.5 inf 0.2 0.2\n"),
    "clamp": (0, 0, b"0 1.005 -0.01 0.2 0.2\n0 1.02 0.5 0.1 0.1\n"),
    "crlf-bom": (1, 1, b"\xef\xbb\xbf0 0.5 0.5 0.2 0.2\r\n1 0.25 0.75 0.1 0.3\r\n\r\n"),
    "duplicates": (1, 1, b"0 0.5 0.5 0.2 0.2\n0 0.50 0.5 2e-1 0.2\n"),
    "limits": (0, 7, b"0 0.5 0.5 0.2 0.2\n0 0.4 0.5 0.2 0.2\n0 0.3 0.5 0.2 0.2\n0 0.2 0.5 0.2 0.2\n"
                     b"0 0.1 0.1 0.5 0.1 0.5 0.5 0.1 0.5 0.3 0.3\n"),
    "no-area": (0, 1, b"0 0.5 0.5 0 0.2\n"),
}
YOLO_YAML = {
    "coco8": b"path: ../datasets/coco8\ntrain: images/train\nval: images/val\ntest:\nnames:\n"
             b"  0: person\n  1: bicycle\n  2: car\n",
    "list-names": b"train: [images/a, list.txt]\nval: images/val\nnc: 3\nnames: ['a', \"b\\tc\", c]\n",
    "roboflow": b"train: ../train/images\nval: ../valid/images\ntest: ../test/images\n\nnc: 2\n"
                b"names: ['a', 'b']\n\nroboflow:\n  workspace: w\n  project: p\n  version: 1\n"
                b"  license: CC BY 4.0\n  url: https://x/y\n",
    "bomb": b"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
            b"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
            b"names: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
    "nc-mismatch": b"train: a\nnc: 3\nnames: [a, b]\n",
    "missing-names": b"train: a\nval: b\nnc: 2\n",
    "bom-crlf": b"\xef\xbb\xbftrain: a\r\nnames:\r\n  1: dog\r\n  0: cat\r\n",
    "deep": b"names: " + b"[" * 40 + b"a" + b"]" * 40 + b"\n",
}


def yolo_rows():
    """fuzz_yolo_rows: (nc - 1, flags) then a label file: the samples' label files,
    the bad-input corpus's, and the hand-made ones."""
    d = reset("yolo_rows")
    for task in ("detect", "segment"):
        labels = os.path.join(ROOT, "samples", "yolo", task, "labels", "train")
        for name in sorted(os.listdir(labels)):
            with open(os.path.join(labels, name), "rb") as f:
                put(d, "sample-%s-%s" % (task, os.path.splitext(name)[0]), bytes([3, 1]) + f.read())
    for path in sorted(glob.glob(os.path.join(BAD, "yolo-*", "labels", "train", "a.txt"))):
        with open(path, "rb") as f:
            put(d, "bad-" + os.path.basename(os.path.dirname(os.path.dirname(os.path.dirname(path)))),
                bytes([1, 1]) + f.read())
    for name, (nc1, flags, text) in YOLO_ROWS.items():
        put(d, name, bytes([nc1, flags]) + text)


def yolo_yaml():
    """fuzz_yolo_yaml: the samples' data.yaml files, the bad-input corpus's, the
    hand-made ones."""
    d = reset("yolo_yaml")
    for task in ("detect", "segment"):
        with open(os.path.join(ROOT, "samples", "yolo", task, "data.yaml"), "rb") as f:
            put(d, "sample-" + task, f.read())
    for path in sorted(glob.glob(os.path.join(BAD, "yolo-*", "**", "data.yaml"), recursive=True)):
        with open(path, "rb") as f:
            put(d, "bad-" + os.path.relpath(path, BAD).split(os.sep)[0], f.read())
    for name, text in YOLO_YAML.items():
        put(d, name, text)


DECISION = {"output": 0, "image_id": 1, "file_name": "cutmix_000000.jpg", "from": "base",
            "input_image_id": 1, "source_annotation_id": 6, "category_id": 2, "category": "disc",
            "iscrowd": 0, "visibility": 0.7583333333333333, "visible_area": 2730,
            "bbox_before": [238.5, 16.5, 60, 60], "bbox": [253, 16.5, 45.5, 60],
            "decision": "clipped", "rule": None}


def decisions():
    """fuzz_decisions: decision-log lines of each kind and rule, alone and together,
    and lines one field wrong."""
    d = reset("decisions")
    line = lambda **kw: json.dumps(dict(DECISION, **kw), separators=(",", ":"))  # noqa: E731
    good = [line(), line(decision="kept", visibility=1, bbox=[238.5, 16.5, 60, 60]),
            line(output=3, image_id=4, **{"from": "source"})]
    for rule in ("min_visibility", "min_area", "min_size", "no-area"):
        good.append(line(decision="dropped", rule=rule, visibility=0.01))
    good.append(line(decision="dropped", rule="no-area", visibility=0, visible_area=0, bbox=None))
    for i, g in enumerate(good):
        put(d, "line-%d" % i, g + "\n")
    put(d, "all", "\n".join(good) + "\n")
    put(d, "no-final-newline", "\n".join(good))
    wrong = {"visibility-2": line(visibility=2), "rule-when-kept": line(rule="min_area"),
             "from-other": line(**{"from": "tile"}), "bbox-3": line(bbox=[1, 2, 3]),
             "iscrowd-2": line(iscrowd=2), "output-neg": line(output=-1),
             "image-id-frac": line(image_id=1.5), "not-object": "[1,2,3]",
             "cut-short": line()[:60], "empty-line": line() + "\n\n" + line() + "\n"}
    for name, text in wrong.items():
        put(d, "bad-" + name, text + "\n")


def recipe():
    """fuzz_recipe: recipes with every operation and parameter, and ones a field
    wrong."""
    d = reset("recipe")
    every = [{"op": "cutmix", "weight": 2, "alpha": 0.5, "placement": "source-object",
              "tries": 3, "source_fit": "crop", "min_visibility": 0.2, "min_area": 4,
              "min_size": 1, "mask_format": "rle", "cut_ratio": [0.2, 0.6]},
             {"op": "cutout", "holes": 4, "fill": [1, 2, 3]},
             {"op": "cutout", "fill": "noise"},
             {"op": "mixup", "mix_alpha": 8, "mix_ratio": 0.25, "source_fit": "letterbox"},
             {"op": "mosaic", "mosaic_size": 320, "mask_format": "polygon"},
             {"op": "copypaste", "paste_prob": 1, "weight": 0.5}]
    put(d, "every", json.dumps({"operations": every}, indent=1))
    for i, e in enumerate(every):
        put(d, "one-%d" % i, json.dumps({"operations": [e]}))
    wrong = {"unknown-op": [{"op": "blur"}], "unknown-key": [{"op": "cutout", "x": 1}],
             "holes-0": [{"op": "cutout", "holes": 0}], "crop-mixup": [{"op": "mixup", "source_fit": "crop"}],
             "weight-neg": [{"op": "mixup", "weight": -1}], "size-8": [{"op": "mosaic", "mosaic_size": 8}],
             "fill-4": [{"op": "cutout", "fill": [1, 2, 3, 4]}], "not-object": [3],
             "misplaced": [{"op": "mixup", "holes": 2}], "empty": []}
    for name, ops in wrong.items():
        put(d, "bad-" + name, json.dumps({"operations": ops}))
    put(d, "bad-root", "[]")
    put(d, "bad-trailing", json.dumps({"operations": every[:1]}) + " x")


# ---- the CutMix family's records (check and decisions) ----

def family():
    """The records of every operation (tests/ops_records.py) for the checker, whole
    and with their fields broken, and their decision log's lines (input, from tile)."""
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    import copy
    import ops_records
    d = keep("check")
    doc = ops_records.ops_dataset()
    put(d, "family-records", json.dumps(doc))
    broken = copy.deepcopy(doc)
    broken["images"][0]["boxmix"]["holes"][1] = [100, 40, 30, 20]
    broken["images"][2]["boxmix"]["tiles"][1]["rect"] = [90, 0, 40, 70]
    broken["images"][2]["boxmix"]["centre"] = [1, 1]
    broken["images"][4]["boxmix"]["placement"] = 3
    del broken["annotations"][3]["boxmix"]["tile"]
    broken["annotations"][1]["boxmix"]["weight"] = 2
    broken["annotations"][4]["boxmix"]["from"] = "base"
    put(d, "family-records-broken", json.dumps(broken))
    d = keep("decisions")
    lines = [json.dumps(x) for x in ops_records.decision_lines()]
    put(d, "family-lines", "\n".join(lines) + "\n")
    tile = ops_records.decision_lines()[4]
    del tile["input"]
    put(d, "bad-family-tile-without-input", json.dumps(tile) + "\n")
def object_mask():
    """fuzz_object_mask: each object kind (polygons in i16 / 16 or any double, RLE
    bits, a bare box) in images of 4..39 px, with a random mask and a band across
    it; the mode's other bits (mask format, min_size, crowd) varied."""
    d = reset("object_mask")
    rnd = random.Random(18)

    def i16(v):
        return struct.pack(">h", int(v))

    def bits(values):
        return bytes(sum(values[i + j] << j for j in range(8) if i + j < len(values))
                     for i in range(0, len(values), 8))

    for k in range(16):
        mode = (k % 4) | (rnd.randrange(4) << 2) | (rnd.randrange(4) << 4) | ((k // 8) << 6)
        h, w = rnd.randrange(4, 40), rnd.randrange(4, 40)
        b = bytes([mode, h - 1, w - 1])
        kind = mode & 3
        if kind in (0, 1):
            rings = rnd.randrange(1, 3)
            b += bytes([rings - 1])
            for _ in range(rings):
                v = rnd.randrange(3, 9)
                b += bytes([v - 3])
                for _ in range(v):
                    x, y = rnd.uniform(-2, w + 2), rnd.uniform(-2, h + 2)
                    if kind == 0:
                        b += i16(x * 16) + i16(y * 16)
                    else:
                        b += struct.pack(">d", x if k != 5 else float("nan")) + struct.pack(">d", y)
        elif kind == 2:
            x0, y0 = rnd.randrange(w), rnd.randrange(h)
            b += bits([1 if x0 <= i // h < x0 + w // 2 and y0 <= i % h < y0 + h // 2 else 0
                       for i in range(h * w)])
        else:
            b += (i16(rnd.uniform(0, w) * 16) + i16(rnd.uniform(0, h) * 16) +
                  i16(rnd.uniform(1, w) * 16) + i16(rnd.uniform(1, h) * 16))
        b += bits([1 if rnd.random() < 0.3 or (w // 3 <= i // h < w // 2) else 0
                   for i in range(h * w)])
        put(d, "%02d" % k, b)


def main():
    coco()
    check()
    keypoints()
    voc()
    rle_string()
    polygon()
    image()
    journal()
    yolo_rows()
    yolo_yaml()
    decisions()
    recipe()
    family()
    object_mask()


if __name__ == "__main__":
    main()
