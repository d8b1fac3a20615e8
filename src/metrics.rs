//! Store figures (docs/definitions.md, section 3), from the customers and
//! orders tables.

use crate::customers::{Totals, field};
use crate::model::col as order;
use crate::segments::{self, Rules};
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::BTreeMap;

/// Beyond this, in major units, a money figure is not a store's: 10^15, far
/// above any sum of real orders, and where f64 still holds whole cents.
const MAX_FIGURE: f64 = 1e15;

/// Money in major units for JSON: 12345.67.
fn major(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// A ratio, or null when the denominator is zero (an empty store).
fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator != 0.0).then(|| numerator / denominator)
}

/// Rounds a money amount in cents to whole cents, half away from zero.
fn round_cents(cents: f64) -> f64 {
    cents.round() / 100.0
}

/// Every figure of `summary`, with the key names of the spec.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Summary {
    pub customers: u64,
    pub orders: u64,
    pub revenue: f64,
    pub aov: Option<f64>,
    pub purchase_frequency: Option<f64>,
    pub repeat_customers: u64,
    pub repeat_rate: Option<f64>,
    pub repeat_revenue_share: Option<f64>,
    pub top_10_share: Option<f64>,
    pub top_20_share: Option<f64>,
    pub aov_low_customers: u64,
    pub aov_mid_customers: u64,
    pub aov_high_customers: u64,
    pub aov_low_revenue_share: Option<f64>,
    pub aov_mid_revenue_share: Option<f64>,
    pub aov_high_revenue_share: Option<f64>,
    pub clv: Option<f64>,
    pub unattributed_orders: u64,
    pub unattributed_revenue: f64,
    pub excluded_orders: u64,
    /// Not in the spec's list: why each excluded order was left out.
    pub excluded_by_reason: BTreeMap<String, u64>,
    pub first_order_date: Option<NaiveDate>,
    pub last_order_date: Option<NaiveDate>,
}

fn scalar_u64(frame: &DataFrame, name: &str) -> PolarsResult<u64> {
    let value = frame
        .column(name)?
        .as_materialized_series()
        .cast(&DataType::UInt64)?
        .u64()?
        .get(0);
    Ok(value.unwrap_or(0))
}

fn scalar_i64(frame: &DataFrame, name: &str) -> PolarsResult<i64> {
    let value = frame
        .column(name)?
        .as_materialized_series()
        .cast(&DataType::Int64)?
        .i64()?
        .get(0);
    Ok(value.unwrap_or(0))
}

fn scalar_date(frame: &DataFrame, name: &str) -> PolarsResult<Option<NaiveDate>> {
    let days = frame
        .column(name)?
        .as_materialized_series()
        .cast(&DataType::Int32)?
        .i32()?
        .get(0);
    // Checked: a day count out of chrono's range is no date rather than a panic.
    Ok(days.and_then(NaiveDate::from_epoch_days))
}

/// Orders spanning fewer days than this make `clv` no lifetime value: the
/// formula takes their pace for a whole year, for `lifespan_years`.
pub const CLV_MIN_SPAN_DAYS: i64 = 90;

/// Why `clv` should not be read as a lifetime value, when the counted orders
/// span fewer than [`CLV_MIN_SPAN_DAYS`] days (docs/definitions.md, clv).
pub fn clv_note(summary: &Summary) -> Option<String> {
    let (first, last) = (summary.first_order_date?, summary.last_order_date?);
    summary.clv?;
    let days = (last - first).num_days() + 1;
    (days < CLV_MIN_SPAN_DAYS).then(|| {
        format!(
            "clv takes the pace of {days} day(s) of orders for whole years: with fewer than \
             {CLV_MIN_SPAN_DAYS} days of orders it is not a lifetime value"
        )
    })
}

/// Computes the store figures from the customers table (as built by
/// `customers::customers`) and the orders table (for what was left out).
pub fn summary(
    customers: &DataFrame,
    orders: &DataFrame,
    rules: &Rules,
    lifespan_years: f64,
) -> PolarsResult<Summary> {
    let totals = Totals::of(customers)?;
    let revenue_where = |members: Expr| col(field::REVENUE).filter(members).sum();
    let top = |percent| col(field::RANK).lt(lit(segments::top_count(percent, totals.customers)));
    let (low, high) = (
        segments::aov_low(rules, &totals),
        segments::aov_high(rules, &totals),
    );
    let mid = low.clone().or(high.clone()).not();
    let repeat = col(field::ORDERS).gt_eq(lit(2));
    let figures = customers
        .clone()
        .lazy()
        .select([
            repeat.clone().sum().alias("repeat_customers"),
            revenue_where(repeat).alias("repeat_revenue"),
            revenue_where(top(10)).alias("top_10_revenue"),
            revenue_where(top(20)).alias("top_20_revenue"),
            low.clone().sum().alias("aov_low_customers"),
            mid.clone().sum().alias("aov_mid_customers"),
            high.clone().sum().alias("aov_high_customers"),
            revenue_where(low).alias("aov_low_revenue"),
            revenue_where(mid).alias("aov_mid_revenue"),
            revenue_where(high).alias("aov_high_revenue"),
            col(field::FIRST_ORDER).min().alias("first_date"),
            col(field::LAST_ORDER).max().alias("last_date"),
        ])
        .collect()?;
    let excluded = col(order::EXCLUDED).is_not_null();
    let unattributed = excluded.clone().not().and(col(order::CUSTOMER).is_null());
    let left_out = orders
        .clone()
        .lazy()
        .select([
            excluded.sum().alias("excluded_orders"),
            unattributed.clone().sum().alias("unattributed_orders"),
            col(order::NET)
                .filter(unattributed)
                .sum()
                .alias("unattributed_revenue"),
        ])
        .collect()?;
    let by_reason = orders
        .clone()
        .lazy()
        .filter(col(order::EXCLUDED).is_not_null())
        .group_by([col(order::EXCLUDED)])
        .agg([len().alias("orders")])
        .collect()?;
    let counts = by_reason
        .column("orders")?
        .as_materialized_series()
        .cast(&DataType::UInt64)?;
    let excluded_by_reason = by_reason
        .column(order::EXCLUDED)?
        .str()?
        .iter()
        .zip(counts.u64()?.iter())
        .map(|(reason, count)| (reason.unwrap_or_default().to_string(), count.unwrap_or(0)))
        .collect();

    let n = totals.customers as f64;
    let o = totals.orders as f64;
    let r = totals.revenue_cents as f64;
    let share = |name: &str| -> PolarsResult<Option<f64>> {
        Ok(ratio(scalar_i64(&figures, name)? as f64, r))
    };
    let first_date = scalar_date(&figures, "first_date")?;
    let last_date = scalar_date(&figures, "last_date")?;
    let aov_cents = ratio(r, o);
    let clv = match (aov_cents, first_date, last_date) {
        (Some(aov), Some(first), Some(last)) => {
            let span_years = ((last - first).num_days() + 1) as f64 / 365.25;
            let annual_frequency = (o / n) / span_years;
            // A huge --lifespan-years must not print inf or a number
            // beyond any real store: no figure rather than a garbage one.
            Some(round_cents(aov * annual_frequency * lifespan_years))
                .filter(|clv| clv.is_finite() && clv.abs() < MAX_FIGURE)
        }
        _ => None,
    };
    let repeat_customers = scalar_u64(&figures, "repeat_customers")?;
    Ok(Summary {
        customers: totals.customers,
        orders: totals.orders,
        revenue: major(totals.revenue_cents),
        aov: aov_cents.map(round_cents),
        purchase_frequency: ratio(o, n),
        repeat_customers,
        repeat_rate: ratio(repeat_customers as f64, n),
        repeat_revenue_share: share("repeat_revenue")?,
        top_10_share: share("top_10_revenue")?,
        top_20_share: share("top_20_revenue")?,
        aov_low_customers: scalar_u64(&figures, "aov_low_customers")?,
        aov_mid_customers: scalar_u64(&figures, "aov_mid_customers")?,
        aov_high_customers: scalar_u64(&figures, "aov_high_customers")?,
        aov_low_revenue_share: share("aov_low_revenue")?,
        aov_mid_revenue_share: share("aov_mid_revenue")?,
        aov_high_revenue_share: share("aov_high_revenue")?,
        clv,
        unattributed_orders: scalar_u64(&left_out, "unattributed_orders")?,
        unattributed_revenue: major(scalar_i64(&left_out, "unattributed_revenue")?),
        excluded_orders: scalar_u64(&left_out, "excluded_orders")?,
        excluded_by_reason,
        first_order_date: first_date,
        last_order_date: last_date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Order, OrdersBuilder};

    /// Customers a (3 orders: 10.00 + 20.00 + 30.00), b (1 order, 40.00),
    /// c (1 order, 100.00), over 2024-01-01..2024-12-30 (365 days).
    #[test]
    fn figures_of_a_small_store() {
        let mut builder = OrdersBuilder::default();
        builder.start_file("test.csv");
        let orders = [
            ("#1", "a", (2024, 1, 1), 1000),
            ("#2", "a", (2024, 6, 1), 2000),
            ("#3", "a", (2024, 12, 30), 3000),
            ("#4", "b", (2024, 3, 1), 4000),
            ("#5", "c", (2024, 3, 1), 10000),
        ];
        for (id, who, (y, m, d), cents) in orders {
            builder
                .push(Order {
                    id: id.into(),
                    email: Some(format!("{who}@x.com")),
                    date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
                    quantity: 1,
                    total_cents: cents,
                    ..Order::default()
                })
                .unwrap();
        }
        let orders = builder.finish().unwrap().orders;
        let as_of = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let customers = crate::customers::customers_and_histories(&orders, None, as_of)
            .unwrap()
            .0
            .collect()
            .unwrap();
        let rules = Rules {
            bulk_order_qty: 36,
            bulk_total_qty: 72,
            company_is_b2b: false,
            work_email_is_b2b: false,
            extra_free_mail_domains: Vec::new(),
            lapsed_days: vec![60, 90],
            top_percent: 20,
            aov_low: 0.5,
            aov_high: 2.0,
        };
        let s = summary(&customers, &orders, &rules, 3.0).unwrap();
        assert_eq!((s.customers, s.orders), (3, 5));
        assert_eq!(s.revenue, 200.0);
        assert_eq!(s.aov, Some(40.0));
        assert_eq!(s.repeat_customers, 1);
        assert_eq!(s.repeat_revenue_share, Some(0.3));
        // ceil(10% of 3) = ceil(20% of 3) = 1 customer: c, 100.00 of 200.00.
        assert_eq!(s.top_10_share, Some(0.5));
        assert_eq!(s.top_20_share, Some(0.5));
        // Store AOV 40: a's 20 is mid (exactly 0.5×), b's 40 mid, c's 100 high.
        assert_eq!(
            (
                s.aov_low_customers,
                s.aov_mid_customers,
                s.aov_high_customers
            ),
            (0, 2, 1)
        );
        // 40 × (5/3 orders ÷ (365/365.25) years) × 3 years = 200.14
        assert_eq!(s.clv, Some(200.14));
    }
}
