#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the bad-input corpus of tests/bad/ (run by hand; its outputs are committed).

Usage: make_bad.py [SOURCE_ROOT]   (default: two folders up from this file)

Every case is a folder tests/bad/<name>/ holding the inputs of one tool run; the
manifest tests/bad/cases.tsv (written by hand) says how to run it and what must
happen. Shared valid images live in tests/bad/common/images/. Everything is made
with zlib and struct only, deterministically: running this twice gives the same
bytes. The JPEG cases that need a real encoder's entropy-coded data are cut from
samples/images/sample_01.jpg.

Inputs that cannot or should not be committed (a 10^6-vertex polygon, 100000-deep
nesting, a sparse 65 MB XML, named pipes) are made at test time by e2e_bad.py in its
copy of the case folder, through RUNTIME: name -> function(case_dir).
"""
import json
import math
import os
import shutil
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- images


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(w, h, color_type=2):
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0))


def png_rgb(w, h, seed=0):
    """A valid 8-bit RGB PNG of coloured tiles."""
    rows = []
    for y in range(h):
        row = bytearray([0])
        for x in range(w):
            bx, by = x // 8, y // 8  # flat 8x8 tiles: small files, a visible cut
            row += bytes(((bx * 40 + seed * 70) & 255, (by * 50 + seed * 30) & 255, ((bx + by) * 30) & 255))
        rows.append(bytes(row))
    idat = zlib.compress(b"".join(rows), 9)
    return png_header(w, h) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def jpeg_segment(marker, payload):
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_gray(w, h, sof_components=1, blocks=None):
    """A minimal baseline greyscale JPEG: every 8x8 block is flat mid-grey.

    One quantisation table of ones; one DC and one AC Huffman table, each with a
    single 1-bit code (DC: category 0; AC: end of block), so a block is the two bits
    "00". `blocks` overrides how many blocks the scan holds (fewer: truncated data).
    """
    dqt = jpeg_segment(0xDB, b"\x00" + b"\x01" * 64)
    sof = jpeg_segment(0xC0, struct.pack(">BHHB", 8, h, w, sof_components) +
                       b"".join(bytes([i + 1, 0x11, 0]) for i in range(sof_components)))
    bits = b"\x01" + b"\x00" * 15
    dht = jpeg_segment(0xC4, b"\x00" + bits + b"\x00") + jpeg_segment(0xC4, b"\x10" + bits + b"\x00")
    sos = jpeg_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    if blocks is None:
        blocks = ((w + 7) // 8) * ((h + 7) // 8)
    nbits = 2 * blocks
    data = bytearray(b"\x00" * (nbits // 8))
    if nbits % 8:
        data.append((1 << (8 - nbits % 8)) - 1)  # pad the last byte with ones
    return b"\xff\xd8" + dqt + sof + dht + sos + bytes(data) + b"\xff\xd9"


def jpeg_markers(data):
    """(marker, offset) of each segment before the scan."""
    out, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        out.append((marker, i))
        if marker == 0xDA:
            break
        i += 2 + struct.unpack(">H", data[i + 2:i + 4])[0]
    return out


# ---------------------------------------------------------------- COCO

COMMON_IMAGES = [
    {"id": 1, "file_name": "a.png", "width": 64, "height": 48},
    {"id": 2, "file_name": "b.png", "width": 64, "height": 48},
    {"id": 3, "file_name": "s.png", "width": 10, "height": 10},
]
GOOD_ANN = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [4, 4, 20, 20], "area": 400,
            "iscrowd": 0, "segmentation": [[4, 4, 24, 4, 24, 24, 4, 24]]}
LAST_ANN = {"id": 3, "image_id": 2, "category_id": 2, "bbox": [30, 10, 20, 20], "area": 400,
            "iscrowd": 0}
CATEGORIES = [{"id": 1, "name": "square", "supercategory": "shape"},
              {"id": 2, "name": "box", "supercategory": "shape"}]
HOLE = "@@HOLE@@"


def coco(bad_ann=None, images=None, categories=None, extra=None):
    """A COCO dict whose annotations[1] is `bad_ann` (a dict; may hold HOLE)."""
    anns = [dict(GOOD_ANN)]
    if bad_ann is not None:
        anns.append(bad_ann)
    anns.append(dict(LAST_ANN))
    d = {"images": images if images is not None else [dict(i) for i in COMMON_IMAGES],
         "annotations": anns,
         "categories": categories if categories is not None else [dict(c) for c in CATEGORIES]}
    if extra:
        d.update(extra)
    return d


def coco_bytes(d, hole=None):
    """JSON text of `d`, the string "@@HOLE@@" replaced by the raw bytes `hole`."""
    text = json.dumps(d, indent=1).encode("ascii")
    if hole is not None:
        assert text.count(b'"' + HOLE.encode() + b'"') == 1
        text = text.replace(b'"' + HOLE.encode() + b'"', hole)
    return text


def ann(**kw):
    a = {"id": 2, "image_id": 1, "category_id": 2, "bbox": [30, 20, 10, 10], "area": 100,
         "iscrowd": 0}
    a.update(kw)
    return a


def rle_string(counts):
    """The COCO API's compressed RLE string of `counts` (runs from the third on are
    stored as differences with the run two before; 5-bit groups, 0x20 = more)."""
    out = bytearray()
    for i, c in enumerate(counts):
        x = c - counts[i - 2] if i > 2 else c
        more = True
        while more:
            g = x & 0x1F
            x >>= 5
            more = (x != -1) if (g & 0x10) else (x != 0)
            if more:
                g |= 0x20
            out.append(g + 48)
    return out.decode("ascii")


# ---------------------------------------------------------------- VOC


def voc_xml(filename, w, h, objects, head=b"", size=None):
    """A VOC annotation; objects: (name, xmin, ymin, xmax, ymax) as text, or raw bytes."""
    parts = [head, b"<annotation>\n  <folder>bad</folder>\n  <filename>%s</filename>\n" % filename]
    if size is None:
        size = (b"  <size>\n    <width>%s</width>\n    <height>%s</height>\n"
                b"    <depth>3</depth>\n  </size>\n" % (str(w).encode(), str(h).encode()))
    parts.append(size)
    parts.append(b"  <segmented>0</segmented>\n")
    for o in objects:
        if isinstance(o, bytes):
            parts.append(o)
            continue
        name, x0, y0, x1, y1 = (v if isinstance(v, bytes) else str(v).encode() for v in o)
        parts.append(b"  <object>\n    <name>%s</name>\n    <pose>Unspecified</pose>\n"
                     b"    <truncated>0</truncated>\n    <difficult>0</difficult>\n"
                     b"    <bndbox>\n      <xmin>%s</xmin>\n      <ymin>%s</ymin>\n"
                     b"      <xmax>%s</xmax>\n      <ymax>%s</ymax>\n    </bndbox>\n  </object>\n"
                     % (name, x0, y0, x1, y1))
    parts.append(b"</annotation>\n")
    return b"".join(parts)


GOOD_VOC_B = voc_xml(b"b.png", 64, 48, [("box", 31, 11, 50, 30)])


def voc_case(bad_xml):
    """A VOC folder: Annotations/a.xml (the bad one) and Annotations/b.xml (good)."""
    return {"voc/Annotations/a.xml": bad_xml, "voc/Annotations/b.xml": GOOD_VOC_B}


# ---------------------------------------------------------------- the cases


def build_cases(root):
    sample = open(os.path.join(root, "samples", "images", "sample_01.jpg"), "rb").read()
    cases = {}
    good_png = png_rgb(64, 48, 1)
    good_png2 = png_rgb(64, 48, 2)

    def image_case(name, bad_file, bad_bytes, w=64, h=48):
        """A COCO file over images/good.png and the bad image `bad_file` (`bad_bytes`)."""
        rec = {"id": 2, "file_name": bad_file, "width": w, "height": h}
        d = coco(images=[{"id": 1, "file_name": "good.png", "width": 64, "height": 48}, rec])
        d["annotations"][-1].update(bbox=[2, 2, 10, 10], area=100)
        cases[name] = {"annotations.json": coco_bytes(d), "images/good.png": good_png}
        if bad_bytes is not None:  # None: made at test time
            cases[name]["images/" + bad_file] = bad_bytes

    # --- COCO JSON text
    cases["coco-empty-file"] = {"annotations.json": b""}
    full = coco_bytes(coco(ann()))
    cases["coco-truncated"] = {"annotations.json": full[:len(full) * 2 // 3]}
    cases["coco-nan"] = {"annotations.json": coco_bytes(coco(ann(bbox=HOLE)), b"[NaN, 20, 10, 10]")}
    cases["coco-infinity"] = {"annotations.json": coco_bytes(coco(ann(area=HOLE)), b"Infinity")}
    cases["coco-top-level-array"] = {"annotations.json": b"[" + full + b"]\n"}
    cases["coco-duplicate-key-annotation"] = {"annotations.json": coco_bytes(
        coco(ann(bbox=HOLE)), b'[30, 20, 10, 10], "bbox": [1, 1, 5, 5]')}
    d = coco(ann())
    text = coco_bytes(d)
    cases["coco-duplicate-key-top"] = {"annotations.json": text[:-2] + b',\n "images": []\n}'}
    cases["coco-deep-nesting-top"] = {"README": b"annotations.json: made at test time by make_bad.py\n"}
    cases["coco-deep-nesting-annotation"] = {"README": b"annotations.json: made at test time by make_bad.py\n"}
    # raw NUL and SOH bytes between tokens (not JSON whitespace)
    cases["coco-nul-byte"] = {"annotations.json": text.replace(b'"images": [', b'"images":\x00\x01 [', 1)}
    cases["coco-huge-digits"] = {"annotations.json": coco_bytes(
        coco(ann(area=HOLE)), b"1" + b"0" * 400)}
    cases["coco-raw-control-char"] = {"annotations.json": coco_bytes(
        coco(categories=[{"id": 1, "name": HOLE}, {"id": 2, "name": "box"}]), b'"squ\x01are"')}

    # --- UTF-8 and strings
    cases["coco-utf8-category-name"] = {"annotations.json": coco_bytes(
        coco(ann(), categories=[{"id": 1, "name": "square"}, {"id": 2, "name": HOLE}]),
        b'"b\xffox\xc3("')}
    imgs = [dict(i) for i in COMMON_IMAGES]
    imgs[1]["file_name"] = HOLE
    cases["coco-utf8-file-name"] = {"annotations.json": coco_bytes(coco(ann(), images=imgs),
                                                                   b'"b\xe9.png"')}
    cases["coco-utf8-overlong-dotdot"] = {"annotations.json": coco_bytes(
        coco(ann(), images=imgs), b'"\xc0\xae\xc0\xae\xc0\xafb.png"')}
    cases["coco-lone-surrogate"] = {"annotations.json": coco_bytes(
        coco(ann(), categories=[{"id": 1, "name": "square"}, {"id": 2, "name": HOLE}]),
        b'"box\\ud800"')}
    cases["coco-nul-in-file-name"] = {"annotations.json": coco_bytes(
        coco(ann(), images=imgs), b'"b.png\\u0000.jpg"')}

    # --- numbers and sizes
    cases["coco-bbox-1e308"] = {"annotations.json": coco_bytes(coco(ann(bbox=HOLE)),
                                                               b"[1e308, 1e308, 10, 10]")}
    cases["coco-bbox-size-1e308"] = {"annotations.json": coco_bytes(
        coco(ann(bbox=HOLE)), b"[0, 0, 1e308, 1e308]")}
    cases["coco-bbox-1e999"] = {"annotations.json": coco_bytes(coco(ann(bbox=HOLE)), b"[30, 20, 1e999, 10]")}
    cases["coco-bbox-negative"] = {"annotations.json": coco_bytes(coco(ann(bbox=[40, 30, -10, -10])))}
    imgs = [dict(i) for i in COMMON_IMAGES]
    imgs[1]["width"] = -64
    cases["coco-image-width-negative"] = {"annotations.json": coco_bytes(coco(ann(), images=imgs))}
    imgs = [dict(i) for i in COMMON_IMAGES]
    imgs[1]["height"] = 48.5
    cases["coco-image-height-fraction"] = {"annotations.json": coco_bytes(coco(ann(), images=imgs))}
    imgs = [dict(i) for i in COMMON_IMAGES]
    imgs[0]["width"] = imgs[0]["height"] = 65535
    cases["coco-image-size-65535"] = {"annotations.json": coco_bytes(coco(ann(), images=imgs))}
    cases["coco-id-1e300"] = {"annotations.json": coco_bytes(coco(ann(id=HOLE)), b"1e300")}

    # --- polygons
    cases["poly-odd-count"] = {"annotations.json": coco_bytes(coco(ann(segmentation=[[30, 20, 40, 20, 40]])))}
    cases["poly-two-points"] = {"annotations.json": coco_bytes(coco(ann(segmentation=[[30, 20, 40, 30]])))}
    cases["poly-empty-ring"] = {"annotations.json": coco_bytes(
        coco(ann(segmentation=[[30, 20, 40, 20, 40, 30], []])))}
    cases["poly-1e999"] = {"annotations.json": coco_bytes(
        coco(ann(segmentation=HOLE)), b"[[30, 20, 1e999, 20, 40, 30]]")}
    cases["poly-1e308"] = {"annotations.json": coco_bytes(
        coco(ann(segmentation=HOLE)), b"[[0, 0, 1e308, 0, 1e308, 1e308, 0, 1e308]]")}
    cases["poly-nested-ring"] = {"annotations.json": coco_bytes(
        coco(ann(segmentation=[[[30, 20, 40, 20, 40, 30]]])))}
    cases["poly-strings"] = {"annotations.json": coco_bytes(
        coco(ann(segmentation=[["30", "20", "40", "20", "40", "30"]])))}
    cases["poly-million-vertices"] = {"README": b"annotations.json: made at test time by make_bad.py\n"}

    # --- RLE
    def rle_ann(size, counts, image_id=1):
        a = ann(image_id=image_id, iscrowd=1, segmentation={"size": size, "counts": counts})
        if image_id == 3:  # s.png, 10x10
            a.update(bbox=[2, 2, 5, 5], area=25)
        return a

    cases["rle-size-40000"] = {"annotations.json": coco_bytes(coco(rle_ann([40000, 40000], "0")))}
    cases["rle-run-1e9-array"] = {"annotations.json": coco_bytes(coco(rle_ann([48, 64], [0, 1000000000])))}
    cases["rle-run-1e9-string"] = {"annotations.json": coco_bytes(
        coco(rle_ann([10, 10], rle_string([0, 1000000000]), image_id=3)))}
    # 101 + 4294967295 == 100 (mod 2^32): a 32-bit sum would accept it
    cases["rle-run-4294967295"] = {"annotations.json": coco_bytes(
        coco(rle_ann([10, 10], [101, 4294967295], image_id=3)))}
    # read as a double the middle run is 2^64, which fits no uint64; 1 + 2^64 + 99 wraps
    # to 100 = 10x10 in 64-bit arithmetic
    cases["rle-run-2pow64"] = {"annotations.json": coco_bytes(
        coco(rle_ann([10, 10], HOLE, image_id=3)), b"[1, 18446744073709551615, 99]")}
    cases["rle-run-negative"] = {"annotations.json": coco_bytes(
        coco(rle_ann([10, 10], [50, -10, 60], image_id=3)))}
    cases["rle-run-fraction"] = {"annotations.json": coco_bytes(
        coco(rle_ann([10, 10], [50.5, 49.5], image_id=3)))}
    cases["rle-runs-short"] = {"annotations.json": coco_bytes(
        coco(rle_ann([10, 10], [10, 20, 30], image_id=3)))}
    cases["rle-string-bad-chars"] = {"annotations.json": coco_bytes(
        coco(rle_ann([10, 10], "12!~", image_id=3)))}
    cases["rle-string-overflow"] = {"annotations.json": coco_bytes(
        coco(rle_ann([10, 10], "o" * 16 + "1", image_id=3)))}
    # a negative run: 10, 20, then 10 + (-30) = -20, then the rest
    cases["rle-string-negative"] = {"annotations.json": coco_bytes(
        coco(rle_ann([10, 10], rle_string([10, 20, -20, 90]), image_id=3)))}
    cases["rle-string-unterminated"] = {"annotations.json": coco_bytes(
        coco(rle_ann([10, 10], "0P", image_id=3)))}
    cases["rle-size-negative"] = {"annotations.json": coco_bytes(
        coco(rle_ann([-10, -10], [100], image_id=3)))}

    # a valid all-zero RLE of 40000 x 40000 = 1.6e9 pixels on images whose records claim
    # that size (beyond --max-pixels; the files are 64x48)
    big = [{"id": 1, "file_name": "a.png", "width": 40000, "height": 40000},
           {"id": 2, "file_name": "b.png", "width": 40000, "height": 40000}]
    d = coco(images=big)
    d["annotations"] = [ann(id=k, image_id=k, iscrowd=1, bbox=[0, 0, 40000, 40000], area=0,
                            segmentation={"size": [40000, 40000], "counts": [1600000000]})
                        for k in (1, 2)]
    cases["rle-1600mpx-dry-run"] = {"annotations.json": coco_bytes(d)}

    # --- images behind a valid COCO file
    image_case("img-zero-byte-png", "bad.png", b"")
    image_case("img-not-an-image", "bad.jpg", b"this is not a JPEG file\n")
    image_case("img-jpeg-truncated", "bad.jpg", sample[:len(sample) * 2 // 5], 320, 240)
    sof = dict(jpeg_markers(sample))[0xC0]
    image_case("img-jpeg-headers-only", "bad.jpg", sample[:sof + 19], 320, 240)
    # the records say 64x48: only the header tells the size
    image_case("img-jpeg-65535", "bad.jpg", jpeg_gray(65535, 65535, blocks=8))
    image_case("img-jpeg-zero-components", "bad.jpg", jpeg_gray(64, 48, sof_components=0))
    dht_broken = bytearray(jpeg_gray(64, 48))
    i = bytes(dht_broken).index(b"\xff\xc4")
    dht_broken[i + 5:i + 21] = b"\xff" * 16  # 4080 codes claimed in a 19-byte table
    image_case("img-jpeg-bad-huffman", "bad.jpg", bytes(dht_broken))
    image_case("img-jpeg-short-scan", "bad.jpg", jpeg_gray(64, 48, blocks=5))
    image_case("img-png-truncated", "bad.png", good_png2[:len(good_png2) // 2])
    idat = zlib.compress(b"\x00" * (64 * 3 + 1) * 48)
    bad_idat = bytes(b ^ 0x5A for b in idat)
    image_case("img-png-bad-zlib", "bad.png", png_header(64, 48) + png_chunk(b"IDAT", bad_idat) +
               png_chunk(b"IEND", b""))
    # 65535 x 65535 RGB: 12.9 GB of pixels claimed by a 100-byte file
    tiny = zlib.compress(b"\x00" * 64)
    png_65535 = png_header(65535, 65535) + png_chunk(b"IDAT", tiny) + png_chunk(b"IEND", b"")
    image_case("img-png-65535", "bad.png", png_65535)
    image_case("img-png-65535-record", "bad.png", png_65535, 65535, 65535)
    image_case("img-png-zero-width", "bad.png", png_header(0, 48) + png_chunk(b"IDAT", tiny) +
               png_chunk(b"IEND", b""))
    image_case("img-png-huge-chunk", "bad.png", png_header(64, 48) + struct.pack(">I", 0x7FFFFFF0) +
               b"IDAT" + idat[:20])
    image_case("img-size-mismatch", "bad.png", png_rgb(10, 10, 3))
    # headers of other formats stb reads, promising 64x48 pixels; 30 bytes follow
    short = b"\x80" * 30
    image_case("img-ppm-truncated", "bad.ppm", b"P6\n64 48\n255\n" + short)
    image_case("img-bmp-truncated", "bad.bmp", b"BM" + struct.pack("<IHHI", 54 + 30, 0, 0, 54) +
               struct.pack("<IiiHHIIiiII", 40, 64, 48, 1, 24, 0, 0, 0, 0, 0, 0) + short)
    image_case("img-tga-truncated", "bad.tga", struct.pack("<BBBHHBHHHHBB", 0, 0, 2, 0, 0, 0, 0, 0,
                                                           64, 48, 24, 0) + short)
    image_case("img-gif-truncated", "bad.gif", b"GIF89a" + struct.pack("<HH", 64, 48) +
               b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff" + b"\x2c" +
               struct.pack("<HHHH", 0, 0, 64, 48) + b"\x00" + b"\x02\x02\x44\x01")
    # a named pipe as an image, as the annotation file, as a split's XML: made at test
    # time (git keeps no FIFO); nobody ever writes to it
    image_case("img-fifo", "bad.png", None)
    cases["img-fifo"]["README"] = b"images/bad.png: a FIFO made at test time by make_bad.py\n"
    cases["coco-annotations-fifo"] = {
        "README": b"annotations.json: a FIFO made at test time by make_bad.py\n"}
    cases["voc-split-fifo"] = {"voc/Annotations/b.xml": GOOD_VOC_B,
                               "voc/ImageSets/Main/train.txt": b"a\nb\n",
                               "README": b"voc/Annotations/a.xml: a FIFO made at test time by make_bad.py\n"}

    # --- VOC XML
    def good_a(objs=None, **kw):
        return voc_xml(b"a.png", 64, 48, objs if objs is not None else [("square", 5, 5, 24, 24)], **kw)

    cases["voc-zero-byte"] = voc_case(b"")
    cases["voc-malformed"] = voc_case(good_a()[:-30] + b"<object><name>x</nme>\n")
    cases["voc-missing-bndbox"] = voc_case(good_a([b"  <object>\n    <name>square</name>\n  </object>\n"]))
    cases["voc-xmax-lt-xmin"] = voc_case(good_a([("square", 30, 5, 10, 24)]))
    cases["voc-box-outside"] = voc_case(good_a([("square", 5, 5, 640, 480)]))
    cases["voc-nonnumeric"] = voc_case(good_a([("square", 5, b"five", 24, 24)]))
    cases["voc-nan"] = voc_case(good_a([("square", 5, 5, b"nan", 24)]))
    cases["voc-1e308"] = voc_case(good_a([("square", 5, 5, 24, b"1e308")]))
    cases["voc-huge-integer"] = voc_case(good_a([("square", 5, 5, b"99999999999999999999", 24)]))
    cases["voc-negative-size"] = voc_case(good_a(size=b"  <size><width>-64</width><height>48</height>"
                                                      b"<depth>3</depth></size>\n"))
    cases["voc-size-65535"] = voc_case(good_a(size=b"  <size><width>65535</width><height>65535</height>"
                                                    b"<depth>3</depth></size>\n"))
    cases["voc-utf8-name"] = voc_case(good_a([(b"squ\xffare", 5, 5, 24, 24)]))
    cases["voc-duplicate-xmin"] = voc_case(good_a([
        b"  <object>\n    <name>square</name>\n    <bndbox><xmin>5</xmin><xmin>7</xmin>"
        b"<ymin>5</ymin><xmax>24</xmax><ymax>24</ymax></bndbox>\n  </object>\n"]))
    laughs = [b'<!DOCTYPE annotation [\n <!ENTITY l0 "ha">\n']
    for k in range(1, 10):
        laughs.append(b' <!ENTITY l%d "%s">\n' % (k, b"&l%d;" % (k - 1) * 10))
    laughs.append(b"]>\n")
    cases["voc-billion-laughs"] = voc_case(good_a([("&l9;", 5, 5, 24, 24)], head=b"".join(laughs)))
    cases["voc-external-entity"] = voc_case(good_a(
        [("&xxe;", 5, 5, 24, 24)],
        head=b'<!DOCTYPE annotation [\n <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'))
    cases["voc-file-too-large"] = {"voc/Annotations/b.xml": GOOD_VOC_B,
                                   "voc/Annotations/a.xml": b"",
                                   "README": b"voc/Annotations/a.xml: made 65 MB (sparse) at test time\n"}
    cases["voc-deep-nesting"] = {"voc/Annotations/b.xml": GOOD_VOC_B,
                                 "README": b"voc/Annotations/a.xml: made at test time by make_bad.py\n"}

    # --- YOLO (Ultralytics): a data.yaml over images/train/a.png (64x48) and its
    # label file labels/train/a.txt
    yaml_ok = b"train: images/train\nval: images/train\nnc: 2\nnames: [square, disc]\n"

    def yolo_case(label, yaml=yaml_ok):
        return {"data.yaml": yaml, "images/train/a.png": good_png, "labels/train/a.txt": label}
    cases["yolo-odd-count"] = yolo_case(b"0 0.5 0.5 0.2 0.2 0.3\n")
    cases["yolo-nan"] = yolo_case(b"0 0.5 0.5 0.2 0.2\n1 nan 0.5 0.2 0.2\n")
    cases["yolo-class-range"] = yolo_case(b"0 0.5 0.5 0.2 0.2\n\n7 0.5 0.5 0.2 0.2\n")
    cases["yolo-far-outside"] = yolo_case(b"0 0.1 0.1 0.5 0.1 0.5 0.5\n1 0.1 0.1 3.5 0.1 0.5 0.5\n")
    cases["yolo-crlf-bom"] = yolo_case(b"\xef\xbb\xbf0 0.5 0.5 0.2 0.2\r\n1 0.25 0.3 0.1 0.2\r\n")
    bomb = [b"a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
    for k in range(1, 10):
        bomb.append(b"a%d: &a%d [%s]\n" % (k, k, b", ".join([b"*a%d" % (k - 1)] * 9)))
    cases["yolo-yaml-bomb"] = yolo_case(b"0 0.5 0.5 0.2 0.2\n",
                                        yaml_ok + b"".join(bomb) + b"extra: *a9\n")
    cases["yolo-names-missing"] = yolo_case(b"0 0.5 0.5 0.2 0.2\n",
                                            b"train: images/train\nval: images/train\nnc: 2\n")
    cases["yolo-train-outside"] = {
        "ds/data.yaml": b"train: ../elsewhere/images\nnames: [square, disc]\n",
        "elsewhere/images/a.png": good_png, "elsewhere/labels/a.txt": b"0 0.5 0.5 0.2 0.2\n"}

    # --- boxmix-merge: a shard whose annotations.json is cut short
    cases["merge-shard-truncated"] = {"shard0/annotations.json": full[:100],
                                      "shard1/annotations.json": full}
    return cases


# ---------------------------------------------------------------- made at test time


def _deep_top(case_dir):
    d = coco(ann())
    text = coco_bytes(d)
    # an unknown top-level key holding 100000 nested arrays
    body = b'"extra": ' + b"[" * 100000 + b"]" * 100000
    with open(os.path.join(case_dir, "annotations.json"), "wb") as f:
        f.write(text[:-2] + b",\n " + body + b"\n}")


def _deep_annotation(case_dir):
    text = coco_bytes(coco(ann(extra=HOLE)), b'{"a": ' * 100000 + b"1" + b"}" * 100000)
    with open(os.path.join(case_dir, "annotations.json"), "wb") as f:
        f.write(text)


def _million_vertices(case_dir):
    # a star-ish polygon with 10^6 vertices inside [30, 50] x [20, 40] of a.png
    n = 1000000
    parts, pts = [], []
    for k in range(n):
        t = 2 * math.pi * k / n
        r = 10 if k % 2 == 0 else 9
        x, y = round(40 + r * math.cos(t), 2), round(30 + r * math.sin(t), 2)
        parts.append("%.2f,%.2f" % (x, y))
        pts.append((x, y))
    area = abs(sum(pts[k][0] * pts[k - 1][1] - pts[k - 1][0] * pts[k][1] for k in range(n))) / 2
    ring = b"[[" + ",".join(parts).encode() + b"]]"
    text = coco_bytes(coco(ann(bbox=[30, 20, 20, 20], area=area, segmentation=HOLE)), ring)
    with open(os.path.join(case_dir, "annotations.json"), "wb") as f:
        f.write(text)


def _deep_voc(case_dir):
    path = os.path.join(case_dir, "voc", "Annotations", "a.xml")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    nest = b"<x>" * 100000 + b"</x>" * 100000
    xml = voc_xml(b"a.png", 64, 48, [("square", 5, 5, 24, 24), nest])
    with open(path, "wb") as f:
        f.write(xml)


def _fifo(rel):
    def make(case_dir):
        path = os.path.join(case_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.mkfifo(path)
    return make


def _voc_sparse(case_dir):
    # 65 MB, nearly all of it a hole: past the 64 MB limit, refused before reading
    path = os.path.join(case_dir, "voc", "Annotations", "a.xml")
    with open(path, "wb") as f:
        f.write(b"<annotation>")
        f.truncate(65 << 20)


RUNTIME = {
    "voc-file-too-large": _voc_sparse,
    "img-fifo": _fifo("images/bad.png"),
    "coco-annotations-fifo": _fifo("annotations.json"),
    "voc-split-fifo": _fifo("voc/Annotations/a.xml"),
    "coco-deep-nesting-top": _deep_top,
    "coco-deep-nesting-annotation": _deep_annotation,
    "poly-million-vertices": _million_vertices,
    "voc-deep-nesting": _deep_voc,
}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(HERE))
    common = os.path.join(HERE, "common", "images")
    os.makedirs(common, exist_ok=True)
    for name, data in (("a.png", png_rgb(64, 48, 1)), ("b.png", png_rgb(64, 48, 2)),
                       ("s.png", png_rgb(10, 10, 3))):
        with open(os.path.join(common, name), "wb") as f:
            f.write(data)
    cases = build_cases(root)
    for name, files in sorted(cases.items()):
        case_dir = os.path.join(HERE, name)
        if os.path.isdir(case_dir):
            shutil.rmtree(case_dir)
        for rel, data in sorted(files.items()):
            path = os.path.join(case_dir, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
    print("wrote %d cases under %s" % (len(cases), HERE))


if __name__ == "__main__":
    main()
