//! Streams read as they arrive: standard input, and FIFOs or devices named as inputs.
//!
//! A stream of JSON lines or text lines (`tail -f app.log`, `aws logs tail`, `zcat` of many
//! files) is read one line at a time, each line split into records as a file is (or handed to
//! the visitor as a text line when it holds none and the visitor reads text), and
//! [`Visitor::end_file`] is called after each line, so a streaming visitor prints each match as
//! its line arrives and memory stays bounded by the longest line. A gzip stream is inflated as it
//! arrives. A stream that is one JSON document over several lines (pretty-printed) cannot be
//! split by line: it is read whole, as a file, within the per-file limit.

use std::io::{BufRead, BufReader, Read};

use super::{read_records, Refused, ScanStats, Visitor, Worker};
use crate::gz;
use crate::record::{self, RecordError};

/// Whether a stream whose first buffered bytes are `head` can be read line by line: not gzip,
/// and not a JSON document spread over several lines (pretty-printed), which is read whole.
pub fn streams_by_line(head: &[u8]) -> bool {
    if gz::is_gzip(head) {
        return false;
    }
    let starts_json = head.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| matches!(b, b'{' | b'['));
    match memchr::memchr(b'\n', head) {
        Some(end) if starts_json => {
            let first = head[..end].trim_ascii();
            first.is_empty() || record::split(first, &mut Vec::new(), |_, _| {}).is_ok()
        }
        _ => true,
    }
}

/// What one line gave: records (and those refused), or a text line, or damage.
#[derive(Debug, Default)]
pub struct LineOutcome {
    pub records: u64,
    pub refused: Refused,
    /// The line is not JSON records and the visitor does not read text.
    pub damage: Option<RecordError>,
}

/// Hands one line (its newline removed) to the visitor: its records, or the line itself as
/// text when it holds none and the visitor reads text. `ordinal` numbers the line's records and
/// text lines within the stream.
pub fn visit_line<V: Visitor>(
    visitor: &V,
    acc: &mut V::Acc,
    file: usize,
    line: &[u8],
    ordinal: &mut u64,
    scratch: &mut Vec<u8>,
) -> LineOutcome {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut outcome = LineOutcome::default();
    if line.trim_ascii().is_empty() {
        return outcome;
    }
    let split = record::split(line, scratch, |raw, _| {
        if let Err(refusal) = visitor.record(acc, file, *ordinal, raw) {
            outcome.refused.add(*ordinal, refusal);
        }
        *ordinal += 1;
        outcome.records += 1;
    });
    match split {
        Err(_) if outcome.records == 0 && visitor.reads_text() => {
            visitor.line(acc, file, *ordinal, line);
            *ordinal += 1;
            outcome.records = 1;
        }
        Err(e) => outcome.damage = Some(e),
        Ok(_) => {}
    }
    outcome
}

/// Reads one stream input to its end (see the module doc); returns the problem to report. An
/// error of [`Visitor::end_file`] (a closed stdout) stops the stream and is put in `output`.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_stream<V: Visitor>(
    worker: &mut Worker,
    visitor: &V,
    index: usize,
    source: Box<dyn BufRead + '_>,
    acc: &mut V::Acc,
    stats: &mut ScanStats,
    max_line: usize,
    output: &mut Option<std::io::Error>,
) -> Result<Option<super::ProblemKind>, RecordError> {
    let mut source = source;
    if gz::is_gzip(source.fill_buf()?) {
        source = Box::new(BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(source)));
    }
    if !streams_by_line(source.fill_buf()?) {
        let data = worker.reader.load_from(source)?;
        return Ok(read_records(data, &mut worker.scratch, visitor, index, acc, stats));
    }
    let (mut line, mut ordinal, mut refused, mut damage) = (Vec::new(), 0u64, Refused::default(), None);
    loop {
        line.clear();
        let read = (&mut source).take(max_line as u64 + 1).read_until(b'\n', &mut line)?;
        if read == 0 {
            break;
        }
        if line.len() > max_line {
            return Err(RecordError::LineTooLong { limit: max_line });
        }
        stats.bytes += line.len() as u64;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let outcome = visit_line(visitor, acc, index, text, &mut ordinal, &mut worker.scratch);
        stats.records += outcome.records;
        stats.bad_records += outcome.refused.invalid;
        stats.not_events += outcome.refused.not_events;
        refused.absorb(outcome.refused);
        damage = damage.or(outcome.damage);
        if let Err(e) = visitor.end_file(acc, index) {
            *output = Some(e);
            break;
        }
        if visitor.done() {
            break;
        }
    }
    Ok(match damage {
        Some(e) => Some(super::ProblemKind::File(e)),
        None => refused.any().then_some(super::ProblemKind::Records(refused)),
    })
}
