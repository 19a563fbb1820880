# SPDX-License-Identifier: MIT
"""Copy-Paste's cuts recomputed independently with the COCO API's rules (coco_rle.py,
a Python port of maskApi.c): for random polygon cases (test_copypaste --dump), the
union M of the pasted objects' masks, and for every base object its pixels minus M:
kept objects carry exactly those pixels (their polygons read back by frPoly), their
count as area, toBbox as box and count / original as visibility; objects with no
pixel in M are written as CutMix writes one its patch misses; dropped ones fail a
rule (default options). Pasted objects are whole.
Usage: coco_copypaste.py TEST_COPYPASTE_BINARY."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coco_rle  # noqa: E402


def raster(polygons, h, w):
    return coco_rle.decode(coco_rle.segmentation_counts(polygons, h, w), h, w).astype(bool)


def check_base(k, b, o, m, h, w, counts, problems):
    orig = raster(b["polygons"], h, w)
    vis = orig & ~m
    outside = any(not (0 <= x <= w and 0 <= y <= h)
                  for p in b["polygons"] for x, y in zip(p[0::2], p[1::2]))
    if not (orig & m).any():
        # Not cut: as CutMix writes an object its patch misses (changed only where a
        # polygon leaves the image and is clipped to it).
        if (o is None or o["touched"]) and not outside:
            problems.append("case %d: base %d not under M but changed" % (k, b["id"]))
        if o is not None and not o["touched"] and o["polygons"] != b["polygons"]:
            problems.append("case %d: base %d not written as it came" % (k, b["id"]))
        counts["untouched"] += 1
    elif o is None:
        v = vis.sum() / orig.sum()
        box = coco_rle.to_bbox(coco_rle.encode(vis), h, w)
        if vis.sum() > 0 and v >= 0.1 and box[2] >= 2 and box[3] >= 2:
            problems.append("case %d: base %d dropped though it passes" % (k, b["id"]))
        counts["dropped"] += 1
    else:
        got = raster(o["polygons"], h, w)
        if not o["touched"] or (got != vis).any():
            problems.append("case %d: base %d pixels differ" % (k, b["id"]))
        if o["area"] != vis.sum() or o["visibility"] != vis.sum() / orig.sum():
            problems.append("case %d: base %d area/visibility" % (k, b["id"]))
        if o["bbox"] != coco_rle.to_bbox(coco_rle.encode(vis), h, w):
            problems.append("case %d: base %d bbox" % (k, b["id"]))
        counts["cut"] += 1


def main():
    n = 600
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "cases.jsonl")
        subprocess.run([sys.argv[1], "--dump", path, str(n)], check=True)
        with open(path) as f:
            cases = [json.loads(line) for line in f]
    problems = []
    counts = {"cut": 0, "untouched": 0, "dropped": 0, "pasted": 0}
    for k, c in enumerate(cases):
        h, w = c["h"], c["w"]
        src = {o["id"]: o for o in c["source"]}
        m = np.zeros((h, w), bool)
        for i in c["pasted"]:
            m |= raster(src[i]["polygons"], h, w)
        out = {(o["from"], o["id"]): o for o in c["out"]}
        for b in c["base"]:
            check_base(k, b, out.get(("base", b["id"])), m, h, w, counts, problems)
        for i in c["pasted"]:
            o = out.get(("source", i))
            if o is not None:
                counts["pasted"] += 1
                if o["polygons"] != src[i]["polygons"] and not o["touched"]:
                    problems.append("case %d: pasted %d not whole" % (k, i))
        if any(key[0] == "source" and key[1] not in c["pasted"] for key in out):
            problems.append("case %d: an object not pasted is in the output" % k)
    print("1..2")
    print("%s 1 - %d cases dumped" % ("ok" if len(cases) == n else "not ok", len(cases)))
    enough = counts["cut"] > 300 and counts["untouched"] > 50 and counts["dropped"] > 50
    print("%s 2 - base objects as the COCO API's rules make them %s%s" %
          ("ok" if not problems and enough else "not ok", counts,
           "" if not problems else ": " + "; ".join(problems[:10])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
