//! `ctl filter`: test a CloudWatch Logs filter pattern against log events offline, as
//! `TestMetricFilter` does online. Files and trees go through the one scan engine: CloudTrail
//! files (`{"Records":[...]}`, arrays, JSON lines, gzipped or not) are read record by record,
//! each record as CloudTrail delivers it to CloudWatch Logs; any other file (text logs, VPC flow
//! logs) line by line, each line one event message. Matches print in input order.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context as _;

use super::session::Session;
use super::{Answer, Global, Status};
use crate::cli::FilterArgs;
use crate::output::sanitize;
use cloudtrail::dedup::Seen;
use cloudtrail::record::{self, EventView, Refusal};
use cloudtrail::scan::{Prune, Visitor};
use cwl_filter::Pattern;

pub fn run(args: &FilterArgs, global: &Global) -> anyhow::Result<Status> {
    let pattern = Pattern::parse(&args.pattern).context("--pattern")?;
    let paths: Vec<PathBuf> = if args.paths.is_empty() { vec!["-".into()] } else { args.paths.clone() };
    let session = Session::discover(&paths, &Prune::default(), args.strict, global)?;
    let scanned = session.scan(&FilterVisitor { pattern: &pattern, keep: !args.count, seen: session.seen.as_ref() });
    let unreadable = session.unreadable(&scanned);
    let found = scanned.acc;
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.count {
        writeln!(out, "{}", found.count)?;
    } else {
        let mut messages = found.messages;
        messages.sort_by_key(|(file, ordinal, _)| (*file, *ordinal));
        for (_, _, message) in &messages {
            if global.stdout_tty {
                out.write_all(&sanitize::escape_bytes(message, false))?;
            } else {
                out.write_all(message)?;
            }
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    session.summary(&scanned.stats, &format!("{} matched", found.count));
    Ok(crate::exit::status(Answer::Search { matched: found.count > 0 }, unreadable))
}

/// The matches of one task: how many, and (unless only counted) each message with its file and
/// position, for a stable order.
#[derive(Debug, Default)]
struct Found {
    count: u64,
    messages: Vec<(usize, u64, Vec<u8>)>,
}

/// Offers each event message to the pattern.
struct FilterVisitor<'p> {
    pattern: &'p Pattern,
    /// Keep the matching messages (false: count only).
    keep: bool,
    /// When given, a CloudTrail event already matched (a copy delivered twice) is left out;
    /// text lines are never deduplicated.
    seen: Option<&'p Seen>,
}

impl FilterVisitor<'_> {
    fn keep_match(&self, acc: &mut Found, file: usize, ordinal: u64, message: &[u8]) {
        acc.count += 1;
        if self.keep {
            acc.messages.push((file, ordinal, message.to_vec()));
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
            // A record breaking the JSON contract, or not a CloudTrail event, is reported,
            // never printed.
            record::admit(raw, &EventView::parse(raw)?)?;
            if self.seen.is_none_or(|seen| seen.first_sighting(raw)) {
                self.keep_match(acc, file, ordinal, &message);
            }
        }
        Ok(())
    }

    fn reads_text(&self) -> bool {
        true
    }

    fn line(&self, acc: &mut Found, file: usize, ordinal: u64, line: &[u8]) {
        if self.pattern.matches_prefiltered(line) {
            self.keep_match(acc, file, ordinal, line);
        }
    }

    fn merge(&self, mut a: Found, b: Found) -> Found {
        a.count += b.count;
        a.messages.extend(b.messages);
        a
    }
}
