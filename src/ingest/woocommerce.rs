//! WooCommerce orders, as the Customer/Order/Coupon Export plugin writes them.
//!
//! Two layouts: "Default" (one row per order, its items packed into
//! `line_items`) and "Default - One Row per Item" (order columns repeated on
//! every item row, with `item_quantity`). Headers are snake_case; `date` is
//! `Y-m-d H:i:s` in the site's time.

use super::fields::{looks_like_excel_date, parse_cents, parse_local_date, parse_quantity};
use super::{ExportReader, FileCounts, RowError, Sink};
use crate::model::{Exclusion, Order, Seen, non_empty, normalize_company, normalize_email};
use anyhow::{Result, bail};

const WHAT: &str = "WooCommerce orders export";

/// Whether the header is the export plugin's orders header.
pub fn recognizes(reader: &ExportReader) -> bool {
    let has = |name: &str| reader.column(name).is_some();
    (has("order_id") || has("order_number")) && has("status") && has("order_total")
}

/// Why an order with this status is not a purchase (`wc-` prefix optional).
fn exclusion(status: &str) -> Option<Exclusion> {
    let status = status.trim().to_ascii_lowercase();
    match status.strip_prefix("wc-").unwrap_or(&status) {
        "cancelled" => Some(Exclusion::Cancelled),
        "refunded" => Some(Exclusion::Refunded),
        "failed" => Some(Exclusion::Failed),
        "pending" => Some(Exclusion::Unpaid),
        "trash" | "checkout-draft" => Some(Exclusion::Draft),
        _ => None,
    }
}

/// Splits on `delimiter` where it is not escaped with a backslash; the
/// pieces keep their escapes.
fn split_unescaped(text: &str, delimiter: char) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, ch) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if ch == delimiter {
            pieces.push(&text[start..i]);
            start = i + ch.len_utf8();
        }
    }
    pieces.push(&text[start..]);
    pieces
}

/// Removes the backslash of `\:`, `\|`, `\;` (and `\\`).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(ch) = chars.next() {
        if ch == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(ch);
        }
    }
    out
}

/// The items of a `line_items` cell: `;`-separated items of
/// `key:value|key:value`, with `\:`, `\|`, `\;` escapes. Each item is its
/// (key, value) pairs, unescaped.
pub fn line_items(cell: &str) -> Vec<Vec<(String, String)>> {
    if cell.trim().is_empty() {
        return Vec::new();
    }
    split_unescaped(cell.trim(), ';')
        .into_iter()
        .map(|item| {
            split_unescaped(item, '|')
                .into_iter()
                .map(|pair| {
                    let mut halves = split_unescaped(pair, ':').into_iter();
                    let key = unescape(halves.next().unwrap_or_default());
                    let rest: Vec<&str> = halves.collect();
                    (key, unescape(&rest.join(":")))
                })
                .collect()
        })
        .collect()
}

/// Sum of the `quantity` of every item in a `line_items` cell; `Err` says
/// what is wrong.
pub fn line_items_quantity(cell: &str) -> Result<i64, String> {
    let mut total = 0;
    for (i, item) in line_items(cell).iter().enumerate() {
        let quantity = item
            .iter()
            .find(|(key, _)| key == "quantity")
            .ok_or_else(|| format!("item {} of line_items to have a quantity", i + 1))?;
        total += parse_quantity(quantity.1.trim()).ok_or_else(|| {
            format!(
                "a whole quantity in item {} of line_items (it says \"{}\")",
                i + 1,
                quantity.1
            )
        })?;
    }
    Ok(total)
}

/// How the file gives the items of an order.
#[derive(Clone, Copy)]
enum Items {
    /// Default layout: `line_items` on the order's one row.
    Packed(usize),
    /// One row per item: `item_quantity` on each.
    PerRow(usize),
}

struct Columns {
    order_id: usize,
    date: usize,
    status: usize,
    total: usize,
    items: Items,
    refunded: Option<usize>,
    currency: Option<usize>,
    customer_id: Option<usize>,
    email: Option<usize>,
    company: Option<usize>,
    first_name: Option<usize>,
    last_name: Option<usize>,
    phone: Option<usize>,
    /// Billing address first, else the shipping one.
    zips: [Option<usize>; 2],
    countries: [Option<usize>; 2],
}

pub fn read(reader: &mut ExportReader, sink: &mut Sink) -> Result<FileCounts> {
    let optional = |n: &str| reader.column(n);
    let Some(order_id) = optional("order_id").or(optional("order_number")) else {
        reader.require(&["order_id"], WHAT)?;
        unreachable!("require fails on a missing column");
    };
    let Some(date) = optional("date").or(optional("order_date")) else {
        reader.require(&["date"], WHAT)?;
        unreachable!("require fails on a missing column");
    };
    let [status, total] = reader
        .require(&["status", "order_total"], WHAT)?
        .try_into()
        .expect("two columns asked for");
    let items = match (optional("line_items"), optional("item_quantity")) {
        (_, Some(index)) => Items::PerRow(index),
        (Some(index), None) => Items::Packed(index),
        (None, None) => bail!(
            "{}: not a complete {WHAT}: it has neither \"line_items\" nor \"item_quantity\", \
             so the items per order are unknown; export with the \"Default\" or \"Default - \
             One Row per Item\" format",
            reader.file()
        ),
    };
    let columns = Columns {
        order_id,
        date,
        status,
        total,
        items,
        refunded: optional("refunded_total"),
        currency: optional("order_currency").or(optional("currency")),
        customer_id: optional("customer_id"),
        email: optional("billing_email"),
        company: optional("billing_company"),
        first_name: optional("billing_first_name"),
        last_name: optional("billing_last_name"),
        phone: optional("billing_phone"),
        zips: [optional("billing_postcode"), optional("shipping_postcode")],
        countries: [optional("billing_country"), optional("shipping_country")],
    };
    sink.each_row(reader, Some(order_id), |reader, sink, counts| {
        read_row(reader, sink, &columns, counts)
    })
}

fn read_row(
    reader: &ExportReader,
    sink: &mut Sink,
    c: &Columns,
    counts: &mut FileCounts,
) -> Result<(), RowError> {
    let id = reader.check_excel_number(c.order_id)?.trim();
    if id.is_empty() {
        return Err(reader.bad(c.order_id, "an order id", b""));
    }
    let date_text = reader.cell(c.date)?;
    if looks_like_excel_date(date_text) {
        return Err(reader.excel(
            c.date,
            date_text.trim(),
            "rewrote dates in its own format, dropping seconds",
        ));
    }
    let quantity = match c.items {
        Items::PerRow(index) => reader.parse(index, "a whole number of items", parse_quantity)?,
        Items::Packed(index) => {
            let text = reader.cell(index)?;
            line_items_quantity(text)
                .map_err(|expected| reader.bad(index, &expected, text.as_bytes()))?
        }
    };
    if let Some(slot) = sink.orders.seen(id) {
        match slot {
            Seen::Row(row) if matches!(c.items, Items::PerRow(_)) => {
                sink.orders.add_quantity(row, quantity);
                return Ok(());
            }
            Seen::Duplicate if matches!(c.items, Items::PerRow(_)) => return Ok(()),
            Seen::Rejected(line) => {
                return Err(RowError {
                    file: reader.file().to_string(),
                    line: reader.line(),
                    column: None,
                    problem: format!(
                        "another item of order {id}, whose first row (line {line}) was rejected"
                    ),
                    fatal: false,
                });
            }
            _ => {
                return Err(reader.bad(
                    c.order_id,
                    "each order on one row in this layout (this order id came before)",
                    id.as_bytes(),
                ));
            }
        }
    }
    let customer_id = match c.customer_id {
        Some(index) => {
            let text = reader.check_excel_number(index)?.trim();
            (!text.is_empty() && text != "0").then(|| text.to_string())
        }
        None => None,
    };
    let refunded_cents = match reader.optional_cell(c.refunded)?.trim() {
        "" => 0,
        _ => reader.parse(c.refunded.unwrap(), "an amount such as 12.50", parse_cents)?,
    };
    let full_name = format!(
        "{} {}",
        reader.optional_cell(c.first_name)?.trim(),
        reader.optional_cell(c.last_name)?.trim()
    );
    let order = Order {
        id: id.to_string(),
        email: normalize_email(reader.optional_cell(c.email)?),
        customer_id,
        date: reader.parse(
            c.date,
            "a date such as 2024-03-05 14:02:11",
            parse_local_date,
        )?,
        quantity,
        total_cents: reader.parse(c.total, "an amount such as 49.90", parse_cents)?,
        refunded_cents,
        company: normalize_company(
            reader.optional_cell(c.company)?,
            &sink.options.extra_non_company_words,
        ),
        name: non_empty(&full_name),
        phone: non_empty(reader.optional_cell(c.phone)?),
        zip: reader.first_non_empty(&c.zips)?,
        country: reader.first_non_empty(&c.countries)?,
        accepts_marketing: None,
        currency: non_empty(reader.optional_cell(c.currency)?).map(|c| c.to_ascii_uppercase()),
        excluded: exclusion(reader.cell(c.status)?),
    };
    counts.orders += 1;
    sink.orders.push(order);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_items_are_split_on_unescaped_delimiters() {
        let cell = "id:368|name:Blue T-Shirt|product_id:2898|sku:TS-BLU|quantity:2|total:40.00|\
            meta:Size=M,Color=Blue;id:369|name:Mug\\; large \\| 12\\:00|product_id:31|sku:|\
            quantity:1|total:9.50";
        let items = line_items(cell);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0][1], ("name".into(), "Blue T-Shirt".into()));
        assert_eq!(items[1][1], ("name".into(), "Mug; large | 12:00".into()));
        assert_eq!(items[1][3], ("sku".into(), "".into()));
        assert_eq!(line_items_quantity(cell), Ok(3));
    }

    #[test]
    fn empty_line_items_have_no_quantity() {
        assert_eq!(line_items_quantity(""), Ok(0));
    }

    #[test]
    fn items_without_a_whole_quantity_are_refused() {
        assert!(line_items_quantity("id:1|name:Mug").is_err());
        assert!(line_items_quantity("id:1|quantity:1.5").is_err());
    }

    #[test]
    fn statuses_with_or_without_wc_prefix() {
        assert_eq!(exclusion("cancelled"), Some(Exclusion::Cancelled));
        assert_eq!(exclusion("wc-refunded"), Some(Exclusion::Refunded));
        assert_eq!(exclusion("failed"), Some(Exclusion::Failed));
        assert_eq!(exclusion("Pending"), Some(Exclusion::Unpaid));
        assert_eq!(exclusion("trash"), Some(Exclusion::Draft));
        assert_eq!(exclusion("checkout-draft"), Some(Exclusion::Draft));
        assert_eq!(exclusion("wc-completed"), None);
        assert_eq!(exclusion("processing"), None);
        assert_eq!(exclusion("on-hold"), None);
    }
}
