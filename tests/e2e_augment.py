#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of the built boxmix-augment on samples/.

Usage: e2e_augment.py TOOL SOURCE_ROOT (boxmix-merge is taken from TOOL's folder)
Prints TAP. Checks determinism (same seed, same bytes; another seed, other
patches), geometry (every box and mask inside its image, masks inside their
boxes, area equal to the polygons' exact area or the RLE's pixel count),
the output schema, exit codes and messages.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from png_pixels import png_pixels  # noqa: E402

TOOL, ROOT = sys.argv[1], sys.argv[2]
MERGE = os.path.join(os.path.dirname(TOOL), "boxmix-merge")
SAMPLES_JSON = os.path.join(ROOT, "samples", "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(ROOT, "samples", "images")
SCHEMA_CHECK = os.path.join(ROOT, "tests", "check_schema.py")
OUT_SCHEMA = os.path.join(ROOT, "schemas", "coco-output.schema.json")

results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(*args):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def augment(out, *extra):
    return run("--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES, "--out", out, *extra)


def tree_bytes(d):
    files = {}
    for base, _, names in os.walk(d):
        for n in names:
            p = os.path.join(base, n)
            with open(p, "rb") as f:
                files[os.path.relpath(p, d)] = f.read()
    return files


def image_size(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        w, h = struct.unpack(">II", data[16:24])
        return w, h
    if data[:2] == b"\xff\xd8":
        i = 2
        while i < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return w, h
            i += 2 + length
    raise ValueError("unknown image format: " + path)


def rle_counts(seg):
    c = seg["counts"]
    if isinstance(c, list):
        return c
    counts, p = [], 0
    while p < len(c):
        x, k, more = 0, 0, True
        while more:
            v = ord(c[p]) - 48
            x |= (v & 0x1F) << (5 * k)
            more = bool(v & 0x20)
            p += 1
            k += 1
            if not more and (v & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def rle_box_area(seg):
    h, w = seg["size"]
    counts = rle_counts(seg)
    pos, area = 0, 0
    xs, ys = [], []
    for i, c in enumerate(counts):
        if i % 2 == 1 and c > 0:
            area += c
            first, last = pos, pos + c - 1
            # column-major: index = x*h + y
            x0, x1 = first // h, last // h
            xs += [x0, x1]
            ys += [first % h if x0 == x1 else 0, last % h if x0 == x1 else h - 1]
        pos += c
    assert pos == h * w, "runs add up to %d, not %d" % (pos, h * w)
    if not xs:
        return [0, 0, 0, 0], 0
    return [min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1], area


def shoelace(ring):
    xs, ys = ring[0::2], ring[1::2]
    n = len(xs)
    return abs(sum(xs[i] * ys[(i + 1) % n] - xs[(i + 1) % n] * ys[i] for i in range(n))) / 2


KEYPOINTS_JSON = os.path.join(ROOT, "samples", "keypoints", "annotations.json")
KEYPOINTS_IMAGES = os.path.join(ROOT, "samples", "keypoints", "images")


def check_keypoints(tmp):
    """The keypoint rules on the person-keypoints sample: no labelled point under
    the patch (base) or outside it (source), a resized source's points scaled,
    num_keypoints recounted, untouched objects as they came, counts that add up."""
    out = os.path.join(tmp, "keypoints")
    rc, text, err = run("--annotations", KEYPOINTS_JSON, "--images", KEYPOINTS_IMAGES, "--out", out,
                        "--per-image", "3", "--seed", "1", "--include-originals")
    check("keypoints: augment the person-keypoints sample", rc == 0, err)
    if rc != 0:
        return
    src = json.load(open(KEYPOINTS_JSON))
    doc = json.load(open(os.path.join(out, "annotations.json")))
    src_ann = {a["id"]: a for a in src["annotations"]}
    src_img = {i["id"]: i for i in src["images"]}
    images = {i["id"]: i for i in doc["images"]}
    wrong, unscaled, miscount, changed_untouched, hidden, objects = [], [], [], [], 0, 0
    for a in doc["annotations"]:
        bm = a["boxmix"]
        o = src_ann[bm["source_annotation_id"]]
        if bm["from"] == "original":
            if a["keypoints"] != o["keypoints"] or "keypoints_hidden" in bm:
                changed_untouched.append(a["id"])
            continue
        objects += 1
        hidden += bm["keypoints_hidden"]
        im = images[a["image_id"]]
        px, py, pw, ph = im["boxmix"]["patch"]
        kp = a["keypoints"]
        oi = src_img[o["image_id"]]
        sx, sy = im["width"] / oi["width"], im["height"] / oi["height"]
        if a["num_keypoints"] != sum(1 for i in range(2, len(kp), 3) if kp[i] > 0):
            miscount.append(a["id"])
        labelled_before = sum(1 for i in range(2, len(kp), 3) if o["keypoints"][i] > 0)
        if a["num_keypoints"] + bm["keypoints_hidden"] != labelled_before:
            miscount.append(a["id"])
        for i in range(0, len(kp), 3):
            x, y, v = kp[i:i + 3]
            if v == 0:
                if (x, y) != (0, 0):
                    wrong.append((a["id"], i // 3))
                continue
            inside = px <= x < px + pw and py <= y < py + ph
            if (bm["from"] == "base") == inside or not (0 <= x < im["width"] and 0 <= y < im["height"]):
                wrong.append((a["id"], i // 3))
            ox, oy = o["keypoints"][i], o["keypoints"][i + 1]
            if (abs(x - ox * sx) > 1e-9 or abs(y - oy * sy) > 1e-9) and bm["from"] == "source":
                unscaled.append((a["id"], i // 3))
            if bm["from"] == "base" and (x, y) != (ox, oy):
                unscaled.append((a["id"], i // 3))
        if bm["visibility"] == 1 and bm["keypoints_hidden"] == 0 and bm["from"] == "base" and \
                a["keypoints"] != o["keypoints"]:
            changed_untouched.append(a["id"])
    check("keypoints: no labelled point under the patch (base) or outside it (source)",
          not wrong and objects > 0, wrong[:5])
    check("keypoints: a resized source's points are scaled with it, a base's stay put",
          not unscaled and any(src_img[src_ann[a["boxmix"]["source_annotation_id"]]["image_id"]]["width"] !=
                               images[a["image_id"]]["width"] for a in doc["annotations"]
                               if a["boxmix"]["from"] == "source"), unscaled[:5])
    check("keypoints: num_keypoints recounted, hidden + kept = labelled", not miscount, miscount[:5])
    check("keypoints: untouched objects and originals keep their keypoints", not changed_untouched,
          changed_untouched[:5])
    check("keypoints: some points were hidden, and the summary line counts them",
          hidden > 0 and ("%d labelled keypoints hidden" % hidden) in text, text)
    sch = subprocess.run(["/usr/bin/python3", SCHEMA_CHECK, OUT_SCHEMA, os.path.join(out, "annotations.json")],
                         capture_output=True, text=True)
    check("keypoints: the output validates against the output schema", sch.returncode == 0,
          sch.stdout + sch.stderr)


def check_geometry(tag, d, out_dir):
    images = {im["id"]: im for im in d["images"]}
    bad = []
    for im in d["images"]:
        w, h = image_size(os.path.join(out_dir, "images", im["file_name"]))
        if (w, h) != (im["width"], im["height"]):
            bad.append("image %s: file %dx%d, record %dx%d" % (im["id"], w, h, im["width"], im["height"]))
    eps = 1e-6
    ids = set()
    for a in d["annotations"]:
        if a["id"] in ids:
            bad.append("duplicate annotation id %s" % a["id"])
        ids.add(a["id"])
        im = images.get(a["image_id"])
        if im is None:
            bad.append("annotation %s: dangling image_id" % a["id"])
            continue
        W, H = im["width"], im["height"]
        x, y, w, h = a["bbox"]
        if x < -eps or y < -eps or x + w > W + eps or y + h > H + eps or w <= 0 or h <= 0:
            bad.append("annotation %s: box %s outside %dx%d or empty" % (a["id"], a["bbox"], W, H))
        seg = a.get("segmentation")
        touched = "boxmix" in a and a["boxmix"].get("visibility", 1) < 1
        if isinstance(seg, list) and seg:
            for ring in seg:
                if len(ring) < 6 or len(ring) % 2:
                    bad.append("annotation %s: ring of %d numbers" % (a["id"], len(ring)))
                for px, py in zip(ring[0::2], ring[1::2]):
                    if not (x - eps <= px <= x + w + eps and y - eps <= py <= y + h + eps):
                        bad.append("annotation %s: vertex (%g,%g) outside its box" % (a["id"], px, py))
                        break
                    if not (-eps <= px <= W + eps and -eps <= py <= H + eps):
                        bad.append("annotation %s: vertex outside its image" % a["id"])
                        break
            if touched:
                area = sum(shoelace(r) for r in seg)
                if abs(area - a["area"]) > 1e-6 * max(1, area):
                    bad.append("annotation %s: area %g, polygons %g" % (a["id"], a["area"], area))
        elif isinstance(seg, dict):
            if seg["size"] != [H, W]:
                bad.append("annotation %s: RLE size %s, image %dx%d" % (a["id"], seg["size"], W, H))
                continue
            box, area = rle_box_area(seg)
            if area > 0 and not (box[0] >= x - eps and box[1] >= y - eps and
                                 box[0] + box[2] <= x + w + eps and box[1] + box[3] <= y + h + eps):
                bad.append("annotation %s: RLE pixels %s outside its box %s" % (a["id"], box, a["bbox"]))
            if touched and area != a["area"]:
                bad.append("annotation %s: area %g, RLE pixel count %d" % (a["id"], a["area"], area))
    check(tag + ": every image file has its recorded size, every box and mask lies inside",
          not bad, "; ".join(bad[:5]))


def check_png_level(tmp):
    """--png-level: the same pixels at every level, smaller files at higher levels,
    the default the level 1 bytes, range and format errors exit 2."""
    outs = {}
    for level in ("0", "1", "9", None):
        o = os.path.join(tmp, "pnglevel-%s" % level)
        extra = ("--png-level", level) if level is not None else ()
        rc, _, err = augment(o, "--seed", "3", "--format", "png", "--quiet", *extra)
        outs[level] = (rc, err, o)
    rc9, err9, _ = outs["9"]
    if rc9 == 2 and "without libspng" in err9:
        # A build without libspng: stb_image_write has no level to set.
        check("--png-level without libspng: exit 2, says why", "stb_image_write" in err9, err9)
        return
    check("--png-level 0, 1 and 9 run", all(outs[k][0] == 0 for k in outs),
          "".join(outs[k][1] for k in outs))
    if not all(outs[k][0] == 0 for k in outs):
        return
    imgs = {k: tree_bytes(os.path.join(outs[k][2], "images")) for k in outs}
    names = sorted(imgs["1"])
    check("every level writes the same files", all(sorted(imgs[k]) == names for k in imgs) and
          len(names) == 8)
    pix = {k: [png_pixels(imgs[k][n]) for n in names] for k in imgs}
    check("every level holds the same pixels", all(pix[k] == pix["1"] for k in pix) and
          all(p is not None for p in pix["1"]))
    size = {k: sum(len(b) for b in imgs[k].values()) for k in imgs}
    check("level 9 writes less than level 1, level 1 less than level 0 (stored)",
          size["9"] < size["1"] < size["0"], str(size))
    check("the default level is level 1, byte for byte", imgs[None] == imgs["1"])
    ann = {k: open(os.path.join(outs[k][2], "annotations.json"), "rb").read() for k in outs}
    check("annotations do not depend on the level", all(a == ann["1"] for a in ann.values()))
    o = os.path.join(tmp, "pnglevel-resume")
    shutil.copytree(outs["1"][2], o)
    rc, _, err = augment(o, "--seed", "3", "--format", "png", "--png-level", "9", "--resume",
                         "--quiet")
    check("--resume with another --png-level is refused", rc == 1 and "option" in err, err)
    for bad in ("10", "-1", "x", "1.5", ""):
        rc, _, err = augment(os.path.join(tmp, "pnglevel-bad"), "--format", "png",
                             "--png-level", bad)
        check("--png-level %r: exit 2, says 0..9" % bad, rc == 2 and "--png-level" in err and
              "0..9" in err, err)
    rc, _, err = augment(os.path.join(tmp, "pnglevel-jpg"), "--png-level", "5")
    check("--png-level with JPEG output: exit 2", rc == 2 and "--format png" in err, err)


def main():
    tmp = tempfile.mkdtemp(prefix="bmx_e2e_")
    try:
        o1, o2, o3 = (os.path.join(tmp, n) for n in ("s7a", "s7b", "s8"))
        rc, out, err = augment(o1, "--seed", "7", "--per-image", "2")
        check("run with seed 7 exits 0", rc == 0, err)
        check("summary line reports samples and objects",
              "wrote 16 samples" in out and "kept whole" in out and "dropped" in out, out)
        rc, _, err = augment(o2, "--seed", "7", "--per-image", "2")
        check("second run with seed 7 exits 0", rc == 0, err)
        t1, t2 = tree_bytes(o1), tree_bytes(o2)
        check("same seed gives byte-identical files", t1 == t2 and len(t1) == 18,
              "%d vs %d files" % (len(t1), len(t2)))
        rc, _, err = augment(o3, "--seed", "8", "--per-image", "2")
        check("run with seed 8 exits 0", rc == 0, err)
        d1 = json.load(open(os.path.join(o1, "annotations.json")))
        d3 = json.load(open(os.path.join(o3, "annotations.json")))
        p1 = [im["boxmix"]["patch"] for im in d1["images"]]
        p3 = [im["boxmix"]["patch"] for im in d3["images"]]
        check("another seed gives other patches", p1 != p3)
        check("16 output images, each with cutmix provenance",
              len(d1["images"]) == 16 and all(im["boxmix"]["op"] == "cutmix" for im in d1["images"]))
        src = json.load(open(SAMPLES_JSON))
        check("categories, info and licenses carried over",
              d1["categories"] == src["categories"] and d1.get("info") == src.get("info") and
              d1.get("licenses") == src.get("licenses"))
        check_geometry("seed 7", d1, o1)
        check_geometry("seed 8", d3, o3)
        masked = [a for a in d1["annotations"] if a.get("segmentation")]
        check("masks are written", len(masked) > 0)
        sch = subprocess.run(["/usr/bin/python3", SCHEMA_CHECK, OUT_SCHEMA,
                              os.path.join(o1, "annotations.json"), os.path.join(o3, "annotations.json")],
                             capture_output=True, text=True)
        check("outputs validate against schemas/coco-output.schema.json", sch.returncode == 0,
              sch.stdout + sch.stderr)

        check_keypoints(tmp)
        check_png_level(tmp)

        o4 = os.path.join(tmp, "orig")
        rc, out, err = augment(o4, "--seed", "1", "--include-originals", "--format", "png",
                               "--placement", "avoid-base", "--cut-ratio", "0.2:0.5")
        d4 = json.load(open(os.path.join(o4, "annotations.json"))) if rc == 0 else {"images": [], "annotations": []}
        ops = [im.get("boxmix", {}).get("op") for im in d4["images"]]
        check("--include-originals writes originals and samples", rc == 0 and
              ops.count("original") == len(src["images"]) and ops.count("cutmix") == len(src["images"]),
              err)
        if rc == 0:
            check_geometry("originals+png", d4, o4)
            n_orig = sum(1 for a in d4["annotations"] if a["boxmix"]["from"] == "original")
            check("originals keep all their annotations", n_orig == len(src["annotations"]))

        o5 = os.path.join(tmp, "count")
        rc, out, err = augment(o5, "--count", "3", "--mask-format", "rle")
        d5 = json.load(open(os.path.join(o5, "annotations.json"))) if rc == 0 else {"images": [], "annotations": []}
        check("--count 3 makes 3 samples", rc == 0 and len(d5["images"]) == 3, err)
        check("--mask-format rle writes only RLE masks",
              rc == 0 and any(a.get("segmentation") for a in d5["annotations"]) and
              all(isinstance(a["segmentation"], dict) for a in d5["annotations"] if a.get("segmentation")))

        o6 = os.path.join(tmp, "poly")
        rc, out, err = augment(o6, "--per-image", "2", "--mask-format", "polygon")
        d6 = json.load(open(os.path.join(o6, "annotations.json"))) if rc == 0 else {"images": [], "annotations": []}
        rle_left = [a for a in d6["annotations"] if isinstance(a.get("segmentation"), dict)]
        check("--mask-format polygon: only crowd objects keep RLE",
              rc == 0 and all(a["iscrowd"] == 1 for a in rle_left) and
              any(a["boxmix"]["source_annotation_id"] == 15 and isinstance(a.get("segmentation"), list)
                  for a in d6["annotations"]), err)
        if rc == 0:
            check_geometry("mask-format polygon", d6, o6)

        rc, out, err = augment(o1, "--seed", "7")
        check("an output folder holding a dataset is refused (exit 1)",
              rc == 1 and "already holds a dataset" in err, err)
        rc, out, err = augment(o1, "--seed", "7", "--per-image", "2", "--force")
        check("--force overwrites with the same bytes", rc == 0 and tree_bytes(o1) == t1, err)
        rc, out, err = run("--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES, "--out", SAMPLES_IMAGES)
        check("the input image folder is refused as output", rc == 1 and "input image folder" in err, err)
        rc, out, err = run("--annotations", os.path.join(tmp, "missing.json"), "--images",
                           SAMPLES_IMAGES, "--out", os.path.join(tmp, "x"))
        check("a missing annotation file: exit 1, message names it", rc == 1 and "missing.json" in err, err)
        bad = os.path.join(tmp, "bad.json")
        with open(bad, "w") as f:
            json.dump({"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
                       "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3]}],
                       "categories": [{"id": 1, "name": "c"}]}, f)
        rc, out, err = run("--annotations", bad, "--images", SAMPLES_IMAGES, "--out", os.path.join(tmp, "y"))
        check("bad JSON content: exit 1 with file and JSON path",
              rc == 1 and "bad.json: annotations[0].bbox: expected 4 numbers, got 3" in err, err)
        check("nothing is written for bad input", not os.path.exists(os.path.join(tmp, "y", "annotations.json")))
        esc = os.path.join(tmp, "esc.json")
        with open(esc, "w") as f:
            json.dump({"images": [{"id": 1, "file_name": "../a.jpg", "width": 10, "height": 10}],
                       "annotations": [], "categories": []}, f)
        rc, out, err = run("--annotations", esc, "--images", SAMPLES_IMAGES, "--out", os.path.join(tmp, "z"))
        check("a file_name escaping the image folder is refused", rc == 1 and "escapes" in err, err)
        rc, out, err = run("--bogus")
        check("unknown option: exit 2 and a usage line", rc == 2 and "usage:" in err, err)
        rc, out, err = run("--annotations", SAMPLES_JSON)
        check("missing required options: exit 2", rc == 2, err)
        rc, out, err = augment(os.path.join(tmp, "q"), "--alpha", "-1")
        check("--alpha -1: exit 2", rc == 2 and "--alpha" in err, err)
        # Whole numbers are whole: no sign, no spaces, no wrap-around, nothing after.
        for bad in ("+5", " 5", "-1", "5x", "", "18446744073709551616"):
            rc, out, err = augment(os.path.join(tmp, "q"), "--seed", bad)
            check("--seed %r: exit 2 naming the option" % bad, rc == 2 and "--seed" in err, err)
        # Threads, dry runs, shards.
        ot1, ot2 = os.path.join(tmp, "t1"), os.path.join(tmp, "t2")
        rc1, _, err1 = augment(ot1, "--seed", "11", "--per-image", "3", "--threads", "1")
        rc2, _, err2 = augment(ot2, "--seed", "11", "--per-image", "3", "--threads", "2")
        tt1 = tree_bytes(ot1)
        check("--threads 1 and --threads 2 give byte-identical outputs",
              rc1 == 0 and rc2 == 0 and tt1 == tree_bytes(ot2) and len(tt1) == 26, err1 + err2)
        od = os.path.join(tmp, "dry")
        rc, out, err = augment(od, "--seed", "11", "--per-image", "3", "--dry-run")
        td = tree_bytes(od)
        check("--dry-run writes the same annotations.json and no image",
              rc == 0 and sorted(td) == [".boxmix-journal", "annotations.json"] and
              td["annotations.json"] == tt1["annotations.json"], err)
        check("a dry run's journal is finished and names a dry run",
              rc == 0 and td[".boxmix-journal"].endswith(b"\ndone " +
                                                          td[".boxmix-journal"].split(b"\ndone ")[-1]) and
              b'"dry_run":true' in td[".boxmix-journal"], td.get(".boxmix-journal", b"")[:300])
        shards = []
        ok = True
        for i in range(4):
            d = os.path.join(tmp, "shard%d" % i)
            rc, _, err = augment(d, "--seed", "11", "--per-image", "3", "--shard", "%d/4" % i,
                                 "--include-originals")
            ok = ok and rc == 0
            shards.append(d)
        om, os1 = os.path.join(tmp, "merged"), os.path.join(tmp, "single")
        rc, _, err = augment(os1, "--seed", "11", "--per-image", "3", "--include-originals")
        p = subprocess.run([MERGE, om, *shards], capture_output=True, text=True)
        check("4 shards + boxmix-merge are byte-identical to one run",
              ok and rc == 0 and p.returncode == 0 and tree_bytes(om) == tree_bytes(os1),
              err + p.stderr)
        p = subprocess.run([MERGE, os.path.join(tmp, "merged2"), *shards[:3]], capture_output=True, text=True)
        check("a missing shard is an error naming the shard count",
              p.returncode == 1 and "is shard 0/4, but 3 shards were given" in p.stderr, p.stderr)
        p = subprocess.run([MERGE, os.path.join(tmp, "merged3"), shards[0], shards[1], shards[2], shards[0]],
                           capture_output=True, text=True)
        check("a shard given twice is an error naming it",
              p.returncode == 1 and "are both shard 0/4" in p.stderr, p.stderr)
        p = subprocess.run([MERGE, om], capture_output=True, text=True)
        check("boxmix-merge without shards: exit 2", p.returncode == 2, p.stderr)
        rc, out, err = augment(os.path.join(tmp, "badshard"), "--shard", "4/4")
        check("--shard 4/4: exit 2", rc == 2 and "--shard" in err, err)

        # VOC in and out.
        ov = os.path.join(tmp, "voc")
        rc, out, err = run("--voc", os.path.join(ROOT, "samples", "voc"), "--images", SAMPLES_IMAGES,
                           "--out", ov, "--seed", "2")
        xmls = sorted(os.listdir(os.path.join(ov, "Annotations"))) if rc == 0 else []
        check("--voc input writes VOC output: Annotations/, JPEGImages/, ImageSets/",
              rc == 0 and len(xmls) == 8 and len(os.listdir(os.path.join(ov, "JPEGImages"))) == 8 and
              os.path.exists(os.path.join(ov, "ImageSets", "Main", "trainval.txt")), err)
        oc = os.path.join(tmp, "voc2coco")
        rc, out, err = run("--voc", os.path.join(ROOT, "samples", "voc"), "--images", SAMPLES_IMAGES,
                           "--out", oc, "--seed", "2", "--out-format", "coco")
        dv = json.load(open(os.path.join(oc, "annotations.json"))) if rc == 0 else {"images": []}
        check("--voc with --out-format coco writes a COCO dataset", rc == 0 and len(dv["images"]) == 8, err)
        if rc == 0:
            check_geometry("voc->coco", dv, oc)

        rc, out, err = run("--help")
        check("--help: exit 0, usage and options on stdout",
              rc == 0 and out.startswith("usage:") and "--min-visibility" in out and
              "--png-level" in out, err)
        rc, out, err = run("--version")
        check("--version prints the version", rc == 0 and out.strip().startswith("boxmix-augment 0."), out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("TAP version 13")
    print("1..%d" % len(results))
    failed = 0
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            for line in str(detail).splitlines()[:10]:
                print("  # " + line)
    return 1 if failed else 0


sys.exit(main())
