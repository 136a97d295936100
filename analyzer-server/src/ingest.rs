//! From an HTTP request body to a blocking [`Read`] the analysis consumes as bytes arrive.
//!
//! ```text
//!  hyper body ──frames──▶ pump (async task) ──bounded channel──▶ Inlet (Read, blocking thread)
//!                         │ counts bytes, cuts at --max-upload-bytes      │ tees to DATA/tmp/…
//!                         │ judges the client's rate (408 when too slow)  ▼
//!                         │ cancels the analysis on any failure      Bundle::from_reader
//!                         └ reports the outcome; past the limit, drains a little so the client reads the 413
//! ```
//!
//! The channel holds a few chunks (hyper hands over at most a few hundred KiB at a time), so an
//! upload costs a bounded amount of memory whatever its size; when the analysis is slower than
//! the client, the channel fills and TCP back-pressure slows the client. Time spent waiting on
//! the analysis is not held against the client's rate.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use analyzer_core::CancelToken;
use axum::body::{Body, Bytes};
use http_body_util::BodyExt;
use tokio::sync::{mpsc, oneshot};

use crate::metrics::{Metrics, Outcome as MetricOutcome};

/// Chunks waiting between the pump and the analysis.
const CHANNEL_CHUNKS: usize = 16;

/// After an early answer (413, 503) the rest of the body is read and dropped for at most
/// this long, so that the client, which is still sending, gets to read the answer rather than
/// a reset connection.
pub const DRAIN_TIME: Duration = Duration::from_secs(5);

/// The least a refused body is drained by, whatever the upload limit: a client that sends its
/// whole body before reading the answer (most do) then reads the 413 or 503 instead of a
/// connection reset. Discarding is cheap and [`DRAIN_TIME`] bounds it.
pub const DRAIN_BYTES: u64 = 16 << 20;

/// How an upload's body ended, as the pump saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every byte was received.
    Complete {
        /// Bytes received.
        bytes: u64,
    },
    /// More than the limit was sent; the stream was cut there.
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// The client sent less than the minimum rate over a whole window.
    TooSlow {
        /// Bytes received before the cut.
        bytes: u64,
    },
    /// The connection failed or closed before the body was complete.
    Aborted {
        /// Bytes received before it failed.
        bytes: u64,
    },
}

/// How the pump judges a body.
#[derive(Clone, Copy, Debug)]
pub struct PumpLimits {
    /// Most bytes accepted.
    pub max_bytes: u64,
    /// Rate window, in time spent waiting on the client.
    pub window: Duration,
    /// Least bytes per second over each window.
    pub min_rate: u64,
}

/// Who is told how an upload failed: metrics and the log.
#[derive(Clone, Debug)]
pub struct Watch {
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// The upload as logs name it (`"node1.tar.gz" from 10.0.0.7:41234`).
    pub label: String,
}

/// Starts the pump: reads `body` on the runtime, forwards chunks to the returned [`Inlet`], and
/// sends its [`Outcome`] on the returned receiver as soon as it is known. On any failure it
/// cancels `cancel` (the analysis stops early), hands the inlet an error, counts and logs it.
pub fn start(
    body: Body,
    limits: PumpLimits,
    cancel: CancelToken,
    tee: Option<PathBuf>,
    watch: Watch,
) -> io::Result<(Inlet, oneshot::Receiver<Outcome>)> {
    let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
    let (done_tx, done_rx) = oneshot::channel();
    let tee = match tee {
        Some(path) => Some((
            BufWriter::with_capacity(256 << 10, File::create(&path)?),
            path,
        )),
        None => None,
    };
    tokio::spawn(pump(body, limits, cancel, tx, done_tx, watch));
    Ok((
        Inlet(Arc::new(Mutex::new(InletState {
            rx,
            current: Bytes::new(),
            tee,
            failed: None,
            received: 0,
        }))),
        done_rx,
    ))
}

type Chunk = Result<Bytes, io::ErrorKind>;

async fn pump(
    mut body: Body,
    limits: PumpLimits,
    cancel: CancelToken,
    tx: mpsc::Sender<Chunk>,
    done: oneshot::Sender<Outcome>,
    watch: Watch,
) {
    let min_per_window = limits
        .min_rate
        .saturating_mul(limits.window.as_secs().max(1));
    let mut bytes = 0u64;
    let mut window_waited = Duration::ZERO;
    let mut window_bytes = 0u64;
    let fail = |kind: io::ErrorKind| {
        cancel.cancel();
        kind
    };
    let outcome = loop {
        let started = Instant::now();
        let left = limits.window.saturating_sub(window_waited);
        let next = tokio::time::timeout(left, body.frame()).await;
        window_waited += started.elapsed();
        match next {
            Err(_elapsed) => {}
            Ok(None) => break Outcome::Complete { bytes },
            Ok(Some(Err(_))) => {
                let _ = tx.send(Err(fail(io::ErrorKind::ConnectionAborted))).await;
                break Outcome::Aborted { bytes };
            }
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    bytes += data.len() as u64;
                    window_bytes += data.len() as u64;
                    if bytes > limits.max_bytes {
                        let _ = tx.send(Err(fail(io::ErrorKind::FileTooLarge))).await;
                        break Outcome::TooLarge {
                            limit: limits.max_bytes,
                        };
                    }
                    // A closed receiver means the analysis ended early (a limit); the rest is
                    // still read, counted and kept by whoever drains the inlet.
                    let _ = tx.send(Ok(data)).await;
                }
            }
        }
        if window_waited >= limits.window {
            if window_bytes < min_per_window {
                let _ = tx.send(Err(fail(io::ErrorKind::TimedOut))).await;
                break Outcome::TooSlow { bytes };
            }
            window_waited = Duration::ZERO;
            window_bytes = 0;
        }
    };
    // A body cut for its size is drained a little so the client reads the 413; a slow one is
    // not (that would hold it longer), and the connection is closed after the 408.
    let early = matches!(outcome, Outcome::TooLarge { .. });
    drop(tx);
    let label = &watch.label;
    match outcome {
        Outcome::Complete { .. } => {}
        Outcome::TooLarge { limit } => {
            watch.metrics.upload(MetricOutcome::too_large, bytes);
            tracing::warn!(
                "413: upload {label} larger than {limit} bytes; cut there, nothing stored"
            );
        }
        Outcome::TooSlow { bytes } => {
            watch.metrics.upload(MetricOutcome::too_slow, bytes);
            tracing::warn!(
                "408: upload {label} sent {bytes} bytes, slower than {} bytes/s over {} s; cut, nothing stored",
                limits.min_rate,
                limits.window.as_secs()
            );
        }
        Outcome::Aborted { bytes } => {
            watch.metrics.upload(MetricOutcome::aborted, bytes);
            tracing::warn!(
                "upload {label} aborted by the client after {bytes} bytes; nothing stored"
            );
        }
    }
    let _ = done.send(outcome);
    if early {
        drain(body, limits.max_bytes).await;
    }
}

/// Reads and drops the rest of a body for at most [`DRAIN_TIME`] and the larger of `max_bytes`
/// and [`DRAIN_BYTES`].
pub async fn drain(mut body: Body, max_bytes: u64) {
    let deadline = tokio::time::Instant::now() + DRAIN_TIME;
    let max_bytes = max_bytes.max(DRAIN_BYTES);
    let mut n = 0u64;
    while n <= max_bytes {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(f))) => n += f.data_ref().map_or(0, |d| d.len() as u64),
            _ => break,
        }
    }
}

/// The upload as a blocking reader; clones share the stream (the analysis holds one, the
/// handler keeps one to drain what the analysis did not read).
#[derive(Clone)]
pub struct Inlet(Arc<Mutex<InletState>>);

struct InletState {
    rx: mpsc::Receiver<Chunk>,
    current: Bytes,
    tee: Option<(BufWriter<File>, PathBuf)>,
    failed: Option<io::ErrorKind>,
    /// Bytes handed over so far.
    received: u64,
}

impl InletState {
    /// The next chunk, blocking; `None` at the end of the body.
    fn next_chunk(&mut self) -> io::Result<Option<Bytes>> {
        if let Some(kind) = self.failed {
            return Err(UploadCut::error(kind));
        }
        match self.rx.blocking_recv() {
            None => Ok(None),
            Some(Ok(b)) => {
                self.received += b.len() as u64;
                if let Some((w, _)) = &mut self.tee {
                    w.write_all(&b)?;
                }
                Ok(Some(b))
            }
            Some(Err(kind)) => {
                self.failed = Some(kind);
                Err(UploadCut::error(kind))
            }
        }
    }
}

/// Why the pump cut an upload, as the inner error of the inlet's `io::Error`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UploadCut(&'static str);

impl UploadCut {
    fn error(kind: io::ErrorKind) -> io::Error {
        io::Error::new(kind, UploadCut(upload_error_text(kind)))
    }
}

/// True for the errors the pump hands the inlet (too large, too slow, aborted), as opposed to
/// a failure to keep the bytes.
pub fn is_upload_failure(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<UploadCut>())
}

fn upload_error_text(kind: io::ErrorKind) -> &'static str {
    match kind {
        io::ErrorKind::FileTooLarge => "upload larger than the limit; cut there",
        io::ErrorKind::TimedOut => "upload too slow; cut",
        _ => "upload aborted by the client",
    }
}

impl Read for Inlet {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut st = self.0.lock().unwrap_or_else(|e| e.into_inner());
        while st.current.is_empty() {
            match st.next_chunk()? {
                Some(b) => st.current = b,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(st.current.len());
        buf[..n].copy_from_slice(&st.current[..n]);
        let _ = st.current.split_to(n);
        Ok(n)
    }
}

impl Inlet {
    /// Reads what the analysis left unread to the end of the body (tee-ing it), then flushes
    /// and syncs the kept copy. Returns the kept copy's temporary path, if any, and the bytes
    /// received. Fails when the upload failed (and then removes the kept copy). Blocking.
    pub fn finish(&self) -> io::Result<(Option<PathBuf>, u64)> {
        let mut st = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // The current chunk was kept when it arrived.
        st.current = Bytes::new();
        let drained = loop {
            match st.next_chunk() {
                Ok(Some(_)) => {}
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        let tee = st.tee.take();
        let kept = match (drained, tee) {
            (Ok(()), Some((w, path))) => {
                let synced = w
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .and_then(|f| f.sync_all());
                if let Err(e) = synced {
                    let _ = std::fs::remove_file(&path);
                    return Err(e);
                }
                Some(path)
            }
            (Ok(()), None) => None,
            (Err(e), tee) => {
                if let Some((w, path)) = tee {
                    drop(w);
                    let _ = std::fs::remove_file(&path);
                }
                return Err(e);
            }
        };
        Ok((kept, st.received))
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use hyper::body::Frame;

    use super::*;

    /// A request body fed by the test through a channel.
    struct Fed(mpsc::Receiver<Result<Bytes, io::Error>>);

    impl axum::body::HttpBody for Fed {
        type Data = Bytes;
        type Error = io::Error;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
            self.0.poll_recv(cx).map(|o| o.map(|r| r.map(Frame::data)))
        }
    }

    fn fed() -> (mpsc::Sender<Result<Bytes, io::Error>>, Body) {
        let (tx, rx) = mpsc::channel(4);
        (tx, Body::new(Fed(rx)))
    }

    fn limits(max_bytes: u64, window: Duration, min_rate: u64) -> PumpLimits {
        PumpLimits {
            max_bytes,
            window,
            min_rate,
        }
    }

    fn watch() -> Watch {
        Watch {
            metrics: Arc::new(Metrics::new(0)),
            label: "\"test\"".into(),
        }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn complete_body_is_read_and_kept() {
        let rt = rt();
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept.part");
        let (tx, body) = fed();
        let cancel = CancelToken::new();
        let (mut inlet, done) = rt
            .block_on(async {
                start(
                    body,
                    limits(100, Duration::from_secs(30), 1),
                    cancel.clone(),
                    Some(kept.clone()),
                    watch(),
                )
            })
            .unwrap();
        rt.spawn(async move {
            for part in [&b"hello "[..], b"upload ", b"world"] {
                tx.send(Ok(Bytes::from_static(part))).await.unwrap();
            }
        });
        // The analysis reads only the first bytes; finish() keeps the rest.
        let mut first = [0u8; 5];
        inlet.read_exact(&mut first).unwrap();
        assert_eq!(&first, b"hello");
        let (path, bytes) = inlet.finish().unwrap();
        assert_eq!(bytes, 18);
        assert_eq!(std::fs::read(path.unwrap()).unwrap(), b"hello upload world");
        assert_eq!(rt.block_on(done).unwrap(), Outcome::Complete { bytes: 18 });
        assert!(!cancel.is_cancelled());
    }

    #[test]
    fn body_past_the_limit_is_cut_and_cancels() {
        let rt = rt();
        let (tx, body) = fed();
        let cancel = CancelToken::new();
        let (mut inlet, done) = rt
            .block_on(async {
                start(
                    body,
                    limits(10, Duration::from_secs(30), 1),
                    cancel.clone(),
                    None,
                    watch(),
                )
            })
            .unwrap();
        rt.spawn(async move {
            for _ in 0..3 {
                if tx.send(Ok(Bytes::from_static(b"0123456"))).await.is_err() {
                    break;
                }
            }
        });
        let mut all = Vec::new();
        let err = inlet.read_to_end(&mut all).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert!(is_upload_failure(&err));
        assert_eq!(err.to_string(), "upload larger than the limit; cut there");
        assert!(!is_upload_failure(&io::Error::new(
            io::ErrorKind::StorageFull,
            "disk full"
        )));
        assert_eq!(all, b"0123456");
        assert_eq!(rt.block_on(done).unwrap(), Outcome::TooLarge { limit: 10 });
        assert!(cancel.is_cancelled());
    }

    #[test]
    fn slow_body_is_cut_after_one_window() {
        let rt = rt();
        let (tx, body) = fed();
        let cancel = CancelToken::new();
        let (inlet, done) = rt
            .block_on(async {
                start(
                    body,
                    limits(1 << 20, Duration::from_secs(1), 100),
                    cancel.clone(),
                    None,
                    watch(),
                )
            })
            .unwrap();
        // 1 byte every 200 ms: 5 bytes a window where 100 are due.
        rt.spawn(async move {
            for _ in 0..50 {
                if tx.send(Ok(Bytes::from_static(b"x"))).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        let started = Instant::now();
        let err = inlet.finish().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        let outcome = rt.block_on(done).unwrap();
        assert!(
            matches!(outcome, Outcome::TooSlow { bytes } if (4..=7).contains(&bytes)),
            "{outcome:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(3));
        assert!(cancel.is_cancelled());
    }

    #[test]
    fn broken_connection_is_an_abort() {
        let rt = rt();
        let (tx, body) = fed();
        let cancel = CancelToken::new();
        let (inlet, done) = rt
            .block_on(async {
                start(
                    body,
                    limits(100, Duration::from_secs(30), 1),
                    cancel.clone(),
                    None,
                    watch(),
                )
            })
            .unwrap();
        rt.spawn(async move {
            tx.send(Ok(Bytes::from_static(b"abc"))).await.unwrap();
            tx.send(Err(io::Error::from(io::ErrorKind::ConnectionReset)))
                .await
                .unwrap();
        });
        assert_eq!(
            inlet.finish().unwrap_err().kind(),
            io::ErrorKind::ConnectionAborted
        );
        assert_eq!(rt.block_on(done).unwrap(), Outcome::Aborted { bytes: 3 });
        assert!(cancel.is_cancelled());
    }
}
