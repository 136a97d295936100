//! `nodemortem timeline`: merged, time-ordered records across all sources, in one time zone,
//! with a source column and the rule ids of findings whose evidence a line is.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use analyzer_core::analysis::Options;
use analyzer_core::report::sanitize::escape_controls_keep_lines;
use analyzer_core::timeline::{self, Around, TimelineOptions};
use anyhow::Context;

use crate::Global;
use crate::cmd::analyze::{Meter, display_paths, nothing_read};

/// Arguments of `nodemortem timeline`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  nodemortem timeline ./sosreport-node1\n  nodemortem timeline ./sosreport-node1 --around oom-kill --window 5m\n  nodemortem timeline sosreport.tar.xz --around '2020-07-15 10:12:22' --window 2m --sources kernel,dockerd\n  nodemortem timeline ./sosreport-node1 --tz Europe/Berlin --format json\n\nLines that are evidence of a finding are marked `<< rule-id`."
)]
pub struct Args {
    /// Inputs, time budget and limits, as for every command that reads bundles.
    #[command(flatten)]
    pub read: crate::limits::ReadArgs,
    /// Center the timeline on a rule's first timed evidence (a rule id) or on a time
    /// (RFC 3339; without offset it is UTC).
    #[arg(long, value_name = "RULE|TIME")]
    pub around: Option<String>,
    /// Half-width of the window around --around: 90s, 10m, 2h, 1h30m (default 10m).
    #[arg(long, value_name = "DURATION", requires = "around")]
    pub window: Option<String>,
    /// Only these sources (kernel, systemd, kubelet, dockerd, containerd, …), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "SOURCE,…")]
    pub sources: Vec<String>,
    /// Show times in this IANA time zone (default UTC).
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// Most lines shown (the earliest of the selection); a record copied in several members is
    /// one line.
    #[arg(long, default_value_t = 10_000)]
    pub limit: usize,
    /// Extra rule directory for the finding markers.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Output format of `timeline`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per record.
    Text,
    /// The timeline as JSON.
    Json,
}

/// Runs the command.
pub fn run(args: Args, global: Global) -> anyhow::Result<ExitCode> {
    let zone = timeline::zone(args.tz.as_deref())?;
    let window = timeline::parse_duration(args.window.as_deref().unwrap_or("10m"))?;
    let dirs: Vec<&Path> = args.rules.iter().map(PathBuf::as_path).collect();
    let engine = analyzer_core::rules::load(&dirs).context("loading rules")?;
    let around = args.around.as_deref().map(Around::parse);
    if let Some(Around::Rule(id)) = &around {
        if engine.rule(id).is_none() {
            let hint = match analyzer_core::rules::suggest(&engine, id) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "give a rule id (`nodemortem rules` lists them) or a time".into(),
            };
            anyhow::bail!("--around: no rule with id {id:?}; {hint}");
        }
    }
    let paths = &args.read.paths;
    // Standard input and archives are read once: the timeline holds its records in the walk of
    // the analysis that gives its finding markers.
    let bundle = args.read.bundle();
    let meter = Meter::new(global.quiet);
    let opts = Options {
        progress: meter.as_ref().map(Meter::callback),
        limits: args.read.limits.limits(),
        timeout: args.read.timeout(),
        ..Options::default()
    };
    let built = timeline::build(
        &bundle,
        &opts,
        &engine,
        &TimelineOptions {
            around,
            window,
            sources: args.sources.clone(),
            limit: args.limit,
        },
    );
    if let Some(m) = &meter {
        m.finish();
    }
    let (report, t) = built.with_context(|| format!("analysing {}", display_paths(paths)))?;
    nothing_read(&report, paths)?;
    let t = t.with_context(|| format!("timeline of {}", display_paths(paths)))?;
    let mut out = std::io::stdout().lock();
    match args.format {
        // Log text is input: control characters are shown escaped.
        Format::Text => {
            out.write_all(escape_controls_keep_lines(&timeline::render_text(&t, &zone)).as_bytes())?
        }
        Format::Json => {
            let mut v = serde_json::to_vec_pretty(&t)?;
            v.push(b'\n');
            out.write_all(&v)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
