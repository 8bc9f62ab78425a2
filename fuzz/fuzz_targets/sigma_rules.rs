//! `sigma_rules`: see `ctl_hostile_fuzz::sigma_rules` (fuzz/src/targets.rs) for what is checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ctl_hostile_fuzz::sigma_rules(data);
});
