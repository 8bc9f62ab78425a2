//! The part every event-reading command shares: discover and prune the files, scan them with a
//! progress bar on a terminal, report problems with files on stderr as they happen, and print
//! the closing summary line.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use super::Global;
use crate::output::sanitize;
use cloudtrail::dedup::Seen;
use cloudtrail::scan::{self, Discovery, FileProblem, Prune, ScanOptions, ScanStats, Scanned, Visitor};
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
            scan::discover(&paths, prune, |e| errors.push(e.to_string()))
        };
        let walk_errors = errors.len() as u64;
        if walk_errors > 0 && discovery.inputs.is_empty() && discovery.pruned == 0 && exports.is_empty() {
            anyhow::bail!("{}", errors.join("; "));
        }
        let seen = (!global.keep_duplicates).then(Seen::new);
        let session =
            Session { discovery, exports, walk_errors, strict, seen, copies: AtomicU64::new(0), global, started };
        for error in &errors {
            session.report(error);
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
        for (_, _, files) in &self.exports {
            if scanned.stopped_on_problem || scanned.io_error.is_some() {
                break;
            }
            let on_problem = |e: &cloudtrail_parquet::ExportError| self.report(&e.to_string());
            let (acc, stats) = export::scan(files, first, query, visitor, &on_problem);
            scanned.acc = visitor.merge(scanned.acc, acc);
            scanned.stats = scanned.stats + stats;
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
        // A file that could not be read is reported whatever -q says.
        let on_problem = |problem: &FileProblem| match &progress {
            Some(bar) => bar.suspend(|| self.report(&problem.to_string())),
            None => self.report(&problem.to_string()),
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

    /// Prints a message on stderr unless quiet, as [`Session::report`] does.
    pub fn talk(&self, message: &str) {
        if !self.global.quiet {
            self.report(message);
        }
    }

    /// Prints a problem on stderr, even when quiet, as one line: control characters (a newline in
    /// a file name, an escape sequence) are shown escaped, so no message can forge another.
    fn report(&self, message: &str) {
        eprintln!("ctl: {}", sanitize::escape_str(message, false));
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

    /// The closing summary on stderr: files, events, `outcome` (e.g. "12 matched"), speed.
    pub fn summary(&self, stats: &ScanStats, outcome: &str) {
        let seconds = self.started.elapsed().as_secs_f64();
        let d = &self.discovery;
        // Digests recognized by their content were opened, but count as skipped, with those
        // recognized by their path.
        let (digests, read) = (d.digests + stats.digests, stats.files - stats.digests);
        let skipped = d.pruned + digests + d.ignored + d.overlapping + d.special;
        let failed = stats.unreadable + self.walk_errors;
        let mut line = format!("{} paths seen: {read} read", read + skipped + failed);
        if stats.unsplit > 0 {
            line.push_str(&format!(" ({} could not match and were not split)", stats.unsplit));
        }
        line.push_str(&format!(
            ", {skipped} skipped ({} pruned by path, {} digests, {} not named like logs, {} reached twice, {} not files), {failed} unreadable",
            d.pruned, digests, d.ignored, d.overlapping, d.special,
        ));
        let split = if stats.unsplit > 0 { " in the files split" } else { "" };
        line.push_str(&format!("; {} events examined{split}, {outcome}", stats.records));
        if stats.bad_records > 0 {
            line.push_str(&format!(", {} records not valid JSON records", stats.bad_records));
        }
        if stats.not_events > 0 {
            line.push_str(&format!(", {} records not CloudTrail events", stats.not_events));
        }
        let copies = self.copies.load(Ordering::Relaxed) + self.seen.as_ref().map_or(0, Seen::copies);
        if copies > 0 {
            line.push_str(&format!(", {copies} copies of events delivered more than once dropped"));
        }

        line.push_str(&format!("; {:.2}s, {:.0} MB/s", seconds, stats.bytes as f64 / 1e6 / seconds.max(1e-9)));
        self.talk(&line);
    }
}
