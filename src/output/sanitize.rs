//! Escaping of attacker-controlled text before it reaches a terminal.
//!
//! Event fields (userAgent, errorMessage, ARNs, request parameters) are written by whoever
//! called the API; printed raw, an escape sequence in them could rewrite the investigator's
//! screen. On a terminal ctl shows C0/C1 control characters, DEL and the Unicode bidi
//! overrides as visible `\u{..}` escapes. Output to a pipe or file is never altered.

use std::borrow::Cow;

/// Whether a character must not reach a terminal as is. `keep_newlines` lets `\n` and `\t`
/// through (line-oriented output); table cells escape them too.
fn is_dangerous(c: char, keep_newlines: bool) -> bool {
    match c {
        '\n' | '\t' => !keep_newlines,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => true,
        _ => false,
    }
}

/// `text` with every dangerous character replaced by `\u{XX}`.
pub fn escape_str(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_dangerous(c, keep_newlines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_dangerous(c, keep_newlines) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Bytes (UTF-8, or not) escaped as [`escape_str`] does; invalid UTF-8 is shown replaced.
pub fn escape_bytes(bytes: &[u8], keep_newlines: bool) -> Cow<'_, [u8]> {
    let clean = bytes.iter().all(|&b| (0x20..0x7f).contains(&b) || (keep_newlines && (b == b'\n' || b == b'\t')));
    if clean {
        return Cow::Borrowed(bytes);
    }
    match escape_str(&String::from_utf8_lossy(bytes), keep_newlines) {
        Cow::Borrowed(s) => Cow::Owned(s.as_bytes().to_vec()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_only() {
        assert!(matches!(escape_str("aws-cli/2.0 é", true), Cow::Borrowed(_)));
        assert_eq!(escape_str("a\u{1b}[2Jb", true), "a\\u{1b}[2Jb");
        assert_eq!(escape_str("x\u{202e}y\u{9b}", true), "x\\u{202e}y\\u{9b}");
        assert_eq!(escape_str("l1\nl2", true), "l1\nl2");
        assert_eq!(escape_str("l1\nl2", false), "l1\\u{a}l2");
        assert_eq!(&*escape_bytes(b"ok\x07", true), b"ok\\u{7}");
    }
}
