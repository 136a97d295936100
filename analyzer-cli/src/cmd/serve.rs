//! `nodemortem serve`: the upload service (`analyzer_server`) — upload a bundle, read the
//! report, find past cases. This module only turns flags into an [`analyzer_server::Config`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::Global;
use crate::limits::parse_size;

/// Arguments of `nodemortem serve`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  nodemortem serve --data /var/lib/nodemortem\n  nodemortem serve --listen 0.0.0.0:8080 --data /srv/nodemortem --token-file /etc/nodemortem/token \\\n      --public-url https://nodemortem.example.com --webhook https://tickets.example.com/hooks/nodemortem --keep-bundles\n  curl --data-binary @sosreport-node1.tar.xz 'http://127.0.0.1:8080/api/v1/analyses?name=sosreport-node1.tar.xz'\n\nSee docs/server.md: the API, a reverse proxy, backups, a systemd unit and a container image."
)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory of the database and kept bundles (created if missing).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// File whose first line is the bearer token every request but /healthz must carry.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Largest upload (as sent, compressed); past it the stream is cut and the answer is 413.
    #[arg(long, value_name = "BYTES", value_parser = parse_size, default_value = "4G")]
    pub max_upload_bytes: u64,
    /// Most analyses running at once; more uploads are answered 503 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub max_concurrent: usize,
    /// POST a JSON summary to this URL when an analysis is stored (retried, never blocking).
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// Keep uploaded bytes under DIR/bundles for POST /api/v1/analyses/ID/reanalyze.
    #[arg(long)]
    pub keep_bundles: bool,
    /// Base URL of links in answers and webhooks (default: http:// and the request's Host).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Extra rule directory (`*.toml`), added to the built-in rules.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Time budget of one analysis in seconds; past it the report is stored marked partial.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Window over which an upload must keep up --min-upload-rate (seconds).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub upload_window: u64,
    /// Least average upload rate over each window; slower uploads are cut with 408.
    #[arg(long, value_name = "BYTES", value_parser = parse_size, default_value = "1K")]
    pub min_upload_rate: u64,
    /// Longest time a client may take to send a request's headers (seconds).
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub header_timeout: u64,
    /// Resource limits of every analysis.
    #[command(flatten)]
    pub limits: crate::limits::LimitArgs,
}

/// Runs the server until SIGINT or SIGTERM.
pub fn run(args: Args, global: Global) -> anyhow::Result<ExitCode> {
    analyzer_server::log_to_stderr(global.quiet);
    let mut config = analyzer_server::Config::new(&args.data);
    config.listen = args.listen;
    config.token_file = args.token_file;
    config.max_upload_bytes = args.max_upload_bytes;
    config.max_concurrent = args.max_concurrent;
    config.webhook = args.webhook;
    config.keep_bundles = args.keep_bundles;
    config.public_url = args.public_url;
    config.rules = args.rules;
    config.limits = args.limits.limits();
    config.analysis_timeout = args.timeout.map(Duration::from_secs);
    config.upload_window = Duration::from_secs(args.upload_window);
    config.min_upload_rate = args.min_upload_rate;
    config.header_timeout = Duration::from_secs(args.header_timeout);
    // Every startup error names its file, flag or address.
    analyzer_server::run(config)?;
    Ok(ExitCode::SUCCESS)
}
