# SPDX-License-Identifier: MIT
"""boxmix: CutMix for object-detection datasets, exact and reproducible.

A thin layer over libboxmix (the C library behind the boxmix-* tools): datasets read
from COCO JSON or Pascal VOC, samples as NumPy arrays and COCO-form object dicts,
CutMix as a pure function of two samples and (seed, index) with the same bytes as
``boxmix-augment``, the whole offline job with a progress callback, and a writer for
what a script made. Heavy work (decoding, mixing, the job, encoding) runs without the
GIL. Errors are ``boxmix.Error`` subclasses carrying the library's message, which
names the file and the place in it; bad arguments raise TypeError or ValueError.

    import boxmix
    ds = boxmix.read_coco("train.json", images="train2017/")   # or read_voc, read_yolo
    out, record = boxmix.cutmix(ds[0], ds[1], seed=7, index=0)
"""
import functools as _functools
import json as _json
import operator as _operator
import os as _os

import numpy as _np

from . import _boxmix
from ._boxmix import (CancelledError, DecodeError, EncodeError, Error, FileError, InvalidError,
                      LimitError, NoMemoryError, ParseError, SchemaError, SizeOverflowError,
                      StateError)

__version__ = _boxmix.version()

__all__ = [
    "Dataset", "Sample", "read_coco", "read_voc", "read_yolo", "cutmix", "cutout", "mixup",
    "mosaic", "copypaste", "augment", "write_coco",
    "Error", "InvalidError", "NoMemoryError", "FileError", "ParseError", "SchemaError",
    "SizeOverflowError", "LimitError", "DecodeError", "EncodeError", "StateError",
    "CancelledError", "__version__",
]

#: The readers' default limit on an image's pixels (boxmix-augment --max-pixels).
MAX_PIXELS = 178956970

_PLACEMENTS = {"anywhere": 0, "avoid-base": 1, "source-object": 2}
_OPS = {"cutmix": 0, "cutout": 1, "mixup": 2, "mosaic": 3, "copypaste": 4}
_SOURCE_FITS = {"resize": 0, "letterbox": 1, "crop": 2}
_MASK_FORMATS = {"keep": 0, "polygon": 1, "rle": 2}
_U64 = (1 << 64) - 1


def _u64(name, v):
    if isinstance(v, bool) or not isinstance(v, int):
        try:
            v = _operator.index(v)
        except TypeError:
            raise TypeError("%s: expected an int, got %s" % (name, type(v).__name__)) from None
    if not 0 <= v <= _U64:
        raise ValueError("%s: expected 0..2^64-1, got %d" % (name, v))
    return int(v)


def _real(name, v):
    if isinstance(v, bool) or not isinstance(v, (int, float, _np.integer, _np.floating)):
        raise TypeError("%s: expected a number, got %s" % (name, type(v).__name__))
    return float(v)


def _choice(name, v, table):
    if not isinstance(v, str):
        raise TypeError("%s: expected a str, got %s" % (name, type(v).__name__))
    if v not in table:
        raise ValueError("%s: expected one of %s, got %r" % (name, ", ".join(table), v))
    return table[v]


def _cut_ratio(v):
    if v is None:
        return False, 0.3, 0.7
    if isinstance(v, str):
        lo, sep, hi = v.partition(":")
        try:
            return True, float(lo), float(hi) if sep else float("nan")
        except ValueError:
            raise ValueError("cut_ratio: expected LO:HI, got %r" % v) from None
    try:
        lo, hi = v
    except (TypeError, ValueError):
        raise TypeError("cut_ratio: expected None, 'LO:HI' or (lo, hi)") from None
    return True, _real("cut_ratio", lo), _real("cut_ratio", hi)


def _cutmix_options(*args):
    """The options tuple of the extension, checked once per distinct set of values."""
    try:
        return _cutmix_options_cached(*args)
    except TypeError:  # an unhashable value (a list for cut_ratio): check it uncached
        return _cutmix_options_check(*args)


def _cutmix_options_check(alpha, cut_ratio, placement, tries, min_visibility, min_area, min_size,
                          mask_format):
    use_ratio, lo, hi = _cut_ratio(cut_ratio)
    if isinstance(tries, bool) or not isinstance(tries, int):
        raise TypeError("tries: expected an int")
    if not 1 <= tries <= 1000000:
        raise ValueError("tries: expected 1..1000000, got %d" % tries)
    return (_real("alpha", alpha), use_ratio, lo, hi, _choice("placement", placement, _PLACEMENTS),
            tries, _real("min_visibility", min_visibility), _real("min_area", min_area),
            _real("min_size", min_size), _choice("mask_format", mask_format, _MASK_FORMATS))


_cutmix_options_cached = _functools.lru_cache(maxsize=64)(_cutmix_options_check)


def _int(name, v):
    if isinstance(v, bool) or not isinstance(v, (int, _np.integer)):
        raise TypeError("%s: expected an int, got %s" % (name, type(v).__name__))
    return int(v)


def _fill(v):
    """(fill, r, g, b) of the extension: "mean", "noise", or a colour as (r, g, b) or
    "R,G,B" (boxmix-augment --fill)."""
    if isinstance(v, str) and v in ("mean", "noise"):
        return (0 if v == "mean" else 2), 0, 0, 0
    if not isinstance(v, (str, tuple, list)):
        raise TypeError("fill: expected a str or (r, g, b), got %s" % type(v).__name__)
    rgb = v
    if isinstance(v, str):
        try:
            rgb = [int(x) for x in v.split(",")]
        except ValueError:
            raise ValueError("fill: expected 'mean', 'noise', 'R,G,B' or (r, g, b), got %r"
                             % v) from None
    try:
        r, g, b = rgb
    except (TypeError, ValueError):
        raise ValueError("fill: expected 'mean', 'noise', 'R,G,B' or (r, g, b), got %r"
                         % (v,)) from None
    r, g, b = (_int("fill", c) for c in (r, g, b))
    if not all(0 <= c <= 255 for c in (r, g, b)):
        raise ValueError("fill: each of r, g, b must be in 0..255, got %r" % ((r, g, b),))
    return 1, r, g, b


def _int_in(name, v, lo, hi):
    """An int option in [lo, hi], refused by name (a value past a C int would
    otherwise fail in the extension as a bare OverflowError)."""
    v = _int(name, v)
    if not lo <= v <= hi:
        raise ValueError("%s: must be an integer in [%d, %d], got %d" % (name, lo, hi, v))
    return v


def _mix_ratio(v):
    """None (lambda drawn) or a fixed lambda in [0, 1]: the library reads a negative
    value as "drawn", which a caller who passed one did not ask for."""
    if v is None:
        return -1.0
    r = _real("mix_ratio", v)
    if not 0.0 <= r <= 1.0:
        raise ValueError("mix_ratio: expected None (drawn) or a number in [0, 1], got %r" % (v,))
    return r


def _op_options(op, cutmix_options, source_fit="resize", holes=1, fill="mean", mix_alpha=32.0,
                mix_ratio=None, mosaic_size=640, paste_prob=0.5):
    """The extension's operation options: the op, CutMix's tuple (what every
    operation shares) and the family's own, ranges checked by the library."""
    if mix_ratio is not None and (isinstance(mix_alpha, bool) or mix_alpha != 32.0):
        raise ValueError("mix_alpha does nothing with mix_ratio (lambda is fixed): give one "
                         "of them")
    return ((_choice("op", op, _OPS), cutmix_options,
             _choice("source_fit", source_fit, _SOURCE_FITS), _int_in("holes", holes, 1, 64)) +
            _fill(fill) +
            (_real("mix_alpha", mix_alpha), _mix_ratio(mix_ratio),
             _int_in("mosaic_size", mosaic_size, 16, 16384), _real("paste_prob", paste_prob)))


# Which operations take each option that not all take (boxmix-augment refuses one
# given to another operation: it would do nothing), and its default.
_OP_ONLY = {
    "alpha": (("cutmix", "cutout"), 1.0),
    "cut_ratio": (("cutmix", "cutout"), None),
    "placement": (("cutmix",), "anywhere"),
    "tries": (("cutmix",), 10),
    "source_fit": (("cutmix", "mixup", "copypaste"), "resize"),
    "holes": (("cutout",), 1),
    "fill": (("cutout",), "mean"),
    "mix_alpha": (("mixup",), 32.0),
    "mix_ratio": (("mixup",), None),
    "mosaic_size": (("mosaic",), 640),
    "paste_prob": (("copypaste",), 0.5),
}


def _refuse_misplaced(op, given):
    """ValueError for an option set (not its default) that `op` does not take."""
    for name, value in given.items():
        ops, default = _OP_ONLY[name]
        if op not in ops and not (value is default or
                                  (not isinstance(value, bool) and value == default)):
            raise ValueError("%s does not apply to op=%r (it takes %s)"
                             % (name, op, ", ".join(ops)))


def _op_name(op):
    _choice("op", op, _OPS)
    return op


def _apply(op, inputs, seed, index, opts):
    """One operation on Samples at (seed, index): (Sample, record)."""
    for q, s in enumerate(inputs):
        if not isinstance(s, Sample):
            raise TypeError("%s: input %d must be a boxmix.Sample, got %s"
                            % (op, q, type(s).__name__))
    seed, index = _u64("seed", seed), _u64("index", index)
    pixels, objs, rec = _boxmix.op(opts, tuple((s.image, s._objs) for s in inputs), seed, index)
    record = _json.loads(rec)
    info = {"width": pixels.shape[1], "height": pixels.shape[0],
            "boxmix": _json.loads(rec)}
    return Sample._make(pixels, objs, info, None, None), record


def _as_image(image):
    """The caller's pixels as a C-contiguous uint8 (H, W, 3) array: the array itself
    when it is one, else one copy. Never written."""
    if not isinstance(image, _np.ndarray):
        image = _np.asarray(image)
    if image.dtype != _np.uint8:
        raise TypeError("image: expected dtype uint8, got %s" % image.dtype)
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError("image: expected shape (H, W, 3), got %s" % (image.shape,))
    return _np.ascontiguousarray(image)


class Sample:
    """One sample: pixels and objects.

    ``image`` is a numpy.ndarray, uint8, shape (H, W, 3), C-contiguous (for a sample of a
    Dataset, decoded on first access); ``objects`` a list of dicts in COCO form (id,
    category_id, bbox, area, iscrowd, segmentation as polygon lists or RLE dicts,
    keypoints, every other field of the file, and the ``boxmix`` provenance of an
    object an operation made); ``info`` the image record (id, file_name, width, height,
    ...; for an operation's output: width, height and the ``boxmix`` record).

    ``Sample(image=array, objects=[...], info={...})`` makes one from the caller's own
    data: the objects are checked by the same rules as a COCO file's annotations (an
    error names ``Sample: annotations[i]...``); ``info`` may give ``id`` (default 0) and
    ``file_name``; width and height are the image's. The array is used as it is when it
    is C-contiguous uint8 (H, W, 3), copied once otherwise, and never written.
    ``objects`` and ``info`` return new lists and dicts on every access: change a
    sample by making a new one.
    """

    __slots__ = ("_image", "_objs", "_info", "_info_json", "_load")

    def __init__(self, image, objects=(), info=None):
        arr = _as_image(image)
        info = {} if info is None else dict(info)
        h, w = arr.shape[0], arr.shape[1]
        for key, size in (("width", w), ("height", h)):
            if key in info and info[key] != size:
                raise ValueError("info[%r] is %r but the image's is %d" % (key, info[key], size))
        info.setdefault("id", 0)
        info.setdefault("file_name", "sample.png")
        info["width"], info["height"] = w, h
        anns = []
        if isinstance(objects, (str, bytes, dict)):
            raise TypeError("objects: expected a list of dicts")
        for q, o in enumerate(objects):
            if not isinstance(o, dict):
                raise TypeError("objects[%d]: expected a dict, got %s" % (q, type(o).__name__))
            d = dict(o)
            d.setdefault("id", q + 1)
            d["image_id"] = info["id"]
            anns.append(d)
        cats = sorted({d["category_id"] for d in anns
                       if isinstance(d.get("category_id"), int)
                       and not isinstance(d.get("category_id"), bool)})
        try:
            text = _json.dumps({"images": [info], "annotations": anns,
                                "categories": [{"id": c, "name": str(c)} for c in cats]},
                               allow_nan=False)
        except (TypeError, ValueError) as e:
            raise type(e)("Sample: %s" % e) from None
        doc = _boxmix.parse_coco(text.encode("utf-8"), "Sample")
        self._image = arr
        self._objs = doc.objects(0)
        self._info = info
        self._info_json = None
        self._load = None

    @classmethod
    def _make(cls, image, objs, info, info_json, load):
        s = cls.__new__(cls)
        s._image, s._objs, s._info, s._info_json, s._load = image, objs, info, info_json, load
        return s

    @property
    def image(self):
        """The pixels: numpy.ndarray, uint8, (H, W, 3), C-contiguous, RGB."""
        if self._image is None:
            self._image = self._load()
            self._load = None
        return self._image

    @property
    def objects(self):
        """The objects, a new list of COCO-form dicts."""
        return self._objs.dicts()

    @property
    def info(self):
        """The image record, a new dict."""
        if self._info is None:
            return _json.loads(self._info_json)
        return _json.loads(_json.dumps(self._info))

    def __len__(self):
        return self._objs.count()

    def __reduce__(self):
        return (Sample, (self.image, self.objects, self.info))

    def __repr__(self):
        info = self.info
        return "<boxmix.Sample %sx%s, %d objects>" % (info.get("width"), info.get("height"),
                                                       len(self))


class Dataset:
    """A dataset read from COCO JSON or Pascal VOC.

    ``len(ds)`` images; ``ds.categories`` the list of category dicts as in the file;
    ``ds[i]`` the i-th image's Sample (pixels decoded when first asked for, without the
    GIL); slices give lists; iteration goes over every sample. A Dataset pickles by
    reading its files again (for DataLoader workers started by spawn).
    """

    __slots__ = ("_doc", "_images", "_max_pixels", "_args")

    def __init__(self, doc, images, max_pixels, args):
        self._doc, self._images, self._max_pixels, self._args = doc, images, max_pixels, args

    def __len__(self):
        return self._doc.count()

    @property
    def categories(self):
        """The categories, a new list of dicts (id, name, and every other field)."""
        return _json.loads(self._doc.categories_json())

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = _operator.index(i)
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("dataset index %d out of range (%d images)" % (i, n))
        doc, images, max_pixels = self._doc, self._images, self._max_pixels

        def load():
            if images is None:
                raise ValueError("this dataset was read without images=: no pixels to decode")
            return doc.load(i, images, max_pixels)

        return Sample._make(None, doc.objects(i), None, doc.image_json(i), load)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __reduce__(self):
        return (_reopen, self._args)

    def __repr__(self):
        return "<boxmix.Dataset %d images, %d categories>" % (len(self), len(self.categories))


def _reopen(kind, *args):
    return {"coco": read_coco, "voc": read_voc, "yolo": read_yolo}[kind](*args)


def _fspath(name, v):
    try:
        return _os.fsdecode(_os.fspath(v))
    except TypeError:
        raise TypeError("%s: expected a path, got %s" % (name, type(v).__name__)) from None


def read_coco(path, images=None, max_pixels=MAX_PIXELS):
    """Read a COCO detection file.

    path        the JSON file
    images      the folder its file_name values are relative to (default None: the
                samples have objects but no pixels)
    max_pixels  refuse image records (and decoded images) larger than this
                (default 178956970, as boxmix-augment --max-pixels)

    Raises boxmix.Error subclasses (FileError, ParseError, SchemaError, LimitError) with
    the file, the JSON path and what is wrong.
    """
    path = _fspath("path", path)
    images = None if images is None else _fspath("images", images)
    max_pixels = _u64("max_pixels", max_pixels)
    doc = _boxmix.read_coco(path, max_pixels)
    return Dataset(doc, images, max_pixels, ("coco", path, images, max_pixels))


def read_voc(path, split=None, labels=None, images=None, max_pixels=MAX_PIXELS):
    """Read Pascal VOC XML: a VOCdevkit-style folder or one XML file.

    path        the folder (Annotations/, JPEGImages/, ImageSets/Main/) or an XML file
    split       read the images ImageSets/Main/<split>.txt lists (default None: every
                Annotations/*.xml)
    labels      category names in id order: a labels file (one name a line) or a list
                of names (default None: the names found, sorted)
    images      where the images are (default None: <path>/JPEGImages, for one XML
                file its folder's ../JPEGImages)
    max_pixels  as for read_coco (default 178956970)
    """
    path = _fspath("path", path)
    if split is not None and not isinstance(split, str):
        raise TypeError("split: expected a str or None")
    if labels is not None and not isinstance(labels, (list, tuple)):
        labels = _fspath("labels", labels)
    images = None if images is None else _fspath("images", images)
    max_pixels = _u64("max_pixels", max_pixels)
    doc = _boxmix.read_voc(path, split, list(labels) if isinstance(labels, tuple) else labels,
                           images, max_pixels)
    root = images
    if root is None:
        root = (_os.path.join(path, "JPEGImages") if _os.path.isdir(path)
                else _os.path.join(_os.path.dirname(path), "..", "JPEGImages"))
    return Dataset(doc, root, max_pixels, ("voc", path, split, labels, images, max_pixels))


def read_yolo(path, split="train", names=None, allow_outside=False, max_pixels=MAX_PIXELS):
    """Read an Ultralytics YOLO dataset (detection or segmentation rows).

    path           a data.yaml, or a folder holding images/ and labels/
    split          the split to read: "train" (default), "val" or "test"; for a folder,
                   images/<split>/ (None: all of images/)
    names          a folder's class names in class order (required for a folder;
                   a data.yaml has its own)
    allow_outside  accept split paths and listed images outside the dataset's root
                   (default False: refused, as boxmix-augment --yolo-allow-outside)
    max_pixels     as for read_coco (default 178956970)

    Class c becomes category id c + 1; sizes come from the image headers; a row's
    problem raises boxmix.ParseError naming the label file and line. The objects are
    those boxmix-convert writes to COCO from the same dataset.
    """
    path = _fspath("path", path)
    if split is not None and not isinstance(split, str):
        raise TypeError("split: expected a str or None")
    if names is not None:
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise TypeError("names: expected a list of str or None")
        names = list(names)
    max_pixels = _u64("max_pixels", max_pixels)
    doc, root = _boxmix.read_yolo(path, split, names, bool(allow_outside), max_pixels)
    return Dataset(doc, root, max_pixels,
                   ("yolo", path, split, names, allow_outside, max_pixels))


def cutmix(a, b, seed=0, index=0, *, alpha=1.0, cut_ratio=None, placement="anywhere", tries=10,
           min_visibility=0.1, min_area=0.0, min_size=2.0, mask_format="keep",
           source_fit="resize"):
    """CutMix: paste a rectangle of source b into base a; returns (sample, record).

    A pure function of the two samples, the options and (seed, index): output k of
    ``boxmix-augment --seed S`` is exactly ``cutmix(ds[base], ds[source], seed=S,
    index=k)`` with the base and source its record names (pixels and annotations).

    a, b            the base and the source (boxmix.Sample)
    seed            the run's seed, 0..2^64-1 (default 0; --seed)
    index           the output's index k, 0..2^64-1 (default 0)
    alpha           lambda ~ Beta(alpha, alpha) (default 1.0; --alpha)
    cut_ratio       None (default: the Beta draw) or "LO:HI" / (lo, hi): patch side
                    ratios drawn uniformly in [LO, HI] (--cut-ratio)
    placement       "anywhere" (default), "avoid-base" or "source-object" (the patch
                    centred on a non-crowd object of the source; --placement)
    tries           candidate patches for avoid-base (default 10; --tries)
    min_visibility  drop objects with less of them visible (default 0.1; --min-visibility)
    min_area        drop objects with a smaller visible area (default 0.0; --min-area)
    min_size        drop objects whose new box is narrower or lower (default 2.0; --min-size)
    mask_format     "keep" (default), "polygon" or "rle" (--mask-format)
    source_fit      how b is brought to a's size: "resize" (default), "letterbox" or
                    "crop" (--source-fit)

    The result's image has a's size; its objects carry ``boxmix`` provenance (from,
    visibility, source_annotation_id) and keep their inputs' ids; ``record`` is the
    dict the tools write as the image's ``boxmix`` field (op, index, base_image_id,
    source_image_id, patch [x, y, w, h], lambda, then source_fit and source_rect when
    not resize, placement and anchor_annotation_id for source-object, seed), also
    ``out.info["boxmix"]``. A sample an operation made, used as an input, is recorded
    as image id 0. The mixing runs without the GIL; a and b's arrays are read, never
    written.
    """
    if not isinstance(a, Sample) or not isinstance(b, Sample):
        raise TypeError("cutmix: a and b must be boxmix.Sample")
    opts = _op_options("cutmix", _cutmix_options(alpha, cut_ratio, placement, tries,
                                                 min_visibility, min_area, min_size,
                                                 mask_format), source_fit=source_fit)
    return _apply("cutmix", (a, b), seed, index, opts)


def cutout(a, seed=0, index=0, *, holes=1, fill="mean", alpha=1.0, cut_ratio=None,
           min_visibility=0.1, min_area=0.0, min_size=2.0, mask_format="keep"):
    """CutOut: erase `holes` rectangles of a; returns (sample, record).

    Output k of ``boxmix-augment --op cutout --seed S`` with base a is
    ``cutout(a, seed=S, index=k)``.

    holes           rectangles, 1..64 (default 1; --holes), each drawn like a CutMix
                    patch (alpha, cut_ratio as for cutmix)
    fill            "mean" (the base's per-channel mean; default), "noise", or a colour
                    (r, g, b) / "R,G,B" (--fill)
    min_visibility, min_area, min_size, mask_format  as for cutmix: every object is
                    cut by every hole

    ``record``: op, index, base_image_id, holes [[x, y, w, h], ...], fill, fill_rgb
    (constant only), lambda (the share left uncovered), seed.
    """
    opts = _op_options("cutout", _cutmix_options(alpha, cut_ratio, "anywhere", 10,
                                                 min_visibility, min_area, min_size,
                                                 mask_format), holes=holes, fill=fill)
    return _apply("cutout", (a,), seed, index, opts)


def mixup(a, b, seed=0, index=0, *, mix_alpha=32.0, mix_ratio=None, source_fit="resize",
          mask_format="keep"):
    """MixUp: out = lambda * a + (1 - lambda) * b; returns (sample, record).

    mix_alpha    lambda ~ Beta(mix_alpha, mix_alpha) (default 32; --mix-alpha)
    mix_ratio    None (default: drawn) or a fixed lambda in [0, 1] (--mix-ratio)
    source_fit   "resize" (default) or "letterbox" (--source-fit)
    mask_format  as for cutmix

    Every object of both inputs is kept whole with ``boxmix.weight`` (lambda for a's,
    1 - lambda for b's). ``record``: op, index, base_image_id, source_image_id,
    source_fit, lambda (quantised to 1/1024), seed.
    """
    opts = _op_options("mixup", _cutmix_options(1.0, None, "anywhere", 10, 0.1, 0.0, 2.0,
                                                mask_format),
                       source_fit=source_fit, mix_alpha=mix_alpha, mix_ratio=mix_ratio)
    return _apply("mixup", (a, b), seed, index, opts)


def mosaic(inputs, seed=0, index=0, *, mosaic_size=640, min_visibility=0.1, min_area=0.0,
           min_size=2.0, mask_format="keep"):
    """Mosaic: four samples in a 2x2 grid around a drawn centre; returns (sample, record).

    inputs          four boxmix.Sample: the base (top-left), then the three sources
    mosaic_size     s: the output is s x s (default 640, 16..16384; --mosaic-size)
    min_visibility, min_area, min_size, mask_format  as for cutmix: each input's
                    objects are clipped to its tile's part of the output

    Objects carry ``boxmix.from`` "tile" and ``boxmix.tile`` (0..3). ``record``: op,
    index, base_image_id, mosaic_size, centre [xc, yc], tiles [{image_id, rect,
    scale}, ...], seed.
    """
    inputs = tuple(inputs)
    if len(inputs) != 4:
        raise ValueError("mosaic: expected 4 samples (the base and 3 sources), got %d"
                         % len(inputs))
    opts = _op_options("mosaic", _cutmix_options(1.0, None, "anywhere", 10, min_visibility,
                                                 min_area, min_size, mask_format),
                       mosaic_size=mosaic_size)
    return _apply("mosaic", inputs, seed, index, opts)


def copypaste(a, b, seed=0, index=0, *, paste_prob=0.5, source_fit="resize",
              min_visibility=0.1, min_area=0.0, min_size=2.0, mask_format="keep"):
    """Copy-Paste: objects of b pasted into a by their masks; returns (sample, record).

    paste_prob      each non-crowd source object with a mask is pasted with this
                    chance (at least one; default 0.5; --paste-prob)
    source_fit      "resize" (default) or "letterbox" (--source-fit)
    min_visibility, min_area, min_size, mask_format  as for cutmix: every object of a
                    is cut by the pasted masks

    ``record``: op, index, base_image_id, source_image_id, source_fit,
    pasted_annotation_ids (b's ids of the pasted objects), seed.
    """
    opts = _op_options("copypaste", _cutmix_options(1.0, None, "anywhere", 10, min_visibility,
                                                    min_area, min_size, mask_format),
                       source_fit=source_fit, paste_prob=paste_prob)
    return _apply("copypaste", (a, b), seed, index, opts)


_SUFFIX = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def _memory_limit(v):
    if isinstance(v, str):
        s = v.strip().upper()
        mult = _SUFFIX.get(s[-1:], None) if s[-1:].isalpha() else 1
        digits = s[:-1] if s[-1:].isalpha() else s
        if mult is None or not digits.isdigit():
            raise ValueError("memory_limit: expected bytes with an optional K, M or G, got %r" % v)
        v = int(digits) * mult
    v = _u64("memory_limit", v)
    if v == 0:
        raise ValueError("memory_limit: must be > 0")
    return v


def augment(annotations=None, images=None, out=None, *, voc=None, split=None, labels=None,
            out_format=None, count=None, per_image=None, seed=0, alpha=1.0, cut_ratio=None,
            placement="anywhere", tries=10, min_visibility=0.1, min_area=0.0, min_size=2.0,
            mask_format="keep", format="jpg", quality=90, png_level=None,
            include_originals=False, max_pixels=MAX_PIXELS, memory_limit="1G", threads=0,
            dry_run=False, shard=None, resume=False, skip_bad=False, report=None, force=False,
            progress=None, op=None, source_fit="resize", holes=1, fill="mean", mix_alpha=32.0,
            mix_ratio=None, mosaic_size=640, paste_prob=0.5, recipe=None):
    """The offline job, as boxmix-augment: writes the same files with the same options.

    annotations        COCO JSON to read (--annotations)
    images             folder file_name values are relative to (--images; VOC default
                       <voc>/JPEGImages)
    out                output folder, created (--out)
    voc                read this Pascal VOC folder or XML file instead (--voc)
    split              VOC: the images of ImageSets/Main/<split>.txt (--split)
    labels             VOC: a labels file, one name a line, in id order (--labels)
    out_format         "coco" or "voc" (default None: the input's; --out-format)
    count              make this many outputs (--count; default: per_image)
    per_image          outputs per input image (default None: 1; --per-image)
    seed               0..2^64-1 (default 0; --seed)
    alpha, cut_ratio, placement, tries, min_visibility, min_area, min_size, mask_format
                       as for boxmix.cutmix (defaults 1.0, None, "anywhere", 10, 0.1,
                       0.0, 2.0, "keep")
    op                 the operation: "cutmix", "cutout", "mixup", "mosaic" or
                       "copypaste" (default None: cutmix; --op), with its options:
    source_fit, holes, fill, mix_alpha, mix_ratio, mosaic_size, paste_prob
                       as for boxmix.cutmix, cutout, mixup, mosaic and copypaste
                       (defaults "resize", 1, "mean", 32.0, None, 640, 0.5;
                       --source-fit, --holes, --fill, --mix-alpha, --mix-ratio,
                       --mosaic-size, --paste-prob). An operation this library does not
                       have is refused (InvalidError) before anything is read; so is
                       (ValueError) an option set to other than its default that the
                       operation does not take (holes with op="mosaic", alpha with
                       op="mixup": boxmix-augment refuses them too)
    recipe             a recipe file (--recipe; schemas/recipe.schema.json): each output
                       draws one of its weighted operations; the options above are its
                       entries' defaults. Excludes op
    format             "jpg" (default) or "png" (--format)
    quality            JPEG quality 1..100 (default 90; --quality)
    png_level          PNG zlib level 0..9 (default None: 1; needs format "png")
    include_originals  also copy the inputs (default False; --include-originals)
    max_pixels         refuse larger images (default 178956970; --max-pixels)
    memory_limit       decoded inputs held at once: bytes or "512M", "2G" (default "1G")
    threads            worker threads (default 0: the number of cores; --threads)
    dry_run            annotations only (default False; --dry-run)
    shard              "I/N" or (i, n): only outputs k with k mod n == i (--shard)
    resume             finish an interrupted run in out (default False; --resume)
    skip_bad           leave out bad input images (default False; --skip-bad)
    report             write a JSON run report to this path (--report)
    force              write into a folder holding a dataset (default False; --force)
    progress           callable(done, total) or None: called from the calling thread at
                       least once a second while the job runs (the counts of its current
                       stage: input images checked, then outputs made, the last call with
                       done == total); when it raises, the job stops as on SIGINT
                       (nothing half-written; finish with resume=True) and the exception
                       propagates. Ctrl-C stops the job the same way.

    Returns the summary line's numbers as a dict: samples, originals, resumed,
    skipped_images, skipped_outputs, kept_whole, clipped, dropped, masked, holes_filled,
    with_keypoints, keypoints_hidden, and notices (what the run adjusted, e.g. the
    memory limit raised). The job runs without the GIL.
    """
    if (annotations is None) == (voc is None):
        raise ValueError("augment: give annotations= (COCO) or voc= (Pascal VOC), not both")
    if out is None:
        raise ValueError("augment: out= is required")
    if voc is None and images is None:
        raise ValueError("augment: images= is required with annotations=")
    if format not in ("jpg", "png"):
        raise ValueError("format: expected 'jpg' or 'png', got %r" % (format,))
    if png_level is not None and format != "png":
        raise ValueError("png_level: needs format='png'")
    if out_format not in (None, "coco", "voc"):
        raise ValueError("out_format: expected 'coco' or 'voc', got %r" % (out_format,))
    if (voc is None) and (split is not None or labels is not None):
        raise ValueError("split= and labels= are for voc= input")
    if count is not None and per_image is not None:
        raise ValueError("augment: give count= or per_image=, not both")
    if count is not None and _u64("count", count) == 0:
        raise ValueError("count: must be > 0")
    if per_image is not None and _u64("per_image", per_image) == 0:
        raise ValueError("per_image: must be > 0")
    shard_index, shard_count = 0, 0
    if shard is not None:
        if isinstance(shard, str):
            i, sep, n = shard.partition("/")
            if not sep or not i.isdigit() or not n.isdigit():
                raise ValueError("shard: expected 'I/N', got %r" % shard)
            shard_index, shard_count = int(i), int(n)
        else:
            shard_index, shard_count = (_u64("shard", x) for x in shard)
        if not 0 <= shard_index < shard_count:
            raise ValueError("shard: expected 0 <= I < N, got %d/%d" % (shard_index, shard_count))
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        raise ValueError("quality: expected an int 1..100, got %r" % (quality,))
    if png_level is not None and (isinstance(png_level, bool) or not isinstance(png_level, int)
                                  or not 0 <= png_level <= 9):
        raise ValueError("png_level: expected an int 0..9, got %r" % (png_level,))
    if isinstance(threads, bool) or not isinstance(threads, int) or not 0 <= threads <= 4096:
        raise ValueError("threads: expected an int 0..4096, got %r" % (threads,))
    if progress is not None and not callable(progress):
        raise TypeError("progress: expected a callable(done, total) or None")
    opts = {
        "annotations": _fspath("voc", voc) if voc is not None else _fspath("annotations", annotations),
        "images": None if images is None else _fspath("images", images),
        "voc": voc is not None,
        "voc_split": split,
        "labels": None if labels is None else _fspath("labels", labels),
        "out": _fspath("out", out),
        "out_voc": int(out_format == "voc" or (out_format is None and voc is not None)),
        "count": 0 if count is None else _u64("count", count),
        "per_image": 1 if per_image is None else _u64("per_image", per_image),
        "seed": _u64("seed", seed),
        "cutmix": _cutmix_options(alpha, cut_ratio, placement, tries, min_visibility, min_area,
                                  min_size, mask_format),
        "png": format == "png",
        "quality": quality,
        "include_originals": bool(include_originals),
        "max_pixels": _u64("max_pixels", max_pixels),
        "memory_limit": _memory_limit(memory_limit),
        "threads": threads,
        "dry_run": bool(dry_run),
        "shard_index": shard_index,
        "shard_count": shard_count,
        "resume": bool(resume),
        "skip_bad": bool(skip_bad),
        "report": None if report is None else _fspath("report", report),
        "force": bool(force),
    }
    if png_level is not None:
        opts["png_level"] = png_level
    family = dict(source_fit=source_fit, holes=holes, fill=fill, mix_alpha=mix_alpha,
                  mix_ratio=mix_ratio, mosaic_size=mosaic_size, paste_prob=paste_prob)
    if recipe is not None:
        if op is not None:
            raise ValueError("op and recipe exclude each other (a recipe names its operations)")
        if source_fit == "crop":
            raise ValueError("source_fit='crop' goes with op='cutmix', not with a recipe's "
                             "defaults (set it in the recipe's cutmix entries)")
        opts["recipe"] = _fspath("recipe", recipe)
        opts["family"] = _op_options("cutmix", opts["cutmix"], **family)
    else:
        _refuse_misplaced("cutmix" if op is None else _op_name(op),
                          dict(family, alpha=alpha, cut_ratio=cut_ratio, placement=placement,
                               tries=tries))
    if recipe is None and (op is not None or family != _FAMILY_DEFAULTS):
        # The one-entry recipe of --op NAME and its options.
        opts["op"] = _op_options("cutmix" if op is None else op, opts["cutmix"], **family)
    return _boxmix.augment(opts, progress)


_FAMILY_DEFAULTS = dict(source_fit="resize", holes=1, fill="mean", mix_alpha=32.0, mix_ratio=None,
                        mosaic_size=640, paste_prob=0.5)


def write_coco(samples, out, categories=None, *, format="jpg", quality=90):
    """Write samples as a new COCO dataset: out/images/<file name> and
    out/annotations.json (written last, so a folder holding it holds a whole dataset).

    samples     boxmix.Sample objects; each is written as its info's file_name when it
                has one (its extension made the format's: a.png becomes a.jpg for
                "jpg"), else sample_NNNNNN.<format> (NNNNNN its place in the list);
                two samples of one name are refused (ValueError)
    out         the output folder, created (refused when it holds a dataset or another
                run holds it)
    categories  the category dicts to write (e.g. ds.categories; default None: one
                category per id the objects use, named by its number)
    format      "jpg" (default) or "png"
    quality     JPEG quality 1..100 (default 90)

    Images get new ids 1, 2, ... in list order, objects new ids; objects an operation
    made keep their boxmix provenance. Returns the number of samples written.
    """
    samples = list(samples)
    for q, s in enumerate(samples):
        if not isinstance(s, Sample):
            raise TypeError("samples[%d]: expected a boxmix.Sample" % q)
    if format not in ("jpg", "png"):
        raise ValueError("format: expected 'jpg' or 'png', got %r" % (format,))
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        raise ValueError("quality: expected an int 1..100, got %r" % (quality,))
    if categories is None:
        ids = sorted({o["category_id"] for s in samples for o in s.objects})
        categories = [{"id": c, "name": str(c)} for c in ids]
    try:
        text = _json.dumps({"images": [], "annotations": [], "categories": list(categories)},
                           allow_nan=False)
    except (TypeError, ValueError) as e:
        raise type(e)("categories: %s" % e) from None
    like = _boxmix.parse_coco(text.encode("utf-8"), "categories")
    items = []
    seen = {}
    for q, s in enumerate(samples):
        name = s.info.get("file_name")
        if not isinstance(name, str) or not name:
            name = "sample_%06d.%s" % (q, format)
        else:
            # The bytes are the format's: so is the name's extension.
            stem, ext = _os.path.splitext(name)
            if ext.lower() not in ((".jpg", ".jpeg") if format == "jpg" else (".png",)):
                name = stem + "." + format
        if name in seen:
            raise ValueError("samples[%d]: file name %r is samples[%d]'s too: each image "
                             "needs a name of its own" % (q, name, seen[name]))
        seen[name] = q
        items.append((s.image, s._objs, name))
    return _boxmix.write(_fspath("out", out), like, False, items, format == "png", quality)
