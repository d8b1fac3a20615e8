//! One module per subcommand, each with its flags and a `run`.

pub mod segments;
pub mod summary;

use crate::cli::InputArgs;
use crate::customers;
use crate::ingest::{self, IngestReport};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::{DataFrame, IntoLazy};

/// The exports read into the orders and customers tables.
pub struct Store {
    pub orders: DataFrame,
    pub customers: DataFrame,
    pub report: IngestReport,
    pub as_of: NaiveDate,
}

/// Reads the exports and builds the customers table: the one path both
/// `summary` and `segments` take.
pub fn load(input: &InputArgs) -> Result<Store> {
    let as_of = input.as_of();
    let ingested = ingest::read_orders(&input.exports, &input.ingest_options())?;
    let customers = customers::customers(ingested.orders.clone().lazy(), as_of).collect()?;
    Ok(Store {
        orders: ingested.orders,
        customers,
        report: ingested.report,
        as_of,
    })
}
