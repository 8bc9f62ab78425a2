//! Evaluation of a compiled [`Program`] against one log event message, and extraction of field
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
use super::compile::{plain_decimal, Bits, JsonPlan, Node, Program, SpacePlan, TermPlan, TrieNode};
use super::json::{decode, Reason, Scanner, SyntaxError};
use super::parse::SelectorAst;

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

pub(crate) fn matches(plan: &Program, message: &[u8]) -> bool {
    match plan {
        Program::All => true,
        Program::Terms(t) => terms(t, message),
        Program::Json(j) => json(j, message),
        Program::Space(s) => space(s, message).is_some(),
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

impl From<SyntaxError> for Stop {
    fn from(_: SyntaxError) -> Stop {
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
        let node = &self.plan.nodes[n as usize];
        self.s.ws();
        match self.s.peek() {
            Some(b'{') => self.object(node),
            Some(b'[') => self.array(node),
            Some(b'"') => {
                let (raw, escaped) = self.s.string()?;
                if !node.conds.is_empty() {
                    let text = if escaped { decode(raw) } else { Cow::Borrowed(raw) };
                    self.apply(node, Node::Str(&text));
                }
                Ok(())
            }
            Some(b't') => self.literal(node, b"true", Node::Bool(true)),
            Some(b'f') => self.literal(node, b"false", Node::Bool(false)),
            Some(b'n') => self.literal(node, b"null", Node::Null),
            Some(b'-' | b'0'..=b'9') => {
                let text = self.s.number()?;
                self.apply(node, Node::Num(text));
                Ok(())
            }
            _ => Err(Stop::Invalid),
        }
    }

    fn literal(&mut self, node: &TrieNode, text: &[u8], value: Node<'_>) -> Result<(), Stop> {
        self.s.literal(text)?;
        self.apply(node, value);
        Ok(())
    }

    /// The object at the cursor: named members are walked through their child (and the
    /// wildcard child, again from the same start), the others through the wildcard child or
    /// skipped. A named member seen twice stops the walk with [`Stop::Duplicate`] (A25).
    fn object(&mut self, node: &TrieNode) -> Result<(), Stop> {
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
            self.s.colon()?;
            match find_key(node, key, escaped) {
                Some((i, _)) if seen.get(i) => return Err(Stop::Duplicate),
                Some((i, child)) => {
                    seen.set(i);
                    self.walk_twice(child, node.wildcard)?;
                }
                None => self.walk_or_skip(node.wildcard)?,
            }
            if !self.s.next_or_close(b'}')? {
                return Ok(());
            }
        }
    }

    /// The array at the cursor: each element through its index child and the wildcard child.
    fn array(&mut self, node: &TrieNode) -> Result<(), Stop> {
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
            match node.indices.iter().find(|(i, _)| *i == index) {
                Some(&(_, child)) => self.walk_twice(child, node.wildcard)?,
                None => self.walk_or_skip(node.wildcard)?,
            }
            index += 1;
            if !self.s.next_or_close(b']')? {
                return Ok(());
            }
        }
    }

    /// Walks the value at the cursor through `child`, then again through `wildcard` if any.
    fn walk_twice(&mut self, child: u32, wildcard: Option<u32>) -> Result<(), Stop> {
        let start = self.s.pos;
        self.walk(child)?;
        if let Some(w) = wildcard {
            self.s.pos = start;
            self.walk(w)?;
        }
        Ok(())
    }

    fn walk_or_skip(&mut self, child: Option<u32>) -> Result<(), Stop> {
        match child {
            Some(c) => self.walk(c),
            None => Ok(self.s.skip_value()?),
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
    let key = if escaped { decode(key) } else { Cow::Borrowed(key) };
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

pub(crate) fn extract<'m>(plan: &Program, message: &'m [u8], selector: &SelectorAst) -> Option<FieldValue<'m>> {
    match (plan, selector) {
        (Program::Json(_), SelectorAst::Path(path)) => {
            let mut s = Scanner::new(message);
            s.ws();
            if s.peek() != Some(b'{') {
                return None;
            }
            resolve(&mut s, &path.segments).ok().flatten()
        }
        (Program::Space(sp), SelectorAst::Named(_) | SelectorAst::Position(_)) => {
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
fn resolve<'m>(s: &mut Scanner<'m>, path: &[Segment]) -> Result<Option<FieldValue<'m>>, SyntaxError> {
    s.ws();
    let Some((seg, rest)) = path.split_first() else {
        return scalar(s);
    };
    match (s.peek(), seg) {
        (Some(b'{'), Segment::Key(name)) => match last_member(s, name.as_bytes())? {
            Some(at) => {
                s.pos = at;
                resolve(s, rest)
            }
            None => Ok(None),
        },
        (Some(b'{'), Segment::Wildcard) => first_resolving(s, b'}', None, rest),
        (Some(b'['), Segment::Wildcard) => first_resolving(s, b']', None, rest),
        (Some(b'['), Segment::Index(i)) => first_resolving(s, b']', Some(*i), rest),
        _ => Ok(None),
    }
}

/// The scalar at the cursor, checked; None for an array or object.
fn scalar<'m>(s: &mut Scanner<'m>) -> Result<Option<FieldValue<'m>>, SyntaxError> {
    let at = s.pos;
    let utf8 = |_| SyntaxError { offset: at, reason: Reason::InvalidUtf8 };
    Ok(match s.peek() {
        Some(b'"') => {
            let (raw, escaped) = s.string()?;
            let text = match if escaped { decode(raw) } else { Cow::Borrowed(raw) } {
                Cow::Borrowed(b) => Cow::Borrowed(std::str::from_utf8(b).map_err(utf8)?),
                Cow::Owned(v) => Cow::Owned(String::from_utf8(v).map_err(|e| utf8(e.utf8_error()))?),
            };
            Some(FieldValue::Text(text))
        }
        Some(b'-' | b'0'..=b'9') => {
            let text = std::str::from_utf8(s.number()?).map_err(utf8)?;
            let bad = |_| SyntaxError { offset: at, reason: Reason::BadNumber };
            Some(FieldValue::Number { value: text.parse().map_err(bad)?, text })
        }
        Some(b't') => Some(FieldValue::Bool(true)),
        Some(b'f') => Some(FieldValue::Bool(false)),
        Some(b'n') => Some(FieldValue::Null),
        _ => None,
    })
}

/// Walks the object at the cursor (checking it) and returns where the value of its last
/// member named `name` starts; the cursor ends after the object.
fn last_member(s: &mut Scanner<'_>, name: &[u8]) -> Result<Option<usize>, SyntaxError> {
    s.enter()?;
    let mut last = None;
    if s.empty(b'}') {
        return Ok(None);
    }
    loop {
        s.ws();
        let (key, escaped) = s.string()?;
        s.colon()?;
        if (if escaped { decode(key) } else { Cow::Borrowed(key) }) == name {
            s.ws();
            last = Some(s.pos);
        }
        s.skip_value()?;
        if !s.next_or_close(b'}')? {
            return Ok(last);
        }
    }
}

/// The first value of the container at the cursor (closing with `close`; only the element at
/// `index` when given) from which `rest` resolves.
fn first_resolving<'m>(
    s: &mut Scanner<'m>,
    close: u8,
    index: Option<usize>,
    rest: &[Segment],
) -> Result<Option<FieldValue<'m>>, SyntaxError> {
    s.enter()?;
    if s.empty(close) {
        return Ok(None);
    }
    let mut i = 0;
    loop {
        if close == b'}' {
            s.ws();
            s.string()?;
            s.colon()?;
        }
        if index.is_none_or(|want| want == i) {
            let mark = s.mark();
            if let Some(v) = resolve(s, rest)? {
                return Ok(Some(v));
            }
            s.reset(mark);
        }
        s.skip_value()?;
        i += 1;
        if !s.next_or_close(close)? {
            return Ok(None);
        }
    }
}

#[cfg(test)]
pub(crate) fn oracle(plan: &Program, message: &[u8]) -> Option<bool> {
    match plan {
        Program::Json(j) => Some(fallback(j, message)),
        _ => None,
    }
}
