//! Collection-time sources: `date`, `timedatectl`, `etc/localtime` (TZif), zone names.
#![no_main]
use analyzer_core::model::time::ClockBuilder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut c = ClockBuilder::new();
    c.add_date("sos_commands/date/date", data);
    c.add_timedatectl("sos_commands/systemd/timedatectl", data);
    c.add_localtime(data);
    if let Ok(s) = std::str::from_utf8(data) {
        c.add_zone_name(s);
    }
    std::hint::black_box(c.finish());
});
