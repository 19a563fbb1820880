#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The installed library, as a user's program sees it.

Usage: e2e_install.py BUILD_DIR SOURCE_ROOT CHECK_TOOL
Prints TAP. Installs the build into a temporary folder (meson install --destdir),
compiles the README's first C block (a whole program on the in-memory API) with
`pkg-config --cflags --libs boxmix`, runs it on samples/ and checks what it wrote
with boxmix-check; then links the same program statically with
`pkg-config --static --libs boxmix` alone (the shared library removed from the
copy) and runs that too.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

BUILD, ROOT, CHECK = sys.argv[1], sys.argv[2], sys.argv[3]
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def sh(args, env=None, cwd=None):
    p = subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd)
    return p.returncode, p.stdout + p.stderr


def readme_program():
    lines, inside = [], False
    with open(os.path.join(ROOT, "README.md")) as f:
        for line in f:
            if not inside and line.rstrip() == "```c":
                inside = True
                continue
            if inside and line.rstrip() == "```":
                break
            if inside:
                lines.append(line)
    return "".join(lines)


def checks(tmp):
    dest = os.path.join(tmp, "dest")
    rc, out = sh(["meson", "install", "-C", BUILD, "--destdir", dest, "--no-rebuild", "--quiet"])
    check("meson install --destdir", rc == 0, out)
    pcs = glob.glob(os.path.join(dest, "**", "boxmix.pc"), recursive=True)
    check("boxmix.pc is installed", len(pcs) == 1, pcs)
    if rc != 0 or len(pcs) != 1:
        return
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pcs[0]), PKG_CONFIG_SYSROOT_DIR=dest)
    src = os.path.join(tmp, "mix.c")
    program = readme_program()
    with open(src, "w") as f:
        f.write(program)
    check("the README's first C block is a whole program", "int main(" in program, program[:200])
    rc, flags = sh(["pkg-config", "--cflags", "--libs", "boxmix"], env=env)
    check("pkg-config --cflags --libs boxmix", rc == 0, flags)
    exe = os.path.join(tmp, "mix")
    rc, out = sh(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", src, "-o", exe] + flags.split(), env=env)
    check("it compiles against the installed header and library, warning-free", rc == 0, out)
    libdirs = [f[2:] for f in flags.split() if f.startswith("-L")]
    run_env = dict(os.environ, LD_LIBRARY_PATH=":".join(libdirs))
    outdir = os.path.join(tmp, "mixed")
    rc, out = sh([exe, os.path.join(ROOT, "samples"), outdir], env=run_env)
    check("it runs on samples/", rc == 0 and "objects in" in out, out)
    rc, out = sh([CHECK, "--images", os.path.join(outdir, "images"),
                  os.path.join(outdir, "annotations.json")])
    check("boxmix-check finds no error in what it wrote", rc == 0, out)

    # Static: the same program from pkg-config --static alone, no shared library.
    static_dest = os.path.join(tmp, "static")
    shutil.copytree(dest, static_dest, symlinks=True)
    for so in glob.glob(os.path.join(static_dest, "**", "libboxmix.so*"), recursive=True):
        os.unlink(so)
    senv = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pcs[0]).replace(dest, static_dest),
                PKG_CONFIG_SYSROOT_DIR=static_dest)
    rc, sflags = sh(["pkg-config", "--static", "--cflags", "--libs", "boxmix"], env=senv)
    check("pkg-config --static names the private dependencies",
          rc == 0 and "-lcjson" in sflags and "-lexpat" in sflags and "-lm" in sflags, sflags)
    sexe = os.path.join(tmp, "mix-static")
    rc, out = sh(["cc", "-std=c11", src, "-o", sexe] + sflags.split(), env=senv)
    check("it links statically from pkg-config --static --libs boxmix alone", rc == 0, out)
    rc, ldd = sh(["ldd", sexe])
    check("the static program needs no libboxmix.so", rc == 0 and "libboxmix" not in ldd, ldd)
    outdir2 = os.path.join(tmp, "mixed-static")
    rc, out = sh([sexe, os.path.join(ROOT, "samples"), outdir2])
    same = rc == 0 and open(os.path.join(outdir, "annotations.json"), "rb").read() == \
        open(os.path.join(outdir2, "annotations.json"), "rb").read()
    check("the static program writes the same dataset", same, out)


def main():
    tmp = tempfile.mkdtemp(prefix="bmx_install_")
    try:
        checks(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("TAP version 13")
    print("1..%d" % len(results))
    failed = 0
    for i, (n, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, n))
        if not ok:
            failed += 1
            for line in str(detail).splitlines()[:8]:
                print("# " + line)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
