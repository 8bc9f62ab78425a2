//! Events delivered more than once count once (issue: exact queries), in every subcommand that
//! counts or prints events; `--keep-duplicates` shows every copy; overlapping paths are read once.

mod common;

use std::path::Path;

use assert_cmd::Command;

const LOGIN: &str = r#"{"eventVersion":"1.08","eventTime":"2026-01-05T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","eventID":"1111","recipientAccountId":"111122223333","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root"},"responseElements":{"ConsoleLogin":"Success"}}"#;

fn ctl() -> Command {
    Command::cargo_bin("ctl").unwrap()
}

/// `ctl -q ARGS` on `paths`: (stdout, exit status).
fn run(args: &[&str], paths: &[&Path]) -> (String, i32) {
    let out = ctl().arg("-q").args(args).args(paths).output().unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code().unwrap())
}

/// An organization trail and an account trail of one account: the same login in both, plus an
/// event that reuses the fake ID "1111" for something else (a test corpus habit).
fn overlapping_trails() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let other = LOGIN.replace("\"Root\"", "\"IAMUser\"");
    for (folder, records) in [("org", format!("{LOGIN},{other}")), ("account", LOGIN.to_string())] {
        std::fs::create_dir(dir.path().join(folder)).unwrap();
        std::fs::write(dir.path().join(folder).join("events.json"), format!("{{\"Records\":[{records}]}}")).unwrap();
    }
    // The account trail's copy pretty-printed: the same event whatever the whitespace.
    let pretty = LOGIN.replace(",\"", ",\n  \"");
    std::fs::write(dir.path().join("account/pretty.json"), format!("{{\"Records\":[{pretty}]}}")).unwrap();
    dir
}

#[test]
fn query_counts_each_event_once_and_keep_duplicates_shows_every_copy() {
    let dir = overlapping_trails();
    let (out, code) = run(&["query", "-c", "userIdentity.type", "-o", "csv"], &[dir.path()]);
    assert_eq!(code, 0);
    assert_eq!(out, "userIdentity.type,count\nIAMUser,1\nRoot,1\n", "the same ID with other content is another event");
    let (out, _) = run(&["query", "--keep-duplicates", "-c", "userIdentity.type", "-o", "csv"], &[dir.path()]);
    assert_eq!(out, "userIdentity.type,count\nRoot,3\nIAMUser,1\n");
    let (out, _) = run(&["query", "--identity-type", "Root", "-o", "jsonl"], &[dir.path()]);
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn filter_and_metrics_count_each_event_once() {
    let dir = overlapping_trails();
    let pattern = r#"{ $.eventName = "ConsoleLogin" }"#;
    let (out, _) = run(&["filter", "-c", "-p", pattern], &[dir.path()]);
    assert_eq!(out.trim(), "2");
    let (out, _) = run(&["filter", "-c", "--keep-duplicates", "-p", pattern], &[dir.path()]);
    assert_eq!(out.trim(), "4");
    // One root login delivered three times must not raise an alarm at 2 logins.
    let root = r#"{ $.userIdentity.type = "Root" }"#;
    let alarm = ["metrics", "--pattern", root, "--threshold", "2", "--period", "1h", "-o", "jsonl"];
    assert_eq!(run(&alarm, &[dir.path()]).1, 0);
    let mut every = alarm.to_vec();
    every.push("--keep-duplicates");
    assert_eq!(run(&every, &[dir.path()]).1, 1);
}

#[test]
fn overlapping_paths_are_read_once() {
    let dir = overlapping_trails();
    let file = dir.path().join("org/events.json");
    let args = ["query", "--keep-duplicates", "-c", "eventName", "-o", "csv"];
    let (once, _) = run(&args, &[dir.path()]);
    for paths in [vec![dir.path(), dir.path()], vec![dir.path(), file.as_path()], vec![file.as_path(), dir.path()]] {
        assert_eq!(run(&args, &paths).0, once, "{paths:?}");
    }
    let (twice, _) = run(&args, &[file.as_path(), file.as_path()]);
    assert_eq!(twice, "eventName,count\nConsoleLogin,2\n");
}

#[test]
fn the_sans_tree_holds_23981_distinct_events_in_30477_records() {
    let Some(samples) = common::samples("the SANS lab tree's distinct events") else { return };
    let sans = samples.join("sans504-s3-ransomware-lab");
    let (out, _) = run(&["query", "-c", "eventVersion", "-o", "csv"], &[sans.as_path()]);
    assert_eq!(out, "eventVersion,count\n1.08,23981\n");
    let (out, _) = run(&["query", "--keep-duplicates", "-c", "eventVersion", "-o", "csv"], &[sans.as_path()]);
    assert_eq!(out, "eventVersion,count\n1.08,30477\n");
    let (out, _) = run(&["query", "--identity-type", "Root", "-o", "jsonl"], &[sans.as_path()]);
    assert_eq!(out.lines().count(), 656, "725 records of root use, 656 distinct events");
}

#[test]
fn symbolic_links_lead_only_where_the_user_pointed_and_each_file_is_read_once() {
    let dir = overlapping_trails();
    let links = tempfile::tempdir().unwrap();
    let (file_link, folder_link) = (links.path().join("file-link.json"), links.path().join("account-link"));
    std::os::unix::fs::symlink(dir.path().join("org/events.json"), &file_link).unwrap();
    std::os::unix::fs::symlink(dir.path().join("account"), &folder_link).unwrap();
    let args = ["query", "--keep-duplicates", "-c", "eventName", "-o", "csv"];
    // Met inside a folder, links out of it are not followed: they are counted as skipped.
    let said = |paths: &[&Path]| {
        let out = ctl().args(args).args(paths).output().unwrap();
        (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (out, err) = said(&[links.path()]);
    assert_eq!(out, "eventName,count\n", "{err}");
    assert!(err.contains("2 links out of the tree"), "{err}");
    // Named on the command line, they are followed: org/events.json (2 events) and account/
    // (2 files, 1 event each).
    let (out, _) = run(&args, &[file_link.as_path(), folder_link.as_path()]);
    assert_eq!(out, "eventName,count\nConsoleLogin,4\n");
    // The same files directly and through the links: read once.
    let (both, _) = run(&args, &[dir.path(), file_link.as_path(), folder_link.as_path()]);
    assert_eq!(both, run(&args, &[dir.path()]).0);
    // A link inside the tree to a file of the tree is followed, and the file read once.
    std::os::unix::fs::symlink(dir.path().join("org/events.json"), dir.path().join("again.json")).unwrap();
    let (again, err) = said(&[dir.path()]);
    assert_eq!(again, both);
    assert!(err.contains("1 reached twice"), "{err}");
}

#[test]
fn a_symbolic_link_loop_is_reported_and_the_rest_read() {
    let dir = overlapping_trails();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("org/back-to-top")).unwrap();
    let out = ctl().args(["-q", "query", "-c", "eventName", "-o", "csv"]).arg(dir.path()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("loops back to"), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "eventName,count\nConsoleLogin,2\n");
}

#[test]
fn the_copy_printed_does_not_depend_on_the_threads() {
    let dir = overlapping_trails();
    for args in [&["filter", "-p", r#"{ $.eventName = "ConsoleLogin" }"#][..], &["query", "-o", "jsonl"]] {
        let outputs: Vec<String> = ["1", "2", "8"]
            .iter()
            .map(|j| {
                let out = ctl().args(["-q", "-j", j]).args(args).arg(dir.path()).output().unwrap();
                String::from_utf8(out.stdout).unwrap()
            })
            .collect();
        assert!(outputs.windows(2).all(|w| w[0] == w[1]), "{args:?}: {outputs:#?}");
        assert_eq!(outputs[0].lines().count(), 2, "{args:?}");
    }
}
