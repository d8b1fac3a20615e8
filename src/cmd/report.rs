//! `goldpan report`: one self-contained HTML page of charts.

use super::load;
use super::usage;
use crate::cli::{InputArgs, RuleArgs};
use crate::config::{self, Settings};
use crate::metrics;
use crate::output::write_atomically;
use crate::report::{self, data};
use anyhow::Result;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write one HTML page of charts about the store: sales by month (new and
/// returning customers, high season), whether new customers come back
/// (cohorts), how much the best customers bring, order values, days since
/// the last order, and the customer lists. The page is self-contained: it
/// opens offline in any browser, loads nothing, and prints on A4 or Letter.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Years a customer keeps buying, for the simple lifetime value (clv) [default: 3]
    #[arg(long, value_name = "YEARS")]
    pub lifespan_years: Option<f64>,

    /// The HTML file to write (replaced whole, never left half-written)
    #[arg(long, value_name = "FILE", required_unless_present = "json")]
    pub out: Option<PathBuf>,

    /// Print every number of the page as one JSON object on stdout
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    if args.json && args.out.is_some() {
        usage!("--json prints the page's numbers instead of writing it: drop --out or --json");
    }
    let flags = Settings {
        lifespan_years: args.lifespan_years,
        ..args.rules.settings()
    };
    let settings = config::load(config_file, &args.input.settings().or(flags))?;
    let rules = settings.rules();
    let store = load(&args.input, &settings)?;
    let summary = metrics::summary(
        &store.customers,
        &store.orders,
        &rules,
        settings.lifespan_years(),
    )?;
    let exports = args
        .input
        .exports
        .iter()
        .map(|path| {
            Path::new(path)
                .file_name()
                .map_or_else(|| path.clone(), |name| name.to_string_lossy().into_owned())
        })
        .collect();
    let page = data::build(
        &store.orders,
        &store.customers,
        &rules,
        summary,
        settings.lifespan_years(),
        store.as_of,
        exports,
    )?;
    match &args.out {
        Some(path) => {
            let html = report::render(&page);
            write_atomically(path, |out| Ok(out.write_all(html.as_bytes())?))?;
            eprintln!(
                "goldpan: wrote {} ({} KB), as of {}",
                path.display(),
                html.len().div_ceil(1024),
                store.as_of
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &page)?;
            writeln!(out)?;
            out.flush()?;
        }
    }
    Ok(())
}
