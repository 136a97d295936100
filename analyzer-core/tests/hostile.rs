//! Hostile bundles, generated here: hostile member names, links, special entries, bombs,
//! truncated and corrupted streams, odd bytes. Each case checks that the analysis succeeds, what
//! it warns about (member and offset), and that the finding of the intact part survives.
//!
//! The heavy cases (1 GB of random bytes, 10M journal lines, 1M goroutines, endless stdin, a
//! 200 MB line) run against the binary in `analyzer-cli/tests/hostile_cli.rs`, which also checks
//! peak memory and that no file is created.

use std::io::Write;

use analyzer_core::analysis::{Options, analyze};
use analyzer_core::input::{Bundle, Limits, Warning};
use analyzer_core::inventory::inventory;
use analyzer_core::report::Report;

/// A kernel memcg OOM kill of runc's init, as journald prints it (`journalctl --no-pager`, sos
/// `sos_commands/logs/journalctl_--no-pager`); the line is the one of moby/moby#33192 and
/// opencontainers/runc#1980.
const OOM_JOURNAL: &str = "Aug 20 10:25:50 node1 systemd[1]: Started Docker Application Container Engine.\n\
Aug 20 10:25:54 node1 kernel: Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n\
Aug 20 10:25:54 node1 kernel: Killed process 20357 (runc:[2:INIT]) total-vm:10240kB, anon-rss:2048kB, file-rss:0kB, shmem-rss:0kB\n";

/// Where sos puts the journal.
const JOURNAL_PATH: &str = "sosreport-node1-2020-08-20/sos_commands/logs/journalctl_--no-pager";

// ---------------------------------------------------------------------------------------------
// A raw ustar writer: the `tar` crate refuses the names and entries under test, so headers are
// written by hand (POSIX.1-1988 ustar layout, the layout of GNU tar's `--format=ustar`).

/// Type flags of ustar headers.
mod flag {
    pub const FILE: u8 = b'0';
    pub const HARD: u8 = b'1';
    pub const SYMLINK: u8 = b'2';
    pub const CHAR: u8 = b'3';
    pub const BLOCK: u8 = b'4';
    pub const DIR: u8 = b'5';
    pub const FIFO: u8 = b'6';
}

fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let text = format!("{value:0width$o}");
    field[..width].copy_from_slice(&text.as_bytes()[text.len() - width..]);
    field[width] = 0;
}

/// One header block for `name` (at most 100 bytes, any bytes) of `size` bytes.
fn header(name: &[u8], kind: u8, link: &[u8], size: u64) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], 1_597_919_154);
    h[156] = kind;
    h[157..157 + link.len().min(100)].copy_from_slice(&link[..link.len().min(100)]);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let text = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(text.as_bytes());
    h
}

/// Appends an entry (header and padded data) to `out`.
fn entry(out: &mut Vec<u8>, name: &[u8], kind: u8, link: &[u8], data: &[u8]) {
    out.extend_from_slice(&header(name, kind, link, data.len() as u64));
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(512), 0);
}

fn file(out: &mut Vec<u8>, name: &str, data: &[u8]) {
    entry(out, name.as_bytes(), flag::FILE, b"", data);
}

fn finish(mut out: Vec<u8>) -> Vec<u8> {
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// A sosreport tar whose journal holds the OOM kill, then whatever `rest` appends.
fn sos_tar(rest: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut t = Vec::new();
    entry(&mut t, b"sosreport-node1-2020-08-20/", flag::DIR, b"", b"");
    entry(
        &mut t,
        b"sosreport-node1-2020-08-20/sos_commands/",
        flag::DIR,
        b"",
        b"",
    );
    file(&mut t, JOURNAL_PATH, OOM_JOURNAL.as_bytes());
    rest(&mut t);
    finish(t)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn run(name: &str, bytes: Vec<u8>) -> Report {
    run_with(name, bytes, Limits::default())
}

fn run_with(name: &str, bytes: Vec<u8>, limits: Limits) -> Report {
    let opts = Options {
        limits,
        ..Options::default()
    };
    analyze(&Bundle::from_bytes(name, bytes), &opts).expect("a hostile bundle still analyses")
}

/// The OOM finding from the intact journal: one kill of `runc:[2:INIT]`, evidence at line 2.
fn assert_oom(r: &Report) {
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "oom-kill")
        .unwrap_or_else(|| panic!("no oom-kill finding; warnings: {:?}", r.warnings));
    assert!(
        f.summary.contains("runc:[2:INIT]") && f.summary.contains("20357"),
        "{}",
        f.summary
    );
    assert!(
        f.evidence
            .iter()
            .any(|e| e.path.ends_with("journalctl_--no-pager") && e.line == 2),
        "{:?}",
        f.evidence
    );
}

fn warnings_about<'r>(r: &'r Report, needle: &str) -> Vec<&'r Warning> {
    r.warnings
        .iter()
        .filter(|w| w.message.contains(needle))
        .collect()
}

// ---------------------------------------------------------------------------------------------

#[test]
fn traversal_and_absolute_names_are_refused_not_written() {
    let tar = sos_tar(|t| {
        file(t, "../a/../../etc/passwd", b"root:x:0:0::/root:/bin/bash\n");
        file(t, "/etc/shadow", b"root:*:18000:0:99999:7:::\n");
        file(
            t,
            "sosreport-node1-2020-08-20/../../../tmp/evil",
            b"Aug 20 10:25:55 node1 kernel: evil\n",
        );
    });
    let r = run("node1.tar", tar);
    assert_oom(&r);
    for name in ["../a/../../etc/passwd", "/etc/shadow"] {
        assert!(
            r.warnings.iter().any(|w| w.path == name),
            "no warning names {name}: {:?}",
            r.warnings
        );
    }
    // Nothing with the hostile names is read as a member.
    let inv = inventory(
        &Bundle::from_bytes("node1.tar", sos_tar(|t| file(t, "../x", b"y\n"))),
        &Limits::default(),
    )
    .unwrap();
    assert!(inv.members.iter().all(|m| !m.path.contains("..")));
    assert!(!std::path::Path::new("/etc/shadow.nodemortem").exists());
}

#[test]
fn symlink_loops_escapes_and_long_chains() {
    let tar = sos_tar(|t| {
        let d = "sosreport-node1-2020-08-20/";
        entry(
            t,
            format!("{d}loop-a").as_bytes(),
            flag::SYMLINK,
            b"loop-b",
            b"",
        );
        entry(
            t,
            format!("{d}loop-b").as_bytes(),
            flag::SYMLINK,
            b"loop-a",
            b"",
        );
        entry(
            t,
            format!("{d}self").as_bytes(),
            flag::SYMLINK,
            b"self",
            b"",
        );
        entry(
            t,
            format!("{d}escape").as_bytes(),
            flag::SYMLINK,
            b"../../../../etc/passwd",
            b"",
        );
        entry(
            t,
            format!("{d}absolute").as_bytes(),
            flag::SYMLINK,
            b"/etc/passwd",
            b"",
        );
        // chain-0 -> chain-1 -> … -> chain-100 -> the journal
        for i in 0..100 {
            entry(
                t,
                format!("{d}chain-{i}").as_bytes(),
                flag::SYMLINK,
                format!("chain-{}", i + 1).as_bytes(),
                b"",
            );
        }
        entry(
            t,
            format!("{d}chain-100").as_bytes(),
            flag::SYMLINK,
            b"sos_commands/logs/journalctl_--no-pager",
            b"",
        );
    });
    let r = run("node1.tar", tar.clone());
    assert_oom(&r);
    let loops = warnings_about(&r, "link loop or chain longer than 32");
    let mut paths: Vec<&str> = loops.iter().map(|w| w.path.as_str()).collect();
    paths.sort_unstable();
    // The loops, and the chain links more than 32 links from the journal: chain-i is 101 - i
    // links away, so chain-0..=chain-68 are refused and chain-69..=chain-100 resolve.
    assert!(paths.contains(&"loop-a") && paths.contains(&"loop-b") && paths.contains(&"self"));
    assert!(paths.contains(&"chain-0") && paths.contains(&"chain-68"));
    assert!(!paths.contains(&"chain-69"), "{paths:?}");
    assert_eq!(loops.len(), 3 + 69, "{paths:?}");
    assert_eq!(warnings_about(&r, "leaves the bundle").len(), 1);
    // The absolute link resolves inside the bundle root (sos archives store /etc links so).
    assert!(
        r.warnings
            .iter()
            .any(|w| w.path == "absolute" && w.message.contains("dangling")),
        "{:?}",
        r.warnings
    );

    // With a deeper limit the whole chain resolves.
    let deep = Limits {
        max_link_depth: 128,
        ..Limits::default()
    };
    let r = run_with("node1.tar", tar, deep);
    assert_eq!(warnings_about(&r, "link loop").len(), 3);
}

#[test]
fn hard_links_to_missing_members_devices_and_fifos() {
    let tar = sos_tar(|t| {
        let d = "sosreport-node1-2020-08-20/";
        entry(
            t,
            format!("{d}hard").as_bytes(),
            flag::HARD,
            b"nowhere/missing",
            b"",
        );
        entry(t, format!("{d}dev/sda").as_bytes(), flag::BLOCK, b"", b"");
        entry(t, format!("{d}dev/null").as_bytes(), flag::CHAR, b"", b"");
        entry(
            t,
            format!("{d}run/initctl").as_bytes(),
            flag::FIFO,
            b"",
            b"",
        );
        entry(
            t,
            format!("{d}journal-again").as_bytes(),
            flag::HARD,
            JOURNAL_PATH.as_bytes(),
            b"",
        );
    });
    let r = run("node1.tar", tar);
    assert_oom(&r);
    let hard = warnings_about(&r, "not an earlier member");
    assert_eq!(hard.len(), 1);
    assert_eq!(hard[0].path, "hard");
    let special: Vec<&str> = warnings_about(&r, "device or fifo")
        .iter()
        .map(|w| w.path.as_str())
        .collect();
    assert_eq!(special, ["dev/sda", "dev/null", "run/initctl"]);
}

#[test]
fn a_hundred_thousand_tiny_members() {
    let build = |n: usize| {
        sos_tar(|t| {
            for i in 0..n {
                file(
                    t,
                    &format!("sosreport-node1-2020-08-20/proc/{i}/comm"),
                    b"x\n",
                );
            }
        })
    };
    let tar = gzip(&build(100_000));
    let r = run("node1.tar.gz", tar.clone());
    assert_oom(&r);
    // Nothing lost; the yearless journal's year is assumed (the bundle states none).
    assert!(
        r.warnings
            .iter()
            .all(|w| w.kind == analyzer_core::input::WarningKind::Assumption),
        "{:?}",
        r.warnings
    );

    let few = Limits {
        max_members: 1_000,
        ..Limits::default()
    };
    let r = run_with("node1.tar.gz", tar, few);
    assert_oom(&r);
    let cut = warnings_about(&r, "more than 1000 members in one input");
    assert_eq!(cut.len(), 1);
    // The journal is member 1; member 1001 is proc/999/comm.
    assert_eq!(cut[0].path, "proc/999/comm");
}

/// 1 GiB of zeros as 16 concatenated compressed streams of 64 MiB each (a multi-stream bomb,
/// about 1 MB of gzip); the guard stops it at the ratio limit.
#[test]
fn gzip_and_xz_bombs_are_stopped() {
    let zeros = vec![0u8; 64 << 20];
    for (name, one) in [("bomb.gz", gzip(&zeros)), ("bomb.xz", xz(&zeros))] {
        let bomb: Vec<u8> = one.repeat(16);
        assert!(bomb.len() < 2 << 20, "{name}: {} bytes", bomb.len());
        // The bomb as a member of the sosreport, after the journal.
        let tar = sos_tar(|t| file(t, "sosreport-node1-2020-08-20/var/log/messages.1.gz", &bomb));
        let r = run("node1.tar", tar);
        assert_oom(&r);
        let w = warnings_about(&r, "stopped as a possible decompression bomb");
        assert_eq!(w.len(), 1, "{name}: {:?}", r.warnings);
        assert_eq!(w[0].path, "var/log/messages.1.gz");
        // Stopped a little after the 64 MiB check threshold, long before 1 GiB.
        let at = w[0].offset.unwrap();
        assert!(at > 64 << 20 && at < 80 << 20, "{name}: {at}");
        // Both members were read: the journal and the bomb up to its cut.
        assert_eq!(r.stats.members, 2, "{name}");
        // The bomb alone.
        let r = run(name, bomb);
        assert_eq!(
            warnings_about(&r, "stopped as a possible decompression bomb").len(),
            1
        );
        // Zeros up to the cut are no log: no member parsed (the CLI says "nothing could be
        // read … (1 member(s), … bytes skipped)", exit 2).
        assert_eq!(r.stats.members, 0, "{name}");
    }
}

#[test]
fn truncated_gz_xz_and_tar() {
    let mut tail = Vec::new();
    let tar = sos_tar(|t| {
        // A big member after the journal so that cuts land inside it.
        for i in 0..2000 {
            writeln!(tail, "Aug 20 10:26:{:02} node1 kubelet[1200]: I0820 10:26:00.000000    1200 kubelet.go:1000] sync loop {i}", i % 60).unwrap();
        }
        file(t, "sosreport-node1-2020-08-20/var/log/messages", &tail);
    });
    for (name, mut bytes) in [
        ("node1.tar.gz", gzip(&tar)),
        ("node1.tar.xz", xz(&tar)),
        ("node1.tar", tar.clone()),
    ] {
        let keep = bytes.len() * 2 / 3;
        bytes.truncate(keep);
        let r = run(name, bytes);
        assert_oom(&r);
        assert!(!r.warnings.is_empty(), "{name}: no warning");
        let w = &r.warnings[0];
        assert!(
            w.path == name || w.path == "var/log/messages",
            "{name}: {w:?}"
        );
        assert!(w.offset.is_some(), "{name}: {w:?}");
    }
}

#[test]
fn crc_and_header_checksum_errors() {
    // gzip: the CRC32 in the trailer (last 8 bytes: CRC, ISIZE) flipped.
    let tar = sos_tar(|_| {});
    let mut gz = gzip(&tar);
    let n = gz.len();
    gz[n - 8] ^= 0xff;
    let r = run("node1.tar.gz", gz);
    assert_oom(&r);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.path == "node1.tar.gz" || w.message.contains("corrupt")),
        "{:?}",
        r.warnings
    );

    // tar: the second file's header checksum broken; the first file (the journal) survives.
    let tar = sos_tar(|t| {
        let at = t.len();
        file(t, "sosreport-node1-2020-08-20/var/log/messages", b"x\n");
        // A valid octal number, but not the sum of the header.
        t[at + 148] = b'7';
        file(t, "sosreport-node1-2020-08-20/var/log/after", b"y\n");
    });
    let r = run("node1.tar", tar);
    assert_oom(&r);
    let w = warnings_about(&r, "checksum");
    assert_eq!(w.len(), 1, "{:?}", r.warnings);
    assert_eq!(w[0].path, "node1.tar");
    // Two directory headers and the journal (header and one data block): the bad header is
    // at 2048; the warning names the offset just past it.
    assert_eq!(w[0].offset, Some(2560));
}

#[test]
fn non_utf8_names_and_contents() {
    let mut journal = OOM_JOURNAL.as_bytes().to_vec();
    journal.extend_from_slice(
        b"Aug 20 10:25:56 node1 dockerd[900]: \xff\xfe\xc3(\x80 invalid \xed\xa0\x80\n",
    );
    let mut t = Vec::new();
    entry(&mut t, b"sosreport-node1-2020-08-20/", flag::DIR, b"", b"");
    entry(&mut t, JOURNAL_PATH.as_bytes(), flag::FILE, b"", &journal);
    entry(
        &mut t,
        b"sosreport-node1-2020-08-20/var/log/\xff\xfe-\xc0\xaf.log",
        flag::FILE,
        b"",
        b"Aug 20 10:25:57 node1 kernel: \xff\xff\xff\n",
    );
    let r = run("node1.tar", finish(t));
    assert_oom(&r);
    // Nothing lost; the yearless journal's year is assumed (the bundle states none).
    assert!(
        r.warnings
            .iter()
            .all(|w| w.kind == analyzer_core::input::WarningKind::Assumption),
        "{:?}",
        r.warnings
    );
    assert_eq!(r.stats.members, 2);
}

#[test]
fn empty_inputs() {
    let r = run("empty.log", Vec::new());
    assert!(r.findings.is_empty());
    let r = run("node1.tar", finish(Vec::new()));
    assert!(r.findings.is_empty());
    let r = run("empty.gz", gzip(b""));
    assert!(r.findings.is_empty());
}

/// A record longer than the line limit is cut for analysis, with one warning at its offset; the
/// lines after it are analysed as usual.
#[test]
fn overlong_line_is_cut_and_named() {
    let mut journal = Vec::new();
    journal.extend_from_slice(b"Aug 20 10:25:53 node1 dockerd[900]: ");
    journal.extend(std::iter::repeat_n(b'a', 3 << 20));
    journal.push(b'\n');
    journal.extend_from_slice(OOM_JOURNAL.as_bytes());
    let tar = sos_tar(|t| file(t, "sosreport-node1-2020-08-20/var/log/messages", &journal));
    let r = run("node1.tar", tar);
    assert_oom(&r);
    let w = warnings_about(&r, "lines longer than 1048576 bytes");
    assert_eq!(w.len(), 1, "{:?}", r.warnings);
    assert_eq!(w[0].path, "var/log/messages");
    assert_eq!(w[0].offset, Some(0));
}

/// A journal of identical OOM lines keeps at most `max_events_per_member` events.
#[test]
fn identical_event_lines_are_bounded() {
    let line = "Aug 20 10:25:54 node1 kernel: Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n";
    let journal = line.repeat(50_000);
    let limits = Limits {
        max_events_per_member: 100,
        ..Limits::default()
    };
    let r = run_with("journalctl_--no-pager", journal.into_bytes(), limits);
    assert!(r.findings.iter().any(|f| f.rule == "oom-kill"));
    let w = warnings_about(&r, "more than 100 events in one member");
    assert_eq!(w.len(), 1, "{:?}", r.warnings);
    // An OOM event is complete when the next record starts: the 101st event (line 101) is
    // emitted at line 102, whose offset the warning names.
    assert_eq!(w[0].offset, Some(101 * line.len() as u64));
}

/// Kernel lines from 200 000 different host names (a merged or forged journal): the event
/// assembler keeps one state per host and finds it by name in constant time, so this stays
/// linear (it was a linear search per record: quadratic).
#[test]
fn kernel_lines_from_many_hosts_stay_linear() {
    let mut journal = String::new();
    for i in 0..200_000 {
        writeln_str(
            &mut journal,
            &format!("Aug 20 10:25:53 node{i} kernel: eth0: link up"),
        );
    }
    journal.push_str(OOM_JOURNAL);
    let started = std::time::Instant::now();
    let tar = sos_tar(|t| {
        file(
            t,
            "sosreport-node1-2020-08-20/var/log/messages",
            journal.as_bytes(),
        )
    });
    let r = run("node1.tar", tar);
    assert_oom(&r);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

fn writeln_str(s: &mut String, line: &str) {
    s.push_str(line);
    s.push('\n');
}

/// A spent time budget: members arriving after it are not analysed, one warning names the
/// first of them, and the report is marked partial.
#[test]
fn time_budget_marks_the_report_partial() {
    let opts = Options {
        timeout: Some(std::time::Duration::ZERO),
        ..Options::default()
    };
    let tar = sos_tar(|_| {});
    let r = analyze(&Bundle::from_bytes("node1.tar", tar), &opts).unwrap();
    assert!(r.stats.partial);
    assert!(r.findings.iter().all(|f| f.rule != "oom-kill"));
    let w = warnings_about(&r, "time budget exhausted");
    assert_eq!(w.len(), 1, "{:?}", r.warnings);
    assert_eq!(w[0].path, "sos_commands/logs/journalctl_--no-pager");
}

// ---------------------------------------------------------------------------------------------
// Wait-for graphs of 100 000 goroutines (docs/security.md, "Graph walks"): every walk of the
// lock analysis is iterative and linear. Dumps come from `benches/src/lock_graph.rs` (real
// traceback grammar: `semacquire` waiters in `(*Account).Deposit`, holders in
// `(*Account).Transfer`).

use analyzer_core::parse::goroutine::parse;
use analyzer_core::report::Finding;
use analyzer_core::stacks::{self, Activity, Analysis};
// The generator is loaded once per test binary, through the fuzz bodies.
use crate::fuzz_regressions::fuzz_common::lock_graph::{Go, Graph, Wait};

/// Goroutines of the large graphs.
const N: u32 = 100_000;

/// Where dockerd writes its SIGUSR1 dump, inside the sosreport.
const DUMP_PATH: &str =
    "sosreport-node1-2020-08-20/var/run/docker/goroutine-stacks-2020-08-20T102554Z.log";

/// `stacks::analyze` of `dump` on a thread with the stack of a rayon worker (2 MiB), where
/// bundle members are analysed: a recursive walk of a long chain overflows it.
fn analyse_on_worker_stack(dump: Vec<u8>) -> Analysis {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || stacks::analyze(&parse(&dump)))
        .unwrap()
        .join()
        .expect("the analysis does not overflow a worker's stack")
}

/// A finding anywhere in the ranked tree (causes and the consequences they explain).
fn finding<'r>(r: &'r Report, rule: &str) -> &'r Finding {
    fn walk<'f>(fs: &'f [Finding], rule: &str) -> Option<&'f Finding> {
        // Iterative, like the code under test.
        let mut stack: Vec<&Finding> = fs.iter().collect();
        while let Some(f) = stack.pop() {
            if f.rule == rule {
                return Some(f);
            }
            stack.extend(f.explains.iter());
        }
        None
    }
    walk(&r.findings, rule).unwrap_or_else(|| panic!("no {rule} finding: {:?}", r.findings))
}

/// The sosreport with the journal and `dump`, as `.tar.gz`.
fn sos_with_dump(dump: &[u8]) -> Vec<u8> {
    gzip(&sos_tar(|t| file(t, DUMP_PATH, dump)))
}

/// Each goroutine holds one account's mutex and waits on the next one's, the last on the
/// first's (22 000 were enough to overflow the recursive Tarjan pass, and the per-lock
/// transitive walk was quadratic: 49 s for 22 000).
#[test]
fn a_lock_cycle_of_a_hundred_thousand_goroutines() {
    let dump = Graph::cycle(N, Go::V1_16).to_bytes();
    let started = std::time::Instant::now();
    let a = analyse_on_worker_stack(dump.clone());
    assert_eq!(a.goroutines, u64::from(N));
    assert_eq!(a.deadlocks, vec![(1..=u64::from(N)).collect::<Vec<u64>>()]);
    assert_eq!(a.locks.len(), N as usize);
    // Equal counts: address order. Lock i is held by goroutine i + 1 and waited on by the one
    // before it (lock 0 by the last).
    for (i, l) in a.locks.iter().enumerate() {
        let i = i as u32;
        assert_eq!(l.address, format!("{:#x}", Graph::address(i)));
        assert_eq!(l.holder, Some(Graph::id(i)), "{}", l.address);
        let waiter = if i == 0 { N } else { i };
        assert_eq!(l.waiters, vec![u64::from(waiter)]);
        assert_eq!(l.transitive_waiters, u64::from(N - 1), "{}", l.address);
    }

    let r = run("node1.tar.gz", sos_with_dump(&dump));
    assert_oom(&r);
    let deadlock = finding(&r, "goroutine-deadlock");
    assert_eq!(
        deadlock.summary,
        "1 lock cycle(s) in the goroutine dumps: goroutines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, \
         12, 13, 14, 15, 16 and 99984 more each wait for a lock another one holds (cycle of \
         100000)"
    );
    // Evidence: the header lines of the first holders of the cycle (14 lines a goroutine).
    let lines: Vec<u32> = deadlock.evidence.iter().map(|e| e.line).collect();
    assert_eq!(lines, [1, 15, 29, 43, 57, 71]);
    assert!(
        deadlock
            .evidence
            .iter()
            .all(|e| e.path == "var/run/docker/goroutine-stacks-2020-08-20T102554Z.log")
    );
    let convoy = finding(&r, "lock-convoy");
    assert_eq!(
        convoy.summary,
        "goroutines of a daemon queue behind a held lock: goroutine 1 (semacquire, activity \
         unknown) holds the mutex at 0xc000200008 while 99999 goroutines wait behind it; the longest waiters have waited 10 minutes"
    );
    // Not a time bound of the code (benches/ measures it): quadratic work would take minutes.
    assert!(started.elapsed() < std::time::Duration::from_secs(120));
}

/// Goroutine i waits on the mutex goroutine i + 1 holds; the last one is in `os.RemoveAll`
/// (10 000 took 2 s, 30 000 21 s and overflowed a worker's stack, 100 000 over 2 minutes).
#[test]
fn a_wait_chain_of_a_hundred_thousand_goroutines() {
    let dump = Graph::chain(N, Go::V1_13).to_bytes();
    let started = std::time::Instant::now();
    let a = analyse_on_worker_stack(dump.clone());
    assert!(a.deadlocks.is_empty());
    assert_eq!(a.locks.len(), N as usize - 1);
    // Root blocker first: lock j has the j goroutines before it behind it.
    for (k, l) in a.locks.iter().enumerate() {
        let j = N - 1 - k as u32;
        assert_eq!(l.address, format!("{:#x}", Graph::address(j)));
        assert_eq!(l.holder, Some(Graph::id(j)));
        assert_eq!(l.waiters, vec![u64::from(j)]);
        assert_eq!(l.transitive_waiters, u64::from(j));
    }
    assert_eq!(a.locks[0].holder_activity, Activity::Filesystem);
    assert_eq!(a.locks[0].holder_state.as_deref(), Some("syscall"));

    let r = run("node1.tar.gz", sos_with_dump(&dump));
    assert_oom(&r);
    assert!(r.findings.iter().all(|f| f.rule != "goroutine-deadlock"));
    let convoy = finding(&r, "lock-convoy");
    assert_eq!(
        convoy.summary,
        format!(
            "goroutines of a daemon queue behind a held lock: goroutine 100000 (syscall, \
             activity filesystem) holds the mutex at {:#x} while 99999 goroutines wait behind it; the longest waiters have waited 9 minutes",
            Graph::address(N - 1)
        )
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(120));
}

/// An RWMutex with 50 000 readers queued behind 50 000 pending writers: each reader waits on
/// every writer. As edges that was 2.5 billion (the analysis ran out of 24 GB); the readers
/// now reach the writers through one node. Checked against brute force on a small copy.
#[test]
fn readers_behind_fifty_thousand_pending_writers() {
    fn rw(readers: u32, writers: u32, holder_reads: bool) -> Graph {
        let mut g = Graph::new();
        let l = g.lock(true);
        let own = g.goroutine(Go::V1_24, 30);
        let rs: Vec<u32> = (0..readers).map(|_| g.goroutine(Go::V1_24, 4)).collect();
        for &r in &rs {
            g.wait(r, l, Wait::RLock);
        }
        for _ in 0..writers {
            let w = g.goroutine(Go::V1_24, 4);
            g.wait(w, l, Wait::WriterSem);
        }
        // The holder is in a syscall, or is the first reader asking again for its read lock.
        g.hold(if holder_reads { rs[0] } else { own }, l);
        g
    }
    for holder_reads in [false, true] {
        let small = rw(3, 2, holder_reads);
        let e = small.expected();
        let a = stacks::analyze(&parse(&small.to_bytes()));
        assert_eq!(a.deadlocks, e.deadlocks);
        let got: Vec<(Option<u64>, u64, u64)> = a
            .locks
            .iter()
            .map(|l| (l.holder, l.waiters_total, l.transitive_waiters))
            .collect();
        assert_eq!(got, e.locks.values().copied().collect::<Vec<_>>());

        let half = N / 2;
        let a = analyse_on_worker_stack(rw(half, half, holder_reads).to_bytes());
        assert_eq!(a.locks.len(), 1);
        let l = &a.locks[0];
        assert_eq!(l.waiters_total, u64::from(N));
        if holder_reads {
            // Goroutine 2 holds a read lock the writers wait for, and waits on them.
            assert_eq!(l.holder, Some(2));
            assert_eq!(l.transitive_waiters, u64::from(N - 1));
            let mut cycle: Vec<u64> = vec![2];
            cycle.extend(u64::from(half) + 2..=u64::from(N) + 1);
            assert_eq!(a.deadlocks, vec![cycle]);
        } else {
            assert_eq!(l.holder, Some(1));
            assert_eq!(l.transitive_waiters, u64::from(N));
            assert!(a.deadlocks.is_empty());
        }
    }
}

/// 500 mutexes one byte apart in one struct (a forged dump: each lock's offset, up to 512,
/// makes the same base) and 100 000 goroutines in a method of that struct: every goroutine is
/// a candidate holder of every lock. Kept whole, that was 50 million candidates (2.1 GB, 21 s);
/// now each lock counts them and keeps the strongest 20.
#[test]
fn a_base_shared_by_every_goroutine_keeps_candidates_bounded() {
    let base = 0xc000_4a2000u64;
    let mut dump = String::new();
    for l in 0..500u64 {
        let a = base + 8 + l;
        dump.push_str(&format!(
            "goroutine {} [semacquire, 7 minutes]:\n\
             sync.runtime_SemacquireMutex({:#x}, 0x0, 0x1)\n\t/usr/local/go/src/runtime/sema.go:71 +0x47\n\
             sync.(*Mutex).lockSlow({a:#x})\n\t/usr/local/go/src/sync/mutex.go:138 +0xfc\n\
             sync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:81\n\
             main.(*Shards).Get({base:#x}, 0x{l:x})\n\t/app/shards.go:41 +0x8a\n\n",
            l + 1,
            a + 4
        ));
    }
    for i in 0..u64::from(N) {
        dump.push_str(&format!(
            "goroutine {} [select, 7 minutes]:\n\
             main.(*Shards).loop({base:#x}, 0x{i:x})\n\t/app/shards.go:90 +0x45\n\
             created by main.(*Shards).Start in goroutine 1\n\t/app/shards.go:60 +0x5a\n\n",
            501 + i
        ));
    }
    let a = analyse_on_worker_stack(dump.into_bytes());
    assert_eq!(a.locks.len(), 500);
    for l in &a.locks {
        // 100 000 receivers (and the other locks' waiters as arguments): no single holder.
        assert_eq!(l.holder, None, "{}", l.address);
        assert_eq!(l.holder_candidates.len(), 20);
        assert!(
            l.holder_candidates
                .iter()
                .all(|c| c.reason == stacks::Reason::Receiver)
        );
        let ids: Vec<u64> = l.holder_candidates.iter().map(|c| c.id).collect();
        assert_eq!(ids, (501..521).collect::<Vec<u64>>());
    }
}

/// 100 000 workers receiving from the job channel they all carry, and 100 000 producers
/// carrying it too: fellow waiters are found by search, and the edges stop at their bound.
#[test]
fn a_worker_pool_of_a_hundred_thousand_on_one_channel() {
    let ch = 0xc000_0220c0u64;
    let mut dump = String::new();
    for i in 0..u64::from(N) {
        dump.push_str(&format!(
            "goroutine {} [chan receive, 3 minutes]:\n\
             runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n\t/usr/local/go/src/runtime/proc.go:424 +0xce\n\
             runtime.chanrecv1({ch:#x}, 0x0)\n\t/usr/local/go/src/runtime/chan.go:489 +0x12\n\
             main.worker({ch:#x}, 0x{i:x})\n\t/app/pool.go:17 +0x45\n\
             created by main.main in goroutine 1\n\t/app/pool.go:30 +0x5a\n\n",
            i + 1
        ));
    }
    for i in 0..u64::from(N) {
        dump.push_str(&format!(
            "goroutine {} [select, 3 minutes]:\n\
             main.producer({ch:#x}, 0x{i:x})\n\t/app/pool.go:40 +0x45\n\
             created by main.main in goroutine 1\n\t/app/pool.go:31 +0x5a\n\n",
            u64::from(N) + i + 1
        ));
    }
    let a = analyse_on_worker_stack(dump.into_bytes());
    assert_eq!(a.channel_edges.len(), 1000);
    for (k, e) in a.channel_edges.iter().enumerate() {
        assert_eq!((e.from, e.to), (k as u64 + 1, u64::from(N) + 1));
        assert_eq!(e.channel, "0xc0000220c0");
    }
}

/// A fork bomb of 100 000 processes under a shim re-parented to PID 1 (the pid-exhaustion
/// incident, `pstree -lp` as sos collects it): the process tree is walked through an index by
/// parent. A search of every process per parent (thread counts, children, descendants) made
/// this run for over 5 minutes.
#[test]
fn a_fork_bomb_of_a_hundred_thousand_processes_under_an_orphaned_shim() {
    const ID: &str = "6e65dee45dc4893fa81456344b8575209e90d78a01b12f3cd146e66820cbf405";
    let ps = format!(
        "USER        PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n\
root          1  0.0  0.0  193700   6812 ?        Ss   Mar09  12:31 /usr/lib/systemd/systemd --switched-root --system --deserialize 21\n\
root       1201  2.1  0.0 3525048  98120 ?        Ssl  Mar14 301:12 /usr/bin/dockerd --bip=10.233.14.129/24 --mtu=1450\n\
root       3990  0.0  0.0    7456   3400 ?        Sl   Mar12   0:05 docker-containerd-shim -namespace moby -workdir /var/lib/docker/containerd/daemon/io.containerd.runtime.v1.linux/moby/{ID} -address /var/run/docker/containerd/docker-containerd.sock -containerd-binary /usr/bin/docker-containerd -runtime-root /var/run/docker/runtime-runc\n"
    );
    let mut pstree = String::from("systemd(1)-+-docker-containe(3990)-+-{docker-containe}(3991)\n");
    let pad = "           |                       ";
    let n = N;
    for i in 0..n {
        let branch = if i + 1 == n { '`' } else { '|' };
        pstree.push_str(&format!("{pad}{branch}-sh({})\n", 100_000 + i));
    }
    pstree.push_str("           `-dockerd(1201)---{dockerd}(1202)\n");
    let docker_ps = "CONTAINER ID        IMAGE               COMMAND             CREATED             STATUS              PORTS               NAMES\n";
    let started = std::time::Instant::now();
    let tar = sos_tar(|t| {
        let dir = "sosreport-node1-2020-08-20/sos_commands";
        file(t, &format!("{dir}/process/ps_auxwwwm"), ps.as_bytes());
        file(t, &format!("{dir}/process/pstree_-lp"), pstree.as_bytes());
        file(t, &format!("{dir}/docker/docker_ps"), docker_ps.as_bytes());
    });
    let engine = analyzer_core::rules::load(&[]).unwrap();
    let bundle = Bundle::from_bytes("node1.tar.gz", gzip(&tar));
    let a =
        analyzer_core::analysis::analyze_detailed(&bundle, &Options::default(), &engine).unwrap();
    let r = &a.report;
    assert_oom(r);
    let shim = finding(r, "orphaned-shim");
    assert_eq!(
        shim.summary,
        format!(
            "1 v1 shim process(es) are re-parented to PID 1 and unknown to dockerd (e.g. pid \
             3990, container {ID}); {n} process(es) still run in those containers"
        )
    );
    // The HTML report draws the shim's subtree (one line per process).
    let html = analyzer_core::report::html::render(r, &(&a).into());
    assert!(
        html.contains("\n└─ sh(199999)\n"),
        "no subtree in the HTML report"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(120));
}

/// Out-of-range stamps are no time: `short-unix` 2^64 − 1 seconds (shown as 1969),
/// `__REALTIME_TIMESTAMP=9223372036854775807` of `journalctl -o export` (a finding "at
/// 1970-01-01"), an ISO stamp past year 9999 once its offset applies. Each follows a line of
/// 2020-08-20T10:25:50Z: that stays the only time of the report, none wrapped or clamped.
#[test]
fn out_of_range_times_are_untimed_never_wrapped() {
    let oom = "Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child";
    let cases: [(&str, String); 3] = [
        (
            "journalctl_--no-pager_-o_short-unix",
            format!(
                "1597919150.000000 node1 systemd[1]: Started Docker Application Container Engine.\n18446744073709551615.000000 node1 kernel: {oom}\n"
            ),
        ),
        (
            "journal.export",
            format!(
                "__CURSOR=s=1;i=1\n__REALTIME_TIMESTAMP=1597919150000000\n__MONOTONIC_TIMESTAMP=1\n_TRANSPORT=journal\nSYSLOG_IDENTIFIER=systemd\n_HOSTNAME=node1\nMESSAGE=Started Docker Application Container Engine.\n\n__CURSOR=s=1;i=2\n__REALTIME_TIMESTAMP=9223372036854775807\n__MONOTONIC_TIMESTAMP=2\n_TRANSPORT=kernel\nSYSLOG_IDENTIFIER=kernel\n_HOSTNAME=node1\nMESSAGE={oom}\n\n"
            ),
        ),
        (
            "containerd.log",
            format!(
                "time=\"2020-08-20T10:25:50.000000000Z\" level=info msg=\"starting containerd\"\ntime=\"9999-12-31T23:59:59.000000000-01:00\" level=error msg=\"{oom}\"\n"
            ),
        ),
    ];
    let valid = Some(analyzer_core::base::time::Timestamp::from_secs_micros(
        1_597_919_150,
        0,
    ));
    for (name, text) in cases {
        // The out-of-range time is on the second record, after the first line (the export
        // entry: after the first entry).
        let second = match name {
            "journal.export" => text.find("\n\n").unwrap() + 2,
            _ => text.find('\n').unwrap() + 1,
        } as u64;
        // Many such records in one member: one warning with the count.
        let tail = text[second as usize..].to_string();
        for (copies, text) in [(1, text.clone()), (1000, text + &tail.repeat(999))] {
            let r = run(name, text.into_bytes());
            assert_eq!((r.stats.first, r.stats.last), (valid, valid), "{name}");
            for f in &r.findings {
                for e in &f.evidence {
                    assert!(e.time.is_none() || e.time == valid, "{name}: {e:?}");
                }
            }
            // The record is kept, untimed: its OOM kill is found (a kernel line; containerd
            // quoting the text is none).
            assert!(
                name == "containerd.log" || r.findings.iter().any(|f| f.rule == "oom-kill"),
                "{name}: {:?}",
                r.findings
            );
            let w: Vec<_> = r
                .warnings
                .iter()
                .filter(|w| w.kind != analyzer_core::input::WarningKind::Assumption)
                .map(|w| (w.path.as_str(), w.offset, w.message.as_str()))
                .collect();
            assert_eq!(
                w,
                [(
                    name,
                    Some(second),
                    format!(
                        "{copies} record(s) with a time out of range (before year 1 or past 9999); read as untimed"
                    )
                    .as_str()
                )],
                "{name}"
            );
        }
    }
}

/// A bad `min_count` names the field (it named the value, `-1`); a broken summary template
/// (`{e`) is refused when the rule is compiled (it was accepted and shown raw).
#[test]
fn broken_rule_files_name_the_field() {
    let rule = |summary: &str, min_count: &str| {
        format!(
            "id = \"x-test\"\ntitle = \"t\"\nseverity = \"high\"\nsummary = \"{summary}\"\nexplanation = \"x\"\nremediation = \"y\"\n\n[[evidence]]\nid = \"e\"\nkind = \"log\"\nrole = \"required\"\ndescribe = \"foo lines\"\npattern = \"foo\"\nmin_count = {min_count}\n"
        )
    };
    let compile = |text: String| {
        analyzer_core::rules::engine::Engine::compile([("user/x.toml", text.as_str())])
            .err()
            .map(|e| e.to_string())
    };
    assert_eq!(compile(rule("{e.count} foo lines", "2")), None);
    assert_eq!(
        compile(rule("{e.count} foo lines", "-1")).as_deref(),
        Some("user/x.toml:14: evidence[0].min_count: invalid value: integer `-1`, expected u64")
    );
    assert_eq!(
        compile(rule("broken {e", "2")).as_deref(),
        Some("user/x.toml:4: summary: '{' not closed by '}' at \"{e\"")
    );
    assert_eq!(
        compile(rule("[[{e.count} lines", "2")).as_deref(),
        Some("user/x.toml:4: summary: '[[' not closed by ']]'")
    );
}

/// A writer swapping a file of a directory bundle for a symlink to outside content, or a
/// directory on its path for a symlink to an outside directory, while the bundle is walked:
/// the outside content is never read (it was in 31 of 400 runs when files were opened by path
/// after the listing). Each swap is one atomic `renameat2(RENAME_EXCHANGE)` with a staging
/// directory next to the bundle, in a loop, during 2000 analyses.
#[cfg(target_os = "linux")]
#[test]
fn a_file_swapped_for_a_link_during_the_walk_is_never_followed() {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    const SECRET: &str = "OUTSIDE-SECRET";
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let secret = format!(
        "Aug 20 10:25:50 node1 kernel: Memory cgroup out of memory: Kill process 4242 ({SECRET}) score 970 or sacrifice child\n"
    );
    let benign = "Aug 20 10:25:50 node1 systemd[1]: Started Session 1 of user root.\n";
    // Outside the bundle: a file and a directory tree shaped like the bundle's.
    std::fs::write(t.join("outside.log"), &secret).unwrap();
    std::fs::create_dir_all(t.join("outside/log")).unwrap();
    std::fs::write(t.join("outside/log/messages"), &secret).unwrap();
    // The bundle, and the staging names its entries are exchanged with.
    let bundle = t.join("bundle");
    std::fs::create_dir_all(bundle.join("var/log")).unwrap();
    std::fs::write(bundle.join("var/log/messages"), benign).unwrap();
    std::fs::write(bundle.join("hostname"), "node1\n").unwrap();
    std::fs::create_dir_all(t.join("stage")).unwrap();
    std::os::unix::fs::symlink(t.join("outside.log"), t.join("stage/messages")).unwrap();
    std::os::unix::fs::symlink(t.join("outside"), t.join("stage/var")).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicU64::new(0));
    let swapper = {
        let (stop, swaps, t, bundle) =
            (stop.clone(), swaps.clone(), t.to_path_buf(), bundle.clone());
        std::thread::spawn(move || {
            let exchange = |a: &std::path::Path, b: &std::path::Path| {
                renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).unwrap();
            };
            let file = (bundle.join("var/log/messages"), t.join("stage/messages"));
            let dir = (bundle.join("var"), t.join("stage/var"));
            // Each state in turn, the regular one between the others: the file for a link to
            // outside.log, the directory `var` for a link to outside/.
            for (a, b) in [&file, &file, &dir, &dir].into_iter().cycle() {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                exchange(a, b);
                swaps.fetch_add(1, Ordering::Relaxed);
                std::thread::yield_now();
            }
        })
    };
    let engine = analyzer_core::rules::load(&[]).unwrap();
    let mut read_benign = 0;
    for run in 0..2000 {
        let report = analyzer_core::analysis::analyze_with(
            &Bundle::from_path(&bundle),
            &Options::default(),
            &engine,
        )
        .expect("the bundle analyses");
        let json = serde_json::to_string(&report).unwrap();
        assert!(
            !json.contains(SECRET),
            "run {run}: content from outside the bundle was read: {json}"
        );
        assert!(
            report.findings.iter().all(|f| f.rule != "oom-kill"),
            "run {run}"
        );
        if report.stats.records > 0 {
            read_benign += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().unwrap();
    assert!(
        swaps.load(Ordering::Relaxed) > 0,
        "the writer never swapped"
    );
    assert!(read_benign > 0, "the bundle's own file was never read");
}
