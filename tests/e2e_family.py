#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The CutMix family through boxmix-augment: every operation (--op) and recipes
(--recipe) on the samples, with what carries over from CutMix: the records and file
names, the same bytes for any thread count, dry runs equal to full runs, shards
merged equal to one run, resume after a kill, VOC and YOLO output, the memory
limit, the per-operation summary, and bad recipes and options refused naming the
file and JSON path.

    e2e_family.py TOOLS_DIR SOURCE_ROOT     (TAP on stdout)
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOOLS, ROOT = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from png_pixels import png_pixels  # noqa: E402
from check_schema import Validator  # noqa: E402
AUG, MERGE, CHECK, DRAW = (os.path.join(TOOLS, "boxmix-" + t)
                           for t in ("augment", "merge", "check", "draw"))
ANN = os.path.join(ROOT, "samples", "coco", "annotations.json")
IMG = os.path.join(ROOT, "samples", "images")
OPS = ("cutmix", "cutout", "mixup", "mosaic", "copypaste")
# Options that make each operation show what it does on the small samples.
OP_ARGS = {
    "cutmix": ["--source-fit", "letterbox"],
    "cutout": ["--holes", "3", "--fill", "noise"],
    "mixup": ["--mix-ratio", "0.5"],
    "mosaic": ["--mosaic-size", "320"],
    "copypaste": ["--paste-prob", "0.7"],
}
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(*args):
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def augment(out, *extra):
    return run(AUG, "--annotations", ANN, "--images", IMG, "--out", out, "--seed", "11", *extra)


def tree(d, skip=(".boxmix-journal",)):
    files = {}
    for base, dirs, names in os.walk(d):
        dirs.sort()
        for n in sorted(names):
            p = os.path.join(base, n)
            rel = os.path.relpath(p, d)
            if rel not in skip:
                with open(p, "rb") as f:
                    files[rel] = hashlib.sha256(f.read()).hexdigest()
    return files


def load(d):
    with open(os.path.join(d, "annotations.json")) as f:
        return json.load(f)


def inside(box, w, h):
    x, y, bw, bh = box
    return x >= 0 and y >= 0 and x + bw <= w + 1e-6 and y + bh <= h + 1e-6 and bw > 0 and bh > 0


def check_op(tmp, op):
    d = os.path.join(tmp, op)
    rc, out, err = augment(d, "--op", op, "--per-image", "2", *OP_ARGS[op])
    check(op + ": exit 0", rc == 0, err)
    if rc != 0:
        return
    check(op + ": the summary counts outputs per operation",
          "outputs per operation: %s 16" % op in out, out)
    doc = load(d)
    imgs = doc["images"]
    check(op + ": 16 images, each named and recorded by its operation",
          len(imgs) == 16 and all(i["boxmix"]["op"] == op and i["file_name"].startswith(op + "_")
                                  for i in imgs), str([i["file_name"] for i in imgs[:3]]))
    size = {i["id"]: (i["width"], i["height"]) for i in imgs}
    if op == "mosaic":
        check("mosaic: every output is mosaic_size square, with four tiles and a centre",
              all(size[i["id"]] == (320, 320) and len(i["boxmix"]["tiles"]) == 4 and
                  160 <= i["boxmix"]["centre"][0] <= 480 for i in imgs))
        check("mosaic: every object comes from a tile 0..3",
              all(a["boxmix"]["from"] == "tile" and 0 <= a["boxmix"]["tile"] <= 3
                  for a in doc["annotations"]))
    if op == "mixup":
        check("mixup: lambda 0.5, every object carries its weight",
              all(i["boxmix"]["lambda"] == 0.5 for i in imgs) and
              all(a["boxmix"]["weight"] == 0.5 for a in doc["annotations"]))
    if op == "cutout":
        check("cutout: three holes and the noise fill recorded",
              all(len(i["boxmix"]["holes"]) == 3 and i["boxmix"]["fill"] == "noise" for i in imgs))
        check("cutout: every object from the base",
              all(a["boxmix"]["from"] == "base" for a in doc["annotations"]))
    if op == "copypaste":
        check("copypaste: pasted ids recorded, pasted objects whole (visibility 1)",
              all(isinstance(i["boxmix"]["pasted_annotation_ids"], list) for i in imgs) and
              all(a["boxmix"]["visibility"] == 1 for a in doc["annotations"]
                  if a["boxmix"]["from"] == "source"))
    if op == "cutmix":
        check("cutmix letterbox: the record names the fit",
              all(i["boxmix"]["source_fit"] == "letterbox" for i in imgs))
    check(op + ": every box inside its image, every visibility in (0, 1]",
          all(inside(a["bbox"], *size[a["image_id"]]) and 0 < a["boxmix"]["visibility"] <= 1
              for a in doc["annotations"]))
    rc, _, err = run(CHECK, "--annotations", os.path.join(d, "annotations.json"), "--images",
                     os.path.join(d, "images"))
    check(op + ": boxmix-check accepts the output", rc == 0, err)

    # The decision log: every line valid, read back by boxmix-check --stats, its counts
    # the summary's.
    log = os.path.join(tmp, op + ".decisions")
    rc, out, err = augment(os.path.join(tmp, op + "-log"), "--op", op, "--per-image", "2",
                           "--decisions", log, *OP_ARGS[op])
    with open(os.path.join(ROOT, "schemas", "decisions.schema.json")) as f:
        v = Validator(json.load(f))
    lines = [json.loads(l) for l in open(log)] if rc == 0 else []
    bad = [e.message for l in lines for e in v.iter_errors(l)]
    kinds = {k: sum(1 for l in lines if l["decision"] == k) for k in ("kept", "clipped", "dropped")}
    check(op + ": the decision log is valid and counts what the summary says",
          rc == 0 and lines and not bad and
          "%d kept whole, %d clipped, %d dropped" % (kinds["kept"], kinds["clipped"],
                                                      kinds["dropped"]) in out, str(bad[:3]) + err)
    rc, _, err = run(CHECK, "--stats", "--annotations", os.path.join(tmp, op + "-log",
                                                                     "annotations.json"),
                     "--decisions", log)
    check(op + ": boxmix-check --stats reads the output and its decision log", rc == 0, err)

    # The same bytes for any thread count; a dry run's annotations equal the run's.
    d2 = os.path.join(tmp, op + "-t2")
    rc, _, err = augment(d2, "--op", op, "--per-image", "2", "--threads", "2", *OP_ARGS[op])
    check(op + ": --threads 2 writes the same bytes as the default", rc == 0 and tree(d) == tree(d2), err)
    # One thread, and more threads than cores with a 1-byte memory limit: outputs
    # composed in their base's pixels (its last user) or in a worker's buffers, in
    # another order, the same bytes.
    for extra in (["--threads", "1"], ["--threads", "3", "--memory-limit", "1"]):
        d4 = os.path.join(tmp, op + "-" + "".join(extra).replace("-", ""))
        rc, _, err = augment(d4, "--op", op, "--per-image", "2", *extra, *OP_ARGS[op])
        check(op + ": %s writes the same bytes as the default" % " ".join(extra),
              rc == 0 and tree(d) == tree(d4), err)
    d3 = os.path.join(tmp, op + "-dry")
    rc, _, err = augment(d3, "--op", op, "--per-image", "2", "--dry-run", *OP_ARGS[op])
    check(op + ": a dry run's annotations equal the run's",
          rc == 0 and tree(d3) == {"annotations.json": tree(d)["annotations.json"]}, err)
    # VOC and YOLO outputs of the same run.
    for fmt in ("voc", "yolo"):
        dv = os.path.join(tmp, op + "-" + fmt)
        rc, _, err = augment(dv, "--op", op, "--per-image", "2", "--out-format", fmt, *OP_ARGS[op])
        check(op + ": --out-format " + fmt, rc == 0, err)
    names = sorted(os.listdir(os.path.join(tmp, op + "-voc", "Annotations")))
    check(op + ": VOC files named by the operation", len(names) == 16 and
          all(n.startswith(op + "_") for n in names), str(names[:3]))


def journal_outputs(out):
    try:
        with open(os.path.join(out, ".boxmix-journal")) as f:
            return sum(1 for line in f if line.startswith("output "))
    except OSError:
        return 0


def check_recipe(tmp):
    recipe = os.path.join(tmp, "recipe.json")
    with open(recipe, "w") as f:
        json.dump({"operations": [
            {"op": "cutmix", "weight": 2, "placement": "source-object"},
            {"op": "cutout", "weight": 1, "holes": 2, "fill": [0, 0, 255]},
            {"op": "mixup", "weight": 1},
            {"op": "mosaic", "weight": 1, "mosaic_size": 256},
            {"op": "copypaste", "weight": 1, "source_fit": "letterbox"}]}, f)
    d = os.path.join(tmp, "recipe")
    rc, out, err = augment(d, "--recipe", recipe, "--per-image", "6")
    check("recipe: exit 0", rc == 0, err)
    if rc != 0:
        return
    doc = load(d)
    counts = {}
    for i in doc["images"]:
        counts[i["boxmix"]["op"]] = counts.get(i["boxmix"]["op"], 0) + 1
    line = [l for l in out.splitlines() if "outputs per operation" in l]
    expect = ", ".join("%s %d" % (op, counts[op]) for op in OPS if op in counts)
    check("recipe: every operation drawn, the summary counts them",
          len(counts) == 5 and line and line[0].endswith(expect), "%s / %s" % (counts, line))
    check("recipe: each entry's parameters reach its outputs",
          all(i["boxmix"]["fill_rgb"] == [0, 0, 255] for i in doc["images"] if i["boxmix"]["op"] == "cutout")
          and all(i["width"] == 256 for i in doc["images"] if i["boxmix"]["op"] == "mosaic")
          and all(i["boxmix"]["placement"] == "source-object" for i in doc["images"]
                  if i["boxmix"]["op"] == "cutmix"))
    ref = tree(d)
    rc, _, err = augment(os.path.join(tmp, "recipe-t1"), "--recipe", recipe, "--per-image", "6",
                         "--threads", "1", "--memory-limit", "1")
    check("recipe: one thread and a 1-byte memory limit write the same bytes",
          rc == 0 and tree(os.path.join(tmp, "recipe-t1")) == ref, err)
    check("recipe: the raised memory limit counts Mosaic's four inputs",
          "four" in err, err)
    # Shards merged give the single run.
    shards = []
    for i in range(3):
        s = os.path.join(tmp, "shard%d" % i)
        rc, _, err = augment(s, "--recipe", recipe, "--per-image", "6", "--shard", "%d/3" % i)
        check("recipe: shard %d/3" % i, rc == 0, err)
        shards.append(s)
    m = os.path.join(tmp, "merged")
    rc, _, err = run(MERGE, m, *shards)
    check("recipe: merged shards equal the single run", rc == 0 and tree(m) == ref, err)
    # Killed partway and resumed: the single run's bytes.
    k = os.path.join(tmp, "killed")
    args = [AUG, "--annotations", ANN, "--images", IMG, "--out", k, "--seed", "11", "--recipe",
            recipe, "--per-image", "40", "--threads", "1", "--quiet"]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and p.poll() is None and journal_outputs(k) < 20:
        time.sleep(0.005)
    killed = p.poll() is None
    if killed:
        p.send_signal(signal.SIGKILL)
    p.communicate()
    rc, _, err = run(*args, "--resume")
    full = os.path.join(tmp, "full")
    rc2, _, err2 = run(*[a if a != k else full for a in args])
    check("recipe: a killed run resumed equals a whole run",
          killed and rc == 0 and rc2 == 0 and tree(k) == tree(full), err + err2)
    # Another recipe with the same folder cannot resume it.
    with open(os.path.join(tmp, "recipe2.json"), "w") as f:
        json.dump({"operations": [{"op": "cutout"}]}, f)
    rc, _, err = run(AUG, "--annotations", ANN, "--images", IMG, "--out", full, "--seed", "11",
                     "--recipe", os.path.join(tmp, "recipe2.json"), "--per-image", "40", "--resume")
    check("recipe: --resume with another recipe is refused", rc == 1, err)


def check_source_object(tmp):
    """Every output whose source has a non-crowd object keeps a source object."""
    d = os.path.join(tmp, "anchored")
    rc, _, err = augment(d, "--placement", "source-object", "--per-image", "4")
    check("source-object: exit 0", rc == 0, err)
    if rc != 0:
        return
    with open(ANN) as f:
        src = json.load(f)
    has_obj = {}
    for a in src["annotations"]:
        if not a.get("iscrowd", 0):
            has_obj[a["image_id"]] = True
    doc = load(d)
    from_source = {}
    for a in doc["annotations"]:
        if a["boxmix"]["from"] == "source":
            from_source[a["image_id"]] = True
    eligible = [i for i in doc["images"] if has_obj.get(i["boxmix"]["source_image_id"])]
    kept = [i for i in eligible if from_source.get(i["id"])]
    check("source-object: every output whose source has an object keeps one (%d of %d)"
          % (len(kept), len(eligible)), eligible and len(kept) == len(eligible))
    check("source-object: each record names its anchor",
          all(i["boxmix"]["placement"] == "source-object" and
              i["boxmix"]["anchor_annotation_id"] is not None for i in eligible))


def check_refusals(tmp):
    bad = [
        ({"operations": [{"op": "blur"}]}, "operations[0].op"),
        ({"operations": [{"op": "cutout", "holez": 2}]}, "operations[0].holez: unknown parameter"),
        ({"operations": [{"op": "cutmix"}, {"op": "mosaic", "mosaic_size": 8}]},
         "operations[1].mosaic_size"),
        ({"operations": [{"op": "mixup", "holes": 2}]}, "operations[0].holes: not a parameter of mixup"),
        ({"operations": [{"op": "mixup", "weight": 0}]}, "operations[0].weight"),
        ({"operations": [{"op": "mixup", "source_fit": "crop"}]}, "operations[0].source_fit"),
        ({"operations": [{"op": "mixup", "mix_alpha": 4, "mix_ratio": 0.5}]},
         "operations[0].mix_alpha: does nothing with mix_ratio"),
        ({"operations": []}, "operations: expected an array"),
        ({"ops": []}, "ops: unknown key"),
    ]
    for q, (doc, what) in enumerate(bad):
        p = os.path.join(tmp, "bad%d.json" % q)
        with open(p, "w") as f:
            json.dump(doc, f)
        out = os.path.join(tmp, "badout%d" % q)
        rc, _, err = augment(out, "--recipe", p)
        check("a bad recipe is refused naming the file and %s" % what,
              rc == 1 and p in err and what in err and not os.path.exists(out), err)
    p = os.path.join(tmp, "broken.json")
    with open(p, "w") as f:
        f.write('{"operations": [\n  {"op": "cutout",}\n]}')
    rc, _, err = augment(os.path.join(tmp, "badjson"), "--recipe", p)
    check("a recipe that is not JSON: file, line and column", rc == 1 and p + ": line 2" in err, err)
    # A Mosaic larger than the image limit would be a dataset no reader (boxmix-check,
    # -draw, -convert, -augment) takes back: refused before anything is written.
    out = os.path.join(tmp, "bigmosaic")
    rc, _, err = augment(out, "--op", "mosaic", "--mosaic-size", "16384", "--dry-run")
    check("--mosaic-size 16384 over the default --max-pixels is refused",
          rc == 1 and "mosaic_size: 16384" in err and "--max-pixels" in err
          and not os.path.exists(os.path.join(out, "annotations.json")), err)
    rc, _, err = augment(out + "2", "--op", "mosaic", "--mosaic-size", "16384", "--dry-run",
                         "--max-pixels", str(16384 * 16384), "--count", "2")
    check("--mosaic-size 16384 with --max-pixels 16384^2 runs, and boxmix-check reads it back",
          rc == 0 and run(CHECK, os.path.join(out + "2", "annotations.json"),
                          "--max-pixels", str(16384 * 16384))[0] == 0, err)
    for args, what in ((["--op", "mosaic", "--holes", "2"], "--holes does not apply to --op mosaic"),
                       (["--op", "cutout", "--source-fit", "letterbox"], "--source-fit does not apply"),
                       (["--op", "mixup", "--source-fit", "crop"], "crop"),
                       (["--op", "blur"], "--op: expected"),
                       (["--op", "cutout", "--recipe", p], "exclude each other"),
                       (["--fill", "1,2"], "--fill"),
                       (["--op", "mixup", "--mix-alpha", "4", "--mix-ratio", "0.5"],
                        "--mix-alpha does nothing with --mix-ratio"),
                       (["--op", "cutout", "--fill", "300,0,0"], "--fill")):
        rc, _, err = augment(os.path.join(tmp, "usage"), *args)
        check("usage error: %s" % " ".join(args), rc == 2 and what in err, err)


def check_original_names(tmp):
    """--include-originals refuses an input named as an output of the run's
    operations (mosaic_* with --op mosaic), and only of those: a CutMix run takes a
    dataset holding mosaic_1.jpg, as it did before the family."""
    images = os.path.join(tmp, "named")
    shutil.copytree(IMG, images)
    with open(ANN) as f:
        doc = json.load(f)
    first = doc["images"][0]["file_name"]
    os.rename(os.path.join(images, first), os.path.join(images, "mosaic_1.jpg"))
    doc["images"][0]["file_name"] = "mosaic_1.jpg"
    ann = os.path.join(tmp, "named.json")
    with open(ann, "w") as f:
        json.dump(doc, f)
    base = [AUG, "--annotations", ann, "--images", images, "--include-originals", "--dry-run"]
    rc, _, err = run(*base, "--out", os.path.join(tmp, "named-cutmix"))
    check("--include-originals: a CutMix run takes an input named mosaic_1.jpg", rc == 0, err)
    rc, _, err = run(*base, "--op", "cutout", "--out", os.path.join(tmp, "named-cutout"))
    check("--include-originals: a CutOut run takes it too", rc == 0, err)
    rc, _, err = run(*base, "--op", "mosaic", "--out", os.path.join(tmp, "named-mosaic"))
    check("--include-originals: a Mosaic run refuses it, naming the file",
          rc == 1 and "mosaic_1.jpg" in err and "could collide" in err, err)


def check_mosaic_centre_odd(tmp):
    """boxmix-draw's centre cross sits where the four tiles meet for an odd
    mosaic_size too: the output starts at floor(s/2) on the canvas, so the record's
    centre (xc, yc) is the output's (xc - floor(s/2), yc - floor(s/2))."""
    d = os.path.join(tmp, "odd-mosaic")
    s = 321
    rc, _, err = augment(d, "--op", "mosaic", "--mosaic-size", str(s), "--count", "1",
                         "--format", "png", "--quiet")
    rc2, _, err2 = run(DRAW, "--annotations", os.path.join(d, "annotations.json"), "--images",
                       os.path.join(d, "images"), "--out", d + "-drawn", "--quiet")
    if rc != 0 or rc2 != 0:
        check("odd mosaic_size: run and draw", False, err + err2)
        return
    rec = load(d)["images"][0]["boxmix"]
    cx, cy = rec["centre"][0] - s // 2, rec["centre"][1] - s // 2
    w, h, ctype, rows = pixels_of(os.path.join(d + "-drawn", "mosaic_000000.png"))
    bpp = {2: 3, 6: 4}[ctype]
    px = lambda x, y: tuple(rows[y][x * bpp:x * bpp + 3])  # noqa: E731
    # Line width 2: the white arm holds rows cy, cy + 1, the black rim cy - 1 and cy + 2.
    check("odd mosaic_size: the centre cross on the tiles' corner (%d, %d)" % (cx, cy),
          px(cx + 4, cy) == (255, 255, 255) and px(cx + 4, cy + 1) == (255, 255, 255) and
          px(cx + 4, cy - 1) == (0, 0, 0) and px(cx + 4, cy + 2) == (0, 0, 0),
          [px(cx + 4, cy + k) for k in (-2, -1, 0, 1, 2)])


# The README's pictures: operation, options, the output drawn.
PICTURES = (("cutout", ["--holes", "3", "--cut-ratio", "0.2:0.4"], 1, "op_cutout.png"),
            ("mixup", ["--mix-ratio", "0.5"], 1, "op_mixup.png"),
            ("mosaic", ["--mosaic-size", "480"], 0, "op_mosaic.png"),
            ("copypaste", ["--paste-prob", "0.7"], 0, "op_copypaste.png"),
            ("cutmix", ["--placement", "source-object"], 1, "op_source_object.png"))


def pixels_of(path):
    with open(path, "rb") as f:
        return png_pixels(f.read())


def check_pictures(tmp):
    for op, args, k, name in PICTURES:
        d = os.path.join(tmp, "pic-" + op)
        rc, _, err = augment(d, "--op", op, *args, "--seed", "7", "--quiet")
        rc2, _, err2 = run(DRAW, "--annotations", os.path.join(d, "annotations.json"), "--images",
                           os.path.join(d, "images"), "--out", d + "-drawn", "--show", "visibility",
                           "--show", "weight", "--quiet")
        drawn = os.path.join(d + "-drawn", "%s_%06d.png" % (op, k))
        ok = rc == 0 and rc2 == 0 and os.path.exists(drawn)
        check("samples/readme/%s is what the code renders" % name,
              ok and pixels_of(drawn) == pixels_of(os.path.join(ROOT, "samples", "readme", name)),
              err + err2)


# Golden outputs: sha256 of one output's pixels (PNG, decoded) and of the annotation
# file, per operation, on the samples with seed 5. A change to any operation's
# arithmetic, draw order or record shows here.
GOLDEN = {
    "cutmix": ("90c420c34c4391e9", "543c01979cf698d2"),
    "cutout": ("1edb7d4df66542b4", "029257b342ba3335"),
    "mixup": ("e5473733418fa97a", "5f69692b15634a8e"),
    "mosaic": ("0f9c71c7e20993bc", "7464a380f403a611"),
    "copypaste": ("805cb6e1fbe78f63", "d7c3680c306eeb14"),
}


def check_golden(tmp):
    for op in OPS:
        d = os.path.join(tmp, "golden-" + op)
        rc, _, err = augment(d, "--op", op, *OP_ARGS[op], "--count", "1", "--seed", "5",
                             "--format", "png", "--quiet")
        if rc != 0:
            check(op + ": golden output made", False, err)
            continue
        px = pixels_of(os.path.join(d, "images", "%s_000000.png" % op))
        got = (hashlib.sha256(repr(px).encode()).hexdigest()[:16],
               tree(d)["annotations.json"][:16])
        check(op + ": golden pixels and annotations %s" % (got,), GOLDEN.get(op) == got,
              "expected %s" % (GOLDEN.get(op),))


def main():
    tmp = tempfile.mkdtemp(prefix="boxmix-family-")
    try:
        check_pictures(tmp)
        check_golden(tmp)
        for op in OPS:
            check_op(tmp, op)
        check_recipe(tmp)
        check_source_object(tmp)
        check_refusals(tmp)
        check_original_names(tmp)
        check_mosaic_centre_odd(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(results))
    for n, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
        if not ok and detail:
            for line in str(detail).splitlines()[:8]:
                print("#   " + line)
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
