//! A rule's `detection` compiled into one predicate ([`Expr`]): each search identifier
//! becomes a tree of field tests, and the condition combines them.
//!
//! A map of fields is an AND of its entries; a list of maps is an OR of them; a list of
//! strings (or a single string) is a keyword search: the text anywhere in the event, matched
//! against the record's JSON text (so a keyword holding a quote or backslash must be written
//! as JSON escapes it). A condition given as a list is the OR of its items.

use std::collections::BTreeMap;

use yaml_rust2::Yaml;

use crate::condition::{self, Cond};
use crate::error::RuleError;
use crate::event::Event;
use crate::pattern::{self, StrMatch};
use crate::value::{self, Check, FieldTest, Placeholders, Test};

/// A compiled predicate over one event. Equal predicates match the same events (the rule set
/// evaluates rules with equal detections once per record).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    All(Vec<Expr>),
    Any(Vec<Expr>),
    Not(Box<Expr>),
    Field(FieldTest),
    /// Keywords: any (or with `all`, every) of the texts occurs in the record.
    Keywords {
        texts: Vec<StrMatch>,
        all: bool,
    },
}

impl Expr {
    /// Whether the event satisfies the predicate.
    pub fn matches(&self, event: &Event<'_>) -> bool {
        match self {
            Expr::All(items) => items.iter().all(|e| e.matches(event)),
            Expr::Any(items) => items.iter().any(|e| e.matches(event)),
            Expr::Not(inner) => !inner.matches(event),
            Expr::Field(test) => test.matches(event),
            Expr::Keywords { texts, all } => {
                let text = String::from_utf8_lossy(event.raw());
                if *all {
                    texts.iter().all(|t| t.is_match(&text))
                } else {
                    texts.iter().any(|t| t.is_match(&text))
                }
            }
        }
    }
}

impl Expr {
    /// Calls `f` with the field of every field test in the predicate.
    pub fn fields(&self, f: &mut impl FnMut(&crate::event::FieldPath)) {
        match self {
            Expr::All(items) | Expr::Any(items) => items.iter().for_each(|e| e.fields(f)),
            Expr::Not(inner) => inner.fields(f),
            Expr::Field(test) => f(&test.field),
            Expr::Keywords { .. } => {}
        }
    }
}

/// Compiles the `detection` section of a rule (or the `filter` section of a global filter:
/// its search identifiers and `condition`).
pub fn compile(detection: &Yaml, placeholders: &Placeholders) -> Result<Expr, RuleError> {
    let Yaml::Hash(map) = detection else {
        return Err(RuleError::Shape("detection is not a map".into()));
    };
    let mut idents: BTreeMap<String, Expr> = BTreeMap::new();
    let mut condition = None;
    for (key, value) in map {
        let Yaml::String(key) = key else {
            return Err(RuleError::Shape(format!("a detection key that is not text: {key:?}")));
        };
        match key.as_str() {
            "condition" => condition = Some(value),
            // Obsolete, and only meaningful with aggregations; the condition says whether one is used.
            "timeframe" => {}
            "rules" => {}
            _ => {
                idents.insert(key.clone(), search(key, value, placeholders)?);
            }
        }
    }
    let conditions: Vec<&str> = match condition {
        Some(Yaml::String(c)) => vec![c.as_str()],
        Some(Yaml::Array(items)) => items
            .iter()
            .map(|c| c.as_str().ok_or_else(|| RuleError::Shape("a condition that is not text".into())))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(RuleError::Shape("a condition that is not text".into())),
        None => return Err(RuleError::Shape("detection has no condition".into())),
    };
    let mut alternatives = conditions
        .into_iter()
        .map(|text| resolve(&condition::parse(text)?, &idents, text))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if alternatives.len() == 1 { alternatives.remove(0) } else { Expr::Any(alternatives) })
}

/// One search identifier's definition.
fn search(name: &str, value: &Yaml, placeholders: &Placeholders) -> Result<Expr, RuleError> {
    match value {
        Yaml::Hash(map) => fields(map, placeholders),
        Yaml::Array(items) if items.iter().all(|i| matches!(i, Yaml::Hash(_))) && !items.is_empty() => Ok(Expr::Any(
            items
                .iter()
                .map(|i| match i {
                    Yaml::Hash(map) => fields(map, placeholders),
                    _ => unreachable!("checked above"),
                })
                .collect::<Result<_, _>>()?,
        )),
        Yaml::Array(items) => {
            let texts = items.iter().map(keyword).collect::<Result<Vec<_>, _>>()?;
            Ok(Expr::Keywords { texts, all: false })
        }
        Yaml::String(_) | Yaml::Integer(_) => Ok(Expr::Keywords { texts: vec![keyword(value)?], all: false }),
        _ => Err(RuleError::Shape(format!("search identifier {name:?} is neither a map nor a list"))),
    }
}

/// A keyword: its text anywhere in the record, ignoring case.
fn keyword(value: &Yaml) -> Result<StrMatch, RuleError> {
    let text = match value {
        Yaml::String(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        other => return Err(RuleError::BadValue(format!("a keyword that is not text: {other:?}"))),
    };
    let mut tokens = pattern::tokens(&text);
    if tokens.first() != Some(&pattern::Token::Star) {
        tokens.insert(0, pattern::Token::Star);
    }
    if tokens.last() != Some(&pattern::Token::Star) {
        tokens.push(pattern::Token::Star);
    }
    Ok(StrMatch::new(tokens, false))
}

/// A map of field entries: all must hold. A map with the key `|all` or similar value-only
/// entries is a keyword search with modifiers.
fn fields(map: &yaml_rust2::yaml::Hash, placeholders: &Placeholders) -> Result<Expr, RuleError> {
    let mut entries = Vec::with_capacity(map.len());
    for (key, value) in map {
        let key = match key {
            Yaml::String(k) => k.clone(),
            Yaml::Integer(i) => i.to_string(),
            other => return Err(RuleError::Shape(format!("a field name that is not text: {other:?}"))),
        };
        if key.starts_with('|') {
            // Keywords with modifiers (`'|all': [a, b]`): only `all` and `contains` mean
            // anything for a search over the whole record.
            let all = key.split('|').any(|m| m == "all");
            if key.split('|').any(|m| !m.is_empty() && m != "all" && m != "contains") {
                return Err(RuleError::Unsupported(format!("keyword modifiers other than all/contains: {key:?}")));
            }
            let texts = match value {
                Yaml::Array(items) => items.iter().map(keyword).collect::<Result<Vec<_>, _>>()?,
                one => vec![keyword(one)?],
            };
            entries.push(Expr::Keywords { texts, all });
            continue;
        }
        entries.push(Expr::Field(value::compile_entry(&key, value, placeholders)?));
    }
    Ok(if entries.len() == 1 { entries.remove(0) } else { Expr::All(entries) })
}

/// The condition with its identifiers replaced by their definitions.
fn resolve(cond: &Cond, idents: &BTreeMap<String, Expr>, text: &str) -> Result<Expr, RuleError> {
    Ok(match cond {
        Cond::Ident(name) => idents.get(name).cloned().ok_or_else(|| RuleError::Condition {
            condition: text.to_string(),
            at: text.find(name.as_str()).unwrap_or(0),
            what: format!("no search identifier {name:?}"),
        })?,
        Cond::And(items) => Expr::All(items.iter().map(|c| resolve(c, idents, text)).collect::<Result<_, _>>()?),
        Cond::Or(items) => Expr::Any(items.iter().map(|c| resolve(c, idents, text)).collect::<Result<_, _>>()?),
        Cond::Not(inner) => Expr::Not(Box::new(resolve(inner, idents, text)?)),
        Cond::Of { count, pattern } => {
            let chosen: Vec<Expr> = idents
                .iter()
                .filter(|(name, _)| {
                    if pattern == "them" {
                        !name.starts_with('_')
                    } else {
                        condition::pattern_matches(pattern, name)
                    }
                })
                .map(|(_, e)| e.clone())
                .collect();
            if chosen.is_empty() {
                return Err(RuleError::Condition {
                    condition: text.to_string(),
                    at: text.find(pattern.as_str()).unwrap_or(0),
                    what: format!("no search identifier matches {pattern:?}"),
                });
            }
            match count {
                None => Expr::All(chosen),
                Some(1) => Expr::Any(chosen),
                Some(n) => at_least(*n, chosen),
            }
        }
    })
}

/// `n of` several: the OR of every way to choose n of them (n above the count never holds).
fn at_least(n: usize, items: Vec<Expr>) -> Expr {
    if n == 0 {
        return Expr::All(Vec::new());
    }
    if n > items.len() {
        return Expr::Any(Vec::new());
    }
    let mut ways = Vec::new();
    let mut pick: Vec<usize> = (0..n).collect();
    loop {
        ways.push(Expr::All(pick.iter().map(|&i| items[i].clone()).collect()));
        // Next combination in lexicographic order.
        let Some(i) = (0..n).rev().find(|&i| pick[i] < items.len() - n + i) else { break };
        pick[i] += 1;
        for j in i + 1..n {
            pick[j] = pick[j - 1] + 1;
        }
    }
    Expr::Any(ways)
}

/// The exact values (folded) `field` must have in any event matching `expr`, when they are
/// known: what rules are indexed by. An OR needs every branch known; an AND takes its
/// narrowest known branch.
pub fn required_values(expr: &Expr, field: &str) -> Option<Vec<String>> {
    match expr {
        Expr::Field(FieldTest { field: f, check: Check::Values { tests, all }, negate: false })
            if f.name() == field && (!*all || tests.len() == 1) =>
        {
            tests
                .iter()
                .map(|t| match t {
                    Test::Str(m) => m.exact().map(|s| pattern::fold(s).into_owned()),
                    _ => None,
                })
                .collect()
        }
        Expr::All(items) => items.iter().filter_map(|e| required_values(e, field)).min_by_key(Vec::len),
        Expr::Any(items) if !items.is_empty() => {
            let mut out = Vec::new();
            for item in items {
                out.extend(required_values(item, field)?);
            }
            out.sort();
            out.dedup();
            Some(out)
        }
        _ => None,
    }
}

/// Literals (folded) one of which occurs in the raw text of any record `expr` matches: the
/// prefilter's needles. Only runs of characters JSON encoders never escape are used.
pub fn required_literals(expr: &Expr) -> Option<Vec<String>> {
    let of_test = |test: &Test| match test {
        Test::Str(m) => m.literal().and_then(safe_run),
        Test::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let of_tests = |tests: &[Test]| -> Option<Vec<String>> {
        let mut out = Vec::new();
        for test in tests {
            match test {
                Test::Regex(_, lits) => {
                    out.extend(lits.as_ref()?.iter().map(|l| safe_run(l)).collect::<Option<Vec<_>>>()?)
                }
                other => out.push(of_test(other)?),
            }
        }
        Some(out)
    };
    match expr {
        Expr::Field(FieldTest { check: Check::Exists(true), negate: false, field }) => {
            safe_run(field.key()).map(|l| vec![l])
        }
        Expr::Field(FieldTest { check: Check::Values { tests, all }, negate: false, .. }) => {
            if *all {
                tests
                    .iter()
                    .filter_map(|t| of_tests(std::slice::from_ref(t)))
                    .max_by_key(|l| l.iter().map(String::len).min())
            } else {
                of_tests(tests)
            }
        }
        Expr::Keywords { texts, all } => {
            let lits = texts.iter().map(|t| t.literal().and_then(safe_run));
            if *all {
                lits.flatten().max_by_key(String::len).map(|l| vec![l])
            } else {
                lits.collect()
            }
        }
        Expr::All(items) => items
            .iter()
            .filter_map(required_literals)
            .max_by_key(|lits| lits.iter().map(String::len).min().unwrap_or(0)),
        Expr::Any(items) if !items.is_empty() => {
            let mut out = Vec::new();
            for item in items {
                out.extend(required_literals(item)?);
            }
            out.sort();
            out.dedup();
            Some(out)
        }
        _ => None,
    }
    .map(|lits| lits.into_iter().map(|l| pattern::fold(&l).into_owned()).collect())
}

/// The longest run of never-escaped characters in `text`, when at least 3 long.
fn safe_run(text: &str) -> Option<String> {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_.:@+=,".contains(c);
    text.split(|c: char| !safe(c)).filter(|r| r.len() >= 3).max_by_key(|r| r.len()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(detection: &str) -> Expr {
        let yaml = yaml_rust2::YamlLoader::load_from_str(detection).unwrap().remove(0);
        compile(&yaml, &Placeholders::new()).unwrap()
    }

    fn hit(expr: &Expr, event: &str) -> bool {
        let mut index = crate::event::Index::default();
        let ev = index.load(event.as_bytes()).unwrap();
        expr.matches(&ev)
    }

    #[test]
    fn maps_lists_keywords_and_conditions() {
        let e = rule(
            "selection:\n  eventSource: iam.amazonaws.com\n  eventName: [CreateUser, DeleteUser]\n\
             filter:\n  - userIdentity.type: AWSService\n  - errorCode|exists: true\n\
             condition: selection and not filter",
        );
        assert!(hit(
            &e,
            r#"{"eventSource":"iam.amazonaws.com","eventName":"createuser","userIdentity":{"type":"Root"}}"#
        ));
        assert!(!hit(&e, r#"{"eventSource":"iam.amazonaws.com","eventName":"CreateUser","errorCode":"x"}"#));
        assert!(!hit(
            &e,
            r#"{"eventSource":"iam.amazonaws.com","eventName":"CreateUser","userIdentity":{"type":"AWSService"}}"#
        ));
        assert_eq!(required_values(&e, "eventName").unwrap(), ["createuser", "deleteuser"]);
        assert_eq!(required_values(&e, "eventSource").unwrap(), ["iam.amazonaws.com"]);
        assert_eq!(required_literals(&e).unwrap(), ["iam.amazonaws.com"]);
        let k = rule("keywords:\n  - 'evil.example'\n  - 'AKIA*'\ncondition: keywords");
        assert!(hit(&k, r#"{"a":"x EVIL.example y"}"#) && hit(&k, r#"{"k":"AKIAXYZ"}"#) && !hit(&k, r#"{"a":"good"}"#));
        assert_eq!(required_literals(&k).unwrap(), ["evil.example", "akia"]);
    }

    #[test]
    fn of_forms() {
        let d = "sel_a:\n  a: 1\nsel_b:\n  b: 1\n_c:\n  c: 1\ncondition: ";
        let ev = r#"{"a":1,"b":1}"#;
        assert!(hit(&rule(&format!("{d}all of sel_*")), ev));
        assert!(hit(&rule(&format!("{d}all of them")), ev), "`them` leaves out _c");
        assert!(hit(&rule(&format!("{d}1 of them")), r#"{"b":1}"#));
        assert!(!hit(&rule(&format!("{d}1 of them")), r#"{"c":1}"#), "_c is not part of them");
        assert!(hit(&rule(&format!("{d}2 of them")), ev) && !hit(&rule(&format!("{d}2 of them")), r#"{"a":1}"#));
        assert!(hit(&rule("a:\n  x: 1\nb:\n  y: 2\ncondition:\n  - a\n  - b"), r#"{"y":2}"#));
    }
}
