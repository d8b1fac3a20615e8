//! Squarespace orders export (Selling › Orders › Download CSV).
//!
//! One row per line item; the rows of an order share `Order ID`.

use super::fields::{parse_cents, parse_local_date, parse_quantity, parse_time_in_timestamp};
use super::grouping::{FileCounts, Layout, OrderRows, Sink, read_rows};
use super::row::{OrderId, Row, order_id};
use super::{ExportReader, Format, Read, RowError};
use crate::model::{Exclusion, Order};
use anyhow::Result;

pub const FORMAT: Format = Format {
    name: "squarespace",
    platform: "Squarespace",
    lists: "orders",
    how_to_export: "Selling › Orders › Download CSV",
    export_tips: "all order types, all products",
    identifying_columns: &[&["Order ID"], &["Lineitem quantity"], &["Amount Refunded"]],
    lookalikes: &[],
    read: Read::Orders(read),
};

const WHAT: &str = "Squarespace orders export";

/// Positions of the columns this module reads.
struct Columns {
    order_id: usize,
    created_at: usize,
    total: usize,
    quantity: usize,
    email: Option<usize>,
    refunded: Option<usize>,
    status: Option<usize>,
    currency: Option<usize>,
    company: Option<usize>,
    name: Option<usize>,
    /// Billing address first, else the shipping one.
    zips: [Option<usize>; 2],
}

fn read(reader: &mut ExportReader, sink: &mut Sink) -> Result<FileCounts> {
    let [order_id, created_at, total, quantity] = reader
        .require(
            &["Order ID", "Created at", "Total", "Lineitem quantity"],
            WHAT,
        )?
        .try_into()
        .expect("four columns asked for");
    let optional = |name: &str| reader.column(name);
    // Contact details are left unread for a command that lists no customer.
    let options = sink.options;
    let contact = |name: &str| options.contact(reader.column(name));
    let mut columns = Columns {
        order_id,
        created_at,
        total,
        quantity,
        email: optional("Email"),
        refunded: optional("Amount Refunded"),
        status: optional("Financial Status"),
        currency: optional("Currency"),
        company: contact("Billing Company"),
        name: contact("Billing Name"),
        zips: [contact("Billing Zip"), contact("Shipping Zip")],
    };
    read_rows(reader, sink, &mut columns)
}

impl OrderRows for Columns {
    fn layout(&self) -> Layout {
        Layout::RowPerLineItem
    }

    fn order_id<'r>(&self, reader: &'r ExportReader) -> Result<OrderId<'r>, RowError> {
        order_id(reader, self.order_id)
    }

    fn first_row(&mut self, row: &Row) -> Result<Order, RowError> {
        Ok(Order {
            id: row.id.to_string(),
            email: row.email(&[self.email])?,
            customer_id: None,
            date: row.parse(
                self.created_at,
                "a date such as 2025-05-11 09:55:16 -0400",
                parse_local_date,
            )?,
            time_of_day: parse_time_in_timestamp(row.cell(self.created_at)?),
            quantity: self.later_row(row)?,
            total_cents: row.parse(self.total, "an amount such as 49.90", parse_cents)?,
            refunded_cents: row.refunded_cents(self.refunded, "an amount such as 12.50")?,
            company: row.company(self.company)?,
            name: row.text(self.name)?,
            phone: None,
            zip: row.first_non_empty(&self.zips)?,
            country: None,
            accepts_marketing: None,
            currency: row.currency(self.currency)?,
            excluded: exclusion(row.optional_cell(self.status)?),
        })
    }

    fn later_row(&mut self, row: &Row) -> Result<i64, RowError> {
        row.parse(self.quantity, "a whole number of items", parse_quantity)
    }
}

/// Why an order with this status is not a purchase.
fn exclusion(status: &str) -> Option<Exclusion> {
    match status.trim().to_ascii_lowercase().as_str() {
        "canceled" => Some(Exclusion::Cancelled),
        "refunded" => Some(Exclusion::Refunded),
        _ => None,
    }
}
