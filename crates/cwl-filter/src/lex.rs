//! The lexer: splits pattern source into tokens that borrow from it.
//!
//! The language is context sensitive (after `=` the text `kms.amazonaws.com` is one bare value,
//! elsewhere `.` is not a token), so the parser drives the lexer: [`Lexer::next`] reads a
//! structural token, [`Lexer::value`] reads a comparison value. Term patterns have their own,
//! simpler token stream ([`TermLexer`]). The lexer owns the extent of quoted strings, regexes,
//! bare values and selectors; their inside is interpreted by the parser.

use std::ops::Range;

use super::error::{quote, ErrorKind, PatternError};

/// Whitespace separating tokens and terms.
pub(crate) fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace()
}

/// Which structured pattern is being lexed; space-delimited patterns also end bare values at
/// `,` and `]`, and know `...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LexMode {
    Json,
    Space,
}

/// Comparison operators of JSON and space-delimited conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok<'a> {
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    /// `...` (space-delimited patterns only).
    Ellipsis,
    And,
    Or,
    Op(CmpOp),
    /// `$` and everything up to the end of the selector, e.g. `$.a['b c'][0]`.
    Selector(&'a str),
    /// A run of `[A-Za-z0-9_]`: keywords and space-delimited field names.
    Word(&'a str),
    /// The raw inside of a double-quoted string, escapes not yet decoded.
    Str(&'a str),
    /// The inside of `%...%`.
    Regex(&'a str),
    /// An unquoted value (only from [`Lexer::value`]).
    Bare(&'a str),
    /// Any other character.
    Other(char),
    Eof,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Token<'a> {
    pub tok: Tok<'a>,
    pub start: usize,
    pub end: usize,
    /// Whether whitespace (or the start of the pattern) precedes the token.
    pub space_before: bool,
}

impl Token<'_> {
    pub fn span(&self) -> Range<usize> {
        self.start..self.end
    }

    /// How the token is named in "found ..." messages.
    pub fn describe(&self, src: &str) -> String {
        match self.tok {
            Tok::Eof => "end of pattern".to_string(),
            _ => quote(&src[self.start..self.end]),
        }
    }
}

/// A cursor over a JSON or space-delimited pattern. `Copy`, so the parser peeks by copying.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    mode: LexMode,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str, pos: usize, mode: LexMode) -> Self {
        Lexer { src, pos, mode }
    }

    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    /// Skips whitespace; returns whether there was any (the start of input counts as space).
    fn skip_space(&mut self) -> bool {
        let start = self.pos;
        while self.pos < self.src.len() && is_space(self.bytes()[self.pos]) {
            self.pos += 1;
        }
        self.pos > start || start == 0
    }

    fn token(&mut self, start: usize, len: usize, tok: Tok<'a>, space_before: bool) -> Token<'a> {
        self.pos = start + len;
        Token { tok, start, end: start + len, space_before }
    }

    /// The next structural token.
    pub fn next(&mut self) -> Result<Token<'a>, PatternError> {
        let space = self.skip_space();
        let start = self.pos;
        let b = self.bytes();
        let Some(&c) = b.get(start) else {
            return Ok(Token { tok: Tok::Eof, start, end: start, space_before: space });
        };
        let at = |i: usize| b.get(start + i).copied();
        let (tok, len) = match c {
            b'{' => (Tok::LBrace, 1),
            b'}' => (Tok::RBrace, 1),
            b'(' => (Tok::LParen, 1),
            b')' => (Tok::RParen, 1),
            b'[' => (Tok::LBracket, 1),
            b']' => (Tok::RBracket, 1),
            b',' => (Tok::Comma, 1),
            b'&' if at(1) == Some(b'&') => (Tok::And, 2),
            b'|' if at(1) == Some(b'|') => (Tok::Or, 2),
            b'=' => (Tok::Op(CmpOp::Eq), 1),
            b'!' if at(1) == Some(b'=') => (Tok::Op(CmpOp::Ne), 2),
            b'<' if at(1) == Some(b'=') => (Tok::Op(CmpOp::Le), 2),
            b'<' => (Tok::Op(CmpOp::Lt), 1),
            b'>' if at(1) == Some(b'=') => (Tok::Op(CmpOp::Ge), 2),
            b'>' => (Tok::Op(CmpOp::Gt), 1),
            b'.' if self.mode == LexMode::Space && at(1) == Some(b'.') && at(2) == Some(b'.') => (Tok::Ellipsis, 3),
            b'$' if self.mode == LexMode::Json => {
                let len = selector_extent(&self.src[start..]);
                (Tok::Selector(&self.src[start..start + len]), len)
            }
            b'"' => return self.quoted(start, space),
            b'%' => return self.regex(start, space),
            c if is_word_byte(c) => {
                let len = b[start..].iter().take_while(|&&c| is_word_byte(c)).count();
                (Tok::Word(&self.src[start..start + len]), len)
            }
            _ => {
                let ch = self.src[start..].chars().next().unwrap_or('\u{fffd}');
                (Tok::Other(ch), ch.len_utf8())
            }
        };
        Ok(self.token(start, len, tok, space))
    }

    /// The next comparison value: a quoted string, a `%regex%`, or a bare run of characters.
    /// When no value is there, returns the structural token that is (for the error message).
    pub fn value(&mut self) -> Result<Token<'a>, PatternError> {
        let space = self.skip_space();
        let start = self.pos;
        match self.bytes().get(start) {
            Some(b'"') => return self.quoted(start, space),
            Some(b'%') => return self.regex(start, space),
            _ => {}
        }
        let b = self.bytes();
        let mut end = start;
        while end < b.len() {
            let c = b[end];
            let stop = is_space(c)
                || matches!(c, b'(' | b')' | b'{' | b'}' | b'"')
                || (c == b'&' && b.get(end + 1) == Some(&b'&'))
                || (c == b'|' && b.get(end + 1) == Some(&b'|'))
                || (self.mode == LexMode::Space && matches!(c, b',' | b']'));
            if stop {
                break;
            }
            end += 1;
        }
        if end == start {
            // Report whatever is there instead of an empty value.
            let mut probe = *self;
            probe.pos = start;
            let mut tok = probe.next()?;
            tok.space_before = space;
            return Ok(tok);
        }
        Ok(self.token(start, end - start, Tok::Bare(&self.src[start..end]), space))
    }

    fn quoted(&mut self, start: usize, space: bool) -> Result<Token<'a>, PatternError> {
        let end =
            quoted_end(self.bytes(), start).ok_or_else(|| PatternError::at(start, ErrorKind::UnterminatedString))?;
        let tok = Tok::Str(&self.src[start + 1..end - 1]);
        Ok(self.token(start, end - start, tok, space))
    }

    fn regex(&mut self, start: usize, space: bool) -> Result<Token<'a>, PatternError> {
        let end =
            regex_end(self.bytes(), start).ok_or_else(|| PatternError::at(start, ErrorKind::UnterminatedRegex))?;
        let tok = Tok::Regex(&self.src[start + 1..end - 1]);
        Ok(self.token(start, end - start, tok, space))
    }
}

pub(crate) fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Given `b[start] == b'"'`, the index one past the closing quote. `\` escapes the next byte.
fn quoted_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Given `b[start] == b'%'`, the index one past the closing `%` (the dialect has no way to
/// escape `%` other than `\x25`, so the first `%` closes).
fn regex_end(b: &[u8], start: usize) -> Option<usize> {
    memchr::memchr(b'%', &b[start + 1..]).map(|i| start + 1 + i + 1)
}

/// Length of the selector starting at `s[0] == '$'`: name characters, `.`, `*`, and bracket
/// groups (quote-aware, so `$.['a b']` is one selector). Stops at whitespace or any character
/// that starts another token. The parser validates the inside.
fn selector_extent(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'[' => {
                i += 1;
                let mut quote: Option<u8> = None;
                while i < b.len() {
                    let c = b[i];
                    i += 1;
                    match quote {
                        Some(q) if c == q => quote = None,
                        Some(_) => {}
                        None if c == b'\'' || c == b'"' => quote = Some(c),
                        None if c == b']' => break,
                        None => {}
                    }
                }
            }
            c if is_space(c) => break,
            b'=' | b'!' | b'<' | b'>' | b'(' | b')' | b'{' | b'}' | b'&' | b'|' | b',' | b']' | b'"' | b'%' => break,
            _ => i += s[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    i
}

/// Decodes the inside of a quoted string: `\"` is a quote, `\\` a backslash (A21); any other
/// backslash is kept as written.
pub(crate) fn unquote(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw.contains('\\') {
        return raw.into();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(e @ ('"' | '\\')) => out.push(e),
                Some(e) => {
                    out.push('\\');
                    out.push(e);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// Prefix of a term in a term pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prefix {
    /// No prefix: the term must occur.
    Include,
    /// `-term`: the term must not occur.
    Exclude,
    /// `?term`: at least one `?` term must occur (ignored next to other terms).
    Optional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TermAtom<'a> {
    Word(&'a str),
    /// Raw inside of the quotes.
    Quoted(&'a str),
    /// Inside of `%...%`.
    Regex(&'a str),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct TermToken<'a> {
    pub prefix: Prefix,
    pub atom: TermAtom<'a>,
    /// Offset of the atom (after the prefix).
    pub start: usize,
}

/// Tokens of a term pattern: whitespace-separated terms, each with an optional prefix.
pub(crate) struct TermLexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> TermLexer<'a> {
    pub fn new(src: &'a str) -> Self {
        TermLexer { src, pos: 0 }
    }

    pub fn next_term(&mut self) -> Result<Option<TermToken<'a>>, PatternError> {
        let b = self.src.as_bytes();
        while self.pos < b.len() && is_space(b[self.pos]) {
            self.pos += 1;
        }
        if self.pos == b.len() {
            return Ok(None);
        }
        let prefix = match b[self.pos] {
            b'-' => Prefix::Exclude,
            b'?' => Prefix::Optional,
            _ => Prefix::Include,
        };
        if prefix != Prefix::Include {
            let p = b[self.pos] as char;
            self.pos += 1;
            if self.pos == b.len() || is_space(b[self.pos]) {
                return Err(PatternError::new(self.pos - 1..self.pos, ErrorKind::DanglingPrefix(p)));
            }
        }
        let start = self.pos;
        let (atom, end) = match b[start] {
            b'"' => {
                let end = quoted_end(b, start).ok_or_else(|| PatternError::at(start, ErrorKind::UnterminatedString))?;
                (TermAtom::Quoted(&self.src[start + 1..end - 1]), end)
            }
            b'%' => {
                let end = regex_end(b, start).ok_or_else(|| PatternError::at(start, ErrorKind::UnterminatedRegex))?;
                (TermAtom::Regex(&self.src[start + 1..end - 1]), end)
            }
            _ => {
                let mut end = start;
                while end < b.len() && !is_space(b[end]) {
                    // A2: characters with a meaning elsewhere in the language must be quoted;
                    // other punctuation (`ec2.amazonaws.com`, `arn:aws:iam`) is taken literally.
                    if let c @ (b'{' | b'}' | b'[' | b']' | b'(' | b')' | b'$' | b'%' | b'"') = b[end] {
                        let kind = ErrorKind::UnquotedTermChar { ch: c as char };
                        return Err(PatternError::new(end..end + 1, kind));
                    }
                    end += 1;
                }
                (TermAtom::Word(&self.src[start..end]), end)
            }
        };
        if end < b.len() && !is_space(b[end]) {
            return Err(PatternError::at(end, ErrorKind::MissingSpace));
        }
        self.pos = end;
        Ok(Some(TermToken { prefix, atom, start }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok<'_>> {
        let mut l = Lexer::new(src, 0, LexMode::Json);
        let mut out = vec![];
        loop {
            let t = l.next().unwrap();
            if t.tok == Tok::Eof {
                return out;
            }
            out.push(t.tok);
        }
    }

    #[test]
    fn structural_tokens() {
        assert_eq!(
            toks("{($.a['b c'][0]!=x)&&||<=>=}"),
            vec![
                Tok::LBrace,
                Tok::LParen,
                Tok::Selector("$.a['b c'][0]"),
                Tok::Op(CmpOp::Ne),
                Tok::Word("x"),
                Tok::RParen,
                Tok::And,
                Tok::Or,
                Tok::Op(CmpOp::Le),
                Tok::Op(CmpOp::Ge),
                Tok::RBrace
            ]
        );
    }

    #[test]
    fn bare_values_stop_at_operators_and_parens() {
        let mut l = Lexer::new("kms.amazonaws.com)&&", 0, LexMode::Json);
        assert_eq!(l.value().unwrap().tok, Tok::Bare("kms.amazonaws.com"));
        let mut l = Lexer::new("a&&b", 0, LexMode::Json);
        assert_eq!(l.value().unwrap().tok, Tok::Bare("a"));
        let mut l = Lexer::new("4*, x]", 0, LexMode::Space);
        assert_eq!(l.value().unwrap().tok, Tok::Bare("4*"));
        let mut l = Lexer::new(" )", 0, LexMode::Json);
        assert_eq!(l.value().unwrap().tok, Tok::RParen);
    }

    #[test]
    fn unquote_only_decodes_quote_and_backslash() {
        assert_eq!(unquote(r#"a\"b\\c\d"#), r#"a"b\c\d"#);
    }
}
