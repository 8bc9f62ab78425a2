//! `ctl metrics`: CloudWatch Logs metric filters replayed over archived events, printed as
//! datapoints per period, alarm periods, and a totals table.

use std::io::{BufWriter, Write};

use anyhow::{bail, Context as _};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::session::{Outcome, Session};
use super::{Answer, Global, Status};
use crate::cli::{MetricsArgs, OutputFormat};
use crate::output::{self, Cell};
use cloudtrail::metrics::replay::{Replay, Replayed};
use cloudtrail::metrics::{Comparison, DefError, MetricDef, MetricSet, PointKey, StatisticSet};
use cloudtrail::scan::Prune;

pub fn run(args: &MetricsArgs, global: &Global) -> anyhow::Result<Status> {
    let defs = definitions(args)?;
    let period_secs = cloudtrail::time::parse_period(&args.period).context("--period")? as i64;
    let now = Utc::now();
    let since = args.since.as_deref().map(|s| cloudtrail::time::parse_time(s, now)).transpose().context("--since")?;
    let until = args.until.as_deref().map(|s| cloudtrail::time::parse_time(s, now)).transpose().context("--until")?;
    let alarm = match args.threshold {
        Some(threshold) => {
            let comparison = Comparison::parse(&args.comparison)
                .with_context(|| format!("--comparison {:?}: use >=, >, <= or <", args.comparison))?;
            Some((threshold, comparison))
        }
        None => None,
    };
    let paths = if args.paths.is_empty() { vec![".".into()] } else { args.paths.clone() };
    let prune = Prune { since, until, ..Prune::default() };
    let session = Session::discover(&paths, &prune, args.strict, global)?;
    let set = MetricSet::new(defs);
    let defs = &set.defs;
    let replay = Replay {
        set: &set,
        period_secs,
        since_ms: since.map(|t| t.timestamp_millis()),
        until_ms: until.map(|t| t.timestamp_millis()),
        seen: session.seen.as_ref(),
    };
    let scanned = session.scan(&replay);
    let unreadable = session.unreadable(&scanned);
    let replayed = scanned.acc;
    let matches: u64 = replayed.acc.matches.iter().sum();
    let phrase = format!("{matches} matches over {} metrics", defs.len());
    session.summary(&scanned.stats, Outcome { phrase: &phrase, key: "matches", count: matches });
    if replayed.oversize > 0 {
        session.talk(&format!(
            "{} events over 256 KB left out (CloudTrail does not send them to CloudWatch Logs)",
            replayed.oversize
        ));
    }
    if replayed.outside_window > 0 {
        session.talk(&format!("{} events outside --since/--until left out", replayed.outside_window));
    }
    if replayed.acc.untimed > 0 {
        session.talk(&format!(
            "{} matching events without a usable eventTime are counted as matches but in no period",
            replayed.acc.untimed
        ));
    }

    let format = global.output_format(args.output);
    let mut out = BufWriter::new(std::io::stdout());
    let alarms =
        alarm.map(|(threshold, comparison)| alarm_periods(&replayed, threshold, comparison)).unwrap_or_default();
    match format {
        OutputFormat::Jsonl | OutputFormat::Json => {
            write_json(&mut out, defs, &replayed, &alarms, period_secs, format)?
        }
        OutputFormat::Csv | OutputFormat::Table => {
            write_rows(&mut out, defs, &replayed, &alarms, format, global.screen())?
        }
    }
    out.flush()?;
    let fired = alarm.is_some() && !alarms.is_empty();
    Ok(crate::exit::status(Answer::Alarm { fired }, unreadable))
}

/// The metric definitions the arguments name: `--pattern`, `--filters` files, `--cis`.
fn definitions(args: &MetricsArgs) -> anyhow::Result<Vec<MetricDef>> {
    let mut defs = Vec::new();
    if let Some(pattern) = &args.pattern {
        let dimensions = args
            .dimension
            .iter()
            .map(|d| {
                d.split_once('=')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .with_context(|| format!("--dimension {d:?}: expected NAME=$.selector"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let name = args.name.as_deref().unwrap_or("pattern");
        let value = args.value.as_deref().unwrap_or("1");
        let def = MetricDef::new(name, pattern, value, args.default_value, &dimensions, "--pattern");
        defs.push(def.map_err(|e| match e {
            DefError::Pattern { source, .. } => {
                anyhow::Error::new(super::PatternUsage { option: "--pattern", pattern: pattern.clone(), error: source })
            }
            other => other.into(),
        })?);
    }
    for path in &args.filters {
        let text = super::read_option_file(path)?;
        let origin = path.display().to_string();
        defs.extend(
            MetricDef::from_describe_metric_filters(&text, &origin).with_context(|| format!("{}", path.display()))?,
        );
    }
    if args.cis {
        defs.extend(MetricDef::cis());
    }
    if defs.is_empty() {
        bail!("no metric filter given: use --pattern, --filters FILE or --cis");
    }
    Ok(defs)
}

/// One period in which an alarm on a metric's Sum would have been in ALARM.
struct AlarmPeriod<'a> {
    key: &'a PointKey,
    stats: &'a StatisticSet,
    threshold: f64,
    comparison: Comparison,
}

fn alarm_periods(replayed: &Replayed, threshold: f64, comparison: Comparison) -> Vec<AlarmPeriod<'_>> {
    replayed
        .acc
        .datapoints()
        .into_iter()
        .filter(|(_, stats)| comparison.holds(stats.sum, threshold))
        .map(|(key, stats)| AlarmPeriod { key, stats, threshold, comparison })
        .collect()
}

fn timestamp(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0).map(cloudtrail::time::format_utc).unwrap_or_default()
}

fn dimensions_json(def: &MetricDef, values: &[String]) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> =
        def.dimensions.iter().zip(values).map(|((name, _), v)| (name.clone(), json!(v))).collect();
    serde_json::Value::Object(map)
}

fn comparison_text(c: Comparison) -> &'static str {
    match c {
        Comparison::GreaterOrEqual => ">=",
        Comparison::Greater => ">",
        Comparison::LessOrEqual => "<=",
        Comparison::Less => "<",
    }
}

/// Totals per metric: matches, sum of values, datapoints, unextractable events.
fn totals(defs: &[MetricDef], replayed: &Replayed) -> Vec<(f64, u64)> {
    let mut totals = vec![(0.0, 0u64); defs.len()];
    for ((metric, _, _), stats) in &replayed.acc.points {
        totals[*metric].0 += stats.sum;
        totals[*metric].1 += 1;
    }
    totals
}

fn write_json(
    out: &mut impl Write,
    defs: &[MetricDef],
    replayed: &Replayed,
    alarms: &[AlarmPeriod<'_>],
    period_secs: i64,
    format: OutputFormat,
) -> std::io::Result<()> {
    let mut records = Vec::new();
    for ((metric, start, dims), stats) in replayed.acc.datapoints() {
        let def = &defs[*metric];
        records.push(json!({
            "type": "datapoint",
            "metric": def.name,
            "namespace": def.namespace,
            "timestamp": timestamp(*start),
            "period": period_secs,
            "dimensions": dimensions_json(def, dims),
            "sum": stats.sum,
            "sample_count": stats.sample_count,
            "min": stats.min,
            "max": stats.max,
        }));
    }
    for alarm in alarms {
        let def = &defs[alarm.key.0];
        records.push(json!({
            "type": "alarm",
            "metric": def.name,
            "timestamp": timestamp(alarm.key.1),
            "dimensions": dimensions_json(def, &alarm.key.2),
            "sum": alarm.stats.sum,
            "threshold": alarm.threshold,
            "comparison": comparison_text(alarm.comparison),
        }));
    }
    for (index, (def, (sum, datapoints))) in defs.iter().zip(totals(defs, replayed)).enumerate() {
        records.push(json!({
            "type": "total",
            "metric": def.name,
            "origin": def.origin,
            "pattern": def.pattern.source(),
            "matches": replayed.acc.matches[index],
            "sum": sum,
            "datapoints": datapoints,
            "unextractable": replayed.acc.unextractable[index],
        }));
    }
    if format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut *out, &records)?;
        return out.write_all(b"\n");
    }
    for record in records {
        serde_json::to_writer(&mut *out, &record)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn write_rows(
    out: &mut (impl Write + Send),
    defs: &[MetricDef],
    replayed: &Replayed,
    alarms: &[AlarmPeriod<'_>],
    format: OutputFormat,
    screen: output::Screen,
) -> std::io::Result<()> {
    let columns = ["metric", "timestamp", "dimensions", "sum", "sample_count", "min", "max"];
    let mut sink = output::row_sink(format, columns.map(String::from).to_vec(), Box::new(&mut *out), screen);
    for ((metric, start, dims), stats) in replayed.acc.datapoints() {
        let def = &defs[*metric];
        let dims = dimensions_json(def, dims);
        sink.row(&[
            text(&def.name),
            text(&timestamp(*start)),
            if dims.as_object().is_some_and(|m| m.is_empty()) { Cell::Missing } else { text(&dims.to_string()) },
            text(&number(stats.sum)),
            Cell::Count(stats.sample_count),
            text(&number(stats.min)),
            text(&number(stats.max)),
        ])?;
    }
    sink.finish()?;
    drop(sink);
    if format == OutputFormat::Csv {
        return Ok(());
    }
    if !alarms.is_empty() {
        writeln!(
            out,
            "\nALARM periods (Sum per period {} {}):",
            comparison_text(alarms[0].comparison),
            alarms[0].threshold
        )?;
        let mut sink = output::row_sink(
            format,
            ["metric", "timestamp", "dimensions", "sum"].map(String::from).to_vec(),
            Box::new(&mut *out),
            screen,
        );
        for alarm in alarms {
            let def = &defs[alarm.key.0];
            sink.row(&[
                text(&def.name),
                text(&timestamp(alarm.key.1)),
                text(&dimensions_json(def, &alarm.key.2).to_string()),
                text(&number(alarm.stats.sum)),
            ])?;
        }
        sink.finish()?;
    }
    writeln!(out, "\nTotals:")?;
    let mut sink = output::row_sink(
        format,
        ["metric", "origin", "matches", "sum", "datapoints", "unextractable"].map(String::from).to_vec(),
        Box::new(&mut *out),
        screen,
    );
    for (index, (def, (sum, datapoints))) in defs.iter().zip(totals(defs, replayed)).enumerate() {
        sink.row(&[
            text(&def.name),
            text(&def.origin),
            Cell::Count(replayed.acc.matches[index]),
            text(&number(sum)),
            Cell::Count(datapoints),
            Cell::Count(replayed.acc.unextractable[index]),
        ])?;
    }
    sink.finish()
}

fn text(s: &str) -> Cell<'static> {
    Cell::Text(s.to_string().into())
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
