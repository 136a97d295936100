//! The rule file loader: TOML parsing, validation, regex and literal compilation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::rules(data));
