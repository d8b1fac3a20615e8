//! One module per subcommand, each with its flags and a `run`.

pub mod segments;
pub mod summary;

use crate::cli::InputArgs;
use crate::customers;
use crate::ingest::{self, IngestReport, Rejected};
use crate::output::write_atomically;
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::{DataFrame, IntoLazy};
use std::io::Write;

/// The exports read into the orders and customers tables.
pub struct Store {
    pub orders: DataFrame,
    pub customers: DataFrame,
    pub report: IngestReport,
    pub as_of: NaiveDate,
}

/// Reads the exports and builds the customers table: the one path both
/// `summary` and `segments` take. Writes `--rejects` when asked.
pub fn load(input: &InputArgs) -> Result<Store> {
    let as_of = input.as_of();
    let ingested = ingest::read_orders(&input.exports, &input.ingest_options()?)?;
    if let Some(path) = &input.rejects {
        write_atomically(path, |out| write_rejects(&ingested.rejected, out))?;
    }
    let customers = customers::customers(
        ingested.orders.clone().lazy(),
        ingested.hints.map(IntoLazy::lazy),
        as_of,
    )
    .collect()?;
    Ok(Store {
        orders: ingested.orders,
        customers,
        report: ingested.report,
        as_of,
    })
}

/// The rejects file: `file,line,reason,raw`, one row per skipped row.
fn write_rejects(rejected: &[Rejected], out: &mut dyn Write) -> Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(["file", "line", "reason", "raw"])?;
    for row in rejected {
        csv.write_record([
            row.file.as_str(),
            &row.line.to_string(),
            &row.reason,
            &row.raw,
        ])?;
    }
    csv.flush()?;
    Ok(())
}
