#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The schemas of the CutMix family's files, on hand-made examples and broken ones
(tests/ops_records.py): schemas/coco-output.schema.json (every operation's image
record, annotations from tiles and with weights), schemas/decisions.schema.json
(input, from tile) and schemas/recipe.schema.json. Each schema is checked to be a
valid draft 2020-12 schema; each good example validates, each broken one fails at
the place broken.

    schema_ops.py SOURCE_ROOT

TAP output. Needs python3-jsonschema (tests/check_schema.py's Validator).
"""
import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_schema import Validator  # noqa: E402
from ops_records import decision_lines, ops_dataset, recipe  # noqa: E402

ROOT = sys.argv[1]
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def schema(name):
    with open(os.path.join(ROOT, "schemas", name)) as f:
        s = json.load(f)
    Validator.check_schema(s)
    return Validator(s)


def errors(v, doc):
    return sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))


def where(errs):
    return sorted({"/".join(str(p) for p in e.absolute_path) for e in errs})


def coco_output():
    v = schema("coco-output.schema.json")
    good = ops_dataset()
    errs = errors(v, good)
    check("coco-output: every operation's records validate", not errs,
          [(where([e]), e.message) for e in errs[:3]])
    classic = {"images": [{"id": 1, "file_name": "cutmix_000000.jpg", "width": 10, "height": 10,
                           "boxmix": {"op": "cutmix", "index": 0, "base_image_id": 1,
                                      "source_image_id": 2, "patch": [0, 0, 5, 5],
                                      "lambda": 0.75, "seed": 0}}],
               "annotations": [], "categories": []}
    check("coco-output: a classic CutMix record still validates", not errors(v, classic))

    def img(d, i):
        return d["images"][i]["boxmix"]

    def ann(d, i):
        return d["annotations"][i]["boxmix"]

    cases = [
        ("unknown op", lambda d: img(d, 0).__setitem__("op", "cutpaste"), "images/0/boxmix/op"),
        ("cutout without holes", lambda d: img(d, 0).pop("holes"), "images/0/boxmix"),
        ("cutout: 65 holes", lambda d: img(d, 0).__setitem__("holes", [[0, 0, 1, 1]] * 65),
         "images/0/boxmix/holes"),
        ("cutout: a hole of 3 numbers", lambda d: img(d, 0)["holes"].__setitem__(0, [1, 2, 3]),
         "images/0/boxmix/holes/0"),
        ("cutout: noise with a colour", lambda d: img(d, 0).__setitem__("fill", "noise"),
         "images/0/boxmix"),
        ("cutout: constant without a colour", lambda d: img(d, 0).pop("fill_rgb"),
         "images/0/boxmix"),
        ("cutout: fill_rgb 256", lambda d: img(d, 0).__setitem__("fill_rgb", [0, 0, 256]),
         "images/0/boxmix/fill_rgb/2"),
        ("mixup: source_fit crop", lambda d: img(d, 1).__setitem__("source_fit", "crop"),
         "images/1/boxmix/source_fit"),
        ("mixup: no lambda", lambda d: img(d, 1).pop("lambda"), "images/1/boxmix"),
        ("mixup: a patch", lambda d: img(d, 1).__setitem__("patch", [0, 0, 1, 1]),
         "images/1/boxmix"),
        ("mosaic: three tiles", lambda d: img(d, 2)["tiles"].pop(), "images/2/boxmix/tiles"),
        ("mosaic: tile scale 0", lambda d: img(d, 2)["tiles"][0].__setitem__("scale", 0),
         "images/2/boxmix/tiles/0/scale"),
        ("mosaic: mosaic_size 8", lambda d: img(d, 2).__setitem__("mosaic_size", 8),
         "images/2/boxmix/mosaic_size"),
        ("mosaic: lambda", lambda d: img(d, 2).__setitem__("lambda", 0.5), "images/2/boxmix"),
        ("copypaste: pasted ids not integers",
         lambda d: img(d, 3).__setitem__("pasted_annotation_ids", ["7"]),
         "images/3/boxmix/pasted_annotation_ids/0"),
        ("copypaste: no source_fit", lambda d: img(d, 3).pop("source_fit"), "images/3/boxmix"),
        ("cutmix: crop without source_rect", lambda d: img(d, 4).pop("source_rect"),
         "images/4/boxmix"),
        ("cutmix: source_fit resize written", lambda d: img(d, 5).__setitem__("source_fit", "resize"),
         "images/5/boxmix/source_fit"),
        ("cutmix: placement avoid-base written",
         lambda d: img(d, 4).__setitem__("placement", "avoid-base"), "images/4/boxmix/placement"),
        ("cutmix: placement without anchor", lambda d: img(d, 4).pop("anchor_annotation_id"),
         "images/4/boxmix"),
        ("annotation: from tile without tile", lambda d: ann(d, 3).pop("tile"),
         "annotations/3/boxmix"),
        ("annotation: tile 4", lambda d: ann(d, 3).__setitem__("tile", 4),
         "annotations/3/boxmix/tile"),
        ("annotation: tile on a base object", lambda d: ann(d, 0).__setitem__("tile", 1),
         "annotations/0/boxmix"),
        ("annotation: weight 1.5", lambda d: ann(d, 1).__setitem__("weight", 1.5),
         "annotations/1/boxmix/weight"),
        ("annotation: from tile without visibility", lambda d: ann(d, 4).pop("visibility"),
         "annotations/4/boxmix"),
        ("annotation: unknown from", lambda d: ann(d, 0).__setitem__("from", "tiles"),
         "annotations/0/boxmix/from"),
        ("annotation: an unknown field", lambda d: ann(d, 0).__setitem__("tiles", 1),
         "annotations/0/boxmix"),
    ]
    for name, change, path in cases:
        d = copy.deepcopy(good)
        change(d)
        errs = errors(v, d)
        check("coco-output refuses %s (at %s)" % (name, path), errs and path in where(errs),
              where(errs))


def decisions():
    v = schema("decisions.schema.json")
    lines = decision_lines()
    bad = [(i, e.message) for i, x in enumerate(lines) for e in v.iter_errors(x)]
    check("decisions: lines with input and from tile validate", not bad, bad[:3])
    old = {k: x for k, x in lines[1].items() if k != "input"}
    check("decisions: a line without input (before the family) validates",
          not list(v.iter_errors(old)))
    for name, change in (("from tile without input", lambda x: x.pop("input")),
                         ("input 4", lambda x: x.__setitem__("input", 4)),
                         ("from base with input 2", lambda x: x.update({"from": "base"})),
                         ("from source with input 0",
                          lambda x: x.update({"from": "source", "input": 0})),
                         ("from tiles", lambda x: x.__setitem__("from", "tiles"))):
        x = copy.deepcopy(lines[4])
        change(x)
        check("decisions refuse %s" % name, list(v.iter_errors(x)))


def recipes():
    v = schema("recipe.schema.json")
    good = recipe()
    errs = errors(v, good)
    check("recipe: every operation and parameter validates", not errs,
          [(where([e]), e.message) for e in errs[:3]])
    check("recipe: the README's example validates", not errors(v, {"operations": [
        {"op": "cutmix", "weight": 2, "alpha": 1.0, "placement": "source-object"},
        {"op": "mosaic", "weight": 1, "mosaic_size": 640}]}))

    def entry(i, key, value):
        def f(d):
            if value is None:
                d["operations"][i].pop(key)
            else:
                d["operations"][i][key] = value
        return f

    cases = [
        ("no operations", lambda d: d.__setitem__("operations", []), "operations"),
        ("a key beside operations", lambda d: d.__setitem__("seed", 1), ""),
        ("an unknown operation", entry(0, "op", "cutpaste"), "operations/0/op"),
        ("an entry without weight", entry(1, "weight", None), "operations/1"),
        ("weight 0", entry(1, "weight", 0), "operations/1/weight"),
        ("an unknown parameter", entry(1, "hole", 2), "operations/1"),
        ("alpha 0", entry(0, "alpha", 0), "operations/0/alpha"),
        ("cut_ratio of one number", entry(0, "cut_ratio", [0.5]), "operations/0/cut_ratio"),
        ("cut_ratio above 1", entry(0, "cut_ratio", [0.5, 1.5]), "operations/0/cut_ratio/1"),
        ("an unknown placement", entry(0, "placement", "object"), "operations/0/placement"),
        ("tries 0", entry(0, "tries", 0), "operations/0/tries"),
        ("tries 1001", entry(0, "tries", 1001), "operations/0/tries"),
        ("min_visibility 1.5", entry(0, "min_visibility", 1.5), "operations/0/min_visibility"),
        ("min_area -1", entry(0, "min_area", -1), "operations/0/min_area"),
        ("min_size -1", entry(0, "min_size", -1), "operations/0/min_size"),
        ("an unknown mask_format", entry(0, "mask_format", "bitmap"), "operations/0/mask_format"),
        ("source_fit crop for mixup", entry(3, "source_fit", "crop"), "operations/3/op"),
        ("holes 0", entry(1, "holes", 0), "operations/1/holes"),
        ("holes 65", entry(1, "holes", 65), "operations/1/holes"),
        ("fill constant (by name)", entry(1, "fill", "constant"), "operations/1/fill"),
        ("fill of two numbers", entry(1, "fill", [1, 2]), "operations/1/fill"),
        ("fill 256", entry(1, "fill", [1, 2, 256]), "operations/1/fill"),
        ("mix_alpha 0", entry(3, "mix_alpha", 0), "operations/3/mix_alpha"),
        ("mix_ratio 1.5", entry(3, "mix_ratio", 1.5), "operations/3/mix_ratio"),
        ("mosaic_size 15", entry(4, "mosaic_size", 15), "operations/4/mosaic_size"),
        ("mosaic_size 16385", entry(4, "mosaic_size", 16385), "operations/4/mosaic_size"),
        ("mosaic_size 640.5", entry(4, "mosaic_size", 640.5), "operations/4/mosaic_size"),
        ("paste_prob -0.1", entry(5, "paste_prob", -0.1), "operations/5/paste_prob"),
    ]
    for name, change, path in cases:
        d = copy.deepcopy(good)
        change(d)
        errs = errors(v, d)
        check("recipe refuses %s (at %s)" % (name, path or "$"), errs and path in where(errs),
              where(errs))


if __name__ == "__main__":
    coco_output()
    decisions()
    recipes()
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail != "":
            print("# %s" % str(detail)[:600])
