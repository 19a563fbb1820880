# SPDX-License-Identifier: MIT
"""The CutMix family's options in the Python module, as far as this library has the
operations: cutmix's new options (source_fit, placement="source-object") through the
one path every operation takes (boxmix._boxmix.op, bmx_op_at), its record's fields,
and every option's bad names and values refused before anything runs. The
operations themselves are tested in tests/python_family.py."""
import json
import os

import boxmix
import pytest

from conftest import ROOT, SAMPLES_IMAGES, SAMPLES_JSON, load_json

CLASSIC = ["op", "index", "base_image_id", "source_image_id", "patch", "lambda", "seed"]


def test_classic_cutmix_record_keeps_its_keys(samples):
    for placement in ("anywhere", "avoid-base"):
        out, rec = boxmix.cutmix(samples[0], samples[1], seed=3, index=4, placement=placement)
        assert list(rec) == CLASSIC
        assert out.info["boxmix"] == rec


def test_cutmix_source_fit_is_recorded(samples):
    for fit in ("letterbox", "crop"):
        out, rec = boxmix.cutmix(samples[0], samples[1], seed=3, index=4, source_fit=fit)
        keys = CLASSIC[:-1] + ["source_fit"] + (["source_rect"] if fit == "crop" else []) + ["seed"]
        assert list(rec) == keys
        assert rec["source_fit"] == fit
        if fit == "crop":
            assert len(rec["source_rect"]) == 4
        assert out.info["boxmix"] == rec
        assert out.image.shape == samples[0].image.shape


def test_cutmix_source_object_is_recorded(samples):
    b = samples[1]
    ids = {o["id"] for o in b.objects if not o.get("iscrowd")}
    out, rec = boxmix.cutmix(samples[0], b, seed=5, index=2, placement="source-object")
    assert list(rec) == CLASSIC[:-1] + ["placement", "anchor_annotation_id", "seed"]
    assert rec["placement"] == "source-object"
    assert rec["anchor_annotation_id"] is None or rec["anchor_annotation_id"] in ids


def test_record_names_the_inputs(samples):
    _, rec = boxmix.cutmix(samples[2], samples[6], seed=1, index=9)
    assert rec["base_image_id"] == samples[2].info["id"]
    assert rec["source_image_id"] == samples[6].info["id"]
    assert (rec["seed"], rec["index"]) == (1, 9)


@pytest.mark.parametrize("kw", [
    {"source_fit": "stretch"}, {"placement": "on-object"}, {"mask_format": "bitmap"},
    {"alpha": 0}, {"tries": 0},
])
def test_cutmix_bad_values(samples, kw):
    with pytest.raises(ValueError):
        boxmix.cutmix(samples[0], samples[1], **kw)


@pytest.mark.parametrize("call", [
    lambda s: boxmix.cutout(s[0], holes=0),
    lambda s: boxmix.cutout(s[0], holes=65),
    lambda s: boxmix.cutout(s[0], fill="red"),
    lambda s: boxmix.cutout(s[0], fill=(1, 2, 300)),
    lambda s: boxmix.cutout(s[0], fill="1,2"),
    lambda s: boxmix.cutout(s[0], fill=(1, 2)),
    lambda s: boxmix.cutout(s[0], min_visibility=2),
    lambda s: boxmix.mixup(s[0], s[1], mix_alpha=0),
    lambda s: boxmix.mixup(s[0], s[1], mix_ratio=1.5),
    lambda s: boxmix.mixup(s[0], s[1], source_fit="crop"),
    lambda s: boxmix.mosaic(s[0:4], mosaic_size=8),
    lambda s: boxmix.mosaic(s[0:4], mosaic_size=16385),
    lambda s: boxmix.mosaic(s[0:3]),
    lambda s: boxmix.copypaste(s[0], s[1], paste_prob=1.5),
    lambda s: boxmix.copypaste(s[0], s[1], source_fit="crop"),
    lambda s: boxmix.cutmix(s[0], s[1], seed=-1),
])
def test_family_bad_values_raise_value_error(samples, call):
    with pytest.raises(ValueError):
        call(samples)


@pytest.mark.parametrize("call", [
    lambda s: boxmix.cutout(s[0], holes=2.0),
    lambda s: boxmix.cutout(s[0], fill=None),
    lambda s: boxmix.mixup(s[0], "b"),
    lambda s: boxmix.mixup(s[0], s[1], mix_ratio="0.5"),
    lambda s: boxmix.mosaic([s[0], s[1], s[2], "d"]),
    lambda s: boxmix.mosaic(s[0:4], mosaic_size=640.0),
    lambda s: boxmix.copypaste(s[0], s[1], paste_probability=0.5),
    lambda s: boxmix.cutout(s[0], placement="anywhere"),
    lambda s: boxmix.mixup(s[0], s[1], min_visibility=0.5),
    lambda s: boxmix.cutmix(s[0], s[1], source_fit=1),
])
def test_family_bad_types_and_names_raise_type_error(samples, call):
    with pytest.raises(TypeError):
        call(samples)


def test_augment_op_cutmix_is_the_default_run(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, a, seed=6, threads=1, dry_run=True)
    boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, b, seed=6, threads=1, dry_run=True, op="cutmix")
    assert load_json(os.path.join(a, "annotations.json")) == \
        load_json(os.path.join(b, "annotations.json"))


@pytest.mark.parametrize("kw, error", [
    ({"op": "cutpaste"}, ValueError),
    ({"op": 1}, TypeError),
    ({"holes": 0}, ValueError),
    ({"fill": "red"}, ValueError),
    ({"mix_ratio": 2.0}, ValueError),
    ({"mosaic_size": 7}, ValueError),
    ({"paste_prob": -0.5}, ValueError),
    ({"op": "mixup", "source_fit": "crop"}, ValueError),
])
def test_augment_refuses_bad_family_options_before_running(tmp_path, kw, error):
    out = tmp_path / "out"
    with pytest.raises(error):
        boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, out, **kw)
    assert not out.exists()


def test_stubs_name_the_family_options():
    import boxmix as bm
    with open(os.path.join(os.path.dirname(bm.__file__), "__init__.pyi")) as f:
        stubs = f.read()
    for name in ("source_fit", "source-object", "holes", "fill", "mix_alpha", "mix_ratio",
                 "mosaic_size", "paste_prob", "def cutout", "def mixup", "def mosaic",
                 "def copypaste", "op: _Op"):
        assert name in stubs, name


def test_record_json_is_the_writers(samples):
    """The record is the tools' text: parsing it again gives the same dict."""
    _, rec = boxmix.cutmix(samples[0], samples[3], seed=2, index=7, source_fit="crop",
                           placement="source-object")
    assert json.loads(json.dumps(rec)) == rec


@pytest.mark.parametrize("kw", [
    {"op": "mosaic", "holes": 3},
    {"op": "cutout", "placement": "avoid-base"},
    {"op": "mixup", "paste_prob": 0.9},
    {"op": "copypaste", "mosaic_size": 320},
    {"op": "mosaic", "source_fit": "letterbox"},
    {"op": "mixup", "alpha": 0.5},
    {"holes": 2},  # op defaults to cutmix
    {"recipe": os.path.join(ROOT, "tests", "fuzz", "corpus", "recipe", "seed-one-0"),
     "source_fit": "crop"},
])
def test_augment_refuses_options_its_operation_does_not_take(tmp_path, kw):
    """As boxmix-augment refuses them (exit 2): an option the operation does not take
    would do nothing."""
    out = tmp_path / "out"
    with pytest.raises(ValueError):
        boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, out, dry_run=True, **kw)
    assert not out.exists()


def test_augment_takes_defaults_and_options_of_its_operation(tmp_path):
    boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, tmp_path / "a", dry_run=True, op="mosaic",
                   holes=1, alpha=1, mosaic_size=320, placement="anywhere")
    boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, tmp_path / "b", dry_run=True, op="cutout",
                   holes=3, alpha=0.5, fill=(1, 2, 3))


@pytest.mark.parametrize("call", [
    lambda s: boxmix.mixup(s[0], s[1], mix_ratio=-0.5),
    lambda s: boxmix.mixup(s[0], s[1], mix_ratio=-1),
    lambda s: boxmix.mosaic(s[:4], mosaic_size=2 ** 40),
    lambda s: boxmix.cutout(s[0], holes=2 ** 40),
    lambda s: boxmix.mixup(s[0], s[1], mix_alpha=4.0, mix_ratio=0.5),
])
def test_family_out_of_range_values_raise_value_error(samples, call):
    """A negative mix_ratio is not "drawn" for a Python caller (None is), and a value
    past a C int is a ValueError naming the option, not a bare OverflowError."""
    with pytest.raises(ValueError):
        call(samples)
