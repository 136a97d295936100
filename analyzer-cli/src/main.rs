//! `nodemortem`: ranked root causes from sosreports, node logs and goroutine dumps.
//!
//! A thin binary: argument parsing and rendering only; all logic is in `analyzer_core`.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod limits;

/// Offline forensics for broken Docker/Kubernetes nodes.
#[derive(Debug, Parser)]
#[command(name = "nodemortem", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Analyse a bundle: ranked findings, root cause first, with evidence.
    Analyze(cmd::analyze::Args),
    /// List the rules, or explain one (`rules explain ID`).
    Rules(cmd::rules::Args),
    /// List every member of a bundle: format, sources, records, time span, warnings.
    Inventory(cmd::inventory::Args),
    /// Analyse a goroutine dump: buckets, locks, holders, deadlocks.
    Stacks(cmd::stacks::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => cmd::analyze::run(args),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Inventory(args) => cmd::inventory::run(args),
        Command::Stacks(args) => cmd::stacks::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`nodemortem … | head`) is not an error.
            if err
                .downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(io::stderr(), "nodemortem: {err:#}");
            ExitCode::from(2)
        }
    }
}
