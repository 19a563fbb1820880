#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Runs the bad-input corpus of tests/bad/ through the built tools.

Usage: e2e_bad.py TOOLS_DIR SOURCE_ROOT
Prints TAP, one test per line of tests/bad/cases.tsv: the tool must exit with the
expected status within 20 s (a hang is a failure, a signal is a crash), print every
key word of the case (stderr; boxmix-check: stdout or stderr), leave no output
dataset when it exits 1 (no annotations.json, no Annotations/*.xml, no data.yaml), write strict
JSON when it exits 0, and, when the tools carry sanitizers (or ASAN_OPTIONS is set),
print no sanitizer report. Cases marked known_failing are reported as TAP TODO while
they fail, and printed in a list at the end; set BMX_BAD_STRICT_TODO=1 to report a
known-failing case that passes as an unexpected pass.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOOLS, ROOT = sys.argv[1], sys.argv[2]
BAD = os.path.join(ROOT, "tests", "bad")
MANIFEST = os.path.join(BAD, "cases.tsv")
TIMEOUT = 20
COLUMNS = ["name", "dir", "exit", "tool", "args", "keywords", "known_failing"]
SANITIZER_WORDS = ["AddressSanitizer", "LeakSanitizer", "runtime error:"]

sys.path.insert(0, BAD)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import make_bad  # noqa: E402  (tests/bad/make_bad.py: RUNTIME inputs, the generator)

results = []  # (name, ok, details, todo)


def read_manifest():
    cases, errors = [], []
    with open(MANIFEST, encoding="utf-8") as f:
        lines = [ln.rstrip("\n") for ln in f if ln.strip() and not ln.startswith("#")]
    if not lines or lines[0].split("\t") != COLUMNS:
        return [], ["cases.tsv: the first line must be the header " + "\\t".join(COLUMNS)]
    for n, line in enumerate(lines[1:], 2):
        cols = line.split("\t")
        if len(cols) != len(COLUMNS):
            errors.append("cases.tsv: row %d has %d columns, not %d" % (n, len(cols), len(COLUMNS)))
            continue
        c = dict(zip(COLUMNS, cols))
        c["dir"] = c["dir"] or c["name"]
        c["exit"] = int(c["exit"])
        c["keywords"] = [k.strip() for k in c["keywords"].split("|") if k.strip()]
        cases.append(c)
    return cases, errors


def built_with_sanitizers(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return False
    return b"__asan_init" in data or b"__ubsan_handle" in data


def run(argv, cwd):
    """(returncode or None on timeout, stdout bytes, stderr bytes, seconds)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = p.communicate(timeout=TIMEOUT)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        rc = None
    return rc, out, err, time.monotonic() - t0


def strict_json_text(data):
    """Parse bytes as RFC 8259 JSON: UTF-8, no NaN or Infinity (ValueError if not)."""
    def no_constant(name):
        raise ValueError("non-standard JSON constant " + name)
    json.loads(data.decode("utf-8"), parse_constant=no_constant)


def strict_json(path):
    with open(path, "rb") as f:
        strict_json_text(f.read())


def left_dataset(out):
    left = []
    if os.path.exists(os.path.join(out, "annotations.json")):
        left.append("annotations.json")
    ann = os.path.join(out, "Annotations")
    if os.path.isdir(ann) and any(n.endswith(".xml") for n in os.listdir(ann)):
        left.append("Annotations/*.xml")
    if os.path.exists(os.path.join(out, "data.yaml")):
        left.append("data.yaml")
    return left


def run_case(c, tmp, sanitized):
    work = os.path.join(tmp, c["name"])
    case = os.path.join(work, "case")
    out = os.path.join(work, "out")
    src = os.path.join(BAD, c["dir"])
    if not os.path.isdir(src):
        return False, ["case folder tests/bad/%s is missing" % c["dir"]]
    shutil.copytree(src, case)
    if c["dir"] in make_bad.RUNTIME:
        make_bad.RUNTIME[c["dir"]](case)
    subst = {"{case}": case, "{common}": os.path.join(BAD, "common"), "{out}": out}
    args = []
    for a in c["args"].split():
        for k, v in subst.items():
            a = a.replace(k, v)
        args.append(a)
    argv = [os.path.join(TOOLS, c["tool"])] + args
    rc, out_raw, err_raw, secs = run(argv, work)
    out_text, err_text = out_raw.decode("utf-8", "replace"), err_raw.decode("utf-8", "replace")
    problems = []
    if rc is None:
        problems.append("hang: killed after %d s" % TIMEOUT)
    elif rc < 0:
        problems.append("crash: killed by signal %d" % -rc)
    elif rc != c["exit"]:
        problems.append("exit %d, expected %d" % (rc, c["exit"]))
    text = err_text + (out_text if c["tool"] == "boxmix-check" else "")
    # the key words must come from the message, not from the folder names
    for k, v in sorted(subst.items(), key=lambda kv: -len(kv[1])):
        text = text.replace(v, k)
    missing = [k for k in c["keywords"] if k.lower() not in text.lower()]
    if missing:
        problems.append("message lacks: " + ", ".join(repr(k) for k in missing))
    if rc == 1 and left_dataset(out):
        problems.append("exit 1 but the output holds " + " and ".join(left_dataset(out)))
    if rc == 0 and os.path.exists(os.path.join(out, "annotations.json")):
        try:
            strict_json(os.path.join(out, "annotations.json"))
        except (ValueError, UnicodeDecodeError) as e:
            problems.append("output annotations.json is not strict JSON: %s" % e)
    if c["tool"] == "boxmix-check" and "--json" in args:
        bad_lines = 0
        for line in out_raw.splitlines():
            try:
                strict_json_text(line)
            except ValueError:
                bad_lines += 1
        if bad_lines:
            problems.append("--json printed %d lines that are not strict UTF-8 JSON" % bad_lines)
    if sanitized:
        hits = [w for w in SANITIZER_WORDS if w in err_text]
        if hits:
            problems.append("sanitizer report: " + ", ".join(hits))
    details = []
    if problems:
        details = problems + ["command: " + " ".join(argv), "took %.1f s" % secs]
        details += ["stderr: " + ln for ln in err_text.splitlines()[:25]]
        if c["tool"] == "boxmix-check":
            details += ["stdout: " + ln for ln in out_text.splitlines()[:10]]
    shutil.rmtree(work, ignore_errors=True)
    return not problems, details


def corpus_checks(cases):
    """The corpus itself: its size, its use, and that make_bad.py makes these bytes."""
    total = 0
    for base, _, names in os.walk(BAD):
        if "__pycache__" in base:
            continue
        total += sum(os.path.getsize(os.path.join(base, n)) for n in names)
    results.append(("corpus: tests/bad/ holds less than 1 MB", total < 1 << 20,
                    ["%d bytes" % total], ""))
    results.append(("corpus: at least 45 cases", len(cases) >= 45, ["%d cases" % len(cases)], ""))
    used = {c["dir"] for c in cases}
    unused = sorted(n for n in os.listdir(BAD) if os.path.isdir(os.path.join(BAD, n)) and
                    n not in used and n not in ("common", "__pycache__"))
    results.append(("corpus: every case folder is used by cases.tsv", not unused, unused, ""))
    names = [c["name"] for c in cases]
    dup = sorted({n for n in names if names.count(n) > 1})
    results.append(("corpus: case names are unique", not dup, dup, ""))
    stale = []
    for name, files in make_bad.build_cases(ROOT).items():
        for rel, data in files.items():
            path = os.path.join(BAD, name, rel)
            try:
                with open(path, "rb") as f:
                    same = f.read() == data
            except OSError:
                same = False
            if not same:
                stale.append(os.path.join(name, rel))
    results.append(("corpus: the files are make_bad.py's output (rerun it after editing)",
                    not stale, sorted(stale)[:10], ""))


def main():
    cases, errors = read_manifest()
    results.append(("cases.tsv parses", not errors, errors, ""))
    corpus_checks(cases)
    sanitized = "ASAN_OPTIONS" in os.environ or any(
        built_with_sanitizers(os.path.join(TOOLS, t)) for t in {c["tool"] for c in cases})
    tmp = tempfile.mkdtemp(prefix="bmx_bad_")
    try:
        for c in cases:
            ok, details = run_case(c, tmp, sanitized)
            results.append((c["name"], ok, details, c["known_failing"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    strict_todo = os.environ.get("BMX_BAD_STRICT_TODO") == "1"
    print("TAP version 13")
    print("1..%d" % len(results))
    failed, todo_failing, todo_fixed = 0, [], []
    for i, (name, ok, details, todo) in enumerate(results, 1):
        if todo and not ok:
            print("not ok %d - %s # TODO %s" % (i, name, todo))
            todo_failing.append((name, todo))
        elif todo and ok:
            todo_fixed.append(name)
            if strict_todo:
                print("ok %d - %s # TODO %s" % (i, name, todo))
            else:
                print("ok %d - %s" % (i, name))
                print("# %s passes now: remove its known_failing mark in tests/bad/cases.tsv" % name)
        else:
            print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
            failed += 0 if ok else 1
        if not ok:
            for line in details:
                print("#   " + str(line))
    print("# sanitizer checks: %s" % ("on" if sanitized else "off (tools built without sanitizers)"))
    if todo_failing:
        print("# %d known failures (TODO):" % len(todo_failing))
        for name, why in todo_failing:
            print("#   %s: %s" % (name, why))
    if todo_fixed:
        print("# known_failing cases that pass now: " + ", ".join(todo_fixed))
    return 1 if failed else 0


sys.exit(main())
