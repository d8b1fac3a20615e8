//! BigCommerce orders export (Orders › Export).
//!
//! One row per order. `Product Details` packs every product of the order into
//! one cell; the order's quantity is the sum of their `Product Qty` (the
//! `Total Quantity` column often disagrees, so it is used only when the
//! export has no `Product Details`). `Order Date` is a bare `dd/mm/yyyy`.

use super::fields::{SlashDates, parse_cents, parse_quantity};
use super::{ExportReader, FileCounts, RowError, Sink};
use crate::model::{Exclusion, Order, non_empty, normalize_company, normalize_email};
use anyhow::{Result, bail};

const WHAT: &str = "BigCommerce orders export";

/// Whether the header is a BigCommerce orders export's.
pub fn recognizes(reader: &ExportReader) -> bool {
    [
        "Order ID",
        "Order Date",
        "Order Status",
        "Order Total (inc tax)",
    ]
    .iter()
    .all(|name| reader.column(name).is_some())
}

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
        total += quantity;
    }
    Ok(total)
}

struct Columns {
    order_id: usize,
    date: usize,
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
}

pub fn read(reader: &mut ExportReader, sink: &mut Sink) -> Result<FileCounts> {
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
    let columns = Columns {
        order_id,
        date,
        status,
        total,
        details: optional("Product Details"),
        total_quantity: optional("Total Quantity"),
        customer_id: optional("Customer ID"),
        emails: [optional("Customer Email"), optional("Billing Email")],
        refunded: optional("Refund Amount"),
        currency: optional("Order Currency Code"),
        company: optional("Billing Company"),
        customer_name: optional("Customer Name"),
        first_name: optional("Billing First Name"),
        last_name: optional("Billing Last Name"),
        phones: [optional("Customer Phone"), optional("Billing Phone")],
        zips: [optional("Billing Zip"), optional("Shipping Zip")],
        countries: [optional("Billing Country"), optional("Shipping Country")],
    };
    if columns.details.is_none() && columns.total_quantity.is_none() {
        bail!(
            "{}: not a complete {WHAT}: it has neither \"Product Details\" nor \"Total Quantity\", \
             so the items per order are unknown; add Product Details to the export template",
            reader.file()
        );
    }
    let mut dates = SlashDates::new(sink.options.date_order);
    // One row per order: a rejected row takes no other rows with it.
    let counts = sink.each_row(reader, None, |reader, sink, counts| {
        read_row(reader, sink, &columns, &mut dates)?;
        counts.orders += 1;
        Ok(())
    })?;
    if let Some(note) = dates.note(reader.file()) {
        eprintln!("goldpan: {note}");
    }
    Ok(counts)
}

fn read_row(
    reader: &ExportReader,
    sink: &mut Sink,
    c: &Columns,
    dates: &mut SlashDates,
) -> Result<(), RowError> {
    let id = reader.check_excel_number(c.order_id)?.trim();
    if id.is_empty() {
        return Err(reader.bad(c.order_id, "an order id", b""));
    }
    let customer_id = match c.customer_id {
        Some(index) => {
            let text = reader.check_excel_number(index)?.trim();
            (!text.is_empty() && text != "0").then(|| text.to_string())
        }
        None => None,
    };
    let date_text = reader.cell(c.date)?;
    let date = dates
        .parse(date_text)
        .map_err(|(problem, fatal)| reader.problem(c.date, problem, fatal))?;
    let quantity = match (c.details, c.total_quantity) {
        (Some(index), _) => {
            let text = reader.cell(index)?;
            product_quantity(text)
                .map_err(|expected| reader.bad(index, &expected, text.as_bytes()))?
        }
        (None, Some(index)) => reader.parse(index, "a whole number of items", parse_quantity)?,
        (None, None) => unreachable!("checked before the first row"),
    };
    let refunded_cents = match reader.optional_cell(c.refunded)?.trim() {
        "" => 0,
        _ => reader.parse(c.refunded.unwrap(), "an amount such as 14.69", parse_cents)?,
    };
    let mut email = None;
    for column in c.emails {
        email = normalize_email(reader.optional_cell(column)?);
        if email.is_some() {
            break;
        }
    }
    let full_name = format!(
        "{} {}",
        reader.optional_cell(c.first_name)?.trim(),
        reader.optional_cell(c.last_name)?.trim()
    );
    let order = Order {
        id: id.to_string(),
        email,
        customer_id,
        date,
        quantity,
        total_cents: reader.parse(c.total, "an amount such as 30.48", parse_cents)?,
        refunded_cents,
        company: normalize_company(
            reader.optional_cell(c.company)?,
            &sink.options.extra_non_company_words,
        ),
        name: non_empty(reader.optional_cell(c.customer_name)?).or(non_empty(&full_name)),
        phone: reader.first_non_empty(&c.phones)?,
        zip: reader.first_non_empty(&c.zips)?,
        country: reader.first_non_empty(&c.countries)?,
        accepts_marketing: None,
        currency: non_empty(reader.optional_cell(c.currency)?).map(|c| c.to_ascii_uppercase()),
        excluded: exclusion(reader.cell(c.status)?),
    };
    sink.orders.push(order);
    Ok(())
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
