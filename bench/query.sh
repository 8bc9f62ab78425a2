#!/usr/bin/env bash
# Whole-command benchmark of `ctl query` (not run in CI). Generates a >= 1 GB (uncompressed) tree
# once under bench/out/query, then times in one hyperfine run, warm page cache, 2 threads:
#   - the limit: parallel inflate of the same files with libdeflate, nothing else (examples/inflate_limit.rs)
#   - ctl query --event X (selective: StopLogging, ~1 event in 13,000) and a common one (ConsoleLogin)
#   - rg -z for the same literal, and find | xargs -P2 zcat | jq select(.eventName=="X")
# and peak memory with /usr/bin/time -v. Writes bench/out/query.md (hyperfine table) and prints ratios.
# BASELINE=/path/to/an/older/ctl adds that binary's three queries to the same hyperfine run.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine jq rg; do
    command -v "$tool" >/dev/null || { apt-get update && apt-get install -y hyperfine jq ripgrep; break; }
done
cargo build --release -p ctl --example inflate_limit
source bench/tree.sh
OUT=bench/out/query
X="${X:-StopLogging}"
find "$TREE" -type f -exec cat {} + >/dev/null   # warm the page cache

echo "== limit"; target/release/examples/inflate_limit "$TREE" | tee "$OUT/limit.txt"
echo "== ctl query --event $X"; $CTL query "$TREE" --event "$X" -o jsonl 2>&1 >/dev/null | tail -1
$CTL query "$TREE" --count-by eventVersion -o jsonl 2>"$OUT/all.txt" >/dev/null
echo "== ctl query --event ConsoleLogin"; $CTL query "$TREE" --event ConsoleLogin -o jsonl 2>&1 >/dev/null | tail -1
echo "== matches: ctl $($CTL -q query "$TREE" --event "$X" | wc -l), jq $(find "$TREE" -path '*/CloudTrail/*' -name '*.json.gz' -print0 \
    | xargs -0 -P2 -n 64 sh -c 'zcat "$@" | jq -c ".Records[] | select(.eventName==\"'"$X"'\")"' _ | wc -l)"

JQ="find $TREE -path '*/CloudTrail/*' -name '*.json.gz' -print0 | xargs -0 -P2 -n 64 sh -c 'zcat \"\$@\" | jq -c \".Records[] | select(.eventName==\\\"$X\\\")\"' _ >/dev/null"
baseline=()
if [ -n "${BASELINE:-}" ]; then
    baseline=(-n "baseline --event $X" "$BASELINE -q query $TREE --event $X -o jsonl >/dev/null"
        -n "baseline --event ConsoleLogin" "$BASELINE -q query $TREE --event ConsoleLogin -o jsonl >/dev/null"
        -n "baseline --count-by eventName" "$BASELINE -q query $TREE --count-by eventName -o jsonl >/dev/null")
fi
hyperfine --warmup 1 --runs 5 --export-json "$OUT/query.json" --export-markdown "$OUT/query.md" \
    -n limit "target/release/examples/inflate_limit $TREE" \
    -n "ctl --event $X" "$CTL -q query $TREE --event $X -o jsonl >/dev/null" \
    -n "ctl --event ConsoleLogin" "$CTL -q query $TREE --event ConsoleLogin -o jsonl >/dev/null" \
    -n "ctl --count-by eventName" "$CTL -q query $TREE --count-by eventName -o jsonl >/dev/null" \
    "${baseline[@]}" \
    -n "rg -z $X" "rg -z -c $X $TREE >/dev/null || true"
hyperfine --runs 2 --export-json "$OUT/jq.json" -n "zcat | jq (xargs -P2)" "$JQ"

echo "== peak memory (max RSS)"
for args in "--event $X" "--event ConsoleLogin" "--count-by eventName"; do
    rss=$( { /usr/bin/time -v $CTL -q query "$TREE" $args -o jsonl >/dev/null; } 2>&1 | awk '/Maximum resident/ {print $6}')
    echo "ctl query $args: $((rss / 1024)) MB"
done

python3 - "$OUT" <<'PY'
import json, re, sys
out = sys.argv[1]
runs = {r["command"]: r["median"] for r in json.load(open(f"{out}/query.json"))["results"]}
runs.update({r["command"]: r["median"] for r in json.load(open(f"{out}/jq.json"))["results"]})
limit_txt = open(f"{out}/limit.txt").read()
mb = float(re.search(r"([\d.]+) MB uncompressed", limit_txt).group(1))
events = int(re.search(r"(\d+) events examined", open(f"{out}/all.txt").read()).group(1))
lim = runs["limit"]
jq = [v for k, v in runs.items() if k.startswith("zcat")][0]
print(f"\n{mb:.0f} MB uncompressed, {events:,} events\n")
print("| command | median s | MB/s | M events/s | vs limit | speed-up vs jq |")
print("|---|---:|---:|---:|---:|---:|")
for name, secs in runs.items():
    print(f"| {name} | {secs:.3f} | {mb / secs:,.0f} | {events / secs / 1e6:.2f} | {lim / secs:.2f} | {jq / secs:.1f}x |")
PY
