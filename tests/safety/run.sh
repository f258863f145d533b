#!/bin/sh
# tests/safety/run.sh - output files cannot be hijacked (docs/cli.md,
# "Output safety"):
#   - a symbolic link planted at every temporary name a run will use, for
#     the very pid of the run (the shell plants them, then execs planeval
#     with its own pid), and at their .bak names: the run succeeds, every
#     file a link pointed to is unchanged, every output is a plain file;
#   - links at the names the run uses in out/ itself (the generation
#     directory .PLAN.tmp.PID, .PLAN.old.PID, the journal .commit.PID) are
#     removed, never followed;
#   - a plan directory that is a symbolic link is refused with a message
#     and exit 3, and nothing is written where the link points; a charts/
#     that is one is never written through (the run replaces the directory).
# Ends with "N passed, M failed"; exit status 1 if any check failed.
#
# PLANEVAL: the binary (default build/planeval).
set -u
cd "$(dirname "$0")/../.."
PLANEVAL=${PLANEVAL:-build/planeval}
. tests/lib.sh
require_planeval tests/safety/run.sh

PLAN=huantai-2021-2025
OUT=$TMP/out
"$PLANEVAL" run "$PLAN" qinan-2021-2025 --out "$OUT" -q >"$TMP/first.log" 2>&1 ||
    { fail "first run: $(head -c 300 "$TMP/first.log")"; finish; exit 1; }

# 1. links planted for the run's own pid at every temporary name
VICTIMS=$TMP/victims
mkdir -p "$VICTIMS"
(cd "$OUT/$PLAN" && find . -type f ! -name '.*' | sed 's|^\./||' | LC_ALL=C sort) >"$TMP/names"
(cd "$OUT" && find . -maxdepth 1 -type f ! -name '.*' | sed 's|^\./||' | LC_ALL=C sort) >"$TMP/top"
n=$(wc -l <"$TMP/names")
# plant DIR NAME PID: .NAME.tmp.PID and .NAME.tmp.PID.bak in NAME's directory, each a
# link to its own victim file
cat >"$TMP/plant.sh" <<'EOF'
dir=$1 list=$2 victims=$3 pid=$4
while read -r name; do
    sub=$(dirname "$name"); base=$(basename "$name")
    for suffix in "" .bak; do
        v="$victims/$(echo "$dir/$name$suffix" | tr '/' '_')"
        printf 'victim %s\n' "$name$suffix" >"$v"
        ln -s "$v" "$dir/$sub/.$base.tmp.$pid$suffix"
    done
done <"$list"
EOF
# the names in out/ itself (src/outset.h): the plan's generation directory
# .PLAN.tmp.PID, its previous set moved aside .PLAN.old.PID (and the same
# two of the comparison's directory, out/comparison/: out/ holds a second
# plan, so the run of one plan refreshes the comparison), the commit
# journal .commit.PID and its temporary .commit.PID.new, each a link to a
# victim directory or file
cat >"$TMP/plant-dirs.sh" <<'EOF'
out=$1 plan=$2 victims=$3 pid=$4
for name in ".$plan.tmp.$pid" ".$plan.old.$pid"; do
    v="$victims/dir_$name"
    mkdir -p "$v" && printf 'victim %s\n' "$name" >"$v/sentinel"
    ln -s "$v" "$out/$name"
done
for name in ".commit.$pid" ".commit.$pid.new"; do
    v="$victims/$name"
    printf 'victim %s\n' "$name" >"$v"
    ln -s "$v" "$out/$name"
done
EOF
sh -c '
    sh "$1" "$2/$3" "$4" "$5" $$
    sh "$1" "$2" "$6" "$5" $$
    sh "$7" "$2" "$3" "$5" $$
    sh "$7" "$2" comparison "$5" $$
    shift 7
    exec "$@"' sh "$TMP/plant.sh" "$OUT" "$PLAN" "$TMP/names" "$VICTIMS" "$TMP/top" \
    "$TMP/plant-dirs.sh" "$PLANEVAL" run "$PLAN" --out "$OUT" --force -q >"$TMP/planted.log" 2>&1
rc=$?
planted=$(find "$VICTIMS" -type f | wc -l)
[ "$rc" -eq 0 ] && pass "a run with $planted links planted at its temporaries' names succeeds" ||
    fail "run with planted links: exit $rc: $(head -c 300 "$TMP/planted.log")"
changed=0
for v in $(find "$VICTIMS" -type f); do
    grep -q '^victim ' "$v" && [ "$(wc -l <"$v")" -eq 1 ] || changed=$((changed + 1))
done
[ "$planted" -gt $((2 * n)) ] && [ "$changed" -eq 0 ] &&
    pass "no file a planted link pointed to changed ($planted links, $n outputs of the plan)" ||
    fail "$changed of $planted files behind planted links changed"
links=$(find "$OUT" -type l ! -name '.*' | head -n 5)
[ -z "$links" ] && pass "every output is a plain file, none a link" || fail "outputs that are links: $links"
cmp -s "$OUT/$PLAN/assessment.csv" "$TMP/out/$PLAN/assessment.csv" &&
    grep -q "^plan_id" "$OUT/$PLAN/assessment.csv" && pass "the outputs are the run's own" ||
    fail "assessment.csv is not the run's"

# 2. a plan directory that is a symbolic link
ELSEWHERE=$TMP/elsewhere
mkdir -p "$ELSEWHERE"
echo sentinel >"$ELSEWHERE/sentinel"
OUT2=$TMP/out2
mkdir -p "$OUT2"
ln -s "$ELSEWHERE" "$OUT2/$PLAN"
"$PLANEVAL" run "$PLAN" --out "$OUT2" --charts none >"$TMP/link.out" 2>"$TMP/link.err"
rc=$?
[ "$rc" -eq 3 ] && grep -q "symbolic link" "$TMP/link.err" &&
    [ "$(ls -A "$ELSEWHERE")" = "sentinel" ] &&
    pass "a plan directory that is a symbolic link: refused (exit 3), nothing written behind it" ||
    fail "linked plan directory: exit $rc, $(head -c 200 "$TMP/link.err"), behind it: $(ls -A "$ELSEWHERE" | tr '\n' ' ')"

# 3. a charts/ directory that is a symbolic link: the run writes a new
# generation of the plan's directory, so the link is never written through;
# it goes with the previous set (removed as a link, its target untouched)
ELSEWHERE2=$TMP/elsewhere2
mkdir -p "$ELSEWHERE2"
echo sentinel >"$ELSEWHERE2/sentinel"
rm -rf "$OUT/$PLAN/charts"
ln -s "$ELSEWHERE2" "$OUT/$PLAN/charts"
"$PLANEVAL" run "$PLAN" --out "$OUT" --force --charts svg >"$TMP/charts.out" 2>"$TMP/charts.err"
rc=$?
[ "$rc" -eq 0 ] && [ "$(ls -A "$ELSEWHERE2")" = sentinel ] && [ ! -L "$OUT/$PLAN/charts" ] &&
    [ -d "$OUT/$PLAN/charts" ] && [ -n "$(ls "$OUT/$PLAN/charts")" ] &&
    pass "a charts/ that is a symbolic link: never written through, replaced by the run's own directory" ||
    fail "linked charts/: exit $rc, $(head -c 200 "$TMP/charts.err"), behind it: $(ls -A "$ELSEWHERE2" | head -n 3 | tr '\n' ' ')"

finish
