#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of boxmix-augment --decisions (the decision log) on samples/.

Usage: e2e_decisions.py TOOLS_DIR SOURCE_ROOT
Prints TAP. Every line valid against schemas/decisions.schema.json; one line per
object of each output's base and source; the counts equal the summary line's and
the report's; kept lines are the output's annotations (same provenance and box);
each rule that dropped an object holds for its numbers; the same bytes for any
--threads, in a dry run, (shard logs joined in output order) across shards, and
after a SIGKILL and --resume;
the log is written whole or not at all, and never over an input.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_schema import Validator  # noqa: E402

TOOLS, ROOT = sys.argv[1], sys.argv[2]
AUGMENT = os.path.join(TOOLS, "boxmix-augment")
SAMPLES_JSON = os.path.join(ROOT, "samples", "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(ROOT, "samples", "images")
SCHEMA = os.path.join(ROOT, "schemas", "decisions.schema.json")

results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def augment(out, log, *extra):
    args = [AUGMENT, "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES, "--out", out]
    if log is not None:
        args += ["--decisions", log]
    p = subprocess.run(args + list(extra), capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def read_log(path):
    with open(path, "rb") as f:
        data = f.read()
    return data, [json.loads(line) for line in data.decode().splitlines()]


def summary_counts(text):
    m = re.search(r"objects: (\d+) kept whole, (\d+) clipped, (\d+) dropped", text)
    return tuple(int(x) for x in m.groups()) if m else None


def main():
    tmp = tempfile.mkdtemp(prefix="boxmix-decisions-")
    try:
        with open(SCHEMA) as f:
            schema = json.load(f)
        Validator.check_schema(schema)
        validator = Validator(schema)
        src = json.load(open(SAMPLES_JSON))
        per_image = {}
        for a in src["annotations"]:
            per_image[a["image_id"]] = per_image.get(a["image_id"], 0) + 1

        # 1. The log of a run with thresholds that make every rule fire.
        out = os.path.join(tmp, "a")
        log = os.path.join(tmp, "a.jsonl")
        report = os.path.join(tmp, "a-report.json")
        opts = ["--per-image", "3", "--seed", "7", "--min-area", "400", "--min-size", "20",
                "--threads", "1"]
        rc, so, se = augment(out, log, "--report", report, *opts)
        check("run with --decisions: exit 0", rc == 0, se)
        data, lines = read_log(log)
        errors = [e.message for line in lines for e in validator.iter_errors(line)]
        check("every line is valid against decisions.schema.json", lines and not errors,
              "\n".join(errors[:5]))
        counts = summary_counts(se + so)
        mine = (sum(x["decision"] == "kept" for x in lines),
                sum(x["decision"] == "clipped" for x in lines),
                sum(x["decision"] == "dropped" for x in lines))
        check("kept/clipped/dropped equal the summary line", counts == mine, (counts, mine))
        rep = json.load(open(report))["objects"]
        check("and the report's", (rep["kept_whole"], rep["clipped"], rep["dropped"]) == mine,
              (rep, mine))
        rules = {x["rule"] for x in lines if x["decision"] == "dropped"}
        check("every rule names a drop here", rules == {"no-area", "min_visibility", "min_area",
                                                       "min_size"}, rules)

        doc = json.load(open(os.path.join(out, "annotations.json")))
        by_image = {}
        for a in doc["annotations"]:
            by_image.setdefault(a["image_id"], []).append(a)
        ok_count, ok_kept, ok_order = True, True, True
        detail = ""
        for img in doc["images"]:
            mine = [x for x in lines if x["image_id"] == img["id"]]
            bm = img["boxmix"]
            want = per_image.get(bm["base_image_id"], 0) + per_image.get(bm["source_image_id"], 0)
            if len(mine) != want or any(x["file_name"] != img["file_name"] for x in mine):
                ok_count, detail = False, (img["file_name"], len(mine), want)
            froms = [x["from"] for x in mine]
            if froms != sorted(froms):  # "base" lines before "source" lines
                ok_order = False
            kept = [(x["from"], x["source_annotation_id"], x["bbox"]) for x in mine
                    if x["decision"] != "dropped"]
            anns = [(a["boxmix"]["from"], a["boxmix"]["source_annotation_id"], a["bbox"])
                    for a in by_image.get(img["id"], [])]
            if kept != anns:
                ok_kept, detail = False, (img["file_name"], kept, anns)
        check("one line per object of each output's base and source", ok_count, detail)
        check("the base's lines, then the source's", ok_order)
        check("kept and clipped lines are the output's annotations (provenance, box)", ok_kept,
              detail)
        whole = all(x["visibility"] == 1 for x in lines if x["decision"] == "kept")
        check("kept lines are whole (visibility 1)", whole)

        bad = []
        for x in lines:
            crowd = x["iscrowd"] == 1
            vis, area, box, rule = x["visibility"], x["visible_area"], x["bbox"], x["rule"]
            if x["decision"] == "dropped":
                holds = {"no-area": area == 0 or box is None,
                         "min_visibility": area > 0 and vis < 0.10,
                         "min_area": area > 0 and vis >= 0.10 and area < 400,
                         "min_size": area >= 400 and vis >= 0.10 and box is not None and
                         (box[2] < 20 or box[3] < 20)}[rule]
                holds = holds and not (crowd and rule != "no-area")
            elif x["decision"] == "clipped" and not crowd:
                holds = vis >= 0.10 and area >= 400 and box[2] >= 20 and box[3] >= 20
            else:
                holds = True
            if not holds:
                bad.append(x)
        check("each verdict follows from its numbers and the thresholds", not bad, bad[:3])

        # 2. The same bytes for any --threads and in a dry run.
        for name, extra in (("--threads 3", ["--threads", "3"]), ("--dry-run", ["--dry-run"])):
            o2, l2 = os.path.join(tmp, "t" + str(len(name))), os.path.join(tmp, "t%d.jsonl" % len(name))
            args = [a for a in opts if a not in ("--threads", "1")] + extra
            rc, so, se = augment(o2, l2, *args)
            same = rc == 0 and open(l2, "rb").read() == data
            check("%s writes the same log" % name, same, se)

        # 3. Shards: each shard's lines are the single run's lines of its outputs.
        joined = []
        for i in range(3):
            o3, l3 = os.path.join(tmp, "s%d" % i), os.path.join(tmp, "s%d.jsonl" % i)
            rc, so, se = augment(o3, l3, *opts, "--shard", "%d/3" % i)
            if rc != 0:
                check("shard %d/3" % i, False, se)
                break
            joined += open(l3, "rb").read().splitlines(keepends=True)
        joined.sort(key=lambda line: json.loads(line)["output"])  # stable: keeps each output's order
        check("shard logs joined in output order are the single run's log",
              b"".join(joined) == data)

        # 4. VOC input and VOC output.
        o4, l4 = os.path.join(tmp, "voc"), os.path.join(tmp, "voc.jsonl")
        p = subprocess.run([AUGMENT, "--voc", os.path.join(ROOT, "samples", "voc"), "--images",
                            SAMPLES_IMAGES, "--out", o4, "--seed", "3", "--decisions", l4],
                           capture_output=True, text=True)
        ok = p.returncode == 0
        if ok:
            _, vl = read_log(l4)
            c = summary_counts(p.stderr + p.stdout)
            ok = vl and c == (sum(x["decision"] == "kept" for x in vl),
                              sum(x["decision"] == "clipped" for x in vl),
                              sum(x["decision"] == "dropped" for x in vl))
            ok = ok and not [e for x in vl for e in validator.iter_errors(x)]
        check("VOC in, VOC out: a valid log with the summary's counts", ok, p.stderr)

        # 4b. SIGKILL partway, then --resume: the same log as one run; none before.
        kargs = ["--per-image", "30", "--seed", "3", "--threads", "1", "--quiet"]
        ref, ref_log = os.path.join(tmp, "kref"), os.path.join(tmp, "kref.jsonl")
        rc, so, se = augment(ref, ref_log, *kargs)
        killed, klog = os.path.join(tmp, "killed"), os.path.join(tmp, "killed.jsonl")
        p = subprocess.Popen([AUGMENT, "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES,
                              "--out", killed, "--decisions", klog, *kargs],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        journal = os.path.join(killed, ".boxmix-journal")
        deadline = time.time() + 60
        while time.time() < deadline and p.poll() is None and (
                not os.path.exists(journal) or open(journal).read().count("\n") < 15):
            time.sleep(0.005)
        was_running = p.poll() is None
        if was_running:
            p.send_signal(signal.SIGKILL)
        p.communicate(timeout=120)
        check("a run killed partway leaves no log", rc == 0 and was_running and
              not [n for n in os.listdir(tmp) if n.startswith("killed.jsonl")], se)
        rc, so, se = augment(killed, klog, *kargs, "--resume")
        check("--resume writes the log of the uninterrupted run", rc == 0 and
              open(klog, "rb").read() == open(ref_log, "rb").read(), se)

        # 5. Whole or not at all; never an input.
        o5, l5 = os.path.join(tmp, "fail"), os.path.join(tmp, "fail.jsonl")
        badjson = os.path.join(tmp, "bad.json")
        doc_bad = json.load(open(SAMPLES_JSON))
        doc_bad["images"][0]["file_name"] = "missing.png"
        json.dump(doc_bad, open(badjson, "w"))
        p = subprocess.run([AUGMENT, "--annotations", badjson, "--images", SAMPLES_IMAGES,
                            "--out", o5, "--decisions", l5], capture_output=True, text=True)
        leftovers = [n for n in os.listdir(tmp) if "fail.jsonl" in n]
        check("a failed run leaves no log, not even a temporary",
              p.returncode == 1 and not leftovers, (p.returncode, leftovers))
        before = open(SAMPLES_JSON, "rb").read()
        rc, so, se = augment(os.path.join(tmp, "x"), SAMPLES_JSON)
        check("--decisions over the input annotation file is refused (exit 1)",
              rc == 1 and "decision log" in se and open(SAMPLES_JSON, "rb").read() == before, se)
        o6 = os.path.join(tmp, "y")
        rc, so, se = augment(o6, os.path.join(o6, "annotations.json"))
        check("--decisions in place of the output's annotation file is refused (exit 1)",
              rc == 1, se)
        rc, so, se = augment(os.path.join(tmp, "z"), os.path.join(tmp, "z", "log.jsonl"),
                             "--seed", "1")
        check("a log inside the output folder is fine", rc == 0 and
              os.path.exists(os.path.join(tmp, "z", "log.jsonl")), se)
        p = subprocess.run([AUGMENT, "--help"], capture_output=True, text=True)
        check("--help lists --decisions", "--decisions FILE" in p.stdout)
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
