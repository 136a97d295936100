//! The webhook for ticket tooling: when an analysis is stored, a JSON [`Summary`] is POSTed to
//! `--webhook URL`.
//!
//! Deliveries run on one thread of their own, from a bounded queue: an upload only enqueues
//! (never waits on the receiver); a full queue drops the summary with a log line. Each delivery
//! is tried [`Retry::attempts`] times, waiting [`Retry::first_delay`] and then twice as long
//! before each retry; every failure is logged.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

use serde::Serialize;

use crate::config::Retry;
use crate::metrics::{Delivery, Metrics};
use crate::store::TopFinding;

/// Summaries waiting to be delivered.
const QUEUE: usize = 1024;

/// What the receiver gets (`Content-Type: application/json`).
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// `analysis.stored`, or `analysis.reanalyzed` after `POST …/reanalyze`.
    pub event: &'static str,
    /// The analysis id.
    pub id: i64,
    /// The upload's name.
    pub name: String,
    /// The node, when known.
    pub host: Option<String>,
    /// The HTML report.
    pub url: String,
    /// The JSON metadata and report.
    pub api_url: String,
    /// When the upload began (RFC 3339).
    pub received: String,
    /// A limit cut the analysis short.
    pub partial: bool,
    /// Root causes, most telling first (at most five).
    pub findings: Vec<TopFinding>,
}

/// A handle to the delivery thread.
#[derive(Clone, Debug)]
pub struct Webhook {
    tx: SyncSender<Summary>,
    metrics: Arc<Metrics>,
}

impl Webhook {
    /// Starts the delivery thread for `url`; it ends when every handle is dropped and the queue
    /// is empty.
    pub fn start(url: String, retry: Retry, metrics: Arc<Metrics>) -> Webhook {
        let (tx, rx) = sync_channel(QUEUE);
        let m = Arc::clone(&metrics);
        std::thread::Builder::new()
            .name("webhook".into())
            .spawn(move || deliver_all(&url, retry, &rx, &m))
            .expect("spawning the webhook thread");
        Webhook { tx, metrics }
    }

    /// Queues a summary; never blocks.
    pub fn send(&self, summary: Summary) {
        match self.tx.try_send(summary) {
            Ok(()) => {}
            Err(TrySendError::Full(s)) => {
                self.metrics.webhook(Delivery::dropped);
                tracing::warn!(id = s.id, "webhook queue full ({QUEUE}); summary not sent");
            }
            Err(TrySendError::Disconnected(s)) => {
                self.metrics.webhook(Delivery::dropped);
                tracing::warn!(id = s.id, "webhook thread gone; summary not sent");
            }
        }
    }
}

fn deliver_all(url: &str, retry: Retry, rx: &Receiver<Summary>, metrics: &Metrics) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(retry.timeout))
        .http_status_as_error(false)
        .build()
        .into();
    while let Ok(summary) = rx.recv() {
        let body = serde_json::to_vec(&summary).expect("a summary always serialises");
        let mut delay = retry.first_delay;
        let mut delivered = false;
        for attempt in 1..=retry.attempts.max(1) {
            let result = agent
                .post(url)
                .header("content-type", "application/json")
                .send(&body[..]);
            match result {
                Ok(resp) if resp.status().is_success() => {
                    tracing::info!(id = summary.id, attempt, "webhook delivered");
                    delivered = true;
                    break;
                }
                Ok(resp) => tracing::warn!(
                    id = summary.id,
                    attempt,
                    status = resp.status().as_u16(),
                    "webhook refused"
                ),
                Err(e) => tracing::warn!(id = summary.id, attempt, error = %e, "webhook failed"),
            }
            if attempt < retry.attempts {
                std::thread::sleep(delay);
                delay = delay.saturating_mul(2);
            }
        }
        if delivered {
            metrics.webhook(Delivery::delivered);
        } else {
            metrics.webhook(Delivery::failed);
            tracing::error!(
                id = summary.id,
                attempts = retry.attempts,
                "webhook not delivered; giving up"
            );
        }
    }
}
