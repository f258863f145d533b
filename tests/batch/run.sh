#!/bin/sh
# tests/batch/run.sh - batch runs over the sample plans (docs/cli.md,
# "Batch runs, the manifest and shards"), on a copy of indicators/, data/
# and templates/ in a temporary directory:
#   1. -j 2 gives byte-identical outputs (SVG chart files too) to a run in one process, and one
#      plain progress line per plan when stderr is not a terminal;
#   2. manifest.json lists every output with the SHA-256 and size of the
#      file on disk, and every input with the digest of the file
#      (tests/batch/check_manifest.py);
#   3. a second run skips every plan and rewrites nothing; a build of another
#      commit and --force render again; a changed data file renders only
#      the plans that read it;
#      a run of one plan refreshes the comparison of everything in out/;
#   4. the shards of a run, copied together, give the same manifest as the
#      whole run once `planeval compare` has run over them;
#   5. a run killed with SIGKILL leaves every file under its real name whole
#      (all equal to the previous run's), and the next run removes the
#      temporary files it left (tests/atomic kills at every commit step);
#   6. two overlapping runs on one out/: the second waits for the first's
#      lock, then skips every plan; the manifest is whole;
#   7. the manifest follows no symbolic link (to the repository, to ..);
#      inputs.sha256 lists a table linked into a region, whose edit renders again.
# Ends with "N passed, M failed"; exit status 1 if any check failed.
#
# PLANEVAL: the binary (default build/planeval). PYTHON: a Python 3.
set -u
cd "$(dirname "$0")/../.."
REPO=$(pwd)
PLANEVAL=${PLANEVAL:-build/planeval}
case $PLANEVAL in /*) ;; *) PLANEVAL=$REPO/$PLANEVAL ;; esac
PYTHON=${PYTHON:-/usr/bin/python3}
. tests/lib.sh

require_planeval tests/batch/run.sh
unset SOURCE_DATE_EPOCH

ROOT=$TMP/root
mkdir -p "$ROOT"
cp -R indicators data templates "$ROOT/"
rm -f "$ROOT/indicators/run.yaml"
cd "$ROOT" || exit 1
NPLANS=$(ls indicators/*.yaml | grep -v -c '/catalogue.yaml$')

# Every file under $1 except hidden ones (and those in hidden directories),
# with its SHA-256, as "digest  path".
digests() {
    (cd "$1" && find . -type f ! -path '*/.*' | LC_ALL=C sort | xargs sha256sum)
}
# The temporaries under $1 (outset.h: files .<name>.tmp.<pid>, generation
# directories .<plan>.tmp.<pid>).
temporaries() {
    find "$1" -name '.*.tmp.*' | wc -l | tr -d ' '
}

# revise_gdp FACTOR: qinan's latest GDP (data/qinan/economy.csv) times FACTOR.
revise_gdp() {
    "$PYTHON" - data/qinan/economy.csv "$1" <<'PY'
import sys
p, factor = sys.argv[1], float(sys.argv[2])
lines = open(p, encoding="utf-8").read().rstrip("\n").split("\n")
cells = lines[-1].split(",")
cells[1] = "%g" % (float(cells[1]) * factor)
lines[-1] = ",".join(cells)
open(p, "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
}

# The samples rendered in one process into $1 and with -j 2 into $2, with
# the options that follow; rc1 and rc2 their exit statuses, stderr in
# $TMP/$1.err and $TMP/$2.err.
run_twice() {
    _seq=$1 _par=$2
    shift 2
    "$PLANEVAL" run "$@" --out "$_seq" >/dev/null 2>"$TMP/$_seq.err"
    rc1=$?
    "$PLANEVAL" run "$@" -j 2 --out "$_par" >/dev/null 2>"$TMP/$_par.err"
    rc2=$?
}

# Passes ($3 says what) when directories $1 and $2 hold the same bytes.
same_bytes() {
    if diff -r "$1" "$2" >"$TMP/diff" 2>&1; then
        pass "$3"
    else
        fail "$3"
        head -n 5 "$TMP/diff" >&2
    fi
}

# 1. one process and two give the same bytes
run_twice seq par --charts none
check "sequential and -j 2 runs succeed" [ "$rc1" -eq 0 -a "$rc2" -eq 0 ]
same_bytes seq par "-j 2 writes byte-identical outputs, manifest and comparison"
# 1b. SVG chart files too: Cairo numbers SVG surfaces per process, and
# charts.c renumbers them per file, so the worker a plan lands on and the
# plans drawn before it in that process leave no trace in the bytes
run_twice seq_svg par_svg --charts svg
nsvg=$(find par_svg -name '*.svg' | wc -l)
check "SVG runs succeed, one process and -j 2 ($nsvg SVG files)" \
    [ "$rc1" -eq 0 -a "$rc2" -eq 0 -a "$nsvg" -gt 0 ]
same_bytes seq_svg par_svg "-j 2 writes byte-identical SVG charts"
rm -rf seq_svg par_svg
n=$(grep -c -E "^planeval: \[[0-9]+/$NPLANS\] [^ ]+\.yaml: ok \([0-9.]+ s\)$" "$TMP/par.err")
check "one progress line per plan without a terminal ($n of $NPLANS)" [ "$n" -eq "$NPLANS" ]
check "the summary counts every plan" \
    grep -q -F "planeval: $NPLANS plans: $NPLANS evaluated, 0 unchanged, 0 failed" "$TMP/par.err"

# 2. the manifest says what is on disk
if "$PYTHON" "$REPO/tests/batch/check_manifest.py" par . >"$TMP/manifest.out" 2>&1; then
    pass "manifest.json: every output and input with its SHA-256 ($(tail -n 1 "$TMP/manifest.out"))"
else
    fail "manifest.json: every output and input with its SHA-256"
    cat "$TMP/manifest.out" >&2
fi

# 3. unchanged inputs are not rendered again
digests par >"$TMP/before"
sleep 1
touch "$TMP/stamp"
"$PLANEVAL" run --charts none -j 2 --out par >/dev/null 2>"$TMP/again.err"
check "a second run skips every plan" \
    grep -q -F "planeval: $NPLANS plans: 0 evaluated, $NPLANS unchanged, 0 failed" "$TMP/again.err"
n=$(find par -type f -newer "$TMP/stamp" ! -name manifest.json ! -name 'comparison.*' | wc -l)
check "a skipped plan's files are not rewritten ($n rewritten)" [ "$n" -eq 0 ]
digests par >"$TMP/after"
check "a second run leaves every output as it was" cmp -s "$TMP/before" "$TMP/after"
# a program built from another commit renders again: its wording may differ
sed -i 's/ commit=[^ ]* / commit=0000000older /' par/huantai-2021-2025/inputs.sha256
"$PLANEVAL" run --charts none -j 2 --out par >/dev/null 2>"$TMP/commit.err"
check "results of another build of planeval are rendered again (1 plan)" \
    grep -q -F "planeval: $NPLANS plans: 1 evaluated, $((NPLANS - 1)) unchanged, 0 failed" \
    "$TMP/commit.err"
"$PLANEVAL" run --charts none -j 2 --force --out par >/dev/null 2>"$TMP/force.err"
check "--force renders every plan again" \
    grep -q -F "planeval: $NPLANS plans: $NPLANS evaluated, 0 unchanged, 0 failed" "$TMP/force.err"
# qinan's economy: the latest GDP revised 1 % up; only that region's plans change
revise_gdp 1.01
nq=$(grep -l -E '^  region: qinan$' indicators/*.yaml | wc -l | tr -d ' ')
"$PLANEVAL" run --charts none -j 2 --out par >/dev/null 2>"$TMP/revised.err"
check "a revised data file renders only its region's $nq plan(s)" \
    grep -q -F "planeval: $NPLANS plans: $nq evaluated, $((NPLANS - nq)) unchanged, 0 failed" \
    "$TMP/revised.err"
check "the change report names the revised file" \
    grep -q "data/qinan/economy.csv" par/qinan-2021-2025/changes.csv
check "the change report gives the revised input as a reason" \
    grep -q "revised_input" par/qinan-2021-2025/changes.csv
# a table that is a symbolic link (kept elsewhere, linked into the region):
# the loader reads it through the link, so it is an input: listed in
# inputs.sha256, and an edit of the file it names renders again (before,
# the listing skipped links: the edit was taken for "unchanged")
mkdir -p "$TMP/linked"
mv data/qinan/economy.csv "$TMP/linked/economy.csv"
ln -s "$TMP/linked/economy.csv" data/qinan/economy.csv
"$PLANEVAL" run --charts none -j 2 --out par >/dev/null 2>"$TMP/link0.err"
check "a table moved behind a link of the same bytes is unchanged" \
    grep -q -F "planeval: $NPLANS plans: 0 evaluated, $NPLANS unchanged, 0 failed" "$TMP/link0.err"
check "inputs.sha256 lists the linked table" \
    grep -q -E "^[0-9a-f]{64}  data/qinan/economy.csv\$" par/qinan-2021-2025/inputs.sha256
revise_gdp 1.02
"$PLANEVAL" run --charts none -j 2 --out par >/dev/null 2>"$TMP/link1.err"
check "an edit of a linked table renders its region's $nq plan(s) again" \
    grep -q -F "planeval: $NPLANS plans: $nq evaluated, $((NPLANS - nq)) unchanged, 0 failed" \
    "$TMP/link1.err"

# one plan run alone refreshes the comparison of everything in out/
cp par/comparison/comparison.csv "$TMP/cmp.before"
revise_gdp 1.05
"$PLANEVAL" run --charts none --out par qinan-2021-2025 >/dev/null 2>&1
if cmp -s par/comparison/comparison.csv "$TMP/cmp.before"; then
    fail "a run of one plan refreshes the comparison of out/"
else
    pass "a run of one plan refreshes the comparison of out/"
fi
check "and the manifest lists the new comparison" \
    "$PYTHON" "$REPO/tests/batch/check_manifest.py" par .

# 4. shards copied together: the same manifest as the whole run
"$PLANEVAL" run --charts none -j 2 --shard 1/2 --out s1 >/dev/null 2>"$TMP/s1.err"
r1=$?
"$PLANEVAL" run --charts none -j 2 --shard 2/2 --out s2 >/dev/null 2>"$TMP/s2.err"
r2=$?
check "both shards succeed" [ "$r1" -eq 0 -a "$r2" -eq 0 ]
n1=$(ls -d s1/*/ | wc -l)
n2=$(ls -d s2/*/ | wc -l)
check "the shards split the plans ($n1 + $n2 = $NPLANS)" [ $((n1 + n2)) -eq "$NPLANS" ]
"$PLANEVAL" run --charts none --out whole >/dev/null 2>&1
mkdir merged
cp -R s1/*/ s2/*/ merged/ 2>/dev/null || { cp -R s1/. merged/ && cp -R s2/. merged/; }
rm -f merged/manifest.json
"$PLANEVAL" compare --out merged >/dev/null 2>&1 && "$PLANEVAL" manifest --out merged >/dev/null 2>&1
check "shards copied together, compared and listed: the whole run's manifest" \
    cmp -s merged/manifest.json whole/manifest.json

# 5. a killed run. Run twice first: a plan the killed run manages to commit
# (whole, by design) then has the same changes.csv as before (against an
# identical previous run), so any difference is a torn or mixed file.
"$PLANEVAL" run --charts all --out killed >/dev/null 2>&1
"$PLANEVAL" run --charts all --force --out killed >/dev/null 2>&1
digests killed >"$TMP/k.before"
"$PLANEVAL" run --charts all --force --out killed >/dev/null 2>&1 &
pid=$!
sleep 2
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
digests killed >"$TMP/k.after"
if cmp -s "$TMP/k.before" "$TMP/k.after"; then
    pass "a run killed with SIGKILL leaves every file whole"
else
    fail "a run killed with SIGKILL leaves every file whole"
    diff "$TMP/k.before" "$TMP/k.after" | head -n 5 >&2
fi
left=$(temporaries killed)
"$PLANEVAL" run --charts all --out killed >/dev/null 2>"$TMP/k2.err"
check "the next run succeeds" [ $? -eq 0 ]
n=$(temporaries killed)
check "the next run removes the $left temporary file(s) the killed one left" [ "$n" -eq 0 ]

# 6. two overlapping runs on one out/ (two crons): the second waits for the
# first (flock on out/), then finds every plan unchanged; the manifest is whole
"$PLANEVAL" run --charts all --force --out killed >/dev/null 2>"$TMP/l1.err" &
p1=$!
# until the first holds the lock (flock(1) -n on the same directory fails)
i=0
while flock -n killed true 2>/dev/null && [ $i -lt 200 ]; do
    sleep 0.05
    i=$((i + 1))
done
"$PLANEVAL" run --charts all --out killed >/dev/null 2>"$TMP/l2.err"
r2=$?
wait "$p1"
r1=$?
check "two overlapping runs both succeed ($r1, $r2)" [ "$r1" -eq 0 -a "$r2" -eq 0 ]
check "the second says that it waits for the first" \
    grep -q -F "killed is in use by another run; waiting for it to finish" "$TMP/l2.err"
check "the second then finds every plan unchanged" \
    grep -q -F "planeval: $NPLANS plans: 0 evaluated, $NPLANS unchanged, 0 failed" "$TMP/l2.err"
check "the manifest after overlapping runs is whole" \
    "$PYTHON" "$REPO/tests/batch/check_manifest.py" killed .

# 7. the manifest does not follow symbolic links (to the repository, to ..;
# before, 16,824 entries and 78 s); the time bound is loose for a shared machine
cp killed/manifest.json "$TMP/m.before"
P1=killed/$(plan_dirs killed | head -n 1)
ln -s "$REPO" killed/zz-repo
ln -s .. killed/zz-up
ln -s "$REPO" "$P1/zz-repo"
ln -s .. "$P1/charts/zz-up"
start=$(date +%s)
"$PLANEVAL" manifest --out killed >/dev/null 2>"$TMP/m.err"
rc=$?
secs=$(($(date +%s) - start))
check "planeval manifest with links to the repository and to .. succeeds in ${secs} s" \
    [ "$rc" -eq 0 -a "$secs" -le 30 ]
check "and lists exactly what it listed without them" cmp -s "$TMP/m.before" killed/manifest.json

# 8. the worker pool: both workers killed (SIGKILL) while they evaluate a
# plan: those plans are reported crashed, nothing of them is written, new
# workers evaluate the remaining plans, and no process is left. With chart
# files (--charts all) the five plans take about 1.8 s on two cores, so the
# kill 0.2 s after both workers start finds them busy; without them the
# whole run took 0.45 s and the kill sometimes came after the last plan.
"$PLANEVAL" run --charts all -j 2 --out crash >/dev/null 2>"$TMP/c.err" &
pid=$!
i=0
while [ "$(pgrep -P "$pid" | wc -l)" -lt 2 ] && [ $i -lt 400 ]; do
    sleep 0.05
    i=$((i + 1))
done
sleep 0.2
kill -KILL $(pgrep -P "$pid") 2>/dev/null
wait "$pid"
rc=$?
crashed=$(grep -c 'crashed (signal 9)$' "$TMP/c.err")
ok=$((NPLANS - crashed))
check "a killed worker's plan is reported crashed, exit 3 ($crashed crashed, exit $rc)" \
    [ "$crashed" -ge 1 -a "$rc" -eq 3 ]
check "new workers evaluate the other plans" \
    grep -q -F "planeval: $NPLANS plans: $ok evaluated, 0 unchanged, $crashed failed" "$TMP/c.err"
# every directory counts here, a plan's partial one included: not plan_dirs
written=$(find crash -mindepth 1 -maxdepth 1 -type d ! -name '.*' ! -name comparison | wc -l | tr -d ' ')
check "only the plans evaluated are written ($written of $ok)" [ "$written" -eq "$ok" ]
check "no worker is left" [ -z "$(pgrep -P "$pid")" ]

finish
