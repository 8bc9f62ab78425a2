#!/usr/bin/env bash
# Whole-command benchmark of `ctl validate` against the machine's limit (inflate + SHA-256 of the
# same files on all cores, examples/hash_limit.rs) and the AWS CLI's algorithm (bench/aws_cli_hash.py,
# one core). Generates a >= 1 GB (uncompressed) signed dump once under bench/out/. Not run in CI.
# BASELINE=/path/to/an/older/ctl adds that binary to the same hyperfine run (before/after figures).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update && apt-get install -y hyperfine; }
cargo build --release -p ctl --bin ctl --example hash_limit
cargo build --release -p trail-synth
OUT=bench/out/validate
if [ ! -d "$OUT/ctl-synthetic-trail" ]; then
    # 2 accounts x 2 regions x 24 hours x 12 files x 700 events ~ 1.0 GB uncompressed (806,400 events).
    target/release/trail-synth "$OUT" --seed 42 --accounts 2 --regions us-east-1,eu-west-1 \
        --hours 24 --files-per-hour 12 --events-per-file 700
fi
find "$OUT/ctl-synthetic-trail" -type f -exec cat {} + >/dev/null   # warm the page cache
echo "== limit (inflate + SHA-256, all cores)"; target/release/examples/hash_limit "$OUT/ctl-synthetic-trail"
echo "== ctl validate"; target/release/ctl validate "$OUT/ctl-synthetic-trail" --public-keys "$OUT/public-keys.json" \
    --digest-metadata "$OUT/digest-metadata.json" --output jsonl >/dev/null
echo "== AWS CLI algorithm (python zlib + hashlib, one core)"; python3 bench/aws_cli_hash.py "$OUT/ctl-synthetic-trail"
ARGS="$OUT/ctl-synthetic-trail --public-keys $OUT/public-keys.json --digest-metadata $OUT/digest-metadata.json --output jsonl"
baseline=()
if [ -n "${BASELINE:-}" ]; then baseline=(-n "ctl validate (baseline)" "$BASELINE -q validate $ARGS"); fi
hyperfine -N --warmup 1 --runs 5 --export-markdown bench/out/validate.md \
    -n "limit (inflate + SHA-256)" "target/release/examples/hash_limit $OUT/ctl-synthetic-trail" \
    -n "ctl validate" "target/release/ctl -q validate $ARGS" \
    "${baseline[@]}" \
    -n "AWS CLI hashing loop" "python3 bench/aws_cli_hash.py $OUT/ctl-synthetic-trail"
cat bench/out/validate.md
