//! goldpan: pans a store's order exports for its best customers.

mod audience;
mod cli;
// Wired into the commands once the refactor of issue 9 has landed.
#[cfg_attr(not(test), allow(dead_code))]
mod clv_model;
mod cmd;
mod config;
mod customers;
mod ingest;
mod metrics;
mod model;
mod output;
// Wired into the commands once the refactor of issue 9 has landed.
#[cfg_attr(not(test), allow(dead_code))]
mod predict;
// Wired into the commands once the refactor of issue 9 has landed.
#[cfg_attr(not(test), allow(dead_code))]
mod rfm;
mod segments;

use clap::{Parser, Subcommand};

// glibc's allocator spent a quarter of the time on a large export in
// malloc/free of the many small strings ingest makes; mimalloc is much cheaper.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes: 0 ok, 1 error (bad data, unreadable file, …), 2 usage (a
/// wrong flag or combination of flags).
#[derive(Parser, Debug)]
#[command(name = "goldpan", version, about, long_about = None)]
pub struct Cli {
    /// Read settings from this TOML file instead of ./goldpan.toml (flags
    /// still override it; see `goldpan config --print`)
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Summary(cmd::summary::Args),
    Segments(cmd::segments::Args),
    Diff(cmd::diff::Args),
    Audience(cmd::audience::Args),
    Config(cmd::config::Args),
    Completions(cmd::completions::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = cli.config.as_deref();
    let result = match &cli.command {
        Command::Summary(args) => cmd::summary::run(args, config),
        Command::Segments(args) => cmd::segments::run(args, config),
        Command::Diff(args) => cmd::diff::run(args),
        Command::Audience(args) => cmd::audience::run(args, config),
        Command::Config(args) => cmd::config::run(args, config),
        Command::Completions(args) => cmd::completions::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) if err.downcast_ref::<cmd::UsageError>().is_some() => {
            eprintln!("goldpan: {err:#}");
            ExitCode::from(2)
        }
        Err(err) => {
            eprintln!("goldpan: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// `goldpan … | head` closes the pipe early: that is the reader's choice, not
/// an error. csv wraps the I/O error in its own type, so look there too.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let io = cause.downcast_ref::<std::io::Error>().or_else(|| {
            cause
                .downcast_ref::<csv::Error>()
                .and_then(|e| match e.kind() {
                    csv::ErrorKind::Io(io) => Some(io),
                    _ => None,
                })
        });
        io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
