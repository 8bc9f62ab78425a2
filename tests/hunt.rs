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
