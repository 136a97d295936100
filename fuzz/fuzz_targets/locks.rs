//! Wait-for graphs of up to 100 000 goroutines from a few bytes, through the lock analysis.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::locks(data));
