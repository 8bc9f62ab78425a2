//! The syntax tree of a parsed filter pattern, before compilation.
//!
//! It mirrors the grammar of the spec (sections 2-6) and keeps the byte spans that compilation
//! errors (an invalid regex, say) need. Strings borrow from the source unless an escape had to be
//! decoded.

use std::borrow::Cow;
use std::ops::Range;

use super::lex::{CmpOp, Prefix};

/// A whole pattern.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ast<'a> {
    /// The empty pattern, or one of whitespace only: every event matches.
    All,
    /// Unstructured terms, in source order.
    Terms(Vec<Term<'a>>),
    /// `{ ... }`.
    Json(Expr<'a>),
    /// `[ ... ]`.
    Space(Vec<SpaceField<'a>>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term<'a> {
    pub prefix: Prefix,
    pub atom: Atom<'a>,
}

/// What a term or a value stands for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Atom<'a> {
    /// A word or a decoded quoted phrase, matched as a substring.
    Text(Cow<'a, str>),
    /// The body of `%...%` and the byte offset of the body in the source.
    Regex { body: &'a str, offset: usize },
}

/// A boolean combination of conditions. `&&` binds tighter than `||`; both are n-ary.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr<'a> {
    Or(Vec<Expr<'a>>),
    And(Vec<Expr<'a>>),
    Cond(Cond<'a>),
}

/// `selector test`, e.g. `$.eventName = "ConsoleLogin"` or `$.a NOT EXISTS`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cond<'a> {
    pub selector: Path,
    pub test: Test<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test<'a> {
    Cmp { op: CmpOp, value: Value<'a> },
    IsTrue,
    IsFalse,
    IsNull,
    NotExists,
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    /// A quoted or bare string; `*` is a wildcard. A bare value that reads as a number is
    /// [`Value::Number`] instead (A8).
    Str(Cow<'a, str>),
    /// A bare number, with its source text (for textual comparisons, A8) and its value.
    Number {
        text: &'a str,
        value: f64,
    },
    Regex {
        body: &'a str,
        offset: usize,
    },
}

/// A property selector, split into segments: `$.a.b[0]` is `[Key("a"), Key("b"), Index(0)]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Path {
    pub segments: Vec<Segment>,
    pub span: Range<usize>,
}

impl Path {
    pub fn wildcards(&self) -> usize {
        self.segments.iter().filter(|s| **s == Segment::Wildcard).count()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Segment {
    /// `.name` or `['name']`.
    Key(String),
    /// `[n]`.
    Index(usize),
    /// `[*]` or `.*`: every element of an array or member of an object.
    Wildcard,
}

/// One entry of a space-delimited pattern.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SpaceField<'a> {
    /// `...`: any number of fields.
    Ellipsis,
    /// A named or unnamed (empty) field with an optional condition on it.
    Field { name: Option<&'a str>, expr: Option<FieldExpr<'a>> },
}

/// Conditions on one space-delimited field: `status_code = 404 || status_code = 410`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldExpr<'a> {
    Or(Vec<FieldExpr<'a>>),
    And(Vec<FieldExpr<'a>>),
    Cmp { op: CmpOp, value: Value<'a> },
}
