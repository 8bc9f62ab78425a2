//! Helpers shared by the end-to-end test binaries.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The trimmed real corpus committed in `tests/fixtures/corpus` (see its README): always there,
/// so the oracle tests run on real events in a fresh clone.
#[allow(dead_code)] // not every test binary uses every helper
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

/// The full public samples (`../shared/data/cloudtrail-samples`), or `None` after a visible
/// "skipped" line naming `test` when they are absent. Under CI (`CI` set), which has them, their
/// absence fails the test instead of skipping it.
#[allow(dead_code)]
pub fn samples(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/cloudtrail-samples");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(std::env::var_os("CI").is_none(), "{test}: {} is absent under CI", dir.display());
    // Written to stderr directly: the test harness captures `eprintln!`, and a skip must show.
    let line = format!("skipped: {test}: {} is absent\n", dir.display());
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    None
}

/// `data` gzipped (one member, default level).
#[allow(dead_code)]
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// `events` without the copies of events delivered more than once, as ctl counts them by
/// default: two records are the same event when they carry an `eventID` and the same compact
/// text (serde_json keeps the members' order here: the `preserve_order` feature). The first copy
/// is kept.
#[allow(dead_code)]
pub fn distinct(events: Vec<serde_json::Value>) -> Vec<serde_json::Value> {
    let mut seen = std::collections::HashSet::new();
    events.into_iter().filter(|e| e.get("eventID").is_none() || seen.insert(e.to_string())).collect()
}

/// Whether a record is a CloudTrail event, as ctl decides (README, "What counts as an event"):
/// string `eventSource` and `eventName`, or an `insightDetails` object.
#[allow(dead_code)]
pub fn is_event(e: &serde_json::Value) -> bool {
    (e.get("eventSource").is_some_and(|v| v.is_string()) && e.get("eventName").is_some_and(|v| v.is_string()))
        || e.get("insightDetails").is_some_and(|v| v.is_object())
}

/// Runs `line` with `sh -c` in `dir`, with the `ctl` under test first on `PATH` (so a command
/// line copied from the docs runs as written); returns (status code, stdout, stderr).
#[allow(dead_code)]
pub fn shell(line: &str, dir: &Path) -> (i32, String, String) {
    let bin = assert_cmd::cargo::cargo_bin("ctl");
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(line)
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

// The independent reader: every record of every log-named file, by plain serde_json.

#[allow(dead_code)]
pub fn files_below(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_below(&path, out);
        } else {
            let name = path.file_name().unwrap().to_string_lossy().to_lowercase();
            let stem = name.trim_end_matches(".gz");
            let log_like = [".json", ".jsonl", ".ndjson", ".log", ".txt"].iter().any(|e| stem.ends_with(e));
            if (log_like || name.ends_with(".gz")) && !name.contains("_cloudtrail-digest_") {
                out.push(path);
            }
        }
    }
}

fn events_of_value(v: Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(mut map) => {
            if let Some(Value::Array(records)) = map.remove("Records") {
                out.extend(records);
            } else if let Some(Value::Array(events)) = map.remove("Events") {
                events.into_iter().for_each(|e| lookup_element(e, out));
            } else if map.contains_key("digestS3Object") || map.contains_key("logFiles") {
            } else if let (false, Some(inner)) = (
                map.contains_key("eventName"),
                map.get("event").or(map.get("detail")).filter(|v| v.get("eventName").is_some()),
            ) {
                // A wrapper carrying one event (EventBridge's `detail`, an export's `event`).
                out.push(inner.clone());
            } else {
                out.push(Value::Object(map));
            }
        }
        Value::Array(items) => items.into_iter().for_each(|e| lookup_element(e, out)),
        _ => {}
    }
}

fn lookup_element(e: Value, out: &mut Vec<Value>) {
    match e.get("CloudTrailEvent").and_then(Value::as_str) {
        Some(text) => out.push(serde_json::from_str(text).unwrap()),
        None => out.push(e),
    }
}

/// Every distinct event below `dir` (files that are not JSON contribute the values before the
/// damage; copies of one event count once, see [`distinct`]).
#[allow(dead_code)]
pub fn independent_events(dir: &Path) -> Vec<Value> {
    let mut files = Vec::new();
    files_below(dir, &mut files);
    let mut events = Vec::new();
    for file in files {
        let raw = std::fs::read(&file).unwrap();
        let data = if raw.starts_with(&[0x1f, 0x8b]) {
            let mut d = Vec::new();
            flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut d).unwrap();
            d
        } else {
            raw
        };
        for value in serde_json::Deserializer::from_slice(&data).into_iter::<Value>() {
            match value {
                Ok(v) => events_of_value(v, &mut events),
                Err(_) => break,
            }
        }
    }
    distinct(events.into_iter().filter(is_event).collect())
}
