//! WooCommerce orders, as the Customer/Order/Coupon Export plugin writes them.
//!
//! Two layouts: "Default" (one row per order, its items packed into
//! `line_items`) and "Default - One Row per Item" (order columns repeated on
//! every item row, with `item_quantity`). Headers are snake_case; `date` is
//! `Y-m-d H:i:s` in the site's time.

use super::fields::{
    looks_like_excel_date, parse_cents, parse_local_date, parse_quantity, parse_time_in_timestamp,
};
use super::grouping::{FileCounts, Layout, OrderRows, Sink, read_rows};
use super::row::{OrderId, Row, order_id};
use super::{ExportReader, Format, Read, RowError};
use crate::model::{Exclusion, LineItem, Order, add_items, non_empty};
use anyhow::{Result, bail};

pub const FORMAT: Format = Format {
    name: "woocommerce",
    platform: "WooCommerce",
    lists: "orders",
    how_to_export: "Customer/Order/Coupon Export",
    export_tips: "a plugin; format \"Default\" or \"Default - One Row per Item\"",
    identifying_columns: &[&["order_id", "order_number"], &["status"], &["order_total"]],
    lookalikes: &[],
    read: Read::Orders(read),
};

const WHAT: &str = "WooCommerce orders export";

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
        let quantity = parse_quantity(quantity.1.trim()).ok_or_else(|| {
            format!(
                "a whole quantity in item {} of line_items (it says \"{}\")",
                i + 1,
                quantity.1
            )
        })?;
        total = add_items(total, quantity)?;
    }
    Ok(total)
}

/// The items of a `line_items` cell as line items: `name` (its variant cut
/// off, see [`LineItem::named`], `meta` added to it), `sku`, `quantity`
/// and `total` (the line after its discounts; `subtotal` when there is no
/// total). `Err` says what is wrong.
pub fn packed_items(cell: &str) -> Result<Vec<LineItem>, String> {
    let mut items = Vec::new();
    for (i, pairs) in line_items(cell).iter().enumerate() {
        let value = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, value)| value.trim())
                .filter(|value| !value.is_empty())
        };
        let quantity = value("quantity")
            .and_then(parse_quantity)
            .ok_or_else(|| format!("a whole quantity in item {} of line_items", i + 1))?;
        let revenue_cents = match value("total").or(value("subtotal")) {
            Some(amount) => parse_cents(amount).ok_or_else(|| {
                format!(
                    "an amount as the total of item {} of line_items (it says \"{amount}\")",
                    i + 1
                )
            })?,
            None => 0,
        };
        let mut item = LineItem::named(value("name").unwrap_or_default());
        if item.product.is_empty() {
            item.product = super::row::NO_NAME.to_string();
        }
        item.add_variation(value("meta").and_then(non_empty));
        item.sku = value("sku").and_then(non_empty);
        item.quantity = quantity;
        item.revenue_cents = revenue_cents;
        items.push(item);
    }
    Ok(items)
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
    /// One row per item: the item's name, SKU, total (after discounts),
    /// subtotal and meta (its variation).
    item_columns: [Option<usize>; 5],
}

fn read(reader: &mut ExportReader, sink: &mut Sink) -> Result<FileCounts> {
    let optional = |n: &str| reader.column(n);
    let options = sink.options;
    let contact = |n: &str| options.contact(reader.column(n));
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
    let mut columns = Columns {
        order_id,
        date,
        status,
        total,
        items,
        refunded: optional("refunded_total"),
        currency: optional("order_currency").or(optional("currency")),
        customer_id: optional("customer_id"),
        email: optional("billing_email"),
        company: contact("billing_company"),
        first_name: contact("billing_first_name"),
        last_name: contact("billing_last_name"),
        phone: contact("billing_phone"),
        zips: [contact("billing_postcode"), contact("shipping_postcode")],
        countries: [contact("billing_country"), contact("shipping_country")],
        item_columns: [
            optional("item_name"),
            optional("item_sku"),
            optional("item_total"),
            optional("item_subtotal"),
            optional("item_meta"),
        ],
    };
    read_rows(reader, sink, &mut columns)
}

impl OrderRows for Columns {
    fn layout(&self) -> Layout {
        match self.items {
            Items::Packed(_) => Layout::RowPerOrder,
            Items::PerRow(_) => Layout::RowPerLineItem,
        }
    }

    fn order_id<'r>(&self, reader: &'r ExportReader) -> Result<OrderId<'r>, RowError> {
        let id = order_id(reader, self.order_id)?;
        // Every row has the date: an Excel re-save shows on any of them.
        let date = reader.cell(self.date)?;
        if looks_like_excel_date(date) {
            return Err(reader.excel(
                self.date,
                date.trim(),
                "rewrote dates in its own format, dropping seconds",
            ));
        }
        Ok(id)
    }

    fn first_row(&mut self, row: &Row) -> Result<Order, RowError> {
        let quantity = self.items(row)?;
        let customer_id = row.customer_id(self.customer_id)?;
        let refunded_cents = row.refunded_cents(self.refunded, "an amount such as 12.50")?;
        let name = row.full_name(self.first_name, self.last_name)?;
        Ok(Order {
            id: row.id.to_string(),
            email: row.email(&[self.email])?,
            customer_id,
            date: row.parse(
                self.date,
                "a date from 1970 on, such as 2024-03-05 14:02:11",
                parse_local_date,
            )?,
            time_of_day: parse_time_in_timestamp(row.cell(self.date)?),
            quantity,
            total_cents: row.parse(self.total, "an amount such as 49.90", parse_cents)?,
            refunded_cents,
            company: row.company(self.company)?,
            name,
            phone: row.text(self.phone)?,
            zip: row.first_non_empty(&self.zips)?,
            country: row.first_non_empty(&self.countries)?,
            accepts_marketing: None,
            currency: row.currency(self.currency)?,
            excluded: exclusion(row.cell(self.status)?),
        })
    }

    fn other_email(&self, row: &Row, first: &str) -> Result<bool, RowError> {
        row.other_email(&[self.email], first)
    }

    fn later_row(&mut self, row: &Row) -> Result<i64, RowError> {
        self.items(row)
    }

    fn line_items(&mut self, row: &Row) -> Result<Vec<LineItem>, RowError> {
        match self.items {
            Items::Packed(index) => {
                let text = row.cell(index)?;
                packed_items(text).map_err(|expected| row.bad(index, &expected, text.as_bytes()))
            }
            Items::PerRow(quantity) => {
                let [name, sku, total, subtotal, meta] = self.item_columns;
                let Some(name) = name else {
                    return Ok(Vec::new());
                };
                let units = row.parse(quantity, "a whole number of items", parse_quantity)?;
                let amount = if row.optional_cell(total)?.trim().is_empty() {
                    subtotal
                } else {
                    total
                };
                let revenue = row.optional_cents(amount, "an amount such as 12.50")?;
                let mut item = row.line_item(row.cell(name)?, sku, units, revenue)?;
                item.add_variation(row.text(meta)?);
                Ok(vec![item])
            }
        }
    }
}

impl Columns {
    /// The items on the row: all of the order's, or one line item's.
    fn items(&self, row: &Row) -> Result<i64, RowError> {
        match self.items {
            Items::PerRow(index) => row.parse(index, "a whole number of items", parse_quantity),
            Items::Packed(index) => {
                let text = row.cell(index)?;
                line_items_quantity(text)
                    .map_err(|expected| row.bad(index, &expected, text.as_bytes()))
            }
        }
    }
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
    fn packed_items_are_line_items() {
        let cell = "id:368|name:Dinner napkin - Blue|sku:DN-B|quantity:2|subtotal:40.00|\
            total:36.00|meta:;id:369|name:Mug\\; large|sku:|quantity:1|subtotal:9.50|meta:Size=L";
        let items = packed_items(cell).unwrap();
        assert_eq!(items[0].product, "Dinner napkin");
        assert_eq!(items[0].variant.as_deref(), Some("Blue"));
        assert_eq!(items[0].sku.as_deref(), Some("DN-B"));
        assert_eq!((items[0].quantity, items[0].revenue_cents), (2, 3600));
        assert_eq!(items[1].product, "Mug; large");
        assert_eq!(items[1].variant.as_deref(), Some("Size=L"));
        assert_eq!(items[1].sku, None);
        assert_eq!(items[1].revenue_cents, 950);
        assert!(packed_items("id:1|name:A|quantity:1|total:x").is_err());
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
