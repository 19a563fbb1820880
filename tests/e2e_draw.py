#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of the built boxmix-draw on an augmented copy of samples/.

Usage: e2e_draw.py DRAW_TOOL AUGMENT_TOOL SOURCE_ROOT [turbojpeg|stb [spng|stb]]
Prints TAP. Runs boxmix-augment on samples/ into a temporary folder, then
boxmix-draw on its output with a contact sheet, and checks files, sizes, the
summary line, selection (--ids, --random, --limit), --scale, exit codes and
messages.
"""
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from png_pixels import png_pixels  # noqa: E402

DRAW, AUGMENT, ROOT = sys.argv[1], sys.argv[2], sys.argv[3]
# The sheet is a JPEG: its bytes are TurboJPEG's (the stb fallback encodes differently).
TURBOJPEG = len(sys.argv) > 4 and sys.argv[4] == "turbojpeg"
# The README's PNG pictures are libspng's bytes; stb's encoder writes the same
# pixels in other bytes, so a build without libspng compares the pixels.
SPNG = len(sys.argv) > 5 and sys.argv[5] == "spng"
SAMPLES_JSON = os.path.join(ROOT, "samples", "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(ROOT, "samples", "images")

results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(tool, *args):
    try:
        p = subprocess.run([tool, *args], capture_output=True, text=True)
    except OSError as e:
        return 127, "", "%s: %s" % (tool, e)
    return p.returncode, p.stdout, p.stderr


def image_size(path):
    """(format, width, height) from a PNG or JPEG header."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        w, h = struct.unpack(">II", data[16:24])
        return "png", w, h
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
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
                return "jpg", w, h
            i += 2 + length
    return None, 0, 0


def stem(name):
    base, ext = os.path.splitext(name)
    return base


def sheet_height(sizes, width):
    """The documented sheet layout: GAP 8, caption strip 16, thumbnails at most
    320 wide, the image fitted in a thumb_w square."""
    gap, cap, tmax = 8, 16, 320
    cols = max(1, -(-(width - gap) // (tmax + gap)))
    tw = (width - gap * (cols + 1)) // cols
    height = gap
    for r in range(0, len(sizes), cols):
        row_h = 1
        for w, h in sizes[r:r + cols]:
            th = tw if h > w else max(1, (h * tw + w // 2) // w)
            row_h = max(row_h, th)
        height += row_h + cap + gap
    return height


def tree_bytes(d):
    out = {}
    for n in sorted(os.listdir(d)):
        with open(os.path.join(d, n), "rb") as f:
            out[n] = f.read()
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="bmx_e2e_draw_")
    try:
        aug = os.path.join(tmp, "aug")
        rc, out, err = run(AUGMENT, "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES,
                           "--out", aug, "--per-image", "1", "--seed", "7")
        check("boxmix-augment on samples/ exits 0", rc == 0, err)
        if rc != 0:
            raise RuntimeError("no augmented dataset to draw")
        ann = os.path.join(aug, "annotations.json")
        imgs = os.path.join(aug, "images")
        d = json.load(open(ann)) if rc == 0 else {"images": [], "annotations": []}

        drawn = os.path.join(tmp, "drawn")
        sheet = os.path.join(tmp, "sheet.png")
        rc, out, err = run(DRAW, "--annotations", ann, "--images", imgs, "--out", drawn,
                           "--sheet", sheet, "--show", "visibility,id")
        check("draw with --sheet exits 0", rc == 0, err)
        n_img, n_ann = len(d["images"]), len(d["annotations"])
        want = "boxmix-draw: drew %d images (%d objects) into %s; sheet %s\n" % (
            n_img, n_ann, drawn, sheet)
        check("summary line names images, objects, folder and sheet", out == want,
              "got %r, want %r" % (out, want))
        bad = []
        for im in d["images"]:
            p = os.path.join(drawn, stem(im["file_name"]) + ".png")
            if not os.path.exists(p):
                bad.append("missing " + p)
                continue
            fmt, w, h = image_size(p)
            if (fmt, w, h) != ("png", im["width"], im["height"]):
                bad.append("%s: %s %dx%d, record %dx%d" % (p, fmt, w, h, im["width"], im["height"]))
        check("one PNG per image, of the image's size", n_img == 8 and not bad, "; ".join(bad))
        check("nothing else in the output folder",
              sorted(os.listdir(drawn)) == sorted(stem(im["file_name"]) + ".png" for im in d["images"]),
              str(os.listdir(drawn)))
        fmt, w, h = image_size(sheet) if os.path.exists(sheet) else (None, 0, 0)
        sizes = [(im["width"], im["height"]) for im in d["images"]]
        check("the sheet is a PNG 1280 wide, as high as the layout says",
              fmt == "png" and w == 1280 and h == sheet_height(sizes, 1280),
              "%s %dx%d, want 1280x%d" % (fmt, w, h, sheet_height(sizes, 1280)))
        try:
            import cv2
            import numpy as np
            first = d["images"][0]
            a = cv2.imread(os.path.join(imgs, first["file_name"]))
            b = cv2.imread(os.path.join(drawn, stem(first["file_name"]) + ".png"))
            changed = int(np.any(a.astype(int) != b.astype(int), axis=2).sum())
            check("the drawn image differs from its input where objects are drawn, not everywhere",
                  0 < changed < a.shape[0] * a.shape[1] * 0.9, "%d pixels changed" % changed)
        except ImportError:
            pass

        d2 = os.path.join(tmp, "sel")
        rc, out, err = run(DRAW, "--annotations", ann, "--images", imgs, "--out", d2,
                           "--ids", "1,3", "--format", "jpg", "--quality", "80", "--scale", "2")
        sel = [im for im in d["images"] if im["id"] in (1, 3)]
        got = sorted(os.listdir(d2)) if rc == 0 else []
        check("--ids 1,3 --format jpg draws two JPEGs", rc == 0 and
              got == sorted(stem(im["file_name"]) + ".jpg" for im in sel), "%s %s" % (got, err))
        ok = rc == 0 and all(image_size(os.path.join(d2, stem(im["file_name"]) + ".jpg")) ==
                             ("jpg", 2 * im["width"], 2 * im["height"]) for im in sel)
        check("--scale 2 doubles each side", ok)

        r1, r2 = os.path.join(tmp, "r1"), os.path.join(tmp, "r2")
        rc1, out1, _ = run(DRAW, "--annotations", ann, "--images", imgs, "--out", r1,
                           "--random", "3", "--seed", "5", "--quiet")
        rc2, _, _ = run(DRAW, "--annotations", ann, "--images", imgs, "--out", r2,
                        "--random", "3", "--seed", "5", "--quiet")
        t1 = tree_bytes(r1) if rc1 == 0 else {}
        t2 = tree_bytes(r2) if rc2 == 0 else {}
        check("--random 3 --seed 5 draws the same 3 images, byte for byte",
              rc1 == 0 and rc2 == 0 and len(t1) == 3 and t1 == t2, str(sorted(t1)))
        check("--quiet prints nothing", out1 == "")
        r3 = os.path.join(tmp, "r3")
        rc, out, err = run(DRAW, "--annotations", ann, "--images", imgs, "--out", r3,
                           "--limit", "2", "--no-patch", "--line-width", "1", "--mask-opacity", "0")
        check("--limit 2 draws the first two images", rc == 0 and sorted(os.listdir(r3)) ==
              sorted(stem(im["file_name"]) + ".png" for im in d["images"][:2]), err)

        rc, out, err = run(DRAW, "--help")
        check("--help: exit 0, usage, example and options on stdout",
              rc == 0 and out.startswith("usage: boxmix-draw") and "example:" in out and
              "--sheet-width PX" in out and "--mask-opacity F" in out, err)
        rc, out, err = run(DRAW, "--version")
        check("--version prints the version", rc == 0 and out.startswith("boxmix-draw 0."), out)
        rc, out, err = run(DRAW, "--bogus")
        check("unknown option: exit 2, usage and a hint on stderr",
              rc == 2 and "usage:" in err and "try 'boxmix-draw --help'" in err and out == "", err)
        rc, out, err = run(DRAW, "--annotations", ann, "--images", imgs)
        check("missing --out: exit 2", rc == 2, err)
        rc, out, err = run(DRAW, "--annotations", ann, "--images", imgs, "--out", d2,
                           "--ids", "1", "--random", "2")
        check("--ids with --random: exit 2", rc == 2 and "exclude" in err, err)
        rc, out, err = run(DRAW, "--annotations", ann, "--images", imgs, "--out", d2,
                           "--format", "gif")
        check("--format gif: exit 2", rc == 2 and "--format" in err, err)
        rc, out, err = run(DRAW, "--annotations", ann, "--images", imgs, "--out", d2,
                           "--show", "colour")
        check("--show colour: exit 2", rc == 2 and "--show" in err, err)

        badjson = os.path.join(tmp, "broken.json")
        with open(badjson, "w") as f:
            f.write('{"images": [')
        rc, out, err = run(DRAW, "--annotations", badjson, "--images", imgs, "--out",
                           os.path.join(tmp, "b1"))
        check("malformed annotations: exit 1, message names the file",
              rc == 1 and err.startswith("boxmix-draw: ") and "broken.json" in err, err)
        rc, out, err = run(DRAW, "--annotations", os.path.join(tmp, "missing.json"), "--images",
                           imgs, "--out", os.path.join(tmp, "b2"))
        check("missing annotations: exit 1, message names the file",
              rc == 1 and "missing.json" in err, err)
        esc = os.path.join(tmp, "esc.json")
        with open(esc, "w") as f:
            json.dump({"images": [{"id": 1, "file_name": "../x.jpg", "width": 10, "height": 10}],
                       "annotations": [], "categories": []}, f)
        rc, out, err = run(DRAW, "--annotations", esc, "--images", imgs, "--out",
                           os.path.join(tmp, "b3"))
        check("a file_name escaping the folders: exit 1 naming images[0].file_name",
              rc == 1 and "esc.json: images[0].file_name" in err and
              not os.path.exists(os.path.join(tmp, "b3")), err)
        rc, out, err = run(DRAW, "--annotations", ann, "--images", imgs, "--out", imgs)
        check("the image folder as output: exit 1", rc == 1 and "input image folder" in err, err)
        rc, out, err = run(DRAW, "--annotations", ann, "--images", os.path.join(tmp, "nowhere"),
                           "--out", os.path.join(tmp, "b4"))
        check("a missing image: exit 1 naming the annotation file, image and path",
              rc == 1 and "images[0]" in err and "nowhere" in err, err)
        # VOC input: the samples' VOC folder, drawn with its images.
        ovoc = os.path.join(tmp, "voc")
        rc, out, err = run(DRAW, "--voc", os.path.join(ROOT, "samples", "voc"), "--images",
                           os.path.join(ROOT, "samples", "images"), "--out", ovoc)
        drawn = sorted(os.listdir(ovoc)) if rc == 0 else []
        check("--voc draws every image of a VOC folder", rc == 0 and len(drawn) == 8 and
              "drew 8 images" in out, err + out)
        rc, out, err = run(DRAW, "--voc", os.path.join(ROOT, "samples", "voc"), "--annotations", ann,
                           "--out", os.path.join(tmp, "b5"))
        check("--voc with --annotations: exit 2", rc == 2, err)
        # The README's pictures are what the current code renders from samples/.
        orr = os.path.join(tmp, "readme")
        rc1, _, err1 = run(AUGMENT, "--annotations", SAMPLES_JSON, "--images",
                           os.path.join(ROOT, "samples", "images"), "--out", orr,
                           "--per-image", "1", "--seed", "7", "--quiet")
        rc2, _, err2 = run(DRAW, "--annotations", os.path.join(orr, "annotations.json"), "--images",
                           os.path.join(orr, "images"), "--out", os.path.join(orr, "drawn"),
                           "--sheet", os.path.join(orr, "sheet.jpg"), "--sheet-width", "960",
                           "--show", "visibility", "--quality", "85", "--quiet")
        def same(a, b):
            try:
                x, y = open(a, "rb").read(), open(b, "rb").read()
            except OSError:
                return False
            if x == y:
                return True
            return not SPNG and a.endswith(".png") and png_pixels(x) == png_pixels(y)
        check("samples/readme/draw_example.png is what the code renders",
              rc1 == 0 and rc2 == 0 and same(os.path.join(orr, "drawn", "cutmix_000001.png"),
                                             os.path.join(ROOT, "samples", "readme", "draw_example.png")),
              err1 + err2)
        # The keypoint picture: image 2 of samples/keypoints/, drawn at twice its size.
        okp = os.path.join(tmp, "readme_kp")
        rc3, _, err3 = run(DRAW, "--annotations",
                           os.path.join(ROOT, "samples", "keypoints", "annotations.json"),
                           "--images", os.path.join(ROOT, "samples", "keypoints", "images"),
                           "--out", okp, "--ids", "2", "--scale", "2", "--quiet")
        check("samples/readme/keypoints_example.png is what the code renders",
              rc3 == 0 and same(os.path.join(okp, "person_02.png"),
                                os.path.join(ROOT, "samples", "readme", "keypoints_example.png")),
              err3)
        if TURBOJPEG:
            check("samples/readme/sheet_example.jpg is what the code renders",
                  rc2 == 0 and same(os.path.join(orr, "sheet.jpg"),
                                    os.path.join(ROOT, "samples", "readme", "sheet_example.jpg")))
    except Exception as e:  # report as a failed check, still print TAP
        check("the checks ran to the end", False, "%s: %s" % (type(e).__name__, e))
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
