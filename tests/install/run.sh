#!/bin/sh
# tests/install/run.sh - planeval installed like a Unix tool (README, "Install"):
#   - the set-up of `make report` (.ci/install-deps) names none of the
#     packages only the tests need, and none of them is pulled in as a
#     dependency of its packages (apt-cache's dependency closure);
#   - `make install PREFIX=<tmp>` puts the binary, the templates, the
#     catalogue, the data dictionary and the man pages in place; the
#     installed binary, run from a directory holding only one plan file and
#     its region's CSV files, finds the installed shared files, says so in
#     --version and check, and writes the same assessment as the repository;
#   - `make install DESTDIR=<stage>` stages the same files under the stage,
#     the man pages render with man(1), and `make uninstall` removes them;
#   - --help, --version and a bad option follow GNU conventions.
# Ends with "N passed, M failed"; exit status 1 if any check failed.
set -u
cd "$(dirname "$0")/../.."
REPO=$(pwd)
. tests/lib.sh

# 1. the package lists of the two kinds of set-up
RUN_PKGS=$(./.ci/install-deps --list)
ALL_PKGS=$(./.ci/install-deps --list --test)
TEST_ONLY=$(printf '%s\n' $ALL_PKGS | grep -vxF "$RUN_PKGS")
[ -n "$TEST_ONLY" ] && pass "make test installs more than make report ($(echo $TEST_ONLY | wc -w) packages)" ||
    fail "make test installs more than make report"
both=$(printf '%s\n' $RUN_PKGS | grep -xF "$TEST_ONLY")
[ -z "$both" ] && pass "make report installs no test-only package" ||
    fail "make report installs test packages: $both"
if command -v apt-cache >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
        --no-breaks --no-replaces --no-enhances $RUN_PKGS 2>/dev/null | grep -v '^ ' | sort -u)
    # python3 is also a dependency of the -dev libraries themselves (glib's
    # tools, via libcairo2-dev): it comes either way and is not counted.
    pulled=$(printf '%s\n' $TEST_ONLY | grep -vx 'python3' | grep -xF "$closure")
    [ -n "$closure" ] && [ -z "$pulled" ] &&
        pass "the dependency closure of make report's packages ($(echo "$closure" | wc -l) packages) holds no test-only package" ||
        fail "make report's packages pull in test packages: ${pulled:-(no closure computed)}"
fi

# 2. install into a temporary prefix and run from an empty directory
PREFIX=$TMP/prefix
if make -s BUILD="$TMP/build" PREFIX="$PREFIX" install >"$TMP/install.log" 2>&1; then
    pass "make install PREFIX=$PREFIX"
else
    fail "make install: $(tail -n 3 "$TMP/install.log")"
fi
for f in bin/planeval share/planeval/templates/findings.yaml share/planeval/templates/labels.yaml \
    share/planeval/catalogue.yaml share/planeval/variables/core.yaml share/man/man1/planeval.1 \
    share/man/man5/planeval-yaml.5; do
    [ -f "$PREFIX/$f" ] || missing="${missing:-} $f"
done
[ -z "${missing:-}" ] && pass "installed: binary, templates, catalogue, dictionary, man pages" ||
    fail "not installed:$missing"

OFFICE=$TMP/office
mkdir -p "$OFFICE/indicators" "$OFFICE/data"
cp indicators/huantai-2021-2025.yaml "$OFFICE/indicators/"
cp -R data/huantai "$OFFICE/data/"
PLANEVAL_INSTALLED=$PREFIX/bin/planeval
(cd "$OFFICE" && env -u PLANEVAL_SHAREDIR "$PLANEVAL_INSTALLED" --version) >"$TMP/version.txt" 2>&1
if grep -q "^templates: $PREFIX/share/planeval/templates (installed)" "$TMP/version.txt" &&
    grep -q "^catalogue: $PREFIX/share/planeval/catalogue.yaml (installed)" "$TMP/version.txt" &&
    grep -q "^data dictionary: $PREFIX/share/planeval/variables (installed)" "$TMP/version.txt"; then
    pass "--version names the installed templates, catalogue and dictionary it uses"
else
    fail "--version: $(tr '\n' '|' <"$TMP/version.txt")"
fi
(cd "$OFFICE" && "$PLANEVAL_INSTALLED" check) >"$TMP/check.out" 2>"$TMP/check.err"
rc=$?
[ $rc -eq 0 ] && grep -q "using the installed templates catalogue data dictionary" "$TMP/check.err" &&
    pass "check from an empty office directory: OK, and says it uses the installed files" ||
    fail "check (exit $rc): $(tr '\n' '|' <"$TMP/check.err" | cut -c1-300)"
(cd "$OFFICE" && "$PLANEVAL_INSTALLED" run -q --charts none) >"$TMP/run.out" 2>&1
rc=$?
for f in brief.pdf report.pdf assessment.csv huantai-2021-2025.xlsx; do
    [ -s "$OFFICE/out/huantai-2021-2025/$f" ] || nofile="${nofile:-} $f"
done
[ $rc -eq 0 ] && [ -z "${nofile:-}" ] && pass "run from the office directory writes brief, report, workbook, CSV" ||
    fail "run (exit $rc), missing:${nofile:-} $(head -c 300 "$TMP/run.out")"
# the same inputs in the repository give the same figures and findings
"$PLANEVAL_INSTALLED" run huantai-2021-2025 -q --charts none --out "$TMP/repo-out" >/dev/null 2>&1
if cmp -s "$TMP/repo-out/huantai-2021-2025/assessment.csv" "$OFFICE/out/huantai-2021-2025/assessment.csv"; then
    pass "the installed run's assessment.csv equals the repository's"
else
    fail "assessment.csv differs between the installed and the repository run"
fi

# 3. DESTDIR staging, man pages, uninstall
STAGE=$TMP/stage
make -s BUILD="$TMP/build" PREFIX="$PREFIX" DESTDIR="$STAGE" install >"$TMP/stage.log" 2>&1 &&
    [ -x "$STAGE$PREFIX/bin/planeval" ] && [ -f "$STAGE$PREFIX/share/planeval/templates/brief.yaml" ] &&
    pass "make install DESTDIR= stages everything under the stage" ||
    fail "DESTDIR install: $(tail -n 3 "$TMP/stage.log")"
# the staged binary, pointed at its staged share directory, from an empty directory
OFFICE2=$TMP/office2
mkdir -p "$OFFICE2/indicators" "$OFFICE2/data"
cp indicators/qinan-2021-2025.yaml "$OFFICE2/indicators/"
cp -R data/qinan "$OFFICE2/data/"
(cd "$OFFICE2" && PLANEVAL_SHAREDIR="$STAGE$PREFIX/share/planeval" "$STAGE$PREFIX/bin/planeval" run -q --charts none) \
    >"$TMP/run2.out" 2>&1
rc=$?
(cd "$OFFICE2" && PLANEVAL_SHAREDIR="$STAGE$PREFIX/share/planeval" "$STAGE$PREFIX/bin/planeval" --version) >"$TMP/version2.txt"
[ $rc -eq 0 ] && [ -s "$OFFICE2/out/qinan-2021-2025/brief.pdf" ] &&
    grep -q "^templates: $STAGE$PREFIX/share/planeval/templates (installed)" "$TMP/version2.txt" &&
    pdftotext "$OFFICE2/out/qinan-2021-2025/brief.pdf" - 2>/dev/null | grep -q "秦安" &&
    pass "the DESTDIR-staged binary runs from an empty directory on its staged share directory" ||
    fail "staged run (exit $rc): $(head -c 300 "$TMP/run2.out")"
if command -v man >/dev/null 2>&1; then
    for page in planeval planeval-yaml; do
        MANPATH="$STAGE$PREFIX/share/man" MANWIDTH=80 man "$page" 2>"$TMP/man.err" | col -b >"$TMP/man.txt" 2>/dev/null
        if grep -q "^NAME" "$TMP/man.txt" && grep -q "$page" "$TMP/man.txt" && [ ! -s "$TMP/man.err" ]; then
            pass "man $page renders ($(wc -l <"$TMP/man.txt") lines), no warnings"
        else
            fail "man $page: $(head -c 200 "$TMP/man.err")"
        fi
    done
    grep -q "PLANEVAL_SHAREDIR" "$TMP/man.txt" 2>/dev/null || true
fi
make -s BUILD="$TMP/build" PREFIX="$PREFIX" DESTDIR="$STAGE" uninstall >"$TMP/uninstall.log" 2>&1
left=$(find "$STAGE" -type f | head -n 5)
[ -z "$left" ] && pass "make uninstall removes every installed file" || fail "left after uninstall: $left"

# 4. GNU conventions
"$PLANEVAL_INSTALLED" --help >"$TMP/help.out" 2>"$TMP/help.err"
rc=$?
[ $rc -eq 0 ] && grep -q "^usage: planeval" "$TMP/help.out" && [ ! -s "$TMP/help.err" ] &&
    pass "--help: usage on stdout, exit 0" || fail "--help: exit $rc"
"$PLANEVAL_INSTALLED" --no-such-option >"$TMP/bad.out" 2>"$TMP/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q "usage: planeval" "$TMP/bad.err" && [ ! -s "$TMP/bad.out" ] &&
    pass "an unknown option: usage on stderr, exit 2" || fail "unknown option: exit $rc"
"$PLANEVAL_INSTALLED" --version >"$TMP/v.out" 2>&1
rc=$?
[ $rc -eq 0 ] && head -n 1 "$TMP/v.out" | grep -Eq '^planeval [0-9]+\.[0-9]+\.[0-9]+$' &&
    grep -Eq '^commit: ([0-9a-f]{12}(-dirty)?|unknown)$' "$TMP/v.out" &&
    pass "--version: 'planeval X.Y.Z' and the commit it was built from, exit 0" ||
    fail "--version: exit $rc: $(head -n 2 "$TMP/v.out" | tr '\n' '|')"
if git rev-parse HEAD >/dev/null 2>&1; then
    want=$(git rev-parse --short=12 HEAD)
    grep -q "^commit: $want" "$TMP/v.out" && pass "--version names this checkout's commit ($want)" ||
        fail "--version names $(grep '^commit' "$TMP/v.out"), not $want"
fi

finish
