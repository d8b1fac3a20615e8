//! The Pareto curve: customers ranked by revenue, best first, and the share
//! of all revenue the first k of them bring, for k from 0 to every customer.
//!
//! The curve is cut to at most [`MAX_POINTS`] evenly spaced points (plus the
//! marked top percentages), whatever the number of customers, so a chart of
//! it stays small. The ranking is the customers table's `rank` (revenue
//! descending, ties by customer), the one `top_10_share` and `top_20_share`
//! use: the marked points are those figures exactly.

use crate::customers::field as customer;
use crate::frame::i64s;
use crate::segments::top_count;
use polars::prelude::*;

/// Column names of the curve table.
pub mod col {
    /// UInt64: the k best customers.
    pub const CUSTOMERS: &str = "customers";
    /// Float64: k / all customers.
    pub const CUSTOMER_SHARE: &str = "customer_share";
    /// Int64, cents: the revenue of those k customers.
    pub const REVENUE: &str = "revenue_cents";
    /// Float64: that revenue / all revenue.
    pub const REVENUE_SHARE: &str = "revenue_share";
    /// UInt32 or null: P when k is the number of customers in the top P%
    /// (ceil(P/100 × customers), as `top_P_share` counts them).
    pub const TOP_PERCENT: &str = "top_percent";
}

/// Points of the curve besides the marked ones (and 0).
pub const MAX_POINTS: u64 = 200;

/// The curve of the customers table, with a point for each of the
/// `marked` top percentages.
pub fn pareto(customers: &DataFrame, marked: &[u32]) -> PolarsResult<DataFrame> {
    let ranked = customers
        .clone()
        .lazy()
        .sort([customer::RANK], SortMultipleOptions::default())
        .select([col(customer::REVENUE)])
        .collect()?;
    let revenue = i64s(&ranked, customer::REVENUE)?;
    let n = revenue.len() as u64;
    let total: i64 = revenue.iter().sum();

    let mut points: Vec<u64> = (0..=MAX_POINTS.min(n))
        .map(|i| (i * n).div_ceil(MAX_POINTS.min(n).max(1)))
        .chain(marked.iter().map(|&p| top_count(p, n)))
        .collect();
    points.sort_unstable();
    points.dedup();

    let mut cumulative = Vec::with_capacity(points.len());
    let (mut sum, mut taken) = (0i64, 0usize);
    for &k in &points {
        sum += revenue[taken..k as usize].iter().sum::<i64>();
        taken = k as usize;
        cumulative.push(sum);
    }
    let share = |part: f64, whole: f64| if whole > 0.0 { part / whole } else { 0.0 };
    let customer_share: Vec<f64> = points.iter().map(|&k| share(k as f64, n as f64)).collect();
    let revenue_share: Vec<f64> = cumulative
        .iter()
        .map(|&r| share(r as f64, total as f64))
        .collect();
    let top_percent: Vec<Option<u32>> = points
        .iter()
        .map(|&k| {
            marked
                .iter()
                .copied()
                .filter(|&p| k > 0 && top_count(p, n) == k)
                .max()
        })
        .collect();
    DataFrame::new(
        points.len(),
        vec![
            Column::new(col::CUSTOMERS.into(), points),
            Column::new(col::CUSTOMER_SHARE.into(), customer_share),
            Column::new(col::REVENUE.into(), cumulative),
            Column::new(col::REVENUE_SHARE.into(), revenue_share),
            Column::new(col::TOP_PERCENT.into(), top_percent),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Row, customers, orders};

    fn floats(frame: &DataFrame, name: &str) -> Vec<f64> {
        let column = frame.column(name).unwrap().f64().unwrap().clone();
        column.iter().map(|v| v.unwrap()).collect()
    }

    #[test]
    fn every_customer_is_a_point_in_a_small_store() {
        // Revenue 600, 300, 100: the best customer brings 60%.
        let rows: [Row; 4] = [
            ("#1", Some("b"), (2024, 1, 1), 300),
            ("#2", Some("a"), (2024, 1, 1), 100),
            ("#3", Some("c"), (2024, 1, 1), 500),
            ("#4", Some("c"), (2024, 2, 1), 100),
        ];
        let t = pareto(&customers(&orders(&rows), (2024, 3, 1)), &[10, 20]).unwrap();
        assert_eq!(i64s(&t, col::CUSTOMERS).unwrap(), [0, 1, 2, 3]);
        assert_eq!(i64s(&t, col::REVENUE).unwrap(), [0, 600, 900, 1000]);
        assert_eq!(floats(&t, col::REVENUE_SHARE), [0.0, 0.6, 0.9, 1.0]);
        // ceil(10% of 3) = ceil(20% of 3) = 1: the first customer is both.
        let marks: Vec<_> = t
            .column(col::TOP_PERCENT)
            .unwrap()
            .u32()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(marks, [None, Some(20), None, None]);
    }

    #[test]
    fn a_large_store_is_cut_to_a_few_hundred_points_with_the_marks_exact() {
        // 1001 customers; customer i spent i cents (i = 1..=1001).
        let ids: Vec<String> = (1..=1001).map(|i| format!("#{i}")).collect();
        let who: Vec<String> = (1..=1001).map(|i| format!("c{i:04}")).collect();
        let rows: Vec<Row> = (0..1001)
            .map(|i| {
                (
                    ids[i].as_str(),
                    Some(who[i].as_str()),
                    (2024, 1, 1),
                    i as i64 + 1,
                )
            })
            .collect();
        let t = pareto(&customers(&orders(&rows), (2024, 3, 1)), &[10, 20]).unwrap();
        assert!(
            t.height() <= MAX_POINTS as usize + 3,
            "{} points",
            t.height()
        );
        let k = i64s(&t, col::CUSTOMERS).unwrap();
        assert_eq!((k[0], *k.last().unwrap()), (0, 1001));
        // Top 10% = ceil(100.1) = 101 customers: 1001 + 1000 + … + 901.
        let marks = t.column(col::TOP_PERCENT).unwrap().u32().unwrap().clone();
        let at = |p: u32| marks.iter().position(|m| m == Some(p)).unwrap();
        let revenue = i64s(&t, col::REVENUE).unwrap();
        assert_eq!(k[at(10)], 101);
        assert_eq!(revenue[at(10)], (901..=1001).sum::<i64>());
        assert_eq!(k[at(20)], 201);
        assert_eq!(revenue[at(20)], (801..=1001).sum::<i64>());
    }
}
