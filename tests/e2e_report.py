#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of boxmix-draw --decisions and --html (the files; the browser
test is e2e_report_browser.py).

Usage: e2e_report.py TOOLS_DIR SOURCE_ROOT
Prints TAP. --decisions: exactly the outputs that dropped objects change, and only
by grey dots on the outline of each dropped object's box before; --html: every
file, the index and the paged records equal to the dataset and its log, the
drawings the same bytes as drawn into --out, nothing referenced outside the
report; at 10,000 outputs records come in pages of 100 and the index stays small
(the time it takes is printed, not judged); usage and safety errors.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from png_pixels import png_pixels  # noqa: E402

TOOLS, ROOT = sys.argv[1], sys.argv[2]
DRAW = os.path.join(TOOLS, "boxmix-draw")
AUGMENT = os.path.join(TOOLS, "boxmix-augment")
SAMPLES_JSON = os.path.join(ROOT, "samples", "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(ROOT, "samples", "images")
GREY = (150, 150, 150)

results = []
notes = []  # what was measured, printed as TAP comments


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(tool, *args):
    p = subprocess.run([tool, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def load_js(path, prefix):
    text = open(path).read()
    assert text.startswith(prefix), text[:40]
    return json.loads(text[len(prefix):].rstrip().rstrip(";").rstrip(")").rstrip())


def tiny_png(w, h):
    """A grey RGB PNG of w x h."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"".join(b"\0" + bytes([120, 130, 140]) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pixels(path):
    w, h, ctype, rows = png_pixels(open(path, "rb").read())
    bpp = 3 if ctype == 2 else 4
    return w, h, [[tuple(r[x * bpp:x * bpp + 3]) for x in range(w)] for r in rows]


def main():
    tmp = tempfile.mkdtemp(prefix="boxmix-report-")
    try:
        run_dir, log = os.path.join(tmp, "run"), os.path.join(tmp, "run.jsonl")
        rc, _, err = run(AUGMENT, "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES, "--out", run_dir,
                         "--per-image", "2", "--seed", "7", "--include-originals", "--decisions", log, "--quiet")
        check("augment samples/ with --decisions", rc == 0, err)
        ann, imgs = os.path.join(run_dir, "annotations.json"), os.path.join(run_dir, "images")
        doc = json.load(open(ann))
        lines = [json.loads(x) for x in open(log)]

        # --decisions on plain drawings.
        plain, marked = os.path.join(tmp, "plain"), os.path.join(tmp, "marked")
        rc1, _, e1 = run(DRAW, "--annotations", ann, "--images", imgs, "--out", plain, "--quiet")
        rc2, _, e2 = run(DRAW, "--annotations", ann, "--images", imgs, "--out", marked, "--decisions", log, "--quiet")
        check("draw with and without --decisions", rc1 == 0 and rc2 == 0, e1 + e2)
        bad_same, bad_diff = [], []
        for img in doc["images"]:
            name = os.path.splitext(img["file_name"])[0] + ".png"
            a, b = open(os.path.join(plain, name), "rb").read(), open(os.path.join(marked, name), "rb").read()
            drops = [x for x in lines if x["decision"] == "dropped" and img["boxmix"]["op"] == "cutmix" and
                     x["output"] == img["boxmix"]["index"]]
            if not drops:
                if a != b:
                    bad_same.append(name)
                continue
            w, h, pa = pixels(os.path.join(plain, name))
            _, _, pb = pixels(os.path.join(marked, name))
            ring = set()
            for x in drops:
                bx, by, bw, bh = x["bbox_before"]
                x0, y0 = int(bx // 1), int(by // 1)
                x1, y1 = -int(-(bx + bw) // 1) - 1, -int(-(by + bh) // 1) - 1
                for yy in range(max(y0, 0), min(y1, h - 1) + 1):
                    for xx in range(max(x0, 0), min(x1, w - 1) + 1):
                        if yy - y0 < 2 or y1 - yy < 2 or xx - x0 < 2 or x1 - xx < 2:
                            ring.add((xx, yy))
            changed = [(xx, yy) for yy in range(h) for xx in range(w) if pa[yy][xx] != pb[yy][xx]]
            wrong = [p for p in changed if p not in ring]
            if not changed or wrong:
                bad_diff.append((name, len(changed), wrong[:3]))
        check("--decisions leaves the drawings of outputs without drops as they were", not bad_same, bad_same)
        check("--decisions changes an output's drawing only on its dropped boxes' outlines", not bad_diff, bad_diff)
        grey = 0
        for name in os.listdir(marked):
            if name.startswith("cutmix_000002"):
                _, _, pb = pixels(os.path.join(marked, name))
                grey = sum(px == GREY for row in pb for px in row)
        check("the outline is grey dots", grey > 0, grey)

        # --html: the files, the index, the records.
        rep = os.path.join(tmp, "report")
        t0 = time.time()
        rc, out, err = run(DRAW, "--annotations", ann, "--images", imgs, "--html", rep, "--decisions", log)
        check("draw --html --decisions: exit 0, the summary names the report",
              rc == 0 and out.strip().endswith("report %s/index.html" % rep), out + err)
        want = {"index.html", "stats.html", "report.css", "report.js", "data/index.js", "data/page-00000.js"}
        have = {os.path.relpath(os.path.join(d, f), rep) for d, _, fs in os.walk(rep) for f in fs}
        drawn = {"images/" + os.path.splitext(i["file_name"])[0] + ".png" for i in doc["images"]}
        check("the report's files: pages, style, script, data, one drawing per image", have == want | drawn,
              sorted(have ^ (want | drawn)))
        same = all(open(os.path.join(rep, d), "rb").read() == open(os.path.join(plain, d[7:]), "rb").read()
                   for d in drawn if not any(x["decision"] == "dropped" for x in lines))
        check("its drawings are boxmix-draw's", same and all(
            open(os.path.join(rep, d), "rb").read() == open(os.path.join(marked, d[7:]), "rb").read() for d in drawn))
        idx = load_js(os.path.join(rep, "data", "index.js"), "window.BMX_INDEX = ")
        check("index: every image with its categories, object and dropped counts",
              [r[0] for r in idx["images"]] == [i["id"] for i in doc["images"]] and
              all(sorted(r[4]) == sorted({a["category_id"] for a in doc["annotations"] if a["image_id"] == r[0]}) and
                  r[5] == sum(a["image_id"] == r[0] for a in doc["annotations"]) for r in idx["images"]),
              idx["images"][:2])
        recs = load_js(os.path.join(rep, "data", "page-00000.js"), "bmxPage(0, ")
        ok = len(recs) == len(doc["images"])
        for r, img in zip(recs, doc["images"]):
            d = [x for x in lines if img["boxmix"]["op"] == "cutmix" and x["output"] == img["boxmix"]["index"] and
                 x["decision"] == "dropped"]
            ok = ok and r["op"] == img["boxmix"]["op"] and len(r["dropped"]) == len(d) and \
                [o[5] for o in r["dropped"]] == [x["bbox_before"] for x in d] and \
                r["lambda"] == img["boxmix"].get("lambda") and r["patch"] == img["boxmix"].get("patch")
            if img["boxmix"]["op"] == "cutmix":
                base = next(i for i in doc["images"] if i["boxmix"].get("original_image_id") ==
                            img["boxmix"]["base_image_id"])
                ok = ok and r["base"] == [img["boxmix"]["base_image_id"],
                                          "images/" + os.path.splitext(base["file_name"])[0] + ".png"]
        check("records: operation, patch, lambda, base link, dropped objects with their boxes before", ok)
        external = []
        for f in have - drawn:
            text = open(os.path.join(rep, f), encoding="utf-8").read()
            for m in re.finditer(r"(?:src|href)\s*=\s*[\"']?([a-z]+:)?//", text):
                external.append((f, m.group(0)))
            for m in re.finditer(r"https?://[^\s\"'<>]+", text):
                if m.group(0) != "http://www.w3.org/2000/svg":
                    external.append((f, m.group(0)))
        check("nothing referenced outside the report (only the SVG namespace name)", not external, external)
        notes.append("report of %d images: %.2f s" % (len(doc["images"]), time.time() - t0))

        # Without the originals in the dataset: --inputs draws the bases and sources.
        plain_run, plain_log = os.path.join(tmp, "plainrun"), os.path.join(tmp, "plainrun.jsonl")
        rc, _, err = run(AUGMENT, "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES, "--out", plain_run,
                         "--seed", "7", "--decisions", plain_log, "--quiet")
        rep3 = os.path.join(tmp, "with-inputs")
        rc, out, err = run(DRAW, "--annotations", os.path.join(plain_run, "annotations.json"), "--images",
                           os.path.join(plain_run, "images"), "--html", rep3, "--limit", "2", "--inputs",
                           SAMPLES_JSON, "--input-images", SAMPLES_IMAGES, "--quiet")
        pd = json.load(open(os.path.join(plain_run, "annotations.json")))
        named = {i["boxmix"][k] for i in pd["images"][:2] for k in ("base_image_id", "source_image_id")}
        src = json.load(open(SAMPLES_JSON))
        want_inputs = sorted(os.path.splitext(i["file_name"])[0] + ".png" for i in src["images"] if i["id"] in named)
        drawn_inputs = sorted(os.listdir(os.path.join(rep3, "images", "inputs"))) if rc == 0 else []
        recs = load_js(os.path.join(rep3, "data", "page-00000.js"), "bmxPage(0, ") if rc == 0 else []
        links = [r[k] for r in recs for k in ("base", "source")]
        check("--inputs: exactly the bases and sources of the drawn outputs drawn, and linked",
              rc == 0 and drawn_inputs == want_inputs and len(links) == 4 and
              all(link[1].startswith("images/inputs/") and os.path.exists(os.path.join(rep3, link[1]))
                  for link in links), (err, drawn_inputs, want_inputs, links))
        rc, _, err = run(DRAW, "--annotations", ann, "--images", imgs, "--html", os.path.join(tmp, "i2"),
                         "--inputs", SAMPLES_JSON)
        check("--inputs without --input-images: usage error (exit 2)", rc == 2, err)
        rc, _, err = run(DRAW, "--annotations", ann, "--images", imgs, "--out", os.path.join(tmp, "i3"),
                         "--inputs", SAMPLES_JSON, "--input-images", SAMPLES_IMAGES)
        check("--inputs without --html: usage error (exit 2)", rc == 2 and "--html" in err, err)

        # 10,000 outputs: records in pages of 100, a small index.
        big, tiny = os.path.join(tmp, "big.json"), os.path.join(tmp, "tiny")
        os.mkdir(tiny)
        with open(os.path.join(tiny, "one.png"), "wb") as f:
            f.write(tiny_png(24, 16))
        n = 10000
        json.dump({"images": [{"id": i + 1, "file_name": "one.png", "width": 24, "height": 16} for i in range(n)],
                   "annotations": [{"id": i + 1, "image_id": i + 1, "category_id": 1 + i % 3, "bbox": [2, 2, 12, 10],
                                    "area": 120, "iscrowd": 0} for i in range(n)],
                   "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "c"}]},
                  open(big, "w"))
        rep2 = os.path.join(tmp, "big-report")
        t0 = time.time()
        rc, _, err = run(DRAW, "--annotations", big, "--images", tiny, "--html", rep2, "--quiet")
        took = time.time() - t0
        listed = sorted(os.listdir(os.path.join(rep2, "data"))) if rc == 0 else []
        pages = [p for p in listed if p.startswith("page-")]
        sizes = [len(load_js(os.path.join(rep2, "data", p), "bmxPage(%d, " % k)) for k, p in enumerate(pages)]
        isize = os.path.getsize(os.path.join(rep2, "data", "index.js"))
        check("10,000 images: 100 record pages of 100, an index under 80 bytes an image",
              rc == 0 and "index.js" in listed and sizes == [100] * 100 and isize < 80 * n, (rc, err, isize))
        notes.append("report of %d images of 24x16: %.1f s, index %d bytes" % (n, took, isize))

        # Errors.
        rc, _, err = run(DRAW, "--annotations", ann, "--images", imgs, "--html", rep, "--out", plain)
        check("--html with --out: usage error (exit 2)", rc == 2 and "exclude" in err, err)
        rc, _, err = run(DRAW, "--annotations", ann, "--images", imgs, "--html", imgs)
        check("--html into the input image folder: exit 1", rc == 1 and "report folder" in err, err)
        bad = os.path.join(tmp, "bad.jsonl")
        open(bad, "w").write("{\"output\": 0}\n")
        rc, _, err = run(DRAW, "--annotations", ann, "--images", imgs, "--out", os.path.join(tmp, "x"),
                         "--decisions", bad)
        check("a bad decision log: exit 1 naming file and line", rc == 1 and "bad.jsonl: line 1" in err, err)
        rc, out, _ = run(DRAW, "--help")
        check("--help lists --html and --decisions", "--html DIR" in out and "--decisions FILE" in out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("TAP version 13")
    print("1..%d" % len(results))
    for note in notes:
        print("# " + note)
    failed = 0
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            for line in str(detail).splitlines()[:10]:
                print("  # " + line)
    return 1 if failed else 0


sys.exit(main())
