//! `ctl query`: find events by who, what, when and where, over files, trees and stdin.
//!
//! Builds the [`Plan`], discovers and prunes the files, scans them with the shared engine, prints
//! the matches (or counts) on stdout and a summary on stderr. Exit status as grep: 0 when
//! something matched, 1 when nothing did, 2 on error (with `--strict`, any unreadable file).

use std::io::{BufWriter, Write};

use anyhow::Context;
use chrono::Utc;

use super::session::{Outcome, Session};
use super::{Answer, Global, Status};
use crate::cli::QueryArgs;
use crate::output::{self, EventSink};
use cloudtrail::query::collect::{group_cells, group_columns, CountBy, Matcher, Ordered, Streamed};
use cloudtrail::query::{Mode, Plan};
use cloudtrail_parquet::read::{Needs, Query as ExportQuery};

/// Runs `ctl query`.
pub fn run(args: &QueryArgs, global: &Global) -> anyhow::Result<Status> {
    let plan = Plan::new(&args.request(), Utc::now()).map_err(|e| super::plan_error(e, &args.select))?;
    if let Some(dialect) = args.sql {
        let sql = cloudtrail_parquet::sql::select(super::export::dialect(dialect), &plan.selection, &plan.mode)?;
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(sql.as_bytes()).and_then(|()| stdout.flush()).context("writing the SQL")?;
        return Ok(Status::Success);
    }
    let session = Session::discover(&plan.paths, &plan.prune, plan.strict, global)?;
    let matcher = Matcher { selection: &plan.selection, prefilter: &plan.prefilter, seen: session.seen.as_ref() };
    let needs = Needs::new(&plan.selection, Some(&plan.mode));
    let reading = ExportQuery { selection: &plan.selection, prefilter: &plan.prefilter, needs: &needs };
    let format = global.output_format(args.output);
    let screen = global.screen();
    let stdout = Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout()));

    let (stats, matched, unreadable) = match &plan.mode {
        Mode::Events { fields, ordered: true, limit } => {
            // Ordered output drops copies itself, deterministically (see `Matches`), and sorts
            // in bounded memory: beyond it, in sorted runs on temporary files.
            let dedup = session.seen.is_some();
            let spill = super::sort_spill(&plan.paths, global)?;
            let visitor = Ordered {
                matcher: Matcher { seen: None, ..matcher },
                limit: *limit,
                dedup,
                spill: limit.is_none().then_some(&spill),
            };
            let scanned = session.scan_reading(&visitor, &reading);
            let (stats, stopped, unreadable) =
                (scanned.stats, scanned.stopped_on_problem, session.unreadable(&scanned));
            let runs = spill.runs();
            let mut sorted = spill.finish(scanned.acc).context("sorting the matches on disk")?;
            if runs > 0 {
                session
                    .talk(&format!("note: the matches were sorted in {runs} runs on disk (bounded by --max-memory)"));
            }
            if !stopped {
                let mut sink = EventSink::new(format, fields.clone(), stdout, screen, sources(&session, args));
                sorted.for_each(|raw, source| sink.write_event(raw, source)).context("writing the results")?;
                sink.finish().context("writing the results")?;
            }
            session.count_copies(sorted.copies());
            (stats, sorted.matched(), unreadable)
        }
        Mode::Events { fields, ordered: false, limit } => {
            let sink = EventSink::new(format, fields.clone(), stdout, screen, sources(&session, args));
            let visitor = Streamed::new(matcher, sink, *limit);
            let scanned = session.scan_reading(&visitor, &reading);
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
            let scanned = session.scan_reading(&visitor, &reading);
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

    let phrase = format!("{matched} matched");
    session.summary(&stats, Outcome { phrase: &phrase, key: "matched", count: matched });
    let _ = std::io::stderr().flush();
    Ok(crate::exit::status(Answer::Search { matched: matched > 0 }, unreadable))
}

/// With `--with-source`, the name of every input by its index in the scan.
fn sources(session: &Session<'_>, args: &QueryArgs) -> Option<Vec<String>> {
    args.with_source.then(|| session.discovery.inputs.iter().map(|input| input.display()).collect())
}
