//! What the server is told on its command line ([`Config`]) and the few checks made on it
//! before anything starts.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use analyzer_core::Limits;

use crate::error::{Error, Result};

/// How to run the server. [`Config::new`] gives the defaults of `nodemortem serve`.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on (`127.0.0.1:0` picks a free port, as the tests do).
    pub listen: SocketAddr,
    /// Directory of the database, kept bundles and upload temporaries; created if missing.
    pub data: PathBuf,
    /// File holding the bearer token; `None` serves everyone (put the server behind a proxy
    /// that authenticates, or on loopback).
    pub token_file: Option<PathBuf>,
    /// Largest upload, in bytes as received (compressed): past it the stream is cut and the
    /// answer is `413`.
    pub max_upload_bytes: u64,
    /// Most analyses running at once; an upload beyond them is answered `503` with `Retry-After`.
    pub max_concurrent: usize,
    /// URL to which a JSON summary is POSTed when an analysis is stored.
    pub webhook: Option<String>,
    /// Keep every upload's bytes under `DATA/bundles/ID` for `POST …/reanalyze`.
    pub keep_bundles: bool,
    /// Base URL of links in answers and webhooks (`https://nodemortem.example.com`); by default
    /// `http://` and the request's `Host` header.
    pub public_url: Option<String>,
    /// Extra rule directories, added to the built-in rules (as `analyze --rules`).
    pub rules: Vec<PathBuf>,
    /// Ingestion limits of every analysis (docs/security.md).
    pub limits: Limits,
    /// Time budget of one analysis; once spent the report is stored marked partial.
    pub analysis_timeout: Option<Duration>,
    /// Window over which an upload's rate is judged, counted in time spent waiting on the client.
    pub upload_window: Duration,
    /// Least bytes per second an upload must average over each [`upload_window`](Self::upload_window);
    /// a slower client is answered `408` and its connection closed.
    pub min_upload_rate: u64,
    /// Longest time a client may take to send a request's headers.
    pub header_timeout: Duration,
    /// Decompressed bytes in flight shared by all running analyses: each gets this divided by
    /// [`max_concurrent`](Self::max_concurrent), between 32 and 128 MiB
    /// (`analyzer_core::Options::max_in_flight`).
    pub memory_budget: u64,
    /// How webhooks are retried.
    pub webhook_retry: Retry,
}

/// Retry policy of webhook deliveries.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// Deliveries tried in all (the first and the retries).
    pub attempts: u32,
    /// Wait before the first retry; doubled before each next one.
    pub first_delay: Duration,
    /// Time allowed to one delivery (connect, send, answer).
    pub timeout: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 4,
            first_delay: Duration::from_secs(2),
            timeout: Duration::from_secs(10),
        }
    }
}

impl Config {
    /// The defaults of `nodemortem serve --data DATA`.
    pub fn new(data: impl Into<PathBuf>) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: data.into(),
            token_file: None,
            max_upload_bytes: 4 << 30,
            max_concurrent: 4,
            webhook: None,
            keep_bundles: false,
            public_url: None,
            rules: Vec::new(),
            limits: Limits::default(),
            analysis_timeout: None,
            upload_window: Duration::from_secs(30),
            min_upload_rate: 1024,
            header_timeout: Duration::from_secs(10),
            memory_budget: 256 << 20,
            webhook_retry: Retry::default(),
        }
    }

    /// `max_in_flight` of one analysis: the memory budget shared by the analyses allowed at once.
    pub fn in_flight_per_analysis(&self) -> u64 {
        (self.memory_budget / self.max_concurrent.max(1) as u64).clamp(32 << 20, 128 << 20)
    }

    /// Checks the values that can be wrong before anything is opened.
    pub(crate) fn check(&self) -> Result<()> {
        if self.max_concurrent == 0 {
            return Err(Error::Config {
                flag: "--max-concurrent",
                reason: "must be at least 1".into(),
            });
        }
        if self.max_upload_bytes == 0 {
            return Err(Error::Config {
                flag: "--max-upload-bytes",
                reason: "must be at least 1".into(),
            });
        }
        if self.upload_window.is_zero() {
            return Err(Error::Config {
                flag: "--upload-window",
                reason: "must be at least 1 second".into(),
            });
        }
        if let Some(url) = &self.webhook {
            check_url("--webhook", url)?;
        }
        if let Some(url) = &self.public_url {
            check_url("--public-url", url)?;
        }
        Ok(())
    }
}

/// An `http://` or `https://` URL with a host.
fn check_url(flag: &'static str, url: &str) -> Result<()> {
    let uri: axum::http::Uri = url.parse().map_err(|e| Error::Config {
        flag,
        reason: format!("{url:?} is not a URL: {e}"),
    })?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http" | "https"), Some(h)) if !h.is_empty() => Ok(()),
        _ => Err(Error::Config {
            flag,
            reason: format!("{url:?} is not an http:// or https:// URL with a host"),
        }),
    }
}

/// Reads the bearer token: the file's first line, trimmed. It must be visible ASCII without
/// `;`, `,`, `"` or `\` (it also travels in a cookie) and at least 16 characters long.
pub(crate) fn read_token(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Token {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let token = text.lines().next().unwrap_or("").trim();
    let bad = |reason: &str| Error::Token {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    if token.is_empty() {
        return Err(bad("the first line is empty"));
    }
    if token.len() < 16 {
        return Err(bad("the token is shorter than 16 characters"));
    }
    if !token
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'\\'))
    {
        return Err(bad(
            "the token must be visible ASCII without ';', ',', '\"' or '\\'",
        ));
    }
    Ok(token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_flight_is_shared_and_clamped() {
        let mut c = Config::new("d");
        assert_eq!(c.in_flight_per_analysis(), 64 << 20);
        c.max_concurrent = 8;
        assert_eq!(c.in_flight_per_analysis(), 32 << 20);
        c.max_concurrent = 64;
        assert_eq!(c.in_flight_per_analysis(), 32 << 20);
        c.max_concurrent = 1;
        assert_eq!(c.in_flight_per_analysis(), 128 << 20);
    }

    #[test]
    fn urls_are_checked() {
        assert!(check_url("--webhook", "https://tickets.example.com/hook").is_ok());
        assert!(check_url("--webhook", "http://127.0.0.1:9/x").is_ok());
        let e = check_url("--webhook", "ftp://example.com/").unwrap_err();
        assert_eq!(
            e.to_string(),
            "--webhook: \"ftp://example.com/\" is not an http:// or https:// URL with a host"
        );
        assert!(check_url("--webhook", "/relative").is_err());
        let mut c = Config::new("d");
        c.max_concurrent = 0;
        assert_eq!(
            c.check().unwrap_err().to_string(),
            "--max-concurrent: must be at least 1"
        );
    }

    #[test]
    fn token_file_rules() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("token");
        std::fs::write(&p, "  s3cr3t-token-0123456789abcdef \nsecond line\n").unwrap();
        assert_eq!(read_token(&p).unwrap(), "s3cr3t-token-0123456789abcdef");
        std::fs::write(&p, "\n").unwrap();
        assert_eq!(
            read_token(&p).unwrap_err().to_string(),
            format!("token file {}: the first line is empty", p.display())
        );
        std::fs::write(&p, "short").unwrap();
        assert!(
            read_token(&p)
                .unwrap_err()
                .to_string()
                .ends_with("shorter than 16 characters")
        );
        std::fs::write(&p, "0123456789abcdef;x").unwrap();
        assert!(read_token(&p).is_err());
        std::fs::write(&p, "0123456789 abcdef").unwrap();
        assert!(read_token(&p).is_err());
        let missing = dir.path().join("missing");
        assert!(
            read_token(&missing)
                .unwrap_err()
                .to_string()
                .starts_with(&format!("token file {}: ", missing.display()))
        );
    }
}
