#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Data safety of every tool: no run loses, overwrites or silently corrupts data.

Usage: e2e_data_safety.py TOOLS_DIR SOURCE_ROOT
Prints TAP. One group of checks per case of the data-safety rules (README,
"Safety"), each check named after its case: one run per output folder (a lock),
never write an input, no symlink followed inside an output, merge only shards of
one run, resume only the same run, resume leaves nothing stale, an unfinished
output is not a dataset, one id one image, fail before writing, messages.
"""
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

TOOLS, ROOT = sys.argv[1], sys.argv[2]
T = {n: os.path.join(TOOLS, "boxmix-" + n) for n in ("augment", "check", "convert", "draw", "merge")}
SAMPLES = os.path.join(ROOT, "samples")
SAMPLES_JSON = os.path.join(SAMPLES, "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(SAMPLES, "images")
# The sanitizer build is several times slower: waits scale with it.
SLOW = 4.0 if os.environ.get("ASAN_OPTIONS") else 1.0
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(tool, *args, timeout=120):
    p = subprocess.run([T[tool], *args], capture_output=True, text=True, timeout=timeout * SLOW)
    return p.returncode, p.stdout, p.stderr


def snapshot(d):
    """Every file below d (hidden ones too) with its content hash; symlinks as links."""
    files = {}
    if not os.path.exists(d):
        return files
    for base, dirs, names in os.walk(d):
        for n in names + [x for x in dirs if os.path.islink(os.path.join(base, x))]:
            p = os.path.join(base, n)
            rel = os.path.relpath(p, d)
            if os.path.islink(p):
                files[rel] = "link:" + os.readlink(p)
            else:
                with open(p, "rb") as f:
                    files[rel] = hashlib.sha256(f.read()).hexdigest()
    return files


def make_dataset(d, copies=1, sub=False):
    """samples/ as a COCO set of 8 * copies images in d (annotations.json, images/);
    with `sub`, every other image lives in images/sub/."""
    with open(SAMPLES_JSON) as f:
        src = json.load(f)
    os.makedirs(os.path.join(d, "images", "sub"), exist_ok=True)
    images, anns = [], []
    for c in range(copies):
        for im in src["images"]:
            new = dict(im)
            new["id"] = len(images) + 1
            name = "c%d_%s" % (c, im["file_name"])
            if sub and new["id"] % 2 == 0:
                name = "sub/" + name
            new["file_name"] = name
            shutil.copyfile(os.path.join(SAMPLES_IMAGES, im["file_name"]), os.path.join(d, "images", name))
            for a in src["annotations"]:
                if a["image_id"] == im["id"]:
                    na = dict(a)
                    na["id"] = len(anns) + 1
                    na["image_id"] = new["id"]
                    anns.append(na)
            images.append(new)
    doc = dict(src)
    doc["images"], doc["annotations"] = images, anns
    with open(os.path.join(d, "annotations.json"), "w") as f:
        json.dump(doc, f)
    return os.path.join(d, "annotations.json"), os.path.join(d, "images")


def output_lines(out):
    try:
        with open(os.path.join(out, ".boxmix-journal")) as f:
            return sum(1 for line in f.read().splitlines() if line.startswith("output "))
    except OSError:
        return 0


def start(tool, *args):
    return subprocess.Popen([T[tool], *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def proc_cpu(pid):
    """CPU seconds process pid has used so far (user + system, from /proc)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def kill_after(p, cond, sig, limit=60):
    """Send `sig` once cond() holds; whether the process was still running then.
    kill_after.elapsed is the wall time from the signal to the exit, kill_after.cpu
    the CPU time the process used in between (what a loaded machine does not
    stretch)."""
    deadline = time.time() + limit * SLOW
    while time.time() < deadline and p.poll() is None and not cond():
        time.sleep(0.002)
    running = p.poll() is None
    t0 = time.time()
    kill_after.cpu = 0.0
    if not running:
        out, err = p.communicate(timeout=120 * SLOW)
        kill_after.elapsed = 0.0
        return running, p.returncode, out, err
    cpu0 = proc_cpu(p.pid)
    p.send_signal(sig)
    got = {}
    readers = [threading.Thread(target=lambda k=k, f=f: got.__setitem__(k, f.read()))
               for k, f in (("out", p.stdout), ("err", p.stderr))]
    for t in readers:
        t.start()
    for t in readers:
        t.join(timeout=120 * SLOW)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    kill_after.elapsed = time.time() - t0
    kill_after.cpu = usage.ru_utime + usage.ru_stime - cpu0
    return running, p.returncode, got.get("out", ""), got.get("err", "")


def temps_below(d):
    return [os.path.join(b, n) for b, _, ns in os.walk(d) for n in ns if ".boxmix-tmp-" in n]


def png_bytes(w, h):
    """A grey 8-bit PNG of w x h."""
    raw = b"".join(b"\0" + b"\x80" * w for _ in range(h))

    def chunk(t, data):
        return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def big_coco(path, n_images, per_image=2):
    """A large COCO file (images need not exist: for dry runs and checks)."""
    with open(path, "w") as f:
        f.write('{"images":[')
        f.write(",".join('{"id":%d,"file_name":"i%d.jpg","width":640,"height":480}' % (i, i)
                         for i in range(1, n_images + 1)))
        f.write('],"annotations":[')
        k = 0
        parts = []
        for i in range(1, n_images + 1):
            for j in range(per_image):
                k += 1
                parts.append('{"id":%d,"image_id":%d,"category_id":1,"bbox":[%d,%d,100,80],"area":8000,'
                             '"iscrowd":0,"segmentation":[[%d,%d,%d,%d,%d,%d]]}'
                             % (k, i, 10 + j, 20, 10 + j, 20, 110 + j, 20, 60 + j, 100))
        f.write(",".join(parts))
        f.write('],"categories":[{"id":1,"name":"thing"}]}')


# ---- 1. one run per output folder ----

def case_lock(tmp):
    name = "one-run-per-output-folder"
    ann, img = make_dataset(os.path.join(tmp, "lock-in"))
    both = 0
    consistent = True
    detail = ""
    for t in range(30):
        out = os.path.join(tmp, "lock-out-%d" % t)
        common = ["--annotations", ann, "--images", img, "--out", out, "--per-image", "25", "--threads", "1",
                  "--quiet"]
        p1 = start("augment", *common, "--seed", "5")
        p2 = start("augment", *common, "--seed", "6")
        (o1, e1), (o2, e2) = p1.communicate(timeout=300), p2.communicate(timeout=300)
        if p1.returncode == 0 and p2.returncode == 0:
            both += 1
            detail = e1 + e2
        for rc, e in ((p1.returncode, e1), (p2.returncode, e2)):
            if rc != 0 and "another boxmix run is writing into this folder" not in e and \
                    "already holds a dataset" not in e:
                consistent = False
                detail = e
        # The dataset left is one run's: its seed in every record, its files in its journal.
        try:
            doc = json.load(open(os.path.join(out, "annotations.json")))
            journal = open(os.path.join(out, ".boxmix-journal")).read()
            seeds = {im["boxmix"]["seed"] for im in doc["images"]}
            hashes = {}
            for line in journal.splitlines():
                if line.startswith("output "):
                    _, k, size, h = line.split()
                    hashes[int(k)] = int(size)
            ok = len(seeds) == 1 and ('"seed":%d' % seeds.pop()) in journal
            for im in doc["images"]:
                size = os.path.getsize(os.path.join(out, "images", im["file_name"]))
                ok = ok and hashes.get(im["boxmix"]["index"]) == size
            consistent = consistent and ok
        except (OSError, ValueError, KeyError) as e:
            consistent = False
            detail = str(e)
    check(name + ": two runs into one folder never both succeed (30 tries)", both == 0, detail)
    check(name + ": the folder holds one run's labels over that run's images", consistent, detail)

    # A held lock refuses every tool that writes, with exit 1 naming the folder.
    held = os.path.join(tmp, "held")
    os.makedirs(held)
    fd = os.open(os.path.join(held, ".boxmix-lock"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    shard = os.path.join(tmp, "lock-shard")
    run("augment", "--annotations", ann, "--images", img, "--out", shard, "--quiet")
    calls = {
        "augment": ["--annotations", ann, "--images", img, "--out", held],
        "convert": ["--from", "coco", "--annotations", ann, "--images", img, "--to", "voc", "--out", held],
        "draw": ["--annotations", ann, "--images", img, "--out", held],
        "merge": [held, shard],
    }
    for tool, args in calls.items():
        rc, _, err = run(tool, *args)
        check(name + ": %s refuses a folder another run holds" % tool,
              rc == 1 and "another boxmix run is writing into this folder" in err and held in err, err)
    os.close(fd)
    check(name + ": a refused run writes nothing", sorted(os.listdir(held)) == [".boxmix-lock"],
          os.listdir(held))

    # SIGKILL leaves no stale lock: the kernel released it with the process.
    k = os.path.join(tmp, "lock-killed")
    args = ["--annotations", ann, "--images", img, "--out", k, "--per-image", "25", "--threads", "1", "--quiet"]
    running, _, _, _ = kill_after(start("augment", *args), lambda: output_lines(k) >= 5, signal.SIGKILL)
    rc, _, err = run("augment", *args, "--resume")
    check(name + ": after SIGKILL the next run takes the lock", running and rc == 0, err)


# ---- 2. never write an input ----

def case_inputs(tmp):
    name = "never-write-an-input"
    base = os.path.join(tmp, "inp")
    ann, img = make_dataset(base)
    before = snapshot(base)
    out = os.path.join(tmp, "inp-out")
    common = ["--annotations", ann, "--images", img]
    for label, extra in (("--report IN.json", ["--out", out, "--report", ann]),
                         ("--report images/x.jpg", ["--out", out, "--report", os.path.join(img, "c0_sample_01.jpg")]),
                         ("--report OUT/annotations.json", ["--out", out, "--report", os.path.join(out, "annotations.json")]),
                         ("--report OUT/images/r.json", ["--out", out, "--report", os.path.join(out, "images", "r.json")]),
                         ("--out X with --images X/images", ["--out", base, "--include-originals"]),
                         ("--out IMAGES", ["--out", img]),
                         ("--out IMAGES/sub", ["--out", os.path.join(img, "sub")])):
        for force in ([], ["--force"]):
            rc, _, err = run("augment", *common, *extra, *force)
            check(name + ": augment %s%s is refused before anything is written" % (label, " --force" if force else ""),
                  rc in (1, 2) and ("never writes its inputs" in err or " the output" in err), err)
    check(name + ": no input changed and no output made", snapshot(base) == before and not os.path.exists(out))

    # boxmix-draw: a sheet in place of a drawing or of an input.
    d = os.path.join(tmp, "inp-draw")
    rc, _, err = run("draw", *common, "--out", d, "--sheet", os.path.join(d, "c0_sample_01.png"))
    check(name + ": draw --sheet that would replace a drawing is refused",
          rc == 1 and "would replace the drawing" in err and not os.path.exists(d), err)
    rc, _, err = run("draw", *common, "--out", d, "--sheet", os.path.join(img, "c0_sample_01.jpg"))
    check(name + ": draw --sheet onto an input image is refused",
          rc == 1 and "never writes its inputs" in err and not os.path.exists(d), err)
    rc, _, err = run("draw", *common, "--out", os.path.join(img, "qa"))
    check(name + ": draw --out inside the input image folder is refused", rc == 1 and "never writes" in err, err)
    rc, _, err = run("draw", *common, "--out", d, "--sheet", os.path.join(d, "sheet.png"))
    check(name + ": draw --sheet inside the drawing folder under another name works", rc == 0, err)

    # boxmix-merge --force into a shard, or inside one.
    shards = [os.path.join(tmp, "inp-shard%d" % i) for i in range(2)]
    for i, s in enumerate(shards):
        run("augment", *common, "--out", s, "--shard", "%d/2" % i, "--quiet")
    sb = [snapshot(s) for s in shards]
    for target in (shards[0], os.path.join(shards[0], "merged"), os.path.join(shards[1], "images")):
        rc, _, err = run("merge", "--force", target, *shards)
        check(name + ": merge --force into %s is refused" % os.path.relpath(target, tmp),
              rc == 1 and "never writes its inputs" in err, err)
    check(name + ": the shards are unchanged", [snapshot(s) for s in shards] == sb)

    # boxmix-convert into the input.
    rc, _, err = run("convert", "--from", "coco", "--annotations", ann, "--images", img, "--to", "voc",
                     "--out", img, "--force")
    check(name + ": convert --out IMAGES --force is refused", rc == 1 and "never writes its inputs" in err, err)
    rc, _, err = run("convert", "--from", "coco", "--annotations", ann, "--images", img, "--to", "voc",
                     "--out", base, "--force")
    check(name + ": convert --out X with the input in X/ works (writes beside it)", rc == 0, err)
    check(name + ": and leaves the inputs as they were",
          {k: v for k, v in snapshot(base).items() if k in before} == before)


# ---- 3. no symlink followed inside any output ----

def case_symlinks(tmp):
    name = "no-symlink-followed"
    ann, img = make_dataset(os.path.join(tmp, "sym-in"), sub=True)
    common = ["--annotations", ann, "--images", img]
    voc = os.path.join(tmp, "sym-voc")
    run("convert", "--from", "coco", *common, "--to", "voc", "--out", voc)
    shards = [os.path.join(tmp, "sym-shard%d" % i) for i in range(2)]
    for i, s in enumerate(shards):
        run("augment", *common, "--out", s, "--shard", "%d/2" % i, "--include-originals", "--quiet")
    plans = [
        ("augment", "images", common),
        ("augment --include-originals", "images/sub", common + ["--include-originals"]),
        ("augment --out-format voc", "Annotations", common + ["--out-format", "voc"]),
        ("augment --out-format voc", "ImageSets", common + ["--out-format", "voc"]),
        ("augment --out-format voc", "ImageSets/Main", common + ["--out-format", "voc"]),
        ("augment --out-format voc", "JPEGImages", common + ["--out-format", "voc"]),
        ("merge", "images", None),
        ("merge", "images/sub", None),
        ("draw", "sub", common),
        ("convert coco->voc", "JPEGImages", ["--from", "coco"] + common + ["--to", "voc"]),
        ("convert coco->voc", "Annotations", ["--from", "coco"] + common + ["--to", "voc"]),
        ("convert coco->voc", "ImageSets", ["--from", "coco"] + common + ["--to", "voc"]),
        ("convert coco->voc", "ImageSets/Main", ["--from", "coco"] + common + ["--to", "voc"]),
        ("convert voc->coco", "images", ["--from", "voc", "--voc", voc, "--to", "coco"]),
    ]
    for n, (label, where, args) in enumerate(plans):
        out = os.path.join(tmp, "sym-out-%d" % n)
        victim = os.path.join(tmp, "sym-victim-%d" % n)
        os.makedirs(victim)
        link = os.path.join(out, where)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(victim, link)
        tool = label.split()[0]
        if tool == "merge":
            rc, _, err = run("merge", out, *shards)
        else:
            rc, _, err = run(tool, *args, "--out", out)
        check(name + ": %s with a symlink at OUT/%s: refused, nothing written through it" % (label, where),
              rc == 1 and "symlink" in err and os.listdir(victim) == [], err)
    # A symlinked file is replaced, never written through.
    out = os.path.join(tmp, "sym-file")
    run("augment", *common, "--out", out, "--quiet")
    victim = os.path.join(tmp, "sym-victim-file")
    with open(victim, "w") as f:
        f.write("precious\n")
    os.unlink(os.path.join(out, "annotations.json"))
    os.symlink(victim, os.path.join(out, "annotations.json"))
    rc, _, err = run("augment", *common, "--out", out, "--force", "--quiet")
    check(name + ": a symlink at OUT/annotations.json is replaced, its target untouched",
          rc == 0 and open(victim).read() == "precious\n" and
          not os.path.islink(os.path.join(out, "annotations.json")), err)
    out = os.path.join(tmp, "sym-lock")
    os.makedirs(out)
    os.symlink(victim, os.path.join(out, ".boxmix-lock"))
    rc, _, err = run("augment", *common, "--out", out)
    check(name + ": a symlink at OUT/.boxmix-lock is refused",
          rc == 1 and "symlink" in err and open(victim).read() == "precious\n", err)


# ---- 4. merge only what belongs together ----

def case_merge(tmp):
    name = "merge-only-what-belongs"
    ann, img = make_dataset(os.path.join(tmp, "mg-in"))
    common = ["--annotations", ann, "--images", img, "--per-image", "2", "--seed", "11", "--quiet"]

    def shard(label, i, *extra):
        d = os.path.join(tmp, "mg-%s-%d" % (label, i))
        rc, _, err = run("augment", *common, "--out", d, "--shard", "%d/2" % i, *extra)
        return d

    good = [shard("good", 0), shard("good", 1)]
    rc, _, err = run("merge", os.path.join(tmp, "mg-merged"), *good)
    check(name + ": two shards of one run merge", rc == 0, err)
    for label, extra in (("another seed", ["--seed", "12"]), ("another --min-visibility", ["--min-visibility", "0.3"]),
                         ("png", ["--format", "png"]), ("a --dry-run", ["--dry-run"])):
        other = shard(label.replace(" ", "_"), 1, *extra)
        rc, _, err = run("merge", os.path.join(tmp, "mg-x-" + label.replace(" ", "_")), good[0], other)
        check(name + ": a shard of %s is refused, naming it" % label,
              rc == 1 and other in err and "not a shard of the same run" in err, err)

    def tampered(label, fn):
        d = os.path.join(tmp, "mg-t-" + label)
        shutil.copytree(good[1], d, symlinks=True)
        target = fn(d)
        rc, _, err = run("merge", os.path.join(tmp, "mg-y-" + label), good[0], d)
        check(name + ": a shard with %s is refused, naming the file" % label.replace("_", " "),
              rc == 1 and target in err, err)

    def images_of(d):
        return sorted(os.listdir(os.path.join(d, "images")))

    def delete(d):
        os.unlink(os.path.join(d, "images", images_of(d)[0]))
        return images_of(good[1])[0]

    def edit(d):
        p = os.path.join(d, "annotations.json")
        doc = json.load(open(p))
        doc["annotations"][0]["area"] = doc["annotations"][0]["area"] + 1
        json.dump(doc, open(p, "w"))
        return "annotations.json"

    def corrupt(d):
        p = os.path.join(d, "images", images_of(d)[0])
        data = bytearray(open(p, "rb").read())
        data[len(data) // 2] ^= 0xFF
        open(p, "wb").write(bytes(data))
        return images_of(d)[0]

    def swap(d):
        a, b = (os.path.join(d, "images", n) for n in images_of(d)[:2])
        tmpn = a + ".swap"
        os.rename(a, tmpn)
        os.rename(b, a)
        os.rename(tmpn, b)
        return images_of(d)[0]

    for label, fn in (("a deleted image", delete), ("edited annotations", edit),
                      ("a corrupted image", corrupt), ("swapped images", swap)):
        tampered(label.replace(" ", "_"), fn)


# ---- 5. resume only the same run ----

def case_resume_inputs(tmp):
    name = "resume-only-the-same-run"
    for label in ("an image changed in place", "an image touched", "the annotation file changed"):
        base = os.path.join(tmp, "rs-in-" + label.replace(" ", "_"))
        ann, img = make_dataset(base)
        out = os.path.join(tmp, "rs-out-" + label.replace(" ", "_"))
        args = ["--annotations", ann, "--images", img, "--out", out, "--per-image", "25", "--threads", "1",
                "--quiet"]
        running, _, _, _ = kill_after(start("augment", *args), lambda: output_lines(out) >= 20, signal.SIGKILL)
        victim = os.path.join(img, "c0_sample_03.jpg")
        if label == "an image changed in place":
            data = bytearray(open(victim, "rb").read())
            data[len(data) // 2] ^= 0x55  # same name, same size, other pixels
            open(victim, "wb").write(bytes(data))
            named = victim
        elif label == "an image touched":
            st = os.stat(victim)
            os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns + 10 ** 9))
            named = victim
        else:
            doc = json.load(open(ann))
            doc["annotations"][0]["bbox"][0] += 1
            json.dump(doc, open(ann, "w"))
            named = ann
        rc, _, err = run("augment", *args, "--resume")
        check(name + ": --resume after %s is refused, naming it" % label,
              running and rc == 1 and named in err and "changed since the interrupted run" in err, err)
    base = os.path.join(tmp, "rs-in-opts")
    ann, img = make_dataset(base)
    out = os.path.join(tmp, "rs-out-opts")
    args = ["--annotations", ann, "--images", img, "--out", out, "--per-image", "25", "--threads", "1", "--quiet"]
    running, _, _, _ = kill_after(start("augment", *args), lambda: output_lines(out) >= 20, signal.SIGKILL)
    rc, _, err = run("augment", *args, "--resume", "--seed", "9")
    check(name + ": --resume with another seed is refused", running and rc == 1 and "other inputs or options" in err,
          err)


# ---- 6. resume leaves nothing stale ----

def case_resume_stale(tmp):
    name = "resume-leaves-nothing-stale"
    ann, img = make_dataset(os.path.join(tmp, "st-in"), sub=True)
    for fmt in ("coco", "voc"):
        for originals in (False, True):
            label = fmt + (" --include-originals" if originals else "")
            args = ["--annotations", ann, "--images", img, "--per-image", "6", "--threads", "1", "--quiet",
                    "--out-format", fmt] + (["--include-originals"] if originals else [])
            ref = os.path.join(tmp, "st-ref-%s-%d" % (fmt, originals))
            rc, _, err = run("augment", *args, "--out", ref)
            ref_tree = snapshot(ref)
            total = 6 * 8
            for point in (1, 20, total):
                out = os.path.join(tmp, "st-%s-%d-%d" % (fmt, originals, point))
                running, _, _, _ = kill_after(start("augment", *args, "--out", out),
                                              lambda: output_lines(out) >= point, signal.SIGKILL)
                # What a kill in the middle of each write leaves, at every depth.
                plants = ["annotations.json.boxmix-tmp-999999", ".boxmix-journal.boxmix-tmp-999999"]
                plants += (["Annotations/c0_sample_01.xml.boxmix-tmp-999999",
                            "ImageSets/Main/trainval.txt.boxmix-tmp-999999",
                            "JPEGImages/cutmix_000001.jpg.boxmix-tmp-999999"] if fmt == "voc" else
                           ["images/cutmix_000001.jpg.boxmix-tmp-999999"])
                if originals:
                    plants.append(("JPEGImages" if fmt == "voc" else "images") +
                                  "/sub/c0_sample_02.jpg.boxmix-tmp-999999")
                for p in plants:
                    os.makedirs(os.path.dirname(os.path.join(out, p)), exist_ok=True)
                    with open(os.path.join(out, p), "wb") as f:
                        f.write(b"half")
                rc, _, err = run("augment", *args, "--out", out, "--resume")
                tree = snapshot(out)
                diff = sorted(set(tree.items()) ^ set(ref_tree.items()))
                check(name + ": %s killed after %d outputs, resumed: same tree as an uninterrupted run" %
                      (label, point), rc == 0 and not diff, err + "\n" + "\n".join(map(str, diff[:6])))


# ---- 7. an unfinished output is not a dataset ----

def case_unfinished(tmp):
    name = "unfinished-output-is-not-a-dataset"
    ann, img = make_dataset(os.path.join(tmp, "un-in"))
    voc_in = os.path.join(tmp, "un-voc-in")
    run("convert", "--from", "coco", "--annotations", ann, "--images", img, "--to", "voc", "--out", voc_in)
    out = os.path.join(tmp, "un-voc")
    args = ["--voc", voc_in, "--out", out, "--per-image", "25", "--threads", "1", "--quiet"]
    running, _, _, _ = kill_after(start("augment", *args), lambda: output_lines(out) >= 30, signal.SIGKILL)
    # What a reader would see if the kill came in the VOC write: a few XMLs.
    os.makedirs(os.path.join(out, "Annotations"), exist_ok=True)
    shutil.copyfile(os.path.join(voc_in, "Annotations", "c0_sample_01.xml"),
                    os.path.join(out, "Annotations", "cutmix_000000.xml"))
    check(name + ": the killed VOC run left a journal without its end", running and output_lines(out) >= 30)
    for tool, targs in (("check", ["--voc", out]),
                        ("convert", ["--from", "voc", "--voc", out, "--to", "coco", "--out", os.path.join(tmp, "un-c")]),
                        ("draw", ["--voc", out, "--out", os.path.join(tmp, "un-d")]),
                        ("augment", ["--voc", out, "--out", os.path.join(tmp, "un-a")])):
        rc, _, err = run(tool, *targs)
        check(name + ": boxmix-%s refuses it, naming --resume" % tool,
              rc == 1 and "has not finished" in err and "--resume" in err, err)
    rc, _, err = run("augment", *args)
    check(name + ": the same command without --resume says to use --resume",
          rc == 1 and "--resume" in err and "already holds a dataset" not in err, err)
    # A COCO shard killed the same way is no shard.
    sh = os.path.join(tmp, "un-shard")
    sargs = ["--annotations", ann, "--images", img, "--out", sh, "--per-image", "25", "--threads", "1", "--quiet",
             "--shard", "0/1"]
    kill_after(start("augment", *sargs), lambda: output_lines(sh) >= 30, signal.SIGKILL)
    with open(os.path.join(sh, "annotations.json"), "w") as f:
        f.write('{"images":[],"annotations":[],"categories":[]}')
    rc, _, err = run("merge", os.path.join(tmp, "un-m"), sh)
    check(name + ": boxmix-merge refuses an unfinished shard", rc == 1 and "has not finished" in err, err)
    rc, _, err = run("check", os.path.join(sh, "annotations.json"))
    check(name + ": boxmix-check refuses an unfinished COCO output", rc == 1 and "--resume" in err, err)
    rc, _, err = run("augment", *args, "--resume")
    rc2, _, err2 = run("check", "--voc", out)
    check(name + ": once resumed it is a dataset again", rc == 0 and rc2 == 0, err + err2)


# ---- 8. one id, one image ----

def case_ids(tmp):
    name = "one-id-one-image"
    d = os.path.join(tmp, "ids")
    ann, img = make_dataset(d)
    doc = json.load(open(ann))
    doc["images"][0]["id"] = "2"  # images[1] has the id 2
    for a in doc["annotations"]:
        if a["image_id"] == 1:
            a["image_id"] = "2"
    json.dump(doc, open(ann, "w"))
    rc, _, err = run("augment", "--annotations", ann, "--images", img, "--out", os.path.join(tmp, "ids-out"))
    check(name + ": augment refuses two spellings of one image id", rc == 1 and "duplicate" in err, err)
    rc, out, err = run("check", ann)
    check(name + ": boxmix-check reports duplicate-id", rc == 1 and "duplicate-id" in out, out + err)


# ---- 9. fail before writing, naming the file ----

def case_before_writing(tmp):
    name = "fail-before-writing"
    d = os.path.join(tmp, "wide")
    ann, img = make_dataset(d)
    with open(os.path.join(img, "wide.png"), "wb") as f:
        f.write(png_bytes(65536, 1))
    doc = json.load(open(ann))
    doc["images"].append({"id": 99, "file_name": "wide.png", "width": 65536, "height": 1})
    json.dump(doc, open(ann, "w"))
    out = os.path.join(tmp, "wide-out")
    rc, _, err = run("augment", "--annotations", ann, "--images", img, "--out", out)
    check(name + ": a 65536x1 input for JPEG output stops the run before any write, naming it",
          rc == 1 and "wide.png" in err and "65535" in err and not os.path.exists(out), err)
    rc, _, err = run("augment", "--annotations", ann, "--images", img, "--out", out, "--skip-bad", "--quiet")
    check(name + ": --skip-bad leaves it out", rc == 0 and "left out 1" in err, err)
    rc, _, err = run("augment", "--annotations", ann, "--images", img, "--out", os.path.join(tmp, "wide-png"),
                     "--format", "png", "--quiet", "--per-image", "1", "--count", "2")
    # VOC output names of originals that collide.
    d = os.path.join(tmp, "clash")
    ann, img = make_dataset(d, sub=True)
    doc = json.load(open(ann))
    shutil.copyfile(os.path.join(img, "c0_sample_01.jpg"), os.path.join(img, "sub", "c0_sample_01.jpg"))
    doc["images"][1]["file_name"] = "sub/c0_sample_01.jpg"
    doc["images"][1]["width"], doc["images"][1]["height"] = 320, 240
    json.dump(doc, open(ann, "w"))
    out = os.path.join(tmp, "clash-out")
    rc, _, err = run("augment", "--annotations", ann, "--images", img, "--out", out, "--out-format", "voc",
                     "--include-originals")
    check(name + ": --include-originals with VOC output: colliding names found before writing, both named",
          rc == 1 and "c0_sample_01.jpg" in err and "sub/c0_sample_01.jpg" in err and not os.path.exists(out), err)


# ---- 11. messages ----

def case_messages(tmp):
    name = "messages"
    d = os.path.join(tmp, "msg")
    ann, img = make_dataset(d)
    # A PNG without IEND: the reason is never empty.
    p = os.path.join(img, "c0_sample_04.png")
    data = open(p, "rb").read()
    open(p, "wb").write(data[:-12])
    rc, _, err = run("augment", "--annotations", ann, "--images", img, "--out", os.path.join(tmp, "msg-o1"),
                     "--skip-bad", "--report", os.path.join(tmp, "msg-report.json"), "--quiet")
    rep = json.load(open(os.path.join(tmp, "msg-report.json"))) if rc == 0 else {"skipped_images": []}
    reasons = [s["reason"] for s in rep["skipped_images"]]
    check(name + ": a PNG without IEND has a reason", rc == 0 and reasons and
          all(not r.rstrip().endswith(":") for r in reasons), reasons)
    open(p, "wb").write(data)
    # A long path keeps the reason.
    deep = d
    while len(deep) < 1400:
        deep = os.path.join(deep, "a-rather-long-folder-name-to-make-the-path-longer")
    os.makedirs(deep)
    doc = json.load(open(ann))
    doc["annotations"][12]["bbox"] = [1, 2, 3]
    bad = os.path.join(deep, "bad.json")
    json.dump(doc, open(bad, "w"))
    rc, _, err = run("augment", "--annotations", bad, "--images", img, "--out", os.path.join(tmp, "msg-o2"))
    line = err.strip().splitlines()[-1] if err.strip() else ""
    check(name + ": a long path is shortened in the middle, the reason kept",
          rc == 1 and "..." in line and line.endswith("expected 4 numbers, got 3") and
          "annotations[12].bbox" in line, err)
    # Control characters in names are escaped.
    doc = json.load(open(ann))
    doc["images"][0]["file_name"] = "evil\x1b[31m\nname.jpg"
    ctl = os.path.join(d, "ctl.json")
    json.dump(doc, open(ctl, "w"))
    rc, _, err = run("augment", "--annotations", ctl, "--images", img, "--out", os.path.join(tmp, "msg-o3"))
    check(name + ": control characters in names are escaped",
          rc == 1 and "\\x1b" in err and "\x1b" not in err and err.count("\n") == 1, repr(err))
    # A regular file where a folder is needed.
    f = os.path.join(tmp, "msg-file")
    open(f, "w").close()
    rc, _, err = run("augment", "--annotations", ann, "--images", img, "--out", f)
    check(name + ": --out naming a file says so", rc == 1 and "is a file, not a folder" in err, err)
    o4 = os.path.join(tmp, "msg-o4")
    os.makedirs(o4)
    open(os.path.join(o4, "images"), "w").close()
    rc, _, err = run("augment", "--annotations", ann, "--images", img, "--out", o4)
    check(name + ": a file at OUT/images says so", rc == 1 and "images: is a file, not a folder" in err, err)

    # Interrupted dry runs, and SIGINT during the final annotation write.
    big = os.path.join(tmp, "big.json")
    big_coco(big, 60000)
    od = os.path.join(tmp, "msg-dry")
    p = start("augment", "--annotations", big, "--images", img, "--out", od, "--dry-run", "--per-image", "2")
    running, rc, _, err = kill_after(p, lambda: False, signal.SIGINT, limit=0.3)
    check(name + ": an interrupted --dry-run exits 130 and does not suggest --resume",
          running and rc == 130 and "--resume" not in err and "interrupted" in err, err)
    od2 = os.path.join(tmp, "msg-dry2")
    p = start("augment", "--annotations", big, "--images", img, "--out", od2, "--dry-run", "--per-image", "2")
    running, rc, _, err = kill_after(p, lambda: bool(temps_below(od2)), signal.SIGINT, limit=120)
    check(name + ": SIGINT during the final annotation write stops it within a second, leaving no temporary",
          running and rc == 130 and kill_after.cpu < 1.0 * SLOW and not temps_below(od2) and
          not os.path.exists(os.path.join(od2, "annotations.json")),
          "%.2f s CPU, %.2f s wall: %s" % (kill_after.cpu, kill_after.elapsed, err))

    # Every tool stops on SIGINT/SIGTERM with a message, 130, and no temporary.
    many = os.path.join(tmp, "many")
    mann, mimg = make_dataset(many, copies=40)
    shards = [os.path.join(tmp, "many-shard%d" % i) for i in range(2)]
    for i, s in enumerate(shards):
        run("augment", "--annotations", mann, "--images", mimg, "--out", s, "--shard", "%d/2" % i, "--quiet",
            "--per-image", "2")
    outs = {"draw": os.path.join(tmp, "sig-draw"), "convert": os.path.join(tmp, "sig-convert"),
            "merge": os.path.join(tmp, "sig-merge"), "augment": os.path.join(tmp, "sig-augment")}
    calls = {
        "draw": ["--annotations", mann, "--images", mimg, "--out", outs["draw"]],
        "convert": ["--from", "coco", "--annotations", mann, "--images", mimg, "--to", "voc", "--out",
                    outs["convert"]],
        "merge": [outs["merge"], *shards],
        "augment": ["--annotations", mann, "--images", mimg, "--out", outs["augment"], "--per-image", "3"],
    }
    for sig in (signal.SIGINT, signal.SIGTERM):
        for tool, args in calls.items():
            shutil.rmtree(outs[tool], ignore_errors=True)
            out = outs[tool]

            def some_written():
                return sum(len(ns) for _, _, ns in os.walk(out)) >= 4

            running, rc, _, err = kill_after(start(tool, *args), some_written, sig)
            check(name + ": boxmix-%s stops on %s with 130, a message and no temporary" %
                  (tool, signal.Signals(sig).name),
                  running and rc == 130 and "interrupted" in err and not temps_below(out) and
                  not os.path.exists(os.path.join(out, ".boxmix-lock")), "rc %s: %s" % (rc, err))
            if tool == "augment":
                # The journal lists every output the message counts complete, and
                # each is on disk: --resume takes up exactly where the message says.
                m = re.search(r"(\d+) of (\d+) outputs are complete", err)
                with open(os.path.join(out, ".boxmix-journal")) as f:
                    listed = [ln.split()[1] for ln in f.read().splitlines() if ln.startswith("output ")]
                names = os.listdir(os.path.join(out, "images"))
                on_disk = all(any(n.endswith("_%06d.jpg" % int(k)) for n in names) for k in listed)
                check(name + ": augment stopped by %s: its journal lists the %s outputs the message "
                      "counts complete, each on disk" % (signal.Signals(sig).name,
                                                         m.group(1) if m else "?"),
                      m is not None and len(listed) == int(m.group(1)) > 0 and on_disk,
                      "%d listed: %s" % (len(listed), err))
    # Stopped while workers wait for room (three threads, a 1-byte limit: outputs
    # queue behind each other): every worker wakes and the run ends, each time.
    hung = []
    for i in range(12):
        out = os.path.join(tmp, "sig-wait-%d" % i)
        p = start("augment", "--annotations", mann, "--images", mimg, "--out", out, "--per-image", "3",
                  "--threads", "3", "--memory-limit", "1", "--quiet")
        time.sleep(0.02 + 0.03 * i * SLOW)
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
        try:
            p.communicate(timeout=60 * SLOW)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            hung.append(i)
    check(name + ": SIGINT while three workers wait for room under a 1-byte limit ends the run, 12 times",
          not hung, "hung: %s" % hung)
    big2 = os.path.join(tmp, "big2.json")
    big_coco(big2, 200000, 1)
    p = start("check", big2)
    running, rc, _, err = kill_after(p, lambda: False, signal.SIGINT, limit=0.2)
    check(name + ": boxmix-check stops on SIGINT with 130 and a message",
          running and rc == 130 and "interrupted" in err, err)


def main():
    tmp = tempfile.mkdtemp(prefix="bmx_safe_")
    try:
        for case in (case_lock, case_inputs, case_symlinks, case_merge, case_resume_inputs,
                     case_resume_stale, case_unfinished, case_ids, case_before_writing, case_messages):
            only = os.environ.get("BMX_CASE")
            if only and only not in case.__name__:
                continue
            try:
                case(tmp)
            except Exception as e:  # a crash of the test is a failure of its case
                check(case.__name__ + ": ran to the end", False, repr(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("TAP version 13")
    print("1..%d" % len(results))
    failed = 0
    for i, (n, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, n))
        if not ok:
            failed += 1
            for line in str(detail).splitlines()[:8]:
                print("# " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
