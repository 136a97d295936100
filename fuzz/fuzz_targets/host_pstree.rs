//! `pstree` output, directly and through the host-state builder.
#![no_main]
use analyzer_core::parse::{Format, pstree};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    std::hint::black_box(pstree::parse(data));
    fuzz_common::host("sos_commands/process/pstree_-lp", &[Format::Pstree], data);
});
