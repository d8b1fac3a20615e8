//! One module per subcommand, each with its flags and a `run`.

pub mod audience;
pub mod buyers;
pub mod cohorts;
pub mod completions;
pub mod config;
pub mod customers;
pub mod diff;
pub mod products;
pub mod related;
pub mod report;
pub mod segments;
pub mod summary;

use crate::cli::InputArgs;
use crate::config::{KEYS as SETTING_KEYS, Resolved};
use crate::exit_codes::usage;
use crate::ingest::{self, IngestOptions, IngestReport, Rejected};
use crate::model::col as order;
use crate::output::{self, date_from_days, files, formula_safe, write_atomically};
use crate::predict::{self, Models};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::{ChunkAgg, DataFrame, DataType, IntoLazy};
use std::io::Write;
use std::path::Path;

/// Settings that decide which orders are read and how: every command that
/// reads exports uses them.
const READING: &[&str] = &["currency", "date_order"];

/// Settings that decide who is in a segment.
const SEGMENT_RULES: &[&str] = &[
    "bulk_order_qty",
    "bulk_total_qty",
    "company_is_b2b",
    "work_email_is_b2b",
    "lapsed_days",
    "top_percent",
    "aov_bands",
    "extra_free_mail_domains",
    // The company column, and a company is a bulk_b2b signal.
    "extra_non_company_words",
];

/// Settings that decide which line items are one product.
const PRODUCT_IDENTITY: &[&str] = &["product_key", "by_variant"];

/// The commands [`settings_used`] answers for, in the order messages name them.
const COMMANDS_WITH_SETTINGS: [&str; 9] = [
    "segments",
    "customers",
    "audience",
    "report",
    "summary",
    "cohorts",
    "products",
    "buyers",
    "related",
];

/// The settings that change a command's output: its `--help` lists only
/// these, and it refuses the others as flags (goldpan.toml may set them all:
/// one file serves every command). `None` for a command that takes every
/// setting (`config`, which shows them) or none (`diff`, `completions`).
///
/// - `summary`: `aov_bands` (the AOV band rows), `lifespan_years` (clv),
///   `horizon_days` (predicted_revenue_<DAYS>d). Its top shares are the fixed
///   top 10% and 20%, so not `top_percent`; it shows no B2B, lapsed or
///   company figure, so none of the other segment rules.
/// - `segments`, `customers`: every segment rule (who is in each list, the
///   `true`/`false` columns) and `horizon_days` (the prediction columns);
///   `segments` also `consent` (who a list leaves out when a rule is given).
/// - `audience`: every segment rule and `consent` (who is in the upload); it
///   writes no prediction.
/// - `report`: every segment rule (the lists' sizes, the AOV bands),
///   `lifespan_years` (clv), `horizon_days` (the predicted revenue and
///   the P(alive) chart), what makes a product and `min_customers` (the
///   products section).
/// - `cohorts`: only the orders read.
/// - `products`: what makes one product (`product_key`, `by_variant`).
/// - `buyers`: that, and `consent` (who the list leaves out when a rule is given).
/// - `related`: that, `min_customers` (the pairs kept) and `consent` (who
///   next_items.csv leaves out).
pub fn settings_used(command: &str) -> Option<Vec<&'static str>> {
    let only = |extra: &[&'static str]| Some([READING, extra].concat());
    match command {
        "summary" => only(&["aov_bands", "lifespan_years", "horizon_days"]),
        "segments" => only(&[SEGMENT_RULES, &["horizon_days", "consent"]].concat()),
        "customers" => only(&[SEGMENT_RULES, &["horizon_days"]].concat()),
        "audience" => only(&[SEGMENT_RULES, &["consent"]].concat()),
        "report" => only(
            &[
                SEGMENT_RULES,
                PRODUCT_IDENTITY,
                &["lifespan_years", "horizon_days", "min_customers"],
            ]
            .concat(),
        ),
        "cohorts" => only(&[]),
        "products" => only(PRODUCT_IDENTITY),
        "buyers" => only(&[PRODUCT_IDENTITY, &["consent"]].concat()),
        "related" => only(&[PRODUCT_IDENTITY, &["min_customers", "consent"]].concat()),
        _ => None,
    }
}

/// `command` with each subcommand's unused settings hidden from its `--help`
/// (clap_complete's bash script still offers them; they are refused).
pub fn hide_unused_settings(mut command: clap::Command) -> clap::Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    for name in names {
        let Some(used) = settings_used(&name) else {
            continue;
        };
        command = command.mut_subcommand(&name, |mut sub| {
            for (key, _) in SETTING_KEYS.iter().filter(|(key, _)| !used.contains(key)) {
                sub = sub.mut_arg(*key, |arg| arg.hide(true));
            }
            sub
        });
    }
    command
}

/// A usage error when a hidden (unused) setting was given as a flag: it
/// would change nothing, and saying so beats ignoring it.
pub fn refuse_unused_settings(matches: &clap::ArgMatches) -> Result<()> {
    let Some((name, sub)) = matches.subcommand() else {
        return Ok(());
    };
    let Some(used) = settings_used(name) else {
        return Ok(());
    };
    let unused = SETTING_KEYS.iter().map(|(key, _)| *key).filter(|key| {
        !used.contains(key) && sub.value_source(key) == Some(clap::parser::ValueSource::CommandLine)
    });
    if let Some(key) = unused.into_iter().next() {
        let users: Vec<&str> = COMMANDS_WITH_SETTINGS
            .into_iter()
            .filter(|command| settings_used(command).is_some_and(|used| used.contains(&key)))
            .collect();
        usage!(
            "--{} does not change what `goldpan {name}` prints; it is a setting of {}",
            key.replace('_', "-"),
            users.join(", ")
        );
    }
    Ok(())
}

/// An export whose newest order is more than this many days before the as-of
/// date is probably stale: a note says so.
pub const STALE_AFTER_DAYS: i64 = 30;

/// The exports, read into the orders and customers tables.
pub struct Dataset {
    pub orders: DataFrame,
    /// The line-items table, read only by [`read_exports_with_items`].
    pub items: Option<DataFrame>,
    pub customers: DataFrame,
    /// The customers' purchase histories, for the prediction models
    /// (`predict::histories`).
    pub histories: DataFrame,
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
    read_dataset(input, settings, false)
}

/// [`read_exports`] with the line-items table: for the commands about
/// products only, so that the others never hold it.
pub fn read_exports_with_items(input: &InputArgs, settings: &Resolved) -> Result<Dataset> {
    let data = read_dataset(input, settings, true)?;
    require_items(input, data.items.as_ref())?;
    Ok(data)
}

/// The orders and line-items tables without the customers table: for
/// `products`, which counts customers from the line items.
/// It lists no customer, so the customers' contact details are not read.
pub fn read_orders_with_items(input: &InputArgs, settings: &Resolved) -> Result<OrdersRead> {
    let mut options = input.ingest_options(settings)?;
    options.line_items = true;
    options.skip_contact_details = true;
    let read = read_orders_table(input, &options)?;
    require_items(input, read.items.as_ref())?;
    Ok(read)
}

fn require_items(input: &InputArgs, items: Option<&DataFrame>) -> Result<()> {
    if items.map_or(0, DataFrame::height) == 0 {
        anyhow::bail!(
            "{}: no line items: the exports name no product (Shopify: Lineitem name; \
             BigCommerce: Product Details; WooCommerce: line_items or item_name; --map: \
             product=COLUMN)",
            input.exports.join(", ")
        );
    }
    Ok(())
}

/// The exports read, with the line-items table when `line_items` (which
/// may then be empty: the exports name no product).
pub fn read_dataset(input: &InputArgs, settings: &Resolved, line_items: bool) -> Result<Dataset> {
    let mut options = input.ingest_options(settings)?;
    options.line_items = line_items;
    let read = read_orders_table(input, &options)?;
    let (customers, histories) = crate::customers::customers_and_histories(
        &read.orders,
        read.hints.map(IntoLazy::lazy),
        read.as_of,
    )?;
    let customers = customers.collect()?;
    crate::allocator::give_back_freed_memory();
    Ok(Dataset {
        customers,
        histories,
        orders: read.orders,
        items: read.items,
        report: read.report,
        as_of: read.as_of,
        notes: read.notes,
    })
}

/// The exports read into the orders table (and the line items when
/// `line_items`), before the customers table is built from it.
pub struct OrdersRead {
    pub orders: DataFrame,
    pub items: Option<DataFrame>,
    /// What a customers export says of each customer (see [`crate::customers`]).
    pub hints: Option<DataFrame>,
    pub report: IngestReport,
    pub as_of: NaiveDate,
    pub notes: Vec<String>,
}

/// Reads the exports, as `options` (from the command line) say, into the
/// orders table: the orders up to the as-of date; writes `--rejects` when
/// asked, and prints the notes.
fn read_orders_table(input: &InputArgs, options: &IngestOptions) -> Result<OrdersRead> {
    protect_inputs(input)?;
    let as_of = input.as_of();
    let mut ingested = ingest::read_orders(&input.exports, options)?;
    crate::allocator::give_back_freed_memory();
    let before = ingested.orders.height();
    ingested.orders = orders_until(ingested.orders, as_of)?;
    ingested.report.after_as_of = (before - ingested.orders.height()) as u64;
    if ingested.orders.height() == 0 {
        // As with an export without orders: lists rebuilt from none would
        // empty every list of last week's run, and the figures would be
        // those of an empty store.
        anyhow::bail!(
            "{}: all {before} order(s) are dated after the as-of date {as_of}: nothing to \
             compute, nothing written (is --as-of right?)",
            input.exports.join(", ")
        );
    }
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
    Ok(OrdersRead {
        orders: ingested.orders,
        items: ingested.items,
        hints: ingested.hints,
        report: ingested.report,
        as_of,
        notes,
    })
}

/// The orders dated on or before `as_of`: the lists as they were that day.
fn orders_until(orders: DataFrame, as_of: NaiveDate) -> Result<DataFrame> {
    // Most runs leave nothing out: then the table is not copied.
    let last = orders
        .column(order::DATE)?
        .as_materialized_series()
        .max::<i32>()?;
    if last.is_none_or(|last| last <= crate::model::epoch_days(as_of)) {
        return Ok(orders);
    }
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
    /// The purchase histories the models were fitted on.
    pub histories: DataFrame,
    pub horizon_days: u32,
    /// Why no model could be fitted (also in the dataset's notes).
    pub unfitted_because: Option<String>,
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
    let histories = data.histories.clone();
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
                histories,
                horizon_days,
                unfitted_because: Some(why.to_string()),
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
        histories,
        horizon_days,
        unfitted_because: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new setting must be given to the commands whose output it changes
    /// here, or no command but `config` would take it.
    #[test]
    fn every_setting_changes_some_command() {
        for (key, _) in SETTING_KEYS {
            assert!(
                COMMANDS_WITH_SETTINGS
                    .iter()
                    .any(|command| settings_used(command).unwrap().contains(key)),
                "{key}: add it to settings_used"
            );
        }
        for command in COMMANDS_WITH_SETTINGS {
            for key in settings_used(command).unwrap() {
                assert!(
                    SETTING_KEYS.iter().any(|(k, _)| *k == key),
                    "{key} is no setting"
                );
            }
        }
    }
}
