//! `goldpan report`: one self-contained HTML page of charts.
//!
//! The page renders plain data ([`Report`]), built by [`data`] from the
//! tables the analyses produce; it computes no figure of its own, so every
//! number on it is also in `report --json` (and the headline in
//! `summary --json`). [`page`] lays out the page, [`charts`] draws each chart
//! as inline SVG with [`svg`]'s primitives, [`format`] writes the numbers.

pub mod charts;
pub mod data;
pub mod format;
pub mod page;
pub mod svg;

use crate::calendar::Period;
use crate::metrics::Summary;
use crate::products::ProductRow;
use chrono::NaiveDate;
use serde::Serialize;

/// Everything the page shows.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// File names of the exports read (without their folders).
    pub exports: Vec<String>,
    pub as_of: NaiveDate,
    /// ISO code of the store's currency, when the counted orders name one.
    pub currency: Option<String>,
    /// The `summary` figures, exactly as `summary --json` prints them.
    pub summary: Summary,
    /// The years of the simple lifetime value (`clv`).
    pub lifespan_years: f64,
    /// What goldpan noted about the input (a stale export, ambiguous dates).
    pub notes: Vec<String>,
    pub monthly: MonthlyChart,
    pub cohorts: CohortChart,
    pub pareto: ParetoChart,
    pub order_values: OrderValueChart,
    pub recency: RecencyChart,
    pub segments: Vec<SegmentBar>,
    /// One bar per RFM group, in the groups' order (`segments --rfm`
    /// writes each as `rfm_<group>.csv`).
    pub rfm_groups: Vec<SegmentBar>,
    pub prediction: PredictionChart,
    pub products: ProductsChart,
}

#[derive(Clone, Debug, Serialize)]
pub struct Month {
    /// `2024-01`.
    pub month: String,
    pub new_customers: u64,
    pub returning_customers: u64,
    pub new_orders: u64,
    pub returning_orders: u64,
    pub new_revenue_cents: i64,
    pub returning_revenue_cents: i64,
    pub revenue_cents: i64,
    pub high_season: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct MonthlyChart {
    pub months: Vec<Month>,
    pub median_revenue_cents: Option<f64>,
    /// A month with at least this revenue is high season.
    pub high_season_from_cents: Option<f64>,
    pub high_season_factor: f64,
    pub high_season_min_months: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct CohortCell {
    /// Periods after the cohort's own (0 = the first order's period).
    pub period: u32,
    /// Customers of the cohort (for `all`: of the cohorts that reached
    /// this period).
    pub customers: u64,
    pub active_customers: u64,
    pub retention: f64,
    pub cumulative_revenue_per_customer_cents: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct CohortRow {
    /// `2024-01` or `2024-Q1`; `all` for every cohort together.
    pub cohort: String,
    pub customers: u64,
    pub cells: Vec<CohortCell>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CohortChart {
    pub period: Period,
    /// The most recent cohorts, oldest first, each cut to its first
    /// `max_periods` periods after its own.
    pub cohorts: Vec<CohortRow>,
    /// Older cohorts left out of the chart (see `goldpan cohorts` for all).
    pub cohorts_left_out: usize,
    pub max_periods: u32,
    /// Every cohort together (including the ones left out).
    pub overall: CohortRow,
}

#[derive(Clone, Debug, Serialize)]
pub struct ParetoPoint {
    pub customers: u64,
    pub customer_share: f64,
    pub revenue_share: f64,
    pub top_percent: Option<u32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ParetoChart {
    pub customers: u64,
    pub points: Vec<ParetoPoint>,
}

/// One bar of a histogram: values ≥ `from` and < `to` (no end when `to` is
/// `None`).
#[derive(Clone, Debug, Serialize)]
pub struct Bin {
    pub from: i64,
    pub to: Option<i64>,
    pub count: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct OrderBand {
    /// `low`, `mid` or `high`.
    pub band: String,
    pub orders: u64,
    pub order_share: f64,
    pub revenue_cents: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct OrderValueChart {
    /// Bins in cents.
    pub bins: Vec<Bin>,
    pub aov_cents: Option<f64>,
    pub low_factor: f64,
    pub high_factor: f64,
    pub low_below_cents: Option<f64>,
    pub high_above_cents: Option<f64>,
    pub bands: Vec<OrderBand>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RecencyBand {
    /// `active`, then `lapsed_<N>` (the list's name).
    pub band: String,
    pub from_days: i64,
    pub to_days: Option<i64>,
    pub customers: u64,
    pub revenue_cents: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct RecencyChart {
    /// Bins in days.
    pub bins: Vec<Bin>,
    pub bands: Vec<RecencyBand>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SegmentBar {
    pub segment: String,
    /// The list `segments` writes: `top_20.csv`.
    pub file: String,
    pub rule: String,
    pub customers: u64,
    pub customer_share: f64,
    pub revenue_share: f64,
}

/// What the models expect of the customers over the next `horizon_days`.
#[derive(Clone, Debug, Serialize)]
pub struct PredictionChart {
    pub horizon_days: u32,
    /// Why there are no predictions (the models could not be fitted).
    pub unfitted_because: Option<String>,
    /// Customers with a prediction.
    pub customers: u64,
    /// Of them, those who ordered on more than one day: the model gives
    /// one-time customers P(alive) = 1, so only these are charted.
    pub repeat_customers: u64,
    /// Repeat customers whose P(alive) is at least `likely_alive_from`.
    pub likely_alive: u64,
    pub likely_alive_from: f64,
    pub expected_orders: Option<f64>,
    /// `predicted_revenue_<H>d` of `summary --json`, in cents; None
    /// without a spend model.
    pub predicted_revenue_cents: Option<i64>,
    /// Repeat customers' P(alive) in percent, bins a tenth wide (100%
    /// counts in the last).
    pub p_alive_bins: Vec<Bin>,
}

/// What customers bought (`goldpan products` and `goldpan related`).
#[derive(Clone, Debug, Serialize)]
pub struct ProductsChart {
    /// Why there is nothing to show: the exports name no product.
    pub no_products_because: Option<String>,
    /// Products sold (rows of `goldpan products`).
    pub products: u64,
    /// The products with the most revenue, most first (at most
    /// `data::TOP_PRODUCTS`).
    pub top: Vec<ProductRow>,
    /// Products in at least `min_first_customers` customers' first order,
    /// by the share of those who ordered again, highest first (at most
    /// `data::TOP_PRODUCTS`).
    pub first_purchases: Vec<ProductRow>,
    pub min_first_customers: u64,
    /// The store's repeat rate (`summary`), what the first purchases
    /// compare with.
    pub repeat_rate: Option<f64>,
    /// The strongest pairs of `related` (by lift), each pair once.
    pub pairs: Vec<ProductPair>,
    /// Pairs need this many customers who bought both (`--min-customers`).
    pub min_pair_customers: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProductPair {
    pub product_a: String,
    pub product_b: String,
    pub customers_both: u64,
    /// Share of A's customers who bought B.
    pub a_then_b: f64,
    /// Share of B's customers who bought A.
    pub b_then_a: f64,
    pub lift: f64,
}

/// The whole page, as HTML.
pub fn render(report: &Report) -> String {
    page::page(report).into_string()
}
