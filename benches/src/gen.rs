//! `gen`: writes generated inputs to stdout (or a file).
//!
//! ```text
//! cargo run -p benches --bin gen -- noise --shape journal --host tke-node \
//!     --start 2020-08-20T09:00:00 --offset +08:00 --lines 3000 --gap-ms 1500 --seed 1 \
//!     --inject incident.tsv > corpus/x/sos_commands/logs/journalctl_--no-pager
//! ```
//!
//! An inject file has one line per incident line: `SECONDS<TAB>IDENT<TAB>PID<TAB>MESSAGE`
//! (`PID` may be `-`; for `klog`/`logrus` shapes only `SECONDS` and `MESSAGE` count). `SECONDS`
//! is the offset from `--start` (fractions allowed). In `MESSAGE`, `{logrus_time}` becomes a logrus
//! RFC 3339 time of that moment and `{klog:L:file.go:123}` a klog header.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use benches::noise::{self, Rng, Shape, Spec, Timed};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "gen",
    about = "Generate realistic inputs for nodemortem benchmarks and corpus bundles"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Background log traffic of a busy node, with optional incident lines merged in.
    Noise(NoiseArgs),
}

#[derive(clap::Args)]
struct NoiseArgs {
    /// Output shape.
    #[arg(long, value_enum, default_value_t = ShapeArg::Journal)]
    shape: ShapeArg,
    /// Host name.
    #[arg(long, default_value = "node-1")]
    host: String,
    /// Start time (local civil time of the host): YYYY-MM-DDTHH:MM:SS.
    #[arg(long, default_value = "2020-08-20T09:00:00")]
    start: String,
    /// UTC offset of the host, `+08:00`.
    #[arg(long, default_value = "+00:00", allow_hyphen_values = true)]
    offset: String,
    /// Number of background lines.
    #[arg(long, default_value_t = 3000)]
    lines: u64,
    /// Mean gap between background lines, milliseconds.
    #[arg(long, default_value_t = 1000)]
    gap_ms: u64,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Incident lines to merge in (see the file docs for the format).
    #[arg(long)]
    inject: Option<PathBuf>,
    /// Write here instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ShapeArg {
    Journal,
    Syslog,
    Klog,
    Logrus,
}

fn parse_start(s: &str) -> Option<(i32, u8, u8, u8, u8, u8)> {
    let (d, t) = s.split_once('T')?;
    let d: Vec<&str> = d.split('-').collect();
    let t: Vec<&str> = t.split(':').collect();
    Some((
        d.first()?.parse().ok()?,
        d.get(1)?.parse().ok()?,
        d.get(2)?.parse().ok()?,
        t.first()?.parse().ok()?,
        t.get(1)?.parse().ok()?,
        t.get(2)?.parse().ok()?,
    ))
}

fn parse_offset(s: &str) -> Option<i32> {
    let sign = if s.starts_with('-') { -1 } else { 1 };
    let (h, m) = s.trim_start_matches(['+', '-']).split_once(':')?;
    Some(sign * (h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60))
}

fn inject_lines(spec: &Spec, text: &str) -> Result<Vec<Timed>, String> {
    let mut rng = Rng::new(spec.seed ^ 0xfeed);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(4, '\t');
        let (Some(secs), Some(ident), Some(pid), Some(msg)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "inject line {}: want SECONDS<TAB>IDENT<TAB>PID<TAB>MESSAGE",
                i + 1
            ));
        };
        let secs: f64 = secs
            .trim()
            .parse()
            .map_err(|_| format!("inject line {}: bad seconds {secs:?}", i + 1))?;
        let at_ms = (secs * 1000.0).round() as u64;
        let mut msg = msg.replace("{logrus_time}", &noise::logrus_time(spec, at_ms, &mut rng));
        while let Some(start) = msg.find("{klog:") {
            let end = msg[start..]
                .find('}')
                .map(|e| start + e)
                .ok_or(format!("inject line {}: unclosed {{klog:", i + 1))?;
            let inner = &msg[start + 6..end];
            let (level, file) = inner
                .split_once(':')
                .ok_or(format!("inject line {}: want {{klog:L:file.go:N}}", i + 1))?;
            let h = noise::klog_header(
                spec,
                at_ms,
                level.chars().next().unwrap_or('I'),
                file,
                &mut rng,
            );
            msg.replace_range(start..=end, &h);
        }
        let text = match spec.shape {
            Shape::Journal | Shape::Syslog => {
                let pid = pid.trim().parse::<u32>().ok();
                format!("{} {msg}", noise::header(spec, at_ms, ident, pid))
            }
            Shape::Klog | Shape::Logrus => msg,
        };
        out.push(Timed { at_ms, text });
    }
    Ok(out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Noise(a) => {
            let spec = Spec {
                host: a.host,
                start: parse_start(&a.start).ok_or("--start: want YYYY-MM-DDTHH:MM:SS")?,
                utc_offset: parse_offset(&a.offset).ok_or("--offset: want +HH:MM")?,
                lines: a.lines,
                mean_gap_ms: a.gap_ms,
                seed: a.seed,
                shape: match a.shape {
                    ShapeArg::Journal => Shape::Journal,
                    ShapeArg::Syslog => Shape::Syslog,
                    ShapeArg::Klog => Shape::Klog,
                    ShapeArg::Logrus => Shape::Logrus,
                },
            };
            let inject = match &a.inject {
                Some(p) => inject_lines(&spec, &std::fs::read_to_string(p)?)?,
                None => Vec::new(),
            };
            let mut out: Box<dyn Write> = match &a.output {
                Some(p) => Box::new(BufWriter::new(std::fs::File::create(p)?)),
                None => Box::new(BufWriter::new(io::stdout().lock())),
            };
            noise::merge(&spec, &inject, &mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}
