//! How long since each customer last ordered: a histogram of
//! `days_since_last_order` over the customers table, and the customers in
//! each lapsed band (the `lapsed_<N>` lists) and before the first band.
//!
//! The bins cover every customer and reach the last band's edge (no
//! open-ended bin: the long tail of customers who never came back is the
//! point), a whole number of days
//! wide — a week, a month of 30 days, a quarter of 90, … — chosen so that
//! there are at most [`MAX_BINS`] and, where possible, the band edges fall
//! on bin edges.

use crate::customers::field as customer;
use crate::frame::i64s;
use crate::histogram::{bins, pick_width};
use polars::prelude::*;

/// Column names of the bands table.
pub mod col {
    /// String: `active` before the first lapsed band, then `lapsed_<N>` as
    /// the list files are named.
    pub const BAND: &str = "band";
    /// Int64: days since the last order ≥ this …
    pub const FROM_DAYS: &str = "from_days";
    /// Int64 or null: … and < this; null for the last band.
    pub const TO_DAYS: &str = "to_days";
    /// UInt64.
    pub const CUSTOMERS: &str = "customers";
    /// Int64, cents: those customers' revenue.
    pub const REVENUE: &str = "revenue_cents";
}

pub const MAX_BINS: i64 = 40;

/// Bin widths in days, smallest first.
pub const WIDTHS: [i64; 10] = [7, 10, 14, 15, 30, 60, 90, 180, 365, 730];

/// The histogram (a [`crate::histogram`] bins table, in days) and the bands.
#[derive(Debug)]
pub struct Recency {
    pub bins: DataFrame,
    pub bands: DataFrame,
}

/// Recency of the customers table, with bands starting at `lapsed_days`
/// (ascending, as the lapsed lists use them).
pub fn recency(customers: &DataFrame, lapsed_days: &[i64]) -> PolarsResult<Recency> {
    let days = i64s(customers, customer::DAYS_SINCE_LAST_ORDER)?;
    let revenue = i64s(customers, customer::REVENUE)?;

    let mut from = vec![0];
    from.extend(lapsed_days.iter().copied().filter(|&d| d > 0));
    let mut names = vec!["active".to_string()];
    names.extend(from[1..].iter().map(|d| format!("lapsed_{d}")));
    let to: Vec<Option<i64>> = (0..from.len()).map(|i| from.get(i + 1).copied()).collect();
    let mut counts = vec![0u64; from.len()];
    let mut band_revenue = vec![0i64; from.len()];
    for (&d, &r) in days.iter().zip(&revenue) {
        // The last band whose start is ≤ d (days are never negative for
        // customers whose orders are all before the as-of date).
        let band = from.iter().rposition(|&f| d >= f).unwrap_or(0);
        counts[band] += 1;
        band_revenue[band] += r;
    }
    let bands = DataFrame::new(
        from.len(),
        vec![
            Column::new(col::BAND.into(), names),
            Column::new(col::FROM_DAYS.into(), from),
            Column::new(col::TO_DAYS.into(), to),
            Column::new(col::CUSTOMERS.into(), counts),
            Column::new(col::REVENUE.into(), band_revenue),
        ],
    )?;
    // Up to the last band's edge at least, so the chart shows where the
    // lapsed lists start even when every customer is still recent.
    let top = days
        .iter()
        .copied()
        .chain(lapsed_days.last().copied())
        .max()
        .unwrap_or(0);
    let width = pick_width(top, MAX_BINS, &WIDTHS, lapsed_days);
    Ok(Recency {
        bins: bins(&days, width, top)?,
        bands,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::histogram::col as bin;
    use crate::testing::{Row, customers, orders};

    #[test]
    fn customers_per_band_match_the_lapsed_lists_rules() {
        // As of 2024-07-01: last orders 0, 59, 60, 89, 90 and 182 days before.
        let rows: [Row; 6] = [
            ("#1", Some("a"), (2024, 7, 1), 100),
            ("#2", Some("b"), (2024, 5, 3), 200),
            ("#3", Some("c"), (2024, 5, 2), 300),
            ("#4", Some("d"), (2024, 4, 3), 400),
            ("#5", Some("e"), (2024, 4, 2), 500),
            ("#6", Some("f"), (2024, 1, 1), 600),
        ];
        let r = recency(&customers(&orders(&rows), (2024, 7, 1)), &[60, 90]).unwrap();
        let names: Vec<_> = r
            .bands
            .column(col::BAND)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(names, ["active", "lapsed_60", "lapsed_90"]);
        assert_eq!(i64s(&r.bands, col::CUSTOMERS).unwrap(), [2, 2, 2]);
        assert_eq!(i64s(&r.bands, col::REVENUE).unwrap(), [300, 700, 1100]);
        // 0..=182 days: bins of 10 (fits in 40 and divides 60 and 90).
        let from = i64s(&r.bins, bin::FROM).unwrap();
        assert_eq!((from[1], from.len()), (10, 19));
        let counts = i64s(&r.bins, bin::COUNT).unwrap();
        assert_eq!(
            (
                counts[0], counts[5], counts[6], counts[8], counts[9], counts[18]
            ),
            (1, 1, 1, 1, 1, 1)
        );
    }
}
