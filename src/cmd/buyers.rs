//! `goldpan buyers`: the customers who bought a product, and not another
//! (docs/products.md).

use super::{protect_inputs, read_exports_with_items};
use crate::cli::InputArgs;
use crate::config::{self, Settings};
use crate::consent;
use crate::customers::field;
use crate::exit_codes::usage;
use crate::lists::{self, AS_OF};
use crate::model::epoch_days;
use crate::output::{self, Emitter, files, write_atomically};
use crate::products::{self, Buyer, Pattern, Purchases};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::{BooleanChunked, Column, DataType, IntoLazy, lit};
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

/// Columns a buyers list has after the segment lists' columns.
pub const MATCHED_PRODUCTS: &str = "matched_products";
pub const MATCHED_UNITS: &str = "matched_units";
pub const LAST_BOUGHT: &str = "last_bought";

/// Write the customers who bought a product (and not another) as a customer list
///
/// A product matches a pattern when its name, its name with the variant, or
/// its SKU contains the pattern (any case); a pattern with * is a glob that
/// must match the whole name or SKU (napkin*blue, DN-*). Several --bought mean
/// any of them; a customer who ever bought a product matching a --not-bought
/// is left out. --since counts only purchases (for --bought) on or after
/// that date. Only orders with a customer count.
///
/// The list has the columns of the segment lists (store first with separate
/// stores), then matched_products (the products that matched, "; " between
/// them), matched_units, last_bought and as_of, sorted like the segment lists
/// (revenue, then e-mail). --consent leaves out customers as it does in the
/// segment lists.
///
///   goldpan buyers orders.csv --bought "dinner napkin" --not-bought "cocktail napkin" --out cocktail.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// A product bought: part of its name or SKU, or a glob with *
    #[arg(long, required = true, value_name = "PATTERN")]
    pub bought: Vec<String>,

    /// Leave out customers who ever bought a product matching this
    #[arg(long, value_name = "PATTERN")]
    pub not_bought: Vec<String>,

    /// Count only purchases (of --bought) on or after this date
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cli::date_arg)]
    pub since: Option<NaiveDate>,

    /// File to write (replaced atomically; a missing folder is created); `-`
    /// writes to stdout
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Do not put a ' before cells a spreadsheet would run as a formula
    /// (for programs, not spreadsheets, reading the file)
    #[arg(long)]
    pub no_formula_escape: bool,

    #[command(flatten)]
    pub settings: Settings,
}

/// Patterns from the flag's values; a usage error for an empty one, which
/// would match every product.
fn patterns(flag: &str, values: &[String]) -> Result<Vec<Pattern>> {
    if let Some(empty) = values
        .iter()
        .find(|v| v.trim().is_empty() || v.trim().chars().all(|c| c == '*'))
    {
        usage!(
            "--{flag} \"{empty}\": give part of a product's name or SKU (it would match every product)"
        );
    }
    Ok(values.iter().map(|v| Pattern::new(v)).collect())
}

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    let settings = config::settings(config_file, &args.settings)?;
    let bought = patterns("bought", &args.bought)?;
    let not_bought = patterns("not-bought", &args.not_bought)?;
    // Usage mistakes and an output that is an input, before reading.
    protect_inputs(&args.input)?;
    let to_stdout = args.out.as_os_str() == "-";
    if !to_stdout {
        files::refuse_dangling_link(&args.out)?;
        files::refuse_input(&args.out)?;
    }
    let data = read_exports_with_items(&args.input, &settings)?;
    let items = data.items.as_ref().expect("read with items");
    let purchases = Purchases::of(&data.orders, items, settings.product_identity())?;
    // What the list needs of the orders and line items is in `purchases`
    // now: their memory goes back before the list is made.
    drop((data.orders, data.items));
    crate::allocator::give_back_freed_memory();
    // A pattern that matches nothing is most likely a typo: it would give an
    // empty list (or, in --not-bought, filter nothing) without a word.
    for (flag, values, patterns) in [
        ("bought", &args.bought, &bought),
        ("not-bought", &args.not_bought, &not_bought),
    ] {
        for (value, pattern) in values.iter().zip(patterns) {
            if !purchases.any_matches(pattern) {
                output::note(&format!(
                    "no product matches --{flag} \"{value}\" (`goldpan products` lists the products)"
                ));
            }
        }
    }
    let since = args.since.map(epoch_days);
    let found = products::buyers(&purchases, &bought, &not_bought, since);
    let as_of = data.as_of;
    let mut table = with_matches(data.customers, &found)?
        .lazy()
        .with_column(lit(as_of.to_string()).alias(AS_OF))
        .collect()?;
    let consent = match settings.lists_consent() {
        Some(rule) => {
            let (kept, tally) = consent::apply(table, rule)?;
            table = kept;
            Some((rule, tally))
        }
        None => None,
    };
    // This list is for mailing: without a consent rule everyone stays, and
    // stderr says how many of them said no to marketing.
    if consent.is_none() {
        let declined = consent::declined(&table)?;
        if declined > 0 {
            output::note(&format!(
                "{} of the {} customers listed declined marketing (accepts_marketing = no): \
                 --consent not-declined leaves them out, as goldpan audience --list does",
                declined,
                table.height()
            ));
        }
    }
    let columns = [MATCHED_PRODUCTS, MATCHED_UNITS, LAST_BOUGHT, AS_OF];
    let escape = !args.no_formula_escape;
    let write =
        |out: &mut dyn std::io::Write| lists::write_customers(&table, &columns, escape, out);
    if to_stdout {
        write(&mut Emitter::new(false).list_out())?;
    }
    if let Some((rule, tally)) = &consent {
        if let Some(warning) = consent::warning(*rule, tally) {
            output::warn(&warning);
        }
        for line in consent::told(*rule, tally) {
            output::say(&line);
        }
    }
    let what = describe(args);
    if !to_stdout {
        write_atomically(&args.out, write)?;
        output::say(&format!(
            "{} customers {what} as of {as_of} written to {}",
            table.height(),
            args.out.display()
        ));
    }
    Ok(())
}

/// "who bought \"dinner napkin\" but not \"cocktail napkin\" since 2025-01-01".
fn describe(args: &Args) -> String {
    let quoted = |values: &[String]| {
        values
            .iter()
            .map(|v| format!("\"{v}\""))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let mut what = format!("who bought {}", quoted(&args.bought));
    if !args.not_bought.is_empty() {
        what.push_str(&format!(" but never {}", quoted(&args.not_bought)));
    }
    if let Some(since) = args.since {
        what.push_str(&format!(" (since {since})"));
    }
    what
}

/// The customers of `found`, rows of the customers table in its order, with
/// the matched columns.
fn with_matches(
    customers: polars::prelude::DataFrame,
    found: &FxHashMap<String, Buyer>,
) -> Result<polars::prelude::DataFrame> {
    let keys = customers.column(field::CUSTOMER)?.str()?.clone();
    let matched: Vec<Option<&Buyer>> = keys
        .iter()
        .map(|key| key.and_then(|key| found.get(key)))
        .collect();
    let keep = BooleanChunked::from_iter(matched.iter().map(|m| Some(m.is_some())));
    let products: Vec<Option<&str>> = matched
        .iter()
        .map(|m| m.map(|b| b.products.as_str()))
        .collect();
    let units: Vec<Option<i64>> = matched.iter().map(|m| m.map(|b| b.units)).collect();
    let last: Vec<Option<i32>> = matched.iter().map(|m| m.map(|b| b.last_bought)).collect();
    let mut table = customers;
    table.with_column(Column::new(MATCHED_PRODUCTS.into(), products))?;
    table.with_column(Column::new(MATCHED_UNITS.into(), units))?;
    table.with_column(Column::new(LAST_BOUGHT.into(), last).cast(&DataType::Date)?)?;
    Ok(table.filter(&keep)?)
}
