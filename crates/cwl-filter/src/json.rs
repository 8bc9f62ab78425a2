//! The one JSON reader: what a valid JSON text is, checked in place, without building anything.
//!
//! The filter evaluator walks messages with it, and ctl reads CloudTrail records with it; both
//! therefore agree on which records exist.
//!
//! # The contract
//!
//! A byte string is valid JSON when it is exactly one JSON value as RFC 8259 defines it,
//! optionally surrounded by whitespace (space, tab, line feed, carriage return), and:
//!
//! 1. **UTF-8.** Every string is valid UTF-8; since the grammar admits only ASCII outside
//!    strings, so is the whole text. Invalid UTF-8 is an error ([`Reason::InvalidUtf8`]), never
//!    replaced. (A byte order mark is not part of a JSON text; file readers strip it.)
//! 2. **Control characters.** A raw byte 0x00..=0x1F inside a string is an error
//!    ([`Reason::ControlCharacter`]), as RFC 8259 section 7 requires: they must be escaped.
//! 3. **Escapes.** Only the nine of RFC 8259 (`\" \\ \/ \b \f \n \r \t \uXXXX`). A `\u` escape
//!    of a UTF-16 surrogate must be a high surrogate immediately followed by a `\u` low
//!    surrogate ([`Reason::LoneSurrogate`], as `serde_json`), so every string decodes to
//!    Unicode scalar values.
//! 4. **Numbers** follow the grammar (no `+`, leading zero, `.5`, `1.`, hex, `NaN`); their
//!    magnitude is not limited.
//! 5. **Depth.** Arrays and objects nest at most [`MAX_DEPTH`] (127) deep ([`Reason::TooDeep`]).
//!    That is the deepest `serde_json` accepts with its default recursion limit of 128 (the
//!    128th level is the one refused), so this reader and `serde_json` (which the filter
//!    evaluator falls back on when a named member repeats, see 6) accept the same documents.
//!    CloudTrail records nest about ten deep (policy documents are embedded as strings, not
//!    objects), so no real record comes near it; the limit bounds the recursion of every
//!    walker over untrusted input.
//! 6. **Duplicate member names** are valid. Wherever a member is looked up by name, the last
//!    one wins (the filter specification's ambiguity decision A25, `serde_json`'s behaviour):
//!    filter conditions, metric value extraction ([`crate::Pattern::extract`]), and, in ctl,
//!    field paths and the event view. A wildcard selector (`$.a.*`) visits every member,
//!    duplicates included.
//!
//! Nothing else is checked: no schema, no key order, no limit on length.
//!
//! Every error is a [`SyntaxError`]: the byte offset (in the slice given) where the text
//! stopped being valid JSON, and the typed [`Reason`]. Text cut short reports
//! [`Reason::Truncated`] at the end of the slice.
//!
//! # Entry points
//!
//! [`validate`] checks a whole text. [`skip_value`] checks one value at a position and returns
//! where it ends; [`for_each_member`] and [`for_each_element`] walk one level of an object or
//! array, checking its punctuation and letting the caller consume (or skip another way) each
//! value. [`unescape`], [`decode`] and [`str_value`] decode strings.

use std::borrow::Cow;

/// The deepest nesting of arrays and objects accepted (contract item 5): `serde_json`'s.
pub const MAX_DEPTH: usize = 127;

/// Where and why a text is not valid JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{reason} at byte {offset}")]
pub struct SyntaxError {
    /// Byte offset in the scanned slice.
    pub offset: usize,
    pub reason: Reason,
}

/// Why a text is not valid JSON (see the module's contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    #[error("unexpected end of data (truncated?)")]
    Truncated,
    #[error("expected a JSON value")]
    ExpectedValue,
    #[error("expected an object")]
    ExpectedObject,
    #[error("expected an array")]
    ExpectedArray,
    #[error("expected a string key")]
    ExpectedKey,
    #[error("expected ':' after a key")]
    ExpectedColon,
    #[error("expected ',' or '}}' in an object")]
    ExpectedCommaOrBrace,
    #[error("expected ',' or ']' in an array")]
    ExpectedCommaOrBracket,
    #[error("malformed number")]
    BadNumber,
    #[error("bad escape in a string")]
    BadEscape,
    #[error("unpaired surrogate escape in a string")]
    LoneSurrogate,
    #[error("raw control character in a string")]
    ControlCharacter,
    #[error("invalid UTF-8 in a string")]
    InvalidUtf8,
    #[error("nesting deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("unexpected data after the value")]
    TrailingData,
}

pub(crate) type Res<T> = Result<T, SyntaxError>;

/// A cursor over a text; every method checks what it consumes against the contract.
pub(crate) struct Scanner<'m> {
    pub b: &'m [u8],
    pub pos: usize,
    depth: usize,
}

impl<'m> Scanner<'m> {
    pub fn new(b: &'m [u8]) -> Self {
        Scanner::at(b, 0)
    }

    /// A cursor at `pos`, outside any container.
    pub fn at(b: &'m [u8], pos: usize) -> Self {
        Scanner { b, pos, depth: 0 }
    }

    /// The error `reason` at the cursor, or [`Reason::Truncated`] when the cursor is at the end.
    fn error(&self, reason: Reason) -> SyntaxError {
        let reason = if self.pos >= self.b.len() { Reason::Truncated } else { reason };
        SyntaxError { offset: self.pos, reason }
    }

    #[inline]
    pub fn ws(&mut self) {
        self.pos = skip_ws(self.b, self.pos);
    }

    #[inline]
    pub fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Skips whitespace, then consumes the `:` after a key.
    #[inline]
    pub fn colon(&mut self) -> Res<()> {
        self.ws();
        if self.peek() == Some(b':') {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(Reason::ExpectedColon))
        }
    }

    /// Enters an array or object (at its opening byte), enforcing the depth limit.
    pub fn enter(&mut self) -> Res<()> {
        if self.depth == MAX_DEPTH {
            return Err(self.error(Reason::TooDeep));
        }
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }

    /// The cursor and depth, to come back to with [`Scanner::reset`].
    pub fn mark(&self) -> (usize, usize) {
        (self.pos, self.depth)
    }

    pub fn reset(&mut self, (pos, depth): (usize, usize)) {
        self.pos = pos;
        self.depth = depth;
    }

    /// After an element or member: consumes `,` (returns true) or the closing `close` (false).
    #[inline]
    pub fn next_or_close(&mut self, close: u8) -> Res<bool> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(c) if c == close => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            _ if close == b'}' => Err(self.error(Reason::ExpectedCommaOrBrace)),
            _ => Err(self.error(Reason::ExpectedCommaOrBracket)),
        }
    }

    /// Right after `{` or `[`: consumes `close` if the container is empty.
    #[inline]
    pub fn empty(&mut self, close: u8) -> bool {
        self.ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            self.depth -= 1;
            true
        } else {
            false
        }
    }

    /// The string at the cursor (which must be `"`, else [`Reason::ExpectedKey`]): returns its
    /// raw inside and whether it holds escapes. Checks escapes and UTF-8, and rejects control
    /// characters.
    #[inline]
    pub fn string(&mut self) -> Res<(&'m [u8], bool)> {
        if self.peek() != Some(b'"') {
            return Err(self.error(Reason::ExpectedKey));
        }
        let b = self.b;
        let start = self.pos + 1;
        let mut i = start;
        let mut escaped = false;
        let mut high = 0u64;
        loop {
            // Eight bytes at a time while none is special; CloudTrail strings are mostly short,
            // where this beats memchr's setup cost.
            while let Some(chunk) = b.get(i..i + 8) {
                let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
                if has_special(word) {
                    break;
                }
                high |= word;
                i += 8;
            }
            // The special byte is within the next eight (or the string is unterminated).
            loop {
                match b.get(i) {
                    None => return Err(SyntaxError { offset: b.len(), reason: Reason::Truncated }),
                    Some(b'"') => {
                        let text = &b[start..i];
                        if high & 0x8080_8080_8080_8080 != 0 {
                            if let Err(e) = std::str::from_utf8(text) {
                                let offset = start + e.valid_up_to();
                                return Err(SyntaxError { offset, reason: Reason::InvalidUtf8 });
                            }
                        }
                        self.pos = i + 1;
                        return Ok((text, escaped));
                    }
                    Some(b'\\') => {
                        escaped = true;
                        i = check_escape(b, i)?;
                        break;
                    }
                    Some(&c) if c < 0x20 => return Err(SyntaxError { offset: i, reason: Reason::ControlCharacter }),
                    Some(&c) => {
                        high |= u64::from(c);
                        i += 1;
                    }
                }
            }
        }
    }

    /// The number at the cursor, per the JSON grammar.
    pub fn number(&mut self) -> Res<&'m [u8]> {
        let b = self.b;
        let start = self.pos;
        let bad = |i: usize| {
            let reason = if i >= b.len() { Reason::Truncated } else { Reason::BadNumber };
            SyntaxError { offset: i, reason }
        };
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i += digits(&b[i..]),
            _ => return Err(bad(i)),
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let n = digits(&b[i..]);
            if n == 0 {
                return Err(bad(i));
            }
            i += n;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let n = digits(&b[i..]);
            if n == 0 {
                return Err(bad(i));
            }
            i += n;
        }
        self.pos = i;
        Ok(&b[start..i])
    }

    /// Consumes the literal `lit` (`true`, `false`, `null`).
    pub fn literal(&mut self, lit: &[u8]) -> Res<()> {
        let rest = &self.b[self.pos..];
        if rest.starts_with(lit) {
            self.pos += lit.len();
            Ok(())
        } else if lit.starts_with(rest) {
            Err(SyntaxError { offset: self.b.len(), reason: Reason::Truncated })
        } else {
            Err(self.error(Reason::ExpectedValue))
        }
    }

    /// Skips (and checks) the value at the cursor, after optional whitespace.
    pub fn skip_value(&mut self) -> Res<()> {
        self.ws();
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'{') => {
                self.enter()?;
                if self.empty(b'}') {
                    return Ok(());
                }
                loop {
                    self.ws();
                    self.string()?;
                    self.colon()?;
                    self.skip_value()?;
                    if !self.next_or_close(b'}')? {
                        return Ok(());
                    }
                }
            }
            Some(b'[') => {
                self.enter()?;
                if self.empty(b']') {
                    return Ok(());
                }
                loop {
                    self.skip_value()?;
                    if !self.next_or_close(b']')? {
                        return Ok(());
                    }
                }
            }
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            _ => Err(self.error(Reason::ExpectedValue)),
        }
    }

    /// Enters the container opening at the cursor (after whitespace), which must be `open`.
    fn open(&mut self, open: u8, reason: Reason) -> Res<()> {
        self.ws();
        if self.peek() != Some(open) {
            return Err(self.error(reason));
        }
        self.enter()
    }
}

/// Whether any byte of `w` is `"`, `\\` or a control character (below 0x20). Exact for the
/// existence test (the classic "has zero byte" trick has no false negatives, and its false
/// positives only sit above a true hit).
#[inline]
fn has_special(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    (control | zero(w ^ (ONES * b'"' as u64)) | zero(w ^ (ONES * b'\\' as u64))) != 0
}

fn digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// The four hex digits at `b[i..i + 4]`, if they are.
fn hex4(b: &[u8], i: usize) -> Option<u16> {
    let h = b.get(i..i + 4)?;
    h.iter().try_fold(0u16, |v, &c| Some(v * 16 + (c as char).to_digit(16)? as u16))
}

/// Checks the escape at `b[i] == '\\'`; returns the index after it.
fn check_escape(b: &[u8], i: usize) -> Res<usize> {
    let fail = |offset: usize, reason: Reason| {
        let reason = if offset >= b.len() { Reason::Truncated } else { reason };
        Err(SyntaxError { offset: offset.min(b.len()), reason })
    };
    match b.get(i + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(i + 2),
        Some(b'u') => match hex4(b, i + 2) {
            None if b.len() < i + 6 => fail(b.len(), Reason::Truncated),
            None => fail(i, Reason::BadEscape),
            Some(0xD800..=0xDBFF) => match (b.get(i + 6..i + 8), hex4(b, i + 8)) {
                (Some(b"\\u"), Some(0xDC00..=0xDFFF)) => Ok(i + 12),
                (Some(b"\\u"), None) if b.len() < i + 12 => fail(b.len(), Reason::Truncated),
                (None, _) if b.len() < i + 8 => fail(b.len(), Reason::Truncated),
                _ => fail(i, Reason::LoneSurrogate),
            },
            Some(0xDC00..=0xDFFF) => fail(i, Reason::LoneSurrogate),
            Some(_) => Ok(i + 6),
        },
        None => fail(b.len(), Reason::Truncated),
        Some(_) => fail(i, Reason::BadEscape),
    }
}

/// The position of the first byte at or after `pos` that is not JSON whitespace (or the end).
#[inline]
pub fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while let Some(&c) = b.get(pos) {
        if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
            break;
        }
        pos += 1;
    }
    pos
}

/// Checks the value at `pos` (after optional whitespace) against the contract, nesting counted
/// from this value; returns the position just after it.
pub fn skip_value(b: &[u8], pos: usize) -> Result<usize, SyntaxError> {
    let mut s = Scanner::at(b, pos);
    s.skip_value()?;
    Ok(s.pos)
}

/// Checks the string whose opening quote is at `pos`; returns the position after its closing
/// quote.
pub fn skip_string(b: &[u8], pos: usize) -> Result<usize, SyntaxError> {
    let mut s = Scanner::at(b, pos);
    s.string()?;
    Ok(s.pos)
}

/// Checks that `text` is valid JSON (the module's contract): one value, surrounding whitespace
/// allowed, nothing after it.
pub fn validate(text: &[u8]) -> Result<(), SyntaxError> {
    let end = skip_ws(text, skip_value(text, 0)?);
    if end != text.len() {
        return Err(SyntaxError { offset: end, reason: Reason::TrailingData });
    }
    Ok(())
}

/// Walks the object at `pos` (after optional whitespace; else [`Reason::ExpectedObject`]),
/// calling `value(key, start)` for each member in order, with the raw key (the bytes between
/// its quotes, escapes undecoded) and the position of its value. `value` must return the
/// position just after the value: it consumes the value, for instance with [`skip_value`],
/// which checks it, or with a faster skip that does not. Keys and punctuation are checked
/// here. Returns the position after the closing brace. Duplicate keys are all visited, in
/// order: a caller looking a member up keeps the last (contract item 6).
pub fn for_each_member<'a, E: From<SyntaxError>>(
    b: &'a [u8],
    pos: usize,
    mut value: impl FnMut(&'a [u8], usize) -> Result<usize, E>,
) -> Result<usize, E> {
    let mut s = Scanner::at(b, pos);
    s.open(b'{', Reason::ExpectedObject)?;
    if s.empty(b'}') {
        return Ok(s.pos);
    }
    loop {
        s.ws();
        let (key, _) = s.string()?;
        s.colon()?;
        s.ws();
        s.pos = value(key, s.pos)?;
        if !s.next_or_close(b'}')? {
            return Ok(s.pos);
        }
    }
}

/// Walks the array at `pos` (after optional whitespace; else [`Reason::ExpectedArray`]) as
/// [`for_each_member`] walks an object: `value(index, start)` consumes each element and returns
/// the position after it. Returns the position after the closing bracket.
pub fn for_each_element<E: From<SyntaxError>>(
    b: &[u8],
    pos: usize,
    mut value: impl FnMut(usize, usize) -> Result<usize, E>,
) -> Result<usize, E> {
    let mut s = Scanner::at(b, pos);
    s.open(b'[', Reason::ExpectedArray)?;
    if s.empty(b']') {
        return Ok(s.pos);
    }
    let mut index = 0;
    loop {
        s.ws();
        s.pos = value(index, s.pos)?;
        index += 1;
        if !s.next_or_close(b']')? {
            return Ok(s.pos);
        }
    }
}

/// Decodes the content of a JSON string (the bytes between its quotes), appending to `out`.
/// Exact for content that passed the contract. Content that did not is still decoded, without
/// panicking: a lone surrogate or a bad `\u` becomes U+FFFD, another bad escape is copied as is.
pub fn unescape(content: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < content.len() {
        let Some(at) = memchr::memchr(b'\\', &content[i..]) else {
            out.extend_from_slice(&content[i..]);
            return;
        };
        out.extend_from_slice(&content[i..i + at]);
        i += at;
        let simple = match content.get(i + 1) {
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'b') => 8,
            Some(b'f') => 12,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'u') => {
                i = unescape_unicode(content, i, out);
                continue;
            }
            _ => {
                out.push(b'\\');
                i += 1;
                continue;
            }
        };
        out.push(simple);
        i += 2;
    }
}

/// Decodes the `\u` escape (or surrogate pair) at `content[i]`; returns the index after it.
fn unescape_unicode(content: &[u8], i: usize, out: &mut Vec<u8>) -> usize {
    let (c, next) = match hex4(content, i + 2).map(u32::from) {
        Some(high @ 0xD800..=0xDBFF) => match (content.get(i + 6..i + 8), hex4(content, i + 8).map(u32::from)) {
            (Some(b"\\u"), Some(low @ 0xDC00..=0xDFFF)) => {
                (char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)), i + 12)
            }
            _ => (None, i + 6),
        },
        Some(code) => (char::from_u32(code), i + 6),
        None => (None, (i + 2).min(content.len())),
    };
    let mut tmp = [0u8; 4];
    out.extend_from_slice(c.unwrap_or('\u{FFFD}').encode_utf8(&mut tmp).as_bytes());
    next
}

/// The decoded content of a string (the bytes between its quotes): borrowed when it holds no
/// escape. See [`unescape`].
pub fn decode(content: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memchr(b'\\', content).is_none() {
        return Cow::Borrowed(content);
    }
    let mut out = Vec::with_capacity(content.len());
    unescape(content, &mut out);
    Cow::Owned(out)
}

/// Whether `rest` may spell the string `key` (a sound screen: false means it cannot). Spelled
/// as is, `"key"` occurs. Spelled with escapes, a backslash occurs; and when no character of
/// `key` has a one-letter escape (`\"`, `\\`, `\/`, control characters), the escape is a `\u`.
pub fn may_hold_key(rest: &[u8], key: &[u8]) -> bool {
    let short_escape = key.iter().any(|&c| matches!(c, b'"' | b'\\' | b'/') || c < 0x20);
    let escaped =
        if short_escape { memchr::memchr(b'\\', rest).is_some() } else { memchr::memmem::find(rest, b"\\u").is_some() };
    escaped
        || memchr::memmem::find_iter(rest, key)
            .any(|at| at > 0 && rest[at - 1] == b'"' && rest.get(at + key.len()) == Some(&b'"'))
}

/// Whether a raw key (the bytes between its quotes) decodes to `want`.
#[inline]
pub fn key_eq(raw_key: &[u8], want: &[u8]) -> bool {
    if memchr::memchr(b'\\', raw_key).is_none() {
        return raw_key == want;
    }
    *decode(raw_key) == *want
}

/// The decoded text of a JSON string value (`raw` includes the quotes); `None` when the value
/// is not a string. Text that is not valid UTF-8 (possible only in a value that was not
/// checked) is decoded with U+FFFD replacements.
pub fn str_value(raw: &[u8]) -> Option<Cow<'_, str>> {
    let content = raw.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    // `from_utf8` first: it checks ASCII a word at a time, the lossy decoding a byte at a time.
    Some(match decode(content) {
        Cow::Borrowed(b) => std::str::from_utf8(b).map_or_else(|_| String::from_utf8_lossy(b), Cow::Borrowed),
        Cow::Owned(v) => {
            Cow::Owned(String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(s: &str) -> bool {
        validate(s.as_bytes()).is_ok()
    }

    fn reason(s: &[u8]) -> (usize, Reason) {
        let e = validate(s).unwrap_err();
        (e.offset, e.reason)
    }

    #[test]
    fn agrees_with_serde_json_on_validity() {
        for s in [
            r#"{"a":[1,-0.5e+3,true,false,null,"x\"\\\/\b\f\n\r\t\u0041"],"b":{}}"#,
            r#"{"a":1,}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":.1}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\ud83d\ude00"}"#,
            r#"{"a":"\ud83d"}"#,
            r#"{"a":"\ude00"}"#,
            "{\"a\":\"\u{1}\"}",
            "{\"a\":\"\u{1f}\"}",
            "{\"a\":\"\u{7f}\"}",
            r#"[1,2"#,
            r#"{"a" 1}"#,
            r#"tru"#,
            r#" {} "#,
            r#"{} {}"#,
            r#"[[]]"#,
            r#"{"a":-}"#,
            r#"{"a":1e}"#,
            r#"{"a":1,"a":2}"#,
            "\u{feff}{}",
        ] {
            let serde = serde_json::from_str::<serde_json::Value>(s).is_ok();
            assert_eq!(valid(s), serde, "{s}");
        }
    }

    #[test]
    fn errors_say_where_and_why() {
        assert_eq!(reason(b"{\"a\":\"x\ty\"}"), (7, Reason::ControlCharacter));
        assert_eq!(reason(b"{\"a\":\"\xc3(\"}"), (6, Reason::InvalidUtf8));
        assert_eq!(reason(br#"{"a":"\ud83dx"}"#), (6, Reason::LoneSurrogate));
        assert_eq!(reason(br#"{"a":"\q"}"#), (6, Reason::BadEscape));
        assert_eq!(reason(br#"{"a":"\u00g0"}"#), (6, Reason::BadEscape));
        assert_eq!(reason(b"{ foo: 1 }"), (2, Reason::ExpectedKey));
        assert_eq!(reason(b"{\"a\" 1}"), (5, Reason::ExpectedColon));
        assert_eq!(reason(b"{\"a\":1 2}"), (7, Reason::ExpectedCommaOrBrace));
        assert_eq!(reason(b"[1 2]"), (3, Reason::ExpectedCommaOrBracket));
        assert_eq!(reason(b"[-]"), (2, Reason::BadNumber));
        assert_eq!(reason(b"[nul]"), (1, Reason::ExpectedValue));
        assert_eq!(reason(b"{} {}"), (3, Reason::TrailingData));
        assert_eq!(reason(b"{\"a\":[1,"), (8, Reason::Truncated));
        assert_eq!(reason(b"[\"ab"), (4, Reason::Truncated));
        assert_eq!(reason(br#"["\u00"#), (6, Reason::Truncated));
        assert_eq!(reason(b"[tr"), (3, Reason::Truncated));
        let doc = br#"{"a":[1,-2.5e3,true,null,{"b":"x\"y\u00e9\ud83d\ude00"}], "c" : {}}"#;
        for cut in 0..doc.len() {
            assert_eq!(validate(&doc[..cut]).unwrap_err().reason, Reason::Truncated, "cut at {cut}");
        }
    }

    #[test]
    fn strings_of_every_length_and_special_position() {
        for len in 0..40 {
            for (special, ok) in [("\\\"", true), ("\\u00e9", true), ("\u{1}", false), ("\\q", false)] {
                for at in 0..=len {
                    let body = format!("{}{special}{}", "a".repeat(at), "\u{e9}".repeat(len - at));
                    let s = format!("\"{body}\"");
                    assert_eq!(valid(&s), ok, "{s:?}");
                }
            }
            assert!(!valid(&format!("\"{}", "a".repeat(len))));
            let mut bad = format!("\"{}", "a".repeat(len)).into_bytes();
            bad.extend_from_slice(b"\xc3\"");
            assert_eq!(reason(&bad), (len + 1, Reason::InvalidUtf8), "truncated UTF-8 at {len}");
        }
    }

    #[test]
    fn depth_limit_is_serde_jsons() {
        let deep = |n| format!("{}{}", "[".repeat(n), "]".repeat(n));
        for n in [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1] {
            let serde = serde_json::from_str::<serde_json::Value>(&deep(n)).is_ok();
            assert_eq!(valid(&deep(n)), serde, "depth {n}");
        }
        assert!(valid(&deep(MAX_DEPTH)));
        assert_eq!(reason(deep(MAX_DEPTH + 1).as_bytes()), (MAX_DEPTH, Reason::TooDeep));
        assert_eq!(reason("[".repeat(100_000).as_bytes()), (MAX_DEPTH, Reason::TooDeep));
    }

    #[test]
    fn walks_members_and_elements() {
        let doc = br#" { "a" : 1 , "b\u0031":[ "x", {"y":2} ] } "#;
        let mut members = Vec::new();
        let end = for_each_member(doc, 0, |key, start| -> Result<usize, SyntaxError> {
            let end = skip_value(doc, start)?;
            members.push((key, &doc[start..end]));
            Ok(end)
        })
        .unwrap();
        assert_eq!(end, doc.len() - 1);
        assert_eq!(members, [(&b"a"[..], &b"1"[..]), (&b"b\\u0031"[..], &br#"[ "x", {"y":2} ]"#[..])]);
        assert!(key_eq(members[1].0, b"b1"));
        let mut elements = Vec::new();
        for_each_element(members[1].1, 0, |i, start| -> Result<usize, SyntaxError> {
            let end = skip_value(members[1].1, start)?;
            elements.push((i, &members[1].1[start..end]));
            Ok(end)
        })
        .unwrap();
        assert_eq!(elements, [(0, &b"\"x\""[..]), (1, &br#"{"y":2}"#[..])]);
        let skip = |b: &[u8]| for_each_member(b, 0, |_, start| skip_value(b, start)).unwrap_err();
        assert_eq!(skip(b"{\"a\":1,}"), SyntaxError { offset: 7, reason: Reason::ExpectedKey });
        assert_eq!(skip(b"[1]"), SyntaxError { offset: 0, reason: Reason::ExpectedObject });
    }

    #[test]
    fn decodes_strings() {
        let mut out = Vec::new();
        unescape(br#"a\"\\\/\n\u0041\u00e9\ud83d\ude00"#, &mut out);
        assert_eq!(out, "a\"\\/\nA\u{e9}\u{1F600}".as_bytes());
        assert!(matches!(decode(b"plain"), Cow::Borrowed(b"plain")));
        assert_eq!(str_value(br#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#).unwrap(), "a\"b\\c/d\né😀");
        assert_eq!(str_value(br#""\ud800x\q\u12""#).unwrap(), "\u{FFFD}x\\q\u{FFFD}12");
        assert_eq!(str_value(b"12"), None);
    }
}
