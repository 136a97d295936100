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
        ("text", "Host\n  Hostname    tke-node "),
        ("json", "{\n  \"schema_version\": 3,"),
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
    let o = run(&[
        "timeline",
        "--around",
        "oom-kill",
        "--window",
        "10 parsecs",
        ".",
    ]);
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
        "# 2 entries, times in UTC, around 2020-07-15 10:12:25"
    );
    assert!(
        lines[1].starts_with("2020-07-15 10:12:20        kubelet      var/log/messages:2 "),
        "{s}"
    );
    assert!(
        lines[2].starts_with("2020-07-15 10:12:30        dockerd      var/log/messages:1 "),
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
    assert!(s.contains("2020-07-15 19:30:00        systemd"), "{s}");
    // A record with microseconds shows them; one on the second shows no `.000000`.
    assert!(!s.contains(".000000"), "{s}");
}

/// What a hostile bundle may try on a terminal: set the window title (`ESC ] 0 ; … BEL`),
/// clear the screen (`ESC [ 2 J`), hide text behind a carriage return, a C1 CSI.
const HOSTILE: &str = "\x1b]0;owned\x07\x1b[2J\r\u{9b}31m";

/// True when `out` holds a byte a terminal would obey that the renderer did not put there
/// itself: any control byte but `\n`, `\t` and (with `styled`) the ESC of an SGR sequence
/// (`ESC [ … m`); the UTF-8 of a C1 control (`\xc2\x80`–`\xc2\x9f`).
fn raw_controls(out: &[u8], styled: bool) -> Option<usize> {
    let mut i = 0;
    while i < out.len() {
        let b = out[i];
        if b == 0x1b && styled {
            // An SGR sequence: ESC [ digits/semicolons m.
            let rest = &out[i + 1..];
            let n = rest
                .iter()
                .skip(1)
                .take_while(|c| c.is_ascii_digit() || **c == b';')
                .count();
            if rest.first() == Some(&b'[') && rest.get(1 + n) == Some(&b'm') {
                i += 2 + n + 1;
                continue;
            }
            return Some(i);
        }
        if (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f {
            return Some(i);
        }
        if b == 0xc2 && out.get(i + 1).is_some_and(|c| (0x80..=0x9f).contains(c)) {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[test]
fn control_characters_from_input_never_reach_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A loose syslog file whose name and lines carry the sequences; the OOM kill of runc's
    // init as rsyslog writes it (docs/signatures.md, "OOM kill").
    let name = format!("messages{HOSTILE}.log");
    std::fs::write(
        dir.path().join(&name),
        format!(
            "Aug 20 10:25:50 node1 systemd[1]: Started Docker Application Container Engine.{HOSTILE}\n\
             Aug 20 10:25:54 node1 kernel: Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]{HOSTILE}) score 970 or sacrifice child\n"
        ),
    )
    .expect("write");
    // A goroutine dump whose panic message carries them too.
    let dump = dir.path().join(format!("goroutine-stacks{HOSTILE}.log"));
    std::fs::write(
        &dump,
        format!(
            "panic: boom{HOSTILE}\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:10 +0x1d\n"
        ),
    )
    .expect("write");
    let b = dir.path().to_str().unwrap_or_default();
    let d = dump.to_str().unwrap_or_default();
    let cases: Vec<(Vec<&str>, bool)> = vec![
        (vec!["analyze", "--color", "never", b], false),
        (vec!["analyze", "--color", "always", b], true),
        (vec!["analyze", "--format", "markdown", b], false),
        (vec!["analyze", "--format", "jira", b], false),
        (vec!["timeline", b], false),
        (vec!["inventory", b], false),
        (vec!["inventory", "--all", b], false),
        (vec!["stacks", d], false),
        (vec!["stacks", "--format", "dot", d], false),
    ];
    for (args, styled) in cases {
        let o = run(&args);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let out = &o.stdout;
        assert_eq!(raw_controls(out, styled), None, "{args:?}: {}", stdout(&o));
        // Shown escaped instead (the inventory summary names no member and no line, the
        // graph of a dump without locks no frame).
        let s = stdout(&o);
        assert!(
            args == ["inventory", b]
                || args.contains(&"dot")
                || s.contains("\\x1b]0;owned\\x07\\x1b[2J\\r\\x9b31m"),
            "{args:?}: {s}"
        );
    }
}

#[test]
fn control_characters_of_a_rule_file_are_escaped_in_rules_explain() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A minimal user rule (docs/rule-authoring.md) whose title carries the sequences.
    std::fs::write(
        dir.path().join("evil.toml"),
        "id = \"evil-title\"\ntitle = \"Evil \\u001b]0;owned\\u0007\\u001b[2J\\r title\"\nseverity = \"low\"\nsummary = \"an OOM kill\"\nexplanation = \"x\"\nremediation = \"y\"\n\n[[evidence]]\nid = \"oom\"\nkind = \"log\"\nrole = \"required\"\nweight = 100\npattern = \"Out of memory\"\ndescribe = \"an OOM kill\"\n",
    )
    .expect("write");
    let r = dir.path().to_str().unwrap_or_default();
    for args in [
        vec!["rules", "--rules", r, "explain", "evil-title"],
        vec!["rules", "--rules", r],
    ] {
        let o = run(&args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(raw_controls(&o.stdout, false), None, "{}", stdout(&o));
        assert!(stdout(&o).contains("Evil \\x1b]0;owned\\x07\\x1b[2J\\r title"));
    }
}

/// The real sosreport of docs/accuracy.md (corpus-external, read by path, never copied): the
/// host header names the node, what it runs and where each fact was read.
#[test]
fn host_header_of_a_real_sosreport() {
    let sos = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus-external/sosreport-k8stest-4-2022-02-11-abcdef.tar.xz");
    if !sos.exists() {
        eprintln!("skipped: {} is absent", sos.display());
        return;
    }
    let o = run(&[
        "analyze",
        "--format",
        "json",
        sos.to_str().unwrap_or_default(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let fact = |k: &str| {
        let f = &v["host"][k];
        (
            f["value"].as_str().unwrap_or("unknown").to_string(),
            f["source"].as_str().unwrap_or("").to_string(),
        )
    };
    let want = [
        (
            "hostname",
            "juju-110cc2-k8stest-4",
            "sos_commands/host/hostname:1",
        ),
        ("os", "Ubuntu 20.04.3 LTS", "usr/lib/os-release:5"),
        (
            "kernel",
            "5.4.0-99-generic",
            "sos_commands/kernel/uname_-a:1",
        ),
        ("uptime", "25 min", "sos_commands/host/uptime:1"),
        ("boot_time", "2022-02-11T18:58:06Z", "proc/stat:6"),
        (
            "cpus",
            "2 × Intel Core Processor (Haswell, no TSX, IBRS)",
            "sos_commands/processor/lscpu:5",
        ),
        ("memory", "3.8 GiB", "proc/meminfo:1"),
        (
            "cgroup",
            "hybrid",
            "sys/fs/cgroup/unified/cgroup.controllers",
        ),
        ("docker", "unknown", ""),
        (
            "containerd",
            "1.5.5-0ubuntu3~20.04.1",
            "sos_commands/dpkg/dpkg_-l:46",
        ),
        (
            "runc",
            "1.0.1-0ubuntu2~20.04.1",
            "sos_commands/dpkg/dpkg_-l:591",
        ),
        ("kubelet", "unknown", ""),
        ("cri_o", "unknown", ""),
        (
            "collected",
            "2022-02-11T19:23:39Z",
            "sos_commands/date/date_--utc",
        ),
    ];
    for (k, value, source) in want {
        assert_eq!(fact(k), (value.to_string(), source.to_string()), "{k}");
    }
}

#[test]
fn save_writes_every_format_of_one_analysis() {
    let b = corpus("seed-001-state-mismatch");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("node1");
    let o = run(&[
        "analyze",
        "--color",
        "never",
        "--save",
        out.to_str().unwrap_or_default(),
        b.to_str().unwrap_or_default(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let read = |n: &str| std::fs::read_to_string(out.join(n)).expect(n);
    let txt = read("report.txt");
    assert!(txt.starts_with("Host\n  Hostname    tke-node "), "{txt}");
    assert!(!txt.contains('\x1b'));
    // The text on stdout is the same analysis as the saved one.
    assert_eq!(stdout(&o), txt);
    let json: serde_json::Value = serde_json::from_str(&read("report.json")).expect("json");
    assert_eq!(json["host"]["hostname"]["value"], "tke-node");
    assert_eq!(json["findings"][0]["rule"], "runtime-state-mismatch");
    assert!(read("report.md").starts_with("## nodemortem: 3 finding(s), 2 root cause(s)\n"));
    let html = read("report.html");
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<section id=\"host\">"));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["report.html", "report.json", "report.md", "report.txt"]
    );
}

#[test]
fn width_flag_and_columns_fit_the_text() {
    let b = corpus("seed-003-volume-remove-lock");
    let b = b.to_str().unwrap_or_default();
    for (args, env, width) in [
        (vec!["analyze", "--width", "60", b], None, 60),
        (vec!["analyze", b], Some("132"), 132),
        (vec!["analyze", b], None, 100),
    ] {
        let mut c = Command::new(env!("CARGO_BIN_EXE_nodemortem"));
        c.args(&args).env("NO_COLOR", "1").env_remove("COLUMNS");
        if let Some(cols) = env {
            c.env("COLUMNS", cols);
        }
        let o = c.output().expect("run");
        let s = stdout(&o);
        let longest = s.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        // Evidence and prose fit; a word longer than the line (a 64-hex id) may not.
        let over: Vec<&str> = s
            .lines()
            .filter(|l| l.chars().count() > width && l.trim().contains(' '))
            .collect();
        assert!(over.is_empty(), "{width}: {over:#?}");
        assert!(longest > width - 15, "{width}: longest line {longest}");
    }
    // At 60 columns a kubelet line is clipped around its match (`StopContainer …`, far into
    // the line), not at its start.
    let o = run(&["analyze", "--width", "60", "--color", "never", b]);
    assert!(
        stdout(&o).contains("\n       …StopContainer \"795b929e9a9a"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn inventory_summarises_and_lists_with_all() {
    let b = corpus("seed-004-leaked-netns");
    let b = b.to_str().unwrap_or_default();
    let o = run(&["inventory", b]);
    assert_eq!(o.status.code(), Some(0));
    let s = stdout(&o);
    assert!(s.contains("\nrecognised, by format:\n  FORMAT "), "{s}");
    assert!(s.contains("\n  journal-short "), "{s}");
    assert!(!s.contains("PATH"), "{s}");
    let all = run(&["inventory", "--all", b]);
    let a = stdout(&all);
    assert!(a.contains("\nPATH "), "{a}");
    assert!(a.contains("sos_commands/process/pstree_-lp"), "{a}");
    let json = run(&["inventory", "--format", "json", b]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(v["schema_version"], 1);
}

#[test]
fn argument_mistakes_are_errors_with_suggestions() {
    let b = corpus("seed-001-state-mismatch");
    let b = b.to_str().unwrap_or_default();
    let err = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    // A misspelt rule id names the closest one.
    let o = run(&["rules", "explain", "volume-remove-lok"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "nodemortem: no rule with id \"volume-remove-lok\"; did you mean `volume-remove-lock`?\n"
    );
    let o = run(&["timeline", b, "--around", "oom-kil"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("did you mean `oom-kill`?"), "{}", err(&o));
    // --window means nothing without --around.
    let o = run(&["timeline", b, "--window", "5m"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--around"), "{}", err(&o));
    // A source no record has: the error lists those present.
    let o = run(&["timeline", b, "--sources", "bogus"]);
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(
        e.starts_with("nodemortem: timeline of ")
            && e.contains(
                "no record of this bundle comes from source \"bogus\"; sources present: "
            )
            && e.contains("kernel")
            && e.contains("kubelet"),
        "{e}"
    );
    // A rule directory that does not exist is named.
    let o = run(&["analyze", "--rules", "/nonexistent/rules", b]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).starts_with("nodemortem: loading rules: /nonexistent/rules: "),
        "{}",
        err(&o)
    );
}

#[test]
fn every_json_format_is_json() {
    let o = run(&["rules", "explain", "oom-kill", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["id"], "oom-kill");
    assert!(v["evidence"].as_array().is_some_and(|e| !e.is_empty()));
    let b = corpus("seed-001-state-mismatch");
    let b = b.to_str().unwrap_or_default();
    let o = run(&["timeline", b, "--format", "json"]);
    assert!(serde_json::from_slice::<serde_json::Value>(&o.stdout).is_ok());
}

/// `nodemortem … | head -1`: the reader goes away; the command ends quietly, exit 0 or its own
/// status, never "Broken pipe".
#[test]
fn a_closed_pipe_is_quiet_for_every_command() {
    use std::io::Read;
    use std::process::Stdio;
    let b = corpus("seed-003-volume-remove-lock");
    let b = b.to_str().unwrap_or_default();
    let dump = corpus(
        "seed-003-volume-remove-lock/var/run/docker/goroutine-stacks-2020-07-15T101222Z.log",
    );
    let d = dump.to_str().unwrap_or_default();
    for args in [
        vec!["timeline", b, "--format", "json"],
        vec!["timeline", b],
        vec!["inventory", "--format", "json", b],
        vec!["inventory", "--all", b],
        vec!["analyze", "--format", "json", b],
        vec!["analyze", "--format", "html", b],
        vec!["stacks", "--format", "json", d],
        vec!["rules", "--format", "json"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nodemortem"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Read one line, then close the pipe, as `head -1` does.
        let mut out = child.stdout.take().expect("stdout");
        let mut first = [0u8; 1];
        let _ = out.read(&mut first);
        drop(out);
        let o = child.wait_with_output().expect("wait");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(!e.contains("Broken pipe"), "{args:?}: {e}");
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{args:?}: {:?} {e}",
            o.status
        );
    }
}

#[test]
fn man_page_names_the_command_once() {
    let o = run(&["man"]);
    let s = stdout(&o);
    let name = s
        .lines()
        .skip_while(|l| *l != ".SH NAME")
        .nth(1)
        .unwrap_or_default();
    assert_eq!(
        name,
        "nodemortem \\- Ranked root causes from sosreports, node logs and goroutine dumps"
    );
}

/// Every `<!-- checked -->` excerpt of docs/usage.md is real output: the command after `$ ` is
/// run from the workspace root (no terminal, `$COLUMNS` unset) and its stdout must begin with
/// the excerpt's lines, up to a closing `…` line.
#[test]
fn usage_excerpts_are_real_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let doc = std::fs::read_to_string(root.join("docs/usage.md")).expect("usage.md");
    let mut checked = 0;
    for block in doc.split("<!-- checked -->\n```console\n").skip(1) {
        let block = &block[..block.find("\n```").expect("closed block")];
        let mut lines = block.lines();
        let command = lines.next().unwrap_or_default();
        let args: Vec<&str> = command
            .strip_prefix("$ nodemortem ")
            .expect("a nodemortem command")
            .split_whitespace()
            .collect();
        let o = Command::new(env!("CARGO_BIN_EXE_nodemortem"))
            .args(&args)
            .current_dir(&root)
            .env_remove("COLUMNS")
            .env("NO_COLOR", "1")
            .output()
            .expect("run");
        let got = stdout(&o);
        let mut got = got.lines();
        for want in lines.take_while(|l| *l != "…") {
            assert_eq!(got.next(), Some(want), "docs/usage.md: {command}");
        }
        checked += 1;
    }
    assert_eq!(checked, 4);
}

/// `analyze -f json` of `stdin`: the times of the records, the collection time with its
/// source, and the warnings.
fn dated(args: &[&str], stdin: &[u8]) -> (String, String, String, Vec<String>) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run nodemortem");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin).expect("write stdin");
    drop(input);
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    (
        text(&r["stats"]["first"]),
        text(&r["host"]["collected"]["value"]),
        text(&r["host"]["collected"]["source"]),
        r["warnings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|w| text(&w["message"]))
            .collect(),
    )
}

/// A journal on stdin is dated by its own header: the year of its `short` lines and the zone
/// it writes them in (CET: 10:25:54 local is 09:25:54 UTC), for either header systemd writes.
#[test]
fn a_journal_on_stdin_is_dated_by_its_header() {
    let oom = "Feb 11 10:25:54 node1 kernel: Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n";
    for (header, first, collected) in [
        (
            "-- Journal begins at Fri 2022-02-11 10:00:01 CET, ends at Sat 2022-02-12 08:30:00 CET. --\n",
            "2022-02-11T09:25:54Z",
            "2022-02-12T07:30:00Z",
        ),
        (
            "-- Logs begin at Fri 2022-02-11 10:00:01 UTC, end at Sat 2022-02-12 08:30:00 UTC. --\n",
            "2022-02-11T10:25:54Z",
            "2022-02-12T08:30:00Z",
        ),
    ] {
        let input = format!("{header}{oom}");
        let (f, c, src, warnings) = dated(&["analyze", "-f", "json", "-"], input.as_bytes());
        assert_eq!(f, first);
        assert_eq!(c, collected);
        assert_eq!(src, "journal header of stdin");
        assert!(
            warnings.iter().all(|w| !w.starts_with("year assumed")),
            "{warnings:?}"
        );
    }
    // Without the header nothing states the year: the assumption is said.
    let (f, _, _, warnings) = dated(&["analyze", "-f", "json", "-"], oom.as_bytes());
    assert_eq!(f, "2000-02-11T10:25:54Z");
    assert!(
        warnings[0].starts_with("year assumed: 2000"),
        "{warnings:?}"
    );
}

/// In a collected tree, `dmesg -T` lines state the year of the syslog's yearless lines, and the
/// dangling `etc/localtime` link names the zone both are written in (Berlin: UTC+1 in February).
#[test]
fn dmesg_t_and_a_dangling_localtime_link_date_a_bundle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("node1");
    std::fs::create_dir_all(root.join("etc")).expect("mkdir");
    std::fs::create_dir_all(root.join("var/log")).expect("mkdir");
    std::os::unix::fs::symlink(
        "../usr/share/zoneinfo/Europe/Berlin",
        root.join("etc/localtime"),
    )
    .expect("symlink");
    std::fs::write(
        root.join("var/log/messages"),
        "Feb 11 10:25:54 node1 kernel: Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n",
    )
    .expect("write");
    std::fs::write(
        root.join("dmesg"),
        "[Fri Feb 11 09:00:01 2022] Linux version 5.4.0-97-generic (buildd@lcy02-amd64-032) (gcc version 9.3.0 (Ubuntu 9.3.0-17ubuntu1~20.04)) #110-Ubuntu SMP Thu Jan 13 18:22:13 UTC 2022 (Ubuntu 5.4.0-97.110-generic 5.4.157)\n\
         [Fri Feb 11 10:30:00 2022] IPv6: ADDRCONF(NETDEV_CHANGE): cali1f2c3d4e5f6: link becomes ready\n",
    )
    .expect("write");
    let r = root.to_str().unwrap_or_default();
    let (f, c, src, warnings) = dated(&["analyze", "-f", "json", r], b"");
    assert_eq!(f, "2022-02-11T08:00:01Z");
    assert_eq!(c, "2022-02-11T09:30:00Z");
    assert_eq!(src, "newest time in the logs");
    // The link's target was not collected: said, and no year assumed.
    assert_eq!(
        warnings,
        ["dangling link to ../usr/share/zoneinfo/Europe/Berlin"]
    );
}

/// A rotated log alone is dated by the day in its name (`messages-20220211`), the weakest
/// anchor, when nothing in it states the year.
#[test]
fn a_rotated_log_is_dated_by_its_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("messages-20220211");
    std::fs::write(
        &path,
        "Feb 11 10:25:54 node1 kernel: Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n",
    )
    .expect("write");
    let p = path.to_str().unwrap_or_default();
    let (f, c, src, warnings) = dated(&["analyze", "-f", "json", p], b"");
    assert_eq!(f, "2022-02-11T10:25:54Z");
    assert_eq!(c, "2022-02-11T23:59:59Z");
    assert_eq!(src, "date in the name of messages-20220211");
    assert!(warnings.is_empty(), "{warnings:?}");
}
