//! The partitioned writer of an export: one Parquet file open per partition at most, a cap on
//! the files open at once, row groups written sorted ([`crate::group`]), files rolled over by
//! size, and the manifest written last.
//!
//! Memory is bounded by [`Layout::memory`] whatever the size of the tree and the number of
//! partitions: the rows of each partition wait in memory until they make a row group of
//! [`Layout::row_group_bytes`], and whenever the rows waiting in all partitions together hold
//! more than the budget, the partition holding most is written out as a (smaller) row group.
//! A file holds nothing but its metadata between row groups, and at most [`Layout::max_open`]
//! files are open (the least recently written is closed to open another; a partition met again
//! later gets a new file). Files are written under a hidden name and renamed when complete, so
//! engines never read half a file.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::encode::Rows;
use crate::group::Buffered;
use crate::manifest::{Granularity, Manifest, Partition, Source, MANIFEST};
use crate::{schema, ExportError};

/// Rows per data page, at most.
pub const PAGE_ROWS: usize = 4096;

/// Bytes per data page, at most (checked every 1,024 rows).
pub const PAGE_BYTES: usize = 64 << 10;

/// The columns whose values are mostly distinct from event to event.
const UNIQUE: &[&str] =
    &["eventid", "requestid", "sharedeventid", "requestparameters", "responseelements", "additionaleventdata"];

/// The columns of text that varies from event to event (beyond [`UNIQUE`] and the JSON text
/// columns), which zstd makes two to four times smaller. The others (names, types, ARNs of a
/// few principals) are left uncompressed: their dictionary encoding already makes them small
/// (zstd would save 10-20% of them), and a reader then decodes their pages without a
/// decompression context each, which is what a selective query spends most of its time on.
const VARIED: &[&str] = &[
    "eventtime",
    schema::TIMESTAMP,
    schema::EXTRA,
    "sourceipaddress",
    "errormessage",
    "useridentity.accesskeyid",
    "useridentity.sessioncontext.attributes.creationdate",
];

/// The leaf columns compressed with zstd (dotted paths).
fn compressed_columns() -> impl Iterator<Item = String> {
    let json = schema::EVENT.iter().filter(|m| m.kind == schema::Kind::Json).map(|m| m.json.to_lowercase());
    UNIQUE.iter().chain(VARIED).map(|c| c.to_string()).chain(json)
}

/// Sizes and caps of an export.
#[derive(Debug, Clone)]
pub struct Layout {
    pub partition_by: Granularity,
    /// The most memory the rows waiting to be written may hold, all partitions together.
    pub memory: usize,
    /// Files open at once, at most.
    pub max_open: usize,
    /// A partition's rows are written as a row group when they hold this much memory.
    pub row_group_bytes: usize,
    /// A file is closed (and the next one started) when it reaches this size.
    pub file_bytes: usize,
    /// The zstd level.
    pub zstd_level: i32,
}

impl Layout {
    /// The layout for a memory budget of `memory` bytes for the rows waiting to be written: row
    /// groups of half of it (between 8 and 128 MiB of rows in memory: an engine's usual group
    /// once compressed is a tenth of that), at most 64 open files, files of about 256 MiB,
    /// zstd level 1.
    pub fn for_memory(partition_by: Granularity, memory: usize) -> Layout {
        Layout {
            partition_by,
            memory,
            max_open: 64,
            row_group_bytes: (memory / 2).clamp(8 << 20, 128 << 20),
            file_bytes: 256 << 20,
            // Level 1: a third faster than 3 here, for files a few percent larger.
            zstd_level: 1,
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub events: u64,
    pub files: u64,
    pub bytes: u64,
    pub partitions: u64,
}

/// An export in progress; see the module doc. Shared by the scan's threads.
pub struct Exporter {
    root: PathBuf,
    layout: Layout,
    properties: WriterProperties,
    parts: Mutex<HashMap<Partition, Arc<Slot>>>,
    open: AtomicUsize,
    /// The memory held by the rows waiting in every partition.
    buffered: AtomicUsize,
    clock: AtomicU64,
    events: AtomicU64,
    files: AtomicU64,
    bytes: AtomicU64,
}

/// One partition: its folder, its rows waiting, its open file if any, and when it was last
/// written. The atomics mirror the part for the choices made without locking it.
struct Slot {
    part: Mutex<Part>,
    open: AtomicBool,
    used: AtomicU64,
    buffered: AtomicUsize,
}

struct Part {
    dir: PathBuf,
    next: u32,
    rows: Buffered,
    file: Option<OpenFile>,
}

struct OpenFile {
    writer: ArrowWriter<File>,
    partial: PathBuf,
    done: PathBuf,
}

impl Exporter {
    /// Starts an export into `root`, which must not exist or be an empty folder.
    pub fn create(root: &Path, layout: Layout) -> Result<Exporter, ExportError> {
        let io = |source| ExportError::Io { path: root.to_path_buf(), source };
        match std::fs::read_dir(root) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(ExportError::NotEmpty(root.to_path_buf()));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir_all(root).map_err(io)?,
            Err(e) => return Err(io(e)),
        }
        let level = ZstdLevel::try_new(layout.zstd_level).unwrap_or_default();
        let mut properties = WriterProperties::builder()
            .set_compression(Compression::UNCOMPRESSED)
            .set_max_row_group_size(1 << 20)
            // Small pages: a selective query decompresses only the pages of the rows it prints
            // (through the page index), at a cost of a few percent in size.
            .set_data_page_row_count_limit(PAGE_ROWS)
            .set_data_page_size_limit(PAGE_BYTES)
            .set_dictionary_page_size_limit(PAGE_BYTES * 4)
            .set_statistics_truncate_length(Some(64))
            .set_created_by(format!("ctl {}", env!("CARGO_PKG_VERSION")));
        // A value per event (identifiers, JSON text): a dictionary would only be built to be
        // dropped, and their statistics skip nothing.
        for column in UNIQUE {
            let path = ColumnPath::from(*column);

            properties = properties
                .set_column_dictionary_enabled(path.clone(), false)
                .set_column_statistics_enabled(path, EnabledStatistics::None);
        }
        for column in compressed_columns() {
            let path = ColumnPath::new(column.split('.').map(str::to_string).collect());
            properties = properties.set_column_compression(path, Compression::ZSTD(level));
        }
        let properties = properties.build();
        Ok(Exporter {
            root: root.to_path_buf(),
            layout,
            properties,
            parts: Mutex::new(HashMap::new()),
            open: AtomicUsize::new(0),
            buffered: AtomicUsize::new(0),
            clock: AtomicU64::new(0),
            events: AtomicU64::new(0),
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
        })
    }

    /// How partitions are cut.
    pub fn granularity(&self) -> Granularity {
        self.layout.partition_by
    }

    /// Adds `rows` (emptied) to `partition`; writes a row group of it when it has enough rows,
    /// and of the partitions holding most while all of them hold more than the budget.
    pub fn write(&self, partition: &Partition, rows: &mut Rows) -> Result<(), ExportError> {
        if rows.is_empty() {
            return Ok(());
        }
        let slot = self.slot(partition);
        slot.used.store(self.clock.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        let events = rows.len() as u64;
        let batch = rows.finish();
        let full = {
            let mut part = slot.part.lock().unwrap_or_else(PoisonError::into_inner);
            let bytes = part.rows.push(batch);
            slot.buffered.fetch_add(bytes, Ordering::Relaxed);
            self.buffered.fetch_add(bytes, Ordering::Relaxed);
            part.rows.bytes() >= self.layout.row_group_bytes
        };
        self.events.fetch_add(events, Ordering::Relaxed);
        if full {
            self.write_group(&slot)?;
        }
        while self.buffered.load(Ordering::Relaxed) > self.layout.memory {
            let largest = {
                let parts = self.parts.lock().unwrap_or_else(PoisonError::into_inner);
                parts.values().max_by_key(|s| s.buffered.load(Ordering::Relaxed)).cloned()
            };
            // Nothing left to write: the rest is being written by other threads.
            match largest.filter(|s| s.buffered.load(Ordering::Relaxed) > 0) {
                Some(largest) => self.write_group(&largest)?,
                None => break,
            }
        }
        Ok(())
    }

    /// The slot of `partition`, made on first use.
    fn slot(&self, partition: &Partition) -> Arc<Slot> {
        let mut parts = self.parts.lock().unwrap_or_else(PoisonError::into_inner);
        parts
            .entry(partition.clone())
            .or_insert_with(|| {
                let dir = self.root.join(partition.path(self.layout.partition_by));
                Arc::new(Slot {
                    part: Mutex::new(Part { dir, next: 0, rows: Buffered::default(), file: None }),
                    open: AtomicBool::new(false),
                    used: AtomicU64::new(0),
                    buffered: AtomicUsize::new(0),
                })
            })
            .clone()
    }

    /// Writes the rows waiting in `slot` as one row group of its file (opened if need be,
    /// rolled over when full). The memory they hold is counted until they are written.
    fn write_group(&self, slot: &Arc<Slot>) -> Result<(), ExportError> {
        // Room is made before the part is locked: no thread waits for a part while holding
        // one. Threads racing here may open a file or two beyond the cap, not more.
        if !slot.open.load(Ordering::Relaxed) && self.open.load(Ordering::Relaxed) >= self.layout.max_open {
            self.close_least_recent(slot)?;
        }
        let mut part = slot.part.lock().unwrap_or_else(PoisonError::into_inner);
        if part.rows.is_empty() {
            return Ok(());
        }
        if part.file.is_none() {
            let file = part.open(&self.properties)?;
            part.file = Some(file);
            slot.open.store(true, Ordering::Relaxed);
            self.open.fetch_add(1, Ordering::Relaxed);
        }
        let Part { rows, file, .. } = &mut *part;
        let Some(file) = file.as_mut() else { unreachable!("opened above") };
        let bytes = slot.buffered.swap(0, Ordering::Relaxed);
        let parquet = |source| ExportError::Parquet { path: file.done.clone(), source };
        let written = rows.write_sorted(&mut file.writer).and_then(|()| file.writer.flush());
        self.buffered.fetch_sub(bytes, Ordering::Relaxed);
        written.map_err(parquet)?;
        if file.writer.bytes_written() >= self.layout.file_bytes {
            self.close(slot, &mut part)?;
        }
        Ok(())
    }

    /// Closes the file of the partition written least recently (other than `keep`).
    fn close_least_recent(&self, keep: &Arc<Slot>) -> Result<(), ExportError> {
        let victim = {
            let parts = self.parts.lock().unwrap_or_else(PoisonError::into_inner);
            parts
                .values()
                .filter(|s| s.open.load(Ordering::Relaxed) && !Arc::ptr_eq(s, keep))
                .min_by_key(|s| s.used.load(Ordering::Relaxed))
                .cloned()
        };
        if let Some(victim) = victim {
            let mut part = victim.part.lock().unwrap_or_else(PoisonError::into_inner);
            self.close(&victim, &mut part)?;
        }
        Ok(())
    }

    /// Completes the open file of a partition, if any.
    fn close(&self, slot: &Slot, part: &mut Part) -> Result<(), ExportError> {
        let Some(file) = part.file.take() else { return Ok(()) };
        slot.open.store(false, Ordering::Relaxed);
        self.open.fetch_sub(1, Ordering::Relaxed);
        file.writer.close().map_err(|source| ExportError::Parquet { path: file.done.clone(), source })?;
        let io = |source| ExportError::Io { path: file.done.clone(), source };
        std::fs::rename(&file.partial, &file.done).map_err(io)?;
        let size = std::fs::metadata(&file.done).map_err(io)?.len();
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(size, Ordering::Relaxed);
        Ok(())
    }

    /// Writes the rows still waiting, closes every file and writes the manifest, which records
    /// `source`.
    pub fn finish(self, source: Option<Source>) -> Result<Written, ExportError> {
        let parts = std::mem::take(&mut *self.parts.lock().unwrap_or_else(PoisonError::into_inner));
        for slot in parts.values() {
            self.write_group(slot)?;
            let mut part = slot.part.lock().unwrap_or_else(PoisonError::into_inner);
            self.close(slot, &mut part)?;
        }
        let written = Written {
            events: self.events.load(Ordering::Relaxed),
            files: self.files.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            partitions: parts.len() as u64,
        };
        let manifest = Manifest {
            ctl_export: Manifest::VERSION,
            partition_by: self.layout.partition_by,
            partitions: parts.into_keys().collect::<BTreeSet<_>>().into_iter().collect(),
            events: written.events,
            files: written.files,
            bytes: written.bytes,
            columns: schema::arrow_schema().fields().iter().map(|f| f.name().clone()).collect(),
            source,
        };
        manifest.write(&self.root.join(MANIFEST))?;
        Ok(written)
    }
}

fn file_path(dir: &Path, n: u32) -> PathBuf {
    dir.join(format!("part-{n:05}.parquet"))
}

impl Part {
    /// Opens the partition's next file, under a hidden name until it is complete.
    fn open(&mut self, properties: &WriterProperties) -> Result<OpenFile, ExportError> {
        let done = file_path(&self.dir, self.next);
        let partial = self.dir.join(format!(".part-{:05}.parquet.partial", self.next));
        self.next += 1;
        let io = |source| ExportError::Io { path: done.clone(), source };
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let file = File::create(&partial).map_err(io)?;
        let writer = ArrowWriter::try_new(file, schema::arrow_schema(), Some(properties.clone()))
            .map_err(|source| ExportError::Parquet { path: done.clone(), source })?;
        Ok(OpenFile { writer, partial, done })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_waiting_in_many_partitions_stay_within_the_budget_and_all_are_written_with_few_files_open() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("export");
        let memory = 1 << 20;
        let layout = Layout {
            memory,
            row_group_bytes: memory / 2,
            max_open: 8,
            ..Layout::for_memory(Granularity::Month, memory)
        };
        let exporter = Exporter::create(&root, layout).unwrap();
        let padding = "x".repeat(1000);
        let mut rows = Rows::new();
        for round in 0..10 {
            for account in 0..40 {
                for i in 0..20 {
                    let raw = format!(
                        r#"{{"eventName":"E{i}","eventTime":"2024-01-01T00:00:{round:02}Z","userAgent":"{padding}"}}"#
                    );
                    rows.push(raw.as_bytes()).unwrap();
                }
                let partition = Partition::of(Some(&format!("{account:012}")), Some("us-east-1"), "2024-01".into());
                exporter.write(&partition, &mut rows).unwrap();
                assert!(exporter.buffered.load(Ordering::Relaxed) <= memory);
                assert!(exporter.open.load(Ordering::Relaxed) <= 8);
            }
        }
        let written = exporter.finish(None).unwrap();
        assert_eq!((written.events, written.partitions), (10 * 40 * 20, 40));
        let mut rows_read = 0;
        for part in 0..40 {
            let dir = root.join(format!("account={part:012}/region=us-east-1/month=2024-01"));
            for file in std::fs::read_dir(dir).unwrap() {
                let file = File::open(file.unwrap().path()).unwrap();
                let reader = parquet::file::reader::SerializedFileReader::new(file).unwrap();
                rows_read += parquet::file::reader::FileReader::metadata(&reader).file_metadata().num_rows();
            }
        }
        assert_eq!(rows_read, 10 * 40 * 20);
    }
}
