//! Compilation of an [`Ast`] into a flat [`Program`]: selectors merged into a trie with their
//! keys pre-split, numbers pre-parsed, wildcard strings precompiled into [`Glob`]s, regexes
//! compiled, conditions numbered so the evaluator keeps their results in a fixed bit set.
//!
//! The value semantics (the table of spec section 5.2) live here, in [`ValueTest::holds`], so
//! the fast scanner, the `serde_json::Value` fallback and space-delimited fields share them.

use memchr::memmem;
use regex::bytes::Regex;

use super::ast::{Ast, Atom, Expr, FieldExpr, Segment, SpaceField, Test, Value};
use super::error::{ErrorKind, PatternError};
use super::glob::Glob;
use super::lex::{CmpOp, Prefix};

/// Most conditions in one JSON pattern: the width of [`Bits`]. A 1024-character pattern holds
/// at most about 150 (`$.a=1||` is seven characters).
pub(crate) const MAX_CONDS: usize = 256;

/// A fixed-size bit set indexed by condition number; lives on the stack during evaluation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Bits([u64; MAX_CONDS / 64]);

impl Bits {
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }

    #[inline]
    pub fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
}

/// The compiled form of a pattern.
#[derive(Debug)]
pub(crate) enum Program {
    All,
    Terms(TermPlan),
    Json(JsonPlan),
    Space(SpacePlan),
}

/// Something to look for in a raw message.
#[derive(Debug)]
pub(crate) enum Needle {
    /// Occurs in every message: a whitespace-only or empty phrase (A4, A22).
    Always,
    Text(Box<memmem::Finder<'static>>),
    Regex(Regex),
}

impl Needle {
    pub fn occurs(&self, message: &[u8]) -> bool {
        match self {
            Needle::Always => true,
            Needle::Text(f) => f.find(message).is_some(),
            Needle::Regex(re) => re.is_match(message),
        }
    }
}

#[derive(Debug)]
pub(crate) struct TermPlan {
    pub include: Vec<Needle>,
    pub exclude: Vec<Needle>,
    pub optional: Vec<Needle>,
}

/// A JSON pattern: the selector trie, the conditions, and the boolean expression over them.
#[derive(Debug)]
pub(crate) struct JsonPlan {
    /// `nodes[0]` is the root `$`.
    pub nodes: Vec<TrieNode>,
    pub conds: Vec<ValueTest>,
    /// Conditions that hold when their bit is clear (`NOT EXISTS`: the bit records presence).
    pub invert: Bits,
    pub expr: BoolExpr,
}

/// One step of a selector. Values reached here are tested against `conds`.
#[derive(Debug, Default)]
pub(crate) struct TrieNode {
    /// Member names (decoded) and the node they lead to.
    pub keys: Vec<(Box<[u8]>, u32)>,
    pub indices: Vec<(usize, u32)>,
    pub wildcard: Option<u32>,
    pub conds: Vec<u16>,
}

/// `&&` / `||` over numbered conditions.
#[derive(Debug)]
pub(crate) enum BoolExpr {
    Cond(u16),
    All(Box<[BoolExpr]>),
    Any(Box<[BoolExpr]>),
}

impl BoolExpr {
    /// Evaluates with short-circuit; `cond(i)` tells whether condition `i` holds.
    pub fn eval(&self, cond: &mut impl FnMut(usize) -> bool) -> bool {
        match self {
            BoolExpr::Cond(i) => cond(*i as usize),
            BoolExpr::All(items) => items.iter().all(|e| e.eval(cond)),
            BoolExpr::Any(items) => items.iter().any(|e| e.eval(cond)),
        }
    }
}

/// A space-delimited pattern.
#[derive(Debug)]
pub(crate) struct SpacePlan {
    pub entries: Vec<SpaceEntry>,
    /// Position of the `...` entry, if any.
    pub ellipsis: Option<usize>,
    pub tests: Vec<ValueTest>,
}

#[derive(Debug)]
pub(crate) struct SpaceEntry {
    pub name: Option<Box<str>>,
    pub expr: Option<BoolExpr>,
}

/// A value a condition looks at. Strings are already decoded; numbers keep their JSON text.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Node<'v> {
    Str(&'v [u8]),
    Num(&'v [u8]),
    Bool(bool),
    Null,
    /// An array or object.
    Container,
}

/// What one condition checks on one value (spec section 5.2 table).
#[derive(Debug)]
pub(crate) enum ValueTest {
    /// `= "text"` / `!= text`: wildcard string equality.
    Glob {
        glob: Glob,
        negate: bool,
    },
    /// `= %re%` / `!= %re%`: unanchored search.
    Regex {
        re: Regex,
        negate: bool,
    },
    /// `= 400` / `!= 1.5e3`: numeric equality (A8: a string field equals the number when its
    /// text is the number's text or a plain decimal of the same value).
    NumEq {
        text: Box<[u8]>,
        value: f64,
        negate: bool,
    },
    /// `< > <= >=` against a number.
    NumCmp {
        op: CmpOp,
        value: f64,
    },
    IsTrue,
    IsFalse,
    IsNull,
    /// Records presence, for `NOT EXISTS` (which holds when the bit stays clear).
    Present,
}

impl ValueTest {
    /// Whether the test holds for `node`. Only strings and numbers are values for comparisons;
    /// booleans, null, arrays and objects fail them, `!=` included (A7, A10).
    pub fn holds(&self, node: Node<'_>) -> bool {
        match (self, node) {
            (ValueTest::Present, _) => true,
            (ValueTest::IsTrue, Node::Bool(b)) => b,
            (ValueTest::IsFalse, Node::Bool(b)) => !b,
            (ValueTest::IsNull, Node::Null) => true,
            // A9: a string (glob) against a number compares with the number's JSON text.
            (ValueTest::Glob { glob, negate }, Node::Str(s) | Node::Num(s)) => glob.is_match(s) != *negate,
            // A20: a regex against a number searches its JSON text.
            (ValueTest::Regex { re, negate }, Node::Str(s) | Node::Num(s)) => re.is_match(s) != *negate,
            (ValueTest::NumEq { value, negate, .. }, Node::Num(n)) => (json_number(n) == Some(*value)) != *negate,
            (ValueTest::NumEq { text, value, negate }, Node::Str(s)) => {
                (s == &text[..] || plain_decimal(s) == Some(*value)) != *negate
            }
            (ValueTest::NumCmp { op, value }, Node::Num(s)) => json_number(s).is_some_and(|n| compare(*op, n, *value)),
            (ValueTest::NumCmp { op, value }, Node::Str(s)) => {
                plain_decimal(s).is_some_and(|n| compare(*op, n, *value))
            }
            _ => false,
        }
    }
}

fn compare(op: CmpOp, a: f64, b: f64) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
    }
}

/// The value of a JSON number's text (A25: as f64). Out-of-range numbers such as `1e400`
/// become infinite; `serde_json` would refuse such a message, we keep it valid JSON (RFC 8259
/// sets no range) and compare.
pub(crate) fn json_number(text: &[u8]) -> Option<f64> {
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// The value of a string that is a plain decimal: `[+-]? digits ( . digits* )? | [+-]? . digits`,
/// no exponent ("Strings don't support scientific notation").
pub(crate) fn plain_decimal(s: &[u8]) -> Option<f64> {
    let body = match s.first() {
        Some(b'+' | b'-') => &s[1..],
        _ => s,
    };
    let (int, frac) = match body.iter().position(|&c| c == b'.') {
        Some(dot) => (&body[..dot], &body[dot + 1..]),
        None => (body, &body[..0]),
    };
    let all_digits = |p: &[u8]| p.iter().all(u8::is_ascii_digit);
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// Compiles a parsed pattern.
pub(crate) fn compile(ast: &Ast<'_>) -> Result<Program, PatternError> {
    Ok(match ast {
        Ast::All => Program::All,
        Ast::Terms(terms) => {
            let mut plan = TermPlan { include: vec![], exclude: vec![], optional: vec![] };
            for t in terms {
                let needle = match &t.atom {
                    // A4: a phrase of whitespace only occurs everywhere ("Match everything").
                    Atom::Text(s) if s.trim().is_empty() => Needle::Always,
                    Atom::Text(s) => Needle::Text(Box::new(memmem::Finder::new(s.as_bytes()).into_owned())),
                    Atom::Regex { body, offset } => Needle::Regex(super::regex::compile(body, *offset)?),
                };
                match t.prefix {
                    Prefix::Include => plan.include.push(needle),
                    Prefix::Exclude => plan.exclude.push(needle),
                    Prefix::Optional => plan.optional.push(needle),
                }
            }
            Program::Terms(plan)
        }
        Ast::Json(expr) => {
            let mut plan = JsonPlan {
                nodes: vec![TrieNode::default()],
                conds: vec![],
                invert: Bits::default(),
                expr: BoolExpr::Cond(0),
            };
            plan.expr = json_expr(expr, &mut plan)?;
            Program::Json(plan)
        }
        Ast::Space(entries) => {
            let mut plan = SpacePlan { entries: vec![], ellipsis: None, tests: vec![] };
            for (i, e) in entries.iter().enumerate() {
                match e {
                    SpaceField::Ellipsis => {
                        plan.ellipsis = Some(i);
                        plan.entries.push(SpaceEntry { name: None, expr: None });
                    }
                    SpaceField::Field { name, expr } => {
                        let expr = match expr {
                            Some(x) => Some(field_expr(x, &mut plan.tests)?),
                            None => None,
                        };
                        plan.entries.push(SpaceEntry { name: name.map(Into::into), expr });
                    }
                }
            }
            Program::Space(plan)
        }
    })
}

fn value_test(op: CmpOp, value: &Value<'_>) -> Result<ValueTest, PatternError> {
    let negate = op == CmpOp::Ne;
    Ok(match value {
        Value::Str(s) => ValueTest::Glob { glob: Glob::new(s), negate },
        Value::Regex { body, offset } => ValueTest::Regex { re: super::regex::compile(body, *offset)?, negate },
        Value::Number { text, value } => match op {
            CmpOp::Eq | CmpOp::Ne => ValueTest::NumEq { text: text.as_bytes().into(), value: *value, negate },
            _ => ValueTest::NumCmp { op, value: *value },
        },
    })
}

fn json_expr(expr: &Expr<'_>, plan: &mut JsonPlan) -> Result<BoolExpr, PatternError> {
    Ok(match expr {
        Expr::Or(items) => BoolExpr::Any(items.iter().map(|e| json_expr(e, plan)).collect::<Result<_, _>>()?),
        Expr::And(items) => BoolExpr::All(items.iter().map(|e| json_expr(e, plan)).collect::<Result<_, _>>()?),
        Expr::Cond(cond) => {
            let id = plan.conds.len();
            if id >= MAX_CONDS {
                let kind = ErrorKind::TooManyConditions { limit: MAX_CONDS };
                return Err(PatternError::new(cond.selector.span.clone(), kind));
            }
            let test = match &cond.test {
                Test::Cmp { op, value } => value_test(*op, value)?,
                Test::IsTrue => ValueTest::IsTrue,
                Test::IsFalse => ValueTest::IsFalse,
                Test::IsNull => ValueTest::IsNull,
                Test::NotExists => {
                    plan.invert.set(id);
                    ValueTest::Present
                }
            };
            plan.conds.push(test);
            let node = trie_insert(&mut plan.nodes, &cond.selector.segments);
            plan.nodes[node].conds.push(id as u16);
            BoolExpr::Cond(id as u16)
        }
    })
}

/// Adds a selector path to the trie and returns the node it ends at.
fn trie_insert(nodes: &mut Vec<TrieNode>, segments: &[Segment]) -> usize {
    let mut at = 0;
    for seg in segments {
        let existing = match seg {
            Segment::Key(k) => nodes[at].keys.iter().find(|(n, _)| **n == *k.as_bytes()).map(|e| e.1),
            Segment::Index(i) => nodes[at].indices.iter().find(|(n, _)| n == i).map(|e| e.1),
            Segment::Wildcard => nodes[at].wildcard,
        };
        at = match existing {
            Some(n) => n as usize,
            None => {
                let n = nodes.len() as u32;
                nodes.push(TrieNode::default());
                match seg {
                    Segment::Key(k) => nodes[at].keys.push((k.as_bytes().into(), n)),
                    Segment::Index(i) => nodes[at].indices.push((*i, n)),
                    Segment::Wildcard => nodes[at].wildcard = Some(n),
                }
                n as usize
            }
        };
    }
    at
}

fn field_expr(expr: &FieldExpr<'_>, tests: &mut Vec<ValueTest>) -> Result<BoolExpr, PatternError> {
    Ok(match expr {
        FieldExpr::Or(items) => BoolExpr::Any(items.iter().map(|e| field_expr(e, tests)).collect::<Result<_, _>>()?),
        FieldExpr::And(items) => BoolExpr::All(items.iter().map(|e| field_expr(e, tests)).collect::<Result<_, _>>()?),
        FieldExpr::Cmp { op, value } => {
            if tests.len() >= MAX_CONDS {
                let kind = ErrorKind::TooManyConditions { limit: MAX_CONDS };
                return Err(PatternError::at(0, kind));
            }
            tests.push(value_test(*op, value)?);
            BoolExpr::Cond((tests.len() - 1) as u16)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals() {
        assert_eq!(plain_decimal(b"050"), Some(50.0));
        assert_eq!(plain_decimal(b"-1.5"), Some(-1.5));
        assert_eq!(plain_decimal(b"5."), Some(5.0));
        assert_eq!(plain_decimal(b".5"), Some(0.5));
        for s in ["1e3", "", ".", "-", "1.2.3", " 1", "0x1", "inf"] {
            assert_eq!(plain_decimal(s.as_bytes()), None, "{s}");
        }
    }
}
