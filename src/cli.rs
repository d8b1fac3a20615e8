//! The input flags every command that reads orders flattens in. (The
//! settings, thresholds included, are `crate::config::Settings`.)

use crate::config::Resolved;
use crate::ingest::mapping::Mapping;
use crate::ingest::{Format, IngestOptions};
use chrono::NaiveDate;
use std::path::PathBuf;

/// Which exports to read and how.
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Order export files (CSV, CSV.gz, or a zip of CSVs such as Shopify's
    /// orders_export_1.zip) of Shopify, BigCommerce or WooCommerce,
    /// recognized by their header. `-` reads standard input. An
    /// order found in several files (overlapping monthly exports) counts once.
    /// A Shopify customers export given too adds B2B hints (tax exempt,
    /// wholesale tags, company) to the customers who ordered.
    #[arg(required = true, value_name = "EXPORT")]
    pub exports: Vec<String>,

    /// Read the exports as this format instead of recognizing it from the header.
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// The day the figures are computed for: "days since last order" counts up
    /// to this date, and orders dated after it are left out (counted as
    /// after_as_of), so a past day's lists can be rebuilt [default: today]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,

    /// Read exports of any other system by naming their columns, e.g.
    /// --map "order=Order No,date=Ordered,total=Amount,email=Buyer E-mail,quantity=Qty".
    /// Keys: order, date, total (required), email, customer_id, quantity,
    /// refunded, status, company, name, phone, zip, country, currency
    #[arg(long, value_name = "KEY=COLUMN,…", conflicts_with = "format")]
    pub map: Vec<String>,

    /// Skip malformed rows (wrong number of fields, unreadable date, amount or
    /// quantity) instead of stopping at the first; they are counted in the
    /// summary and listed by --rejects
    #[arg(long)]
    pub skip_bad_rows: bool,

    /// Write the rows --skip-bad-rows skipped to this CSV file
    /// (columns file, line, reason, raw)
    #[arg(long, value_name = "FILE", requires = "skip_bad_rows")]
    pub rejects: Option<PathBuf>,
}

impl InputArgs {
    /// How ingest reads the exports: these flags and the settings that concern it.
    pub fn ingest_options(&self, settings: &Resolved) -> anyhow::Result<IngestOptions> {
        let mapping = if self.map.is_empty() {
            None
        } else {
            Some(Mapping::parse(&self.map)?)
        };
        Ok(IngestOptions {
            format: self.format,
            mapping,
            date_order: settings.date_order(),
            currency: settings.currency(),
            extra_non_company_words: settings.extra_non_company_words(),
            skip_bad_rows: self.skip_bad_rows,
        })
    }

    pub fn as_of(&self) -> NaiveDate {
        self.as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}
