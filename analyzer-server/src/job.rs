//! One analysis on a blocking thread: the bundle read from an upload as it arrives (or from a
//! kept bundle), the report and its HTML page, and the row stored.
//!
//! The HTML page is rendered here, from [`analyzer_core::analysis::Analysed`] (the wait-for
//! graphs and process trees need the dump analyses and host state, which the JSON report does
//! not hold), and stored beside the report: the page a user opens is the page `analyze
//! --format html` would have written at that time. A re-analysis renders it again.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use analyzer_core::analysis::{Analysed, Options, analyze_detailed};
use analyzer_core::{Bundle, CancelToken};

use crate::app::App;
use crate::ingest::Inlet;
use crate::store::{NewAnalysis, TopFinding};
use crate::webhook;

/// How a job ended.
#[derive(Debug)]
pub enum Done {
    /// Stored under this id.
    Stored(i64),
    /// Nothing could be read: the reason, naming the upload and offsets.
    Unreadable(String),
    /// The upload failed (too large, too slow, aborted) or the client went away: nothing stored.
    Discarded,
    /// The server failed (store, disk).
    Failed(String),
}

/// What the upload handler knows of an upload.
#[derive(Debug)]
pub struct Upload {
    /// Display name (sanitised, never a path on this machine).
    pub name: String,
    /// The node.
    pub host: Option<String>,
    /// When its first byte came.
    pub received: jiff::Timestamp,
    /// The same, for durations.
    pub started: Instant,
    /// Base of absolute links (for the webhook).
    pub base_url: String,
    /// Cancelled when the client goes away or the upload fails.
    pub cancel: CancelToken,
    /// Who sent it, for logs.
    pub peer: String,
}

/// The analysis options of the server.
pub fn options(app: &App, cancel: CancelToken) -> Options {
    Options {
        limits: app.config.limits.clone(),
        timeout: app.config.analysis_timeout,
        max_in_flight: app.config.in_flight_per_analysis(),
        cancel: Some(cancel),
        ..Options::default()
    }
}

/// Analyses an upload as it arrives and stores it. Blocking.
pub fn upload(app: &Arc<App>, up: &Upload, inlet: Inlet) -> Done {
    let bundle = Bundle::from_reader(up.name.clone(), inlet.clone());
    let result = analyze_detailed(&bundle, &options(app, up.cancel.clone()), &app.engine);
    drop(bundle);
    // The rest of the body (what a limit left unread) is still received and kept; an upload
    // that failed fails here, and what the pump logged is all there is to say.
    let (kept, bytes) = match inlet.finish() {
        Ok(kept) => kept,
        // Cut by the pump (size, rate, lost connection): it has counted and logged it.
        Err(e) if crate::ingest::is_upload_failure(&e) => {
            tracing::debug!(name = %up.name, error = %e, "upload discarded");
            return Done::Discarded;
        }
        // Keeping the bytes failed (disk full): the server's fault.
        Err(e) => {
            tracing::error!(name = %up.name, error = %e, "keeping the upload failed");
            app.metrics.upload(crate::metrics::Outcome::failed, 0);
            return Done::Failed(format!("keeping the upload: {e}"));
        }
    };
    let discard = |kept: &Option<std::path::PathBuf>| {
        if let Some(p) = kept {
            let _ = std::fs::remove_file(p);
        }
    };
    if up.cancel.is_cancelled() {
        discard(&kept);
        tracing::warn!(name = %up.name, peer = %up.peer, "client went away during the analysis; nothing stored");
        app.metrics.upload(crate::metrics::Outcome::aborted, bytes);
        return Done::Discarded;
    }
    let analysed = match result {
        Ok(a) => a,
        Err(analyzer_core::Error::NothingReadable { reason }) => {
            discard(&kept);
            return unreadable(app, up, bytes, reason);
        }
        Err(e) => {
            discard(&kept);
            tracing::error!(name = %up.name, error = %e, "analysis failed");
            app.metrics.upload(crate::metrics::Outcome::failed, bytes);
            return Done::Failed(e.to_string());
        }
    };
    if analysed.report.stats.members == 0 {
        discard(&kept);
        let reason = analysed
            .report
            .warnings
            .iter()
            .map(|w| match w.offset {
                Some(o) => format!("{} at offset {o}: {}", w.path, w.message),
                None => format!("{}: {}", w.path, w.message),
            })
            .collect::<Vec<_>>()
            .join("; ");
        return unreadable(app, up, bytes, reason);
    }
    let html = analyzer_core::report::html::render(&analysed.report, &(&analysed).into());
    let duration = up.started.elapsed();
    let stored = app.store.insert(&NewAnalysis {
        name: &up.name,
        host: up.host.as_deref(),
        size: bytes,
        received: up.received,
        duration,
        report: &analysed.report,
        html: &html,
        bundle: kept.as_deref(),
    });
    match stored {
        Ok(id) => {
            app.metrics.upload(crate::metrics::Outcome::stored, bytes);
            app.metrics.duration(duration.as_secs_f64());
            let top = analysed.report.findings.first();
            tracing::info!(
                id,
                name = %up.name,
                host = up.host.as_deref().unwrap_or("-"),
                peer = %up.peer,
                bytes,
                findings = analysed.report.findings.len(),
                top = top.map_or("-", |f| f.rule.as_str()),
                seconds = format!("{:.2}", duration.as_secs_f64()),
                partial = analysed.report.stats.partial,
                "analysis stored"
            );
            notify(app, "analysis.stored", id, up, &analysed, &up.base_url);
            Done::Stored(id)
        }
        Err(e) => {
            discard(&kept);
            tracing::error!(name = %up.name, error = %e, "storing the analysis failed");
            app.metrics.upload(crate::metrics::Outcome::failed, bytes);
            Done::Failed(e.to_string())
        }
    }
}

fn unreadable(app: &App, up: &Upload, bytes: u64, reason: String) -> Done {
    tracing::warn!(name = %up.name, peer = %up.peer, bytes, %reason, "422: nothing could be read");
    app.metrics
        .upload(crate::metrics::Outcome::unreadable, bytes);
    Done::Unreadable(reason)
}

/// Analyses a kept bundle again with the current rules and replaces the stored report.
/// Blocking.
pub fn reanalyze(
    app: &Arc<App>,
    id: i64,
    name: &str,
    path: &Path,
    base_url: &str,
) -> io::Result<Result<Duration, String>> {
    let started = Instant::now();
    let file = std::fs::File::open(path)?;
    let bundle = Bundle::from_reader(
        name.to_string(),
        io::BufReader::with_capacity(1 << 20, file),
    );
    let analysed = match analyze_detailed(&bundle, &options(app, CancelToken::new()), &app.engine) {
        Ok(a) => a,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let html = analyzer_core::report::html::render(&analysed.report, &(&analysed).into());
    let duration = started.elapsed();
    match app
        .store
        .replace_report(id, duration, &analysed.report, &html)
    {
        Ok(true) => {}
        Ok(false) => return Ok(Err(format!("no analysis {id}"))),
        Err(e) => return Ok(Err(e.to_string())),
    }
    tracing::info!(
        id,
        name,
        findings = analysed.report.findings.len(),
        seconds = format!("{:.2}", duration.as_secs_f64()),
        "analysis re-run"
    );
    if let Ok(Some(s)) = app.store.summary(id) {
        let up = Upload {
            name: s.name,
            host: s.host,
            received: s
                .received
                .parse()
                .unwrap_or_else(|_| jiff::Timestamp::now()),
            started,
            base_url: base_url.to_string(),
            cancel: CancelToken::new(),
            peer: String::new(),
        };
        notify(app, "analysis.reanalyzed", id, &up, &analysed, base_url);
    }
    Ok(Ok(duration))
}

fn notify(app: &App, event: &'static str, id: i64, up: &Upload, a: &Analysed, base: &str) {
    let Some(hook) = &app.webhook else { return };
    hook.send(webhook::Summary {
        event,
        id,
        name: up.name.clone(),
        host: up.host.clone(),
        url: format!("{base}/analyses/{id}"),
        api_url: format!("{base}/api/v1/analyses/{id}"),
        received: up.received.to_string(),
        partial: a.report.stats.partial,
        findings: a
            .report
            .findings
            .iter()
            .take(5)
            .map(|f| TopFinding {
                rule: f.rule.clone(),
                severity: f.severity.name().to_string(),
                score: f.score,
                title: f.title.clone(),
                summary: f.summary.clone(),
            })
            .collect(),
    });
}
