//! Command-line flags shared by several subcommands.

use crate::ingest::fields::DateOrder;
use crate::ingest::mapping::Mapping;
use crate::ingest::{Format, IngestOptions};
use crate::segments::Rules;
use anyhow::{Result, bail};
use chrono::NaiveDate;
use std::path::PathBuf;

/// Which exports to read and how: flattened into every command that reads orders.
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Order export files (CSV, or CSV.gz) of Shopify, BigCommerce or
    /// WooCommerce, recognized by their header. `-` reads standard input. An
    /// order found in several files (overlapping monthly exports) counts once.
    /// A Shopify customers export given too adds B2B hints (tax exempt,
    /// wholesale tags, company) to the customers who ordered.
    #[arg(required = true, value_name = "EXPORT")]
    pub exports: Vec<String>,

    /// Read the exports as this format instead of recognizing it from the header.
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// The day the figures are computed for: "days since last order" counts up
    /// to this date [default: today]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,

    /// Count only orders in this currency (the others are excluded). Needed
    /// when an export mixes currencies, which cannot be added up.
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,

    /// Order of day and month in dates such as 02/07/2021 (BigCommerce) [default: dmy]
    #[arg(long, value_enum)]
    pub date_order: Option<DateOrder>,

    /// Read exports of any other system by naming their columns, e.g.
    /// --map "order=Order No,date=Ordered,total=Amount,email=Buyer E-mail,quantity=Qty".
    /// Keys: order, date, total (required), email, customer_id, quantity,
    /// refunded, status, company, name, phone, currency
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
    pub fn ingest_options(&self) -> Result<IngestOptions> {
        let mapping = if self.map.is_empty() {
            None
        } else {
            Some(Mapping::parse(&self.map)?)
        };
        Ok(IngestOptions {
            format: self.format,
            mapping,
            date_order: self.date_order,
            currency: self.currency.clone(),
            extra_non_company_words: Vec::new(),
            skip_bad_rows: self.skip_bad_rows,
        })
    }

    pub fn as_of(&self) -> NaiveDate {
        self.as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}

/// The thresholds of the segments (SEGMENTS.md section 4).
#[derive(clap::Args, Debug, Clone)]
pub struct RuleArgs {
    /// bulk_b2b: a customer with one order of at least this many items
    #[arg(long, default_value_t = 36, value_name = "ITEMS")]
    pub bulk_order_qty: i64,

    /// bulk_b2b: a customer with at least this many items over all orders
    #[arg(long, default_value_t = 72, value_name = "ITEMS")]
    pub bulk_total_qty: i64,

    /// bulk_b2b: also count an e-mail at a non-free-mail domain as a business
    /// (otherwise `work_email` is only shown in the reasons column)
    #[arg(long)]
    pub work_email_is_b2b: bool,

    /// lapsed_<N>: lower bounds of the lapsed bands in days, ascending; each
    /// band runs to the next bound, the last one has no end
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "60,90",
        value_name = "DAYS,…"
    )]
    pub lapsed_days: Vec<i64>,

    /// top_<P>: the P% of customers with the most revenue (rounded up)
    #[arg(long, default_value_t = 20, value_name = "P",
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub top_percent: u32,

    /// aov_low/aov_high: a customer's average order below LOW × or above
    /// HIGH × the store's average order
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0.5,2",
        value_name = "LOW,HIGH"
    )]
    pub aov_bands: Vec<f64>,
}

impl RuleArgs {
    pub fn rules(&self) -> Result<Rules> {
        let ascending = self.lapsed_days.windows(2).all(|w| w[0] < w[1]);
        if self.lapsed_days.is_empty() || !ascending || self.lapsed_days[0] < 0 {
            bail!(
                "--lapsed-days: expected ascending whole days such as 60,90, got {:?}",
                self.lapsed_days
            );
        }
        let [low, high] = self.aov_bands[..] else {
            bail!("--aov-bands: expected two factors LOW,HIGH such as 0.5,2");
        };
        if !(low > 0.0 && low <= high && high.is_finite()) {
            bail!("--aov-bands: expected 0 < LOW ≤ HIGH, got {low},{high}");
        }
        Ok(Rules {
            bulk_order_qty: self.bulk_order_qty,
            bulk_total_qty: self.bulk_total_qty,
            work_email_is_b2b: self.work_email_is_b2b,
            extra_free_mail_domains: Vec::new(),
            lapsed_days: self.lapsed_days.clone(),
            top_percent: self.top_percent,
            aov_low: low,
            aov_high: high,
        })
    }
}
