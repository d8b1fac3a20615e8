//! Shopify orders export (Admin › Orders › Export).
//!
//! One row per line item. The rows of an order share `Name`; order-level
//! fields (status, totals, billing, cancellation, refunds) are filled only on
//! the order's first row, so an order is built from its first row and later
//! rows only add their `Lineitem quantity`.

use super::fields::{
    looks_like_excel_date, parse_cents, parse_flag, parse_local_date, parse_quantity,
};
use super::{ExportReader, FileCounts, RowError, Sink};
use crate::model::{Exclusion, Order, Seen, non_empty, normalize_company, normalize_email};
use anyhow::Result;

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
}

pub fn read(reader: &mut ExportReader, sink: &mut Sink) -> Result<FileCounts> {
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
    let columns = Columns {
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
        company: optional("Billing Company"),
        billing_name: optional("Billing Name"),
        shipping_name: optional("Shipping Name"),
        phones: [
            optional("Billing Phone"),
            optional("Phone"),
            optional("Shipping Phone"),
        ],
        zips: [optional("Billing Zip"), optional("Shipping Zip")],
        countries: [optional("Billing Country"), optional("Shipping Country")],
        accepts_marketing: optional("Accepts Marketing"),
    };

    sink.each_row(reader, Some(name), |reader, sink, counts| {
        read_row(reader, sink, &columns, counts)
    })
}

fn read_row(
    reader: &ExportReader,
    sink: &mut Sink,
    c: &Columns,
    counts: &mut FileCounts,
) -> Result<(), RowError> {
    let order_name = reader.cell(c.name)?.trim();
    if order_name.is_empty() {
        Err(reader.bad(c.name, "an order name such as #1001", b""))?;
    }
    let created_text = reader.cell(c.created_at)?;
    if looks_like_excel_date(created_text) {
        return Err(reader.excel(
            c.created_at,
            created_text.trim(),
            "rewrote dates in its own format, dropping seconds and time zones",
        ));
    }
    if let Some(id) = c.id {
        reader.check_excel_number(id)?;
    }
    if let Some(slot) = sink.orders.seen(order_name) {
        if let Seen::Rejected(line) = slot {
            return Err(RowError {
                file: reader.file().to_string(),
                line: reader.line(),
                column: None,
                problem: format!(
                    "a later line item of order {order_name}, whose first row (line {line}) \
                     was rejected"
                ),
                fatal: false,
            });
        }
        // A later line item. Only the first row of an order carries Total.
        if !reader.cell(c.total)?.trim().is_empty() {
            Err(reader.bad(
                c.total,
                &format!("order {order_name} only once (its Total is on an earlier row too)"),
                reader.cell(c.total)?.as_bytes(),
            ))?;
        }
        let items = reader.parse(c.quantity, "a whole number of items", parse_quantity)?;
        if let Seen::Row(row) = slot {
            sink.orders.add_quantity(row, items);
        }
        return Ok(());
    }

    let financial_status = reader.cell(c.status)?.trim().to_ascii_lowercase();
    let excluded = if reader.optional_cell(c.payment_method)?.trim() == TEST_GATEWAY {
        Some(Exclusion::Test)
    } else if !reader.optional_cell(c.cancelled_at)?.trim().is_empty() {
        Some(Exclusion::Cancelled)
    } else {
        match financial_status.as_str() {
            "voided" => Some(Exclusion::Voided),
            "refunded" => Some(Exclusion::Refunded),
            "expired" => Some(Exclusion::Expired),
            _ => None,
        }
    };
    let refunded_cents = match reader.optional_cell(c.refunded)?.trim() {
        "" => 0,
        _ => reader.parse(c.refunded.unwrap(), "an amount such as 12.50", parse_cents)?,
    };
    let order = Order {
        id: order_name.to_string(),
        email: normalize_email(reader.cell(c.email)?),
        customer_id: None,
        date: reader.parse(
            c.created_at,
            "a date such as 2025-05-11 09:55:16 -0400",
            parse_local_date,
        )?,
        quantity: reader.parse(c.quantity, "a whole number of items", parse_quantity)?,
        total_cents: reader.parse(c.total, "an amount such as 1659.95", parse_cents)?,
        refunded_cents,
        company: normalize_company(
            reader.optional_cell(c.company)?,
            &sink.options.extra_non_company_words,
        ),
        name: non_empty(reader.optional_cell(c.billing_name)?)
            .or(non_empty(reader.optional_cell(c.shipping_name)?)),
        phone: reader.first_non_empty(&c.phones)?,
        zip: reader.first_non_empty(&c.zips)?,
        country: reader.first_non_empty(&c.countries)?,
        accepts_marketing: parse_flag(reader.optional_cell(c.accepts_marketing)?),
        currency: non_empty(reader.optional_cell(c.currency)?).map(|c| c.to_ascii_uppercase()),
        excluded,
    };
    counts.orders += 1;
    sink.orders.push(order);
    Ok(())
}
