//! One module per subcommand, each with its flags and a `run`.

pub mod audience;
pub mod cohorts;
pub mod completions;
pub mod config;
pub mod customers;
pub mod diff;
pub mod report;
pub mod segments;
pub mod summary;

use crate::cli::InputArgs;
use crate::config::Resolved;
use crate::exit_codes::usage;
use crate::ingest::{self, IngestReport, Rejected};
use crate::model::col as order;
use crate::output::{self, date_from_days, files, formula_safe, write_atomically};
use crate::predict::{self, Models};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::{ChunkAgg, DataFrame, DataType, IntoLazy};
use std::io::Write;
use std::path::Path;

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
    protect_inputs(input)?;
    let as_of = input.as_of();
    let mut ingested = ingest::read_orders(&input.exports, &input.ingest_options(settings)?)?;
    let before = ingested.orders.height();
    ingested.orders = orders_until(ingested.orders, as_of)?;
    ingested.report.after_as_of = (before - ingested.orders.height()) as u64;
    if let Some(path) = &input.rejects {
        write_atomically(path, |out| write_rejects(&ingested.rejected, out))?;
    }
    let mut notes = ingested.notes.clone();
    if ingested.report.after_as_of > 0 {
        notes.push(format!(
            "{} order(s) dated after the as-of date {as_of} are left out: the figures and lists \
             are those of {as_of}",
            ingested.report.after_as_of
        ));
    }
    notes.extend(stale_notes(&ingested.orders, as_of)?);
    for text in &notes {
        output::note(text);
    }
    let customers = crate::customers::customers(
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

/// The orders dated on or before `as_of`: the lists as they were that day.
fn orders_until(orders: DataFrame, as_of: NaiveDate) -> Result<DataFrame> {
    let as_of = polars::prelude::lit(crate::model::epoch_days(as_of)).cast(DataType::Date);
    Ok(orders
        .lazy()
        .filter(polars::prelude::col(order::DATE).lt_eq(as_of))
        .collect()?)
}

/// Usage mistakes in the input paths, found before anything is read:
/// standard input given twice, or `--rejects` naming an input. Remembers the
/// inputs so that no output of the run replaces one of them.
pub fn protect_inputs(input: &InputArgs) -> Result<()> {
    if input.exports.iter().filter(|e| *e == "-").count() > 1 {
        usage!("- (standard input) is given twice: it can be read only once");
    }
    files::protect_inputs(input.exports.iter().map(Path::new));
    if let Some(rejects) = &input.rejects {
        if rejects.as_os_str() == "-" {
            usage!("--rejects -: give a file name (stdout is for the command's data)");
        }
        files::refuse_dangling_link(rejects)?;
        files::refuse_input(rejects)?;
    }
    Ok(())
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
/// With separate stores, one per store whose exports are stale, since one
/// fresh store would hide another's old export.
fn stale_notes(orders: &DataFrame, as_of: NaiveDate) -> Result<Vec<String>> {
    if !orders.schema().contains(order::STORE) {
        return Ok(stale_note(orders, as_of)?.into_iter().collect());
    }
    let stores = orders.column(order::STORE)?.unique_stable()?;
    let mut notes = Vec::new();
    for store in stores.str()?.iter().flatten() {
        let of_store = orders
            .clone()
            .lazy()
            .filter(polars::prelude::col(order::STORE).eq(polars::prelude::lit(store)))
            .collect()?;
        notes.extend(stale_note(&of_store, as_of)?.map(|note| format!("store {store}: {note}")));
    }
    Ok(notes)
}

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

/// The purchase models fitted on a dataset and each customer's predictions;
/// both `None` when no model could be fitted, which stderr then says once.
pub struct Predicted {
    pub models: Option<Models>,
    /// One row per customer with `predict::pred_col` columns.
    pub table: Option<DataFrame>,
    pub horizon_days: u32,
}

impl Predicted {
    /// `customers` with the prediction columns (empty without a model).
    pub fn join(&self, customers: DataFrame) -> Result<DataFrame> {
        Ok(
            predict::with_predictions(customers.lazy(), self.table.clone(), self.horizon_days)
                .collect()?,
        )
    }
}

/// Fits the models on `data`'s orders and predicts each customer over the
/// next `horizon_days` (docs/rfm-and-prediction.md). Why a model could not
/// be fitted is printed and joins `data.notes`.
pub fn predict(data: &mut Dataset, horizon_days: u32) -> Result<Predicted> {
    let histories = predict::histories(data.orders.clone().lazy(), data.as_of).collect()?;
    let models = match predict::fit(&histories)? {
        Ok(models) => models,
        Err(why) => {
            let note =
                format!("no predictions (p_alive, expected orders, predicted revenue): {why}");
            output::note(&note);
            data.notes.push(note);
            return Ok(Predicted {
                models: None,
                table: None,
                horizon_days,
            });
        }
    };
    if let Err(why) = &models.gamma_gamma {
        let note = format!("no predicted revenue: {why}");
        output::note(&note);
        data.notes.push(note);
    }
    let table = predict::predictions(&histories, &models, horizon_days, data.as_of)?;
    Ok(Predicted {
        models: Some(models),
        table: Some(table),
        horizon_days,
    })
}
