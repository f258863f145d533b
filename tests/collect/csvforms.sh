# tests/collect/csvforms.sh - sourced by tests/collect/run.sh.
# CSV files as Excel and WPS save them read as the plain hand-written ones
# (docs/data-files.md, "Numbers"): a copy of data/ gets economy.csv of
# 桓台 in GB18030 with CRLF, vehicles in full-width digits, pop_resident as
# quoted "498,000"; registers.csv of 岐南 in UTF-8 with a BOM and CRLF and
# its share publicity_audience_rate as "78.5%". `planeval explain` of the
# indicators that read them prints the same values as on the plain files.
# Then each refused form, one at a time, with file:line:column.
CF="$TMP/csvforms"
rm -rf "$CF"
cp -r data "$CF"
$PY - "$CF" <<'PY'
import csv, io, sys
d = sys.argv[1]
FW = str.maketrans("0123456789.-", "０１２３４５６７８９．－")
def rewrite(path, edit, encoding, bom=False):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    edit(rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode(encoding)
    with open(path, "wb") as f:
        f.write((b"\xef\xbb\xbf" if bom else b"") + data)
def econ(rows):
    h = rows[0]
    for r in rows[1:]:
        r[h.index("vehicles")] = r[h.index("vehicles")].translate(FW)
        r[h.index("pop_resident")] = f"{int(r[h.index('pop_resident')]):,}"
def regs(rows):
    for r in rows[1:]:
        if r[1] == "publicity_audience_rate":
            r[2] += "%"
rewrite(f"{d}/huantai/economy.csv", econ, "gb18030")
rewrite(f"{d}/qinan/registers.csv", regs, "utf-8", bom=True)
PY
# the same values, whatever the form (the source lines are the same too)
same_explain() {
    "$PLANEVAL" explain "$1" "$2" >"$TMP/plain.txt" 2>&1 &&
        "$PLANEVAL" explain "$1" "$2" --data "$CF" 2>&1 | sed "s#$CF/#data/#g" >"$TMP/forms.txt" &&
        cmp -s "$TMP/plain.txt" "$TMP/forms.txt"
}
check "CSV forms: GB18030+CRLF, full-width vehicles, quoted 498,000: A5 explained the same" \
    same_explain huantai-2021-2025 A5
check "CSV forms: population from quoted thousands: B2a explained the same" \
    same_explain huantai-2021-2025 B2a
check "CSV forms: BOM+CRLF, 78.5% in a share column: Q27 explained the same" \
    same_explain qinan-2021-2025 Q27
has_fullwidth() { iconv -f gb18030 -t utf-8 "$CF/huantai/economy.csv" | grep -q '１'; }
check "CSV forms: the GB18030 file really holds full-width digits" has_fullwidth

# an import into the GB18030 file: written back as UTF-8 with a BOM and its
# CRLF line ends; the cells it does not change keep their text (full-width
# digits, "505,900"); the result passes check. The workbook is badbooks.py's
# base (2026 filled in), made before this file runs.
import_gb() {
    "$PLANEVAL" import "$TMP/bad/base.xlsx" --data "$CF" >"$TMP/gb.out" 2>&1 &&
        $PY - "$CF/huantai/economy.csv" <<'PY' &&
import sys
b = open(sys.argv[1], "rb").read()
assert b.startswith(b"\xef\xbb\xbf"), "no BOM"
t = b[3:].decode("utf-8")
assert "\n" not in t.replace("\r\n", ""), "not CRLF throughout"
lines = t.split("\r\n")
assert lines[-2].startswith("2026,"), lines[-2]
assert "１７１４００" in t and '"505,900"' in t, "untouched cells changed"
PY
        "$PLANEVAL" check huantai-2021-2025 --data "$CF" >/dev/null 2>&1
}
check "CSV forms: import into a GB18030+CRLF file writes UTF-8 with BOM and CRLF, keeps untouched text, passes check" import_gb

# refused forms: one bad cell each, file:line:column and the hint
refused() { # NAME SED-EXPRESSION FILE EXPECTED
    rm -rf "$CF"
    cp -r data "$CF"
    sed -i "$2" "$CF/$3"
    if "$PLANEVAL" check huantai-2021-2025 qinan-2021-2025 --data "$CF" >"$TMP/ref.out" 2>&1; then
        fail "CSV forms: $1 refused (it was accepted)"
    elif grep -qF "$4" "$TMP/ref.out"; then
        pass "CSV forms: $1 refused: $4"
    else
        fail "CSV forms: $1 refused with '$4': $(head -c 400 "$TMP/ref.out")"
    fi
}
refused "a bound (＜5)" 's/^2021,650.7,/2021,＜5,/' huantai/economy.csv \
    "huantai/economy.csv:7:2: error: gdp: '＜5' is not a number (a bound or an estimate"
refused "a full-width ≥ bound" 's/^2021,650.7,/2021,≥650,/' huantai/economy.csv \
    "economy.csv:7:2: error: gdp: '≥650' is not a number (a bound"
refused "% outside a share" 's/^2021,650.7,/2021,39%,/' huantai/economy.csv \
    "economy.csv:7:2: error: gdp: '39%' is not a number ('%' is allowed only on a share"
refused "badly grouped separators" 's/^2021,650.7,/2021,"39,26",/' huantai/economy.csv \
    "economy.csv:7:2: error: gdp: '39,26' is not a number (thousands separators must group three digits"
refused "a unit after the number" 's/^2021,650.7,/2021,650.7亿元,/' huantai/economy.csv \
    "economy.csv:7:2: error: gdp: '650.7亿元' is not a number (write the number alone"
refused "a share above 100 as 120%" 's/^2023,publicity_audience_rate,78.5,/2023,publicity_audience_rate,120%,/' \
    qinan/registers.csv "registers.csv:110:3: error: publicity_audience_rate: '120%' must be between 0 and 100"
