//! `ctl export`: events as partitioned Parquet, and the CREATE TABLE of an export.
//!
//! Selects events with query's [`Selectors`](crate::cli::Selectors), reads them with the shared
//! scan engine (progress bar, problems on stderr, de-duplication), writes them with
//! [`cloudtrail_parquet::write::Exporter`] and closes with the summary line and what was
//! written. Nothing is ever written inside an input.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::Utc;

use super::session::{Outcome, Session};
use super::{Answer, Global, Status};
use crate::cli::{Dialect, ExportArgs, PartitionBy};
use cloudtrail::query::collect::Matcher;
use cloudtrail::query::paths_or_here;
use cloudtrail::summary::FileFacts;
use cloudtrail_parquet::export::ExportVisitor;
use cloudtrail_parquet::manifest::{Granularity, LogFiles, Manifest, Source, Tallied};
use cloudtrail_parquet::sql;
use cloudtrail_parquet::write::{Exporter, Layout};

/// Runs `ctl export`.
pub fn run(args: &ExportArgs, global: &Global) -> anyhow::Result<Status> {
    if let (Some(dialect), true) = (args.ddl, args.paths.is_empty()) {
        if let Some(manifest) = Manifest::read(&args.out)? {
            print_ddl(dialect, &manifest, args)?;
            return Ok(Status::Success);
        }
    }
    let scope = args.select.criteria().compile(Utc::now()).map_err(|e| super::plan_error(e, &args.select))?;
    let paths = paths_or_here(&args.paths);
    refuse_inside_inputs(&args.out, &paths)?;
    let session = Session::discover(&paths, &scope.prune, args.strict, global)?;
    let granularity = match args.partition_by {
        PartitionBy::Month => Granularity::Month,
        PartitionBy::Day => Granularity::Day,
    };
    // Two thirds of --max-memory for the records waiting to be written as row groups, with the
    // spare records and column builders kept to be filled again (row groups of up to 128 MB of
    // JSON: fewer, larger groups make a selective query on the export faster); the scan's file
    // buffers have their own budget (and hold one log file per thread, a few MB, in practice).
    let exporter = Exporter::create(&args.out, Layout::for_memory(granularity, global.max_memory / 3 * 2))?;
    let matcher = Matcher { selection: &scope.selection, prefilter: &scope.prefilter, seen: session.seen.as_ref() };
    // Each input's records counted on the way, for the manifest (see `Source::logs`).
    let scanned = session.scan(&Tallied { inner: &ExportVisitor { matcher, exporter: &exporter } });
    if let Some(e) = scanned.io_error {
        return Err(anyhow::Error::new(e).context(format!("writing the export into {}", args.out.display())));
    }
    let unreadable = session.unreadable(&scanned);
    let source = Source {
        paths: paths
            .iter()
            .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()).display().to_string())
            .collect(),
        log_files: scanned.stats.files,
        files: FileFacts::of(&session.discovery),
        logs: LogFiles::of(&session.discovery.inputs, &paths, &scanned.acc.1),
        unreadable: scanned.stats.unreadable,
        skipped: scanned.stats.skipped.total(),
        copies: session.seen.as_ref().map_or(0, cloudtrail::dedup::Seen::copies),
    };
    let written = exporter.finish(Some(source)).context("completing the export")?;
    let phrase = format!(
        "{} events exported into {} files of {} partitions ({:.1} MB of Parquet in {})",
        written.events,
        written.files,
        written.partitions,
        written.bytes as f64 / 1e6,
        args.out.display()
    );
    session.summary(&scanned.stats, Outcome { phrase: &phrase, key: "exported", count: written.events });
    if let Some(dialect) = args.ddl {
        let manifest = Manifest::read(&args.out)?.context("the export's manifest is missing")?;
        print_ddl(dialect, &manifest, args)?;
    }
    Ok(crate::exit::status(Answer::Search { matched: written.events > 0 }, unreadable))
}

/// The engine's dialect in the library's terms.
pub fn dialect(d: Dialect) -> sql::Dialect {
    match d {
        Dialect::Athena => sql::Dialect::Athena,
        Dialect::Trino => sql::Dialect::Trino,
        Dialect::Spark => sql::Dialect::Spark,
        Dialect::Duckdb => sql::Dialect::DuckDb,
    }
}

fn print_ddl(d: Dialect, manifest: &Manifest, args: &ExportArgs) -> anyhow::Result<()> {
    let location = match &args.location {
        Some(uri) => uri.clone(),
        None => std::fs::canonicalize(&args.out)
            .with_context(|| format!("{}: cannot resolve", args.out.display()))?
            .display()
            .to_string(),
    };
    let text = sql::ddl(dialect(d), manifest, &location);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).context("writing the DDL")
}

/// Refuses an output folder inside (or equal to) an input folder: nothing is written into the
/// evidence. The output may not exist yet: its nearest existing ancestor is resolved.
fn refuse_inside_inputs(out: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    let absolute = std::path::absolute(out).with_context(|| format!("{}: cannot resolve", out.display()))?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        let Some(parent) = existing.parent() else { break };
        rest.push(existing.file_name().map(PathBuf::from).unwrap_or_default());
        existing = parent;
    }
    let mut real = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    real.extend(rest.iter().rev());
    for input in inputs.iter().filter(|p| p.as_os_str() != "-") {
        if let Ok(input) = std::fs::canonicalize(input) {
            if real.starts_with(&input) {
                anyhow::bail!(
                    "--out {} is inside the input {}: an export is never written into the evidence",
                    out.display(),
                    input.display()
                );
            }
        }
    }
    Ok(())
}
