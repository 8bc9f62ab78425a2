//! The Sigma detection language, end to end: one small rule per form of the specification
//! (`../shared/specs/sigma/`: maps and lists, wildcards and their escapes, keywords, `null` and
//! `''`, every modifier that applies to JSON events, and each form of condition), run by the
//! real `ctl hunt` over events written for it. Each case names the events that must match; the
//! others must not. Unlike the unit tests beside the code, this goes through the loader, the
//! rule index, the literal screen and the printer, so a screen that drops a match shows here.

use std::collections::{BTreeMap, BTreeSet};

use assert_cmd::Command;
use serde_json::Value;

/// One rule and the events it is tried on.
struct Case {
    title: &'static str,
    /// The rule's `detection:` block, indented by four spaces.
    detection: &'static str,
    /// The members of each event besides `eventID` (and `eventTime`, added unless given).
    events: &'static [&'static str],
    /// The indices of the events that match.
    matches: &'static [usize],
}

const CASES: &[Case] = &[
    // Maps (AND) and lists of values (OR).
    Case {
        title: "map and list",
        detection: r#"
    selection:
        eventSource: iam.amazonaws.com
        eventName:
            - CreateUser
            - DeleteUser
    condition: selection"#,
        events: &[
            r#""eventSource":"iam.amazonaws.com","eventName":"CreateUser""#,
            r#""eventSource":"iam.amazonaws.com","eventName":"DeleteUser""#,
            r#""eventSource":"iam.amazonaws.com","eventName":"GetUser""#,
            r#""eventSource":"s3.amazonaws.com","eventName":"CreateUser""#,
        ],
        matches: &[0, 1],
    },
    Case {
        title: "list of maps",
        detection: r#"
    selection:
        - eventName: AttachUserPolicy
        - eventName: PutUserPolicy
          errorCode: AccessDenied
    condition: selection"#,
        events: &[
            r#""eventName":"AttachUserPolicy""#,
            r#""eventName":"PutUserPolicy","errorCode":"AccessDenied""#,
            r#""eventName":"PutUserPolicy""#,
        ],
        matches: &[0, 1],
    },
    // Values: case, wildcards, escapes.
    Case {
        title: "case-insensitive by default",
        detection: r#"
    selection:
        eventName: createuser
    condition: selection"#,
        events: &[r#""eventName":"CreateUser""#, r#""eventName":"CREATEUSER""#, r#""eventName":"CreateUsers""#],
        matches: &[0, 1],
    },
    Case {
        title: "cased",
        detection: r#"
    selection:
        eventName|cased: CreateUser
    condition: selection"#,
        events: &[r#""eventName":"CreateUser""#, r#""eventName":"createuser""#],
        matches: &[0],
    },
    Case {
        title: "wildcards",
        detection: r#"
    selection:
        eventName: 'Create*'
        userAgent: 'aws-cli/?.0'
    condition: selection"#,
        events: &[
            r#""eventName":"CreateUser","userAgent":"aws-cli/2.0""#,
            r#""eventName":"CreateRole","userAgent":"aws-cli/1.0""#,
            r#""eventName":"CreateRole","userAgent":"aws-cli/12.0""#,
            r#""eventName":"DeleteUser","userAgent":"aws-cli/2.0""#,
            r#""eventName":"CreateUser","userAgent":"aws-cli/.0""#,
        ],
        matches: &[0, 1],
    },
    Case {
        title: "escaped wildcard",
        detection: r#"
    selection:
        requestParameters.name: 'a\*b'
    condition: selection"#,
        events: &[r#""requestParameters":{"name":"a*b"}"#, r#""requestParameters":{"name":"axxb"}"#],
        matches: &[0],
    },
    Case {
        title: "escaped backslash before a wildcard",
        detection: r#"
    selection:
        requestParameters.path: 'C:\\*'
    condition: selection"#,
        events: &[
            r#""requestParameters":{"path":"C:\\Windows"}"#,
            r#""requestParameters":{"path":"C:Windows"}"#,
            r#""requestParameters":{"path":"C:\\"}"#,
        ],
        matches: &[0, 2],
    },
    Case {
        title: "three backslashes and a star are plain",
        detection: r#"
    selection:
        requestParameters.path: 'C:\\\*'
    condition: selection"#,
        events: &[r#""requestParameters":{"path":"C:\\*"}"#, r#""requestParameters":{"path":"C:\\x"}"#],
        matches: &[0],
    },
    Case {
        title: "plain backslashes",
        detection: r#"
    selection:
        requestParameters.path: 'C:\Windows\System32'
    condition: selection"#,
        events: &[
            r#""requestParameters":{"path":"C:\\Windows\\System32"}"#,
            r#""requestParameters":{"path":"C:/Windows/System32"}"#,
        ],
        matches: &[0],
    },
    // Keywords: the text anywhere in the event.
    Case {
        title: "keywords",
        detection: r#"
    keywords:
        - 'evilcorp'
        - 'mimikatz'
    condition: keywords"#,
        events: &[
            r#""userAgent":"EvilCorp-agent/1.0""#,
            r#""requestParameters":{"note":"ran mimikatz here"}"#,
            r#""eventName":"CreateUser""#,
        ],
        matches: &[0, 1],
    },
    Case {
        title: "keywords all",
        detection: r#"
    keywords:
        '|all':
            - 'alpha'
            - 'beta'
    condition: keywords"#,
        events: &[r#""userAgent":"alpha","requestParameters":{"x":"beta"}"#, r#""userAgent":"alpha""#],
        matches: &[0],
    },
    // Special values and existence.
    Case {
        title: "not null",
        detection: r#"
    selection:
        eventName: CreateUser
    filter_null:
        errorCode: null
    condition: selection and not filter_null"#,
        events: &[
            r#""eventName":"CreateUser","errorCode":"AccessDenied""#,
            r#""eventName":"CreateUser","errorCode":null"#,
            r#""eventName":"CreateUser""#,
            r#""eventName":"CreateUser","errorCode":"""#,
        ],
        matches: &[0, 3],
    },
    Case {
        title: "empty value",
        detection: r#"
    selection:
        errorMessage: ''
    condition: selection"#,
        events: &[r#""errorMessage":"""#, r#""errorMessage":"x""#, r#""eventName":"X""#],
        matches: &[0],
    },
    Case {
        title: "exists",
        detection: r#"
    selection:
        errorCode|exists: true
        userIdentity.invokedBy|exists: false
    condition: selection"#,
        events: &[
            r#""errorCode":null,"userIdentity":{"type":"IAMUser"}"#,
            r#""errorCode":"X","userIdentity":{"invokedBy":"ec2.amazonaws.com"}"#,
            r#""userIdentity":{"type":"IAMUser"}"#,
        ],
        matches: &[0],
    },
    Case {
        title: "nested fields and arrays",
        detection: r#"
    selection:
        userIdentity.sessionContext.sessionIssuer.type: Role
        requestParameters.ipPermissions.items.ipRanges.items.cidrIp: '0.0.0.0/0'
    condition: selection"#,
        events: &[
            r#""userIdentity":{"sessionContext":{"sessionIssuer":{"type":"Role"}}},"requestParameters":{"ipPermissions":{"items":[{"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}},{"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}"#,
            r#""userIdentity":{"sessionContext":{"sessionIssuer":{"type":"Role"}}},"requestParameters":{"ipPermissions":{"items":[{"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}}]}}"#,
            r#""userIdentity":{"type":"Role"},"requestParameters":{"ipPermissions":{"items":[{"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}"#,
        ],
        matches: &[0],
    },
    // String modifiers.
    Case {
        title: "startswith contains endswith",
        detection: r#"
    selection:
        userAgent|startswith: 'aws-cli'
        userAgent|contains: 'python'
        userAgent|endswith: 'linux'
    condition: selection"#,
        events: &[
            r#""userAgent":"aws-cli/2.0 Python/3.11 Linux""#,
            r#""userAgent":"aws-cli/2.0 Python/3.11 Darwin""#,
            r#""userAgent":"Boto3 python linux""#,
        ],
        matches: &[0],
    },
    Case {
        title: "contains all",
        detection: r#"
    selection:
        requestParameters.policy|contains|all:
            - 's3:GetObject'
            - 's3:PutObject'
    condition: selection"#,
        events: &[
            r#""requestParameters":{"policy":"Allow s3:PutObject and s3:GetObject"}"#,
            r#""requestParameters":{"policy":"Allow s3:GetObject"}"#,
        ],
        matches: &[0],
    },
    Case {
        title: "regular expression",
        detection: r#"
    selection:
        eventName|re: '^(Create|Delete)User$'
    condition: selection"#,
        events: &[
            r#""eventName":"CreateUser""#,
            r#""eventName":"createuser""#,
            r#""eventName":"CreateUsers""#,
            r#""eventName":"DeleteUser""#,
        ],
        matches: &[0, 3],
    },
    Case {
        title: "regular expression i",
        detection: r#"
    selection:
        eventName|re|i: '^createuser$'
    condition: selection"#,
        events: &[r#""eventName":"CreateUser""#, r#""eventName":"CREATEUSER""#, r#""eventName":"XCreateUser""#],
        matches: &[0, 1],
    },
    Case {
        title: "regular expression m and s",
        detection: r#"
    multi_line:
        requestParameters.script|re|m: '^rm -rf'
    single_line:
        requestParameters.script|re|s: 'begin.end'
    condition: multi_line or single_line"#,
        events: &[
            r#""requestParameters":{"script":"cd /\nrm -rf /tmp/x"}"#,
            r#""requestParameters":{"script":"begin\nend"}"#,
            r#""requestParameters":{"script":"echo rm -rf; begin\n\nend"}"#,
        ],
        matches: &[0, 1],
    },
    Case {
        title: "windash",
        detection: r#"
    selection:
        requestParameters.command|windash|contains: ' -force'
    condition: selection"#,
        events: &[
            r#""requestParameters":{"command":"run /force"}"#,
            r#""requestParameters":{"command":"run –force"}"#,
            r#""requestParameters":{"command":"run -force"}"#,
            r#""requestParameters":{"command":"run force"}"#,
        ],
        matches: &[0, 1, 2],
    },
    // Encodings.
    Case {
        title: "base64",
        detection: r#"
    selection:
        requestParameters.data|base64|contains: 'cmd'
    condition: selection"#,
        events: &[r#""requestParameters":{"data":"xxY21kyy"}"#, r#""requestParameters":{"data":"cnVuIGNtZCBub3c="}"#],
        matches: &[0],
    },
    Case {
        title: "base64offset",
        detection: r#"
    selection:
        requestParameters.data|base64offset|contains: '/bin/sh'
    condition: selection"#,
        events: &[
            r#""requestParameters":{"data":"L2Jpbi9zaCAtYyBpZA=="}"#,
            r#""requestParameters":{"data":"eC9iaW4vc2g="}"#,
            r#""requestParameters":{"data":"eHkvYmluL3No"}"#,
            r#""requestParameters":{"data":"L3Vzci9zaA=="}"#,
        ],
        matches: &[0, 1, 2],
    },
    // Addresses, numbers, field references, dates, placeholders.
    Case {
        title: "cidr",
        detection: r#"
    selection:
        sourceIPAddress|cidr:
            - '10.0.0.0/8'
            - '2001:db8::/32'
    condition: selection"#,
        events: &[
            r#""sourceIPAddress":"10.1.2.3""#,
            r#""sourceIPAddress":"11.0.0.1""#,
            r#""sourceIPAddress":"2001:db8::1""#,
            r#""sourceIPAddress":"iam.amazonaws.com""#,
        ],
        matches: &[0, 2],
    },
    Case {
        title: "numeric comparison",
        detection: r#"
    selection:
        requestParameters.maxResults|gt: 100
        requestParameters.maxResults|lte: 1000
    condition: selection"#,
        events: &[
            r#""requestParameters":{"maxResults":101}"#,
            r#""requestParameters":{"maxResults":100}"#,
            r#""requestParameters":{"maxResults":"150"}"#,
            r#""requestParameters":{"maxResults":1001}"#,
            r#""requestParameters":{}"#,
        ],
        matches: &[0, 2],
    },
    Case {
        title: "number equality",
        detection: r#"
    selection:
        responseElements.count: 42
    condition: selection"#,
        events: &[
            r#""responseElements":{"count":42}"#,
            r#""responseElements":{"count":"42"}"#,
            r#""responseElements":{"count":420}"#,
        ],
        matches: &[0, 1],
    },
    Case {
        title: "neq",
        detection: r#"
    selection:
        eventSource: iam.amazonaws.com
        eventName|neq: CreateUser
    condition: selection"#,
        events: &[
            r#""eventSource":"iam.amazonaws.com","eventName":"DeleteUser""#,
            r#""eventSource":"iam.amazonaws.com","eventName":"CreateUser""#,
        ],
        matches: &[0],
    },
    Case {
        title: "fieldref",
        detection: r#"
    selection:
        userIdentity.userName|fieldref: requestParameters.userName
    condition: selection"#,
        events: &[
            r#""userIdentity":{"userName":"bob"},"requestParameters":{"userName":"bob"}"#,
            r#""userIdentity":{"userName":"Bob"},"requestParameters":{"userName":"bob"}"#,
            r#""userIdentity":{"userName":"bob"},"requestParameters":{"userName":"alice"}"#,
        ],
        matches: &[0, 1],
    },
    Case {
        title: "time modifiers",
        detection: r#"
    selection:
        eventTime|hour: 3
        eventTime|month: 12
    condition: selection"#,
        events: &[
            r#""eventTime":"2026-12-01T03:10:00Z""#,
            r#""eventTime":"2026-12-01T04:10:00Z""#,
            r#""eventTime":"2026-11-01T03:10:00Z""#,
        ],
        matches: &[0],
    },
    Case {
        title: "expand",
        detection: r#"
    selection:
        sourceIPAddress|expand: '%Admins%'
    condition: selection"#,
        events: &[r#""sourceIPAddress":"1.2.3.4""#, r#""sourceIPAddress":"5.6.7.8""#, r#""sourceIPAddress":"9.9.9.9""#],
        matches: &[0, 1],
    },
    // Conditions.
    Case {
        title: "and not",
        detection: r#"
    selection:
        eventName: CreateAccessKey
    filter:
        userIdentity.type: Root
    condition: selection and not filter"#,
        events: &[
            r#""eventName":"CreateAccessKey","userIdentity":{"type":"IAMUser"}"#,
            r#""eventName":"CreateAccessKey","userIdentity":{"type":"Root"}"#,
        ],
        matches: &[0],
    },
    Case {
        title: "one of a pattern",
        detection: r#"
    sel_stop:
        eventName: StopLogging
    sel_delete:
        eventName: DeleteTrail
    other:
        eventName: UpdateTrail
    condition: 1 of sel_*"#,
        events: &[r#""eventName":"StopLogging""#, r#""eventName":"DeleteTrail""#, r#""eventName":"UpdateTrail""#],
        matches: &[0, 1],
    },
    Case {
        title: "all of a pattern",
        detection: r#"
    sel_name:
        eventName: StopLogging
    sel_source:
        eventSource: cloudtrail.amazonaws.com
    condition: all of sel_*"#,
        events: &[
            r#""eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com""#,
            r#""eventName":"StopLogging","eventSource":"other.amazonaws.com""#,
        ],
        matches: &[0],
    },
    Case {
        title: "two of a pattern",
        detection: r#"
    sel_a:
        eventName: PutBucketPolicy
    sel_b:
        eventSource: s3.amazonaws.com
    sel_c:
        errorCode: AccessDenied
    condition: 2 of sel_*"#,
        events: &[
            r#""eventName":"PutBucketPolicy","eventSource":"s3.amazonaws.com""#,
            r#""eventName":"PutBucketPolicy","eventSource":"x.amazonaws.com""#,
            r#""eventName":"GetObject","eventSource":"s3.amazonaws.com","errorCode":"AccessDenied""#,
        ],
        matches: &[0, 2],
    },
    Case {
        title: "one of them leaves out underscores",
        detection: r#"
    selection:
        eventName: ConsoleLogin
    _helper:
        eventName: GetCallerIdentity
    condition: 1 of them"#,
        events: &[r#""eventName":"ConsoleLogin""#, r#""eventName":"GetCallerIdentity""#],
        matches: &[0],
    },
    Case {
        title: "all of them",
        detection: r#"
    name:
        eventName: ConsoleLogin
    outcome:
        responseElements.ConsoleLogin: Failure
    condition: all of them"#,
        events: &[
            r#""eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"}"#,
            r#""eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"}"#,
        ],
        matches: &[0],
    },
    Case {
        title: "and binds tighter than or",
        detection: r#"
    a:
        eventName: DeleteBucket
    b:
        eventSource: s3.amazonaws.com
    c:
        errorCode: AccessDenied
    condition: a or b and c"#,
        events: &[
            r#""eventName":"DeleteBucket","eventSource":"x""#,
            r#""eventName":"GetObject","eventSource":"s3.amazonaws.com""#,
            r#""eventName":"GetObject","eventSource":"s3.amazonaws.com","errorCode":"AccessDenied""#,
        ],
        matches: &[0, 2],
    },
    Case {
        title: "not binds tighter than and",
        detection: r#"
    a:
        eventName: DeleteBucket
    b:
        eventSource: s3.amazonaws.com
    condition: not a and b"#,
        events: &[
            r#""eventName":"DeleteBucket","eventSource":"s3.amazonaws.com""#,
            r#""eventName":"GetObject","eventSource":"s3.amazonaws.com""#,
            r#""eventName":"GetObject","eventSource":"ec2.amazonaws.com""#,
        ],
        matches: &[1],
    },
    Case {
        title: "parentheses",
        detection: r#"
    a:
        eventName: DeleteBucket
    b:
        eventName: PutBucketPolicy
    c:
        errorCode: AccessDenied
    condition: (a or b) and c"#,
        events: &[
            r#""eventName":"DeleteBucket","errorCode":"AccessDenied""#,
            r#""eventName":"DeleteBucket""#,
            r#""eventName":"PutBucketPolicy","errorCode":"AccessDenied""#,
        ],
        matches: &[0, 2],
    },
    Case {
        title: "a list of conditions",
        detection: r#"
    a:
        eventName: DeleteBucket
    b:
        eventName: PutBucketPolicy
    condition:
        - a
        - b"#,
        events: &[r#""eventName":"DeleteBucket""#, r#""eventName":"PutBucketPolicy""#, r#""eventName":"GetObject""#],
        matches: &[0, 1],
    },
];

/// The rule file of case `n`.
fn rule(n: usize, case: &Case) -> String {
    format!(
        "title: {}\nid: 00000000-0000-4000-8000-{n:012}\nstatus: test\nlevel: low\n\
         logsource:\n    product: aws\n    service: cloudtrail\ndetection:{}\n",
        case.title, case.detection
    )
}

/// The event `i` of case `n`, with its ID `n-i`, and what every CloudTrail event has (a time, a
/// source and a name) unless the case gives it.
fn event(n: usize, i: usize, members: &str) -> String {
    let mut event = format!("{{\"eventVersion\":\"1.08\",\"eventID\":\"{n}-{i}\"");
    for (key, value) in
        [("eventTime", "2026-01-02T03:04:05Z"), ("eventSource", "test.amazonaws.com"), ("eventName", "Other")]
    {
        if !members.contains(&format!("\"{key}\"")) {
            event += &format!(",\"{key}\":\"{value}\"");
        }
    }
    format!("{event},{members}}}")
}

#[test]
fn every_form_of_the_language_matches_what_the_specification_says() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let mut events = Vec::new();
    for (n, case) in CASES.iter().enumerate() {
        std::fs::write(rules.join(format!("case{n:02}.yml")), rule(n, case)).unwrap();
        events.extend(case.events.iter().enumerate().map(|(i, members)| event(n, i, members)));
    }
    let data = dir.path().join("events.json");
    std::fs::write(&data, format!("{{\"Records\":[{}]}}", events.join(","))).unwrap();

    let out = Command::cargo_bin("ctl")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["hunt", "-o", "jsonl", "--placeholder", "Admins=1.2.3.4", "--placeholder", "Admins=5.6.7.8", "-r"])
        .arg(&rules)
        .arg(&data)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for case in CASES {
        assert!(!stderr.contains(case.title), "the rule {:?} did not load: {stderr}", case.title);
    }

    // Rule title -> the events of its own case it matched.
    let mut found: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        if v["type"] != "match" {
            continue;
        }
        let id = v["event"]["eventID"].as_str().unwrap();
        let (n, i) = id.split_once('-').unwrap();
        let (n, i): (usize, usize) = (n.parse().unwrap(), i.parse().unwrap());
        for rule in v["rules"].as_array().unwrap() {
            if rule["title"] == CASES[n].title {
                found.entry(CASES[n].title).or_default().insert(i);
            }
        }
    }
    let mut wrong = Vec::new();
    for case in CASES {
        let got = found.remove(case.title).unwrap_or_default();
        let want: BTreeSet<usize> = case.matches.iter().copied().collect();
        if got != want {
            wrong.push(format!("{:?}: matched events {got:?}, the specification says {want:?}", case.title));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
