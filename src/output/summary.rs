//! Printing `ctl summary`: one JSON document, or on a terminal one short table per section
//! (a list cut to `--top` rows says so under it), events per day as a bar chart.

use std::io::{self, Write};

use super::{row_sink, Cell, Screen};
use crate::cli::OutputFormat;
use cloudtrail::summary::{IdentityRow, Summary, Top};

/// Width of the longest bar of the per-day chart.
const BAR: usize = 40;

/// The days the terminal chart shows (the latest; JSON has them all).
const CHART_DAYS: usize = 31;

/// How the tables are laid out.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// One section per identity listed (`--by identity`).
    pub by_identity: bool,
    /// The rows of a list (`--top`), for the lists the report does not cut itself.
    pub top: usize,
}

/// Prints `summary` in `format` (JSON formats: the whole document; table: the sections).
pub fn print<W: Write + Send>(
    out: &mut W,
    summary: &Summary,
    format: OutputFormat,
    screen: Screen,
    layout: Layout,
) -> io::Result<()> {
    match format {
        OutputFormat::Json | OutputFormat::Jsonl => {
            let text = if format == OutputFormat::Json {
                serde_json::to_vec_pretty(summary)
            } else {
                serde_json::to_vec(summary)
            }
            .map_err(io::Error::other)?;
            super::write_maybe_escaped(out, &text, screen.terminal)?;
            out.write_all(b"\n")
        }
        OutputFormat::Table | OutputFormat::Csv => tables(out, summary, screen, layout),
    }
}

/// A titled table of `rows` under `columns`.
pub(crate) fn section<W: Write + Send>(
    out: &mut W,
    screen: Screen,
    title: &str,
    columns: &[&str],
    rows: &[Vec<Cell<'_>>],
) -> io::Result<()> {
    writeln!(out, "\n{title}")?;
    let mut sink =
        row_sink(OutputFormat::Table, columns.iter().map(|c| c.to_string()).collect(), Box::new(&mut *out), screen);
    for row in rows {
        sink.row(row)?;
    }
    sink.finish()
}

fn text(value: &str) -> Cell<'_> {
    Cell::Text(value.into())
}

fn opt(value: &Option<String>) -> Cell<'_> {
    value.as_deref().map_or(Cell::Missing, text)
}

/// A list of values and counts, with a line saying when it is cut.
fn top<W: Write + Send>(out: &mut W, screen: Screen, title: &str, column: &str, list: &Top) -> io::Result<()> {
    if list.rows.is_empty() {
        return writeln!(out, "\n{title}: none");
    }
    let rows: Vec<Vec<Cell>> = list.rows.iter().map(|r| vec![text(&r.value), Cell::Count(r.count)]).collect();
    section(out, screen, title, &[column, "events"], &rows)?;
    cut_note(out, list.rows.len(), list.distinct, list.cut)
}

fn cut_note<W: Write>(out: &mut W, shown: usize, distinct: u64, cut: bool) -> io::Result<()> {
    if cut {
        writeln!(out, "({shown} of {distinct} shown; --top N for more, --output json for all figures)")?;
    }
    Ok(())
}

/// `value (count), ...` of the first `n` rows of a list, with `+k more` when cut.
fn inline(list: &Top, n: usize) -> String {
    let mut parts: Vec<String> = list.rows.iter().take(n).map(|r| format!("{} ({})", r.value, r.count)).collect();
    let more = list.distinct.saturating_sub(parts.len() as u64);
    if more > 0 {
        parts.push(format!("+{more} more"));
    }
    parts.join(", ")
}

fn tables<W: Write + Send>(out: &mut W, s: &Summary, screen: Screen, layout: Layout) -> io::Result<()> {
    let v = &s.volume;
    let trails: Vec<String> = s.trails.iter().map(|t| format!("{} ({} {})", t.trail, t.account, t.region)).collect();
    let digests = match &s.digests.validate {
        Some(command) => {
            format!("{} files in {} chains: prove the dump intact with `{command}`", s.digests.files, s.digests.chains)
        }
        None => "none: the dump cannot be proven intact".to_string(),
    };
    let overview: Vec<(&str, String)> = vec![
        ("accounts", inline(&s.accounts, 5)),
        (
            "organizations",
            if s.organizations.is_empty() { "none in the layout".into() } else { s.organizations.join(", ") },
        ),
        ("regions", inline(&s.regions, 5)),
        ("trails (with digests)", if trails.is_empty() { "none named by digests".into() } else { trails.join(", ") }),
        ("first event", s.span.first.clone().unwrap_or_default()),
        ("last event", s.span.last.clone().unwrap_or_default()),
        ("files read", format!("{} ({} unreadable)", v.files, v.unreadable_files)),
        ("events", format!("{} distinct ({} copies dropped; {} records read)", v.events, v.copies_dropped, v.records)),
        ("records refused", format!("{} not valid JSON, {} not CloudTrail events", v.invalid_records, v.not_events)),
        ("digests", digests),
    ];
    let rows: Vec<Vec<Cell>> = overview.iter().map(|(k, v)| vec![text(k), text(v)]).collect();
    section(out, screen, "Overview", &["", "value"], &rows)?;

    per_day(out, s, screen)?;
    top(out, screen, "Event names", "eventName", &s.event_names)?;
    top(out, screen, "Event sources", "eventSource", &s.event_sources)?;
    identities(out, s, screen)?;

    let si = &s.sign_ins;
    writeln!(
        out,
        "\nConsole sign-ins: {} successful ({} without MFA), {} failed",
        si.success, si.without_mfa, si.failure
    )?;
    if si.failure > 0 {
        top(out, screen, "Failed sign-ins by identity", "identity", &si.failures_by_identity)?;
        top(out, screen, "Failed sign-ins by source address", "sourceIPAddress", &si.failure_source_ips)?;
    }
    if si.without_mfa > 0 {
        top(out, screen, "Sign-ins without MFA by identity", "identity", &si.without_mfa_by_identity)?;
    }

    let r = &s.root;
    if r.events == 0 {
        writeln!(out, "\nRoot use: none")?;
    } else {
        let line = format!(
            "Root use: {} events from {} to {}, accounts {}; from {}",
            r.events,
            r.first.as_deref().unwrap_or("?"),
            r.last.as_deref().unwrap_or("?"),
            inline(&r.accounts, 3),
            inline(&r.source_ips, 3)
        );
        writeln!(out, "\n{}", super::sanitize::escape_str(&line, false))?;
        top(out, screen, "Root calls", "eventName", &r.event_names)?;
    }

    let k = &s.access_keys;
    let rows: Vec<Vec<Cell>> = k
        .long_term
        .rows
        .iter()
        .map(|r| {
            vec![
                text(&r.access_key),
                text(&r.identity),
                Cell::Count(r.events),
                opt(&r.first),
                opt(&r.last),
                Cell::Count(r.source_ips),
            ]
        })
        .collect();
    if rows.is_empty() {
        writeln!(out, "\nLong-term access keys: none used")?;
    } else {
        section(
            out,
            screen,
            "Long-term access keys used",
            &["accessKeyId", "identity", "events", "first", "last", "IPs"],
            &rows,
        )?;
        cut_note(out, rows.len(), k.long_term.distinct, k.long_term.cut)?;
    }
    writeln!(out, "Temporary access keys: {} distinct, {} events", k.temporary_distinct, k.temporary_events)?;

    top(out, screen, "User agents", "userAgent", &s.user_agents)?;
    top(out, screen, "Error codes", "errorCode", &s.error_codes)?;

    // Most hours without delivery first; as many rows as the other lists.
    let mut delivery: Vec<_> = s.delivery.iter().collect();
    delivery.sort_by_key(|d| std::cmp::Reverse(d.hours_without_delivery));
    let rows: Vec<Vec<Cell>> = delivery
        .iter()
        .take(layout.top)
        .map(|d| {
            let longest = d.gaps.first().map_or(String::new(), |g| format!("{} h from {}", g.hours, g.from));
            vec![
                text(&d.account),
                text(&d.region),
                Cell::Count(d.files),
                text(&d.first),
                text(&d.last),
                Cell::Count(d.hours_without_delivery),
                Cell::Text(longest.into()),
            ]
        })
        .collect();
    if rows.is_empty() {
        writeln!(out, "\nDeliveries: no file named as CloudTrail names log files")?;
    } else {
        section(
            out,
            screen,
            "Deliveries (hours without any log file)",
            &["account", "region", "files", "first", "last", "hours without", "longest gap"],
            &rows,
        )?;
        cut_note(out, rows.len(), delivery.len() as u64, rows.len() < delivery.len())?;
    }
    if layout.by_identity {
        for row in &s.identities.rows {
            identity_section(out, row, screen)?;
        }
    }
    Ok(())
}

fn per_day<W: Write + Send>(out: &mut W, s: &Summary, screen: Screen) -> io::Result<()> {
    let days = &s.per_day[s.per_day.len().saturating_sub(CHART_DAYS)..];
    let Some(max) = days.iter().map(|d| d.events).max().filter(|&m| m > 0) else {
        return writeln!(out, "\nEvents per day: none");
    };
    writeln!(out, "\nEvents per day (UTC)")?;
    if days.len() < s.per_day.len() {
        writeln!(out, "(the last {} of {} days; --output json for all)", days.len(), s.per_day.len())?;
    }
    let bar = if screen.terminal { '█' } else { '#' };
    for d in days {
        let n = (d.events as f64 / max as f64 * BAR as f64).ceil() as usize;
        writeln!(out, "{}  {:>10}  {}", d.day, d.events, bar.to_string().repeat(n))?;
    }
    Ok(())
}

fn identities<W: Write + Send>(out: &mut W, s: &Summary, screen: Screen) -> io::Result<()> {
    let rows: Vec<Vec<Cell>> = s
        .identities
        .rows
        .iter()
        .map(|r| {
            vec![
                text(&r.identity),
                opt(&r.kind),
                Cell::Count(r.events),
                Cell::Count(r.denied),
                opt(&r.first),
                opt(&r.last),
                Cell::Count(r.regions.distinct),
                Cell::Count(r.source_ips.distinct),
                Cell::Count(r.access_keys),
            ]
        })
        .collect();
    section(
        out,
        screen,
        "Identities",
        &["identity", "type", "events", "denied", "first", "last", "regions", "IPs", "keys"],
        &rows,
    )?;
    cut_note(out, rows.len(), s.identities.distinct, s.identities.cut)
}

fn identity_section<W: Write + Send>(out: &mut W, r: &IdentityRow, screen: Screen) -> io::Result<()> {
    let fields: Vec<(&str, String)> = vec![
        ("type", r.kind.clone().unwrap_or_default()),
        ("events", format!("{} ({} denied)", r.events, r.denied)),
        ("first", r.first.clone().unwrap_or_default()),
        ("last", r.last.clone().unwrap_or_default()),
        ("calls", inline(&r.event_names, 5)),
        ("source addresses", inline(&r.source_ips, 5)),
        ("regions", inline(&r.regions, 5)),
        ("access keys", r.access_keys.to_string()),
    ];
    let rows: Vec<Vec<Cell>> = fields.iter().map(|(k, v)| vec![text(k), text(v)]).collect();
    let title = format!("Identity {}", super::sanitize::escape_str(&r.identity, false));
    section(out, screen, &title, &["", "value"], &rows)
}
