//! Syslog files (RFC 3164, RFC 3339 precise, RFC 5424).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::syslog(data));
