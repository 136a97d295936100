//! Whole-bundle analysis from bytes: sniffing, decompression, archives, every parser, the rules.
#![no_main]
use std::sync::OnceLock;

use analyzer_core::analysis::{Options, analyze_with};
use analyzer_core::input::{Bundle, Limits};
use analyzer_core::rules::engine::Engine;
use libfuzzer_sys::fuzz_target;

/// The built-in rules, compiled once (compiling them is not what is fuzzed here).
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| analyzer_core::rules::load(&[]).expect("built-in rules compile"))
}

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
    let _ = analyze_with(&Bundle::from_bytes("x", data.to_vec()), &opts, engine());
});
