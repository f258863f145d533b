#!/bin/sh
# planeval-yearly - the annual evaluation of an office (docs/operations.md).
# Installed as /usr/local/bin/planeval-yearly; run by cron or planeval.timer.
#
#   planeval-yearly [YEAR]
#
# 1. takes a lock (log/.lock), so that two runs never overlap;
# 2. copies the previous results, out/, to archive/<their evaluation year>/
#    (archive/<year>.<date-time>/ when that year is archived already with
#    other contents; nothing when the same results are archived already).
#    out/ itself stays, so that planeval compares the new results with it
#    (changes.csv) and skips the plans whose inputs have not changed;
# 3. runs `planeval run --config $PLANEVAL_HOME/planeval.yaml --out
#    $PLANEVAL_HOME/out [--year YEAR]`; its whole output goes to
#    log/run-<date-time>.log, headed by `planeval --version` (the commit,
#    the templates, catalogue and dictionary in use). Without YEAR the year
#    comes from the data (or from `year:` in the configuration);
# 4. appends the end-of-run summary to log/summary.log, prints it, and mails
#    it to $PLANEVAL_MAILTO when that is set and `mail` is installed;
# 5. exits with planeval's status: 0 success, 1 errors in definitions or
#    data, 2 usage, 3 results could not be written. Its own failures: 2 (a
#    YEAR that is not a year, no configuration file), 3 (the archive or
#    the log could not be written: planeval was not run), 75 (another run
#    holds the lock).
#
# Environment:
#   PLANEVAL_HOME    the office directory (default /srv/planeval)
#   PLANEVAL         the planeval binary: a command name or an absolute path
#                    (default: planeval on PATH; the run is made in $PLANEVAL_HOME)
#   PLANEVAL_CONFIG  the run configuration (default $PLANEVAL_HOME/planeval.yaml)
#   PLANEVAL_MAILTO  where the summary is mailed (addresses separated by spaces)
set -u

HOME_DIR=${PLANEVAL_HOME:-/srv/planeval}
PLANEVAL=${PLANEVAL:-planeval}
CONFIG=${PLANEVAL_CONFIG:-$HOME_DIR/planeval.yaml}
MAILTO=${PLANEVAL_MAILTO:-}
OUT=$HOME_DIR/out
ARCHIVE=$HOME_DIR/archive
LOGDIR=$HOME_DIR/log
LOCK=$LOGDIR/.lock

say() { echo "planeval-yearly: $*" >&2; }

YEAR=
case $# in
0) ;;
1)
    case $1 in
    [12][0-9][0-9][0-9]) YEAR=$1 ;;
    *)
        say "'$1' is not a year (usage: planeval-yearly [YEAR])"
        exit 2
        ;;
    esac
    ;;
*)
    say "usage: planeval-yearly [YEAR]"
    exit 2
    ;;
esac
if [ ! -f "$CONFIG" ]; then
    say "no run configuration $CONFIG (docs/operations.md)"
    exit 2
fi

if ! mkdir -p "$LOGDIR" "$ARCHIVE"; then
    say "cannot create $LOGDIR and $ARCHIVE"
    exit 3
fi

# The lock: a directory holding the owner's pid. A lock whose process is
# gone (a run killed with SIGKILL, a reboot) is taken over.
if ! mkdir "$LOCK" 2>/dev/null; then
    pid=$(cat "$LOCK/pid" 2>/dev/null)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        say "another run (pid $pid) holds $LOCK"
        exit 75
    fi
    rm -rf "$LOCK"
    if ! mkdir "$LOCK" 2>/dev/null; then
        say "cannot take $LOCK"
        exit 75
    fi
fi
echo $$ >"$LOCK/pid"
WORK=$LOCK/work
mkdir "$WORK"
trap 'rm -rf "$LOCK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

STAMP=$(date +%Y%m%dT%H%M%S)
RUNLOG=$LOGDIR/run-$STAMP.log
[ -e "$RUNLOG" ] && RUNLOG=$LOGDIR/run-$STAMP.$$.log
SUMMARY=$WORK/summary

# The evaluation year of the results in out/: the largest evaluation_year
# (third column of assessment.csv) of its plans.
results_year() {
    for f in "$OUT"/*/assessment.csv; do
        [ -f "$f" ] && sed -n 2p "$f" | cut -d, -f3
    done | grep -E '^[0-9]{4}$' | sort -n | tail -n 1
}

# 2. keep the previous results
archived=
if [ -f "$OUT/manifest.json" ]; then
    y=$(results_year)
    [ -n "$y" ] || y=undated
    dest=$ARCHIVE/$y
    if [ -e "$dest" ] && cmp -s "$OUT/manifest.json" "$dest/manifest.json"; then
        archived="out/ is archived already in archive/$y"
    else
        [ -e "$dest" ] && dest=$ARCHIVE/$y.$STAMP
        tmp=$ARCHIVE/.archive.tmp.$$
        rm -rf "$tmp"
        if cp -Rp "$OUT" "$tmp" && mv "$tmp" "$dest"; then
            archived="out/ copied to archive/${dest##*/}"
        else
            rm -rf "$tmp"
            say "cannot copy $OUT to $dest; planeval not run, out/ untouched"
            exit 3
        fi
    fi
fi

# 3. the run
set -- run --config "$CONFIG" --out "$OUT"
[ -n "$YEAR" ] && set -- "$@" --year "$YEAR"
cd "$HOME_DIR" || exit 3
if ! {
    echo "# planeval-yearly $(date '+%Y-%m-%dT%H:%M:%S%z') on $(uname -n)"
    "$PLANEVAL" --version --config "$CONFIG" 2>&1 | sed 's/^/# /'
    echo "# $PLANEVAL $*"
} >"$RUNLOG"; then
    say "cannot write $RUNLOG"
    exit 3
fi
"$PLANEVAL" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
{
    echo "## standard output"
    cat "$WORK/stdout"
    echo "## standard error"
    cat "$WORK/stderr"
    echo "## exit status $rc"
} >>"$RUNLOG"

# 4. the summary: one line per plan (standard output, at most 200 lines),
# the failures and the counts (standard error, without the progress lines)
case $rc in
0) verdict=ok ;;
1) verdict="FAILED: errors in definitions or data" ;;
2) verdict="FAILED: usage error" ;;
3) verdict="FAILED: results could not be written" ;;
*) verdict="FAILED: planeval ended with status $rc" ;;
esac
{
    echo "== $(date '+%Y-%m-%dT%H:%M:%S%z') planeval-yearly ${YEAR:-(year from the data)}: exit status $rc, $verdict"
    [ -n "$archived" ] && echo "$archived"
    head -n 200 "$WORK/stdout"
    n=$(wc -l <"$WORK/stdout")
    [ "$n" -gt 200 ] && echo "... $((n - 200)) more lines in the log"
    grep '^planeval: ' "$WORK/stderr" | grep -v '^planeval: \[[0-9]*/[0-9]*\]'
    echo "log: $RUNLOG"
} >"$SUMMARY"
cat "$SUMMARY" >>"$LOGDIR/summary.log"
cat "$SUMMARY"

if [ -n "$MAILTO" ]; then
    subject="planeval ${YEAR:-run} on $(uname -n): $verdict"
    if command -v mail >/dev/null 2>&1; then
        # shellcheck disable=SC2086 # one argument per address
        mail -s "$subject" $MAILTO <"$SUMMARY" ||
            echo "mail failed: the summary was not mailed" >>"$LOGDIR/summary.log"
    else
        echo "mail is not installed: the summary was not mailed" >>"$LOGDIR/summary.log"
    fi
fi

# 5.
exit "$rc"
