#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The README's GNU parallel recipe, run as written.

Usage: gnu_parallel.py TOOLS_DIR SOURCE_ROOT

Runs the README's block (4 shards at once with GNU parallel, then boxmix-merge) with
`sh -eu` over samples/, and checks the merged folder against one run of
boxmix-augment (diff -r, journal included); then the same block with an image folder
that does not exist must fail and merge nothing. Prints TAP.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recipes  # noqa: E402

TOOLS, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])


def gnu_parallel():
    try:
        p = subprocess.run(["parallel", "--version"], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0 and p.stdout.startswith("GNU parallel")


def run_block(block, env, timeout=300):
    return subprocess.run(["sh", "-eu", "-c", block], capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL, timeout=timeout)


def main():
    if not gnu_parallel():
        msg = "GNU parallel is not installed (Debian: parallel; sh tools/quickstart.sh test installs it)"
        if recipes.required():
            t = recipes.Tap()
            t.check("GNU parallel is installed", False, msg)
            return t.finish()
        return recipes.skip(msg)
    t = recipes.Tap()
    tmp = tempfile.mkdtemp(prefix="boxmix-parallel-")
    try:
        block = recipes.readme_block(ROOT, "tests/cluster/gnu_parallel.py")
        options = recipes.fixed_augment_options(block)
        t.check("the README's parallel recipe runs GNU parallel with fixed options",
                "parallel " in block and "boxmix-merge" in block and "--seed" in options, block)
        run_dir = os.path.join(tmp, "a run")  # a space: the recipe quotes its paths
        env = dict(os.environ, ANNOTATIONS=os.path.join(ROOT, "samples", "coco", "annotations.json"),
                   IMAGES=os.path.join(ROOT, "samples", "images"), RUN=run_dir, BOXMIX_BIN=TOOLS)
        p = run_block(block, env)
        t.check("the recipe runs: exit 0", p.returncode == 0, p.stdout + p.stderr)
        shards = sorted(os.path.basename(s) for s in glob.glob(os.path.join(run_dir, "shard-*")))
        t.check("it made 4 shard folders", shards == ["shard-%d" % i for i in range(4)], shards)
        recipes.compare_to_single_run(TOOLS, ROOT, options, os.path.join(run_dir, "merged"),
                                      os.path.join(tmp, "single"), t.check)

        bad_run = os.path.join(tmp, "bad")
        p = run_block(block, dict(env, IMAGES=os.path.join(tmp, "no-such-folder"), RUN=bad_run))
        t.check("with a missing image folder the recipe fails and merges nothing",
                p.returncode != 0 and not os.path.exists(os.path.join(bad_run, "merged")),
                "exit %d\n%s" % (p.returncode, p.stdout + p.stderr))
    except Exception as e:  # reported as a failed check, with what went wrong
        t.check("the recipe runs", False, "%s: %s" % (type(e).__name__, e))
    finally:
        if t.failed():
            t.note("kept for inspection: " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return t.finish()


sys.exit(main())
