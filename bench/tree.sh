# Sourced by the bench scripts, from the repository's root: builds ctl and the generator, and
# writes the query benchmark tree once (2 accounts x 2 regions x 24 hours x 12 files x 800
# events: 921,600 events, about 1.15 GB of JSON in 1,152 log files). Sets CTL, the binary, and
# TREE, the tree.
cargo build --release -p ctl --bin ctl
cargo build --release -p trail-synth
CTL=target/release/ctl
TREE=bench/out/query/ctl-synthetic-trail
if [ ! -d "$TREE" ]; then
    target/release/trail-synth bench/out/query --seed 42 --accounts 2 --regions us-east-1,eu-west-1 \
        --hours 24 --files-per-hour 12 --events-per-file 800
fi
