#!/usr/bin/env bash
# Peak memory (max RSS) of every subcommand on the inputs that used to exhaust it (not run in CI):
#   - the query benchmark tree of bench/query.sh (1.15 GB of JSON in 1,152 files);
#   - a tree of 200,000 small files (one event each);
#   - four 10 GiB gzip bombs (47 MB each on disk, gzip -1) read with -j 4;
#   - a 40 GB sparse file named like a log (nothing on disk);
#   - /dev/zero on standard input (an endless stream without newlines).
# The aim (issue #9): every figure under 512 MB, flat in the size of the tree and of any input.
# Writes bench/out/memory.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/tree.sh
CTL=$PWD/$CTL
OUT=$PWD/bench/out/memory
mkdir -p "$OUT"

SMALL="$OUT/small/ctl-synthetic-trail"
if [ ! -d "$SMALL" ]; then
    # 2 accounts x 2 regions x 24 hours x 2,084 files x 1 event: 200,064 log files.
    target/release/trail-synth "$OUT/small" --seed 7 --accounts 2 --regions us-east-1,eu-west-1 \
        --hours 24 --files-per-hour 2084 --events-per-file 1
fi
BOMBS="$OUT/bombs"
if [ ! -f "$BOMBS/bomb4.json.gz" ]; then
    mkdir -p "$BOMBS"
    head -c 10G /dev/zero | gzip -1 >"$BOMBS/bomb1.json.gz"
    for i in 2 3 4; do cp "$BOMBS/bomb1.json.gz" "$BOMBS/bomb$i.json.gz"; done
fi
SPARSE="$OUT/sparse"
mkdir -p "$SPARSE"
[ -f "$SPARSE/huge.json" ] || truncate -s 40G "$SPARSE/huge.json"

# Max RSS in MB of one command (its exit status is not the point here). An export writes
# into a new folder each time, removed after.
rss_of() {
    local args=("$@")
    if [[ " ${args[*]} " == *" export "* ]]; then
        rm -rf "$OUT/export"
        args+=(--out "$OUT/export")
    fi
    /usr/bin/time -v -o "$OUT/time.txt" "${args[@]}" >/dev/null 2>/dev/null || true
    rm -rf "$OUT/export"
    awk '/Maximum resident/ {printf "%d", $6 / 1024}' "$OUT/time.txt"
}

commands=(
    "validate -o jsonl"
    "query --event ConsoleLogin -o jsonl"
    "query --unordered --event ConsoleLogin -o jsonl"
    "query -o jsonl"
    "query --count-by eventName -o jsonl"
    "filter -c -p ConsoleLogin"
    "filter -p ConsoleLogin"
    "metrics --cis -o jsonl"
    "summary -o jsonl"
    "trace AKIAIOSFODNN7EXAMPLE -o jsonl"
    "hunt -r ../shared/data/sigma-rules -o jsonl"
    "export"
)
{
    echo "| command | query bench tree | 200,000 small files | four 10 GiB bombs (-j 4) | 40 GB sparse file | /dev/zero on stdin |"
    echo "|---|---|---|---|---|---|"
    for c in "${commands[@]}"; do
        # shellcheck disable=SC2086
        row="| ctl ${c% -o jsonl} | $(rss_of $CTL -q $c $TREE) MB | $(rss_of $CTL -q $c $SMALL) MB"
        # shellcheck disable=SC2086
        row="$row | $(rss_of $CTL -q -j 4 $c $BOMBS) MB | $(rss_of $CTL -q $c $SPARSE/huge.json) MB"
        if [[ "$c" == validate* || "$c" == export* ]]; then
            row="$row | - |"
        else
            # shellcheck disable=SC2086
            row="$row | $(rss_of $CTL -q $c - </dev/zero) MB |"
        fi
        echo "$row"
    done
} | tee "$OUT/memory.md"
