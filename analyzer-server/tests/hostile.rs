//! Hostile uploads over loopback, with the guarantees of the CLI (docs/security.md): bombs,
//! traversal names, truncated archives, random bytes, oversized and slow bodies, trickled
//! headers and clients that go away. Each gets a clear status and a log line, nothing
//! half-stored, no file named by the client, and the server goes on serving.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::*;

/// 1 GiB of zeros in about 1 MB: sixteen gzip members of 64 MiB each.
fn gzip_bomb() -> Vec<u8> {
    gzip(&vec![0u8; 64 << 20]).repeat(16)
}

fn assert_nothing_stored(s: &TestServer) {
    let list = get(&s.url("/api/v1/analyses")).json();
    assert_eq!(list["analyses"], serde_json::json!([]));
}

#[test]
fn a_gzip_bomb_alone_is_422_and_beside_a_journal_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.keep_bundles = true;
    let s = TestServer::start(c);
    let bomb = gzip_bomb();
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());

    let a = upload(&s, "bomb.gz", &bomb);
    assert_eq!(a.status, 422, "{}", a.body);
    let err = a.json()["error"].as_str().unwrap().to_string();
    assert!(
        err.starts_with("nothing could be read: bomb.gz at offset "),
        "{err}"
    );
    assert!(
        err.contains("stopped as a possible decompression bomb"),
        "{err}"
    );
    assert_nothing_stored(&s);
    assert_eq!(
        log_lines("422: nothing could be read")
            .iter()
            .filter(|l| l.contains("name=bomb.gz"))
            .count(),
        1
    );

    // The bomb as a member beside the journal: stopped, the rest analysed and stored.
    let tar = sos_tar(|t| {
        entry(
            t,
            b"sosreport-node1-2020-08-20/var/log/messages.1.gz",
            flag::FILE,
            b"",
            &bomb,
        )
    });
    let id = upload_ok(&s, "node1.tar", &tar);
    let got = get(&s.url(&format!("/api/v1/analyses/{id}"))).json();
    assert_eq!(got["top_finding"]["rule"], "oom-kill");
    let warnings = got["report"]["warnings"].as_array().unwrap();
    let w: Vec<_> = warnings
        .iter()
        .filter(|w| {
            w["message"]
                .as_str()
                .unwrap()
                .contains("decompression bomb")
        })
        .collect();
    assert_eq!(w.len(), 1, "{warnings:?}");
    assert_eq!(w[0]["path"], "var/log/messages.1.gz");
    let at = w[0]["offset"].as_u64().unwrap();
    assert!(at > 64 << 20 && at < 80 << 20, "{at}");
    // The upload is kept as received; nothing decoded reaches the disk.
    assert_eq!(
        std::fs::read(s.data.join(format!("bundles/{id}"))).unwrap(),
        tar
    );
    only_store_files(&s.data, &[id]);
}

#[test]
fn traversal_names_never_reach_the_filesystem() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.keep_bundles = true;
    let s = TestServer::start(c);
    let tar = sos_tar(|t| {
        entry(
            t,
            b"../a/../../etc/passwd",
            flag::FILE,
            b"",
            b"root:x:0:0::/root:/bin/bash\n",
        );
        entry(
            t,
            b"/etc/shadow",
            flag::FILE,
            b"",
            b"root:*:18000:0:99999:7:::\n",
        );
        entry(
            t,
            b"sosreport-node1-2020-08-20/escape",
            flag::SYMLINK,
            b"../../../../etc/hosts",
            b"",
        );
    });
    // The client's name is a traversal too: only its last component is kept, as a label.
    let a = post(
        &s.url("/api/v1/analyses?name=..%2F..%2F..%2Ftmp%2Fevil.tar"),
        &tar,
    );
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.json()["id"].as_i64().unwrap();
    let got = get(&s.url(&format!("/api/v1/analyses/{id}"))).json();
    assert_eq!(got["name"], "evil.tar");
    assert_eq!(got["top_finding"]["rule"], "oom-kill");
    let warned: Vec<&str> = got["report"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["path"].as_str().unwrap())
        .collect();
    for name in ["../a/../../etc/passwd", "/etc/shadow"] {
        assert!(
            warned.contains(&name),
            "no warning names {name}: {warned:?}"
        );
    }
    only_store_files(&s.data, &[id]);
    assert!(!std::path::Path::new("/tmp/evil.tar").exists());

    // Nothing but hostile names: nothing to read.
    let mut only = Vec::new();
    entry(
        &mut only,
        b"../../etc/passwd",
        flag::FILE,
        b"",
        b"root:x:0:0::/root:/bin/bash\n",
    );
    let a = upload(&s, "hostile.tar", &finish(only));
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(
        a.json()["error"]
            .as_str()
            .unwrap()
            .contains("../../etc/passwd"),
        "{}",
        a.body
    );
    only_store_files(&s.data, &[id]);
}

#[test]
fn truncated_archives_keep_what_was_read_and_refuse_what_has_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::start(config(dir.path()));
    let mut tail = Vec::new();
    for i in 0..2000 {
        writeln!(tail, "Aug 20 10:26:{:02} node1 kubelet[1200]: I0820 10:26:00.000000    1200 kubelet.go:1000] sync loop {i}", i % 60).unwrap();
    }
    let tar = sos_tar(|t| {
        entry(
            t,
            b"sosreport-node1-2020-08-20/var/log/messages",
            flag::FILE,
            b"",
            &tail,
        )
    });
    let mut gz = gzip(&tar);
    gz.truncate(gz.len() * 2 / 3);
    let id = upload_ok(&s, "node1.tar.gz", &gz);
    let got = get(&s.url(&format!("/api/v1/analyses/{id}"))).json();
    assert_eq!(got["top_finding"]["rule"], "oom-kill");
    let w = &got["report"]["warnings"][0];
    assert!(
        w["path"] == "node1.tar.gz" || w["path"] == "var/log/messages",
        "{w}"
    );
    assert!(w["offset"].is_u64(), "{w}");

    // Cut inside the first header: nothing at all.
    let a = upload(&s, "cut.tar", &tar[..100]);
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(
        a.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("nothing could be read: cut.tar"),
        "{}",
        a.body
    );
    assert_eq!(
        get(&s.url("/api/v1/analyses")).json()["analyses"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn random_bytes_are_422() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::start(config(dir.path()));
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let random: Vec<u8> = (0..1 << 20)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect();
    let a = upload(&s, "random.bin", &random);
    assert_eq!(a.status, 422);
    assert_eq!(
        a.json()["error"],
        "nothing could be read: random.bin: nothing was recognised as a log, goroutine dump or host-state file (1 member(s), 1048576 bytes skipped)"
    );
    assert_nothing_stored(&s);
    assert!(
        log_lines("422: nothing could be read")
            .iter()
            .any(|l| l.contains("name=random.bin"))
    );
}

#[test]
fn uploads_past_the_limit_are_cut_with_413() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.max_upload_bytes = 64 << 10;
    c.keep_bundles = true;
    let s = TestServer::start(c);
    let mut big = Vec::new();
    while big.len() < 1 << 20 {
        big.extend_from_slice(JOURNAL.as_bytes());
    }
    // Declared too large: refused before reading.
    let a = upload(&s, "big.log", &big);
    assert_eq!(a.status, 413);
    assert_eq!(
        a.json()["error"],
        format!(
            "upload of {} bytes is larger than the limit of 65536 bytes",
            big.len()
        )
    );
    // Streamed without a length: cut at the limit.
    let a = post_chunked(&s.url("/api/v1/analyses?name=big.log"), &big);
    assert_eq!(a.status, 413, "{}", a.body);
    assert_eq!(
        a.json()["error"],
        "upload larger than the limit of 65536 bytes; cut there, nothing stored"
    );
    assert_nothing_stored(&s);
    only_store_files(&s.data, &[]);
    // A client that waits for `100 Continue` is answered before it sends a byte of its body.
    let mut c = TcpStream::connect(s.addr).unwrap();
    write!(
        c,
        "POST /api/v1/analyses?name=big.log HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        s.addr,
        big.len()
    )
    .unwrap();
    let (answer, closed) = read_until_closed(&mut c, Duration::from_secs(10));
    assert!(closed);
    assert!(
        answer.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{answer}"
    );
    assert!(!answer.contains("100 Continue"), "{answer}");
    assert_eq!(
        metric(&s, "nodemortem_uploads_total{outcome=\"too_large\"}"),
        Some(3.0)
    );
    assert_eq!(log_lines("413: upload \"big.log\"").len(), 3);
    // At the limit exactly: stored.
    upload_ok(&s, "small.log", &big[..64 << 10]);
}

/// Writes `head` then one byte of `body` every `every`, until the server closes the connection;
/// returns what the server answered and how long it took.
fn trickle(s: &TestServer, head: &str, body: &[u8], every: Duration) -> (String, Duration) {
    let mut c = TcpStream::connect(s.addr).unwrap();
    let started = Instant::now();
    c.write_all(head.as_bytes()).unwrap();
    let mut reader = c.try_clone().unwrap();
    let body = body.to_vec();
    let writer = std::thread::spawn(move || {
        for b in body {
            std::thread::sleep(every);
            if c.write_all(&[b]).is_err() {
                break;
            }
        }
    });
    let (answer, closed) = read_until_closed(&mut reader, Duration::from_secs(20));
    let took = started.elapsed();
    assert!(closed, "the server kept the connection open: {answer}");
    writer.join().unwrap();
    (answer, took)
}

#[test]
fn a_one_byte_per_second_body_does_not_hold_a_slot() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.max_concurrent = 1;
    c.upload_window = Duration::from_secs(1);
    c.min_upload_rate = 1024;
    let s = TestServer::start(c);
    let head = format!(
        "POST /api/v1/analyses?name=slow.log HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n\r\n",
        s.addr,
        JOURNAL.len()
    );
    // One byte a second against 1 KiB/s over 1 s windows: cut after the first window.
    let (answer, took) = trickle(&s, &head, JOURNAL.as_bytes(), Duration::from_secs(1));
    assert!(
        answer.starts_with("HTTP/1.1 408 Request Timeout"),
        "{answer}"
    );
    assert!(answer.contains("upload too slow: "), "{answer}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert!(!log_lines("408: upload \"slow.log\"").is_empty());
    assert_nothing_stored(&s);
    // The only slot is free again.
    upload_ok(&s, "messages", JOURNAL.as_bytes());
}

#[test]
fn trickled_headers_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.header_timeout = Duration::from_secs(1);
    let s = TestServer::start(c);
    let (_, took) = trickle(
        &s,
        "POST /api/v1/analyses HTTP/1.1\r\n",
        b"Host: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
        Duration::from_millis(200),
    );
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert_eq!(get(&s.url("/healthz")).status, 200);
}

#[test]
fn a_client_that_goes_away_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.keep_bundles = true;
    c.max_concurrent = 1;
    let s = TestServer::start(c);
    let mut part = Vec::new();
    while part.len() < 1 << 20 {
        part.extend_from_slice(JOURNAL.as_bytes());
    }
    let mut conn = TcpStream::connect(s.addr).unwrap();
    let head = format!(
        "POST /api/v1/analyses?name=gone.log HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n\r\n",
        s.addr,
        10 * part.len()
    );
    conn.write_all(head.as_bytes()).unwrap();
    conn.write_all(&part).unwrap();
    conn.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    drop(conn);
    let deadline = Instant::now() + Duration::from_secs(20);
    while metric(&s, "nodemortem_uploads_total{outcome=\"aborted\"}").is_none()
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        metric(&s, "nodemortem_uploads_total{outcome=\"aborted\"}"),
        Some(1.0)
    );
    assert!(!log_lines("upload \"gone.log\" from").is_empty());
    while metric(&s, "nodemortem_analyses_running") != Some(0.0) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(metric(&s, "nodemortem_analyses_running"), Some(0.0));
    assert_nothing_stored(&s);
    only_store_files(&s.data, &[]);
    let id = upload_ok(&s, "messages", JOURNAL.as_bytes());
    only_store_files(&s.data, &[id]);
}
