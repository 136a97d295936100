//! logrus text (dockerd, containerd, CRI-O).
#![no_main]
use analyzer_core::parse::Format;
use fuzz_common::drain_records;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    drain_records(Format::Logrus, data);
});
