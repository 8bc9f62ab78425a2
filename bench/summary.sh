#!/usr/bin/env bash
# Whole-command benchmark of `ctl summary` and `ctl trace` (not run in CI), on the tree of
# bench/query.sh (generated here the same way if absent, under bench/out/query). One hyperfine
# run, warm page cache: `ctl summary` (every section, one pass) against
# `ctl query --count-by eventName` (one pass, one counter), and `ctl trace` of a temporary key
# (two passes); then peak memory with /usr/bin/time -v. Writes bench/out/summary.md and prints
# the median ratio summary / count-by (the goal: at most 1.5).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update && apt-get install -y hyperfine; }
source bench/tree.sh
OUT=bench/out
find "$TREE" -type f -exec cat {} + >/dev/null   # warm the page cache
# A temporary key minted by an AssumeRole of the tree, to trace.
KEY=$($CTL -q query "$TREE" --event AssumeRole -n 1 -f responseElements.credentials.accessKeyId -o csv | sed -n 2p)

hyperfine --warmup 1 --runs 5 --export-json "$OUT/summary.json" --export-markdown "$OUT/summary.md" \
    -n "count-by eventName" "$CTL -q query $TREE --count-by eventName -o jsonl >/dev/null" \
    -n "summary" "$CTL -q summary $TREE -o json >/dev/null" \
    -n "trace $KEY" "$CTL -q trace $KEY $TREE -o json >/dev/null"

echo "== peak memory (max RSS)"
for args in "query $TREE --count-by eventName -o jsonl" "summary $TREE -o json" "trace $KEY $TREE -o json"; do
    rss=$( { /usr/bin/time -v $CTL -q $args >/dev/null; } 2>&1 | awk '/Maximum resident/ {print $6}')
    echo "ctl ${args%% *}: $((rss / 1024)) MB"
done

python3 - "$OUT" <<'PY'
import json, sys
runs = {r["command"]: r["median"] for r in json.load(open(f"{sys.argv[1]}/summary.json"))["results"]}
base = runs["count-by eventName"]
for name, secs in runs.items():
    print(f"{name}: median {secs:.3f} s, {secs / base:.2f}x count-by")
PY
