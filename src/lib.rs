//! `ctl`: a fast, offline toolkit for AWS CloudTrail logs.
//!
//! The library behind the `ctl` binary: integrity validation of CloudTrail bucket dumps
//! ([`digest`]), discovery of the `AWSLogs/` layout ([`tree`]), and gzip inflation shared by
//! every command ([`gz`]).

pub mod cli;
pub mod digest;
pub mod gz;
pub mod tree;
pub mod cmd;
pub mod time;
