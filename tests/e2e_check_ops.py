#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""boxmix-check on the records of the CutMix family (hand-made outputs carrying
exactly the records boxmix-augment writes, tests/ops_records.py): the records are
accepted; each broken field is one `boxmix-record` error at its path; --stats counts
the operations, objects from tiles and their visibility; the decision log reader
takes `input` and `from: "tile"` and refuses them out of range.

    e2e_check_ops.py BOXMIX_CHECK SOURCE_ROOT

TAP output.
"""
import copy
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_schema import Validator  # noqa: E402
from ops_records import decision_lines, ops_dataset, write_dataset  # noqa: E402

CHECK, ROOT = sys.argv[1], sys.argv[2]
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(*args):
    p = subprocess.run([CHECK, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def problems(path):
    rc, out, err = run("--json", path)
    lines = [json.loads(x) for x in out.splitlines() if x.strip()]
    return rc, [x for x in lines if "code" in x], err


def consistent(doc):
    """The draw test's Copy-Paste boxes are wider than their masks on purpose: here
    they are the masks' (so only boxmix's own problems remain)."""
    for a in doc["annotations"]:
        seg = a.get("segmentation")
        if seg:
            xs, ys = seg[0][0::2], seg[0][1::2]
            a["bbox"] = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
            a["area"] = float(a["bbox"][2] * a["bbox"][3])
    return doc


def image(doc, i):
    return doc["images"][i]["boxmix"]


def ann(doc, i):
    return doc["annotations"][i]["boxmix"]


def mutations():
    """(name, change, expected path)."""
    def tile_outside(d):
        image(d, 2)["tiles"][1]["rect"] = [90, 0, 40, 70]

    def hole_outside(d):
        image(d, 0)["holes"][1] = [100, 40, 30, 20]

    def hole_not_whole(d):
        image(d, 0)["holes"][0] = [10.5, 10, 30, 20]

    def no_tile(d):
        del ann(d, 3)["tile"]

    def tile_4(d):
        ann(d, 3)["tile"] = 4

    def tile_on_base(d):
        ann(d, 0)["tile"] = 0

    def weight_big(d):
        ann(d, 1)["weight"] = 1.5

    def weight_missing(d):
        del ann(d, 2)["weight"]

    def weight_elsewhere(d):
        ann(d, 0)["weight"] = 0.5

    def unknown_op(d):
        image(d, 0)["op"] = "cutpaste"

    def centre_outside(d):
        image(d, 2)["centre"] = [10, 10]

    def mosaic_size(d):
        image(d, 2)["mosaic_size"] = 100

    def three_tiles(d):
        image(d, 2)["tiles"].pop()

    def tile_scale(d):
        image(d, 2)["tiles"][2]["scale"] = 0

    def fill_rgb(d):
        image(d, 0)["fill_rgb"] = [0, 0, 300]

    def fill_noise_rgb(d):
        image(d, 0)["fill"] = "noise"

    def fill_name(d):
        image(d, 0)["fill"] = "zero"

    def patch_outside(d):
        image(d, 4)["patch"] = [100, 20, 40, 30]

    def tile_in_mixup(d):
        ann(d, 1)["from"] = "tile"
        ann(d, 1)["tile"] = 0

    def base_in_mosaic(d):
        ann(d, 3)["from"] = "base"
        del ann(d, 3)["tile"]

    def crop_mixup(d):
        image(d, 1)["source_fit"] = "crop"

    def fit_missing(d):
        del image(d, 3)["source_fit"]

    def cutmix_resize(d):
        image(d, 5)["source_fit"] = "resize"

    def rect_without_crop(d):
        image(d, 5)["source_rect"] = [0, 0, 10, 10]

    def crop_without_rect(d):
        del image(d, 4)["source_rect"]

    def anchor_alone(d):
        del image(d, 5)["placement"]

    def placement_name(d):
        image(d, 4)["placement"] = "avoid-base"

    def pasted_ids(d):
        image(d, 3)["pasted_annotation_ids"] = [7, "x"]

    def lambda_mosaic(d):
        image(d, 2)["lambda"] = 0.5

    def lambda_range(d):
        image(d, 1)["lambda"] = 1.25

    def visibility(d):
        ann(d, 4)["visibility"] = -0.1

    def from_name(d):
        ann(d, 5)["from"] = "pasted"

    def source_in_cutout(d):
        ann(d, 0)["from"] = "source"

    return [
        ("a tile's rect reaches outside the image", tile_outside, "images[2].boxmix.tiles[1].rect"),
        ("a hole outside the image", hole_outside, "images[0].boxmix.holes[1]"),
        ("a hole of fractions", hole_not_whole, "images[0].boxmix.holes[0]"),
        ("from tile without tile", no_tile, "annotations[3].boxmix.tile"),
        ("tile 4", tile_4, "annotations[3].boxmix.tile"),
        ("tile on an object from base", tile_on_base, "annotations[0].boxmix.tile"),
        ("weight above 1", weight_big, "annotations[1].boxmix.weight"),
        ("a MixUp object without its weight", weight_missing, "annotations[2].boxmix.weight"),
        ("a weight outside MixUp", weight_elsewhere, "annotations[0].boxmix.weight"),
        ("an unknown op", unknown_op, "images[0].boxmix.op"),
        ("Mosaic centre outside [s/2, 3s/2]", centre_outside, "images[2].boxmix.centre"),
        ("mosaic_size not the image's", mosaic_size, "images[2].boxmix.mosaic_size"),
        ("three tiles", three_tiles, "images[2].boxmix.tiles"),
        ("a tile of scale 0", tile_scale, "images[2].boxmix.tiles[2].scale"),
        ("fill_rgb above 255", fill_rgb, "images[0].boxmix.fill_rgb"),
        ("fill noise with a colour", fill_noise_rgb, "images[0].boxmix.fill_rgb"),
        ("an unknown fill", fill_name, "images[0].boxmix.fill"),
        ("CutMix patch outside the image", patch_outside, "images[4].boxmix.patch"),
        ("from tile in a MixUp", tile_in_mixup, "annotations[1].boxmix.from"),
        ("from base in a Mosaic", base_in_mosaic, "annotations[3].boxmix.from"),
        ("MixUp with source_fit crop", crop_mixup, "images[1].boxmix.source_fit"),
        ("Copy-Paste without source_fit", fit_missing, "images[3].boxmix.source_fit"),
        ("CutMix writing source_fit resize", cutmix_resize, "images[5].boxmix.source_fit"),
        ("source_rect without crop", rect_without_crop, "images[5].boxmix.source_rect"),
        ("crop without source_rect", crop_without_rect, "images[4].boxmix.source_rect"),
        ("anchor without placement", anchor_alone, "images[5].boxmix.anchor_annotation_id"),
        ("placement other than source-object", placement_name, "images[4].boxmix.placement"),
        ("pasted ids not ids", pasted_ids, "images[3].boxmix.pasted_annotation_ids"),
        ("lambda on a Mosaic", lambda_mosaic, "images[2].boxmix.lambda"),
        ("lambda above 1", lambda_range, "images[1].boxmix.lambda"),
        ("visibility below 0", visibility, "annotations[4].boxmix.visibility"),
        ("an unknown from", from_name, "annotations[5].boxmix.from"),
        ("from source in a CutOut", source_in_cutout, "annotations[0].boxmix.from"),
    ]


def main():
    tmp = tempfile.mkdtemp(prefix="bmx-check-ops-")
    good = consistent(ops_dataset())
    path = write_dataset(os.path.join(tmp, "good"), good)
    rc, probs, err = problems(path)
    check("every operation's records are accepted", rc == 0 and probs == [], probs or err)

    for name, change, where in mutations():
        d = copy.deepcopy(good)
        change(d)
        p = os.path.join(tmp, "bad.json")
        with open(p, "w") as f:
            json.dump(d, f)
        rc, probs, err = problems(p)
        got = [(x["code"], x["path"], x["severity"]) for x in probs]
        check("%s: one boxmix-record error at %s" % (name, where),
              rc == 1 and got == [("boxmix-record", where, "error")], got or err)
    # The reader takes the same files (the records are the checker's concern only).
    rc, out, err = run("--stats", p)
    check("--stats reads a file whose records the check refuses", rc == 0, err)

    # --stats: operations per name, tiles, visibility and lambda distributions.
    rc, out, err = run("--stats", "--json", path)
    check("--stats --json", rc == 0, err)
    st = json.loads(out) if rc == 0 else {}
    schema = json.load(open(os.path.join(ROOT, "schemas", "stats.schema.json")))
    errors = sorted(Validator(schema).iter_errors(st), key=str) if st else ["no output"]
    check("--stats --json is valid against stats.schema.json", not errors,
          errors[0].message if errors and hasattr(errors[0], "message") else errors)
    bm = st.get("boxmix") or {}
    check("--stats: operations per name", bm.get("operations") == {
        "cutout": 1, "mixup": 1, "mosaic": 1, "copypaste": 1, "cutmix": 2}, bm.get("operations"))
    check("--stats: objects from tiles", bm.get("from") == {
        "base": 4, "source": 4, "original": 0, "tile": 2}, bm.get("from"))
    vis = [a["boxmix"]["visibility"] for a in good["annotations"]]
    check("--stats: visibility of every object an operation made (tiles too)",
          bm.get("visibility", {}).get("count") == len(vis) and
          abs(bm["visibility"]["mean"] - sum(vis) / len(vis)) < 1e-12, bm.get("visibility"))
    lambdas = [im["boxmix"]["lambda"] for im in good["images"] if "lambda" in im["boxmix"]]
    check("--stats: lambda of the operations that record one",
          bm.get("lambda", {}).get("count") == len(lambdas) == 4 and
          bm["lambda"]["min"] == min(lambdas) and bm["lambda"]["max"] == max(lambdas),
          bm.get("lambda"))
    cats = {c["id"]: c for c in bm.get("categories", [])}
    check("--stats: per category from_tile", cats.get(1, {}).get("from_tile") == 1 and
          cats.get(2, {}).get("from_tile") == 1, cats)
    rc, out, err = run("--stats", path)
    check("--stats text names the tiles", rc == 0 and
          "objects from: base 4, source 4, original 0, tile 2" in out and
          "cutout 1 mixup 1 mosaic 1 copypaste 1 cutmix 2" in out, out)

    # The decision log: input and from "tile".
    log = os.path.join(tmp, "log.jsonl")

    def write_log(lines):
        with open(log, "w") as f:
            f.write("".join(json.dumps(x) + "\n" for x in lines))

    write_log(decision_lines())
    rc, out, err = run("--stats", "--json", "--decisions", log, path)
    dec = json.loads(out).get("decisions") if rc == 0 else None
    check("--decisions with input and from tile is read", rc == 0 and dec is not None, err)
    if dec:
        check("decision counts", (dec["objects"], dec["kept"], dec["clipped"], dec["dropped"]) ==
              (11, 7, 3, 1), dec)
        check("decision: the tile's dropped object by its rule",
              dec["rules"]["min_visibility"] == 1)
    old = [dict(x) for x in decision_lines() if x["from"] != "tile"]
    for x in old:
        del x["input"]
    bad_doc = copy.deepcopy(good)
    bad_doc["images"] = [im for im in bad_doc["images"] if im["boxmix"]["op"] != "mosaic"]
    bad_doc["annotations"] = [a for a in bad_doc["annotations"] if a["image_id"] != 3]
    p_nomosaic = write_dataset(os.path.join(tmp, "nomosaic"), bad_doc)
    write_log(old)
    rc, out, err = run("--stats", "--decisions", log, p_nomosaic)
    check("a log without input (before the key) is still read", rc == 0, err)
    for name, edit in (("from tile without input", lambda x: x.pop("input")),
                       ("input 4", lambda x: x.__setitem__("input", 4)),
                       ("input 1 on a base object", lambda x: x.__setitem__("from", "base")),
                       ("input not a number", lambda x: x.__setitem__("input", "2")),
                       ("an unknown from", lambda x: x.__setitem__("from", "tiles"))):
        lines = decision_lines()
        target = 4 if name != "input 1 on a base object" else 2
        edit(lines[target])
        write_log(lines)
        rc, out, err = run("--stats", "--decisions", log, path)
        key = "from" if "unknown from" in name else "input"
        check("decision log: %s refused naming line and key" % name,
              rc == 1 and "line %d: %s:" % (target + 1, key) in err, err)


if __name__ == "__main__":
    main()
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail != "":
            print("# %s" % str(detail)[:600])
