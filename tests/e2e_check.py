#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of the built boxmix-check.

Usage: e2e_check.py TOOL SOURCE_ROOT
Prints TAP. Runs the tool on the samples and on the broken datasets of
tests/data/check/ (COCO) and tests/data/check_voc/ (--voc), and checks exit codes
(0 no error, 1 errors, 2 usage), the human lines, the --json lines, --strict,
--max-problems, --split, --labels, image files that are missing or of another
size than their record says, and COCO keypoints (samples/keypoints when there).
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

TOOL, ROOT = sys.argv[1], sys.argv[2]
SAMPLES_JSON = os.path.join(ROOT, "samples", "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(ROOT, "samples", "images")
CASES = os.path.join(ROOT, "tests", "data", "check")
VOC_CASES = os.path.join(ROOT, "tests", "data", "check_voc")
SAMPLES_VOC = os.path.join(ROOT, "samples", "voc")
SAMPLES_KP_JSON = os.path.join(ROOT, "samples", "keypoints", "annotations.json")
SAMPLES_KP_IMAGES = os.path.join(ROOT, "samples", "keypoints", "images")

results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(*args):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def case_file(name):
    return os.path.join(CASES, name, "annotations.json")


def expected_lines(name):
    with open(os.path.join(CASES, name, "expected.txt")) as f:
        return f.read().splitlines()


def png(w, h):
    """A w x h RGB PNG, written by hand."""
    raw = b"".join(b"\x00" + bytes([40, 90, 200]) * w for _ in range(h))

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data +
                struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def voc_cases():
    """(name, tool arguments, case folder) of every line of check_voc/cases.txt."""
    out = []
    with open(os.path.join(VOC_CASES, "cases.txt")) as f:
        for line in f:
            name, *opts = line.split()
            d = os.path.join(VOC_CASES, name)
            args = ["--voc", d]
            for o in opts:
                k, v = o.split("=", 1)
                args += ["--" + k, os.path.join(d, v) if k == "labels" else v]
            out.append((name, args, d))
    return out


def voc_expected(d):
    """A VOC case's expected lines as the tool prints them (files made whole)."""
    with open(os.path.join(d, "expected.txt")) as f:
        return [os.path.join(d, l.replace("{case}", d)) for l in f.read().splitlines()]


def check_voc():
    # the samples (no JPEGImages/: the images come from --images): clean, exit 0
    for extra in ([], ["--split", "train"], ["--split", "train", "--decode"]):
        rc, out, err = run("--voc", SAMPLES_VOC, "--images", SAMPLES_IMAGES, *extra)
        check("VOC samples %s: no problem, exit 0" % " ".join(extra),
              rc == 0 and err == "" and
              out == "boxmix-check: 0 errors, 0 warnings in 8 images, 41 annotations\n", out + err)
    rc, out, err = run("--json", "--voc", SAMPLES_VOC, "--images", SAMPLES_IMAGES)
    s = json.loads(out.splitlines()[-1])["summary"] if rc == 0 else {}
    check("VOC samples --json: the summary counts images, objects, names, files",
          s.get("images") == 8 and s.get("annotations") == 41 and s.get("categories") == 4
          and s.get("image_files") == 8 and s.get("errors") == 0, out + err)
    rc, out, err = run("--voc", os.path.join(SAMPLES_VOC, "Annotations", "sample_04.xml"),
                       "--images", SAMPLES_IMAGES)
    check("VOC: one XML file checks on its own",
          rc == 0 and out == "boxmix-check: 0 errors, 0 warnings in 1 image, 5 annotations\n",
          out + err)

    # every broken case: its exact problems, in order, and the exit code
    cases = voc_cases()
    bad = []
    for name, args, d in cases:
        exp = voc_expected(d)
        rc, out, err = run(*args)
        want_rc = 1 if any(": error: " in l for l in exp) else 0
        if out.splitlines()[:-1] != exp or rc != want_rc or err != "":
            bad.append("%s: rc %d\n%s%s" % (name, rc, out, err))
    check("VOC cases (%d): every problem with file, path and code; exit codes" % len(cases),
          not bad and len(cases) >= 20, "\n".join(bad))

    many = os.path.join(VOC_CASES, "many-problems")
    many_args = ["--voc", many, "--split", "train", "--labels", os.path.join(many, "labels.txt")]
    exp = voc_expected(many)
    n_err = sum(": error: " in l for l in exp)
    n_warn = sum(": warning: " in l for l in exp)
    rc, out, err = run(*many_args)
    check("VOC many problems: across files and the split list, then the summary",
          rc == 1 and len({l.split(": ")[0] for l in exp}) >= 6 and
          out.splitlines()[-1] == "boxmix-check: %d errors, %d warnings in 5 images, 4 annotations"
          % (n_err, n_warn), out + err)
    rc, out, err = run("--json", *many_args)
    objs = [json.loads(l) for l in out.splitlines()]
    as_text = ["%s: %s: %s: %s [%s]" % (o["file"], o["path"], o["severity"], o["message"],
                                          o["code"]) for o in objs[:-1]]
    check("VOC --json: problems match the human lines, summary counts",
          rc == 1 and as_text == exp and objs[-1]["summary"]["errors"] == n_err
          and objs[-1]["summary"]["warnings"] == n_warn and objs[-1]["summary"]["images"] == 5
          and objs[-1]["summary"]["categories"] == 2, "\n".join(as_text))
    check("VOC --json: XML problems carry element paths",
          ("annotation/object[1]/bndbox/xmax", "voc-box-outside-image") in
          [(o["path"], o["code"]) for o in objs[:-1]], objs)

    # --strict turns the 1-pixel box warning into an error
    one = os.path.join(VOC_CASES, "one-pixel-box")
    rc1, out1, _ = run("--voc", one)
    rc2, out2, _ = run("--voc", one, "--strict")
    check("VOC warning only: exit 0; --strict: exit 1",
          rc1 == 0 and "[bbox-empty]" in out1 and rc2 == 1 and ": error: " in out2, out1 + out2)

    # --images elsewhere: the case's JPEGImages/ is not looked at
    tmp = tempfile.mkdtemp(prefix="bmx_e2e_check_voc_")
    try:
        clean = os.path.join(VOC_CASES, "clean")
        rc, out, err = run("--voc", clean, "--images", tmp)
        lines = out.splitlines()
        check("VOC --images DIR: image files looked up there",
              rc == 1 and lines[:-1] == [
                  "%s: annotation/filename: error: %s: no such file [image-missing]"
                  % (os.path.join(clean, "Annotations", x + ".xml"),
                     os.path.join(tmp, x + ".png")) for x in "ab"], out + err)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # runs that cannot start, and usage errors
    rc, out, err = run("--voc", os.path.join(VOC_CASES, "no-such-case"))
    check("VOC: missing folder: exit 1, message on stderr",
          rc == 1 and out == "" and "no-such-case" in err, out + err)
    rc, out, err = run("--voc", os.path.join(VOC_CASES, "clean"), "--split", "val")
    check("VOC: missing split list: exit 1, message on stderr",
          rc == 1 and out == "" and "ImageSets/Main/val.txt" in err, out + err)
    for args, what in [(["--voc", SAMPLES_VOC, SAMPLES_JSON], "--voc and a COCO file"),
                       (["--split", "train", SAMPLES_JSON], "--split without --voc"),
                       (["--labels", "x.txt", SAMPLES_JSON], "--labels without --voc"),
                       (["--voc"], "--voc without its argument")]:
        rc, out, err = run(*args)
        check("usage error (%s): exit 2 and a usage line" % what,
              rc == 2 and "usage:" in err and out == "", err)


def check_limits():
    """The limits the augmenter's reader applies (struct bmx_limits, the defaults) are
    errors here too: 100,001 annotations on one image, a polygon of 1,000,001
    vertices. The files are made in a temporary folder (several MB each)."""
    tmp = tempfile.mkdtemp(prefix="bmx_e2e_check_limits_")
    try:
        head = ('{"categories": [{"id": 1, "name": "c"}], "images": [{"id": 7, '
                '"file_name": "a.jpg", "width": 1000000, "height": 20}], "annotations": [')
        box = ('{"id": %d, "image_id": 7, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1, '
               '"iscrowd": 0}')
        many = os.path.join(tmp, "many.json")
        with open(many, "w") as f:
            f.write(head + ",\n".join(box % (i + 1) for i in range(100001)) + "]}\n")
        rc, out, err = run(many)
        check("100,001 annotations on one image: an error at the first past the limit",
              rc == 1 and out.splitlines() == [
                  many + ": annotations[100000].image_id: error: image 7 has more than 100000 "
                  "annotations (limit) [limit-exceeded]",
                  "boxmix-check: 1 error, 0 warnings in 1 image, 100001 annotations"],
              out + err)
        xy = [0, 0, 1000000, 0, 1000000, 10]
        for x in range(999999, 1, -1):
            xy += [x, 10]
        poly = os.path.join(tmp, "poly.json")
        with open(poly, "w") as f:
            f.write(head + '{"id": 1, "image_id": 7, "category_id": 1, "bbox": [0, 0, 1000000, '
                    '10], "area": 9999990, "iscrowd": 0, "segmentation": [[%s]]}]}\n'
                    % ", ".join(str(v) for v in xy))
        rc, out, err = run(poly)
        check("a polygon of 1,000,001 vertices: an error",
              rc == 1 and out.splitlines() == [
                  poly + ": annotations[0].segmentation: error: 1000001 polygon vertices, more "
                  "than the limit of 1000000 [limit-exceeded]",
                  "boxmix-check: 1 error, 0 warnings in 1 image, 1 annotation"], out + err)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_keypoints():
    """COCO keypoints: a file with several keypoint problems gives each, with its
    place and code (the rules of lib/keypoints.h, the reader's own), and exit 1;
    the keypoint sample, when there, checks without a problem."""
    kp = case_file("keypoints-many-problems")
    exp = expected_lines("keypoints-many-problems")
    rc, out, err = run(kp)
    lines = out.splitlines()
    check("keypoints: exit 1, every problem in order with file and place",
          rc == 1 and err == "" and lines[:-1] == [kp + ": " + l for l in exp], out + err)
    n_err = sum(": error: " in l for l in exp)
    n_warn = sum(": warning: " in l for l in exp)
    check("keypoints: the summary counts them",
          lines[-1:] == ["boxmix-check: %d errors, %d warnings in 2 images, 5 annotations"
                         % (n_err, n_warn)], lines[-1:])
    rc, out, err = run("--json", kp)
    try:
        objs = [json.loads(l) for l in out.splitlines()]
    except ValueError as e:
        objs = []
        err += str(e)
    got = [(o["path"], o["severity"], o["code"]) for o in objs[:-1]]
    want = [("categories[1].skeleton[1]", "error", "bad-value"),
            ("annotations[0].keypoints", "error", "keypoints-count"),
            ("annotations[1].keypoints", "error", "keypoint-outside-image"),
            ("annotations[1].num_keypoints", "error", "num-keypoints"),
            ("annotations[1].keypoints", "warning", "keypoint-unlabelled-position"),
            ("annotations[2].keypoints", "warning", "keypoint-outside-box"),
            ("annotations[3].num_keypoints", "error", "bad-value"),
            ("annotations[3].keypoints", "error", "keypoint-visibility"),
            ("annotations[4].keypoints", "error", "wrong-type")]
    check("keypoints --json: each code at its place", rc == 1 and got == want,
          "\n".join(map(str, got)) + err)
    # a warning-only keypoint file passes, and fails with --strict
    rc1, out1, _ = run(case_file("keypoint-outside-box"))
    rc2, out2, _ = run("--strict", case_file("keypoint-outside-box"))
    check("keypoints: a warning alone exits 0, with --strict 1",
          rc1 == 0 and "[keypoint-outside-box]" in out1 and rc2 == 1
          and ": error: " in out2 and "[keypoint-outside-box]" in out2, out1 + out2)
    rc, out, err = run(case_file("keypoints-clean"))
    check("keypoints: a clean keypoint file (and any triples where the category names none)",
          rc == 0 and out == "boxmix-check: 0 errors, 0 warnings in 2 images, 4 annotations\n",
          out + err)
    if os.path.exists(SAMPLES_KP_JSON):
        rc, out, err = run("--images", SAMPLES_KP_IMAGES, "--decode", SAMPLES_KP_JSON)
        check("keypoint samples: no problem, exit 0",
              rc == 0 and err == "" and len(out.splitlines()) == 1
              and out.startswith("boxmix-check: 0 errors, 0 warnings in "), out + err)


def main():
    # the samples: no error (two warnings for the minimal annotation), exit 0
    rc, out, err = run("--images", SAMPLES_IMAGES, "--decode", SAMPLES_JSON)
    check("samples: exit 0", rc == 0, out + err)
    check("samples: summary line",
          out.splitlines()[-1:] == ["boxmix-check: 0 errors, 2 warnings in 8 images, 41 annotations"],
          out)
    check("samples: only the minimal annotation's warnings",
          [l.split(": ")[1] for l in out.splitlines()[:-1]] ==
          ["annotations[40].area", "annotations[40].iscrowd"], out)

    # a clean file, --annotations spelling
    rc, out, err = run("--annotations", case_file("clean"))
    check("clean case: exit 0 and nothing but the summary",
          rc == 0 and out == "boxmix-check: 0 errors, 0 warnings in 2 images, 4 annotations\n",
          out + err)

    # many problems: every line, exactly, then the summary; exit 1
    many = case_file("many-problems")
    exp = expected_lines("many-problems")
    n_err = sum(": error: " in l for l in exp)
    n_warn = sum(": warning: " in l for l in exp)
    rc, out, err = run(many)
    lines = out.splitlines()
    check("many problems: exit 1", rc == 1, err)
    check("many problems: every problem, in order, with file and path",
          lines[:-1] == [many + ": " + l for l in exp], "\n".join(lines))
    check("many problems: summary counts them all",
          lines[-1] == "boxmix-check: %d errors, %d warnings in 4 images, 6 annotations"
          % (n_err, n_warn), lines[-1:])

    # --json: one object per problem, then the summary
    rc, out, err = run("--json", many)
    objs = []
    try:
        objs = [json.loads(l) for l in out.splitlines()]
        parsed = True
    except ValueError as e:
        parsed = False
        err = str(e)
    check("--json: every line parses", parsed and len(objs) == len(exp) + 1, out + err)
    if parsed and len(objs) == len(exp) + 1:
        as_text = ["%s: %s: %s [%s]" % (o["path"], o["severity"], o["message"], o["code"])
                   for o in objs[:-1]]
        check("--json: problems match the human lines", as_text == exp, "\n".join(as_text))
        check("--json: every problem names the file",
              all(o["file"] == many and set(o) == {"file", "path", "severity", "code", "message"}
                  for o in objs[:-1]), objs[:2])
        s = objs[-1].get("summary", {})
        check("--json: summary object",
              s.get("errors") == n_err and s.get("warnings") == n_warn and s.get("images") == 4
              and s.get("annotations") == 6 and s.get("categories") == 3
              and s.get("not_shown") == 0, objs[-1])
    check("--json: exit 1", rc == 1)

    # --max-problems: prints N, counts all
    rc, out, err = run("--max-problems", "3", many)
    lines = out.splitlines()
    check("--max-problems 3: three problems, a note, the full summary",
          rc == 1 and lines[:3] == [many + ": " + l for l in exp[:3]]
          and lines[3] == "boxmix-check: %d more problems not shown (--max-problems 3)"
          % (len(exp) - 3)
          and lines[4].startswith("boxmix-check: %d errors, %d warnings" % (n_err, n_warn))
          and len(lines) == 5, out)
    rc, out, err = run("--json", "--max-problems", "2", many)
    lines = out.splitlines()
    check("--json --max-problems 2: not_shown counted",
          len(lines) == 3 and json.loads(lines[-1])["summary"]["not_shown"] == len(exp) - 2, out)

    # --strict: a warning-only file passes, and fails with --strict
    warn_only = case_file("bbox-off-by-one")
    rc1, out1, _ = run(warn_only)
    rc2, out2, _ = run("--strict", warn_only)
    check("warning only: exit 0", rc1 == 0 and ": warning: " in out1, out1)
    check("--strict: warnings become errors, exit 1",
          rc2 == 1 and ": error: " in out2 and "[bbox-off-by-one]" in out2
          and out2.splitlines()[-1].startswith("boxmix-check: 1 error, 0 warnings"), out2)

    # a JSON syntax error: one problem with line and column
    rc, out, err = run(case_file("json-syntax"))
    check("syntax error: exit 1, line and column",
          rc == 1 and "$: error: line 3, column 2: not valid JSON (expected ',' or '}') [json-syntax]" in out, out)

    # image files: one missing, one of another size than recorded
    tmp = tempfile.mkdtemp(prefix="bmx_e2e_check_")
    try:
        imgs = os.path.join(tmp, "imgs")
        os.makedirs(imgs)
        with open(os.path.join(imgs, "a.png"), "wb") as f:
            f.write(png(100, 80))
        with open(os.path.join(imgs, "b.png"), "wb") as f:
            f.write(png(64, 50))  # the record says 64x48
        shutil.copy(os.path.join(SAMPLES_IMAGES, "sample_01.jpg"), os.path.join(imgs, "c.jpg"))
        doc = {"images": [
            {"id": 1, "file_name": "a.png", "width": 100, "height": 80},
            {"id": 2, "file_name": "b.png", "width": 64, "height": 48},
            {"id": 3, "file_name": "sub/missing.jpg", "width": 10, "height": 10},
            {"id": 4, "file_name": "c.jpg", "width": 640, "height": 480}],
            "annotations": [], "categories": []}
        ann = os.path.join(tmp, "ann.json")
        with open(ann, "w") as f:
            json.dump(doc, f)
        rc, out, err = run("--images", imgs, ann)
        lines = out.splitlines()
        missing = os.path.join(imgs, "sub", "missing.jpg")
        check("image files: exit 1", rc == 1, out + err)
        check("missing image reported with its path",
              "%s: images[2].file_name: error: %s: no such file [image-missing]" % (ann, missing)
              in lines, out)
        check("PNG of another size reported",
              "%s: images[1].file_name: error: %s is 64x50, the record says 64x48 "
              "[image-size-mismatch]" % (ann, os.path.join(imgs, "b.png")) in lines, out)
        check("sample JPEG under another record size reported",
              "%s: images[3].file_name: error: %s is 320x240, the record says 640x480 "
              "[image-size-mismatch]" % (ann, os.path.join(imgs, "c.jpg")) in lines, out)
        check("image files: nothing else", len(lines) == 4 and
              lines[-1] == "boxmix-check: 3 errors, 0 warnings in 4 images, 0 annotations", out)
        rc, out, err = run(ann)
        check("without --images no file is looked at", rc == 0, out)

        # a JPEG whose frame header lies past the first 64 KiB (large APP segments)
        with open(os.path.join(SAMPLES_IMAGES, "sample_01.jpg"), "rb") as f:
            jpg = f.read()
        app = b"\xff\xef" + struct.pack(">H", 60002) + bytes(60000)
        with open(os.path.join(imgs, "big_app.jpg"), "wb") as f:
            f.write(jpg[:2] + app + app + jpg[2:])
        far = os.path.join(tmp, "far.json")
        with open(far, "w") as f:
            json.dump({"images": [{"id": 1, "file_name": "big_app.jpg", "width": 320,
                                   "height": 240}], "annotations": [], "categories": []}, f)
        rc, out, err = run("--images", imgs, far)
        check("JPEG header past 64 KiB: read and found right", rc == 0 and err == "", out + err)
        rc, out, err = run("--json", "--images", imgs, ann)
        objs = [json.loads(l) for l in out.splitlines()]
        check("--json: image problems carry code and path",
              [(o["path"], o["code"]) for o in objs[:-1]] ==
              [("images[1].file_name", "image-size-mismatch"),
               ("images[2].file_name", "image-missing"),
               ("images[3].file_name", "image-size-mismatch")]
              and objs[-1]["summary"]["image_files"] == 4, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    check_limits()
    check_keypoints()
    check_voc()

    # runtime failure and usage errors
    rc, out, err = run(os.path.join(CASES, "no-such-file.json"))
    check("unreadable annotation file: exit 1, message on stderr",
          rc == 1 and "no-such-file.json" in err and out == "", err)
    for args, what in [(["--bogus", SAMPLES_JSON], "unknown option"),
                       ([], "no file"),
                       ([SAMPLES_JSON, SAMPLES_JSON], "two files"),
                       (["--decode", SAMPLES_JSON], "--decode without --images"),
                       (["--max-problems", "-1", SAMPLES_JSON], "negative --max-problems"),
                       (["--images"], "option without its argument")]:
        rc, out, err = run(*args)
        check("usage error (%s): exit 2 and a usage line" % what,
              rc == 2 and "usage:" in err and out == "", err)
    rc, out, err = run("--help")
    check("--help: exit 0, usage and options on stdout",
          rc == 0 and out.startswith("usage:") and "--strict" in out and "--json" in out
          and "--voc" in out and "--split" in out and "--labels" in out, err)
    rc, out, err = run("--version")
    check("--version prints the version", rc == 0 and out.startswith("boxmix-check 0."), out)

    print("TAP version 13")
    print("1..%d" % len(results))
    failed = 0
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            for line in str(detail).splitlines()[:20]:
                print("  # " + line)
    return 1 if failed else 0


sys.exit(main())
