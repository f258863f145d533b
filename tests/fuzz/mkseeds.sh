#!/bin/sh
# tests/fuzz/mkseeds.sh - build the seed corpora of the fuzz harnesses from
# the real files of the repository, so that the seeds follow the formats as
# they change. Run from the repository root (run.sh does):
#
#     sh tests/fuzz/mkseeds.sh OUTDIR EXTRACT_FORMULAS_BINARY
#
# OUTDIR/yaml     every indicators/*.yaml, data/variables/*.yaml and test
#                 fixture plan; and each plan and the catalogue cut into one
#                 small file per indicator (the header, then one indicator)
# OUTDIR/csv      every data/<region>/*.csv and test fixture CSV, each
#                 preceded by its file name on a line (see fuzz_csv.c)
# OUTDIR/xlsx     tests/fuzz/xlsx/*.xlsx whole, and each of their XML parts
#                 (see fuzz_xlsx.c)
# OUTDIR/template  every templates/*.yaml, whole and one top-level key each
# OUTDIR/runconfig indicators/run.yaml, docs/examples/*.yaml with a run:
#                  key and the run: blocks quoted in docs/*.md
# OUTDIR/formula  every formula text of those YAML files, and each line of
#                 tests/fuzz/formulas.txt, one per file
#
# Seed files are named by the SHA-1 of their content (duplicates collapse).
set -eu

OUT=$1
EXTRACT=$2
rm -rf "$OUT"
mkdir -p "$OUT/yaml" "$OUT/csv" "$OUT/formula" "$OUT/xlsx" "$OUT/template" "$OUT/runconfig"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/planeval-seeds.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Move file $2 into directory $1 under the name of its hash.
keep() {
    h=$(sha1sum <"$2" | cut -c1-40)
    mv "$2" "$1/$h"
}

exists() { [ -e "$1" ]; }

YAMLS=""
for f in indicators/*.yaml data/variables/*.yaml tests/unit/plans/*.yaml \
         tests/e2e/fixture/indicators/*.yaml tests/e2e/fixture/data/variables/*.yaml; do
    exists "$f" || continue
    YAMLS="$YAMLS $f"
    cp "$f" "$TMP/s"
    keep "$OUT/yaml" "$TMP/s"
done

# One small file per list item under the top-level 'indicators:': the lines
# before 'indicators:', then that item ("  - id: ..." up to the next item or
# the next top-level key).
for f in indicators/*.yaml tests/e2e/fixture/indicators/*.yaml; do
    exists "$f" || continue
    awk -v dir="$TMP" '
        BEGIN { n = 0; inl = 0; head = "" }
        /^indicators:/ { inl = 1; next }
        !inl { head = head $0 "\n"; next }
        /^[^ #]/ { inl = 0; next }
        /^  - / { n++; file = dir "/item" n; printf "%sindicators:\n", head > file }
        n > 0 { print >> file; close(file) }
    ' "$f"
    for s in "$TMP"/item*; do
        exists "$s" || continue
        keep "$OUT/yaml" "$s"
    done
done

for f in data/*/*.csv tests/unit/csv/*.csv tests/e2e/fixture/data/*/*.csv; do
    exists "$f" || continue
    { basename "$f"; cat "$f"; } >"$TMP/s"
    keep "$OUT/csv" "$TMP/s"
done

# shellcheck disable=SC2086
"$EXTRACT" $YAMLS 2>/dev/null | sort -u | while IFS= read -r line; do
    [ -n "$line" ] || continue
    printf '%s' "$line" >"$TMP/s"
    keep "$OUT/formula" "$TMP/s"
done || true

# Hand-written formulas: every function, operator and filter form.
grep -v '^#' tests/fuzz/formulas.txt | while IFS= read -r line; do
    [ -n "$line" ] || continue
    printf '%s' "$line" >"$TMP/s"
    keep "$OUT/formula" "$TMP/s"
done

# Workbooks (fuzz_xlsx.c): each whole, after a mode byte 0; each XML part
# after the byte that wraps it as that part (1 sheet, 3 sharedStrings,
# 5 styles, 7 workbook).
for f in tests/fuzz/xlsx/*.xlsx; do
    exists "$f" || continue
    { printf '\000'; cat "$f"; } >"$TMP/s"
    keep "$OUT/xlsx" "$TMP/s"
    python3 - "$f" "$TMP" <<'PY'
import sys, zipfile
modes = {"xl/sharedStrings.xml": 3, "xl/styles.xml": 5, "xl/workbook.xml": 7}
with zipfile.ZipFile(sys.argv[1]) as z:
    for i, name in enumerate(z.namelist()):
        mode = 1 if name.startswith("xl/worksheets/") else modes.get(name)
        if mode is not None:
            with open(f"{sys.argv[2]}/x{i}", "wb") as out:
                out.write(bytes([mode]) + z.read(name))
PY
    for s in "$TMP"/x*; do
        exists "$s" && keep "$OUT/xlsx" "$s"
    done
done

# Templates (fuzz_template.c): each templates/*.yaml whole, and cut into one
# file per top-level key (its lines up to the next top-level key).
for f in templates/*.yaml tests/e2e/fixture/templates/*.yaml; do
    exists "$f" || continue
    cp "$f" "$TMP/s"
    keep "$OUT/template" "$TMP/s"
    awk -v dir="$TMP" '
        /^[A-Za-z_]/ { n++; file = dir "/t" n }
        n > 0 { print >> file; close(file) }
    ' "$f"
    for s in "$TMP"/t*; do
        exists "$s" && keep "$OUT/template" "$s"
    done
done

# Run configurations (fuzz_runconfig.c): indicators/run.yaml, the examples
# of docs/, and the run: blocks quoted in docs/*.md.
for f in indicators/run.yaml docs/examples/*.yaml tests/e2e/fixture/indicators/run.yaml; do
    exists "$f" || continue
    grep -q '^run:' "$f" || continue
    cp "$f" "$TMP/s"
    keep "$OUT/runconfig" "$TMP/s"
done
for f in docs/*.md; do
    awk -v dir="$TMP" '
        /^```/ { if (inb) { inb = 0; close(file) } else { inb = 1; n++; file = dir "/r" n; started = 0 }; next }
        inb && /^run:/ { started = 1 }
        inb && started { print >> file }
    ' "$f"
    for s in "$TMP"/r*; do
        [ -s "$s" ] && keep "$OUT/runconfig" "$s"
        rm -f "$s"
    done
done

for h in yaml csv formula xlsx template runconfig; do
    [ -n "$(ls "$OUT/$h")" ] || { echo "mkseeds: no $h seeds" >&2; exit 1; }
done
