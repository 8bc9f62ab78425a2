//! The matches of correlated rules, kept in bounded memory until the correlations are swept.
//!
//! While scanning, each match of a rule a correlation uses becomes an [`Observation`] (its
//! time, which of the correlation's rules matched, the digest of its group-by values, the value
//! the aggregation reads); the texts of a group's values are kept once per group. A task's
//! observations are offered to the [`Runs`] as they grow: past the run size they are sorted by
//! correlation, group and time and written out as one run to an anonymous temporary file (a
//! group's texts with its first observation in the run), and memory is freed. At the end the
//! runs (and what is still in memory) are merged in that order and each group's observations
//! stream through [`Sweep`], which holds only the group's current window: memory does not grow
//! with the number of groups nor with the number of matches.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::correlate::{Correlation, Hit, Sweep};
use crate::event::Event;

/// Runs held before they are merged into one, so that open files stay few.
const MAX_RUNS: usize = 64;

/// One match of a correlated rule.
#[derive(Debug, Clone, Copy)]
pub struct Observation {
    pub time_ms: i64,
    /// Which of the correlation's rules matched (its position in `rules`).
    pub slot: u16,
    /// The digest of the group-by values.
    pub group: u64,
    /// The aggregated value: the digest of the field's text (`value_count`) or its number.
    pub value: Option<f64>,
    pub value_digest: u64,
    /// Where the event was read (input number, then record number): the order of events with
    /// the same time, so that the sweep is the same whatever the threads did.
    pub seq: (u32, u64),
}

/// The group-by values of one group, as text (`None` where the event lacks the field).
pub type GroupTexts = Vec<Option<String>>;

/// The digest of a list of texts (group-by values, or one aggregated value).
pub(crate) fn digest(parts: &[Option<std::borrow::Cow<'_, str>>]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

/// What one task has observed for every correlation of a rule set.
#[derive(Debug, Default)]
pub struct Observations {
    per: Vec<Vec<Observation>>,
    /// The group-by texts of each group seen, by correlation and digest.
    groups: Vec<HashMap<u64, GroupTexts>>,
    /// Bytes held: observations, and the groups' texts.
    bytes: u64,
}

/// Bytes a group's texts hold (counted in the footprint; the map's own cost included).
fn texts_bytes(texts: &GroupTexts) -> u64 {
    (64 + texts.iter().map(|t| 24 + t.as_ref().map_or(0, String::len)).sum::<usize>()) as u64
}

impl Observations {
    pub fn new(correlations: usize) -> Observations {
        Observations { per: vec![Vec::new(); correlations], groups: vec![HashMap::new(); correlations], bytes: 0 }
    }

    /// Records that `event` (at `time_ms`, read at `seq`) matched slot `slot` of correlation `index`.
    pub fn observe(
        &mut self,
        index: usize,
        c: &Correlation,
        slot: usize,
        event: &Event<'_>,
        time_ms: i64,
        seq: (u32, u64),
    ) {
        let values: Vec<Option<std::borrow::Cow<'_, str>>> =
            c.group_by[slot].iter().map(|f| event.first_text(f)).collect();
        let group = digest(&values);
        if let std::collections::hash_map::Entry::Vacant(entry) = self.groups[index].entry(group) {
            let texts: GroupTexts = values.iter().map(|v| v.as_ref().map(|s| s.to_string())).collect();
            self.bytes += texts_bytes(&texts);
            entry.insert(texts);
        }
        let text = c.field.as_ref().and_then(|f| event.first_text(f));
        let value = text.as_deref().and_then(|t| t.trim().parse::<f64>().ok());
        let value_digest = digest(&[text]);
        self.per[index].push(Observation { time_ms, slot: slot as u16, group, value, value_digest, seq });
        self.bytes += std::mem::size_of::<Observation>() as u64;
    }

    /// Both tasks' observations. The larger of each pair of lists and maps takes in the other
    /// (their order does not matter: runs are sorted), so that its room is used rather than
    /// fresh memory for a larger one.
    pub fn merge(mut self, mut other: Observations) -> Observations {
        for (mine, theirs) in self.per.iter_mut().zip(&mut other.per) {
            if theirs.capacity() > mine.capacity() {
                std::mem::swap(mine, theirs);
            }
            mine.extend_from_slice(theirs);
        }
        for (mine, theirs) in self.groups.iter_mut().zip(&mut other.groups) {
            if theirs.capacity() > mine.capacity() {
                std::mem::swap(mine, theirs);
            }
            for (group, texts) in theirs.drain() {
                match mine.entry(group) {
                    std::collections::hash_map::Entry::Occupied(_) => self.bytes -= texts_bytes(&texts),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(texts);
                    }
                }
            }
        }
        self.bytes += other.bytes;
        self
    }

    /// Observations held in memory.
    pub fn len(&self) -> usize {
        self.per.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Empties the store in run order (correlation, group, time, input order, slot), each
    /// observation with its group's texts when it is the first of its group. The lists and
    /// maps keep their room for the observations that come next (a run's worth at most, as
    /// the store before it spilled): growing them afresh after every run was a third of a
    /// dense hunt's page faults.
    fn drain_sorted(&mut self, mut f: impl FnMut(Item) -> io::Result<()>) -> io::Result<()> {
        let Observations { per, groups, bytes } = self;
        for (correlation, (obs, groups)) in per.iter_mut().zip(groups.iter_mut()).enumerate() {
            obs.sort_unstable_by_key(|o| (o.group, o.time_ms, o.seq, o.slot));
            let mut last = None;
            for &o in obs.iter() {
                // A group's observations follow one another: its texts go with the first.
                let texts = if last != Some(o.group) { groups.remove(&o.group) } else { None };
                last = Some(o.group);
                f(Item { correlation: correlation as u32, obs: o, texts })?;
            }
            obs.clear();
            groups.clear();
        }
        *bytes = 0;
        Ok(())
    }

    /// Sweeps every correlation over the observations (those written to `runs` and those still
    /// held); the hits sorted by time. Fails with the error of a run that could not be written
    /// or read back.
    pub fn finish(mut self, runs: Runs, correlations: &[Correlation]) -> io::Result<Vec<Hit>> {
        if let Some(e) = runs.error.into_inner().unwrap_or_else(PoisonError::into_inner) {
            return Err(e);
        }
        let mut sources: Vec<Source> =
            runs.files.into_inner().unwrap_or_else(PoisonError::into_inner).into_iter().map(Source::file).collect();
        let mut held = Vec::with_capacity(self.len());
        self.drain_sorted(|item| {
            held.push(item);
            Ok(())
        })?;
        sources.push(Source::Memory(held.into_iter()));
        let mut sweeping = Sweeping { correlations, current: None, fired: Vec::new(), hits: Vec::new() };
        merge(sources, |item| {
            sweeping.feed(item);
            Ok(())
        })?;
        sweeping.close_group();
        let mut hits = sweeping.hits;
        hits.sort_by_key(|h| (h.last_ms, h.correlation));
        Ok(hits)
    }
}

/// The sweep of the merged observations, one group at a time.
struct Sweeping<'c> {
    correlations: &'c [Correlation],
    /// The group being swept: its correlation, digest and texts.
    current: Option<(u32, u64, GroupTexts, Sweep<'c>)>,
    fired: Vec<(i64, i64, f64, u64)>,
    hits: Vec<Hit>,
}

impl<'c> Sweeping<'c> {
    fn feed(&mut self, item: Item) {
        let same = self.current.as_ref().is_some_and(|(c, g, ..)| *c == item.correlation && *g == item.obs.group);
        if !same {
            self.close_group();
            let sweep = Sweep::new(&self.correlations[item.correlation as usize]);
            self.current = Some((item.correlation, item.obs.group, item.texts.unwrap_or_default(), sweep));
        }
        if let Some((_, _, _, sweep)) = &mut self.current {
            sweep.push(item.obs, &mut self.fired);
        }
        self.take_fired();
    }

    fn close_group(&mut self) {
        if let Some((_, _, _, sweep)) = &mut self.current {
            sweep.end(&mut self.fired);
        }
        self.take_fired();
        self.current = None;
    }

    fn take_fired(&mut self) {
        let Some((correlation, _, texts, _)) = &self.current else { return };
        for (first_ms, last_ms, value, events) in self.fired.drain(..) {
            let group = texts.clone();
            self.hits.push(Hit { correlation: *correlation as usize, first_ms, last_ms, value, events, group });
        }
    }
}

/// Where sorted runs of observations go; shared by the tasks of one scan.
#[derive(Debug)]
pub struct Runs {
    dir: PathBuf,
    run_bytes: u64,
    files: Mutex<Vec<File>>,
    error: Mutex<Option<io::Error>>,
    failed: AtomicBool,
}

impl Runs {
    /// Runs go to anonymous files in `dir`; a task's observations are written out once they
    /// hold more than `run_bytes`.
    pub fn new(dir: PathBuf, run_bytes: u64) -> Runs {
        Runs { dir, run_bytes, files: Mutex::default(), error: Mutex::default(), failed: AtomicBool::new(false) }
    }

    /// Writes `held` out as a sorted run when it holds more than the run size.
    pub fn offer(&self, held: &mut Observations) {
        if held.bytes <= self.run_bytes || self.failed() {
            return;
        }
        let mut files = self.files.lock().unwrap_or_else(PoisonError::into_inner);
        let written = write_run(&self.dir, |w| held.drain_sorted(|item| item.write(w))).and_then(|run| {
            files.push(run);
            if files.len() >= MAX_RUNS {
                let all = std::mem::take(&mut *files).into_iter().map(Source::file).collect();
                files.push(write_run(&self.dir, |w| merge(all, |item| item.write(w)))?);
            }
            Ok(())
        });
        if let Err(e) = written {
            self.failed.store(true, Ordering::Relaxed);
            self.error.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(e);
        }
    }

    /// Whether writing a run failed (the scan should stop; [`Observations::finish`] says why).
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// How many runs are on disk.
    pub fn len(&self) -> usize {
        self.files.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An observation in a run, with its correlation, and its group's texts when it is the first
/// of its group in the run.
#[derive(Debug)]
struct Item {
    correlation: u32,
    obs: Observation,
    texts: Option<GroupTexts>,
}

/// Marks an absent text (or absent texts) where a length would be.
const NONE: u32 = u32::MAX;

impl Item {
    fn key(&self) -> (u32, u64, i64, (u32, u64), u16) {
        let o = &self.obs;
        (self.correlation, o.group, o.time_ms, o.seq, o.slot)
    }

    fn write(&self, w: &mut impl Write) -> io::Result<()> {
        let o = &self.obs;
        let mut head = [0u8; 51];
        head[0..4].copy_from_slice(&self.correlation.to_le_bytes());
        head[4..12].copy_from_slice(&o.time_ms.to_le_bytes());
        head[12..14].copy_from_slice(&o.slot.to_le_bytes());
        head[14..22].copy_from_slice(&o.group.to_le_bytes());
        head[22] = u8::from(o.value.is_some());
        head[23..31].copy_from_slice(&o.value.unwrap_or(0.0).to_le_bytes());
        head[31..39].copy_from_slice(&o.value_digest.to_le_bytes());
        head[39..43].copy_from_slice(&o.seq.0.to_le_bytes());
        head[43..51].copy_from_slice(&o.seq.1.to_le_bytes());
        w.write_all(&head)?;
        let Some(texts) = &self.texts else { return w.write_all(&NONE.to_le_bytes()) };
        w.write_all(&(texts.len() as u32).to_le_bytes())?;
        for text in texts {
            match text {
                Some(t) => {
                    w.write_all(&(t.len() as u32).to_le_bytes())?;
                    w.write_all(t.as_bytes())?;
                }
                None => w.write_all(&NONE.to_le_bytes())?,
            }
        }
        Ok(())
    }

    /// Reads the next item of a run; `None` at its end.
    fn read(r: &mut impl Read) -> io::Result<Option<Item>> {
        let mut head = [0u8; 51];
        match r.read_exact(&mut head[..1]) {
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            other => other?,
        }
        r.read_exact(&mut head[1..])?;
        let u32_at = |at: usize| u32::from_le_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
        let u64_at = |at: usize| u64::from_le_bytes(head[at..at + 8].try_into().unwrap_or_default());
        let obs = Observation {
            time_ms: u64_at(4) as i64,
            slot: u16::from_le_bytes([head[12], head[13]]),
            group: u64_at(14),
            value: (head[22] == 1).then(|| f64::from_bits(u64_at(23))),
            value_digest: u64_at(31),
            seq: (u32_at(39), u64_at(43)),
        };
        let count = read_u32(r)?;
        let texts = if count == NONE {
            None
        } else {
            let mut texts = Vec::with_capacity(count.min(64) as usize);
            for _ in 0..count {
                let len = read_u32(r)?;
                texts.push(if len == NONE {
                    None
                } else {
                    let mut bytes = vec![0; len as usize];
                    r.read_exact(&mut bytes)?;
                    Some(String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?)
                });
            }
            Some(texts)
        };
        Ok(Some(Item { correlation: u32_at(0), obs, texts }))
    }
}

fn read_u32(r: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

/// A sorted run being read: from a file, or what was still in memory.
enum Source {
    File(BufReader<File>),
    Memory(std::vec::IntoIter<Item>),
}

impl Source {
    fn file(file: File) -> Source {
        Source::File(BufReader::with_capacity(1 << 16, file))
    }

    fn next(&mut self) -> io::Result<Option<Item>> {
        match self {
            Source::File(r) => Item::read(r),
            Source::Memory(items) => Ok(items.next()),
        }
    }
}

/// Merges sorted runs into `out` in run order. A group's texts ride with the first item of the
/// group that the merge hands on (each run's first item of a group carries them).
fn merge(mut sources: Vec<Source>, mut out: impl FnMut(Item) -> io::Result<()>) -> io::Result<()> {
    let mut heads: Vec<Option<Item>> = Vec::with_capacity(sources.len());
    let mut heap = BinaryHeap::new();
    for (i, source) in sources.iter_mut().enumerate() {
        let item = source.next()?;
        if let Some(item) = &item {
            heap.push(Reverse((item.key(), i)));
        }
        heads.push(item);
    }
    let mut last: Option<(u32, u64)> = None;
    while let Some(Reverse((_, i))) = heap.pop() {
        let Some(mut item) = heads[i].take() else { continue };
        let group = (item.correlation, item.obs.group);
        if last == Some(group) {
            item.texts = None;
        }
        last = Some(group);
        heads[i] = sources[i].next()?;
        if let Some(next) = &heads[i] {
            heap.push(Reverse((next.key(), i)));
        }
        out(item)?;
    }
    Ok(())
}

/// Writes one run with `fill` into a new anonymous file in `dir`, rewound for reading.
fn write_run(dir: &std::path::Path, fill: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>) -> io::Result<File> {
    let mut writer = BufWriter::with_capacity(1 << 16, tempfile::tempfile_in(dir)?);
    fill(&mut writer)?;
    let mut file = writer.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.rewind()?;
    Ok(file)
}
