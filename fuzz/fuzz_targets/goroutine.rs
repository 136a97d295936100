//! Goroutine dumps: the parser, then bucketing and lock inference over what it produced.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::goroutine(data));
