#!/bin/sh
# tests/fuzz/run.sh - build and run the libFuzzer harnesses of planeval.
#
#     sh tests/fuzz/run.sh [SECONDS] [HARNESS...]
#
# SECONDS: how long each harness fuzzes (default 20; `make fuzz-smoke` runs
# 20, `make fuzz` 300). HARNESS: yaml, csv, formula,
# xlsx, template, runconfig (default: all).
# Run from anywhere; it works from the repository root.
#
# Harnesses (tests/fuzz/fuzz_<name>.c):
#   yaml     ydoc_load, plan_load (then evaluate_plan), catalogue_load,
#            dictionary_load (then region_load with that dictionary)
#   csv      csvfile_parse, and region_load of the file with every query
#   formula  formula_parse, formula_eval, formula_print
#   xlsx     xlsx_read (minizip, expat) of whole workbooks and of single XML
#            parts wrapped in a valid one; numtext_parse on every cell
#   template rtpl_load (report templates) and labels_load (wording files),
#            then the renderers' lookups and placeholder expansion
#   runconfig run_config_load, with runconfig.h's promises checked on what
#            loads (values in range, paths joined and normalised)
#
# Each is built with clang -fsanitize=fuzzer,address,undefined against the
# loader sources only (no report, chart, workbook or PDF modules). For each
# harness, in order:
#   1. every reproducer kept in tests/fuzz/regressions/<name>/ is replayed
#      once: a crash that was fixed must stay fixed;
#   2. it fuzzes for SECONDS, from the seeds (rebuilt from the real files
#      of the repository by mkseeds.sh), the regressions and the corpus grown
#      by earlier runs (build/fuzz/corpus/<name>/, not in git), with the
#      dictionary tests/fuzz/<name>.dict.
# A crash, a sanitizer report, a leak, a timeout (over FUZZ_TIMEOUT s for
# one input, default 10) or an out-of-memory (over 2 GB) fails the harness.
# The input that failed is minimised (-minimize_crash=1) into
# build/fuzz/crashes/<name>/; once the bug is fixed, keep the minimised
# file in tests/fuzz/regressions/<name>/.
#
# Output: one line per harness (runs, exec/s, the slowest input's time,
# corpus size, or why it failed), then "N passed, M failed"; the exit status is non-zero when a
# harness failed. Logs: build/fuzz/logs/<name>.log.
#
# Environment: FUZZ_CC (default clang), FUZZ_BUILD (default build/fuzz),
# FUZZ_TIMEOUT (seconds per input, default 10), ASAN_OPTIONS (default
# quarantine_size_mb=16: a freed block is kept poisoned until 16 MB more
# has been freed, not 256 MB, so the harnesses stop touching a fresh page
# for nearly every allocation: 1.4-2x the executions per second; see
# README.md, "Speed").

set -u
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=16}"

SECS=${1:-20}
[ $# -gt 0 ] && shift
HARNESSES=${*:-yaml csv formula xlsx template runconfig}
case $SECS in
'' | *[!0-9]*) echo "run.sh: SECONDS must be a whole number, not '$SECS'" >&2; exit 2 ;;
esac

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
CC=${FUZZ_CC:-clang}
BUILD=${FUZZ_BUILD:-build/fuzz}
TIMEOUT=${FUZZ_TIMEOUT:-10}
HERE=tests/fuzz

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "run.sh: $CC not found (install clang: ./.ci/install-deps)" >&2
    exit 2
fi

# ---- build ----

# The modules the loaders need, and nothing that renders.
LIBSRC="util diag sha256 yamldoc formula csvfile dataset plan compute assess labels numtext xlsxread
        report_tpl runconfig"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -Isrc
        $(pkg-config --cflags yaml-0.1 minizip expat 2>/dev/null)"
LIBS="$(pkg-config --libs yaml-0.1 minizip expat 2>/dev/null || echo -lyaml -lminizip -lexpat) -lz -lcsv -lm"

mkdir -p "$BUILD/obj" "$BUILD/bin" "$BUILD/logs" || exit 2

# Rebuild an object when its source or any header is newer.
stale() {
    [ ! -f "$2" ] || [ "$1" -nt "$2" ] ||
        [ -n "$(find src "$HERE" -name '*.h' -newer "$2" 2>/dev/null | head -n 1)" ]
}

build() {
    objs=""
    for m in $LIBSRC; do
        o=$BUILD/obj/$m.o
        if stale "src/$m.c" "$o"; then
            # shellcheck disable=SC2086
            $CC $CFLAGS $SAN -fsanitize=fuzzer-no-link -c -o "$o" "src/$m.c" || return 1
        fi
        objs="$objs $o"
    done
    for h in $HARNESSES; do
        # shellcheck disable=SC2086
        $CC $CFLAGS $SAN -fsanitize=fuzzer -Wall -Wextra -DFUZZ_ROOT="\"$ROOT\"" \
            -o "$BUILD/bin/fuzz_$h" "$HERE/fuzz_$h.c" "$HERE/fuzz_common.c" $objs $LIBS ||
            return 1
    done
    # The seed extractor: plain, no instrumentation.
    # shellcheck disable=SC2086
    $CC $CFLAGS -o "$BUILD/bin/extract_formulas" "$HERE/extract_formulas.c" src/util.c \
        src/diag.c src/sha256.c src/yamldoc.c $LIBS
}

for h in $HARNESSES; do
    [ -f "$HERE/fuzz_$h.c" ] || { echo "run.sh: no harness '$h'" >&2; exit 2; }
done
echo "fuzz: building $HARNESSES"
if ! build; then
    echo "fuzz: build failed"
    echo "0 passed, $(echo $HARNESSES | wc -w) failed"
    exit 1
fi
if ! sh "$HERE/mkseeds.sh" "$BUILD/seeds" "$BUILD/bin/extract_formulas"; then
    echo "fuzz: could not build the seed corpora"
    exit 1
fi

# ---- run ----

passed=0
failed=0

# The value of libFuzzer's final statistic $2 in log $1.
stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }

# Minimise the failing input $2 of harness $1; prints where it went.
minimise() {
    bin=$BUILD/bin/fuzz_$1
    out=$BUILD/crashes/$1/min-$(basename "$2")
    if "$bin" -minimize_crash=1 -max_total_time=60 -timeout="$TIMEOUT" \
        -exact_artifact_path="$out" "$2" >"$BUILD/logs/$1.minimise.log" 2>&1 ||
        [ -f "$out" ]; then
        [ -f "$out" ] && { echo "$out"; return; }
    fi
    echo "$2"
}

for h in $HARNESSES; do
    bin=$BUILD/bin/fuzz_$h
    log=$BUILD/logs/$h.log
    reg=$HERE/regressions/$h
    mkdir -p "$BUILD/corpus/$h" "$BUILD/crashes/$h" "$reg"
    : >"$log"

    # 1. Replay the regressions.
    regs=$(find "$reg" -type f ! -name 'README*' ! -name '.*' | sort)
    nregs=$(printf '%s' "$regs" | grep -c . || true)
    if [ -n "$regs" ]; then
        # shellcheck disable=SC2086
        if ! "$bin" -timeout="$TIMEOUT" -rss_limit_mb=2048 $regs >"$log" 2>&1; then
            bad=$(sed -n 's/^Running: //p' "$log" | tail -n 1)
            echo "fuzz_$h: FAILED: regression $bad crashes again (see $log)"
            grep -m 3 -E 'ERROR: |runtime error|SUMMARY' "$log" | sed 's/^/    /'
            failed=$((failed + 1))
            continue
        fi
    fi

    # 2. Fuzz.
    before=$(find "$BUILD/crashes/$h" -type f ! -name 'min-*' | sort)
    "$bin" -max_total_time="$SECS" -timeout="$TIMEOUT" -rss_limit_mb=2048 \
        -dict="$HERE/$h.dict" -artifact_prefix="$BUILD/crashes/$h/" -print_final_stats=1 \
        "$BUILD/corpus/$h" "$BUILD/seeds/$h" "$reg" >>"$log" 2>&1
    rc=$?
    runs=$(stat "$log" number_of_executed_units)
    eps=$(stat "$log" average_exec_per_sec)
    slow=$(stat "$log" slowest_unit_time_sec)
    corpus=$(find "$BUILD/corpus/$h" -type f | wc -l)
    if [ $rc -eq 0 ]; then
        echo "fuzz_$h: ok, ${SECS} s, ${runs:-?} runs, ${eps:-?} exec/s, slowest input ${slow:-?} s, $nregs regressions replayed, corpus $corpus"
        passed=$((passed + 1))
        continue
    fi
    failed=$((failed + 1))
    new=$(find "$BUILD/crashes/$h" -type f ! -name 'min-*' | sort | while read -r f; do
        printf '%s\n' "$before" | grep -qxF "$f" || echo "$f"
    done | tail -n 1)
    what=$(grep -m 1 -E '^==[0-9]+==ERROR: |runtime error:|^==[0-9]+== ERROR: libFuzzer' "$log" |
        sed 's/^==[0-9]*== *//')
    echo "fuzz_$h: FAILED after ${runs:-?} runs: ${what:-exit status $rc} (see $log)"
    if [ -n "$new" ]; then
        echo "    input: $new"
        min=$(minimise "$h" "$new")
        echo "    minimised: $min"
        echo "    reproduce: $bin $min"
        echo "    once fixed, keep it: cp $min $reg/"
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
