//! `nodemortem man`: the manual page, in roff, generated from the clap definitions.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

/// Arguments of `nodemortem man`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  nodemortem man | man -l -\n  nodemortem man > /usr/local/share/man/man1/nodemortem.1"
)]
pub struct Args {}

/// Runs the command: the main page, then a section per subcommand with its synopsis and options.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    let cmd = crate::Cli::command();
    let mut buf: Vec<u8> = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let name = format!("nodemortem {}", sub.get_name());
        writeln!(buf, ".SH \"{}\"", name.to_uppercase())?;
        let man = clap_mangen::Man::new(sub.clone().bin_name(name));
        man.render_synopsis_section(&mut buf)?;
        man.render_description_section(&mut buf)?;
        man.render_options_section(&mut buf)?;
        man.render_extra_section(&mut buf)?;
    }
    let mut out = std::io::stdout().lock();
    out.write_all(&buf)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
