//! The condition language: `and`, `or`, `not`, parentheses, `1 of X*`, `all of X*`,
//! `N of X*`, `1 of them`, `all of them`, over search identifiers.
//!
//! Precedence, loosest first: `or`, `and`, `not`, `x of`, parentheses (the specification's
//! table). Keywords are case-insensitive. The obsolete aggregation syntax (`| count() > 5`,
//! `| near`) is refused with a reason naming it.

use crate::error::RuleError;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    Ident(String),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    /// `N of pattern` (`None` for the count: `all`); the pattern `them` is every identifier.
    Of {
        count: Option<usize>,
        pattern: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Open,
    Close,
    Pipe,
}

struct Parser<'a> {
    text: &'a str,
    toks: Vec<(usize, Tok)>,
    at: usize,
}

/// Parses a condition.
pub fn parse(text: &str) -> Result<Cond, RuleError> {
    let mut p = Parser { text, toks: lex(text), at: 0 };
    if let Some((at, _)) = p.toks.iter().find(|(_, t)| *t == Tok::Pipe) {
        let rest = text[*at..].trim();
        let what = if rest.contains("near") { "the obsolete `near` syntax" } else { "the obsolete aggregation syntax" };
        return Err(RuleError::Unsupported(format!("{what} ({rest}): write it as a correlation rule")));
    }
    let cond = p.or()?;
    match p.toks.get(p.at) {
        None => Ok(cond),
        Some((at, _)) => Err(p.error(*at, "unexpected text after the end")),
    }
}

fn lex(text: &str) -> Vec<(usize, Tok)> {
    let mut toks = Vec::new();
    let mut word: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let special = matches!(c, '(' | ')' | '|') || c.is_whitespace();
        if special {
            if let Some(start) = word.take() {
                toks.push((start, Tok::Word(text[start..i].to_string())));
            }
            match c {
                '(' => toks.push((i, Tok::Open)),
                ')' => toks.push((i, Tok::Close)),
                '|' => toks.push((i, Tok::Pipe)),
                _ => {}
            }
        } else if word.is_none() {
            word = Some(i);
        }
    }
    if let Some(start) = word {
        toks.push((start, Tok::Word(text[start..].to_string())));
    }
    toks
}

impl Parser<'_> {
    fn error(&self, at: usize, what: &str) -> RuleError {
        RuleError::Condition { condition: self.text.to_string(), at, what: what.to_string() }
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.toks.get(self.at), Some((_, Tok::Word(w))) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Cond, RuleError> {
        let mut items = vec![self.and()?];
        while self.keyword("or") {
            self.at += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Cond::Or(items) })
    }

    fn and(&mut self) -> Result<Cond, RuleError> {
        let mut items = vec![self.not()?];
        while self.keyword("and") {
            self.at += 1;
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Cond::And(items) })
    }

    fn not(&mut self) -> Result<Cond, RuleError> {
        if self.keyword("not") {
            self.at += 1;
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Cond, RuleError> {
        let end = self.text.len();
        let Some((at, tok)) = self.toks.get(self.at).cloned() else {
            return Err(self.error(end, "expected a search identifier"));
        };
        self.at += 1;
        match tok {
            Tok::Open => {
                let inner = self.or()?;
                match self.toks.get(self.at) {
                    Some((_, Tok::Close)) => {
                        self.at += 1;
                        Ok(inner)
                    }
                    Some((at, _)) => Err(self.error(*at, "expected `)`")),
                    None => Err(self.error(end, "expected `)`")),
                }
            }
            Tok::Word(w) if ["and", "or", "of"].iter().any(|k| w.eq_ignore_ascii_case(k)) => {
                Err(self.error(at, "expected a search identifier"))
            }
            Tok::Word(w) => {
                let count = if w.eq_ignore_ascii_case("all") { Some(None) } else { w.parse::<usize>().ok().map(Some) };
                match count {
                    Some(count) if self.keyword("of") => {
                        self.at += 1;
                        match self.toks.get(self.at).cloned() {
                            Some((_, Tok::Word(pattern))) => {
                                self.at += 1;
                                Ok(Cond::Of { count, pattern })
                            }
                            Some((at, _)) => Err(self.error(at, "expected a search identifier pattern after `of`")),
                            None => Err(self.error(end, "expected a search identifier pattern after `of`")),
                        }
                    }
                    _ => Ok(Cond::Ident(w)),
                }
            }
            Tok::Close | Tok::Pipe => Err(self.error(at, "expected a search identifier")),
        }
    }
}

/// Whether identifier `name` matches an `of` pattern (`*` any run of characters).
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    crate::pattern::StrMatch::new(crate::pattern::tokens(pattern), true).is_match(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> Cond {
        Cond::Ident(s.into())
    }

    #[test]
    fn precedence_and_forms() {
        assert_eq!(
            parse("a or b and not c").unwrap(),
            Cond::Or(vec![id("a"), Cond::And(vec![id("b"), Cond::Not(Box::new(id("c")))])])
        );
        assert_eq!(parse("(a or b) and c").unwrap(), Cond::And(vec![Cond::Or(vec![id("a"), id("b")]), id("c")]));
        assert_eq!(
            parse("1 of selection* and not all of filter_*").unwrap(),
            Cond::And(vec![
                Cond::Of { count: Some(1), pattern: "selection*".into() },
                Cond::Not(Box::new(Cond::Of { count: None, pattern: "filter_*".into() }))
            ])
        );
        assert_eq!(parse("all of them").unwrap(), Cond::Of { count: None, pattern: "them".into() });
        assert_eq!(parse("NOT a AND b").unwrap(), Cond::And(vec![Cond::Not(Box::new(id("a"))), id("b")]));
        assert!(pattern_matches("selection*", "selection_1") && !pattern_matches("sel*", "filter"));
    }

    #[test]
    fn errors_say_where() {
        let err = parse("selection and").unwrap_err();
        assert!(matches!(err, RuleError::Condition { at: 13, .. }), "{err:?}");
        assert!(matches!(parse("(a or b").unwrap_err(), RuleError::Condition { at: 7, .. }));
        assert!(matches!(parse("a b").unwrap_err(), RuleError::Condition { at: 2, .. }));
        let agg = parse("selection | count() by sourceIPAddress > 5").unwrap_err().to_string();
        assert!(agg.contains("obsolete aggregation"), "{agg}");
    }
}
