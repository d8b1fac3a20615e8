//! How big each segment is: its customers and its share of the revenue,
//! the figures `segments` reports beside the lists it writes.

use crate::customers::field as customer;
use crate::segments::Segment;
use polars::prelude::*;

/// Column names of the sizes table.
pub mod col {
    /// String: the segment's name; its list is `<segment>.csv`.
    pub const SEGMENT: &str = "segment";
    /// String: the rule in plain words.
    pub const RULE: &str = "rule";
    /// UInt64.
    pub const CUSTOMERS: &str = "customers";
    /// Float64: customers / all customers (0 without customers).
    pub const CUSTOMER_SHARE: &str = "customer_share";
    /// Int64, cents.
    pub const REVENUE: &str = "revenue_cents";
    /// Float64: revenue / all revenue (0 without revenue).
    pub const REVENUE_SHARE: &str = "revenue_share";
}

/// One row per segment, in the order given.
pub fn segment_sizes(customers: &DataFrame, segments: &[Segment]) -> PolarsResult<DataFrame> {
    let figures = customers
        .clone()
        .lazy()
        .select(
            segments
                .iter()
                .enumerate()
                .flat_map(|(i, s)| {
                    [
                        s.members
                            .clone()
                            .sum()
                            .cast(DataType::UInt64)
                            .alias(format!("n{i}")),
                        col(customer::REVENUE)
                            .filter(s.members.clone())
                            .sum()
                            .alias(format!("r{i}")),
                    ]
                })
                .chain([
                    len().cast(DataType::UInt64).alias("n"),
                    col(customer::REVENUE).sum().alias("r"),
                ])
                .collect::<Vec<_>>(),
        )
        .collect()?;
    let get = |name: &str| -> PolarsResult<i64> {
        let value = figures.column(name)?.cast(&DataType::Int64)?;
        Ok(value.i64()?.get(0).unwrap_or(0))
    };
    let (all_customers, all_revenue) = (get("n")? as f64, get("r")? as f64);
    let share = |part: f64, whole: f64| if whole > 0.0 { part / whole } else { 0.0 };
    let mut sizes = Vec::new();
    let mut revenue = Vec::new();
    for i in 0..segments.len() {
        sizes.push(get(&format!("n{i}"))? as u64);
        revenue.push(get(&format!("r{i}"))?);
    }
    DataFrame::new(
        segments.len(),
        vec![
            Column::new(
                col::SEGMENT.into(),
                segments.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                col::RULE.into(),
                segments.iter().map(|s| s.rule.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                col::CUSTOMER_SHARE.into(),
                sizes
                    .iter()
                    .map(|&n| share(n as f64, all_customers))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                col::REVENUE_SHARE.into(),
                revenue
                    .iter()
                    .map(|&r| share(r as f64, all_revenue))
                    .collect::<Vec<_>>(),
            ),
            Column::new(col::CUSTOMERS.into(), sizes),
            Column::new(col::REVENUE.into(), revenue),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::Totals;
    use crate::frame::i64s;
    use crate::segments::all;
    use crate::testing::{Row, customers, default_rules, orders};

    #[test]
    fn sizes_and_revenue_of_each_list() {
        // a: 2 orders, 300; b: 1 order, 100 (long ago); c: 1 order, 600.
        let rows: [Row; 4] = [
            ("#1", Some("a"), (2024, 6, 1), 100),
            ("#2", Some("a"), (2024, 6, 20), 200),
            ("#3", Some("b"), (2024, 1, 1), 100),
            ("#4", Some("c"), (2024, 6, 30), 600),
        ];
        let customers = customers(&orders(&rows), (2024, 7, 1));
        let segments = all(&default_rules(), &Totals::of(&customers).unwrap());
        let t = segment_sizes(&customers, &segments).unwrap();
        let size = |name: &str| {
            let names = t.column(col::SEGMENT).unwrap().str().unwrap().clone();
            let at = names.iter().position(|n| n == Some(name)).unwrap();
            (
                i64s(&t, col::CUSTOMERS).unwrap()[at],
                i64s(&t, col::REVENUE).unwrap()[at],
            )
        };
        assert_eq!(size("repeat"), (1, 300));
        assert_eq!(size("one_time"), (2, 700));
        assert_eq!(size("lapsed_90"), (1, 100));
        assert_eq!(size("lapsed_60"), (0, 0));
        assert_eq!(size("top_20"), (1, 600));
        assert_eq!(t.height(), segments.len());
    }
}
