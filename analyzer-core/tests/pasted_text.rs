//! Pasted text end to end: what a support engineer saves from a ticket into a file, analysed
//! as a bundle of one loose file. Realistic shapes of every class (mixed pastes, kubectl
//! output, pprof profiles, dumps that cannot be read), built here rather than copied.

use analyzer_core::analysis::{analyze_detailed, analyze_with};
use analyzer_core::{Bundle, Options};

/// A rule that turns a `goroutines` stack observation into a finding whose summary carries the
/// bucket's count: the data a convoy rule reads.
const CONVOY_RULE: &str = r#"
id = "test-pprof-convoy"
title = "goroutines queued on one mutex"
severity = "high"
summary = "{convoy.count} goroutines wait in sync.(*Mutex).Lock under {convoy.frames}"
explanation = "test"
remediation = "test"

[[evidence]]
id = "convoy"
kind = "stacks"
predicate = "goroutines"
role = "required"
frames = 'sync\.\(\*Mutex\)\.Lock'
min_count = 100000
describe = "a bucket of goroutines in sync.(*Mutex).Lock"
"#;

/// A `/debug/pprof/goroutine?debug=1` profile of a daemon whose container store lock is
/// contended: 250 000 goroutines queued under one caller, the rest idle.
fn convoy_profile() -> String {
    let mut s = String::from("goroutine profile: total 250212\n");
    s.push_str("250000 @ 0x43a1c5 0x44a5b2 0x44a58d 0x46e5c5 0x4d8f6b 0x4d8f38 0x470e41\n");
    for (addr, func, file, line) in [
        (
            "0x44a58c",
            "sync.runtime_SemacquireMutex+0x3c",
            "/usr/local/go/src/runtime/sema.go",
            71,
        ),
        (
            "0x46e5c4",
            "sync.(*Mutex).lockSlow+0x164",
            "/usr/local/go/src/sync/mutex.go",
            138,
        ),
        (
            "0x46e5c5",
            "sync.(*Mutex).Lock+0x5",
            "/usr/local/go/src/sync/mutex.go",
            81,
        ),
        (
            "0x4d8f6a",
            "github.com/docker/docker/container.(*memoryStore).Get+0x4a",
            "/go/src/github.com/docker/docker/container/memory_store.go",
            28,
        ),
        (
            "0x4d8f37",
            "github.com/docker/docker/daemon.(*Daemon).GetContainer+0x77",
            "/go/src/github.com/docker/docker/daemon/container.go",
            55,
        ),
    ] {
        s.push_str(&format!("#\t{addr}\t{func}\t{file}:{line}\n"));
    }
    s.push('\n');
    s.push_str("212 @ 0x43a1c5 0x406b6f 0x406712 0x470e41\n");
    s.push_str("#\t0x406b6e\truntime.chanrecv1+0x1e\t/usr/local/go/src/runtime/chan.go:442\n");
    s
}

#[test]
fn pprof_buckets_reach_the_rules_with_their_counts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("convoy.toml"), CONVOY_RULE).unwrap();
    let engine = analyzer_core::rules::load(&[dir.path()]).unwrap();
    let bundle = Bundle::from_bytes("goroutines.txt", convoy_profile().into_bytes());
    let a = analyze_detailed(&bundle, &Options::default(), &engine).unwrap();
    assert_eq!(a.dumps.len(), 1);
    assert_eq!(a.dumps[0].1.goroutines, 250_212);
    assert_eq!(a.dumps[0].1.buckets[0].count, 250_000);
    let f = a
        .report
        .findings
        .iter()
        .find(|f| f.rule == "test-pprof-convoy")
        .expect("the convoy bucket reaches the rule");
    assert!(
        f.summary
            .starts_with("250000 goroutines wait in sync.(*Mutex).Lock under "),
        "{}",
        f.summary
    );
    assert!(f.summary.contains("(*memoryStore).Get"), "{}", f.summary);
    // Cited at the record's line.
    assert_eq!(f.evidence[0].line, 2);
    assert!(a.report.warnings.is_empty(), "{:?}", a.report.warnings);
}

#[test]
fn a_dump_that_cannot_be_read_is_named() {
    // docker 1.12 wrote its SIGUSR1 dump into one logrus field, escaped.
    let text = "time=\"2016-10-27T15:20:24.000000000Z\" level=info msg=\"=== BEGIN goroutine stack dump ===\\ngoroutine 82238 [semacquire, 19 minutes]:\\nsync.runtime_Semacquire(0xc820354f54)\\n\\t/usr/lib/go1.6/src/runtime/sema.go:47 +0x26\\n\\ngoroutine 82239 [semacquire, 19 minutes]:\\nsync.(*Mutex).Lock(0xc820354f50)\\n=== END goroutine stack dump ===\"\n";
    let report = analyze_with(
        &Bundle::from_bytes("dump.txt", text.as_bytes().to_vec()),
        &Options::default(),
        &analyzer_core::rules::load(&[]).unwrap(),
    )
    .unwrap();
    let w: Vec<&str> = report.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(report.warnings.len(), 1, "{w:?}");
    assert_eq!(report.warnings[0].path, "dump.txt");
    assert!(w[0].contains("no goroutine could be read"), "{w:?}");
}

#[test]
fn mixed_paste_keeps_its_line_numbers() {
    // A kubelet line, `docker-runc state`, a `ps` forest cut by grep: each part read by its
    // parser, evidence at the paste's own lines.
    let text = "Jan 08 20:07:05 node kernel: runc:[2:INIT] invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0\n\
$ docker-runc state bd03d5ffc924\n\
{\n  \"ociVersion\": \"1.0.0-rc2-dev\",\n  \"id\": \"bd03d5ffc924523fcc3834f0a875d939e2cffcb37f29173f8c1acb8e79c47430\",\n  \"pid\": 23314,\n  \"status\": \"created\"\n}\n\
$ ps -eo user,pid,stat,start,time,args f | grep -B1 defunct\n\
root      7509 Sl+  14:38   0:00  | \\_ runc run my-container\n\
root      7517 Zs   14:38   0:00  |     \\_ [runc:[2:INIT]] <defunct>\n";
    let engine = analyzer_core::rules::load(&[]).unwrap();
    let a = analyze_detailed(
        &Bundle::from_bytes("ticket.txt", text.as_bytes().to_vec()),
        &Options::default(),
        &engine,
    )
    .unwrap();
    let fact = |k: &str| a.host.facts.iter().find(|f| f.kind == k).unwrap();
    assert_eq!(fact("runc-state").evidence[0].line, 7);
    let z = fact("runc-init-zombie");
    assert_eq!(z.attrs["parent_args"], "runc run my-container");
    assert_eq!(
        z.evidence.iter().map(|e| e.line).collect::<Vec<_>>(),
        vec![11, 10]
    );
    // The kernel line is a record of the kernel.
    // Records: the kernel line and the JSON and ps lines; not the two commands.
    assert_eq!(a.report.stats.records, 11 - 2);
}

#[test]
fn kubectl_events_are_kubelet_records() {
    // `kubectl describe node` events of a GKE node (kernel monitor) and a kubelet's image GC
    // failures: the rules read them as the kubelet's and the kernel's lines.
    let text = "Events:\n  Type     Reason                Age                  From                                        Message\n  ----     ------                ----                 ----                                        -------\n  Warning  UnregisterNetDevice   3s (x14245 over 1d)  kernel-monitor, gke-c1-cpu8-mem52-e7a9e3b3  unregister_netdevice: waiting for eth0 to become free. Usage count = 21\n  Warning  ImageGCFailed         59m                  kubelet, gke-c1-cpu8-mem52-e7a9e3b3         failed to garbage collect required amount of images. Wanted to free 6808736563 bytes, but freed 0 bytes\n";
    let report = analyzer_core::analyze(
        &Bundle::from_bytes("node-events.txt", text.as_bytes().to_vec()),
        &Options::default(),
    )
    .unwrap();
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(rules.contains(&"unregister-netdevice-leak"), "{rules:?}");
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == "unregister-netdevice-leak")
        .unwrap();
    // The rewritten row is cited at its own line.
    assert_eq!(f.evidence[0].line, 4);
    assert!(
        f.evidence[0]
            .text
            .starts_with("kernel: UnregisterNetDevice: unregister_netdevice: waiting for eth0"),
        "{}",
        f.evidence[0].text
    );
}
