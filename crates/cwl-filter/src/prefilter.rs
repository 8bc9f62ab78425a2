//! Byte-string prefilters: a set of needles of which at least one occurs in every message a
//! pattern can match, so callers can skip most messages with one SIMD search before
//! [`Pattern::matches`](super::Pattern::matches).
//!
//! Correctness comes first: a prefilter never rejects a message the pattern matches.
//! * Term patterns search raw text, so an include term (or, with only `?` terms, their union)
//!   is a needle as written.
//! * JSON patterns compare *decoded* strings, and any character of a JSON string may be written
//!   as an escape. Needles are therefore the longest run of a literal without characters that
//!   have a short escape (`"`, `\`, `/`, control characters) or are wildcards; every other
//!   character can only be disguised as `\uXXXX`, so `\u` is always added as one more needle.
//!   `=` against a string gives its literal; `||` the union of its sides; `&&` the best side;
//!   numbers, regexes, `IS`, `!=` and `NOT EXISTS` give none, except that a comparison that
//!   needs its field present (`= *`, `< 5`, `IS TRUE`, `= %re%`) contributes the field's name
//!   as a weak needle.

use memchr::memmem;
use regex::bytes::Regex;

use super::ast::{Ast, Atom, Expr, Segment, Test, Value};
use super::lex::{CmpOp, Prefix};

/// Shortest needle worth searching for; shorter ones would pass almost every message.
const MIN_NEEDLE: usize = 3;

/// Needles of which at least one occurs in any message the pattern can match.
#[derive(Debug, Clone)]
pub struct Prefilter {
    needles: Vec<Vec<u8>>,
    engine: Engine,
}

#[derive(Debug, Clone)]
enum Engine {
    One(Box<memmem::Finder<'static>>),
    /// Several literals: the regex crate searches them together (Teddy / Aho-Corasick).
    Many(Regex),
}

impl Prefilter {
    fn new(needles: Vec<Vec<u8>>) -> Option<Prefilter> {
        let engine = match &needles[..] {
            [] => return None,
            [one] => Engine::One(Box::new(memmem::Finder::new(one).into_owned())),
            many => {
                let alts: Vec<String> =
                    many.iter().map(|n| regex::escape(std::str::from_utf8(n).ok().unwrap_or_default())).collect();
                Engine::Many(Regex::new(&alts.join("|")).ok()?)
            }
        };
        Some(Prefilter { needles, engine })
    }

    /// Whether the message may match: false only when none of the needles occurs.
    #[inline]
    pub fn may_match(&self, message: &[u8]) -> bool {
        match &self.engine {
            Engine::One(f) => f.find(message).is_some(),
            Engine::Many(re) => re.is_match(message),
        }
    }

    /// The needles (raw bytes, as they appear in a matching message).
    pub fn needles(&self) -> &[Vec<u8>] {
        &self.needles
    }
}

/// A candidate needle set while walking the expression.
#[derive(Debug, Clone)]
struct Set {
    needles: Vec<Vec<u8>>,
    /// Built from values only (not from field names, which most events contain).
    strong: bool,
}

impl Set {
    fn one(n: Vec<u8>, strong: bool) -> Set {
        Set { needles: vec![n], strong }
    }

    /// Ranking for `&&`: strong first, then the longest shortest needle, then fewest needles.
    fn score(&self) -> (bool, usize, std::cmp::Reverse<usize>) {
        let shortest = self.needles.iter().map(Vec::len).min().unwrap_or(0);
        (self.strong, shortest, std::cmp::Reverse(self.needles.len()))
    }
}

pub(crate) fn for_ast(ast: &Ast<'_>) -> Option<Prefilter> {
    match ast {
        Ast::All | Ast::Space(_) => None,
        Ast::Terms(terms) => {
            let text = |a: &Atom<'_>| match a {
                Atom::Text(s) if !s.trim().is_empty() => Some(s.as_bytes().to_vec()),
                _ => None,
            };
            let include: Vec<_> = terms.iter().filter(|t| t.prefix == Prefix::Include).collect();
            let needles = if !include.is_empty() {
                // Every include term must occur: the longest literal one is enough.
                vec![include.iter().filter_map(|t| text(&t.atom)).max_by_key(Vec::len)?]
            } else if terms.iter().all(|t| t.prefix == Prefix::Optional) {
                // Only `?` terms: one of them must occur.
                terms.iter().map(|t| text(&t.atom)).collect::<Option<Vec<_>>>()?
            } else {
                return None;
            };
            Prefilter::new(dedup(needles))
        }
        Ast::Json(expr) => {
            let mut needles = dedup(json(expr)?.needles);
            needles.push(b"\\u".to_vec());
            Prefilter::new(needles)
        }
    }
}

fn dedup(mut v: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    v.sort();
    v.dedup();
    v
}

fn json(expr: &Expr<'_>) -> Option<Set> {
    match expr {
        Expr::Or(items) => {
            let mut out = Set { needles: vec![], strong: true };
            for e in items {
                let s = json(e)?;
                out.strong &= s.strong;
                out.needles.extend(s.needles);
            }
            Some(out)
        }
        Expr::And(items) => items.iter().filter_map(json).max_by_key(Set::score),
        Expr::Cond(c) => {
            let field = || {
                let name = c.selector.segments.iter().rev().find_map(|s| match s {
                    Segment::Key(k) => Some(k),
                    _ => None,
                })?;
                literal_run(name).map(|n| Set::one(n, false))
            };
            match &c.test {
                Test::Cmp { op: CmpOp::Eq, value: Value::Str(s) } => {
                    literal_run(s).map(|n| Set::one(n, true)).or_else(field)
                }
                Test::Cmp { op: CmpOp::Ne, .. } | Test::IsNull | Test::NotExists => None,
                Test::Cmp { .. } | Test::IsTrue | Test::IsFalse => field(),
            }
        }
    }
}

/// The longest run of `text` free of wildcards and of characters JSON can escape other than
/// with `\u`; None when it is shorter than [`MIN_NEEDLE`].
fn literal_run(text: &str) -> Option<Vec<u8>> {
    text.as_bytes()
        .split(|&c| matches!(c, b'*' | b'"' | b'\\' | b'/') || c < 0x20)
        .max_by_key(|run| run.len())
        .filter(|run| run.len() >= MIN_NEEDLE)
        .map(<[u8]>::to_vec)
}

#[cfg(test)]
mod tests {
    use super::super::Pattern;

    fn needles(p: &str) -> Option<Vec<String>> {
        let p = Pattern::parse(p).unwrap();
        p.prefilter().map(|f| f.needles().iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect())
    }

    #[test]
    fn json_needles() {
        assert_eq!(needles(r#"{ $.eventName = "ConsoleLogin" }"#).unwrap(), ["ConsoleLogin", "\\u"]);
        assert_eq!(
            needles(r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#).unwrap(),
            ["AccessDenied", "UnauthorizedOperation", "\\u"]
        );
        assert_eq!(needles(r#"{ $.a = "x/yyyy/zz" }"#).unwrap(), ["yyyy", "\\u"]);
        assert_eq!(needles(r#"{ $.a != "xyz" }"#), None);
        assert_eq!(needles(r#"{ $.a NOT EXISTS }"#), None);
        assert_eq!(needles(r#"{ $.a = 1 || $.b = "xyz" }"#), None);
        assert_eq!(needles(r#"{ $.latency > 1 }"#).unwrap(), ["latency", "\\u"]);
        // `&&` prefers a value over a field name.
        assert_eq!(
            needles(r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#).unwrap(),
            ["Root", "\\u"]
        );
    }

    #[test]
    fn term_needles() {
        assert_eq!(needles("ERROR Exception").unwrap(), ["Exception"]);
        assert_eq!(needles("?ERROR ?WARN").unwrap(), ["ERROR", "WARN"]);
        assert_eq!(needles("-ERROR"), None);
        assert_eq!(needles("?ERROR -x"), None);
        assert_eq!(needles("%ab+%"), None);
        assert_eq!(needles("\" \""), None);
    }
}
