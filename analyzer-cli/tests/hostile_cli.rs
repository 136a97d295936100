//! Heavy hostile inputs against the `nodemortem` binary: endless standard input, 1 GB of random
//! bytes, a 200 MB line, a dump of 1M goroutines, a journal of 10M identical lines.
//!
//! Every case checks the exit status, the warnings (member and offset), the finding of an intact
//! journal placed beside the hostile file, that the process creates no file (its working
//! directory and its `TMPDIR` stay empty), and its peak memory, read from `/proc/<pid>/status`
//! while it runs. Inputs are generated here, streamed to disk.
//!
//! Full sizes run in release builds (`cargo test --release -p analyzer-cli --test hostile_cli`);
//! debug builds run the same cases at 1/50 of the size, so `cargo test` stays quick.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The kernel memcg OOM kill of runc's init as journald prints it (sos
/// `sos_commands/logs/journalctl_--no-pager`; the line of moby/moby#33192).
const OOM_LINE: &str = "Aug 20 10:25:54 node1 kernel: Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n";

/// Peak anonymous memory allowed for these cases (docs/security.md: 128 MiB of members in
/// flight plus parser state; loose files are mapped, not copied).
const MAX_ANON_BYTES: u64 = 768 << 20;

/// Full size in release builds, 1/50 in debug builds.
fn scaled(n: u64) -> u64 {
    if cfg!(debug_assertions) { n / 50 } else { n }
}

/// A scratch area: the bundle directory, an empty working directory and an empty TMPDIR.
struct Scratch {
    _root: tempfile::TempDir,
    bundle: PathBuf,
    cwd: PathBuf,
    tmp: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        let root = tempfile::tempdir().unwrap();
        let bundle = root.path().join("bundle");
        let cwd = root.path().join("cwd");
        let tmp = root.path().join("tmp");
        for d in [&bundle, &cwd, &tmp] {
            fs::create_dir(d).unwrap();
        }
        // The intact part: a journal holding the OOM kill on its second line.
        let logs = bundle.join("sos_commands/logs");
        fs::create_dir_all(&logs).unwrap();
        fs::write(
            logs.join("journalctl_--no-pager"),
            format!("Aug 20 10:25:50 node1 systemd[1]: Started Docker Application Container Engine.\n{OOM_LINE}"),
        )
        .unwrap();
        Scratch {
            _root: root,
            bundle,
            cwd,
            tmp,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_nodemortem"));
        c.args(args)
            .current_dir(&self.cwd)
            .env("TMPDIR", &self.tmp)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }
}

fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir(dir);
    out.sort();
    out
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walkdir(&p));
            }
            out.push(p);
        }
    }
    out
}

/// What a run produced.
struct Outcome {
    status: i32,
    stdout: String,
    stderr: String,
    /// Largest `RssAnon` seen while the process ran.
    peak_anon: u64,
    /// `VmHWM` (peak resident, file-backed pages included) last seen.
    hwm: u64,
    seconds: f64,
}

fn status_kib(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Waits for `child`, sampling its memory every 5 ms; output is drained by threads.
fn watch(mut child: Child) -> Outcome {
    let started = Instant::now();
    let pid = child.id();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        out.read_to_end(&mut s).unwrap();
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        err.read_to_end(&mut s).unwrap();
        s
    });
    let mut peak_anon = 0;
    let mut hwm = 0;
    let status = loop {
        if let Ok(s) = fs::read_to_string(format!("/proc/{pid}/status")) {
            if let Some(a) = status_kib(&s, "RssAnon:") {
                peak_anon = peak_anon.max(a * 1024);
            }
            if let Some(h) = status_kib(&s, "VmHWM:") {
                hwm = hwm.max(h * 1024);
            }
        }
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "still running after 300 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    Outcome {
        status: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap()).into_owned(),
        peak_anon,
        hwm,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// Runs `analyze --format json` over the scratch bundle and checks the common guarantees.
fn analyze(s: &Scratch, case: &str) -> (Outcome, serde_json::Value) {
    let before = (listing(&s.cwd), listing(&s.tmp), listing(&s.bundle));
    let bundle = s.bundle.to_str().unwrap().to_string();
    let child = s
        .command(&["analyze", "--format", "json", &bundle])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let o = watch(child);
    eprintln!(
        "{case}: exit {} in {:.1} s, peak anon {} MiB, VmHWM {} MiB",
        o.status,
        o.seconds,
        o.peak_anon >> 20,
        o.hwm >> 20
    );
    assert_eq!(
        before,
        (listing(&s.cwd), listing(&s.tmp), listing(&s.bundle)),
        "{case}: files were created"
    );
    assert!(
        o.peak_anon < MAX_ANON_BYTES,
        "{case}: peak anonymous memory {} MiB",
        o.peak_anon >> 20
    );
    // The OOM kill is a high finding: exit 1 (`--fail-on high`).
    assert_eq!(o.status, 1, "{case}: stderr {}", o.stderr);
    let report: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let oom = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "oom-kill")
        .unwrap_or_else(|| panic!("{case}: no oom-kill finding"));
    assert!(
        oom["summary"].as_str().unwrap().contains("runc:[2:INIT]"),
        "{case}: {}",
        oom["summary"]
    );
    (o, report)
}

fn warnings(report: &serde_json::Value) -> &Vec<serde_json::Value> {
    report["warnings"].as_array().unwrap()
}

/// A fast deterministic byte generator (xorshift64*).
fn random_file(path: &Path, bytes: u64) {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = bytes;
    while left > 0 {
        for chunk in buf.chunks_exact_mut(8) {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            chunk.copy_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
        }
        let n = left.min(buf.len() as u64) as usize;
        w.write_all(&buf[..n]).unwrap();
        left -= n as u64;
    }
    w.flush().unwrap();
}

/// Runs nodemortem with `args`, writing `block` to its standard input over and over until it
/// stops reading; prints what was written.
fn endless_stdin(s: &Scratch, args: &[&str], block: Vec<u8>) -> Outcome {
    let mut child = s.command(args).stdin(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let mut sent = 0u64;
        while stdin.write_all(&block).is_ok() {
            sent += block.len() as u64;
        }
        sent
    });
    let o = watch(child);
    let sent = writer.join().unwrap();
    eprintln!(
        "{}: exit {} after {} MiB written, {:.1} s, peak anon {} MiB",
        args[0],
        o.status,
        sent >> 20,
        o.seconds,
        o.peak_anon >> 20
    );
    o
}

#[test]
fn endless_stdin_is_cut_at_the_member_limit() {
    let s = Scratch::new();
    let before = (listing(&s.cwd), listing(&s.tmp));
    // Zeros for ever, until the reader goes away.
    let o = endless_stdin(
        &s,
        &[
            "inventory",
            "--max-member-bytes",
            "64M",
            "--format",
            "json",
            "-",
        ],
        vec![0u8; 1 << 16],
    );
    assert_eq!(o.status, 0, "{}", o.stderr);
    assert_eq!(before, (listing(&s.cwd), listing(&s.tmp)));
    assert!(o.peak_anon < 128 << 20, "{} MiB", o.peak_anon >> 20);
    let inv: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let w = warnings(&inv);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0]["path"], "stdin");
    assert_eq!(
        w[0]["message"],
        format!(
            "member larger than {0} bytes; cut there (offset {0})",
            64 << 20
        )
    );
}

/// An endless journal on standard input (`journalctl -f | nodemortem analyze -`): the log is
/// analysed in pieces as it arrives, cut at the member limit, and memory stays far below the
/// bytes read: a member held whole would need the full 768 MiB.
#[test]
fn endless_journal_on_stdin_is_streamed() {
    let s = Scratch::new();
    let limit = scaled(768 << 20);
    let limit_arg = format!("{limit}");
    // systemd journal `short` lines of a busy kubelet, an OOM kill now and then.
    let mut block = String::new();
    for i in 0..4096 {
        if i % 1024 == 7 {
            block.push_str(OOM_LINE);
        } else {
            block.push_str(&format!("Aug 20 10:25:{:02} node1 kubelet[1204]: I0820 10:25:54.123456    1204 kubelet.go:1913] SyncLoop (PLEG): \"pod-{i}\", event: ContainerStarted\n", i % 60));
        }
    }
    let o = endless_stdin(
        &s,
        &[
            "analyze",
            "--max-member-bytes",
            &limit_arg,
            "--format",
            "json",
            "-",
        ],
        block.into_bytes(),
    );
    assert_eq!(o.status, 1, "an OOM kill is a finding: {}", o.stderr);
    let report: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let w = warnings(&report);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0]["path"], "stdin");
    assert_eq!(w[0]["offset"], limit);
    assert_eq!(
        report["stats"]["bytes"], limit,
        "every byte up to the limit is analysed"
    );
    // 128 MiB in flight, a few recycled 16 MiB pieces and the parser state.
    assert!(o.peak_anon < 400 << 20, "{} MiB", o.peak_anon >> 20);
}

#[test]
fn a_gigabyte_of_random_bytes() {
    let s = Scratch::new();
    random_file(&s.bundle.join("core.dump"), scaled(1 << 30));
    let (_, report) = analyze(&s, "1 GB random");
    // Random bytes are no format: counted, skipped, no warning.
    assert!(warnings(&report).is_empty(), "{:?}", warnings(&report));
}

#[test]
fn a_200_megabyte_line() {
    let s = Scratch::new();
    let path = s.bundle.join("var/log/messages");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut w = BufWriter::with_capacity(1 << 20, File::create(&path).unwrap());
    w.write_all(b"Aug 20 10:25:53 node1 dockerd[900]: ")
        .unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..scaled(200) {
        w.write_all(&chunk).unwrap();
    }
    w.write_all(b"\n").unwrap();
    w.write_all(OOM_LINE.as_bytes()).unwrap();
    w.flush().unwrap();
    drop(w);
    let (_, report) = analyze(&s, "200 MB line");
    let w = warnings(&report);
    let cut: Vec<_> = w
        .iter()
        .filter(|w| w["message"].as_str().unwrap().contains("lines longer than"))
        .collect();
    assert_eq!(cut.len(), 1, "{w:?}");
    assert_eq!(cut[0]["path"], "var/log/messages");
    assert_eq!(cut[0]["offset"], 0);
}

#[test]
fn a_dump_of_a_million_goroutines() {
    let s = Scratch::new();
    let path = s
        .bundle
        .join("var/run/docker/goroutine-stacks-2020-08-20T102554Z.log");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut w = BufWriter::with_capacity(1 << 20, File::create(&path).unwrap());
    // The SIGUSR1 dump shape of dockerd (moby pkg/signal DumpStacks: runtime.Stack(buf, true)).
    w.write_all(b"=== BEGIN goroutine stack dump ===\n")
        .unwrap();
    let n = scaled(1_000_000);
    for i in 1..=n {
        writeln!(
            w,
            "goroutine {i} [select]:\nmain.worker()\n\t/go/src/app/main.go:42 +0x1f\n"
        )
        .unwrap();
    }
    w.write_all(b"=== END goroutine stack dump ===\n").unwrap();
    w.flush().unwrap();
    drop(w);
    let (o, _) = analyze(&s, "1M goroutines");
    assert!(
        o.stderr.is_empty() || !o.stderr.contains("panicked"),
        "{}",
        o.stderr
    );
}

#[test]
fn a_journal_of_ten_million_identical_lines() {
    let s = Scratch::new();
    let path = s.bundle.join("var/log/journal.txt");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut w = BufWriter::with_capacity(1 << 20, File::create(&path).unwrap());
    let block = OOM_LINE.repeat(8192);
    let n = scaled(10_000_000);
    let mut written = 0;
    while written < n {
        let k = (n - written).min(8192);
        w.write_all(&block.as_bytes()[..k as usize * OOM_LINE.len()])
            .unwrap();
        written += k;
    }
    w.flush().unwrap();
    drop(w);
    let (_, report) = analyze(&s, "10M lines");
    let w = warnings(&report);
    let bounded: Vec<_> = w
        .iter()
        .filter(|w| {
            w["message"]
                .as_str()
                .unwrap()
                .contains("more than 10000 events in one member")
        })
        .collect();
    assert_eq!(bounded.len(), 1, "{w:?}");
    assert_eq!(bounded[0]["path"], "var/log/journal.txt");
    // The 10 001st event is emitted when line 10 002 starts.
    assert_eq!(bounded[0]["offset"], 10_001 * OOM_LINE.len() as u64);
}
