#!/bin/sh
# The PNG encoders compared on the sample plans' charts (the table in
# docs/charts.md, "Speed"): runs `planeval run --charts png` into a scratch
# directory (or uses OUT), builds tests/bench/png_encoders.c against
# build/pngenc.o and prints CPU and size per image of each encoder.
# A measurement, not a test: nothing here fails on a slow machine.
#   usage: tests/bench/png_encoders.sh [OUT] ; env: PLANEVAL, BUILD (default build)
set -eu
PLANEVAL=${PLANEVAL:-build/planeval}
BUILD=${BUILD:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${1:-}
if [ -z "$out" ]; then
    out=$work/out
    "$PLANEVAL" run -q --force --charts png --out "$out" >/dev/null
fi
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Isrc -o "$work/png_encoders" tests/bench/png_encoders.c \
    "$BUILD/pngenc.o" "$BUILD/util.o" "$BUILD/diag.o" -lz -lm
# shellcheck disable=SC2046
"$work/png_encoders" $(find "$out" -path '*/charts/*.png' | sort)
