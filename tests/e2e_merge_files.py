#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of boxmix-merge on shards of runs with VOC and YOLO output.

Usage: e2e_merge_files.py TOOLS_DIR SOURCE_ROOT
Prints TAP. On samples/: for VOC and YOLO output, with the default CutMix, with
--include-originals, with dry runs, with another operation and two outputs per
input, and from YOLO input, the shards (given in any order) merged are the single
run's folder byte for byte, journal included (compared file by file); --link gives
the same bytes. Refused, naming the shard and exit 1, with no dataset file
written: a missing or repeated shard, shards of two formats, an image edited
after its run, a data.yaml that differs, an image deleted; an output folder that
holds a dataset unless --force.
"""
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile

TOOLS, ROOT = sys.argv[1], sys.argv[2]
SAMPLES = os.path.join(ROOT, "samples")
COCO = ["--annotations", os.path.join(SAMPLES, "coco", "annotations.json"),
        "--images", os.path.join(SAMPLES, "images")]
YOLO_IN = ["--yolo", os.path.join(SAMPLES, "yolo", "detect", "data.yaml")]

results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(tool, *args):
    p = subprocess.run([os.path.join(TOOLS, "boxmix-" + tool), *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def tree(root):
    """Every file below root (relative path -> bytes)."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for fn in files:
            p = os.path.join(dirpath, fn)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root)] = f.read()
    return out


def same_tree(a, b):
    ta, tb = tree(a), tree(b)
    if ta == tb:
        return True, ""
    only = sorted(set(ta) ^ set(tb))
    differ = sorted(k for k in set(ta) & set(tb) if ta[k] != tb[k])
    return False, "only in one: %s; differ: %s" % (only[:5], differ[:5])


def shards_of(tmp, tag, args, n):
    out = []
    for i in range(n):
        s = os.path.join(tmp, "%s-shard%d" % (tag, i))
        rc, _, se = run("augment", *args, "--shard", "%d/%d" % (i, n), "--out", s, "--quiet")
        if rc != 0:
            raise RuntimeError("shard %d of %s: %s" % (i, tag, se))
        out.append(s)
    return out


def test_identical(tmp):
    cases = [
        ("voc", COCO + ["--out-format", "voc"]),
        ("voc-originals", COCO + ["--out-format", "voc", "--include-originals", "--seed", "3"]),
        ("voc-dry", COCO + ["--out-format", "voc", "--include-originals", "--dry-run"]),
        ("voc-mixup", COCO + ["--out-format", "voc", "--op", "mixup", "--per-image", "2"]),
        ("yolo", COCO + ["--out-format", "yolo"]),
        ("yolo-originals", COCO + ["--out-format", "yolo", "--include-originals"]),
        ("yolo-dry", COCO + ["--out-format", "yolo", "--include-originals", "--dry-run"]),
        ("yolo-copypaste", COCO + ["--out-format", "yolo", "--op", "copypaste", "--per-image", "2"]),
        ("yolo-input", YOLO_IN + ["--include-originals", "--op", "cutout", "--per-image", "2"]),
    ]
    for tag, args in cases:
        single = os.path.join(tmp, tag + "-single")
        rc, _, se = run("augment", *args, "--out", single, "--quiet")
        check("%s: the single run" % tag, rc == 0, se)
        shards = shards_of(tmp, tag, args, 3)
        merged = os.path.join(tmp, tag + "-merged")
        rc, so, se = run("merge", merged, shards[2], shards[0], shards[1])
        ok, why = same_tree(single, merged) if rc == 0 else (False, se)
        check("%s: 3 shards merged in another order are the single run's bytes" % tag, ok, why)
        if tag in ("voc", "yolo"):
            linked = os.path.join(tmp, tag + "-linked")
            rc, _, se = run("merge", "--link", "--quiet", linked, *shards)
            ok, why = same_tree(single, linked) if rc == 0 else (False, se)
            check("%s: --link gives the same bytes" % tag, ok, why)
            check("%s: the summary line counts the samples" % tag, "8 samples" in so, so)


def refused(name, rc, se, words, out):
    marks = ["data.yaml", os.path.join("ImageSets", "Main", "trainval.txt")]
    wrote = [m for m in marks if os.path.exists(os.path.join(out, m))]
    check(name, rc == 1 and all(w in se for w in words) and not wrote,
          "rc %d, stderr %r, dataset files written: %s" % (rc, se, wrote))


def test_refused(tmp):
    voc = shards_of(tmp, "r-voc", COCO + ["--out-format", "voc"], 3)
    yolo = shards_of(tmp, "r-yolo", COCO + ["--out-format", "yolo"], 3)
    out = os.path.join(tmp, "r-out")
    rc, _, se = run("merge", out, voc[0], voc[1])
    refused("a missing shard is refused", rc, se, ["shard 0/3", "2 shards were given"], out)
    rc, _, se = run("merge", out, voc[0], voc[0], voc[2])
    refused("a shard given twice is refused", rc, se, [voc[0], "both shard 0/3"], out)
    coco = shards_of(tmp, "r-coco", COCO, 3)
    rc, _, se = run("merge", out, voc[0], coco[1], coco[2])
    refused("VOC and COCO shards are refused together", rc, se, [coco[1], "another output format"],
            out)
    rc, _, se = run("merge", out, yolo[0], voc[1], voc[2])
    refused("YOLO and VOC shards are refused together", rc, se, [voc[1]], out)

    edited = os.path.join(tmp, "r-edited")
    shutil.copytree(yolo[1], edited)
    img_dir = os.path.join(edited, "images", "train")
    victim = sorted(os.listdir(img_dir))[0]
    with open(os.path.join(img_dir, victim), "ab") as f:
        f.write(b"x")
    out2 = os.path.join(tmp, "r-out2")
    rc, _, se = run("merge", out2, yolo[0], edited, yolo[2])
    refused("an image edited after its run is refused, named", rc, se,
            [os.path.join(edited, "images", "train", victim), "not the file its run wrote"], out2)

    yaml = os.path.join(tmp, "r-yaml")
    shutil.copytree(yolo[2], yaml)
    with open(os.path.join(yaml, "data.yaml"), "a") as f:
        f.write("# edited\n")
    out3 = os.path.join(tmp, "r-out3")
    rc, _, se = run("merge", out3, yolo[0], yolo[1], yaml)
    refused("a data.yaml that differs is refused, named", rc, se,
            [os.path.join(yaml, "data.yaml"), "differs"], out3)

    gone = os.path.join(tmp, "r-gone")
    shutil.copytree(voc[2], gone)
    jpg = os.path.join(gone, "JPEGImages")
    os.remove(os.path.join(jpg, sorted(os.listdir(jpg))[0]))
    out4 = os.path.join(tmp, "r-out4")
    rc, _, se = run("merge", out4, voc[0], voc[1], gone)
    refused("a deleted image is refused, named", rc, se, [gone], out4)

    done = os.path.join(tmp, "r-done")
    rc, _, se = run("merge", "--quiet", done, *yolo)
    before = tree(done)
    rc2, _, se2 = run("merge", "--quiet", done, *yolo)
    check("a folder holding a dataset is refused without --force, untouched",
          rc == 0 and rc2 == 1 and "already holds a dataset" in se2 and tree(done) == before,
          se + se2)
    rc3, _, se3 = run("merge", "--quiet", "--force", done, *yolo)
    check("--force writes it again, the same bytes", rc3 == 0 and tree(done) == before, se3)


def main():
    tmp = tempfile.mkdtemp(prefix="bmx-merge-files-")
    try:
        test_identical(tmp)
        test_refused(tmp)
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
