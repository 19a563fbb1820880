#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""No layer of the library calls a layer above it.

Usage: layers.py LIB_BUILD_DIR
Prints TAP. An upward include cannot build (each layer's include path holds only
the layers below it); this checks the calls too, public functions included: every
bmx_ symbol a layer's static library leaves undefined must be defined by itself
or a layer below it (DESIGN.md, "Layers").
"""
import os
import subprocess
import sys

LIB = sys.argv[1]
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


def main():
    table = {layer: symbols(layer) for layer in BELOW}
    print("TAP version 13")
    print("1..%d" % len(BELOW))
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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
