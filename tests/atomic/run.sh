#!/bin/sh
# tests/atomic/run.sh - a plan's outputs, the comparison and the manifest
# commit as units (docs/guarantees.md, "Atomicity"). The previous set is a
# mid-term run of two plans, the new set a final-stage run (every file
# differs). PLANEVAL_TEST_KILL_AT=LABEL:N (src/outset.h) sends SIGKILL to
# the run just before step N of the commit of LABEL; N goes 1, 2, ... until
# the run is no longer killed, so every sync, rename and removal of the
# commit is a kill point. After each kill:
#   - out/<plan>/ equals the previous set or the new set, file for file;
#   - the next run leaves the new set (a plan left at the previous set is
#     not skipped: its marker is the previous one);
#   - out/comparison/ (its three files) is all previous or all new at once:
#     it is exchanged as a whole like a plan's directory, no journal needed;
#     manifest.json is the previous or the new one;
#   - nothing of the killed run is left once the next run has run.
# Also with --charts png (a charts/ subdirectory) at the steps around the swap,
# and without the file system's exchange of directories (two renames).
# SIGTERM and SIGINT to a -j 2 run stop its workers: each plan is left with
# its previous or its new set.
# Ends with "N passed, M failed"; exit status 1 if any check failed.
#
# PLANEVAL: the binary (default build/planeval). ATOMIC_FULL=1 adds the
# PNG sweep of the swap's steps; ATOMIC_QUICK=1 runs the plan's sweep only;
# ATOMIC_ONLY=LABEL runs LABEL's sweep only (comparison, manifest.json, a plan id).
set -u
cd "$(dirname "$0")/../.."
REPO=$(pwd)
PLANEVAL=${PLANEVAL:-build/planeval}
case $PLANEVAL in /*) ;; *) PLANEVAL=$REPO/$PLANEVAL ;; esac
. tests/lib.sh
require_planeval tests/atomic/run.sh
unset SOURCE_DATE_EPOCH PLANEVAL_TEST_KILL_AT

P=huantai-2021-2025
Q=qinan-2021-2025
ROOT=$TMP/root
mkdir -p "$ROOT"
cp -R indicators data templates "$ROOT/"
rm -f "$ROOT/indicators/run.yaml"
cd "$ROOT" || exit 1

# digests DIR [NAMES...]: "digest  path" of every file under DIR (hidden ones too)
digests() {
    (cd "$1" && find . -type f | LC_ALL=C sort | xargs -r sha256sum)
}
cmpset() { # cmpset DIR: digests of the comparison's files in DIR/comparison/
    (cd "$1/comparison" 2>/dev/null && sha256sum comparison.csv comparison.pdf comparison.xlsx 2>/dev/null)
}
leftovers() { # hidden names a killed run can leave in out/ and out/<plan>/
    find "$1" -name '.*' | wc -l | tr -d ' '
}

# sweep LABEL CHARTS FIRST LAST: kill at steps FIRST..LAST of LABEL's commit
# (LAST 0: until the run is no longer killed; FIRST -K: from the K-th last
# file's sync of plan $P); checks as above. With NOEX=1 the file system's
# exchange of directories is taken away (PLANEVAL_TEST_NO_EXCHANGE): a kill
# between its two renames may leave out/<plan> missing, and any planeval
# command on out/ (here `planeval manifest`) puts the previous set back.
sweep() {
    label=$1 charts=$2 first=$3 last=$4
    rm -rf base ref
    "$PLANEVAL" run $P $Q --stage midterm --charts "$charts" --out base -q >/dev/null 2>&1 ||
        { fail "$label: the previous set could not be made"; return; }
    cp -a base ref
    "$PLANEVAL" run $P $Q --stage final --charts "$charts" --out ref -q >/dev/null 2>&1 ||
        { fail "$label: the new set could not be made"; return; }
    digests base/$P >"$TMP/oldP"
    digests ref/$P >"$TMP/newP"
    cmpset base >"$TMP/oldC"
    cmpset ref >"$TMP/newC"
    sha256sum <base/manifest.json >"$TMP/oldM"
    sha256sum <ref/manifest.json >"$TMP/newM"
    cmp -s "$TMP/oldP" "$TMP/newP" && { fail "$label: previous and new sets are equal"; return; }
    [ "$first" -lt 0 ] && first=$(($(wc -l <"$TMP/newP") + first + 1))
    n=$first kills=0 bad=0 after_bad=0 left=0 moved=0 cmp_old=0 cmp_new=0
    while :; do
        rm -rf work
        cp -a base work
        PLANEVAL_TEST_KILL_AT=$label:$n "$PLANEVAL" run $P $Q --stage final --charts "$charts" \
            --out work -q >/dev/null 2>"$TMP/kill.err"
        rc=$?
        if [ "$rc" -ne 137 ]; then
            [ "$rc" -eq 0 ] || { fail "$label:$n: exit $rc: $(head -c 200 "$TMP/kill.err")"; return; }
            break
        fi
        kills=$((kills + 1))
        if [ "${NOEX:-0}" = 1 ] && [ ! -e work/$P ]; then
            moved=$((moved + 1))
            "$PLANEVAL" manifest --out work >/dev/null 2>&1
            digests work/$P >"$TMP/nowP"
            cmp -s "$TMP/nowP" "$TMP/oldP" ||
                { bad=$((bad + 1)); echo "  $label:$n: previous set not put back" >&2; }
        fi
        digests work/$P >"$TMP/nowP"
        cmp -s "$TMP/nowP" "$TMP/oldP" || cmp -s "$TMP/nowP" "$TMP/newP" ||
            { bad=$((bad + 1)); echo "  $label:$n: $P is a mix" >&2; }
        sha256sum <work/manifest.json >"$TMP/nowM"
        cmp -s "$TMP/nowM" "$TMP/oldM" || cmp -s "$TMP/nowM" "$TMP/newM" ||
            { bad=$((bad + 1)); echo "  $label:$n: manifest.json torn" >&2; }
        # the comparison: previous or new right after the kill, before any
        # other command has looked at out/
        cmpset work >"$TMP/nowC"
        if cmp -s "$TMP/nowC" "$TMP/oldC"; then cmp_old=$((cmp_old + 1))
        elif cmp -s "$TMP/nowC" "$TMP/newC"; then cmp_new=$((cmp_new + 1))
        else bad=$((bad + 1)); echo "  $label:$n: comparison is a mix" >&2; fi
        # the next run completes the work
        "$PLANEVAL" run $P $Q --stage final --charts "$charts" --out work -q >/dev/null 2>&1
        digests work/$P >"$TMP/nowP"
        cmpset work >"$TMP/nowC"
        cmp -s "$TMP/nowP" "$TMP/newP" && cmp -s "$TMP/nowC" "$TMP/newC" ||
            { after_bad=$((after_bad + 1)); echo "  $label:$n: not the new set after the next run" >&2; }
        l=$(($(leftovers work) + $(leftovers work/$P)))
        [ "$l" -eq 0 ] || { left=$((left + 1)); echo "  $label:$n: $l leftovers" >&2; }
        n=$((n + 1))
        [ "$last" -gt 0 ] && [ "$n" -gt "$last" ] && break
    done
    check "$label ($charts): killed at $kills commit steps ($first..$((n - 1))), never a mix ($bad)" \
        [ "$kills" -gt 0 -a "$bad" -eq 0 ]
    check "$label ($charts): the next run leaves the new set every time ($after_bad not)" \
        [ "$after_bad" -eq 0 ]
    check "$label ($charts): the next run leaves no temporaries ($left times some)" [ "$left" -eq 0 ]
    [ "$label" = comparison ] &&
        check "comparison: the kills left the previous comparison $cmp_old times and the new one $cmp_new times" \
            [ "$cmp_old" -gt 0 -a "$cmp_new" -gt 0 ]
    [ "${NOEX:-0}" = 1 ] &&
        check "$label without exchange: a kill between the two renames leaves the previous set aside ($moved times), put back by the next command" \
            [ "$moved" -gt 0 ]
    echo "$label charts=$charts ${NOEX:+no-exchange }kills=$kills (steps $first..$((n - 1)))" >>"$TMP/counts"
}

# ATOMIC_ONLY=LABEL: that sweep alone (e.g. comparison, manifest.json)
if [ -n "${ATOMIC_ONLY:-}" ]; then
    sweep "$ATOMIC_ONLY" none 1 0
    cat "$TMP/counts"
    finish
    exit $?
fi
sweep $P none 1 0
# ATOMIC_QUICK=1 (the sanitizer pass of make test): the plan's sweep only;
# a SIGKILL shows nothing to a sanitizer, the code paths are the same.
if [ -n "${ATOMIC_QUICK:-}" ]; then
    cat "$TMP/counts"
    finish
    exit $?
fi
sweep comparison none 1 0
sweep manifest.json none 1 0
NOEX=1 PLANEVAL_TEST_NO_EXCHANGE=1 sweep $P none 1 0
# with charts/ (png): the first and the last two file syncs, then every step of the swap
sweep $P png 1 1
# The last two file syncs and every step of the swap with charts/: the
# slowest part (about 7 runs with PNG charts); ATOMIC_FULL=1 runs it.
[ -n "${ATOMIC_FULL:-}" ] && sweep $P png -2 0

# sigstop SIG NUM: SIGTERM or SIGINT to a `run -j 2` of every plan once its
# first plan is committed: exit 128 + NUM, no worker left running, every
# plan holds its previous set or its new one, no generation directory left
sigstop() {
    rm -rf sbase sref swork
    "$PLANEVAL" run --stage midterm --charts png -j 2 --out sbase -q >/dev/null 2>&1
    cp -a sbase sref
    "$PLANEVAL" run --stage final --charts png -j 2 --out sref -q >/dev/null 2>&1
    cp -a sbase swork
    "$PLANEVAL" run --stage final --charts png -j 2 --out swork -q >/dev/null 2>"$TMP/sig.err" &
    pid=$!
    i=0
    while [ $i -lt 600 ]; do
        committed=0
        for p in $(plan_dirs sbase); do
            cmp -s "sbase/$p/inputs.sha256" "swork/$p/inputs.sha256" 2>/dev/null ||
                committed=1
        done
        [ "$committed" -eq 1 ] && break
        sleep 0.05
        i=$((i + 1))
    done
    kill -"$1" "$pid"
    wait "$pid"
    rc=$?
    sleep 1
    alive=$(ps -eo args | grep -c -F -- "--out swork")
    old=0 new=0 mix=0
    for d in sbase/*/; do
        p=$(basename "$d")
        digests "swork/$p" >"$TMP/s.now"
        digests "sbase/$p" >"$TMP/s.old"
        digests "sref/$p" >"$TMP/s.new"
        if cmp -s "$TMP/s.now" "$TMP/s.old"; then old=$((old + 1))
        elif cmp -s "$TMP/s.now" "$TMP/s.new"; then new=$((new + 1))
        else mix=$((mix + 1)); fi
    done
    check "SIG$1 to a -j 2 run: exit $rc (128 + $2), it says so" \
        [ "$rc" -eq $((128 + $2)) ] && grep -q "stopped by signal $2" "$TMP/sig.err"
    check "SIG$1: no worker left running (ps lists $((alive - 1)) beyond the grep)" [ "$alive" -le 1 ]
    check "SIG$1: $new plan(s) with the new set, $old with the previous one, $mix mixed" \
        [ "$mix" -eq 0 -a "$new" -ge 1 -a "$old" -ge 1 ]
    check "SIG$1: no generation directory left ($(leftovers swork) hidden names)" \
        [ "$(leftovers swork)" -eq 0 ]
}
sigstop TERM 15
sigstop INT 2

cat "$TMP/counts"
finish
