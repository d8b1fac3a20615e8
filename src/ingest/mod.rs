//! From export files to the normalized orders table (`crate::model`).
//!
//! This module opens files (plain, gzip, stdin), recognizes which export a
//! file is from its header, and hands each file to the module of its format.
//! Those modules are the only places that know a platform's column names.

mod bigcommerce;
pub mod fields;
pub mod mapping;
mod reader;
mod shopify;
mod shopify_customers;
mod woocommerce;

use crate::model::{Exclusion, OrdersBuilder, col};
use anyhow::{Result, bail};
use fields::DateOrder;
use polars::prelude::{DataFrame, IntoLazy, lit, when};
pub use reader::{ExportReader, RowError};

/// The store platforms goldpan reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Shopify,
    Bigcommerce,
    Woocommerce,
}

/// How to read exports; filled from the command line.
#[derive(Clone, Debug, Default)]
pub struct IngestOptions {
    /// Force a format instead of recognizing it from the header.
    pub format: Option<Format>,
    /// Read every file through this column mapping (`--map`).
    pub mapping: Option<mapping::Mapping>,
    /// Order of day and month in slash dates; `None` means dmy, with a note.
    pub date_order: Option<DateOrder>,
    /// The only currency counted; `None` means the file must have one.
    pub currency: Option<String>,
    /// Words that, as a whole billing company, mean "no company".
    pub extra_non_company_words: Vec<String>,
    /// Set malformed rows aside (counted, listed) instead of stopping.
    pub skip_bad_rows: bool,
}

/// What ingest did with the rows it was given.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct IngestReport {
    pub files: usize,
    /// Data rows of the orders exports, rejected ones included.
    pub rows_read: u64,
    /// Orders read, counting an order found in two files twice.
    pub orders_read: u64,
    /// Orders whose id had already been read from an earlier file.
    pub duplicate_orders: u64,
    /// Orders in the table: orders_read − duplicate_orders.
    pub orders_built: u64,
    /// Rows set aside by --skip-bad-rows.
    pub rows_rejected: u64,
    /// Customers read from Shopify customers exports (B2B hints).
    pub customers_export_rows: u64,
}

/// A row set aside by `--skip-bad-rows`.
#[derive(Clone, Debug)]
pub struct Rejected {
    pub file: String,
    pub line: u64,
    pub reason: String,
    /// The record re-joined as CSV.
    pub raw: String,
}

/// The orders table and how it was built.
pub struct Ingested {
    pub orders: DataFrame,
    /// B2B hints per e-mail from customers exports (see
    /// [`crate::model::hint_col`]), if any.
    pub hints: Option<DataFrame>,
    pub report: IngestReport,
    pub rejected: Vec<Rejected>,
}

/// Where a format module puts what it reads.
pub struct Sink<'a> {
    pub orders: &'a mut OrdersBuilder,
    pub options: &'a IngestOptions,
    rejected: &'a mut Vec<Rejected>,
}

impl Sink<'_> {
    /// A row that cannot be read: stops the run, or with `--skip-bad-rows` is
    /// set aside with its reason. Errors about the whole file always stop.
    pub fn reject(&mut self, reader: &ExportReader, err: RowError) -> Result<()> {
        if err.fatal {
            return Err(err.into());
        }
        if !self.options.skip_bad_rows {
            bail!("{err} (to skip such rows, count them and go on, use --skip-bad-rows)");
        }
        self.rejected.push(Rejected {
            file: err.file.clone(),
            line: err.line,
            reason: err.reason(),
            raw: reader.raw_record(),
        });
        Ok(())
    }

    /// Reads every row of a file with `read_row`. A row that cannot be read
    /// or that `read_row` fails on is rejected (or stops the run); when
    /// `order_id` names the order-id column, the later rows of that order are
    /// rejected with it.
    pub fn each_row(
        &mut self,
        reader: &mut ExportReader,
        order_id: Option<usize>,
        mut read_row: impl FnMut(&ExportReader, &mut Sink, &mut FileCounts) -> Result<(), RowError>,
    ) -> Result<FileCounts> {
        let mut counts = FileCounts::default();
        loop {
            match reader.next_row() {
                Ok(true) => counts.rows += 1,
                Ok(false) => return Ok(counts),
                Err(err) => {
                    counts.rows += 1;
                    self.reject(reader, err)?;
                    continue;
                }
            }
            if let Err(err) = read_row(reader, self, &mut counts) {
                let id = order_id.and_then(|column| reader.cell(column).ok());
                if let Some(id) = id.map(str::trim).filter(|id| !id.is_empty()) {
                    self.orders.reject(id, reader.line());
                }
                self.reject(reader, err)?;
            }
        }
    }
}

/// Reads every export into one orders table. The same order id in two files
/// counts once (the first file's copy is kept).
pub fn read_orders(paths: &[String], options: &IngestOptions) -> Result<Ingested> {
    let mut orders = OrdersBuilder::default();
    let mut report = IngestReport::default();
    let mut rejected = Vec::new();
    let mut hints = shopify_customers::Hints::default();
    let mut order_files = 0;
    for path in paths {
        let mut reader = ExportReader::open(path)?;
        report.files += 1;
        if options.mapping.is_none() && shopify_customers::recognizes(&reader) {
            report.customers_export_rows += shopify_customers::read(&mut reader, &mut hints)?;
            continue;
        }
        orders.start_file();
        let format = match options.format {
            _ if options.mapping.is_some() => None,
            Some(format) => Some(format),
            None => Some(detect(&reader)?),
        };
        let before = orders.len();
        let mut sink = Sink {
            orders: &mut orders,
            options,
            rejected: &mut rejected,
        };
        let read = match format {
            None => mapping::read(&mut reader, &mut sink)?,
            Some(Format::Shopify) => shopify::read(&mut reader, &mut sink)?,
            Some(Format::Bigcommerce) => bigcommerce::read(&mut reader, &mut sink)?,
            Some(Format::Woocommerce) => woocommerce::read(&mut reader, &mut sink)?,
        };
        order_files += 1;
        report.rows_read += read.rows;
        report.orders_read += read.orders;
        report.duplicate_orders += read.orders - (orders.len() - before) as u64;
    }
    if order_files == 0 {
        bail!(
            "only a Shopify customers export was given: it has no orders (no dates, no order \
             totals), so it can only add B2B hints to the customers of an orders export. \
             Give the orders export too, e.g. goldpan summary orders_export.csv customers_export.csv"
        );
    }
    report.orders_built = orders.len() as u64;
    report.rows_rejected = rejected.len() as u64;
    let orders = apply_currency(orders.finish()?, options.currency.as_deref())?;
    Ok(Ingested {
        orders,
        hints: hints.finish()?,
        report,
        rejected,
    })
}

/// What a format module read from one file.
#[derive(Default)]
pub struct FileCounts {
    /// Data rows, rejected ones included.
    pub rows: u64,
    /// Orders pushed into the table (or found to be duplicates).
    pub orders: u64,
}

/// Recognizes the export from its header, or says what the file looks like.
fn detect(reader: &ExportReader) -> Result<Format> {
    let has = |name: &str| reader.column(name).is_some();
    if has("Name") && has("Lineitem quantity") && has("Financial Status") {
        return Ok(Format::Shopify);
    }
    if bigcommerce::recognizes(reader) {
        return Ok(Format::Bigcommerce);
    }
    if woocommerce::recognizes(reader) {
        return Ok(Format::Woocommerce);
    }
    let looks_like = if has("Abandoned Checkout URL") {
        "a Shopify abandoned-checkouts export (checkouts that never became orders)"
    } else if has("Name") && has("Lineitem quantity") {
        "a Shopify orders export without the Financial Status column"
    } else {
        "no export goldpan knows"
    };
    bail!(
        "{}: not an orders export: it looks like {looks_like}; its header starts {}. \
         goldpan reads the orders exports of Shopify (Admin › Orders › Export), BigCommerce \
         (Orders › Export) and WooCommerce (Customer/Order/Coupon Export); for any other file, \
         name its columns with --map, e.g. --map order=Order No,date=Ordered,total=Amount,email=E-mail",
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
