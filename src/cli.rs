//! Command-line flags shared by several subcommands.

use crate::config::{Settings, date_order_name};
use crate::ingest::fields::DateOrder;
use crate::ingest::mapping::Mapping;
use crate::ingest::{Format, IngestOptions};
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
    pub fn ingest_options(&self) -> anyhow::Result<IngestOptions> {
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

    /// The settings these flags set (currency, date order).
    pub fn settings(&self) -> Settings {
        Settings {
            currency: self.currency.clone(),
            date_order: self.date_order.map(date_order_name),
            ..Settings::default()
        }
    }

    pub fn as_of(&self) -> NaiveDate {
        self.as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}

/// The thresholds of the segments (SEGMENTS.md section 4). Each may also be
/// set in the config file; a flag given here overrides it.
#[derive(clap::Args, Debug, Clone)]
pub struct RuleArgs {
    /// bulk_b2b: a customer with one order of at least this many items [default: 36]
    #[arg(long, value_name = "ITEMS")]
    pub bulk_order_qty: Option<i64>,

    /// bulk_b2b: a customer with at least this many items over all orders [default: 72]
    #[arg(long, value_name = "ITEMS")]
    pub bulk_total_qty: Option<i64>,

    /// bulk_b2b: also count an e-mail at a non-free-mail domain as a business
    /// (otherwise `work_email` is only shown in the reasons column)
    #[arg(long)]
    pub work_email_is_b2b: bool,

    /// lapsed_<N>: lower bounds of the lapsed bands in days, ascending; each
    /// band runs to the next bound, the last one has no end [default: 60,90]
    #[arg(long, value_delimiter = ',', value_name = "DAYS,…")]
    pub lapsed_days: Option<Vec<i64>>,

    /// top_<P>: the P% of customers with the most revenue (rounded up) [default: 20]
    #[arg(long, value_name = "P",
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub top_percent: Option<u32>,

    /// aov_low/aov_high: a customer's average order below LOW × or above
    /// HIGH × the store's average order [default: 0.5,2]
    #[arg(long, value_delimiter = ',', value_name = "LOW,HIGH")]
    pub aov_bands: Option<Vec<f64>>,

    /// bulk_b2b: more free-mail domains (addresses there are not work e-mails),
    /// added to the built-in list
    #[arg(long, value_delimiter = ',', value_name = "DOMAIN,…")]
    pub extra_free_mail_domains: Option<Vec<String>>,

    /// More words that, as a whole billing company, mean "no company", added
    /// to the built-in ones (n/a, none, self, …)
    #[arg(long, value_delimiter = ',', value_name = "WORD,…")]
    pub extra_non_company_words: Option<Vec<String>>,
}

impl RuleArgs {
    /// The settings these flags set (the top layer of `crate::config`).
    pub fn settings(&self) -> Settings {
        Settings {
            bulk_order_qty: self.bulk_order_qty,
            bulk_total_qty: self.bulk_total_qty,
            work_email_is_b2b: self.work_email_is_b2b.then_some(true),
            lapsed_days: self.lapsed_days.clone(),
            top_percent: self.top_percent,
            aov_bands: self.aov_bands.clone(),
            extra_free_mail_domains: self.extra_free_mail_domains.clone(),
            extra_non_company_words: self.extra_non_company_words.clone(),
            ..Settings::default()
        }
    }
}
