//! Whole-bundle inventory from bytes: what is in a bundle and what could not be read.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::inventory(data));
