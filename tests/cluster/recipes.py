# SPDX-License-Identifier: MIT
"""What the cluster tests share: the README's recipes, TAP, the reference run.

A recipe is the fenced block that follows a `<!-- tested by tests/cluster/NAME -->`
line in README.md; the tests run that text, so the README says what runs.
"""
import os
import shlex
import subprocess
import sys


def readme_block(root, marker):
    """The text of the one fenced block that follows the line `<!-- tested by MARKER -->`."""
    path = os.path.join(root, "README.md")
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    tag = "<!-- tested by %s -->" % marker
    starts = [i for i, line in enumerate(lines) if line.strip() == tag]
    if len(starts) != 1:
        raise ValueError("%s: expected one line %r, found %d" % (path, tag, len(starts)))
    i = starts[0] + 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines) or not lines[i].startswith("```"):
        raise ValueError("%s:%d: no fenced block follows %r" % (path, i + 1, tag))
    body = []
    for j in range(i + 1, len(lines)):
        if lines[j].startswith("```"):
            return "\n".join(body) + "\n"
        body.append(lines[j])
    raise ValueError("%s:%d: the fenced block is not closed" % (path, i + 1))


def fixed_augment_options(script):
    """The boxmix-augment options of a recipe whose values are written out (no `$`, no `{}`).

    These are the options that make the dataset (--per-image, --seed, ...); the ones
    that take a path, a thread count or a shard from the environment are left out,
    so a single run with them is the run the shards must add up to.
    """
    text = script.replace("\\\n", " ")
    for line in text.split("\n"):
        if "boxmix-augment" not in line or line.lstrip().startswith("#"):
            continue
        words = shlex.split(line, comments=True)
        at = [k for k, w in enumerate(words) if w.endswith("boxmix-augment")]
        if not at:
            continue
        words = words[at[0] + 1:]
        fixed = []
        k = 0
        while k < len(words):
            w = words[k]
            if not w.startswith("--"):
                raise ValueError("boxmix-augment: unexpected word %r in the recipe" % w)
            value = words[k + 1] if k + 1 < len(words) and not words[k + 1].startswith("--") else None
            k += 1 if value is None else 2
            if value is not None and ("$" in value or "{" in value):
                continue
            fixed.append(w)
            if value is not None:
                fixed.append(value)
        return fixed
    raise ValueError("the recipe runs no boxmix-augment")


def tree_bytes(d):
    files = {}
    for base, _, names in os.walk(d):
        for n in names:
            p = os.path.join(base, n)
            with open(p, "rb") as f:
                files[os.path.relpath(p, d)] = f.read()
    return files


def compare_to_single_run(tools, root, options, merged, single, check):
    """Runs boxmix-augment once over samples/ with OPTIONS into SINGLE, and checks that
    MERGED holds the same bytes, journal included (`diff -r`, and file by file)."""
    p = subprocess.run([os.path.join(tools, "boxmix-augment"),
                        "--annotations", os.path.join(root, "samples", "coco", "annotations.json"),
                        "--images", os.path.join(root, "samples", "images"),
                        "--out", single, "--quiet", *options], capture_output=True, text=True)
    check("the single run with the recipe's options (%s) succeeds" % " ".join(options),
          p.returncode == 0, p.stderr)
    d = subprocess.run(["diff", "-r", single, merged], capture_output=True, text=True)
    a, b = tree_bytes(single), tree_bytes(merged)
    images = [n for n in a if n.startswith("images" + os.sep)]
    check("the merged folder is byte-identical to the single run, journal included (diff -r)",
          d.returncode == 0 and a == b and ".boxmix-journal" in b and "annotations.json" in b and
          len(images) > 0, d.stdout + d.stderr)


class Tap:
    """Checks collected, printed as TAP at the end; details of failures as comments."""

    def __init__(self):
        self.results = []
        self.notes = []

    def note(self, text):
        """A line printed as a TAP comment after the results."""
        self.notes.append(text)

    def check(self, name, cond, detail=""):
        self.results.append((name, bool(cond), detail))
        return bool(cond)

    def failed(self):
        return any(not ok for _, ok, _ in self.results)

    def finish(self):
        print("TAP version 13")
        print("1..%d" % len(self.results))
        for i, (name, ok, detail) in enumerate(self.results, 1):
            print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
            if not ok:
                for line in str(detail).splitlines()[:600]:
                    print("  # " + line)
        for text in self.notes:
            print("# " + text)
        sys.stdout.flush()
        return 1 if self.failed() else 0


def skip(reason):
    print("TAP version 13")
    print("1..0 # SKIP %s" % reason)
    return 0


def missing_programs(names):
    return [n for n in names if not any(os.access(os.path.join(d, n), os.X_OK)
                                         for d in os.environ.get("PATH", "").split(os.pathsep) +
                                         ["/usr/sbin", "/usr/bin", "/sbin", "/bin"])]


def required():
    """True when a missing program must fail the test rather than skip it: the README's
    test command (tools/quickstart.sh test, which CI runs) installs them first."""
    return os.environ.get("BOXMIX_REQUIRE_CLUSTER") == "1"
