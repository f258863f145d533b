#!/bin/sh
# merge-shards.sh - put the slices of a sharded run together into one
# results directory (docs/operations.md):
#
#   merge-shards.sh [-f] DEST SHARD_DIR...
#   merge-shards.sh /srv/planeval/out.new /srv/planeval/shards/*
#
# 1. checks that the SHARD_DIRs are the N slices 1/N ... N/N of one run
#    (their .shard files, written by slurm-shards.sbatch and the Kubernetes
#    job, say "K/N STATUS"), each finished with status 0; -f merges what
#    there is when a slice failed (its failed plans are then missing);
# 2. copies every plan directory (one holding inputs.sha256) of every slice
#    into DEST, which must not exist or be empty; a plan found in two
#    slices is an error (slices of runs with different N mixed up);
# 3. planeval compare --config CONFIG --out DEST   (comparison/comparison.{pdf,xlsx,csv})
#    planeval manifest --config CONFIG --out DEST  (manifest.json)
#
# Exit status: 0; 1 a slice is missing, unfinished or failed, a plan is in
# two slices, or the comparison found errors in the result files; 2 usage;
# 3 DEST could not be written.
#
# Environment: PLANEVAL_HOME (default /srv/planeval; planeval runs in it),
# PLANEVAL (a command name or an absolute path, default planeval),
# PLANEVAL_CONFIG (default $PLANEVAL_HOME/planeval.yaml; its
# templates word the comparison).
set -u
HOME_DIR=${PLANEVAL_HOME:-/srv/planeval}
PLANEVAL=${PLANEVAL:-planeval}
CONFIG=${PLANEVAL_CONFIG:-$HOME_DIR/planeval.yaml}

say() { echo "merge-shards: $*" >&2; }
usage() {
    say "usage: merge-shards.sh [-f] DEST SHARD_DIR..."
    exit 2
}

force=0
if [ "${1:-}" = "-f" ]; then
    force=1
    shift
fi
[ $# -ge 2 ] || usage
DEST=$1
shift

# 1. the slices: every K from 1 to N exactly once, all of the same N
n=
seen=" "
bad=0
for d in "$@"; do
    if [ ! -f "$d/.shard" ]; then
        say "$d: no .shard: the slice did not finish (or is not a slice)"
        bad=1
        continue
    fi
    read -r kn status <"$d/.shard"
    k=${kn%/*}
    dn=${kn#*/}
    if [ -z "$n" ]; then
        n=$dn
    elif [ "$dn" != "$n" ]; then
        say "$d: slice $kn is not one of $n slices"
        bad=1
        continue
    fi
    case $seen in
    *" $k "*)
        say "$d: slice $kn given twice"
        bad=1
        ;;
    esac
    seen="$seen$k "
    if [ "$status" != 0 ]; then
        say "$d: slice $kn ended with status $status"
        [ "$force" -eq 1 ] || bad=1
    fi
done
if [ -n "$n" ]; then
    k=1
    while [ "$k" -le "$n" ]; do
        case $seen in
        *" $k "*) ;;
        *)
            say "slice $k/$n is missing"
            bad=1
            ;;
        esac
        k=$((k + 1))
    done
fi
if [ "$bad" -ne 0 ]; then
    say "nothing merged"
    exit 1
fi

# 2. the plan directories
if [ -e "$DEST" ] && [ -n "$(ls -A "$DEST")" ]; then
    say "$DEST exists and is not empty"
    exit 2
fi
mkdir -p "$DEST" || exit 3
nplans=0
for d in "$@"; do
    for p in "$d"/*/; do
        p=${p%/}
        [ -f "$p/inputs.sha256" ] || continue
        id=${p##*/}
        if [ -e "$DEST/$id" ]; then
            say "$id is in two slices (the second: $d)"
            exit 1
        fi
        cp -Rp "$p" "$DEST/$id" || exit 3
        nplans=$((nplans + 1))
    done
done
say "$nplans plans from $# slices in $DEST"

# 3. the comparison and the manifest of everything in DEST, made in the
# office directory (as the slices were)
DEST=$(cd "$DEST" && pwd) || exit 3
cd "$HOME_DIR" || exit 3
"$PLANEVAL" compare --config "$CONFIG" --out "$DEST" || exit $?
"$PLANEVAL" manifest --config "$CONFIG" --out "$DEST"
