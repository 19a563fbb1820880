#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of boxmix-check --stats on samples/ (COCO, VOC, a boxmix
output with its decision log).

Usage: e2e_stats.py TOOLS_DIR SOURCE_ROOT
Prints TAP. Every figure is computed again here from the files themselves (the
COCO JSON, the VOC XML, the decision log) and compared; the JSON is validated
against schemas/stats.schema.json.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_schema import Validator  # noqa: E402

TOOLS, ROOT = sys.argv[1], sys.argv[2]
CHECK = os.path.join(TOOLS, "boxmix-check")
AUGMENT = os.path.join(TOOLS, "boxmix-augment")
SAMPLES_JSON = os.path.join(ROOT, "samples", "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(ROOT, "samples", "images")
SAMPLES_VOC = os.path.join(ROOT, "samples", "voc")
SCHEMA = json.load(open(os.path.join(ROOT, "schemas", "stats.schema.json")))
Validator.check_schema(SCHEMA)
VALIDATOR = Validator(SCHEMA)

results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(*args):
    p = subprocess.run([CHECK, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def stats(*args):
    rc, out, err = run("--stats", "--json", *args)
    if rc != 0:
        return None, err
    doc = json.loads(out)
    errors = [e.message for e in VALIDATOR.iter_errors(doc)]
    return doc, "\n".join(errors)


def hist(values, edges):
    counts = [0] * len(edges)
    for v in values:
        b = 0
        while b + 1 < len(edges) and v >= edges[b + 1]:
            b += 1
        counts[b] += 1
    return counts


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def same_dist(d, values):
    if d["count"] != len(values):
        return False
    if d["histogram"]["counts"] != hist(values, d["histogram"]["edges"]):
        return False
    if not values:
        return d["min"] is None
    close = lambda a, b: abs(a - b) <= 1e-9 * max(1.0, abs(b))  # noqa: E731
    return (close(d["min"], min(values)) and close(d["max"], max(values)) and
            close(d["mean"], sum(values) / len(values)) and close(d["median"], median(values)))


def expected(images, objects, cats):
    """objects: (image_id, category_id, w, h, area, iscrowd, mask kind)."""
    per_image = {i: 0 for i in images}
    for o in objects:
        per_image[o[0]] += 1
    return {
        "per_image": list(per_image.values()),
        "widths": [o[2] for o in objects], "heights": [o[3] for o in objects],
        "areas": [o[4] for o in objects], "aspects": [o[2] / o[3] for o in objects if o[3] > 0],
        "cats": {c: (sum(o[1] == c for o in objects), len({o[0] for o in objects if o[1] == c}),
                     sum(o[1] == c and o[5] == 1 for o in objects)) for c in cats},
        "sizes": (sum(o[4] < 32 ** 2 for o in objects), sum(32 ** 2 <= o[4] < 96 ** 2 for o in objects),
                  sum(o[4] >= 96 ** 2 for o in objects)),
        "masks": tuple(sum(o[6] == k for o in objects) for k in ("polygon", "rle", "none")),
        "crowd": sum(o[5] == 1 for o in objects),
    }


def compare(label, doc, exp, n_images):
    check("%s: images and objects" % label,
          doc["images"] == n_images and doc["objects"] == len(exp["widths"]) and
          doc["images_without_objects"] == sum(n == 0 for n in exp["per_image"]), doc["images"])
    got = {c["id"]: (c["objects"], c["images"], c["crowd"]) for c in doc["categories"]}
    check("%s: objects, images and crowd per category" % label, got == exp["cats"], (got, exp["cats"]))
    check("%s: objects per image" % label, same_dist(doc["objects_per_image"], exp["per_image"]))
    for key, name in (("width", "widths"), ("height", "heights"), ("area", "areas"), ("aspect", "aspects")):
        check("%s: box %s distribution and histogram" % (label, key), same_dist(doc["box"][key], exp[name]),
              (doc["box"][key], exp[name]))
    s = doc["coco_sizes"]
    check("%s: COCO small/medium/large" % label, (s["small"], s["medium"], s["large"]) == exp["sizes"],
          (s, exp["sizes"]))
    m = doc["masks"]
    check("%s: masks by kind and crowd" % label,
          (m["polygon"], m["rle"], m["none"]) == exp["masks"] and doc["crowd"] == exp["crowd"], (m, exp["masks"]))


def coco_objects(d):
    out = []
    for a in d["annotations"]:
        seg = a.get("segmentation")
        kind = "rle" if isinstance(seg, dict) else "polygon" if seg else "none"
        w, h = a["bbox"][2], a["bbox"][3]
        out.append((a["image_id"], a["category_id"], w, h, a.get("area", w * h), a.get("iscrowd", 0), kind))
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="boxmix-stats-")
    try:
        # COCO samples.
        d = json.load(open(SAMPLES_JSON))
        doc, errors = stats(SAMPLES_JSON)
        check("COCO: --stats --json exits 0 with a valid document", doc is not None and not errors, errors)
        if doc is not None:
            check("COCO: not a boxmix output, no decision log", doc["boxmix"] is None and doc["decisions"] is None)
            compare("COCO", doc, expected([i["id"] for i in d["images"]], coco_objects(d),
                                          [c["id"] for c in d["categories"]]), len(d["images"]))

        # VOC samples, from the XML.
        doc, errors = stats("--voc", SAMPLES_VOC)
        check("VOC: --stats --json exits 0 with a valid document", doc is not None and not errors, errors)
        if doc is not None:
            names = sorted({o.findtext("name") for f in glob.glob(os.path.join(SAMPLES_VOC, "Annotations", "*.xml"))
                            for o in ET.parse(f).getroot().iter("object")})
            objs, imgs = [], []
            for n, f in enumerate(sorted(glob.glob(os.path.join(SAMPLES_VOC, "Annotations", "*.xml")))):
                imgs.append(n)
                for o in ET.parse(f).getroot().iter("object"):
                    b = o.find("bndbox")
                    w = float(b.findtext("xmax")) - float(b.findtext("xmin")) + 1
                    h = float(b.findtext("ymax")) - float(b.findtext("ymin")) + 1
                    objs.append((n, names.index(o.findtext("name")) + 1, w, h, w * h, 0, "none"))
            check("VOC: format voc", doc["format"] == "voc")
            compare("VOC", doc, expected(imgs, objs, range(1, len(names) + 1)), len(imgs))

        # YOLO samples: the statistics of the same dataset converted to COCO, but
        # for the format named.
        yolo_yaml = os.path.join(ROOT, "samples", "yolo", "segment", "data.yaml")
        conv = os.path.join(tmp, "from-yolo")
        p = subprocess.run([os.path.join(os.path.dirname(CHECK), "boxmix-convert"), "--yolo", yolo_yaml,
                            "--to", "coco", "--out", conv, "--quiet"], capture_output=True, text=True)
        check("YOLO: converted to COCO", p.returncode == 0, p.stderr)
        doc, errors = stats("--yolo", yolo_yaml)
        check("YOLO: --stats --json exits 0 with a valid document", doc is not None and not errors, errors)
        if doc is not None and p.returncode == 0:
            check("YOLO: format yolo", doc["format"] == "yolo", doc["format"])
            cdoc, _ = stats(os.path.join(conv, "annotations.json"))
            strip = lambda d: {k: v for k, v in d.items() if k not in ("input", "format")}  # noqa: E731
            check("YOLO: the figures of the same dataset read as COCO",
                  cdoc is not None and strip(doc) == strip(cdoc))

        # A boxmix output with its decision log.
        out, log = os.path.join(tmp, "out"), os.path.join(tmp, "log.jsonl")
        p = subprocess.run([AUGMENT, "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES, "--out", out,
                            "--per-image", "2", "--seed", "5", "--include-originals", "--dry-run",
                            "--decisions", log, "--quiet"], capture_output=True, text=True)
        check("augment with --decisions", p.returncode == 0, p.stderr)
        od = json.load(open(os.path.join(out, "annotations.json")))
        doc, errors = stats(os.path.join(out, "annotations.json"), "--decisions", log)
        check("output: --stats --json --decisions exits 0 with a valid document", doc is not None and not errors,
              errors)
        if doc is not None:
            compare("output", doc, expected([i["id"] for i in od["images"]], coco_objects(od),
                                            [c["id"] for c in od["categories"]]), len(od["images"]))
            bm = doc["boxmix"]
            ops = {}
            for i in od["images"]:
                ops[i["boxmix"]["op"]] = ops.get(i["boxmix"]["op"], 0) + 1
            check("output: images per operation", bm["operations"] == ops, (bm["operations"], ops))
            lambdas = [i["boxmix"]["lambda"] for i in od["images"] if "lambda" in i["boxmix"]]
            check("output: lambda distribution", same_dist(bm["lambda"], lambdas))
            vis = [a["boxmix"].get("visibility", 1) for a in od["annotations"] if a["boxmix"]["from"] != "original"]
            check("output: visibility distribution", same_dist(bm["visibility"], vis))
            frm = {k: sum(a["boxmix"]["from"] == k for a in od["annotations"]) for k in ("base", "source", "original")}
            check("output: objects by origin", bm["from"] == frm, (bm["from"], frm))
            lines = [json.loads(x) for x in open(log)]
            dec = doc["decisions"]
            tot = {k: sum(x["decision"] == k for x in lines) for k in ("kept", "clipped", "dropped")}
            check("log: kept, clipped, dropped", (dec["objects"], dec["kept"], dec["clipped"], dec["dropped"]) ==
                  (len(lines), tot["kept"], tot["clipped"], tot["dropped"]), dec)
            per = {}
            for x in lines:
                e = per.setdefault(x["category_id"], {"considered": 0, "kept": 0, "clipped": 0, "dropped": 0,
                                                       "rules": {"no-area": 0, "min_visibility": 0, "min_area": 0,
                                                                 "min_size": 0}})
                e["considered"] += 1
                e[x["decision"]] += 1
                if x["rule"]:
                    e["rules"][x["rule"]] += 1
            got = {c["id"]: {k: c[k] for k in ("considered", "kept", "clipped", "dropped", "rules")}
                   for c in dec["categories"] if c["considered"]}
            check("log: per category considered, kept, clipped, dropped and rules", got == per, (got, per))
            check("log: visibility of every object considered",
                  same_dist(dec["visibility"], [x["visibility"] for x in lines]))

        rc, text, err = run("--stats", os.path.join(out, "annotations.json"), "--decisions", log)
        check("text: exit 0, categories and the log's counts",
              rc == 0 and "rectangle" in text and "considered" in text and "COCO sizes" in text, err)
        rc, text, err = run("--stats", SAMPLES_JSON, "--decisions", log)
        check("a log of another dataset is refused (exit 1)", rc == 1 and "not the decision log" in err, err)
        bad = os.path.join(tmp, "bad.jsonl")
        with open(log) as f, open(bad, "w") as g:
            rows = f.read().splitlines()
            rows[2] = rows[2].replace('"decision":"', '"decision":"x')
            g.write("\n".join(rows) + "\n")
        rc, text, err = run("--stats", os.path.join(out, "annotations.json"), "--decisions", bad)
        check("a bad log line: exit 1 naming file, line and key",
              rc == 1 and "bad.jsonl: line 3: decision" in err, err)
        rc, text, err = run("--decisions", log, SAMPLES_JSON)
        check("--decisions without --stats: usage error (exit 2)", rc == 2, err)
        rc, text, err = run("--stats", "--strict", SAMPLES_JSON)
        check("--stats with a problem-check option: usage error (exit 2)", rc == 2, err)
        rc, text, err = run("--stats", "--progress", "json", SAMPLES_JSON)
        check("--stats with --progress: usage error (exit 2)", rc == 2 and "--progress" in err, err)
        rc, text, err = run("--help")
        check("--help lists --stats and --decisions", "--stats" in text and "--decisions FILE" in text)
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
