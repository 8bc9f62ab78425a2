//! A validating, non-allocating JSON scanner over message bytes.
//!
//! The evaluator walks only the members a pattern names and skips the rest with
//! [`Scanner::skip_value`], which still validates them: a message that is not valid JSON never
//! matches a JSON pattern (A14), so every byte is checked once, but nothing is built. Validity
//! follows RFC 8259 as `serde_json` applies it (escapes checked, lone surrogates rejected,
//! nesting limited to [`MAX_DEPTH`], strings valid UTF-8). Outside strings valid JSON is
//! ASCII, so checking each string's bytes checks the whole message.

/// Deepest nesting of arrays and objects accepted, as `serde_json`'s default recursion limit.
pub(crate) const MAX_DEPTH: usize = 128;

/// The message is not valid JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Invalid;

pub(crate) type Res<T> = Result<T, Invalid>;

pub(crate) struct Scanner<'m> {
    pub b: &'m [u8],
    pub pos: usize,
    depth: usize,
}

impl<'m> Scanner<'m> {
    pub fn new(b: &'m [u8]) -> Self {
        Scanner { b, pos: 0, depth: 0 }
    }

    #[inline]
    pub fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.pos) {
            if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                break;
            }
            self.pos += 1;
        }
    }

    #[inline]
    pub fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Skips whitespace, then consumes `c`.
    #[inline]
    pub fn expect(&mut self, c: u8) -> Res<()> {
        self.ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Invalid)
        }
    }

    /// Enters an array or object (at its opening byte), enforcing the depth limit.
    pub fn enter(&mut self) -> Res<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Invalid);
        }
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

    pub fn leave(&mut self) {
        self.depth -= 1;
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
                self.leave();
                Ok(false)
            }
            _ => Err(Invalid),
        }
    }

    /// Right after `{` or `[`: consumes `close` if the container is empty.
    #[inline]
    pub fn empty(&mut self, close: u8) -> bool {
        self.ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            self.leave();
            true
        } else {
            false
        }
    }

    /// The string at `pos` (which must be `"`): returns its raw inside and whether it holds
    /// escapes. Validates escapes and UTF-8, and rejects control characters.
    #[inline]
    pub fn string(&mut self) -> Res<(&'m [u8], bool)> {
        if self.peek() != Some(b'"') {
            return Err(Invalid);
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
                    None => return Err(Invalid),
                    Some(b'"') => {
                        let text = &b[start..i];
                        if high & 0x8080_8080_8080_8080 != 0 && std::str::from_utf8(text).is_err() {
                            return Err(Invalid);
                        }
                        self.pos = i + 1;
                        return Ok((text, escaped));
                    }
                    Some(b'\\') => {
                        escaped = true;
                        i = check_escape(b, i)?;
                        break;
                    }
                    Some(&c) if c < 0x20 => return Err(Invalid),
                    Some(&c) => {
                        high |= u64::from(c);
                        i += 1;
                    }
                }
            }
        }
    }

    /// The number at `pos`, per the JSON grammar.
    pub fn number(&mut self) -> Res<&'m [u8]> {
        let b = self.b;
        let start = self.pos;
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i += digits(&b[i..]),
            _ => return Err(Invalid),
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let n = digits(&b[i..]);
            if n == 0 {
                return Err(Invalid);
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
                return Err(Invalid);
            }
            i += n;
        }
        self.pos = i;
        Ok(&b[start..i])
    }

    /// Consumes the literal `lit` (`true`, `false`, `null`).
    pub fn literal(&mut self, lit: &[u8]) -> Res<()> {
        if self.b[self.pos..].starts_with(lit) {
            self.pos += lit.len();
            Ok(())
        } else {
            Err(Invalid)
        }
    }

    /// Skips (and validates) the value at `pos`, after optional whitespace.
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
                    self.expect(b':')?;
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
            _ => Err(Invalid),
        }
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

fn hex4(b: &[u8], i: usize) -> Res<u16> {
    let h = b.get(i..i + 4).ok_or(Invalid)?;
    let mut v = 0u16;
    for &c in h {
        let d = (c as char).to_digit(16).ok_or(Invalid)?;
        v = v * 16 + d as u16;
    }
    Ok(v)
}

/// Validates the escape at `b[i] == '\\'`; returns the index after it.
fn check_escape(b: &[u8], i: usize) -> Res<usize> {
    match b.get(i + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(i + 2),
        Some(b'u') => {
            let u = hex4(b, i + 2)?;
            match u {
                0xD800..=0xDBFF => {
                    if b.get(i + 6) != Some(&b'\\') || b.get(i + 7) != Some(&b'u') {
                        return Err(Invalid);
                    }
                    match hex4(b, i + 8)? {
                        0xDC00..=0xDFFF => Ok(i + 12),
                        _ => Err(Invalid),
                    }
                }
                0xDC00..=0xDFFF => Err(Invalid),
                _ => Ok(i + 6),
            }
        }
        _ => Err(Invalid),
    }
}

/// Decodes the raw inside of a string that [`Scanner::string`] validated.
pub(crate) fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let e = raw.get(i + 1).copied().unwrap_or(b'\\');
        i += 2;
        let ch = match e {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex4(raw, i).unwrap_or(0xFFFD) as u32;
                i += 4;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    let lo = hex4(raw, i + 2).unwrap_or(0xDC00) as u32;
                    i += 6;
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                };
                char::from_u32(code).unwrap_or('\u{fffd}')
            }
            other => other as char,
        };
        let mut buf = [0; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(s: &str) -> bool {
        let mut sc = Scanner::new(s.as_bytes());
        sc.skip_value().is_ok() && {
            sc.ws();
            sc.pos == s.len()
        }
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
            r#"[1,2"#,
            r#"{"a" 1}"#,
            r#"tru"#,
            r#" {} "#,
            r#"{} {}"#,
            r#"[[]]"#,
            r#"{"a":-}"#,
            r#"{"a":1e}"#,
        ] {
            let serde = serde_json::from_str::<serde_json::Value>(s).is_ok();
            assert_eq!(valid(s), serde, "{s}");
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
            let mut sc = Scanner::new(&bad);
            assert!(sc.skip_value().is_err(), "truncated UTF-8 at {len}");
        }
    }

    #[test]
    fn depth_limit() {
        let deep = |n| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(valid(&deep(MAX_DEPTH)));
        assert!(!valid(&deep(MAX_DEPTH + 1)));
    }

    #[test]
    fn unescape_decodes_everything() {
        let raw = br#"a\"\\\/\n\u0041\u00e9\ud83d\ude00"#;
        assert_eq!(unescape(raw), "a\"\\/\nA\u{e9}\u{1F600}".as_bytes());
    }
}
