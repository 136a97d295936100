//! What the server's end-to-end tests share: a server on loopback in this process, an HTTP
//! client, captured log lines, and realistic bundles (a sosreport tar holding a journal with a
//! kernel OOM kill, written by a raw ustar writer so hostile names can be written too).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use analyzer_server::{Config, Server};

// ---------------------------------------------------------------------------------------------
// Log capture: every test of a binary shares one subscriber; each test looks for its own lines.

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let _ = tracing_subscriber::fmt()
            .with_writer(|| Capture)
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .try_init();
    });
}

/// Log lines captured so far that contain `needle`.
pub fn log_lines(needle: &str) -> Vec<String> {
    String::from_utf8_lossy(&LOGS.lock().unwrap())
        .lines()
        .filter(|l| l.contains(needle))
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// A server in this process.

/// A server on 127.0.0.1, stopped when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub data: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// A configuration on 127.0.0.1:0 with `data`.
pub fn config(data: &Path) -> Config {
    let mut c = Config::new(data);
    c.listen = "127.0.0.1:0".parse().unwrap();
    c
}

impl TestServer {
    /// Starts a server with `config` on its own runtime (two workers, as on CI's 2 cores).
    pub fn start(config: Config) -> TestServer {
        capture_logs();
        let data = config.data.clone();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let server = match Server::bind(config).await {
                    Ok(s) => s,
                    Err(e) => {
                        addr_tx.send(Err(e.to_string())).unwrap();
                        return;
                    }
                };
                addr_tx.send(Ok(server.local_addr())).unwrap();
                server
                    .run(async {
                        let _ = stop_rx.await;
                    })
                    .await
                    .unwrap();
            });
            rt.shutdown_timeout(Duration::from_secs(10));
        });
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("server started")
            .unwrap_or_else(|e| panic!("server failed to start: {e}"));
        TestServer {
            addr,
            data,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the server and waits for it.
    pub fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

// ---------------------------------------------------------------------------------------------
// A client.

/// An HTTP client that returns every status as a response and ignores proxy variables.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// Status, headers and body text of an answer.
pub struct Answer {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut r = r.expect("request sent");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

pub fn get(url: &str) -> Answer {
    answer(agent().get(url).call())
}

pub fn get_with(url: &str, header: (&str, &str)) -> Answer {
    answer(agent().get(url).header(header.0, header.1).call())
}

pub fn post(url: &str, body: &[u8]) -> Answer {
    answer(agent().post(url).send(body))
}

pub fn post_with(url: &str, header: (&str, &str), body: &[u8]) -> Answer {
    answer(agent().post(url).header(header.0, header.1).send(body))
}

/// Posts `body` without a Content-Length (chunked), as a client streaming a pipe would.
pub fn post_chunked(url: &str, body: &[u8]) -> Answer {
    let mut reader: &[u8] = body;
    answer(
        agent()
            .post(url)
            .send(ureq::SendBody::from_reader(&mut reader)),
    )
}

/// Uploads `bytes` as `name` and returns the answer.
pub fn upload(s: &TestServer, name: &str, bytes: &[u8]) -> Answer {
    post(&s.url(&format!("/api/v1/analyses?name={name}")), bytes)
}

/// Uploads and expects `201`; returns the id.
pub fn upload_ok(s: &TestServer, name: &str, bytes: &[u8]) -> i64 {
    let a = upload(s, name, bytes);
    assert_eq!(a.status, 201, "{}", a.body);
    a.json()["id"].as_i64().unwrap()
}

/// The value of a metric line (`name{labels} value`) in `/metrics`.
pub fn metric(s: &TestServer, line_start: &str) -> Option<f64> {
    get(&s.url("/metrics"))
        .body
        .lines()
        .find_map(|l| l.strip_prefix(line_start)?.strip_prefix(' ')?.parse().ok())
}

/// Files under `dir`, recursively, relative.
pub fn files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(root, &p, out);
                } else {
                    out.push(p.strip_prefix(root).unwrap().display().to_string());
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The database files and kept bundles, nothing else.
pub fn only_store_files(data: &Path, bundles: &[i64]) {
    let mut expected: Vec<String> = bundles.iter().map(|id| format!("bundles/{id}")).collect();
    expected.push("nodemortem.sqlite3".into());
    expected.sort();
    let found: Vec<String> = files(data)
        .into_iter()
        .filter(|f| !f.ends_with("-wal") && !f.ends_with("-shm"))
        .collect();
    assert_eq!(found, expected);
}

// ---------------------------------------------------------------------------------------------
// Bundles.

/// The kernel memcg OOM kill of runc's init as journald prints it (sos
/// `sos_commands/logs/journalctl_--no-pager`; the line of moby/moby#33192), after dockerd's
/// start.
pub const JOURNAL: &str = "Aug 20 10:25:50 node1 systemd[1]: Started Docker Application Container Engine.\n\
Aug 20 10:25:54 node1 kernel: Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n\
Aug 20 10:25:54 node1 kernel: Killed process 20357 (runc:[2:INIT]) total-vm:10240kB, anon-rss:2048kB, file-rss:0kB, shmem-rss:0kB\n";

/// Where sos puts the journal.
pub const JOURNAL_PATH: &str = "sosreport-node1-2020-08-20/sos_commands/logs/journalctl_--no-pager";

/// Type flags of ustar headers.
pub mod flag {
    pub const FILE: u8 = b'0';
    pub const SYMLINK: u8 = b'2';
    pub const DIR: u8 = b'5';
}

fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let text = format!("{value:0width$o}");
    field[..width].copy_from_slice(&text.as_bytes()[text.len() - width..]);
    field[width] = 0;
}

/// One ustar header block (POSIX.1-1988 layout, as GNU tar `--format=ustar` writes it) for
/// `name` (any bytes, at most 100).
fn header(name: &[u8], kind: u8, link: &[u8], size: u64) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], 1_597_919_154);
    h[156] = kind;
    h[157..157 + link.len().min(100)].copy_from_slice(&link[..link.len().min(100)]);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let text = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(text.as_bytes());
    h
}

/// Appends an entry (header and padded data).
pub fn entry(out: &mut Vec<u8>, name: &[u8], kind: u8, link: &[u8], data: &[u8]) {
    out.extend_from_slice(&header(name, kind, link, data.len() as u64));
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(512), 0);
}

/// The end-of-archive blocks.
pub fn finish(mut out: Vec<u8>) -> Vec<u8> {
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// A sosreport tar whose journal holds the OOM kill, then what `rest` appends.
pub fn sos_tar(rest: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut t = Vec::new();
    entry(&mut t, b"sosreport-node1-2020-08-20/", flag::DIR, b"", b"");
    entry(
        &mut t,
        b"sosreport-node1-2020-08-20/sos_commands/",
        flag::DIR,
        b"",
        b"",
    );
    entry(
        &mut t,
        JOURNAL_PATH.as_bytes(),
        flag::FILE,
        b"",
        JOURNAL.as_bytes(),
    );
    rest(&mut t);
    finish(t)
}

/// gzip at the default level.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// The report `analyze --format json` gives for `bytes` named `name`, without its timing.
pub fn cli_report(name: &str, bytes: &[u8]) -> serde_json::Value {
    let report = analyzer_core::analyze(
        &analyzer_core::Bundle::from_reader(name, std::io::Cursor::new(bytes.to_vec())),
        &analyzer_core::Options::default(),
    )
    .unwrap();
    untimed(serde_json::to_value(&report).unwrap())
}

/// A report with `stats.seconds` blanked (the one field that differs between two runs).
pub fn untimed(mut v: serde_json::Value) -> serde_json::Value {
    v["stats"]["seconds"] = serde_json::Value::Null;
    v
}

/// Reads from a raw socket until it is closed or `limit` passes; returns what came.
pub fn read_until_closed(s: &mut std::net::TcpStream, limit: Duration) -> (String, bool) {
    s.set_read_timeout(Some(limit)).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&out).into_owned(), true),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (String::from_utf8_lossy(&out).into_owned(), true);
            }
            Err(_) => return (String::from_utf8_lossy(&out).into_owned(), false),
        }
    }
}
