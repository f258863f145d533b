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

. tests/collect/csvforms.sh
finish
