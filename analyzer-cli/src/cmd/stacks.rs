//! `nodemortem stacks`.

use std::process::ExitCode;

/// Arguments of `nodemortem stacks`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Paths to read.
    pub paths: Vec<std::path::PathBuf>,
}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("stacks is not available yet")
}
