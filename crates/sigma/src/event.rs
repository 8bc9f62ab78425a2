//! The event rules are evaluated against: a borrowed view of one JSON object record.
//!
//! The sigma crate reads events itself rather than through a trait the caller implements:
//! Sigma names arbitrary dotted paths (`requestParameters.policyDocument`,
//! `responseElements.ConsoleLogin`), so the view needs every member, not a fixed set of fields.
//! One pass over the record indexes its top-level members (keys and raw value ranges, into
//! buffers reused from record to record). A nested object or array is indexed the same way the
//! first time a rule looks into it, and that index serves every other rule evaluated on the
//! record: with hundreds of rules reading `userIdentity.*` or `requestParameters.*`, each
//! container is walked once per record, not once per rule. Nothing is decoded until a test
//! asks for it.

use std::borrow::Cow;
use std::cell::RefCell;

use cwl_filter::json::{self, SyntaxError};

/// A dotted field name split once into its segments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldPath {
    name: String,
    segments: Vec<Key>,
}

impl FieldPath {
    pub fn new(name: &str) -> FieldPath {
        FieldPath { name: name.to_string(), segments: name.split('.').map(Key::new).collect() }
    }

    /// The name as the rule wrote it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The last segment: the key a record holding the field has.
    pub fn key(&self) -> &str {
        self.segments.last().map_or("", |k| k.text.as_str())
    }
}

/// One segment of a field name, with its [`fingerprint`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    text: String,
    print: u64,
}

impl Key {
    fn new(text: &str) -> Key {
        Key { text: text.to_string(), print: fingerprint(text.as_bytes()) }
    }

    /// Whether the unescaped member key `name` is this key.
    fn is(&self, name: &[u8], print: u64) -> bool {
        print == self.print && (name.len() < FINGERPRINTED || name == self.text.as_bytes())
    }
}

/// Bytes of a key its fingerprint holds: shorter keys are equal when their fingerprints are.
const FINGERPRINTED: usize = 8;

/// A key's length and first bytes in one word: looking a member up compares one word per
/// member, and whole keys only when those agree (CloudTrail has many keys of one length:
/// `eventName`, `eventTime`, `eventType`, `awsRegion`, `errorCode`).
fn fingerprint(key: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    let head = key.len().min(FINGERPRINTED - 1);
    word[..head].copy_from_slice(&key[..head]);
    print(u64::from_le_bytes(word), key.len())
}

/// The fingerprint of the key of `len` bytes at `start` of `raw` (as [`fingerprint`] makes
/// it), read as one word where the record holds eight bytes from there.
fn fingerprint_at(raw: &[u8], start: usize, len: usize) -> u64 {
    match raw.get(start..start + 8).and_then(|w| w.try_into().ok()) {
        Some(word) => print(u64::from_le_bytes(word), len),
        None => fingerprint(&raw[start..start + len]),
    }
}

/// A fingerprint: the first bytes of `head` (as many as the key has, up to seven) and the length.
fn print(head: u64, len: usize) -> u64 {
    let kept = len.min(FINGERPRINTED - 1);
    (head & ((1u64 << (8 * kept)) - 1)) | ((len.min(255) as u64) << 56)
}

/// One JSON value, raw (a string with its quotes).
#[derive(Debug, Clone, Copy)]
pub struct Value<'a>(pub &'a [u8]);

impl<'a> Value<'a> {
    pub fn is_null(&self) -> bool {
        self.0 == b"null"
    }

    /// The value as text: a string decoded; a number or boolean as written; `None` for null,
    /// objects and arrays.
    pub fn text(&self) -> Option<Cow<'a, str>> {
        match self.0.first()? {
            b'"' => {
                // Without escapes the text is the bytes between the quotes, borrowed.
                let content = self.0.get(1..self.0.len().saturating_sub(1)).unwrap_or_default();
                match std::str::from_utf8(content) {
                    Ok(text) if memchr::memchr(b'\\', content).is_none() && self.0.len() >= 2 => {
                        Some(Cow::Borrowed(text))
                    }
                    _ => json::str_value(self.0),
                }
            }
            b'{' | b'[' | b'n' => None,
            _ => std::str::from_utf8(self.0).ok().map(Cow::Borrowed),
        }
    }
}

/// Finds where the object or array starting at `pos` ends (the position after its closing
/// bracket), counting brackets outside strings; it need not check the syntax. The caller's
/// record reader may have a faster one than [`skip_container`].
pub type SkipContainer = fn(&[u8], usize) -> Result<usize, SyntaxError>;

/// The indexed containers of one record (its top-level object, and each nested object or
/// array a rule looked into), reused from record to record by one thread.
#[derive(Debug)]
pub struct Index {
    skip: SkipContainer,
    cache: RefCell<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    /// The members (or elements) of every container indexed, one container after another.
    members: Vec<Member>,
    /// The containers indexed so far: where each starts in the record, and its members.
    containers: Vec<Container>,
}

/// One member: key start and end (both 0 for an array element), value start and end; the
/// key's [`fingerprint`] and whether it holds an escape (its fingerprint is then not used).
#[derive(Debug, Clone, Copy)]
struct Member {
    at: [u32; 4],
    print: u64,
    escaped: bool,
}

impl Member {
    fn value(&self) -> (usize, usize) {
        (self.at[2] as usize, self.at[3] as usize)
    }
}

#[derive(Debug, Clone, Copy)]
struct Container {
    start: u32,
    from: u32,
    to: u32,
}

impl Default for Index {
    fn default() -> Index {
        Index::new(skip_container)
    }
}

impl Index {
    /// An index whose containers are skipped with `skip`.
    pub fn new(skip: SkipContainer) -> Index {
        Index { skip, cache: RefCell::default() }
    }

    /// Indexes the members of the object `raw`. Fails when `raw` is not a JSON object (or is
    /// 4 GiB or more). Values are skipped by bracket counting: the record's full syntax is not
    /// checked here.
    pub fn load<'a>(&'a mut self, raw: &'a [u8]) -> Result<Event<'a>, SyntaxError> {
        let cache = self.cache.get_mut();
        cache.members.clear();
        cache.containers.clear();
        if u32::try_from(raw.len()).is_err() {
            return Err(SyntaxError { offset: 0, reason: json::Reason::Truncated });
        }
        let top = json::skip_ws(raw, 0);
        if raw.get(top) != Some(&b'{') {
            return Err(SyntaxError { offset: top, reason: json::Reason::ExpectedObject });
        }
        index_container(cache, self.skip, raw, top)?;
        Ok(Event { raw, index: self, top })
    }
}

/// Indexes the object or array at `start` of `raw` into `cache`. On a syntax error the members
/// found before it stay indexed (and the error is returned).
///
/// The walk finds boundaries, it does not check the syntax (keys and strings are stepped over
/// by byte search): the reader checks every record that is used, as the query engine does.
fn index_container(cache: &mut Cache, skip: SkipContainer, raw: &[u8], start: usize) -> Result<(), SyntaxError> {
    let from = cache.members.len() as u32;
    let walked = walk_container(raw, start, skip, &mut cache.members);
    let to = cache.members.len() as u32;
    cache.containers.push(Container { start: start as u32, from, to });
    walked
}

fn walk_container(raw: &[u8], start: usize, skip: SkipContainer, members: &mut Vec<Member>) -> Result<(), SyntaxError> {
    let fail = |offset: usize, reason| Err(SyntaxError { offset: offset.min(raw.len()), reason });
    let object = match raw.get(start) {
        Some(b'{') => true,
        Some(b'[') => false,
        _ => return fail(start, json::Reason::ExpectedValue),
    };
    let (close, between) =
        if object { (b'}', json::Reason::ExpectedCommaOrBrace) } else { (b']', json::Reason::ExpectedCommaOrBracket) };
    let mut pos = json::skip_ws(raw, start + 1);
    if raw.get(pos) == Some(&close) {
        return Ok(());
    }
    loop {
        let mut key = [0u32; 2];
        let mut escaped = false;
        let mut print = 0;
        if object {
            if raw.get(pos) != Some(&b'"') {
                return fail(pos, json::Reason::ExpectedKey);
            }
            let end = string_end(raw, pos)?;
            key = [pos as u32 + 1, end as u32 - 1];
            let name = &raw[pos + 1..end - 1];
            escaped = memchr::memchr(b'\\', name).is_some();
            print = fingerprint_at(raw, pos + 1, name.len());
            pos = json::skip_ws(raw, end);
            if raw.get(pos) != Some(&b':') {
                return fail(pos, json::Reason::ExpectedColon);
            }
            pos = json::skip_ws(raw, pos + 1);
        }
        let end = match raw.get(pos) {
            Some(b'{' | b'[') => skip(raw, pos)?,
            Some(b'"') => string_end(raw, pos)?,
            _ => json::skip_value(raw, pos)?,
        };
        members.push(Member { at: [key[0], key[1], pos as u32, end as u32], print, escaped });
        pos = json::skip_ws(raw, end);
        match raw.get(pos) {
            Some(b',') => pos = json::skip_ws(raw, pos + 1),
            Some(&c) if c == close => return Ok(()),
            None => return fail(pos, json::Reason::Truncated),
            Some(_) => return fail(pos, between),
        }
    }
}

/// One record, its top-level members indexed ([`Index::load`]).
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    raw: &'a [u8],
    index: &'a Index,
    /// Where the record's object starts.
    top: usize,
}

impl<'a> Event<'a> {
    /// The record's bytes (keyword searches look at them).
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The members of the container at `start` (indexed now if no rule looked into it yet).
    fn members(&self, start: usize) -> (usize, usize) {
        let mut cache = self.index.cache.borrow_mut();
        let found = cache.containers.iter().rev().find(|c| c.start as usize == start).copied();
        let c = match found {
            Some(c) => c,
            None => {
                // A damaged container keeps the members before the damage, as a walk would find.
                let _ = index_container(&mut cache, self.index.skip, self.raw, start);
                cache.containers.last().copied().unwrap_or(Container { start: 0, from: 0, to: 0 })
            }
        };
        (c.from as usize, c.to as usize)
    }

    fn member_at(&self, i: usize) -> Member {
        self.index.cache.borrow().members[i]
    }

    /// The value of the member `key` of the object at `start` (the last one when repeated).
    fn member(&self, start: usize, key: &Key) -> Option<(usize, usize)> {
        let (from, to) = self.members(start);
        let cache = self.index.cache.borrow();
        let raw = self.raw;
        cache.members[from..to]
            .iter()
            .rev()
            .find(|m| {
                let name = &raw[m.at[0] as usize..m.at[1] as usize];
                if m.escaped {
                    json::key_eq(name, key.text.as_bytes())
                } else {
                    key.is(name, m.print)
                }
            })
            .map(Member::value)
    }

    /// Calls `f` with each top-level member, in order: its key as written (escapes undecoded)
    /// and its value.
    pub fn for_each_member(&self, f: &mut dyn FnMut(&'a [u8], &'a [u8])) {
        let (from, to) = self.members(self.top);
        for i in from..to {
            let at = self.member_at(i).at.map(|a| a as usize);
            f(&self.raw[at[0]..at[1]], &self.raw[at[2]..at[3]]);
        }
    }

    /// Calls `f` with each value at `path` (every element where the path crosses an array,
    /// and every element of an array found at its end) until `f` returns true; returns whether
    /// it did.
    pub fn any_value(&self, path: &FieldPath, f: &mut dyn FnMut(Value<'a>) -> bool) -> bool {
        let Some(first) = self.member(self.top, &path.segments[0]) else { return false };
        self.walk(first, &path.segments[1..], f)
    }

    /// Whether the field exists (whatever its value, null included).
    pub fn exists(&self, path: &FieldPath) -> bool {
        let Some(first) = self.member(self.top, &path.segments[0]) else { return false };
        self.reach(first, &path.segments[1..])
    }

    /// The first scalar value at `path`, as text (group-by keys, correlation fields).
    pub fn first_text(&self, path: &FieldPath) -> Option<Cow<'a, str>> {
        let mut found = None;
        self.any_value(path, &mut |v| {
            found = v.text();
            found.is_some()
        });
        found
    }

    /// Whether `f` holds for some element of the array at `start`.
    fn any_element(&self, start: usize, mut f: impl FnMut((usize, usize)) -> bool) -> bool {
        let (from, to) = self.members(start);
        (from..to).any(|i| f(self.member_at(i).value()))
    }

    fn walk(&self, (start, end): (usize, usize), rest: &[Key], f: &mut dyn FnMut(Value<'a>) -> bool) -> bool {
        match (self.raw.get(start), rest.split_first()) {
            (Some(b'['), _) => self.any_element(start, |v| self.walk(v, rest, f)),
            (_, None) => f(Value(&self.raw[start..end])),
            (Some(b'{'), Some((key, rest))) => self.member(start, key).is_some_and(|v| self.walk(v, rest, f)),
            _ => false,
        }
    }

    fn reach(&self, (start, _): (usize, usize), rest: &[Key]) -> bool {
        match (self.raw.get(start), rest.split_first()) {
            (_, None) => true,
            (Some(b'['), _) => self.any_element(start, |v| self.reach(v, rest)),
            (Some(b'{'), Some((key, rest))) => self.member(start, key).is_some_and(|v| self.reach(v, rest)),
            _ => false,
        }
    }
}

/// The position after the string whose opening quote is at `start`: its closing quote found
/// eight bytes at a time (CloudTrail's strings are mostly short, where this beats memchr's
/// setup), escapes stepped over, not checked (the reader checks every record that is used).
fn string_end(raw: &[u8], start: usize) -> Result<usize, SyntaxError> {
    let mut at = start + 1;
    loop {
        let hits = match raw.get(at..at + 8) {
            Some(word) => quote_or_backslash(u64::from_le_bytes(word.try_into().unwrap_or_default())),
            None => match raw.get(at) {
                Some(b'"') => return Ok(at + 1),
                Some(b'\\') => {
                    at += 2;
                    continue;
                }
                Some(_) => {
                    at += 1;
                    continue;
                }
                None => return Err(SyntaxError { offset: raw.len(), reason: json::Reason::Truncated }),
            },
        };
        if hits == 0 {
            at += 8;
            continue;
        }
        at += (hits.trailing_zeros() / 8) as usize;
        if raw[at] == b'"' {
            return Ok(at + 1);
        }
        at += 2;
    }
}

/// The high bit of every byte of `w` that is `"` or a backslash, and maybe of bytes above such
/// a byte (the "has zero byte" trick: the lowest bit set is exact).
fn quote_or_backslash(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & (ONES << 7);
    zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')))
}

/// Skips an object or array by counting brackets outside strings, a byte at a time (the
/// portable [`SkipContainer`]).
pub fn skip_container(raw: &[u8], start: usize) -> Result<usize, SyntaxError> {
    let mut depth = 0usize;
    let mut i = start;
    while i < raw.len() {
        match raw[i] {
            b'"' => i = json::skip_string(raw, i)? - 1,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    json::skip_value(raw, start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_paths_fan_out_over_arrays() {
        let raw = br#"{"a":{"b":[{"c":"x"},{"c":"Y"}],"n":null},"e":"\u0041","k":[1,2]}"#;
        let mut index = Index::default();
        let ev = index.load(raw).unwrap();
        let mut seen = Vec::new();
        ev.any_value(&FieldPath::new("a.b.c"), &mut |v| {
            seen.push(v.text().unwrap().into_owned());
            false
        });
        assert_eq!(seen, ["x", "Y"]);
        assert_eq!(ev.first_text(&FieldPath::new("e")).unwrap(), "A");
        assert!(ev.exists(&FieldPath::new("a.n")) && !ev.exists(&FieldPath::new("a.z")));
        assert!(ev.any_value(&FieldPath::new("k"), &mut |v| v.text().as_deref() == Some("2")));
        assert!(Index::default().load(b"[1]").is_err());
        let raw = br#"{"s":"a\"}\\","t":"\\","u":1}"#;
        let ev = index.load(raw).unwrap();
        assert_eq!(ev.first_text(&FieldPath::new("s")).unwrap(), r#"a"}\"#);
        assert_eq!(ev.first_text(&FieldPath::new("u")).unwrap(), "1");
        assert_eq!(string_end(br#""abc\"#, 0).unwrap_err().reason, json::Reason::Truncated);
        for (bad, reason) in [
            (&br#"{"a":1 "b":2}"#[..], json::Reason::ExpectedCommaOrBrace),
            (br#"{"a":1,"#, json::Reason::ExpectedKey),
            (br#"{"a" 1}"#, json::Reason::ExpectedColon),
            (br#"{"a":1"#, json::Reason::Truncated),
        ] {
            assert_eq!(Index::default().load(bad).unwrap_err().reason, reason, "{}", String::from_utf8_lossy(bad));
        }
        let spaced = br#" { "a" : [ 1 , {"b" : "c"} ] , "d":{ } } "#;
        let ev = index.load(spaced).unwrap();
        assert_eq!(ev.first_text(&FieldPath::new("a.b")).unwrap(), "c");
        assert!(ev.exists(&FieldPath::new("d")) && !ev.exists(&FieldPath::new("d.e")));
    }
}
