//! Reading one log file (or standard input) into CloudTrail records, borrowed from one buffer.
//!
//! [`Reader::load`] reads a file into a reused buffer and inflates it when it starts with the
//! gzip magic (every member, as `zcat` does); [`split`] then walks the bytes and hands out each
//! record's exact bytes with its ordinal. It accepts every shape users hold, in any sequence
//! of top-level JSON values (so concatenated files on stdin work too):
//!
//! - `{"Records":[...]}` as CloudTrail delivers it: each element of `Records`;
//! - a bare array of events (LookupEvents style, Grimoire): each element;
//! - JSON lines, one event per line (or any whitespace-separated events): each object;
//! - `aws cloudtrail lookup-events` output (`{"Events":[{"CloudTrailEvent":"{...}"}]}`, or the
//!   array of `--query Events`): the decoded `CloudTrailEvent` string, or the element itself
//!   when it holds no such string;
//! - wrappers that carry one CloudTrail event in an `event` or `detail` object (EventBridge's
//!   "AWS API Call via CloudTrail", exports that add the page an event came from): the inner
//!   object, when it has an `eventName` and the wrapper has none of its own.
//!
//! Whether a record is a CloudTrail event at all is decided when it is used ([`admit`]).
//!
//! Digests are recognized (by name: [`is_digest_name`]; by content: a top-level object with
//! `digestS3Object` or `logFiles` and no `Records`) and yield no records.
//! [`view::EventView`] reads the few fields a query needs from a record; [`event_text`] gives
//! the record as CloudWatch Logs would receive it.
//!
//! # What is checked where
//!
//! What a valid record is, is written once: the contract of [`cwl_filter::json`] (UTF-8
//! validated, no raw control characters in strings, nesting at most 127 deep, the last of
//! duplicate members wins), and a record must moreover be an object ([`check_json`]). It is
//! applied in three places, each checking something stated:
//!
//! - [`split`] checks the file's outer structure with that reader (the top-level values, the
//!   `Records` or `Events` array and its separators, lookup-events wrappers) and finds each
//!   record's end with the bracket counter of `fast.rs`, which decides boundaries only, never
//!   validity: most records of a selective query are never looked at.
//! - [`EventView::parse`] and [`lookup`] check the members they walk through (keys,
//!   separators, scalars) and skip nested containers by bracket counting.
//! - Every record that is used (printed or counted by `query`, replayed into a metric,
//!   emitted by `filter`; an exporter must do the same) is checked in full with [`check_json`]
//!   once, when it is selected; a record
//!   that fails is not used but reported by the scan engine as a record that is not valid,
//!   with its [`SyntaxError`] (offset and [`Reason`]). A record that a visitor passes over
//!   unread (the byte prefilter, a predicate that does not hold) is not checked, and so not
//!   reported. A JSON filter pattern walks with the same reader, so it matches only valid
//!   records: a record `query` prints is one `--where` can match.

mod fast;
pub mod view;

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use crate::budget::Share;
use crate::gz::{self, InflateError, Inflater};
use cwl_filter::json;
pub use cwl_filter::json::{Reason, SyntaxError};
pub use view::{EventView, Identity};

/// Why a file yielded no (or not all of its) records.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("gzip: {0}")]
    Gzip(#[from] InflateError),
    #[error("not valid JSON: {0}")]
    Syntax(#[from] SyntaxError),
    /// Valid JSON that holds no CloudTrail records (e.g. a top-level number or string).
    #[error("not CloudTrail records: {0}")]
    NotRecords(&'static str),
    /// Bytes after the intact first gzip member(s) could not be inflated; what came before
    /// them was read.
    #[error("gzip: {0} after {1} intact bytes (the records before the damage were read)")]
    TrailingDamage(InflateError, usize),
    /// The file is larger than the reader's per-file limit (bytes), as stored or inflated.
    #[error("larger than the per-file limit of {} MiB", limit >> 20)]
    TooLarge { limit: usize },
    /// A line of a stream read line by line is longer than the per-file limit (bytes).
    #[error("a line is longer than the per-file limit of {} MiB", limit >> 20)]
    LineTooLong { limit: usize },
}

impl RecordError {
    /// The kind of failure as a key of the JSON statistics record (`too_large`, `gzip`...).
    pub fn key(&self) -> &'static str {
        match self {
            RecordError::Io(_) => "io",
            RecordError::Gzip(_) => "gzip",
            RecordError::Syntax(_) => "not_json",
            RecordError::NotRecords(_) => "not_records",
            RecordError::TrailingDamage(..) => "trailing_damage",
            RecordError::TooLarge { .. } => "too_large",
            RecordError::LineTooLong { .. } => "line_too_long",
        }
    }
}

/// What [`split`] found in a file that it could read to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// This many records were handed to the visitor (possibly zero: an empty array or file).
    Records(u64),
    /// A digest file: skipped, no records.
    Digest,
}

/// Whether a file name is a CloudTrail digest's (`..._CloudTrail-Digest_...`).
pub fn is_digest_name(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().contains("_CloudTrail-Digest_"))
}

/// Reads files and standard input into reused buffers, inflating gzip; one per worker thread.
/// A file larger than the reader's limit, as stored or once inflated, is refused before it is
/// allocated ([`RecordError::TooLarge`]). With a [`Share`] of a memory budget, the reader asks
/// it before its buffers grow and gives memory back after a large file ([`Reader::settle`]), so
/// what all readers hold together stays under the budget.
pub struct Reader {
    inflater: Inflater,
    raw: Vec<u8>,
    inflated: Vec<u8>,
    limit: usize,
    share: Option<Share>,
    /// Damage after an intact part of the last file loaded ([`Reader::take_damage`]).
    damage: Option<RecordError>,
}

impl Default for Reader {
    fn default() -> Reader {
        Reader::with_limit(gz::MAX_INFLATED)
    }
}

/// How much of a file of unknown size is read at a time (stdin, a FIFO, a sparse file).
const READ_STEP: usize = 1 << 20;

impl Reader {
    pub fn new() -> Reader {
        Reader::default()
    }

    /// A reader that refuses files over `limit` bytes, stored or inflated.
    pub fn with_limit(limit: usize) -> Reader {
        Reader {
            inflater: Inflater::with_limit(limit),
            raw: Vec::new(),
            inflated: Vec::new(),
            limit,
            share: None,
            damage: None,
        }
    }

    /// A reader that refuses files over `limit` bytes and keeps within its `share` of a budget.
    pub fn with_budget(limit: usize, share: Share) -> Reader {
        Reader { share: Some(share), ..Reader::with_limit(limit) }
    }

    /// Bytes held by the reader's buffers.
    fn held(&self) -> usize {
        self.raw.capacity() + self.inflated.capacity() + self.inflater.capacity()
    }

    /// Reads `path` (`None`: standard input) and returns its bytes, inflated when they start
    /// with the gzip magic. The slice is valid until the next call. The size is checked as the
    /// bytes arrive, so a sparse file or a device that claims little and gives much is refused too.
    /// When gzip members are followed by bytes that do not inflate, the intact members are
    /// returned and the damage is kept for [`Reader::take_damage`].
    pub fn load(&mut self, path: Option<&Path>) -> Result<&[u8], RecordError> {
        self.raw.clear();
        self.damage = None;
        match path {
            Some(path) => {
                let file = std::fs::File::open(path)?;
                let claimed = file.metadata().map_or(0, |meta| meta.len());
                if claimed > self.limit as u64 {
                    return Err(RecordError::TooLarge { limit: self.limit });
                }
                self.read_all(file, claimed as usize)?;
            }
            None => self.read_all(std::io::stdin().lock(), 0)?,
        }
        self.decode()
    }

    /// Reads a stream to its end, as [`Reader::load`] reads a file.
    pub fn load_from(&mut self, from: impl Read) -> Result<&[u8], RecordError> {
        self.raw.clear();
        self.damage = None;
        self.read_all(from, 0)?;
        self.decode()
    }

    /// Reads `from` to its end into `raw`, `expected` bytes at first, then a step at a time,
    /// each growth asked of the budget; more than the limit is refused.
    fn read_all(&mut self, mut from: impl Read, expected: usize) -> Result<(), RecordError> {
        let mut want = expected.max(1);
        loop {
            if self.raw.capacity() - self.raw.len() < want {
                let more = self.raw.len() + want - self.raw.capacity();
                if !self.may_grow(more) {
                    return Err(RecordError::TooLarge { limit: self.limit });
                }
                self.raw.reserve_exact(want);
            }
            let room = self.raw.capacity() - self.raw.len();
            let before = self.raw.len();
            (&mut from).take(room as u64).read_to_end(&mut self.raw)?;
            if self.raw.len() > self.limit {
                return Err(RecordError::TooLarge { limit: self.limit });
            }
            if self.raw.len() - before < room {
                return Ok(());
            }
            want = READ_STEP.min(self.limit + 1 - self.raw.len()).max(1);
        }
    }

    /// Asks the budget (if any) whether the reader may hold `extra` more bytes.
    fn may_grow(&mut self, extra: usize) -> bool {
        let held = self.held();
        self.share.as_mut().is_none_or(|share| share.grow_to(held + extra))
    }

    /// Gives back the memory held above the budget's allowance after a large file, so that the
    /// next reader may use the budget's lane. Call when done with the last file's bytes.
    pub fn settle(&mut self) {
        let Some(share) = &mut self.share else { return };
        let allowance = share.allowance();
        if self.held() > allowance {
            // Keep what fits the allowance, largest buffers first given up.
            self.inflated = Vec::new();
            let raw = allowance / 4;
            self.raw.truncate(raw);
            self.raw.shrink_to(raw);
            self.inflater.shrink_to(allowance - self.raw.capacity().min(allowance));
        }
        let held = self.held();
        if let Some(share) = &mut self.share {
            share.settle(held);
        }
    }

    /// The damage found after an intact part of the last file loaded, if any.
    pub fn take_damage(&mut self) -> Option<RecordError> {
        self.damage.take()
    }

    /// Uses `bytes` as the file's content (inflating gzip), as [`Reader::load`] does.
    pub fn load_bytes(&mut self, bytes: &[u8]) -> Result<&[u8], RecordError> {
        self.raw.clear();
        self.damage = None;
        self.raw.extend_from_slice(bytes);
        self.decode()
    }

    fn decode(&mut self) -> Result<&[u8], RecordError> {
        if !gz::is_gzip(&self.raw) {
            return Ok(&self.raw);
        }
        // A single member (every CloudTrail file) is inflated once, in the reused buffer; only a
        // concatenation (`cat a.gz b.gz`) is read again member by member, by a second inflater
        // because the first one's buffer is lent out by the early return. Every growth is asked
        // of the budget, with what the other buffers hold.
        let Reader { inflater, raw, inflated, share, limit, damage } = self;
        let outside = raw.capacity() + inflated.capacity();
        let mut held = outside + inflater.capacity();
        let mut may_grow = |extra: usize| {
            held += extra;
            share.as_mut().is_none_or(|share| share.grow_to(held))
        };
        let member = inflater.first_member_within(raw, &mut may_grow)?;
        if raw[member.consumed..].iter().all(|&b| b == 0) {
            return Ok(member.data);
        }
        inflated.clear();
        if let Err(e) = Inflater::with_limit(*limit).all_members(raw, inflated, &mut may_grow) {
            if inflated.is_empty() {
                return Err(e.into());
            }
            *damage = Some(RecordError::TrailingDamage(e, inflated.len()));
        }
        Ok(inflated)
    }
}

/// Calls `visit(raw, ordinal)` for every record of `data`, in file order (see the module doc
/// for the shapes), reading each byte once. `scratch` holds decoded `CloudTrailEvent` strings.
/// Records before a syntax error have been visited when the error is returned. The records
/// are not checked (see the module doc): a visitor checks those it uses with [`check_json`].
pub fn split(data: &[u8], scratch: &mut Vec<u8>, mut visit: impl FnMut(&[u8], u64)) -> Result<Content, RecordError> {
    let mut count = 0u64;
    let mut emit = |raw: &[u8]| {
        visit(raw, count);
        count += 1;
    };
    let mut pos = json::skip_ws(data, 0);
    if data[pos..].starts_with(b"\xEF\xBB\xBF") {
        pos = json::skip_ws(data, pos + 3);
    }
    let mut digest = false;
    while pos < data.len() {
        match data[pos] {
            b'{' => {
                let mut records = false;
                let mut digest_keys = false;
                let mut named = false;
                let mut wrapped: Option<(usize, usize)> = None;
                let end = json::for_each_member(data, pos, |key, start| -> Result<usize, RecordError> {
                    if key == b"Records" && data.get(start) == Some(&b'[') {
                        records = true;
                        return records_array(data, start, &mut emit);
                    }
                    if key == b"Events" && data.get(start) == Some(&b'[') {
                        records = true;
                        return lookup_events(data, start, scratch, &mut emit);
                    }
                    if key == b"digestS3Object" || key == b"logFiles" {
                        digest_keys = true;
                    }
                    named |= key == b"eventName";
                    let end = skip_any(data, start)?;
                    // Only a wrapped CloudTrail event (it names its API) is unwrapped: an
                    // application log with a `detail` object stays one message.
                    if (key == b"event" || key == b"detail") && lookup(&data[start..end], &["eventName"]).is_some() {
                        wrapped = Some((start, end));
                    }
                    Ok(end)
                })?;
                if !records {
                    match (digest_keys, wrapped) {
                        (true, _) => digest = true,
                        // A wrapper that carries an event: `{"detail": {...}}` (EventBridge's
                        // "AWS API Call via CloudTrail"), `{"event": {...}, ...}`.
                        (false, Some((start, inner_end))) if !named => emit(&data[start..inner_end]),
                        (false, _) => emit(&data[pos..end]),
                    }
                }
                pos = end;
            }
            b'[' => pos = lookup_events(data, pos, scratch, &mut emit)?,
            _ => {
                json::skip_value(data, pos)?;
                return Err(RecordError::NotRecords("a top-level value is neither an object nor an array"));
            }
        }
        pos = json::skip_ws(data, pos);
    }
    Ok(if digest && count == 0 { Content::Digest } else { Content::Records(count) })
}

/// Skips the value at `pos` without checking the syntax inside objects and arrays (the fast
/// bracket counter); scalars are checked. Records are split and read this way; a record is
/// validated in full (see [`check_json`]) only when it is going to be used.
pub fn skip_lenient(data: &[u8], pos: usize) -> Result<usize, SyntaxError> {
    match data.get(pos) {
        Some(b'{' | b'[') => fast::skip_container(data, pos),
        _ => json::skip_value(data, pos),
    }
}

/// Why a record read from a file is not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// It breaks the JSON contract ([`check_json`]).
    #[error("{0}")]
    Invalid(SyntaxError),
    /// Valid JSON, but not a CloudTrail event ([`is_event`]): a detection-test index line, an
    /// export's metadata, a document of another tool.
    #[error("not a CloudTrail event")]
    NotEvent,
}

impl From<SyntaxError> for Refusal {
    fn from(e: SyntaxError) -> Refusal {
        Refusal::Invalid(e)
    }
}

/// Whether a record is a CloudTrail event: it names an API call, a console sign-in or a service
/// event (string `eventSource` and `eventName`), or it is an Insights event (an
/// `insightDetails` object). Nothing else is required: tools that forward events rename or drop
/// fields (Logstash moves `eventTime` to `@timestamp`; documentation examples omit `eventID`).
pub fn is_event(view: &EventView<'_>) -> bool {
    let string = |v: Option<&[u8]>| v.is_some_and(|v| v.first() == Some(&b'"'));
    (string(view.event_source) && string(view.event_name))
        || view.insight_details.is_some_and(|v| v.first() == Some(&b'{'))
}

/// The check every record passes before it is used (printed, counted, replayed): it is valid
/// ([`check_json`]) and a CloudTrail event ([`is_event`]). `view` is the record's view.
pub fn admit(raw: &[u8], view: &EventView<'_>) -> Result<(), Refusal> {
    check_json(raw)?;
    if !is_event(view) {
        return Err(Refusal::NotEvent);
    }
    Ok(())
}

/// [`EventView::parse`] then [`admit`], for a record whose top-level members another walk
/// found (`members`, as [`EventView::from_members`] takes them): the same view, or the same
/// refusal. The record is checked first, so that its members are walked again only when it
/// is refused (to report what `parse` would have found first).
pub fn admit_members<'a>(
    raw: &'a [u8],
    members: impl FnOnce(&mut dyn FnMut(&'a [u8], &'a [u8])),
) -> Result<EventView<'a>, Refusal> {
    if let Err(invalid) = check_json(raw) {
        EventView::parse(raw)?;
        return Err(invalid.into());
    }
    let view = EventView::from_members(members);
    if !is_event(&view) {
        return Err(Refusal::NotEvent);
    }
    Ok(view)
}

/// Checks a record against the contract: a JSON object (surrounding whitespace allowed) that
/// is valid JSON as [`cwl_filter::json`] defines it.
pub fn check_json(raw: &[u8]) -> Result<(), SyntaxError> {
    let start = json::skip_ws(raw, 0);
    if raw.get(start) != Some(&b'{') {
        return Err(SyntaxError { offset: start, reason: Reason::ExpectedObject });
    }
    json::validate(raw)
}

/// Follows a path of object keys (and array indices, as decimal segments) from the value `raw`;
/// returns the slice of the value found. Among duplicate members the last wins (the
/// contract's rule). Values passed over are skipped by bracket counting, not checked.
pub fn lookup<'a, S: AsRef<str>>(raw: &'a [u8], path: &[S]) -> Option<&'a [u8]> {
    path.iter().try_fold(raw, |cur, seg| match cur.first()? {
        b'{' => member(cur, seg.as_ref().as_bytes()),
        b'[' => element(cur, seg.as_ref().parse().ok()?),
        _ => None,
    })
}

/// Why a walk for one member or element ended before the container's end.
enum Early {
    Syntax,
    /// What was looked for is known.
    Done,
}

impl From<SyntaxError> for Early {
    fn from(_: SyntaxError) -> Early {
        Early::Syntax
    }
}

/// The value of the last member named `key` of the object `obj`. The walk stops at a match
/// when the bytes after it cannot hold the key again ([`may_hold_key`]).
fn member<'a>(obj: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut found = None;
    let walk = json::for_each_member(obj, 0, |k, start| -> Result<usize, Early> {
        let end = skip_lenient(obj, start)?;
        if json::key_eq(k, key) {
            found = Some(&obj[start..end]);
            if !json::may_hold_key(&obj[end..], key) {
                return Err(Early::Done);
            }
        }
        Ok(end)
    });
    match walk {
        Ok(_) | Err(Early::Done) => found,
        Err(Early::Syntax) => None,
    }
}

/// The element at `index` of the array `array`.
fn element(array: &[u8], index: usize) -> Option<&[u8]> {
    let mut found = None;
    let walk = json::for_each_element(array, 0, |i, start| -> Result<usize, Early> {
        let end = skip_lenient(array, start)?;
        if i == index {
            found = Some(&array[start..end]);
            return Err(Early::Done);
        }
        Ok(end)
    });
    match walk {
        Ok(_) | Err(Early::Done) => found,
        Err(Early::Syntax) => None,
    }
}

fn skip_any(data: &[u8], pos: usize) -> Result<usize, RecordError> {
    Ok(skip_lenient(data, pos)?)
}

/// Emits each element of the array at `pos` (a `Records` array); returns the array's end.
fn records_array(data: &[u8], pos: usize, emit: &mut impl FnMut(&[u8])) -> Result<usize, RecordError> {
    json::for_each_element(data, pos, |_, start| -> Result<usize, RecordError> {
        let end = skip_any(data, start)?;
        emit(&data[start..end]);
        Ok(end)
    })
}

/// Emits each element of the array at `pos`; an element object holding a `CloudTrailEvent`
/// string is replaced by that string, decoded (lookup-events output). Returns the array's end.
fn lookup_events(
    data: &[u8],
    pos: usize,
    scratch: &mut Vec<u8>,
    emit: &mut impl FnMut(&[u8]),
) -> Result<usize, RecordError> {
    json::for_each_element(data, pos, |_, start| -> Result<usize, RecordError> {
        let end = skip_any(data, start)?;
        let raw = &data[start..end];
        match cloudtrail_event(raw) {
            Some(encoded) => {
                scratch.clear();
                json::unescape(encoded, scratch);
                emit(scratch);
            }
            None => emit(raw),
        }
        Ok(end)
    })
}

/// The content (between the quotes) of the `CloudTrailEvent` string member of the object
/// `raw`, the last one if repeated; None when there is none or `raw` is not a readable object.
fn cloudtrail_event(raw: &[u8]) -> Option<&[u8]> {
    if raw.first() != Some(&b'{') {
        return None;
    }
    let mut found = None;
    json::for_each_member(raw, 0, |key, start| -> Result<usize, SyntaxError> {
        let end = skip_lenient(raw, start)?;
        if key == b"CloudTrailEvent" && raw[start] == b'"' {
            found = Some(&raw[start + 1..end - 1]);
        }
        Ok(end)
    })
    .ok()?;
    found
}

/// Whether `data` looks like the outline of a JSON document: it starts with `{` or `[` and
/// ends with `}` or `]` (whitespace aside). A cheap check for files that are not split.
pub fn outline_ok(data: &[u8]) -> Result<(), RecordError> {
    let start = json::skip_ws(data, 0);
    let first = data.get(start).copied();
    let last = data.iter().rev().find(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t')).copied();
    match (first, last) {
        (None, _) => Ok(()),
        (Some(b'{' | b'['), Some(b'}' | b']')) => Ok(()),
        (Some(b'{' | b'[' | 0xEF), _) => Err(SyntaxError { offset: data.len(), reason: Reason::Truncated }.into()),
        _ => Err(RecordError::NotRecords("does not start like JSON")),
    }
}

/// The record as CloudTrail delivers it to CloudWatch Logs: compact JSON in the original key
/// order. Borrowed when `raw` has no whitespace outside strings (every delivered record), else
/// a copy with that whitespace removed; strings are never touched.
pub fn event_text(raw: &[u8]) -> Cow<'_, [u8]> {
    let Some(first) = first_insignificant_ws(raw) else {
        return Cow::Borrowed(raw);
    };
    let mut out = Vec::with_capacity(raw.len());
    out.extend_from_slice(&raw[..first]);
    let mut in_string = false;
    let mut escaped = false;
    for &b in &raw[first..] {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
            in_string = b == b'"';
            out.push(b);
        }
    }
    Cow::Owned(out)
}

/// The pattern's prefilter when it is sound over raw file or record bytes, which may hold
/// whitespace that [`event_text`] removes: a JSON pattern's needles lie inside string tokens, so
/// whitespace between tokens cannot hide them; a term or space-delimited pattern's needles may
/// span tokens (`{"eventVersion"`), so they screen only compact messages, never files.
pub fn file_screen(pattern: &cwl_filter::Pattern) -> Option<&cwl_filter::Prefilter> {
    match pattern.kind() {
        cwl_filter::PatternKind::Json => pattern.prefilter(),
        _ => None,
    }
}

/// The offset of the first whitespace byte outside strings, if any.
fn first_insignificant_ws(raw: &[u8]) -> Option<usize> {
    let mut p = 0;
    while p < raw.len() {
        match raw[p] {
            b' ' | b'\n' | b'\r' | b'\t' => return Some(p),
            b'"' => p = json::skip_string(raw, p).unwrap_or(raw.len()),
            _ => p += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(data: &[u8]) -> (Vec<String>, Result<Content, RecordError>) {
        let mut out = Vec::new();
        let mut scratch = Vec::new();
        let result = split(data, &mut scratch, |raw, n| {
            assert_eq!(n as usize, out.len());
            out.push(String::from_utf8(raw.to_vec()).unwrap());
        });
        (out, result)
    }

    #[test]
    fn splits_every_shape() {
        let (r, c) = records(b"{\"Records\":[{\"a\":1},\n  {\"b\" : [2]}]}");
        assert_eq!(r, ["{\"a\":1}", "{\"b\" : [2]}"]);
        assert_eq!(c.unwrap(), Content::Records(2));
        let (r, _) = records(b"[ {\"a\":1} , {\"a\":2} ]");
        assert_eq!(r, ["{\"a\":1}", "{\"a\":2}"]);
        let (r, _) = records(b"{\"a\":1}\n{\"a\":2}\r\n\n{\"Records\":[{\"a\":3}]}\n");
        assert_eq!(r, ["{\"a\":1}", "{\"a\":2}", "{\"a\":3}"]);
        let lookup = br#"{"Events":[{"EventId":"x","CloudTrailEvent":"{\"eventName\":\"A\\\"B\"}"},{"eventName":"C"}],"NextToken":"t"}"#;
        let (r, _) = records(lookup);
        assert_eq!(r, [r#"{"eventName":"A\"B"}"#, r#"{"eventName":"C"}"#]);
        let (r, c) = records(b"\xEF\xBB\xBF  []  ");
        assert!(r.is_empty());
        assert_eq!(c.unwrap(), Content::Records(0));
        assert_eq!(records(b"").1.unwrap(), Content::Records(0));
    }

    #[test]
    fn digests_yield_no_records() {
        let (r, c) = records(br#"{"awsAccountId":"1","digestS3Object":"k","logFiles":[]}"#);
        assert!(r.is_empty());
        assert_eq!(c.unwrap(), Content::Digest);
        assert!(is_digest_name(Path::new("a/1_CloudTrail-Digest_us-east-1_t_us-east-1_20260101T000000Z.json.gz")));
    }

    #[test]
    fn bad_input_is_an_error_after_the_good_records() {
        let (r, c) = records(b"{\"Records\":[{\"a\":1},{\"b\":");
        assert_eq!(r, ["{\"a\":1}"]);
        assert!(matches!(c, Err(RecordError::Syntax(_))));
        assert!(matches!(records(b"{ foo: 1 }").1, Err(RecordError::Syntax(_))));
        assert!(matches!(records(b"42").1, Err(RecordError::NotRecords(_))));
        assert!(matches!(records(b"hello").1, Err(RecordError::Syntax(_))));
        assert!(outline_ok(b" {\"Records\":[]}\n").is_ok());
        assert!(outline_ok(b"{\"Records\":[{\"a\":").is_err());
        assert!(outline_ok(b"<html>").is_err());
    }

    #[test]
    fn reads_gzip_and_concatenated_members() {
        use std::io::Write;
        let gzip = |data: &[u8]| {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(data).unwrap();
            enc.finish().unwrap()
        };
        let mut reader = Reader::new();
        assert_eq!(reader.load_bytes(&gzip(b"[1]")).unwrap(), b"[1]");
        let mut two = gzip(b"{\"a\":1}\n");
        two.extend(gzip(b"{\"a\":2}\n"));
        assert_eq!(reader.load_bytes(&two).unwrap(), b"{\"a\":1}\n{\"a\":2}\n");
        assert_eq!(reader.load_bytes(b"plain").unwrap(), b"plain");
        assert!(matches!(reader.load_bytes(&gzip(b"x")[..10]), Err(RecordError::Gzip(_))));
    }

    #[test]
    fn lookups_take_the_last_duplicate() {
        let doc = br#"{"a":1,"b":{"c":[10,{"d":"x"}],"c":[20,{"d":"y"}]},"a":2}"#;
        assert_eq!(lookup(doc, &["a"]), Some(&b"2"[..]));
        assert_eq!(lookup(doc, &["b", "c", "1", "d"]), Some(&br#""y""#[..]));
        assert_eq!(lookup(doc, &["b", "c", "2"]), None);
        assert_eq!(lookup(doc, &["b", "x"]), None);
        // A later duplicate spelled with an escape is found too.
        assert_eq!(lookup(br#"{"k":1,"x":"k","\u006b":3}"#, &["k"]), Some(&b"3"[..]));
        assert_eq!(lookup(br#"{"a/b":1,"x":"\"","a\/b":3}"#, &["a/b"]), Some(&b"3"[..]));
        assert!(!json::may_hold_key(br#","x":"\"k\"""#, b"k") && json::may_hold_key(br#","\u006b":3"#, b"k"));
        assert_eq!(lookup(br#"{"k":1,"x":"\"k\""}"#, &["k"]), Some(&b"1"[..]));
        assert_eq!(lookup(br#"{"k":1,"x":["k"]}"#, &["k"]), Some(&b"1"[..]));
        let view = EventView::parse(br#"{"eventName":"A","eventName":"B"}"#).unwrap();
        assert_eq!(view.event_name().unwrap(), "B");
        let twice = br#"[{"CloudTrailEvent":"{\"n\":1}","CloudTrailEvent":"{\"n\":2}"}]"#;
        assert_eq!(records(twice).0, [r#"{"n":2}"#]);
    }

    #[test]
    fn records_are_checked_against_the_one_contract() {
        assert_eq!(check_json(b" {\"a\":[1,\"\\u00e9\"]} "), Ok(()));
        let reason = |raw: &[u8]| check_json(raw).unwrap_err().reason;
        assert_eq!(reason(b"[1]"), Reason::ExpectedObject);
        assert_eq!(reason(b"{\"a\":\"x\ny\"}"), Reason::ControlCharacter);
        assert_eq!(reason(b"{\"a\":\"\xe9\"}"), Reason::InvalidUtf8);
        assert_eq!(reason(br#"{"a":"\udc00"}"#), Reason::LoneSurrogate);
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(json::MAX_DEPTH), "]".repeat(json::MAX_DEPTH));
        assert_eq!(reason(deep.as_bytes()), Reason::TooDeep);
        // The splitter finds the boundaries of a damaged record without judging it.
        let (r, c) = records(b"{\"Records\":[{\"a\":\"x\ty\"},{\"a\":1}]}");
        assert_eq!(r.len(), 2);
        assert_eq!(c.unwrap(), Content::Records(2));
        assert_eq!(
            check_json(r[0].as_bytes()).unwrap_err(),
            SyntaxError { offset: 7, reason: Reason::ControlCharacter }
        );
    }

    #[test]
    fn event_text_compacts_outside_strings_only() {
        let compact = br#"{"a":"x y","b":[1,2]}"#;
        assert!(matches!(event_text(compact), Cow::Borrowed(_)));
        let pretty = b"{\n  \"a\" : \"x y\\\" z\",\n  \"b\": [1, 2]\n}";
        assert_eq!(&*event_text(pretty), br#"{"a":"x y\" z","b":[1,2]}"#);
    }
}
