#!/bin/sh
# tests/charts/run.sh - renders the charts of the sample plans and checks them
# (docs/charts.md, "Tests"):
#   - every quantitative indicator, group, accidents and reserves chart is
#     written as PNG and SVG, listed in charts/charts.csv (check.py);
#   - PNGs are valid and >= 300 dpi at their print size, SVGs parse as XML
#     and carry their print size, text and drawing (check.py);
#   - no chart warning (a character without a glyph) or error;
#   - two runs give byte-identical charts;
#   - --charts none|png|svg writes no chart files, only PNGs, only SVGs;
#     without --charts none are written; --chart-dpi sets the PNGs' resolution
#     (the PDF reports still show their charts); an unknown value is a
#     usage error; libcairo is loaded only when chart files are drawn;
#   - the synthetic cases of chart_cases.c (forecast bands, no data, not
#     applicable years, many targets, error paths, drawing on a PDF page).
# Ends with "N passed, M failed"; exit status 1 if any check failed.
#
# PLANEVAL: the binary (default build/planeval); BUILD: where its objects
# are, to link chart_cases (default: the binary's directory); CASES_CFLAGS:
# extra flags for chart_cases (e.g. the sanitizers of `make sanitize`).
set -u
cd "$(dirname "$0")/../.."
PLANEVAL=${PLANEVAL:-build/planeval}
BUILD=${BUILD:-$(dirname "$PLANEVAL")}
CASES_CFLAGS=${CASES_CFLAGS:-}
PY=${PYTHON:-python3}
. tests/lib.sh

require_planeval tests/charts/run.sh

# 1. the sample plans, twice
start=$(date +%s.%N)
"$PLANEVAL" run --charts all --out "$TMP/a" -q 2>"$TMP/a.err"
rc_a=$?
end=$(date +%s.%N)
"$PLANEVAL" run --charts all --out "$TMP/b" -q 2>"$TMP/b.err"
rc_b=$?
[ $rc_a -eq 0 ] && [ $rc_b -eq 0 ] && pass "planeval run exits 0" ||
    { fail "planeval run exits 0 (got $rc_a, $rc_b)"; cat "$TMP/a.err" >&2; }
if grep -q "chart" "$TMP/a.err"; then
    fail "no chart warnings or errors"
    grep "chart" "$TMP/a.err" | head -5 >&2
else
    pass "no chart warnings or errors (missing glyphs, cairo)"
fi
n=$(find "$TMP/a" -path '*/charts/*' -type f | wc -l)
echo "   $n chart files; whole run $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s" >&2

# 2. the files, by reading them
"$PY" tests/charts/check.py "$TMP/a" indicators data >>"$LOG" 2>&1

# 3. determinism
diffs=0
for f in $(cd "$TMP/a" && find . -path '*/charts/*' -type f | sort); do
    cmp -s "$TMP/a/$f" "$TMP/b/$f" || { diffs=$((diffs + 1)); echo "   differs: $f" >&2; }
done
[ "$n" -gt 0 ] && [ $diffs -eq 0 ] && pass "two runs give byte-identical charts ($n files)" ||
    fail "two runs give byte-identical charts ($diffs of $n differ)"
if grep -l -E "CreationDate|<dc:date|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:" \
    $(find "$TMP/a" -path '*/charts/*.svg') >/dev/null 2>&1; then
    fail "SVGs carry no dates"
else
    pass "SVGs carry no dates"
fi

# 3b. --charts: which files are written
plan=$(plan_dirs "$TMP/a" | head -1)
"$PLANEVAL" run --force --charts none --out "$TMP/none" -q "$plan" 2>"$TMP/none.err"
rc=$?
if [ $rc -eq 0 ] && [ ! -e "$TMP/none/$plan/charts" ] && [ -s "$TMP/none/$plan/report.pdf" ] &&
    pdftotext "$TMP/none/$plan/report.pdf" - | grep -q "观测值"; then
    pass "--charts none: no charts/ directory; the report still draws its charts"
else
    fail "--charts none: no charts/ directory; the report still draws its charts (rc $rc)"
    cat "$TMP/none.err" >&2
fi
# Cairo is loaded only for chart files (src/lazycairo.c): the dynamic
# linker's own log says which libraries a run opened.
LD_DEBUG=files "$PLANEVAL" run --force --charts none --out "$TMP/ldn" -q "$plan" 2>"$TMP/ldn.err" >/dev/null
LD_DEBUG=files "$PLANEVAL" run --force --charts png --out "$TMP/ldp" -q "$plan" 2>"$TMP/ldp.err" >/dev/null
if ! grep -q "libcairo.so" "$TMP/ldn.err" && grep -q "file=libcairo.so.2 .*dynamically loaded" "$TMP/ldp.err"; then
    pass "--charts none does not load libcairo; --charts png loads it when drawing"
else
    fail "--charts none does not load libcairo; --charts png loads it when drawing"
fi
for fmt in png svg; do
    other=$([ $fmt = png ] && echo svg || echo png)
    "$PLANEVAL" run --force --charts $fmt --out "$TMP/$fmt" -q "$plan" 2>/dev/null
    nf=$(find "$TMP/$fmt/$plan/charts" -name "*.$fmt" | wc -l)
    no=$(find "$TMP/$fmt/$plan/charts" -name "*.$other" | wc -l)
    rows=$(grep -c ",$fmt," "$TMP/$fmt/$plan/charts/charts.csv")
    norows=$(grep -c ",$other," "$TMP/$fmt/$plan/charts/charts.csv")
    want=$(find "$TMP/a/$plan/charts" -name "*.$fmt" | wc -l)
    [ "$nf" -gt 0 ] && [ "$nf" -eq "$want" ] && [ "$no" -eq 0 ] && [ "$rows" -eq "$nf" ] &&
        [ "$norows" -eq 0 ] &&
        pass "--charts $fmt: the $nf $fmt files only, listed in charts.csv" ||
        fail "--charts $fmt: the $fmt files only ($nf of $want, $no $other, $rows rows)"
done
"$PLANEVAL" run --force --out "$TMP/default" -q "$plan" 2>/dev/null
rc=$?
[ $rc -eq 0 ] && [ ! -e "$TMP/default/$plan/charts" ] && [ -s "$TMP/default/$plan/report.pdf" ] &&
    pass "no --charts: no chart files (the default is none)" ||
    fail "no --charts: no chart files (rc $rc)"
# --chart-dpi: the PNGs' pixels, pHYs and manifest at that resolution
"$PLANEVAL" run --force --charts png --chart-dpi 150 --out "$TMP/d150" -q "$plan" 2>/dev/null
rc=$?
[ $rc -eq 0 ] && "$PY" - "$TMP/d150/$plan/charts" <<'PYEOF' &&
import csv, math, os, struct, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "charts.csv"), encoding="utf-8")))
assert rows
for r in rows:
    data = open(os.path.join(d, r["file"]), "rb").read()
    w, h = struct.unpack(">II", data[16:24])
    i = data.index(b"pHYs")
    ppm = struct.unpack(">I", data[i + 4:i + 8])[0]
    want_w = math.ceil(float(r["width_mm"]) / 25.4 * 150 - 1e-6)
    want_h = math.ceil(float(r["height_mm"]) / 25.4 * 150 - 1e-6)
    assert r["dpi"] == "150" and (w, h) == (want_w, want_h) == (int(r["width_px"]), int(r["height_px"])), r
    assert ppm == round(150 / 0.0254), ppm
PYEOF
    pass "--chart-dpi 150: PNG pixels, pHYs and charts.csv at 150 dpi" ||
    fail "--chart-dpi 150: PNG pixels, pHYs and charts.csv at 150 dpi (rc $rc)"
"$PLANEVAL" run --chart-dpi 1000 --out "$TMP/bad" -q "$plan" 2>"$TMP/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q -- "--chart-dpi must be a number from 72 to 600" "$TMP/bad.err" &&
    pass "--chart-dpi 1000 is a usage error" || fail "--chart-dpi 1000 is a usage error (rc $rc)"
"$PLANEVAL" run --charts jpeg --out "$TMP/bad" -q "$plan" 2>"$TMP/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q -- "--charts must be none, png, svg or all" "$TMP/bad.err" &&
    pass "--charts jpeg is a usage error" || fail "--charts jpeg is a usage error (rc $rc)"

# 4. synthetic cases, linked against the objects of the binary
objs=$(ls "$BUILD"/*.o 2>/dev/null | grep -v '/main\.o$')
if [ -z "$objs" ]; then
    fail "chart_cases: no objects in $BUILD"
elif cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -g \
        $CASES_CFLAGS -Isrc $(pkg-config --cflags cairo) -o "$TMP/chart_cases" \
        tests/charts/chart_cases.c $objs \
        $(make -pn 2>/dev/null | sed -n 's/^LIBS := //p' | head -1) $(pkg-config --libs cairo) 2>"$TMP/cc.err"; then
    mkdir -p "$TMP/cases"
    "$TMP/chart_cases" "$TMP/cases" templates >"$TMP/cases.log" 2>&1
    rc=$?
    grep -E "^(ok|FAIL)" "$TMP/cases.log" | sed 's/^/   /' >&2
    grep -E "^(ok|FAIL)" "$TMP/cases.log" | sed 's/^ok /ok chart_cases: /; s/^FAIL /FAIL chart_cases: /' >>"$LOG"
    [ $rc -eq 0 ] && pass "chart_cases exits 0" || { fail "chart_cases exits 0 (got $rc)"; tail -5 "$TMP/cases.log" >&2; }
    # planeval's PNG encoder (pngenc.c) against libpng, decoded by Pillow:
    # the same chart drawn twice must give the same pixels
    if "$PY" - "$TMP/cases" >"$TMP/pixels.log" 2>&1 <<'PYEOF'; then
import glob, os, sys
from PIL import Image
refs = sorted(glob.glob(os.path.join(sys.argv[1], "ref-*.png")))
assert len(refs) == 6, refs
for ref in refs:
    ours = ref.replace("/ref-", "/case-")
    a, b = Image.open(ours), Image.open(ref)
    a.load()
    b.load()
    assert a.mode == "RGB" and a.size == b.size, (ours, a.mode, a.size, b.size)
    assert a.info.get("dpi") and round(a.info["dpi"][0]) == 300, (ours, a.info)
    assert a.tobytes() == b.convert("RGB").tobytes(), "%s: pixels differ from libpng's" % ours
    print("%s: %dx%d, %d bytes (libpng %d)" % (os.path.basename(ours), a.size[0], a.size[1],
          os.path.getsize(ours), os.path.getsize(ref)))
PYEOF
        pass "6 PNG charts decode (Pillow) to the pixels libpng writes of the same drawing"
        sed 's/^/   /' "$TMP/pixels.log" >&2
    else
        fail "PNG charts decode (Pillow) to the pixels libpng writes of the same drawing"
        tail -3 "$TMP/pixels.log" >&2
    fi
    # the synthetic PNGs and SVGs, read the same way
    mkdir -p "$TMP/cases-out/synthetic/charts"
    : >"$TMP/cases-out/synthetic/assessment.csv"
    echo "plan_id,indicator_id,kind,group" >"$TMP/cases-out/synthetic/assessment.csv"
    {
        echo "file,kind,indicator_id,group,title,format,width_mm,height_mm,dpi,width_px,height_px"
        for f in "$TMP"/cases/case-*.png "$TMP"/cases/case-*.svg; do
            b=$(basename "$f")
            case $b in
                case-small.*) w=80 h=50 ;;
                case-brief.*) w=84 h=50 ;;
                case-overview.*) continue ;;
                *) w=160 h=90 ;;
            esac
            cp "$f" "$TMP/cases-out/synthetic/charts/$b"
            case $b in
                *.png) awk -v b="$b" -v w=$w -v h=$h 'function up(x) { return x == int(x) ? x : int(x) + 1 }
                    BEGIN { printf "%s,indicator,,,,png,%s,%s,300,%d,%d\n", b, w, h, up(w / 25.4 * 300 - 1e-6), up(h / 25.4 * 300 - 1e-6) }' ;;
                *) echo "$b,indicator,,,,svg,$w,$h,,," ;;
            esac
        done
    } >"$TMP/cases-out/synthetic/charts/charts.csv"
    "$PY" tests/charts/check.py "$TMP/cases-out" indicators data 2>&1 |
        grep -E "PNGs are valid|dpi|SVG parses" | sed 's/synthetic:/chart_cases files:/' >>"$LOG"
else
    fail "chart_cases compiles"
    head -20 "$TMP/cc.err" >&2
fi

finish
