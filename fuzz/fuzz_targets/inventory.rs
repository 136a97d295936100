//! Whole-bundle inventory from bytes: what is in a bundle and what could not be read.
#![no_main]
use analyzer_core::input::{Bundle, Limits};
use analyzer_core::inventory::inventory;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_member_bytes: 4 << 20,
        max_total_bytes: 16 << 20,
        ratio_check_bytes: 1 << 20,
        ..Limits::default()
    };
    let _ = inventory(&Bundle::from_bytes("x", data.to_vec()), &limits);
});
