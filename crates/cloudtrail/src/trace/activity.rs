//! The second pass of a trace: what each credential of the chains did, and the whole calls that
//! minted them. Only the keys (and, for an ARN or session target, the identities) of the chains
//! are tallied; a file or record that names none of them is passed over after a byte search.

use memchr::memmem;

use super::mints::{minting, MintCalls};
use super::Activity;
use crate::query::collect::Matcher;
use crate::query::Selection;
use crate::record::{EventView, Identity, Refusal};
use crate::scan::Visitor;
use crate::summary::counter::{Counter, Map};

/// What was watched for: access keys, identity ARNs, role session names.
#[derive(Debug, Default)]
pub struct Watch {
    pub keys: Vec<String>,
    pub arns: Vec<String>,
    pub sessions: Vec<String>,
}

/// One credential's calls, as they are gathered.
#[derive(Debug, Default)]
pub struct Tally {
    pub events: u64,
    pub denied: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub names: Counter,
    pub ips: Counter,
    pub regions: Counter,
    /// The identity of the first call seen (type, ARN, principal id), and its time.
    pub identity: Option<(i64, SeenIdentity)>,
}

/// An identity as one call showed it.
#[derive(Debug, Clone, Default)]
pub struct SeenIdentity {
    pub kind: Option<String>,
    pub arn: Option<String>,
    pub principal_id: Option<String>,
    pub user_name: Option<String>,
    pub invoked_by: Option<String>,
}

impl SeenIdentity {
    fn of(id: &Identity<'_>) -> SeenIdentity {
        let owned = |v: &Option<std::borrow::Cow<'_, str>>| v.as_deref().map(str::to_string);
        SeenIdentity {
            kind: owned(&id.kind),
            arn: owned(&id.arn),
            principal_id: owned(&id.principal_id),
            user_name: owned(&id.user_name),
            invoked_by: owned(&id.invoked_by),
        }
    }
}

impl Tally {
    fn merge(&mut self, o: Tally) {
        self.events += o.events;
        self.denied += o.denied;
        self.first = [self.first, o.first].into_iter().flatten().min();
        self.last = self.last.max(o.last);
        self.names.merge(o.names);
        self.ips.merge(o.ips);
        self.regions.merge(o.regions);
        let earlier = match (&self.identity, &o.identity) {
            (Some(mine), Some(theirs)) => theirs.0 < mine.0,
            (None, Some(_)) => true,
            (_, None) => false,
        };
        if earlier {
            self.identity = o.identity;
        }
    }

    /// The report's view, lists cut to `top`.
    pub fn activity(&self, top: usize) -> Activity {
        Activity {
            events: self.events,
            denied: self.denied,
            first: crate::summary::time_text(self.first),
            last: crate::summary::time_text(self.last),
            event_names: self.names.top(top),
            source_ips: self.ips.top(top),
            regions: self.regions.top(top),
        }
    }
}

/// Tallies per watched key (`key:...`), ARN (`arn:...`) or session (`session:...`), and the
/// calls that minted the watched keys.
#[derive(Debug, Default)]
pub struct Tallies {
    pub by: Map<String, Tally>,
    pub mints: MintCalls,
}

/// The pass: selected events whose key, ARN or session is watched, and minting calls (within
/// `window`: the other selectors name calls, not their credentials' origin) of watched keys.
pub struct ActivityScan<'p> {
    pub matcher: Matcher<'p>,
    window: &'p Selection,
    watch: &'p Watch,
    finders: Vec<memmem::Finder<'p>>,
}

impl<'p> ActivityScan<'p> {
    pub fn new(matcher: Matcher<'p>, window: &'p Selection, watch: &'p Watch) -> ActivityScan<'p> {
        let texts = watch.keys.iter().chain(&watch.arns).chain(&watch.sessions);
        let finders = texts.map(|t| memmem::Finder::new(t.as_bytes())).collect();
        ActivityScan { matcher, window, watch, finders }
    }

    /// Keeps `raw` when it minted a watched key within the window.
    fn minting_call(&self, acc: &mut Tallies, raw: &[u8]) {
        let Ok(view) = EventView::parse(raw) else { return };
        if !self.window.matches(&view, raw) || crate::record::admit(raw, &view).is_err() {
            return;
        }
        if let Some((key, mint)) = minting(&view).filter(|(key, _)| self.watch.keys.contains(key)) {
            acc.mints.add(key, mint);
        }
    }

    fn may_hold(&self, data: &[u8]) -> bool {
        self.finders.iter().any(|f| f.find(data).is_some())
    }
}

impl Visitor for ActivityScan<'_> {
    type Acc = Tallies;

    fn new_acc(&self) -> Tallies {
        Tallies::default()
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.may_hold(data) && self.matcher.file_may_match(data)
    }

    fn record(&self, acc: &mut Tallies, _file: usize, _ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
        if !self.may_hold(raw) {
            return Ok(());
        }
        self.minting_call(acc, raw);
        let Some(view) = self.matcher.check(raw)? else { return Ok(()) };
        let id = view.identity();
        let key = id.access_key_id.as_deref().filter(|k| self.watch.keys.iter().any(|w| w == k));
        let arn = id.arn.as_deref().filter(|a| self.watch.arns.iter().any(|w| w == a));
        let session = id.session_name().filter(|s| self.watch.sessions.iter().any(|w| w == s));
        let labels =
            [key.map(|k| format!("key:{k}")), arn.map(|a| format!("arn:{a}")), session.map(|s| format!("session:{s}"))];
        let time = view.event_time_ms();
        let denied = view.error_code().is_some_and(|c| crate::summary::is_denied(&c));
        for label in labels.into_iter().flatten() {
            let tally = acc.by.entry(label).or_default();
            tally.events += 1;
            tally.denied += u64::from(denied);
            tally.first = [tally.first, time].into_iter().flatten().min();
            tally.last = tally.last.max(time);
            tally.names.add(view.event_name().as_deref().unwrap_or("(none)"), 1);
            tally.ips.add(view.source_ip_address().as_deref().unwrap_or("(none)"), 1);
            tally.regions.add(view.aws_region().as_deref().unwrap_or("(none)"), 1);
            let t = time.unwrap_or(i64::MAX);
            if tally.identity.as_ref().is_none_or(|(first, _)| t < *first) {
                tally.identity = Some((t, SeenIdentity::of(&id)));
            }
        }
        Ok(())
    }

    fn merge(&self, mut a: Tallies, b: Tallies) -> Tallies {
        for (label, tally) in b.by {
            a.by.entry(label).or_default().merge(tally);
        }
        a.mints.merge(b.mints);
        a
    }
}
