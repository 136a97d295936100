//! Whole-bundle analysis from bytes: sniffing, decompression, archives, every parser, the rules.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::bundle(data));
