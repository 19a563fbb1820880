#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The HTML report of boxmix-draw --html, opened in a real browser.

Usage: e2e_report_browser.py TOOLS_DIR SOURCE_ROOT OUT_DIR [--readme]

Makes the samples/ run (boxmix-augment --per-image 2 --seed 7 --include-originals
--decisions), its report (boxmix-draw --html --decisions), and opens it from
file:// in headless Chromium driven through chromedriver's W3C WebDriver HTTP API
(Python's standard library only). Checks: the gallery and the statistics page
render with no console error, no failed request and nothing fetched but the
report's own files; filtering by each category shows exactly the images that have
it (by their records), by operation and by "has dropped objects" likewise; an
image's record opens with links to its base's and source's drawings; the counts
and the plots' values on the statistics page are the dataset's (recounted here
from the files); at 10,000 images the gallery holds one page of thumbnails and
loads one page of records per image opened; on hand-made records of every operation
of the CutMix family (tests/ops_records.py) each operation filters and a record
shows its fields (holes, tiles, centre, weights, pasted ids, anchor). Screenshots go
to OUT_DIR; with
--readme those of the gallery and the statistics are also written to
samples/readme/report_gallery.jpg and report_stats.jpg (the README's pictures).

Without Chromium and chromedriver it skips, saying so, except when
BOXMIX_REQUIRE_CHROMIUM=1 (set by `sh tools/quickstart.sh test`): then it fails.
As root (CI) Chromium runs with --no-sandbox.
"""
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib

TOOLS, ROOT, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
README = "--readme" in sys.argv[4:]
SAMPLES_JSON = os.path.join(ROOT, "samples", "coco", "annotations.json")
SAMPLES_IMAGES = os.path.join(ROOT, "samples", "images")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

results = []
notes = []  # what was measured, printed as TAP comments


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def finish():
    print("TAP version 13")
    print("1..%d" % len(results))
    for note in notes:
        print("# " + note)
    failed = 0
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            for line in str(detail).splitlines()[:12]:
                print("  # " + line)
    return 1 if failed else 0


class WebDriver:
    """The few W3C WebDriver commands the test needs, over HTTP with urllib."""

    def __init__(self, port):
        self.base = "http://127.0.0.1:%d" % port
        self.profile = tempfile.mkdtemp(prefix="boxmix-chromium-")
        args = ["--headless=new", "--disable-gpu", "--window-size=1200,820", "--hide-scrollbars",
                "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps",
                "--disable-features=MediaRouter,OptimizationHints,Translate",
                "--user-data-dir=" + self.profile]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run as root otherwise (CI)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"},
        }}}
        self.sid = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read().decode())["value"]
        except urllib.error.HTTPError as e:
            raise RuntimeError("%s %s: %s" % (method, path, e.read().decode()[:500]))

    def s(self, method, path, body=None):
        return self.call(method, "/session/%s%s" % (self.sid, path), body)

    def get(self, url):
        self.s("POST", "/url", {"url": url})

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def wait(self, script, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            v = self.js(script)
            if v:
                return v
            time.sleep(0.1)
        return None

    def find(self, css):
        r = self.s("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(r.values()))

    def click(self, css):
        self.s("POST", "/element/%s/click" % self.find(css), {})

    def log(self, kind):
        return self.s("POST", "/se/log", {"type": kind})

    def screenshot_jpeg(self, path, quality=80):
        # Through the DevTools protocol: a JPEG is a tenth of the PNG's size.
        r = self.s("POST", "/goog/cdp/execute",
                   {"cmd": "Page.captureScreenshot", "params": {"format": "jpeg", "quality": quality}})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def quit(self):
        try:
            self.s("DELETE", "")
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)


def tiny_png(w, h):
    """A grey RGB PNG of w x h."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"".join(b"\0" + bytes([120, 130, 140]) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def problems(drv, report_url):
    """Console errors, failed requests, and requests for anything but the report's files."""
    out = []
    for e in drv.log("browser"):
        if e.get("level") == "SEVERE":
            out.append("console: " + e.get("message", ""))
    for e in drv.log("performance"):
        m = json.loads(e["message"])["message"]
        p = m.get("params", {})
        if m.get("method") == "Network.loadingFailed":
            out.append("failed request: %s %s" % (p.get("errorText"), p.get("requestId")))
        if m.get("method") == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            if not (url.startswith(report_url) or url.startswith("data:")):
                out.append("fetched from outside the report: " + url)
        if m.get("method") == "Network.responseReceived":
            st = p.get("response", {}).get("status", 200)
            if st not in (0, 200):
                out.append("HTTP %s: %s" % (st, p.get("response", {}).get("url")))
    return out


def main():
    if not (os.access(CHROMIUM, os.X_OK) and os.access(DRIVER, os.X_OK)):
        why = "needs Debian's chromium and chromium-driver (%s, %s)" % (CHROMIUM, DRIVER)
        if os.environ.get("BOXMIX_REQUIRE_CHROMIUM") == "1":
            check("Chromium is installed (sh tools/quickstart.sh test installs it)", False, why)
            return finish()
        print("1..0 # SKIP " + why)
        return 0
    os.makedirs(OUT, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="boxmix-report-")
    drv = driver = None
    try:
        run_dir, log, rep = os.path.join(tmp, "run"), os.path.join(tmp, "run.jsonl"), os.path.join(tmp, "report")
        p = subprocess.run([os.path.join(TOOLS, "boxmix-augment"), "--annotations", SAMPLES_JSON, "--images",
                            SAMPLES_IMAGES, "--out", run_dir, "--per-image", "2", "--seed", "7",
                            "--include-originals", "--decisions", log, "--quiet"], capture_output=True, text=True)
        check("augment samples/ with --decisions", p.returncode == 0, p.stderr)
        # From the run's parent folder, so the report names its dataset "run/annotations.json".
        p = subprocess.run([os.path.abspath(os.path.join(TOOLS, "boxmix-draw")), "--annotations",
                            "run/annotations.json", "--images", "run/images", "--html", "report",
                            "--decisions", "run.jsonl", "--quiet"], capture_output=True, text=True, cwd=tmp)
        check("boxmix-draw --html --decisions", p.returncode == 0, p.stderr)
        if p.returncode != 0:
            return finish()
        doc = json.load(open(os.path.join(run_dir, "annotations.json")))
        lines = [json.loads(x) for x in open(log)]
        cats_of = {i["id"]: set() for i in doc["images"]}
        for a in doc["annotations"]:
            cats_of[a["image_id"]].add(a["category_id"])
        dropped_of = {}
        for x in lines:
            if x["decision"] == "dropped":
                dropped_of[x["output"]] = dropped_of.get(x["output"], 0) + 1
        k_of = {i["id"]: i["boxmix"]["index"] for i in doc["images"] if i["boxmix"]["op"] != "original"}

        port = free_port()
        driver = subprocess.Popen([DRIVER, "--port=%d" % port], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        end = time.time() + 20
        while time.time() < end:
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/status" % port, timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        drv = WebDriver(port)
        base_url = "file://" + os.path.abspath(rep) + "/"
        # What the browser did before the report (its start page) is not the report's.
        drv.get("about:blank")
        time.sleep(0.5)
        drv.log("browser")
        drv.log("performance")

        # The gallery.
        drv.get(base_url + "index.html")
        shown = drv.wait("var c = document.getElementById('count');"
                         "return c && c.getAttribute('data-shown');")
        n = len(doc["images"])
        check("gallery renders: every image counted", shown == str(n) and
              drv.js("return document.getElementById('count').textContent") == "%d of %d images" % (n, n),
              shown)
        cards = drv.js("return document.querySelectorAll('#gallery .card').length")
        check("gallery shows the first page of cards", cards == min(n, 48), cards)
        drv.js("window.scrollTo(0, document.body.scrollHeight)")
        loaded = drv.wait("var im = Array.from(document.querySelectorAll('#gallery img'));"
                          "return im.every(function (i) { return i.complete; }) &&"
                          " im.filter(function (i) { return i.naturalWidth > 0; }).length;")
        check("every drawing in the gallery loads", loaded == cards, loaded)
        drv.js("window.scrollTo(0, 0)")
        time.sleep(0.3)
        drv.screenshot_jpeg(os.path.join(OUT, "report_gallery.jpg"))
        if README:
            drv.screenshot_jpeg(os.path.join(ROOT, "samples", "readme", "report_gallery.jpg"), 70)

        # Filters: every category, then an operation, then "has dropped objects".
        bad = []
        for c in doc["categories"]:
            drv.click('#f-cat option[value="%d"]' % c["id"])
            got = drv.js("return Array.from(document.querySelectorAll('#gallery .card')).map("
                         "function (f) { return Number(f.getAttribute('data-pos')); })")
            ids = [r[0] for r in drv.js("return window.BMX_INDEX.images")]
            want = [i for i, img_id in enumerate(ids) if c["id"] in cats_of[img_id]]
            if got != want[:48]:
                bad.append((c["name"], got, want))
        check("filtering by each category shows exactly the images with it", not bad, bad)
        drv.screenshot_jpeg(os.path.join(OUT, "report_filtered.jpg"))
        drv.click('#f-cat option[value=""]')
        drv.click('#f-op option[value="original"]')
        got = drv.js("return document.getElementById('count').getAttribute('data-shown')")
        want = sum(i["boxmix"]["op"] == "original" for i in doc["images"])
        check("filtering by operation", got == str(want), (got, want))
        drv.click('#f-op option[value=""]')
        drv.click("#f-dropped")
        got = drv.js("return Array.from(document.querySelectorAll('#gallery .card')).map("
                     "function (f) { return f.querySelector('.name').textContent; })")
        want = [i["file_name"] for i in doc["images"] if dropped_of.get(k_of.get(i["id"], -1), 0) > 0]
        check("'has dropped objects' shows exactly the outputs that dropped some", got == want, (got, want))

        # One record: its objects, its dropped ones, links to base and source drawings.
        drv.click("#gallery .card")
        drv.wait("return !document.getElementById('detail').hidden")
        first = next(i for i in doc["images"] if i["file_name"] == want[0])
        detail = drv.js("var d = document.getElementById('detail'); return {text: d.textContent,"
                        " links: Array.from(d.querySelectorAll('a')).map(function (a) { return a.href; }),"
                        " rows: d.querySelectorAll('table')[0].rows.length - 1,"
                        " dropped: d.querySelectorAll('table')[1].rows.length - 1}")
        n_obj = sum(a["image_id"] == first["id"] for a in doc["annotations"])
        links_ok = len(detail["links"]) == 2 and all(
            os.path.exists(u[len("file://"):]) for u in detail["links"])
        check("an image's record: operation, lambda, its objects and dropped ones",
              "cutmix" in detail["text"] and str(round(first["boxmix"]["lambda"], 3)) in detail["text"] and
              detail["rows"] == n_obj and detail["dropped"] == dropped_of[first["boxmix"]["index"]], detail)
        check("the record links to its base's and source's drawings", links_ok, detail["links"])
        drv.screenshot_jpeg(os.path.join(OUT, "report_detail.jpg"))
        issues = problems(drv, base_url)
        check("gallery: no console error, no failed request, nothing fetched from elsewhere",
              not issues, "\n".join(issues))

        # The statistics page.
        drv.get(base_url + "stats.html")
        drv.wait("return document.readyState === 'complete'")
        counts = drv.js("var o = {}; document.querySelectorAll('table.counts td[data-count]').forEach("
                        "function (t) { o[t.getAttribute('data-count')] = Number(t.textContent); }); return o;")
        want = {"images": n, "objects": len(doc["annotations"]),
                "crowd": sum(a.get("iscrowd", 0) for a in doc["annotations"]),
                "considered": len(lines), "kept": sum(x["decision"] == "kept" for x in lines),
                "clipped": sum(x["decision"] == "clipped" for x in lines),
                "dropped": sum(x["decision"] == "dropped" for x in lines),
                "op-cutmix": sum(i["boxmix"]["op"] == "cutmix" for i in doc["images"]),
                "op-original": sum(i["boxmix"]["op"] == "original" for i in doc["images"])}
        check("statistics: the counts shown are the dataset's and the log's",
              all(counts.get(k) == v for k, v in want.items()), (counts, want))
        per_cat = drv.js("return Array.from(document.querySelectorAll('table.cats tr[data-category]')).map("
                         "function (r) { var o = {id: Number(r.getAttribute('data-category'))};"
                         " r.querySelectorAll('td').forEach(function (t) {"
                         " o[t.getAttribute('data-count')] = Number(t.textContent); }); return o; })")
        bad = []
        for row in per_cat:
            exp = {"objects": sum(a["category_id"] == row["id"] for a in doc["annotations"]),
                   "images": sum(row["id"] in s for s in cats_of.values()),
                   "considered": sum(x["category_id"] == row["id"] for x in lines),
                   "dropped": sum(x["category_id"] == row["id"] and x["decision"] == "dropped" for x in lines)}
            if any(row[k] != v for k, v in exp.items()):
                bad.append((row, exp))
        check("statistics: per category counts", per_cat and not bad, bad)
        plots = drv.js("return Array.from(document.querySelectorAll('figure.plot')).map(function (f) {"
                       " return [f.id, f.getBoundingClientRect().height,"
                       " Array.from(f.querySelectorAll('rect[data-value]')).map(function (r) {"
                       " return [Number(r.getAttribute('data-series')), Number(r.getAttribute('data-value'))]; })]; })")
        ids = [p[0] for p in plots]
        check("statistics: the plots render (categories, lambda, visibility, box sizes)",
              ids == ["plot-categories", "plot-lambda", "plot-visibility", "plot-visibility-all", "plot-area",
                      "plot-width", "plot-height"] and all(p[1] > 100 for p in plots), plots)
        cat_plot = plots[0][2] if plots else []
        before = [v for s, v in cat_plot if s == 0]
        after = [v for s, v in cat_plot if s == 1]
        order = sorted(c["id"] for c in doc["categories"])
        check("statistics: the per category bars are before (considered) and after (written)",
              before == [sum(x["category_id"] == c for x in lines) for c in order] and
              after == [sum(a["category_id"] == c and a["boxmix"]["from"] != "original" for a in doc["annotations"])
                        for c in order], (before, after))
        lam = plots[1][2] if len(plots) > 1 else []
        check("statistics: the lambda histogram counts every output",
              sum(v for _, v in lam) == want["op-cutmix"], lam)
        drv.screenshot_jpeg(os.path.join(OUT, "report_stats.jpg"))
        if README:
            drv.screenshot_jpeg(os.path.join(ROOT, "samples", "readme", "report_stats.jpg"), 70)
        issues = problems(drv, base_url)
        check("statistics: no console error, no failed request, nothing fetched from elsewhere",
              not issues, "\n".join(issues))

        # A VOC dataset that is no boxmix output: no operation, no log, no lambda.
        rep3 = os.path.join(tmp, "voc")
        p = subprocess.run([os.path.join(TOOLS, "boxmix-draw"), "--voc", os.path.join(ROOT, "samples", "voc"),
                            "--images", SAMPLES_IMAGES, "--html", rep3, "--quiet"], capture_output=True, text=True)
        voc_url = "file://" + os.path.abspath(rep3) + "/"
        drv.get(voc_url + "index.html")
        shown = drv.wait("var c = document.getElementById('count'); return c && c.getAttribute('data-shown');")
        state = drv.js("return [document.getElementById('f-dropped').disabled,"
                       " document.querySelectorAll('#gallery .card').length]")
        drv.get(voc_url + "stats.html")
        drv.wait("return document.readyState === 'complete'")
        objects = drv.js("return Number(document.querySelector('td[data-count=objects]').textContent)")
        plots = drv.js("return Array.from(document.querySelectorAll('figure.plot')).map(function (f) { return f.id; })")
        issues = problems(drv, voc_url)
        check("a VOC report: 8 images, 41 objects, no dropped filter, no lambda plot, no error",
              p.returncode == 0 and shown == "8" and state == [True, 8] and objects == 41 and
              "plot-lambda" not in plots and "plot-categories" in plots and not issues,
              (p.stderr, shown, state, objects, plots, issues))

        # 10,000 images: the gallery pages through them holding one page of
        # thumbnails, and opening an image loads only its page of records.
        big, tiny, rep2 = os.path.join(tmp, "big.json"), os.path.join(tmp, "tiny"), os.path.join(tmp, "big")
        os.mkdir(tiny)
        with open(os.path.join(tiny, "one.png"), "wb") as f:
            f.write(tiny_png(48, 32))
        n_big = 10000
        json.dump({"images": [{"id": i + 1, "file_name": "one.png", "width": 48, "height": 32}
                              for i in range(n_big)],
                   "annotations": [{"id": i + 1, "image_id": i + 1, "category_id": 1 + i % 4, "bbox": [4, 6, 30, 20],
                                    "area": 600, "iscrowd": 0} for i in range(n_big)],
                   "categories": doc["categories"]}, open(big, "w"))
        t0 = time.time()
        p = subprocess.run([os.path.join(TOOLS, "boxmix-draw"), "--annotations", big, "--images", tiny,
                            "--html", rep2, "--quiet"], capture_output=True, text=True)
        took = time.time() - t0
        check("a report of 10,000 images", p.returncode == 0, p.stderr)
        big_url = "file://" + os.path.abspath(rep2) + "/"
        drv.get(big_url + "index.html")
        t1 = time.time()
        shown = drv.wait("var c = document.getElementById('count'); return c && c.getAttribute('data-shown');")
        opened = time.time() - t1
        imgs = drv.js("return document.querySelectorAll('img').length")
        check("10,000 images: all counted, one page of 48 thumbnails in the document",
              shown == str(n_big) and imgs == 48, (shown, imgs))
        drv.js("location.hash = 'page=150'")
        drv.wait("return document.getElementById('pageinfo').textContent === 'page 150 of 209'")
        first = drv.js("return Number(document.querySelector('#gallery .card').getAttribute('data-pos'))")
        drv.click("#gallery .card")
        drv.wait("return !document.getElementById('detail').hidden")
        scripts = drv.js("return Array.from(document.querySelectorAll('script')).map(function (e) { return e.src; })"
                         ".filter(function (u) { return u.indexOf('/data/page-') >= 0; })")
        check("10,000 images: page 150 shows images 7152.., opening one loads only its page of records",
              first == 149 * 48 and scripts == [big_url + "data/page-%05d.js" % (first // 100)], (first, scripts))
        drv.click('#f-cat option[value="3"]')
        shown = drv.js("return document.getElementById('count').getAttribute('data-shown')")
        check("10,000 images: a category filter counts from the index", shown == str(n_big // 4), shown)
        issues = problems(drv, big_url)
        check("10,000 images: no console error, no failed request", not issues, "\n".join(issues))
        notes.append("10,000 images: report drawn in %.1f s, gallery counted in %.2f s" % (took, opened))

        # The CutMix family's records (hand-made, tests/ops_records.py): each
        # operation filtered, a Mosaic's and a MixUp's record shown with their fields.
        sys.path.insert(0, os.path.join(ROOT, "tests"))
        import ops_records
        fam = os.path.join(tmp, "family")
        ann = ops_records.write_dataset(fam)
        flog = os.path.join(fam, "log.jsonl")
        with open(flog, "w") as f:
            f.write("".join(json.dumps(x) + "\n" for x in ops_records.decision_lines()))
        frep = os.path.join(tmp, "family-report")
        p = subprocess.run([os.path.join(TOOLS, "boxmix-draw"), "--annotations", ann, "--images",
                            os.path.join(fam, "images"), "--html", frep, "--decisions", flog, "--quiet"],
                           capture_output=True, text=True)
        check("family: boxmix-draw --html on every operation's records", p.returncode == 0, p.stderr)
        fam_url = "file://" + os.path.abspath(frep) + "/"
        drv.get(fam_url + "index.html")
        drv.wait("var c = document.getElementById('count'); return c && c.getAttribute('data-shown');")
        fdoc = ops_records.ops_dataset()
        bad = []
        for op in ("cutmix", "cutout", "mixup", "mosaic", "copypaste"):
            drv.click('#f-op option[value="%s"]' % op)
            got = drv.js("return document.getElementById('count').getAttribute('data-shown')")
            want = sum(i["boxmix"]["op"] == op for i in fdoc["images"])
            if got != str(want):
                bad.append((op, got, want))
        check("family: filtering by each operation", not bad, bad)
        drv.click('#f-op option[value=""]')
        texts = {}
        for pos, name in ((2, "mosaic"), (1, "mixup"), (0, "cutout"), (3, "copypaste"), (4, "cutmix")):
            drv.js("location.hash = 'image=%d'" % pos)
            drv.wait("var d = document.getElementById('detail');"
                     "return !d.hidden && d.querySelector('h2') &&"
                     " d.querySelector('h2').textContent === '%s';" % fdoc["images"][pos]["file_name"])
            texts[name] = drv.js("var d = document.getElementById('detail'); return {text: d.textContent,"
                                 " head: Array.from(d.querySelectorAll('table')[0].rows[0].cells).map("
                                 "function (c) { return c.textContent; })}")
        m = texts["mosaic"]
        check("family: a Mosaic's record shows its size, centre, tiles and each object's tile",
              "mosaic size120" in m["text"] and "centre[150, 130]" in m["text"] and
              "0: image 11 [0, 0, 90, 70] x0.5" in m["text"] and m["head"][-1] == "tile" and
              "min_visibility" in m["text"], m)
        x = texts["mixup"]
        check("family: a MixUp's record shows its source fit and each object's weight",
              "source fitletterbox" in x["text"] and x["head"][-1] == "weight" and "0.75" in x["text"], x)
        check("family: CutOut's holes and fill, Copy-Paste's pasted ids, CutMix's anchor",
              "holes[10, 10, 30, 20] [60, 40, 20, 20]" in texts["cutout"]["text"] and
              "fillconstant" in texts["cutout"]["text"] and
              "pasted annotation ids[7]" in texts["copypaste"]["text"] and
              "anchor annotation id5" in texts["cutmix"]["text"] and
              "placementsource-object" in texts["cutmix"]["text"], texts)
        issues = problems(drv, fam_url)
        check("family: no console error, no failed request", not issues, "\n".join(issues))
    finally:
        if drv is not None:
            try:
                drv.quit()
            except Exception:  # noqa: BLE001 - the browser may be gone already
                pass
        if driver is not None:
            driver.terminate()
            try:
                driver.wait(timeout=10)
            except subprocess.TimeoutExpired:
                driver.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


sys.exit(main())
