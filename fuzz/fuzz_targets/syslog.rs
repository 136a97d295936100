//! Syslog files (RFC 3164, RFC 3339 precise, RFC 5424).
#![no_main]
use analyzer_core::parse::Format;
use fuzz_common::drain_records;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    drain_records(Format::Syslog, data);
});
