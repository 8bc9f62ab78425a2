//! Correlation rules: `event_count`, `value_count`, `value_sum`, `value_avg`, `temporal` and
//! `temporal_ordered`, grouped by `group-by` fields (with `aliases`) within a `timespan`.
//!
//! While scanning, each match of a rule a correlation uses becomes an [`Observation`], kept in
//! bounded memory by [`crate::observations`]. At the end, per correlation, observations come
//! sorted by group and time and each group is swept once by a [`Sweep`], which holds only the
//! group's current window:
//!
//! - A condition with only lower bounds (`gt`, `gte`) can only become true as a window grows:
//!   windows slide (the events within `timespan` before each event), and the correlation fires
//!   as soon as the condition holds; the group's window then starts afresh after that event.
//! - A condition with an upper bound (`lt`, `lte`, `eq`, `neq`) is judged on whole windows:
//!   each starts at a group's first event not yet in a window and lasts `timespan`.
//! - `temporal` fires when all the rules (or the condition's number of them) matched in the
//!   window; `temporal_ordered` when they matched in the order listed.

use std::collections::{HashSet, VecDeque};
use std::path::Path;

use yaml_rust2::Yaml;

use crate::error::RuleError;
use crate::event::FieldPath;
use crate::load::Rule;
use crate::observations::{digest, Observation};
use crate::rule::Meta;
use crate::value::Cmp;

/// The kind of aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    EventCount,
    ValueCount,
    ValueSum,
    ValueAvg,
    Temporal,
    TemporalOrdered,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::EventCount => "event_count",
            Kind::ValueCount => "value_count",
            Kind::ValueSum => "value_sum",
            Kind::ValueAvg => "value_avg",
            Kind::Temporal => "temporal",
            Kind::TemporalOrdered => "temporal_ordered",
        }
    }
}

/// A compiled correlation rule.
#[derive(Debug, Clone)]
pub struct Correlation {
    pub meta: Meta,
    pub kind: Kind,
    /// The rules it correlates (indices in the loaded rules), in the order listed.
    pub rules: Vec<usize>,
    /// The group-by field names as written (aliases included).
    pub group_names: Vec<String>,
    /// Per rule of `rules`, the fields its events are grouped by (aliases resolved).
    pub group_by: Vec<Vec<FieldPath>>,
    /// The field the aggregation reads (`value_*`).
    pub field: Option<FieldPath>,
    pub timespan_ms: i64,
    /// The conditions, all of which must hold (`gt: 100, lte: 200`); `neq` is `Eq` negated.
    pub condition: Vec<(Cmp, bool, f64)>,
}

impl Correlation {
    /// Whether `value` satisfies the condition.
    pub fn holds(&self, value: f64) -> bool {
        self.condition.iter().all(|&(cmp, negate, n)| cmp.holds(value, n) != negate)
    }

    /// Whether the condition can only become true as a window grows.
    fn monotone(&self) -> bool {
        self.condition.iter().all(|&(cmp, negate, _)| !negate && matches!(cmp, Cmp::Gt | Cmp::Gte))
    }
}

/// A timespan: a number and `s`, `m`, `h`, `d` (or `w`), in milliseconds.
pub fn parse_timespan(text: &str) -> Option<i64> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let n: i64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let secs = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    n.checked_mul(secs * 1000).filter(|&ms| ms > 0)
}

/// Reads a correlation document; `rules` are the detection rules loaded so far (those only
/// it uses, with `generate: false`, are marked as not standalone).
pub fn read(doc: &Yaml, meta: Meta, file: &Path, rules: &mut [Rule]) -> Result<Correlation, RuleError> {
    if meta.title.is_empty() {
        return Err(RuleError::Shape("no title".into()));
    }
    if !matches!(doc["logsource"], Yaml::BadValue) {
        crate::load::check_logsource(doc)?;
    }
    let c = &doc["correlation"];
    let kind = match c["type"].as_str() {
        Some("event_count") => Kind::EventCount,
        Some("value_count") => Kind::ValueCount,
        Some("value_sum") => Kind::ValueSum,
        Some("value_avg") => Kind::ValueAvg,
        Some("temporal") => Kind::Temporal,
        Some("temporal_ordered") => Kind::TemporalOrdered,
        Some("value_percentile") => {
            return Err(RuleError::Unsupported("value_percentile correlations are not supported".into()))
        }
        Some(other) => return Err(RuleError::Shape(format!("unknown correlation type {other:?}"))),
        None => return Err(RuleError::Shape("a correlation without a type".into())),
    };
    let names: Vec<String> = match &c["rules"] {
        Yaml::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        Yaml::String(s) => vec![s.clone()],
        _ => return Err(RuleError::Shape("a correlation without rules".into())),
    };
    let mut indices = Vec::with_capacity(names.len());
    for name in &names {
        // Rules of the same file first: titles need not be unique across files.
        let found = rules
            .iter()
            .position(|r| r.meta.file == file && r.meta.answers_to(name))
            .or_else(|| rules.iter().position(|r| r.meta.answers_to(name)));
        indices.push(found.ok_or_else(|| RuleError::UnknownRule(name.clone()))?);
    }
    let timespan = c["timespan"].as_str().or_else(|| c["timeframe"].as_str());
    let timespan_ms = timespan
        .and_then(parse_timespan)
        .ok_or_else(|| RuleError::Shape(format!("timespan {timespan:?} is not a number and s, m, h or d")))?;
    let group_names: Vec<String> = match &c["group-by"] {
        Yaml::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        Yaml::String(s) => vec![s.clone()],
        _ => Vec::new(),
    };
    let group_by = indices
        .iter()
        .zip(&names)
        .map(|(&r, name)| {
            group_names
                .iter()
                .map(|g| {
                    // An alias maps each rule (by the reference used) to its own field.
                    let alias = &c["aliases"][g.as_str()];
                    let field = alias[name.as_str()]
                        .as_str()
                        .or_else(|| rules[r].meta.id.as_deref().and_then(|id| alias[id].as_str()))
                        .unwrap_or(g);
                    FieldPath::new(field)
                })
                .collect()
        })
        .collect();
    let mut condition = Vec::new();
    let mut field = None;
    if let Yaml::Hash(map) = &c["condition"] {
        for (k, v) in map {
            let n = match v {
                Yaml::Integer(i) => *i as f64,
                Yaml::Real(r) => r.parse().map_err(|_| RuleError::BadValue(r.clone()))?,
                Yaml::String(s) if k.as_str() == Some("field") => {
                    field = Some(FieldPath::new(s));
                    continue;
                }
                other => return Err(RuleError::BadValue(format!("correlation condition {k:?}: {other:?}"))),
            };
            let (cmp, negate) = match k.as_str() {
                Some("gt") => (Cmp::Gt, false),
                Some("gte") => (Cmp::Gte, false),
                Some("lt") => (Cmp::Lt, false),
                Some("lte") => (Cmp::Lte, false),
                Some("eq") => (Cmp::Eq, false),
                Some("neq") => (Cmp::Eq, true),
                _ => return Err(RuleError::Shape(format!("unknown correlation condition {k:?}"))),
            };
            condition.push((cmp, negate, n));
        }
    }
    match kind {
        Kind::Temporal | Kind::TemporalOrdered if condition.is_empty() => {
            condition.push((Cmp::Gte, false, indices.len() as f64));
        }
        Kind::Temporal | Kind::TemporalOrdered => {}
        _ if condition.is_empty() => return Err(RuleError::Shape(format!("{} needs a condition", kind.name()))),
        Kind::ValueCount | Kind::ValueSum | Kind::ValueAvg if field.is_none() => {
            return Err(RuleError::Shape(format!("{} needs a condition field", kind.name())));
        }
        _ => {}
    }
    let generate = matches!(c["generate"], Yaml::Boolean(true)) || matches!(doc["generate"], Yaml::Boolean(true));
    if !generate {
        for &r in &indices {
            rules[r].standalone = false;
        }
    }
    Ok(Correlation { meta, kind, rules: indices, group_names, group_by, field, timespan_ms, condition })
}

/// One firing of a correlation.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub correlation: usize,
    /// Times of the window's first and last events (Unix ms).
    pub first_ms: i64,
    pub last_ms: i64,
    /// The aggregate that met the condition (count, distinct values, sum, average, rules).
    pub value: f64,
    /// Events in the window.
    pub events: u64,
    /// The group-by values.
    pub group: Vec<Option<String>>,
}

/// The aggregate of a window.
fn aggregate(c: &Correlation, window: &[Observation]) -> f64 {
    match c.kind {
        Kind::EventCount => window.len() as f64,
        Kind::ValueCount => window
            .iter()
            .filter(|o| o.value_digest != digest(&[None::<std::borrow::Cow<'_, str>>]))
            .map(|o| o.value_digest)
            .collect::<HashSet<_>>()
            .len() as f64,
        Kind::ValueSum => window.iter().filter_map(|o| o.value).sum(),
        Kind::ValueAvg => {
            let values: Vec<f64> = window.iter().filter_map(|o| o.value).collect();
            if values.is_empty() {
                0.0
            } else {
                values.iter().sum::<f64>() / values.len() as f64
            }
        }
        Kind::Temporal => window.iter().map(|o| o.slot).collect::<HashSet<_>>().len() as f64,
        Kind::TemporalOrdered => ordered_prefix(c.rules.len(), window) as f64,
    }
}

/// How many of the rules, in order, matched one after another in the window.
fn ordered_prefix(slots: usize, window: &[Observation]) -> usize {
    let mut next = 0;
    for o in window {
        if next < slots && usize::from(o.slot) == next {
            next += 1;
        }
    }
    next
}

/// The sweep of one group's observations, fed in time order; it holds only the current window.
#[derive(Debug)]
pub struct Sweep<'c> {
    c: &'c Correlation,
    monotone: bool,
    window: VecDeque<Observation>,
}

impl<'c> Sweep<'c> {
    pub fn new(c: &'c Correlation) -> Sweep<'c> {
        Sweep { c, monotone: c.monotone(), window: VecDeque::new() }
    }

    /// Takes the group's next observation; a window that fires is added to `fired` as (first
    /// time, last time, aggregate, events).
    pub fn push(&mut self, o: Observation, fired: &mut Vec<(i64, i64, f64, u64)>) {
        let span = self.c.timespan_ms;
        if self.monotone {
            // The window slides: the events within the timespan before this one.
            self.window.push_back(o);
            while self.window.front().is_some_and(|f| o.time_ms - f.time_ms > span) {
                self.window.pop_front();
            }
            if self.close_if_holds(fired) {
                // The next window starts afresh after this event.
                self.window.clear();
            }
        } else {
            // Whole windows: each starts at the first event not yet in one and lasts the timespan.
            if self.window.front().is_some_and(|f| o.time_ms - f.time_ms > span) {
                self.end(fired);
            }
            self.window.push_back(o);
        }
    }

    /// Ends the group: a whole window still open is judged.
    pub fn end(&mut self, fired: &mut Vec<(i64, i64, f64, u64)>) {
        if !self.monotone {
            self.close_if_holds(fired);
        }
        self.window.clear();
    }

    /// Adds the window to `fired` when its aggregate meets the condition; returns whether it did.
    fn close_if_holds(&mut self, fired: &mut Vec<(i64, i64, f64, u64)>) -> bool {
        let window = self.window.make_contiguous();
        let (Some(first), Some(last)) = (window.first(), window.last()) else { return false };
        let value = aggregate(self.c, window);
        let holds = self.c.holds(value);
        if holds {
            fired.push((first.time_ms, last.time_ms, value, window.len() as u64));
        }
        holds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corr(kind: Kind, condition: Vec<(Cmp, bool, f64)>, rules: usize) -> Correlation {
        Correlation {
            meta: Meta::default(),
            kind,
            rules: (0..rules).collect(),
            group_names: Vec::new(),
            group_by: vec![Vec::new(); rules],
            field: None,
            timespan_ms: 60_000,
            condition,
        }
    }

    /// The windows of one group that fire.
    fn sweep(c: &Correlation, group: &[Observation]) -> Vec<(i64, i64, f64, u64)> {
        let mut fired = Vec::new();
        let mut sweep = Sweep::new(c);
        for &o in group {
            sweep.push(o, &mut fired);
        }
        sweep.end(&mut fired);
        fired
    }

    fn obs(time_s: i64, slot: u16, value: u64) -> Observation {
        Observation {
            time_ms: time_s * 1000,
            slot,
            group: 1,
            value: Some(value as f64),
            value_digest: value,
            seq: (0, 0),
        }
    }

    #[test]
    fn counts_slide_and_fire_once_per_run() {
        let c = corr(Kind::EventCount, vec![(Cmp::Gte, false, 3.0)], 1);
        let g: Vec<_> = [0, 10, 100, 110, 120, 130, 140, 150].iter().map(|&t| obs(t, 0, 0)).collect();
        // 0,10 never reach 3 within a minute; 100,110,120 fire; then 130,140,150 fire again.
        assert_eq!(sweep(&c, &g), [(100_000, 120_000, 3.0, 3), (130_000, 150_000, 3.0, 3)]);
        let few = corr(Kind::EventCount, vec![(Cmp::Lt, false, 2.0)], 1);
        assert_eq!(sweep(&few, &g).len(), 0, "each fixed window holds 2 or more");
        let distinct = Correlation { kind: Kind::ValueCount, ..corr(Kind::ValueCount, vec![(Cmp::Gt, false, 1.0)], 1) };
        assert_eq!(sweep(&distinct, &[obs(0, 0, 7), obs(1, 0, 7), obs(2, 0, 8)]), [(0, 2000, 2.0, 3)]);
        let sum = corr(Kind::ValueSum, vec![(Cmp::Gte, false, 10.0)], 1);
        assert_eq!(sweep(&sum, &[obs(0, 0, 4), obs(1, 0, 6)]), [(0, 1000, 10.0, 2)]);
    }

    #[test]
    fn temporal_forms() {
        let any_order = corr(Kind::Temporal, vec![(Cmp::Gte, false, 2.0)], 2);
        let ordered = corr(Kind::TemporalOrdered, vec![(Cmp::Gte, false, 2.0)], 2);
        let b_then_a = [obs(0, 1, 0), obs(5, 0, 0)];
        assert_eq!(sweep(&any_order, &b_then_a).len(), 1);
        assert_eq!(sweep(&ordered, &b_then_a).len(), 0);
        assert_eq!(sweep(&ordered, &[obs(0, 1, 0), obs(5, 0, 0), obs(9, 1, 0)]), [(0, 9000, 2.0, 3)]);
        assert_eq!(sweep(&ordered, &[obs(0, 0, 0), obs(61, 1, 0)]).len(), 0, "outside the timespan");
        assert_eq!(parse_timespan("5m"), Some(300_000));
        assert_eq!(parse_timespan("1h30"), None);
    }
}
