//! What validation found: one [`Outcome`] per file checked (or gap or broken link seen), grouped
//! per chain.
//!
//! The JSON form of an item is the `--output jsonl` contract documented in README.md:
//! `{"type","key","path","status","reason",...}`.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// The verdict on one file, gap or link. See README.md's verdict table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Proven: a digest whose signature verified with a key of its chain's region, or a log
    /// file whose hash such a digest lists, reached through an unbroken chain of hashes. For a
    /// gap: a restart of the chain (logging stopped), which the digests on both sides prove.
    Valid,
    /// Present but altered, unreadable, misplaced, or its signature does not verify; for a link,
    /// a `previousDigest*` field that does not lead to the previous digest.
    Invalid,
    /// Listed (or linked, or named in captured metadata) but absent from the dump; for a gap,
    /// a period inside a chain with no digest because digests are missing.
    NotFound,
    /// A file in the log or digest folders that no valid digest vouches for although it should
    /// be (possibly injected): an unlisted log file delivered before the newest digest of its
    /// account and region, a misnamed file, a digest the chain walk never reaches.
    Unreferenced,
    /// A log file delivered after the newest digest of its account and region: no digest can
    /// list it yet. Not a finding, not proven.
    Uncovered,
    /// Not proven either way: no public keys, no signature available (newest digest without
    /// `--digest-metadata`, successor missing), or a log file listed only by such a digest.
    Unverified,
}

impl Verdict {
    /// Whether this verdict is evidence of tampering (makes `ctl validate` exit 1).
    pub fn is_finding(self) -> bool {
        matches!(self, Verdict::Invalid | Verdict::NotFound | Verdict::Unreferenced)
    }

    /// Whether this verdict leaves something unproven (exit 3 when nothing is a finding).
    pub fn is_unproven(self) -> bool {
        matches!(self, Verdict::Uncovered | Verdict::Unverified)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
            Verdict::NotFound => "not_found",
            Verdict::Unreferenced => "unreferenced",
            Verdict::Uncovered => "uncovered",
            Verdict::Unverified => "unverified",
        }
    }
}

/// What an outcome is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Digest,
    Log,
    /// A period with no digest: a restart of the chain ([`Verdict::Valid`]) or missing digests
    /// ([`Verdict::NotFound`]).
    Gap,
    /// The link from a digest to its previous one, when it is broken while both digests stand:
    /// a `previousDigestHashValue` that does not match, a link to itself or in a cycle, a key
    /// outside the bucket.
    Link,
}

/// One verdict, in the order the AWS CLI would print it (newest digest first, each digest
/// followed by its log files).
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    #[serde(rename = "type")]
    pub subject: Subject,
    /// The S3 key, as written in the digest (or as found in the dump). For a link, the key of
    /// the digest the link starts from.
    pub key: String,
    /// The local file, when there is one.
    pub path: Option<PathBuf>,
    #[serde(rename = "status")]
    pub verdict: Verdict,
    /// The AWS CLI's words for an invalid item, or why an item is not valid (most reasons are
    /// fixed words, shared by every item they explain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Cow<'static, str>>,
    /// Whether the item belongs to the backfill pass.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub backfill: bool,
    /// Start and end of a gap (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

impl Outcome {
    pub fn new(subject: Subject, key: impl Into<String>, path: Option<PathBuf>, verdict: Verdict) -> Outcome {
        Outcome { subject, key: key.into(), path, verdict, reason: None, backfill: false, start: None, end: None }
    }

    pub fn because(mut self, reason: impl Into<Cow<'static, str>>) -> Outcome {
        self.reason = Some(reason.into());
        self
    }

    pub fn in_pass(mut self, backfill: bool) -> Outcome {
        self.backfill = backfill;
        self
    }
}

/// How outcomes show a file: relative to the working directory when it lies below it, else
/// absolute.
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    cwd: Option<PathBuf>,
}

impl Shown {
    pub fn here() -> Shown {
        Shown { cwd: std::env::current_dir().ok() }
    }

    pub fn path(&self, abs: &Path) -> PathBuf {
        self.cwd.as_deref().and_then(|cwd| abs.strip_prefix(cwd).ok()).unwrap_or(abs).to_path_buf()
    }
}

/// How the reason of a misnamed file starts.
pub(crate) const MISNAMED: &str = "file name or folder does not follow the CloudTrail naming";

/// One digest chain: a trail's digests for one account and source region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ChainId {
    /// The key prefix before `AWSLogs/` as seen in the dump (empty when none).
    pub prefix: String,
    pub org_id: Option<String>,
    pub account: String,
    pub region: String,
    pub trail: String,
}

impl ChainId {
    /// The chain of a digest file, from its folders and name.
    pub fn of(file: &super::load::DigestFile) -> ChainId {
        ChainId {
            prefix: file.layout.prefix.clone(),
            org_id: file.layout.org_id.clone(),
            account: file.layout.account.clone(),
            region: file.layout.region.clone(),
            trail: file.name.trail.clone(),
        }
    }

    /// The account and region folder of the chain (shared by every trail writing there).
    pub fn area(&self) -> super::scope::AreaId {
        (self.prefix.clone(), self.org_id.clone(), self.account.clone(), self.region.clone())
    }
}

impl std::fmt::Display for ChainId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "trail {} account {} region {}", self.trail, self.account, self.region)?;
        if let Some(org) = &self.org_id {
            write!(f, " ({org})")?;
        }
        if !self.prefix.is_empty() {
            write!(f, " under {}/", self.prefix)?;
        }
        Ok(())
    }
}

/// Counts of one kind of file by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub total: usize,
    pub valid: usize,
    pub invalid: usize,
    pub not_found: usize,
    pub unreferenced: usize,
    pub uncovered: usize,
    pub unverified: usize,
}

impl Tally {
    pub fn add(&mut self, verdict: Verdict) {
        self.total += 1;
        match verdict {
            Verdict::Valid => self.valid += 1,
            Verdict::Invalid => self.invalid += 1,
            Verdict::NotFound => self.not_found += 1,
            Verdict::Unreferenced => self.unreferenced += 1,
            Verdict::Uncovered => self.uncovered += 1,
            Verdict::Unverified => self.unverified += 1,
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.total += other.total;
        self.valid += other.valid;
        self.invalid += other.invalid;
        self.not_found += other.not_found;
        self.unreferenced += other.unreferenced;
        self.uncovered += other.uncovered;
        self.unverified += other.unverified;
    }

    /// Invalid in the AWS CLI's sense: altered or missing.
    pub fn invalid_or_missing(&self) -> usize {
        self.invalid + self.not_found
    }
}

/// Everything found about one chain.
#[derive(Debug, Clone)]
pub struct ChainReport {
    pub id: ChainId,
    pub outcomes: Vec<Outcome>,
    /// The span the valid digests cover (the AWS CLI's "Results found for").
    pub covered: Option<(String, String)>,
}

/// Counts for a chain (or the whole run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub digests: Tally,
    pub backfill_digests: Tally,
    pub logs: Tally,
    /// Restarts of a chain (logging stopped and started again): not findings.
    pub restarts: usize,
    /// Periods inside a chain with no digest because digests are missing: findings.
    pub missing_periods: usize,
    /// Broken links between digests: findings.
    pub broken_links: usize,
}

impl Summary {
    pub fn of(outcomes: &[Outcome]) -> Summary {
        let mut summary = Summary::default();
        for outcome in outcomes {
            match (outcome.subject, outcome.backfill) {
                (Subject::Digest, false) => summary.digests.add(outcome.verdict),
                (Subject::Digest, true) => summary.backfill_digests.add(outcome.verdict),
                (Subject::Log, _) => summary.logs.add(outcome.verdict),
                (Subject::Gap, _) if outcome.verdict == Verdict::Valid => summary.restarts += 1,
                (Subject::Gap, _) => summary.missing_periods += 1,
                (Subject::Link, _) => summary.broken_links += 1,
            }
        }
        summary
    }

    pub fn merge(&mut self, other: &Summary) {
        self.digests.merge(&other.digests);
        self.backfill_digests.merge(&other.backfill_digests);
        self.logs.merge(&other.logs);
        self.restarts += other.restarts;
        self.missing_periods += other.missing_periods;
        self.broken_links += other.broken_links;
    }
}

/// A file of the dump that validation did not consider, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// The result of validating a dump.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub chains: Vec<ChainReport>,
    /// Findings about log files not tied to one chain (unreferenced, uncovered), and heads named
    /// in metadata whose chain has no digest in the dump.
    pub loose: Vec<Outcome>,
    pub skipped: Vec<Skipped>,
    /// Folders that could not be read.
    pub unreadable: Vec<Skipped>,
    /// The bucket the digests were checked against.
    pub bucket: Option<String>,
    /// Uncompressed bytes of log files hashed.
    pub bytes_hashed: u64,
}

impl Report {
    fn outcomes(&self) -> impl Iterator<Item = &Outcome> {
        self.chains.iter().flat_map(|c| &c.outcomes).chain(&self.loose)
    }

    /// Whether anything is evidence of tampering (invalid, missing or unreferenced).
    pub fn has_findings(&self) -> bool {
        self.outcomes().any(|o| o.verdict.is_finding())
    }

    /// Whether everything in scope is proven: nothing unverified or uncovered.
    pub fn all_proven(&self) -> bool {
        !self.outcomes().any(|o| o.verdict.is_unproven())
    }

    /// Files in the CloudTrail folders that do not follow the CloudTrail naming and that no
    /// valid digest lists (findings to name even when only a summary is printed).
    pub fn misnamed(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes().filter(|o| {
            o.verdict == Verdict::Unreferenced && o.reason.as_deref().is_some_and(|r| r.starts_with(MISNAMED))
        })
    }

    /// Counts over every chain and the loose outcomes.
    pub fn totals(&self) -> Summary {
        let mut total = Summary::of(&self.loose);
        for chain in &self.chains {
            total.merge(&Summary::of(&chain.outcomes));
        }
        total
    }
}
