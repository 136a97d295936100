//! Container runtime and systemd outputs: docker ps/inspect/info/version, ctr, crictl, systemctl.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::host_runtime(data));
