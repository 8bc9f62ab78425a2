//! AWS CloudTrail bucket dumps: everything `ctl` knows about them, free of any command line or
//! terminal.
//!
//! - [`tree`]: discovery of the `AWSLogs/` layout (accounts, organizations, regions, digests).
//! - [`gz`]: gzip inflation shared by every reader.
//! - [`record`]: reading CloudTrail files into records, and borrowed views of an event.
//! - [`scan`]: the parallel scan engine (discovery with pruning, one pass on every core).
//! - [`budget`]: one memory budget for the file bytes all workers hold.
//! - [`dedup`]: events delivered more than once, seen once.
//! - [`query`]: query plans, their predicates and prefilters, and what they collect.
//! - [`fields`]: dotted field paths into an event.
//! - [`summary`]: what a dump holds, every section in one pass (`ctl summary`).
//! - [`trace`]: the chain of credentials behind a key or role session (`ctl trace`).
//! - [`metrics`]: CloudWatch Logs metric filters replayed over events.
//! - [`digest`]: digest files and the validation of whole digest chains.
//! - [`time`]: the time expressions users write.
//!
//! Callers hand in plain configuration structs and receive plain results; progress is
//! reported through callbacks.

pub mod budget;
pub mod dedup;
pub mod digest;
pub mod fields;
pub mod gz;
pub mod metrics;
pub mod query;
pub mod record;
pub mod scan;
pub mod summary;
pub mod time;
pub mod trace;
pub mod tree;

/// For tests on real data: the path of `rel` under `shared/data/` beside the repository root.
/// When it is absent the test `test` fails if `CI` is set (CI has the data), else prints a
/// visible `skipped:` line and gets None.
#[cfg(test)]
#[track_caller]
pub(crate) fn shared_data(test: &str, rel: &str) -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(rel);
    if path.exists() {
        return Some(path);
    }
    assert!(std::env::var_os("CI").is_none(), "{test}: {} not found (CI must have it)", path.display());
    // Written to stderr directly: the test harness captures `eprintln!`, and a skip must show.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("skipped: {test}: ../shared/data not found\n").as_bytes(),
    );
    None
}
