//! A small borrowed JSON scanner: finds the extent of values, walks object members and array
//! elements, and decodes strings, without building any tree.
//!
//! This is what lets ctl split a log file into records and pick the few fields a query needs
//! without parsing the rest: every function takes the input slice and a position and returns
//! positions or sub-slices of that same input. The syntax is checked as it is skipped
//! (brackets, strings and their escapes, numbers, literals, separators), so a record handed out
//! by the splitter is well-formed JSON; control characters inside strings and invalid UTF-8 are
//! not rejected here (fields are decoded leniently where they are read).

use std::borrow::Cow;

/// Nesting deeper than this is refused rather than recursed into (no stack overflow on input).
pub const MAX_DEPTH: u32 = 256;

/// Where and why the input stopped being JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{what} at byte {offset}")]
pub struct SyntaxError {
    /// Byte offset in the scanned slice.
    pub offset: usize,
    pub what: &'static str,
}

fn err<T>(offset: usize, what: &'static str) -> Result<T, SyntaxError> {
    Err(SyntaxError { offset, what })
}

const TRUNCATED: &str = "unexpected end of data (truncated?)";

/// The position of the first byte at or after `pos` that is not JSON whitespace.
#[inline]
pub fn skip_ws(buf: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = buf.get(pos) {
        if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
            break;
        }
        pos += 1;
    }
    pos
}

/// Skips one value starting exactly at `pos`; returns the position just after it.
pub fn skip_value(buf: &[u8], pos: usize) -> Result<usize, SyntaxError> {
    skip_value_at(buf, pos, 0)
}

fn skip_value_at(buf: &[u8], pos: usize, depth: u32) -> Result<usize, SyntaxError> {
    match buf.get(pos) {
        None => err(pos, TRUNCATED),
        Some(b'"') => skip_string(buf, pos),
        Some(b'{') => {
            if depth >= MAX_DEPTH {
                return err(pos, "nesting too deep");
            }
            let mut p = skip_ws(buf, pos + 1);
            if buf.get(p) == Some(&b'}') {
                return Ok(p + 1);
            }
            loop {
                if buf.get(p) != Some(&b'"') {
                    return err(p, if p >= buf.len() { TRUNCATED } else { "expected a string key" });
                }
                p = skip_ws(buf, skip_string(buf, p)?);
                match buf.get(p) {
                    Some(b':') => {}
                    None => return err(p, TRUNCATED),
                    Some(_) => return err(p, "expected ':' after a key"),
                }
                p = skip_ws(buf, p + 1);
                p = skip_ws(buf, skip_value_at(buf, p, depth + 1)?);
                match buf.get(p) {
                    Some(b',') => p = skip_ws(buf, p + 1),
                    Some(b'}') => return Ok(p + 1),
                    None => return err(p, TRUNCATED),
                    Some(_) => return err(p, "expected ',' or '}' in an object"),
                }
            }
        }
        Some(b'[') => {
            if depth >= MAX_DEPTH {
                return err(pos, "nesting too deep");
            }
            let mut p = skip_ws(buf, pos + 1);
            if buf.get(p) == Some(&b']') {
                return Ok(p + 1);
            }
            loop {
                p = skip_ws(buf, skip_value_at(buf, p, depth + 1)?);
                match buf.get(p) {
                    Some(b',') => p = skip_ws(buf, p + 1),
                    Some(b']') => return Ok(p + 1),
                    None => return err(p, TRUNCATED),
                    Some(_) => return err(p, "expected ',' or ']' in an array"),
                }
            }
        }
        Some(b't') => skip_literal(buf, pos, b"true"),
        Some(b'f') => skip_literal(buf, pos, b"false"),
        Some(b'n') => skip_literal(buf, pos, b"null"),
        Some(b'-' | b'0'..=b'9') => skip_number(buf, pos),
        Some(_) => err(pos, "expected a JSON value"),
    }
}

fn skip_literal(buf: &[u8], pos: usize, word: &[u8]) -> Result<usize, SyntaxError> {
    let end = pos + word.len();
    match buf.get(pos..end) {
        Some(s) if s == word => Ok(end),
        None if word.starts_with(&buf[pos..]) => err(buf.len(), TRUNCATED),
        _ => err(pos, "expected a JSON value"),
    }
}

fn skip_number(buf: &[u8], pos: usize) -> Result<usize, SyntaxError> {
    let mut p = pos;
    if buf.get(p) == Some(&b'-') {
        p += 1;
    }
    let digits = |p: &mut usize| {
        let start = *p;
        while buf.get(*p).is_some_and(u8::is_ascii_digit) {
            *p += 1;
        }
        *p > start
    };
    if !digits(&mut p) {
        return err(p, "malformed number");
    }
    if buf.get(p) == Some(&b'.') {
        p += 1;
        if !digits(&mut p) {
            return err(p, "malformed number");
        }
    }
    if matches!(buf.get(p), Some(b'e' | b'E')) {
        p += 1;
        if matches!(buf.get(p), Some(b'+' | b'-')) {
            p += 1;
        }
        if !digits(&mut p) {
            return err(p, "malformed number");
        }
    }
    Ok(p)
}

/// Skips a string whose opening quote is at `pos`; returns the position after its closing quote.
#[inline]
pub fn skip_string(buf: &[u8], pos: usize) -> Result<usize, SyntaxError> {
    let mut p = pos + 1;
    loop {
        match memchr::memchr2(b'"', b'\\', &buf[p.min(buf.len())..]) {
            None => return err(buf.len(), TRUNCATED),
            Some(i) => {
                p += i;
                if buf[p] == b'"' {
                    return Ok(p + 1);
                }
                match buf.get(p + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => p += 2,
                    Some(b'u') => {
                        match buf.get(p + 2..p + 6) {
                            Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => {}
                            Some(_) => return err(p, "bad \\u escape in a string"),
                            None => return err(buf.len(), TRUNCATED),
                        }
                        p += 6;
                    }
                    None => return err(buf.len(), TRUNCATED),
                    Some(_) => return err(p, "bad escape in a string"),
                }
            }
        }
    }
}

/// Iterates the members of the object starting at `pos` (which must be `{`), yielding the raw
/// key (the bytes between its quotes, escapes undecoded) and the value's slice.
pub fn members(buf: &[u8], pos: usize) -> Members<'_> {
    Members { buf, pos, state: State::Start, lenient: false }
}

/// As [`members`], but nested objects and arrays are skipped without checking their syntax
/// (the fast bracket counter): for reading a field, not for validating.
pub fn members_lenient(buf: &[u8], pos: usize) -> Members<'_> {
    Members { buf, pos, state: State::Start, lenient: true }
}

/// Iterates the elements of the array starting at `pos` (which must be `[`), yielding each
/// element's slice and its start offset.
pub fn elements(buf: &[u8], pos: usize) -> Elements<'_> {
    Elements { buf, pos, state: State::Start }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Next,
    Done,
}

/// The two containers [`Members`] and [`Elements`] walk.
#[derive(Clone, Copy)]
enum Container {
    Object,
    Array,
}

/// Steps over the opening bracket (first call) or the separator after the previous item, and
/// returns where the next item starts; `None` (with `state` Done and `pos` after the bracket)
/// at the closing bracket.
fn next_item(
    buf: &[u8],
    pos: &mut usize,
    state: &mut State,
    container: Container,
) -> Result<Option<usize>, SyntaxError> {
    let (open, close, not_open, bad_separator) = match container {
        Container::Object => (b'{', b'}', "expected an object", "expected ',' or '}' in an object"),
        Container::Array => (b'[', b']', "expected an array", "expected ',' or ']' in an array"),
    };
    let mut p = *pos;
    match *state {
        State::Done => return Ok(None),
        State::Start => {
            if buf.get(p) != Some(&open) {
                return err(p, not_open);
            }
            p = skip_ws(buf, p + 1);
            if buf.get(p) == Some(&close) {
                *pos = p + 1;
                *state = State::Done;
                return Ok(None);
            }
        }
        State::Next => {
            p = skip_ws(buf, p);
            match buf.get(p) {
                Some(b',') => p = skip_ws(buf, p + 1),
                Some(&c) if c == close => {
                    *pos = p + 1;
                    *state = State::Done;
                    return Ok(None);
                }
                None => return err(p, TRUNCATED),
                Some(_) => return err(p, bad_separator),
            }
        }
    }
    Ok(Some(p))
}

/// A member of an object: the raw key (between its quotes) and the value's slice.
pub type Member<'a> = (&'a [u8], &'a [u8]);

/// See [`members`]. After the last member, [`Members::end`] is the position after the `}`.
pub struct Members<'a> {
    buf: &'a [u8],
    pos: usize,
    state: State,
    lenient: bool,
}

impl<'a> Members<'a> {
    /// The position after the closing brace, once iteration has ended without error.
    pub fn end(&self) -> usize {
        self.pos
    }

    fn step(&mut self) -> Result<Option<Member<'a>>, SyntaxError> {
        let buf = self.buf;
        let Some(mut p) = next_item(buf, &mut self.pos, &mut self.state, Container::Object)? else {
            return Ok(None);
        };
        if buf.get(p) != Some(&b'"') {
            return err(p, if p >= buf.len() { TRUNCATED } else { "expected a string key" });
        }
        let key_end = skip_string(buf, p)?;
        let key = &buf[p + 1..key_end - 1];
        p = skip_ws(buf, key_end);
        match buf.get(p) {
            Some(b':') => {}
            None => return err(p, TRUNCATED),
            Some(_) => return err(p, "expected ':' after a key"),
        }
        let start = skip_ws(buf, p + 1);
        let end = if self.lenient { super::skip_lenient(buf, start)? } else { skip_value(buf, start)? };
        self.pos = end;
        self.state = State::Next;
        Ok(Some((key, &buf[start..end])))
    }
}

impl<'a> Iterator for Members<'a> {
    type Item = Result<Member<'a>, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(Some(m)) => Some(Ok(m)),
            Ok(None) => None,
            Err(e) => {
                self.state = State::Done;
                Some(Err(e))
            }
        }
    }
}

/// See [`elements`]. After the last element, [`Elements::end`] is the position after the `]`.
pub struct Elements<'a> {
    buf: &'a [u8],
    pos: usize,
    state: State,
}

impl<'a> Elements<'a> {
    /// The position after the closing bracket, once iteration has ended without error.
    pub fn end(&self) -> usize {
        self.pos
    }

    fn step(&mut self) -> Result<Option<(usize, &'a [u8])>, SyntaxError> {
        let buf = self.buf;
        let Some(p) = next_item(buf, &mut self.pos, &mut self.state, Container::Array)? else {
            return Ok(None);
        };
        let end = skip_value(buf, p)?;
        self.pos = end;
        self.state = State::Next;
        Ok(Some((p, &buf[p..end])))
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<(usize, &'a [u8]), SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(Some(m)) => Some(Ok(m)),
            Ok(None) => None,
            Err(e) => {
                self.state = State::Done;
                Some(Err(e))
            }
        }
    }
}

/// Walks the object starting at `pos` (which must be `{`), calling `value(key, start)` for each
/// member with the raw key and the position of its value; `value` must return the position just
/// after the value (e.g. from [`skip_value`]), which lets a caller consume a value as it
/// skips it. Returns the position after the closing brace.
pub fn for_each_member<E: From<SyntaxError>>(
    buf: &[u8],
    pos: usize,
    mut value: impl FnMut(&[u8], usize) -> Result<usize, E>,
) -> Result<usize, E> {
    if buf.get(pos) != Some(&b'{') {
        return Err(SyntaxError { offset: pos, what: "expected an object" }.into());
    }
    let mut p = skip_ws(buf, pos + 1);
    if buf.get(p) == Some(&b'}') {
        return Ok(p + 1);
    }
    loop {
        if buf.get(p) != Some(&b'"') {
            return Err(SyntaxError {
                offset: p,
                what: if p >= buf.len() { TRUNCATED } else { "expected a string key" },
            }
            .into());
        }
        let key_end = skip_string(buf, p)?;
        let key = &buf[p + 1..key_end - 1];
        p = skip_ws(buf, key_end);
        match buf.get(p) {
            Some(b':') => {}
            None => return Err(SyntaxError { offset: p, what: TRUNCATED }.into()),
            Some(_) => return Err(SyntaxError { offset: p, what: "expected ':' after a key" }.into()),
        }
        let start = skip_ws(buf, p + 1);
        p = skip_ws(buf, value(key, start)?);
        match buf.get(p) {
            Some(b',') => p = skip_ws(buf, p + 1),
            Some(b'}') => return Ok(p + 1),
            None => return Err(SyntaxError { offset: p, what: TRUNCATED }.into()),
            Some(_) => return Err(SyntaxError { offset: p, what: "expected ',' or '}' in an object" }.into()),
        }
    }
}

/// Whether a raw key (bytes between the quotes) equals `want`, decoding escapes if any.
#[inline]
pub fn key_eq(raw_key: &[u8], want: &str) -> bool {
    if memchr::memchr(b'\\', raw_key).is_none() {
        return raw_key == want.as_bytes();
    }
    let mut out = Vec::with_capacity(raw_key.len());
    unescape(raw_key, &mut out);
    out == want.as_bytes()
}

/// Decodes the content of a JSON string (the bytes between its quotes), appending to `out`.
/// Lone surrogates become U+FFFD; an escape cut short is copied as is.
pub fn unescape(content: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < content.len() {
        let Some(at) = memchr::memchr(b'\\', &content[i..]) else {
            out.extend_from_slice(&content[i..]);
            return;
        };
        out.extend_from_slice(&content[i..i + at]);
        i += at;
        let Some(&kind) = content.get(i + 1) else {
            out.push(b'\\');
            return;
        };
        let simple = match kind {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(8),
            b'f' => Some(12),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            i += 2;
            continue;
        }
        let Some(first) = (kind == b'u').then(|| hex4(content, i + 2)).flatten() else {
            out.push(b'\\');
            i += 1;
            continue;
        };
        i += 6;
        let c = if (0xD800..0xDC00).contains(&first) {
            match (content.get(i..i + 2), hex4(content, i + 2)) {
                (Some(b"\\u"), Some(low)) if (0xDC00..0xE000).contains(&low) => {
                    i += 6;
                    char::from_u32(0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00))
                }
                _ => None,
            }
        } else {
            char::from_u32(first)
        };
        let mut tmp = [0u8; 4];
        out.extend_from_slice(c.unwrap_or('\u{FFFD}').encode_utf8(&mut tmp).as_bytes());
    }
}

fn hex4(s: &[u8], at: usize) -> Option<u32> {
    let digits = s.get(at..at + 4)?;
    let text = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(text, 16).ok()
}

/// The decoded text of a JSON string value (`raw` includes the quotes); `None` when the value
/// is not a string. Invalid UTF-8 is replaced, never fatal.
pub fn str_value(raw: &[u8]) -> Option<Cow<'_, str>> {
    let content = raw.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    if memchr::memchr(b'\\', content).is_none() {
        return Some(String::from_utf8_lossy(content));
    }
    let mut out = Vec::with_capacity(content.len());
    unescape(content, &mut out);
    Some(Cow::Owned(String::from_utf8_lossy(&out).into_owned()))
}

/// A value as text: a string decoded, `null` as `None`, anything else as its JSON text.
pub fn text(raw: &[u8]) -> Option<Cow<'_, str>> {
    if raw == b"null" {
        return None;
    }
    str_value(raw).or_else(|| Some(String::from_utf8_lossy(raw)))
}

/// Follows a path of object keys (and array indices, as decimal segments) from the value `raw`;
/// returns the slice of the value found. The first member with a matching key wins. Values
/// passed over are not validated.
pub fn lookup<'a, S: AsRef<str>>(raw: &'a [u8], path: &[S]) -> Option<&'a [u8]> {
    let mut cur = raw;
    for seg in path {
        let seg = seg.as_ref();
        cur = match cur.first()? {
            b'{' => members_lenient(cur, 0).map_while(Result::ok).find(|(k, _)| key_eq(k, seg))?.1,
            b'[' => {
                let index: usize = seg.parse().ok()?;
                elements(cur, 0).map_while(Result::ok).nth(index)?.1
            }
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_values_and_reports_where_they_break() {
        let doc = br#"{"a":[1,-2.5e3,true,null,{"b":"x\"y\u00e9"}], "c" : {}}"#;
        assert_eq!(skip_value(doc, 0), Ok(doc.len()));
        for cut in 0..doc.len() {
            assert!(skip_value(&doc[..cut], 0).is_err(), "cut at {cut}");
        }
        assert_eq!(skip_value(b"{ foo: 1 }", 0).unwrap_err().what, "expected a string key");
        assert!(skip_value(b"[1 2]", 0).is_err());
        assert!(skip_value(b"\"\\q\"", 0).is_err());
        assert_eq!(skip_value(b"-", 0).unwrap_err().what, "malformed number");
        let deep = "[".repeat(100_000);
        assert_eq!(skip_value(deep.as_bytes(), 0).unwrap_err().what, "nesting too deep");
    }

    #[test]
    fn walks_members_and_elements() {
        let doc = br#"{ "a" : 1 , "b\u0031":[ "x", {"y":2} ] }"#;
        let m: Vec<_> = members(doc, 0).map(Result::unwrap).collect();
        assert_eq!(m, [(&b"a"[..], &b"1"[..]), (&b"b\\u0031"[..], &br#"[ "x", {"y":2} ]"#[..])]);
        assert!(key_eq(m[1].0, "b1"));
        let e: Vec<_> = elements(m[1].1, 0).map(|r| r.unwrap().1).collect();
        assert_eq!(e, [&b"\"x\""[..], &br#"{"y":2}"#[..]]);
        assert_eq!(lookup(doc, &["b1", "1", "y"]), Some(&b"2"[..]));
        assert_eq!(lookup(doc, &["a", "x"]), None);
        assert!(members(b"{\"a\":1,}", 0).any(|r| r.is_err()));
    }

    #[test]
    fn decodes_strings() {
        assert_eq!(str_value(br#""plain""#).unwrap(), "plain");
        assert_eq!(str_value(br#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#).unwrap(), "a\"b\\c/d\né😀");
        assert_eq!(str_value(br#""\ud800x""#).unwrap(), "\u{FFFD}x");
        assert_eq!(str_value(b"12"), None);
        assert_eq!(text(b"null"), None);
        assert_eq!(text(b"{\"a\":1}").unwrap(), "{\"a\":1}");
    }
}
