//! Kernel ring buffer: dmesg in all its shapes and /dev/kmsg records; both on every input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::dmesg(data));
