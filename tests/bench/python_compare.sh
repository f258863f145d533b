#!/bin/sh
# make bench-python: the same synthetic regions (gen_regions.py) through
# `planeval run` (one process, -j 1, --charts none: the PDFs draw their own
# charts) and through python_pipeline.py (statsmodels, matplotlib,
# reportlab, XlsxWriter from Debian; the same kind of work per indicator).
# Each is run REPEAT times; the median CPU time (user + sys) per region and
# the peak memory are printed, and the ratio Python / planeval.
# A measurement, not a test: nothing here fails on a slow machine.
#   usage: tests/bench/python_compare.sh [N]   N regions, default 4
#   env: PLANEVAL (binary), PYTHON (default /usr/bin/python3, the Debian one
#        with the Debian packages), REPEAT (default 3)
set -eu
PLANEVAL=${PLANEVAL:-./planeval}
PYTHON=${PYTHON:-/usr/bin/python3}
REPEAT=${REPEAT:-3}
N=${1:-4}
here=$(dirname "$0")
"$PYTHON" -c 'import numpy, scipy, statsmodels, matplotlib, reportlab, xlsxwriter, yaml' 2>/dev/null || {
    echo "python_compare: $PYTHON lacks a module; install the Debian packages python3-numpy" \
         "python3-scipy python3-statsmodels python3-matplotlib python3-reportlab" \
         "python3-xlsxwriter python3-yaml (.ci/install-deps --test)"
    exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PYTHON" "$here/gen_regions.py" "$N" "$work/r" >/dev/null
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# measure NAME CMD...: REPEAT runs; "cpu-per-region-ms peak-MB" of the median
measure() {
    name=$1
    shift
    : > "$work/$name.samples"
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        rm -rf "$work/out"
        python3 "$here/rusage.py" "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
        tail -n 1 "$work/t" >> "$work/$name.samples"
        i=$((i + 1))
    done
    cpu=$(awk -v n="$N" '{printf "%.1f\n", ($2 + $3) * 1000 / n}' "$work/$name.samples" | median)
    mem=$(awk '{printf "%.1f\n", $4 / 1024}' "$work/$name.samples" | median)
    echo "$cpu $mem"
}
set -- $(measure planeval "$PLANEVAL" run -q --force -j 1 --charts none \
    --indicators "$work/r/indicators" --data "$work/r/data" --templates "$work/r/templates" \
    --out "$work/out")
pe_cpu=$1 pe_mem=$2
set -- $(measure python "$PYTHON" "$here/python_pipeline.py" "$work/r" "$work/out")
py_cpu=$1 py_mem=$2
printf '%-10s %8s %16s %10s\n' pipeline regions "cpu/region ms" "peak MB"
printf '%-10s %8s %16s %10s\n' planeval "$N" "$pe_cpu" "$pe_mem"
printf '%-10s %8s %16s %10s\n' python "$N" "$py_cpu" "$py_mem"
awk -v a="$py_cpu" -v b="$pe_cpu" 'BEGIN {printf "planeval is %.0f times faster per region (CPU), median of '"$REPEAT"' runs\n", a / b}'
