#!/bin/sh
# tests/install/ops.sh - the operations examples of docs/operations.md
# (docs/examples/) run for real, against a temporary office tree made of
# copies of the sample plans, data and templates (plans/, data/, templates/,
# planeval.yaml from docs/examples):
#   a. planeval-yearly run for 2024, for 2025, for 2025 again (twice in a
#      row) and once more: each previous out/ kept whole in archive/<year>/
#      (the same digests, file by file), nothing archived twice, the new
#      run compared with the previous out/, the summary in log/summary.log
#      and mailed (a stub `mail` on PATH), exit status 0; a data error gives
#      planeval's 1 and keeps the plan's previous results; a bad YEAR 2, a
#      lock held by a live process 75, a stale lock is taken over, an
#      archive that cannot be written 3 with out/ untouched; an office of
#      plans and data only, without the configuration's templates: line,
#      runs with the templates, catalogue and dictionary of
#      $PLANEVAL_SHAREDIR (when the binary has a share directory);
#   b. the Slurm array: slurm-shards.sbatch run as tasks 0..N-1 of an
#      array of N (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT), each into
#      its own directory, then merge-shards.sh: the merged manifest.json has
#      the same plans, inputs, outputs and digests as one unsharded run;
#      merge-shards.sh refuses a missing slice, a slice given twice and a
#      leftover slice of another N; the manifest comparison tells a merge
#      that lacks a slice from the whole run;
#   c. the Kubernetes Indexed Job: the script of its ConfigMap taken out of
#      k8s-indexed-job.yaml and run with JOB_COMPLETION_INDEX=0..completions-1,
#      the Job's env and args, then merged: the same manifest as one run;
#   d. planeval.service and planeval.timer pass `systemd-analyze verify`
#      (when it exists; a timer with a bad OnCalendar must not); ExecStart
#      is the wrapper, the timer has OnCalendar and starts the service;
#   e. planeval.cron: one job line of 5 valid time fields whose command is
#      the wrapper, the same path as ExecStart;
#   f. docs/operations.md quotes every file of docs/examples/ exactly; the
#      man pages render without warnings (groff -ww) and name every option
#      of `planeval --help`.
# Ends with "N passed, M failed"; exit status 1 if any check failed.
#
# PLANEVAL: the binary (default build/planeval). PYTHON: a Python 3
# (default /usr/bin/python3; PyYAML, when it has it, checks the Job's YAML).
set -u
cd "$(dirname "$0")/../.." || exit 1
REPO=$(pwd)
PLANEVAL=${PLANEVAL:-build/planeval}
case $PLANEVAL in /*) ;; *) PLANEVAL=$REPO/$PLANEVAL ;; esac
PYTHON=${PYTHON:-/usr/bin/python3}
. tests/lib.sh
result() { # result NAME: pass if the previous command (a && chain) succeeded
    if [ $? -eq 0 ]; then pass "$1"; else fail "$1"; fi
}
skip() { echo "skip $1"; }

require_planeval tests/install/ops.sh
unset SOURCE_DATE_EPOCH PLANEVAL_HOME PLANEVAL_CONFIG PLANEVAL_MAILTO PLANEVAL_SHARD_DIR \
    PLANEVAL_SHARD_COUNT PLANEVAL_JOBS SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT \
    SLURM_ARRAY_TASK_MIN SLURM_CPUS_PER_TASK JOB_COMPLETION_INDEX
EX=$REPO/docs/examples
WRAPPER_PATH=/usr/local/bin/planeval-yearly # where docs/operations.md installs it

# Every file under $1 except hidden ones, with its SHA-256, as "digest  path".
digests() {
    (cd "$1" && find . -type f ! -name '.*' | LC_ALL=C sort | xargs sha256sum)
}
# The evaluation years of the plans in out directory $1, distinct, sorted.
eval_years() {
    for _f in "$1"/*/assessment.csv; do sed -n 2p "$_f" | cut -d, -f3; done | sort -u | tr '\n' ' '
}
# The office tree: the sample plans, data and templates and the example
# run configuration.
OFFICE=$TMP/srv/planeval
mkdir -p "$OFFICE/plans" "$OFFICE/data" "$OFFICE/templates"
for f in indicators/*.yaml; do
    [ "$f" = indicators/run.yaml ] || cp "$f" "$OFFICE/plans/"
done
cp -R data/. "$OFFICE/data/"
cp -R templates/. "$OFFICE/templates/"
cp "$EX/planeval.yaml" "$OFFICE/planeval.yaml"
NPLANS=$(ls "$OFFICE"/plans/*.yaml | grep -v -c '/catalogue.yaml$')

# ---------------------------------------------------------------- a. yearly
# A stub mail(1): each call's arguments and message in $TMP/mail/<n>.
mkdir -p "$TMP/bin" "$TMP/mail"
cat >"$TMP/bin/mail" <<EOF
#!/bin/sh
n=\$(ls "$TMP/mail" | grep -c '\.args\$')
n=\$((n + 1))
printf '%s\n' "\$@" >"$TMP/mail/\$n.args"
cat >"$TMP/mail/\$n.body"
EOF
chmod +x "$TMP/bin/mail"
MAILTO="it@example.org ops@example.org"

yearly() { # yearly [YEAR]: the wrapper on the office; its status in $yrc
    PLANEVAL_HOME=$OFFICE PLANEVAL=$PLANEVAL PLANEVAL_MAILTO=$MAILTO PATH="$TMP/bin:$PATH" \
        sh "$EX/planeval-yearly.sh" "$@" >"$TMP/yearly.out" 2>"$TMP/yearly.err"
    yrc=$?
}
mails() { ls "$TMP/mail" | grep -c '\.args$'; }
runlogs() { ls "$OFFICE/log" | grep -c '^run-.*\.log$'; }
entries() { grep -c '^== ' "$OFFICE/log/summary.log"; }
nplandirs() { ls -d "$1"/*/ 2>/dev/null | grep -v '/comparison/$' | wc -l | tr -d ' '; }

yearly 2024
check "yearly 2024: exit status 0 ($yrc)" [ "$yrc" -eq 0 ]
check "yearly 2024: $NPLANS plans evaluated for 2024 into out/ ($(eval_years "$OFFICE/out"))" \
    [ "$(nplandirs "$OFFICE/out")" -eq "$NPLANS" -a "$(eval_years "$OFFICE/out")" = "2024 " ]
check "yearly 2024: nothing to archive on the first run" [ -z "$(ls -A "$OFFICE/archive")" ]
check "yearly 2024: summary.log has the run and planeval's counts" \
    grep -q -F "planeval: $NPLANS plans: $NPLANS evaluated, 0 unchanged, 0 failed" "$OFFICE/log/summary.log"
check "yearly 2024: summary.log says year 2024, exit status 0" \
    grep -q "^== .* planeval-yearly 2024: exit status 0, ok$" "$OFFICE/log/summary.log"
check "yearly 2024: the summary is printed too" \
    grep -q -F "planeval: $NPLANS plans: $NPLANS evaluated" "$TMP/yearly.out"
check "yearly 2024: the whole output in log/run-*.log" \
    grep -q "^## exit status 0$" "$OFFICE"/log/run-*.log
[ "$(mails)" -eq 1 ] && grep -q -x -- '-s' "$TMP/mail/1.args" &&
    grep -q '^planeval 2024 .*: ok$' "$TMP/mail/1.args" &&
    grep -q -x 'it@example.org' "$TMP/mail/1.args" && grep -q -x 'ops@example.org' "$TMP/mail/1.args"
result "yearly 2024: one mail to both addresses, subject with the year and ok"
check "yearly 2024: the mail is the summary" \
    grep -q -F "planeval: $NPLANS plans: $NPLANS evaluated, 0 unchanged, 0 failed" "$TMP/mail/1.body"
check "yearly 2024: the lock is released" [ ! -e "$OFFICE/log/.lock" ]
digests "$OFFICE/out" >"$TMP/out2024"

yearly 2025
check "yearly 2025: exit status 0 ($yrc)" [ "$yrc" -eq 0 ]
check "yearly 2025: out/ now holds 2025 ($(eval_years "$OFFICE/out"))" \
    [ "$(eval_years "$OFFICE/out")" = "2025 " ]
digests "$OFFICE/archive/2024" >"$TMP/arch2024" 2>/dev/null
check "yearly 2025: the 2024 results kept whole in archive/2024/ ($(wc -l <"$TMP/out2024") files)" \
    cmp -s "$TMP/out2024" "$TMP/arch2024"
check "yearly 2025: the new run compared with the previous out/ (changes.csv not a first run)" \
    sh -c '! grep -q first_run "$1" && grep -q evaluation "$1"' - "$OFFICE/out/qinan-2021-2025/changes.csv"
[ "$(entries)" -eq 2 ] && grep -q -F "out/ copied to archive/2024" "$OFFICE/log/summary.log"
result "yearly 2025: summary.log has both runs and the archiving"
[ "$(mails)" -eq 2 ] && grep -q '^planeval 2025 .*: ok$' "$TMP/mail/2.args"
result "yearly 2025: a second mail, subject 2025"
digests "$OFFICE/out" >"$TMP/out2025"

yearly 2025
check "yearly 2025 twice in a row: exit status 0 ($yrc)" [ "$yrc" -eq 0 ]
check "yearly 2025 twice in a row: every plan unchanged, skipped" \
    grep -q -F "planeval: $NPLANS plans: 0 evaluated, $NPLANS unchanged, 0 failed" "$TMP/yearly.out"
digests "$OFFICE/archive/2025" >"$TMP/arch2025" 2>/dev/null
check "yearly 2025 twice in a row: the first 2025 results kept in archive/2025/" \
    cmp -s "$TMP/out2025" "$TMP/arch2025"
digests "$OFFICE/archive/2024" >"$TMP/arch2024b"
check "yearly 2025 twice in a row: archive/2024/ untouched" cmp -s "$TMP/out2024" "$TMP/arch2024b"
yearly 2025
check "yearly 2025 a third time: exit status 0, nothing archived twice ($(ls "$OFFICE/archive" | tr '\n' ' '))" \
    [ "$yrc" -eq 0 -a "$(ls -A "$OFFICE/archive" | wc -l)" -eq 2 ]
check "yearly: one summary entry, one log, one mail per run" \
    [ "$(entries)" -eq 4 -a "$(runlogs)" -eq 4 -a "$(mails)" -eq 4 ]

# A data error: planeval's status 1 comes through; the plan keeps its results.
digests "$OFFICE/out/qinan-2021-2025" >"$TMP/qinan.before"
echo "2026,abc" >>"$OFFICE/data/qinan/economy.csv"
yearly 2025
check "yearly with a data error: exit status 1 ($yrc)" [ "$yrc" -eq 1 ]
grep -q -F "planeval: qinan-2021-2025.yaml: failed: " "$OFFICE/log/summary.log" &&
    grep -q "^== .* planeval-yearly 2025: exit status 1, FAILED" "$OFFICE/log/summary.log"
result "yearly with a data error: summary.log names the failed plan and status 1"
check "yearly with a data error: the mail says FAILED" \
    grep -q '^planeval 2025 .*: FAILED' "$TMP/mail/$(mails).args"
digests "$OFFICE/out/qinan-2021-2025" >"$TMP/qinan.after"
check "yearly with a data error: the plan's previous results kept" \
    cmp -s "$TMP/qinan.before" "$TMP/qinan.after"
cp data/qinan/economy.csv "$OFFICE/data/qinan/economy.csv"

n=$(runlogs)
yearly 20x5
check "yearly 20x5: exit status 2, planeval not run ($yrc)" [ "$yrc" -eq 2 -a "$(runlogs)" -eq "$n" ]

mkdir "$OFFICE/log/.lock" && echo $$ >"$OFFICE/log/.lock/pid"
yearly 2025
check "yearly while a live process holds the lock: exit status 75 ($yrc), planeval not run" \
    [ "$yrc" -eq 75 -a "$(runlogs)" -eq "$n" ]
sh -c 'exit 0' &
dead=$!
wait "$dead"
echo "$dead" >"$OFFICE/log/.lock/pid"
yearly 2025
check "yearly with a stale lock: taken over, exit status 0 ($yrc), released" \
    [ "$yrc" -eq 0 -a "$(runlogs)" -eq $((n + 1)) -a ! -e "$OFFICE/log/.lock" ]

# An archive that cannot be written: 3, planeval not run, out/ untouched.
# (The results of the failed run above differ from archive/2025/.)
digests "$OFFICE/out" >"$TMP/out.before"
mv "$OFFICE/archive" "$OFFICE/archive.kept"
: >"$OFFICE/archive"
n=$(runlogs)
yearly 2025
check "yearly with an unwritable archive: exit status 3 ($yrc), planeval not run" \
    [ "$yrc" -eq 3 -a "$(runlogs)" -eq "$n" ]
digests "$OFFICE/out" >"$TMP/out.after"
check "yearly with an unwritable archive: out/ untouched" cmp -s "$TMP/out.before" "$TMP/out.after"
rm -f "$OFFICE/archive"
mv "$OFFICE/archive.kept" "$OFFICE/archive"

# A lean office: plans and data only, without the configuration's
# templates: line; the templates, catalogue and dictionary installed in the
# share directory ($PLANEVAL_SHAREDIR, laid out as `make install` does).
if "$PLANEVAL" --version 2>/dev/null | grep -q '^share directory: '; then
    SHARE=$TMP/share/planeval
    LEAN=$TMP/srv/lean
    mkdir -p "$SHARE/templates" "$SHARE/variables" "$LEAN/plans" "$LEAN/data"
    cp templates/*.yaml "$SHARE/templates/"
    cp indicators/catalogue.yaml "$SHARE/catalogue.yaml"
    cp data/variables/*.yaml "$SHARE/variables/"
    for f in indicators/*.yaml; do
        case $f in */run.yaml | */catalogue.yaml) ;; *) cp "$f" "$LEAN/plans/" ;; esac
    done
    for d in data/*/; do
        [ "$d" = data/variables/ ] || cp -R "$d" "$LEAN/data/"
    done
    grep -v '^  templates:' "$EX/planeval.yaml" >"$LEAN/planeval.yaml"
    PLANEVAL_HOME=$LEAN PLANEVAL=$PLANEVAL PLANEVAL_SHAREDIR=$SHARE \
        sh "$EX/planeval-yearly.sh" >"$TMP/lean.out" 2>"$TMP/lean.err"
    lrc=$?
    [ "$lrc" -eq 0 ] && [ "$(nplandirs "$LEAN/out")" -eq "$NPLANS" ]
    result "yearly in an office of plans and data only: exit status $lrc, $NPLANS plans evaluated"
    grep -q -F "\"$SHARE/catalogue.yaml\"" "$LEAN/out/manifest.json" &&
        grep -q -F "\"$SHARE/templates/labels.yaml\"" "$LEAN/out/manifest.json" &&
        grep -q -F "\"$SHARE/variables/core.yaml\"" "$LEAN/out/manifest.json"
    result "yearly in an office of plans and data only: the installed templates, catalogue and dictionary used"
else
    skip "$PLANEVAL has no share directory (--version): the lean office is not tried"
fi

# ------------------------------------------------------- b. and c. shards
# same_manifest A B: the plans of manifest A (id, options, inputs and
# outputs with their digests and sizes) and its comparison files are those
# of manifest B; the differences on stderr.
same_manifest() {
    "$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
a, b = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:3])
def plans(m):
    return {p["id"]: p for p in m["plans"]}
pa, pb = plans(a), plans(b)
bad = []
for i in sorted(set(pa) | set(pb)):
    if i not in pa or i not in pb:
        bad.append("%s only in %s" % (i, sys.argv[1] if i in pa else sys.argv[2]))
        continue
    for key in ("options", "inputs", "outputs"):
        if pa[i].get(key) != pb[i].get(key):
            bad.append("%s: %s differ" % (i, key))
if a.get("comparison") != b.get("comparison"):
    bad.append("comparison files differ")
if a.get("planeval_version") != b.get("planeval_version"):
    bad.append("planeval_version differs")
for line in bad:
    print("   ", line, file=sys.stderr)
nfiles = sum(len(p["outputs"]) for p in pa.values())
print("%d plans, %d output files" % (len(pa), nfiles))
sys.exit(1 if bad or not pa else 0)
EOF
}
merge() { # merge DEST SHARD_DIR...: merge-shards.sh on the office; status in $mrc
    PLANEVAL_HOME=$OFFICE PLANEVAL=$PLANEVAL sh "$EX/merge-shards.sh" "$@" >"$TMP/merge.out" 2>"$TMP/merge.err"
    mrc=$?
}

# merged_like_whole NAME WHOLE: merge the slices in $TMP/NAME/ into
# $TMP/NAME-merged, whose manifest must equal WHOLE's (plans, inputs, digests)
merged_like_whole() {
    merge "$TMP/$1-merged" "$TMP/$1"/*
    check "$1: merge-shards.sh succeeds ($mrc)" [ "$mrc" -eq 0 ]
    if same_manifest "$TMP/$1-merged/manifest.json" "$2" >"$TMP/same.out"; then
        pass "$1: the merged manifest lists the unsharded run's plans, inputs and digests ($(cat "$TMP/same.out"))"
    else
        fail "$1: the merged manifest lists the unsharded run's plans, inputs and digests"
    fi
}

# b. the Slurm array
sarray=$(sed -n 's/^#SBATCH --array=\([0-9]*\)-\([0-9]*\).*/\1 \2/p' "$EX/slurm-shards.sbatch")
check "slurm-shards.sbatch: one contiguous --array range ($sarray)" \
    sh -c 'set -- $1; [ $# -eq 2 ] && [ "$1" -le 1 ] && [ "$2" -ge "$1" ]' - "$sarray"
N=3
"$PLANEVAL" run --config "$OFFICE/planeval.yaml" --out "$TMP/whole" --since "$OFFICE/out" \
    >/dev/null 2>"$TMP/whole.err"
check "one unsharded run of the office (--since out/, as the slices)" [ $? -eq 0 ]
rcs=
i=0
while [ "$i" -lt "$N" ]; do
    SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=$N PLANEVAL_HOME=$OFFICE PLANEVAL=$PLANEVAL \
        PLANEVAL_SHARD_DIR=$TMP/slurm sh "$EX/slurm-shards.sbatch" >/dev/null 2>"$TMP/slurm.$i.err"
    rcs="$rcs$? "
    i=$((i + 1))
done
check "slurm: the $N array tasks succeed ($rcs)" [ "$rcs" = "0 0 0 " ]
check "slurm: each task wrote K/N and its status to .shard" \
    [ "$(cat "$TMP/slurm/1/.shard" "$TMP/slurm/2/.shard" "$TMP/slurm/3/.shard" | tr '\n' ' ')" = "1/3 0 2/3 0 3/3 0 " ]
n1=$(nplandirs "$TMP/slurm/1")
n2=$(nplandirs "$TMP/slurm/2")
n3=$(nplandirs "$TMP/slurm/3")
check "slurm: the tasks split the plans ($n1 + $n2 + $n3 = $NPLANS), none empty" \
    [ $((n1 + n2 + n3)) -eq "$NPLANS" -a "$n1" -gt 0 -a "$n2" -gt 0 -a "$n3" -gt 0 ]
check "slurm: each task compared with the office's previous results" \
    grep -q -F -- "--since $OFFICE/out" "$TMP/slurm.0.err"
merged_like_whole slurm "$TMP/whole/manifest.json"
check "slurm: the merged comparison is the unsharded run's, byte for byte" \
    cmp -s "$TMP/slurm-merged/comparison/comparison.csv" "$TMP/whole/comparison/comparison.csv"

# the checks can fail: a merge without slice 3
merge "$TMP/m-missing" "$TMP/slurm/1" "$TMP/slurm/2"
[ "$mrc" -eq 1 -a ! -e "$TMP/m-missing" ] && grep -q "slice 3/3 is missing" "$TMP/merge.err"
result "merge-shards.sh refuses a missing slice (status 1, nothing written)"
merge "$TMP/m-twice" "$TMP/slurm/1" "$TMP/slurm/1" "$TMP/slurm/2" "$TMP/slurm/3"
check "merge-shards.sh refuses a slice given twice (status $mrc)" [ "$mrc" -eq 1 ]
mkdir "$TMP/partial"
cp -R "$TMP/slurm/1/." "$TMP/slurm/2/." "$TMP/partial/"
"$PLANEVAL" manifest --config "$OFFICE/planeval.yaml" --out "$TMP/partial" >/dev/null 2>&1
if same_manifest "$TMP/partial/manifest.json" "$TMP/whole/manifest.json" >/dev/null 2>&1; then
    fail "the manifest comparison tells two slices of three from the whole run"
else
    pass "the manifest comparison tells two slices of three from the whole run"
fi
# a slice left over from an array of another size
i=0
while [ "$i" -lt 2 ]; do
    SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=2 PLANEVAL_HOME=$OFFICE PLANEVAL=$PLANEVAL \
        PLANEVAL_SHARD_DIR=$TMP/slurm sh "$EX/slurm-shards.sbatch" >/dev/null 2>&1
    i=$((i + 1))
done
merge "$TMP/m-stale" "$TMP"/slurm/*
[ "$mrc" -eq 1 ] && grep -q "slice 3/3 is not one of 2 slices" "$TMP/merge.err"
result "merge-shards.sh refuses a leftover slice of an array of 3 among 2 (status $mrc)"

# c. the Kubernetes Indexed Job: the ConfigMap's script, the Job's N, env and args
JOBYAML=$EX/k8s-indexed-job.yaml
awk '
    /^  shard\.sh: \|$/ { on = 1; next }
    on && /^    / { print substr($0, 5); next }
    on && /^$/ { print ""; next }
    on { exit }
' "$JOBYAML" >"$TMP/shard.sh"
kN=$(sed -n 's/^  completions: \([0-9]*\)$/\1/p' "$JOBYAML")
kCount=$(sed -n '/name: PLANEVAL_SHARD_COUNT/{n;s/^ *value: "\([0-9]*\)"$/\1/p;}' "$JOBYAML")
kJobs=$(sed -n '/name: PLANEVAL_JOBS/{n;s/^ *value: "\([0-9]*\)"$/\1/p;}' "$JOBYAML")
kArgs=$(sed -n 's/^ *args: \[\(.*\)\]$/\1/p' "$JOBYAML" | tr -d '",')
kCmd=$(sed -n 's/^ *command: \[\(.*\)\]$/\1/p' "$JOBYAML" | tr -d '",')
grep -q '^  completionMode: Indexed$' "$JOBYAML" && [ -n "$kN" ] && [ "$kCount" = "$kN" ]
result "k8s: the Job is Indexed, PLANEVAL_SHARD_COUNT = completions ($kCount = $kN)"
[ "$kCmd" = "/bin/sh /etc/planeval-shard/shard.sh" ] &&
    grep -q 'mountPath: /etc/planeval-shard' "$JOBYAML" &&
    grep -q 'configMap: {name: planeval-shard}' "$JOBYAML" && [ -s "$TMP/shard.sh" ]
result "k8s: the container runs the ConfigMap's script ($kCmd)"
if "$PYTHON" -c 'import yaml' 2>/dev/null; then
    "$PYTHON" - "$JOBYAML" "$TMP/shard.sh" "$kN" "$kArgs" <<'EOF' >"$TMP/k8s.py.err" 2>&1
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1], encoding="utf-8")) if d]
cm = [d for d in docs if d["kind"] == "ConfigMap"][0]
job = [d for d in docs if d["kind"] == "Job"][0]
spec = job["spec"]
pod = spec["template"]["spec"]
c = pod["containers"][0]
env = {e["name"]: e["value"] for e in c["env"]}
mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
vols = {v["name"]: v for v in pod["volumes"]}
script_vol = [n for n, v in vols.items() if v.get("configMap", {}).get("name") == cm["metadata"]["name"]][0]
assert cm["data"]["shard.sh"] == open(sys.argv[2], encoding="utf-8").read(), "awk took another script"
assert spec["completionMode"] == "Indexed"
assert str(spec["completions"]) == sys.argv[3] == env["PLANEVAL_SHARD_COUNT"]
assert c["command"] == ["/bin/sh", mounts[script_vol] + "/shard.sh"], c["command"]
assert " ".join(c["args"]) == sys.argv[4], c["args"]
assert pod["restartPolicy"] == "Never"
EOF
    check "k8s: PyYAML reads the same Job (script, N, command, args, mounts)" [ $? -eq 0 ]
else
    skip "k8s: PyYAML not installed; the Job's YAML is read with sed and awk only"
fi
"$PLANEVAL" run --config "$OFFICE/planeval.yaml" --out "$TMP/whole-k8s" --since "$OFFICE/out" $kArgs \
    >/dev/null 2>&1
check "one unsharded run with the Job's arguments ($kArgs)" [ $? -eq 0 ]
rcs=
expect=
i=0
while [ "$i" -lt "${kN:-0}" ]; do
    JOB_COMPLETION_INDEX=$i PLANEVAL_SHARD_COUNT=$kCount PLANEVAL_JOBS=$kJobs PLANEVAL_HOME=$OFFICE \
        PLANEVAL=$PLANEVAL PLANEVAL_SHARD_DIR=$TMP/k8s sh "$TMP/shard.sh" $kArgs >/dev/null 2>"$TMP/k8s.$i.err"
    rcs="$rcs$? "
    expect="${expect}0 "
    i=$((i + 1))
done
[ -n "$rcs" ] && [ "$rcs" = "$expect" ]
result "k8s: the $kN indexed pods succeed ($rcs)"
check "k8s: each pod ran its slice with the Job's arguments" \
    grep -q -F -- "--shard 1/$kN --out $TMP/k8s/1 -j $kJobs --since $OFFICE/out $kArgs" "$TMP/k8s.0.err"
merged_like_whole k8s "$TMP/whole-k8s/manifest.json"

# ------------------------------------------------------------- d. systemd
SERVICE=$EX/planeval.service
TIMER=$EX/planeval.timer
execstart=$(sed -n 's/^ExecStart=//p' "$SERVICE")
[ "$execstart" = "$WRAPPER_PATH" ] && grep -q '^Type=oneshot$' "$SERVICE"
result "planeval.service: Type=oneshot, ExecStart is the wrapper ($execstart)"
check "planeval.service: PLANEVAL_HOME is the office (/srv/planeval)" \
    grep -q '^Environment=PLANEVAL_HOME=/srv/planeval$' "$SERVICE"
oncal=$(sed -n 's/^OnCalendar=//p' "$TIMER")
[ -n "$oncal" ] && grep -q '^Unit=planeval.service$' "$TIMER" && grep -q '^WantedBy=timers.target$' "$TIMER"
result "planeval.timer: OnCalendar ($oncal), Unit=planeval.service, WantedBy=timers.target"
if command -v systemd-analyze >/dev/null 2>&1; then
    # The units as installed, the wrapper where verify can find it, the man
    # pages of Documentation= where man(1) can.
    mkdir -p "$TMP/units" "$TMP/units-bad" "$TMP/man/man1" "$TMP/man/man5"
    sed "s#^ExecStart=$WRAPPER_PATH\$#ExecStart=$EX/planeval-yearly.sh#" "$SERVICE" >"$TMP/units/planeval.service"
    cp "$TIMER" "$TMP/units/planeval.timer"
    cp docs/man/planeval.1 "$TMP/man/man1/" 2>/dev/null
    cp docs/man/planeval-yaml.5 "$TMP/man/man5/" 2>/dev/null
    man_opt= # Documentation=man:... is looked up with man(1) when there is one
    command -v man >/dev/null 2>&1 || man_opt=--man=no
    MANPATH=$TMP/man systemd-analyze verify $man_opt "$TMP/units/planeval.service" \
        "$TMP/units/planeval.timer" >"$TMP/verify.out" 2>&1
    vrc=$?
    if [ "$vrc" -eq 0 ] && [ ! -s "$TMP/verify.out" ]; then
        pass "systemd-analyze verify: planeval.service and planeval.timer, no message"
    else
        fail "systemd-analyze verify: planeval.service and planeval.timer, no message (status $vrc)"
        sed 's/^/    /' "$TMP/verify.out" >&2
    fi
    check "systemd-analyze calendar accepts OnCalendar=$oncal" \
        systemd-analyze calendar "$oncal" >/dev/null 2>&1
    cp "$TMP/units/planeval.service" "$TMP/units-bad/"
    sed 's/^OnCalendar=.*/OnCalendar=*-13-45 02:30:00/' "$TIMER" >"$TMP/units-bad/planeval.timer"
    MANPATH=$TMP/man systemd-analyze verify $man_opt "$TMP/units-bad/planeval.timer" >/dev/null 2>&1
    check "systemd-analyze verify rejects a timer with a bad OnCalendar (the check can fail)" [ $? -ne 0 ]
else
    skip "systemd-analyze not installed: the units are checked by their keys only"
fi

# ---------------------------------------------------------------- e. cron
CRON=$EX/planeval.cron
grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' -e '^[A-Za-z_][A-Za-z0-9_]*=' "$CRON" >"$TMP/cron.jobs"
check "planeval.cron: one job line ($(wc -l <"$TMP/cron.jobs"))" [ "$(wc -l <"$TMP/cron.jobs")" -eq 1 ]
# Each of the 5 time fields: a list of *, N or N-M, each with an optional
# /step, numbers within the field's range (names for months and weekdays).
if awk '
function item_ok(s, lo, hi,    a, n, r) {
    n = split(s, a, "/")
    if (n > 2 || (n == 2 && a[2] !~ /^[0-9]+$/)) return 0
    if (a[1] == "*") return 1
    n = split(a[1], r, "-")
    if (n > 2) return 0
    if (r[1] !~ /^[0-9]+$/ || r[1] + 0 < lo || r[1] + 0 > hi) return 0
    if (n == 2 && (r[2] !~ /^[0-9]+$/ || r[2] + 0 < r[1] + 0 || r[2] + 0 > hi)) return 0
    return 1
}
function field_ok(f, lo, hi, names,    items, n, i) {
    if (names != "" && tolower(f) ~ ("^(" names ")$")) return 1
    n = split(f, items, ",")
    for (i = 1; i <= n; i++) if (!item_ok(items[i], lo, hi)) return 0
    return 1
}
NF < 6 { exit 1 }
{
    if (!field_ok($1, 0, 59, "") || !field_ok($2, 0, 23, "") || !field_ok($3, 1, 31, "") ||
        !field_ok($4, 1, 12, "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec") ||
        !field_ok($5, 0, 7, "sun|mon|tue|wed|thu|fri|sat")) exit 1
    cmd = $0
    for (i = 1; i <= 5; i++) sub(/^[[:space:]]*[^[:space:]]+/, "", cmd)
    sub(/^[[:space:]]+/, "", cmd)
    print cmd > "/dev/stderr"
}
' "$TMP/cron.jobs" 2>"$TMP/cron.cmd"; then
    pass "planeval.cron: 5 valid time fields ($(cut -d' ' -f1-5 "$TMP/cron.jobs"))"
else
    fail "planeval.cron: 5 valid time fields"
fi
check "planeval.cron: the command is the wrapper, as ExecStart ($(cat "$TMP/cron.cmd"))" \
    [ "$(cat "$TMP/cron.cmd")" = "$WRAPPER_PATH" -a "$(cat "$TMP/cron.cmd")" = "$execstart" ]
check "planeval.cron: PLANEVAL_HOME is the office, as in planeval.service" \
    grep -q '^PLANEVAL_HOME=/srv/planeval$' "$CRON"

# ------------------------------------------------------ f. the documents
# Each file of docs/examples/ is quoted in docs/operations.md after a line
# "<!-- docs/examples/NAME -->", as the fenced block that follows.
for f in "$EX"/*; do
    name=docs/examples/${f##*/}
    awk -v tag="<!-- $name -->" '
        $0 == tag { want = 1; next }
        want && /^```/ { if (on) exit; on = 1; next }
        on { print }
    ' docs/operations.md >"$TMP/quoted"
    check "docs/operations.md quotes $name exactly" cmp -s "$TMP/quoted" "$f"
done
if command -v groff >/dev/null 2>&1; then
    for m in docs/man/planeval.1 docs/man/planeval-yaml.5; do
        groff -man -Tutf8 -ww -z "$m" >"$TMP/groff.out" 2>&1
        check "$m renders without warnings (groff -ww)" [ $? -eq 0 -a ! -s "$TMP/groff.out" -a -s "$m" ]
    done
else
    skip "groff not installed: the man pages are not rendered"
fi
# every option of planeval --help, in planeval.1 (roff writes - as \-)
"$PLANEVAL" --help 2>&1 | grep -o -E '(^|[ ,])--?[a-z][a-z-]*' | sed 's/^[ ,]//' | sort -u >"$TMP/options"
missing=
while read -r opt; do
    roff=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
    grep -q -e "$roff" docs/man/planeval.1 2>/dev/null || missing="$missing $opt"
done <"$TMP/options"
check "planeval.1 names every option of planeval --help ($(wc -l <"$TMP/options") options)${missing:+; missing:$missing}" \
    [ -z "$missing" -a -s "$TMP/options" ]

finish
