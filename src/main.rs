//! goldpan: pans a store's order exports for its best customers.

mod cli;
mod cmd;
mod customers;
mod ingest;
mod metrics;
mod model;
mod output;
mod segments;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "goldpan", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Summary(cmd::summary::Args),
    Segments(cmd::segments::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Summary(args) => cmd::summary::run(args),
        Command::Segments(args) => cmd::segments::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
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
