//! `nodemortem inventory`.

use std::io::{self, Write};
use std::process::ExitCode;

use analyzer_core::inventory::{Inventory, inventory_within, summary};
use analyzer_core::report::sanitize::escape_controls_keep_lines;

/// Output shapes of `inventory`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A summary (with --all: an aligned table of every member), then the warnings.
    #[default]
    Text,
    /// The inventory as JSON (schema_version 1).
    Json,
}

/// Arguments of `nodemortem inventory`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// List every member (path, format, records, bytes, time span) instead of the summary.
    #[arg(long)]
    pub all: bool,
    /// Inputs, time budget and limits, as for every command that reads bundles.
    #[command(flatten)]
    pub read: crate::limits::ReadArgs,
    /// Output shape.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Runs the command: exit 0 with the inventory, 2 (through the error) when nothing is readable.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let inv = inventory_within(
        &args.read.bundle(),
        &args.read.limits.limits(),
        args.read.deadline(),
    )?;
    let text: Vec<u8> = match args.format {
        OutputFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&inv)?;
            v.push(b'\n');
            v
        }
        OutputFormat::Text => {
            let mut v = Vec::new();
            if args.all {
                render_text(&inv, &mut v)?;
            } else {
                v.extend_from_slice(summary::render(&inv).as_bytes());
            }
            // Member names and warnings are input: control characters are shown escaped.
            escape_controls_keep_lines(&String::from_utf8_lossy(&v))
                .into_owned()
                .into_bytes()
        }
    };
    let mut out = io::stdout().lock();
    out.write_all(&text)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Renders the aligned table: path, format, records, bytes, first, last; then warnings.
fn render_text(inv: &Inventory, out: &mut dyn Write) -> io::Result<()> {
    for input in &inv.inputs {
        writeln!(out, "input: {} ({:?})", input.path, input.kind)?;
    }
    let rows: Vec<[String; 6]> = inv
        .members
        .iter()
        .map(|m| {
            let path = match &m.link {
                Some(t) => format!("{} -> {t}", m.path),
                None if m.truncated => format!("{} (truncated)", m.path),
                None => m.path.clone(),
            };
            let time = |t: &Option<analyzer_core::base::Timestamp>| {
                t.map_or_else(|| "-".to_string(), |t| t.to_rfc3339())
            };
            [
                path,
                m.format.name().to_string(),
                m.records.to_string(),
                m.bytes.to_string(),
                time(&m.first),
                time(&m.last),
            ]
        })
        .collect();
    let header = ["PATH", "FORMAT", "RECORDS", "BYTES", "FIRST", "LAST"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: [&str; 6]| -> io::Result<()> {
        let [p, f, r, b, first, last] = cells;
        writeln!(
            out,
            "{p:<w0$}  {f:<w1$}  {r:>w2$}  {b:>w3$}  {first:<w4$}  {last}",
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
            w4 = widths[4],
        )
    };
    line(out, header)?;
    for row in &rows {
        line(out, [&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]])?;
    }
    if !inv.warnings.is_empty() {
        writeln!(out)?;
        writeln!(out, "warnings:")?;
        for w in &inv.warnings {
            writeln!(out, "  {}: {}", w.path, w.message)?;
        }
    }
    Ok(())
}
