//! `ctl query`: find events by who, what, when and where, over files, trees and stdin.
//!
//! Builds the [`Plan`], discovers and prunes the files, scans them with the shared engine, prints
//! the matches (or counts) on stdout and a summary on stderr. Exit status as grep: 0 when
//! something matched, 1 when nothing did, 2 on error (with `--strict`, any unreadable file).

use std::io::{BufWriter, Write};
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;

use super::{Global, Status};
use crate::cli::QueryArgs;
use crate::output::{self, sanitize, EventSink};
use crate::query::collect::{count_cells, CountBy, Matcher, Ordered, Streamed};
use crate::query::{Mode, Plan};
use crate::scan::{self, Problem, ScanOptions, Scanned, Stats};

/// Above this many bytes of matches held for ordering, suggest `--unordered`.
const HINT_HELD_BYTES: u64 = 256 << 20;

/// Runs `ctl query`.
pub fn run(args: &QueryArgs, global: &Global) -> anyhow::Result<Status> {
    let started = Instant::now();
    let plan = Plan::from_args(args, Utc::now())?;
    let talk = |message: &str| {
        if !global.quiet {
            let message = if global.stderr_tty { sanitize::escape_str(message, true) } else { message.into() };
            eprintln!("ctl: {message}");
        }
    };

    let mut walk_errors = 0u64;
    let discovery = scan::discover(&plan.paths, &plan.prune, |e| {
        walk_errors += 1;
        // A missing or unreadable path is an error whatever -q says, as in grep.
        eprintln!("ctl: {e}");
    });
    if plan.strict && walk_errors > 0 {
        anyhow::bail!("stopping (--strict): {walk_errors} path(s) could not be read");
    }

    let progress = global.progress().then(|| {
        let bar = indicatif::ProgressBar::new(discovery.inputs.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} files {wide_bar} {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let on_problem = |problem: &Problem| {
        if let Some(bar) = &progress {
            bar.suspend(|| talk(&problem.to_string()));
        } else {
            talk(&problem.to_string());
        }
    };
    let options = ScanOptions { strict: plan.strict, progress: progress.as_ref(), on_problem: &on_problem };
    let matcher = Matcher { selection: &plan.selection, prefilter: &plan.prefilter, validate: true };
    let format = global.output_format(args.output);
    let terminal = global.stdout_tty;
    let stdout = Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout()));

    let (stats, matched, stopped) = match &plan.mode {
        Mode::Events { fields, ordered: true, limit } => {
            let visitor = Ordered { matcher, limit: *limit };
            let scanned = scan::scan(&discovery.inputs, &visitor, &options);
            let (stats, stopped) = settle(&scanned, progress.as_ref())?;
            let matched = scanned.acc.matched();
            let held = scanned.acc.held_bytes();
            if held > HINT_HELD_BYTES && limit.is_none() {
                talk(&format!(
                    "note: {} MB of matching events were held to print them by eventTime; --unordered streams them",
                    held / 1_000_000
                ));
            }
            if !stopped {
                let mut sink = EventSink::new(format, fields.clone(), stdout, terminal);
                scanned.acc.for_each_sorted(|raw| sink.event(raw)).context("writing the results")?;
                sink.finish().context("writing the results")?;
            }
            (stats, matched, stopped)
        }
        Mode::Events { fields, ordered: false, limit } => {
            let sink = EventSink::new(format, fields.clone(), stdout, terminal);
            let visitor = Streamed::new(matcher, sink, *limit);
            let scanned = scan::scan(&discovery.inputs, &visitor, &options);
            if let Some(e) = scanned.io_error {
                return Err(anyhow::Error::new(e).context("writing the results"));
            }
            let (stats, stopped) = settle(&scanned, progress.as_ref())?;
            let (mut sink, _) = visitor.into_sink();
            sink.finish().context("writing the results")?;
            (stats, scanned.acc.matched(), stopped)
        }
        Mode::Count { by, top } => {
            let visitor = CountBy { matcher: Matcher { validate: false, ..matcher }, by };
            let scanned = scan::scan(&discovery.inputs, &visitor, &options);
            let (stats, stopped) = settle(&scanned, progress.as_ref())?;
            let matched = scanned.acc.matched();
            if !stopped {
                let mut columns: Vec<String> = by.iter().map(|f| f.name().to_string()).collect();
                columns.push("count".to_string());
                let mut sink = output::row_sink(format, columns, stdout, terminal);
                for row in scanned.acc.rows(*top) {
                    sink.row(&count_cells(&row)).context("writing the results")?;
                }
                sink.finish().context("writing the results")?;
            }
            (stats, matched, stopped)
        }
    };

    if !global.quiet {
        let seconds = started.elapsed().as_secs_f64();
        let mut line = format!("{} files read", stats.files);
        if stats.unsplit > 0 {
            line.push_str(&format!(" ({} of them could not match and were not split)", stats.unsplit));
        }
        line.push_str(&format!(
            ", {} pruned by path, {} digests skipped, {} other files ignored, {} unreadable",
            discovery.pruned,
            discovery.digests + stats.digests,
            discovery.ignored,
            stats.unreadable,
        ));
        let split = if stats.unsplit > 0 { " in the files split" } else { "" };
        line.push_str(&format!("; {} events examined{split}, {} matched", stats.records, matched));
        if stats.bad_records > 0 {
            line.push_str(&format!(", {} records not events", stats.bad_records));
        }
        line.push_str(&format!("; {:.2}s, {:.0} MB/s", seconds, stats.bytes as f64 / 1e6 / seconds.max(1e-9)));
        eprintln!("ctl: {line}");
    }
    let _ = std::io::stderr().flush();
    Ok(if stopped || walk_errors > 0 {
        Status::Error
    } else if matched > 0 {
        Status::Success
    } else {
        Status::Finding
    })
}

/// Ends the progress bar and tells whether the scan stopped on a problem (`--strict`).
fn settle<A>(scanned: &Scanned<A>, progress: Option<&indicatif::ProgressBar>) -> anyhow::Result<(Stats, bool)> {
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if scanned.stopped_on_problem {
        eprintln!("ctl: stopping (--strict): a file could not be read as CloudTrail records");
    }
    Ok((scanned.stats, scanned.stopped_on_problem))
}
