#!/bin/sh
# SPDX-License-Identifier: MIT
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
libturbojpeg0-dev libspng-dev libexpat1-dev python3 python3-jsonschema libyaml-dev \
python3-dev python3-numpy"
if [ "$mode" = test ]; then
    # The fuzz targets are libFuzzer's: clang and its runtime; g++ compiles the
    # public header as C++; tests/cluster/ runs the README's recipes on a real Slurm
    # cluster (the daemons, the client commands, munge) and with GNU parallel; bsdutils
    # has script(1), which runs the tools on a pseudo-terminal for the progress test
    # (essential in Debian, so normally there); numpy (above) also serves tests/coco_rle.py, the YOLO
    # mask checks of tests/e2e_yolo.py; pytest runs the Python module's tests and
    # Shapely is the reference of its benchmark (tests/bench_python.py); chromium and
    # its driver open the HTML report of boxmix-draw --html in a real browser.
    packages="$packages clang libclang-rt-14-dev g++ slurmctld slurmd slurm-client munge parallel bsdutils \
python3-pytest python3-shapely"
    packages="$packages chromium chromium-driver"
fi
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

# meson test, its output kept for the closing count; its status is the script's.
run_tests() {
    status=0
    meson test -C "$1" --print-errorlogs > "$log.part" 2>&1 || status=$?
    cat "$log.part" >> "$log"
    cat "$log.part"
    rm -f "$log.part"
    if [ "$status" != 0 ]; then
        exit "$status"
    fi
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
    # The packages above are installed, so the cluster tests may not skip for want of
    # them (as root; without root the Slurm test still skips, saying so).
    BOXMIX_REQUIRE_CLUSTER=1
    export BOXMIX_REQUIRE_CLUSTER
    # Likewise Chromium for the browser test of the HTML report.
    BOXMIX_REQUIRE_CHROMIUM=1
    export BOXMIX_REQUIRE_CHROMIUM
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    run_tests build
    build build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    export ASAN_OPTIONS UBSAN_OPTIONS
    run_tests build-asan
    # Each libFuzzer target for 30 seconds on a copy of the committed corpus.
    if [ ! -f build-fuzz/build.ninja ]; then
        CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
    fi
    meson compile -C build-fuzz
    # A fixed seed: the same mutations every run, so a red result repeats.
    FUZZ_SEED=${FUZZ_SEED:-1} FUZZ_ARTIFACTS="$root/build-fuzz/artifacts" \
        sh tests/fuzz/run_fuzz.sh build-fuzz/tests/fuzz 30
    # One closing line for the whole suite: the plain and the sanitizer runs.
    # Checks counted one by one: a test's TAP subtests, or the test itself.
    passed=$(awk '/^ *[0-9]+\/[0-9]+ .* OK / { if (match($0, /[0-9]+ subtests passed/)) { split(substr($0, RSTART), a, " "); n += a[1] } else n += 1 } END { print n + 0 }' "$log")
    failed=$(awk '/^Fail:/ {n += $2} END {print n + 0}' "$log")
    skipped=$(awk '/^Skipped:/ {n += $2} END {print n + 0}' "$log")
    echo "quickstart: every suite ran (plain, ASan+UBSan, fuzz 30 s per target)"
    echo "$passed passed, $failed failed, $skipped skipped"
fi
