//! `ctl trace`: the chain of credentials behind an access key or role session.
//!
//! Two passes over the same discovered files: the minting calls (within the time window and
//! accounts given), then the calls of the chains' keys (as every selector says). Exit status as
//! query: 0 when something was found (a minting call or a call with the credential), 1 when
//! nothing was, 2 on error.

use std::io::{BufWriter, Write};

use anyhow::Context;
use chrono::Utc;

use super::session::{Outcome, Session};
use super::{Answer, Global, Status};
use crate::cli::{OutputFormat, TraceArgs};
use crate::output;
use cloudtrail::query::collect::Matcher;
use cloudtrail::query::Criteria;
use cloudtrail::trace::activity::ActivityScan;
use cloudtrail::trace::mints::MintScan;
use cloudtrail::trace::{Plan, Target};

/// Rows per list of a link (its calls, addresses, regions).
const TOP: usize = 10;

/// Runs `ctl trace`.
pub fn run(args: &TraceArgs, global: &Global) -> anyhow::Result<Status> {
    let format = global.output_format(args.output);
    if format == OutputFormat::Csv {
        anyhow::bail!("--output csv: a trace is a tree; use table, json or jsonl");
    }
    let now = Utc::now();
    let criteria = args.select.criteria();
    let scope = criteria.compile(now).map_err(|e| super::plan_error(e, &args.select))?;
    // The chain is searched within the window, accounts and regions only: a minting call is
    // not the kind of event the other selectors name.
    let window = Criteria {
        since: criteria.since.clone(),
        until: criteria.until.clone(),
        account: criteria.account.clone(),
        region: criteria.region.clone(),
        ..Criteria::default()
    }
    .compile(now)
    .map_err(|e| super::plan_error(e, &args.select))?;
    let session = Session::discover(&args.paths, &window.prune, args.strict, global)?;

    // The first pass keeps only the edges of the minting calls (minted key -> caller key); copies
    // are merged by minted key, so it keeps no `seen` set (which the second pass needs fresh).
    let minting = Matcher { selection: &window.selection, prefilter: &window.prefilter, seen: None };
    let mints = session.scan(&MintScan::new(minting));
    let mut unreadable = session.unreadable(&mints);
    let stats = mints.stats;
    if mints.stopped_on_problem {
        return Ok(crate::exit::status(Answer::Search { matched: false }, unreadable));
    }
    let plan = Plan::new(Target::parse(&args.target), &mints.acc);
    drop(mints);
    let watch = plan.watch();
    let matcher = Matcher { selection: &scope.selection, prefilter: &scope.prefilter, seen: session.seen.as_ref() };
    let activity = session.scan(&ActivityScan::new(matcher, &window.selection, &watch));
    unreadable = unreadable.max(session.unreadable(&activity));
    let trace = plan.finish(&activity.acc, TOP);

    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout());
    output::trace::print(&mut out, &trace, format, global.screen()).context("writing the trace")?;
    out.flush().context("writing the trace")?;
    let found = trace.chains.iter().any(|c| c.links.iter().any(|l| l.minted_by.is_some() || l.activity.events > 0));
    let links: usize = trace.chains.iter().map(|c| c.links.len()).sum();
    let phrase = format!(
        "{} minting calls, {} chain(s) of {links} link(s) (a second pass read the files naming their keys)",
        trace.minting_calls,
        trace.chains.len()
    );
    session.summary(&stats, Outcome { phrase: &phrase, key: "links", count: links as u64 });
    let _ = std::io::stderr().flush();
    Ok(crate::exit::status(Answer::Search { matched: found }, unreadable))
}
