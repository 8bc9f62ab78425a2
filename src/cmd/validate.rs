//! `ctl validate`: offline integrity validation of a bucket dump, printed in the AWS CLI's
//! words (text), or as the documented JSON lines / JSON / CSV records.

use std::io::Write;
use std::time::Instant;

use anyhow::{bail, Context as _};
use serde_json::json;

use crate::cli::{OutputFormat, ValidateArgs};
use crate::cmd::{Answer, Global, Status};
use crate::output::sanitize::escape_str;
use crate::output::{self, Cell};
use cloudtrail::digest::keys::KeyRing;
use cloudtrail::digest::metadata;
use cloudtrail::digest::validate::{self, ChainId, Options, Outcome, Report, Subject, Summary, Tally, Verdict};

pub fn run(args: &ValidateArgs, global: &Global) -> anyhow::Result<Status> {
    let options = options(args, global)?;
    let began = Instant::now();
    let bar = global.progress().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} hashing log files: {pos} in {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    let on_log = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let report = validate::validate(&options, &on_log);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = report?;
    let elapsed = began.elapsed();
    // Said once there is something to validate, so that a usage error comes alone.
    if options.keys.is_empty() && !global.quiet {
        eprintln!(
            "ctl: warning: no public keys given (--public-keys): log hashes and chain links are checked, \
             but no digest signature is verified, so the digests themselves are not proven authentic"
        );
    }
    let mut out = std::io::BufWriter::new(std::io::stdout());
    match global.output_format(args.output) {
        OutputFormat::Table => write_text(&mut out, &report, global.verbose, global.color_stdout)?,
        OutputFormat::Jsonl => write_jsonl(&mut out, &report)?,
        OutputFormat::Json => write_json(&mut out, &report)?,
        OutputFormat::Csv => write_csv(&mut out, &report, global.stdout_tty)?,
    }
    out.flush()?;
    // An input that could not be read is never silent, even with -q; nor is a file in the
    // CloudTrail folders that does not follow the CloudTrail naming.
    for skipped in &report.unreadable {
        let path = skipped.path.display().to_string();
        eprintln!("ctl: {}: unreadable: {}", escape_str(&path, false), escape_str(&skipped.reason, false));
    }
    for stray in report.misnamed() {
        let path = stray.path.as_deref().map_or_else(|| stray.key.clone(), |p| p.display().to_string());
        eprintln!(
            "ctl: {}: {}",
            escape_str(&path, false),
            escape_str(stray.reason.as_deref().unwrap_or_default(), false)
        );
    }
    if !global.quiet {
        if global.verbose {
            for skipped in &report.skipped {
                let path = skipped.path.display().to_string();
                eprintln!("ctl: skipped {}: {}", escape_str(&path, false), escape_str(&skipped.reason, false));
            }
        }
        let mb = report.bytes_hashed as f64 / 1e6;
        let secs = elapsed.as_secs_f64().max(1e-9);
        eprintln!(
            "ctl: {} chains, {} files skipped, {:.1} MB of logs hashed in {:.2}s ({:.0} MB/s)",
            report.chains.len(),
            report.skipped.len(),
            mb,
            secs,
            mb / secs
        );
    }
    let answer = Answer::Integrity { tampered: report.has_findings(), all_proven: report.all_proven() };
    Ok(crate::exit::status(answer, report.unreadable.len() as u64))
}

fn options(args: &ValidateArgs, global: &Global) -> anyhow::Result<Options> {
    let mut keys = KeyRing::default();
    for path in &args.public_keys {
        let text = super::read_option_file(path)?;
        keys.add_json(&text).with_context(|| format!("{}: not a list-public-keys document", path.display()))?;
    }
    let mut heads = Vec::new();
    for path in &args.digest_metadata {
        let text = super::read_option_file(path)?;
        heads.extend(
            metadata::parse_metadata(&text)
                .with_context(|| format!("{}: not a digest metadata file", path.display()))?,
        );
    }
    let start = args.start_time.as_deref().map(cloudtrail::time::parse_absolute).transpose().context("--start-time")?;
    let end = args.end_time.as_deref().map(cloudtrail::time::parse_absolute).transpose().context("--end-time")?;
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            bail!("invalid time range: --start-time must be before --end-time");
        }
    }
    for path in &args.paths {
        if !path.exists() {
            bail!("{}: no such file or folder", path.display());
        }
    }
    Ok(Options {
        roots: args.paths.clone(),
        keys,
        heads,
        bucket: args.bucket.clone(),
        start,
        end,
        accounts: args.account.clone(),
        regions: args.region.clone(),
        trails: args.trail.clone(),
        max_memory: Some(global.max_memory),
    })
}

/// The AWS CLI's line for an item: `Digest file\ts3://B/K\tINVALID: reason`.
/// One item in the AWS CLI's words; with `color`, the verdict red for a finding, yellow when not
/// proven, green when valid.
fn aws_line(item: &Outcome, bucket: &str, color: bool) -> String {
    let what = match item.subject {
        Subject::Digest => "Digest file",
        Subject::Log => "Log file",
        Subject::Link => "Link from digest",
        Subject::Gap => {
            return format!("{}{}", backfill_tag(item), escape_str(item.reason.as_deref().unwrap_or_default(), false))
        }
    };
    let verdict = match (item.verdict, &item.reason) {
        (Verdict::Valid, _) => "valid".to_string(),
        (Verdict::Invalid | Verdict::NotFound, Some(r)) => {
            format!("INVALID: {}", escape_str(r, false))
        }
        (status, Some(r)) => format!("{}: {}", status.as_str().to_uppercase(), escape_str(r, false)),
        (status, None) => status.as_str().to_uppercase(),
    };
    let verdict = match (color, item.verdict) {
        (false, _) => verdict,
        (true, Verdict::Valid) => format!("\x1b[32m{verdict}\x1b[0m"),
        (true, v) if v.is_finding() => format!("\x1b[1;31m{verdict}\x1b[0m"),
        (true, _) => format!("\x1b[33m{verdict}\x1b[0m"),
    };
    format!("{}{what}\ts3://{bucket}/{}\t{verdict}", backfill_tag(item), escape_str(&item.key, false))
}

fn backfill_tag(item: &Outcome) -> &'static str {
    if item.backfill {
        "(backfill) "
    } else {
        ""
    }
}

/// `\n{v}/{t} {what} valid[, {i}/{t} {what} INVALID]` plus ctl's extra counts.
fn ratio_line(tally: &Tally, what: &str) -> Option<String> {
    if tally.total == 0 {
        return None;
    }
    let mut line = format!("{}/{} {what} valid", tally.valid, tally.total);
    let bad = tally.invalid_or_missing();
    if bad > 0 {
        line += &format!(", {bad}/{} {what} INVALID", tally.total);
    }
    for (n, label) in [
        (tally.unverified, "unverified"),
        (tally.unreferenced, "UNREFERENCED"),
        (tally.uncovered, "uncovered by any digest"),
    ] {
        if n > 0 {
            line += &format!(", {n}/{} {what} {label}", tally.total);
        }
    }
    Some(line)
}

fn write_counts(out: &mut impl Write, counts: &Summary) -> std::io::Result<()> {
    for line in [
        ratio_line(&counts.digests, "digest files"),
        ratio_line(&counts.backfill_digests, "backfill digest files"),
        ratio_line(&counts.logs, "log files"),
    ]
    .into_iter()
    .flatten()
    {
        writeln!(out, "{line}")?;
    }
    for (n, what) in [
        (counts.restarts, "restarts of the chain (logging stopped and restarted; not a finding)"),
        (counts.missing_periods, "periods with no digest because digests are MISSING"),
        (counts.broken_links, "BROKEN links between digests"),
    ] {
        if n > 0 {
            writeln!(out, "{n} {what}")?;
        }
    }
    Ok(())
}

fn write_text(out: &mut impl Write, report: &Report, verbose: bool, color: bool) -> std::io::Result<()> {
    let bucket = report.bucket.as_deref().unwrap_or("?");
    for chain in &report.chains {
        writeln!(out, "Validating {}", chain.id)?;
        for item in &chain.outcomes {
            if verbose || item.verdict != Verdict::Valid || item.subject == Subject::Gap {
                writeln!(out, "{}", aws_line(item, bucket, color))?;
            }
        }
        match &chain.covered {
            Some((from, to)) => writeln!(out, "Results found for {from} to {to}:")?,
            None => writeln!(out, "No valid digests found in range")?,
        }
        write_counts(out, &Summary::of(&chain.outcomes))?;
        writeln!(out)?;
    }
    if !report.loose.is_empty() {
        writeln!(out, "Files outside any chain in the dump")?;
        for item in &report.loose {
            if verbose || item.verdict != Verdict::Valid {
                writeln!(out, "{}", aws_line(item, bucket, color))?;
            }
        }
        writeln!(out)?;
    }
    writeln!(out, "Total over {} chains (bucket {bucket}):", report.chains.len())?;
    write_counts(out, &report.totals())?;
    Ok(())
}

fn item_json(item: &Outcome, chain: Option<&ChainId>) -> serde_json::Value {
    let mut value = serde_json::to_value(item).unwrap_or_default();
    if let (Some(chain), Some(map)) = (chain, value.as_object_mut()) {
        map.insert("account".into(), json!(chain.account));
        map.insert("region".into(), json!(chain.region));
        map.insert("trail".into(), json!(chain.trail));
    }
    if let Some(map) = value.as_object_mut() {
        if map.get("path").is_some_and(serde_json::Value::is_null) {
            map.remove("path");
        }
    }
    value
}

fn summary_json(counts: &Summary, chain: Option<&ChainId>, covered: Option<&(String, String)>) -> serde_json::Value {
    json!({
        "type": "summary",
        "chain": chain,
        "covered": covered.map(|(a, b)| json!({"start": a, "end": b})),
        "digests": counts.digests,
        "backfill_digests": counts.backfill_digests,
        "logs": counts.logs,
        "restarts": counts.restarts,
        "missing_periods": counts.missing_periods,
        "broken_links": counts.broken_links,
    })
}

fn records(report: &Report) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    for chain in &report.chains {
        all.extend(chain.outcomes.iter().map(|i| item_json(i, Some(&chain.id))));
        all.push(summary_json(&Summary::of(&chain.outcomes), Some(&chain.id), chain.covered.as_ref()));
    }
    all.extend(report.loose.iter().map(|i| item_json(i, None)));
    all.push(summary_json(&report.totals(), None, None));
    all
}

fn write_jsonl(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    for record in records(report) {
        serde_json::to_writer(&mut *out, &record)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn write_json(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &records(report))?;
    out.write_all(b"\n")
}

fn write_csv(out: &mut (impl Write + Send), report: &Report, terminal: bool) -> std::io::Result<()> {
    let columns = ["type", "status", "key", "path", "reason", "account", "region", "trail", "backfill"];
    let screen = output::Screen { terminal, wide: false };
    let mut sink = output::row_sink(OutputFormat::Csv, columns.map(String::from).to_vec(), Box::new(out), screen);
    let chains = report.chains.iter().flat_map(|c| c.outcomes.iter().map(move |i| (i, Some(&c.id))));
    for (item, chain) in chains.chain(report.loose.iter().map(|i| (i, None))) {
        let kind = match item.subject {
            Subject::Digest => "digest",
            Subject::Log => "log",
            Subject::Gap => "gap",
            Subject::Link => "link",
        };
        let text = |s: &str| if s.is_empty() { Cell::Missing } else { Cell::Text(s.to_string().into()) };
        let path = item.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        sink.row(&[
            text(kind),
            text(item.verdict.as_str()),
            text(&item.key),
            text(&path),
            text(item.reason.as_deref().unwrap_or_default()),
            text(chain.map_or("", |c| &c.account)),
            text(chain.map_or("", |c| &c.region)),
            text(chain.map_or("", |c| &c.trail)),
            text(if item.backfill { "true" } else { "false" }),
        ])?;
    }
    sink.finish()
}
