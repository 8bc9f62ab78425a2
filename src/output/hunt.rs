//! What `ctl hunt` prints: the timeline of matches and correlation hits, the summary of hits
//! per rule and per level, and the rule list of `--list`.
//!
//! JSON formats write one object per line (or one array), each with a `type`:
//! - `match`: one per matching event: `time`, `rules` (each rule it matched: `title`, `id`,
//!   `level`, `status`, `tags`, `references`, `file`), `event` (the whole event as the file
//!   held it);
//! - `correlation`: `time` (the last event's), `first`, `rule` (as above, with `kind`),
//!   `group` (the group-by values), `value` (the aggregate that met the condition), `events`;
//! - `summary`: per rule (`rule`, `id`, `level`, `hits`), then per level (`level`, `hits`).
//!
//! Tables and CSV show a row per hit: time, level, rule, the event's identity, API call
//! (`service:eventName`), source IP, region, account and error, and the rule id; a table's
//! summary follows as two more tables.

use std::io::{self, Write};

use cloudtrail::fields::Cell;
use sigma::correlate::{Correlation, Hit};
use sigma::Meta;

use super::{push_json_str, row_sink, RowSink, Screen};
use crate::cli::OutputFormat;

/// The timeline's columns in tables and CSV.
const COLUMNS: [&str; 10] =
    ["time", "level", "rule", "identity", "event", "source IP", "region", "account", "error", "rule id"];

/// Prints hunt results in one format.
pub struct HuntSink<'w> {
    inner: Inner<'w>,
    screen: Screen,
    format: OutputFormat,
    /// Each rule's JSON, made once (by the rule's number).
    rule_json: Vec<Option<Vec<u8>>>,
    line: Vec<u8>,
    /// The last eventTime written (Unix seconds) and its text as a JSON string: events come in
    /// time order.
    second: Option<(i64, Vec<u8>)>,
}

enum Inner<'w> {
    Json {
        out: Box<dyn Write + Send + 'w>,
        array: Option<bool>,
    },
    /// CSV rows go straight out; a table (with its summary) is drawn into `drawn`, then printed.
    Rows {
        sink: Box<dyn RowSink + Send + 'w>,
        table: Option<(Box<dyn Write + Send + 'w>, SharedOut)>,
    },
}

/// Whether a record spans lines (or holds a carriage return): a JSON line holds it compacted.
pub fn spans_lines(raw: &[u8]) -> bool {
    memchr::memchr2(b'\n', b'\r', raw).is_some()
}

/// Milliseconds since the epoch as RFC 3339 (empty when unknown).
fn time_text(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(cloudtrail::time::format_utc).unwrap_or_default()
}

/// A string member of the event at `path`, decoded.
fn text<'a>(raw: &'a [u8], path: &[&str]) -> Option<std::borrow::Cow<'a, str>> {
    cloudtrail::record::lookup(raw, path).and_then(cwl_filter::json::str_value)
}

fn rule_json(out: &mut Vec<u8>, meta: &Meta, kind: Option<&str>) {
    out.extend_from_slice(b"{\"title\":");
    push_json_str(out, &meta.title);
    let member = |out: &mut Vec<u8>, name: &str, value: Option<&str>| {
        out.extend_from_slice(format!(",\"{name}\":").as_bytes());
        match value {
            Some(v) => push_json_str(out, v),
            None => out.extend_from_slice(b"null"),
        }
    };
    member(out, "id", meta.id.as_deref());
    member(out, "level", meta.level.map(sigma::Level::name));
    member(out, "status", meta.status.as_deref());
    if let Some(kind) = kind {
        member(out, "kind", Some(kind));
    }
    for (name, list) in [("tags", &meta.tags), ("references", &meta.references)] {
        out.extend_from_slice(format!(",\"{name}\":[").as_bytes());
        for (i, item) in list.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_json_str(out, item);
        }
        out.push(b']');
    }
    member(out, "file", Some(&meta.file.display().to_string()));
    out.push(b'}');
}

impl<'w> HuntSink<'w> {
    pub fn new(format: OutputFormat, out: Box<dyn Write + Send + 'w>, screen: Screen) -> HuntSink<'w> {
        let inner = match format {
            OutputFormat::Jsonl => Inner::Json { out, array: None },
            OutputFormat::Json => Inner::Json { out, array: Some(true) },
            OutputFormat::Csv | OutputFormat::Table => {
                // A table's summary is drawn after the timeline, on the same output.
                let columns = COLUMNS.iter().map(|c| c.to_string()).collect();
                if format == OutputFormat::Table {
                    let drawn = SharedOut::default();
                    let sink = row_sink(format, columns, Box::new(drawn.clone()), screen);
                    Inner::Rows { sink, table: Some((out, drawn)) }
                } else {
                    Inner::Rows { sink: row_sink(format, columns, out, screen), table: None }
                }
            }
        };
        HuntSink { inner, screen, format, rule_json: Vec::new(), line: Vec::new(), second: None }
    }

    fn json_line(&mut self, line: &[u8]) -> io::Result<()> {
        self.json_parts(&[line])
    }

    /// One JSON line made of `parts`, written one after the other (not copied into one line
    /// first, but on a terminal, where the whole line is escaped).
    fn json_parts(&mut self, parts: &[&[u8]]) -> io::Result<()> {
        let Inner::Json { out, array } = &mut self.inner else { return Ok(()) };
        if let Some(first) = array {
            out.write_all(if *first { b"[\n" } else { b",\n" })?;
            *first = false;
        }
        if self.screen.terminal {
            out.write_all(&super::sanitize::escape_bytes(&parts.concat(), false))?;
        } else {
            for part in parts {
                out.write_all(part)?;
            }
        }
        if array.is_none() {
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// One event and the rules it matched (each with its number among the rules): a JSON line,
    /// or a row per rule. `lines`: whether the event spans lines ([`spans_lines`]); it is
    /// printed compacted then.
    pub fn event(&mut self, time_ms: i64, raw: &[u8], lines: bool, rules: &[(usize, &Meta)]) -> io::Result<()> {
        if let Inner::Rows { sink, .. } = &mut self.inner {
            let identity = text(raw, &["userIdentity", "arn"])
                .or_else(|| text(raw, &["userIdentity", "invokedBy"]))
                .or_else(|| text(raw, &["userIdentity", "type"]));
            let service = text(raw, &["eventSource"]).map(|s| s.trim_end_matches(".amazonaws.com").to_string());
            let call = match (service, text(raw, &["eventName"])) {
                (Some(s), Some(n)) => Some(format!("{s}:{n}")),
                (s, n) => s.or(n.map(|n| n.into_owned())),
            };
            fn cell(t: Option<std::borrow::Cow<'_, str>>) -> Cell<'_> {
                t.map_or(Cell::Missing, Cell::Text)
            }
            let time = time_text(time_ms);
            for (_, meta) in rules {
                let cells = [
                    Cell::Text(time.as_str().into()),
                    Cell::Text(meta.level.map_or("", sigma::Level::name).into()),
                    Cell::Text(meta.title.as_str().into()),
                    cell(identity.clone()),
                    cell(call.as_deref().map(Into::into)),
                    cell(text(raw, &["sourceIPAddress"])),
                    cell(text(raw, &["awsRegion"])),
                    cell(text(raw, &["recipientAccountId"])),
                    cell(text(raw, &["errorCode"])),
                    cell(meta.id.as_deref().map(Into::into)),
                ];
                sink.row(&cells)?;
            }
            return Ok(());
        }
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        line.extend_from_slice(b"{\"type\":\"match\",\"time\":");
        let second = time_ms.div_euclid(1000);
        match &self.second {
            Some((s, json)) if *s == second => line.extend_from_slice(json),
            _ => {
                let mut json = Vec::new();
                push_json_str(&mut json, &time_text(time_ms));
                line.extend_from_slice(&json);
                self.second = Some((second, json));
            }
        }
        line.extend_from_slice(b",\"rules\":[");
        for (i, &(rule, meta)) in rules.iter().enumerate() {
            if self.rule_json.len() <= rule {
                self.rule_json.resize(rule + 1, None);
            }
            let json = self.rule_json[rule].get_or_insert_with(|| {
                let mut json = Vec::new();
                rule_json(&mut json, meta, None);
                json
            });
            if i > 0 {
                line.push(b',');
            }
            line.extend_from_slice(json);
        }
        line.extend_from_slice(b"],\"event\":");
        let written = if lines {
            self.json_parts(&[&line, &cloudtrail::record::event_text(raw), b"}"])
        } else {
            self.json_parts(&[&line, raw, b"}"])
        };
        self.line = line;
        written
    }

    /// One firing of a correlation.
    pub fn correlation(&mut self, hit: &Hit, c: &Correlation) -> io::Result<()> {
        let group: Vec<String> = c
            .group_names
            .iter()
            .zip(&hit.group)
            .map(|(name, value)| format!("{name}={}", value.as_deref().unwrap_or("-")))
            .collect();
        if let Inner::Rows { sink, .. } = &mut self.inner {
            let summary = format!("{} {} ({} events)", c.kind.name(), hit.value, hit.events);
            let cells = [
                Cell::Text(time_text(hit.last_ms).into()),
                Cell::Text(c.meta.level.map_or("", sigma::Level::name).into()),
                Cell::Text(c.meta.title.as_str().into()),
                Cell::Text(group.join(", ").into()),
                Cell::Text(summary.into()),
                Cell::Missing,
                Cell::Missing,
                Cell::Missing,
                Cell::Missing,
                c.meta.id.as_deref().map_or(Cell::Missing, |id| Cell::Text(id.into())),
            ];
            return sink.row(&cells);
        }
        let mut line = Vec::with_capacity(512);
        line.extend_from_slice(b"{\"type\":\"correlation\",\"time\":");
        push_json_str(&mut line, &time_text(hit.last_ms));
        line.extend_from_slice(b",\"first\":");
        push_json_str(&mut line, &time_text(hit.first_ms));
        line.extend_from_slice(b",\"rule\":");
        rule_json(&mut line, &c.meta, Some(c.kind.name()));
        line.extend_from_slice(b",\"group\":{");
        for (i, (name, value)) in c.group_names.iter().zip(&hit.group).enumerate() {
            if i > 0 {
                line.push(b',');
            }
            push_json_str(&mut line, name);
            line.push(b':');
            match value {
                Some(v) => push_json_str(&mut line, v),
                None => line.extend_from_slice(b"null"),
            }
        }
        line.extend_from_slice(format!("}},\"value\":{},\"events\":{}}}", hit.value, hit.events).as_bytes());
        self.json_line(&line)
    }

    /// Ends the timeline and prints the summary: hits per rule (most first), then per level.
    pub fn finish(&mut self, per_rule: &[(&Meta, u64)], per_level: &[(&'static str, u64)]) -> io::Result<()> {
        match &mut self.inner {
            Inner::Json { .. } => {
                for (meta, hits) in per_rule {
                    let mut line = b"{\"type\":\"summary\",\"rule\":".to_vec();
                    push_json_str(&mut line, &meta.title);
                    line.extend_from_slice(b",\"id\":");
                    match &meta.id {
                        Some(id) => push_json_str(&mut line, id),
                        None => line.extend_from_slice(b"null"),
                    }
                    line.extend_from_slice(b",\"level\":");
                    push_json_str(&mut line, meta.level.map_or("", sigma::Level::name));
                    line.extend_from_slice(format!(",\"hits\":{hits}}}").as_bytes());
                    self.json_line(&line)?;
                }
                for (level, hits) in per_level {
                    self.json_line(
                        format!("{{\"type\":\"summary\",\"level\":\"{level}\",\"hits\":{hits}}}").as_bytes(),
                    )?;
                }
                let Inner::Json { out, array } = &mut self.inner else { return Ok(()) };
                match array {
                    Some(true) => out.write_all(b"[]\n")?,
                    Some(false) => out.write_all(b"\n]\n")?,
                    None => {}
                }
                out.flush()
            }
            Inner::Rows { sink, table } => {
                sink.finish()?;
                // CSV carries the timeline only: a second header in the stream would break readers.
                let Some((mut out, mut drawn)) = table.take() else { return Ok(()) };
                let screen = self.screen;
                let tables = drawn.clone();
                {
                    let columns = ["rule", "level", "hits"].map(String::from).to_vec();
                    let mut rules = row_sink(self.format, columns, Box::new(tables.clone()), screen);
                    for (meta, hits) in per_rule {
                        let level = meta.level.map_or("", sigma::Level::name);
                        rules.row(&[
                            Cell::Text(meta.title.as_str().into()),
                            Cell::Text(level.into()),
                            Cell::Count(*hits),
                        ])?;
                    }
                    rules.finish()?;
                    let mut levels = row_sink(
                        self.format,
                        ["level", "hits"].map(String::from).to_vec(),
                        Box::new(tables.clone()),
                        screen,
                    );
                    for (level, hits) in per_level {
                        levels.row(&[Cell::Text((*level).into()), Cell::Count(*hits)])?;
                    }
                    levels.finish()?;
                }
                out.write_all(&drawn.take())?;
                out.flush()
            }
        }
    }
}

/// A writer into memory, for tables drawn before they are printed in order.
#[derive(Default, Clone)]
struct SharedOut {
    buf: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl SharedOut {
    fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut *self.buf.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

impl Write for SharedOut {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
