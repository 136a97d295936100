//! klog text and Kubernetes JSON logging; both on every input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::klog(data));
