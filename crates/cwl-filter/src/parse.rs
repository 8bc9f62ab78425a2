//! The parser: pattern source to [`Ast`], enforcing the grammar and the documented quotas
//! (length, regexes, wildcards).
//!
//! Dispatch is on the first character, without trimming (spec section 2 and A5): `{` starts a
//! JSON pattern, `[` a space-delimited one, anything else is a term pattern; an empty or
//! whitespace-only pattern matches everything.

use std::borrow::Cow;

use super::ast::{Ast, Atom, Cond, Expr, FieldExpr, Path, Segment, SpaceField, Term, Test, Value};
use super::error::{quote, ErrorKind, PatternError};
use super::lex::{is_space, unquote, CmpOp, LexMode, Lexer, TermAtom, TermLexer, Tok, Token};

/// Longest pattern accepted, in characters (API `FilterPattern` maximum).
pub const MAX_PATTERN_CHARS: usize = 1024;
/// Most `%regex%` per pattern (FPS-cur quota).
pub const MAX_REGEXES: usize = 2;
/// Most wildcard selectors per pattern (FPS-cur quota); each selector may hold only one.
pub const MAX_WILDCARDS: usize = 3;

pub(crate) fn parse(src: &str) -> Result<Ast<'_>, PatternError> {
    if let Some((offset, _)) = src.char_indices().nth(MAX_PATTERN_CHARS) {
        let chars = src.chars().count();
        let kind = ErrorKind::TooLong { chars, limit: MAX_PATTERN_CHARS };
        return Err(PatternError::new(offset..src.len(), kind));
    }
    let first = src.bytes().position(|b| !is_space(b));
    let Some(first) = first else {
        // Spec section 2 and A4: "" and " " match every event (MLD "Count log events").
        return Ok(Ast::All);
    };
    let mut p = Parser { src, regexes: 0, wildcards: 0, lex: Lexer::new(src, 0, LexMode::Json) };
    match src.as_bytes()[first] {
        c @ (b'{' | b'[') if first > 0 => {
            // A5: AWS rejects `' {$.ThisFlag IS TRUE} '`; say why rather than blame the `{`.
            Err(PatternError::new(0..first, ErrorKind::LeadingWhitespace(c as char)))
        }
        b'{' => p.json().map(Ast::Json),
        b'[' => {
            p.lex = Lexer::new(src, 0, LexMode::Space);
            p.space().map(Ast::Space)
        }
        _ => p.terms().map(Ast::Terms),
    }
}

struct Parser<'a> {
    src: &'a str,
    lex: Lexer<'a>,
    regexes: usize,
    wildcards: usize,
}

fn unexpected(expected: impl Into<String>, found: &Token<'_>, src: &str) -> PatternError {
    let kind = ErrorKind::Unexpected { expected: expected.into(), found: found.describe(src) };
    PatternError::new(found.span(), kind)
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Result<Token<'a>, PatternError> {
        let mut l = self.lex;
        l.next()
    }

    /// Enforces the 2-regex quota. FPS-cur states it for JSON and space-delimited patterns and
    /// for FilterLogEvents; we apply it to term patterns as well, so one pattern is valid
    /// everywhere AWS accepts filter patterns.
    fn count_regex(&mut self, offset: usize) -> Result<(), PatternError> {
        self.regexes += 1;
        if self.regexes > MAX_REGEXES {
            let kind = ErrorKind::TooManyRegexes { limit: MAX_REGEXES };
            return Err(PatternError::at(offset, kind));
        }
        Ok(())
    }

    // ---- term patterns (section 3) ----

    fn terms(&mut self) -> Result<Vec<Term<'a>>, PatternError> {
        let mut lex = TermLexer::new(self.src);
        let mut terms = Vec::new();
        while let Some(t) = lex.next_term()? {
            let atom = match t.atom {
                TermAtom::Word(w) => Atom::Text(Cow::Borrowed(w)),
                // A21: `\"` and `\\` are the only escapes; A22: `""` is an empty phrase, which
                // occurs in every message (untested on AWS).
                TermAtom::Quoted(raw) => Atom::Text(unquote(raw)),
                TermAtom::Regex(body) => {
                    self.count_regex(t.start)?;
                    Atom::Regex { body, offset: t.start + 1 }
                }
            };
            terms.push(Term { prefix: t.prefix, atom });
        }
        Ok(terms)
    }

    // ---- JSON patterns (section 5) ----

    fn json(&mut self) -> Result<Expr<'a>, PatternError> {
        let open = self.lex.next()?;
        debug_assert_eq!(open.tok, Tok::LBrace);
        let expr = self.or_expr()?;
        let close = self.lex.next()?;
        if close.tok != Tok::RBrace {
            return Err(unexpected("'&&', '||' or '}'", &close, self.src));
        }
        self.end("end of pattern after '}'")?;
        Ok(expr)
    }

    fn end(&mut self, expected: &str) -> Result<(), PatternError> {
        let t = self.lex.next()?;
        if t.tok != Tok::Eof {
            return Err(unexpected(expected, &t, self.src));
        }
        Ok(())
    }

    fn or_expr(&mut self) -> Result<Expr<'a>, PatternError> {
        let mut items = vec![self.and_expr()?];
        while self.peek()?.tok == Tok::Or {
            self.lex.next()?;
            items.push(self.and_expr()?);
        }
        Ok(if items.len() == 1 { items.pop().unwrap() } else { Expr::Or(items) })
    }

    fn and_expr(&mut self) -> Result<Expr<'a>, PatternError> {
        let mut items = vec![self.primary()?];
        while self.peek()?.tok == Tok::And {
            self.lex.next()?;
            items.push(self.primary()?);
        }
        Ok(if items.len() == 1 { items.pop().unwrap() } else { Expr::And(items) })
    }

    fn primary(&mut self) -> Result<Expr<'a>, PatternError> {
        let t = self.lex.next()?;
        match t.tok {
            Tok::LParen => {
                let e = self.or_expr()?;
                let close = self.lex.next()?;
                if close.tok != Tok::RParen {
                    let expected = format!("'&&', '||' or ')' closing the '(' at byte {}", t.start);
                    return Err(unexpected(expected, &close, self.src));
                }
                Ok(e)
            }
            Tok::Selector(raw) => self.condition(raw, t.start).map(Expr::Cond),
            Tok::Word(w) if !w.is_empty() => Err(PatternError::new(
                t.span(),
                ErrorKind::InvalidSelector("a selector starts with '$', as in $.eventName"),
            )),
            _ => Err(unexpected("a condition such as '$.name = value', or '('", &t, self.src)),
        }
    }

    fn condition(&mut self, raw: &'a str, offset: usize) -> Result<Cond<'a>, PatternError> {
        let selector = parse_path(raw, offset)?;
        if selector.wildcards() > 0 {
            self.wildcards += 1;
            if self.wildcards > MAX_WILDCARDS {
                let kind = ErrorKind::TooManyWildcards { limit: MAX_WILDCARDS };
                return Err(PatternError::new(selector.span, kind));
            }
        }
        let t = self.lex.next()?;
        let test = match t.tok {
            Tok::Op(op) => {
                let value = self.value(op)?;
                Test::Cmp { op, value }
            }
            Tok::Word(w) => match self.keyword(w, &t)? {
                "IS" => {
                    let k = self.lex.next()?;
                    let word = if let Tok::Word(w) = k.tok { self.keyword(w, &k)? } else { "" };
                    match word {
                        "TRUE" => Test::IsTrue,
                        "FALSE" => Test::IsFalse,
                        "NULL" => Test::IsNull,
                        "NOT" => return Err(PatternError::new(t.start..k.end, ErrorKind::IsNot)),
                        _ => return Err(unexpected("TRUE, FALSE or NULL after IS", &k, self.src)),
                    }
                }
                "NOT" => {
                    let k = self.lex.next()?;
                    let word = if let Tok::Word(w) = k.tok { self.keyword(w, &k)? } else { "" };
                    if word != "EXISTS" {
                        return Err(unexpected("EXISTS after NOT", &k, self.src));
                    }
                    Test::NotExists
                }
                "EXISTS" => return Err(PatternError::new(t.span(), ErrorKind::BareExists)),
                _ => return Err(self.no_operator(&t)),
            },
            _ => return Err(self.no_operator(&t)),
        };
        Ok(Cond { selector, test })
    }

    fn no_operator(&self, t: &Token<'_>) -> PatternError {
        unexpected("an operator (=, !=, <, <=, >, >=), IS or NOT EXISTS", t, self.src)
    }

    /// Returns the keyword `word` is, or "" for none; a keyword in another case is an error (A13).
    fn keyword(&self, word: &str, t: &Token<'_>) -> Result<&'static str, PatternError> {
        for k in ["IS", "NOT", "EXISTS", "TRUE", "FALSE", "NULL"] {
            if word == k {
                return Ok(k);
            }
            if word.eq_ignore_ascii_case(k) {
                let kind = ErrorKind::KeywordCase { found: word.to_string(), upper: k.to_string() };
                return Err(PatternError::new(t.span(), kind));
            }
        }
        Ok("")
    }

    /// The value after `op`. Relational operators need a number.
    fn value(&mut self, op: CmpOp) -> Result<Value<'a>, PatternError> {
        let t = self.lex.value()?;
        let relational = !matches!(op, CmpOp::Eq | CmpOp::Ne);
        let value = match t.tok {
            Tok::Str(raw) => Value::Str(unquote(raw)),
            Tok::Regex(body) => {
                self.count_regex(t.start)?;
                Value::Regex { body, offset: t.start + 1 }
            }
            Tok::Bare(text) if text.starts_with(['=', '<', '>']) => {
                // `==`, `=>`, `=<`: a second operator, not a value.
                let first = Token { end: t.start + 1, ..t };
                return Err(unexpected(format!("a value after '{}'", op.as_str()), &first, self.src));
            }
            Tok::Bare(text) if text.starts_with('$') => {
                // A2 leaves bare punctuation literal, but a value that looks like a selector is
                // almost certainly an attempt to compare two fields, which the language lacks.
                let expected = format!(
                    "a value after '{}' (comparing two selectors is not supported; quote the text to match it literally)",
                    op.as_str()
                );
                return Err(unexpected(expected, &t, self.src));
            }
            Tok::Bare(text) => match pattern_number(text) {
                Some(value) => Value::Number { text, value },
                None => Value::Str(Cow::Borrowed(text)),
            },
            _ => {
                return Err(unexpected(format!("a value after '{}'", op.as_str()), &t, self.src));
            }
        };
        if relational && !matches!(value, Value::Number { .. }) {
            let kind = ErrorKind::NotANumber { op: op.as_str(), found: t.describe(self.src) };
            return Err(PatternError::new(t.span(), kind));
        }
        Ok(value)
    }

    // ---- space-delimited patterns (section 6) ----

    fn space(&mut self) -> Result<Vec<SpaceField<'a>>, PatternError> {
        let open = self.lex.next()?;
        debug_assert_eq!(open.tok, Tok::LBracket);
        let mut entries = Vec::new();
        let mut ellipsis = false;
        loop {
            let t = self.lex.next()?;
            let entry = match t.tok {
                // An empty entry is an unnamed field (FPS-2018 extracts it as `$N`).
                Tok::Comma => {
                    entries.push(SpaceField::Field { name: None, expr: None });
                    continue;
                }
                // A22: `[]` has no field at all; reject like `{}`.
                Tok::RBracket if entries.is_empty() => {
                    return Err(unexpected("a field entry", &t, self.src));
                }
                Tok::RBracket => {
                    // `[a,]`: the trailing empty entry is an unnamed field.
                    entries.push(SpaceField::Field { name: None, expr: None });
                    break;
                }
                Tok::Ellipsis if ellipsis => {
                    return Err(PatternError::new(t.span(), ErrorKind::MultipleEllipsis));
                }
                Tok::Ellipsis => {
                    ellipsis = true;
                    SpaceField::Ellipsis
                }
                Tok::Word(name) => {
                    let expr = if let Tok::Op(_) = self.peek()?.tok { Some(self.field_or(name)?) } else { None };
                    SpaceField::Field { name: Some(name), expr }
                }
                _ => return Err(unexpected("a field name, '...' or ','", &t, self.src)),
            };
            entries.push(entry);
            let sep = self.lex.next()?;
            match sep.tok {
                Tok::Comma => {}
                Tok::RBracket => break,
                _ => return Err(unexpected("',' or ']'", &sep, self.src)),
            }
        }
        self.end("end of pattern after ']'")?;
        Ok(entries)
    }

    /// `name op value ( && ... )* ( || ... )*` on the field `entry`, whose name the caller has
    /// just read.
    fn field_or(&mut self, entry: &str) -> Result<FieldExpr<'a>, PatternError> {
        let mut items = vec![self.field_and(entry, true)?];
        while self.peek()?.tok == Tok::Or {
            self.lex.next()?;
            items.push(self.field_and(entry, false)?);
        }
        Ok(if items.len() == 1 { items.pop().unwrap() } else { FieldExpr::Or(items) })
    }

    fn field_and(&mut self, entry: &str, mut named: bool) -> Result<FieldExpr<'a>, PatternError> {
        let mut items = Vec::new();
        loop {
            if !named {
                let t = self.lex.next()?;
                match t.tok {
                    Tok::Word(w) if w == entry => {}
                    Tok::Word(w) => {
                        let kind = ErrorKind::FieldNameMismatch { entry: entry.to_string(), found: w.to_string() };
                        return Err(PatternError::new(t.span(), kind));
                    }
                    _ => return Err(unexpected(format!("'{entry}' and an operator"), &t, self.src)),
                }
            }
            named = false;
            let t = self.lex.next()?;
            let Tok::Op(op) = t.tok else {
                return Err(self.no_operator(&t));
            };
            let value = self.value(op)?;
            items.push(FieldExpr::Cmp { op, value });
            if self.peek()?.tok != Tok::And {
                break;
            }
            self.lex.next()?;
        }
        Ok(if items.len() == 1 { items.pop().unwrap() } else { FieldExpr::And(items) })
    }
}

/// A bare value that reads as a number (A8):
/// `[+-]? ( digits ( "." digits* )? | "." digits ) ( [eE] [+-]? digits )?`.
pub(crate) fn pattern_number(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int = digits(&b[i..]);
    i += int;
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac = digits(&b[i..]);
        i += frac;
    }
    if int == 0 && frac == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(b.get(i), Some(b'+' | b'-')));
        let exp = digits(&b[i..]);
        if exp == 0 {
            return None;
        }
        i += exp;
    }
    if i != b.len() {
        return None;
    }
    text.parse().ok()
}

fn digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// Splits a selector (`$.a.b[0]`, `$.['k.k']`, `$.a[*]`) into segments. `offset` is the byte
/// offset of the `$` in the pattern, for error spans.
pub(crate) fn parse_path(raw: &str, offset: usize) -> Result<Path, PatternError> {
    let b = raw.as_bytes();
    let err = |at: usize, why: &'static str| {
        let end = raw[at.min(raw.len())..].chars().next().map_or(at, |c| at + c.len_utf8());
        PatternError::new(offset + at..offset + end, ErrorKind::InvalidSelector(why))
    };
    if b.first() != Some(&b'$') {
        return Err(err(0, "a selector starts with '$', as in $.eventName"));
    }
    if b.len() == 1 {
        return Err(err(1, "expected '.name' or '[...]' after '$'"));
    }
    let mut segments = Vec::new();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'.' => {
                i += 1;
                match b.get(i) {
                    Some(b'*') => {
                        segments.push(Segment::Wildcard);
                        i += 1;
                    }
                    Some(b'[') => {
                        let (seg, next) = bracket(raw, i, offset)?;
                        if !matches!(seg, Segment::Key(_)) {
                            return Err(err(i, "expected a quoted name in '.[...]', as in .['a.b']"));
                        }
                        segments.push(seg);
                        i = next;
                    }
                    _ => {
                        let len =
                            b[i..].iter().take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-').count();
                        if len == 0 {
                            return Err(err(i, "empty property name after '.'"));
                        }
                        segments.push(Segment::Key(raw[i..i + len].to_string()));
                        i += len;
                    }
                }
            }
            b'[' => {
                let (seg, next) = bracket(raw, i, offset)?;
                segments.push(seg);
                i = next;
            }
            _ => {
                return Err(err(
                    i,
                    "unexpected character; property names hold letters, digits, '_' and '-' (quote others as ['name'])",
                ))
            }
        }
    }
    let path = Path { segments, span: offset..offset + raw.len() };
    if path.wildcards() > 1 {
        return Err(PatternError::new(path.span.clone(), ErrorKind::TooManyWildcardsInSelector));
    }
    Ok(path)
}

/// Parses `[n]`, `[*]` or `['name']` starting at `raw[i] == '['`; returns the segment and the
/// index after `]`.
fn bracket(raw: &str, i: usize, offset: usize) -> Result<(Segment, usize), PatternError> {
    let b = raw.as_bytes();
    let err =
        |at: usize, why: &'static str| PatternError::new(offset + at..offset + at + 1, ErrorKind::InvalidSelector(why));
    let close = |j: usize| {
        if b.get(j) == Some(&b']') {
            Ok(j + 1)
        } else {
            Err(err(j.min(raw.len()), "expected ']'"))
        }
    };
    let j = i + 1;
    match b.get(j) {
        Some(b'*') => Ok((Segment::Wildcard, close(j + 1)?)),
        Some(c) if c.is_ascii_digit() => {
            let len = digits(&b[j..]);
            let n = raw[j..j + len].parse().map_err(|_| err(j, "array index too large"))?;
            Ok((Segment::Index(n), close(j + len)?))
        }
        Some(&q @ (b'\'' | b'"')) => {
            let Some(len) = b[j + 1..].iter().position(|&c| c == q) else {
                return Err(err(j, "unterminated quoted property name"));
            };
            if len == 0 {
                return Err(err(j, "empty property name"));
            }
            let name = raw[j + 1..j + 1 + len].to_string();
            Ok((Segment::Key(name), close(j + 2 + len)?))
        }
        _ => Err(err(j.min(raw.len()), "expected a number, '*' or a quoted name inside '[...]'")),
    }
}

/// What a metric value or dimension refers to (spec section 7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SelectorAst {
    /// `$.a.b[0]`, for JSON patterns.
    Path(Path),
    /// `$name`, a named space-delimited field.
    Named(String),
    /// `$7`, the seventh space-delimited field (1-based).
    Position(usize),
}

pub(crate) fn parse_selector(src: &str) -> Result<SelectorAst, PatternError> {
    let rest = src.strip_prefix('$').ok_or_else(|| {
        PatternError::new(
            0..src.chars().next().map_or(0, char::len_utf8),
            ErrorKind::InvalidSelector("a selector starts with '$', as in $.eventName or $size"),
        )
    })?;
    match rest.as_bytes().first() {
        Some(b'.' | b'[') => parse_path(src, 0).map(SelectorAst::Path),
        Some(_) if rest.bytes().all(|c| c.is_ascii_digit()) => match rest.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(SelectorAst::Position(n)),
            _ => Err(PatternError::new(1..src.len(), ErrorKind::InvalidSelector("field positions count from $1"))),
        },
        Some(_) => match rest.bytes().position(|c| !super::lex::is_word_byte(c)) {
            None => Ok(SelectorAst::Named(rest.to_string())),
            Some(at) => {
                let found = quote(&rest[at..]);
                let kind = ErrorKind::Unexpected { expected: "a field name of letters, digits and '_'".into(), found };
                Err(PatternError::at(1 + at, kind))
            }
        },
        None => {
            Err(PatternError::at(1, ErrorKind::InvalidSelector("expected '.name', '[...]' or a field name after '$'")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_documented_grammar() {
        for (text, value) in [
            ("1", 1.0),
            ("-1.5", -1.5),
            ("+2", 2.0),
            (".5", 0.5),
            ("1.", 1.0),
            ("1e-3", 0.001),
            ("10e3", 10000.0),
            ("1E+3", 1000.0),
        ] {
            assert_eq!(pattern_number(text), Some(value), "{text}");
        }
        for text in ["", ".", "e3", "1e", "1e+", "0x10", "inf", "NaN", "1.2.3", "1-2", "--1"] {
            assert_eq!(pattern_number(text), None, "{text}");
        }
    }

    #[test]
    fn paths_split_into_segments() {
        let p = parse_path("$.a['b.c'][3].*", 0).unwrap();
        assert_eq!(
            p.segments,
            vec![Segment::Key("a".into()), Segment::Key("b.c".into()), Segment::Index(3), Segment::Wildcard]
        );
        let p = parse_path(r#"$.["x y"]"#, 0).unwrap();
        assert_eq!(p.segments, vec![Segment::Key("x y".into())]);
    }
}
