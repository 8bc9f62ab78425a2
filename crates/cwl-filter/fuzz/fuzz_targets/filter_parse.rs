//! Fuzzes the filter-pattern compiler: any UTF-8 text either compiles or is rejected with an
//! error whose offset lies inside the pattern and whose message is one line; a compiled pattern
//! is then evaluated (and values extracted) on fixed events and on the input itself, which must
//! never panic.
#![no_main]

use cwl_filter::{Pattern, Selector};
use libfuzzer_sys::fuzz_target;

const EVENTS: &[&[u8]] = &[
    br#"{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"},"eventTime":"2024-05-01T12:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"198.51.100.7","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"},"errorCode":null,"readOnly":false,"eventType":"AwsConsoleSignIn","latency":12.5}"#,
    br#"{"user":{"id":1,"email":"John.Stiles@example.com"},"users":[{"id":2},{"id":3}],"actions":["GET","PUT","DELETE"],"coordinates":[[0,1,2],[4,5,6]],"esc":"a\u0041\/b"}"#,
    br#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#,
];

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    match Pattern::parse(src) {
        Ok(pattern) => {
            let selectors = ["$.eventName", "$.users[*].id", "$.latency", "$request", "$7"]
                .map(|s| Selector::parse(s).expect("fixed selector"));
            for event in EVENTS.iter().copied().chain([data]) {
                let matched = pattern.matches(event);
                // The prefilter never rejects a match.
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
        }
        Err(e) => {
            assert!(e.offset() <= src.len(), "offset {} beyond pattern", e.offset());
            assert!(src.is_char_boundary(e.offset()));
            let shown = e.to_string();
            assert!(!shown.contains('\n') && !shown.contains('\r'), "multi-line error: {shown}");
        }
    }
    let _ = Selector::parse(src);
});
