//! The parallel scanning engine shared by the commands that read events (query, metrics,
//! filter): discovery with pruning, then one pass over the files on every core.
//!
//! [`discover`] walks the user's paths with [`crate::tree::walk`], skips digests, and prunes log
//! files by the account, region and delivery time their path names, before any is opened.
//! [`scan`] then reads the files with rayon: each rayon thread has one [`record::Reader`]
//! (inflater and buffers reused from file to file), each record goes to a [`Visitor`] that
//! accumulates into a per-task value, and the values are merged by `reduce`: no lock is taken
//! per record or per match. Problems with a file are reported as they happen and the scan goes
//! on, unless the caller asked to stop at the first (`strict`).

mod stream;

pub use stream::{streams_by_line, visit_line, LineOutcome};

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rayon::prelude::*;

use crate::budget::{Budget, Share};
use crate::record::{self, Content, RecordError, Refusal, SyntaxError};
use crate::tree::{self, Class};

/// How long after its delivery time (the minute in its name) a file may still hold events:
/// the name is truncated to the minute, and clocks drift. Files delivered more than this
/// before `--since` are pruned.
pub const DELIVERY_SLACK: Duration = Duration::minutes(15);

/// How much older than its delivery time an event in a file may be. CloudTrail usually
/// delivers within minutes and documents about an hour at worst; two hours keeps pruning safe.
/// Files delivered more than this after `--until` are pruned.
pub const MAX_DELIVERY_LAG: Duration = Duration::hours(2);

/// One file to read, or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// `None`: standard input.
    pub path: Option<PathBuf>,
    /// The day CloudTrail delivered it, when its path names one (a log file in the `AWSLogs/`
    /// layout): [`scan`] reads a dump one delivery day at a time.
    pub day: Option<NaiveDate>,
}

impl Input {
    /// The name to show in messages.
    pub fn display(&self) -> String {
        self.path.as_ref().map_or_else(|| "<stdin>".to_string(), |p| p.display().to_string())
    }
}

/// What may be pruned from paths alone.
#[derive(Debug, Clone, Default)]
pub struct Prune {
    /// Accounts to keep (empty: all).
    pub accounts: Vec<String>,
    /// Regions to keep (empty: all).
    pub regions: Vec<String>,
    /// Events at or after this time are wanted.
    pub since: Option<DateTime<Utc>>,
    /// Events before this time are wanted.
    pub until: Option<DateTime<Utc>>,
}

impl Prune {
    /// Whether a log file with this account, region and delivery time may hold wanted events.
    pub fn keeps(&self, account: &str, region: &str, delivered: DateTime<Utc>) -> bool {
        (self.accounts.is_empty() || self.accounts.iter().any(|a| a == account))
            && (self.regions.is_empty() || self.regions.iter().any(|r| r == region))
            && self.since.is_none_or(|since| delivered + DELIVERY_SLACK >= since)
            && self.until.is_none_or(|until| delivered - MAX_DELIVERY_LAG < until)
    }
}

/// Why a path met by a scan was not read for events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// A log file whose path (account, region, delivery time) rules out every wanted event.
    Pruned,
    /// A digest file, known by its path or name, or by its content once opened.
    Digest,
    /// A file found in a folder whose name is not a log file's (see [`is_log_name`]).
    NotLogName,
    /// A path given twice or inside another path given, or a file reached again through a
    /// symbolic link: read once.
    ReachedTwice,
    /// A FIFO, socket or device met in a folder: never opened.
    NotFile,
    /// A symbolic link met in a folder whose target lies outside the path given: not followed.
    LinkOutside,
    /// A file with no content: zero bytes, or gzip of nothing.
    Empty,
}

impl Skip {
    /// Every reason, in the order summaries list them.
    pub const ALL: [Skip; 7] = [
        Skip::Pruned,
        Skip::Digest,
        Skip::NotLogName,
        Skip::ReachedTwice,
        Skip::NotFile,
        Skip::LinkOutside,
        Skip::Empty,
    ];

    /// The reason in a few words, for people.
    pub fn label(self) -> &'static str {
        match self {
            Skip::Pruned => "pruned by path",
            Skip::Digest => "digests",
            Skip::NotLogName => "not named like logs",
            Skip::ReachedTwice => "reached twice",
            Skip::NotFile => "not files",
            Skip::LinkOutside => "links out of the tree",
            Skip::Empty => "empty",
        }
    }

    /// The reason as a key of the JSON statistics record.
    pub fn key(self) -> &'static str {
        match self {
            Skip::Pruned => "pruned",
            Skip::Digest => "digest",
            Skip::NotLogName => "not_log_name",
            Skip::ReachedTwice => "reached_twice",
            Skip::NotFile => "not_file",
            Skip::LinkOutside => "link_outside",
            Skip::Empty => "empty",
        }
    }
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Skip::Pruned => "skipped: its path rules out every wanted event",
            Skip::Digest => "skipped: a digest file",
            Skip::NotLogName => "skipped: not named like a log file",
            Skip::ReachedTwice => "skipped: reached twice (read once)",
            Skip::NotFile => "skipped: not a regular file (never opened)",
            Skip::LinkOutside => "skipped: a symbolic link out of the tree (not followed)",
            Skip::Empty => "skipped: empty",
        })
    }
}

/// How many paths were skipped, by [`Skip`] reason.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Skipped([u64; Skip::ALL.len()]);

impl Skipped {
    pub fn add(&mut self, skip: Skip) {
        self.0[skip as usize] += 1;
    }

    pub fn count(&self, skip: Skip) -> u64 {
        self.0[skip as usize]
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

impl std::ops::Add for Skipped {
    type Output = Skipped;
    fn add(mut self, other: Skipped) -> Skipped {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
        self
    }
}

/// The files to read, in a deterministic order, and how many paths were left out, by reason.
#[derive(Debug, Default)]
pub struct Discovery {
    pub inputs: Vec<Input>,
    pub skipped: Skipped,
    /// Digest files found in the `AWSLogs/` layout, per (account, source region, trail): the
    /// trails that delivered into the dump with log file validation on.
    pub digest_chains: BTreeMap<(String, String, String), u64>,
    /// Organization ids named by the layout (`AWSLogs/o-.../`).
    pub organizations: BTreeSet<String>,
}

/// Whether a file found while walking a folder may hold events, judged by its name: JSON,
/// JSON lines and log files, gzipped or not (`.json`, `.jsonl`, `.ndjson`, `.log`, `.gz`,
/// `.txt`). Other files (READMEs, checksums, spreadsheets) are left out; a file named on the
/// command line is always read.
pub fn is_log_name(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    [".json", ".jsonl", ".ndjson", ".log", ".txt"].iter().any(|ext| name.ends_with(ext))
        || path.extension().is_some_and(|e| e == "gz")
}

/// Lists the files below `paths` (`-` is standard input), following symbolic links that stay
/// inside the path given (each file is read once, by its real path; a loop is an error), in
/// path order per root, skipping digests and pruning log files whose path rules them out. Files
/// outside the `AWSLogs/` layout are kept when named on the command line or named like logs
/// ([`is_log_name`]). Each path left out goes to `on_skip` with the reason (and is counted in
/// [`Discovery::skipped`]); unwalkable paths go to `on_error`.
pub fn discover(
    paths: &[PathBuf],
    prune: &Prune,
    on_skip: impl FnMut(&Path, Skip),
    mut on_error: impl FnMut(tree::WalkError),
) -> Discovery {
    let (mut inputs, mut digest_chains, mut organizations) = (Vec::new(), BTreeMap::new(), BTreeSet::new());
    // Shared by the walk's two callbacks.
    let skips = std::cell::RefCell::new((Skipped::default(), on_skip));
    let skip = |path: &Path, why: Skip| {
        let (skipped, on_skip) = &mut *skips.borrow_mut();
        skipped.add(why);
        on_skip(path, why);
    };
    let roots = distinct_roots(paths);
    for path in paths.iter().filter(|p| !roots.iter().any(|r| std::ptr::eq(*r, *p))) {
        skip(path, Skip::ReachedTwice);
    }
    let mut linked = false;
    for path in roots {
        if path.as_os_str() == "-" {
            inputs.push(Input { path: None, day: None });
            continue;
        }
        // A FIFO or a device named on the command line is read as a stream, like `-`; one met
        // while walking a folder is never opened.
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            inputs.push(Input { path: Some(path.clone()), day: None });
            continue;
        }
        let named = path.is_file();
        let walked = tree::walk(
            std::slice::from_ref(path),
            tree::Links::Follow,
            |entry| match &entry.class {
                Class::Digest { layout, name } => {
                    skip(&entry.path, Skip::Digest);
                    organizations.extend(layout.org_id.clone());
                    *digest_chains
                        .entry((name.account.clone(), name.region.clone(), name.trail.clone()))
                        .or_default() += 1;
                }
                Class::Log { layout, name } => {
                    organizations.extend(layout.org_id.clone());
                    if prune.keeps(&layout.account, &layout.region, name.delivered) {
                        inputs.push(Input { path: Some(entry.path), day: Some(name.delivered.date_naive()) });
                    } else {
                        skip(&entry.path, Skip::Pruned);
                    }
                }
                Class::Other(_) | Class::Plain => {
                    if record::is_digest_name(&entry.path) {
                        skip(&entry.path, Skip::Digest);
                    } else if !named && !is_log_name(&entry.path) {
                        skip(&entry.path, Skip::NotLogName);
                    } else {
                        // A log file outside the layout still names its delivery time.
                        let day = entry
                            .path
                            .file_name()
                            .and_then(|n| tree::names::parse_log_name(&n.to_string_lossy()).ok())
                            .map(|name| name.delivered.date_naive());
                        inputs.push(Input { path: Some(entry.path), day });
                    }
                }
            },
            |path, why| {
                let why = match why {
                    tree::PassedOver::NotFile => Skip::NotFile,
                    tree::PassedOver::LinkOutside => Skip::LinkOutside,
                };
                skip(path, why);
            },
            &mut on_error,
        );
        linked |= walked.followed_link;
    }
    if linked {
        read_once(&mut inputs, |path| skip(path, Skip::ReachedTwice));
    }
    Discovery { inputs, skipped: skips.into_inner().0, digest_chains, organizations }
}

/// Drops the inputs whose real path an earlier input already has (a file reached through a
/// symbolic link and directly, or through two links), passing each to `dropped`.
fn read_once(inputs: &mut Vec<Input>, mut dropped: impl FnMut(&Path)) {
    let mut seen = std::collections::HashSet::new();
    inputs.retain(|input| match &input.path {
        Some(path) => {
            let first = seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()));
            if !first {
                dropped(path);
            }
            first
        }
        None => true,
    });
}

/// The paths to walk so that no file is read twice: a path given twice, or lying inside another
/// path given (a folder and a file in it), is left out, compared by real path. `-` is kept once.
/// Paths that cannot be resolved are kept, for the walk to report.
fn distinct_roots(paths: &[PathBuf]) -> Vec<&PathBuf> {
    let real: Vec<Option<PathBuf>> = paths
        .iter()
        .map(|p| if p.as_os_str() == "-" { Some(p.clone()) } else { std::fs::canonicalize(p).ok() })
        .collect();
    let covered = |i: usize| {
        let Some(mine) = &real[i] else { return false };
        real.iter().enumerate().any(|(j, other)| {
            other.as_ref().is_some_and(|other| {
                let inside = mine != other && mine.starts_with(other);
                // Of equal paths, the first one given is kept.
                inside || (mine == other && j < i)
            })
        })
    };
    paths.iter().enumerate().filter(|&(i, _)| !covered(i)).map(|(_, p)| p).collect()
}

/// What a command does with the records: decides which files to split, visits each record,
/// and merges what it collects.
pub trait Visitor: Sync {
    /// What one task collects (matches, counts); merged by [`Visitor::merge`].
    type Acc: Send;

    /// A fresh, empty accumulator.
    fn new_acc(&self) -> Self::Acc;

    /// Whether a file whose whole content is `data` may hold anything of interest; `false`
    /// skips splitting it (a byte prefilter). The default reads every file.
    fn file_may_match(&self, _data: &[u8]) -> bool {
        true
    }

    /// Visits one record of file number `file`. An `Err` means the record was refused when it
    /// was to be used ([`record::admit`]): it is counted and reported, and the scan goes on.
    fn record(&self, acc: &mut Self::Acc, file: usize, ordinal: u64, raw: &[u8]) -> Result<(), Refusal>;

    /// Whether a file that is not JSON records from its first byte (a text log, a flow log) is
    /// read line by line, each line handed to [`Visitor::line`], instead of being reported as
    /// damaged. The default reads only records.
    fn reads_text(&self) -> bool {
        false
    }

    /// Visits one non-empty line of a text file (a trailing CR removed), when
    /// [`Visitor::reads_text`] says so.
    fn line(&self, _acc: &mut Self::Acc, _file: usize, _ordinal: u64, _line: &[u8]) {}

    /// Called after the last record of a file (e.g. to print streamed matches).
    fn end_file(&self, _acc: &mut Self::Acc, _file: usize) -> std::io::Result<()> {
        Ok(())
    }

    /// Merges two accumulators; `a` holds earlier files than `b` when order matters.
    fn merge(&self, a: Self::Acc, b: Self::Acc) -> Self::Acc;

    /// Whether the visitor needs no more records (e.g. `--limit` reached while streaming).
    fn done(&self) -> bool {
        false
    }
}

/// Counters of one scan.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ScanStats {
    /// Files read in full (inflated when gzipped); with `skipped` and `unreadable`, every input
    /// once.
    pub files: u64,
    /// Files read whose bytes could not hold a match, so not split into records.
    pub unsplit: u64,
    /// Files opened and then skipped: digests recognized by their content, empty files.
    pub skipped: Skipped,
    /// Files unreadable (I/O, gzip, too large) or damaged (not JSON, truncated), in full or in
    /// part (the records before the damage were used).
    pub unreadable: u64,
    /// Records split out of files and handed to the visitor.
    pub records: u64,
    /// Records refused as not valid JSON records.
    pub bad_records: u64,
    /// Records refused as valid JSON that is not a CloudTrail event.
    pub not_events: u64,
    /// Bytes of data read, after inflation.
    pub bytes: u64,
}

impl std::ops::Add for ScanStats {
    type Output = ScanStats;
    fn add(self, o: ScanStats) -> ScanStats {
        ScanStats {
            files: self.files + o.files,
            unsplit: self.unsplit + o.unsplit,
            skipped: self.skipped + o.skipped,
            unreadable: self.unreadable + o.unreadable,
            records: self.records + o.records,
            bad_records: self.bad_records + o.bad_records,
            not_events: self.not_events + o.not_events,
            bytes: self.bytes + o.bytes,
        }
    }
}

/// A problem with one file, reported to the caller as it happens.
#[derive(Debug)]
pub struct FileProblem {
    /// The file's index in the inputs.
    pub file: usize,
    pub input: Input,
    pub kind: ProblemKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ProblemKind {
    /// The file could not be read, inflated or split (records before the damage were used).
    #[error("{0}")]
    File(RecordError),
    /// Some records were refused when they were to be used ([`record::admit`]).
    #[error("{0}")]
    Records(Refused),
    /// The file was opened and skipped (a digest by its content, an empty file): not a problem,
    /// told so that every input can be named.
    #[error("{0}")]
    Skipped(Skip),
}

/// The records of one file that were refused: how many were not valid JSON records (with the
/// first one's ordinal and reason) and how many were not CloudTrail events.
#[derive(Debug, Default)]
pub struct Refused {
    pub invalid: u64,
    pub first_invalid: Option<(u64, SyntaxError)>,
    pub not_events: u64,
}

impl Refused {
    fn add(&mut self, ordinal: u64, refusal: Refusal) {
        match refusal {
            Refusal::Invalid(e) => {
                self.invalid += 1;
                self.first_invalid.get_or_insert((ordinal, e));
            }
            Refusal::NotEvent => self.not_events += 1,
        }
    }

    fn any(&self) -> bool {
        self.invalid + self.not_events > 0
    }

    fn absorb(&mut self, other: Refused) {
        self.invalid += other.invalid;
        self.not_events += other.not_events;
        if self.first_invalid.is_none() {
            self.first_invalid = other.first_invalid;
        }
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some((ordinal, reason)) = &self.first_invalid {
            write!(f, "{} record(s) are not valid JSON records, the first (record {ordinal}): {reason}", self.invalid)?;
            if self.not_events > 0 {
                write!(f, "; ")?;
            }
        }
        if self.not_events > 0 {
            write!(f, "{} record(s) are not CloudTrail events (left out)", self.not_events)?;
        }
        Ok(())
    }
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.input.display(), self.kind)
    }
}

/// How to run a scan.
pub struct ScanOptions<'a> {
    /// Stop at the first problem (it is still reported).
    pub strict: bool,
    /// Called once per file read, from any worker thread (a progress bar's tick).
    pub on_file: Option<&'a (dyn Fn() + Sync)>,
    /// Receives each problem as it happens (from any worker thread).
    pub on_problem: &'a (dyn Fn(&FileProblem) + Sync),
    /// The largest file read, as stored or inflated (bytes); larger ones are reported as
    /// problems and skipped.
    pub max_file_bytes: usize,
    /// The memory budget of file bytes held by all workers at once ([`Budget`]); a file that
    /// needs more than a worker may hold under it is refused as too large.
    pub max_memory: usize,
    /// Called after each delivery day's files (see [`windows`]), e.g. to let
    /// [`crate::dedup::Seen`] forget older days.
    pub on_window_end: Option<&'a (dyn Fn() + Sync)>,
}

/// The outcome of [`scan`].
#[derive(Debug)]
pub struct Scanned<A> {
    pub acc: A,
    pub stats: ScanStats,
    /// Whether the scan stopped early on a problem (with `strict`).
    pub stopped_on_problem: bool,
    /// An error from [`Visitor::end_file`] (e.g. a closed stdout), which stopped the scan.
    pub io_error: Option<std::io::Error>,
}

/// The per-thread state: a reader with its inflater and buffers, a decode buffer, and the
/// longest line of a stream it reads.
struct Worker {
    reader: record::Reader,
    scratch: Vec<u8>,
    max_line: usize,
}

/// Reads every input on all cores and visits every record; see the module doc. Inputs are read
/// one delivery day at a time ([`windows`]), all cores on each day, and
/// [`ScanOptions::on_window_end`] is called between days.
pub fn scan<V: Visitor>(inputs: &[Input], visitor: &V, options: &ScanOptions<'_>) -> Scanned<V::Acc> {
    let threads = rayon::current_num_threads().max(1);
    let budget = Budget::new(options.max_memory, threads);
    let worker = || Worker {
        reader: record::Reader::with_budget(options.max_file_bytes, Share::new(budget.clone())),
        scratch: Vec::new(),
        max_line: options.max_file_bytes,
    };
    let workers: Vec<Mutex<Worker>> = (0..threads).map(|_| Mutex::new(worker())).collect();
    let stop = AtomicBool::new(false);
    let stopped_on_problem = AtomicBool::new(false);
    let io_error: Mutex<Option<std::io::Error>> = Mutex::new(None);

    let visit = |(mut acc, mut stats): (V::Acc, ScanStats), index: usize| {
        if stop.load(Ordering::Relaxed) || visitor.done() {
            return (acc, stats);
        }
        let input = &inputs[index];
        // One worker per rayon thread: the lock is never contended, it only proves to the
        // compiler that the buffers are not shared.
        let slot = rayon::current_thread_index().unwrap_or(0) % threads;
        let mut worker = workers[slot].lock().unwrap_or_else(PoisonError::into_inner);
        let mut output = None;
        let problem = read_one(&mut worker, visitor, index, input, &mut acc, &mut stats, &mut output);
        worker.reader.settle();
        drop(worker);
        if let Some(e) = output {
            io_error.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(e);
            stop.store(true, Ordering::Relaxed);
        }
        if let Some(kind) = problem {
            let is_problem = !matches!(kind, ProblemKind::Skipped(_));
            (options.on_problem)(&FileProblem { file: index, input: input.clone(), kind });
            if options.strict && is_problem {
                stopped_on_problem.store(true, Ordering::Relaxed);
                stop.store(true, Ordering::Relaxed);
            }
        }
        if let Err(e) = visitor.end_file(&mut acc, index) {
            io_error.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(e);
            stop.store(true, Ordering::Relaxed);
        }
        if let Some(tick) = options.on_file {
            tick();
        }
        (acc, stats)
    };
    let empty = || (visitor.new_acc(), ScanStats::default());
    let mut total = empty();
    for window in windows(inputs) {
        let (acc, stats) =
            window.into_par_iter().fold(empty, visit).reduce(empty, |(a, sa), (b, sb)| (visitor.merge(a, b), sa + sb));
        total = (visitor.merge(total.0, acc), total.1 + stats);
        if let Some(end) = options.on_window_end {
            end();
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
    }
    Scanned {
        acc: total.0,
        stats: total.1,
        stopped_on_problem: stopped_on_problem.into_inner(),
        io_error: io_error.into_inner().unwrap_or_else(PoisonError::into_inner),
    }
}

/// The input indices grouped by delivery day, days in order, inputs without a day first (they
/// are not grouped further), each group in input order. Copies of one event are delivered
/// within hours of each other, so [`crate::dedup::Seen`] needs to remember only the day before.
pub fn windows(inputs: &[Input]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_by_key(|&i| inputs[i].day);
    let mut windows: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match windows.last_mut() {
            Some(last) if inputs[last[0]].day == inputs[i].day => last.push(i),
            _ => windows.push(vec![i]),
        }
    }
    windows
}

fn read_one<V: Visitor>(
    worker: &mut Worker,
    visitor: &V,
    index: usize,
    input: &Input,
    acc: &mut V::Acc,
    stats: &mut ScanStats,
    output: &mut Option<std::io::Error>,
) -> Option<ProblemKind> {
    let problem = match open_stream(input) {
        Ok(Some(source)) => {
            let max_line = worker.max_line;
            stream::read_stream(worker, visitor, index, source, acc, stats, max_line, output)
                .unwrap_or_else(|e| Some(ProblemKind::File(e)))
        }
        Ok(None) => match worker.reader.load(input.path.as_deref()) {
            Ok([]) => worker.reader.take_damage().map(ProblemKind::File).or(Some(ProblemKind::Skipped(Skip::Empty))),
            // Damage after an intact part (bytes after the first gzip member): the part was read.
            Ok(data) => {
                let problem = read_records(data, &mut worker.scratch, visitor, index, acc, stats);
                worker.reader.take_damage().map(ProblemKind::File).or(problem)
            }
            Err(e) => Some(ProblemKind::File(e)),
        },
        Err(e) => Some(ProblemKind::File(e.into())),
    };
    // Every input is counted once: read, skipped once opened, or unreadable (in full or in part).
    match problem {
        Some(ProblemKind::File(_)) => stats.unreadable += 1,
        Some(ProblemKind::Skipped(why)) => stats.skipped.add(why),
        _ => stats.files += 1,
    }
    problem
}

/// Standard input, or a FIFO, socket or device named as an input, opened to be read as a
/// stream ([`stream`]); `None` for a regular file, which is read whole.
fn open_stream(input: &Input) -> std::io::Result<Option<Box<dyn std::io::BufRead>>> {
    let Some(path) = &input.path else {
        return Ok(Some(Box::new(std::io::stdin().lock())));
    };
    if std::fs::metadata(path)?.is_file() {
        return Ok(None);
    }
    Ok(Some(Box::new(BufReader::with_capacity(1 << 16, std::fs::File::open(path)?))))
}

/// Splits `data` (a file's content) into records for the visitor; see [`read_one`].
fn read_records<V: Visitor>(
    data: &[u8],
    scratch: &mut Vec<u8>,
    visitor: &V,
    index: usize,
    acc: &mut V::Acc,
    stats: &mut ScanStats,
) -> Option<ProblemKind> {
    stats.bytes += data.len() as u64;
    if !visitor.file_may_match(data) {
        stats.unsplit += 1;
        let damage = record::outline_ok(data).err();
        if damage.is_some() && visitor.reads_text() && is_text(data, scratch) {
            return None;
        }
        return damage.map(ProblemKind::File);
    }
    let mut records = 0u64;
    let mut refused = Refused::default();
    let result = record::split(data, scratch, |raw, ordinal| {
        records += 1;
        if let Err(refusal) = visitor.record(acc, index, ordinal, raw) {
            refused.add(ordinal, refusal);
        }
    });
    stats.records += records;
    stats.bad_records += refused.invalid;
    stats.not_events += refused.not_events;
    match result {
        Ok(Content::Digest) => Some(ProblemKind::Skipped(Skip::Digest)),
        Ok(Content::Records(_)) => refused.any().then_some(ProblemKind::Records(refused)),
        // Text that is not JSON from its first record on: read as lines, when wanted.
        Err(_) if records == 0 && visitor.reads_text() => {
            stats.records += visit_lines(visitor, acc, index, data);
            None
        }
        Err(e) => Some(ProblemKind::File(e)),
    }
}

/// Whether `data` is text rather than JSON records: not even its first record splits out.
fn is_text(data: &[u8], scratch: &mut Vec<u8>) -> bool {
    let mut records = 0u64;
    record::split(data, scratch, |_, _| records += 1).is_err() && records == 0
}

/// Hands each non-empty line of `data` to the visitor; returns how many.
fn visit_lines<V: Visitor>(visitor: &V, acc: &mut V::Acc, index: usize, data: &[u8]) -> u64 {
    let mut count = 0;
    for line in data.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.is_empty() {
            visitor.line(acc, index, count, line);
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn log_names() {
        for yes in ["a.json", "A.JSON.GZ", "x.jsonl", "t.log", "f.gz", "n.ndjson"] {
            assert!(is_log_name(Path::new(yes)), "{yes}");
        }
        for no in ["README.md", "x.csv", "key.pem", "json"] {
            assert!(!is_log_name(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn pruning_keeps_files_that_may_hold_the_window() {
        let prune = Prune {
            accounts: vec!["111122223333".into()],
            regions: vec![],
            since: Some(at("2026-01-01T10:00:00Z")),
            until: Some(at("2026-01-01T11:00:00Z")),
        };
        let keeps = |t: &str| prune.keeps("111122223333", "us-east-1", at(t));
        assert!(!keeps("2026-01-01T09:40:00Z"), "delivered before since: all events older");
        assert!(keeps("2026-01-01T09:50:00Z"), "within the slack");
        assert!(keeps("2026-01-01T12:30:00Z"), "may hold events from before until");
        assert!(!keeps("2026-01-01T13:05:00Z"), "delivered long after until");
        assert!(!prune.keeps("999999999999", "us-east-1", at("2026-01-01T10:30:00Z")));
    }

    struct Count;
    impl Visitor for Count {
        type Acc = Vec<(usize, u64, Vec<u8>)>;
        fn new_acc(&self) -> Self::Acc {
            Vec::new()
        }
        fn record(&self, acc: &mut Self::Acc, file: usize, ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
            if raw.first() != Some(&b'{') {
                return Err(SyntaxError { offset: 0, reason: record::Reason::ExpectedObject }.into());
            }
            acc.push((file, ordinal, raw.to_vec()));
            Ok(())
        }
        fn merge(&self, mut a: Self::Acc, b: Self::Acc) -> Self::Acc {
            a.extend(b);
            a
        }
    }

    #[test]
    fn scans_in_parallel_and_reports_problems() {
        let dir = tempfile::tempdir().unwrap();
        let mut inputs = Vec::new();
        for i in 0..50 {
            let path = dir.path().join(format!("{i:02}.json"));
            let body = match i {
                7 => "{\"Records\":[{\"n\":1},".to_string(),
                9 => "[1, {\"n\":2}]".to_string(),
                _ => format!("{{\"Records\":[{{\"n\":{i}}},{{\"n\":{i}}}]}}"),
            };
            std::fs::write(&path, body).unwrap();
            inputs.push(Input { path: Some(path), day: None });
        }
        inputs.push(Input { path: Some(dir.path().join("missing.json")), day: None });
        let problems = Mutex::new(Vec::new());
        let on_problem = |p: &FileProblem| problems.lock().unwrap().push((p.file, p.to_string()));
        let options = ScanOptions {
            strict: false,
            on_file: None,
            on_problem: &on_problem,
            max_file_bytes: crate::gz::MAX_INFLATED,
            max_memory: 1 << 30,
            on_window_end: None,
        };
        let out = scan(&inputs, &Count, &options);
        assert_eq!(out.acc.len(), 48 * 2 + 1 + 1);
        assert_eq!(out.stats.files, 49, "every input once: 49 read, 2 unreadable (one in part)");
        assert_eq!(out.stats.unreadable, 2);
        assert_eq!(out.stats.bad_records, 1);
        let mut problems = problems.into_inner().unwrap();
        problems.sort();
        let files: Vec<usize> = problems.iter().map(|p| p.0).collect();
        assert_eq!(files, [7, 9, 50]);
        assert!(problems[0].1.contains("truncated"), "{}", problems[0].1);
    }
}
