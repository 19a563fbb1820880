#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of YOLO (Ultralytics) datasets through every built tool.

Usage: e2e_yolo.py TOOLS_DIR SOURCE_ROOT
Prints TAP. Checks, on samples/ and on masks made here:
- COCO -> YOLO gives samples/yolo/ (made independently by samples/make_samples.py)
  and rows computed here with Ultralytics' convert_coco formulas;
- round trips YOLO -> COCO -> YOLO (segment and detect) give back the same rows
  (numbers equal to 6 significant digits), YOLO <-> VOC run both ways;
- masks: two rings, RLE (array and string), a mask with a hole, a crowd region: the
  written polygon's area equals the mask's (the bridge adds none; a hole is filled)
  and its COCO-API rasterisation equals the mask's pixels (coco_rle.py, an
  independent COCO RLE);
- every COCO file written from YOLO input passes the JSON Schema;
- boxmix-augment --yolo (YOLO output by default, COCO and VOC on request, dry run,
  shards joined by boxmix-merge, an interrupted run resumed), boxmix-draw --yolo,
  boxmix-check --yolo;
- the folder form (--yolo DIR --names FILE), images without a label file counted.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

TOOLS, ROOT = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.dont_write_bytecode = True
import coco_rle  # noqa: E402

SAMPLES = os.path.join(ROOT, "samples")
SAMPLES_JSON = os.path.join(SAMPLES, "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(SAMPLES, "images")
YOLO_SEG = os.path.join(SAMPLES, "yolo", "segment")
YOLO_DET = os.path.join(SAMPLES, "yolo", "detect")
SCHEMA_CHECK = os.path.join(ROOT, "tests", "check_schema.py")
IN_SCHEMA = os.path.join(ROOT, "schemas", "coco-input.schema.json")
OUT_SCHEMA = os.path.join(ROOT, "schemas", "coco-output.schema.json")

results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(tool, *args):
    p = subprocess.run([os.path.join(TOOLS, "boxmix-" + tool), *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def schema_ok(schema, path):
    p = subprocess.run(["/usr/bin/python3", SCHEMA_CHECK, schema, path], capture_output=True, text=True)
    return p.returncode == 0, p.stdout + p.stderr


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def labels(root, split="train"):
    d = os.path.join(root, "labels", split)
    return {n: read(os.path.join(d, n)) for n in sorted(os.listdir(d))}


def same_to_6_digits(a, b):
    """Every row of a and b: the same class and numbers equal to 6 significant digits."""
    ra, rb = a.splitlines(), b.splitlines()
    if len(ra) != len(rb):
        return False
    for x, y in zip(ra, rb):
        fx, fy = x.split(), y.split()
        if len(fx) != len(fy) or fx[0] != fy[0]:
            return False
        for u, v in zip(fx[1:], fy[1:]):
            if float("%.6g" % float(u)) != float("%.6g" % float(v)):
                return False
    return True


def g(v):
    return "%g" % v


def convert_coco_rows(coco):
    """Ultralytics' convert_coco (use_segments=False, cls91to80=False): box[:2] +=
    box[2:] / 2; box[[0, 2]] /= w; box[[1, 3]] /= h; class = category_id - 1 (here the
    ids are 1..n); crowd annotations skipped; rows written with "%g"."""
    size = {im["id"]: (im["width"], im["height"]) for im in coco["images"]}
    rows = {im["file_name"]: [] for im in coco["images"]}
    name = {im["id"]: im["file_name"] for im in coco["images"]}
    for a in coco["annotations"]:
        if a.get("iscrowd", 0):
            continue
        w, h = size[a["image_id"]]
        x, y, bw, bh = a["bbox"]
        box = [(x + bw / 2) / w, (y + bh / 2) / h, bw / w, bh / h]
        rows[name[a["image_id"]]].append(" ".join([str(a["category_id"] - 1)] + [g(v) for v in box]))
    return {os.path.splitext(k)[0] + ".txt": "".join(r + "\n" for r in v) for k, v in rows.items()}


def shoelace(pts):
    n = len(pts)
    return abs(sum(pts[i][0] * pts[(i + 1) % n][1] - pts[(i + 1) % n][0] * pts[i][1]
                   for i in range(n))) / 2


def mask_cases(tmp):
    """A COCO dataset of one 320x240 image with two-ring, RLE and crowd objects."""
    d = os.path.join(tmp, "masks")
    os.makedirs(os.path.join(d, "images"))
    shutil.copy(os.path.join(SAMPLES_IMAGES, "sample_01.jpg"), os.path.join(d, "images", "m.jpg"))
    h, w = 240, 320
    two = np.zeros((h, w), np.uint8)
    two[50:60, 100:110] = 1
    two[70:80, 130:135] = 1
    disc = np.zeros((h, w), np.uint8)
    yy, xx = np.mgrid[0:h, 0:w]
    disc[(xx - 200) ** 2 + (yy - 150) ** 2 <= 30 ** 2] = 1
    holed = np.zeros((h, w), np.uint8)
    holed[10:30, 250:270] = 1
    holed[18:22, 258:262] = 0
    filled = holed.copy()
    filled[18:22, 258:262] = 1
    crowd = np.zeros((h, w), np.uint8)
    crowd[200:230, 10:60] = 1
    rings = [[10, 10, 40, 10, 40, 30, 10, 30], [80, 40, 60, 10, 80, 10]]  # the second turns

    def box(m):
        return coco_rle.to_bbox(coco_rle.encode(m), h, w)
    anns = [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 70, 30], "area": 900,
         "iscrowd": 0, "segmentation": rings},
        {"id": 2, "image_id": 1, "category_id": 2, "bbox": box(two), "area": int(two.sum()),
         "iscrowd": 0, "segmentation": {"size": [h, w], "counts": coco_rle.encode(two)}},
        {"id": 3, "image_id": 1, "category_id": 2, "bbox": box(disc), "area": int(disc.sum()),
         "iscrowd": 0,
         "segmentation": {"size": [h, w], "counts": coco_rle.to_string(coco_rle.encode(disc))}},
        {"id": 4, "image_id": 1, "category_id": 3, "bbox": box(holed), "area": int(holed.sum()),
         "iscrowd": 0, "segmentation": {"size": [h, w], "counts": coco_rle.encode(holed)}},
        {"id": 5, "image_id": 1, "category_id": 1, "bbox": box(crowd), "area": int(crowd.sum()),
         "iscrowd": 1, "segmentation": {"size": [h, w], "counts": coco_rle.encode(crowd)}},
    ]
    coco = {"images": [{"id": 1, "file_name": "m.jpg", "width": w, "height": h}],
            "annotations": anns,
            "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "c"}]}
    with open(os.path.join(d, "annotations.json"), "w") as f:
        json.dump(coco, f)
    union = coco_rle.decode(coco_rle.merge_union([coco_rle.fr_poly(r, h, w) for r in rings], h, w), h, w)
    # (written row, expected area, expected pixels)
    expect = [("two rings", 600 + 300, union), ("RLE array, two parts", int(two.sum()), two),
              ("RLE string", int(disc.sum()), disc), ("RLE with a hole", int(filled.sum()), filled)]
    return d, expect, h, w


def test_masks(tmp):
    d, expect, h, w = mask_cases(tmp)
    out = os.path.join(tmp, "masks-yolo")
    rc, so, se = run("convert", "--annotations", os.path.join(d, "annotations.json"), "--images",
                     os.path.join(d, "images"), "--to", "yolo", "--out", out)
    check("masks: COCO -> YOLO exits 0", rc == 0, se)
    check("masks: segment chosen (masks present)", "as YOLO (segment)" in so, so)
    check("masks: the crowd object is left out, said so", "1 crowd object left out" in se, se)
    check("masks: the hole filled, said so", "1 hole filled" in se, se)
    rows = read(os.path.join(out, "labels", "train", "m.txt")).splitlines()
    check("masks: one row per non-crowd object", len(rows) == 4, rows)
    for (what, area, pixels), row in zip(expect, rows):
        v = [float(t) for t in row.split()[1:]]
        pts = [(v[2 * i] * w, v[2 * i + 1] * h) for i in range(len(v) // 2)]
        exact = [(round(x), round(y)) for x, y in pts]
        check("masks: %s: vertices on pixel corners to the printed precision" % what,
              all(abs(x - a) < 2e-3 and abs(y - b) < 2e-3 for (x, y), (a, b) in zip(pts, exact)))
        check("masks: %s: the polygon's area is the mask's (%d)" % (what, area), shoelace(exact) == area,
              "%s != %s" % (shoelace(exact), area))
        ras = coco_rle.decode(coco_rle.fr_poly([c for p in exact for c in p], h, w), h, w)
        check("masks: %s: its rasterisation is the mask's pixels" % what,
              np.array_equal(ras, pixels), "%d pixels differ" % int((ras != pixels).sum()))
    # Back to COCO: schema-valid, the areas those of the polygons.
    back = os.path.join(tmp, "masks-back")
    rc, so, se = run("convert", "--yolo", os.path.join(out, "data.yaml"), "--to", "coco", "--out", back)
    check("masks: YOLO -> COCO exits 0", rc == 0, se)
    ok, msg = schema_ok(IN_SCHEMA, os.path.join(back, "annotations.json"))
    check("masks: the COCO file from YOLO passes the schema", ok, msg)
    anns = json.load(open(os.path.join(back, "annotations.json")))["annotations"]
    check("masks: read back with the areas of the masks",
          [round(a["area"], 2) for a in anns] == [float(e[1]) for e in expect],
          [a["area"] for a in anns])
    # Detect task: the boxes, said that masks were not kept.
    det = os.path.join(tmp, "masks-det")
    rc, so, se = run("convert", "--annotations", os.path.join(d, "annotations.json"), "--images",
                     os.path.join(d, "images"), "--to", "yolo", "--yolo-task", "detect", "--out", det)
    check("masks: --yolo-task detect writes boxes, says masks were dropped",
          rc == 0 and "4 of 5 objects had masks" in se, se)


def test_samples(tmp):
    coco = json.load(open(SAMPLES_JSON))
    seg, det = os.path.join(tmp, "seg"), os.path.join(tmp, "det")
    rc, so, se = run("convert", "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES,
                     "--to", "yolo", "--out", seg)
    check("COCO -> YOLO (no --from: --annotations says it) exits 0", rc == 0, se)
    check("COCO -> YOLO segment equals samples/yolo/segment (made by make_samples.py)",
          labels(seg) == labels(YOLO_SEG))
    check("its data.yaml equals the sample's",
          read(os.path.join(seg, "data.yaml")) == read(os.path.join(YOLO_SEG, "data.yaml")))
    check("images copied to images/train/",
          sorted(os.listdir(os.path.join(seg, "images", "train"))) == sorted(os.listdir(SAMPLES_IMAGES)))
    rc, so, se = run("convert", "--from", "coco", "--annotations", SAMPLES_JSON, "--images",
                     SAMPLES_IMAGES, "--to", "yolo", "--yolo-task", "detect", "--out", det)
    check("COCO -> YOLO detect exits 0", rc == 0, se)
    check("COCO -> YOLO detect equals samples/yolo/detect", labels(det) == labels(YOLO_DET))
    check("COCO -> YOLO detect rows are Ultralytics' convert_coco rows (hand formula)",
          labels(det) == convert_coco_rows(coco))
    # Round trips.
    for tag, src in (("segment", YOLO_SEG), ("detect", YOLO_DET)):
        c = os.path.join(tmp, tag + "-coco")
        y = os.path.join(tmp, tag + "-coco-yolo")
        rc, so, se = run("convert", "--yolo", os.path.join(src, "data.yaml"), "--to", "coco", "--out", c)
        check("YOLO %s -> COCO exits 0" % tag, rc == 0, se)
        ok, msg = schema_ok(IN_SCHEMA, os.path.join(c, "annotations.json"))
        check("YOLO %s -> COCO passes the schema" % tag, ok, msg)
        rc, so, se = run("convert", "--annotations", os.path.join(c, "annotations.json"), "--images",
                         os.path.join(c, "images"), "--to", "yolo", "--out", y,
                         *(["--yolo-task", "detect"] if tag == "detect" else []))
        check("YOLO %s -> COCO -> YOLO exits 0" % tag, rc == 0, se)
        a, b = labels(src), labels(y)
        check("YOLO %s -> COCO -> YOLO: the same rows, numbers equal to 6 significant digits" % tag,
              a.keys() == b.keys() and all(same_to_6_digits(a[k], b[k]) for k in a))
        check("YOLO %s -> COCO -> YOLO: the same bytes" % tag, a == b)
        v = os.path.join(tmp, tag + "-voc")
        rc, so, se = run("convert", "--yolo", os.path.join(src, "data.yaml"), "--to", "voc", "--out", v)
        check("YOLO %s -> VOC exits 0" % tag, rc == 0 and len(os.listdir(os.path.join(v, "Annotations"))) == 8, se)
        vy = os.path.join(tmp, tag + "-voc-yolo")
        rc, so, se = run("convert", "--voc", v, "--to", "yolo", "--out", vy)
        check("VOC -> YOLO exits 0, one label file per image",
              rc == 0 and len(labels(vy)) == 8, se)
    # The folder form, and an image without its label file.
    names = os.path.join(tmp, "names.txt")
    with open(names, "w") as f:
        f.write("rectangle\ndisc\ntriangle\nstar\n")
    fc = os.path.join(tmp, "folder-coco")
    rc, so, se = run("convert", "--yolo", YOLO_DET, "--names", names, "--split", "train", "--to", "coco",
                     "--out", fc)
    check("--yolo DIR --names FILE reads the folder form", rc == 0, se)
    a = json.load(open(os.path.join(fc, "annotations.json")))
    b = json.load(open(os.path.join(tmp, "detect-coco", "annotations.json")))
    check("the folder form reads as the data.yaml does", a == b)
    rc, so, se = run("convert", "--yolo", YOLO_DET, "--to", "coco", "--out", os.path.join(tmp, "x"))
    check("a folder without --names is refused, saying so", rc == 1 and "--names FILE" in se, se)
    partial = os.path.join(tmp, "partial")
    shutil.copytree(YOLO_DET, partial)
    os.remove(os.path.join(partial, "labels", "train", "sample_03.txt"))
    rc, so, se = run("convert", "--yolo", os.path.join(partial, "data.yaml"), "--to", "coco", "--out",
                     os.path.join(tmp, "partial-coco"))
    check("an image without a label file is an image without objects, counted",
          rc == 0 and "1 of 8 images have no label file" in se, se)
    rc, so, se = run("check", "--yolo", os.path.join(YOLO_SEG, "data.yaml"))
    check("boxmix-check --yolo samples/yolo/segment: no problem",
          rc == 0 and "0 errors, 0 warnings in 8 images, 40 annotations" in so, so + se)
    rc, so, se = run("check", "--yolo", YOLO_DET, "--names", names, "--json")
    check("boxmix-check --yolo DIR --names: no problem, JSON summary",
          rc == 0 and '"errors":0' in so, so + se)


def test_tools(tmp):
    data = os.path.join(YOLO_SEG, "data.yaml")
    out = os.path.join(tmp, "aug")
    rc, so, se = run("augment", "--yolo", data, "--out", out, "--per-image", "2", "--seed", "7",
                     "--threads", "2")
    check("augment --yolo exits 0", rc == 0, se)
    check("augment --yolo writes YOLO by default: images/train, labels/train, data.yaml",
          len(os.listdir(os.path.join(out, "images", "train"))) == 16 and len(labels(out)) == 16
          and os.path.exists(os.path.join(out, "data.yaml")), so)
    rc, so, se = run("check", "--yolo", os.path.join(out, "data.yaml"))
    check("its output checks clean", rc == 0 and " 0 errors" in so, so)
    coco_out = os.path.join(tmp, "aug-coco")
    rc, so, se = run("augment", "--yolo", data, "--out", coco_out, "--per-image", "2", "--seed", "7",
                     "--out-format", "coco", "--include-originals")
    check("augment --yolo --out-format coco exits 0", rc == 0, se)
    ok, msg = schema_ok(OUT_SCHEMA, os.path.join(coco_out, "annotations.json"))
    check("augment --yolo --out-format coco passes the output schema", ok, msg)
    only = os.path.join(tmp, "aug-coco-only")
    rc, so, se = run("augment", "--yolo", data, "--out", only, "--per-image", "2", "--seed", "7",
                     "--out-format", "coco")
    back = os.path.join(tmp, "aug-coco-yolo")
    rc2, so, se2 = run("convert", "--annotations", os.path.join(only, "annotations.json"), "--images",
                       os.path.join(only, "images"), "--to", "yolo", "--out", back)
    check("YOLO output of augment = its COCO output converted", rc == 0 and rc2 == 0 and
          labels(out) == labels(back), se + se2)
    with open(os.path.join(out, "images", "train", "cutmix_000003.jpg"), "rb") as f1, \
            open(os.path.join(only, "images", "cutmix_000003.jpg"), "rb") as f2:
        check("the same pixels either way", f1.read() == f2.read())
    dry = os.path.join(tmp, "aug-dry")
    rc, so, se = run("augment", "--yolo", data, "--out", dry, "--per-image", "2", "--seed", "7", "--dry-run")
    check("augment --yolo --dry-run: the same labels, no image",
          rc == 0 and labels(dry) == labels(out) and not os.path.exists(os.path.join(dry, "images", "train",
                                                                                       "cutmix_000000.jpg")), se)
    rc, so, se = run("augment", "--yolo", data, "--out", out, "--per-image", "2", "--seed", "7", "--resume")
    check("augment --yolo --resume of a finished run", rc == 0 and "16 outputs were already complete" in so,
          so + se)
    rc, so, se = run("augment", "--yolo", data, "--out", out, "--per-image", "2", "--seed", "7", "--resume",
                     "--yolo-task", "detect")
    check("augment --yolo --resume with another --yolo-task is refused", rc == 1 and "--resume" in se, se)
    # An interrupted YOLO run, finished with --resume: the bytes of one whole run.
    part, whole = os.path.join(tmp, "aug-part"), os.path.join(tmp, "aug-whole")
    args = ["--yolo", data, "--count", "300", "--seed", "3", "--threads", "1"]
    p = subprocess.Popen([os.path.join(TOOLS, "boxmix-augment"), *args, "--out", part],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    _, err1 = p.communicate()
    rc, so, se = run("augment", *args, "--out", part, "--resume")
    rc2, _, se2 = run("augment", *args, "--out", whole)
    check("an interrupted YOLO run (exit %d) finishes with --resume" % p.returncode,
          p.returncode in (0, 130) and rc == 0 and rc2 == 0, err1 + se + se2)
    check("the resumed YOLO run holds the bytes of an uninterrupted one",
          labels(part) == labels(whole) and
          read(os.path.join(part, "data.yaml")) == read(os.path.join(whole, "data.yaml")) and
          sorted(os.listdir(os.path.join(part, "images", "train"))) ==
          sorted(os.listdir(os.path.join(whole, "images", "train"))))
    rep = os.path.join(tmp, "report.json")
    rc, so, se = run("augment", "--yolo", data, "--out", os.path.join(tmp, "aug-rep"), "--report", rep)
    ok, msg = schema_ok(os.path.join(ROOT, "schemas", "report.schema.json"), rep) if rc == 0 else (False, se)
    check("augment --yolo --report: a schema-valid report", ok, msg)
    shards = []
    for i in range(2):
        s = os.path.join(tmp, "shard%d" % i)
        shards.append(s)
        run("augment", "--yolo", data, "--out", s, "--per-image", "2", "--seed", "7", "--shard", "%d/2" % i)
    merged = os.path.join(tmp, "merged")
    rc, so, se = run("merge", merged, *shards)
    check("boxmix-merge joins YOLO shards", rc == 0, se)
    check("the merged YOLO shards hold the single run's labels", labels(merged) == labels(out))
    voc = os.path.join(tmp, "aug-voc")
    rc, so, se = run("augment", "--yolo", data, "--out", voc, "--per-image", "1", "--out-format", "voc")
    check("augment --yolo --out-format voc", rc == 0 and len(os.listdir(os.path.join(voc, "Annotations"))) == 8, se)
    det = os.path.join(tmp, "aug-det")
    rc, so, se = run("augment", "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES, "--out", det,
                     "--out-format", "yolo", "--yolo-task", "detect")
    rows = [r for t in labels(det).values() for r in t.splitlines()]
    check("augment COCO -> --out-format yolo --yolo-task detect: box rows only",
          rc == 0 and rows and all(len(r.split()) == 5 for r in rows), se)
    val = os.path.join(tmp, "aug-val")
    rc, so, se = run("augment", "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES, "--out", val,
                     "--out-format", "yolo", "--split", "val")
    check("augment COCO -> YOLO --split val writes images/val, labels/val, data.yaml's val",
          rc == 0 and len(labels(val, "val")) == 8 and len(os.listdir(os.path.join(val, "images", "val"))) == 8
          and "\nval: images/val\n" in read(os.path.join(val, "data.yaml")), se)
    rc, so, se = run("augment", "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES, "--out",
                     os.path.join(tmp, "bad-split"), "--split", "val")
    check("--split with COCO input and COCO output is still a usage error", rc == 2, se)
    rc, so, se = run("augment", "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES, "--out",
                     os.path.join(tmp, "bad-task"), "--yolo-task", "detect")
    check("--yolo-task without YOLO output is a usage error", rc == 2, se)
    drawn = os.path.join(tmp, "drawn")
    rc, so, se = run("draw", "--yolo", data, "--out", drawn, "--sheet", os.path.join(tmp, "sheet.png"))
    check("draw --yolo draws every image and the sheet",
          rc == 0 and len(os.listdir(drawn)) == 8 and os.path.exists(os.path.join(tmp, "sheet.png")), se)


def main():
    tmp = tempfile.mkdtemp(prefix="bmx_e2e_yolo_")
    try:
        test_samples(tmp)
        test_masks(tmp)
        test_tools(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("TAP version 13")
    print("1..%d" % len(results))
    failed = 0
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            for line in str(detail).splitlines()[:20]:
                print("#   " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
