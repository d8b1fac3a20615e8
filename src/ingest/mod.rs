//! From export files to the normalized orders table (`crate::model`).
//!
//! This module opens files (plain, gzip, stdin), recognizes which export a
//! file is from its header, and hands each file to the module of its format.
//! Those modules are the only places that know a platform's column names.

pub mod fields;
mod reader;
mod shopify;

use crate::model::{Exclusion, OrdersBuilder, col};
use anyhow::{Result, bail};
use fields::DateOrder;
use polars::prelude::{DataFrame, IntoLazy, lit, when};
pub use reader::ExportReader;

/// The store platforms goldpan reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Shopify,
}

/// How to read exports; filled from the command line.
#[derive(Clone, Debug, Default)]
pub struct IngestOptions {
    /// Force a format instead of recognizing it from the header.
    pub format: Option<Format>,
    /// Order of day and month in slash dates; `None` means dmy, with a note.
    pub date_order: Option<DateOrder>,
    /// The only currency counted; `None` means the file must have one.
    pub currency: Option<String>,
    /// Words that, as a whole billing company, mean "no company".
    pub extra_non_company_words: Vec<String>,
}

/// What ingest did with the rows it was given.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct IngestReport {
    pub files: usize,
    pub rows_read: u64,
    pub orders_read: u64,
    /// Orders whose id had already been read from an earlier file.
    pub duplicate_orders: u64,
}

/// The orders table and how it was built.
pub struct Ingested {
    pub orders: DataFrame,
    pub report: IngestReport,
}

/// Reads every export into one orders table. The same order id in two files
/// counts once (the first file's copy is kept).
pub fn read_orders(paths: &[String], options: &IngestOptions) -> Result<Ingested> {
    let mut orders = OrdersBuilder::default();
    let mut report = IngestReport::default();
    for path in paths {
        let mut reader = ExportReader::open(path)?;
        let format = match options.format {
            Some(format) => format,
            None => detect(&reader)?,
        };
        let before = orders.len();
        let read = match format {
            Format::Shopify => shopify::read(&mut reader, &mut orders, options)?,
        };
        report.files += 1;
        report.rows_read += read.rows;
        report.orders_read += read.orders;
        report.duplicate_orders += read.orders - (orders.len() - before) as u64;
    }
    let orders = apply_currency(orders.finish()?, options.currency.as_deref())?;
    Ok(Ingested { orders, report })
}

/// What a format module read from one file.
pub struct FileCounts {
    pub rows: u64,
    pub orders: u64,
}

/// Recognizes the export from its header, or says what the file looks like.
fn detect(reader: &ExportReader) -> Result<Format> {
    let has = |name: &str| reader.column(name).is_some();
    if has("Name") && has("Lineitem quantity") && has("Financial Status") {
        return Ok(Format::Shopify);
    }
    let looks_like = if has("Abandoned Checkout URL") {
        "a Shopify abandoned-checkouts export (checkouts that never became orders)"
    } else if has("Total Spent") && has("Total Orders") {
        "a Shopify customers export (it has no order dates)"
    } else if has("Name") && has("Lineitem quantity") {
        "a Shopify orders export without the Financial Status column"
    } else {
        "no export goldpan knows"
    };
    bail!(
        "{}: not an orders export: it looks like {looks_like}; its header starts {}. \
         Export orders from Shopify (Admin › Orders › Export, CSV for Excel or plain CSV)",
        reader.file(),
        reader.header_preview()
    )
}

/// Several currencies cannot be added up: stop, unless one was chosen, in which
/// case orders in the others are excluded.
fn apply_currency(orders: DataFrame, chosen: Option<&str>) -> Result<DataFrame> {
    let currencies = orders.column(col::CURRENCY)?.unique_stable()?;
    let mut names: Vec<String> = currencies
        .str()?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    names.sort();
    match chosen {
        None if names.len() > 1 => bail!(
            "the export mixes currencies ({}): amounts in different currencies cannot be added; \
             pick one with --currency {}",
            names.join(", "),
            names[0]
        ),
        None => Ok(orders),
        Some(code) => {
            let code = code.to_ascii_uppercase();
            if !names.is_empty() && !names.contains(&code) {
                bail!(
                    "--currency {code}: no order is in {code}; the export has {}",
                    names.join(", ")
                );
            }
            let other = polars::prelude::col(col::CURRENCY)
                .is_not_null()
                .and(polars::prelude::col(col::CURRENCY).neq(lit(code)))
                .and(polars::prelude::col(col::EXCLUDED).is_null());
            Ok(orders
                .lazy()
                .with_column(
                    when(other)
                        .then(lit(Exclusion::OtherCurrency.as_str()))
                        .otherwise(polars::prelude::col(col::EXCLUDED))
                        .alias(col::EXCLUDED),
                )
                .collect()?)
        }
    }
}
