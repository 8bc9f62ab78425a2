//! The loaded rules ready to run: indexed by the `eventName` and `eventSource` values they
//! require, and screened by the literals every match must contain.
//!
//! Per record: one multi-literal search (aho-corasick, ASCII case-insensitive, as Sigma
//! matching is) decides whether the record may match any rule at all; only then are its
//! top-level members indexed, its `eventName` and `eventSource` read once, and the few rules
//! indexed under those values (plus the rules that require neither) evaluated. A file is
//! screened the same way before it is split into records.

use std::collections::HashMap;

use aho_corasick::AhoCorasick;
use cwl_filter::json::SyntaxError;

use crate::correlate::Correlation;
use crate::detection::{required_literals, required_values};
use crate::event::{Event, Index};
use crate::load::{Loaded, Rule};
use crate::pattern::fold;

/// Compiled rules and correlations with their dispatch index and prefilter.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub correlations: Vec<Correlation>,
    /// For each rule, the correlations it feeds: (correlation, slot in its rules).
    pub feeds: Vec<Vec<(usize, usize)>>,
    by_name: HashMap<String, Vec<u32>>,
    by_source: HashMap<String, Vec<u32>>,
    general: Vec<u32>,
    /// For each rule, the first rule with an equal detection (itself when none before it):
    /// rule sets ship the same rule twice (SigmaHQ's, and a copy among Suzaku's), and a
    /// detection is evaluated once per record whatever the number of rules that use it.
    same_as: Vec<u32>,
    /// `None` when some rule has no literal every match contains: every record is examined.
    prefilter: Option<AhoCorasick>,
}

/// How the rules were indexed (for `--list` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dispatch {
    pub by_name: usize,
    pub by_source: usize,
    pub general: usize,
    /// Rules without a literal that every match contains (each disables the prefilter).
    pub unscreened: usize,
}

impl RuleSet {
    pub fn new(loaded: Loaded) -> RuleSet {
        let Loaded { rules, correlations, .. } = loaded;
        let mut by_name: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_source: HashMap<String, Vec<u32>> = HashMap::new();
        let mut general = Vec::new();
        let mut literals: Vec<String> = Vec::new();
        let mut screened = true;
        for (i, rule) in rules.iter().enumerate() {
            let i = i as u32;
            if let Some(names) = required_values(&rule.expr, "eventName") {
                names.into_iter().for_each(|n| by_name.entry(n).or_default().push(i));
            } else if let Some(sources) = required_values(&rule.expr, "eventSource") {
                sources.into_iter().for_each(|s| by_source.entry(s).or_default().push(i));
            } else {
                general.push(i);
            }
            match required_literals(&rule.expr) {
                Some(lits) => literals.extend(lits),
                None => screened = false,
            }
        }
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
        RuleSet { rules, correlations, feeds, by_name, by_source, general, same_as, prefilter }
    }

    /// How the rules are indexed.
    pub fn dispatch(&self) -> Dispatch {
        let count = |m: &HashMap<String, Vec<u32>>| {
            let mut all: Vec<u32> = m.values().flatten().copied().collect();
            all.sort_unstable();
            all.dedup();
            all.len()
        };
        Dispatch {
            by_name: count(&self.by_name),
            by_source: count(&self.by_source),
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

    /// The rules an indexed event matches, into `out` (cleared first), in rule order.
    pub fn matches_event(&self, event: &Event<'_>, out: &mut Vec<u32>) {
        out.clear();
        let named = lookup(&self.by_name, event, "eventName");
        let sourced = lookup(&self.by_source, event, "eventSource");
        for &i in named.iter().chain(sourced).chain(&self.general) {
            // Equal detections sit in the same dispatch lists: the first one's answer (already
            // in `out` when it matched, since it comes first in the lists) serves the others.
            let first = self.same_as[i as usize];
            let matched = if first == i { self.rules[i as usize].expr.matches(event) } else { out.contains(&first) };
            if matched {
                out.push(i);
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// The rules indexed under the event's value of `field` (folded).
fn lookup<'m>(map: &'m HashMap<String, Vec<u32>>, event: &Event<'_>, field: &str) -> &'m [u32] {
    if map.is_empty() {
        return &[];
    }
    let Some(text) = event.top(field).and_then(|v| v.text()) else { return &[] };
    map.get(fold(&text).as_ref()).map_or(&[], Vec::as_slice)
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
        assert_eq!(set.dispatch(), Dispatch { by_name: 2, by_source: 1, general: 2, unscreened: 0 });
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
