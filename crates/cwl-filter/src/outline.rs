//! A JSON pattern's conditions as a public tree, for translating a pattern into another
//! language (ctl prints it as SQL). Only what a translation needs: the boolean structure, each
//! condition's selector path and its test.

use crate::ast::{self, Ast, Expr};
use crate::lex::CmpOp;
use crate::Pattern;

/// A boolean combination of conditions.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Or(Vec<Condition>),
    And(Vec<Condition>),
    /// `$.path test`.
    Test {
        path: Vec<Segment>,
        test: Test,
    },
}

/// One segment of a selector path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
    /// `[*]` or `.*`.
    Wildcard,
}

/// What a condition tests.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `= "text"` (`*` is a wildcard).
    Equals(String),
    /// `!= "text"`.
    NotEquals(String),
    /// A comparison with a number: the operator (`=`, `!=`, `<`, `<=`, `>`, `>=`) and the
    /// number as written.
    Number {
        op: &'static str,
        value: String,
    },
    /// `= %regex%` or `!= %regex%`: the body.
    Regex(String),
    IsTrue,
    IsFalse,
    IsNull,
    NotExists,
}

/// The conditions of a JSON pattern (`{ ... }`); `None` for the other kinds.
pub fn outline(pattern: &Pattern) -> Option<Condition> {
    match crate::parse::parse(pattern.source()).ok()? {
        Ast::Json(expr) => Some(convert(&expr)),
        _ => None,
    }
}

fn convert(expr: &Expr<'_>) -> Condition {
    match expr {
        Expr::Or(all) => Condition::Or(all.iter().map(convert).collect()),
        Expr::And(all) => Condition::And(all.iter().map(convert).collect()),
        Expr::Cond(cond) => {
            let path = cond
                .selector
                .segments
                .iter()
                .map(|s| match s {
                    ast::Segment::Key(k) => Segment::Key(k.clone()),
                    ast::Segment::Index(i) => Segment::Index(*i),
                    ast::Segment::Wildcard => Segment::Wildcard,
                })
                .collect();
            let test = match &cond.test {
                ast::Test::IsTrue => Test::IsTrue,
                ast::Test::IsFalse => Test::IsFalse,
                ast::Test::IsNull => Test::IsNull,
                ast::Test::NotExists => Test::NotExists,
                ast::Test::Cmp { value: ast::Value::Regex { body, .. }, .. } => Test::Regex(body.to_string()),
                ast::Test::Cmp { op, value: ast::Value::Number { text, .. } } => {
                    Test::Number { op: op.as_str(), value: text.to_string() }
                }
                ast::Test::Cmp { op: CmpOp::Ne, value: ast::Value::Str(s) } => Test::NotEquals(s.to_string()),
                ast::Test::Cmp { op, value: ast::Value::Str(s) } => match op {
                    CmpOp::Eq => Test::Equals(s.to_string()),
                    // An ordering with a string is refused by the parser; kept as text here.
                    other => Test::Number { op: other.as_str(), value: s.to_string() },
                },
            };
            Condition::Test { path, test }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_patterns_outline_their_conditions() {
        let p = Pattern::parse(r#"{ ($.eventName = "Get*") && ($.a.b[0] > 5 || $.c NOT EXISTS) }"#).unwrap();
        let Some(Condition::And(parts)) = outline(&p) else { panic!("not an And") };
        assert_eq!(
            parts[0],
            Condition::Test { path: vec![Segment::Key("eventName".into())], test: Test::Equals("Get*".into()) }
        );
        assert!(matches!(&parts[1], Condition::Or(v) if v.len() == 2));
        assert!(outline(&Pattern::parse("ERROR").unwrap()).is_none());
    }
}
