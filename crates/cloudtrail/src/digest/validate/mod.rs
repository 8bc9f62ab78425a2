//! Offline validation of a bucket dump: every digest chain (account x source region x trail)
//! walked as the AWS CLI's `validate-logs` walks it, plus what the CLI cannot see.
//!
//! `scope` finds the files and decides what is in scope; the walk (`walk`) follows each chain
//! newest to oldest, re-entering below damage through the listing of digests by name time; each
//! digest is checked in the CLI's order (`check`); log files are hashed in parallel afterwards
//! ([`logs`]); `unlisted` judges what no valid digest vouches for. The verdicts are defined on
//! [`Verdict`] and tabled in README.md.

mod check;
pub mod load;
pub mod logs;
pub mod report;
pub mod scope;
mod unlisted;
mod walk;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

pub use report::{ChainId, ChainReport, Outcome, Report, Skipped, Subject, Summary, Tally, Verdict};
pub use scope::ScopeError;

use crate::digest::keys::KeyRing;
use crate::digest::metadata::HeadSignature;
use load::Loaded;
use logs::{Hashed, LogHasher};
use scope::Scope;
use walk::{LogCheck, Walked};

/// What to validate and against what.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The dump, or paths inside it (each validates the chains it belongs to).
    pub roots: Vec<PathBuf>,
    pub keys: KeyRing,
    /// Signatures of digests captured from S3 metadata (chain heads, or any digest).
    pub heads: Vec<HeadSignature>,
    /// The bucket the dump was copied from; else the one most digests name.
    pub bucket: Option<String>,
    /// Only digests whose name time is at or after this (and log files delivered from then).
    pub start: Option<DateTime<Utc>>,
    /// Only digests whose name time is at or before this plus one hour, as the AWS CLI (and
    /// log files delivered until then).
    pub end: Option<DateTime<Utc>>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub trails: Vec<String>,
    /// The memory for log files held by all threads at once (`None`: each file is held whole,
    /// up to the inflater's limit). A log file larger than a thread's share is hashed as a
    /// stream: slower, same verdict.
    pub max_memory: Option<usize>,
}

/// Validates the dump. `on_log` is called once per log file hashed (for a progress bar).
///
/// Filters and paths narrow what is in scope and change no verdict inside it. Fails (a usage
/// error) when a filter matches nothing, or nothing is in scope.
pub fn validate(options: &Options, on_log: &(dyn Fn() + Sync)) -> Result<Report, ScopeError> {
    let mut report = Report::default();
    let scope = Scope::new(options);
    let found = scope.discover(&mut report)?;
    let mut loaded = load::load_all(found.digests);

    report.bucket = options.bucket.clone().or_else(|| most_named_bucket(&loaded));
    let bucket = report.bucket.clone().unwrap_or_default();
    let signatures = check::Signatures::collect(&loaded, &options.heads);
    let checker = check::Checker { keys: &options.keys, bucket: &bucket, signatures: &signatures };

    let mut walked: Vec<(ChainId, Walked)> = chains_in_scope(&loaded, &scope)
        .into_iter()
        .map(|(id, digests)| {
            let walked = walk::walk_chain(&digests, &loaded, &checker, &scope.window);
            (id, walked)
        })
        .collect();
    let judge = unlisted::Judge::new(&loaded, &mut walked, &scope);
    // Every list of log files has been read: what remains of it is in the walks.
    for digest in loaded.values_mut() {
        if let Ok(parsed) = &mut digest.outcome {
            parsed.body.log_files = Vec::new();
        }
    }
    let hashed = hash_logs(&walked, &found.present, options.max_memory, on_log);
    report.bytes_hashed = hashed.values().map(Hashed::size).sum();
    for (_, w) in &mut walked {
        for check in &w.log_checks {
            let outcome = &mut w.outcomes[check.outcome];
            (outcome.verdict, outcome.reason) = log_verdict(&hashed[&check.abs], check);
        }
    }

    let mut by_area = judge.logs(&found.logs, &found.strays, &mut report.loose);
    judge.absent_heads(&options.heads, &bucket, &mut by_area);
    for (id, w) in walked {
        let mut outcomes = w.outcomes;
        outcomes.extend(by_area.remove(&id.area()).unwrap_or_default());
        report.chains.push(ChainReport { id, outcomes, covered: w.covered });
    }
    report.loose.extend(by_area.into_values().flatten());
    if report.chains.iter().all(|c| c.outcomes.is_empty()) && report.loose.is_empty() {
        let roots = options.roots.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        return Err(ScopeError::Empty { roots });
    }
    Ok(report)
}

/// The chains whose trail is in scope, with their digests.
fn chains_in_scope<'a>(loaded: &'a HashMap<PathBuf, Loaded>, scope: &Scope<'_>) -> BTreeMap<ChainId, Vec<&'a Loaded>> {
    let mut chains: BTreeMap<ChainId, Vec<&Loaded>> = BTreeMap::new();
    for digest in loaded.values().filter(|d| scope.admits_trail(&d.file.name.trail)) {
        chains.entry(ChainId::of(&digest.file)).or_default().push(digest);
    }
    chains
}

/// Hashes every log file a usable digest lists, each once, on all cores.
fn hash_logs(
    walked: &[(ChainId, Walked)],
    present: &HashSet<Arc<Path>>,
    max_memory: Option<usize>,
    on_log: &(dyn Fn() + Sync),
) -> HashMap<Arc<Path>, Hashed> {
    // A thread holds a file and its content: half its share each.
    let threads = rayon::current_num_threads().max(1);
    let in_memory = max_memory.map_or(crate::gz::MAX_INFLATED, |total| (total / threads / 2).max(1 << 20));
    let mut unique: Vec<&Arc<Path>> = walked.iter().flat_map(|(_, w)| w.log_checks.iter().map(|c| &c.abs)).collect();
    unique.sort();
    unique.dedup();
    unique
        .into_par_iter()
        .map_init(
            || LogHasher::new(in_memory),
            |hasher, path| {
                let result = if present.contains(path) { hasher.hash(path) } else { Hashed::Missing };
                on_log();
                (Arc::clone(path), result)
            },
        )
        .collect()
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

/// The AWS CLI's verdict on a listed log file, never better than the digest that lists it.
fn log_verdict(hashed: &Hashed, check: &LogCheck) -> (Verdict, Option<Cow<'static, str>>) {
    let invalid = |reason: &'static str| (Verdict::Invalid, Some(Cow::Borrowed(reason)));
    match hashed {
        Hashed::Clean { sha256, .. } if sha256.matches(&check.expected) => match check.listed_by {
            Verdict::Valid => (Verdict::Valid, None),
            _ => (Verdict::Unverified, Some(Cow::Borrowed("hash matches, but the digest that lists it is unverified"))),
        },
        Hashed::Clean { .. } => invalid("hash value doesn't match"),
        Hashed::TrailingData => invalid("unexpected data after end of compressed stream"),
        Hashed::Truncated { sha256 } if sha256.matches(&check.expected) => {
            invalid("truncated gzip stream (the content before the cut matches, its trailer is missing)")
        }
        Hashed::Truncated { .. } => invalid("hash value doesn't match (truncated gzip stream)"),
        Hashed::Corrupt => invalid("invalid format"),
        Hashed::Missing => (Verdict::NotFound, Some(Cow::Borrowed("not found"))),
        Hashed::Unreadable(e) => (Verdict::Invalid, Some(Cow::Owned(format!("unreadable: {e}")))),
    }
}
