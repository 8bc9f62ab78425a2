//! Every example of every subcommand's `--help` (and so of its man page) runs: each command line
//! is taken from the help text as printed, `./dump` is the committed signed dump, and the option
//! files it names are fixtures. An example must end in success or a finding (0, 1, or validate's
//! 3), never a usage or read error.

mod common;

use std::path::Path;

/// The command lines of the help's "Examples:" section, continuation lines joined.
fn examples(help: &str) -> Vec<String> {
    let section = help.split("Examples:\n").nth(1).expect("an Examples section");
    let section = section.split("\n\n").next().unwrap();
    let mut commands = Vec::new();
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        let Some(command) = line.trim_start().strip_prefix("$ ") else { continue };
        let mut command = command.to_string();
        while let Some(start) = command.strip_suffix(" \\") {
            command = format!("{start} {}", lines.next().unwrap().trim_start());
        }
        commands.push(command);
    }
    commands
}

/// A working folder holding what the examples name: `dump`, the option files, a text log.
fn workdir() -> tempfile::TempDir {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dump");
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(fixtures.join("ctl-synthetic-trail"), dir.path().join("dump")).unwrap();
    for file in ["digest-metadata.json", "public-keys.json"] {
        std::fs::copy(fixtures.join(file), dir.path().join(file)).unwrap();
    }
    std::fs::write(
        dir.path().join("metric-filters.json"),
        r#"{"metricFilters": [{"filterName": "denied", "logGroupName": "ct",
            "filterPattern": "{ $.errorCode = \"AccessDenied\" }",
            "metricTransformations": [{"metricName": "Denied", "metricNamespace": "Security", "metricValue": "1"}]}]}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("app.log"), "INFO started\nERROR disk full\nINFO done\n").unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::write(
        dir.path().join("rules/assume-role.yml"),
        "title: Role assumed\nid: 7c3b8f0e-0000-4000-8000-000000000001\nstatus: test\nlevel: high\n\
         logsource:\n  product: aws\n  service: cloudtrail\n\
         detection:\n  selection:\n    eventSource: sts.amazonaws.com\n    eventName: AssumeRole\n  condition: selection\n",
    )
    .unwrap();
    dir
}

#[test]
fn every_help_example_runs_on_the_fixtures() {
    let dir = workdir();
    // The dump's one account stands for the documentation account of the examples.
    let account = std::fs::read_dir(dir.path().join("dump/AWSLogs")).unwrap().next().unwrap().unwrap().file_name();
    let account = account.to_string_lossy().into_owned();
    let mut ran = 0;
    for sub in ["validate", "query", "filter", "metrics", "hunt", "export", "summary", "trace"] {
        let (code, help, _) = common::shell(&format!("ctl {sub} --help"), dir.path());
        assert_eq!(code, 0);
        let commands = examples(&help);
        assert!(commands.len() >= 3, "{sub}: {help}");
        for command in commands {
            let line = command.replace("111122223333", &account);
            let (code, _, err) = common::shell(&line, dir.path());
            let fine = if sub == "validate" { [0, 3].contains(&code) } else { [0, 1].contains(&code) };
            assert!(fine, "`{command}` exited {code}: {err}");
            ran += 1;
        }
    }
    assert!(ran >= 20, "{ran} examples");
}
