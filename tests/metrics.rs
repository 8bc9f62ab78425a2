//! End-to-end tests of `ctl metrics` and `ctl filter`: CIS counts against an independent count
//! made here with plain serde_json, describe-metric-filters replay, text and CloudTrail inputs,
//! errors and exit codes.

mod common;

use std::io::Read as _;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn ctl() -> Command {
    Command::cargo_bin("ctl").unwrap()
}

/// Every CloudTrail record under `root`, read with flate2 and serde_json only.
fn records(root: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let path = entry.path();
        let name = path.to_string_lossy();
        if !(name.ends_with(".json.gz") || name.ends_with(".json")) || name.contains("CloudTrail-Digest") {
            continue;
        }
        let mut text = String::new();
        if name.ends_with(".gz") {
            flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap()).read_to_string(&mut text).unwrap();
        } else {
            text = std::fs::read_to_string(path).unwrap();
        }
        let doc: Value = serde_json::from_str(&text).unwrap();
        out.extend(doc["Records"].as_array().unwrap().iter().cloned());
    }
    common::distinct(out)
}

/// The value at a dotted path, `None` when absent (a JSON null is present).
fn at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |v, key| v.as_object()?.get(key))
}

fn str_at<'v>(v: &'v Value, path: &str) -> Option<&'v str> {
    at(v, path).and_then(Value::as_str)
}

fn is(v: &Value, path: &str, want: &str) -> bool {
    str_at(v, path) == Some(want)
}

/// `!=` as CloudWatch evaluates it: the field must be a present string that differs.
fn is_not(v: &Value, path: &str, want: &str) -> bool {
    str_at(v, path).is_some_and(|s| s != want)
}

fn name_in(v: &Value, names: &[&str]) -> bool {
    str_at(v, "eventName").is_some_and(|n| names.contains(&n))
}

/// The CIS v5.0.0 4.1-4.15 conditions, written out by hand from the benchmark text.
fn cis_independent(v: &Value) -> [bool; 15] {
    let error = str_at(v, "errorCode");
    [
        error.is_some_and(|e| e.ends_with("UnauthorizedOperation"))
            || (error.is_some_and(|e| e.starts_with("AccessDenied"))
                && is_not(v, "sourceIPAddress", "delivery.logs.amazonaws.com")
                && is_not(v, "eventName", "HeadBucket")),
        is(v, "eventName", "ConsoleLogin") && is_not(v, "additionalEventData.MFAUsed", "Yes"),
        is(v, "userIdentity.type", "Root")
            && at(v, "userIdentity.invokedBy").is_none()
            && is_not(v, "eventType", "AwsServiceEvent"),
        name_in(
            v,
            &[
                "DeleteGroupPolicy",
                "DeleteRolePolicy",
                "DeleteUserPolicy",
                "PutGroupPolicy",
                "PutRolePolicy",
                "PutUserPolicy",
                "CreatePolicy",
                "DeletePolicy",
                "CreatePolicyVersion",
                "DeletePolicyVersion",
                "AttachRolePolicy",
                "DetachRolePolicy",
                "AttachUserPolicy",
                "DetachUserPolicy",
                "AttachGroupPolicy",
                "DetachGroupPolicy",
            ],
        ),
        name_in(v, &["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"]),
        is(v, "eventName", "ConsoleLogin") && is(v, "errorMessage", "Failed authentication"),
        is(v, "eventSource", "kms.amazonaws.com") && name_in(v, &["DisableKey", "ScheduleKeyDeletion"]),
        is(v, "eventSource", "s3.amazonaws.com")
            && name_in(
                v,
                &[
                    "PutBucketAcl",
                    "PutBucketPolicy",
                    "PutBucketCors",
                    "PutBucketLifecycle",
                    "PutBucketReplication",
                    "DeleteBucketPolicy",
                    "DeleteBucketCors",
                    "DeleteBucketLifecycle",
                    "DeleteBucketReplication",
                ],
            ),
        is(v, "eventSource", "config.amazonaws.com")
            && name_in(
                v,
                &[
                    "StopConfigurationRecorder",
                    "DeleteDeliveryChannel",
                    "PutDeliveryChannel",
                    "PutConfigurationRecorder",
                ],
            ),
        name_in(
            v,
            &[
                "AuthorizeSecurityGroupIngress",
                "AuthorizeSecurityGroupEgress",
                "RevokeSecurityGroupIngress",
                "RevokeSecurityGroupEgress",
                "CreateSecurityGroup",
                "DeleteSecurityGroup",
                "ModifySecurityGroupRules",
            ],
        ),
        name_in(
            v,
            &[
                "CreateNetworkAcl",
                "CreateNetworkAclEntry",
                "DeleteNetworkAcl",
                "DeleteNetworkAclEntry",
                "ReplaceNetworkAclEntry",
                "ReplaceNetworkAclAssociation",
            ],
        ),
        name_in(
            v,
            &[
                "CreateCustomerGateway",
                "DeleteCustomerGateway",
                "AttachInternetGateway",
                "CreateInternetGateway",
                "DeleteInternetGateway",
                "DetachInternetGateway",
            ],
        ),
        name_in(
            v,
            &[
                "CreateRoute",
                "CreateRouteTable",
                "ReplaceRoute",
                "ReplaceRouteTableAssociation",
                "DeleteRouteTable",
                "DeleteRoute",
                "DisassociateRouteTable",
            ],
        ),
        name_in(
            v,
            &[
                "CreateVpc",
                "DeleteVpc",
                "ModifyVpcAttribute",
                "AcceptVpcPeeringConnection",
                "CreateVpcPeeringConnection",
                "DeleteVpcPeeringConnection",
                "RejectVpcPeeringConnection",
                "AttachClassicLinkVpc",
                "DetachClassicLinkVpc",
                "DisableVpcClassicLink",
                "EnableVpcClassicLink",
            ],
        ),
        is(v, "eventSource", "organizations.amazonaws.com")
            && name_in(
                v,
                &[
                    "AcceptHandshake",
                    "AttachPolicy",
                    "CreateAccount",
                    "CreateOrganizationalUnit",
                    "CreatePolicy",
                    "DeclineHandshake",
                    "DeleteOrganization",
                    "DeleteOrganizationalUnit",
                    "DeletePolicy",
                    "DetachPolicy",
                    "DisablePolicyType",
                    "EnablePolicyType",
                    "InviteAccountToOrganization",
                    "LeaveOrganization",
                    "MoveAccount",
                    "RemoveAccountFromOrganization",
                    "UpdatePolicy",
                    "UpdateOrganizationalUnit",
                ],
            ),
    ]
}

/// `ctl metrics --cis` totals: matches per metric, in control order.
fn ctl_cis_matches(root: &Path) -> Vec<u64> {
    let out = ctl().args(["metrics", "--cis", "--output", "jsonl"]).arg(root).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The corpus keeps cloudgrep's deliberately truncated file: named, and exit 2.
    let damaged = out.status.code() == Some(2) && stderr.contains("bad_cloudtrail.json");
    assert!(out.status.code() == Some(0) || damaged, "{stderr}");
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["type"] == "total")
        .map(|r| r["matches"].as_u64().unwrap())
        .collect()
}

fn independent_cis_matches(root: &Path) -> Vec<u64> {
    let mut counts = vec![0u64; 15];
    for record in records(root) {
        for (i, hit) in cis_independent(&record).into_iter().enumerate() {
            counts[i] += u64::from(hit);
        }
    }
    counts
}

#[test]
fn cis_counts_on_the_sans_tree_equal_an_independent_count() {
    let Some(samples) = common::samples("metrics over the SANS lab tree") else { return };
    let root = samples.join("sans504-s3-ransomware-lab");
    let expected = independent_cis_matches(&root);
    assert!(expected.iter().sum::<u64>() > 0);
    assert_eq!(ctl_cis_matches(&root), expected);
}

#[test]
fn cis_counts_on_the_corpus_equal_an_independent_count() {
    let root = common::corpus().join("invictus-ir-aws-dataset");
    let expected = independent_cis_matches(&root);
    assert!(expected.iter().sum::<u64>() > 0);
    assert_eq!(ctl_cis_matches(&root), expected);
}

#[test]
fn cis_counts_on_a_generated_tree_equal_an_independent_count() {
    let dir = tempfile::tempdir().unwrap();
    let spec = trail_synth::SynthSpec {
        accounts: 2,
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        hours: 4,
        files_per_hour: 3,
        events_per_file: 60,
        ..trail_synth::SynthSpec::small(21)
    };
    let out = trail_synth::generate(&spec, dir.path()).unwrap();
    let expected = independent_cis_matches(&out.dump);
    assert!(expected.iter().filter(|c| **c > 0).count() >= 5, "{expected:?}");
    assert_eq!(ctl_cis_matches(&out.dump), expected);
}

#[test]
fn datapoints_bucket_by_event_time() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.json");
    std::fs::write(
        &file,
        r#"{"Records":[
            {"eventTime":"2026-01-01T00:01:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","errorMessage":"Failed authentication"},
            {"eventTime":"2026-01-01T00:04:59Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","errorMessage":"Failed authentication"},
            {"eventTime":"2026-01-01T00:05:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","errorMessage":"Failed authentication"},
            {"eventTime":"2026-01-01T00:06:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}]}"#,
    )
    .unwrap();
    let out = ctl()
        .args([
            "metrics",
            "--pattern",
            r#"{ $.errorMessage = "Failed authentication" }"#,
            "--name",
            "fails",
            "--output",
            "jsonl",
        ])
        .args(["--threshold", "2"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "an alarm fired");
    let lines: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let points: Vec<_> = lines.iter().filter(|r| r["type"] == "datapoint").collect();
    assert_eq!(points.len(), 2);
    assert_eq!(points[0]["timestamp"], "2026-01-01T00:00:00Z");
    assert_eq!(points[0]["sum"], 2.0);
    assert_eq!(points[0]["sample_count"], 2);
    assert_eq!(points[1]["timestamp"], "2026-01-01T00:05:00Z");
    let alarms: Vec<_> = lines.iter().filter(|r| r["type"] == "alarm").collect();
    assert_eq!(alarms.len(), 1);
    assert_eq!(alarms[0]["timestamp"], "2026-01-01T00:00:00Z");
}

#[test]
fn describe_metric_filters_output_replays() {
    let Some(samples) = common::samples("describe-metric-filters replay over the SANS lab tree") else { return };
    let dir = tempfile::tempdir().unwrap();
    let filters = dir.path().join("filters.json");
    std::fs::write(
        &filters,
        r#"{"metricFilters": [
          {"filterName": "denied", "logGroupName": "ct", "filterPattern": "{ $.errorCode = \"AccessDenied\" }",
           "metricTransformations": [{"metricName": "AccessDenied", "metricNamespace": "Security", "metricValue": "1"}]},
          {"filterName": "by-event", "logGroupName": "ct", "filterPattern": "{ $.eventSource = \"s3.amazonaws.com\" }",
           "metricTransformations": [{"metricName": "S3Calls", "metricNamespace": "Security", "metricValue": "1",
                                      "dimensions": {"EventName": "$.eventName"}}]}]}"#,
    )
    .unwrap();
    let root = samples.join("sans504-s3-ransomware-lab");
    let out = ctl().args(["metrics", "--output", "jsonl", "--filters"]).arg(&filters).arg(&root).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let total = |name: &str| {
        lines.iter().find(|r| r["type"] == "total" && r["metric"] == name).unwrap()["matches"].as_u64().unwrap()
    };
    let all = records(&root);
    let denied = all.iter().filter(|r| is(r, "errorCode", "AccessDenied")).count() as u64;
    let s3 = all.iter().filter(|r| is(r, "eventSource", "s3.amazonaws.com")).count() as u64;
    assert_eq!(total("AccessDenied"), denied);
    assert_eq!(total("S3Calls"), s3);
    assert!(lines.iter().any(|r| r["type"] == "datapoint" && r["dimensions"]["EventName"] == "GetObject"));
}

#[test]
fn filter_reads_text_lines() {
    let flow = "2 123456789010 eni-1 10.0.1.5 10.0.0.220 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK\n\
                2 123456789010 eni-1 10.0.0.220 10.0.1.5 3389 49761 6 20 4249 1418530010 1418530070 ACCEPT OK\n";
    let out = ctl()
        .args(["filter", "--pattern", "[version, account, eni, source, destination, srcport, destport=3389, protocol, packets, bytes, start, end, action=REJECT, status]"])
        .write_stdin(flow)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), flow.lines().next().unwrap().to_string() + "\n");
    ctl().args(["filter", "--pattern", "NOMATCH"]).write_stdin(flow).assert().code(1).stdout("");
}

#[test]
fn filter_reads_cloudtrail_files_record_by_record() {
    let file = common::corpus().join("trailscraper-testdata/events-for-smoke-test.json");
    let out = ctl().args(["filter", "--count", "--pattern", "{ $.eventVersion = * }"]).arg(&file).output().unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let expected = doc["Records"].as_array().unwrap().len();
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), expected.to_string());
    // A pretty-printed record is matched as CloudTrail's compact text: no whitespace.
    let out = ctl().args(["filter", "--pattern", "\"{\\\"eventVersion\\\"\""]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn an_invalid_pattern_exits_2_with_its_position() {
    let out = ctl().args(["filter", "--pattern", "{ $.a = }"]).write_stdin("x\n").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // One line for the error, then the pattern with a caret under the place.
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(lines[0].contains("--pattern: invalid filter pattern at byte 8"), "{stderr}");
    assert_eq!(&lines[1..], ["  { $.a = }", "          ^"], "{stderr}");
    let out = ctl().args(["metrics", "--pattern", "{ ($.a = 1 }", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).ends_with("  { ($.a = 1 }\n             ^\n"));
    let out = ctl().args(["metrics", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn filter_and_metrics_take_any_json_log_event_not_only_cloudtrail() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.jsonl");
    // The time of a datapoint comes from `eventTime` (the log event's own time is not in a file).
    let events = "{\"eventTime\":\"2026-01-01T00:00:00Z\",\"user\":{\"id\":1},\"bytes\":10}\n\
                  {\"eventTime\":\"2026-01-01T00:01:00Z\",\"user\":{\"id\":2},\"bytes\":5}\n";
    std::fs::write(&file, events).unwrap();
    let count = |out: std::process::Output| String::from_utf8(out.stdout).unwrap().trim().to_string();
    let pattern = "{ $.user.id = 1 }";
    assert_eq!(count(ctl().args(["-q", "filter", "-c", "-p", pattern]).arg(&file).output().unwrap()), "1");
    assert_eq!(count(ctl().args(["-q", "filter", "-c", "-p", pattern]).write_stdin(events).output().unwrap()), "1");
    let out = ctl()
        .args(["-q", "metrics", "--pattern", "{ $.bytes > 0 }", "--value", "$.bytes", "-o", "jsonl"])
        .arg(&file)
        .output()
        .unwrap();
    let total: Value = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["type"] == "total")
        .unwrap();
    assert_eq!((total["matches"].as_u64(), total["sum"].as_f64()), (Some(2), Some(15.0)));
}
