//! The `nodemortem serve` binary as a child process: started on a free loopback port, its log
//! collected, its memory sampled, stopped by SIGTERM or killed with SIGKILL.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `nodemortem serve`.
pub struct Served {
    pub child: Child,
    pub addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

/// Starts `nodemortem serve --listen 127.0.0.1:0 --data DATA EXTRA…` and waits for its
/// "listening on" line.
pub fn serve(data: &Path, extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(extra)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nodemortem serve");
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            // Logged before it is announced: once `serve` returns, the log holds the line.
            {
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                let _ = tx.send(addr);
            }
        }
    });
    let addr = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(a) => a.parse().expect("an address"),
        Err(_) => {
            let _ = child.kill();
            panic!("no 'listening on' line; log:\n{}", log.lock().unwrap());
        }
    };
    Served { child, addr, log }
}

impl Served {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The log so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// SIGKILL, as `kill -9`.
    pub fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM; waits for the exit status.
    pub fn stop(&mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st.code();
            }
            assert!(Instant::now() < deadline, "no exit 60 s after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `VmHWM` (peak resident memory) and `RssAnon` now, from `/proc/PID/status`.
    pub fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let kib = |key: &str| -> u64 {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
                .unwrap_or(0)
        };
        (kib("VmHWM:") * 1024, kib("RssAnon:") * 1024)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An HTTP client returning every status as an answer, ignoring proxy variables.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(600)))
        .build()
        .into()
}

/// Status and body of a GET.
pub fn get(url: &str) -> (u16, String) {
    let mut r = agent().get(url).call().unwrap();
    let status = r.status().as_u16();
    (
        status,
        r.body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .unwrap(),
    )
}

/// Status and JSON body of a POST of `body`.
pub fn post(url: &str, body: &[u8]) -> (u16, serde_json::Value) {
    let mut r = agent().post(url).send(body).unwrap();
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

/// A metric's value from `/metrics`.
pub fn metric(s: &Served, line_start: &str) -> Option<f64> {
    get(&s.url("/metrics"))
        .1
        .lines()
        .find_map(|l| l.strip_prefix(line_start)?.strip_prefix(' ')?.parse().ok())
}

/// The kernel memcg OOM kill of runc's init as journald prints it (moby/moby#33192).
pub const JOURNAL: &str = "Aug 20 10:25:50 node1 systemd[1]: Started Docker Application Container Engine.\n\
Aug 20 10:25:54 node1 kernel: Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n";
