//! The checks of the filter-pattern fuzz targets, in one place: the cargo-fuzz binaries of this
//! folder call them, and ctl's corpus-replay test (through `fuzz/src/targets.rs`) replays the
//! committed seeds through them on the stable toolchain.

use cwl_filter::{json, Pattern, PatternKind, Selector};

/// Fixed events the patterns are evaluated on: a CloudTrail record, a JSON document with arrays
/// and escapes, and a space-delimited log line.
pub const EVENTS: &[&[u8]] = &[
    br#"{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"},"eventTime":"2024-05-01T12:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"198.51.100.7","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"},"errorCode":null,"readOnly":false,"eventType":"AwsConsoleSignIn","latency":12.5}"#,
    br#"{"user":{"id":1,"email":"John.Stiles@example.com"},"users":[{"id":2},{"id":3}],"actions":["GET","PUT","DELETE"],"coordinates":[[0,1,2],[4,5,6]],"esc":"a\u0041\/b"}"#,
    br#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#,
];

/// `filter_parse`: any UTF-8 text either
/// compiles (and then evaluates without panicking, its prefilter never rejecting a match) or is
/// rejected with a one-line error whose offset is a character boundary inside the text.
pub fn filter_parse(data: &[u8]) -> bool {
    let Ok(src) = std::str::from_utf8(data) else { return false };
    let accepted = match Pattern::parse(src) {
        Ok(pattern) => {
            let selectors = ["$.eventName", "$.users[*].id", "$.latency", "$request", "$7"]
                .map(|s| Selector::parse(s).expect("fixed selector"));
            for event in EVENTS.iter().copied().chain([data]) {
                let matched = pattern.matches(event);
                if matched {
                    if let Some(pre) = pattern.prefilter() {
                        assert!(pre.may_match(event), "prefilter rejected a match");
                    }
                }
                assert_eq!(pattern.matches_prefiltered(event), matched);
                for sel in &selectors {
                    let value = pattern.extract(event, sel);
                    assert!(matched || value.is_none());
                }
            }
            true
        }
        Err(e) => {
            assert!(e.offset() <= src.len(), "offset {} beyond pattern", e.offset());
            assert!(src.is_char_boundary(e.offset()));
            let shown = e.to_string();
            assert!(!shown.contains('\n') && !shown.contains('\r'), "multi-line error: {shown}");
            false
        }
    };
    let _ = Selector::parse(src);
    accepted
}

/// Patterns of every kind for [`filter_match`].
const MATCH_PATTERNS: &[&str] = &[
    r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#,
    r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
    r#"{ $.a[*].b = 1 || $.c.* = "x*y" || $.d IS NULL || $.e IS TRUE || $.f > 1e3 || $.g = %^a.c$% }"#,
    r#"{ $.a[0][1] = * && $.['k.k'] != 5 }"#,
    "[ip, user, ..., status = 4* || status = %5\\d\\d%, bytes > 100]",
    "ERROR -DEBUG ?x",
    "?\"a b\" ?%c+d%",
];

/// `filter_match`: fixed patterns of every kind evaluated on arbitrary message bytes (the JSON
/// reader, escapes, UTF-8, nesting, space-delimited fields) never panic, the prefilter never
/// rejects a match, a JSON pattern matches only a message valid under the `cwl_filter::json`
/// contract, and an error offset lies inside the message. Returns whether some pattern matched.
pub fn filter_match(data: &[u8]) -> bool {
    let valid = json::validate(data);
    if let Err(e) = valid {
        assert!(e.offset <= data.len(), "{e} beyond the {} bytes", data.len());
    }
    use std::sync::OnceLock;
    static COMPILED: OnceLock<Vec<Pattern>> = OnceLock::new();
    let compiled =
        COMPILED.get_or_init(|| MATCH_PATTERNS.iter().map(|p| Pattern::parse(p).expect("fixed pattern")).collect());
    let selectors = ["$.a[0].b", "$.userIdentity.type", "$bytes", "$2"].map(|s| Selector::parse(s).expect("selector"));
    let mut any = false;
    for pattern in compiled {
        let matched = pattern.matches(data);
        if matched && pattern.kind() == PatternKind::Json {
            assert!(valid.is_ok(), "{} matched invalid JSON", pattern.source());
        }
        if matched {
            any = true;
            if let Some(pre) = pattern.prefilter() {
                assert!(pre.may_match(data), "prefilter rejected a match of {}", pattern.source());
            }
        }
        for sel in &selectors {
            let _ = pattern.extract(data, sel);
        }
    }
    any
}
