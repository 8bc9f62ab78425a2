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
use cloudtrail::query::Scope;
use cloudtrail::scan::ScanStats;
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
        let (volume, exported_files) = volume(&session, &scope, &stats, events);
        let mut summary = scanned.acc.report(&session.discovery, volume, args.top);
        let mut files = FileFacts {
            organizations: std::mem::take(&mut summary.organizations),
            trails: std::mem::take(&mut summary.trails),
            delivery: std::mem::take(&mut summary.delivery),
            digests: std::mem::take(&mut summary.digests),
        };
        for facts in exported_files {
            files.add(facts);
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

/// The volume read, and the file facts of each export: an export's are its source's, as the
/// manifest keeps them, not its Parquet files'. The inputs of the source that the source's own
/// discovery keeps under the selectors are counted (their records, their deliveries), so that
/// a time window over an export reports what it reports over the source; organizations, trails
/// and digests are never pruned. What a manifest cannot tell is said on stderr.
fn volume(session: &Session<'_>, scope: &Scope, stats: &ScanStats, events: u64) -> (Volume, Vec<FileFacts>) {
    let mut volume = Volume {
        files: stats.files,
        unreadable_files: stats.unreadable,
        records: stats.records,
        events,
        copies_dropped: session.seen.as_ref().map_or(0, cloudtrail::dedup::Seen::copies),
        invalid_records: stats.bad_records,
        not_events: stats.not_events,
    };
    let prune = &scope.prune;
    let windowed =
        prune.since.is_some() || prune.until.is_some() || !prune.accounts.is_empty() || !prune.regions.is_empty();
    let mut facts = Vec::new();
    for ((root, manifest, _), read) in session.exports.iter().zip(session.exported_stats()) {
        // The Parquet files read are not the source's files.
        volume.files -= read.files.min(volume.files);
        let Some(source) = &manifest.source else { continue };
        let mut files = source.files.clone();
        if manifest.keeps_inputs() {
            let kept = source.kept(prune);
            (volume.records, volume.invalid_records, volume.not_events) = (
                volume.records - read.records.min(volume.records) + kept.records,
                volume.invalid_records - read.bad_records.min(volume.invalid_records) + kept.invalid_records,
                volume.not_events - read.not_events.min(volume.not_events) + kept.not_events,
            );
            let not_read = source.unreadable + source.skipped;
            if kept.pruned == 0 {
                volume.files += source.log_files;
                volume.unreadable_files += source.unreadable;
            } else {
                volume.files += kept.files;
                files.delivery = cloudtrail::summary::delivery::rows(kept.deliveries);
                if not_read > 0 {
                    session.talk(&format!(
                        "note: {}: {not_read} input(s) of its source could not be read in full when exported; the \
                         files read here may count those of the window",
                        root.display()
                    ));
                }
            }
            // The copies the export dropped are those of the whole source: they are the
            // summary's when it selects everything.
            if scope.selection.is_empty() {
                volume.copies_dropped += source.copies;
            } else if source.copies > 0 {
                session.talk(&format!(
                    "note: {}: the {} copies of events its source held are not counted (the export holds one of \
                     each)",
                    root.display(),
                    source.copies
                ));
            }
            if scope.prefilter.is_active() {
                session.talk(&format!(
                    "note: {}: the records counted are all those of the source files kept (over the source, \
                     files that cannot hold a match are not split into records)",
                    root.display()
                ));
            }
        } else {
            volume.files += source.log_files;
            if windowed {
                session.talk(&format!(
                    "note: {}: its manifest (layout {}, an older ctl) keeps no per-file facts: the files and \
                     deliveries reported are those of its whole source, not of the window",
                    root.display(),
                    manifest.ctl_export
                ));
            }
        }
        facts.push(files);
    }
    (volume, facts)
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
