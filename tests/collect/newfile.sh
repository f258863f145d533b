# tests/collect/newfile.sh - sourced by tests/collect/run.sh.
# A table file the region does not have yet: the template offers every
# combination of the declared dimension values (accidents: 4 grades x 5
# sectors); the import creates the file with the dictionary's columns, and
# the new data pass check. A table whose dimensions have no declared values
# (training) is left out with a warning instead of an empty sheet.
NF="$TMP/newfile"
rm -rf "$NF"
mkdir -p "$NF"
cp -r data "$NF/data"
rm "$NF/data/huantai/accidents.csv" "$NF/data/huantai/training.csv"
"$PLANEVAL" template huantai-2021-2025 --data "$NF/data" --out "$NF/t.xlsx" >"$NF/t.out" 2>&1
nf_status=$?
check "new file: template without accidents.csv and training.csv" [ "$nf_status" -eq 0 ]
check "new file: training left out with a warning" grep -q "training.csv: warning: no rows to ask for" "$NF/t.out"
nf_fill() {
    $PY - "$NF/t.xlsx" "$NF/f.xlsx" <<'PY'
import openpyxl, sys
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["生产安全事故"]
assert "培训" not in wb.sheetnames
keys = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
combos = {tuple(k.split("|")[1:]) for k in keys}
assert len(combos) == 20, len(combos)
col = 8 + (2024 - 2016)
for r in range(4, ws.max_row + 1):
    key = ws.cell(r, 1).value
    ws.cell(r, col).value = 3 if key.startswith("ps_deaths|grade=一般|sector=道路交通") else 0
wb.save(sys.argv[2])
PY
}
nf_import() {
    "$PLANEVAL" import "$NF/f.xlsx" --data "$NF/data" >"$NF/i.out" 2>&1 &&
        head -1 "$NF/data/huantai/accidents.csv" | grep -qx "year,grade,sector,ps_accidents,ps_deaths,ps_injuries,ps_loss,note" &&
        [ "$(grep -c '^2024,' "$NF/data/huantai/accidents.csv")" -eq 20 ] &&
        grep -q '^2024,一般,道路交通,0,3,,,$' "$NF/data/huantai/accidents.csv" &&
        "$PLANEVAL" check huantai-2021-2025 --data "$NF/data" >/dev/null 2>&1
}
check "new file: 20 combinations offered, filled by openpyxl" nf_fill
check "new file: import creates accidents.csv (dictionary header, 20 rows of 2024) and it passes check" nf_import
