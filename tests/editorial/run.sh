#!/bin/sh
# tests/editorial/run.sh - editorial checks of the PDF reports: renders every
# sample plan and reads back each brief.pdf and report.pdf as a reader sees
# it (pdftotext -raw/-layout, qpdf --json for the bookmarks), failing per
# document on each defect class (check.py has the list and the rules):
#    1 unfilled {placeholder}            7a years joined by spaces
#    2a the same countermeasure for      7b ASCII-hyphen year ranges outside
#       more than 3 problems                the plan title
#    2b the old generic measure in a     8a-g contradictions (binding "none
#       final evaluation                    missed", status vs figure, 仅下降A%
#    3 "未明确责任部门要"                     距下降B%, 逾期 in the evaluation year,
#    4 a gap of percentages in %            data cutoff after the evaluation year,
#                                           a gap to make up for a figure at target)
#    5 a fractional count in a gap       9a heading numbers, 9b contents = bookmarks
#    6 ids, file names, planeval,        10 示例数据 on page 1
#      English, float noise              11 brief layout; 12 huantai ranking
# Runs: the default run (终期评估; 山亭 at mid-term), a mid-term run at 2023
# (an evaluation year before the data's last year, so that the data cutoff
# is tested), and `--stage midterm` without a year for shanting-2020-2030.
# Each detector is first run on synthetic texts (check.py --self-test): it
# must fire on the bad one and stay quiet on the good one.
# Ends with "N passed, M failed"; exit status 1 if any check failed.
#
# PLANEVAL: the binary (default build/planeval).
set -u
cd "$(dirname "$0")/../.."
PLANEVAL=${PLANEVAL:-build/planeval}
. tests/lib.sh

require_planeval tests/editorial/run.sh
PY=python3

# 0. the detectors themselves
"$PY" tests/editorial/check.py --self-test 2>&1 | tee -a "$LOG"

# 1. the renders; --charts none: the PDFs are the same without the chart
# files (tests/pdf checks that), and it is faster
unset SOURCE_DATE_EPOCH
render() { # DIR ARGS...
    _d=$1
    shift
    if "$PLANEVAL" run --force --charts none -q --out "$TMP/$_d" "$@" 2>"$TMP/$_d.err"; then
        pass "planeval run ${*:-(default)} exits 0"
    else
        fail "planeval run ${*:-(default)} exits 0"
        head -5 "$TMP/$_d.err" >&2
    fi
}
render final
render midterm-2023 --stage midterm --year 2023
render midterm-default --stage midterm shanting-2020-2030
sets="final=$TMP/final midterm-2023=$TMP/midterm-2023"
st=shanting-2020-2030
if cmp -s "$TMP/final/$st/brief.pdf" "$TMP/midterm-default/$st/brief.pdf" &&
    cmp -s "$TMP/final/$st/report.pdf" "$TMP/midterm-default/$st/report.pdf"; then
    # the default run already evaluates 山亭 at mid-term: checked there
    pass "$st: --stage midterm gives the default run's PDFs (checked under final)"
else
    sets="$sets midterm-default=$TMP/midterm-default"
fi

# 2. the documents, by reading them
# shellcheck disable=SC2086
"$PY" tests/editorial/check.py --data-readme data/README.md $sets 2>&1 | tee -a "$LOG"

finish
