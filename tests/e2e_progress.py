#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of the tools' progress display (README, Progress).

Usage: e2e_progress.py TOOLS_DIR SOURCE_ROOT
Prints TAP. Runs boxmix-augment under a pseudo-terminal (`script` from
util-linux) and checks the updating line (done/total, rate, elapsed, time left,
carriage returns, a few updates a second, a final newline before the summary);
interrupts a run under a pseudo-terminal (Python's pty) and checks the line is
ended before the message; checks that boxmix-check's problems never share a line
with it; runs every tool with --progress json and checks each stderr line is a
JSON object with done, total, rate and eta_s whose last one has done == total;
and checks that without --progress, off a terminal, stderr has no progress and
stdout is what it is with --progress none.
"""
import json
import os
import pty
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOOLS, ROOT = sys.argv[1], sys.argv[2]
ANN = os.path.join(ROOT, "samples", "coco", "annotations.json")
IMAGES = os.path.join(ROOT, "samples", "images")
VOC = os.path.join(ROOT, "samples", "voc")

results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def tool(name):
    return os.path.join(TOOLS, "boxmix-" + name)


def run(args):
    p = subprocess.run(args, capture_output=True)
    return p.returncode, p.stdout, p.stderr


# A frame of the line: "PROG: STAGE DONE/TOTAL UNIT, RATE/s, elapsed M:SS, left M:SS";
# where that is wider than the terminal, without "PROG: ", then without " UNIT".
LINE = re.compile(rb"^(boxmix-\w+: )?([a-z ]+) (\d+)/(\d+)( outputs| images| files| records)?, "
                  rb"(--|\d+(?:\.\d)?)/s, elapsed (\d+:\d\d(?::\d\d)?), left (--:--|\d+:\d\d(?::\d\d)?) *$")


def frames(text):
    """The progress frames of a terminal's bytes: each carriage return starts one."""
    out = []
    for line in text.replace(b"\r\n", b"\n").split(b"\n"):
        for part in line.split(b"\r"):
            m = LINE.match(part)
            if m:
                out.append(m)
    return out


def under_script(cmd):
    """Run a shell command line on a pseudo-terminal with script(1): all it wrote."""
    t0 = time.monotonic()
    p = subprocess.run(["script", "-qfec", cmd, "/dev/null"], capture_output=True,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, time.monotonic() - t0


def test_line_under_terminal(tmp):
    out = os.path.join(tmp, "tty")
    cmd = " ".join(shlex.quote(a) for a in [
        tool("augment"), "--annotations", ANN, "--images", IMAGES, "--out", out,
        "--per-image", "40", "--threads", "2", "--seed", "5"])
    rc, text, seconds = under_script(cmd)
    check("tty: augment exits 0", rc == 0, text[-300:])
    fr = frames(text)
    stages = [m.group(2) for m in fr]
    check("tty: the line shows both stages", b"checking inputs" in stages and
          b"making outputs" in stages, stages[:5])
    outs = [m for m in fr if m.group(2) == b"making outputs"]
    check("tty: done/total counts up to the total",
          outs and all(int(m.group(4)) == 320 for m in outs) and int(outs[-1].group(3)) == 320 and
          [int(m.group(3)) for m in outs] == sorted(int(m.group(3)) for m in outs),
          [m.group(0) for m in outs[:3]])
    check("tty: a rate, elapsed and time left once something is done",
          any(m.group(6) != b"--" for m in outs) and outs[-1].group(8) == b"0:00",
          outs[-1].group(0) if outs else "")
    check("tty: carriage-return updates, at most a few a second",
          b"\r" in text and len(fr) <= 6 + 5 * seconds, (len(fr), seconds))
    # The finished line ends with a newline: the summary starts its own line.
    last = outs[-1].group(0) if outs else b"?"
    check("tty: the final line ends with a newline, then the summary",
          re.search(re.escape(last) + rb" *\r?\n" + rb"boxmix-augment: wrote 320 samples", text),
          text[-400:])
    check("tty: no line is wider than 80 columns",
          all(len(m.group(0)) <= 79 for m in fr))

    out = os.path.join(tmp, "tty-none")
    cmd = " ".join(shlex.quote(a) for a in [
        tool("augment"), "--annotations", ANN, "--images", IMAGES, "--out", out,
        "--progress", "none"])
    rc, text, _ = under_script(cmd)
    check("tty: --progress none shows no line", rc == 0 and not frames(text) and b"\r\r" not in text
          and text.startswith(b"boxmix-augment: wrote"), text[:200])


def on_pty(args, interrupt_after=None, stage=b"making outputs"):
    """Run args with stdout and stderr on a pseudo-terminal; with interrupt_after,
    send SIGINT once that many units of `stage` are done. Returns (exit status,
    bytes, whether the signal was sent)."""
    master, slave = pty.openpty()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    data = b""
    sent = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        if interrupt_after is not None and not sent:
            done = [int(m.group(3)) for m in frames(data) if m.group(2) == stage]
            if done and done[-1] >= interrupt_after:
                p.send_signal(signal.SIGINT)
                sent = True
        if p.poll() is not None and not ready:
            break
    os.close(master)
    return p.wait(), data, sent


def test_interrupt(tmp):
    out = os.path.join(tmp, "sigint")
    rc, text, sent = on_pty([tool("augment"), "--annotations", ANN, "--images", IMAGES, "--out",
                             out, "--per-image", "400", "--threads", "1"], interrupt_after=5)
    check("SIGINT: the run was interrupted mid-stage and exits 130", sent and rc == 130, (rc, sent))
    m = re.search(rb"([^\n]*)\n(boxmix-augment: [^\n]*interrupted[^\n]*)", text.replace(b"\r\n", b"\n"))
    check("SIGINT: the line is ended before the message, which has a line of its own",
          m is not None and m.group(2).startswith(b"boxmix-augment: " + out.encode()),
          text[-300:])
    shutil.rmtree(out, ignore_errors=True)


def test_check_interrupt(tmp):
    """boxmix-check exits from its signal handler: the line is ended there."""
    big = os.path.join(tmp, "big.json")
    n = 400000
    with open(big, "w") as f:
        f.write('{"images":[{"id":1,"file_name":"a.jpg","width":640,"height":480}],'
                '"categories":[{"id":1,"name":"thing"}],"annotations":[')
        f.write(",".join('{"id":%d,"image_id":1,"category_id":1,"bbox":[1,2,30,40],"area":1200,'
                         '"iscrowd":0}' % (i + 1) for i in range(n)))
        f.write("]}")
    rc, text, sent = on_pty([tool("check"), big], interrupt_after=1, stage=b"checking records")
    check("check SIGINT: interrupted mid-stage, exits 130", sent and rc == 130, (rc, sent, text[-200:]))
    check("check SIGINT: the line is ended before the message",
          re.search(rb"\n(\r\n)?boxmix-check: interrupted\r?\n?$", text) is not None and
          not re.search(rb"left [-:0-9]+ *boxmix-check: interrupted", text), text[-300:])
    os.unlink(big)


def test_check_problems(tmp):
    rc, text, _ = on_pty([tool("check"), "--images", IMAGES, ANN])
    lines = text.replace(b"\r\n", b"\n").split(b"\n")
    problems = [ln for ln in lines if b"[missing-recommended-key]" in ln]
    check("check on a terminal: both problems shown", rc == 0 and len(problems) == 2, text[-300:])
    check("check on a terminal: a problem never shares its line with the progress line",
          all(b"checking records" not in ln.split(b"\r")[-1] for ln in problems) and
          all(ln.split(b"\r")[-1].startswith(b"samples/") or ln.split(b"\r")[-1].startswith(ANN.encode())
              for ln in problems), problems)
    check("check on a terminal: the line reached the total",
          any(m.group(3) == m.group(4) == b"53" for m in frames(text)), text[-300:])


def json_lines(stderr):
    """The JSON objects of stderr (the tools' own messages are the other lines)."""
    return [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]


def test_json_and_quiet(tmp):
    shards = [os.path.join(tmp, "json-augment-shard%d-a" % i) for i in range(2)]
    runs = {
        "augment": lambda o: [tool("augment"), "--annotations", ANN, "--images", IMAGES,
                              "--out", o, "--per-image", "2", "--threads", "2"],
        "augment-shard0": lambda o: [tool("augment"), "--annotations", ANN, "--images", IMAGES,
                                     "--out", o, "--shard", "0/2"],
        "augment-shard1": lambda o: [tool("augment"), "--annotations", ANN, "--images", IMAGES,
                                     "--out", o, "--shard", "1/2"],
        "merge": lambda o: [tool("merge"), o, *shards],
        "draw": lambda o: [tool("draw"), "--annotations", ANN, "--images", IMAGES, "--out", o],
        "convert": lambda o: [tool("convert"), "--from", "coco", "--annotations", ANN,
                              "--images", IMAGES, "--to", "voc", "--out", o],
        "check": lambda o: [tool("check"), "--images", IMAGES, ANN],
        "check-voc": lambda o: [tool("check"), "--voc", VOC, "--images", IMAGES],
    }
    units = {"augment": "outputs", "merge": "files", "draw": "images", "convert": "files",
             "check": "records", "check-voc": "files"}
    for name, make in runs.items():
        base = os.path.join(tmp, "json-" + name)
        rc_a, out_a, err_a = run(make(base + "-a") + ["--progress", "json"])
        rc_b, out_b, err_b = run(make(base + "-b"))
        rc_c, out_c, err_c = run(make(base + "-c") + ["--progress", "none"])
        check("%s: exit status the same with and without --progress" % name,
              rc_a == rc_b == rc_c == 0, (rc_a, rc_b, rc_c, err_a[-200:]))
        check("%s: off a terminal, no --progress: no progress on stderr" % name,
              err_b == err_c and not frames(err_b) and b"\r" not in err_b and b'{"' not in err_b
              and (err_b == b"" or name == "convert"), err_b[:200])
        norm = lambda s, o: s.replace(o.encode(), b"OUT")
        check("%s: stderr with --progress json is the JSON lines and what it was" % name,
              b"".join(ln for ln in err_a.splitlines(True) if not ln.startswith(b'{"'))
              == norm(err_b, base + "-b").replace(b"OUT", (base + "-a").encode()), err_a[-200:])
        check("%s: stdout the same with --progress json, none and without" % name,
              norm(out_a, base + "-a") == norm(out_b, base + "-b") == norm(out_c, base + "-c"),
              (out_a[:200], out_b[:200]))
        if name.startswith("augment-shard"):
            continue
        try:
            objs = json_lines(err_a)
        except ValueError as e:
            check("%s: --progress json lines parse as JSON" % name, False, "%s: %r" % (e, err_a[:300]))
            continue
        check("%s: --progress json lines parse as JSON" % name, objs, err_a[:300])
        check("%s: every object has done, total, rate and eta_s" % name,
              all({"done", "total", "rate", "eta_s"} <= set(o) for o in objs), objs[:2])
        check("%s: the last object has done == total, of %s" % (name, units[name]),
              objs and objs[-1]["done"] == objs[-1]["total"] > 0 and objs[-1]["unit"] == units[name]
              and objs[-1]["eta_s"] == 0, objs[-1:])
        check("%s: done never goes down within a stage" % name,
              all(b["done"] >= a["done"] for a, b in zip(objs, objs[1:]) if a["stage"] == b["stage"]),
              objs)

    # --progress line off a terminal: the line all the same, ended by a newline.
    o = os.path.join(tmp, "line")
    rc, out, err = run([tool("draw"), "--annotations", ANN, "--images", IMAGES, "--out", o,
                        "--progress", "line"])
    fr = frames(err)
    check("--progress line off a terminal: the line, ended with a newline",
          rc == 0 and fr and fr[-1].group(3) == fr[-1].group(4) == b"8" and err.endswith(b"\n")
          and err.startswith(b"\r"), err[-200:])

    for name in ["augment", "draw", "convert", "check", "merge"]:
        rc, _, err = run([tool(name), "--progress", "sometimes", "x"])
        check("%s: --progress sometimes is a usage error" % name,
              rc == 2 and b"--progress: expected auto, line, json or none" in err, err[:200])
        rc, out, _ = run([tool(name), "--help"])
        check("%s: --help lists --progress" % name, rc == 0 and b"--progress MODE" in out)


def main():
    if shutil.which("script") is None:
        print("1..1\nnot ok 1 - script(1) from util-linux (bsdutils) is needed")
        return 1
    tmp = tempfile.mkdtemp(prefix="bmx-e2e-progress-")
    try:
        test_line_under_terminal(tmp)
        test_interrupt(tmp)
        test_check_problems(tmp)
        test_check_interrupt(tmp)
        test_json_and_quiet(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(results))
    failed = 0
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            print("# %r" % (detail,))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
