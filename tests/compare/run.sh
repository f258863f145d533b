#!/bin/sh
# tests/compare/run.sh - the cross-region comparison (docs/comparison.md),
# checked with real readers on a temporary out directory:
#   - `planeval run` over the sample plans writes comparison.{pdf,xlsx,csv}
#     and lists them in manifest.json;
#   - pdftotext finds every shared indicator's name and its ranking rows;
#     qpdf --check is clean; pdffonts: every font embedded;
#   - openpyxl: comparison.xlsx matches comparison.csv, which matches the
#     plans' assessment.csv and series.csv (tests/compare/check_xlsx.py);
#     LibreOffice headless reads every cell alike and draws each chart
#     series from its row of 数值;
#   - `planeval compare` twice gives byte-identical files;
#   - a malformed assessment.csv: non-zero exit, file:line, nothing written;
#   - an out directory with one plan: "nothing to compare", exit 0.
# Ends with "N passed, M failed"; exit status 1 if any check failed.
#
# PLANEVAL: the binary (default build/planeval). PYTHON: with openpyxl.
set -u
cd "$(dirname "$0")/../.."
PLANEVAL=${PLANEVAL:-build/planeval}
PYTHON=${PYTHON:-/usr/bin/python3}
. tests/lib.sh

require_planeval tests/compare/run.sh
unset SOURCE_DATE_EPOCH

# 1. a run over every sample plan ends with the comparison
"$PLANEVAL" run --force --out "$TMP/out" -q 2>"$TMP/run.err"
rc=$?
if [ $rc -eq 0 ] && [ -s "$TMP/out/comparison/comparison.pdf" ] && [ -s "$TMP/out/comparison/comparison.xlsx" ] &&
    [ -s "$TMP/out/comparison/comparison.csv" ]; then
    pass "planeval run writes comparison.pdf, .xlsx and .csv"
else
    fail "planeval run writes comparison.pdf, .xlsx and .csv (exit $rc)"
    head -20 "$TMP/run.err" >&2
fi
if "$PYTHON" -c 'import json,sys; m=json.load(open(sys.argv[1]));
sys.exit(0 if sorted(e["path"] for e in m.get("comparison",[])) ==
["comparison/comparison.csv","comparison/comparison.pdf","comparison/comparison.xlsx"] else 1)' "$TMP/out/manifest.json"; then
    pass "manifest.json lists the comparison"
else
    fail "manifest.json lists the comparison"
fi
ls "$TMP/out" | grep -q '^\.' && fail "no temporary files left" || pass "no temporary files left"

# 2. the PDF with pdftotext, qpdf, pdffonts
PDF="$TMP/out/comparison/comparison.pdf"
pdftotext -layout "$PDF" "$TMP/cmp.txt" 2>/dev/null
tr -d ' \n' <"$TMP/cmp.txt" >"$TMP/cmp.flat"
missing=""
# Each shared indicator's name (the comparison's name column), as a heading.
"$PYTHON" -c 'import csv,sys
seen=[]
for r in csv.DictReader(open(sys.argv[1],encoding="utf-8")):
    if r["indicator_name"] not in seen: seen.append(r["indicator_name"])
print("\n".join(seen))' "$TMP/out/comparison/comparison.csv" >"$TMP/names"
n=0
while IFS= read -r name; do
    n=$((n + 1))
    flat=$(printf '%s' "$name" | tr -d ' ')
    grep -qF -- "$n.$flat" "$TMP/cmp.flat" || missing="$missing [$n. $name]"
done <"$TMP/names"
[ -z "$missing" ] && [ "$n" -gt 1 ] && pass "pdftotext finds every shared indicator ($n)" ||
    fail "pdftotext finds every shared indicator:$missing"
# A not-yet-due row's chance is named as a chance (概率10%), never a bare
# "难以达标 10%" that reads as 10 % short; as many as the CSV has.
nprob=$("$PYTHON" -c 'import csv,sys
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))
        if r["status"] == "not_yet_due" and r["probability_met"] and r["forecast_status"]]
print(len(rows))' "$TMP/out/comparison/comparison.csv")
nseen=$(grep -o -E '概率[0-9]+%' "$TMP/cmp.flat" | wc -l)
check "the PDF names each not-yet-due chance as 概率N% ($nseen of $nprob)" \
    [ "$nprob" -gt 0 -a "$nseen" -ge "$nprob" ]
check "no bare percentage after a forecast word" \
    sh -c "! grep -q -E '(达标|风险|顺利)[0-9]+%' '$TMP/cmp.flat'"
# The ranking: every ranked row appears as "rank  region" in its table (the
# region's name wraps in its cell: its first three characters are matched;
# readers see the plan's title, not its id).
"$PYTHON" -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1],encoding="utf-8")):
    if r["rank"]: print(r["rank"], r["region_name"][:3], r["catalogue"])' "$TMP/out/comparison/comparison.csv" >"$TMP/ranks"
bad=$("$PYTHON" -c 'import re,sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
bad = 0
for row in open(sys.argv[2], encoding="utf-8"):
    rank, region, cat = row.split()
    hits = [i for i, l in enumerate(lines) if re.match(r"^ *%s\*? " % rank, l)]
    if not any(region in "".join(lines[max(0, i - 2):i + 3]) for i in hits):
        bad += 1
        print("  no rank %s for %s (%s)" % (rank, region, cat), file=sys.stderr)
print(bad)' "$TMP/cmp.txt" "$TMP/ranks")
[ $bad -eq 0 ] && pass "pdftotext finds each ranking row (rank, region)" ||
    fail "pdftotext finds each ranking row ($bad missing)"
grep -q "偏离目标一览" "$TMP/cmp.txt" && grep -q "各地区概况" "$TMP/cmp.txt" &&
    pass "the summary and off-track sections are there" ||
    fail "the summary and off-track sections are there"
# Readers see titles, not ids: no plan id and no catalogue id in the text.
ids=$("$PYTHON" -c 'import csv,sys
ids = set()
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    ids.add(r["plan_id"]); ids.add(r["catalogue"])
print("\n".join(sorted(ids)))' "$TMP/out/comparison/comparison.csv")
leaked=$(printf '%s\n' "$ids" | while IFS= read -r id; do
    [ -n "$id" ] && grep -qF -- "$id" "$TMP/cmp.txt" && printf ' %s' "$id"; done)
check "no plan or catalogue id in the PDF's text:${leaked:- none}" [ -z "$leaked" ]
# The figure a verdict and a gap are on is shown with what it is: a window's
# mean (qinan's deaths per million, 2021-2025, beside its 2025 value).
_cur=$("$PYTHON" -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if r["catalogue"] == "disaster_deaths_per_million" and r["region"] == "qinan":
        v = float(r["current_value"]); a = abs(v)  # as cmp_num() prints it
        p = 0 if a >= 1000 else 1 if a >= 100 else 2 if a >= 10 else 3 if a >= 1 else 4
        t = "%.*f" % (6 if 0 < a < 0.001 else p, v)
        print(t.rstrip("0").rstrip(".") if "." in t else t)' "$TMP/out/comparison/comparison.csv")
pdftotext -raw "$PDF" - 2>/dev/null | tr -d ' \n' >"$TMP/cmp.raw"
check "the ranking shows qinan's judged figure as ${_cur:-?}（2021—2025年年均）" \
    grep -qF -- "${_cur:-?}（2021—2025年年均）" "$TMP/cmp.raw"
qpdf --check "$PDF" >"$TMP/qpdf.out" 2>&1 && pass "qpdf --check" ||
    { fail "qpdf --check"; tail -5 "$TMP/qpdf.out" >&2; }
pdffonts "$PDF" >"$TMP/fonts" 2>&1
nf=$(tail -n +3 "$TMP/fonts" | wc -l)
ne=$(tail -n +3 "$TMP/fonts" | awk '{ if ($(NF-4) != "yes") bad++ } END { print bad + 0 }')
[ "$nf" -ge 2 ] && [ "$ne" -eq 0 ] && pass "pdffonts: $nf fonts, all embedded" ||
    { fail "pdffonts: fonts embedded ($nf fonts, $ne not embedded)"; cat "$TMP/fonts" >&2; }

# 3. the workbook and the CSV against the inputs; LibreOffice reads the
# workbook (constant-memory mode: inline strings, charts without cached
# values) like openpyxl and draws each chart from the cells. COMPARE_NO_LO=1
# leaves LibreOffice out.
lo=""
if [ -z "${COMPARE_NO_LO:-}" ] && command -v soffice >/dev/null 2>&1; then
    lo="--libreoffice $TMP/lo-profile"
else
    echo "  (LibreOffice left out: no soffice, or COMPARE_NO_LO set)"
fi
"$PYTHON" tests/compare/check_xlsx.py "$TMP/out" $lo >"$TMP/py.out" 2>&1 || true
cat "$TMP/py.out" | tee -a "$LOG" | sed 's/^/  /' >/dev/null
cat "$TMP/py.out"
grep -q "^ok" "$TMP/py.out" || fail "check_xlsx.py ran"

# 4. deterministic: compare again from the files alone
mkdir -p "$TMP/again"
for f in csv pdf xlsx; do cp "$TMP/out/comparison/comparison.$f" "$TMP/again/"; done
"$PLANEVAL" compare --out "$TMP/out" -q 2>"$TMP/cmp.err"
rc=$?
same=1
for f in csv pdf xlsx; do cmp -s "$TMP/out/comparison/comparison.$f" "$TMP/again/comparison.$f" || same=0; done
[ $rc -eq 0 ] && [ $same -eq 1 ] && pass "planeval compare rebuilds byte-identical files" ||
    { fail "planeval compare rebuilds byte-identical files (exit $rc)"; cat "$TMP/cmp.err" >&2; }

# 5. a malformed assessment.csv: file:line, non-zero exit, nothing replaced
cp -r "$TMP/out" "$TMP/bad"
A="$TMP/bad/qinan-2021-2025/assessment.csv"
awk 'NR == 4 { sub(/,[^,]*$/, "") } { print }' "$A" >"$A.new" && mv "$A.new" "$A"
"$PLANEVAL" compare --out "$TMP/bad" 2>"$TMP/bad.err" >/dev/null
rc=$?
if [ $rc -ne 0 ] && grep -q "qinan-2021-2025/assessment.csv:4:" "$TMP/bad.err" &&
    cmp -s "$TMP/bad/comparison/comparison.pdf" "$TMP/out/comparison/comparison.pdf"; then
    pass "a malformed assessment.csv: exit $rc, file:line, old outputs kept"
else
    fail "a malformed assessment.csv: non-zero exit and file:line (exit $rc)"
    cat "$TMP/bad.err" >&2
fi
cp "$TMP/out/qinan-2021-2025/assessment.csv" "$A"
sed -i '5s/,[0-9]\{4\},\([0-9.]*\),ok,/,20x5,\1,ok,/' "$TMP/bad/huantai-2021-2025/series.csv"
"$PLANEVAL" compare --out "$TMP/bad" 2>"$TMP/bad2.err" >/dev/null
rc=$?
[ $rc -ne 0 ] && grep -q "huantai-2021-2025/series.csv:5:5:" "$TMP/bad2.err" &&
    pass "a bad year in series.csv: file:line:column" ||
    { fail "a bad year in series.csv: file:line:column (exit $rc)"; cat "$TMP/bad2.err" >&2; }

# 6. one plan: nothing to compare (run does not try; compare says so)
"$PLANEVAL" run --force --out "$TMP/one" huantai-2021-2025 >"$TMP/one.out" 2>&1
rc=$?
[ $rc -eq 0 ] && [ ! -e "$TMP/one/comparison/comparison.pdf" ] && pass "a one-plan run writes no comparison" ||
    fail "a one-plan run writes no comparison (exit $rc)"
"$PLANEVAL" compare --out "$TMP/one" >"$TMP/one2.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "nothing to compare" "$TMP/one2.out" && [ ! -e "$TMP/one/comparison/comparison.pdf" ] &&
    pass "planeval compare on one plan: nothing to compare" ||
    { fail "planeval compare on one plan: nothing to compare (exit $rc)"; cat "$TMP/one2.out" >&2; }

# 7. sharded runs copied together compare like one run
"$PLANEVAL" run --force --out "$TMP/s1" --shard 1/2 -q 2>/dev/null
"$PLANEVAL" run --force --out "$TMP/s2" --shard 2/2 -q 2>/dev/null
[ ! -e "$TMP/s1/comparison/comparison.pdf" ] && pass "a shard writes no comparison" ||
    fail "a shard writes no comparison"
mkdir -p "$TMP/merged"
cp -r "$TMP/s1/"*/ "$TMP/s2/"*/ "$TMP/merged/" 2>/dev/null
"$PLANEVAL" compare --out "$TMP/merged" -q 2>"$TMP/merged.err"
cmp -s "$TMP/merged/comparison/comparison.csv" "$TMP/out/comparison/comparison.csv" &&
    cmp -s "$TMP/merged/comparison/comparison.pdf" "$TMP/out/comparison/comparison.pdf" &&
    pass "shards copied together give the same comparison" ||
    { fail "shards copied together give the same comparison"; cat "$TMP/merged.err" >&2; }

# 8. a province (more than 30 regions): the PDF shows what is read, the
# workbook keeps every row. 40 synthetic regions (tests/bench/gen_regions.py)
# with this repository's templates.
"$PYTHON" tests/bench/gen_regions.py 40 "$TMP/prov" >/dev/null
"$PLANEVAL" run --force -q -j 2 --charts none --indicators "$TMP/prov/indicators" \
    --data "$TMP/prov/data" --templates templates --out "$TMP/prov/out" 2>"$TMP/prov.err"
PPDF="$TMP/prov/out/comparison/comparison.pdf"
pdftotext -layout "$PPDF" "$TMP/prov.txt" 2>/dev/null
# The region table: the 30 most off track, the note saying all 40 are in the workbook.
# (A row is a line ending in its six counts; the plans are named by title, and
# the synthetic regions share the samples' names and titles.)
rows=$(sed -n '/各地区概况/,/偏离目标一览/p' "$TMP/prov.txt" |
    grep -cE '[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ *$')
grep -q '以下列出偏离目标项数最多的30个地区；全部40个地区见比较工作簿' "$TMP/prov.txt" && [ "$rows" -eq 30 ] &&
    pass "province: the region table shows the 30 most off track and says where the 40 are" ||
    fail "province: region table (rows $rows)"
# Per indicator used by more than 30 plans: the distribution, the off-track
# regions, both ends of the ranking (10 + 10 rows) and what is left out.
long=$("$PYTHON" -c 'import csv,sys,collections
c=collections.Counter(r["indicator_name"] for r in csv.DictReader(open(sys.argv[1],encoding="utf-8")))
print(sum(1 for v in c.values() if v > 30))' "$TMP/prov/out/comparison/comparison.csv")
quart=$(grep -c '下四分位数' "$TMP/prov.txt")
cuts=$(grep -c '个地区从略，全表见比较工作簿' "$TMP/prov.txt")
[ "$long" -gt 0 ] && [ "$quart" -eq "$long" ] && [ "$cuts" -eq "$long" ] &&
    pass "province: $long long sections each with quartiles and a cut ranking" ||
    fail "province: long sections $long, quartile lines $quart, cut lines $cuts"
grep -q '偏离目标的地区（[0-9]*个）' "$TMP/prov.txt" &&
    pass "province: the off-track regions are named" || fail "province: the off-track regions are named"
# Smaller than the full tables would be: at most 2 pages per shared indicator and 6 more.
pages=$(pdfinfo "$PPDF" 2>/dev/null | awk '/^Pages:/ {print $2}')

ninds=$("$PYTHON" -c 'import csv,sys
print(len({r["indicator_name"] for r in csv.DictReader(open(sys.argv[1],encoding="utf-8"))}))' \
    "$TMP/prov/out/comparison/comparison.csv")
[ -n "$pages" ] && [ "$pages" -le $((2 * ninds + 6)) ] &&
    pass "province: $pages pages for $ninds shared indicators" ||
    fail "province: $pages pages for $ninds shared indicators"
qpdf --check "$PPDF" >/dev/null 2>&1 && pass "province: qpdf --check" || fail "province: qpdf --check"
# The workbook keeps every row: check_xlsx.py against the CSV and the plans' files.
"$PYTHON" tests/compare/check_xlsx.py "$TMP/prov/out" >"$TMP/prov.py" 2>&1 &&
    grep -q "^ok" "$TMP/prov.py" && ! grep -q "^FAIL" "$TMP/prov.py" &&
    pass "province: the workbook holds every row (check_xlsx.py)" ||
    { fail "province: the workbook holds every row"; head -5 "$TMP/prov.py" >&2; }

finish
