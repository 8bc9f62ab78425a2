//! End-to-end tests of `ctl hunt`: the real binary with real Sigma rules
//! (`../shared/data/sigma-rules`) over the real samples (the Invictus IR Stratus Red Team
//! dataset and the SANS SEC504 S3 ransomware tree), skipped visibly when absent.
//!
//! Each rule's hit count is checked against an independent evaluation written here: the same
//! events read with flate2 and serde_json, copies of events delivered twice dropped, and the
//! rule's logic spelled out as Rust over `serde_json::Value` (correlations included, with their
//! windows swept here).

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn ctl() -> Command {
    let mut cmd = Command::cargo_bin("ctl").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// The real rule set, or `None` after a visible "skipped" line.
fn rules_dir(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/sigma-rules");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(std::env::var_os("CI").is_none(), "{test}: {} is absent under CI", dir.display());
    let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("skipped: {test}: no sigma rules\n").as_bytes());
    None
}

// ---------------------------------------------------------------------------------------------
// The independent reader and the helpers the rules are spelled out with.

fn read_events(dir: &Path) -> Vec<Value> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(".json") || path.to_string_lossy().ends_with(".json.gz") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut events = Vec::new();
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let text = if file.extension().is_some_and(|e| e == "gz") {
            let mut s = String::new();
            flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_string(&mut s).unwrap();
            s
        } else {
            String::from_utf8(bytes).unwrap()
        };
        let doc: Value = serde_json::from_str(&text).unwrap();
        events.extend(doc["Records"].as_array().cloned().unwrap_or_default());
    }
    common::distinct(events).into_iter().filter(common::is_event).collect()
}

/// The string at a dotted path (objects only).
fn s<'a>(e: &'a Value, path: &str) -> Option<&'a str> {
    path.split('.').try_fold(e, |v, k| v.get(k))?.as_str()
}

fn has(e: &Value, path: &str) -> bool {
    path.split('.').try_fold(e, |v, k| v.get(k)).is_some()
}

/// Sigma's default comparison: equal ignoring case.
fn is(e: &Value, path: &str, want: &str) -> bool {
    s(e, path).is_some_and(|v| v.to_lowercase() == want.to_lowercase())
}

fn call(e: &Value, source: &str, name: &str) -> bool {
    is(e, "eventSource", source) && is(e, "eventName", name)
}

fn failed(e: &Value) -> bool {
    has(e, "errorCode") || has(e, "errorMessage")
}

fn time_ms(e: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s(e, "eventTime").unwrap()).unwrap().timestamp_millis()
}

/// Runs `ctl hunt -r RULES DATA -o jsonl`; the output lines.
fn hunt(rules: &Path, data: &Path) -> Vec<Value> {
    let out = ctl().args(["hunt", "-q", "-o", "jsonl", "-r"]).arg(rules).arg(data).output().unwrap();
    assert!(out.status.code().unwrap() <= 1, "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Hits per rule title: one per rule of each match line, one per correlation line.
fn hits_by_title(lines: &[Value]) -> HashMap<String, u64> {
    let mut hits = HashMap::new();
    for line in lines {
        match line["type"].as_str() {
            Some("match") => {
                for rule in line["rules"].as_array().unwrap() {
                    *hits.entry(rule["title"].as_str().unwrap().to_string()).or_default() += 1;
                }
            }
            Some("correlation") => *hits.entry(line["rule"]["title"].as_str().unwrap().to_string()).or_default() += 1,
            _ => {}
        }
    }
    hits
}

/// A copy of the chosen rule files (paths under the rule set) in a fresh folder.
fn chosen_rules(root: &Path, files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (i, f) in files.iter().enumerate() {
        std::fs::copy(root.join(f), dir.path().join(format!("{i:02}.yml"))).unwrap();
    }
    dir
}

// ---------------------------------------------------------------------------------------------
// Correlations spelled out: per group, events sorted by time, windows of `span` ms.

/// Sliding windows: fires when `enough(window)` holds for the events within `span` before an
/// event, then starts afresh after it.
/// Events are (group key, time, position in the input, value); ties in time go by position.
fn sliding(
    mut events: Vec<(String, i64, usize, String)>,
    span: i64,
    enough: impl Fn(&[(String, i64, usize, String)]) -> bool,
) -> u64 {
    events.sort();
    let mut fired = 0;
    let mut groups: BTreeMap<&str, Vec<&(String, i64, usize, String)>> = BTreeMap::new();
    for e in &events {
        groups.entry(e.0.as_str()).or_default().push(e);
    }
    for group in groups.values() {
        let mut window: Vec<(String, i64, usize, String)> = Vec::new();
        for e in group {
            window.retain(|w| e.1 - w.1 <= span);
            window.push((*e).clone());
            if enough(&window) {
                fired += 1;
                window.clear();
            }
        }
    }
    fired
}

/// `temporal_ordered` of two rules: an event of the first, then one of the second within `span`.
fn ordered_pairs(mut events: Vec<(String, i64, u8)>, span: i64) -> u64 {
    events.sort();
    let mut fired = 0;
    let mut groups: BTreeMap<&str, Vec<(i64, u8)>> = BTreeMap::new();
    for (g, t, k) in &events {
        groups.entry(g.as_str()).or_default().push((*t, *k));
    }
    for group in groups.values() {
        let mut start = 0;
        for end in 0..group.len() {
            while group[end].0 - group[start].0 > span {
                start += 1;
            }
            let first = group[start..=end].iter().position(|e| e.1 == 0);
            if first.is_some_and(|f| group[start + f..=end].iter().any(|e| e.1 == 1)) {
                fired += 1;
                start = end + 1;
            }
        }
    }
    fired
}

fn key(e: &Value, fields: &[&str]) -> String {
    fields.iter().map(|f| s(e, f).unwrap_or("\u{0}")).collect::<Vec<_>>().join("\u{1}")
}

// ---------------------------------------------------------------------------------------------

type Logic = Box<dyn Fn(&[Value]) -> u64>;

/// Counts events satisfying `f`.
fn each(f: impl Fn(&Value) -> bool + 'static) -> Logic {
    Box::new(move |events| events.iter().filter(|e| f(e)).count() as u64)
}

/// The rules checked: file under the rule set, title, and the logic spelled out.
fn checked_rules() -> Vec<(&'static str, &'static str, Logic)> {
    let suz = "suzaku/suzaku/aws/cloudtrail/";
    let hq = "sigmahq/rules/cloud/aws/cloudtrail/";
    let api = |f: &'static str, title: &'static str, src: &'static str, name: &'static str, attempt: bool| {
        let file: &'static str = Box::leak(format!("{suz}{f}").into_boxed_str());
        (file, title, each(move |e| call(e, src, name) && failed(e) == attempt))
    };
    let hq_file = |f: &str| -> &'static str { Box::leak(format!("{hq}{f}").into_boxed_str()) };
    let suz_file = |f: &str| -> &'static str { Box::leak(format!("{suz}{f}").into_boxed_str()) };
    let mut rules = vec![
        // Generated per-API rules: a map, `exists`, `not (a or b)` / `(a or b)`.
        api("aws_cloudtrail_get_user.yml", "AWS IAM GetUser", "iam.amazonaws.com", "GetUser", false),
        api(
            "aws_cloudtrail_get_password_data_attempt.yml",
            "AWS EC2 GetPasswordData Attempt",
            "ec2.amazonaws.com",
            "GetPasswordData",
            true,
        ),
        api("aws_cloudtrail_put_object_attempt.yml", "AWS S3 PutObject Attempt", "s3.amazonaws.com", "PutObject", true),
        api("aws_cloudtrail_put_object.yml", "AWS S3 PutObject", "s3.amazonaws.com", "PutObject", false),
        api("aws_cloudtrail_get_bucket_acl.yml", "AWS S3 GetBucketAcl", "s3.amazonaws.com", "GetBucketAcl", false),
        api("aws_cloudtrail_assume_role.yml", "AWS STS AssumeRole", "sts.amazonaws.com", "AssumeRole", false),
        api(
            "aws_cloudtrail_get_secret_value.yml",
            "AWS SecretsManager GetSecretValue",
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            false,
        ),
        api(
            "aws_cloudtrail_describe_route_tables_attempt.yml",
            "AWS EC2 DescribeRouteTables Attempt",
            "ec2.amazonaws.com",
            "DescribeRouteTables",
            true,
        ),
        api("aws_cloudtrail_create_role.yml", "AWS IAM CreateRole", "iam.amazonaws.com", "CreateRole", false),
        api("aws_cloudtrail_encrypt.yml", "AWS KMS Encrypt", "kms.amazonaws.com", "Encrypt", false),
        // Nested fields three deep.
        (
            hq_file("aws_sts_assumerole_misuse.yml"),
            "AWS STS AssumeRole Misuse",
            each(|e| {
                is(e, "userIdentity.type", "AssumedRole")
                    && is(e, "userIdentity.sessionContext.sessionIssuer.type", "Role")
            }),
        ),
        // `a and not b` over two identifiers.
        (
            hq_file("aws_root_account_usage.yml"),
            "AWS Root Credentials",
            each(|e| is(e, "userIdentity.type", "Root") && !is(e, "eventType", "AwsServiceEvent")),
        ),
        // `contains` of a text that reads like a field name (it is not a fieldref).
        (
            hq_file("aws_iam_backdoor_users_keys.yml"),
            "AWS IAM Backdoor Users Keys",
            each(|e| {
                call(e, "iam.amazonaws.com", "CreateAccessKey")
                    && !s(e, "userIdentity.arn")
                        .is_some_and(|a| a.to_lowercase().contains("responseelements.accesskey.username"))
            }),
        ),
        // `fieldref` under `not 1 of filter_main_*`.
        (
            hq_file("aws_update_login_profile.yml"),
            "AWS User Login Profile Was Modified",
            each(|e| {
                call(e, "iam.amazonaws.com", "UpdateLoginProfile")
                    && s(e, "userIdentity.arn").map(str::to_lowercase)
                        != s(e, "requestParameters.userName").map(str::to_lowercase)
            }),
        ),
        // `contains: '*'` (any string) under `not 1 of filter*`.
        (
            hq_file("aws_ec2_vm_export_failure.yml"),
            "AWS EC2 VM Export Failure",
            each(|e| {
                call(e, "ec2.amazonaws.com", "CreateInstanceExportTask")
                    && s(e, "errorMessage").is_none()
                    && s(e, "errorCode").is_none()
                    && !s(e, "responseElements").is_some_and(|r| r.to_lowercase().contains("failure"))
            }),
        ),
        // `re` (case-sensitive) and a list of maps as filter.
        (
            hq_file("aws_cloudtrail_imds_malicious_usage.yml"),
            "Malicious Usage Of IMDS Credentials Outside Of AWS Infrastructure",
            each(|e| {
                let arn = s(e, "userIdentity.arn").unwrap_or("");
                let re = arn
                    .find(":assumed-role/aws:")
                    .is_some_and(|at| at > 0 && arn.len() > at + ":assumed-role/aws:".len());
                re && !is(e, "eventSource", "ssm.amazonaws.com")
                    && !is(e, "eventName", "RegisterManagedInstance")
                    && !is(e, "sourceIPAddress", "AWS Internal")
            }),
        ),
        // `contains` with a list (any), on a field most events have.
        (
            suz_file("aws_cloudtrail_api_call_from_hacking_distro.yml"),
            "API Call From Hacking Distro",
            each(|e| {
                let ua = s(e, "userAgent").unwrap_or("").to_lowercase();
                ["kali", "parrot", "pentoo"].iter().any(|d| ua.contains(d))
            }),
        ),
        // A list of names, `contains` list, and `not` exists.
        (
            suz_file("aws_cloudtrail_iam_admin_policy_attached.yml"),
            "IAM Admin Policy Attached",
            each(|e| {
                is(e, "eventSource", "iam.amazonaws.com")
                    && ["AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy"]
                        .iter()
                        .any(|n| is(e, "eventName", n))
                    && s(e, "requestParameters.policyArn").is_some_and(|p| {
                        let p = p.to_lowercase();
                        ["administratoraccess", "poweruseraccess", "iamfullaccess"].iter().any(|x| p.contains(x))
                    })
                    && !has(e, "errorCode")
            }),
        ),
        // Case-insensitive values ('NO' in the rule, 'No' in the events) on nested fields.
        (
            hq_file("aws_cloudtrail_console_login_success_without_mfa.yml"),
            "AWS Successful Console Login Without MFA",
            each(|e| {
                is(e, "eventName", "ConsoleLogin")
                    && is(e, "additionalEventData.MFAUsed", "NO")
                    && is(e, "responseElements.ConsoleLogin", "Success")
            }),
        ),
        (
            hq_file("aws_enum_buckets.yml"),
            "Potential Bucket Enumeration on AWS",
            each(|e| call(e, "s3.amazonaws.com", "ListBuckets") && !is(e, "userIdentity.type", "AssumedRole")),
        ),
        (
            hq_file("aws_cloudtrail_disable_logging.yml"),
            "AWS CloudTrail Important Change",
            each(|e| {
                is(e, "eventSource", "cloudtrail.amazonaws.com")
                    && ["StopLogging", "UpdateTrail", "DeleteTrail"].iter().any(|n| is(e, "eventName", n))
            }),
        ),
        (
            suz_file("aws_cloudtrail_log_settings_modified.yml"),
            "CloudTrail Log Settings Modified",
            each(|e| call(e, "cloudtrail.amazonaws.com", "UpdateTrail") && !is(e, "errorCode", "AccessDenied")),
        ),
    ];
    // Correlations (their base rules have generate: false: only the correlation is reported).
    rules.push((
        suz_file("aws_cloudtrail_many_failed_logins.yml"),
        "Many Failed Logins",
        Box::new(|events: &[Value]| {
            let base = events.iter().enumerate().filter(|(_, e)| {
                call(e, "signin.amazonaws.com", "ConsoleLogin") && is(e, "responseElements.ConsoleLogin", "Failure")
            });
            sliding(
                base.map(|(i, e)| (key(e, &["sourceIPAddress"]), time_ms(e), i, String::new())).collect(),
                300_000,
                |w| w.len() >= 3,
            )
        }),
    ));
    rules.push((
        suz_file("aws_cloudtrail_many_access_denied.yml"),
        "Many AccessDenied Errors from Single Source",
        Box::new(|events: &[Value]| {
            let base = events.iter().enumerate().filter(|(_, e)| {
                is(e, "errorCode", "AccessDenied") || is(e, "errorCode", "Client.UnauthorizedOperation")
            });
            let keyed = base
                .map(|(i, e)| (key(e, &["sourceIPAddress", "userIdentity.accessKeyId"]), time_ms(e), i, String::new()));
            sliding(keyed.collect(), 600_000, |w| w.len() >= 10)
        }),
    ));
    rules.push((
        suz_file("aws_cloudtrail_many_recon_events.yml"),
        "Many Recon Events",
        Box::new(|events: &[Value]| {
            let recon = [
                "ListUsers",
                "ListRoles",
                "ListGroups",
                "ListAttachedRolePolicies",
                "ListAttachedUserPolicies",
                "ListUserPolicies",
                "ListAccessKeys",
                "GetCredentialReport",
                "GetAccountAuthorizationDetails",
                "GetCallerIdentity",
                "GetPolicy",
                "GetPolicyVersion",
                "GetRole",
                "GetRolePolicy",
                "GetUser",
                "GetUserPolicy",
                "DescribeRegions",
                "DescribeAvailabilityZones",
                "DescribeVpcs",
                "DescribeSubnets",
                "DescribeSecurityGroups",
                "DescribeInstances",
                "DescribeVolumes",
                "DescribeImages",
                "DescribeNetworkInterfaces",
                "ListServiceQuotas",
                "ListServices",
                "ListBuckets",
                "GetBucketAcl",
                "GetBucketPolicy",
                "ListTables",
                "DescribeTable",
                "ListRepositories",
                "DescribeRepositories",
                "GetSessionToken",
                "LookupEvents",
                "DescribeTrails",
                "GetTrailStatus",
                "ListTrails",
                "ListFunctions",
                "ListTopics",
                "ListQueues",
                "ListClusters",
                "DescribeCluster",
            ];
            let base = events.iter().enumerate().filter(|(_, e)| {
                is(e, "eventSource", "iam.amazonaws.com") && recon.iter().any(|n| is(e, "eventName", n))
            });
            let keyed = base
                .map(|(i, e)| (key(e, &["userIdentity.arn"]), time_ms(e), i, s(e, "eventName").unwrap().to_string()));
            sliding(keyed.collect(), 60_000, |w| w.iter().map(|x| &x.3).collect::<HashSet<_>>().len() >= 3)
        }),
    ));
    rules.push((
        suz_file("aws_cloudtrail_s3_enum_after_getcalleridentity.yml"),
        "S3 Enum After GetCallerIdentity",
        Box::new(|events: &[Value]| {
            let keyed = events.iter().filter_map(|e| {
                let k = if call(e, "sts.amazonaws.com", "GetCallerIdentity") {
                    0
                } else if call(e, "s3.amazonaws.com", "ListBuckets") {
                    1
                } else {
                    return None;
                };
                Some((key(e, &["sourceIPAddress", "userIdentity.accessKeyId"]), time_ms(e), k))
            });
            ordered_pairs(keyed.collect(), 300_000)
        }),
    ));
    rules.push((
        suz_file("aws_cloudtrail_iam_persistence_chain.yml"),
        "IAM Persis Chain via User and Access Key Creation",
        Box::new(|events: &[Value]| {
            let keyed = events.iter().filter(|e| !has(e, "errorCode")).filter_map(|e| {
                let k = if call(e, "iam.amazonaws.com", "CreateUser") {
                    0
                } else if call(e, "iam.amazonaws.com", "CreateAccessKey") {
                    1
                } else {
                    return None;
                };
                Some((key(e, &["sourceIPAddress", "userIdentity.accessKeyId"]), time_ms(e), k))
            });
            ordered_pairs(keyed.collect(), 600_000)
        }),
    ));
    rules
}

fn check_dataset(test: &str, dataset: &str) {
    let (Some(rules), Some(samples)) = (rules_dir(test), common::samples(test)) else { return };
    let data = samples.join(dataset);
    let checked = checked_rules();
    let files: Vec<&str> = checked.iter().map(|c| c.0).collect();
    let dir = chosen_rules(&rules, &files);
    let got = hits_by_title(&hunt(dir.path(), &data));
    let events = read_events(&data);
    let mut nonzero = 0;
    for (file, title, logic) in &checked {
        let want = logic(&events);
        assert_eq!(got.get(*title).copied().unwrap_or(0), want, "{dataset}: {title} ({file})");
        nonzero += usize::from(want > 0);
    }
    assert!(checked.len() >= 25, "{} rules checked", checked.len());
    assert!(nonzero >= 10, "{dataset}: only {nonzero} rules with hits: the checks would prove little");
}

#[test]
fn rule_hits_on_the_invictus_stratus_dataset_match_an_independent_evaluation() {
    check_dataset("invictus", "invictus-ir-aws-dataset");
}

#[test]
fn rule_hits_on_the_sans_tree_match_an_independent_evaluation() {
    check_dataset("sans", "sans504-s3-ransomware-lab");
}

#[test]
fn every_real_rule_loads_or_is_skipped_with_its_reason() {
    let Some(rules) = rules_dir("list") else { return };
    let out = ctl().args(["hunt", "--list", "-o", "csv", "-r"]).arg(&rules).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8(out.stdout).unwrap();
    let states: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    let loaded = states.iter().filter(|s| **s == "loaded").count();
    let skipped: Vec<&str> = csv.lines().filter(|l| l.starts_with("skipped,")).collect();
    assert_eq!((loaded, skipped.len()), (858, 8), "{csv}");
    let reason = |what: &str| skipped.iter().filter(|l| l.contains(what)).count();
    assert_eq!(reason("obsolete aggregation syntax"), 6);
    assert_eq!(reason("obsolete `near` syntax"), 1);
    assert_eq!(reason("placeholder %Legitimate_Countries% has no value"), 1);
    let talk = String::from_utf8(out.stderr).unwrap();
    assert!(
        talk.contains(
            "859 rule files: 858 rules loaded (846 detection, 7 used by correlations, 5 correlations), 8 skipped"
        ),
        "{talk}"
    );
    // How the 853 detection and correlated rules are dispatched: the counts add up.
    let dispatch = talk.lines().find(|l| l.contains("rules tried on a record only when")).expect("the dispatch line");
    let numbers: Vec<usize> =
        dispatch.split(|c: char| !c.is_ascii_digit()).filter(|n| !n.is_empty()).map(|n| n.parse().unwrap()).collect();
    let (by_field, rest) = numbers.split_at(numbers.len() - 2);
    assert_eq!(by_field.iter().sum::<usize>() + rest[0], 853, "{dispatch}");
    assert!(dispatch.contains("842 by eventName") && dispatch.ends_with("; 0 without a literal to screen records by"));
    // With values for its placeholders, that rule loads too.
    let out = ctl()
        .args(["hunt", "--list", "-o", "csv", "--placeholder", "Legitimate_Countries=US"])
        .args(["--placeholder", "Legitimate_IP_Ranges=198.51.100.*", "-r"])
        .arg(&rules)
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().filter(|l| l.starts_with("loaded,")).count(), 859);
}

// ---------------------------------------------------------------------------------------------
// Hand-made rules and events: reporting, choice of rules, predicates, order, exit status.

const AWS: &str = "logsource:\n  product: aws\n  service: cloudtrail\n";

fn event(time: &str, name: &str, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventID":"{time}-{name}","eventTime":"{time}","eventSource":"iam.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"}},"recipientAccountId":"111122223333"{extra}}}"#
    )
}

/// A folder of rules and a log file of events.
fn lab(rules: &[(&str, &str)], events: &[String]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    for (name, text) in rules {
        std::fs::write(dir.path().join("rules").join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("events.json"), format!("{{\"Records\":[{}]}}", events.join(","))).unwrap();
    dir
}

fn run(dir: &Path, extra: &[&str]) -> (Vec<Value>, String, i32) {
    let out = ctl()
        .args(["hunt", "-o", "jsonl", "-r"])
        .arg(dir.join("rules"))
        .arg(dir.join("events.json"))
        .args(extra)
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (lines, String::from_utf8(out.stderr).unwrap(), out.status.code().unwrap())
}

fn detection(title: &str, level: &str, body: &str) -> String {
    format!("title: {title}\nid: {title}-id\nlevel: {level}\ntags:\n  - attack.persistence\n{AWS}detection:\n{body}")
}

#[test]
fn a_bad_rule_is_named_with_its_reason_and_the_others_run_in_time_order() {
    let good = detection("Users", "high", "  sel:\n    eventName|startswith: Create\n  condition: sel\n");
    let keyword = detection("Keyword", "low", "  words:\n    - 'user/alice'\n  condition: words\n");
    let bad = detection("Bad", "high", "  sel:\n    eventName|sha512: x\n  condition: sel\n");
    let events = [
        event("2024-01-01T00:00:09Z", "CreateUser", ""),
        event("2024-01-01T00:00:01Z", "CreateRole", ""),
        event("2024-01-01T00:00:05Z", "ListUsers", ""),
    ];
    let dir = lab(&[("good.yml", &good), ("keyword.yml", &keyword), ("bad.yml", &bad)], &events);
    let (lines, talk, code) = run(dir.path(), &[]);
    assert_eq!(code, 0);
    let skipped: Vec<&str> = talk.lines().filter(|l| l.contains("rule skipped")).collect();
    assert_eq!(skipped.len(), 1, "{talk}");
    assert!(skipped[0].contains("bad.yml (Bad): unknown modifier \"sha512\""), "{talk}");
    let matches: Vec<&Value> = lines.iter().filter(|l| l["type"] == "match").collect();
    let times: Vec<&str> = matches.iter().map(|m| m["time"].as_str().unwrap()).collect();
    assert_eq!(times, ["2024-01-01T00:00:01Z", "2024-01-01T00:00:05Z", "2024-01-01T00:00:09Z"]);
    let titles = |m: &Value| {
        m["rules"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(titles(matches[0]), ["Users", "Keyword"]);
    assert_eq!(titles(matches[1]), ["Keyword"]);
    assert_eq!(matches[0]["event"]["eventName"], "CreateRole");
    assert_eq!(matches[0]["rules"][0]["tags"][0], "attack.persistence");
    let by_level: Vec<(String, u64)> = lines
        .iter()
        .filter(|l| l["type"] == "summary" && l.get("rule").is_none())
        .map(|l| (l["level"].as_str().unwrap().to_string(), l["hits"].as_u64().unwrap()))
        .collect();
    assert_eq!(by_level, [("high".to_string(), 2), ("low".to_string(), 3)]);

    // Choosing rules, and query's predicates, narrow the run; nothing found exits 1.
    let (lines, _, code) = run(dir.path(), &["--min-level", "high", "--event", "CreateUser"]);
    assert_eq!(code, 0);
    assert_eq!(lines.iter().filter(|l| l["type"] == "match").count(), 1);
    let (lines, _, code) = run(dir.path(), &["--event", "DeleteUser"]);
    assert_eq!((lines.iter().filter(|l| l["type"] == "match").count(), code), (0, 1));
    // Leaving out every rule is a usage error.
    let (_, talk, code) = run(dir.path(), &["--exclude-tags", "attack.persist*"]);
    assert_eq!(code, 2);
    assert!(talk.contains("no rule to run"), "{talk}");
}

#[test]
fn global_filters_and_correlations_from_files() {
    let rule = detection("Denied", "low", "  sel:\n    errorCode: AccessDenied\n  condition: sel\n");
    let filter = format!("title: Not the scanner\n{AWS}filter:\n  rules:\n    - Denied-id\n  selection:\n    userAgent|contains: scanner\n  condition: selection\n");
    let corr = format!(
        "title: Bursts\nid: bursts\nlevel: high\n{AWS}correlation:\n  type: event_count\n  rules:\n    - Denied-id\n  group-by:\n    - sourceIPAddress\n  timespan: 1m\n  condition:\n    gte: 2\n  generate: true\n"
    );
    let denied = r#","errorCode":"AccessDenied""#;
    let scanner = r#","errorCode":"AccessDenied","userAgent":"the-scanner/1""#;
    let events = [
        event("2024-01-01T00:00:00Z", "GetUser", denied),
        event("2024-01-01T00:00:30Z", "GetUser", scanner),
        event("2024-01-01T00:00:50Z", "GetUser", denied),
        event("2024-01-01T00:05:00Z", "GetUser", denied),
    ];
    let dir = lab(&[("rule.yml", &rule), ("filter.yml", &filter), ("corr.yml", &corr)], &events);
    let (lines, talk, code) = run(dir.path(), &[]);
    assert_eq!(code, 0, "{talk}");
    assert_eq!(lines.iter().filter(|l| l["type"] == "match").count(), 3, "the filtered event is left out");
    let fired: Vec<&Value> = lines.iter().filter(|l| l["type"] == "correlation").collect();
    assert_eq!(fired.len(), 1, "{lines:?}");
    assert_eq!(fired[0]["group"]["sourceIPAddress"], "203.0.113.9");
    assert_eq!(
        (fired[0]["first"].as_str(), fired[0]["time"].as_str()),
        (Some("2024-01-01T00:00:00Z"), Some("2024-01-01T00:00:50Z"))
    );
    assert_eq!(fired[0]["value"], 2);
}

#[test]
fn correlations_over_many_groups_are_exact_in_a_small_memory() {
    // 60 000 events from 20 000 source addresses over two hours, in 12 files: the correlations'
    // observations (and the groups' texts) outgrow the run size of --max-memory 16M with one
    // thread, so they are sorted into runs on disk and merged back.
    let base = detection("Iam", "low", "  sel:\n    eventSource: iam.amazonaws.com\n  condition: sel\n");
    let correlation = |title: &str, kind: &str, condition: &str| {
        format!("title: {title}\nid: {title}\nlevel: high\n{AWS}correlation:\n  type: {kind}\n  rules:\n    - Iam-id\n  group-by:\n    - sourceIPAddress\n  timespan: 5m\n  condition:\n{condition}")
    };
    let count = correlation("Bursts", "event_count", "    gte: 3\n");
    let names = correlation("Varied", "value_count", "    gte: 2\n    field: eventName\n");
    let dir = lab(&[("base.yml", &base), ("count.yml", &count), ("names.yml", &names)], &[]);
    std::fs::remove_file(dir.path().join("events.json")).unwrap();
    let data = dir.path().join("logs");
    std::fs::create_dir(&data).unwrap();
    let mut seed: u64 = 42;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut all = Vec::new();
    for file in 0..12 {
        let mut records = Vec::new();
        for _ in 0..5000 {
            let ip = next(20_000);
            let time = 1_704_067_200_000 + next(7_200_000) as i64;
            let name = ["GetUser", "ListUsers", "CreateUser"][next(3) as usize];
            let text = chrono::DateTime::from_timestamp_millis(time).unwrap().format("%Y-%m-%dT%H:%M:%S%.3fZ");
            records.push(format!(
                r#"{{"eventVersion":"1.08","eventID":"e{file}-{}","eventTime":"{text}","eventSource":"iam.amazonaws.com","eventName":"{name}","sourceIPAddress":"10.{}.{}.{}","recipientAccountId":"111122223333"}}"#,
                records.len(),
                ip >> 16,
                (ip >> 8) & 255,
                ip & 255
            ));
        }
        let doc = format!("{{\"Records\":[{}]}}", records.join(","));
        std::fs::write(data.join(format!("part-{file:02}.json")), &doc).unwrap();
        let parsed: Value = serde_json::from_str(&doc).unwrap();
        all.extend(parsed["Records"].as_array().unwrap().iter().cloned());
    }
    let keyed = |value: &dyn Fn(&Value) -> String| -> Vec<(String, i64, usize, String)> {
        all.iter().enumerate().map(|(i, e)| (key(e, &["sourceIPAddress"]), time_ms(e), i, value(e))).collect()
    };
    let bursts = sliding(keyed(&|_| String::new()), 300_000, |w| w.len() >= 3);
    let varied = sliding(keyed(&|e| s(e, "eventName").unwrap().to_string()), 300_000, |w| {
        w.iter().map(|x| &x.3).collect::<HashSet<_>>().len() >= 2
    });
    assert!(bursts > 100 && varied > 1000, "the data makes many groups fire: {bursts} {varied}");

    let out = ctl()
        .args(["hunt", "-o", "jsonl", "-j", "1", "--max-memory", "16M", "-r"])
        .arg(dir.path().join("rules"))
        .arg(&data)
        .output()
        .unwrap();
    let talk = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{talk}");
    assert!(talk.contains("correlations' observations were sorted in"), "{talk}");
    let lines: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let fired =
        |title: &str| lines.iter().filter(|l| l["type"] == "correlation" && l["rule"]["title"] == title).count() as u64;
    assert_eq!((fired("Bursts"), fired("Varied")), (bursts, varied));
    // Every hit names its group, read back from the runs.
    assert!(lines
        .iter()
        .filter(|l| l["type"] == "correlation")
        .all(|l| l["group"]["sourceIPAddress"].as_str().is_some_and(|ip| ip.starts_with("10."))));
}
