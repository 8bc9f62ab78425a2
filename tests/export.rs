//! `ctl export` (issue #12): every exported event reads back JSON-equal to its source; DuckDB,
//! running the printed DDL and the printed SQL, counts what `ctl query` counts on the source
//! tree; `ctl query` on the export answers as on the source tree.

mod common;

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;

fn ctl() -> Command {
    Command::cargo_bin("ctl").unwrap()
}

/// `ctl -q ARGS`: stdout. The run must not fail (exit status 2 is taken only for the damaged
/// files of the real samples, reported as problems, not as an error).
fn run(args: &[&str]) -> String {
    let out = ctl().arg("-q").args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().unwrap() <= 2 && !stderr.contains("error:"), "{args:?}: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

fn export(sources: &[&Path], out: &Path) {
    let out_arg = out.to_str().unwrap();
    let mut args = vec!["export", "--out", out_arg];
    args.extend(sources.iter().map(|p| p.to_str().unwrap()));
    run(&args);
    assert!(out.join("_ctl_export.json").is_file());
}

/// A JSON value with every object's members sorted: equal values print equal.
fn canonical(v: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Value::Object(keys.into_iter().map(|k| (k.clone(), sort(&m[k]))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(v).to_string()
}

/// The events `ctl query` prints, each parsed by serde_json and canonical, sorted.
fn events(paths: &[&Path]) -> Vec<String> {
    let mut args = vec!["query", "--unordered", "-o", "jsonl"];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    let mut all: Vec<String> =
        run(&args).lines().map(|l| canonical(&serde_json::from_str::<Value>(l).unwrap())).collect();
    all.sort();
    all
}

fn assert_round_trip(sources: &[&Path]) {
    let out = tempfile::tempdir().unwrap();
    let root = out.path().join("export");
    export(sources, &root);
    let source = events(sources);
    let exported = events(&[&root]);
    assert!(source.len() > 10, "{}", source.len());
    assert_eq!(exported.len(), source.len());
    for (a, b) in exported.iter().zip(&source) {
        assert_eq!(a, b);
    }
}

/// The source records read independently (serde_json): the events of the JSON files below
/// `dir`, without the copies ctl drops.
fn independent_events(dir: &Path) -> Vec<Value> {
    let mut all = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        if !entry.file_type().is_file() || !name.ends_with(".json.gz") || name.contains("Digest") {
            continue;
        }
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(std::fs::File::open(entry.path()).unwrap()),
            &mut text,
        )
        .unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        all.extend(doc["Records"].as_array().unwrap().iter().cloned());
    }
    common::distinct(all)
}

#[test]
fn a_generated_tree_reads_back_json_equal_and_counts_match_serde() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = trail_synth::SynthSpec::small(12);
    spec.accounts = 2;
    spec.regions = vec!["us-east-1".into(), "eu-west-1".into()];
    spec.hours = 4;
    spec.events_per_file = 40;
    let written = trail_synth::generate(&spec, dir.path()).unwrap();
    let independent = independent_events(&written.dump);
    let out = dir.path().join("export");
    export(&[&written.dump], &out);
    let exported = events(&[&out]);
    assert_eq!(exported.len(), independent.len());
    let mut want: Vec<String> = independent.iter().map(canonical).collect();
    want.sort();
    assert_eq!(exported, want, "every exported event reads back JSON-equal to its source");
    // Partitions: account=/region=/month=, one per account and region here.
    let manifest: Value = serde_json::from_slice(&std::fs::read(out.join("_ctl_export.json")).unwrap()).unwrap();
    assert_eq!(manifest["events"].as_u64().unwrap(), independent.len() as u64);
    assert!(manifest["partitions"].as_array().unwrap().len() >= 4);
}

/// A generated tree of 2 accounts × 2 regions over `hours` hours (seed `seed`) and its export:
/// the temporary folder holding both, what was written, and the export's folder.
fn exported_tree(seed: u64, hours: u32) -> (tempfile::TempDir, trail_synth::SynthOutput, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = trail_synth::SynthSpec::small(seed);
    spec.accounts = 2;
    spec.regions = vec!["us-east-1".into(), "eu-west-1".into()];
    spec.hours = hours;
    let written = trail_synth::generate(&spec, dir.path()).unwrap();
    let out = dir.path().join("export");
    export(&[&written.dump], &out);
    (dir, written, out)
}

#[test]
fn summary_of_an_export_is_the_summary_of_its_source() {
    let (_dir, written, out) = exported_tree(5, 3);
    let dump = written.dump.to_str().unwrap();
    for format in ["json", "table"] {
        let on_tree = run(&["summary", "-o", format, dump]);
        let on_export = run(&["summary", "-o", format, out.to_str().unwrap()]);
        assert_eq!(on_export, on_tree, "-o {format}");
    }
    // Figures checked independently: the events (serde_json), the log files, digests and
    // deliveries (the files of the tree), which the export keeps in its manifest.
    let summary: Value = serde_json::from_str(&run(&["summary", "-o", "json", out.to_str().unwrap()])).unwrap();
    let names: Vec<String> = walkdir::WalkDir::new(&written.dump)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    let digests = names.iter().filter(|n| n.contains("_CloudTrail-Digest_")).count() as u64;
    let logs = names.iter().filter(|n| n.contains("_CloudTrail_") && n.ends_with(".json.gz")).count() as u64;
    assert_eq!(summary["volume"]["events"].as_u64(), Some(independent_events(&written.dump).len() as u64));
    assert_eq!(summary["volume"]["files"].as_u64(), Some(logs));
    assert_eq!(summary["digests"]["files"].as_u64(), Some(digests));
    assert!(digests > 0);
    assert_eq!(summary["digests"]["validate"].as_str(), Some(format!("ctl validate {dump}").as_str()));
    assert_eq!(summary["delivery"].as_array().unwrap().len(), 4, "one row per account and region");
    assert_eq!(summary["trails"].as_array().unwrap().len(), 4);
}

/// A window that cuts the tree (and one that also keeps one region): the summary of the export
/// counts the files, records and deliveries of the source files the window keeps, as over the
/// source, byte for byte. The files are checked independently: those whose name's delivery
/// time lies within the window widened by ctl's documented pruning slack (15 minutes before
/// `--since`, 2 hours after `--until`).
#[test]
fn summary_of_an_export_under_a_window_is_that_of_its_source() {
    let (_dir, written, out) = exported_tree(7, 12);
    let (dump, export) = (written.dump.to_str().unwrap(), out.to_str().unwrap());
    let (since, until) = ("2026-01-01T03:20:00Z", "2026-01-01T06:40:00Z");
    let windows: [&[&str]; 3] =
        [&["--since", since, "--until", until], &["--since", since, "--region", "eu-west-1"], &["--until", until]];
    let whole: Value = serde_json::from_str(&run(&["summary", "-o", "json", dump])).unwrap();
    for window in windows {
        for format in ["json", "table"] {
            let on = |path: &str| {
                let mut args = vec!["summary", "-o", format];
                args.extend_from_slice(window);
                args.push(path);
                run(&args)
            };
            assert_eq!(on(export), on(dump), "{window:?} -o {format}");
        }
    }
    let args = ["summary", "-o", "json", "--since", since, "--until", until, export];
    let summary: Value = serde_json::from_str(&run(&args)).unwrap();
    let at = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap();
    let (from, to) = (at(since) - chrono::Duration::minutes(15), at(until) + chrono::Duration::hours(2));
    let kept = walkdir::WalkDir::new(&written.dump)
        .into_iter()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("_CloudTrail_") && n.ends_with(".json.gz"))
        .filter(|n| {
            let stamp = n.split('_').nth(3).unwrap();
            let t = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%MZ").unwrap().and_utc();
            from <= t && t < to
        })
        .count() as u64;
    assert!(kept > 0 && kept < whole["volume"]["files"].as_u64().unwrap(), "the window cuts the tree");
    assert_eq!(summary["volume"]["files"].as_u64(), Some(kept));
    assert_eq!(
        summary["volume"]["records"].as_u64(),
        Some(kept * u64::from(trail_synth::SynthSpec::small(7).events_per_file))
    );
    let delivered: u64 = summary["delivery"].as_array().unwrap().iter().map(|r| r["files"].as_u64().unwrap()).sum();
    assert_eq!(delivered, kept);
    assert_eq!(summary["digests"], whole["digests"], "digests are never pruned");
    // An export of an older ctl (manifest layout 1, without the source's files one by one) is
    // still read, with a note that its figures are its whole source's.
    let path = out.join("_ctl_export.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["ctl_export"] = 1.into();
    manifest["source"].as_object_mut().unwrap().remove("logs");
    std::fs::write(&path, manifest.to_string()).unwrap();
    let old = ctl().args(args).output().unwrap();
    assert_eq!(old.status.code(), Some(0));
    let note = String::from_utf8_lossy(&old.stderr);
    assert!(note.contains("layout 1") && note.contains("whole source"), "{note}");
    let old: Value = serde_json::from_slice(&old.stdout).unwrap();
    assert_eq!(old["volume"]["files"], whole["volume"]["files"]);
}

/// The corpus has what a generated tree lacks: records that are not events, a damaged file,
/// copies of events, files outside the `AWSLogs/` layout. The summary of its export reports the
/// source's volume (records, refusals, unreadable files, copies) and file sections.
#[test]
fn summary_of_an_exported_corpus_reports_its_source_volume() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    export(&[&common::corpus()], &out);
    let summary = |path: &Path| -> Value {
        let out = ctl().args(["-q", "summary", "-o", "json"]).arg(path).output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (on_tree, on_export) = (summary(&common::corpus()), summary(&out));
    let volume = &on_tree["volume"];
    assert!(volume["not_events"].as_u64() > Some(0) && volume["copies_dropped"].as_u64() > Some(0), "{volume}");
    assert_eq!(volume["unreadable_files"].as_u64(), Some(1), "{volume}");
    assert_eq!(on_export["volume"], *volume);
    for section in ["delivery", "trails", "organizations", "per_day", "accounts", "event_names"] {
        assert_eq!(on_export[section], on_tree[section], "{section}");
    }
}

#[test]
fn the_corpus_reads_back_json_equal() {
    assert_round_trip(&[&common::corpus()]);
}

#[test]
fn the_real_samples_read_back_json_equal() {
    if let Some(samples) = common::samples("the_real_samples_read_back_json_equal") {
        assert_round_trip(&[&samples]);
    }
}

#[test]
fn an_export_is_never_written_inside_an_input_nor_into_a_full_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::corpus().join(
            std::fs::read_dir(common::corpus())
                .unwrap()
                .find_map(|e| {
                    let e = e.unwrap();
                    e.file_type().unwrap().is_file().then(|| e.file_name())
                })
                .unwrap(),
        ),
        dir.path().join("a.json"),
    )
    .unwrap();
    let inside = dir.path().join("out");
    ctl().args(["export", "--out"]).arg(&inside).arg(dir.path()).assert().code(2);
    assert!(!inside.exists());
    let full = tempfile::tempdir().unwrap();
    std::fs::write(full.path().join("x"), "x").unwrap();
    ctl().args(["export", "--out"]).arg(full.path()).arg(common::corpus()).assert().code(2);
}

/// Footers found by flipping bits in exported files, on which the Parquet decoder (parquet 57)
/// panics: a capacity overflow while building the schema, an `unwrap` in its statistics.
#[test]
fn a_damaged_parquet_file_is_reported_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    export(&[&common::corpus()], &out);
    let parts: Vec<_> = walkdir::WalkDir::new(&out)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    let all = run(&["query", "-c", "eventSource", out.to_str().unwrap()]);
    let damaged_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/damaged-parquet");
    for (name, victim) in ["schema-overflow.parquet", "statistics-unwrap.parquet"].iter().zip(&parts) {
        let kept = std::fs::read(victim).unwrap();
        std::fs::copy(damaged_dir.join(name), victim).unwrap();
        for args in [&["query", "-c", "eventSource"][..], &["query", "--event", "ConsoleLogin"], &["filter", "-p", "x"]]
        {
            let run = ctl().args(args).arg(&out).output().unwrap();
            let err = String::from_utf8_lossy(&run.stderr);
            assert_eq!(run.status.code(), Some(2), "{name} {args:?}: {err}");
            assert!(!err.contains("panicked"), "{name} {args:?}: {err}");
            let line = err.lines().find(|l| l.contains("damaged Parquet")).unwrap_or_else(|| panic!("{name}: {err}"));
            assert!(line.contains(victim.to_str().unwrap()), "the file is named: {line}");
        }
        let counted = ctl().args(["-q", "query", "-c", "eventSource"]).arg(&out).output().unwrap().stdout;
        assert!(!counted.is_empty() && counted != all.as_bytes(), "{name}: the other files are read");
        std::fs::write(victim, kept).unwrap();
    }
}

/// The queries of the DuckDB test: each is run by ctl on the source and as SQL on the export.
const QUERIES: &[&[&str]] = &[
    &["-c", "eventName"],
    &["--event", "ConsoleLogin", "-c", "eventName"],
    &["--event", "Get*", "-c", "eventName"],
    &["--source", "s3", "-c", "eventName"],
    &["--identity-type", "AssumedRole", "-c", "eventName"],
    &["--user", "*a*", "-c", "eventName"],
    &["--arn", "arn:aws:iam::*", "-c", "eventName"],
    &["--ip", "10.0.0.0/8", "-c", "eventName"],
    &["--ip", "192.168.0.0/17", "-c", "sourceIPAddress"],
    &["--error", "-c", "errorCode"],
    &["--error", "AccessDenied*", "-c", "eventName"],
    &["--read-only", "-c", "eventSource"],
    &["--since", "2021-01-01", "--until", "2023-06-01", "-c", "eventName"],
    &["--account", "111122223333", "--region", "us-east-1", "-c", "eventName"],
    &["--where", "{ $.requestParameters.bucketName = \"*\" }", "-c", "eventName"],
    &["--where", "{ ($.userIdentity.type = \"Root\") || ($.errorCode = \"*Denied*\") }", "-c", "eventName"],
    &["-c", "eventName,userIdentity.type"],
    &["--ip", "2001:db8::/32", "-c", "sourceIPAddress"],
    &["--ip", "2001:db8:0:100::/56", "--ip", "10.0.0.0/8", "-c", "sourceIPAddress"],
    &["--ip", "::/0", "-c", "sourceIPAddress"],
    &["--ip", "198.51.100.7", "--ip", "::ffff:0:0/96", "-c", "sourceIPAddress"],
    &["--bucket", "1d", "-c", "eventSource"],
    &["--bucket", "7d"],
];

/// The spellings of [`ip_events`] each block holds (each block is also a query of the DuckDB
/// and sqlglot tests), as ctl reads them (`IpAddr`, each element
/// of the chain trimmed): an IPv4 block holds addresses written in IPv4 only, an IPv6 block
/// those written in IPv6 only, the IPv4-mapped ones (`::ffff:192.0.2.1`) included.
const IP_BLOCKS: &[(&str, &[&str])] = &[
    ("192.0.2.0/24", &["2001:db8:0:200::5,192.0.2.1", "192.0.2.9", " 192.0.2.10\t", "192.0.2.11\u{b}"]),
    (
        "::ffff:192.0.2.0/120",
        &[
            "::ffff:192.0.2.1",
            "::FFFF:C000:0201",
            "0:0:0:0:0:ffff:192.0.2.7",
            "198.51.100.7, ::ffff:192.0.2.1",
            "\u{a0}::ffff:192.0.2.8\u{2028}",
        ],
    ),
    ("198.51.100.7/32", &["198.51.100.7, ::ffff:192.0.2.1"]),
    ("::192.0.2.0/120", &["::192.0.2.1"]),
    ("1:2:3:4:5:6:7:0/112", &["1:2:3:4:5:6:7::"]),
    ("::/128", &["::"]),
];

/// [`QUERIES`], then a count by address of each of [`IP_BLOCKS`].
fn queries() -> Vec<Vec<&'static str>> {
    let blocks = IP_BLOCKS.iter().map(|(block, _)| vec!["--ip", block, "-c", "sourceIPAddress"]);
    QUERIES.iter().map(|q| q.to_vec()).chain(blocks).collect()
}

/// Events whose `sourceIPAddress` spells IPv6 addresses every way (compressed, in full, upper
/// case, in a proxy chain, IPv4-mapped, with an IPv4 tail), with IPv4, service names and texts
/// ctl does not read as addresses (leading zeros in IPv4, a scope, a fifth hex digit, nine
/// groups) around them: a JSON file of records.
fn ip_events(path: &Path) {
    let addresses = [
        "2001:db8::1",
        "2001:0db8:0000:0000:0000:0000:0000:0002",
        "2001:DB8:0:100::7",
        "10.1.2.3, 2001:db8:0:1ff::1",
        "2001:db9::1",
        "::1",
        "fe80::1:2:3:4",
        "2001:db8:0:200::5,192.0.2.1",
        "iam.amazonaws.com",
        "10.9.9.9",
        "::ffff:192.0.2.1",
        "::FFFF:C000:0201",
        "0:0:0:0:0:ffff:192.0.2.7",
        "198.51.100.7, ::ffff:192.0.2.1",
        "192.0.2.9",
        " 192.0.2.10\t",
        "192.0.2.11\u{b}",
        "\u{a0}::ffff:192.0.2.8\u{2028}",
        "192.000.002.001",
        "::ffff:192.0.2.01",
        "::192.0.2.1",
        "2001:db8::00001",
        "fe80::1%eth0",
        "1:2:3:4:5:6:7::",
        "::",
        "2001:db8:0:0:0:0:0:0:1",
    ];
    let records: Vec<Value> = addresses
        .iter()
        .enumerate()
        .map(|(i, ip)| {
            serde_json::json!({
                "eventVersion": "1.08",
                "eventTime": format!("2025-03-0{}T10:00:00Z", 1 + i % 9),
                "eventSource": "s3.amazonaws.com",
                "eventName": "GetObject",
                "awsRegion": "us-east-1",
                "sourceIPAddress": ip,
                "eventID": format!("00000000-0000-0000-0000-0000000000{i:02}"),
                "eventType": "AwsApiCall",
                "recipientAccountId": "111122223333",
            })
        })
        .collect();
    std::fs::write(path, serde_json::json!({ "Records": records }).to_string()).unwrap();
}

/// Runs the DDL and each SQL in DuckDB (Python); `None` when the duckdb package is absent.
fn duckdb(ddl: &str, sql: &[String]) -> Option<Vec<Value>> {
    let script = r#"
import json, sys
import duckdb
con = duckdb.connect()
job = json.load(sys.stdin)
con.execute(job["ddl"])
out = []
for q in job["sql"]:
    cur = con.execute(q)
    cols = [d[0] for d in cur.description]
    cell = lambda v: v.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(v, "strftime") else v if v is None or isinstance(v, (int, str)) else str(v)
    out.append([dict(zip(cols, [cell(v) for v in row])) for row in cur.fetchall()])
print(json.dumps(out))
"#;
    let probe = Process::new("python3").args(["-c", "import duckdb"]).output().ok()?;
    if !probe.status.success() {
        assert!(std::env::var_os("CI").is_none(), "the duckdb Python package is absent under CI");
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"skipped: duckdb: the duckdb Python package is absent\n",
        );
        return None;
    }
    let job = serde_json::json!({ "ddl": ddl, "sql": sql });
    let out = python(script, &job.to_string());
    assert!(out.status.success(), "duckdb: {}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap())
}

/// Rows of counts as a sorted list of `key=value,...=count` strings (NULL and missing alike);
/// the empty buckets ctl lists in a time series (SQL lists none) are left out.
fn rows(values: impl IntoIterator<Item = Value>, keys: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = values
        .into_iter()
        .filter(|row| row["count"] != 0)
        .map(|row| {
            let cells: Vec<String> = keys
                .iter()
                .map(|k| match &row[*k] {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            format!("{}={}", cells.join(","), row["count"])
        })
        .collect();
    all.sort();
    all
}

#[test]
fn duckdb_runs_the_printed_ddl_and_sql_and_counts_as_ctl_query_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut sources = vec![common::corpus(), dir.path().join("ip.json")];
    ip_events(&sources[1]);
    sources.extend(common::samples("duckdb_runs_the_printed_ddl_and_sql"));
    let root = dir.path().join("export");
    let source_refs: Vec<&Path> = sources.iter().map(|p| p.as_path()).collect();
    export(&source_refs, &root);
    let ddl = run(&["export", "--ddl", "duckdb", "--out", root.to_str().unwrap()]);
    assert!(ddl.contains("read_parquet"), "{ddl}");
    let queries = queries();
    let sql: Vec<String> = queries
        .iter()
        .map(|q| {
            let mut args = vec!["query", "--sql", "duckdb"];
            args.extend_from_slice(q);
            run(&args)
        })
        .collect();
    let Some(results) = duckdb(&ddl, &sql) else { return };
    let mut nonzero = 0;
    for ((query, result), sql) in queries.iter().zip(results).zip(&sql) {
        let mut keys: Vec<&str> =
            query.iter().position(|a| *a == "-c").map_or(vec![], |at| query[at + 1].split(',').collect());
        if query.contains(&"--bucket") {
            keys.insert(0, "time");
        }
        let mut args = vec!["query", "-o", "jsonl"];
        args.extend_from_slice(query);
        let mut on_source = args.clone();
        on_source.extend(source_refs.iter().map(|p| p.to_str().unwrap()));
        let want = rows(run(&on_source).lines().map(|l| serde_json::from_str(l).unwrap()), &keys);
        let got = rows(result.as_array().unwrap().iter().cloned(), &keys);
        assert_eq!(got, want, "{query:?}\n{sql}");
        // ctl query on the export answers as on the source tree.
        let mut on_export = args.clone();
        on_export.push(root.to_str().unwrap());
        let again = rows(run(&on_export).lines().map(|l| serde_json::from_str(l).unwrap()), &keys);
        assert_eq!(again, want, "ctl query on the export: {query:?}");
        nonzero += usize::from(!want.is_empty());
    }
    assert!(nonzero >= 16, "only {nonzero} queries matched anything");
    // Independently of ctl: five of the IPv6 spellings are in 2001:db8::/32; each block holds
    // the spellings listed.
    let ipv6 = run(&["query", "-o", "jsonl", "--ip", "2001:db8::/32", sources[1].to_str().unwrap()]);
    assert_eq!(ipv6.lines().count(), 5, "{ipv6}");
    for (block, want) in IP_BLOCKS {
        let found =
            run(&["query", "-o", "jsonl", "--fields", "sourceIPAddress", "--ip", block, sources[1].to_str().unwrap()]);
        let mut found: Vec<String> = found
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["sourceIPAddress"].as_str().unwrap().to_string())
            .collect();
        found.sort();
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(found, want, "--ip {block}");
    }
}

#[test]
fn sql_says_what_does_not_translate() {
    let out = ctl().args(["query", "--sql", "athena", "--where", "ERROR"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a JSON pattern"));
}

/// Functions sqlglot does not know, checked in each engine's documentation.
const KNOWN_FUNCTIONS: &[(&str, &str)] =
    &[("athena", "any_match"), ("athena", "to_base"), ("trino", "any_match"), ("trino", "to_base"), ("spark", "conv")];

/// Statements sqlglot does not parse (it keeps them as text), checked in each engine's documentation.
const KNOWN_COMMANDS: &[&str] =
    &["CALL system.sync_partition_metadata(CURRENT_SCHEMA, 'cloudtrail', 'ADD')", "MSCK REPAIR TABLE cloudtrail"];

/// The DDL and the SQL of every query, per engine, parsed by sqlglot in that engine's dialect.
/// Only DuckDB runs them (above): sqlglot checks the syntax (brackets, keywords, literals,
/// lambdas, DDL clauses) as it models each grammar, not names or types; functions it does not
/// know and statements it does not parse are listed and must be known ones.
#[test]
fn ddl_and_sql_of_every_engine_parse_in_its_dialect() {
    let probe = Process::new("python3").args(["-c", "import sqlglot"]).output().unwrap();
    if !probe.status.success() {
        assert!(std::env::var_os("CI").is_none(), "the sqlglot Python package is absent under CI");
        eprintln!("skipped: sqlglot: the sqlglot Python package is absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("export");
    export(&[&common::corpus()], &root);
    let mut job = Vec::new();
    for dialect in ["athena", "trino", "spark", "duckdb"] {
        let ddl = run(&["export", "--ddl", dialect, "--out", root.to_str().unwrap()]);
        job.push(serde_json::json!({ "dialect": dialect, "text": ddl }));
        let more = vec!["--user", "alice", "--where", "{ $.x > 1 }", "--fields", "eventName"];
        for query in queries().into_iter().chain([more]) {
            let mut args = vec!["query", "--sql", dialect];
            args.extend_from_slice(&query);
            job.push(serde_json::json!({ "dialect": dialect, "text": run(&args) }));
        }
    }
    let script = r#"
import json, sys
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel
out = []
for item in json.load(sys.stdin):
    try:
        statements = [s for s in sqlglot.parse(item["text"], read=item["dialect"], error_level=ErrorLevel.RAISE) if s]
    except Exception as e:
        out.append({"error": str(e), **item})
        continue
    out.append({
        "dialect": item["dialect"],
        "statements": len(statements),
        "commands": [s.sql() for s in statements if isinstance(s, exp.Command)],
        "unknown": sorted({f.name for s in statements for f in s.find_all(exp.Anonymous)}),
    })
print(json.dumps(out))
"#;
    let out = python(script, &Value::from(job.clone()).to_string());
    assert!(out.status.success(), "sqlglot: {}", String::from_utf8_lossy(&out.stderr));
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.len(), job.len());
    for result in &results {
        assert!(
            result.get("error").is_none(),
            "{} does not parse: {}\n{}",
            result["dialect"],
            result["error"],
            result["text"]
        );
        assert!(result["statements"].as_u64().unwrap() >= 1);
        let dialect = result["dialect"].as_str().unwrap();
        for f in result["unknown"].as_array().unwrap() {
            let f = f.as_str().unwrap().to_lowercase();
            assert!(KNOWN_FUNCTIONS.contains(&(dialect, f.as_str())), "{dialect}: unknown function {f}");
        }
        for c in result["commands"].as_array().unwrap() {
            assert!(KNOWN_COMMANDS.contains(&c.as_str().unwrap()), "{dialect}: unparsed statement {c}");
        }
    }
}

/// Runs the Python program `script` with `input` on its standard input; its output.
fn python(script: &str, input: &str) -> std::process::Output {
    let mut child = Process::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}
