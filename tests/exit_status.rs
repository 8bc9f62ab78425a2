//! The one exit-status policy (README "Exit status"), pinned for every subcommand: the same
//! damaged input gives the same status from query, filter and metrics, and is named on stderr
//! even with `-q`.

mod common;

use std::path::Path;

use assert_cmd::Command;

const EVENT: &str = r#"{"eventVersion":"1.08","eventTime":"2026-01-05T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","eventID":"e1","recipientAccountId":"111122223333","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root"},"responseElements":{"ConsoleLogin":"Success"}}"#;

fn ctl() -> Command {
    Command::cargo_bin("ctl").unwrap()
}

/// Runs `ctl -q ARGS...`; returns (status, stderr).
fn run(args: &[&str], dir: &Path) -> (i32, String) {
    let out = ctl().arg("-q").args(args).arg(dir).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// One good CloudTrail file, and optionally a gzip file cut short.
fn tree(with_damage: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.json"), format!("{{\"Records\":[{EVENT}]}}")).unwrap();
    if with_damage {
        let gz = common::gzip(format!("{{\"Records\":[{EVENT}]}}").as_bytes());
        std::fs::write(dir.path().join("cut.json.gz"), &gz[..gz.len() / 2]).unwrap();
    }
    dir
}

const MATCHING: [&[&str]; 3] = [
    &["query", "--event", "ConsoleLogin", "-o", "jsonl"],
    &["filter", "--pattern", r#"{ $.eventName = "ConsoleLogin" }"#],
    &["metrics", "--pattern", r#"{ $.eventName = "ConsoleLogin" }"#, "-o", "jsonl"],
];

#[test]
fn a_damaged_file_gives_2_from_every_reader_and_is_named_even_when_quiet() {
    let dir = tree(true);
    for args in MATCHING {
        let (code, err) = run(args, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: one line for one bad file: {err}");
        assert!(lines[0].contains("cut.json.gz") && lines[0].contains("gzip"), "{args:?}: {err}");
    }
}

#[test]
fn without_damage_the_answer_decides() {
    let dir = tree(false);
    let answers: [(&[&str], i32); 6] = [
        (MATCHING[0], 0),
        (MATCHING[1], 0),
        (MATCHING[2], 0),
        (&["query", "--event", "StopLogging"], 1),
        (&["filter", "--pattern", "StopLogging"], 1),
        (&["metrics", "--pattern", r#"{ $.eventName = "ConsoleLogin" }"#, "--threshold", "1", "-o", "jsonl"], 1),
    ];
    for (args, expected) in answers {
        let (code, err) = run(args, dir.path());
        assert_eq!(code, expected, "{args:?}: {err}");
        assert!(err.is_empty(), "-q and nothing wrong: stderr stays empty for {args:?}: {err}");
    }
}

#[test]
fn a_path_that_does_not_exist_is_2_for_every_subcommand_with_nothing_on_stdout() {
    let missing = Path::new("/definitely/not/here");
    for args in [&["query"][..], &["filter", "--pattern", "x"], &["metrics", "--cis"], &["validate"]] {
        let out = ctl().args(args).arg(missing).output().unwrap();
        assert!(out.stdout.is_empty(), "{args:?} printed {:?}", String::from_utf8_lossy(&out.stdout));
        let (code, err) = run(args, missing);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("/definitely/not/here"), "{args:?} names the path: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
    }
}

#[test]
fn a_text_file_reads_the_same_alone_or_inside_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let flow = "2 123456789010 eni-1 10.0.1.5 10.0.0.220 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK\n\
                2 123456789010 eni-1 10.0.1.5 10.0.0.220 49761 443 6 20 4249 1418530010 1418530070 ACCEPT OK\n";
    let file = dir.path().join("flow.log");
    std::fs::write(&file, flow).unwrap();
    for input in [file.as_path(), dir.path()] {
        let out = ctl().args(["filter", "-p", "REJECT"]).arg(input).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8(out.stdout).unwrap(), flow.lines().next().unwrap().to_string() + "\n");
    }
}

#[test]
fn a_newline_in_a_file_name_cannot_forge_a_message() {
    let dir = tree(false);
    std::fs::write(dir.path().join("x\nctl: all good.json"), "{ not json").unwrap();
    let (code, err) = run(&["query", "--event", "ConsoleLogin", "-o", "jsonl"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("x\\u{a}ctl: all good.json"), "{err}");
}

#[test]
fn contradictory_or_empty_options_are_usage_errors() {
    let dir = tree(false);
    for args in [&["query", "-c", "eventName", "-f", "eventTime"][..], &["query", "-c", "eventName", "--top", "0"]] {
        let (code, err) = run(args, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("--top") || err.contains("cannot be used with"), "{args:?}: {err}");
    }
}

#[test]
fn option_files_must_be_regular_files_and_numbers_finite() {
    let dir = tree(false);
    let fifo = dir.path().join("keys.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let fifo = fifo.to_str().unwrap();
    let cases: [&[&str]; 8] = [
        &["validate", "--public-keys", "/dev/zero"],
        &["validate", "--digest-metadata", fifo],
        &["metrics", "--filters", "/dev/zero"],
        &["metrics", "--cis", "--threshold", "NaN"],
        &["hunt", "-r", fifo],
        &["hunt", "-r", "/dev/zero"],
        &["hunt", "-r", ".", "--placeholders", fifo],
        &["hunt", "-r", ".", "--placeholders", "/dev/zero"],
    ];
    for args in cases {
        // A FIFO or a device is refused at once: this must not block.
        let (code, err) = run(args, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("not a regular file") || err.contains("not a finite number"), "{args:?}: {err}");
    }
}

#[test]
fn a_huge_sparse_file_and_a_gzip_bomb_are_refused_not_read() {
    use std::io::Write as _;
    let dir = tree(false);
    // 40 GB that take no disk: refused by its size before any byte is read.
    let sparse = std::fs::File::create(dir.path().join("huge.json")).unwrap();
    sparse.set_len(40 << 30).unwrap();
    // 100 MiB of zeros in a gzip of about 100 KB, streamed through the compressor.
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..100 {
        bomb.write_all(&zeros).unwrap();
    }
    std::fs::write(dir.path().join("bomb.json.gz"), bomb.finish().unwrap()).unwrap();
    for args in MATCHING {
        let mut all = vec!["--max-file-size", "16M"];
        all.extend_from_slice(args);
        let (code, err) = run(&all, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        let line =
            |name: &str| err.lines().find(|l| l.contains(name)).unwrap_or_else(|| panic!("{name}: {err}")).to_string();
        assert!(line("huge.json").contains("larger than the per-file limit of 16 MiB"), "{err}");
        assert!(line("bomb.json.gz").contains("inflates to more than the limit of 16 MiB"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_named_fifo_is_read_as_a_stream_and_threads_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("events.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, format!("{{\"Records\":[{EVENT}]}}\n")).unwrap())
    };
    let out = ctl().args(["-q", "filter", "-c", "-p", "ConsoleLogin"]).arg(&fifo).output().unwrap();
    writer.join().unwrap();
    assert_eq!((String::from_utf8_lossy(&out.stdout).trim(), out.status.code()), ("1", Some(0)));
    // A fantastic thread count is capped, with a note, and the run completes.
    let out =
        ctl().args(["-j", "100000", "query", "--event", "ConsoleLogin"]).arg(tree(false).path()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("capped at"), "{err}");
}

#[test]
fn events_before_damage_after_a_gzip_member_are_read_and_the_damage_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = common::gzip(format!("{{\"Records\":[{EVENT}]}}").as_bytes());
    bytes.push(b'X');
    std::fs::write(dir.path().join("appended.json.gz"), bytes).unwrap();
    for args in MATCHING {
        let (code, err) = run(args, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("appended.json.gz") && err.contains("intact bytes"), "{args:?}: {err}");
    }
    let out = ctl().args(["-q", "filter", "-c", "-p", "ConsoleLogin"]).arg(dir.path()).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1", "the intact member's event is used");
}

#[test]
fn filter_prints_each_match_of_a_pipe_that_stays_open() {
    use std::io::{BufRead as _, Write as _};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ctl"))
        .args(["-q", "filter", "-p", "ERROR"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    stdin.write_all(b"INFO starting\nERROR disk full\n").unwrap();
    stdin.flush().unwrap();
    // The match arrives while the pipe is still open (as with `tail -f`).
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "ERROR disk full\n");
    stdin.write_all(format!("{EVENT}\nERROR again\n").as_bytes()).unwrap();
    drop(stdin);
    let rest: Vec<String> = stdout.lines().map(Result::unwrap).collect();
    assert_eq!(rest, ["ERROR again"]);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn every_path_seen_is_read_skipped_or_unreadable() {
    let dir = tree(true); // good.json and cut.json.gz
    std::fs::write(dir.path().join("README.md"), "notes").unwrap();
    std::fs::write(dir.path().join("1_CloudTrail-Digest_x.json.gz"), "").unwrap();
    std::fs::write(dir.path().join("empty.json"), "").unwrap();
    assert!(std::process::Command::new("mkfifo").arg(dir.path().join("pipe")).status().unwrap().success());
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.json"), EVENT).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.json"), dir.path().join("link.json")).unwrap();
    let good = dir.path().join("good.json");
    let run = |extra: &[&str]| {
        let out = ctl().args(extra).args(["query", "-c", "eventName", "-o", "csv"]).arg(dir.path()).arg(&good).output();
        let out = out.unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = run(&[]);
    assert!(
        err.contains(
            "8 paths seen: 1 read, 6 skipped (1 digests, 1 not named like logs, 1 reached twice, 1 not files, 1 links out of the tree, 1 empty), 1 unreadable"
        ),
        "{err}"
    );
    // The same figures as one JSON record, which adds up: seen = read + skipped + unreadable.
    let err = run(&["--stats-json", "-q"]);
    let line = err.lines().find(|l| l.contains(r#""type":"stats""#)).expect(&err);
    let stats: serde_json::Value = serde_json::from_str(line).unwrap();
    let paths = &stats["paths"];
    let n = |v: &serde_json::Value| v.as_u64().unwrap();
    assert_eq!(n(&paths["seen"]), 8);
    assert_eq!(n(&paths["seen"]), n(&paths["read"]) + n(&paths["skipped"]) + n(&paths["unreadable"]));
    let by_reason: u64 = paths["skipped_by_reason"].as_object().unwrap().values().map(n).sum();
    assert_eq!(by_reason, n(&paths["skipped"]));
    assert_eq!(n(&paths["skipped_by_reason"]["link_outside"]), 1);
    assert_eq!(n(&paths["unreadable_by_kind"]["gzip"]), 1, "{line}");
    assert_eq!(n(&stats["events"]["matched"]), 1);
    // With -v, each skipped path is named with its reason.
    let err = run(&["-v"]);
    for (name, why) in [
        ("README.md", "not named like a log file"),
        ("1_CloudTrail-Digest_x.json.gz", "a digest file"),
        ("pipe", "not a regular file"),
        ("link.json", "a symbolic link out of the tree"),
        ("empty.json", "skipped: empty"),
        ("good.json", "reached twice"),
    ] {
        assert!(err.lines().any(|l| l.contains(name) && l.contains(why)), "{name}: {err}");
    }
}

#[test]
fn query_prints_each_match_of_a_pipe_that_stays_open() {
    use std::io::{BufRead as _, Write as _};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ctl"))
        .args(["-q", "query", "--unordered", "--event", "ConsoleLogin", "-o", "jsonl", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    // A JSON-lines stream: the match is printed while the pipe is still open.
    stdin.write_all(format!("{EVENT}\n").as_bytes()).unwrap();
    stdin.flush().unwrap();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("ConsoleLogin"), "{line}");
    // A gzip stream and a one-line CloudTrail file arrive the same way, and end the run.
    stdin.write_all(b"not json, a damaged line\n").unwrap();
    drop(stdin);
    let rest: Vec<String> = stdout.lines().map(Result::unwrap).collect();
    assert!(rest.is_empty(), "{rest:?}");
    assert_eq!(child.wait().unwrap().code(), Some(2), "the damaged line is reported");
}

#[test]
fn an_endless_stream_without_newlines_is_refused_within_the_limit() {
    // `ctl query - < /dev/zero` must stop at the per-file limit, not grow until killed.
    for args in [&["query", "--event", "x", "-"][..], &["metrics", "--cis", "-"], &["filter", "-c", "-p", "x", "-"]] {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("ctl"))
            .args(["--max-file-size", "4M"])
            .args(args)
            .stdin(std::fs::File::open("/dev/zero").unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("<stdin>") && err.contains("longer than the per-file limit of 4 MiB"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
