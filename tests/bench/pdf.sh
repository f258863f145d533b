#!/bin/sh
# make bench, part 2: per sample plan, the rendering time of the PDF reports
# and the CPU of the forecasts. The sample plans are run REPEAT times
# (default 5, one worker) with PLANEVAL_PDF_TIMES=1 and PLANEVAL_TIMES=1.
# PDFs: for each plan the median time of the brief and of the report
# (layout, charts of the brief, fonts, writing; the report's charts come from
# charts_write_plan and are not counted), with pages and sizes. Forecasts:
# the median CPU of the plan's forecasts (forecast_plan: model fits,
# averages, intervals, window probabilities) and of the whole plan
# (evaluation to commit), and the forecasts' share; issue 11 asks that they
# cost no more than before the model averaging (about 20 % of a run).
# These are measurements, not tests: nothing here fails on a slow machine.
#   usage: tests/bench/pdf.sh ; env: PLANEVAL (binary), REPEAT (default 5)
set -eu
PLANEVAL=${PLANEVAL:-./planeval}
REPEAT=${REPEAT:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
i=0
while [ "$i" -lt "$REPEAT" ]; do
    PLANEVAL_PDF_TIMES=1 PLANEVAL_TIMES=1 "$PLANEVAL" run -q --force -j 1 --out "$work/out" \
        2>>"$work/times" >/dev/null || { grep -v 'pdf-times\|cpu-times' "$work/times" >&2; exit 1; }
    i=$((i + 1))
done
# median of column $1 (seconds, printed in ms) of the lines "$2 $plan ..."
med() { grep "^$2 $plan " "$work/times" | awk -v c="$1" '{printf "%.1f\n", $c * 1000}' |
    sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
grep '^pdf-times ' "$work/times" | awk '{print $2}' | sort -u > "$work/plans"
printf '%-22s %10s %10s %6s %6s %9s %9s\n' plan "brief ms" "report ms" pages pages "brief KB" "report KB"
while read -r plan; do
    line=$(grep "^pdf-times $plan " "$work/times" | tail -n 1)
    bp=$(echo "$line" | awk '{print $5}')
    rp=$(echo "$line" | awk '{print $6}')
    bs=$(($(wc -c <"$work/out/$plan/brief.pdf") / 1024))
    rs=$(($(wc -c <"$work/out/$plan/report.pdf") / 1024))
    printf '%-22s %10s %10s %6s %6s %9s %9s\n' "$plan" "$(med 3 pdf-times)" "$(med 4 pdf-times)" \
        "$bp" "$rp" "$bs" "$rs"
done < "$work/plans"
echo "(median of $REPEAT runs; pages: brief, report)"
echo
printf '%-22s %14s %10s %7s\n' plan "forecasts ms" "plan ms" share
while read -r plan; do
    f=$(med 3 cpu-times)
    t=$(med 4 cpu-times)
    echo "$f $t" >> "$work/sums"
    printf '%-22s %14s %10s %6.1f%%\n' "$plan" "$f" "$t" "$(echo "$f $t" | awk '{print 100 * $1 / $2}')"
done < "$work/plans"
awk '{f += $1; t += $2} END {printf "%-22s %14.1f %10.1f %6.1f%%\n", "all", f, t, 100 * f / t}' "$work/sums"
echo "(CPU of the worker, median of $REPEAT runs; the first plan a worker runs also loads its fonts)"
