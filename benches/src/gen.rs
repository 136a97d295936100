//! `gen`: writes generated inputs to stdout (or a file).
//!
//! ```text
//! cargo run -p benches --bin gen -- noise --shape journal --host tke-node \
//!     --start 2020-08-20T09:00:00 --offset +08:00 --lines 3000 --gap-ms 1500 --seed 1 \
//!     --inject incident.tsv > corpus/x/sos_commands/logs/journalctl_--no-pager
//! ```
//!
//! Bulk inputs for the benchmarks (into `target/bench-data/`, never committed):
//!
//! ```text
//! gen logs --size 2G -o target/bench-data/logs-2G.log
//! gen dump --goroutines 500000 -o target/bench-data/dump-500k.log
//! gen locks --shape cycle --goroutines 100000 -o target/bench-data/cycle-100k.log
//! gen sosreport --size 1G --compress xz -o target/bench-data/sos-1G.tar.xz
//! gen literals -o target/bench-data/literals.txt
//! ```
//!
//! An inject file has one line per incident line: `SECONDS<TAB>IDENT<TAB>PID<TAB>MESSAGE`
//! (`PID` may be `-`; for `klog`/`logrus` shapes only `SECONDS` and `MESSAGE` count). `SECONDS`
//! is the offset from `--start` (fractions allowed). In `MESSAGE`, `{logrus_time}` becomes a logrus
//! RFC 3339 time of that moment and `{klog:L:file.go:123}` a klog header.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use benches::lock_graph::{Go, Graph};
use benches::noise::{self, Rng, Shape, Spec, Timed};
use benches::{bulk, dump};
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
    /// A large journal (or other shape) of a busy node with incident blocks sprinkled in.
    Logs(LogsArgs),
    /// A large dockerd goroutine dump with one lock convoy.
    Dump(DumpArgs),
    /// A goroutine dump whose wait-for graph is one lock chain or one lock cycle.
    Locks(LocksArgs),
    /// A sosreport-shaped tree packed as `.tar.gz` or `.tar.xz`.
    Sosreport(SosArgs),
    /// The literals of the built-in rules' prefilter, one per line (for `rg -c -F -f`).
    Literals(OutArgs),
}

#[derive(clap::Args)]
struct OutArgs {
    /// Write here instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

#[derive(clap::Args)]
struct LogsArgs {
    /// Size: bytes with an optional K/M/G suffix (powers of 1024).
    #[arg(long, default_value = "100M")]
    size: String,
    /// Output shape.
    #[arg(long, value_enum, default_value_t = ShapeArg::Journal)]
    shape: ShapeArg,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    out: OutArgs,
}

#[derive(clap::Args)]
struct DumpArgs {
    /// Number of goroutines (about 1 KiB each).
    #[arg(long, default_value_t = 500_000)]
    goroutines: u64,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    out: OutArgs,
}

#[derive(clap::Args)]
struct LocksArgs {
    /// Goroutines in the chain or cycle (about 560 bytes each).
    #[arg(long, default_value_t = 100_000)]
    goroutines: u32,
    /// `chain`: each goroutine waits on the next one's mutex, the last one is in a syscall;
    /// `cycle`: the last one waits on the first one's.
    #[arg(long, value_enum, default_value_t = LockShape::Chain)]
    shape: LockShape,
    #[command(flatten)]
    out: OutArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum LockShape {
    Chain,
    Cycle,
}

#[derive(clap::Args)]
struct SosArgs {
    /// Uncompressed size: bytes with an optional K/M/G suffix.
    #[arg(long, default_value = "1G")]
    size: String,
    /// Compression.
    #[arg(long, value_enum, default_value_t = CompressArg::Xz)]
    compress: CompressArg,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    out: OutArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum CompressArg {
    Gz,
    Xz,
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mul) = match s.as_bytes().last()? {
        b'K' | b'k' => (&s[..s.len() - 1], 1u64 << 10),
        b'M' | b'm' => (&s[..s.len() - 1], 1 << 20),
        b'G' | b'g' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().ok()?.checked_mul(mul)
}

fn output(o: &OutArgs) -> io::Result<Box<dyn Write>> {
    Ok(match &o.output {
        Some(p) => Box::new(BufWriter::with_capacity(1 << 20, std::fs::File::create(p)?)),
        None => Box::new(BufWriter::with_capacity(1 << 20, io::stdout().lock())),
    })
}

fn shape(s: ShapeArg) -> Shape {
    match s {
        ShapeArg::Journal => Shape::Journal,
        ShapeArg::Syslog => Shape::Syslog,
        ShapeArg::Klog => Shape::Klog,
        ShapeArg::Logrus => Shape::Logrus,
    }
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
                shape: shape(a.shape),
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
        Cmd::Logs(a) => {
            let size = parse_size(&a.size).ok_or("--size: want bytes with K/M/G")?;
            let mut out = output(&a.out)?;
            let w = bulk::write_logs(shape(a.shape), size, a.seed, &mut out)?;
            out.flush()?;
            eprintln!(
                "{} bytes, {} lines, {} incident blocks",
                w.bytes, w.lines, w.incidents
            );
        }
        Cmd::Dump(a) => {
            let mut out = output(&a.out)?;
            let w = dump::write(a.goroutines, a.seed, &mut out)?;
            out.flush()?;
            eprintln!(
                "{} bytes, {} goroutines, {} convoy waiters",
                w.bytes, w.goroutines, w.waiters
            );
        }
        Cmd::Locks(a) => {
            let g = match a.shape {
                LockShape::Chain => Graph::chain(a.goroutines, Go::V1_16),
                LockShape::Cycle => Graph::cycle(a.goroutines, Go::V1_16),
            };
            let mut out = output(&a.out)?;
            g.render(&mut out)?;
            out.flush()?;
        }
        Cmd::Sosreport(a) => {
            let size = parse_size(&a.size).ok_or("--size: want bytes with K/M/G")?;
            let c = match a.compress {
                CompressArg::Gz => bulk::Compress::Gz,
                CompressArg::Xz => bulk::Compress::Xz,
            };
            let mut out = output(&a.out)?;
            let n = bulk::write_sosreport(size, c, a.seed, &mut out)?;
            out.flush()?;
            eprintln!("{n} bytes before compression");
        }
        Cmd::Literals(o) => {
            let engine = analyzer_core::rules::load(&[])?;
            let mut out = output(&o)?;
            for l in engine.literals() {
                writeln!(out, "{l}")?;
            }
            out.flush()?;
        }
    }
    Ok(())
}
