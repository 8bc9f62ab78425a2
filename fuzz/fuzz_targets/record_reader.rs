//! `record_reader`: see `ctl_hostile_fuzz::record_reader` (fuzz/src/targets.rs) for what is checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ctl_hostile_fuzz::record_reader(data);
});
