//! `ctl summary`: what a dump holds, every section from one pass over the selected events.
//!
//! Exit status as query: 0 when some event was selected, 1 when none was, 2 on error.

use std::io::{BufWriter, Write};

use anyhow::Context;
use chrono::Utc;

use super::session::{Outcome, Session};
use super::{Answer, Global, Status};
use crate::cli::{OutputFormat, SummaryArgs, SummaryBy};
use crate::output;
use cloudtrail::query::collect::Matcher;
use cloudtrail::summary::tally::Summarize;
use cloudtrail::summary::{FileFacts, Volume};

/// Runs `ctl summary`.
pub fn run(args: &SummaryArgs, global: &Global) -> anyhow::Result<Status> {
    let format = global.output_format(args.output);
    if format == OutputFormat::Csv {
        anyhow::bail!("--output csv: a summary has many tables; use table, json or jsonl");
    }
    let scope = args.select.criteria().compile(Utc::now()).map_err(|e| super::plan_error(e, &args.select))?;
    let session = Session::discover(&args.paths, &scope.prune, args.strict, global)?;
    let matcher = Matcher { selection: &scope.selection, prefilter: &scope.prefilter, seen: session.seen.as_ref() };
    let scanned = session.scan(&Summarize { matcher });
    let unreadable = session.unreadable(&scanned);
    let stats = scanned.stats;
    let events = scanned.acc.events();
    if !scanned.stopped_on_problem {
        // An export's files are not its source's: the source's, as the manifest keeps them.
        let parquet_files: u64 = session.exports.iter().map(|(_, _, files)| files.len() as u64).sum();
        let sources = session.exports.iter().filter_map(|(_, manifest, _)| manifest.source.as_ref());
        let volume = Volume {
            files: stats.files - parquet_files.min(stats.files) + sources.clone().map(|s| s.log_files).sum::<u64>(),
            unreadable_files: stats.unreadable,
            records: stats.records,
            events,
            copies_dropped: session.seen.as_ref().map_or(0, cloudtrail::dedup::Seen::copies),
            invalid_records: stats.bad_records,
            not_events: stats.not_events,
        };
        let mut summary = scanned.acc.report(&session.discovery, volume, args.top);
        let mut files = FileFacts {
            organizations: std::mem::take(&mut summary.organizations),
            trails: std::mem::take(&mut summary.trails),
            delivery: std::mem::take(&mut summary.delivery),
            digests: std::mem::take(&mut summary.digests),
        };
        for source in sources {
            files.add(source.files.clone());
        }
        (summary.organizations, summary.trails, summary.delivery, summary.digests) =
            (files.organizations, files.trails, files.delivery, files.digests);
        if summary.digests.files > 0 {
            summary.digests.validate = Some(validate_command(args, &session));
        }
        let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout());
        let layout = output::summary::Layout { by_identity: args.by == Some(SummaryBy::Identity), top: args.top };
        output::summary::print(&mut out, &summary, format, global.screen(), layout).context("writing the summary")?;
        out.flush().context("writing the summary")?;
    }
    let phrase = format!("{events} summarized");
    session.summary(&stats, Outcome { phrase: &phrase, key: "summarized", count: events });
    let _ = std::io::stderr().flush();
    Ok(crate::exit::status(Answer::Search { matched: events > 0 }, unreadable))
}

/// The `ctl validate` command that proves the paths given intact (an export's: its source's).
fn validate_command(args: &SummaryArgs, session: &Session<'_>) -> String {
    let paths: Vec<String> = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths
            .iter()
            .flat_map(|p| match session.exports.iter().find(|(root, _, _)| root == p) {
                Some((_, manifest, _)) => manifest.source.as_ref().map(|s| s.paths.clone()).unwrap_or_default(),
                None => vec![p.display().to_string()],
            })
            .map(|p| shell_quote(&p))
            .collect()
    };
    format!("ctl validate {}", paths.join(" "))
}

/// `text` quoted for a POSIX shell when it holds anything but plain path characters.
pub fn shell_quote(text: &str) -> String {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-+:@=,".contains(&b)) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
