//! All printing of results, shared by the commands: JSON lines, one JSON document, CSV and
//! tables, written to a buffered stdout (or any writer).
//!
//! Two sinks: [`RowSink`] prints rows of named columns (`--fields`, `--count-by`, metrics);
//! [`EventSink`] prints whole events, as the raw bytes the file held (JSON formats) or as rows
//! of chosen fields (CSV, tables). Writes return `io::Error` (a closed pipe included) and never
//! panic; the caller decides that `BrokenPipe` ends the run quietly.
//!
//! On a terminal, attacker-controlled text is escaped ([`sanitize`]); to a pipe, bytes pass
//! unchanged.

pub mod hunt;
pub mod sanitize;
pub mod summary;
mod table;
pub mod trace;

use std::borrow::Cow;
use std::io::{self, Write};

pub use cloudtrail::fields::{Cell, FieldPath};
use cloudtrail::query::collect::Source;

use crate::cli::OutputFormat;

/// The columns a CSV of events has when `--fields` is not given.
pub const DEFAULT_EVENT_FIELDS: &[&str] =
    &["eventTime", "awsRegion", "eventSource", "eventName", "userIdentity.arn", "sourceIPAddress", "errorCode"];

/// The columns a table of events shows when `--fields` is not given: when, what, who, from where,
/// and whether it failed, made to fit 100 columns (the event name says the service).
pub const TABLE_EVENT_FIELDS: &[&str] = &["eventTime", "eventName", "userIdentity.arn", "sourceIPAddress", "errorCode"];

/// Where rows of named columns go.
pub trait RowSink: Send {
    /// Prints one row; `cells` are in column order.
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()>;
    /// Ends the document (closing bracket, table drawing) and flushes.
    fn finish(&mut self) -> io::Result<()>;
    /// Pushes the rows printed so far to the output (a table, drawn whole, holds them).
    fn flush(&mut self) -> io::Result<()>;
}

/// Where output goes, as the printers need to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// Stdout is a terminal: escape control characters, fit tables to its width.
    pub terminal: bool,
    /// Tables wrap long values instead of cutting them (`--wide`).
    pub wide: bool,
}

/// A row sink printing `columns` in `format` to `out`, as `screen` needs.
pub fn row_sink<'w>(
    format: OutputFormat,
    columns: Vec<String>,
    out: Box<dyn Write + Send + 'w>,
    screen: Screen,
) -> Box<dyn RowSink + Send + 'w> {
    let terminal = screen.terminal;
    match format {
        OutputFormat::Jsonl => Box::new(JsonRows { out, columns, array: None, terminal }),
        OutputFormat::Json => Box::new(JsonRows { out, columns, array: Some(true), terminal }),
        OutputFormat::Csv => Box::new(CsvRows { out, columns, header_done: false, terminal }),
        OutputFormat::Table => Box::new(TableRows { out, columns, rows: Vec::new(), screen }),
    }
}

/// Appends `text` as a JSON string literal.
pub fn push_json_str(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
            c => {
                let mut tmp = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            }
        }
    }
    out.push(b'"');
}

fn push_json_cell(out: &mut Vec<u8>, cell: &Cell<'_>) {
    match cell {
        Cell::Missing => out.extend_from_slice(b"null"),
        Cell::Text(t) => push_json_str(out, t),
        Cell::Json(j) => out.extend_from_slice(j),
        Cell::Count(n) => out.extend_from_slice(n.to_string().as_bytes()),
    }
}

/// JSON lines (`array: None`) or one JSON array (`Some(first)`), one object per row.
struct JsonRows<'w> {
    out: Box<dyn Write + Send + 'w>,
    columns: Vec<String>,
    /// `Some(true)` before the first row of an array, `Some(false)` after it.
    array: Option<bool>,
    terminal: bool,
}

impl RowSink for JsonRows<'_> {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        let mut line = Vec::with_capacity(256);
        match self.array {
            Some(true) => line.extend_from_slice(b"[\n"),
            Some(false) => line.extend_from_slice(b",\n"),
            None => {}
        }
        line.push(b'{');
        for (i, (column, cell)) in self.columns.iter().zip(cells).enumerate() {
            if i > 0 {
                line.push(b',');
            }
            push_json_str(&mut line, column);
            line.push(b':');
            push_json_cell(&mut line, cell);
        }
        line.push(b'}');
        if self.array.is_none() {
            line.push(b'\n');
        } else {
            self.array = Some(false);
        }
        write_maybe_escaped(&mut self.out, &line, self.terminal)
    }

    fn finish(&mut self) -> io::Result<()> {
        match self.array {
            Some(true) => self.out.write_all(b"[]\n")?,
            Some(false) => self.out.write_all(b"\n]\n")?,
            None => {}
        }
        self.out.flush()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

pub(crate) fn write_maybe_escaped(out: &mut dyn Write, bytes: &[u8], terminal: bool) -> io::Result<()> {
    if terminal {
        out.write_all(&sanitize::escape_bytes(bytes, true))
    } else {
        out.write_all(bytes)
    }
}

/// RFC 4180 CSV with a header row; fields quoted when they hold `,`, `"`, CR or LF.
struct CsvRows<'w> {
    out: Box<dyn Write + Send + 'w>,
    columns: Vec<String>,
    header_done: bool,
    terminal: bool,
}

/// Appends one CSV field, quoted when needed (quotes doubled).
pub fn push_csv_field(out: &mut Vec<u8>, text: &str) {
    if text.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for b in text.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

impl CsvRows<'_> {
    fn line<'a>(&mut self, fields: impl Iterator<Item = Option<Cow<'a, str>>>) -> io::Result<()> {
        let mut line = Vec::with_capacity(256);
        for (i, field) in fields.enumerate() {
            if i > 0 {
                line.push(b',');
            }
            if let Some(text) = field {
                let text =
                    if self.terminal { sanitize::escape_str(&text, false).into_owned() } else { text.into_owned() };
                push_csv_field(&mut line, &text);
            }
        }
        // LF ends records. RFC 4180 writes CRLF, but its interoperability note asks readers to be liberal,
        // every CSV reader takes LF, and LF keeps `grep ...$`, `cut` and `sort` working. Fields
        // holding a line break are quoted.
        line.push(b'\n');
        self.out.write_all(&line)
    }

    fn header(&mut self) -> io::Result<()> {
        if !self.header_done {
            self.header_done = true;
            let columns = std::mem::take(&mut self.columns);
            let result = self.line(columns.iter().map(|c| Some(Cow::Borrowed(c.as_str()))));
            self.columns = columns;
            result?;
        }
        Ok(())
    }
}

impl RowSink for CsvRows<'_> {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        self.header()?;
        self.line(cells.iter().map(|c| c.text()))
    }

    fn finish(&mut self) -> io::Result<()> {
        self.header()?;
        self.out.flush()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A table drawn when all rows are known (tables are for people: small results).
struct TableRows<'w> {
    out: Box<dyn Write + Send + 'w>,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    screen: Screen,
}

impl RowSink for TableRows<'_> {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        // Always escaped: a table is for reading, and a newline in a cell breaks its layout.
        let row =
            cells.iter().map(|c| c.text().map_or_else(String::new, |t| sanitize::escape_str(&t, false).into_owned()));
        self.rows.push(row.collect());
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        let fit = match (self.screen.terminal, self.screen.wide) {
            (false, _) => table::Fit::Natural,
            (true, false) => table::Fit::Cut(table::terminal_width()),
            (true, true) => table::Fit::Wrap(table::terminal_width()),
        };
        let rendered = table::render(&self.columns, std::mem::take(&mut self.rows), fit);
        writeln!(self.out, "{rendered}")?;
        self.out.flush()
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Prints whole events: raw bytes in JSON formats, rows of fields otherwise (or when
/// `--fields` is given).
pub struct EventSink<'w> {
    inner: EventInner<'w>,
    /// With `--with-source`: the name of each input, by its index in the scan.
    sources: Option<Vec<String>>,
}

enum EventInner<'w> {
    /// JSON lines (each event made single-line if it was pretty-printed) or one array.
    Raw {
        out: Box<dyn Write + Send + 'w>,
        array: Option<bool>,
        terminal: bool,
    },
    Rows {
        sink: Box<dyn RowSink + Send + 'w>,
        fields: Vec<FieldPath>,
    },
}

impl<'w> EventSink<'w> {
    /// A sink for events in `format`; `fields` empty means whole events (JSON formats) or
    /// [`DEFAULT_EVENT_FIELDS`] (CSV) or [`TABLE_EVENT_FIELDS`] (table).
    /// With `sources` (each input's name, by index), every event says where it was read: JSON
    /// events gain a last member `"ctlSource":{"file":NAME,"index":N}` (N counts records from
    /// 0 in the file), rows gain `source file` and `source index` columns.
    pub fn new(
        format: OutputFormat,
        fields: Vec<FieldPath>,
        out: Box<dyn Write + Send + 'w>,
        screen: Screen,
        sources: Option<Vec<String>>,
    ) -> Self {
        let terminal = screen.terminal;
        let inner = match (format, fields.is_empty()) {
            (OutputFormat::Jsonl, true) => EventInner::Raw { out, array: None, terminal },
            (OutputFormat::Json, true) => EventInner::Raw { out, array: Some(true), terminal },
            (_, empty) => {
                let fields = if empty {
                    let defaults =
                        if format == OutputFormat::Table { TABLE_EVENT_FIELDS } else { DEFAULT_EVENT_FIELDS };
                    defaults.iter().filter_map(|f| FieldPath::parse(f).ok()).collect()
                } else {
                    fields
                };
                let mut columns: Vec<String> = fields.iter().map(|f| f.name().to_string()).collect();
                if sources.is_some() {
                    columns.extend(["source file".to_string(), "source index".to_string()]);
                }
                EventInner::Rows { sink: row_sink(format, columns, out, screen), fields }
            }
        };
        EventSink { inner, sources }
    }

    /// Prints one event given its raw bytes and where it was read.
    pub fn write_event(&mut self, raw: &[u8], source: Source) -> io::Result<()> {
        let source =
            self.sources.as_ref().map(|names| (names.get(source.file).map_or("", String::as_str), source.index));
        match &mut self.inner {
            EventInner::Raw { out, array, terminal } => {
                if let Some(first) = array {
                    out.write_all(if *first { b"[\n" } else { b",\n" })?;
                    *first = false;
                }
                // JSON lines need one line per event: a record spanning lines (pretty-printed)
                // is compacted, whitespace outside strings only; any other passes byte for byte.
                let text = if array.is_none() && memchr::memchr2(b'\n', b'\r', raw).is_some() {
                    cloudtrail::record::event_text(raw)
                } else {
                    Cow::Borrowed(raw)
                };
                match source {
                    Some(source) => write_maybe_escaped(out, &with_source(&text, source), *terminal)?,
                    None => write_maybe_escaped(out, &text, *terminal)?,
                }
                if array.is_none() {
                    out.write_all(b"\n")?;
                }
                Ok(())
            }
            EventInner::Rows { sink, fields } => {
                let mut cells: Vec<Cell<'_>> = fields.iter().map(|f| f.cell(raw)).collect();
                if let Some((file, index)) = source {
                    cells.extend([Cell::Text(file.into()), Cell::Count(index)]);
                }
                sink.row(&cells)
            }
        }
    }

    /// Ends the output and flushes.
    pub fn finish(&mut self) -> io::Result<()> {
        match &mut self.inner {
            EventInner::Raw { out, array, .. } => {
                match array {
                    Some(true) => out.write_all(b"[]\n")?,
                    Some(false) => out.write_all(b"\n]\n")?,
                    None => {}
                }
                out.flush()
            }
            EventInner::Rows { sink, .. } => sink.finish(),
        }
    }
}

impl cloudtrail::query::collect::EventOutput for EventSink<'_> {
    fn event(&mut self, raw: &[u8], source: Source) -> io::Result<()> {
        self.write_event(raw, source)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            EventInner::Raw { out, .. } => out.flush(),
            EventInner::Rows { sink, .. } => sink.flush(),
        }
    }
}

/// The event object `text` with a last member `"ctlSource":{"file":FILE,"index":N}`.
fn with_source(text: &[u8], (file, index): (&str, u64)) -> Vec<u8> {
    let body = text.trim_ascii_end();
    let body = body.strip_suffix(b"}").unwrap_or(body);
    let empty = body.trim_ascii_end().ends_with(b"{");
    let mut out = Vec::with_capacity(text.len() + file.len() + 40);
    out.extend_from_slice(body);
    out.extend_from_slice(if empty { b"\"ctlSource\":{\"file\":" } else { b",\"ctlSource\":{\"file\":" });
    push_json_str(&mut out, file);
    out.extend_from_slice(format!(",\"index\":{index}}}}}").as_bytes());
    out
}

/// An error and its causes as one line (`outer: cause: cause`), each cause said once: a
/// cause whose text an outer error already quotes is not repeated.
pub fn error_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(format: OutputFormat, fields: &[&str], events: &[&[u8]]) -> String {
        let mut buf = Vec::new();
        {
            let fields = fields.iter().map(|f| FieldPath::parse(f).unwrap()).collect();
            let pipe = Screen { terminal: false, wide: false };
            let mut sink = EventSink::new(format, fields, Box::new(&mut buf), pipe, None);
            for e in events {
                sink.write_event(e, Source { file: 0, index: 0 }).unwrap();
            }
            sink.finish().unwrap();
        }
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn jsonl_is_raw_and_one_line_per_event() {
        let out = render(OutputFormat::Jsonl, &[], &[br#"{"b":1, "a":"x y"}"#, b"{\n \"a\": 2\n}"]);
        assert_eq!(out, "{\"b\":1, \"a\":\"x y\"}\n{\"a\":2}\n");
        let out = render(OutputFormat::Json, &[], &[b"{\"a\":1}", b"{\"a\":2}"]);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()[1]["a"], 2);
        assert_eq!(render(OutputFormat::Json, &[], &[]), "[]\n");
    }

    #[test]
    fn fields_as_jsonl_and_csv() {
        let ev: &[u8] = br#"{"a":"x,\"y\"","b":{"c":[1, 2]},"d":"line1\nline2"}"#;
        let out = render(OutputFormat::Jsonl, &["a", "b.c", "e"], &[ev]);
        assert_eq!(out, "{\"a\":\"x,\\\"y\\\"\",\"b.c\":[1,2],\"e\":null}\n");
        let out = render(OutputFormat::Csv, &["a", "d", "e", "b.c"], &[ev]);
        assert_eq!(out, "a,d,e,b.c\n\"x,\"\"y\"\"\",\"line1\nline2\",,\"[1,2]\"\n");
        assert_eq!(render(OutputFormat::Csv, &["a"], &[]), "a\n");
    }

    #[test]
    fn tables_escape_controls() {
        let out = render(OutputFormat::Table, &["a"], &[b"{\"a\":\"evil\\u001b[2J\"}"]);
        assert!(out.contains("evil\\u{1b}[2J"), "{out}");
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn an_error_line_says_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        /// An error that quotes its source in its own text, as many library errors do.
        #[derive(Debug)]
        struct Quoting {
            source: std::io::Error,
        }
        impl std::fmt::Display for Quoting {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "rules/x.yml: {}", self.source)
            }
        }
        impl std::error::Error for Quoting {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.source)
            }
        }
        let err = anyhow::Error::new(Quoting { source: io }).context("reading the rules");
        assert_eq!(error_line(&err), "reading the rules: rules/x.yml: No such file or directory");
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(error_line(&plain), "outer: inner");
    }
}
