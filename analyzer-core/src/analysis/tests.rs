use super::chunk::{self, chunk_bounds};
use super::driver::Deadline;
use super::member::{LogOut, analyse_whole};
use super::*;
use crate::base::{Format, Timestamp};
use crate::error::Error;

/// A CentOS 7 `journalctl --no-pager` member (sos 3.9 `sos_commands/logs/`) crossing a new
/// year, with OOM-kill blocks (apache/doris#3525 shape: invoker, decision, kill), PLEG lines
/// (kubernetes/kubernetes#45419) and systemd session lines between kubelet traffic.
fn journal(lines: u32) -> Vec<u8> {
    const DAYS: [(&str, u32); 3] = [("Dec 30", 0), ("Dec 31", 1), ("Jan 01", 2)];
    let mut out = String::new();
    for i in 0..lines {
        let secs = 22 * 3600 + i * 20;
        let (day, _) = DAYS[((secs / 86_400) as usize).min(2)];
        let t = secs % 86_400;
        let stamp = format!("{day} {:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
        if i % 97 == 5 {
            let pid = 20_000 + i;
            out.push_str(&format!("{stamp} node-1 kernel: runc:[2:INIT] invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=998\n"));
            out.push_str(&format!("{stamp} node-1 kernel: Memory cgroup out of memory: Kill process {pid} (app{i}) score 968 or sacrifice child\n"));
            out.push_str(&format!("{stamp} node-1 kernel: Killed process {pid} (app{i}) total-vm:70347780kB, anon-rss:45563572kB, file-rss:0kB, shmem-rss:0kB\n"));
        }
        if i % 50 == 7 {
            out.push_str(&format!("{stamp} node-1 kubelet[12170]: E1230 22:00:00.000001   12170 kubelet.go:1845] skipping pod synchronization - [PLEG is not healthy: pleg was last seen active 3m{}.5s ago; threshold is 3m0s]\n", i % 60));
        }
        if i % 3 == 0 {
            out.push_str(&format!(
                "{stamp} node-1 systemd[1]: Started Session {i} of user root.\n"
            ));
        } else {
            out.push_str(&format!("{stamp} node-1 kubelet[12170]: I1230 22:00:00.561334   12170 kubelet.go:1913] SyncLoop (PLEG): \"pod-{}\", event: ContainerStarted\n", i % 40));
        }
    }
    out.into_bytes()
}

/// A member analysed in the chunks `bounds` with the default limits, as member 0.
fn chunked(
    engine: &Engine,
    format: Format,
    data: &[u8],
    bounds: &[usize],
    overlap: usize,
    timeout: Option<Duration>,
) -> (LogOut, Option<u64>) {
    let limits = Limits::default();
    let deadline = Deadline::new(timeout, None);
    chunk::analyse_chunked(
        engine, &limits, 0, format, data, bounds, overlap, &deadline, None,
    )
}

fn report_json(data: &[u8], split: Split) -> serde_json::Value {
    report_json_named("sos_commands/logs/journalctl_--no-pager", data, split)
}

/// A member analysed in one pass, the reference for chunked and streamed analysis.
const ONE_PASS: Split = Split::Fixed {
    chunks: 1,
    overlap: 0,
};

fn report_json_named(name: &str, data: &[u8], split: Split) -> serde_json::Value {
    let bundle = Bundle::from_bytes(name, data.to_vec());
    let engine = crate::rules::load(&[]).unwrap();
    let a = analyze_split(&bundle, &Options::default(), &engine, split).unwrap();
    let mut v = serde_json::to_value(&a.report).unwrap();
    v["stats"]["seconds"] = serde_json::Value::Null;
    v
}

/// One member analysed in 7 chunks gives the same report as one pass: line numbers,
/// year-wrapped times, OOM events crossing boundaries, first/last hits and capture values.
#[test]
fn chunked_member_reports_as_one_pass() {
    let data = journal(6000);
    let bounds = chunk_bounds(Format::JournalShort, &data, 7);
    assert_eq!(bounds.len(), 8);
    let engine = crate::rules::load(&[]).unwrap();
    let (log, stopped) = chunked(
        &engine,
        Format::JournalShort,
        &data,
        &bounds,
        16 << 10,
        None,
    );
    assert_eq!(stopped, None);
    let one = analyse_whole(
        &engine,
        &Limits::default(),
        0,
        Format::JournalShort,
        &data,
        None,
    );
    assert_eq!(log.count, one.count);
    assert_eq!(log.span.years, one.span.years);
    assert_eq!(log.span.years.last_epoch, 1, "the log crosses a new year");
    assert_eq!(log.events.len(), one.events.len());
    assert_eq!(one.events.len(), 62, "one OOM kill per 97 lines");
    assert_eq!(log.hits.len(), one.hits.len());
    let whole = report_json(&data, ONE_PASS);
    let findings = whole["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for (chunks, overlap) in [(7, 16 << 10), (3, 4 << 10), (13, 64 << 10)] {
        let chunked = report_json(&data, Split::Fixed { chunks, overlap });
        assert_eq!(chunked, whole, "{chunks} chunks");
    }
}

/// Boundaries fall on record starts only: never on a continuation line.
#[test]
fn boundaries_skip_continuation_lines() {
    // journalctl prints continuation lines of a multi-line message indented
    // (systemd journalctl(1), `--no-pager` short output).
    let mut text = String::new();
    for i in 0..400 {
        text.push_str(&format!(
            "Aug 20 10:25:54 node-1 dockerd[4085]: panic: boom {i}\n"
        ));
        for _ in 0..5 {
            text.push_str("                                      goroutine 1 [running]:\n");
        }
    }
    let data = text.as_bytes();
    for b in chunk_bounds(Format::JournalShort, data, 9) {
        assert!(b == data.len() || data[b..].starts_with(b"Aug 20"), "{b}");
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// RFC 3164 syslog (`/var/log/messages`, yearless) that crosses a new year inside a long
/// block of RFC 3339 lines (rsyslog `RSYSLOG_FileFormat`, with years), then OOM kills
/// (kernel 4.x wording) in January.
fn syslog_wrap() -> Vec<u8> {
    let mut out = String::new();
    for i in 0..400 {
        out.push_str(&format!(
            "Dec 31 23:{:02}:{:02} node-1 dockerd[4085]: time=\"2020-12-31T23:00:00Z\" level=info msg=\"tick {i}\"\n",
            i / 60 % 60,
            i % 60
        ));
    }
    for i in 0..3000 {
        out.push_str(&format!(
            "2020-12-31T23:59:{:02}.{i:06}+00:00 node-1 systemd[1]: Started Session {i} of user root.\n",
            i % 60
        ));
    }
    for i in 0..400 {
        let stamp = format!("Jan  1 00:{:02}:{:02}", i / 60 % 60, i % 60);
        if i % 40 == 3 {
            out.push_str(&format!("{stamp} node-1 kernel: runc:[2:INIT] invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=998\n"));
            out.push_str(&format!("{stamp} node-1 kernel: Memory cgroup out of memory: Kill process {} (app) score 968 or sacrifice child\n", 9000 + i));
            out.push_str(&format!("{stamp} node-1 kernel: Killed process {} (app) total-vm:70347780kB, anon-rss:45563572kB, file-rss:0kB, shmem-rss:0kB\n", 9000 + i));
        }
        out.push_str(&format!(
            "{stamp} node-1 kubelet[12170]: E0101 00:00:00.000001   12170 kubelet.go:1845] skipping pod synchronization - [PLEG is not healthy: pleg was last seen active 3m{}.5s ago; threshold is 3m0s]\n",
            i % 60
        ));
    }
    out.into_bytes()
}

/// A year wrap between chunks whose warm-ups see no yearless time (a long block of lines
/// with years in between) is still counted: chunks carry their first yearless month.
#[test]
fn year_wrap_across_a_boundary_without_yearless_warm_up() {
    let data = syslog_wrap();
    let engine = crate::rules::load(&[]).unwrap();
    let one = analyse_whole(&engine, &Limits::default(), 0, Format::Syslog, &data, None);
    assert_eq!(one.span.years.last_epoch, 1, "the log crosses a new year");
    assert_eq!(one.events.len(), 10, "one OOM kill per 40 January lines");
    for chunks in [2, 5, 11] {
        let bounds = chunk_bounds(Format::Syslog, &data, chunks);
        let (log, _) = chunked(&engine, Format::Syslog, &data, &bounds, 4 << 10, None);
        assert_eq!(log.span.years, one.span.years, "{chunks} chunks");
        assert_eq!(log.count, one.count);
        let epochs = |l: &LogOut| l.events.iter().map(|e| e.epoch).collect::<Vec<_>>();
        assert_eq!(epochs(&log), epochs(&one), "{chunks} chunks");
        assert_eq!(epochs(&one), vec![1; 10]);
    }
}

/// The OOM incident's journal with 300 rows in every OOM report's task table, as on a busy
/// node (`Tasks state (memory values in pages):` lists every task of the cgroup).
fn busy_oom_reports() -> Vec<u8> {
    let text =
        include_str!("../../../corpus/common-oom-kill/sos_commands/logs/journalctl_--no-pager");
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.lines() {
        out.push_str(line);
        out.push('\n');
        if let Some(head) = line.strip_suffix(
            "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
        ) {
            for pid in 40_000..40_300 {
                out.push_str(&format!("{head}[  {pid}]  1000 {pid}    45678     1234   401408        0           969 worker\n"));
            }
        }
    }
    out.into_bytes()
}

/// A compressed log read in pieces (cut at record starts, analysed chunk by chunk as they
/// arrive) reports exactly what the whole member gives: same lines, times, events, hits —
/// also when pieces are far smaller than the warm-up and look-ahead (they are then held
/// until a chunk has that much of its own) and a report spans many pieces.
#[test]
fn streamed_member_reports_as_whole() {
    const SMALL: [(usize, usize); 4] = [
        (64 << 10, 16 << 10),
        (5000, 2000),
        (200 << 10, 1 << 20),
        (4096, 64 << 10),
    ];
    // OOM reports of a node running 300 tasks (330 records, 31 KiB): each spans many pieces.
    const LARGE: [(usize, usize); 3] = [(4096, 64 << 10), (8192, 1 << 20), (64 << 10, 1 << 20)];
    let oom = busy_oom_reports();
    for (name, data, splits) in [
        (
            "sos_commands/logs/journalctl_--no-pager.gz",
            journal(6000),
            &SMALL[..],
        ),
        ("var/log/messages.gz", syslog_wrap(), &SMALL[..]),
        (
            "sos_commands/logs/journalctl_--no-pager.gz",
            oom,
            &LARGE[..],
        ),
    ] {
        let gz = gzip(&data);
        let whole = report_json_named(name, &gz, ONE_PASS);
        assert!(!whole["findings"].as_array().unwrap().is_empty(), "{name}");
        assert_eq!(whole["stats"]["members"], 1);
        for &(piece, overlap) in splits {
            let streamed = report_json_named(name, &gz, Split::Stream { piece, overlap });
            assert_eq!(
                streamed, whole,
                "{name}: pieces of {piece}, overlap {overlap}"
            );
        }
    }
}

/// A goroutine dump written into the journal (dockerd's SIGUSR1 dump or a crash, one record
/// per dump line) and read in pieces far smaller than the dump is analysed as one dump, as
/// in one pass: the lock cycle between goroutines in different pieces is found.
#[test]
fn streamed_journal_with_a_dump_across_pieces() {
    let dump = include_str!(
        "../../../corpus/common-goroutine-deadlock/var/run/docker/goroutine-stacks-2021-12-09T154207+0800.log"
    );
    let mut text = String::new();
    let noise = |text: &mut String, from: u32| {
        for i in from..from + 1500 {
            text.push_str(&format!(
                "Dec 09 15:{:02}:{:02} node-1 kubelet[1204]: I1209 15:40:00.000001    1204 kubelet.go:1913] SyncLoop (PLEG): \"pod-{}\", event: ContainerStarted\n",
                40 + i / 60 % 20,
                i % 60,
                i % 40
            ));
        }
    };
    noise(&mut text, 0);
    for line in dump.lines() {
        text.push_str("Dec 09 15:42:07 node-1 dockerd[4085]: ");
        text.push_str(line);
        text.push('\n');
    }
    noise(&mut text, 1500);
    let gz = gzip(text.as_bytes());
    let name = "sos_commands/logs/journalctl_--no-pager.gz";
    let whole = report_json_named(name, &gz, ONE_PASS);
    let ids: Vec<_> = whole["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or_default())
        .collect();
    assert!(ids.contains(&"goroutine-deadlock"), "{ids:?}");
    for (piece, overlap) in [(4096, 4096), (64 << 10, 16 << 10), (200 << 10, 64 << 10)] {
        let streamed = report_json_named(name, &gz, Split::Stream { piece, overlap });
        assert_eq!(streamed, whole, "pieces of {piece}, overlap {overlap}");
    }
}

/// A spent time budget stops a streamed member between pieces: what was read is reported,
/// the report is partial and a warning names the member and the offset where it stopped.
#[test]
fn time_budget_stops_a_streamed_member() {
    let gz = gzip(&journal(6000));
    let bundle = Bundle::from_bytes("journal.gz", gz);
    let engine = crate::rules::load(&[]).unwrap();
    let opts = Options {
        timeout: Some(Duration::ZERO),
        ..Options::default()
    };
    let a = analyze_split(
        &bundle,
        &opts,
        &engine,
        Split::Stream {
            piece: 64 << 10,
            overlap: 16 << 10,
        },
    )
    .unwrap();
    assert!(a.report.stats.partial);
    let w: Vec<_> = a
        .report
        .warnings
        .iter()
        .filter(|w| w.message.starts_with("time budget exhausted"))
        .collect();
    assert_eq!(w.len(), 1, "{:?}", a.report.warnings);
    assert_eq!(w[0].path, "journal.gz");
    assert_eq!(a.report.stats.records, 0);
    assert_eq!(a.report.stats.members, 0);
}

/// Chunks of a mapped member not started before the deadline are skipped; the member is
/// reported up to the first of them.
#[test]
fn time_budget_stops_chunks_of_a_member() {
    let data = journal(3000);
    let engine = crate::rules::load(&[]).unwrap();
    let bounds = chunk_bounds(Format::JournalShort, &data, 4);
    let (log, stopped) = chunked(
        &engine,
        Format::JournalShort,
        &data,
        &bounds,
        4 << 10,
        Some(Duration::ZERO),
    );
    assert_eq!(stopped, Some(0));
    assert_eq!(log.count, 0);
    assert!(log.events.is_empty());
}
/// A stream handed over by the caller (an upload) is read as it arrives, in small reads,
/// and gives the report the same bytes in memory give; a second analysis of the same
/// bundle finds the stream taken and says so.
#[test]
fn reader_input_reports_as_bytes() {
    /// Hands out at most 4 KiB per read, as a socket does.
    struct Trickle(std::io::Cursor<Vec<u8>>);
    impl std::io::Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(4096);
            self.0.read(&mut buf[..n])
        }
    }
    let gz = gzip(&busy_oom_reports());
    let name = "sos_commands/logs/journalctl_--no-pager.gz";
    let whole = report_json_named(name, &gz, Split::Auto);
    let bundle = Bundle::from_reader(name, Trickle(std::io::Cursor::new(gz)));
    let engine = crate::rules::load(&[]).unwrap();
    let a = analyze_split(&bundle, &Options::default(), &engine, Split::Auto).unwrap();
    let mut streamed = serde_json::to_value(&a.report).unwrap();
    streamed["stats"]["seconds"] = serde_json::Value::Null;
    assert_eq!(streamed, whole);
    assert_eq!(whole["findings"][0]["rule"], "oom-kill");

    let again = analyze_split(&bundle, &Options::default(), &engine, Split::Auto);
    match again {
        Err(Error::NothingReadable { reason }) => {
            assert!(reason.contains("already read"), "{reason}")
        }
        other => panic!("a taken stream must not read as empty: {other:?}"),
    }
}

/// A cancelled token stops the analysis as a spent budget does, with its own warning.
#[test]
fn cancel_token_stops_analysis() {
    let cancel = CancelToken::new();
    let opts = Options {
        cancel: Some(cancel.clone()),
        ..Options::default()
    };
    let bundle = Bundle::from_bytes("journal.gz", gzip(&journal(6000)));
    let engine = crate::rules::load(&[]).unwrap();
    let full = analyze_split(&bundle, &opts, &engine, Split::Auto).unwrap();
    assert!(!full.report.stats.partial);
    assert!(full.report.stats.records > 0);
    cancel.cancel();
    let a = analyze_split(&bundle, &opts, &engine, Split::Auto).unwrap();
    assert!(a.report.stats.partial);
    assert_eq!(a.report.stats.records, 0);
    let w: Vec<_> = a
        .report
        .warnings
        .iter()
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with("analysis cancelled: "), "{w:?}");
}

/// A sosreport directory of one node: `date`, `timedatectl`, `uname -a` and an OOM kill in
/// `var/log/messages` (yearless syslog times, read in the zone and year `date` states).
fn sos_dir(root: &std::path::Path, node: &str, date: &str, zone: &str, day: &str) {
    let put = |rel: &str, text: String| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    put("sos_commands/date/date", format!("{date}\n"));
    put(
        "sos_commands/systemd/timedatectl",
        format!("       Time zone: {zone}\n NTP synchronized: yes\n"),
    );
    put(
        "sos_commands/kernel/uname_-a",
        format!(
            "Linux {node} 3.10.0-1062.18.1.el7.x86_64 #1 SMP Tue Mar 17 23:49:17 UTC 2020 x86_64 x86_64 x86_64 GNU/Linux\n"
        ),
    );
    put(
        "var/log/messages",
        format!(
            "{day} 03:00:01 {node} kernel: runc:[2:INIT] invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=998\n\
             {day} 03:00:01 {node} kernel: Memory cgroup out of memory: Kill process 4021 (java) score 968 or sacrifice child\n\
             {day} 03:00:01 {node} kernel: Killed process 4021 (java) total-vm:70347780kB, anon-rss:45563572kB, file-rss:0kB, shmem-rss:0kB\n"
        ),
    );
}

/// A finding's host, rule and evidence lines as (input, path, line, time).
type Row = (usize, String, Vec<(usize, String, u32, String)>);

/// Rule ids, evidence times and inputs of every finding (and those it explains), with its host.
fn finding_times(r: &Report) -> Vec<Row> {
    fn walk(f: &crate::base::Finding, out: &mut Vec<Row>) {
        let ev = f
            .evidence
            .iter()
            .map(|e| {
                let t = e.time.map(|t| t.to_string()).unwrap_or_default();
                (e.input, e.path.clone(), e.line, t)
            })
            .collect();
        out.push((f.host, f.rule.clone(), ev));
        for x in &f.explains {
            walk(x, out);
        }
    }
    let mut out = Vec::new();
    for f in &r.findings {
        walk(f, &mut out);
    }
    out
}

#[test]
fn two_sosreports_are_two_hosts_with_their_own_clocks() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        dir.path().join("sosreport-a"),
        dir.path().join("sosreport-b"),
    );
    sos_dir(
        &a,
        "node-a",
        "Fri Dec 14 03:33:10 CST 2018",
        "Asia/Shanghai (CST, +0800)",
        "Dec 14",
    );
    sos_dir(
        &b,
        "node-b",
        "Thu Aug 20 10:46:12 UTC 2020",
        "Etc/UTC (UTC, +0000)",
        "Aug 20",
    );
    let both = analyze(&Bundle::from_paths([&a, &b]), &Options::default()).unwrap();
    let names: Vec<(&str, &[usize])> = both
        .hosts
        .iter()
        .map(|h| (h.name.as_str(), h.inputs.as_slice()))
        .collect();
    assert_eq!(names, [("node-a", &[0][..]), ("node-b", &[1][..])]);
    // With two hosts the top-level header is empty; each host has its own.
    assert!(both.host.is_empty());
    let got = finding_times(&both);
    let oom = |host: usize, input: usize, time: &str| {
        (
            host,
            "oom-kill".to_string(),
            [1, 2, 3]
                .map(|line| {
                    (
                        input,
                        "var/log/messages".to_string(),
                        line,
                        time.to_string(),
                    )
                })
                .to_vec(),
        )
    };
    let want = [
        oom(0, 0, "2018-12-13T19:00:01Z"),
        oom(1, 1, "2020-08-20T03:00:01Z"),
    ];
    let got_oom: Vec<_> = got.iter().filter(|f| f.1 == "oom-kill").cloned().collect();
    let mut got_oom = got_oom;
    for f in &mut got_oom {
        f.2.sort();
        f.2.dedup();
    }
    assert_eq!(got_oom, want);
    // Each host alone gives the same findings and times.
    for (h, path) in [(0, &a), (1, &b)] {
        let alone = analyze(&Bundle::from_path(path), &Options::default()).unwrap();
        assert_eq!(alone.hosts.len(), 1);
        let alone: Vec<_> = finding_times(&alone)
            .into_iter()
            .map(|(_, rule, ev)| {
                let ev: Vec<_> = ev.into_iter().map(|(_, p, l, t)| (h, p, l, t)).collect();
                (h, rule, ev)
            })
            .collect();
        let mine: Vec<_> = got.iter().filter(|f| f.0 == h).cloned().collect();
        assert_eq!(mine, alone, "host {h}");
    }
}

#[test]
fn loose_files_given_together_are_one_host() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    sos_dir(
        &a,
        "node-a",
        "Fri Dec 14 03:33:10 CST 2018",
        "Asia/Shanghai (CST, +0800)",
        "Dec 14",
    );
    sos_dir(
        &b,
        "node-a",
        "Fri Dec 14 03:33:10 CST 2018",
        "Asia/Shanghai (CST, +0800)",
        "Dec 15",
    );
    let first = a.join("var/log/messages");
    let second = dir.path().join("kern.log");
    std::fs::copy(b.join("var/log/messages"), &second).unwrap();
    let r = analyze(&Bundle::from_paths([&first, &second]), &Options::default()).unwrap();
    assert_eq!(r.hosts.len(), 1);
    assert_eq!(r.hosts[0].inputs, [0, 1]);
    // No host-state member names the node: the host is named by its first input.
    assert_eq!(r.hosts[0].name, first.display().to_string());
    let got = finding_times(&r);
    let mut inputs: Vec<(usize, String, u32)> = got
        .iter()
        .filter(|f| f.1 == "oom-kill")
        .flat_map(|f| f.2.iter().map(|(i, p, l, _)| (*i, p.clone(), *l)))
        .collect();
    inputs.sort();
    inputs.dedup();
    // Both files' kills, each line naming the file it is in; every finding is host 0's.
    assert!(got.iter().all(|f| f.0 == 0));
    let want: Vec<(usize, String, u32)> = [(0, "messages"), (1, "kern.log")]
        .into_iter()
        .flat_map(|(i, p)| [1, 2, 3].map(|l| (i, p.to_string(), l)))
        .collect();
    assert_eq!(inputs, want);
}

/// A member's timeline records as (line, resolved time, source, text), records let go beyond
/// the limit, untimed records.
type GatheredRows = (Vec<(u32, i64, String, String)>, u64, u64);

/// The timeline's records of one member, and the counts.
fn gathered(bundle: &Bundle, split: Split, spec: &records::RecordSpec) -> GatheredRows {
    let engine = crate::rules::load(&[]).unwrap();
    let (_, g) = analyze_holding(bundle, &Options::default(), &engine, split, Some(spec)).unwrap();
    let g = g.unwrap();
    assert_eq!(g.members.len(), 1, "{:?}", g.members);
    let lines = g.members[0]
        .records
        .iter()
        .map(|r| (r.line, r.time.0, r.source.clone(), r.text.clone()))
        .collect();
    (lines, g.beyond, g.untimed)
}

/// A member crossing a new year holds the same timeline records read whole, in chunks and
/// streamed in pieces: lines and year epochs of every chunk stitched into the member, the
/// earliest `limit` of the member kept whatever chunk they come from.
#[test]
fn timeline_records_are_the_same_whole_chunked_and_streamed() {
    let data = journal(6000);
    let name = "sos_commands/logs/journalctl_--no-pager";
    let plain = Bundle::from_bytes(name, data.clone());
    let gz = Bundle::from_bytes(format!("{name}.gz"), gzip(&data));
    let spec = |keep, limit| records::RecordSpec {
        keep,
        window: 30 * 60 * 1_000_000,
        sources: vec!["kubelet".into(), "kernel".into()],
        limit,
        hold_max: 1 << 16,
    };
    // 2000-01-01T00:30:00Z: the journal's new year, in the assumed year (nothing states one).
    let new_year = Timestamp::from_secs_micros(946_686_600, 0);
    for spec in [
        spec(records::Keep::Earliest, 150),
        spec(records::Keep::Near(new_year), 10_000),
        spec(records::Keep::All, 10_000),
    ] {
        let whole = gathered(&plain, ONE_PASS, &spec);
        assert!(!whole.0.is_empty());
        for split in [
            Split::Fixed {
                chunks: 5,
                overlap: 4096,
            },
            Split::Stream {
                piece: 64 << 10,
                overlap: 16 << 10,
            },
        ] {
            let bundle = if matches!(split, Split::Stream { .. }) {
                &gz
            } else {
                &plain
            };
            assert_eq!(gathered(bundle, split, &spec), whole, "{split:?}, {spec:?}");
        }
    }
    // Without --around: the 150 earliest (from the first kubelet line, line 2), no more.
    let (lines, beyond, untimed) = gathered(&plain, ONE_PASS, &spec(records::Keep::Earliest, 150));
    assert_eq!(lines.len(), 150);
    assert_eq!(lines[0].0, 2);
    assert_eq!(untimed, 0);
    // Every kubelet and kernel record but the 150 held is counted beyond the limit.
    let text = String::from_utf8_lossy(&data);
    let chosen = text
        .lines()
        .filter(|l| l.contains(" kubelet[") || l.contains(" kernel: "))
        .count() as u64;
    assert_eq!(beyond, chosen - 150);
    // Around 00:30 on New Year's Day, half an hour: before the zone is known, wall-clock times
    // within 16 hours more are held — from 08:00 on 31 December (the first kubelet line after
    // it, 08:00:20) to the end of the journal.
    let (near, _, _) = gathered(
        &plain,
        ONE_PASS,
        &spec(records::Keep::Near(new_year), 10_000),
    );
    assert_eq!(near.first().map(|r| r.1), Some(946_627_220 * 1_000_000));
    assert_eq!(near.last().map(|r| r.0), lines_of(&data));
}

/// The number of lines of `data`.
fn lines_of(data: &[u8]) -> Option<u32> {
    u32::try_from(memchr::memchr_iter(b'\n', data).count()).ok()
}
