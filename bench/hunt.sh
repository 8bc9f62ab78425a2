#!/usr/bin/env bash
# Whole-command benchmark of `ctl hunt` (not run in CI), on the tree bench/query.sh generates
# (generated here too when absent), warm page cache, all cores. In one hyperfine run:
#   - ctl hunt with every rule of ../shared/data/sigma-rules (859 files), JSON lines to /dev/null, and
#     with --min-level high (the rules an investigator triages first)
#   - ctl query --count-by eventName (the reference rate: every event parsed and validated)
#   - find | xargs zcat | jq selecting one rule's events (the baseline a script would be)
# then peak memory (max RSS, /usr/bin/time -v) of the hunt on one account's half of the tree and on
# the whole tree: it should stay flat as the tree grows. Writes bench/out/hunt.md and prints ratios.
# BASELINE=/path/to/an/older/ctl adds that binary's two hunts to the same hyperfine run (before/after).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine jq; do
    command -v "$tool" >/dev/null || { apt-get update && apt-get install -y hyperfine jq; break; }
done
source bench/tree.sh
OUT=bench/out/query
RULES="${RULES:-../shared/data/sigma-rules}"
find "$TREE" -type f -exec cat {} + >/dev/null   # warm the page cache
$CTL hunt --list -r "$RULES" -o csv 2>&1 >/dev/null | tail -1
$CTL hunt -q -r "$RULES" "$TREE" -o jsonl 2>/dev/null | jq -r 'select(.type=="summary" and .rule == null) | "\(.level): \(.hits)"' | tr '\n' ' '; echo
$CTL hunt -r "$RULES" "$TREE" -o jsonl 2>&1 >/dev/null | tail -1

JQ="find $TREE -path '*/CloudTrail/*' -name '*.json.gz' -print0 | xargs -0 -P2 -n 64 sh -c 'zcat \"\$@\" | jq -c \".Records[] | select(.eventSource==\\\"iam.amazonaws.com\\\" and .eventName==\\\"GetUser\\\" and .errorCode==null and .errorMessage==null)\"' _ >/dev/null"
baseline=()
if [ -n "${BASELINE:-}" ]; then
    baseline=(-n "baseline hunt (all rules)" "$BASELINE -q hunt -r $RULES $TREE -o jsonl >/dev/null"
        -n "baseline hunt --min-level high" "$BASELINE -q hunt -r $RULES --min-level high $TREE -o jsonl >/dev/null")
fi
hyperfine --warmup 1 --runs 5 --export-json "$OUT/hunt.json" --export-markdown bench/out/hunt.md \
    -n "ctl hunt (all rules)" "$CTL -q hunt -r $RULES $TREE -o jsonl >/dev/null" \
    -n "ctl hunt --min-level high" "$CTL -q hunt -r $RULES --min-level high $TREE -o jsonl >/dev/null" \
    -n "ctl query --count-by eventName" "$CTL -q query $TREE --count-by eventName -o jsonl >/dev/null" \
    "${baseline[@]}"
hyperfine --runs 2 --export-json "$OUT/hunt-jq.json" -n "zcat | jq (one rule, xargs -P2)" "$JQ"

echo "== peak memory (max RSS)"
HALF=$(find "$TREE/AWSLogs" -mindepth 1 -maxdepth 1 -type d | sort | head -1)
for tree in "$HALF" "$TREE"; do
    rss=$( { /usr/bin/time -v $CTL -q hunt -r "$RULES" "$tree" -o jsonl >/dev/null; } 2>&1 | awk '/Maximum resident/ {print $6}')
    echo "ctl hunt over $(du -sh "$tree" | cut -f1) ($tree): $((rss / 1024)) MB"
done

python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
runs = {r["command"]: r["median"] for r in json.load(open(f"{out}/hunt.json"))["results"]}
runs.update({r["command"]: r["median"] for r in json.load(open(f"{out}/hunt-jq.json"))["results"]})
hunt, count = runs["ctl hunt (all rules)"], runs["ctl query --count-by eventName"]
jq = [v for k, v in runs.items() if k.startswith("zcat")][0]
for name, secs in runs.items():
    print(f"{name}: median {secs:.2f} s")
high = runs["ctl hunt --min-level high"]
print(f"hunt rate vs count-by: {count / hunt:.2f}x (--min-level high: {count / high:.2f}x); hunt vs jq: {jq / hunt:.1f}x faster")
if "baseline hunt (all rules)" in runs:
    before, before_high = runs["baseline hunt (all rules)"], runs["baseline hunt --min-level high"]
    print(f"baseline rate vs count-by: {count / before:.2f}x (--min-level high: {count / before_high:.2f}x); "
          f"hunt {before / hunt:.2f}x faster than the baseline (--min-level high: {before_high / high:.2f}x)")
PY
