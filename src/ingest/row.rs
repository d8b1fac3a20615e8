//! The cells every format reads the same way, once: an order id, a refund, a
//! customer id, a currency, a company, a name. Format modules name the
//! columns; these helpers say what the cells mean.

use super::fields::parse_cents;
use super::{ExportReader, IngestOptions, RowError};
use crate::model::{LineItem, non_empty, normalize_company, normalize_email, plain_text};
use std::ops::Deref;

/// The order a row belongs to: the one thing read from every row.
#[derive(Clone, Copy)]
pub struct OrderId<'r> {
    /// Trimmed, never empty.
    pub id: &'r str,
    /// Where it is, for errors about it.
    pub column: usize,
}

/// The order id in `column`, a number: trimmed, not empty, and not a number
/// Excel rewrote (BigCommerce, WooCommerce, `--map`).
pub fn order_id(reader: &ExportReader, column: usize) -> Result<OrderId<'_>, RowError> {
    let id = reader.check_excel_number(column)?;
    present(reader, column, id, "an order id")
}

/// The order id in `column`, a name such as Shopify's `#1001` that Excel
/// leaves alone: trimmed and not empty (else an error expecting `expected`).
pub fn order_name<'r>(
    reader: &'r ExportReader,
    column: usize,
    expected: &str,
) -> Result<OrderId<'r>, RowError> {
    present(reader, column, reader.cell(column)?, expected)
}

fn present<'r>(
    reader: &ExportReader,
    column: usize,
    id: &'r str,
    expected: &str,
) -> Result<OrderId<'r>, RowError> {
    let id = id.trim();
    if id.is_empty() {
        return Err(reader.bad(column, expected, b""));
    }
    Ok(OrderId { id, column })
}

/// The current row of an export, with what it belongs to: the row's cells
/// (through [`ExportReader`]), its order id and how to read it.
pub struct Row<'a> {
    pub reader: &'a ExportReader,
    /// The order the row belongs to.
    pub id: &'a str,
    pub options: &'a IngestOptions,
}

impl Deref for Row<'_> {
    type Target = ExportReader;

    fn deref(&self) -> &ExportReader {
        self.reader
    }
}

impl Row<'_> {
    /// The refunded amount in cents: 0 when the column is missing or empty,
    /// else the cell parsed as an amount (an error expecting `expected`, or
    /// when it is negative).
    pub fn refunded_cents(&self, column: Option<usize>, expected: &str) -> Result<i64, RowError> {
        match column {
            Some(index) if !self.cell(index)?.trim().is_empty() => {
                let cents = self.parse(index, expected, super::fields::parse_cents)?;
                if cents < 0 {
                    // A refund gives money back: a negative one would raise
                    // revenue above what the customer paid.
                    let found = self.cell(index)?.trim().as_bytes();
                    return Err(self.bad(index, "a refund of 0 or more", found));
                }
                Ok(cents)
            }
            _ => Ok(0),
        }
    }

    /// The platform's customer id; `None` when missing, empty or `0` (how
    /// platforms write "a guest, no account").
    pub fn customer_id(&self, column: Option<usize>) -> Result<Option<String>, RowError> {
        let Some(index) = column else {
            return Ok(None);
        };
        let id = self.check_excel_number(index)?.trim();
        Ok((!id.is_empty() && id != "0").then(|| id.to_string()))
    }

    /// The first e-mail among these columns, trimmed and lower-cased.
    pub fn email(&self, columns: &[Option<usize>]) -> Result<Option<String>, RowError> {
        for &column in columns {
            if let Some(email) = normalize_email(self.optional_cell(column)?) {
                return Ok(Some(email));
            }
        }
        Ok(None)
    }

    /// Whether the first e-mail among `columns` is there and is not `first`
    /// (an e-mail as [`Self::email`] gives it).
    pub fn other_email(&self, columns: &[Option<usize>], first: &str) -> Result<bool, RowError> {
        // A later row of an order mostly repeats its first row's e-mail as
        // it is, which needs no normalizing (a new string for every row).
        if let [Some(column)] = columns
            && self.cell(*column)? == first
        {
            return Ok(false);
        }
        Ok(self.email(columns)?.is_some_and(|email| email != first))
    }

    /// The ISO currency code, upper-cased; `None` when missing or empty.
    pub fn currency(&self, column: Option<usize>) -> Result<Option<String>, RowError> {
        let code = plain_text(self.optional_cell(column)?);
        let code = code.trim();
        Ok((!code.is_empty()).then(|| code.to_ascii_uppercase()))
    }

    /// The billing company, without the words that mean "no company"
    /// (built-in and `non_company_words` from the settings).
    pub fn company(&self, column: Option<usize>) -> Result<Option<String>, RowError> {
        Ok(normalize_company(
            self.optional_cell(column)?,
            &self.options.extra_non_company_words,
        ))
    }

    /// "First Last" from two name columns; either may be empty or missing.
    pub fn full_name(
        &self,
        first: Option<usize>,
        last: Option<usize>,
    ) -> Result<Option<String>, RowError> {
        let first = plain_text(self.optional_cell(first)?);
        let last = plain_text(self.optional_cell(last)?);
        let (first, last) = (first.trim(), last.trim());
        Ok(match (first.is_empty(), last.is_empty()) {
            (true, true) => None,
            (false, true) => Some(first.to_string()),
            (true, false) => Some(last.to_string()),
            (false, false) => Some(format!("{first} {last}")),
        })
    }

    /// The trimmed cell of an optional column; `None` when missing or empty.
    pub fn text(&self, column: Option<usize>) -> Result<Option<String>, RowError> {
        Ok(non_empty(self.optional_cell(column)?))
    }

    /// An amount in cents in an optional column: 0 when the column is
    /// missing or the cell empty (an error expecting `expected` otherwise).
    pub fn optional_cents(&self, column: Option<usize>, expected: &str) -> Result<i64, RowError> {
        match column {
            Some(index) if !self.cell(index)?.trim().is_empty() => {
                self.parse(index, expected, parse_cents)
            }
            _ => Ok(0),
        }
    }

    /// A line item of `quantity` units named by the cell `name` (its variant
    /// cut off the name, see [`LineItem::named`]; an empty name is
    /// "(no name)", so that the item still counts), with its SKU.
    pub fn line_item(
        &self,
        name: &str,
        sku: Option<usize>,
        quantity: i64,
        revenue_cents: i64,
    ) -> Result<LineItem, RowError> {
        let mut item = LineItem::named(name);
        if item.product.is_empty() {
            item.product = NO_NAME.to_string();
        }
        item.sku = self.text(sku)?;
        item.quantity = quantity;
        item.revenue_cents = revenue_cents;
        Ok(item)
    }

    /// `unit × quantity − discount` in cents, or an error on `column` (the
    /// price's) when that leaves the range goldpan counts in.
    pub fn line_revenue(
        &self,
        column: usize,
        unit_cents: i64,
        quantity: i64,
        discount_cents: i64,
    ) -> Result<i64, RowError> {
        unit_cents
            .checked_mul(quantity)
            .and_then(|cents| cents.checked_sub(discount_cents))
            .ok_or_else(|| {
                let found = self.cell(column).unwrap_or_default().trim().as_bytes();
                self.bad(
                    column,
                    "a price that times the quantity stays in range",
                    found,
                )
            })
    }
}

/// The product of a line item whose name is empty.
pub const NO_NAME: &str = "(no name)";
