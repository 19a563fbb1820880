# SPDX-License-Identifier: MIT
"""The README's complete Python example, run as written in a folder holding
samples/, and what it wrote checked with boxmix-check."""
import os
import subprocess
import sys

from conftest import ROOT, load_json, tool
from readme import python_block


def test_readme_example_runs_as_written(tmp_path):
    os.symlink(os.path.join(ROOT, "samples"), tmp_path / "samples")
    (tmp_path / "example.py").write_text(python_block("example"))
    p = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True,
                       text=True, env=os.environ)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("8 images: rectangle, disc"), p.stdout
    assert "16/16" in p.stdout and "16 samples," in p.stdout
    for out in ("mixed-py", "augmented-py"):
        tool("check", "--annotations", tmp_path / out / "annotations.json",
             "--images", tmp_path / out / "images")
    mixed = load_json(tmp_path / "mixed-py" / "annotations.json")
    assert len(mixed["images"]) == 1 and mixed["categories"] == load_json(
        os.path.join(ROOT, "samples", "coco", "annotations.json"))["categories"]
    assert all(a["boxmix"]["from"] in ("base", "source") for a in mixed["annotations"])
