//! Whole-bundle analysis from bytes: sniffing, decompression, archives, every parser, the rules.
#![no_main]
use analyzer_core::analysis::{Options, analyze};
use analyzer_core::input::{Bundle, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = Options {
        limits: Limits {
            max_member_bytes: 4 << 20,
            max_total_bytes: 16 << 20,
            ratio_check_bytes: 1 << 20,
            ..Limits::default()
        },
        ..Options::default()
    };
    let _ = analyze(&Bundle::from_bytes("x", data.to_vec()), &opts);
});
