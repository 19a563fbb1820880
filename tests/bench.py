#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""boxmix's own benchmark: run it from a clone after building.

    /usr/bin/python3 tests/bench.py --build BUILD_DIR [--images N | --set DIR] [--threads 1,2]
        [--quality 90] [--repeat 3] [--seed 1] [--peer CMD] [--keep DIR]
        [--per-image K] [--big N,K] [--big-images N [--big-size WxH]] [--no-images]
        [--png DIR [--png-level L]]

It makes a COCO-like set of its own (tests/bench_make_set.c: photo-like JPEGs, mostly
640x480 with other sizes and portrait ones, 3-12 polygon objects each, a few crowd
RLE), or takes the one --set names, then, in one run, times the codec floor
(tests/bench_floor.c: TurboJPEG decode of every input and encode of one output each,
one thread, nothing else), the transcode
bound (bench_floor --transcode: each input's DCT coefficients entropy-decoded and
written again, no pixel touched: what even a DCT-domain tool cannot avoid),
`boxmix-augment --per-image 1` with each --threads value, and the --peer command if
given, interleaved, --repeat times; and prints min and median wall time, CPU time, peak
memory, the ratio to the floor and the speedup of more threads over one.

--per-image K makes K outputs per input (boxmix-augment --per-image K) and times the
floor of that work: one decode and K encodes per input (bench_floor --encodes K); the
transcode bound and the peer (one output per input) are left out. Where the build has
the decode-counting hook (tests/decode_count.c, TurboJPEG builds), one more run of each
boxmix-augment command, untimed, counts its JPEG decodes: each input should be decoded
once.

--big-images N makes N photo-like JPEGs of --big-size (default 4000x3000; bench_make_set
large) and times `boxmix-augment --per-image 1` on them with the default threads and
memory limit: wall time, CPU time and peak memory (the memory case: decoded inputs are
bounded by --memory-limit, default 1 GiB), and counts its decodes as above.

--peer CMD is a shell command with {annotations} {images} {out} placeholders, e.g.
    --peer '/usr/bin/python3 /path/opencv_cutmix.py {annotations} {images} {out}'

--big N,K makes an annotation file of its own (N images, K polygon objects each; no
images) and times `boxmix-augment --dry-run --per-image 1` and `boxmix-check --json`
(every check of the file, each problem listed) on it against Python's json.load +
json.dump of the same file.

--png DIR times `boxmix-augment --format png --per-image 1 --threads 1` on a PNG set
(DIR holds annotations.json and images/, e.g. the kit's set re-saved by to_png.py)
instead of the JPEG benchmark, and with --peer the peer on it (then a peer that
writes PNG, e.g. opencv_cutmix.py ... {out} 1 --png), in turn, --repeat pairs; it
prints both medians, the median of the pairs' wall-time ratios boxmix / peer, and
the total bytes of the images each wrote. --png-level L is passed to boxmix.

Absolute times drift from run to run and machine to machine; the ratios measured in one
run are the figures to compare. Only Python's standard library is used.
"""
import argparse
import hashlib
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SRC_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HELPERS = ("bench_make_set", "bench_floor")

# One line, so that the command shown can be pasted into a shell.
PY_JSON_SCRIPT = (
    "import json, sys, time; t0 = time.perf_counter(); f = open(sys.argv[1]); "
    "d = json.load(f); f.close(); t1 = time.perf_counter(); g = open(sys.argv[2], 'w'); "
    "json.dump(d, g); g.close(); t2 = time.perf_counter(); "
    "print('load %.3f dump %.3f' % (t1 - t0, t2 - t1))"
)


def die(msg, code=1):
    print("bench: " + msg, file=sys.stderr)
    sys.exit(code)


def note(msg):
    print("note: " + msg, flush=True)


def parse_args():
    ap = argparse.ArgumentParser(
        description="Benchmark boxmix-augment against the codec floor (and a peer).",
        epilog="example: /usr/bin/python3 tests/bench.py --build build --images 200 "
               "--threads 1,2 --peer '/usr/bin/python3 opencv_cutmix.py {annotations} "
               "{images} {out}'")
    ap.add_argument("--build", required=True, help="meson build directory")
    ap.add_argument("--images", type=int, default=200, help="images in the set (default 200)")
    ap.add_argument("--set", metavar="DIR",
                    help="time on this set (DIR/annotations.json, DIR/images/ of JPEGs, e.g. "
                         "the shared kit's make_dataset.py output) instead of making one")
    ap.add_argument("--threads", default="1,2",
                    help="comma-separated --threads values for boxmix-augment (default 1,2)")
    ap.add_argument("--quality", type=int, default=90, help="JPEG quality (default 90)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="timed runs of every command (default 3; min and median reported)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the generated data (default 1)")
    ap.add_argument("--peer", metavar="CMD",
                    help="shell command template with {annotations} {images} {out}")
    ap.add_argument("--keep", metavar="DIR",
                    help="make (and reuse) the data and outputs in DIR instead of a temp dir")
    ap.add_argument("--big", metavar="N,K",
                    help="also time --dry-run on N images x K objects of annotations")
    ap.add_argument("--png", metavar="DIR",
                    help="time PNG output on the PNG set in DIR (annotations.json, images/) "
                         "instead of the JPEG benchmark, against --peer if given")
    ap.add_argument("--png-level", type=int, metavar="L",
                    help="with --png: boxmix-augment --png-level L (default: boxmix's own)")
    ap.add_argument("--op", metavar="NAME",
                    help="boxmix-augment --op NAME (cutmix, cutout, mixup, mosaic, copypaste): "
                         "the operation timed against the floor (default: the tool's default)")
    ap.add_argument("--per-image", type=int, default=1, metavar="K",
                    help="outputs per input (default 1); the floor then encodes K per decode")
    ap.add_argument("--big-images", type=int, metavar="N",
                    help="also time boxmix-augment on N large JPEGs (peak memory)")
    ap.add_argument("--big-size", default="4000x3000", metavar="WxH",
                    help="size of the --big-images JPEGs (default 4000x3000)")
    ap.add_argument("--no-images", action="store_true",
                    help="skip the image benchmark (e.g. with --big only)")
    a = ap.parse_args()
    try:
        a.threads = [int(t) for t in a.threads.split(",") if t.strip()]
    except ValueError:
        ap.error("--threads: expected a comma-separated list of integers")
    if not a.threads or any(t < 1 for t in a.threads):
        ap.error("--threads: values must be >= 1")
    if a.images < 1 or a.repeat < 1 or not 1 <= a.quality <= 100 or a.seed < 0:
        ap.error("--images and --repeat must be >= 1, --quality in 1..100, --seed >= 0")
    if a.per_image < 1 or a.per_image > 1000:
        ap.error("--per-image must be 1..1000")
    if a.big_images is not None and a.big_images < 1:
        ap.error("--big-images must be >= 1")
    try:
        a.big_size = tuple(int(v) for v in a.big_size.lower().split("x"))
        if len(a.big_size) != 2 or min(a.big_size) < 16 or max(a.big_size) > 65535:
            raise ValueError
    except ValueError:
        ap.error("--big-size: expected WxH, each 16..65535")
    if a.big is not None:
        try:
            n, k = (int(v) for v in a.big.split(","))
        except ValueError:
            ap.error("--big: expected N,K")
        if n < 1 or k < 1:
            ap.error("--big: N and K must be >= 1")
        a.big = (n, k)
    if a.png is not None and not os.path.isfile(os.path.join(a.png, "annotations.json")):
        ap.error("--png: %s has no annotations.json" % a.png)
    if a.png_level is not None and (a.png is None or not 0 <= a.png_level <= 9):
        ap.error("--png-level: needs --png, and a level 0..9")
    if a.peer is not None:
        try:
            a.peer.format(annotations="", images="", out="")
        except (KeyError, IndexError, ValueError) as e:
            ap.error("--peer: bad template (%s); placeholders are {annotations} {images} {out}"
                     % e)
    return a


# ---------------------------------------------------------------- environment

def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, val = line.partition(":")
                if key.strip() in ("model name", "Model", "Hardware", "cpu model"):
                    return val.strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def build_info(build):
    """buildtype, sanitizers and whether TurboJPEG and libspng were found, from meson's
    introspection."""
    info = {}
    opts = read_json(os.path.join(build, "meson-info", "intro-buildoptions.json")) or []
    for o in opts:
        if o.get("name") in ("buildtype", "b_sanitize", "b_ndebug", "optimization"):
            info[o["name"]] = o.get("value")
    deps = read_json(os.path.join(build, "meson-info", "intro-dependencies.json"))
    if deps is not None:
        info["turbojpeg"] = any(d.get("name") == "libturbojpeg" for d in deps)
        info["spng"] = any(d.get("name") == "spng" for d in deps)
    return info


def tool_output(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        return p.stdout + p.stderr
    except (OSError, subprocess.TimeoutExpired):
        return ""


def find_helpers(build, work):
    """The helper programs meson built, or ones built here with cc when meson has none."""
    found = {}
    for name in HELPERS:
        exe = os.path.join(build, "tests", name)
        if os.access(exe, os.X_OK):
            found[name] = exe
            continue
        src = os.path.join(SRC_ROOT, "tests", name + ".c")
        out = os.path.join(work, "bin", name)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        flags = tool_output(["pkg-config", "--cflags", "--libs", "libturbojpeg"]).split()
        if not flags:
            die("%s is not in %s/tests and pkg-config finds no libturbojpeg to build it "
                "(Debian: libturbojpeg0-dev)" % (name, build))
        cc = os.environ.get("CC", "cc")
        cmd = [cc, "-std=c11", "-O2", "-D_POSIX_C_SOURCE=200809L", src, "-o", out] + flags + ["-lm"]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            die("cannot build %s: %s\n%s" % (name, " ".join(cmd), p.stderr))
        note("%s is not in %s/tests: built it with %s -O2" % (name, build, cc))
        found[name] = out
    return found


def find_hook(build):
    """The decode-counting hook meson built (TurboJPEG builds), or None."""
    for name in ("libdecode_count.so", "decode_count.so"):
        path = os.path.join(build, "tests", name)
        if os.path.exists(path):
            return path
    return None


def count_decodes(cmd, hook, work):
    """Run cmd once more, untimed, with the hook preloaded: its JPEG decodes, or None."""
    count_file = os.path.join(work, "decode-count.txt")
    if os.path.exists(count_file):
        os.remove(count_file)
    cmd.prepare()
    env = dict(os.environ, LD_PRELOAD=hook, BMX_TEST_DECODE_COUNT=count_file)
    p = subprocess.run(cmd.argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        return None
    try:
        with open(count_file) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def say_decodes(cmds, hook, work, n_inputs):
    if hook is None:
        note("this build has no decode-counting hook (tests/decode_count.c, TurboJPEG builds): "
             "decodes not counted")
        return True
    ok = True
    for c in cmds:
        if not c.wall:
            continue
        d = count_decodes(c, hook, work)
        if d is None:
            print("decodes of %s: not counted (the counted run failed)" % c.label)
            ok = False
            continue
        print("decodes of %s (one more run, untimed, %s preloaded): %d for %d inputs, %s"
              % (c.label, os.path.basename(hook), d, n_inputs,
                 "each decoded once" if d == n_inputs else "%.2f per input" % (d / n_inputs)))
    return ok


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_digest(root):
    """(number of files, one digest over every relative path and file content)."""
    h = hashlib.sha256()
    n = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            p = os.path.join(dirpath, fn)
            h.update(os.path.relpath(p, root).encode() + b"\0" + file_digest(p).encode())
            n += 1
    return n, h.hexdigest()


def count_images(root):
    n = 0
    for _, _, filenames in os.walk(root):
        n += sum(1 for fn in filenames if fn.lower().endswith((".jpg", ".jpeg", ".png")))
    return n


def size_mb(path):
    return "%.1f" % (os.path.getsize(path) / 1e6) if os.path.exists(path) else "none"


def warm_cache(root):
    """Read every input once so that no command pays for the first read from disk."""
    for dirpath, _, filenames in os.walk(root):
        for fn in filenames:
            with open(os.path.join(dirpath, fn), "rb") as f:
                while f.read(1 << 20):
                    pass


# ---------------------------------------------------------------- data

def cached(path, stamp, make):
    """Run make() unless path holds data made with the same stamp; returns seconds or None."""
    stamp_file = path + ".stamp"
    if os.path.exists(path) and read_json(stamp_file) == stamp:
        return None
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.remove(path)
    t0 = time.perf_counter()
    make()
    dt = time.perf_counter() - t0
    with open(stamp_file, "w") as f:
        json.dump(stamp, f)
    return dt


def run_helper(argv):
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode != 0:
        die("%s failed (exit %d):\n%s" % (shlex.join(argv), p.returncode, p.stderr))


# ---------------------------------------------------------------- timing

class Command:
    def __init__(self, label, argv, out, prepare, check):
        self.label = label
        self.argv = argv        # list, or a str for the shell
        self.out = out
        self.prepare = prepare  # makes the output folder as the command expects it
        self.check = check      # returns a short string about the outputs, untimed
        self.wall = []
        self.cpu = []
        self.rss_kb = []
        self.failed = None
        self.outputs = ""
        self.stdouts = []  # one per successful round
        self.threads = None
        self.short = label

    def shown(self):
        return self.argv if isinstance(self.argv, str) else shlex.join(self.argv)


def clear_dir(path, create):
    if os.path.isdir(path):
        shutil.rmtree(path)
    if create:
        os.makedirs(path)


def run_once(cmd, logdir):
    cmd.prepare()
    log_out = os.path.join(logdir, "stdout.txt")
    log_err = os.path.join(logdir, "stderr.txt")
    with open(log_out, "wb") as fo, open(log_err, "wb") as fe:
        shell = isinstance(cmd.argv, str)
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd.argv, shell=shell, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL)
        # wait4 gives this child's own CPU time and peak memory (with its children's)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        with open(log_err, errors="replace") as f:
            err = f.read().strip().splitlines()
        cmd.failed = "exit %d: %s" % (p.returncode, " | ".join(err[-3:]) or "(no message)")
        return
    cmd.wall.append(wall)
    cmd.cpu.append(ru.ru_utime + ru.ru_stime)
    cmd.rss_kb.append(ru.ru_maxrss)
    with open(log_out, errors="replace") as f:
        cmd.stdouts.append(f.read().strip())
    cmd.outputs = cmd.check()


def run_interleaved(cmds, repeat, logdir):
    """Every command once per round, the starting command rotating from round to round,
    so that drift during the run touches all of them alike."""
    for r in range(repeat):
        order = cmds[r % len(cmds):] + cmds[:r % len(cmds)]
        for c in order:
            if c.failed is None:
                print("  round %d/%d: %s" % (r + 1, repeat, c.label), file=sys.stderr, flush=True)
                run_once(c, logdir)


def rounds(n):
    return "%d round%s" % (n, "" if n == 1 else "s")


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def table(rows, header):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "  ".join(str(v).ljust(widths[i]) if i == 0 else str(v).rjust(widths[i])
                               for i, v in enumerate(r))
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def report(cmds, base, extra_cols=None):
    header = ["command", "min s", "median s", "CPU s (med)", "peak MB", "x " + base.short,
              "CPU x " + base.short]
    if extra_cols:
        header += [name for name, _ in extra_cols]
    rows = []
    for c in cmds:
        if c.failed is not None and not c.wall:
            rows.append([c.label, "failed"] + [""] * (len(header) - 2))
            continue
        ratio = med(c.wall) / med(base.wall) if base.wall else float("nan")
        cpu_ratio = med(c.cpu) / med(base.cpu) if base.cpu else float("nan")
        row = [c.label, "%.3f" % min(c.wall), "%.3f" % med(c.wall), "%.3f" % med(c.cpu),
               "%.0f" % (max(c.rss_kb) / 1024.0), "%.2f" % ratio, "%.2f" % cpu_ratio]
        for _, fn in extra_cols or []:
            row.append(fn(c))
        rows.append(row)
    table(rows, header)
    for c in cmds:
        if c.failed is not None:
            print("%s FAILED (%s): %s" % (c.label, c.failed, c.shown()))


# ---------------------------------------------------------------- benchmarks

def bench_images(a, work, tools, help_text):
    if a.set is not None:
        # A set of the caller's (e.g. the shared kit's make_dataset.py output).
        set_dir = os.path.abspath(a.set)
        made = None
    else:
        set_dir = os.path.join(work, "set-n%d-seed%d" % (a.images, a.seed))
        src = os.path.join(SRC_ROOT, "tests", "bench_make_set.c")
        stamp = {"n": a.images, "seed": a.seed,
                 "generator": file_digest(src) if os.path.exists(src) else tools["bench_make_set"]}
        made = cached(set_dir, stamp, lambda: run_helper(
            [tools["bench_make_set"], "set", set_dir, str(a.images), str(a.seed)]))
    ann = os.path.join(set_dir, "annotations.json")
    img = os.path.join(set_dir, "images")
    d = read_json(ann)
    if d is None:
        die("cannot read %s" % ann)
    n = len(d["images"])
    n_ann = len(d["annotations"])
    n_crowd = sum(1 for x in d["annotations"] if x.get("iscrowd"))
    px = sum(i["width"] * i["height"] for i in d["images"])
    size_mb = sum(os.path.getsize(os.path.join(img, i["file_name"])) for i in d["images"]) / 1e6
    print("\nset: %s\n     %d images (%.1f Mpx, %.1f MB of JPEG), %d objects (%d crowd RLE), "
          "seed %d, %s" % (set_dir, n, px / 1e6, size_mb, n_ann, n_crowd, a.seed,
                           "made in %.1f s" % made if made is not None else "reused"))
    warm_cache(set_dir)

    outs = os.path.join(work, "out")
    os.makedirs(outs, exist_ok=True)
    q = str(a.quality)

    def dir_cmd(label, argv, out, create, count_root):
        c = Command(label, argv, out, lambda: clear_dir(out, create),
                    lambda: "%d" % count_images(count_root))
        return c

    k = a.per_image
    encodes = ["--encodes", str(k)] if k > 1 else []
    o = os.path.join(outs, "floor")
    floor = dir_cmd("floor (TurboJPEG, 1 thread)" if k == 1 else
                    "floor (1 decode + %d encodes per input)" % k,
                    [tools["bench_floor"], "--quality", q] + encodes + [img, o], o, True, o)
    floor.short = "floor"
    o = os.path.join(outs, "floor-accurate")
    floor_acc = dir_cmd("floor --accurate-dct",
                        [tools["bench_floor"], "--quality", q] + encodes + ["--accurate-dct", img, o],
                        o, True, o)
    cmds = [floor, floor_acc]
    floor_sq = None
    if a.op == "mosaic":
        # Mosaic's outputs are 640 x 640 (its default size): the floor again with each
        # encode that size (the input tiled), to tell the larger encodes from the rest.
        o = os.path.join(outs, "floor-640")
        floor_sq = dir_cmd("floor, 640x640 encodes",
                           [tools["bench_floor"], "--quality", q] + encodes +
                           ["--encode-size", "640", img, o], o, True, o)
        cmds.append(floor_sq)
    transcode = None
    if k == 1:
        o = os.path.join(outs, "transcode")
        transcode = dir_cmd("transcode bound (entropy only)",
                            [tools["bench_floor"], "--transcode", img, o], o, True, o)
        cmds.append(transcode)
    else:
        note("--per-image %d: no transcode bound (it rewrites each input once)" % k)

    has_threads = "--threads" in help_text
    augment = os.path.join(a.build, "tools", "boxmix-augment")
    boxmix = []
    for t in (a.threads if has_threads else [None]):
        o = os.path.join(outs, "boxmix" if t is None else "boxmix-threads%d" % t)
        argv = [augment, "--annotations", ann, "--images", img, "--out", o, "--per-image", str(k),
                "--quality", q]
        if a.op is not None:
            argv += ["--op", a.op]
        if t is not None:
            argv += ["--threads", str(t)]
        argv += ["--force", "--quiet"]
        label = "boxmix-augment --threads %d" % t if t is not None else "boxmix-augment"
        if a.op is not None:
            label += " --op " + a.op
        boxmix.append(dir_cmd(label, argv, o, False, os.path.join(o, "images")))
        boxmix[-1].threads = t
    if not has_threads:
        note("boxmix-augment has no --threads option yet: it runs without it, once per "
             "round, and no speedup is measured")
    cmds += boxmix

    peer = None
    if a.peer is not None and k > 1:
        note("--per-image %d: the peer makes one output per input, so it is not timed" % k)
    elif a.peer is not None:
        o = os.path.join(outs, "peer")
        shell = a.peer.format(annotations=shlex.quote(ann), images=shlex.quote(img),
                              out=shlex.quote(o))
        peer = dir_cmd("peer", shell, o, True, o)
        cmds.append(peer)

    print("\ncommands (%s, interleaved):" % rounds(a.repeat))
    for c in cmds:
        print("  %-30s %s" % (c.label, c.shown()))
    logdir = os.path.join(work, "logs")
    os.makedirs(logdir, exist_ok=True)
    run_interleaved(cmds, a.repeat, logdir)

    print("\nimages: wall time of the whole command, %s; 'x floor' = median / floor's "
          "median; CPU = user + system time of the command" % rounds(a.repeat))
    report(cmds, floor, [("outputs", lambda c: c.outputs),
                         ("out/s (med)", lambda c: "%.0f" % (n * k / med(c.wall)))])
    for c in cmds:
        if c is not floor and c.wall and floor.wall:
            print("%s / %s (median wall time): %.2fx; CPU time %.2fx; peak %.0f MiB"
                  % (c.label, floor.label, med(c.wall) / med(floor.wall),
                     med(c.cpu) / med(floor.cpu), max(c.rss_kb) / 1024.0))
    for c in boxmix:
        if floor_sq is not None and c.wall and floor_sq.wall:
            print("%s / %s (median wall time): %.2fx; CPU time %.2fx"
                  % (c.label, floor_sq.label, med(c.wall) / med(floor_sq.wall),
                     med(c.cpu) / med(floor_sq.cpu)))

    ok = [c for c in boxmix if c.wall]
    if has_threads and len(ok) > 1:
        one = next((c for c in ok if c.threads == 1), ok[0])
        for c in ok:
            if c is not one:
                print("speedup of --threads %d over --threads %d (throughput ratio): "
                      "median %.2fx, min %.2fx" % (c.threads, one.threads,
                                                   med(one.wall) / med(c.wall),
                                                   min(one.wall) / min(c.wall)))
        digests = [tree_digest(c.out) for c in ok]
        print("outputs of %s: %s (%d files compared)"
              % (", ".join("--threads %d" % c.threads for c in ok),
                 "byte-identical" if all(d == digests[0] for d in digests) else "DIFFERENT",
                 digests[0][0]))
    if peer is not None and peer.wall:
        for c in ok:
            print("peer / %s (median wall time): %.2fx" % (c.label, med(peer.wall) / med(c.wall)))
        print("peer / floor: %.2fx; peer / transcode bound: %.2fx (how much faster than the peer "
              "a one-thread tool that writes a new JPEG per input could be at best)"
              % (med(peer.wall) / med(floor.wall), med(peer.wall) / med(transcode.wall)))
    counted = say_decodes(ok, find_hook(a.build), work, n)
    return all(c.failed is None for c in cmds) and counted


def bench_big_images(a, work, tools):
    n = a.big_images
    w, h = a.big_size
    set_dir = os.path.join(work, "large-%d-%dx%d-seed%d" % (n, w, h, a.seed))
    src = os.path.join(SRC_ROOT, "tests", "bench_make_set.c")
    stamp = {"n": n, "w": w, "h": h, "seed": a.seed,
             "generator": file_digest(src) if os.path.exists(src) else tools["bench_make_set"]}
    made = cached(set_dir, stamp, lambda: run_helper(
        [tools["bench_make_set"], "large", set_dir, str(n), str(w), str(h), str(a.seed)]))
    ann = os.path.join(set_dir, "annotations.json")
    img = os.path.join(set_dir, "images")
    jpeg_mb = sum(os.path.getsize(os.path.join(img, f)) for f in os.listdir(img)) / 1e6
    decoded = n * w * h * 3
    print("\nlarge images: %s\n     %d JPEGs of %dx%d (%.0f MB of JPEG, %.2f GB decoded, %.1f MB "
          "each), %s" % (set_dir, n, w, h, jpeg_mb, decoded / 1e9, w * h * 3 / 1e6,
                         "made in %.1f s" % made if made is not None else "reused"))
    warm_cache(set_dir)
    augment = os.path.join(a.build, "tools", "boxmix-augment")
    o = os.path.join(work, "out", "large")
    cmd = Command("boxmix-augment (default threads and memory limit)",
                  [augment, "--annotations", ann, "--images", img, "--out", o, "--per-image", "1",
                   "--quality", str(a.quality), "--force", "--quiet"], o,
                  lambda: clear_dir(o, False), lambda: "%d" % count_images(os.path.join(o, "images")))
    print("\ncommand (%s): %s" % (rounds(a.repeat), cmd.shown()))
    logdir = os.path.join(work, "logs")
    os.makedirs(logdir, exist_ok=True)
    run_interleaved([cmd], a.repeat, logdir)
    if not cmd.wall:
        print("%s FAILED (%s)" % (cmd.label, cmd.failed))
        return False
    peak = max(cmd.rss_kb) * 1024
    print("large images: wall %.1f s median (min %.1f), CPU %.1f s, %.1f outputs/s; peak memory "
          "(maximum resident set size) %.2f GB = %.0f MiB, %.0f%% of the %.2f GB the decoded "
          "inputs take (%s, %s outputs)"
          % (med(cmd.wall), min(cmd.wall), med(cmd.cpu), n / med(cmd.wall), peak / 1e9,
             peak / 2**20, 100.0 * peak / decoded, decoded / 1e9, rounds(len(cmd.wall)),
             cmd.outputs))
    counted = say_decodes([cmd], find_hook(a.build), work, n)
    return cmd.failed is None and counted


def dir_bytes(root):
    """Total size of the files under root."""
    total = 0
    for base, _, names in os.walk(root):
        total += sum(os.path.getsize(os.path.join(base, n)) for n in names)
    return total


def bench_png(a, work):
    """boxmix-augment --format png --threads 1 and the peer on a PNG set, in turn."""
    ann = os.path.join(os.path.abspath(a.png), "annotations.json")
    img = os.path.join(os.path.abspath(a.png), "images")
    d = read_json(ann)
    if d is None:
        die("cannot read %s" % ann)
    names = [i["file_name"] for i in d["images"]]
    in_bytes = sum(os.path.getsize(os.path.join(img, f)) for f in names)
    print("\nPNG set: %s\n     %d images, %.1f MB of PNG" % (a.png, len(names), in_bytes / 1e6))
    warm_cache(a.png)
    outs = os.path.join(work, "out-png")
    os.makedirs(outs, exist_ok=True)
    augment = os.path.join(a.build, "tools", "boxmix-augment")
    o = os.path.join(outs, "boxmix")
    argv = [augment, "--annotations", ann, "--images", img, "--out", o, "--per-image", "1",
            "--format", "png", "--threads", "1", "--quiet"]
    if a.png_level is not None:
        argv[-1:-1] = ["--png-level", str(a.png_level)]
    bmx = Command("boxmix-augment --format png", argv, o, lambda: clear_dir(o, False),
                  lambda: "%d" % count_images(os.path.join(o, "images")))
    bmx.short = "boxmix"
    cmds = [bmx]
    peer = None
    if a.peer is not None:
        po = os.path.join(outs, "peer")
        shell = a.peer.format(annotations=shlex.quote(ann), images=shlex.quote(img),
                              out=shlex.quote(po))
        peer = Command("peer", shell, po, lambda: clear_dir(po, True),
                       lambda: "%d" % count_images(po))
        cmds.append(peer)
    print("\ncommands (%s, in turn):" % rounds(a.repeat))
    for c in cmds:
        print("  %-30s %s" % (c.label, c.shown()))
    logdir = os.path.join(work, "logs")
    os.makedirs(logdir, exist_ok=True)
    # In turn, boxmix first in every pair: pair i is (bmx.wall[i], peer.wall[i]).
    for r in range(a.repeat):
        for c in cmds:
            if c.failed is None:
                print("  round %d/%d: %s" % (r + 1, a.repeat, c.label), file=sys.stderr,
                      flush=True)
                run_once(c, logdir)
    base = peer if peer is not None and peer.wall else bmx
    print("\nPNG: wall time of the whole command, %s; 'x %s' = median / its median"
          % (rounds(a.repeat), base.short))
    def image_bytes(c):
        """The images a command wrote: OUT/images/ when it made one, else OUT."""
        sub = os.path.join(c.out, "images")
        return dir_bytes(sub if os.path.isdir(sub) else c.out)

    report(cmds, base, [("outputs", lambda c: c.outputs),
                        ("image MB", lambda c: "%.1f" % (image_bytes(c) / 1e6))])
    if bmx.wall:
        print("boxmix output: %d bytes of images" % image_bytes(bmx))
    if peer is not None and peer.wall and bmx.wall:
        pairs = [b / p for b, p in zip(bmx.wall, peer.wall)]
        cpu_pairs = [b / p for b, p in zip(bmx.cpu, peer.cpu)]
        print("peer output:   %d bytes of images" % image_bytes(peer))
        print("boxmix / peer, wall time: median of %d pairs %.3fx (min %.3f, max %.3f); "
              "medians %.3f s / %.3f s" % (len(pairs), med(pairs), min(pairs), max(pairs),
                                           med(bmx.wall), med(peer.wall)))
        print("boxmix / peer, CPU time: median of pairs %.3fx" % med(cpu_pairs))
        print("boxmix / peer, output bytes: %.4fx" % (image_bytes(bmx) / max(1, image_bytes(peer))))
    return all(c.failed is None for c in cmds)


def bench_big(a, work, tools, help_text):
    n, k = a.big
    big = os.path.join(work, "big-%dx%d-seed%d.json" % (n, k, a.seed))
    src = os.path.join(SRC_ROOT, "tests", "bench_make_set.c")
    stamp = {"n": n, "k": k, "seed": a.seed,
             "generator": file_digest(src) if os.path.exists(src) else tools["bench_make_set"]}
    made = cached(big, stamp, lambda: run_helper(
        [tools["bench_make_set"], "big", big, str(n), str(k), str(a.seed)]))
    print("\nbig annotations: %s\n     %d images x %d polygon objects = %d objects, %.1f MB, %s"
          % (big, n, k, n * k, os.path.getsize(big) / 1e6,
             "made in %.1f s" % made if made is not None else "reused"))
    outs = os.path.join(work, "out")
    empty = os.path.join(outs, "no-images")
    os.makedirs(empty, exist_ok=True)

    def json_cmd(label, argv, out, create):
        result = os.path.join(out, "annotations.json")
        return Command(label, argv, out, lambda: clear_dir(out, create),
                       lambda: "%s MB written" % size_mb(result))

    cmds = []
    boxmix = None
    if "--dry-run" in help_text:
        augment = os.path.join(a.build, "tools", "boxmix-augment")
        o = os.path.join(outs, "dry-run")
        boxmix = json_cmd("boxmix-augment --dry-run",
                          [augment, "--annotations", big, "--images", empty, "--out", o,
                           "--per-image", "1", "--dry-run", "--force", "--quiet"], o, False)
        cmds.append(boxmix)
    else:
        note("boxmix-augment has no --dry-run option yet: only Python's json is timed")
    check_tool = os.path.join(a.build, "tools", "boxmix-check")
    checker = None
    if os.access(check_tool, os.X_OK):
        check_dir = os.path.join(outs, "check")
        listing = os.path.join(check_dir, "problems.jsonl")
        # Exit 1 only says the file has problems: that is a finished check too.
        argv = "%s --json --annotations %s > %s; [ $? -le 1 ]" % (
            shlex.quote(check_tool), shlex.quote(big), shlex.quote(listing))
        checker = Command("boxmix-check --json", argv, check_dir,
                          lambda: clear_dir(check_dir, True),
                          lambda: check_summary(listing))
        cmds.append(checker)
    o = os.path.join(outs, "py-json")
    py = json_cmd("python json.load + json.dump",
                  ["/usr/bin/python3", "-c", PY_JSON_SCRIPT, big, os.path.join(o, "annotations.json")],
                  o, True)
    py.short = "python"
    cmds.append(py)

    print("\ncommands (%s, interleaved):" % rounds(a.repeat))
    for c in cmds:
        print("  %-30s %s" % (c.label, c.shown()))
    logdir = os.path.join(work, "logs")
    os.makedirs(logdir, exist_ok=True)
    warm_cache_file(big)
    run_interleaved(cmds, a.repeat, logdir)

    print("\nbig annotations: wall time, %s; peak MB = maximum resident set size"
          % rounds(a.repeat))
    report(cmds, py, [("output", lambda c: c.outputs)])
    if py.wall:
        print("python's own split, round by round: %s" % "; ".join(
            "%s s" % out for out in py.stdouts))
    if boxmix is not None and boxmix.wall and py.wall:
        print("python / boxmix-augment --dry-run: %.2fx the time (median), %.2fx the peak memory"
              % (med(py.wall) / med(boxmix.wall), max(py.rss_kb) / max(boxmix.rss_kb)))
    if checker is not None and checker.wall and py.wall:
        print("boxmix-check on the whole file: %.2f s median, %.0f MB peak (%s); python's "
              "json.load + json.dump alone: %.2f s"
              % (med(checker.wall), max(checker.rss_kb) / 1024, checker.outputs, med(py.wall)))
    return all(c.failed is None for c in cmds)


def check_summary(path):
    """'E errors, W warnings' from the summary line of boxmix-check --json."""
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith('{"summary"'):
                sm = json.loads(line)["summary"]
                return "%d errors, %d warnings" % (sm["errors"], sm["warnings"])
    return "no summary"


def warm_cache_file(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def main():
    a = parse_args()
    build = os.path.abspath(a.build)
    augment = os.path.join(build, "tools", "boxmix-augment")
    if not os.access(augment, os.X_OK):
        die("%s not found: build first (meson setup BUILD && ninja -C BUILD)" % augment, 2)
    a.build = build

    if a.keep:
        work = os.path.abspath(a.keep)
        os.makedirs(work, exist_ok=True)
    else:
        work = tempfile.mkdtemp(prefix="boxmix-bench-")
    try:
        tools = find_helpers(build, work)
        help_text = tool_output([augment, "--help"])
        version = tool_output([augment, "--version"]).strip().splitlines()
        info = build_info(build)
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

        print("machine: %s, nproc %d (of %s), %s, Linux %s" % (
            cpu_model(), cpus, os.cpu_count(), platform.machine(), platform.release()))
        print("boxmix:  %s (%s)" % (version[0] if version else "unknown version", augment))
        print("build:   buildtype %s, sanitize %s, TurboJPEG %s, libspng %s" % (
            info.get("buildtype", "?"), info.get("b_sanitize", "?"),
            {True: "yes", False: "no (stb codec)"}.get(info.get("turbojpeg"), "?"),
            {True: "yes", False: "no (stb codec)"}.get(info.get("spng"), "?")))
        if info.get("buildtype") in ("debug", "plain") or info.get("b_sanitize") not in (None, "none"):
            note("this build is not optimised for timing (use -Dbuildtype=release)")
        print("python:  %s %s; helpers: %s" % (sys.executable, platform.python_version(),
                                                ", ".join(tools[h] for h in HELPERS)))
        print("work dir: %s%s" % (work, "" if a.keep else " (removed at the end; --keep DIR keeps it)"))

        load0 = os.getloadavg()[0]
        ok = True
        if a.png is not None:
            ok = bench_png(a, work) and ok
        elif not a.no_images:
            ok = bench_images(a, work, tools, help_text) and ok
        if a.big_images is not None:
            ok = bench_big_images(a, work, tools) and ok
        if a.big is not None:
            ok = bench_big(a, work, tools, help_text) and ok
        load1 = os.getloadavg()[0]
        print("\nload average (1 min) at start %.2f, at end %.2f, on %d CPUs" % (load0, load1, cpus))
        if max(load0, load1) > cpus * 0.75:
            note("the machine was busy during the run: wall times include waiting for a CPU; "
                 "the CPU columns are less affected")
        return 0 if ok else 1
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
