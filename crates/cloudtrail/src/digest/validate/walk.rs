//! The chain walk of `aws cloudtrail validate-logs`, newest to oldest, for one chain.
//!
//! Candidates are the chain's digests whose name time lies in `[start, end + 1h]`, sorted by
//! name time. The walk starts at the newest, follows `previousDigestS3Object` links from usable
//! digests, and after a missing or invalid digest (or a chain start) falls back to the next
//! older candidate, so damage never hides the rest of the chain. Unlike the CLI it keeps a
//! visited set, and reports candidates it never reached.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};

use super::check::{safe_key, Checker, Context};
use super::load::Loaded;
use super::report::{Item, Kind, Status};

/// A `[digestStartTime, digestEndTime]` period.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// The time window of the run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// A log file a usable digest lists, to be hashed.
#[derive(Debug, Clone)]
pub struct LogCheck {
    /// Index of its item in [`Walked::items`].
    pub item: usize,
    pub abs: PathBuf,
    pub expected: String,
}

/// What walking one chain produced.
#[derive(Debug, Default)]
pub struct Walked {
    pub items: Vec<Item>,
    pub log_checks: Vec<LogCheck>,
    /// Every log path any parsed digest of the chain lists, with whether a usable digest does.
    pub listed: HashMap<PathBuf, bool>,
    /// `[digestStartTime, digestEndTime]` of each usable digest.
    pub covered_windows: Vec<Span>,
    /// The AWS CLI's "Results found for" span.
    pub covered: Option<(String, String)>,
}

/// The next digest to check.
enum Target<'a> {
    /// A digest from the listing.
    Listed(&'a Loaded),
    /// A digest a usable digest links to (it may be absent).
    Linked { abs: PathBuf, key: String, expected_sha256: String, from: String },
}

/// Walks one chain (regular digests first, then backfill digests) and returns its items.
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
            .filter(|d| d.file.name.backfill == backfill && in_window(d.file.name.end, window))
            .collect();
        candidates.sort_by(|a, b| a.file.name.stamp.cmp(&b.file.name.stamp).then(a.file.abs.cmp(&b.file.abs)));
        walk_pass(&mut walked, candidates, all, checker, window, backfill);
    }
    for d in digests {
        let Ok(parsed) = &d.outcome else { continue };
        let root = bucket_root(&d.file.abs, parsed.body.object());
        for entry in &parsed.body.log_files {
            if safe_key(&entry.s3_object) {
                walked.listed.entry(root.join(&entry.s3_object)).or_insert(false);
            }
        }
    }
    walked
}

fn in_window(end: DateTime<Utc>, window: &Window) -> bool {
    window.start.is_none_or(|s| end >= s) && window.end.is_none_or(|e| end <= e + chrono::Duration::hours(1))
}

fn walk_pass<'a>(
    walked: &mut Walked,
    mut candidates: Vec<&'a Loaded>,
    all: &'a HashMap<PathBuf, Loaded>,
    checker: &Checker<'_>,
    window: &Window,
    backfill: bool,
) {
    let listed: Vec<&Loaded> = candidates.clone();
    let mut visited: HashSet<PathBuf> = HashSet::new();
    let mut target = candidates.pop().map(Target::Listed);
    let mut last_start: Option<DateTime<Utc>> = None;
    let mut is_head = true;
    // The digestStartTime of the last usable digest, while the chain has not restarted: the
    // next older usable digest should end there.
    let mut expect_end: Option<DateTime<Utc>> = None;

    while let Some(current) = target.take() {
        if let (Some(start), Some(last)) = (window.start, last_start) {
            if last < start {
                break;
            }
        }
        let (digest, key, abs, expected) = match &current {
            Target::Listed(d) => (Some(*d), d.file.key.clone(), d.file.abs.clone(), None),
            Target::Linked { abs, key, expected_sha256, from } => {
                (all.get(abs), key.clone(), abs.clone(), Some((expected_sha256.as_str(), from.as_str())))
            }
        };
        let stamp = digest.map_or_else(|| stamp_of_key(&key), |d| d.file.name.stamp.clone());
        if !visited.insert(abs.clone()) {
            target = pop_older(&mut candidates, &stamp).map(Target::Listed);
            continue;
        }
        let Some(digest) = digest else {
            let mut item =
                Item::new(Kind::Digest, &key, Some(abs_to_display(&abs)), Status::NotFound).because("not found");
            item.backfill = backfill;
            walked.items.push(item);
            target = pop_older(&mut candidates, &stamp).map(Target::Listed);
            is_head = false;
            continue;
        };
        let ctx = Context { expected_sha256: expected, is_head };
        is_head = false;
        let verdict = checker.check(digest, &ctx);
        // A usable digest is shown under the key it names (the S3 key, prefix included); any
        // other under the key where it lies.
        let shown_key = match verdict.usable {
            Some(parsed) => parsed.body.object().to_string(),
            None => digest.file.key.clone(),
        };
        let mut item = Item::new(Kind::Digest, &shown_key, Some(digest.file.path.clone()), verdict.status);
        item.reason = verdict.reason;
        item.backfill = backfill;
        walked.items.push(item);

        let Some(parsed) = verdict.usable else {
            target = pop_older(&mut candidates, &stamp).map(Target::Listed);
            continue;
        };
        let body = &parsed.body;
        let start = parse_time(body.start_time());
        let end = parse_time(body.end_time());
        last_start = start.or(last_start);
        let reached_by_link = matches!(current, Target::Linked { .. });
        if let (false, Some(newer_start), Some(end)) = (reached_by_link, expect_end, end) {
            if end < newer_start {
                let mut gap = Item::new(Kind::Gap, "", None, Status::NotFound).because(format!(
                    "no digest covers {} to {}: digests are missing from the chain",
                    fmt(end),
                    fmt(newer_start)
                ));
                gap.backfill = backfill;
                gap.start = Some(fmt(end));
                gap.end = Some(fmt(newer_start));
                walked.items.push(gap);
            }
        }
        expect_end = if body.previous().is_some() { start } else { None };
        if let (Some(s), Some(e)) = (start, end) {
            walked.covered_windows.push((s, e));
            if verdict.status == Status::Valid {
                let shown_start = window.start.map_or(s, |w| w.max(s));
                let shown_end = window.end.map_or(e, |w| w.min(e));
                walked.covered = Some(match walked.covered.take() {
                    None => (fmt(shown_start), fmt(shown_end)),
                    Some((a, b)) => (a.min(fmt(shown_start)), b.max(fmt(shown_end))),
                });
            }
        }
        let root = bucket_root(&digest.file.abs, body.object());
        for entry in &body.log_files {
            let mut item = Item::new(Kind::Log, &entry.s3_object, None, Status::Invalid);
            item.backfill = backfill;
            if !safe_key(&entry.s3_object) {
                walked.items.push(item.because("unsafe key (absolute or with ..): not followed"));
                continue;
            }
            let path = root.join(&entry.s3_object);
            if entry.s3_bucket != checker.bucket {
                item.status = Status::NotFound;
                item.reason = Some(format!("not found: listed in bucket {}, which is not this dump", entry.s3_bucket));
                walked.items.push(item);
                continue;
            }
            walked.listed.insert(path.clone(), true);
            item.path = Some(abs_to_display(&path));
            walked.log_checks.push(LogCheck {
                item: walked.items.len(),
                abs: path,
                expected: entry.hash_value.clone(),
            });
            walked.items.push(item);
        }

        target = match body.previous() {
            Some((prev_bucket, prev_object)) if prev_bucket == checker.bucket && safe_key(prev_object) => {
                Some(Target::Linked {
                    abs: root.join(prev_object),
                    key: prev_object.to_string(),
                    expected_sha256: body.previous_digest_hash_value.clone().unwrap_or_default(),
                    from: shown_key.clone(),
                })
            }
            Some((prev_bucket, prev_object)) => {
                let mut item = Item::new(Kind::Digest, prev_object, None, Status::NotFound)
                    .because(format!("not found: previous digest is in bucket {prev_bucket}, which is not this dump"));
                item.backfill = backfill;
                walked.items.push(item);
                pop_older(&mut candidates, &stamp).map(Target::Listed)
            }
            None => {
                let older = pop_older(&mut candidates, &stamp);
                if let (Some(found), Some(start)) = (older, start) {
                    let mut gap = Item::new(Kind::Gap, "", None, Status::Valid).because(format!(
                        "No log files were delivered by CloudTrail between {} and {}",
                        fmt(found.file.name.end),
                        fmt(start)
                    ));
                    gap.backfill = backfill;
                    gap.start = Some(fmt(found.file.name.end));
                    gap.end = Some(fmt(start));
                    walked.items.push(gap);
                }
                older.map(Target::Listed)
            }
        };
    }

    // Digests in the window the walk never reached: no valid chain leads to them.
    for d in listed {
        if !visited.contains(&d.file.abs) {
            let mut item = Item::new(Kind::Digest, &d.file.key, Some(d.file.path.clone()), Status::Unreferenced)
                .because("no digest chain leads to this digest (possibly injected)");
            item.backfill = backfill;
            walked.items.push(item);
        }
    }
}

/// Pops candidates until one is strictly older than `stamp` (the CLI's fallback).
fn pop_older<'a>(candidates: &mut Vec<&'a Loaded>, stamp: &str) -> Option<&'a Loaded> {
    while let Some(d) = candidates.pop() {
        if d.file.name.stamp.as_str() < stamp {
            return Some(d);
        }
    }
    None
}

/// The 16-character name time of a digest key, by position as the AWS CLI takes it.
fn stamp_of_key(key: &str) -> String {
    let name = key.rsplit('/').next().unwrap_or(key);
    let stem = name.strip_suffix(".json.gz").unwrap_or(name);
    let stem = stem.strip_suffix("_backfill").unwrap_or(stem);
    stem.get(stem.len().saturating_sub(16)..).unwrap_or_default().to_string()
}

/// The folder a digest's key is relative to: its path with the key's components removed.
fn bucket_root(abs: &Path, key: &str) -> PathBuf {
    let depth = key.split('/').count();
    abs.ancestors().nth(depth).map_or_else(PathBuf::new, Path::to_path_buf)
}

/// Paths of files reached by key are shown relative to the working directory when possible.
fn abs_to_display(abs: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| abs.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| abs.to_path_buf())
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
