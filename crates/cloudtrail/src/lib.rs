//! AWS CloudTrail bucket dumps: everything `ctl` knows about them, free of any command line or
//! terminal.
//!
//! - [`tree`]: discovery of the `AWSLogs/` layout (accounts, organizations, regions, digests).
//! - [`gz`]: gzip inflation shared by every reader.
//! - [`record`]: reading CloudTrail files into records, and borrowed views of an event.
//! - [`scan`]: the parallel scan engine (discovery with pruning, one pass on every core).
//! - [`dedup`]: events delivered more than once, seen once.
//! - [`query`]: query plans, their predicates and prefilters, and what they collect.
//! - [`fields`]: dotted field paths into an event.
//! - [`metrics`]: CloudWatch Logs metric filters replayed over events.
//! - [`digest`]: digest files and the validation of whole digest chains.
//! - [`time`]: the time expressions users write.
//!
//! Callers hand in plain configuration structs and receive plain results; progress is
//! reported through callbacks.

pub mod dedup;
pub mod digest;
pub mod fields;
pub mod gz;
pub mod metrics;
pub mod query;
pub mod record;
pub mod scan;
pub mod time;
pub mod tree;
