#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Benchmark: boxmix.cutmix against a NumPy + Shapely implementation of the same rules.

Usage: PYTHONPATH=build/lib/python /usr/bin/python3 tests/bench_python.py [PAIRS] [ROUNDS]
       ... tests/bench_python.py --only boxmix|reference [PAIRS]


Both sides get the same decoded 640x480 RGB samples (arrays in memory) with 3 to 12
polygon objects each (star-shaped rings of 12 to 40 vertices, some with two rings,
one in ten a crowd object) and mix the same pairs. The reference does what a careful
script would: the patch boxmix drew for the same pair (so that both do the same
geometry; Reference.patch draws one from Beta(1, 1) when used alone), the pixels copied with one
slice assignment, every base polygon cut by the patch (Shapely `difference`) and
every source polygon clipped to it (`intersection`), visibility from exact areas, the
keep rules of boxmix (min_visibility 0.1, min_area 0, min_size 2, crowd kept while
visible), new boxes from the clipped vertices, untouched objects as they came, and
the result as COCO-form dicts. boxmix does the same through boxmix.cutmix and reads
its objects back as dicts (out.objects). The two take turns in ROUNDS rounds of
PAIRS mixes each; the figure is the ratio of the medians of the rounds' times.
Prints what it measured; asserts nothing.

With --only, one side alone mixes PAIRS pairs once, after the same set-up, for a
timer of whole commands that runs the two in turn (A B A B ...) and takes the ratio
pair by pair; the reference then draws its own patches (Reference.patch).
"""
import statistics
import sys
import time

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.validation import make_valid

import boxmix

W, H = 640, 480


def make_samples(n, rng):
    samples = []
    for i in range(n):
        img = rng.integers(0, 256, size=(H, W, 3), dtype=np.uint8)
        objs = []
        for q in range(int(rng.integers(3, 13))):
            rings = []
            for _ in range(1 if rng.random() < 0.8 else 2):
                cx, cy = rng.uniform(40, W - 40), rng.uniform(40, H - 40)
                r = rng.uniform(10, 90)
                m = int(rng.integers(12, 41))
                t = np.sort(rng.uniform(0, 2 * np.pi, m))
                rr = r * rng.uniform(0.55, 1.0, m)
                xs = np.clip(cx + rr * np.cos(t), 0, W)
                ys = np.clip(cy + rr * np.sin(t), 0, H)
                rings.append([round(float(v), 2) for xy in zip(xs, ys) for v in xy])
            area = sum(abs(Polygon(list(zip(r[::2], r[1::2]))).area) for r in rings)
            xs = [v for r in rings for v in r[::2]]
            ys = [v for r in rings for v in r[1::2]]
            objs.append({"id": i * 100 + q + 1, "category_id": int(rng.integers(1, 6)),
                         "bbox": [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)],
                         "area": area, "iscrowd": int(rng.random() < 0.1),
                         "segmentation": rings})
        samples.append(boxmix.Sample(image=img, objects=objs, info={"id": i + 1}))
    return samples


class Reference:
    """CutMix with NumPy and Shapely, boxmix's rules."""

    def __init__(self, seed, min_visibility=0.1, min_area=0.0, min_size=2.0):
        self.rng = np.random.default_rng(seed)
        self.min_visibility, self.min_area, self.min_size = min_visibility, min_area, min_size

    def patch(self, w, h):
        lam = self.rng.beta(1.0, 1.0)
        pw, ph = int(w * np.sqrt(1 - lam)), int(h * np.sqrt(1 - lam))
        cx, cy = self.rng.uniform(0, w), self.rng.uniform(0, h)
        x0, y0 = int(np.clip(cx - pw / 2, 0, w)), int(np.clip(cy - ph / 2, 0, h))
        x1, y1 = int(np.clip(cx + pw / 2, 0, w)), int(np.clip(cy + ph / 2, 0, h))
        return x0, y0, x1 - x0, y1 - y0

    def decide(self, obj, rect, inside, origin):
        x, y, w, h = rect
        patch = box(x, y, x + w, y + h)
        bx, by, bw, bh = obj["bbox"]
        touches = bx < x + w and x < bx + bw and by < y + h and y < by + bh
        if not touches:
            if inside:
                return None
            return dict(obj, boxmix={"from": origin, "visibility": 1.0,
                                     "source_annotation_id": obj["id"]})
        pieces, visible, original = [], 0.0, 0.0
        for ring in obj["segmentation"]:
            poly = Polygon(list(zip(ring[::2], ring[1::2])))
            if not poly.is_valid:
                poly = make_valid(poly)
            original += poly.area
            part = poly.intersection(patch) if inside else poly.difference(patch)
            geoms = part.geoms if hasattr(part, "geoms") else [part]
            for g in geoms:
                if isinstance(g, Polygon) and g.area > 0:
                    visible += g.area
                    pieces.append([round(float(v), 6) for xy in g.exterior.coords[:-1]
                                   for v in xy])
        if not pieces:
            return None
        vis = visible / original if original > 0 else 0.0
        xs = [v for p in pieces for v in p[::2]]
        ys = [v for p in pieces for v in p[1::2]]
        nb = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
        if not obj["iscrowd"] and (vis < self.min_visibility or visible < self.min_area or
                                   nb[2] < self.min_size or nb[3] < self.min_size):
            return None
        return dict(obj, bbox=nb, area=visible, segmentation=pieces,
                    boxmix={"from": origin, "visibility": vis,
                            "source_annotation_id": obj["id"]})

    def cutmix(self, a_img, a_objs, b_img, b_objs, patch=None):
        h, w = a_img.shape[:2]
        x, y, pw, ph = self.patch(w, h) if patch is None else patch
        out = a_img.copy()
        out[y:y + ph, x:x + pw] = b_img[y:y + ph, x:x + pw]
        objs = []
        for o in a_objs:
            d = self.decide(o, (x, y, pw, ph), False, "base")
            if d is not None:
                objs.append(d)
        for o in b_objs:
            d = self.decide(o, (x, y, pw, ph), True, "source")
            if d is not None:
                objs.append(d)
        return out, objs, {"patch": [x, y, pw, ph], "lambda": 1 - pw * ph / (w * h)}


def only(side, pairs):
    samples = make_samples(32, np.random.default_rng(2026))
    plain = [(s.image, s.objects) for s in samples]
    n = len(samples)
    order = [(k % n, (k * 7 + 3) % n) for k in range(pairs)]
    kept = 0
    t0 = time.perf_counter()
    if side == "boxmix":
        for k, (i, j) in enumerate(order):
            kept += len(boxmix.cutmix(samples[i], samples[j], seed=1, index=k)[0].objects)
    else:
        ref = Reference(1)
        for i, j in order:
            kept += len(ref.cutmix(plain[i][0], plain[i][1], plain[j][0], plain[j][1])[1])
    t = time.perf_counter() - t0
    print("bench_python --only %s: %d mixes in %.3f s (%.3f ms per mix), %d objects kept"
          % (side, pairs, t, t * 1e3 / pairs, kept))


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--only" and sys.argv[2] in ("boxmix", "reference"):
        only(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 200)
        return
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    rng = np.random.default_rng(2026)
    samples = make_samples(32, rng)
    plain = [(s.image, s.objects) for s in samples]  # the reference's inputs: plain data
    n = len(samples)
    order = [(k % n, (k * 7 + 3) % n) for k in range(pairs)]
    n_objects = sum(len(samples[i].objects) for i, _ in order)

    def run_boxmix():
        kept = 0
        for k, (i, j) in enumerate(order):
            out, record = boxmix.cutmix(samples[i], samples[j], seed=1, index=k)
            kept += len(out.objects)
        return kept

    ref = Reference(1)
    # The reference mixes with boxmix's patches (its own draw is kept for use on its
    # own): the same geometry on both sides, so the kept counts compare too.
    patches = [boxmix.cutmix(samples[i], samples[j], seed=1, index=k)[1]["patch"]
               for k, (i, j) in enumerate(order)]

    def run_reference():
        kept = 0
        for (i, j), p in zip(order, patches):
            img, objs, record = ref.cutmix(plain[i][0], plain[i][1], plain[j][0], plain[j][1], p)
            kept += len(objs)
        return kept

    run_boxmix()
    run_reference()  # warm up both
    tb, tr = [], []
    kb = kr = 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        kb = run_boxmix()
        t1 = time.perf_counter()
        kr = run_reference()
        t2 = time.perf_counter()
        tb.append(t1 - t0)
        tr.append(t2 - t1)
    mb, mr = statistics.median(tb), statistics.median(tr)
    print("bench_python: %d pairs of decoded %dx%d samples, %d base objects (polygons), "
          "%d rounds, turns taken" % (pairs, W, H, n_objects, rounds))
    print("  boxmix.cutmix (+ out.objects):  median %.1f ms per round, %.3f ms per mix, "
          "%d objects kept" % (mb * 1e3, mb * 1e3 / pairs, kb))
    print("  NumPy + Shapely %s reference:  median %.1f ms per round, %.3f ms per mix, "
          "%d objects kept" % (shapely.__version__, mr * 1e3, mr * 1e3 / pairs, kr))
    print("  ratio: boxmix is %.1fx faster (reference median / boxmix median)" % (mr / mb))


if __name__ == "__main__":
    main()
