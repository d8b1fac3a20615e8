//! Small orders tables built in memory, for the analyses' unit tests.

use crate::model::{Exclusion, Order, OrdersBuilder};
use chrono::NaiveDate;
use polars::prelude::DataFrame;

/// One order of a hand-made table: id, customer (`Some("a")` is
/// `a@x.com`, `None` an order without a customer), date, net in cents.
pub type Row<'a> = (&'a str, Option<&'a str>, (i32, u32, u32), i64);

/// The orders table of these valid orders (one item each).
pub fn orders(rows: &[Row]) -> DataFrame {
    orders_with(rows, &[])
}

/// The orders table of `rows`, the orders whose ids are in `cancelled`
/// marked as cancelled.
pub fn orders_with(rows: &[Row], cancelled: &[&str]) -> DataFrame {
    let mut builder = OrdersBuilder::default();
    builder.start_file("test.csv");
    for &(id, who, (y, m, d), cents) in rows {
        builder
            .push(Order {
                id: id.into(),
                email: who.map(|w| format!("{w}@x.com")),
                date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
                quantity: 1,
                total_cents: cents,
                excluded: cancelled.contains(&id).then_some(Exclusion::Cancelled),
                ..Order::default()
            })
            .unwrap();
    }
    builder.finish().unwrap().orders
}

/// The customers table of an orders table, as of `as_of`.
pub fn customers(orders: &DataFrame, as_of: (i32, u32, u32)) -> DataFrame {
    let as_of = NaiveDate::from_ymd_opt(as_of.0, as_of.1, as_of.2).unwrap();
    crate::customers::customers_and_histories(orders, None, as_of)
        .unwrap()
        .0
        .collect()
        .unwrap()
}

/// The segment rules with every setting at its default.
pub fn default_rules() -> crate::segments::Rules {
    crate::config::defaults().rules()
}
