#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""No layer of the library calls a layer above it.

Usage: layers.py LIB_BUILD_DIR SOURCE_ROOT
Prints TAP. An upward include cannot build (each layer's include path holds only
the layers below it); this checks the calls too, public functions included: every
bmx_ symbol a layer's static library leaves undefined must be defined by itself
or a layer below it (DESIGN.md, "Layers"). And the public header shows the lowest
layer only its own part: built as lib/core is (BMX__LAYER_CORE), or through core's
error.h, code sees the status, errors, generator and limits, and nothing of the
layers above (a use of struct bmx_box there fails to compile).
"""
import os
import subprocess
import sys
import tempfile

LIB = sys.argv[1]
SRC = sys.argv[2]
BELOW = {
    "core": [],
    "geometry": ["core"],
    "image": ["core"],
    "model": ["core", "geometry"],
    "formats": ["core", "geometry", "model"],
    "ops": ["core", "geometry", "image", "model"],
    "draw": ["core", "geometry", "image", "model"],
    "run": ["core", "geometry", "image", "model", "formats", "ops", "draw"],
}


def symbols(layer):
    out = subprocess.run(["nm", "-g", os.path.join(LIB, "libbmx_%s.a" % layer)],
                         capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[-1].startswith("bmx_"):
            (undefined if parts[-2] == "U" else defined).add(parts[-1])
    return defined, undefined


CORE_USES = """
void f(void);
void f(void) {
    bmx_error e = {BMX_OK, {0}};
    bmx_rng r;
    struct bmx_limits l;
    bmx_rng_seed(&r, 1, 2);
    bmx_limits_init(&l);
    (void)e;
}
"""
ABOVE_CORE = "struct bmx_box b = {0, 0, 1, 1};\n"


def compiles(prelude, body):
    """Whether the C compiler takes prelude + body as a translation unit."""
    with tempfile.TemporaryDirectory() as tmp:
        c = os.path.join(tmp, "t.c")
        with open(c, "w") as f:
            f.write(prelude + body)
        p = subprocess.run(["cc", "-std=c11", "-fsyntax-only", "-Werror",
                            "-I" + os.path.join(SRC, "lib", "include"),
                            "-I" + os.path.join(SRC, "lib", "core"), c],
                           capture_output=True, text=True)
        return p.returncode == 0


def header_cases():
    """(description, passed) of what the lowest layer sees of the public header."""
    core_build = '#define BMX__LAYER_CORE\n#include "boxmix.h"\n'
    via_error = '#include "error.h"\n'
    everything = '#include "error.h"\n#include "boxmix.h"\n'
    return [
        ("lib/core sees the core part of boxmix.h", compiles(core_build, CORE_USES)),
        ("lib/core does not see the layers above it", not compiles(core_build, ABOVE_CORE)),
        ("error.h alone gives the core part only",
         compiles(via_error, CORE_USES) and not compiles(via_error, ABOVE_CORE)),
        ("boxmix.h after error.h gives the whole API", compiles(everything, ABOVE_CORE)),
    ]


def main():
    table = {layer: symbols(layer) for layer in BELOW}
    cases = header_cases()
    print("TAP version 13")
    print("1..%d" % (len(BELOW) + len(cases)))
    failed = 0
    for i, (layer, below) in enumerate(BELOW.items(), 1):
        allowed = set(table[layer][0])
        for b in below:
            allowed |= table[b][0]
        up = sorted(s for s in table[layer][1] if s not in allowed)
        ok = not up
        failed += not ok
        print("%s %d - %s calls only itself and the layers below it" % ("ok" if ok else "not ok", i, layer))
        for s in up[:10]:
            owners = [l for l in BELOW if s in table[l][0]]
            print("# calls %s, defined in %s" % (s, ", ".join(owners) or "no layer"))
    for i, (what, ok) in enumerate(cases, len(BELOW) + 1):
        failed += not ok
        print("%s %d - %s" % ("ok" if ok else "not ok", i, what))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
