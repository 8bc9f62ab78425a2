//! Offline validation of a bucket dump: every digest chain (account x source region x trail)
//! walked as the AWS CLI's `validate-logs` walks it, plus what the CLI cannot see.
//!
//! The walk ([`walk`]) follows each chain newest to oldest, re-entering below damage through
//! the listing of digests by name time; each digest is checked in the CLI's order ([`check`]);
//! log files are hashed in parallel afterwards ([`logs`]). Beyond the CLI: log files that no
//! digest lists ([`Status::Unreferenced`] inside covered periods, [`Status::Uncovered`]
//! outside), digests the walk never reaches, heads named in captured metadata but absent, and
//! `previousDigestHashValue` compared with the previous digest's bytes.

mod check;
pub mod load;
pub mod logs;
pub mod report;
mod walk;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rayon::prelude::*;

pub use report::{ChainId, ChainReport, Counts, Item, Kind, Report, Skipped, Status, Tally};

use crate::digest::keys::KeyRing;
use crate::digest::metadata::HeadSignature;
use crate::tree::{self, Class, LogName};
use load::{DigestFile, Loaded};
use logs::{Hashed, LogHasher};

/// What to validate and against what.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub roots: Vec<PathBuf>,
    pub keys: KeyRing,
    /// Signatures of chain heads captured from S3 metadata.
    pub heads: Vec<HeadSignature>,
    /// The bucket the dump was copied from; else the one most digests name.
    pub bucket: Option<String>,
    /// Only digests whose name time is at or after this (and log files delivered from then).
    pub start: Option<DateTime<Utc>>,
    /// Only digests whose name time is at or before this plus one hour, as the AWS CLI.
    pub end: Option<DateTime<Utc>>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub trails: Vec<String>,
}

/// A log file found under `CloudTrail/`.
#[derive(Debug, Clone)]
struct LogFile {
    path: PathBuf,
    abs: PathBuf,
    key: String,
    area: AreaId,
    name: LogName,
}

/// Where a log file or chain lives: prefix, organization, account, region.
type AreaId = (String, Option<String>, String, String);

fn area_of(id: &ChainId) -> AreaId {
    (id.prefix.clone(), id.org_id.clone(), id.account.clone(), id.region.clone())
}

/// Validates the dump. `on_log` is called once per log file hashed (for a progress bar).
pub fn validate(options: &Options, on_log: &(dyn Fn() + Sync)) -> Report {
    let mut report = Report::default();
    let Found { digests, logs, present } = discover(options, &mut report);
    let loaded = load::load_all(digests);

    report.bucket = options.bucket.clone().or_else(|| most_named_bucket(&loaded));
    let bucket = report.bucket.clone().unwrap_or_default();
    let signatures = check::Signatures::collect(&loaded, &options.heads);
    let checker = check::Checker { keys: &options.keys, bucket: &bucket, signatures: &signatures };

    let mut chains: BTreeMap<ChainId, Vec<&Loaded>> = BTreeMap::new();
    for digest in loaded.values() {
        chains.entry(chain_id(&digest.file)).or_default().push(digest);
    }

    let window = walk::Window { start: options.start, end: options.end };
    let mut walked: Vec<(ChainId, walk::Walked)> = chains
        .into_iter()
        .map(|(id, digests)| {
            let walked = walk::walk_chain(&digests, &loaded, &checker, &window);
            (id, walked)
        })
        .collect();

    // Hash every log file a valid digest lists, each once, on all cores.
    let mut unique: Vec<PathBuf> =
        walked.iter().flat_map(|(_, w)| w.log_checks.iter().map(|c| c.abs.clone())).collect();
    unique.sort();
    unique.dedup();
    let hashed: HashMap<PathBuf, Hashed> = unique
        .into_par_iter()
        .map_init(LogHasher::default, |hasher, path| {
            let result = if present.contains(&path) { hasher.hash(&path) } else { Hashed::Missing };
            on_log();
            (path, result)
        })
        .collect();
    report.bytes_hashed = hashed
        .values()
        .map(|h| match h {
            Hashed::Clean { size, .. } => *size,
            _ => 0,
        })
        .sum();

    for (_, w) in &mut walked {
        for c in &w.log_checks {
            let item = &mut w.items[c.item];
            let (status, reason) = log_verdict(&hashed[&c.abs], &c.expected);
            item.status = status;
            item.reason = reason;
        }
    }

    // Log files no digest lists.
    let mut listed: HashMap<&Path, bool> = HashMap::new();
    for (_, w) in &walked {
        for (path, by_valid) in &w.listed {
            let entry = listed.entry(path.as_path()).or_insert(false);
            *entry |= *by_valid;
        }
    }
    let mut coverage: HashMap<AreaId, Vec<walk::Span>> = HashMap::new();
    for (id, w) in &walked {
        coverage.entry(area_of(id)).or_default().extend(w.covered_windows.iter().copied());
    }
    let mut loose_by_area: HashMap<AreaId, Vec<Item>> = HashMap::new();
    for log in &logs {
        if options.start.is_some_and(|s| log.name.delivered < s) || options.end.is_some_and(|e| log.name.delivered > e)
        {
            continue;
        }
        let item = match listed.get(log.abs.as_path()) {
            Some(true) => continue,
            Some(false) => Item::new(Kind::Log, &log.key, Some(log.path.clone()), Status::Unverified)
                .because("listed only by digests that are not valid"),
            None => unlisted_verdict(log, coverage.get(&log.area).map_or(&[][..], Vec::as_slice)),
        };
        loose_by_area.entry(log.area.clone()).or_default().push(item);
    }

    // Heads named in captured metadata but absent from the dump.
    for head in &options.heads {
        if head.bucket != bucket || loaded.values().any(|d| same_key(&d.file, &head.key)) {
            continue;
        }
        let item = Item::new(Kind::Digest, &head.key, None, Status::NotFound)
            .because("not found: named in --digest-metadata but absent from the dump (a deleted newest digest?)");
        match tree::classify(&head.key) {
            Class::Digest { layout, .. } => {
                let area = (layout.prefix, layout.org_id, layout.account, layout.region);
                loose_by_area.entry(area).or_default().push(item);
            }
            _ => report.loose.push(item),
        }
    }

    for (id, w) in walked {
        let mut items = w.items;
        if let Some(extra) = loose_by_area.remove(&area_of(&id)) {
            items.extend(extra);
        }
        report.chains.push(ChainReport { id, items, covered: w.covered });
    }
    let mut rest: Vec<_> = loose_by_area.into_iter().collect();
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    report.loose.extend(rest.into_iter().flat_map(|(_, items)| items));
    report
}

/// Walks the roots, keeping digests and logs that pass the account/region/trail filters.
/// What the walk found: digests and logs to check, and every regular file by absolute path.
struct Found {
    digests: Vec<DigestFile>,
    logs: Vec<LogFile>,
    /// Files the walk saw. Only these are ever opened by key: a key that names anything else
    /// (a symbolic link, a file outside the dump) is not found.
    present: HashSet<PathBuf>,
}

fn discover(options: &Options, report: &mut Report) -> Found {
    let mut digests = Vec::new();
    let mut logs: Vec<LogFile> = Vec::new();
    let mut present = HashSet::new();
    let keep = |list: &[String], value: &str| list.is_empty() || list.iter().any(|v| v == value);
    tree::walk(
        &options.roots,
        |entry| {
            let abs = std::path::absolute(&entry.path).unwrap_or_else(|_| entry.path.clone());
            if !present.insert(abs.clone()) {
                return; // the same file under two of the roots
            }
            match entry.class {
                Class::Digest { layout, name } => {
                    if keep(&options.accounts, &layout.account)
                        && keep(&options.regions, &layout.region)
                        && keep(&options.trails, &name.trail)
                    {
                        digests.push(DigestFile { path: entry.path, abs, key: entry.key, layout, name });
                    }
                }
                Class::Log { layout, name } => {
                    if keep(&options.accounts, &layout.account) && keep(&options.regions, &layout.region) {
                        let area = (layout.prefix, layout.org_id, layout.account, layout.region);
                        logs.push(LogFile { path: entry.path, abs, key: entry.key, area, name });
                    }
                }
                Class::Other(reason) => report.skipped.push(Skipped { path: entry.path, reason: reason.to_string() }),
                Class::Plain => {
                    report.skipped.push(Skipped { path: entry.path, reason: "outside any AWSLogs/ folder".into() })
                }
            }
        },
        |err| report.unreadable.push(Skipped { path: err.path, reason: err.reason }),
    );
    Found { digests, logs, present }
}

fn chain_id(file: &DigestFile) -> ChainId {
    ChainId {
        prefix: file.layout.prefix.clone(),
        org_id: file.layout.org_id.clone(),
        account: file.layout.account.clone(),
        region: file.layout.region.clone(),
        trail: file.name.trail.clone(),
    }
}

/// Whether a digest file lies at `key` (a key written without the prefix the dump shows, or
/// with one the walk could not see, still matches on the part from `AWSLogs/`).
fn same_key(file: &DigestFile, key: &str) -> bool {
    file.abs.ends_with(key) || file.key == key
}

fn most_named_bucket(loaded: &HashMap<PathBuf, Loaded>) -> Option<String> {
    let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
    for digest in loaded.values() {
        if let Ok(parsed) = &digest.outcome {
            *votes.entry(parsed.body.bucket()).or_default() += 1;
        }
    }
    votes.into_iter().max_by_key(|(_, n)| *n).map(|(b, _)| b.to_string())
}

/// The AWS CLI's verdict on a listed log file.
fn log_verdict(hashed: &Hashed, expected: &str) -> (Status, Option<String>) {
    let invalid = |reason: &str| (Status::Invalid, Some(reason.to_string()));
    match hashed {
        Hashed::Clean { sha256, .. } if sha256 == expected => (Status::Valid, None),
        Hashed::Clean { .. } => invalid("hash value doesn't match"),
        Hashed::TrailingData => invalid("unexpected data after end of compressed stream"),
        Hashed::Truncated { sha256 } if sha256 == expected => {
            invalid("truncated gzip stream (the content before the cut matches, its trailer is missing)")
        }
        Hashed::Truncated { .. } => invalid("hash value doesn't match (truncated gzip stream)"),
        Hashed::Corrupt => invalid("invalid format"),
        Hashed::Missing => (Status::NotFound, Some("not found".to_string())),
        Hashed::Unreadable(e) => invalid(&format!("unreadable: {e}")),
    }
}

/// A log file no digest lists: a finding inside a covered period, else uncovered.
fn unlisted_verdict(log: &LogFile, windows: &[walk::Span]) -> Item {
    let t = log.name.delivered;
    // Names carry minutes only: a file delivered at 01:04:30 is named 0104.
    let slack = chrono::Duration::seconds(60);
    let covered = windows.iter().any(|(start, end)| *start - slack <= t && t <= *end);
    let when = crate::time::format_utc(t);
    let item = Item::new(Kind::Log, &log.key, Some(log.path.clone()), Status::Uncovered);
    if covered {
        Item { status: Status::Unreferenced, ..item }.because(format!(
            "no digest lists this log file, though digests cover its delivery time {when} (possibly injected)"
        ))
    } else {
        item.because(format!("delivered at {when}, outside every period a digest covers: not verifiable"))
    }
}
