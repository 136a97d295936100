//! `nodemortem rules`: list the rules, or explain one.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use analyzer_core::report::sanitize::escape_controls_keep_lines;
use analyzer_core::rules::engine::{Engine, Rule};

/// Arguments of `nodemortem rules`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  nodemortem rules\n  nodemortem rules --format json\n  nodemortem rules explain volume-remove-lock\n  nodemortem rules --rules ./my-rules"
)]
pub struct Args {
    /// `explain ID` prints what a rule looks for, why, the remediation and references.
    #[command(subcommand)]
    pub action: Option<Action>,
    /// Output format of the listing and of `explain`.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,
    /// Extra rule directory (`*.toml`), added to the built-in rules.
    #[arg(long = "rules", value_name = "DIR", global = true)]
    pub rules: Vec<PathBuf>,
}

/// Sub-actions of `rules`.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Explain one rule.
    Explain {
        /// The rule id.
        id: String,
    },
}

/// Output formats.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// A table.
    Text,
    /// JSON.
    Json,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dirs: Vec<&std::path::Path> = args.rules.iter().map(PathBuf::as_path).collect();
    let engine = analyzer_core::rules::load(&dirs)?;
    let mut out = std::io::stdout().lock();
    match args.action {
        Some(Action::Explain { id }) => {
            let Some(rule) = engine.rule(&id) else {
                let hint = match analyzer_core::rules::suggest(&engine, &id) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "`nodemortem rules` lists them".to_string(),
                };
                let unknown = analyzer_core::Error::UnknownRule(id);
                anyhow::bail!("{unknown}; {hint}");
            };
            match args.format {
                Format::Text => {
                    let mut text = Vec::new();
                    explain(&mut text, rule)?;
                    // Rule files are input too: no control character reaches the terminal.
                    let text = String::from_utf8_lossy(&text);
                    out.write_all(escape_controls_keep_lines(&text).as_bytes())?;
                }
                Format::Json => {
                    let info = analyzer_core::rules::catalog(&engine)
                        .into_iter()
                        .find(|r| r.id == rule.id());
                    let mut v = serde_json::to_vec_pretty(&info)?;
                    v.push(b'\n');
                    out.write_all(&v)?;
                }
            }
        }
        None => list(&mut out, &engine, args.format)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn list(out: &mut dyn Write, engine: &Engine, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            let mut v = serde_json::to_vec_pretty(&analyzer_core::rules::catalog(engine))?;
            v.push(b'\n');
            out.write_all(&v)?;
        }
        Format::Text => {
            let w = engine
                .rules()
                .iter()
                .map(|r| r.id().len())
                .max()
                .unwrap_or(10);
            let mut text = String::new();
            for r in engine.rules() {
                text.push_str(&format!(
                    "{:<w$}  {:<8}  {}\n",
                    r.id(),
                    r.severity.name(),
                    r.spec.title
                ));
            }
            out.write_all(escape_controls_keep_lines(&text).as_bytes())?;
        }
    }
    Ok(())
}

fn explain(out: &mut dyn Write, r: &Rule) -> anyhow::Result<()> {
    writeln!(out, "{} ({}, from {})", r.id(), r.severity.name(), r.origin)?;
    writeln!(out, "{}\n", r.spec.title)?;
    writeln!(
        out,
        "Why:\n  {}\n",
        r.spec.explanation.trim().replace('\n', "\n  ")
    )?;
    writeln!(out, "Looks for:")?;
    for i in &r.items {
        let role = format!("{:?}", i.role).to_lowercase();
        writeln!(
            out,
            "  - [{role}, {:?}, weight {}] {}",
            i.kind, i.weight, i.describe
        )?;
    }
    if !r.spec.explains.is_empty() {
        writeln!(out, "\nExplains: {}", r.spec.explains.join(", "))?;
    }
    writeln!(
        out,
        "\nRemediation:\n  {}",
        r.spec.remediation.trim().replace('\n', "\n  ")
    )?;
    if !r.spec.references.is_empty() {
        writeln!(out, "\nReferences:")?;
        for x in &r.spec.references {
            writeln!(out, "  {x}")?;
        }
    }
    Ok(())
}
