//! Every log format through `parse::records`; the first byte picks the format.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_common::records(data));
