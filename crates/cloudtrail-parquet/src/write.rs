//! The partitioned writer of an export: one Parquet file open per partition at most, a cap on
//! the files open at once, row groups written sorted ([`crate::group`]), files rolled over by
//! size, and the manifest written last.
//!
//! Memory is bounded by [`Layout::memory`] whatever the size of the tree and the number of
//! partitions: the records of each partition wait in memory until they make a row group of
//! [`Layout::row_group_bytes`], and whenever the records waiting in all partitions together
//! hold more than the budget, the partition holding most is written out as a (smaller) row
//! group. A file holds nothing but its metadata between row groups, and at most
//! [`Layout::max_open`] files are open (the least recently written is closed to open another;
//! a partition met again later gets a new file). Files are written under a hidden name and
//! renamed when complete, so engines never read half a file.
//!
//! During the scan, the thread that fills a group writes it while the other threads go on
//! adding records to the partition; the groups left at the end are encoded on every core.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use cwl_filter::json::SyntaxError;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use rayon::prelude::*;

use crate::encode::Rows;
use crate::group::{Buffered, Group, Records, CHUNK_BYTES, CHUNK_ROWS};
use crate::manifest::{Granularity, Manifest, Partition, Source, MANIFEST};
use crate::{schema, ExportError};

/// Rows per data page, at most.
pub const PAGE_ROWS: usize = 4096;

/// Bytes per data page, at most (checked every 1,024 rows).
pub const PAGE_BYTES: usize = 64 << 10;

/// The least memory of records kept to be filled again ([`Exporter::records`]).
const SPARE_RECORDS_MIN: usize = 64 << 10;

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

/// The columns of [`VARIED`] whose values repeat too little for a dictionary to pay: a row
/// group's dictionary page grew as large as its data pages (100 KB of access keys), and a query
/// reads and decodes it whole to print a single row. Plain and compressed, they are no larger
/// (0.3-0.8% smaller, generated and real trees), and a selective query on an export takes a
/// quarter less CPU.
const PLAIN: &[&str] = &[
    "eventtime",
    schema::TIMESTAMP,
    "sourceipaddress",
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
    /// The most memory the records waiting to be written may hold, all partitions together,
    /// with the emptied records kept to be filled again.
    pub memory: usize,
    /// Files open at once, at most.
    pub max_open: usize,
    /// A partition's records are written as a row group when they hold this much memory.
    pub row_group_bytes: usize,
    /// A file is closed (and the next one started) when it reaches this size.
    pub file_bytes: usize,
    /// The zstd level.
    pub zstd_level: i32,
}

impl Layout {
    /// The layout for a memory budget of `memory` bytes for the records waiting to be written:
    /// row groups of half of it (between 8 and 128 MiB of JSON records: an engine's usual group
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
    /// The memory held by the records waiting in every partition, and by the groups being
    /// written.
    buffered: AtomicUsize,
    /// Records of groups written, emptied, for the scan to fill again, and column builders
    /// of chunks written, for the next chunks (one per thread writing at once, each as large
    /// as a chunk's columns, 15 MB): their memory is already mapped (new memory costs a page
    /// fault and a zeroed page per page). Both hold `spare_memory`; with `buffered`, at most
    /// the budget.
    spare: Mutex<Vec<Records>>,
    spare_rows: Mutex<Vec<Rows>>,
    spare_memory: AtomicUsize,
    clock: AtomicU64,
    events: AtomicU64,
    files: AtomicU64,
    bytes: AtomicU64,
}

/// One partition: its records waiting, its files, and when it was last written. The atomics
/// mirror the rest for the choices made without locking it. The two locks are never held
/// together, and neither is held by a worker of the thread pool across a call into the pool.
struct Slot {
    waiting: Mutex<Buffered>,
    files: Mutex<Files>,
    open: AtomicBool,
    used: AtomicU64,
    /// The memory held by `waiting`.
    buffered: AtomicUsize,
}

/// A partition's folder, its next file's number and its open file if any.
struct Files {
    dir: PathBuf,
    next: u32,
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
        let path = |column: &str| ColumnPath::new(column.split('.').map(str::to_string).collect());
        // A value per event (identifiers, JSON text): a dictionary would only be built to be
        // dropped, and their statistics skip nothing.
        for column in UNIQUE {
            properties = properties
                .set_column_dictionary_enabled(path(column), false)
                .set_column_statistics_enabled(path(column), EnabledStatistics::None);
        }
        for column in compressed_columns() {
            properties = properties.set_column_compression(path(&column), Compression::ZSTD(level));
        }
        for column in PLAIN {
            properties = properties.set_column_dictionary_enabled(path(column), false);
        }
        let properties = properties.build();
        Ok(Exporter {
            root: root.to_path_buf(),
            layout,
            properties,
            parts: Mutex::new(HashMap::new()),
            open: AtomicUsize::new(0),
            buffered: AtomicUsize::new(0),
            spare: Mutex::new(Vec::new()),
            spare_memory: AtomicUsize::new(0),
            spare_rows: Mutex::new(Vec::new()),
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

    /// Empty records to fill and hand to [`Exporter::write`]: those of a group written when
    /// there are, or new ones with room for `bytes` of JSON in `count` records.
    pub fn records(&self, bytes: usize, count: usize) -> Records {
        let spare = self.spare.lock().unwrap_or_else(PoisonError::into_inner).pop();
        match spare {
            Some(records) => {
                self.spare_memory.fetch_sub(records.memory(), Ordering::Relaxed);
                records
            }
            None => Records::with_capacity(bytes, count),
        }
    }

    /// Keeps the records of a group written for [`Exporter::records`], as many as fit in the
    /// budget with the records waiting (all of them, unless others were added meanwhile),
    /// but for small ones: the allocator serves those from memory it holds already, and
    /// thousands kept (a tree of one event per file) cost more than their size.
    fn recycle(&self, group: Group) {
        let mut spare = self.spare.lock().unwrap_or_else(PoisonError::into_inner);
        for mut records in group.into_records() {
            let memory = records.memory();
            if memory < SPARE_RECORDS_MIN {
                continue;
            }
            if self.held() + memory > self.layout.memory {
                break;
            }
            records.clear();
            self.spare_memory.fetch_add(memory, Ordering::Relaxed);
            spare.push(records);
        }
    }

    /// The memory held by the records waiting, being written and spare, and by the spare
    /// column builders.
    fn held(&self) -> usize {
        self.buffered.load(Ordering::Relaxed) + self.spare_memory.load(Ordering::Relaxed)
    }

    /// Column builders for a group's chunks: a spare one if any.
    fn spare_rows(&self) -> Rows {
        let rows = self.spare_rows.lock().unwrap_or_else(PoisonError::into_inner).pop();
        rows.inspect(|rows| _ = self.spare_memory.fetch_sub(rows.memory(), Ordering::Relaxed)).unwrap_or_default()
    }

    /// Keeps `rows`, empty, for [`Exporter::spare_rows`].
    fn keep_rows(&self, rows: Rows) {
        self.spare_memory.fetch_add(rows.memory(), Ordering::Relaxed);
        self.spare_rows.lock().unwrap_or_else(PoisonError::into_inner).push(rows);
    }

    /// Adds `records` to `partition`; writes a row group of the partition's records when they
    /// are enough, and of the partitions holding most while all of them hold more than the
    /// budget.
    pub fn write(&self, partition: &Partition, records: Records) -> Result<(), ExportError> {
        if records.is_empty() {
            return Ok(());
        }
        let slot = self.slot(partition);
        slot.used.store(self.clock.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        self.events.fetch_add(records.len() as u64, Ordering::Relaxed);
        let full = {
            let mut waiting = slot.waiting.lock().unwrap_or_else(PoisonError::into_inner);
            let memory = waiting.push(records);
            slot.buffered.fetch_add(memory, Ordering::Relaxed);
            self.buffered.fetch_add(memory, Ordering::Relaxed);
            (waiting.memory() >= self.layout.row_group_bytes).then(|| self.take(&slot, &mut waiting))
        };
        if let Some(full) = full {
            self.write_group(&slot, full, Encoding::Here)?;
        }
        while self.held() > self.layout.memory {
            let largest = {
                let parts = self.parts.lock().unwrap_or_else(PoisonError::into_inner);
                parts.values().max_by_key(|s| s.buffered.load(Ordering::Relaxed)).cloned()
            };
            // Nothing left waiting: the rest is being written by other threads.
            let Some(largest) = largest else { break };
            let group = {
                let mut waiting = largest.waiting.lock().unwrap_or_else(PoisonError::into_inner);
                (!waiting.is_empty()).then(|| self.take(&largest, &mut waiting))
            };
            match group {
                Some(group) => self.write_group(&largest, group, Encoding::Here)?,
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
                    waiting: Mutex::new(Buffered::default()),
                    files: Mutex::new(Files { dir, next: 0, file: None }),
                    open: AtomicBool::new(false),
                    used: AtomicU64::new(0),
                    buffered: AtomicUsize::new(0),
                })
            })
            .clone()
    }

    /// The records waiting in `slot` (locked as `waiting`) as a group to write, with the
    /// memory they hold (still counted in the budget until the group is written).
    fn take(&self, slot: &Slot, waiting: &mut Buffered) -> (Group, usize) {
        let memory = waiting.memory();
        slot.buffered.fetch_sub(memory, Ordering::Relaxed);
        (waiting.take_group(), memory)
    }

    /// Writes `group` as one row group of the slot's file (opened if need be, rolled over
    /// when full), then releases the memory it held from the budget.
    fn write_group(&self, slot: &Arc<Slot>, (group, memory): (Group, usize), how: Encoding) -> Result<(), ExportError> {
        let written = self.write_rows(slot, &group, how);
        self.buffered.fetch_sub(memory, Ordering::Relaxed);
        self.recycle(group);
        written
    }

    fn write_rows(&self, slot: &Arc<Slot>, group: &Group, how: Encoding) -> Result<(), ExportError> {
        if group.is_empty() {
            return Ok(());
        }
        // Room is made before the files are locked: no thread waits for a partition's files
        // while holding another's. Threads racing here may open a file or two beyond the cap.
        if !slot.open.load(Ordering::Relaxed) && self.open.load(Ordering::Relaxed) >= self.layout.max_open {
            self.close_least_recent(slot)?;
        }
        let mut files = slot.files.lock().unwrap_or_else(PoisonError::into_inner);
        if files.file.is_none() {
            let file = files.open(&self.properties)?;
            files.file = Some(file);
            slot.open.store(true, Ordering::Relaxed);
            self.open.fetch_add(1, Ordering::Relaxed);
        }
        let Some(file) = files.file.as_mut() else { unreachable!("opened above") };
        let parquet = |source| ExportError::Parquet { path: file.done.clone(), source };
        let unencodable = |e: SyntaxError| ParquetError::General(format!("a checked record could not be encoded: {e}"));
        match how {
            Encoding::Here => {
                let mut rows = self.spare_rows();
                for chunk in group.chunks(CHUNK_ROWS, CHUNK_BYTES) {
                    let batch = group.encode(chunk, &mut rows).map_err(unencodable).map_err(parquet)?;
                    file.writer.write(&batch).map_err(parquet)?;
                    rows.reuse(batch);
                }
                self.keep_rows(rows);
            }
            Encoding::Parallel => {
                // One chunk per thread at a time, encoded on the pool while this thread (not a
                // worker of the pool) holds the files' lock: no task of the pool takes a lock.
                let chunks: Vec<_> = group.chunks(CHUNK_ROWS, CHUNK_BYTES).collect();
                for window in chunks.chunks(rayon::current_num_threads()) {
                    let batches: Vec<_> =
                        window.par_iter().map(|chunk| group.encode(chunk, &mut Rows::new())).collect();
                    for batch in batches {
                        let batch = batch.map_err(unencodable).map_err(parquet)?;
                        file.writer.write(&batch).map_err(parquet)?;
                    }
                }
            }
        }
        file.writer.flush().map_err(parquet)?;
        if file.writer.bytes_written() >= self.layout.file_bytes {
            self.close(slot, &mut files)?;
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
            let mut files = victim.files.lock().unwrap_or_else(PoisonError::into_inner);
            self.close(&victim, &mut files)?;
        }
        Ok(())
    }

    /// Completes the open file of a partition, if any.
    fn close(&self, slot: &Slot, files: &mut Files) -> Result<(), ExportError> {
        let Some(file) = files.file.take() else { return Ok(()) };
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

    /// Writes the records still waiting (encoded on every core), closes every file and writes
    /// the manifest, which records `source`. Called from outside the thread pool, once the
    /// scan is over.
    pub fn finish(self, source: Option<Source>) -> Result<Written, ExportError> {
        let parts = std::mem::take(&mut *self.parts.lock().unwrap_or_else(PoisonError::into_inner));
        for slot in parts.values() {
            let group = self.take(slot, &mut slot.waiting.lock().unwrap_or_else(PoisonError::into_inner));
            self.write_group(slot, group, Encoding::Parallel)?;
            let mut files = slot.files.lock().unwrap_or_else(PoisonError::into_inner);
            self.close(slot, &mut files)?;
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

/// Where a group's chunks are encoded.
#[derive(Clone, Copy)]
enum Encoding {
    /// By the writing thread, one after the other (during the scan: the other threads are busy).
    Here,
    /// On every thread of the pool (at the end).
    Parallel,
}

impl Files {
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
        for round in 0..10 {
            for account in 0..40 {
                let mut records = Records::default();
                for i in 0..20 {
                    let raw = format!(
                        r#"{{"eventName":"E{i}","eventTime":"2024-01-01T00:00:{round:02}Z","userAgent":"{padding}"}}"#
                    );
                    let view = cloudtrail::record::EventView::parse(raw.as_bytes()).unwrap();
                    records.push(raw.as_bytes(), &view, view.event_time_ms());
                }
                let partition = Partition::of(Some(&format!("{account:012}")), Some("us-east-1"), "2024-01".into());
                exporter.write(&partition, records).unwrap();
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
