//! `nodemortem analyze`: everything — ingestion, parsers, host facts, stacks, rules — and the
//! ranked findings.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use analyzer_core::analysis::Options;
use analyzer_core::report::text::TextOptions;
use analyzer_core::{Bundle, Severity};
use anyhow::Context;

/// Arguments of `nodemortem analyze`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  nodemortem analyze sosreport-node1-2020-08-20.tar.xz\n  nodemortem analyze /var/log/messages goroutine-stacks.log --format json\n  nodemortem analyze ./extracted-sosreport --rules ./my-rules --min-severity high"
)]
pub struct Args {
    /// Bundles to read: sosreport archives or directories, log files, goroutine dumps, `-` for stdin.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Extra rule directory (`*.toml`), added to the built-in rules.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Drop findings below this severity.
    #[arg(long, value_enum, default_value_t = Sev::Info)]
    pub min_severity: Sev,
    /// Exit with status 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = Sev::High)]
    pub fail_on: Sev,
    /// Stop reading after this many seconds and report what was found (marked partial).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Colour: auto (terminal only, honours NO_COLOR), always, never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// Output formats of `analyze`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// Ranked findings for a terminal.
    Text,
    /// The stable JSON report (docs/json-schema.md).
    Json,
}

/// When to colour output.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Color {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Severity names on the command line.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Sev {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl From<Sev> for Severity {
    fn from(s: Sev) -> Severity {
        match s {
            Sev::Info => Severity::Info,
            Sev::Low => Severity::Low,
            Sev::Medium => Severity::Medium,
            Sev::High => Severity::High,
            Sev::Critical => Severity::Critical,
        }
    }
}

/// Whether colour is wanted for stdout.
pub fn want_color(c: Color) -> bool {
    use std::io::IsTerminal;
    match c {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dirs: Vec<&std::path::Path> = args.rules.iter().map(PathBuf::as_path).collect();
    let engine = analyzer_core::rules::load(&dirs)?;
    let bundle = Bundle::from_paths(&args.paths);
    let opts = Options {
        min_severity: args.min_severity.into(),
        timeout: args.timeout.map(Duration::from_secs),
        ..Options::default()
    };
    let report = analyzer_core::analysis::analyze_with(&bundle, &opts, &engine)
        .with_context(|| format!("analysing {}", display_paths(&args.paths)))?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Text => {
            let text = analyzer_core::report::text::render(
                &report,
                &TextOptions {
                    color: want_color(args.color),
                    ..TextOptions::default()
                },
            );
            out.write_all(text.as_bytes())?;
        }
    }
    out.flush()?;
    let fail: Severity = args.fail_on.into();
    Ok(
        if report.findings.iter().any(|f| f.max_severity() >= fail) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
