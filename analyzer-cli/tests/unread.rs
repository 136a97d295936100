//! What was not read is said, never hidden: input nothing recognises is an error (exit 2, the
//! reason on stderr), input read in part says so in the first lines of every report format, and
//! the minimum severity says how many findings it hid.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

/// The memcg OOM kill of runc's init as journald prints it (moby/moby#33192).
const OOM: &str = "Aug 20 10:25:54 node1 kernel: Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n";

/// The assumption said when nothing states the year.
const YEAR_ASSUMED: &str = "year assumed: 2000 (nothing in the input states the year of times without one: no date or timedatectl output, no journal header, no record or file name with a year, no archive member time)";

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run nodemortem")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The first `n` lines of the standard output.
fn head(o: &Output, n: usize) -> Vec<String> {
    out(o).lines().take(n).map(str::to_string).collect()
}

#[test]
fn random_bytes_are_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("capture.bin");
    // Bytes no sniffer claims: every value, scrambled, no newline structure.
    let bytes: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &bytes).unwrap();
    let p = path.to_str().unwrap();
    for fmt in ["text", "json", "markdown", "html"] {
        let o = run(&["analyze", "-f", fmt, p]);
        assert_eq!(o.status.code(), Some(2), "{fmt}: {}", out(&o));
        assert!(o.stdout.is_empty(), "{fmt}: {}", out(&o));
        assert_eq!(
            err(&o),
            format!(
                "nodemortem: nothing could be read in {p}: {p}: nothing was recognised as a log, goroutine dump or host-state file (1 member(s), 65536 bytes skipped)\n"
            )
        );
    }
}

#[test]
fn a_text_that_is_no_log_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        "Shopping list\n\nRemember to water the plants on Tuesday.\n- milk\n- eggs\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let o = run(&["analyze", p]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert_eq!(
        err(&o),
        format!(
            "nodemortem: nothing could be read in {p}: {p}: nothing was recognised as a log, goroutine dump or host-state file (1 member(s) of text without a log line)\n"
        )
    );
    // Empty standard input likewise.
    let mut child = Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(["analyze", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdin.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "nodemortem: nothing could be read in -: -: nothing was recognised as a log, goroutine dump or host-state file (1 member(s), 0 bytes skipped)\n"
    );
}

/// A `.tar.gz` holding the journal with the OOM kill, then `var/log/messages`, cut in the middle
/// of the second member.
fn truncated_archive(dir: &Path) -> std::path::PathBuf {
    let journal = format!(
        "Aug 20 10:25:50 node1 systemd[1]: Started Docker Application Container Engine.\n{OOM}"
    );
    let messages: String = (0..2000)
        .map(|i| {
            format!(
                "Aug 20 10:{:02}:{:02} node1 dockerd[900]: level=info msg=\"ignoring event\" module=libcontainerd namespace=moby topic=/tasks/delete\n",
                26 + i / 60 % 30,
                i % 60
            )
        })
        .collect();
    let mut tar = tar::Builder::new(Vec::new());
    for (name, body) in [
        (
            "sosreport-node1/sos_commands/logs/journalctl_--no-pager",
            journal.as_str(),
        ),
        ("sosreport-node1/var/log/messages", messages.as_str()),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        // No member times written (0): nothing states the year, which is said first.
        h.set_mtime(0);
        h.set_cksum();
        tar.append_data(&mut h, name, body.as_bytes()).unwrap();
    }
    let tar = tar.into_inner().unwrap();
    // Cut 1000 bytes into the second member's body.
    let cut = 512 + journal.len().div_ceil(512) * 512 + 512 + 1000;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar[..cut]).unwrap();
    let path = dir.join("sosreport-node1.tar.gz");
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    path
}

#[test]
fn a_truncated_archive_says_so_first_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = truncated_archive(dir.path());
    let p = path.to_str().unwrap();
    let lost = "sosreport-node1.tar.gz (offset 2536): archive ends inside var/log/messages (1000 of 248000 bytes); the rest of the archive is lost";

    let o = run(&["analyze", p]);
    // The OOM kill before the cut is still found (high: exit 1).
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    // The journal lines state no year: that is said first, then what was lost.
    assert_eq!(
        head(&o, 7),
        [
            format!("ASSUMED: {YEAR_ASSUMED}"),
            "INCOMPLETE: part of the input was not read:".to_string(),
            format!("  - {lost}"),
            String::new(),
            "Host: unknown (no host-state member read)".to_string(),
            String::new(),
            "1. [HIGH] confirmed score 69 oom-kill".to_string(),
        ],
        "{}",
        out(&o)
    );
    assert!(
        out(&o).contains("  2 warning(s) (listed at the top)\n"),
        "{}",
        out(&o)
    );

    let o = run(&["analyze", "-f", "markdown", p]);
    assert_eq!(
        head(&o, 10)[4..],
        [
            format!("> **Assumed:** {YEAR_ASSUMED}"),
            String::new(),
            "> **Incomplete: part of the input was not read:**".to_string(),
            ">".to_string(),
            "> - `sosreport-node1.tar.gz` (offset 2536): archive ends inside var/log/messages (1000 of 248000 bytes); the rest of the archive is lost".to_string(),
            String::new(),
        ],
        "{}",
        out(&o)
    );

    let o = run(&["analyze", "-f", "jira", p]);
    assert_eq!(
        head(&o, 8)[4..],
        [
            format!("*Assumed:* {YEAR_ASSUMED}"),
            String::new(),
            "*Incomplete: part of the input was not read:*".to_string(),
            format!(
                "* {{{{sosreport-node1.tar.gz}}}} (offset 2536): {}",
                lost.split_once(": ").unwrap().1
            ),
        ],
        "{}",
        out(&o)
    );

    let o = run(&["analyze", "-f", "html", p]);
    let html = out(&o);
    let main = html.find("<main>").unwrap();
    assert!(
        html[main..].starts_with(&format!("<main>\n<p class=\"warnings\"><strong>Assumed:</strong> {YEAR_ASSUMED}</p>\n<section id=\"not-read\" class=\"warnings\"><h2>Incomplete: part of the input was not read</h2>\n<ul><li><code>sosreport-node1.tar.gz</code> (offset 2536): archive ends inside")),
        "{}",
        &html[main..main + 300]
    );
}

#[test]
fn a_spent_time_budget_is_the_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("messages");
    std::fs::write(&path, OOM).unwrap();
    // A budget of 0 s is spent before the first member.
    let o = run(&["analyze", "--timeout", "0", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        head(&o, 3),
        [
            "PARTIAL: a limit cut the analysis short; not read in full:".to_string(),
            "  - messages: time budget exhausted: the rest of this member and later members were not analysed (results are partial)".to_string(),
            String::new(),
        ],
        "{}",
        out(&o)
    );
}

/// The kernel OOM kill of a Java process (a high finding, not critical).
const JAVA_OOM: &str = "Jul 15 10:12:22 node1 kernel: Out of memory: Killed process 4021 (java) total-vm:8000000kB, anon-rss:4000000kB, file-rss:0kB, shmem-rss:0kB\n";

#[test]
fn the_minimum_severity_says_what_it_hid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("messages");
    std::fs::write(&path, JAVA_OOM).unwrap();
    let p = path.to_str().unwrap();
    let o = run(&["analyze", "--min-severity", "critical", p]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        head(&o, 5),
        [
            format!("ASSUMED: {YEAR_ASSUMED}"),
            String::new(),
            "Host: unknown (no host-state member read)".to_string(),
            String::new(),
            "No findings at or above the minimum severity: 1 finding(s) below it are hidden."
                .to_string()
        ],
        "{}",
        out(&o)
    );
    let o = run(&["analyze", "--min-severity", "critical", "-f", "json", p]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["stats"]["hidden"], 1);
    assert_eq!(v["findings"], serde_json::json!([]));
    let o = run(&["analyze", "--min-severity", "critical", "-f", "markdown", p]);
    assert!(
        out(&o).contains(
            "\nNo findings at or above the minimum severity: 1 finding(s) below it are hidden.\n"
        ),
        "{}",
        out(&o)
    );
    // Without the filter the finding is there and nothing is said to be hidden.
    let o = run(&["analyze", "-f", "json", p]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["findings"][0]["rule"], "oom-kill");
    assert!(v["stats"].get("hidden").is_none(), "{}", v["stats"]);
}

/// A log whose times state no year, with nothing else in the input that states one: the year is
/// the fixed assumption, said first, never the year the tool runs in; with a `date` output
/// beside it the year comes from the evidence and nothing is assumed.
#[test]
fn a_yearless_log_gets_the_assumed_year_never_todays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("messages");
    std::fs::write(&path, JAVA_OOM).unwrap();
    let p = path.to_str().unwrap();
    let o = run(&["analyze", p]);
    assert_eq!(
        head(&o, 2),
        [format!("ASSUMED: {YEAR_ASSUMED}"), String::new()],
        "{}",
        out(&o)
    );
    let json = |o: &Output| {
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["stats"]["seconds"] = serde_json::Value::Null;
        v
    };
    let a = json(&run(&["analyze", "-f", "json", p]));
    assert_eq!(
        a["findings"][0]["evidence"][0]["time"],
        "2000-07-15T10:12:22Z"
    );
    assert_eq!(a["warnings"][0]["kind"], "assumption");
    // The same input gives the same report on any day: nothing reads the clock (a second run,
    // and a run with another TZ, are byte-identical once the run time is set aside).
    let b = json(&run(&["analyze", "-f", "json", p]));
    assert_eq!(a, b);
    let o = Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(["analyze", "-f", "json", p])
        .env("TZ", "Pacific/Kiritimati")
        .output()
        .unwrap();
    assert_eq!(json(&o), a);

    // sos `date` output states the year.
    let bundle = dir.path().join("sosreport-node1");
    std::fs::create_dir_all(bundle.join("sos_commands/date")).unwrap();
    std::fs::create_dir_all(bundle.join("var/log")).unwrap();
    std::fs::write(bundle.join("var/log/messages"), JAVA_OOM).unwrap();
    std::fs::write(
        bundle.join("sos_commands/date/date"),
        "Fri Jul 17 09:00:00 UTC 2020\n",
    )
    .unwrap();
    let v = json(&run(&["analyze", "-f", "json", bundle.to_str().unwrap()]));
    assert_eq!(
        v["findings"][0]["evidence"][0]["time"],
        "2020-07-15T10:12:22Z"
    );
    assert_eq!(v["warnings"], serde_json::json!([]));

    // A sosreport's name states its collection day: a July line of a bundle collected in
    // February 2022 is from July 2021.
    let named = dir.path().join("sosreport-node1-2022-02-11-abcdef");
    std::fs::create_dir_all(named.join("var/log")).unwrap();
    std::fs::write(named.join("var/log/messages"), JAVA_OOM).unwrap();
    let v = json(&run(&["analyze", "-f", "json", named.to_str().unwrap()]));
    assert_eq!(
        v["findings"][0]["evidence"][0]["time"],
        "2021-07-15T10:12:22Z"
    );
    assert_eq!(v["warnings"], serde_json::json!([]));
}
