//! The chain walk of `aws cloudtrail validate-logs`, newest to oldest, for one chain.
//!
//! Candidates are the chain's digests whose name time lies in `[start, end + 1h]`, sorted by
//! name time. The walk starts at the newest, follows `previousDigestS3Object` links from usable
//! digests, and after a missing or invalid digest (or a chain start) falls back to the next
//! older candidate, so damage never hides the rest of the chain. Each move is one call of
//! [`Walker::step`]. Unlike the CLI it keeps a visited set (a link back to a walked digest is a
//! broken link), compares `previousDigestHashValue` with the previous digest's bytes, and
//! reports candidates it never reached.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use super::check::{safe_key, Checker, DigestCheck};
use super::load::{Loaded, Parsed};
use super::report::{Outcome, Shown, Subject, Verdict};

/// The time window of the run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

impl Window {
    /// Whether a digest whose name time is `end` is a candidate (the AWS CLI's `[S, E + 1h]`).
    pub fn admits_digest(&self, end: DateTime<Utc>) -> bool {
        self.start.is_none_or(|s| end >= s) && self.end.is_none_or(|e| end <= e + Duration::hours(1))
    }

    /// Whether a log file delivered at `t` is in scope.
    pub fn admits_log(&self, t: DateTime<Utc>) -> bool {
        self.start.is_none_or(|s| t >= s) && self.end.is_none_or(|e| t <= e)
    }
}

/// A log file a usable digest lists, to be hashed.
#[derive(Debug, Clone)]
pub struct LogCheck {
    /// Index of its outcome in [`Walked::outcomes`].
    pub outcome: usize,
    pub abs: Arc<Path>,
    pub expected: String,
    /// The verdict on the digest that lists it ([`Verdict::Valid`] or [`Verdict::Unverified`]):
    /// a log file is never proven better than its digest.
    pub listed_by: Verdict,
}

/// What walking one chain produced.
#[derive(Debug, Default)]
pub struct Walked {
    pub outcomes: Vec<Outcome>,
    pub log_checks: Vec<LogCheck>,
    /// Every log path a digest of the chain lists: `true` when a usable digest lists it (its
    /// verdict is among the outcomes) or the digest is outside the time window (not judged
    /// here); `false` when only digests that are not valid do.
    pub listed: HashMap<Arc<Path>, bool>,
    /// The AWS CLI's "Results found for" span.
    pub covered: Option<(String, String)>,
    /// Keys of digests reported `not_found`.
    pub missing: HashSet<String>,
}

/// How the walk reached a digest; it decides what a missing signature means.
#[derive(Debug, Clone)]
enum Arrival {
    /// The newest candidate.
    Newest,
    /// Through the link of a usable digest (`from`), which gives its expected hash.
    Linked { from: String, expected_sha256: Option<String> },
    /// Below a chain start: the last digest before logging stopped.
    AfterRestart,
    /// Below a digest that is missing.
    AfterMissing,
    /// Below a digest that is not valid, or a link that is broken.
    AfterInvalid,
}

impl Arrival {
    fn no_signature(&self) -> &'static str {
        match self {
            Arrival::Newest => {
                "signature unavailable: newest digest of its chain; give its S3 metadata with --digest-metadata"
            }
            Arrival::AfterRestart => {
                "signature unavailable: last digest before logging stopped (the next digest starts a new chain); \
                 give its S3 metadata with --digest-metadata"
            }
            Arrival::AfterMissing => "signature unavailable: the digest after it is missing",
            Arrival::AfterInvalid => "signature unavailable: the digest after it is not valid",
            Arrival::Linked { .. } => "signature unavailable: the next digest's previousDigestSignature is null",
        }
    }
}

/// The next digest to check.
enum Target<'a> {
    /// A digest from the listing.
    Listed(&'a Loaded, Arrival),
    /// A digest a usable digest links to (it may be absent); `from_stamp` is the linking
    /// digest's name time, where the walk falls back from on a broken link.
    Linked { abs: PathBuf, key: String, from: String, from_stamp: String, expected_sha256: Option<String> },
}

/// Walks one chain (regular digests first, then backfill digests).
pub fn walk_chain(
    digests: &[&Loaded],
    all: &HashMap<PathBuf, Loaded>,
    checker: &Checker<'_>,
    window: &Window,
) -> Walked {
    let mut walked = Walked::default();
    for backfill in [false, true] {
        let mut candidates: Vec<&Loaded> = digests
            .iter()
            .copied()
            .filter(|d| d.file.name.backfill == backfill && window.admits_digest(d.file.name.end))
            .collect();
        candidates.sort_by(|a, b| a.file.name.stamp.cmp(&b.file.name.stamp).then(a.file.abs.cmp(&b.file.abs)));
        let listed = candidates.clone();
        let mut walker = Walker {
            all,
            checker,
            window: *window,
            backfill,
            candidates,
            visited: HashSet::new(),
            shown: Shown::here(),
            expect_end: None,
            last_start: None,
        };
        let mut target = walker.candidates.pop().map(|d| Target::Listed(d, Arrival::Newest));
        while let Some(current) = target {
            target = walker.step(&mut walked, current);
        }
        walker.report_unreached(&mut walked, &listed);
    }
    for d in digests {
        let Ok(parsed) = &d.outcome else { continue };
        let judged_here = window.admits_digest(d.file.name.end);
        let root = bucket_root(&d.file.abs, parsed.body.object());
        for entry in parsed.body.log_files.iter().filter(|e| safe_key(&e.s3_object)) {
            let path = root.join(&entry.s3_object);
            if !walked.listed.contains_key(path.as_path()) {
                walked.listed.insert(path.into(), !judged_here);
            }
        }
    }
    walked
}

/// The state of one pass of the walk between two steps.
struct Walker<'a> {
    all: &'a HashMap<PathBuf, Loaded>,
    checker: &'a Checker<'a>,
    window: Window,
    backfill: bool,
    /// Candidates not yet popped, oldest first.
    candidates: Vec<&'a Loaded>,
    visited: HashSet<PathBuf>,
    shown: Shown,
    /// The `digestStartTime` of the last digest checked, while it links to a previous one: the
    /// next older digest should end there, else digests are missing in between.
    expect_end: Option<DateTime<Utc>>,
    /// The `digestStartTime` of the last usable digest (the AWS CLI stops once it is before
    /// the window's start).
    last_start: Option<DateTime<Utc>>,
}

impl<'a> Walker<'a> {
    /// Checks one target and says where the walk goes next.
    fn step(&mut self, out: &mut Walked, target: Target<'a>) -> Option<Target<'a>> {
        if let (Some(start), Some(last)) = (self.window.start, self.last_start) {
            if last < start {
                return None;
            }
        }
        match target {
            Target::Listed(digest, arrival) => {
                if !self.visited.insert(digest.file.abs.clone()) {
                    return self.older(&digest.file.name.stamp, arrival);
                }
                self.report_missing_period(out, digest);
                self.visit(out, digest, arrival)
            }
            Target::Linked { abs, key, from, from_stamp, expected_sha256 } => match self.all.get(&abs) {
                None => {
                    out.outcomes.push(
                        self.outcome(Subject::Digest, &key, Some(self.shown.path(&abs)), Verdict::NotFound)
                            .because("not found"),
                    );
                    out.missing.insert(key.clone());
                    self.older(&stamp_of_key(&key), Arrival::AfterMissing)
                }
                Some(_) if !self.visited.insert(abs.clone()) => {
                    let reason =
                        format!("previousDigestS3Object names {key}, a digest already walked: the links form a cycle");
                    out.outcomes.push(self.outcome(Subject::Link, &from, None, Verdict::Invalid).because(reason));
                    self.older(&from_stamp, Arrival::AfterInvalid)
                }
                Some(digest) => self.visit(out, digest, Arrival::Linked { from, expected_sha256 }),
            },
        }
    }

    /// Checks a present digest, records it (and its log files when usable) and picks the next
    /// target.
    fn visit(&mut self, out: &mut Walked, digest: &'a Loaded, arrival: Arrival) -> Option<Target<'a>> {
        let successor_valid = !matches!(arrival, Arrival::AfterInvalid);
        let mut check = self.checker.check(digest, arrival.no_signature(), successor_valid);
        // A usable digest is shown under the key it names (the S3 key, prefix included); any
        // other under the key where it lies.
        let shown_key = check.usable.map_or(digest.file.key.clone(), |p| p.body.object().to_string());
        if let Arrival::Linked { from, expected_sha256: Some(expected) } = &arrival {
            self.compare_link(out, &mut check, from, expected, &shown_key);
        }
        let stamp = digest.file.name.stamp.clone();
        let mut outcome = self.outcome(Subject::Digest, &shown_key, Some(digest.file.path.clone()), check.verdict);
        outcome.reason = check.reason.map(Cow::Owned);
        out.outcomes.push(outcome);
        self.expect_end = check.parsed.and_then(|p| p.body.previous().and(parse_time(p.body.start_time())));
        let Some(parsed) = check.usable else {
            return self.older(&stamp, Arrival::AfterInvalid);
        };
        self.last_start = parse_time(parsed.body.start_time()).or(self.last_start);
        if check.verdict == Verdict::Valid {
            self.extend_covered(out, parsed);
        }
        let root = bucket_root(&digest.file.abs, parsed.body.object());
        self.record_logs(out, parsed, &root, check.verdict);
        self.follow(out, parsed, &root, &shown_key, stamp)
    }

    /// Compares the `previousDigestHashValue` of `from` with the bytes of the digest it links
    /// to. The digest's own check is reported first; a mismatch is a second fact about it, or
    /// a broken link of its own when the digest's signature verifies.
    fn compare_link(&self, out: &mut Walked, check: &mut DigestCheck<'_>, from: &str, expected: &str, key: &str) {
        let Some(parsed) = check.parsed else { return };
        if expected.eq_ignore_ascii_case(&parsed.sha256) {
            return;
        }
        let mismatch = format!("content does not match the previousDigestHashValue of the next digest {from}");
        match check.verdict {
            Verdict::Valid => {
                let reason = format!(
                    "previousDigestHashValue of {from} does not match the content of {key}, whose signature verifies"
                );
                out.outcomes.push(self.outcome(Subject::Link, from, None, Verdict::Invalid).because(reason));
            }
            Verdict::Unverified => {
                let unverified = check.reason.take().unwrap_or_default();
                check.verdict = Verdict::Invalid;
                check.reason = Some(format!("{mismatch} ({unverified})"));
                check.usable = None;
            }
            _ => {
                let first = check.reason.take().unwrap_or_default();
                check.reason = Some(format!("{first}; its {mismatch}"));
            }
        }
    }

    /// Reports a period with no digest between the digest about to be checked (reached from
    /// the listing, not by a link) and the newer digest that expected a predecessor.
    fn report_missing_period(&self, out: &mut Walked, digest: &Loaded) {
        let Some(newer_start) = self.expect_end else { return };
        let parsed_end = digest.outcome.as_ref().ok().and_then(|p| parse_time(p.body.end_time()));
        let end = parsed_end.unwrap_or(digest.file.name.end);
        if end + Duration::seconds(1) < newer_start {
            let mut gap = self.outcome(Subject::Gap, "", None, Verdict::NotFound).because(format!(
                "no digest covers {} to {}: digests are missing from the chain",
                fmt(end),
                fmt(newer_start)
            ));
            gap.start = Some(fmt(end));
            gap.end = Some(fmt(newer_start));
            out.outcomes.push(gap);
        }
    }

    /// Widens the AWS CLI's "Results found for" span by a valid digest.
    fn extend_covered(&self, out: &mut Walked, parsed: &Parsed) {
        let (Some(s), Some(e)) = (parse_time(parsed.body.start_time()), parse_time(parsed.body.end_time())) else {
            return;
        };
        let shown_start = fmt(self.window.start.map_or(s, |w| w.max(s)));
        let shown_end = fmt(self.window.end.map_or(e, |w| w.min(e)));
        out.covered = Some(match out.covered.take() {
            None => (shown_start, shown_end),
            Some((a, b)) => (a.min(shown_start), b.max(shown_end)),
        });
    }

    /// Records the log files a usable digest lists, to be hashed.
    fn record_logs(&self, out: &mut Walked, parsed: &Parsed, root: &Path, listed_by: Verdict) {
        for entry in &parsed.body.log_files {
            let outcome = self.outcome(Subject::Log, &entry.s3_object, None, Verdict::Invalid);
            if !safe_key(&entry.s3_object) {
                out.outcomes.push(outcome.because("unsafe key (absolute or with ..): not followed"));
                continue;
            }
            if entry.s3_bucket != self.checker.bucket {
                let reason = format!("not found: listed in bucket {}, which is not this dump", entry.s3_bucket);
                out.outcomes.push(Outcome { verdict: Verdict::NotFound, ..outcome }.because(reason));
                continue;
            }
            let path: Arc<Path> = root.join(&entry.s3_object).into();
            out.listed.insert(Arc::clone(&path), true);
            let shown = self.shown.path(&path);
            out.log_checks.push(LogCheck {
                outcome: out.outcomes.len(),
                abs: path,
                expected: entry.hash_value.clone(),
                listed_by,
            });
            out.outcomes.push(Outcome { path: Some(shown), ..outcome });
        }
    }

    /// Where the walk goes from a usable digest: its previous digest, or (at a chain start or
    /// a link that cannot be followed) the next older candidate.
    fn follow(
        &mut self,
        out: &mut Walked,
        parsed: &Parsed,
        root: &Path,
        shown_key: &str,
        stamp: String,
    ) -> Option<Target<'a>> {
        let body = &parsed.body;
        let Some((bucket, object)) = body.previous() else {
            let older = self.pop_older(&stamp);
            if let (Some(found), Some(start)) = (older, parse_time(body.start_time())) {
                let mut gap = self.outcome(Subject::Gap, "", None, Verdict::Valid).because(format!(
                    "No log files were delivered by CloudTrail between {} and {} (logging stopped and restarted)",
                    fmt(found.file.name.end),
                    fmt(start)
                ));
                gap.start = Some(fmt(found.file.name.end));
                gap.end = Some(fmt(start));
                out.outcomes.push(gap);
            }
            return older.map(|d| Target::Listed(d, Arrival::AfterRestart));
        };
        if bucket != self.checker.bucket {
            let reason = format!("not found: previous digest is in bucket {bucket}, which is not this dump");
            out.outcomes.push(self.outcome(Subject::Digest, object, None, Verdict::NotFound).because(reason));
            out.missing.insert(object.to_string());
            return self.older(&stamp, Arrival::AfterMissing);
        }
        let broken = if !safe_key(object) {
            Some(format!("previousDigestS3Object {object} is not a key inside the bucket (absolute, or with . or ..)"))
        } else if object == body.object() {
            Some("previousDigestS3Object names this digest itself".to_string())
        } else {
            None
        };
        if let Some(reason) = broken {
            out.outcomes.push(self.outcome(Subject::Link, shown_key, None, Verdict::Invalid).because(reason));
            return self.older(&stamp, Arrival::AfterInvalid);
        }
        Some(Target::Linked {
            abs: root.join(object),
            key: object.to_string(),
            from: shown_key.to_string(),
            from_stamp: stamp,
            expected_sha256: body.previous_digest_hash_value.clone(),
        })
    }

    /// Digests in the window the walk never reached: no valid chain leads to them.
    fn report_unreached(&self, out: &mut Walked, listed: &[&Loaded]) {
        for d in listed.iter().filter(|d| !self.visited.contains(&d.file.abs)) {
            let outcome = self.outcome(Subject::Digest, &d.file.key, Some(d.file.path.clone()), Verdict::Unreferenced);
            out.outcomes.push(outcome.because("no digest chain leads to this digest (possibly injected)"));
        }
    }

    fn outcome(&self, subject: Subject, key: &str, path: Option<PathBuf>, verdict: Verdict) -> Outcome {
        Outcome::new(subject, key, path, verdict).in_pass(self.backfill)
    }

    /// The next candidate strictly older than `stamp`, reached as `arrival` says.
    fn older(&mut self, stamp: &str, arrival: Arrival) -> Option<Target<'a>> {
        self.pop_older(stamp).map(|d| Target::Listed(d, arrival))
    }

    /// Pops candidates until one is strictly older than `stamp` (the CLI's fallback).
    fn pop_older(&mut self, stamp: &str) -> Option<&'a Loaded> {
        while let Some(d) = self.candidates.pop() {
            if d.file.name.stamp.as_str() < stamp {
                return Some(d);
            }
        }
        None
    }
}

/// The 16-character name time of a digest key, by position as the AWS CLI takes it.
fn stamp_of_key(key: &str) -> String {
    let name = key.rsplit('/').next().unwrap_or(key);
    let stem = name.strip_suffix(".json.gz").unwrap_or(name);
    let stem = stem.strip_suffix("_backfill").unwrap_or(stem);
    stem.get(stem.len().saturating_sub(16)..).unwrap_or_default().to_string()
}

/// The folder a digest's key is relative to: its path with the key's components removed.
pub fn bucket_root(abs: &Path, key: &str) -> PathBuf {
    let depth = key.split('/').count();
    abs.ancestors().nth(depth).map_or_else(PathBuf::new, Path::to_path_buf)
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ").ok().map(|t| t.and_utc()))
}

fn fmt(t: DateTime<Utc>) -> String {
    crate::time::format_utc(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_taken_by_position() {
        assert_eq!(stamp_of_key("a/1_CloudTrail-Digest_r_t_h_20260101T010000Z.json.gz"), "20260101T010000Z");
        assert_eq!(stamp_of_key("a/1_CloudTrail-Digest_r_t_h_20260101T010000Z_backfill.json.gz"), "20260101T010000Z");
    }

    #[test]
    fn bucket_root_strips_the_key() {
        assert_eq!(bucket_root(Path::new("/d/p/AWSLogs/1/x.gz"), "p/AWSLogs/1/x.gz"), PathBuf::from("/d"));
    }
}
