//! From the analyses' tables to the page's plain data: columns read into
//! structs, nothing computed here (the analyses compute every number).

use super::{
    Bin, CohortCell, CohortChart, CohortRow, Month, MonthlyChart, OrderBand, OrderValueChart,
    ParetoChart, ParetoPoint, PredictionChart, ProductPair, ProductsChart, RecencyBand,
    RecencyChart, Report, SegmentBar,
};
use crate::calendar::Period;
use crate::cohorts::{self, Cohorts};
use crate::customers::Totals;
use crate::customers::attributed_valid_orders;
use crate::frame::{bools, f64s, i64s, opt_i64s, strings, u64s};
use crate::histogram::col as bin;
use crate::metrics::Summary;
use crate::model::col as order;
use crate::monthly::{self, HIGH_SEASON_FACTOR, HIGH_SEASON_MIN_MONTHS, Monthly};
use crate::order_values::{self, OrderValues};
use crate::pareto;
use crate::predict::{LIKELY_ALIVE, Outlook};
use crate::products::{self as product, Purchases};
use crate::recency::{self, Recency};
use crate::rfm;
use crate::segment_sizes;
use crate::segments::{self, Rules};
use chrono::NaiveDate;
use polars::prelude::{DataFrame, IntoLazy, PolarsResult, col};

/// The chart shows at most this many cohorts (the most recent) …
pub const MAX_COHORTS: usize = 24;
/// … each over at most this many periods after its first.
pub const MAX_PERIODS: u32 = 12;
/// The products section shows at most this many products per chart and
/// this many pairs.
pub const TOP_PRODUCTS: usize = 10;
pub const TOP_PAIRS: usize = 8;

/// Cohorts by month when the data spans at most this many months, else by
/// quarter (so the chart reaches back further).
pub const MONTHLY_COHORTS_UP_TO_MONTHS: i32 = 24;

/// The cohort period the report uses for a store whose first order is
/// `first` (see [`MONTHLY_COHORTS_UP_TO_MONTHS`]).
pub fn report_period(first: Option<NaiveDate>, as_of: NaiveDate) -> Period {
    let months = first.map_or(0, |f| Period::Month.index(as_of) - Period::Month.index(f));
    if months < MONTHLY_COHORTS_UP_TO_MONTHS {
        Period::Month
    } else {
        Period::Quarter
    }
}

/// What the page says about the run, besides the analyses.
pub struct Context {
    /// The `summary` figures of the same tables.
    pub summary: Summary,
    pub lifespan_years: f64,
    pub as_of: NaiveDate,
    /// File names of the exports.
    pub exports: Vec<String>,
    /// The notes goldpan printed about the input (stale export, …).
    pub notes: Vec<String>,
    pub horizon_days: u32,
    /// The predictions' outlook, or why the models could not be fitted.
    pub outlook: Result<Outlook, String>,
    /// What customers bought, or why the page cannot say.
    pub purchases: Result<Purchases, String>,
    /// Fewest customers for a pair or a first purchase to be shown.
    pub min_customers: u64,
}

/// Runs every analysis the page shows and gathers their results.
pub fn build(
    orders: &DataFrame,
    customers: &DataFrame,
    rules: &Rules,
    context: Context,
) -> PolarsResult<Report> {
    let Context {
        summary,
        lifespan_years,
        as_of,
        exports,
        notes,
        horizon_days,
        outlook,
        purchases,
        min_customers,
    } = context;
    let period = report_period(summary.first_order_date, as_of);
    let totals = Totals::of(customers)?;
    let segments = segments::all(rules, &totals);
    Ok(Report {
        exports,
        as_of,
        currency: store_currency(orders)?,
        monthly: monthly_chart(&monthly::monthly(orders)?)?,
        cohorts: cohort_chart(&cohorts::cohorts(orders, period, as_of)?)?,
        pareto: pareto_chart(&pareto::pareto(customers, &[10, 20])?)?,
        order_values: order_value_chart(
            &order_values::order_values(orders, rules.aov_low, rules.aov_high)?,
            rules,
        )?,
        recency: recency_chart(&recency::recency(customers, &rules.lapsed_days)?)?,
        segments: segment_bars(&segment_sizes::segment_sizes(customers, &segments)?)?,
        rfm_groups: segment_bars(&segment_sizes::segment_sizes(
            &rfm::with_rfm(customers.clone().lazy()).collect()?,
            &rfm::segments(),
        )?)?,
        prediction: prediction_chart(horizon_days, outlook)?,
        products: products_chart(purchases, min_customers, summary.repeat_rate),
        summary,
        lifespan_years,
        notes,
    })
}

/// The currency of the counted orders when they name exactly one.
pub fn store_currency(orders: &DataFrame) -> PolarsResult<Option<String>> {
    let currencies = attributed_valid_orders(orders.clone().lazy())
        .select([col(order::CURRENCY).drop_nulls().unique()])
        .collect()?;
    let currencies = strings(&currencies, order::CURRENCY)?;
    Ok(match currencies.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    })
}

pub fn monthly_chart(m: &Monthly) -> PolarsResult<MonthlyChart> {
    use crate::monthly::col;
    let t = &m.months;
    let labels = strings(t, col::MONTH)?;
    let [
        new_customers,
        returning_customers,
        new_orders,
        returning_orders,
    ] = [
        col::NEW_CUSTOMERS,
        col::RETURNING_CUSTOMERS,
        col::NEW_ORDERS,
        col::RETURNING_ORDERS,
    ]
    .map(|name| u64s(t, name));
    let (new_customers, returning_customers) = (new_customers?, returning_customers?);
    let (new_orders, returning_orders) = (new_orders?, returning_orders?);
    let new_revenue = i64s(t, col::NEW_REVENUE)?;
    let returning_revenue = i64s(t, col::RETURNING_REVENUE)?;
    let revenue = i64s(t, col::REVENUE)?;
    let high = bools(t, col::HIGH_SEASON)?;
    let months = (0..t.height())
        .map(|i| Month {
            month: labels[i].clone(),
            new_customers: new_customers[i],
            returning_customers: returning_customers[i],
            new_orders: new_orders[i],
            returning_orders: returning_orders[i],
            new_revenue_cents: new_revenue[i],
            returning_revenue_cents: returning_revenue[i],
            revenue_cents: revenue[i],
            high_season: high[i],
        })
        .collect();
    Ok(MonthlyChart {
        months,
        median_revenue_cents: m.median_revenue_cents,
        high_season_from_cents: m.high_season_from_cents,
        high_season_factor: HIGH_SEASON_FACTOR,
        high_season_min_months: HIGH_SEASON_MIN_MONTHS,
    })
}

/// Rows of a cohorts table grouped by cohort, in table order.
fn cohort_rows(t: &DataFrame) -> PolarsResult<Vec<CohortRow>> {
    use crate::cohorts::col;
    let cohort = strings(t, col::COHORT)?;
    let customers = u64s(t, col::CUSTOMERS)?;
    let period = u64s(t, col::PERIOD)?;
    let active = u64s(t, col::ACTIVE_CUSTOMERS)?;
    let retention = f64s(t, col::RETENTION)?;
    let cumulative = i64s(t, col::CUMULATIVE_REVENUE_PER_CUSTOMER)?;
    let mut rows: Vec<CohortRow> = Vec::new();
    for i in 0..t.height() {
        if rows.last().is_none_or(|r| r.cohort != cohort[i]) {
            rows.push(CohortRow {
                cohort: cohort[i].clone(),
                customers: customers[i],
                cells: Vec::new(),
            });
        }
        let row = rows.last_mut().expect("pushed above");
        row.cells.push(CohortCell {
            period: period[i] as u32,
            customers: customers[i],
            active_customers: active[i],
            retention: retention[i],
            cumulative_revenue_per_customer_cents: cumulative[i],
        });
    }
    Ok(rows)
}

pub fn cohort_chart(c: &Cohorts) -> PolarsResult<CohortChart> {
    let cut = |mut row: CohortRow| {
        row.cells.retain(|cell| cell.period <= MAX_PERIODS);
        row
    };
    let mut rows = cohort_rows(&c.cells)?;
    let left_out = rows.len().saturating_sub(MAX_COHORTS);
    let cohorts = rows.drain(left_out..).map(cut).collect();
    let overall = cohort_rows(&c.overall)?
        .pop()
        .map(cut)
        .unwrap_or(CohortRow {
            cohort: "all".into(),
            customers: 0,
            cells: Vec::new(),
        });
    Ok(CohortChart {
        period: c.period,
        cohorts,
        cohorts_left_out: left_out,
        max_periods: MAX_PERIODS,
        overall,
    })
}

pub fn pareto_chart(t: &DataFrame) -> PolarsResult<ParetoChart> {
    use crate::pareto::col;
    let customers = u64s(t, col::CUSTOMERS)?;
    let customer_share = f64s(t, col::CUSTOMER_SHARE)?;
    let revenue_share = f64s(t, col::REVENUE_SHARE)?;
    let top = opt_i64s(t, col::TOP_PERCENT)?;
    let points = (0..t.height())
        .map(|i| ParetoPoint {
            customers: customers[i],
            customer_share: customer_share[i],
            revenue_share: revenue_share[i],
            top_percent: top[i].map(|p| p as u32),
        })
        .collect();
    Ok(ParetoChart {
        customers: customers.last().copied().unwrap_or(0),
        points,
    })
}

fn bins(t: &DataFrame) -> PolarsResult<Vec<Bin>> {
    let from = i64s(t, bin::FROM)?;
    let to = opt_i64s(t, bin::TO)?;
    let count = u64s(t, bin::COUNT)?;
    Ok((0..t.height())
        .map(|i| Bin {
            from: from[i],
            to: to[i],
            count: count[i],
        })
        .collect())
}

pub fn order_value_chart(v: &OrderValues, rules: &Rules) -> PolarsResult<OrderValueChart> {
    use crate::order_values::col;
    let t = &v.bands;
    let band = strings(t, col::BAND)?;
    let orders = u64s(t, col::ORDERS)?;
    let share = f64s(t, col::ORDER_SHARE)?;
    let revenue = i64s(t, col::REVENUE)?;
    Ok(OrderValueChart {
        bins: bins(&v.bins)?,
        aov_cents: v.aov_cents,
        low_factor: rules.aov_low,
        high_factor: rules.aov_high,
        low_below_cents: v.low_below_cents,
        high_above_cents: v.high_above_cents,
        bands: (0..t.height())
            .map(|i| OrderBand {
                band: band[i].clone(),
                orders: orders[i],
                order_share: share[i],
                revenue_cents: revenue[i],
            })
            .collect(),
    })
}

pub fn recency_chart(r: &Recency) -> PolarsResult<RecencyChart> {
    use crate::recency::col;
    let t = &r.bands;
    let band = strings(t, col::BAND)?;
    let from = i64s(t, col::FROM_DAYS)?;
    let to = opt_i64s(t, col::TO_DAYS)?;
    let customers = u64s(t, col::CUSTOMERS)?;
    let revenue = i64s(t, col::REVENUE)?;
    Ok(RecencyChart {
        bins: bins(&r.bins)?,
        bands: (0..t.height())
            .map(|i| RecencyBand {
                band: band[i].clone(),
                from_days: from[i],
                to_days: to[i],
                customers: customers[i],
                revenue_cents: revenue[i],
            })
            .collect(),
    })
}

pub fn products_chart(
    purchases: Result<Purchases, String>,
    min_customers: u64,
    repeat_rate: Option<f64>,
) -> ProductsChart {
    let purchases = match purchases {
        Ok(purchases) => purchases,
        Err(why) => {
            return ProductsChart {
                no_products_because: Some(why),
                products: 0,
                top: Vec::new(),
                first_purchases: Vec::new(),
                min_first_customers: min_customers,
                repeat_rate,
                pairs: Vec::new(),
                min_pair_customers: min_customers,
            };
        }
    };
    let rows = product::product_rows(&purchases);
    let mut first_purchases: Vec<_> = rows
        .iter()
        .filter(|r| r.first_order_customers >= min_customers && r.repeat_share.is_some())
        .cloned()
        .collect();
    // Stable: equal shares keep the products' revenue order.
    first_purchases.sort_by(|a, b| {
        b.repeat_share
            .unwrap_or(0.0)
            .total_cmp(&a.repeat_share.unwrap_or(0.0))
    });
    first_purchases.truncate(TOP_PRODUCTS);
    let by_customer = purchases.products_by_customer();
    let related = product::related(&purchases, &by_customer, min_customers);
    let name = |p: u32| purchases.products[p as usize].name.clone();
    let mut pairs: Vec<ProductPair> = Vec::new();
    // `related` lists each pair both ways, next to each other in its order.
    for pair in &related.pairs {
        if pairs.len() == TOP_PAIRS {
            break;
        }
        let (a, b) = (name(pair.product_a), name(pair.product_b));
        if pairs.iter().any(|p| p.product_a == b && p.product_b == a) {
            continue;
        }
        let b_then_a = related
            .pairs
            .iter()
            .find(|q| q.product_a == pair.product_b && q.product_b == pair.product_a)
            .map_or(0.0, |q| q.confidence);
        pairs.push(ProductPair {
            product_a: a,
            product_b: b,
            customers_both: pair.customers_both,
            a_then_b: pair.confidence,
            b_then_a,
            lift: pair.lift,
        });
    }
    ProductsChart {
        no_products_because: None,
        products: rows.len() as u64,
        top: rows.into_iter().take(TOP_PRODUCTS).collect(),
        first_purchases,
        min_first_customers: min_customers,
        repeat_rate,
        pairs,
        min_pair_customers: min_customers,
    }
}

pub fn prediction_chart(
    horizon_days: u32,
    outlook: Result<Outlook, String>,
) -> PolarsResult<PredictionChart> {
    Ok(match outlook {
        Ok(o) => PredictionChart {
            horizon_days,
            unfitted_because: None,
            customers: o.customers,
            repeat_customers: o.repeat_customers,
            likely_alive: o.likely_alive,
            likely_alive_from: LIKELY_ALIVE,
            expected_orders: Some(o.expected_orders),
            predicted_revenue_cents: o.predicted_revenue_cents,
            p_alive_bins: bins(&o.p_alive_bins)?,
        },
        Err(why) => PredictionChart {
            horizon_days,
            unfitted_because: Some(why),
            customers: 0,
            repeat_customers: 0,
            likely_alive: 0,
            likely_alive_from: LIKELY_ALIVE,
            expected_orders: None,
            predicted_revenue_cents: None,
            p_alive_bins: Vec::new(),
        },
    })
}

pub fn segment_bars(t: &DataFrame) -> PolarsResult<Vec<SegmentBar>> {
    use crate::segment_sizes::col;
    let name = strings(t, col::SEGMENT)?;
    let rule = strings(t, col::RULE)?;
    let customers = u64s(t, col::CUSTOMERS)?;
    let customer_share = f64s(t, col::CUSTOMER_SHARE)?;
    let revenue_share = f64s(t, col::REVENUE_SHARE)?;
    Ok((0..t.height())
        .map(|i| SegmentBar {
            file: format!("{}.csv", name[i]),
            segment: name[i].clone(),
            rule: rule[i].clone(),
            customers: customers[i],
            customer_share: customer_share[i],
            revenue_share: revenue_share[i],
        })
        .collect())
}
