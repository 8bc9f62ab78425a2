//! `ctl`: a fast, offline toolkit for AWS CloudTrail logs.
//!
//! The library behind the `ctl` binary: integrity validation of CloudTrail bucket dumps
//! ([`digest`]), discovery of the `AWSLogs/` layout ([`tree`]), the CloudWatch Logs
//! filter-pattern language ([`filter`]) and metric filters replayed over events ([`metrics`]),
//! and gzip inflation shared by every command ([`gz`]).
//!
//! ```
//! let pattern = ctl::filter::Pattern::parse(r#"{ $.eventName = "ConsoleLogin" }"#).unwrap();
//! assert!(pattern.matches(br#"{"eventName":"ConsoleLogin"}"#));
//! ```

pub mod cli;
pub mod cmd;
pub mod digest;
pub mod filter;
pub mod gz;
pub mod metrics;
pub mod output;
pub mod query;
pub mod record;
pub mod scan;
pub mod synth;
pub mod time;
pub mod tree;
