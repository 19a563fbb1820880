# SPDX-License-Identifier: MIT
"""Fixtures of the Python module's tests: the source tree, the built tools, the
samples, and boxmix-augment runs the tests compare the module with. `meson test`
sets BOXMIX_ROOT, BOXMIX_TOOLS and PYTHONPATH (the build folder's package)."""
import json
import os
import subprocess

import pytest

ROOT = os.environ.get("BOXMIX_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
TOOLS = os.environ.get("BOXMIX_TOOLS", os.path.join(ROOT, "build", "tools"))
SAMPLES_JSON = os.path.join(ROOT, "samples", "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(ROOT, "samples", "images")
KEYPOINTS_JSON = os.path.join(ROOT, "samples", "keypoints", "annotations.json")
KEYPOINTS_IMAGES = os.path.join(ROOT, "samples", "keypoints", "images")


def tool(name, *args, check=True):
    p = subprocess.run([os.path.join(TOOLS, "boxmix-" + name), *map(str, args)],
                       capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError("boxmix-%s failed (%d): %s" % (name, p.returncode, p.stderr))
    return p


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture
def samples():
    import boxmix
    return boxmix.read_coco(SAMPLES_JSON, images=SAMPLES_IMAGES)
