//! Running an analysis detached from the interpreter while staying interruptible.
//!
//! The work runs on a worker thread. The calling thread waits for it detached, and every
//! [`POLL`] attaches to run Python's signal handlers (`check_signals`): a Ctrl-C then raises
//! `KeyboardInterrupt` there, which cancels the analysis ([`CancelToken`]), waits for the worker
//! to stop and re-raises. Other Python threads run meanwhile, including other analyses.

use std::sync::mpsc;
use std::time::Duration;

use analyzer_core::CancelToken;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// How often a waiting call looks for signals: Ctrl-C answers within this.
const POLL: Duration = Duration::from_millis(50);

/// Runs `job` on a worker thread, detached, until it returns or a signal handler raises (a
/// `KeyboardInterrupt`); then `cancel` is cancelled, the worker is joined and the exception is
/// returned. A panic of the job is resumed here (PyO3 raises it as `PanicException`).
pub fn interruptible<T, F>(py: Python<'_>, cancel: &CancelToken, job: F) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    std::thread::scope(|scope| {
        let (tx, mut rx) = mpsc::channel();
        let worker = std::thread::Builder::new()
            .name("nodemortem".into())
            .spawn_scoped(scope, move || {
                // The receiver is gone only when the caller stopped waiting; nothing to do then.
                let _ = tx.send(job());
            })?;
        let outcome = loop {
            // A `Receiver` is not `Sync`: it goes into the detached closure and comes back.
            let (got, back) = py.detach(move || (rx.recv_timeout(POLL), rx));
            rx = back;
            match got {
                Ok(value) => break Ok(Some(value)),
                Err(mpsc::RecvTimeoutError::Disconnected) => break Ok(None),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(e) = py.check_signals() {
                        cancel.cancel();
                        break Err(e);
                    }
                }
            }
        };
        // Joined detached: a worker still reading a file object needs to attach to finish.
        let joined = py.detach(move || worker.join());
        match (outcome, joined) {
            (Err(e), _) => Err(e),
            (Ok(Some(value)), _) => Ok(value),
            (Ok(None), Err(panic)) => std::panic::resume_unwind(panic),
            (Ok(None), Ok(())) => Err(PyRuntimeError::new_err(
                "the analysis thread ended without a result",
            )),
        }
    })
}
