//! BigCommerce orders export (Orders › Export).
//!
//! One row per order. `Product Details` packs every product of the order into
//! one cell; the order's quantity is the sum of their `Product Qty` (the
//! `Total Quantity` column often disagrees, so it is used only when the
//! export has no `Product Details`). `Order Date` is a bare `dd/mm/yyyy`.

use super::fields::{
    SlashDates, parse_cents, parse_quantity, parse_time_in_timestamp, parse_time_of_day,
};
use super::grouping::{FileCounts, Layout, OrderRows, Sink, read_rows};
use super::row::{OrderId, Row, order_id};
use super::{ExportReader, Format, Read, RowError};
use crate::model::{Exclusion, LineItem, Order, add_items, non_empty};
use anyhow::{Result, bail};

pub const FORMAT: Format = Format {
    name: "bigcommerce",
    platform: "BigCommerce",
    lists: "orders",
    how_to_export: "Orders › Export",
    export_tips: "any template that keeps the four columns it is recognized by; keep \
        `Product Details` too",
    identifying_columns: &[
        &["Order ID"],
        &["Order Date"],
        &["Order Status"],
        &["Order Total (inc tax)"],
    ],
    lookalikes: &[],
    read: Read::Orders(read),
};

const WHAT: &str = "BigCommerce orders export";

/// Why an order with this `Order Status` is not a purchase (any case).
fn exclusion(status: &str) -> Option<Exclusion> {
    match status.trim().to_ascii_lowercase().as_str() {
        "cancelled" => Some(Exclusion::Cancelled),
        "declined" => Some(Exclusion::Declined),
        "refunded" => Some(Exclusion::Refunded),
        "incomplete" => Some(Exclusion::Incomplete),
        _ => None,
    }
}

/// The labels of one product in `Product Details`, in the order they come.
const LABELS: [&str; 8] = [
    "Product ID: ",
    ", Product Qty: ",
    ", Product SKU: ",
    ", Product Name: ",
    ", Product Weight: ",
    ", Product Variation Details: ",
    ", Product Unit Price: ",
    ", Product Total Price: ",
];

/// Where products are joined in `Product Details`. A bare `|` could be part
/// of a name or a variation; a `|` followed by the first label cannot.
const NEXT_PRODUCT: &str = "|Product ID: ";

/// The values of the eight labels of one product, in [`LABELS`] order.
/// The free-text values (name, variation details) may hold commas, colons
/// and even other labels' words, so the labels are found in order: the
/// first five from the front, the last three from the back.
fn product_fields(product: &str) -> Option<[&str; 8]> {
    let mut starts = [0usize; 8];
    let mut ends = [0usize; 8];
    if !product.starts_with(LABELS[0]) {
        return None;
    }
    starts[0] = LABELS[0].len();
    let mut at = starts[0];
    for i in 1..5 {
        let found = at + product[at..].find(LABELS[i])?;
        ends[i - 1] = found;
        starts[i] = found + LABELS[i].len();
        at = starts[i];
    }
    let mut end = product.len();
    for i in (5..8).rev() {
        let found = at + product[at..end].rfind(LABELS[i])?;
        starts[i] = found + LABELS[i].len();
        ends[i] = end;
        end = found;
    }
    ends[4] = end;
    let mut values = [""; 8];
    for i in 0..8 {
        values[i] = &product[starts[i]..ends[i]];
    }
    Some(values)
}

/// Total items in a `Product Details` cell: the sum of its `Product Qty`.
/// An empty cell has none. `Err` says what is wrong with the cell.
pub fn product_quantity(details: &str) -> Result<i64, String> {
    if details.trim().is_empty() {
        return Ok(0);
    }
    let mut total = 0;
    for (i, product) in details.trim().split(NEXT_PRODUCT).enumerate() {
        let product = if i == 0 {
            product.to_string()
        } else {
            format!("{}{product}", LABELS[0])
        };
        let fields = product_fields(&product).ok_or_else(|| {
            format!(
                "product {} to read \"Product ID: …, Product Qty: …, \
                 Product SKU: …, Product Name: …, Product Weight: …, Product Variation \
                 Details: …, Product Unit Price: …, Product Total Price: …\"",
                i + 1
            )
        })?;
        let quantity = parse_quantity(fields[1].trim()).ok_or_else(|| {
            format!(
                "a whole number after \"Product Qty: \" in product {} (it says \"{}\")",
                i + 1,
                fields[1]
            )
        })?;
        total = add_items(total, quantity)?;
    }
    Ok(total)
}

/// The products of a `Product Details` cell as line items: `Product Name`
/// (HTML entities such as `&quot;` decoded; a variant after its last ` - `,
/// see [`LineItem::named`]), `Product SKU`, `Product Variation Details` as
/// the variant too, `Product Qty` units and `Product Total
/// Price` as the revenue (`Product Unit Price` × qty when the total is empty).
/// `Err` says what is wrong with the cell.
pub fn product_items(details: &str) -> Result<Vec<LineItem>, String> {
    let mut items = Vec::new();
    if details.trim().is_empty() {
        return Ok(items);
    }
    for (i, product) in details.trim().split(NEXT_PRODUCT).enumerate() {
        let product = if i == 0 {
            product.to_string()
        } else {
            format!("{}{product}", LABELS[0])
        };
        let what = |label: &str, found: &str| {
            format!(
                "{label} in product {} (it says \"{}\")",
                i + 1,
                found.chars().take(40).collect::<String>()
            )
        };
        let fields = product_fields(&product).ok_or_else(|| {
            format!(
                "product {} to read \"Product ID: …, Product Qty: …\"",
                i + 1
            )
        })?;
        let quantity = parse_quantity(fields[1].trim())
            .ok_or_else(|| what("a whole number after \"Product Qty: \"", fields[1]))?;
        let amount = |at: usize, label: &str| -> Result<Option<i64>, String> {
            let text = fields[at].trim();
            if text.is_empty() {
                return Ok(None);
            }
            parse_cents(text)
                .map(Some)
                .ok_or_else(|| what(label, fields[at]))
        };
        let unit = amount(6, "an amount after \"Product Unit Price: \"")?;
        let total = amount(7, "an amount after \"Product Total Price: \"")?;
        let revenue_cents = match (total, unit) {
            (Some(total), _) => total,
            (None, Some(unit)) => unit.checked_mul(quantity).ok_or_else(|| {
                what(
                    "a unit price that times the quantity stays in range",
                    fields[6],
                )
            })?,
            (None, None) => 0,
        };
        let mut item = LineItem::named(&decode_entities(fields[3]));
        if item.product.is_empty() {
            item.product = super::row::NO_NAME.to_string();
        }
        item.add_variation(non_empty(&decode_entities(fields[5])));
        item.sku = non_empty(fields[2]);
        item.quantity = quantity;
        item.revenue_cents = revenue_cents;
        items.push(item);
    }
    Ok(items)
}

/// BigCommerce writes a few characters of names as HTML entities.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

struct Columns {
    order_id: usize,
    date: usize,
    /// `Order Time`, when the export template has it.
    time: Option<usize>,
    status: usize,
    total: usize,
    details: Option<usize>,
    total_quantity: Option<usize>,
    customer_id: Option<usize>,
    emails: [Option<usize>; 2],
    refunded: Option<usize>,
    currency: Option<usize>,
    company: Option<usize>,
    customer_name: Option<usize>,
    first_name: Option<usize>,
    last_name: Option<usize>,
    phones: [Option<usize>; 2],
    /// Billing address first, else the shipping one.
    zips: [Option<usize>; 2],
    countries: [Option<usize>; 2],
    dates: SlashDates,
}

fn read(reader: &mut ExportReader, sink: &mut Sink) -> Result<FileCounts> {
    let [order_id, date, status, total] = reader
        .require(
            &[
                "Order ID",
                "Order Date",
                "Order Status",
                "Order Total (inc tax)",
            ],
            WHAT,
        )?
        .try_into()
        .expect("four columns asked for");
    let optional = |n: &str| reader.column(n);
    let options = sink.options;
    let contact = |n: &str| options.contact(reader.column(n));
    let mut columns = Columns {
        order_id,
        date,
        time: optional("Order Time"),
        status,
        total,
        details: optional("Product Details"),
        total_quantity: optional("Total Quantity"),
        customer_id: optional("Customer ID"),
        emails: [optional("Customer Email"), optional("Billing Email")],
        refunded: optional("Refund Amount"),
        currency: optional("Order Currency Code"),
        company: contact("Billing Company"),
        customer_name: contact("Customer Name"),
        first_name: contact("Billing First Name"),
        last_name: contact("Billing Last Name"),
        phones: [contact("Customer Phone"), contact("Billing Phone")],
        zips: [contact("Billing Zip"), contact("Shipping Zip")],
        countries: [contact("Billing Country"), contact("Shipping Country")],
        dates: SlashDates::new(sink.options.date_order),
    };
    if columns.details.is_none() && columns.total_quantity.is_none() {
        bail!(
            "{}: not a complete {WHAT}: it has neither \"Product Details\" nor \"Total Quantity\", \
             so the items per order are unknown; add Product Details to the export template",
            reader.file()
        );
    }
    read_rows(reader, sink, &mut columns)
}

impl OrderRows for Columns {
    fn layout(&self) -> Layout {
        Layout::RowPerOrder
    }

    fn order_id<'r>(&self, reader: &'r ExportReader) -> Result<OrderId<'r>, RowError> {
        order_id(reader, self.order_id)
    }

    fn first_row(&mut self, row: &Row) -> Result<Order, RowError> {
        let customer_id = row.customer_id(self.customer_id)?;
        let date = self
            .dates
            .parse(row.cell(self.date)?)
            .map_err(|(problem, fatal)| row.problem(self.date, problem, fatal))?;
        let quantity = match (self.details, self.total_quantity) {
            (Some(index), _) => {
                let text = row.cell(index)?;
                product_quantity(text)
                    .map_err(|expected| row.bad(index, &expected, text.as_bytes()))?
            }
            (None, Some(index)) => row.parse(index, "a whole number of items", parse_quantity)?,
            (None, None) => unreachable!("checked before the first row"),
        };
        let refunded_cents = row.refunded_cents(self.refunded, "an amount such as 14.69")?;
        let email = row.email(&self.emails)?;
        let full_name = row.full_name(self.first_name, self.last_name)?;
        Ok(Order {
            id: row.id.to_string(),
            email,
            customer_id,
            date,
            time_of_day: match self.time {
                Some(index) => parse_time_of_day(row.cell(index)?),
                None => parse_time_in_timestamp(row.cell(self.date)?),
            },
            quantity,
            total_cents: row.parse(self.total, "an amount such as 30.48", parse_cents)?,
            refunded_cents,
            company: row.company(self.company)?,
            name: row.text(self.customer_name)?.or(full_name),
            phone: row.first_non_empty(&self.phones)?,
            zip: row.first_non_empty(&self.zips)?,
            country: row.first_non_empty(&self.countries)?,
            accepts_marketing: None,
            currency: row.currency(self.currency)?,
            excluded: exclusion(row.cell(self.status)?),
        })
    }

    fn line_items(&mut self, row: &Row) -> Result<Vec<LineItem>, RowError> {
        let Some(index) = self.details else {
            return Ok(Vec::new());
        };
        let text = row.cell(index)?;
        product_items(text).map_err(|expected| row.bad(index, &expected, text.as_bytes()))
    }

    /// How the file's dates were read, when nothing in it settled that.
    fn note(&self, file: &str) -> Option<String> {
        self.dates.note(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VEG: &str = "Product ID: 248, Product Qty: 1, Product SKU: , Product Name: Fresh \
        Vegetable Box, Product Weight: 10.0000, Product Variation Details: Broccoli Florets: \
        Included, Yellow Onion - 2 Count: Included, Product Unit Price: 6.00, Product Total \
        Price: 6.00";

    #[test]
    fn quantity_is_the_sum_of_product_qty() {
        // From the real urbanseeds export: variation details hold ", " and ": ".
        assert_eq!(product_quantity(VEG), Ok(1));
        let two = format!(
            "{VEG}|Product ID: 272, Product Qty: 3, Product SKU: MX-1, Product Name: Mexican \
             Dinner Box, Product Weight: 16.0000, Product Variation Details: 10, 8&quot; \
             Tortillas - Frozen: Included, 1 lb. Diced Chicken Breast, Cooked: Included, \
             Product Unit Price: 9.97, Product Total Price: 29.91"
        );
        assert_eq!(product_quantity(&two), Ok(4));
        assert_eq!(product_quantity(""), Ok(0));
    }

    #[test]
    fn products_are_line_items_with_their_variation_and_total() {
        let two = format!(
            "{VEG}|Product ID: 272, Product Qty: 3, Product SKU: MX-1, Product Name: Mexican \
             Dinner Box, Product Weight: 16.0000, Product Variation Details: 10, 8&quot; \
             tortillas: Included, Product Unit Price: 9.97, Product Total Price: 29.91"
        );
        let items = product_items(&two).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].product, "Fresh Vegetable Box");
        assert_eq!(items[0].sku, None);
        assert_eq!(items[0].revenue_cents, 600);
        assert_eq!(items[1].product, "Mexican Dinner Box");
        assert_eq!(items[1].sku.as_deref(), Some("MX-1"));
        assert_eq!(
            items[1].variant.as_deref(),
            Some("10, 8\" tortillas: Included")
        );
        assert_eq!((items[1].quantity, items[1].revenue_cents), (3, 2991));
        // No total price: unit × qty.
        let no_total = VEG.replace("Product Total Price: 6.00", "Product Total Price: ");
        let items = product_items(&format!("{no_total}|{VEG}")).unwrap();
        assert_eq!(items[0].revenue_cents, 600);
        let bad = VEG.replace("Product Total Price: 6.00", "Product Total Price: six");
        assert!(product_items(&bad).unwrap_err().contains("six"));
    }

    #[test]
    fn a_pipe_inside_a_name_does_not_split_products() {
        let details = "Product ID: 1, Product Qty: 2, Product SKU: A|B, Product Name: Soap | \
            Lavender, Product Weight: 1, Product Variation Details: Scent: a|b, Product Unit \
            Price: 3.00, Product Total Price: 6.00";
        assert_eq!(product_quantity(details), Ok(2));
    }

    #[test]
    fn labels_are_found_in_order() {
        let fields = product_fields(VEG).unwrap();
        assert_eq!(fields[0], "248");
        assert_eq!(fields[2], "");
        assert_eq!(fields[3], "Fresh Vegetable Box");
        assert_eq!(
            fields[5],
            "Broccoli Florets: Included, Yellow Onion - 2 Count: Included"
        );
        assert_eq!(fields[7], "6.00");
    }

    #[test]
    fn malformed_details_are_refused() {
        assert!(product_quantity("Product ID: 1, Product Qty: two").is_err());
        assert!(product_quantity("Widget x 2").is_err());
        let bad_qty = VEG.replace("Product Qty: 1", "Product Qty: 1.5");
        assert!(product_quantity(&bad_qty).unwrap_err().contains("1.5"));
    }

    #[test]
    fn statuses_compare_without_case() {
        assert_eq!(exclusion("Cancelled"), Some(Exclusion::Cancelled));
        assert_eq!(exclusion("DECLINED"), Some(Exclusion::Declined));
        assert_eq!(exclusion("refunded"), Some(Exclusion::Refunded));
        assert_eq!(exclusion("Incomplete"), Some(Exclusion::Incomplete));
        assert_eq!(exclusion("Partially refunded"), None);
        assert_eq!(exclusion("Partially Refunded"), None);
        assert_eq!(exclusion("Completed"), None);
    }
}
