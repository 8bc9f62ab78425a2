//! The part every event-reading command shares: discover and prune the files, scan them with a
//! progress bar on a terminal, report problems with files on stderr as they happen, and print
//! the closing summary line.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::Global;
use crate::output::sanitize;
use cloudtrail::dedup::Seen;
use cloudtrail::scan::{
    self, Discovery, FileProblem, ProblemKind, Prune, ScanOptions, ScanStats, Scanned, Skip, Visitor,
};
use cloudtrail_parquet::manifest::Manifest;
use cloudtrail_parquet::read::{self as export, Needs};

/// One scan of the user's paths.
pub struct Session<'g> {
    pub discovery: Discovery,
    /// The paths given that are exports (`ctl export`), read as Parquet, with their files
    /// (pruned by partition).
    pub exports: Vec<(PathBuf, Arc<Manifest>, Vec<PathBuf>)>,
    /// Paths that could not be walked (already reported).
    pub walk_errors: u64,
    pub strict: bool,
    /// The events seen so far, unless `--keep-duplicates`: visitors drop copies with it.
    pub seen: Option<Seen>,
    /// Copies dropped outside `seen` (by ordered output), for the summary.
    copies: AtomicU64,
    /// Each export's share of the statistics of the scans so far (its Parquet files and rows),
    /// in the order of `exports`.
    exported: Mutex<Vec<ScanStats>>,
    /// Files that could not be read, by kind of failure (see `RecordError::key`).
    failures: Mutex<BTreeMap<&'static str, u64>>,
    /// The problems reported so far (input index and message): a later pass over the same files
    /// (trace reads them twice) reports and counts only what is new.
    reported: Mutex<HashSet<(usize, String)>>,
    global: &'g Global,
    started: Instant,
}

impl<'g> Session<'g> {
    /// Walks `paths` (`-` is stdin), pruning with `prune`. Unwalkable paths are reported on
    /// stderr whatever `-q` says (as grep does) and, with `strict`, end the run. When nothing at
    /// all could be walked the run fails before scanning: nothing reaches stdout.
    pub fn discover(paths: &[PathBuf], prune: &Prune, strict: bool, global: &'g Global) -> anyhow::Result<Session<'g>> {
        let started = Instant::now();
        let mut errors = Vec::new();
        let name_skipped = |path: &std::path::Path, why: Skip| {
            if global.verbose {
                report(&format!("{}: {why}", path.display()));
            }
        };
        let mut exports = Vec::new();
        for (root, manifest) in export::exports(paths)? {
            let files = export::files(&root, &manifest, prune)?;
            exports.push((root, manifest, files));
        }
        let paths: Vec<PathBuf> =
            paths.iter().filter(|p| !exports.iter().any(|(root, _, _)| root == *p)).cloned().collect();
        let discovery = if paths.is_empty() {
            Discovery::default()
        } else {
            scan::discover(&paths, prune, name_skipped, |e| errors.push(e.to_string()))
        };
        let walk_errors = errors.len() as u64;
        if walk_errors > 0
            && discovery.inputs.is_empty()
            && discovery.skipped.count(Skip::Pruned) == 0
            && exports.is_empty()
        {
            anyhow::bail!("{}", errors.join("; "));
        }
        let seen = (!global.keep_duplicates).then(Seen::new);
        let session = Session {
            discovery,
            exports,
            walk_errors,
            strict,
            seen,
            copies: AtomicU64::new(0),
            exported: Mutex::default(),
            reported: Mutex::default(),
            failures: Mutex::default(),
            global,
            started,
        };
        for error in &errors {
            report(error);
        }
        if strict && walk_errors > 0 {
            anyhow::bail!("stopping (--strict): {walk_errors} path(s) could not be read");
        }
        Ok(session)
    }

    /// Scans every discovered file with `visitor`; exports are read whole (every column of every
    /// event).
    pub fn scan<V: Visitor>(&self, visitor: &V) -> Scanned<V::Acc> {
        let selection = cloudtrail::query::Selection::default();
        let prefilter = cloudtrail::query::screen::LiteralScreen::default();
        let needs = Needs::new(&selection, None);
        self.scan_reading(visitor, &export::Query { selection: &selection, prefilter: &prefilter, needs: &needs })
    }

    /// Scans every discovered file with `visitor`; exports are read as far as `query` needs
    /// (its predicates skip row groups and rows before the visitor sees them).
    pub fn scan_reading<V: Visitor>(&self, visitor: &V, query: &export::Query<'_>) -> Scanned<V::Acc> {
        let mut scanned = self.scan_json(visitor);
        let mut first = self.discovery.inputs.len();
        for (n, (_, _, files)) in self.exports.iter().enumerate() {
            if scanned.stopped_on_problem || scanned.io_error.is_some() {
                break;
            }
            let on_problem = |e: &cloudtrail_parquet::ExportError| report(&e.to_string());
            let (acc, stats) = export::scan(files, first, query, visitor, &on_problem);
            scanned.acc = visitor.merge(scanned.acc, acc);
            scanned.stats = scanned.stats + stats;
            let mut exported = self.exported.lock().unwrap_or_else(PoisonError::into_inner);
            exported.resize(self.exports.len(), ScanStats::default());
            exported[n] = exported[n] + stats;
            first += files.len();
        }
        scanned
    }

    /// Scans the JSON inputs.
    fn scan_json<V: Visitor>(&self, visitor: &V) -> Scanned<V::Acc> {
        let progress = self.global.progress().then(|| {
            let bar = indicatif::ProgressBar::new(self.discovery.inputs.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} files {wide_bar} {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        // A file that could not be read is reported whatever -q says; one skipped once opened
        // (a digest, an empty file) is named with -v.
        let on_problem = |problem: &FileProblem| {
            let message = problem.to_string();
            let fresh = (problem.file, message.clone());
            if !self.reported.lock().unwrap_or_else(PoisonError::into_inner).insert(fresh) {
                return;
            }
            match &problem.kind {
                ProblemKind::Skipped(_) if !self.global.verbose => return,
                ProblemKind::File(e) => {
                    *self.failures.lock().unwrap_or_else(PoisonError::into_inner).entry(e.key()).or_default() += 1;
                }
                _ => {}
            }
            match &progress {
                Some(bar) => bar.suspend(|| report(&message)),
                None => report(&message),
            }
        };
        let tick = || {
            if let Some(bar) = &progress {
                bar.inc(1);
            }
        };
        let forget_old_days = || {
            if let Some(seen) = &self.seen {
                seen.rotate();
            }
        };
        let options = ScanOptions {
            strict: self.strict,
            on_file: Some(&tick),
            on_problem: &on_problem,
            max_file_bytes: self.global.max_file_bytes,
            max_memory: self.global.max_memory,
            on_window_end: Some(&forget_old_days),
        };
        let scanned = scan::scan(&self.discovery.inputs, visitor, &options);
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        if scanned.stopped_on_problem {
            eprintln!("ctl: stopping (--strict): a file could not be read as CloudTrail records");
        }
        scanned
    }

    /// Prints a message on stderr unless quiet, as [`report`] does.
    pub fn talk(&self, message: &str) {
        if !self.global.quiet {
            report(message);
        }
    }

    /// Each export's share of the statistics of the scans so far (what was read from its
    /// Parquet files), in the order of [`Session::exports`].
    pub fn exported_stats(&self) -> Vec<ScanStats> {
        let mut all = self.exported.lock().unwrap_or_else(PoisonError::into_inner).clone();
        all.resize(self.exports.len(), ScanStats::default());
        all
    }

    /// Counts copies of events that a visitor dropped by itself (not through `seen`).
    pub fn count_copies(&self, n: u64) {
        self.copies.fetch_add(n, Ordering::Relaxed);
    }

    /// The inputs that could not be read: unwalkable paths, unreadable or damaged files, and
    /// the run itself when `--strict` stopped it (for [`crate::exit::status`]).
    pub fn unreadable<A>(&self, scanned: &Scanned<A>) -> u64 {
        self.walk_errors + scanned.stats.unreadable + u64::from(scanned.stopped_on_problem)
    }

    /// The closing statistics on stderr, a sentence unless quiet, or with `--stats-json` one JSON
    /// object: every path seen is read, skipped (by reason) or unreadable (by kind); events
    /// examined, the command's [`Outcome`], copies, speed.
    pub fn summary(&self, stats: &ScanStats, outcome: Outcome<'_>) {
        let seconds = self.started.elapsed().as_secs_f64();
        let skipped = self.discovery.skipped + stats.skipped;
        let failed = stats.unreadable + self.walk_errors;
        let read = stats.files;
        let seen = read + skipped.total() + failed;
        let copies = self.copies.load(Ordering::Relaxed) + self.seen.as_ref().map_or(0, Seen::copies);
        if self.global.stats_json {
            let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner).clone();
            if self.walk_errors > 0 {
                failures.insert("unwalkable", self.walk_errors);
            }
            let by_reason: serde_json::Map<String, serde_json::Value> =
                Skip::ALL.iter().map(|&why| (why.key().to_string(), skipped.count(why).into())).collect();
            let record = serde_json::json!({
                "type": "stats",
                "paths": {
                    "seen": seen,
                    "read": read,
                    "read_unsplit": stats.unsplit,
                    "skipped": skipped.total(),
                    "skipped_by_reason": by_reason,
                    "unreadable": failed,
                    "unreadable_by_kind": failures,
                },
                "events": {
                    "examined": stats.records,
                    outcome.key: outcome.count,
                    "invalid_records": stats.bad_records,
                    "not_events": stats.not_events,
                    "copies_dropped": copies,
                },
                "bytes": stats.bytes,
                "seconds": (seconds * 1000.0).round() / 1000.0,
            });
            eprintln!("{record}");
            return;
        }
        let mut line = format!("{seen} paths seen: {read} read");
        if stats.unsplit > 0 {
            line.push_str(&format!(" ({} could not match and were not split)", stats.unsplit));
        }
        let reasons: Vec<String> = Skip::ALL
            .iter()
            .filter(|&&why| skipped.count(why) > 0)
            .map(|&why| format!("{} {}", skipped.count(why), why.label()))
            .collect();
        line.push_str(&format!(", {} skipped", skipped.total()));
        if !reasons.is_empty() {
            line.push_str(&format!(" ({})", reasons.join(", ")));
        }
        line.push_str(&format!(", {failed} unreadable"));
        let split = if stats.unsplit > 0 { " in the files split" } else { "" };
        line.push_str(&format!("; {} events examined{split}, {}", stats.records, outcome.phrase));
        if stats.bad_records > 0 {
            line.push_str(&format!(", {} records not valid JSON records", stats.bad_records));
        }
        if stats.not_events > 0 {
            line.push_str(&format!(", {} records not CloudTrail events", stats.not_events));
        }
        if copies > 0 {
            line.push_str(&format!(", {copies} copies of events delivered more than once dropped"));
        }
        line.push_str(&format!("; {:.2}s, {:.0} MB/s", seconds, stats.bytes as f64 / 1e6 / seconds.max(1e-9)));
        self.talk(&line);
    }
}

/// What a command found, for the closing statistics.
pub struct Outcome<'a> {
    /// In words: "12 matched".
    pub phrase: &'a str,
    /// The member of the JSON record's `events` that holds `count`.
    pub key: &'static str,
    pub count: u64,
}

/// Prints a problem on stderr, even when quiet, as one line: control characters (a newline in a
/// file name, an escape sequence) are shown escaped, so no message can forge another.
fn report(message: &str) {
    eprintln!("ctl: {}", sanitize::escape_str(message, false));
}
