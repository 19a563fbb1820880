# SPDX-License-Identifier: MIT
"""Same bytes as the tools: output k of `boxmix-augment --format png` is
boxmix.cutmix(ds[base], ds[source], seed=S, index=k) with the base and source its
record names, pixels and annotations; boxmix.augment writes the tool's files."""
import filecmp
import json
import os

import numpy as np
import pytest

import boxmix
from conftest import (KEYPOINTS_IMAGES, KEYPOINTS_JSON, SAMPLES_IMAGES, SAMPLES_JSON, load_json,
                      tool)

# (CLI options, the same as boxmix.cutmix keywords)
OPTION_SETS = [
    ([], {}),
    (["--mask-format", "polygon", "--min-visibility", "0.3"],
     {"mask_format": "polygon", "min_visibility": 0.3}),
    (["--mask-format", "rle", "--placement", "avoid-base", "--tries", "5"],
     {"mask_format": "rle", "placement": "avoid-base", "tries": 5}),
    (["--cut-ratio", "0.2:0.6", "--min-size", "4", "--min-area", "30"],
     {"cut_ratio": "0.2:0.6", "min_size": 4, "min_area": 30}),
    (["--alpha", "0.5"], {"alpha": 0.5}),
]


def strip_ids(obj):
    d = dict(obj)
    d.pop("id")
    d.pop("image_id", None)
    return d


def check_run(tmp_path, ann, images, seed, per_image, cli, kw):
    out = tmp_path / "run"
    tool("augment", "--annotations", ann, "--images", images, "--out", out, "--format", "png",
         "--per-image", per_image, "--seed", seed, "--quiet", *cli)
    made = load_json(out / "annotations.json")
    ds = boxmix.read_coco(ann, images=images)
    by_id = {ds[i].info["id"]: i for i in range(len(ds))}
    pixels = boxmix.read_coco(out / "annotations.json", images=out / "images")
    assert len(made["images"]) == per_image * len(ds)
    for k, img in enumerate(made["images"]):
        rec = img["boxmix"]
        assert rec["index"] == k
        a, b = ds[by_id[rec["base_image_id"]]], ds[by_id[rec["source_image_id"]]]
        mixed, record = boxmix.cutmix(a, b, seed=seed, index=k, **kw)
        assert record == rec, k
        assert mixed.info["boxmix"] == rec
        assert np.array_equal(mixed.image, pixels[k].image), "pixels of output %d" % k
        theirs = [strip_ids(o) for o in made["annotations"] if o["image_id"] == img["id"]]
        ours = [strip_ids(o) for o in mixed.objects]
        assert ours == theirs, "annotations of output %d" % k
        # the same types too (an int where the file has an integer), key order included
        assert json.dumps(ours) == json.dumps(theirs), "annotations of output %d" % k


@pytest.mark.parametrize("cli,kw", OPTION_SETS, ids=["defaults", "polygon", "rle-avoid",
                                                     "cut-ratio", "alpha"])
def test_cutmix_is_output_k(tmp_path, cli, kw):
    check_run(tmp_path, SAMPLES_JSON, SAMPLES_IMAGES, 7, 3, cli, kw)


def test_cutmix_is_output_k_keypoints(tmp_path):
    check_run(tmp_path, KEYPOINTS_JSON, KEYPOINTS_IMAGES, 1, 2, [], {})


def test_cutmix_does_not_depend_on_the_pairing(samples):
    """The same (seed, index) with another source: the same patch."""
    one, r1 = boxmix.cutmix(samples[0], samples[1], seed=3, index=11)
    two, r2 = boxmix.cutmix(samples[0], samples[5], seed=3, index=11)
    assert r1["patch"] == r2["patch"] and r1["lambda"] == r2["lambda"]
    three, r3 = boxmix.cutmix(samples[0], samples[1], seed=3, index=12)
    assert r3["patch"] != r1["patch"]


def same_tree(a, b):
    cmp = filecmp.dircmp(a, b, ignore=[])
    assert not cmp.left_only and not cmp.right_only, (cmp.left_only, cmp.right_only)
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    assert not mismatch and not errors, (mismatch, errors)
    for d in cmp.common_dirs:
        same_tree(os.path.join(a, d), os.path.join(b, d))


@pytest.mark.parametrize("cli,kw", [
    (["--per-image", "2", "--seed", "7"], {"per_image": 2, "seed": 7}),
    (["--count", "5", "--seed", "3", "--format", "png", "--mask-format", "polygon",
      "--include-originals", "--threads", "2"],
     {"count": 5, "seed": 3, "format": "png", "mask_format": "polygon",
      "include_originals": True, "threads": 2}),
    (["--per-image", "1", "--placement", "avoid-base", "--quality", "70", "--dry-run"],
     {"per_image": 1, "placement": "avoid-base", "quality": 70, "dry_run": True}),
    (["--per-image", "2", "--shard", "1/3", "--cut-ratio", "0.3:0.5", "--memory-limit", "1M"],
     {"per_image": 2, "shard": "1/3", "cut_ratio": (0.3, 0.5), "memory_limit": "1M"}),
], ids=["jpg", "png-originals", "dry-avoid", "shard"])
def test_augment_writes_the_tools_files(tmp_path, cli, kw):
    tool("augment", "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES,
         "--out", tmp_path / "tool", "--quiet", *cli)
    summary = boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, tmp_path / "module", **kw)
    same_tree(tmp_path / "tool", tmp_path / "module")
    assert summary["samples"] == len(load_json(tmp_path / "tool" / "annotations.json")["images"]) \
        - summary["originals"]


def test_augment_voc_writes_the_tools_files(tmp_path):
    voc = os.path.join(os.path.dirname(SAMPLES_JSON), "..", "voc")
    tool("augment", "--voc", voc, "--images", SAMPLES_IMAGES, "--out", tmp_path / "tool",
         "--per-image", "1", "--seed", "2", "--quiet")
    boxmix.augment(voc=voc, images=SAMPLES_IMAGES, out=tmp_path / "module", per_image=1, seed=2)
    same_tree(tmp_path / "tool", tmp_path / "module")


def test_augment_summary_is_the_summary_line(tmp_path):
    p = tool("augment", "--annotations", SAMPLES_JSON, "--images", SAMPLES_IMAGES,
             "--out", tmp_path / "tool", "--per-image", "2", "--seed", "7")
    s = boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, tmp_path / "module", per_image=2, seed=7)
    line = ("wrote %d samples to %s; objects: %d kept whole, %d clipped, %d dropped; "
            "%d kept objects carry masks" % (s["samples"], tmp_path / "tool", s["kept_whole"],
                                            s["clipped"], s["dropped"], s["masked"]))
    assert line in p.stderr + p.stdout
