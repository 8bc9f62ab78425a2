//! Verdicts on what no usable digest lists: log files (listed only by digests that are not
//! valid, or by none), misnamed files in the CloudTrail folders, and digests named in captured
//! metadata but absent from the dump.
//!
//! Only a log file delivered after the newest digest of its account and region is legitimately
//! unverifiable ([`Verdict::Uncovered`]); anything else in the log folders that no valid digest
//! vouches for is a finding ([`Verdict::Unreferenced`]).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::check::safe_key;
use super::load::Loaded;
use super::report::{ChainId, Outcome, Shown, Subject, Verdict, MISNAMED};
use super::scope::{area_of_layout, AreaId, LogFile, Scope, Stray};
use super::walk::{bucket_root, Walked};
use crate::digest::metadata::HeadSignature;
use crate::time::format_utc;
use crate::tree::{self, Class};

/// Outcomes by the account and region folder they belong to.
pub type ByArea = HashMap<Arc<AreaId>, Vec<Outcome>>;

/// What the walks established, to judge the files they did not reach.
pub struct Judge<'a> {
    /// Every log path a digest lists: `true` when vouched for (or judged by a digest out of
    /// scope), `false` when only digests that are not valid list it.
    listed: HashMap<Arc<Path>, bool>,
    /// Name time of the newest digest of each account and region folder, every trail.
    newest: HashMap<AreaId, DateTime<Utc>>,
    /// Keys of the digests present, from `AWSLogs/` on.
    present: HashSet<String>,
    /// Keys the walks already reported `not_found`.
    missing: HashSet<String>,
    scope: &'a Scope<'a>,
    shown: Shown,
}

/// The part of a key from its `AWSLogs/` folder on (a dump may not show the key prefix).
fn from_awslogs(key: &str) -> &str {
    key.find("AWSLogs/").map_or(key, |at| &key[at..])
}

impl<'a> Judge<'a> {
    /// Takes the walks' lists of log paths and missing digests (leaving them empty), and reads
    /// what else it needs of the digests: neither is borrowed after.
    pub fn new(loaded: &HashMap<PathBuf, Loaded>, walked: &mut [(ChainId, Walked)], scope: &'a Scope<'a>) -> Judge<'a> {
        let mut listed: HashMap<Arc<Path>, bool> = HashMap::new();
        let mut missing = HashSet::new();
        for (_, w) in walked.iter_mut() {
            for (path, vouched) in std::mem::take(&mut w.listed) {
                *listed.entry(path).or_default() |= vouched;
            }
            missing.extend(std::mem::take(&mut w.missing));
        }
        // Log files that digests of trails out of scope list are theirs to judge.
        for d in loaded.values().filter(|d| !scope.admits_trail(&d.file.name.trail)) {
            let Ok(parsed) = &d.outcome else { continue };
            let root = bucket_root(&d.file.abs, parsed.body.object());
            for entry in parsed.body.log_files.iter().filter(|e| safe_key(&e.s3_object)) {
                listed.insert(root.join(&entry.s3_object).into(), true);
            }
        }
        let mut newest: HashMap<AreaId, DateTime<Utc>> = HashMap::new();
        for d in loaded.values() {
            let slot = newest.entry(area_of_layout(&d.file.layout)).or_insert(d.file.name.end);
            *slot = (*slot).max(d.file.name.end);
        }
        let present = loaded.values().map(|d| from_awslogs(&d.file.key).to_string()).collect();
        Judge { listed, newest, present, missing, scope, shown: Shown::here() }
    }

    /// Judges the log files and misnamed files no usable digest lists. Outcomes go by area;
    /// those of files whose folders name no area go to `loose`.
    pub fn logs(&self, logs: &[LogFile], strays: &[Stray], loose: &mut Vec<Outcome>) -> ByArea {
        let mut by_area = ByArea::new();
        for log in logs {
            let outcome = match self.listed.get(&log.abs) {
                Some(true) => continue,
                Some(false) => {
                    Outcome::new(Subject::Log, &log.key, Some(self.shown.path(&log.abs)), Verdict::Unreferenced)
                        .because("listed only by digests that are not valid")
                }
                None => self.unlisted(log),
            };
            by_area.entry(Arc::clone(&log.area)).or_default().push(outcome);
        }
        for stray in strays.iter().filter(|s| self.listed.get(s.abs.as_path()) != Some(&true)) {
            let subject = if stray.digest_area { Subject::Digest } else { Subject::Log };
            let reason = format!("{MISNAMED} ({}), and no valid digest lists it (possibly injected)", stray.reason);
            let outcome =
                Outcome::new(subject, &stray.key, Some(stray.path.clone()), Verdict::Unreferenced).because(reason);
            match &stray.area {
                Some(area) => by_area.entry(Arc::new(area.clone())).or_default().push(outcome),
                None => loose.push(outcome),
            }
        }
        by_area
    }

    /// A log file no digest lists: uncovered after the newest digest of its folder, else a
    /// finding.
    fn unlisted(&self, log: &LogFile) -> Outcome {
        let t = log.delivered;
        let when = format_utc(t);
        let outcome = Outcome::new(Subject::Log, &log.key, Some(self.shown.path(&log.abs)), Verdict::Unreferenced);
        // Names carry minutes only: a file named 0104 may have been delivered at 01:04:59.
        match self.newest.get(&log.area) {
            Some(newest) if t + Duration::seconds(60) > *newest => Outcome { verdict: Verdict::Uncovered, ..outcome }
                .because(format!(
                    "delivered at {when}, after the newest digest of its account and region ({}): no digest can list it yet",
                    format_utc(*newest)
                )),
            Some(newest) => outcome.because(format!(
                "no digest lists this log file, delivered at {when}, before the newest digest of its account and region ({}) (possibly injected)",
                format_utc(*newest)
            )),
            None => outcome.because("no digest chain in this account and region: nothing vouches for this log file (possibly injected)"),
        }
    }

    /// Digests in scope named in captured metadata but absent from the dump (and not already
    /// reported by a walk): a deleted digest, typically the newest.
    pub fn absent_heads(&self, heads: &[HeadSignature], bucket: &str, by_area: &mut ByArea) {
        for head in heads.iter().filter(|h| h.bucket == bucket) {
            let Class::Digest { layout, name } = tree::classify(&head.key) else { continue };
            let known = self.present.contains(from_awslogs(&head.key)) || self.missing.contains(&head.key);
            if known || !self.scope.admits_digest_key(&layout, &name) {
                continue;
            }
            let outcome = Outcome::new(Subject::Digest, &head.key, None, Verdict::NotFound)
                .because("not found: named in --digest-metadata but absent from the dump (a deleted digest)");
            by_area.entry(Arc::new(area_of_layout(&layout))).or_default().push(outcome);
        }
    }
}
