#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Every tool's outputs over a matrix of options, for byte-identity checks.

Usage: snapshot_outputs.py TOOLS_DIR OUT [KIT_DIR]

Runs boxmix-augment (every --mask-format, PNG, VOC output, --include-originals,
dry runs, shards and boxmix-merge), boxmix-draw, boxmix-convert (both ways) and
boxmix-check (--json) on samples/ (and on a benchmark kit set when KIT_DIR, a
folder with annotations.json and images/, is given), each into its own folder
under OUT, with stdout, stderr and exit status beside it. Two builds compare
with `diff -r OUT_A OUT_B`: a change of shape must leave no difference.
Paths in messages are relative to OUT, so the two trees are comparable.
"""
import os
import shutil
import subprocess
import sys

TOOLS, OUT = sys.argv[1], sys.argv[2]
KIT = sys.argv[3] if len(sys.argv) > 3 else None
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tool(name):
    return os.path.abspath(os.path.join(TOOLS, "boxmix-" + name))


def run(label, name, *args):
    """Run one tool in OUT (so relative paths are the same for every build)."""
    p = subprocess.run([tool(name), *args], cwd=OUT, capture_output=True, text=True)
    with open(os.path.join(OUT, label + ".log"), "w") as f:
        f.write("exit %d\n--- stdout\n%s--- stderr\n%s" % (p.returncode, p.stdout, p.stderr))


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    sets = [("samples", os.path.join(ROOT, "samples", "coco", "annotations.json"),
             os.path.join(ROOT, "samples", "images")),
            ("keypoints", os.path.join(ROOT, "samples", "keypoints", "annotations.json"),
             os.path.join(ROOT, "samples", "keypoints", "images"))]
    if KIT:
        sets.append(("kit", os.path.abspath(os.path.join(KIT, "annotations.json")),
                     os.path.abspath(os.path.join(KIT, "images"))))
    for tag, ann, img in sets:
        base = ["--annotations", ann, "--images", img]
        for mf in ("keep", "rle", "polygon"):
            run("%s-aug-%s" % (tag, mf), "augment", *base, "--out", "%s-aug-%s" % (tag, mf),
                "--per-image", "2", "--seed", "7", "--mask-format", mf)
        run(tag + "-aug-png", "augment", *base, "--out", tag + "-aug-png", "--seed", "3", "--format", "png")
        run(tag + "-aug-voc", "augment", *base, "--out", tag + "-aug-voc", "--seed", "4", "--out-format", "voc",
            "--include-originals")
        run(tag + "-aug-orig", "augment", *base, "--out", tag + "-aug-orig", "--seed", "5", "--include-originals",
            "--placement", "avoid-base", "--cut-ratio", "0.2:0.6", "--report", tag + "-report.json")
        run(tag + "-aug-dry", "augment", *base, "--out", tag + "-aug-dry", "--seed", "6", "--dry-run",
            "--per-image", "3")
        shards = []
        for i in range(3):
            d = "%s-shard%d" % (tag, i)
            run(d, "augment", *base, "--out", d, "--seed", "8", "--shard", "%d/3" % i, "--include-originals")
            shards.append(d)
        run(tag + "-merge", "merge", tag + "-merged", *shards)
        run(tag + "-draw", "draw", "--annotations", tag + "-aug-keep/annotations.json", "--images",
            tag + "-aug-keep/images", "--out", tag + "-drawn", "--sheet", tag + "-sheet.png", "--show",
            "visibility,id", "--limit", "12")
        run(tag + "-draw-src", "draw", *base, "--out", tag + "-drawn-src", "--format", "jpg", "--scale", "1.5",
            "--limit", "6")
        run(tag + "-to-voc", "convert", "--from", "coco", *base, "--to", "voc", "--out", tag + "-voc")
        run(tag + "-to-coco", "convert", "--from", "voc", "--voc", tag + "-voc", "--to", "coco", "--out",
            tag + "-coco")
        run(tag + "-check", "check", "--json", "--images", img, ann)
        run(tag + "-check-out", "check", "--json", tag + "-aug-rle/annotations.json")
        run(tag + "-check-voc", "check", "--json", "--voc", tag + "-voc")
    for case in sorted(os.listdir(os.path.join(ROOT, "tests", "data", "check"))):
        p = os.path.join(ROOT, "tests", "data", "check", case, "annotations.json")
        if os.path.exists(p):
            run("check-case-" + case, "check", "--json", p)
    print("snapshot in %s" % OUT)


if __name__ == "__main__":
    main()
