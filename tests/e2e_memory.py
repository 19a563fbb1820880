#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of boxmix-augment's --memory-limit.

Usage: e2e_memory.py TOOL SOURCE_ROOT DECODE_COUNT_HOOK|none SANITIZE

On copies of samples/ (several blocks of the shuffled order): the output folders
are byte-identical with a tiny limit, a huge one and the default, on one thread
and two; a limit raised is said once on stderr (one image alone too large, or
below the two largest of a block), and nothing is said otherwise; bad values are
usage errors (exit 2). With the decode-counting hook (tests/decode_count.c,
TurboJPEG builds), each input is decoded once under the default limit, with
--per-image 4 too, and a tiny limit decodes again. Without sanitizers, the peak
memory of a run on large images stays near its limit. Prints TAP.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

TOOL, ROOT, HOOK, SANITIZE = sys.argv[1:5]
SAMPLES_JSON = os.path.join(ROOT, "samples", "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(ROOT, "samples", "images")
# Decoded sizes of the samples: 320x240 is the largest; every block holds two.
LARGEST = 320 * 240 * 3
FLOOR = 2 * LARGEST

results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def skip(name, why):
    results.append((name, None, why))


def run(args, env=None):
    p = subprocess.Popen([TOOL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env)
    out, err = p.communicate()
    return p.returncode, out.decode(errors="replace"), err.decode(errors="replace")


# Waits for the tool from a small process of its own: a child's peak memory
# (ru_maxrss) counts what its parent held when it forked, and this test holds
# whole output folders.
PEAK_SCRIPT = ("import os, sys; pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ); "
               "_, st, ru = os.wait4(pid, 0); print(os.waitstatus_to_exitcode(st), ru.ru_maxrss)")


def run_peak(args, touched_only=False):
    """Exit status and peak resident memory (KiB) of one run. `touched_only`: without
    MALLOC_PERTURB_ (meson test sets it), which writes every byte malloc hands out,
    so that the peak counts the pages the run writes, not every buffer it reserves
    (an encoder's worst-case output buffer)."""
    env = dict(os.environ)
    if touched_only:
        env.pop("MALLOC_PERTURB_", None)
    p = subprocess.run(["/usr/bin/python3", "-c", PEAK_SCRIPT, TOOL, *args], capture_output=True,
                       text=True, env=env)
    try:
        rc, kib = (int(v) for v in p.stdout.split())
    except ValueError:
        return -1, 0
    return rc, kib


def huge_page_size():
    """The transparent huge page size boxmix decodes large images into, or 0 (the
    rule of lib/core/prefault.c: at most 2 MiB, the size's own control or, where it
    has none or says "inherit", the global one at "always" or "madvise", and not
    turned off for the process)."""
    root = "/sys/kernel/mm/transparent_hugepage/"

    def mode(path):
        try:
            with open(path) as f:
                m = re.search(r"\[(\w+)\]", f.read())
            return m.group(1) if m else None
        except OSError:
            return None
    try:
        with open(root + "hpage_pmd_size") as f:
            size = int(f.read())
        with open("/proc/self/status") as f:
            if re.search(r"^THP_enabled:\s*0", f.read(), re.M):
                return 0
    except (OSError, ValueError):
        return 0
    page = os.sysconf("SC_PAGE_SIZE")
    if size <= 0 or size > 2 << 20 or size & (size - 1) or size % page:
        return 0
    m = mode(root + "hugepages-%dkB/enabled" % (size // 1024))
    if m in (None, "inherit"):
        m = mode(root + "enabled")
    return size if m in ("always", "madvise") else 0


def tree_bytes(d):
    files = {}
    for base, _, names in os.walk(d):
        for n in names:
            p = os.path.join(base, n)
            with open(p, "rb") as f:
                files[os.path.relpath(p, d)] = f.read()
    return files


def make_copies(d, rounds):
    """`rounds` copies of samples/ (images under new names, with their annotations)."""
    src = json.load(open(SAMPLES_JSON))
    os.makedirs(os.path.join(d, "images"))
    images, anns = [], []
    for r in range(rounds):
        for im in src["images"]:
            new_id = len(images) + 1
            name = "r%02d_%s" % (r, im["file_name"])
            shutil.copyfile(os.path.join(SAMPLES_IMAGES, im["file_name"]),
                            os.path.join(d, "images", name))
            images.append(dict(im, id=new_id, file_name=name))
            for a in src["annotations"]:
                if a["image_id"] == im["id"]:
                    anns.append(dict(a, id=len(anns) + 1, image_id=new_id))
    ann = os.path.join(d, "annotations.json")
    with open(ann, "w") as f:
        json.dump(dict(src, images=images, annotations=anns), f)
    jpegs = sum(1 for im in images if im["file_name"].endswith(".jpg"))
    return ann, os.path.join(d, "images"), len(images), jpegs


def png_bytes(w, h):
    """An RGB PNG of w x h, a smooth pattern that compresses well."""
    rows = []
    for y in range(h):
        row = bytearray(1 + 3 * w)
        row[1::3] = bytes((x + y) & 255 for x in range(w))
        row[2::3] = bytes((x * 3) & 255 for x in range(w))
        row[3::3] = bytes((y * 2) & 255 for _ in range(w))
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def make_pngs(d, sizes):
    """PNGs of the given (name, w, h) in d/images, no objects: (annotations, images)."""
    os.makedirs(os.path.join(d, "images"))
    images = []
    made = {}  # each size encoded once
    for i, (name, w, h) in enumerate(sizes):
        if (w, h) not in made:
            made[(w, h)] = png_bytes(w, h)
        with open(os.path.join(d, "images", name), "wb") as f:
            f.write(made[(w, h)])
        images.append({"id": i + 1, "file_name": name, "width": w, "height": h})
    ann = os.path.join(d, "annotations.json")
    with open(ann, "w") as f:
        json.dump({"images": images, "annotations": [],
                   "categories": [{"id": 1, "name": "thing"}]}, f)
    return ann, os.path.join(d, "images")


def make_large(d, n, w, h):
    """n PNGs of w x h (one block), no objects."""
    return make_pngs(d, [("%03d.png" % i, w, h) for i in range(n)])


def make_thin(d):
    """A 400x400 base and a 4000x4 source: CutMix's crop fit scales the source by 90
    to cover a 360x360 patch, a 360000x360 image of which only the patch is needed."""
    return make_pngs(d, [("base.png", 400, 400), ("thin.png", 4000, 4)])


def hook_env(count_file):
    env = dict(os.environ, LD_PRELOAD=HOOK, BMX_TEST_DECODE_COUNT=count_file)
    if SANITIZE not in ("none", ""):
        # The hook is preloaded before the sanitizer's runtime.
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0").lstrip(":")
    return env


def read_count(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def main():
    tmp = tempfile.mkdtemp(prefix="bmx_memory_")
    try:
        ann, img, n_images, n_jpegs = make_copies(os.path.join(tmp, "set"), 19)
        base = ["--annotations", ann, "--images", img, "--seed", "5"]

        # The same bytes for every limit and thread count.
        trees = {}
        errs = {}
        for limit in (None, "1", "64G"):
            for threads in ("1", "2"):
                tag = "%s-t%s" % (limit or "default", threads)
                out = os.path.join(tmp, "out-" + tag)
                extra = ["--memory-limit", limit] if limit else []
                rc, _, err = run(base + ["--out", out, "--per-image", "2", "--threads", threads,
                                         "--quiet"] + extra)
                check("--memory-limit %s --threads %s: exit 0" % (limit or "(default)", threads),
                      rc == 0, err)
                trees[tag] = tree_bytes(out) if rc == 0 else {}
                errs[tag] = err
        ref = trees["default-t1"]
        check("%d images over %d blocks: the default limit wrote %d files" %
              (n_images, n_images // 64, len(ref)), len(ref) > 2 * n_images)
        for tag, t in trees.items():
            if tag != "default-t1":
                diff = sorted(k for k in set(ref) | set(t) if ref.get(k) != t.get(k))
                check("whole output folder of %s == the default's on one thread" % tag,
                      not diff, "differs: %s" % diff[:5])

        # What is said, once.
        line_a = re.compile(r"^boxmix-augment: memory limit: r\d\d_sample_0\d\.jpg \((320x240|240x320)\) "
                            r"alone takes %d bytes decoded, more than the limit of 1 bytes: it is "
                            r"still processed, and the limit rises to %d bytes \(0\.4 MiB\)"
                            % (LARGEST, FLOOR))
        for threads in ("1", "2"):
            err = errs["1-t%s" % threads]
            lines = err.splitlines()
            check("--memory-limit 1 --threads %s: one line on stderr names an image larger than "
                  "the limit and the limit it rises to" % threads,
                  len(lines) == 1 and line_a.match(lines[0]), err)
        check("a huge and the default limit say nothing",
              errs["64G-t1"] == "" and errs["default-t2"] == "", errs["64G-t1"] + errs["default-t2"])
        out = os.path.join(tmp, "below")
        rc, so, err = run(base + ["--out", out, "--memory-limit", "300000"])
        check("a limit below the two largest images of a block is raised, said once",
              rc == 0 and err == ("boxmix-augment: memory limit: 300000 bytes is below the two "
                                  "largest images of one block (%d bytes decoded, 0.4 MiB; an "
                                  "output holds its base and source at once): raised to that\n"
                                  % FLOOR) and "wrote" in so, err)
        out = os.path.join(tmp, "floor")
        rc, _, err = run(base + ["--out", out, "--memory-limit", str(FLOOR), "--quiet"])
        check("a limit of exactly the two largest images is kept, said nothing", rc == 0 and err == "",
              err)
        out = os.path.join(tmp, "binary")
        rc, so, err = run(base + ["--out", out, "--memory-limit", "3K", "--quiet"])
        check("K is binary: 3K is 3072 bytes; the message is printed under --quiet too",
              rc == 0 and so == "" and "more than the limit of 3072 bytes" in err, err)
        out = os.path.join(tmp, "dry")
        rc, _, err = run(base + ["--out", out, "--memory-limit", "1", "--dry-run", "--quiet"])
        check("a dry run decodes nothing and says nothing of the limit", rc == 0 and err == "", err)

        # Bad values are usage errors.
        for bad in ("0", "", "abc", "-1", "1X", "1KB", "1.5G", " 1G", "1 G", "K", "0K",
                    "18446744073709551616", "17179869184G"):
            out = os.path.join(tmp, "bad")
            rc, _, err = run(base + ["--out", out, "--memory-limit", bad])
            check("--memory-limit '%s': exit 2, a usage error, nothing written" % bad,
                  rc == 2 and "--memory-limit: expected a positive size in bytes" in err and
                  "try 'boxmix-augment --help'" in err and not os.path.exists(out), err)
        for good in ("1k", "2m", "1g", "1048576", "17179869183G"):
            out = os.path.join(tmp, "good-" + good)
            rc, _, err = run(base + ["--out", out, "--memory-limit", good, "--dry-run", "--quiet"])
            check("--memory-limit %s is accepted" % good, rc == 0, err)
        rc, so, _ = run(["--help"])
        check("--help documents --memory-limit", rc == 0 and "--memory-limit BYTES" in so, so)

        # Decodes counted by the hook.
        if HOOK == "none":
            skip("each input decoded once", "no TurboJPEG in this build: no decode-counting hook")
        else:
            counts = {}
            for limit in (None, "1"):
                for threads in ("1", "2"):
                    tag = "%s-t%s" % (limit or "default", threads)
                    out = os.path.join(tmp, "pi4-" + tag)
                    count_file = os.path.join(tmp, "count-" + tag)
                    extra = ["--memory-limit", limit] if limit else []
                    rc, _, err = run(base + ["--out", out, "--per-image", "4", "--threads", threads,
                                             "--quiet"] + extra, env=hook_env(count_file))
                    counts[tag] = read_count(count_file) if rc == 0 else None
                    trees[tag] = tree_bytes(out) if rc == 0 else {}
                    check("decode count, --per-image 4 --memory-limit %s --threads %s: exit 0" %
                          (limit or "(default)", threads), rc == 0 and counts[tag] is not None, err)
            for threads in ("1", "2"):
                c = counts["default-t%s" % threads]
                check("--per-image 4 --threads %s, default limit: each of the %d JPEG inputs "
                      "decoded once" % (threads, n_jpegs), c == n_jpegs, "decoded %s" % c)
                c = counts["1-t%s" % threads]
                check("--per-image 4 --threads %s, tiny limit: inputs decoded again (%s decodes "
                      "for %d JPEG inputs), the same bytes" % (threads, c, n_jpegs),
                      c is not None and c > n_jpegs and
                      trees["1-t%s" % threads] == trees["default-t1"])

        # Images of 768 KiB and more are held on whole huge pages where the system has
        # them (lib/core/prefault.c): the budget counts what they take, and says so.
        huge = huge_page_size()
        mid_ann, mid_img = make_large(os.path.join(tmp, "mid"), 2, 1024, 768)
        pixels = 1024 * 768 * 3
        held = -(-(pixels + 32) // huge) * huge if huge else pixels
        rc, _, err = run(["--annotations", mid_ann, "--images", mid_img, "--out",
                          os.path.join(tmp, "mid-out"), "--memory-limit", "1", "--quiet"])
        said = ("alone takes %d bytes decoded%s, more than the limit of 1 bytes: it is still "
                "processed, and the limit rises to %d bytes" %
                (pixels, " (%d in memory, on whole huge pages)" % held if huge else "", 2 * held))
        check("1024x768 inputs, --memory-limit 1, %s: the notice counts %d bytes each" %
              ("huge pages of %d KiB" % (huge // 1024) if huge else "no huge pages", held),
              rc == 0 and said in err, err)

        # Peak memory near the limit (the sanitizers' allocator keeps freed memory).
        if SANITIZE not in ("none", ""):
            skip("peak memory follows the limit", "built with -Db_sanitize=%s" % SANITIZE)
        else:
            big_ann, big_img = make_large(os.path.join(tmp, "large"), 48, 1600, 1200)
            per = 1600 * 1200 * 3
            peaks = {}
            for limit in ("24M", None):
                out = os.path.join(tmp, "large-%s" % (limit or "default"))
                extra = ["--memory-limit", limit] if limit else []
                # Three outputs per input: each input is the source of about three
                # outputs besides its own, so the default limit holds many at once.
                rc, peak = run_peak(["--annotations", big_ann, "--images", big_img, "--out", out,
                                     "--per-image", "3", "--threads", "1", "--quiet"] + extra)
                peaks[limit] = peak * 1024
                check("48 images of 1600x1200 (%.1f MiB each decoded), --per-image 3, --memory-limit %s: exit 0, "
                      "peak %.0f MiB" % (per / 2**20, limit or "(default)", peaks[limit] / 2**20),
                      rc == 0)
            check("--memory-limit 24M: the peak stays within the limit plus 40 MiB (one output "
                  "being made, the codec, the rest of the run), where the default held %.0f MiB"
                  % (peaks[None] / 2**20), peaks["24M"] <= 64 * 2**20 < peaks[None],
                  "peaks: %s" % peaks)
            check("the same bytes under 24M and the default",
                  tree_bytes(os.path.join(tmp, "large-24M")) ==
                  tree_bytes(os.path.join(tmp, "large-default")))
            # A one-input output that is its base's last user (CutOut) composes in the
            # base's own pixels: no second image-sized buffer.
            one_ann, one_img = make_large(os.path.join(tmp, "one"), 1, 3000, 3000)
            one = 3000 * 3000 * 3
            rc, peak = run_peak(["--annotations", one_ann, "--images", one_img, "--out",
                                 os.path.join(tmp, "one-out"), "--count", "1", "--op", "cutout",
                                 "--quiet"], touched_only=True)
            check("cutout on one 3000x3000 image (%.1f MiB decoded): exit 0, peak %.0f MiB, under "
                  "the image plus 16 MiB" % (one / 2**20, peak / 1024),
                  rc == 0 and peak * 1024 < one + 16 * 2**20, "peak %d KiB" % peak)
            # CutMix's crop fit takes only the patch from a source scaled up to cover it:
            # a thin source's scaled whole (here 360000x360, 371 MiB) is never made, nor
            # mapped in as a buffer only partly written.
            thin_ann, thin_img = make_thin(os.path.join(tmp, "thin"))
            rc, peak = run_peak(["--annotations", thin_ann, "--images", thin_img, "--out",
                                 os.path.join(tmp, "thin-out"), "--count", "1", "--op", "cutmix",
                                 "--source-fit", "crop", "--cut-ratio", "0.9:0.9", "--quiet"])
            check("cutmix --source-fit crop, a 4000x4 source under a 360x360 patch: exit 0, "
                  "peak %.0f MiB, under 64 MiB" % (peak / 1024), rc == 0 and peak < 64 * 1024,
                  "peak %d KiB" % peak)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("TAP version 13")
    print("1..%d" % len(results))
    failed = 0
    for i, (name, ok, detail) in enumerate(results, 1):
        if ok is None:
            print("ok %d - %s # SKIP %s" % (i, name, detail))
            continue
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            for line in str(detail).splitlines()[:10]:
                print("  # " + line)
    return 1 if failed else 0


sys.exit(main())
