//! The summary's visitor and its per-thread accumulator.
//!
//! Every section is filled in the same pass, from the borrowed [`EventView`] the matcher already
//! parsed (plus one walk of `userIdentity`). Nothing is allocated per event: texts are counted in
//! [`Counter`]s that store a value once, at its first sighting; where the report shows only how
//! many distinct values there were (an identity's keys, temporary or not), 8-byte digests are kept.

use super::counter::{digest, Addresses, Counter, Map, Set};
use super::{
    is_denied, time_text, AccessKeys, DayCount, FileFacts, Identities, IdentityRow, KeyList, KeyRow, RootUse, SignIns,
    Span, Summary, Volume, MAX_DAYS,
};
use crate::query::collect::Matcher;
use crate::record::{EventView, Identity, Refusal};
use crate::scan::{Discovery, Visitor};

/// Rows shown per list of an identity (its event names, addresses, regions).
const IDENTITY_TOP: usize = 5;

/// Collects a [`Tally`] of the events the matcher selects.
pub struct Summarize<'p> {
    pub matcher: Matcher<'p>,
}

impl Visitor for Summarize<'_> {
    type Acc = Tally;

    fn new_acc(&self) -> Tally {
        Tally::default()
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.matcher.file_may_match(data)
    }

    fn record(&self, acc: &mut Tally, _file: usize, _ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
        if let Some(view) = self.matcher.check(raw)? {
            acc.add(&view);
        }
        Ok(())
    }

    fn merge(&self, mut a: Tally, b: Tally) -> Tally {
        a.merge(b);
        a
    }
}

/// First and last time (Unix ms) of something.
#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    first: Option<i64>,
    last: Option<i64>,
}

impl Seen {
    fn at(&mut self, t: Option<i64>) {
        if let Some(t) = t {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
    }
    fn merge(&mut self, o: Seen) {
        self.at(o.first);
        self.at(o.last);
    }
}

#[derive(Debug, Default)]
struct IdentityStat {
    kind: Option<Box<str>>,
    events: u64,
    denied: u64,
    seen: Seen,
    regions: Counter,
    ips: Addresses,
    names: Counter,
    /// Distinct keys it used (digests): one set serves both the identity's count and, summed
    /// over identities, the number of distinct temporary keys (a temporary key belongs to one
    /// session, so to one identity).
    keys: Set<u64>,
}

impl IdentityStat {
    fn merge(&mut self, o: IdentityStat) {
        if self.kind.is_none() {
            self.kind = o.kind;
        }
        self.events += o.events;
        self.denied += o.denied;
        self.seen.merge(o.seen);
        self.regions.merge(o.regions);
        self.ips.merge(o.ips);
        self.names.merge(o.names);
        self.keys.extend(o.keys);
    }
}

#[derive(Debug, Default)]
struct KeyStat {
    identity: Box<str>,
    events: u64,
    seen: Seen,
    ips: Set<u64>,
}

/// One thread's counts (see the module doc).
#[derive(Debug, Default)]
pub struct Tally {
    events: u64,
    span: Seen,
    /// Events per day (days since the epoch).
    days: Map<i64, u64>,
    accounts: Counter,
    regions: Counter,
    names: Counter,
    sources: Counter,
    agents: Counter,
    errors: Counter,
    identities: Map<Box<str>, IdentityStat>,
    sign_in_success: u64,
    sign_in_failure: u64,
    without_mfa: u64,
    failures_by: Counter,
    without_mfa_by: Counter,
    failure_ips: Counter,
    root_events: u64,
    root_seen: Seen,
    root_accounts: Counter,
    root_names: Counter,
    root_ips: Counter,
    long_keys: Map<Box<str>, KeyStat>,
    temporary_events: u64,
}

/// The name an identity is listed under: its ARN, else the service that made the call, the
/// user name, the principal id, the type.
fn identity_label<'a>(id: &'a Identity<'_>) -> &'a str {
    [&id.arn, &id.invoked_by, &id.user_name, &id.principal_id, &id.kind]
        .into_iter()
        .find_map(|v| v.as_deref())
        .unwrap_or("(no identity)")
}

impl Tally {
    /// Counts one selected event.
    pub fn add(&mut self, view: &EventView<'_>) {
        self.events += 1;
        let time = view.event_time_ms();
        self.span.at(time);
        if let Some(t) = time {
            *self.days.entry(t.div_euclid(86_400_000)).or_default() += 1;
        }
        let name = view.event_name();
        let name = name.as_deref().unwrap_or("(none)");
        self.names.add(name, 1);
        self.sources.add(view.event_source().as_deref().unwrap_or("(none)"), 1);
        let region = view.aws_region();
        let region = region.as_deref().unwrap_or("(none)");
        self.regions.add(region, 1);
        self.accounts.add(view.recipient_account_id().as_deref().unwrap_or("(none)"), 1);
        self.agents.add(view.user_agent().as_deref().unwrap_or("(none)"), 1);
        let error = view.error_code().filter(|c| !c.is_empty());
        let denied = error.as_deref().is_some_and(is_denied);
        if let Some(code) = &error {
            self.errors.add(code, 1);
        }
        let ip = view.source_ip_address();
        let ip = ip.as_deref().unwrap_or("(none)");

        let id = view.identity_members();
        let label = identity_label(&id);
        let stat = match self.identities.get_mut(label) {
            Some(stat) => stat,
            None => self.identities.entry(label.into()).or_insert_with(|| IdentityStat {
                kind: id.kind.as_deref().map(Into::into),
                ..IdentityStat::default()
            }),
        };
        stat.events += 1;
        stat.denied += u64::from(denied);
        stat.seen.at(time);
        stat.regions.add(region, 1);
        stat.ips.add(ip);
        stat.names.add(name, 1);

        if let Some(key) = id.access_key_id.as_deref().filter(|k| !k.is_empty()) {
            // Temporary keys are told from long-term ones by the digest's low bit, which is
            // forced: the sets keep 8 bytes a key, and the report counts each kind.
            let temporary = key.starts_with("ASIA");
            let key_digest = (digest(key.as_bytes()) & !1) | u64::from(temporary);
            stat.keys.insert(key_digest);
            if temporary {
                self.temporary_events += 1;
            } else {
                let ks = match self.long_keys.get_mut(key) {
                    Some(ks) => ks,
                    None => self
                        .long_keys
                        .entry(key.into())
                        .or_insert_with(|| KeyStat { identity: label.into(), ..KeyStat::default() }),
                };
                ks.events += 1;
                ks.seen.at(time);
                ks.ips.insert(digest(ip.as_bytes()));
            }
        }

        if name == "ConsoleLogin" {
            self.sign_in(view, &id, label, ip);
        }
        if id.kind.as_deref() == Some("Root") && id.invoked_by.is_none() {
            self.root_events += 1;
            self.root_seen.at(time);
            self.root_accounts.add(view.recipient_account_id().as_deref().unwrap_or("(none)"), 1);
            self.root_names.add(name, 1);
            self.root_ips.add(ip, 1);
        }
    }

    fn sign_in(&mut self, view: &EventView<'_>, id: &Identity<'_>, label: &str, ip: &str) {
        let who = id.user_name.as_deref().unwrap_or(label);
        let result = view.response_elements.and_then(|r| crate::record::lookup(r, &["ConsoleLogin"]));
        let result = result.and_then(cwl_filter::json::str_value);
        match result.as_deref() {
            Some("Success") => {
                self.sign_in_success += 1;
                let mfa = view
                    .additional_event_data
                    .and_then(|d| crate::record::lookup(d, &["MFAUsed"]))
                    .and_then(cwl_filter::json::str_value);
                if !mfa.is_some_and(|m| m.eq_ignore_ascii_case("yes")) {
                    self.without_mfa += 1;
                    self.without_mfa_by.add(who, 1);
                }
            }
            Some("Failure") => {
                self.sign_in_failure += 1;
                self.failures_by.add(who, 1);
                self.failure_ips.add(ip, 1);
            }
            _ => {}
        }
    }

    /// Adds another thread's counts.
    pub fn merge(&mut self, mut o: Tally) {
        if o.identities.len() > self.identities.len() {
            std::mem::swap(self, &mut o);
        }
        self.events += o.events;
        self.span.merge(o.span);
        for (day, n) in o.days {
            *self.days.entry(day).or_default() += n;
        }
        self.accounts.merge(o.accounts);
        self.regions.merge(o.regions);
        self.names.merge(o.names);
        self.sources.merge(o.sources);
        self.agents.merge(o.agents);
        self.errors.merge(o.errors);
        for (label, stat) in o.identities {
            match self.identities.get_mut(&label) {
                Some(mine) => mine.merge(stat),
                None => {
                    self.identities.insert(label, stat);
                }
            }
        }
        self.sign_in_success += o.sign_in_success;
        self.sign_in_failure += o.sign_in_failure;
        self.without_mfa += o.without_mfa;
        self.failures_by.merge(o.failures_by);
        self.without_mfa_by.merge(o.without_mfa_by);
        self.failure_ips.merge(o.failure_ips);
        self.root_events += o.root_events;
        self.root_seen.merge(o.root_seen);
        self.root_accounts.merge(o.root_accounts);
        self.root_names.merge(o.root_names);
        self.root_ips.merge(o.root_ips);
        for (key, stat) in o.long_keys {
            let mine = self
                .long_keys
                .entry(key)
                .or_insert_with(|| KeyStat { identity: stat.identity.clone(), ..KeyStat::default() });
            mine.events += stat.events;
            mine.seen.merge(stat.seen);
            mine.ips.extend(stat.ips);
        }
        self.temporary_events += o.temporary_events;
    }

    /// Events counted.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The report: lists cut to `top` rows; `volume` and the discovery give what the events do not.
    pub fn report(self, discovery: &Discovery, volume: Volume, top: usize) -> Summary {
        let temporary_distinct: u64 =
            self.identities.values().map(|s| s.keys.iter().filter(|&&k| k & 1 == 1).count() as u64).sum();
        let mut identities: Vec<(Box<str>, IdentityStat)> = self.identities.into_iter().collect();
        identities.sort_unstable_by(|a, b| b.1.events.cmp(&a.1.events).then_with(|| a.0.cmp(&b.0)));
        let distinct = identities.len() as u64;
        identities.truncate(top);
        let rows = identities
            .into_iter()
            .map(|(label, s)| IdentityRow {
                access_keys: s.keys.len() as u64,
                identity: label.into(),
                kind: s.kind.map(Into::into),
                events: s.events,
                denied: s.denied,
                first: time_text(s.seen.first),
                last: time_text(s.seen.last),
                regions: s.regions.top(IDENTITY_TOP),
                source_ips: s.ips.top(IDENTITY_TOP),
                event_names: s.names.top(IDENTITY_TOP),
            })
            .collect::<Vec<_>>();
        let mut keys: Vec<(Box<str>, KeyStat)> = self.long_keys.into_iter().collect();
        keys.sort_unstable_by(|a, b| b.1.events.cmp(&a.1.events).then_with(|| a.0.cmp(&b.0)));
        let key_count = keys.len() as u64;
        keys.truncate(top);
        let files = FileFacts::of(discovery);
        Summary {
            accounts: self.accounts.top(top),
            organizations: files.organizations,
            regions: self.regions.top(top),
            trails: files.trails,
            span: Span { first: time_text(self.span.first), last: time_text(self.span.last) },
            volume,
            per_day: per_day(&self.days),
            event_names: self.names.top(top),
            event_sources: self.sources.top(top),
            identities: Identities { distinct, cut: distinct > rows.len() as u64, rows },
            sign_ins: SignIns {
                success: self.sign_in_success,
                failure: self.sign_in_failure,
                without_mfa: self.without_mfa,
                failures_by_identity: self.failures_by.top(top),
                without_mfa_by_identity: self.without_mfa_by.top(top),
                failure_source_ips: self.failure_ips.top(top),
            },
            root: RootUse {
                events: self.root_events,
                first: time_text(self.root_seen.first),
                last: time_text(self.root_seen.last),
                accounts: self.root_accounts.top(top),
                event_names: self.root_names.top(top),
                source_ips: self.root_ips.top(top),
            },
            access_keys: AccessKeys {
                long_term: KeyList {
                    distinct: key_count,
                    cut: key_count > keys.len() as u64,
                    rows: keys
                        .into_iter()
                        .map(|(key, s)| KeyRow {
                            access_key: key.into(),
                            identity: s.identity.into(),
                            events: s.events,
                            first: time_text(s.seen.first),
                            last: time_text(s.seen.last),
                            source_ips: s.ips.len() as u64,
                        })
                        .collect(),
                },
                temporary_distinct,
                temporary_events: self.temporary_events,
            },
            user_agents: self.agents.top(top),
            error_codes: self.errors.top(top),
            delivery: files.delivery,
            digests: files.digests,
        }
    }
}

/// Events per day from the first day to the last, empty days included (the latest
/// [`MAX_DAYS`] at most).
fn per_day(days: &Map<i64, u64>) -> Vec<DayCount> {
    let (Some(&first), Some(&last)) = (days.keys().min(), days.keys().max()) else { return Vec::new() };
    let first = first.max(last - MAX_DAYS as i64 + 1);
    (first..=last)
        .map(|d| DayCount {
            day: chrono::DateTime::from_timestamp(d * 86_400, 0)
                .map_or_else(String::new, |t| t.format("%Y-%m-%d").to_string()),
            events: days.get(&d).copied().unwrap_or(0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::screen::LiteralScreen;
    use crate::query::Selection;

    #[test]
    fn one_pass_fills_every_section() {
        let selection = Selection::default();
        let prefilter = LiteralScreen::default();
        let v = Summarize { matcher: Matcher { selection: &selection, prefilter: &prefilter, seen: None } };
        let events: [&[u8]; 4] = [
            br#"{"eventTime":"2026-01-01T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"},"sourceIPAddress":"1.2.3.4","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"}}"#,
            br#"{"eventTime":"2026-01-03T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIA1"},"errorCode":"AccessDenied"}"#,
            br#"{"eventTime":"2026-01-03T11:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/R/s","accessKeyId":"ASIA1"}}"#,
            br#"{"eventTime":"2026-01-03T12:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/R/s","accessKeyId":"ASIA2"}}"#,
        ];
        let (mut a, mut b) = (v.new_acc(), v.new_acc());
        v.record(&mut a, 0, 0, events[0]).unwrap();
        v.record(&mut a, 0, 1, events[1]).unwrap();
        for e in &events[2..] {
            v.record(&mut b, 0, 0, e).unwrap();
        }
        let s = v.merge(a, b).report(&Discovery::default(), Volume::default(), 10);
        assert_eq!(s.per_day.iter().map(|d| d.events).collect::<Vec<_>>(), [1, 0, 3]);
        assert_eq!((s.sign_ins.success, s.sign_ins.without_mfa, s.root.events), (1, 1, 1));
        assert_eq!((s.access_keys.temporary_distinct, s.access_keys.temporary_events), (2, 2));
        assert_eq!(s.access_keys.long_term.rows[0].access_key, "AKIA1");
        let role = &s.identities.rows[0];
        assert_eq!((role.identity.as_str(), role.events, role.access_keys), ("arn:aws:sts::1:assumed-role/R/s", 2, 2));
        let user = s.identities.rows.iter().find(|r| r.identity.ends_with("user/a")).unwrap();
        assert_eq!((user.denied, s.identities.distinct), (1, 3));
        assert_eq!(s.span.first.as_deref(), Some("2026-01-01T10:00:00Z"));
    }
}
