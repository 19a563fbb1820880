#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write the checker's Pascal VOC test cases: one VOCdevkit-style folder per case
under tests/data/check_voc/ (Annotations/, JPEGImages/, and ImageSets/Main/ or
labels.txt where the case needs them), each with expected.txt: the exact problems
`boxmix-check --voc` must report, one "FILE: PATH: SEVERITY: MESSAGE [CODE]" line
each, in order. FILE is relative to the case folder; "{case}" stands for the case
folder in messages. cases.txt lists the cases, one a line, with the options to run
them with ("split=NAME", "labels=FILE").

The expected lines are written here by hand from the rules of lib/check.c and
lib/voc.c (the line numbers from the XML layout below), not copied from the
checker's output. Run: /usr/bin/python3 tests/data/check_voc/make_cases.py
(rewrites the cases).
"""
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def png(w, h):
    """A grey w x h PNG, written by hand."""
    raw = b"".join(b"\x00" + bytes([128]) * w for _ in range(h))

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data +
                struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def obj(name="cat", box=("11", "11", "40", "30"), difficult="0", drop=()):
    """The lines of one <object> (10 lines when complete, and 12 with the box).
    `drop` names elements to leave out: "name", "bndbox", "xmin", ..."""
    lines = ["  <object>"]
    if "name" not in drop:
        lines.append("    <name>%s</name>" % name)
    lines += ["    <pose>Unspecified</pose>",
              "    <truncated>0</truncated>",
              "    <difficult>%s</difficult>" % difficult]
    if "bndbox" not in drop:
        lines.append("    <bndbox>")
        for tag, v in zip(("xmin", "ymin", "xmax", "ymax"), box):
            if tag not in drop:
                lines.append("      <%s>%s</%s>" % (tag, v, tag))
        lines.append("    </bndbox>")
    lines.append("  </object>")
    return lines


def xml(filename="a.png", size=("100", "80"), objects=None, root="annotation", head=None):
    """A VOC XML file. The layout of a complete file (line numbers used below):
    1 <annotation>, 2 folder, 3 filename, 4 <size>, 5 width, 6 height, 7 depth,
    8 </size>, 9 segmented, 10.. the objects (12 lines each when complete), then
    </annotation> (line 34 with the base's two objects). Without filename every
    later line moves up by one; without size by five."""
    lines = list(head or []) + ["<%s>" % root, "  <folder>VOC2012</folder>"]
    if filename is not None:
        lines.append("  <filename>%s</filename>" % filename)
    if size is not None:
        lines += ["  <size>",
                  "    <width>%s</width>" % size[0],
                  "    <height>%s</height>" % size[1],
                  "    <depth>3</depth>",
                  "  </size>"]
    lines.append("  <segmented>0</segmented>")
    for o in objects if objects is not None else [obj(), obj("dog", ("51", "41", "70", "50"))]:
        lines += o
    lines.append("</%s>" % root)
    return "\n".join(lines) + "\n"


def xml_b(**kw):
    """The base's second file: b.png, 64 x 48, one cat."""
    kw.setdefault("filename", "b.png")
    kw.setdefault("size", ("64", "48"))
    kw.setdefault("objects", [obj("cat", ("5", "7", "12", "16"))])
    return xml(**kw)


CASES = []


def case(name, expected, files=None, images=None, options="", lists=None, labels=None):
    """`files`: Annotations/<name> -> text, replacing the base's a.xml and b.xml
    (None removes one); `images`: JPEGImages/<name> -> bytes (None removes one);
    `lists`: ImageSets/Main/<name> -> text; `labels`: labels.txt text."""
    ann = {"a.xml": xml(), "b.xml": xml_b()}
    ann.update(files or {})
    imgs = {"a.png": png(100, 80), "b.png": png(64, 48)}
    imgs.update(images or {})
    CASES.append((name, expected, ann, imgs, options, lists or {}, labels))


# ---- clean: the base as it is, and with a split and a labels file ----
case("clean", [], lists={"train.txt": "a\nb\n"}, labels="cat\ndog\n")
case("clean-split-labels", [], options="split=train labels=labels.txt",
     lists={"train.txt": "a\nb\n"}, labels="cat\ndog\n")

# ---- files the reader refuses: one problem each, at the file's first fault ----
case("xml-syntax",
     ["Annotations/a.xml: /: error: line 18: mismatched tag [voc-xml-syntax]"],
     files={"a.xml": xml().replace("<xmax>40</xmax>", "<xmax>40</xmx>", 1)})
case("wrong-root",
     ["Annotations/b.xml: /: error: line 1: expected the root element <annotation>, "
      "got <annotations> [voc-wrong-root]"],
     files={"b.xml": xml_b(root="annotations")})
case("entity",
     ["Annotations/a.xml: /: error: line 1: entity declarations are not supported "
      "(entity 'x') [voc-entity]"],
     files={"a.xml": xml(head=['<!DOCTYPE annotation [<!ENTITY x "y">]>'])})
# no filename: </annotation> is line 33 (34 - 1)
case("missing-filename",
     ["Annotations/a.xml: annotation/filename: error: line 33: missing filename "
      "[voc-missing-element]"],
     files={"a.xml": xml(filename=None)})
# object[2] without bndbox: lines 22..27, </object> on 27
case("missing-bndbox",
     ["Annotations/a.xml: annotation/object[2]/bndbox: error: line 27: missing bndbox "
      "[voc-missing-element]"],
     files={"a.xml": xml(objects=[obj(), obj("dog", drop=("bndbox",))])})
# object[1] without xmax: </object> on 20
case("missing-xmax",
     ["Annotations/a.xml: annotation/object[1]/bndbox/xmax: error: line 20: missing xmax "
      "[voc-missing-element]"],
     files={"a.xml": xml(objects=[obj(drop=("xmax",)), obj("dog", ("51", "41", "70", "50"))])})
# object[2] without name: lines 22..32, </object> on 32
case("missing-name",
     ["Annotations/a.xml: annotation/object[2]/name: error: line 32: missing name "
      "[voc-missing-element]"],
     files={"a.xml": xml(objects=[obj(), obj(drop=("name",), box=("51", "41", "70", "50"))])})
case("bad-coordinate",
     ["Annotations/a.xml: annotation/object[1]/bndbox/ymin: error: line 17: expected a "
      "number, got 'ten' [voc-bad-value]"],
     files={"a.xml": xml(objects=[obj(box=("11", "ten", "40", "30"))])})
case("bad-size",
     ["Annotations/b.xml: annotation/size/width: error: line 5: expected a whole number of "
      "pixels, got 'sixty-four' [voc-bad-value]"],
     files={"b.xml": xml_b(size=("sixty-four", "48"))})
# object[2]'s difficult: line 22 + 4
case("bad-difficult",
     ["Annotations/a.xml: annotation/object[2]/difficult: error: line 26: expected 0 or 1, "
      "got '2' [voc-bad-value]"],
     files={"a.xml": xml(objects=[obj(), obj("dog", ("51", "41", "70", "50"), difficult="2")])})
case("box-inverted",
     ["Annotations/a.xml: annotation/object[1]/bndbox/xmax: error: line 21: xmax 9 is less "
      "than xmin 11 [voc-box-inverted]"],
     files={"a.xml": xml(objects=[obj(box=("11", "11", "9", "30"))])})
# a 0-based export: xmin 0
case("box-zero-based",
     ["Annotations/b.xml: annotation/object[1]/bndbox/xmin: error: line 21: xmin 0 is "
      "outside the image (VOC pixel indices start at 1) [voc-box-outside-image]"],
     files={"b.xml": xml_b(objects=[obj("cat", ("0", "7", "12", "16"))])})
# past the size: checked once the file is read, placed at the object's start line
case("box-past-width",
     ["Annotations/a.xml: annotation/object[2]/bndbox/xmax: error: line 22: xmax 101 is "
      "outside the image width 100 [voc-box-outside-image]"],
     files={"a.xml": xml(objects=[obj(), obj("dog", ("51", "41", "101", "50"))])})
case("box-past-height",
     ["Annotations/b.xml: annotation/object[1]/bndbox/ymax: error: line 10: ymax 49 is "
      "outside the image height 48 [voc-box-outside-image]"],
     files={"b.xml": xml_b(objects=[obj("cat", ("5", "7", "12", "49"))])})
case("size-unknown",
     ["Annotations/b.xml: annotation/size: error: missing, and the image size cannot be read "
      "({case}/JPEGImages/b.png: cannot open: No such file or directory) [voc-size-unknown]"],
     files={"b.xml": xml_b(size=None)}, images={"b.png": None})

# ---- files the reader takes: the checks around them ----
case("one-pixel-box",
     ["Annotations/a.xml: annotation/object[1]/bndbox: warning: [11, 11, 11, 30]: xmin "
      "equals xmax; boxmix reads a box 1 pixel wide (VOC indices are inclusive), readers "
      "that take xmax - xmin as the width see no area [bbox-empty]"],
     files={"a.xml": xml(objects=[obj(box=("11", "11", "11", "30"))])})
case("unknown-label",
     ["Annotations/a.xml: annotation/object[2]/name: error: 'dgo' is not in the labels file "
      "{case}/labels.txt [unknown-label]"],
     files={"a.xml": xml(objects=[obj(), obj("dgo", ("51", "41", "70", "50"))])},
     options="labels=labels.txt", labels="cat\ndog\n")
case("duplicate-file-name",
     ["Annotations/b.xml: annotation/filename: warning: 'a.png' is also the file of "
      "{case}/Annotations/a.xml [duplicate-file-name]"],
     files={"b.xml": xml_b(filename="a.png", size=("100", "80"))})
case("filename-mismatch",
     ["Annotations/b.xml: annotation/filename: warning: 'IMG_0002.png' names no image file; "
      "boxmix reads 'b.png', named after the XML file (other readers may not) "
      "[voc-filename-mismatch]"],
     files={"b.xml": xml_b(filename="IMG_0002.png")})
case("file-name-escapes",
     ["Annotations/b.xml: annotation/filename: error: '../b.png' escapes the image folder "
      "(absolute or '..') [file-name-escapes]"],
     files={"b.xml": xml_b(filename="../b.png")})
case("image-missing",
     ["Annotations/b.xml: annotation/filename: error: {case}/JPEGImages/b.png: no such file "
      "[image-missing]"],
     images={"b.png": None})
case("image-size-mismatch",
     ["Annotations/b.xml: annotation/filename: error: {case}/JPEGImages/b.png is 64x50, "
      "<size> says 64x48 [image-size-mismatch]"],
     images={"b.png": png(64, 50)})

# ---- the split list ----
case("split-missing-xml",
     ["ImageSets/Main/train.txt: line 2: error: {case}/Annotations/c.xml: no such file "
      "[voc-xml-missing]"],
     options="split=train", lists={"train.txt": "a\nc\nb\n"})
case("split-bad-id",
     ["ImageSets/Main/train.txt: line 2: error: '../b' is not an image id [voc-split-bad-id]"],
     options="split=train", lists={"train.txt": "a\n../b\nb\n"})
case("split-duplicate",
     ["ImageSets/Main/train.txt: line 4: warning: 'a' is listed again (first on line 1); "
      "readers take it twice [voc-split-duplicate]"],
     options="split=train", lists={"train.txt": "a 1\nb -1\n\na\n"})

# ---- many problems across files, in the order of the split list ----
# b.xml: </xmax> mismatched on line 18 of the base layout
case("many-problems",
     ["Annotations/a.xml: annotation/object[1]/bndbox: warning: [11, 11, 11, 30]: xmin "
      "equals xmax; boxmix reads a box 1 pixel wide (VOC indices are inclusive), readers "
      "that take xmax - xmin as the width see no area [bbox-empty]",
      "Annotations/a.xml: annotation/object[2]/name: error: 'bird' is not in the labels file "
      "{case}/labels.txt [unknown-label]",
      "Annotations/b.xml: /: error: line 18: mismatched tag [voc-xml-syntax]",
      "Annotations/c.xml: annotation/object[1]/bndbox/xmax: error: line 10: xmax 65 is "
      "outside the image width 64 [voc-box-outside-image]",
      "ImageSets/Main/train.txt: line 4: error: {case}/Annotations/missing.xml: no such file "
      "[voc-xml-missing]",
      "ImageSets/Main/train.txt: line 5: warning: 'a' is listed again (first on line 1); "
      "readers take it twice [voc-split-duplicate]",
      "Annotations/d.xml: annotation/filename: error: {case}/JPEGImages/d.png: no such file "
      "[image-missing]",
      "Annotations/d.xml: annotation/object[1]/name: error: 'dgo' is not in the labels file "
      "{case}/labels.txt [unknown-label]",
      "Annotations/e.xml: annotation/filename: warning: 'a.png' is also the file of "
      "{case}/Annotations/a.xml [duplicate-file-name]"],
     files={"a.xml": xml(objects=[obj(box=("11", "11", "11", "30")),
                                  obj("bird", ("51", "41", "70", "50"))]),
            "b.xml": xml_b(objects=[obj("cat", ("5", "7", "12", "16"))]).replace(
                "<xmax>12</xmax>", "<xmax>12</xmx>", 1),
            "c.xml": xml_b(filename="c.png", objects=[obj("dog", ("5", "7", "65", "16"))]),
            "d.xml": xml_b(filename="d.png", objects=[obj("dgo", ("5", "7", "12", "16"))]),
            "e.xml": xml(filename="a.png", objects=[obj()]),
            "unlisted.xml": "not even XML\n"},
     images={"c.png": png(64, 48)},
     options="split=train labels=labels.txt",
     lists={"train.txt": "a\nb\nc\nmissing\na\nd\ne\n"}, labels="cat\ndog\n")


def main():
    for entry in os.listdir(HERE):
        if os.path.isdir(os.path.join(HERE, entry)) and entry != "__pycache__":
            shutil.rmtree(os.path.join(HERE, entry))
    with open(os.path.join(HERE, "cases.txt"), "w") as idx:
        for name, expected, ann, imgs, options, lists, labels in CASES:
            d = os.path.join(HERE, name)
            os.makedirs(os.path.join(d, "Annotations"))
            os.makedirs(os.path.join(d, "JPEGImages"))
            for fn, text in ann.items():
                if text is not None:
                    with open(os.path.join(d, "Annotations", fn), "w") as f:
                        f.write(text)
            for fn, data in imgs.items():
                if data is not None:
                    with open(os.path.join(d, "JPEGImages", fn), "wb") as f:
                        f.write(data)
            if lists:
                os.makedirs(os.path.join(d, "ImageSets", "Main"))
                for fn, text in lists.items():
                    with open(os.path.join(d, "ImageSets", "Main", fn), "w") as f:
                        f.write(text)
            if labels is not None:
                with open(os.path.join(d, "labels.txt"), "w") as f:
                    f.write(labels)
            with open(os.path.join(d, "expected.txt"), "w") as f:
                f.write("".join(line + "\n" for line in expected))
            idx.write((name + " " + options).strip() + "\n")


main()
