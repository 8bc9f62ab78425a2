//! `ctl filter`: test a CloudWatch Logs filter pattern against log events offline, as
//! `TestMetricFilter` does online. Each line of a text input is one event message; CloudTrail
//! files (`{"Records":[...]}`, arrays, JSON lines, gzipped or not) and trees are read record by
//! record, each record as CloudTrail delivers it to CloudWatch Logs.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::scanning::Session;
use super::{Global, Status};
use crate::cli::FilterArgs;
use cloudtrail::record::{self, Reader, SyntaxError};
use cloudtrail::scan::{Prune, Visitor};
use cwl_filter::Pattern;

pub fn run(args: &FilterArgs, global: &Global) -> anyhow::Result<Status> {
    let pattern = Pattern::parse(&args.pattern).map_err(|e| anyhow::anyhow!("{e}"))?;
    let paths: Vec<PathBuf> = if args.paths.is_empty() { vec!["-".into()] } else { args.paths.clone() };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut matched = 0u64;
    let mut failed = false;
    let mut reader = Reader::new();
    for path in &paths {
        if path.is_dir() {
            let session = Session::discover(std::slice::from_ref(path), &Prune::default(), args.strict, global)?;
            let scanned = session.scan(&Matcher { pattern: &pattern });
            let mut found = scanned.acc;
            found.sort_by_key(|(file, ordinal, _)| (*file, *ordinal));
            matched += found.len() as u64;
            if !args.count {
                for (_, _, message) in found {
                    out.write_all(&message)?;
                    out.write_all(b"\n")?;
                }
            }
            session.summary(&scanned.stats, &format!("{} matched", matched));
            failed |= scanned.stopped_on_problem || session.walk_errors > 0 || scanned.stats.unreadable > 0;
            continue;
        }
        let input = (path.as_os_str() != "-").then_some(path.as_path());
        let data = match reader.load(input) {
            Ok(data) => data,
            Err(e) => {
                eprintln!("ctl: {}: {e}", display(input));
                failed = true;
                if args.strict {
                    break;
                }
                continue;
            }
        };
        matched += filter_messages(data, &pattern, &mut |message| {
            if args.count {
                Ok(())
            } else {
                out.write_all(message)?;
                out.write_all(b"\n")
            }
        })
        .with_context(|| format!("writing matches of {}", display(input)))?;
    }
    if args.count {
        writeln!(out, "{matched}")?;
    }
    out.flush()?;
    Ok(if failed {
        Status::Error
    } else if matched > 0 {
        Status::Success
    } else {
        Status::Finding
    })
}

fn display(path: Option<&Path>) -> String {
    path.map_or_else(|| "<stdin>".to_string(), |p| p.display().to_string())
}

/// Offers every event message of `data` to `pattern` and passes the matching ones to `emit`;
/// returns how many matched. Content that starts like JSON, that [`record::split`] reads to
/// the end and whose matching records are valid ([`record::validate`]) is taken record by
/// record; anything else (text logs, damaged JSON) line by line.
pub fn filter_messages(
    data: &[u8],
    pattern: &Pattern,
    emit: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    let looks_structured = data.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| matches!(b, b'{' | b'['));
    if looks_structured {
        let mut found: Vec<Vec<u8>> = Vec::new();
        let mut damaged = false;
        let mut scratch = Vec::new();
        let split = record::split(data, &mut scratch, |raw, _| {
            let message = record::event_text(raw);
            if pattern.matches_prefiltered(&message) {
                damaged |= record::validate(raw).is_err();
                found.push(message.into_owned());
            }
        });
        if split.is_ok() && !damaged {
            for message in &found {
                emit(message)?;
            }
            return Ok(found.len() as u64);
        }
    }
    let mut matched = 0u64;
    for line in data.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.is_empty() && pattern.matches_prefiltered(line) {
            matched += 1;
            emit(line)?;
        }
    }
    Ok(matched)
}

/// Collects matching records of a tree, with their file and position for a stable order.
struct Matcher<'p> {
    pattern: &'p Pattern,
}

impl Visitor for Matcher<'_> {
    type Acc = Vec<(usize, u64, Vec<u8>)>;

    fn new_acc(&self) -> Self::Acc {
        Vec::new()
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.pattern.prefilter().is_none_or(|p| p.may_match(data))
    }

    fn record(&self, acc: &mut Self::Acc, file: usize, ordinal: u64, raw: &[u8]) -> Result<(), SyntaxError> {
        let message = record::event_text(raw);
        if self.pattern.matches(&message) {
            record::validate(raw)?;
            acc.push((file, ordinal, message.into_owned()));
        }
        Ok(())
    }

    fn merge(&self, mut a: Self::Acc, b: Self::Acc) -> Self::Acc {
        a.extend(b);
        a
    }
}
