#!/bin/sh
# SPDX-License-Identifier: MIT
# Run each libFuzzer target for a while on a copy of its committed corpus.
#
#   tests/fuzz/run_fuzz.sh BUILD_FUZZ_DIR [SECONDS] [TARGET...]
#
# BUILD_FUZZ_DIR is <build>/tests/fuzz of a build configured with -Dfuzz=true
# (CC=clang, -Db_sanitize=address,undefined -Db_lundef=false). SECONDS defaults to
# 30 per target; TARGETs default to all (coco check voc rle_string polygon image
# journal yolo_rows yolo_yaml decisions).
# The committed corpus is never modified: each target runs in a fresh temporary
# folder. Exit status 1 when any target crashes, leaks, times out, runs out of
# memory or fails a property; the inputs that did are copied to
# $FUZZ_ARTIFACTS (default ./fuzz-artifacts) to minimise and commit as
# corpus/<target>/regress-<name>.
set -u

here=$(cd "$(dirname "$0")" && pwd)
corpus_root="$here/corpus"

if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_FUZZ_DIR [SECONDS] [TARGET...]" >&2
    exit 2
fi
build=$1
shift
seconds=30
if [ $# -gt 0 ]; then
    seconds=$1
    shift
fi
case $seconds in
    ''|*[!0-9]*) echo "$0: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;;
esac
targets=${*:-coco check voc rle_string polygon image journal yolo_rows yolo_yaml decisions recipe object_mask}
artifacts=${FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}
# FUZZ_SEED=N makes libFuzzer's mutations repeatable (the same inputs in the same
# order on the same corpus and build); unset, each run draws its own.
seed_opt=
case ${FUZZ_SEED:-} in
    '') ;;
    *[!0-9]*) echo "$0: FUZZ_SEED must be a whole number, got '$FUZZ_SEED'" >&2; exit 2 ;;
    *) seed_opt="-seed=$FUZZ_SEED" ;;
esac

# Longest input per target: documents and images are larger than number streams.
max_len_of() {
    case $1 in
        coco|check|voc|yolo_rows|yolo_yaml) echo 65536 ;;
        image) echo 262144 ;;
        *) echo 4096 ;;
    esac
}

work=$(mktemp -d "${TMPDIR:-/tmp}/bmx-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM

status=0
for t in $targets; do
    bin="$build/fuzz_$t"
    if [ ! -x "$bin" ]; then
        echo "FAIL $t: $bin not found (configure with -Dfuzz=true)" >&2
        status=1
        continue
    fi
    mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
    if [ -d "$corpus_root/$t" ]; then
        cp -R "$corpus_root/$t/." "$work/$t/corpus/"
    fi
    # The checker starts from the COCO reader's inputs too.
    if [ "$t" = check ]; then
        cp -R "$corpus_root/coco/." "$work/$t/corpus/"
    fi
    log="$work/$t/log"
    # Leaks are reported by the ASan build itself (detect_leaks is on by default).
    ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=0:print_stacktrace=1} \
        "$bin" "$work/$t/corpus" \
        -max_total_time="$seconds" \
        -max_len="$(max_len_of "$t")" \
        -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 $seed_opt \
        -artifact_prefix="$work/$t/artifacts/" >"$log" 2>&1
    rc=$?
    found=$(ls "$work/$t/artifacts" 2>/dev/null | wc -l)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
        echo "FAIL $t: exit $rc, $found artifact(s), ${runs:-?} runs"
        # the report: from the first sanitizer/property message on
        sed -n '/runtime error\|ERROR:\|property failed\|does not read back\|refused a dataset/,$p' "$log" |
            grep -v '^stat::' | head -n 40
        mkdir -p "$artifacts/$t"
        cp "$work/$t/artifacts/"* "$artifacts/$t/" 2>/dev/null
        echo "     inputs kept in $artifacts/$t"
        status=1
    else
        echo "ok   $t: ${seconds}s, ${runs:-?} runs, ${cov:-cov: ?}"
    fi
done
exit $status
