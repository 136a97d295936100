//! The JSON API (`/api/v1/…`), `/healthz` and `/metrics`.
//!
//! An upload answers, once the analysis is stored, `201 {"id", "url", "api_url"}`. Failures
//! answer `{"error": "…"}` with `413` (past `--max-upload-bytes`: the stream is cut, nothing
//! stored), `408` (the client sent too slowly), `422` (nothing could be read; the reason names
//! the upload and offsets), `503` with `Retry-After` (every analysis slot taken), `400` (a bad
//! parameter). Reports are the JSON of `analyze --format json`.

use std::sync::Arc;
use std::time::Instant;

use analyzer_core::CancelToken;
use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::app::{Peer, Shared, base_url, blocking, json_error};
use crate::ingest::{self, Outcome, PumpLimits, Watch};
use crate::job::{self, Done, Upload};
use crate::metrics;
use crate::store::{ListQuery, Summary};

/// Seconds a client is told to wait when every analysis slot is taken.
pub const RETRY_AFTER_SECS: u64 = 10;

/// Default and largest `limit` of a listing.
const LIMIT_DEFAULT: u32 = 50;
const LIMIT_MAX: u32 = 1000;

/// Parameters of an upload.
#[derive(Debug, Deserialize)]
pub struct UploadParams {
    /// Name of the bundle (its suffix may tell the format); only its last path component is
    /// kept, and it never becomes a file name on the server.
    pub name: Option<String>,
    /// The node the bundle comes from.
    pub host: Option<String>,
}

/// `POST /api/v1/analyses`: streams the body into an analysis and stores it.
pub async fn create(
    State(app): State<Shared>,
    Extension(Peer(peer)): Extension<Peer>,
    Query(params): Query<UploadParams>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let name = upload_name(params.name.as_deref());
    let host = match params
        .host
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
    {
        Some(h) => match check_host(h) {
            Ok(h) => Some(h),
            Err(msg) => return json_error(StatusCode::BAD_REQUEST, msg),
        },
        None => host_from_name(&name),
    };
    let label = format!("{name:?} from {peer}");
    let max = app.config.max_upload_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if let Some(len) = declared.filter(|&len| len > max) {
        app.metrics.upload(metrics::Outcome::too_large, 0);
        tracing::warn!(
            "413: upload {label} declares {len} bytes, above the limit of {max}; not read"
        );
        drain_unless_expecting(&headers, body, max);
        return closing(json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("upload of {len} bytes is larger than the limit of {max} bytes"),
        ));
    }
    let Ok(permit) = Arc::clone(&app.slots).try_acquire_owned() else {
        app.metrics.upload(metrics::Outcome::busy, 0);
        tracing::warn!(
            "503: upload {label} refused, {} analyses running",
            app.config.max_concurrent
        );
        drain_unless_expecting(&headers, body, max);
        let mut resp = closing(json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "{} analyses are running, the most allowed; retry in {RETRY_AFTER_SECS} s",
                app.config.max_concurrent
            ),
        ));
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        return resp;
    };
    let now = jiff::Timestamp::now();
    let up = Upload {
        name,
        host,
        received: jiff::Timestamp::from_millisecond(now.as_millisecond()).unwrap_or(now),
        started: Instant::now(),
        base_url: base_url(&app, &headers),
        cancel: CancelToken::new(),
        peer: peer.to_string(),
    };
    // The handler is dropped when the client goes away: the analysis then stops.
    let _cancel_on_drop = CancelOnDrop(up.cancel.clone());
    let limits = PumpLimits {
        max_bytes: max,
        window: app.config.upload_window,
        min_rate: app.config.min_upload_rate,
    };
    let tee = app.config.keep_bundles.then(|| app.store.temp_path());
    let watch = Watch {
        metrics: Arc::clone(&app.metrics),
        label,
    };
    let (inlet, outcome) = match ingest::start(body, limits, up.cancel.clone(), tee, watch) {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(error = %e, "cannot create the upload's temporary file");
            return json_error(StatusCode::INTERNAL_SERVER_ERROR, "cannot keep the upload");
        }
    };
    let base = up.base_url.clone();
    let worker = Arc::clone(&app);
    let job = tokio::task::spawn_blocking(move || {
        let _slot = permit;
        let _running = worker.metrics.running();
        job::upload(&worker, &up, inlet)
    });
    let outcome = outcome.await.unwrap_or(Outcome::Aborted { bytes: 0 });
    if !matches!(outcome, Outcome::Complete { .. }) {
        // The analysis sees the cut at once and ends; its temporary file is gone before the
        // client hears that nothing was stored.
        let _ = job.await;
        return cut(&app, outcome);
    }
    match job.await {
        Ok(Done::Stored(id)) => {
            let mut resp = (
                StatusCode::CREATED,
                Json(serde_json::json!({
                    "id": id,
                    "url": format!("{base}/analyses/{id}"),
                    "api_url": format!("{base}/api/v1/analyses/{id}"),
                })),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/analyses/{id}")) {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            resp
        }
        Ok(Done::Unreadable(reason)) => json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("nothing could be read: {reason}"),
        ),
        Ok(Done::Discarded) => json_error(StatusCode::BAD_REQUEST, "upload failed; nothing stored"),
        Ok(Done::Failed(e)) => json_error(StatusCode::INTERNAL_SERVER_ERROR, e),
        Err(e) => {
            tracing::error!(error = %e, "analysis task failed");
            app.metrics.upload(metrics::Outcome::failed, 0);
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "analysis failed")
        }
    }
}

/// Cancels the token when dropped (the request future dropped: the client went away).
struct CancelOnDrop(CancelToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// The answer to an upload cut before its end: too large, too slow or abandoned.
fn cut(app: &Shared, outcome: Outcome) -> Response {
    match outcome {
        Outcome::TooLarge { limit } => closing(json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("upload larger than the limit of {limit} bytes; cut there, nothing stored"),
        )),
        Outcome::TooSlow { bytes } => closing(json_error(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "upload too slow: {bytes} bytes received, less than {} bytes/s over {} s; nothing stored",
                app.config.min_upload_rate,
                app.config.upload_window.as_secs()
            ),
        )),
        Outcome::Complete { .. } | Outcome::Aborted { .. } => {
            json_error(StatusCode::BAD_REQUEST, "upload aborted; nothing stored")
        }
    }
}

/// After an answer given without reading the body: a client that sent `Expect: 100-continue`
/// waits for the go-ahead and never sends the body (reading it would send `100 Continue`); any
/// other client is sending it now, so it is read and dropped for a while, bounded, so that the
/// client reads the answer rather than a reset connection.
fn drain_unless_expecting(headers: &HeaderMap, body: Body, max_bytes: u64) {
    let expecting = headers
        .get(header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    if !expecting {
        tokio::spawn(ingest::drain(body, max_bytes));
    }
}

/// Marks an answer given before the body was read whole: the connection is closed after it.
fn closing(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// The display name of an upload: the last path component of `name`, control characters
/// dropped, at most 200 characters; `upload` when nothing is left.
pub fn upload_name(name: Option<&str>) -> String {
    let last = name.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim();
    if clean.is_empty() || clean == "." || clean == ".." {
        "upload".to_string()
    } else {
        clean.to_string()
    }
}

/// A node name given with an upload: letters, digits, `.`, `-`, `_`, at most 253 characters.
pub fn check_host(h: &str) -> Result<String, String> {
    if h.len() <= 253
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_".contains(&b))
    {
        Ok(h.to_string())
    } else {
        Err(format!(
            "host {h:?}: letters, digits, '.', '-' and '_' only, at most 253 characters"
        ))
    }
}

/// The node named in a sosreport's file name: sos names its archives
/// `sosreport-HOST[-CASE]-YYYY-MM-DD-RANDOM.tar.xz` (sos 4) or `sosreport-HOST[.CASE]-YYYYMMDDhhmmss…`
/// (sos 3); HOST is what stands before the date, less a numeric case id.
pub fn host_from_name(name: &str) -> Option<String> {
    let rest = name.strip_prefix("sosreport-")?;
    let parts: Vec<&str> = rest.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let date_at = (0..parts.len()).find(|&i| {
        (digits(parts[i], 4)
            && parts.get(i + 1).is_some_and(|m| digits(m, 2))
            && parts
                .get(i + 2)
                .is_some_and(|d| d.len() >= 2 && digits(&d[..2], 2)))
            || (parts[i].len() >= 8
                && parts[i].bytes().take(8).all(|b| b.is_ascii_digit())
                && (parts[i].starts_with("19") || parts[i].starts_with("20")))
    })?;
    let mut host: Vec<&str> = parts[..date_at].to_vec();
    if host.len() > 1
        && host
            .last()
            .is_some_and(|c| c.len() >= 5 && c.bytes().all(|b| b.is_ascii_digit()))
    {
        host.pop();
    }
    let mut host = host.join("-");
    if let Some((h, case)) = host.rsplit_once('.') {
        if case.len() >= 5 && case.bytes().all(|b| b.is_ascii_digit()) {
            host = h.to_string();
        }
    }
    check_host(&host).ok().filter(|h| !h.is_empty())
}

/// An analysis as listed: its summary and links.
#[derive(Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    url: String,
    api_url: String,
}

fn listed<'a>(s: &'a Summary, base: &str) -> Listed<'a> {
    Listed {
        summary: s,
        url: format!("{base}/analyses/{}", s.id),
        api_url: format!("{base}/api/v1/analyses/{}", s.id),
    }
}

/// Filters of `GET /api/v1/analyses` (and of the front page).
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    /// Only analyses where this rule fired (as a root cause or a consequence).
    pub rule: Option<String>,
    /// Only this node.
    pub host: Option<String>,
    /// Only uploads received at or after this time: RFC 3339 (`2026-11-01T08:00:00Z`) or a
    /// date (`2026-11-01`, midnight UTC).
    pub since: Option<String>,
    /// At most this many (default 50, at most 1000).
    pub limit: Option<String>,
}

impl ListParams {
    /// The store query, or a message naming the bad parameter.
    pub fn query(&self) -> Result<ListQuery, String> {
        let nonempty = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let since = match nonempty(&self.since) {
            None => None,
            Some(s) => Some(parse_since(&s)?),
        };
        let limit = match nonempty(&self.limit) {
            None => LIMIT_DEFAULT,
            Some(l) => match l.parse::<u32>() {
                Ok(n) if (1..=LIMIT_MAX).contains(&n) => n,
                _ => return Err(format!("limit {l:?}: a number from 1 to {LIMIT_MAX}")),
            },
        };
        Ok(ListQuery {
            rule: nonempty(&self.rule),
            host: nonempty(&self.host),
            since,
            limit,
        })
    }
}

fn parse_since(s: &str) -> Result<jiff::Timestamp, String> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    s.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| {
            format!("since {s:?}: an RFC 3339 time (2026-11-01T08:00:00Z) or a date (2026-11-01)")
        })
}

/// `GET /api/v1/analyses`: past analyses, newest first, with their top finding.
pub async fn list(
    State(app): State<Shared>,
    Query(params): Query<ListParams>,
    headers: HeaderMap,
) -> Response {
    let q = match params.query() {
        Ok(q) => q,
        Err(msg) => return json_error(StatusCode::BAD_REQUEST, msg),
    };
    let store = Arc::clone(&app.store);
    let rows = match blocking(move || store.list(&q)).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let base = base_url(&app, &headers);
    let items: Vec<Listed<'_>> = rows.iter().map(|s| listed(s, &base)).collect();
    Json(serde_json::json!({ "analyses": items })).into_response()
}

/// Parses an id of the path; `None` for anything but a positive integer.
pub fn parse_id(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|&n| n > 0)
}

/// `GET /api/v1/analyses/{id}`: metadata and the report.
pub async fn get(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(n) = parse_id(&id) else {
        return json_error(StatusCode::NOT_FOUND, format!("no analysis {id:?}"));
    };
    let store = Arc::clone(&app.store);
    let stored = match blocking(move || store.get(n)).await {
        Ok(Some(s)) => s,
        Ok(None) => return json_error(StatusCode::NOT_FOUND, format!("no analysis {n}")),
        Err(resp) => return resp,
    };
    #[derive(Serialize)]
    struct Full<'a> {
        #[serde(flatten)]
        listed: Listed<'a>,
        report: &'a RawValue,
    }
    let report: &RawValue = match serde_json::from_str(&stored.report) {
        Ok(r) => r,
        Err(e) => {
            return json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("stored report of {n} is not JSON: {e}"),
            );
        }
    };
    let base = base_url(&app, &headers);
    Json(Full {
        listed: listed(&stored.summary, &base),
        report,
    })
    .into_response()
}

/// `POST /api/v1/analyses/{id}/reanalyze`: analyses the kept bundle again with the current
/// rules; `409` when the bundle was not kept.
pub async fn reanalyze(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(n) = parse_id(&id) else {
        return json_error(StatusCode::NOT_FOUND, format!("no analysis {id:?}"));
    };
    let store = Arc::clone(&app.store);
    let summary = match blocking(move || store.summary(n)).await {
        Ok(Some(s)) => s,
        Ok(None) => return json_error(StatusCode::NOT_FOUND, format!("no analysis {n}")),
        Err(resp) => return resp,
    };
    if !summary.bundle_kept {
        return json_error(
            StatusCode::CONFLICT,
            format!("analysis {n} has no kept bundle (the server ran without --keep-bundles)"),
        );
    }
    let Ok(permit) = Arc::clone(&app.slots).try_acquire_owned() else {
        app.metrics.reanalysis(metrics::Outcome::busy);
        let mut resp = json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "{} analyses are running, the most allowed; retry in {RETRY_AFTER_SECS} s",
                app.config.max_concurrent
            ),
        );
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        return resp;
    };
    let base = base_url(&app, &headers);
    let worker = Arc::clone(&app);
    let path = app.store.bundle_path(n);
    let name = summary.name.clone();
    let hook_base = base.clone();
    let ran = tokio::task::spawn_blocking(move || {
        let _slot = permit;
        let _running = worker.metrics.running();
        job::reanalyze(&worker, n, &name, &path, &hook_base)
    })
    .await;
    match ran {
        Ok(Ok(Ok(_))) => {
            app.metrics.reanalysis(metrics::Outcome::stored);
        }
        Ok(Ok(Err(msg))) => {
            app.metrics.reanalysis(metrics::Outcome::failed);
            tracing::error!(id = n, error = %msg, "re-analysis failed");
            return json_error(StatusCode::INTERNAL_SERVER_ERROR, msg);
        }
        Ok(Err(e)) => {
            app.metrics.reanalysis(metrics::Outcome::failed);
            tracing::error!(id = n, error = %e, "kept bundle unreadable");
            return json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("kept bundle of analysis {n}: {e}"),
            );
        }
        Err(e) => {
            app.metrics.reanalysis(metrics::Outcome::failed);
            tracing::error!(id = n, error = %e, "re-analysis task failed");
            return json_error(StatusCode::INTERNAL_SERVER_ERROR, "re-analysis failed");
        }
    }
    let store = Arc::clone(&app.store);
    match blocking(move || store.summary(n)).await {
        Ok(Some(s)) => Json(listed(&s, &base)).into_response(),
        Ok(None) => json_error(StatusCode::NOT_FOUND, format!("no analysis {n}")),
        Err(resp) => resp,
    }
}

/// `GET /healthz`: `ok` while the server runs and its database answers.
pub async fn healthz(State(app): State<Shared>) -> Response {
    let store = Arc::clone(&app.store);
    match blocking(move || store.count()).await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response(),
    }
}

/// `GET /metrics`: Prometheus (OpenMetrics) text.
pub async fn metrics(State(app): State<Shared>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_only_their_last_component() {
        assert_eq!(upload_name(None), "upload");
        assert_eq!(upload_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(
            upload_name(Some("C:\\fakepath\\node1.tar.xz")),
            "node1.tar.xz"
        );
        assert_eq!(upload_name(Some("..")), "upload");
        assert_eq!(upload_name(Some("a/")), "upload");
        assert_eq!(upload_name(Some("bad\u{0}\nname.log")), "badname.log");
        assert_eq!(upload_name(Some(&"x".repeat(500))).len(), 200);
    }

    #[test]
    fn host_from_sos_names() {
        for (name, host) in [
            ("sosreport-node1-2020-08-20-abcdef.tar.xz", Some("node1")),
            (
                "sosreport-worker-3-2020-08-20-qzxwv.tar.xz",
                Some("worker-3"),
            ),
            (
                "sosreport-node1-01234567-2021-01-02-abc.tar.xz",
                Some("node1"),
            ),
            (
                "sosreport-node7.123456-20200715101222.tar.bz2",
                Some("node7"),
            ),
            (
                "sosreport-k8s-node-2-20200715101222.tar.xz",
                Some("k8s-node-2"),
            ),
            ("node1-messages.gz", None),
            ("sosreport-2020-08-20.tar.xz", None),
            ("sosreport-nodate.tar.xz", None),
        ] {
            assert_eq!(host_from_name(name).as_deref(), host, "{name}");
        }
    }

    #[test]
    fn list_parameters() {
        let p = ListParams {
            rule: Some(" oom-kill ".into()),
            host: Some("".into()),
            since: Some("2026-11-01".into()),
            limit: Some("5".into()),
        };
        let q = p.query().unwrap();
        assert_eq!(q.rule.as_deref(), Some("oom-kill"));
        assert_eq!(q.host, None);
        assert_eq!(q.since.unwrap().to_string(), "2026-11-01T00:00:00Z");
        assert_eq!(q.limit, 5);
        let q = ListParams {
            since: Some("2026-11-01T08:30:00+01:00".into()),
            ..ListParams::default()
        }
        .query()
        .unwrap();
        assert_eq!(q.since.unwrap().to_string(), "2026-11-01T07:30:00Z");
        assert_eq!(q.limit, 50);
        for (p, msg) in [
            (
                ListParams {
                    limit: Some("0".into()),
                    ..ListParams::default()
                },
                "limit \"0\": a number from 1 to 1000",
            ),
            (
                ListParams {
                    since: Some("yesterday".into()),
                    ..ListParams::default()
                },
                "since \"yesterday\": an RFC 3339 time (2026-11-01T08:00:00Z) or a date (2026-11-01)",
            ),
        ] {
            assert_eq!(p.query().unwrap_err(), msg);
        }
    }

    #[test]
    fn hosts_are_checked() {
        assert_eq!(
            check_host("node-1.example.com").unwrap(),
            "node-1.example.com"
        );
        assert!(check_host("node 1").is_err());
        assert!(check_host("<script>").is_err());
    }
}
