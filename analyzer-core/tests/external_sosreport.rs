//! The real sosreport in `../shared/corpus-external/` (a mostly healthy Charmed Kubernetes node,
//! sos 4.2, Ubuntu 20.04, containerd with `containerd-shim-runc-v2`) is read end to end and
//! yields no high or critical finding.

use std::path::PathBuf;

use analyzer_core::{Bundle, Confidence, Options, Severity, analyze};

fn sosreport() -> Option<PathBuf> {
    let name = "sosreport-k8stest-4-2022-02-11-abcdef.tar.xz";
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("../../shared/corpus-external"),
        root.join("../../../shared/corpus-external"),
    ]
    .into_iter()
    .map(|d| d.join(name))
    .find(|p| p.is_file())
}

#[test]
fn healthy_real_sosreport_has_no_high_finding() {
    let Some(path) = sosreport() else {
        eprintln!("skipped: the external sosreport is not present");
        return;
    };
    let report = analyze(&Bundle::from_path(&path), &Options::default()).unwrap();
    let high: Vec<_> = report
        .findings
        .iter()
        .filter(|f| {
            f.max_severity_at(Confidence::Likely)
                .is_some_and(|s| s >= Severity::High)
        })
        .map(|f| format!("{} ({:?}, {})", f.rule, f.severity, f.summary))
        .collect();
    assert!(
        high.is_empty(),
        "likely or confirmed high/critical findings on a healthy node: {high:#?}"
    );
    // kube-controller-manager's `F0211 … leaderelection lost` wrote its goroutines into the
    // journal: 99 of them queue on klog's mutex behind the dump itself, no convoy. The
    // kube-apiserver's 503 lines quote their handler's stack in a field (`statusStack=
    // "\ngoroutine 14195 [running]:\n…"`): no dump, and nothing unread to warn about.
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(!rules.contains(&"lock-convoy"), "{rules:?}");
    let unread: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.message.contains("goroutine"))
        .map(|w| (&w.path, &w.message))
        .collect();
    assert!(unread.is_empty(), "{unread:?}");
    // Read end to end: the journal inside the nested logs.xz and the unit journals count.
    assert!(
        report.stats.members > 800,
        "members: {}",
        report.stats.members
    );
    assert!(
        report.stats.records > 120_000,
        "records: {}",
        report.stats.records
    );
    // The journal is there twice (whole, and again for the boot): containerd's three starts
    // (journal lines 2150, 2219, 2305) count once each and are cited once.
    let restart = report
        .findings
        .iter()
        .find(|f| f.rule == "frequent-daemon-restart")
        .expect("containerd restarted while juju set the node up");
    assert!(
        restart.summary.contains("containerd started 3 times"),
        "{}",
        restart.summary
    );
    // Cited from the whole journal (first in path order), as the timeline shows them.
    let cited: Vec<(&str, u32)> = restart
        .evidence
        .iter()
        .map(|e| (e.path.as_str(), e.line))
        .collect();
    let j = "sos_commands/logs/journalctl_--no-pager";
    assert_eq!(cited, vec![(j, 2150), (j, 2219), (j, 2305)]);
    let first = report.stats.first.unwrap().to_rfc3339();
    let last = report.stats.last.unwrap().to_rfc3339();
    assert!(first.starts_with("2022-02-11T18:5"), "first {first}");
    assert!(last.starts_with("2022-02-11T19:2"), "last {last}");
    assert_eq!(
        report.inputs[0].kind,
        analyzer_core::input::InputKind::Sosreport
    );
    // The pipeline and `inventory` count the same records.
    let inv = analyzer_core::inventory::inventory(&Bundle::from_path(&path), &Default::default())
        .unwrap();
    let inv_records: u64 = inv.members.iter().map(|m| m.records).sum();
    assert_eq!(inv_records, report.stats.records);
}

/// Bytes that no parser recognises do not pass for a healthy node: the report says nothing was read.
#[test]
fn unrecognised_input_is_named_in_a_warning() {
    let junk: Vec<u8> = (0..50_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let report = analyze(
        &Bundle::from_bytes("attachment.bin", junk),
        &Options::default(),
    )
    .unwrap();
    assert!(report.findings.is_empty());
    assert_eq!(report.stats.members, 0);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert_eq!(report.warnings[0].path, "attachment.bin");
    assert_eq!(
        report.warnings[0].message,
        "nothing was recognised as a log, goroutine dump or host-state file (1 member(s), 50000 bytes skipped)"
    );
}
