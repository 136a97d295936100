//! Every log format through `parse::records`; the first byte picks the format.
#![no_main]
use fuzz_common::{LOG_FORMATS, drain_records, pick};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((format, rest)) = pick(LOG_FORMATS, data) {
        drain_records(format, rest);
    }
    // The sniffer sees the same bytes first in real ingestion.
    let _ = analyzer_core::parse::sniff_log(data);
});
