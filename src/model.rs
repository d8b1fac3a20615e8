//! The normalized orders table: one row per order, whatever store exported it.
//!
//! Every `ingest` module turns its export into [`Order`]s and pushes them into
//! an [`OrdersBuilder`]; everything downstream (customers, figures, segments)
//! reads only the columns named here and never sees a platform's column names.
//! Beside it, the B2B hints a customers export adds ([`hint_col`]).

use chrono::NaiveDate;
use polars::prelude::*;
use rustc_hash::FxHashMap;

/// Column names of the orders table, with their polars types.
pub mod col {
    /// String. The platform's order id (Shopify `Name`, BigCommerce `Order ID`, …).
    pub const ORDER_ID: &str = "order_id";
    /// String or null. Whom the order belongs to: its e-mail, else `id:<customer id>`;
    /// null when it has neither (an unattributed order).
    pub const CUSTOMER: &str = "customer";
    /// String or null. Trimmed, lower-cased e-mail.
    pub const EMAIL: &str = "email";
    /// String or null. The platform's customer id, when it has one.
    pub const CUSTOMER_ID: &str = "customer_id";
    /// Date. The local calendar date of the order as the export writes it.
    pub const DATE: &str = "date";
    /// Int64. Sum of the order's line-item quantities.
    pub const QUANTITY: &str = "quantity";
    /// Int64, cents. The order total as exported.
    pub const TOTAL: &str = "total_cents";
    /// Int64, cents. Refunded amount, 0 when none.
    pub const REFUNDED: &str = "refunded_cents";
    /// Int64, cents. max(0, total − refunded): the order's revenue everywhere.
    pub const NET: &str = "net_cents";
    /// String or null. Billing company, with placeholder words removed.
    pub const COMPANY: &str = "company";
    /// String or null.
    pub const NAME: &str = "name";
    /// String or null.
    pub const PHONE: &str = "phone";
    /// String or null. Postal code of the billing address, else the shipping one.
    pub const ZIP: &str = "zip";
    /// String or null. Country of the billing address, else the shipping one,
    /// as the export writes it (Shopify: a 2-letter code such as `US`).
    pub const COUNTRY: &str = "country";
    /// Boolean or null (null when the export does not say).
    pub const ACCEPTS_MARKETING: &str = "accepts_marketing";
    /// String or null. ISO currency code.
    pub const CURRENCY: &str = "currency";
    /// String or null. Why the order is not a purchase (see [`super::Exclusion`]);
    /// null for a valid order.
    pub const EXCLUDED: &str = "excluded";
}

/// Columns of the hints table: what a customers export says about a customer
/// that orders do not (tax exemption, wholesale tags, company), one row per
/// e-mail. `customers` joins it to the customers who ordered.
pub mod hint_col {
    /// String: the customer's e-mail, trimmed and lower-cased (the join key).
    pub const EMAIL: &str = "hint_email";
    /// Boolean: `Tax Exempt` is yes.
    pub const TAX_EXEMPT: &str = "tax_exempt";
    /// Boolean: a tag names the customer wholesale, b2b or trade.
    pub const WHOLESALE_TAG: &str = "wholesale_tag";
    /// String or null: the company on the customer record.
    pub const COMPANY: &str = "hint_company";
}

/// Why an order is not counted as a purchase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Exclusion {
    Cancelled,
    Voided,
    Refunded,
    Expired,
    Declined,
    Incomplete,
    Failed,
    Unpaid,
    Draft,
    Test,
    OtherCurrency,
}

impl Exclusion {
    pub const ALL: [Exclusion; 11] = [
        Exclusion::Cancelled,
        Exclusion::Voided,
        Exclusion::Refunded,
        Exclusion::Expired,
        Exclusion::Declined,
        Exclusion::Incomplete,
        Exclusion::Failed,
        Exclusion::Unpaid,
        Exclusion::Draft,
        Exclusion::Test,
        Exclusion::OtherCurrency,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Exclusion::Cancelled => "cancelled",
            Exclusion::Voided => "voided",
            Exclusion::Refunded => "refunded",
            Exclusion::Expired => "expired",
            Exclusion::Declined => "declined",
            Exclusion::Incomplete => "incomplete",
            Exclusion::Failed => "failed",
            Exclusion::Unpaid => "unpaid",
            Exclusion::Draft => "draft",
            Exclusion::Test => "test",
            Exclusion::OtherCurrency => "other_currency",
        }
    }
}

/// One order as an ingest module reads it, before it joins the table.
#[derive(Clone, Debug, Default)]
pub struct Order {
    pub id: String,
    pub email: Option<String>,
    pub customer_id: Option<String>,
    pub date: NaiveDate,
    pub quantity: i64,
    pub total_cents: i64,
    pub refunded_cents: i64,
    pub company: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
    pub accepts_marketing: Option<bool>,
    pub currency: Option<String>,
    pub excluded: Option<Exclusion>,
}

/// Trimmed, lower-cased e-mail; `None` when empty.
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = plain_text(raw);
    let email = email.trim();
    (!email.is_empty()).then(|| email.to_lowercase())
}

/// Words people type into a company field when they have no company.
pub const NON_COMPANY_WORDS: [&str; 10] = [
    "-", ".", "n/a", "na", "none", "null", "self", "home", "private", "personal",
];

/// Trimmed company; `None` when empty or one of [`NON_COMPANY_WORDS`].
pub fn normalize_company(raw: &str, extra_non_company: &[String]) -> Option<String> {
    let company = plain_text(raw);
    let company = company.trim();
    let placeholder = NON_COMPANY_WORDS
        .iter()
        .any(|w| w.eq_ignore_ascii_case(company))
        || extra_non_company
            .iter()
            .any(|w| w.eq_ignore_ascii_case(company));
    (!company.is_empty() && !placeholder).then(|| company.to_string())
}

/// Trimmed text, as [`plain_text`]; `None` when empty.
pub fn non_empty(raw: &str) -> Option<String> {
    let text = plain_text(raw);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Customer text as it goes into the lists: a line break or tab becomes a
/// space and every other control character (NUL, ESC, DEL, …) is dropped, so
/// that no list carries bytes that a terminal or another program would act on.
pub fn plain_text(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw.chars().any(char::is_control) {
        return raw.into();
    }
    raw.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect::<String>()
        .into()
}

/// Where an order id already is in the orders table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// In this row, pushed while reading the current file.
    InThisFile(usize),
    /// Pushed while reading an earlier file.
    InEarlierFile,
}

/// Collects orders column by column, straight into polars' string arrays (no
/// string per cell kept on the heap), and drops an order whose id was already
/// pushed (the same order in two overlapping monthly exports counts once).
pub struct OrdersBuilder {
    index_of: FxHashMap<Box<str>, usize>,
    /// The first row of the file being read: rows are pushed in file order.
    file_start: usize,
    order_id: StringChunkedBuilder,
    customer: StringChunkedBuilder,
    email: StringChunkedBuilder,
    customer_id: StringChunkedBuilder,
    date: Vec<i32>,
    quantity: Vec<i64>,
    total: Vec<i64>,
    refunded: Vec<i64>,
    company: StringChunkedBuilder,
    name: StringChunkedBuilder,
    phone: StringChunkedBuilder,
    zip: StringChunkedBuilder,
    country: StringChunkedBuilder,
    accepts_marketing: Vec<Option<bool>>,
    currency: StringChunkedBuilder,
    excluded: Vec<Option<&'static str>>,
}

impl Default for OrdersBuilder {
    fn default() -> Self {
        let text = |name: &str| StringChunkedBuilder::new(name.into(), 0);
        OrdersBuilder {
            index_of: FxHashMap::default(),
            file_start: 0,
            order_id: text(col::ORDER_ID),
            customer: text(col::CUSTOMER),
            email: text(col::EMAIL),
            customer_id: text(col::CUSTOMER_ID),
            date: Vec::new(),
            quantity: Vec::new(),
            total: Vec::new(),
            refunded: Vec::new(),
            company: text(col::COMPANY),
            name: text(col::NAME),
            phone: text(col::PHONE),
            zip: text(col::ZIP),
            country: text(col::COUNTRY),
            accepts_marketing: Vec::new(),
            currency: text(col::CURRENCY),
            excluded: Vec::new(),
        }
    }
}

/// Days from 1970-01-01, polars' physical representation of a Date.
pub fn epoch_days(date: NaiveDate) -> i32 {
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
}

impl OrdersBuilder {
    pub fn len(&self) -> usize {
        self.date.len()
    }

    /// Starts the next file: orders pushed from now on are that file's.
    pub fn start_file(&mut self) {
        self.file_start = self.len();
    }

    /// Where the order with this id is, if it was pushed already.
    pub fn find(&self, id: &str) -> Option<Found> {
        self.index_of.get(id).map(|&row| {
            if row >= self.file_start {
                Found::InThisFile(row)
            } else {
                Found::InEarlierFile
            }
        })
    }

    /// Adds the order and returns its row, or `None` when an order with this
    /// id was pushed before (this copy is then left out).
    pub fn push(&mut self, order: Order) -> Option<usize> {
        if self.index_of.contains_key(order.id.as_str()) {
            return None;
        }
        let row = self.len();
        match (&order.email, &order.customer_id) {
            (Some(email), _) => self.customer.append_value(email),
            (None, Some(id)) => self.customer.append_value(format!("id:{id}")),
            (None, None) => self.customer.append_null(),
        }
        self.order_id.append_value(&order.id);
        self.index_of.insert(order.id.into(), row);
        self.email.append_option(order.email);
        self.customer_id.append_option(order.customer_id);
        self.date.push(epoch_days(order.date));
        self.quantity.push(order.quantity);
        self.total.push(order.total_cents);
        self.refunded.push(order.refunded_cents);
        self.company.append_option(order.company);
        self.name.append_option(order.name);
        self.phone.append_option(order.phone);
        self.zip.append_option(order.zip);
        self.country.append_option(order.country);
        self.accepts_marketing.push(order.accepts_marketing);
        self.currency.append_option(order.currency);
        self.excluded.push(order.excluded.map(Exclusion::as_str));
        Some(row)
    }

    /// Adds line-item quantity to an order already pushed (the later rows of an
    /// export with one row per line item).
    pub fn add_quantity(&mut self, row: usize, quantity: i64) {
        self.quantity[row] += quantity;
    }

    pub fn finish(self) -> PolarsResult<DataFrame> {
        let net: Vec<i64> = self
            .total
            .iter()
            .zip(&self.refunded)
            .map(|(total, refunded)| (total - refunded).max(0))
            .collect();
        let height = self.len();
        let text = |builder: StringChunkedBuilder| builder.finish().into_column();
        DataFrame::new(
            height,
            vec![
                text(self.order_id),
                text(self.customer),
                text(self.email),
                text(self.customer_id),
                Column::new(col::DATE.into(), self.date).cast(&DataType::Date)?,
                Column::new(col::QUANTITY.into(), self.quantity),
                Column::new(col::TOTAL.into(), self.total),
                Column::new(col::REFUNDED.into(), self.refunded),
                Column::new(col::NET.into(), net),
                text(self.company),
                text(self.name),
                text(self.phone),
                text(self.zip),
                text(self.country),
                Column::new(col::ACCEPTS_MARKETING.into(), self.accepts_marketing),
                text(self.currency),
                Column::new(col::EXCLUDED.into(), self.excluded),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_placeholders_are_empty() {
        assert_eq!(normalize_company("  N/A ", &[]), None);
        assert_eq!(normalize_company("Self", &[]), None);
        assert_eq!(normalize_company("-", &[]), None);
        assert_eq!(
            normalize_company(" Linen Co ", &[]),
            Some("Linen Co".to_string())
        );
        assert_eq!(normalize_company("test", &["TEST".to_string()]), None);
    }

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            normalize_email("  Ann@Example.COM "),
            Some("ann@example.com".into())
        );
        assert_eq!(normalize_email("   "), None);
    }

    #[test]
    fn same_order_id_counts_once() {
        let mut orders = OrdersBuilder::default();
        let order = Order {
            id: "#1001".into(),
            date: NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
            ..Order::default()
        };
        assert_eq!(orders.push(order.clone()), Some(0));
        assert_eq!(orders.push(order), None);
        assert_eq!(orders.finish().unwrap().height(), 1);
    }
}
