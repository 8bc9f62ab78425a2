//! The `%...%` regular-expression dialect (spec section 4): validation against the documented
//! character whitelist and translation to the `regex` crate's syntax.
//!
//! The dialect allows ASCII letters and digits, the symbols `: _ # = @ / ; , -`, the space (A20:
//! documented examples use it although the whitelist omits it), and the operators
//! `^ $ ? [ ] { } | \ * + .`. There are no groups: `(` and `)` are rejected (write `\x28`,
//! `\x29`). Escapes are `\d \D \s \S \w \W`, `\xhh`, `\t \n \r`, and a backslash before a
//! whitelisted symbol or operator. Counted repetitions may omit either bound (`{,5}` becomes the
//! crate's `{0,5}`). Multi-byte characters are rejected (A24). Matching is an unanchored,
//! case-sensitive search over bytes with ASCII classes (`\w` is `[A-Za-z0-9_]`).

use regex::bytes::{Regex, RegexBuilder};

use super::error::{ErrorKind, PatternError};

/// Compiled-program size limit; `%a{1000}{1000}%` exceeds it and is rejected.
const SIZE_LIMIT: usize = 1 << 20;

/// Compiles the body of `%...%`; `offset` is the byte offset of the body in the pattern.
pub(crate) fn compile(body: &str, offset: usize) -> Result<Regex, PatternError> {
    let translated = translate(body, offset)?;
    RegexBuilder::new(&translated).unicode(false).size_limit(SIZE_LIMIT).build().map_err(|e| {
        // The crate's message spans several lines; keep the one that says what is wrong.
        let text = e.to_string();
        let why = text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("error: "))
            .unwrap_or(match e {
                regex::Error::CompiledTooBig(_) => "too large once compiled",
                _ => "rejected by the regex engine",
            })
            .to_string();
        PatternError::new(offset.saturating_sub(1)..offset + body.len() + 1, ErrorKind::RegexInvalid(why))
    })
}

/// Symbols allowed as literal characters.
fn is_literal(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b":_#=@/;,- ".contains(&c)
}

/// Operators of the dialect; after a backslash they are literal.
fn is_operator(c: u8) -> bool {
    b"^$?[]{}|\\*+.".contains(&c)
}

fn invalid(at: usize, len: usize, why: impl Into<String>) -> PatternError {
    PatternError::new(at..at + len, ErrorKind::RegexInvalid(why.into()))
}

fn check_char(body: &str, i: usize, offset: usize) -> Result<(), PatternError> {
    let c = body.as_bytes()[i];
    if c.is_ascii() && (is_literal(c) || is_operator(c)) {
        return Ok(());
    }
    let ch = body[i..].chars().next().unwrap_or('\u{fffd}');
    let why = match ch {
        '(' | ')' => {
            format!("'{ch}' is not allowed in a regular expression (no groups); match it with \\x{:02x}", ch as u32)
        }
        c if c.is_ascii() => {
            format!("{:?} is not allowed in a regular expression; match it with \\x{:02x}", c, c as u32)
        }
        c => format!("{c:?} is not allowed in a regular expression: multi-byte characters are not supported"),
    };
    Err(PatternError::new(offset + i..offset + i + ch.len_utf8(), ErrorKind::RegexChar(why)))
}

/// Translates the dialect into `regex` crate syntax, validating as it goes.
pub(crate) fn translate(body: &str, offset: usize) -> Result<String, PatternError> {
    for i in 0..body.len() {
        if body.is_char_boundary(i) {
            check_char(body, i, offset)?;
        }
    }
    let b = body.as_bytes();
    let mut out = String::with_capacity(body.len() + 8);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\\' => {
                let (text, len, _) = escape(b, i, offset)?;
                out.push_str(&text);
                i += len;
            }
            b'[' => i = class(b, i, offset, &mut out)?,
            b']' => {
                out.push_str("\\]");
                i += 1;
            }
            b'{' => {
                let (text, len) = repetition(b, i).ok_or_else(|| {
                    invalid(offset + i, 1, "expected a repetition such as {2}, {2,}, {,5} or {2,5} after '{'")
                })?;
                out.push_str(&text);
                i += len;
            }
            b'}' => return Err(invalid(offset + i, 1, "unmatched '}'")),
            _ => {
                out.push(c as char);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Translates the escape at `b[i] == '\\'`. Returns the crate text, the length consumed, and
/// whether it stands for a single character (so it can bound a class range).
fn escape(b: &[u8], i: usize, offset: usize) -> Result<(String, usize, bool), PatternError> {
    let Some(&e) = b.get(i + 1) else {
        return Err(invalid(offset + i, 1, "trailing backslash"));
    };
    Ok(match e {
        b'd' | b'D' | b's' | b'S' | b'w' | b'W' => (format!("\\{}", e as char), 2, false),
        b't' | b'n' | b'r' => (format!("\\{}", e as char), 2, true),
        b'x' => {
            let hex = b.get(i + 2..i + 4).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
            let Some(hex) = hex else {
                return Err(invalid(offset + i, 2, "expected two hex digits after \\x"));
            };
            (format!("\\x{}", std::str::from_utf8(hex).unwrap_or("00")), 4, true)
        }
        c if c.is_ascii_punctuation() || c == b' ' => (regex::escape(&(c as char).to_string()), 2, true),
        c => {
            let why = format!("unsupported escape '\\{}'", c as char);
            return Err(invalid(offset + i, 2, why));
        }
    })
}

/// Parses `{m}`, `{m,}`, `{,n}` or `{m,n}` at `b[i] == '{'`.
fn repetition(b: &[u8], i: usize) -> Option<(String, usize)> {
    let close = i + b[i..].iter().position(|&c| c == b'}')?;
    let inner = std::str::from_utf8(&b[i + 1..close]).ok()?;
    let ok = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    let text = match inner.split_once(',') {
        None if !inner.is_empty() && ok(inner) => format!("{{{inner}}}"),
        Some((m, n)) if ok(m) && ok(n) && !(m.is_empty() && n.is_empty()) => {
            let m = if m.is_empty() { "0" } else { m };
            format!("{{{m},{n}}}")
        }
        _ => return None,
    };
    Some((text, close + 1 - i))
}

/// Translates the class starting at `b[start] == '['`; returns the index after its `]`.
fn class(b: &[u8], start: usize, offset: usize, out: &mut String) -> Result<usize, PatternError> {
    out.push('[');
    let mut i = start + 1;
    if b.get(i) == Some(&b'^') {
        out.push('^');
        i += 1;
    }
    if b.get(i) == Some(&b']') {
        out.push_str("\\]");
        i += 1;
    }
    // Whether the previous item was a single character that may start a range.
    let mut prev_char = false;
    loop {
        let Some(&c) = b.get(i) else {
            return Err(invalid(offset + start, 1, "unclosed '[' in regular expression"));
        };
        match c {
            b']' => {
                out.push(']');
                return Ok(i + 1);
            }
            b'\\' => {
                let (text, len, single) = escape(b, i, offset)?;
                out.push_str(&text);
                i += len;
                prev_char = single;
            }
            b'-' => {
                let next = b.get(i + 1).copied();
                let range = prev_char && !matches!(next, None | Some(b']') | Some(b'-'));
                out.push_str(if range { "-" } else { "\\-" });
                i += 1;
                if range {
                    // The range end follows; it cannot start another range.
                    if b.get(i) == Some(&b'\\') {
                        let (text, len, _) = escape(b, i, offset)?;
                        out.push_str(&text);
                        i += len;
                    } else if b.get(i) == Some(&b'[') {
                        out.push_str("\\[");
                        i += 1;
                    } else {
                        out.push(b[i] as char);
                        i += 1;
                    }
                    prev_char = false;
                    continue;
                }
                prev_char = true;
            }
            b'[' | b'^' | b'&' | b'~' => {
                out.push('\\');
                out.push(c as char);
                i += 1;
                prev_char = true;
            }
            _ => {
                out.push(c as char);
                i += 1;
                prev_char = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> String {
        translate(body, 0).unwrap()
    }

    fn is_match(body: &str, text: &str) -> bool {
        compile(body, 0).unwrap().is_match(text.as_bytes())
    }

    #[test]
    fn documented_operators() {
        assert!(is_match("^shutting down", "shutting down now"));
        assert!(!is_match("^shutting down", "not shutting down"));
        assert!(is_match("gra|ey", "grey"));
        assert!(is_match("[Ee]rror", "An error"));
        assert!(is_match("\\x3A", "a:b"));
        assert!(is_match("\\x28", "f(x)"));
        assert!(is_match("a{,2}b", "b"));
        assert!(is_match("^\\d{3}$", "404"));
        assert!(!is_match("^\\d{3}$", "4040"));
        assert!(is_match("127\\.0\\.0\\.[1-9]", "127.0.0.5"));
        assert!(is_match("[^abc]", "abd"));
        assert!(is_match("\\w+@\\w+", "a_1@b2"));
    }

    #[test]
    fn translation_escapes_crate_specials() {
        assert_eq!(ok("a#b -"), "a#b -");
        assert_eq!(ok("[a--]"), "[a\\-\\-]");
        assert_eq!(ok("[[:x]"), "[\\[:x]");
        assert_eq!(ok("x{2,}"), "x{2,}");
        assert_eq!(ok("x{,3}"), "x{0,3}");
    }

    #[test]
    fn rejections() {
        for (body, at) in [
            ("a(b", 1),
            ("a)b", 1),
            ("a!b", 1),
            ("é", 0),
            ("a{x}", 1),
            ("}", 0),
            ("\\b", 0),
            ("[ab", 0),
            ("a\\", 1),
            ("\\x4", 0),
        ] {
            let e = translate(body, 10).unwrap_err();
            assert_eq!(e.offset(), 10 + at, "{body}: {e}");
        }
        assert!(compile("**", 0).is_err());
        assert!(compile("a{1000}{1000}", 0).is_err());
        assert!(compile("[z-a]", 0).is_err());
    }
}
