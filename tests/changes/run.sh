#!/bin/sh
# tests/changes/run.sh - the change report against the previous run
# (changes.csv, the chapter of report.pdf, the sheet 变化; docs/results.md).
# On a temporary copy of data/ and indicators/, one plan is run again after
#   0. a first run (the 2025 accident rows held back): says so, no changes;
#   1. the 2025 accident rows added: new_data_year 2025;
#   2. an unchanged re-run with --force: no changes at all;
#   3. one 2025 value revised (火灾 accidents 1 -> 2): revised_input naming
#      2025 and old -> new, Q02's verdict met -> not_met;
#   4. a target threshold edited in the plan YAML (Q10 80 -> 85):
#      definition, and no other indicator's definition digest moves;
#   5. --since DIR compares with another out directory;
#   6. unreadable previous results give a warning, not a failed run.
# changes.csv is read with python3 csv, the chapter with pdftotext, the
# sheet with openpyxl. Ends with "N passed, M failed".
#
# PLANEVAL: the binary (default build/planeval); PYTHON (default python3)
# must have openpyxl.
set -u
cd "$(dirname "$0")/../.."
PLANEVAL=${PLANEVAL:-build/planeval}
PYTHON=${PYTHON:-/usr/bin/python3}
. tests/lib.sh

PLAN=qinan-2021-2025
cp -R data indicators "$TMP/" || exit 2
ACC="$TMP/data/qinan/accidents.csv"
YAML="$TMP/indicators/$PLAN.yaml"
grep -v '^2025,' "$ACC" >"$TMP/acc_2024" && cp "$ACC" "$TMP/acc_2025" || exit 2
cp "$TMP/acc_2024" "$ACC"

run() { # run NAME [options...]: the plan into $TMP/out, stdout in $TMP/NAME.out
    _name=$1
    shift
    "$PLANEVAL" run "$PLAN" --indicators "$TMP/indicators" --data "$TMP/data" \
        --templates templates --out "$TMP/out" "$@" >"$TMP/$_name.out" 2>"$TMP/$_name.err"
    _rc=$?
    cp "$TMP/out/$PLAN/changes.csv" "$TMP/$_name.csv" 2>/dev/null
    cp "$TMP/out/$PLAN/assessment.csv" "$TMP/$_name.assessment.csv" 2>/dev/null
    [ $_rc -eq 0 ] || { echo "planeval run ($_name) exited $_rc" >&2; cat "$TMP/$_name.err" >&2; }
    return $_rc
}

# check NAME DESCRIPTION PYTHON-EXPRESSION: rows is changes.csv of NAME as dicts
check() {
    if "$PYTHON" - "$TMP/$1.csv" "$3" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
def has(**kw):
    return [r for r in rows if all(r[k] == v for k, v in kw.items())]
ok = eval(sys.argv[2])
if not ok:
    for r in rows:
        print("   ", dict((k, v) for k, v in r.items() if v), file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
    then pass "$2"; else fail "$2"; fi
}

pdf_chapter() { # the chapter's text, spaces removed
    pdftotext "$TMP/out/$PLAN/report.pdf" - | tr -d ' \n' |
        sed -n 's/.*、与上次评估相比的变化\(.*\)附录一.*/\1/p'
}

sheet() { # the cells of 变化, one row a line, tab-separated
    "$PYTHON" - "$TMP/out/$PLAN/$PLAN.xlsx" <<'EOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
if "变化" not in wb.sheetnames:
    sys.exit("no sheet 变化 in " + ", ".join(wb.sheetnames))
if wb.sheetnames[-1] != "变化":
    sys.exit("变化 is not the last sheet")
for row in wb["变化"].iter_rows(values_only=True):
    print("\t".join("" if v is None else str(v) for v in row))
EOF
}

# 0. first run
run first || exit 1
check first "first run: one row first_run and nothing else" \
    'len(rows) == 1 and rows[0]["change"] == "first_run" and rows[0]["plan_id"] == "qinan-2021-2025"'
grep -q "^$PLAN: first run, nothing to compare with" "$TMP/first.out" &&
    pass "first run: the summary says so" || fail "first run: the summary says so"
pdf_chapter | grep -q "首次评估" && pass "first run: the PDF chapter says so" ||
    fail "first run: the PDF chapter says so"

# 1. a new data year
cp "$TMP/acc_2025" "$ACC"
run newyear || exit 1
check newyear "new year: Q02's value moves with reason new_data_year 2024 -> 2025" \
    'any("new_data_year" in r["reasons"].split(";") and r["data_year_old"] == "2024" and r["data_year_new"] == "2025" for r in has(change="value", indicator_id="Q02"))'
check newyear "new year: the accidents file is listed as a changed input" \
    'any(r["indicator_id"].endswith("data/qinan/accidents.csv") and r["old"] != r["new"] for r in has(change="input_file"))'
check newyear "new year: no definition changed" \
    'not [r for r in rows if "definition" in r["reasons"]]'
grep -q "^$PLAN: since the previous run.*(new data year 2025" "$TMP/newyear.out" &&
    pass "new year: the run summary names the year" ||
    { fail "new year: the run summary names the year"; grep since "$TMP/newyear.out" >&2; }

# 2. unchanged, --force
run same --force || exit 1
check same "unchanged re-run with --force: no changes (header only)" 'rows == []'
grep -q "^$PLAN: since the previous run.*: no changes$" "$TMP/same.out" &&
    pass "unchanged: the run summary says no changes" ||
    fail "unchanged: the run summary says no changes"
pdf_chapter | grep -q "均无变化" && pass "unchanged: the PDF chapter says no changes" ||
    fail "unchanged: the PDF chapter says no changes"
cmp -s "$TMP/newyear.assessment.csv" "$TMP/same.assessment.csv" &&
    pass "unchanged: assessment.csv (with definition) is byte-identical" ||
    fail "unchanged: assessment.csv (with definition) is byte-identical"

# 3. a revised value that crosses the target
sed 's/^2025,一般,火灾,1,1,0,9.8,$/2025,一般,火灾,2,1,0,9.8,/' "$TMP/acc_2025" >"$ACC"
cmp -s "$ACC" "$TMP/acc_2025" && { fail "revision: the fixture line was found"; }
run revised || exit 1
check revised "revision: Q02's verdict met -> not_met, reason revised_input 2025: 4 -> 5" \
    'any(r["old"] == "met" and r["new"] == "not_met" and r["reasons"] == "revised_input" and r["revisions"] == "2025: 4 -> 5" for r in has(change="verdict", indicator_id="Q02", target_no="1"))'
check revised "revision: only indicators on accidents change" \
    'all(r["indicator_id"] in ("Q01", "Q02", "Q03", "Q04") or r["change"] == "input_file" for r in rows)'
chap=$(pdf_chapter)
echo "$chap" | grep -q "1项结论变化" && echo "$chap" | grep -q "生产安全事故起数" &&
    echo "$chap" | grep -q "数据修订：2025年4→5" && echo "$chap" | grep -q "达标未达标" &&
    pass "revision: the PDF chapter has the summary and the row (达标 -> 未达标, 2025年4→5)" ||
    { fail "revision: the PDF chapter has the summary and the row"; echo "$chap" | head -c 600 >&2; }
sheet >"$TMP/sheet" 2>&1
if grep -q "1项结论变化" "$TMP/sheet" &&
    grep -q "^生产安全事故起数	目标1	结论	达标	未达标	数据修订：2025年 4→5" "$TMP/sheet"; then
    pass "revision: the sheet 变化 (last) has the summary and the row"
else
    fail "revision: the sheet 变化 (last) has the summary and the row"
    head -8 "$TMP/sheet" >&2
fi

# 4. a changed threshold
sed -i 's/- {year: 2025, op: ">=", value: 80, source: {line: 173, quote: 80%}}/- {year: 2025, op: ">=", value: 85, source: {line: 173, quote: 80%}}/' "$YAML"
grep -q 'value: 85, source: {line: 173' "$YAML" || fail "threshold: the fixture line was found"
run threshold || exit 1
check threshold "threshold: Q10's verdict met -> not_met, reason definition" \
    'any(r["old"] == "met" and r["new"] == "not_met" and r["reasons"] == "definition" for r in has(change="verdict", indicator_id="Q10"))'
check threshold "threshold: nothing else changed but the plan file" \
    'all(r["indicator_id"] == "Q10" or (r["change"] == "input_file" and r["indicator_id"].endswith(".yaml")) for r in rows)'
if "$PYTHON" - "$TMP/revised.assessment.csv" "$TMP/threshold.assessment.csv" <<'EOF'
import csv, sys
a = {(r["indicator_id"], r["target_no"]): r["definition"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
b = {(r["indicator_id"], r["target_no"]): r["definition"] for r in csv.DictReader(open(sys.argv[2], encoding="utf-8"))}
moved = sorted(k[0] for k in a if a[k] != b.get(k))
ok = moved == ["Q10"] and all(len(v) == 16 for v in b.values())
if not ok:
    print("   definitions that moved:", moved, file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
then pass "threshold: the definition digest moves for Q10 only; the data revision moved none"
else fail "threshold: the definition digest moves for Q10 only"; fi
pdf_chapter | grep -q "指标定义或目标变化" && pass "threshold: the PDF chapter gives the reason" ||
    fail "threshold: the PDF chapter gives the reason"

# 5. --since another directory: the same inputs as its last run -> no changes
cp -R "$TMP/out" "$TMP/archive"
"$PLANEVAL" run "$PLAN" --indicators "$TMP/indicators" --data "$TMP/data" --templates templates \
    --out "$TMP/out2" --since "$TMP/archive" >"$TMP/since.out" 2>"$TMP/since.err" &&
    cp "$TMP/out2/$PLAN/changes.csv" "$TMP/since.csv"
check since "--since DIR: compared with DIR/<plan>, no changes (not a first run)" 'rows == []'
grep -q "since the previous run ($TMP/archive/$PLAN): no changes" "$TMP/since.out" &&
    pass "--since DIR: the run summary names DIR" || fail "--since DIR: the run summary names DIR"

# 6. previous results that cannot be read: a warning naming the file, the run goes on
printf '\377\376p\000' >"$TMP/archive/$PLAN/assessment.csv"
"$PLANEVAL" run "$PLAN" --indicators "$TMP/indicators" --data "$TMP/data" --templates templates \
    --out "$TMP/out3" --since "$TMP/archive" >"$TMP/bad.out" 2>"$TMP/bad.err"
rc=$?
if [ $rc -eq 0 ] && grep -q "archive/$PLAN/assessment.csv.*warning: previous results cannot be read" "$TMP/bad.err"; then
    pass "unreadable previous results: a warning with the file, exit 0"
else
    fail "unreadable previous results: a warning with the file, exit 0 (got $rc)"
    grep -i "previous\|assessment" "$TMP/bad.err" >&2
fi

finish
