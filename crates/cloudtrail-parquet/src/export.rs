//! The [`Visitor`] of `ctl export`: the scan engine hands it every record; the ones the
//! [`Matcher`] selects (its predicates, its check of the record, its de-duplication) are kept
//! for their partition, and each input file's records go to the [`Exporter`] when the file is
//! done (or sooner, past [`FLUSH_BYTES`]): one lock per partition per file, not per event.

use chrono::{DateTime, Datelike};
use cloudtrail::query::collect::Matcher;
use cloudtrail::record::Refusal;
use cloudtrail::scan::Visitor;

use crate::group::Records;
use crate::manifest::{Granularity, Partition};
use crate::write::Exporter;
use crate::ExportError;

/// Records of one task are handed over once they hold this many bytes of JSON, even mid-file:
/// what a task holds outside the exporter's budget stays small.
pub const FLUSH_BYTES: usize = 8 << 20;

/// Exports the events `matcher` selects through `exporter`.
pub struct ExportVisitor<'a> {
    pub matcher: Matcher<'a>,
    pub exporter: &'a Exporter,
}

/// A period as numbers (year, month, day: 0 for a month), `None` without a time.
type Period = Option<(i32, u32, u32)>;

/// What one task holds: the records of the file it reads, by partition, and the first error.
#[derive(Default)]
pub struct Pending {
    parts: Vec<(String, String, Period, Records)>,
    error: Option<ExportError>,
    /// The JSON bytes and records of the last records handed over: room made for the next
    /// (a task's next file is usually like its last).
    last: (usize, usize),
}

impl ExportVisitor<'_> {
    fn period(&self, time_ms: Option<i64>) -> Period {
        let t = DateTime::from_timestamp_millis(time_ms?)?;
        Some(match self.exporter.granularity() {
            Granularity::Month => (t.year(), t.month(), 0),
            Granularity::Day => (t.year(), t.month(), t.day()),
        })
    }

    /// Hands every partition's records to the exporter.
    fn flush(&self, acc: &mut Pending) {
        for (account, region, period, records) in &mut acc.parts {
            if records.is_empty() || acc.error.is_some() {
                continue;
            }
            let by = self.exporter.granularity();
            let period = match period {
                Some((y, m, d)) if by == Granularity::Day => format!("{y:04}-{m:02}-{d:02}"),
                Some((y, m, _)) => format!("{y:04}-{m:02}"),
                None => by.value(None),
            };
            let partition = Partition::of(Some(account), Some(region), period);
            acc.last = (records.json_bytes(), records.len());
            if let Err(e) = self.exporter.write(&partition, std::mem::take(records)) {
                acc.error = Some(e);
            }
        }
    }
}

impl Visitor for ExportVisitor<'_> {
    type Acc = Pending;

    fn new_acc(&self) -> Pending {
        Pending::default()
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.matcher.file_may_match(data)
    }

    fn record(&self, acc: &mut Pending, _file: usize, _ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
        let Some(view) = self.matcher.check(raw)? else { return Ok(()) };
        let account = view.recipient_account_id();
        let region = view.aws_region();
        let (account, region) = (account.as_deref().unwrap_or_default(), region.as_deref().unwrap_or_default());
        let time = view.event_time_ms();
        let period = self.period(time);
        let at = acc.parts.iter().position(|(a, r, p, _)| a == account && r == region && *p == period);
        let at = at.unwrap_or_else(|| {
            let records = self.exporter.records(acc.last.0, acc.last.1);
            acc.parts.push((account.to_string(), region.to_string(), period, records));
            acc.parts.len() - 1
        });
        let records = &mut acc.parts[at].3;
        records.push(raw, &view, time);
        if records.json_bytes() >= FLUSH_BYTES {
            self.flush(acc);
        }
        Ok(())
    }

    fn end_file(&self, acc: &mut Pending, _file: usize) -> std::io::Result<()> {
        self.flush(acc);
        // A task reads many files: only the partitions of the next one are kept.
        acc.parts.retain(|(_, _, _, records)| !records.is_empty());
        match acc.error.take() {
            Some(e) => Err(std::io::Error::other(e)),
            None => Ok(()),
        }
    }

    fn merge(&self, mut a: Pending, b: Pending) -> Pending {
        a.error = a.error.or(b.error);
        a
    }
}
