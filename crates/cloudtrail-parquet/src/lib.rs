//! CloudTrail events as Parquet, for ctl's `export` and for the engines that read it (Athena,
//! Trino, Spark, DuckDB).
//!
//! - [`schema`]: the table (AWS's Athena table for CloudTrail, plus what it lacks), lossless;
//! - [`encode`] and [`decode`]: an event's JSON into a row and back; [`text`]: the builder
//!   of text columns whose memory serves batch after batch;
//! - [`mod@write`]: the partitioned writer of an export, in bounded memory, fed by
//!   [`export::ExportVisitor`] from the scan engine;
//! - [`manifest`]: `_ctl_export.json`, which marks a folder as an export;
//! - [`read`]: an export read back through the scan engine's visitors, pruning partitions
//!   and row groups, reading only the columns a question needs; [`positional`]: its files
//!   read at offsets;
//! - [`sql`]: the CREATE TABLE of an export and ctl queries as SQL, per engine;
//! - [`guard`]: every call into the Parquet decoder, its panics on damaged bytes turned into
//!   errors.
//!
//! Knows no command line and no terminal.

pub mod decode;
pub mod encode;
pub mod export;
pub mod group;
pub mod guard;
pub mod manifest;
pub mod positional;
pub mod read;
pub mod schema;
pub mod sql;
pub mod stats;
pub mod text;
pub mod write;

use std::path::PathBuf;

/// Why an export could not be written or read. Each names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: parquet: {source}")]
    Parquet { path: PathBuf, source: parquet::errors::ParquetError },
    /// The decoder failed on the file's bytes in a way it does not report (see [`guard`]).
    #[error("{path}: damaged Parquet: the decoder failed ({message})")]
    Damaged { path: PathBuf, message: String },
    #[error("{0}: not empty: an export is written into a new or empty folder")]
    NotEmpty(PathBuf),
    #[error("{path}: not a ctl export manifest: {reason}")]
    Manifest { path: PathBuf, reason: String },
}
