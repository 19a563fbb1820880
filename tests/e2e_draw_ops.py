#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""boxmix-draw on the records of the CutMix family's other operations (hand-made
outputs with exactly the records boxmix-augment writes, tests/ops_records.py):
CutOut's holes and Mosaic's tiles outlined in the patch's black and white, Mosaic's
centre cross, Copy-Paste's pasted masks outlined in dashes (matched by
source_annotation_id among the source's objects), the anchor of source-object
CutMix, MixUp's weights with --show weight, the HTML report's records and filter.

    e2e_draw_ops.py BOXMIX_DRAW

TAP output.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ops_records import GREY, decision_lines, ops_dataset, write_dataset  # noqa: E402
from png_pixels import png_pixels  # noqa: E402

DRAW = sys.argv[1]
results = []
L = 2  # the default line width


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(*args):
    p = subprocess.run([DRAW, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def load(path):
    with open(path, "rb") as f:
        w, h, ctype, rows = png_pixels(f.read())
    bpp = {2: 3, 6: 4}[ctype]
    return lambda x, y: tuple(rows[y][x * bpp:x * bpp + 3])


BW = {(0, 0, 0), (255, 255, 255)}
G = (GREY, GREY, GREY)


def ring_pixels(x, y, w, h):
    """The outer ring of the rectangle [x, y, w, h] (whole pixels)."""
    for i in range(x, x + w):
        yield i, y
        yield i, y + h - 1
    for j in range(y, y + h):
        yield x, j
        yield x + w - 1, j


def main():
    tmp = tempfile.mkdtemp(prefix="bmx-draw-ops-")
    ann = write_dataset(tmp)
    imgs = os.path.join(tmp, "images")
    out = os.path.join(tmp, "drawn")
    rc, _, err = run("--annotations", ann, "--images", imgs, "--out", out, "--quiet")
    check("draws every operation's output", rc == 0, err)
    nop = os.path.join(tmp, "nopatch")
    rc, _, err = run("--annotations", ann, "--images", imgs, "--out", nop, "--quiet",
                     "--no-patch")
    check("draws with --no-patch", rc == 0, err)
    if rc != 0:
        return

    # CutOut: both holes' two rings are black and white; --no-patch leaves them grey.
    px, nx = load(os.path.join(out, "cutout_000000.png")), load(os.path.join(nop, "cutout_000000.png"))
    for hx, hy, hw, hh in ([10, 10, 30, 20], [60, 40, 20, 20]):
        outer = list(ring_pixels(hx, hy, hw, hh))
        inner = list(ring_pixels(hx + 1, hy + 1, hw - 2, hh - 2))
        check("cutout hole %s: outer ring black and white" % [hx, hy, hw, hh],
              all(px(x, y) in BW for x, y in outer))
        check("cutout hole %s: inner ring black and white" % [hx, hy, hw, hh],
              all(px(x, y) in BW for x, y in inner))
        check("cutout hole %s: both colours on the ring" % [hx, hy, hw, hh],
              {px(x, y) for x, y in outer} == BW)
        check("cutout hole %s: inside untouched" % [hx, hy, hw, hh],
              px(hx + hw // 2, hy + hh // 2) == G)
        check("cutout hole %s: --no-patch leaves it grey" % [hx, hy, hw, hh],
              all(nx(x, y) == G for x, y in outer))

    # Mosaic: each tile outlined, the centre (150 - 60, 130 - 60) = (90, 70) a cross.
    px, nx = load(os.path.join(out, "mosaic_000002.png")), load(os.path.join(nop, "mosaic_000002.png"))
    tiles = [[0, 0, 90, 70], [90, 0, 30, 70], [0, 70, 90, 50], [90, 70, 30, 50]]
    cx, cy = 90, 70
    arm = 3 * L + 2 * 1 + 2  # text scale 1 on 120 x 120
    near = lambda x, y: abs(x - cx) <= arm + 2 and abs(y - cy) <= arm + 2  # noqa: E731
    for t in tiles:
        ring = [(x, y) for x, y in ring_pixels(*t) if not near(x, y)]
        check("mosaic tile %s outlined" % t, all(px(x, y) in BW for x, y in ring))
        check("mosaic tile %s: --no-patch leaves it grey" % t,
              all(nx(x, y) == G for x, y in ring if not (x < 45 and y < 45)))
    check("mosaic centre pixel white", px(cx, cy) == (255, 255, 255), px(cx, cy))
    check("mosaic cross: white arms", all(px(cx + k, cy) == (255, 255, 255) and
                                          px(cx, cy - k) == (255, 255, 255)
                                          for k in range(arm)))
    check("mosaic cross: black ends", px(cx + arm, cy) == (0, 0, 0) and
          px(cx - arm, cy) == (0, 0, 0) and px(cx, cy + arm) == (0, 0, 0))
    check("mosaic cross: black rim beside the white arm",
          px(cx + arm // 2, cy - 1 - (L - 1) // 2) == (0, 0, 0))
    check("mosaic centre drawn with --no-patch too", nx(cx, cy) == (255, 255, 255))

    # Copy-Paste: the pasted object's mask (pixels 20..49) outlined in black and white
    # dashes, two rings; the base object with the same source id keeps its solid
    # category-coloured outline.
    px = load(os.path.join(out, "copypaste_000003.png"))
    bottom = [(x, 49) for x in range(24, 46)]
    second = [(x, 48) for x in range(24, 46)]
    check("copypaste: pasted mask's edge black and white",
          all(px(x, y) in BW for x, y in bottom) and {px(x, y) for x, y in bottom} == BW)
    check("copypaste: pasted mask's second ring black and white",
          all(px(x, y) in BW for x, y in second))
    dash = lambda x, y, ring: (0, 0, 0) if ((x + y) // 4 + ring) % 2 else (255, 255, 255)  # noqa: E731
    check("copypaste: dashes of 4 along x + y, the inner ring in the other phase",
          all(px(x, 49) == dash(x, 49, 0) and px(x, 48) == dash(x, 48, 1) for x in range(24, 46)))
    check("copypaste: right edge too", all(px(49, y) in BW for y in range(24, 46)))
    base_edge = {px(x, 49) for x in range(79, 101)}
    check("copypaste: the base object (same source id, from base) is not dashed",
          len(base_edge) == 1 and not base_edge & BW, base_edge)

    # Source-object CutMix: the target on the anchor's box centre (50, 35).
    px = load(os.path.join(out, "cutmix_000004.png"))
    r = L + 1 + 2
    check("anchor target: black centre", px(50, 35) == (0, 0, 0), px(50, 35))
    check("anchor target: white ring", px(50 + r - 1, 35) == (255, 255, 255) and
          px(50, 35 - r + 1) == (255, 255, 255))
    check("anchor target: black rim", px(50 + r, 35) == (0, 0, 0) and px(50 - r, 35) == (0, 0, 0))
    check("anchor target: only on the anchor (not the other source object)",
          px(35, 25) not in BW)
    check("anchor target: not on the base object of the same source id",
          px(95, 55) == G, px(95, 55))
    px = load(os.path.join(out, "cutmix_000005.png"))
    check("anchor null: nothing marked", px(60, 40) == G)

    # MixUp: --show weight widens exactly the tags of the weighted objects.
    wdir = os.path.join(tmp, "weight")
    rc, _, err = run("--annotations", ann, "--images", imgs, "--out", wdir, "--quiet",
                     "--show", "weight")
    check("--show weight runs", rc == 0, err)
    a, b = load(os.path.join(out, "mixup_000001.png")), load(os.path.join(wdir, "mixup_000001.png"))
    diff = [(x, y) for y in range(80) for x in range(120) if a(x, y) != b(x, y)]
    check("--show weight changes the MixUp drawing", len(diff) > 0)
    check("--show weight changes only label rows above the boxes",
          all(y < 30 for _, y in diff), diff[:5])
    check("--show weight: both objects' tags longer",
          any(x >= 20 + 10 and x < 70 for x, _ in diff) and any(x >= 80 for x, _ in diff))
    for name in ("cutout_000000.png", "mosaic_000002.png"):
        with open(os.path.join(out, name), "rb") as f1, open(os.path.join(wdir, name), "rb") as f2:
            check("--show weight leaves %s (no weights) as it was" % name, f1.read() == f2.read())
    rc, _, err = run("--annotations", ann, "--images", imgs, "--out", os.path.join(tmp, "x"),
                     "--show", "weights")
    check("--show weights (misspelt) is a usage error", rc == 2 and "weight" in err, err)
    rc, help_text, _ = run("--help")
    check("--help documents --show weight", "weight" in help_text and "MixUp" in help_text)

    # The HTML report: every operation in the filter, each record's fields.
    rep = os.path.join(tmp, "report")
    log = os.path.join(tmp, "log.jsonl")
    with open(log, "w") as f:
        f.write("".join(json.dumps(x) + "\n" for x in decision_lines()))
    rc, _, err = run("--annotations", ann, "--images", imgs, "--html", rep, "--quiet",
                     "--decisions", log)
    check("--html on every operation", rc == 0, err)
    if rc == 0:
        with open(os.path.join(rep, "data", "index.js")) as f:
            index = json.loads(re.sub(r"^window.BMX_INDEX = |;\s*$", "", f.read()))
        check("report: operations filter", index["ops"] == ["cutout", "mixup", "mosaic",
                                                            "copypaste", "cutmix"], index["ops"])
        with open(os.path.join(rep, "data", "page-00000.js")) as f:
            text = f.read()
        recs = json.loads(text[text.index("["):text.rindex("]") + 1])
        by = {r["id"]: r for r in recs}
        doc = ops_dataset()
        for im in doc["images"]:
            r = by[im["id"]]
            check("report record %d: the whole boxmix record" % im["id"],
                  r.get("record") == im["boxmix"], r.get("record"))
        objs = {o[0]: o for r in recs for o in r["objects"]}
        check("report: from tile, tile number", objs[5][2] == "tile" and objs[5][7] == 3, objs[5])
        check("report: weight", objs[2][6] == 0.75 and objs[3][6] == 0.25, objs[2])
        check("report: no weight, no tile: null", objs[1][6] is None and objs[1][7] is None)
        check("report: the Mosaic's dropped object from its tile",
              by[3]["dropped"] == [[106, 2, "tile", "min_visibility", 0.05, [0, 60, 20, 20]]],
              by[3]["dropped"])
        with open(os.path.join(rep, "report.js")) as f:
            js = f.read()
        check("report.js shows the other fields", "r.record" in js and "weight" in js)


if __name__ == "__main__":
    main()
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail != "":
            print("# %s" % str(detail)[:500])
