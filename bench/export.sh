#!/usr/bin/env bash
# Whole-command benchmark of `ctl export` (not run in CI), on the tree of bench/query.sh
# (generated once under bench/out/query). One hyperfine run, warm page cache, all cores:
#   - ctl query --count-by eventVersion on the gzip tree: ctl's own full-scan rate
#   - ctl export of the whole tree: throughput in MB/s of uncompressed JSON in
#   - ctl query --event X (selective) on the gzip tree, on the export, and DuckDB's SQL of the
#     same query (printed by `ctl query --sql duckdb`) on the same Parquet
# Then: Parquet size against the gzip JSON, and peak memory of export on half and on all of the
# tree, and on half and all of a tree of 200 partitions (25 accounts x 8 regions): flat in the
# size of the tree and in the partitions. Writes bench/out/export.md and prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update && apt-get install -y hyperfine; }
python3 -c 'import duckdb' 2>/dev/null || python3 -m pip install duckdb
source bench/tree.sh
X="${X:-StopLogging}"
EXPORT=bench/out/export/tree
RUN=bench/out/export/run
mkdir -p bench/out/export
find "$TREE" -type f -exec cat {} + >/dev/null   # warm the page cache
logs() { find "$TREE" -path '*/CloudTrail/*' -name '*.json.gz' -print0; }
[ -s bench/out/export/uncompressed.txt ] || logs | xargs -0 cat | gzip -dc | wc -c >bench/out/export/uncompressed.txt
rm -rf "$EXPORT"; $CTL export "$TREE" --out "$EXPORT"
$CTL export --ddl duckdb --out "$EXPORT" >bench/out/export/ddl.sql
$CTL query --sql duckdb --event "$X" >bench/out/export/query.sql
cat >bench/out/export/duckdb_query.py <<PY
import duckdb
con = duckdb.connect()
con.execute(open("bench/out/export/ddl.sql").read())
rows = con.execute(open("bench/out/export/query.sql").read()).fetchall()
print(len(rows))
PY
echo "== matches: gzip $($CTL -q query "$TREE" --event "$X" | wc -l), export $($CTL -q query "$EXPORT" --event "$X" | wc -l), duckdb $(python3 bench/out/export/duckdb_query.py)"

hyperfine --warmup 1 --runs 5 --export-json bench/out/export/export.json --export-markdown bench/out/export.md \
    -n "ctl query --count-by (full scan, gzip)" "$CTL -q query $TREE --count-by eventVersion -o jsonl >/dev/null" \
    -n "ctl export" "rm -rf $RUN && $CTL -q export $TREE --out $RUN" \
    -n "ctl query --event $X (gzip)" "$CTL -q query $TREE --event $X -o jsonl >/dev/null" \
    -n "ctl query --event $X (export)" "$CTL -q query $EXPORT --event $X -o jsonl >/dev/null" \
    -n "duckdb --event $X (export)" "python3 bench/out/export/duckdb_query.py >/dev/null"

echo "== peak memory (max RSS) of export: half of the tree, then all of it"
for args in "--region us-east-1" ""; do
    rm -rf "$RUN"
    rss=$( { /usr/bin/time -v $CTL -q export "$TREE" $args --out "$RUN"; } 2>&1 | awk '/Maximum resident/ {print $6}')
    echo "ctl export ${args:-(all)}: $((rss / 1024)) MB, $(du -sb "$RUN" | cut -f1) bytes written"
done
MANY=bench/out/many/ctl-synthetic-trail
if [ ! -d "$MANY" ]; then
    # 1,200,000 events in 200 partitions of 6,000.
    target/release/trail-synth -q bench/out/many --seed 7 --accounts 25 \
        --regions us-east-1,us-east-2,us-west-1,us-west-2,eu-west-1,eu-west-2,eu-central-1,ap-southeast-1 \
        --hours 6 --files-per-hour 2 --events-per-file 500
fi
for args in "--until 2026-01-01T03:00:00Z" ""; do
    rm -rf "$RUN"
    rss=$( { /usr/bin/time -v $CTL -q export "$MANY" $args --out "$RUN"; } 2>&1 | awk '/Maximum resident/ {print $6}')
    echo "ctl export of 200 partitions ${args:-(all)}: $((rss / 1024)) MB, $(find "$RUN" -name '*.parquet' | wc -l) files"
done
rm -rf "$RUN"

python3 - "$EXPORT" "$X" <<'PY'
import json, os, subprocess, sys
export, x = sys.argv[1], sys.argv[2]
runs = {r["command"]: r["median"] for r in json.load(open("bench/out/export/export.json"))["results"]}
mb = int(open("bench/out/export/uncompressed.txt").read()) / 1e6
gz = int(subprocess.run("find bench/out/query/ctl-synthetic-trail -path '*/CloudTrail/*' -name '*.json.gz' -print0 | du -cb --files0-from=- | tail -1",
                        shell=True, capture_output=True, text=True).stdout.split()[0])
pq = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(export) for f in fs if f.endswith(".parquet"))
files = sum(1 for d, _, fs in os.walk(export) for f in fs if f.endswith(".parquet"))
scan, exp = runs["ctl query --count-by (full scan, gzip)"], runs["ctl export"]
gzq, pqq, duck = runs[f"ctl query --event {x} (gzip)"], runs[f"ctl query --event {x} (export)"], runs[f"duckdb --event {x} (export)"]
print(f"\n{mb:.0f} MB uncompressed JSON, {gz / 1e6:.0f} MB gzip, {pq / 1e6:.0f} MB Parquet in {files} files")
print("| figure | value | aim |\n|---|---:|---|")
print(f"| export throughput | {mb / exp:.0f} MB/s ({exp / scan:.2f}x the time of a full scan: {scan / exp:.2f} of its rate) | >= 0.3 |")
print(f"| Parquet / gzip JSON size | {pq / gz:.2f} | <= 1 |")
print(f"| selective query: gzip / export | {gzq / pqq:.1f}x faster ({gzq:.3f} s vs {pqq:.3f} s) | >= 10x |")
print(f"| selective query: DuckDB / ctl on the export | {duck / pqq:.2f} ({duck:.3f} s vs {pqq:.3f} s) | >= 1 |")
PY
