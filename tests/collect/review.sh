# tests/collect/review.sh - sourced by tests/collect/run.sh.
# The data-quality review of `planeval check` (src/review.h) finds what is
# planted in a copy of data/: a missing year, a jump, a part above its
# whole; `--review DIR` writes it as CSV for the departments (read back by
# Python's csv module); the unplanted data give none of these three notes.
RV="$TMP/review"
rm -rf "$RV"
cp -r data "$RV"
"$PLANEVAL" check huantai-2021-2025 >"$TMP/rv-plain.out" 2>&1
sed -i 's/^2021,650.7,505900,492100,309000,164500,171400,/2021,650.7,505900,492100,309000,164500,1714000,/' "$RV/huantai/economy.csv"
sed -i 's/^2022,672.4,/2022,,/' "$RV/huantai/economy.csv"
sed -i 's/^2021,hazunits_automated,79,/2021,hazunits_automated,90,/' "$RV/huantai/registers.csv"
"$PLANEVAL" check huantai-2021-2025 --data "$RV" --review "$TMP/rv-out" >"$TMP/rv.out" 2>&1
rv_status=$?
check "review: check still succeeds (notes are not errors)" [ "$rv_status" -eq 0 ]
for want in "missing: gdp (地区生产总值) 2022" \
    "jump: vehicles (机动车保有量) 2020 163000 -> 2021 1714000 (x10.52)" \
    "jump: vehicles (机动车保有量) 2021 1714000 -> 2022 179300 (x0.10)" \
    "part above its whole: " "2021: numerator 90 > denominator 86"; do
    if grep -qF "$want" "$TMP/rv.out"; then pass "review finds: $want"; else fail "review finds: $want"; fi
    if grep -qF "$want" "$TMP/rv-plain.out"; then fail "review: '$want' not in the unplanted data"; fi
done
rv_csv() {
    $PY - "$TMP/rv-out/huantai-2021-2025-review.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
head = rows[0]
assert head == ["责任单位", "数据项目", "计量单位", "年份", "审核发现", "本年数值",
                "对照数值（上年数值、分母或合理范围的界限）", "核实情况（请填写）"], head
got = {(r[1], r[3], r[4]) for r in rows[1:]}
for want in [("地区生产总值", "2022", "缺少数据"),
             ("机动车保有量", "2021", "与上年相比变化超过3倍，请核实"),
             ("机动车保有量", "2022", "与上年相比变化超过3倍，请核实")]:
    assert want in got, want
part = [r for r in rows[1:] if r[4].startswith("部分大于总体")]
assert len(part) == 1 and part[0][3] == "2021" and part[0][5:7] == ["90", "86"], part
depts = [r[0] for r in rows[1:]]
assert depts == sorted(depts), "rows not in department order"
assert all(len(r) == 8 for r in rows)
PY
}
check "review: --review writes the CSV for the departments (headings, the planted notes, department order)" rv_csv
rv_xlsx() {
    $PY - "$TMP/rv-out/huantai-2021-2025-review.csv" "$TMP/rv-out/huantai-2021-2025-review.xlsx" <<'PY'
import csv, sys, openpyxl
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))[1:]
wb = openpyxl.load_workbook(sys.argv[2])
got = []
for ws in wb.worksheets:
    dept = ws.title.split(" ", 1)[1]
    for r in ws.iter_rows(min_row=2, values_only=True):
        r = ["" if v is None else str(v) for v in r]
        assert r[0].startswith(dept), (ws.title, r[0])
        got.append(r)
assert got == rows, "the workbook's rows are not the CSV's"
assert len(wb.worksheets) == len({r[0] for r in rows}) > 1
PY
}
check "review: the workbook has a sheet per department holding the CSV's rows" rv_xlsx
# The report's data appendix states the same review: the planted data's
# counts, by kind, equal those of check (one missing year more, two jumps
# more, one part above its whole).
rv_report() {
    "$PLANEVAL" run huantai-2021-2025 --data "$RV" --charts none --force --out "$TMP/rv-run" -q \
        >/dev/null 2>&1 || return 1
    # standard output only: a warning on stderr must not split a note's line
    "$PLANEVAL" check huantai-2021-2025 --data "$RV" >"$TMP/rv-stdout.out" 2>/dev/null
    _n=$(sed -n 's/^huantai-2021-2025: data review [0-9-]*: \([0-9]*\) note.*/\1/p' "$TMP/rv-stdout.out")
    _m=$(grep -c '^  missing: ' "$TMP/rv-stdout.out")
    _j=$(grep -c '^  jump: ' "$TMP/rv-stdout.out")
    _p=$(grep -c '^  part above its whole: ' "$TMP/rv-stdout.out")
    [ "$_n" -eq $((_m + _j + _p)) ] || return 1
    pdftotext "$TMP/rv-run/huantai-2021-2025/report.pdf" - | tr -d '\n' |
        grep -q "有${_n}项须请有关部门核实，其中缺报年份${_m}项、较上年变动超过3倍${_j}项、分项大于总数${_p}项、超出合理范围0项" &&
        [ "$_p" -ge 1 ] && [ "$_j" -ge 2 ]
}
check "review: the report's data appendix gives check's counts (total, missing, jumps, parts)" rv_report
# A declared plausible range (data/variables: plausible: [min, max]): a
# figure outside it is a note, with the bound, in check, the CSV and the report.
rv_range() {
    _rr="$TMP/review-range"
    rm -rf "$_rr" && cp -r data "$_rr" &&
        sed -i 's/^  gdp: {table: economy, label: 地区生产总值, unit: 亿元, kind: amount, note: 现价}$/  gdp: {table: economy, label: 地区生产总值, unit: 亿元, kind: amount, note: 现价, plausible: [0, 600]}/' "$_rr/variables/core.yaml" &&
        grep -q 'plausible: \[0, 600\]' "$_rr/variables/core.yaml" || return 1
    "$PLANEVAL" check huantai-2021-2025 --data "$_rr" --review "$TMP/rr-out" >"$TMP/rr.out" 2>/dev/null || return 1
    _r=$(grep -c '^  out of range: gdp (地区生产总值) ' "$TMP/rr.out")
    grep -q '^  out of range: gdp (地区生产总值) 2021 650.7, plausible 0-600$' "$TMP/rr.out" &&
        grep -q '地区生产总值,亿元,2021,超出数据字典给出的合理范围，请核实,650.7,600,' "$TMP/rr-out/huantai-2021-2025-review.csv" &&
        "$PLANEVAL" run huantai-2021-2025 --data "$_rr" --charts none --force --out "$TMP/rr-run" -q >/dev/null 2>&1 &&
        pdftotext "$TMP/rr-run/huantai-2021-2025/report.pdf" - | tr -d '\n' | grep -q "超出合理范围${_r}项" &&
        [ "$_r" -ge 1 ]
}
check "review: a figure outside its declared plausible range is a note (check, CSV, report)" rv_range
