//! The literal screen, query's byte prefilter: literals that must occur in a record's raw
//! bytes for it to match.
//!
//! A file whose bytes contain none of a group's literals cannot hold a match and is not split
//! into records at all; within a file, records are tested the same way before they are parsed.
//! Only literals made of characters JSON encoders never escape are used (ASCII letters,
//! digits and `-_.:@+=,`), so a literal cannot hide behind `\u0041` or `\/`; the quotes around
//! exact values are checked beside each hit, accepting the `\"` of a string embedded in a
//! string (lookup-events output).

use memchr::memmem::Finder;

/// One literal, with what must surround it where it occurs.
#[derive(Debug, Clone)]
pub struct Literal {
    finder: Finder<'static>,
    /// The literal starts a JSON string (a `"` right before it).
    open: bool,
    /// The literal ends a JSON string (a `"` or the `\` of `\"` right after it).
    close: bool,
}

impl Literal {
    /// A literal for `text`, or `None` when `text` is too short or holds characters that an
    /// encoder might escape.
    pub fn new(text: &str, open: bool, close: bool) -> Option<Literal> {
        let safe = |b: u8| b.is_ascii_alphanumeric() || b"-_.:@+=,".contains(&b);
        let useful = text.len() >= 3 || (open && close && !text.is_empty());
        (useful && text.bytes().all(safe)).then(|| Literal {
            finder: Finder::new(text.as_bytes()).into_owned(),
            open,
            close,
        })
    }

    /// Whether the literal occurs in `hay` with its required surroundings.
    pub fn occurs_in(&self, hay: &[u8]) -> bool {
        let n = self.finder.needle().len();
        self.finder.find_iter(hay).any(|at| {
            (!self.open || at > 0 && hay[at - 1] == b'"')
                && (!self.close || matches!(hay.get(at + n), Some(b'"' | b'\\')))
        })
    }
}

/// Groups of literals: every group must have one of its literals present; and the needles of
/// a `--where` pattern, if it has any.
#[derive(Debug, Clone, Default)]
pub struct LiteralScreen {
    groups: Vec<Vec<Literal>>,
    pattern: Option<cwl_filter::Prefilter>,
}

impl LiteralScreen {
    /// Adds a group (the alternatives of one predicate); a group with an alternative that
    /// yields no literal constrains nothing and is dropped.
    pub fn require_any(&mut self, alternatives: Vec<Option<Literal>>) {
        if alternatives.is_empty() {
            return;
        }
        if let Some(group) = alternatives.into_iter().collect::<Option<Vec<_>>>() {
            self.groups.push(group);
        }
    }

    /// Adds the needles of a filter pattern (one of which occurs in any event it matches, in
    /// its compact text, and so in the file's bytes: the needles hold no character that
    /// compaction or string embedding changes).
    pub fn require_pattern(&mut self, needles: Option<cwl_filter::Prefilter>) {
        self.pattern = needles;
    }

    /// Whether there is any literal to look for.
    pub fn is_active(&self) -> bool {
        !self.groups.is_empty() || self.pattern.is_some()
    }

    /// Whether `bytes` may hold a match: every group has a literal present.
    pub fn may_match(&self, bytes: &[u8]) -> bool {
        self.groups.iter().all(|group| group.iter().any(|lit| lit.occurs_in(bytes)))
            && self.pattern.as_ref().is_none_or(|p| p.may_match(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_literals_check_their_quotes() {
        let lit = Literal::new("DeleteBucket", true, true).unwrap();
        assert!(lit.occurs_in(br#"{"eventName":"DeleteBucket"}"#));
        assert!(lit.occurs_in(br#"{"CloudTrailEvent":"{\"eventName\":\"DeleteBucket\"}"}"#));
        assert!(!lit.occurs_in(br#"{"eventName":"DeleteBucketPolicy"}"#));
        assert!(!lit.occurs_in(br#"{"eventName":"XDeleteBucket"}"#));
        assert!(Literal::new("a/b", true, true).is_none());
        assert!(Literal::new("ab", false, false).is_none());
    }

    #[test]
    fn groups_are_and_alternatives_are_or() {
        let mut p = LiteralScreen::default();
        p.require_any(vec![Literal::new("Alpha", true, true), Literal::new("Beta", true, true)]);
        p.require_any(vec![Literal::new("us-east-1", true, true)]);
        assert!(p.may_match(br#"{"a":"Beta","r":"us-east-1"}"#));
        assert!(!p.may_match(br#"{"a":"Beta","r":"us-east-2"}"#));
        p.require_any(vec![Literal::new("x/y", true, true)]);
        assert!(p.may_match(br#"{"a":"Alpha","r":"us-east-1"}"#), "an unusable group is dropped");
    }
}
