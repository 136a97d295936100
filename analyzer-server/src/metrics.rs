//! `GET /metrics`: uploads, bytes, durations and failures in the Prometheus (OpenMetrics) text
//! format.

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// How an upload (or a re-analysis) ended.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum Outcome {
    /// Analysed and stored (`201`, or `200` for a re-analysis).
    stored,
    /// Past `--max-upload-bytes` (`413`).
    too_large,
    /// Nothing could be read (`422`).
    unreadable,
    /// The client sent too slowly (`408`).
    too_slow,
    /// The client went away before the end.
    aborted,
    /// All analysis slots were taken (`503`).
    busy,
    /// The server failed (`500`).
    failed,
}

/// How a webhook delivery ended.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum Delivery {
    /// The receiver answered 2xx.
    delivered,
    /// Every attempt failed.
    failed,
    /// The queue was full; the summary was not sent.
    dropped,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: Outcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabel {
    outcome: Delivery,
}

/// The server's metrics; cheap to update from any thread.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    uploads: Family<OutcomeLabel, Counter>,
    reanalyses: Family<OutcomeLabel, Counter>,
    upload_bytes: Counter,
    duration: Histogram,
    running: Gauge,
    stored: Gauge,
    webhooks: Family<DeliveryLabel, Counter>,
}

impl Metrics {
    /// Registers every metric; `stored` is the number of analyses already in the store.
    pub fn new(stored: u64) -> Metrics {
        let mut registry = Registry::with_prefix("nodemortem");
        let uploads = Family::<OutcomeLabel, Counter>::default();
        registry.register("uploads", "Uploads by outcome", uploads.clone());
        let reanalyses = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "reanalyses",
            "Re-analyses of kept bundles by outcome",
            reanalyses.clone(),
        );
        let upload_bytes = Counter::default();
        registry.register(
            "upload_bytes",
            "Bytes received in upload bodies, whatever the outcome",
            upload_bytes.clone(),
        );
        let duration = Histogram::new(exponential_buckets(0.05, 2.0, 14));
        registry.register(
            "analysis_duration_seconds",
            "Seconds from an upload's first byte to its analysis stored",
            duration.clone(),
        );
        let running = Gauge::default();
        registry.register("analyses_running", "Analyses running now", running.clone());
        let stored_g = Gauge::default();
        stored_g.set(stored as i64);
        registry.register("analyses_stored", "Analyses in the store", stored_g.clone());
        let webhooks = Family::<DeliveryLabel, Counter>::default();
        registry.register(
            "webhook_deliveries",
            "Webhook deliveries by outcome",
            webhooks.clone(),
        );
        Metrics {
            registry,
            uploads,
            reanalyses,
            upload_bytes,
            duration,
            running,
            stored: stored_g,
            webhooks,
        }
    }

    /// Counts an upload's end.
    pub fn upload(&self, outcome: Outcome, bytes: u64) {
        self.uploads.get_or_create(&OutcomeLabel { outcome }).inc();
        self.upload_bytes.inc_by(bytes);
        if outcome == Outcome::stored {
            self.stored.inc();
        }
    }

    /// Counts a re-analysis' end.
    pub fn reanalysis(&self, outcome: Outcome) {
        self.reanalyses
            .get_or_create(&OutcomeLabel { outcome })
            .inc();
    }

    /// Records the duration of a stored analysis.
    pub fn duration(&self, seconds: f64) {
        self.duration.observe(seconds);
    }

    /// One more analysis running; the guard counts it back down.
    pub fn running(&self) -> RunningGuard {
        self.running.inc();
        RunningGuard(self.running.clone())
    }

    /// Counts a webhook delivery's end.
    pub fn webhook(&self, outcome: Delivery) {
        self.webhooks
            .get_or_create(&DeliveryLabel { outcome })
            .inc();
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String does not fail");
        out
    }
}

/// Decrements the running gauge when dropped.
#[derive(Debug)]
pub struct RunningGuard(Gauge);

impl Drop for RunningGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_has_every_metric() {
        let m = Metrics::new(3);
        m.upload(Outcome::stored, 100);
        m.upload(Outcome::too_large, 50);
        m.duration(0.3);
        let g = m.running();
        let text = m.render();
        drop(g);
        for line in [
            "nodemortem_uploads_total{outcome=\"stored\"} 1",
            "nodemortem_uploads_total{outcome=\"too_large\"} 1",
            "nodemortem_upload_bytes_total 150",
            "nodemortem_analysis_duration_seconds_count 1",
            "nodemortem_analyses_running 1",
            "nodemortem_analyses_stored 4",
            "# EOF",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
        assert!(
            m.render()
                .lines()
                .any(|l| l == "nodemortem_analyses_running 0")
        );
    }
}
