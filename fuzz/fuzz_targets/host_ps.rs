//! `ps` tables in every sos shape, directly and through the host-state builder.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::host_ps(data));
