# tests/lib.sh - what the suites checked by real readers share. Sourced from
# the repository root (`. tests/lib.sh`), after PLANEVAL is set:
#   $TMP      a temporary directory, removed at exit
#   pass/fail one "ok ..." or "FAIL ..." line, also kept in $TMP/results
#   check NAME COMMAND...   pass NAME if COMMAND succeeds, else fail it
#   require_planeval NAME   stop with "0 passed, 1 failed" if $PLANEVAL is not built
#   finish    the closing "N passed, M failed"; status 1 if any check failed
#   plan_dirs OUT           the plan directories of OUT, one name a line (not
#                           out/comparison/, which holds no assessment.csv)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
LOG="$TMP/results"
: >"$LOG"

pass() { echo "ok $1" | tee -a "$LOG"; }
fail() { echo "FAIL $1" | tee -a "$LOG"; }

check() {
    _name=$1
    shift
    if "$@"; then pass "$_name"; else fail "$_name"; fi
}

require_planeval() {
    if [ ! -x "$PLANEVAL" ]; then
        echo "$1: $PLANEVAL not built (make planeval)" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
}

plan_dirs() {
    for _d in "$1"/*/; do
        if [ -f "$_d/assessment.csv" ]; then basename "$_d"; fi
    done
}

finish() {
    _passed=$(grep -c "^ok" "$LOG")
    _failed=$(grep -c "^FAIL" "$LOG")
    echo "$_passed passed, $_failed failed"
    [ "$_failed" -eq 0 ]
}
