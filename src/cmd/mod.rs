//! One module per subcommand, each with its flags and a `run`.

pub mod audience;
pub mod completions;
pub mod config;
pub mod diff;
pub mod segments;
pub mod summary;

use crate::cli::InputArgs;
use crate::config::Resolved;
use crate::customers;
use crate::ingest::{self, IngestReport, Rejected};
use crate::model::col as order;
use crate::output::{self, date_from_days, formula_safe, write_atomically};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::{ChunkAgg, DataFrame, DataType, IntoLazy};
use std::io::Write;

/// An export whose newest order is more than this many days before the as-of
/// date is probably stale: a note says so.
pub const STALE_AFTER_DAYS: i64 = 30;

/// The exports, read into the orders and customers tables.
pub struct Dataset {
    pub orders: DataFrame,
    pub customers: DataFrame,
    pub report: IngestReport,
    pub as_of: NaiveDate,
    /// What people should know about the input (ambiguous dates, a stale
    /// export): printed to stderr once here, and carried by `--json`.
    pub notes: Vec<String>,
}

/// Reads the exports and builds the customers table: the one path every
/// command that reads orders takes. Writes `--rejects` when asked, and
/// prints the notes.
pub fn read_exports(input: &InputArgs, settings: &Resolved) -> Result<Dataset> {
    let as_of = input.as_of();
    let ingested = ingest::read_orders(&input.exports, &input.ingest_options(settings)?)?;
    if let Some(path) = &input.rejects {
        write_atomically(path, |out| write_rejects(&ingested.rejected, out))?;
    }
    let mut notes = ingested.notes.clone();
    notes.extend(stale_note(&ingested.orders, as_of)?);
    for text in &notes {
        output::note(text);
    }
    let customers = customers::customers(
        ingested.orders.clone().lazy(),
        ingested.hints.map(IntoLazy::lazy),
        as_of,
    )
    .collect()?;
    Ok(Dataset {
        orders: ingested.orders,
        customers,
        report: ingested.report,
        as_of,
        notes,
    })
}

/// The rejects file: `file,line,reason,raw`, one row per skipped row.
fn write_rejects(rejected: &[Rejected], out: &mut dyn Write) -> Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(["file", "line", "reason", "raw"])?;
    for row in rejected {
        // Rows of a hostile file end up here: a spreadsheet opening the
        // rejects file must not run them, as with the lists.
        csv.write_record([
            &*formula_safe(&row.file),
            &row.line.to_string(),
            &formula_safe(&row.reason),
            &formula_safe(&row.raw),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

/// A note when the newest order (of any status) is more than
/// [`STALE_AFTER_DAYS`] before `as_of`: the export was probably not renewed.
fn stale_note(orders: &DataFrame, as_of: NaiveDate) -> Result<Option<String>> {
    let newest = orders
        .column(order::DATE)?
        .as_materialized_series()
        .cast(&DataType::Int32)?
        .i32()?
        .max();
    let Some(newest) = newest.map(date_from_days) else {
        return Ok(None);
    };
    let days = (as_of - newest).num_days();
    Ok((days > STALE_AFTER_DAYS).then(|| {
        format!(
            "the newest order is from {newest}, {days} days before the as-of date {as_of}: \
             is the export stale? (figures are computed as of {as_of})"
        )
    }))
}
