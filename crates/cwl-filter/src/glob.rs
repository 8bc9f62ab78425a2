//! `*` wildcards matched against a whole value: the strings of filter-pattern comparisons
//! (`$.errorCode = "AccessDenied*"`), and in ctl the values of query flags (`--event
//! 'Delete*'`, `--arn 'arn:aws:iam::*:role/*'`).

use memchr::memmem;

/// A string in which `*` matches any run of characters, including none, anywhere in the
/// string (A6). No other character is special: `?`, `[..]` and `{..}` are literal, as they
/// occur in the values users match (ARNs, error codes). Matching works on bytes; for UTF-8
/// text that is matching on characters, since a UTF-8 piece only matches at character
/// boundaries.
#[derive(Debug, Clone)]
pub struct Glob {
    /// The text split at `*`: one part means no wildcard (plain equality).
    parts: Vec<Box<str>>,
    /// Finders for the parts between the first and the last.
    middle: Vec<memmem::Finder<'static>>,
}

impl Glob {
    pub fn new(text: &str) -> Glob {
        let parts: Vec<Box<str>> = text.split('*').map(Box::from).collect();
        let middle = match &parts[..] {
            [_, middle @ .., _] => middle.iter().map(|p| memmem::Finder::new(p.as_bytes()).into_owned()).collect(),
            _ => Vec::new(),
        };
        Glob { parts, middle }
    }

    /// Whether the text has no `*` (the glob is plain equality).
    pub fn is_exact(&self) -> bool {
        self.parts.len() == 1
    }

    /// The literal pieces between the `*`s, in order (one or more): the first must start a
    /// matching value, the last end it, the others occur between them in order.
    pub fn parts(&self) -> &[Box<str>] {
        &self.parts
    }

    /// Whether the whole of `s` matches.
    pub fn is_match(&self, s: &[u8]) -> bool {
        let [first, .., last] = &self.parts[..] else {
            return s == self.parts[0].as_bytes();
        };
        let (first, last) = (first.as_bytes(), last.as_bytes());
        if s.len() < first.len() + last.len() || !s.starts_with(first) || !s.ends_with(last) {
            return false;
        }
        let mut rest = &s[first.len()..s.len() - last.len()];
        for f in &self.middle {
            match f.find(rest) {
                Some(at) => rest = &rest[at + f.needle().len()..],
                None => return false,
            }
        }
        true
    }
}

impl PartialEq for Glob {
    fn eq(&self, other: &Glob) -> bool {
        self.parts == other.parts
    }
}

impl Eq for Glob {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_like_a_shell_star_and_nothing_else() {
        let cases = [
            ("AccessDenied*", "AccessDenied", true),
            ("AccessDenied*", "AccessDeniedException", true),
            ("*UnauthorizedOperation", "Client.UnauthorizedOperation", true),
            ("*UnauthorizedOperation", "UnauthorizedOperationX", false),
            ("DeleteBucket", "DeleteBucketPolicy", false),
            ("*Bucket*", "DeleteBucketPolicy", true),
            ("Ev*ent", "Event", true),
            ("Ev*ent", "EvXXent", true),
            ("Ev*ent", "Even", false),
            ("a*b*c", "abc", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "acb", false),
            ("ab*ba", "aba", false),
            ("a*a", "a", false),
            ("a*a", "aa", true),
            ("*", "", true),
            ("**", "x", true),
            ("", "", true),
            ("", "x", false),
            ("arn:aws:iam::*:role/*", "arn:aws:iam::1:role/x", true),
            ("arn:aws:iam::*:role/*", "arn:aws:iam::1:user/x", false),
            ("Get[*]?", "Get[x]?", true),
            ("*é", "café", true),
            ("caf*", "café", true),
        ];
        for (glob, text, expected) in cases {
            assert_eq!(Glob::new(glob).is_match(text.as_bytes()), expected, "{glob} vs {text}");
        }
        let g = Glob::new("a*b*c");
        assert!(!g.is_exact() && Glob::new("abc").is_exact());
        assert_eq!(g.parts().iter().map(|p| &**p).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(g, Glob::new("a*b*c"));
    }
}
