//! journalctl output formats (short*, json, export, verbose); the first byte picks one.
#![no_main]
use fuzz_common::{JOURNAL_FORMATS, drain_records, pick};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((format, rest)) = pick(JOURNAL_FORMATS, data) {
        drain_records(format, rest);
    }
});
