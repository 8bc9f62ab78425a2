//! The query plan: what `ctl query` looks for and how it reports it. A [`Request`] (text, as
//! typed) is validated once into a [`Plan`]; its [`Criteria`], shared by every command that selects
//! events, compile to a [`Scope`]: the predicates ([`Selection`]), the byte literals they imply
//! ([`screen::LiteralScreen`]) and the folders worth reading ([`Prune`]). Wildcard values (`Delete*`) are
//! [`Glob`]s, the filter crate's.
//!
//! Predicates combine as the command line says: values of one flag are alternatives (OR),
//! different flags must all hold (AND). An event lacking a field, or holding it in another
//! type than usual, does not match a predicate on that field.

pub mod collect;
pub mod screen;
pub mod spill;

use std::net::IpAddr;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use cwl_filter::Glob;
use ipnet::IpNet;

use crate::fields::{FieldError, FieldPath};
use crate::record::EventView;
use crate::scan::Prune;
use screen::{Literal, LiteralScreen};

/// Why a [`Request`] does not make a query. A wrapped error is the `source()`, not repeated in
/// the message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    #[error("--{flag}")]
    Time { flag: &'static str, source: crate::time::TimeError },
    #[error("--ip {0:?} is neither an IP address nor a CIDR block (e.g. 203.0.113.7, 10.0.0.0/8, 2001:db8::/32)")]
    Ip(String),
    #[error("--since {since} is not before --until {until}")]
    EmptyWindow { since: String, until: String },
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error("--{0} must not be empty")]
    Empty(&'static str),
    #[error("--stats and --distinct describe groups: add --count-by FIELD or --bucket DURATION")]
    GroupingWithoutGroups,
    #[error("--top picks the most frequent groups; a time series (--bucket) lists them in time order")]
    TopWithBucket,
    #[error("--limit applies to events; with --count-by use --top")]
    LimitWithCount,
    /// The `--where` pattern does not parse; the error names its byte offset.
    #[error("--where")]
    Where(#[source] cwl_filter::PatternError),
}

/// Compiles a `--where` CloudWatch Logs filter pattern.
fn compile_where(text: &str) -> Result<cwl_filter::Pattern, PlanError> {
    cwl_filter::Pattern::parse(text).map_err(PlanError::Where)
}

/// The compiled predicates.
#[derive(Debug, Default)]
pub struct Selection {
    pub events: Vec<Glob>,
    pub sources: Vec<Glob>,
    pub users: Vec<Glob>,
    pub arns: Vec<Glob>,
    pub identity_types: Vec<String>,
    pub access_keys: Vec<String>,
    pub ips: Vec<IpNet>,
    /// `*` alone means any failed call.
    pub errors: Vec<Glob>,
    /// `Some(true)`: read-only calls only; `Some(false)`: mutating calls only.
    pub read_only: Option<bool>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// Inclusive, milliseconds since the epoch.
    pub since_ms: Option<i64>,
    /// Exclusive.
    pub until_ms: Option<i64>,
    /// `--where`: tested against the event as CloudWatch Logs holds it.
    pub pattern: Option<cwl_filter::Pattern>,
}

fn any<T>(alternatives: &[T], test: impl Fn(&T) -> bool) -> bool {
    alternatives.is_empty() || alternatives.iter().any(test)
}

impl Selection {
    /// Whether there is no predicate at all (every event matches).
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
            && self.sources.is_empty()
            && self.users.is_empty()
            && self.arns.is_empty()
            && self.identity_types.is_empty()
            && self.access_keys.is_empty()
            && self.ips.is_empty()
            && self.errors.is_empty()
            && self.read_only.is_none()
            && self.accounts.is_empty()
            && self.regions.is_empty()
            && self.since_ms.is_none()
            && self.until_ms.is_none()
            && self.pattern.is_none()
    }

    /// Whether the event matches every predicate. `raw` is the record the view was read from.
    pub fn matches(&self, view: &EventView<'_>, raw: &[u8]) -> bool {
        let text_matches = |patterns: &[Glob], value: Option<std::borrow::Cow<'_, str>>| {
            patterns.is_empty() || value.is_some_and(|v| patterns.iter().any(|p| p.is_match(v.as_bytes())))
        };
        let exact = |wanted: &[String], value: Option<std::borrow::Cow<'_, str>>| {
            wanted.is_empty() || value.is_some_and(|v| wanted.iter().any(|w| *w == v))
        };
        if !text_matches(&self.events, view.event_name())
            || !text_matches(&self.sources, view.event_source())
            || !exact(&self.accounts, view.recipient_account_id())
            || !exact(&self.regions, view.aws_region())
        {
            return false;
        }
        if let Some(want) = self.read_only {
            if view.read_only() != Some(want) {
                return false;
            }
        }
        if !self.errors.is_empty() && !self.errors.iter().any(|p| failure_matches(view, p)) {
            return false;
        }
        if self.since_ms.is_some() || self.until_ms.is_some() {
            let Some(t) = view.event_time_ms() else {
                return false;
            };
            if self.since_ms.is_some_and(|s| t < s) || self.until_ms.is_some_and(|u| t >= u) {
                return false;
            }
        }
        if !self.ips.is_empty() {
            let Some(ip) = view.source_ip_address() else {
                return false;
            };
            // sourceIPAddress may be a service name, or a comma-separated chain of proxies.
            let hit = ip
                .split(',')
                .filter_map(|part| part.trim().parse::<IpAddr>().ok())
                .any(|addr| self.ips.iter().any(|net| net.contains(&addr)));
            if !hit {
                return false;
            }
        }
        if !self.users.is_empty()
            || !self.arns.is_empty()
            || !self.identity_types.is_empty()
            || !self.access_keys.is_empty()
        {
            let id = view.identity();
            let user_ok = any(&self.users, |p| {
                id.user_name.as_deref().is_some_and(|n| p.is_match(n.as_bytes()))
                    || id.session_name().is_some_and(|n| p.is_match(n.as_bytes()))
            });
            let arn_ok = any(&self.arns, |p| {
                id.arn.as_deref().is_some_and(|a| p.is_match(a.as_bytes()))
                    || id.issuer_arn.as_deref().is_some_and(|a| p.is_match(a.as_bytes()))
            });
            let type_ok = any(&self.identity_types, |t| id.kind.as_deref().is_some_and(|k| k.eq_ignore_ascii_case(t)));
            let key_ok = any(&self.access_keys, |k| id.access_key_id.as_deref() == Some(k.as_str()));
            if !(user_ok && arn_ok && type_ok && key_ok) {
                return false;
            }
        }
        if let Some(pattern) = &self.pattern {
            if !pattern.matches(&crate::record::event_text(raw)) {
                return false;
            }
        }
        true
    }
}

/// Whether the event failed in a way `pattern` (an `--error` value) names: its `errorCode`
/// matches; or, for a failed console sign-in (no `errorCode`, `responseElements.ConsoleLogin`
/// = `Failure`), its `errorMessage` does (`*` alone matches every failure).
fn failure_matches(view: &EventView<'_>, pattern: &Glob) -> bool {
    match view.error_code() {
        Some(code) if !code.is_empty() => pattern.is_match(code.as_bytes()),
        _ if view.is_failed_sign_in() => pattern.is_match(view.error_message().unwrap_or_default().as_bytes()),
        _ => false,
    }
}

/// What the query prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Matching events, by eventTime (ties by file and position) unless `ordered` is false.
    Events { fields: Vec<FieldPath>, ordered: bool, limit: Option<usize> },
    /// Counts of matches per distinct value of the fields, most frequent first.
    Count(Grouping),
}

/// Which events, as the user wrote it before validation: every value is text, as typed. Shared
/// by every command that selects events (query, and those built on its plan).
///
/// Values of one field are alternatives (OR); different fields must all hold (AND).
#[derive(Debug, Clone, Default)]
pub struct Criteria {
    /// `eventName` wildcards.
    pub event: Vec<String>,
    /// `eventSource` wildcards; a bare service name (`ec2`) means `ec2.amazonaws.com`.
    pub source: Vec<String>,
    /// `userName` or the session name of an assumed role, wildcards allowed.
    pub user: Vec<String>,
    /// The identity's or session issuer's ARN, wildcards allowed.
    pub arn: Vec<String>,
    /// `userIdentity.type`, compared without regard to case.
    pub identity_type: Vec<String>,
    /// `userIdentity.accessKeyId`, exactly.
    pub access_key: Vec<String>,
    /// Addresses or CIDR blocks, IPv4 or IPv6.
    pub ip: Vec<String>,
    /// `errorCode` wildcards (for a failed console sign-in, which has no `errorCode`, its
    /// `errorMessage`); `*` means any failed call or sign-in.
    pub error: Vec<String>,
    /// `Some(true)`: read-only calls only; `Some(false)`: mutating calls only.
    pub read_only: Option<bool>,
    /// `recipientAccountId`, and the account folder of a tree.
    pub account: Vec<String>,
    /// `awsRegion`, and the region folder of a tree.
    pub region: Vec<String>,
    /// Events at or after this time (see [`crate::time::parse_time`]).
    pub since: Option<String>,
    /// Events before this time.
    pub until: Option<String>,
    /// A CloudWatch Logs filter pattern the event must match.
    pub pattern: Option<String>,
}

/// Validated [`Criteria`]: the predicates, the byte literals any match holds, and the folders
/// of a tree that may hold a match.
#[derive(Debug)]
pub struct Scope {
    pub selection: Selection,
    pub prefilter: LiteralScreen,
    pub prune: Prune,
}

/// A query as the user wrote it: which events ([`Criteria`]), from where, and what to print.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Files or trees to scan; `-` is standard input; empty means the current directory.
    pub paths: Vec<PathBuf>,
    /// Which events.
    pub criteria: Criteria,
    /// Fields to print (dotted paths); empty means the whole event.
    pub fields: Vec<String>,
    /// Stop after this many matching events.
    pub limit: Option<usize>,
    /// Count matches by these fields instead of listing events.
    pub count_by: Vec<String>,
    /// With `count_by`: only the most frequent rows.
    pub top: Option<usize>,
    /// Group by time too: a bucket length (`1h`, `1d`, `15m`); alone, a time series.
    pub bucket: Option<String>,
    /// Per group: first and last `eventTime`.
    pub stats: bool,
    /// Per group: the number of distinct values of this field.
    pub distinct: Option<String>,
    /// List events as found rather than by `eventTime`.
    pub unordered: bool,
    /// Stop at the first unreadable or malformed file.
    pub strict: bool,
}

/// How `--count-by` groups matches and what it reports per group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping {
    /// The fields whose values make a group (may be empty with a `bucket`).
    pub by: Vec<FieldPath>,
    /// Group also by `eventTime` truncated to this many seconds (a time series): the bucket's
    /// start is the first key, rows come in time order, and when it is the only key every bucket
    /// between the first and the last one is listed, empty ones with a count of 0.
    pub bucket: Option<i64>,
    /// Report each group's first and last `eventTime`.
    pub stats: bool,
    /// Report each group's number of distinct values of this field.
    pub distinct: Option<FieldPath>,
    /// Only the most frequent rows (without a bucket).
    pub top: Option<usize>,
}

impl Mode {
    /// What `args` asks to print: events, or groups (`count_by`, `bucket`).
    fn new(args: &Request) -> Result<Mode, PlanError> {
        let fields = |values: &[String]| values.iter().map(|f| FieldPath::known(f)).collect::<Result<Vec<_>, _>>();
        let grouped = !args.count_by.is_empty() || args.bucket.is_some();
        if !grouped {
            if args.stats || args.distinct.is_some() {
                return Err(PlanError::GroupingWithoutGroups);
            }
            return Ok(Mode::Events { fields: fields(&args.fields)?, ordered: !args.unordered, limit: args.limit });
        }
        if args.limit.is_some() {
            return Err(PlanError::LimitWithCount);
        }
        let bucket = args
            .bucket
            .as_deref()
            .map(|b| {
                crate::time::parse_period(b)
                    .map(|secs| secs as i64)
                    .map_err(|source| PlanError::Time { flag: "bucket", source })
            })
            .transpose()?;
        if bucket.is_some() && args.top.is_some() {
            return Err(PlanError::TopWithBucket);
        }
        Ok(Mode::Count(Grouping {
            by: fields(&args.count_by)?,
            bucket,
            stats: args.stats,
            distinct: args.distinct.as_deref().map(FieldPath::known).transpose()?,
            top: args.top,
        }))
    }
}

/// A validated query.
#[derive(Debug)]
pub struct Plan {
    pub paths: Vec<PathBuf>,
    pub selection: Selection,
    pub prefilter: LiteralScreen,
    pub prune: Prune,
    pub mode: Mode,
    pub strict: bool,
}

/// The literal that best narrows a wildcard: the longest run of never-escaped characters in
/// its pieces, marked as starting/ending the JSON string when it starts the first piece or
/// ends the last one (and `quoted` says the value is a whole JSON string).
fn best_literal(pattern: &Glob, quoted: bool) -> Option<Literal> {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_.:@+=,".contains(c);
    let pieces = pattern.parts();
    let last = pieces.len() - 1;
    let mut best: Option<(usize, Literal)> = None;
    for (i, piece) in pieces.iter().enumerate() {
        let mut start = 0;
        for run in piece.split(|c: char| !safe(c)) {
            let open = quoted && i == 0 && start == 0;
            let close = quoted && i == last && start + run.len() == piece.len();
            if let Some(lit) = Literal::new(run, open, close) {
                let weight = run.len() + 4 * usize::from(open) + 4 * usize::from(close);
                if best.as_ref().is_none_or(|(w, _)| weight > *w) {
                    best = Some((weight, lit));
                }
            }
            start += run.len() + 1;
        }
    }
    best.map(|(_, lit)| lit)
}

impl Criteria {
    /// Validates the criteria; `now` anchors durations such as `--since 7d`.
    pub fn compile(&self, now: DateTime<Utc>) -> Result<Scope, PlanError> {
        let nonempty = |values: &[String], flag: &'static str| -> Result<Vec<String>, PlanError> {
            if values.iter().any(|v| v.trim().is_empty()) {
                return Err(PlanError::Empty(flag));
            }
            Ok(values.iter().map(|v| v.trim().to_string()).collect())
        };
        let wildcards = |values: Vec<String>| values.iter().map(|v| Glob::new(v)).collect::<Vec<_>>();
        let sources = nonempty(&self.source, "source")?
            .into_iter()
            .map(|s| if s.contains('.') || s.contains('*') { s } else { format!("{s}.amazonaws.com") })
            .collect();
        let ips = self
            .ip
            .iter()
            .map(|s| {
                let s = s.trim();
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| PlanError::Ip(s.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let time = |flag: &'static str, value: &Option<String>| {
            value
                .as_deref()
                .map(|v| crate::time::parse_time(v, now).map_err(|source| PlanError::Time { flag, source }))
                .transpose()
        };
        let since = time("since", &self.since)?;
        let until = time("until", &self.until)?;
        if let (Some(s), Some(u)) = (since, until) {
            if s >= u {
                return Err(PlanError::EmptyWindow {
                    since: crate::time::format_utc(s),
                    until: crate::time::format_utc(u),
                });
            }
        }
        let selection = Selection {
            events: wildcards(nonempty(&self.event, "event")?),
            sources: wildcards(sources),
            users: wildcards(nonempty(&self.user, "user")?),
            arns: wildcards(nonempty(&self.arn, "arn")?),
            identity_types: nonempty(&self.identity_type, "identity-type")?,
            access_keys: nonempty(&self.access_key, "access-key")?,
            ips,
            errors: wildcards(nonempty(&self.error, "error")?),
            read_only: self.read_only,
            accounts: nonempty(&self.account, "account")?,
            regions: nonempty(&self.region, "region")?,
            since_ms: since.map(|t| t.timestamp_millis()),
            until_ms: until.map(|t| t.timestamp_millis()),
            pattern: self.pattern.as_deref().map(compile_where).transpose()?,
        };
        let prefilter = prefilter_for(&selection);
        let prune = Prune { accounts: selection.accounts.clone(), regions: selection.regions.clone(), since, until };
        Ok(Scope { selection, prefilter, prune })
    }
}

/// The paths to read: those given, or the current directory.
pub fn paths_or_here(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
}

impl Plan {
    /// Validates the arguments; `now` anchors durations such as `--since 7d`.
    pub fn new(args: &Request, now: DateTime<Utc>) -> Result<Plan, PlanError> {
        let Scope { selection, prefilter, prune } = args.criteria.compile(now)?;
        let mode = Mode::new(args)?;
        Ok(Plan { paths: paths_or_here(&args.paths), selection, prefilter, prune, mode, strict: args.strict })
    }
}

/// The literals the predicates imply (see [`prefilter`]).
fn prefilter_for(s: &Selection) -> LiteralScreen {
    let mut p = LiteralScreen::default();
    let quoted = |patterns: &[Glob]| patterns.iter().map(|w| best_literal(w, true)).collect::<Vec<_>>();
    let exact = |values: &[String]| values.iter().map(|v| Literal::new(v, true, true)).collect::<Vec<_>>();
    p.require_any(quoted(&s.events));
    p.require_any(exact(&s.access_keys));
    // An ARN may be the identity's or its session issuer's: both are whole JSON strings.
    p.require_any(quoted(&s.arns));
    // A user name ends a string: `"alice"` as userName, `.../alice"` as a session ARN.
    p.require_any(s.users.iter().map(|w| best_literal(w, false)).collect());
    p.require_any(
        s.ips
            .iter()
            .map(|net| match net {
                IpNet::V4(v4) if v4.prefix_len() == 32 => Literal::new(&v4.addr().to_string(), false, false),
                _ => None,
            })
            .collect(),
    );
    if s.errors.iter().any(|w| w.parts().iter().all(|p| p.is_empty())) {
        // Any failure: an errorCode, or a failed console sign-in.
        p.require_any(vec![Literal::new("errorCode", true, true), Literal::new("Failure", true, true)]);
    } else {
        p.require_any(quoted(&s.errors));
    }
    p.require_any(quoted(&s.sources));
    p.require_any(exact(&s.accounts));
    p.require_any(exact(&s.regions));
    if let Some(pattern) = &s.pattern {
        p.require_pattern(crate::record::file_screen(pattern).cloned());
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan from flags written as on the command line (`--error` alone means any error).
    fn plan(args: &[&str]) -> Result<Plan, PlanError> {
        let mut r = Request::default();
        let mut args = args.iter().peekable();
        while let Some(flag) = args.next() {
            let mut value = || args.next().map(|v| v.to_string()).unwrap();
            match *flag {
                "--event" => r.criteria.event.push(value()),
                "--source" => r.criteria.source.push(value()),
                "--user" => r.criteria.user.push(value()),
                "--arn" => r.criteria.arn.push(value()),
                "--identity-type" => r.criteria.identity_type.push(value()),
                "--access-key" => r.criteria.access_key.push(value()),
                "--ip" => r.criteria.ip.push(value()),
                "--error" => r.criteria.error.push(args.next_if(|v| !v.starts_with("--")).unwrap_or(&"*").to_string()),
                "--read-only" => r.criteria.read_only = Some(true),
                "--write-only" => r.criteria.read_only = Some(false),
                "--account" => r.criteria.account.push(value()),
                "--region" => r.criteria.region.push(value()),
                "--since" => r.criteria.since = Some(value()),
                "--until" => r.criteria.until = Some(value()),
                "--fields" => r.fields.push(value()),
                "--count-by" => r.count_by.push(value()),
                "--limit" => r.limit = Some(value().parse().unwrap()),
                other => panic!("unknown flag {other}"),
            }
        }
        let now = DateTime::parse_from_rfc3339("2026-01-10T00:00:00Z").unwrap().with_timezone(&Utc);
        Plan::new(&r, now)
    }

    fn matches(p: &Plan, raw: &str) -> bool {
        let view = EventView::parse(raw.as_bytes()).unwrap();
        p.selection.matches(&view, raw.as_bytes())
    }

    const EV: &str = r#"{"eventTime":"2026-01-05T10:00:00Z","eventName":"DeleteBucket","eventSource":"s3.amazonaws.com",
        "awsRegion":"us-east-1","recipientAccountId":"111122223333","sourceIPAddress":"203.0.113.7, 10.0.0.1",
        "readOnly":false,"errorCode":"AccessDenied","userIdentity":{"type":"AssumedRole",
        "arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice","accessKeyId":"ASIAEXAMPLE",
        "sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::111122223333:role/Admin"}}}}"#;

    #[test]
    fn each_predicate_matches_and_rejects() {
        let cases: &[(&[&str], bool)] = &[
            (&["--event", "DeleteBucket"], true),
            (&["--event", "Delete*", "--event", "Nope"], true),
            (&["--event", "DeleteBucketPolicy"], false),
            (&["--source", "s3"], true),
            (&["--source", "ec2"], false),
            (&["--user", "alice"], true),
            (&["--user", "bob"], false),
            (&["--arn", "arn:aws:iam::*:role/Admin"], true),
            (&["--arn", "*:user/*"], false),
            (&["--identity-type", "assumedrole"], true),
            (&["--access-key", "ASIAEXAMPLE"], true),
            (&["--ip", "10.0.0.0/8"], true),
            (&["--ip", "2001:db8::/32"], false),
            (&["--error"], true),
            (&["--error", "Throttl*"], false),
            (&["--write-only"], true),
            (&["--read-only"], false),
            (&["--account", "111122223333", "--region", "us-east-1"], true),
            (&["--region", "eu-west-1"], false),
            (&["--since", "2026-01-05T10:00:00Z", "--until", "2026-01-05T10:00:01Z"], true),
            (&["--since", "4d"], false),
            (&["--event", "DeleteBucket", "--user", "bob"], false),
        ];
        for (args, expected) in cases {
            let p = plan(args).unwrap();
            assert_eq!(matches(&p, EV), *expected, "{args:?}");
            if *expected {
                assert!(p.prefilter.may_match(EV.as_bytes()), "prefilter must pass a match: {args:?}");
            }
        }
    }

    #[test]
    fn events_without_the_field_do_not_match() {
        let p = plan(&["--since", "2020-01-01", "--error"]).unwrap();
        assert!(!matches(&p, r#"{"eventName":"X","errorCode":""}"#));
        assert!(!matches(&p, r#"{"eventTime":"redacted","errorCode":"E"}"#));
    }

    #[test]
    fn bad_arguments_are_refused_with_a_hint() {
        assert!(matches!(plan(&["--ip", "300.1.1.1"]), Err(PlanError::Ip(_))));
        assert!(matches!(plan(&["--since", "tomorrow"]), Err(PlanError::Time { .. })));
        assert!(matches!(
            plan(&["--since", "2026-01-02", "--until", "2026-01-01"]),
            Err(PlanError::EmptyWindow { .. })
        ));
        assert!(matches!(plan(&["--count-by", "eventName", "--limit", "3"]), Err(PlanError::LimitWithCount)));
        assert!(matches!(plan(&["--fields", "a..b"]), Err(PlanError::Field(_))));
        assert!(matches!(plan(&["--event", ""]), Err(PlanError::Empty("event"))));
    }

    #[test]
    fn literals_come_from_safe_runs() {
        let lit = best_literal(&Glob::new("arn:aws:iam::*:role/Admin"), true).unwrap();
        assert!(lit.occurs_in(br#""arn:aws:iam::1:role/Admin""#));
        assert!(best_literal(&Glob::new("a*b"), true).is_none());
    }
}
