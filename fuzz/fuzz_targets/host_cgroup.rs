//! cgroup control files and `/proc/<pid>/cgroup`; the first line is the member path.
#![no_main]
use analyzer_core::parse::{Format, cgroup};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (path, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (String::from_utf8_lossy(&data[..i]).into_owned(), &data[i + 1..]),
        None => (String::from("sys/fs/cgroup/pids/kubepods/pids.max"), data),
    };
    std::hint::black_box(cgroup::file_path(&path));
    std::hint::black_box(cgroup::parse_limit(body));
    std::hint::black_box(cgroup::parse_keyed(body));
    for row in cgroup::parse_proc_cgroup(body) {
        std::hint::black_box(&row);
    }
    std::hint::black_box(cgroup::container_ref(body));
    fuzz_common::host(&path, &[Format::Cgroup, Format::ProcCgroup], body);
});
