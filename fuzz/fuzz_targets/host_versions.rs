//! Versions: uname, os-release, package lists, version comparison, version hints in log lines.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::host_versions(data));
