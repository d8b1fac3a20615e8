//! Shopify orders export (Admin › Orders › Export).
//!
//! One row per line item. The rows of an order share `Name`; order-level
//! fields (status, totals, billing, cancellation, refunds) are filled only on
//! the order's first row, so an order is built from its first row and later
//! rows only add their `Lineitem quantity`.

use super::fields::{
    looks_like_excel_date, parse_cents, parse_flag, parse_local_date, parse_quantity,
    parse_time_in_timestamp,
};
use super::grouping::{FileCounts, Layout, OrderRows, Sink, read_rows};
use super::row::{OrderId, Row, order_name};
use super::{ExportReader, Format, Lookalike, Read, RowError};
use crate::model::{Exclusion, LineItem, Order, non_empty};
use anyhow::Result;

pub const FORMAT: Format = Format {
    name: "shopify",
    platform: "Shopify",
    lists: "orders",
    how_to_export: "Admin › Orders › Export",
    export_tips: "CSV for Excel or plain CSV",
    identifying_columns: &[&["Name"], &["Lineitem quantity"], &["Financial Status"]],
    lookalikes: &[
        Lookalike {
            columns: &["Abandoned Checkout URL"],
            is: "a Shopify abandoned-checkouts export (checkouts that never became orders)",
        },
        Lookalike {
            columns: &["Name", "Lineitem quantity"],
            is: "a Shopify orders export without the Financial Status column",
        },
    ],
    read: Read::Orders(read),
};

const WHAT: &str = "Shopify orders export";
const TEST_GATEWAY: &str = "(for testing) Bogus Gateway";

/// Positions of the columns this module reads.
struct Columns {
    name: usize,
    email: usize,
    created_at: usize,
    total: usize,
    quantity: usize,
    status: usize,
    id: Option<usize>,
    refunded: Option<usize>,
    cancelled_at: Option<usize>,
    payment_method: Option<usize>,
    currency: Option<usize>,
    company: Option<usize>,
    billing_name: Option<usize>,
    shipping_name: Option<usize>,
    phones: [Option<usize>; 3],
    /// Billing address first, else the shipping one.
    zips: [Option<usize>; 2],
    countries: [Option<usize>; 2],
    accepts_marketing: Option<usize>,
    item: ItemColumns,
}

/// The line item of a row.
struct ItemColumns {
    name: Option<usize>,
    sku: Option<usize>,
    price: Option<usize>,
    discount: Option<usize>,
}

fn read(reader: &mut ExportReader, sink: &mut Sink) -> Result<FileCounts> {
    let [name, email, created_at, total, quantity, status] = reader
        .require(
            &[
                "Name",
                "Email",
                "Created at",
                "Total",
                "Lineitem quantity",
                "Financial Status",
            ],
            WHAT,
        )?
        .try_into()
        .expect("six columns asked for");
    let optional = |n: &str| reader.column(n);
    let options = sink.options;
    let contact = |n: &str| options.contact(reader.column(n));
    let mut columns = Columns {
        name,
        email,
        created_at,
        total,
        quantity,
        status,
        id: optional("Id"),
        refunded: optional("Refunded Amount"),
        cancelled_at: optional("Cancelled at"),
        payment_method: optional("Payment Method"),
        currency: optional("Currency"),
        company: contact("Billing Company"),
        billing_name: contact("Billing Name"),
        shipping_name: contact("Shipping Name"),
        phones: [
            contact("Billing Phone"),
            contact("Phone"),
            contact("Shipping Phone"),
        ],
        zips: [contact("Billing Zip"), contact("Shipping Zip")],
        countries: [contact("Billing Country"), contact("Shipping Country")],
        accepts_marketing: contact("Accepts Marketing"),
        item: ItemColumns {
            name: optional("Lineitem name"),
            sku: optional("Lineitem sku"),
            price: optional("Lineitem price"),
            discount: optional("Lineitem discount"),
        },
    };
    read_rows(reader, sink, &mut columns)
}

impl OrderRows for Columns {
    fn layout(&self) -> Layout {
        Layout::RowPerLineItem
    }

    fn order_id<'r>(&self, reader: &'r ExportReader) -> Result<OrderId<'r>, RowError> {
        let id = order_name(reader, self.name, "an order name such as #1001")?;
        // Every row repeats Created at: an Excel re-save shows on any of them.
        let created = reader.cell(self.created_at)?;
        if looks_like_excel_date(created) {
            return Err(reader.excel(
                self.created_at,
                created.trim(),
                "rewrote dates in its own format, dropping seconds and time zones",
            ));
        }
        if let Some(id) = self.id {
            reader.check_excel_number(id)?;
        }
        Ok(id)
    }

    fn first_row(&mut self, row: &Row) -> Result<Order, RowError> {
        let financial_status = row.cell(self.status)?.trim().to_ascii_lowercase();
        let excluded = if row.optional_cell(self.payment_method)?.trim() == TEST_GATEWAY {
            Some(Exclusion::Test)
        } else if !row.optional_cell(self.cancelled_at)?.trim().is_empty() {
            Some(Exclusion::Cancelled)
        } else {
            match financial_status.as_str() {
                "voided" => Some(Exclusion::Voided),
                "refunded" => Some(Exclusion::Refunded),
                "expired" => Some(Exclusion::Expired),
                _ => None,
            }
        };
        let refunded_cents = row.refunded_cents(self.refunded, "an amount such as 12.50")?;
        Ok(Order {
            id: row.id.to_string(),
            email: row.email(&[Some(self.email)])?,
            customer_id: None,
            date: row.parse(
                self.created_at,
                "a date from 1970 on, such as 2025-05-11 09:55:16 -0400",
                parse_local_date,
            )?,
            time_of_day: parse_time_in_timestamp(row.cell(self.created_at)?),
            quantity: row.parse(self.quantity, "a whole number of items", parse_quantity)?,
            total_cents: row.parse(self.total, "an amount such as 1659.95", parse_cents)?,
            refunded_cents,
            company: row.company(self.company)?,
            name: non_empty(row.optional_cell(self.billing_name)?)
                .or(non_empty(row.optional_cell(self.shipping_name)?)),
            phone: row.first_non_empty(&self.phones)?,
            zip: row.first_non_empty(&self.zips)?,
            country: row.first_non_empty(&self.countries)?,
            accepts_marketing: parse_flag(row.optional_cell(self.accepts_marketing)?),
            currency: row.currency(self.currency)?,
            excluded,
        })
    }

    fn other_email(&self, row: &Row, first: &str) -> Result<bool, RowError> {
        row.other_email(&[Some(self.email)], first)
    }

    /// The row's item: `Lineitem price` × `Lineitem quantity` − `Lineitem
    /// discount` (the discount is the whole line's).
    fn line_items(&mut self, row: &Row) -> Result<Vec<LineItem>, RowError> {
        let item = &self.item;
        let Some(name) = item.name else {
            return Ok(Vec::new());
        };
        let quantity = row.parse(self.quantity, "a whole number of items", parse_quantity)?;
        let price = row.optional_cents(item.price, "a price such as 12.50")?;
        let discount = row.optional_cents(item.discount, "a discount such as 2.50")?;
        let revenue = row.line_revenue(item.price.unwrap_or(name), price, quantity, discount)?;
        Ok(vec![row.line_item(
            row.cell(name)?,
            item.sku,
            quantity,
            revenue,
        )?])
    }

    fn later_row(&mut self, row: &Row) -> Result<i64, RowError> {
        // Only the first row of an order carries Total.
        let total = row.cell(self.total)?;
        if !total.trim().is_empty() {
            let expected = format!(
                "order {} only once (its Total is on an earlier row too)",
                row.id
            );
            return Err(row.bad(self.total, &expected, total.as_bytes()));
        }
        row.parse(self.quantity, "a whole number of items", parse_quantity)
    }
}
