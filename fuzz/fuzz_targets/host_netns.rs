//! Network namespaces: lsns, ip netns, ip addr, nsenter blocks, the docker netns listing.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::host_netns(data));
