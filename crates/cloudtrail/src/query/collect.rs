//! What `ctl query` collects while scanning: the [`crate::scan::Visitor`]s for ordered
//! events, streamed events and counts.
//!
//! Ordered output keeps only the matches (their bytes in one arena per task, with eventTime,
//! file and position), sorted once at the end; with `--limit N` each task keeps at most about
//! 2N. Streamed output prints each file's matches when the file is done (one lock per file, not
//! per match). Counting keeps one counter per distinct key: memory does not grow with the tree.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use super::screen::LiteralScreen;
use super::spill::Spill;
use super::{Grouping, Selection};
use crate::dedup::Seen;
use crate::fields::Cell;
use crate::record::{EventView, Refusal};
use crate::scan::Visitor;

/// Sort key of events without a usable eventTime: after all others.
const NO_TIME: i64 = i64::MAX;

/// The predicates and their prefilter, applied to one record.
///
/// A record is checked against the JSON contract ([`crate::record::check_json`]) when it
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
    /// The event's digest when copies are to be dropped ([`crate::dedup::event_digest`]).
    digest: Option<u64>,
    /// Where the raw bytes are: chunk index, offset and length; the caller's tag follows them.
    chunk: u32,
    start: u32,
    len: u32,
    tag_len: u32,
}

impl Item {
    fn key(&self) -> (i64, usize, u64) {
        (self.time, self.file, self.ordinal)
    }
}

/// A match with its sort key, as sorted runs hold it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub time: i64,
    pub file: usize,
    pub ordinal: u64,
    pub digest: Option<u64>,
    pub raw: &'a [u8],
    pub tag: &'a [u8],
}

impl Entry<'_> {
    /// Output order: by eventTime, then input, then position in it.
    pub fn key(&self) -> (i64, usize, u64) {
        (self.time, self.file, self.ordinal)
    }
}

/// Largest size of the chunks matches are copied into: large enough to amortize allocation,
/// small enough that growing never copies much (chunks are never reallocated, only added).
const CHUNK: usize = 1 << 20;

/// Size of a task's first chunk; each next one doubles, up to [`CHUNK`].
const FIRST_CHUNK: usize = 16 << 10;

/// Chunks of the largest size (1 MiB) that stores emptied into sorted runs gave back, for the
/// stores that grow next. Memory the system maps afresh is zeroed page by page on first touch
/// (mimalloc gives freed memory back after 1 ms, see main.rs): with a gigabyte of matches
/// passing through the runs, fresh chunks were a tenth of a hunt's time. Every chunk given back
/// is kept: a store takes a fresh one only when the pool is empty, that is when every chunk is
/// held by a store, so the pool and the stores together never hold more chunks than the stores
/// held at once at their peak. `ChunkPool::clear` frees them when the scan is over.
#[derive(Debug, Default)]
pub struct ChunkPool {
    free: std::sync::Mutex<Vec<Vec<u8>>>,
}

impl ChunkPool {
    fn free(&self) -> std::sync::MutexGuard<'_, Vec<Vec<u8>>> {
        self.free.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn take(&self) -> Option<Vec<u8>> {
        self.free().pop()
    }

    fn give(&self, chunks: Vec<Vec<u8>>) {
        let mut free = self.free();
        for mut chunk in chunks {
            if chunk.capacity() == CHUNK {
                chunk.clear();
                free.push(chunk);
            }
        }
    }

    /// Frees the chunks kept.
    pub(crate) fn clear(&self) {
        *self.free() = Vec::new();
    }
}

/// Matches kept for ordered output: raw bytes in append-only chunks, merged by moving chunks.
///
/// Copies of one event (delivered more than once) are dropped here rather than as they are
/// found, so that the copy kept is always the first in output order whatever the threads did:
/// the output is the same bytes for any thread count.
#[derive(Debug, Default)]
pub struct Matches {
    chunks: Vec<Vec<u8>>,
    items: Vec<Item>,
    limit: Option<usize>,
    /// Drop copies of events delivered more than once.
    dedup: bool,
    matched: u64,
    copies: u64,
    bytes: u64,
    /// Where chunks come from and go back to when the store is emptied into a run.
    pool: Option<std::sync::Arc<ChunkPool>>,
}

impl Matches {
    /// An empty store; with `dedup`, copies of events delivered more than once are dropped
    /// (see [`Matches::finish`]).
    pub fn new(dedup: bool) -> Matches {
        Matches { dedup, ..Matches::default() }
    }

    /// The store taking its chunks from `pool` when it has some, and giving them back there
    /// when it is emptied into a sorted run ([`super::spill::Spill::pool`]).
    pub fn recycling(self, pool: std::sync::Arc<ChunkPool>) -> Matches {
        Matches { pool: Some(pool), ..self }
    }

    fn push(&mut self, time: i64, file: usize, ordinal: u64, raw: &[u8]) {
        self.push_tagged(time, file, ordinal, raw, &[]);
    }

    /// Keeps a match with the caller's `tag` (what it matched, e.g. rule numbers), handed back
    /// with it in output order; copies are recognized by `raw` alone.
    pub fn push_tagged(&mut self, time: i64, file: usize, ordinal: u64, raw: &[u8], tag: &[u8]) {
        self.matched += 1;
        let digest = if self.dedup { crate::dedup::event_digest(raw) } else { None };
        self.store(Item { time, file, ordinal, digest, chunk: 0, start: 0, len: 0, tag_len: 0 }, raw, tag);
        if let Some(limit) = self.limit {
            if self.items.len() >= 2 * limit + 1024 {
                self.keep_first(limit);
            }
        }
    }

    /// Copies `raw` and `tag` into the chunks and records `item` (its place in them is filled in).
    fn store(&mut self, item: Item, raw: &[u8], tag: &[u8]) {
        let size = raw.len() + tag.len();
        let fits = self.chunks.last().is_some_and(|c| c.capacity() - c.len() >= size);
        if !fits {
            let recycled = if size <= CHUNK { self.pool.as_ref().and_then(|p| p.take()) } else { None };
            // Chunks grow from small: a task that finds two matches must not hold a megabyte.
            let capacity = self.chunks.last().map_or(FIRST_CHUNK, |c| (c.capacity() * 2).min(CHUNK));
            self.chunks.push(recycled.unwrap_or_else(|| Vec::with_capacity(capacity.max(size))));
        }
        let chunk = self.chunks.len() - 1;
        let bytes = &mut self.chunks[chunk];
        let start = bytes.len();
        bytes.extend_from_slice(raw);
        bytes.extend_from_slice(tag);
        self.bytes += size as u64;
        // A record is far below 4 GiB (the inflater refuses more), and so is a chunk.
        let (len, tag_len) = (raw.len() as u32, tag.len() as u32);
        self.items.push(Item { chunk: chunk as u32, start: start as u32, len, tag_len, ..item });
    }

    fn raw(&self, item: &Item) -> &[u8] {
        let start = item.start as usize;
        &self.chunks[item.chunk as usize][start..start + item.len as usize]
    }

    fn tag(&self, item: &Item) -> &[u8] {
        let start = (item.start + item.len) as usize;
        &self.chunks[item.chunk as usize][start..start + item.tag_len as usize]
    }

    /// Keeps the `n` first distinct matches in output order, copying them into fresh chunks.
    fn keep_first(&mut self, n: usize) {
        self.sort_and_drop_copies();
        self.items.truncate(n);
        let old = std::mem::take(self);
        *self = Matches {
            limit: old.limit,
            dedup: old.dedup,
            matched: old.matched,
            copies: old.copies,
            pool: old.pool.clone(),
            ..Matches::default()
        };
        for item in &old.items {
            self.store(*item, old.raw(item), old.tag(item));
        }
    }

    /// Sorts the items in output order and drops every copy after the first.
    fn sort_and_drop_copies(&mut self) {
        self.items.sort_unstable_by_key(Item::key);
        if self.dedup {
            // Copies are the same bytes, so they share an eventTime and sort next to each other:
            // only the digests of the current eventTime are kept (as the merge of runs does).
            let mut seen = super::spill::SameTime::default();
            let before = self.items.len();
            self.items.retain(|item| !seen.is_copy(item.time, item.digest));
            self.copies += (before - self.items.len()) as u64;
        }
    }

    fn append(mut self, mut other: Matches) -> Matches {
        let base = self.chunks.len() as u32;
        self.chunks.append(&mut other.chunks);
        other.items.iter_mut().for_each(|i| i.chunk += base);
        // The larger index takes in the smaller (the index is sorted before any use, so its
        // order does not matter): its room is used, rather than fresh memory for a larger one.
        if other.items.capacity() > self.items.capacity() {
            std::mem::swap(&mut self.items, &mut other.items);
        }
        self.items.extend_from_slice(&other.items);
        self.matched += other.matched;
        self.copies += other.copies;
        self.bytes += other.bytes;
        if let Some(limit) = self.limit {
            if self.items.len() >= 2 * limit + 1024 {
                self.keep_first(limit);
            }
        }
        self
    }

    /// How many matches were found (including those a limit dropped), copies of events
    /// delivered more than once not counted (but for those past the limit).
    pub fn matched(&self) -> u64 {
        self.matched - self.copies
    }

    /// Copies of events delivered more than once dropped so far.
    pub fn copies(&self) -> u64 {
        self.copies
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
        self.sort_and_drop_copies();
        if let Some(limit) = self.limit {
            self.items.truncate(limit);
        }
    }

    /// Puts the matches in output order (by eventTime, then file, then position in the file),
    /// drops copies and keeps at most the limit; [`Matches::matched`] and [`Matches::copies`]
    /// are final after it.
    pub fn finish(&mut self) {
        self.sort_and_limit();
    }

    /// Whether copies of events delivered more than once are dropped.
    pub(crate) fn dedups(&self) -> bool {
        self.dedup
    }

    /// Counts copies dropped outside this store (by merging spilled runs).
    pub(crate) fn add_copies(&mut self, n: u64) {
        self.copies += n;
    }

    /// Bytes this store holds: the events and their index.
    pub(crate) fn footprint(&self) -> u64 {
        self.bytes + (self.items.len() * std::mem::size_of::<Item>()) as u64
    }

    /// The held match at `i` in the order of the index (output order after [`Matches::finish`]);
    /// `i` is below [`Matches::len`].
    pub(crate) fn entry(&self, i: usize) -> Entry<'_> {
        let item = &self.items[i];
        let (raw, tag) = (self.raw(item), self.tag(item));
        Entry { time: item.time, file: item.file, ordinal: item.ordinal, digest: item.digest, raw, tag }
    }

    /// Sorts the held matches in output order, drops copies, hands them to `f` in that order
    /// (all borrowed from the store for the call, so that a writer may gather several before
    /// it writes) and empties the store (its counters are kept): a sorted run for
    /// [`super::spill`].
    pub(crate) fn drain_sorted<E>(
        &mut self,
        f: impl FnOnce(&mut dyn Iterator<Item = Entry<'_>>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.sort_and_drop_copies();
        let held = &*self;
        f(&mut (0..held.items.len()).map(|i| held.entry(i)))?;
        // The store goes on growing: its index keeps its room (a run's worth, bounded as the run).
        self.items.clear();
        let chunks = std::mem::take(&mut self.chunks);
        if let Some(pool) = &self.pool {
            pool.give(chunks);
        }
        self.bytes = 0;
        Ok(())
    }

    /// Calls `f` with each raw event in output order (see [`Matches::finish`], which must have
    /// been called), stopping at the first error.
    pub fn for_each_sorted<E>(&self, mut f: impl FnMut(&[u8], Source) -> Result<(), E>) -> Result<(), E> {
        self.for_each_sorted_tagged(|raw, source, _| f(raw, source))
    }

    /// As [`Matches::for_each_sorted`], with each match's tag ([`Matches::push_tagged`]).
    pub fn for_each_sorted_tagged<E>(&self, mut f: impl FnMut(&[u8], Source, &[u8]) -> Result<(), E>) -> Result<(), E> {
        for item in &self.items {
            f(self.raw(item), Source { file: item.file, index: item.ordinal }, self.tag(item))?;
        }
        Ok(())
    }

    /// Both stores' matches (`other` holds later inputs when order matters).
    pub fn merge(self, other: Matches) -> Matches {
        self.append(other)
    }
}

/// Collects matches for output by eventTime. Its matcher has no `seen` set: copies are
/// dropped by [`Matches`] itself when `dedup` says so.
pub struct Ordered<'p> {
    pub matcher: Matcher<'p>,
    pub limit: Option<usize>,
    pub dedup: bool,
    /// Where matches beyond a memory bound go, sorted (without a limit: with one, at most
    /// about twice the limit is held anyway).
    pub spill: Option<&'p Spill>,
}

impl Visitor for Ordered<'_> {
    type Acc = Matches;

    fn new_acc(&self) -> Matches {
        let matches = Matches { limit: self.limit, dedup: self.dedup, ..Matches::default() };
        match self.spill {
            Some(spill) => matches.recycling(spill.pool()),
            None => matches,
        }
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.matcher.file_may_match(data)
    }

    fn record(&self, acc: &mut Matches, file: usize, ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
        if let Some(view) = self.matcher.check(raw)? {
            acc.push(view.event_time_ms().unwrap_or(NO_TIME), file, ordinal, raw);
            if let Some(spill) = self.spill {
                spill.offer(acc);
            }
        }
        Ok(())
    }

    fn merge(&self, a: Matches, b: Matches) -> Matches {
        let mut merged = a.append(b);
        if let Some(spill) = self.spill {
            spill.offer(&mut merged);
        }
        merged
    }

    fn done(&self) -> bool {
        self.spill.is_some_and(Spill::failed)
    }
}

/// One task's matches of the file being read, for streamed output.
#[derive(Debug, Default)]
pub struct Pending {
    bytes: Vec<u8>,
    /// Where each match ends in `bytes`, and its index in the file.
    ends: Vec<(usize, u64)>,
    matched: u64,
}

impl Pending {
    /// Matches found (printed or not).
    pub fn matched(&self) -> u64 {
        self.matched
    }
}

/// Where an event was read: the input's index in the scan and the record's index in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    pub file: usize,
    pub index: u64,
}

/// Where streamed matches go, one whole event at a time (the binary's printers).
pub trait EventOutput: Send {
    /// Writes one matching event (its raw JSON bytes) read at `source`.
    fn event(&mut self, raw: &[u8], source: Source) -> std::io::Result<()>;
    /// Pushes what was written to its destination: called after each file (or each line of a
    /// stream), so a match on a pipe that stays open is seen as it comes.
    fn flush(&mut self) -> std::io::Result<()>;
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

    fn record(&self, acc: &mut Pending, _file: usize, ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
        if self.matcher.is_match(raw)? {
            acc.matched += 1;
            acc.bytes.extend_from_slice(raw);
            acc.ends.push((acc.bytes.len(), ordinal));
        }
        Ok(())
    }

    fn end_file(&self, acc: &mut Pending, file: usize) -> std::io::Result<()> {
        if acc.ends.is_empty() {
            return Ok(());
        }
        let mut guard = self.sink.lock().unwrap_or_else(PoisonError::into_inner);
        let (sink, printed) = &mut *guard;
        let mut start = 0;
        let mut result = Ok(());
        for &(end, index) in &acc.ends {
            if self.limit.is_some_and(|l| *printed >= l as u64) {
                self.full.store(true, Ordering::Relaxed);
                break;
            }
            result = sink.event(&acc.bytes[start..end], Source { file, index });
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
        result.and_then(|()| sink.flush())
    }

    fn merge(&self, mut a: Pending, b: Pending) -> Pending {
        a.matched += b.matched;
        a
    }

    fn done(&self) -> bool {
        self.full.load(Ordering::Relaxed)
    }
}

/// What one group has gathered.
#[derive(Debug, Clone, Default)]
struct Group {
    count: u64,
    /// Earliest and latest `eventTime` (Unix ms), when asked for and known.
    first: Option<i64>,
    last: Option<i64>,
    /// Digests of the distinct values of the `--distinct` field.
    distinct: HashSet<u64>,
}

impl Group {
    fn absorb(&mut self, other: Group) {
        self.count += other.count;
        self.first = min_some(self.first, other.first);
        self.last = self.last.max(other.last);
        self.distinct.extend(other.distinct);
    }
}

fn min_some(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// One task's groups: keys (the fields' texts, encoded) to what each gathered.
#[derive(Debug, Default)]
pub struct GroupCounts {
    map: HashMap<Vec<u8>, Group>,
    key: Vec<u8>,
    matched: u64,
}

/// One output row of `--count-by` / `--bucket`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// The bucket's start (Unix seconds), with a bucket.
    pub bucket: Option<i64>,
    /// The fields' values (`None`: absent).
    pub key: Vec<Option<String>>,
    pub count: u64,
    /// First and last `eventTime` (Unix ms), with `stats`.
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// Distinct values of the `distinct` field, when asked for.
    pub distinct: u64,
}

impl GroupCounts {
    /// Matches counted.
    pub fn matched(&self) -> u64 {
        self.matched
    }

    /// The rows: with a bucket, in time order (a pure time series with its empty buckets
    /// filled with zeros); otherwise most frequent first (ties by value), at most `top`.
    pub fn rows(self, grouping: &Grouping) -> Vec<GroupRow> {
        let mut rows: Vec<GroupRow> = self.map.into_iter().map(|(key, group)| row(&key, group, grouping)).collect();
        match grouping.bucket {
            Some(step) => {
                rows.sort_unstable_by(|a, b| (a.bucket, &a.key).cmp(&(b.bucket, &b.key)));
                if grouping.by.is_empty() {
                    rows = fill_gaps(rows, step);
                }
            }
            None => {
                rows.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
                if let Some(top) = grouping.top {
                    rows.truncate(top);
                }
            }
        }
        rows
    }
}

/// Decodes a group's key: with a bucket, its first part is the bucket start.
fn row(key: &[u8], group: Group, grouping: &Grouping) -> GroupRow {
    let mut parts = decode_key(key);
    let bucket = grouping.bucket.and_then(|_| parts.remove(0)).and_then(|t| t.parse().ok());
    GroupRow {
        bucket,
        key: parts,
        count: group.count,
        first: group.first,
        last: group.last,
        distinct: group.distinct.len() as u64,
    }
}

/// The rows of a time series with a zero row for every empty bucket between its ends.
fn fill_gaps(rows: Vec<GroupRow>, step: i64) -> Vec<GroupRow> {
    let mut filled: Vec<GroupRow> = Vec::with_capacity(rows.len());
    for row in rows {
        if let (Some(previous), Some(now)) = (filled.last().and_then(|r| r.bucket), row.bucket) {
            let mut t = previous + step;
            while t < now {
                filled.push(GroupRow {
                    bucket: Some(t),
                    key: row.key.clone(),
                    count: 0,
                    first: None,
                    last: None,
                    distinct: 0,
                });
                t += step;
            }
        }
        filled.push(row);
    }
    filled
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

fn push_key_part(key: &mut Vec<u8>, text: Option<&str>) {
    if !key.is_empty() {
        key.push(0xFF);
    }
    match text {
        Some(text) => {
            key.push(1);
            key.extend_from_slice(text.as_bytes());
        }
        None => key.push(0),
    }
}

/// Groups matches by the values of some fields (and by time), as [`Grouping`] says.
pub struct CountBy<'p> {
    pub matcher: Matcher<'p>,
    pub grouping: &'p Grouping,
}

impl CountBy<'_> {
    /// Whether the events' time is needed.
    fn timed(&self) -> bool {
        self.grouping.bucket.is_some() || self.grouping.stats
    }
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
        let Some(view) = self.matcher.check(raw)? else {
            return Ok(());
        };
        acc.matched += 1;
        let time = if self.timed() { view.event_time_ms() } else { None };
        acc.key.clear();
        if let Some(step) = self.grouping.bucket {
            // An event without a usable time forms its own group, with no bucket.
            let start = time.map(|ms| (ms.div_euclid(1000)).div_euclid(step) * step);
            push_key_part(&mut acc.key, start.map(|s| s.to_string()).as_deref());
        }
        for field in &self.grouping.by {
            push_key_part(&mut acc.key, field.cell(raw).text().as_deref());
        }
        let distinct = self.grouping.distinct.as_ref().and_then(|f| f.cell(raw).text().map(|t| digest(t.as_bytes())));
        let group = match acc.map.get_mut(acc.key.as_slice()) {
            Some(group) => group,
            None => acc.map.entry(acc.key.clone()).or_default(),
        };
        group.absorb(Group { count: 1, first: time, last: time, distinct: distinct.into_iter().collect() });
        Ok(())
    }

    fn merge(&self, mut a: GroupCounts, b: GroupCounts) -> GroupCounts {
        if a.map.len() < b.map.len() {
            return self.merge(b, a);
        }
        for (key, group) in b.map {
            a.map.entry(key).or_default().absorb(group);
        }
        a.matched += b.matched;
        a
    }
}

/// The digest of a distinct value (the set keeps 8 bytes per value, not the text).
fn digest(value: &[u8]) -> u64 {
    twox_hash::XxHash3_64::oneshot(value)
}

/// The column names of `grouping`'s rows, in the order of [`group_cells`].
pub fn group_columns(grouping: &Grouping) -> Vec<String> {
    let mut columns = Vec::new();
    if grouping.bucket.is_some() {
        columns.push("time".to_string());
    }
    columns.extend(grouping.by.iter().map(|f| f.name().to_string()));
    columns.push("count".to_string());
    if grouping.stats {
        columns.extend(["first".to_string(), "last".to_string()]);
    }
    if let Some(field) = &grouping.distinct {
        columns.push(format!("distinct {}", field.name()));
    }
    columns
}

/// The cells of a group row, for a table or CSV printer.
pub fn group_cells<'r>(row: &'r GroupRow, grouping: &Grouping) -> Vec<Cell<'r>> {
    let time = |ms: Option<i64>| {
        ms.and_then(chrono::DateTime::from_timestamp_millis)
            .map_or(Cell::Missing, |t| Cell::Text(crate::time::format_utc(t).into()))
    };
    let mut cells = Vec::new();
    if grouping.bucket.is_some() {
        cells.push(time(row.bucket.map(|s| s * 1000)));
    }
    cells.extend(row.key.iter().map(|v| v.as_deref().map_or(Cell::Missing, |t| Cell::Text(t.into()))));
    cells.push(Cell::Count(row.count));
    if grouping.stats {
        cells.extend([time(row.first), time(row.last)]);
    }
    if grouping.distinct.is_some() {
        cells.push(Cell::Count(row.distinct));
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::FieldPath;
    use crate::record::Reason;

    /// The events [`Matches::for_each_sorted`] hands out, copied.
    fn sorted(mut matches: Matches) -> Vec<Vec<u8>> {
        matches.finish();
        let mut out = Vec::new();
        matches
            .for_each_sorted(|raw, _| {
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
        let grouping = Grouping { by: by.to_vec(), bucket: None, stats: false, distinct: None, top: None };
        let v = CountBy {
            matcher: Matcher { selection: &selection, prefilter: &prefilter, seen: None },
            grouping: &grouping,
        };
        let mut acc = v.new_acc();
        let (x, y) = (
            br#"{"eventSource":"s","eventName":"E","a":"x","b":1}"#,
            br#"{"eventSource":"s","eventName":"E","a":"y"}"#,
        );
        for raw in [&x[..], x, y] {
            v.record(&mut acc, 0, 0, raw).unwrap();
        }
        let rows = acc.rows(&grouping);
        assert_eq!((rows[0].key.clone(), rows[0].count), (vec![Some("x".to_string()), Some("1".to_string())], 2));
        assert_eq!((rows[1].key.clone(), rows[1].count), (vec![Some("y".to_string()), None], 1));
    }
}
