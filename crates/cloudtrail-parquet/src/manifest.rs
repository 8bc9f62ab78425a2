//! The manifest `_ctl_export.json` at the root of an export: how it is partitioned, which
//! partitions it has, what it holds. Its presence is what marks a folder as an export.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::ExportError;

/// The manifest's file name.
pub const MANIFEST: &str = "_ctl_export.json";

/// How events are cut into partitions by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// `month=YYYY-MM`.
    Month,
    /// `day=YYYY-MM-DD`.
    Day,
}

impl Granularity {
    /// The partition column's name.
    pub fn column(self) -> &'static str {
        match self {
            Granularity::Month => "month",
            Granularity::Day => "day",
        }
    }

    /// The partition value of an event time (milliseconds since the epoch), `unknown` without one.
    pub fn value(self, time_ms: Option<i64>) -> String {
        let Some(t) = time_ms.and_then(chrono::DateTime::from_timestamp_millis) else {
            return UNKNOWN.to_string();
        };
        match self {
            Granularity::Month => t.format("%Y-%m").to_string(),
            Granularity::Day => t.format("%Y-%m-%d").to_string(),
        }
    }
}

/// The partition value of a missing or unsafe value.
pub const UNKNOWN: &str = "unknown";

/// One partition: account, region and time period.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Partition {
    pub account: String,
    pub region: String,
    pub period: String,
}

impl Partition {
    /// The partition of an event; values that are missing, or unsafe as folder names (anything
    /// but ASCII letters, digits, `-`, `_` and `.`, a leading `.`, over 64 characters), are
    /// `unknown`.
    pub fn of(account: Option<&str>, region: Option<&str>, period: String) -> Partition {
        fn safe(v: Option<&str>) -> String {
            match v {
                Some(v)
                    if !v.is_empty()
                        && v.len() <= 64
                        && !v.starts_with('.')
                        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) =>
                {
                    v.to_string()
                }
                _ => UNKNOWN.to_string(),
            }
        }
        Partition { account: safe(account), region: safe(region), period }
    }

    /// The partition's folder below the export's root.
    pub fn path(&self, by: Granularity) -> String {
        format!("account={}/region={}/{}={}", self.account, self.region, by.column(), self.period)
    }
}

/// What `_ctl_export.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// The layout's version.
    pub ctl_export: u32,
    pub partition_by: Granularity,
    pub partitions: Vec<Partition>,
    pub events: u64,
    pub files: u64,
    pub bytes: u64,
    /// The columns of the files.
    pub columns: Vec<String>,
    /// What the export was made from (absent in an export of nothing but exports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// The source of an export as `ctl summary` reports it from its files (their names and
/// layout), which the rows do not keep.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The paths given to `ctl export`, absolute (what `ctl validate` is to check).
    pub paths: Vec<String>,
    /// Log files read.
    pub log_files: u64,
    pub files: cloudtrail::summary::FileFacts,
}

impl Manifest {
    pub const VERSION: u32 = 1;

    /// Reads the manifest of the export at `root`: `Ok(None)` when `root` is not an export.
    pub fn read(root: &Path) -> Result<Option<Manifest>, ExportError> {
        let path = root.join(MANIFEST);
        let text = match std::fs::read(&path) {
            Ok(text) => text,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => {
                return Ok(None)
            }
            Err(source) => return Err(ExportError::Io { path, source }),
        };
        let manifest: Manifest = serde_json::from_slice(&text)
            .map_err(|e| ExportError::Manifest { path: path.clone(), reason: e.to_string() })?;
        if manifest.ctl_export != Manifest::VERSION {
            return Err(ExportError::Manifest {
                path,
                reason: format!("layout version {} is not {}", manifest.ctl_export, Manifest::VERSION),
            });
        }
        Ok(Some(manifest))
    }

    pub(crate) fn write(&self, path: &Path) -> Result<(), ExportError> {
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| ExportError::Manifest { path: path.to_path_buf(), reason: e.to_string() })?;
        std::fs::write(path, text).map_err(|source| ExportError::Io { path: path.to_path_buf(), source })
    }

    /// The first and last time periods (`unknown` left out).
    pub fn period_range(&self) -> Option<(&str, &str)> {
        let mut periods = self.partitions.iter().map(|p| p.period.as_str()).filter(|p| *p != UNKNOWN);
        let first = periods.next()?;
        Some(periods.fold((first, first), |(lo, hi), p| (lo.min(p), hi.max(p))))
    }
}
