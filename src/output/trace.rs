//! Printing `ctl trace`: one JSON document, or a tree from the credential asked about down to
//! where it came from, each link with what it did. Evidence text is escaped on a terminal.

use std::io::{self, Write};

use super::sanitize::escape_str;
use super::Screen;
use crate::cli::OutputFormat;
use cloudtrail::summary::Top;
use cloudtrail::trace::{Chain, Link, Target, Trace};

/// Prints `trace` in `format` (JSON formats: the document; table: the tree).
pub fn print<W: Write>(out: &mut W, trace: &Trace, format: OutputFormat, screen: Screen) -> io::Result<()> {
    match format {
        OutputFormat::Json | OutputFormat::Jsonl => {
            let text =
                if format == OutputFormat::Json { serde_json::to_vec_pretty(trace) } else { serde_json::to_vec(trace) }
                    .map_err(io::Error::other)?;
            super::write_maybe_escaped(out, &text, screen.terminal)?;
            out.write_all(b"\n")
        }
        OutputFormat::Table | OutputFormat::Csv => tree(out, trace),
    }
}

fn tree<W: Write>(out: &mut W, trace: &Trace) -> io::Result<()> {
    let (kind, value) = match &trace.target {
        Target::AccessKey(k) => ("access key", k),
        Target::Arn(a) => ("identity", a),
        Target::Session(s) => ("role session", s),
    };
    line(out, 0, &format!("Trace of {kind} {value} ({} minting calls in the dump)", trace.minting_calls))?;
    for (i, chain) in trace.chains.iter().enumerate() {
        if trace.chains.len() > 1 {
            line(out, 0, &format!("\nchain {} of {}", i + 1, trace.chains.len()))?;
        }
        chain_tree(out, chain)?;
    }
    if trace.chains_cut {
        line(out, 0, &format!("(the first {} chains; --output json lists the same)", trace.chains.len()))?;
    }
    Ok(())
}

/// Writes one line, indented by `depth` levels, escaped (every line may hold evidence).
fn line<W: Write>(out: &mut W, depth: usize, text: &str) -> io::Result<()> {
    writeln!(out, "{}{}", "    ".repeat(depth), escape_str(text, false))
}

fn chain_tree<W: Write>(out: &mut W, chain: &Chain) -> io::Result<()> {
    for (depth, link) in chain.links.iter().enumerate() {
        link_lines(out, depth, link)?;
        let pad = "    ".repeat(depth);
        match &link.minted_by {
            Some(m) => {
                let mut text = format!(
                    "└── minted by {} at {} in account {} from {}",
                    m.event_name,
                    m.event_time.as_deref().unwrap_or("?"),
                    m.account.as_deref().unwrap_or("?"),
                    m.source_ip.as_deref().unwrap_or("?"),
                );
                if let Some(role) = &m.role_arn {
                    text.push_str(&format!(", role {role}"));
                }
                if let Some(session) = &m.session_name {
                    text.push_str(&format!(", session {session}"));
                }
                text.push_str(&format!(
                    ", by {} {}",
                    m.caller_type.as_deref().unwrap_or("?"),
                    m.caller_arn
                        .as_deref()
                        .or(m.caller_user_name.as_deref())
                        .or(m.caller_invoked_by.as_deref())
                        .unwrap_or("?")
                ));
                if let Some(key) = &m.caller_key {
                    text.push_str(&format!(" with key {key}"));
                }
                if let Some(agent) = &m.user_agent {
                    text.push_str(&format!(" ({agent})"));
                }
                writeln!(out, "{pad}{}", escape_str(&text, false))?;
            }
            None if depth + 1 == chain.links.len() => {}
            None => writeln!(out, "{pad}└── used to mint the credential above")?,
        }
    }
    let depth = chain.links.len();
    let o = &chain.origin;
    let who = o.identity.as_deref().map_or(String::new(), |i| format!(" {i}"));
    let kind = serde_json::to_value(o.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    line(out, depth.saturating_sub(1), &format!("└── origin: {kind}{who}: {}", o.detail))
}

fn link_lines<W: Write>(out: &mut W, depth: usize, link: &Link) -> io::Result<()> {
    let key = link.access_key.as_deref().unwrap_or("(calls of the identity, any key)");
    let who = link.identity.as_deref().unwrap_or("(identity not seen)");
    let kind = link.kind.as_deref().map_or(String::new(), |k| format!(" [{k}]"));
    line(out, depth, &format!("{key}  {who}{kind}"))?;
    let a = &link.activity;
    if a.events == 0 {
        return line(out, depth, "│   no call with it in the dump (or the selection)");
    }
    line(
        out,
        depth,
        &format!(
            "│   {} calls ({} denied), {} .. {}, from {}, in {}",
            a.events,
            a.denied,
            a.first.as_deref().unwrap_or("?"),
            a.last.as_deref().unwrap_or("?"),
            inline(&a.source_ips),
            inline(&a.regions)
        ),
    )?;
    line(out, depth, &format!("│   calls: {}", inline(&a.event_names)))
}

fn inline(list: &Top) -> String {
    let mut parts: Vec<String> = list.rows.iter().map(|r| format!("{} ({})", r.value, r.count)).collect();
    let more = list.distinct.saturating_sub(parts.len() as u64);
    if more > 0 {
        parts.push(format!("+{more} more"));
    }
    parts.join(", ")
}
