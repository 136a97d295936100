//! Collection-time sources: `date`, `timedatectl`, `etc/localtime` (TZif), zone names.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::clock(data));
