//! From the orders table to the customers table (docs/definitions.md,
//! section 2).
//!
//! Both `summary` and `segments` start from this one table, so a figure and
//! the list behind it can never disagree. Column names are in [`field`]
//! (the orders table's are `crate::model::col`).

use crate::model::col as order;
use crate::model::hint_col as hint;
use chrono::NaiveDate;
use polars::prelude::*;

/// Column names of the customers table.
pub mod field {
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
    pub const TAX_EXEMPT: &str = super::hint::TAX_EXEMPT;
    /// Boolean: a customers export tags the customer wholesale, b2b or trade.
    pub const WHOLESALE_TAG: &str = super::hint::WHOLESALE_TAG;
    /// String: the customer's store; only when stores are separate (the
    /// orders table has `crate::model::col::STORE`).
    pub const STORE: &str = super::order::STORE;
}

/// The three sums every ratio is built on (N, O and R of the spec).
#[derive(Clone, Copy, Debug, Default)]
pub struct Totals {
    pub customers: u64,
    pub orders: u64,
    pub revenue_cents: i64,
}

impl Totals {
    /// The sums of a customers table (as built by [`customers`]).
    pub fn of(customers: &DataFrame) -> PolarsResult<Totals> {
        Ok(Totals {
            customers: customers.height() as u64,
            orders: customers
                .column(field::ORDERS)?
                .as_materialized_series()
                .cast(&DataType::UInt64)?
                .u64()?
                .sum()
                .unwrap_or(0),
            revenue_cents: customers.column(field::REVENUE)?.i64()?.sum().unwrap_or(0),
        })
    }
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
/// where the orders have none, and replace the orders' marketing consent
/// with the customer record's; without them both flags are false.
///
/// With separate stores (a `store` column in the orders), a customer is one
/// per store: the customer key names the store, and the table has a
/// [`field::STORE`] column.
pub fn customers(
    orders: &DataFrame,
    hints: Option<LazyFrame>,
    as_of: NaiveDate,
) -> PolarsResult<LazyFrame> {
    let as_of_days = crate::model::epoch_days(as_of);
    let separate_stores = orders.schema().contains(order::STORE);
    const ROW: &str = "__row";
    const PLACE: &str = "__place";
    // "Latest" name, company, phone, zip, consent…: the last non-empty value in
    // the order of the orders' full timestamps (date, then time of day; an
    // unknown time first), then their ids (shorter first, so #999 comes
    // before #1000), never the order of rows or files.
    //
    // Only the sort keys are sorted: each order gets its place in that order,
    // a customer keeps the place of its last order with each text, and the
    // texts are taken from the orders table by those places, one per
    // customer. (Sorting the whole table copied every order's texts, which
    // doubled a large export's memory.)
    let time_order = orders
        .select([order::DATE, order::TIME, order::ORDER_ID])?
        .lazy()
        .with_row_index(ROW, None)
        .sort_by_exprs(
            [
                col(order::DATE),
                col(order::TIME),
                col(order::ORDER_ID).str().len_bytes(),
                col(order::ORDER_ID),
            ],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .select([col(ROW)])
        .collect()?;
    let time_order = time_order.column(ROW)?.idx()?;
    let mut places = vec![0 as IdxSize; orders.height()];
    for (place, row) in time_order.into_no_null_iter().enumerate() {
        places[row as usize] = place as IdxSize;
    }
    let texts = [
        (order::CUSTOMER_ID, field::CUSTOMER_ID),
        (order::NAME, field::NAME),
        (order::COMPANY, field::COMPANY),
        (order::PHONE, field::PHONE),
        (order::ZIP, field::ZIP),
        (order::COUNTRY, field::COUNTRY),
        (order::ACCEPTS_MARKETING, field::ACCEPTS_MARKETING),
    ];
    // Per order, its place where it has the value (null where it has none):
    // the customer's latest value is at the largest. Made here, so that
    // only these numbers, not every order's texts, are filtered and grouped.
    let mut by_order = orders.select([
        order::CUSTOMER,
        order::EXCLUDED,
        order::NET,
        order::DATE,
        order::QUANTITY,
    ])?;
    for (from, to) in texts {
        let has = orders.column(from)?.is_not_null();
        let place_with: IdxCa = places
            .iter()
            .zip(has.iter())
            .map(|(&place, has)| (has == Some(true)).then_some(place))
            .collect();
        by_order.with_column(place_with.with_name(to.into()).into_column())?;
    }
    by_order.with_column(Column::new(PLACE.into(), places))?;
    let mut per_customer = vec![col(PLACE).min().alias(field::EMAIL)];
    per_customer.extend(texts.iter().map(|(_, to)| col(*to).max()));
    per_customer.extend([
        len().alias(field::ORDERS),
        col(order::NET).sum().alias(field::REVENUE),
        col(order::DATE).min().alias(field::FIRST_ORDER),
        col(order::DATE).max().alias(field::LAST_ORDER),
        col(order::QUANTITY).sum().alias(field::TOTAL_QUANTITY),
        col(order::QUANTITY).max().alias(field::MAX_ORDER_QUANTITY),
    ]);
    let grouped = attributed_valid_orders(by_order.lazy())
        .group_by([col(order::CUSTOMER)])
        .agg(per_customer)
        .collect()?;
    // A value by the place of its order: the e-mail (and store) of the
    // first order, each other value of the last order that has one.
    let value_of = |from: &str, place: &str, to: &str| -> PolarsResult<Column> {
        let rows = time_order.take(grouped.column(place)?.idx()?)?;
        let taken = orders.column(from)?.take(&rows)?.with_name(to.into());
        if let Ok(texts) = taken.str() {
            // Taken texts still point into the orders' text buffers: copied
            // out, they let the orders table go once it is dropped.
            let copied = texts.downcast_iter().map(|texts| texts.clone().gc());
            return Ok(StringChunked::from_chunk_iter(to.into(), copied).into_column());
        }
        Ok(taken)
    };
    let mut columns = vec![
        grouped.column(field::CUSTOMER)?.clone(),
        value_of(order::EMAIL, field::EMAIL, field::EMAIL)?,
    ];
    for (from, to) in texts {
        columns.push(value_of(from, to, to)?);
    }
    for name in [
        field::ORDERS,
        field::REVENUE,
        field::FIRST_ORDER,
        field::LAST_ORDER,
        field::TOTAL_QUANTITY,
        field::MAX_ORDER_QUANTITY,
    ] {
        columns.push(grouped.column(name)?.clone());
    }
    if separate_stores {
        // The customer key names the store: all of a customer's orders are its.
        columns.push(value_of(order::STORE, field::EMAIL, field::STORE)?);
    }
    let customers = DataFrame::new(grouped.height(), columns)?
        .lazy()
        .with_column(
            (lit(as_of_days) - col(field::LAST_ORDER).cast(DataType::Int32))
                .alias(field::DAYS_SINCE_LAST_ORDER),
        );
    // With separate stores, hints are keyed by the customer key of their store.
    let hint_key = if separate_stores {
        field::CUSTOMER
    } else {
        field::EMAIL
    };
    let customers = match hints {
        Some(hints) => customers
            .join(
                hints,
                [col(hint_key)],
                [col(hint::EMAIL)],
                JoinArgs::new(JoinType::Left),
            )
            .with_columns([
                col(field::COMPANY).fill_null(col(hint::COMPANY)),
                col(hint::ACCEPTS_MARKETING)
                    .fill_null(col(field::ACCEPTS_MARKETING))
                    .alias(field::ACCEPTS_MARKETING),
                col(field::TAX_EXEMPT).fill_null(lit(false)),
                col(field::WHOLESALE_TAG).fill_null(lit(false)),
            ])
            .drop(cols([hint::COMPANY, hint::ACCEPTS_MARKETING])),
        None => customers.with_columns([
            lit(false).alias(field::TAX_EXEMPT),
            lit(false).alias(field::WHOLESALE_TAG),
        ]),
    };
    Ok(customers
        .sort(
            [field::REVENUE, field::CUSTOMER],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .with_row_index(field::RANK, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Exclusion, Order, OrdersBuilder};

    fn order(id: &str, email: Option<&str>, date: (i32, u32, u32), cents: i64) -> Order {
        Order {
            id: id.into(),
            email: email.map(str::to_string),
            date: NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
            quantity: 1,
            total_cents: cents,
            ..Order::default()
        }
    }

    /// A few orders built in memory, the customers table computed from them.
    fn table(orders: Vec<Order>) -> DataFrame {
        let mut builder = OrdersBuilder::default();
        builder.start_file("test.csv");
        for o in orders {
            builder.push(o).unwrap();
        }
        customers(
            &builder.finish().unwrap().orders,
            None,
            NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
        )
        .unwrap()
        .collect()
        .unwrap()
    }

    #[test]
    fn latest_non_empty_details_and_days_since_the_last_order() {
        let mut newer = order("#2", Some("a@x.com"), (2025, 2, 1), 1000);
        newer.name = None; // the newest order has no name: keep the latest one that has
        newer.phone = Some("555".into());
        let mut older = order("#1", Some("a@x.com"), (2025, 1, 1), 500);
        older.name = Some("Ann".into());
        older.phone = Some("444".into());
        // Newest first, as many exports are: order in the file must not matter.
        let t = table(vec![newer, older]);
        assert_eq!(t.height(), 1);
        let get = |c: &str| t.column(c).unwrap().get(0).unwrap().to_string();
        assert_eq!(get(field::NAME), "\"Ann\"");
        assert_eq!(get(field::PHONE), "\"555\"");
        assert_eq!(get(field::ORDERS), "2");
        assert_eq!(get(field::REVENUE), "1500");
        assert_eq!(get(field::DAYS_SINCE_LAST_ORDER), "28");
    }

    #[test]
    fn each_detail_comes_from_the_row_of_its_customers_latest_order_with_it() {
        let named = |id: &str, email: Option<&str>, day: u32, name: Option<&str>| {
            let mut o = order(id, email, (2025, 1, day), 100);
            o.name = name.map(str::to_string);
            o
        };
        let mut cancelled = named("#1", Some("a@x.com"), 9, Some("Cancelled"));
        cancelled.excluded = Some(Exclusion::Cancelled);
        let mut consented = named("#5", Some("a@x.com"), 1, Some("Ann"));
        consented.accepts_marketing = Some(true);
        consented.phone = Some("555".into());
        let mut unknown_consent = named("#6", Some("a@x.com"), 4, None);
        unknown_consent.accepts_marketing = None;
        // Rows of other customers and of none come between Ann's, in no
        // order of time: a row number mixed up would give another's detail.
        let t = table(vec![
            cancelled,
            named("#2", None, 8, Some("Nobody")),
            named("#3", Some("b@x.com"), 2, Some("Bea")),
            named("#4", Some("a@x.com"), 3, None),
            consented,
            unknown_consent,
            named("#7", Some("b@x.com"), 1, Some("Bea Old")),
        ]);
        let row = |email: &str| {
            let at = t
                .column(field::EMAIL)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .position(|e| e == Some(email))
                .unwrap();
            [
                field::NAME,
                field::PHONE,
                field::ACCEPTS_MARKETING,
                field::ORDERS,
            ]
            .map(|c| t.column(c).unwrap().get(at).unwrap().to_string())
        };
        assert_eq!(t.height(), 2);
        assert_eq!(row("a@x.com"), ["\"Ann\"", "\"555\"", "true", "3"]);
        assert_eq!(row("b@x.com"), ["\"Bea\"", "null", "null", "2"]);
    }

    #[test]
    fn excluded_and_unattributed_orders_make_no_customer() {
        let mut cancelled = order("#1", Some("a@x.com"), (2025, 1, 1), 500);
        cancelled.excluded = Some(Exclusion::Cancelled);
        let t = table(vec![
            cancelled,
            order("#2", None, (2025, 1, 1), 700),
            order("#3", Some("b@x.com"), (2025, 1, 1), 100),
        ]);
        let customers: Vec<_> = t
            .column(field::CUSTOMER)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(customers, [Some("b@x.com")]);
    }

    #[test]
    fn rank_orders_revenue_then_customer() {
        let t = table(vec![
            order("#1", Some("b@x.com"), (2025, 1, 1), 100),
            order("#2", Some("a@x.com"), (2025, 1, 1), 100),
            order("#3", Some("c@x.com"), (2025, 1, 1), 300),
        ]);
        let customers: Vec<_> = t
            .column(field::CUSTOMER)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(customers, ["c@x.com", "a@x.com", "b@x.com"]);
        let ranks: Vec<_> = t
            .column(field::RANK)
            .unwrap()
            .idx()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(ranks, [0, 1, 2]);
    }
}
