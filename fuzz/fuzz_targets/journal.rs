//! journalctl output formats (short*, json, export, verbose); the first byte picks one.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::journal(data));
