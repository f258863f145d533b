#!/bin/sh
# tests/collect - the data-collection workbooks (docs/data-collection.md),
# read back by independent readers:
#   roundtrip.py  for every sample plan: template -> openpyxl fills the open
#                 cells from the hand-written CSV (and LibreOffice headless
#                 re-saves it) -> planeval import into a copy of data/ ->
#                 the CSV files are byte-identical to the hand-written ones;
#   badbooks.py   30 broken workbooks (moved rows, merged cells, formulas,
#                 text in number cells, a 50 MB zip bomb, a path-traversal
#                 entry, no sharedStrings, a damaged zip, ...): each refused
#                 with its sheet and cell (or zip entry), data/ untouched;
#   csvforms.sh   CSV as Excel and WPS save it (GB18030, BOM, CRLF, quoted
#                 thousands, full-width digits, 85% in a share column) reads
#                 as the plain file does.
# Set COLLECT_NO_LO=1 to leave LibreOffice out.
set -u
. tests/lib.sh
require_planeval collect
PY=${PYTHON:-python3}
LO=""
if [ -z "${COLLECT_NO_LO:-}" ] && command -v soffice >/dev/null 2>&1; then
    LO="--libreoffice $TMP/lo-profile"
fi

for f in indicators/*.yaml; do
    id=$(basename "$f" .yaml)
    case $id in catalogue|run) continue ;; esac
    region=$(sed -n 's/^  region: *\([A-Za-z0-9_-]*\).*/\1/p' "$f" | head -1)
    # shellcheck disable=SC2086
    if ! $PY tests/collect/roundtrip.py "$PLANEVAL" "$id" "$region" "$TMP/rt-$id" $LO >"$TMP/out" 2>&1; then
        fail "$id: roundtrip.py ran to its end"
    fi
    cat "$TMP/out" >>"$LOG"; cat "$TMP/out"
done

if ! $PY tests/collect/badbooks.py "$PLANEVAL" "$TMP/bad" >"$TMP/out" 2>&1; then
    fail "badbooks.py ran to its end"
fi
cat "$TMP/out" >>"$LOG"; cat "$TMP/out"

# the same inputs give the same bytes
same_template() {
    "$PLANEVAL" template huantai-2021-2025 --out "$TMP/a.xlsx" >/dev/null &&
        "$PLANEVAL" template huantai-2021-2025 --out "$TMP/b.xlsx" >/dev/null &&
        cmp -s "$TMP/a.xlsx" "$TMP/b.xlsx"
}
check "template: two runs give byte-identical workbooks" same_template
# --year past the plan adds open year columns; a year before the data is refused
year_cols() {
    "$PLANEVAL" template huantai-2021-2025 --year 2027 --out "$TMP/y.xlsx" >/dev/null &&
        $PY -c 'import openpyxl,sys; ws=openpyxl.load_workbook(sys.argv[1])["经济与人口"]; sys.exit(0 if ws.cell(3, ws.max_column).value == 2027 and ws.cell(4, ws.max_column).value is None and not ws.cell(4, ws.max_column).protection.locked else 1)' "$TMP/y.xlsx"
}
check "template --year 2027: the last column is 2027, open" year_cols
early_year() {
    ! "$PLANEVAL" template huantai-2021-2025 --year 2010 --out "$TMP/e.xlsx" 2>"$TMP/e.err" &&
        grep -q "before the plan's first data year" "$TMP/e.err" && [ ! -e "$TMP/e.xlsx" ]
}
check "template --year 2010 (before the data) refused, no file" early_year
# a variable read only through a parameter (population -> pop_resident,
# loss_gdp_basis -> gdp) is data the plan needs: it has its row
via_params() {
    "$PLANEVAL" template huantai-2021-2025 --out "$TMP/p.xlsx" >/dev/null &&
        $PY -c 'import openpyxl,sys; ws=openpyxl.load_workbook(sys.argv[1])["经济与人口"]; keys={r[0] for r in ws.iter_rows(min_row=4, max_col=1, values_only=True)}; sys.exit(0 if {"pop_resident","pop_urban","pop_county_seat","gdp"} <= keys else 1)' "$TMP/p.xlsx"
}
check "template: variables read through parameters (pop_resident, pop_urban, pop_county_seat) have rows" via_params

. tests/collect/csvforms.sh
. tests/collect/review.sh
. tests/collect/newfile.sh
finish
