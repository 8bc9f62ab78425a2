//! The fuzz targets' entry logic, compiled both into the cargo-fuzz binaries
//! (`fuzz_targets/*.rs`) and into the stable corpus-replay test (`tests/fuzz_corpus.rs`, which
//! includes `targets.rs` by path), so CI replays the committed seeds and crash regressions
//! through exactly the code the fuzzers run.
#![forbid(unsafe_code)]

pub mod targets;

pub use targets::*;
