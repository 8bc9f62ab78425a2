//! One partition's rows waiting to become a row group, their order in it, and their encoding.
//!
//! Rows wait as the JSON records they came in ([`Records`]: the records' bytes and, for each,
//! its sort keys), and become Arrow columns only when their group is written, already in the
//! group's order: nothing is copied from column to column to reorder them.
//!
//! A row group is written sorted by (`eventsource`, `eventname`, `eventtimestamp`), nulls
//! first: the rows of one API call are then contiguous, so the statistics of each page of
//! `eventname` (its min and max, in the page index) tell a reader which few pages may hold an
//! event name, and a selective query decompresses those pages only. Rows equal on the three
//! keep the order they came in.
//!
//! A group is encoded [`CHUNK_ROWS`] rows at a time ([`Group::encode`]), each chunk handed to
//! the writer before the next is made, so writing a group costs one chunk of columns beyond
//! its records (one chunk per thread when chunks are encoded in parallel).

use std::collections::HashMap;
use std::mem::size_of;
use std::ops::Range;

use arrow_array::RecordBatch;
use cloudtrail::record::EventView;
use cwl_filter::json::{self, SyntaxError};

use crate::encode::Rows;

/// Rows encoded and handed to the writer at a time when a group is written.
pub const CHUNK_ROWS: usize = 8192;

/// Bytes of JSON encoded at a time, at most (unless one record is larger): each text column
/// of a chunk then holds less than the 2 GiB its type allows.
pub const CHUNK_BYTES: usize = 1 << 30;

/// Bytes of sort-key text a record usually has: an `eventSource` and an `eventName`
/// (`ec2.amazonaws.com`, `DescribeInstances`).
const KEY_BYTES: usize = 32;

/// Records selected for one partition, in the order they came in, with their sort keys.
#[derive(Default)]
pub struct Records {
    /// The records' bytes, one after the other.
    bytes: Vec<u8>,
    /// The sort keys' text (decoded), one after the other.
    keys: Vec<u8>,
    rows: Vec<Row>,
}

/// Where one record is in [`Records`], and its sort keys.
#[derive(Debug, Clone)]
struct Row {
    record: Range<usize>,
    /// `eventSource` (its decoded text in `keys`), when it is a string.
    source: Option<Range<usize>>,
    /// `eventName`, the same way.
    name: Option<Range<usize>>,
    /// `eventTime` in milliseconds, when it is a timestamp.
    time: Option<i64>,
}

impl Records {
    /// Records with room for `records` records of `bytes` bytes of JSON in all.
    pub fn with_capacity(bytes: usize, records: usize) -> Records {
        Records {
            bytes: Vec::with_capacity(bytes),
            keys: Vec::with_capacity(records * KEY_BYTES),
            rows: Vec::with_capacity(records),
        }
    }

    /// Adds the record `raw`, whose view (made by the scan's check of it) is `view` and whose
    /// `eventTime` in milliseconds is `time`.
    pub fn push(&mut self, raw: &[u8], view: &EventView<'_>, time: Option<i64>) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(raw);
        let source = self.key(view.event_source);
        let name = self.key(view.event_name);
        self.rows.push(Row { record: start..self.bytes.len(), source, name, time });
    }

    /// Keeps the decoded text of a key's value, when it is a string.
    fn key(&mut self, value: Option<&[u8]>) -> Option<Range<usize>> {
        let text = json::str_value(value?)?;
        let start = self.keys.len();
        self.keys.extend_from_slice(text.as_bytes());
        Some(start..self.keys.len())
    }

    /// Records held.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Forgets the records held, keeping the memory.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.keys.clear();
        self.rows.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Bytes of JSON records held.
    pub fn json_bytes(&self) -> usize {
        self.bytes.len()
    }

    /// The memory held.
    pub fn memory(&self) -> usize {
        self.bytes.capacity() + self.keys.capacity() + self.rows.capacity() * size_of::<Row>()
    }

    fn record(&self, row: usize) -> &[u8] {
        &self.bytes[self.rows[row].record.clone()]
    }

    fn sort_key(&self, row: usize) -> (Option<&[u8]>, Option<&[u8]>, Option<i64>) {
        let Row { source, name, time, .. } = &self.rows[row];
        let text = |r: &Option<Range<usize>>| r.clone().map(|r| &self.keys[r]);
        (text(source), text(name), *time)
    }
}

/// The records of one partition not yet written, and the memory they hold.
#[derive(Default)]
pub struct Buffered {
    records: Vec<Records>,
    memory: usize,
}

impl Buffered {
    /// Adds records; returns the memory they hold.
    pub fn push(&mut self, records: Records) -> usize {
        let memory = records.memory();
        self.memory += memory;
        self.records.push(records);
        memory
    }

    /// The memory held.
    pub fn memory(&self) -> usize {
        self.memory
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The records held, sorted into a group; the buffer is left empty.
    pub fn take_group(&mut self) -> Group {
        self.memory = 0;
        Group::of(std::mem::take(&mut self.records))
    }
}

/// A row's (`eventSource`, `eventName`) text, `None` where it is not a string.
type Pair<'a> = (Option<&'a [u8]>, Option<&'a [u8]>);

/// A row group's records in the order of the group.
pub struct Group {
    records: Vec<Records>,
    /// (records, row) positions in the order of the group.
    order: Vec<(u32, u32)>,
}

impl Group {
    fn of(records: Vec<Records>) -> Group {
        // The (source, name) pairs are few: each is ranked once, and rows are sorted by
        // numbers (rank, then time), not by comparing text.
        let mut ranks: HashMap<Pair<'_>, u32> = HashMap::new();
        let mut keyed: Vec<(u32, Option<i64>, u32, u32)> = Vec::with_capacity(records.iter().map(Records::len).sum());
        for (b, r) in records.iter().enumerate() {
            for row in 0..r.len() {
                let (source, name, time) = r.sort_key(row);
                let next = ranks.len() as u32;
                let pair = *ranks.entry((source, name)).or_insert(next);
                keyed.push((pair, time, b as u32, row as u32));
            }
        }
        let mut pairs: Vec<_> = ranks.iter().map(|(&key, &pair)| (key, pair)).collect();
        pairs.sort_unstable();
        let mut rank = vec![0; pairs.len()];
        for (i, (_, pair)) in pairs.iter().enumerate() {
            rank[*pair as usize] = i as u32;
        }
        for key in &mut keyed {
            key.0 = rank[key.0 as usize];
        }
        // `None` sorts before `Some`: nulls first. Positions break ties: arrival order is kept.
        keyed.sort_unstable();
        let order = keyed.into_iter().map(|(_, _, b, row)| (b, row)).collect();
        Group { records, order }
    }

    /// The group's records (to be used again once it is written).
    pub fn into_records(self) -> Vec<Records> {
        self.records
    }

    /// The rows of the group.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The group's rows cut in chunks of at most `rows` rows and `bytes` bytes of JSON (or
    /// one row), in order: what [`Group::encode`] takes.
    pub fn chunks(&self, rows: usize, bytes: usize) -> impl Iterator<Item = &[(u32, u32)]> {
        let mut rest = &self.order[..];
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let mut held = 0;
            let end = rest
                .iter()
                .take(rows.max(1))
                .position(|&(b, row)| {
                    held += self.records[b as usize].rows[row as usize].record.len();
                    held > bytes
                })
                .unwrap_or(rest.len().min(rows.max(1)))
                .max(1);
            let (chunk, after) = rest.split_at(end);
            rest = after;
            Some(chunk)
        })
    }

    /// The rows of `chunk` (a slice of [`Group::chunks`]) as a batch of
    /// [`crate::schema::arrow_schema`], built in `rows` (empty; see [`Rows::reuse`]). Fails
    /// only on a record that is not a JSON object, which the scan's check of every record
    /// rules out.
    pub fn encode(&self, chunk: &[(u32, u32)], rows: &mut Rows) -> Result<RecordBatch, SyntaxError> {
        for &(b, row) in chunk {
            let records = &self.records[b as usize];
            rows.push(records.record(row as usize), records.rows[row as usize].time)?;
        }
        Ok(rows.finish())
    }
}

#[cfg(test)]
mod tests {
    use arrow_array::cast::AsArray;
    use arrow_array::Array;

    use super::*;

    fn records(events: &[(&str, &str, &str)]) -> Records {
        let mut records = Records::default();
        for (source, name, time) in events {
            let raw = format!(r#"{{"eventSource":"{source}","eventName":"{name}","eventTime":"{time}"}}"#);
            let view = EventView::parse(raw.as_bytes()).unwrap();
            records.push(raw.as_bytes(), &view, view.event_time_ms());
        }
        records
    }

    /// The event names of the group's rows, encoded in chunks by one [`Rows`] used again.
    fn names(group: &Group, chunk_rows: usize, chunk_bytes: usize) -> Vec<String> {
        let mut rows = Rows::new();
        let mut out = Vec::new();
        for chunk in group.chunks(chunk_rows, chunk_bytes) {
            let batch = group.encode(chunk, &mut rows).unwrap();
            let names = batch.column_by_name("eventname").unwrap().as_string::<i32>().clone();
            out.extend(
                (0..names.len()).map(|r| if names.is_null(r) { "-".into() } else { names.value(r).to_string() }),
            );
            drop(names);
            rows.reuse(batch);
        }
        out
    }

    #[test]
    fn rows_are_ordered_by_source_name_and_time_across_records_with_ties_in_arrival_order() {
        let mut buffered = Buffered::default();
        buffered.push(records(&[
            ("s3.amazonaws.com", "GetObject", "2024-01-01T00:00:02Z"),
            ("iam.amazonaws.com", "CreateUser", "2024-01-01T00:00:05Z"),
            ("s3.amazonaws.com", "GetObject", "2024-01-01T00:00:01Z"),
        ]));
        buffered.push(records(&[
            ("iam.amazonaws.com", "CreateUser", "2024-01-01T00:00:05Z"),
            ("cloudtrail.amazonaws.com", "StopLogging", "2024-01-01T00:00:09Z"),
        ]));
        assert!(buffered.memory() > 0);
        let group = buffered.take_group();
        assert!(buffered.is_empty() && buffered.memory() == 0);
        assert_eq!(group.order, vec![(1, 1), (0, 1), (1, 0), (0, 2), (0, 0)]);
    }

    #[test]
    fn a_group_encoded_in_chunks_holds_every_row_once_in_order() {
        let mut buffered = Buffered::default();
        buffered.push(records(&[("b", "Y", "2024-01-01T00:00:00Z"), ("a", "X", "2024-01-01T00:00:00Z")]));
        buffered.push(records(&[("a", "W", "2024-01-01T00:00:00Z")]));
        let mut raw = Records::default();
        let insight = br#"{"eventTime":"2024-01-01T00:00:00Z","insightDetails":{}}"#;
        let view = EventView::parse(insight).unwrap();
        raw.push(insight, &view, view.event_time_ms());
        buffered.push(raw);
        let group = buffered.take_group();
        assert_eq!(group.len(), 4);
        // Nulls first; every chunk size gives the same rows.
        for chunk_rows in [1, 2, 3, CHUNK_ROWS] {
            assert_eq!(names(&group, chunk_rows, CHUNK_BYTES), ["-", "W", "X", "Y"]);
        }
        // Chunks of fewer bytes than a record hold one record each.
        assert_eq!(group.chunks(CHUNK_ROWS, 60).map(<[_]>::len).collect::<Vec<_>>(), [1, 1, 1, 1]);
        assert_eq!(names(&group, CHUNK_ROWS, 1), ["-", "W", "X", "Y"]);
        // 57 + 70 + 70 bytes, then 70.
        assert_eq!(group.chunks(CHUNK_ROWS, 200).map(<[_]>::len).collect::<Vec<_>>(), [3, 1]);
        assert_eq!(group.chunks(2, 200).map(<[_]>::len).collect::<Vec<_>>(), [2, 2]);
    }
}
