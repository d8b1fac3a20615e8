//! `goldpan related`: products bought by the same customers, and what to
//! mail each customer next (docs/products.md).

use super::{protect_inputs, read_exports_with_items};
use crate::cli::InputArgs;
use crate::config::{self, Settings};
use crate::consent;
use crate::customers::field;
use crate::exit_codes::usage;
use crate::output::{self, Emitter, files, formula_safe};
use crate::products::{self, MAX_PRODUCTS_PER_CUSTOMER, Purchases, Related, Suggestion};
use anyhow::Result;
use polars::prelude::DataFrame;
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

/// The files `related` writes into its folder.
pub const PAIRS: &str = "pairs.csv";
pub const NEXT_ITEMS: &str = "next_items.csv";

/// Write which products the same customers buy (pairs.csv) and, for each
/// customer, the related products they have not bought yet (next_items.csv)
///
/// pairs.csv: product_a, product_b, customers_a, customers_b, customers_both,
/// confidence, lift. A pair is two products bought by one customer, in one
/// order or in different ones. confidence = customers_both / customers_a (the
/// share of A's customers who also bought B); lift = confidence / the share
/// of all customers who bought B (above 1: B goes with A more than chance).
/// Each pair is listed both ways (A then B, B then A), by lift, then
/// customers_both, then name; pairs with fewer than --min-customers customers
/// in both are left out as noise.
///
/// next_items.csv: for each customer, up to --per-customer products they have
/// not bought, each from the strongest pair (the order of pairs.csv; a lift
/// above 1 only) from a product they did buy (because_of): the mailing list
/// of related items, rank 1 the strongest. With
/// --consent it leaves out customers as the segment lists do.
///
/// Customers with more than 200 different products (resellers, test accounts)
/// are left out of both files: their pairs would grow as the square of their
/// products and say little about what goes with what. They are counted.
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Folder for pairs.csv and next_items.csv (created if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Products suggested to each customer in next_items.csv, at most
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub per_customer: usize,

    /// Do not put a ' before cells a spreadsheet would run as a formula
    /// (for programs, not spreadsheets, reading the files)
    #[arg(long)]
    pub no_formula_escape: bool,

    /// Print the counts as one JSON object on stdout
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub settings: Settings,
}

/// What was written, for `--json` and people.
#[derive(Debug, serde::Serialize)]
struct Report {
    as_of: String,
    out: String,
    min_customers: u64,
    /// Customers whose products were paired.
    customers: u64,
    /// Customers left out for having more than `max_products_per_customer`.
    customers_over_the_bound: u64,
    max_products_per_customer: usize,
    /// Rows of pairs.csv (each pair twice, once each way).
    pairs: u64,
    /// Rows of next_items.csv, and the customers they are for.
    next_items: u64,
    next_items_customers: u64,
    #[serde(flatten)]
    consent: Option<consent::Tally>,
    notes: Vec<String>,
}

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    if args.out.as_os_str() == "-" {
        usage!("--out -: related writes two files; give a folder");
    }
    let settings = config::settings(config_file, &args.settings)?;
    protect_inputs(&args.input)?;
    files::refuse_dangling_link(&args.out)?;
    files::create_folder(&args.out)?;
    files::lock_folder(&args.out)?;
    for name in [PAIRS, NEXT_ITEMS] {
        files::refuse_input(&args.out.join(name))?;
    }
    let data = read_exports_with_items(&args.input, &settings)?;
    let items = data.items.as_ref().expect("read with items");
    let purchases = Purchases::of(&data.orders, items, settings.product_identity())?;
    // What the list needs of the orders and line items is in `purchases`
    // now: their memory goes back before the list is made.
    drop((data.orders, data.items));
    crate::allocator::give_back_freed_memory();
    let by_customer = purchases.products_by_customer();
    let min_customers = settings.min_customers();
    let related = products::related(&purchases, &by_customer, min_customers);
    let next = products::next_items(&related, &by_customer, args.per_customer);

    let mut customers = data.customers;
    let consent = match settings.lists_consent() {
        Some(rule) => {
            let (kept, tally) = consent::apply(customers, rule)?;
            customers = kept;
            Some((rule, tally))
        }
        None => None,
    };
    let escape = !args.no_formula_escape;
    let suggested = Suggested::of(&purchases, &next);
    let pairs = files::stage(&args.out.join(PAIRS), |out| {
        write_pairs(&purchases, &related, escape, out)
    })?;
    let mut rows = (0, 0);
    let next_file = files::stage(&args.out.join(NEXT_ITEMS), |out| {
        rows = write_next_items(
            &customers,
            &suggested,
            &purchases,
            &related,
            &data.as_of.to_string(),
            escape,
            out,
        )?;
        Ok(())
    })?;
    files::commit_all(vec![pairs, next_file])?;

    let report = Report {
        as_of: data.as_of.to_string(),
        out: args.out.display().to_string(),
        min_customers,
        customers: related.customers,
        customers_over_the_bound: related.over_the_bound,
        max_products_per_customer: MAX_PRODUCTS_PER_CUSTOMER,
        pairs: related.pairs.len() as u64,
        next_items: rows.0,
        next_items_customers: rows.1,
        consent: consent.map(|(_, tally)| tally),
        notes: data.notes,
    };
    if let Some((rule, tally)) = consent.as_ref().map(|(r, t)| (*r, t)) {
        if let Some(warning) = consent::warning(rule, tally) {
            output::warn(&warning);
        }
        for line in consent::told(rule, tally) {
            output::say(&format!("next_items.csv: {line}"));
        }
    }
    tell(&report);
    let emitter = Emitter::new(args.json);
    if emitter.wants_json() {
        emitter.json(&report)?;
    }
    Ok(())
}

fn tell(report: &Report) {
    output::say(&format!(
        "{}: {} product pairs with at least {} customer(s) in common, of {} customers; {} \
         related items for {} customers in {}",
        report.out,
        report.pairs / 2,
        report.min_customers,
        report.customers,
        report.next_items,
        report.next_items_customers,
        NEXT_ITEMS
    ));
    if report.customers_over_the_bound > 0 {
        output::say(&format!(
            "{} customer(s) with more than {} different products left out of the pairs and \
             next items (resellers or test accounts?)",
            report.customers_over_the_bound, report.max_products_per_customer
        ));
    }
}

fn ratio(value: f64) -> String {
    format!("{value:.4}")
}

fn cell(text: &str, escape: bool) -> std::borrow::Cow<'_, str> {
    if escape {
        formula_safe(text)
    } else {
        text.into()
    }
}

fn write_pairs(
    purchases: &Purchases,
    related: &Related,
    escape: bool,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record([
        "product_a",
        "product_b",
        "customers_a",
        "customers_b",
        "customers_both",
        "confidence",
        "lift",
    ])?;
    let name = |p: u32| purchases.products[p as usize].name.as_str();
    for pair in &related.pairs {
        csv.write_record([
            &*cell(name(pair.product_a), escape),
            &cell(name(pair.product_b), escape),
            &pair.customers_a.to_string(),
            &pair.customers_b.to_string(),
            &pair.customers_both.to_string(),
            &ratio(pair.confidence),
            &ratio(pair.lift),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

/// The suggestions of each customer, by customer key.
struct Suggested<'a>(FxHashMap<&'a str, &'a [Suggestion]>);

impl<'a> Suggested<'a> {
    fn of(purchases: &'a Purchases, next: &'a [Vec<Suggestion>]) -> Self {
        Suggested(
            purchases
                .customers
                .iter()
                .zip(next)
                .filter(|(_, s)| !s.is_empty())
                .map(|(key, s)| (key.as_str(), s.as_slice()))
                .collect(),
        )
    }
}

/// Writes next_items.csv in the order of the customers table (revenue, then
/// e-mail); returns its rows and customers.
fn write_next_items(
    customers: &DataFrame,
    suggested: &Suggested,
    purchases: &Purchases,
    related: &Related,
    as_of: &str,
    escape: bool,
    out: &mut dyn std::io::Write,
) -> Result<(u64, u64)> {
    let stores = customers.schema().contains(field::STORE);
    let text = |name: &str| -> Result<Vec<Option<String>>> {
        Ok(customers
            .column(name)?
            .str()?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    let keys = text(field::CUSTOMER)?;
    let (emails, ids, names) = (
        text(field::EMAIL)?,
        text(field::CUSTOMER_ID)?,
        text(field::NAME)?,
    );
    let store = if stores {
        text(field::STORE)?
    } else {
        Vec::new()
    };
    let consent: Vec<Option<bool>> = customers
        .column(field::ACCEPTS_MARKETING)?
        .bool()?
        .iter()
        .collect();
    let mut csv = csv::Writer::from_writer(out);
    let mut header = vec![
        "email",
        "customer_id",
        "name",
        "accepts_marketing",
        "rank",
        "product",
        "because_of",
        "confidence",
        "lift",
        "as_of",
    ];
    if stores {
        header.insert(0, field::STORE);
    }
    csv.write_record(&header)?;
    let name = |p: u32| purchases.products[p as usize].name.as_str();
    let (mut rows, mut people) = (0u64, 0u64);
    for (i, key) in keys.iter().enumerate() {
        let Some(list) = key.as_deref().and_then(|k| suggested.0.get(k)) else {
            continue;
        };
        people += 1;
        for (rank, s) in list.iter().enumerate() {
            let pair = &related.pairs[s.pair];
            let mut record: Vec<String> = Vec::with_capacity(header.len());
            if stores {
                record.push(store[i].clone().unwrap_or_default());
            }
            let flag = consent[i].map_or("", |yes| if yes { "yes" } else { "no" });
            for value in [
                emails[i].as_deref().unwrap_or_default(),
                ids[i].as_deref().unwrap_or_default(),
                names[i].as_deref().unwrap_or_default(),
                flag,
            ] {
                record.push(cell(value, escape).into_owned());
            }
            record.push((rank + 1).to_string());
            record.push(cell(name(s.product), escape).into_owned());
            record.push(cell(name(s.because_of), escape).into_owned());
            record.push(ratio(pair.confidence));
            record.push(ratio(pair.lift));
            record.push(as_of.to_string());
            csv.write_record(&record)?;
            rows += 1;
        }
    }
    csv.flush()?;
    Ok((rows, people))
}
