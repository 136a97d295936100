//! `nodemortem serve` as a process: startup errors name their cause, SIGTERM stops it cleanly,
//! and `kill -9` in the middle of an upload loses nothing that was committed and leaves no half
//! record: the server starts again on the same `--data`, the database checks out.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::serve_support::*;

fn run_serve(args: &[&str]) -> (Option<i32>, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .arg("serve")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn startup_errors_name_their_cause() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let missing = dir.path().join("missing-token");
    let (code, err) = run_serve(&["--data", data, "--token-file", missing.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert_eq!(
        err.trim_end(),
        format!(
            "nodemortem: token file {}: No such file or directory (os error 2)",
            missing.display()
        )
    );
    let (code, err) = run_serve(&["--data", data, "--webhook", "ftp://tickets.example.com/"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        err.trim_end(),
        "nodemortem: --webhook: \"ftp://tickets.example.com/\" is not an http:// or https:// URL with a host"
    );
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, err) = run_serve(&["--data", data, "--listen", &addr]);
    assert_eq!(code, Some(2));
    assert!(
        err.trim_end().ends_with(&format!(
            "listening on {addr}: Address already in use (os error 98)"
        )),
        "{err}"
    );
    let (code, err) = run_serve(&["--data", data, "--max-upload-bytes", "lots"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--max-upload-bytes"), "{err}");
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("Examples:\n  nodemortem serve "));
}

#[test]
fn kill_9_mid_upload_loses_nothing_committed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut s = serve(&data, &["--keep-bundles"]);
    let (status, created) = post(&s.url("/api/v1/analyses?name=messages"), JOURNAL.as_bytes());
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["id"], 1);
    let before: serde_json::Value =
        serde_json::from_str(&get(&s.url("/api/v1/analyses/1")).1).unwrap();

    // A second upload, 4 MiB of 64 announced, under analysis when the server is killed.
    let mut part = Vec::new();
    while part.len() < 4 << 20 {
        part.extend_from_slice(JOURNAL.as_bytes());
    }
    let mut conn = TcpStream::connect(s.addr).unwrap();
    write!(
        conn,
        "POST /api/v1/analyses?name=half.log HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n\r\n",
        s.addr,
        64 << 20
    )
    .unwrap();
    conn.write_all(&part).unwrap();
    let tmp = data.join("tmp");
    let deadline = Instant::now() + Duration::from_secs(30);
    let kept_so_far = || -> u64 {
        std::fs::read_dir(&tmp)
            .unwrap()
            .flatten()
            .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
            .sum()
    };
    while !(metric(&s, "nodemortem_analyses_running") == Some(1.0) && kept_so_far() > 0) {
        assert!(
            Instant::now() < deadline,
            "the upload never started; log:\n{}",
            s.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    s.kill9();
    drop(conn);
    // What the crash left: the partial upload under tmp/, no row, no kept bundle for it.
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 1);
    let bundles: Vec<String> = std::fs::read_dir(data.join("bundles"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(bundles, ["1"]);

    // The server starts again on the same data: the partial upload is swept, the committed
    // analysis is intact, new ones follow it.
    let mut s = serve(&data, &["--keep-bundles"]);
    assert!(
        s.log().contains("removing an upload left unfinished"),
        "{}",
        s.log()
    );
    assert!(s.log().contains("1 analyses stored"), "{}", s.log());
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
    let list: serde_json::Value = serde_json::from_str(&get(&s.url("/api/v1/analyses")).1).unwrap();
    let ids: Vec<i64> = list["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1]);
    let after: serde_json::Value =
        serde_json::from_str(&get(&s.url("/api/v1/analyses/1")).1).unwrap();
    assert_eq!(after["report"], before["report"]);
    assert_eq!(after["received"], before["received"]);
    assert_eq!(after["size"], before["size"]);
    let (status, created) = post(&s.url("/api/v1/analyses?name=messages"), JOURNAL.as_bytes());
    assert_eq!(status, 201);
    assert_eq!(created["id"], 2);
    assert_eq!(s.stop(), Some(0));
    assert!(s.log().contains("SIGTERM received"), "{}", s.log());

    let store = analyzer_server::store::Store::open(&data).unwrap();
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    assert_eq!(store.count().unwrap(), 2);
}
