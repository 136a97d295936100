/*!
The nodemortem upload service (`nodemortem serve`): support engineers and ticket tooling upload
a bundle over HTTP, read the report, link it from a ticket, and find the other cases that had
the same cause.

* An upload is streamed into [`analyzer_core`] as it arrives ([`ingest`]): never buffered
  whole, never extracted; `--max-upload-bytes`, slow clients and lost connections cut it and
  stop the analysis; nothing is stored but complete analyses.
* Reports are stored in an embedded SQLite database under `--data` ([`store`]), one
  transaction per analysis, with the rendered HTML page and the rules that fired.
* The JSON API ([`api`]), the pages ([`pages`]), bearer-token authentication ([`app`]),
  Prometheus metrics ([`metrics`]) and a webhook for ticket tooling ([`webhook`]).

The library holds no HTTP: this crate is the only place that does. `docs/server.md` tells how
to run it behind a reverse proxy, back it up and run it under systemd or in a container.

```no_run
use analyzer_server::{Config, Server};

# async fn demo() -> Result<(), analyzer_server::Error> {
let mut config = Config::new("/var/lib/nodemortem");
config.listen = "127.0.0.1:0".parse().unwrap();
let server = Server::bind(config).await?;
println!("http://{}", server.local_addr());
server.run(std::future::pending()).await
# }
```
*/

#![warn(missing_docs)]

pub mod api;
pub mod app;
pub mod config;
pub mod error;
pub mod ingest;
pub mod job;
pub mod metrics;
pub mod pages;
pub mod server;
pub mod store;
pub mod webhook;

pub use config::{Config, Retry};
pub use error::{Error, Result};
pub use server::{Server, run};

/// Logs to standard error (`RUST_LOG` filters; `info` by default, `warn` when `quiet`).
/// For the binary; a library user installs its own subscriber.
pub fn log_to_stderr(quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if quiet { "warn" } else { "info" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
