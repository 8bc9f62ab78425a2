//! Evaluation of a compiled [`Plan`] against one log event message, and extraction of field
//! values for metric transformations.
//!
//! JSON patterns walk the message bytes once, guided by the selector trie: members the pattern
//! names are descended into, everything else is skipped (and validated) without building
//! anything. Conditions record "some node satisfied me" in a stack bit set; the boolean
//! expression is evaluated at the end. Duplicate member names are the one case the walk does not
//! settle by itself (A25: the last one wins, as in `serde_json`): when a named member repeats,
//! the message is re-evaluated over a `serde_json::Value`. Under a wildcard (`.*`) every member
//! is visited, duplicates included (detecting those would need a set of names per object).

use std::borrow::Cow;

use super::ast::Segment;
use super::compile::{plain_decimal, Bits, JsonPlan, Node, Plan, SpacePlan, TermPlan, TrieNode};
use super::parse::SelectorAst;
use super::scan::{unescape, Invalid, Scanner};

/// A value extracted from a matching message (metric values and dimensions, spec section 7).
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'m> {
    /// A JSON number: its value and its text as written.
    Number {
        value: f64,
        text: &'m str,
    },
    /// A JSON string (decoded) or a space-delimited field.
    Text(Cow<'m, str>),
    Bool(bool),
    Null,
}

impl FieldValue<'_> {
    /// The numeric value: a JSON number, or text that is a plain decimal such as `"1534"` or
    /// `"2.5"` (no exponent: strings do not support scientific notation). None otherwise.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            FieldValue::Number { value, .. } => Some(*value),
            FieldValue::Text(t) => plain_decimal(t.as_bytes()),
            _ => None,
        }
    }

    /// The value as text, as a dimension value: numbers as written, `true`, `false`, `null`.
    pub fn as_text(&self) -> Cow<'_, str> {
        match self {
            FieldValue::Number { text, .. } => Cow::Borrowed(text),
            FieldValue::Text(t) => Cow::Borrowed(t),
            FieldValue::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            FieldValue::Null => Cow::Borrowed("null"),
        }
    }
}

pub(crate) fn matches(plan: &Plan, message: &[u8]) -> bool {
    match plan {
        Plan::All => true,
        Plan::Terms(t) => terms(t, message),
        Plan::Json(j) => json(j, message),
        Plan::Space(s) => space(s, message).is_some(),
    }
}

/// Spec section 3.2: with include or exclude terms, `?` terms are ignored.
fn terms(plan: &TermPlan, message: &[u8]) -> bool {
    if plan.include.is_empty() && plan.exclude.is_empty() {
        return plan.optional.is_empty() || plan.optional.iter().any(|n| n.occurs(message));
    }
    plan.include.iter().all(|n| n.occurs(message)) && !plan.exclude.iter().any(|n| n.occurs(message))
}

// ---- JSON ----

enum Stop {
    Invalid,
    /// A member the pattern names occurs twice in one object.
    Duplicate,
}

impl From<Invalid> for Stop {
    fn from(_: Invalid) -> Stop {
        Stop::Invalid
    }
}

fn json(plan: &JsonPlan, message: &[u8]) -> bool {
    let mut w = Walker { plan, s: Scanner::new(message), bits: Bits::default() };
    match w.document() {
        Ok(()) => {
            let bits = w.bits;
            plan.expr.eval(&mut |c| bits.get(c) != plan.invert.get(c))
        }
        Err(Stop::Invalid) => false,
        Err(Stop::Duplicate) => fallback(plan, message),
    }
}

struct Walker<'p, 'm> {
    plan: &'p JsonPlan,
    s: Scanner<'m>,
    bits: Bits,
}

impl Walker<'_, '_> {
    fn document(&mut self) -> Result<(), Stop> {
        self.s.ws();
        // A15 / the module contract: a JSON pattern only matches a JSON object.
        if self.s.peek() != Some(b'{') {
            return Err(Stop::Invalid);
        }
        self.walk(0)?;
        self.s.ws();
        if self.s.pos != self.s.b.len() {
            return Err(Stop::Invalid);
        }
        Ok(())
    }

    fn apply(&mut self, node: &TrieNode, value: Node<'_>) {
        apply(self.plan, &mut self.bits, node, value);
    }

    /// Walks the value at the cursor, reached through trie node `n`.
    fn walk(&mut self, n: u32) -> Result<(), Stop> {
        let plan = self.plan;
        let node = &plan.nodes[n as usize];
        self.s.ws();
        match self.s.peek() {
            Some(b'{') => {
                self.apply(node, Node::Container);
                if node.keys.is_empty() && node.wildcard.is_none() {
                    return Ok(self.s.skip_value()?);
                }
                self.s.enter()?;
                if self.s.empty(b'}') {
                    return Ok(());
                }
                let mut seen = Bits::default();
                loop {
                    self.s.ws();
                    let (key, escaped) = self.s.string()?;
                    self.s.expect(b':')?;
                    match find_key(node, key, escaped) {
                        Some((i, child)) => {
                            if seen.get(i) {
                                return Err(Stop::Duplicate);
                            }
                            seen.set(i);
                            let start = self.s.pos;
                            self.walk(child)?;
                            if let Some(w) = node.wildcard {
                                self.s.pos = start;
                                self.walk(w)?;
                            }
                        }
                        None => match node.wildcard {
                            Some(w) => self.walk(w)?,
                            None => self.s.skip_value()?,
                        },
                    }
                    if !self.s.next_or_close(b'}')? {
                        return Ok(());
                    }
                }
            }
            Some(b'[') => {
                self.apply(node, Node::Container);
                if node.indices.is_empty() && node.wildcard.is_none() {
                    return Ok(self.s.skip_value()?);
                }
                self.s.enter()?;
                if self.s.empty(b']') {
                    return Ok(());
                }
                let mut index = 0;
                loop {
                    let child = node.indices.iter().find(|(i, _)| *i == index).map(|e| e.1);
                    match (child, node.wildcard) {
                        (Some(c), Some(w)) => {
                            let start = self.s.pos;
                            self.walk(c)?;
                            self.s.pos = start;
                            self.walk(w)?;
                        }
                        (Some(c), None) | (None, Some(c)) => self.walk(c)?,
                        (None, None) => self.s.skip_value()?,
                    }
                    index += 1;
                    if !self.s.next_or_close(b']')? {
                        return Ok(());
                    }
                }
            }
            Some(b'"') => {
                let (raw, escaped) = self.s.string()?;
                if !node.conds.is_empty() {
                    let text: Cow<'_, [u8]> = if escaped { unescape(raw).into() } else { raw.into() };
                    self.apply(node, Node::Str(&text));
                }
                Ok(())
            }
            Some(b't') => {
                self.s.literal(b"true")?;
                self.apply(node, Node::Bool(true));
                Ok(())
            }
            Some(b'f') => {
                self.s.literal(b"false")?;
                self.apply(node, Node::Bool(false));
                Ok(())
            }
            Some(b'n') => {
                self.s.literal(b"null")?;
                self.apply(node, Node::Null);
                Ok(())
            }
            Some(b'-' | b'0'..=b'9') => {
                let text = self.s.number()?;
                self.apply(node, Node::Num(text));
                Ok(())
            }
            _ => Err(Stop::Invalid),
        }
    }
}

fn apply(plan: &JsonPlan, bits: &mut Bits, node: &TrieNode, value: Node<'_>) {
    for &c in &node.conds {
        let c = c as usize;
        if !bits.get(c) && plan.conds[c].holds(value) {
            bits.set(c);
        }
    }
}

/// The key child named `key` (raw JSON text) and its position among the node's keys.
#[inline]
fn find_key(node: &TrieNode, key: &[u8], escaped: bool) -> Option<(usize, u32)> {
    if node.keys.is_empty() {
        return None;
    }
    let decoded;
    let key = if escaped {
        decoded = unescape(key);
        &decoded[..]
    } else {
        key
    };
    node.keys.iter().position(|(k, _)| **k == *key).map(|i| (i, node.keys[i].1))
}

/// The same evaluation over a parsed `serde_json::Value`, in which the last of duplicate
/// members has won. Used when the fast walk meets a duplicate, and as a test oracle.
pub(crate) fn fallback(plan: &JsonPlan, message: &[u8]) -> bool {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(message) else {
        return false;
    };
    if !value.is_object() {
        return false;
    }
    let mut bits = Bits::default();
    walk_value(plan, &mut bits, 0, &value);
    plan.expr.eval(&mut |c| bits.get(c) != plan.invert.get(c))
}

fn walk_value(plan: &JsonPlan, bits: &mut Bits, n: u32, value: &serde_json::Value) {
    use serde_json::Value as V;
    let node = &plan.nodes[n as usize];
    match value {
        V::Object(map) => {
            apply(plan, bits, node, Node::Container);
            for (k, v) in map {
                if let Some((_, c)) = find_key(node, k.as_bytes(), false) {
                    walk_value(plan, bits, c, v);
                }
                if let Some(w) = node.wildcard {
                    walk_value(plan, bits, w, v);
                }
            }
        }
        V::Array(items) => {
            apply(plan, bits, node, Node::Container);
            for (i, v) in items.iter().enumerate() {
                if let Some(&(_, c)) = node.indices.iter().find(|(x, _)| *x == i) {
                    walk_value(plan, bits, c, v);
                }
                if let Some(w) = node.wildcard {
                    walk_value(plan, bits, w, v);
                }
            }
        }
        V::String(s) => apply(plan, bits, node, Node::Str(s.as_bytes())),
        // Without the original text, the number's shortest form stands in for it.
        V::Number(x) => apply(plan, bits, node, Node::Num(x.to_string().as_bytes())),
        V::Bool(b) => apply(plan, bits, node, Node::Bool(*b)),
        V::Null => apply(plan, bits, node, Node::Null),
    }
}

// ---- space-delimited ----

/// The message's fields: (content, start of the raw field) pairs, in order. A field in `[...]`
/// or `"..."` is one field without its delimiters.
fn fields(message: &[u8]) -> Vec<(&[u8], usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    let sep = |c: u8| c == b' ' || c == b'\t';
    while i < message.len() {
        if sep(message[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let close = match message[i] {
            b'[' => Some(b']'),
            b'"' => Some(b'"'),
            _ => None,
        };
        match close {
            Some(c) => {
                let end = memchr::memchr(c, &message[i + 1..]).map_or(message.len(), |e| i + 1 + e);
                out.push((&message[i + 1..end], start));
                i = end + 1;
            }
            None => {
                let end = message[i..].iter().position(|&c| sep(c)).map_or(message.len(), |e| i + e);
                out.push((&message[i..end], start));
                i = end;
            }
        }
    }
    out
}

/// Binds entries to fields (A16); returns each entry's value, or None when the message has too
/// few fields or a condition fails.
fn space<'m>(plan: &SpacePlan, message: &'m [u8]) -> Option<Vec<&'m [u8]>> {
    let fields = fields(message);
    let n = plan.entries.len();
    let k = fields.len();
    let mut values: Vec<&[u8]> = Vec::with_capacity(n);
    match plan.ellipsis {
        Some(e) => {
            if k < n - 1 {
                return None;
            }
            for i in 0..n {
                values.push(match i.cmp(&e) {
                    std::cmp::Ordering::Less => fields[i].0,
                    std::cmp::Ordering::Equal => &[],
                    std::cmp::Ordering::Greater => fields[k - (n - i)].0,
                });
            }
        }
        None => {
            if k < n {
                return None;
            }
            values.extend(fields[..n - 1].iter().map(|f| f.0));
            // Surplus fields are absorbed by the last entry, as raw text.
            let last = if k == n {
                fields[n - 1].0
            } else {
                let rest = &message[fields[n - 1].1..];
                let end = rest.iter().rposition(|&c| c != b' ' && c != b'\t').map_or(0, |e| e + 1);
                &rest[..end]
            };
            values.push(last);
        }
    }
    for (entry, value) in plan.entries.iter().zip(&values) {
        if let Some(expr) = &entry.expr {
            if !expr.eval(&mut |c| plan.tests[c].holds(Node::Str(value))) {
                return None;
            }
        }
    }
    Some(values)
}

// ---- extraction ----

pub(crate) fn extract<'m>(plan: &Plan, message: &'m [u8], selector: &SelectorAst) -> Option<FieldValue<'m>> {
    match (plan, selector) {
        (Plan::Json(_), SelectorAst::Path(path)) => {
            let mut s = Scanner::new(message);
            s.ws();
            if s.peek() != Some(b'{') {
                return None;
            }
            resolve(&mut s, &path.segments).ok().flatten()
        }
        (Plan::Space(sp), SelectorAst::Named(_) | SelectorAst::Position(_)) => {
            let i = space_index(sp, selector)?;
            let values = space(sp, message)?;
            Some(FieldValue::Text(String::from_utf8_lossy(values[i])))
        }
        _ => None,
    }
}

/// The entry a space-delimited selector refers to: `$name`, or `$N` counting from 1.
pub(crate) fn space_index(plan: &SpacePlan, selector: &SelectorAst) -> Option<usize> {
    match selector {
        SelectorAst::Named(name) => plan.entries.iter().position(|e| e.name.as_deref() == Some(name.as_str())),
        SelectorAst::Position(n) => (*n <= plan.entries.len() && Some(n - 1) != plan.ellipsis).then(|| n - 1),
        SelectorAst::Path(_) => None,
    }
}

/// The first scalar the path reaches from the value at the cursor (the last of duplicate
/// members; the first element under a wildcard that resolves). Arrays and objects give None.
fn resolve<'m>(s: &mut Scanner<'m>, path: &[Segment]) -> Result<Option<FieldValue<'m>>, Invalid> {
    s.ws();
    let Some(seg) = path.first() else {
        return Ok(match s.peek() {
            Some(b'"') => {
                let (raw, escaped) = s.string()?;
                let text = if escaped {
                    Cow::Owned(String::from_utf8(unescape(raw)).map_err(|_| Invalid)?)
                } else {
                    Cow::Borrowed(std::str::from_utf8(raw).map_err(|_| Invalid)?)
                };
                Some(FieldValue::Text(text))
            }
            Some(b'-' | b'0'..=b'9') => {
                let raw = s.number()?;
                let text = std::str::from_utf8(raw).map_err(|_| Invalid)?;
                Some(FieldValue::Number { value: text.parse().map_err(|_| Invalid)?, text })
            }
            Some(b't') => Some(FieldValue::Bool(true)),
            Some(b'f') => Some(FieldValue::Bool(false)),
            Some(b'n') => Some(FieldValue::Null),
            _ => None,
        });
    };
    let rest = &path[1..];
    match (s.peek(), seg) {
        (Some(b'{'), Segment::Key(name)) => {
            s.enter()?;
            let mut last = None;
            if !s.empty(b'}') {
                loop {
                    s.ws();
                    let (key, escaped) = s.string()?;
                    s.expect(b':')?;
                    let hit = if escaped { unescape(key) == name.as_bytes() } else { key == name.as_bytes() };
                    if hit {
                        s.ws();
                        last = Some(s.pos);
                    }
                    s.skip_value()?;
                    if !s.next_or_close(b'}')? {
                        break;
                    }
                }
            }
            match last {
                Some(at) => {
                    s.pos = at;
                    resolve(s, rest)
                }
                None => Ok(None),
            }
        }
        (Some(open @ (b'{' | b'[')), Segment::Wildcard | Segment::Index(_)) => {
            let object = open == b'{';
            if object && matches!(seg, Segment::Index(_)) {
                return Ok(None);
            }
            let close = if object { b'}' } else { b']' };
            s.enter()?;
            if s.empty(close) {
                return Ok(None);
            }
            let mut index = 0;
            loop {
                if object {
                    s.ws();
                    s.string()?;
                    s.expect(b':')?;
                }
                let wanted = match seg {
                    Segment::Index(i) => *i == index,
                    _ => true,
                };
                if wanted {
                    let mark = s.mark();
                    if let Some(v) = resolve(s, rest)? {
                        return Ok(Some(v));
                    }
                    s.reset(mark);
                }
                s.skip_value()?;
                index += 1;
                if !s.next_or_close(close)? {
                    return Ok(None);
                }
            }
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
pub(crate) fn oracle(plan: &Plan, message: &[u8]) -> Option<bool> {
    match plan {
        Plan::Json(j) => Some(fallback(j, message)),
        _ => None,
    }
}
