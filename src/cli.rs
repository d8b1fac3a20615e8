//! The input flags every command that reads orders flattens in. (The
//! settings, thresholds included, are `crate::config::Settings`.)

use crate::config::Resolved;
use crate::exit_codes::usage;
use crate::ingest::mapping::Mapping;
use crate::ingest::{Format, IngestOptions};
use chrono::NaiveDate;
use std::path::PathBuf;

/// What a store name may be, for messages.
const NAME_RULE: &str = "a store name is 1 to 64 letters, digits, '-', '_' or '.'";

/// `raw` as a store name, if it is one: it goes into every list's store
/// column and into messages, so it is kept plain (no commas, quotes or
/// control characters a spreadsheet or a terminal would act on).
fn store_name(raw: &str) -> Option<String> {
    let ok = (1..=64).contains(&raw.chars().count())
        && raw
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then(|| raw.to_string())
}

/// The file name of `path` without its folder, without `.gz` or `.zip` and
/// then `.csv` (any case): `exports/shop_a.csv.gz` is `shop_a`.
fn file_stem(path: &str) -> &str {
    let name = std::path::Path::new(path)
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or(path);
    let without = |name: &'_ str, suffix: &str| -> Option<usize> {
        let cut = name.len().checked_sub(suffix.len())?;
        let end = name.get(cut..)?;
        (cut > 0 && end.eq_ignore_ascii_case(suffix)).then_some(cut)
    };
    let mut stem = name;
    if let Some(cut) = without(stem, ".gz").or_else(|| without(stem, ".zip")) {
        stem = &stem[..cut];
    }
    if let Some(cut) = without(stem, ".csv") {
        stem = &stem[..cut];
    }
    stem
}

/// Which exports to read and how.
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Order export files (CSV, CSV.gz, or a zip of CSVs such as Shopify's
    /// orders_export_1.zip) of Shopify, BigCommerce or WooCommerce,
    /// recognized by their header. `-` reads standard input. An
    /// order found in several files (overlapping monthly exports) counts once.
    /// A Shopify customers export given too adds B2B hints (tax exempt,
    /// wholesale tags, company) and the current marketing consent to the
    /// customers who ordered.
    #[arg(required = true, value_name = "EXPORT")]
    pub exports: Vec<String>,

    /// Read the exports as this format instead of recognizing it from the header.
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// The day the figures are computed for: "days since last order" counts up
    /// to this date, and orders dated after it are left out (counted as
    /// after_as_of), so a past day's lists can be rebuilt [default: today]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cli::date_arg)]
    pub as_of: Option<NaiveDate>,

    /// Read exports of any other system by naming their columns, e.g.
    /// --map "order=Order No,date=Ordered,total=Amount,email=Buyer E-mail,quantity=Qty".
    /// Keys: order, date, total (required), email, customer_id, quantity,
    /// refunded, status, company, name, phone, zip, country, currency,
    /// consent; for products, buyers and related: product, sku, line_quantity,
    /// line_price
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

    /// Read each export as its own store, named after its file (shop_a.csv is
    /// store shop_a): an order is a store and an order number, so two stores'
    /// #1001 are two orders, and a customer is one per store. The lists and
    /// customers files get a store column first; figures cover the stores
    /// together
    #[arg(long)]
    pub separate_stores: bool,

    /// Name the store of one export instead of after its file (implies
    /// --separate-stores); give two files one NAME to read them as overlapping
    /// exports of one store
    #[arg(long, value_name = "NAME=FILE")]
    pub store: Vec<String>,
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
            stores: self.stores()?,
            line_items: false,
            skip_contact_details: false,
        })
    }

    /// With `--separate-stores` or `--store`, the store of each export, in
    /// the order of the exports: its `--store` name, else its file name
    /// without `.csv`, `.gz` or `.zip`. Two files are one store only when
    /// `--store` gives them one name.
    pub fn stores(&self) -> anyhow::Result<Option<Vec<String>>> {
        if !self.separate_stores && self.store.is_empty() {
            return Ok(None);
        }
        let mut named: Vec<Option<String>> = vec![None; self.exports.len()];
        for given in &self.store {
            let Some((name, file)) = given.split_once('=') else {
                usage!("--store {given}: expected NAME=FILE, e.g. --store shop_a=orders.csv");
            };
            let Some(name) = store_name(name) else {
                usage!("--store {given}: {NAME_RULE}");
            };
            let Some(i) = self.exports.iter().position(|export| export == file) else {
                usage!(
                    "--store {given}: {file} is not one of the exports given (name it as it is \
                     given, e.g. --store {name}={})",
                    self.exports[0]
                );
            };
            if named[i].is_some() {
                usage!("--store: {file} is named twice");
            }
            named[i] = Some(name);
        }
        let mut stores: Vec<(String, bool)> = Vec::with_capacity(self.exports.len());
        for (export, named) in self.exports.iter().zip(named) {
            let store = match named {
                Some(name) => (name, true),
                None => {
                    let stem = (export != "-").then(|| file_stem(export));
                    let Some(name) = stem.and_then(store_name) else {
                        usage!(
                            "{export}: no store name can be made of this file name ({NAME_RULE}); \
                             name its store with --store NAME={export}"
                        );
                    };
                    (name, false)
                }
            };
            // Only names given on purpose put two files in one store.
            if let Some(other) = stores
                .iter()
                .position(|(name, explicit)| *name == store.0 && !(*explicit && store.1))
            {
                usage!(
                    "{} and {export} would both be store {}: name each with --store NAME=FILE \
                     (one name for both reads them as exports of one store)",
                    self.exports[other],
                    store.0
                );
            }
            stores.push(store);
        }
        Ok(Some(stores.into_iter().map(|(name, _)| name).collect()))
    }

    /// With separate stores, each store's name once, in the order of the
    /// exports; empty otherwise.
    pub fn store_names(&self) -> anyhow::Result<Vec<String>> {
        let mut stores = self.stores()?.unwrap_or_default();
        let mut seen = std::collections::HashSet::new();
        stores.retain(|store| seen.insert(store.clone()));
        Ok(stores)
    }

    pub fn as_of(&self) -> NaiveDate {
        self.as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}

/// A date flag's value. clap's own message for a bad one ("input contains
/// invalid characters") does not say which form a date takes.
pub fn date_arg(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|err| {
        if err.kind() == chrono::format::ParseErrorKind::OutOfRange {
            "there is no such day".to_string()
        } else {
            "expected a date as YYYY-MM-DD (year, month, day), e.g. 2026-01-31".to_string()
        }
    })
}
