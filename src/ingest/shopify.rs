//! Shopify orders export (Admin › Orders › Export).
//!
//! One row per line item. The rows of an order share `Name`; order-level
//! fields (status, totals, billing, cancellation, refunds) are filled only on
//! the order's first row, so an order is built from its first row and later
//! rows only add their `Lineitem quantity`.

use super::fields::{parse_cents, parse_flag, parse_local_date, parse_quantity};
use super::{ExportReader, FileCounts, IngestOptions};
use crate::model::{
    Exclusion, Order, OrdersBuilder, non_empty, normalize_company, normalize_email,
};
use anyhow::Result;
use std::collections::HashMap;

const WHAT: &str = "Shopify orders export";
const TEST_GATEWAY: &str = "(for testing) Bogus Gateway";

/// Where the rows of an order already seen went.
#[derive(Clone, Copy)]
enum Seen {
    /// Built into this row of the orders table.
    Row(usize),
    /// Already read from an earlier file: its rows are left out.
    Duplicate,
}

pub fn read(
    reader: &mut ExportReader,
    orders: &mut OrdersBuilder,
    options: &IngestOptions,
) -> Result<FileCounts> {
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
    let refunded = optional("Refunded Amount");
    let cancelled_at = optional("Cancelled at");
    let payment_method = optional("Payment Method");
    let currency = optional("Currency");
    let company = optional("Billing Company");
    let billing_name = optional("Billing Name");
    let shipping_name = optional("Shipping Name");
    let phones = [
        optional("Billing Phone"),
        optional("Phone"),
        optional("Shipping Phone"),
    ];
    let accepts_marketing = optional("Accepts Marketing");
    let zips = [optional("Billing Zip"), optional("Shipping Zip")];
    let countries = [optional("Billing Country"), optional("Shipping Country")];

    let mut seen: HashMap<String, Seen> = HashMap::new();
    let mut counts = FileCounts { rows: 0, orders: 0 };
    while reader.next_row()? {
        counts.rows += 1;
        let order_name = reader.cell(name)?.trim();
        if order_name.is_empty() {
            Err(reader.bad(name, "an order name such as #1001", b""))?;
        }
        if let Some(&slot) = seen.get(order_name) {
            // A later line item. Only the first row of an order carries Total.
            if !reader.cell(total)?.trim().is_empty() {
                Err(reader.bad(
                    total,
                    &format!("order {order_name} only once (its Total is on an earlier row too)"),
                    reader.cell(total)?.as_bytes(),
                ))?;
            }
            let items = reader.parse(quantity, "a whole number of items", parse_quantity)?;
            if let Seen::Row(row) = slot {
                orders.add_quantity(row, items);
            }
            continue;
        }

        let financial_status = reader.cell(status)?.trim().to_ascii_lowercase();
        let excluded = if reader.optional_cell(payment_method)?.trim() == TEST_GATEWAY {
            Some(Exclusion::Test)
        } else if !reader.optional_cell(cancelled_at)?.trim().is_empty() {
            Some(Exclusion::Cancelled)
        } else {
            match financial_status.as_str() {
                "voided" => Some(Exclusion::Voided),
                "refunded" => Some(Exclusion::Refunded),
                "expired" => Some(Exclusion::Expired),
                _ => None,
            }
        };
        let refunded_cents = match reader.optional_cell(refunded)?.trim() {
            "" => 0,
            _ => reader.parse(refunded.unwrap(), "an amount such as 12.50", parse_cents)?,
        };
        let mut phone = None;
        for column in phones {
            phone = non_empty(reader.optional_cell(column)?);
            if phone.is_some() {
                break;
            }
        }
        // Billing address first, else the shipping one.
        let first_of = |columns: [Option<usize>; 2]| -> Result<Option<String>> {
            for column in columns {
                if let Some(text) = non_empty(reader.optional_cell(column)?) {
                    return Ok(Some(text));
                }
            }
            Ok(None)
        };
        let zip = first_of(zips)?;
        let country = first_of(countries)?;
        let order = Order {
            id: order_name.to_string(),
            email: normalize_email(reader.cell(email)?),
            customer_id: None,
            date: reader.parse(
                created_at,
                "a date such as 2025-05-11 09:55:16 -0400",
                parse_local_date,
            )?,
            quantity: reader.parse(quantity, "a whole number of items", parse_quantity)?,
            total_cents: reader.parse(total, "an amount such as 1659.95", parse_cents)?,
            refunded_cents,
            company: normalize_company(
                reader.optional_cell(company)?,
                &options.extra_non_company_words,
            ),
            name: non_empty(reader.optional_cell(billing_name)?)
                .or(non_empty(reader.optional_cell(shipping_name)?)),
            phone,
            zip,
            country,
            accepts_marketing: parse_flag(reader.optional_cell(accepts_marketing)?),
            currency: non_empty(reader.optional_cell(currency)?).map(|c| c.to_ascii_uppercase()),
            excluded,
        };
        counts.orders += 1;
        let slot = match orders.push(order) {
            Some(row) => Seen::Row(row),
            None => Seen::Duplicate,
        };
        seen.insert(order_name.to_string(), slot);
    }
    Ok(counts)
}
