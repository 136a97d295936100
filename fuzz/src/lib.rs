//! The fuzz targets' bodies, one function per target, shared by the libFuzzer binaries in
//! `fuzz_targets/` and by the regression test `analyzer-core/tests/fuzz_regressions.rs`, which
//! replays every kept input through the same function. Each drives one parser over arbitrary
//! bytes and checks the invariants every parser promises (no panic, records inside the input,
//! in order).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use analyzer_core::analysis::{Options, analyze_with};
use analyzer_core::base::Format;
use analyzer_core::input::{Bundle, Limits};
use analyzer_core::model::host::HostBuilder;
use analyzer_core::model::time::ClockBuilder;
use analyzer_core::parse::{self, cgroup, netns, ps, pstree, runtime, versions};
use analyzer_core::rules::engine::Engine;
use analyzer_core::stacks;

/// Lock-graph programs rendered as goroutine dumps; shared with the hostile suite, which
/// includes this file rather than loading the generator a second time.
#[allow(dead_code, missing_docs)]
#[path = "../../benches/src/lock_graph.rs"]
pub mod lock_graph;

/// Every log format, in a fixed order so a leading selector byte picks one.
pub const LOG_FORMATS: &[Format] = Format::LOGS;

/// The journal output formats.
pub const JOURNAL_FORMATS: &[Format] = Format::JOURNAL;

/// Splits `data` into a format picked by its first byte among `formats` and the rest.
pub fn pick<'a>(formats: &[Format], data: &'a [u8]) -> Option<(Format, &'a [u8])> {
    let (&sel, rest) = data.split_first()?;
    let f = *formats.get(usize::from(sel) % formats.len())?;
    Some((f, rest))
}

/// Iterates every record of `data` as `format`, checking that each borrows from `data`, lies
/// inside it and comes after the one before. Returns the record count.
pub fn drain_records(format: Format, data: &[u8]) -> usize {
    let base = data.as_ptr() as usize;
    let end = base + data.len();
    let mut n = 0usize;
    let mut last_line = 0u32;
    for rec in parse::records(format, data) {
        n += 1;
        for part in [rec.raw, rec.message, rec.time_text, rec.host, rec.ident] {
            if part.is_empty() {
                continue;
            }
            let p = part.as_ptr() as usize;
            assert!(
                p >= base && p + part.len() <= end,
                "{format:?}: a record field does not borrow from the member"
            );
        }
        assert!(
            rec.offset <= data.len() as u64,
            "{format:?}: record offset {} past the end ({})",
            rec.offset,
            data.len()
        );
        assert!(
            rec.line >= last_line,
            "{format:?}: record line {} after line {}",
            rec.line,
            last_line
        );
        last_line = rec.line;
        std::hint::black_box((&rec.time, rec.level, rec.source, rec.pid, rec.line_count()));
        let _ = parse::inner_level(rec.message);
    }
    // A record needs at least one byte of its own.
    assert!(
        n <= data.len() + 1,
        "{format:?}: {n} records from {} bytes",
        data.len()
    );
    n
}

/// Feeds `data` to the host-state builder as each of `formats` under `path`, then finishes it.
pub fn host(path: &str, formats: &[Format], data: &[u8]) {
    let mut b = HostBuilder::new();
    for &f in formats {
        b.add(path, f, data);
    }
    std::hint::black_box(b.finish());
}

/// The names of the targets, as in `fuzz_targets/` and the corpus directories.
pub const TARGETS: &[&str] = &[
    "records",
    "journal",
    "syslog",
    "dmesg",
    "klog",
    "logrus",
    "goroutine",
    "locks",
    "host_ps",
    "host_pstree",
    "host_netns",
    "host_cgroup",
    "host_runtime",
    "host_versions",
    "clock",
    "rules",
    "bundle",
    "inventory",
];

/// Runs the target called `name` on `data`; false when there is no such target.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "records" => records(data),
        "journal" => journal(data),
        "syslog" => syslog(data),
        "dmesg" => dmesg(data),
        "klog" => klog(data),
        "logrus" => logrus(data),
        "goroutine" => goroutine(data),
        "locks" => locks(data),
        "host_ps" => host_ps(data),
        "host_pstree" => host_pstree(data),
        "host_netns" => host_netns(data),
        "host_cgroup" => host_cgroup(data),
        "host_runtime" => host_runtime(data),
        "host_versions" => host_versions(data),
        "clock" => clock(data),
        "rules" => rules(data),
        "bundle" => bundle(data),
        "inventory" => inventory(data),
        _ => return false,
    }
    true
}

/// Every log format through `parse::records`; the first byte picks the format.
pub fn records(data: &[u8]) {
    if let Some((format, rest)) = pick(LOG_FORMATS, data) {
        drain_records(format, rest);
    }
    // The sniffer sees the same bytes first in real ingestion.
    let _ = parse::sniff_log(data);
}

/// journalctl output formats (short*, json, export, verbose); the first byte picks one.
pub fn journal(data: &[u8]) {
    if let Some((format, rest)) = pick(JOURNAL_FORMATS, data) {
        drain_records(format, rest);
    }
}

/// Syslog files (RFC 3164, RFC 3339 precise, RFC 5424).
pub fn syslog(data: &[u8]) {
    drain_records(Format::Syslog, data);
}

/// Kernel ring buffer: dmesg in all its shapes and /dev/kmsg records; both on every input.
pub fn dmesg(data: &[u8]) {
    drain_records(Format::Dmesg, data);
    drain_records(Format::Kmsg, data);
}

/// klog text and Kubernetes JSON logging; both on every input.
pub fn klog(data: &[u8]) {
    drain_records(Format::Klog, data);
    drain_records(Format::KlogJson, data);
}

/// logrus text (dockerd, containerd, CRI-O).
pub fn logrus(data: &[u8]) {
    drain_records(Format::Logrus, data);
}

/// Goroutine dumps: the parser, then bucketing and lock inference over what it produced.
pub fn goroutine(data: &[u8]) {
    let _ = parse::goroutine::sniff(data);
    let dump = parse::goroutine::parse(data);
    let analysis = stacks::analyze(&dump);
    let buckets = stacks::bucket_of(&analysis, &dump);
    std::hint::black_box((&analysis, buckets));
}

/// The largest graph a `locks` input builds.
pub const LOCKS_MAX_GOROUTINES: u32 = 100_000;
/// Graphs up to this size are checked against brute force.
const LOCKS_CHECKED: usize = 512;

/// Mutex wait-for graphs of up to [`LOCKS_MAX_GOROUTINES`] goroutines built from a few bytes
/// (a small program of chains, cycles, convoys, RWMutex queues and links between them; see
/// `lock_graph::Graph::from_program`), rendered as a dump in real traceback grammar and
/// analysed. Every lock must get the holder and the waiters the dump was drawn with; on
/// graphs of up to [`LOCKS_CHECKED`] goroutines the deadlocks and transitive waiter counts must
/// equal a brute-force computation over the model's edges.
pub fn locks(data: &[u8]) {
    let g = lock_graph::Graph::from_program(data, LOCKS_MAX_GOROUTINES);
    let dump = g.to_bytes();
    let a = stacks::analyze(&parse::goroutine::parse(&dump));
    assert_eq!(a.goroutines, g.goroutines.len() as u64);
    let mut waiters: Vec<u64> = vec![0; g.locks.len()];
    for w in &g.goroutines {
        if let Some((l, _)) = w.waits {
            waiters[l as usize] += 1;
        }
    }
    // (address, holder, waiters) of every contended lock, by address.
    let drawn: Vec<(u64, Option<u64>, u64)> = g
        .locks
        .iter()
        .zip(&waiters)
        .enumerate()
        .filter(|(_, (_, w))| **w > 0)
        .map(|(i, (l, &w))| {
            let address = lock_graph::Graph::address(i as u32);
            (address, l.holder.map(lock_graph::Graph::id), w)
        })
        .collect();
    let mut found: Vec<(u64, Option<u64>, u64)> = a
        .locks
        .iter()
        .map(|l| {
            let hex = l.address.trim_start_matches("0x");
            let address = u64::from_str_radix(hex, 16).expect("a hexadecimal address");
            (address, l.holder, l.waiters_total)
        })
        .collect();
    found.sort_unstable();
    assert_eq!(found, drawn, "holders and waiters");
    if g.goroutines.len() <= LOCKS_CHECKED {
        let e = g.expected();
        assert_eq!(a.deadlocks, e.deadlocks, "deadlocks");
        let counts: BTreeMap<String, (Option<u64>, u64, u64)> = a
            .locks
            .iter()
            .map(|l| {
                let c = (l.holder, l.waiters_total, l.transitive_waiters);
                (l.address.clone(), c)
            })
            .collect();
        assert_eq!(counts, e.locks, "transitive waiters");
    }
}

/// `ps` tables in every sos shape, directly and through the host-state builder.
pub fn host_ps(data: &[u8]) {
    let t = ps::parse(data);
    std::hint::black_box(&t);
    for line in data.split(|&c| c == b'\n') {
        let _ = ps::is_header(line);
        let _ = ps::program_name(line);
    }
    host("sos_commands/process/ps_auxwww", &[Format::Ps], data);
}

/// `pstree` output, directly and through the host-state builder.
pub fn host_pstree(data: &[u8]) {
    std::hint::black_box(pstree::parse(data));
    host("sos_commands/process/pstree_-lp", &[Format::Pstree], data);
}

/// Network namespaces: lsns, ip netns, ip addr, nsenter blocks, the docker netns listing.
pub fn host_netns(data: &[u8]) {
    std::hint::black_box(netns::parse_lsns(data));
    std::hint::black_box(netns::parse_ip_netns(data));
    std::hint::black_box(netns::parse_ip_addr(data));
    std::hint::black_box(netns::parse_nsenter(data));
    host(
        "sos_commands/networking/ns",
        &[
            Format::Lsns,
            Format::IpNetns,
            Format::IpAddr,
            Format::NsenterIpAddr,
        ],
        data,
    );
    host(
        "sos_commands/docker/ls_-l_.var.run.docker.netns",
        &[Format::DirListing],
        data,
    );
}

/// cgroup control files and `/proc/<pid>/cgroup`; the first line is the member path.
pub fn host_cgroup(data: &[u8]) {
    let (path, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (
            String::from_utf8_lossy(&data[..i]).into_owned(),
            &data[i + 1..],
        ),
        None => (String::from("sys/fs/cgroup/pids/kubepods/pids.max"), data),
    };
    std::hint::black_box(cgroup::file_path(&path));
    std::hint::black_box(cgroup::parse_limit(body));
    std::hint::black_box(cgroup::parse_keyed(body));
    for row in cgroup::parse_proc_cgroup(body) {
        std::hint::black_box(&row);
    }
    std::hint::black_box(cgroup::container_ref(body));
    host(&path, &[Format::Cgroup, Format::ProcCgroup], body);
}

/// Container runtime and systemd outputs: docker ps/inspect/info/version, ctr, crictl, systemctl.
pub fn host_runtime(data: &[u8]) {
    let _ = runtime::sniff_host(data);
    std::hint::black_box(runtime::parse_docker_ps(data));
    std::hint::black_box(runtime::parse_docker_inspect(data));
    std::hint::black_box(runtime::parse_key_values(data));
    std::hint::black_box(runtime::parse_docker_version(data));
    std::hint::black_box(runtime::parse_docker_info(data));
    std::hint::black_box(runtime::parse_ctr_tasks(data));
    std::hint::black_box(runtime::parse_ctr_containers(data));
    std::hint::black_box(runtime::parse_crictl_ps(data));
    std::hint::black_box(runtime::parse_crictl_pods(data));
    std::hint::black_box(runtime::parse_systemctl_status(data));
    std::hint::black_box(runtime::parse_systemctl_units(data));
    for line in data.split(|&b| b == b'\n') {
        if let Some(r) = analyzer_core::parse::containers::parse_row(1, line) {
            std::hint::black_box(analyzer_core::parse::containers::command_matches(
                r.command, line,
            ));
        }
    }
    let tree = analyzer_core::parse::cgtree::parse_tree(data);
    std::hint::black_box(analyzer_core::parse::cgtree::init_only_scopes(&tree));
    host(
        "sos_commands/docker/docker_ps_-a",
        &[
            Format::DockerPs,
            Format::DockerInspect,
            Format::DockerInfo,
            Format::DockerVersion,
            Format::CtrTasks,
            Format::CtrContainers,
            Format::CrictlPs,
            Format::CrictlPods,
            Format::SystemctlStatus,
            Format::SystemctlUnits,
        ],
        data,
    );
}

/// Versions: uname, os-release, package lists, version comparison, version hints in log lines.
pub fn host_versions(data: &[u8]) {
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
    host(
        "sos_commands/kernel/uname_-a",
        &[Format::Uname, Format::OsRelease, Format::Packages],
        data,
    );
}

/// Collection-time sources: `date`, `timedatectl`, `etc/localtime` (TZif), zone names.
pub fn clock(data: &[u8]) {
    let mut c = ClockBuilder::new();
    c.add_date("sos_commands/date/date", data);
    c.add_timedatectl("sos_commands/systemd/timedatectl", data);
    c.add_localtime(data);
    if let Ok(s) = std::str::from_utf8(data) {
        c.add_zone_name(s);
    }
    std::hint::black_box(c.finish());
}

/// The rule file loader: TOML parsing, validation, regex and literal compilation.
pub fn rules(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(engine) = Engine::compile([("f.toml", text)]) {
            // A rule that compiled must also scan.
            let scan = engine.scan(text.as_bytes());
            std::hint::black_box(&scan);
        }
    }
}

/// The built-in rules, compiled once (compiling them is not what is fuzzed here).
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| analyzer_core::rules::load(&[]).expect("built-in rules compile"))
}

/// Whole-bundle analysis from bytes: sniffing, decompression, archives, every parser, the rules.
pub fn bundle(data: &[u8]) {
    let opts = Options {
        limits: Limits {
            max_member_bytes: 4 << 20,
            max_total_bytes: 16 << 20,
            ratio_check_bytes: 1 << 20,
            ..Limits::default()
        },
        ..Options::default()
    };
    let _ = analyze_with(&Bundle::from_bytes("x", data.to_vec()), &opts, engine());
}

/// Whole-bundle inventory from bytes: what is in a bundle and what could not be read.
pub fn inventory(data: &[u8]) {
    let limits = Limits {
        max_member_bytes: 4 << 20,
        max_total_bytes: 16 << 20,
        ratio_check_bytes: 1 << 20,
        ..Limits::default()
    };
    let _ = analyzer_core::inventory::inventory(&Bundle::from_bytes("x", data.to_vec()), &limits);
}
