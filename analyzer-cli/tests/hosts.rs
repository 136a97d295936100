//! Several hosts in one run: two sosreports analysed together give each host the findings,
//! times and evidence it gives alone, grouped under a heading per host.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub(crate) fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus")
        .join(name)
}

/// Copies a corpus bundle (its members, not the test expectations) into `to`.
pub(crate) fn copy_bundle(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let target = to.join(&name);
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            // Links as sos stores them (`etc/localtime`, `date` at the top), dangling or not.
            let link = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(link, target).unwrap();
        } else if kind.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_bundle(&entry.path(), &target);
        } else if name != "expected.json" && name != "README.md" {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn run(args: &[&Path], format: &str) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .arg("analyze")
        .args(["--format", format, "--color", "never"])
        .args(args)
        .output()
        .expect("run nodemortem");
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn json(args: &[&Path]) -> Value {
    serde_json::from_str(&run(args, "json")).unwrap()
}

/// (host, rule, evidence as (input, path, line, time)) of every finding and those it explains.
type Row = (u64, String, Vec<(u64, String, u64, String)>);

fn rows(report: &Value) -> Vec<Row> {
    fn walk(f: &Value, host: u64, out: &mut Vec<Row>) {
        let ev = f["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["input"].as_u64().unwrap(),
                    e["path"].as_str().unwrap().to_string(),
                    e["line"].as_u64().unwrap(),
                    e["time"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        out.push((host, f["rule"].as_str().unwrap().to_string(), ev));
        for x in f["explains"].as_array().unwrap() {
            walk(x, host, out);
        }
    }
    let mut out = Vec::new();
    for f in report["findings"].as_array().unwrap() {
        walk(f, f["host"].as_u64().unwrap(), &mut out);
    }
    out
}

/// Host A: a CentOS node in Asia/Shanghai in December 2018 (seed-000); host B: seed-001's
/// node, its `date`, `timedatectl` and `etc/localtime` put in UTC and a year later.
pub(crate) fn two_hosts(dir: &Path) -> (PathBuf, PathBuf) {
    let a = dir.join("sosreport-two-slave-41-135-2018-12-14");
    let b = dir.join("sosreport-tke-node-2021-08-20");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    copy_bundle(&corpus("seed-000-devicemapper-thinpool"), &a);
    copy_bundle(&corpus("seed-001-pod-terminating"), &b);
    std::fs::remove_file(b.join("etc/localtime")).unwrap();
    std::os::unix::fs::symlink("../usr/share/zoneinfo/Etc/UTC", b.join("etc/localtime")).unwrap();
    std::fs::write(
        b.join("sos_commands/date/date"),
        "Fri Aug 20 02:46:12 UTC 2021\n",
    )
    .unwrap();
    std::fs::write(
        b.join("sos_commands/systemd/timedatectl"),
        "      Local time: Fri 2021-08-20 02:46:13 UTC\n  Universal time: Fri 2021-08-20 02:46:13 UTC\n        RTC time: Fri 2021-08-20 02:46:13\n       Time zone: Etc/UTC (UTC, +0000)\n     NTP enabled: yes\nNTP synchronized: yes\n RTC in local TZ: no\n      DST active: n/a\n",
    )
    .unwrap();
    (a, b)
}

#[test]
fn two_sosreports_are_analysed_as_two_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_hosts(dir.path());
    let both = json(&[&a, &b]);
    assert_eq!(both["schema_version"], 3);
    let hosts: Vec<(String, Vec<u64>)> = both["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_string(),
                h["inputs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_u64().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        hosts,
        [
            ("two-slave-41-135".to_string(), vec![0]),
            ("tke-node".to_string(), vec![1])
        ]
    );
    let got = rows(&both);
    // (b) every evidence line of a finding comes from that finding's host's input.
    for (host, rule, ev) in &got {
        for (input, path, line, _) in ev {
            assert_eq!(input, host, "{rule}: {path}:{line} cited by host {host}");
        }
    }
    // (a) A's records keep the times A alone gives them (Asia/Shanghai, 2018).
    let thinpool = got
        .iter()
        .find(|r| r.1 == "devicemapper-thinpool-missing")
        .unwrap();
    assert_eq!(
        thinpool.2[..3],
        [
            (
                0,
                "var/log/messages".to_string(),
                1013,
                "2018-12-13T19:21:03Z".to_string()
            ),
            (
                0,
                "var/log/messages".to_string(),
                1024,
                "2018-12-13T19:25:33Z".to_string()
            ),
            (
                0,
                "var/log/messages".to_string(),
                1033,
                "2018-12-13T19:31:34Z".to_string()
            ),
        ]
    );
    // (a, c) each host's findings, rule ids, counts and evidence times equal its run alone.
    for (h, path) in [(0u64, &a), (1, &b)] {
        let alone = json(&[path]);
        assert_eq!(alone["hosts"].as_array().unwrap().len(), 1);
        let alone: Vec<Row> = rows(&alone)
            .into_iter()
            .map(|(_, rule, ev)| {
                let ev = ev.into_iter().map(|(_, p, l, t)| (h, p, l, t)).collect();
                (h, rule, ev)
            })
            .collect();
        let mine: Vec<Row> = got.iter().filter(|r| r.0 == h).cloned().collect();
        assert!(!mine.is_empty(), "host {h} has findings");
        assert_eq!(mine, alone, "host {h}");
    }
    let rules = |h: u64| -> Vec<&str> {
        got.iter()
            .filter(|r| r.0 == h)
            .map(|r| r.1.as_str())
            .collect()
    };
    assert!(rules(0).contains(&"devicemapper-thinpool-missing"));
    assert!(!rules(1).contains(&"devicemapper-thinpool-missing"));
    assert!(rules(1).contains(&"pod-terminating-runtime-timeout"));
    assert!(!rules(0).contains(&"pod-terminating-runtime-timeout"));
}

#[test]
fn text_report_groups_findings_under_host_headings() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_hosts(dir.path());
    let text = run(&[&a, &b], "text");
    let heading_a = format!("== Host 1 of 2: two-slave-41-135 ({}) ==", a.display());
    let heading_b = format!("== Host 2 of 2: tke-node ({}) ==", b.display());
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("== Host ")).collect();
    assert_eq!(headings, [heading_a.as_str(), heading_b.as_str()]);
    let at_a = text.find(&heading_a).unwrap();
    let at_b = text.find(&heading_b).unwrap();
    // A's finding under A's heading, B's under B's, evidence paths naming their input.
    let thinpool = text.find("devicemapper-thinpool-missing").unwrap();
    let terminating = text.find("pod-terminating-runtime-timeout").unwrap();
    assert!(at_a < thinpool && thinpool < at_b, "{text}");
    assert!(at_b < terminating, "{text}");
    assert!(text.contains(&format!("{}/var/log/messages:1013", a.display())));
    assert!(text.contains(&format!(
        "{}/sos_commands/logs/journalctl_--no-pager:1330",
        b.display()
    )));
    // Markdown and Jira head each host alike.
    let md = run(&[&a, &b], "markdown");
    let md_headings: Vec<&str> = md.lines().filter(|l| l.contains("# Host ")).collect();
    assert_eq!(
        md_headings,
        [
            format!("### Host 1 of 2: two-slave-41-135 ({})", a.display()),
            format!("### Host 2 of 2: tke-node ({})", b.display())
        ]
    );
}

#[test]
fn one_sosreport_has_one_host_and_no_heading() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = two_hosts(dir.path());
    let text = run(&[&a], "text");
    assert!(!text.contains("== Host"), "{text}");
    assert!(text.contains("    var/log/messages:1013"), "{text}");
}

#[test]
fn same_named_loose_files_cite_their_own_input() {
    // Two copies of a node's `messages` taken on different days, given together: one host, two
    // inputs of the same file name. Each evidence line names the input it was read from.
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a/messages");
    let b = dir.path().join("b/messages");
    std::fs::create_dir_all(a.parent().unwrap()).unwrap();
    std::fs::create_dir_all(b.parent().unwrap()).unwrap();
    std::fs::write(
        &a,
        "Jul 14 09:00:01 node1 systemd[1]: Started Session 12 of user root.\n\
         Jul 14 09:00:02 node1 systemd[1]: Started Docker Application Container Engine.\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "Jul 15 10:12:20 node1 systemd[1]: Started Session 13 of user root.\n\
         Jul 15 10:12:21 node1 kernel: java invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\n\
         Jul 15 10:12:22 node1 kernel: Out of memory: Killed process 4021 (java) total-vm:9600000kB, anon-rss:4190000kB, file-rss:0kB, shmem-rss:0kB\n",
    )
    .unwrap();
    let report = json(&[&a, &b]);
    assert_eq!(report["hosts"].as_array().unwrap().len(), 1);
    let got = rows(&report);
    let oom = got.iter().find(|r| r.1 == "oom-kill").expect("oom-kill");
    assert!(!oom.2.is_empty());
    for (input, path, line, _) in &oom.2 {
        assert_eq!((*input, path.as_str()), (1, "messages"), "line {line}");
    }
    assert_eq!(
        oom.2.iter().map(|e| e.2).collect::<Vec<_>>(),
        [3, 2],
        "{oom:?}"
    );
    // The text report names the second input's file.
    let text = run(&[&a, &b], "text");
    assert!(text.contains(&format!("{}:3", b.display())), "{text}");
    assert!(!text.contains(&format!("{}:3", a.display())), "{text}");
}

/// A tar of a node's logs as a support engineer packs them: each entry with its real
/// modification time.
fn tar_with_mtimes(entries: &[(&str, &[u8], u64)]) -> Vec<u8> {
    let mut t = tar::Builder::new(Vec::new());
    for (path, data, mtime) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(*mtime);
        h.set_cksum();
        t.append_data(&mut h, path, *data).unwrap();
    }
    t.into_inner().unwrap()
}

const SYSLOG_OOM: &[u8] = b"Mar 16 08:59:40 node1 systemd[1]: Started Session 13 of user root.\n\
Mar 16 08:59:41 node1 kernel: java invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\n\
Mar 16 08:59:42 node1 kernel: Out of memory: Killed process 4021 (java) total-vm:9600000kB, anon-rss:4190000kB, file-rss:0kB, shmem-rss:0kB\n";

#[test]
fn archive_member_times_give_yearless_lines_their_year() {
    let dir = tempfile::tempdir().unwrap();
    // Packed on 2021-03-16 09:02:11 UTC; `uptime` taken then.
    let packed = 1_615_885_331;
    let tar = dir.path().join("node1-logs.tar");
    std::fs::write(
        &tar,
        tar_with_mtimes(&[
            ("node1-logs/var/log/messages", SYSLOG_OOM, packed - 149),
            (
                "node1-logs/sos_commands/host/uptime",
                b" 09:02:11 up 3 days,  2:01,  1 user,  load average: 0.83, 0.73, 0.76\n",
                packed,
            ),
        ]),
    )
    .unwrap();
    let report = json(&[&tar]);
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["message"].as_str().unwrap())
        .collect();
    assert!(
        warnings.iter().all(|w| !w.starts_with("year assumed")),
        "{warnings:?}"
    );
    let got = rows(&report);
    let oom = got.iter().find(|r| r.1 == "oom-kill").expect("oom-kill");
    assert_eq!(
        oom.2,
        [
            (
                0,
                "var/log/messages".to_string(),
                3,
                "2021-03-16T08:59:42Z".to_string()
            ),
            (
                0,
                "var/log/messages".to_string(),
                2,
                "2021-03-16T08:59:41Z".to_string()
            ),
        ]
    );
    // The report names where the year came from, and the boot time `uptime` gives.
    let host = &report["host"];
    assert_eq!(host["collected"]["value"], "2021-03-16T09:02:11Z");
    assert_eq!(
        host["collected"]["source"],
        "modification time of sos_commands/host/uptime in the archive"
    );
    assert_eq!(host["boot_time"]["value"], "2021-03-13T07:01:00Z (about)");

    // The same archive with no times written (0): the year is assumed and said.
    let bare = dir.path().join("bare.tar");
    std::fs::write(
        &bare,
        tar_with_mtimes(&[("var/log/messages", SYSLOG_OOM, 0)]),
    )
    .unwrap();
    let report = json(&[&bare]);
    assert!(
        report["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("year assumed: 2000"),
        "{}",
        report["warnings"]
    );
    assert_eq!(
        rows(&report).iter().find(|r| r.1 == "oom-kill").unwrap().2[0].3,
        "2000-03-16T08:59:42Z"
    );
}

#[test]
fn html_draws_every_hosts_dumps_under_its_host_with_unique_ids() {
    // Two nodes with the same dockerd hang, each with its goroutine dump.
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("sosreport-node-a-2020-07-15");
    let b = dir.path().join("sosreport-node-b-2020-07-15");
    for d in [&a, &b] {
        std::fs::create_dir_all(d).unwrap();
        copy_bundle(&corpus("seed-003-volume-remove-lock"), d);
    }
    let html = run(&[&a, &b], "html");
    let svgs = html
        .matches("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"waitfor\"")
        .count();
    assert_eq!(svgs, 2, "one graph per host");
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(at("<section id=\"host-0\">") < at("<section id=\"host-1\">"));
    let w0 = at("<section id=\"waitfor-0\"><h2>Wait-for graph: Host 1 of 2: ");
    let w1 = at("<section id=\"waitfor-1\"><h2>Wait-for graph: Host 2 of 2: ");
    assert!(w0 < w1);
    assert!(html.contains("marker-end=\"url(#waitfor-0-1-arrow)\""));
    assert!(html.contains("marker-end=\"url(#waitfor-1-1-arrow)\""));
    // Every id of the page is unique.
    let mut ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids");
    assert!(!html.contains("id=\"host\""));
}
