//! `nodemortem`: ranked root causes from sosreports, node logs and goroutine dumps.
//!
//! A thin binary: argument parsing and rendering only; all logic is in `analyzer_core`.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod limits;
mod width;

/// Offline forensics for broken Docker/Kubernetes nodes.
///
/// Reads a sosreport (archive or directory), loose logs or goroutine dumps, parses every
/// source and prints ranked findings, root cause first, each with the evidence lines
/// (file, line, time) that prove it.
#[derive(Debug, Parser)]
#[command(
    name = "nodemortem",
    version,
    about = "Ranked root causes from sosreports, node logs and goroutine dumps",
    after_help = "Examples:\n  nodemortem analyze sosreport-node1-2020-08-20.tar.xz\n  nodemortem analyze ./sosreport-dir --format html -o report.html\n  nodemortem timeline ./sosreport-dir --around oom-kill --window 5m\n  nodemortem stacks goroutine-stacks.log\n  nodemortem rules explain volume-remove-lock\n  nodemortem completions bash > /etc/bash_completion.d/nodemortem"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Global flags.
    #[command(flatten)]
    global: Global,
}

/// Flags every subcommand accepts.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Global {
    /// No progress display on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// On failure, print the whole chain of causes, not only the first and the last.
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Analyse a bundle: ranked findings, root cause first, with evidence.
    Analyze(cmd::analyze::Args),
    /// Merged, time-ordered log records of all sources, with finding markers.
    Timeline(cmd::timeline::Args),
    /// List the rules, or explain one (`rules explain ID`).
    Rules(cmd::rules::Args),
    /// List every member of a bundle: format, sources, records, time span, warnings.
    Inventory(cmd::inventory::Args),
    /// Analyse the goroutine dumps of the inputs: buckets, locks, holders, deadlocks.
    Stacks(cmd::stacks::Args),
    /// Serve uploads over HTTP: a report per bundle, stored and searchable (docs/server.md).
    Serve(cmd::serve::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(cmd::completions::Args),
    /// Print the manual page (roff) generated from the command-line definitions.
    Man(cmd::man::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let global = cli.global;
    let result = match cli.command {
        Command::Analyze(args) => cmd::analyze::run(args, global),
        Command::Timeline(args) => cmd::timeline::run(args, global),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Inventory(args) => cmd::inventory::run(args),
        Command::Stacks(args) => cmd::stacks::run(args, global),
        Command::Serve(args) => cmd::serve::run(args, global),
        Command::Completions(args) => cmd::completions::run(args),
        Command::Man(args) => cmd::man::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`nodemortem … | head`) is not an error, whichever writer met it.
            if err.chain().any(|e| {
                e.downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
                    || e.downcast_ref::<serde_json::Error>()
                        .and_then(serde_json::Error::io_error_kind)
                        == Some(io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(io::stderr(), "{}", error_text(&err, global.verbose));
            ExitCode::from(2)
        }
    }
}

/// One line — what was being done (naming the path) and the root reason — or, with
/// `--verbose`, the whole chain, one cause per line.
fn error_text(err: &anyhow::Error, verbose: bool) -> String {
    let chain: Vec<String> = err.chain().map(|e| e.to_string()).collect();
    if verbose {
        let mut s = format!("nodemortem: {}", chain[0]);
        for c in &chain[1..] {
            s.push_str("\n  caused by: ");
            s.push_str(c);
        }
        return s;
    }
    let first = &chain[0];
    match chain.last() {
        Some(last) if chain.len() > 1 && !first.contains(last.as_str()) => {
            // The earliest cause that already carries the root reason usually also names the
            // file (`/etc/rules: No such file or directory`): show that one.
            let cause = chain[1..]
                .iter()
                .find(|c| c.contains(last.as_str()))
                .unwrap_or(last);
            format!("nodemortem: {first}: {cause}")
        }
        _ => format!("nodemortem: {first}"),
    }
}
