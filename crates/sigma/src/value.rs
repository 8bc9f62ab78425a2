//! Field tests: a field name with its modifiers (`eventName|startswith`) and its values,
//! compiled into one [`FieldTest`] per selection entry.
//!
//! Modifiers are applied in a fixed order whatever order they are written in: placeholders
//! (`expand`), dash variants (`windash`), encodings (`utf16*`, `base64`, `base64offset`), then
//! the wildcards of `contains`/`startswith`/`endswith`, and `cased`. Tests that compare
//! (`lt`..`gte`, the time parts), `cidr`, `re`, `exists` and `fieldref` replace the string
//! comparison. Values of one field are alternatives unless `all`; `neq` negates the whole
//! entry (the field equals none of the values, an absent field included).

use std::collections::HashMap;
use std::net::IpAddr;

use base64::Engine as _;
use ipnet::IpNet;
use yaml_rust2::Yaml;

use crate::error::RuleError;
use crate::event::{Event, FieldPath};
use crate::pattern::{self, StrMatch};

/// Values for `%name%` placeholders (`expand`), by name without the percent signs.
pub type Placeholders = HashMap<String, Vec<String>>;

/// A numeric comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cmp {
    Eq,
    Lt,
    Lte,
    Gt,
    Gte,
}

impl Cmp {
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Cmp::Eq => left == right,
            Cmp::Lt => left < right,
            Cmp::Lte => left <= right,
            Cmp::Gt => left > right,
            Cmp::Gte => left >= right,
        }
    }
}

/// A part of a date (the time modifiers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// One value's test of a field value.
#[derive(Debug, Clone)]
pub enum Test {
    Str(StrMatch),
    Number(Cmp, f64),
    Bool(bool),
    /// A regular expression, with the literals one of which any match contains (when known).
    Regex(regex::Regex, Option<Vec<String>>),
    Cidr(IpNet),
    Date(DatePart, Cmp, f64),
}

impl PartialEq for Test {
    fn eq(&self, other: &Test) -> bool {
        match (self, other) {
            (Test::Str(a), Test::Str(b)) => a == b,
            (Test::Number(c, n), Test::Number(d, m)) => c == d && n == m,
            (Test::Bool(a), Test::Bool(b)) => a == b,
            // An automaton is equal to another compiled from the same pattern.
            (Test::Regex(a, l), Test::Regex(b, m)) => a.as_str() == b.as_str() && l == m,
            (Test::Cidr(a), Test::Cidr(b)) => a == b,
            (Test::Date(p, c, n), Test::Date(q, d, m)) => p == q && c == d && n == m,
            _ => false,
        }
    }
}

impl Test {
    /// Whether a field value, given as text ([`Value::text`], decoded once for every test of
    /// the value), passes.
    fn matches(&self, text: Option<&str>) -> bool {
        let Some(t) = text else { return false };
        match self {
            Test::Str(m) => m.is_match(t),
            Test::Number(cmp, n) => t.trim().parse().is_ok_and(|v| cmp.holds(v, *n)),
            Test::Bool(b) => t.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
            // A match holds one of the literals as written: looking for them first spares the
            // automaton most values.
            Test::Regex(re, literals) => {
                literals.as_ref().is_none_or(|l| l.iter().any(|l| t.contains(l.as_str()))) && re.is_match(t)
            }
            Test::Cidr(net) => t.trim().parse::<IpAddr>().is_ok_and(|a| net.contains(&a)),
            Test::Date(part, cmp, n) => date_part(t, *part).is_some_and(|v| cmp.holds(f64::from(v), *n)),
        }
    }
}

/// The number a time modifier extracts from a date.
fn date_part(text: &str, part: DatePart) -> Option<u32> {
    use chrono::{Datelike, Timelike};
    let t = chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.naive_utc())
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%.f"))
        .ok()?;
    Some(match part {
        DatePart::Minute => t.minute(),
        DatePart::Hour => t.hour(),
        DatePart::Day => t.day(),
        DatePart::Week => t.iso_week().week(),
        DatePart::Month => t.month(),
        DatePart::Year => t.year().try_into().ok()?,
    })
}

/// How a field reference compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Equal,
    Contains,
    StartsWith,
    EndsWith,
}

/// What one selection entry checks of its field.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// `|exists: true/false`.
    Exists(bool),
    /// `null`: the field is absent or null.
    Null,
    /// Any (or with `all`, every) test holds for some value of the field.
    Values { tests: Vec<Test>, all: bool },
    /// The field's value compared with another field's (`fieldref`); `cased` or not.
    FieldRef { other: Vec<FieldPath>, kind: RefKind, cased: bool, all: bool },
}

/// One selection entry: a field and what it must hold.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldTest {
    pub field: FieldPath,
    pub check: Check,
    /// `neq`: the entry holds when the check does not.
    pub negate: bool,
}

impl FieldTest {
    /// Whether the event satisfies the entry.
    pub fn matches(&self, event: &Event<'_>) -> bool {
        self.negate != self.check_holds(event)
    }

    fn check_holds(&self, event: &Event<'_>) -> bool {
        match &self.check {
            Check::Exists(want) => event.exists(&self.field) == *want,
            Check::Null => {
                let mut any = false;
                let mut null = false;
                event.any_value(&self.field, &mut |v| {
                    any = true;
                    null |= v.is_null();
                    null
                });
                !any || null
            }
            Check::Values { tests, all: false } => event.any_value(&self.field, &mut |v| {
                let text = v.text();
                tests.iter().any(|t| t.matches(text.as_deref()))
            }),
            Check::Values { tests, all: true } => {
                tests.iter().all(|t| event.any_value(&self.field, &mut |v| t.matches(v.text().as_deref())))
            }
            Check::FieldRef { other, kind, cased, all } => {
                let Some(mine) = event.first_text(&self.field) else { return false };
                let fold = |s: &str| if *cased { s.to_string() } else { pattern::fold(s).into_owned() };
                let mine = fold(&mine);
                let test = |path: &FieldPath| {
                    event.first_text(path).is_some_and(|theirs| {
                        let theirs = fold(&theirs);
                        match kind {
                            RefKind::Equal => mine == theirs,
                            RefKind::Contains => mine.contains(&theirs),
                            RefKind::StartsWith => mine.starts_with(&theirs),
                            RefKind::EndsWith => mine.ends_with(&theirs),
                        }
                    })
                };
                if *all {
                    other.iter().all(test)
                } else {
                    other.iter().any(test)
                }
            }
        }
    }
}

/// The modifiers of one entry, as flags.
#[derive(Debug, Default)]
struct Modifiers {
    wildcard: Option<RefKind>,
    all: bool,
    cased: bool,
    neq: bool,
    exists: bool,
    re: bool,
    re_flags: String,
    cidr: bool,
    fieldref: bool,
    expand: bool,
    windash: bool,
    utf16: Option<&'static str>,
    base64: bool,
    base64offset: bool,
    cmp: Option<Cmp>,
    date: Option<DatePart>,
}

impl Modifiers {
    fn parse(names: &[&str]) -> Result<Modifiers, RuleError> {
        let mut m = Modifiers::default();
        for &name in names {
            match name {
                "contains" => m.wildcard = Some(RefKind::Contains),
                "startswith" => m.wildcard = Some(RefKind::StartsWith),
                "endswith" => m.wildcard = Some(RefKind::EndsWith),
                "all" => m.all = true,
                "cased" => m.cased = true,
                "neq" => m.neq = true,
                "exists" => m.exists = true,
                "re" => m.re = true,
                "i" | "m" | "s" if m.re => m.re_flags.push_str(name),
                "cidr" => m.cidr = true,
                "fieldref" => m.fieldref = true,
                "expand" => m.expand = true,
                "windash" => m.windash = true,
                "utf16le" | "wide" => m.utf16 = Some("le"),
                "utf16be" => m.utf16 = Some("be"),
                "utf16" => m.utf16 = Some("bom"),
                "base64" => m.base64 = true,
                "base64offset" => m.base64offset = true,
                "lt" => m.cmp = Some(Cmp::Lt),
                "lte" => m.cmp = Some(Cmp::Lte),
                "gt" => m.cmp = Some(Cmp::Gt),
                "gte" => m.cmp = Some(Cmp::Gte),
                "minute" => m.date = Some(DatePart::Minute),
                "hour" => m.date = Some(DatePart::Hour),
                "day" => m.date = Some(DatePart::Day),
                "week" => m.date = Some(DatePart::Week),
                "month" => m.date = Some(DatePart::Month),
                "year" => m.date = Some(DatePart::Year),
                other => return Err(RuleError::UnknownModifier(other.to_string())),
            }
        }
        if m.utf16.is_some() && !(m.base64 || m.base64offset) {
            return Err(RuleError::Unsupported(
                "utf16 encodings cannot occur in JSON text (only before base64 or base64offset)".into(),
            ));
        }
        Ok(m)
    }
}

/// A scalar value of a rule, as text (with whether it was a number, a boolean or null).
enum Scalar {
    Text(String),
    Number(f64, String),
    Bool(bool),
    Null,
}

fn scalar(value: &Yaml) -> Result<Scalar, RuleError> {
    Ok(match value {
        Yaml::String(s) => Scalar::Text(s.clone()),
        Yaml::Integer(i) => Scalar::Number(*i as f64, i.to_string()),
        Yaml::Real(r) => Scalar::Number(r.parse().map_err(|_| RuleError::BadValue(r.clone()))?, r.clone()),
        Yaml::Boolean(b) => Scalar::Bool(*b),
        Yaml::Null => Scalar::Null,
        other => return Err(RuleError::BadValue(format!("{other:?}"))),
    })
}

/// Compiles one selection entry: `key` is the field with its modifiers, `value` a scalar or a
/// list of scalars.
pub fn compile_entry(key: &str, value: &Yaml, placeholders: &Placeholders) -> Result<FieldTest, RuleError> {
    let mut parts = key.split('|');
    let field = parts.next().unwrap_or_default();
    if field.is_empty() {
        return Err(RuleError::BadValue(format!("a selection key without a field name: {key:?}")));
    }
    let names: Vec<&str> = parts.collect();
    let m = Modifiers::parse(&names)?;
    let values: Vec<&Yaml> = match value {
        Yaml::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    let field = FieldPath::new(field);
    let negate = m.neq;
    if m.exists {
        let want = match values.as_slice() {
            [Yaml::Boolean(b)] => *b,
            [Yaml::String(s)] if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                s.eq_ignore_ascii_case("true")
            }
            _ => return Err(RuleError::BadValue(format!("{key}: exists takes true or false"))),
        };
        return Ok(FieldTest { field, check: Check::Exists(want), negate });
    }
    if values.is_empty() {
        return Err(RuleError::BadValue(format!("{key}: an empty list of values")));
    }
    if m.fieldref {
        let other = values
            .iter()
            .map(|v| match scalar(v)? {
                Scalar::Text(s) => Ok(FieldPath::new(&s)),
                _ => Err(RuleError::BadValue(format!("{key}: fieldref takes field names"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let kind = m.wildcard.unwrap_or(RefKind::Equal);
        return Ok(FieldTest { field, check: Check::FieldRef { other, kind, cased: m.cased, all: m.all }, negate });
    }
    if let [Yaml::Null] = values.as_slice() {
        return Ok(FieldTest { field, check: Check::Null, negate });
    }
    let mut tests = Vec::new();
    for value in values {
        tests.extend(value_tests(key, scalar(value)?, &m, placeholders)?);
    }
    Ok(FieldTest { field, check: Check::Values { tests, all: m.all }, negate })
}

/// The tests one value stands for (several with `expand`, `windash`, `base64offset`).
fn value_tests(key: &str, value: Scalar, m: &Modifiers, placeholders: &Placeholders) -> Result<Vec<Test>, RuleError> {
    if let Some(part) = m.date {
        let Scalar::Number(n, _) = value else {
            return Err(RuleError::BadValue(format!("{key}: a time modifier takes a number")));
        };
        return Ok(vec![Test::Date(part, m.cmp.unwrap_or(Cmp::Eq), n)]);
    }
    if let Some(cmp) = m.cmp {
        let n = match &value {
            Scalar::Number(n, _) => *n,
            Scalar::Text(s) => {
                s.trim().parse().map_err(|_| RuleError::BadValue(format!("{key}: {s:?} is not a number")))?
            }
            _ => return Err(RuleError::BadValue(format!("{key}: lt/lte/gt/gte take a number"))),
        };
        return Ok(vec![Test::Number(cmp, n)]);
    }
    let text = match value {
        Scalar::Null => return Err(RuleError::BadValue(format!("{key}: null cannot be one of a list of values"))),
        Scalar::Bool(b) if !m.re && !m.cidr => return Ok(vec![Test::Bool(b)]),
        Scalar::Number(n, _) if m.wildcard.is_none() && !m.re && !m.cidr && !m.expand => {
            return Ok(vec![Test::Number(Cmp::Eq, n)]);
        }
        Scalar::Bool(b) => b.to_string(),
        Scalar::Number(_, text) | Scalar::Text(text) => text,
    };
    if m.re {
        let flags: String = m.re_flags.chars().collect();
        let source = if flags.is_empty() { text } else { format!("(?{flags}){text}") };
        let re = regex::Regex::new(&source).map_err(|e| RuleError::BadRegex(e.to_string()))?;
        let literals = regex_syntax::Parser::new().parse(&source).ok().and_then(|hir| required_in(&hir));
        return Ok(vec![Test::Regex(re, literals)]);
    }
    if m.cidr {
        let net = text
            .trim()
            .parse::<IpNet>()
            .or_else(|_| text.trim().parse::<IpAddr>().map(IpNet::from))
            .map_err(|_| RuleError::BadValue(format!("{key}: {text:?} is not a CIDR block")))?;
        return Ok(vec![Test::Cidr(net)]);
    }
    let mut variants = if m.expand { expand(&text, placeholders)? } else { vec![text] };
    if m.windash {
        variants = variants.iter().flat_map(|v| windash(v)).collect();
    }
    if m.base64 || m.base64offset {
        variants = variants.iter().flat_map(|v| encoded(v, m)).collect();
    }
    Ok(variants
        .into_iter()
        .map(|v| {
            let mut tokens = pattern::tokens(&v);
            let (before, after) = match m.wildcard {
                Some(RefKind::Contains) => (true, true),
                Some(RefKind::StartsWith) => (false, true),
                Some(RefKind::EndsWith) => (true, false),
                _ => (false, false),
            };
            if before && tokens.first() != Some(&pattern::Token::Star) {
                tokens.insert(0, pattern::Token::Star);
            }
            if after && tokens.last() != Some(&pattern::Token::Star) {
                tokens.push(pattern::Token::Star);
            }
            Test::Str(StrMatch::new(tokens, m.cased))
        })
        .collect())
}

/// Texts one of which every match of `hir` contains: a concatenation's longest literal piece,
/// or one from each branch of an alternation. Case-insensitive parts (classes) give none.
fn required_in(hir: &regex_syntax::hir::Hir) -> Option<Vec<String>> {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Literal(lit) => std::str::from_utf8(&lit.0).ok().map(|s| vec![s.to_string()]),
        HirKind::Capture(c) => required_in(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required_in(&r.sub),
        HirKind::Concat(items) => {
            items.iter().filter_map(required_in).max_by_key(|lits| lits.iter().map(String::len).min().unwrap_or(0))
        }
        HirKind::Alternation(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(required_in(item)?);
            }
            Some(out)
        }
        _ => None,
    }
}

/// Replaces `%name%` placeholders with each of their values (every combination); `\%` is a
/// plain percent sign.
fn expand(text: &str, placeholders: &Placeholders) -> Result<Vec<String>, RuleError> {
    let mut out = vec![String::new()];
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("\\%") {
            out.iter_mut().for_each(|o| o.push('%'));
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix('%') {
            if let Some(end) = after.find('%') {
                let name = &after[..end];
                let values = placeholders.get(name).ok_or_else(|| RuleError::MissingPlaceholder(name.to_string()))?;
                out = out.iter().flat_map(|o| values.iter().map(move |v| format!("{o}{v}"))).collect();
                rest = &after[end + 1..];
                continue;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.iter_mut().for_each(|o| o.push(c));
        rest = &rest[c.len_utf8()..];
    }
    Ok(out)
}

/// The dash characters `windash` makes interchangeable.
const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// Every variant of `text` with each dash that starts a word replaced by each dash character.
fn windash(text: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut previous: Option<char> = None;
    for c in text.chars() {
        let starts_word = previous.is_none_or(char::is_whitespace);
        if DASHES.contains(&c) && starts_word && out.len() < 625 {
            out = out.iter().flat_map(|o| DASHES.iter().map(move |d| format!("{o}{d}"))).collect();
        } else {
            out.iter_mut().for_each(|o| o.push(c));
        }
        previous = Some(c);
    }
    out
}

/// The base64 forms of `text` (after its utf16 encoding, if any), escaped as plain values.
fn encoded(text: &str, m: &Modifiers) -> Vec<String> {
    let bytes: Vec<u8> = match m.utf16 {
        Some("le") => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Some("be") => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        Some(_) => [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect(),
        None => text.as_bytes().to_vec(),
    };
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    if !m.base64offset {
        return vec![pattern::escape(&b64(&bytes))];
    }
    // The three shifts, each cut to the characters that do not depend on neighbouring bytes.
    let starts = [0usize, 2, 3];
    let ends = [0usize, 3, 2];
    (0..3)
        .map(|i| {
            let mut shifted = vec![b' '; i];
            shifted.extend_from_slice(&bytes);
            let enc = b64(&shifted);
            let end = enc.len().saturating_sub(ends[(bytes.len() + i) % 3]);
            pattern::escape(enc.get(starts[i]..end).unwrap_or_default())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, value: &str) -> FieldTest {
        let yaml = yaml_rust2::YamlLoader::load_from_str(value).unwrap().remove(0);
        let mut ph = Placeholders::new();
        ph.insert("Admins".into(), vec!["root".into(), "admin".into()]);
        compile_entry(key, &yaml, &ph).unwrap()
    }

    fn holds(key: &str, value: &str, event: &str) -> bool {
        let mut index = crate::event::Index::default();
        let ev = index.load(event.as_bytes()).unwrap();
        entry(key, value).matches(&ev)
    }

    #[test]
    fn the_string_modifiers() {
        let ev = r#"{"f":"Hello World","g":["a","b-c"]}"#;
        assert!(holds("f|contains", "lo wo", ev));
        assert!(holds("f|startswith", "HELLO", ev) && !holds("f|startswith", "World", ev));
        assert!(holds("f|endswith", "world", ev));
        assert!(!holds("f|cased", "hello world", ev) && holds("f|cased", "Hello World", ev));
        assert!(holds("f|contains|all", "[hello, world]", ev) && !holds("f|contains|all", "[hello, moon]", ev));
        assert!(holds("g", "b-c", ev), "any element of an array");
        assert!(holds("g|contains|all", "[a, c]", ev), "all: each value by some element");
        let Check::Values { tests, .. } = entry("f|re", "'.+:assumed-role/aws:.+'").check else { panic!() };
        assert!(matches!(&tests[0], Test::Regex(_, Some(l)) if l == &[":assumed-role/aws:"]));
        assert!(holds("f|re", "^Hel+o", ev) && !holds("f|re", "^hel+o", ev) && holds("f|re|i", "^hel+o", ev));
        assert!(holds("f|neq", "nope", ev) && !holds("f|neq", "hello world", ev));
        assert!(holds("x|neq", "nope", ev), "neq holds for an absent field");
        let lines = r#"{"f":"first\nSecond line"}"#;
        assert!(!holds("f|re", "^Second", lines) && holds("f|re|m", "^Second", lines));
        assert!(!holds("f|re", "first.Second", lines) && holds("f|re|s", "first.Second", lines));
        assert!(holds("f|re|i|m", "^second", lines));
    }

    #[test]
    fn exists_null_numbers_cidr_fieldref() {
        let ev = r#"{"n":null,"e":"","i":42,"s":"7","ip":"10.1.2.3","a":"Bob","b":"bob","t":"2024-03-05T06:07:08Z"}"#;
        assert!(holds("n|exists", "true", ev) && holds("z|exists", "false", ev) && !holds("z|exists", "true", ev));
        assert!(holds("n", "null", ev) && holds("z", "null", ev) && !holds("e", "null", ev));
        assert!(holds("e", "''", ev));
        assert!(holds("i", "'4*'", ev), "wildcards on a number's text");
        assert!(holds("b|exists", "true", r#"{"b":false}"#) && holds("b", "false", r#"{"b":false}"#));
        assert!(holds("i", "42", ev) && holds("s", "7", ev) && holds("i|gt", "41", ev) && !holds("i|lt", "42", ev));
        assert!(holds("i|lte", "42", ev) && holds("s|gte", "7", ev));
        assert!(holds("ip|cidr", "10.0.0.0/8", ev) && !holds("ip|cidr", "192.168.0.0/16", ev));
        assert!(holds("a|fieldref", "b", ev) && !holds("a|fieldref|cased", "b", ev));
        assert!(holds("t|hour", "6", ev) && holds("t|month", "3", ev) && holds("t|year|gte", "2024", ev));
    }

    #[test]
    fn encodings_expand_and_windash() {
        // base64 of "cmd" is Y21k; base64offset yields the three shifted forms.
        let ev = r#"{"b":"xxY21kyy","c":"ZXZpbA==","w":"run /flag"}"#;
        assert!(holds("b|base64|contains", "cmd", ev));
        assert!(holds("c|base64", "evil", ev));
        let forms: Vec<String> =
            encoded("/bin/sh", &Modifiers { base64offset: true, ..Modifiers::default() }).into_iter().collect();
        assert_eq!(forms, ["L2Jpbi9za", "9iaW4vc2", "vYmluL3No"]);
        assert!(holds("w|windash|contains", "-flag", ev));
        assert!(holds("w|windash|contains", "\u{2013}flag", ev), "an en dash stands for / too");
        // "cmd" in UTF-16LE is 63 00 6d 00 64 00: base64 "YwBtAGQA".
        assert!(holds("u|utf16le|base64offset|contains", "cmd", r#"{"u":"xxYwBtAGQAyy"}"#));
        assert!(matches!(
            compile_entry("u|utf16le", &Yaml::String("cmd".into()), &Placeholders::new()),
            Err(RuleError::Unsupported(_))
        ));
        assert!(holds("u|expand", "'%Admins%'", r#"{"u":"ADMIN"}"#));
        let ph = Placeholders::new();
        let err = compile_entry("u|expand", &Yaml::String("%Nobody%".into()), &ph).unwrap_err();
        assert!(matches!(err, RuleError::MissingPlaceholder(ref n) if n == "Nobody"));
        assert!(matches!(compile_entry("u|sha9", &Yaml::String("x".into()), &ph), Err(RuleError::UnknownModifier(_))));
    }
}
