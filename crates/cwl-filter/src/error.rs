//! Errors of the filter-pattern language: one [`PatternError`] type carrying the byte span of
//! the offending text and an [`ErrorKind`] saying what was wrong.
//!
//! Every variant documents a pattern that triggers it. Messages are single lines (the text of
//! the pattern that is quoted back is escaped), so they can be printed like a compiler would:
//! `invalid filter pattern at byte 12: expected a value after '=', found ')'`.

use std::fmt;
use std::ops::Range;

/// What a [`PatternError`] was parsing: a whole filter pattern or a metric-value selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// [`Pattern::parse`](super::Pattern::parse).
    Pattern,
    /// [`Selector::parse`](super::Selector::parse).
    Selector,
}

/// A pattern (or selector) that cannot be compiled, with the byte span where the problem is.
///
/// `Display` is one line: `invalid filter pattern at byte N: <message>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub(crate) span: Range<usize>,
    pub(crate) kind: ErrorKind,
    pub(crate) subject: Subject,
}

impl PatternError {
    pub(crate) fn new(span: Range<usize>, kind: ErrorKind) -> Self {
        PatternError { span, kind, subject: Subject::Pattern }
    }

    pub(crate) fn at(offset: usize, kind: ErrorKind) -> Self {
        Self::new(offset..offset, kind)
    }

    pub(crate) fn for_selector(mut self) -> Self {
        self.subject = Subject::Selector;
        self
    }

    /// Byte offset in the source where the problem starts.
    pub fn offset(&self) -> usize {
        self.span.start
    }

    /// Byte span of the offending text (empty when the problem is a missing token).
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The message without the position prefix, e.g. `expected a value after '=', found ')'`.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }

    /// Whether this error came from [`Pattern::parse`](super::Pattern::parse) or
    /// [`Selector::parse`](super::Selector::parse).
    pub fn subject(&self) -> Subject {
        self.subject
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.subject {
            Subject::Pattern => "filter pattern",
            Subject::Selector => "selector",
        };
        write!(f, "invalid {what} at byte {}: {}", self.span.start, self.kind)
    }
}

impl std::error::Error for PatternError {}

/// The reasons a pattern is rejected. Each variant names a pattern that triggers it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// More than 1024 characters (the `FilterPattern` API limit): `"a"` repeated 1025 times.
    #[error("pattern is {chars} characters long; the limit is {limit}")]
    TooLong { chars: usize, limit: usize },

    /// Whitespace before the `{` of a JSON pattern or the `[` of a space-delimited one (A5):
    /// `" {$.a = 1}"`. AWS rejects these; we say why instead of failing on the `{`.
    #[error("whitespace before '{0}': a pattern of this kind must start with '{0}'")]
    LeadingWhitespace(char),

    /// A token that does not fit the grammar: `{ $.a = 1 ) }`, `{ $.a = }`, `{ $.a }`.
    /// `expected` says what would have fitted, `found` quotes what is there.
    #[error("expected {expected}, found {found}")]
    Unexpected { expected: String, found: String },

    /// A `"` without its closing quote: `"ERROR`, `{ $.a = "x }`.
    #[error("unterminated quoted string")]
    UnterminatedString,

    /// A `%` without its closing `%`: `%ERROR`, `{ $.a = %x }`.
    #[error("unterminated regular expression (missing closing '%')")]
    UnterminatedRegex,

    /// An unquoted term with a character that has a meaning elsewhere in the language (A2):
    /// `{`, `}`, `[`, `]`, `(`, `)`, `$`, `%` or `"` in `ERROR{x}` or ` {$.a = 1}` after trimming.
    #[error("'{ch}' is not allowed in an unquoted term; enclose the term in double quotes")]
    UnquotedTermChar { ch: char },

    /// A `-` or `?` not immediately followed by a term: `ERROR - Exiting`, `?`.
    #[error("'{0}' must be immediately followed by a term")]
    DanglingPrefix(char),

    /// Two terms not separated by whitespace: `"ERROR"Exiting`, `%a%b`.
    #[error("expected whitespace between terms")]
    MissingSpace,

    /// A malformed property selector: `{ $ = 1 }`, `{ $.a..b = 1 }`, `{ $.a[x] = 1 }`,
    /// `{ $.['a = 1 }`, or a selector not starting with `$`: `{ a = 1 }`.
    #[error("invalid property selector: {0}")]
    InvalidSelector(&'static str),

    /// More than one wildcard in a single selector: `{ $.a[*].b[*] = 1 }`.
    #[error("a property selector may contain at most one wildcard ('[*]' or '.*')")]
    TooManyWildcardsInSelector,

    /// More than three wildcard selectors in one pattern:
    /// `{ $.a[*]=1 || $.b[*]=1 || $.c[*]=1 || $.d[*]=1 }`.
    #[error("a pattern may contain at most {limit} wildcard selectors")]
    TooManyWildcards { limit: usize },

    /// More than two regular expressions in one pattern: `%a% %b% %c%`.
    #[error("a pattern may contain at most {limit} regular expressions")]
    TooManyRegexes { limit: usize },

    /// A relational operator with something other than a number: `{ $.a < abc }`,
    /// `{ $.a >= "5" }`, `{ $.a > %5% }`.
    #[error("'{op}' compares numbers; expected a number, found {found}")]
    NotANumber { op: &'static str, found: String },

    /// `IS NOT` is documented as unsupported: `{ $.a IS NOT NULL }`.
    #[error("'IS NOT' is not supported; use 'NOT EXISTS', 'IS NULL' or '!='")]
    IsNot,

    /// `EXISTS` without `NOT`: `{ $.a EXISTS }`. Documented as unsupported.
    #[error("'EXISTS' is not supported on its own; use 'NOT EXISTS' or '= *'")]
    BareExists,

    /// A keyword in the wrong case (A13): `{ $.a is true }`, `{ $.a IS True }`.
    #[error("keywords are upper case: write '{upper}' instead of '{found}'")]
    KeywordCase { found: String, upper: String },

    /// A character the regex dialect does not allow (section 4): `%a!b%`, `%é%` (A24),
    /// or parentheses `%(a)%` (no groups; use `\x28` and `\x29`).
    #[error("{0}")]
    RegexChar(String),

    /// A regular expression that the dialect's grammar or the engine rejects: `%a{2%`,
    /// `%[a-%`, `%\b%`, `%**%`.
    #[error("invalid regular expression: {0}")]
    RegexInvalid(String),

    /// A space-delimited pattern with two `...` entries: `[a, ..., b, ...]`.
    #[error("a space-delimited pattern may contain '...' only once")]
    MultipleEllipsis,

    /// A condition in a space-delimited entry naming another field: `[a = 1 || b = 2, b]`.
    #[error("condition on '{found}' inside the entry for field '{entry}'")]
    FieldNameMismatch { entry: String, found: String },

    /// A pattern with more conditions than the evaluator supports (unreachable within the
    /// 1024-character limit; kept as a guard).
    #[error("pattern has more than {limit} conditions")]
    TooManyConditions { limit: usize },
}

/// Quotes a piece of the pattern for an error message: single line, at most 24 characters.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::from("'");
    for (i, c) in text.chars().enumerate() {
        if i == 24 {
            out.push_str("...");
            break;
        }
        out.extend(c.escape_debug());
    }
    out.push('\'');
    out
}
