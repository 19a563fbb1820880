# SPDX-License-Identifier: MIT
"""Online mixing: the same arrays for any number of worker processes, memory that
stays flat over 10,000 mixes, inputs never written and copied at most once,
returned arrays that own their memory, and heavy work without the GIL."""
import multiprocessing
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import boxmix
from conftest import SAMPLES_IMAGES, SAMPLES_JSON
from readme import python_block

SEED = 5
EPOCHS = 3


def _worker_init():
    global DS
    DS = boxmix.read_coco(SAMPLES_JSON, images=SAMPLES_IMAGES)


def _item(task):
    """Item i of epoch e, made by the README's mixed_item."""
    epoch, i = task
    ns = {}
    exec(python_block("online-item"), ns)
    out = ns["mixed_item"](DS, i, epoch, SEED)
    return epoch, i, out.image, out.objects


def _run(workers):
    n = len(boxmix.read_coco(SAMPLES_JSON))
    tasks = [(e, i) for e in range(EPOCHS) for i in range(n)]
    # spawn, not fork: a fork while one of the pool's own threads holds an allocator
    # lock (ASan's is not fork-safe) can leave a worker waiting for ever
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers, initializer=_worker_init) as pool:
        # chunksize 1: the items really are spread over the workers, in any order
        return sorted(pool.imap_unordered(_item, tasks, chunksize=1), key=lambda r: r[:2])


def test_one_and_four_workers_give_the_same_arrays():
    one, four = _run(1), _run(4)
    assert len(one) == len(four) == EPOCHS * 8
    for (e1, i1, img1, obj1), (e4, i4, img4, obj4) in zip(one, four):
        assert (e1, i1) == (e4, i4)
        assert img1.dtype == np.uint8 and img1.flags["C_CONTIGUOUS"]
        assert np.array_equal(img1, img4), (e1, i1)
        assert obj1 == obj4, (e1, i1)
    # epochs differ: the index e * len + i draws another patch and source
    assert not all(np.array_equal(one[i][2], one[8 + i][2]) for i in range(8))
    print("1 vs 4 workers: %d items over %d epochs identical" % (len(one), EPOCHS))


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


UNDER_ASAN = "libasan" in os.environ.get("LD_PRELOAD", "")


@pytest.mark.skipif(UNDER_ASAN, reason="under ASan freed memory waits in its quarantine, so "
                    "RSS measures no leak; test_no_leak_under_lsan checks instead")
def test_rss_stays_flat_over_10000_mixes(samples):
    a = [samples[i] for i in range(len(samples))]
    for s in a:
        s.image  # decoded once, before measuring
    n = len(a)

    def mix(k):
        out, record = boxmix.cutmix(a[k % n], a[(k * 5 + 3) % n], seed=1, index=k,
                                    mask_format=("keep", "rle", "polygon")[k % 3])
        out.objects  # the dicts too
        return record

    for k in range(500):  # warm up: allocator pools, caches
        mix(k)
    start = rss_bytes()
    marks = []
    for k in range(10000):
        mix(500 + k)
        if k % 2000 == 1999:
            marks.append(rss_bytes())
    growth = marks[-1] - start
    print("RSS over 10,000 mixes: %.1f MiB at start, %s MiB at each 2,000, growth %.2f MiB"
          % (start / 2**20, ", ".join("%.1f" % (m / 2**20) for m in marks), growth / 2**20))
    # A leak of one output image (320x240x3) per mix would be 2.2 GiB; of one object,
    # a few hundred KiB. Flat: under 2 MiB, and no steady climb over the last marks.
    assert growth < 2 * 2**20
    assert marks[-1] - marks[1] < 1 * 2**20


def test_input_arrays_are_borrowed_read_only_and_never_written(samples):
    img = np.ascontiguousarray(samples[2].image)
    before = img.copy()
    img.flags.writeable = False  # a read-only array is fine: boxmix never writes it
    s = boxmix.Sample(image=img, objects=samples[2].objects, info=samples[2].info)
    assert s.image is img  # C-contiguous uint8: no copy at all
    out, _ = boxmix.cutmix(s, samples[4], seed=2, index=9)
    assert np.array_equal(img, before)
    assert not np.shares_memory(out.image, img)
    # not C-contiguous: copied exactly once, the original untouched
    wide = np.zeros((240, 640, 3), np.uint8)
    wide[:, ::2] = before
    view = wide[:, ::2]
    t = boxmix.Sample(image=view, objects=samples[2].objects, info=samples[2].info)
    assert t.image.flags["C_CONTIGUOUS"] and not np.shares_memory(t.image, wide)
    assert t.image is t.image
    out2, _ = boxmix.cutmix(t, samples[4], seed=2, index=9)
    assert np.array_equal(out2.image, out.image)


def test_returned_arrays_own_their_memory(samples):
    a, b = samples[0], samples[1]
    out, _ = boxmix.cutmix(a, b, seed=1, index=1)
    for arr in (a.image, out.image):
        assert arr.dtype == np.uint8 and arr.ndim == 3 and arr.shape[2] == 3
        assert arr.flags["C_CONTIGUOUS"] and arr.flags["WRITEABLE"]
        # the base is the capsule of the buffer made for this array, nobody else's
        assert type(arr.base).__name__ == "PyCapsule"
    keep = out.image
    del out, a, b
    assert int(keep.sum()) > 0  # still valid after its sample is gone
    assert not np.shares_memory(keep, samples[0].image)


def _spin(stop, counter):
    while not stop.is_set():
        counter[0] += 1


def test_heavy_work_releases_the_gil(tmp_path):
    """While one thread runs the job, another thread runs Python."""
    stop, counter = threading.Event(), [0]
    t = threading.Thread(target=_spin, args=(stop, counter))
    t.start()
    try:
        time.sleep(0.05)
        c0, t0 = counter[0], time.perf_counter()
        boxmix.augment(SAMPLES_JSON, SAMPLES_IMAGES, tmp_path / "a", per_image=40, seed=1,
                       threads=1)
        during, elapsed = counter[0] - c0, time.perf_counter() - t0
    finally:
        stop.set()
        t.join()
    assert elapsed > 0.05
    # with the GIL held for the whole job the other thread would not count at all
    assert during > 1000, (during, elapsed)


LSAN_SCRIPT = r"""
import ctypes, gc, os, sys, tempfile
import boxmix
check = ctypes.CDLL(None).__lsan_do_recoverable_leak_check
ds = boxmix.read_coco(sys.argv[1], images=sys.argv[2])
a = [ds[i] for i in range(len(ds))]


def run(first, n):
    for k in range(first, first + n):
        out, rec = boxmix.cutmix(a[k % 8], a[(k * 5 + 3) % 8], seed=1, index=k,
                                 mask_format=("keep", "rle", "polygon")[k % 3])
        out.objects
        t = boxmix.Sample(out.image, out.objects, {"id": k})
        t.objects
        if k % 100 == 0:
            boxmix.read_coco(sys.argv[1], images=sys.argv[2])[k % 8].image
            with tempfile.TemporaryDirectory() as d:
                boxmix.write_coco([out, t], os.path.join(d, "o"), categories=ds.categories)
            try:
                boxmix.Sample(out.image, [{"bbox": [1]}])
            except boxmix.Error:
                pass


def leak_check(label):
    gc.collect()  # cyclic garbage waits in the collector's lists, which LSan cannot follow
    sys.stderr.write("@@ %s\n" % label)
    sys.stderr.flush()
    check()


run(0, 300)  # every path once: what the interpreter and the caches keep for good
leak_check("before")
run(300, 1500)
leak_check("after")
"""


@pytest.mark.skipif(not UNDER_ASAN, reason="needs the ASan runtime (the ASan build's test)")
def test_no_leak_under_lsan():
    """LeakSanitizer, asked after 300 mixes (and samples, reads, writes, errors: every
    path once) and again after 1,500 more: the same unreachable blocks (the
    interpreter's own), nothing more."""
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:leak_check_at_exit=0:abort_on_error=1")
    p = subprocess.run([sys.executable, "-c", LSAN_SCRIPT, SAMPLES_JSON, SAMPLES_IMAGES],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr[-3000:]
    before = p.stderr.split("@@ before")[1].split("@@ after")[0]
    after = p.stderr.split("@@ after")[1]
    summary = [line for line in (before + "\n@@\n" + after).splitlines()
               if "SUMMARY" in line or line == "@@"]
    print("LSan before and after: %s" % summary)
    def total(text):
        return [line for line in text.splitlines() if "SUMMARY" in line]
    assert total(after) == total(before), (total(before), total(after), after[-3000:])


def test_cutmix_releases_the_gil():
    """Python runs in another thread while the extension mixes large images: with the
    GIL held for the call, that thread's steps would stop for the whole call."""
    big = np.zeros((3000, 4000, 3), np.uint8)
    big[::7] = 200
    a = boxmix.Sample(big, [{"bbox": [10, 10, 3000, 2000], "category_id": 1, "area": 6e6,
                             "iscrowd": 0}], {"id": 1})
    b = boxmix.Sample(big[::-1].copy(), [], {"id": 2})
    opts = boxmix._op_options("cutmix", boxmix._cutmix_options(0.2, None, "anywhere", 10, 0.1,
                                                               0.0, 2.0, "keep"))
    ia, ib = a.image, b.image
    window, stamps, stop = [], [], threading.Event()

    def mixer():
        for k in range(3):
            t0 = time.monotonic()
            boxmix._boxmix.op(opts, ((ia, a._objs), (ib, b._objs)), 3, k)
            window.append((t0, time.monotonic()))
        stop.set()

    # A short switch interval: whatever bytecode runs around the C call (where a
    # held GIL would be handed over) is far shorter than the call itself.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        t = threading.Thread(target=mixer)
        t.start()
        while not stop.is_set():
            stamps.append(time.monotonic())
        t.join()
    finally:
        sys.setswitchinterval(interval)
    share = []
    for t0, t1 in window:
        pts = [t0] + [s for s in stamps if t0 < s < t1] + [t1]
        share.append(max(q - p for p, q in zip(pts, pts[1:])) / (t1 - t0))
    print("cutmix on 4000x3000: calls of %s ms; the other thread's longest pause in each: "
          "%s of the call" % (", ".join("%.0f" % ((t1 - t0) * 1e3) for t0, t1 in window),
                              ", ".join("%.0f%%" % (100 * x) for x in share)))
    assert min(share) < 0.5
