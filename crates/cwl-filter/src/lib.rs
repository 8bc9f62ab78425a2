//! CloudWatch Logs filter patterns: the language of metric filters, subscription filters and
//! `FilterLogEvents`, as used on CloudTrail log groups (the specification followed is
//! `docs/filter-patterns.md` in this crate's repository).
//!
//! A pattern is compiled once ([`Pattern::parse`]) and then tested against each log event
//! message ([`Pattern::matches`]); for a CloudTrail record the message is the record's compact
//! JSON text. Three kinds of pattern exist, chosen by the first character:
//!
//! * `{ ... }` JSON patterns: conditions on selected properties, `&&` binding tighter than `||`;
//! * `[ ... ]` space-delimited patterns: conditions on whitespace-separated fields;
//! * anything else is a term pattern: words, `"quoted phrases"`, `%regexes%`, with `?` (any of)
//!   and `-` (none of) prefixes. An empty or whitespace-only pattern matches everything.
//!
//! The stages are `lex` (tokens borrowing the source), `parse` (to an AST, enforcing the
//! grammar and the quotas: 1024 characters, 2 regexes, 3 wildcard selectors), `compile` (to a
//! flat plan: selector trie, pre-parsed numbers, precompiled [`Glob`]s and regexes) and `eval`
//! (a walk with the JSON reader that descends only into the members a pattern names).
//! `prefilter` derives needles for a cheap memchr/Teddy pass before `matches`.
//!
//! The public [`json`] module is that reader, with its written contract of what valid JSON
//! is (UTF-8, control characters, depth, duplicate members): a JSON pattern matches only
//! messages valid under it. Other readers of the same messages can use it to agree.
//!
//! Where the AWS documentation is silent, the spec's ambiguity register (A1..A26) decides; the
//! code cites the A-number where a decision is made.
//!
//! ```
//! use cwl_filter::{Pattern, Selector};
//!
//! let unauthorized = Pattern::parse(
//!     r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#,
//! )?;
//! let event = br#"{"eventName":"GetObject","errorCode":"AccessDenied","sourceIPAddress":"203.0.113.9"}"#;
//! assert!(unauthorized.prefilter().is_none_or(|p| p.may_match(event)));
//! assert!(unauthorized.matches(event));
//!
//! let ip = Selector::parse("$.sourceIPAddress")?;
//! assert_eq!(unauthorized.extract(event, &ip).unwrap().as_text(), "203.0.113.9");
//!
//! let err = Pattern::parse("{ $.eventName = ) }").unwrap_err();
//! assert_eq!(err.to_string(), "invalid filter pattern at byte 16: expected a value after '=', found ')'");
//! # Ok::<(), cwl_filter::PatternError>(())
//! ```

#![forbid(unsafe_code)]

mod ast;
mod compile;
mod error;
mod eval;
mod glob;
pub mod json;
mod lex;
pub mod outline;
mod parse;
mod prefilter;
mod regex;

#[cfg(test)]
mod tests;

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

pub use error::{ErrorKind, PatternError, Subject};
pub use eval::FieldValue;
pub use glob::Glob;
pub use parse::{MAX_PATTERN_CHARS, MAX_REGEXES, MAX_WILDCARDS};
pub use prefilter::Prefilter;

use compile::Program;
use parse::SelectorAst;

/// The kind of a pattern, from its first character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    /// Empty or whitespace only: matches every event.
    MatchAll,
    /// Words, phrases and regexes searched in the raw message.
    Terms,
    /// `{ ... }`.
    Json,
    /// `[ ... ]`.
    SpaceDelimited,
}

/// A compiled filter pattern. Immutable, `Send + Sync`; clones share the compiled form.
#[derive(Clone)]
pub struct Pattern {
    inner: Arc<Inner>,
}

struct Inner {
    source: String,
    kind: PatternKind,
    regexes: usize,
    plan: Program,
    prefilter: Option<Prefilter>,
}

impl Pattern {
    /// Compiles `src`, or says where and why it is not a valid pattern.
    pub fn parse(src: &str) -> Result<Pattern, PatternError> {
        let ast = parse::parse(src)?;
        let kind = match &ast {
            ast::Ast::All => PatternKind::MatchAll,
            ast::Ast::Terms(_) => PatternKind::Terms,
            ast::Ast::Json(_) => PatternKind::Json,
            ast::Ast::Space(_) => PatternKind::SpaceDelimited,
        };
        let plan = compile::compile(&ast)?;
        let prefilter = prefilter::for_ast(&ast);
        let regexes = src_regex_count(&ast);
        Ok(Pattern { inner: Arc::new(Inner { source: src.to_string(), kind, regexes, plan, prefilter }) })
    }

    /// Does this log event message match? `message` is the event's text (for a CloudTrail
    /// record: its compact JSON). Never panics: a JSON pattern does not match a message that is
    /// not a JSON object (A14, A15); term patterns treat the message as bytes.
    pub fn matches(&self, message: &[u8]) -> bool {
        eval::matches(&self.inner.plan, message)
    }

    /// Byte strings of which at least one occurs in every message this pattern can match, or
    /// None when no useful set is known. Test with [`Prefilter::may_match`] before
    /// [`Pattern::matches`]; it never rejects a message that matches.
    pub fn prefilter(&self) -> Option<&Prefilter> {
        self.inner.prefilter.as_ref()
    }

    /// The prefilter and then [`Pattern::matches`].
    pub fn matches_prefiltered(&self, message: &[u8]) -> bool {
        self.prefilter().is_none_or(|p| p.may_match(message)) && self.matches(message)
    }

    /// The pattern text as given.
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    pub fn kind(&self) -> PatternKind {
        self.inner.kind
    }

    /// Number of `%regex%` in the pattern (AWS allows at most 5 patterns with a regex per log
    /// group; callers enforcing that can count with this).
    pub fn regex_count(&self) -> usize {
        self.inner.regexes
    }

    /// Whether [`Pattern::extract`] can ever produce a value for `selector`: `$.path` needs a
    /// JSON pattern, `$name` / `$N` a space-delimited pattern with that field.
    pub fn can_extract(&self, selector: &Selector) -> bool {
        match (&self.inner.plan, &selector.target) {
            (Program::Json(_), SelectorAst::Path(_)) => true,
            (Program::Space(sp), target) => eval::space_index(sp, target).is_some(),
            _ => false,
        }
    }

    /// The value `selector` designates in `message` when the message matches: for metric values
    /// and dimensions (spec section 7). None when the message does not match, the field is
    /// absent or is an array/object, or the selector does not suit the pattern
    /// ([`Pattern::can_extract`]). Under a wildcard the first value found is returned; among
    /// duplicate members, the last.
    pub fn extract<'m>(&self, message: &'m [u8], selector: &Selector) -> Option<FieldValue<'m>> {
        if !self.matches(message) {
            return None;
        }
        eval::extract(&self.inner.plan, message, &selector.target)
    }
}

fn src_regex_count(ast: &ast::Ast<'_>) -> usize {
    use ast::{Ast, Atom, Expr, FieldExpr, SpaceField, Test, Value};
    fn expr(e: &Expr<'_>) -> usize {
        match e {
            Expr::Or(v) | Expr::And(v) => v.iter().map(expr).sum(),
            Expr::Cond(c) => usize::from(matches!(c.test, Test::Cmp { value: Value::Regex { .. }, .. })),
        }
    }
    fn field(e: &FieldExpr<'_>) -> usize {
        match e {
            FieldExpr::Or(v) | FieldExpr::And(v) => v.iter().map(field).sum(),
            FieldExpr::Cmp { value, .. } => usize::from(matches!(value, Value::Regex { .. })),
        }
    }
    match ast {
        Ast::All => 0,
        Ast::Terms(t) => t.iter().filter(|t| matches!(t.atom, Atom::Regex { .. })).count(),
        Ast::Json(e) => expr(e),
        Ast::Space(entries) => entries
            .iter()
            .map(|e| match e {
                SpaceField::Field { expr: Some(x), .. } => field(x),
                _ => 0,
            })
            .sum(),
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pattern").field("source", &self.inner.source).field("kind", &self.inner.kind).finish()
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.source)
    }
}

impl FromStr for Pattern {
    type Err = PatternError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Pattern::parse(s)
    }
}

/// A metric value / dimension selector: `$.a.b[0]` for JSON patterns, `$name` or `$N` (1-based)
/// for space-delimited fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    source: String,
    target: SelectorAst,
}

impl Selector {
    /// Parses a selector; errors carry the byte offset like [`Pattern::parse`]'s.
    pub fn parse(src: &str) -> Result<Selector, PatternError> {
        let target = parse::parse_selector(src).map_err(PatternError::for_selector)?;
        Ok(Selector { source: src.to_string(), target })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether this is a JSON property path (`$.a`), as opposed to a space-delimited field.
    pub fn is_json_path(&self) -> bool {
        matches!(self.target, SelectorAst::Path(_))
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl FromStr for Selector {
    type Err = PatternError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Selector::parse(s)
    }
}
