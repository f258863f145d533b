#!/bin/sh
# make bench, part 2: the rendering time of the PDF reports per plan. The
# sample plans are run REPEAT times (default 5) with PLANEVAL_PDF_TIMES=1;
# for each plan the median time of the brief and of the report is reported
# (layout, charts of the brief, fonts, writing; the report's charts come from
# charts_write_plan and are not counted), with pages and sizes. These are
# measurements, not tests: nothing here fails on a slow machine.
#   usage: tests/bench/pdf.sh ; env: PLANEVAL (binary), REPEAT (default 5)
set -eu
PLANEVAL=${PLANEVAL:-./planeval}
REPEAT=${REPEAT:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
i=0
while [ "$i" -lt "$REPEAT" ]; do
    PLANEVAL_PDF_TIMES=1 "$PLANEVAL" run -q --force --out "$work/out" 2>>"$work/times" >/dev/null ||
        { grep -v pdf-times "$work/times" >&2; exit 1; }
    i=$((i + 1))
done
printf '%-22s %10s %10s %6s %6s %9s %9s\n' plan "brief ms" "report ms" pages pages "brief KB" "report KB"
grep '^pdf-times ' "$work/times" | awk '{print $2}' | sort -u | while read -r plan; do
    med() { grep "^pdf-times $plan " "$work/times" | awk -v c="$1" '{printf "%.1f\n", $c * 1000}' |
        sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
    line=$(grep "^pdf-times $plan " "$work/times" | tail -n 1)
    bp=$(echo "$line" | awk '{print $5}')
    rp=$(echo "$line" | awk '{print $6}')
    bs=$(($(wc -c <"$work/out/$plan/brief.pdf") / 1024))
    rs=$(($(wc -c <"$work/out/$plan/report.pdf") / 1024))
    printf '%-22s %10s %10s %6s %6s %9s %9s\n' "$plan" "$(med 3)" "$(med 4)" "$bp" "$rp" "$bs" "$rs"
done
echo "(median of $REPEAT runs; pages: brief, report)"
