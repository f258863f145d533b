#!/bin/sh
# tests/pdf/run.sh - renders the PDF reports of the sample plans and checks
# them with real readers (docs/templates.md, "Tests"):
#   - `planeval run` writes brief.pdf and report.pdf for every plan, with no
#     PDF or template warning (a missing glyph, a text wider than its box);
#   - qpdf --check is clean; pdffonts: every font embedded TrueType with a
#     ToUnicode map; every character drawn has its outline in the subset
#     (fontTools, when installed);
#   - pdftotext: every indicator's name and current value are in the report;
#     no line starts with ，。、；：？！）」 or ends with （「; every word lies
#     inside the page margins; a page with a table shows its header;
#   - the brief has at most 4 pages and its red flags on page 1;
#   - the report has bookmarks that land on their headings, and a table of
#     contents that gives each heading's page;
#   - two runs give byte-identical PDFs; SOURCE_DATE_EPOCH sets their date;
#   - the charts are vector graphics drawn by the reports themselves: no
#     raster image, the charts' words are text (check.py), the PDFs are the
#     same with --charts none; a template with a reserves section gets the
#     reserves chart;
#   - a template with an unknown placeholder or section kind is refused with
#     its file and line, and nothing is written.
# Ends with "N passed, M failed"; exit status 1 if any check failed.
#
# PLANEVAL: the binary (default build/planeval).
set -u
cd "$(dirname "$0")/../.."
PLANEVAL=${PLANEVAL:-build/planeval}
. tests/lib.sh

require_planeval tests/pdf/run.sh
# fontTools lives in Debian's python3-fonttools; a pyenv python may lack it.
PY=python3
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import fontTools' 2>/dev/null; then PY=$p; break; fi
done

# 1. the sample plans, twice, with the dates from the evaluation year
unset SOURCE_DATE_EPOCH
"$PLANEVAL" run --force --out "$TMP/a" -q 2>"$TMP/a.err"
rc_a=$?
"$PLANEVAL" run --force --out "$TMP/b" -q 2>"$TMP/b.err"
rc_b=$?
[ $rc_a -eq 0 ] && [ $rc_b -eq 0 ] && pass "planeval run exits 0" ||
    { fail "planeval run exits 0 (got $rc_a, $rc_b)"; head -20 "$TMP/a.err" >&2; }
if grep -E "PDF|report template|brief" "$TMP/a.err" >"$TMP/pdfwarn"; then
    fail "no PDF or template warnings"
    head -5 "$TMP/pdfwarn" >&2
else
    pass "no PDF or template warnings (glyphs, boxes, placeholders)"
fi

# 2. the files, by reading them
"$PY" tests/pdf/check.py "$TMP/a" 2>&1 | tee -a "$LOG"

# 3. determinism
n=0
diffs=0
for f in $(cd "$TMP/a" && find . -name '*.pdf' | sort); do
    n=$((n + 1))
    cmp -s "$TMP/a/$f" "$TMP/b/$f" || { diffs=$((diffs + 1)); echo "   differs: $f" >&2; }
done
[ $n -gt 0 ] && [ $diffs -eq 0 ] && pass "two runs give byte-identical PDFs ($n files)" ||
    fail "two runs give byte-identical PDFs ($diffs of $n differ)"
plan=$(plan_dirs "$TMP/a" | head -1)
year=$(awk -F, 'NR == 2 { print $3 }' "$TMP/a/$plan/assessment.csv")
if pdfinfo "$TMP/a/$plan/brief.pdf" | grep -q "CreationDate:.*Dec 31 .*$year"; then
    pass "without SOURCE_DATE_EPOCH the date is 31 December $year"
else
    fail "without SOURCE_DATE_EPOCH the date is 31 December $year"
fi
SOURCE_DATE_EPOCH=1700000000 "$PLANEVAL" run --force --out "$TMP/c" -q "$plan" 2>/dev/null
if pdfinfo "$TMP/c/$plan/report.pdf" | grep -q "CreationDate:.*Nov 14 22:13:20 2023" &&
    pdfinfo "$TMP/c/$plan/report.pdf" | grep -q "ModDate:.*Nov 14 22:13:20 2023"; then
    pass "SOURCE_DATE_EPOCH sets the creation and modification dates"
else
    fail "SOURCE_DATE_EPOCH sets the creation and modification dates"
fi

# 3b. the reports draw their own charts: the chart files make no difference
"$PLANEVAL" run --force --charts none --out "$TMP/n" -q "$plan" 2>/dev/null
if [ ! -e "$TMP/n/$plan/charts" ] && cmp -s "$TMP/a/$plan/report.pdf" "$TMP/n/$plan/report.pdf" &&
    cmp -s "$TMP/a/$plan/brief.pdf" "$TMP/n/$plan/brief.pdf"; then
    pass "--charts none gives the same PDFs (charts drawn, not embedded)"
else
    fail "--charts none gives the same PDFs (charts drawn, not embedded)"
fi
mkdir -p "$TMP/rtpl"
cp templates/*.yaml "$TMP/rtpl/"
"$PY" - "$TMP/rtpl/report.yaml" <<'EOF2'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
s = s.replace("  - kind: problems\n", "  - kind: reserves\n    heading: \"{no}、应急物资储备\"\n"
              "    intro: 下图为储备指标占规范要求的百分比。\n\n  - kind: problems\n", 1)
open(p, "w", encoding="utf-8").write(s)
EOF2
"$PLANEVAL" run --force --charts none --templates "$TMP/rtpl" --out "$TMP/r" -q huantai-2021-2025 2>"$TMP/r.err"
rc=$?
rtext=$(pdftotext "$TMP/r/huantai-2021-2025/report.pdf" - 2>/dev/null | tr -d ' ')
nimg=$(pdfimages -list "$TMP/r/huantai-2021-2025/report.pdf" 2>/dev/null | tail -n +3 | wc -l)
if [ $rc -eq 0 ] && [ "$nimg" -eq 0 ] &&
    echo "$rtext" | grep -q "应急物资储备达到规范要求的程度" &&
    echo "$rtext" | grep -q "规范要求（100%）"; then
    pass "a reserves section draws the reserves chart as vectors (title, norm line as text)"
else
    fail "a reserves section draws the reserves chart as vectors (rc $rc, $nimg images)"
    cat "$TMP/r.err" >&2
fi

# 4. broken templates are refused with file and line
mkdir -p "$TMP/tpl"
cp templates/*.yaml "$TMP/tpl/"
sed -i 's/{plan_title}{stage}报告/{plan_titel}{stage}报告/' "$TMP/tpl/report.yaml"
"$PLANEVAL" run --force --out "$TMP/d" --templates "$TMP/tpl" -q "$plan" 2>"$TMP/d.err"
rc=$?
if [ $rc -ne 0 ] && grep -q "report.yaml:[0-9]*: error: .*unknown placeholder {plan_titel}" "$TMP/d.err" &&
    [ ! -e "$TMP/d/$plan/report.pdf" ]; then
    pass "an unknown placeholder is an error with file and line; nothing written"
else
    fail "an unknown placeholder is an error with file and line; nothing written (rc $rc)"
    cat "$TMP/d.err" >&2
fi
cp templates/report.yaml "$TMP/tpl/"
sed -i 's/  - kind: milestones/  - kind: milestone/' "$TMP/tpl/brief.yaml"
"$PLANEVAL" run --force --out "$TMP/e" --templates "$TMP/tpl" -q "$plan" 2>"$TMP/e.err"
rc=$?
if [ $rc -ne 0 ] && grep -q "brief.yaml:[0-9]*: error: section [0-9]*: unknown kind 'milestone'" "$TMP/e.err"; then
    pass "an unknown section kind is an error with file and line"
else
    fail "an unknown section kind is an error with file and line (rc $rc)"
    cat "$TMP/e.err" >&2
fi
# reordering and leaving out sections needs no code: the brief without its problems
cp templates/brief.yaml "$TMP/tpl/"
"$PY" - "$TMP/tpl/brief.yaml" <<'EOF'
import re, sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
# move the red flags before the headline, drop the problems section
parts = re.split(r"(?m)^(?=  - kind: )", s)
head, secs = parts[0], parts[1:]
kinds = [re.match(r"  - kind: (\w+)", x).group(1) for x in secs]
order = [kinds.index(k) for k in ["title", "red_flags", "headline", "attention", "milestones", "note"]]
open(p, "w", encoding="utf-8").write(head + "".join(secs[i] for i in order))
EOF
"$PLANEVAL" run --force --out "$TMP/f" --templates "$TMP/tpl" -q "$plan" 2>"$TMP/f.err"
if [ $? -eq 0 ] && pdftotext -l 1 "$TMP/f/$plan/brief.pdf" - | tr -d ' \n' |
    grep -q "一、重大风险提示.*二、总体情况" &&
    ! pdftotext "$TMP/f/$plan/brief.pdf" - | grep -q "问题和建议"; then
    pass "sections are reordered and left out through the template alone"
else
    fail "sections are reordered and left out through the template alone"
    cat "$TMP/f.err" >&2
fi

# fonts by file (the shipped report.yaml) or by family (fontconfig): the
# same faces and the same bytes; fontconfig is loaded only for families
mkdir -p "$TMP/fam"
cp templates/*.yaml "$TMP/fam/"
sed -i -e 's|^  body: /usr/share/fonts/truetype/arphic/uming.ttc|  body: AR PL UMing CN|' \
    -e 's|^  heading: /usr/share/fonts/truetype/wqy/wqy-microhei.ttc|  heading: WenQuanYi Micro Hei|' \
    "$TMP/fam/report.yaml"
LD_DEBUG=files "$PLANEVAL" run --force --charts none --out "$TMP/byfile" -q "$plan" 2>"$TMP/byfile.err" >/dev/null
rc_file=$?
LD_DEBUG=files "$PLANEVAL" run --force --charts none --templates "$TMP/fam" --out "$TMP/byfam" -q "$plan" \
    2>"$TMP/byfam.err" >/dev/null
rc_fam=$?
if [ $rc_file -eq 0 ] && [ $rc_fam -eq 0 ] && grep -q "AR PL UMing CN" "$TMP/fam/report.yaml" &&
    ! grep -q "libfontconfig" "$TMP/byfile.err" &&
    grep -q "file=libfontconfig.so.1 .*dynamically loaded" "$TMP/byfam.err" &&
    cmp -s "$TMP/byfile/$plan/brief.pdf" "$TMP/byfam/$plan/brief.pdf" &&
    cmp -s "$TMP/byfile/$plan/report.pdf" "$TMP/byfam/$plan/report.pdf"; then
    pass "fonts named by file or by family give byte-identical PDFs; only families load fontconfig"
else
    fail "fonts named by file or by family give byte-identical PDFs; only families load fontconfig (rc $rc_file, $rc_fam)"
fi
mkdir -p "$TMP/nofont"
cp templates/*.yaml "$TMP/nofont/"
sed -i 's|^  body: /usr/share/fonts/truetype/arphic/uming.ttc|  body: /nonexistent/uming.ttc|' "$TMP/nofont/report.yaml"
"$PLANEVAL" run --force --charts none --templates "$TMP/nofont" --out "$TMP/nofont-out" -q "$plan" 2>"$TMP/nofont.err"
rc=$?
if [ $rc -ne 0 ] && grep -q "/nonexistent/uming.ttc" "$TMP/nofont.err" && [ ! -e "$TMP/nofont-out/$plan/report.pdf" ]; then
    pass "a missing font file stops the run with its name, and no report is written"
else
    fail "a missing font file stops the run with its name, and no report is written (rc $rc)"
    cat "$TMP/nofont.err" >&2
fi

finish
