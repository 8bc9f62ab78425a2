//! `*` wildcards, the only pattern syntax query flags accept (`Delete*`, `arn:aws:iam::*:role/*`).
//!
//! Deliberately tiny: `?`, `[..]` and `{..}` are ordinary characters, because they occur in
//! the values users type (ARNs, error codes) and a glob dialect would surprise them.

/// A compiled wildcard: the literal pieces between `*`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard {
    pieces: Vec<String>,
    /// The pattern has no `*`: plain equality.
    exact: bool,
}

impl Wildcard {
    pub fn new(pattern: &str) -> Wildcard {
        Wildcard { pieces: pattern.split('*').map(str::to_string).collect(), exact: !pattern.contains('*') }
    }

    /// Whether the pattern is a plain string (no `*`).
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// The literal pieces, in order: the first must start the text, the last end it.
    pub fn pieces(&self) -> &[String] {
        &self.pieces
    }

    pub fn matches(&self, text: &str) -> bool {
        if self.exact {
            return text == self.pieces[0];
        }
        let (first, rest) = self.pieces.split_first().expect("split yields at least one piece");
        let (last, middle) = rest.split_last().expect("a pattern with '*' has two pieces");
        let Some(mut text) = text.strip_prefix(first.as_str()) else {
            return false;
        };
        if text.len() < last.len() {
            return false;
        }
        let tail_at = text.len() - last.len();
        if !text.is_char_boundary(tail_at) || &text[tail_at..] != last {
            return false;
        }
        text = &text[..tail_at];
        for piece in middle {
            match text.find(piece.as_str()) {
                Some(at) => text = &text[at + piece.len()..],
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_like_a_shell_star() {
        let cases = [
            ("DeleteBucket", "DeleteBucket", true),
            ("DeleteBucket", "DeleteBucketPolicy", false),
            ("Delete*", "DeleteBucketPolicy", true),
            ("*Policy", "DeleteBucketPolicy", true),
            ("*Bucket*", "DeleteBucketPolicy", true),
            ("*", "", true),
            ("a*a", "a", false),
            ("a*a", "aa", true),
            ("arn:aws:iam::*:role/*", "arn:aws:iam::1:role/x", true),
            ("arn:aws:iam::*:role/*", "arn:aws:iam::1:user/x", false),
            ("Get[*]?", "Get[x]?", true),
            ("*é", "café", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(Wildcard::new(pattern).matches(text), expected, "{pattern} vs {text}");
        }
    }
}
