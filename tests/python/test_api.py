# SPDX-License-Identifier: MIT
"""The module's API: errors with file and place, argument checking, docstrings and
stubs, samples from the caller's data, write_coco, the progress callback (at least
once a second, cancelling when it raises), and meson install."""
import inspect
import json
import os
import pydoc
import subprocess
import sys
import time

import numpy as np
import pytest

import boxmix
from conftest import ROOT, SAMPLES_IMAGES, SAMPLES_JSON, load_json, tool


def test_version_is_the_librarys():
    p = tool("augment", "--version")
    assert boxmix.__version__ in p.stdout


def test_bad_annotation_file_names_file_and_place(tmp_path):
    doc = load_json(SAMPLES_JSON)
    doc["annotations"][3]["bbox"] = [1, 2, 3]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(boxmix.SchemaError) as e:
        boxmix.read_coco(bad)
    msg = str(e.value)
    assert "bad.json" in msg and "annotations[3].bbox" in msg, msg
    assert isinstance(e.value, boxmix.Error) and isinstance(e.value, ValueError)
    assert e.value.status_name == "BMX_E_SCHEMA"
    # the tool says the same
    p = tool("check", "--annotations", bad, check=False)
    assert p.returncode == 1 and "annotations[3].bbox" in p.stdout + p.stderr


def test_syntax_error_names_line_and_column(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"images": [\n  {"id": 1,,}]}')
    with pytest.raises(boxmix.ParseError) as e:
        boxmix.read_coco(bad)
    assert "broken.json" in str(e.value) and "line 2" in str(e.value), str(e.value)


def test_missing_file_is_a_file_error(tmp_path):
    with pytest.raises(boxmix.FileError) as e:
        boxmix.read_coco(tmp_path / "nowhere.json")
    assert isinstance(e.value, OSError) and "nowhere.json" in str(e.value)


def test_missing_image_names_the_file(tmp_path, samples):
    ds = boxmix.read_coco(SAMPLES_JSON, images=tmp_path)
    with pytest.raises(boxmix.FileError) as e:
        ds[2].image
    assert "sample_03" in str(e.value), str(e.value)


def test_bad_sample_objects_name_the_place():
    img = np.zeros((40, 50, 3), np.uint8)
    with pytest.raises(ValueError) as e:
        boxmix.Sample(img, [{"bbox": [0, 0, 5, 5], "category_id": 1, "area": 25, "iscrowd": 0},
                            {"bbox": [1, 2], "category_id": 1, "area": 4, "iscrowd": 0}])
    assert isinstance(e.value, boxmix.Error)
    assert "Sample" in str(e.value) and "annotations[1].bbox" in str(e.value), str(e.value)
    with pytest.raises(ValueError):
        boxmix.Sample(img, [], {"width": 51})
    with pytest.raises(TypeError):
        boxmix.Sample(img.astype(np.float32), [])
    with pytest.raises(ValueError):
        boxmix.Sample(np.zeros((4, 5), np.uint8), [])
    with pytest.raises(TypeError):
        boxmix.Sample(img, ["not a dict"])


def test_bad_arguments_raise_type_and_value_errors(samples):
    a, b = samples[0], samples[1]
    for kw in ({"alpha": 0}, {"alpha": -1.0}, {"placement": "nowhere"}, {"mask_format": "png"},
               {"cut_ratio": "0.8:0.2"}, {"cut_ratio": "x"}, {"tries": 0},
               {"min_visibility": 1.5}, {"seed": -1}, {"index": 2**64}):
        with pytest.raises(ValueError):
            boxmix.cutmix(a, b, **kw)
    for kw in ({"alpha": "1"}, {"placement": 1}, {"seed": 1.5}, {"tries": 2.0},
               {"min_size": None}):
        with pytest.raises(TypeError):
            boxmix.cutmix(a, b, **kw)
    with pytest.raises(TypeError):
        boxmix.cutmix(a, "b")
    with pytest.raises(TypeError):
        boxmix.cutmix(a, b, 1, 2, 3)  # options are keywords
    with pytest.raises(IndexError):
        samples[8]
    assert samples[-1].info["id"] == samples[7].info["id"]
    with pytest.raises(ValueError):
        boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, "/tmp/x", shard="3/3")
    with pytest.raises(ValueError):
        boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, "/tmp/x", png_level=3)


def test_augment_refuses_to_write_into_its_input(tmp_path):
    with pytest.raises(boxmix.InvalidError) as e:
        boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, SAMPLES_IMAGES, per_image=1)
    assert "images" in str(e.value)


def test_help_lists_every_option_with_its_default():
    text = pydoc.render_doc(boxmix.cutmix, renderer=pydoc.plaintext)
    sig = inspect.signature(boxmix.cutmix)
    cli = {"alpha": "1.0", "cut_ratio": "None", "placement": "'anywhere'", "tries": "10",
           "min_visibility": "0.1", "min_area": "0.0", "min_size": "2.0", "mask_format": "'keep'"}
    for name, default in cli.items():
        assert "%s=%s" % (name, default) in text, name
        assert repr(sig.parameters[name].default) == default
        assert "--" + name.replace("_", "-") in boxmix.cutmix.__doc__, name
    for name in ("per_image", "threads", "progress", "memory_limit", "shard", "voc", "skip_bad"):
        assert name in boxmix.augment.__doc__
    for f in (boxmix.read_coco, boxmix.read_voc, boxmix.read_yolo, boxmix.augment, boxmix.write_coco,
              boxmix.Sample, boxmix.Dataset, boxmix.Error):
        assert f.__doc__ and len(f.__doc__) > 40, f
    stub = os.path.join(os.path.dirname(boxmix.__file__), "__init__.pyi")
    with open(stub) as f:
        stubs = f.read()
    for name in boxmix.__all__:
        assert name in stubs, name


def test_read_voc_is_the_coco_samples():
    voc = boxmix.read_voc(os.path.join(ROOT, "samples", "voc"), images=SAMPLES_IMAGES)
    coco = boxmix.read_coco(SAMPLES_JSON, images=SAMPLES_IMAGES)
    assert len(voc) == len(coco)
    assert np.array_equal(voc[0].image, coco[0].image)
    # VOC boxes are whole pixels, rounded outward from the COCO ones
    for v, c in zip(voc[0].objects, coco[0].objects):
        (vx, vy, vw, vh), (cx, cy, cw, ch) = v["bbox"], c["bbox"]
        assert vx <= cx < vx + 1 and vy <= cy < vy + 1
        assert cx + cw <= vx + vw < cx + cw + 1 and cy + ch <= vy + vh < cy + ch + 1
    names = [c["name"] for c in voc.categories]
    assert names == sorted(names)
    again = boxmix.read_voc(os.path.join(ROOT, "samples", "voc"), labels=list(reversed(names)))
    assert [c["name"] for c in again.categories] == list(reversed(names))


def test_read_yolo_is_what_convert_writes_as_coco(tmp_path):
    data = os.path.join(ROOT, "samples", "yolo", "segment", "data.yaml")
    yolo = boxmix.read_yolo(data)
    out = tmp_path / "coco"
    tool("convert", "--yolo", data, "--to", "coco", "--out", out, "--quiet")
    coco = boxmix.read_coco(out / "annotations.json", images=out / "images")
    assert len(yolo) == len(coco) == 8
    assert [c["name"] for c in yolo.categories] == [c["name"] for c in coco.categories]
    for i in range(len(yolo)):
        assert yolo[i].objects == coco[i].objects
        assert yolo[i].info["file_name"] == coco[i].info["file_name"]
        assert np.array_equal(yolo[i].image, coco[i].image)
    # a folder needs its names; a bad row names the file and line
    with pytest.raises(boxmix.Error):
        boxmix.read_yolo(os.path.join(ROOT, "samples", "yolo", "segment"))
    root = tmp_path / "bad"
    (root / "images" / "train").mkdir(parents=True)
    (root / "labels" / "train").mkdir(parents=True)
    img = os.path.join(ROOT, "samples", "yolo", "segment", "images", "train")
    first = sorted(os.listdir(img))[0]
    (root / "images" / "train" / first).write_bytes(open(os.path.join(img, first), "rb").read())
    (root / "labels" / "train" / (os.path.splitext(first)[0] + ".txt")).write_text(
        "0 0.5 0.5 0.2 0.2\n9 0.5 0.5 0.1 0.1\n")
    with pytest.raises(boxmix.Error) as e:
        boxmix.read_yolo(root, names=["a", "b"])
    assert ":2:" in str(e.value) and ".txt" in str(e.value), str(e.value)
    ok = boxmix.read_yolo(root, split=None, names=["c%d" % i for i in range(10)])
    assert len(ok) == 1 and len(ok[0].objects) == 2


def test_sample_from_caller_data_mixes_like_a_dataset_sample(samples):
    s = samples[3]
    mine = boxmix.Sample(image=s.image, objects=s.objects, info=s.info)
    assert mine.objects == s.objects and mine.info == s.info
    o1, r1 = boxmix.cutmix(mine, samples[5], seed=4, index=2)
    o2, r2 = boxmix.cutmix(s, samples[5], seed=4, index=2)
    assert r1 == r2 and o1.objects == o2.objects and np.array_equal(o1.image, o2.image)
    # outputs chain, and pickle through their data
    o3, r3 = boxmix.cutmix(o1, samples[0], seed=4, index=3)
    assert r3["base_image_id"] == 0
    import pickle
    back = pickle.loads(pickle.dumps(o1))
    assert np.array_equal(back.image, o1.image) and back.objects == o1.objects


def test_write_coco_writes_a_dataset_the_checker_accepts(tmp_path, samples):
    mixed = [boxmix.cutmix(samples[i], samples[(i + 2) % 8], seed=9, index=i)[0] for i in range(3)]
    n = boxmix.write_coco(mixed + [samples[5]], tmp_path / "out", categories=samples.categories,
                          format="png")
    assert n == 4
    tool("check", "--annotations", tmp_path / "out" / "annotations.json",
         "--images", tmp_path / "out" / "images")
    back = boxmix.read_coco(tmp_path / "out" / "annotations.json", images=tmp_path / "out" / "images")
    assert len(back) == 4 and back.categories == samples.categories
    for i in range(3):
        assert np.array_equal(back[i].image, mixed[i].image)  # PNG: lossless
        assert [o["bbox"] for o in back[i].objects] == [o["bbox"] for o in mixed[i].objects]
    # the name keeps its stem, its extension the written format's
    assert back[3].info["file_name"] == samples[5].info["file_name"][:-4] + ".png"
    with pytest.raises(boxmix.StateError):  # holds a dataset now
        boxmix.write_coco(mixed, tmp_path / "out")


def test_write_coco_names_match_the_format_and_are_unique(tmp_path, samples):
    s = samples[0]
    assert s.info["file_name"].endswith(".jpg")
    assert boxmix.write_coco([s], tmp_path / "p", format="png") == 1
    back = boxmix.read_coco(tmp_path / "p" / "annotations.json", images=tmp_path / "p" / "images")
    name = back[0].info["file_name"]
    assert name == s.info["file_name"][:-4] + ".png", name
    with open(tmp_path / "p" / "images" / name, "rb") as f:
        assert f.read(4) == b"\x89PNG"  # PNG bytes under a .png name
    assert boxmix.write_coco([s], tmp_path / "j", format="jpg") == 1
    assert os.path.exists(tmp_path / "j" / "images" / s.info["file_name"])  # .jpg kept
    twin = boxmix.Sample(image=samples[1].image, objects=[], info={"file_name": s.info["file_name"]})
    with pytest.raises(ValueError) as e:
        boxmix.write_coco([s, twin], tmp_path / "d", format="png")
    assert "samples[0]" in str(e.value) and "samples[1]" in str(e.value)
    assert not os.path.exists(tmp_path / "d")


def test_progress_at_least_once_a_second_and_cancel(tmp_path):
    import threading
    calls, threads = [], set()

    def progress(d, t):
        calls.append((time.monotonic(), d, t))
        threads.add(threading.get_ident())

    t0 = time.monotonic()
    boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, tmp_path / "a", per_image=40, seed=3,
                   threads=2, format="png", progress=progress)
    assert threads == {threading.get_ident()}  # the calling thread, never a worker
    t1 = time.monotonic()
    stamps = [t0] + [c[0] for c in calls] + [t1]
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    print("progress: %d calls over %.2f s, longest gap %.2f s" % (len(calls), t1 - t0, max(gaps)))
    assert max(gaps) <= 1.0
    assert calls[-1][1:] == (320, 320)
    assert all(c[1] <= c[2] for c in calls)

    class Stop(Exception):
        pass

    def stop_at_100(done, total):
        if total == 320 and done >= 100:
            raise Stop()

    with pytest.raises(Stop):
        boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, tmp_path / "b", per_image=40, seed=3,
                       threads=1, format="png", progress=stop_at_100)
    made = os.listdir(tmp_path / "b" / "images")
    assert 0 < len(made) < 320 and not (tmp_path / "b" / "annotations.json").exists()
    assert not [f for f in made if not f.endswith(".png")]  # no temporary left
    boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, tmp_path / "b", per_image=40, seed=3,
                   threads=1, format="png", resume=True)
    assert load_json(tmp_path / "b" / "annotations.json") == load_json(
        tmp_path / "a" / "annotations.json")


def test_meson_install_puts_the_package_in_site_packages(tmp_path):
    build = os.environ.get("BOXMIX_BUILD")
    if not build:
        pytest.skip("BOXMIX_BUILD not set (run by meson test)")
    p = subprocess.run(["meson", "install", "-C", build, "--no-rebuild", "--quiet",
                        "--destdir", str(tmp_path / "dest")], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr + p.stdout
    found = [r for r, _, files in os.walk(tmp_path / "dest") if "__init__.pyi" in files]
    assert len(found) == 1 and os.path.basename(found[0]) == "boxmix", found
    site = os.path.dirname(found[0])
    assert site.endswith(("site-packages", "dist-packages")), site
    files = os.listdir(found[0])
    assert "__init__.py" in files and "py.typed" in files
    assert [f for f in files if f.startswith("_boxmix") and f.endswith(".so")]
    env = dict(os.environ, PYTHONPATH=site)
    q = subprocess.run([sys.executable, "-c", "import boxmix, sys; print(boxmix.__file__); "
                        "print(len(boxmix.read_coco(sys.argv[1])))", SAMPLES_JSON],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert q.returncode == 0 and q.stdout.startswith(site) and q.stdout.split()[-1] == "8", q


def test_extension_sees_the_public_header_only():
    """DESIGN.md, "Layers": lib/python includes boxmix.h and calls its functions only."""
    import glob
    import re
    src = os.path.join(ROOT, "lib", "python")
    allowed = re.compile(r'#include (<boxmix\.h>|"bmxpy\.h"|<Python\.h>|<numpy/[a-z_]+\.h>|'
                         r'<[a-z]+\.h>)')
    for path in glob.glob(os.path.join(src, "*.[ch]")):
        with open(path) as f:
            for line in f:
                if line.startswith("#include"):
                    assert allowed.match(line), (path, line)
    build = os.environ.get("BOXMIX_BUILD")
    if not build:
        pytest.skip("BOXMIX_BUILD not set (run by meson test)")
    with open(os.path.join(ROOT, "lib", "include", "boxmix.h")) as f:
        public = set(re.findall(r"\b(bmx_[a-z0-9_]+)\s*\(", f.read()))
    objs = [os.path.join(d, f) for d in glob.glob(os.path.join(build, "lib", "python", "boxmix",
                                                              "_boxmix*.p"))
            for f in os.listdir(d) if f.endswith(".o")]  # named ".._module.c.o"
    assert objs
    p = subprocess.run(["nm", "-u", *objs], capture_output=True, text=True, check=True)
    called = set(re.findall(r"\bU (bmx_\w+)", p.stdout))
    assert called and called <= public, called - public
