#!/usr/bin/env bash
# Runs every fuzz target, one after the other (never two at once), and prints the executions
# each one made.
#
#   fuzz/run.sh [-t SECONDS] [-n RUNS] [TARGET...]
#
#   -t SECONDS   stop each target after this many seconds (default 60)
#   -n RUNS      stop each target after this many executions (whichever comes first)
#   TARGET       run only these (default: all below)
#
# Targets of fuzz/ (this crate): record_reader digest_body public_keys digest_metadata key_names
# metric_filters sigma_rules; of crates/cwl-filter/fuzz: filter_parse filter_match.
#
# Each target starts from its committed seeds (fuzz/seeds/TARGET, read only) and its working
# corpus (fuzz/corpus/TARGET, kept between runs, not committed). A crash leaves its input in
# fuzz/artifacts/TARGET/; minimize it with
#   cargo +nightly fuzz tmin [--fuzz-dir crates/cwl-filter/fuzz] TARGET fuzz/artifacts/TARGET/crash-...
# and commit it under fuzz/regressions/TARGET/ (tests/fuzz_corpus.rs replays it).
# Needs the nightly toolchain; installs cargo-fuzz when missing. Runs under `nice -n 10`
# (FUZZ_NICE to change). Exits 1 when a target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
runs=0
while getopts "t:n:h" opt; do
    case $opt in
        t) seconds=$OPTARG ;;
        n) runs=$OPTARG ;;
        *) sed -n '2,21p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
root_targets=(record_reader digest_body public_keys digest_metadata key_names metric_filters sigma_rules)
filter_targets=(filter_parse filter_match)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${root_targets[@]}" "${filter_targets[@]}")

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "the nightly toolchain is required: rustup toolchain install nightly" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

summary=()
crashed=0
for target in "${targets[@]}"; do
    case " ${filter_targets[*]} " in
        *" $target "*) fuzz_dir=crates/cwl-filter/fuzz ;;
        *) fuzz_dir=fuzz ;;
    esac
    corpus=fuzz/corpus/$target
    artifacts=fuzz/artifacts/$target
    log=fuzz/artifacts/$target.log
    mkdir -p "$corpus" "$artifacts"
    echo "== $target (${seconds}s$([ "$runs" -gt 0 ] && echo ", at most $runs runs"))"
    args=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/")
    [ "$runs" -gt 0 ] && args+=(-runs="$runs")
    start=$(date +%s)
    status=0
    nice -n "${FUZZ_NICE:-10}" cargo +nightly fuzz run --fuzz-dir "$fuzz_dir" "$target" "$corpus" "fuzz/seeds/$target" \
        -- "${args[@]}" >"$log" 2>&1 || status=$?
    elapsed=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    fuzz_time=$(grep -o '^#[0-9]*.*exec/s: [0-9]*' "$log" | tail -n 1 | sed 's/.*exec\/s: //')
    if [ "$status" -eq 0 ]; then
        result=ok
    else
        crashed=1
        result="CRASH $(grep -o "$artifacts/[a-z-]*-[0-9a-f]*" "$log" | tail -n 1) (log: $log)"
        grep -m 3 -E "panicked at|ERROR: libFuzzer|SUMMARY" "$log" | sed 's/^/    /' || true
    fi
    summary+=("$(printf '%-16s %12s execs  %6ss  %8s exec/s  %s' "$target" "${execs:-?}" "$elapsed" "${fuzz_time:-?}" "$result")")
    echo "${summary[-1]}"
done

echo
echo "== summary (wall time includes the build)"
printf '%s\n' "${summary[@]}"
exit "$crashed"
