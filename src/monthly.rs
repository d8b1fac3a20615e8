//! Revenue and orders by calendar month, split between new and returning
//! customers, with the store's high-season months marked.
//!
//! Over the attributed valid orders (the orders every customer figure
//! counts), so the months add up to `summary`'s `orders` and `revenue`.
//!
//! - An order is **new** when it falls in the calendar month of its
//!   customer's first order, **returning** when it falls in a later month.
//! - A month is **high season** when its revenue is at least
//!   [`HIGH_SEASON_FACTOR`] × the median month's revenue (months without
//!   orders count as 0). With fewer than [`HIGH_SEASON_MIN_MONTHS`] months
//!   of data, or a median of 0, no month is marked: there is no season to
//!   tell yet.

use crate::calendar::Period;
use crate::customers::attributed_valid_orders;
use crate::frame::i64s;
use crate::model::col as order;
use polars::prelude::*;

/// Column names of the months table.
pub mod col {
    /// String: `2024-03`.
    pub const MONTH: &str = "month";
    /// UInt64: customers whose first order was this month.
    pub const NEW_CUSTOMERS: &str = "new_customers";
    /// UInt64: customers who ordered this month and had ordered in an earlier month.
    pub const RETURNING_CUSTOMERS: &str = "returning_customers";
    pub const NEW_ORDERS: &str = "new_orders";
    pub const RETURNING_ORDERS: &str = "returning_orders";
    /// Int64, cents.
    pub const NEW_REVENUE: &str = "new_revenue_cents";
    /// Int64, cents.
    pub const RETURNING_REVENUE: &str = "returning_revenue_cents";
    /// Int64, cents: new + returning.
    pub const REVENUE: &str = "revenue_cents";
    /// Boolean: revenue ≥ [`super::HIGH_SEASON_FACTOR`] × the median month.
    pub const HIGH_SEASON: &str = "high_season";
}

/// "Well above the median": a month with at least 1.5 times the revenue of
/// the store's typical (median) month.
pub const HIGH_SEASON_FACTOR: f64 = 1.5;

/// Below half a year of months a "season" means nothing.
pub const HIGH_SEASON_MIN_MONTHS: usize = 6;

/// The months table and the figures its high season is judged by.
#[derive(Debug)]
pub struct Monthly {
    /// One row per calendar month from the first to the last month with an
    /// order, months without orders included (as zeros), oldest first.
    pub months: DataFrame,
    /// Median monthly revenue in cents; `None` with fewer than
    /// [`HIGH_SEASON_MIN_MONTHS`] months.
    pub median_revenue_cents: Option<f64>,
    /// [`HIGH_SEASON_FACTOR`] × the median, when high season can be told.
    pub high_season_from_cents: Option<f64>,
}

const MONTH_INDEX: &str = "month_index";
const FIRST_MONTH: &str = "first_month";
const IS_NEW: &str = "is_new";

/// The months table of the orders table.
pub fn monthly(orders: &DataFrame) -> PolarsResult<Monthly> {
    let mut valid = attributed_valid_orders(orders.clone().lazy())
        .select([col(order::CUSTOMER), col(order::DATE), col(order::NET)])
        .collect()?;
    let month = Period::Month.of_dates(valid.column(order::DATE)?, MONTH_INDEX)?;
    valid.with_column(month)?;
    let groups = valid
        .lazy()
        .with_column(
            col(MONTH_INDEX)
                .min()
                .over([col(order::CUSTOMER)])?
                .alias(FIRST_MONTH),
        )
        .with_column(col(MONTH_INDEX).eq(col(FIRST_MONTH)).alias(IS_NEW))
        .group_by([col(MONTH_INDEX), col(IS_NEW)])
        .agg([
            col(order::CUSTOMER).n_unique().alias("customers"),
            len().alias("orders"),
            col(order::NET).sum().alias("revenue"),
        ])
        .collect()?;

    let indexes = i64s(&groups, MONTH_INDEX)?;
    let (Some(&first), Some(&last)) = (indexes.iter().min(), indexes.iter().max()) else {
        return Ok(Monthly {
            months: table(&[], &Rows::default(), &[])?,
            median_revenue_cents: None,
            high_season_from_cents: None,
        });
    };
    let n = (last - first + 1) as usize;
    let mut rows = Rows::zeros(n);
    let is_new = groups.column(IS_NEW)?.bool()?.clone();
    let customers = i64s(&groups, "customers")?;
    let orders = i64s(&groups, "orders")?;
    let revenue = i64s(&groups, "revenue")?;
    for g in 0..groups.height() {
        let at = (indexes[g] - first) as usize;
        let side = if is_new.get(g).unwrap_or(false) {
            &mut rows.new
        } else {
            &mut rows.returning
        };
        side.customers[at] = customers[g];
        side.orders[at] = orders[g];
        side.revenue[at] = revenue[g];
    }

    let totals: Vec<i64> = (0..n)
        .map(|i| rows.new.revenue[i] + rows.returning.revenue[i])
        .collect();
    let median = (n >= HIGH_SEASON_MIN_MONTHS).then(|| median(&totals));
    let threshold = median.filter(|&m| m > 0.0).map(|m| m * HIGH_SEASON_FACTOR);
    let high: Vec<bool> = totals
        .iter()
        .map(|&r| threshold.is_some_and(|t| r as f64 >= t))
        .collect();
    let labels: Vec<String> = (first..=last)
        .map(|i| Period::Month.label(i as i32))
        .collect();
    Ok(Monthly {
        months: table(&labels, &rows, &high)?,
        median_revenue_cents: median,
        high_season_from_cents: threshold,
    })
}

/// Customers, orders and revenue of one side (new or returning), by month.
#[derive(Default)]
struct Side {
    customers: Vec<i64>,
    orders: Vec<i64>,
    revenue: Vec<i64>,
}

#[derive(Default)]
struct Rows {
    new: Side,
    returning: Side,
}

impl Rows {
    fn zeros(n: usize) -> Rows {
        let side = || Side {
            customers: vec![0; n],
            orders: vec![0; n],
            revenue: vec![0; n],
        };
        Rows {
            new: side(),
            returning: side(),
        }
    }
}

fn table(labels: &[String], rows: &Rows, high: &[bool]) -> PolarsResult<DataFrame> {
    let counts = |name: &str, v: &[i64]| {
        Column::new(name.into(), v.iter().map(|&x| x as u64).collect::<Vec<_>>())
    };
    let total: Vec<i64> = rows
        .new
        .revenue
        .iter()
        .zip(&rows.returning.revenue)
        .map(|(a, b)| a + b)
        .collect();
    DataFrame::new(
        labels.len(),
        vec![
            Column::new(col::MONTH.into(), labels),
            counts(col::NEW_CUSTOMERS, &rows.new.customers),
            counts(col::RETURNING_CUSTOMERS, &rows.returning.customers),
            counts(col::NEW_ORDERS, &rows.new.orders),
            counts(col::RETURNING_ORDERS, &rows.returning.orders),
            Column::new(col::NEW_REVENUE.into(), &rows.new.revenue),
            Column::new(col::RETURNING_REVENUE.into(), &rows.returning.revenue),
            Column::new(col::REVENUE.into(), total),
            Column::new(col::HIGH_SEASON.into(), high),
        ],
    )
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(values: &[i64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid] as f64
    } else {
        (sorted[mid - 1] + sorted[mid]) as f64 / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::bools;
    use crate::testing::{orders, orders_with};

    #[test]
    fn new_and_returning_by_month_with_empty_months_filled() {
        let table = orders_with(
            &[
                // a: first order in January, twice; back in March.
                ("#1", Some("a"), (2024, 1, 5), 1000),
                ("#2", Some("a"), (2024, 1, 20), 500),
                ("#3", Some("a"), (2024, 3, 1), 700),
                // b: first in March.
                ("#4", Some("b"), (2024, 3, 9), 300),
                // No customer: not counted.
                ("#5", None, (2024, 2, 1), 9900),
                // Cancelled: not counted.
                ("#6", Some("c"), (2024, 2, 2), 5000),
            ],
            &["#6"],
        );
        let m = monthly(&table).unwrap();
        let t = &m.months;
        let months: Vec<_> = t
            .column(col::MONTH)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(months, ["2024-01", "2024-02", "2024-03"]);
        assert_eq!(i64s(t, col::NEW_ORDERS).unwrap(), [2, 0, 1]);
        assert_eq!(i64s(t, col::RETURNING_ORDERS).unwrap(), [0, 0, 1]);
        assert_eq!(i64s(t, col::NEW_CUSTOMERS).unwrap(), [1, 0, 1]);
        assert_eq!(i64s(t, col::RETURNING_CUSTOMERS).unwrap(), [0, 0, 1]);
        assert_eq!(i64s(t, col::NEW_REVENUE).unwrap(), [1500, 0, 300]);
        assert_eq!(i64s(t, col::RETURNING_REVENUE).unwrap(), [0, 0, 700]);
        assert_eq!(i64s(t, col::REVENUE).unwrap(), [1500, 0, 1000]);
        // Three months are too few to tell a season.
        assert_eq!(m.median_revenue_cents, None);
        assert_eq!(bools(t, col::HIGH_SEASON).unwrap(), [false, false, false]);
    }

    #[test]
    fn high_season_is_a_month_at_least_one_and_a_half_times_the_median() {
        // Revenue by month Jan..Jul: 100 100 100 149 150 0 400 → sorted
        // 0 100 100 100 149 150 400, median 100, threshold 150.
        let rows: Vec<_> = [100, 100, 100, 149, 150, 0, 400]
            .iter()
            .enumerate()
            .filter(|(_, cents)| **cents > 0)
            .map(|(i, &cents)| (i, cents))
            .collect();
        let ids: Vec<String> = rows.iter().map(|(i, _)| format!("#{i}")).collect();
        let table = orders(
            &rows
                .iter()
                .zip(&ids)
                .map(|((i, cents), id)| (id.as_str(), Some("a"), (2024, *i as u32 + 1, 1), *cents))
                .collect::<Vec<_>>(),
        );
        let m = monthly(&table).unwrap();
        assert_eq!(m.median_revenue_cents, Some(100.0));
        assert_eq!(m.high_season_from_cents, Some(150.0));
        assert_eq!(
            bools(&m.months, col::HIGH_SEASON).unwrap(),
            [false, false, false, false, true, false, true]
        );
    }

    #[test]
    fn no_orders_make_an_empty_table() {
        let m = monthly(&orders(&[("#1", None, (2024, 1, 1), 100)])).unwrap();
        assert_eq!(m.months.height(), 0);
        assert_eq!(m.months.width(), 9);
    }
}
