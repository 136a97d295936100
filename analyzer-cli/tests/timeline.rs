//! `nodemortem timeline` end to end: standard input read once, and several hosts each with its
//! own clock, every entry naming its input and host.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use super::hosts::{copy_bundle, corpus, two_hosts};

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run nodemortem");
    if let Some(data) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(data).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn json(args: &[&str], stdin: Option<&[u8]>) -> Value {
    let o = run(args, stdin);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// (time, source, path, line, text, rules, copies) of every entry, and its (input, host).
type Line = (String, String, String, u64, String, String, String);

fn lines(t: &Value) -> Vec<(Line, (u64, u64))> {
    t["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                (
                    e["time"].as_str().unwrap().to_string(),
                    e["source"].as_str().unwrap().to_string(),
                    e["path"].as_str().unwrap().to_string(),
                    e["line"].as_u64().unwrap(),
                    e["text"].as_str().unwrap().to_string(),
                    e["rules"].to_string(),
                    e["copies"].to_string(),
                ),
                (e["input"].as_u64().unwrap(), e["host"].as_u64().unwrap()),
            )
        })
        .collect()
}

/// A `.tar.gz` of `dir`'s contents, as `tar czf` writes it.
fn tar_gz(dir: &Path) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    {
        let mut tar = tar::Builder::new(&mut enc);
        tar.follow_symlinks(false);
        tar.append_dir_all("sosreport-node1", dir).unwrap();
        tar.finish().unwrap();
    }
    enc.finish().unwrap()
}

/// `timeline -` reads standard input once: a journal on stdin gives the entries the file
/// gives, and a sosreport `.tar.gz` on stdin those of its directory, markers and copies
/// included.
#[test]
fn timeline_reads_standard_input_once() {
    let bundle = corpus("common-oom-kill");
    let journal = bundle.join("sos_commands/logs/journalctl_--no-pager");
    let data = std::fs::read(&journal).unwrap();
    let from_file = json(&["timeline", "-f", "json", journal.to_str().unwrap()], None);
    let from_stdin = json(&["timeline", "-f", "json", "-"], Some(&data));
    let strip = |t: &Value| -> Vec<(String, u64, String, String)> {
        lines(t)
            .into_iter()
            .map(|(l, _)| (l.0, l.3, l.4, l.5))
            .collect()
    };
    assert!(!strip(&from_file).is_empty());
    assert_eq!(strip(&from_stdin), strip(&from_file));
    assert_eq!(from_stdin["inputs"], serde_json::json!(["-"]));

    let dir = tempfile::tempdir().unwrap();
    copy_bundle(&bundle, dir.path());
    let from_dir = json(
        &["timeline", "-f", "json", dir.path().to_str().unwrap()],
        None,
    );
    let tgz = tar_gz(dir.path());
    let piped = json(&["timeline", "-f", "json", "-"], Some(&tgz));
    let rows = |t: &Value| -> Vec<(String, u64, String, String, String)> {
        lines(t)
            .into_iter()
            .map(|(l, _)| {
                // Members of the archive are read under its top directory.
                let path =
                    l.2.strip_prefix("sosreport-node1/")
                        .unwrap_or(&l.2)
                        .to_string();
                (l.0, l.3, path, l.5, l.6)
            })
            .collect()
    };
    assert_eq!(rows(&piped), rows(&from_dir));
    let oom: Vec<_> = rows(&piped)
        .into_iter()
        .filter(|r| r.3.contains("oom-kill"))
        .collect();
    assert!(!oom.is_empty(), "{}", piped["entries"]);
}

/// Two sosreports given together: each host's entries are those of its timeline alone (times
/// resolved with its own zone and year, markers of its own findings), each naming its input
/// and host; the text form has a host column.
#[test]
fn two_hosts_keep_their_own_clock_on_the_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_hosts(dir.path());
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let both = json(&["timeline", "-f", "json", "--limit", "100000", a, b], None);
    assert_eq!(
        both["hosts"],
        serde_json::json!([
            {"name": "two-slave-41-135", "inputs": [0]},
            {"name": "tke-node", "inputs": [1]}
        ])
    );
    let got = lines(&both);
    for (h, path) in [(0u64, a), (1, b)] {
        let alone: Vec<Line> = lines(&json(
            &["timeline", "-f", "json", "--limit", "100000", path],
            None,
        ))
        .into_iter()
        .map(|(l, where_)| {
            assert_eq!(where_, (0, 0));
            l
        })
        .collect();
        let mine: Vec<Line> = got
            .iter()
            .filter(|(_, w)| *w == (h, h))
            .map(|(l, _)| l.clone())
            .collect();
        assert!(!mine.is_empty());
        assert_eq!(mine, alone, "host {h}");
    }
    assert_eq!(
        got.len(),
        got.iter().filter(|(_, w)| w.0 == w.1 && w.0 < 2).count()
    );
    // Host A's thin-pool line at the time A alone gives it (Asia/Shanghai, 2018).
    let thinpool = got
        .iter()
        .find(|(l, w)| *w == (0, 0) && l.2 == "var/log/messages" && l.3 == 1013)
        .unwrap();
    assert_eq!(thinpool.0.0, "2018-12-13T19:21:03Z");
    assert!(
        thinpool.0.5.contains("devicemapper-thinpool-missing"),
        "{:?}",
        thinpool.0
    );

    let o = run(&["timeline", "--limit", "100000", a, b], None);
    let text = String::from_utf8(o.stdout).unwrap();
    let head: Vec<&str> = text.lines().take(3).collect();
    assert_eq!(head[1], format!("# host two-slave-41-135: {a}"));
    assert_eq!(head[2], format!("# host tke-node: {b}"));
    assert!(
        text.lines().any(|l| l.starts_with(
            "2018-12-13 19:21:03        two-slave-41-135 dockerd      << devicemapper-thinpool-missing var/log/messages:1013 Error starting daemon: "
        )),
        "{text}"
    );
}
