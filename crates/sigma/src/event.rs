//! The event rules are evaluated against: a borrowed view of one JSON object record.
//!
//! The sigma crate reads events itself rather than through a trait the caller implements:
//! Sigma names arbitrary dotted paths (`requestParameters.policyDocument`,
//! `responseElements.ConsoleLogin`), so the view needs every member, not a fixed set of fields.
//! One pass over the record indexes its top-level members (keys and raw value slices, into a
//! buffer reused from record to record); nested paths are followed from there, fanning out
//! over arrays. Nothing is decoded until a test asks for it.

use std::borrow::Cow;

use cwl_filter::json::{self, SyntaxError};

/// A dotted field name split once into its segments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldPath {
    name: String,
    segments: Vec<String>,
}

impl FieldPath {
    pub fn new(name: &str) -> FieldPath {
        FieldPath { name: name.to_string(), segments: name.split('.').map(str::to_string).collect() }
    }

    /// The name as the rule wrote it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The last segment: the key a record holding the field has.
    pub fn key(&self) -> &str {
        self.segments.last().map_or("", String::as_str)
    }
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

    /// The value as a number: a JSON number, or a string holding one.
    pub fn number(&self) -> Option<f64> {
        self.text()?.trim().parse().ok()
    }
}

/// The places of one record's top-level members (key and value ranges, and whether the key
/// holds an escape), reused from record to record by one thread.
#[derive(Debug, Default)]
pub struct Index {
    members: Vec<Member>,
}

/// One member: key start and end, value start and end; whether the key holds an escape.
#[derive(Debug, Clone, Copy)]
struct Member {
    at: [u32; 4],
    escaped: bool,
}

impl Index {
    /// Indexes the members of the object `raw`. Fails when `raw` is not a JSON object (or is
    /// 4 GiB or more). Values are skipped by bracket counting: the record's full syntax is not
    /// checked here.
    pub fn load<'a>(&'a mut self, raw: &'a [u8]) -> Result<Event<'a>, SyntaxError> {
        self.members.clear();
        let too_large = SyntaxError { offset: 0, reason: cwl_filter::json::Reason::Truncated };
        if u32::try_from(raw.len()).is_err() {
            return Err(too_large);
        }
        let members = &mut self.members;
        json::for_each_member(raw, 0, |key, start| -> Result<usize, SyntaxError> {
            let end = skip(raw, start)?;
            // The key is a subslice of raw: its offset is found from the pointers.
            let key_start = key.as_ptr() as usize - raw.as_ptr() as usize;
            let at = [key_start as u32, (key_start + key.len()) as u32, start as u32, end as u32];
            members.push(Member { at, escaped: memchr::memchr(b'\\', key).is_some() });
            Ok(end)
        })?;
        Ok(Event { raw, members: &self.members })
    }
}

/// One record, its top-level members indexed ([`Index::load`]).
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    raw: &'a [u8],
    members: &'a [Member],
}

impl<'a> Event<'a> {
    /// The record's bytes (keyword searches look at them).
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The top-level member `key` (the last one when repeated).
    pub fn top(&self, key: &str) -> Option<Value<'a>> {
        let raw = self.raw;
        self.members
            .iter()
            .rev()
            .find(|m| {
                let name = &raw[m.at[0] as usize..m.at[1] as usize];
                if m.escaped {
                    json::key_eq(name, key.as_bytes())
                } else {
                    name == key.as_bytes()
                }
            })
            .map(|m| Value(&raw[m.at[2] as usize..m.at[3] as usize]))
    }

    /// Calls `f` with each value at `path` (every element where the path crosses an array,
    /// and every element of an array found at its end) until `f` returns true; returns whether
    /// it did.
    pub fn any_value(&self, path: &FieldPath, f: &mut dyn FnMut(Value<'a>) -> bool) -> bool {
        let Some(first) = self.top(&path.segments[0]) else { return false };
        walk(first.0, &path.segments[1..], f)
    }

    /// Whether the field exists (whatever its value, null included).
    pub fn exists(&self, path: &FieldPath) -> bool {
        let Some(first) = self.top(&path.segments[0]) else { return false };
        reach(first.0, &path.segments[1..])
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
}

fn skip(raw: &[u8], start: usize) -> Result<usize, SyntaxError> {
    match raw.get(start) {
        Some(b'{' | b'[') => skip_container(raw, start),
        _ => json::skip_value(raw, start),
    }
}

/// Skips an object or array by counting brackets outside strings.
fn skip_container(raw: &[u8], start: usize) -> Result<usize, SyntaxError> {
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

/// The value of the member of object `raw` named `key` (the last one when repeated: the walk
/// stops at a match only when the rest of the object cannot spell the key again).
fn member<'a>(raw: &'a [u8], key: &str) -> Option<&'a [u8]> {
    let mut found = None;
    let _ = json::for_each_member(raw, 0, |k, start| -> Result<usize, SyntaxError> {
        let end = skip(raw, start)?;
        if json::key_eq(k, key.as_bytes()) {
            found = Some(&raw[start..end]);
            if !json::may_hold_key(&raw[end..], key.as_bytes()) {
                // Stops the walk; `found` holds the answer.
                return Err(SyntaxError { offset: end, reason: json::Reason::Truncated });
            }
        }
        Ok(end)
    });
    found
}

fn elements(raw: &[u8], mut f: impl FnMut(&[u8]) -> bool) -> bool {
    let mut hit = false;
    let _ = json::for_each_element(raw, 0, |_, start| -> Result<usize, SyntaxError> {
        let end = skip(raw, start)?;
        if !hit && f(&raw[start..end]) {
            hit = true;
        }
        Ok(end)
    });
    hit
}

fn walk<'a>(raw: &'a [u8], rest: &[String], f: &mut dyn FnMut(Value<'a>) -> bool) -> bool {
    match (raw.first(), rest.split_first()) {
        (Some(b'['), _) => {
            let mut hit = false;
            let _ = json::for_each_element(raw, 0, |_, start| -> Result<usize, SyntaxError> {
                let end = skip(raw, start)?;
                hit = hit || walk(&raw[start..end], rest, f);
                Ok(end)
            });
            hit
        }
        (_, None) => f(Value(raw)),
        (Some(b'{'), Some((key, rest))) => member(raw, key).is_some_and(|v| walk(v, rest, f)),
        _ => false,
    }
}

fn reach(raw: &[u8], rest: &[String]) -> bool {
    match (raw.first(), rest.split_first()) {
        (_, None) => true,
        (Some(b'['), _) => elements(raw, |e| reach(e, rest)),
        (Some(b'{'), Some((key, rest))) => member(raw, key).is_some_and(|v| reach(v, rest)),
        _ => false,
    }
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
        assert!(ev.any_value(&FieldPath::new("k"), &mut |v| v.number() == Some(2.0)));
        assert!(Index::default().load(b"[1]").is_err());
    }
}
