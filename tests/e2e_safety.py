#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Crash safety, resume, bad images and paths, through the built boxmix-augment.

Usage: e2e_safety.py TOOL SOURCE_ROOT
Prints TAP. An interrupted run (SIGKILL, SIGINT) is finished with --resume and
must give the bytes of an uninterrupted run; bad input images stop a run before
anything is written, or are left out with --skip-bad; nothing is ever written
outside --out.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOOL, ROOT = sys.argv[1], sys.argv[2]
SAMPLES_JSON = os.path.join(ROOT, "samples", "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(ROOT, "samples", "images")
REPORT_SCHEMA = os.path.join(ROOT, "schemas", "report.schema.json")
SCHEMA_CHECK = os.path.join(ROOT, "tests", "check_schema.py")
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(*args, **kw):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True, **kw)
    return p.returncode, p.stdout, p.stderr


def tree_bytes(d, skip=()):
    files = {}
    for base, _, names in os.walk(d):
        for n in names:
            p = os.path.join(base, n)
            rel = os.path.relpath(p, d)
            if rel in skip:
                continue
            with open(p, "rb") as f:
                files[rel] = f.read()
    return files


def journal_lines(out):
    try:
        with open(os.path.join(out, ".boxmix-journal")) as f:
            return sum(1 for line in f.read().splitlines() if line.startswith("output "))
    except OSError:
        return 0


def interrupted_run(out, sig, args):
    """Start a run, wait until some outputs are journaled, send `sig`."""
    p = subprocess.Popen([TOOL, *args, "--out", out], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and p.poll() is None and journal_lines(out) < 15:
        time.sleep(0.005)
    was_running = p.poll() is None
    if was_running:
        p.send_signal(sig)
    out_text, err_text = p.communicate(timeout=120)
    return was_running, p.returncode, out_text, err_text


def main():
    tmp = tempfile.mkdtemp(prefix="bmx_safety_")
    try:
        base = ["--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES, "--seed", "3",
                "--per-image", "30", "--threads", "1", "--quiet"]
        ref = os.path.join(tmp, "ref")
        rc, _, err = run(*base, "--out", ref)
        check("uninterrupted reference run", rc == 0, err)
        ref_tree = tree_bytes(ref)
        check("a finished run leaves a finished journal, no lock and no temporary file",
              not any(".boxmix-tmp-" in n or "lock" in n for n in os.listdir(ref)) and
              open(os.path.join(ref, ".boxmix-journal")).read().splitlines()[-1].startswith("done ") and
              not any(".boxmix-tmp-" in n for n in os.listdir(os.path.join(ref, "images"))))

        # SIGKILL partway, then --resume.
        k = os.path.join(tmp, "killed")
        was_running, rc, _, _ = interrupted_run(k, signal.SIGKILL, base)
        check("the run was killed partway (SIGKILL)", was_running and rc == -signal.SIGKILL, str(rc))
        check("a killed run leaves no annotation file", not os.path.exists(os.path.join(k, "annotations.json")))
        rc, out, err = run(*base, "--out", k)
        check("without --resume an interrupted folder is refused", rc == 1 and "--resume" in err, err)
        rc, out, err = run(*[a if a != "3" else "4" for a in base], "--out", k, "--resume")
        check("--resume with other options is refused", rc == 1 and "other inputs or options" in err, err)
        before = journal_lines(k)
        rc, out, err = run(*base, "--out", k, "--resume")
        check("--resume finishes the killed run", rc == 0, err)
        check("the resumed run has the bytes of the uninterrupted one", tree_bytes(k) == ref_tree,
              "%d journaled before resume" % before)

        # The resume really skipped work: resume a second killed run and read its summary.
        k2 = os.path.join(tmp, "killed2")
        interrupted_run(k2, signal.SIGKILL, base)
        p = subprocess.run([TOOL, *base[:-1], "--out", k2, "--resume"], capture_output=True, text=True)
        check("--resume reports the outputs it kept", p.returncode == 0 and "resumed:" in p.stdout and
              tree_bytes(k2) == ref_tree, p.stdout + p.stderr)

        # SIGINT stops cleanly with a message; --resume finishes.
        s = os.path.join(tmp, "sigint")
        was_running, rc, _, err = interrupted_run(s, signal.SIGINT, base)
        check("SIGINT stops with exit 130 and says how to finish",
              was_running and rc == 130 and "interrupted" in err and "--resume" in err, "%s %s" % (rc, err))
        rc, _, err = run(*base, "--out", s, "--resume")
        check("--resume after SIGINT gives the same bytes", rc == 0 and tree_bytes(s) == ref_tree, err)

        # A corrupt image file in a finished output is made again by --resume.
        c = os.path.join(tmp, "corrupt")
        interrupted_run(c, signal.SIGKILL, base)
        victim = os.path.join(c, "images", "cutmix_000000.jpg")
        if os.path.exists(victim):
            with open(victim, "r+b") as f:
                f.seek(200)
                f.write(b"\0" * 50)
        rc, _, err = run(*base, "--out", c, "--resume")
        check("--resume remakes an output whose file no longer matches", rc == 0 and tree_bytes(c) == ref_tree, err)

        # Bad input images.
        bad_dir = os.path.join(tmp, "badimgs")
        shutil.copytree(SAMPLES_IMAGES, bad_dir)
        os.remove(os.path.join(bad_dir, "sample_03.jpg"))
        with open(os.path.join(bad_dir, "sample_05.jpg"), "r+b") as f:
            data = f.read()
            f.seek(0)
            f.truncate()
            f.write(data[:len(data) // 3])
        ob = os.path.join(tmp, "bad-default")
        rc, out, err = run("--annotations", SAMPLES_JSON, "--images", bad_dir, "--out", ob)
        check("a missing image stops the run with exit 1 before anything is written",
              rc == 1 and "sample_03.jpg" in err and "nothing was written" in err and
              not os.path.exists(ob), err)
        ob2 = os.path.join(tmp, "bad-skip")
        rep = os.path.join(tmp, "report.json")
        rc, out, err = run("--annotations", SAMPLES_JSON, "--images", bad_dir, "--out", ob2,
                           "--skip-bad", "--report", rep, "--seed", "1")
        d = json.load(open(os.path.join(ob2, "annotations.json"))) if rc == 0 else {"images": []}
        r = json.load(open(rep)) if os.path.exists(rep) else {}
        used = {im["boxmix"]["base_image_id"] for im in d["images"]} | {im["boxmix"]["source_image_id"] for im in d["images"]}
        check("--skip-bad leaves the two bad images out and goes on",
              rc == 0 and len(d["images"]) == 6 and not used & {3, 5} and "left out 2" in err, err)
        check("the report lists the skipped images with their reasons",
              [x["file_name"] for x in r.get("skipped_images", [])] == ["sample_03.jpg", "sample_05.jpg"], r)
        sch = subprocess.run(["/usr/bin/python3", SCHEMA_CHECK, REPORT_SCHEMA, rep], capture_output=True, text=True)
        check("the report validates against schemas/report.schema.json", sch.returncode == 0, sch.stdout + sch.stderr)

        # Paths: nothing is written outside --out.
        sentinel = os.path.join(tmp, "elsewhere")
        os.makedirs(sentinel)
        o3 = os.path.join(tmp, "symlinked")
        os.makedirs(o3)
        os.symlink(sentinel, os.path.join(o3, "images"))
        rc, out, err = run("--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES, "--out", o3)
        check("a symlink inside the output folder is not followed",
              rc == 1 and "symlink" in err and os.listdir(sentinel) == [], err)
        for name, fn in (("absolute", "/tmp/x.jpg"), ("climbing", "a/../../x.jpg")):
            j = os.path.join(tmp, name + ".json")
            src = json.load(open(SAMPLES_JSON))
            src["images"][2]["file_name"] = fn
            json.dump(src, open(j, "w"))
            rc, out, err = run("--annotations", j, "--images", SAMPLES_IMAGES, "--out", os.path.join(tmp, name))
            check("a %s file_name is refused with its JSON path" % name,
                  rc == 1 and "images[2].file_name" in err and "escapes" in err, err)
        j = os.path.join(tmp, "collide.json")
        src = json.load(open(SAMPLES_JSON))
        src["images"][1]["file_name"] = src["images"][0]["file_name"]
        json.dump(src, open(j, "w"))
        rc, out, err = run("--annotations", j, "--images", SAMPLES_IMAGES, "--out", os.path.join(tmp, "col"),
                           "--include-originals")
        check("two originals with one file name are refused (their copies would collide)",
              rc == 1 and "collide" in err, err)
        # A whole run with originals in sub-folders touches only --out.
        nested = os.path.join(tmp, "nested")
        os.makedirs(os.path.join(nested, "imgs", "sub"))
        src = json.load(open(SAMPLES_JSON))
        for im in src["images"]:
            shutil.copy(os.path.join(SAMPLES_IMAGES, im["file_name"]), os.path.join(nested, "imgs", "sub", im["file_name"]))
            im["file_name"] = "sub/" + im["file_name"]
        json.dump(src, open(os.path.join(nested, "a.json"), "w"))
        before = tree_bytes(tmp)
        o4 = os.path.join(tmp, "o4")
        rc, out, err = run("--annotations", os.path.join(nested, "a.json"), "--images", os.path.join(nested, "imgs"),
                           "--out", o4, "--include-originals")
        after = tree_bytes(tmp)
        outside = {p for p in set(after) ^ set(before) if not p.startswith("o4" + os.sep)}
        changed = {p for p in set(after) & set(before) if after[p] != before[p]}
        check("a run writes only inside --out (originals in sub-folders included)",
              rc == 0 and not outside and not changed and
              os.path.exists(os.path.join(o4, "images", "sub", "sample_01.jpg")), err + str(outside | changed))
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
