#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of the built boxmix-convert on samples/.

Usage: e2e_convert.py TOOL SOURCE_ROOT
Prints TAP. Checks the VOC -> COCO -> VOC round trip (the same XML content for
boxes and attributes), COCO -> VOC (layout torchvision's VOCDetection and
MMDetection's VOCDataset read, boxes rounded outward, the message about masks),
--link, --split/--labels, refusing outputs that hold a dataset, exit codes and
messages.
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

TOOL, ROOT = sys.argv[1], sys.argv[2]
SAMPLES = os.path.join(ROOT, "samples")
SAMPLES_JSON = os.path.join(SAMPLES, "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(SAMPLES, "images")
SAMPLES_VOC = os.path.join(SAMPLES, "voc")
SCHEMA_CHECK = os.path.join(ROOT, "tests", "check_schema.py")
IN_SCHEMA = os.path.join(ROOT, "schemas", "coco-input.schema.json")

results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(*args):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def text(el, path, default=None):
    e = el.find(path)
    return default if e is None or e.text is None else e.text.strip()


def voc_content(path):
    """What a VOC file says about its image and objects, in a comparable form."""
    root = ET.parse(path).getroot()
    image = {k: text(root, k) for k in ("folder", "filename", "size/width", "size/height",
                                        "size/depth", "segmented")}
    objects = []
    for o in root.findall("object"):
        objects.append({k: text(o, k) for k in ("name", "pose", "truncated", "difficult", "occluded",
                                                 "bndbox/xmin", "bndbox/ymin", "bndbox/xmax",
                                                 "bndbox/ymax")})
    extra = [ET.tostring(e) for e in root if e.tag not in
             ("folder", "filename", "size", "segmented", "object")]
    return image, objects, extra


def tree_files(d):
    out = []
    for base, _, names in os.walk(d):
        out += [os.path.relpath(os.path.join(base, n), d) for n in names]
    return sorted(out)


def main():
    tmp = tempfile.mkdtemp(prefix="bmx_e2e_convert_")
    try:
        # ---- VOC -> COCO -> VOC on the samples ----
        coco_dir, voc_dir = os.path.join(tmp, "coco"), os.path.join(tmp, "voc")
        rc, out, err = run("--from", "voc", "--voc", SAMPLES_VOC, "--images", SAMPLES_IMAGES,
                           "--to", "coco", "--out", coco_dir)
        stems = sorted(os.path.splitext(n)[0] for n in os.listdir(os.path.join(SAMPLES_VOC, "Annotations")))
        check("VOC -> COCO exits 0", rc == 0, err)
        check("VOC -> COCO summary line on stdout",
              out.startswith("boxmix-convert: wrote %d images" % len(stems)) and "as COCO" in out, out)
        ann = os.path.join(coco_dir, "annotations.json")
        d = json.load(open(ann)) if rc == 0 else {"images": [], "annotations": [], "categories": []}
        check("COCO has every image, ids 1..n, and the images were copied",
              [im["id"] for im in d["images"]] == list(range(1, len(stems) + 1)) and
              all(os.path.isfile(os.path.join(coco_dir, "images", im["file_name"])) for im in d["images"]))
        check("categories are the VOC names, sorted, ids 1..n",
              [c["name"] for c in d["categories"]] == sorted(c["name"] for c in d["categories"]) and
              [c["id"] for c in d["categories"]] == list(range(1, len(d["categories"]) + 1)))
        # Hand-check one object: VOC xmin..xmax are 1-based inclusive.
        first = voc_content(os.path.join(SAMPLES_VOC, "Annotations", stems[0] + ".xml"))[1][0]
        a0 = d["annotations"][0] if d["annotations"] else {"bbox": []}
        x0, y0 = float(first["bndbox/xmin"]), float(first["bndbox/ymin"])
        x1, y1 = float(first["bndbox/xmax"]), float(first["bndbox/ymax"])
        check("bbox = [xmin-1, ymin-1, xmax-xmin+1, ymax-ymin+1], area = w*h",
              a0["bbox"] == [x0 - 1, y0 - 1, x1 - x0 + 1, y1 - y0 + 1] and
              a0.get("area") == (x1 - x0 + 1) * (y1 - y0 + 1) and a0.get("iscrowd") == 0, a0)
        if os.path.exists(SCHEMA_CHECK) and os.path.exists(IN_SCHEMA):
            sch = subprocess.run(["/usr/bin/python3", SCHEMA_CHECK, IN_SCHEMA, ann],
                                 capture_output=True, text=True)
            check("the COCO output validates against schemas/coco-input.schema.json",
                  sch.returncode == 0, sch.stdout + sch.stderr)

        rc, out, err = run("--from", "coco", "--annotations", ann, "--images",
                           os.path.join(coco_dir, "images"), "--to", "voc", "--out", voc_dir)
        check("COCO -> VOC (back) exits 0 with no mask message", rc == 0 and "masks" not in err, err)
        same, diffs = True, []
        for s in stems:
            a = voc_content(os.path.join(SAMPLES_VOC, "Annotations", s + ".xml"))
            p = os.path.join(voc_dir, "Annotations", s + ".xml")
            b = voc_content(p) if os.path.exists(p) else None
            if a != b:
                same = False
                diffs.append("%s: %s != %s" % (s, a, b))
        check("VOC -> COCO -> VOC: the same XML content (image, boxes, attributes, kept elements)",
              same, "; ".join(diffs[:3]))
        identical = all(open(os.path.join(SAMPLES_VOC, "Annotations", s + ".xml"), "rb").read() ==
                        open(os.path.join(voc_dir, "Annotations", s + ".xml"), "rb").read()
                        for s in stems if os.path.exists(os.path.join(voc_dir, "Annotations", s + ".xml")))
        check("VOC -> COCO -> VOC: the samples' XML files come back byte for byte", identical)

        # ---- COCO -> VOC on the samples: masks, layout, rounding ----
        voc2 = os.path.join(tmp, "voc2")
        rc, out, err = run("--from", "coco", "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES,
                           "--to", "voc", "--out", voc2)
        src = json.load(open(SAMPLES_JSON))
        n_masked = sum(1 for a in src["annotations"]
                       if isinstance(a.get("segmentation"), dict) or a.get("segmentation"))
        check("COCO -> VOC exits 0", rc == 0, err)
        check("COCO -> VOC says how many masks VOC cannot carry",
              "boxmix-convert: %d of %d objects had masks; VOC XML cannot carry them: wrote their boxes only"
              % (n_masked, len(src["annotations"])) in err, err)
        check("COCO -> VOC of objects without keypoints says nothing of keypoints", "keypoints" not in err, err)
        kp_json = os.path.join(ROOT, "samples", "keypoints", "annotations.json")
        rc_k, _, err_k = run("--from", "coco", "--annotations", kp_json, "--images",
                             os.path.join(ROOT, "samples", "keypoints", "images"), "--to", "voc", "--out",
                             os.path.join(tmp, "voc-keypoints"))
        n_kp = len(json.load(open(kp_json))["annotations"])
        check("COCO -> VOC says how many objects had keypoints VOC cannot carry",
              rc_k == 0 and ("boxmix-convert: %d of %d objects had keypoints; VOC XML cannot carry them: left out"
                             % (n_kp, n_kp)) in err_k, err_k)
        ids = open(os.path.join(voc2, "ImageSets", "Main", "trainval.txt")).read().split() if rc == 0 else []
        check("ImageSets/Main/trainval.txt lists one id per image",
              len(ids) == len(src["images"]) and len(set(ids)) == len(ids), ids)
        layout_ok, bad = True, []
        cats = {c["id"]: c["name"] for c in src["categories"]}
        by_image = {}
        for a in src["annotations"]:
            by_image.setdefault(a["image_id"], []).append(a)
        for im in src["images"]:
            stem = os.path.splitext(os.path.basename(im["file_name"]))[0]
            xml_path = os.path.join(voc2, "Annotations", stem + ".xml")
            if not os.path.exists(xml_path) or not os.path.exists(
                    os.path.join(voc2, "JPEGImages", os.path.basename(im["file_name"]))):
                layout_ok = False
                bad.append("missing files for " + stem)
                continue
            # What torchvision's VOCDetection / MMDetection's VOCDataset read.
            root = ET.parse(xml_path).getroot()
            W, H = int(text(root, "size/width")), int(text(root, "size/height"))
            if (W, H) != (im["width"], im["height"]) or text(root, "filename") != os.path.basename(im["file_name"]):
                bad.append("size or filename of " + stem)
            objs = root.findall("object")
            anns = by_image.get(im["id"], [])
            if len(objs) != len(anns):
                bad.append("%s: %d objects for %d annotations" % (stem, len(objs), len(anns)))
                continue
            for o, a in zip(objs, anns):
                x, y, w, h = a["bbox"]
                want = [math.floor(x) + 1, math.floor(y) + 1, math.ceil(x + w), math.ceil(y + h)]
                want = [min(max(want[0], 1), W), min(max(want[1], 1), H),
                        min(max(want[2], 1), W), min(max(want[3], 1), H)]
                got = [int(text(o, "bndbox/" + k)) for k in ("xmin", "ymin", "xmax", "ymax")]
                if got != want or text(o, "name") != cats[a["category_id"]]:
                    bad.append("%s: %s %s, want %s %s" % (stem, text(o, "name"), got, cats[a["category_id"]], want))
                if int(text(o, "difficult")) != int(a.get("iscrowd", 0) == 1):
                    bad.append("%s: difficult for iscrowd %s" % (stem, a.get("iscrowd")))
        check("COCO -> VOC: every image has Annotations/<id>.xml and its JPEGImages file",
              layout_ok and rc == 0, "; ".join(bad[:3]))
        check("COCO -> VOC: boxes rounded outward and clamped, names and difficult right",
              not bad and rc == 0, "; ".join(bad[:3]))

        # ---- --link ----
        voc3 = os.path.join(tmp, "voc3")
        rc, out, err = run("--from", "coco", "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES,
                           "--to", "voc", "--out", voc3, "--link", "--quiet")
        linked = rc == 0 and all(
            os.path.samefile(os.path.join(voc3, "JPEGImages", os.path.basename(im["file_name"])),
                             os.path.join(SAMPLES_IMAGES, im["file_name"])) for im in src["images"])
        check("--link: every image is a link to its input", linked, err)
        check("--quiet: no summary line", rc == 0 and out == "", out)
        coco3 = os.path.join(tmp, "coco3")
        rc, out, err = run("--from", "voc", "--voc", voc3, "--to", "coco", "--out", coco3, "--link")
        linked = rc == 0 and all(
            os.path.samefile(os.path.join(coco3, "images", os.path.basename(im["file_name"])),
                             os.path.join(SAMPLES_IMAGES, im["file_name"])) for im in src["images"])
        check("VOC -> COCO with --link and the default JPEGImages folder", linked, out + err)

        # ---- split and labels ----
        labels = os.path.join(tmp, "labels.txt")
        names = [c["name"] for c in d["categories"]][::-1]
        with open(labels, "w") as f:
            f.write("\n".join(names) + "\n")
        coco4 = os.path.join(tmp, "coco4")
        split = os.listdir(os.path.join(SAMPLES_VOC, "ImageSets", "Main"))[0][:-4]
        rc, out, err = run("--from", "voc", "--voc", SAMPLES_VOC, "--images", SAMPLES_IMAGES,
                           "--split", split, "--labels", labels, "--to", "coco", "--out", coco4)
        d4 = json.load(open(os.path.join(coco4, "annotations.json"))) if rc == 0 else {"categories": []}
        check("--split and --labels: categories in the labels' order",
              rc == 0 and [c["name"] for c in d4["categories"]] == names, err)
        with open(labels, "w") as f:
            f.write("\n".join(names[1:]) + "\n")
        rc, out, err = run("--from", "voc", "--voc", SAMPLES_VOC, "--images", SAMPLES_IMAGES,
                           "--labels", labels, "--to", "coco", "--out", os.path.join(tmp, "coco5"))
        check("a name missing from --labels: exit 1 naming file and element",
              rc == 1 and "/name: '%s' is not in the labels file" % names[0] in err and ".xml" in err, err)

        # ---- provenance of a CutMix output survives COCO -> VOC -> COCO ----
        augment = os.path.join(os.path.dirname(os.path.abspath(TOOL)), "boxmix-augment")
        if os.access(augment, os.X_OK):
            mixed = os.path.join(tmp, "mixed")
            p = subprocess.run([augment, "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES,
                                "--out", mixed, "--seed", "3", "--quiet"], capture_output=True, text=True)
            mvoc, mcoco = os.path.join(tmp, "mixed_voc"), os.path.join(tmp, "mixed_coco")
            rc1, _, err1 = run("--from", "coco", "--annotations", os.path.join(mixed, "annotations.json"),
                               "--images", os.path.join(mixed, "images"), "--to", "voc", "--out", mvoc)
            rc2, _, err2 = run("--from", "voc", "--voc", mvoc, "--to", "coco", "--out", mcoco)
            ok = p.returncode == 0 and rc1 == 0 and rc2 == 0
            detail = p.stderr + err1 + err2
            if ok:
                dm = json.load(open(os.path.join(mixed, "annotations.json")))
                dc = json.load(open(os.path.join(mcoco, "annotations.json")))
                ok = [im["boxmix"] for im in dm["images"]] == [im["boxmix"] for im in dc["images"]] and \
                    [a["boxmix"] for a in dm["annotations"]] == [a["boxmix"] for a in dc["annotations"]]
                clipped_ok = True
                for im in dm["images"]:
                    stem = os.path.splitext(im["file_name"])[0]
                    r = ET.parse(os.path.join(mvoc, "Annotations", stem + ".xml")).getroot()
                    anns = [a for a in dm["annotations"] if a["image_id"] == im["id"]]
                    for o, a in zip(r.findall("object"), anns):
                        if (a["boxmix"]["visibility"] < 1) != (text(o, "truncated") == "1"):
                            clipped_ok = False
                check("CutMix output -> VOC: clipped objects are truncated", clipped_ok)
            check("CutMix output -> VOC -> COCO keeps every boxmix record", ok, detail)
        else:
            results.append(("CutMix output -> VOC -> COCO keeps every boxmix record # SKIP no boxmix-augment", True, ""))

        # ---- refusals and bad input ----
        rc, out, err = run("--from", "coco", "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES,
                           "--to", "voc", "--out", voc2)
        check("an output folder holding a dataset is refused (exit 1)",
              rc == 1 and "already holds a dataset" in err, err)
        before = tree_files(voc2)
        rc, out, err = run("--from", "coco", "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES,
                           "--to", "voc", "--out", voc2, "--force")
        check("--force writes it again", rc == 0 and tree_files(voc2) == before, err)
        rc, out, err = run("--from", "voc", "--voc", SAMPLES_VOC, "--images", SAMPLES_IMAGES,
                           "--to", "coco", "--out", SAMPLES_IMAGES)
        check("the input image folder is refused as output", rc == 1 and "input image folder" in err, err)

        broken = os.path.join(tmp, "broken")
        shutil.copytree(SAMPLES_VOC, broken)
        bad_xml = os.path.join(broken, "Annotations", stems[1] + ".xml")
        xml_text = open(bad_xml).read()
        with open(bad_xml, "w") as f:
            f.write(xml_text.replace("<bndbox>", "<bndbox", 1))
        rc, out, err = run("--from", "voc", "--voc", broken, "--images", SAMPLES_IMAGES, "--to", "coco",
                           "--out", os.path.join(tmp, "b1"))
        check("malformed XML: exit 1, the file and line named",
              rc == 1 and stems[1] + ".xml: line " in err and "not well-formed" in err, err)
        check("nothing is written for bad input",
              not os.path.exists(os.path.join(tmp, "b1", "annotations.json")))
        root = ET.fromstring(xml_text)
        w = text(root, "size/width")
        with open(bad_xml, "w") as f:
            f.write(re.sub(r"<xmax>[^<]*</xmax>", "<xmax>%d</xmax>" % (int(w) + 1), xml_text, count=1))
        rc, out, err = run("--from", "voc", "--voc", broken, "--images", SAMPLES_IMAGES, "--to", "coco",
                           "--out", os.path.join(tmp, "b2"))
        check("a box outside its image: exit 1 with the element",
              rc == 1 and "annotation/object[1]/bndbox: xmax %d is outside the image width %s" %
              (int(w) + 1, w) in err, err)

        # ---- usage ----
        for args, name in (([], "no arguments"),
                           (["--from", "xml", "--to", "coco", "--out", tmp], "--from xml"),
                           (["--from", "coco", "--to", "coco", "--annotations", SAMPLES_JSON,
                             "--images", SAMPLES_IMAGES, "--out", tmp], "--from coco --to coco"),
                           (["--from", "coco", "--to", "voc", "--out", tmp], "--from coco without --annotations"),
                           (["--from", "voc", "--to", "coco", "--out", tmp], "--from voc without --voc"),
                           (["--from", "voc", "--voc", SAMPLES_VOC, "--to", "coco", "--out", tmp,
                             "--max-pixels", "99999999999999999999"], "--max-pixels past 2^64"),
                           (["--bogus"], "an unknown option")):
            rc, out, err = run(*args)
            check("usage error (%s): exit 2 and a usage line" % name, rc == 2 and "usage:" in err, err)
        rc, out, err = run("--help")
        check("--help: exit 0, usage and options on stdout",
              rc == 0 and out.startswith("usage:") and "--link" in out and "--labels" in out, err)
        rc, out, err = run("--version")
        check("--version prints the version", rc == 0 and out.strip().startswith("boxmix-convert 0."), out)
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
