//! One partition's rows waiting to become a row group, and their order in it.
//!
//! A row group is written sorted by (`eventsource`, `eventname`, `eventtimestamp`), nulls
//! first: the rows of one API call are then contiguous, so the statistics of each page of
//! `eventname` (its min and max, in the page index) tell a reader which few pages may hold an
//! event name, and a selective query decompresses those pages only. Rows equal on the three
//! keep the order they came in.
//!
//! The rows are held as the batches they came in ([`Buffered`]); they are never concatenated:
//! the sorted order is a list of (batch, row) positions and the group is handed to the writer
//! [`CHUNK_ROWS`] rows at a time, so writing a group costs one chunk of memory beyond it.

use std::cmp::Ordering;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch, StringArray, TimestampMillisecondArray};
use arrow_select::interleave::interleave_record_batch;
use parquet::arrow::ArrowWriter;
use parquet::errors::ParquetError;

use crate::schema;

/// Rows handed to the writer at a time when a group is written.
pub const CHUNK_ROWS: usize = 8192;

/// The batches of one partition not yet written, and the memory they hold.
#[derive(Default)]
pub struct Buffered {
    batches: Vec<RecordBatch>,
    bytes: usize,
}

impl Buffered {
    /// Adds a batch; returns the memory it holds.
    pub fn push(&mut self, batch: RecordBatch) -> usize {
        let bytes = batch.get_array_memory_size();
        self.bytes += bytes;
        self.batches.push(batch);
        bytes
    }

    /// The memory held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    /// Writes the rows held, sorted, to `writer` (which buffers them as one row group until it
    /// is flushed) and empties the buffer.
    pub fn write_sorted<W: std::io::Write + Send>(&mut self, writer: &mut ArrowWriter<W>) -> Result<(), ParquetError> {
        let batches = std::mem::take(&mut self.batches);
        self.bytes = 0;
        let refs: Vec<&RecordBatch> = batches.iter().collect();
        for chunk in sorted_order(&batches).chunks(CHUNK_ROWS) {
            let rows = interleave_record_batch(&refs, chunk).map_err(|e| ParquetError::General(e.to_string()))?;
            writer.write(&rows)?;
        }
        Ok(())
    }
}

/// The sort keys of one batch.
struct Keys<'a> {
    source: Option<&'a StringArray>,
    name: Option<&'a StringArray>,
    time: Option<&'a TimestampMillisecondArray>,
}

impl<'a> Keys<'a> {
    fn of(batch: &'a RecordBatch) -> Keys<'a> {
        let text = |name: &str| batch.column_by_name(name).and_then(|a| a.as_string_opt::<i32>());
        Keys {
            source: text("eventsource"),
            name: text("eventname"),
            time: batch.column_by_name(schema::TIMESTAMP).and_then(|a| a.as_primitive_opt()),
        }
    }

    fn text(a: Option<&'a StringArray>, row: usize) -> Option<&'a str> {
        a.filter(|a| a.is_valid(row)).map(|a| a.value(row))
    }

    fn key(&self, row: usize) -> (Option<&'a str>, Option<&'a str>, Option<i64>) {
        (
            Keys::text(self.source, row),
            Keys::text(self.name, row),
            self.time.filter(|a| a.is_valid(row)).map(|a| a.value(row)),
        )
    }
}

/// The (batch, row) positions of every row of `batches` in the order of the group.
pub fn sorted_order(batches: &[RecordBatch]) -> Vec<(usize, usize)> {
    let keys: Vec<Keys<'_>> = batches.iter().map(Keys::of).collect();
    let mut rows: Vec<_> = batches
        .iter()
        .enumerate()
        .flat_map(|(b, batch)| (0..batch.num_rows()).map(move |r| (b, r)))
        .map(|(b, r)| (keys[b].key(r), (b, r)))
        .collect();
    // `None` sorts before `Some`: nulls first. Positions break ties: the arrival order is kept.
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    debug_assert!(rows.windows(2).all(|w| w[0].0.cmp(&w[1].0) != Ordering::Greater));
    rows.into_iter().map(|(_, at)| at).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::Rows;

    fn batch(events: &[(&str, &str, &str)]) -> RecordBatch {
        let mut rows = Rows::new();
        for (source, name, time) in events {
            let raw = format!(r#"{{"eventSource":"{source}","eventName":"{name}","eventTime":"{time}"}}"#);
            rows.push(raw.as_bytes()).unwrap();
        }
        rows.finish()
    }

    #[test]
    fn rows_are_ordered_by_source_name_and_time_across_batches_with_ties_in_arrival_order() {
        let a = batch(&[
            ("s3.amazonaws.com", "GetObject", "2024-01-01T00:00:02Z"),
            ("iam.amazonaws.com", "CreateUser", "2024-01-01T00:00:05Z"),
            ("s3.amazonaws.com", "GetObject", "2024-01-01T00:00:01Z"),
        ]);
        let b = batch(&[
            ("iam.amazonaws.com", "CreateUser", "2024-01-01T00:00:05Z"),
            ("cloudtrail.amazonaws.com", "StopLogging", "2024-01-01T00:00:09Z"),
        ]);
        let order = sorted_order(&[a, b]);
        assert_eq!(order, vec![(1, 1), (0, 1), (1, 0), (0, 2), (0, 0)]);
    }

    #[test]
    fn a_group_written_sorted_holds_every_row_once() {
        let mut buffered = Buffered::default();
        buffered.push(batch(&[("b", "Y", "2024-01-01T00:00:00Z"), ("a", "X", "2024-01-01T00:00:00Z")]));
        buffered.push(batch(&[("a", "W", "2024-01-01T00:00:00Z")]));
        assert!(buffered.bytes() > 0);
        let file = tempfile::tempfile().unwrap();
        let mut writer = ArrowWriter::try_new(file.try_clone().unwrap(), schema::arrow_schema(), None).unwrap();
        buffered.write_sorted(&mut writer).unwrap();
        writer.close().unwrap();
        assert!(buffered.is_empty() && buffered.bytes() == 0);
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReader::try_new(file, 1024).unwrap();
        let names: Vec<String> = reader
            .flat_map(|b| {
                let b = b.unwrap();
                let names = b.column_by_name("eventname").unwrap().as_string::<i32>().clone();
                (0..names.len()).map(move |r| names.value(r).to_string())
            })
            .collect();
        assert_eq!(names, ["W", "X", "Y"]);
    }
}
