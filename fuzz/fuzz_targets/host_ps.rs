//! `ps` tables in every sos shape, directly and through the host-state builder.
#![no_main]
use analyzer_core::parse::{Format, ps};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = ps::parse(data);
    std::hint::black_box(&t);
    for (_, line) in ps::numbered_lines(data) {
        let _ = ps::is_header(line);
        let _ = ps::program_name(line);
        for (_, w) in ps::words(line) {
            let _ = ps::parse_u32(w);
        }
    }
    fuzz_common::host("sos_commands/process/ps_auxwww", &[Format::Ps], data);
});
