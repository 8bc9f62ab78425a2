//! What `ctl query` collects while scanning: the [`crate::scan::Visitor`]s for ordered
//! events, streamed events and counts.
//!
//! Ordered output keeps only the matches (their bytes in one arena per task, with eventTime,
//! file and position), sorted once at the end; with `--limit N` each task keeps at most about
//! 2N. Streamed output prints each file's matches when the file is done (one lock per file, not
//! per match). Counting keeps one counter per distinct key: memory does not grow with the tree.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use super::screen::LiteralScreen;
use super::Selection;
use crate::dedup::Seen;
use crate::fields::{Cell, FieldPath};
use crate::record::{EventView, Refusal};
use crate::scan::Visitor;

/// Sort key of events without a usable eventTime: after all others.
const NO_TIME: i64 = i64::MAX;

/// The predicates and their prefilter, applied to one record.
///
/// A record is checked against the JSON contract ([`crate::record::validate`]) when it
/// matches, before it is printed or counted, never before: a record that fails is reported
/// (the scan engine counts it as not a valid record, with the reason), never used. With
/// `seen`, a matching event already seen (a copy delivered twice) does not match again.
#[derive(Clone, Copy)]
pub struct Matcher<'p> {
    pub selection: &'p Selection,
    pub prefilter: &'p LiteralScreen,
    pub seen: Option<&'p Seen>,
}

impl<'p> Matcher<'p> {
    /// Whether a whole file may hold a match.
    pub fn file_may_match(&self, data: &[u8]) -> bool {
        !self.prefilter.is_active() || self.prefilter.may_match(data)
    }

    /// Whether the record matches. `Err` when it matches but is refused ([`crate::record::admit`]).
    pub fn is_match(&self, raw: &[u8]) -> Result<bool, Refusal> {
        Ok(self.check(raw)?.is_some())
    }

    /// The record's view when it matches; `Err` when it is not a JSON object, or when it
    /// matches but is refused ([`crate::record::admit`]): a damaged record, or one that is not
    /// a CloudTrail event, is never printed or counted.
    pub fn check<'a>(&self, raw: &'a [u8]) -> Result<Option<EventView<'a>>, Refusal> {
        if self.prefilter.is_active() && !self.prefilter.may_match(raw) {
            return Ok(None);
        }
        let view = EventView::parse(raw)?;
        if !self.selection.matches(&view, raw) {
            return Ok(None);
        }
        crate::record::admit(raw, &view)?;
        Ok(self.first_sighting(raw).then_some(view))
    }

    /// Whether a matching event is not a copy of one matched before (always, without `seen`).
    fn first_sighting(&self, raw: &[u8]) -> bool {
        self.seen.is_none_or(|seen| seen.first_sighting(raw))
    }
}

#[derive(Debug, Clone, Copy)]
struct Item {
    time: i64,
    file: usize,
    ordinal: u64,
    /// Where the raw bytes are: chunk index, offset and length.
    chunk: u32,
    start: u32,
    len: u32,
}

impl Item {
    fn key(&self) -> (i64, usize, u64) {
        (self.time, self.file, self.ordinal)
    }
}

/// Size of the chunks matches are copied into: large enough to amortize allocation, small
/// enough that growing never copies much (chunks are never reallocated, only added).
const CHUNK: usize = 1 << 20;

/// Matches kept for ordered output: raw bytes in append-only chunks, merged by moving chunks.
#[derive(Debug, Default)]
pub struct Matches {
    chunks: Vec<Vec<u8>>,
    items: Vec<Item>,
    limit: Option<usize>,
    matched: u64,
    bytes: u64,
}

impl Matches {
    fn push(&mut self, time: i64, file: usize, ordinal: u64, raw: &[u8]) {
        self.matched += 1;
        self.store(time, file, ordinal, raw);
        if let Some(limit) = self.limit {
            if self.items.len() >= 2 * limit + 1024 {
                self.keep_first(limit);
            }
        }
    }

    fn store(&mut self, time: i64, file: usize, ordinal: u64, raw: &[u8]) {
        let fits = self.chunks.last().is_some_and(|c| c.capacity() - c.len() >= raw.len());
        if !fits {
            self.chunks.push(Vec::with_capacity(CHUNK.max(raw.len())));
        }
        let chunk = self.chunks.len() - 1;
        let bytes = &mut self.chunks[chunk];
        let start = bytes.len();
        bytes.extend_from_slice(raw);
        self.bytes += raw.len() as u64;
        // A record is far below 4 GiB (the inflater refuses more), and so is a chunk.
        self.items.push(Item { time, file, ordinal, chunk: chunk as u32, start: start as u32, len: raw.len() as u32 });
    }

    fn raw(&self, item: &Item) -> &[u8] {
        let start = item.start as usize;
        &self.chunks[item.chunk as usize][start..start + item.len as usize]
    }

    /// Keeps the `n` first matches in output order, copying them into fresh chunks.
    fn keep_first(&mut self, n: usize) {
        self.items.sort_unstable_by_key(Item::key);
        self.items.truncate(n);
        let old = std::mem::take(self);
        *self = Matches { limit: old.limit, matched: old.matched, ..Matches::default() };
        for item in &old.items {
            self.store(item.time, item.file, item.ordinal, old.raw(item));
        }
    }

    fn append(mut self, other: Matches) -> Matches {
        let base = self.chunks.len() as u32;
        self.chunks.extend(other.chunks);
        self.items.extend(other.items.into_iter().map(|i| Item { chunk: i.chunk + base, ..i }));
        self.matched += other.matched;
        self.bytes += other.bytes;
        if let Some(limit) = self.limit {
            if self.items.len() >= 2 * limit + 1024 {
                self.keep_first(limit);
            }
        }
        self
    }

    /// How many matches were found (including those a limit dropped).
    pub fn matched(&self) -> u64 {
        self.matched
    }

    /// How many matches are held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Bytes of raw events held.
    pub fn held_bytes(&self) -> u64 {
        self.bytes
    }

    fn sort_and_limit(&mut self) {
        self.items.sort_unstable_by_key(Item::key);
        if let Some(limit) = self.limit {
            self.items.truncate(limit);
        }
    }

    /// Calls `f` with each raw event in output order (by eventTime, then file, then position in
    /// the file; at most the limit), stopping at the first error.
    pub fn for_each_sorted<E>(mut self, mut f: impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
        self.sort_and_limit();
        for item in &self.items {
            f(self.raw(item))?;
        }
        Ok(())
    }
}

/// Collects matches for output by eventTime.
pub struct Ordered<'p> {
    pub matcher: Matcher<'p>,
    pub limit: Option<usize>,
}

impl Visitor for Ordered<'_> {
    type Acc = Matches;

    fn new_acc(&self) -> Matches {
        Matches { limit: self.limit, ..Matches::default() }
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.matcher.file_may_match(data)
    }

    fn record(&self, acc: &mut Matches, file: usize, ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
        if let Some(view) = self.matcher.check(raw)? {
            acc.push(view.event_time_ms().unwrap_or(NO_TIME), file, ordinal, raw);
        }
        Ok(())
    }

    fn merge(&self, a: Matches, b: Matches) -> Matches {
        a.append(b)
    }
}

/// One task's matches of the file being read, for streamed output.
#[derive(Debug, Default)]
pub struct Pending {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    matched: u64,
}

impl Pending {
    /// Matches found (printed or not).
    pub fn matched(&self) -> u64 {
        self.matched
    }
}

/// Where streamed matches go, one whole event at a time (the binary's printers).
pub trait EventOutput: Send {
    /// Writes one matching event (its raw JSON bytes).
    fn event(&mut self, raw: &[u8]) -> std::io::Result<()>;
}

/// Hands matches to an [`EventOutput`] as files are done, in no particular order.
pub struct Streamed<'p, O> {
    pub matcher: Matcher<'p>,
    pub sink: Mutex<(O, u64)>,
    pub limit: Option<usize>,
    full: AtomicBool,
}

impl<'p, O: EventOutput> Streamed<'p, O> {
    pub fn new(matcher: Matcher<'p>, sink: O, limit: Option<usize>) -> Self {
        Streamed { matcher, sink: Mutex::new((sink, 0)), limit, full: AtomicBool::new(false) }
    }

    /// The sink back, with the number of events written.
    pub fn into_sink(self) -> (O, u64) {
        self.sink.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<O: EventOutput> Visitor for Streamed<'_, O> {
    type Acc = Pending;

    fn new_acc(&self) -> Pending {
        Pending::default()
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.matcher.file_may_match(data)
    }

    fn record(&self, acc: &mut Pending, _file: usize, _ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
        if self.matcher.is_match(raw)? {
            acc.matched += 1;
            acc.bytes.extend_from_slice(raw);
            acc.ends.push(acc.bytes.len());
        }
        Ok(())
    }

    fn end_file(&self, acc: &mut Pending, _file: usize) -> std::io::Result<()> {
        if acc.ends.is_empty() {
            return Ok(());
        }
        let mut guard = self.sink.lock().unwrap_or_else(PoisonError::into_inner);
        let (sink, printed) = &mut *guard;
        let mut start = 0;
        let mut result = Ok(());
        for &end in &acc.ends {
            if self.limit.is_some_and(|l| *printed >= l as u64) {
                self.full.store(true, Ordering::Relaxed);
                break;
            }
            result = sink.event(&acc.bytes[start..end]);
            if result.is_err() {
                break;
            }
            *printed += 1;
            start = end;
        }
        if self.limit.is_some_and(|l| *printed >= l as u64) {
            self.full.store(true, Ordering::Relaxed);
        }
        acc.bytes.clear();
        acc.ends.clear();
        result
    }

    fn merge(&self, mut a: Pending, b: Pending) -> Pending {
        a.matched += b.matched;
        a
    }

    fn done(&self) -> bool {
        self.full.load(Ordering::Relaxed)
    }
}

/// One task's counters: distinct keys (the fields' texts, encoded) to counts.
#[derive(Debug, Default)]
pub struct GroupCounts {
    map: HashMap<Vec<u8>, u64>,
    key: Vec<u8>,
    matched: u64,
}

/// One row of `--count-by`: the fields' values (`None`: absent) and the count.
pub type CountRow = (Vec<Option<String>>, u64);

impl GroupCounts {
    /// Matches counted.
    pub fn matched(&self) -> u64 {
        self.matched
    }

    /// The rows, most frequent first (ties by value), at most `top`.
    pub fn rows(self, top: Option<usize>) -> Vec<CountRow> {
        let mut rows: Vec<CountRow> = self.map.into_iter().map(|(key, n)| (decode_key(&key), n)).collect();
        rows.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if let Some(top) = top {
            rows.truncate(top);
        }
        rows
    }
}

// Keys: per field, 0x00 for absent, or 0x01 then the text; fields separated by 0xFF (a byte
// UTF-8 never uses).
fn decode_key(key: &[u8]) -> Vec<Option<String>> {
    key.split(|&b| b == 0xFF)
        .map(|part| match part.split_first() {
            Some((1, text)) => Some(String::from_utf8_lossy(text).into_owned()),
            _ => None,
        })
        .collect()
}

/// GroupCounts matches by the values of some fields.
pub struct CountBy<'p> {
    pub matcher: Matcher<'p>,
    pub by: &'p [FieldPath],
}

impl Visitor for CountBy<'_> {
    type Acc = GroupCounts;

    fn new_acc(&self) -> GroupCounts {
        GroupCounts::default()
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.matcher.file_may_match(data)
    }

    fn record(&self, acc: &mut GroupCounts, _file: usize, _ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
        if !self.matcher.is_match(raw)? {
            return Ok(());
        }
        acc.matched += 1;
        acc.key.clear();
        for (i, field) in self.by.iter().enumerate() {
            if i > 0 {
                acc.key.push(0xFF);
            }
            match field.cell(raw).text() {
                Some(text) => {
                    acc.key.push(1);
                    acc.key.extend_from_slice(text.as_bytes());
                }
                None => acc.key.push(0),
            }
        }
        match acc.map.get_mut(acc.key.as_slice()) {
            Some(n) => *n += 1,
            None => {
                acc.map.insert(acc.key.clone(), 1);
            }
        }
        Ok(())
    }

    fn merge(&self, mut a: GroupCounts, b: GroupCounts) -> GroupCounts {
        if a.map.len() < b.map.len() {
            return self.merge(b, a);
        }
        for (key, n) in b.map {
            *a.map.entry(key).or_insert(0) += n;
        }
        a.matched += b.matched;
        a
    }
}

/// The cells of a count row, for a table or CSV printer.
pub fn count_cells(row: &CountRow) -> Vec<Cell<'_>> {
    let mut cells: Vec<Cell<'_>> =
        row.0.iter().map(|v| v.as_deref().map_or(Cell::Missing, |t| Cell::Text(t.into()))).collect();
    cells.push(Cell::Count(row.1));
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Reason;

    /// The events [`Matches::for_each_sorted`] hands out, copied.
    fn sorted(matches: Matches) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        matches
            .for_each_sorted(|raw| {
                out.push(raw.to_vec());
                Ok::<_, ()>(())
            })
            .unwrap();
        out
    }

    #[test]
    fn matches_sort_by_time_then_file_then_position_and_respect_limits() {
        let mut a = Matches { limit: Some(2), ..Matches::default() };
        a.push(30, 0, 0, b"c");
        a.push(10, 1, 5, b"b");
        let mut b = Matches { limit: Some(2), ..Matches::default() };
        b.push(10, 1, 2, b"a");
        b.push(NO_TIME, 0, 1, b"z");
        let merged = a.append(b);
        assert_eq!(merged.len(), 4);
        let out = sorted(merged);
        assert_eq!(out, [b"a".to_vec(), b"b".to_vec()]);
        let mut big = Matches { limit: Some(3), ..Matches::default() };
        for i in (0..5000).rev() {
            big.push(i, 0, 0, format!("{i}").as_bytes());
        }
        assert!(big.len() < 1100);
        let out = sorted(big);
        assert_eq!(out, [b"0".to_vec(), b"1".to_vec(), b"2".to_vec()]);
    }

    /// The JSON reason of a refusal (panics on another kind).
    fn reason(refusal: Refusal) -> Reason {
        match refusal {
            Refusal::Invalid(e) => e.reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn damaged_records_are_refused_when_they_would_be_used() {
        let selection = Selection { events: vec![cwl_filter::Glob::new("X")], ..Selection::default() };
        let prefilter = LiteralScreen::default();
        let matcher = Matcher { selection: &selection, prefilter: &prefilter, seen: None };
        assert!(matcher.check(br#"{"eventSource":"s","eventName":"X","a":{"b":1 2}}"#).is_err());
        assert!(
            matcher.check(br#"{"eventSource":"s","eventName":"Y","a":{"b":1 2}}"#).unwrap().is_none(),
            "not used: not read"
        );
        assert!(matcher.check(br#"{"eventSource":"s","eventName":"X","a":{"b":[1,2]}}"#).unwrap().is_some());
        let raw_tab = b"{\"eventSource\":\"s\",\"eventName\":\"X\",\"a\":\"1\t2\"}";
        assert_eq!(reason(matcher.check(raw_tab).unwrap_err()), Reason::ControlCharacter, "the one contract");
        let all = Selection::default();
        let everything = Matcher { selection: &all, prefilter: &prefilter, seen: None };
        assert!(everything.is_match(b"{\"a\":tru}").is_err());
        assert_eq!(reason(everything.is_match(b"[1]").unwrap_err()), Reason::ExpectedObject);
        assert_eq!(reason(everything.is_match(b"{\"a\":\"\xff\"}").unwrap_err()), Reason::InvalidUtf8);
    }

    #[test]
    fn records_that_are_not_cloudtrail_events_are_refused() {
        let all = Selection::default();
        let prefilter = LiteralScreen::default();
        let everything = Matcher { selection: &all, prefilter: &prefilter, seen: None };
        let index_line = br#"{"line":1,"file":"rules/x.yml","rule_id":"AWS.X","expected":true}"#;
        assert_eq!(everything.is_match(index_line), Err(Refusal::NotEvent));
        let insight = br#"{"eventID":"i","insightDetails":{"eventName":"RunInstances"}}"#;
        assert_eq!(everything.is_match(insight), Ok(true));
    }

    #[test]
    fn count_keys_round_trip() {
        let by = [FieldPath::parse("a").unwrap(), FieldPath::parse("b").unwrap()];
        let selection = Selection::default();
        let prefilter = LiteralScreen::default();
        let v = CountBy { matcher: Matcher { selection: &selection, prefilter: &prefilter, seen: None }, by: &by };
        let mut acc = v.new_acc();
        let (x, y) = (
            br#"{"eventSource":"s","eventName":"E","a":"x","b":1}"#,
            br#"{"eventSource":"s","eventName":"E","a":"y"}"#,
        );
        for raw in [&x[..], x, y] {
            v.record(&mut acc, 0, 0, raw).unwrap();
        }
        let rows = acc.rows(None);
        assert_eq!(rows[0], (vec![Some("x".to_string()), Some("1".to_string())], 2));
        assert_eq!(rows[1], (vec![Some("y".to_string()), None], 1));
    }
}
