//! Versions: uname, os-release, package lists, version comparison, version hints in log lines.
#![no_main]
use analyzer_core::parse::{Format, versions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    std::hint::black_box(versions::uname_release(data));
    std::hint::black_box(versions::os_release(data, b"VERSION_ID"));
    let pkgs = versions::parse_packages(data);
    for p in &pkgs {
        std::hint::black_box(p);
    }
    let _ = versions::package_component(data);
    let mid = data.len() / 2;
    let (a, b) = data.split_at(mid);
    let ab = versions::compare(a, b);
    let ba = versions::compare(b, a);
    assert_eq!(ab, ba.reverse(), "version comparison is not antisymmetric");
    let _ = analyzer_core::rules::engine::compare_versions(
        &String::from_utf8_lossy(a),
        &String::from_utf8_lossy(b),
    );
    for h in versions::hints_from_line(data) {
        std::hint::black_box(h);
    }
    fuzz_common::host(
        "sos_commands/kernel/uname_-a",
        &[Format::Uname, Format::OsRelease, Format::Packages],
        data,
    );
});
