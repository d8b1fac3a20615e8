//! `goldpan completions SHELL`: a shell completion script on stdout.

use anyhow::Result;
use clap_complete::Shell;

/// Print a shell completion script (bash, zsh, fish, elvish, powershell)
///
/// For example:
///
///   goldpan completions bash > ~/.local/share/bash-completion/completions/goldpan
///   goldpan completions zsh > ~/.zfunc/_goldpan
///   goldpan completions fish > ~/.config/fish/completions/goldpan.fish
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &Args) -> Result<()> {
    let mut command = crate::command();
    // clap_complete panics when a write fails; written to memory first, a
    // closed pipe is an error goldpan handles like any other.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "goldpan", &mut script);
    let mut out = std::io::stdout().lock();
    std::io::Write::write_all(&mut out, &script)?;
    std::io::Write::flush(&mut out)?;
    Ok(())
}
