//! The application: shared state, the routes, authentication and the helpers every handler
//! uses.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /` | upload form and the recent analyses ([`crate::pages`]) |
//! | `GET /analyses/{id}` | the HTML report |
//! | `GET, POST /login` | the token form (with `--token-file`) |
//! | `POST /api/v1/analyses[?name=&host=]` | upload a bundle ([`crate::api`]) |
//! | `GET /api/v1/analyses?rule=&host=&since=&limit=` | past analyses, newest first |
//! | `GET /api/v1/analyses/{id}` | metadata and report |
//! | `POST /api/v1/analyses/{id}/reanalyze` | analyse a kept bundle again |
//! | `GET /healthz` | liveness, never behind the token |
//! | `GET /metrics` | Prometheus text |

use std::net::SocketAddr;
use std::sync::Arc;

use analyzer_core::rules::Engine;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::webhook::Webhook;
use crate::{api, pages};

/// Name of the cookie the token form sets.
pub const COOKIE: &str = "nodemortem_token";

/// What every handler shares.
pub struct App {
    /// The configuration.
    pub config: Config,
    /// The bearer token, with `--token-file`.
    pub token: Option<String>,
    /// The database and bundles.
    pub store: Arc<Store>,
    /// Built-in (and `--rules`) rules, compiled once.
    pub engine: Arc<Engine>,
    /// One permit per analysis allowed at once.
    pub slots: Arc<Semaphore>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// The webhook thread, with `--webhook`.
    pub webhook: Option<Webhook>,
}

/// The state handlers get.
pub type Shared = Arc<App>;

/// The client's address, set on each request by the connection loop.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

/// Every route, with authentication in front.
pub fn router(app: Shared) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/analyses/{id}", get(pages::report))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/api/v1/analyses", post(api::create).get(api::list))
        .route("/api/v1/analyses/{id}", get(api::get))
        .route("/api/v1/analyses/{id}/reanalyze", post(api::reanalyze))
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(api::metrics))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            authenticate,
        ))
        .with_state(app)
}

async fn not_found(method: Method, uri: axum::http::Uri) -> Response {
    json_error(
        StatusCode::NOT_FOUND,
        format!("no route for {method} {}", uri.path()),
    )
}

/// With a token, lets through only requests that carry it (`Authorization: Bearer` or the
/// cookie of the token form); `/healthz` and the token form are open. Answers `401`: JSON for
/// the API, the token form for pages.
async fn authenticate(State(app): State<Shared>, req: Request, next: Next) -> Response {
    let Some(token) = &app.token else {
        return next.run(req).await;
    };
    let path = req.uri().path();
    if path == "/healthz" || path == "/login" {
        return next.run(req).await;
    }
    if presented(req.headers()).is_some_and(|t| bool::from(t.as_bytes().ct_eq(token.as_bytes()))) {
        return next.run(req).await;
    }
    let peer = req.extensions().get::<Peer>().map(|p| p.0);
    tracing::warn!(peer = ?peer, method = %req.method(), path, "401: missing or wrong token");
    if req.method() == Method::GET && !path.starts_with("/api/") && path != "/metrics" {
        let next_path = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let mut resp = pages::login_page(&next_path, None).into_response();
        *resp.status_mut() = StatusCode::UNAUTHORIZED;
        return resp;
    }
    let mut resp = json_error(
        StatusCode::UNAUTHORIZED,
        "missing or wrong token: send Authorization: Bearer <token>",
    );
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"nodemortem\""),
    );
    resp
}

/// The token a request carries: the bearer token, else the cookie.
fn presented(headers: &HeaderMap) -> Option<&str> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, rest) = v.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v)
}

/// True when `candidate` is the server's token (constant time).
pub fn token_matches(app: &App, candidate: &str) -> bool {
    app.token
        .as_ref()
        .is_some_and(|t| bool::from(candidate.as_bytes().ct_eq(t.as_bytes())))
}

/// `{"error": message}` with `status`.
pub fn json_error(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": message.into() })),
    )
        .into_response()
}

/// Base of absolute links: `--public-url`, else `http://` and the request's `Host`.
pub fn base_url(app: &App, headers: &HeaderMap) -> String {
    if let Some(u) = &app.config.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(|| app.config.listen.to_string());
    format!("http://{host}")
}

/// True when links are https (a `--public-url` starting so): the cookie is then `Secure`.
pub fn is_https(app: &App) -> bool {
    app.config
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"))
}

/// Runs a store call (or any blocking work) off the async workers; a failure becomes a logged
/// `500`.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> Result<T, Response> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "store failure");
            Err(json_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
        }
        Err(e) => {
            tracing::error!(error = %e, "store task failed");
            Err(json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_then_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(presented(&h), None);
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; nodemortem_token=abc; c=d"),
        );
        assert_eq!(presented(&h), Some("abc"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer  xyz "),
        );
        assert_eq!(presented(&h), Some("xyz"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic xyz"));
        assert_eq!(presented(&h), None);
    }
}
