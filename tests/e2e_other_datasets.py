#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""No tool writes into another dataset or run: an output folder holding a dataset of
any format, a report folder holding a dataset or the decision log it reads, and a
--decisions or --report file that exists (without --force) or lies inside another
run's folder are refused, and nothing there changes.

    e2e_other_datasets.py TOOLS_DIR SOURCE_ROOT     (TAP on stdout)
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

TOOLS, ROOT = sys.argv[1], sys.argv[2]
AUG, CONV, DRAW = (os.path.join(TOOLS, "boxmix-" + t) for t in ("augment", "convert", "draw"))
ANN = os.path.join(ROOT, "samples", "coco", "annotations.json")
IMG = os.path.join(ROOT, "samples", "images")
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(*args):
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    return p.returncode, p.stderr


def digest(d):
    h = hashlib.sha256()
    for dp, dn, fn in sorted(os.walk(d)):
        dn.sort()
        for f in sorted(fn):
            p = os.path.join(dp, f)
            h.update(p[len(d):].encode())
            with open(p, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()


def main():
    tmp = tempfile.mkdtemp(prefix="boxmix-others-")
    try:
        done = os.path.join(tmp, "done")
        rc, err = run(AUG, "--annotations", ANN, "--images", IMG, "--out", done, "--quiet")
        check("a finished run to protect", rc == 0, err)
        before = digest(done)

        # --decisions / --report inside another run's folder, or over an existing file.
        for opt, name in (("--decisions", "images/cutmix_000000.jpg"), ("--report", "annotations.json"),
                          ("--decisions", "new.jsonl")):
            rc, err = run(AUG, "--annotations", ANN, "--images", IMG, "--out", os.path.join(tmp, "o1"),
                          opt, os.path.join(done, name), "--quiet", "--force")
            check("%s into another run's folder (%s): exit 1, naming it" % (opt, name),
                  rc == 1 and "holds a dataset or a boxmix run" in err, err)
        existing = os.path.join(tmp, "existing.txt")
        open(existing, "w").write("keep\n")
        rc, err = run(AUG, "--annotations", ANN, "--images", IMG, "--out", os.path.join(tmp, "o2"),
                      "--decisions", existing, "--quiet")
        check("--decisions over an existing file without --force: exit 1", rc == 1 and "exists" in err, err)
        check("the existing file is unchanged", open(existing).read() == "keep\n")
        rc, err = run(AUG, "--annotations", ANN, "--images", IMG, "--out", os.path.join(tmp, "o3"),
                      "--decisions", existing, "--force", "--quiet")
        check("--decisions over an existing file with --force: exit 0", rc == 0, err)

        # Output folders holding a dataset of another format.
        yolo = os.path.join(tmp, "yolo")
        shutil.copytree(os.path.join(ROOT, "samples", "yolo", "detect"), yolo)
        ybefore = digest(yolo)
        rc, err = run(AUG, "--annotations", ANN, "--images", IMG, "--out", yolo, "--quiet")
        check("COCO output into a YOLO dataset: exit 1 (data.yaml)", rc == 1 and "data.yaml" in err, err)
        rc, err = run(AUG, "--annotations", ANN, "--images", IMG, "--out", done, "--out-format", "yolo",
                      "--quiet")
        check("YOLO output into a COCO run's folder: exit 1 (annotations.json)",
              rc == 1 and "annotations.json" in err, err)
        voc = os.path.join(tmp, "voc")
        shutil.copytree(os.path.join(ROOT, "samples", "voc"), voc)
        vbefore = digest(voc)
        rc, err = run(CONV, "--annotations", ANN, "--images", IMG, "--to", "yolo", "--out", voc, "--quiet")
        check("convert --to yolo into a VOC dataset: exit 1 (Annotations/)", rc == 1 and "Annotations" in err,
              err)

        # Report folders.
        rc, err = run(DRAW, "--annotations", os.path.join(done, "annotations.json"), "--images",
                      os.path.join(done, "images"), "--html", yolo, "--quiet")
        check("--html into a dataset's folder: exit 1", rc == 1 and "holds a dataset" in err, err)
        logdir = os.path.join(tmp, "logdir")
        os.makedirs(logdir)
        log = os.path.join(logdir, "log.jsonl")
        rc, err = run(AUG, "--annotations", ANN, "--images", IMG, "--out", os.path.join(tmp, "o4"),
                      "--decisions", log, "--quiet")
        check("a run with its decision log", rc == 0, err)
        logbefore = open(log, "rb").read()
        rc, err = run(DRAW, "--annotations", os.path.join(tmp, "o4", "annotations.json"), "--images",
                      os.path.join(tmp, "o4", "images"), "--html", logdir, "--decisions", log, "--quiet")
        check("--html into the folder of the decision log it reads: exit 1", rc == 1, err)
        check("the decision log is unchanged", open(log, "rb").read() == logbefore)

        check("the finished run is unchanged", digest(done) == before)
        check("the YOLO dataset is unchanged", digest(yolo) == ybefore)
        check("the VOC dataset is unchanged", digest(voc) == vbefore)
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
            for line in str(detail).splitlines()[:8]:
                print("  # " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
