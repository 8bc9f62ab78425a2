//! What a dump holds, in one pass: the report of `ctl summary`.
//!
//! [`tally::Summarize`] is the scan engine's visitor: each worker thread keeps a [`tally::Tally`]
//! (counts per distinct value, stored once; sets of 8-byte digests where only the number of
//! distinct values is shown, such as temporary access keys), merged at the end and turned into a
//! [`Summary`] by [`tally::Tally::report`]. What comes from paths rather than events (trails,
//! organizations, hours without delivery) is read from the discovery ([`delivery`]).
//!
//! Lists are cut to the report's `top` rows, most frequent first; every total and every number
//! of distinct values stays exact, and each cut list says so (`cut`). The JSON form of
//! [`Summary`] is documented in `docs/summary.md`.

pub mod counter;
pub mod delivery;
pub mod tally;

use serde::{Deserialize, Serialize};

pub use counter::{Count, Top};
pub use delivery::{DeliveryRow, Gap};

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Accounts the events were recorded for (`recipientAccountId`), most events first.
    pub accounts: Top,
    /// Organization ids named by the dump's layout.
    pub organizations: Vec<String>,
    /// `awsRegion` of the events.
    pub regions: Top,
    /// Trails that delivered digests into the dump.
    pub trails: Vec<TrailRow>,
    /// First and last `eventTime` (UTC, RFC 3339).
    pub span: Span,
    pub volume: Volume,
    /// Events per UTC day, in day order, days without events included (between the first and
    /// the last; at most [`MAX_DAYS`] days, the latest).
    pub per_day: Vec<DayCount>,
    pub event_names: Top,
    pub event_sources: Top,
    pub identities: Identities,
    pub sign_ins: SignIns,
    pub root: RootUse,
    pub access_keys: AccessKeys,
    pub user_agents: Top,
    pub error_codes: Top,
    /// Per account and region of the log files: deliveries and the hours without any.
    pub delivery: Vec<DeliveryRow>,
    pub digests: Digests,
}

/// What a summary says of the files themselves (their names and the `AWSLogs/` layout) rather
/// than of their events. An export keeps these of its source ([`FileFacts::of`] its discovery),
/// since its rows do not: a summary of the export then reports the source's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    pub organizations: Vec<String>,
    pub trails: Vec<TrailRow>,
    pub delivery: Vec<DeliveryRow>,
    pub digests: Digests,
}

impl FileFacts {
    /// The facts of the files `discovery` found.
    pub fn of(discovery: &crate::scan::Discovery) -> FileFacts {
        FileFacts {
            organizations: discovery.organizations.iter().cloned().collect(),
            trails: discovery
                .digest_chains
                .iter()
                .map(|((account, region, trail), n)| TrailRow {
                    account: account.clone(),
                    region: region.clone(),
                    trail: trail.clone(),
                    digests: *n,
                })
                .collect(),
            delivery: delivery::deliveries(&discovery.inputs),
            digests: Digests {
                files: discovery.skipped.count(crate::scan::Skip::Digest),
                chains: discovery.digest_chains.len() as u64,
                validate: None,
            },
        }
    }

    /// Adds the facts of other files (another input), keeping each list in its order.
    pub fn add(&mut self, other: FileFacts) {
        self.organizations.extend(other.organizations);
        self.organizations.sort_unstable();
        self.organizations.dedup();
        self.trails.extend(other.trails);
        self.trails.sort_by(|a, b| (&a.account, &a.region, &a.trail).cmp(&(&b.account, &b.region, &b.trail)));
        self.delivery.extend(other.delivery);
        self.delivery.sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
        self.digests.files += other.digests.files;
        self.digests.chains += other.digests.chains;
    }
}

/// The longest run of days `per_day` lists.
pub const MAX_DAYS: usize = 3660;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailRow {
    pub account: String,
    pub region: String,
    pub trail: String,
    /// Digest files of this trail, account and region.
    pub digests: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Span {
    pub first: Option<String>,
    pub last: Option<String>,
}

/// How much was read and counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Volume {
    /// Log files read.
    pub files: u64,
    /// Files that could not be read, in full or in part.
    pub unreadable_files: u64,
    /// Records handed over by the files (copies included).
    pub records: u64,
    /// Distinct events selected and counted (every figure of the report counts these).
    pub events: u64,
    /// Copies of events delivered more than once, dropped.
    pub copies_dropped: u64,
    /// Records that were not valid JSON records, or not CloudTrail events.
    pub invalid_records: u64,
    pub not_events: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub events: u64,
}

/// Who made the calls: one row per identity (its ARN, else the service that made the call, the
/// user name, the principal id, or the identity type).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Identities {
    pub distinct: u64,
    pub cut: bool,
    /// Most events first.
    pub rows: Vec<IdentityRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IdentityRow {
    pub identity: String,
    /// `userIdentity.type` (of its first event).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub events: u64,
    /// Calls refused for want of permission (`AccessDenied*`, `*Unauthorized*`).
    pub denied: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub regions: Top,
    pub source_ips: Top,
    /// Distinct access keys used (long-term and temporary).
    pub access_keys: u64,
    pub event_names: Top,
}

/// Console sign-ins (`ConsoleLogin`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SignIns {
    pub success: u64,
    pub failure: u64,
    /// Successful sign-ins whose `additionalEventData.MFAUsed` is not `Yes` (any case).
    pub without_mfa: u64,
    /// Failed sign-ins per identity (user name or ARN).
    pub failures_by_identity: Top,
    /// Successful sign-ins without MFA per identity.
    pub without_mfa_by_identity: Top,
    /// Source addresses of failed sign-ins.
    pub failure_source_ips: Top,
}

/// Use of the root user (`userIdentity.type` `Root`, not invoked by a service).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RootUse {
    pub events: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub accounts: Top,
    pub event_names: Top,
    pub source_ips: Top,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AccessKeys {
    /// Long-term keys (`AKIA...`), most events first.
    pub long_term: KeyList,
    /// Temporary keys (`ASIA...`): how many distinct (per identity using them, summed: a
    /// temporary key is one session's), and the events made with them.
    pub temporary_distinct: u64,
    pub temporary_events: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct KeyList {
    pub distinct: u64,
    pub cut: bool,
    pub rows: Vec<KeyRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyRow {
    pub access_key: String,
    /// The identity that used it (the first seen).
    pub identity: String,
    pub events: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub source_ips: u64,
}

/// Digest files: whether the dump can be proven intact (`ctl validate`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digests {
    pub files: u64,
    /// Digest chains (account x region x trail).
    pub chains: u64,
    /// The command that proves the dump intact (filled in by the caller, which knows how the
    /// paths were given).
    pub validate: Option<String>,
}

/// Whether an error code says the caller lacked a permission (`AccessDenied*`,
/// `*Unauthorized*` such as EC2's `Client.UnauthorizedOperation`).
pub fn is_denied(code: &str) -> bool {
    code.starts_with("AccessDenied") || code.contains("Unauthorized")
}

/// Milliseconds since the epoch as RFC 3339 UTC.
pub(crate) fn time_text(ms: Option<i64>) -> Option<String> {
    ms.and_then(chrono::DateTime::from_timestamp_millis).map(crate::time::format_utc)
}
