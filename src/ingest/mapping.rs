//! Any other orders file, read through a column mapping given on the
//! command line: `--map order=Order No,date=Ordered,total=Amount,email=Buyer E-mail`.
//!
//! Rows with the same order id are one order: its first row gives the order,
//! later rows only add their quantity (a file with one row per line item).

use super::fields::{
    SlashDates, parse_cents, parse_consent, parse_quantity, parse_time_in_timestamp,
};
use super::grouping::{FileCounts, Layout, OrderRows, Sink, read_rows};
use super::row::{OrderId, Row, order_id};
use super::{ExportReader, RowError};
use crate::model::{Exclusion, LineItem, Order};
use anyhow::{Result, bail};
use std::collections::HashMap;

/// The fields of an order a mapping can name, with what each means.
const KEYS: [(&str, &str); 19] = [
    ("order", "order id (required)"),
    (
        "date",
        "order date, YYYY-MM-DD[ time] or dd/mm/yyyy (required)",
    ),
    ("total", "order total, e.g. 49.90 (required)"),
    ("email", "customer e-mail"),
    ("customer_id", "customer id, used when the e-mail is empty"),
    ("quantity", "items in the row"),
    ("refunded", "refunded amount"),
    (
        "status",
        "order status: cancelled, refunded, voided, declined, failed, expired are left out",
    ),
    ("company", "billing company"),
    ("name", "customer name"),
    ("phone", "customer phone"),
    ("zip", "postal code"),
    ("country", "country code or name"),
    ("currency", "currency code"),
    (
        "consent",
        "marketing consent: yes/no, true/false, 1/0 or subscribed/unsubscribed; empty is unknown",
    ),
    (
        "product",
        "the row's product name (one row per line item), for products, buyers and related",
    ),
    ("sku", "the row's product SKU"),
    (
        "line_quantity",
        "units of the row's product (default: the quantity column, else 1)",
    ),
    (
        "line_price",
        "unit price of the row's product; its revenue is price × units",
    ),
];

/// `--map`: which column holds each field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mapping {
    columns: HashMap<&'static str, String>,
}

fn known_keys() -> String {
    KEYS.iter()
        .map(|(key, meaning)| format!("{key} ({meaning})"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Mapping {
    /// Parses `key=Column,key=Column` (the flag may be repeated).
    pub fn parse(specs: &[String]) -> Result<Mapping> {
        let mut columns = HashMap::new();
        for pair in specs.iter().flat_map(|spec| spec.split(',')) {
            if pair.trim().is_empty() {
                continue;
            }
            let Some((key, column)) = pair.split_once('=') else {
                bail!(
                    "--map: expected key=Column, found \"{pair}\"; the keys are {}",
                    known_keys()
                );
            };
            let key = key.trim().to_ascii_lowercase();
            let Some(&(key, _)) = KEYS.iter().find(|(k, _)| *k == key) else {
                bail!(
                    "--map: unknown key \"{key}\"; the keys are {}",
                    known_keys()
                );
            };
            if column.trim().is_empty() {
                bail!("--map {key}=: no column name after '='");
            }
            if columns.insert(key, column.trim().to_string()).is_some() {
                bail!("--map: {key} is given twice");
            }
        }
        let missing: Vec<&str> = ["order", "date", "total"]
            .into_iter()
            .filter(|key| !columns.contains_key(key))
            .collect();
        if !missing.is_empty() {
            bail!(
                "--map: missing {}: a mapping needs at least order, date and total, e.g. \
                 --map order=Order No,date=Ordered,total=Amount,email=E-mail",
                missing.join(", ")
            );
        }
        Ok(Mapping { columns })
    }
}

/// Why an order with this status is not a purchase, in the words most
/// systems use.
fn exclusion(status: &str) -> Option<Exclusion> {
    match status.trim().to_ascii_lowercase().as_str() {
        "cancelled" | "canceled" => Some(Exclusion::Cancelled),
        "refunded" => Some(Exclusion::Refunded),
        "voided" | "void" => Some(Exclusion::Voided),
        "declined" => Some(Exclusion::Declined),
        "failed" => Some(Exclusion::Failed),
        "expired" => Some(Exclusion::Expired),
        _ => None,
    }
}

/// Column positions of the mapped keys.
struct Columns {
    order: usize,
    date: usize,
    total: usize,
    email: Option<usize>,
    customer_id: Option<usize>,
    quantity: Option<usize>,
    refunded: Option<usize>,
    status: Option<usize>,
    company: Option<usize>,
    name: Option<usize>,
    phone: Option<usize>,
    zip: Option<usize>,
    country: Option<usize>,
    currency: Option<usize>,
    consent: Option<usize>,
    /// The line item of a row: product, sku, line_quantity, line_price.
    item: [Option<usize>; 4],
    dates: SlashDates,
}

pub fn read(reader: &mut ExportReader, sink: &mut Sink) -> Result<FileCounts> {
    let mapping = sink
        .options
        .mapping
        .as_ref()
        .expect("mapping::read is only called with --map");
    let mut positions = HashMap::new();
    let mut missing = Vec::new();
    for (&key, name) in &mapping.columns {
        let found = reader.column(name).or_else(|| {
            reader
                .header()
                .names()
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
        });
        match found {
            Some(index) => {
                positions.insert(key, index);
            }
            None => missing.push(format!("{key}={name}")),
        }
    }
    if !missing.is_empty() {
        missing.sort();
        bail!(
            "{}: --map {}: no such column; the file's columns are {}",
            reader.file(),
            missing.join(", "),
            reader
                .header()
                .names()
                .iter()
                .map(|h| format!("\"{h}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let get = |key: &str| positions.get(key).copied();
    let required = |key: &str| get(key).expect("Mapping::parse checks the required keys");
    let contact = |key: &str| sink.options.contact(get(key));
    let mut columns = Columns {
        order: required("order"),
        date: required("date"),
        total: required("total"),
        email: get("email"),
        customer_id: get("customer_id"),
        quantity: get("quantity"),
        refunded: get("refunded"),
        status: get("status"),
        company: contact("company"),
        name: contact("name"),
        phone: contact("phone"),
        zip: contact("zip"),
        country: contact("country"),
        currency: get("currency"),
        consent: contact("consent"),
        item: [
            get("product"),
            get("sku"),
            get("line_quantity"),
            get("line_price"),
        ],
        dates: SlashDates::new(sink.options.date_order),
    };
    read_rows(reader, sink, &mut columns)
}

impl OrderRows for Columns {
    fn layout(&self) -> Layout {
        Layout::RowPerLineItem
    }

    fn order_id<'r>(&self, reader: &'r ExportReader) -> Result<OrderId<'r>, RowError> {
        order_id(reader, self.order)
    }

    fn first_row(&mut self, row: &Row) -> Result<Order, RowError> {
        let quantity = self.items(row)?;
        let date = self
            .dates
            .parse(row.cell(self.date)?)
            .map_err(|(problem, fatal)| row.problem(self.date, problem, fatal))?;
        let refunded_cents = row.refunded_cents(self.refunded, "an amount such as 12.50")?;
        let customer_id = row.customer_id(self.customer_id)?;
        Ok(Order {
            id: row.id.to_string(),
            email: row.email(&[self.email])?,
            customer_id,
            date,
            time_of_day: parse_time_in_timestamp(row.cell(self.date)?),
            quantity,
            total_cents: row.parse(self.total, "an amount such as 49.90", parse_cents)?,
            refunded_cents,
            company: row.company(self.company)?,
            name: row.text(self.name)?,
            phone: row.text(self.phone)?,
            zip: row.text(self.zip)?,
            country: row.text(self.country)?,
            accepts_marketing: self.consent(row)?,
            currency: row.currency(self.currency)?,
            excluded: exclusion(row.optional_cell(self.status)?),
        })
    }

    fn other_email(&self, row: &Row, first: &str) -> Result<bool, RowError> {
        row.other_email(&[self.email], first)
    }

    fn later_row(&mut self, row: &Row) -> Result<i64, RowError> {
        self.items(row)
    }

    /// The row's product, when `product` is mapped: `line_quantity` units
    /// (else the row's quantity, else 1) at `line_price` each.
    fn line_items(&mut self, row: &Row) -> Result<Vec<LineItem>, RowError> {
        let [product, sku, line_quantity, line_price] = self.item;
        let Some(product) = product else {
            return Ok(Vec::new());
        };
        let units = match line_quantity.or(self.quantity) {
            Some(index) => row.parse(index, "a whole number of items", parse_quantity)?,
            None => 1,
        };
        let price = row.optional_cents(line_price, "a price such as 12.50")?;
        let revenue = row.line_revenue(line_price.unwrap_or(product), price, units, 0)?;
        Ok(vec![row.line_item(
            row.cell(product)?,
            sku,
            units,
            revenue,
        )?])
    }

    /// How the file's dates were read, when nothing in it settled that.
    fn note(&self, file: &str) -> Option<String> {
        self.dates.note(file)
    }
}

impl Columns {
    /// The row's marketing consent: `None` when no column is mapped or the
    /// cell is empty; a word that is not a consent is a bad cell, never a
    /// silent "unknown".
    fn consent(&self, row: &Row) -> Result<Option<bool>, RowError> {
        match self.consent {
            Some(index) if !row.cell(index)?.trim().is_empty() => Ok(Some(row.parse(
                index,
                "a marketing consent: yes or no, true or false, 1 or 0, subscribed or unsubscribed",
                parse_consent,
            )?)),
            _ => Ok(None),
        }
    }

    /// The row's items: its quantity, or 0 when none is mapped.
    fn items(&self, row: &Row) -> Result<i64, RowError> {
        match self.quantity {
            Some(index) => row.parse(index, "a whole number of items", parse_quantity),
            None => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(text: &str) -> Vec<String> {
        vec![text.to_string()]
    }

    #[test]
    fn a_mapping_names_columns_with_spaces() {
        let mapping = Mapping::parse(&specs(
            "email=Buyer E-mail,date=Ordered,total=Amount,order=Order No,quantity=Qty",
        ))
        .unwrap();
        assert_eq!(mapping.columns["email"], "Buyer E-mail");
        assert_eq!(mapping.columns["order"], "Order No");
        assert_eq!(mapping.columns.len(), 5);
    }

    #[test]
    fn unknown_keys_and_missing_required_keys_are_errors() {
        let err = Mapping::parse(&specs("order=A,date=B,total=C,mail=D")).unwrap_err();
        assert!(err.to_string().contains("unknown key \"mail\""), "{err}");
        let err = Mapping::parse(&specs("order=A,email=D")).unwrap_err();
        assert!(err.to_string().contains("missing date, total"), "{err}");
        let err = Mapping::parse(&specs("order=A,date,total=C")).unwrap_err();
        assert!(err.to_string().contains("expected key=Column"), "{err}");
    }
}
