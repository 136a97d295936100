//! `nodemortem completions SHELL`: a completion script generated from the clap definitions.

use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

/// Arguments of `nodemortem completions`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  nodemortem completions bash > ~/.local/share/bash-completion/completions/nodemortem\n  nodemortem completions zsh > ~/.zfunc/_nodemortem\n  nodemortem completions fish > ~/.config/fish/completions/nodemortem.fish"
)]
pub struct Args {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut cmd = crate::Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "nodemortem", &mut out);
    Ok(ExitCode::SUCCESS)
}
