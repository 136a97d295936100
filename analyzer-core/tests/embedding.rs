//! The embedding surface as a ticket tool uses it: an upload streamed through
//! `Bundle::from_reader`, a progress callback, a cancellation token pulled from another thread
//! while the upload is still arriving, and the built-in rules shared between calls.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use analyzer_core::analysis::{Progress, ProgressFn};
use analyzer_core::{Bundle, CancelToken, Options, analyze};

/// The memcg OOM kill of runc's init (moby/moby#33192, opencontainers/runc#1980), as journald
/// prints it; the first record of every generated upload.
const OOM: &[u8] = b"Aug 20 10:25:54 node1 kernel: Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n\
Aug 20 10:25:54 node1 kernel: Killed process 20357 (runc:[2:INIT]) total-vm:10240kB, anon-rss:2048kB, file-rss:0kB, shmem-rss:0kB\n";

/// A journal (`journalctl --no-pager`) arriving over a connection: the OOM kill, then kubelet
/// probe lines generated as they are read, `total` bytes in all (`u64::MAX`: endless). Counts
/// the bytes handed out so far.
struct Upload {
    sent: Arc<AtomicU64>,
    total: u64,
    line: u64,
    pending: Vec<u8>,
    at: usize,
}

impl Upload {
    fn new(total: u64) -> (Upload, Arc<AtomicU64>) {
        let sent = Arc::new(AtomicU64::new(0));
        let up = Upload {
            sent: sent.clone(),
            total,
            line: 0,
            pending: OOM.to_vec(),
            at: 0,
        };
        (up, sent)
    }
}

impl Read for Upload {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let sent = self.sent.load(Ordering::Relaxed);
        let left = self.total - sent;
        if left == 0 {
            return Ok(0);
        }
        if self.at == self.pending.len() {
            self.line += 1;
            let n = self.line;
            self.pending.clear();
            self.pending.extend_from_slice(
                format!(
                    "Aug 20 10:{:02}:{:02} node1 kubelet[1545]: I0820 10:{:02}:{:02}.{:06}    1545 prober.go:116] \"Probe succeeded\" probeType=\"Readiness\" pod=\"default/web-{n}\"\n",
                    26 + n / 60 % 30,
                    n % 60,
                    26 + n / 60 % 30,
                    n % 60,
                    n % 1_000_000,
                )
                .as_bytes(),
            );
            self.at = 0;
        }
        let avail = &self.pending[self.at..];
        let k = avail
            .len()
            .min(buf.len())
            .min(left.min(usize::MAX as u64) as usize);
        buf[..k].copy_from_slice(&avail[..k]);
        self.at += k;
        self.sent.fetch_add(k as u64, Ordering::Relaxed);
        Ok(k)
    }
}

/// Every progress report, with the upload bytes sent when it came.
type Seen = Arc<Mutex<Vec<(Progress, u64)>>>;

fn recording(sent: Arc<AtomicU64>) -> (ProgressFn, Seen) {
    let seen: Seen = Arc::default();
    let s = seen.clone();
    let f = ProgressFn(Arc::new(move |p: Progress| {
        s.lock().unwrap().push((p, sent.load(Ordering::Relaxed)));
    }));
    (f, seen)
}

/// A 40 MiB upload is analysed while it arrives: bytes are reported analysed while most of the
/// upload has not been read yet, so it is never held whole; the report covers all of it.
#[test]
fn an_upload_is_analysed_while_it_arrives() {
    const TOTAL: u64 = 40 << 20;
    let (upload, sent) = Upload::new(TOTAL);
    let (progress, seen) = recording(sent.clone());
    let opts = Options {
        progress: Some(progress),
        ..Options::default()
    };
    let report = analyze(&Bundle::from_reader("journal", upload), &opts).unwrap();
    assert_eq!(sent.load(Ordering::Relaxed), TOTAL);
    assert_eq!(report.stats.members, 1);
    assert_eq!(report.stats.bytes, TOTAL);
    assert!(!report.stats.partial);
    let oom = report
        .findings
        .iter()
        .find(|f| f.rule == "oom-kill")
        .expect("the OOM kill is found");
    assert!(
        oom.evidence
            .iter()
            .any(|e| e.path == "journal" && e.line == 2),
        "{:?}",
        oom.evidence
    );

    let seen = seen.lock().unwrap();
    let last = seen.last().expect("progress is reported").0;
    assert_eq!((last.members, last.bytes), (1, TOTAL));
    // The first bytes handed to analysis came when at most half the upload had been read.
    let (first, sent_then) = *seen
        .iter()
        .find(|(p, _)| p.bytes > 0)
        .expect("bytes are reported");
    assert!(first.bytes < TOTAL, "{first:?}");
    assert!(sent_then <= TOTAL / 2, "{sent_then} of {TOTAL} read first");
    // Reports only grow.
    assert!(seen.windows(2).all(|w| w[0].0.bytes <= w[1].0.bytes));
}

/// Cancelling from another thread while an endless upload is still arriving ends the analysis
/// with a partial report of what was read, the OOM kill at its head included.
#[test]
fn cancelling_stops_an_endless_upload() {
    let (upload, sent) = Upload::new(u64::MAX);
    let cancel = CancelToken::new();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let tx = Mutex::new(Some(tx));
    let progress = ProgressFn(Arc::new(move |p: Progress| {
        if p.bytes >= 32 << 20
            && let Some(tx) = tx.lock().unwrap().take()
        {
            let _ = tx.send(());
        }
    }));
    let opts = Options {
        progress: Some(progress),
        cancel: Some(cancel.clone()),
        ..Options::default()
    };
    // The ticket tool's other thread: the user gave up.
    let canceller = std::thread::spawn(move || {
        rx.recv().unwrap();
        cancel.cancel();
    });
    let report = analyze(&Bundle::from_reader("journal", upload), &opts).unwrap();
    canceller.join().unwrap();
    assert!(report.stats.partial);
    let read = sent.load(Ordering::Relaxed);
    assert!(report.stats.bytes >= 32 << 20, "{}", report.stats.bytes);
    assert!(read < 256 << 20, "{read} bytes read after the cancel");
    let cancelled: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.message.starts_with("analysis cancelled: "))
        .collect();
    assert_eq!(cancelled.len(), 1, "{:?}", report.warnings);
    assert!(report.findings.iter().any(|f| f.rule == "oom-kill"));
}

/// Two analyses in a row and from two threads give the same report: the built-in rules,
/// compiled once, are shared.
#[test]
fn the_built_in_rules_are_shared_between_calls() {
    let run = || {
        let (upload, _) = Upload::new(64 << 10);
        let mut r = analyze(&Bundle::from_reader("journal", upload), &Options::default())
            .map(|r| serde_json::to_value(&r).unwrap())
            .unwrap();
        r["stats"]["seconds"] = serde_json::Value::Null;
        r
    };
    let first = run();
    let other = std::thread::spawn(run).join().unwrap();
    assert_eq!(first, other);
    assert_eq!(first["findings"][0]["rule"], "oom-kill");
}
