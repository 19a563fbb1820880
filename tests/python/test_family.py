# SPDX-License-Identifier: MIT
"""The CutMix family through the Python module, once the library has the operations
(CutOut, MixUp, Mosaic, Copy-Paste, and CutMix's source fits and source-object
placement): hand-computed cases on flat images, each record against
schemas/coco-output.schema.json, boxmix.augment(op=...) against the functions, and
boxmix-check and boxmix-draw on what the functions write, and
boxmix.augment(recipe=...) against boxmix-augment --recipe.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import boxmix

ROOT = os.environ.get("BOXMIX_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
TOOLS = os.environ.get("BOXMIX_TOOLS", os.path.join(ROOT, "build", "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from check_schema import Validator  # noqa: E402

SAMPLES_JSON = os.path.join(ROOT, "samples", "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(ROOT, "samples", "images")


def schema():
    with open(os.path.join(ROOT, "schemas", "coco-output.schema.json")) as f:
        return Validator(json.load(f))


def valid_record(rec, out):
    """The record and the objects as an output image of a COCO file would be."""
    doc = {"images": [{"id": 1, "file_name": "x.jpg", "width": out.image.shape[1],
                       "height": out.image.shape[0], "boxmix": rec}],
           "annotations": [dict(o, image_id=1) for o in out.objects], "categories": []}
    errs = list(schema().iter_errors(doc))
    assert not errs, [e.message for e in errs[:3]]


def flat(w, h, value, objects=(), image_id=1):
    img = np.full((h, w, 3), value, np.uint8)
    return boxmix.Sample(img, list(objects), {"id": image_id})


def box(aid, x, y, w, h, cat=1):
    return {"id": aid, "category_id": cat, "bbox": [x, y, w, h], "area": float(w * h),
            "iscrowd": 0}


def square_poly(aid, x, y, s, cat=1):
    return {"id": aid, "category_id": cat, "bbox": [x, y, s, s], "area": float(s * s),
            "iscrowd": 0, "segmentation": [[x, y, x + s, y, x + s, y + s, x, y + s]]}


@pytest.fixture
def samples():
    return boxmix.read_coco(SAMPLES_JSON, images=SAMPLES_IMAGES)


# ---- CutOut ----

def test_cutout_fills_exactly_its_holes_and_cuts_boxes():
    objs = [box(1, 0, 0, 64, 48), box(2, 10, 10, 20, 20), box(3, 40, 5, 20, 30)]
    a = flat(64, 48, 90, objs)
    for k in range(40):
        out, rec = boxmix.cutout(a, seed=3, index=k, holes=3, fill=(10, 20, 30),
                                 min_visibility=0.0, min_size=0)
        valid_record(rec, out)
        assert rec["op"] == "cutout" and rec["fill"] == "constant"
        assert rec["fill_rgb"] == [10, 20, 30]
        covered = np.zeros((48, 64), bool)
        for x, y, w, h in rec["holes"]:
            assert 0 <= x and 0 <= y and x + w <= 64 and y + h <= 48
            covered[y:y + h, x:x + w] = True
        img = out.image
        assert (img[covered] == [10, 20, 30]).all()
        assert (img[~covered] == 90).all()
        assert rec["lambda"] == pytest.approx(1 - covered.mean(), abs=1e-6)
        by_id = {o["id"]: o for o in out.objects}
        for o in objs:
            x, y, w, h = o["bbox"]
            visible = (~covered[y:y + h, x:x + w]).sum() / float(w * h)
            if o["id"] in by_id:
                assert by_id[o["id"]]["boxmix"]["visibility"] == pytest.approx(visible, abs=1e-9)
                assert by_id[o["id"]]["boxmix"]["from"] == "base"
            else:
                assert visible == 0


def test_cutout_mean_fill_is_the_base_mean():
    img = np.zeros((10, 10, 3), np.uint8)
    img[:, :5] = 100
    img[:, 5:] = 200
    out, rec = boxmix.cutout(boxmix.Sample(img, [], {"id": 1}), seed=1, index=0)
    # The record names the fill; its colour is the pixels' (no fill_rgb: a dry run
    # has no pixels to take it from).
    assert rec["fill"] == "mean" and "fill_rgb" not in rec
    x, y, w, h = rec["holes"][0]
    assert w > 0 and h > 0 and (out.image[y:y + h, x:x + w] == 150).all()


# ---- MixUp ----

def test_mixup_of_two_flat_images_is_the_exact_blend():
    a = flat(32, 24, 100, [box(1, 2, 2, 10, 10)], image_id=5)
    b = flat(32, 24, 200, [box(7, 12, 4, 8, 8, cat=2), box(8, 0, 0, 4, 4, cat=2)], image_id=6)
    out, rec = boxmix.mixup(a, b, seed=1, index=2, mix_ratio=0.25)
    valid_record(rec, out)
    assert rec["lambda"] == 0.25 and rec["source_fit"] == "resize"
    assert (rec["base_image_id"], rec["source_image_id"]) == (5, 6)
    assert (out.image == 175).all()  # 0.25 * 100 + 0.75 * 200
    weights = {o["id"]: (o["boxmix"]["from"], o["boxmix"]["weight"]) for o in out.objects}
    assert weights == {1: ("base", 0.25), 7: ("source", 0.75), 8: ("source", 0.75)}
    for o in out.objects:
        assert o["boxmix"]["visibility"] == 1


def test_mixup_lambda_is_quantised_to_1024ths(samples):
    for k in range(20):
        out, rec = boxmix.mixup(samples[0], samples[1], seed=9, index=k)
        assert rec["lambda"] * 1024 == round(rec["lambda"] * 1024)
        valid_record(rec, out)


# ---- Mosaic ----

def test_mosaic_tiles_hold_their_objects():
    ins = [flat(40 + 10 * t, 30 + 5 * t, 20 * (t + 1), [box(t + 1, 5, 5, 20, 15)], image_id=t + 11)
           for t in range(4)]
    for k in range(30):
        out, rec = boxmix.mosaic(ins, seed=4, index=k, mosaic_size=64, min_visibility=0.0,
                                 min_size=0)
        valid_record(rec, out)
        assert out.image.shape == (64, 64, 3)
        assert [t["image_id"] for t in rec["tiles"]] == [11, 12, 13, 14]
        xc, yc = rec["centre"]
        assert 32 <= xc <= 96 and 32 <= yc <= 96
        covered = np.zeros((64, 64), bool)
        for t, tile in enumerate(rec["tiles"]):
            x, y, w, h = tile["rect"]
            assert 0 <= x and 0 <= y and x + w <= 64 and y + h <= 64
            covered[y:y + h, x:x + w] = True
            assert tile["scale"] == pytest.approx(64 / max(40 + 10 * t, 30 + 5 * t))
        assert (out.image[~covered] == 114).all()
        for o in out.objects:
            assert o["boxmix"]["from"] == "tile"
            t = o["boxmix"]["tile"]
            assert o["id"] == t + 1
            x, y, w, h = rec["tiles"][t]["rect"]
            bx, by, bw, bh = o["bbox"]
            assert x - 1e-9 <= bx and bx + bw <= x + w + 1e-9
            assert y - 1e-9 <= by and by + bh <= y + h + 1e-9


# ---- Copy-Paste ----

def test_copypaste_pastes_masks_and_cuts_the_base():
    a = flat(40, 40, 50, [square_poly(1, 0, 0, 40)], image_id=1)
    b = flat(40, 40, 250, [square_poly(21, 10, 10, 10), square_poly(22, 25, 25, 10),
                           box(23, 0, 0, 5, 5)], image_id=2)
    out, rec = boxmix.copypaste(a, b, seed=2, index=0, paste_prob=1.0, min_visibility=0.0)
    valid_record(rec, out)
    assert sorted(rec["pasted_annotation_ids"]) == [21, 22]  # 23 has no mask
    pasted = np.zeros((40, 40), bool)
    pasted[10:20, 10:20] = True
    pasted[25:35, 25:35] = True
    assert (out.image[pasted] == 250).all() and (out.image[~pasted] == 50).all()
    by_id = {o["id"]: o for o in out.objects}
    assert by_id[1]["boxmix"]["visibility"] == pytest.approx(1 - 200 / 1600)
    assert {by_id[21]["boxmix"]["from"], by_id[22]["boxmix"]["from"]} == {"source"}
    assert 23 not in by_id


# ---- CutMix's new options ----

def test_cutmix_source_object_anchors_on_a_source_object(samples):
    for k in range(20):
        out, rec = boxmix.cutmix(samples[0], samples[1], seed=1, index=k,
                                 placement="source-object")
        valid_record(rec, out)
        anchor = rec["anchor_annotation_id"]
        ids = {o["id"] for o in samples[1].objects if not o.get("iscrowd")}
        assert anchor in ids


def test_cutmix_letterbox_and_crop_records(samples):
    for fit in ("letterbox", "crop"):
        out, rec = boxmix.cutmix(samples[0], samples[5], seed=2, index=1, source_fit=fit)
        valid_record(rec, out)


# ---- augment(op=...) and the tools on what the functions write ----

@pytest.mark.parametrize("op, kw", [("cutout", {"holes": 2}), ("mixup", {"mix_ratio": 0.5}),
                                    ("mosaic", {"mosaic_size": 128}),
                                    ("copypaste", {"paste_prob": 1.0})])
def test_augment_op_is_the_function(tmp_path, samples, op, kw):
    out = tmp_path / "out"
    boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, out, seed=3, threads=1, op=op, **kw)
    with open(out / "annotations.json") as f:
        doc = json.load(f)
    assert all(im["file_name"].startswith(op + "_") for im in doc["images"])
    first = doc["images"][0]
    rec = first["boxmix"]
    assert rec["op"] == op and rec["index"] == 0
    ids = {s.info["id"]: s for s in samples}
    if op == "cutout":
        mine, mrec = boxmix.cutout(ids[rec["base_image_id"]], seed=3, index=0, **kw)
    elif op == "mosaic":
        four = [ids[t["image_id"]] for t in rec["tiles"]]
        mine, mrec = boxmix.mosaic(four, seed=3, index=0, **kw)
    else:
        fn = getattr(boxmix, op)
        mine, mrec = fn(ids[rec["base_image_id"]], ids[rec["source_image_id"]], seed=3, index=0,
                        **kw)
    assert mrec == rec
    mine_objs = sorted(o["boxmix"]["source_annotation_id"] for o in mine.objects)
    theirs = sorted(a["boxmix"]["source_annotation_id"] for a in doc["annotations"]
                    if a["image_id"] == first["id"])
    assert mine_objs == theirs
    p = subprocess.run([os.path.join(TOOLS, "boxmix-check"), "--json", str(out / "annotations.json")],
                       capture_output=True, text=True)
    assert "boxmix-record" not in p.stdout, p.stdout
    p = subprocess.run([os.path.join(TOOLS, "boxmix-draw"), "--annotations",
                        str(out / "annotations.json"), "--images", str(out / "images"), "--out",
                        str(tmp_path / "drawn"), "--quiet", "--show", "weight"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def _tree(d):
    out = {}
    for base, dirs, names in os.walk(d):
        dirs.sort()
        for n in sorted(names):
            if n != ".boxmix-journal":
                with open(os.path.join(base, n), "rb") as f:
                    out[os.path.relpath(os.path.join(base, n), d)] = f.read()
    return out


def test_augment_recipe_is_the_tool(tmp_path):
    recipe = tmp_path / "recipe.json"
    recipe.write_text(json.dumps({"operations": [
        {"op": "cutmix", "weight": 2, "placement": "source-object"},
        {"op": "cutout", "holes": 2}, {"op": "mixup"}, {"op": "mosaic", "mosaic_size": 200},
        {"op": "copypaste"}]}))
    s = boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, tmp_path / "py", seed=4, per_image=5,
                       threads=1, recipe=recipe, min_visibility=0.2)
    p = subprocess.run([os.path.join(TOOLS, "boxmix-augment"), "--annotations", SAMPLES_JSON,
                        "--images", SAMPLES_IMAGES, "--out", str(tmp_path / "tool"), "--seed",
                        "4", "--per-image", "5", "--recipe", str(recipe), "--min-visibility",
                        "0.2"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert _tree(tmp_path / "py") == _tree(tmp_path / "tool")
    assert sum(s["per_op"].values()) == 40 and len(s["per_op"]) == 5
    line = [x for x in p.stdout.splitlines() if "outputs per operation" in x][0]
    assert all("%s %d" % (op, n) in line for op, n in s["per_op"].items())
    with pytest.raises(ValueError):
        boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, tmp_path / "x", recipe=recipe, op="mixup")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"operations": [{"op": "mixup", "holes": 3}]}))
    with pytest.raises(boxmix.Error) as e:
        boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, tmp_path / "y", recipe=bad)
    assert "operations[0].holes" in str(e.value) and str(bad) in str(e.value)
    assert not (tmp_path / "y").exists()
