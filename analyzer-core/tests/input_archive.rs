//! Archive ingestion: compressions, links, hostile names, nesting, truncation, bombs.
//!
//! Every archive is built here with the `tar` builder and the encoders; entry names follow the
//! sosreport 4.2 layout (`sosreport-<host>-<date>/sos_commands/…`, root links such as
//! `ps -> sos_commands/process/ps_auxwwwm`, `var/log/messages ->
//! ../../sos_strings/logs/var.log.messages.tailed` when strings were collected).

use std::io::Write;
use std::sync::Arc;

use analyzer_core::base::Format;
use analyzer_core::input::walk::{LinkEntry, LinkKind, Sink, SkippedEntry, walk};
use analyzer_core::input::{Bundle, Limits, Member, Warning};
use analyzer_core::parse::SNIFFERS;

#[derive(Default)]
struct Collect {
    members: Vec<(String, Format, Vec<u8>, bool)>,
    skipped: Vec<SkippedEntry>,
    links: Vec<LinkEntry>,
    warnings: Vec<Warning>,
}

impl Sink for Collect {
    fn member(&mut self, m: Member) {
        self.members
            .push((m.path, m.format, m.data.to_vec(), m.truncated));
    }
    fn skipped(&mut self, e: SkippedEntry) {
        self.skipped.push(e);
    }
    fn link(&mut self, l: LinkEntry) {
        self.links.push(l);
    }
    fn warning(&mut self, w: Warning) {
        self.warnings.push(w);
    }
}

fn run(name: &str, bytes: Vec<u8>, limits: &Limits) -> Collect {
    let mut c = Collect::default();
    walk(
        &Bundle::from_bytes(name, Arc::<[u8]>::from(bytes)),
        limits,
        SNIFFERS,
        &mut c,
    )
    .unwrap();
    c
}

const TOP: &str = "sosreport-k8stest-4-2022-02-11-abcdef";
// `dmesg` as sos 4.2 collects it (k8stest-4).
const DMESG: &[u8] = b"[    0.000000] Linux version 5.4.0-97-generic (buildd@lcy02-amd64-032)\n\
[ 1573.878353] Memory cgroup out of memory: Killed process 4242 (java)\n";
// journalctl default output with the header of systemd 245.
const JOURNAL: &[u8] =
    b"-- Logs begin at Mon 2022-01-31 08:12:02 UTC, end at Fri 2022-02-11 19:23:58 UTC. --\n\
Feb 11 19:20:01 k8stest-4 kernel: eth0: link up\n\
Feb 11 19:20:02 k8stest-4 systemd[1]: Started Session 12 of user ubuntu.\n\
Feb 11 19:20:03 k8stest-4 containerd[812]: time=\"2022-02-11T19:20:03Z\" level=info msg=x\n";
const KERN: &[u8] = b"Feb 11 19:20:01 k8stest-4 kernel: [1573.878353] Out of memory\n";
const PS: &[u8] = b"USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n\
root           1  0.0  0.1 169404 13092 ?        -    18:58   0:03 /sbin/init\n";

fn file(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.set_path(path).unwrap();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    b.append(&h, data).unwrap();
}

fn dir(b: &mut tar::Builder<Vec<u8>>, path: &str) {
    let mut h = tar::Header::new_gnu();
    h.set_path(path).unwrap();
    h.set_size(0);
    h.set_mode(0o755);
    h.set_entry_type(tar::EntryType::Directory);
    h.set_cksum();
    b.append(&h, &[][..]).unwrap();
}

fn link(b: &mut tar::Builder<Vec<u8>>, path: &str, target: &str, kind: tar::EntryType) {
    let mut h = tar::Header::new_gnu();
    h.set_path(path).unwrap();
    h.set_size(0);
    h.set_mode(0o777);
    h.set_entry_type(kind);
    h.set_link_name(target).unwrap();
    h.set_cksum();
    b.append(&h, &[][..]).unwrap();
}

/// A header whose name bytes are written directly (the builder refuses `..` and `/`).
fn raw_name(b: &mut tar::Builder<Vec<u8>>, name: &[u8], data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    b.append(&h, data).unwrap();
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn bz2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn sos_tree() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    dir(&mut b, &format!("{TOP}/"));
    dir(&mut b, &format!("{TOP}/sos_commands/"));
    file(&mut b, &format!("{TOP}/sos_commands/kernel/dmesg"), DMESG);
    file(
        &mut b,
        &format!("{TOP}/sos_commands/process/ps_auxwwwm"),
        PS,
    );
    file(&mut b, &format!("{TOP}/var/log/kern.log"), KERN);
    file(
        &mut b,
        &format!("{TOP}/proc/kallsyms"),
        &[0u8, 1, 2, 3, 0, 0, 0, 7],
    );
    link(
        &mut b,
        &format!("{TOP}/ps"),
        "sos_commands/process/ps_auxwwwm",
        tar::EntryType::Symlink,
    );
    link(
        &mut b,
        &format!("{TOP}/var/log/messages"),
        "../../sos_strings/logs/var.log.messages.tailed",
        tar::EntryType::Symlink,
    );
    link(
        &mut b,
        &format!("{TOP}/etc/escape"),
        "../../etc/shadow",
        tar::EntryType::Symlink,
    );
    link(
        &mut b,
        &format!("{TOP}/loop/a"),
        "b",
        tar::EntryType::Symlink,
    );
    link(
        &mut b,
        &format!("{TOP}/loop/b"),
        "a",
        tar::EntryType::Symlink,
    );
    link(
        &mut b,
        &format!("{TOP}/var/log/kern.log.hard"),
        &format!("{TOP}/var/log/kern.log"),
        tar::EntryType::Link,
    );
    b.into_inner().unwrap()
}

fn member_list(c: &Collect) -> Vec<(String, Format, usize)> {
    let mut v: Vec<_> = c
        .members
        .iter()
        .map(|(p, f, d, _)| (p.clone(), *f, d.len()))
        .collect();
    v.sort();
    v
}

#[test]
fn every_compression_gives_the_same_members() {
    let tar = sos_tree();
    let limits = Limits::default();
    let plain = run("sos.tar", tar.clone(), &limits);
    let expect = vec![
        (
            "sos_commands/kernel/dmesg".to_string(),
            Format::Dmesg,
            DMESG.len(),
        ),
        (
            "sos_commands/process/ps_auxwwwm".to_string(),
            Format::Ps,
            PS.len(),
        ),
        ("var/log/kern.log".to_string(), Format::Syslog, KERN.len()),
    ];
    assert_eq!(member_list(&plain), expect);
    for (name, bytes) in [
        ("sos.tar.gz", gz(&tar)),
        ("sos.tar.xz", xz(&tar)),
        ("sos.tar.bz2", bz2(&tar)),
        // Names lie: the magic decides.
        ("sos.bin", xz(&tar)),
    ] {
        let c = run(name, bytes, &limits);
        assert_eq!(member_list(&c), expect, "{name}");
        assert_eq!(c.warnings, plain.warnings, "{name}");
    }
    assert_eq!(plain.skipped.len(), 1);
    assert_eq!(plain.skipped[0].path, "proc/kallsyms");
    assert_eq!(plain.skipped[0].bytes, 8);
    assert_eq!(plain.skipped[0].format, Format::Unknown);

    let links: Vec<(&str, &str, Format, LinkKind, bool)> = plain
        .links
        .iter()
        .map(|l| {
            (
                l.path.as_str(),
                l.target.as_str(),
                l.format,
                l.kind,
                l.resolved,
            )
        })
        .collect();
    assert_eq!(
        links,
        vec![
            (
                "var/log/kern.log.hard",
                "var/log/kern.log",
                Format::Syslog,
                LinkKind::Hard,
                true
            ),
            (
                "ps",
                "sos_commands/process/ps_auxwwwm",
                Format::Ps,
                LinkKind::Symbolic,
                true
            ),
            (
                "var/log/messages",
                "sos_strings/logs/var.log.messages.tailed",
                Format::Unknown,
                LinkKind::Symbolic,
                false
            ),
            (
                "etc/escape",
                "../../etc/shadow",
                Format::Unknown,
                LinkKind::Symbolic,
                false
            ),
            ("loop/a", "b", Format::Unknown, LinkKind::Symbolic, false),
            ("loop/b", "a", Format::Unknown, LinkKind::Symbolic, false),
        ]
    );
    let warnings: Vec<String> = plain.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        vec![
            "var/log/messages: dangling link to ../../sos_strings/logs/var.log.messages.tailed",
            "etc/escape: link to ../../etc/shadow leaves the bundle; not followed",
            "loop/a: link loop or chain longer than 32 links at b",
            "loop/b: link loop or chain longer than 32 links at a",
        ]
    );
}

#[test]
fn hostile_names_and_devices_are_skipped_with_warnings() {
    let mut b = tar::Builder::new(Vec::new());
    dir(&mut b, &format!("{TOP}/"));
    raw_name(
        &mut b,
        format!("{TOP}/../../etc/cron.d/x").as_bytes(),
        b"* * * * * root sh\n",
    );
    raw_name(&mut b, b"/etc/passwd", b"root:x:0:0::/root:/bin/bash\n");
    let mut h = tar::Header::new_gnu();
    h.set_path(format!("{TOP}/dev/kmsg")).unwrap();
    h.set_size(0);
    h.set_entry_type(tar::EntryType::Char);
    h.set_cksum();
    b.append(&h, &[][..]).unwrap();
    file(&mut b, &format!("{TOP}/sos_commands/kernel/dmesg"), DMESG);
    let c = run("hostile.tar", b.into_inner().unwrap(), &Limits::default());
    let warnings: Vec<String> = c.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        vec![
            format!("{TOP}/../../etc/cron.d/x: path with `..` in archive; entry skipped"),
            "/etc/passwd: absolute path in archive; entry skipped".to_string(),
            "dev/kmsg: device or fifo entry; skipped".to_string(),
        ]
    );
    assert_eq!(
        member_list(&c),
        vec![(
            "sos_commands/kernel/dmesg".to_string(),
            Format::Dmesg,
            DMESG.len()
        )]
    );
}

#[test]
fn nested_archives_expand_in_place() {
    // sos 4.2 on k8stest-4 stored `sos_commands/logs.xz` holding `logs/journalctl_--no-pager`,
    // `sos_reports.tgz` holding `sos_reports/manifest.json`, and compressed rotated logs.
    let mut inner = tar::Builder::new(Vec::new());
    dir(&mut inner, "logs/");
    file(&mut inner, "logs/journalctl_--no-pager", JOURNAL);
    let logs_xz = xz(&inner.into_inner().unwrap());

    let mut inner = tar::Builder::new(Vec::new());
    file(&mut inner, "X/sos_commands/kernel/dmesg", DMESG);
    let pack_dir_tar = inner.into_inner().unwrap();

    let mut b = tar::Builder::new(Vec::new());
    dir(&mut b, &format!("{TOP}/"));
    file(&mut b, &format!("{TOP}/sos_commands/logs.xz"), &logs_xz);
    file(&mut b, &format!("{TOP}/inner/X.tar"), &pack_dir_tar);
    file(
        &mut b,
        &format!("{TOP}/var/log/messages-20200508.gz"),
        &gz(KERN),
    );
    let tar = b.into_inner().unwrap();

    let c = run("sos.tar.gz", gz(&tar), &Limits::default());
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert_eq!(
        member_list(&c),
        vec![
            (
                "inner/X/sos_commands/kernel/dmesg".to_string(),
                Format::Dmesg,
                DMESG.len()
            ),
            (
                "sos_commands/logs/journalctl_--no-pager".to_string(),
                Format::JournalShort,
                JOURNAL.len()
            ),
            (
                "var/log/messages-20200508.gz".to_string(),
                Format::Syslog,
                KERN.len()
            ),
        ]
    );
    let msgs = c.members.iter().find(|m| m.0.ends_with(".gz")).unwrap();
    assert_eq!(msgs.2, KERN);

    // With no nesting allowed, the inner archives are counted, not expanded.
    let limits = Limits {
        max_nesting: 0,
        ..Limits::default()
    };
    let c = run("sos.tar.gz", gz(&tar), &limits);
    assert_eq!(
        member_list(&c),
        vec![(
            "var/log/messages-20200508.gz".to_string(),
            Format::Syslog,
            KERN.len()
        )]
    );
    let warnings: Vec<String> = c.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        vec![
            "sos_commands/logs.xz: archive nested deeper than 0; not expanded",
            "inner/X.tar: archive nested deeper than 0; not expanded",
        ]
    );
}

#[test]
fn multi_member_gzip_is_read_whole() {
    // `cat a.gz b.gz > messages.gz` (logrotate `delaycompress` + manual concatenation).
    let mut bytes = gz(&KERN[..20]);
    bytes.extend(gz(&KERN[20..]));
    let c = run("var/log/messages.gz", bytes, &Limits::default());
    assert_eq!(c.members.len(), 1);
    assert_eq!(c.members[0].0, "messages.gz");
    assert_eq!(c.members[0].2, KERN);
    assert!(!c.members[0].3);
}

#[test]
fn truncated_stream_keeps_what_came_before() {
    let mut b = tar::Builder::new(Vec::new());
    dir(&mut b, &format!("{TOP}/"));
    file(&mut b, &format!("{TOP}/sos_commands/kernel/dmesg"), DMESG);
    // Incompressible filler so that the cut lands inside this member.
    let mut x = 0x2545F491u32;
    let filler: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            b'a' + (x % 26) as u8
        })
        .collect();
    file(
        &mut b,
        &format!("{TOP}/sos_commands/process/ps_auxwwwm"),
        &[PS, &filler].concat(),
    );
    file(&mut b, &format!("{TOP}/var/log/kern.log"), KERN);
    let full = gz(&b.into_inner().unwrap());
    let cut = full[..full.len() / 2].to_vec();
    let c = run("sos.tar.gz", cut, &Limits::default());
    let list = member_list(&c);
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[0],
        (
            "sos_commands/kernel/dmesg".to_string(),
            Format::Dmesg,
            DMESG.len()
        )
    );
    assert_eq!(list[1].0, "sos_commands/process/ps_auxwwwm");
    let ps = c.members.iter().find(|m| m.1 == Format::Ps).unwrap();
    assert!(ps.3, "the cut member is marked truncated");
    assert!(ps.2.starts_with(PS));
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    let w = &c.warnings[0];
    assert_eq!(w.path, "sos_commands/process/ps_auxwwwm");
    assert_eq!(w.offset, Some(ps.2.len() as u64));
    assert!(w.message.starts_with("read error: "), "{}", w.message);
    assert!(w.message.ends_with("; member cut"), "{}", w.message);
}

#[test]
fn gzip_bomb_is_stopped() {
    // 200 MiB of zeros compress ~1000:1; the limit here is 100:1 checked from 1 MiB on.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..200 {
        e.write_all(&zeros).unwrap();
    }
    let bomb = e.finish().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    dir(&mut b, &format!("{TOP}/"));
    file(&mut b, &format!("{TOP}/var/log/syslog.1.gz"), &bomb);
    file(&mut b, &format!("{TOP}/var/log/kern.log"), KERN);
    let limits = Limits {
        max_ratio: 100,
        ratio_check_bytes: 1 << 20,
        ..Limits::default()
    };
    let c = run("sos.tar", b.into_inner().unwrap(), &limits);
    // The zeros are one line: besides the bomb, the streamed line cut says so at offset 0.
    assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
    let cut = &c.warnings[1];
    assert_eq!(cut.path, "var/log/syslog.1.gz");
    assert_eq!(cut.offset, Some(0));
    assert!(
        cut.message.starts_with("lines longer than "),
        "{}",
        cut.message
    );
    let w = &c.warnings[0];
    assert_eq!(w.path, "var/log/syslog.1.gz");
    assert!(
        w.message
            .starts_with("decompression ratio above 100:1 after "),
        "{}",
        w.message
    );
    assert!(
        w.message
            .ends_with("stopped as a possible decompression bomb; member cut")
    );
    let off = w.offset.unwrap();
    assert!(off > 1 << 20 && off < 8 << 20, "stopped early, at {off}");
    let syslog = c
        .members
        .iter()
        .find(|m| m.0 == "var/log/syslog.1.gz")
        .unwrap();
    assert!(syslog.3);
    assert_eq!(syslog.1, Format::Syslog);
    // The archive goes on after the bomb.
    assert!(
        c.members
            .iter()
            .any(|m| m.0 == "var/log/kern.log" && m.2 == KERN)
    );
}

#[test]
fn member_size_limit_cuts_with_a_warning() {
    let mut b = tar::Builder::new(Vec::new());
    dir(&mut b, &format!("{TOP}/"));
    file(
        &mut b,
        &format!("{TOP}/var/log/kern.log"),
        &KERN.repeat(100),
    );
    file(&mut b, &format!("{TOP}/sos_commands/kernel/dmesg"), DMESG);
    let limits = Limits {
        max_member_bytes: 1000,
        ..Limits::default()
    };
    let c = run("sos.tar.xz", xz(&b.into_inner().unwrap()), &limits);
    let warnings: Vec<String> = c.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        vec!["var/log/kern.log (offset 1000): member larger than 1000 bytes; cut there"]
    );
    assert_eq!(
        member_list(&c),
        vec![
            (
                "sos_commands/kernel/dmesg".to_string(),
                Format::Dmesg,
                DMESG.len()
            ),
            ("var/log/kern.log".to_string(), Format::Syslog, 1000),
        ]
    );
}

#[test]
fn junk_is_unknown_and_nothing_panics() {
    // Random bytes, a header-looking prefix, and every truncation of a small .tar.gz.
    let tar = sos_tree();
    let full = gz(&tar);
    for cut in (0..full.len()).step_by(7) {
        let mut c = Collect::default();
        let _ = walk(
            &Bundle::from_bytes("cut.tar.gz", Arc::<[u8]>::from(full[..cut].to_vec())),
            &Limits::default(),
            SNIFFERS,
            &mut c,
        );
    }
    let junk: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    let c = run("junk.bin", junk, &Limits::default());
    assert!(c.members.is_empty());
    assert_eq!(c.skipped.len(), 1);
    assert_eq!(c.skipped[0].bytes, 5000);
}

#[test]
fn directory_and_tarball_of_the_same_tree_agree() {
    use analyzer_core::inventory::inventory;
    let tmp = tempfile::tempdir().unwrap();
    let tar = sos_tree();
    tar::Archive::new(&tar[..]).unpack(tmp.path()).unwrap();
    let from_dir = inventory(&Bundle::from_path(tmp.path()), &Limits::default()).unwrap();
    let from_tar = inventory(
        &Bundle::from_bytes("sos.tar.gz", Arc::<[u8]>::from(gz(&tar))),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(from_dir.members, from_tar.members);
    assert_eq!(from_dir.members.len(), 10);
    assert_eq!(
        from_dir.inputs[0].kind,
        analyzer_core::input::InputKind::Sosreport
    );
    assert_eq!(
        from_tar.inputs[0].kind,
        analyzer_core::input::InputKind::Sosreport
    );
}
