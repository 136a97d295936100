//! The listening socket and the connection loop.
//!
//! hyper serves each connection (HTTP/1.1) with a header read timeout, so a client that
//! trickles its headers is dropped; body rates are judged by [`crate::ingest`]. Shutdown stops
//! accepting, lets open requests finish for [`SHUTDOWN_GRACE`], then closes what is left
//! (an upload cut that way stores nothing).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::app::{self, App, Peer, Shared};
use crate::config::{Config, read_token};
use crate::error::{Error, Result};
use crate::metrics::Metrics;
use crate::store::Store;
use crate::webhook::Webhook;

/// How long open requests may run on after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// A server bound to its address, with its store open and rules compiled; [`Server::run`]
/// serves it.
pub struct Server {
    listener: TcpListener,
    local: SocketAddr,
    app: Shared,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("local", &self.local)
            .finish()
    }
}

impl Server {
    /// Checks the configuration, reads the token, opens (and cleans) the store, compiles the
    /// rules once for every analysis, starts the webhook thread and binds the socket.
    pub async fn bind(config: Config) -> Result<Server> {
        config.check()?;
        let token = match &config.token_file {
            Some(p) => Some(read_token(p)?),
            None => None,
        };
        let data = config.data.clone();
        let store = tokio::task::spawn_blocking(move || Store::open(&data))
            .await
            .map_err(|e| Error::Runtime(std::io::Error::other(e)))??;
        let dirs = config.rules.clone();
        let engine = tokio::task::spawn_blocking(move || {
            let dirs: Vec<&std::path::Path> = dirs.iter().map(|p| p.as_path()).collect();
            analyzer_core::rules::load(&dirs)
        })
        .await
        .map_err(|e| Error::Runtime(std::io::Error::other(e)))?
        .map_err(Error::Rules)?;
        let stored = store.count()?;
        let metrics = Arc::new(Metrics::new(stored));
        let webhook = config
            .webhook
            .clone()
            .map(|url| Webhook::start(url, config.webhook_retry, Arc::clone(&metrics)));
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: config.listen,
                source,
            })?;
        let local = listener.local_addr().map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
        if token.is_none() && !local.ip().is_loopback() {
            tracing::warn!(
                "no --token-file: anyone who reaches {local} can upload bundles and read every report"
            );
        }
        tracing::info!(
            "listening on http://{local} (data {}, {stored} analyses stored, at most {} at once)",
            config.data.display(),
            config.max_concurrent
        );
        let app = Arc::new(App {
            slots: Arc::new(Semaphore::new(config.max_concurrent)),
            config,
            token,
            store: Arc::new(store),
            engine: Arc::new(engine),
            metrics,
            webhook,
        });
        Ok(Server {
            listener,
            local,
            app,
        })
    }

    /// The address bound (the port chosen when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Serves until `shutdown` completes, then lets open requests finish (at most
    /// [`SHUTDOWN_GRACE`]).
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<()> {
        let router = app::router(Arc::clone(&self.app));
        let header_timeout = self.app.config.header_timeout;
        let graceful = GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(x) => x,
                        Err(e) => {
                            // Out of file descriptors and the like: wait, do not spin.
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let svc = router.clone().map_request(move |mut req: Request<Incoming>| {
                        req.extensions_mut().insert(Peer(peer));
                        req
                    });
                    let conn = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(header_timeout)
                        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(svc));
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        if let Err(e) = conn.await {
                            tracing::debug!(%peer, error = %e, "connection ended with an error");
                        }
                    });
                }
                () = &mut shutdown => break,
            }
        }
        drop(self.listener);
        tracing::info!("shutting down: no new connections");
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(SHUTDOWN_GRACE) => {
                tracing::warn!("requests still open after {} s; closing them", SHUTDOWN_GRACE.as_secs());
            }
        }
        Ok(())
    }
}

/// Runs the server until SIGINT or SIGTERM: builds the runtime, binds, serves. Blocking; for
/// `nodemortem serve`.
pub fn run(config: Config) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("serve")
        .build()
        .map_err(Error::Runtime)?;
    let result = rt.block_on(async {
        let server = Server::bind(config).await?;
        server.run(signal()).await
    });
    // Analyses of requests cut at shutdown end at their next check of the cancel token.
    rt.shutdown_timeout(Duration::from_secs(10));
    result
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM (systemd, container runtimes).
async fn signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received"),
        () = term => tracing::info!("SIGTERM received"),
    }
}
