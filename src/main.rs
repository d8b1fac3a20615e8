//! goldpan: pans a store's order exports for its best customers.

// The layers; each module imports only modules of the layers before it:
//   model ← ingest ← customers ← segments, consent ← metrics, audience
//   ← lists (with output) ← config, cli ← cmd ← main.
// sanitize, exit_codes and threads are leaves (they import no other goldpan module),
// and output imports only those two leaves. The report's analyses (monthly,
// cohorts, pareto, order_values, recency, segment_sizes, over calendar,
// frame and histogram) read the orders and customers tables; report draws
// their results and is used by cmd only.
mod allocator;
mod audience;
mod calendar;
mod cli;
mod clv_model;
mod cmd;
mod cohorts;
mod config;
mod consent;
mod customers;
mod exit_codes;
mod frame;
mod histogram;
mod ingest;
mod lists;
mod metrics;
mod model;
mod monthly;
mod order_values;
mod output;
mod pareto;
mod predict;
mod products;
mod recency;
mod report;
mod rfm;
mod sanitize;
mod segment_sizes;
mod segments;
#[cfg(test)]
mod testing;
mod threads;

use clap::{CommandFactory, FromArgMatches, Subcommand};

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Parser, Debug)]
#[command(name = "goldpan", version, about, long_about = None, after_help = exit_codes::HELP)]
pub struct Cli {
    /// Read settings from this TOML file instead of ./goldpan.toml (flags
    /// still override it; see `goldpan config --print`)
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Use at most N threads (default: one per core), for a machine shared
    /// with other jobs; the output is the same whatever N
    #[arg(long, global = true, value_name = "N")]
    threads: Option<std::num::NonZeroUsize>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Summary(cmd::summary::Args),
    Segments(cmd::segments::Args),
    Customers(cmd::customers::Args),
    Diff(cmd::diff::Args),
    Audience(cmd::audience::Args),
    Report(cmd::report::Args),
    Cohorts(cmd::cohorts::Args),
    Products(cmd::products::Args),
    Buyers(cmd::buyers::Args),
    Related(cmd::related::Args),
    Config(cmd::config::Args),
    Completions(cmd::completions::Args),
}

/// goldpan's command line as parsed and shown: each subcommand lists only the
/// settings that change its output.
pub fn command() -> clap::Command {
    cmd::hide_unused_settings(Cli::command())
}

/// Where transparent huge pages are always on, the first touch of fresh
/// memory zeroes 2 MiB at a time, and a run's columns grow in many steps: on
/// a 1M-order export that was 1.2-2.0 s of system time instead of 0.6-0.7 s,
/// and run times that swung by a fifth (docs/performance.md). Linux only;
/// elsewhere there is nothing to turn off.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    no_transparent_huge_pages();
    let matches = command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    threads::limit(cli.threads);
    let config = cli.config.as_deref();
    if let Err(err) = cmd::refuse_unused_settings(&matches) {
        return exit_codes::report(Err(err), |message| message.to_string());
    }
    let result = match &cli.command {
        Command::Summary(args) => cmd::summary::run(args, config),
        Command::Segments(args) => cmd::segments::run(args, config),
        Command::Customers(args) => cmd::customers::run(args, config),
        Command::Diff(args) => cmd::diff::run(args),
        Command::Audience(args) => cmd::audience::run(args, config),
        Command::Report(args) => cmd::report::run(args, config),
        Command::Cohorts(args) => cmd::cohorts::run(args, config),
        Command::Products(args) => cmd::products::run(args, config),
        Command::Buyers(args) => cmd::buyers::run(args, config),
        Command::Related(args) => cmd::related::run(args, config),
        Command::Config(args) => cmd::config::run(args, config),
        Command::Completions(args) => cmd::completions::run(args),
    };
    exit_codes::report(result, |message| {
        sanitize::escape_controls(message).into_owned()
    })
}
