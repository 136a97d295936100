//! CLI conventions: help with examples, output formats, `-o`, colour control, completions, man
//! page, timeline, one-line errors and `--verbose`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run nodemortem")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn help_lists_commands_and_examples() {
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let s = stdout(&o);
    for cmd in [
        "analyze",
        "timeline",
        "rules",
        "inventory",
        "stacks",
        "completions",
        "man",
    ] {
        assert!(s.contains(&format!("  {cmd} ")), "{cmd} missing in\n{s}");
    }
    assert!(s.contains("Examples:"));
    for sub in ["analyze", "timeline", "completions", "man"] {
        let o = run(&[sub, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{sub}");
        assert!(stdout(&o).contains("Examples:\n  nodemortem "), "{sub}");
    }
}

#[test]
fn formats_and_output_file() {
    let b = corpus("seed-001-state-mismatch");
    let b = b.to_str().unwrap_or_default();
    let dir = tempfile::tempdir().expect("tempdir");
    for (fmt, start) in [
        ("text", "1. [HIGH] confirmed score "),
        ("json", "{\n  \"schema_version\": 2,"),
        ("markdown", "## nodemortem: 3 finding(s), 2 root cause(s)\n"),
        ("html", "<!DOCTYPE html>\n"),
    ] {
        let o = run(&["analyze", "--format", fmt, b]);
        // The seed bundle has a high finding: exit 1 by the default --fail-on high.
        assert_eq!(o.status.code(), Some(1), "{fmt}");
        assert!(stdout(&o).starts_with(start), "{fmt}: {}", stdout(&o));
        // Piped: no colour.
        assert!(!o.stdout.contains(&0x1b), "{fmt}");
        let file = dir.path().join(format!("report.{fmt}"));
        let f = file.to_str().unwrap_or_default();
        let o = run(&["analyze", "--format", fmt, "-o", f, b]);
        assert_eq!(o.status.code(), Some(1));
        assert!(o.stdout.is_empty());
        let written = std::fs::read_to_string(&file).expect("written");
        assert!(written.starts_with(start), "{fmt}");
    }
}

#[test]
fn colour_is_forced_by_always_and_stripped_by_never() {
    let b = corpus("seed-001-state-mismatch");
    let b = b.to_str().unwrap_or_default();
    let o = run(&["analyze", "--color", "always", b]);
    assert!(o.stdout.contains(&0x1b));
    let o = run(&["analyze", "--color", "never", b]);
    assert!(!o.stdout.contains(&0x1b));
    let o = Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(["analyze", b])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert!(!o.stdout.contains(&0x1b));
}

#[test]
fn completions_and_man_page() {
    let o = run(&["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0));
    let s = stdout(&o);
    assert!(s.contains("_nodemortem()"), "{s}");
    assert!(s.contains("timeline"));
    let o = run(&["completions", "zsh"]);
    assert!(stdout(&o).starts_with("#compdef nodemortem"));
    let o = run(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let s = stdout(&o);
    assert!(
        s.starts_with(".ie \\n(.g .ds Aq \\(aq") || s.contains(".TH nodemortem 1"),
        "{s}"
    );
    assert!(s.contains(".TH nodemortem 1"));
    assert!(s.contains("NODEMORTEM ANALYZE"));
    assert!(s.contains("\\-\\-format"));
}

#[test]
fn errors_are_one_line_with_the_path() {
    let o = run(&["analyze", "/nonexistent/sosreport.tar.xz"]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(
        e.starts_with("nodemortem: analysing /nonexistent/sosreport.tar.xz"),
        "{e}"
    );
    let o = run(&["--verbose", "analyze", "/nonexistent/sosreport.tar.xz"]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.lines().count() >= 2, "{e}");
    assert!(e.contains("\n  caused by: "), "{e}");
    let o = run(&["timeline", "--window", "10 parsecs", "."]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("duration \"10 parsecs\""), "{e}");
}

#[test]
fn timeline_merges_a_directory_of_logs() {
    // Shapes: RHEL 7 /var/log/messages (rsyslog) and a dmesg with wall-clock stamps
    // (docs/signatures.md, "OOM kill"; sos 3.x sos_commands/kernel/dmesg_-T).
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("var/log")).expect("mkdir");
    std::fs::create_dir_all(dir.path().join("sos_commands/date")).expect("mkdir");
    std::fs::write(
        dir.path().join("sos_commands/date/date_--utc"),
        "Wed Jul 15 10:40:00 UTC 2020\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("var/log/messages"),
        "Jul 15 10:12:30 node1 dockerd[1201]: time=\"2020-07-15T10:12:30.000000000Z\" level=error msg=\"Handler for DELETE /v1.40/volumes/data returned error\"\n\
         Jul 15 10:12:20 node1 kubelet[900]: E0715 10:12:20.000000     900 pod_workers.go:191] Error syncing pod\n\
         Jul 15 11:30:00 node1 systemd[1]: Started Session 12 of user root.\n",
    )
    .expect("write");
    let p = dir.path().to_str().unwrap_or_default();
    let o = run(&[
        "timeline",
        p,
        "--around",
        "2020-07-15T10:12:25Z",
        "--window",
        "1m",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let s = stdout(&o);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(
        lines[0],
        "# 2 entries, times in UTC, around 2020-07-15 10:12:25.000000"
    );
    assert!(
        lines[1].starts_with("2020-07-15 10:12:20.000000 kubelet      var/log/messages:2 "),
        "{s}"
    );
    assert!(
        lines[2].starts_with("2020-07-15 10:12:30.000000 dockerd      var/log/messages:1 "),
        "{s}"
    );
    assert_eq!(lines.len(), 3, "{s}");
    let o = run(&[
        "timeline",
        p,
        "--sources",
        "systemd",
        "--tz",
        "Asia/Shanghai",
    ]);
    let s = stdout(&o);
    assert!(s.contains("2020-07-15 19:30:00.000000 systemd"), "{s}");
}
