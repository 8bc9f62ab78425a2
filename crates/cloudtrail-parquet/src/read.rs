//! Reading an export as the scan engine reads a tree: the events go to the same [`Visitor`]s
//! (query's ordered, streamed and counting visitors), so answers are those over the source tree.
//!
//! Less is read than from JSON: partitions are pruned by their account, region and period;
//! row groups are skipped by their statistics (time window, exact event names, accounts,
//! regions); and each row group is read in up to three passes: a screen of the cheap columns
//! (event names, accounts, regions, timestamps), then the columns the predicates need for the
//! rows the screen left, to find the matching rows, then only those rows, with the columns the
//! question needs (all of them to print events; the grouped fields to count). Pages without a
//! selected row are skipped by the page index.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch, StringArray, TimestampMillisecondArray};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection,
};
use parquet::arrow::ProjectionMask;
use rayon::prelude::*;

use cloudtrail::query::screen::LiteralScreen;
use cloudtrail::query::{Mode, Selection};
use cloudtrail::record::{EventView, Refusal};
use cloudtrail::scan::{Prune, ScanStats, Visitor};

use crate::decode::Decoder;
use crate::guard;
use crate::manifest::{Granularity, Manifest, UNKNOWN};
use crate::positional::PositionalFile;
use crate::schema::{self, EVENT};
use crate::stats;
use crate::ExportError;

/// The Parquet files of the export at `root` whose partition may hold events `prune` wants.
pub fn files(root: &Path, manifest: &Manifest, prune: &Prune) -> Result<Vec<PathBuf>, ExportError> {
    let mut found = Vec::new();
    for part in &manifest.partitions {
        let keeps = |wanted: &[String], value: &str| wanted.is_empty() || wanted.iter().any(|w| w == value);
        if !keeps(&prune.accounts, &part.account)
            || !keeps(&prune.regions, &part.region)
            || !period_may_hold(manifest.partition_by, &part.period, prune)
        {
            continue;
        }
        let dir = root.join(part.path(manifest.partition_by));
        let entries = std::fs::read_dir(&dir).map_err(|source| ExportError::Io { path: dir.clone(), source })?;
        let mut names: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "parquet")
                    && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        names.sort();
        found.extend(names);
    }
    Ok(found)
}

/// Whether a period (`YYYY-MM` or `YYYY-MM-DD`) overlaps the wanted window.
fn period_may_hold(by: Granularity, period: &str, prune: &Prune) -> bool {
    if period == UNKNOWN {
        return prune.since.is_none() && prune.until.is_none();
    }
    let (start, end) = match by {
        Granularity::Month => {
            let Ok(first) = chrono::NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d") else { return true };
            (first, first.checked_add_months(chrono::Months::new(1)).unwrap_or(first))
        }
        Granularity::Day => {
            let Ok(day) = chrono::NaiveDate::parse_from_str(period, "%Y-%m-%d") else { return true };
            (day, day.succ_opt().unwrap_or(day))
        }
    };
    let (start, end) = (start.and_hms_opt(0, 0, 0).map(|t| t.and_utc()), end.and_hms_opt(0, 0, 0).map(|t| t.and_utc()));
    prune.since.is_none_or(|s| end.is_none_or(|e| s < e)) && prune.until.is_none_or(|u| start.is_none_or(|st| st < u))
}

/// Which columns each pass reads (top-level column indices of the table).
#[derive(Debug, Clone)]
pub struct Needs {
    /// The first pass: the columns a cheap screen of the predicates tests (names, accounts,
    /// regions, time); `None` when no predicate is screened.
    pub screen: Option<Vec<usize>>,
    /// The second pass: the columns of the predicates; `None` when every event matches.
    pub predicate: Option<Vec<usize>>,
    /// The second pass: the columns the answer needs.
    pub output: Vec<usize>,
}

impl Needs {
    /// The columns for `selection` and, when known, what the query prints (`mode`; `None`:
    /// whole events).
    pub fn new(selection: &Selection, mode: Option<&Mode>) -> Needs {
        let all: Vec<usize> = (0..EVENT.len()).chain([EVENT.len() + 1]).collect();
        let mut members: BTreeSet<&str> = BTreeSet::new();
        let s = selection;
        let mut add = |cond: bool, names: &[&'static str]| {
            if cond {
                members.extend(names);
            }
        };
        add(!s.events.is_empty() || !s.sources.is_empty(), &["eventName", "eventSource", "insightDetails"]);
        add(!s.accounts.is_empty(), &["recipientAccountId"]);
        add(!s.regions.is_empty(), &["awsRegion"]);
        add(s.read_only.is_some(), &["readOnly"]);
        add(!s.errors.is_empty(), &["errorCode", "errorMessage", "responseElements"]);
        add(s.since_ms.is_some() || s.until_ms.is_some(), &["eventTime"]);
        add(!s.ips.is_empty(), &["sourceIPAddress"]);
        add(
            !s.users.is_empty() || !s.arns.is_empty() || !s.identity_types.is_empty() || !s.access_keys.is_empty(),
            &["userIdentity"],
        );
        let indices = |members: &BTreeSet<&str>| -> Vec<usize> {
            EVENT
                .iter()
                .enumerate()
                .filter(|(_, m)| members.contains(m.json))
                .map(|(i, _)| i)
                .chain([EVENT.len() + 1])
                .collect()
        };
        let predicate =
            if s.pattern.is_some() { Some(all.clone()) } else { (!s.is_empty()).then(|| indices(&members)) };
        let output = match mode {
            Some(Mode::Count(g)) if s.pattern.is_none() => {
                // What every counted event needs: the check that it is an event, and its time.
                members.extend(["eventName", "eventSource", "insightDetails", "eventTime"]);
                for f in g.by.iter().chain(&g.distinct) {
                    if let Some(first) = f.segments().first() {
                        if let Some(m) = EVENT.iter().find(|m| m.json == first) {
                            members.insert(m.json);
                        }
                    }
                }
                indices(&members)
            }
            _ => all,
        };
        let column = |json: &str| EVENT.iter().position(|m| m.json == json);
        let screen: Vec<usize> = [
            (!s.events.is_empty()).then(|| column("eventName")).flatten(),
            (!s.sources.is_empty()).then(|| column("eventSource")).flatten(),
            (!s.accounts.is_empty()).then(|| column("recipientAccountId")).flatten(),
            (!s.regions.is_empty()).then(|| column("awsRegion")).flatten(),
            (s.since_ms.is_some() || s.until_ms.is_some()).then_some(EVENT.len()),
        ]
        .into_iter()
        .flatten()
        .collect();
        Needs { screen: (!screen.is_empty()).then_some(screen), predicate, output }
    }
}

/// What the reader needs of the query.
pub struct Query<'a> {
    pub selection: &'a Selection,
    pub prefilter: &'a LiteralScreen,
    pub needs: &'a Needs,
}

/// Reads `files` with `visitor`, on every core (one task per row group); visitors see file
/// numbers from `first_index` on. Problems (an unreadable file) go to `on_problem` and the
/// rest goes on.
pub fn scan<V: Visitor>(
    files: &[PathBuf],
    first_index: usize,
    query: &Query<'_>,
    visitor: &V,
    on_problem: &(dyn Fn(&ExportError) + Sync),
) -> (V::Acc, ScanStats) {
    let opened: Vec<Option<(PositionalFile, ArrowReaderMetadata)>> = files
        .par_iter()
        .map(|path| {
            let file = PositionalFile::open(path).map_err(|source| ExportError::Io { path: path.clone(), source })?;
            // The Arrow schema a writer embeds in the footer is not decoded: it is the export's
            // own schema, known here, and its decoder panics on damaged bytes.
            let options = ArrowReaderOptions::new()
                .with_page_index(true)
                .with_skip_arrow_metadata(true)
                .with_schema(crate::schema::arrow_schema());
            let meta = guard::decoding(|| ArrowReaderMetadata::load(&file, options))
                .map_err(|message| ExportError::Damaged { path: path.clone(), message })?
                .map_err(|source| ExportError::Parquet { path: path.clone(), source })?;
            Ok((file, meta))
        })
        .map(|r| r.map_err(|e| on_problem(&e)).ok())
        .collect();
    let mut stats =
        ScanStats { unreadable: opened.iter().filter(|m| m.is_none()).count() as u64, ..ScanStats::default() };
    let mut units = Vec::new();
    for (i, open) in opened.iter().enumerate() {
        let Some((_, meta)) = open else { continue };
        stats.files += 1;
        for (rg, group) in meta.metadata().row_groups().iter().enumerate() {
            if stats::group_may_match(group, query.selection) {
                units.push((i, rg));
            } else {
                stats.unsplit += 1;
            }
        }
    }
    let empty = || (visitor.new_acc(), ScanStats::default());
    let (acc, read) = units
        .into_par_iter()
        .fold(empty, |(mut acc, mut stats), (i, rg)| {
            let Some(open) = &opened[i] else { return (acc, stats) };
            if let Err(e) = read_group(&files[i], open, rg, first_index + i, query, visitor, &mut acc, &mut stats) {
                on_problem(&e);
                stats.unreadable += 1;
            }
            let _ = visitor.end_file(&mut acc, first_index + i);
            (acc, stats)
        })
        .reduce(empty, |(a, sa), (b, sb)| (visitor.merge(a, b), sa + sb));
    // Row groups skipped are counted in `unsplit`, which the summary reports per file.
    stats.unsplit = 0;
    (acc, stats + read)
}

/// A necessary condition of the predicates, tested on the columns themselves: a row it rules
/// out is never turned back into JSON. A null (the member absent, or kept in `_extra`) is left
/// to the exact test.
struct Screen<'b> {
    s: &'b Selection,
    event_name: Option<&'b StringArray>,
    event_source: Option<&'b StringArray>,
    account: Option<&'b StringArray>,
    region: Option<&'b StringArray>,
    time: Option<&'b TimestampMillisecondArray>,
}

impl<'b> Screen<'b> {
    fn new(batch: &'b RecordBatch, s: &'b Selection) -> Screen<'b> {
        let text = |name: &str| batch.column_by_name(name).and_then(|a| a.as_string_opt::<i32>());
        Screen {
            s,
            event_name: text("eventname"),
            event_source: text("eventsource"),
            account: text("recipientaccountid"),
            region: text("awsregion"),
            time: batch.column_by_name(schema::TIMESTAMP).and_then(|a| a.as_primitive_opt()),
        }
    }

    fn may_match(&self, r: usize) -> bool {
        let glob = |col: Option<&StringArray>, globs: &[cwl_filter::Glob]| {
            globs.is_empty()
                || col.is_none_or(|a| a.is_null(r) || globs.iter().any(|g| g.is_match(a.value(r).as_bytes())))
        };
        let exact = |col: Option<&StringArray>, wanted: &[String]| {
            wanted.is_empty() || col.is_none_or(|a| a.is_null(r) || wanted.iter().any(|w| w == a.value(r)))
        };
        let time = self.time.is_none_or(|a| {
            a.is_null(r) || {
                let t = a.value(r);
                self.s.since_ms.is_none_or(|s| t >= s) && self.s.until_ms.is_none_or(|u| t < u)
            }
        });
        time && glob(self.event_name, &self.s.events)
            && glob(self.event_source, &self.s.sources)
            && exact(self.account, &self.s.accounts)
            && exact(self.region, &self.s.regions)
    }
}

/// The selection of `rows` (ascending row numbers) among `total`.
fn ranges_of(rows: impl Iterator<Item = usize>, total: usize) -> RowSelection {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for row in rows {
        match ranges.last_mut() {
            Some(last) if last.end == row => last.end += 1,
            _ => ranges.push(row..row + 1),
        }
    }
    RowSelection::from_consecutive_ranges(ranges.into_iter(), total)
}

/// The record batches of `builder`, each decoded behind the [`guard`]: a panic of the decoder
/// is the last item, an error.
fn batches(
    builder: ParquetRecordBatchReaderBuilder<PositionalFile>,
    path: &Path,
) -> Result<impl Iterator<Item = Result<RecordBatch, ExportError>> + '_, ExportError> {
    let damaged = |message| ExportError::Damaged { path: path.to_path_buf(), message };
    let parquet = |source| ExportError::Parquet { path: path.to_path_buf(), source };
    let mut reader = guard::decoding(|| builder.build()).map_err(damaged)?.map_err(parquet)?;
    let mut done = false;
    Ok(std::iter::from_fn(move || {
        if done {
            return None;
        }
        match guard::decoding(|| reader.next()) {
            Ok(next) => next.map(|batch| batch.map_err(|e| parquet(e.into()))),
            Err(message) => {
                done = true;
                Some(Err(damaged(message)))
            }
        }
    }))
}

#[allow(clippy::too_many_arguments)]
fn read_group<V: Visitor>(
    path: &Path,
    (file, meta): &(PositionalFile, ArrowReaderMetadata),
    rg: usize,
    index: usize,
    query: &Query<'_>,
    visitor: &V,
    acc: &mut V::Acc,
    stats: &mut ScanStats,
) -> Result<(), ExportError> {
    // A reader of the row group's `columns` (top-level indices), without those holding
    // only nulls in it.
    let open = |columns: &[usize]| {
        let columns = stats::columns_with_values(meta.metadata(), rg, columns);
        ParquetRecordBatchReaderBuilder::new_with_metadata(file.clone(), meta.clone())
            .with_row_groups(vec![rg])
            .with_batch_size(8192)
            .with_projection(ProjectionMask::roots(meta.parquet_schema(), columns))
    };
    let rows = meta.metadata().row_group(rg).num_rows() as usize;
    let group_bytes = meta.metadata().row_group(rg).compressed_size() as u64;
    stats.records += rows as u64;
    let mut buf = Vec::with_capacity(4096);
    let selection = match &query.needs.predicate {
        None => None,
        Some(columns) => {
            // The screen's columns alone first (cheap: mostly dictionary-encoded names), then
            // the predicates' columns of the rows it leaves.
            // The pages the page index leaves (the rows sorted by name make that few).
            let pages = stats::page_rows(meta.metadata(), rg, query.selection);
            if pages.as_ref().is_some_and(|p| !p.selects_any()) {
                stats.bytes += group_bytes;
                return Ok(());
            }
            let candidates: Option<Vec<usize>> = match &query.needs.screen {
                Some(screen_columns) => {
                    let mut builder = open(screen_columns);
                    if let Some(pages) = &pages {
                        builder = builder.with_row_selection(pages.clone());
                    }
                    let rows_read = pages.as_ref().map(stats::selected_rows);
                    let mut kept = Vec::new();
                    let mut k = 0;
                    for batch in batches(builder, path)? {
                        let batch = batch?;
                        let screen = Screen::new(&batch, query.selection);
                        let row_of = |r: usize| rows_read.as_ref().map_or(k + r, |read| read[k + r]);
                        kept.extend((0..batch.num_rows()).filter(|&r| screen.may_match(r)).map(row_of));
                        k += batch.num_rows();
                    }
                    Some(kept)
                }
                None => pages.as_ref().map(stats::selected_rows),
            };
            if candidates.as_ref().is_some_and(Vec::is_empty) {
                stats.bytes += group_bytes;
                return Ok(());
            }
            let mut builder = open(columns);
            if let Some(rows_kept) = &candidates {
                builder = builder.with_row_selection(ranges_of(rows_kept.iter().copied(), rows));
            }
            let mut matched = Vec::new();
            let mut k = 0;
            for batch in batches(builder, path)? {
                let batch = batch?;
                let mut decoder = Decoder::new(&batch);
                for r in 0..batch.num_rows() {
                    let row = candidates.as_ref().map_or(k, |c| c[k]);
                    k += 1;
                    buf.clear();
                    decoder.write_event(r, &mut buf);
                    let hit = (!query.prefilter.is_active() || query.prefilter.may_match(&buf))
                        && EventView::parse(&buf).is_ok_and(|view| query.selection.matches(&view, &buf));
                    if hit {
                        matched.push(row);
                    }
                }
            }
            if matched.is_empty() {
                stats.bytes += group_bytes;
                return Ok(());
            }
            Some(ranges_of(matched.into_iter(), rows))
        }
    };
    let mut builder = open(&query.needs.output);
    if let Some(selection) = selection {
        builder = builder.with_row_selection(selection);
    }
    // Ordinals are unique in the file (row group in the high bits): output order is stable.
    let mut ordinal = (rg as u64) << 32;
    for batch in batches(builder, path)? {
        let batch: RecordBatch = batch?;
        let mut decoder = Decoder::new(&batch);
        for r in 0..batch.num_rows() {
            buf.clear();
            decoder.write_event(r, &mut buf);
            match visitor.record(acc, index, ordinal, &buf) {
                Ok(()) => {}
                Err(Refusal::NotEvent) => stats.not_events += 1,
                Err(_) => stats.bad_records += 1,
            }
            ordinal += 1;
        }
    }
    stats.bytes += group_bytes;
    Ok(())
}

/// The manifest of each path that is an export, with its path; a manifest that is there but
/// not one is an error.
pub fn exports(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Arc<Manifest>)>, ExportError> {
    let mut found = Vec::new();
    for path in paths.iter().filter(|p| p.is_dir()) {
        match Manifest::read(path) {
            Ok(Some(manifest)) => found.push((path.clone(), Arc::new(manifest))),
            // A folder whose manifest cannot be read is walked as any other, and reported there.
            Ok(None) | Err(ExportError::Io { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}
