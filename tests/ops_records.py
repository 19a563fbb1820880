#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Hand-made outputs of every operation of the CutMix family, carrying exactly the
records boxmix-augment writes (the image's and each annotation's `boxmix` field, the
decision log's lines), for the tests of the tools that read them (boxmix-draw,
boxmix-check, the schemas) while the operations themselves are built elsewhere.

    ops_dataset()        the COCO document: one image per operation, 120 x 80
                         (Mosaic 120 x 120), grey
    write_dataset(dir)   it and its grey PNG images into dir (annotations.json, images/)
    decision_lines()     decision log lines of these outputs (input, from "tile")
    recipe()             a recipe naming every operation and parameter

Standard library only.
"""
import json
import os
import struct
import zlib

GREY = 128
SIZES = {"cutout": (120, 80), "mixup": (120, 80), "mosaic": (120, 120),
         "copypaste": (120, 80), "cutmix_object": (120, 80), "cutmix": (120, 80)}


def square(x0, y0, x1, y1):
    return [[x0, y0, x1, y0, x1, y1, x0, y1]]


def ann(aid, image_id, cat, bbox, boxmix, seg=None):
    a = {"id": aid, "image_id": image_id, "category_id": cat, "bbox": bbox,
         "area": float(bbox[2] * bbox[3]), "iscrowd": 0}
    if seg is not None:
        a["segmentation"] = seg
    a["boxmix"] = boxmix
    return a


def ops_dataset():
    """One output per operation, ids 1..6, in the records' key order."""
    images = [
        {"id": 1, "file_name": "cutout_000000.png", "width": 120, "height": 80,
         "boxmix": {"op": "cutout", "index": 0, "base_image_id": 11,
                    "holes": [[10, 10, 30, 20], [60, 40, 20, 20]], "fill": "constant",
                    "fill_rgb": [0, 0, 0], "lambda": 0.895833, "seed": 3}},
        {"id": 2, "file_name": "mixup_000001.png", "width": 120, "height": 80,
         "boxmix": {"op": "mixup", "index": 1, "base_image_id": 11, "source_image_id": 12,
                    "source_fit": "letterbox", "lambda": 0.75, "seed": 3}},
        {"id": 3, "file_name": "mosaic_000002.png", "width": 120, "height": 120,
         "boxmix": {"op": "mosaic", "index": 2, "base_image_id": 11, "mosaic_size": 120,
                    "centre": [150, 130],
                    "tiles": [{"image_id": 11, "rect": [0, 0, 90, 70], "scale": 0.5},
                              {"image_id": 12, "rect": [90, 0, 30, 70], "scale": 1.0},
                              {"image_id": 13, "rect": [0, 70, 90, 50], "scale": 0.75},
                              {"image_id": 14, "rect": [90, 70, 30, 50], "scale": 1.5}],
                    "seed": 3}},
        {"id": 4, "file_name": "copypaste_000003.png", "width": 120, "height": 80,
         "boxmix": {"op": "copypaste", "index": 3, "base_image_id": 11, "source_image_id": 12,
                    "source_fit": "resize", "pasted_annotation_ids": [7], "seed": 3}},
        {"id": 5, "file_name": "cutmix_000004.png", "width": 120, "height": 80,
         "boxmix": {"op": "cutmix", "index": 4, "base_image_id": 11, "source_image_id": 12,
                    "patch": [30, 20, 40, 30], "lambda": 0.875, "source_fit": "crop",
                    "source_rect": [5, 6, 40, 30], "placement": "source-object",
                    "anchor_annotation_id": 5, "seed": 3}},
        {"id": 6, "file_name": "cutmix_000005.png", "width": 120, "height": 80,
         "boxmix": {"op": "cutmix", "index": 5, "base_image_id": 12, "source_image_id": 11,
                    "patch": [0, 0, 10, 10], "lambda": 0.989583, "source_fit": "letterbox",
                    "placement": "source-object", "anchor_annotation_id": None, "seed": 3}},
    ]
    anns = [
        # CutOut: a base object half under a hole.
        ann(1, 1, 1, [90, 10, 20, 20], {"from": "base", "visibility": 0.5,
                                         "source_annotation_id": 101}),
        # MixUp: both inputs' objects, with their weights.
        ann(2, 2, 1, [20, 30, 30, 30], {"from": "base", "visibility": 1,
                                         "source_annotation_id": 102, "weight": 0.75}),
        ann(3, 2, 2, [70, 30, 30, 30], {"from": "source", "visibility": 1,
                                         "source_annotation_id": 103, "weight": 0.25}),
        # Mosaic: tiles 0 and 3.
        ann(4, 3, 1, [10, 10, 30, 30], {"from": "tile", "visibility": 1,
                                         "source_annotation_id": 104, "tile": 0}),
        ann(5, 3, 2, [100, 95, 15, 15], {"from": "tile", "visibility": 0.6,
                                         "source_annotation_id": 105, "tile": 3}),
        # Copy-Paste: the pasted source object 7 (its mask the square 20..50) and a
        # base object whose source id is 7 too, which was not pasted.
        ann(6, 4, 1, [10, 10, 50, 50], {"from": "source", "visibility": 1,
                                         "source_annotation_id": 7}, square(20, 20, 50, 50)),
        ann(7, 4, 2, [65, 10, 50, 50], {"from": "base", "visibility": 0.9,
                                         "source_annotation_id": 7}, square(75, 20, 105, 50)),
        # Source-object CutMix: the anchor (source 5), another source object, and a
        # base object whose source id is 5 too.
        ann(8, 5, 1, [40, 25, 20, 20], {"from": "source", "visibility": 1,
                                         "source_annotation_id": 5}),
        ann(9, 5, 2, [32, 22, 6, 6], {"from": "source", "visibility": 1,
                                       "source_annotation_id": 6}),
        ann(10, 5, 1, [80, 40, 30, 30], {"from": "base", "visibility": 1,
                                          "source_annotation_id": 5}),
    ]
    cats = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    return {"images": images, "annotations": anns, "categories": cats}


def png_bytes(w, h, rgb=(GREY, GREY, GREY)):
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def write_dataset(d, doc=None):
    doc = ops_dataset() if doc is None else doc
    os.makedirs(os.path.join(d, "images"), exist_ok=True)
    for im in doc["images"]:
        with open(os.path.join(d, "images", im["file_name"]), "wb") as f:
            f.write(png_bytes(im["width"], im["height"]))
    path = os.path.join(d, "annotations.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def decision_line(output, image_id, file_name, frm, inp, sid, cat, vis, before, box,
                  decision, rule=None):
    return {"output": output, "image_id": image_id, "file_name": file_name, "from": frm,
            "input": inp, "input_image_id": 10 + inp + 1, "source_annotation_id": sid,
            "category_id": cat, "category": "ab"[cat - 1], "iscrowd": 0, "visibility": vis,
            "visible_area": 400.0 * vis, "bbox_before": before, "bbox": box,
            "decision": decision, "rule": rule}


def decision_lines():
    """The log of the outputs above: a line for each of their objects, and a
    dropped object of the Mosaic's tile 2."""
    return [
        decision_line(0, 1, "cutout_000000.png", "base", 0, 101, 1, 0.5, [90, 10, 20, 20],
                      [90, 10, 20, 20], "clipped"),
        decision_line(1, 2, "mixup_000001.png", "base", 0, 102, 1, 1, [20, 30, 30, 30],
                      [20, 30, 30, 30], "kept"),
        decision_line(1, 2, "mixup_000001.png", "source", 1, 103, 2, 1, [70, 30, 30, 30],
                      [70, 30, 30, 30], "kept"),
        decision_line(2, 3, "mosaic_000002.png", "tile", 0, 104, 1, 1, [10, 10, 30, 30],
                      [10, 10, 30, 30], "kept"),
        decision_line(2, 3, "mosaic_000002.png", "tile", 2, 106, 2, 0.05, [0, 60, 20, 20],
                      [0, 70, 20, 1], "dropped", "min_visibility"),
        decision_line(2, 3, "mosaic_000002.png", "tile", 3, 105, 2, 0.6, [100, 70, 15, 40],
                      [100, 95, 15, 15], "clipped"),
        decision_line(3, 4, "copypaste_000003.png", "base", 0, 7, 2, 0.9, [65, 10, 50, 50],
                      [65, 10, 50, 50], "clipped"),
        decision_line(3, 4, "copypaste_000003.png", "source", 1, 7, 1, 1, [10, 10, 50, 50],
                      [10, 10, 50, 50], "kept"),
        decision_line(4, 5, "cutmix_000004.png", "base", 0, 5, 1, 1, [80, 40, 30, 30],
                      [80, 40, 30, 30], "kept"),
        decision_line(4, 5, "cutmix_000004.png", "source", 1, 5, 1, 1, [40, 25, 20, 20],
                      [40, 25, 20, 20], "kept"),
        decision_line(4, 5, "cutmix_000004.png", "source", 1, 6, 2, 1, [32, 22, 6, 6],
                      [32, 22, 6, 6], "kept"),
    ]


def recipe():
    return {"operations": [
        {"op": "cutmix", "weight": 2, "alpha": 1.0, "cut_ratio": [0.2, 0.6],
         "placement": "source-object", "tries": 10, "min_visibility": 0.1, "min_area": 0,
         "min_size": 2, "mask_format": "keep", "source_fit": "crop"},
        {"op": "cutout", "weight": 1, "holes": 3, "fill": [114, 114, 114]},
        {"op": "cutout", "weight": 0.5, "fill": "noise"},
        {"op": "mixup", "weight": 1, "mix_alpha": 32, "mix_ratio": 0.5,
         "source_fit": "letterbox"},
        {"op": "mosaic", "weight": 1, "mosaic_size": 640},
        {"op": "copypaste", "weight": 1, "paste_prob": 0.5, "mask_format": "rle"},
    ]}
