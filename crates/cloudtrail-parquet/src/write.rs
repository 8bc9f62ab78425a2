//! The partitioned writer of an export: one Parquet file open per partition at most, a cap on
//! the files open at once, row groups flushed by size, files rolled over by size, and the
//! manifest written last.
//!
//! Memory is bounded whatever the size of the tree: each open file buffers at most one row
//! group ([`Layout::row_group_bytes`]), at most [`Layout::max_open`] files are open (the least
//! recently used is closed to open another; a partition met again later gets a new file), and
//! the callers hand over the rows of one input file at a time. Files are written under a
//! hidden name and renamed when complete, so engines never read half a file.

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
use crate::manifest::{Granularity, Manifest, Partition, MANIFEST};
use crate::{schema, ExportError};

/// Rows per data page, at most.
pub const PAGE_ROWS: usize = 4096;

/// The columns whose values are mostly distinct from event to event.
const UNIQUE: &[&str] =
    &["eventid", "requestid", "sharedeventid", "requestparameters", "responseelements", "additionaleventdata"];

/// Sizes and caps of an export.
#[derive(Debug, Clone)]
pub struct Layout {
    pub partition_by: Granularity,
    /// Files open at once, at most.
    pub max_open: usize,
    /// A row group is flushed when the memory its writer holds reaches this.
    pub row_group_bytes: usize,
    /// A file is closed (and the next one started) when it reaches this size.
    pub file_bytes: usize,
    /// The zstd level.
    pub zstd_level: i32,
}

impl Layout {
    /// The layout for a memory budget of `memory` bytes for the open files: at most 16 open
    /// files, each buffering a row group of at most an even share (between 8 and 128 MiB),
    /// files of about 256 MiB, zstd level 1.
    pub fn for_memory(partition_by: Granularity, memory: usize) -> Layout {
        let max_open = 16;
        Layout {
            partition_by,
            max_open,
            row_group_bytes: (memory / max_open).clamp(8 << 20, 128 << 20),
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
    clock: AtomicU64,
    events: AtomicU64,
    files: AtomicU64,
    bytes: AtomicU64,
}

/// One partition: its folder, its open file if any, and when it was last written.
struct Slot {
    part: Mutex<Part>,
    open: AtomicBool,
    used: AtomicU64,
}

struct Part {
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
            .set_compression(Compression::ZSTD(level))
            .set_max_row_group_size(1 << 20)
            // Small pages: a selective query decompresses only the pages of the rows it prints
            // (through the page index), at a cost of a few percent in size.
            .set_data_page_row_count_limit(PAGE_ROWS)
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
        let properties = properties.build();
        Ok(Exporter {
            root: root.to_path_buf(),
            layout,
            properties,
            parts: Mutex::new(HashMap::new()),
            open: AtomicUsize::new(0),
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

    /// Writes `rows` (emptied) into `partition`'s file.
    pub fn write(&self, partition: &Partition, rows: &mut Rows) -> Result<(), ExportError> {
        if rows.is_empty() {
            return Ok(());
        }
        let slot = {
            let mut parts = self.parts.lock().unwrap_or_else(PoisonError::into_inner);
            match parts.get(partition) {
                Some(slot) => slot.clone(),
                None => {
                    let dir = self.root.join(partition.path(self.layout.partition_by));
                    let slot = Arc::new(Slot {
                        part: Mutex::new(Part { dir, next: 0, file: None }),
                        open: AtomicBool::new(false),
                        used: AtomicU64::new(0),
                    });
                    parts.insert(partition.clone(), slot.clone());
                    slot
                }
            }
        };
        slot.used.store(self.clock.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        if !slot.open.load(Ordering::Relaxed) && self.open.load(Ordering::Relaxed) >= self.layout.max_open {
            self.close_least_recent(&slot)?;
        }
        let events = rows.len() as u64;
        let batch = rows.finish();
        let mut part = slot.part.lock().unwrap_or_else(PoisonError::into_inner);
        if part.file.is_none() {
            let file = part.open(&self.properties)?;
            part.file = Some(file);
            slot.open.store(true, Ordering::Relaxed);
            self.open.fetch_add(1, Ordering::Relaxed);
        }
        let Some(file) = part.file.as_mut() else { unreachable!("opened above") };
        let path = &file.done;
        let parquet = |source| ExportError::Parquet { path: path.clone(), source };
        file.writer.write(&batch).map_err(parquet)?;
        // By the memory the writer holds (pages, dictionaries), not the encoded size it estimates:
        // that is what bounds the export's memory.
        if file.writer.memory_size() >= self.layout.row_group_bytes {
            file.writer.flush().map_err(parquet)?;
        }
        let full = file.writer.bytes_written() >= self.layout.file_bytes;
        self.events.fetch_add(events, Ordering::Relaxed);
        if full {
            self.close(&slot, &mut part)?;
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

    /// Closes every file and writes the manifest.
    pub fn finish(self) -> Result<Written, ExportError> {
        let parts = std::mem::take(&mut *self.parts.lock().unwrap_or_else(PoisonError::into_inner));
        for slot in parts.values() {
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
