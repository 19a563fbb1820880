# SPDX-License-Identifier: MIT
"""The exact pixel-edge polygons Copy-Paste writes for a cut object, read back with
the COCO API's rules (coco_rle.py: frPoly per ring, the rings unioned): every mask,
holes and islands included, comes back pixel for pixel, and the shoelace area is the
pixel count. Usage: coco_object_mask.py TEST_OBJECT_MASK_BINARY."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coco_rle  # noqa: E402


def shoelace(xy):
    n = len(xy) // 2
    s = 0.0
    for i in range(n):
        j = (i + 1) % n
        s += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1]
    return abs(s) / 2.0


def main():
    n = 1500
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "cases.jsonl")
        subprocess.run([sys.argv[1], "--dump", path, str(n)], check=True)
        with open(path) as f:
            cases = [json.loads(line) for line in f]
    print("1..3")
    ok = len(cases) == n
    print("%s 1 - %d random masks traced" % ("ok" if ok else "not ok", len(cases)))
    bad_raster, bad_area, holed = [], [], 0
    for k, c in enumerate(cases):
        h, w = c["h"], c["w"]
        want = coco_rle.decode(c["counts"], h, w)
        got = coco_rle.decode(coco_rle.segmentation_counts(c["polygons"], h, w), h, w)
        if (got != want).any():
            bad_raster.append(k)
        if sum(shoelace(p) for p in c["polygons"]) != coco_rle.area(c["counts"]) or \
                c["area"] != coco_rle.area(c["counts"]):
            bad_area.append(k)
        holed += any(len(p) // 2 > 4 and len(set(zip(p[0::2], p[1::2]))) < len(p) // 2
                     for p in c["polygons"])
    print("%s 2 - COCO rasterisation equals the mask (%d with bridged holes)%s" %
          ("ok" if not bad_raster and holed > 100 else "not ok", holed,
           "" if not bad_raster else ": cases %s" % bad_raster[:10]))
    print("%s 3 - shoelace area equals the pixel count%s" %
          ("ok" if not bad_area else "not ok", "" if not bad_area else ": %s" % bad_area[:10]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
