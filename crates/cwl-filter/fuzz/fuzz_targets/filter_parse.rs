//! Fuzzes the filter-pattern compiler: any UTF-8 text either compiles or is rejected with an
//! error whose offset lies inside the pattern and whose message is one line; a compiled pattern
//! is then evaluated (and values extracted) on fixed events and on the input itself, which must
//! never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    filter_checks::filter_parse(data);
});
