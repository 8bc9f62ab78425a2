//! Fuzzes evaluation: fixed patterns of every kind against arbitrary message bytes (the JSON
//! reader, escapes, UTF-8, nesting, space-delimited fields). Must never panic, the prefilter
//! must never reject a message that matches, and a JSON pattern only matches a message that
//! is valid under the `cwl_filter::json` contract.
#![no_main]

use std::sync::OnceLock;

use cwl_filter::{json, Pattern, PatternKind, Selector};
use libfuzzer_sys::fuzz_target;

const PATTERNS: &[&str] = &[
    r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#,
    r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
    r#"{ $.a[*].b = 1 || $.c.* = "x*y" || $.d IS NULL || $.e IS TRUE || $.f > 1e3 || $.g = %^a.c$% }"#,
    r#"{ $.a[0][1] = * && $.['k.k'] != 5 }"#,
    "[ip, user, ..., status = 4* || status = %5\\d\\d%, bytes > 100]",
    "ERROR -DEBUG ?x",
    "?\"a b\" ?%c+d%",
];

fn compiled() -> &'static [Pattern] {
    static P: OnceLock<Vec<Pattern>> = OnceLock::new();
    P.get_or_init(|| PATTERNS.iter().map(|p| Pattern::parse(p).expect("fixed pattern")).collect())
}

fuzz_target!(|data: &[u8]| {
    let valid = json::validate(data);
    if let Err(e) = valid {
        assert!(e.offset <= data.len(), "{e} beyond the {} bytes", data.len());
    }
    let selectors = ["$.a[0].b", "$.userIdentity.type", "$bytes", "$2"].map(|s| Selector::parse(s).unwrap());
    for pattern in compiled() {
        let matched = pattern.matches(data);
        if matched && pattern.kind() == PatternKind::Json {
            assert!(valid.is_ok(), "{} matched invalid JSON", pattern.source());
        }
        if matched {
            if let Some(pre) = pattern.prefilter() {
                assert!(pre.may_match(data), "prefilter rejected a match of {}", pattern.source());
            }
        }
        for sel in &selectors {
            let _ = pattern.extract(data, sel);
        }
    }
});
