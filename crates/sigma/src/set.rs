//! The loaded rules ready to run: indexed by the values of a field they require, and
//! screened by the literals every match must contain.
//!
//! Per record: one multi-literal search (aho-corasick, ASCII case-insensitive, as Sigma
//! matching is) decides whether the record may match any rule at all; only then are its
//! top-level members indexed, and the rules indexed under the values it has of each indexed
//! field evaluated (plus the few rules that require no exact value of any field). Most rules
//! sit under their `eventName`; the others under the field they require exact values of
//! (`userIdentity.type: Root`, `errorCode: AccessDenied`), so that a rule is tried only on
//! the records that have one of its values. A file is screened the same way before it is split
//! into records.

use std::collections::HashMap;

use aho_corasick::AhoCorasick;
use cwl_filter::json::SyntaxError;

use crate::correlate::Correlation;
use crate::detection::{required_literals, required_values, Expr};
use crate::event::{Event, FieldPath, Index, Value};
use crate::load::{Loaded, Rule};
use crate::pattern::fold;

/// Fields rules are indexed by first, in this order, when a rule requires their values: almost
/// every AWS rule names its API call, and so sits under one `eventName` among a few others.
const PREFERRED: [&str; 2] = ["eventName", "eventSource"];

/// Compiled rules and correlations with their dispatch index and prefilter.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub correlations: Vec<Correlation>,
    /// For each rule, the correlations it feeds: (correlation, slot in its rules).
    pub feeds: Vec<Vec<(usize, usize)>>,
    /// The rules indexed by the values of one field they require, a field per index: the
    /// [`PREFERRED`] fields first, then the others in name order.
    indexes: Vec<FieldIndex>,
    /// The rules that require no exact value of any field: tried on every record.
    general: Vec<u32>,
    /// For each rule, the first rule with an equal detection (itself when none before it):
    /// rule sets ship the same rule twice (SigmaHQ's, and a copy among Suzaku's), and a
    /// detection is evaluated once per record whatever the number of rules that use it.
    same_as: Vec<u32>,
    /// `None` when some rule has no literal every match contains: every record is examined.
    prefilter: Option<AhoCorasick>,
}

/// The rules that require one of a few exact values of one field, by those values (folded).
#[derive(Debug)]
struct FieldIndex {
    field: FieldPath,
    rules: HashMap<String, Vec<u32>, foldhash::fast::FixedState>,
    /// The length of the longest value: ASCII text longer cannot be one (a user agent
    /// against `TruffleHog`).
    longest: usize,
}

impl FieldIndex {
    /// The rules indexed under `value` (folded first, as Sigma compares without case).
    fn get(&self, value: Value<'_>) -> &[u32] {
        let Some(text) = value.text() else { return &[] };
        let ascii = text.is_ascii();
        if ascii && text.len() > self.longest {
            return &[];
        }
        // Short ASCII text (API names, service names, types) is folded on the stack.
        let mut word = [0u8; 64];
        let found = match word.get_mut(..text.len()) {
            Some(folded) if ascii => {
                folded.copy_from_slice(text.as_bytes());
                folded.make_ascii_lowercase();
                std::str::from_utf8(folded).ok().and_then(|t| self.rules.get(t))
            }
            _ => self.rules.get(fold(&text).as_ref()),
        };
        found.map_or(&[], Vec::as_slice)
    }
}

/// How the rules were indexed (for `--list` and the README).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispatch {
    /// Each field rules are indexed by, with the number of rules indexed under it.
    pub indexed: Vec<(String, usize)>,
    pub general: usize,
    /// Rules without a literal that every match contains (each disables the prefilter).
    pub unscreened: usize,
}

/// The field a rule is indexed by, with the values it requires (folded): the first of the
/// [`PREFERRED`] fields it requires values of, else the field with the fewest required values,
/// the shallowest among equals (the cheapest to read, and the likeliest to be shared with
/// other rules), then the first by name; `None` when it requires no exact value of any field.
fn index_field(expr: &Expr) -> Option<(String, Vec<String>)> {
    let preferred = PREFERRED.iter().find_map(|&f| required_values(expr, f).map(|v| (f.to_string(), v)));
    preferred.or_else(|| {
        let mut fields = Vec::new();
        expr.fields(&mut |f| fields.push(f.name().to_string()));
        fields.sort();
        fields.dedup();
        fields
            .into_iter()
            .filter_map(|f| required_values(expr, &f).map(|v| (f, v)))
            .min_by_key(|(f, v)| (v.len(), f.matches('.').count()))
    })
}

impl RuleSet {
    pub fn new(loaded: Loaded) -> RuleSet {
        let Loaded { rules, correlations, .. } = loaded;
        let mut by_field: HashMap<String, HashMap<String, Vec<u32>, foldhash::fast::FixedState>> = HashMap::new();
        let mut general = Vec::new();
        let mut literals: Vec<String> = Vec::new();
        let mut screened = true;
        for (i, rule) in rules.iter().enumerate() {
            let i = i as u32;
            match index_field(&rule.expr) {
                Some((field, values)) => {
                    let index = by_field.entry(field).or_default();
                    values.into_iter().for_each(|v| index.entry(v).or_default().push(i));
                }
                None => general.push(i),
            }
            match required_literals(&rule.expr) {
                Some(lits) => literals.extend(lits),
                None => screened = false,
            }
        }
        let mut indexes: Vec<FieldIndex> = by_field
            .into_iter()
            .map(|(field, rules)| {
                let longest = rules.keys().map(String::len).max().unwrap_or(0);
                FieldIndex { field: FieldPath::new(&field), rules, longest }
            })
            .collect();
        let rank = |f: &FieldIndex| PREFERRED.iter().position(|&p| p == f.field.name()).unwrap_or(PREFERRED.len());
        indexes.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.field.name().cmp(b.field.name())));
        literals.sort();
        literals.dedup();
        let prefilter = if screened && !rules.is_empty() {
            AhoCorasick::builder().ascii_case_insensitive(true).build(&literals).ok()
        } else {
            None
        };
        let same_as =
            (0..rules.len()).map(|i| (0..i).find(|&j| rules[j].expr == rules[i].expr).unwrap_or(i) as u32).collect();
        let mut feeds = vec![Vec::new(); rules.len()];
        for (c, corr) in correlations.iter().enumerate() {
            for (slot, &r) in corr.rules.iter().enumerate() {
                feeds[r].push((c, slot));
            }
        }
        RuleSet { rules, correlations, feeds, indexes, general, same_as, prefilter }
    }

    /// How the rules are indexed.
    pub fn dispatch(&self) -> Dispatch {
        let indexed = self
            .indexes
            .iter()
            .map(|index| {
                let mut all: Vec<u32> = index.rules.values().flatten().copied().collect();
                all.sort_unstable();
                all.dedup();
                (index.field.name().to_string(), all.len())
            })
            .collect();
        Dispatch {
            indexed,
            general: self.general.len(),
            unscreened: self.rules.iter().filter(|r| required_literals(&r.expr).is_none()).count(),
        }
    }

    /// The rules without a literal every match contains (each turns the prefilter off).
    pub fn unscreened(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(|r| required_literals(&r.expr).is_none())
    }

    /// Whether `bytes` (a file or a record) may hold a match of some rule.
    pub fn may_match(&self, bytes: &[u8]) -> bool {
        !self.rules.is_empty() && self.prefilter.as_ref().is_none_or(|ac| ac.is_match(bytes))
    }

    /// The rules the record `raw` matches, into `out` (cleared first), in rule order. Fails
    /// when the record is not a JSON object.
    pub fn matches(&self, index: &mut Index, raw: &[u8], out: &mut Vec<u32>) -> Result<(), SyntaxError> {
        out.clear();
        if !self.may_match(raw) {
            return Ok(());
        }
        let event = index.load(raw)?;
        self.matches_event(&event, out);
        Ok(())
    }

    /// The rules an indexed event matches, into `out` (cleared first), in rule order: the
    /// rules indexed under each value the event has of each index's field, then the general
    /// ones.
    pub fn matches_event(&self, event: &Event<'_>, out: &mut Vec<u32>) {
        out.clear();
        for index in &self.indexes {
            event.any_value(&index.field, &mut |value| {
                self.evaluate(index.get(value), event, out);
                false
            });
        }
        self.evaluate(&self.general, event, out);
        out.sort_unstable();
        out.dedup();
    }

    /// Evaluates `rules` (in rule order) on `event`, pushing those that match onto `out`.
    fn evaluate(&self, rules: &[u32], event: &Event<'_>, out: &mut Vec<u32>) {
        for &i in rules {
            // Equal detections sit in the same lists (they are indexed alike): the first one's
            // answer (already in `out` when it matched, since it comes first in the lists)
            // serves the others.
            let first = self.same_as[i as usize];
            let matched = if first == i { self.rules[i as usize].expr.matches(event) } else { out.contains(&first) };
            if matched {
                out.push(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::Choice;
    use crate::value::Placeholders;

    #[test]
    fn dispatch_finds_the_same_matches_as_trying_every_rule() {
        let dir = tempfile::tempdir().unwrap();
        let aws = "logsource:\n  product: aws\n  service: cloudtrail\n";
        let rules = [
            "s:\n    eventName: [CreateUser, DeleteUser]\n  condition: s",
            "s:\n    eventSource: s3.amazonaws.com\n  condition: s",
            "s:\n    errorCode|exists: true\n  condition: s",
            "s:\n    eventName|startswith: Get\n  condition: s",
            // The first rule again, as a second rule set would ship it.
            "s:\n    eventName: [CreateUser, DeleteUser]\n  condition: s",
        ];
        for (i, d) in rules.iter().enumerate() {
            std::fs::write(dir.path().join(format!("{i}.yml")), format!("title: R{i}\n{aws}detection:\n  {d}\n"))
                .unwrap();
        }
        let loaded = crate::load::load(&[dir.path().to_path_buf()], &Placeholders::new(), &Choice::default()).unwrap();
        let set = RuleSet::new(loaded);
        assert_eq!(set.same_as, [0, 1, 2, 3, 0]);
        let indexed = vec![("eventName".to_string(), 2), ("eventSource".to_string(), 1)];
        assert_eq!(set.dispatch(), Dispatch { indexed, general: 2, unscreened: 0 });
        let mut index = Index::default();
        let mut out = Vec::new();
        for (event, want) in [
            (r#"{"eventName":"createUSER","eventSource":"iam.amazonaws.com"}"#, vec![0, 4]),
            (r#"{"eventName":"GetObject","eventSource":"s3.amazonaws.com","errorCode":"X"}"#, vec![1, 2, 3]),
            (r#"{"eventName":"PutObject","eventSource":"ec2.amazonaws.com"}"#, vec![]),
        ] {
            set.matches(&mut index, event.as_bytes(), &mut out).unwrap();
            let brute: Vec<u32> = (0..set.rules.len() as u32)
                .filter(|&i| set.rules[i as usize].expr.matches(&Index::default().load(event.as_bytes()).unwrap()))
                .collect();
            assert_eq!(out, want, "{event}");
            assert_eq!(out, brute, "{event}");
        }
        assert!(!set.may_match(br#"{"eventName":"PutObject","eventSource":"ec2.amazonaws.com"}"#));
    }
}
