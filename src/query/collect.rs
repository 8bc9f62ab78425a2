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

use super::prefilter::Prefilter;
use super::Selection;
use crate::output::{Cell, EventSink, FieldPath};
use crate::record::{EventView, SyntaxError};
use crate::scan::Visitor;

/// Sort key of events without a usable eventTime: after all others.
const NO_TIME: i64 = i64::MAX;

/// The predicates and their prefilter, applied to one record.
#[derive(Clone, Copy)]
pub struct Matcher<'p> {
    pub selection: &'p Selection,
    pub prefilter: &'p Prefilter,
}

impl<'p> Matcher<'p> {
    /// Whether a whole file may hold a match.
    pub fn file_may_match(&self, data: &[u8]) -> bool {
        !self.prefilter.is_active() || self.prefilter.may_match(data)
    }

    /// The record's view when it matches; `Err` when it is not a JSON object.
    pub fn check<'a>(&self, raw: &'a [u8]) -> Result<Option<EventView<'a>>, SyntaxError> {
        if self.prefilter.is_active() && !self.prefilter.may_match(raw) {
            return Ok(None);
        }
        let view = EventView::parse(raw)?;
        Ok(self.selection.matches(&view, raw).then_some(view))
    }
}

#[derive(Debug, Clone, Copy)]
struct Item {
    time: i64,
    file: usize,
    ordinal: u64,
    start: usize,
    len: usize,
}

impl Item {
    fn key(&self) -> (i64, usize, u64) {
        (self.time, self.file, self.ordinal)
    }
}

/// Matches kept for ordered output: raw bytes in one arena.
#[derive(Debug, Default)]
pub struct Matches {
    bytes: Vec<u8>,
    items: Vec<Item>,
    limit: Option<usize>,
    matched: u64,
}

impl Matches {
    fn push(&mut self, time: i64, file: usize, ordinal: u64, raw: &[u8]) {
        self.matched += 1;
        self.items.push(Item { time, file, ordinal, start: self.bytes.len(), len: raw.len() });
        self.bytes.extend_from_slice(raw);
        if let Some(limit) = self.limit {
            if self.items.len() >= 2 * limit + 1024 {
                self.keep_first(limit);
            }
        }
    }

    /// Keeps the `n` first matches in output order, compacting the arena.
    fn keep_first(&mut self, n: usize) {
        self.items.sort_unstable_by_key(Item::key);
        self.items.truncate(n);
        let mut bytes = Vec::with_capacity(self.items.iter().map(|i| i.len).sum());
        for item in &mut self.items {
            let start = bytes.len();
            bytes.extend_from_slice(&self.bytes[item.start..item.start + item.len]);
            item.start = start;
        }
        self.bytes = bytes;
    }

    fn append(mut self, other: Matches) -> Matches {
        if self.items.is_empty() {
            return Matches { limit: self.limit, matched: self.matched + other.matched, ..other };
        }
        self.matched += other.matched;
        let base = self.bytes.len();
        self.bytes.extend_from_slice(&other.bytes);
        self.items.extend(other.items.into_iter().map(|i| Item { start: i.start + base, ..i }));
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

    /// The raw events by eventTime, then file, then position in the file; at most `limit`.
    pub fn sorted(mut self) -> impl Iterator<Item = Vec<u8>> {
        self.items.sort_unstable_by_key(Item::key);
        if let Some(limit) = self.limit {
            self.items.truncate(limit);
        }
        let Matches { bytes, items, .. } = self;
        items.into_iter().map(move |i| bytes[i.start..i.start + i.len].to_vec())
    }

    /// Calls `f` with each raw event in output order (see [`Matches::sorted`]), stopping at
    /// the first error.
    pub fn for_each_sorted<E>(mut self, mut f: impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
        self.items.sort_unstable_by_key(Item::key);
        let n = self.limit.unwrap_or(usize::MAX).min(self.items.len());
        for item in &self.items[..n] {
            f(&self.bytes[item.start..item.start + item.len])?;
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

    fn record(&self, acc: &mut Matches, file: usize, ordinal: u64, raw: &[u8]) -> Result<(), SyntaxError> {
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

/// Prints matches as files are done, in no particular order.
pub struct Streamed<'p, 'w> {
    pub matcher: Matcher<'p>,
    pub sink: Mutex<(EventSink<'w>, u64)>,
    pub limit: Option<usize>,
    full: AtomicBool,
}

impl<'p, 'w> Streamed<'p, 'w> {
    pub fn new(matcher: Matcher<'p>, sink: EventSink<'w>, limit: Option<usize>) -> Self {
        Streamed { matcher, sink: Mutex::new((sink, 0)), limit, full: AtomicBool::new(false) }
    }

    /// The sink back, with the number of events printed.
    pub fn into_sink(self) -> (EventSink<'w>, u64) {
        self.sink.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Visitor for Streamed<'_, '_> {
    type Acc = Pending;

    fn new_acc(&self) -> Pending {
        Pending::default()
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.matcher.file_may_match(data)
    }

    fn record(&self, acc: &mut Pending, _file: usize, _ordinal: u64, raw: &[u8]) -> Result<(), SyntaxError> {
        if self.matcher.check(raw)?.is_some() {
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
pub struct Counts {
    map: HashMap<Vec<u8>, u64>,
    key: Vec<u8>,
    matched: u64,
}

/// One row of `--count-by`: the fields' values (`None`: absent) and the count.
pub type CountRow = (Vec<Option<String>>, u64);

impl Counts {
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

/// Counts matches by the values of some fields.
pub struct CountBy<'p> {
    pub matcher: Matcher<'p>,
    pub by: &'p [FieldPath],
}

impl Visitor for CountBy<'_> {
    type Acc = Counts;

    fn new_acc(&self) -> Counts {
        Counts::default()
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.matcher.file_may_match(data)
    }

    fn record(&self, acc: &mut Counts, _file: usize, _ordinal: u64, raw: &[u8]) -> Result<(), SyntaxError> {
        if self.matcher.check(raw)?.is_none() {
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

    fn merge(&self, mut a: Counts, b: Counts) -> Counts {
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

/// The cells of a count row, for a [`crate::output::RowSink`].
pub fn count_cells(row: &CountRow) -> Vec<Cell<'_>> {
    let mut cells: Vec<Cell<'_>> =
        row.0.iter().map(|v| v.as_deref().map_or(Cell::Missing, |t| Cell::Text(t.into()))).collect();
    cells.push(Cell::Count(row.1));
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let out: Vec<Vec<u8>> = merged.sorted().collect();
        assert_eq!(out, [b"a".to_vec(), b"b".to_vec()]);
        let mut big = Matches { limit: Some(3), ..Matches::default() };
        for i in (0..5000).rev() {
            big.push(i, 0, 0, format!("{i}").as_bytes());
        }
        assert!(big.len() < 1100);
        let out: Vec<Vec<u8>> = big.sorted().collect();
        assert_eq!(out, [b"0".to_vec(), b"1".to_vec(), b"2".to_vec()]);
    }

    #[test]
    fn count_keys_round_trip() {
        let by = [FieldPath::parse("a").unwrap(), FieldPath::parse("b").unwrap()];
        let selection = Selection::default();
        let prefilter = Prefilter::default();
        let v = CountBy { matcher: Matcher { selection: &selection, prefilter: &prefilter }, by: &by };
        let mut acc = v.new_acc();
        for raw in [&br#"{"a":"x","b":1}"#[..], br#"{"a":"x","b":1}"#, br#"{"a":"y"}"#] {
            v.record(&mut acc, 0, 0, raw).unwrap();
        }
        let rows = acc.rows(None);
        assert_eq!(rows[0], (vec![Some("x".to_string()), Some("1".to_string())], 2));
        assert_eq!(rows[1], (vec![Some("y".to_string()), None], 1));
    }
}
