//! The manifest `_ctl_export.json` at the root of an export: how it is partitioned, which
//! partitions it has, what it holds, and what `ctl summary` reports of the source's files
//! ([`Source`]), which the rows do not keep. Its presence is what marks a folder as an export.
//!
//! Layout 2 adds each source log file's delivery time and record counts ([`LogFiles`]), so that
//! a summary of the export under a time window (or an account or region) counts the files the
//! source's own discovery would keep. Layout 1 manifests are still read; they lack those.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use cloudtrail::record::Refusal;
use cloudtrail::scan::{Input, Prune, Visitor};
use cloudtrail::tree::{self, names::parse_log_name, Class};

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
    /// The inputs read, by series (from layout 2 on; empty in layout 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<LogFiles>,
    /// Inputs found unreadable (in full or in part) when exported.
    #[serde(default)]
    pub unreadable: u64,
    /// Inputs skipped once opened when exported (digests known by their content, empty files).
    #[serde(default)]
    pub skipped: u64,
    /// Copies of events dropped when exported (the export holds one of each).
    #[serde(default)]
    pub copies: u64,
}

/// The inputs of one series, as the source's discovery and `ctl summary` see them: log files
/// of one account and region in the `AWSLogs/` layout (pruned by account, region and delivery
/// time), log files of one account and region outside it (never pruned; still deliveries), or
/// the other inputs (never pruned, no delivery). Per file, in delivery order: its delivery
/// time and the records the scan handed over, as [`Tallied`] counted them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFiles {
    /// The account and region the file names name (empty for inputs not named like log files).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub account: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// In the `AWSLogs/` layout.
    pub layout: bool,
    /// Each file's delivery time in minutes since the epoch: the first, then each the
    /// difference to the one before (empty for inputs not named like log files).
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "spaced")]
    pub minutes: Vec<i64>,
    /// Each file's records handed to the scan.
    #[serde(with = "spaced")]
    pub records: Vec<u64>,
    /// Each file's records refused as not valid JSON records.
    #[serde(with = "spaced")]
    pub invalid_records: Vec<u64>,
    /// Each file's records refused as not CloudTrail events.
    #[serde(with = "spaced")]
    pub not_events: Vec<u64>,
}

/// A list of numbers as one string, separated by spaces: a few bytes a file, where the
/// pretty-printed manifest would give each number a line.
mod spaced {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer, T: std::fmt::Display>(values: &[T], s: S) -> Result<S::Ok, S::Error> {
        let text: Vec<String> = values.iter().map(ToString::to_string).collect();
        s.serialize_str(&text.join(" "))
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: std::str::FromStr>(d: D) -> Result<Vec<T>, D::Error>
    where
        T::Err: std::fmt::Display,
    {
        let text = String::deserialize(d)?;
        text.split_ascii_whitespace().map(|v| v.parse().map_err(serde::de::Error::custom)).collect()
    }
}

/// What the source's discovery keeps of its inputs under a [`Prune`], and what `ctl summary`
/// counts of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    pub files: u64,
    /// Log files left out by the prune.
    pub pruned: u64,
    pub records: u64,
    pub invalid_records: u64,
    pub not_events: u64,
    /// The account, region and delivery time (Unix seconds) of each log file kept.
    pub deliveries: Vec<(String, String, i64)>,
}

impl Source {
    /// The inputs the source's discovery keeps under `prune` (the inputs the export read,
    /// within those), with their records.
    pub fn kept(&self, prune: &Prune) -> Kept {
        let mut kept = Kept::default();
        for series in &self.logs {
            let mut minute = 0;
            for (i, records) in series.records.iter().enumerate() {
                let delivered = series.minutes.get(i).map(|delta| {
                    minute += delta;
                    minute * 60
                });
                let keeps = match delivered {
                    Some(t) if series.layout => chrono::DateTime::from_timestamp(t, 0)
                        .is_none_or(|at| prune.keeps(&series.account, &series.region, at)),
                    _ => true,
                };
                if !keeps {
                    kept.pruned += 1;
                    continue;
                }
                kept.files += 1;
                kept.records += records;
                kept.invalid_records += series.invalid_records.get(i).copied().unwrap_or(0);
                kept.not_events += series.not_events.get(i).copied().unwrap_or(0);
                if let Some(t) = delivered {
                    kept.deliveries.push((series.account.clone(), series.region.clone(), t));
                }
            }
        }
        kept
    }
}

impl LogFiles {
    /// The series of `inputs` (found below `roots`, the paths given), with the counts of
    /// [`Tallied`] (by input index; an input may have several entries, none when it had no
    /// record).
    pub fn of(inputs: &[Input], roots: &[PathBuf], tallied: &[(usize, FileCounts)]) -> Vec<LogFiles> {
        let mut counts: BTreeMap<usize, FileCounts> = BTreeMap::new();
        for (file, c) in tallied {
            let into = counts.entry(*file).or_default();
            into.records += c.records;
            into.invalid_records += c.invalid_records;
            into.not_events += c.not_events;
        }
        // Per (account, region, in the layout): each file's delivery minute and counts.
        type Files = Vec<(Option<i64>, FileCounts)>;
        let mut series: BTreeMap<(String, String, bool), Files> = BTreeMap::new();
        for (i, input) in inputs.iter().enumerate() {
            let count = counts.get(&i).copied().unwrap_or_default();
            let (account, region, layout, delivered) = match input.path.as_deref().map(|p| classify(p, roots)) {
                Some(Class::Log { name, .. }) => (name.account, name.region, true, Some(name.delivered)),
                _ => {
                    match input.path.as_ref().and_then(|p| p.file_name()).map(|n| parse_log_name(&n.to_string_lossy()))
                    {
                        Some(Ok(name)) => (name.account, name.region, false, Some(name.delivered)),
                        _ => (String::new(), String::new(), false, None),
                    }
                }
            };
            series.entry((account, region, layout)).or_default().push((delivered.map(|t| t.timestamp() / 60), count));
        }
        series
            .into_iter()
            .map(|((account, region, layout), mut files)| {
                files.sort_by_key(|(minute, _)| *minute);
                let mut previous = 0;
                let minutes = files
                    .iter()
                    .filter_map(|(minute, _)| {
                        let m = (*minute)?;
                        let delta = m - previous;
                        previous = m;
                        Some(delta)
                    })
                    .collect();
                LogFiles {
                    account,
                    region,
                    layout,
                    minutes,
                    records: files.iter().map(|(_, c)| c.records).collect(),
                    invalid_records: files.iter().map(|(_, c)| c.invalid_records).collect(),
                    not_events: files.iter().map(|(_, c)| c.not_events).collect(),
                }
            })
            .collect()
    }
}

/// How the discovery classified `path`: by its key below the outermost root holding it.
fn classify(path: &Path, roots: &[PathBuf]) -> Class {
    let root = roots.iter().filter(|r| path.starts_with(r)).min_by_key(|r| r.components().count());
    let base = root.map(|r| tree::key_base(r)).unwrap_or_default();
    tree::classify(&tree::key_of(path, &base))
}

/// The counts of input `file`: the last entry when it is that file's, else a new one.
fn counted(counts: &mut Vec<(usize, FileCounts)>, file: usize) -> &mut FileCounts {
    if counts.last().is_none_or(|(last, _)| *last != file) {
        counts.push((file, FileCounts::default()));
    }
    let at = counts.len() - 1;
    &mut counts[at].1
}

/// One input's records as the scan engine counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileCounts {
    pub records: u64,
    pub invalid_records: u64,
    pub not_events: u64,
}

/// A visitor that counts each input's records (by its index) on the way to `inner`, as the
/// scan engine counts them in its statistics: what [`LogFiles`] keeps of each file.
pub struct Tallied<'v, V> {
    pub inner: &'v V,
}

impl<V: Visitor> Visitor for Tallied<'_, V> {
    /// The counts per input index, in the order the task met the inputs (a task reads one
    /// file at a time: a record adds to the last entry, without a lookup).
    type Acc = (V::Acc, Vec<(usize, FileCounts)>);

    fn new_acc(&self) -> Self::Acc {
        (self.inner.new_acc(), Vec::new())
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.inner.file_may_match(data)
    }

    fn record(&self, acc: &mut Self::Acc, file: usize, ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
        let (inner, counts) = acc;
        let count = counted(counts, file);
        count.records += 1;
        let result = self.inner.record(inner, file, ordinal, raw);
        match result {
            Ok(()) => {}
            Err(Refusal::NotEvent) => count.not_events += 1,
            Err(_) => count.invalid_records += 1,
        }
        result
    }

    fn reads_text(&self) -> bool {
        self.inner.reads_text()
    }

    fn line(&self, acc: &mut Self::Acc, file: usize, ordinal: u64, line: &[u8]) {
        counted(&mut acc.1, file).records += 1;
        self.inner.line(&mut acc.0, file, ordinal, line);
    }

    fn end_file(&self, acc: &mut Self::Acc, file: usize) -> std::io::Result<()> {
        self.inner.end_file(&mut acc.0, file)
    }

    fn merge(&self, a: Self::Acc, mut b: Self::Acc) -> Self::Acc {
        let mut counts = a.1;
        counts.append(&mut b.1);
        (self.inner.merge(a.0, b.0), counts)
    }

    fn done(&self) -> bool {
        self.inner.done()
    }
}

impl Manifest {
    /// The layout written.
    pub const VERSION: u32 = 2;
    /// The layouts read: 1 lacks [`Source::logs`].
    pub const READ: [u32; 2] = [1, 2];

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
        if !Manifest::READ.contains(&manifest.ctl_export) {
            return Err(ExportError::Manifest {
                path,
                reason: format!("layout version {} is not one of {:?}", manifest.ctl_export, Manifest::READ),
            });
        }
        Ok(Some(manifest))
    }

    pub(crate) fn write(&self, path: &Path) -> Result<(), ExportError> {
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| ExportError::Manifest { path: path.to_path_buf(), reason: e.to_string() })?;
        std::fs::write(path, text).map_err(|source| ExportError::Io { path: path.to_path_buf(), source })
    }

    /// Whether the manifest keeps the source's inputs one by one ([`Source::logs`]): layout 2
    /// on.
    pub fn keeps_inputs(&self) -> bool {
        self.ctl_export >= 2
    }

    /// The first and last time periods (`unknown` left out).
    pub fn period_range(&self) -> Option<(&str, &str)> {
        let mut periods = self.partitions.iter().map(|p| p.period.as_str()).filter(|p| *p != UNKNOWN);
        let first = periods.next()?;
        Some(periods.fold((first, first), |(lo, hi), p| (lo.min(p), hi.max(p))))
    }
}
