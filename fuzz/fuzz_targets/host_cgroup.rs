//! cgroup control files and `/proc/<pid>/cgroup`; the first line is the member path.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::host_cgroup(data));
