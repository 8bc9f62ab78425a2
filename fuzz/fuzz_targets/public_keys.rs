//! `public_keys`: see `ctl_hostile_fuzz::public_keys` (fuzz/src/targets.rs) for what is checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ctl_hostile_fuzz::public_keys(data);
});
