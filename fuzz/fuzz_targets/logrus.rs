//! logrus text (dockerd, containerd, CRI-O).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::logrus(data));
