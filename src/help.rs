//! The closing part of every subcommand's `--help` and man page: examples drawn from the
//! investigators' tasks (what people ask of CloudTrail, and how they answer it today with jq,
//! Athena or the AWS CLI), then the exit-status table.
//!
//! Every example is one `ctl` command line; `tests/help_examples.rs` runs each of them on the
//! committed fixtures (with `./dump` and the option files replaced by fixture paths), so an
//! example that stops working fails the build.

use crate::cli::EXIT_STATUS;

/// One example: what it answers, and the command line.
struct Example {
    task: &'static str,
    command: &'static str,
}

const fn ex(task: &'static str, command: &'static str) -> Example {
    Example { task, command }
}

const VALIDATE: &[Example] = &[
    ex("Prove a copy of the bucket intact, offline (the AWS CLI's validate-logs, on the copy)", "ctl validate ./dump"),
    ex(
        "Only the incident window, times written as the AWS CLI takes them",
        "ctl validate ./dump --start-time 20260101T00:00:00Z --end-time 20260102T00:00:00Z",
    ),
    ex(
        "Prove the newest digests too, with the S3 metadata and public keys saved before leaving AWS",
        "ctl validate ./dump --digest-metadata digest-metadata.json --public-keys public-keys.json",
    ),
    ex(
        "One member account of an organization trail, every file listed",
        "ctl validate ./dump --account 111122223333 -v",
    ),
    ex(
        "Verdicts for a script, one JSON object per file",
        "ctl validate ./dump --public-keys public-keys.json -o jsonl",
    ),
];

const QUERY: &[Example] = &[
    ex(
        "Who deleted this bucket, and from where",
        "ctl query ./dump --event DeleteBucket -f eventTime,userIdentity.arn,sourceIPAddress,requestParameters.bucketName",
    ),
    ex(
        "Everything one access key did in a window",
        "ctl query ./dump --access-key AKIAIOSFODNN7EXAMPLE --since 2026-01-01T00:00:00Z --until 2026-01-02T00:00:00Z",
    ),
    ex(
        "Console sign-ins without MFA",
        r#"ctl query ./dump --event ConsoleLogin --where '{ $.additionalEventData.MFAUsed != "Yes" }'"#,
    ),
    ex("Failed console sign-ins by user and address", "ctl query ./dump --event ConsoleLogin --error -c userIdentity.userName,sourceIPAddress"),
    ex("Any use of the root user", "ctl query ./dump --identity-type Root"),
    ex("Who gets AccessDenied most", "ctl query ./dump --error AccessDenied -c userIdentity.arn --top 25"),
    ex("Everything from one network (IPv4 or IPv6, address or CIDR)", "ctl query ./dump --ip 203.0.113.0/24"),
    ex(
        "Was logging switched off or blinded?",
        "ctl query ./dump --source cloudtrail --event StopLogging --event DeleteTrail --event UpdateTrail --event 'Put*Selectors'",
    ),
    ex(
        "IAM persistence: new users, keys, login profiles, policies",
        "ctl query ./dump --source iam --event 'Create*' --event 'Attach*' --event 'Put*Policy' --event AddUserToGroup",
    ),
    ex("A burst of calls: per identity, in 5-minute buckets", "ctl query ./dump --write-only -c userIdentity.arn --bucket 5m"),
    ex("Timeline of one role session, across regions and files", "ctl query ./dump --arn 'arn:aws:sts::*:assumed-role/*/alice'"),
    ex("First look: the top APIs, with first and last use", "ctl query ./dump -c eventSource,eventName --top 10 --stats"),
    ex("Events for a SIEM or a script, each citing its file", "ctl query ./dump --since 2026-01-01 -o jsonl --with-source"),
];

const FILTER: &[Example] = &[
    ex(
        "Test the CIS \"console sign-in without MFA\" pattern on archived events",
        r#"ctl filter -p '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }' ./dump"#,
    ),
    ex(
        "Count failed console authentications (the CloudTrail guide's alarm)",
        r#"ctl filter -c -p '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }' ./dump"#,
    ),
    ex("Any text log, line by line, as it arrives on standard input", "ctl filter -p '?ERROR ?FATAL' - < app.log"),
];

const METRICS: &[Example] = &[
    ex("Back-test the CIS benchmark's alarms over history, per day", "ctl metrics ./dump --cis --period 1d"),
    ex(
        "Your filters, as `aws logs describe-metric-filters` prints them; when would an alarm fire?",
        "ctl metrics ./dump --filters metric-filters.json --period 1h --threshold 1",
    ),
    ex(
        "A metric with a dimension: denied calls per identity per hour",
        r#"ctl metrics ./dump -p '{ $.errorCode = "AccessDenied" }' --name Denied --dimension 'Who=$.userIdentity.arn' --period 1h"#,
    ),
];

const HUNT: &[Example] = &[
    ex(
        "A first timeline of suspicious activity: Sigma rules for CloudTrail over a dump",
        "ctl hunt ./dump --rules rules/",
    ),
    ex(
        "Only high and critical rules, in the incident window",
        "ctl hunt ./dump --rules rules/ --min-level high --since 2026-01-01T00:00:00Z --until 2026-01-02T00:00:00Z",
    ),
    ex("Which rules loaded, and why the others did not", "ctl hunt --rules rules/ --list"),
    ex("Each hit with the whole event and the rule's tags, for a SIEM", "ctl hunt ./dump --rules rules/ -o jsonl"),
];

const EXPORT: &[Example] = &[
    ex("A dump as Parquet for Athena, Trino, Spark or DuckDB", "ctl export ./dump --out parquet/"),
    ex(
        "Only one account's write calls, partitioned by day",
        "ctl export ./dump --out writes/ --account 111122223333 --write-only --partition-by day",
    ),
    ex("The CREATE TABLE for DuckDB over an export", "ctl export --out parquet/ --ddl duckdb"),
];

const SUMMARY: &[Example] = &[
    ex("What is in this dump? Accounts, trails, time span, who did what, sign-ins, errors", "ctl summary ./dump"),
    ex("One section per principal", "ctl summary ./dump --by identity"),
    ex("Root use and failures only, over the last week", "ctl summary ./dump --identity-type Root --error --since 7d"),
    ex("Everything as one JSON document (schema in docs/summary.md)", "ctl summary ./dump -o json"),
];

const TRACE: &[Example] = &[
    ex("Who is really behind this temporary key?", "ctl trace ASIAY34FZKBOKMUTVV7A ./dump"),
    ex(
        "The chains behind a role session, by its ARN",
        "ctl trace 'arn:aws:sts::111122223333:assumed-role/Admin/alice' ./dump",
    ),
    ex("The same, for a script", "ctl trace ASIAY34FZKBOKMUTVV7A ./dump -o json"),
];

/// The widest line of an example: clap wraps help text at 100 columns, and a command it wraps
/// can no longer be pasted.
const WIDTH: usize = 96;

/// The text after the options of `subcommand`'s help: its examples, then the exit statuses.
pub fn after(subcommand: &str) -> String {
    let examples = match subcommand {
        "validate" => VALIDATE,
        "query" => QUERY,
        "filter" => FILTER,
        "metrics" => METRICS,
        "hunt" => HUNT,
        "export" => EXPORT,
        "summary" => SUMMARY,
        "trace" => TRACE,
        _ => &[],
    };
    let mut text = String::new();
    if !examples.is_empty() {
        text.push_str("Examples:\n");
        for example in examples {
            let colon = if example.task.ends_with('?') { "" } else { ":" };
            text.push_str(&format!("  {}{colon}\n", example.task));
            text.push_str(&shell_lines(example.command, "    $ ", "        "));
        }
        text.push('\n');
    }
    text.push_str(EXIT_STATUS);
    text
}

/// `command` as lines of at most [`WIDTH`] columns, broken between words (never inside quotes)
/// with a trailing ` \`, so that it can still be pasted into a shell.
fn shell_lines(command: &str, first: &str, rest: &str) -> String {
    let mut words = Vec::new();
    let (mut start, mut quote) = (0, None);
    for (i, c) in command.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ' ') => {
                words.push(&command[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    words.push(&command[start..]);
    // A flag and its value stay on one line.
    let mut units: Vec<String> = Vec::new();
    for word in words.into_iter().filter(|w| !w.is_empty()) {
        match units.last_mut() {
            Some(flag) if flag.starts_with('-') && !flag.contains(' ') && !word.starts_with('-') => {
                flag.push(' ');
                flag.push_str(word);
            }
            _ => units.push(word.to_string()),
        }
    }
    let mut out = String::new();
    let mut line = first.to_string();
    for word in &units {
        let fresh = line == first || line == rest;
        if !fresh && line.len() + 1 + word.len() + 2 > WIDTH {
            out.push_str(&line);
            out.push_str(" \\\n");
            line = rest.to_string();
        }
        if line != first && line != rest {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_commands_break_between_words_outside_quotes() {
        let long = format!("ctl query ./dump --where '{{ $.a = \"{}\" }}' --event X", "x ".repeat(50));
        let lines = shell_lines(&long, "    $ ", "        ");
        assert!(lines.lines().all(|l| l.len() <= WIDTH || l.contains('\'')), "{lines}");
        let joined = lines.replace(" \\\n        ", " ").replace("    $ ", "");
        assert_eq!(joined.trim_end(), long);
        assert_eq!(shell_lines("ctl validate ./dump", "$ ", "  "), "$ ctl validate ./dump\n");
    }

    #[test]
    fn every_subcommand_has_examples_that_fit() {
        for sub in ["validate", "query", "filter", "metrics", "hunt", "export", "summary", "trace"] {
            let text = after(sub);
            assert!(text.starts_with("Examples:"), "{sub}");
            assert!(text.lines().all(|l| l.len() <= WIDTH), "{sub}: {text}");
        }
    }
}
