//! `ctl query`: find events by who, what, when and where, over files, trees and stdin.
//!
//! Builds the [`Plan`], discovers and prunes the files, scans them with the shared engine, prints
//! the matches (or counts) on stdout and a summary on stderr. Exit status as grep: 0 when
//! something matched, 1 when nothing did, 2 on error (with `--strict`, any unreadable file).

use std::io::{BufWriter, Write};

use anyhow::Context;
use chrono::Utc;

use super::session::Session;
use super::{Answer, Global, Status};
use crate::cli::QueryArgs;
use crate::output::{self, EventSink};
use cloudtrail::query::collect::{group_cells, group_columns, CountBy, Matcher, Ordered, Streamed};
use cloudtrail::query::{Mode, Plan, PlanError};

/// Above this many bytes of matches held for ordering, suggest `--unordered`.
const HINT_HELD_BYTES: u64 = 256 << 20;

/// Runs `ctl query`.
pub fn run(args: &QueryArgs, global: &Global) -> anyhow::Result<Status> {
    let plan = Plan::new(&args.request(), Utc::now()).map_err(|e| match e {
        PlanError::Where(error) => anyhow::Error::new(super::PatternUsage {
            option: "--where",
            pattern: args.r#where.clone().unwrap_or_default(),
            error,
        }),
        other => other.into(),
    })?;
    let session = Session::discover(&plan.paths, &plan.prune, plan.strict, global)?;
    let matcher = Matcher { selection: &plan.selection, prefilter: &plan.prefilter, seen: session.seen.as_ref() };
    let format = global.output_format(args.output);
    let screen = global.screen();
    let stdout = Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout()));

    let (stats, matched, unreadable) = match &plan.mode {
        Mode::Events { fields, ordered: true, limit } => {
            // Ordered output drops copies itself, deterministically (see `Matches`).
            let dedup = session.seen.is_some();
            let visitor = Ordered { matcher: Matcher { seen: None, ..matcher }, limit: *limit, dedup };
            let mut scanned = session.scan(&visitor);
            let (stats, stopped, unreadable) =
                (scanned.stats, scanned.stopped_on_problem, session.unreadable(&scanned));
            scanned.acc.finish();
            session.count_copies(scanned.acc.copies());
            let matched = scanned.acc.matched();
            let held = scanned.acc.held_bytes();
            if held > HINT_HELD_BYTES && limit.is_none() {
                session.talk(&format!(
                    "note: {} MB of matching events were held to print them by eventTime; --unordered streams them",
                    held / 1_000_000
                ));
            }
            if !stopped {
                let mut sink = EventSink::new(format, fields.clone(), stdout, screen, sources(&session, args));
                scanned
                    .acc
                    .for_each_sorted(|raw, source| sink.write_event(raw, source))
                    .context("writing the results")?;
                sink.finish().context("writing the results")?;
            }
            (stats, matched, unreadable)
        }
        Mode::Events { fields, ordered: false, limit } => {
            let sink = EventSink::new(format, fields.clone(), stdout, screen, sources(&session, args));
            let visitor = Streamed::new(matcher, sink, *limit);
            let scanned = session.scan(&visitor);
            if let Some(e) = scanned.io_error {
                return Err(anyhow::Error::new(e).context("writing the results"));
            }
            let (stats, unreadable) = (scanned.stats, session.unreadable(&scanned));
            let (mut sink, _) = visitor.into_sink();
            sink.finish().context("writing the results")?;
            (stats, scanned.acc.matched(), unreadable)
        }
        Mode::Count(grouping) => {
            let visitor = CountBy { matcher, grouping };
            let scanned = session.scan(&visitor);
            let (stats, stopped, unreadable) =
                (scanned.stats, scanned.stopped_on_problem, session.unreadable(&scanned));
            let matched = scanned.acc.matched();
            if !stopped {
                let mut sink = output::row_sink(format, group_columns(grouping), stdout, screen);
                for row in scanned.acc.rows(grouping) {
                    sink.row(&group_cells(&row, grouping)).context("writing the results")?;
                }
                sink.finish().context("writing the results")?;
            }
            (stats, matched, unreadable)
        }
    };

    session.summary(&stats, &format!("{matched} matched"));
    let _ = std::io::stderr().flush();
    Ok(crate::exit::status(Answer::Search { matched: matched > 0 }, unreadable))
}

/// With `--with-source`, the name of every input by its index in the scan.
fn sources(session: &Session<'_>, args: &QueryArgs) -> Option<Vec<String>> {
    args.with_source.then(|| session.discovery.inputs.iter().map(|input| input.display()).collect())
}
