#!/bin/sh
# make bench: whole runs of `planeval run` at scale. For each size, the run
# is repeated REPEAT times (default 5) and the median is reported: per-region
# CPU time (user + sys of all processes / regions), total wall time, and the
# peak resident memory of the largest process. These are measurements, not
# tests: nothing here fails on a slow machine.
#   usage: tests/bench/bench.sh [SIZES] ; SIZES default "1 100 1000"
#   env: PLANEVAL (binary), JOBS (default 2), REPEAT (default 5),
#        CHARTS (--charts: default none, since the PDFs draw their own charts;
#        "all" adds the PNG and SVG chart files, seven to nine times the CPU)
set -eu
PLANEVAL=${PLANEVAL:-./planeval}
JOBS=${JOBS:-2}
REPEAT=${REPEAT:-5}
CHARTS=${CHARTS:-none}
SIZES=${1:-"1 100 1000"}
# rusage.py, not GNU time: its %U and %S are cut to hundredths of a second
RUSAGE="python3 $(dirname "$0")/rusage.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-8s %-6s %-7s %14s %14s %12s\n' regions jobs charts "cpu/region ms" "wall s" "peak MB"
for n in $SIZES; do
    root="$work/r$n"
    python3 "$(dirname "$0")/gen_regions.py" "$n" "$root"
    : > "$work/samples"
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        rm -rf "$root/out"
        $RUSAGE "$work/t" "$PLANEVAL" run -q --force -j "$JOBS" --charts "$CHARTS" \
            --indicators "$root/indicators" --data "$root/data" --templates "$root/templates" \
            --out "$root/out" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
        tail -n 1 "$work/t" >> "$work/samples"
        i=$((i + 1))
    done
    cpu=$(awk -v n="$n" '{printf "%.1f\n", ($2 + $3) * 1000 / n}' "$work/samples" | median)
    wall=$(awk '{print $1}' "$work/samples" | median)
    mem=$(awk '{printf "%.1f\n", $4 / 1024}' "$work/samples" | median)
    printf '%-8s %-6s %-7s %14s %14s %12s\n' "$n" "$JOBS" "$CHARTS" "$cpu" "$wall" "$mem"
done
