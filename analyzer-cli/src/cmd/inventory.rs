//! `nodemortem inventory`.

use std::process::ExitCode;

/// Arguments of `nodemortem inventory`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Paths to read.
    pub paths: Vec<std::path::PathBuf>,
}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("inventory is not available yet")
}
