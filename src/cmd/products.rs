//! `goldpan products`: one row per product (docs/products.md).

use super::read_orders_with_items;
use crate::cli::InputArgs;
use crate::config::{self, Settings};
use crate::output::{Emit, Emitter, Table, grouped_money, money};
use crate::products::{self, Purchases};
use anyhow::Result;
use std::path::Path;

/// Print one row per product: its customers, orders, units, revenue and share
/// of revenue, and which first purchase makes regulars
///
/// Every counted order's line items count (orders without a customer too);
/// customers and the first-purchase columns count only orders with a
/// customer. first_order_customers: customers whose first order had the
/// product; repeat_share: the share of them who ordered again (anything);
/// median_days_to_second: their median days from that first order to the
/// second. Products by revenue, highest first. A product is its name and,
/// where the export has one, its SKU; the variants of a product are one
/// product unless --by-variant (--product-key, docs/products.md).
///
/// A table on a terminal, CSV when piped, one JSON object with --json.
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Print one JSON object instead of CSV or a table
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub settings: Settings,
}

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    let settings = config::settings(config_file, &args.settings)?;
    let data = read_orders_with_items(&args.input, &settings)?;
    let items = data.items.as_ref().expect("read with items");
    let purchases = Purchases::of(&data.orders, items, settings.product_identity())?;
    let rows = products::product_rows(&purchases)
        .into_iter()
        .map(Row::from)
        .collect();
    let currency = match settings.currency() {
        Some(code) => Some(code.to_uppercase()),
        None => super::summary::currency(&data.orders)?,
    };
    Emitter::new(args.json).data(&ProductTable {
        as_of: data.as_of.to_string(),
        currency,
        products: rows,
        notes: data.notes,
    })
}

/// The header of the CSV, in order.
const HEADER: [&str; 10] = [
    "product",
    "sku",
    "customers",
    "orders",
    "units",
    "revenue",
    "revenue_share",
    "first_order_customers",
    "repeat_share",
    "median_days_to_second",
];

/// One product as the CSV and JSON write it.
#[derive(serde::Serialize)]
struct Row {
    product: String,
    sku: String,
    customers: u64,
    orders: u64,
    units: i64,
    /// Major units (like `summary --json`); the CSV writes two decimals.
    revenue: f64,
    revenue_share: f64,
    first_order_customers: u64,
    repeat_share: Option<f64>,
    median_days_to_second: Option<f64>,
    #[serde(skip)]
    revenue_cents: i64,
}

impl From<products::ProductRow> for Row {
    fn from(r: products::ProductRow) -> Row {
        Row {
            product: r.product,
            sku: r.sku,
            customers: r.customers,
            orders: r.orders,
            units: r.units,
            revenue: r.revenue_cents as f64 / 100.0,
            revenue_share: r.revenue_share,
            first_order_customers: r.first_order_customers,
            repeat_share: r.repeat_share,
            median_days_to_second: r.median_days_to_second,
            revenue_cents: r.revenue_cents,
        }
    }
}

#[derive(serde::Serialize)]
struct ProductTable {
    as_of: String,
    /// The export's currency, when it names one: the revenue column's unit.
    currency: Option<String>,
    products: Vec<Row>,
    notes: Vec<String>,
}

fn optional(value: Option<f64>, shown: impl Fn(f64) -> String) -> String {
    value.map(shown).unwrap_or_default()
}

impl Emit for ProductTable {
    fn table(&self) -> Table {
        Table {
            title: String::new(),
            header: HEADER.map(String::from).to_vec(),
            rows: self
                .products
                .iter()
                .map(|r| {
                    vec![
                        r.product.clone(),
                        r.sku.clone(),
                        r.customers.to_string(),
                        r.orders.to_string(),
                        r.units.to_string(),
                        money(r.revenue_cents),
                        format!("{:.4}", r.revenue_share),
                        r.first_order_customers.to_string(),
                        optional(r.repeat_share, |v| format!("{v:.4}")),
                        optional(r.median_days_to_second, |v| format!("{v:.1}")),
                    ]
                })
                .collect(),
        }
    }

    /// For people: money with separators, shares as percentages.
    fn terminal_table(&self) -> Table {
        let percent = |v: f64| format!("{:.1}%", v * 100.0);
        Table {
            title: match &self.currency {
                Some(code) => format!("Products as of {}, amounts in {code}", self.as_of),
                None => format!("Products as of {}", self.as_of),
            },
            header: HEADER.map(String::from).to_vec(),
            rows: self
                .products
                .iter()
                .map(|r| {
                    vec![
                        r.product.clone(),
                        r.sku.clone(),
                        r.customers.to_string(),
                        r.orders.to_string(),
                        r.units.to_string(),
                        grouped_money(r.revenue_cents),
                        percent(r.revenue_share),
                        r.first_order_customers.to_string(),
                        optional(r.repeat_share, percent),
                        optional(r.median_days_to_second, |v| format!("{v:.0}")),
                    ]
                })
                .collect(),
        }
    }
}
