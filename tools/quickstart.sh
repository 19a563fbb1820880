#!/bin/sh
# The README's two commands: `sh tools/quickstart.sh demo` and `sh tools/quickstart.sh test`.
# Installs the Debian packages that are missing (only those), builds, then runs the
# demo on samples/ or the whole test suite (plain, then under ASan+UBSan).
set -eu

mode=${1:-demo}
case "$mode" in
    demo|test) ;;
    *) echo "usage: sh tools/quickstart.sh demo|test" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

packages="gcc meson ninja-build pkg-config libcjson-dev libstb-dev libcmocka-dev \
libturbojpeg0-dev libexpat1-dev python3 python3-jsonschema"
missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    echo "quickstart: installing:$missing"
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
fi

build() {
    dir=$1; shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@"
    fi
    meson compile -C "$dir"
}

if [ "$mode" = demo ]; then
    build build
    out=build/demo
    ./build/tools/boxmix-augment --annotations samples/coco/annotations.json \
        --images samples/images --out "$out" --per-image 2 --seed 7 --force
    ./build/tools/boxmix-draw --annotations "$out/annotations.json" --images "$out/images" \
        --out "$out/qa" --sheet "$out/qa-sheet.png" --show visibility
    echo "quickstart: augmented dataset in $out (images/, annotations.json);"
    echo "quickstart: QA drawings in $out/qa/, contact sheet $out/qa-sheet.png"
else
    build build -Dwerror=true
    meson test -C build --print-errorlogs
    build build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        meson test -C build-asan --print-errorlogs
fi
