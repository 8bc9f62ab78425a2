//! What validation found: one [`Item`] per file checked (or gap seen), grouped per chain.
//!
//! The JSON form of an item is the `--output jsonl` contract documented in README.md:
//! `{"type","key","path","status","reason",...}`.

use std::path::PathBuf;

use serde::Serialize;

/// The verdict on one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Hash (log) or signature (digest) checked and right.
    Valid,
    /// Present but altered, unreadable, misplaced, or its signature does not verify.
    Invalid,
    /// Listed (or linked, or named in head metadata) but absent from the dump.
    NotFound,
    /// A log file inside a period a digest chain covers that no digest lists (possibly
    /// injected), or a digest the chain walk never reaches.
    Unreferenced,
    /// A log file outside every period a digest covers: it cannot be verified either way.
    Uncovered,
    /// Could not be proven either way: no public key given, no signature available, or listed
    /// only by a digest that is itself not valid.
    Unverified,
}

impl Status {
    /// Whether this verdict is a finding (makes `ctl validate` exit 1).
    pub fn is_finding(self) -> bool {
        matches!(self, Status::Invalid | Status::NotFound | Status::Unreferenced)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::NotFound => "not_found",
            Status::Unreferenced => "unreferenced",
            Status::Uncovered => "uncovered",
            Status::Unverified => "unverified",
        }
    }
}

/// What an item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Digest,
    Log,
    /// A period with no digest (a restart of the chain, or missing digests).
    Gap,
}

/// One verdict, in the order the AWS CLI would print it (newest digest first, each digest
/// followed by its log files).
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    #[serde(rename = "type")]
    pub kind: Kind,
    /// The S3 key, as written in the digest (or as found in the dump).
    pub key: String,
    /// The local file, when there is one.
    pub path: Option<PathBuf>,
    pub status: Status,
    /// The AWS CLI's words for an invalid item, or why an item is not valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether the item belongs to the backfill pass.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub backfill: bool,
    /// Start and end of a gap (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

impl Item {
    pub fn new(kind: Kind, key: impl Into<String>, path: Option<PathBuf>, status: Status) -> Item {
        Item { kind, key: key.into(), path, status, reason: None, backfill: false, start: None, end: None }
    }

    pub fn because(mut self, reason: impl Into<String>) -> Item {
        self.reason = Some(reason.into());
        self
    }
}

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
    pub fn add(&mut self, status: Status) {
        self.total += 1;
        match status {
            Status::Valid => self.valid += 1,
            Status::Invalid => self.invalid += 1,
            Status::NotFound => self.not_found += 1,
            Status::Unreferenced => self.unreferenced += 1,
            Status::Uncovered => self.uncovered += 1,
            Status::Unverified => self.unverified += 1,
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
    pub items: Vec<Item>,
    /// The span the valid digests cover (the AWS CLI's "Results found for").
    pub covered: Option<(String, String)>,
}

/// Counts for a chain (or the whole run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub digests: Tally,
    pub backfill_digests: Tally,
    pub logs: Tally,
    pub gaps: usize,
}

impl Counts {
    pub fn of(items: &[Item]) -> Counts {
        let mut counts = Counts::default();
        for item in items {
            match (item.kind, item.backfill) {
                (Kind::Digest, false) => counts.digests.add(item.status),
                (Kind::Digest, true) => counts.backfill_digests.add(item.status),
                (Kind::Log, _) => counts.logs.add(item.status),
                (Kind::Gap, _) => counts.gaps += 1,
            }
        }
        counts
    }

    pub fn merge(&mut self, other: &Counts) {
        self.digests.merge(&other.digests);
        self.backfill_digests.merge(&other.backfill_digests);
        self.logs.merge(&other.logs);
        self.gaps += other.gaps;
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
    pub loose: Vec<Item>,
    pub skipped: Vec<Skipped>,
    /// Folders that could not be read.
    pub unreadable: Vec<Skipped>,
    /// The bucket the digests were checked against.
    pub bucket: Option<String>,
    /// Uncompressed bytes of log files hashed.
    pub bytes_hashed: u64,
}

impl Report {
    /// Whether anything is invalid, missing or unreferenced.
    pub fn has_findings(&self) -> bool {
        self.chains.iter().flat_map(|c| &c.items).chain(&self.loose).any(|i| i.status.is_finding())
    }

    /// Counts over every chain and the loose items.
    pub fn totals(&self) -> Counts {
        let mut total = Counts::of(&self.loose);
        for chain in &self.chains {
            total.merge(&Counts::of(&chain.items));
        }
        total
    }
}
