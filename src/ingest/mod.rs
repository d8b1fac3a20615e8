//! From export files to the normalized orders table (`crate::model`).
//!
//! This module opens files (plain, gzip, zip, stdin), recognizes which export a
//! file is from its header through the table of [`FORMATS`], and hands each
//! file to the module of its format. Those modules are the only places that
//! know a platform's column names; the cells every format reads alike are
//! read by [`row`], and rows become orders in [`grouping`].

mod archive;
mod bigcommerce;
// The format module CONTRIBUTING.md walks through, compiled and run by the
// tests so that the guide stays true; not in FORMATS.
#[cfg(test)]
mod example_format;
pub mod fields;
#[cfg(test)]
mod fuzz;
#[cfg(test)]
pub(crate) mod fuzz_mutations;
mod grouping;
pub mod mapping;
mod reader;
mod row;
mod shopify;
mod shopify_customers;
mod woocommerce;

use crate::model::{Exclusion, col};
use anyhow::{Result, bail};
use fields::DateOrder;
use grouping::{FileCounts, Sink};
use polars::prelude::{DataFrame, IntoLazy, lit, when};
pub use reader::{ExportReader, Header, RowError};
use shopify_customers::Hints;
use std::sync::LazyLock;

/// Every export goldpan recognizes by its header. One entry drives
/// detection, `--format`, the "not an orders export" message and the
/// README's table of exports ([`formats_table`]).
pub const FORMATS: [Format; 4] = [
    shopify::FORMAT,
    bigcommerce::FORMAT,
    woocommerce::FORMAT,
    shopify_customers::FORMAT,
];

/// An export goldpan reads: what it is, how to get it, how to recognize and
/// read it. Also the values of `--format` (the entries that read orders).
#[derive(Clone, Copy, Debug)]
pub struct Format {
    /// The `--format` value; also how messages name the format.
    pub name: &'static str,
    /// The platform, as store owners call it: "Shopify".
    pub platform: &'static str,
    /// What the export lists, after the platform: "orders".
    pub lists: &'static str,
    /// Where in the store's admin to export it, in one line.
    pub how_to_export: &'static str,
    /// More on exporting it, for the README's table; "" when nothing to add.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "only the README's table shows it")
    )]
    pub export_tips: &'static str,
    /// Columns the header must have to be this export's: each entry is one
    /// column, or alternatives of which one is enough.
    pub identifying_columns: &'static [&'static [&'static str]],
    /// Other files with similar headers, named in the "not an orders export"
    /// message.
    pub lookalikes: &'static [Lookalike],
    pub read: Read,
}

/// A file that is close to an export goldpan reads, but is not one.
#[derive(Clone, Copy, Debug)]
pub struct Lookalike {
    /// Columns that, all present, give it away.
    pub columns: &'static [&'static str],
    /// What it is, after "it looks like".
    pub is: &'static str,
}

/// How a format's file is read.
#[derive(Clone, Copy, Debug)]
pub enum Read {
    /// An orders export: its rows become orders.
    Orders(fn(&mut ExportReader, &mut Sink) -> Result<FileCounts>),
    /// A customers export, read beside orders for B2B hints only; returns its
    /// number of rows.
    CustomerHints(fn(&mut ExportReader, &mut Hints) -> Result<u64>),
}

impl Format {
    /// Whether the header has every identifying column.
    pub fn recognizes(&self, header: &Header) -> bool {
        self.identifying_columns
            .iter()
            .all(|alternatives| alternatives.iter().any(|name| header.has(name)))
    }

    pub fn reads_orders(&self) -> bool {
        matches!(self.read, Read::Orders(_))
    }

    /// "Shopify orders".
    pub fn title(&self) -> String {
        format!("{} {}", self.platform, self.lists)
    }
}

/// `--format`: the entries of [`FORMATS`] that read orders (a customers
/// export has no orders to read a file "as"), by name.
impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        static ORDER_FORMATS: LazyLock<Vec<Format>> =
            LazyLock::new(|| FORMATS.into_iter().filter(Format::reads_orders).collect());
        &ORDER_FORMATS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name))
    }
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
    /// With separate stores (`--separate-stores`), the store of each file, in
    /// the order of the paths; `None` reads every file as the one store's.
    pub stores: Option<Vec<String>>,
    /// Keep every order's line items ([`Ingested::items`]): only the
    /// commands about products ask, the others never pay for them.
    pub line_items: bool,
    /// Leave the customers' contact details (company, name, phone, zip,
    /// country, marketing consent) unread: for `products`, which lists no
    /// customer. Their cells are never looked at, so the orders table has
    /// none of them.
    pub skip_contact_details: bool,
}

impl IngestOptions {
    /// `column`, the column of a contact detail; `None` when contact details
    /// are skipped.
    pub fn contact(&self, column: Option<usize>) -> Option<usize> {
        column.filter(|_| !self.skip_contact_details)
    }
}

/// What ingest did with the rows it was given.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct IngestReport {
    pub files: usize,
    /// Data rows of the orders exports, rejected ones included:
    /// rows_used + rows_rejected.
    pub rows_read: u64,
    /// Rows that made an order or added items to one.
    pub rows_used: u64,
    /// Orders read, counting an order found in two files twice.
    pub orders_read: u64,
    /// Copies of orders found in several files, left out: the copy from the
    /// most recent export counts.
    pub duplicate_orders: u64,
    /// Of those, copies that differ from the one kept (e.g. a refund only the
    /// newer export has).
    pub differing_duplicates: u64,
    /// Orders in the table: orders_read − duplicate_orders.
    pub orders_built: u64,
    /// Orders built but dated after the as-of date: left out of everything,
    /// so that `--as-of` rebuilds the lists as they were on that day.
    pub after_as_of: u64,
    /// Rows set aside by --skip-bad-rows; a row spanning several lines counts
    /// once per line.
    pub rows_rejected: u64,
    /// Customers read from Shopify customers exports (B2B hints).
    pub customers_export_rows: u64,
}

/// A row set aside by `--skip-bad-rows`.
#[derive(Clone, Debug)]
pub struct Rejected {
    pub file: String,
    pub line: u64,
    /// Physical lines the row spans (a quoted cell can hold line breaks).
    pub lines: u64,
    pub reason: String,
    /// The record re-joined as CSV.
    pub raw: String,
}

/// The orders table and how it was built.
pub struct Ingested {
    pub orders: DataFrame,
    /// The line-items table ([`crate::model::item_col`]) when
    /// [`IngestOptions::line_items`] asked for it.
    pub items: Option<DataFrame>,
    /// B2B hints per e-mail from customers exports (see
    /// [`crate::model::hint_col`]), if any.
    pub hints: Option<DataFrame>,
    pub report: IngestReport,
    pub rejected: Vec<Rejected>,
    /// What people should know about how the files were read (e.g. how
    /// ambiguous dates were read), one line each, for stderr.
    pub notes: Vec<String>,
}

/// Reads every export into one orders table. The same order id in several
/// files counts once (the most recent export's copy is kept).
pub fn read_orders(paths: &[String], options: &IngestOptions) -> Result<Ingested> {
    let mut sink = Sink::new(options);
    let mut report = IngestReport::default();
    let mut hints = Hints::default();
    let mut order_files = 0;
    let store_of = |i: usize| options.stores.as_ref().map(|stores| stores[i].as_str());
    // With separate stores, the files of customers exports and their stores,
    // to be matched with a store that has orders once every file is read.
    let mut hint_stores: Vec<(&str, &str)> = Vec::new();
    // A zip is several sources, all of its path's store.
    let sources = paths
        .iter()
        .map(|path| reader::sources(path))
        .collect::<Result<Vec<_>>>()?;
    let sources = sources
        .iter()
        .enumerate()
        .flat_map(|(i, sources)| sources.iter().map(move |source| (i, source)));
    for (i, source) in sources {
        let path = &paths[i];
        let mut reader = ExportReader::open_source(source)?;
        report.files += 1;
        hints.store = store_of(i).map(str::to_string);
        if let Some(store) = store_of(i) {
            sink.orders.start_store(store);
        }
        let read = match format_of(&reader, options)? {
            None => mapping::read(&mut reader, &mut sink)?,
            Some(Format {
                read: Read::Orders(read),
                ..
            }) => read(&mut reader, &mut sink)?,
            Some(Format {
                read: Read::CustomerHints(read),
                ..
            }) => {
                report.customers_export_rows += read(&mut reader, &mut hints)?;
                hint_stores.extend(store_of(i).map(|store| (path.as_str(), store)));
                continue;
            }
        };
        sink.order_stores.extend(store_of(i).map(str::to_string));
        order_files += 1;
        report.rows_read += read.rows;
        report.rows_used += read.used;
        report.orders_read += read.orders;
    }
    if order_files == 0 {
        bail!(
            "only a Shopify customers export was given: it has no orders (no dates, no order \
             totals), so it can only add B2B hints to the customers of an orders export. \
             Give the orders export too, e.g. goldpan summary orders_export.csv customers_export.csv"
        );
    }
    if let Some((file, store)) = hint_stores
        .iter()
        .find(|(_, store)| !sink.order_stores.iter().any(|s| s == store))
    {
        bail!(
            "{file}: a customers export adds B2B hints to the customers of its store, and no \
             orders export is of store {store}: with --separate-stores, give it the name of its \
             orders export's store, e.g. --store NAME=orders.csv --store NAME={file}"
        );
    }
    report.rows_rejected = sink.rejected.iter().map(|row| row.lines).sum();
    let built = sink.orders.finish()?;
    report.orders_built = built.orders.height() as u64;
    if report.orders_built == 0 {
        // Lists rebuilt from no orders would empty every list of last week's
        // run: nothing is written.
        let files = and_list(paths);
        if report.rows_read == 0 {
            bail!(
                "{files}: the export has a header but no orders: nothing to compute, nothing \
                 written. Export again (was a filter or a date range set in the store admin?)"
            );
        }
        bail!(
            "{files}: no order could be read ({} row(s) rejected): nothing to compute, nothing \
             written",
            report.rows_rejected
        );
    }
    sink.notes.extend(built.same_orders_in_stores);
    report.duplicate_orders = built.duplicates;
    report.differing_duplicates = built.differing_duplicates;
    if built.differing_duplicates > 0 {
        sink.notes.push(format!(
            "{} order(s) found in several files differ between the files (a later refund, \
             cancellation or edit): the copy from the most recent export counts (the file \
             whose newest order is the latest)",
            built.differing_duplicates
        ));
    }
    let orders = apply_currency(built.orders, options.currency.as_deref())?;
    Ok(Ingested {
        orders,
        items: built.items,
        hints: hints.finish()?,
        report,
        rejected: sink.rejected,
        notes: sink.notes,
    })
}

/// The format to read a file as; `None` to read it through `--map`.
fn format_of(reader: &ExportReader, options: &IngestOptions) -> Result<Option<Format>> {
    if options.mapping.is_some() {
        return Ok(None);
    }
    match options.format {
        // A customers export is still recognized: it has no orders to force.
        Some(forced) => Ok(Some(
            detect(reader.header(), reader.file())
                .ok()
                .filter(|format| !format.reads_orders())
                .unwrap_or(forced),
        )),
        None => detect(reader.header(), reader.file()).map(Some),
    }
}

/// The one format whose identifying columns the header has; else an error
/// that says what the file looks like and which exports goldpan reads.
fn detect(header: &Header, file: &str) -> Result<Format> {
    let claimed: Vec<&Format> = FORMATS.iter().filter(|f| f.recognizes(header)).collect();
    match claimed[..] {
        [format] => return Ok(*format),
        [first, second, ..] => bail!(
            "{}: the header fits two exports, {} ({}) and {} ({}); its header starts {}. \
             Say which it is with --format",
            file,
            first.title(),
            first.name,
            second.title(),
            second.name,
            header.preview()
        ),
        [] => {}
    }
    let looks_like = FORMATS
        .iter()
        .flat_map(|format| format.lookalikes)
        .find(|lookalike| lookalike.columns.iter().all(|name| header.has(name)))
        .map_or("no export goldpan knows", |lookalike| lookalike.is);
    let exports: Vec<String> = FORMATS
        .iter()
        .filter(|format| format.reads_orders())
        .map(|format| format!("{} ({})", format.platform, format.how_to_export))
        .collect();
    bail!(
        "{}: not an orders export: it looks like {looks_like}; its header starts {}. \
         goldpan reads the orders exports of {}; for any other file, name its columns with \
         --map, e.g. --map order=Order No,date=Ordered,total=Amount,email=E-mail",
        file,
        header.preview(),
        and_list(&exports)
    )
}

/// "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The README's table of exports, in Markdown: one row per entry of
/// [`FORMATS`], then `--map`. A test keeps the README's copy equal to it.
#[cfg(test)]
pub fn formats_table() -> String {
    let row = |cells: [&str; 4]| format!("| {} |\n", cells.join(" | "));
    let mut table = row(["export", "`--format`", "how to get it", "recognized by"]);
    table.push_str(&row(["---"; 4]));
    for format in &FORMATS {
        let (export, flag) = if format.reads_orders() {
            (format.title(), format!("`{}`", format.name))
        } else {
            let export = format!("{} (optional, next to an orders export)", format.title());
            (export, String::new())
        };
        let how = match format.export_tips {
            "" => format.how_to_export.to_string(),
            tips => format!("{} ({tips})", format.how_to_export),
        };
        let columns: Vec<String> = format
            .identifying_columns
            .iter()
            .map(|alternatives| {
                let names: Vec<String> = alternatives.iter().map(|n| format!("`{n}`")).collect();
                names.join(" or ")
            })
            .collect();
        table.push_str(&row([&export, &flag, &how, &columns.join(", ")]));
    }
    table.push_str(&row([
        "anything else",
        "",
        "name its columns with `--map`",
        "",
    ]));
    table
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
        None if names.len() > 1 && orders.schema().contains(col::STORE) => {
            bail!(
                "the stores are in different currencies ({}): amounts in different currencies \
                 cannot be added up. Run each store on its own, or count only one currency with \
                 --currency {}",
                currencies_by_store(&orders)?,
                names[0]
            )
        }
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
            // Only the orders that say they are in the chosen currency count:
            // a blank currency, when other orders have one, is not known to
            // be it. (An export without currencies at all is all in --currency.)
            let currency = polars::prelude::col(col::CURRENCY);
            let other = when(currency.clone().is_null())
                .then(lit(!names.is_empty()))
                .otherwise(currency.neq(lit(code)))
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

/// "shop_a: EUR; shop_b: INR", each store's currencies, for a message.
fn currencies_by_store(orders: &DataFrame) -> Result<String> {
    let pairs = orders.select([col::STORE, col::CURRENCY])?.unique_stable(
        None,
        polars::prelude::UniqueKeepStrategy::First,
        None,
    )?;
    let (stores, currencies) = (
        pairs.column(col::STORE)?.str()?,
        pairs.column(col::CURRENCY)?.str()?,
    );
    let mut by_store: Vec<(String, Vec<String>)> = Vec::new();
    for (store, currency) in stores.iter().zip(currencies.iter()) {
        let (Some(store), Some(currency)) = (store, currency) else {
            continue;
        };
        match by_store.iter_mut().find(|(name, _)| name == store) {
            Some((_, codes)) => codes.push(currency.to_string()),
            None => by_store.push((store.to_string(), vec![currency.to_string()])),
        }
    }
    Ok(by_store
        .into_iter()
        .map(|(store, mut codes)| {
            codes.sort();
            format!("{store}: {}", codes.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;
    use std::path::Path;

    /// What detection should make of a file.
    #[derive(Debug)]
    enum Expected {
        /// Recognized as the format of this name.
        Is(&'static str),
        /// "not an orders export: it looks like …".
        NotOrders(&'static str),
        /// Refused before its header is looked at, saying this.
        Unreadable(&'static str),
    }
    use Expected::*;

    /// Every export in fixtures/, and what detection makes of it. A new
    /// fixture must be added here.
    const FIXTURES: [(&str, Expected); 57] = [
        (
            "abandoned_checkouts.csv",
            NotOrders("a Shopify abandoned-checkouts export"),
        ),
        ("b2b_signals_customers.csv", Is("shopify-customers")),
        ("b2b_signals_orders.csv", Is("shopify")),
        ("bad_amount.csv", Is("shopify")),
        ("bad_date.csv", Is("shopify")),
        ("bigcommerce_ambiguous_dates.csv", Is("bigcommerce")),
        (
            "bigcommerce_orders_2021-2024_urbanseeds_EXCERPT.csv",
            Is("bigcommerce"),
        ),
        ("bigcommerce_repeated_order.csv", Is("bigcommerce")),
        ("bigcommerce_small.csv", Is("bigcommerce")),
        ("boundaries_bulk.csv", Is("shopify")),
        ("boundaries_lapsed.csv", Is("shopify")),
        ("boundaries_top_aov.csv", Is("shopify")),
        ("cohorts_orders.csv", NotOrders("no export goldpan knows")),
        ("excel_resaved_dates.csv", Is("shopify")),
        ("excel_resaved_scientific.csv", Is("shopify")),
        (
            "excel_resaved_semicolon.csv",
            Unreadable("the header is separated by ';'"),
        ),
        ("cdnow_sample.csv", NotOrders("no export goldpan knows")),
        ("cdnow_reference.py", Unreadable("not an export")),
        ("encrypted_orders.zip", Unreadable("this file is encrypted")),
        ("gen_orders_3000_seed42.csv.gz", Is("shopify")),
        ("generic_orders.csv", NotOrders("no export goldpan knows")),
        (
            "generic_orders_consent.csv",
            NotOrders("no export goldpan knows"),
        ),
        ("make_cdnow_fixture.py", Unreadable("not an export")),
        ("mixed_currency.csv", Is("shopify")),
        ("shop_candles.csv", Is("shopify")),
        ("shop_linen.csv", Is("shopify")),
        ("shopify_b2b_customers.csv", Is("shopify-customers")),
        ("shopify_customers_consent.csv", Is("shopify-customers")),
        ("shopify_b2b_orders.csv", Is("shopify")),
        ("shopify_bad_rows.csv", Is("shopify")),
        (
            "shopify_customers_2020_synthetic_satwikkansal.csv",
            Is("shopify-customers"),
        ),
        (
            "shopify_customers_2024_bodybar_ANONYMIZED.csv",
            Is("shopify-customers"),
        ),
        ("shopify_feb.csv", Is("shopify")),
        ("shopify_feb.csv.gz", Is("shopify")),
        ("shopify_jan.csv", Is("shopify")),
        (
            "shopify_orders_2024_looker101_ANONYMIZED.csv",
            Is("shopify"),
        ),
        ("shopify_orders_2025_devstore_forezia.csv", Is("shopify")),
        (
            "shopify_orders_2025_devstore_ramkumar_ANONYMIZED.csv",
            Is("shopify"),
        ),
        ("shopify_orders_consent.csv", Is("shopify")),
        ("shopify_orders_export.zip", Is("shopify")),
        ("shopify_orders_week1_cron.csv", Is("shopify")),
        ("shopify_orders_week2_cron.csv", Is("shopify")),
        ("shopify_orders_winback_week1.csv", Is("shopify")),
        ("shopify_orders_winback_week2.csv", Is("shopify")),
        ("shopify_traps.csv", Is("shopify")),
        ("woocommerce_default.csv", Is("woocommerce")),
        ("woocommerce_items.csv", Is("woocommerce")),
        ("woocommerce_items_bad_rows.csv", Is("woocommerce")),
        ("make_hand_fixtures.py", Unreadable("not an export")),
        ("make_product_fixtures.py", Unreadable("not an export")),
        ("products_bigcommerce.csv", Is("bigcommerce")),
        ("products_broken_phone.csv", Is("shopify")),
        ("products_generic.csv", NotOrders("no export goldpan knows")),
        ("products_shopify.csv", Is("shopify")),
        ("products_woocommerce_default.csv", Is("woocommerce")),
        ("products_woocommerce_items.csv", Is("woocommerce")),
        ("related_lift_one.csv", Is("shopify")),
    ];

    fn fixtures_dir() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
    }

    #[test]
    fn every_fixture_is_recognized_as_expected() {
        let mut listed: Vec<&str> = FIXTURES.iter().map(|(name, _)| *name).collect();
        let mut found: Vec<String> = std::fs::read_dir(fixtures_dir())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        listed.sort();
        found.sort();
        assert_eq!(
            listed, found,
            "fixtures/ and FIXTURES differ: add the new file"
        );

        for (name, expected) in &FIXTURES {
            if name.ends_with(".py") {
                continue;
            }
            let path = fixtures_dir().join(name).to_string_lossy().into_owned();
            // A zip's CSVs must all be of the expected format.
            let detected: Result<Vec<&str>, String> = reader::sources(&path)
                .and_then(|sources| sources.iter().map(ExportReader::open_source).collect())
                .map_err(|err| format!("unreadable: {err:#}"))
                .and_then(|readers: Vec<ExportReader>| {
                    readers
                        .iter()
                        .map(|reader| {
                            detect(reader.header(), reader.file())
                                .map(|format| format.name)
                                .map_err(|err| format!("{err:#}"))
                        })
                        .collect()
                });
            match (expected, &detected) {
                (Is(format), Ok(got)) if !got.is_empty() && got.iter().all(|g| g == format) => {}
                (NotOrders(looks_like), Err(err))
                    if err
                        .contains(&format!("not an orders export: it looks like {looks_like}")) => {
                }
                (Unreadable(problem), Err(err))
                    if err.starts_with("unreadable") && err.contains(problem) => {}
                _ => panic!("{name}: expected {expected:?}, got {detected:?}"),
            }
        }
    }

    fn header(names: &[&str]) -> Header {
        Header::new(names.iter().map(|name| name.to_string()).collect())
    }

    #[test]
    fn each_format_alone_claims_its_own_columns() {
        for format in &FORMATS {
            let columns: Vec<&str> = format
                .identifying_columns
                .iter()
                .map(|alternatives| alternatives[0])
                .collect();
            let detected = detect(&header(&columns), "f.csv").unwrap();
            assert_eq!(detected.name, format.name);
        }
    }

    #[test]
    fn a_header_two_formats_claim_is_an_error_naming_both() {
        let both = header(&[
            "Name",
            "Lineitem quantity",
            "Financial Status",
            "order_id",
            "status",
            "order_total",
        ]);
        let err = detect(&both, "both.csv").unwrap_err().to_string();
        assert!(
            err.starts_with(
                "both.csv: the header fits two exports, Shopify orders (shopify) and \
                 WooCommerce orders (woocommerce)"
            ),
            "{err}"
        );
        assert!(err.ends_with("Say which it is with --format"), "{err}");
    }

    #[test]
    fn format_values_are_the_orders_formats() {
        let values: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(Format::to_possible_value)
            .map(|value| value.get_name().to_string())
            .collect();
        let orders: Vec<&str> = FORMATS
            .iter()
            .filter(|format| format.reads_orders())
            .map(|format| format.name)
            .collect();
        assert_eq!(values, orders);
        assert_eq!(
            Format::from_str("woocommerce", false).unwrap().name,
            "woocommerce"
        );
        assert!(Format::from_str("shopify-customers", false).is_err());
    }

    #[test]
    fn the_readme_has_the_formats_table() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let (start, end) = ("<!-- formats:start -->\n", "<!-- formats:end -->");
        let from = readme
            .find(start)
            .expect("README.md has <!-- formats:start -->")
            + start.len();
        let to = from
            + readme[from..]
                .find(end)
                .expect("README.md has <!-- formats:end -->");
        let table = formats_table();
        assert!(
            readme[from..to] == table,
            "README.md's table of exports is not the registry's; put this between the markers:\n{table}"
        );
    }

    #[test]
    fn the_contributing_example_is_the_example_format_module() {
        let guide =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/CONTRIBUTING.md"))
                .unwrap();
        let module = include_str!("example_format.rs");
        // The guide shows it inside a list item, indented by three spaces.
        let indented: String = module
            .lines()
            .map(|line| match line {
                "" => "\n".to_string(),
                _ => format!("   {line}\n"),
            })
            .collect();
        assert!(
            guide.contains(&format!("   ```rust\n{indented}   ```\n")),
            "CONTRIBUTING.md must show src/ingest/example_format.rs as it is"
        );
    }

    #[test]
    fn the_contributing_example_format_reads_line_items_into_orders() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("squarespace.csv");
        std::fs::write(
            &path,
            "Order ID,Created at,Total,Lineitem quantity,Email,Amount Refunded,Financial Status\n\
             1001,2025-01-02 10:00:00 +0000,30.00,2,Ann@Shop.com,5.00,PAID\n\
             1001,2025-01-02 10:00:00 +0000,30.00,3,Ann@Shop.com,5.00,PAID\n\
             1002,2025-01-03 10:00:00 +0000,12.00,1,bob@shop.com,,Canceled\n",
        )
        .unwrap();
        let mut reader = ExportReader::open(&path.to_string_lossy()).unwrap();
        assert!(example_format::FORMAT.recognizes(reader.header()));
        let Read::Orders(read) = example_format::FORMAT.read else {
            panic!("the example reads orders");
        };
        let options = IngestOptions::default();
        let mut sink = Sink::new(&options);
        let counts = read(&mut reader, &mut sink).unwrap();
        assert_eq!((counts.rows, counts.orders), (3, 2));
        let orders = sink.orders.finish().unwrap().orders;
        let column = |name: &str| {
            orders
                .column(name)
                .unwrap()
                .as_materialized_series()
                .clone()
        };
        assert_eq!(column(col::QUANTITY).i64().unwrap().get(0), Some(5));
        assert_eq!(column(col::NET).i64().unwrap().get(0), Some(2500));
        assert_eq!(
            column(col::EMAIL).str().unwrap().get(0),
            Some("ann@shop.com")
        );
        assert_eq!(
            column(col::EXCLUDED).str().unwrap().get(1),
            Some("cancelled")
        );
    }

    #[test]
    fn line_items_are_kept_only_when_asked_for() {
        let paths = [fixtures_dir()
            .join("products_shopify.csv")
            .to_string_lossy()
            .into_owned()];
        let plain = read_orders(&paths, &IngestOptions::default()).unwrap();
        assert!(
            plain.items.is_none(),
            "summary and segments never hold them"
        );
        let options = IngestOptions {
            line_items: true,
            ..IngestOptions::default()
        };
        let with_items = read_orders(&paths, &options).unwrap();
        assert_eq!(with_items.items.unwrap().height(), 12);
        assert_eq!(plain.orders.height(), with_items.orders.height());
    }

    #[test]
    fn and_lists_read_like_english() {
        let items = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(and_list(&items(&["a"])), "a");
        assert_eq!(and_list(&items(&["a", "b"])), "a and b");
        assert_eq!(and_list(&items(&["a", "b", "c"])), "a, b and c");
    }
}
