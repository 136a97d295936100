//! The real sosreport of a Charmed Kubernetes master (sos 4.2, Ubuntu 20.04, 2022-02-11),
//! read as the `.tar.xz` and as an extraction of it: the same members, formats and counts.

use std::path::PathBuf;

use analyzer_core::base::Format;
use analyzer_core::input::{Bundle, InputKind, Limits};
use analyzer_core::inventory::{Inventory, inventory};

fn archive() -> Option<PathBuf> {
    // `../shared` beside the workspace root; one level further up from a git worktree.
    let name = "shared/corpus-external/sosreport-k8stest-4-2022-02-11-abcdef.tar.xz";
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        manifest.join("../..").join(name),
        manifest.join("../../..").join(name),
    ];
    let found = candidates.iter().find(|p| p.exists()).cloned();
    if found.is_none() {
        println!("skipped: {} is absent", candidates[0].display());
    }
    found
}

fn find<'i>(inv: &'i Inventory, path: &str) -> &'i analyzer_core::inventory::MemberInfo {
    inv.members
        .iter()
        .find(|m| m.path == path)
        .unwrap_or_else(|| panic!("{path} missing"))
}

#[test]
fn archive_and_extraction_agree() {
    let Some(path) = archive() else { return };
    let from_tar = inventory(&Bundle::from_path(&path), &Limits::default()).unwrap();
    assert_eq!(from_tar.inputs[0].kind, InputKind::Sosreport);

    let dmesg = find(&from_tar, "sos_commands/kernel/dmesg");
    assert_eq!(dmesg.format, Format::Dmesg);
    assert!(dmesg.records > 0);
    assert_eq!(find(&from_tar, "var/log/kern.log").format, Format::Syslog);
    let kubelet = find(
        &from_tar,
        "sos_commands/kubernetes/journalctl_--no-pager_--unit_kubelet",
    );
    assert_eq!(kubelet.format, Format::JournalShort);
    assert_eq!(kubelet.records, 0, "the file says `-- No entries --`");
    // Inside the nested `sos_commands/logs.xz`.
    let journal = find(&from_tar, "sos_commands/logs/journalctl_--no-pager");
    assert_eq!(journal.format, Format::JournalShort);
    assert!(journal.records > 10_000, "{}", journal.records);
    assert_eq!(journal.bytes, 12_212_574);
    // Inside `sos_reports.tgz`.
    assert_eq!(
        find(&from_tar, "sos_reports/manifest.json").format,
        Format::SosManifest
    );
    // Root links of sos.
    let ps = find(&from_tar, "ps");
    assert_eq!(ps.link.as_deref(), Some("sos_commands/process/ps_auxwwwm"));
    assert_eq!(ps.format, Format::Ps);
    assert_eq!(ps.records, 0);
    // The collection time anchors yearless journal lines in 2022.
    let first = journal.first.unwrap().to_rfc3339();
    assert!(first.starts_with("2022-02-11T"), "{first}");

    // The test (never the library) unpacks the archive.
    let tmp = tempfile::tempdir().unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let mut ar = tar::Archive::new(liblzma::read::XzDecoder::new_multi_decoder(file));
    ar.unpack(tmp.path()).unwrap();
    let from_dir = inventory(&Bundle::from_path(tmp.path()), &Limits::default()).unwrap();
    assert_eq!(from_dir.inputs[0].kind, InputKind::Sosreport);
    let list = |inv: &Inventory| {
        inv.members
            .iter()
            .map(|m| (m.path.clone(), m.format, m.records, m.bytes, m.link.clone()))
            .collect::<Vec<_>>()
    };
    let (a, b) = (list(&from_tar), list(&from_dir));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
}
