//! Kernel ring buffer: dmesg in all its shapes and /dev/kmsg records; both on every input.
#![no_main]
use analyzer_core::parse::Format;
use fuzz_common::drain_records;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    drain_records(Format::Dmesg, data);
    drain_records(Format::Kmsg, data);
});
