//! Fuzzes evaluation: fixed patterns of every kind against arbitrary message bytes (the JSON
//! reader, escapes, UTF-8, nesting, space-delimited fields). Must never panic, the prefilter
//! must never reject a message that matches, and a JSON pattern only matches a message that
//! is valid under the `cwl_filter::json` contract.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    filter_checks::filter_match(data);
});
