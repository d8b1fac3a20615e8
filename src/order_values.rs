//! How much orders are worth: a histogram of order values (net, in cents)
//! with the store's AOV-band cut-offs, and the orders in each band.
//!
//! Over the attributed valid orders, the orders `aov` is computed on. The
//! bands are the AOV segments' cut-offs applied to single orders: an order
//! is `low` below `aov_low` × the store's AOV, `high` above `aov_high` ×,
//! `mid` otherwise (the cut-offs themselves are mid, as for customers).
//!
//! The bins run from 0 to the 99th-percentile order (or a little past the
//! high cut-off, if that is further), a "nice" width apart, at most
//! [`MAX_BINS`] of them; the rare larger orders share one open-ended bin,
//! so one wholesale order does not squash the picture.

use crate::customers::attributed_valid_orders;
use crate::frame::i64s;
use crate::histogram::{bins, nice_widths, pick_width};
use crate::model::col as order;
use polars::prelude::*;

/// Column names of the bands table.
pub mod col {
    /// String: `low`, `mid` or `high`.
    pub const BAND: &str = "band";
    /// UInt64: orders in the band.
    pub const ORDERS: &str = "orders";
    /// Float64: those orders / all orders.
    pub const ORDER_SHARE: &str = "order_share";
    /// Int64, cents: their revenue.
    pub const REVENUE: &str = "revenue_cents";
}

pub const MAX_BINS: i64 = 25;

/// The histogram (a [`crate::histogram`] bins table, in cents) and the bands.
#[derive(Debug)]
pub struct OrderValues {
    /// The store's average order value in cents; `None` without orders.
    pub aov_cents: Option<f64>,
    /// Orders below this many cents are `low`.
    pub low_below_cents: Option<f64>,
    /// Orders above this many cents are `high`.
    pub high_above_cents: Option<f64>,
    pub bins: DataFrame,
    /// Three rows: low, mid, high.
    pub bands: DataFrame,
}

/// Order values of the orders table, with the bands at `aov_low` and
/// `aov_high` times the store's AOV.
pub fn order_values(orders: &DataFrame, aov_low: f64, aov_high: f64) -> PolarsResult<OrderValues> {
    let net = attributed_valid_orders(orders.clone().lazy())
        .select([col(order::NET)])
        .collect()?;
    let mut values = i64s(&net, order::NET)?;
    values.sort_unstable();
    let count = values.len();
    let revenue: i64 = values.iter().sum();
    let aov = (count > 0).then(|| revenue as f64 / count as f64);
    let (low, high) = (aov.map(|a| a * aov_low), aov.map(|a| a * aov_high));

    // Band of an order, comparing net × O with factor × R so that an order
    // at exactly the cut-off is not pushed across by a rounding error.
    let (o, r) = (count as f64, revenue as f64);
    let band = |v: i64| {
        if (v as f64) * o < aov_low * r {
            0
        } else if (v as f64) * o > aov_high * r {
            2
        } else {
            1
        }
    };
    let mut band_orders = [0u64; 3];
    let mut band_revenue = [0i64; 3];
    for &v in &values {
        band_orders[band(v)] += 1;
        band_revenue[band(v)] += v;
    }
    let share = |n: u64| if count > 0 { n as f64 / o } else { 0.0 };
    let bands = DataFrame::new(
        3,
        vec![
            Column::new(col::BAND.into(), ["low", "mid", "high"]),
            Column::new(col::ORDERS.into(), band_orders),
            Column::new(col::ORDER_SHARE.into(), band_orders.map(share).to_vec()),
            Column::new(col::REVENUE.into(), band_revenue),
        ],
    )?;

    let p99 = values
        .get((count * 99).div_ceil(100).saturating_sub(1))
        .copied()
        .unwrap_or(0);
    let max = values.last().copied().unwrap_or(0);
    let past_high = high.map_or(0, |h| (h * 1.25).ceil() as i64);
    let top = max.min(p99.max(past_high));
    let width = pick_width(top, MAX_BINS, &nice_widths(), &[]);
    Ok(OrderValues {
        aov_cents: aov,
        low_below_cents: low,
        high_above_cents: high,
        bins: bins(&values, width, top)?,
        bands,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::histogram::col as bin;
    use crate::testing::{Row, orders_with};

    #[test]
    fn bands_at_half_and_twice_the_aov_with_the_cut_offs_in_mid() {
        // 8 orders, 8000 cents: AOV 1000, low below 500, high above 2000.
        let values = [101, 499, 500, 1000, 1000, 1000, 1900, 2000];
        let ids: Vec<String> = (0..values.len()).map(|i| format!("#{i}")).collect();
        let mut rows: Vec<Row> = values
            .iter()
            .zip(&ids)
            .map(|(&v, id)| (id.as_str(), Some("a"), (2024, 1, 1), v))
            .collect();
        rows.push(("#x", Some("a"), (2024, 1, 1), 99_999)); // cancelled
        rows.push(("#y", None, (2024, 1, 1), 99_999)); // no customer
        let v = order_values(&orders_with(&rows, &["#x"]), 0.5, 2.0).unwrap();
        assert_eq!(v.aov_cents, Some(1000.0));
        assert_eq!(
            (v.low_below_cents, v.high_above_cents),
            (Some(500.0), Some(2000.0))
        );
        assert_eq!(i64s(&v.bands, col::ORDERS).unwrap(), [2, 6, 0]);
        assert_eq!(i64s(&v.bands, col::REVENUE).unwrap(), [600, 7400, 0]);
        // Up to the largest order, 2000, in nice bins of 100 cents.
        let from = i64s(&v.bins, bin::FROM).unwrap();
        assert_eq!((from[1], from.len()), (100, 21));
        let counts = i64s(&v.bins, bin::COUNT).unwrap();
        assert_eq!(counts.iter().sum::<i64>(), 8);
        assert_eq!((counts[1], counts[4], counts[5], counts[10]), (1, 1, 1, 3));
    }

    #[test]
    fn a_rare_large_order_goes_to_the_open_bin() {
        // 199 orders of 10.00 and one of 10,000.00.
        let ids: Vec<String> = (0..200).map(|i| format!("#{i}")).collect();
        let rows: Vec<Row> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                (
                    id.as_str(),
                    Some("a"),
                    (2024, 1, 1),
                    if i == 0 { 1_000_000 } else { 1000 },
                )
            })
            .collect();
        let v = order_values(&orders_with(&rows, &[]), 0.5, 2.0).unwrap();
        let to: Vec<_> = v
            .bins
            .column(bin::TO)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(to.last(), Some(&None));
        assert_eq!(i64s(&v.bins, bin::COUNT).unwrap().last(), Some(&1));
        assert!(v.bins.height() <= MAX_BINS as usize + 1);
    }
}
