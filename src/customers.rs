//! From the orders table to the customers table (SEGMENTS.md section 2).
//!
//! Both `summary` and `segments` start from this one table, so a figure and
//! the list behind it can never disagree.

use crate::ingest::hint_col as hint;
use crate::model::col as order;
use chrono::NaiveDate;
use polars::prelude::*;

/// Column names of the customers table.
pub mod col {
    /// String: e-mail, or `id:<customer id>` for a customer known only by id.
    pub const CUSTOMER: &str = "customer";
    pub const EMAIL: &str = "email";
    pub const CUSTOMER_ID: &str = "customer_id";
    pub const NAME: &str = "name";
    pub const COMPANY: &str = "company";
    pub const PHONE: &str = "phone";
    pub const ZIP: &str = "zip";
    pub const COUNTRY: &str = "country";
    pub const ACCEPTS_MARKETING: &str = "accepts_marketing";
    /// UInt32: number of valid orders.
    pub const ORDERS: &str = "orders";
    /// Int64: sum of the orders' net revenue, in cents.
    pub const REVENUE: &str = "revenue_cents";
    pub const FIRST_ORDER: &str = "first_order";
    pub const LAST_ORDER: &str = "last_order";
    /// Int32: as-of date − last order date.
    pub const DAYS_SINCE_LAST_ORDER: &str = "days_since_last_order";
    pub const TOTAL_QUANTITY: &str = "total_quantity";
    pub const MAX_ORDER_QUANTITY: &str = "max_order_quantity";
    /// UInt32: 0 for the customer with the most revenue; ties by `customer`.
    pub const RANK: &str = "rank";
    /// Boolean: a customers export says the customer is tax exempt.
    pub const TAX_EXEMPT: &str = crate::ingest::hint_col::TAX_EXEMPT;
    /// Boolean: a customers export tags the customer wholesale, b2b or trade.
    pub const WHOLESALE_TAG: &str = crate::ingest::hint_col::WHOLESALE_TAG;
}

/// Valid orders that belong to a customer: the orders every customer figure uses.
pub fn attributed_valid_orders(orders: LazyFrame) -> LazyFrame {
    orders.filter(
        col(order::EXCLUDED)
            .is_null()
            .and(col(order::CUSTOMER).is_not_null()),
    )
}

/// One row per customer, sorted by revenue descending then `customer`
/// ascending, with that position in `rank`. `hints` (from a customers
/// export, keyed by e-mail) add `tax_exempt`, `wholesale_tag` and a company
/// where the orders have none; without them both flags are false.
pub fn customers(orders: LazyFrame, hints: Option<LazyFrame>, as_of: NaiveDate) -> LazyFrame {
    let as_of_days = crate::model::epoch_days(as_of);
    // "Latest" name, company, phone, zip, country: the last non-empty value in date order.
    // The sort is stable, so orders of the same day keep the export's order.
    let latest = |from: &str, to: &str| col(from).drop_nulls().last().alias(to);
    let customers = attributed_valid_orders(orders)
        .sort(
            [order::DATE],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .group_by_stable([col(order::CUSTOMER)])
        .agg([
            col(order::EMAIL).first().alias(col::EMAIL),
            latest(order::CUSTOMER_ID, col::CUSTOMER_ID),
            latest(order::NAME, col::NAME),
            latest(order::COMPANY, col::COMPANY),
            latest(order::PHONE, col::PHONE),
            latest(order::ZIP, col::ZIP),
            latest(order::COUNTRY, col::COUNTRY),
            latest(order::ACCEPTS_MARKETING, col::ACCEPTS_MARKETING),
            len().alias(col::ORDERS),
            col(order::NET).sum().alias(col::REVENUE),
            col(order::DATE).min().alias(col::FIRST_ORDER),
            col(order::DATE).max().alias(col::LAST_ORDER),
            col(order::QUANTITY).sum().alias(col::TOTAL_QUANTITY),
            col(order::QUANTITY).max().alias(col::MAX_ORDER_QUANTITY),
        ])
        .with_column(
            (lit(as_of_days) - col(col::LAST_ORDER).cast(DataType::Int32))
                .alias(col::DAYS_SINCE_LAST_ORDER),
        );
    let customers = match hints {
        Some(hints) => customers
            .join(
                hints,
                [col(col::EMAIL)],
                [col(hint::EMAIL)],
                JoinArgs::new(JoinType::Left),
            )
            .with_columns([
                col(col::COMPANY).fill_null(col(hint::COMPANY)),
                col(col::TAX_EXEMPT).fill_null(lit(false)),
                col(col::WHOLESALE_TAG).fill_null(lit(false)),
            ])
            .drop(cols([hint::COMPANY])),
        None => customers.with_columns([
            lit(false).alias(col::TAX_EXEMPT),
            lit(false).alias(col::WHOLESALE_TAG),
        ]),
    };
    customers
        .sort(
            [col::REVENUE, col::CUSTOMER],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .with_row_index(col::RANK, None)
}
