//! Ordered output in bounded memory: matches beyond a bound are sorted into runs on temporary
//! files and merged on output.
//!
//! Each task's [`Matches`] is offered to the [`Spill`] as it grows; once it holds more than the
//! run size it is sorted, its copies dropped, and written out as one run. On output the runs
//! (and what is still in memory) are merged by the same key as the in-memory sort (eventTime,
//! input, position), so the bytes printed are the same whether anything was spilled or not,
//! whatever the threads did. Copies of one event are byte-identical, so they share an eventTime
//! and meet in the merge one after another: only the digests of the current eventTime are kept
//! to drop them. Runs are anonymous temporary files (removed by the system when closed) in a
//! directory the caller chooses outside the evidence; past [`MAX_RUNS`] they are merged into
//! one, so open files stay few.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::fs::File;
use std::io::{self, BufWriter, IoSlice, Read, Seek, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use super::collect::{ChunkPool, Entry, Matches, Source};

/// Runs held before they are merged into one.
pub const MAX_RUNS: usize = 64;

/// Where sorted runs go; shared by the tasks of one scan.
#[derive(Debug)]
pub struct Spill {
    dir: PathBuf,
    run_bytes: u64,
    runs: Mutex<Vec<File>>,
    error: Mutex<Option<io::Error>>,
    failed: AtomicBool,
    /// The chunks of stores emptied into runs, for the stores that grow next (a run's worth).
    pool: std::sync::Arc<ChunkPool>,
}

impl Spill {
    /// Runs go to anonymous files in `dir`; a task's matches are written out once they hold
    /// more than `run_bytes`.
    pub fn new(dir: PathBuf, run_bytes: u64) -> Spill {
        let pool = std::sync::Arc::default();
        Spill { dir, run_bytes, runs: Mutex::default(), error: Mutex::default(), failed: AtomicBool::new(false), pool }
    }

    /// The pool the stores offered here should take their chunks from ([`Matches::recycling`]).
    pub fn pool(&self) -> std::sync::Arc<ChunkPool> {
        self.pool.clone()
    }

    /// Writes `matches` out as a sorted run when it holds more than the run size.
    pub fn offer(&self, matches: &mut Matches) {
        if matches.footprint() <= self.run_bytes || self.failed() {
            return;
        }
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        let written = write_run(&self.dir, |file| matches.drain_sorted(|entries| write_entries(file, entries)))
            .and_then(|run| {
                runs.push(run);
                if runs.len() >= MAX_RUNS {
                    // Copies are left for the final merge, which counts them.
                    let all = std::mem::take(&mut *runs);
                    let merged = write_run(&self.dir, |file| {
                        let mut w = BufWriter::with_capacity(1 << 16, file);
                        merge(open(all), None, false, &mut 0, |e| write_entry(&mut w, e))?;
                        w.flush()
                    })?;
                    runs.push(merged);
                }
                Ok(())
            });
        if let Err(e) = written {
            self.failed.store(true, Ordering::Relaxed);
            self.error.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(e);
        }
    }

    /// Whether writing a run failed (the scan should stop; see [`Spill::finish`]).
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// How many runs are on disk.
    pub fn runs(&self) -> usize {
        self.runs.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// The matches in output order: `matches` itself when nothing was spilled, else the merge
    /// of the runs and of `matches` (sorted in memory: what is still held is not written out
    /// only to be read back). Fails with the error of a run that could not be written.
    pub fn finish(self, mut matches: Matches) -> io::Result<Sorted> {
        if let Some(e) = self.error.into_inner().unwrap_or_else(PoisonError::into_inner) {
            return Err(e);
        }
        let runs = self.runs.into_inner().unwrap_or_else(PoisonError::into_inner);
        self.pool.clear();
        matches.finish();
        if runs.is_empty() {
            return Ok(Sorted::Memory(matches));
        }
        Ok(Sorted::Runs { readers: open(runs), matches })
    }
}

/// Matches in output order, from memory or merged from runs.
#[derive(Debug)]
pub enum Sorted {
    Memory(Matches),
    /// The runs, and the matches still in memory (sorted), whose counters hold the totals so far.
    Runs {
        readers: Vec<RunReader>,
        matches: Matches,
    },
}

impl Sorted {
    /// Calls `f` with each event in output order, copies dropped, stopping at the first error.
    /// [`Sorted::matched`] and [`Sorted::copies`] are final after it.
    pub fn for_each(&mut self, mut f: impl FnMut(&[u8], Source) -> io::Result<()>) -> io::Result<()> {
        self.for_each_tagged(|raw, source, _| f(raw, source))
    }

    /// As [`Sorted::for_each`], with each match's tag ([`Matches::push_tagged`]).
    pub fn for_each_tagged(&mut self, mut f: impl FnMut(&[u8], Source, &[u8]) -> io::Result<()>) -> io::Result<()> {
        match self {
            Sorted::Memory(matches) => matches.for_each_sorted_tagged(f),
            Sorted::Runs { readers, matches } => {
                let mut copies = 0;
                let dedup = matches.dedups();
                let result = merge(std::mem::take(readers), Some(matches), dedup, &mut copies, |e| {
                    f(e.raw, Source { file: e.file, index: e.ordinal }, e.tag)
                });
                matches.add_copies(copies);
                result
            }
        }
    }

    /// As [`Sorted::for_each_tagged`] (without the sources), with the runs read back and merged
    /// on another thread, a batch of about [`BATCH`] bytes ahead of `f`: reading back the runs
    /// and what `f` does with each match (formatting, printing) overlap. An error of `f` stops
    /// the reading and is returned.
    pub fn for_each_tagged_ahead(&mut self, mut f: impl FnMut(&[u8], &[u8]) -> io::Result<()>) -> io::Result<()> {
        let (full, filled) = std::sync::mpsc::sync_channel::<Batch>(4);
        let (empty, emptied) = std::sync::mpsc::channel::<Batch>();
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || {
                let mut batch = Batch::new();
                self.for_each_tagged(|raw, _, tag| {
                    batch.push(raw, tag);
                    if batch.bytes.len() >= BATCH {
                        let next = emptied.try_recv().unwrap_or_else(|_| Batch::new());
                        full.send(std::mem::replace(&mut batch, next))
                            .map_err(|_| io::Error::other("the output stopped"))?;
                    }
                    Ok(())
                })?;
                // The receiver is gone only when `f` failed; its error is the one returned.
                let _ = full.send(batch);
                Ok(())
            });
            let mut printed = Ok(());
            for mut batch in filled.iter() {
                printed = batch.for_each(&mut f);
                if printed.is_err() {
                    break;
                }
                batch.clear();
                let _ = empty.send(batch);
            }
            // Unblocks the reader if it is waiting to hand on a batch.
            drop(filled);
            let read =
                reader.join().unwrap_or_else(|_| Err(io::Error::other("the reader of the sorted runs panicked")));
            printed.and(read)
        })
    }

    /// Matches found, copies not counted.
    pub fn matched(&self) -> u64 {
        match self {
            Sorted::Memory(m) | Sorted::Runs { matches: m, .. } => m.matched(),
        }
    }

    /// Copies of events delivered more than once dropped.
    pub fn copies(&self) -> u64 {
        match self {
            Sorted::Memory(m) | Sorted::Runs { matches: m, .. } => m.copies(),
        }
    }
}

/// Bytes of matches handed at once from the reading thread to the printing one.
pub const BATCH: usize = 1 << 20;

/// Matches in output order (raw event, then tag), copied into one buffer.
#[derive(Debug)]
struct Batch {
    bytes: Vec<u8>,
    /// Where each match's raw event and tag end.
    ends: Vec<(usize, usize)>,
}

impl Batch {
    /// An empty batch with room for [`BATCH`] bytes and a last match past them.
    fn new() -> Batch {
        Batch { bytes: Vec::with_capacity(BATCH + BATCH / 4), ends: Vec::new() }
    }

    fn push(&mut self, raw: &[u8], tag: &[u8]) {
        self.bytes.extend_from_slice(raw);
        let raw_end = self.bytes.len();
        self.bytes.extend_from_slice(tag);
        self.ends.push((raw_end, self.bytes.len()));
    }

    fn for_each(&self, f: &mut impl FnMut(&[u8], &[u8]) -> io::Result<()>) -> io::Result<()> {
        let mut start = 0;
        for &(raw_end, end) in &self.ends {
            f(&self.bytes[start..raw_end], &self.bytes[raw_end..end])?;
            start = end;
        }
        Ok(())
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }
}

/// Writes one run with `fill` into a new anonymous file in `dir`, rewound for reading.
fn write_run(dir: &std::path::Path, fill: impl FnOnce(&mut File) -> io::Result<()>) -> io::Result<File> {
    let mut file = tempfile::tempfile_in(dir)?;
    fill(&mut file)?;
    file.rewind()?;
    Ok(file)
}

/// Bytes before each entry's raw event and tag in a run: eventTime, input, position, whether a
/// digest follows, the digest, the lengths of the raw event and of the tag.
const HEAD: usize = 41;

/// The bytes before an entry's raw event and tag in a run.
fn head(e: &Entry<'_>) -> [u8; HEAD] {
    let mut head = [0u8; HEAD];
    head[0..8].copy_from_slice(&e.time.to_le_bytes());
    head[8..16].copy_from_slice(&(e.file as u64).to_le_bytes());
    head[16..24].copy_from_slice(&e.ordinal.to_le_bytes());
    head[24] = u8::from(e.digest.is_some());
    head[25..33].copy_from_slice(&e.digest.unwrap_or(0).to_le_bytes());
    head[33..37].copy_from_slice(&(e.raw.len() as u32).to_le_bytes());
    head[37..41].copy_from_slice(&(e.tag.len() as u32).to_le_bytes());
    head
}

fn write_entry(w: &mut impl Write, e: &Entry<'_>) -> io::Result<()> {
    w.write_all(&head(e))?;
    w.write_all(e.raw)?;
    w.write_all(e.tag)
}

/// Entries written at once by [`write_entries`]: three slices each, within the usual limit of
/// 1024 slices per system call.
const GATHERED: usize = 340;

/// Writes `entries` as [`write_entry`] does, without copying them: the heads of a batch of
/// [`GATHERED`] entries are made, then the heads, events and tags are handed to the system in
/// one vectored write (a run is a gigabyte of events on a dense hunt: copying them through a
/// buffer was a fifth of writing the run).
fn write_entries<'m>(w: &mut impl Write, entries: &mut dyn Iterator<Item = Entry<'m>>) -> io::Result<()> {
    let mut batch: Vec<(Entry<'m>, [u8; HEAD])> = Vec::with_capacity(GATHERED);
    loop {
        batch.clear();
        batch.extend(entries.take(GATHERED).map(|e| (e, head(&e))));
        if batch.is_empty() {
            return Ok(());
        }
        let mut slices: Vec<IoSlice<'_>> =
            batch.iter().flat_map(|(e, head)| [IoSlice::new(head), IoSlice::new(e.raw), IoSlice::new(e.tag)]).collect();
        let mut rest = &mut slices[..];
        while !rest.is_empty() {
            match w.write_vectored(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => IoSlice::advance_slices(&mut rest, n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Bytes read from a run at once.
const BLOCK: usize = 128 << 10;

/// Reads one run back a block at a time; the current entry is read in place in the block.
#[derive(Debug)]
pub struct RunReader {
    file: File,
    /// Bytes read: `start..end` not yet consumed, the current entry first (`len` bytes).
    block: Vec<u8>,
    start: usize,
    len: usize,
    end: usize,
    time: i64,
    file_index: usize,
    ordinal: u64,
    digest: Option<u64>,
    raw_len: usize,
}

impl RunReader {
    fn new(file: File) -> RunReader {
        RunReader {
            file,
            block: Vec::new(),
            start: 0,
            len: 0,
            end: 0,
            time: 0,
            file_index: 0,
            ordinal: 0,
            digest: None,
            raw_len: 0,
        }
    }

    /// Reads the next entry; `false` at the end of the run.
    fn advance(&mut self) -> io::Result<bool> {
        self.start += self.len;
        self.len = 0;
        if !self.fill(HEAD)? {
            return match self.end - self.start {
                0 => Ok(false),
                _ => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "a sorted run ends inside an entry")),
            };
        }
        let head = &self.block[self.start..self.start + HEAD];
        let word = |at: usize| u64::from_le_bytes(head[at..at + 8].try_into().unwrap_or_default());
        let half = |at: usize| u32::from_le_bytes(head[at..at + 4].try_into().unwrap_or_default()) as usize;
        self.time = word(0) as i64;
        self.file_index = word(8) as usize;
        self.ordinal = word(16);
        self.digest = (head[24] == 1).then(|| word(25));
        self.raw_len = half(33);
        let len = HEAD + self.raw_len + half(37);
        if !self.fill(len)? {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "a sorted run ends inside an entry"));
        }
        self.len = len;
        Ok(true)
    }

    /// Reads until at least `n` bytes are unconsumed, moving them to the front of the block
    /// (grown to hold them) first when needed; `false` when the run ends before.
    fn fill(&mut self, n: usize) -> io::Result<bool> {
        if self.end - self.start >= n {
            return Ok(true);
        }
        self.block.copy_within(self.start..self.end, 0);
        (self.end, self.start) = (self.end - self.start, 0);
        if self.block.len() < n.max(BLOCK) {
            self.block.resize(n.max(BLOCK), 0);
        }
        while self.end < n {
            match self.file.read(&mut self.block[self.end..]) {
                Ok(0) => return Ok(false),
                Ok(read) => self.end += read,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    fn entry(&self) -> Entry<'_> {
        let raw = self.start + HEAD;
        let (raw, tag) = (&self.block[raw..raw + self.raw_len], &self.block[raw + self.raw_len..self.start + self.len]);
        Entry { time: self.time, file: self.file_index, ordinal: self.ordinal, digest: self.digest, raw, tag }
    }
}

fn open(runs: Vec<File>) -> Vec<RunReader> {
    runs.into_iter().map(RunReader::new).collect()
}

/// Where the merge takes entries from: a run on disk, or the sorted matches still in memory.
enum Cursor<'m> {
    Run(RunReader),
    Memory {
        matches: &'m Matches,
        next: usize,
    },
    /// A run read to its end and let go ([`Cursor::close`]).
    Closed,
}

impl Cursor<'_> {
    /// Moves to the next entry; `false` at the end.
    fn advance(&mut self) -> io::Result<bool> {
        match self {
            Cursor::Run(reader) => reader.advance(),
            Cursor::Memory { matches, next } => {
                *next += 1;
                Ok(*next <= matches.len())
            }
            Cursor::Closed => Ok(false),
        }
    }

    /// The current entry (after [`Cursor::advance`] said there is one; empty once closed).
    fn entry(&self) -> Entry<'_> {
        match self {
            Cursor::Run(reader) => reader.entry(),
            Cursor::Memory { matches, next } => matches.entry(*next - 1),
            Cursor::Closed => Entry { time: 0, file: 0, ordinal: 0, digest: None, raw: &[], tag: &[] },
        }
    }

    /// Lets go of a run read to its end. Its file is closed on another thread: closing the
    /// deleted file makes the system drop its pages from the page cache, work that the merge
    /// (and the output waiting for it) need not wait for (all runs closed at the end of a dense
    /// hunt's merge held its last batch of output back by a twentieth of its time). Should no
    /// thread start, the file is closed here.
    fn close(&mut self) {
        if let Cursor::Run(reader) = std::mem::replace(self, Cursor::Closed) {
            let _ = std::thread::Builder::new().name("ctl-close-run".into()).spawn(move || drop(reader));
        }
    }
}

/// Merges sorted runs (and the sorted matches in `memory`) into `out` in output order. With
/// `dedup`, an entry whose digest was already seen at the same eventTime is a copy: counted in
/// `copies`, not passed on.
fn merge(
    readers: Vec<RunReader>,
    memory: Option<&Matches>,
    dedup: bool,
    copies: &mut u64,
    mut out: impl FnMut(&Entry<'_>) -> io::Result<()>,
) -> io::Result<()> {
    let mut readers: Vec<Cursor<'_>> = readers.into_iter().map(Cursor::Run).collect();
    readers.extend(memory.map(|matches| Cursor::Memory { matches, next: 0 }));
    let mut heap = BinaryHeap::new();
    for (i, reader) in readers.iter_mut().enumerate() {
        if reader.advance()? {
            heap.push(Reverse((reader.entry().key(), i)));
        }
    }
    let mut seen = SameTime::default();
    while let Some(mut top) = heap.peek_mut() {
        let Reverse((_, i)) = *top;
        let entry = readers[i].entry();
        if dedup && seen.is_copy(entry.time, entry.digest) {
            *copies += 1;
        } else {
            out(&entry)?;
        }
        // The next entry of the same run takes the top's place: one sift, not a pop and a push.
        if readers[i].advance()? {
            *top = Reverse((readers[i].entry().key(), i));
        } else {
            std::collections::binary_heap::PeekMut::pop(top);
            readers[i].close();
        }
    }
    Ok(())
}

/// The digests of the entries of the current eventTime, to recognize copies in a merge.
/// An eventTime has few entries: they are looked for in a list, and in a set past [`FEW`].
#[derive(Debug, Default)]
pub(crate) struct SameTime {
    time: Option<i64>,
    few: Vec<u64>,
    many: HashSet<u64>,
}

/// Digests of one eventTime looked for one by one; more go to a set.
const FEW: usize = 32;

impl SameTime {
    /// Whether the event of eventTime `time` and `digest` is a copy of one seen before at its
    /// eventTime (events come in output order; without a digest, never).
    pub(crate) fn is_copy(&mut self, time: i64, digest: Option<u64>) -> bool {
        if self.time != Some(time) {
            self.time = Some(time);
            self.few.clear();
            // (Clearing a set that grew once sweeps its whole table: only when it holds some.)
            if !self.many.is_empty() {
                self.many.clear();
            }
        }
        let Some(digest) = digest else { return false };
        if self.few.len() < FEW {
            if self.few.contains(&digest) {
                return true;
            }
            self.few.push(digest);
            return false;
        }
        self.few.contains(&digest) || !self.many.insert(digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An event whose digest (copies dropped) is read from its text, as a real one.
    fn event(id: &str, pad: usize) -> Vec<u8> {
        format!(r#"{{"eventID":"{id}","pad":"{}"}}"#, "x".repeat(pad)).into_bytes()
    }

    /// What a sorted output hands out: the events and their tags, copied.
    fn drained(sorted: &mut Sorted) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        sorted
            .for_each_tagged(|raw, _, tag| {
                out.push((raw.to_vec(), tag.to_vec()));
                Ok(())
            })
            .unwrap();
        out
    }

    #[test]
    fn runs_and_the_matches_in_memory_merge_as_one_sort_without_copies() {
        let dir = tempfile::tempdir().unwrap();
        // A run as soon as a store holds anything: every store below but the last goes to disk.
        let spill = Spill::new(dir.path().to_path_buf(), 1);
        let big = event("big", 3 * BLOCK);
        let mut expected = Vec::new();
        let mut last = Matches::new(true).recycling(spill.pool());
        for (store, times) in [[40, 10, 30], [20, 50, 10], [60, 5, 45]].iter().enumerate() {
            let mut matches = Matches::new(true).recycling(spill.pool());
            for (i, &time) in times.iter().enumerate() {
                let raw = if (store, i) == (1, 0) { big.clone() } else { event(&format!("{store}-{i}"), 100 * i) };
                matches.push_tagged(time, store, i as u64, &raw, &[store as u8, i as u8]);
                expected.push(((time, store, i as u64), raw, vec![store as u8, i as u8]));
            }
            // A copy of the event at time 10 of the first store, delivered again later.
            if store == 2 {
                matches.push_tagged(10, 7, 0, &event("0-1", 100), b"copy");
            }
            if store < 2 {
                spill.offer(&mut matches);
                assert!(matches.is_empty());
            }
            // As the scan merges its tasks' stores: the counters add up.
            last = last.merge(matches);
        }
        assert_eq!(spill.runs(), 2);
        let mut sorted = spill.finish(last).unwrap();
        expected.sort_by_key(|e| e.0);
        let want: Vec<(Vec<u8>, Vec<u8>)> = expected.into_iter().map(|(_, raw, tag)| (raw, tag)).collect();
        assert_eq!(drained(&mut sorted), want);
        assert_eq!((sorted.matched(), sorted.copies()), (9, 1));
    }

    #[test]
    fn copies_are_recognized_among_many_events_of_one_time() {
        let mut seen = SameTime::default();
        for digest in 0..100 {
            assert!(!seen.is_copy(5, Some(digest)));
        }
        assert!(seen.is_copy(5, Some(3)) && seen.is_copy(5, Some(70)), "in the list and in the set");
        assert!(!seen.is_copy(5, None) && !seen.is_copy(5, None), "no digest, never a copy");
        assert!(!seen.is_copy(6, Some(3)) && seen.is_copy(6, Some(3)), "a new eventTime starts afresh");
    }

    #[test]
    fn a_run_cut_short_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut matches = Matches::new(false);
        matches.push_tagged(1, 0, 0, &event("a", 10), b"");
        let file = write_run(dir.path(), |w| matches.drain_sorted(|entries| write_entries(w, entries))).unwrap();
        let len = file.metadata().unwrap().len();
        file.set_len(len - 3).unwrap();
        let result = merge(open(vec![file]), None, false, &mut 0, |_| Ok(()));
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }
}
