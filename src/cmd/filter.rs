//! `ctl filter`: test a CloudWatch Logs filter pattern against log events offline, as
//! `TestMetricFilter` does online. Files and trees go through the one scan engine: CloudTrail
//! files (`{"Records":[...]}`, arrays, JSON lines, gzipped or not) are read record by record,
//! each record as CloudTrail delivers it to CloudWatch Logs; any other file (text logs, VPC flow
//! logs) line by line, each line one event message. Matches print in input order.

use std::io::{BufRead as _, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context as _;

use super::session::{Outcome, Session};
use super::{Answer, Global, Status};
use crate::cli::FilterArgs;
use crate::output::sanitize;
use cloudtrail::dedup::{event_digest, Seen};
use cloudtrail::record::{self, Refusal};
use cloudtrail::scan::{self, Prune, Visitor};
use cwl_filter::Pattern;

pub fn run(args: &FilterArgs, global: &Global) -> anyhow::Result<Status> {
    let pattern = Pattern::parse(&args.pattern).map_err(|error| super::PatternUsage {
        option: "--pattern",
        pattern: args.pattern.clone(),
        error,
    })?;
    let paths: Vec<PathBuf> = if args.paths.is_empty() { vec!["-".into()] } else { args.paths.clone() };
    if paths == [PathBuf::from("-")] && scan::streams_by_line(std::io::stdin().lock().fill_buf()?) {
        return stream_stdin(&pattern, args, global);
    }
    let session = Session::discover(&paths, &Prune::default(), args.strict, global)?;
    let scanned = session.scan(&FilterVisitor { pattern: &pattern, keep: !args.count, seen: session.seen.as_ref() });
    let unreadable = session.unreadable(&scanned);
    let mut found = scanned.acc;
    session.count_copies(found.in_order());
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.count {
        writeln!(out, "{}", found.count)?;
    } else {
        for (.., message) in &found.messages {
            write_message(&mut out, message, global.stdout_tty)?;
        }
    }
    out.flush()?;
    let phrase = format!("{} matched", found.count);
    session.summary(&scanned.stats, Outcome { phrase: &phrase, key: "matched", count: found.count });
    Ok(crate::exit::status(Answer::Search { matched: found.count > 0 }, unreadable))
}

/// Filters standard input as it arrives, line by line, printing each match at once (so that
/// `tail -f app.log | ctl filter -p ERROR` shows matches as they come). A line that holds JSON
/// records (a JSON-lines event, a one-line CloudTrail file) is read record by record, as a file
/// is; any other line is one text message. A line longer than `--max-file-size` is refused.
fn stream_stdin(pattern: &Pattern, args: &FilterArgs, global: &Global) -> anyhow::Result<Status> {
    let mut input = std::io::stdin().lock();
    let mut out = std::io::stdout().lock();
    // The same visitor as for files, keeping each line's matches with their digests; copies are
    // dropped here, as they are printed.
    let dedup = (!global.keep_duplicates).then(Seen::new);
    let visitor = FilterVisitor { pattern, keep: true, seen: dedup.as_ref() };
    let mut printed = std::collections::HashSet::new();
    let (mut line, mut scratch) = (Vec::new(), Vec::new());
    let (mut lines, mut matched, mut ordinal) = (0u64, 0u64, 0u64);
    loop {
        line.clear();
        let limit = global.max_file_bytes as u64 + 1;
        if std::io::Read::take(&mut input, limit).read_until(b'\n', &mut line).context("reading standard input")? == 0 {
            break;
        }
        if line.len() as u64 >= limit {
            anyhow::bail!("<stdin>: a line is longer than the per-file limit of {} MiB", global.max_file_bytes >> 20);
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let mut found = Found::default();
        // A record that breaks the JSON contract is left out, as in a file.
        scan::visit_line(&visitor, &mut found, 0, text, &mut ordinal, &mut scratch);
        lines += 1;
        for (_, _, digest, message) in &found.messages {
            if digest.is_none_or(|d| printed.insert(d)) {
                matched += 1;
                if !args.count {
                    write_message(&mut out, message, global.stdout_tty)?;
                    out.flush()?;
                }
            }
        }
    }
    if args.count {
        writeln!(out, "{matched}")?;
    }
    out.flush()?;
    if !global.quiet {
        eprintln!("ctl: {lines} lines read from standard input, {matched} matched");
    }
    Ok(crate::exit::status(Answer::Search { matched: matched > 0 }, 0))
}

/// Writes one message and a newline, escaped on a terminal.
fn write_message(out: &mut impl Write, message: &[u8], terminal: bool) -> std::io::Result<()> {
    if terminal {
        out.write_all(&sanitize::escape_bytes(message, false))?;
    } else {
        out.write_all(message)?;
    }
    out.write_all(b"\n")
}

/// One kept match: its file and position (for a stable order), the digest of the record when
/// copies are to be dropped, and the message.
type Kept = (usize, u64, Option<u64>, Vec<u8>);

/// The matches of one task: how many, and (unless only counted) each one kept.
#[derive(Debug, Default)]
struct Found {
    count: u64,
    messages: Vec<Kept>,
}

impl Found {
    /// The kept messages in input order, each copy of a record after the first dropped (so the
    /// copy printed does not depend on the threads); returns how many were dropped.
    fn in_order(&mut self) -> u64 {
        self.messages.sort_by_key(|(file, ordinal, ..)| (*file, *ordinal));
        let mut seen = std::collections::HashSet::new();
        let before = self.messages.len();
        self.messages.retain(|(_, _, digest, _)| digest.is_none_or(|d| seen.insert(d)));
        let dropped = (before - self.messages.len()) as u64;
        self.count -= dropped;
        dropped
    }
}

/// Offers each event message to the pattern.
struct FilterVisitor<'p> {
    pattern: &'p Pattern,
    /// Keep the matching messages (false: count only).
    keep: bool,
    /// Drop copies of CloudTrail records delivered more than once (text lines never are): when
    /// counting, through the shared set; when printing, after sorting ([`Found::in_order`]).
    seen: Option<&'p Seen>,
}

impl FilterVisitor<'_> {
    fn keep_match(&self, acc: &mut Found, file: usize, ordinal: u64, digest: Option<u64>, message: &[u8]) {
        acc.count += 1;
        if self.keep {
            acc.messages.push((file, ordinal, digest, message.to_vec()));
        }
    }
}

impl Visitor for FilterVisitor<'_> {
    type Acc = Found;

    fn new_acc(&self) -> Found {
        Found::default()
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        record::file_screen(self.pattern).is_none_or(|p| p.may_match(data))
    }

    fn record(&self, acc: &mut Found, file: usize, ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
        let message = record::event_text(raw);
        if self.pattern.matches_prefiltered(&message) {
            // A record breaking the JSON contract is reported, never printed. Any valid record is
            // a log event, CloudTrail's or not, as in CloudWatch Logs.
            record::check_json(raw)?;
            match (self.seen, self.keep) {
                (Some(_), true) => self.keep_match(acc, file, ordinal, event_digest(raw), &message),
                (Some(seen), false) if !seen.first_sighting(raw) => {}
                _ => self.keep_match(acc, file, ordinal, None, &message),
            }
        }
        Ok(())
    }

    fn reads_text(&self) -> bool {
        true
    }

    fn line(&self, acc: &mut Found, file: usize, ordinal: u64, line: &[u8]) {
        if self.pattern.matches_prefiltered(line) {
            self.keep_match(acc, file, ordinal, None, line);
        }
    }

    fn merge(&self, mut a: Found, b: Found) -> Found {
        a.count += b.count;
        a.messages.extend(b.messages);
        a
    }
}
