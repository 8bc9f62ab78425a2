//! Sigma string values compiled to matchers: wildcards `*` and `?` with backslash escapes,
//! case-insensitive unless `cased`, and the literal text any match must contain (for the
//! prefilter).
//!
//! A value is split into tokens once; the common shapes (a whole value, a prefix, a suffix, a
//! substring) get a direct comparison, anything else a small backtracking glob over characters.

use std::borrow::Cow;

/// One piece of a wildcard value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Text(String),
    /// `*`: any run of characters, the empty one included.
    Star,
    /// `?`: exactly one character.
    One,
}

/// Splits a Sigma string into tokens. `\*`, `\?` and `\\` are the plain characters; a backslash
/// before anything else is a plain backslash (the specification's escaping rules).
pub fn tokens(value: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&next @ ('*' | '?' | '\\')) => {
                    text.push(next);
                    chars.next();
                }
                _ => text.push('\\'),
            },
            '*' | '?' => {
                if !text.is_empty() {
                    out.push(Token::Text(std::mem::take(&mut text)));
                }
                // Two stars in a row are one.
                if !(c == '*' && out.last() == Some(&Token::Star)) {
                    out.push(if c == '*' { Token::Star } else { Token::One });
                }
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Token::Text(text));
    }
    out
}

/// Escapes `text` so that [`tokens`] reads it back as plain text (for values built by
/// modifiers, e.g. a base64 encoding, which may hold no wildcard).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[derive(Debug, Clone)]
enum Shape {
    Exact(String),
    Prefix(String),
    Suffix(String),
    /// The text and its searcher, built once.
    Contains(Box<memchr::memmem::Finder<'static>>),
    /// `*` alone: any string.
    Any,
    Glob(Vec<Token>),
}

/// Whether `hay` contains `needle` (folded to lower case), ASCII case ignored: no folded copy
/// of `hay` is made.
fn contains_ascii(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else { return true };
    let mut at = 0;
    while let Some(i) = memchr::memchr2(first, first.to_ascii_uppercase(), &hay[at..]) {
        let start = at + i + 1;
        match hay.get(start..start + rest.len()) {
            Some(candidate) if candidate.eq_ignore_ascii_case(rest) => return true,
            Some(_) => at = start,
            None => return false,
        }
    }
    false
}

impl PartialEq for Shape {
    fn eq(&self, other: &Shape) -> bool {
        match (self, other) {
            (Shape::Exact(a), Shape::Exact(b)) | (Shape::Prefix(a), Shape::Prefix(b)) => a == b,
            (Shape::Suffix(a), Shape::Suffix(b)) => a == b,
            // A searcher is equal to another built for the same text.
            (Shape::Contains(a), Shape::Contains(b)) => a.needle() == b.needle(),
            (Shape::Any, Shape::Any) => true,
            (Shape::Glob(a), Shape::Glob(b)) => a == b,
            _ => false,
        }
    }
}

/// A compiled string value.
#[derive(Debug, Clone, PartialEq)]
pub struct StrMatch {
    shape: Shape,
    cased: bool,
}

/// Folds text for case-insensitive comparison (borrowed when nothing changes).
pub fn fold(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        Cow::Owned(text.to_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

impl StrMatch {
    /// Compiles the tokens of a value; without `cased`, comparisons ignore case.
    pub fn new(mut tokens: Vec<Token>, cased: bool) -> StrMatch {
        if !cased {
            for t in &mut tokens {
                if let Token::Text(s) = t {
                    *s = fold(s).into_owned();
                }
            }
        }
        let shape = match tokens.as_slice() {
            [] => Shape::Exact(String::new()),
            [Token::Text(s)] => Shape::Exact(s.clone()),
            [Token::Star] => Shape::Any,
            [Token::Text(s), Token::Star] => Shape::Prefix(s.clone()),
            [Token::Star, Token::Text(s)] => Shape::Suffix(s.clone()),
            [Token::Star, Token::Text(s), Token::Star] => {
                Shape::Contains(Box::new(memchr::memmem::Finder::new(s.as_bytes()).into_owned()))
            }
            _ => Shape::Glob(tokens),
        };
        StrMatch { shape, cased }
    }

    /// Whether `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        // ASCII text against an ASCII value needs no folded copy (the common case: API names).
        if !self.cased && value.is_ascii() {
            let ascii = |s: &str, v: &[u8]| s.is_ascii() && s.as_bytes().eq_ignore_ascii_case(v);
            let v = value.as_bytes();
            match &self.shape {
                Shape::Exact(s) if s.is_ascii() => return ascii(s, v),
                Shape::Prefix(s) if s.is_ascii() => return v.len() >= s.len() && ascii(s, &v[..s.len()]),
                Shape::Suffix(s) if s.is_ascii() => return v.len() >= s.len() && ascii(s, &v[v.len() - s.len()..]),
                Shape::Contains(finder) if finder.needle().is_ascii() => return contains_ascii(v, finder.needle()),
                _ => {}
            }
        }
        let value = if self.cased { Cow::Borrowed(value) } else { fold(value) };
        let v = value.as_ref();
        match &self.shape {
            Shape::Exact(s) => v == s,
            Shape::Prefix(s) => v.starts_with(s.as_str()),
            Shape::Suffix(s) => v.ends_with(s.as_str()),
            Shape::Contains(finder) => finder.find(v.as_bytes()).is_some(),
            Shape::Any => true,
            Shape::Glob(tokens) => glob(tokens, v),
        }
    }

    /// The whole value when it is one exact text (no wildcard): what dispatch indexes on.
    pub fn exact(&self) -> Option<&str> {
        match &self.shape {
            Shape::Exact(s) => Some(s),
            _ => None,
        }
    }

    /// The longest stretch of text any match contains, as written (folded unless cased).
    pub fn literal(&self) -> Option<&str> {
        match &self.shape {
            Shape::Exact(s) | Shape::Prefix(s) | Shape::Suffix(s) => Some(s),
            // Made from a `&str` in `new`: the needle is valid UTF-8.
            Shape::Contains(finder) => std::str::from_utf8(finder.needle()).ok(),
            Shape::Any => None,
            Shape::Glob(tokens) => tokens
                .iter()
                .filter_map(|t| match t {
                    Token::Text(s) => Some(s.as_str()),
                    _ => None,
                })
                .max_by_key(|s| s.len()),
        }
    }
}

/// Matches `value` against tokens: `*` by backtracking to the last star, `?` one character.
fn glob(tokens: &[Token], value: &str) -> bool {
    let mut ti = 0;
    let mut at = 0;
    // The last star seen: the token after it and where in the value it resumes.
    let mut back: Option<(usize, usize)> = None;
    loop {
        if ti == tokens.len() && at == value.len() {
            return true;
        }
        let step = match tokens.get(ti) {
            Some(Token::Star) => {
                back = Some((ti + 1, at));
                ti += 1;
                continue;
            }
            Some(Token::One) => value[at..].chars().next().map(|c| at + c.len_utf8()),
            Some(Token::Text(s)) => value[at..].starts_with(s.as_str()).then(|| at + s.len()),
            None => None,
        };
        match step {
            Some(next) => {
                at = next;
                ti += 1;
            }
            None => {
                let Some((resume, from)) = back else { return false };
                let Some(c) = value[from..].chars().next() else { return false };
                back = Some((resume, from + c.len_utf8()));
                ti = resume;
                at = from + c.len_utf8();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(value: &str, against: &str) -> bool {
        StrMatch::new(tokens(value), false).is_match(against)
    }

    #[test]
    fn wildcards_and_case() {
        assert!(m("prog?.exe", "PROGA.exe"));
        assert!(!m("prog?.exe", "prog.exe"));
        assert!(m("antivirus_V*.exe", "antivirus_V21.2.1.exe"));
        assert!(m("*evil*", "An EVIL thing") && m("*evil*", "eveEvIl") && m("*e*", "E"));
        assert!(!m("*evil*", "An EVI") && !m("*evil*", "") && m("**", "x"));
        assert!(m("*ÉTÉ*", "un été") && !StrMatch::new(tokens("*Evil*"), true).is_match("evil"));
        assert!(m("a*b*c", "axxbyyc") && !m("a*b*c", "axxbyy"));
        assert!(m("*", "") && m("", "") && !m("", "x"));
        assert!(m("é*", "ÉTÉ"));
        assert!(!StrMatch::new(tokens("Root"), true).is_match("root"));
    }

    #[test]
    fn escapes_follow_the_specification() {
        // A plain backslash, single or double; an escaped wildcard; a backslash before a wildcard.
        assert_eq!(tokens(r"C:\Windows"), [Token::Text(r"C:\Windows".into())]);
        assert_eq!(tokens(r"C:\\Windows"), [Token::Text(r"C:\Windows".into())]);
        assert_eq!(tokens(r"what\?"), [Token::Text("what?".into())]);
        assert_eq!(tokens(r"a\\*"), [Token::Text(r"a\".into()), Token::Star]);
        assert_eq!(tokens(r"a\\\*"), [Token::Text(r"a\*".into())]);
        assert_eq!(tokens(r"\\\\"), [Token::Text(r"\\".into())]);
        assert!(m(r"a\*b", "a*b") && !m(r"a\*b", "axb"));
        assert_eq!(tokens(&escape("a*b?c\\")), [Token::Text("a*b?c\\".into())]);
    }
}
