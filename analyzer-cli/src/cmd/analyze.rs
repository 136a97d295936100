//! `nodemortem analyze`: everything — ingestion, parsers, host facts, stacks, rules — and the
//! ranked findings, as text, JSON, Markdown or a self-contained HTML page.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use analyzer_core::analysis::{Options, Progress, ProgressFn};
use analyzer_core::report::jira::JiraOptions;
use analyzer_core::report::markdown::MarkdownOptions;
use analyzer_core::report::sanitize::escape_controls_keep_lines;
use analyzer_core::report::text::{TextOptions, human_bytes};
use analyzer_core::{Confidence, Severity};
use anyhow::Context;

use crate::Global;

/// Arguments of `nodemortem analyze`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  nodemortem analyze sosreport-node1-2020-08-20.tar.xz\n  nodemortem analyze ./extracted-sosreport --format html -o report.html\n  nodemortem analyze /var/log/messages goroutine-stacks.log --format json\n  nodemortem analyze ./sosreport --format markdown > ticket-comment.md\n  nodemortem analyze ./extracted-sosreport --rules ./my-rules --min-severity high\n  nodemortem analyze sosreport.tar.xz --save ./report-node1\n  nodemortem analyze ./sosreport --format jira > ticket-comment.txt\n\nExit status: 0 no likely or confirmed finding at or above --fail-on, 1 such a finding, 2 error."
)]
pub struct Args {
    /// Inputs, time budget and limits, as for every command that reads bundles.
    #[command(flatten)]
    pub read: crate::limits::ReadArgs,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Extra rule directory (`*.toml`), added to the built-in rules.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Drop findings below this severity.
    #[arg(long, value_enum, default_value_t = Sev::Info)]
    pub min_severity: Sev,
    /// Exit with status 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = Sev::High)]
    pub fail_on: Sev,
    /// Colour: auto (terminal only, honours NO_COLOR), always, never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Evidence lines per finding in text and Markdown output.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub evidence: usize,
    /// Width of text output in columns (default: the terminal's, else $COLUMNS, else 100).
    #[arg(long, value_name = "N")]
    pub width: Option<usize>,
    /// Also write the report in every format to DIR: report.txt, report.json, report.md,
    /// report.html (the directory is created when missing).
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
}

/// Output formats of `analyze`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Ranked findings for a terminal.
    Text,
    /// The stable JSON report (docs/json-schema.md).
    Json,
    /// A ticket-ready Markdown comment (GitHub, GitLab, Jira).
    Markdown,
    /// One self-contained HTML page with timeline and wait-for graph (use with -o).
    Html,
    /// A Jira wiki-markup comment (Jira Server and Data Center).
    Jira,
}

/// When to colour output.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Color {
    /// Colour when the output is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl From<Color> for anstream::ColorChoice {
    fn from(c: Color) -> Self {
        match c {
            Color::Auto => anstream::ColorChoice::Auto,
            Color::Always => anstream::ColorChoice::Always,
            Color::Never => anstream::ColorChoice::Never,
        }
    }
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

/// A `\r` progress line on stderr, drawn only once the run has taken more than a second and
/// at most ten times a second; cleared by [`Meter::finish`].
pub struct Meter {
    state: Arc<Mutex<MeterState>>,
}

struct MeterState {
    started: Instant,
    last: Option<Instant>,
    drawn: bool,
}

impl Meter {
    /// A meter, or `None` when stderr is not a terminal or `--quiet` was given.
    pub fn new(quiet: bool) -> Option<Meter> {
        (!quiet && std::io::stderr().is_terminal()).then(|| Meter {
            state: Arc::new(Mutex::new(MeterState {
                started: Instant::now(),
                last: None,
                drawn: false,
            })),
        })
    }

    /// The callback for [`Options::progress`].
    pub fn callback(&self) -> ProgressFn {
        let state = Arc::clone(&self.state);
        ProgressFn(Arc::new(move |p: Progress| {
            let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            if now.duration_since(st.started) < Duration::from_secs(1)
                || st
                    .last
                    .is_some_and(|l| now.duration_since(l) < Duration::from_millis(100))
            {
                return;
            }
            st.last = Some(now);
            st.drawn = true;
            let _ = write!(
                std::io::stderr(),
                "\rreading: {} member(s), {} …\x1b[K",
                p.members,
                human_bytes(p.bytes)
            );
        }))
    }

    /// Clears the line if anything was drawn.
    pub fn finish(&self) {
        let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.drawn {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
    }
}

/// Runs the command.
pub fn run(args: Args, global: Global) -> anyhow::Result<ExitCode> {
    let dirs: Vec<&Path> = args.rules.iter().map(PathBuf::as_path).collect();
    let engine = analyzer_core::rules::load(&dirs).context("loading rules")?;
    let bundle = args.read.bundle();
    let meter = Meter::new(global.quiet);
    let opts = Options {
        min_severity: args.min_severity.into(),
        timeout: args.read.timeout(),
        limits: args.read.limits.limits(),
        progress: meter.as_ref().map(Meter::callback),
        ..Options::default()
    };
    let result = analyzer_core::analysis::analyze_detailed(&bundle, &opts, &engine);
    if let Some(m) = &meter {
        m.finish();
    }
    let paths = &args.read.paths;
    let analysed = result.with_context(|| format!("analysing {}", display_paths(paths)))?;
    let report = &analysed.report;
    nothing_read(report, paths)?;
    let width = crate::width::resolve(args.width);
    let render = |format: Format, color: bool| -> anyhow::Result<Vec<u8>> {
        Ok(match format {
            Format::Json => {
                let mut v = serde_json::to_vec_pretty(report)?;
                v.push(b'\n');
                v
            }
            // Text formats a terminal may show: control characters from input escaped.
            Format::Markdown => {
                escape_controls_keep_lines(&analyzer_core::report::markdown::render(
                    report,
                    &MarkdownOptions {
                        evidence_lines: args.evidence,
                        ..MarkdownOptions::default()
                    },
                ))
                .into_owned()
                .into_bytes()
            }
            Format::Jira => escape_controls_keep_lines(&analyzer_core::report::jira::render(
                report,
                &JiraOptions {
                    evidence_lines: args.evidence,
                    ..JiraOptions::default()
                },
            ))
            .into_owned()
            .into_bytes(),
            Format::Html => {
                analyzer_core::report::html::render(report, &(&analysed).into()).into_bytes()
            }
            Format::Text => analyzer_core::report::text::render(
                report,
                &TextOptions {
                    color,
                    evidence_lines: args.evidence,
                    width,
                    ..TextOptions::default()
                },
            )
            .into_bytes(),
        })
    };
    if let Some(dir) = &args.save {
        save(dir, &render)?;
    }
    let rendered = render(args.format, true)?;
    let choice: anstream::ColorChoice = args.color.into();
    match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("writing {}", path.display()))?;
            let mut out = anstream::AutoStream::new(file, choice);
            out.write_all(&rendered)
                .and_then(|()| out.flush())
                .with_context(|| format!("writing {}", path.display()))?;
        }
        None => {
            let mut out = anstream::AutoStream::new(std::io::stdout().lock(), choice);
            out.write_all(&rendered)?;
            out.flush()?;
        }
    }
    let fail: Severity = args.fail_on.into();
    Ok(
        if report.findings.iter().any(|f| {
            f.max_severity_at(Confidence::Likely)
                .is_some_and(|s| s >= fail)
        }) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// Fails (exit status 2) when nothing in the input was recognised, with the warnings that say
/// why: unreadable input must not look like a healthy node.
pub fn nothing_read(report: &analyzer_core::Report, paths: &[PathBuf]) -> anyhow::Result<()> {
    if !report.stats.nothing_recognised {
        return Ok(());
    }
    let why: Vec<String> = report
        .warnings
        .iter()
        .map(|w| analyzer_core::report::text::visible(&analyzer_core::report::text::unread_line(w)))
        .collect();
    anyhow::bail!(
        "nothing could be read in {}: {}",
        display_paths(paths),
        if why.is_empty() {
            "no member".to_string()
        } else {
            why.join("; ")
        }
    )
}

/// Writes the report in every format into `dir`: `report.txt` (no colour), `report.json`,
/// `report.md`, `report.html`.
fn save(
    dir: &Path,
    render: &dyn Fn(Format, bool) -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (format, name) in [
        (Format::Text, "report.txt"),
        (Format::Json, "report.json"),
        (Format::Markdown, "report.md"),
        (Format::Html, "report.html"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, render(format, false)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The paths joined for messages.
pub fn display_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
