#!/bin/sh
# tests/fuzz/ids.sh - plan and region ids that would write (or read) outside
# their directories are refused.
#
#     PLANEVAL=build/planeval sh tests/fuzz/ids.sh
#
# A plan id names out/<id>/ and a region names data/<region>/; either must
# be one safe path component (letters, digits, '-', '_'). For each bad id
# (../x, deeper ../, an absolute path, ., .., a slash inside, control
# characters, an escape sequence, an empty id, a leading '-', spaces,
# non-ASCII, too long) this runs `planeval run` on a copy of the sample
# qinan plan whose plan: id or plan: region is that id, and checks that
#   - the exit status is 1 and stderr has an error at the plan file that
#     names the id ("plan id" or "region"; for a NUL byte, which YAML can
#     write as "\0" and C would cut the id at, "NUL character"),
#   - no file or directory appeared or changed anywhere in the scratch tree
#     outside out/, and no result file (series.csv) was written in out/,
#   - stderr holds no control character other than line feed and tab, and
#     no line that a line feed inside the id made up (a message must not
#     replay an id's escape sequences to the terminal, nor forge lines).
# Each case runs twice: in-process and with -j 2 (child processes).
# The unchanged plan passes `planeval check` first, as a positive control.
#
# Prints one line per failing case, then "N passed, M failed"; the exit
# status is non-zero when a case failed.

set -u

PLANEVAL=${PLANEVAL:-build/planeval}
case $PLANEVAL in
/*) ;;
*) PLANEVAL=$(pwd)/$PLANEVAL ;;
esac
REPO=$(cd "$(dirname "$0")/../.." && pwd)
PLAN=qinan-2021-2025
[ -x "$PLANEVAL" ] || { echo "ids.sh: no planeval at $PLANEVAL (make planeval)" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/planeval-ids.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# The base root, three levels down so that ../../../x stays inside $TMP.
BASE=$TMP/base
mkdir -p "$BASE/indicators" "$BASE/data" || exit 2
cp "$REPO/indicators/catalogue.yaml" "$REPO/indicators/$PLAN.yaml" "$BASE/indicators/" &&
    cp -R "$REPO/data/variables" "$REPO/data/qinan" "$BASE/data/" &&
    cp -R "$REPO/templates" "$BASE/templates" || exit 2

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL $1"
    shift
    for r in "$@"; do echo "    $r"; done
}

# Fresh copy of the base as $W/a/b/root; bait directories where an escaping
# id would land (a region "../x" finds data there if the check is missing).
fresh() {
    rm -rf "$TMP/w"
    W=$TMP/w
    ROOT=$W/a/b/root
    mkdir -p "$W/a/b" && cp -R "$BASE" "$ROOT" || exit 2
    mkdir -p "$ROOT/evil" "$W/abs"
    cp "$ROOT"/data/qinan/*.csv "$ROOT/evil/"
}

listing() { (cd "$W" && find . -path ./a/b/root/out -prune -o -print | sort | while read -r f; do
    if [ -f "$f" ]; then echo "$f $(cksum <"$f")"; else echo "$f"; fi
done); }

# Replace the line "  KEY: ..." of the plan header by "  KEY: VALUE" (VALUE
# is YAML text, e.g. a double-quoted scalar with \x escapes).
set_key() {
    f=$ROOT/indicators/$PLAN.yaml
    KEY=$1 VALUE=$2 awk '
        !done && $0 ~ "^  " ENVIRON["KEY"] ": " { print "  " ENVIRON["KEY"] ": " ENVIRON["VALUE"]; done = 1; next }
        { print }
        END { if (!done) exit 1 }
    ' "$f" >"$f.new" && mv "$f.new" "$f" || { echo "ids.sh: cannot set $1" >&2; exit 2; }
}

run() { # args: command, extra planeval options
    (cd "$ROOT" && "$PLANEVAL" "$@" --out out --indicators indicators --data data \
        --templates templates >"$TMP/stdout" 2>"$TMP/stderr")
}

# Positive control: the unchanged copy passes `planeval check`.
fresh
run check
rc=$?
if [ $rc -eq 0 ]; then
    pass
else
    fail "control: the unchanged plan must pass check (status $rc)" "$(head -n 3 "$TMP/stderr")"
fi

# check KEY LABEL YAML-VALUE [WORDS]: WORDS, what the error must say
# (default "plan id" or "region").
check() {
    key=$1 label=$2 value=$3 words=${4:-}
    for mode in "" "-j 2"; do
        fresh
        set_key "$key" "$value"
        before=$(listing)
        # shellcheck disable=SC2086
        run run $mode
        rc=$?
        after=$(listing)
        why=""
        [ $rc -eq 1 ] || why="$why|exit status $rc, expected 1"
        if [ -n "$words" ]; then word=$words; elif [ "$key" = id ]; then word="plan id"; else word="region"; fi
        grep -q "^indicators/$PLAN\.yaml:[0-9]*:[0-9]*: error: .*$word" "$TMP/stderr" ||
            why="$why|no error naming the $word at indicators/$PLAN.yaml"
        if [ "$before" != "$after" ]; then
            changed=$(printf '%s\n' "$before" "$after" | sort | uniq -u | head -n 3 | tr '\n' ' ')
            why="$why|files changed outside out/: $changed"
        fi
        written=$(find "$ROOT/out" -name series.csv 2>/dev/null | head -n 1)
        [ -z "$written" ] || why="$why|results written: $written"
        if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$TMP/stderr"; then
            why="$why|stderr holds raw control characters: $(LC_ALL=C grep -m 1 "$(printf '[\001-\010\013-\037\177]')" "$TMP/stderr" | cat -v)"
        fi
        grep -q '^forged' "$TMP/stderr" &&
            why="$why|a line feed in the id split a message: a forged line 'forged...' in stderr"
        if [ -z "$why" ]; then
            pass
        else
            IFS='|'
            # shellcheck disable=SC2086
            fail "$key $label${mode:+ ($mode)}" ${why#|}
            unset IFS
        fi
    done
}

for key in id region; do
    check $key "../x" '"../x"'
    check $key "../../../x" '"../../../x"'
    check $key "../evil" '"../evil"'
    check $key "absolute path" "\"$TMP/w/abs/x\""
    check $key "." '"."'
    check $key ".." '".."'
    check $key "a/b" '"a/b"'
    check $key "trailing slash" '"qinan/"'
    check $key "backslash" '"..\\x"'
    check $key "control character" '"qinan\x01"'
    check $key "line feed" '"qinan\nforged.yaml:1:1: error: forged"'
    check $key "tab" '"qinan\tx"'
    check $key "escape sequence" '"\e[31mred\e[0m"'
    check $key "DEL" '"qinan\x7f"'
    check $key "empty" '""'
    check $key "leading dash" '"-rf"'
    check $key "space" '"qi nan"'
    check $key "non-ASCII" '"秦安"'
    check $key "65 characters" "\"$(printf 'x%.0s' $(seq 65))\""
    check $key "NUL byte" '"qinan\0/../../x"' "NUL character"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
